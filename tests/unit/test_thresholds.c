/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the plan's "thresholds" (control/plan_load_model.c) and of
 * their evaluation (control/thresholds.c) on synthetic views.
 *
 * An error test writes a backquote (MARK) where the error must point; the
 * expected line and column are the mark's, counted here.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lm/plan.h>

#include "merge.h"
#include "thresholds.h"

#define FILE_NAME "plan.json"
#define MARK '`'

/*
 * Step indices, scenario-major: browse/home 0, browse/x/y 1, browse/a/b 2,
 * api/echo 3, browse/a/c 4, browse/a/b 5, on_start/login 6. "browse/a/b"
 * names two steps; "browse/x/y" and "browse/a/c" one each.
 */
#define PLAN_HEAD \
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n" \
	" \"load\": {\"users\": 1},\n" \
	" \"scenarios\": [\n" \
	"  {\"name\": \"browse\", \"steps\": [{\"name\": \"home\", \"http\": {\"path\": \"/\"}},\n" \
	"   {\"name\": \"x/y\", \"http\": {\"path\": \"/x\"}},\n" \
	"   {\"name\": \"a/b\", \"http\": {\"path\": \"/ab\"}}]},\n" \
	"  {\"name\": \"api\", \"steps\": [{\"name\": \"echo\", \"http\": {\"path\": \"/e\"}}]},\n" \
	"  {\"name\": \"browse/a\", \"steps\": [{\"name\": \"c\", \"think\": {\"constant_ms\": 1}},\n" \
	"   {\"name\": \"b\", \"http\": {\"path\": \"/b\"}}]}],\n" \
	" \"on_start\": [{\"name\": \"login\", \"http\": {\"path\": \"/l\"}}],\n"
#define N_STEPS 7

static struct lm_plan *
load(const char *text, char *err)
{
	err[0] = '\0';
	return lm_plan_load_text(text, strlen(text), FILE_NAME, err,
				 LM_PLAN_ERR_MAX);
}

/* PLAN_HEAD, "thresholds": thr (NULL: none) */
static char *
plan_text(const char *thr)
{
	char *text;

	if (thr == NULL)
		assert_true(asprintf(&text, "%s \"name\": \"t\"}\n", PLAN_HEAD) > 0);
	else
		assert_true(asprintf(&text, "%s \"thresholds\": %s}\n", PLAN_HEAD,
				     thr) > 0);
	return text;
}

