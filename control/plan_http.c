/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan's "http" steps: method, path, headers, body, expect and
 * captures, compiled into the request bytes at plan load, or into
 * templates of the head and the body when the path, a header value or the
 * body holds a {{...}} slot (see docs/plan.md and app/template.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <lm/plan.h>

#include "app/http_request.h"
#include "app/template.h"
#include "json_check.h"
#include "plan_parse.h"
#include "sbuf.h"

/* A generated body of at most 1 GiB keeps head + body inside 32 bits for
 * code that counts a request's bytes in uint32_t. */
#define PLAN_MAX_BODY_GEN ((long long)1 << 30)

static const char *const method_names[] = {
	[LM_HTTP_GET] = "GET",
	[LM_HTTP_HEAD] = "HEAD",
	[LM_HTTP_POST] = "POST",
	[LM_HTTP_PUT] = "PUT",
	[LM_HTTP_DELETE] = "DELETE",
	[LM_HTTP_PATCH] = "PATCH",
	[LM_HTTP_OPTIONS] = "OPTIONS",
};
#define N_METHODS (sizeof(method_names) / sizeof(method_names[0]))

const char *
lm_http_method_name(enum lm_http_method m)
{
	return (unsigned int)m < N_METHODS ? method_names[m] : "?";
}

static int
parse_method(struct lm_jc *c, const json_t *v, enum lm_http_method *m)
{
	unsigned int i = (unsigned int)*m;
	int rc;

	rc = lm_jc_get_enum(c, "method", v, method_names, N_METHODS, "method",
			    false, &i);
	*m = (enum lm_http_method)i;
	return rc;
}

static int
parse_headers(struct lm_jc *c, json_t *o, struct lm_http_step *h)
{
	const char *key;
	json_t *v;
	size_t n = json_object_size(o), i = 0, saved;
	int rc = 0;

	if (n == 0)
		return 0;
	h->headers = calloc(n, sizeof(*h->headers));
	if (h->headers == NULL)
		return lm_jc_oom(c);
	h->n_headers = (uint32_t)n;
	saved = lm_jc_push_key(c, "headers");
	json_object_foreach(o, key, v) {
		size_t s2 = lm_jc_push_key(c, key);

		rc = lm_jc_check_type(c, v, LM_JT_STRING);
		if (rc == 0)
			rc = lm_jc_get_string(c, NULL, v, false,
					      &h->headers[i].value);
		lm_jc_pop(c, s2);
		if (rc != 0)
			break;
		h->headers[i].name = strdup(key);
		if (h->headers[i].name == NULL) {
			rc = lm_jc_oom(c);
			break;
		}
		i++;
	}
	lm_jc_pop(c, saved);
	return rc;
}

enum { EXPECT_STATUS, EXPECT_BODY_BYTES, EXPECT_BODY_CRC, EXPECT_N };
static const struct lm_jc_key expect_keys[EXPECT_N] = {
	[EXPECT_STATUS] = { "status", LM_JT_INTEGER | LM_JT_ARRAY, false },
	[EXPECT_BODY_BYTES] = { "body_bytes", LM_JT_INTEGER, false },
	[EXPECT_BODY_CRC] = { "body_crc32c", LM_JT_STRING, false },
};

static int
parse_status(struct lm_jc *c, json_t *st, struct lm_http_step *h)
{
	long long code = 0;
	size_t i, n, saved;
	int rc;

	if (json_is_integer(st)) {
		rc = lm_jc_get_int(c, "status", st, 100, 599, &code);
		h->expect_status[0] = (uint16_t)code;
		h->n_expect_status = 1;
		return rc;
	}
	saved = lm_jc_push_key(c, "status");
	rc = lm_jc_check_count(c, st, LM_MAX_EXPECT_STATUS);
	n = json_array_size(st);
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *e = json_array_get(st, i);
		size_t s2 = lm_jc_push_index(c, i);

		rc = lm_jc_check_type(c, e, LM_JT_INTEGER);
		if (rc == 0 && (json_integer_value(e) < 100 ||
				json_integer_value(e) > 599))
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%lld is out of range (expected 100 to 599)",
					(long long)json_integer_value(e));
		lm_jc_pop(c, s2);
		h->expect_status[i] = (uint16_t)json_integer_value(e);
	}
	lm_jc_pop(c, saved);
	if (rc == 0)
		h->n_expect_status = (uint32_t)n;
	return rc;
}

