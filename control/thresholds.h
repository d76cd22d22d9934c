/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan's thresholds (lm/plan.h, struct lm_threshold) judged against
 * merged statistics: once at the end, where any failure makes the exit
 * status 1, and while the run goes on for those with abort_on_fail.
 */
#ifndef LM_THRESHOLDS_H
#define LM_THRESHOLDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <lm/plan.h>

#include "merge.h"

struct lm_thr_result {
	/*
	 * What was measured: milliseconds for a latency, failed / requests
	 * for an error rate, requests per second for a rate. NAN when it
	 * could not be measured (out of memory); the threshold then fails.
	 */
	double value;
	bool pass;
};

/*
 * Judge every threshold of plan on v, the cumulative view at the end of
 * the run; duration_s is the load period (for rps_min). out has
 * plan->n_thresholds entries. A latency threshold over steps that had no
 * response measures 0 (and passes); an error rate with no request is 0.
 */
void lm_thresholds_eval(const struct lm_plan *plan, const struct lm_view *v,
			double duration_s, struct lm_thr_result *out);

/* All of r (plan->n_thresholds results) passed; true when there are none. */
bool lm_thresholds_passed(const struct lm_plan *plan,
			  const struct lm_thr_result *r);

/*
 * The abort_on_fail thresholds whose warmup_s has passed, judged on what
 * happened from start to now (both cumulative views; start NULL: from the
 * beginning), elapsed_s seconds apart. Returns true and writes a one-line
 * message into why (len bytes) when one fails; false before any time has
 * passed.
 */
bool lm_thresholds_breached(const struct lm_plan *plan,
			    const struct lm_view *now,
			    const struct lm_view *start, double elapsed_s,
			    char *why, size_t len);

/*
 * "thresholds:" and a line per threshold: its text, the measured value
 * and PASS or FAIL. Prints nothing when the plan has no thresholds.
 */
void lm_thresholds_table(FILE *f, const struct lm_plan *plan,
			 const struct lm_thr_result *r);

/* What a threshold is, in words, for the reports (lm_threshold_describe). */
struct lm_thr_desc {
	char metric[16];        /* "p50", "p99.9", "max", "error_rate", "rps" */
	const char *op;         /* "<=" (passes at or below) or ">=" */
	const char *unit;       /* "ms", "" (a ratio) or "req/s" */
	const char *scenario;   /* the step it covers (names in the plan), */
	const char *step;       /* or both NULL: all steps */
};

/* Describe plan->thresholds[i] into d (names point into plan). */
void lm_threshold_describe(const struct lm_plan *plan, uint32_t i,
			   struct lm_thr_desc *d);

#endif /* LM_THRESHOLDS_H */