static struct lm_plan *
load_thr(const char *thr)
{
	char err[LM_PLAN_ERR_MAX], *text = plan_text(thr);
	struct lm_plan *p = load(text, err);

	free(text);
	if (p == NULL)
		fail_msg("%s", err);
	assert_int_equal(lm_plan_n_steps(p), N_STEPS);
	return p;
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

/* The thresholds value thr (with a MARK) must fail at the mark. */
static void
check_error(const char *thr, const char *path, const char *msg)
{
	char err[LM_PLAN_ERR_MAX], expected[2 * LM_PLAN_ERR_MAX];
	char *text = plan_text(thr);
	struct lm_plan *p;
	unsigned int line, col;

	take_mark(text, &line, &col);
	snprintf(expected, sizeof(expected), FILE_NAME ":%u:%u: %s: %s", line,
		 col, path, msg);
	p = load(text, err);
	free(text);
	if (p != NULL) {
		lm_plan_free(p);
		fail_msg("loaded, expected: %s", expected);
	}
	assert_string_equal(err, expected);
}

/* ---- parsing ---- */

static void
test_parse(void **state)
{
	struct lm_plan *p;
	const struct lm_threshold *t;

	(void)state;
	p = load_thr(NULL);
	assert_int_equal(p->n_thresholds, 0);
	assert_null(p->thresholds);
	lm_plan_free(p);

	p = load_thr("[{\"p50_ms\": 10},\n"
		     " {\"p90_ms\": 20, \"step\": \"browse/home\"},\n"
		     " {\"p95_ms\": 0.5, \"step\": \"browse/x/y\"},\n"
		     " {\"p99_ms\": 50, \"step\": \"browse/a/c\"},\n"
		     " {\"p999_ms\": 100, \"step\": \"on_start/login\"},\n"
		     " {\"p9999_ms\": 200},\n"
		     " {\"max_ms\": 1000, \"step\": \"api/echo\"},\n"
		     " {\"error_rate\": 0},\n"
		     " {\"rps_min\": 1500.5, \"abort_on_fail\": true, \"warmup_s\": 5},\n"
		     " {\"error_rate\": 0.01, \"abort_on_fail\": true},\n"
		     " {\"error_rate\": 1, \"abort_on_fail\": false}]");
	assert_int_equal(p->n_thresholds, 11);
	t = p->thresholds;
	assert_int_equal(t[0].metric, LM_THR_LATENCY);
	assert_true(t[0].pct == 50 && t[0].limit == 10 && t[0].step == -1);
	assert_string_equal(t[0].text, "all p50 <= 10 ms");
	assert_true(t[1].pct == 90 && t[1].limit == 20 && t[1].step == 0);
	assert_string_equal(t[1].text, "browse/home p90 <= 20 ms");
	assert_true(t[2].pct == 95 && t[2].limit == 0.5 && t[2].step == 1);
	assert_string_equal(t[2].text, "browse/x/y p95 <= 0.5 ms");
	assert_true(t[3].pct == 99 && t[3].step == 4);
	assert_true(t[4].pct == 99.9 && t[4].step == 6);
	assert_string_equal(t[4].text, "on_start/login p99.9 <= 100 ms");
	assert_true(t[5].pct == 99.99 && t[5].step == -1);
	assert_string_equal(t[5].text, "all p99.99 <= 200 ms");
	assert_true(t[6].pct == 100 && t[6].step == 3);
	assert_string_equal(t[6].text, "api/echo max <= 1000 ms");
	assert_int_equal(t[7].metric, LM_THR_ERROR_RATE);
	assert_true(t[7].limit == 0 && !t[7].abort_on_fail);
	assert_string_equal(t[7].text, "all error_rate <= 0");
	assert_int_equal(t[8].metric, LM_THR_RPS_MIN);
	assert_true(t[8].limit == 1500.5 && t[8].abort_on_fail &&
		    t[8].warmup_s == 5);
	assert_string_equal(t[8].text, "all rps >= 1500.5");
	assert_true(t[9].abort_on_fail && t[9].warmup_s == 0);
	assert_true(t[10].limit == 1 && !t[10].abort_on_fail);
	lm_plan_free(p);
}

static void
test_parse_step_slash(void **state)
{
	struct lm_plan *p;

	(void)state;
	/* a trailing '/' leaves a step name that no scenario has */
	check_error("[{\"error_rate\": 1, \"step\": `\"browse/a/b/\"}]",
		    "thresholds[0].step",
		    "no step \"browse/a/b/\" in the plan (expected \"SCENARIO/STEP\", like \"browse/home\")");
	check_error("[{\"error_rate\": 1, \"step\": `\"browse/a/b\"}]",
		    "thresholds[0].step",
		    "step \"browse/a/b\" is ambiguous: it names more than one step (a name holds '/')");
	/* a scenario name with '/' is split where it ends */
	p = load_thr("[{\"error_rate\": 1, \"step\": \"browse/a/c\"}]");
	assert_int_equal(p->thresholds[0].step, 4);
	assert_string_equal(p->thresholds[0].text, "browse/a/c error_rate <= 1");
	lm_plan_free(p);
}

static void
test_parse_errors(void **state)
{
	(void)state;
	check_error("`{}", "thresholds", "expected an array, got an object");
	check_error("`[]", "thresholds", "must have 1 to 256 entries, got 0");
	check_error("[`1]", "thresholds[0]", "expected an object, got an integer");
	check_error("[`{}]", "thresholds[0]",
		    "threshold has no metric (expected \"p50_ms\", \"p90_ms\", \"p95_ms\", \"p99_ms\", \"p999_ms\", \"p9999_ms\", \"max_ms\", \"error_rate\" or \"rps_min\")");
	check_error("[`{\"step\": \"api/echo\"}]", "thresholds[0]",
		    "threshold has no metric (expected \"p50_ms\", \"p90_ms\", \"p95_ms\", \"p99_ms\", \"p999_ms\", \"p9999_ms\", \"max_ms\", \"error_rate\" or \"rps_min\")");
	check_error("[{\"p99_ms\": 5, `\"max_ms\": 9}]", "thresholds[0].max_ms",
		    "threshold has more than one metric (\"p99_ms\" and \"max_ms\")");
	check_error("[{\"p99_ms\": 5}, {\"error_rate\": 0.1, `\"rps_min\": 9}]",
		    "thresholds[1].rps_min",
		    "threshold has more than one metric (\"error_rate\" and \"rps_min\")");
	check_error("[{\"p99_ms\": `0}]", "thresholds[0].p99_ms",
		    "0 is out of range (expected more than 0 and at most 3600000)");
	check_error("[{\"max_ms\": `3600000.5}]", "thresholds[0].max_ms",
		    "3600000.5 is out of range (expected more than 0 and at most 3600000)");
	check_error("[{\"p99_ms\": `\"5\"}]", "thresholds[0].p99_ms",
		    "expected a number, got a string");
	check_error("[{\"error_rate\": `1.5}]", "thresholds[0].error_rate",
		    "1.5 is out of range (expected 0 to 1)");
	check_error("[{\"error_rate\": `-0.1}]", "thresholds[0].error_rate",
		    "-0.1 is out of range (expected 0 to 1)");
	check_error("[{\"rps_min\": `0}]", "thresholds[0].rps_min",
		    "0 is out of range (expected more than 0 and at most 1000000000)");
	check_error("[{\"p99_ms\": 5, `\"p99\": 1}]", "thresholds[0].p99",
		    "unknown key \"p99\" (expected p50_ms, p90_ms, p95_ms, p99_ms, p999_ms, p9999_ms, max_ms, error_rate, rps_min, step, abort_on_fail or warmup_s)");
	check_error("[{\"p99_ms\": 5, \"step\": `\"browse/hom\"}]",
		    "thresholds[0].step",
		    "no step \"browse/hom\" in the plan (expected \"SCENARIO/STEP\", like \"browse/home\")");
	check_error("[{\"p99_ms\": 5, \"step\": `\"home\"}]", "thresholds[0].step",
		    "no step \"home\" in the plan (expected \"SCENARIO/STEP\", like \"browse/home\")");
	check_error("[{\"p99_ms\": 5, \"step\": `\"\"}]", "thresholds[0].step",
		    "must not be empty");
	check_error("[{\"p99_ms\": 5, \"step\": `[\"api\", \"echo\"]}]",
		    "thresholds[0].step", "expected a string, got an array");
	check_error("[{\"p99_ms\": 5, `\"warmup_s\": 3}]", "thresholds[0].warmup_s",
		    "\"warmup_s\" is only for a threshold with \"abort_on_fail\": true");
	check_error("[{\"p99_ms\": 5, \"abort_on_fail\": false, `\"warmup_s\": 3}]",
		    "thresholds[0].warmup_s",
		    "\"warmup_s\" is only for a threshold with \"abort_on_fail\": true");
	check_error("[{\"p99_ms\": 5, \"abort_on_fail\": true, \"warmup_s\": `-1}]",
		    "thresholds[0].warmup_s",
		    "-1 is out of range (expected 0 to 31536000)");
	check_error("[{\"p99_ms\": 5, \"abort_on_fail\": `1}]",
		    "thresholds[0].abort_on_fail", "expected true or false, got an integer");
}

static void
test_parse_top_level(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;
	char *text;

	(void)state;
	assert_true(asprintf(&text, "%s \"threshold\": []}\n", PLAN_HEAD) > 0);
	p = load(text, err);
	free(text);
	assert_null(p);
	assert_non_null(strstr(err, "unknown key \"threshold\" (expected name, description, ports, target, load, tcp, impair, data, scenarios, include, weights, on_start, on_stop, thresholds or servers)"));
}

/* ---- evaluation ---- */

struct fixture {
	struct lm_plan *plan;
	struct lm_view now;
	struct lm_view start;
};

/* The highest value that the HDR reports as itself: a percentile is exact. */
static uint64_t
exact(uint64_t ns)
{
	return lm_hdr_highest_at(lm_hdr_index(ns));
}

static void
record(struct lm_view *v, uint32_t step, uint64_t ns, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		lm_hdr_record(&v->steps[step].latency, ns);
}

static struct fixture *
fixture_new(const char *thr)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->plan = load_thr(thr);
	assert_int_equal(lm_view_init(&f->now, f->plan->n_scenarios, N_STEPS), 0);
	assert_int_equal(lm_view_init(&f->start, f->plan->n_scenarios, N_STEPS),
			 0);
	return f;
}

