/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan's "load", "tcp" and "impair" objects: how much traffic, and
 * how our TCP and the fault injector behave; and "thresholds", what the
 * run must achieve (see docs/plan.md).
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <lm/plan.h>

#include "json_check.h"
#include "plan_parse.h"

#define PLAN_DEFAULT_DURATION_S 10.0
#define PLAN_DEFAULT_MAX_USERS 10000
/* sessions (open) or users (closed) started per second */
#define PLAN_MAX_RATE 1e8
#define PLAN_MAX_RATE_WORDS "more than 0 and at most 100000000"
#define PLAN_MAX_STAGES 1000

enum {
	LOAD_USERS, LOAD_SPAWN_RATE, LOAD_RATE, LOAD_ARRIVAL, LOAD_MAX_USERS,
	LOAD_STAGES, LOAD_DURATION, LOAD_MAX_RUNS, LOAD_N
};
static const struct lm_jc_key load_keys[LOAD_N] = {
	[LOAD_USERS] = { "users", LM_JT_INTEGER, false },
	[LOAD_SPAWN_RATE] = { "spawn_rate", LM_JT_NUMBER, false },
	[LOAD_RATE] = { "rate", LM_JT_NUMBER, false },
	[LOAD_ARRIVAL] = { "arrival", LM_JT_STRING, false },
	[LOAD_MAX_USERS] = { "max_users", LM_JT_INTEGER, false },
	[LOAD_STAGES] = { "stages", LM_JT_ARRAY, false },
	[LOAD_DURATION] = { "duration_s", LM_JT_NUMBER, false },
	[LOAD_MAX_RUNS] = { "max_runs", LM_JT_INTEGER, false },
};

/* The keys that belong to one model only, and the model they need. */
static const struct {
	size_t key;
	enum lm_load_model model;
} load_model_keys[] = {
	{ LOAD_USERS, LM_LOAD_CLOSED },
	{ LOAD_SPAWN_RATE, LM_LOAD_CLOSED },
	{ LOAD_RATE, LM_LOAD_OPEN },
	{ LOAD_ARRIVAL, LM_LOAD_OPEN },
	{ LOAD_MAX_USERS, LM_LOAD_OPEN },
};

static const char *const arrival_names[] = {
	[LM_ARRIVAL_CONSTANT] = "constant",
	[LM_ARRIVAL_POISSON] = "poisson",
};

enum { STAGE_LEVEL, STAGE_DURATION, STAGE_N };
/* a stage's level is "users" in the closed model and "rate" in the open one */
static const struct lm_jc_key stage_keys[2][STAGE_N] = {
	[LM_LOAD_CLOSED] = {
		[STAGE_LEVEL] = { "users", LM_JT_INTEGER, true },
		[STAGE_DURATION] = { "duration_s", LM_JT_NUMBER, true },
	},
	[LM_LOAD_OPEN] = {
		[STAGE_LEVEL] = { "rate", LM_JT_NUMBER, true },
		[STAGE_DURATION] = { "duration_s", LM_JT_NUMBER, true },
	},
};

static const char *const model_key[] = {
	[LM_LOAD_CLOSED] = "users",
	[LM_LOAD_OPEN] = "rate",
};

/*
 * Which model a load object asks for: "rate" makes it open, "users"
 * closed; with neither, the stages say it ("rate" in the first one).
 */
static enum lm_load_model
load_model(json_t *const *v)
{
	json_t *first;

	if (v[LOAD_RATE] != NULL)
		return LM_LOAD_OPEN;
	if (v[LOAD_USERS] != NULL || v[LOAD_STAGES] == NULL)
		return LM_LOAD_CLOSED;
	first = json_array_get(v[LOAD_STAGES], 0);
	if (json_is_object(first) && json_object_get(first, "rate") != NULL)
		return LM_LOAD_OPEN;
	return LM_LOAD_CLOSED;
}

