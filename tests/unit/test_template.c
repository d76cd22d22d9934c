/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of templates, data sets and captures (dataplane/app/template.c).
 *
 * Compile errors are checked by their exact messages, since the offsets in
 * them are what a plan's author reads. Rendering is compared with snprintf
 * for integers and with hand-built expectations for everything else.
 * Captures must not care how TCP cut the response: every response is fed
 * whole, split in two at every byte position, one byte at a time and in
 * random pieces, and every way must capture the same values.
 */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/template.h"

#include "util/splitmix.h"

#define USERS_CSV \
	"name,password\n" \
	"alice,pw-alice\n" \
	"bob,pw-bob\n" \
	"carol,pw-carol\n"

struct fixture {
	struct lm_tmpl_vars *v;
	int token;
	int session;
	void *store;
	uint64_t rng;
	struct lm_tmpl_env env;
	char err[512];
};

/* Variables token and session, data set users (sequential). */
static void
fixture_init(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->v = lm_tmpl_vars_new();
	assert_non_null(f->v);
	f->token = lm_tmpl_var_declare(f->v, "token");
	f->session = lm_tmpl_var_declare(f->v, "session");
	assert_int_equal(f->token, 0);
	assert_int_equal(f->session, 1);
	assert_int_equal(lm_tmpl_data_load_text(f->v, "users", "users.csv",
						USERS_CSV, strlen(USERS_CSV),
						LM_PICK_SEQUENTIAL, 3, f->err,
						sizeof(f->err)), 0);
	f->store = malloc(lm_tmpl_user_size(f->v));
	assert_non_null(f->store);
	lm_tmpl_user_init(f->v, f->store);
	f->rng = 42;
	f->env.vars = f->v;
	f->env.user_store = f->store;
	f->env.rng = &f->rng;
}

static void
fixture_fini(struct fixture *f)
{
	free(f->store);
	lm_tmpl_vars_free(f->v);
}

static struct lm_tmpl *
compile(const struct lm_tmpl_vars *v, const char *text)
{
	char err[512] = "";
	struct lm_tmpl *t = lm_tmpl_compile(v, text, strlen(text), err,
					    sizeof(err));

	if (t == NULL)
		fail_msg("compile \"%s\": %s", text, err);
	return t;
}

/* Render text in env as a C string (the template's bound must hold). */
static const char *
render(const struct lm_tmpl_vars *v, const char *text,
       const struct lm_tmpl_env *env)
{
	static char out[8192];
	struct lm_tmpl *t = compile(v, text);
	size_t n = lm_tmpl_render(t, env, (uint8_t *)out, sizeof(out) - 1);

	assert_true(n <= lm_tmpl_max_len(t));
	out[n] = '\0';
	lm_tmpl_free(t);
	return out;
}

/* --- compiling --- */

struct err_case {
	const char *text;
	const char *msg;
};

static const struct err_case err_cases[] = {
	{ "Bearer {{tokn}}", "offset 9: unknown variable \"tokn\" "
	  "(captures: token, session; data sets: users)" },
	{ "x {{ tokn }}", "offset 5: unknown variable \"tokn\" "
	  "(captures: token, session; data sets: users)" },
	{ "abc {{user", "offset 4: \"{{\" without a closing \"}}\"" },
	{ "{{user}", "offset 0: \"{{\" without a closing \"}}\"" },
	{ "{{user}} {{", "offset 9: \"{{\" without a closing \"}}\"" },
	{ "x{{}}", "offset 1: empty {{ }}" },
	{ "{{ \t }}", "offset 0: empty {{ }}" },
	{ "{{user x}}", "offset 7: unexpected \"x\" after \"user\"" },
	{ "{{1abc}}", "offset 2: \"1abc\" is not a name "
	  "([A-Za-z_][A-Za-z0-9_]*, or SET.COLUMN)" },
	{ "{{{user}}}", "offset 2: \"{user\" is not a name "
	  "([A-Za-z_][A-Za-z0-9_]*, or SET.COLUMN)" },
	{ "{{users.nmae}}", "offset 8: data set \"users\" has no column "
	  "\"nmae\" (columns: name, password)" },
	{ "{{people.name}}", "offset 2: unknown data set \"people\" "
	  "(data sets: users)" },
	{ "{{users.}}", "offset 2: \"users.\" is not SET.COLUMN "
	  "(two names joined by a dot)" },
	{ "{{.name}}", "offset 2: \".name\" is not SET.COLUMN "
	  "(two names joined by a dot)" },
	{ "{{users.name.x}}", "offset 2: \"users.name.x\" is not SET.COLUMN "
	  "(two names joined by a dot)" },
#define RAND_MSG " rand takes two integers A <= B (64-bit signed), as in " \
	"{{rand 1 100}}"
	{ "{{rand}}", "offset 2:" RAND_MSG },
	{ "{{rand 1}}", "offset 7:" RAND_MSG },
	{ "ab{{ rand 5 1 }}", "offset 10:" RAND_MSG },
	{ "{{rand a 2}}", "offset 7:" RAND_MSG },
	{ "{{rand 1 2 3}}", "offset 7:" RAND_MSG },
	{ "{{rand 1 2x}}", "offset 7:" RAND_MSG },
	{ "{{rand - 1}}", "offset 7:" RAND_MSG },
	{ "{{rand 0 9223372036854775808}}", "offset 7:" RAND_MSG },
	{ "{{rand -9223372036854775809 0}}", "offset 7:" RAND_MSG },
	{ "{{rand 99999999999999999999 0}}", "offset 7:" RAND_MSG },
};

static void
test_compile_errors(void **state)
{
	struct fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		char err[512] = "";

		assert_null(lm_tmpl_compile(f.v, c->text, strlen(c->text), err,
					    sizeof(err)));
		if (strcmp(err, c->msg) != 0)
			fail_msg("\"%s\":\n  got  %s\n  want %s", c->text, err,
				 c->msg);
	}
	fixture_fini(&f);
}

static void
test_compile_errors_no_names(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	char err[512] = "";

	(void)state;
	assert_null(lm_tmpl_compile(v, "{{x}}", 5, err, sizeof(err)));
	assert_string_equal(err, "offset 2: unknown variable \"x\" "
			    "(captures: none; data sets: none)");
	/* a truncated message stays a string */
	assert_null(lm_tmpl_compile(v, "{{x}}", 5, err, 10));
	assert_string_equal(err, "offset 2:");
	assert_null(lm_tmpl_compile(v, "{{x}}", 5, NULL, 0));
	lm_tmpl_vars_free(v);
}

static void
test_compile_too_many_sets(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	char text[1024] = "", err[512] = "", name[16];
	struct lm_tmpl *t;
	int i;

	(void)state;
	for (i = 0; i <= LM_TMPL_SETS_MAX; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		assert_int_equal(lm_tmpl_data_load_text(v, name, name, "c\nx\n",
							4, LM_PICK_RANDOM, 0,
							err, sizeof(err)), 0);
		if (i < LM_TMPL_SETS_MAX) {
			strcat(text, "{{");
			strcat(text, name);
			strcat(text, ".c}}");
		}
	}
	/* the same sets again are no more sets */
	strcat(text, "{{s0.c}}{{s7.c}}");
	t = compile(v, text);
	lm_tmpl_free(t);
	strcat(text, "{{s8.c}}");
	assert_null(lm_tmpl_compile(v, text, strlen(text), err, sizeof(err)));
	assert_string_equal(err, "offset 82: more than 8 data sets in one "
			    "template");
	lm_tmpl_vars_free(v);
}

