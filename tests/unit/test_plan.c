/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the plan loader (lm/plan.h, control/plan_load.c; servers
 * are test_plan_keys.c's, but for a fuzz test here), the JSON
 * position scanner (control/json_pos.c) and request compilation
 * (dataplane/app/http_request.c).
 *
 * Error tests compare the whole message. Where a test writes a backquote
 * (MARK) into the plan text, the expected line and column are those of the
 * mark, computed here independently of the scanner, and the mark is removed
 * before loading; a few tests spell the position out by hand as well.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <lm/plan.h>

#include "app/http_request.h"
#include "json_pos.h"

#include "util/splitmix.h"

#define FILE_NAME "plan.json"
#define MARK '`'

/* The plan most tests start from and change one thing in. */
static const char base_plan[] =
	"{\n"
	"  \"name\": \"demo\",\n"
	"  \"ports\": [{\"ip\": \"198.18.0.1\", \"prefix\": 24}],\n"
	"  \"target\": {\"ip\": \"198.18.0.2\", \"port\": 80},\n"
	"  \"load\": {\"users\": 8, \"duration_s\": 10, \"max_runs\": 0},\n"
	"  \"scenarios\": [\n"
	"    {\"name\": \"browse\", \"weight\": 3, \"steps\": [\n"
	"      {\"name\": \"home\", \"http\": {\"method\": \"GET\", \"path\": \"/index.html\",\n"
	"        \"headers\": {\"Accept\": \"*/*\"}, \"expect\": {\"status\": 200}}},\n"
	"      {\"http\": {\"path\": \"/small.bin\"}}]},\n"
	"    {\"name\": \"api\", \"steps\": [\n"
	"      {\"timeout_ms\": 500, \"http\": {\"method\": \"POST\", \"path\": \"/api/echo\",\n"
	"        \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{}\"}}]}\n"
	"  ]\n"
	"}\n";

/* The smallest valid plan; its only step is the last thing in it. */
#define MINI_HEAD \
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n" \
	" \"load\": {\"users\": 1},\n" \
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [\n"
#define MINI_TAIL "]}]}\n"

/* a fixed seed gives the same data on every run */
#define rng_next(s) lm_splitmix64(s)

/* base with the first occurrence of from replaced by to; free() it */
static char *
subst(const char *base, const char *from, const char *to)
{
	const char *at = strstr(base, from);
	size_t head, n;
	char *s;

	assert_non_null(at);
	head = (size_t)(at - base);
	n = strlen(base) - strlen(from) + strlen(to);
	s = malloc(n + 1);
	assert_non_null(s);
	memcpy(s, base, head);
	memcpy(s + head, to, strlen(to));
	strcpy(s + head + strlen(to), at + strlen(from));
	return s;
}

static struct lm_plan *
load(const char *text, char *err)
{
	err[0] = '\0';
	return lm_plan_load_text(text, strlen(text), FILE_NAME, err,
				 LM_PLAN_ERR_MAX);
}

/* The text must fail to load with exactly this message. */
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

/*
 * marked holds one MARK where the error must point; the expected message
 * is "plan.json:LINE:COL: PATH: msg" with the mark's line and column.
 */
static void
check_error_at(const char *marked, const char *path, const char *msg)
{
	char *text = strdup(marked);
	char *m, expected[2 * LM_PLAN_ERR_MAX];
	unsigned int line = 1, col = 1;
	const char *p;

	assert_non_null(text);
	m = strchr(text, MARK);
	assert_non_null(m);
	for (p = text; p < m; p++) {
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	memmove(m, m + 1, strlen(m + 1) + 1);
	assert_null(strchr(text, MARK));
	if (path[0] != '\0')
		snprintf(expected, sizeof(expected), FILE_NAME ":%u:%u: %s: %s",
			 line, col, path, msg);
	else
		snprintf(expected, sizeof(expected), FILE_NAME ":%u:%u: %s",
			 line, col, msg);
	check_error(text, expected);
	free(text);
}

/* base_plan with from replaced by to (which holds the MARK) */
static void
check_subst(const char *from, const char *to, const char *path,
	    const char *msg)
{
	char *text = subst(base_plan, from, to);

	check_error_at(text, path, msg);
	free(text);
}

/* A one-step plan: MINI_HEAD step MINI_TAIL */
static void
check_step(const char *step, const char *path, const char *msg)
{
	char text[4096];

	snprintf(text, sizeof(text), "%s%s%s", MINI_HEAD, step, MINI_TAIL);
	check_error_at(text, path, msg);
}

static void
assert_request_n(const struct lm_http_step *h, const char *want, size_t len)
{
	assert_non_null(h->request);
	assert_int_equal(h->request_len, len);
	assert_memory_equal(h->request, want, len);
}

/* want is a string literal and may hold NUL */
#define assert_request(h, want) assert_request_n(h, want, sizeof(want) - 1)

/* ---- valid plans ---- */

static void
test_valid_values(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p = load(base_plan, err);
	const struct lm_scenario *sc;
	const struct lm_step *st;

	(void)state;
	if (p == NULL)
		fail_msg("%s", err);
	assert_string_equal(p->file, FILE_NAME);
	assert_string_equal(p->name, "demo");
	assert_int_equal(p->n_ports, 1);
	assert_int_equal(p->ports[0].ip, 0xc6120001);
	assert_int_equal(p->ports[0].prefix, 24);
	assert_int_equal(p->ports[0].gateway, 0);
	assert_int_equal(p->target.ip, 0xc6120002);
	assert_int_equal(p->target.port, 80);
	assert_int_equal(p->load.users, 8);
	assert_true(p->load.duration_s == 10.0);
	assert_int_equal(p->load.max_runs, 0);
	assert_int_equal(p->n_scenarios, 2);
	assert_int_equal(lm_plan_n_steps(p), 3);

	sc = &p->scenarios[0];
	assert_string_equal(sc->name, "browse");
	assert_true(sc->weight == 3.0);
	assert_int_equal(sc->n_steps, 2);
	st = &sc->steps[0];
	assert_string_equal(st->name, "home");
	assert_int_equal(st->kind, LM_STEP_HTTP);
	assert_int_equal(st->timeout_ms, 10000);
	assert_int_equal(st->http.method, LM_HTTP_GET);
	assert_string_equal(st->http.path, "/index.html");
	assert_int_equal(st->http.n_headers, 1);
	assert_string_equal(st->http.headers[0].name, "Accept");
	assert_string_equal(st->http.headers[0].value, "*/*");
	assert_null(st->http.body);
	assert_int_equal(st->http.n_expect_status, 1);
	assert_int_equal(st->http.expect_status[0], 200);
	assert_request(&st->http,
		       "GET /index.html HTTP/1.1\r\n"
		       "Host: 198.18.0.2\r\n"
		       "Accept: */*\r\n"
		       "User-Agent: lemmings-dp/0.1\r\n"
		       "\r\n");

	/* defaults: name "<scenario>.<index>", GET, any 2xx/3xx */
	st = &sc->steps[1];
	assert_string_equal(st->name, "browse.1");
	assert_int_equal(st->http.method, LM_HTTP_GET);
	assert_int_equal(st->http.n_headers, 0);
	assert_null(st->http.headers);
	assert_int_equal(st->http.n_expect_status, 0);
	assert_int_equal(st->timeout_ms, 10000);

	sc = &p->scenarios[1];
	assert_string_equal(sc->name, "api");
	assert_true(sc->weight == 1.0);
	st = &sc->steps[0];
	assert_string_equal(st->name, "api.0");
	assert_int_equal(st->timeout_ms, 500);
	assert_int_equal(st->http.method, LM_HTTP_POST);
	assert_int_equal(st->http.body_len, 2);
	assert_memory_equal(st->http.body, "{}", 2);
	assert_request(&st->http,
		       "POST /api/echo HTTP/1.1\r\n"
		       "Host: 198.18.0.2\r\n"
		       "Content-Type: application/json\r\n"
		       "User-Agent: lemmings-dp/0.1\r\n"
		       "Content-Length: 2\r\n"
		       "\r\n"
		       "{}");
	lm_plan_free(p);
}

static void
test_valid_defaults(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;
	const char *text = MINI_HEAD "{\"http\": {\"path\": \"/\"}}" MINI_TAIL;

	(void)state;
	p = lm_plan_load_text(text, strlen(text), "dir/some.plan.json", err,
			      sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	/* name defaults to the file's base name without .json */
	assert_string_equal(p->name, "some.plan");
	assert_int_equal(p->ports[0].prefix, 24);
	assert_int_equal(p->ports[0].gateway, 0);
	assert_int_equal(p->target.port, 80);
	assert_int_equal(p->load.users, 1);
	assert_true(p->load.duration_s == 10.0);
	assert_int_equal(p->load.max_runs, 0);
	assert_true(p->scenarios[0].weight == 1.0);
	assert_string_equal(p->scenarios[0].steps[0].name, "s.0");
	assert_int_equal(p->scenarios[0].steps[0].timeout_ms, 10000);
	assert_int_equal(p->scenarios[0].steps[0].http.method, LM_HTTP_GET);
	assert_int_equal(p->scenarios[0].steps[0].http.n_expect_status, 0);
	lm_plan_free(p);

	p = lm_plan_load_text(text, strlen(text), "noext", err, sizeof(err));
	assert_non_null(p);
	assert_string_equal(p->name, "noext");
	lm_plan_free(p);
	p = lm_plan_load_text(text, strlen(text), "dir/.json", err, sizeof(err));
	assert_non_null(p);
	assert_string_equal(p->name, ".json");
	lm_plan_free(p);
	p = lm_plan_load_text(text, strlen(text), "dir/", err, sizeof(err));
	assert_non_null(p);
	assert_string_equal(p->name, "plan");
	lm_plan_free(p);
}

static void
test_valid_full(void **state)
{
	static const char text[] =
		"{\"name\": \"full\",\n"
		" \"ports\": [{\"ip\": \"198.18.0.5\", \"prefix\": 15, \"gateway\": \"198.19.255.254\"},\n"
		"           {\"ip\": \"198.19.255.1\", \"prefix\": 32}],\n"
		" \"target\": {\"ip\": \"198.18.7.9\", \"port\": 8080},\n"
		" \"load\": {\"users\": 10000000, \"duration_s\": 0.5, \"max_runs\": 18446744073709551},\n"
		" \"scenarios\": [{\"name\": \"x y\", \"weight\": 0.25, \"steps\": [\n"
		"   {\"name\": \"del\", \"timeout_ms\": 3600000,\n"
		"    \"http\": {\"method\": \"DELETE\", \"path\": \"/a?b=c&d=%20\", \"expect\": {\"status\": [200, 204, 404]}}},\n"
		"   {\"timeout_ms\": 1, \"http\": {\"method\": \"PUT\", \"path\": \"/p\", \"headers\": {\"host\": \"example\", \"user-agent\": \"me\"}}},\n"
		"   {\"http\": {\"method\": \"OPTIONS\", \"path\": \"*\", \"body\": \"\"}},\n"
		"   {\"http\": {\"method\": \"HEAD\", \"path\": \"/\", \"expect\": {}}},\n"
		"   {\"http\": {\"method\": \"PATCH\", \"path\": \"/z\", \"body\": \"a\\u0000b\\u00e9\",\n"
		"             \"headers\": {\"Content-Length\": \" 5 \", \"X-Tab\": \"a\\tb\"}}},\n"
		"   {\"http\": {\"method\": \"POST\", \"path\": \"/c\", \"headers\": {\"Transfer-Encoding\": \"gzip, Chunked\"},\n"
		"             \"body\": \"3;ext=1\\r\\nabc\\r\\n0\\r\\nX-T: 1\\r\\n\\r\\n\"}}\n"
		" ]}]}\n";
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p = load(text, err);
	const struct lm_step *st;

	(void)state;
	if (p == NULL)
		fail_msg("%s", err);
	assert_int_equal(p->n_ports, 2);
	assert_int_equal(p->ports[0].ip, 0xc6120005);
	assert_int_equal(p->ports[0].prefix, 15);
	assert_int_equal(p->ports[0].gateway, 0xc613fffe);
	assert_int_equal(p->ports[1].ip, 0xc613ff01);
	assert_int_equal(p->ports[1].prefix, 32);
	assert_int_equal(p->target.port, 8080);
	assert_int_equal(p->load.users, 10000000);
	assert_true(p->load.duration_s == 0.5);
	assert_int_equal(p->load.max_runs, 18446744073709551ULL);
	assert_string_equal(p->scenarios[0].name, "x y");
	assert_true(p->scenarios[0].weight == 0.25);

	st = &p->scenarios[0].steps[0];
	assert_int_equal(st->timeout_ms, 3600000);
	assert_int_equal(st->http.method, LM_HTTP_DELETE);
	assert_int_equal(st->http.n_expect_status, 3);
	assert_int_equal(st->http.expect_status[0], 200);
	assert_int_equal(st->http.expect_status[1], 204);
	assert_int_equal(st->http.expect_status[2], 404);
	/* no body, not POST/PUT/PATCH: no Content-Length; port in Host */
	assert_request(&st->http, "DELETE /a?b=c&d=%20 HTTP/1.1\r\n"
				  "Host: 198.18.7.9:8080\r\n"
				  "User-Agent: lemmings-dp/0.1\r\n\r\n");

	/* the plan's Host and User-Agent replace ours, whatever their case */
	st = &p->scenarios[0].steps[1];
	assert_string_equal(st->name, "x y.1");
	assert_int_equal(st->timeout_ms, 1);
	assert_request(&st->http, "PUT /p HTTP/1.1\r\n"
				  "host: example\r\n"
				  "user-agent: me\r\n"
				  "Content-Length: 0\r\n\r\n");

	/* an empty body is a body: Content-Length: 0 */
	st = &p->scenarios[0].steps[2];
	assert_non_null(st->http.body);
	assert_int_equal(st->http.body_len, 0);
	assert_request(&st->http, "OPTIONS * HTTP/1.1\r\n"
				  "Host: 198.18.7.9:8080\r\n"
				  "User-Agent: lemmings-dp/0.1\r\n"
				  "Content-Length: 0\r\n\r\n");

	st = &p->scenarios[0].steps[3];
	assert_int_equal(st->http.method, LM_HTTP_HEAD);
	assert_int_equal(st->http.n_expect_status, 0);

	/* a body keeps NUL and UTF-8 bytes; a matching Content-Length is kept */
	st = &p->scenarios[0].steps[4];
	assert_int_equal(st->http.body_len, 5);
	assert_memory_equal(st->http.body, "a\0b\xc3\xa9", 5);
	assert_request(&st->http, "PATCH /z HTTP/1.1\r\n"
				  "Host: 198.18.7.9:8080\r\n"
				  "Content-Length:  5 \r\n"
				  "X-Tab: a\tb\r\n"
				  "User-Agent: lemmings-dp/0.1\r\n\r\n"
				  "a\0b\xc3\xa9");

	/* chunked, framed by the plan: no Content-Length added */
	st = &p->scenarios[0].steps[5];
	assert_request(&st->http, "POST /c HTTP/1.1\r\n"
				  "Host: 198.18.7.9:8080\r\n"
				  "Transfer-Encoding: gzip, Chunked\r\n"
				  "User-Agent: lemmings-dp/0.1\r\n\r\n"
				  "3;ext=1\r\nabc\r\n0\r\nX-T: 1\r\n\r\n");
	lm_plan_free(p);
}

static void
test_method_names(void **state)
{
	(void)state;
	assert_string_equal(lm_http_method_name(LM_HTTP_GET), "GET");
	assert_string_equal(lm_http_method_name(LM_HTTP_HEAD), "HEAD");
	assert_string_equal(lm_http_method_name(LM_HTTP_POST), "POST");
	assert_string_equal(lm_http_method_name(LM_HTTP_PUT), "PUT");
	assert_string_equal(lm_http_method_name(LM_HTTP_DELETE), "DELETE");
	assert_string_equal(lm_http_method_name(LM_HTTP_PATCH), "PATCH");
	assert_string_equal(lm_http_method_name(LM_HTTP_OPTIONS), "OPTIONS");
	assert_string_equal(lm_http_method_name((enum lm_http_method)99), "?");
	assert_int_equal(lm_plan_n_steps(NULL), 0);
	lm_plan_free(NULL);
}

/* ---- files ---- */

static char tmpdir[64];

static int
setup_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/lm_test_plan.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
teardown_tmpdir(void **state)
{
	(void)state;
	return rmdir(tmpdir);
}

static void
test_file(void **state)
{
	char path[128], err[LM_PLAN_ERR_MAX], want[LM_PLAN_ERR_MAX + 128];
	struct lm_plan *p;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/quick.json", tmpdir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(MINI_HEAD "{\"http\": {\"path\": \"/\"}}" MINI_TAIL, f);
	fclose(f);
	p = lm_plan_load(path, err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	assert_string_equal(p->file, path);
	assert_string_equal(p->name, "quick");
	lm_plan_free(p);

	/* errors name the path as given */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"ports\": 1}", f);
	fclose(f);
	assert_null(lm_plan_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want),
		 "%s:1:11: ports: expected an array, got an integer", path);
	assert_string_equal(err, want);
	assert_int_equal(unlink(path), 0);

	assert_null(lm_plan_load(path, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot open: %s", path,
		 strerror(ENOENT));
	assert_string_equal(err, want);

	assert_null(lm_plan_load(tmpdir, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s: cannot read: %s", tmpdir,
		 strerror(EISDIR));
	assert_string_equal(err, want);

	/* a short buffer is cut, not overrun */
	assert_null(lm_plan_load(path, err, 8));
	assert_int_equal(strlen(err), 7);
	assert_null(lm_plan_load(path, NULL, 0));
	assert_null(lm_plan_load(NULL, err, sizeof(err)));
}

/* A sample plan shipped in scenarios/, wherever the tests run from; NULL if absent. */
static struct lm_plan *
load_sample(const char *name)
{
	static const char *const where[] = {
		"scenarios", "../scenarios", "../../scenarios", "../../../scenarios",
	};
	char path[256], err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;
	size_t i;

	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", where[i], name);
		if (access(path, R_OK) == 0)
			break;
	}
	if (i == sizeof(where) / sizeof(where[0]))
		return NULL;
	p = lm_plan_load(path, err, sizeof(err));
	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

/* The sample plans shipped in scenarios/ must load. */
static void
test_sample_quickstart(void **state)
{
	struct lm_plan *p = load_sample("quickstart.json");

	(void)state;
	if (p == NULL)
		skip();
	assert_string_equal(p->name, "quickstart");
	assert_int_equal(p->load.users, 8);
	assert_true(p->load.duration_s == 10.0);
	assert_int_equal(p->load.max_runs, 0);
	assert_int_equal(p->n_scenarios, 2);
	assert_string_equal(p->scenarios[0].name, "browse");
	assert_true(p->scenarios[0].weight == 3.0);
	assert_string_equal(p->scenarios[1].name, "api");
	assert_true(p->scenarios[1].weight == 1.0);
	assert_int_equal(p->scenarios[1].steps[0].http.method, LM_HTTP_POST);
	lm_plan_free(p);
}

static void
test_sample_impair_upload(void **state)
{
	struct lm_plan *p = load_sample("impair.json");
	const struct lm_http_step *h;

	(void)state;
	if (p == NULL)
		skip();
	assert_true(p->impair.enabled);
	assert_int_equal(p->impair.seed, 7);
	assert_true(p->impair.rx.drop > 0 && p->impair.tx.drop > 0);
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->expect_body_bytes, 1048576);
	assert_true(h->expect_body_crc);
	lm_plan_free(p);

	p = load_sample("upload.json");
	assert_non_null(p);
	assert_false(p->impair.enabled);
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->method, LM_HTTP_POST);
	assert_string_equal(h->path, "/upload");
	assert_true(h->body_generated);
	assert_int_equal(h->body_gen_size, 10485760);
	assert_non_null(memmem(h->request, h->request_len,
			       "Content-Length: 10485760\r\n\r\n", 28));
	assert_int_equal(memcmp(h->request + h->request_len - 4, "\r\n\r\n", 4), 0);
	lm_plan_free(p);
}

/* ---- errors ---- */

static void
test_err_syntax(void **state)
{
	(void)state;
	/* jansson's own line, column and text */
	check_error("{\"a\": 1,}", FILE_NAME ":1:9: string or '}' expected near '}'");
	check_error("", FILE_NAME ":1:0: '[' or '{' expected near end of file");
	check_error("{\n  \"ports\": [1, 2\n", FILE_NAME
		    ":3:0: ']' expected near end of file");
	{
		char *t = subst(base_plan, "\"port\": 80},", "\"port\": 80}");

		check_error(t, FILE_NAME ":5:8: '}' expected near '\"load\"'");
		free(t);
	}
	check_error("{\"a\": 1} x", FILE_NAME ":1:10: end of file expected near 'x'");
	check_error("{\"a\": tru}", FILE_NAME ":1:9: invalid token near 'tru'");
	check_error("{\"a\": 1e999}", FILE_NAME ":1:11: real number overflow near '1e999'");
}

static void
test_err_root(void **state)
{
	(void)state;
	check_error("[1]", FILE_NAME ":1:1: expected an object, got an array");
	check_error_at("\n  `{}", "", "missing required key \"ports\"");
	check_error_at("`{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"}, \"scenarios\": []}",
		       "", "missing required key \"load\"");
}

static void
test_err_unknown_key(void **state)
{
	(void)state;
	/* by hand: line 5 is `  "load": {"users": 8, "duration_s": 10, "max_run": 0},` */
	{
		char *t = subst(base_plan, "\"max_runs\"", "\"max_run\"");

		check_error(t, FILE_NAME ":5:42: load.max_run: unknown key \"max_run\" (expected users, spawn_rate, rate, arrival, max_users, stages, duration_s or max_runs)");
		free(t);
	}
	check_subst("\"name\": \"demo\",", "\"name\": \"demo\", `\"Name\": 1,", "Name",
		    "unknown key \"Name\" (expected name, description, ports, target, load, tcp, impair, data, scenarios, include, weights, on_start, on_stop, thresholds or servers)");
	check_subst("\"prefix\": 24}", "\"prefix\": 24, `\"mask\": 24}", "ports[0].mask",
		    "unknown key \"mask\" (expected ip, prefix, gateway or client_ips)");
	check_subst("\"port\": 80}", "\"port\": 80, `\"proto\": \"tcp\"}", "target.proto",
		    "unknown key \"proto\" (expected ip, port, ip_last or port_last)");
	check_subst("\"weight\": 3,", "\"weight\": 3, `\"think\": 1,", "scenarios[0].think",
		    "unknown key \"think\" (expected name, weight, close, connection or steps)");
	check_subst("{\"timeout_ms\": 500,", "{\"timeout_ms\": 500, `\"retries\": 2,",
		    "scenarios[1].steps[0].retries",
		    "unknown key \"retries\" (expected name, timeout_ms, http, think, loop, connect, send, expect or close)");
	check_subst("\"path\": \"/small.bin\"", "\"path\": \"/small.bin\", `\"verb\": \"GET\"",
		    "scenarios[0].steps[1].http.verb",
		    "unknown key \"verb\" (expected method, path, headers, body, expect or capture)");
	check_subst("{\"status\": 200}", "{\"status\": 200, `\"body\": \"ok\"}",
		    "scenarios[0].steps[0].http.expect.body",
		    "unknown key \"body\" (expected status, body_bytes or body_crc32c)");
	/* keys that are not identifiers are bracketed, escapes shown */
	check_subst("\"users\": 8,", "`\"us ers\": 8, \"users\": 8,", "load[\"us ers\"]",
		    "unknown key \"us ers\" (expected users, spawn_rate, rate, arrival, max_users, stages, duration_s or max_runs)");
	check_subst("\"users\": 8,", "`\"u\\\"\\n\\u0001\": 8, \"users\": 8,",
		    "load[\"u\\\"\\n\\u0001\"]",
		    "unknown key \"u\\\"\\n\\u0001\" (expected users, spawn_rate, rate, arrival, max_users, stages, duration_s or max_runs)");
	check_subst("\"users\": 8,", "`\"a\\/\\\\\\b\\u20AC\": 8, \"users\": 8,",
		    "load[\"a/\\\\\\b\xe2\x82\xac\"]",
		    "unknown key \"a/\\\\\\b\xe2\x82\xac\" (expected users, spawn_rate, rate, arrival, max_users, stages, duration_s or max_runs)");
	/* escaped spelling of a known key is that key */
	{
		char *t = subst(base_plan, "\"users\"", "\"\\u0075sers\"");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(t, err);

		assert_non_null(p);
		lm_plan_free(p);
		free(t);
	}
}

static void
test_err_type(void **state)
{
	(void)state;
	check_subst("\"users\": 8", "\"users\": `\"8\"", "load.users",
		    "expected an integer, got a string");
	check_subst("\"users\": 8", "\"users\": `8.0", "load.users",
		    "expected an integer, got a real number");
	check_subst("\"users\": 8", "\"users\": `1.5", "load.users",
		    "expected an integer, got a real number");
	check_subst("\"users\": 8", "\"users\": `true", "load.users",
		    "expected an integer, got true");
	check_subst("\"users\": 8", "\"users\": `null", "load.users",
		    "expected an integer, got null");
	check_subst("\"duration_s\": 10", "\"duration_s\": `\"10s\"", "load.duration_s",
		    "expected a number, got a string");
	check_subst("\"weight\": 3", "\"weight\": `[3]", "scenarios[0].weight",
		    "expected a number, got an array");
	check_subst("\"ports\": [{\"ip\": \"198.18.0.1\", \"prefix\": 24}]",
		    "\"ports\": `{\"ip\": \"198.18.0.1\"}", "ports",
		    "expected an array, got an object");
	check_subst("\"ports\": [{\"ip\": \"198.18.0.1\", \"prefix\": 24}]",
		    "\"ports\": [`\"198.18.0.1\"]", "ports[0]",
		    "expected an object, got a string");
	check_subst("\"ip\": \"198.18.0.2\"", "\"ip\": `3323068418", "target.ip",
		    "expected a string, got an integer");
	check_subst("\"prefix\": 24", "\"prefix\": `24.5", "ports[0].prefix",
		    "expected an integer, got a real number");
	check_subst("\"Accept\": \"*/*\"", "\"Accept\": `1", "scenarios[0].steps[0].http.headers.Accept",
		    "expected a string, got an integer");
	check_subst("{\"status\": 200}", "{\"status\": `\"200\"}",
		    "scenarios[0].steps[0].http.expect.status",
		    "expected an integer or an array, got a string");
	check_subst("{\"status\": 200}", "{\"status\": [200, `200.0]}",
		    "scenarios[0].steps[0].http.expect.status[1]",
		    "expected an integer, got a real number");
	check_subst("{\"http\": {\"path\": \"/small.bin\"}}", "`[]",
		    "scenarios[0].steps[1]", "expected an object, got an array");
	check_subst("\"body\": \"{}\"", "\"body\": `1", "scenarios[1].steps[0].http.body",
		    "expected a string or an object, got an integer");
	check_subst("\"name\": \"demo\"", "\"name\": `false", "name",
		    "expected a string, got false");
}

static void
test_err_missing(void **state)
{
	(void)state;
	/* by hand: line 4 is `  "target": {"port": 80},` */
	{
		char *t = subst(base_plan, "\"ip\": \"198.18.0.2\", ", "");

		check_error(t, FILE_NAME ":4:13: target: missing required key \"ip\"");
		free(t);
	}
	check_subst("{\"ip\": \"198.18.0.1\", \"prefix\": 24}", "`{\"prefix\": 24}", "ports[0]",
		    "missing required key \"ip\"");
	check_subst("\"load\": {\"users\": 8, ", "\"load\": `{", "load",
		    "missing required key \"users\" (closed model) or \"rate\" (open model)");
	{
		char *t = subst(base_plan, "\n  \"target\": {\"ip\": \"198.18.0.2\", \"port\": 80},", "");

		check_error(t, FILE_NAME ":1:1: missing required key \"target\"");
		free(t);
	}
	check_subst("{\"name\": \"api\", ", "`{", "scenarios[1]",
		    "missing required key \"name\"");
	check_subst("{\"name\": \"browse\", \"weight\": 3, \"steps\": [\n"
		    "      {\"name\": \"home\", \"http\": {\"method\": \"GET\", \"path\": \"/index.html\",\n"
		    "        \"headers\": {\"Accept\": \"*/*\"}, \"expect\": {\"status\": 200}}},\n"
		    "      {\"http\": {\"path\": \"/small.bin\"}}]},",
		    "`{\"name\": \"browse\"},", "scenarios[0]",
		    "missing required key \"steps\"");
	check_subst("{\"path\": \"/small.bin\"}", "`{}", "scenarios[0].steps[1].http",
		    "missing required key \"path\"");
}

/* check_subst() wants a MARK; this puts it first in the "to" text */
static void
test_err_missing_root_marked(void **state)
{
	(void)state;
	/* missing at the root points at the root object's brace */
	check_error_at("  `{\"ports\": [{\"ip\": \"198.18.0.1\"}],\n"
		       "   \"target\": {\"ip\": \"198.18.0.2\"},\n"
		       "   \"load\": {\"users\": 1}}\n",
		       "", "missing required key \"scenarios\" or \"servers\" (a plan needs one of them, or both)");
}

static void
test_err_ipv4(void **state)
{
	static const char *const bad[] = {
		"198.18.0", "198.18.0.256", "198.018.0.1", "198.18.0.1.", ".198.18.0.1",
		"198..0.1", " 198.18.0.1", "198.18.0.1 ", "0xc6.18.0.1", "", "198.18.0.4/24",
		"4294967295", "198.18.0.-1", "00.18.0.1",
	};
	char from[] = "\"ip\": \"198.18.0.1\"";
	char to[128], msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(to, sizeof(to), "\"ip\": `\"%s\"", bad[i]);
		snprintf(msg, sizeof(msg),
			 "invalid IPv4 address \"%s\" (expected dotted decimal, like 198.18.0.1)",
			 bad[i]);
		check_subst(from, to, "ports[0].ip", msg);
	}
	check_subst(from, "\"ip\": `\"198.18\\u00000.1\"", "ports[0].ip",
		    "invalid IPv4 address \"198.18\\u00000.1\" (expected dotted decimal, like 198.18.0.1)");
	check_subst(from, "\"ip\": `\"0.18.0.1\"", "ports[0].ip",
		    "0.18.0.1 is not a unicast address");
	check_subst("\"ip\": \"198.18.0.2\"", "\"ip\": `\"224.18.0.1\"", "target.ip",
		    "224.18.0.1 is not a unicast address");
	check_subst("\"ip\": \"198.18.0.2\"", "\"ip\": `\"255.255.255.255\"", "target.ip",
		    "255.255.255.255 is not a unicast address");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"gateway\": `\"198.18.0\"",
		    "ports[0].gateway",
		    "invalid IPv4 address \"198.18.0\" (expected dotted decimal, like 198.18.0.1)");
}

