/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop on the main lcore: waits for next hops, starts the
 * workers, prints a line a second, decides when the run ends, drains,
 * stops, and reports. It sleeps between ticks: it must never take a CPU a
 * worker (or the server under test) needs.
 */
#ifndef LM_RUN_H
#define LM_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include <lm/plan.h>
#include <lm/pools.h>
#include <lm/stats.h>

struct lm_worker;
struct rte_mempool;
struct lm_influx;
struct lm_api;

struct lm_run_opts {
	double duration_s;        /* 0: no limit (max_runs ends the run) */
	double grace_s;           /* in-flight runs get this long at the end */
	double arp_timeout_s;     /* next hops must answer within this */
	const char *summary;      /* JSON summary path, or NULL */
	struct rte_mempool *pool; /* the mbuf pool, for leak accounting */
	struct lm_influx *influx; /* pushes each interval, or NULL */
	struct lm_api *api;       /* the HTTP listener, or NULL */
	const char *csv_prefix;   /* PREFIX_stats.csv, PREFIX_history.csv */
	const char *hlog;         /* HdrHistogram interval log, or NULL */
	const char *html;         /* the HTML report (report_html.h), or NULL */
	double interval_s;        /* statistics interval, seconds [1] */
	uint64_t mbufs_free_start;
	struct lm_census census_start; /* the workers' pools before the launch */
	bool quiet;
	bool wait_for_start;      /* wait for POST /api/start (needs api) */
	bool hlog_tmp;            /* hlog is only the API's: unlinked at once */
	double start_at;          /* --start-at, epoch seconds; < 0: at once */
};

/*
 * Returns the process exit status. plan is the workers' too: the load is
 * changed only by a start from the API (--wait-for-start), before the
 * workers run.
 */
int lm_control_run(struct lm_worker *workers, uint32_t n_workers,
		   struct lm_plan *plan, const struct lm_stats_layout *l,
		   void *area, const struct lm_run_opts *o);

/*
 * After the run: the API serves its final documents for linger_s seconds,
 * or until POST /api/stop or a signal.
 */
void lm_control_linger(struct lm_api *api, double linger_s, bool quiet);

/* Ask the run to stop (from a signal handler: async-signal-safe). */
void lm_control_request_stop(void);

/* The same, from the API: the API (and the UI) then linger after the run. */
void lm_control_request_stop_api(void);

#endif /* LM_RUN_H */