static int
parse_stage(struct lm_jc *c, json_t *o, enum lm_load_model model,
	    struct lm_load_stage *st)
{
	const char *other = model_key[model == LM_LOAD_OPEN ? LM_LOAD_CLOSED :
				       LM_LOAD_OPEN];
	json_t *v[STAGE_N];
	long long users = 0;
	int rc;

	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0 && json_object_get(o, other) != NULL)
		return lm_jc_fail_at_key(c, other,
					 "a stage of the %s model takes \"%s\", not \"%s\"",
					 model == LM_LOAD_OPEN ? "open" : "closed",
					 model_key[model], other);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, stage_keys[model], STAGE_N, v);
	if (rc == 0 && model == LM_LOAD_CLOSED) {
		rc = lm_jc_get_int(c, "users", v[STAGE_LEVEL], 0, PLAN_MAX_USERS,
				   &users);
		st->target = (double)users;
	} else if (rc == 0) {
		rc = lm_jc_get_double(c, "rate", v[STAGE_LEVEL], 0, false,
				      PLAN_MAX_RATE, "0 to 100000000",
				      &st->target);
	}
	if (rc == 0)
		rc = lm_jc_get_double(c, "duration_s", v[STAGE_DURATION], 0, true,
				      PLAN_MAX_DURATION_S,
				      "more than 0 and at most 31536000",
				      &st->duration_s);
	return rc;
}

/* "stages" (the current path): *peak gets the highest level, *total the sum. */
static int
parse_stages(struct lm_jc *c, json_t *a, struct lm_plan_load *l, double *peak,
	     double *total)
{
	size_t i, n = json_array_size(a), saved;
	int rc;

	*peak = 0;
	*total = 0;
	rc = lm_jc_check_count(c, a, PLAN_MAX_STAGES);
	if (rc != 0)
		return rc;
	l->stages = calloc(n, sizeof(*l->stages));
	if (l->stages == NULL)
		return lm_jc_oom(c);
	l->n_stages = (uint32_t)n;
	for (i = 0; i < n; i++) {
		saved = lm_jc_push_index(c, i);
		rc = parse_stage(c, json_array_get(a, i), l->model, &l->stages[i]);
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
		if (l->stages[i].target > *peak)
			*peak = l->stages[i].target;
		*total += l->stages[i].duration_s;
	}
	if (*peak == 0)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "every stage has %s 0: the run would start nothing",
				  model_key[l->model]);
	if (*total > PLAN_MAX_DURATION_S)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "the stages last %.15g s in all, more than 31536000",
				  *total);
	return 0;
}

/* Keys of the other model, and the two models at once. */
static int
check_model_keys(struct lm_jc *c, json_t *const *v, enum lm_load_model model)
{
	size_t i, k;

	if (v[LOAD_USERS] != NULL && v[LOAD_RATE] != NULL)
		return lm_jc_fail_at_key(c, "rate",
					 "\"users\" and \"rate\" cannot both be given (\"users\" makes a closed model, \"rate\" an open one)");
	if (v[LOAD_USERS] == NULL && v[LOAD_RATE] == NULL &&
	    v[LOAD_STAGES] == NULL)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "missing required key \"users\" (closed model) or \"rate\" (open model)");
	for (i = 0; i < DIM(load_model_keys); i++) {
		k = load_model_keys[i].key;
		if (v[k] == NULL || load_model_keys[i].model == model)
			continue;
		return lm_jc_fail_at_key(c, load_keys[k].name,
					 "\"%s\" is for the %s model (\"%s\"); this load is %s",
					 load_keys[k].name,
					 model == LM_LOAD_OPEN ? "closed" : "open",
					 model_key[model == LM_LOAD_OPEN ?
						LM_LOAD_CLOSED : LM_LOAD_OPEN],
					 model == LM_LOAD_OPEN ? "open" : "closed");
	}
	if (model == LM_LOAD_OPEN && v[LOAD_RATE] != NULL &&
	    v[LOAD_STAGES] != NULL)
		return lm_jc_fail_at_key(c, "rate",
					 "\"rate\" and \"stages\" cannot both be given (the stages set the rate)");
	return 0;
}