static void
test_err_addressing(void **state)
{
	(void)state;
	check_subst("\"prefix\": 24", "\"prefix\": `0", "ports[0].prefix",
		    "0 is out of range (expected 1 to 32)");
	check_subst("\"prefix\": 24", "\"prefix\": `33", "ports[0].prefix",
		    "33 is out of range (expected 1 to 32)");
	check_subst("\"prefix\": 24", "\"prefix\": `-24", "ports[0].prefix",
		    "-24 is out of range (expected 1 to 32)");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"gateway\": `\"198.18.1.254\"",
		    "ports[0].gateway", "gateway 198.18.1.254 is not inside 198.18.0.1/24");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"gateway\": `\"198.18.0.1\"",
		    "ports[0].gateway", "gateway 198.18.0.1 is this port's own address");
	/* target ranges */
	check_subst("\"port\": 80}", "\"port\": 80, \"ip_last\": `\"198.18.0.1\"}",
		    "target.ip_last", "198.18.0.1 is before ip 198.18.0.2");
	check_subst("\"port\": 80}", "\"port\": 80, \"port_last\": `79}",
		    "target.port_last", "79 is out of range (expected 80 to 65535)");
	{
		char *t = subst(base_plan, "\"port\": 80}", "\"port\": 80, \"ip_last\": \"198.18.0.9\", \"port_last\": 83}");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(t, err);
		uint32_t ip;
		uint16_t port;

		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->target.n_ips, 8);
		assert_int_equal(p->target.n_ports, 4);
		lm_plan_target_pick(&p->target, 0, &ip, &port);
		assert_int_equal(ip, 0xc6120002);
		assert_int_equal(port, 80);
		lm_plan_target_pick(&p->target, 7, &ip, &port);
		assert_int_equal(ip, 0xc6120009);
		assert_int_equal(port, 80);
		lm_plan_target_pick(&p->target, 8, &ip, &port);
		assert_int_equal(ip, 0xc6120002);
		assert_int_equal(port, 81);
		lm_plan_target_pick(&p->target, 31, &ip, &port);
		assert_int_equal(port, 83);
		lm_plan_target_pick(&p->target, 32, &ip, &port);
		assert_int_equal(port, 80);
		lm_plan_free(p);
		free(t);
	}
	/* client source address ranges */
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"client_ips\": `\"198.18.0.20-198.18.0.10\"",
		    "ports[0].client_ips", "range 198.18.0.20-198.18.0.10 ends before it starts");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"client_ips\": `\"198.18.0.10-198.18.1.10\"",
		    "ports[0].client_ips", "range 198.18.0.10-198.18.1.10 is not inside 198.18.0.1/24");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"client_ips\": `\"198.18.0.200-198.18.0.255\"",
		    "ports[0].client_ips", "range 198.18.0.200-198.18.0.255 holds the network's or its broadcast address");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"client_ips\": `\"10-20\"",
		    "ports[0].client_ips", "expected an IPv4 address or a range A.B.C.D-E.F.G.H, got \"10-20\"");
	check_subst("\"prefix\": 24", "\"prefix\": 24, \"client_ips\": \"198.18.0.10-198.18.0.20\", \"gateway\": `\"198.18.0.15\"",
		    "ports[0].gateway", "gateway 198.18.0.15 is among the port's client_ips");
	{
		char *t = subst(base_plan, "\"prefix\": 24", "\"prefix\": 24, \"client_ips\": \"198.18.0.10-198.18.0.250\"");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(t, err);

		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->ports[0].client_ip, 0xc612000a);
		assert_int_equal(p->ports[0].n_client_ips, 241);
		lm_plan_free(p);
		free(t);
		t = subst(base_plan, "\"prefix\": 24", "\"prefix\": 24, \"client_ips\": \"198.18.0.7\"");
		p = load(t, err);
		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->ports[0].client_ip, 0xc6120007);
		assert_int_equal(p->ports[0].n_client_ips, 1);
		lm_plan_free(p);
		free(t);
	}
	/* off-link target: ports[0] needs a gateway; with one it loads */
	check_subst("\"ip\": \"198.18.0.2\"", "\"ip\": `\"198.19.0.2\"", "target.ip",
		    "198.19.0.2 is not inside ports[0] (198.18.0.1/24), so ports[0] needs a gateway");
	{
		char *t = subst(base_plan, "\"ip\": \"198.18.0.2\"", "\"ip\": \"198.19.0.2\"");
		char *u = subst(t, "\"prefix\": 24", "\"prefix\": 24, \"gateway\": \"198.18.0.254\"");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(u, err);

		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->ports[0].gateway, 0xc61200fe);
		assert_int_equal(p->target.ip, 0xc6130002);
		lm_plan_free(p);
		free(u);
		free(t);
	}
	check_subst("\"ip\": \"198.18.0.2\"", "\"ip\": `\"198.18.0.1\"", "target.ip",
		    "198.18.0.1 is our own address (ports[0].ip)");
	check_subst("\"prefix\": 24}]", "\"prefix\": 24}, {\"ip\": `\"198.18.0.1\"}]",
		    "ports[1].ip", "198.18.0.1 is already the address of ports[0]");
	check_subst("\"ports\": [{\"ip\": \"198.18.0.1\", \"prefix\": 24}]", "\"ports\": `[]",
		    "ports", "must have 1 to 8 entries, got 0");
	check_subst("\"ports\": [{\"ip\": \"198.18.0.1\", \"prefix\": 24}]",
		    "\"ports\": `[{\"ip\": \"198.18.0.1\"}, {\"ip\": \"198.18.0.2\"}, {\"ip\": \"198.18.0.3\"},"
		    " {\"ip\": \"198.18.0.4\"}, {\"ip\": \"198.18.0.5\"}, {\"ip\": \"198.18.0.6\"},"
		    " {\"ip\": \"198.18.0.7\"}, {\"ip\": \"198.18.0.8\"}, {\"ip\": \"198.18.0.9\"}]",
		    "ports", "must have 1 to 8 entries, got 9");
	check_subst("\"port\": 80", "\"port\": `0", "target.port",
		    "0 is out of range (expected 1 to 65535)");
	check_subst("\"port\": 80", "\"port\": `65536", "target.port",
		    "65536 is out of range (expected 1 to 65535)");
}