/* Exactly 8 hex digits, either case: how CRC-32C values are usually printed. */
static int
parse_crc32c(struct lm_jc *c, const json_t *v, uint32_t *out)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v), i;
	char q[LM_JC_QUOTE_BUF];
	uint32_t x = 0;

	for (i = 0; len == 8 && i < len; i++) {
		char ch = s[i];
		uint32_t d;

		if (ch >= '0' && ch <= '9')
			d = (uint32_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			d = (uint32_t)(ch - 'a' + 10);
		else if (ch >= 'A' && ch <= 'F')
			d = (uint32_t)(ch - 'A' + 10);
		else
			break;
		x = x << 4 | d;
	}
	if (len == 8 && i == len) {
		*out = x;
		return 0;
	}
	return lm_jc_fail_key(c, "body_crc32c",
			      "invalid CRC-32C %s (expected 8 hex digits, like \"e3069283\")",
			      lm_jc_quote(q, sizeof(q), s, len));
}

static int
parse_expect(struct lm_jc *c, json_t *o, struct lm_http_step *h)
{
	json_t *v[EXPECT_N];
	long long bytes = -1;
	size_t saved;
	int rc;

	saved = lm_jc_push_key(c, "expect");
	rc = lm_jc_check_members(c, o, expect_keys, EXPECT_N, v);
	if (rc == 0 && v[EXPECT_STATUS] != NULL)
		rc = parse_status(c, v[EXPECT_STATUS], h);
	if (rc == 0)
		rc = lm_jc_get_int(c, "body_bytes", v[EXPECT_BODY_BYTES], 0,
				   LLONG_MAX, &bytes);
	if (rc == 0)
		h->expect_body_bytes = bytes;
	if (rc == 0 && v[EXPECT_BODY_CRC] != NULL) {
		rc = parse_crc32c(c, v[EXPECT_BODY_CRC], &h->expect_body_crc32c);
		h->expect_body_crc = rc == 0;
	}
	lm_jc_pop(c, saved);
	return rc;
}

enum {
	HTTP_METHOD, HTTP_PATH, HTTP_HEADERS, HTTP_BODY, HTTP_EXPECT,
	HTTP_CAPTURE, HTTP_N
};
static const struct lm_jc_key http_keys[HTTP_N] = {
	[HTTP_METHOD] = { "method", LM_JT_STRING, false },
	[HTTP_PATH] = { "path", LM_JT_STRING, true },
	[HTTP_HEADERS] = { "headers", LM_JT_OBJECT, false },
	[HTTP_BODY] = { "body", LM_JT_STRING | LM_JT_OBJECT, false },
	[HTTP_EXPECT] = { "expect", LM_JT_OBJECT, false },
	[HTTP_CAPTURE] = { "capture", LM_JT_OBJECT, false },
};

enum { BODY_SIZE, BODY_SEED, BODY_N };
static const struct lm_jc_key body_gen_keys[BODY_N] = {
	[BODY_SIZE] = { "size", LM_JT_INTEGER, true },
	[BODY_SEED] = { "seed", LM_JT_INTEGER, false },
};

/*
 * "body": {"size": N, "seed": S}: nothing is stored; the sender produces
 * the bytes from the seed at any offset (util/body_gen.h).
 */
static int
parse_body_gen(struct lm_jc *c, json_t *o, struct lm_http_step *h)
{
	json_t *v[BODY_N];
	long long size = 0, seed = 0;
	size_t saved;
	int rc;

	saved = lm_jc_push_key(c, "body");
	rc = lm_jc_check_members(c, o, body_gen_keys, BODY_N, v);
	if (rc == 0)
		rc = lm_jc_get_int(c, "size", v[BODY_SIZE], 0, PLAN_MAX_BODY_GEN,
				   &size);
	if (rc == 0)
		rc = lm_jc_get_int(c, "seed", v[BODY_SEED], 0, LLONG_MAX, &seed);
	lm_jc_pop(c, saved);
	if (rc != 0)
		return rc;
	h->body_generated = true;
	h->body_gen_size = (uint64_t)size;
	h->body_gen_seed = (uint64_t)seed;
	return 0;
}

