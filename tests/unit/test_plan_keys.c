/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the plan keys for load models, hooks, step kinds, loops,
 * raw TCP, captures, templated requests, data sets, include, weights and
 * servers (control/plan_*.c). test_plan.c holds the rest of the loader's tests.
 *
 * As there, an error test writes a backquote (MARK) where the error must
 * point; the expected line and column are the mark's, counted here.
 */
#include <errno.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <lm/plan.h>

#include "app/http_request.h"
#include "app/template.h"

#define FILE_NAME "plan.json"
#define MARK '`'

#define PLAN_HEAD \
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
/* the smallest valid plan; its only step is the last thing in it */
#define MINI_HEAD PLAN_HEAD \
	" \"load\": {\"users\": 1},\n" \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [\n"
#define MINI_TAIL "]}]}\n"
#define ONE_SCENARIO \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]"

static struct lm_plan *
load(const char *text, char *err)
{
	err[0] = '\0';
	return lm_plan_load_text(text, strlen(text), FILE_NAME, err,
				 LM_PLAN_ERR_MAX);
}

static struct lm_plan *
load_ok(const char *text)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p = load(text, err);

	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

static void
check_error(const char *text, const char *expected)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p = load(text, err);

	if (p != NULL) {
		lm_plan_free(p);
		fail_msg("loaded, expected: %s", expected);
	}
	assert_string_equal(err, expected);
}

/* Line and column of the MARK in text; the mark is removed. */
static void
take_mark(char *text, unsigned int *line, unsigned int *col)
{
	char *m = strchr(text, MARK);
	const char *p;

	assert_non_null(m);
	*line = 1;
	*col = 1;
	for (p = text; p < m; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
	memmove(m, m + 1, strlen(m + 1) + 1);
	assert_null(strchr(text, MARK));
}

static void
check_error_at(const char *marked, const char *path, const char *msg)
{
	char *text = strdup(marked);
	char expected[2 * LM_PLAN_ERR_MAX];
	unsigned int line, col;

	assert_non_null(text);
	take_mark(text, &line, &col);
	if (path[0] != '\0')
		snprintf(expected, sizeof(expected), FILE_NAME ":%u:%u: %s: %s",
			 line, col, path, msg);
	else
		snprintf(expected, sizeof(expected), FILE_NAME ":%u:%u: %s",
			 line, col, msg);
	check_error(text, expected);
	free(text);
}

/* A plan with this load object (and one scenario) */
static void
check_load(const char *load_obj, const char *path, const char *msg)
{
	char text[4096];

	snprintf(text, sizeof(text), PLAN_HEAD " \"load\": %s,\n" ONE_SCENARIO "}\n",
		 load_obj);
	check_error_at(text, path, msg);
}

static struct lm_plan *
load_with_load(const char *load_obj)
{
	char text[4096];

	snprintf(text, sizeof(text), PLAN_HEAD " \"load\": %s,\n" ONE_SCENARIO "}\n",
		 load_obj);
	return load_ok(text);
}

/* A one-step plan: MINI_HEAD steps MINI_TAIL */
static void
check_step(const char *steps, const char *path, const char *msg)
{
	char *text;

	assert_true(asprintf(&text, "%s%s%s", MINI_HEAD, steps, MINI_TAIL) > 0);
	check_error_at(text, path, msg);
	free(text);
}

static struct lm_plan *
load_steps(const char *steps)
{
	struct lm_plan *p;
	char *text;

	assert_true(asprintf(&text, "%s%s%s", MINI_HEAD, steps, MINI_TAIL) > 0);
	p = load_ok(text);
	free(text);
	return p;
}

/* Render t for user 7, run 3, worker 1, seq 42 into a NUL-terminated buf. */
static size_t
render(const struct lm_plan *p, const struct lm_tmpl *t, void *store,
       uint64_t body_len, uint64_t seq_row, char *buf, size_t cap)
{
	uint64_t rng = 1;
	struct lm_tmpl_env env = {
		.vars = p->vars, .user_store = store, .user = 7, .run = 3,
		.worker = 1, .seq = 42, .time_ms = 1000, .rng = &rng,
		.body_len = body_len, .seq_row = seq_row,
	};
	size_t n;

	assert_non_null(t);
	assert_true(lm_tmpl_max_len(t) < cap);
	n = lm_tmpl_render(t, &env, (uint8_t *)buf, cap - 1);
	buf[n] = '\0';
	return n;
}

static void *
user_store(const struct lm_plan *p)
{
	void *s;

	assert_non_null(p->vars);
	s = calloc(1, lm_tmpl_user_size(p->vars) + 2);
	assert_non_null(s);
	lm_tmpl_user_init(p->vars, s);
	return s;
}

/*
 * What the sender does for a templated request: the body, then the head
 * with the body's length, into one NUL-terminated buf; *unsafe as the
 * sender sees it.
 */
static size_t
render_request_unsafe(const struct lm_plan *p, const struct lm_http_step *h,
		      void *store, char *buf, size_t cap, bool *unsafe)
{
	uint64_t rng = 1;
	struct lm_tmpl_env env = {
		.vars = p->vars, .user_store = store, .user = 7, .run = 3,
		.worker = 1, .seq = 42, .time_ms = 1000, .rng = &rng,
	};
	size_t n, max;

	assert_non_null(h->tmpl);
	max = lm_tmpl_max_len(h->tmpl) +
	      (h->tmpl_body != NULL ? lm_tmpl_max_len(h->tmpl_body) : 0);
	assert_true(max < cap);
	n = lm_tmpl_render_request(h->tmpl, h->tmpl_body, &env, (uint8_t *)buf,
				   max, unsafe);
	buf[n] = '\0';
	return n;
}

static size_t
render_request(const struct lm_plan *p, const struct lm_http_step *h,
	       void *store, char *buf, size_t cap)
{
	bool unsafe;
	size_t n = render_request_unsafe(p, h, store, buf, cap, &unsafe);

	assert_false(unsafe);
	return n;
}

/* ---- load ---- */

static void
test_load_closed(void **state)
{
	struct lm_plan *p;

	(void)state;
	p = load_with_load("{\"users\": 50, \"spawn_rate\": 2.5}");
	assert_int_equal(p->load.model, LM_LOAD_CLOSED);
	assert_int_equal(p->load.users, 50);
	assert_true(p->load.spawn_rate == 2.5);
	assert_null(p->load.stages);
	assert_int_equal(p->load.n_stages, 0);
	assert_true(p->load.duration_s == 10.0);
	lm_plan_free(p);

	/* no spawn_rate: all at once */
	p = load_with_load("{\"users\": 1}");
	assert_true(p->load.spawn_rate == 0);
	lm_plan_free(p);

	/* stages: users is their peak, the duration their total */
	p = load_with_load("{\"stages\": [{\"users\": 10, \"duration_s\": 30},"
			   " {\"users\": 100, \"duration_s\": 60.5}, {\"users\": 0, \"duration_s\": 10}]}");
	assert_int_equal(p->load.model, LM_LOAD_CLOSED);
	assert_int_equal(p->load.users, 100);
	assert_int_equal(p->load.n_stages, 3);
	assert_true(p->load.stages[0].target == 10 && p->load.stages[0].duration_s == 30);
	assert_true(p->load.stages[1].target == 100 && p->load.stages[1].duration_s == 60.5);
	assert_true(p->load.stages[2].target == 0 && p->load.stages[2].duration_s == 10);
	assert_true(p->load.duration_s == 100.5);
	lm_plan_free(p);

	/* users above the peak sizes the pool; duration_s given wins */
	p = load_with_load("{\"users\": 200, \"duration_s\": 5, \"max_runs\": 9,"
			   " \"stages\": [{\"users\": 10, \"duration_s\": 30}]}");
	assert_int_equal(p->load.users, 200);
	assert_true(p->load.duration_s == 5);
	assert_int_equal(p->load.max_runs, 9);
	lm_plan_free(p);
}

static void
test_load_open(void **state)
{
	struct lm_plan *p;

	(void)state;
	p = load_with_load("{\"rate\": 250.5}");
	assert_int_equal(p->load.model, LM_LOAD_OPEN);
	assert_true(p->load.rate == 250.5);
	assert_int_equal(p->load.arrival, LM_ARRIVAL_CONSTANT);
	assert_int_equal(p->load.max_users, 10000);
	assert_int_equal(p->load.users, 0);
	assert_true(p->load.duration_s == 10.0);
	lm_plan_free(p);

	p = load_with_load("{\"rate\": 1, \"arrival\": \"poisson\", \"max_users\": 10000000,"
			   " \"duration_s\": 0, \"max_runs\": 5}");
	assert_int_equal(p->load.arrival, LM_ARRIVAL_POISSON);
	assert_int_equal(p->load.max_users, 10000000);
	assert_true(p->load.duration_s == 0);
	lm_plan_free(p);

	/* stages with "rate" make the model open */
	p = load_with_load("{\"arrival\": \"poisson\", \"stages\": [{\"rate\": 100, \"duration_s\": 10},"
			   " {\"rate\": 500.5, \"duration_s\": 20}]}");
	assert_int_equal(p->load.model, LM_LOAD_OPEN);
	assert_int_equal(p->load.n_stages, 2);
	assert_true(p->load.stages[1].target == 500.5);
	assert_true(p->load.rate == 500.5);
	assert_true(p->load.duration_s == 30);
	lm_plan_free(p);
}

static void
test_load_errors(void **state)
{
	(void)state;
	check_load("{\"users\": 5, `\"rate\": 10}", "load.rate",
		   "\"users\" and \"rate\" cannot both be given (\"users\" makes a closed model, \"rate\" an open one)");
	check_load("`{\"duration_s\": 5}", "load",
		   "missing required key \"users\" (closed model) or \"rate\" (open model)");
	check_load("{\"rate\": 5, `\"spawn_rate\": 1}", "load.spawn_rate",
		   "\"spawn_rate\" is for the closed model (\"users\"); this load is open");
	check_load("{\"users\": 5, `\"arrival\": \"poisson\"}", "load.arrival",
		   "\"arrival\" is for the open model (\"rate\"); this load is closed");
	check_load("{\"users\": 5, `\"max_users\": 9}", "load.max_users",
		   "\"max_users\" is for the open model (\"rate\"); this load is closed");
	check_load("{\"users\": 5, \"stages\": [{\"users\": 1, \"duration_s\": 1}, {`\"rate\": 1, \"duration_s\": 1}]}",
		   "load.stages[1].rate",
		   "a stage of the closed model takes \"users\", not \"rate\"");
	check_load("{\"stages\": [{\"rate\": 1, \"duration_s\": 1}, {`\"users\": 2, \"duration_s\": 1}]}",
		   "load.stages[1].users",
		   "a stage of the open model takes \"rate\", not \"users\"");
	check_load("{`\"rate\": 5, \"stages\": [{\"rate\": 1, \"duration_s\": 1}]}", "load.rate",
		   "\"rate\" and \"stages\" cannot both be given (the stages set the rate)");
	check_load("{\"users\": `5, \"stages\": [{\"users\": 10, \"duration_s\": 1}]}", "load.users",
		   "5 is below the peak of the stages (10 users)");
	check_load("{\"stages\": `[]}", "load.stages", "must have 1 to 1000 entries, got 0");
	check_load("{\"stages\": [`{\"users\": 1}]}", "load.stages[0]",
		   "missing required key \"duration_s\"");
	check_load("{\"stages\": [{\"users\": 1, \"duration_s\": `0}]}", "load.stages[0].duration_s",
		   "0 is out of range (expected more than 0 and at most 31536000)");
	check_load("{\"stages\": [{\"users\": `10000001, \"duration_s\": 1}]}", "load.stages[0].users",
		   "10000001 is out of range (expected 0 to 10000000)");
	check_load("{\"stages\": [`5]}", "load.stages[0]", "expected an object, got an integer");
	check_load("{\"stages\": [{\"users\": 1, \"duration_s\": 1, `\"ramp\": 1}]}",
		   "load.stages[0].ramp", "unknown key \"ramp\" (expected users or duration_s)");
	check_load("{\"stages\": `[{\"users\": 0, \"duration_s\": 1}]}", "load.stages",
		   "every stage has users 0: the run would start nothing");
	check_load("{\"stages\": `[{\"rate\": 0, \"duration_s\": 1}]}", "load.stages",
		   "every stage has rate 0: the run would start nothing");
	check_load("{\"stages\": `[{\"users\": 1, \"duration_s\": 31536000}, {\"users\": 1, \"duration_s\": 1}]}",
		   "load.stages", "the stages last 31536001 s in all, more than 31536000");
	check_load("{\"rate\": `0}", "load.rate",
		   "0 is out of range (expected more than 0 and at most 100000000)");
	check_load("{\"rate\": `100000001}", "load.rate",
		   "100000001 is out of range (expected more than 0 and at most 100000000)");
	check_load("{\"users\": 1, \"spawn_rate\": `0}", "load.spawn_rate",
		   "0 is out of range (expected more than 0 and at most 100000000)");
	check_load("{\"rate\": 1, \"arrival\": `\"bursty\"}", "load.arrival",
		   "unknown arrival \"bursty\" (expected \"constant\" or \"poisson\")");
	check_load("{\"rate\": 1, \"max_users\": `0}", "load.max_users",
		   "0 is out of range (expected 1 to 10000000)");
	check_load("{\"rate\": 1, \"duration_s\": `0}", "load.duration_s",
		   "duration_s and max_runs cannot both be 0 (the run would never end)");
	check_load("{\"rate\": `\"fast\"}", "load.rate", "expected a number, got a string");
}

/* ---- on_start, on_stop, connection ---- */

static void
test_hooks(void **state)
{
	struct lm_plan *p;

	(void)state;
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		    " \"on_start\": [{\"name\": \"login\", \"http\": {\"method\": \"POST\", \"path\": \"/login\"}}],\n"
		    " \"on_stop\": [{\"http\": {\"path\": \"/logout\"}}, {\"think\": {\"constant_ms\": 5}}],\n"
		    " \"scenarios\": [{\"name\": \"a\", \"weight\": 2, \"steps\": [{\"http\": {\"path\": \"/\"}}]},\n"
		    "               {\"name\": \"b\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}\n");
	assert_int_equal(p->n_scenarios, 4);
	assert_int_equal(p->on_start, 2);
	assert_int_equal(p->on_stop, 3);
	assert_string_equal(p->scenarios[2].name, "on_start");
	assert_string_equal(p->scenarios[3].name, "on_stop");
	assert_true(p->scenarios[2].weight == 0 && p->scenarios[3].weight == 0);
	assert_true(p->scenarios[0].weight == 2 && p->scenarios[1].weight == 1);
	assert_string_equal(p->scenarios[2].steps[0].name, "login");
	assert_string_equal(p->scenarios[3].steps[0].name, "on_stop.0");
	assert_string_equal(p->scenarios[3].steps[1].name, "on_stop.1");
	assert_int_equal(p->scenarios[3].n_steps, 2);
	assert_int_equal(lm_plan_n_steps(p), 5);
	lm_plan_free(p);

	/* absent: -1; on_stop alone follows the scenarios */
	p = load_ok(MINI_HEAD "{\"http\": {\"path\": \"/\"}}" MINI_TAIL);
	assert_int_equal(p->on_start, -1);
	assert_int_equal(p->on_stop, -1);
	assert_int_equal(p->n_scenarios, 1);
	lm_plan_free(p);
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1}, \"on_stop\": [{\"close\": {}}],\n" ONE_SCENARIO "}");
	assert_int_equal(p->on_start, -1);
	assert_int_equal(p->on_stop, 1);
	assert_int_equal(p->n_scenarios, 2);
	lm_plan_free(p);

	/* errors inside name the hook's path; the names are reserved */
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		       " \"on_start\": [{\"http\": {\"path\": `\"login\"}}],\n" ONE_SCENARIO "}",
		       "on_start[0].http.path", "path must start with '/'");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n \"on_stop\": `[],\n" ONE_SCENARIO "}",
		       "on_stop", "must have 1 to 1024 entries, got 0");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n \"on_stop\": `{},\n" ONE_SCENARIO "}",
		       "on_stop", "expected an array, got an object");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		       " \"scenarios\": [{\"name\": `\"on_start\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}",
		       "scenarios[0].name",
		       "scenario name \"on_start\" is reserved (for the plan's \"on_start\" steps)");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		       " \"scenarios\": [{\"name\": `\"on_stop\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}",
		       "scenarios[0].name",
		       "scenario name \"on_stop\" is reserved (for the plan's \"on_stop\" steps)");
}

