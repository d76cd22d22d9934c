/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of retransmission (RFC 6298: RTO, backoff, the retry limit)
 * and of the congestion window around it (RFC 5681: loss window, initial
 * window).
 *
 * The harness (tcp_harness.h) plays the peer and runs the worker on
 * virtual time; each test says which RFC requirement it checks.
 */
#include "tcp_harness.h"

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
	rto = lm_tcp_rto_us(c->tcb);
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
		assert_int_equal(lm_tcp_rto_us(c->tcb), rto);
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
	advance_us(lm_tcp_rto_us(c->tcb) + MS);
	assert_data(one_out(), c, 0, 100);
	assert_int_equal(w->ctr->tcp_retransmits, rt0 + 1);
}

/* ------------------------------------------------------------------ */
/* Congestion control (RFC 5681) */

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
	advance_us(lm_tcp_rto_us(c->tcb) + MS);
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_retransmit_backoff_and_limit),
		T(test_retransmit_counted_once),
		T(test_rto_retransmits_earliest_segment_only),
		T(test_initial_window),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
