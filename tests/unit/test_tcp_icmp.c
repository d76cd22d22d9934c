/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: ICMP errors about our TCP segments (net/icmp.c checks the
 * message, tcp/tcp_icmp.c acts; RFC 1122 4.2.3.9, RFC 5927, Linux's
 * tcp_v4_err): hard errors end a connection still opening with
 * LM_TCP_END_UNREACHABLE, soft ones name the SYN's timeout, fragmentation
 * needed is counted only, and nothing a blind or broken sender makes up
 * (bad checksum, cut quote, wrong sequence number, another connection) is
 * believed. See tcp_harness.h for how the tests run.
 */
#include "tcp_harness.h"

#define LISTEN_PORT 8080

struct icmp_ctr {
	uint64_t errors, frag, aborts, unmatched, invalid;
};

static struct icmp_ctr
icmp_now(void)
{
	const struct lm_worker_counters *c = env.w->ctr;

	return (struct icmp_ctr){ c->icmp_errors, c->icmp_frag_needed,
		c->icmp_aborts, c->icmp_unmatched, c->icmp_invalid };
}

/* The ICMP counters moved from o by exactly these amounts. */
static void
assert_icmp(const struct icmp_ctr *o, uint64_t errors, uint64_t frag,
	    uint64_t aborts, uint64_t unmatched, uint64_t invalid)
{
	struct icmp_ctr n = icmp_now();

	assert_int_equal(n.errors - o->errors, errors);
	assert_int_equal(n.frag - o->frag, frag);
	assert_int_equal(n.aborts - o->aborts, aborts);
	assert_int_equal(n.unmatched - o->unmatched, unmatched);
	assert_int_equal(n.invalid - o->invalid, invalid);
}

/* Connect c and take its SYN: SYN-SENT, our ISS known. */
static void
syn_sent(struct conn *c)
{
	const struct out_frame *f;

	connect_peer(c);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN);
	c->iss = f->seq;
	c->lport = f->sport;
}

static void
icmp(const struct conn *c, uint8_t type, uint8_t code, uint32_t seq)
{
	struct icmp_err e = { .type = type, .code = code, .seq = seq };

	inject_icmp_err(c, &e);
}

/*
 * Hard errors (destination unreachable 2, 3, 6-10, 13-15; parameter
 * problem) end a connect at once, with no segment sent: the app is told
 * LM_TCP_END_UNREACHABLE (the step's error "unreachable"), the TCB is
 * back in the pool, counted as an error and an abort.
 */
static void
test_icmp_hard_ends_syn_sent(void **state)
{
	static const uint8_t cases[][2] = {
		{ 3, 2 }, { 3, 3 }, { 3, 6 }, { 3, 7 }, { 3, 8 }, { 3, 9 },
		{ 3, 10 }, { 3, 13 }, { 3, 14 }, { 3, 15 }, { 12, 0 },
	};
	struct lm_worker *w = env.w;

	(void)state;
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct conn *c = &conns[0];
		struct icmp_ctr o = icmp_now();
		uint32_t used = w->tcp.n_used;

		print_message("type %u code %u\n", cases[i][0], cases[i][1]);
		syn_sent(c);
		icmp(c, cases[i][0], cases[i][1], c->iss);
		pass();
		assert_int_equal(env.n_out, 0);
		assert_int_equal(c->app.n_closed, 1);
		assert_int_equal(c->app.why, LM_TCP_END_UNREACHABLE);
		assert_int_equal(w->tcp.n_used, used);
		assert_icmp(&o, 1, 0, 1, 0, 0);
	}
}

/*
 * Soft errors (destination unreachable 0, 1, 5, 11, 12; time exceeded)
 * do not end the connect; the SYN's timeout then ends it as
 * LM_TCP_END_UNREACHABLE (not CONNECT_TIMEOUT, which a SYN without an
 * answer of any kind gets).
 */
static void
test_icmp_soft_names_the_timeout(void **state)
{
	static const uint8_t cases[][2] = {
		{ 3, 0 }, { 3, 1 }, { 3, 5 }, { 3, 11 }, { 3, 12 }, { 11, 0 },
		{ 11, 1 },
	};
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];

	(void)state;
	w->tcp.syn_retries = 0;
	for (size_t i = 0; i < RTE_DIM(cases); i++) {
		struct icmp_ctr o = icmp_now();

		print_message("type %u code %u\n", cases[i][0], cases[i][1]);
		syn_sent(c);
		icmp(c, cases[i][0], cases[i][1], c->iss);
		pass();
		assert_int_equal(env.n_out, 0);
		assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
		assert_int_equal(c->app.n_closed, 0);
		assert_icmp(&o, 1, 0, 0, 0, 0);
		advance_us(LM_TCP_RTO_INIT_US + MS);
		assert_int_equal(c->app.n_closed, 1);
		assert_int_equal(c->app.why, LM_TCP_END_UNREACHABLE);
	}
	/* the same timeout without ICMP */
	syn_sent(c);
	advance_us(LM_TCP_RTO_INIT_US + MS);
	assert_int_equal(c->app.n_closed, 1);
	assert_int_equal(c->app.why, LM_TCP_END_CONNECT_TIMEOUT);
}

/* A soft error, then the SYN-ACK: the connection opens as any other. */
static void
test_icmp_soft_then_syn_ack(void **state)
{
	struct conn *c = &conns[0];
	struct seg s;

	(void)state;
	syn_sent(c);
	icmp(c, 3, 1, c->iss);
	pass();
	c->irs = 9000;
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport, .seq = c->irs,
		.ack = c->iss + 1, .flags = TH_SYN | TH_ACK, .win = WND_MAX,
		.mss = OUR_MSS };
	peer_send(&s);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_connected, 1);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
}

