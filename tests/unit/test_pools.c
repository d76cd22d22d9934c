/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: leak accounting (dataplane/pools.c, control/pools_report.c).
 * A worker is made to hold things (a connection with data held past a
 * hole, one in TIME-WAIT), then to lose some on purpose (a TCB taken off
 * the free list and an mbuf taken from the pool, both forgotten; an open
 * connection left with no application and no timer): the
 * census must find each, and the report's still-held list must name the
 * pool, the count and the reason. Once everything is given back, the list
 * is empty. See tcp_harness.h for how the worker runs.
 */
#include "tcp_harness.h"

#include "pools.h"
#include "pools_report.h"

/* The pools of the worker under test, as the control plane fills them. */
static void
take_census(struct lm_pool_counters *p, const struct lm_census *start)
{
	memset(p, 0, sizeof(*p));
	p->census = true;
	p->start = *start;
	lm_worker_census(env.w, &p->end);
	p->mbufs = env.pool->size;
	p->mbufs_free_start = env.pool_avail;
	p->mbufs_free_end = rte_mempool_avail_count(env.pool);
}

/* The count of the entry of the list for pool and why; 0 when none. */
static uint64_t
held(const struct lm_held *h, uint32_t n, const char *pool, const char *why)
{
	for (uint32_t i = 0; i < n; i++)
		if (strcmp(h[i].pool, pool) == 0 && strcmp(h[i].why, why) == 0)
			return h[i].count;
	return 0;
}

/* The report's text for p (static buffer). */
static const char *
report_text(const struct lm_pool_counters *p)
{
	static char buf[4096];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	assert_non_null(f);
	lm_pools_text(f, p);
	fclose(f);
	return buf;
}

static void
test_still_held_named(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c0 = &conns[0], *c1 = &conns[1];
	struct lm_census start = {0};
	struct lm_pool_counters p;
	struct lm_held h[LM_HELD_MAX];
	struct lm_tcb *lost_tcb;
	struct rte_mbuf *lost_mbuf;
	uint32_t n;

	(void)state;
	lm_worker_census(w, &start);
	assert_int_equal(start.tcbs, N_TCBS);
	assert_int_equal(start.tcbs_used, 0);
	assert_int_equal(start.ooo_segments_used, 0);
	take_census(&p, &start);
	assert_int_equal(lm_pools_held(&p, h, LM_HELD_MAX), 0);
	assert_non_null(strstr(report_text(&p),
			       "pools: every pool back at its starting level"));

	/* c0 holds two segments past a hole; c1 waits in TIME-WAIT */
	open_conn(c0, 0x1000, 1000, WND_MAX, 0);
	peer_seg(c0, TH_ACK, RCV(c0, 1000), SND(c0, 0), WND_MAX, 1000);
	peer_seg(c0, TH_ACK, RCV(c0, 2000), SND(c0, 0), WND_MAX, 1000);
	pass();
	open_conn(c1, 0x2000, 1000, WND_MAX, 0);
	lm_tcp_close(w, c1->tcb);
	pass();
	peer_seg(c1, TH_ACK, RCV(c1, 0), SND(c1, 1), WND_MAX, 0);
	peer_seg(c1, TH_FIN | TH_ACK, RCV(c1, 0), SND(c1, 1), WND_MAX, 0);
	pass();
	assert_int_equal(c1->tcb->state, LM_TCP_TIME_WAIT);

	/* and two things are lost: taken, and in no place of ours */
	lost_tcb = lm_tcb_alloc(w);
	assert_non_null(lost_tcb);
	lost_mbuf = rte_pktmbuf_alloc(env.pool);
	assert_non_null(lost_mbuf);

	take_census(&p, &start);
	assert_int_equal(p.end.tcbs_used, 3);
	assert_int_equal(p.end.ooo_states_used, 1);
	assert_int_equal(p.end.ooo_segments_used, 2);
	n = lm_pools_held(&p, h, LM_HELD_MAX);
	assert_int_equal(held(h, n, "mbufs", "in out-of-order queues"), 2);
	assert_int_equal(held(h, n, "mbufs",
		"in no queue of the workers: lost (or kept by the port's driver)"), 1);
	assert_int_equal(held(h, n, "tcbs", "in TIME-WAIT"), 1);
	assert_int_equal(held(h, n, "tcbs", "in ESTABLISHED"), 1);
	assert_int_equal(held(h, n, "tcbs", "off the free list in no state: lost"), 1);
	assert_int_equal(held(h, n, "ooo_states", "lent to connections still open"), 1);
	assert_int_equal(held(h, n, "ooo_segments", "in out-of-order queues"), 2);
	/* TIME-WAIT's timer, and c0's (its delayed ACK or none) */
	assert_true(held(h, n, "timers", "armed in TCBs") >= 1);
	assert_int_equal(held(h, n, "timers",
		"armed in nothing the census knows: lost"), 0);
	assert_non_null(strstr(report_text(&p), "pools: still held at the end:\n"));
	assert_non_null(strstr(report_text(&p), "  tcbs: 1 in TIME-WAIT\n"));
	assert_non_null(strstr(report_text(&p), "  mbufs: 2 in out-of-order queues\n"));
	assert_non_null(strstr(report_text(&p),
		"  tcbs: 1 off the free list in no state: lost\n"));

	/*
	 * An orphan: an open connection its app let go without closing it,
	 * and no timer. The end releases it, and reports it.
	 */
	lm_tcb_release(w, lost_tcb, LM_TCP_END_ABORTED);
	rte_pktmbuf_free(lost_mbuf);
	open_conn(&conns[2], 0x4000, 1000, WND_MAX, 0);
	assert_false(lm_timer_armed(&conns[2].tcb->timer));
	conns[2].tcb->app = NULL;
	lm_tcp_release_all(w);
	take_census(&p, &start);
	assert_int_equal(p.end.tcbs_used, 0);
	n = lm_pools_held(&p, h, LM_HELD_MAX);
	assert_int_equal(n, 1);
	assert_int_equal(held(h, n, "tcbs", "orphaned: open with no application "
			      "and no timer at the quit (released then)"), 1);
	assert_non_null(strstr(report_text(&p), "  tcbs: 1 orphaned: "));

	/* what a run's end does: everything back, nothing listed */
	lm_tcp_release_all(w);
	take_census(&p, &start);
	assert_int_equal(lm_pools_held(&p, h, LM_HELD_MAX), 0);
	assert_int_equal(p.end.tcbs_used, 0);
	assert_int_equal(p.end.timers_armed, 0);
	assert_non_null(strstr(report_text(&p),
			       "pools: every pool back at its starting level"));
}

/*
 * The gauges the worker publishes follow the pools: lent, given back.
 */
static void
test_gauges(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];

	(void)state;
	open_conn(c, 0x3000, 1000, WND_MAX, 0);
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	pass();
	lm_worker_gauges(w);
	assert_int_equal(w->ctr->ooo_states_in_use, 1);
	assert_int_equal(w->ctr->ooo_segments_held, 1);
	assert_int_equal(w->ctr->timers_armed, w->wheel.n_armed);
	/* the hole fills: the state and the segment go back */
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 1000);
	pass();
	lm_worker_gauges(w);
	assert_int_equal(c->app.rx_len, 2000);
	assert_int_equal(w->ctr->ooo_states_in_use, 0);
	assert_int_equal(w->ctr->ooo_segments_held, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_still_held_named),
		T(test_gauges),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
