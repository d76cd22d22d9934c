/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a worker's input path (Ethernet demux, ARP, IPv4,
 * ICMP, TCP input, timers) and what the application does to a connection,
 * over a net_ring port as in the TCP unit tests (tests/unit/tcp_harness.c),
 * without a NIC.
 *
 * An input is a scenario, played from a clean worker:
 *
 *   byte 0      start (modulo 5): 0 nothing; 1 a peer opens a connection
 *               to our listener (port 80); 2 we open one to the peer (port
 *               80). Both end ESTABLISHED, so that the records below reach
 *               the states past it (CLOSE-WAIT, FIN-WAIT-1/2, CLOSING,
 *               LAST-ACK, TIME-WAIT) without guessing our sequence numbers.
 *               3 and 4 as 2 and 1, but the handshake stops after our SYN
 *               (SYN-SENT) or our SYN-ACK (SYN-RECEIVED)
 *   byte 1      the peer's handshake options: bit 0 MSS (536 + 8 x byte 2),
 *               bit 1 window scale (byte 3 & 15), bit 2 SACK-permitted,
 *               bit 3 timestamps
 *   bytes 2, 3  MSS and window shift
 *   records     up to MAX_RECORDS, each: an op byte (low 3 bits: the op;
 *               high 5: where a frame is split into two mbufs), a byte of
 *               virtual time to let pass afterwards (10 ms units), then
 *     op 0 RAW  a length (2 bytes), a flags byte (bit 0: the port's MAC
 *               as destination), and the frame
 *     op 1 SEG  a segment of the connection from the peer: TCP flags,
 *               sequence number as RCV.NXT + a signed 16-bit delta,
 *               acknowledgement as SND.NXT + another, window (2 bytes),
 *               an options length (< 41) and the options, a payload length
 *               (2 bytes) and the payload
 *     op 2 SEND the app queues n bytes (2 bytes)
 *     op 3 CLOSE, op 4 ABORT by the app
 *     op 5 ICMP an ICMP error from the peer quoting a segment of ours:
 *               type, code, the quoted sequence number as SND.UNA + a
 *               signed 16-bit delta, the next-hop MTU (2 bytes)
 *     ops 6, 7  only let time pass
 *
 * After each record timers fire, ACKs go out and what the worker sent is
 * taken off the TX ring. At the end every TCB still in use is freed, as
 * at the end of a run (lm_tcp_release_all), and the mbuf pool must be
 * whole again: an mbuf that a connection holds (an out-of-order segment)
 * comes back with it, and one that nothing holds is a leak, and abort()s.
 * Each input starts from no connection, an empty ARP cache, and the same
 * random state and source port cursor (our ISS and ports), so that a
 * finding replays from its input alone.
 *
 * LM_FUZZ_PACKET_TRACE=1 in the environment prints the connection's state
 * after each record (to check what a seed reaches: gen_packet_seeds.py).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_arp.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "worker.h"
#include "net/eth.h"
#include "net/port.h"
#include "tcp/tcp.h"

#include "fuzz_util.h"

#define OUR_IP 0xc6120001u      /* 198.18.0.1 (RFC 2544 range) */
#define PEER_IP 0xc6120002u     /* 198.18.0.2 */
#define PEER_PORT 40000
#define LISTEN_PORT 80
#define N_TCBS 16               /* small: a scenario can fill the table */
#define POOL_SIZE 4095
#define RING_SIZE 1024
#define MAX_RECORDS 128
#define MAX_FRAME 2048

static const struct rte_ether_addr peer_mac = {
	.addr_bytes = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 } };

static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx, *tx;
	struct lm_plan plan;
	struct lm_netif nif;
	struct lm_worker *w;
	void *stats_area;
	uint16_t port;
	uint16_t ip_id;
	bool trace;
	uint64_t rng0;              /* the worker's at the start of an input */
	uint32_t next_port0;
} fz;