int
lm_plan_parse_load(struct lm_jc *c, json_t *o, struct lm_plan_load *l)
{
	json_t *v[LOAD_N];
	long long users = 0, max_users = l->max_users, max_runs = 0;
	unsigned int arrival = LM_ARRIVAL_CONSTANT;
	double peak = 0, total = 0;
	size_t saved;
	int rc;

	rc = lm_jc_check_members(c, o, load_keys, LOAD_N, v);
	if (rc != 0)
		return rc;
	l->model = load_model(v);
	rc = check_model_keys(c, v, l->model);
	if (rc == 0)
		rc = lm_jc_get_int(c, "users", v[LOAD_USERS], 1, PLAN_MAX_USERS,
				   &users);
	if (rc == 0)
		rc = lm_jc_get_double(c, "spawn_rate", v[LOAD_SPAWN_RATE], 0, true,
				      PLAN_MAX_RATE, PLAN_MAX_RATE_WORDS,
				      &l->spawn_rate);
	if (rc == 0)
		rc = lm_jc_get_double(c, "rate", v[LOAD_RATE], 0, true,
				      PLAN_MAX_RATE, PLAN_MAX_RATE_WORDS, &l->rate);
	if (rc == 0)
		rc = lm_jc_get_enum(c, "arrival", v[LOAD_ARRIVAL], arrival_names,
				    DIM(arrival_names), "arrival", true, &arrival);
	if (rc == 0)
		rc = lm_jc_get_int(c, "max_users", v[LOAD_MAX_USERS], 1,
				   PLAN_MAX_USERS, &max_users);
	if (rc == 0 && v[LOAD_STAGES] != NULL) {
		saved = lm_jc_push_key(c, "stages");
		rc = parse_stages(c, v[LOAD_STAGES], l, &peak, &total);
		lm_jc_pop(c, saved);
	}
	if (rc != 0)
		return rc;
	l->arrival = (enum lm_arrival)arrival;
	l->max_users = (uint32_t)max_users;
	if (l->model == LM_LOAD_CLOSED) {
		/* with stages, "users" may size the pool above their peak */
		if (v[LOAD_USERS] != NULL && (double)users < peak)
			return lm_jc_fail_key(c, "users",
					      "%lld is below the peak of the stages (%.0f users)",
					      users, peak);
		l->users = v[LOAD_USERS] != NULL ? (uint32_t)users :
			   (uint32_t)peak;
	} else if (v[LOAD_STAGES] != NULL) {
		l->rate = peak;
	}

	l->duration_s = v[LOAD_STAGES] != NULL ? total : PLAN_DEFAULT_DURATION_S;
	rc = lm_jc_get_double(c, "duration_s", v[LOAD_DURATION], 0, false,
			      PLAN_MAX_DURATION_S, "0 to 31536000",
			      &l->duration_s);
	if (rc == 0)
		rc = lm_jc_get_int(c, "max_runs", v[LOAD_MAX_RUNS], 0, LLONG_MAX,
				   &max_runs);
	if (rc != 0)
		return rc;
	l->max_runs = (uint64_t)max_runs;
	/* the default duration is above 0, so both are 0 only when it is given */
	if (l->duration_s == 0 && l->max_runs == 0)
		return lm_jc_fail_key(c, "duration_s",
				      "duration_s and max_runs cannot both be 0 (the run would never end)");
	return 0;
}

int
lm_plan_parse_serve_load(struct lm_jc *c, json_t *o, struct lm_plan_load *l)
{
	json_t *v[LOAD_N];
	size_t i;
	int rc;

	/* the other keys are about runs, which a plan without scenarios has none of */
	rc = lm_jc_check_members(c, o, load_keys, LOAD_N, v);
	for (i = 0; rc == 0 && i < LOAD_N; i++)
		if (i != LOAD_DURATION && v[i] != NULL)
			rc = lm_jc_fail_at_key(c, load_keys[i].name,
					       "\"%s\" is for plans with scenarios; a plan with only servers takes \"duration_s\" alone",
					       load_keys[i].name);
	if (rc == 0)
		rc = lm_jc_get_double(c, "duration_s", v[LOAD_DURATION], 0, false,
				      PLAN_MAX_DURATION_S, "0 to 31536000",
				      &l->duration_s);
	return rc;
}

/*
 * "tcp": every key has a default, so that a plan without the object (or
 * with only some keys) still fills in every field the stack reads.
 */
static const struct lm_plan_tcp tcp_defaults = {
	.time_wait_ms = 1000,
	.delayed_ack_ms = 0,
	.syn_retries = 3,
	.data_retries = 8,
	.window_bytes = 262144,
	.init_cwnd = 10,
	.sack = true,
	.timestamps = true,
	.window_scaling = true,
	.sack_compress = true,
};

