/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness of the TCP unit tests (see tcp_harness.h): frames from the
 * peer, frames from the worker, the recording application, the worker loop
 * on virtual time, and set-up and tear-down.
 */
#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>

#include "tcp_harness.h"

const struct rte_ether_addr peer_mac = {{ 0x02, 0, 0, 0, 0, 0x02 }};
const struct rte_ether_addr other_mac = {{ 0x02, 0, 0, 0, 0, 0x03 }};
const struct rte_ether_addr stranger_mac = {{ 0x02, 0, 0, 0, 0, 0x04 }};
const struct rte_ether_addr zero_mac = {{ 0 }};
const struct rte_ether_addr bcast_mac = {{ 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff }};

struct tcp_env env;
struct conn conns[N_CONNS];

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

/* A passive connection: the recorder of env.accept_into, once; else refused. */
static void *
app_accept(struct lm_worker *w, struct lm_tcb *tcb, void *ctx)
{
	struct conn *c = env.accept_into;

	(void)w;
	(void)ctx;
	if (c == NULL)
		return NULL;
	env.accept_into = NULL;
	c->tcb = tcb;
	c->app.n_connected++;
	return &c->app;
}

const struct lm_tcp_ops test_ops = {
	.connected = app_connected,
	.recv = app_recv,
	.peer_closed = app_peer_closed,
	.closed = app_closed,
	.fill = app_fill,
	.accept = app_accept,
};

/* Whether the app received exactly the peer's stream bytes [0, rx_len). */
bool
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
void
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

void
peer_send(const struct seg *s)
{
	uint8_t b[MAX_FRAME];
	uint32_t optlen = s->opts != NULL ? s->optlen :
		(uint32_t)((s->mss ? 4 : 0) + (s->sack_perm ? 4 : 0));
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
	if (s->opts != NULL) {
		assert_true(s->optlen % 4 == 0 && s->optlen <= 40);
		memcpy(th + 20, s->opts, s->optlen);
	} else if (s->mss) {
		th[20] = 2;
		th[21] = 4;
		put16(th + 22, s->mss);
	}
	if (s->opts == NULL && s->sack_perm) {
		uint8_t *o = th + 20 + (s->mss ? 4 : 0);

		o[0] = 1;               /* NOP NOP SACK-permitted */
		o[1] = 1;
		o[2] = 4;
		o[3] = 2;
	}
	for (uint32_t i = 0; i < s->len; i++)
		th[20 + optlen + i] = s->payload != NULL ? s->payload[i] :
			peer_byte(s->data_off + i);
	cs = (uint16_t)~fold(sum16(th, l4len,
				   pseudo_sum(PEER_IP, OUR_IP, IPPROTO_TCP,
					      l4len)));
	if (s->bad_tcp_csum)
		cs ^= 0x1234;
	put16(th + 16, cs);
	inject(b, off + l4len, s->split ? off + 20 + optlen + s->split : 0);
}

/* A segment of c from the peer; the payload is the peer's stream at seq. */
void
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

void
inject_arp(uint16_t op, const struct rte_ether_addr *sha, uint32_t sip,
	   const struct rte_ether_addr *tha, uint32_t tip,
	   const struct rte_ether_addr *eth_dst)
{
	assert_int_equal(rte_ring_enqueue(env.rx, arp_mbuf(op, sha, sip, tha,
							    tip, eth_dst)), 0);
}

void
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