static void
test_err_load(void **state)
{
	(void)state;
	check_subst("\"users\": 8", "\"users\": `0", "load.users",
		    "0 is out of range (expected 1 to 10000000)");
	check_subst("\"users\": 8", "\"users\": `10000001", "load.users",
		    "10000001 is out of range (expected 1 to 10000000)");
	check_subst("\"users\": 8", "\"users\": `-9223372036854775808", "load.users",
		    "-9223372036854775808 is out of range (expected 1 to 10000000)");
	check_subst("\"duration_s\": 10", "\"duration_s\": `-0.5", "load.duration_s",
		    "-0.5 is out of range (expected 0 to 31536000)");
	check_subst("\"duration_s\": 10", "\"duration_s\": `31536000.5", "load.duration_s",
		    "31536000.5 is out of range (expected 0 to 31536000)");
	check_subst("\"max_runs\": 0", "\"max_runs\": `-1", "load.max_runs",
		    "-1 is out of range (expected 0 or more)");
	check_subst("\"duration_s\": 10", "\"duration_s\": `0", "load.duration_s",
		    "duration_s and max_runs cannot both be 0 (the run would never end)");
	check_subst("\"duration_s\": 10", "\"duration_s\": `0.0", "load.duration_s",
		    "duration_s and max_runs cannot both be 0 (the run would never end)");
	{
		/* either one alone is fine */
		char *t = subst(base_plan, "\"duration_s\": 10, \"max_runs\": 0",
				"\"duration_s\": 0, \"max_runs\": 5");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(t, err);

		if (p == NULL)
			fail_msg("%s", err);
		assert_true(p->load.duration_s == 0);
		assert_int_equal(p->load.max_runs, 5);
		lm_plan_free(p);
		free(t);
	}
}