static void
test_connection(void **state)
{
	struct lm_plan *p;

	(void)state;
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		    " \"scenarios\": [{\"name\": \"a\", \"steps\": [{\"http\": {\"path\": \"/\"}}]},\n"
		    "  {\"name\": \"b\", \"connection\": \"per_run\", \"close\": \"rst\", \"steps\": [{\"http\": {\"path\": \"/\"}}]},\n"
		    "  {\"name\": \"c\", \"connection\": \"keep_alive\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}");
	assert_int_equal(p->scenarios[0].connection, LM_CONN_KEEP_ALIVE);
	assert_int_equal(p->scenarios[1].connection, LM_CONN_PER_RUN);
	assert_int_equal(p->scenarios[1].close, LM_CLOSE_RST);
	assert_int_equal(p->scenarios[2].connection, LM_CONN_KEEP_ALIVE);
	lm_plan_free(p);
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		       " \"scenarios\": [{\"name\": \"a\", \"connection\": `\"per-run\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}",
		       "scenarios[0].connection",
		       "unknown connection policy \"per-run\" (expected \"keep_alive\" or \"per_run\")");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		       " \"scenarios\": [{\"name\": \"a\", `\"conn\": \"per_run\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}",
		       "scenarios[0].conn",
		       "unknown key \"conn\" (expected name, weight, close, connection or steps)");
}

/* ---- step kinds ---- */

static void
test_step_kinds(void **state)
{
	(void)state;
	check_step("{\"http\": {\"path\": \"/\"}, `\"think\": {\"constant_ms\": 1}}",
		   "scenarios[0].steps[0].think",
		   "step has more than one kind (\"http\" and \"think\")");
	check_step("{\"send\": \"x\", `\"close\": {}}", "scenarios[0].steps[0].close",
		   "step has more than one kind (\"send\" and \"close\")");
	check_step("{\"name\": \"x\", \"timeout_ms\": 5, `\"sleep\": 1}", "scenarios[0].steps[0].sleep",
		   "unknown key \"sleep\" (expected name, timeout_ms, http, think, loop, connect, send, expect or close)");
	check_step("{\"think\": `5}", "scenarios[0].steps[0].think",
		   "expected an object, got an integer");
	check_step("{\"send\": `5}", "scenarios[0].steps[0].send",
		   "expected a string or an object, got an integer");
}

static void
test_think(void **state)
{
	struct lm_plan *p;
	const struct lm_step *s;

	(void)state;
	p = load_steps("{\"name\": \"c\", \"think\": {\"constant_ms\": 250}},"
		       " {\"think\": {\"uniform_ms\": [100, 500.5]}},"
		       " {\"think\": {\"exponential_ms\": 300}},"
		       " {\"think\": {\"normal_ms\": [200, 0]}},"
		       " {\"think\": {\"constant_ms\": 0}},"
		       " {\"think\": {\"uniform_ms\": [7, 7]}}");
	s = p->scenarios[0].steps;
	assert_int_equal(s[0].kind, LM_STEP_THINK);
	assert_string_equal(s[0].name, "c");
	assert_int_equal(s[0].think.dist, LM_THINK_CONSTANT);
	assert_true(s[0].think.a_ms == 250);
	assert_int_equal(s[1].think.dist, LM_THINK_UNIFORM);
	assert_true(s[1].think.a_ms == 100 && s[1].think.b_ms == 500.5);
	assert_string_equal(s[1].name, "s.1");
	assert_int_equal(s[2].think.dist, LM_THINK_EXPONENTIAL);
	assert_true(s[2].think.a_ms == 300);
	assert_int_equal(s[3].think.dist, LM_THINK_NORMAL);
	assert_true(s[3].think.a_ms == 200 && s[3].think.b_ms == 0);
	assert_true(s[4].think.a_ms == 0);
	assert_true(s[5].think.a_ms == 7 && s[5].think.b_ms == 7);
	lm_plan_free(p);

	check_step("{\"think\": `{}}", "scenarios[0].steps[0].think",
		   "think has no distribution (expected \"constant_ms\", \"uniform_ms\", \"exponential_ms\" or \"normal_ms\")");
	check_step("{\"think\": {`\"uniform_ms\": [1, 2], \"constant_ms\": 1}}",
		   "scenarios[0].steps[0].think.uniform_ms",
		   "think has more than one distribution (\"constant_ms\" and \"uniform_ms\")");
	check_step("{\"think\": {\"constant_ms\": `-1}}", "scenarios[0].steps[0].think.constant_ms",
		   "-1 is out of range (expected 0 to 86400000)");
	check_step("{\"think\": {\"constant_ms\": `86400001}}", "scenarios[0].steps[0].think.constant_ms",
		   "86400001 is out of range (expected 0 to 86400000)");
	check_step("{\"think\": {\"exponential_ms\": `0}}", "scenarios[0].steps[0].think.exponential_ms",
		   "0 is out of range (expected more than 0 and at most 86400000)");
	check_step("{\"think\": {\"uniform_ms\": [500, `100]}}", "scenarios[0].steps[0].think.uniform_ms[1]",
		   "100 is below the lowest value 500");
	check_step("{\"think\": {\"uniform_ms\": `[1, 2, 3]}}", "scenarios[0].steps[0].think.uniform_ms",
		   "must have exactly 2 entries (lowest and highest), got 3");
	check_step("{\"think\": {\"normal_ms\": `[1]}}", "scenarios[0].steps[0].think.normal_ms",
		   "must have exactly 2 entries (mean and standard deviation), got 1");
	check_step("{\"think\": {\"normal_ms\": [100, `-1]}}", "scenarios[0].steps[0].think.normal_ms[1]",
		   "-1 is out of range (expected 0 to 86400000)");
	check_step("{\"think\": {\"uniform_ms\": [`\"1\", 2]}}", "scenarios[0].steps[0].think.uniform_ms[0]",
		   "expected a number, got a string");
	check_step("{\"think\": {\"uniform_ms\": `5}}", "scenarios[0].steps[0].think.uniform_ms",
		   "expected an array, got an integer");
	check_step("{\"think\": {`\"poisson_ms\": 5}}", "scenarios[0].steps[0].think.poisson_ms",
		   "unknown key \"poisson_ms\" (expected constant_ms, uniform_ms, exponential_ms or normal_ms)");
}

/* ---- loops ---- */

static void
test_loop_flatten(void **state)
{
	struct lm_plan *p;
	const struct lm_step *s;

	(void)state;
	/*
	 * a; loop x3 { b; loop x2 { c; d }; e }; f
	 * flat: 0 a, 1 loop, 2 b, 3 loop, 4 c, 5 d, 6 e, 7 f
	 */
	p = load_steps("{\"name\": \"a\", \"http\": {\"path\": \"/a\"}},\n"
		       " {\"loop\": {\"count\": 3, \"steps\": [\n"
		       "   {\"http\": {\"path\": \"/b\"}},\n"
		       "   {\"name\": \"inner\", \"loop\": {\"count\": 2, \"steps\": [\n"
		       "     {\"http\": {\"path\": \"/c\"}}, {\"think\": {\"constant_ms\": 1}}]}},\n"
		       "   {\"name\": \"e\", \"http\": {\"path\": \"/e\"}}]}},\n"
		       " {\"http\": {\"path\": \"/f\"}}");
	assert_int_equal(p->scenarios[0].n_steps, 8);
	s = p->scenarios[0].steps;
	assert_string_equal(s[0].name, "a");
	assert_int_equal(s[1].kind, LM_STEP_LOOP);
	assert_string_equal(s[1].name, "s.1");
	assert_int_equal(s[1].loop.count, 3);
	assert_int_equal(s[1].loop.body_steps, 5);
	assert_string_equal(s[2].name, "s.2");
	assert_string_equal(s[2].http.path, "/b");
	assert_string_equal(s[3].name, "inner");
	assert_int_equal(s[3].kind, LM_STEP_LOOP);
	assert_int_equal(s[3].loop.count, 2);
	assert_int_equal(s[3].loop.body_steps, 2);
	assert_string_equal(s[4].name, "s.4");
	assert_string_equal(s[4].http.path, "/c");
	assert_int_equal(s[5].kind, LM_STEP_THINK);
	assert_string_equal(s[5].name, "s.5");
	assert_string_equal(s[6].name, "e");
	assert_string_equal(s[7].name, "s.7");
	assert_string_equal(s[7].http.path, "/f");
	assert_int_equal(s[1].timeout_ms, 10000);
	lm_plan_free(p);

	/* four deep is the limit */
	p = load_steps("{\"loop\": {\"count\": 1, \"steps\": [{\"loop\": {\"count\": 1, \"steps\": ["
		       "{\"loop\": {\"count\": 1, \"steps\": [{\"loop\": {\"count\": 1000000, \"steps\": ["
		       "{\"http\": {\"path\": \"/\"}}]}}]}}]}}]}}");
	s = p->scenarios[0].steps;
	assert_int_equal(p->scenarios[0].n_steps, 5);
	assert_int_equal(s[0].loop.body_steps, 4);
	assert_int_equal(s[3].loop.body_steps, 1);
	assert_int_equal(s[3].loop.count, 1000000);
	lm_plan_free(p);
	check_step("{\"loop\": {\"count\": 1, \"steps\": [{\"loop\": {\"count\": 1, \"steps\": ["
		   "{\"loop\": {\"count\": 1, \"steps\": [{\"loop\": {\"count\": 1, \"steps\": ["
		   "{\"loop\": `{\"count\": 1, \"steps\": [{\"http\": {\"path\": \"/\"}}]}}]}}]}}]}}]}}",
		   "scenarios[0].steps[0].loop.steps[0].loop.steps[0].loop.steps[0].loop.steps[0].loop",
		   "loops nest at most 4 deep");

	check_step("{\"loop\": {\"count\": `0, \"steps\": [{\"http\": {\"path\": \"/\"}}]}}",
		   "scenarios[0].steps[0].loop.count", "0 is out of range (expected 1 to 1000000)");
	check_step("{\"loop\": {\"count\": `1000001, \"steps\": [{\"http\": {\"path\": \"/\"}}]}}",
		   "scenarios[0].steps[0].loop.count",
		   "1000001 is out of range (expected 1 to 1000000)");
	check_step("{\"loop\": {\"count\": 2, \"steps\": `[]}}", "scenarios[0].steps[0].loop.steps",
		   "must have 1 to 1024 entries, got 0");
	check_step("{\"loop\": `{\"count\": 2}}", "scenarios[0].steps[0].loop",
		   "missing required key \"steps\"");
	check_step("{\"loop\": {\"count\": 2, \"steps\": [{\"http\": {\"path\": `\"x\"}}]}}",
		   "scenarios[0].steps[0].loop.steps[0].http.path", "path must start with '/'");

	/* names are unique across loop bodies; messages say where */
	check_step("{\"name\": \"a\", \"http\": {\"path\": \"/\"}},"
		   " {\"loop\": {\"count\": 2, \"steps\": [{\"name\": `\"a\", \"http\": {\"path\": \"/\"}}]}}",
		   "scenarios[0].steps[1].loop.steps[0].name",
		   "duplicate step name \"a\" (also steps[0])");
	check_step("{\"loop\": {\"count\": 2, \"steps\": [{\"think\": {\"constant_ms\": 1}},"
		   " {\"name\": \"x\", \"http\": {\"path\": \"/\"}}]}}, {\"name\": `\"x\", \"close\": {}}",
		   "scenarios[0].steps[1].name",
		   "duplicate step name \"x\" (also steps[0].loop.steps[1])");
	/* a default name takes the flat index: "s.2" is the loop body's 2nd step */
	check_step("{\"name\": \"s.3\", \"close\": {}}, {\"loop\": {\"count\": 2, \"steps\": ["
		   "{\"think\": {\"constant_ms\": 1}}, `{\"http\": {\"path\": \"/\"}}]}}",
		   "scenarios[0].steps[1].loop.steps[1]",
		   "duplicate step name \"s.3\" (also steps[0])");
}