void
inject_icmp_err(const struct conn *c, const struct icmp_err *e)
{
	uint8_t b[MAX_FRAME];
	uint32_t off = build_eth(b, &env.nif.mac, &peer_mac,
				 RTE_ETHER_TYPE_IPV4);
	uint32_t qtcp = e->quote_tcp != 0 ? e->quote_tcp : 20;
	uint32_t qihl = (e->quote_ihl != 0 ? e->quote_ihl : 5) * 4u;
	uint8_t *ic, *q, *qt;
	uint16_t cs;

	off += build_ipv4(b + off, PEER_IP, OUR_IP, IPPROTO_ICMP,
			  8 + qihl + qtcp, false);
	ic = b + off;
	ic[0] = e->type;
	ic[1] = e->code;
	put16(ic + 2, 0);
	put32(ic + 4, e->code == 4 ? 576 : 0);  /* next-hop MTU (RFC 1191) */
	/* the quote: our packet as it left, IPv4 header then TCP */
	q = ic + 8;
	build_ipv4(q, e->quote_src != 0 ? e->quote_src : OUR_IP, PEER_IP,
		   e->quote_proto != 0 ? e->quote_proto : IPPROTO_TCP, 40, false);
	if (qihl > 20) {
		/* IP options (NOPs): the TCP header moves, the quote with it */
		memset(q + 20, 1, qihl - 20);
		q[0] = (uint8_t)(0x40 | qihl / 4);
		put16(q + 10, 0);
		put16(q + 10, (uint16_t)~fold(sum16(q, qihl, 0)));
	}
	qt = q + qihl;
	memset(qt, 0, qtcp);
	if (qtcp >= 2)
		put16(qt, c->lport);
	if (qtcp >= 4)
		put16(qt + 2, PEER_PORT);
	if (qtcp >= 8)
		put32(qt + 4, e->seq);
	if (qtcp >= 14)
		qt[13] = TH_SYN;
	cs = (uint16_t)~fold(sum16(ic, 8 + qihl + qtcp, 0));
	if (e->bad_csum)
		cs ^= 0x0f0f;
	put16(ic + 2, cs);
	inject(b, off + 8 + qihl + qtcp, e->split);
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
void
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

/* The first option of this kind in f (its kind byte), or NULL. */
static const uint8_t *
opt_find(const struct out_frame *f, uint8_t want)
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
		if (i + 1 >= f->optlen || f->opts[i + 1] < 2 ||
		    i + f->opts[i + 1] > f->optlen)
			break;
		if (kind == want)
			return f->opts + i;
		i += f->opts[i + 1];
	}
	return NULL;
}

bool
opt_has(const struct out_frame *f, uint8_t kind)
{
	return opt_find(f, kind) != NULL;
}

/* The value of the MSS option, -1 when there is none. */
int
opt_mss(const struct out_frame *f)
{
	const uint8_t *o = opt_find(f, 2);

	return o != NULL && o[1] == 4 ? get16(o + 2) : -1;
}

int
opt_sack(const struct out_frame *f, uint32_t lo[4], uint32_t hi[4])
{
	const uint8_t *o = opt_find(f, 5);
	int n;

	if (o == NULL)
		return -1;
	/* RFC 2018 3: 2 + 8 bytes per block */
	assert_true(o[1] >= 10 && (o[1] - 2) % 8 == 0 && o[1] <= 34);
	n = (o[1] - 2) / 8;
	for (int i = 0; i < n; i++) {
		lo[i] = get32(o + 2 + 8 * i);
		hi[i] = get32(o + 6 + 8 * i);
	}
	return n;
}

/* Whether f is a valid TCP segment of connection c, to the peer. */
bool
is_seg_of(const struct out_frame *f, const struct conn *c)
{
	return f->ether_type == RTE_ETHER_TYPE_IPV4 &&
		rte_is_same_ether_addr(&f->eth_dst, &peer_mac) &&
		f->proto == IPPROTO_TCP && f->ip_src == OUR_IP &&
		f->ip_dst == PEER_IP && f->ip_csum_ok && f->tcp_csum_ok &&
		f->sport == c->lport && f->dport == PEER_PORT;
}

