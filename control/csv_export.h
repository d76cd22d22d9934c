/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CSV exports in Locust's layout (its --csv PREFIX files), so that the
 * tools that read those read ours:
 *
 *   PREFIX_stats.csv    one row per scenario step and an "Aggregated" row,
 *                       written once at the end (lm_csv_stats());
 *   PREFIX_history.csv  one "Aggregated" row per interval, appended while
 *                       the run goes on (lm_csv_history_*()).
 *
 * Times are in milliseconds with three decimals (Locust rounds to whole
 * milliseconds, too coarse here); a percentile with no sample is "N/A",
 * as Locust writes it. Rows end in CRLF and fields are quoted as RFC 4180
 * says.
 */
#ifndef LM_CSV_EXPORT_H
#define LM_CSV_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "merge.h"

/*
 * Write PREFIX_stats.csv to path from v, the cumulative view at the end;
 * duration_s is the load period (for the rates). A step's row has Type
 * "HTTP" for an http step, else the step's kind as the plan writes it
 * ("think", "connect", ...), and Name "scenario/step". Returns 0 or
 * -errno.
 */
int lm_csv_stats(const char *path, const struct lm_plan *plan,
		 const struct lm_view *v, double duration_s);

/* The same file's text (malloc'd, *len bytes), for the API's download. */
char *lm_csv_stats_text(const struct lm_plan *plan, const struct lm_view *v,
			double duration_s, size_t *len);

struct lm_csv_history;

/* Create path and write the header. Returns 0 or -errno. */
int lm_csv_history_open(struct lm_csv_history **h, const char *path);

/*
 * Append the row of the interval between two cumulative views before and
 * now, interval_s apart: wall_s (Unix time, seconds) is the Timestamp,
 * users the User Count. The rates and percentiles are the interval's, the
 * totals now's. The row is flushed, so that the file can be followed
 * while the run goes on. plan and elapsed_s are not written by this
 * layout; they are there so that a fuller one needs no new call. Returns
 * 0 or -errno.
 */
int lm_csv_history_row(struct lm_csv_history *h, const struct lm_plan *plan,
		       double elapsed_s, uint64_t wall_s, uint64_t users,
		       const struct lm_view *now, const struct lm_view *before,
		       double interval_s);

/* Close the file; h may be NULL. */
void lm_csv_history_close(struct lm_csv_history *h);

#endif /* LM_CSV_EXPORT_H */
