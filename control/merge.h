/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A view: the sum over every worker slot of the statistics area, copied
 * at one moment. Views are cumulative; the difference of two views is
 * what happened between them.
 */
#ifndef LM_MERGE_H
#define LM_MERGE_H

#include <stdbool.h>
#include <stdint.h>

#include <lm/mem.h>
#include <lm/pools.h>
#include <lm/stats.h>

/* What a port's driver counts (rte_eth_stats), for losses we cannot see. */
struct lm_port_counters {
	uint64_t ipackets;
	uint64_t opackets;
	uint64_t imissed;     /* dropped by the device: RX ring full */
	uint64_t ierrors;
	uint64_t oerrors;
	uint64_t rx_nombuf;   /* no mbuf to receive into */
};

/*
 * The pools at the start and at the end of a run (leak accounting,
 * control/pools_report.h); mbufs_free_end is also the level now while the
 * run goes on (the live documents).
 */
struct lm_pool_counters {
	uint64_t mbufs;           /* size of the mbuf pool */
	uint64_t mbufs_free_start;
	uint64_t mbufs_free_end;
	uint64_t mbufs_dropped_end; /* packets left in queues, freed at the end */
	uint64_t tcbs;            /* TCBs in all workers' pools */
	uint64_t tcbs_in_use_end;
	uint64_t users;
	uint64_t users_active_end;
	bool census;              /* start and end below were taken */
	struct lm_census start;   /* the workers' pools before their launch */
	struct lm_census end;     /* ... and once they stopped */
	struct lm_mem mem;        /* what the connection pools cost */
};

/* What the fault injector did, per direction (read after the run). */
struct lm_impair_totals {
	uint64_t dropped, duplicated, reordered, corrupted;
};

/* One interval of the run, as the live line shows it (summary "intervals"). */
struct lm_interval {
	double t_s;          /* end of the interval, seconds since the start */
	double length_s;
	uint64_t users;
	uint64_t requests;   /* started in the interval */
	uint64_t failed;     /* ended failed in the interval */
	uint64_t p50_ns, p90_ns, p99_ns, max_ns;  /* response times ended in it */
};

/* What one worker did: the summary's workers[] (the final view only). */
struct lm_worker_share {
	uint64_t rx_pkts;       /* counted where they arrived */
	uint64_t tx_pkts;
	uint64_t redirected;    /* handed to their owner */
	uint64_t not_owner;     /* TCP segments of another worker's flow */
	uint64_t conns_opened;  /* connections established (both roles) */
	uint64_t syn_received;  /* passive opens */
	uint64_t runs;          /* runs ended, ok or failed */
	uint64_t requests;      /* steps' requests started */
};

struct lm_view {
	uint64_t tsc;                       /* when it was taken */
	uint64_t tsc_hz;                    /* TSC cycles per second (final view) */
	const struct lm_interval *series;   /* the run's intervals (final view) */
	uint32_t n_series;
	bool impair_on;
	struct lm_impair_totals impair_rx, impair_tx;
	struct lm_pool_counters pools;
	uint32_t n_ports;
	struct lm_port_counters ports[8];   /* LM_MAX_PORTS */
	uint32_t n_scenarios;
	uint32_t n_steps;
	struct lm_worker_counters w;
	struct lm_scenario_counters *scen;  /* [n_scenarios] */
	struct lm_step_stats *steps;        /* [n_steps] */
	uint32_t n_routes;
	struct lm_route_stats *routes;      /* [n_routes]: servers' routes */
	uint32_t n_servers;
	struct lm_server_stats *servers;    /* [n_servers] */
	uint32_t n_workers;
	struct lm_worker_share *workers;    /* [n_workers], or NULL */
	/* when the load started (wall clock, epoch s), and when it was asked
	 * to (--start-at; < 0: at once): the summary's "start" */
	double start_epoch_s;
	double start_requested_s;
};

int lm_view_init(struct lm_view *v, uint32_t n_scenarios, uint32_t n_steps);
/* Room for the servers and their route rows (none after lm_view_init). */
int lm_view_servers(struct lm_view *v, uint32_t n_servers, uint32_t n_routes);
void lm_view_free(struct lm_view *v);

/* v = sum of every slot of the area, read without stopping the workers. */
void lm_view_collect(struct lm_view *v, const struct lm_stats_layout *l,
		     void *area);

/*
 * The same, for a live interval: counters and the response-time
 * histograms only (what the live line, the API and the pushes use); the
 * other histograms of v are left as they are.
 */
void lm_view_collect_latency(struct lm_view *v, const struct lm_stats_layout *l,
			     void *area);

/*
 * Each worker's own figures into v->workers (allocated here, freed by
 * lm_view_free): for the summary, at the end. 0 or -ENOMEM.
 */
int lm_view_workers(struct lm_view *v, const struct lm_stats_layout *l,
		    void *area);

/* Copy src into dst (same shape; not the workers' figures). */
void lm_view_copy(struct lm_view *dst, const struct lm_view *src);

/* Latency of all steps between two views of the same run, as one histogram. */
void lm_view_latency_since(struct lm_hdr *out, const struct lm_view *now,
			   const struct lm_view *before);

/* Sums over steps. */
uint64_t lm_view_requests(const struct lm_view *v);
uint64_t lm_view_ok(const struct lm_view *v);
uint64_t lm_view_failed(const struct lm_view *v);

#endif /* LM_MERGE_H */