/* The scenario's connection: its 4-tuple and the last sequence numbers. */
struct conn {
	bool open;                  /* a scenario opened it */
	uint16_t lport;             /* host order */
	uint16_t rport;
	uint32_t rcv_nxt;           /* the peer's next byte, as we last saw */
	uint32_t snd_nxt;           /* ours */
};

/* The handshake options the peer sends. */
struct peer_opts {
	uint8_t which;              /* bits: MSS, WS, SACK-permitted, TS */
	uint16_t mss;
	uint8_t wscale;
};

static int app_dummy;

static void
app_recv(struct lm_worker *w, struct lm_tcb *tcb, const uint8_t *data,
	 uint32_t len)
{
}

static void
app_event(struct lm_worker *w, struct lm_tcb *tcb)
{
}

static void
app_closed(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
}

static void
app_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off, uint8_t *dst,
	 uint32_t len)
{
	memset(dst, 'x', len);
}

static void *
app_accept(struct lm_worker *w, struct lm_tcb *tcb, void *ctx)
{
	return &app_dummy;
}

static const struct lm_tcp_ops fuzz_ops = {
	.connected = app_event,
	.recv = app_recv,
	.peer_closed = app_event,
	.closed = app_closed,
	.fill = app_fill,
	.accept = app_accept,
};