static void
fixture_free(struct fixture *f)
{
	lm_view_free(&f->now);
	lm_view_free(&f->start);
	lm_plan_free(f->plan);
	free(f);
}

static void
eval(struct fixture *f, double duration_s, struct lm_thr_result *r)
{
	lm_thresholds_eval(f->plan, &f->now, duration_s, r);
}

static void
test_eval_latency(void **state)
{
	struct lm_thr_result r[6];
	uint64_t a = exact(10000000), b = 30000000;
	struct fixture *f;

	(void)state;
	f = fixture_new("[{\"p99_ms\": 1}, {\"max_ms\": 1}, {\"p50_ms\": 1, \"step\": \"browse/home\"},"
			" {\"p50_ms\": 1, \"step\": \"api/echo\"}, {\"max_ms\": 1, \"step\": \"browse/home\"},"
			" {\"p9999_ms\": 1, \"step\": \"browse/x/y\"}]");
	/* step 0: 99 samples at a; step 3: one at b, the largest */
	record(&f->now, 0, a, 99);
	record(&f->now, 3, b, 1);
	f->plan->thresholds[0].limit = (double)a / 1e6;
	f->plan->thresholds[1].limit = 30;
	f->plan->thresholds[2].limit = (double)a / 1e6;
	f->plan->thresholds[3].limit = 30;
	f->plan->thresholds[4].limit = (double)a / 1e6;
	f->plan->thresholds[5].limit = 1e-3;
	eval(f, 10, r);
	/* all steps merged: rank 99 of 100 is a, the maximum is b */
	assert_true(r[0].value == (double)a / 1e6 && r[0].pass);
	assert_true(r[1].value == 30.0 && r[1].pass);
	assert_true(r[2].value == (double)a / 1e6 && r[2].pass);
	assert_true(r[3].value == 30.0 && r[3].pass);
	assert_true(r[4].pass);
	/* no response on the step: 0, which passes */
	assert_true(r[5].value == 0 && r[5].pass);
	assert_true(lm_thresholds_passed(f->plan, r));

	/* just below each value: every one fails */
	for (uint32_t i = 0; i < 5; i++)
		f->plan->thresholds[i].limit = nextafter(f->plan->thresholds[i].limit, 0);
	eval(f, 10, r);
	for (uint32_t i = 0; i < 5; i++)
		assert_false(r[i].pass);
	assert_false(lm_thresholds_passed(f->plan, r));

	/* one more sample at b: the merged p99 is rank ceil(99.99) = 100, b */
	record(&f->now, 3, b, 1);
	f->plan->thresholds[0].limit = (double)a / 1e6;
	eval(f, 10, r);
	assert_true(r[0].value == 30.0 && !r[0].pass);
	/* the step's own p50 does not move */
	assert_true(r[2].value == (double)a / 1e6);
	fixture_free(f);
}

