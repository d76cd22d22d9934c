/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The JSON documents of the HTTP API (/api/status, /api/stats), rendered
 * by the control loop: the API thread (api.c) only serves the copies it is
 * given.
 */
#include <stdlib.h>

#include <jansson.h>

#include "api.h"
#include "report.h"
#include "pools_report.h"

/* ---- the JSON documents ---- */

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static json_t *
latency_ms(const struct lm_hdr *h, bool mean)
{
	json_t *o = json_pack("{s:f, s:f, s:f, s:f, s:f}",
		"p50", ms(lm_hdr_percentile(h, 50)),
		"p90", ms(lm_hdr_percentile(h, 90)),
		"p99", ms(lm_hdr_percentile(h, 99)),
		"p999", ms(lm_hdr_percentile(h, 99.9)),
		"max", ms(lm_hdr_percentile(h, 100)));

	if (o != NULL && mean)
		json_object_set_new(o, "mean", json_real(lm_hdr_mean(h) / 1e6));
	return o;
}

/* A row: counts of s, interval counts from s - b (b may be NULL). */
static json_t *
stats_row(const struct lm_step_stats *s, const struct lm_step_stats *b,
	  const struct lm_hdr *cum, const struct lm_hdr *interval,
	  double interval_s)
{
	double per_s = interval_s > 0 && b != NULL ? 1.0 / interval_s : 0.0;
	uint64_t dreq = b != NULL ? s->requests - b->requests : 0;
	uint64_t dfail = b != NULL ? s->failed - b->failed : 0;

	return json_pack("{s:I, s:I, s:I, s:f, s:f, s:o, s:o, s:I, s:I, s:o}",
		"requests", (json_int_t)s->requests,
		"ok", (json_int_t)s->ok,
		"failed", (json_int_t)s->failed,
		"req_s", (double)dreq * per_s,
		"fail_s", (double)dfail * per_s,
		"latency_ms", latency_ms(cum, true),
		"interval_ms", latency_ms(interval, false),
		"tx_bytes", (json_int_t)s->tx_bytes,
		"rx_bytes", (json_int_t)s->rx_bytes,
		"errors", lm_report_errors_json(s->errors));
}

static void
step_sum(struct lm_step_stats *d, const struct lm_step_stats *s)
{
	d->requests += s->requests;
	d->ok += s->ok;
	d->failed += s->failed;
	d->tx_bytes += s->tx_bytes;
	d->rx_bytes += s->rx_bytes;
	for (int e = 0; e < LM_ERR_MAX; e++)
		d->errors[e] += s->errors[e];
}

/* What each pool has lent now: {"tcbs": N, ...}. */
static json_t *
pools_live_json(const struct lm_view *now)
{
	struct lm_pool_gauge g[LM_POOL_GAUGES];
	uint32_t n = lm_pools_live(now, g);
	json_t *o = json_object();

	for (uint32_t i = 0; i < n; i++)
		json_object_set_new(o, g[i].pool, json_integer((json_int_t)g[i].in_use));
	return o;
}

/* The routes of the summary, each with its rate over the interval. */
static json_t *
routes_rates(const struct lm_plan *plan, const struct lm_view *now,
	     const struct lm_view *before, double interval_s)
{
	json_t *a = lm_report_routes_json(plan, now), *r;
	size_t i;

	json_array_foreach(a, i, r) {
		double rate = 0;

		if (before != NULL && interval_s > 0 && i < now->n_routes &&
		    i < before->n_routes && now->routes != NULL &&
		    before->routes != NULL)
			rate = (double)(now->routes[i].requests -
					before->routes[i].requests) / interval_s;
		json_object_set_new(r, "req_s", json_real(rate));
	}
	return a;
}

/* The steps /api/stats and /api/history have a row for. */
static bool
counted(const struct lm_step *st)
{
	return st->kind != LM_STEP_THINK && st->kind != LM_STEP_LOOP;
}

