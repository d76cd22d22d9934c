/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of the application's command line (dataplane/cli.c). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cli.h"

#define MAX_ARGS 16

/*
 * Run lm_cli_parse() on the arguments in ap (after a program name, up to a
 * NULL) and return its result; *out gets what it printed (free it).
 */
static int
vparse(struct lm_cli *c, char **out, va_list ap)
{
	/*
	 * getopt may permute argv, and c keeps pointers into it: copies that
	 * live until the next parse.
	 */
	static char arena[4096];
	char *argv[MAX_ARGS + 2];
	size_t outlen = 0, used = 0, len;
	int argc = 1, rc;
	const char *a;
	FILE *f;

	argv[0] = (char *)"lemmings-dp";
	while ((a = va_arg(ap, const char *)) != NULL) {
		len = strlen(a) + 1;
		assert_true(argc <= MAX_ARGS && used + len <= sizeof(arena));
		argv[argc++] = memcpy(arena + used, a, len);
		used += len;
	}
	argv[argc] = NULL;
	*out = NULL;
	f = open_memstream(out, &outlen);
	assert_non_null(f);
	rc = lm_cli_parse(c, argc, argv, f);
	fclose(f);
	return rc;
}

static int
parse(struct lm_cli *c, char **out, ...)
{
	va_list ap;
	int rc;

	va_start(ap, out);
	rc = vparse(c, out, ap);
	va_end(ap);
	return rc;
}

/* The parse must fail with exactly this message. */
static void
check_fails(const char *want, ...)
{
	struct lm_cli c;
	char *out;
	va_list ap;
	int rc;

	va_start(ap, want);
	rc = vparse(&c, &out, ap);
	va_end(ap);
	assert_int_equal(rc, -EINVAL);
	assert_string_equal(out, want);
	free(out);
}