static void
test_eval_exact_ms(void **state)
{
	struct lm_thr_result r[3];
	struct fixture *f;

	(void)state;
	/* the limit as the plan writes it equals the samples' exact value */
	f = fixture_new("[{\"max_ms\": 50}, {\"max_ms\": 49.999999}, {\"p50_ms\": 0.3, \"step\": \"api/echo\"}]");
	record(&f->now, 2, 50000000, 10);
	record(&f->now, 3, 300000, 10);
	eval(f, 1, r);
	assert_true(r[0].value == 50 && r[0].pass);
	assert_true(r[1].value == 50 && !r[1].pass);
	assert_true(r[2].value == 0.3 && r[2].pass);
	fixture_free(f);
}

static void
test_eval_counts(void **state)
{
	struct lm_thr_result r[6];
	struct fixture *f;

	(void)state;
	f = fixture_new("[{\"error_rate\": 0.01, \"step\": \"api/echo\"}, {\"error_rate\": 0.0099, \"step\": \"api/echo\"},"
			" {\"error_rate\": 0}, {\"rps_min\": 100, \"step\": \"api/echo\"},"
			" {\"rps_min\": 100.5, \"step\": \"api/echo\"}, {\"rps_min\": 200}]");
	/* no request anywhere: an error rate of 0, a rate of 0 */
	eval(f, 10, r);
	assert_true(r[0].value == 0 && r[0].pass);
	assert_true(r[2].value == 0 && r[2].pass);
	assert_true(r[3].value == 0 && !r[3].pass);

	f->now.steps[3].requests = 1000;
	f->now.steps[3].failed = 10;
	f->now.steps[6].requests = 1000;
	eval(f, 10, r);
	assert_true(r[0].value == 0.01 && r[0].pass);
	assert_false(r[1].pass);
	/* all steps: 10 of 2000 */
	assert_true(r[2].value == 0.005 && !r[2].pass);
	assert_true(r[3].value == 100 && r[3].pass);
	assert_false(r[4].pass);
	assert_true(r[5].value == 200 && r[5].pass);
	/* no load period: no rate */
	eval(f, 0, r);
	assert_true(r[5].value == 0 && !r[5].pass);
	fixture_free(f);
}