static void
test_loop_limit(void **state)
{
	char steps[65536];
	size_t o = 0, i;

	(void)state;
	/* 1 loop + 1023 steps fit; a 1025th step does not */
	o += (size_t)snprintf(steps + o, sizeof(steps) - o,
			      "{\"loop\": {\"count\": 2, \"steps\": [");
	for (i = 0; i < 1023; i++)
		o += (size_t)snprintf(steps + o, sizeof(steps) - o,
				      "%s{\"close\": {}}", i > 0 ? "," : "");
	o += (size_t)snprintf(steps + o, sizeof(steps) - o, "]}}");
	{
		struct lm_plan *p = load_steps(steps);

		assert_int_equal(p->scenarios[0].n_steps, 1024);
		assert_int_equal(p->scenarios[0].steps[0].loop.body_steps, 1023);
		assert_string_equal(p->scenarios[0].steps[1023].name, "s.1023");
		lm_plan_free(p);
	}
	snprintf(steps + o, sizeof(steps) - o, ", `{\"close\": {}}");
	check_step(steps, "scenarios[0].steps[1]",
		   "the scenario has more than 1024 steps (loop bodies counted)");
}

/* ---- raw TCP ---- */

static void
test_raw_tcp(void **state)
{
	struct lm_plan *p;
	const struct lm_step *s;
	char buf[512];
	void *store;

	(void)state;
	p = load_steps("{\"connect\": {}},"
		       " {\"name\": \"c2\", \"connect\": {\"ip\": \"198.18.0.3\", \"port\": 7000}},"
		       " {\"send\": \"HELLO {{user}} {{run}}\\r\\n\"},"
		       " {\"send\": {\"size\": 1000, \"seed\": 9}},"
		       " {\"send\": {\"size\": 1}},"
		       " {\"timeout_ms\": 2000, \"expect\": {\"bytes\": 12}},"
		       " {\"expect\": {\"contains\": \"OK\\u0000\"}},"
		       " {\"expect\": {\"until\": \"\\r\\n\"}},"
		       " {\"send\": \"PING\"},"
		       " {\"close\": {}}");
	s = p->scenarios[0].steps;
	assert_int_equal(s[0].kind, LM_STEP_CONNECT);
	assert_int_equal(s[0].connect.ip, 0);
	assert_int_equal(s[0].connect.port, 0);
	assert_int_equal(s[1].connect.ip, 0xc6120003);
	assert_int_equal(s[1].connect.port, 7000);
	assert_int_equal(s[2].kind, LM_STEP_SEND);
	assert_false(s[2].send.generated);
	store = user_store(p);
	assert_int_equal(render(p, s[2].send.tmpl, store, 0, 0, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "HELLO 7 3\r\n");
	assert_true(s[3].send.generated);
	assert_null(s[3].send.tmpl);
	assert_int_equal(s[3].send.gen_size, 1000);
	assert_int_equal(s[3].send.gen_seed, 9);
	assert_int_equal(s[4].send.gen_seed, 0);
	assert_int_equal(s[5].kind, LM_STEP_EXPECT);
	assert_int_equal(s[5].expect.kind, LM_EXPECT_BYTES);
	assert_int_equal(s[5].expect.bytes, 12);
	assert_int_equal(s[5].timeout_ms, 2000);
	assert_int_equal(s[6].expect.kind, LM_EXPECT_CONTAINS);
	assert_int_equal(s[6].expect.pattern_len, 3);
	assert_memory_equal(s[6].expect.pattern, "OK\0", 3);
	assert_int_equal(s[7].expect.kind, LM_EXPECT_UNTIL);
	assert_string_equal(s[7].expect.pattern, "\r\n");
	assert_true(lm_tmpl_is_constant(s[8].send.tmpl));
	assert_int_equal(render(p, s[8].send.tmpl, store, 0, 0, buf, sizeof(buf)), 4);
	assert_int_equal(s[9].kind, LM_STEP_CLOSE);
	free(store);
	lm_plan_free(p);

	check_step("{\"close\": {`\"mode\": \"rst\"}}", "scenarios[0].steps[0].close.mode",
		   "unknown key \"mode\" (close takes no keys: write {})");
	check_step("{\"close\": `[]}", "scenarios[0].steps[0].close",
		   "expected an object, got an array");
	check_step("{\"expect\": `{}}", "scenarios[0].steps[0].expect",
		   "expect has no condition (expected \"bytes\", \"contains\" or \"until\")");
	check_step("{\"expect\": {\"bytes\": 1, `\"until\": \"x\"}}", "scenarios[0].steps[0].expect.until",
		   "expect has more than one condition (\"bytes\" and \"until\")");
	check_step("{\"expect\": {\"until\": `\"\"}}", "scenarios[0].steps[0].expect.until",
		   "must hold 1 to 1024 bytes, got 0");
	check_step("{\"expect\": {\"bytes\": `0}}", "scenarios[0].steps[0].expect.bytes",
		   "0 is out of range (expected 1 to 1073741824)");
	check_step("{\"expect\": {`\"regex\": \"x\"}}", "scenarios[0].steps[0].expect.regex",
		   "unknown key \"regex\" (expected bytes, contains or until)");
	check_step("{\"send\": `\"\"}", "scenarios[0].steps[0].send", "must not be empty");
	check_step("{\"send\": {\"size\": `0}}", "scenarios[0].steps[0].send.size",
		   "0 is out of range (expected 1 to 1073741824)");
	check_step("{\"send\": `{\"seed\": 1}}", "scenarios[0].steps[0].send",
		   "missing required key \"size\"");
	check_step("{\"send\": `\"a{{nope}}\"}", "scenarios[0].steps[0].send",
		   "offset 3: unknown variable \"nope\" (captures: none; data sets: none)");
	check_step("{\"send\": `\"a{{user\"}", "scenarios[0].steps[0].send",
		   "offset 1: \"{{\" without a closing \"}}\"");
	check_step("{\"connect\": {\"ip\": `\"198.18.0.1\"}}", "scenarios[0].steps[0].connect.ip",
		   "198.18.0.1 is our own address (ports[0].ip)");
	check_step("{\"connect\": {\"ip\": `\"198.19.0.1\"}}", "scenarios[0].steps[0].connect.ip",
		   "198.19.0.1 is not inside ports[0] (198.18.0.1/24), so ports[0] needs a gateway");
	check_step("{\"connect\": {\"ip\": `\"198.18.0\"}}", "scenarios[0].steps[0].connect.ip",
		   "invalid IPv4 address \"198.18.0\" (expected dotted decimal, like 198.18.0.1)");
	check_step("{\"connect\": {\"port\": `0}}", "scenarios[0].steps[0].connect.port",
		   "0 is out of range (expected 1 to 65535)");
}

/* ---- captures and templated requests ---- */

static void
test_captures(void **state)
{
	struct lm_plan *p;
	const struct lm_step *s;
	struct lm_capture_state st;
	char buf[1024];
	void *store;
	static const char resp[] =
		"HTTP/1.1 200 OK\r\nX-Token: abc123\r\nContent-Length: 20\r\n\r\n"
		"{\"id\": \"u-77\", \"x\"}";

	(void)state;
	/* the token is used before the step that captures it (a loop) */
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1},\n"
		    " \"on_start\": [{\"http\": {\"method\": \"POST\", \"path\": \"/login\",\n"
		    "   \"capture\": {\"token\": {\"header\": \"X-Token\"},\n"
		    "               \"id\": {\"body_between\": [\"\\\"id\\\": \\\"\", \"\\\"\"]}}}}],\n"
		    " \"scenarios\": [{\"name\": \"s\", \"steps\": [\n"
		    "   {\"http\": {\"path\": \"/items/{{id}}\", \"headers\": {\"Authorization\": \"Bearer {{token}}\"}}},\n"
		    "   {\"http\": {\"path\": \"/again\", \"capture\": {\"token\": {\"header\": \"x-token\"}}}}]}]}\n");
	assert_int_equal(p->on_start, 1);
	s = &p->scenarios[1].steps[0];
	assert_non_null(s->http.captures);
	assert_non_null(s->http.request);
	assert_null(s->http.tmpl);
	/* the same name captured by another step is the same variable */
	assert_non_null(p->scenarios[0].steps[1].http.captures);

	store = user_store(p);
	lm_captures_begin(s->http.captures, &st);
	lm_captures_feed(s->http.captures, &st, (const uint8_t *)resp, sizeof(resp) - 1,
			 p->vars, store);
	assert_true(lm_captures_done(s->http.captures, &st));
	s = &p->scenarios[0].steps[0];
	assert_null(s->http.request);
	assert_int_equal(s->http.request_len, 0);
	render_request(p, &s->http, store, buf, sizeof(buf));
	assert_string_equal(buf, "GET /items/u-77 HTTP/1.1\r\n"
			    "Host: 198.18.0.2\r\n"
			    "Authorization: Bearer abc123\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n\r\n");
	free(store);
	lm_plan_free(p);

	check_step("{\"http\": {\"path\": \"/\", \"capture\": {`\"1x\": {\"header\": \"A\"}}}}",
		   "scenarios[0].steps[0].http.capture.1x",
		   "invalid capture name \"1x\" (expected a letter or '_', then letters, digits or '_', at most 63 in all, not starting with \"__\")");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {`\"__x\": {\"header\": \"A\"}}}}",
		   "scenarios[0].steps[0].http.capture.__x",
		   "invalid capture name \"__x\" (expected a letter or '_', then letters, digits or '_', at most 63 in all, not starting with \"__\")");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {`\"user\": {\"header\": \"A\"}}}}",
		   "scenarios[0].steps[0].http.capture.user",
		   "capture name \"user\" is a built-in variable");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": `{\"a\": {\"header\": \"A\"}, \"b\": {\"header\": \"A\"},"
		   " \"c\": {\"header\": \"A\"}, \"d\": {\"header\": \"A\"}, \"e\": {\"header\": \"A\"},"
		   " \"f\": {\"header\": \"A\"}, \"g\": {\"header\": \"A\"}, \"h\": {\"header\": \"A\"},"
		   " \"i\": {\"header\": \"A\"}}}}",
		   "scenarios[0].steps[0].http.capture", "must have 1 to 8 entries, got 9");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": `{}}}",
		   "scenarios[0].steps[0].http.capture", "must have 1 to 8 entries, got 0");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": `{}}}}",
		   "scenarios[0].steps[0].http.capture.t",
		   "a capture needs \"header\" or \"body_between\"");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"header\": \"A\","
		   " \"body_between\": `[\"a\", \"b\"]}}}}",
		   "scenarios[0].steps[0].http.capture.t.body_between",
		   "a capture takes \"header\" or \"body_between\", not both");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"header\": `\"X Token\"}}}}",
		   "scenarios[0].steps[0].http.capture.t.header",
		   "header name \"X Token\" is not a token (RFC 9110 section 5.6.2)");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"header\": `\"\"}}}}",
		   "scenarios[0].steps[0].http.capture.t.header", "must not be empty");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"body_between\": `[\"a\"]}}}}",
		   "scenarios[0].steps[0].http.capture.t.body_between",
		   "must have exactly 2 entries (start and end), got 1");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"body_between\": [\"a\", `\"\"]}}}}",
		   "scenarios[0].steps[0].http.capture.t.body_between[1]", "must not be empty");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {\"body_between\": [`1, \"b\"]}}}}",
		   "scenarios[0].steps[0].http.capture.t.body_between[0]",
		   "expected a string, got an integer");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": {`\"json\": \"$.id\"}}}}",
		   "scenarios[0].steps[0].http.capture.t.json",
		   "unknown key \"json\" (expected header or body_between)");
	check_step("{\"http\": {\"path\": \"/\", \"capture\": {\"t\": `\"X-Token\"}}}",
		   "scenarios[0].steps[0].http.capture.t", "expected an object, got a string");
}