/* lm_cli_parse_impair() must refuse spec with this message. */
static void
check_spec_fails(const char *spec, const char *want)
{
	struct lm_plan_impair im;
	char err[256];

	memset(&im, 0x5a, sizeof(im));
	err[0] = '\0';
	assert_int_equal(lm_cli_parse_impair(spec, &im, err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, want);
}

static void
assert_dir(const struct lm_impair_dir *d, double drop, double dup,
	   double reorder, double corrupt, uint32_t depth)
{
	assert_true(d->drop == drop);
	assert_true(d->dup == dup);
	assert_true(d->reorder == reorder);
	assert_true(d->corrupt == corrupt);
	assert_int_equal(d->reorder_depth, depth);
}

static void
test_basic(void **state)
{
	struct lm_cli c;
	char *out = NULL;

	(void)state;
	assert_int_equal(parse(&c, &out, "--plan", "p.json", NULL), 0);
	assert_string_equal(out, "");
	free(out);
	assert_string_equal(c.plan, "p.json");
	assert_null(c.summary);
	assert_true(c.duration_s < 0);
	assert_false(c.check || c.quiet || c.help);
	assert_false(c.impair_set);
	assert_false(c.impair.enabled);

	assert_int_equal(parse(&c, &out, "-p", "x.json", "-d", "2.5", "-s", "s.json",
			       "-c", "-q", NULL), 0);
	free(out);
	assert_string_equal(c.plan, "x.json");
	assert_string_equal(c.summary, "s.json");
	assert_true(c.duration_s == 2.5);
	assert_true(c.check && c.quiet);
	assert_null(c.html);

	assert_int_equal(parse(&c, &out, "--help", NULL), 0);
	free(out);
	assert_true(c.help);

	/* the exports that only name a file */
	assert_int_equal(parse(&c, &out, "--plan", "x.json", "--html", "r.html",
			       "--hlog", "r.hlog", NULL), 0);
	free(out);
	assert_string_equal(c.html, "r.html");
	assert_string_equal(c.hlog, "r.hlog");

	check_fails("error: --plan FILE is required (see --help)\n", NULL);
	check_fails("error: --duration: \"0\" is not a number of seconds > 0\n",
		    "--plan", "p", "--duration", "0", NULL);
	check_fails("error: unknown option \"--frob\" (see --help)\n",
		    "--plan", "p", "--frob", NULL);
	check_fails("error: unexpected argument \"extra\" (see --help)\n",
		    "--plan", "p", "extra", NULL);
}

static void
test_impair_option(void **state)
{
	struct lm_cli c;
	char *out = NULL;

	(void)state;
	assert_int_equal(parse(&c, &out, "--plan", "p.json", "--impair",
			       "rx:drop=0.01,reorder=0.01;tx:dup=0.005,corrupt=0.001;seed=7",
			       NULL), 0);
	assert_string_equal(out, "");
	free(out);
	assert_true(c.impair_set);
	assert_true(c.impair.enabled);
	assert_int_equal(c.impair.seed, 7);
	assert_dir(&c.impair.rx, 0.01, 0, 0.01, 0, 3);
	assert_dir(&c.impair.tx, 0, 0.005, 0, 0.001, 3);

	/* "off" is set too: it switches the plan's impairment off */
	assert_int_equal(parse(&c, &out, "--impair=off", "--plan", "p.json", NULL), 0);
	free(out);
	assert_true(c.impair_set);
	assert_false(c.impair.enabled);

	check_fails("error: --impair needs a value\n", "--plan", "p", "--impair", NULL);
	check_fails("error: --impair: rx: drop: \"2\" is not a probability from 0 to 1\n",
		    "--plan", "p", "--impair", "rx:drop=2", NULL);
	check_fails("error: --impair: empty specification (expected like \"rx:drop=0.01;seed=7\", or \"off\")\n",
		    "--plan", "p", "--impair", "", NULL);
}

static void
test_impair_spec(void **state)
{
	struct lm_plan_impair im;
	char err[256];

	(void)state;
	assert_int_equal(lm_cli_parse_impair("off", &im, err, sizeof(err)), 0);
	assert_false(im.enabled);
	assert_int_equal(im.seed, 1);
	assert_dir(&im.rx, 0, 0, 0, 0, 3);
	assert_dir(&im.tx, 0, 0, 0, 0, 3);

	/* defaults for what is not given; any order */
	assert_int_equal(lm_cli_parse_impair("seed=0;tx:reorder=0.5,reorder_depth=64",
					     &im, err, sizeof(err)), 0);
	assert_true(im.enabled);
	assert_int_equal(im.seed, 0);
	assert_dir(&im.rx, 0, 0, 0, 0, 3);
	assert_dir(&im.tx, 0, 0, 0.5, 0, 64);

	assert_int_equal(lm_cli_parse_impair("rx:drop=1,dup=.25,reorder=0,corrupt=1.0,reorder_depth=1",
					     &im, err, sizeof(err)), 0);
	assert_true(im.enabled);
	assert_int_equal(im.seed, 1);
	assert_dir(&im.rx, 1, 0.25, 0, 1, 1);

	/* all zero: set, but nothing to do */
	assert_int_equal(lm_cli_parse_impair("rx:drop=0;tx:dup=0;seed=18446744073709551615",
					     &im, err, sizeof(err)), 0);
	assert_false(im.enabled);
	assert_int_equal(im.seed, UINT64_MAX);

	assert_int_equal(lm_cli_parse_impair("tx:corrupt=1e-3", &im, err, sizeof(err)), 0);
	assert_true(im.tx.corrupt == 1e-3);
}

static void
test_impair_spec_errors(void **state)
{
	(void)state;
	check_spec_fails(NULL,
			 "empty specification (expected like \"rx:drop=0.01;seed=7\", or \"off\")");
	check_spec_fails("rx:drop=0.1;", "empty part in \"rx:drop=0.1;\"");
	check_spec_fails(";rx:drop=0.1", "empty part in \";rx:drop=0.1\"");
	check_spec_fails("up:drop=0.1",
			 "\"up:drop=0.1\": expected rx:KEY=VALUE,..., tx:KEY=VALUE,... or seed=N");
	check_spec_fails("OFF",
			 "\"OFF\": expected rx:KEY=VALUE,..., tx:KEY=VALUE,... or seed=N");
	check_spec_fails("rx:", "rx: no settings (expected KEY=VALUE, like rx:drop=0.01)");
	check_spec_fails("tx:drop=0.1,", "tx: empty setting");
	check_spec_fails("rx:drop", "rx: \"drop\" needs a value (KEY=VALUE)");
	check_spec_fails("rx:loss=0.1",
			 "rx: unknown key \"loss\" (expected drop, dup, reorder, corrupt or reorder_depth)");
	check_spec_fails("rx:drop=0.1,drop=0.2", "rx: drop given twice");
	check_spec_fails("rx:drop=0.1;rx:dup=0.2", "rx given twice");
	check_spec_fails("seed=1;seed=2", "seed given twice");
	check_spec_fails("rx:drop=1.5", "rx: drop: \"1.5\" is not a probability from 0 to 1");
	check_spec_fails("rx:dup=-0.1", "rx: dup: \"-0.1\" is not a probability from 0 to 1");
	check_spec_fails("rx:reorder=", "rx: reorder: \"\" is not a probability from 0 to 1");
	check_spec_fails("rx:corrupt=nan", "rx: corrupt: \"nan\" is not a probability from 0 to 1");
	check_spec_fails("rx:corrupt=0x0.1p0",
			 "rx: corrupt: \"0x0.1p0\" is not a probability from 0 to 1");
	check_spec_fails("tx:drop= 0.1", "tx: drop: \" 0.1\" is not a probability from 0 to 1");
	check_spec_fails("tx:drop=0.1x", "tx: drop: \"0.1x\" is not a probability from 0 to 1");
	check_spec_fails("tx:reorder_depth=0",
			 "tx: reorder_depth: \"0\" is not an integer from 1 to 64");
	check_spec_fails("tx:reorder_depth=65",
			 "tx: reorder_depth: \"65\" is not an integer from 1 to 64");
	check_spec_fails("tx:reorder_depth=3.0",
			 "tx: reorder_depth: \"3.0\" is not an integer from 1 to 64");
	check_spec_fails("seed=-1", "seed: \"-1\" is not an integer 0 or more");
	check_spec_fails("seed=", "seed: \"\" is not an integer 0 or more");
	check_spec_fails("seed=18446744073709551616",
			 "seed: \"18446744073709551616\" is not an integer 0 or more");
	check_spec_fails("seed=7x", "seed: \"7x\" is not an integer 0 or more");
	check_spec_fails("rx:drop=0.10000000000000000000000000000000000000000000000000000000000000001",
			 "rx: \"drop=0.10000000000000000000000000000000000000000000000000000000000000001\" is too long");
}

static void
test_usage(void **state)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	assert_non_null(f);
	lm_cli_usage(f, "lemmings-dp");
	fclose(f);
	assert_non_null(strstr(out, "--impair SPEC"));
	assert_non_null(strstr(out, "--plan FILE"));
	assert_non_null(strstr(out, "--users N"));
	assert_non_null(strstr(out, "--rate R"));
	assert_non_null(strstr(out, "--max-runs N"));
	assert_non_null(strstr(out, "--list"));
	assert_non_null(strstr(out, "--grace S"));
	assert_non_null(strstr(out, "--html FILE"));
	free(out);
}