static void
test_breached(void **state)
{
	char why[256];
	struct fixture *f;

	(void)state;
	f = fixture_new("[{\"p99_ms\": 20, \"abort_on_fail\": true, \"warmup_s\": 5},"
			" {\"error_rate\": 0.1, \"step\": \"browse/home\", \"abort_on_fail\": true},"
			" {\"p50_ms\": 0.001}, {\"rps_min\": 1000000}]");
	f->now.steps[0].requests = 100;
	f->now.steps[0].failed = 10;
	record(&f->now, 0, 50000000, 10);
	/* the latency is too high, but within its warm-up; the rate is at its limit */
	why[0] = '\0';
	assert_false(lm_thresholds_breached(f->plan, &f->now, &f->start, 4.9,
					    why, sizeof(why)));
	assert_string_equal(why, "");
	assert_false(lm_thresholds_breached(f->plan, &f->now, &f->start, 0,
					    why, sizeof(why)));
	assert_true(lm_thresholds_breached(f->plan, &f->now, &f->start, 5, why,
					   sizeof(why)));
	assert_string_equal(why, "threshold \"all p99 <= 20 ms\" failed after 5.0 s: measured 50.000 ms");
	/* NULL start: from the beginning, the same */
	assert_true(lm_thresholds_breached(f->plan, &f->now, NULL, 5, why,
					   sizeof(why)));

	/* what happened before start does not count */
	lm_view_copy(&f->start, &f->now);
	record(&f->now, 0, 1000000, 100);
	f->now.steps[0].requests += 100;
	assert_false(lm_thresholds_breached(f->plan, &f->now, &f->start, 10,
					    why, sizeof(why)));
	/* 11 failed of 100 since start */
	f->now.steps[0].failed += 11;
	assert_true(lm_thresholds_breached(f->plan, &f->now, &f->start, 1, why,
					   sizeof(why)));
	assert_string_equal(why, "threshold \"browse/home error_rate <= 0.1\" failed after 1.0 s: measured 0.110000");
	/* no message buffer is fine */
	assert_true(lm_thresholds_breached(f->plan, &f->now, &f->start, 1, NULL, 0));
	fixture_free(f);
}

