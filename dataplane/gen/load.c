/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Load models: who starts when.
 *
 * Closed model: a number of users, each running runs back to back. The
 * level is "users", or follows "stages" (linear ramps between targets);
 * "spawn_rate" limits how fast users start, as Locust's hatch rate. When
 * the level goes down, the users above it leave after their current run.
 *
 * Open model: sessions (users that run one run) arrive at "rate" per
 * second, evenly spaced or as a Poisson process, whatever the server does.
 * An arrival that finds no free session slot ("max_users" in flight)
 * waits in a backlog and starts late: its latency counts from when it was
 * due (coordinated omission), and the start counts as late.
 *
 * Each worker carries its share: rates and levels are divided by the
 * number of workers, remainders going to the lowest worker ids, so the
 * totals follow the plan whatever the worker count.
 */
#include <errno.h>
#include <math.h>

#include <rte_malloc.h>

#include "worker.h"
#include "gen/session.h"
#include "gen/session_int.h"

#define LM_LOAD_CHECK_US 1000      /* the level is recomputed every ms */
#define LM_ARRIVALS_PER_PASS 4096  /* bound on arrivals queued per pass */
#define LM_LATE_NS 1000000         /* a start this late counts as late */

static double
elapsed_s(const struct lm_worker *w)
{
	return (double)(w->now - w->gen.t0) / (double)w->hz;
}

/* The plan's level (users or rate) t seconds in: stages, or constant. */
static double
level_at(const struct lm_plan_load *l, double t, double constant)
{
	double from = 0, at = 0;

	if (l->n_stages == 0)
		return constant;
	for (uint32_t i = 0; i < l->n_stages; i++) {
		const struct lm_load_stage *st = &l->stages[i];

		if (t < at + st->duration_s && st->duration_s > 0)
			return from + (st->target - from) * (t - at) / st->duration_s;
		from = st->target;
		at += st->duration_s;
	}
	return from;
}

/* This worker's part of a total: whole units, remainders to low ids. */
static uint32_t
share_of(const struct lm_worker *w, uint64_t total)
{
	return (uint32_t)(total / w->n_workers +
			  (w->id < total % w->n_workers ? 1 : 0));
}

int
lm_load_init(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;
	const struct lm_plan_load *l = &w->plan->load;

	g->open = l->model == LM_LOAD_OPEN;
	g->free_slots = NULL;
	if (!g->open)
		return 0;
	/* arrivals that find every slot taken wait here (about 1 s of them) */
	g->bl_cap = 65536;
	g->backlog = rte_malloc_socket("lm_backlog", sizeof(uint64_t) * g->bl_cap,
				       RTE_CACHE_LINE_SIZE,
				       rte_lcore_to_socket_id(w->lcore));
	/* how late each session started: its latencies count from when it was due */
	g->lags = rte_zmalloc_socket("lm_lags", sizeof(uint64_t) *
				     (g->n_sessions ? g->n_sessions : 1), 0,
				     rte_lcore_to_socket_id(w->lcore));
	if (g->backlog == NULL || g->lags == NULL)
		return -ENOMEM;
	for (uint32_t i = g->n_sessions; i-- > 0;) {
		g->sessions[i].ready_next = sess_link(g, g->free_slots);
		g->free_slots = &g->sessions[i];
	}
	return 0;
}

void
lm_load_fini(struct lm_worker *w)
{
	rte_free(w->gen.backlog);
	rte_free(w->gen.lags);
	w->gen.backlog = NULL;
	w->gen.lags = NULL;
}

/*
 * The credit at which the next session arrives: 1 for evenly spaced
 * arrivals; an exponential draw for a Poisson process (arrivals come when
 * the integral of the rate reaches it: the time-change construction, which
 * also holds while stages change the rate).
 */
static double
next_threshold(struct lm_worker *w)
{
	double u;

	if (w->plan->load.arrival != LM_ARRIVAL_POISSON)
		return 1.0;
	u = ((double)(lm_rand(w) >> 11) + 0.5) * 0x1.0p-53;
	return -log(u);
}

void
lm_load_start(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	g->t0 = w->now;
	g->next_check = w->now;
	if (g->open) {
		g->t_acc = w->now;
		g->threshold = next_threshold(w);
		/* workers interleave evenly spaced arrivals: i / n of one apart */
		g->credit = g->threshold * (1.0 - (double)(w->id + 1) / w->n_workers);
	}
	lm_load_poll(w);
}

