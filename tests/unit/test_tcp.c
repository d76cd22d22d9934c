/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the userspace TCP (dataplane/tcp/) and the layers under it
 * (Ethernet, ARP, IPv4, ICMP), run through the real worker code over a DPDK
 * net_ring port.
 *
 * The test plays the peer (198.18.0.2:80, RFC 2544 benchmarking range):
 * it crafts Ethernet/IPv4/TCP frames byte by byte (its own checksum code,
 * independent of DPDK's), puts them on the port's RX ring, runs one pass of
 * the worker loop, takes what the worker sent off the TX ring and parses it
 * into a struct that the tests check field by field (flags, sequence and
 * acknowledgment numbers, window, options, payload, both checksums).
 *
 * Time is virtual: pass() does what lm_worker_poll() does (RX burst ->
 * input -> timers -> application -> pending ACKs -> TX flush) but with
 * w->now taken from a clock the test advances, so retransmission timers of
 * minutes run in microseconds and every test is deterministic.
 * lm_worker_poll() itself (which reads the TSC) drives the tests that need
 * no timer (ARP, ICMP, segments for no connection).
 *
 * The application is a recorder: it counts the callbacks, keeps the bytes it
 * receives, and fill() produces byte (off * 7 + 3) & 0xff at stream offset
 * off, so any (re)transmitted payload can be checked byte for byte. The
 * peer's payload is (off * 13 + 5) & 0xff at its own stream offset.
 *
 * Each test says which RFC requirement it checks.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_icmp.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_tcp.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "worker.h"
#include "net/arp.h"
#include "net/eth.h"
#include "net/port.h"
#include "tcp/tcp.h"

#define N_WORKERS 3          /* the worker under test is worker 1 of 3 */
#define WORKER_ID 1
#define N_TCBS 16
#define POOL_SIZE 1023
#define RING_SIZE 1024
#define MAX_OUT 64           /* frames one pass may send */
#define MAX_FRAME 2048
#define RX_MAX 65536         /* bytes the recorder app keeps */
#define TIMER_BUDGET 512     /* as the worker loop */
#define APP_BUDGET 256

/* not RTE_IPV4: in DPDK 22.11 it shifts an int, undefined for a >= 128 */
#define IP4(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
			 (uint32_t)(c) << 8 | (uint32_t)(d))
#define OUR_IP IP4(198, 18, 0, 1)
#define PEER_IP IP4(198, 18, 0, 2)
#define OTHER_IP IP4(198, 18, 0, 3)
#define STRANGER_IP IP4(198, 18, 0, 4)
#define PEER_PORT 80
#define OUR_MSS 1460         /* MTU 1500 - 40 (RFC 6691) */
#define WND_MAX 65535

#define TH_FIN RTE_TCP_FIN_FLAG
#define TH_SYN RTE_TCP_SYN_FLAG
#define TH_RST RTE_TCP_RST_FLAG
#define TH_PSH RTE_TCP_PSH_FLAG
#define TH_ACK RTE_TCP_ACK_FLAG

#define MS 1000ull           /* microseconds */
#define SEC 1000000ull

static const struct rte_ether_addr peer_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
static const struct rte_ether_addr other_mac = {{ 0x02, 0, 0, 0, 0, 0x03 }};
static const struct rte_ether_addr stranger_mac = {{ 0x02, 0, 0, 0, 0, 0x04 }};
static const struct rte_ether_addr zero_mac = {{ 0 }};
static const struct rte_ether_addr bcast_mac = {{ 0xff, 0xff, 0xff, 0xff,
						  0xff, 0xff }};

/* ------------------------------------------------------------------ */
/* A frame the worker sent, parsed. Numbers in host order. */

struct out_frame {
	uint8_t raw[MAX_FRAME];
	uint32_t len;
	struct rte_ether_addr eth_dst;
	struct rte_ether_addr eth_src;
	uint16_t ether_type;
	/* ARP */
	uint16_t arp_op;
	struct rte_ether_addr arp_sha;
	struct rte_ether_addr arp_tha;
	uint32_t arp_sip;
	uint32_t arp_tip;
	/* IPv4 */
	uint32_t ip_src;
	uint32_t ip_dst;
	uint8_t proto;
	uint8_t ttl;
	uint16_t ip_frag;            /* flags and fragment offset */
	bool ip_csum_ok;
	/* TCP */
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint32_t optlen;
	const uint8_t *opts;
	bool tcp_csum_ok;
	/* ICMP */
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;
	uint16_t icmp_seq;
	bool icmp_csum_ok;
	/* TCP payload, or ICMP echo data */
	uint32_t paylen;
	const uint8_t *payload;
};

/* The recording application on top of a connection. */
struct app {
	unsigned int n_connected;
	unsigned int n_recv;
	unsigned int n_peer_closed;
	unsigned int n_closed;
	unsigned int n_fill;
	int why;                     /* enum lm_tcp_end of closed() */
	uint32_t last_recv_len;
	uint32_t rx_len;
	uint8_t rx[RX_MAX];
};

/* A connection as the test sees it. */
struct conn {
	struct app app;
	struct lm_tcb *tcb;
	uint16_t lport;              /* host order */
	uint32_t iss;                /* ours, read off the SYN */
	uint32_t irs;                /* the peer's ISS, chosen by the test */
};

/* Our sequence number of stream offset off, and the peer's. */
#define SND(c, off) ((uint32_t)((c)->iss + 1u + (uint32_t)(off)))
#define RCV(c, off) ((uint32_t)((c)->irs + 1u + (uint32_t)(off)))

static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx;         /* what the port receives: we enqueue */
	struct rte_ring *tx;         /* what the port sends: we dequeue */
	uint16_t port;
	bool port_up;
	struct lm_netif nif;
	struct lm_plan plan;
	void *stats_area;
	struct lm_worker *w;
	uint64_t now;                /* virtual TSC */
	uint64_t arp_at;             /* virtual TSC of the last ARP refresh */
	uint16_t ip_id;
	unsigned int pool_avail;     /* free mbufs once set up: leak check */
	struct out_frame out[MAX_OUT];
	unsigned int n_out;
} env;

static struct conn conns[4];

/* ------------------------------------------------------------------ */
/* Bytes and checksums (RFC 1071), written here, not taken from DPDK. */

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	for (; len > 1; p += 2, len -= 2)
		sum += get16(p);
	if (len)
		sum += (uint32_t)p[0] << 8;
	return sum;
}

static uint16_t
fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/* Sum of the TCP pseudo-header (RFC 9293 3.1). */
static uint32_t
pseudo_sum(uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4len)
{
	return (src >> 16) + (src & 0xffff) + (dst >> 16) + (dst & 0xffff) +
		proto + l4len;
}

static inline uint8_t
our_byte(uint32_t off)
{
	return (uint8_t)(off * 7 + 3);
}

static inline uint8_t
peer_byte(uint32_t off)
{
	return (uint8_t)(off * 13 + 5);
}

/* ------------------------------------------------------------------ */
/* The recording application. */

static void
app_connected(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct app *a = tcb->app;

	a->n_connected++;
}

static void
app_recv(struct lm_worker *w, struct lm_tcb *tcb, const uint8_t *data,
	 uint32_t len)
{
	struct app *a = tcb->app;

	a->n_recv++;
	a->last_recv_len = len;
	for (uint32_t i = 0; i < len; i++, a->rx_len++)
		if (a->rx_len < RX_MAX)
			a->rx[a->rx_len] = data[i];
}

static void
app_peer_closed(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct app *a = tcb->app;

	a->n_peer_closed++;
}

static void
app_closed(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
	struct app *a = tcb->app;

	a->n_closed++;
	a->why = (int)why;
}

static void
app_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off, uint8_t *dst,
	 uint32_t len)
{
	struct app *a = tcb->app;

	a->n_fill++;
	for (uint32_t i = 0; i < len; i++)
		dst[i] = our_byte(off + i);
}

static const struct lm_tcp_ops test_ops = {
	.connected = app_connected,
	.recv = app_recv,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
	.fill = app_fill,
};

/* Whether the app received exactly the peer's stream bytes [0, rx_len). */
static bool
rx_intact(const struct app *a)
{
	for (uint32_t i = 0; i < a->rx_len && i < RX_MAX; i++)
		if (a->rx[i] != peer_byte(i))
			return false;
	return true;
}

/* ------------------------------------------------------------------ */
/* Frames from the peer. */

/*
 * Pad to the Ethernet minimum with junk (the stack must go by the IP
 * length), copy into one mbuf, or two when split (the offset in the frame
 * where the second begins).
 */
