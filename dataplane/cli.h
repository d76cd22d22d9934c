/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's command line (what follows "--" after the EAL's). */
#ifndef LM_CLI_H
#define LM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <lm/plan.h>

/* Exit statuses: part of the interface (CI jobs test them). */
#define LM_EXIT_OK 0
#define LM_EXIT_THRESHOLDS 1   /* the run finished but its thresholds failed */
#define LM_EXIT_USAGE 2        /* bad usage or bad plan */
/* Seconds the runs in flight get to finish at the end (--grace); the help
 * text says [2] too. */
#define LM_CLI_GRACE_S 2.0

/* Seconds the API stays up after the run (--linger): for a last scrape,
 * and with --wait-for-start for the person at the web UI. */
#define LM_CLI_LINGER_S 2.0
#define LM_CLI_LINGER_UI_S 3600.0

#define LM_EXIT_RUNTIME 3      /* a port, the EAL or the network failed us */

struct lm_cli {
	const char *plan;
	const char *summary;
	double duration_s;     /* < 0: the plan's */
	/* load overrides; < 0: the plan's */
	long long users;       /* --users: closed model */
	double rate;           /* --rate: open model */
	long long max_runs;    /* --max-runs */
	/* --impair SPEC: replaces the plan's "impair" as a whole */
	struct lm_plan_impair impair;
	bool impair_set;
	const char *influx;      /* InfluxDB write URL, or NULL */
	const char *api;         /* [ADDR:]PORT of /metrics and the API, or NULL */
	const char *api_token;   /* Bearer token the API's POSTs need */
	const char *csv;         /* PREFIX of the CSV files, or NULL */
	const char *hlog;        /* HdrHistogram interval log, or NULL */
	const char *html;        /* the HTML report, or NULL */
	double interval_s;       /* statistics interval [1] */
	double grace_s;          /* drain time at the end [LM_CLI_GRACE_S] */
	double linger_s;         /* the API stays up after the run [see above] */
	bool wait_for_start;     /* wait for POST /api/start (--api needed) */
	uint32_t shard_index;    /* --shard I/N; 0/1 without */
	uint32_t shard_count;
	double start_at;         /* --start-at: epoch seconds; < 0: none */
	const char *stats_name;  /* /dev/shm/lemmings-dp.NAME; default: the pid */
	bool keep_stats;         /* leave the statistics file after the run */
	const char *xdp;         /* --xdp IFACE[:QUEUES] (bpf/steer.h), or NULL */
	bool check;
	bool list;
	bool quiet;
	bool help;
};

/*
 * Parse the application's arguments (argv[0] is a program name). Returns 0,
 * or -EINVAL after printing what is wrong to err.
 */
int lm_cli_parse(struct lm_cli *c, int argc, char **argv, FILE *err);

void lm_cli_usage(FILE *f, const char *prog);

/*
 * Apply the command line's overrides (--duration, --users, --rate,
 * --max-runs, --impair) to a loaded plan. --users (closed model) and
 * --rate (open model) replace the plan's level and its stages. Returns 0,
 * or -EINVAL after printing what is wrong to err: --users on an open-model
 * plan, --rate on a closed one, or a run that would never end.
 */
int lm_cli_apply(const struct lm_cli *c, struct lm_plan *plan, FILE *err);

/*
 * --list: the load model, then each scenario with its share of the runs
 * and its steps (kind and name), indented by loop depth.
 */
void lm_cli_list(FILE *f, const struct lm_plan *plan);

/*
 * Parse an --impair specification into *out (defaults first: seed 1,
 * reorder_depth 3, every probability 0; enabled set when one is above 0):
 *
 *   SPEC = "off" | PART *(";" PART)
 *   PART = ("rx" | "tx") ":" KEY "=" VALUE *("," KEY "=" VALUE)
 *        | "seed=" N
 *   KEY  = drop | dup | reorder | corrupt   VALUE a number from 0 to 1
 *        | reorder_depth                    VALUE an integer from 1 to 64
 *
 * e.g. "rx:drop=0.01,reorder=0.01;tx:dup=0.005,corrupt=0.001;seed=7". A
 * direction, key or seed may be given once. Returns 0, or -EINVAL with
 * what is wrong in err.
 */
int lm_cli_parse_impair(const char *spec, struct lm_plan_impair *out,
			char *err, size_t errlen);

#endif /* LM_CLI_H */
