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

	assert_int_equal(parse(&c, &out, "--help", NULL), 0);
	free(out);
	assert_true(c.help);

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