/* "body": "text": bodies may hold any byte, NUL included: keep the length. */
static int
parse_body_text(struct lm_jc *c, const json_t *v, struct lm_http_step *h)
{
	size_t len = json_string_length(v);

	if (len > UINT32_MAX)
		return lm_jc_fail_key(c, "body", "body is larger than 4 GiB");
	h->body = malloc(len + 1);
	if (h->body == NULL)
		return lm_jc_oom(c);
	memcpy(h->body, json_string_value(v), len + 1);
	h->body_len = (uint32_t)len;
	return 0;
}

/* Point a request compile error at the part of the plan it is about. */
static int
compile_request(struct lm_jc *c, struct lm_http_step *h,
		const struct lm_plan_target *t)
{
	char msg[LM_PLAN_ERR_MAX];
	struct lm_http_req_loc loc;
	size_t saved = c->path.len;
	enum lm_jc_at at = LM_JC_AT_VALUE;
	int rc;

	rc = lm_http_request_compile_loc(h, t, &loc, msg, sizeof(msg));
	if (rc == -ENOMEM)
		return lm_jc_oom(c);
	if (rc == 0)
		return 0;
	switch (loc.part) {
	case LM_HTTP_REQ_PATH:
		lm_jc_push_key(c, "path");
		break;
	case LM_HTTP_REQ_HEADER_NAME:
	case LM_HTTP_REQ_HEADER_VALUE:
		if (loc.header >= h->n_headers)
			break;
		lm_jc_push_key(c, "headers");
		lm_jc_push_key(c, h->headers[loc.header].name);
		if (loc.part == LM_HTTP_REQ_HEADER_NAME)
			at = LM_JC_AT_KEY;
		break;
	case LM_HTTP_REQ_STEP:
	default:
		break;
	}
	rc = lm_jc_fail(c, at, "%s", msg);
	lm_jc_pop(c, saved);
	return rc;
}


/* ---- capture variables ---- */

/* Names a template resolves itself (app/template.h). */
static const char *const builtin_vars[] = {
	"user", "run", "worker", "seq", "time_ms", "rand",
};

/* A letter or '_', then letters, digits or '_'; "__" is the engine's. */
bool
lm_plan_name_ok(const char *s)
{
	size_t i;

	if (s[0] == '\0' || (s[0] >= '0' && s[0] <= '9') ||
	    strncmp(s, "__", 2) == 0 || strlen(s) > LM_TMPL_NAME_MAX)
		return false;
	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

int
lm_plan_capture_var(struct plan_ctx *x, const char *name)
{
	struct lm_tmpl_vars *vars;
	struct plan_var *nv;
	char q[LM_JC_QUOTE_BUF];
	size_t i;
	int idx;

	for (i = 0; i < x->n_vars; i++)
		if (strcmp(x->vars[i].name, name) == 0)
			return x->vars[i].index;
	lm_jc_quote(q, sizeof(q), name, strlen(name));
	if (!lm_plan_name_ok(name))
		return lm_jc_fail(x->c, LM_JC_AT_KEY,
				  "invalid capture name %s (expected a letter or '_', then letters, digits or '_', at most 63 in all, not starting with \"__\")",
				  q);
	for (i = 0; i < DIM(builtin_vars); i++)
		if (strcmp(name, builtin_vars[i]) == 0)
			return lm_jc_fail(x->c, LM_JC_AT_KEY,
					  "capture name %s is a built-in variable",
					  q);
	vars = lm_plan_vars(x);
	if (vars == NULL)
		return -ENOMEM;
	nv = realloc(x->vars, (x->n_vars + 1) * sizeof(*x->vars));
	if (nv == NULL)
		return lm_jc_oom(x->c);
	x->vars = nv;
	idx = lm_tmpl_var_declare(vars, name);
	if (idx == -ENOMEM)
		return lm_jc_oom(x->c);
	if (idx < 0)
		return lm_jc_fail(x->c, LM_JC_AT_KEY,
				  "cannot declare capture %s: %s", q,
				  strerror(-idx));
	nv[x->n_vars].name = strdup(name);
	if (nv[x->n_vars].name == NULL)
		return lm_jc_oom(x->c);
	nv[x->n_vars].index = idx;
	x->n_vars++;
	return idx;
}

/* tchar, RFC 9110 section 5.6.2 */
static bool
is_token(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') ||
		      strchr("!#$%&'*+-.^_`|~", ch) != NULL))
			return false;
	}
	return i > 0;
}