static void
test_templated_request(void **state)
{
	struct lm_plan *p, *q;
	const struct lm_http_step *h;
	char buf[1024];
	void *store;

	(void)state;
	p = load_steps("{\"http\": {\"method\": \"POST\", \"path\": \"/u/{{user}}?r={{ run }}\","
		       " \"headers\": {\"X-Seq\": \"{{seq}}\", \"Content-Type\": \"text/plain\"},"
		       " \"body\": \"id={{user}}&n={{rand 5 5}}\"}},"
		       " {\"http\": {\"method\": \"PUT\", \"path\": \"/p/{{worker}}\", \"body\": \"{\\\"a\\\": 1}\"}},"
		       " {\"http\": {\"path\": \"/\", \"headers\": {\"Host\": \"h{{user}}.example\"}}},"
		       " {\"http\": {\"method\": \"POST\", \"path\": \"/up/{{user}}\", \"body\": {\"size\": 10, \"seed\": 1}}}");
	store = user_store(p);

	h = &p->scenarios[0].steps[0].http;
	assert_null(h->request);
	assert_int_equal(h->request_len, 0);
	assert_non_null(h->tmpl);
	render_request(p, h, store, buf, sizeof(buf));
	assert_string_equal(buf, "POST /u/7?r=3 HTTP/1.1\r\n"
			    "Host: 198.18.0.2\r\n"
			    "X-Seq: 42\r\n"
			    "Content-Type: text/plain\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n"
			    "Content-Length: 8\r\n\r\n"
			    "id=7&n=5");
	/* the strings keep their slots */
	assert_string_equal(h->path, "/u/{{user}}?r={{ run }}");

	/* a templated path with a constant body: the body's length is known */
	h = &p->scenarios[0].steps[1].http;
	assert_non_null(h->tmpl_body);
	assert_true(lm_tmpl_is_constant(h->tmpl_body));
	render_request(p, h, store, buf, sizeof(buf));
	assert_string_equal(buf, "PUT /p/1 HTTP/1.1\r\n"
			    "Host: 198.18.0.2\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n"
			    "Content-Length: 8\r\n\r\n"
			    "{\"a\": 1}");
	/* and it is the constant request's bytes */
	q = load_steps("{\"http\": {\"method\": \"PUT\", \"path\": \"/p/1\", \"body\": \"{\\\"a\\\": 1}\"}}");
	assert_int_equal(q->scenarios[0].steps[0].http.request_len, strlen(buf));
	assert_memory_equal(q->scenarios[0].steps[0].http.request, buf, strlen(buf));
	assert_null(q->vars);
	lm_plan_free(q);

	/* the plan's Host replaces ours, templated or not */
	h = &p->scenarios[0].steps[2].http;
	assert_null(h->tmpl_body);
	render_request(p, h, store, buf, sizeof(buf));
	assert_string_equal(buf, "GET / HTTP/1.1\r\n"
			    "Host: h7.example\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n\r\n");

	/* a generated body: the template is the head, as request would be */
	h = &p->scenarios[0].steps[3].http;
	assert_true(h->body_generated);
	assert_null(h->tmpl_body);
	render_request(p, h, store, buf, sizeof(buf));
	assert_string_equal(buf, "POST /up/7 HTTP/1.1\r\n"
			    "Host: 198.18.0.2\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n"
			    "Content-Length: 10\r\n\r\n");

	free(store);
	lm_plan_free(p);

	/* "{{" starts a slot wherever it is, even in JSON text */
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": `\"{{\\\"a\\\": 1}\"}}",
		   "scenarios[0].steps[0].http.body",
		   "offset 0: \"{{\" without a closing \"}}\"");

	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": \"{{user}}\","
		   " \"headers\": {\"Content-Length\": `\"1\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length cannot be given with a templated body (Content-Length is computed for each request)");
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": \"{{user}}\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding cannot be given with a templated body (Content-Length is computed for each request)");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"content-length\": `\"{{user}}\"}}}",
		   "scenarios[0].steps[0].http.headers.content-length",
		   "Content-Length cannot hold a template (the request's framing must be known)");
	check_step("{\"http\": {\"path\": `\"/x/{{tokn}}\"}}", "scenarios[0].steps[0].http.path",
		   "offset 5: unknown variable \"tokn\" (captures: none; data sets: none)");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"X-A\": `\"{{ }}\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A", "offset 0: empty {{ }}");
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": `\"a{{rand 9 1}}\"}}",
		   "scenarios[0].steps[0].http.body",
		   "offset 8: rand takes two integers A <= B (64-bit signed), as in {{rand 1 100}}");
	/* with its slots blanked, a templated request passes the usual checks */
	check_step("{\"http\": {\"path\": `\"/a b/{{user}}\"}}", "scenarios[0].steps[0].http.path",
		   "path contains byte 0x20 at offset 2 (only visible ASCII is allowed; percent-encode the rest)");
	check_step("{\"http\": {\"path\": `\"x{{user}}\"}}", "scenarios[0].steps[0].http.path",
		   "path must start with '/'");
	check_step("{\"http\": {\"path\": \"/{{user}}\", \"headers\": {\"X-A\": `\"a\\r\\n{{user}}\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A",
		   "header value contains control character 0x0d (CR) at offset 1");
	check_step("{\"http\": {\"path\": \"/{{user}}\", \"headers\": {`\"X A\": \"1\"}}}",
		   "scenarios[0].steps[0].http.headers[\"X A\"]",
		   "header name \"X A\" is not a token: byte 0x20 at offset 1 (RFC 9110 section 5.6.2)");
}