static void
test_constant(void **state)
{
	static const char *const constant[] = {
		"", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "{\"a\":{\"b\":1}}",
		"}}", "{", "a}}b{c", "{}{}",
	};
	struct fixture f;
	size_t i;

	(void)state;
	fixture_init(&f);
	for (i = 0; i < sizeof(constant) / sizeof(constant[0]); i++) {
		struct lm_tmpl *t = compile(f.v, constant[i]);

		assert_true(lm_tmpl_is_constant(t));
		assert_int_equal(lm_tmpl_max_len(t), strlen(constant[i]));
		assert_string_equal(render(f.v, constant[i], &f.env),
				    constant[i]);
		lm_tmpl_free(t);
	}
	{
		struct lm_tmpl *t = compile(f.v, "a{{user}}");

		assert_false(lm_tmpl_is_constant(t));
		lm_tmpl_free(t);
	}
	fixture_fini(&f);
}

/* --- rendering --- */

static void
test_render_builtins(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	f.env.user = 7;
	f.env.run = 0;
	f.env.worker = 3;
	f.env.seq = 123456789012345ULL;
	f.env.time_ms = 1700000000123ULL;
	f.env.body_len = 42;
	assert_string_equal(render(f.v, "u={{user}} r={{ run }} w={{worker}} "
				   "s={{\tseq\t}} t={{  time_ms}} "
				   "len={{__body_len }}", &f.env),
			    "u=7 r=0 w=3 s=123456789012345 t=1700000000123 "
			    "len=42");
	/* slots back to back, and JSON braces around a slot */
	assert_string_equal(render(f.v, "{{user}}{{worker}}{{user}}", &f.env),
			    "737");
	assert_string_equal(render(f.v, "{\"u\":{{user}}}", &f.env),
			    "{\"u\":7}");
	assert_string_equal(render(f.v, "{{user}}}", &f.env), "7}");
	fixture_fini(&f);
}

static void
test_render_vars(void **state)
{
	struct fixture f;
	char big[LM_VAR_MAX + 1];

	(void)state;
	fixture_init(&f);
	/* never captured: empty */
	assert_string_equal(render(f.v, "[{{token}}][{{session}}]", &f.env),
			    "[][]");
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, "abc", 3), 0);
	assert_string_equal(render(f.v, "Bearer {{ token }}|{{session}}",
				   &f.env), "Bearer abc|");
	memset(big, 'z', LM_VAR_MAX);
	big[LM_VAR_MAX] = '\0';
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.session, big,
					 LM_VAR_MAX), 0);
	assert_string_equal(render(f.v, "{{session}}", &f.env), big);
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.session, big,
					 LM_VAR_MAX + 1), -E2BIG);
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, 2, "x", 1), -EINVAL);
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, -1, "x", 1), -EINVAL);
	/* values are per user */
	{
		void *other = malloc(lm_tmpl_user_size(f.v));
		struct lm_tmpl_env env = f.env;

		lm_tmpl_user_init(f.v, other);
		env.user_store = other;
		assert_string_equal(render(f.v, "[{{token}}]", &env), "[]");
		free(other);
	}
	assert_string_equal(render(f.v, "[{{token}}]", &f.env), "[abc]");
	fixture_fini(&f);
}

static void
test_var_declare(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	char err[256];

	(void)state;
	assert_int_equal(lm_tmpl_var_declare(v, "a"), 0);
	assert_int_equal(lm_tmpl_var_declare(v, "_b9"), 1);
	assert_int_equal(lm_tmpl_var_declare(v, "a"), -EEXIST);
	assert_int_equal(lm_tmpl_var_declare(v, "user"), -EEXIST);
	assert_int_equal(lm_tmpl_var_declare(v, "rand"), -EEXIST);
	assert_int_equal(lm_tmpl_var_declare(v, "__body_len"), -EEXIST);
	assert_int_equal(lm_tmpl_var_declare(v, ""), -EINVAL);
	assert_int_equal(lm_tmpl_var_declare(v, "9a"), -EINVAL);
	assert_int_equal(lm_tmpl_var_declare(v, "a-b"), -EINVAL);
	assert_int_equal(lm_tmpl_var_declare(v, "a.b"), -EINVAL);
	assert_int_equal(lm_tmpl_var_declare(v, "x23456789012345678901234567890"
					     "1234567890123456789012345678901234"),
			 -EINVAL);
	assert_int_equal(lm_tmpl_var_find(v, "_b9"), 1);
	assert_int_equal(lm_tmpl_var_find(v, "c"), -ENOENT);
	assert_int_equal(lm_tmpl_user_size(v), 2 * (LM_VAR_MAX + 2));
	/* variables and data sets share one name space */
	assert_int_equal(lm_tmpl_data_load_text(v, "a", "a.csv", "c\n1\n", 4,
						LM_PICK_SEQUENTIAL, 0, err,
						sizeof(err)), -EEXIST);
	assert_string_equal(err, "a.csv: data set name \"a\" is already taken");
	assert_int_equal(lm_tmpl_data_load_text(v, "seq", "s.csv", "c\n1\n", 4,
						LM_PICK_SEQUENTIAL, 0, err,
						sizeof(err)), -EEXIST);
	assert_int_equal(lm_tmpl_data_load_text(v, "d-1", "d.csv", "c\n1\n", 4,
						LM_PICK_SEQUENTIAL, 0, err,
						sizeof(err)), -EINVAL);
	assert_int_equal(lm_tmpl_data_load_text(v, "d", "d.csv", "c\n1\n", 4,
						LM_PICK_SEQUENTIAL, 0, err,
						sizeof(err)), 0);
	assert_int_equal(lm_tmpl_var_declare(v, "d"), -EEXIST);
	assert_int_equal(lm_tmpl_data_load_text(v, "d", "d.csv", "c\n1\n", 4,
						LM_PICK_SEQUENTIAL, 0, err,
						sizeof(err)), -EEXIST);
	lm_tmpl_vars_free(v);
}

/* Reference: what printf makes of v. */
static void
check_u64(struct fixture *f, struct lm_tmpl *t, uint64_t v)
{
	char want[32];
	uint8_t got[32];
	size_t n;

	f->env.user = v;
	n = lm_tmpl_render(t, &f->env, got, sizeof(got));
	snprintf(want, sizeof(want), "%" PRIu64, v);
	if (n != strlen(want) || memcmp(got, want, n) != 0)
		fail_msg("%s rendered as %.*s", want, (int)n, (char *)got);
}

static void
test_int_format(void **state)
{
	struct fixture f;
	struct lm_tmpl *t;
	uint64_t p = 1, rng = 1;
	int i;

	(void)state;
	fixture_init(&f);
	t = compile(f.v, "{{user}}");
	check_u64(&f, t, 0);
	check_u64(&f, t, UINT64_MAX);
	check_u64(&f, t, UINT64_MAX - 1);
	check_u64(&f, t, (uint64_t)INT64_MAX + 1);
	for (i = 0; i < 20; i++) {
		check_u64(&f, t, p - 1);
		check_u64(&f, t, p);
		check_u64(&f, t, p + 1);
		check_u64(&f, t, p * 5);
		if (i < 19)
			p *= 10;
	}
	for (i = 0; i < 100000; i++) {
		uint64_t r = lm_splitmix64(&rng);

		/* all magnitudes, not just 19 and 20 digit numbers */
		check_u64(&f, t, r >> (r % 64));
	}
	lm_tmpl_free(t);
	fixture_fini(&f);
}

