/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the end of a connection: active close through FIN-WAIT-1,
 * FIN-WAIT-2 and TIME-WAIT, the FIN-WAIT-2 time-out, passive close through
 * CLOSE-WAIT and LAST-ACK, simultaneous close through CLOSING (RFC 9293
 * 3.6), and reset (RFC 9293 3.10.7.4, RFC 5961).
 *
 * The harness (tcp_harness.h) plays the peer and runs the worker on
 * virtual time; each test says which RFC requirement it checks.
 */
#include "tcp_harness.h"

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
	rto = lm_tcp_rto_us(c->tcb);

	lm_tcp_close(w, c->tcb);
	assert_int_equal(c->tcb->state, LM_TCP_FIN_WAIT_1);
	assert_int_equal(w->tcp.n_closing, 1);
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
	assert_int_equal(w->tcp.n_closing, 0);
	assert_int_equal(w->tcp.n_time_wait, 1);

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
	assert_int_equal(w->tcp.n_closing, 1);
	advance_us(t - MS);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	advance_us(2 * MS);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(w->tcp.n_closing, 0);
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
	assert_int_equal(w->tcp.n_closing, 1);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 100), RCV(c, 301), 0);
	peer_seg(c, TH_ACK, RCV(c, 301), SND(c, 101), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(w->tcp.n_closing, 0);
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
	assert_int_equal(w->tcp.n_closing, 1);
	assert_seg(one_out(), c, TH_ACK, SND(c, 1), RCV(c, 1), 0);

	peer_seg(c, TH_ACK, RCV(c, 1), SND(c, 1), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_TIME_WAIT);
	assert_int_equal(w->tcp.n_closing, 0);

	advance_us((uint64_t)w->tcp.time_wait_ms * MS + MS);
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->tcp.n_used, used0);
}

/* ------------------------------------------------------------------ */
/* Reset */

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

/*
 * RFC 9293 3.10.7.4, TIME-WAIT: a retransmission of the peer's FIN (our
 * ACK of it was lost) is acknowledged again and restarts the 2 MSL wait,
 * so the peer's next retransmission still finds the connection.
 */
static void
test_time_wait_restarted_by_fin(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	uint64_t tw = (uint64_t)w->tcp.time_wait_ms * MS;

	(void)state;
	open_conn(c, 0xfffffff0, OUR_MSS, WND_MAX, 0);
	lm_tcp_close(w, c->tcb);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, SND(c, 0), RCV(c, 0), 0);
	peer_seg(c, TH_FIN | TH_ACK, RCV(c, 0), SND(c, 1), WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 1), RCV(c, 1), 0);
	assert_int_equal(c->tcb->state, LM_TCP_TIME_WAIT);

	advance_us(tw / 2);
	peer_seg(c, TH_FIN | TH_ACK, RCV(c, 0), SND(c, 1), WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 1), RCV(c, 1), 0);
	/* counted once, however many FINs come */
	assert_int_equal(w->tcp.n_time_wait, 1);
	assert_int_equal(w->tcp.n_closing, 0);
	/* the wait runs from the retransmission now */
	advance_us(tw - MS);
	assert_int_equal(c->tcb->state, LM_TCP_TIME_WAIT);
	assert_int_equal(w->tcp.n_used, used0 + 1);
	advance_us(2 * MS);
	assert_int_equal(w->tcp.n_used, used0);
	assert_int_equal(w->tcp.n_time_wait, 0);
	assert_int_equal(c->app.n_closed, 0);
}

/* ------------------------------------------------------------------ */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_close_active_time_wait),
		T(test_close_fin_wait_2_timeout),
		T(test_close_passive_last_ack),
		T(test_close_simultaneous),
		T(test_reset_exact_and_challenge_ack),
		T(test_time_wait_restarted_by_fin),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