static struct rte_mbuf *
frame_mbuf(uint8_t *frame, uint32_t len, uint32_t split)
{
	struct rte_mbuf *m, *m2;
	char *d;

	for (; len < RTE_ETHER_MIN_LEN - RTE_ETHER_CRC_LEN; len++)
		frame[len] = 0xaa;
	if (split == 0 || split >= len)
		split = len;
	m = rte_pktmbuf_alloc(env.pool);
	assert_non_null(m);
	d = rte_pktmbuf_append(m, (uint16_t)split);
	assert_non_null(d);
	memcpy(d, frame, split);
	if (split < len) {
		m2 = rte_pktmbuf_alloc(env.pool);
		assert_non_null(m2);
		d = rte_pktmbuf_append(m2, (uint16_t)(len - split));
		assert_non_null(d);
		memcpy(d, frame + split, len - split);
		assert_int_equal(rte_pktmbuf_chain(m, m2), 0);
	}
	return m;
}

/* Put a frame on the port's RX ring. */
static void
inject(uint8_t *frame, uint32_t len, uint32_t split)
{
	assert_int_equal(rte_ring_enqueue(env.rx, frame_mbuf(frame, len,
							      split)), 0);
}

static uint32_t
build_eth(uint8_t *b, const struct rte_ether_addr *dst,
	  const struct rte_ether_addr *src, uint16_t type)
{
	memcpy(b, dst->addr_bytes, RTE_ETHER_ADDR_LEN);
	memcpy(b + 6, src->addr_bytes, RTE_ETHER_ADDR_LEN);
	put16(b + 12, type);
	return RTE_ETHER_HDR_LEN;
}

static uint32_t
build_ipv4(uint8_t *b, uint32_t src, uint32_t dst, uint8_t proto,
	   uint32_t l4len, bool bad_csum)
{
	uint16_t cs;

	b[0] = 0x45;
	b[1] = 0;
	put16(b + 2, (uint16_t)(20 + l4len));
	put16(b + 4, env.ip_id++);
	put16(b + 6, 0x4000);        /* DF */
	b[8] = 64;
	b[9] = proto;
	put16(b + 10, 0);
	put32(b + 12, src);
	put32(b + 16, dst);
	cs = (uint16_t)~fold(sum16(b, 20, 0));
	if (bad_csum)
		cs ^= 0x5a5a;
	put16(b + 10, cs);
	return 20;
}

/* A TCP segment from the peer. */
struct seg {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;
	uint16_t win;
	uint16_t mss;                /* 0: no MSS option */
	uint32_t len;                /* payload: peer_byte() from data_off */
	uint32_t data_off;
	uint32_t split;              /* payload bytes in mbuf 1; 0: one mbuf */
	bool bad_tcp_csum;
	bool bad_ip_csum;
};

static void
peer_send(const struct seg *s)
{
	uint8_t b[MAX_FRAME];
	uint32_t optlen = s->mss ? 4 : 0;
	uint32_t l4len = 20 + optlen + s->len;
	uint8_t *th;
	uint32_t off;
	uint16_t cs;

	assert_true(RTE_ETHER_HDR_LEN + 20 + l4len <= sizeof(b));
	off = build_eth(b, &env.nif.mac, &peer_mac, RTE_ETHER_TYPE_IPV4);
	off += build_ipv4(b + off, PEER_IP, OUR_IP, IPPROTO_TCP, l4len,
			  s->bad_ip_csum);
	th = b + off;
	put16(th, s->sport);
	put16(th + 2, s->dport);
	put32(th + 4, s->seq);
	put32(th + 8, s->ack);
	th[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	th[13] = s->flags;
	put16(th + 14, s->win);
	put16(th + 16, 0);
	put16(th + 18, 0);
	if (s->mss) {
		th[20] = 2;
		th[21] = 4;
		put16(th + 22, s->mss);
	}
	for (uint32_t i = 0; i < s->len; i++)
		th[20 + optlen + i] = peer_byte(s->data_off + i);
	cs = (uint16_t)~fold(sum16(th, l4len,
				   pseudo_sum(PEER_IP, OUR_IP, IPPROTO_TCP,
					      l4len)));
	if (s->bad_tcp_csum)
		cs ^= 0x1234;
	put16(th + 16, cs);
	inject(b, off + l4len, s->split ? off + 20 + optlen + s->split : 0);
}

/* A segment of c from the peer; the payload is the peer's stream at seq. */
static void
peer_seg(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
	 uint16_t win, uint32_t len)
{
	struct seg s = {
		.sport = PEER_PORT, .dport = c->lport, .seq = seq, .ack = ack,
		.flags = flags, .win = win, .len = len,
		.data_off = seq - (c->irs + 1),
	};

	peer_send(&s);
}

static struct rte_mbuf *
arp_mbuf(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
	 const struct rte_ether_addr *tha, uint32_t tip,
	 const struct rte_ether_addr *eth_dst)
{
	uint8_t b[MAX_FRAME];
	uint32_t off = build_eth(b, eth_dst, sha, RTE_ETHER_TYPE_ARP);

	put16(b + off, RTE_ARP_HRD_ETHER);
	put16(b + off + 2, RTE_ETHER_TYPE_IPV4);
	b[off + 4] = RTE_ETHER_ADDR_LEN;
	b[off + 5] = 4;
	put16(b + off + 6, op);
	memcpy(b + off + 8, sha->addr_bytes, RTE_ETHER_ADDR_LEN);
	put32(b + off + 14, sip);
	memcpy(b + off + 18, tha->addr_bytes, RTE_ETHER_ADDR_LEN);
	put32(b + off + 24, tip);
	return frame_mbuf(b, off + 28, 0);
}

static void
inject_arp(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
	   const struct rte_ether_addr *tha, uint32_t tip,
	   const struct rte_ether_addr *eth_dst)
{
	assert_int_equal(rte_ring_enqueue(env.rx, arp_mbuf(op, sha, sip, tha,
							    tip, eth_dst)), 0);
}

static void
inject_echo(uint16_t id, uint16_t seq, uint32_t len, bool bad_csum)
{
	uint8_t b[MAX_FRAME];
	uint32_t off = build_eth(b, &env.nif.mac, &peer_mac,
				 RTE_ETHER_TYPE_IPV4);
	uint8_t *ic;
	uint16_t cs;

	off += build_ipv4(b + off, PEER_IP, OUR_IP, IPPROTO_ICMP, 8 + len,
			  false);
	ic = b + off;
	ic[0] = RTE_IP_ICMP_ECHO_REQUEST;
	ic[1] = 0;
	put16(ic + 2, 0);
	put16(ic + 4, id);
	put16(ic + 6, seq);
	for (uint32_t i = 0; i < len; i++)
		ic[8 + i] = (uint8_t)(i * 31 + 1);
	cs = (uint16_t)~fold(sum16(ic, 8 + len, 0));
	if (bad_csum)
		cs ^= 0x00ff;
	put16(ic + 2, cs);
	inject(b, off + 8 + len, 0);
}

/* ------------------------------------------------------------------ */
/* Frames from the worker. */

static void
parse_frame(struct out_frame *f)
{
	const uint8_t *b = f->raw;
	const uint8_t *ih, *l4;
	uint32_t tot, l4len, thlen;

	assert_true(f->len >= RTE_ETHER_HDR_LEN);
	memcpy(f->eth_dst.addr_bytes, b, RTE_ETHER_ADDR_LEN);
	memcpy(f->eth_src.addr_bytes, b + 6, RTE_ETHER_ADDR_LEN);
	f->ether_type = get16(b + 12);
	/* everything the worker sends comes from its port's address */
	assert_true(rte_is_same_ether_addr(&f->eth_src, &env.nif.mac));
	if (f->ether_type == RTE_ETHER_TYPE_ARP) {
		const uint8_t *a = b + RTE_ETHER_HDR_LEN;

		assert_true(f->len >= RTE_ETHER_HDR_LEN + 28);
		assert_int_equal(get16(a), RTE_ARP_HRD_ETHER);
		assert_int_equal(get16(a + 2), RTE_ETHER_TYPE_IPV4);
		f->arp_op = get16(a + 6);
		memcpy(f->arp_sha.addr_bytes, a + 8, RTE_ETHER_ADDR_LEN);
		f->arp_sip = get32(a + 14);
		memcpy(f->arp_tha.addr_bytes, a + 18, RTE_ETHER_ADDR_LEN);
		f->arp_tip = get32(a + 24);
		return;
	}
	assert_int_equal(f->ether_type, RTE_ETHER_TYPE_IPV4);
	ih = b + RTE_ETHER_HDR_LEN;
	assert_true(f->len >= RTE_ETHER_HDR_LEN + 20);
	assert_int_equal(ih[0], 0x45);
	tot = get16(ih + 2);
	assert_true(tot >= 20 && RTE_ETHER_HDR_LEN + tot <= f->len);
	f->ip_frag = get16(ih + 6);
	f->ttl = ih[8];
	f->proto = ih[9];
	f->ip_src = get32(ih + 12);
	f->ip_dst = get32(ih + 16);
	f->ip_csum_ok = fold(sum16(ih, 20, 0)) == 0xffff;
	l4 = ih + 20;
	l4len = tot - 20;
	if (f->proto == IPPROTO_TCP) {
		assert_true(l4len >= 20);
		thlen = (uint32_t)(l4[12] >> 4) * 4;
		assert_true(thlen >= 20 && thlen <= l4len);
		f->sport = get16(l4);
		f->dport = get16(l4 + 2);
		f->seq = get32(l4 + 4);
		f->ack = get32(l4 + 8);
		f->flags = l4[13];
		f->win = get16(l4 + 14);
		f->optlen = thlen - 20;
		f->opts = l4 + 20;
		f->payload = l4 + thlen;
		f->paylen = l4len - thlen;
		f->tcp_csum_ok = fold(sum16(l4, l4len,
				pseudo_sum(f->ip_src, f->ip_dst, IPPROTO_TCP,
					   l4len))) == 0xffff;
	} else if (f->proto == IPPROTO_ICMP) {
		assert_true(l4len >= 8);
		f->icmp_type = l4[0];
		f->icmp_code = l4[1];
		f->icmp_id = get16(l4 + 4);
		f->icmp_seq = get16(l4 + 6);
		f->icmp_csum_ok = fold(sum16(l4, l4len, 0)) == 0xffff;
		f->payload = l4 + 8;
		f->paylen = l4len - 8;
	}
}

/* Take everything the worker sent off the TX ring, free it and parse it. */
static void
collect(void)
{
	void *objs[MAX_OUT];
	unsigned int n = rte_ring_dequeue_burst(env.tx, objs, MAX_OUT, NULL);

	env.n_out = 0;
	for (unsigned int i = 0; i < n; i++) {
		struct rte_mbuf *m = objs[i];
		struct out_frame *f = &env.out[env.n_out++];
		uint32_t len = rte_pktmbuf_pkt_len(m);
		const void *p;

		/* everything but the raw bytes */
		memset(&f->len, 0,
		       sizeof(*f) - offsetof(struct out_frame, len));
		f->len = len < MAX_FRAME ? len : MAX_FRAME;
		p = rte_pktmbuf_read(m, 0, f->len, f->raw);
		if (p != f->raw && p != NULL)
			memcpy(f->raw, p, f->len);
		rte_pktmbuf_free(m);
	}
	/* more than MAX_OUT frames in one pass is more than any test sends */
	assert_int_equal(rte_ring_count(env.tx), 0);
	for (unsigned int i = 0; i < env.n_out; i++)
		parse_frame(&env.out[i]);
}

/* The one frame the last pass sent (a macro: failures show the caller). */
#define one_out() \
	(assert_int_equal(env.n_out, 1), (const struct out_frame *)&env.out[0])

/* The value of the MSS option, -1 when there is none. */
static int
opt_mss(const struct out_frame *f)
{
	uint32_t i = 0;

	while (i < f->optlen) {
		uint8_t kind = f->opts[i];

		if (kind == 0)
			break;
		if (kind == 1) {
			i++;
			continue;
		}
		if (i + 1 >= f->optlen || f->opts[i + 1] < 2)
			break;
		if (kind == 2 && f->opts[i + 1] == 4)
			return get16(f->opts + i + 2);
		i += f->opts[i + 1];
	}
	return -1;
}

/* Whether f is a valid TCP segment of connection c, to the peer. */
static bool
is_seg_of(const struct out_frame *f, const struct conn *c)
{
	return f->ether_type == RTE_ETHER_TYPE_IPV4 &&
		rte_is_same_ether_addr(&f->eth_dst, &peer_mac) &&
		f->proto == IPPROTO_TCP && f->ip_src == OUR_IP &&
		f->ip_dst == PEER_IP && f->ip_csum_ok && f->tcp_csum_ok &&
		f->sport == c->lport && f->dport == PEER_PORT;
}

/* Whether f's payload is our stream's bytes at its sequence number. */
static bool
payload_ok(const struct out_frame *f, const struct conn *c)
{
	uint32_t off = f->seq - (c->iss + 1);

	for (uint32_t i = 0; i < f->paylen; i++)
		if (f->payload[i] != our_byte(off + i))
			return false;
	return true;
}

/* A TCP segment of c with exactly these flags, numbers and payload size. */
#define assert_seg(f, c, fl, sq, ak, ln) do { \
	assert_true(is_seg_of((f), (c))); \
	assert_int_equal((f)->flags, (fl)); \
	assert_int_equal((f)->seq, (uint32_t)(sq)); \
	assert_int_equal((f)->ack, (uint32_t)(ak)); \
	assert_int_equal((f)->paylen, (ln)); \
} while (0)

