/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: the passive side of TCP — listeners, SYN-RECEIVED and the
 * SYN-ACK (RFC 9293 3.10.7.2 and 3.10.7.4), as our emulated servers use it.
 * The test plays a client (198.18.0.2, port 80) connecting to our port
 * 8080. See tcp_harness.h for how the tests run.
 */
#include "tcp_harness.h"

#define LISTEN_PORT 8080

/* The client's SYN: ISS irs, MSS 1000, SACK-permitted when sack. */
static void
client_syn(struct conn *c, uint32_t irs, bool sack)
{
	struct seg s = { .sport = PEER_PORT, .dport = LISTEN_PORT, .seq = irs,
		.flags = TH_SYN, .win = WND_MAX, .mss = 1000, .sack_perm = sack };

	c->lport = LISTEN_PORT;
	c->irs = irs;
	peer_send(&s);
}

/* Our SYN-ACK to c's SYN; records our ISS. */
static void
take_syn_ack(struct conn *c)
{
	const struct out_frame *f = one_out();

	assert_true(is_seg_of(f, c));
	assert_int_equal(f->flags, TH_SYN | TH_ACK);
	assert_int_equal(f->ack, c->irs + 1);
	assert_int_equal(f->paylen, 0);
	assert_int_equal(opt_mss(f), OUR_MSS);
	c->iss = f->seq;
}

static void
listen_here(void)
{
	assert_int_equal(lm_tcp_listen(env.w, 0, LISTEN_PORT, &test_ops, NULL), 0);
}

/*
 * A SYN to a listener opens a connection in SYN-RECEIVED, answered with a
 * SYN-ACK that offers only what the SYN offered (SACK-permitted here; no
 * window scale, no timestamps: the client sent neither; RFC 7323 1.3, RFC
 * 2018 2). The client's ACK establishes it and the app is attached
 * (accept); data flows both ways, our bytes within the client's MSS. The
 * client's sequence numbers wrap past 2^32.
 */
static void
test_passive_open(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint64_t syn0 = w->ctr->tcp_syn_received, opened0 = w->ctr->conn_opened;
	const struct out_frame *f;

	(void)state;
	w->tcp.sack = true;
	w->tcp.window_scaling = true;
	w->tcp.timestamps = true;
	listen_here();
	client_syn(c, 0xfffffff0, true);
	pass();
	take_syn_ack(c);
	f = &env.out[0];
	assert_true(opt_has(f, 4));
	assert_false(opt_has(f, 3));
	assert_false(opt_has(f, 8));
	assert_int_equal(w->tcp.n_used, used0 + 1);
	assert_int_equal(w->ctr->tcp_syn_received, syn0 + 1);
	assert_int_equal(c->app.n_connected, 0);

	env.accept_into = c;
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_non_null(c->tcb);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_connected, 1);
	assert_int_equal(w->ctr->conn_opened, opened0 + 1);
	assert_true(c->tcb->flags & LM_TCBF_SACK);

	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 0), WND_MAX, 300);
	pass();
	assert_int_equal(c->app.rx_len, 300);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 300), 0);

	lm_tcp_send(w, c->tcb, 2500);
	pass();
	assert_int_equal(env.n_out, 3);
	assert_data(&env.out[0], c, 0, 1000);
	assert_data(&env.out[1], c, 1000, 1000);
	assert_data(&env.out[2], c, 2000, 500);
	peer_seg(c, TH_ACK, RCV(c, 300), SND(c, 2500), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
}

/*
 * The handshake's ACK may carry the first data: it is established and
 * delivered at once (RFC 9293 3.10.7.4: "continue processing").
 */
static void
test_passive_ack_with_data(void **state)
{
	struct conn *c = &conns[0];

	(void)state;
	listen_here();
	client_syn(c, 0x1000, false);
	pass();
	take_syn_ack(c);
	assert_false(opt_has(&env.out[0], 4));
	env.accept_into = c;
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 0), WND_MAX, 120);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.rx_len, 120);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 120), 0);
}

/*
 * SYN-RECEIVED: the SYN-ACK is sent again on the retransmission timer
 * (1 s, then doubling) and at once when the client's SYN comes again; after
 * syn_retries the half-open connection goes, silently (no app ever saw
 * it).
 */
