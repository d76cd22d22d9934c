/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A scenario's steps: the step grammar (name, timeout_ms and exactly one
 * kind key), think times, loops, raw TCP steps, and the flattening of
 * loops into the scenario's one step array (see lm/plan.h and
 * docs/plan.md). HTTP steps are plan_http.c's.
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

#include "app/template.h"
#include "json_check.h"
#include "plan_parse.h"

#define PLAN_DEFAULT_TIMEOUT_MS 10000
#define PLAN_MAX_LOOP_DEPTH 4
#define PLAN_MAX_LOOP_COUNT 1000000
#define PLAN_MAX_THINK_MS 86400000.0      /* a day */
#define PLAN_MAX_THINK_WORDS "0 to 86400000"
#define PLAN_MAX_SEND_GEN ((long long)1 << 30)
#define PLAN_MAX_EXPECT_BYTES ((long long)1 << 30)
#define PLAN_MAX_PATTERN 1024

/* Where a flattened step was written: its index in each enclosing array. */
struct step_origin {
	uint16_t idx[PLAN_MAX_LOOP_DEPTH + 1];
	uint8_t depth;          /* loops around it */
};

/* A scenario's steps while they are flattened. */
struct flat {
	struct plan_ctx *x;
	struct lm_scenario *sc;
	struct step_origin *origin;   /* one per sc->steps entry */
	uint32_t cap;
	struct step_origin cur;       /* of the step being read */
};

enum {
	STEP_NAME, STEP_TIMEOUT, STEP_HTTP, STEP_THINK, STEP_LOOP, STEP_CONNECT,
	STEP_SEND, STEP_EXPECT, STEP_CLOSE, STEP_N
};
static const struct lm_jc_key step_keys[STEP_N] = {
	[STEP_NAME] = { "name", LM_JT_STRING, false },
	[STEP_TIMEOUT] = { "timeout_ms", LM_JT_INTEGER, false },
	[STEP_HTTP] = { "http", LM_JT_OBJECT, false },
	[STEP_THINK] = { "think", LM_JT_OBJECT, false },
	[STEP_LOOP] = { "loop", LM_JT_OBJECT, false },
	[STEP_CONNECT] = { "connect", LM_JT_OBJECT, false },
	[STEP_SEND] = { "send", LM_JT_STRING | LM_JT_OBJECT, false },
	[STEP_EXPECT] = { "expect", LM_JT_OBJECT, false },
	[STEP_CLOSE] = { "close", LM_JT_OBJECT, false },
};

/* The keys that say what a step does; a step has exactly one. */
static const struct {
	size_t key;
	enum lm_step_kind kind;
} step_kinds[] = {
	{ STEP_HTTP, LM_STEP_HTTP },
	{ STEP_THINK, LM_STEP_THINK },
	{ STEP_LOOP, LM_STEP_LOOP },
	{ STEP_CONNECT, LM_STEP_CONNECT },
	{ STEP_SEND, LM_STEP_SEND },
	{ STEP_EXPECT, LM_STEP_EXPECT },
	{ STEP_CLOSE, LM_STEP_CLOSE },
};
#define N_STEP_KINDS DIM(step_kinds)

int
lm_plan_one_of(struct lm_jc *c, const struct lm_jc_key *spec,
	       json_t *const *v, size_t first, size_t n, const char *what,
	       const char *lack, size_t *found)
{
	const char *names[16];
	char list[256];
	size_t k;

	*found = n;
	for (k = 0; k < n; k++) {
		names[k] = spec[first + k].name;
		if (v[first + k] == NULL)
			continue;
		if (*found < n)
			return lm_jc_fail_at_key(c, names[k],
						 "%s has more than one %s (\"%s\" and \"%s\")",
						 what, lack, names[*found],
						 names[k]);
		*found = k;
	}
	if (*found < n)
		return 0;
	return lm_jc_fail(c, LM_JC_AT_VALUE, "%s has no %s (expected %s)", what,
			  lack, lm_jc_join_names(names, n, true, list,
						 sizeof(list)));
}

/* ---- think ---- */