static void
test_rand(void **state)
{
	struct fixture f;
	struct lm_tmpl *t;
	bool seen[13] = { false };
	int i, j;

	(void)state;
	fixture_init(&f);
	assert_string_equal(render(f.v, "{{rand -5 -5}}", &f.env), "-5");
	assert_string_equal(render(f.v, "{{rand +7 7}}", &f.env), "7");
	assert_string_equal(render(f.v, "{{rand 0 0}}", &f.env), "0");
	assert_string_equal(render(f.v, "{{rand -9223372036854775808 "
				   "-9223372036854775808}}", &f.env),
			    "-9223372036854775808");
	assert_string_equal(render(f.v, "{{rand 9223372036854775807 "
				   "9223372036854775807}}", &f.env),
			    "9223372036854775807");
	t = compile(f.v, "{{rand -6 6}}");
	for (i = 0; i < 20000; i++) {
		uint8_t out[32];
		size_t n = lm_tmpl_render(t, &f.env, out, sizeof(out));
		long x;

		out[n] = '\0';
		x = strtol((char *)out, NULL, 10);
		assert_true(x >= -6 && x <= 6);
		seen[x + 6] = true;
	}
	for (j = 0; j < 13; j++)
		assert_true(seen[j]);
	lm_tmpl_free(t);
	/* the full range, and a range wider than INT64_MAX */
	t = compile(f.v, "{{rand -9223372036854775808 9223372036854775807}}");
	for (i = 0; i < 1000; i++) {
		uint8_t out[32];
		size_t n = lm_tmpl_render(t, &f.env, out, sizeof(out));

		assert_true(n >= 1 && n <= 20);
	}
	lm_tmpl_free(t);
	t = compile(f.v, "{{rand -5000000000000000000 5000000000000000000}}");
	{
		bool neg = false, pos = false;

		for (i = 0; i < 1000; i++) {
			uint8_t out[32];
			size_t n = lm_tmpl_render(t, &f.env, out, sizeof(out));
			long long x;

			out[n] = '\0';
			x = strtoll((char *)out, NULL, 10);
			assert_true(x >= -5000000000000000000LL &&
				    x <= 5000000000000000000LL);
			neg |= x < 0;
			pos |= x > 0;
		}
		assert_true(neg && pos);
	}
	lm_tmpl_free(t);
	/* the same generator state gives the same bytes */
	{
		uint64_t a = 99, b = 99;
		uint8_t x[64], y[64];
		size_t nx, ny;

		t = compile(f.v, "{{rand 1 1000000}}-{{rand -9 9}}");
		f.env.rng = &a;
		nx = lm_tmpl_render(t, &f.env, x, sizeof(x));
		f.env.rng = &b;
		ny = lm_tmpl_render(t, &f.env, y, sizeof(y));
		assert_int_equal(nx, ny);
		assert_memory_equal(x, y, nx);
		assert_int_equal(a, b);
		lm_tmpl_free(t);
		f.env.rng = &f.rng;
	}
	fixture_fini(&f);
}

/* A data set with cells of every length 0..40 in column "v". */
static void
load_ragged_lengths(struct lm_tmpl_vars *v, enum lm_data_pick pick)
{
	char csv[4096], err[256];
	size_t n;
	int i;

	n = (size_t)snprintf(csv, sizeof(csv), "k,v\n");
	for (i = 0; i <= 40; i++) {
		n += (size_t)snprintf(csv + n, sizeof(csv) - n, "%d,", i);
		memset(csv + n, 'a' + i % 26, (size_t)i);
		n += (size_t)i;
		csv[n++] = '\n';
	}
	assert_int_equal(lm_tmpl_data_load_text(v, "cells", "cells.csv", csv,
						n, pick, 0, err, sizeof(err)),
			 0);
}

static void
test_max_len(void **state)
{
	static const char *const parts[] = {
		"lit", "{{user}}", "{{run}}", "{{worker}}", "{{seq}}",
		"{{time_ms}}", "{{__body_len}}", "{{token}}", "{{session}}",
		"{{users.name}}", "{{users.password}}", "{{cells.v}}",
		"{{cells.k}}", "{{rand -9223372036854775808 0}}",
		"{{rand 0 9223372036854775807}}", "{{rand -3 3}}", "\r\n", "",
	};
	struct fixture f;
	uint64_t rng = 7;
	int round, i;

	(void)state;
	fixture_init(&f);
	load_ragged_lengths(f.v, LM_PICK_RANDOM);
	for (round = 0; round < 2000; round++) {
		char text[1024] = "";
		uint8_t out[8192];
		int n_parts = (int)(lm_splitmix64(&rng) % 12);
		struct lm_tmpl *t;
		size_t n;

		for (i = 0; i < n_parts; i++)
			strcat(text, parts[lm_splitmix64(&rng) %
					   (sizeof(parts) / sizeof(parts[0]))]);
		t = compile(f.v, text);
		/* random values, often the widest ones */
		for (i = 0; i < 20; i++) {
			uint64_t r = lm_splitmix64(&rng);
			char val[LM_VAR_MAX];
			size_t vl = lm_splitmix64(&rng) % (LM_VAR_MAX + 1);

			f.env.user = r & 1 ? UINT64_MAX : r >> (r % 64);
			f.env.run = r & 2 ? UINT64_MAX : r;
			f.env.worker = r >> 40;
			f.env.seq = r & 4 ? UINT64_MAX : r >> 7;
			f.env.time_ms = r;
			f.env.body_len = r & 8 ? UINT64_MAX : 0;
			f.env.seq_row = r;
			memset(val, 'v', sizeof(val));
			lm_tmpl_var_set(f.v, f.store, f.token, val,
					r & 16 ? LM_VAR_MAX : vl);
			lm_tmpl_var_set(f.v, f.store, f.session, val, vl);
			n = lm_tmpl_render(t, &f.env, out, sizeof(out));
			if (n > lm_tmpl_max_len(t))
				fail_msg("\"%s\" rendered %zu bytes, bound %zu",
					 text, n, lm_tmpl_max_len(t));
		}
		lm_tmpl_free(t);
	}
	/* the bound is reached by the widest values: it is also tight */
	{
		struct lm_tmpl *t = compile(f.v, "{{user}}|{{token}}|"
					    "{{users.password}}|{{cells.v}}");
		char val[LM_VAR_MAX];
		uint8_t out[1024];
		uint64_t seed;
		size_t best = 0;

		memset(val, 'v', sizeof(val));
		lm_tmpl_var_set(f.v, f.store, f.token, val, LM_VAR_MAX);
		f.env.user = UINT64_MAX;
		f.env.seq_row = 2;      /* carol, the longest password */
		assert_int_equal(lm_tmpl_max_len(t),
				 20 + 1 + LM_VAR_MAX + 1 + 8 + 1 + 40);
		for (seed = 0; seed < 2000; seed++) {
			size_t n;

			f.rng = seed;
			n = lm_tmpl_render(t, &f.env, out, sizeof(out));
			if (n > best)
				best = n;
		}
		assert_int_equal(best, lm_tmpl_max_len(t));
		lm_tmpl_free(t);
	}
	fixture_fini(&f);
}

/* Any cap gives a prefix, writes nothing past it, draws the same numbers. */
static void
test_truncation(void **state)
{
	struct fixture f;
	struct lm_tmpl *t;
	uint8_t full[512], out[512 + 8];
	size_t n_full, cap;

	(void)state;
	fixture_init(&f);
	lm_tmpl_var_set(f.v, f.store, f.token, "secret", 6);
	f.env.user = 12345;
	t = compile(f.v, "GET /u/{{user}}?r={{rand 1 99999}} HTTP/1.1\r\n"
		    "Authorization: Bearer {{token}}\r\nX-Name: "
		    "{{users.name}}\r\n\r\n");
	f.rng = 5;
	n_full = lm_tmpl_render(t, &f.env, full, sizeof(full));
	for (cap = 0; cap <= n_full + 1; cap++) {
		uint64_t after;
		size_t n;

		memset(out, 0xa5, sizeof(out));
		f.rng = 5;
		n = lm_tmpl_render(t, &f.env, out, cap);
		assert_int_equal(n, cap < n_full ? cap : n_full);
		assert_memory_equal(out, full, n);
		assert_int_equal(out[n], 0xa5);
		after = f.rng;
		f.rng = 5;
		lm_tmpl_render(t, &f.env, full, sizeof(full));
		assert_int_equal(after, f.rng);
	}
	lm_tmpl_free(t);
	fixture_fini(&f);
}

/* --- data sets --- */

/* Load csv as data set "d"; 0 or -errno with the message in err. */
static int
load(struct lm_tmpl_vars *v, const char *csv, size_t len,
     enum lm_data_pick pick, uint64_t users, char *err, size_t errlen)
{
	return lm_tmpl_data_load_text(v, "d", "f.csv", csv, len, pick, users,
				      err, errlen);
}