static void
closed_poll(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;
	const struct lm_plan_load *l = &w->plan->load;
	double t = elapsed_s(w);
	double set = lm_worker_level(w);
	uint64_t level = (uint64_t)llround(set >= 0 ? set :
					    level_at(l, t, l->users));
	uint64_t may_start = UINT64_MAX;
	uint32_t target = share_of(w, level);

	if (target > g->n_sessions)
		target = g->n_sessions;
	if (l->spawn_rate > 0)
		may_start = (uint64_t)(l->spawn_rate / w->n_workers * t) + 1;
	/*
	 * Users below the level that are not running start (rate
	 * permitting). Every user below g->first_stopped runs, so the walk
	 * starts there (a user that stops moves it back: lm_load_user_done):
	 * a check costs the users it starts, not the users there are.
	 */
	{
		uint32_t i = g->first_stopped;

		for (; i < target && g->spawned < may_start; i++) {
			struct lm_session *s = &g->sessions[i];

			if (s->state != LM_SESS_STOPPED)
				continue;
			g->spawned++;
			lm_sess_begin(w, s, 0);
		}
		g->first_stopped = i;
	}
	/* users above it leave after their current run (when it went down) */
	for (uint32_t i = target; i < g->target; i++)
		if (g->sessions[i].state != LM_SESS_STOPPED)
			g->sessions[i].leaving = true;
	g->target = target;
	/*
	 * With stages, the load is over once the last stage has ended at 0;
	 * otherwise when max_runs is used up (lm_gen_take_run) or at the end.
	 */
	if (l->n_stages > 0 && l->stages[l->n_stages - 1].target == 0) {
		double total = 0;

		for (uint32_t i = 0; i < l->n_stages; i++)
			total += l->stages[i].duration_s;
		if (t >= total)
			g->no_more = true;
	}
}

static void
backlog_push(struct lm_worker *w, uint64_t due)
{
	struct lm_gen *g = &w->gen;

	LM_STAT_INC(w->ctr->sessions_arrived);
	if (g->bl_n == g->bl_cap) {
		LM_STAT_INC(w->ctr->arrivals_dropped);
		LM_STAT_INC(w->ctr->late_starts);
		return;
	}
	g->backlog[(g->bl_head + g->bl_n) % g->bl_cap] = due;
	g->bl_n++;
}

static void
open_poll(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;
	const struct lm_plan_load *l = &w->plan->load;
	unsigned int n = 0;

	/*
	 * Queue what has come due: integrate this worker's share of the rate
	 * over time, a millisecond at a time at most (stages change it), and
	 * let a session arrive each time the integral reaches the threshold.
	 */
	while (!g->draining && !g->no_more && g->t_acc < w->now &&
	       n < LM_ARRIVALS_PER_PASS) {
		uint64_t end = g->t_acc + w->hz / 1000;
		double t, r, dt, need;

		if (end > w->now)
			end = w->now;
		t = ((double)(g->t_acc - g->t0) + (double)(end - g->t_acc) / 2) /
			(double)w->hz;
		r = lm_worker_level(w);
		r = (r >= 0 ? r : level_at(l, t, l->rate)) / w->n_workers;
		dt = (double)(end - g->t_acc) / (double)w->hz;
		need = g->threshold - g->credit;
		if (r > 0 && r * dt >= need) {
			uint64_t at = g->t_acc + (uint64_t)(need / r * (double)w->hz);

			if (!lm_gen_take_run(w)) {
				g->no_more = true;
				break;
			}
			backlog_push(w, at);
			n++;
			g->t_acc = at > g->t_acc ? at : g->t_acc + 1;
			g->credit = 0;
			g->threshold = next_threshold(w);
			continue;
		}
		g->credit += r * dt;
		g->t_acc = end;
	}
	/* start the backlog, oldest first, while there are free slots */
	while (g->bl_n > 0 && g->free_slots != NULL) {
		struct lm_session *s = g->free_slots;
		uint64_t due = g->backlog[g->bl_head];
		uint64_t lag = w->now > due ? w->now - due : 0;

		g->free_slots = sess_unlink(g, s->ready_next);
		s->ready_next = 0;
		g->bl_head = (g->bl_head + 1) % g->bl_cap;
		g->bl_n--;
		if (lag * 1000000000ull / w->hz >= LM_LATE_NS)
			LM_STAT_INC(w->ctr->late_starts);
		lm_sess_begin(w, s, lag);
	}
	if (g->draining && g->bl_n > 0) {
		/* due but never started: they were late, and now they are off */
		LM_STAT_ADD(w->ctr->arrivals_dropped, g->bl_n);
		LM_STAT_ADD(w->ctr->late_starts, g->bl_n);
		g->bl_n = 0;
	}
	if (g->draining)
		g->no_more = true;
}

void
lm_load_poll(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	if (!g->started)
		return;
	if (g->open) {
		open_poll(w);
		return;
	}
	if (w->now < g->next_check || g->draining)
		return;
	g->next_check = w->now + w->hz / (1000000 / LM_LOAD_CHECK_US);
	closed_poll(w);
}

void
lm_load_user_done(struct lm_worker *w, struct lm_session *s)
{
	struct lm_gen *g = &w->gen;
	uint32_t i = (uint32_t)(s - g->sessions);

	if (!g->open) {
		if (i < g->first_stopped)
			g->first_stopped = i;
		return;
	}
	s->ready_next = sess_link(g, g->free_slots);
	g->free_slots = s;
}