/* A data segment of c: ACK (and PSH), the right bytes. */
#define assert_data(f, c, off, ln) do { \
	assert_true(is_seg_of((f), (c))); \
	assert_int_equal((f)->flags & ~TH_PSH, TH_ACK); \
	assert_int_equal((f)->seq, SND((c), (off))); \
	assert_int_equal((f)->paylen, (ln)); \
	assert_true(payload_ok((f), (c))); \
} while (0)

/* ------------------------------------------------------------------ */
/* The worker loop, on virtual time. */

static void
fire_timer(void *ctx, struct lm_timer *t)
{
	/* what the worker's dispatcher does with TCP timers */
	if (t->type == LM_TIMER_TCB)
		lm_tcp_timer_expired(ctx,
				     container_of(t, struct lm_tcb, timer));
}

/*
 * The peer keeps answering ARP: every 30 virtual seconds its reply is fed
 * in again, so the cache entry (60 s) never needs a refresh request in the
 * middle of a test that runs a long backoff.
 */
static void
arp_keep_fresh(void)
{
	struct lm_worker *w = env.w;

	if (env.now - env.arp_at < 30 * w->hz)
		return;
	lm_worker_input(w, 0, arp_mbuf(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP,
				       &env.nif.mac, OUR_IP, &env.nif.mac));
	env.arp_at = env.now;
}

/* One pass of the worker loop at virtual time env.now; parse what it sent. */
static void
pass(void)
{
	struct lm_worker *w = env.w;
	struct rte_mbuf *pkts[LM_RX_BURST];
	uint16_t n;

	w->now = env.now;
	arp_keep_fresh();
	n = rte_eth_rx_burst(w->ifs[0].port_id, w->rxq[0], pkts, LM_RX_BURST);
	for (uint16_t k = 0; k < n; k++)
		lm_worker_input(w, 0, pkts[k]);
	lm_wheel_expire(&w->wheel, w->now, TIMER_BUDGET, fire_timer, w);
	lm_gen_poll(w, APP_BUDGET);
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	collect();
}

/* Let us microseconds pass, then run a pass. */
static void
advance_us(uint64_t us)
{
	env.now += us * env.w->hz / SEC;
	pass();
}

/*
 * The real loop body, lm_worker_poll(), for tests that need no timer. It
 * sets w->now from the TSC, which lags the virtual clock: put the virtual
 * time back, or what the app does next (connect: arm the RTO) would be
 * timed from the past.
 */
static void
real_poll(void)
{
	lm_worker_poll(env.w);
	env.w->now = env.now;
	collect();
}

/* ------------------------------------------------------------------ */
/* Connections. */

static struct lm_tcb *
connect_peer(struct conn *c)
{
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->tcb = lm_tcp_connect(env.w, 0, rte_cpu_to_be_32(PEER_IP),
				rte_cpu_to_be_16(PEER_PORT), &test_ops, &c->app,
				&err);
	assert_non_null(c->tcb);
	assert_int_equal(err, 0);
	return c->tcb;
}

/*
 * Open a connection: connect, take the SYN, answer rtt_us later with a
 * SYN-ACK (peer ISS irs, MSS option mss or none when 0, window win) and
 * take our ACK.
 */
static void
open_conn(struct conn *c, uint32_t irs, uint16_t mss, uint16_t win,
	  uint64_t rtt_us)
{
	const struct out_frame *f;
	struct seg s;

	connect_peer(c);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN);
	c->iss = f->seq;
	c->lport = f->sport;
	c->irs = irs;
	env.now += rtt_us * env.w->hz / SEC;
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport, .seq = irs,
		.ack = c->iss + 1, .flags = TH_SYN | TH_ACK, .win = win,
		.mss = mss };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.n_connected, 1);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	f = one_out();
	assert_seg(f, c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
}