/* The cells of d, rendered row by row as "a|b;" (columns a and b). */
static const char *
dump_ab(struct lm_tmpl_vars *v, uint64_t rows)
{
	static char all[1024];
	struct lm_tmpl_env env = { .vars = v };
	struct lm_tmpl *t = compile(v, "{{d.a}}|{{d.b}};");
	size_t n = 0;
	uint64_t r;

	for (r = 0; r < rows; r++) {
		env.seq_row = r;
		n += lm_tmpl_render(t, &env, (uint8_t *)all + n,
				    sizeof(all) - 1 - n);
	}
	all[n] = '\0';
	lm_tmpl_free(t);
	return all;
}

struct csv_ok {
	const char *name;
	const char *csv;
	uint64_t rows;
	const char *want;
};

static const struct csv_ok csv_ok_cases[] = {
	{ "plain", "a,b\n1,2\n3,4\n", 2, "1|2;3|4;" },
	{ "no_trailing_newline", "a,b\n1,2\n3,4", 2, "1|2;3|4;" },
	{ "crlf", "a,b\r\n1,2\r\n3,4\r\n", 2, "1|2;3|4;" },
	{ "crlf_no_trailing", "a,b\r\n1,2\r\n3,4", 2, "1|2;3|4;" },
	{ "mixed_line_ends", "a,b\r\n1,2\n3,4\r\n", 2, "1|2;3|4;" },
	{ "quoted", "\"a\",\"b\"\n\"x\",\"y\"\n", 1, "x|y;" },
	{ "quote_escape", "a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n", 1,
	  "say \"hi\"|\";" },
	{ "embedded_comma", "a,b\n\"Smith, J\",2\n", 1, "Smith, J|2;" },
	{ "embedded_newlines", "a,b\n\"line1\nline2\",\"x\r\ny\"\n3,4", 2,
	  "line1\nline2|x\r\ny;3|4;" },
	{ "empty_fields", "a,b\n,\n\"\",x\n", 2, "|;|x;" },
	{ "quoted_last_no_newline", "a,b\n1,\"2\"", 1, "1|2;" },
	{ "bom", "\xef\xbb\xbf" "a,b\n1,2\n", 1, "1|2;" },
	{ "spaces_kept", "a,b\n 1 , 2 \n", 1, " 1 | 2 ;" },
};

static void
test_csv_ok(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(csv_ok_cases) / sizeof(csv_ok_cases[0]); i++) {
		const struct csv_ok *c = &csv_ok_cases[i];
		struct lm_tmpl_vars *v = lm_tmpl_vars_new();
		char err[256] = "";
		const char *got;

		if (load(v, c->csv, strlen(c->csv), LM_PICK_SEQUENTIAL, 0, err,
			 sizeof(err)) != 0)
			fail_msg("%s: %s", c->name, err);
		/* one more row than the set has wraps to the first */
		got = dump_ab(v, c->rows + 1);
		if (strncmp(got, c->want, strlen(c->want)) != 0 ||
		    strncmp(got + strlen(c->want), c->want,
			    strcspn(c->want, ";") + 1) != 0)
			fail_msg("%s: got \"%s\"", c->name, got);
		lm_tmpl_vars_free(v);
	}
}

static void
test_csv_one_column(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v };
	char err[256];
	const char *want[] = { "", "x", "" };
	int r;

	(void)state;
	/* with one column an empty line is a row with an empty cell */
	assert_int_equal(load(v, "c\n\nx\n\n", 6, LM_PICK_SEQUENTIAL, 0, err,
			      sizeof(err)), 0);
	for (r = 0; r < 3; r++) {
		env.seq_row = (uint64_t)r;
		assert_string_equal(render(v, "{{d.c}}", &env), want[r]);
	}
	lm_tmpl_vars_free(v);
}

static void
test_csv_nul_bytes(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v };
	static const char csv[] = "c\na\0b\n";
	struct lm_tmpl *t;
	uint8_t out[8];
	char err[256];

	(void)state;
	assert_int_equal(load(v, csv, sizeof(csv) - 1, LM_PICK_SEQUENTIAL, 0,
			      err, sizeof(err)), 0);
	t = compile(v, "{{d.c}}");
	assert_int_equal(lm_tmpl_render(t, &env, out, sizeof(out)), 3);
	assert_memory_equal(out, "a\0b", 3);
	lm_tmpl_free(t);
	lm_tmpl_vars_free(v);
}

struct csv_bad {
	const char *csv;
	const char *msg;
};

static const struct csv_bad csv_bad_cases[] = {
	{ "", "f.csv:1: empty file (expected a header row of column names)" },
	{ "\xef\xbb\xbf", "f.csv:1: empty file (expected a header row of "
	  "column names)" },
	{ "a,b\n", "f.csv:2: no data rows after the header" },
	{ "a,b", "f.csv:1: no data rows after the header" },
	{ "a,b\n1,2\n3\n", "f.csv:3: 1 fields, expected 2 (as in the header)" },
	{ "a,b\n1,2\n3,4,5", "f.csv:3: 3 fields, expected 2 (as in the "
	  "header)" },
	/* the line of a record counts the newlines inside quotes before it */
	{ "a,b\n\"x\ny\nz\",2\n3,4,5\n", "f.csv:5: 3 fields, expected 2 (as "
	  "in the header)" },
	{ "a,b\n1,2\n\n", "f.csv:3: 1 fields, expected 2 (as in the header)" },
	{ "first name,b\n1,2\n", "f.csv:1: column 1 name \"first name\" is not "
	  "an identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)" },
	{ "a,1b\n1,2\n", "f.csv:1: column 2 name \"1b\" is not an identifier "
	  "([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)" },
	{ "a,\n1,2\n", "f.csv:1: column 2 name \"\" is not an identifier "
	  "([A-Za-z_][A-Za-z0-9_]*, at most 63 bytes)" },
	{ "a,b,a\n1,2,3\n", "f.csv:1: column name \"a\" appears twice" },
	{ "a\n1\n\"abc\n", "f.csv:3: quoted field not closed" },
	{ "a\n\"x\"y\n", "f.csv:2: unexpected character after a closing quote" },
	{ "a\nx\"y\n", "f.csv:2: quote inside an unquoted field (quote the "
	  "field and double the quote)" },
	{ "a\nx\ry\n", "f.csv:2: CR not followed by LF outside quotes" },
	{ "a\nx\r", "f.csv:2: CR not followed by LF outside quotes" },
};

static void
test_csv_errors(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(csv_bad_cases) / sizeof(csv_bad_cases[0]); i++) {
		const struct csv_bad *c = &csv_bad_cases[i];
		struct lm_tmpl_vars *v = lm_tmpl_vars_new();
		char err[256] = "";

		assert_int_equal(load(v, c->csv, strlen(c->csv),
				      LM_PICK_SEQUENTIAL, 0, err, sizeof(err)),
				 -EINVAL);
		if (strcmp(err, c->msg) != 0)
			fail_msg("csv %zu:\n  got  %s\n  want %s", i, err,
				 c->msg);
		/* nothing half-loaded is left behind */
		assert_null(lm_tmpl_compile(v, "{{d.a}}", 7, err, sizeof(err)));
		lm_tmpl_vars_free(v);
	}
}