enum { THINK_CONSTANT, THINK_UNIFORM, THINK_EXPONENTIAL, THINK_NORMAL, THINK_N };
static const struct lm_jc_key think_keys[THINK_N] = {
	[THINK_CONSTANT] = { "constant_ms", LM_JT_NUMBER, false },
	[THINK_UNIFORM] = { "uniform_ms", LM_JT_ARRAY, false },
	[THINK_EXPONENTIAL] = { "exponential_ms", LM_JT_NUMBER, false },
	[THINK_NORMAL] = { "normal_ms", LM_JT_ARRAY, false },
};

static const enum lm_think_dist think_dists[THINK_N] = {
	[THINK_CONSTANT] = LM_THINK_CONSTANT,
	[THINK_UNIFORM] = LM_THINK_UNIFORM,
	[THINK_EXPONENTIAL] = LM_THINK_EXPONENTIAL,
	[THINK_NORMAL] = LM_THINK_NORMAL,
};

/* Entry i of a two-number array (the current path), in [0, max]. */
static int
pair_entry(struct lm_jc *c, json_t *a, size_t i, double *out)
{
	json_t *e = json_array_get(a, i);
	size_t saved = lm_jc_push_index(c, i);
	int rc;

	rc = lm_jc_check_type(c, e, LM_JT_NUMBER);
	if (rc == 0) {
		*out = json_number_value(e);
		if (*out < 0 || *out > PLAN_MAX_THINK_MS)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%.15g is out of range (expected %s)",
					*out, PLAN_MAX_THINK_WORDS);
	}
	lm_jc_pop(c, saved);
	return rc;
}

/* [a, b] (uniform: a <= b) or [mean, sd] (normal) */
static int
parse_pair(struct lm_jc *c, const char *key, json_t *a, bool ordered,
	   double *x, double *y)
{
	size_t saved = lm_jc_push_key(c, key);
	int rc = 0;

	if (json_array_size(a) != 2)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"must have exactly 2 entries (%s), got %zu",
				ordered ? "lowest and highest" :
				"mean and standard deviation",
				json_array_size(a));
	if (rc == 0)
		rc = pair_entry(c, a, 0, x);
	if (rc == 0)
		rc = pair_entry(c, a, 1, y);
	if (rc == 0 && ordered && *y < *x) {
		size_t s2 = lm_jc_push_index(c, 1);

		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"%.15g is below the lowest value %.15g", *y, *x);
		lm_jc_pop(c, s2);
	}
	lm_jc_pop(c, saved);
	return rc;
}

static int
parse_think(struct lm_jc *c, json_t *o, struct lm_think_step *t)
{
	json_t *v[THINK_N];
	size_t k;
	int rc;

	rc = lm_jc_check_members(c, o, think_keys, THINK_N, v);
	if (rc == 0)
		rc = lm_plan_one_of(c, think_keys, v, 0, THINK_N, "think",
				    "distribution", &k);
	if (rc != 0)
		return rc;
	t->dist = think_dists[k];
	switch (k) {
	case THINK_CONSTANT:
		return lm_jc_get_double(c, "constant_ms", v[k], 0, false,
					PLAN_MAX_THINK_MS, PLAN_MAX_THINK_WORDS,
					&t->a_ms);
	case THINK_EXPONENTIAL:
		return lm_jc_get_double(c, "exponential_ms", v[k], 0, true,
					PLAN_MAX_THINK_MS,
					"more than 0 and at most 86400000",
					&t->a_ms);
	case THINK_UNIFORM:
		return parse_pair(c, "uniform_ms", v[k], true, &t->a_ms, &t->b_ms);
	default:
		return parse_pair(c, "normal_ms", v[k], false, &t->a_ms,
				  &t->b_ms);
	}
}

/* ---- raw TCP ---- */

enum { CONN_IP, CONN_PORT, CONN_N };
static const struct lm_jc_key connect_keys[CONN_N] = {
	[CONN_IP] = { "ip", LM_JT_STRING, false },
	[CONN_PORT] = { "port", LM_JT_INTEGER, false },
};

