/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report's data (docs/report.md): one JSON document that the
 * page's script turns into tables and charts. It is built from a run
 * (the plan, a view, the load duration: at the end or while the run goes
 * on) or from HdrHistogram interval logs (.hlog, control/hlog.h), which
 * hold latencies only.
 */
#ifndef LM_REPORT_DATA_H
#define LM_REPORT_DATA_H

#include <stddef.h>

#include <jansson.h>

#include <lm/hdr.h>
#include <lm/plan.h>

#include "merge.h"

/* Steps of the spectrum: HdrHistogram's reports take 5 per half distance. */
#define LM_REPORT_TICKS 5

/*
 * The data of a run: plan, thresholds judged on v, steps, totals, errors
 * and the series of v (what there is of it so far for a view taken while
 * the run goes on). duration_s is the load period so far (rates and
 * rps_min). A new reference, or NULL when out of memory.
 */
json_t *lm_report_data_run(const struct lm_plan *plan,
			   const struct lm_view *v, double duration_s);

/*
 * The data of one or more .hlog files (several machines' logs, or a
 * merged one). Tags "SCENARIO.STEP.latency" are steps; "...ttfb" and
 * "...connect" are left out; any other tag is a step of its own name.
 * The series puts each interval line in the slot of the commonest line
 * length nearest its start (as lm_hlog_merge() does). A new reference, or
 * NULL with the reason in err: "PATH:LINE: ..." for a line that is not
 * valid, "PATH: ..." for a file that cannot be read.
 */
json_t *lm_report_data_hlog(const char *const *paths, size_t n_paths,
			    char *err, size_t errlen);

/* Shared by both: parts of a step's row. */
json_t *lm_report_latency_ms(const struct lm_hdr *h);
json_t *lm_report_spectrum(const struct lm_hdr *h);
/* x as a JSON number, or null when it is not finite (JSON has no NaN). */
json_t *lm_report_real(double x);
/* "2026-11-23T12:00:00Z", now */
void lm_report_now(char *buf, size_t len);

#endif /* LM_REPORT_DATA_H */