static void
test_csv_file(void **state)
{
	char path[] = "/tmp/test_template_XXXXXX";
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v };
	char err[512];
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, USERS_CSV, strlen(USERS_CSV)),
			 (ssize_t)strlen(USERS_CSV));
	close(fd);
	assert_int_equal(lm_tmpl_data_load(v, "users", path, LM_PICK_UNIQUE, 3,
					   err, sizeof(err)), 0);
	env.user = 1;
	assert_string_equal(render(v, "{{users.name}}:{{users.password}}",
				   &env), "bob:pw-bob");
	unlink(path);
	assert_int_equal(lm_tmpl_data_load(v, "gone", path, LM_PICK_UNIQUE, 3,
					   err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	lm_tmpl_vars_free(v);
}

/* --- pick modes --- */

static void
test_pick_sequential(void **state)
{
	static const char *const names[] = { "alice", "bob", "carol" };
	struct fixture f;
	uint64_t r;

	(void)state;
	fixture_init(&f);
	for (r = 0; r < 10; r++) {
		char want[64];

		f.env.seq_row = r;
		f.env.user = 100 + r;   /* the user plays no part */
		snprintf(want, sizeof(want), "%s/pw-%s/%s", names[r % 3],
			 names[r % 3], names[r % 3]);
		assert_string_equal(render(f.v, "{{users.name}}/"
					   "{{users.password}}/{{users.name}}",
					   &f.env), want);
	}
	fixture_fini(&f);
}

static void
test_pick_random(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v };
	struct lm_tmpl *t;
	uint64_t rng = 3;
	char err[256];
	int seen[3] = { 0 }, i;

	(void)state;
	env.rng = &rng;
	assert_int_equal(lm_tmpl_data_load_text(v, "users", "u.csv", USERS_CSV,
						strlen(USERS_CSV),
						LM_PICK_RANDOM, 1000, err,
						sizeof(err)), 0);
	t = compile(v, "{{users.name}} {{users.password}} {{users.name}}");
	for (i = 0; i < 3000; i++) {
		char out[128], name[32], pw[32], again[32];
		size_t n = lm_tmpl_render(t, &env, (uint8_t *)out,
					  sizeof(out) - 1);

		out[n] = '\0';
		assert_int_equal(sscanf(out, "%31s %31s %31s", name, pw,
					again), 3);
		/* one row per rendering: the columns belong together */
		assert_string_equal(again, name);
		assert_true(strncmp(pw, "pw-", 3) == 0);
		assert_string_equal(pw + 3, name);
		seen[name[0] - 'a']++;
	}
	/* all rows, roughly evenly */
	for (i = 0; i < 3; i++)
		assert_true(seen[i] > 800 && seen[i] < 1200);
	lm_tmpl_free(t);
	lm_tmpl_vars_free(v);
}

static void
test_pick_unique(void **state)
{
	static const char *const names[] = { "alice", "bob", "carol" };
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v };
	char err[256] = "";
	uint64_t u;

	(void)state;
	assert_int_equal(lm_tmpl_data_load_text(v, "users", "u.csv", USERS_CSV,
						strlen(USERS_CSV),
						LM_PICK_UNIQUE, 4, err,
						sizeof(err)), -EINVAL);
	assert_string_equal(err, "u.csv: 3 rows for 4 users (unique needs one "
			    "row per user)");
	assert_int_equal(lm_tmpl_data_load_text(v, "users", "u.csv", USERS_CSV,
						strlen(USERS_CSV),
						LM_PICK_UNIQUE, 3, err,
						sizeof(err)), 0);
	for (u = 0; u < 3; u++) {
		env.user = u;
		env.seq_row = 7 * u + 1;        /* plays no part */
		assert_string_equal(render(v, "{{users.name}}", &env),
				    names[u]);
	}
	lm_tmpl_vars_free(v);
}

/* --- what a request head may hold --- */

/* Render t as a head into out (NUL-terminated); whether it was unsafe. */
static bool
head_unsafe(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	    char *out, size_t cap)
{
	bool unsafe = true;     /* the call must clear it */
	size_t n = lm_tmpl_render_head(t, env, (uint8_t *)out, cap - 1,
				       &unsafe);

	out[n] = '\0';
	return unsafe;
}

/*
 * A captured value that would split the request is flagged, whatever
 * control character it holds (DEL included); HTAB and every other byte
 * are fine. The bytes are rendered all the same: the caller decides.
 */
static void
test_head_unsafe_capture(void **state)
{
	static const uint8_t bad[] = { '\r', '\n', '\0', 0x7f, 0x01, 0x1b,
				       0x1f };
	struct fixture f;
	struct lm_tmpl *t, *body;
	uint8_t val[8];
	char out[256];
	unsigned int c;
	size_t i;

	(void)state;
	fixture_init(&f);
	t = compile(f.v, "GET /{{session}} HTTP/1.1\r\n"
		    "Authorization: Bearer {{token}}\r\n\r\n");
	body = compile(f.v, "t={{token}}");
	/* the head's own CR LF are literals, never flagged */
	assert_false(head_unsafe(t, &f.env, out, sizeof(out)));
	for (i = 0; i < sizeof(bad); i++) {
		memcpy(val, "ab?cd", 5);
		val[2] = bad[i];
		assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, val, 5),
				 0);
		if (!head_unsafe(t, &f.env, out, sizeof(out)))
			fail_msg("0x%02x in a header not flagged", bad[i]);
		assert_memory_equal(out + strlen("GET / HTTP/1.1\r\n"
						 "Authorization: Bearer "),
				    val, 5);
		/* the same value in the request line */
		assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, "x", 1),
				 0);
		assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.session, val,
						 5), 0);
		if (!head_unsafe(t, &f.env, out, sizeof(out)))
			fail_msg("0x%02x in the path not flagged", bad[i]);
		lm_tmpl_var_set(f.v, f.store, f.session, "", 0);
	}
	/* every other byte, HTAB included, one at a time */
	for (c = 0; c < 256; c++) {
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			continue;
		val[0] = (uint8_t)c;
		assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, val, 1),
				 0);
		if (head_unsafe(t, &f.env, out, sizeof(out)))
			fail_msg("0x%02x flagged", c);
	}
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, "a\tb c~\x80",
					 7), 0);
	assert_false(head_unsafe(t, &f.env, out, sizeof(out)));
	assert_string_equal(out, "GET / HTTP/1.1\r\n"
			    "Authorization: Bearer a\tb c~\x80\r\n\r\n");
	/* a body may carry anything: only the head is looked at */
	assert_int_equal(lm_tmpl_var_set(f.v, f.store, f.token, "a\r\n\r\nb",
					 6), 0);
	{
		struct lm_tmpl *h = compile(f.v, "POST / HTTP/1.1\r\n"
					    "Content-Length: {{__body_len}}"
					    "\r\n\r\n");
		bool unsafe = true;
		size_t n = lm_tmpl_render_request(h, body, &f.env,
						  (uint8_t *)out,
						  sizeof(out) - 1, &unsafe);

		out[n] = '\0';
		assert_false(unsafe);
		assert_string_equal(out, "POST / HTTP/1.1\r\n"
				    "Content-Length: 8\r\n\r\nt=a\r\n\r\nb");
		/* while the head with the same value is not sent */
		assert_true(head_unsafe(t, &f.env, out, sizeof(out)));
		lm_tmpl_render_request(t, body, &f.env, (uint8_t *)out,
				       sizeof(out) - 1, &unsafe);
		assert_true(unsafe);
		lm_tmpl_free(h);
	}
	lm_tmpl_free(body);
	lm_tmpl_free(t);
	fixture_fini(&f);
}

#define ACCT_CSV \
	"id,pw,note\n" \
	"0,pw-0,\"two\nlines\"\n" \
	"1,pw-1,plain\n" \
	"2,pw-2,x\n" \
	"3,pw-3,y\n"

/*
 * The head and the body of a request: the body's length in the head, the
 * body right after it, one row for a data set both read (picked at
 * random), and the same bytes and draws whatever cap is.
 */