char *
lm_api_render_history_head(const struct lm_plan *plan, double interval_s)
{
	json_t *steps = json_array();
	char *text, *head = NULL;

	for (uint32_t i = 0; i < plan->n_scenarios; i++)
		for (uint32_t j = 0; j < plan->scenarios[i].n_steps; j++)
			if (counted(&plan->scenarios[i].steps[j]))
				json_array_append_new(steps, json_pack("{s:s, s:s}",
					"scenario", plan->scenarios[i].name,
					"step", plan->scenarios[i].steps[j].name));
	text = json_dumps(steps, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(steps);
	if (text != NULL &&
	    asprintf(&head, "{\"interval_s\":%.17g,\"steps\":%s,\"rows\":[",
		     interval_s, text) < 0)
		head = NULL;
	free(text);
	return head;
}

char *
lm_api_render_history_row(const struct lm_plan *plan,
			  const struct lm_view *now,
			  const struct lm_view *before, double interval_s,
			  double t_s)
{
	struct lm_hdr *ivl = malloc(sizeof(*ivl));
	struct lm_hdr *all = malloc(sizeof(*all));
	double per_s = interval_s > 0 ? 1.0 / interval_s : 0;
	json_t *steps = json_array(), *row;
	char *text = NULL;
	uint32_t k = 0;

	if (ivl == NULL || all == NULL)
		goto out;
	lm_hdr_init(all);
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps && k < now->n_steps;
		     j++, k++) {
			const struct lm_step_stats *s = &now->steps[k];
			const struct lm_step_stats *b = &before->steps[k];

			if (!counted(&sc->steps[j]))
				continue;
			lm_hdr_diff(ivl, &s->latency, &b->latency);
			lm_hdr_add(all, ivl);
			json_array_append_new(steps, json_pack("{s:f, s:f, s:f}",
				"req_s", (double)(s->requests - b->requests) * per_s,
				"p50_ms", ms(lm_hdr_percentile(ivl, 50)),
				"p99_ms", ms(lm_hdr_percentile(ivl, 99))));
		}
	}
	row = json_pack("{s:f, s:I, s:I, s:f, s:f, s:f, s:f, s:O}",
		"t_s", t_s,
		"users", (json_int_t)now->w.users_active,
		"connections", (json_int_t)now->w.conns_active,
		"req_s", (double)(lm_view_requests(now) -
				  lm_view_requests(before)) * per_s,
		"fail_s", (double)(lm_view_failed(now) -
				   lm_view_failed(before)) * per_s,
		"p50_ms", ms(lm_hdr_percentile(all, 50)),
		"p99_ms", ms(lm_hdr_percentile(all, 99)),
		"steps", steps);
	if (row != NULL)
		text = json_dumps(row, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(row);
out:
	json_decref(steps);
	free(ivl);
	free(all);
	return text;
}