/*
 * Fragmentation needed (code 4) is path MTU discovery, which we do not do:
 * counted, nothing changes, in SYN-SENT or with data in flight.
 */
static void
test_icmp_frag_needed_counted(void **state)
{
	struct conn *c = &conns[0];
	struct icmp_ctr o = icmp_now();

	(void)state;
	syn_sent(c);
	icmp(c, 3, 4, c->iss);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
	assert_icmp(&o, 1, 1, 0, 0, 0);
	lm_tcp_abort(env.w, c->tcb);
	pass();

	o = icmp_now();
	open_conn(c, 100, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 1000);
	pass();
	assert_data(one_out(), c, 0, 1000);
	icmp(c, 3, 4, SND(c, 0));
	pass();
	assert_int_equal(env.n_out, 0);
	assert_icmp(&o, 1, 1, 0, 0, 0);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->snd_una, SND(c, 1000));
}

/*
 * On a synchronized connection even a hard error aborts nothing (RFC 1122
 * 4.2.3.9: "SHOULD NOT abort"; Linux without IP_RECVERR): counted, and
 * the connection goes on.
 */
static void
test_icmp_hard_spares_established(void **state)
{
	struct conn *c = &conns[0];
	struct icmp_ctr o;

	(void)state;
	open_conn(c, 100, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	o = icmp_now();
	icmp(c, 3, 3, SND(c, 0));
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_closed, 0);
	assert_icmp(&o, 1, 0, 0, 0, 0);
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 500), WND_MAX, 10);
	pass();
	assert_int_equal(c->app.rx_len, 10);
}

/*
 * What must not be believed, each a port unreachable that would end the
 * connect: a bad checksum, a quote cut inside the 8 TCP bytes (RFC 792),
 * a sequence number outside [SND.UNA, SND.NXT] (RFC 5927 4.1), another
 * connection's ports, another address or protocol in the quote. Counted as
 * invalid or unmatched; the connect goes on. Then a true one, with IP
 * options in the quote and the frame in two mbufs cut inside it, ends it.
 */
static void
test_icmp_validated(void **state)
{
	struct conn *c = &conns[0];
	struct conn other;
	struct icmp_ctr o;
	struct icmp_err e;

	(void)state;
	syn_sent(c);
	o = icmp_now();
	e = (struct icmp_err){ .type = 3, .code = 3, .seq = c->iss,
		.bad_csum = true };
	inject_icmp_err(c, &e);
	for (uint32_t n = 1; n < 8; n++) {
		e = (struct icmp_err){ .type = 3, .code = 3, .seq = c->iss,
			.quote_tcp = n };
		inject_icmp_err(c, &e);
	}
	pass();
	assert_icmp(&o, 0, 0, 0, 0, 8);

	o = icmp_now();
	icmp(c, 3, 3, c->iss + 1);   /* SND.NXT: still in range */
	pass();
	assert_icmp(&o, 1, 0, 1, 0, 0);
	assert_int_equal(c->app.why, LM_TCP_END_UNREACHABLE);

	syn_sent(c);
	o = icmp_now();
	icmp(c, 3, 3, c->iss + 2);
	icmp(c, 3, 3, c->iss - 1);
	icmp(c, 3, 3, c->iss + 0x80000000u);
	other = *c;
	other.lport = (uint16_t)(c->lport + N_WORKERS);
	icmp(&other, 3, 3, c->iss);
	e = (struct icmp_err){ .type = 3, .code = 3, .seq = c->iss,
		.quote_proto = IPPROTO_UDP };
	inject_icmp_err(c, &e);
	e = (struct icmp_err){ .type = 3, .code = 3, .seq = c->iss,
		.quote_src = OTHER_IP };
	inject_icmp_err(c, &e);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_SYN_SENT);
	assert_int_equal(c->app.n_closed, 0);
	assert_icmp(&o, 0, 0, 0, 6, 0);

	o = icmp_now();
	e = (struct icmp_err){ .type = 3, .code = 3, .seq = c->iss,
		.quote_ihl = 7, .split = 14 + 20 + 8 + 22 };
	inject_icmp_err(c, &e);
	pass();
	assert_icmp(&o, 1, 0, 1, 0, 0);
	assert_int_equal(c->app.n_closed, 1);
	assert_int_equal(c->app.why, LM_TCP_END_UNREACHABLE);
}

/*
 * A passive connection in SYN-RECEIVED: a hard error quoting our SYN-ACK
 * gives the TCB back (no app is attached yet), as Linux drops the request.
 */
static void
test_icmp_hard_ends_syn_rcvd(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used = w->tcp.n_used;
	struct icmp_ctr o;
	struct seg s = { .sport = PEER_PORT, .dport = LISTEN_PORT, .seq = 777,
		.flags = TH_SYN, .win = WND_MAX, .mss = 1000 };
	const struct out_frame *f;

	(void)state;
	assert_int_equal(lm_tcp_listen(w, 0, LISTEN_PORT, &test_ops, NULL), 0);
	c->lport = LISTEN_PORT;
	c->irs = 777;
	peer_send(&s);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN | TH_ACK);
	c->iss = f->seq;
	assert_int_equal(w->tcp.n_used, used + 1);
	o = icmp_now();
	icmp(c, 3, 3, c->iss);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used);
	assert_icmp(&o, 1, 0, 1, 0, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_icmp_hard_ends_syn_sent),
		T(test_icmp_soft_names_the_timeout),
		T(test_icmp_soft_then_syn_ack),
		T(test_icmp_frag_needed_counted),
		T(test_icmp_hard_spares_established),
		T(test_icmp_validated),
		T(test_icmp_hard_ends_syn_rcvd),
		cmocka_unit_test(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