static void
test_err_scenarios(void **state)
{
	char text[64 * 1024];
	size_t i, o;

	(void)state;
	check_subst("\"weight\": 3", "\"weight\": `0", "scenarios[0].weight",
		    "0 is out of range (expected more than 0 and at most 1000000000)");
	check_subst("\"weight\": 3", "\"weight\": `-1.5", "scenarios[0].weight",
		    "-1.5 is out of range (expected more than 0 and at most 1000000000)");
	check_subst("\"weight\": 3", "\"weight\": `1e300", "scenarios[0].weight",
		    "1e+300 is out of range (expected more than 0 and at most 1000000000)");
	check_subst("\"name\": \"api\"", "\"name\": `\"\"", "scenarios[1].name",
		    "must not be empty");
	check_subst("\"name\": \"api\"", "\"name\": `\"a\\u0000pi\"", "scenarios[1].name",
		    "contains a NUL character (\\u0000)");
	check_subst("\"name\": \"api\"", "\"name\": `\"browse\"", "scenarios[1].name",
		    "duplicate scenario name \"browse\" (also scenarios[0])");
	check_error_at("{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
		       " \"load\": {\"users\": 1}, \"scenarios\": `[]}",
		       "scenarios", "must have 1 to 1024 entries, got 0");
	check_subst("\"steps\": [\n      {\"timeout_ms\": 500, \"http\": {\"method\": \"POST\", \"path\": \"/api/echo\",\n"
		    "        \"headers\": {\"Content-Type\": \"application/json\"}, \"body\": \"{}\"}}]}",
		    "\"steps\": `[]}", "scenarios[1].steps",
		    "must have 1 to 1024 entries, got 0");

	/* 1025 scenarios, 1025 steps */
	o = (size_t)snprintf(text, sizeof(text),
			     "{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},"
			     " \"load\": {\"users\": 1}, \"scenarios\": `[");
	for (i = 0; i < 1025; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s{\"name\": \"s%zu\", \"steps\": [{\"http\": {\"path\": \"/\"}}]}",
				      i > 0 ? "," : "", i);
	snprintf(text + o, sizeof(text) - o, "]}");
	check_error_at(text, "scenarios", "must have 1 to 1024 entries, got 1025");

	o = (size_t)snprintf(text, sizeof(text), "%s", MINI_HEAD);
	text[o - 2] = MARK; /* MINI_HEAD ends with "[\n": point at the '[' */
	text[o - 1] = '[';
	for (i = 0; i < 1025; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
				      "%s{\"http\": {\"path\": \"/\"}}",
				      i > 0 ? "," : "");
	snprintf(text + o, sizeof(text) - o, "%s", MINI_TAIL);
	check_error_at(text, "scenarios[0].steps", "must have 1 to 1024 entries, got 1025");
}

static void
test_err_steps(void **state)
{
	(void)state;
	check_step("`{\"name\": \"x\"}", "scenarios[0].steps[0]",
		   "step has no kind (expected \"http\", \"think\", \"loop\", \"connect\", \"send\", \"expect\" or \"close\")");
	check_step("`{}", "scenarios[0].steps[0]", "step has no kind (expected \"http\", \"think\", \"loop\", \"connect\", \"send\", \"expect\" or \"close\")");
	check_step("{`\"tcp\": {}, \"http\": {\"path\": \"/\"}}", "scenarios[0].steps[0].tcp",
		   "unknown key \"tcp\" (expected name, timeout_ms, http, think, loop, connect, send, expect or close)");
	check_step("{\"timeout_ms\": `0, \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[0].timeout_ms", "0 is out of range (expected 1 to 3600000)");
	check_step("{\"timeout_ms\": `3600001, \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[0].timeout_ms",
		   "3600001 is out of range (expected 1 to 3600000)");
	check_step("{\"timeout_ms\": `1e3, \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[0].timeout_ms", "expected an integer, got a real number");
	check_step("{\"name\": `\"\", \"http\": {\"path\": \"/\"}}", "scenarios[0].steps[0].name",
		   "must not be empty");
	check_step("{\"name\": \"a\", \"http\": {\"path\": \"/\"}}, {\"name\": `\"a\", \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[1].name", "duplicate step name \"a\" (also steps[0])");
	/* a default name can clash with an explicit one: point at the step */
	check_step("{\"name\": \"s.1\", \"http\": {\"path\": \"/\"}}, `{\"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[1]", "duplicate step name \"s.1\" (also steps[0])");
	check_step("{\"http\": {\"path\": \"/\"}}, {\"name\": `\"s.0\", \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[1].name", "duplicate step name \"s.0\" (also steps[0])");
	/* the first duplicate in plan order is reported */
	check_step("{\"name\": \"b\", \"http\": {\"path\": \"/\"}}, {\"name\": \"a\", \"http\": {\"path\": \"/\"}},"
		   " {\"name\": `\"a\", \"http\": {\"path\": \"/\"}}, {\"name\": \"b\", \"http\": {\"path\": \"/\"}}",
		   "scenarios[0].steps[2].name", "duplicate step name \"a\" (also steps[1])");
	/* the same name in two scenarios is fine */
	{
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(MINI_HEAD "{\"name\": \"x\", \"http\": {\"path\": \"/\"}}]},"
					 " {\"name\": \"t\", \"steps\": [{\"name\": \"x\", \"http\": {\"path\": \"/\"}}"
					 MINI_TAIL, err);

		if (p == NULL)
			fail_msg("%s", err);
		lm_plan_free(p);
	}
}

static void
test_err_method(void **state)
{
	(void)state;
	/* by hand: line 8, "GET" starts at column 43 */
	{
		char *t = subst(base_plan, "\"GET\"", "\"GOT\"");

		check_error(t, FILE_NAME ":8:43: scenarios[0].steps[0].http.method: unknown method \"GOT\""
			    " (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)");
		free(t);
	}
	check_step("{\"http\": {\"method\": `\"get\", \"path\": \"/\"}}",
		   "scenarios[0].steps[0].http.method",
		   "unknown method \"get\" (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)");
	check_step("{\"http\": {\"method\": `\"GET\\u0000\", \"path\": \"/\"}}",
		   "scenarios[0].steps[0].http.method",
		   "unknown method \"GET\\u0000\" (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)");
	check_step("{\"http\": {\"method\": `\"\", \"path\": \"/\"}}",
		   "scenarios[0].steps[0].http.method",
		   "unknown method \"\" (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)");
	/* long values are cut in messages, after 64 bytes */
	{
		char step[256], a70[71], a64[65], msg[256];

		memset(a70, 'A', 70);
		a70[70] = '\0';
		memset(a64, 'A', 64);
		a64[64] = '\0';
		snprintf(step, sizeof(step),
			 "{\"http\": {\"method\": `\"%s\", \"path\": \"/\"}}", a70);
		snprintf(msg, sizeof(msg),
			 "unknown method \"%s\"... (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)",
			 a64);
		check_step(step, "scenarios[0].steps[0].http.method", msg);
	}
}

static void
test_err_status(void **state)
{
	(void)state;
	check_subst("{\"status\": 200}", "{\"status\": `99}",
		    "scenarios[0].steps[0].http.expect.status", "99 is out of range (expected 100 to 599)");
	check_subst("{\"status\": 200}", "{\"status\": `600}",
		    "scenarios[0].steps[0].http.expect.status", "600 is out of range (expected 100 to 599)");
	check_subst("{\"status\": 200}", "{\"status\": [200, `600]}",
		    "scenarios[0].steps[0].http.expect.status[1]",
		    "600 is out of range (expected 100 to 599)");
	check_subst("{\"status\": 200}", "{\"status\": `[]}",
		    "scenarios[0].steps[0].http.expect.status", "must have 1 to 16 entries, got 0");
	check_subst("{\"status\": 200}",
		    "{\"status\": `[200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307]}",
		    "scenarios[0].steps[0].http.expect.status", "must have 1 to 16 entries, got 17");
	{
		char *t = subst(base_plan, "{\"status\": 200}",
				"{\"status\": [100, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 599]}");
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(t, err);

		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->scenarios[0].steps[0].http.n_expect_status, 16);
		assert_int_equal(p->scenarios[0].steps[0].http.expect_status[0], 100);
		assert_int_equal(p->scenarios[0].steps[0].http.expect_status[15], 599);
		lm_plan_free(p);
		free(t);
	}
}