/* Send len bytes at our stream offset off and have the peer ACK them. */
static void
send_acked(struct conn *c, uint32_t off, uint32_t len)
{
	uint32_t got = 0;

	lm_tcp_send(env.w, c->tcb, len);
	pass();
	for (unsigned int i = 0; i < env.n_out; i++) {
		assert_data(&env.out[i], c, off + got, env.out[i].paylen);
		got += env.out[i].paylen;
	}
	assert_int_equal(got, len);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, off + len), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
}

/* ------------------------------------------------------------------ */
/* Set-up and tear-down. */

static int
setup_group(void **state)
{
	char *argv[] = {
		"test_tcp", "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", "--file-prefix=lm_test_tcp",
		"--log-level=error", "-l", "0",
	};
	struct lm_stats_layout layout;
	struct lm_stats_slot_view view;
	char err[256];
	int port, rc;

	rc = rte_eal_init((int)RTE_DIM(argv), argv);
	if (rc < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	env.pool = rte_pktmbuf_pool_create("test_tcp_pool", POOL_SIZE, 0, 0,
					   RTE_MBUF_DEFAULT_BUF_SIZE,
					   (int)rte_socket_id());
	env.rx = rte_ring_create("test_tcp_rx", RING_SIZE, rte_socket_id(),
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	env.tx = rte_ring_create("test_tcp_tx", RING_SIZE, rte_socket_id(),
				 RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (env.pool == NULL || env.rx == NULL || env.tx == NULL) {
		fprintf(stderr, "pool/rings: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	port = rte_eth_from_rings("lmtest", &env.rx, 1, &env.tx, 1,
				  rte_socket_id());
	if (port < 0) {
		fprintf(stderr, "rte_eth_from_rings failed\n");
		return -1;
	}
	env.port = (uint16_t)port;
	rc = lm_port_setup(env.port, 1, env.pool, &env.nif, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "lm_port_setup: %s\n", err);
		return -1;
	}
	env.port_up = true;
	/* net_ring offers no checksum offload: the stack computes them */
	if (env.nif.tx_ip_csum || env.nif.tx_tcp_csum || env.nif.mtu != 1500) {
		fprintf(stderr, "unexpected port: csum offload or MTU %u\n",
			env.nif.mtu);
		return -1;
	}
	env.nif.ip = rte_cpu_to_be_32(OUR_IP);
	env.nif.mask = rte_cpu_to_be_32(0xffffff00);
	env.nif.gateway = 0;

	env.plan.n_ports = 1;
	env.plan.ports[0].ip = OUR_IP;
	env.plan.ports[0].prefix = 24;
	env.plan.target.ip = PEER_IP;
	env.plan.target.port = PEER_PORT;

	lm_stats_layout_init(&layout, 1, 1, 1);
	env.stats_area = aligned_alloc(64,
				       RTE_ALIGN_CEIL(layout.slot_size, 64));
	env.w = aligned_alloc(64, RTE_ALIGN_CEIL(sizeof(*env.w), 64));
	if (env.stats_area == NULL || env.w == NULL)
		return -1;
	memset(env.stats_area, 0, layout.slot_size);
	lm_stats_slot(&layout, env.stats_area, 0, &view);
	lm_stats_slot_init(&layout, &view);

	rc = lm_worker_init(env.w, WORKER_ID, N_WORKERS, rte_lcore_id(),
			    &env.plan, &env.nif, 1, env.pool, &view,
			    UINT64_C(0x5eed1e55));
	if (rc != 0)
		return -1;
	/*
	 * The port has a single queue, as a single-queue virtual device; the
	 * worker is still worker 1 of 3, so that its source ports must carry
	 * its residue (lport % 3 == 1).
	 */
	env.w->rxq[0] = 0;
	env.w->txq[0].queue_id = 0;
	rc = lm_tcp_init(env.w, N_TCBS, env.nif.mtu);
	if (rc != 0)
		return -1;
	env.now = env.w->now;

	/* the peer announces itself: our cache learns its MAC (RFC 826) */
	inject_arp(RTE_ARP_OP_REPLY, &peer_mac, PEER_IP, &env.nif.mac, OUR_IP,
		   &env.nif.mac);
	pass();
	env.arp_at = env.now;
	if (env.n_out != 0 ||
	    !lm_arp_resolved(env.w, 0, rte_cpu_to_be_32(PEER_IP))) {
		fprintf(stderr, "ARP seeding failed\n");
		return -1;
	}
	env.pool_avail = rte_mempool_avail_count(env.pool);
	return 0;
}

static int
teardown_group(void **state)
{
	int rc = 0;

	if (env.w != NULL) {
		lm_worker_fini(env.w);
		free(env.w);
		env.w = NULL;
	}
	if (env.pool != NULL &&
	    rte_mempool_avail_count(env.pool) != env.pool_avail) {
		fprintf(stderr, "mbuf leak: %u free, %u at start\n",
			rte_mempool_avail_count(env.pool), env.pool_avail);
		rc = -1;
	}
	if (env.port_up)
		lm_port_close(env.port);
	rte_ring_free(env.rx);
	rte_ring_free(env.tx);
	rte_mempool_free(env.pool);
	free(env.stats_area);
	rte_eal_cleanup();
	return rc;
}

static int
setup_test(void **state)
{
	memset(conns, 0, sizeof(conns));
	env.n_out = 0;
	return 0;
}

/*
 * Whatever a test left (a failed assertion midway, a TCB in TIME-WAIT) is
 * aborted and drained here, so one failure does not cascade.
 */
static int
teardown_test(void **state)
{
	struct lm_worker *w = env.w;
	struct lm_tcp *t = &w->tcp;
	struct rte_mbuf *m;

	for (uint32_t i = 0; i < t->n_tcbs; i++)
		if (t->tcbs[i].state != LM_TCP_CLOSED)
			lm_tcp_abort(w, &t->tcbs[i]);
	t->syn_retries = LM_TCP_SYN_RETRIES;
	t->data_retries = LM_TCP_DATA_RETRIES;
	t->time_wait_ms = LM_TCP_TIME_WAIT_MS;
	t->fin_wait_2_ms = LM_TCP_FIN_WAIT_2_MS;
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	while (rte_ring_dequeue(env.rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(env.tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	env.n_out = 0;
	return t->n_used == 0 ? 0 : -1;
}

/* ------------------------------------------------------------------ */
/* ARP and ICMP */

/*
 * An ARP request for our address is answered (RFC 826 "packet
 * reception"): op reply, our MAC and IP as sender, the requester as
 * target, sent to the requester's MAC; and the requester is learned.
 * A request for an address not ours gets no answer and teaches nothing.
 */
static void
test_arp_request_answered(void **state)
{
	struct lm_worker *w = env.w;
	const struct out_frame *f;

	assert_false(lm_arp_resolved(w, 0, rte_cpu_to_be_32(OTHER_IP)));
	inject_arp(RTE_ARP_OP_REQUEST, &other_mac, OTHER_IP, &zero_mac, OUR_IP,
		   &bcast_mac);
	real_poll();
	f = one_out();
	assert_int_equal(f->ether_type, RTE_ETHER_TYPE_ARP);
	assert_true(rte_is_same_ether_addr(&f->eth_dst, &other_mac));
	assert_int_equal(f->arp_op, RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&f->arp_sha, &env.nif.mac));
	assert_int_equal(f->arp_sip, OUR_IP);
	assert_true(rte_is_same_ether_addr(&f->arp_tha, &other_mac));
	assert_int_equal(f->arp_tip, OTHER_IP);
	assert_true(lm_arp_resolved(w, 0, rte_cpu_to_be_32(OTHER_IP)));

	inject_arp(RTE_ARP_OP_REQUEST, &stranger_mac, STRANGER_IP, &zero_mac,
		   IP4(198, 18, 0, 9), &bcast_mac);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_false(lm_arp_resolved(w, 0, rte_cpu_to_be_32(STRANGER_IP)));
}

/*
 * An echo request to our address gets an echo reply with the same
 * identifier, sequence number and data (RFC 792; RFC 1122 3.2.2.6), a
 * valid ICMP checksum (even and odd lengths) and a valid IP header,
 * back to the sender's MAC. A request with a bad checksum is dropped.
 */
static void
test_icmp_echo_reply(void **state)
{
	struct lm_worker *w = env.w;
	uint64_t echo0 = w->ctr->icmp_echo;
	static const uint32_t lens[] = { 56, 57 };
	const struct out_frame *f;

	for (unsigned int k = 0; k < RTE_DIM(lens); k++) {
		inject_echo(0x1234, (uint16_t)(7 + k), lens[k], false);
		real_poll();
		f = one_out();
		assert_true(rte_is_same_ether_addr(&f->eth_dst, &peer_mac));
		assert_int_equal(f->ether_type, RTE_ETHER_TYPE_IPV4);
		assert_int_equal(f->proto, IPPROTO_ICMP);
		assert_int_equal(f->ip_src, OUR_IP);
		assert_int_equal(f->ip_dst, PEER_IP);
		assert_true(f->ip_csum_ok);
		assert_int_equal(f->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
		assert_int_equal(f->icmp_code, 0);
		assert_int_equal(f->icmp_id, 0x1234);
		assert_int_equal(f->icmp_seq, 7 + k);
		assert_true(f->icmp_csum_ok);
		assert_int_equal(f->paylen, lens[k]);
		for (uint32_t i = 0; i < lens[k]; i++)
			assert_int_equal(f->payload[i], (uint8_t)(i * 31 + 1));
	}
	assert_int_equal(w->ctr->icmp_echo, echo0 + 2);

	inject_echo(0x1234, 9, 56, true);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->icmp_echo, echo0 + 2);
}

/* ------------------------------------------------------------------ */
/* Opening */

/*
 * lm_tcp_connect sends <SEQ=ISS><CTL=SYN> (RFC 9293 3.5) with the MSS
 * option MTU - 40 = 1460 (RFC 9293 3.7.1, RFC 6691) from a source port of
 * the worker's residue class; two connections get different ports and
 * unpredictable ISNs (RFC 9293 3.4.1, RFC 6528). CLOSE/ABORT in SYN-SENT
 * sends nothing (RFC 9293 3.10.4, 3.10.5). The SYN-ACK completes the
 * handshake: connected() once, <SEQ=ISS+1><ACK=IRS+1><CTL=ACK>. A
 * retransmitted SYN-ACK is answered with the same ACK (3.10.7.4, first
 * check) and no second connected(). The peer's MSS (536) bounds our
 * segments (3.7.1).
 */
static void
test_connect_handshake(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0], *c2 = &conns[1];
	uint32_t used0 = w->tcp.n_used;
	uint64_t opened0 = w->ctr->conn_opened;
	const struct out_frame *f;
	uint32_t irs = 0x31415926;
	struct seg s;

	connect_peer(c);
	assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	pass();
	f = one_out();
	assert_true(rte_is_same_ether_addr(&f->eth_dst, &peer_mac));
	assert_int_equal(f->ip_src, OUR_IP);
	assert_int_equal(f->ip_dst, PEER_IP);
	assert_int_equal(f->proto, IPPROTO_TCP);
	assert_int_equal(f->ttl, 64);
	assert_int_equal(f->ip_frag, 0x4000);        /* DF, no fragment */
	assert_true(f->ip_csum_ok);
	assert_true(f->tcp_csum_ok);
	assert_int_equal(f->dport, PEER_PORT);
	assert_true(f->sport >= 1024);
	assert_int_equal(f->sport % N_WORKERS, WORKER_ID);
	assert_int_equal(f->flags, TH_SYN);
	assert_int_equal(f->ack, 0);
	assert_int_equal(f->seq, c->tcb->iss);
	assert_int_equal(f->win, WND_MAX);
	assert_int_equal(f->paylen, 0);
	assert_int_equal(opt_mss(f), OUR_MSS);
	c->iss = f->seq;
	c->lport = f->sport;
	c->irs = irs;

	connect_peer(c2);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN);
	assert_int_equal(f->sport % N_WORKERS, WORKER_ID);
	assert_int_not_equal(f->sport, c->lport);
	assert_int_not_equal(f->seq, c->iss);
	lm_tcp_abort(w, c2->tcb);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c2->app.n_closed, 0);       /* abort: no callback */
	assert_int_equal(w->tcp.n_used, used0 + 1);

	env.now += 10 * MS * w->hz / SEC;
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport, .seq = irs,
		.ack = c->iss + 1, .flags = TH_SYN | TH_ACK, .win = 8192,
		.mss = 536 };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.n_connected, 1);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(w->ctr->conn_opened, opened0 + 1);
	f = one_out();
	assert_seg(f, c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_int_equal(f->optlen, 0);
	assert_int_equal(f->win, WND_MAX);

	peer_send(&s);
	pass();
	f = one_out();
	assert_seg(f, c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_int_equal(c->app.n_connected, 1);

	lm_tcp_send(w, c->tcb, 1200);
	pass();
	assert_int_equal(env.n_out, 3);
	assert_data(&env.out[0], c, 0, 536);
	assert_data(&env.out[1], c, 536, 536);
	assert_data(&env.out[2], c, 1072, 128);
	for (unsigned int i = 0; i < 3; i++)
		assert_int_equal(env.out[i].ack, RCV(c, 0));
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1200), 8192, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
	assert_int_equal(c->tcb->timer_kind, LM_TCPT_NONE);
}

/*
 * Without an MSS option the send MSS is 536 (RFC 9293 3.7.1); a peer MSS
 * above ours is capped at what our MTU carries (1460).
 */
static void
test_connect_mss_absent_or_large(void **state)
{
	struct conn *a = &conns[0], *b = &conns[1];

	open_conn(a, 0x01000000, 0, WND_MAX, 0);
	lm_tcp_send(env.w, a->tcb, 1000);
	pass();
	assert_int_equal(env.n_out, 2);
	assert_data(&env.out[0], a, 0, 536);
	assert_data(&env.out[1], a, 536, 464);

	open_conn(b, 0x02000000, 9000, WND_MAX, 0);
	lm_tcp_send(env.w, b->tcb, 3000);
	pass();
	assert_int_equal(env.n_out, 3);
	assert_data(&env.out[0], b, 0, OUR_MSS);
	assert_data(&env.out[1], b, OUR_MSS, OUR_MSS);
	assert_data(&env.out[2], b, 2 * OUR_MSS, 3000 - 2 * OUR_MSS);
}

/* ------------------------------------------------------------------ */
/* Data */

/*
 * Data out stays within the peer's advertised window (RFC 9293 3.8.6,
 * 3.10.7.4: SND.UNA + SND.WND bounds what is sent) in segments of at most
 * the MSS: with a window of 2000, 3000 queued bytes go out as 1460 + 540;
 * the ACK of 1460 slides the window and the last 1000 follow. Every byte
 * is fill()'s byte at its stream offset. Once all is ACKed, no timer runs
 * (RFC 6298 5.2).
 */
static void
test_data_out_window(void **state)
{
	struct conn *c = &conns[0];

	open_conn(c, 0x1000, OUR_MSS, 2000, 0);
	lm_tcp_send(env.w, c->tcb, 3000);
	pass();
	/*
	 * One full segment; the 540 bytes left in the window are held back
	 * (sender silly-window avoidance, RFC 9293 3.8.6.2.1: not a full
	 * segment, not all that is queued, under half the largest window).
	 */
	assert_data(one_out(), c, 0, 1460);
	assert_int_equal(env.out[0].ack, RCV(c, 0));
	assert_int_equal(env.out[0].win, WND_MAX);

	advance_us(50 * MS);
	assert_int_equal(env.n_out, 0);

	/* the ACK moves the window: a full segment, then the last 80 bytes */
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1460), 2000, 0);
	pass();
	assert_int_equal(env.n_out, 2);
	assert_data(&env.out[0], c, 1460, 1460);
	assert_data(&env.out[1], c, 2920, 80);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 3000), 2000, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
	assert_int_equal(c->tcb->timer_kind, LM_TCPT_NONE);
}