static void
fire_timer(void *ctx, struct lm_timer *t)
{
	/* what the worker's dispatcher does with TCP timers */
	if (t->type == LM_TIMER_TCB)
		lm_tcp_timer_expired(ctx, container_of(t, struct lm_tcb, timer));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {
		"fuzz_packet", "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", prefix, "--log-level=error", "-l", "0",
	};
	struct lm_stats_layout layout;
	struct lm_stats_slot_view view;
	char err[256];
	int port;

	/* a prefix per process: libFuzzer's -fork runs several at once */
	snprintf(prefix, sizeof(prefix), "--file-prefix=lm_fuzz_%d",
		 (int)getpid());
	FUZZ_CHECK(rte_eal_init((int)RTE_DIM(eal), eal) >= 0);
	fz.trace = getenv("LM_FUZZ_PACKET_TRACE") != NULL;
	fz.pool = rte_pktmbuf_pool_create("fuzz_pool", POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	fz.rx = rte_ring_create("fuzz_rx", RING_SIZE, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	fz.tx = rte_ring_create("fuzz_tx", RING_SIZE, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	FUZZ_CHECK(fz.pool != NULL && fz.rx != NULL && fz.tx != NULL);
	port = rte_eth_from_rings("lmfuzz", &fz.rx, 1, &fz.tx, 1,
				  rte_socket_id());
	FUZZ_CHECK(port >= 0);
	fz.port = (uint16_t)port;
	FUZZ_CHECK(lm_port_setup(fz.port, 1, fz.pool, &fz.nif, err,
				 sizeof(err)) == 0);
	fz.nif.ip = rte_cpu_to_be_32(OUR_IP);
	fz.nif.mask = rte_cpu_to_be_32(0xffffff00);
	fz.nif.gateway = 0;
	fz.plan.n_ports = 1;
	fz.plan.ports[0].ip = OUR_IP;
	fz.plan.ports[0].prefix = 24;
	fz.plan.target.ip = OUR_IP + 1;
	fz.plan.target.port = 80;

	lm_stats_layout_init(&layout, 1, 1, 1);
	fz.stats_area = aligned_alloc(64, RTE_ALIGN_CEIL(layout.slot_size, 64));
	fz.w = aligned_alloc(64, RTE_ALIGN_CEIL(sizeof(*fz.w), 64));
	FUZZ_CHECK(fz.stats_area != NULL && fz.w != NULL);
	memset(fz.stats_area, 0, layout.slot_size);
	lm_stats_slot(&layout, fz.stats_area, 0, &view);
	lm_stats_slot_init(&layout, &view);
	FUZZ_CHECK(lm_worker_init(fz.w, 0, 1, rte_lcore_id(), &fz.plan,
				  &fz.nif, 1, fz.pool, &view, 0x5eedULL) == 0);
	fz.w->rxq[0] = 0;
	fz.w->txq[0].queue_id = 0;
	FUZZ_CHECK(lm_tcp_init(fz.w, N_TCBS, fz.nif.mtu) == 0);
	FUZZ_CHECK(lm_tcp_listen(fz.w, 0, LISTEN_PORT, &fuzz_ops, NULL) == 0);
	fz.rng0 = fz.w->rng;
	fz.next_port0 = fz.w->tcp.next_port;
	return 0;
}

static struct rte_mbuf *
frame_mbuf(const uint8_t *frame, size_t len, size_t split)
{
	struct rte_mbuf *m, *m2;
	char *d;

	if (split == 0 || split >= len)
		split = len;
	m = rte_pktmbuf_alloc(fz.pool);
	FUZZ_CHECK(m != NULL);
	d = rte_pktmbuf_append(m, (uint16_t)split);
	FUZZ_CHECK(d != NULL);
	memcpy(d, frame, split);
	if (split < len) {
		m2 = rte_pktmbuf_alloc(fz.pool);
		FUZZ_CHECK(m2 != NULL);
		d = rte_pktmbuf_append(m2, (uint16_t)(len - split));
		FUZZ_CHECK(d != NULL);
		memcpy(d, frame + split, len - split);
		FUZZ_CHECK(rte_pktmbuf_chain(m, m2) == 0);
	}
	return m;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The rest of a pass of the worker loop; what it sent goes nowhere. */
static void
step(void)
{
	struct lm_worker *w = fz.w;
	struct rte_mbuf *m;

	lm_wheel_expire(&w->wheel, w->now, 512, fire_timer, w);
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	while (rte_ring_dequeue(fz.tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
}

static void
input_frame(const uint8_t *frame, size_t len, size_t split, bool ours)
{
	struct rte_mbuf *m = frame_mbuf(frame, len, split);

	if (ours && rte_pktmbuf_data_len(m) >= RTE_ETHER_ADDR_LEN)
		memcpy(rte_pktmbuf_mtod(m, void *), &fz.nif.mac,
		       RTE_ETHER_ADDR_LEN);
	lm_worker_input(fz.w, 0, m);
}

static struct lm_tcb *
conn_tcb(const struct conn *c)
{
	if (!c->open)
		return NULL;
	return lm_tcb_lookup(fz.w, rte_cpu_to_be_32(OUR_IP),
			     rte_cpu_to_be_32(PEER_IP),
			     rte_cpu_to_be_16(c->lport),
			     rte_cpu_to_be_16(c->rport));
}

/* The connection's numbers as the TCB has them now, if it is there. */
static struct lm_tcb *
conn_sync(struct conn *c)
{
	struct lm_tcb *tcb = conn_tcb(c);

	if (tcb != NULL) {
		c->rcv_nxt = tcb->rcv_nxt;
		c->snd_nxt = tcb->snd_nxt;
	}
	return tcb;
}

/*
 * A TCP segment from the peer to c (Ethernet, IPv4, TCP, checksums right),
 * given to the worker.
 */
static void
peer_segment(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	     uint16_t win, const uint8_t *opt, size_t optlen,
	     const uint8_t *payload, size_t len, size_t split)
{
	uint8_t b[MAX_FRAME];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ih + 1);
	size_t hl = sizeof(*th) + ((optlen + 3) & ~(size_t)3);
	size_t flen = sizeof(*eh) + sizeof(*ih) + hl + len;

	if (flen > sizeof(b))
		return;
	memset(b, 0, sizeof(*eh) + sizeof(*ih) + hl);
	eh->dst_addr = fz.nif.mac;
	eh->src_addr = peer_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ih->version_ihl = 0x45;
	ih->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ih) + hl + len));
	ih->packet_id = rte_cpu_to_be_16(fz.ip_id++);
	ih->time_to_live = 64;
	ih->next_proto_id = IPPROTO_TCP;
	ih->src_addr = rte_cpu_to_be_32(PEER_IP);
	ih->dst_addr = rte_cpu_to_be_32(OUR_IP);
	th->src_port = rte_cpu_to_be_16(c->rport);
	th->dst_port = rte_cpu_to_be_16(c->lport);
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = rte_cpu_to_be_32(ack);
	th->data_off = (uint8_t)((hl / 4) << 4);
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(win);
	if (optlen > 0)         /* the padding is zeros: EOL */
		memcpy(th + 1, opt, optlen);
	if (len > 0)
		memcpy((uint8_t *)th + hl, payload, len);
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	th->cksum = rte_ipv4_udptcp_cksum(ih, th);
	input_frame(b, flen, split, false);
}

/* The options of the peer's SYN or SYN-ACK. */
static size_t
handshake_opts(const struct peer_opts *po, uint8_t *o)
{
	size_t n = 0;

	if (po->which & 1) {
		o[n++] = 2;
		o[n++] = 4;
		o[n++] = (uint8_t)(po->mss >> 8);
		o[n++] = (uint8_t)po->mss;
	}
	if (po->which & 2) {
		o[n++] = 1;
		o[n++] = 3;
		o[n++] = 3;
		o[n++] = po->wscale;
	}
	if (po->which & 4) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 4;
		o[n++] = 2;
	}
	if (po->which & 8) {
		o[n++] = 1;
		o[n++] = 1;
		o[n++] = 8;
		o[n++] = 10;
		memset(o + n, 0, 8);
		o[n + 3] = 1;           /* TSval 1, TSecr 0 */
		n += 8;
	}
	return n;
}

/* An ARP reply from the peer: our next hop is known. */
static void
peer_arp(void)
{
	uint8_t b[sizeof(struct rte_ether_hdr) + sizeof(struct rte_arp_hdr)];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_arp_hdr *ah = (struct rte_arp_hdr *)(eh + 1);

	memset(b, 0, sizeof(b));
	eh->dst_addr = fz.nif.mac;
	eh->src_addr = peer_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	ah->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	ah->arp_data.arp_sha = peer_mac;
	ah->arp_data.arp_sip = rte_cpu_to_be_32(PEER_IP);
	ah->arp_data.arp_tha = fz.nif.mac;
	ah->arp_data.arp_tip = rte_cpu_to_be_32(OUR_IP);
	input_frame(b, sizeof(b), 0, false);
}

/* The peer opens a connection to our listener: SYN, our SYN-ACK, ACK. */
static void
open_passive(struct conn *c, const struct peer_opts *po, bool finish)
{
	uint8_t o[40];
	size_t n = handshake_opts(po, o);
	const uint32_t irs = 0x10000000;

	c->open = true;
	c->lport = LISTEN_PORT;
	c->rport = PEER_PORT;
	peer_segment(c, RTE_TCP_SYN_FLAG, irs, 0, 65535, o, n, NULL, 0, 0);
	step();
	if (conn_sync(c) == NULL || !finish)
		return;
	peer_segment(c, RTE_TCP_ACK_FLAG, irs + 1, c->snd_nxt, 65535, NULL, 0,
		     NULL, 0, 0);
	step();
	conn_sync(c);
}

/* We open a connection to the peer: our SYN, its SYN-ACK, our ACK. */
static void
open_active(struct conn *c, const struct peer_opts *po, bool finish)
{
	uint8_t o[40];
	size_t n = handshake_opts(po, o);
	struct lm_tcb *tcb;
	int err = 0;

	tcb = lm_tcp_connect(fz.w, 0, rte_cpu_to_be_32(PEER_IP),
			     rte_cpu_to_be_16(LISTEN_PORT), &fuzz_ops,
			     &app_dummy, &err);
	FUZZ_CHECK(tcb != NULL);
	c->open = true;
	c->lport = rte_be_to_cpu_16(tcb->lport);
	c->rport = LISTEN_PORT;
	step();
	if (conn_sync(c) == NULL || !finish)
		return;
	peer_segment(c, RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG, 0x20000000,
		     c->snd_nxt, 65535, o, n, NULL, 0, 0);
	step();
	conn_sync(c);
}

/*
 * An ICMP error from the peer about a segment of c's: the quote is the
 * IPv4 header and the first 8 bytes of the TCP header we sent (RFC 792).
 */
static void
peer_icmp(const struct conn *c, uint8_t type, uint8_t code, uint32_t seq,
	  uint16_t mtu, size_t split)
{
	uint8_t b[sizeof(struct rte_ether_hdr) + 2 * sizeof(struct rte_ipv4_hdr) +
		  8 + 8];
	struct rte_ether_hdr *eh = (struct rte_ether_hdr *)b;
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)(eh + 1);
	uint8_t *icmp = (uint8_t *)(ih + 1);
	struct rte_ipv4_hdr *qh = (struct rte_ipv4_hdr *)(icmp + 8);
	uint8_t *qt = (uint8_t *)(qh + 1);
	uint16_t cs;

	memset(b, 0, sizeof(b));
	eh->dst_addr = fz.nif.mac;
	eh->src_addr = peer_mac;
	eh->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	ih->version_ihl = 0x45;
	ih->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(b) - sizeof(*eh)));
	ih->packet_id = rte_cpu_to_be_16(fz.ip_id++);
	ih->time_to_live = 64;
	ih->next_proto_id = IPPROTO_ICMP;
	ih->src_addr = rte_cpu_to_be_32(PEER_IP);
	ih->dst_addr = rte_cpu_to_be_32(OUR_IP);
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	icmp[0] = type;
	icmp[1] = code;
	icmp[6] = (uint8_t)(mtu >> 8);
	icmp[7] = (uint8_t)mtu;
	qh->version_ihl = 0x45;
	qh->total_length = rte_cpu_to_be_16(40);
	qh->time_to_live = 64;
	qh->next_proto_id = IPPROTO_TCP;
	qh->src_addr = rte_cpu_to_be_32(OUR_IP);
	qh->dst_addr = rte_cpu_to_be_32(PEER_IP);
	qh->hdr_checksum = rte_ipv4_cksum(qh);
	qt[0] = (uint8_t)(c->lport >> 8);
	qt[1] = (uint8_t)c->lport;
	qt[2] = (uint8_t)(c->rport >> 8);
	qt[3] = (uint8_t)c->rport;
	qt[4] = (uint8_t)(seq >> 24);
	qt[5] = (uint8_t)(seq >> 16);
	qt[6] = (uint8_t)(seq >> 8);
	qt[7] = (uint8_t)seq;
	cs = rte_raw_cksum(icmp, sizeof(b) - sizeof(*eh) - sizeof(*ih));
	cs = (uint16_t)~cs;
	memcpy(icmp + 2, &cs, 2);       /* the sum is in memory order */
	input_frame(b, sizeof(b), split, false);
}