static int
parse_connect(struct plan_ctx *x, json_t *o, struct lm_connect_step *s)
{
	struct lm_jc *c = x->c;
	json_t *v[CONN_N];
	long long port = 0;
	size_t saved;
	int rc;

	rc = lm_jc_check_members(c, o, connect_keys, CONN_N, v);
	if (rc == 0)
		rc = lm_jc_get_ipv4(c, "ip", v[CONN_IP], &s->ip);
	if (rc == 0 && v[CONN_IP] != NULL) {
		saved = lm_jc_push_key(c, "ip");
		rc = lm_plan_check_peer(c, x->plan, s->ip);
		lm_jc_pop(c, saved);
	}
	if (rc == 0)
		rc = lm_jc_get_int(c, "port", v[CONN_PORT], 1, 65535, &port);
	s->port = (uint16_t)port;
	return rc;
}

enum { GEN_SIZE, GEN_SEED, GEN_N };
static const struct lm_jc_key send_gen_keys[GEN_N] = {
	[GEN_SIZE] = { "size", LM_JT_INTEGER, true },
	[GEN_SEED] = { "seed", LM_JT_INTEGER, false },
};

/* A template compile error, about the current path. */
static int
compile_tmpl(struct plan_ctx *x, const char *s, size_t len, struct lm_tmpl **out)
{
	struct lm_tmpl_vars *vars = lm_plan_vars(x);
	char msg[LM_PLAN_ERR_MAX];

	if (vars == NULL)
		return -ENOMEM;
	msg[0] = '\0';
	*out = lm_tmpl_compile(vars, s, len, msg, sizeof(msg));
	if (*out == NULL)
		return lm_jc_fail(x->c, LM_JC_AT_VALUE, "%s",
				  msg[0] != '\0' ? msg : "invalid template");
	return 0;
}

static int
parse_send(struct plan_ctx *x, json_t *v, struct lm_send_step *s)
{
	struct lm_jc *c = x->c;
	json_t *g[GEN_N];
	long long size = 0, seed = 0;
	int rc;

	if (json_is_string(v)) {
		/* any byte may go out, NUL included: the length is kept */
		if (json_string_length(v) == 0)
			return lm_jc_fail(c, LM_JC_AT_VALUE, "must not be empty");
		return compile_tmpl(x, json_string_value(v), json_string_length(v),
				    &s->tmpl);
	}
	rc = lm_jc_check_members(c, v, send_gen_keys, GEN_N, g);
	if (rc == 0)
		rc = lm_jc_get_int(c, "size", g[GEN_SIZE], 1, PLAN_MAX_SEND_GEN,
				   &size);
	if (rc == 0)
		rc = lm_jc_get_int(c, "seed", g[GEN_SEED], 0, LLONG_MAX, &seed);
	if (rc != 0)
		return rc;
	s->generated = true;
	s->gen_size = (uint64_t)size;
	s->gen_seed = (uint64_t)seed;
	return 0;
}

enum { EXP_BYTES, EXP_CONTAINS, EXP_UNTIL, EXP_N };
static const struct lm_jc_key expect_keys[EXP_N] = {
	[EXP_BYTES] = { "bytes", LM_JT_INTEGER, false },
	[EXP_CONTAINS] = { "contains", LM_JT_STRING, false },
	[EXP_UNTIL] = { "until", LM_JT_STRING, false },
};

static const enum lm_expect_kind expect_kinds[EXP_N] = {
	[EXP_BYTES] = LM_EXPECT_BYTES,
	[EXP_CONTAINS] = LM_EXPECT_CONTAINS,
	[EXP_UNTIL] = LM_EXPECT_UNTIL,
};