static void
test_render_request(void **state)
{
	struct lm_tmpl_vars *v = lm_tmpl_vars_new();
	struct lm_tmpl_env env = { .vars = v, .user = 5 };
	struct lm_tmpl *head, *body;
	char err[256], out[512], full[512];
	uint64_t rng = 11, after;
	size_t n, n_full, cap, max;
	bool unsafe;
	int seen[4] = { 0 }, i;

	(void)state;
	env.rng = &rng;
	assert_int_equal(lm_tmpl_data_load_text(v, "acct", "acct.csv", ACCT_CSV,
						strlen(ACCT_CSV),
						LM_PICK_RANDOM, 0, err,
						sizeof(err)), 0);
	head = compile(v, "POST /u/{{user}}/{{acct.id}} HTTP/1.1\r\n"
		       "Content-Length: {{__body_len}}\r\n\r\n");
	body = compile(v, "id={{acct.id}}&pw={{acct.pw}}&r={{rand 0 9}}");
	max = lm_tmpl_max_len(head) + lm_tmpl_max_len(body);
	for (i = 0; i < 400; i++) {
		unsigned int id, bid, pw, r, len;
		int at = 0;

		n = lm_tmpl_render_request(head, body, &env, (uint8_t *)out,
					   max, &unsafe);
		assert_true(n <= max);
		out[n] = '\0';
		assert_false(unsafe);
		assert_int_equal(sscanf(out, "POST /u/5/%u HTTP/1.1\r\n"
					"Content-Length: %u\r\n\r\n%n", &id,
					&len, &at), 2);
		assert_int_equal(len, n - (size_t)at);
		assert_int_equal(sscanf(out + at, "id=%u&pw=pw-%u&r=%u", &bid,
					&pw, &r), 3);
		assert_int_equal(bid, id);
		assert_int_equal(pw, id);
		assert_true(id < 4 && r <= 9);
		seen[id]++;
	}
	for (i = 0; i < 4; i++)
		assert_true(seen[i] > 50);
	/* a short buffer cuts the request, never the draws */
	rng = 7;
	n_full = lm_tmpl_render_request(head, body, &env, (uint8_t *)full, max,
					&unsafe);
	after = rng;
	for (cap = 0; cap <= max; cap++) {
		memset(out, 0xa5, sizeof(out));
		rng = 7;
		n = lm_tmpl_render_request(head, body, &env, (uint8_t *)out,
					   cap, &unsafe);
		assert_true(n <= cap);
		assert_int_equal(rng, after);
		assert_int_equal((uint8_t)out[cap], 0xa5);
		if (cap == max)
			assert_memory_equal(out, full, n_full);
	}
	/* a head without a body is the head */
	rng = 7;
	n = lm_tmpl_render_request(head, NULL, &env, (uint8_t *)out,
				   lm_tmpl_max_len(head), &unsafe);
	out[n] = '\0';
	assert_true(n > 23);
	assert_string_equal(out + n - 23, "\r\nContent-Length: 0\r\n\r\n");
	/* a cell with LF read by the head is flagged at run time too */
	lm_tmpl_free(head);
	head = compile(v, "GET / HTTP/1.1\r\nX-Note: {{acct.note}}\r\n\r\n");
	for (i = 0, n = 0; i < 64; i++) {
		unsafe = false;
		lm_tmpl_render_request(head, NULL, &env, (uint8_t *)out,
				       sizeof(out), &unsafe);
		n += unsafe;
	}
	assert_true(n > 0 && n < 64);
	lm_tmpl_free(head);
	lm_tmpl_free(body);
	lm_tmpl_vars_free(v);
}

struct head_case {
	const char *csv;
	const char *text;
	const char *msg;        /* NULL: accepted */
};

static const struct head_case head_cases[] = {
	{ "a,b\n1,\"x\ny\"\n", "{{d.b}}",
	  "f.csv:2: column \"b\" holds control character 0x0a (LF) at "
	  "offset 1, which a request head cannot carry" },
	{ "a,b\n1,\"x\ny\"\n", "{{d.a}}", NULL },
	/* the line a row starts on, past cells spanning several lines */
	{ "a,b\n\"1\n\n2\",x\n3,y\n4,\"z\r\n\"\n", "/{{d.b}}",
	  "f.csv:6: column \"b\" holds control character 0x0d (CR) at "
	  "offset 1, which a request head cannot carry" },
	/* the first column the template reads is named */
	{ "a,b\n\"1\n\n2\",x\n3,y\n4,\"z\r\n\"\n", "/{{d.a}}/{{d.b}}",
	  "f.csv:2: column \"a\" holds control character 0x0a (LF) at "
	  "offset 1, which a request head cannot carry" },
	{ "a,b\n1,2\n3,\"\t\x7f\"\n", "{{d.b}}",
	  "f.csv:3: column \"b\" holds control character 0x7f at offset 1, "
	  "which a request head cannot carry" },
	{ "a,b\n1,2\n3,\"\t\x01\"\n", "{{d.a}}{{d.b}}",
	  "f.csv:3: column \"b\" holds control character 0x01 at offset 1, "
	  "which a request head cannot carry" },
	{ "a,b\n1,\"\t \x80~\"\n", "{{d.b}}", NULL },
	{ "a,b\n1,2\n\"x\ny\",3\n", "{{d.b}}", NULL },
};

static void
test_check_head(void **state)
{
	static const char nul_csv[] = "a,b\n1,2\n3,x\0y\n";
	struct lm_tmpl_vars *v;
	struct lm_tmpl *t;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(head_cases) / sizeof(head_cases[0]); i++) {
		const struct head_case *c = &head_cases[i];
		int rc;

		v = lm_tmpl_vars_new();
		if (load(v, c->csv, strlen(c->csv), LM_PICK_SEQUENTIAL, 0, err,
			 sizeof(err)) != 0)
			fail_msg("case %zu: %s", i, err);
		t = compile(v, c->text);
		err[0] = '\0';
		rc = lm_tmpl_check_head(t, v, err, sizeof(err));
		if (c->msg == NULL && rc != 0)
			fail_msg("case %zu: %s", i, err);
		if (c->msg != NULL) {
			assert_int_equal(rc, -EINVAL);
			assert_string_equal(err, c->msg);
		}
		lm_tmpl_free(t);
		lm_tmpl_vars_free(v);
	}
	/* NUL, and a template without data sets */
	v = lm_tmpl_vars_new();
	assert_int_equal(load(v, nul_csv, sizeof(nul_csv) - 1,
			      LM_PICK_SEQUENTIAL, 0, err, sizeof(err)), 0);
	t = compile(v, "{{d.b}}");
	assert_int_equal(lm_tmpl_check_head(t, v, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "f.csv:3: column \"b\" holds control "
			    "character 0x00 (NUL) at offset 1, which a request "
			    "head cannot carry");
	lm_tmpl_free(t);
	t = compile(v, "{{user}}{{rand 1 2}}");
	assert_int_equal(lm_tmpl_check_head(t, v, err, sizeof(err)), 0);
	lm_tmpl_free(t);
	lm_tmpl_vars_free(v);
}

/* --- captures --- */

enum feed_mode { FEED_WHOLE, FEED_SPLIT, FEED_BYTES, FEED_RANDOM };

/*
 * Feed resp to c in the given way (FEED_SPLIT: two pieces cut at at) into
 * a fresh user store; returns done() and leaves the store in f.
 */
static bool
capture(struct fixture *f, const struct lm_captures *c, const char *resp,
	size_t len, enum feed_mode mode, size_t at, uint64_t *rng)
{
	struct lm_capture_state st;
	size_t i;

	lm_tmpl_user_init(f->v, f->store);
	lm_captures_begin(c, &st);
	switch (mode) {
	case FEED_WHOLE:
		lm_captures_feed(c, &st, (const uint8_t *)resp, len, f->v,
				 f->store);
		break;
	case FEED_SPLIT:
		lm_captures_feed(c, &st, (const uint8_t *)resp, at, f->v,
				 f->store);
		lm_captures_feed(c, &st, (const uint8_t *)resp + at, len - at,
				 f->v, f->store);
		break;
	case FEED_BYTES:
		for (i = 0; i < len; i++)
			lm_captures_feed(c, &st, (const uint8_t *)resp + i, 1,
					 f->v, f->store);
		break;
	case FEED_RANDOM:
		for (i = 0; i < len;) {
			size_t n = 1 + lm_splitmix64(rng) % 9;

			if (n > len - i)
				n = len - i;
			lm_captures_feed(c, &st, (const uint8_t *)resp + i, n,
					 f->v, f->store);
			i += n;
		}
		break;
	}
	return lm_captures_done(c, &st);
}