/* ---- files: data sets and include ---- */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lm_test_plan_keys.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int
teardown_tmpdir(void **state)
{
	(void)state;
	return nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* tmpdir/name holds text (with MARK removed); returns its path */
static const char *
write_file(const char *name, const char *text, char *path, size_t cap)
{
	FILE *f;

	snprintf(path, cap, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static struct lm_plan *
load_file_ok(const char *path)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p = lm_plan_load(path, err, sizeof(err));

	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

/* path must fail with "WHERE:L:C: jpath: msg", L and C of the MARK in marked */
static void
check_file_error(const char *path, const char *where, const char *marked,
		 const char *jpath, const char *msg)
{
	char err[LM_PLAN_ERR_MAX], want[2 * LM_PLAN_ERR_MAX], *text;
	unsigned int line, col;
	struct lm_plan *p;
	FILE *f;

	text = strdup(marked);
	assert_non_null(text);
	take_mark(text, &line, &col);
	f = fopen(where, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);
	p = lm_plan_load(path, err, sizeof(err));
	if (p != NULL) {
		lm_plan_free(p);
		fail_msg("loaded, expected an error in %s", where);
	}
	if (jpath[0] != '\0')
		snprintf(want, sizeof(want), "%s:%u:%u: %s: %s", where, line, col,
			 jpath, msg);
	else
		snprintf(want, sizeof(want), "%s:%u:%u: %s", where, line, col, msg);
	assert_string_equal(err, want);
}

#define DATA_PLAN(data, users) \
	PLAN_HEAD " \"load\": {\"users\": " users "},\n" \
	" \"data\": " data ",\n" \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": {\"method\": \"POST\", \"path\": \"/login\",\n" \
	"   \"body\": \"u={{users.email}}&p={{users.password}}\"}}]}]}\n"

static void
test_data(void **state)
{
	char plan[256], csv[256], buf[1024], msg[1024];
	const struct lm_http_step *h;
	struct lm_plan *p;
	void *store;

	(void)state;
	write_file("users.csv", "email,password\na@x.org,pa\nb@x.org,pb2\n", csv,
		   sizeof(csv));
	/* the CSV path is relative to the plan file's directory */
	write_file("data.json", DATA_PLAN("{\"users\": {\"csv\": \"users.csv\"}}", "2"),
		   plan, sizeof(plan));
	p = load_file_ok(plan);
	assert_non_null(p->vars);
	h = &p->scenarios[0].steps[0].http;
	store = user_store(p);
	render(p, h->tmpl_body, store, 0, 1, buf, sizeof(buf));
	assert_string_equal(buf, "u=b@x.org&p=pb2");
	render_request(p, h, store, buf, sizeof(buf));
	assert_non_null(strstr(buf, "Content-Length: 14\r\n\r\nu=a@x.org&p=pa"));
	free(store);
	lm_plan_free(p);

	/* unique needs a row per user: the open model counts max_users */
	write_file("data.json", PLAN_HEAD " \"load\": {\"rate\": 5, \"max_users\": 2},\n"
		   " \"data\": {\"users\": {\"csv\": \"users.csv\", \"pick\": \"unique\"}},\n" ONE_SCENARIO "}",
		   plan, sizeof(plan));
	p = load_file_ok(plan);
	lm_plan_free(p);

	snprintf(msg, sizeof(msg),
		 "%s: 2 rows for 3 users (unique needs one row per user)", csv);
	check_file_error(plan, plan,
			 DATA_PLAN("{\"users\": {\"csv\": `\"users.csv\", \"pick\": \"unique\"}}", "3"),
			 "data.users.csv", msg);
	snprintf(msg, sizeof(msg), "%s/nope.csv: %s", tmpdir, strerror(ENOENT));
	check_file_error(plan, plan, DATA_PLAN("{\"users\": {\"csv\": `\"nope.csv\"}}", "1"),
			 "data.users.csv", msg);
	check_file_error(plan, plan,
			 DATA_PLAN("{\"users\": {\"csv\": \"users.csv\", \"pick\": `\"first\"}}", "1"),
			 "data.users.pick",
			 "unknown pick \"first\" (expected \"sequential\", \"random\" or \"unique\")");
	check_file_error(plan, plan, DATA_PLAN("{`\"user-list\": {\"csv\": \"users.csv\"}}", "1"),
			 "data.user-list",
			 "invalid data set name \"user-list\" (expected a letter or '_', then letters, digits or '_', at most 63 in all, not starting with \"__\")");
	check_file_error(plan, plan, DATA_PLAN("{\"users\": `{}}", "1"), "data.users",
			 "missing required key \"csv\"");
	check_file_error(plan, plan, DATA_PLAN("`{}", "1"), "data",
			 "must have 1 to 16 entries, got 0");
	/* a template naming a column the CSV lacks */
	write_file("short.csv", "email\na\n", csv, sizeof(csv));
	check_file_error(plan, plan,
			 PLAN_HEAD " \"load\": {\"users\": 1}, \"data\": {\"users\": {\"csv\": \"short.csv\"}},\n"
			 " \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": {\"path\": `\"/{{users.password}}\"}}]}]}",
			 "scenarios[0].steps[0].http.path",
			 "offset 9: data set \"users\" has no column \"password\" (columns: email)");
	/* a data set cannot take a capture's name */
	check_file_error(plan, plan,
			 PLAN_HEAD " \"load\": {\"users\": 1}, \"data\": {`\"token\": {\"csv\": \"short.csv\"}},\n"
			 " \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": {\"path\": \"/\","
			 " \"capture\": {\"token\": {\"header\": \"X-T\"}}}}]}]}",
			 "data.token", "data set name \"token\" is taken by a capture");
}

#define HEAD_PLAN(http) \
	PLAN_HEAD " \"load\": {\"users\": 1},\n" \
	" \"data\": {\"users\": {\"csv\": \"lf.csv\"}},\n" \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": " http "}]}]}\n"

/*
 * A data set cell that would split the request (a quoted field holding a
 * newline) cannot go into the head: the plan is refused, naming the CSV
 * file, the line of the row, the column and the value that reads it. In
 * the body it is only bytes.
 */
static void
test_data_head(void **state)
{
	char plan[256], csv[256], buf[1024], msg[1024];
	const struct lm_http_step *h;
	struct lm_plan *p;
	void *store;

	(void)state;
	write_file("lf.csv", "name,id\nalice,1\n\"bob\nby\",2\n", csv,
		   sizeof(csv));
	snprintf(plan, sizeof(plan), "%s/head.json", tmpdir);
	snprintf(msg, sizeof(msg), "%s:3: column \"name\" holds control "
		 "character 0x0a (LF) at offset 3, which a request head cannot "
		 "carry", csv);
	check_file_error(plan, plan,
			 HEAD_PLAN("{\"path\": \"/\", \"headers\": {\"X-Name\": `\"<{{users.name}}>\"}}"),
			 "scenarios[0].steps[0].http.headers.X-Name", msg);
	check_file_error(plan, plan,
			 HEAD_PLAN("{\"path\": `\"/u/{{users.name}}\"}"),
			 "scenarios[0].steps[0].http.path", msg);

	/* another column of the set, and the same column in the body */
	write_file("head.json",
		   HEAD_PLAN("{\"method\": \"POST\", \"path\": \"/u/{{users.id}}\","
			     " \"headers\": {\"X-Id\": \"{{users.id}}\"},"
			     " \"body\": \"n={{users.name}};\"}"),
		   plan, sizeof(plan));
	p = load_file_ok(plan);
	h = &p->scenarios[0].steps[0].http;
	assert_non_null(h->tmpl_body);
	store = user_store(p);
	render(p, h->tmpl_body, store, 0, 1, buf, sizeof(buf));
	assert_string_equal(buf, "n=bob\nby;");
	render_request(p, h, store, buf, sizeof(buf));
	assert_string_equal(buf, "POST /u/1 HTTP/1.1\r\n"
			    "Host: 198.18.0.2\r\n"
			    "X-Id: 1\r\n"
			    "User-Agent: lemmings-dp/0.1\r\n"
			    "Content-Length: 8\r\n\r\n"
			    "n=alice;");
	free(store);
	lm_plan_free(p);
}

static void
test_include(void **state)
{
	char plan[256], a[256], b[256], dir[256];
	struct lm_plan *p;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/shop", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(dir, sizeof(dir), "%s/shop/sub.json", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0); /* a directory is not a file */
	write_file("shop/b.json", "{\"name\": \"browse\", \"weight\": 3,\n"
		   " \"steps\": [{\"http\": {\"path\": \"/b\"}}]}\n", b, sizeof(b));
	write_file("shop/a.json", "{\"name\": \"add\", \"steps\": [{\"http\": {\"path\": \"/a\"}}]}\n",
		   a, sizeof(a));
	write_file("shop.json", PLAN_HEAD " \"load\": {\"users\": 1},\n"
		   " \"description\": \"a library of scenarios\",\n"
		   " \"include\": [\"shop/*.json\", \"shop/a.json\"],\n"
		   " \"weights\": {\"add\": 0.5, \"own\": 4},\n"
		   " \"scenarios\": [{\"name\": \"own\", \"steps\": [{\"http\": {\"path\": \"/o\"}}]}]}\n",
		   plan, sizeof(plan));
	p = load_file_ok(plan);
	assert_int_equal(p->n_scenarios, 3);
	assert_string_equal(p->scenarios[0].name, "own");
	assert_true(p->scenarios[0].weight == 4);
	assert_string_equal(p->scenarios[1].name, "add");
	assert_true(p->scenarios[1].weight == 0.5);
	assert_string_equal(p->scenarios[2].name, "browse");
	assert_true(p->scenarios[2].weight == 3);
	assert_string_equal(p->scenarios[2].steps[0].name, "browse.0");
	lm_plan_free(p);

	/* "scenarios" is optional with include */
	write_file("shop.json", PLAN_HEAD " \"load\": {\"users\": 1},\n"
		   " \"include\": [\"shop/b.json\"]}\n", plan, sizeof(plan));
	p = load_file_ok(plan);
	assert_int_equal(p->n_scenarios, 1);
	assert_string_equal(p->scenarios[0].name, "browse");
	lm_plan_free(p);

	/* errors */
	check_file_error(plan, plan, PLAN_HEAD " \"load\": {\"users\": 1},\n"
			 " \"include\": [\"shop/b.json\"], \"weights\": {`\"brows\": 2}}\n",
			 "weights.brows", "no scenario named \"brows\"");
	check_file_error(plan, plan, PLAN_HEAD " \"load\": {\"users\": 1},\n"
			 " \"include\": [\"shop/b.json\"], \"weights\": {\"browse\": `0}}\n",
			 "weights.browse",
			 "0 is out of range (expected more than 0 and at most 1000000000)");
	check_file_error(plan, plan, PLAN_HEAD " \"load\": {\"users\": 1},\n"
			 " \"include\": [\"shop/b.json\", `\"nope/*.json\"]}\n",
			 "include[1]", "no file matches \"nope/*.json\"");
	check_file_error(plan, plan, PLAN_HEAD " \"load\": {\"users\": 1},\n"
			 " \"include\": `[]}\n", "include", "must have 1 to 64 entries, got 0");
	check_file_error(plan, plan, PLAN_HEAD " \"load\": {\"users\": 1},\n"
			 " \"include\": [`\"\"]}\n", "include[0]", "must not be empty");
	check_file_error(plan, plan, "`" PLAN_HEAD " \"load\": {\"users\": 1}}\n", "",
			 "missing required key \"scenarios\" or \"servers\" (a plan needs one of them, or both)");
}

static void
test_include_errors(void **state)
{
	char plan[256], a[256], b[256], dir[256], want[1024], err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;
	FILE *f;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/lib", tmpdir);
	assert_int_equal(mkdir(dir, 0755), 0);
	write_file("lib/a.json", "{\"name\": \"add\", \"steps\": [{\"http\": {\"path\": \"/a\"}}]}\n",
		   a, sizeof(a));
	write_file("lib/b.json", "{\"name\": \"b\", \"steps\": [{\"http\": {\"path\": \"/b\"}}]}\n",
		   b, sizeof(b));
	snprintf(plan, sizeof(plan), "%s/lib.json", tmpdir);
	f = fopen(plan, "w");
	assert_non_null(f);
	fputs(PLAN_HEAD " \"load\": {\"users\": 1},\n \"include\": [\"lib/*.json\"]}\n", f);
	fclose(f);

	/* an error inside an included file names that file, line and path */
	check_file_error(plan, b, "{\"name\": \"b\",\n \"steps\": [{\"http\": {\"path\": `\"b\"}}]}\n",
			 "steps[0].http.path", "path must start with '/'");
	check_file_error(plan, b, "`{\"steps\": [{\"http\": {\"path\": \"/\"}}]}\n", "",
			 "missing required key \"name\"");
	check_file_error(plan, b, "{\"name\": \"b\", \"steps\": [], `\"x\": 1}\n", "x",
			 "unknown key \"x\" (expected name, weight, close, connection or steps)");
	check_file_error(plan, b, "{\"name\": `\"on_stop\", \"steps\": [{\"close\": {}}]}\n", "name",
			 "scenario name \"on_stop\" is reserved (for the plan's \"on_stop\" steps)");
	/* jansson's own errors name the file too */
	f = fopen(b, "w");
	assert_non_null(f);
	fputs("{\"name\": \"b\",}", f);
	fclose(f);
	assert_null(lm_plan_load(plan, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s:1:14: string or '}' expected near '}'", b);
	assert_string_equal(err, want);

	/* a duplicate name: in the included file, naming the plan's scenario */
	f = fopen(plan, "w");
	assert_non_null(f);
	fputs(PLAN_HEAD " \"load\": {\"users\": 1},\n \"include\": [\"lib/*.json\"],\n"
	      " \"scenarios\": [{\"name\": \"own\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}\n", f);
	fclose(f);
	check_file_error(plan, b, "{\"name\": `\"own\", \"steps\": [{\"close\": {}}]}\n", "name",
			 "duplicate scenario name \"own\" (also scenarios[0])");
	/* between two included files: the later names the earlier */
	snprintf(want, sizeof(want), "duplicate scenario name \"add\" (also \"%s\")", a);
	check_file_error(plan, b, "{\"name\": `\"add\", \"steps\": [{\"close\": {}}]}\n", "name",
			 want);
	write_file("lib/b.json", "{\"name\": \"b\", \"steps\": [{\"close\": {}}]}\n", b, sizeof(b));
	p = load_file_ok(plan);
	assert_int_equal(p->n_scenarios, 3);
	lm_plan_free(p);
}

/* ---- the rest of the top level ---- */

static void
test_description(void **state)
{
	struct lm_plan *p;

	(void)state;
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1}, \"description\": \"\",\n" ONE_SCENARIO "}");
	lm_plan_free(p);
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1}, \"description\": `[\"a\"],\n" ONE_SCENARIO "}",
		       "description", "expected a string, got an array");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1}, \"description\": `\"a\\u0000\",\n" ONE_SCENARIO "}",
		       "description", "contains a NUL character (\\u0000)");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1}, `\"comment\": \"x\",\n" ONE_SCENARIO "}",
		       "comment",
		       "unknown key \"comment\" (expected name, description, ports, target, load, tcp, impair, data, scenarios, include, weights, on_start, on_stop, thresholds or servers)");
	/* weights without include work on the plan's own scenarios */
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 1}, \"weights\": {\"s\": 7},\n" ONE_SCENARIO "}");
	assert_true(p->scenarios[0].weight == 7);
	lm_plan_free(p);
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1}, \"weights\": {\"s\": `\"7\"},\n" ONE_SCENARIO "}",
		       "weights.s", "expected a number, got a string");
	check_error_at(PLAN_HEAD " \"load\": {\"users\": 1}, \"on_start\": [{\"close\": {}}],"
		       " \"weights\": {`\"on_start\": 1},\n" ONE_SCENARIO "}",
		       "weights.on_start", "no scenario named \"on_start\"");
}

/* A sample plan shipped in scenarios/, wherever the tests run from; NULL if absent. */
static struct lm_plan *
load_sample(const char *name)
{
	static const char *const where[] = {
		"scenarios", "../scenarios", "../../scenarios", "../../../scenarios",
	};
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", where[i], name);
		if (access(path, R_OK) == 0)
			return load_file_ok(path);
	}
	return NULL;
}

/* The examples of scenarios/ load, and hold what their descriptions say. */
static void
test_samples(void **state)
{
	struct lm_plan *p;
	const struct lm_scenario *sc;

	(void)state;
	p = load_sample("login-browse.json");
	if (p == NULL)
		skip();
	assert_int_equal(p->n_scenarios, 4);
	assert_int_equal(p->on_start, 2);
	assert_int_equal(p->on_stop, 3);
	assert_non_null(p->scenarios[2].steps[0].http.captures);
	assert_non_null(p->scenarios[2].steps[0].http.tmpl);
	assert_non_null(p->scenarios[0].steps[0].http.tmpl);
	lm_plan_free(p);

	p = load_sample("open-rate.json");
	assert_non_null(p);
	assert_int_equal(p->load.model, LM_LOAD_OPEN);
	assert_int_equal(p->load.arrival, LM_ARRIVAL_POISSON);
	assert_int_equal(p->load.n_stages, 3);
	assert_true(p->load.duration_s == 35);
	lm_plan_free(p);

	p = load_sample("raw-tcp.json");
	assert_non_null(p);
	assert_int_equal(p->scenarios[0].connection, LM_CONN_PER_RUN);
	assert_int_equal(p->scenarios[0].steps[0].kind, LM_STEP_CONNECT);
	assert_int_equal(p->scenarios[0].steps[11].kind, LM_STEP_CLOSE);
	lm_plan_free(p);

	p = load_sample("cps.json");
	assert_non_null(p);
	assert_int_equal(p->scenarios[0].connection, LM_CONN_PER_RUN);
	assert_int_equal(p->scenarios[0].close, LM_CLOSE_RST);
	lm_plan_free(p);

	p = load_sample("shop.json");
	assert_non_null(p);
	assert_int_equal(p->n_scenarios, 3);
	/* the files of shop/ in sorted order, weights from the plan */
	assert_string_equal(p->scenarios[0].name, "browse");
	assert_true(p->scenarios[0].weight == 6);
	assert_string_equal(p->scenarios[1].name, "checkout");
	assert_true(p->scenarios[1].weight == 1);
	assert_string_equal(p->scenarios[2].name, "search");
	assert_true(p->scenarios[2].weight == 3);
	assert_int_equal(p->load.users, 20);
	lm_plan_free(p);

	p = load_sample("think-loop.json");
	assert_non_null(p);
	sc = &p->scenarios[0];
	assert_int_equal(sc->n_steps, 9);
	assert_int_equal(sc->steps[2].kind, LM_STEP_LOOP);
	assert_int_equal(sc->steps[2].loop.body_steps, 5);
	assert_int_equal(sc->steps[5].loop.body_steps, 2);
	assert_int_equal(sc->steps[1].think.dist, LM_THINK_NORMAL);
	assert_int_equal(sc->steps[7].think.dist, LM_THINK_EXPONENTIAL);
	lm_plan_free(p);

	p = load_sample("server-http.json");
	assert_non_null(p);
	assert_int_equal(p->n_scenarios, 0);
	assert_true(p->load.duration_s == 30);
	assert_int_equal(p->n_servers, 1);
	assert_string_equal(p->servers[0].name, "web");
	assert_int_equal(p->servers[0].ip, 0xc6120001);
	assert_int_equal(p->servers[0].listen, 80);
	assert_int_equal(p->servers[0].n_routes, 4);
	assert_string_equal(p->servers[0].routes[1].path, "/big");
	assert_int_equal(p->servers[0].routes[1].body_size, 1048576);
	assert_int_equal(p->servers[0].routes[3].delay_ms, 50);
	assert_int_equal(p->servers[0].dflt.status, 404);
	lm_plan_free(p);
}

/* ---- servers ---- */