static int
parse_raw_expect(struct lm_jc *c, json_t *o, struct lm_expect_step *e)
{
	json_t *v[EXP_N];
	long long bytes = 0;
	size_t k, len;
	int rc;

	rc = lm_jc_check_members(c, o, expect_keys, EXP_N, v);
	if (rc == 0)
		rc = lm_plan_one_of(c, expect_keys, v, 0, EXP_N, "expect",
				    "condition", &k);
	if (rc != 0)
		return rc;
	e->kind = expect_kinds[k];
	if (k == EXP_BYTES) {
		rc = lm_jc_get_int(c, "bytes", v[k], 1, PLAN_MAX_EXPECT_BYTES,
				   &bytes);
		e->bytes = (uint64_t)bytes;
		return rc;
	}
	/* patterns may hold any byte (binary protocols): the length is kept */
	len = json_string_length(v[k]);
	if (len == 0 || len > PLAN_MAX_PATTERN)
		return lm_jc_fail_key(c, expect_keys[k].name,
				      "must hold 1 to %d bytes, got %zu",
				      PLAN_MAX_PATTERN, len);
	e->pattern = malloc(len + 1);
	if (e->pattern == NULL)
		return lm_jc_oom(c);
	memcpy(e->pattern, json_string_value(v[k]), len + 1);
	e->pattern_len = (uint32_t)len;
	return 0;
}

static int
parse_close_step(struct lm_jc *c, json_t *o)
{
	return lm_jc_check_empty(c, o, "close");
}

/* ---- steps and loops ---- */

static int parse_array(struct flat *f, json_t *a, unsigned int depth);

/* A new zeroed step at the end of the scenario; its index in *idx. */
static int
flat_add(struct flat *f, uint32_t *idx)
{
	struct lm_scenario *sc = f->sc;
	struct step_origin *no;
	struct lm_step *ns;
	uint32_t cap;

	if (sc->n_steps >= PLAN_MAX_STEPS)
		return lm_jc_fail(f->x->c, LM_JC_AT_VALUE,
				  "the scenario has more than %d steps (loop bodies counted)",
				  PLAN_MAX_STEPS);
	if (sc->n_steps == f->cap) {
		cap = f->cap != 0 ? f->cap * 2 : 8;
		ns = realloc(sc->steps, cap * sizeof(*ns));
		if (ns == NULL)
			return lm_jc_oom(f->x->c);
		sc->steps = ns;
		no = realloc(f->origin, cap * sizeof(*no));
		if (no == NULL)
			return lm_jc_oom(f->x->c);
		f->origin = no;
		f->cap = cap;
	}
	*idx = sc->n_steps++;
	memset(&sc->steps[*idx], 0, sizeof(sc->steps[*idx]));
	f->origin[*idx] = f->cur;
	return 0;
}

enum { LOOP_COUNT, LOOP_STEPS, LOOP_N };
static const struct lm_jc_key loop_keys[LOOP_N] = {
	[LOOP_COUNT] = { "count", LM_JT_INTEGER, true },
	[LOOP_STEPS] = { "steps", LM_JT_ARRAY, true },
};

/* The LOOP step at idx (depth loops around it) and, after it, its body. */
static int
parse_loop(struct flat *f, json_t *o, uint32_t idx, unsigned int depth)
{
	struct lm_jc *c = f->x->c;
	struct step_origin outer = f->cur;
	json_t *v[LOOP_N];
	long long count = 0;
	size_t saved;
	int rc;

	if (depth >= PLAN_MAX_LOOP_DEPTH)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "loops nest at most %d deep",
				  PLAN_MAX_LOOP_DEPTH);
	rc = lm_jc_check_members(c, o, loop_keys, LOOP_N, v);
	if (rc == 0)
		rc = lm_jc_get_int(c, "count", v[LOOP_COUNT], 1,
				   PLAN_MAX_LOOP_COUNT, &count);
	if (rc != 0)
		return rc;
	f->sc->steps[idx].loop.count = (uint32_t)count;
	saved = lm_jc_push_key(c, "steps");
	rc = parse_array(f, v[LOOP_STEPS], depth + 1);
	lm_jc_pop(c, saved);
	f->cur = outer;
	/* the array may have moved: index, not pointer */
	f->sc->steps[idx].loop.body_steps = f->sc->n_steps - idx - 1;
	return rc;
}

static int
step_name(struct flat *f, json_t *name, uint32_t idx)
{
	struct lm_step *s = &f->sc->steps[idx];
	size_t len;

	if (name != NULL)
		return lm_jc_get_string(f->x->c, "name", name, true, &s->name);
	/* "<scenario>.<index>", the index in the flattened steps */
	len = (size_t)snprintf(NULL, 0, "%s.%u", f->sc->name, idx) + 1;
	s->name = malloc(len);
	if (s->name == NULL)
		return lm_jc_oom(f->x->c);
	snprintf(s->name, len, "%s.%u", f->sc->name, idx);
	return 0;
}

