/* SPDX-License-Identifier: BSD-3-Clause */
/* Merging worker slots into views (see merge.h). */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "merge.h"

int
lm_view_init(struct lm_view *v, uint32_t n_scenarios, uint32_t n_steps)
{
	memset(v, 0, sizeof(*v));
	v->n_scenarios = n_scenarios;
	v->n_steps = n_steps;
	v->scen = calloc(n_scenarios ? n_scenarios : 1, sizeof(*v->scen));
	v->steps = calloc(n_steps ? n_steps : 1, sizeof(*v->steps));
	if (v->scen == NULL || v->steps == NULL) {
		lm_view_free(v);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < n_steps; i++) {
		lm_hdr_init(&v->steps[i].connect);
		lm_hdr_init(&v->steps[i].ttfb);
		lm_hdr_init(&v->steps[i].latency);
		lm_hdr_init(&v->steps[i].latency_raw);
	}
	return 0;
}

int
lm_view_servers(struct lm_view *v, uint32_t n_servers, uint32_t n_routes)
{
	free(v->routes);
	free(v->servers);
	v->n_routes = n_routes;
	v->n_servers = n_servers;
	v->routes = calloc(n_routes ? n_routes : 1, sizeof(*v->routes));
	v->servers = calloc(n_servers ? n_servers : 1, sizeof(*v->servers));
	return v->routes != NULL && v->servers != NULL ? 0 : -ENOMEM;
}

void
lm_view_free(struct lm_view *v)
{
	free(v->workers);
	v->workers = NULL;
	v->n_workers = 0;
	free(v->routes);
	v->routes = NULL;
	free(v->servers);
	v->servers = NULL;
	free(v->scen);
	free(v->steps);
	v->scen = NULL;
	v->steps = NULL;
}