static void
test_load_options(void **state)
{
	struct lm_cli c;
	char *out = NULL;

	(void)state;
	assert_int_equal(parse(&c, &out, "--plan", "p.json", NULL), 0);
	free(out);
	assert_true(c.users < 0 && c.rate < 0 && c.max_runs < 0);
	assert_false(c.list);

	assert_int_equal(parse(&c, &out, "--plan", "p.json", "--users", "10000000",
			       "--rate", "0.5", "--max-runs", "0", "--list", NULL), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(c.users, 10000000);
	assert_true(c.rate == 0.5);
	assert_int_equal(c.max_runs, 0);
	assert_true(c.list);
	assert_int_equal(parse(&c, &out, "--plan=p.json", "--max-runs=9223372036854775807",
			       NULL), 0);
	free(out);
	assert_int_equal(c.max_runs, 9223372036854775807LL);

	check_fails("error: --users: \"0\" is not an integer from 1 to 10000000\n",
		    "--plan", "p", "--users", "0", NULL);
	check_fails("error: --users: \"10000001\" is not an integer from 1 to 10000000\n",
		    "--plan", "p", "--users", "10000001", NULL);
	check_fails("error: --users: \"8.5\" is not an integer from 1 to 10000000\n",
		    "--plan", "p", "--users", "8.5", NULL);
	check_fails("error: --rate: \"0\" is not a number of sessions per second > 0 (at most 100000000)\n",
		    "--plan", "p", "--rate", "0", NULL);
	check_fails("error: --rate: \"-5\" is not a number of sessions per second > 0 (at most 100000000)\n",
		    "--plan", "p", "--rate", "-5", NULL);
	check_fails("error: --rate: \"inf\" is not a number of sessions per second > 0 (at most 100000000)\n",
		    "--plan", "p", "--rate", "inf", NULL);
	check_fails("error: --max-runs: \"-1\" is not an integer 0 or more\n",
		    "--plan", "p", "--max-runs", "-1", NULL);
	check_fails("error: --max-runs: \"9223372036854775808\" is not an integer 0 or more\n",
		    "--plan", "p", "--max-runs", "9223372036854775808", NULL);
	check_fails("error: --users needs a value\n", "--plan", "p", "--users", NULL);
}

/* --grace: the drain's length at the end, 2 s unless given, 0 allowed */
static void
test_grace(void **state)
{
	struct lm_cli c;
	char *out;

	(void)state;
	assert_int_equal(parse(&c, &out, "--plan", "p.json", NULL), 0);
	free(out);
	assert_true(c.grace_s == LM_CLI_GRACE_S);
	assert_int_equal(parse(&c, &out, "--plan", "p.json", "--grace", "0", NULL), 0);
	free(out);
	assert_true(c.grace_s == 0);
	assert_int_equal(parse(&c, &out, "--plan", "p.json", "--grace=12.5", NULL), 0);
	free(out);
	assert_true(c.grace_s == 12.5);
	check_fails("error: --grace: \"-1\" is not a number of seconds from 0 to 3600\n",
		    "--plan", "p", "--grace", "-1", NULL);
	check_fails("error: --grace: \"3601\" is not a number of seconds from 0 to 3600\n",
		    "--plan", "p", "--grace", "3601", NULL);
	check_fails("error: --grace: \"nan\" is not a number of seconds from 0 to 3600\n",
		    "--plan", "p", "--grace", "nan", NULL);
	check_fails("error: --grace: \"2s\" is not a number of seconds from 0 to 3600\n",
		    "--plan", "p", "--grace", "2s", NULL);
}

#define PLAN_HEAD \
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
#define ONE_SCENARIO \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}]}"

static struct lm_plan *
load_plan(const char *text)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	p = lm_plan_load_text(text, strlen(text), "plan.json", err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

/* lm_cli_apply() of these arguments to plan; its output in *out */
static int
apply(struct lm_plan *plan, char **out, ...)
{
	struct lm_cli c;
	size_t len = 0;
	va_list ap;
	FILE *f;
	int rc;

	va_start(ap, out);
	rc = vparse(&c, out, ap);
	va_end(ap);
	assert_int_equal(rc, 0);
	free(*out);
	f = open_memstream(out, &len);
	assert_non_null(f);
	rc = lm_cli_apply(&c, plan, f);
	fclose(f);
	return rc;
}

static void
test_apply(void **state)
{
	struct lm_plan *p;
	char *out;

	(void)state;
	p = load_plan(PLAN_HEAD " \"load\": {\"stages\": [{\"users\": 10, \"duration_s\": 20}]},\n"
		      ONE_SCENARIO);
	assert_int_equal(apply(p, &out, "--plan", "x", NULL), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(p->load.users, 10);
	assert_int_equal(p->load.n_stages, 1);
	/* a level from the command line replaces the stages */
	assert_int_equal(apply(p, &out, "--plan", "x", "--users", "3", "--max-runs", "7",
			       "--duration", "2", NULL), 0);
	free(out);
	assert_int_equal(p->load.users, 3);
	assert_int_equal(p->load.n_stages, 0);
	assert_null(p->load.stages);
	assert_int_equal(p->load.max_runs, 7);
	assert_true(p->load.duration_s == 2);
	assert_int_equal(apply(p, &out, "--plan", "x", "--rate", "5", NULL), -EINVAL);
	assert_string_equal(out, "error: --rate: the plan's load is closed (\"users\"); use --users\n");
	free(out);
	assert_int_equal(apply(p, &out, "--plan", "x", "--impair", "rx:drop=0.5", NULL), 0);
	free(out);
	assert_true(p->impair.enabled);
	lm_plan_free(p);

	p = load_plan(PLAN_HEAD " \"load\": {\"rate\": 5, \"duration_s\": 0, \"max_runs\": 10},\n"
		      ONE_SCENARIO);
	assert_int_equal(apply(p, &out, "--plan", "x", "--users", "5", NULL), -EINVAL);
	assert_string_equal(out, "error: --users: the plan's load is open (\"rate\"); use --rate\n");
	free(out);
	assert_int_equal(apply(p, &out, "--plan", "x", "--rate", "12.5", NULL), 0);
	free(out);
	assert_true(p->load.rate == 12.5);
	assert_int_equal(apply(p, &out, "--plan", "x", "--max-runs", "0", NULL), -EINVAL);
	assert_string_equal(out, "error: --max-runs 0: the plan's duration_s is 0 too, so the run would never end (give --duration)\n");
	free(out);
	lm_plan_free(p);
}

static char *
list(const char *text)
{
	struct lm_plan *p = load_plan(text);
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	lm_cli_list(f, p);
	fclose(f);
	lm_plan_free(p);
	return out;
}

static void
test_list(void **state)
{
	char *out;

	(void)state;
	out = list(PLAN_HEAD " \"name\": \"shop\", \"load\": {\"users\": 20, \"spawn_rate\": 2, \"max_runs\": 100},\n"
		   " \"on_start\": [{\"name\": \"login\", \"http\": {\"method\": \"POST\", \"path\": \"/login\"}}],\n"
		   " \"scenarios\": [\n"
		   "  {\"name\": \"browse\", \"weight\": 3, \"steps\": [\n"
		   "    {\"name\": \"home\", \"http\": {\"path\": \"/\"}},\n"
		   "    {\"loop\": {\"count\": 3, \"steps\": [\n"
		   "      {\"think\": {\"uniform_ms\": [100, 500]}},\n"
		   "      {\"loop\": {\"count\": 2, \"steps\": [{\"http\": {\"path\": \"/item\"}}]}}]}},\n"
		   "    {\"think\": {\"constant_ms\": 50}}]},\n"
		   "  {\"name\": \"raw\", \"connection\": \"per_run\", \"close\": \"rst\", \"steps\": [\n"
		   "    {\"connect\": {\"port\": 7}}, {\"send\": \"x\"}, {\"send\": {\"size\": 9}},\n"
		   "    {\"expect\": {\"bytes\": 4}}, {\"expect\": {\"until\": \"\\n\"}}, {\"close\": {}}]}]}\n");
	assert_string_equal(out,
		"plan shop (plan.json)\n"
		"load: closed model, 20 users, started at 2 per second; 10 s, at most 100 runs\n"
		"scenario browse: 75.0 % (keep_alive, close fin)\n"
		"  http    home: GET /\n"
		"  loop    browse.1: 3 times the next 3 steps\n"
		"    think   browse.2: uniform 100 500 ms\n"
		"    loop    browse.3: 2 times the next 1 step\n"
		"      http    browse.4: GET /item\n"
		"  think   browse.5: constant 50 ms\n"
		"scenario raw: 25.0 % (per_run, close rst)\n"
		"  connect raw.0: target port 7\n"
		"  send    raw.1\n"
		"  send    raw.2: 9 generated bytes\n"
		"  expect  raw.3: 4 bytes\n"
		"  expect  raw.4: until a delimiter\n"
		"  close   raw.5\n"
		"scenario on_start: once per user, before its first run (keep_alive, close fin)\n"
		"  http    login: POST /login\n");
	free(out);

	out = list(PLAN_HEAD " \"load\": {\"arrival\": \"poisson\", \"max_users\": 50,\n"
		   "  \"stages\": [{\"rate\": 10, \"duration_s\": 5}, {\"rate\": 100.5, \"duration_s\": 25}]},\n"
		   " \"on_stop\": [{\"http\": {\"path\": \"/bye\"}}],\n" ONE_SCENARIO);
	assert_string_equal(out,
		"plan plan (plan.json)\n"
		"load: open model, 100.5 sessions per second (poisson), at most 50 in flight;"
		" stages: 10 over 5 s, 100.5 over 25 s; 30 s\n"
		"scenario s: 100.0 % (keep_alive, close fin)\n"
		"  http    s.0: GET /\n"
		"scenario on_stop: once per user, after its last run (keep_alive, close fin)\n"
		"  http    on_stop.0: GET /bye\n");
	free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_impair_option),
		cmocka_unit_test(test_impair_spec),
		cmocka_unit_test(test_impair_spec_errors),
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_load_options),
		cmocka_unit_test(test_grace),
		cmocka_unit_test(test_apply),
		cmocka_unit_test(test_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