enum {
	TCP_TIME_WAIT, TCP_DELAYED_ACK, TCP_SYN_RETRIES, TCP_DATA_RETRIES,
	TCP_WINDOW, TCP_INIT_CWND, TCP_MAX_CONNS, TCP_SACK, TCP_TIMESTAMPS, TCP_WSCALE, TCP_SACK_COMPRESS,
	TCP_N
};
static const struct lm_jc_key tcp_keys[TCP_N] = {
	[TCP_TIME_WAIT] = { "time_wait_ms", LM_JT_INTEGER, false },
	[TCP_DELAYED_ACK] = { "delayed_ack_ms", LM_JT_INTEGER, false },
	[TCP_SYN_RETRIES] = { "syn_retries", LM_JT_INTEGER, false },
	[TCP_DATA_RETRIES] = { "data_retries", LM_JT_INTEGER, false },
	[TCP_WINDOW] = { "window_bytes", LM_JT_INTEGER, false },
	[TCP_INIT_CWND] = { "init_cwnd", LM_JT_INTEGER, false },
	[TCP_MAX_CONNS] = { "max_connections", LM_JT_INTEGER, false },
	[TCP_SACK] = { "sack", LM_JT_BOOL, false },
	[TCP_TIMESTAMPS] = { "timestamps", LM_JT_BOOL, false },
	[TCP_WSCALE] = { "window_scaling", LM_JT_BOOL, false },
	[TCP_SACK_COMPRESS] = { "sack_compress", LM_JT_BOOL, false },
};

/* The integer keys: their ranges and where they go. */
static const struct {
	size_t key;
	long long min, max;
	size_t off;
} tcp_ints[] = {
	/* 10 minutes: far beyond RFC 9293's 2 MSL of 4 minutes */
	{ TCP_TIME_WAIT, 0, 600000, offsetof(struct lm_plan_tcp, time_wait_ms) },
	/* RFC 9293 section 3.8.6.3: an ACK must not be delayed 500 ms or more */
	{ TCP_DELAYED_ACK, 0, 500, offsetof(struct lm_plan_tcp, delayed_ack_ms) },
	{ TCP_SYN_RETRIES, 0, 10, offsetof(struct lm_plan_tcp, syn_retries) },
	{ TCP_DATA_RETRIES, 1, 20, offsetof(struct lm_plan_tcp, data_retries) },
	/* RFC 7323 section 2.3: a shift of 14 carries at most 1 GiB; 16 MiB
	 * is already more than one connection of a load test needs */
	{ TCP_WINDOW, 1024, 16777216, offsetof(struct lm_plan_tcp, window_bytes) },
	{ TCP_INIT_CWND, 1, 100, offsetof(struct lm_plan_tcp, init_cwnd) },
	/* 0: automatic; else at least one per worker, and at most what the
	 * 32-bit pool indices of a worker can number many times over */
	{ TCP_MAX_CONNS, 0, 64000000, offsetof(struct lm_plan_tcp, max_connections) },
};

static const struct {
	size_t key;
	size_t off;
} tcp_bools[] = {
	{ TCP_SACK, offsetof(struct lm_plan_tcp, sack) },
	{ TCP_TIMESTAMPS, offsetof(struct lm_plan_tcp, timestamps) },
	{ TCP_WSCALE, offsetof(struct lm_plan_tcp, window_scaling) },
	{ TCP_SACK_COMPRESS, offsetof(struct lm_plan_tcp, sack_compress) },
};

int
lm_plan_parse_tcp(struct lm_jc *c, json_t *o, struct lm_plan_tcp *t)
{
	json_t *v[TCP_N];
	long long x;
	size_t i;
	int rc;

	rc = lm_jc_check_members(c, o, tcp_keys, TCP_N, v);
	for (i = 0; rc == 0 && i < DIM(tcp_ints); i++) {
		size_t k = tcp_ints[i].key;

		x = 0;
		if (v[k] == NULL)
			continue;
		rc = lm_jc_get_int(c, tcp_keys[k].name, v[k], tcp_ints[i].min,
				   tcp_ints[i].max, &x);
		if (rc == 0)
			*(uint32_t *)((char *)t + tcp_ints[i].off) = (uint32_t)x;
	}
	for (i = 0; rc == 0 && i < DIM(tcp_bools); i++)
		rc = lm_jc_get_bool(c, tcp_keys[tcp_bools[i].key].name,
				    v[tcp_bools[i].key],
				    (bool *)((char *)t + tcp_bools[i].off));
	return rc;
}

#define IMPAIR_DEFAULT_SEED 1
#define IMPAIR_DEFAULT_DEPTH 3
#define IMPAIR_MAX_DEPTH 64  /* what dataplane/net/impair.h can hold back */