static void
test_err_duplicate_key(void **state)
{
	(void)state;
	/* jansson rejects these; the message is ours, at the second key */
	check_subst("\"name\": \"demo\",", "\"name\": \"demo\", `\"name\": \"again\",", "name",
		    "duplicate key \"name\"");
	check_subst("{\"Accept\": \"*/*\"}", "{\"Accept\": \"*/*\", `\"Accept\": \"x\"}",
		    "scenarios[0].steps[0].http.headers.Accept", "duplicate key \"Accept\"");
	check_subst("\"port\": 80}", "\"port\": 80,\n  `\"port\": 80}", "target.port",
		    "duplicate key \"port\"");
	/* written differently, decoded the same */
	check_subst("\"users\": 8,", "\"users\": 8, `\"\\u0075sers\": 8,", "load.users",
		    "duplicate key \"\\u0075sers\"");
	check_subst("{\"Accept\": \"*/*\"}", "{\"A b\": \"*/*\", `\"A b\": \"x\"}",
		    "scenarios[0].steps[0].http.headers[\"A b\"]", "duplicate key \"A b\"");
	/* the text after the duplicate is broken: jansson's message */
	check_error("{\"a\": 1, \"a\"", FILE_NAME ":1:12: duplicate object key near '\"a\"'");
}

static void
test_err_request(void **state)
{
	(void)state;
	check_step("{\"http\": {\"path\": `\"index.html\"}}", "scenarios[0].steps[0].http.path",
		   "path must start with '/'");
	check_step("{\"http\": {\"path\": `\"\"}}", "scenarios[0].steps[0].http.path",
		   "path must start with '/'");
	check_step("{\"http\": {\"path\": `\"*\"}}", "scenarios[0].steps[0].http.path",
		   "path must start with '/'");
	check_step("{\"http\": {\"method\": \"OPTIONS\", \"path\": `\"x\"}}",
		   "scenarios[0].steps[0].http.path", "path must start with '/' or be \"*\"");
	check_step("{\"http\": {\"path\": `\"/a b\"}}", "scenarios[0].steps[0].http.path",
		   "path contains byte 0x20 at offset 2 (only visible ASCII is allowed; percent-encode the rest)");
	check_step("{\"http\": {\"path\": `\"/a\\r\\nX: y\"}}", "scenarios[0].steps[0].http.path",
		   "path contains byte 0x0d (CR) at offset 2 (only visible ASCII is allowed; percent-encode the rest)");
	check_step("{\"http\": {\"path\": `\"/a\\n\"}}", "scenarios[0].steps[0].http.path",
		   "path contains byte 0x0a (LF) at offset 2 (only visible ASCII is allowed; percent-encode the rest)");
	check_step("{\"http\": {\"path\": `\"/\\u00e9\"}}", "scenarios[0].steps[0].http.path",
		   "path contains byte 0xc3 at offset 1 (only visible ASCII is allowed; percent-encode the rest)");
	check_step("{\"http\": {\"path\": `\"/a#b\"}}", "scenarios[0].steps[0].http.path",
		   "path contains '#' at offset 2 (a fragment is never sent to a server)");
	/* NUL cannot reach the compiler in a C string: the loader refuses it */
	check_step("{\"http\": {\"path\": `\"/a\\u0000b\"}}", "scenarios[0].steps[0].http.path",
		   "contains a NUL character (\\u0000)");

	/* header names: tokens; the error points at the key */
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {`\"X Y\": \"1\"}}}",
		   "scenarios[0].steps[0].http.headers[\"X Y\"]",
		   "header name \"X Y\" is not a token: byte 0x20 at offset 1 (RFC 9110 section 5.6.2)");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"A\": \"1\", `\"X:\": \"1\"}}}",
		   "scenarios[0].steps[0].http.headers[\"X:\"]",
		   "header name \"X:\" is not a token: byte 0x3a at offset 1 (RFC 9110 section 5.6.2)");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {`\"\": \"1\"}}}",
		   "scenarios[0].steps[0].http.headers[\"\"]", "header name is empty");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"Accept\": \"1\", `\"accept\": \"2\"}}}",
		   "scenarios[0].steps[0].http.headers.accept",
		   "header \"accept\" repeats \"Accept\" (header names are case-insensitive)");

	/* header values: no CR, LF, NUL or other controls; points at the value */
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"X-A\": `\"a\\r\\nB: c\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A",
		   "header value contains control character 0x0d (CR) at offset 1");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"X-A\": `\"a\\nb\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A",
		   "header value contains control character 0x0a (LF) at offset 1");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"X-A\": `\"\\u007f\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A",
		   "header value contains control character 0x7f at offset 0");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"X-A\": `\"a\\u0000\"}}}",
		   "scenarios[0].steps[0].http.headers.X-A", "contains a NUL character (\\u0000)");

	/* Content-Length and Transfer-Encoding must agree with the body */
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": \"abc\","
		   " \"headers\": {\"Content-Length\": `\"4\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length \"4\" does not match the body length 3");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"content-length\": `\"1\"}}}",
		   "scenarios[0].steps[0].http.headers.content-length",
		   "Content-Length \"1\" does not match the body length 0");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"Content-Length\": `\"-1\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length \"-1\" is not a decimal number");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"Content-Length\": `\"0, 0\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length \"0, 0\" is not a decimal number");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"Content-Length\": `\"99999999999999999999999\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length \"99999999999999999999999\" is too large");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"0\\r\\n\\r\\n\", \"headers\":"
		   " {\"Content-Length\": \"5\", \"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding and Content-Length cannot both be given (RFC 9112 section 6.2)");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"x\", \"headers\": {\"Transfer-Encoding\": `\"gzip\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding \"gzip\" does not end with chunked, so the body would have no framing (RFC 9112 section 6.1)");
	check_step("{\"http\": {\"path\": \"/\", \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: expected a chunk size at byte 0");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"abc\", \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: expected CRLF after the chunk size at byte 0");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"5\\r\\nabc\\r\\n0\\r\\n\\r\\n\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: expected CRLF after the chunk data at byte 8");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"9\\r\\nabc\\r\\n\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: the chunk at byte 0 runs past the end of the body");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"0\\r\\n\\r\\nxx\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: 2 bytes follow the end of the chunked body");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"0\\r\\nbad\\r\\n\\r\\n\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: expected a trailer field or CRLF at byte 3");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"0\\r\\n\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: expected a trailer field or CRLF at byte 3");
	check_step("{\"http\": {\"path\": \"/\", \"body\": \"fffffffffffffffff\\r\\n\","
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding is chunked but the body is not a complete chunked body: chunk size at byte 0 is too large");
}

