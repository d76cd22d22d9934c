/* SPDX-License-Identifier: BSD-3-Clause */
/* Judging the plan's thresholds on merged views (see thresholds.h). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "thresholds.h"

/* Two histograms: the sum over the threshold's steps, and a scratch one. */
struct thr_work {
	struct lm_hdr sum;
	struct lm_hdr tmp;
};

/* Steps [*first, *end) of the view that threshold t covers. */
static void
thr_steps(const struct lm_threshold *t, const struct lm_view *v,
	  uint32_t *first, uint32_t *end)
{
	if (t->step < 0) {
		*first = 0;
		*end = v->n_steps;
	} else if ((uint32_t)t->step < v->n_steps) {
		*first = (uint32_t)t->step;
		*end = *first + 1;
	} else {
		/* a view of another plan: nothing to measure */
		*first = 0;
		*end = 0;
	}
}

/* a - b of two cumulative counters, never wrapped */
static uint64_t
since(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/*
 * The value of t for what happened between before (NULL: the beginning)
 * and now, duration_s apart. w may be NULL (no memory) for the metrics
 * that need no histogram.
 */
static double
thr_measure(const struct lm_threshold *t, const struct lm_view *now,
	    const struct lm_view *before, double duration_s,
	    struct thr_work *w)
{
	uint64_t req = 0, failed = 0;
	uint32_t i, first, end;

	thr_steps(t, now, &first, &end);
	if (t->metric == LM_THR_LATENCY) {
		if (w == NULL)
			return NAN;
		lm_hdr_init(&w->sum);
		for (i = first; i < end; i++) {
			if (before == NULL) {
				lm_hdr_add(&w->sum, &now->steps[i].latency);
				continue;
			}
			lm_hdr_diff(&w->tmp, &now->steps[i].latency,
				    &before->steps[i].latency);
			lm_hdr_add(&w->sum, &w->tmp);
		}
		/*
		 * Nanoseconds divided (not the limit multiplied): a whole
		 * number of ns then compares equal to the limit the plan
		 * wrote, e.g. 300000 ns and "0.3".
		 */
		return (double)lm_hdr_percentile(&w->sum, t->pct) / 1e6;
	}
	for (i = first; i < end; i++) {
		req += since(now->steps[i].requests, before == NULL ? 0 :
			     before->steps[i].requests);
		failed += since(now->steps[i].failed, before == NULL ? 0 :
				before->steps[i].failed);
	}
	if (t->metric == LM_THR_ERROR_RATE)
		return req > 0 ? (double)failed / (double)req : 0.0;
	return duration_s > 0 ? (double)req / duration_s : 0.0;
}

static bool
thr_pass(const struct lm_threshold *t, double value)
{
	if (isnan(value))
		return false;
	if (t->metric == LM_THR_RPS_MIN)
		return value >= t->limit;
	return value <= t->limit;
}

/* The measured value as the table and messages write it. */
static const char *
thr_value_str(const struct lm_threshold *t, double value, char *buf,
	      size_t len)
{
	if (isnan(value))
		snprintf(buf, len, "n/a");
	else if (t->metric == LM_THR_LATENCY)
		snprintf(buf, len, "%.3f ms", value);
	else if (t->metric == LM_THR_ERROR_RATE)
		snprintf(buf, len, "%.6f", value);
	else
		snprintf(buf, len, "%.1f/s", value);
	return buf;
}

void
lm_thresholds_eval(const struct lm_plan *plan, const struct lm_view *v,
		   double duration_s, struct lm_thr_result *out)
{
	struct thr_work *w = malloc(sizeof(*w));
	uint32_t i;

	for (i = 0; i < plan->n_thresholds; i++) {
		const struct lm_threshold *t = &plan->thresholds[i];

		out[i].value = thr_measure(t, v, NULL, duration_s, w);
		out[i].pass = thr_pass(t, out[i].value);
	}
	free(w);
}

bool
lm_thresholds_passed(const struct lm_plan *plan, const struct lm_thr_result *r)
{
	uint32_t i;

	for (i = 0; i < plan->n_thresholds; i++)
		if (!r[i].pass)
			return false;
	return true;
}

bool
lm_thresholds_breached(const struct lm_plan *plan, const struct lm_view *now,
		       const struct lm_view *start, double elapsed_s,
		       char *why, size_t len)
{
	struct thr_work *w = NULL;
	char val[64];
	bool hit = false;
	double value;
	uint32_t i;

	if (!(elapsed_s > 0))
		return false;
	for (i = 0; i < plan->n_thresholds && !hit; i++) {
		const struct lm_threshold *t = &plan->thresholds[i];

		if (!t->abort_on_fail || elapsed_s < t->warmup_s)
			continue;
		if (w == NULL && t->metric == LM_THR_LATENCY) {
			w = malloc(sizeof(*w));
			/* stopping a run for want of memory would be wrong */
			if (w == NULL)
				continue;
		}
		value = thr_measure(t, now, start, elapsed_s, w);
		if (isnan(value) || thr_pass(t, value))
			continue;
		hit = true;
		if (why != NULL && len > 0)
			snprintf(why, len,
				 "threshold \"%s\" failed after %.1f s: measured %s",
				 t->text, elapsed_s,
				 thr_value_str(t, value, val, sizeof(val)));
	}
	free(w);
	return hit;
}

void
lm_thresholds_table(FILE *f, const struct lm_plan *plan,
		    const struct lm_thr_result *r)
{
	char val[64];
	int width = 0, n;
	uint32_t i;

	if (plan->n_thresholds == 0)
		return;
	for (i = 0; i < plan->n_thresholds; i++) {
		n = (int)strlen(plan->thresholds[i].text);
		if (n > width)
			width = n;
	}
	/* a very long step name should not push every value off the line */
	if (width > 60)
		width = 60;
	fprintf(f, "thresholds:\n");
	for (i = 0; i < plan->n_thresholds; i++) {
		const struct lm_threshold *t = &plan->thresholds[i];

		fprintf(f, "  %-*s  %14s  %s\n", width, t->text,
			thr_value_str(t, r[i].value, val, sizeof(val)),
			r[i].pass ? "PASS" : "FAIL");
	}
	fflush(f);
}

void
lm_threshold_describe(const struct lm_plan *plan, uint32_t i,
		      struct lm_thr_desc *d)
{
	const struct lm_threshold *t = &plan->thresholds[i];
	int32_t k = t->step;

	memset(d, 0, sizeof(*d));
	switch (t->metric) {
	case LM_THR_LATENCY:
		if (t->pct >= 100)
			snprintf(d->metric, sizeof(d->metric), "max");
		else
			snprintf(d->metric, sizeof(d->metric), "p%g", t->pct);
		d->op = "<=";
		d->unit = "ms";
		break;
	case LM_THR_ERROR_RATE:
		snprintf(d->metric, sizeof(d->metric), "error_rate");
		d->op = "<=";
		d->unit = "";
		break;
	default:
		snprintf(d->metric, sizeof(d->metric), "rps");
		d->op = ">=";
		d->unit = "req/s";
		break;
	}
	/* the global step index back to its scenario and step names */
	for (uint32_t s = 0; k >= 0 && s < plan->n_scenarios; s++) {
		const struct lm_scenario *sc = &plan->scenarios[s];

		if ((uint32_t)k < sc->n_steps) {
			d->scenario = sc->name;
			d->step = sc->steps[k].name;
			break;
		}
		k -= (int32_t)sc->n_steps;
	}
}
