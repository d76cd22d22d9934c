/* SPDX-License-Identifier: BSD-3-Clause */
/* Layout of the statistics area (see include/lm/stats.h). */
#include <string.h>

#include <lm/stats.h>

#define LM_CACHE_LINE 64

static const char *const lm_err_names[LM_ERR_MAX] = {
	[LM_ERR_CONNECT_TIMEOUT] = "connect_timeout",
	[LM_ERR_REFUSED] = "refused",
	[LM_ERR_RESET] = "reset",
	[LM_ERR_TIMEOUT] = "timeout",
	[LM_ERR_RETRANSMIT_LIMIT] = "retransmit_limit",
	[LM_ERR_CLOSED] = "closed",
	[LM_ERR_STATUS] = "status",
	[LM_ERR_PROTOCOL] = "protocol",
	[LM_ERR_HEAD_TOO_LARGE] = "head_too_large",
	[LM_ERR_BODY_MISMATCH] = "body_mismatch",
	[LM_ERR_CAPTURE] = "capture",
	[LM_ERR_NO_RESOURCES] = "no_resources",
	[LM_ERR_ABORTED] = "aborted",
	[LM_ERR_UNREACHABLE] = "unreachable",
};

const char *
lm_err_name(enum lm_err e)
{
	if ((unsigned)e >= LM_ERR_MAX)
		return "unknown";
	return lm_err_names[e];
}

static size_t
align_up(size_t n)
{
	return (n + LM_CACHE_LINE - 1) & ~(size_t)(LM_CACHE_LINE - 1);
}

void
lm_stats_layout_init(struct lm_stats_layout *l, uint32_t n_workers,
		     uint32_t n_scenarios, uint32_t n_steps)
{
	l->n_workers = n_workers;
	l->n_scenarios = n_scenarios;
	l->n_steps = n_steps;
	lm_stats_layout_servers(l, 0, 0);
}

void
lm_stats_layout_servers(struct lm_stats_layout *l, uint32_t n_servers,
			uint32_t n_routes)
{
	l->n_servers = n_servers;
	l->n_routes = n_routes;
	/* each part starts on its own cache line; slots never share one */
	l->slot_size = align_up(sizeof(struct lm_worker_counters)) +
		align_up(sizeof(struct lm_scenario_counters) * l->n_scenarios) +
		align_up(sizeof(struct lm_step_stats) * l->n_steps) +
		align_up(sizeof(struct lm_route_stats) * n_routes) +
		align_up(sizeof(struct lm_server_stats) * n_servers);
}

void
lm_stats_slot(const struct lm_stats_layout *l, void *area, uint32_t i,
	      struct lm_stats_slot_view *v)
{
	char *p = (char *)area + l->slot_size * i;

	v->w = (struct lm_worker_counters *)p;
	p += align_up(sizeof(struct lm_worker_counters));
	v->scen = (struct lm_scenario_counters *)p;
	p += align_up(sizeof(struct lm_scenario_counters) * l->n_scenarios);
	v->steps = (struct lm_step_stats *)p;
	p += align_up(sizeof(struct lm_step_stats) * l->n_steps);
	v->routes = (struct lm_route_stats *)p;
	p += align_up(sizeof(struct lm_route_stats) * l->n_routes);
	v->servers = (struct lm_server_stats *)p;
}

void
lm_stats_slot_init(const struct lm_stats_layout *l,
		   struct lm_stats_slot_view *v)
{
	memset(v->w, 0, sizeof(*v->w));
	memset(v->scen, 0, sizeof(*v->scen) * l->n_scenarios);
	memset(v->routes, 0, sizeof(*v->routes) * l->n_routes);
	memset(v->servers, 0, sizeof(*v->servers) * l->n_servers);
	for (uint32_t i = 0; i < l->n_steps; i++) {
		struct lm_step_stats *s = &v->steps[i];

		memset(s, 0, offsetof(struct lm_step_stats, connect));
		lm_hdr_init(&s->connect);
		lm_hdr_init(&s->ttfb);
		lm_hdr_init(&s->latency);
		lm_hdr_init(&s->latency_raw);
	}
}