/* lm_http_request_compile() on its own, as other callers use it */
static void
test_request_compile_direct(void **state)
{
	struct lm_http_header hdr[2] = {
		{ .name = (char *)"X-Fine", .value = (char *)"ok" },
		{ .name = (char *)"Bad\x01", .value = (char *)"v" },
	};
	struct lm_http_step s;
	struct lm_plan_target t = { .ip = 0x7f000001, .port = 81 };
	struct lm_http_req_loc loc;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.method = LM_HTTP_HEAD;
	s.path = (char *)"/h";
	s.headers = hdr;
	s.n_headers = 1;
	assert_int_equal(lm_http_request_compile(&s, &t, err, sizeof(err)), 0);
	assert_request(&s, "HEAD /h HTTP/1.1\r\nHost: 127.0.0.1:81\r\nX-Fine: ok\r\n"
			   "User-Agent: lemmings-dp/0.1\r\n\r\n");
	/* compiling again replaces the request (no leak) */
	s.method = LM_HTTP_PATCH;
	assert_int_equal(lm_http_request_compile(&s, &t, err, sizeof(err)), 0);
	assert_request(&s, "PATCH /h HTTP/1.1\r\nHost: 127.0.0.1:81\r\nX-Fine: ok\r\n"
			   "User-Agent: lemmings-dp/0.1\r\nContent-Length: 0\r\n\r\n");

	s.n_headers = 2;
	assert_int_equal(lm_http_request_compile_loc(&s, &t, &loc, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(loc.part, LM_HTTP_REQ_HEADER_NAME);
	assert_int_equal(loc.header, 1);
	assert_string_equal(err, "header name \"Bad\x01\" is not a token: byte 0x01 at offset 3 (RFC 9110 section 5.6.2)");
	/* a failed compile keeps the earlier request */
	assert_non_null(s.request);

	s.n_headers = 1;
	s.method = (enum lm_http_method)42;
	assert_int_equal(lm_http_request_compile(&s, &t, NULL, 0), -EINVAL);
	s.method = LM_HTTP_GET;
	s.path = NULL;
	assert_int_equal(lm_http_request_compile_loc(&s, &t, &loc, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(loc.part, LM_HTTP_REQ_PATH);
	free(s.request);
}

/* ---- tcp, impair, close, generated bodies, body checks ---- */

/* MINI_HEAD's plan with top-level members added; must load */
static struct lm_plan *
load_top(const char *extra)
{
	char text[4096], err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	snprintf(text, sizeof(text), "{%s,\n%s{\"http\": {\"path\": \"/\"}}%s",
		 extra, MINI_HEAD + 1, MINI_TAIL);
	p = load(text, err);
	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

static void
check_top(const char *extra, const char *path, const char *msg)
{
	char text[4096];

	snprintf(text, sizeof(text), "{%s,\n%s{\"http\": {\"path\": \"/\"}}%s",
		 extra, MINI_HEAD + 1, MINI_TAIL);
	check_error_at(text, path, msg);
}

/* A one-step plan that must load; the step is returned through the plan. */
static struct lm_plan *
load_step(const char *step)
{
	char text[4096], err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	snprintf(text, sizeof(text), "%s%s%s", MINI_HEAD, step, MINI_TAIL);
	p = load(text, err);
	if (p == NULL)
		fail_msg("%s", err);
	return p;
}

static void
assert_tcp_defaults(const struct lm_plan_tcp *t)
{
	assert_int_equal(t->time_wait_ms, 1000);
	assert_int_equal(t->delayed_ack_ms, 0);
	assert_int_equal(t->syn_retries, 3);
	assert_int_equal(t->data_retries, 8);
	assert_int_equal(t->window_bytes, 262144);
	assert_int_equal(t->init_cwnd, 10);
	assert_int_equal(t->max_connections, 0);
	assert_true(t->sack);
	assert_true(t->timestamps);
	assert_true(t->window_scaling);
	assert_true(t->sack_compress);
}

static void
assert_dir_defaults(const struct lm_impair_dir *d)
{
	assert_true(d->drop == 0 && d->dup == 0 && d->reorder == 0 &&
		    d->corrupt == 0);
	assert_int_equal(d->reorder_depth, 3);
}

static void
test_tcp_valid(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	(void)state;
	/* absent: every field has its default */
	p = load(base_plan, err);
	assert_non_null(p);
	assert_tcp_defaults(&p->tcp);
	lm_plan_free(p);
	p = load_top("\"tcp\": {}");
	assert_tcp_defaults(&p->tcp);
	lm_plan_free(p);

	/* one key given: the others keep their defaults */
	p = load_top("\"tcp\": {\"sack\": false}");
	assert_false(p->tcp.sack);
	p->tcp.sack = true;
	assert_tcp_defaults(&p->tcp);
	lm_plan_free(p);

	/* lower bounds */
	p = load_top("\"tcp\": {\"time_wait_ms\": 0, \"delayed_ack_ms\": 0, \"syn_retries\": 0,"
		     " \"data_retries\": 1, \"window_bytes\": 1024, \"init_cwnd\": 1,"
		     " \"max_connections\": 0, \"sack\": false, \"timestamps\": false, \"window_scaling\": false,"
		     " \"sack_compress\": false}");
	assert_int_equal(p->tcp.time_wait_ms, 0);
	assert_int_equal(p->tcp.delayed_ack_ms, 0);
	assert_int_equal(p->tcp.syn_retries, 0);
	assert_int_equal(p->tcp.data_retries, 1);
	assert_int_equal(p->tcp.window_bytes, 1024);
	assert_int_equal(p->tcp.init_cwnd, 1);
	assert_false(p->tcp.sack);
	assert_false(p->tcp.timestamps);
	assert_false(p->tcp.window_scaling);
	assert_false(p->tcp.sack_compress);
	lm_plan_free(p);

	/* upper bounds */
	p = load_top("\"tcp\": {\"time_wait_ms\": 600000, \"delayed_ack_ms\": 500, \"syn_retries\": 10,"
		     " \"data_retries\": 20, \"window_bytes\": 16777216, \"init_cwnd\": 100,"
		     " \"max_connections\": 64000000, \"sack\": true, \"timestamps\": true, \"window_scaling\": true,"
		     " \"sack_compress\": true}");
	assert_int_equal(p->tcp.time_wait_ms, 600000);
	assert_int_equal(p->tcp.delayed_ack_ms, 500);
	assert_int_equal(p->tcp.syn_retries, 10);
	assert_int_equal(p->tcp.data_retries, 20);
	assert_int_equal(p->tcp.window_bytes, 16777216);
	assert_int_equal(p->tcp.init_cwnd, 100);
	assert_int_equal(p->tcp.max_connections, 64000000);
	assert_true(p->tcp.sack);
	assert_true(p->tcp.timestamps);
	assert_true(p->tcp.window_scaling);
	assert_true(p->tcp.sack_compress);
	lm_plan_free(p);
}

static void
test_tcp_errors(void **state)
{
	static const struct {
		const char *key;
		long long min, max;
	} ints[] = {
		{ "time_wait_ms", 0, 600000 },
		{ "delayed_ack_ms", 0, 500 },
		{ "syn_retries", 0, 10 },
		{ "data_retries", 1, 20 },
		{ "window_bytes", 1024, 16777216 },
		{ "init_cwnd", 1, 100 },
		{ "max_connections", 0, 64000000 },
	};
	static const char *const bools[] = {
		"sack", "timestamps", "window_scaling", "sack_compress"
	};
	char extra[256], path[64], msg[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		snprintf(path, sizeof(path), "tcp.%s", ints[i].key);
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `%lld}",
			 ints[i].key, ints[i].min - 1);
		snprintf(msg, sizeof(msg), "%lld is out of range (expected %lld to %lld)",
			 ints[i].min - 1, ints[i].min, ints[i].max);
		check_top(extra, path, msg);
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `%lld}",
			 ints[i].key, ints[i].max + 1);
		snprintf(msg, sizeof(msg), "%lld is out of range (expected %lld to %lld)",
			 ints[i].max + 1, ints[i].min, ints[i].max);
		check_top(extra, path, msg);
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `true}", ints[i].key);
		check_top(extra, path, "expected an integer, got true");
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `1.0}", ints[i].key);
		check_top(extra, path, "expected an integer, got a real number");
	}
	for (i = 0; i < sizeof(bools) / sizeof(bools[0]); i++) {
		snprintf(path, sizeof(path), "tcp.%s", bools[i]);
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `1}", bools[i]);
		check_top(extra, path, "expected true or false, got an integer");
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `\"true\"}", bools[i]);
		check_top(extra, path, "expected true or false, got a string");
		snprintf(extra, sizeof(extra), "\"tcp\": {\"%s\": `null}", bools[i]);
		check_top(extra, path, "expected true or false, got null");
	}
	check_top("\"tcp\": {`\"mss\": 1460}", "tcp.mss",
		  "unknown key \"mss\" (expected time_wait_ms, delayed_ack_ms, syn_retries,"
		  " data_retries, window_bytes, init_cwnd, max_connections, sack, timestamps,"
		  " window_scaling or sack_compress)");
	check_top("\"tcp\": `[]", "tcp", "expected an object, got an array");
	check_top("\"tcp\": {}, `\"tcp\": {}", "tcp", "duplicate key \"tcp\"");
}

static void
test_impair_valid(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	(void)state;
	p = load(base_plan, err);
	assert_non_null(p);
	assert_false(p->impair.enabled);
	assert_int_equal(p->impair.seed, 1);
	assert_dir_defaults(&p->impair.rx);
	assert_dir_defaults(&p->impair.tx);
	lm_plan_free(p);

	/* all zero, or only a depth: nothing to do */
	p = load_top("\"impair\": {\"seed\": 0, \"rx\": {\"drop\": 0, \"dup\": 0.0,"
		     " \"reorder\": 0, \"corrupt\": 0, \"reorder_depth\": 9}, \"tx\": {}}");
	assert_false(p->impair.enabled);
	assert_int_equal(p->impair.seed, 0);
	assert_int_equal(p->impair.rx.reorder_depth, 9);
	assert_dir_defaults(&p->impair.tx);
	lm_plan_free(p);

	p = load_top("\"impair\": {\"seed\": 9223372036854775807,"
		     " \"rx\": {\"drop\": 0.01, \"dup\": 1, \"reorder\": 0.5, \"corrupt\": 1.0,"
		     " \"reorder_depth\": 64},"
		     " \"tx\": {\"reorder_depth\": 1}}");
	assert_true(p->impair.enabled);
	assert_int_equal(p->impair.seed, 9223372036854775807ULL);
	assert_true(p->impair.rx.drop == 0.01);
	assert_true(p->impair.rx.dup == 1.0);
	assert_true(p->impair.rx.reorder == 0.5);
	assert_true(p->impair.rx.corrupt == 1.0);
	assert_int_equal(p->impair.rx.reorder_depth, 64);
	assert_true(p->impair.tx.drop == 0 && p->impair.tx.corrupt == 0);
	assert_int_equal(p->impair.tx.reorder_depth, 1);
	lm_plan_free(p);

	/* any one probability above 0, in either direction, enables it */
	p = load_top("\"impair\": {\"tx\": {\"corrupt\": 1e-9}}");
	assert_true(p->impair.enabled);
	assert_int_equal(p->impair.seed, 1);
	assert_true(p->impair.tx.corrupt == 1e-9);
	assert_dir_defaults(&p->impair.rx);
	lm_plan_free(p);
	p = load_top("\"impair\": {\"rx\": {\"dup\": 0.2}}");
	assert_true(p->impair.enabled);
	lm_plan_free(p);
}

static void
test_impair_errors(void **state)
{
	static const char *const probs[] = { "drop", "dup", "reorder", "corrupt" };
	static const char *const dirs[] = { "rx", "tx" };
	char extra[256], path[64];
	size_t i, d;

	(void)state;
	for (d = 0; d < 2; d++) {
		for (i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "impair.%s.%s", dirs[d], probs[i]);
			snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"%s\": `-0.1}}",
				 dirs[d], probs[i]);
			check_top(extra, path, "-0.1 is out of range (expected 0 to 1)");
			snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"%s\": `1.5}}",
				 dirs[d], probs[i]);
			check_top(extra, path, "1.5 is out of range (expected 0 to 1)");
			snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"%s\": `2}}",
				 dirs[d], probs[i]);
			check_top(extra, path, "2 is out of range (expected 0 to 1)");
			snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"%s\": `\"1%%\"}}",
				 dirs[d], probs[i]);
			check_top(extra, path, "expected a number, got a string");
		}
		snprintf(path, sizeof(path), "impair.%s.reorder_depth", dirs[d]);
		snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"reorder_depth\": `0}}",
			 dirs[d]);
		check_top(extra, path, "0 is out of range (expected 1 to 64)");
		snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"reorder_depth\": `65}}",
			 dirs[d]);
		check_top(extra, path, "65 is out of range (expected 1 to 64)");
		snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"reorder_depth\": `3.5}}",
			 dirs[d]);
		check_top(extra, path, "expected an integer, got a real number");
		snprintf(path, sizeof(path), "impair.%s.loss", dirs[d]);
		snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": {\"drop\": 0.1, `\"loss\": 0.1}}",
			 dirs[d]);
		check_top(extra, path,
			  "unknown key \"loss\" (expected drop, dup, reorder, corrupt or reorder_depth)");
		snprintf(path, sizeof(path), "impair.%s", dirs[d]);
		snprintf(extra, sizeof(extra), "\"impair\": {\"%s\": `0.1}", dirs[d]);
		check_top(extra, path, "expected an object, got a real number");
	}
	check_top("\"impair\": {\"seed\": `-1}", "impair.seed",
		  "-1 is out of range (expected 0 or more)");
	check_top("\"impair\": {\"seed\": `\"7\"}", "impair.seed",
		  "expected an integer, got a string");
	check_top("\"impair\": {`\"both\": {}}", "impair.both",
		  "unknown key \"both\" (expected seed, rx or tx)");
	check_top("\"impair\": `true", "impair", "expected an object, got true");
}

