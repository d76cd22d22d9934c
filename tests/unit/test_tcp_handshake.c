/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the opening of a connection (SYN-SENT, RFC 9293 3.5 and
 * 3.10.7.3): the SYN and its MSS option, the handshake, the send MSS, SYN
 * retransmission and time-out (RFC 6298), and refusal by RST.
 *
 * The harness (tcp_harness.h) plays the peer and runs the worker on
 * virtual time; each test says which RFC requirement it checks.
 */
#include "tcp_harness.h"

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
/* SYN retransmission */

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
		assert_int_equal(lm_tcp_rto_us(c->tcb), rto);
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
/* Refused */

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

/* ------------------------------------------------------------------ */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_connect_handshake),
		T(test_connect_mss_absent_or_large),
		T(test_syn_retransmit_and_timeout),
		T(test_syn_timeout_rto_reinit_3s),
		T(test_refused_and_bad_rst_in_syn_sent),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