char *
lm_api_render_stats(const struct lm_plan *plan, const struct lm_view *now,
		    const struct lm_view *before, double interval_s)
{
	/* big (histograms): on the heap */
	struct lm_hdr *ivl = malloc(sizeof(*ivl));
	struct lm_hdr *all_ivl = malloc(sizeof(*all_ivl));
	struct lm_step_stats *all = calloc(1, sizeof(*all));
	struct lm_step_stats *all_b = calloc(1, sizeof(*all_b));
	json_t *root = NULL, *steps, *errors, *totals;
	char *text = NULL;
	uint32_t k = 0;

	if (ivl == NULL || all_ivl == NULL || all == NULL || all_b == NULL)
		goto out;
	lm_hdr_init(&all->latency);
	lm_hdr_init(all_ivl);
	steps = json_array();
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps && k < now->n_steps;
		     j++, k++) {
			const struct lm_step *st = &sc->steps[j];
			const struct lm_step_stats *s = &now->steps[k];
			const struct lm_step_stats *b = before != NULL ?
				&before->steps[k] : NULL;
			json_t *row;

			if (!counted(st))
				continue;
			if (b != NULL)
				lm_hdr_diff(ivl, &s->latency, &b->latency);
			else
				lm_hdr_init(ivl);
			row = stats_row(s, b, &s->latency, ivl, interval_s);
			json_object_set_new(row, "scenario",
					    json_string(sc->name));
			json_object_set_new(row, "step", json_string(st->name));
			if (st->kind == LM_STEP_HTTP) {
				json_object_set_new(row, "method", json_string(
					lm_http_method_name(st->http.method)));
				if (st->http.path != NULL)
					json_object_set_new(row, "path",
						json_string(st->http.path));
			}
			json_array_append_new(steps, row);
			step_sum(all, s);
			if (b != NULL)
				step_sum(all_b, b);
			lm_hdr_add(&all->latency, &s->latency);
			lm_hdr_add(all_ivl, ivl);
		}
	}
	totals = stats_row(all, before != NULL ? all_b : NULL, &all->latency,
			   all_ivl, interval_s);
	errors = json_object();
	for (int e = 0; e < LM_ERR_MAX; e++)
		json_object_set_new(errors, lm_err_name(e),
				    json_integer((json_int_t)all->errors[e]));
	root = json_pack("{s:f, s:I, s:I, s:o, s:o, s:o, s:o}",
		"interval_s", before != NULL ? interval_s : 0.0,
		"users", (json_int_t)now->w.users_active,
		"connections", (json_int_t)now->w.conns_active,
		"steps", steps, "totals", totals, "errors", errors,
		"pools", pools_live_json(now));
	if (root != NULL && plan->n_servers > 0) {
		json_object_set_new(root, "servers",
				    lm_report_servers_json(plan, now));
		json_object_set_new(root, "routes",
				    routes_rates(plan, now, before, interval_s));
	}
	if (root != NULL)
		text = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
out:
	json_decref(root);
	free(ivl);
	free(all_ivl);
	free(all);
	free(all_b);
	return text;
}

char *
lm_api_render_status(const struct lm_plan *plan, const struct lm_view *now,
		     const struct lm_prom_extra *x)
{
	uint64_t runs = 0;
	json_t *root;
	char *text;

	for (uint32_t i = 0; i < now->n_scenarios; i++)
		runs += now->scen[i].runs_ok + now->scen[i].runs_failed;
	root = json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"model", plan->load.model == LM_LOAD_OPEN ? "open" : "closed",
		"users", (json_int_t)now->w.users_active,
		"connections", (json_int_t)now->w.conns_active,
		"requests_in_flight", (json_int_t)now->w.requests_inflight,
		"requests", (json_int_t)lm_view_requests(now),
		"ok", (json_int_t)lm_view_ok(now),
		"failed", (json_int_t)lm_view_failed(now),
		"runs", (json_int_t)runs);
	if (root == NULL)
		return NULL;
	if (x != NULL) {
		if (x->state != NULL)
			json_object_set_new(root, "state",
					    json_string(x->state));
		if (x->plan != NULL)
			json_object_set_new(root, "plan", json_string(x->plan));
		if (x->shard != NULL)
			json_object_set_new(root, "shard",
					    json_string(x->shard));
		json_object_set_new(root, "elapsed_s",
				    json_real(x->elapsed_s));
		if (x->target_users >= 0)
			json_object_set_new(root, "target_users",
					    json_real(x->target_users));
		if (x->target_rate >= 0)
			json_object_set_new(root, "target_rate",
					    json_real(x->target_rate));
		json_object_set_new(root, "max_users",
				    json_integer((json_int_t)x->max_users));
		json_object_set_new(root, "spawn_rate",
				    json_real(x->spawn_rate));
		json_object_set_new(root, "interval_s",
				    json_real(x->interval_s));
		json_object_set_new(root, "token_required",
				    json_boolean(x->token_required));
		json_object_set_new(root, "hlog", json_boolean(x->hlog));
		if (x->duration_s >= 0)
			json_object_set_new(root, "duration_s",
					    json_real(x->duration_s));
	}
	if (json_object_get(root, "duration_s") == NULL)
		json_object_set_new(root, "duration_s",
				    json_real(plan->load.duration_s));
	text = json_dumps(root, JSON_COMPACT | JSON_ENSURE_ASCII);
	json_decref(root);
	return text;
}