static void
test_passive_syn_ack_retransmitted(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;

	(void)state;
	w->tcp.syn_retries = 2;
	listen_here();
	client_syn(c, 0x2000, false);
	pass();
	take_syn_ack(c);
	advance_us(999 * MS);
	assert_int_equal(env.n_out, 0);
	advance_us(2 * MS);
	take_syn_ack(c);
	client_syn(c, 0x2000, false);
	pass();
	take_syn_ack(c);
	advance_us(2001 * MS);
	take_syn_ack(c);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	advance_us(4001 * MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(c->app.n_connected, 0);
	assert_int_equal(c->app.n_closed, 0);
}

/*
 * SYN-RECEIVED: an ACK that is not of our SYN-ACK draws
 * <SEQ=SEG.ACK><CTL=RST> and changes nothing; an RST in the window ends the
 * half-open connection, silently.
 */
static void
test_passive_bad_ack_and_rst(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	const struct out_frame *f;

	(void)state;
	listen_here();
	client_syn(c, 0x3000, false);
	pass();
	take_syn_ack(c);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 100), WND_MAX, 0);
	pass();
	f = one_out();
	assert_true(is_seg_of(f, c));
	assert_int_equal(f->flags, TH_RST);
	assert_int_equal(f->seq, SND(c, 100));
	assert_int_equal(w->tcp.n_used, used0 + 1);

	peer_seg(c, TH_RST, RCV(c, 0), 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(c->app.n_closed, 0);
}

/*
 * Refusals: a SYN to a port nobody listens on, and an ACK to the listening
 * port without a connection, draw an RST (RFC 9293 3.10.7.1, 3.10.7.2);
 * an app that refuses the connection (accept returns NULL) makes it reset.
 * Listening twice on a port, or on more than LM_TCP_MAX_LISTEN, fails.
 */
static void
test_listen_refusals(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	struct seg s = { .sport = PEER_PORT, .dport = 9999, .seq = 77,
		.flags = TH_SYN, .win = WND_MAX };
	const struct out_frame *f;

	(void)state;
	listen_here();
	assert_int_equal(lm_tcp_listen(w, 0, LISTEN_PORT, &test_ops, NULL),
			 -EEXIST);
	for (uint16_t p = 1; w->tcp.n_listen < LM_TCP_MAX_LISTEN; p++)
		assert_int_equal(lm_tcp_listen(w, 0, p, &test_ops, NULL), 0);
	assert_int_equal(lm_tcp_listen(w, 0, 9000, &test_ops, NULL), -ENOSPC);

	peer_send(&s);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_RST | TH_ACK);
	assert_int_equal(f->ack, 78);

	s = (struct seg){ .sport = PEER_PORT, .dport = LISTEN_PORT, .seq = 5,
		.ack = 1234, .flags = TH_ACK, .win = WND_MAX };
	peer_send(&s);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_RST);
	assert_int_equal(f->seq, 1234);
	assert_int_equal(w->tcp.n_used, used0);

	/* nobody to take it: reset once established */
	client_syn(c, 0x4000, false);
	pass();
	take_syn_ack(c);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 0);
	pass();
	f = one_out();
	assert_true(is_seg_of(f, c));
	assert_true(f->flags & TH_RST);
	assert_int_equal(w->tcp.n_used, used0);
}

/*
 * Flow ownership (net/owner.h): a passive connection belongs to the worker
 * its client's port names (halved: 80 / 2 % 3 = 1, ours; 40000 / 2 % 3 =
 * 2), an active one to the worker its own port names. The worker under
 * test (1 of 3) counts every segment it handles for a flow it does not own
 * (the SYN from 40000), none for its own (the connection from 80), nor for
 * a connection it opened (the source port it chose is its own, and is not
 * the listening port).
 */
static void
test_not_owner_counted(void **state)
{
	struct lm_worker *w = env.w;
	uint64_t n0 = w->ctr->tcp_not_owner;
	struct seg s = { .sport = 40000, .dport = LISTEN_PORT, .seq = 9,
		.flags = TH_SYN, .win = WND_MAX };
	struct conn *c = &conns[0], *a = &conns[1];

	(void)state;
	listen_here();
	peer_send(&s);
	pass();
	assert_int_equal(one_out()->flags, TH_SYN | TH_ACK);
	assert_int_equal(w->ctr->tcp_not_owner, n0 + 1);

	client_syn(c, 0x5000, false);
	pass();
	take_syn_ack(c);
	env.accept_into = c;
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(w->ctr->tcp_not_owner, n0 + 1);

	open_conn(a, 0x6000, 1460, WND_MAX, 100);
	assert_int_equal(a->lport % N_WORKERS, WORKER_ID);
	assert_int_not_equal(a->lport, LISTEN_PORT);
	peer_seg(a, TH_ACK | TH_PSH, RCV(a, 0), SND(a, 0), WND_MAX, 10);
	pass();
	assert_int_equal(a->app.rx_len, 10);
	assert_int_equal(w->ctr->tcp_not_owner, n0 + 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_passive_open),
		T(test_passive_ack_with_data),
		T(test_passive_syn_ack_retransmitted),
		T(test_passive_bad_ack_and_rst),
		T(test_listen_refusals),
		T(test_not_owner_counted),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