#define PLAN_MAX_CAPTURES LM_CAPTURE_STATE_MAX

enum { CAP_HEADER, CAP_BETWEEN, CAP_N };
static const struct lm_jc_key capture_keys[CAP_N] = {
	[CAP_HEADER] = { "header", LM_JT_STRING, false },
	[CAP_BETWEEN] = { "body_between", LM_JT_ARRAY, false },
};

/* "body_between": ["start", "end"], both non-empty */
static int
parse_between(struct lm_jc *c, json_t *a, char **bounds)
{
	size_t i, saved, s2;
	int rc = 0;

	saved = lm_jc_push_key(c, "body_between");
	if (json_array_size(a) != 2)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"must have exactly 2 entries (start and end), got %zu",
				json_array_size(a));
	for (i = 0; rc == 0 && i < 2; i++) {
		s2 = lm_jc_push_index(c, i);
		rc = lm_jc_check_type(c, json_array_get(a, i), LM_JT_STRING);
		if (rc == 0)
			rc = lm_jc_get_string(c, NULL, json_array_get(a, i), true,
					      &bounds[i]);
		if (rc == 0 && strlen(bounds[i]) > LM_CAPTURE_PATTERN_MAX)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"is %zu bytes long, more than %d",
					strlen(bounds[i]),
					LM_CAPTURE_PATTERN_MAX);
		lm_jc_pop(c, s2);
	}
	lm_jc_pop(c, saved);
	return rc;
}

/* What lm_captures_add_*() said, as a plan error. */
static int
add_capture(struct lm_jc *c, int rc)
{
	if (rc == 0)
		return 0;
	if (rc == -ENOMEM)
		return lm_jc_oom(c);
	return lm_jc_fail(c, LM_JC_AT_VALUE, "cannot add the capture: %s",
			  strerror(-rc));
}

static int
parse_capture(struct plan_ctx *x, const char *name, json_t *o,
	      struct lm_captures *caps)
{
	struct lm_jc *c = x->c;
	char *header = NULL, *bounds[2] = { NULL, NULL };
	char q[LM_JC_QUOTE_BUF];
	json_t *v[CAP_N];
	int rc, var;

	var = lm_plan_capture_var(x, name);
	if (var < 0)
		return var;
	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, capture_keys, CAP_N, v);
	if (rc != 0)
		return rc;
	if (v[CAP_HEADER] == NULL && v[CAP_BETWEEN] == NULL)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "a capture needs \"header\" or \"body_between\"");
	if (v[CAP_HEADER] != NULL && v[CAP_BETWEEN] != NULL)
		return lm_jc_fail_key(c, "body_between",
				      "a capture takes \"header\" or \"body_between\", not both");
	if (v[CAP_HEADER] != NULL) {
		rc = lm_jc_get_string(c, "header", v[CAP_HEADER], true, &header);
		if (rc == 0 && !is_token(header))
			rc = lm_jc_fail_key(c, "header",
					    "header name %s is not a token (RFC 9110 section 5.6.2)",
					    lm_jc_quote(q, sizeof(q), header,
							strlen(header)));
		if (rc == 0)
			rc = add_capture(c, lm_captures_add_header(caps, var,
								   header));
	} else {
		rc = parse_between(c, v[CAP_BETWEEN], bounds);
		if (rc == 0)
			rc = add_capture(c, lm_captures_add_between(caps, var,
								    bounds[0],
								    bounds[1]));
	}
	free(header);
	free(bounds[0]);
	free(bounds[1]);
	return rc;
}

static int
parse_captures(struct plan_ctx *x, json_t *o, struct lm_http_step *h)
{
	struct lm_jc *c = x->c;
	const char *key;
	json_t *v;
	size_t n = json_object_size(o), saved, s2;
	int rc = 0;

	saved = lm_jc_push_key(c, "capture");
	if (n < 1 || n > PLAN_MAX_CAPTURES) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"must have 1 to %d entries, got %zu",
				PLAN_MAX_CAPTURES, n);
		goto out;
	}
	h->captures = lm_captures_new();
	if (h->captures == NULL) {
		rc = lm_jc_oom(c);
		goto out;
	}
	json_object_foreach(o, key, v) {
		s2 = lm_jc_push_key(c, key);
		rc = parse_capture(x, key, v, h->captures);
		lm_jc_pop(c, s2);
		if (rc != 0)
			break;
	}