/* Two ports; the servers array is the last thing in the plan. */
#define SRV_HEAD \
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}, {\"ip\": \"198.19.0.2\"}],\n" \
	" \"servers\": [\n"
#define SRV_TAIL "]}\n"
/* one HTTP server on ports[0]:80 with one route, the last thing in it */
#define ROUTE_HEAD SRV_HEAD "{\"port\": 0, \"listen\": 80, \"http\": {\"routes\": [\n"
#define ROUTE_TAIL "]}}" SRV_TAIL

static struct lm_plan *
load_servers(const char *servers)
{
	struct lm_plan *p;
	char *text;

	assert_true(asprintf(&text, "%s%s%s", SRV_HEAD, servers, SRV_TAIL) > 0);
	p = load_ok(text);
	free(text);
	return p;
}

static void
check_servers(const char *servers, const char *path, const char *msg)
{
	char *text;

	assert_true(asprintf(&text, "%s%s%s", SRV_HEAD, servers, SRV_TAIL) > 0);
	check_error_at(text, path, msg);
	free(text);
}

static void
check_route(const char *route, const char *path, const char *msg)
{
	char *text;

	assert_true(asprintf(&text, "%s%s%s", ROUTE_HEAD, route, ROUTE_TAIL) > 0);
	check_error_at(text, path, msg);
	free(text);
}

/* The one route of a ROUTE_HEAD plan; free the plan with lm_plan_free(). */
static struct lm_plan *
load_route(const char *route)
{
	struct lm_plan *p;
	char *text;

	assert_true(asprintf(&text, "%s%s%s", ROUTE_HEAD, route, ROUTE_TAIL) > 0);
	p = load_ok(text);
	free(text);
	assert_int_equal(p->n_servers, 1);
	assert_int_equal(p->servers[0].n_routes, 1);
	return p;
}

/* FNV-1a 64 written out here, apart from util/fnv.h */
static uint64_t
fnv1a64(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

#define assert_bytes(p, n, want) do { \
	assert_int_equal((n), sizeof(want) - 1); \
	assert_memory_equal((p), (want), sizeof(want) - 1); \
} while (0)

/* A route's two heads: want_head, and the same with Connection: close. */
static void
assert_heads(const struct lm_route *r, const char *want)
{
	size_t n = strlen(want);
	char *close_head;

	assert_non_null(r->head);
	assert_int_equal(r->head_len, n);
	assert_memory_equal(r->head, want, n);
	assert_true(n >= 4 && strcmp(want + n - 4, "\r\n\r\n") == 0);
	assert_true(asprintf(&close_head, "%.*sConnection: close\r\n\r\n",
			     (int)(n - 2), want) > 0);
	assert_non_null(r->head_close);
	assert_int_equal(r->head_close_len, strlen(close_head));
	assert_memory_equal(r->head_close, close_head, strlen(close_head));
	free(close_head);
}

static void
assert_route(const struct lm_route *r, const char *path, uint16_t status)
{
	assert_non_null(r->path);
	assert_string_equal(r->path, path);
	assert_int_equal(r->path_len, strlen(path));
	assert_true(r->path_hash == fnv1a64(path, strlen(path)));
	assert_int_equal(r->status, status);
}

static void
test_servers_valid(void **state)
{
	const struct lm_plan_server *s;
	const struct lm_route *r;
	struct lm_plan *p;

	(void)state;
	/* the hash the dataplane matches paths with: a published test vector */
	assert_true(fnv1a64("a", 1) == 0xaf63dc4c8601ec8cull);

	p = load_servers(
		"{\"port\": 1, \"ip\": \"198.19.0.2\", \"listen\": 80, \"name\": \"web\",\n"
		" \"http\": {\"routes\": [{\"path\": \"/small\", \"status\": 200, \"body\": {\"size\": 100}},\n"
		"   {\"path\": \"/big\", \"status\": 200, \"body\": {\"size\": 1048576, \"seed\": 7},\n"
		"    \"headers\": {\"Cache-Control\": \"no-store\"}},\n"
		"   {\"path\": \"/hello\", \"body\": \"hello\\n\"},\n"
		"   {\"path\": \"/slow\", \"status\": 200, \"body\": {\"size\": 10}, \"delay_ms\": 50}],\n"
		"  \"default\": {\"status\": 404}}},\n"
		"{\"port\": 0, \"listen\": 7, \"echo\": {}},\n"
		"{\"port\": 0, \"listen\": 9000, \"reply\": {\"after\": \"\\r\\n\", \"text\": \"PONG\\r\\n\"}},\n"
		"{\"port\": 0, \"listen\": 9001, \"reply\": {\"after_bytes\": 64, \"bytes\": 1024, \"seed\": 3}}\n");
	/* no scenarios: a plan that only serves, until stopped */
	assert_int_equal(p->n_scenarios, 0);
	assert_int_equal(lm_plan_n_steps(p), 0);
	assert_int_equal(p->on_start, -1);
	assert_int_equal(p->on_stop, -1);
	assert_true(p->load.duration_s == 0);
	assert_int_equal(p->load.max_runs, 0);
	assert_int_equal(p->target.ip, 0);
	assert_int_equal(p->n_servers, 4);

	s = &p->servers[0];
	assert_string_equal(s->name, "web");
	assert_int_equal(s->port, 1);
	assert_int_equal(s->ip, 0xc6130002);
	assert_int_equal(s->listen, 80);
	assert_int_equal(s->kind, LM_SERVER_HTTP);
	assert_int_equal(s->n_routes, 4);
	r = &s->routes[0];
	assert_route(r, "/small", 200);
	assert_int_equal(r->delay_ms, 0);
	assert_int_equal(r->body_size, 100);
	assert_int_equal(r->body_seed, 0);
	assert_null(r->body_text);
	assert_bytes(r->head, r->head_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n");
	assert_bytes(r->head_close, r->head_close_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n");
	r = &s->routes[1];
	assert_route(r, "/big", 200);
	assert_int_equal(r->body_size, 1048576);
	assert_int_equal(r->body_seed, 7);
	assert_null(r->body_text);
	assert_int_equal(r->delay_ms, 0);
	assert_bytes(r->head, r->head_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nCache-Control: no-store\r\n\r\n");
	assert_bytes(r->head_close, r->head_close_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\nCache-Control: no-store\r\n"
		     "Connection: close\r\n\r\n");
	r = &s->routes[2];
	assert_route(r, "/hello", 200);
	assert_non_null(r->body_text);
	assert_int_equal(r->body_size, 6);
	assert_memory_equal(r->body_text, "hello\n", 6);
	assert_int_equal(r->body_seed, 0);
	assert_bytes(r->head, r->head_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n");
	assert_bytes(r->head_close, r->head_close_len,
		     "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\n");
	r = &s->routes[3];
	assert_route(r, "/slow", 200);
	assert_int_equal(r->delay_ms, 50);
	assert_int_equal(r->body_size, 10);
	assert_null(r->body_text);
	assert_heads(r, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n");
	r = &s->dflt;
	assert_null(r->path);
	assert_int_equal(r->path_len, 0);
	assert_int_equal(r->status, 404);
	assert_int_equal(r->body_size, 0);
	assert_null(r->body_text);
	assert_int_equal(r->delay_ms, 0);
	assert_bytes(r->head, r->head_len,
		     "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	assert_bytes(r->head_close, r->head_close_len,
		     "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");

	s = &p->servers[1];
	assert_string_equal(s->name, "198.18.0.1:7");
	assert_int_equal(s->port, 0);
	assert_int_equal(s->ip, 0xc6120001);
	assert_int_equal(s->listen, 7);
	assert_int_equal(s->kind, LM_SERVER_ECHO);
	assert_null(s->routes);
	assert_int_equal(s->n_routes, 0);
	assert_null(s->dflt.head);
	assert_null(s->after_delim);
	assert_null(s->reply_text);

	s = &p->servers[2];
	assert_string_equal(s->name, "198.18.0.1:9000");
	assert_int_equal(s->kind, LM_SERVER_REPLY);
	assert_int_equal(s->listen, 9000);
	assert_int_equal(s->after_bytes, 0);
	assert_int_equal(s->after_delim_len, 2);
	assert_memory_equal(s->after_delim, "\r\n", 2);
	assert_non_null(s->reply_text);
	assert_int_equal(s->reply_bytes, 6);
	assert_memory_equal(s->reply_text, "PONG\r\n", 6);
	assert_int_equal(s->reply_seed, 0);

	s = &p->servers[3];
	assert_string_equal(s->name, "198.18.0.1:9001");
	assert_int_equal(s->kind, LM_SERVER_REPLY);
	assert_int_equal(s->after_bytes, 64);
	assert_null(s->after_delim);
	assert_int_equal(s->after_delim_len, 0);
	assert_null(s->reply_text);
	assert_int_equal(s->reply_bytes, 1024);
	assert_int_equal(s->reply_seed, 3);
	lm_plan_free(p);
}

/* Heads, byte for byte: statuses without a body, reasons, header order. */
static void
test_server_heads(void **state)
{
	struct lm_plan *p;
	const struct lm_route *r;

	(void)state;
	/* 204, 304 and 1xx: no Content-Length */
	p = load_route("{\"path\": \"/n\", \"status\": 204, \"headers\": {\"X-A\": \"1\"}}");
	assert_heads(&p->servers[0].routes[0],
		     "HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n");
	lm_plan_free(p);
	p = load_route("{\"path\": \"/n\", \"status\": 304}");
	assert_heads(&p->servers[0].routes[0], "HTTP/1.1 304 Not Modified\r\n\r\n");
	lm_plan_free(p);
	p = load_route("{\"path\": \"/n\", \"status\": 101}");
	assert_heads(&p->servers[0].routes[0],
		     "HTTP/1.1 101 Switching Protocols\r\n\r\n");
	lm_plan_free(p);
	/* a code without a phrase of ours: "Unknown" (the phrase is informative) */
	p = load_route("{\"path\": \"/t\", \"status\": 418}");
	assert_heads(&p->servers[0].routes[0],
		     "HTTP/1.1 418 Unknown\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);
	p = load_route("{\"path\": \"/t\", \"status\": 599}");
	assert_heads(&p->servers[0].routes[0],
		     "HTTP/1.1 599 Unknown\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);
	p = load_route("{\"path\": \"/t\", \"status\": 503}");
	assert_heads(&p->servers[0].routes[0],
		     "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);

	/* headers in plan order, values as written (tab, non-ASCII, empty) */
	p = load_route("{\"path\": \"/h\", \"status\": 201, \"body\": \"ab\",\n"
		       " \"headers\": {\"Z-Last\": \"z\", \"Content-Type\": \"text/plain\",\n"
		       "             \"X-Tab\": \"a\\tb\", \"X-Utf8\": \"\\u00e9\", \"X-Empty\": \"\"}}");
	r = &p->servers[0].routes[0];
	assert_route(r, "/h", 201);
	assert_heads(r, "HTTP/1.1 201 Created\r\nContent-Length: 2\r\nZ-Last: z\r\n"
		     "Content-Type: text/plain\r\nX-Tab: a\tb\r\nX-Utf8: \xc3\xa9\r\nX-Empty: \r\n\r\n");
	lm_plan_free(p);

	/* a text body may hold any byte; an empty one is a literal of 0 bytes */
	p = load_route("{\"path\": \"/nul\", \"body\": \"a\\u0000b\"}");
	r = &p->servers[0].routes[0];
	assert_int_equal(r->body_size, 3);
	assert_memory_equal(r->body_text, "a\0b", 3);
	assert_heads(r, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n");
	lm_plan_free(p);
	p = load_route("{\"path\": \"/e\", \"body\": \"\"}");
	r = &p->servers[0].routes[0];
	assert_non_null(r->body_text);
	assert_int_equal(r->body_size, 0);
	assert_heads(r, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);
	/* the largest generated body */
	p = load_route("{\"path\": \"/max\", \"body\": {\"size\": 2147483648, \"seed\": 9223372036854775807}}");
	r = &p->servers[0].routes[0];
	assert_true(r->body_size == 2147483648ull);
	assert_true(r->body_seed == 9223372036854775807ull);
	assert_heads(r, "HTTP/1.1 200 OK\r\nContent-Length: 2147483648\r\n\r\n");
	lm_plan_free(p);
	/* paths: any byte but space, controls, '?' and '#'; hashed as bytes */
	p = load_route("{\"path\": \"/caf\\u00e9/%20/a;b=c\", \"delay_ms\": 60000}");
	r = &p->servers[0].routes[0];
	assert_route(r, "/caf\xc3\xa9/%20/a;b=c", 200);
	assert_int_equal(r->delay_ms, 60000);
	lm_plan_free(p);

	/* the default response: its status defaults to 404, any keys but path */
	p = load_servers("{\"port\": 0, \"listen\": 80, \"http\": {\"default\":\n"
			 " {\"body\": {\"size\": 5, \"seed\": 2}, \"headers\": {\"Server\": \"x\"}, \"delay_ms\": 3}}}");
	r = &p->servers[0].dflt;
	assert_null(p->servers[0].routes);
	assert_int_equal(p->servers[0].n_routes, 0);
	assert_null(r->path);
	assert_int_equal(r->status, 404);
	assert_int_equal(r->body_size, 5);
	assert_int_equal(r->body_seed, 2);
	assert_int_equal(r->delay_ms, 3);
	assert_heads(r, "HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\nServer: x\r\n\r\n");
	lm_plan_free(p);
	/* a catch-all server: no routes, a default of 200 */
	p = load_servers("{\"port\": 0, \"listen\": 80, \"http\": {\"routes\": [],\n"
			 " \"default\": {\"status\": 200, \"body\": \"ok\"}}}");
	assert_int_equal(p->servers[0].n_routes, 0);
	assert_heads(&p->servers[0].dflt, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
	lm_plan_free(p);
	p = load_servers("{\"port\": 0, \"listen\": 80, \"http\": {}}");
	assert_heads(&p->servers[0].dflt, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);
	p = load_servers("{\"port\": 0, \"listen\": 80, \"http\": {\"default\": {\"status\": 204}}}");
	assert_heads(&p->servers[0].dflt, "HTTP/1.1 204 No Content\r\n\r\n");
	lm_plan_free(p);

	/* the largest values that are allowed */
	p = load_servers("{\"port\": 1, \"listen\": 65535, \"name\": \"r\", \"reply\": {\"after_bytes\": 4294967296,\n"
			 " \"bytes\": 2147483648}},\n"
			 "{\"port\": 1, \"listen\": 1, \"reply\": {\"after\": \"\\u0000\", \"text\": \"\\u0000x\"}}");
	assert_int_equal(p->servers[0].listen, 65535);
	assert_true(p->servers[0].after_bytes == 4294967296ull);
	assert_true(p->servers[0].reply_bytes == 2147483648ull);
	assert_int_equal(p->servers[0].reply_seed, 0);
	assert_string_equal(p->servers[1].name, "198.19.0.2:1");
	assert_int_equal(p->servers[1].after_delim_len, 1);
	assert_int_equal(p->servers[1].after_delim[0], 0);
	assert_int_equal(p->servers[1].reply_bytes, 2);
	assert_memory_equal(p->servers[1].reply_text, "\0x", 2);
	lm_plan_free(p);
}

/* Plans with servers: alone, with a load, with scenarios, through a gateway. */
static void
test_server_plans(void **state)
{
	struct lm_plan *p;

	(void)state;
	/* servers alone: target may be given, load holds duration_s only */
	p = load_ok("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
		    " \"load\": {\"duration_s\": 30}, \"tcp\": {\"time_wait_ms\": 0},\n"
		    " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}");
	assert_int_equal(p->n_scenarios, 0);
	assert_null(p->scenarios);
	assert_true(p->load.duration_s == 30);
	assert_int_equal(p->target.ip, 0xc6120002);
	assert_int_equal(p->tcp.time_wait_ms, 0);
	lm_plan_free(p);
	p = load_ok("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {},\n"
		    " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}");
	assert_true(p->load.duration_s == 0);
	lm_plan_free(p);

	/* scenarios and servers: the load is the scenarios' */
	p = load_ok(PLAN_HEAD " \"load\": {\"users\": 3},\n" ONE_SCENARIO ",\n"
		    " \"servers\": [{\"port\": 0, \"listen\": 8080, \"echo\": {}}]}");
	assert_int_equal(p->n_scenarios, 1);
	assert_int_equal(p->n_servers, 1);
	assert_int_equal(p->load.users, 3);
	assert_true(p->load.duration_s == 10);
	lm_plan_free(p);

	/* our client through a gateway to our own server on ports[1] */
	p = load_ok("{\"ports\": [{\"ip\": \"198.18.0.1\", \"gateway\": \"198.18.0.254\"},\n"
		    "           {\"ip\": \"198.19.0.2\", \"gateway\": \"198.19.0.254\"}],\n"
		    " \"target\": {\"ip\": \"198.19.0.2\"}, \"load\": {\"users\": 1},\n"
		    " \"servers\": [{\"port\": 1, \"listen\": 80, \"http\": {}}],\n"
		    " \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"connect\": {\"ip\": \"198.19.0.2\", \"port\": 80}}]}]}");
	assert_int_equal(p->target.ip, 0xc6130002);
	assert_int_equal(p->scenarios[0].steps[0].connect.ip, 0xc6130002);
	lm_plan_free(p);
	/* ...not without a server there, and never ports[0]'s own address */
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\", \"gateway\": \"198.18.0.254\"},\n"
		       "           {\"ip\": \"198.19.0.2\"}],\n"
		       " \"target\": {\"ip\": `\"198.19.0.2\"}, \"load\": {\"users\": 1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 80, \"http\": {}}],\n" ONE_SCENARIO "}",
		       "target.ip",
		       "198.19.0.2 is our own address (ports[1].ip), where no server of the plan listens");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}],\n"
		       " \"target\": {\"ip\": `\"198.18.0.1\"}, \"load\": {\"users\": 1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 80, \"http\": {}}],\n" ONE_SCENARIO "}",
		       "target.ip", "198.18.0.1 is our own address (ports[0].ip)");
}

static void
test_server_plan_errors(void **state)
{
	(void)state;
	/* a plan needs scenarios, servers, or both */
	check_error_at("`{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
		       " \"load\": {\"users\": 1}}", "",
		       "missing required key \"scenarios\" or \"servers\" (a plan needs one of them, or both)");
	check_error_at("`{\"ports\": [{\"ip\": \"198.18.0.1\"}]}", "",
		       "missing required key \"scenarios\" or \"servers\" (a plan needs one of them, or both)");
	/* with scenarios, target and load are required as ever */
	check_error_at("`{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {\"users\": 1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}],\n" ONE_SCENARIO "}",
		       "", "missing required key \"target\"");
	check_error_at("`{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}],\n" ONE_SCENARIO "}",
		       "", "missing required key \"load\"");
	/* what is about scenarios has no place in a plan of servers alone */
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], `\"thresholds\": [{\"p99_ms\": 5}],\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "thresholds",
		       "\"thresholds\" is for plans with scenarios (this plan has only servers)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], `\"on_start\": [{\"close\": {}}],\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "on_start",
		       "\"on_start\" is for plans with scenarios (this plan has only servers)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], `\"on_stop\": [{\"close\": {}}],\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "on_stop",
		       "\"on_stop\" is for plans with scenarios (this plan has only servers)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], `\"weights\": {\"a\": 1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "weights",
		       "\"weights\" is for plans with scenarios (this plan has only servers)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], `\"data\": {\"u\": {\"csv\": \"u.csv\"}},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "data",
		       "\"data\" is for plans with scenarios (this plan has only servers)");
	/* its load: duration_s alone */
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {\"duration_s\": 5, `\"users\": 10},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "load.users",
		       "\"users\" is for plans with scenarios; a plan with only servers takes \"duration_s\" alone");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {`\"max_runs\": 10},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "load.max_runs",
		       "\"max_runs\" is for plans with scenarios; a plan with only servers takes \"duration_s\" alone");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {\"duration_s\": `-1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "load.duration_s", "-1 is out of range (expected 0 to 31536000)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"load\": {`\"ramp\": 1},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "load.ramp",
		       "unknown key \"ramp\" (expected users, spawn_rate, rate, arrival, max_users, stages, duration_s or max_runs)");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": `\"198.18.0.1\"},\n"
		       " \"servers\": [{\"port\": 0, \"listen\": 7, \"echo\": {}}]}",
		       "target.ip", "198.18.0.1 is our own address (ports[0].ip)");
	/* the array */
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"servers\": `[]}",
		       "servers", "must have 1 to 64 entries, got 0");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"servers\": `{}}",
		       "servers", "expected an array, got an object");
	{
		char buf[8192], *text;
		size_t o = 0;
		int i;

		for (i = 0; i < 65; i++)
			o += (size_t)snprintf(buf + o, sizeof(buf) - o,
					      "%s{\"port\": 0, \"listen\": %d, \"echo\": {}}",
					      i ? ", " : "", i + 1);
		assert_true(asprintf(&text, "{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"servers\": `[%s]}",
				     buf) > 0);
		check_error_at(text, "servers", "must have 1 to 64 entries, got 65");
		free(text);
	}
}

static void
test_server_errors(void **state)
{
	(void)state;
	check_servers("`5", "servers[0]", "expected an object, got an integer");
	check_servers("{\"port\": 0, \"listen\": 7, \"echo\": {}, `\"proto\": \"tcp\"}",
		      "servers[0].proto",
		      "unknown key \"proto\" (expected port, ip, listen, name, http, echo or reply)");
	check_servers("`{\"listen\": 7, \"echo\": {}}", "servers[0]",
		      "missing required key \"port\"");
	check_servers("`{\"port\": 0, \"echo\": {}}", "servers[0]",
		      "missing required key \"listen\"");
	check_servers("{\"port\": `\"0\", \"listen\": 7, \"echo\": {}}", "servers[0].port",
		      "expected an integer, got a string");
	check_servers("{\"port\": `2, \"listen\": 7, \"echo\": {}}", "servers[0].port",
		      "2 is out of range (expected 0 to 1: an index in \"ports\")");
	check_servers("{\"port\": `-1, \"listen\": 7, \"echo\": {}}", "servers[0].port",
		      "-1 is out of range (expected 0 to 1: an index in \"ports\")");
	check_servers("{\"port\": 1, \"ip\": `\"198.18.0.1\", \"listen\": 7, \"echo\": {}}",
		      "servers[0].ip",
		      "198.18.0.1 is not the address of ports[1] (198.19.0.2): a server listens on its port's address");
	check_servers("{\"port\": 1, \"ip\": `\"198.19.0\", \"listen\": 7, \"echo\": {}}",
		      "servers[0].ip",
		      "invalid IPv4 address \"198.19.0\" (expected dotted decimal, like 198.18.0.1)");
	check_servers("{\"port\": 0, \"listen\": `0, \"echo\": {}}", "servers[0].listen",
		      "0 is out of range (expected 1 to 65535)");
	check_servers("{\"port\": 0, \"listen\": `65536, \"echo\": {}}", "servers[0].listen",
		      "65536 is out of range (expected 1 to 65535)");
	check_servers("{\"port\": 0, \"listen\": 80, \"echo\": {}},\n"
		      "{\"port\": 1, \"listen\": 80, \"echo\": {}},\n"
		      "{\"port\": 0, \"listen\": `80, \"echo\": {}}", "servers[2].listen",
		      "198.18.0.1:80 (ports[0]) is already served by servers[0]");
	check_servers("{\"port\": 0, \"listen\": 7, \"name\": `\"\", \"echo\": {}}", "servers[0].name",
		      "must not be empty");
	check_servers("{\"port\": 0, \"listen\": 7, \"name\": \"a\", \"echo\": {}},\n"
		      "{\"port\": 0, \"listen\": 8, \"name\": `\"a\", \"echo\": {}}", "servers[1].name",
		      "duplicate server name \"a\" (also servers[0])");
	/* a default name is a name: the error is at the server that has it */
	check_servers("{\"port\": 0, \"listen\": 7, \"name\": \"198.18.0.1:8\", \"echo\": {}},\n"
		      "`{\"port\": 0, \"listen\": 8, \"echo\": {}}", "servers[1]",
		      "duplicate server name \"198.18.0.1:8\" (also servers[0])");
	check_servers("`{\"port\": 0, \"listen\": 7}", "servers[0]",
		      "server has no kind (expected \"http\", \"echo\" or \"reply\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {}, `\"echo\": {}}", "servers[0].echo",
		      "server has more than one kind (\"http\" and \"echo\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"echo\": `[]}", "servers[0].echo",
		      "expected an object, got an array");
	check_servers("{\"port\": 0, \"listen\": 7, \"echo\": {`\"x\": 1}}", "servers[0].echo.x",
		      "unknown key \"x\" (echo takes no keys: write {})");

	/* reply */
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": `{\"text\": \"a\"}}", "servers[0].reply",
		      "reply has no request end (expected \"after\" or \"after_bytes\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": \"\\n\", `\"after_bytes\": 1, \"text\": \"a\"}}",
		      "servers[0].reply.after_bytes",
		      "reply has more than one request end (\"after\" and \"after_bytes\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": `{\"after\": \"\\n\"}}", "servers[0].reply",
		      "reply has no answer (expected \"text\" or \"bytes\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": \"\\n\", \"text\": \"a\", `\"bytes\": 1}}",
		      "servers[0].reply.bytes",
		      "reply has more than one answer (\"text\" and \"bytes\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": \"\\n\", \"text\": \"a\", `\"seed\": 1}}",
		      "servers[0].reply.seed",
		      "\"seed\" is only for a generated answer (\"bytes\")");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": `\"\", \"text\": \"a\"}}",
		      "servers[0].reply.after", "must hold 1 to 1024 bytes, got 0");
	{
		char big[1100], *s;

		memset(big, 'x', 1025);
		big[1025] = '\0';
		assert_true(asprintf(&s, "{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": `\"%s\", \"text\": \"a\"}}",
				     big) > 0);
		check_servers(s, "servers[0].reply.after", "must hold 1 to 1024 bytes, got 1025");
		free(s);
	}
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": `0, \"text\": \"a\"}}",
		      "servers[0].reply.after_bytes", "0 is out of range (expected 1 to 4294967296)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": `4294967297, \"text\": \"a\"}}",
		      "servers[0].reply.after_bytes",
		      "4294967297 is out of range (expected 1 to 4294967296)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": 1, \"text\": `\"\"}}",
		      "servers[0].reply.text", "must not be empty");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": 1, \"bytes\": `0}}",
		      "servers[0].reply.bytes", "0 is out of range (expected 1 to 2147483648)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": 1, \"bytes\": `2147483649}}",
		      "servers[0].reply.bytes",
		      "2147483649 is out of range (expected 1 to 2147483648)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": 1, \"bytes\": 1, \"seed\": `-1}}",
		      "servers[0].reply.seed", "-1 is out of range (expected 0 or more)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after_bytes\": 1, \"bytes\": 1, `\"delim\": 1}}",
		      "servers[0].reply.delim",
		      "unknown key \"delim\" (expected after, after_bytes, text, bytes or seed)");
	check_servers("{\"port\": 0, \"listen\": 7, \"reply\": {\"after\": `1, \"bytes\": 1}}",
		      "servers[0].reply.after", "expected a string, got an integer");

	/* http */
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {`\"route\": []}}", "servers[0].http.route",
		      "unknown key \"route\" (expected routes or default)");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"routes\": `{}}}", "servers[0].http.routes",
		      "expected an array, got an object");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"default\": `[]}}", "servers[0].http.default",
		      "expected an object, got an array");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"default\": {`\"path\": \"/\"}}}",
		      "servers[0].http.default.path",
		      "unknown key \"path\" (expected status, body, headers or delay_ms)");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"default\": {\"status\": 304, `\"body\": \"x\"}}}",
		      "servers[0].http.default.body",
		      "a 304 response has no body (RFC 9110 section 6.4.1): remove \"body\"");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"default\": {\"status\": `700}}}",
		      "servers[0].http.default.status", "700 is out of range (expected 100 to 599)");
	{
		char *routes, *s;
		size_t o = 0, cap = 1025 * 40;
		int i;

		routes = malloc(cap);
		assert_non_null(routes);
		for (i = 0; i < 1025; i++)
			o += (size_t)snprintf(routes + o, cap - o, "%s{\"path\": \"/%d\"}",
					      i ? ", " : "", i);
		assert_true(asprintf(&s, "{\"port\": 0, \"listen\": 7, \"http\": {\"routes\": `[%s]}}",
				     routes) > 0);
		check_servers(s, "servers[0].http.routes", "must have 0 to 1024 entries, got 1025");
		free(s);
		/* 1024 is fine */
		routes[o - strlen(", {\"path\": \"/1024\"}")] = '\0';
		assert_true(asprintf(&s, "{\"port\": 0, \"listen\": 7, \"http\": {\"routes\": [%s]}}",
				     routes) > 0);
		{
			struct lm_plan *p = load_servers(s);

			assert_int_equal(p->servers[0].n_routes, 1024);
			assert_string_equal(p->servers[0].routes[1023].path, "/1023");
			lm_plan_free(p);
		}
		free(s);
		free(routes);
	}
}

