/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report's data from a run (report_data.h); the part shared
 * with the .hlog form (report_hlog.c): latency objects and spectra.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lm/stats.h>

#include "report_data.h"
#include "report.h"
#include "thresholds.h"

json_t *
lm_report_real(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

void
lm_report_now(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "1970-01-01T00:00:00Z");
}

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

json_t *
lm_report_latency_ms(const struct lm_hdr *h)
{
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f}",
		"p50", ms(lm_hdr_percentile(h, 50)),
		"p90", ms(lm_hdr_percentile(h, 90)),
		"p99", ms(lm_hdr_percentile(h, 99)),
		"p999", ms(lm_hdr_percentile(h, 99.9)),
		"max", ms(lm_hdr_percentile(h, 100)),
		"mean", lm_hdr_mean(h) / 1e6);
}

json_t *
lm_report_spectrum(const struct lm_hdr *h)
{
	struct lm_hdr_point *pt = malloc(LM_HDR_SPECTRUM_MAX * sizeof(*pt));
	json_t *a = json_array();
	uint32_t n;

	if (pt == NULL || a == NULL) {
		free(pt);
		json_decref(a);
		return NULL;
	}
	n = lm_hdr_spectrum(h, LM_REPORT_TICKS, pt, LM_HDR_SPECTRUM_MAX);
	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("[f, f]", pt[i].percentile,
						   ms(pt[i].value)));
	free(pt);
	return a;
}

/* A step's row, or the totals' (s sums them, latency included). */
static json_t *
row_json(const struct lm_step_stats *s, double duration_s)
{
	return json_pack("{s:I, s:I, s:I, s:o, s:o, s:I, s:I, s:o, s:o}",
		"requests", (json_int_t)s->requests,
		"ok", (json_int_t)s->ok,
		"failed", (json_int_t)s->failed,
		"req_s", lm_report_real(duration_s > 0 ?
			(double)s->requests / duration_s : 0.0),
		"latency_ms", lm_report_latency_ms(&s->latency),
		"tx_bytes", (json_int_t)s->tx_bytes,
		"rx_bytes", (json_int_t)s->rx_bytes,
		"errors", lm_report_errors_json(s->errors),
		"spectrum", lm_report_spectrum(&s->latency));
}

static void
step_sum(struct lm_step_stats *all, const struct lm_step_stats *s)
{
	all->requests += s->requests;
	all->ok += s->ok;
	all->failed += s->failed;
	all->tx_bytes += s->tx_bytes;
	all->rx_bytes += s->rx_bytes;
	for (int e = 0; e < LM_ERR_MAX; e++)
		all->errors[e] += s->errors[e];
	lm_hdr_add(&all->latency, &s->latency);
}

/* method and path of an HTTP step (the others have neither) */
static void
set_request(json_t *o, const struct lm_step *st)
{
	if (st->kind != LM_STEP_HTTP)
		return;
	json_object_set_new(o, "method",
			    json_string(lm_http_method_name(st->http.method)));
	if (st->http.path != NULL)
		json_object_set_new(o, "path", json_string(st->http.path));
}

static json_t *
plan_json(const struct lm_plan *plan, const struct lm_view *v)
{
	const struct lm_plan_load *ld = &plan->load;
	json_t *p, *stages = json_array(), *scens = json_array();

	for (uint32_t i = 0; i < ld->n_stages; i++)
		json_array_append_new(stages, json_pack("{s:o, s:o}",
			"duration_s", lm_report_real(ld->stages[i].duration_s),
			"target", lm_report_real(ld->stages[i].target)));
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];
		json_t *steps = json_array();

		for (uint32_t j = 0; j < sc->n_steps; j++) {
			json_t *st = json_pack("{s:s, s:s}",
				"name", sc->steps[j].name,
				"kind", lm_step_kind_name(sc->steps[j].kind));

			set_request(st, &sc->steps[j]);
			json_array_append_new(steps, st);
		}
		json_array_append_new(scens, json_pack("{s:s, s:o, s:o}",
			"name", sc->name, "weight", lm_report_real(sc->weight),
			"steps", steps));
	}
	p = json_pack("{s:s, s:s, s:I, s:o, s:o, s:s, s:o, s:I, s:o, s:o}",
		"name", plan->name != NULL ? plan->name : "",
		"model", ld->model == LM_LOAD_OPEN ? "open" : "closed",
		"users", (json_int_t)ld->users,
		"rate", lm_report_real(ld->rate),
		"spawn_rate", lm_report_real(ld->spawn_rate),
		"arrival", ld->arrival == LM_ARRIVAL_POISSON ? "poisson" :
			"uniform",
		"duration_s", lm_report_real(ld->duration_s),
		"max_runs", (json_int_t)ld->max_runs,
		"stages", stages,
		"scenarios", scens);
	/* known once the workers' shares were read (the final view) */
	if (p != NULL && v->n_workers > 0)
		json_object_set_new(p, "workers",
				    json_integer((json_int_t)v->n_workers));
	return p;
}

