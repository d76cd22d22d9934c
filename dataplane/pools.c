/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker holds from its pools (see pools.h).
 *
 * The census walks the pools' free lists rather than trusting the gauges:
 * an element that a bug forgot to give back is on no free list, whatever
 * a counter says. It then looks for what is taken where it should be (a
 * TCB's state, a user's step, a connection's out-of-order queue, ...), so
 * what is taken and found nowhere is a leak, and what is found is the
 * reason it is held.
 */
#include <rte_mbuf.h>
#include <rte_ring.h>

#include "pools.h"
#include "worker.h"
#include "gen/server.h"

void
lm_worker_gauges(struct lm_worker *w)
{
	uint64_t held = 0;

	for (uint32_t i = 0; i < w->n_ifs; i++)
		held += w->imp_rx[i].n_held + w->imp_tx[i].n_held;
	LM_STAT_SET(w->ctr->flights_in_use, w->gen.n_flights_used);
	LM_STAT_SET(w->ctr->ooo_states_in_use, w->tcp.n_ooo_conns_used);
	LM_STAT_SET(w->ctr->ooo_segments_held, w->tcp.n_ooo_held);
	LM_STAT_SET(w->ctr->srv_states_in_use, lm_server_busy(w));
	LM_STAT_SET(w->ctr->timers_armed, w->wheel.n_armed);
	LM_STAT_SET(w->ctr->impair_held, held);
}

/* Segments of every mbuf of the list. */
static uint64_t
ooo_mbufs(const struct lm_tcb_ooo *o, uint64_t *nodes)
{
	uint64_t n = 0;

	for (const struct lm_ooo_seg *s = o->head; s != NULL; s = s->next) {
		n += s->m->nb_segs;
		(*nodes)++;
	}
	return n;
}

static void
tcp_census(const struct lm_worker *w, struct lm_census *c)
{
	const struct lm_tcp *t = &w->tcp;
	uint64_t free_tcbs = 0, free_states = 0, free_nodes = 0;

	for (uint32_t ref = t->free; ref != 0 && free_tcbs <= t->n_tcbs;
	     ref = t->tcbs[ref - 1].hnext)
		free_tcbs++;
	for (const struct lm_tcb_ooo *o = t->ooo_conn_free; o != NULL &&
	     free_states <= t->n_ooo_conns; o = o->next_free)
		free_states++;
	for (const struct lm_ooo_seg *s = t->ooo_free; s != NULL &&
	     free_nodes <= LM_TCP_OOO_PER_WORKER; s = s->next)
		free_nodes++;
	c->tcbs += t->n_tcbs;
	c->tcbs_orphaned += t->n_orphaned;
	c->tcbs_used += t->n_tcbs - RTE_MIN(free_tcbs, (uint64_t)t->n_tcbs);
	if (t->ooo_conns != NULL) {
		c->ooo_states += t->n_ooo_conns;
		c->ooo_states_used += t->n_ooo_conns -
			RTE_MIN(free_states, (uint64_t)t->n_ooo_conns);
	}
	if (t->ooo_nodes != NULL) {
		c->ooo_segments += LM_TCP_OOO_PER_WORKER;
		c->ooo_segments_used += LM_TCP_OOO_PER_WORKER -
			RTE_MIN(free_nodes, (uint64_t)LM_TCP_OOO_PER_WORKER);
	}
	/* a free TCB is CLOSED: the others are where their state says */
	for (uint32_t i = 0; i < t->n_tcbs; i++) {
		const struct lm_tcb *tcb = &t->tcbs[i];
		const struct lm_tcb_ooo *o;

		if (tcb->state == LM_TCP_CLOSED)
			continue;
		if (tcb->state < LM_CENSUS_TCP_STATES)
			c->tcb_state[tcb->state]++;
		if (lm_timer_armed(&tcb->timer))
			c->timers_tcbs++;
		o = lm_tcb_ooo_of(t, tcb);
		if (o != NULL) {
			c->ooo_states_in_tcbs++;
			c->mbufs_ooo += ooo_mbufs(o, &c->ooo_segments_in_states);
		}
	}
}

static void
gen_census(const struct lm_worker *w, struct lm_census *c)
{
	const struct lm_gen *g = &w->gen;
	uint64_t free_fl = 0;

	for (const struct lm_flight *f = g->flight_free; f != NULL &&
	     free_fl <= g->n_flights; f = f->next_free)
		free_fl++;
	c->flights += g->n_flights;
	c->flights_used += g->n_flights - RTE_MIN(free_fl, (uint64_t)g->n_flights);
	c->users += g->n_sessions;
	c->users_active += g->n_active;
	for (uint32_t i = 0; i < g->n_sessions; i++) {
		const struct lm_session *s = &g->sessions[i];

		if (s->fl != 0)
			c->flights_in_steps++;
		if (lm_timer_armed(&s->timer))
			c->timers_users++;
	}
}

static uint64_t
ring_mbufs(struct rte_ring *r)
{
	return r != NULL ? rte_ring_count(r) : 0;
}

void
lm_worker_census(const struct lm_worker *w, struct lm_census *c)
{
	tcp_census(w, c);
	gen_census(w, c);
	lm_server_census(w, c);
	c->timers_armed += w->wheel.n_armed;
	for (uint32_t i = 0; i < w->n_ifs; i++) {
		c->mbufs_impair += w->imp_rx[i].n_held + w->imp_tx[i].n_held;
		c->mbufs_tx += w->txq[i].n;
	}
	if (w->ho.on)
		for (uint32_t k = 0; k < w->n_workers; k++) {
			/* the rings to w: each counted once, by its consumer */
			if (k != w->id)
				c->mbufs_handoff += ring_mbufs(w->ho.from[k]);
			c->mbufs_handoff += w->ho.n_stage[k];
		}
}

uint64_t
lm_worker_leftovers(struct lm_worker *w)
{
	uint64_t n = 0;
	struct rte_mbuf *m;

	for (uint32_t i = 0; i < w->n_ifs; i++) {
		n += w->imp_rx[i].n_held + w->imp_tx[i].n_held;
		lm_impair_fini(&w->imp_rx[i]);
		lm_impair_fini(&w->imp_tx[i]);
	}
	if (!w->ho.on)
		return n;
	for (uint32_t k = 0; k < w->n_workers; k++) {
		if (k != w->id && w->ho.from[k] != NULL)
			while (rte_ring_dequeue(w->ho.from[k], (void **)&m) == 0) {
				rte_pktmbuf_free(m);
				n++;
			}
		rte_pktmbuf_free_bulk(w->ho.stage + k * LM_RX_BURST,
				      w->ho.n_stage[k]);
		n += w->ho.n_stage[k];
		w->ho.n_stage[k] = 0;
	}
	return n;
}