/*
 * In-order segments are handed up at once, exactly (three segments, the
 * peer's sequence numbers wrapping past 2^32, RFC 9293 3.4), and one ACK
 * covers them all at the end of the pass (ACK coalescing, RFC 9293
 * 3.8.6.3 / RFC 1122 4.2.3.2).
 */
static void
test_data_in_order_coalesced_ack(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t rx0 = w->ctr->app_rx_bytes;

	open_conn(c, 0xfffff800, OUR_MSS, WND_MAX, 0);
	for (uint32_t k = 0; k < 3; k++)
		peer_seg(c, TH_ACK | TH_PSH, RCV(c, k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.n_recv, 3);
	assert_int_equal(c->app.rx_len, 3000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 3000), 0);
	assert_int_equal(env.out[0].win, WND_MAX);
	assert_int_equal(c->tcb->rcv_nxt, RCV(c, 3000));
	assert_int_equal(w->ctr->app_rx_bytes, rx0 + 3000);
}

/*
 * An out-of-order segment is not handed up and draws an immediate
 * duplicate ACK of the old RCV.NXT (RFC 9293 3.10.7.4; RFC 5681 4.2);
 * whether it is held for reassembly or dropped, filling the hole hands up
 * the right bytes in order. A duplicate is not handed up again and is
 * ACKed (3.10.7.4, first check); an overlapping segment hands up only its
 * new bytes; a segment beyond the window is ACKed and dropped.
 */