static int
parse_step(struct flat *f, json_t *o, unsigned int depth)
{
	struct lm_jc *c = f->x->c;
	json_t *v[STEP_N];
	long long timeout = PLAN_DEFAULT_TIMEOUT_MS;
	size_t k, key, saved;
	struct lm_step *s;
	uint32_t idx = 0;
	int rc;

	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, step_keys, STEP_N, v);
	if (rc == 0)
		rc = flat_add(f, &idx);
	if (rc == 0)
		rc = step_name(f, v[STEP_NAME], idx);
	if (rc == 0)
		rc = lm_jc_get_int(c, "timeout_ms", v[STEP_TIMEOUT], 1,
				   PLAN_MAX_TIMEOUT_MS, &timeout);
	if (rc == 0)
		rc = lm_plan_one_of(c, step_keys, v, STEP_HTTP, N_STEP_KINDS,
				    "step", "kind", &k);
	if (rc != 0)
		return rc;
	s = &f->sc->steps[idx];
	s->timeout_ms = (uint32_t)timeout;
	s->kind = step_kinds[k].kind;
	key = step_kinds[k].key;
	saved = lm_jc_push_key(c, step_keys[key].name);
	switch (s->kind) {
	case LM_STEP_HTTP:
		rc = lm_plan_parse_http(f->x, v[key], &s->http);
		break;
	case LM_STEP_THINK:
		rc = parse_think(c, v[key], &s->think);
		break;
	case LM_STEP_LOOP:
		rc = parse_loop(f, v[key], idx, depth);
		break;
	case LM_STEP_CONNECT:
		rc = parse_connect(f->x, v[key], &s->connect);
		break;
	case LM_STEP_SEND:
		rc = parse_send(f->x, v[key], &s->send);
		break;
	case LM_STEP_EXPECT:
		rc = parse_raw_expect(c, v[key], &s->expect);
		break;
	case LM_STEP_CLOSE:
		rc = parse_close_step(c, v[key]);
		break;
	}
	lm_jc_pop(c, saved);
	return rc;
}

/* A steps array (the current path), depth loops deep. */
static int
parse_array(struct flat *f, json_t *a, unsigned int depth)
{
	struct lm_jc *c = f->x->c;
	size_t i, saved;
	int rc;

	rc = lm_jc_check_count(c, a, PLAN_MAX_STEPS);
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		f->cur.idx[depth] = (uint16_t)i;
		f->cur.depth = (uint8_t)depth;
		saved = lm_jc_push_index(c, i);
		rc = parse_step(f, json_array_get(a, i), depth);
		lm_jc_pop(c, saved);
	}
	return rc;
}

/* "steps[2].loop.steps[0]": where a step was written, for messages */
static const char *
origin_str(const struct step_origin *o, char *buf, size_t cap)
{
	size_t n;
	unsigned int k;

	n = (size_t)snprintf(buf, cap, "steps[%u]", o->idx[0]);
	for (k = 1; k <= o->depth && n < cap; k++)
		n += (size_t)snprintf(buf + n, cap - n, ".loop.steps[%u]",
				      o->idx[k]);
	return buf;
}

/* Push the path of a step from its origin; returns its JSON object. */
static json_t *
push_origin(struct lm_jc *c, json_t *a, const struct step_origin *o)
{
	json_t *s = json_array_get(a, o->idx[0]);
	unsigned int k;

	lm_jc_push_index(c, o->idx[0]);
	for (k = 1; k <= o->depth; k++) {
		lm_jc_push_key(c, "loop");
		lm_jc_push_key(c, "steps");
		lm_jc_push_index(c, o->idx[k]);
		s = json_array_get(json_object_get(json_object_get(s, "loop"),
						   "steps"), o->idx[k]);
	}
	return s;
}