enum { DIR_DROP, DIR_DUP, DIR_REORDER, DIR_CORRUPT, DIR_DEPTH, DIR_N };
static const struct lm_jc_key impair_dir_keys[DIR_N] = {
	[DIR_DROP] = { "drop", LM_JT_NUMBER, false },
	[DIR_DUP] = { "dup", LM_JT_NUMBER, false },
	[DIR_REORDER] = { "reorder", LM_JT_NUMBER, false },
	[DIR_CORRUPT] = { "corrupt", LM_JT_NUMBER, false },
	[DIR_DEPTH] = { "reorder_depth", LM_JT_INTEGER, false },
};

static const size_t impair_probs[] = {
	[DIR_DROP] = offsetof(struct lm_impair_dir, drop),
	[DIR_DUP] = offsetof(struct lm_impair_dir, dup),
	[DIR_REORDER] = offsetof(struct lm_impair_dir, reorder),
	[DIR_CORRUPT] = offsetof(struct lm_impair_dir, corrupt),
};

static int
parse_impair_dir(struct lm_jc *c, json_t *o, struct lm_impair_dir *d)
{
	json_t *v[DIR_N];
	long long depth = d->reorder_depth;
	size_t i;
	int rc;

	rc = lm_jc_check_members(c, o, impair_dir_keys, DIR_N, v);
	for (i = 0; rc == 0 && i < DIM(impair_probs); i++)
		rc = lm_jc_get_double(c, impair_dir_keys[i].name, v[i], 0, false,
				      1, "0 to 1",
				      (double *)((char *)d + impair_probs[i]));
	if (rc == 0)
		rc = lm_jc_get_int(c, "reorder_depth", v[DIR_DEPTH], 1,
				   IMPAIR_MAX_DEPTH, &depth);
	d->reorder_depth = (uint32_t)depth;
	return rc;
}

static bool
impair_dir_active(const struct lm_impair_dir *d)
{
	return d->drop > 0 || d->dup > 0 || d->reorder > 0 || d->corrupt > 0;
}

enum { IMPAIR_SEED, IMPAIR_RX, IMPAIR_TX, IMPAIR_N };
static const struct lm_jc_key impair_keys[IMPAIR_N] = {
	[IMPAIR_SEED] = { "seed", LM_JT_INTEGER, false },
	[IMPAIR_RX] = { "rx", LM_JT_OBJECT, false },
	[IMPAIR_TX] = { "tx", LM_JT_OBJECT, false },
};

int
lm_plan_parse_impair(struct lm_jc *c, json_t *o, struct lm_plan_impair *im)
{
	json_t *v[IMPAIR_N];
	long long seed = (long long)im->seed;
	size_t saved;
	int rc;

	rc = lm_jc_check_members(c, o, impair_keys, IMPAIR_N, v);
	if (rc == 0)
		rc = lm_jc_get_int(c, "seed", v[IMPAIR_SEED], 0, LLONG_MAX, &seed);
	if (rc != 0)
		return rc;
	im->seed = (uint64_t)seed;
	if (v[IMPAIR_RX] != NULL) {
		saved = lm_jc_push_key(c, "rx");
		rc = parse_impair_dir(c, v[IMPAIR_RX], &im->rx);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[IMPAIR_TX] != NULL) {
		saved = lm_jc_push_key(c, "tx");
		rc = parse_impair_dir(c, v[IMPAIR_TX], &im->tx);
		lm_jc_pop(c, saved);
	}
	im->enabled = impair_dir_active(&im->rx) || impair_dir_active(&im->tx);
	return rc;
}

/* What a plan holds for the keys it does not give. */

void
lm_plan_model_defaults(struct lm_plan *plan)
{
	plan->tcp = tcp_defaults;
	memset(&plan->impair, 0, sizeof(plan->impair));
	plan->impair.seed = IMPAIR_DEFAULT_SEED;
	plan->impair.rx.reorder_depth = IMPAIR_DEFAULT_DEPTH;
	plan->impair.tx.reorder_depth = IMPAIR_DEFAULT_DEPTH;
	plan->load.max_users = PLAN_DEFAULT_MAX_USERS;
}

/* ---- thresholds ---- */

#define PLAN_MAX_THRESHOLDS 256
/* a latency limit beyond an hour could not be told from the HDR's clamp */
#define PLAN_MAX_LIMIT_MS 3600000.0
#define PLAN_MAX_RPS 1e9