static void
test_data_in_out_of_order_and_duplicates(void **state)
{
	struct conn *c = &conns[0];
	uint32_t have, recvs;

	open_conn(c, 0x7ffff000, OUR_MSS, WND_MAX, 0);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, 1000);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* a hole at [1000, 2000) */
	peer_seg(c, TH_ACK, RCV(c, 2000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, 1000);
	assert_int_equal(c->app.n_recv, 1);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* hole filled: its bytes go up, and [2000, 3000) too if it was held */
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	pass();
	have = c->app.rx_len;
	assert_true(have == 2000 || have == 3000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* an exact duplicate */
	recvs = c->app.n_recv;
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, have);
	assert_int_equal(c->app.n_recv, recvs);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* overlapping: [have - 500, have + 1000) brings 1000 new bytes */
	peer_seg(c, TH_ACK, RCV(c, have - 500), SND(c, 0), WND_MAX, 1500);
	pass();
	assert_int_equal(c->app.rx_len, have + 1000);
	assert_int_equal(c->app.last_recv_len, 1000);
	assert_true(rx_intact(&c->app));
	have += 1000;
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* beyond the receive window (65535) */
	peer_seg(c, TH_ACK, RCV(c, have + 70000), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, have);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);
}

/*
 * A segment whose payload spans two chained mbufs is handed up in place,
 * piece by piece, with the right bytes; the TCP checksum is checked across
 * the chain; and trimming already-received bytes works across the chain.
 */
static void
test_data_in_chained_mbuf(void **state)
{
	struct conn *c = &conns[0];
	struct seg s;

	open_conn(c, 0x00abcdef, OUR_MSS, WND_MAX, 0);
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .ack = SND(c, 0), .flags = TH_ACK,
		.win = WND_MAX, .len = 1000, .data_off = 0, .split = 600 };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.n_recv, 2);
	assert_int_equal(c->app.rx_len, 1000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* [800, 1800) split after 300 bytes: skip 200 in the first mbuf */
	s.seq = RCV(c, 800);
	s.data_off = 800;
	s.split = 300;
	peer_send(&s);
	pass();
	assert_int_equal(c->app.rx_len, 1800);
	assert_int_equal(c->app.n_recv, 4);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1800), 0);

	/* a bad checksum across the chain is caught */
	s.seq = RCV(c, 1800);
	s.data_off = 1800;
	s.bad_tcp_csum = true;
	peer_send(&s);
	pass();
	assert_int_equal(c->app.rx_len, 1800);
	assert_int_equal(env.n_out, 0);
}

/* ------------------------------------------------------------------ */
/* Retransmission */

/*
 * The first RTT sample (100 ms) gives RTO = SRTT + 4 RTTVAR = 300 ms
 * (RFC 6298 2.2). An unacknowledged segment is sent again, byte for byte,
 * when the RTO expires, and not before (5.4); the RTO doubles on each
 * expiry (5.5) up to the 60 s ceiling (2.5). After the data retry limit
 * the connection is reset: RST out, closed(RETRANSMIT_LIMIT).
 */
static void
test_retransmit_backoff_and_limit(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint8_t first[1000];
	uint64_t rto;
	const struct out_frame *f;

	open_conn(c, 0x55555555, OUR_MSS, WND_MAX, 100 * MS);
	rto = c->tcb->rto_us;
	assert_in_range(rto, 299 * MS, 301 * MS);
	lm_tcp_send(w, c->tcb, 1000);
	pass();
	f = one_out();
	assert_data(f, c, 0, 1000);
	memcpy(first, f->payload, sizeof(first));

	for (unsigned int k = 1; k <= w->tcp.data_retries; k++) {
		advance_us(rto - MS);
		assert_int_equal(env.n_out, 0);
		advance_us(2 * MS);
		f = one_out();
		assert_data(f, c, 0, 1000);
		assert_int_equal(f->ack, RCV(c, 0));
		assert_memory_equal(f->payload, first, sizeof(first));
		rto = RTE_MIN(2 * rto, (uint64_t)LM_TCP_RTO_MAX_US);
		assert_int_equal(c->tcb->rto_us, rto);
		assert_int_equal(c->app.n_closed, 0);
	}
	advance_us(rto - MS);
	assert_int_equal(env.n_out, 0);
	advance_us(2 * MS);
	f = one_out();
	assert_seg(f, c, TH_RST | TH_ACK, SND(c, 1000), RCV(c, 0), 0);
	assert_int_equal(c->app.n_closed, 1);
	assert_int_equal(c->app.why, LM_TCP_END_RETRANSMIT_LIMIT);
	assert_int_equal(w->tcp.n_used, used0);
}

/*
 * tcp_retransmits counts segments sent again: one expiry that resends
 * one segment counts 1, not once for the expiry and again for the segment.
 */
static void
test_retransmit_counted_once(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t rt0;

	open_conn(c, 0x600d600d, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(w, c->tcb, 100);
	pass();
	assert_data(one_out(), c, 0, 100);
	rt0 = w->ctr->tcp_retransmits;
	advance_us(c->tcb->rto_us + MS);
	assert_data(one_out(), c, 0, 100);
	assert_int_equal(w->ctr->tcp_retransmits, rt0 + 1);
}

/*
 * The SYN is sent again, identical, at RTO = 1 s, then 2 s and 4 s later
 * (RFC 6298 2.1, 5.5); when the SYN retry limit is spent the connection
 * ends with closed(CONNECT_TIMEOUT) and nothing is sent (no RST: nothing
 * synchronized, RFC 9293 3.10.5).
 */
static void
test_syn_retransmit_and_timeout(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint64_t rto = LM_TCP_RTO_INIT_US, rt0 = w->ctr->tcp_retransmits;
	const struct out_frame *f;

	connect_peer(c);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN);
	c->iss = f->seq;
	c->lport = f->sport;
	for (unsigned int k = 1; k <= w->tcp.syn_retries; k++) {
		advance_us(rto - MS);
		assert_int_equal(env.n_out, 0);
		advance_us(2 * MS);
		f = one_out();
		assert_true(is_seg_of(f, c));
		assert_int_equal(f->flags, TH_SYN);
		assert_int_equal(f->seq, c->iss);
		assert_int_equal(f->ack, 0);
		assert_int_equal(opt_mss(f), OUR_MSS);
		assert_int_equal(w->ctr->tcp_retransmits, rt0 + k);
		rto *= 2;
		assert_int_equal(c->tcb->rto_us, rto);
	}
	advance_us(rto - MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.n_closed, 0);
	advance_us(2 * MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.n_closed, 1);
	assert_int_equal(c->app.why, LM_TCP_END_CONNECT_TIMEOUT);
	assert_int_equal(c->app.n_connected, 0);
	assert_int_equal(w->tcp.n_used, used0);
}

/*
 * RFC 6298 5.7: "If the timer expires awaiting the ACK of a
 * SYN segment and the TCP implementation is using an RTO less than 3
 * seconds, the RTO MUST be re-initialized to 3 seconds when data
 * transmission begins." After one SYN retransmission (RTO backed off to
 * 2 s, and Karn's rule gives no sample from the SYN-ACK) the first data
 * segment must not be retransmitted before 3 s.
 */
static void
test_syn_timeout_rto_reinit_3s(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	const struct out_frame *f;
	struct seg s;

	connect_peer(c);
	pass();
	f = one_out();
	c->iss = f->seq;
	c->lport = f->sport;
	c->irs = 0x0badcafe;
	advance_us(LM_TCP_RTO_INIT_US + MS);
	assert_int_equal(one_out()->flags, TH_SYN);
	advance_us(100 * MS);
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = c->irs, .ack = c->iss + 1, .flags = TH_SYN | TH_ACK,
		.win = WND_MAX, .mss = OUR_MSS };
	peer_send(&s);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	lm_tcp_send(w, c->tcb, 100);
	pass();
	assert_data(one_out(), c, 0, 100);
	advance_us(2900 * MS);
	assert_int_equal(env.n_out, 0);
	advance_us(200 * MS);
	assert_data(one_out(), c, 0, 100);
}

/* ------------------------------------------------------------------ */
/* Refused and reset */

/*
 * In SYN-SENT (RFC 9293 3.10.7.3): a RST without ACK is dropped; a RST
 * whose ACK is not acceptable is dropped; a SYN-ACK whose ACK is not
 * acceptable draws <SEQ=SEG.ACK><CTL=RST> and the connection waits on;
 * a RST+ACK acknowledging our SYN refuses the connection:
 * closed(REFUSED), nothing sent.
 */