out:
	lm_jc_pop(c, saved);
	return rc;
}

/* ---- templated requests ---- */

bool
lm_plan_has_template(const char *s, size_t len)
{
	return s != NULL && len >= 2 && memmem(s, len, "{{", 2) != NULL;
}

static bool
str_has_template(const char *s)
{
	return s != NULL && strstr(s, "{{") != NULL;
}

static bool
name_is(const char *a, const char *b)
{
	for (; *a != '\0' && *b != '\0'; a++, b++) {
		char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
		char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return false;
	}
	return *a == '\0' && *b == '\0';
}

/*
 * s with every {{...}} replaced by ph: what the request checks of
 * http_request.c see, so that a templated request is held to the same
 * rules as a constant one wherever the plan spells the bytes out.
 */
static char *
blank_slots(const char *s, const char *ph)
{
	struct sbuf b = { 0 };
	const char *open, *close;

	while ((open = strstr(s, "{{")) != NULL &&
	       (close = strstr(open + 2, "}}")) != NULL) {
		sb_put(&b, s, (size_t)(open - s));
		sb_str(&b, ph);
		s = close + 2;
	}
	sb_str(&b, s);
	if (b.oom) {
		free(b.p);
		return NULL;
	}
	return b.p;
}

/*
 * One templated value on its own, so that an error names that value. A
 * value of the head may not read a data set cell holding a control
 * character: the whole column is known now, so the plan is refused rather
 * than requests failing at run time.
 */
static int
check_template(struct plan_ctx *x, const char *key, const char *sub,
	       const char *s, size_t len, bool head)
{
	struct lm_tmpl_vars *vars = lm_plan_vars(x);
	char msg[LM_PLAN_ERR_MAX];
	struct lm_tmpl *t;
	size_t saved;
	int rc;

	if (vars == NULL)
		return -ENOMEM;
	msg[0] = '\0';
	t = lm_tmpl_compile(vars, s, len, msg, sizeof(msg));
	if (t != NULL) {
		rc = head ? lm_tmpl_check_head(t, vars, msg, sizeof(msg)) : 0;
		lm_tmpl_free(t);
		if (rc == 0)
			return 0;
	}
	saved = lm_jc_push_key(x->c, key);
	if (sub != NULL)
		lm_jc_push_key(x->c, sub);
	rc = lm_jc_fail(x->c, LM_JC_AT_VALUE, "%s",
			msg[0] != '\0' ? msg : "invalid template");
	lm_jc_pop(x->c, saved);
	return rc;
}

/* Framing headers cannot be templated, nor given with a templated body. */
static int
check_framing(struct lm_jc *c, const struct lm_http_step *h, bool body_tmpl)
{
	static const char *const framing[] = {
		"Content-Length", "Transfer-Encoding",
	};
	size_t saved;
	uint32_t i, k;
	int rc = 0;

	for (i = 0; rc == 0 && i < h->n_headers; i++) {
		for (k = 0; k < DIM(framing) &&
		     !name_is(h->headers[i].name, framing[k]); k++)
			;
		if (k == DIM(framing))
			continue;
		saved = lm_jc_push_key(c, "headers");
		lm_jc_push_key(c, h->headers[i].name);
		if (str_has_template(h->headers[i].value))
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%s cannot hold a template (the request's framing must be known)",
					framing[k]);
		else if (body_tmpl)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%s cannot be given with a templated body (Content-Length is computed for each request)",
					framing[k]);
		lm_jc_pop(c, saved);
	}
	return rc;
}

/*
 * The head of the request as template text, laid out exactly as
 * lm_http_request_compile() lays out a constant request (see
 * http_request.h), so that rendering it and then the body gives the bytes
 * to send. A templated body is framed by "Content-Length: {{__body_len}}":
 * the sender knows the body's length only once it has rendered it.
 */