/* The metric keys come first: lm_plan_one_of() picks among them. */
enum {
	THR_P50, THR_P90, THR_P95, THR_P99, THR_P999, THR_P9999, THR_MAX,
	THR_ERROR_RATE, THR_RPS_MIN, THR_STEP, THR_ABORT, THR_WARMUP, THR_N
};
#define THR_N_METRICS (THR_RPS_MIN + 1)

static const struct lm_jc_key thr_keys[THR_N] = {
	[THR_P50] = { "p50_ms", LM_JT_NUMBER, false },
	[THR_P90] = { "p90_ms", LM_JT_NUMBER, false },
	[THR_P95] = { "p95_ms", LM_JT_NUMBER, false },
	[THR_P99] = { "p99_ms", LM_JT_NUMBER, false },
	[THR_P999] = { "p999_ms", LM_JT_NUMBER, false },
	[THR_P9999] = { "p9999_ms", LM_JT_NUMBER, false },
	[THR_MAX] = { "max_ms", LM_JT_NUMBER, false },
	[THR_ERROR_RATE] = { "error_rate", LM_JT_NUMBER, false },
	[THR_RPS_MIN] = { "rps_min", LM_JT_NUMBER, false },
	[THR_STEP] = { "step", LM_JT_STRING, false },
	[THR_ABORT] = { "abort_on_fail", LM_JT_BOOL, false },
	[THR_WARMUP] = { "warmup_s", LM_JT_NUMBER, false },
};

/* What each metric key measures, its range and how the report writes it. */
static const struct {
	enum lm_thr_metric metric;
	double pct;
	double min, max;
	bool min_open;
	const char *range;
	const char *label;
	const char *op;
	const char *unit;
} thr_metrics[THR_N_METRICS] = {
#define THR_LATENCY(p, l) { LM_THR_LATENCY, p, 0, PLAN_MAX_LIMIT_MS, true, \
	"more than 0 and at most 3600000", l, "<=", " ms" }
	[THR_P50] = THR_LATENCY(50, "p50"),
	[THR_P90] = THR_LATENCY(90, "p90"),
	[THR_P95] = THR_LATENCY(95, "p95"),
	[THR_P99] = THR_LATENCY(99, "p99"),
	[THR_P999] = THR_LATENCY(99.9, "p99.9"),
	[THR_P9999] = THR_LATENCY(99.99, "p99.99"),
	[THR_MAX] = THR_LATENCY(100, "max"),
#undef THR_LATENCY
	[THR_ERROR_RATE] = { LM_THR_ERROR_RATE, 0, 0, 1, false, "0 to 1",
			     "error_rate", "<=", "" },
	[THR_RPS_MIN] = { LM_THR_RPS_MIN, 0, 0, PLAN_MAX_RPS, true,
			  "more than 0 and at most 1000000000", "rps", ">=",
			  "" },
};

/*
 * "scenario/step" -> the step's global index (scenario-major, as the
 * statistics are laid out) in *index. Names may hold '/' themselves, so
 * every scenario whose name is a prefix of s is tried; the number of
 * matches is returned (more than one: ambiguous).
 */
static uint32_t
find_step(const struct lm_plan *plan, const char *s, int32_t *index)
{
	size_t len = strlen(s), nl;
	uint32_t i, j, k = 0, n = 0;

	*index = -1;
	for (i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		nl = strlen(sc->name);
		if (nl >= len || s[nl] != '/' || strncmp(s, sc->name, nl) != 0) {
			k += sc->n_steps;
			continue;
		}
		for (j = 0; j < sc->n_steps; j++, k++) {
			if (strcmp(s + nl + 1, sc->steps[j].name) != 0)
				continue;
			if (n++ == 0)
				*index = (int32_t)k;
		}
	}
	return n;
}

static int
parse_threshold_step(struct lm_jc *c, json_t *v, const struct lm_plan *plan,
		     struct lm_threshold *t, char **name)
{
	const struct lm_scenario *sc0 = &plan->scenarios[0];
	char q[LM_JC_QUOTE_BUF], ex[LM_JC_QUOTE_BUF];
	char like[2 * LM_JC_QUOTE_MAX + 2];
	uint32_t n;
	int rc;