static void
test_refused_and_bad_rst_in_syn_sent(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	const struct out_frame *f;

	connect_peer(c);
	pass();
	f = one_out();
	c->iss = f->seq;
	c->lport = f->sport;
	c->irs = 0x12345678;

	peer_seg(c, TH_RST, 0, 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	peer_seg(c, TH_RST | TH_ACK, 0, c->iss + 5, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	peer_seg(c, TH_RST | TH_ACK, 0, c->iss, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
	assert_int_equal(c->app.n_closed, 0);

	peer_seg(c, TH_SYN | TH_ACK, c->irs, c->iss + 1000, WND_MAX, 0);
	pass();
	f = one_out();
	assert_seg(f, c, TH_RST, c->iss + 1000, 0, 0);
	assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
	assert_int_equal(c->app.n_connected, 0);

	peer_seg(c, TH_RST | TH_ACK, 0, c->iss + 1, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.n_closed, 1);
	assert_int_equal(c->app.why, LM_TCP_END_REFUSED);
	assert_int_equal(w->tcp.n_used, used0);
}

/*
 * On an established connection (RFC 9293 3.10.7.4 and RFC 5961): a RST
 * with SEG.SEQ == RCV.NXT resets it, closed(RESET), nothing sent; a RST
 * in the window but not exact draws a challenge ACK and the connection
 * stays (RFC 5961 3.2); a RST outside the window is dropped silently; a
 * SYN draws a challenge ACK (RFC 5961 4.2); RST+ACK exact also resets.
 */
static void
test_reset_exact_and_challenge_ack(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *a = &conns[0], *b = &conns[1];
	uint32_t used0 = w->tcp.n_used;

	open_conn(a, 1000, OUR_MSS, WND_MAX, 0);
	open_conn(b, 5000, OUR_MSS, WND_MAX, 0);

	peer_seg(a, TH_RST, RCV(a, 0), 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(a->app.n_closed, 1);
	assert_int_equal(a->app.why, LM_TCP_END_RESET);
	assert_int_equal(w->tcp.n_used, used0 + 1);

	peer_seg(b, TH_RST, RCV(b, 100), 0, 0, 0);
	pass();
	assert_seg(one_out(), b, TH_ACK, SND(b, 0), RCV(b, 0), 0);
	assert_int_equal(b->tcb->state, LM_TCP_ESTABLISHED);

	peer_seg(b, TH_RST, RCV(b, 100000), 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	peer_seg(b, TH_RST, RCV(b, -1), 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(b->app.n_closed, 0);

	peer_seg(b, TH_SYN, RCV(b, 10), 0, WND_MAX, 0);
	pass();
	assert_seg(one_out(), b, TH_ACK, SND(b, 0), RCV(b, 0), 0);
	assert_int_equal(b->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(b->app.n_closed, 0);

	peer_seg(b, TH_RST | TH_ACK, RCV(b, 0), SND(b, 0), 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(b->app.n_closed, 1);
	assert_int_equal(b->app.why, LM_TCP_END_RESET);
	assert_int_equal(w->tcp.n_used, used0);
}

/* ------------------------------------------------------------------ */
/* Closing */

/*
 * Active close (RFC 9293 3.6, 3.10.4, 3.10.7.4): CLOSE sends <SEQ=end of
 * data><CTL=FIN,ACK> (FIN-WAIT-1); the FIN is retransmitted on RTO; its
 * ACK leads to FIN-WAIT-2 with nothing sent; the peer's FIN is ACKed
 * (ACK = its FIN + 1) and the TCB waits in TIME-WAIT, where a
 * retransmitted FIN is ACKed again; after the TIME-WAIT time (1 s here)
 * the TCB is freed, silently (the app detached on close).
 */
static void
test_close_active_time_wait(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint64_t tw = (uint64_t)w->tcp.time_wait_ms * MS;
	uint64_t rto;

	open_conn(c, 0xdead0000, OUR_MSS, WND_MAX, 0);
	send_acked(c, 0, 500);
	rto = c->tcb->rto_us;

	lm_tcp_close(w, c->tcb);
	assert_int_equal(c->tcb->state, LM_TCP_FIN_WAIT_1);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 500), RCV(c, 0), 0);

	advance_us(rto - MS);
	assert_int_equal(env.n_out, 0);
	advance_us(2 * MS);
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 500), RCV(c, 0), 0);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 501), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_FIN_WAIT_2);

	peer_seg(c, TH_FIN | TH_ACK, RCV(c, 0), SND(c, 501), WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 501), RCV(c, 1), 0);
	assert_int_equal(c->tcb->state, LM_TCP_TIME_WAIT);
	assert_int_equal(w->tcp.n_used, used0 + 1);

	peer_seg(c, TH_FIN | TH_ACK, RCV(c, 0), SND(c, 501), WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 501), RCV(c, 1), 0);

	advance_us(tw - MS);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	advance_us(2 * MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(c->app.n_closed, 0);
}

/*
 * A peer that ACKs our FIN but never sends its own does not hold the TCB
 * forever: it is freed after fin_wait_2_ms in FIN-WAIT-2.
 */
static void
test_close_fin_wait_2_timeout(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint64_t t = (uint64_t)w->tcp.fin_wait_2_ms * MS;

	open_conn(c, 0x0f0f0f0f, OUR_MSS, WND_MAX, 0);
	lm_tcp_close(w, c->tcb);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 0), RCV(c, 0), 0);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_FIN_WAIT_2);
	advance_us(t - MS);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	advance_us(2 * MS);
	assert_int_equal(w->tcp.n_used, used0);
}

/*
 * Passive close: the peer's FIN is reported once (peer_closed) after its
 * data and ACKed (CLOSE-WAIT); we may still send (RFC 9293 3.10.2); CLOSE
 * sends our FIN after our data (LAST-ACK); its ACK frees the TCB.
 */
static void
test_close_passive_last_ack(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;

	open_conn(c, 0x22222222, OUR_MSS, WND_MAX, 0);
	peer_seg(c, TH_FIN | TH_ACK | TH_PSH, RCV(c, 0), SND(c, 0), WND_MAX,
		 300);
	pass();
	assert_int_equal(c->app.rx_len, 300);
	assert_true(rx_intact(&c->app));
	assert_int_equal(c->app.n_peer_closed, 1);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 301), 0);
	assert_int_equal(c->tcb->state, LM_TCP_CLOSE_WAIT);

	lm_tcp_send(w, c->tcb, 100);
	pass();
	assert_data(one_out(), c, 0, 100);
	assert_int_equal(env.out[0].ack, RCV(c, 301));
	peer_seg(c, TH_ACK, RCV(c, 301), SND(c, 100), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);

	lm_tcp_close(w, c->tcb);
	assert_int_equal(c->tcb->state, LM_TCP_LAST_ACK);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 100), RCV(c, 301), 0);
	peer_seg(c, TH_ACK, RCV(c, 301), SND(c, 101), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(c->app.n_peer_closed, 1);
	assert_int_equal(c->app.n_closed, 0);
}

/*
 * Simultaneous close (RFC 9293 3.6, figure 13): our FIN and the peer's
 * cross; the peer's FIN (not acking ours) moves us to CLOSING and is
 * ACKed; the ACK of our FIN moves us to TIME-WAIT; the TCB is freed after
 * the TIME-WAIT time.
 */
static void
test_close_simultaneous(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;

	open_conn(c, 0x44444444, OUR_MSS, WND_MAX, 0);
	lm_tcp_close(w, c->tcb);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 0), RCV(c, 0), 0);

	peer_seg(c, TH_FIN | TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_CLOSING);
	assert_seg(one_out(), c, TH_ACK, SND(c, 1), RCV(c, 1), 0);

	peer_seg(c, TH_ACK, RCV(c, 1), SND(c, 1), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_TIME_WAIT);

	advance_us((uint64_t)w->tcp.time_wait_ms * MS + MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
}

/* ------------------------------------------------------------------ */
/* No connection, checksums */

/*
 * A segment for no connection draws a RST (RFC 9293 3.10.7.1): with the
 * ACK bit, <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK>, where SEG.LEN counts SYN and FIN. A RST for no
 * connection is discarded without reply.
 */