static void
test_close_mode(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	(void)state;
	p = load(base_plan, err);
	assert_non_null(p);
	assert_int_equal(p->scenarios[0].close, LM_CLOSE_FIN);
	assert_int_equal(p->scenarios[1].close, LM_CLOSE_FIN);
	lm_plan_free(p);
	{
		char *t = subst(base_plan, "\"weight\": 3,", "\"weight\": 3, \"close\": \"rst\",");
		char *t2 = subst(t, "{\"name\": \"api\",", "{\"name\": \"api\", \"close\": \"fin\",");

		p = load(t2, err);
		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->scenarios[0].close, LM_CLOSE_RST);
		assert_int_equal(p->scenarios[1].close, LM_CLOSE_FIN);
		lm_plan_free(p);
		free(t2);
		free(t);
	}
	check_subst("\"weight\": 3,", "\"weight\": 3, \"close\": `\"RST\",", "scenarios[0].close",
		    "unknown close mode \"RST\" (expected \"fin\" or \"rst\")");
	check_subst("\"weight\": 3,", "\"weight\": 3, \"close\": `\"\",", "scenarios[0].close",
		    "unknown close mode \"\" (expected \"fin\" or \"rst\")");
	check_subst("\"weight\": 3,", "\"weight\": 3, \"close\": `\"rst\\u0000\",",
		    "scenarios[0].close",
		    "unknown close mode \"rst\\u0000\" (expected \"fin\" or \"rst\")");
	check_subst("\"weight\": 3,", "\"weight\": 3, \"close\": `1,", "scenarios[0].close",
		    "expected a string, got an integer");
}

static void
test_body_generated(void **state)
{
	struct lm_plan *p;
	const struct lm_http_step *h;

	(void)state;
	p = load_step("{\"http\": {\"method\": \"POST\", \"path\": \"/upload\","
		      " \"body\": {\"size\": 10485760, \"seed\": 42}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_true(h->body_generated);
	assert_int_equal(h->body_gen_size, 10485760);
	assert_int_equal(h->body_gen_seed, 42);
	assert_null(h->body);
	assert_int_equal(h->body_len, 0);
	/* the head only: the sender appends the generated bytes */
	assert_request(h, "POST /upload HTTP/1.1\r\n"
			  "Host: 198.18.0.2\r\n"
			  "User-Agent: lemmings-dp/0.1\r\n"
			  "Content-Length: 10485760\r\n\r\n");
	lm_plan_free(p);

	/* seed defaults to 0; size 0 still says Content-Length: 0; any method */
	p = load_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": 0}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_true(h->body_generated);
	assert_int_equal(h->body_gen_size, 0);
	assert_int_equal(h->body_gen_seed, 0);
	assert_request(h, "GET / HTTP/1.1\r\nHost: 198.18.0.2\r\n"
			  "User-Agent: lemmings-dp/0.1\r\nContent-Length: 0\r\n\r\n");
	lm_plan_free(p);

	/* the largest; a Content-Length that agrees is kept as written */
	p = load_step("{\"http\": {\"method\": \"PUT\", \"path\": \"/u\","
		      " \"headers\": {\"content-length\": \"1073741824\"},"
		      " \"body\": {\"size\": 1073741824, \"seed\": 9223372036854775807}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->body_gen_size, 1073741824);
	assert_int_equal(h->body_gen_seed, 9223372036854775807ULL);
	assert_request(h, "PUT /u HTTP/1.1\r\nHost: 198.18.0.2\r\n"
			  "content-length: 1073741824\r\n"
			  "User-Agent: lemmings-dp/0.1\r\n\r\n");
	lm_plan_free(p);

	/* a string body is not generated */
	p = load_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": \"ab\"}}");
	h = &p->scenarios[0].steps[0].http;
	assert_false(h->body_generated);
	assert_int_equal(h->body_gen_size, 0);
	assert_request(h, "POST / HTTP/1.1\r\nHost: 198.18.0.2\r\n"
			  "User-Agent: lemmings-dp/0.1\r\nContent-Length: 2\r\n\r\nab");
	lm_plan_free(p);
}

static void
test_body_generated_errors(void **state)
{
	(void)state;
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": `-1}}}",
		   "scenarios[0].steps[0].http.body.size",
		   "-1 is out of range (expected 0 to 1073741824)");
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": `1073741825}}}",
		   "scenarios[0].steps[0].http.body.size",
		   "1073741825 is out of range (expected 0 to 1073741824)");
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": `1e6}}}",
		   "scenarios[0].steps[0].http.body.size",
		   "expected an integer, got a real number");
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": 1, \"seed\": `-5}}}",
		   "scenarios[0].steps[0].http.body.seed",
		   "-5 is out of range (expected 0 or more)");
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": 1, \"seed\": `\"x\"}}}",
		   "scenarios[0].steps[0].http.body.seed",
		   "expected an integer, got a string");
	check_step("{\"http\": {\"path\": \"/\", \"body\": `{\"seed\": 1}}}",
		   "scenarios[0].steps[0].http.body", "missing required key \"size\"");
	check_step("{\"http\": {\"path\": \"/\", \"body\": {\"size\": 1, `\"bytes\": 1}}}",
		   "scenarios[0].steps[0].http.body.bytes",
		   "unknown key \"bytes\" (expected size or seed)");
	check_step("{\"http\": {\"path\": \"/\", \"body\": `[1]}}",
		   "scenarios[0].steps[0].http.body",
		   "expected a string or an object, got an array");
	/* the head must agree with the generated size */
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": {\"size\": 10},"
		   " \"headers\": {\"Content-Length\": `\"9\"}}}",
		   "scenarios[0].steps[0].http.headers.Content-Length",
		   "Content-Length \"9\" does not match the generated body's size 10");
	check_step("{\"http\": {\"method\": \"POST\", \"path\": \"/\", \"body\": {\"size\": 10},"
		   " \"headers\": {\"Transfer-Encoding\": `\"chunked\"}}}",
		   "scenarios[0].steps[0].http.headers.Transfer-Encoding",
		   "Transfer-Encoding cannot be used with a generated body (it is sent with Content-Length)");
}

static void
test_expect_body(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;
	const struct lm_http_step *h;
	uint32_t i, j;

	(void)state;
	/* not checked unless asked, on every step */
	p = load(base_plan, err);
	assert_non_null(p);
	for (i = 0; i < p->n_scenarios; i++) {
		for (j = 0; j < p->scenarios[i].n_steps; j++) {
			h = &p->scenarios[i].steps[j].http;
			assert_int_equal(h->expect_body_bytes, -1);
			assert_false(h->expect_body_crc);
		}
	}
	lm_plan_free(p);

	p = load_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_bytes\": 0}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->expect_body_bytes, 0);
	assert_false(h->expect_body_crc);
	assert_int_equal(h->n_expect_status, 0);
	lm_plan_free(p);

	p = load_step("{\"http\": {\"path\": \"/\", \"expect\": {\"status\": 200,"
		      " \"body_bytes\": 1048576, \"body_crc32c\": \"E3069283\"}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->expect_body_bytes, 1048576);
	assert_true(h->expect_body_crc);
	assert_int_equal(h->expect_body_crc32c, 0xe3069283);
	assert_int_equal(h->n_expect_status, 1);
	lm_plan_free(p);

	p = load_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": \"00aBcDeF\"}}}");
	h = &p->scenarios[0].steps[0].http;
	assert_int_equal(h->expect_body_bytes, -1);
	assert_true(h->expect_body_crc);
	assert_int_equal(h->expect_body_crc32c, 0x00abcdef);
	lm_plan_free(p);

	p = load_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_bytes\": 9223372036854775807}}}");
	assert_int_equal(p->scenarios[0].steps[0].http.expect_body_bytes, INT64_MAX);
	lm_plan_free(p);

	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_bytes\": `-1}}}",
		   "scenarios[0].steps[0].http.expect.body_bytes",
		   "-1 is out of range (expected 0 or more)");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_bytes\": `\"1\"}}}",
		   "scenarios[0].steps[0].http.expect.body_bytes",
		   "expected an integer, got a string");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `3842409091}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "expected a string, got an integer");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"e306928\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"e306928\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"e30692830\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"e30692830\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"0xe30692\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"0xe30692\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"e306928g\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"e306928g\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\" e306928\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \" e306928\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"e30\\u00009283\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"e30\\u00009283\" (expected 8 hex digits, like \"e3069283\")");
	check_step("{\"http\": {\"path\": \"/\", \"expect\": {\"body_crc32c\": `\"\"}}}",
		   "scenarios[0].steps[0].http.expect.body_crc32c",
		   "invalid CRC-32C \"\" (expected 8 hex digits, like \"e3069283\")");
}