static int
check_duplicates(struct flat *f, json_t *a)
{
	struct lm_jc *c = f->x->c;
	struct lm_scenario *sc = f->sc;
	char q[LM_JC_QUOTE_BUF], also[128];
	size_t dup, first = 0, saved;
	const char *name;
	json_t *so;
	int rc;

	if (lm_jc_find_duplicate(sc->steps, sc->n_steps, sizeof(*sc->steps),
				 offsetof(struct lm_step, name), &dup,
				 &first) != 0)
		return lm_jc_oom(c);
	if (dup == sc->n_steps)
		return 0;
	name = sc->steps[dup].name;
	saved = c->path.len;
	so = push_origin(c, a, &f->origin[dup]);
	if (json_object_get(so, "name") != NULL)
		lm_jc_push_key(c, "name");
	rc = lm_jc_fail(c, LM_JC_AT_VALUE, "duplicate step name %s (also %s)",
			lm_jc_quote(q, sizeof(q), name, strlen(name)),
			origin_str(&f->origin[first], also, sizeof(also)));
	lm_jc_pop(c, saved);
	return rc;
}

int
lm_plan_parse_steps(struct plan_ctx *x, json_t *a, struct lm_scenario *sc)
{
	struct flat f;
	int rc;

	memset(&f, 0, sizeof(f));
	f.x = x;
	f.sc = sc;
	rc = parse_array(&f, a, 0);
	if (rc == 0)
		rc = check_duplicates(&f, a);
	free(f.origin);
	return rc;
}

/* ---- captures, declared ahead ---- */

static int
declare_array(struct plan_ctx *x, json_t *a, unsigned int depth)
{
	struct lm_jc *c = x->c;
	json_t *step, *http, *cap, *loop, *body, *v;
	const char *key;
	size_t i, saved, s2;
	int rc = 0;

	if (!json_is_array(a) || depth > PLAN_MAX_LOOP_DEPTH)
		return 0;
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		step = json_array_get(a, i);
		saved = lm_jc_push_index(c, i);
		http = json_object_get(step, "http");
		cap = json_object_get(http, "capture");
		if (json_is_object(http) && json_is_object(cap)) {
			s2 = c->path.len;
			lm_jc_push_key(c, "http");
			lm_jc_push_key(c, "capture");
			json_object_foreach(cap, key, v) {
				size_t s3 = lm_jc_push_key(c, key);

				rc = lm_plan_capture_var(x, key);
				lm_jc_pop(c, s3);
				if (rc < 0)
					break;
				rc = 0;
			}
			lm_jc_pop(c, s2);
		}
		loop = json_object_get(step, "loop");
		body = json_object_get(loop, "steps");
		if (rc == 0 && json_is_object(loop) && json_is_array(body)) {
			lm_jc_push_key(c, "loop");
			lm_jc_push_key(c, "steps");
			rc = declare_array(x, body, depth + 1);
		}
		lm_jc_pop(c, saved);
	}
	return rc;
}

int
lm_plan_declare_captures(struct plan_ctx *x, json_t *steps)
{
	return declare_array(x, steps, 0);
}

void
lm_plan_free_steps(struct lm_step *steps, uint32_t n)
{
	uint32_t i;

	for (i = 0; steps != NULL && i < n; i++) {
		free(steps[i].name);
		switch (steps[i].kind) {
		case LM_STEP_HTTP:
			lm_plan_free_http(&steps[i].http);
			break;
		case LM_STEP_SEND:
			if (steps[i].send.tmpl != NULL)
				lm_tmpl_free(steps[i].send.tmpl);
			break;
		case LM_STEP_EXPECT:
			free(steps[i].expect.pattern);
			break;
		default:
			break;
		}
	}
	free(steps);
}

const char *
lm_step_kind_name(enum lm_step_kind k)
{
	/* as the plan writes them: each a step's key (docs/plan.md) */
	static const char *const names[] = {
		[LM_STEP_HTTP] = "http",
		[LM_STEP_THINK] = "think",
		[LM_STEP_LOOP] = "loop",
		[LM_STEP_CONNECT] = "connect",
		[LM_STEP_SEND] = "send",
		[LM_STEP_EXPECT] = "expect",
		[LM_STEP_CLOSE] = "close",
	};

	return (unsigned int)k < sizeof(names) / sizeof(names[0]) &&
		names[k] != NULL ? names[k] : "?";
}