static void
head_text(const struct lm_plan_target *t, const struct lm_http_step *h,
	  bool body_tmpl, struct sbuf *b)
{
	bool host = true, ua = true, framed = false, length = false;
	char num[48];
	uint64_t len = 0;
	uint32_t i;

	for (i = 0; i < h->n_headers; i++) {
		if (name_is(h->headers[i].name, "Host"))
			host = false;
		else if (name_is(h->headers[i].name, "User-Agent"))
			ua = false;
		else if (name_is(h->headers[i].name, "Content-Length") ||
			 name_is(h->headers[i].name, "Transfer-Encoding"))
			framed = true;
	}
	if (!framed && !body_tmpl) {
		length = h->body != NULL || h->body_generated ||
			 h->method == LM_HTTP_POST || h->method == LM_HTTP_PUT ||
			 h->method == LM_HTTP_PATCH;
		len = h->body_generated ? h->body_gen_size : h->body_len;
	}

	sb_str(b, lm_http_method_name(h->method));
	sb_str(b, " ");
	sb_str(b, h->path);
	sb_str(b, " HTTP/1.1\r\n");
	if (host) {
		if (t->port == 80)
			snprintf(num, sizeof(num), "Host: %u.%u.%u.%u\r\n",
				 t->ip >> 24, t->ip >> 16 & 0xff,
				 t->ip >> 8 & 0xff, t->ip & 0xff);
		else
			snprintf(num, sizeof(num), "Host: %u.%u.%u.%u:%u\r\n",
				 t->ip >> 24, t->ip >> 16 & 0xff,
				 t->ip >> 8 & 0xff, t->ip & 0xff, t->port);
		sb_str(b, num);
	}
	for (i = 0; i < h->n_headers; i++) {
		sb_str(b, h->headers[i].name);
		sb_str(b, ": ");
		sb_str(b, h->headers[i].value);
		sb_str(b, "\r\n");
	}
	if (ua)
		sb_str(b, "User-Agent: " LM_HTTP_USER_AGENT "\r\n");
	if (body_tmpl && !framed) {
		sb_str(b, "Content-Length: {{__body_len}}\r\n");
	} else if (length) {
		snprintf(num, sizeof(num), "Content-Length: %" PRIu64 "\r\n", len);
		sb_str(b, num);
	}
	sb_str(b, "\r\n");
}

/*
 * The head and the literal body as two templates: the sender renders the
 * body first and the head after it, so it never has to search the
 * rendered bytes for where the head ends (a value could hold an empty
 * line). An empty body needs no template.
 */
static int
build_template(struct plan_ctx *x, struct lm_http_step *h, bool body_tmpl)
{
	struct lm_tmpl_vars *vars = lm_plan_vars(x);
	char msg[LM_PLAN_ERR_MAX];
	struct sbuf b = { 0 };

	if (vars == NULL)
		return -ENOMEM;
	head_text(&x->plan->target, h, body_tmpl, &b);
	if (b.oom) {
		free(b.p);
		return lm_jc_oom(x->c);
	}
	msg[0] = '\0';
	h->tmpl = lm_tmpl_compile(vars, b.p, b.len, msg, sizeof(msg));
	free(b.p);
	if (h->tmpl == NULL)
		return lm_jc_fail(x->c, LM_JC_AT_VALUE, "the request: %s",
				  msg[0] != '\0' ? msg : "invalid template");
	if (h->body == NULL || h->body_generated || h->body_len == 0)
		return 0;
	msg[0] = '\0';
	h->tmpl_body = lm_tmpl_compile(vars, h->body, h->body_len, msg,
				       sizeof(msg));
	if (h->tmpl_body == NULL)
		return lm_jc_fail_key(x->c, "body", "%s", msg[0] != '\0' ?
				      msg : "invalid template");
	return 0;
}

static void
free_probe(struct lm_http_step *p)
{
	uint32_t i;

	free(p->path);
	for (i = 0; p->headers != NULL && i < p->n_headers; i++)
		free(p->headers[i].value);
	free(p->headers);
	free(p->request);
}

/*
 * A request with {{...}} slots: each templated value must compile on its
 * own (so that an error names it), the request with its slots blanked
 * must pass every check a constant request passes, and then the head and
 * the body become templates; h->request stays NULL.
 */