	rc = lm_jc_get_string(c, "step", v, true, name);
	if (rc != 0)
		return rc;
	n = find_step(plan, *name, &t->step);
	if (n == 1)
		return 0;
	lm_jc_quote(q, sizeof(q), *name, strlen(*name));
	if (n > 1)
		return lm_jc_fail_key(c, "step",
				      "step %s is ambiguous: it names more than one step (a name holds '/')",
				      q);
	/* an example taken from the plan shows the expected form */
	snprintf(like, sizeof(like), "%.*s/%.*s", LM_JC_QUOTE_MAX, sc0->name,
		 LM_JC_QUOTE_MAX, sc0->steps[0].name);
	lm_jc_quote(ex, sizeof(ex), like, strlen(like));
	return lm_jc_fail_key(c, "step",
			      "no step %s in the plan (expected \"SCENARIO/STEP\", like %s)",
			      q, ex);
}

static int
parse_threshold(struct lm_jc *c, json_t *o, const struct lm_plan *plan,
		struct lm_threshold *t)
{
	json_t *v[THR_N];
	char *step = NULL;
	size_t m;
	int len, rc;

	t->step = -1;
	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, thr_keys, THR_N, v);
	if (rc == 0)
		rc = lm_plan_one_of(c, thr_keys, v, 0, THR_N_METRICS,
				    "threshold", "metric", &m);
	if (rc != 0)
		return rc;
	t->metric = thr_metrics[m].metric;
	t->pct = thr_metrics[m].pct;
	rc = lm_jc_get_double(c, thr_keys[m].name, v[m], thr_metrics[m].min,
			      thr_metrics[m].min_open, thr_metrics[m].max,
			      thr_metrics[m].range, &t->limit);
	if (rc == 0)
		rc = lm_jc_get_bool(c, "abort_on_fail", v[THR_ABORT],
				    &t->abort_on_fail);
	/* a warm-up only delays the check that stops the run */
	if (rc == 0 && v[THR_WARMUP] != NULL && !t->abort_on_fail)
		rc = lm_jc_fail_at_key(c, "warmup_s",
				       "\"warmup_s\" is only for a threshold with \"abort_on_fail\": true");
	if (rc == 0)
		rc = lm_jc_get_double(c, "warmup_s", v[THR_WARMUP], 0, false,
				      PLAN_MAX_DURATION_S, "0 to 31536000",
				      &t->warmup_s);
	if (rc == 0 && v[THR_STEP] != NULL)
		rc = parse_threshold_step(c, v[THR_STEP], plan, t, &step);
	if (rc != 0) {
		free(step);
		return rc;
	}
	/* "browse/home p99 <= 50 ms", "all error_rate <= 0.01" */
	len = snprintf(NULL, 0, "%s %s %s %.15g%s", step != NULL ? step : "all",
		       thr_metrics[m].label, thr_metrics[m].op, t->limit,
		       thr_metrics[m].unit);
	t->text = malloc((size_t)len + 1);
	if (t->text != NULL)
		snprintf(t->text, (size_t)len + 1, "%s %s %s %.15g%s",
			 step != NULL ? step : "all", thr_metrics[m].label,
			 thr_metrics[m].op, t->limit, thr_metrics[m].unit);
	free(step);
	return t->text != NULL ? 0 : lm_jc_oom(c);
}

int
lm_plan_parse_thresholds(struct lm_jc *c, json_t *a, struct lm_plan *plan)
{
	size_t i, n = json_array_size(a), saved;
	int rc;

	rc = lm_jc_check_count(c, a, PLAN_MAX_THRESHOLDS);
	if (rc != 0)
		return rc;
	plan->thresholds = calloc(n, sizeof(*plan->thresholds));
	if (plan->thresholds == NULL)
		return lm_jc_oom(c);
	for (i = 0; i < n; i++) {
		/* counted first: on an error lm_plan_free() sees this entry too */
		plan->n_thresholds = (uint32_t)i + 1;
		saved = lm_jc_push_index(c, i);
		rc = parse_threshold(c, json_array_get(a, i), plan,
				     &plan->thresholds[i]);
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
lm_plan_free_thresholds(struct lm_plan *plan)
{
	uint32_t i;

	for (i = 0; plan->thresholds != NULL && i < plan->n_thresholds; i++)
		free(plan->thresholds[i].text);
	free(plan->thresholds);
	plan->thresholds = NULL;
	plan->n_thresholds = 0;
}
