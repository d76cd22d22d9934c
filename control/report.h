/* SPDX-License-Identifier: BSD-3-Clause */
/* What a person reads: the live line, the final table, the JSON summary. */
#ifndef LM_REPORT_H
#define LM_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

#include <lm/plan.h>

#include "merge.h"

/* One status line for the interval between two views. */
void lm_report_line(FILE *f, const struct lm_view *now,
		    const struct lm_view *before, double elapsed_s,
		    double interval_s);

/* The end-of-run table, per scenario step, and the error counts. */
void lm_report_table(FILE *f, const struct lm_plan *plan,
		     const struct lm_view *v, double duration_s);

/* The JSON summary as text (malloc'd; NULL when out of memory). */
char *lm_report_summary_text(const struct lm_plan *plan, const struct lm_view *v,
			     double duration_s);

/* Write the JSON summary to path. Returns 0 or -errno (message in err). */
int lm_report_summary(const char *path, const struct lm_plan *plan,
		      const struct lm_view *v, double duration_s,
		      char *err, size_t errlen);

/*
 * The summary's "servers" (each server: connections and their fates,
 * requests, bytes) and "routes" (each route: requests, bytes), as new
 * references (also /api/stats).
 */
json_t *lm_report_servers_json(const struct lm_plan *plan,
			       const struct lm_view *v);
json_t *lm_report_routes_json(const struct lm_plan *plan,
			      const struct lm_view *v);

/* The summary's latency object: p50 ... max, min, mean in microseconds. */
json_t *lm_report_latency_json(const struct lm_hdr *h);

/* {"reason": count} of the reasons that occurred (LM_ERR_MAX counts). */
json_t *lm_report_errors_json(const uint64_t *errors);

#endif /* LM_REPORT_H */
