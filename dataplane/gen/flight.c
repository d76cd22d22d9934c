/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The pool of flights (gen/session.h, struct lm_flight): what a step needs
 * while it waits on its connection, lent when the step starts and given
 * back when it ends. A user per flight up to LM_FLIGHTS_MAX per worker;
 * beyond, users take turns, in order.
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "gen/session_int.h"

/* Steps waiting on connections at once, per worker, at most (lm_session.fl: 16 bits). */
#define LM_FLIGHTS_MAX 65535u

int
lm_flight_pool_init(struct lm_worker *w, uint32_t n_users)
{
	struct lm_gen *g = &w->gen;

	g->n_flights = RTE_MIN(n_users, LM_FLIGHTS_MAX);
	if (g->n_flights == 0)
		return 0;
	g->flights = rte_zmalloc_socket("lm_flights",
					sizeof(*g->flights) * g->n_flights,
					RTE_CACHE_LINE_SIZE,
					rte_lcore_to_socket_id(w->lcore));
	if (g->flights == NULL)
		return -ENOMEM;
	for (uint32_t i = g->n_flights; i-- > 0;) {
		g->flights[i].next_free = g->flight_free;
		g->flight_free = &g->flights[i];
	}
	return 0;
}

/*
 * Lend s a flight for the step it starts; false when none is free: s then
 * waits, in order, for one to be given back (counted, load.flight_waits).
 */
bool
lm_flight_take(struct lm_worker *w, struct lm_session *s)
{
	struct lm_gen *g = &w->gen;
	struct lm_flight *fl = g->flight_free;

	if (unlikely(fl == NULL)) {
		LM_STAT_INC(w->ctr->flight_waits);
		s->waiting = true;
		s->ready_next = 0;
		if (g->wait_tail != NULL)
			g->wait_tail->ready_next = sess_link(g, s);
		else
			g->wait_head = s;
		g->wait_tail = s;
		return false;
	}
	g->flight_free = fl->next_free;
	g->n_flights_used++;
	s->fl = (uint16_t)(fl - g->flights + 1);
	return true;
}

/* The step of s is over: its flight goes to the first one waiting. */
void
lm_flight_put(struct lm_worker *w, struct lm_session *s)
{
	struct lm_gen *g = &w->gen;
	struct lm_session *next = g->wait_head;

	struct lm_flight *fl = sess_fl(w, s);

	fl->next_free = g->flight_free;
	g->flight_free = fl;
	g->n_flights_used--;
	s->fl = 0;
	if (next == NULL)
		return;
	g->wait_head = sess_unlink(g, next->ready_next);
	if (g->wait_head == NULL)
		g->wait_tail = NULL;
	next->waiting = false;
	lm_sess_ready(w, next);
}