static void
test_table(void **state)
{
	struct lm_thr_result r[3];
	struct fixture *f;
	char *buf = NULL;
	size_t len = 0;
	FILE *m;

	(void)state;
	f = fixture_new("[{\"p99_ms\": 20, \"step\": \"browse/home\"}, {\"error_rate\": 0.01}, {\"rps_min\": 5}]");
	record(&f->now, 0, 25000000, 4);
	f->now.steps[0].requests = 40;
	eval(f, 4, r);
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	lm_thresholds_table(m, f->plan, r);
	fclose(m);
	assert_string_equal(buf,
		"thresholds:\n"
		"  browse/home p99 <= 20 ms       25.000 ms  FAIL\n"
		"  all error_rate <= 0.01          0.000000  PASS\n"
		"  all rps >= 5                      10.0/s  PASS\n");
	free(buf);

	/* no thresholds: nothing at all */
	lm_plan_free(f->plan);
	f->plan = load_thr(NULL);
	buf = NULL;
	m = open_memstream(&buf, &len);
	assert_non_null(m);
	lm_thresholds_table(m, f->plan, r);
	fclose(m);
	assert_int_equal(len, 0);
	free(buf);
	fixture_free(f);
}

/* What the reports show of each threshold: metric, comparison, unit, step. */
static void
test_describe(void **state)
{
	struct lm_plan *p = load_thr("[{\"p99_ms\": 50, \"step\": \"browse/a/c\"},"
		" {\"p999_ms\": 200}, {\"max_ms\": 1},"
		" {\"error_rate\": 0.01, \"step\": \"on_start/login\"},"
		" {\"rps_min\": 1000, \"step\": \"browse/x/y\"}]");
	struct lm_thr_desc d;

	(void)state;
	lm_threshold_describe(p, 0, &d);
	assert_string_equal(d.metric, "p99");
	assert_string_equal(d.op, "<=");
	assert_string_equal(d.unit, "ms");
	assert_string_equal(d.scenario, "browse/a");
	assert_string_equal(d.step, "c");
	lm_threshold_describe(p, 1, &d);
	assert_string_equal(d.metric, "p99.9");
	assert_null(d.scenario);
	assert_null(d.step);
	lm_threshold_describe(p, 2, &d);
	assert_string_equal(d.metric, "max");
	lm_threshold_describe(p, 3, &d);
	assert_string_equal(d.metric, "error_rate");
	assert_string_equal(d.op, "<=");
	assert_string_equal(d.unit, "");
	assert_string_equal(d.scenario, "on_start");
	assert_string_equal(d.step, "login");
	lm_threshold_describe(p, 4, &d);
	assert_string_equal(d.metric, "rps");
	assert_string_equal(d.op, ">=");
	assert_string_equal(d.unit, "req/s");
	assert_string_equal(d.scenario, "browse");
	assert_string_equal(d.step, "x/y");
	lm_plan_free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_step_slash),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_top_level),
		cmocka_unit_test(test_eval_latency),
		cmocka_unit_test(test_eval_exact_ms),
		cmocka_unit_test(test_eval_counts),
		cmocka_unit_test(test_breached),
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
