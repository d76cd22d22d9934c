/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: templates (app/template.c, template_data.c) and
 * captures (app/template_capture.c).
 *
 * Input, in NUL-separated fields: a template's text; a header name, a
 * start and an end boundary for captures; then the raw response bytes the
 * captures are fed (cut in two at a point the first response byte picks).
 * Missing fields take defaults. The template is compiled against a fixed
 * set of variables and a data set, rendered (whole, capped, as a head) and
 * must never write past lm_tmpl_max_len(); captures must never write past
 * LM_VAR_MAX.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/template.h"

#include "fuzz_util.h"

#define USERS_CSV \
	"name,password\n" \
	"alice,pw-alice\n" \
	"\"b,ob\",\"pw\r\nbob\"\n"

/* Templates bound to render longer than this are not rendered (a
 * fuzzer's input is far below it: this only keeps allocations sane). */
#define OUT_MAX (1 << 20)

struct env {
	struct lm_tmpl_vars *v;
	int token, session;
	void *store;
};

static struct env *
env_get(void)
{
	static struct env *e;
	char err[256];

	/* Built once: the plan's variables are loaded once in the program
	 * too. Freed by nothing: the process ends with it. */
	if (e != NULL)
		return e;
	e = calloc(1, sizeof(*e));
	FUZZ_CHECK(e != NULL);
	e->v = lm_tmpl_vars_new();
	FUZZ_CHECK(e->v != NULL);
	e->token = lm_tmpl_var_declare(e->v, "token");
	e->session = lm_tmpl_var_declare(e->v, "session");
	FUZZ_CHECK(e->token >= 0 && e->session >= 0);
	FUZZ_CHECK(lm_tmpl_data_load_text(e->v, "users", "users.csv",
					  USERS_CSV, strlen(USERS_CSV),
					  LM_PICK_SEQUENTIAL, 2, err,
					  sizeof(err)) == 0);
	e->store = malloc(lm_tmpl_user_size(e->v));
	FUZZ_CHECK(e->store != NULL);
	return e;
}

/* The next NUL-terminated field of the input, or def when there is none. */
static const char *
field(const uint8_t **d, size_t *n, size_t *len, const char *def)
{
	const uint8_t *nul;
	const char *f;

	if (*n == 0) {
		*len = strlen(def);
		return def;
	}
	f = (const char *)*d;
	nul = memchr(*d, 0, *n);
	if (nul == NULL) {
		*len = *n;
		*d += *n;
		*n = 0;
	} else {
		*len = (size_t)(nul - *d);
		*n -= *len + 1;
		*d = nul + 1;
	}
	return f;
}

/* how: 0 plain, 1 as a head, 2 as a request with t as head and body */
static size_t
render_into(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	    size_t cap, int how)
{
	uint8_t *dst = malloc(cap + !cap);
	bool unsafe;
	size_t n;

	FUZZ_CHECK(dst != NULL);
	if (how == 0)
		n = lm_tmpl_render(t, env, dst, cap);
	else if (how == 1)
		n = lm_tmpl_render_head(t, env, dst, cap, &unsafe);
	else
		n = lm_tmpl_render_request(t, t, env, dst, cap, &unsafe);
	free(dst);
	return n;
}

static void
render(struct env *e, const struct lm_tmpl *t)
{
	struct lm_tmpl_env env;
	size_t max, n, cap;
	uint64_t rng = 42;

	memset(&env, 0, sizeof(env));
	env.vars = e->v;
	env.user_store = e->store;
	env.user = 1;
	env.run = 2;
	env.worker = 3;
	env.seq = UINT64_MAX;
	env.time_ms = 1700000000000ULL;
	env.rng = &rng;
	env.seq_row = 1;

	max = lm_tmpl_max_len(t);
	if (max > OUT_MAX)
		return;
	/* exact-size buffers: a byte written past cap is an ASan finding */
	n = render_into(t, &env, max, 0);
	FUZZ_CHECK(n <= max);
	cap = max / 2;
	n = render_into(t, &env, cap, 0);
	FUZZ_CHECK(n <= cap);
	n = render_into(t, &env, cap, 1);
	FUZZ_CHECK(n <= cap);
	n = render_into(t, &env, 2 * max, 2);
	FUZZ_CHECK(n <= 2 * max);
	/* a request cut short: its body is rendered past the head's bound
	 * first, which must stay within cap too */
	n = render_into(t, &env, max + cap, 2);
	FUZZ_CHECK(n <= max + cap);
	n = render_into(t, &env, cap, 2);
	FUZZ_CHECK(n <= cap);
}

static void
capture(struct env *e, const char *hdr, size_t hdr_len, const char *start,
	size_t start_len, const char *end, size_t end_len,
	const uint8_t *resp, size_t resp_len)
{
	char h[LM_CAPTURE_PATTERN_MAX + 1], s[LM_CAPTURE_PATTERN_MAX + 1];
	char x[LM_CAPTURE_PATTERN_MAX + 1];
	struct lm_capture_state st;
	struct lm_captures *c;
	size_t cut;

	if (hdr_len > LM_CAPTURE_PATTERN_MAX || start_len > LM_CAPTURE_PATTERN_MAX ||
	    end_len > LM_CAPTURE_PATTERN_MAX)
		return;
	memcpy(h, hdr, hdr_len);
	h[hdr_len] = '\0';
	memcpy(s, start, start_len);
	s[start_len] = '\0';
	memcpy(x, end, end_len);
	x[end_len] = '\0';

	c = lm_captures_new();
	FUZZ_CHECK(c != NULL);
	/* invalid names and boundaries are refused: that is fine */
	(void)lm_captures_add_header(c, e->token, h);
	(void)lm_captures_add_between(c, e->session, s, x);
	lm_tmpl_user_init(e->v, e->store);
	lm_captures_begin(c, &st);
	cut = resp_len ? resp[0] % (resp_len + 1) : 0;
	lm_captures_feed(c, &st, resp, cut, e->v, e->store);
	lm_captures_feed(c, &st, resp + cut, resp_len - cut, e->v, e->store);
	(void)lm_captures_done(c, &st);
	lm_captures_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct env *e = env_get();
	const char *text, *hdr, *start, *end;
	size_t text_len, hdr_len, start_len, end_len;
	char err[256];
	struct lm_tmpl *t;

	text = field(&data, &size, &text_len, "");
	hdr = field(&data, &size, &hdr_len, "Set-Cookie");
	start = field(&data, &size, &start_len, "\"token\":\"");
	end = field(&data, &size, &end_len, "\"");

	/* captured values first, so the rendering reads them */
	capture(e, hdr, hdr_len, start, start_len, end, end_len, data, size);

	t = lm_tmpl_compile(e->v, text, text_len, err, sizeof(err));
	if (t == NULL) {
		FUZZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL);
		FUZZ_CHECK(err[0] != '\0');
		return 0;
	}
	render(e, t);
	lm_tmpl_free(t);
	return 0;
}