/*
 * Every way of feeding resp must give done and the values (NULL: the
 * variable stays empty).
 */
static void
check_capture(struct fixture *f, const struct lm_captures *c,
	      const char *resp, size_t len, bool done, const char *token,
	      const char *session)
{
	uint64_t rng = 11;
	size_t at;
	int mode, k;

	for (mode = FEED_WHOLE; mode <= FEED_RANDOM; mode++) {
		size_t ways = mode == FEED_SPLIT ? len + 1 :
			      mode == FEED_RANDOM ? 20 : 1;

		for (at = 0; at < ways; at++) {
			bool d = capture(f, c, resp, len, (enum feed_mode)mode,
					 at, &rng);

			if (d != done)
				fail_msg("mode %d at %zu: done %d", mode, at,
					 d);
			for (k = 0; k < 2; k++) {
				const char *want = k == 0 ? token : session;
				struct lm_tmpl *t = compile(f->v, k == 0 ?
							    "{{token}}" :
							    "{{session}}");
				char got[LM_VAR_MAX + 1];
				size_t n = lm_tmpl_render(t, &f->env,
							  (uint8_t *)got,
							  sizeof(got));

				lm_tmpl_free(t);
				if (want == NULL)
					want = "";
				/* by length: a stray NUL must not pass */
				if (n != strlen(want) ||
				    memcmp(got, want, n) != 0)
					fail_msg("mode %d at %zu: %s is \"%.*s\" "
						 "(%zu bytes), want \"%s\"",
						 mode, at, k == 0 ? "token" :
						 "session", (int)n, got, n,
						 want);
			}
		}
	}
}

#define CHECK(f, c, resp, done, token, session) \
	check_capture(f, c, resp, sizeof(resp) - 1, done, token, session)

static void
test_capture_header(void **state)
{
	struct fixture f;
	struct lm_captures *c = lm_captures_new();

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_header(c, f.token, "X-Token"), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
	      "X-Token:  \t abc def \t\r\nX-Other: 1\r\n\r\nbody", true,
	      "abc def", NULL);
	/* case-insensitive; names that only share a prefix do not match */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Tok: a\r\nX-Token-2: b\r\n"
	      "x-tOKEN:c\r\n\r\n", true, "c", NULL);
	/* the first field of that name */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Token: one\r\nX-Token: two\r\n"
	      "\r\n", true, "one", NULL);
	/* LF line ends, and an empty value */
	CHECK(&f, c, "HTTP/1.1 200 OK\nX-Token: lf\nA: b\n\n", true, "lf",
	      NULL);
	CHECK(&f, c, "HTTP/1.1 204 No Content\r\nX-Token:   \r\n\r\n", true,
	      "", NULL);
	/* not in the head: neither in the body nor after a missing colon */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nA: b\r\n\r\nX-Token: body\r\n",
	      false, NULL, NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Token\r\n\r\n", false, NULL, NULL);
	/* an unfinished head */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Tok", false, NULL, NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Token: abc", false, NULL, NULL);
	/* the final head, not that of a 1xx response */
	CHECK(&f, c, "HTTP/1.1 100 Continue\r\nX-Token: early\r\n\r\n"
	      "HTTP/1.1 103 Early Hints\r\nX-Token: hint\r\n\r\n"
	      "HTTP/1.1 200 OK\r\nX-Token: final\r\n\r\n", true, "final",
	      NULL);
	lm_captures_free(c);
	fixture_fini(&f);
}

static void
test_capture_header_limits(void **state)
{
	struct fixture f;
	struct lm_captures *c = lm_captures_new();
	char resp[1024], val[LM_VAR_MAX + 2];
	int n;

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_header(c, f.token, "x-token"), 0);
	memset(val, 'v', sizeof(val));
	/* exactly LM_VAR_MAX, with trailing whitespace beyond it */
	val[LM_VAR_MAX] = '\0';
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nX-Token: %s"
		     "    \t \r\n\r\n", val);
	check_capture(&f, c, resp, (size_t)n, true, val, NULL);
	/* one more is too long: the capture fails, the variable is empty */
	val[LM_VAR_MAX] = 'v';
	val[LM_VAR_MAX + 1] = '\0';
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nX-Token: %s\r\n"
		     "\r\n", val);
	check_capture(&f, c, resp, (size_t)n, false, NULL, NULL);
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\nX-Token: %.*s"
		     "  x\r\n\r\n", LM_VAR_MAX - 2, val);
	check_capture(&f, c, resp, (size_t)n, false, NULL, NULL);
	lm_captures_free(c);
	fixture_fini(&f);
}

static void
test_capture_between(void **state)
{
	struct fixture f;
	struct lm_captures *c = lm_captures_new();

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_between(c, f.token, "\"token\":\"",
						 "\""), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nContent-Length: 29\r\n\r\n"
	      "{\"token\":\"s3cr3t\",\"x\":\"y\"}", true, "s3cr3t", NULL);
	/* the start in the head does not count */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nX-Doc: \"token\":\"head\"\r\n\r\n"
	      "{\"token\":\"body\"}", true, "body", NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\n\n\"token\":\"lf\"", true, "lf", NULL);
	/* an empty value */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\n\"token\":\"\"", true, "", NULL);
	/* no start, no end, nothing after the head */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\n{\"tok\":\"x\"}", false, NULL,
	      NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\n{\"token\":\"x", false, NULL,
	      NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\"token\":\"x\"\r\n\r\n", false,
	      NULL, NULL);
	lm_captures_free(c);
	fixture_fini(&f);
}

/* Boundaries whose partial matches overlap: the matcher must fall back. */
static void
test_capture_between_overlaps(void **state)
{
	struct fixture f;
	struct lm_captures *c = lm_captures_new();

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_between(c, f.token, "aab", "abac"), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\naaaabzzababacq", true, "zzab",
	      NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\naabababac", true, "ab", NULL);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\naababaabac", true, "aba", NULL);
	lm_captures_free(c);
	c = lm_captures_new();
	assert_int_equal(lm_captures_add_between(c, f.token, "<<", ">>>"), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\n<<<a>>b>>>>>", true, "<a>>b",
	      NULL);
	lm_captures_free(c);
	fixture_fini(&f);
}

/* Check into token, or into session when last; the other stays empty. */
static void
check_one(struct fixture *f, const struct lm_captures *c, bool last,
	  const char *resp, int len, bool done, const char *val)
{
	check_capture(f, c, resp, (size_t)len, done, last ? NULL : val,
		      last ? val : NULL);
}

/*
 * Values at and past the limit; into the last variable too, where a write
 * past the value would leave the user's store (and ASan would see it).
 */
static void
between_limits(struct fixture *f, bool last)
{
	struct lm_captures *c = lm_captures_new();
	char resp[1024], val[LM_VAR_MAX + 2];
	int n;

	assert_int_equal(lm_captures_add_between(c, last ? f->session :
						 f->token, "[", "]]"), 0);
	memset(val, 'v', sizeof(val));
	/* partial ends inside the value are value bytes */
	memcpy(val + 10, "]x]", 3);
	val[200] = ']';
	val[LM_VAR_MAX] = '\0';
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n\r\n[%s]]", val);
	check_one(f, c, last, resp, n, true, val);
	/* one byte more is too long */
	val[LM_VAR_MAX] = 'v';
	val[LM_VAR_MAX + 1] = '\0';
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n\r\n[%s]]", val);
	check_one(f, c, last, resp, n, false, NULL);
	/* the value passes the limit inside what looked like the end */
	memset(val, 'v', sizeof(val));
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n\r\n[%.*s]x]]",
		     LM_VAR_MAX - 1, val);
	check_one(f, c, last, resp, n, false, NULL);
	/* and one byte shorter fits */
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n\r\n[%.*s]x]]",
		     LM_VAR_MAX - 2, val);
	memcpy(val + LM_VAR_MAX - 2, "]x", 3);
	check_one(f, c, last, resp, n, true, val);
	/* the first end after the start: a third ] is left over */
	memset(val, 'v', sizeof(val));
	n = snprintf(resp, sizeof(resp), "HTTP/1.1 200 OK\r\n\r\n[%.*s]]]",
		     LM_VAR_MAX, val);
	val[LM_VAR_MAX] = '\0';
	check_one(f, c, last, resp, n, true, val);
	lm_captures_free(c);
}