/* Whether f's payload is our stream's bytes at its sequence number. */
bool
payload_ok(const struct out_frame *f, const struct conn *c)
{
	uint32_t off = f->seq - (c->iss + 1);

	for (uint32_t i = 0; i < f->paylen; i++)
		if (f->payload[i] != our_byte(off + i))
			return false;
	return true;
}

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
void
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
void
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
void
real_poll(void)
{
	lm_worker_poll(env.w);
	env.w->now = env.now;
	collect();
}

/* ------------------------------------------------------------------ */
/* Connections. */

struct lm_tcb *
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

/* The inverse of x -> x ^ (x >> shift). */
static uint64_t
unxorshift(uint64_t y, unsigned int shift)
{
	uint64_t x = y;

	for (unsigned int k = shift; k < 64; k += shift)
		x = y ^ (x >> shift);
	return x;
}

/* The inverse of an odd number modulo 2^64 (Newton's iteration). */
static uint64_t
mul_inverse(uint64_t a)
{
	uint64_t x = a;      /* right in its low 3 bits: a * a = 1 mod 8 */

	for (int i = 0; i < 5; i++)
		x *= 2 - a * x;
	return x;
}

/*
 * The ISS is the low half of the worker's next splitmix64 output (RFC 6528
 * generator, tcb.c). splitmix64 is a bijection: run it backwards from an
 * output whose low half is iss to the state that produces it, so a test
 * can put our sequence numbers where it wants them (next to 2^32).
 */
void
set_next_iss(uint32_t iss)
{
	uint64_t z = UINT64_C(0x5eed) << 32 | iss;
	uint64_t check;

	z = unxorshift(z, 31) * mul_inverse(UINT64_C(0x94d049bb133111eb));
	z = unxorshift(z, 27) * mul_inverse(UINT64_C(0xbf58476d1ce4e5b9));
	z = unxorshift(z, 30);
	env.w->rng = z - UINT64_C(0x9e3779b97f4a7c15);
	check = env.w->rng;
	assert_int_equal((uint32_t)lm_splitmix64(&check), iss);
}

/*
 * Open a connection: connect, take the SYN, answer rtt_us later with a
 * SYN-ACK (peer ISS irs, MSS option mss or none when 0, window win) and
 * take our ACK.
 */
void
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
		.mss = mss, .sack_perm = env.peer_sack };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.n_connected, 1);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	f = one_out();
	assert_seg(f, c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
}

/* Send len bytes at our stream offset off and have the peer ACK them. */
void
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

int
setup_group(void **state)
{
	char prefix[128];
	char *argv[] = {
		program_invocation_short_name, "--no-huge", "-m", "256",
		"--no-pci", "--no-shconf", prefix, "--log-level=error",
		"-l", "0",
	};
	struct lm_stats_layout layout;
	struct lm_stats_slot_view view;
	char err[256];
	int port, rc;

	/* one EAL prefix per binary, so that the binaries run in parallel */
	snprintf(prefix, sizeof(prefix), "--file-prefix=lm_%s",
		 program_invocation_short_name);
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

int
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

int
setup_test(void **state)
{
	memset(conns, 0, sizeof(conns));
	env.n_out = 0;
	env.peer_sack = false;
	return 0;
}

/*
 * Whatever a test left (a failed assertion midway, a TCB in TIME-WAIT) is
 * aborted and drained here, so one failure does not cascade.
 */
int
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
	t->n_listen = 0;
	env.accept_into = NULL;
	t->sack = false;
	t->window_scaling = false;
	t->timestamps = false;
	t->sack_compress = false;
	t->delack_tsc = 0;
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	while (rte_ring_dequeue(env.rx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	while (rte_ring_dequeue(env.tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	env.n_out = 0;
	return t->n_used == 0 ? 0 : -1;
}

/* Every mbuf the tests and the stack took is back in the pool. */
void
test_no_mbuf_leak(void **state)
{
	assert_int_equal(rte_ring_count(env.rx), 0);
	assert_int_equal(rte_ring_count(env.tx), 0);
	assert_int_equal(rte_mempool_avail_count(env.pool), env.pool_avail);
}