static void
test_route_errors(void **state)
{
	(void)state;
	check_route("`\"/\"", "servers[0].http.routes[0]", "expected an object, got a string");
	check_route("`{\"status\": 200}", "servers[0].http.routes[0]", "missing required key \"path\"");
	check_route("{\"path\": \"/\", `\"method\": \"GET\"}", "servers[0].http.routes[0].method",
		    "unknown key \"method\" (expected path, status, body, headers or delay_ms)");
	/* path */
	check_route("{\"path\": `\"small\"}", "servers[0].http.routes[0].path",
		    "path must start with '/'");
	check_route("{\"path\": `\"\"}", "servers[0].http.routes[0].path",
		    "path must start with '/'");
	check_route("{\"path\": `\"/a?b=1\"}", "servers[0].http.routes[0].path",
		    "path contains '?' at offset 2 (a route matches the path without its query)");
	check_route("{\"path\": `\"/a#top\"}", "servers[0].http.routes[0].path",
		    "path contains '#' at offset 2 (a fragment is never sent to a server)");
	check_route("{\"path\": `\"/a b\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x20 at offset 2 (a request's path holds no space or control character)");
	check_route("{\"path\": `\"/a\\r\\n\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x0d (CR) at offset 2 (a request's path holds no space or control character)");
	check_route("{\"path\": `\"/\\n\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x0a (LF) at offset 1 (a request's path holds no space or control character)");
	check_route("{\"path\": `\"/a\\u0000\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x00 (NUL) at offset 2 (a request's path holds no space or control character)");
	check_route("{\"path\": `\"/\\t\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x09 at offset 1 (a request's path holds no space or control character)");
	check_route("{\"path\": `\"/\\u007f\"}", "servers[0].http.routes[0].path",
		    "path contains byte 0x7f at offset 1 (a request's path holds no space or control character)");
	{
		char path[1100], *s;
		struct lm_plan *p;

		path[0] = '/';
		memset(path + 1, 'p', 1023);
		path[1024] = '\0';
		assert_true(asprintf(&s, "{\"path\": \"%s\"}", path) > 0);
		p = load_route(s);
		assert_int_equal(p->servers[0].routes[0].path_len, 1024);
		lm_plan_free(p);
		free(s);
		strcpy(path + 1024, "p");
		assert_true(asprintf(&s, "{\"path\": `\"%s\"}", path) > 0);
		check_route(s, "servers[0].http.routes[0].path",
			    "path is 1025 bytes long, more than 1024");
		free(s);
	}
	check_route("{\"path\": \"/a\"}, {\"path\": \"/b\"}, {\"path\": `\"/a\"}",
		    "servers[0].http.routes[2].path", "duplicate path \"/a\" (also routes[0])");
	/* status, delay */
	check_route("{\"path\": \"/\", \"status\": `99}", "servers[0].http.routes[0].status",
		    "99 is out of range (expected 100 to 599)");
	check_route("{\"path\": \"/\", \"status\": `600}", "servers[0].http.routes[0].status",
		    "600 is out of range (expected 100 to 599)");
	check_route("{\"path\": \"/\", \"status\": `\"200\"}", "servers[0].http.routes[0].status",
		    "expected an integer, got a string");
	check_route("{\"path\": \"/\", \"delay_ms\": `60001}", "servers[0].http.routes[0].delay_ms",
		    "60001 is out of range (expected 0 to 60000)");
	check_route("{\"path\": \"/\", \"delay_ms\": `-1}", "servers[0].http.routes[0].delay_ms",
		    "-1 is out of range (expected 0 to 60000)");
	check_route("{\"path\": \"/\", \"delay_ms\": `1.5}", "servers[0].http.routes[0].delay_ms",
		    "expected an integer, got a real number");
	/* body */
	check_route("{\"path\": \"/\", \"body\": `1}", "servers[0].http.routes[0].body",
		    "expected a string or an object, got an integer");
	check_route("{\"path\": \"/\", \"body\": `{\"seed\": 1}}", "servers[0].http.routes[0].body",
		    "missing required key \"size\"");
	check_route("{\"path\": \"/\", \"body\": {\"size\": 1, `\"fill\": 0}}",
		    "servers[0].http.routes[0].body.fill", "unknown key \"fill\" (expected size or seed)");
	check_route("{\"path\": \"/\", \"body\": {\"size\": `2147483649}}",
		    "servers[0].http.routes[0].body.size",
		    "2147483649 is out of range (expected 0 to 2147483648)");
	check_route("{\"path\": \"/\", \"body\": {\"size\": `-1}}",
		    "servers[0].http.routes[0].body.size",
		    "-1 is out of range (expected 0 to 2147483648)");
	check_route("{\"path\": \"/\", \"body\": {\"size\": 1, \"seed\": `-1}}",
		    "servers[0].http.routes[0].body.seed", "-1 is out of range (expected 0 or more)");
	check_route("{\"path\": \"/\", \"status\": 204, `\"body\": \"\"}", "servers[0].http.routes[0].body",
		    "a 204 response has no body (RFC 9110 section 6.4.1): remove \"body\"");
	check_route("{\"path\": \"/\", \"status\": 304, `\"body\": {\"size\": 0}}",
		    "servers[0].http.routes[0].body",
		    "a 304 response has no body (RFC 9110 section 6.4.1): remove \"body\"");
	check_route("{\"path\": \"/\", \"status\": 100, `\"body\": \"x\"}", "servers[0].http.routes[0].body",
		    "a 100 response has no body (RFC 9110 section 6.4.1): remove \"body\"");
	/* headers */
	check_route("{\"path\": \"/\", \"headers\": `[]}", "servers[0].http.routes[0].headers",
		    "expected an object, got an array");
	check_route("{\"path\": \"/\", \"headers\": {`\"X Y\": \"1\"}}",
		    "servers[0].http.routes[0].headers[\"X Y\"]",
		    "header name \"X Y\" is not a token: byte 0x20 at offset 1 (RFC 9110 section 5.6.2)");
	check_route("{\"path\": \"/\", \"headers\": {`\"X:\": \"1\"}}",
		    "servers[0].http.routes[0].headers[\"X:\"]",
		    "header name \"X:\" is not a token: byte 0x3a at offset 1 (RFC 9110 section 5.6.2)");
	check_route("{\"path\": \"/\", \"headers\": {`\"\": \"1\"}}",
		    "servers[0].http.routes[0].headers[\"\"]", "header name is empty");
	check_route("{\"path\": \"/\", \"headers\": {`\"content-length\": \"1\"}}",
		    "servers[0].http.routes[0].headers.content-length",
		    "header \"content-length\" cannot be given: the server writes Content-Length, Transfer-Encoding and Connection itself");
	check_route("{\"path\": \"/\", \"headers\": {\"A\": \"1\", `\"Transfer-Encoding\": \"chunked\"}}",
		    "servers[0].http.routes[0].headers.Transfer-Encoding",
		    "header \"Transfer-Encoding\" cannot be given: the server writes Content-Length, Transfer-Encoding and Connection itself");
	check_route("{\"path\": \"/\", \"headers\": {`\"CONNECTION\": \"close\"}}",
		    "servers[0].http.routes[0].headers.CONNECTION",
		    "header \"CONNECTION\" cannot be given: the server writes Content-Length, Transfer-Encoding and Connection itself");
	check_route("{\"path\": \"/\", \"headers\": {\"Server\": \"a\", \"X\": \"b\", `\"server\": \"c\"}}",
		    "servers[0].http.routes[0].headers.server",
		    "header \"server\" repeats \"Server\" (header names are case-insensitive)");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `1}}",
		    "servers[0].http.routes[0].headers.X", "expected a string, got an integer");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `\"a\\r\\nSet-Cookie: b\"}}",
		    "servers[0].http.routes[0].headers.X",
		    "header value contains control character 0x0d (CR) at offset 1");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `\"a\\nb\"}}",
		    "servers[0].http.routes[0].headers.X",
		    "header value contains control character 0x0a (LF) at offset 1");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `\"\\u0000\"}}",
		    "servers[0].http.routes[0].headers.X",
		    "header value contains control character 0x00 (NUL) at offset 0");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `\"a\\u007f\"}}",
		    "servers[0].http.routes[0].headers.X",
		    "header value contains control character 0x7f at offset 1");
	check_route("{\"path\": \"/\", \"headers\": {\"X\": `\"\\u001b[0m\"}}",
		    "servers[0].http.routes[0].headers.X",
		    "header value contains control character 0x1b at offset 0");
	check_servers("{\"port\": 0, \"listen\": 7, \"http\": {\"default\": {\"headers\": {\"X\": `\"\\r\"}}}}",
		      "servers[0].http.default.headers.X",
		      "header value contains control character 0x0d (CR) at offset 0");
	{
		char *hdrs, *s;
		size_t o = 0, cap = 65 * 32;
		int i;

		hdrs = malloc(cap);
		assert_non_null(hdrs);
		for (i = 0; i < 65; i++)
			o += (size_t)snprintf(hdrs + o, cap - o, "%s\"X-%d\": \"v\"",
					      i ? ", " : "", i);
		assert_true(asprintf(&s, "{\"path\": \"/\", \"headers\": `{%s}}", hdrs) > 0);
		check_route(s, "servers[0].http.routes[0].headers", "must have 0 to 64 entries, got 65");
		free(s);
		free(hdrs);
	}
	{
		/* a line of 16384 bytes is what our client reads; one more is too long */
		char *v = malloc(20000), *s;
		struct lm_plan *p;

		assert_non_null(v);
		memset(v, 'v', 16384 - 7);  /* "X-L: " and CRLF */
		v[16384 - 7] = '\0';
		assert_true(asprintf(&s, "{\"path\": \"/\", \"headers\": {\"X-L\": \"%s\"}}", v) > 0);
		p = load_route(s);
		assert_int_equal(p->servers[0].routes[0].head_len,
				 strlen("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n") + 16384 + 2);
		lm_plan_free(p);
		free(s);
		strcat(v, "v");
		assert_true(asprintf(&s, "{\"path\": \"/\", \"headers\": {\"X-L\": `\"%s\"}}", v) > 0);
		check_route(s, "servers[0].http.routes[0].headers.X-L",
			    "the header line is 16385 bytes long, more than 16384");
		free(s);
		/* and a head of at most 64 KiB, Connection: close included */
		v[16000] = '\0';
		assert_true(asprintf(&s, "{\"path\": \"/\", \"headers\": `{\"A\": \"%s\", \"B\": \"%s\",\n"
				     " \"C\": \"%s\", \"D\": \"%s\", \"E\": \"%s\"}}", v, v, v, v, v) > 0);
		check_route(s, "servers[0].http.routes[0].headers",
			    "the response head would be 80082 bytes long, more than 65536");
		free(s);
		free(v);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_closed),
		cmocka_unit_test(test_load_open),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_hooks),
		cmocka_unit_test(test_connection),
		cmocka_unit_test(test_step_kinds),
		cmocka_unit_test(test_think),
		cmocka_unit_test(test_loop_flatten),
		cmocka_unit_test(test_loop_limit),
		cmocka_unit_test(test_raw_tcp),
		cmocka_unit_test(test_captures),
		cmocka_unit_test(test_templated_request),
		cmocka_unit_test_setup_teardown(test_data, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_data_head, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_include, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test_setup_teardown(test_include_errors, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test(test_description),
		cmocka_unit_test(test_samples),
		cmocka_unit_test(test_servers_valid),
		cmocka_unit_test(test_server_heads),
		cmocka_unit_test(test_server_plans),
		cmocka_unit_test(test_server_plan_errors),
		cmocka_unit_test(test_server_errors),
		cmocka_unit_test(test_route_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
