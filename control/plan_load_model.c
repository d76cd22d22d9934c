/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan's "load", "tcp" and "impair" objects: how much traffic, and
 * how our TCP and the fault injector behave (see docs/plan.md).
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
};

enum {
	TCP_TIME_WAIT, TCP_DELAYED_ACK, TCP_SYN_RETRIES, TCP_DATA_RETRIES,
	TCP_WINDOW, TCP_INIT_CWND, TCP_SACK, TCP_TIMESTAMPS, TCP_WSCALE, TCP_N
};
static const struct lm_jc_key tcp_keys[TCP_N] = {
	[TCP_TIME_WAIT] = { "time_wait_ms", LM_JT_INTEGER, false },
	[TCP_DELAYED_ACK] = { "delayed_ack_ms", LM_JT_INTEGER, false },
	[TCP_SYN_RETRIES] = { "syn_retries", LM_JT_INTEGER, false },
	[TCP_DATA_RETRIES] = { "data_retries", LM_JT_INTEGER, false },
	[TCP_WINDOW] = { "window_bytes", LM_JT_INTEGER, false },
	[TCP_INIT_CWND] = { "init_cwnd", LM_JT_INTEGER, false },
	[TCP_SACK] = { "sack", LM_JT_BOOL, false },
	[TCP_TIMESTAMPS] = { "timestamps", LM_JT_BOOL, false },
	[TCP_WSCALE] = { "window_scaling", LM_JT_BOOL, false },
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
};

static const struct {
	size_t key;
	size_t off;
} tcp_bools[] = {
	{ TCP_SACK, offsetof(struct lm_plan_tcp, sack) },
	{ TCP_TIMESTAMPS, offsetof(struct lm_plan_tcp, timestamps) },
	{ TCP_WSCALE, offsetof(struct lm_plan_tcp, window_scaling) },
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