/* dst[i] += src[i] for n 64-bit counters read with relaxed loads */
static void
add_counters(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

static void
collect(struct lm_view *v, const struct lm_stats_layout *l, void *area,
	bool all)
{
	const size_t step_ctrs = offsetof(struct lm_step_stats, connect) /
		sizeof(uint64_t);

	memset(&v->w, 0, sizeof(v->w));
	memset(v->scen, 0, sizeof(*v->scen) * v->n_scenarios);
	if (v->routes != NULL)
		memset(v->routes, 0, sizeof(*v->routes) * v->n_routes);
	if (v->servers != NULL)
		memset(v->servers, 0, sizeof(*v->servers) * v->n_servers);
	for (uint32_t i = 0; i < v->n_steps; i++) {
		memset(&v->steps[i], 0, offsetof(struct lm_step_stats, connect));
		lm_hdr_init(&v->steps[i].latency);
		if (all) {
			lm_hdr_init(&v->steps[i].connect);
			lm_hdr_init(&v->steps[i].ttfb);
			lm_hdr_init(&v->steps[i].latency_raw);
		}
	}
	for (uint32_t k = 0; k < l->n_workers; k++) {
		struct lm_stats_slot_view s;

		lm_stats_slot(l, area, k, &s);
		add_counters((uint64_t *)&v->w, (const uint64_t *)s.w,
			     sizeof(v->w) / sizeof(uint64_t));
		add_counters((uint64_t *)v->scen, (const uint64_t *)s.scen,
			     sizeof(*v->scen) / sizeof(uint64_t) * v->n_scenarios);
		if (v->routes != NULL && v->n_routes == l->n_routes)
			add_counters((uint64_t *)v->routes,
				     (const uint64_t *)s.routes,
				     sizeof(*v->routes) / sizeof(uint64_t) *
				     v->n_routes);
		if (v->servers != NULL && v->n_servers == l->n_servers)
			add_counters((uint64_t *)v->servers,
				     (const uint64_t *)s.servers,
				     sizeof(*v->servers) / sizeof(uint64_t) *
				     v->n_servers);
		for (uint32_t i = 0; i < v->n_steps; i++) {
			struct lm_step_stats *d = &v->steps[i];

			add_counters((uint64_t *)d, (const uint64_t *)&s.steps[i],
				     step_ctrs);
			lm_hdr_add_live(&d->latency, &s.steps[i].latency);
			if (!all)
				continue;
			lm_hdr_add_live(&d->connect, &s.steps[i].connect);
			lm_hdr_add_live(&d->ttfb, &s.steps[i].ttfb);
			lm_hdr_add_live(&d->latency_raw, &s.steps[i].latency_raw);
		}
	}
}

void
lm_view_collect(struct lm_view *v, const struct lm_stats_layout *l, void *area)
{
	collect(v, l, area, true);
}

void
lm_view_collect_latency(struct lm_view *v, const struct lm_stats_layout *l,
			void *area)
{
	collect(v, l, area, false);
}

int
lm_view_workers(struct lm_view *v, const struct lm_stats_layout *l, void *area)
{
	free(v->workers);
	v->n_workers = 0;
	v->workers = calloc(l->n_workers ? l->n_workers : 1,
			    sizeof(*v->workers));
	if (v->workers == NULL)
		return -ENOMEM;
	v->n_workers = l->n_workers;
	for (uint32_t k = 0; k < l->n_workers; k++) {
		struct lm_worker_share *d = &v->workers[k];
		struct lm_stats_slot_view s;

		lm_stats_slot(l, area, k, &s);
		d->rx_pkts = LM_STAT_GET(s.w->rx_pkts);
		d->tx_pkts = LM_STAT_GET(s.w->tx_pkts);
		d->redirected = LM_STAT_GET(s.w->redirected);
		d->not_owner = LM_STAT_GET(s.w->tcp_not_owner);
		d->conns_opened = LM_STAT_GET(s.w->conn_opened);
		d->syn_received = LM_STAT_GET(s.w->tcp_syn_received);
		for (uint32_t i = 0; i < l->n_scenarios; i++)
			d->runs += LM_STAT_GET(s.scen[i].runs_ok) +
				LM_STAT_GET(s.scen[i].runs_failed);
		for (uint32_t i = 0; i < l->n_steps; i++)
			d->requests += LM_STAT_GET(s.steps[i].requests);
	}
	return 0;
}

void
lm_view_copy(struct lm_view *dst, const struct lm_view *src)
{
	dst->tsc = src->tsc;
	dst->w = src->w;
	memcpy(dst->scen, src->scen, sizeof(*src->scen) * src->n_scenarios);
	memcpy(dst->steps, src->steps, sizeof(*src->steps) * src->n_steps);
	if (dst->routes != NULL && src->routes != NULL &&
	    dst->n_routes == src->n_routes)
		memcpy(dst->routes, src->routes,
		       sizeof(*src->routes) * src->n_routes);
	if (dst->servers != NULL && src->servers != NULL &&
	    dst->n_servers == src->n_servers)
		memcpy(dst->servers, src->servers,
		       sizeof(*src->servers) * src->n_servers);
}

void
lm_view_latency_since(struct lm_hdr *out, const struct lm_view *now,
		      const struct lm_view *before)
{
	struct lm_hdr *d = malloc(sizeof(*d));

	lm_hdr_init(out);
	if (d == NULL)
		return;
	for (uint32_t i = 0; i < now->n_steps; i++) {
		lm_hdr_diff(d, &now->steps[i].latency, &before->steps[i].latency);
		lm_hdr_add(out, d);
	}
	free(d);
}

/* Sum over steps of the counter at offset off of struct lm_step_stats. */
static uint64_t
sum_steps(const struct lm_view *v, size_t off)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < v->n_steps; i++)
		n += *(const uint64_t *)((const char *)&v->steps[i] + off);
	return n;
}

uint64_t
lm_view_requests(const struct lm_view *v)
{
	return sum_steps(v, offsetof(struct lm_step_stats, requests));
}

uint64_t
lm_view_ok(const struct lm_view *v)
{
	return sum_steps(v, offsetof(struct lm_step_stats, ok));
}

uint64_t
lm_view_failed(const struct lm_view *v)
{
	return sum_steps(v, offsetof(struct lm_step_stats, failed));
}
