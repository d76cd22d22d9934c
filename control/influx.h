/* SPDX-License-Identifier: BSD-3-Clause */
/* InfluxDB line protocol pushes (v1 /write?db=, v2 /api/v2/write?org=&bucket=). */
#ifndef LM_INFLUX_H
#define LM_INFLUX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "merge.h"

struct lm_influx;

struct lm_influx_counters {
	uint64_t queued;     /* batches handed over */
	uint64_t sent;       /* posted and answered 2xx */
	uint64_t failed;     /* errors, timeouts, other statuses */
	uint64_t dropped;    /* not posted: the queue was full, or at the end */
};

/*
 * Start pushing to url (a write endpoint). token: a v2 API token (NULL: the
 * environment variable LEMMINGS_INFLUX_TOKEN, if set). NULL + err on a bad
 * URL.
 */
struct lm_influx *lm_influx_start(const char *url, const char *token,
				  char *err, size_t errlen);

/* Hand a batch over; never blocks on the network. */
void lm_influx_push(struct lm_influx *ix, const char *lines, size_t len);

void lm_influx_counters(struct lm_influx *ix, struct lm_influx_counters *out);

/* Stop; flush: post what is queued first (each post bounded by 2 s). */
void lm_influx_stop(struct lm_influx *ix, bool flush);

/* Flush, stop, and report what happened to the pushes. */
void lm_influx_stop_counted(struct lm_influx *ix, struct lm_influx_counters *out);

/*
 * The line protocol of one interval: one line per step (cumulative counts,
 * the interval's rate and percentiles) and one for the run; timestamps in
 * ns. Returns the length needed (like snprintf).
 */
size_t lm_influx_render(char *buf, size_t cap, const struct lm_plan *plan,
			const struct lm_view *now, const struct lm_view *before,
			double interval_s, uint64_t ts_ns);

#endif /* LM_INFLUX_H */