static json_t *
thresholds_json(const struct lm_plan *plan, const struct lm_view *v,
		double duration_s)
{
	struct lm_thr_result *r;
	json_t *a = json_array();
	char scope[512];

	if (plan->n_thresholds == 0)
		return a;
	r = calloc(plan->n_thresholds, sizeof(*r));
	if (r == NULL) {
		json_decref(a);
		return NULL;
	}
	lm_thresholds_eval(plan, v, duration_s, r);
	for (uint32_t i = 0; i < plan->n_thresholds; i++) {
		const struct lm_threshold *t = &plan->thresholds[i];
		struct lm_thr_desc d;

		lm_threshold_describe(plan, i, &d);
		if (d.scenario != NULL)
			snprintf(scope, sizeof(scope), "%s.%s", d.scenario,
				 d.step);
		else
			snprintf(scope, sizeof(scope), "all");
		json_array_append_new(a, json_pack(
			"{s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:s}",
			"metric", d.metric, "scope", scope, "op", d.op,
			"limit", lm_report_real(t->limit), "unit", d.unit,
			"value", lm_report_real(r[i].value),
			"passed", r[i].pass,
			"text", t->text != NULL ? t->text : ""));
	}
	free(r);
	return a;
}

/* The run interval by interval, as columns (what the charts take). */
static json_t *
series_json(const struct lm_view *v)
{
	json_t *t = json_array(), *rq = json_array(), *fl = json_array();
	json_t *us = json_array(), *p50 = json_array(), *p99 = json_array();

	for (uint32_t i = 0; v->series != NULL && i < v->n_series; i++) {
		const struct lm_interval *e = &v->series[i];
		double len = e->length_s;

		json_array_append_new(t, lm_report_real(e->t_s));
		json_array_append_new(rq, lm_report_real(len > 0 ?
			(double)e->requests / len : 0.0));
		json_array_append_new(fl, lm_report_real(len > 0 ?
			(double)e->failed / len : 0.0));
		json_array_append_new(us, json_integer((json_int_t)e->users));
		json_array_append_new(p50, json_real(ms(e->p50_ns)));
		json_array_append_new(p99, json_real(ms(e->p99_ns)));
	}
	return json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "t_s", t,
			 "req_s", rq, "fail_s", fl, "users", us,
			 "p50_ms", p50, "p99_ms", p99);
}

/* steps, totals and errors of v into root */
static int
steps_json(json_t *root, const struct lm_plan *plan, const struct lm_view *v,
	   double duration_s)
{
	struct lm_step_stats *all = calloc(1, sizeof(*all));
	json_t *steps = json_array(), *row;
	uint32_t k = 0;

	if (all == NULL || steps == NULL) {
		free(all);
		json_decref(steps);
		return -1;
	}
	lm_hdr_init(&all->latency);
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps && k < v->n_steps;
		     j++, k++) {
			const struct lm_step *st = &sc->steps[j];

			/* they send nothing: no row, as in the live UI */
			if (st->kind == LM_STEP_THINK || st->kind == LM_STEP_LOOP)
				continue;
			row = row_json(&v->steps[k], duration_s);
			if (row == NULL) {
				json_decref(steps);
				free(all);
				return -1;
			}
			json_object_set_new(row, "scenario",
					    json_string(sc->name));
			json_object_set_new(row, "step", json_string(st->name));
			json_object_set_new(row, "kind",
					    json_string(lm_step_kind_name(st->kind)));
			set_request(row, st);
			json_array_append_new(steps, row);
			step_sum(all, &v->steps[k]);
		}
	}
	json_object_set_new(root, "steps", steps);
	json_object_set_new(root, "totals", row_json(all, duration_s));
	json_object_set_new(root, "errors", lm_report_errors_json(all->errors));
	free(all);
	return 0;
}

json_t *
lm_report_data_run(const struct lm_plan *plan, const struct lm_view *v,
		   double duration_s)
{
	json_t *root = json_object();
	char now[32];

	if (root == NULL)
		return NULL;
	lm_report_now(now, sizeof(now));
	json_object_set_new(root, "title",
			    json_string(plan->name != NULL ? plan->name : ""));
	json_object_set_new(root, "generated", json_string(now));
	json_object_set_new(root, "source", json_string("run"));
	json_object_set_new(root, "plan", plan_json(plan, v));
	json_object_set_new(root, "duration_s", lm_report_real(duration_s));
	json_object_set_new(root, "thresholds",
			    thresholds_json(plan, v, duration_s));
	json_object_set_new(root, "series", series_json(v));
	/* a part that is missing was out of memory */
	if (steps_json(root, plan, v, duration_s) != 0 ||
	    json_object_size(root) != 10) {
		json_decref(root);
		return NULL;
	}
	return root;
}