static void
test_no_connection_rst(void **state)
{
	struct lm_worker *w = env.w;
	uint64_t nc0 = w->ctr->tcp_no_conn;
	struct conn ghost = { .lport = 40001, .irs = 999 };
	const struct out_frame *f;
	struct seg s = { .sport = PEER_PORT, .dport = 40001, .win = WND_MAX };

	s.flags = TH_ACK | TH_PSH;
	s.seq = 1000;
	s.ack = 777777;
	s.len = 10;
	peer_send(&s);
	real_poll();
	f = one_out();
	assert_seg(f, &ghost, TH_RST, 777777, 0, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 5000,
		.flags = TH_SYN, .win = WND_MAX, .mss = 1460 };
	peer_send(&s);
	real_poll();
	assert_seg(one_out(), &ghost, TH_RST | TH_ACK, 0, 5001, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 9000,
		.flags = TH_FIN | TH_PSH, .win = WND_MAX, .len = 20 };
	peer_send(&s);
	real_poll();
	assert_seg(one_out(), &ghost, TH_RST | TH_ACK, 0, 9021, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 1,
		.flags = TH_RST };
	peer_send(&s);
	s.flags = TH_RST | TH_ACK;
	s.ack = 55;
	peer_send(&s);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->tcp_no_conn, nc0 + 5);
}

/*
 * A segment with a bad TCP checksum, or in a packet with a bad IPv4
 * header checksum, is dropped and counted in rx_bad_csum (RFC 9293 3.1;
 * RFC 791): nothing handed up, no ACK, no RST; a RST with the exact
 * sequence number but a bad checksum resets nothing. The same segment
 * intact is then delivered.
 */
static void
test_bad_checksums_dropped(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t bad0 = w->ctr->rx_bad_csum;
	struct seg s;

	open_conn(c, 0x33333333, OUR_MSS, WND_MAX, 0);
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .ack = SND(c, 0), .flags = TH_ACK | TH_PSH,
		.win = WND_MAX, .len = 100, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.rx_len, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 1);

	s.bad_tcp_csum = false;
	s.bad_ip_csum = true;
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.rx_len, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 2);

	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .flags = TH_RST, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_closed, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 3);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40002, .seq = 1,
		.ack = 2, .flags = TH_ACK, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 4);

	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, 100);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 100), 0);
}

/* ------------------------------------------------------------------ */
/* Zero window */

/* Open c, send 1000 bytes, and have the peer ACK them with a zero window. */
static void
open_zero_window(struct conn *c, uint32_t irs)
{
	open_conn(c, irs, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 1000);
	pass();
	assert_data(one_out(), c, 0, 1000);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->snd_wnd, 0);
}

/*
 * Data queued while the peer's window is zero is held (RFC 9293 3.8.6);
 * a window update (same SEG.SEQ and SEG.ACK, SND.WL1/SND.WL2 rule of
 * 3.10.7.4) releases it.
 */
static void
test_zero_window_held_until_update(void **state)
{
	struct conn *c = &conns[0];

	open_zero_window(c, 0x77770000);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	assert_int_equal(env.n_out, 0);
	advance_us(100 * MS);
	assert_int_equal(env.n_out, 0);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 4000, 0);
	pass();
	assert_data(one_out(), c, 1000, 500);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1500), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
	assert_int_equal(c->tcb->timer_kind, LM_TCPT_NONE);
}

/*
 * When the zero window has lasted one RTO, a probe carrying the next byte
 * goes out (RFC 9293 3.8.6.1; RFC 1122 4.2.2.17), so a lost window update
 * cannot hang the connection; when the peer takes the byte and opens its
 * window, the rest follows.
 */
static void
test_zero_window_first_probe(void **state)
{
	struct conn *c = &conns[0];
	uint64_t rto;

	open_zero_window(c, 0x88880000);
	rto = c->tcb->rto_us;
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	assert_int_equal(env.n_out, 0);
	advance_us(rto - MS);
	assert_int_equal(env.n_out, 0);
	advance_us(2 * MS);
	assert_data(one_out(), c, 1000, 1);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1001), WND_MAX, 0);
	pass();
	assert_data(one_out(), c, 1001, 499);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1500), WND_MAX, 0);
	pass();
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
}

/*
 * RFC 9293 3.8.6.1: probing of zero windows MUST be supported
 * (MUST-36) and "as long as the receiving TCP peer continues to send
 * acknowledgments in response to the probe segments, the sending TCP
 * peer MUST allow the connection to stay open" (MUST-37); the probe
 * interval may back off exponentially (RFC 1122 4.2.2.17). Here the peer
 * answers every probe, window still zero, for two minutes: probes must
 * keep coming, and the connection must live.
 */
static void
test_zero_window_probing_continues(void **state)
{
	struct conn *c = &conns[0];
	unsigned int probes = 0;
	bool rst = false;
	uint32_t top = 1000;

	open_zero_window(c, 0x99990000);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	for (uint64_t t = 0; t < 120 * SEC && !rst; t += 50 * MS) {
		bool answer = false;

		advance_us(50 * MS);
		for (unsigned int i = 0; i < env.n_out; i++) {
			const struct out_frame *f = &env.out[i];

			assert_true(is_seg_of(f, c));
			if (f->flags & TH_RST) {
				rst = true;
				continue;
			}
			if (f->paylen == 0)
				continue;
			/* a probe: the byte(s) at SND.UNA, correct */
			assert_int_equal(f->seq, SND(c, 1000));
			assert_true(payload_ok(f, c));
			probes++;
			answer = true;
		}
		if (answer)
			peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 0, 0);
	}
	assert_false(rst);
	assert_int_equal(c->app.n_closed, 0);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_true(probes >= 5);

	/* the window opens: everything queued goes out */
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), WND_MAX, 0);
	pass();
	for (unsigned int i = 0; i < env.n_out; i++) {
		assert_data(&env.out[i], c, env.out[i].seq - SND(c, 0),
			    env.out[i].paylen);
		top = RTE_MAX(top, env.out[i].seq - SND(c, 0) +
			      env.out[i].paylen);
	}
	assert_int_equal(top, 1500);
}

/* ------------------------------------------------------------------ */
/* Congestion control (RFC 5681): not implemented yet */

/*
 * On RTO, "retransmit the earliest
 * segment that has not been acknowledged" (RFC 6298 5.4) with cwnd set to
 * one segment (RFC 5681 3.1, loss window), not the whole window in one
 * burst.
 */
static void
test_rto_retransmits_earliest_segment_only(void **state)
{
	struct conn *c = &conns[0];

	open_conn(c, 0xaaaa0000, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 3 * OUR_MSS);
	pass();
	assert_int_equal(env.n_out, 3);
	advance_us(c->tcb->rto_us + MS);
	assert_int_equal(env.n_out, 1);
	assert_data(&env.out[0], c, 0, OUR_MSS);
}

/*
 * The initial window is at most min(4 SMSS, max(2 SMSS, 4380)) = 3
 * segments of 1460 (RFC 5681 3.1), or 10 segments under RFC 6928: not all
 * 30000 queued bytes at once into the peer's 64 KB window.
 */
static void
test_initial_window(void **state)
{
	struct conn *c = &conns[0];
	uint32_t bytes = 0;

	open_conn(c, 0xbbbb0000, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 30000);
	pass();
	for (unsigned int i = 0; i < env.n_out; i++)
		bytes += env.out[i].paylen;
	assert_true(bytes > 0);
	assert_true(bytes <= 10 * OUR_MSS);
}

/* ------------------------------------------------------------------ */

/* Every mbuf the tests and the stack took is back in the pool. */
static void
test_no_mbuf_leak(void **state)
{
	assert_int_equal(rte_ring_count(env.rx), 0);
	assert_int_equal(rte_ring_count(env.tx), 0);
	assert_int_equal(rte_mempool_avail_count(env.pool), env.pool_avail);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup_test, teardown_test)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_arp_request_answered),
		T(test_icmp_echo_reply),
		T(test_connect_handshake),
		T(test_connect_mss_absent_or_large),
		T(test_data_out_window),
		T(test_data_in_order_coalesced_ack),
		T(test_data_in_out_of_order_and_duplicates),
		T(test_data_in_chained_mbuf),
		T(test_retransmit_backoff_and_limit),
		T(test_retransmit_counted_once),
		T(test_syn_retransmit_and_timeout),
		T(test_syn_timeout_rto_reinit_3s),
		T(test_refused_and_bad_rst_in_syn_sent),
		T(test_reset_exact_and_challenge_ack),
		T(test_close_active_time_wait),
		T(test_close_fin_wait_2_timeout),
		T(test_close_passive_last_ack),
		T(test_close_simultaneous),
		T(test_no_connection_rst),
		T(test_bad_checksums_dropped),
		T(test_zero_window_held_until_update),
		T(test_zero_window_first_probe),
		T(test_zero_window_probing_continues),
		T(test_rto_retransmits_earliest_segment_only),
		T(test_initial_window),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