/* One record; returns the bytes it took (0: the input is over). */
static size_t
play(struct conn *c, const uint8_t *d, size_t size)
{
	uint8_t op, cut;
	size_t len, used = 2, split;
	struct lm_tcb *tcb;

	if (size < 2)
		return 0;
	op = d[0] & 7;
	cut = d[0] >> 3;
	switch (op) {
	case 0: /* RAW */
		if (size < 5)
			return 0;
		len = get16(d + 2);
		if (len > size - 5)
			len = size - 5;
		if (len > RTE_MBUF_DEFAULT_DATAROOM)
			len = RTE_MBUF_DEFAULT_DATAROOM;
		if (len > 0)
			input_frame(d + 5, len, cut * len / 32, d[4] & 1);
		used = 5 + len;
		break;
	case 1: { /* SEG */
		const uint8_t *opt;
		size_t optlen;
		uint32_t seq, ack;

		if (size < 10)
			return 0;
		optlen = d[9] <= 40 ? d[9] : 40;
		if (size < 10 + optlen + 2)
			return 0;
		opt = d + 10;
		len = get16(d + 10 + optlen);
		used = 12 + optlen;
		if (len > size - used)
			len = size - used;
		if (len > 1460)
			len = 1460;
		conn_sync(c);
		seq = c->rcv_nxt + (uint32_t)(int32_t)(int16_t)get16(d + 3);
		ack = c->snd_nxt + (uint32_t)(int32_t)(int16_t)get16(d + 5);
		split = cut * (54 + optlen + len) / 32;
		if (c->open)
			peer_segment(c, d[2], seq, ack, get16(d + 7), opt,
				     optlen, d + used, len, split);
		used += len;
		break;
	}
	case 2: /* SEND */
		if (size < 4)
			return 0;
		tcb = conn_sync(c);
		if (tcb != NULL && tcb->app != NULL)
			lm_tcp_send(fz.w, tcb, get16(d + 2));
		used = 4;
		break;
	case 3: /* CLOSE */
		tcb = conn_sync(c);
		if (tcb != NULL && tcb->app != NULL)
			lm_tcp_close(fz.w, tcb);
		break;
	case 4: /* ABORT */
		tcb = conn_sync(c);
		if (tcb != NULL && tcb->app != NULL)
			lm_tcp_abort(fz.w, tcb);
		break;
	case 5: { /* ICMP */
		uint32_t una;

		if (size < 8)
			return 0;
		tcb = conn_sync(c);
		una = tcb != NULL ? tcb->snd_una : c->snd_nxt;
		if (c->open)
			peer_icmp(c, d[2], d[3], una +
				  (uint32_t)(int32_t)(int16_t)get16(d + 4),
				  get16(d + 6), cut * 70 / 32);
		used = 8;
		break;
	}
	default:
		break;
	}
	fz.w->now += (uint64_t)d[1] * rte_get_tsc_hz() / 100;
	step();
	if (fz.trace) {
		tcb = conn_tcb(c);
		fprintf(stderr, "op %u: %s %d, %u TCBs, %u mbufs out\n", op,
			tcb != NULL ? "state" : "no connection",
			tcb != NULL ? tcb->state : -1, fz.w->tcp.n_used,
			fz.pool->size - rte_mempool_avail_count(fz.pool));
	}
	return used;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lm_worker *w = fz.w;
	struct conn c = { .open = false };
	struct peer_opts po;
	size_t used;

	if (size < 4)
		return 0;
	/* a clean worker: no connection (the last input's are freed), no
	 * next hop known, the same ISS and source ports */
	memset(&w->arp, 0, sizeof(w->arp));
	w->rng = fz.rng0;
	w->tcp.next_port = fz.next_port0;
	po.which = data[1];
	po.mss = (uint16_t)(536 + 8 * data[2]);
	po.wscale = data[3] & 15;
	if (data[0] % 5 != 0)
		peer_arp();
	if (data[0] % 5 == 1 || data[0] % 5 == 4)
		open_passive(&c, &po, data[0] % 5 == 1);
	else if (data[0] % 5 == 2 || data[0] % 5 == 3)
		open_active(&c, &po, data[0] % 5 == 2);
	data += 4;
	size -= 4;
	for (int i = 0; i < MAX_RECORDS && size > 0; i++) {
		used = play(&c, data, size);
		if (used == 0)
			break;
		data += used;
		size -= used;
	}
	/*
	 * The end of a run: every TCB freed, and with them what they hold.
	 * Then every mbuf must be back in the pool (it has no per-lcore
	 * cache: the count is exact).
	 */
	lm_tcp_release_all(w);
	step();
	FUZZ_CHECK(w->tcp.n_used == 0);
	if (rte_mempool_avail_count(fz.pool) != fz.pool->size) {
		fprintf(stderr, "mbuf leak: %u of %u mbufs not returned\n",
			fz.pool->size - rte_mempool_avail_count(fz.pool),
			fz.pool->size);
		abort();
	}
	return 0;
}