static int
compile_templated(struct plan_ctx *x, struct lm_http_step *h, bool body_tmpl)
{
	struct lm_jc *c = x->c;
	struct lm_http_step probe;
	uint32_t i;
	int rc = 0;

	if (str_has_template(h->path))
		rc = check_template(x, "path", NULL, h->path, strlen(h->path),
				    true);
	for (i = 0; rc == 0 && i < h->n_headers; i++)
		if (str_has_template(h->headers[i].value))
			rc = check_template(x, "headers", h->headers[i].name,
					    h->headers[i].value,
					    strlen(h->headers[i].value), true);
	if (rc == 0 && body_tmpl)
		rc = check_template(x, "body", NULL, h->body, h->body_len,
				    false);
	if (rc == 0)
		rc = check_framing(c, h, body_tmpl);
	if (rc != 0)
		return rc;

	probe = *h;
	probe.request = NULL;
	probe.headers = NULL;
	probe.path = blank_slots(h->path, "/");
	if (h->n_headers > 0)
		probe.headers = calloc(h->n_headers, sizeof(*probe.headers));
	for (i = 0; probe.headers != NULL && i < h->n_headers; i++) {
		probe.headers[i].name = h->headers[i].name;
		probe.headers[i].value = blank_slots(h->headers[i].value, "x");
		if (probe.headers[i].value == NULL)
			break;
	}
	if (body_tmpl) {
		probe.body = NULL;
		probe.body_len = 0;
	}
	if (probe.path == NULL || (h->n_headers > 0 && (probe.headers == NULL ||
							 i < h->n_headers))) {
		probe.n_headers = probe.headers != NULL ? i : 0;
		free_probe(&probe);
		return lm_jc_oom(c);
	}
	rc = compile_request(c, &probe, &x->plan->target);
	free_probe(&probe);
	if (rc == 0)
		rc = build_template(x, h, body_tmpl);
	return rc;
}

int
lm_plan_parse_http(struct plan_ctx *x, json_t *o, struct lm_http_step *h)
{
	struct lm_jc *c = x->c;
	json_t *v[HTTP_N];
	bool tmpl = false, body_tmpl;
	uint32_t i;
	int rc;

	h->method = LM_HTTP_GET;
	h->expect_body_bytes = -1;
	rc = lm_jc_check_members(c, o, http_keys, HTTP_N, v);
	if (rc == 0)
		rc = parse_method(c, v[HTTP_METHOD], &h->method);
	if (rc == 0)
		rc = lm_jc_get_string(c, "path", v[HTTP_PATH], false, &h->path);
	if (rc == 0 && v[HTTP_HEADERS] != NULL)
		rc = parse_headers(c, v[HTTP_HEADERS], h);
	if (rc == 0 && json_is_string(v[HTTP_BODY]))
		rc = parse_body_text(c, v[HTTP_BODY], h);
	else if (rc == 0 && v[HTTP_BODY] != NULL)
		rc = parse_body_gen(c, v[HTTP_BODY], h);
	if (rc == 0 && v[HTTP_EXPECT] != NULL)
		rc = parse_expect(c, v[HTTP_EXPECT], h);
	if (rc == 0 && v[HTTP_CAPTURE] != NULL)
		rc = parse_captures(x, v[HTTP_CAPTURE], h);
	if (rc != 0)
		return rc;

	body_tmpl = h->body != NULL && lm_plan_has_template(h->body, h->body_len);
	tmpl = body_tmpl || str_has_template(h->path);
	for (i = 0; !tmpl && i < h->n_headers; i++)
		tmpl = str_has_template(h->headers[i].value);
	if (tmpl)
		return compile_templated(x, h, body_tmpl);
	return compile_request(c, h, &x->plan->target);
}

void
lm_plan_free_http(struct lm_http_step *h)
{
	uint32_t i;

	free(h->path);
	for (i = 0; h->headers != NULL && i < h->n_headers; i++) {
		free(h->headers[i].name);
		free(h->headers[i].value);
	}
	free(h->headers);
	free(h->body);
	free(h->request);
	if (h->tmpl != NULL)
		lm_tmpl_free(h->tmpl);
	if (h->tmpl_body != NULL)
		lm_tmpl_free(h->tmpl_body);
	if (h->captures != NULL)
		lm_captures_free(h->captures);
}
