/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report: its data (report_data.h) wrapped in one self-contained
 * page with the UI's style.css, charts.js and report.js inlined from the
 * binary (ui_assets.h). Nothing is fetched when it is opened: it can be
 * mailed, archived with a CI job, opened from disk.
 */
#ifndef LM_REPORT_HTML_H
#define LM_REPORT_HTML_H

#include <stddef.h>

#include <jansson.h>

#include <lm/plan.h>

#include "merge.h"

/* The element that holds the data, for the page's script. */
#define LM_REPORT_DATA_ID "lm-report-data"

/*
 * The page for data (its "title" as the page's title). A NUL-terminated
 * string to free(), or NULL when out of memory or when an asset is not
 * in the binary.
 */
char *lm_report_html(const json_t *data);

/*
 * The page of a run from plan and v, a view taken at the end or while the
 * run goes on (its series so far), duration_s the load period so far: for
 * --html and the API's /download/report.html. NULL when out of memory.
 */
char *lm_report_html_run(const struct lm_plan *plan, const struct lm_view *v,
			 double duration_s);

/*
 * Write len bytes of text to path as a whole or not at all: into a new
 * file beside it, then renamed over it, so that no partial report is ever
 * left at path. A path that is there but not a plain file (/dev/stdout, a
 * pipe, a symbolic link) is written in place instead. Returns 0 or -errno
 * with "PATH: reason" in err.
 */
int lm_report_write_file(const char *path, const char *text, size_t len,
			 char *err, size_t errlen);

/* --html FILE at the end of a run. 0 or -errno with the reason in err. */
int lm_report_html_save(const char *path, const struct lm_plan *plan,
			const struct lm_view *v, double duration_s,
			char *err, size_t errlen);

#endif /* LM_REPORT_HTML_H */
