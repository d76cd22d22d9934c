/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What users carry beside their 40-byte sessions, only for plans that need
 * it, in per-user arrays of struct lm_gen: a render buffer and a run
 * counter (plans that render templated requests or sends), a variable
 * store (plans with variables), loop frames (plans with loops) and an
 * expect matcher (plans with expect steps); and what all of it costs, for
 * the summary's memory figures.
 */
#include <errno.h>

#include <rte_common.h>
#include <rte_malloc.h>

#include "mem.h"
#include "gen/session_int.h"

/* Whether a step of the plan is a loop. */
static bool
plan_has_loops(const struct lm_plan *p)
{
	for (uint32_t i = 0; i < p->n_scenarios; i++)
		for (uint32_t j = 0; j < p->scenarios[i].n_steps; j++)
			if (p->scenarios[i].steps[j].kind == LM_STEP_LOOP)
				return true;
	return false;
}

/*
 * Templated requests render into a buffer of the largest one's size: the
 * head's bound, then room for the body (app/template.h,
 * lm_tmpl_render_request). 0, or -E2BIG past what a request may hold.
 */
static int
render_buf_size(const struct lm_plan *p, uint32_t *size)
{
	for (uint32_t i = 0; i < p->n_scenarios; i++)
		for (uint32_t j = 0; j < p->scenarios[i].n_steps; j++) {
			const struct lm_step *st = &p->scenarios[i].steps[j];
			const struct lm_http_step *hs = &st->http;
			size_t n;

			if (st->kind != LM_STEP_HTTP || hs->tmpl == NULL)
				continue;
			n = lm_tmpl_max_len(hs->tmpl);
			if (hs->tmpl_body != NULL)
				n += lm_tmpl_max_len(hs->tmpl_body);
			if (n > UINT32_MAX)
				return -E2BIG;
			if (n > *size)
				*size = (uint32_t)n;
		}
	return 0;
}

void
lm_gen_mem(const struct lm_worker *w, struct lm_mem *m)
{
	const struct lm_gen *g = &w->gen;
	uint64_t each = sizeof(struct lm_session) + g->buf_size + g->store_size +
		(g->loops != NULL ? LM_LOOP_DEPTH * sizeof(*g->loops) : 0) +
		(g->raws != NULL ? sizeof(*g->raws) : 0) +
		(g->runs != NULL ? sizeof(*g->runs) : 0) +
		(g->lags != NULL ? sizeof(*g->lags) : 0);
	uint64_t flights = (uint64_t)g->n_flights * sizeof(struct lm_flight);

	/* a server-only plan keeps one unused session: not a user's cost */
	if (g->sessions == NULL || g->n_sessions == 0)
		return;
	m->sessions += g->n_sessions;
	m->session_bytes += (uint64_t)g->n_sessions * each + flights;
	/* flights are lent to steps in progress: their share per user */
	m->session_size = (uint32_t)(each + (flights + g->n_sessions - 1) /
				     g->n_sessions);
}

/* One array of n elements of size bytes for the worker's users, or NULL. */
static void *
user_array(const struct lm_worker *w, const char *name, size_t size,
	   uint32_t n, bool zero)
{
	size_t bytes = size * (n ? n : 1);
	int socket = (int)rte_lcore_to_socket_id(w->lcore);

	return zero ? rte_zmalloc_socket(name, bytes, 0, socket) :
		rte_malloc_socket(name, bytes, 0, socket);
}

int
lm_user_arrays_init(struct lm_worker *w, uint32_t n_users)
{
	struct lm_gen *g = &w->gen;
	const struct lm_plan *p = w->plan;
	int rc;

	/* raw sends (lm_raw_init) may have asked for a buffer already */
	rc = render_buf_size(p, &g->buf_size);
	if (rc != 0)
		return rc;
	if (p->vars != NULL)
		g->store_size = (uint32_t)lm_tmpl_user_size(p->vars);
	if (g->buf_size > 0) {
		g->bufs = user_array(w, "lm_render", g->buf_size, n_users, false);
		/* {{run}} is rendered: a run counter per user beside its buffer */
		g->runs = user_array(w, "lm_runs", sizeof(*g->runs), n_users, true);
		if (g->bufs == NULL || g->runs == NULL)
			return -ENOMEM;
	}
	if (g->store_size > 0) {
		g->stores = user_array(w, "lm_vars", g->store_size, n_users, true);
		if (g->stores == NULL)
			return -ENOMEM;
	}
	if (plan_has_loops(p) && n_users > 0) {
		g->loops = user_array(w, "lm_loops",
				      sizeof(*g->loops) * LM_LOOP_DEPTH, n_users,
				      true);
		if (g->loops == NULL)
			return -ENOMEM;
	}
	if (g->has_expect && n_users > 0) {
		g->raws = user_array(w, "lm_raws", sizeof(*g->raws), n_users,
				     true);
		if (g->raws == NULL)
			return -ENOMEM;
	}
	return 0;
}

void
lm_user_arrays_fini(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	rte_free(g->bufs);
	rte_free(g->runs);
	rte_free(g->stores);
	rte_free(g->loops);
	rte_free(g->raws);
	g->bufs = NULL;
	g->runs = NULL;
	g->stores = NULL;
	g->loops = NULL;
	g->raws = NULL;
}