static void
test_capture_between_limits(void **state)
{
	struct fixture f;

	(void)state;
	fixture_init(&f);
	between_limits(&f, false);
	between_limits(&f, true);
	fixture_fini(&f);
}

static void
test_capture_two(void **state)
{
	struct fixture f;
	struct lm_captures *c = lm_captures_new();

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_header(c, f.session, "Set-Cookie"), 0);
	assert_int_equal(lm_captures_add_between(c, f.token, "\"token\":\"",
						 "\""), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nSet-Cookie: sid=42; Path=/\r\n"
	      "Content-Type: application/json\r\n\r\n{\"token\":\"t0k\"}",
	      true, "t0k", "sid=42; Path=/");
	/* one of two missing: not done, the other still captured */
	CHECK(&f, c, "HTTP/1.1 200 OK\r\nSet-Cookie: sid=1\r\n\r\n{}", false,
	      NULL, "sid=1");
	lm_captures_free(c);
	/* two between captures with the same start */
	c = lm_captures_new();
	assert_int_equal(lm_captures_add_between(c, f.token, "id=", ";"), 0);
	assert_int_equal(lm_captures_add_between(c, f.session, "id=", "&"), 0);
	CHECK(&f, c, "HTTP/1.1 200 OK\r\n\r\nid=ab&c;", true, "ab&c", "ab");
	lm_captures_free(c);
	/* two header captures on one line name */
	c = lm_captures_new();
	assert_int_equal(lm_captures_add_header(c, f.token, "Location"), 0);
	assert_int_equal(lm_captures_add_header(c, f.session, "LOCATION"), 0);
	CHECK(&f, c, "HTTP/1.1 302 Found\r\nlocation: /next\r\n\r\n", true,
	      "/next", "/next");
	lm_captures_free(c);
	fixture_fini(&f);
}

/* A failed or new capture replaces what the variable held. */
static void
test_capture_replaces(void **state)
{
	static const char ok[] = "HTTP/1.1 200 OK\r\nX-Token: new\r\n\r\n";
	static const char bad[] = "HTTP/1.1 200 OK\r\nX-Token: ";
	struct fixture f;
	struct lm_captures *c = lm_captures_new();
	struct lm_capture_state st;

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_header(c, f.token, "X-Token"), 0);
	lm_tmpl_var_set(f.v, f.store, f.token, "old", 3);
	lm_captures_begin(c, &st);
	lm_captures_feed(c, &st, (const uint8_t *)ok, sizeof(ok) - 1, f.v,
			 f.store);
	assert_true(lm_captures_done(c, &st));
	assert_string_equal(render(f.v, "{{token}}", &f.env), "new");
	/* the value is only valid once complete */
	lm_captures_begin(c, &st);
	lm_captures_feed(c, &st, (const uint8_t *)bad, sizeof(bad) - 1, f.v,
			 f.store);
	lm_captures_feed(c, &st, (const uint8_t *)"partial", 7, f.v, f.store);
	assert_false(lm_captures_done(c, &st));
	assert_string_equal(render(f.v, "{{token}}", &f.env), "");
	lm_captures_free(c);
	fixture_fini(&f);
}

static void
test_capture_api(void **state)
{
	struct lm_captures *c = lm_captures_new();
	struct lm_capture_state st;
	int i;

	(void)state;
	assert_int_equal(lm_captures_add_header(c, -1, "A"), -EINVAL);
	assert_int_equal(lm_captures_add_header(c, 0, ""), -EINVAL);
	assert_int_equal(lm_captures_add_header(c, 0, "X Token"), -EINVAL);
	assert_int_equal(lm_captures_add_header(c, 0, "X:"), -EINVAL);
	assert_int_equal(lm_captures_add_between(c, 0, "", "x"), -EINVAL);
	assert_int_equal(lm_captures_add_between(c, 0, "x", ""), -EINVAL);
	/* nothing to capture is done at once */
	lm_captures_begin(c, &st);
	assert_true(lm_captures_done(c, &st));
	assert_int_equal(lm_captures_add_header(c, 0, "A"), 0);
	assert_int_equal(lm_captures_add_between(c, 0, "x", "y"), -EEXIST);
	for (i = 1; i < LM_CAPTURE_STATE_MAX; i++)
		assert_int_equal(lm_captures_add_between(c, i, "x", "y"), 0);
	assert_int_equal(lm_captures_add_header(c, i, "B"), -ENOSPC);
	lm_captures_begin(c, &st);
	assert_false(lm_captures_done(c, &st));
	lm_captures_free(c);
	lm_captures_free(NULL);
	lm_tmpl_vars_free(NULL);
	lm_tmpl_free(NULL);
	assert_true(sizeof(struct lm_capture_state) <= 64);
}

/* Capture a token from one response and send it in the next request. */
static void
test_capture_then_render(void **state)
{
	static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n"
		"\r\n{\"token\":\"abc123\"}";
	struct fixture f;
	struct lm_captures *c = lm_captures_new();
	struct lm_capture_state st;

	(void)state;
	fixture_init(&f);
	assert_int_equal(lm_captures_add_between(c, f.token, "\"token\":\"",
						 "\""), 0);
	lm_captures_begin(c, &st);
	lm_captures_feed(c, &st, (const uint8_t *)resp, sizeof(resp) - 1,
			 f.v, f.store);
	assert_true(lm_captures_done(c, &st));
	f.env.user = 2;
	assert_string_equal(render(f.v, "GET /me HTTP/1.1\r\nAuthorization: "
				   "Bearer {{token}}\r\nX-User: {{users.name}}"
				   "\r\n\r\n", &f.env),
			    "GET /me HTTP/1.1\r\nAuthorization: Bearer abc123"
			    "\r\nX-User: alice\r\n\r\n");
	lm_captures_free(c);
	fixture_fini(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_compile_errors_no_names),
		cmocka_unit_test(test_compile_too_many_sets),
		cmocka_unit_test(test_constant),
		cmocka_unit_test(test_render_builtins),
		cmocka_unit_test(test_render_vars),
		cmocka_unit_test(test_var_declare),
		cmocka_unit_test(test_int_format),
		cmocka_unit_test(test_rand),
		cmocka_unit_test(test_max_len),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_csv_ok),
		cmocka_unit_test(test_csv_one_column),
		cmocka_unit_test(test_csv_nul_bytes),
		cmocka_unit_test(test_csv_errors),
		cmocka_unit_test(test_csv_file),
		cmocka_unit_test(test_pick_sequential),
		cmocka_unit_test(test_pick_random),
		cmocka_unit_test(test_pick_unique),
		cmocka_unit_test(test_head_unsafe_capture),
		cmocka_unit_test(test_render_request),
		cmocka_unit_test(test_check_head),
		cmocka_unit_test(test_capture_header),
		cmocka_unit_test(test_capture_header_limits),
		cmocka_unit_test(test_capture_between),
		cmocka_unit_test(test_capture_between_overlaps),
		cmocka_unit_test(test_capture_between_limits),
		cmocka_unit_test(test_capture_two),
		cmocka_unit_test(test_capture_replaces),
		cmocka_unit_test(test_capture_api),
		cmocka_unit_test(test_capture_then_render),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
