/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Prometheus text exposition (format 0.0.4) of a view, for GET /metrics.
 *
 * Everything is rendered from the cumulative views the control loop
 * already takes every interval, so a scrape costs the workers nothing and
 * any number of scrapers see the same numbers. Names and units follow the
 * Prometheus conventions: lemmings_ prefix, seconds and bytes, counters
 * ending in _total. Every sample carries plan="..." and shard="..." when
 * given (struct lm_prom_extra). The families:
 *
 *   lemmings_up, lemmings_state{state}, lemmings_elapsed_seconds,
 *   lemmings_interval_seconds, lemmings_target_users, lemmings_target_rate,
 *   lemmings_users, lemmings_connections, lemmings_requests_in_flight
 *                                                   gauges
 *   lemmings_requests_total{scenario,step}          counter
 *   lemmings_failures_total{scenario,step,reason}   counter, reasons > 0 only
 *   lemmings_response_seconds{scenario,step}        histogram, fixed buckets
 *   lemmings_response_seconds_interval{scenario,step,quantile}
 *                                                   summary: quantiles of the
 *                                                   last interval
 *   lemmings_runs_total{scenario,result="ok|failed"}, lemmings_tx_bytes_total,
 *   lemmings_rx_bytes_total, lemmings_tx_packets_total,
 *   lemmings_rx_packets_total, lemmings_connect_attempts_total,
 *   lemmings_connections_opened_total, lemmings_tcp_retransmits_total,
 *   lemmings_sessions_arrived_total, lemmings_late_starts_total,
 *   lemmings_arrivals_dropped_total                 counters
 *
 * Think and loop steps never have requests and get no series.
 */
#ifndef LM_PROM_H
#define LM_PROM_H

#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "merge.h"

/* What the view does not know: the run's state and what it was asked for. */
struct lm_prom_extra {
	const char *state;    /* "starting", "running", "draining", "done"...;
			       * lemmings_state{state=...} 1; NULL: omitted */
	double elapsed_s;     /* since the load started */
	double target_users;  /* closed model: users asked for now; < 0: omitted */
	double target_rate;   /* open model: sessions/s asked for now; < 0: omitted */
	const char *plan;     /* plan="..." on every sample; NULL: no such label */
	const char *shard;    /* shard="..." on every sample; NULL: no such label */
	/* for /api/status only (the web UI's header and forms) */
	uint64_t max_users;   /* the most users the run has room for */
	double spawn_rate;    /* users/s (closed) or sessions/s per s (open) */
	double interval_s;    /* the statistics interval */
	double duration_s;    /* the load's duration as it stands; < 0: plan's */
	bool token_required;  /* POSTs need the bearer token */
	bool hlog;            /* /download/run.hlog has a log */
};

/*
 * The fixed bucket bounds of lemmings_response_seconds, in nanoseconds
 * (the last one is +Inf). Fixed so that every run, every shard and every
 * step can be summed by le in PromQL.
 */
#define LM_PROM_N_BUCKETS 17
extern const uint64_t lm_prom_bucket_ns[LM_PROM_N_BUCKETS];
extern const char *const lm_prom_bucket_le[LM_PROM_N_BUCKETS];

/*
 * Number of samples of h at or below bound_ns as a histogram bucket counts
 * them: the sum of the HDR sub-buckets whose highest value is <= bound_ns.
 * A sub-bucket that straddles the bound (its values are within 0.8 % of
 * it) goes to the next bucket, so a bucket never counts a sample above
 * its bound; it may miss samples up to 0.8 % below it.
 */
uint64_t lm_prom_count_le(const struct lm_hdr *h, uint64_t bound_ns);

/*
 * Render the exposition of now into buf (at most cap bytes, NUL-terminated
 * when cap > 0). before is the previous view (NULL on the first interval:
 * the interval quantiles are then left out) and interval_s the time
 * between the two; x may be NULL. Returns the length of the whole text
 * without the NUL, like snprintf: when it is >= cap the text was cut and
 * a buffer of that length + 1 is needed.
 */
size_t lm_prom_render(char *buf, size_t cap, const struct lm_plan *plan,
		      const struct lm_view *now, const struct lm_view *before,
		      double interval_s, const struct lm_prom_extra *x);

/*
 * The same into a buffer of the right size, malloc'd (free() it); *len
 * gets the text's length. NULL when out of memory.
 */
char *lm_prom_render_alloc(size_t *len, const struct lm_plan *plan,
			   const struct lm_view *now,
			   const struct lm_view *before, double interval_s,
			   const struct lm_prom_extra *x);

#endif /* LM_PROM_H */