/* lm_http_request_compile() with a generated body, as other callers use it */
static void
test_request_compile_generated(void **state)
{
	struct lm_http_step s;
	struct lm_plan_target t = { .ip = 0xc6120002, .port = 80 };
	struct lm_http_req_loc loc;
	char err[256];

	(void)state;
	memset(&s, 0, sizeof(s));
	s.method = LM_HTTP_POST;
	s.path = (char *)"/upload";
	s.body_generated = true;
	s.body_gen_size = 5000000000ULL;
	/* the compiler itself takes any 64-bit size; the plan bounds it */
	assert_int_equal(lm_http_request_compile(&s, &t, err, sizeof(err)), 0);
	assert_request(&s, "POST /upload HTTP/1.1\r\nHost: 198.18.0.2\r\n"
			   "User-Agent: lemmings-dp/0.1\r\n"
			   "Content-Length: 5000000000\r\n\r\n");
	s.body = (char *)"x";
	s.body_len = 1;
	assert_int_equal(lm_http_request_compile_loc(&s, &t, &loc, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(loc.part, LM_HTTP_REQ_STEP);
	assert_string_equal(err, "a step cannot have both a body and a generated body");
	free(s.request);
}

/* ---- json_pos ---- */

struct collected {
	char paths[64][96];
	struct lm_json_pos pos[64];
	size_t n;
};

static int
collect_cb(void *arg, const struct lm_json_pos *pos)
{
	struct collected *c = arg;

	assert_true(c->n < 64);
	assert_int_equal(strlen(pos->path), pos->path_len);
	snprintf(c->paths[c->n], sizeof(c->paths[0]), "%s", pos->path);
	c->pos[c->n] = *pos;
	c->n++;
	return 0;
}

static void
test_json_pos_walk(void **state)
{
	static const char text[] =
		"{\"a\": [1, {\"b\": true}],\n"
		"\t\"x y\" :\n"
		"  \"s\\\"]\", \"\\u00e9\\ud83d\\ude00\": null, \"e\": {}, \"f\": [],\n"
		" \"g\": [[-1.5e3]]}";
	static const struct {
		const char *path;
		uint32_t line, col, key_line, key_col;
	} want[] = {
		{ "", 1, 1, 0, 0 },
		{ "a", 1, 7, 1, 2 },
		{ "a[0]", 1, 8, 0, 0 },
		{ "a[1]", 1, 11, 0, 0 },
		{ "a[1].b", 1, 17, 1, 12 },
		{ "[\"x y\"]", 3, 3, 2, 2 },
		{ "[\"\xc3\xa9\xf0\x9f\x98\x80\"]", 3, 33, 3, 11 },
		{ "e", 3, 44, 3, 39 },
		{ "f", 3, 53, 3, 48 },
		{ "g", 4, 7, 4, 2 },
		{ "g[0]", 4, 8, 0, 0 },
		{ "g[0][0]", 4, 9, 0, 0 },
	};
	struct collected c;
	struct lm_json_pos pos;
	size_t i;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(lm_json_pos_walk(text, strlen(text), collect_cb, &c), 0);
	assert_int_equal(c.n, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < c.n; i++) {
		assert_string_equal(c.paths[i], want[i].path);
		assert_int_equal(c.pos[i].line, want[i].line);
		assert_int_equal(c.pos[i].col, want[i].col);
		assert_int_equal(c.pos[i].member, want[i].key_line != 0);
		if (want[i].key_line != 0) {
			assert_int_equal(c.pos[i].key_line, want[i].key_line);
			assert_int_equal(c.pos[i].key_col, want[i].key_col);
		}
	}

	assert_int_equal(lm_json_pos_find(text, strlen(text), "a[1].b", &pos), 0);
	assert_null(pos.path);
	assert_int_equal(pos.offset, 16);
	assert_int_equal(pos.key_offset, 11);
	assert_int_equal(pos.key_end, 14);
	assert_int_equal(lm_json_pos_find(text, strlen(text), "a[2]", &pos), -ENOENT);
	assert_int_equal(lm_json_pos_find(text, strlen(text), "x y", &pos), -ENOENT);
	/* found before the fault: found; not found before it: -EINVAL */
	assert_int_equal(lm_json_pos_find("{\"a\": 1, ]", 10, "a", &pos), 0);
	assert_int_equal(lm_json_pos_find("{\"a\": 1, ]", 10, "b", &pos), -EINVAL);
	assert_int_equal(lm_json_pos_find(NULL, 0, "", &pos), -EINVAL);
	/* no NUL terminator needed: len is the end */
	assert_int_equal(lm_json_pos_find("[1, 2]xxx", 6, "[1]", &pos), 0);
	assert_int_equal(pos.col, 5);
}

static void
test_json_pos_path(void **state)
{
	struct lm_json_pos_path p = { 0 };

	(void)state;
	assert_string_equal(lm_json_pos_path_str(&p), "");
	assert_int_equal(lm_json_pos_path_key(&p, "scenarios", 9), 0);
	assert_int_equal(lm_json_pos_path_index(&p, 12), 0);
	assert_int_equal(lm_json_pos_path_key(&p, "Content-Type_2", 14), 0);
	assert_string_equal(lm_json_pos_path_str(&p), "scenarios[12].Content-Type_2");
	lm_json_pos_path_truncate(&p, 13);
	assert_string_equal(lm_json_pos_path_str(&p), "scenarios[12]");
	assert_int_equal(lm_json_pos_path_key(&p, "a.b\"\\\t\x7f\0z", 9), 0);
	assert_string_equal(lm_json_pos_path_str(&p),
			    "scenarios[12][\"a.b\\\"\\\\\\t\\u007f\\u0000z\"]");
	lm_json_pos_path_truncate(&p, 0);
	assert_int_equal(lm_json_pos_path_key(&p, "", 0), 0);
	assert_string_equal(lm_json_pos_path_str(&p), "[\"\"]");
	lm_json_pos_path_truncate(&p, 999);
	assert_string_equal(lm_json_pos_path_str(&p), "[\"\"]");
	lm_json_pos_path_free(&p);
	assert_string_equal(lm_json_pos_path_str(&p), "");
}

static int
sanity_cb(void *arg, const struct lm_json_pos *pos)
{
	size_t len = *(const size_t *)arg;

	assert_true(pos->offset < len);
	assert_true(pos->line >= 1 && pos->col >= 1);
	assert_int_equal(strlen(pos->path), pos->path_len);
	if (pos->member)
		assert_true(pos->key_offset < pos->key_end && pos->key_end <= pos->offset);
	return 0;
}

/* The scanner on arbitrary bytes: never a crash, never a read past len. */
static void
test_json_pos_garbage(void **state)
{
	static const char alphabet[] = "{}[]\",:\\u0aZ \n\t-1.e";
	uint64_t seed = 42;
	char *buf;
	size_t i, j, len;
	int rc;

	(void)state;
	for (i = 0; i < 20000; i++) {
		len = rng_next(&seed) % 48;
		/* exactly len bytes on the heap, so ASan sees any overread */
		buf = malloc(len != 0 ? len : 1);
		assert_non_null(buf);
		for (j = 0; j < len; j++)
			buf[j] = (i & 1) != 0 ?
				 alphabet[rng_next(&seed) % (sizeof(alphabet) - 1)] :
				 (char)rng_next(&seed);
		rc = lm_json_pos_walk(buf, len, sanity_cb, &len);
		assert_true(rc == 0 || rc == -EINVAL);
		free(buf);
	}
	/* nesting deeper than the limit is refused, not followed */
	len = LM_JSON_POS_MAX_DEPTH + 10;
	buf = malloc(len);
	assert_non_null(buf);
	memset(buf, '[', len);
	assert_int_equal(lm_json_pos_walk(buf, len, sanity_cb, &len), -EINVAL);
	free(buf);
}

/* ---- robustness ---- */

static void
check_loads_or_names_file(const char *text, size_t len)
{
	char err[LM_PLAN_ERR_MAX];
	struct lm_plan *p;

	err[0] = '\0';
	p = lm_plan_load_text(text, len, FILE_NAME, err, sizeof(err));
	if (p != NULL) {
		assert_true(p->n_scenarios >= 1 || p->n_servers >= 1);
		lm_plan_free(p);
		return;
	}
	if (strncmp(err, FILE_NAME ":", strlen(FILE_NAME ":")) != 0)
		fail_msg("bad message: \"%s\"", err);
}

static void
test_fuzz_truncate(void **state)
{
	size_t n = strlen(base_plan), i;
	char *buf;

	(void)state;
	for (i = 0; i <= n; i++) {
		/* exactly i bytes on the heap, so ASan sees any overread */
		buf = malloc(i != 0 ? i : 1);
		assert_non_null(buf);
		memcpy(buf, base_plan, i);
		check_loads_or_names_file(buf, i);
		free(buf);
	}
}

static void
test_fuzz_flip(void **state)
{
	static const char interesting[] = "{}[]\",:\\0 1-.eE\n\x00\x80\xff";
	size_t n = strlen(base_plan), i, k, flips, at;
	uint64_t seed = 2024;
	char *buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	for (i = 0; i < 30000; i++) {
		memcpy(buf, base_plan, n);
		flips = 1 + rng_next(&seed) % 3;
		for (k = 0; k < flips; k++) {
			at = rng_next(&seed) % n;
			if (rng_next(&seed) % 2 == 0)
				buf[at] = interesting[rng_next(&seed) % (sizeof(interesting) - 1)];
			else
				buf[at] = (char)rng_next(&seed);
		}
		check_loads_or_names_file(buf, n);
	}
	free(buf);
	/* NULL text and zero lengths */
	check_loads_or_names_file(NULL, 0);
	check_loads_or_names_file(NULL, 10);
	assert_null(lm_plan_load_text("{", 1, NULL, NULL, 0));
}

/* A plan of servers of every kind, cut and damaged as the one above. */
static const char server_plan[] =
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}, {\"ip\": \"198.19.0.2\"}],\n"
	" \"load\": {\"duration_s\": 5},\n"
	" \"servers\": [\n"
	"  {\"port\": 1, \"ip\": \"198.19.0.2\", \"listen\": 80, \"name\": \"web\",\n"
	"   \"http\": {\"routes\": [{\"path\": \"/a\", \"status\": 200, \"body\": {\"size\": 100, \"seed\": 1}},\n"
	"     {\"path\": \"/b\", \"body\": \"hi\", \"headers\": {\"X-A\": \"1\", \"X-B\": \"2\"}, \"delay_ms\": 5}],\n"
	"    \"default\": {\"status\": 404, \"headers\": {\"Server\": \"x\"}}}},\n"
	"  {\"port\": 0, \"listen\": 7, \"echo\": {}},\n"
	"  {\"port\": 0, \"listen\": 9000, \"reply\": {\"after\": \"\\r\\n\", \"text\": \"PONG\\r\\n\"}},\n"
	"  {\"port\": 0, \"listen\": 9001, \"reply\": {\"after_bytes\": 64, \"bytes\": 1024, \"seed\": 3}}]}\n";

static void
test_fuzz_servers(void **state)
{
	size_t n = strlen(server_plan), i, k, at;
	uint64_t seed = 77;
	char *buf;

	(void)state;
	buf = malloc(n);
	assert_non_null(buf);
	{
		char err[LM_PLAN_ERR_MAX];
		struct lm_plan *p = load(server_plan, err);

		if (p == NULL)
			fail_msg("%s", err);
		assert_int_equal(p->n_servers, 4);
		lm_plan_free(p);
	}
	for (i = 0; i <= n; i++) {
		char *cut = malloc(i != 0 ? i : 1);

		assert_non_null(cut);
		memcpy(cut, server_plan, i);
		check_loads_or_names_file(cut, i);
		free(cut);
	}
	for (i = 0; i < 20000; i++) {
		memcpy(buf, server_plan, n);
		for (k = 0; k < 1 + rng_next(&seed) % 3; k++) {
			at = rng_next(&seed) % n;
			buf[at] = (char)rng_next(&seed);
		}
		check_loads_or_names_file(buf, n);
	}
	free(buf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_values),
		cmocka_unit_test(test_valid_defaults),
		cmocka_unit_test(test_valid_full),
		cmocka_unit_test(test_method_names),
		cmocka_unit_test_setup_teardown(test_file, setup_tmpdir, teardown_tmpdir),
		cmocka_unit_test(test_sample_quickstart),
		cmocka_unit_test(test_sample_impair_upload),
		cmocka_unit_test(test_err_syntax),
		cmocka_unit_test(test_err_root),
		cmocka_unit_test(test_err_unknown_key),
		cmocka_unit_test(test_err_type),
		cmocka_unit_test(test_err_missing),
		cmocka_unit_test(test_err_missing_root_marked),
		cmocka_unit_test(test_err_ipv4),
		cmocka_unit_test(test_err_addressing),
		cmocka_unit_test(test_err_load),
		cmocka_unit_test(test_err_scenarios),
		cmocka_unit_test(test_err_steps),
		cmocka_unit_test(test_err_method),
		cmocka_unit_test(test_err_status),
		cmocka_unit_test(test_err_duplicate_key),
		cmocka_unit_test(test_err_request),
		cmocka_unit_test(test_request_compile_direct),
		cmocka_unit_test(test_tcp_valid),
		cmocka_unit_test(test_tcp_errors),
		cmocka_unit_test(test_impair_valid),
		cmocka_unit_test(test_impair_errors),
		cmocka_unit_test(test_close_mode),
		cmocka_unit_test(test_body_generated),
		cmocka_unit_test(test_body_generated_errors),
		cmocka_unit_test(test_expect_body),
		cmocka_unit_test(test_request_compile_generated),
		cmocka_unit_test(test_json_pos_walk),
		cmocka_unit_test(test_json_pos_path),
		cmocka_unit_test(test_json_pos_garbage),
		cmocka_unit_test(test_fuzz_truncate),
		cmocka_unit_test(test_fuzz_flip),
		cmocka_unit_test(test_fuzz_servers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
