/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan loader: JSON text -> struct lm_plan (see lm/plan.h and
 * docs/plan.md).
 *
 * jansson parses; this file validates the tree and compiles it. Objects are
 * checked against key tables (struct key_spec) so that unknown keys,
 * missing keys and wrong types are found by one function, with one wording,
 * whatever the object. Error positions are looked up only when there is an
 * error to report, by walking the text again (json_pos.h): a valid plan
 * pays nothing for them.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <lm/plan.h>

#include "app/http_request.h"
#include "json_pos.h"

#define PLAN_MAX_SCENARIOS 1024
#define PLAN_MAX_STEPS 1024
#define PLAN_MAX_USERS 10000000
#define PLAN_MAX_TIMEOUT_MS 3600000
#define PLAN_DEFAULT_TIMEOUT_MS 10000
#define PLAN_DEFAULT_DURATION_S 10.0
/* Bounds that keep later arithmetic (TSC ticks, weight sums) far from overflow;
 * the duration's is the same as the command line's --duration. */
#define PLAN_MAX_DURATION_S (365 * 86400.0)
#define PLAN_MAX_WEIGHT 1e9
#define PLAN_DEFAULT_PREFIX 24
#define PLAN_DEFAULT_PORT 80

/* How much of a user-supplied string an error message quotes. */
#define QUOTE_MAX 64
/* Room for a quoted string: every byte may become \u00XX; quotes; "..." */
#define QUOTE_BUF (QUOTE_MAX * 6 + 8)

/* JSON types, as a mask so that a key may accept several. */
enum {
	JT_OBJECT = 1u << 0,
	JT_ARRAY = 1u << 1,
	JT_STRING = 1u << 2,
	JT_INTEGER = 1u << 3,
	JT_REAL = 1u << 4,
	JT_NUMBER = JT_INTEGER | JT_REAL,
};

struct key_spec {
	const char *name;
	unsigned int types;
	bool required;
};

struct ctx {
	const char *file;
	const char *text;
	size_t len;
	char *err;
	size_t errlen;
	struct lm_json_pos_path path; /* of the value being checked */
	bool path_oom;                /* path is incomplete: report ENOMEM */
};

/* Report at the value's first byte, or at its key (object members). */
enum at {
	AT_VALUE,
	AT_KEY,
};

static void
set_err(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
set_err(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err == NULL || c->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

static int
oom(struct ctx *c)
{
	set_err(c, "%s: out of memory", c->file);
	return -ENOMEM;
}

static size_t
push_key(struct ctx *c, const char *key)
{
	size_t saved = c->path.len;

	if (lm_json_pos_path_key(&c->path, key, strlen(key)) != 0)
		c->path_oom = true;
	return saved;
}

static size_t
push_index(struct ctx *c, size_t index)
{
	size_t saved = c->path.len;

	if (lm_json_pos_path_index(&c->path, index) != 0)
		c->path_oom = true;
	return saved;
}

static void
pop(struct ctx *c, size_t saved)
{
	lm_json_pos_path_truncate(&c->path, saved);
}

/*
 * Report an error about the value at the current path and return -EINVAL:
 * "FILE:LINE:COLUMN: PATH: message", or "FILE:LINE:COLUMN: message" at the
 * root.
 */
static int
fail(struct ctx *c, enum at at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
fail(struct ctx *c, enum at at, const char *fmt, ...)
{
	const char *path = lm_json_pos_path_str(&c->path);
	const char *sep = path[0] != '\0' ? ": " : "";
	char msg[LM_PLAN_ERR_MAX];
	struct lm_json_pos pos;
	uint32_t line, col;
	va_list ap;
	int rc;

	if (c->path_oom)
		return oom(c);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);

	rc = lm_json_pos_find(c->text, c->len, path, &pos);
	if (rc == -ENOMEM)
		return oom(c);
	if (rc != 0) {
		/* Cannot happen for a path built from jansson's tree; say
		 * what we know rather than nothing. */
		set_err(c, "%s: %s%s%s", c->file, path, sep, msg);
		return -EINVAL;
	}
	line = pos.line;
	col = pos.col;
	if (at == AT_KEY && pos.member) {
		line = pos.key_line;
		col = pos.key_col;
	}
	set_err(c, "%s:%u:%u: %s%s%s", c->file, line, col, path, sep, msg);
	return -EINVAL;
}

/* s[0..len) quoted for a message: escaped, and cut if long. */
static const char *
quote(char *buf, size_t cap, const char *s, size_t len)
{
	size_t i, o = 0;

	if (cap < QUOTE_BUF)
		return "\"?\"";
	buf[o++] = '"';
	for (i = 0; i < len && i < QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch == '\b' || ch == '\f' || ch == '\n' ||
			   ch == '\r' || ch == '\t') {
			/* as JSON writes them, and as paths do */
			buf[o++] = '\\';
			buf[o++] = ch == '\b' ? 'b' : ch == '\f' ? 'f' :
				   ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(buf + o, cap - o, "\\u%04x", ch);
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o++] = '"';
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static const char *
type_got(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
	default:
		return "null";
	}
}

static unsigned int
type_mask(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return JT_OBJECT;
	case JSON_ARRAY:
		return JT_ARRAY;
	case JSON_STRING:
		return JT_STRING;
	case JSON_INTEGER:
		return JT_INTEGER;
	case JSON_REAL:
		return JT_REAL;
	default:
		return 0;
	}
}

/* "an integer or an array", from a mask */
static const char *
type_want(unsigned int types, char *buf, size_t cap)
{
	static const struct {
		unsigned int mask;
		const char *name;
	} names[] = {
		{ JT_NUMBER, "a number" },
		{ JT_INTEGER, "an integer" },
		{ JT_STRING, "a string" },
		{ JT_OBJECT, "an object" },
		{ JT_ARRAY, "an array" },
	};
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((types & names[i].mask) != names[i].mask)
			continue;
		types &= ~names[i].mask;
		o += (size_t)snprintf(buf + o, cap - o, "%s%s",
				      o > 0 ? " or " : "", names[i].name);
		if (o >= cap)
			break;
	}
	return buf;
}

static int
check_type(struct ctx *c, const json_t *v, unsigned int types)
{
	char want[64];

	if ((type_mask(v) & types) != 0)
		return 0;
	return fail(c, AT_VALUE, "expected %s, got %s",
		    type_want(types, want, sizeof(want)), type_got(v));
}

/* "a, b or c" */
static const char *
join_names(const char *const *names, size_t n, bool quoted, char *buf,
	   size_t cap)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s%s%s",
				      i == 0 ? "" : i + 1 == n ? " or " : ", ",
				      quoted ? "\"" : "", names[i],
				      quoted ? "\"" : "");
	return buf;
}

/*
 * Check the members of object obj (the current path) against spec: every
 * key known, required keys present, each of the right type. vals[i] gets
 * the member for spec[i], or NULL.
 */
static int
check_members(struct ctx *c, json_t *obj, const struct key_spec *spec,
	      size_t n, json_t **vals)
{
	const char *names[16];
	char q[QUOTE_BUF], list[256];
	const char *key;
	json_t *v;
	size_t i, saved;
	int rc;

	for (i = 0; i < n; i++)
		vals[i] = NULL;
	json_object_foreach(obj, key, v) {
		for (i = 0; i < n && strcmp(spec[i].name, key) != 0; i++)
			;
		if (i < n) {
			vals[i] = v;
			continue;
		}
		for (i = 0; i < n && i < sizeof(names) / sizeof(names[0]); i++)
			names[i] = spec[i].name;
		saved = push_key(c, key);
		rc = fail(c, AT_KEY, "unknown key %s (expected %s)",
			  quote(q, sizeof(q), key, strlen(key)),
			  join_names(names, i, false, list, sizeof(list)));
		pop(c, saved);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (spec[i].required && vals[i] == NULL)
			return fail(c, AT_VALUE, "missing required key \"%s\"",
				    spec[i].name);
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL)
			continue;
		saved = push_key(c, spec[i].name);
		rc = check_type(c, vals[i], spec[i].types);
		pop(c, saved);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/*
 * Typed getters for members already type-checked by check_members(). Each
 * takes the member's key for the error path and leaves *out alone (the
 * default) when v is NULL.
 */
static int
get_int(struct ctx *c, const char *key, const json_t *v, long long min,
	long long max, long long *out)
{
	long long x;
	size_t saved;
	int rc;

	if (v == NULL)
		return 0;
	x = json_integer_value(v);
	if (x >= min && x <= max) {
		*out = x;
		return 0;
	}
	saved = push_key(c, key);
	if (max == LLONG_MAX)
		rc = fail(c, AT_VALUE, "%lld is out of range (expected %lld or more)",
			  x, min);
	else
		rc = fail(c, AT_VALUE, "%lld is out of range (expected %lld to %lld)",
			  x, min, max);
	pop(c, saved);
	return rc;
}

/* min < x <= max when min_open, else min <= x <= max; want says so in words. */
static int
get_double(struct ctx *c, const char *key, const json_t *v, double min,
	   bool min_open, double max, const char *want, double *out)
{
	double x;
	size_t saved;
	int rc;

	if (v == NULL)
		return 0;
	x = json_number_value(v);
	if ((min_open ? x > min : x >= min) && x <= max) {
		*out = x;
		return 0;
	}
	saved = push_key(c, key);
	rc = fail(c, AT_VALUE, "%.15g is out of range (expected %s)", x, want);
	pop(c, saved);
	return rc;
}

/* A string without NUL (only bodies may hold one), copied into *out. */
static int
get_string(struct ctx *c, const char *key, const json_t *v, bool nonempty,
	   char **out)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	size_t saved = 0;
	int rc;

	if (memchr(s, '\0', len) != NULL || (nonempty && len == 0)) {
		if (key != NULL)
			saved = push_key(c, key);
		rc = fail(c, AT_VALUE, len == 0 ? "must not be empty" :
			  "contains a NUL character (\\u0000)");
		if (key != NULL)
			pop(c, saved);
		return rc;
	}
	*out = strdup(s);
	return *out != NULL ? 0 : oom(c);
}

/* Dotted decimal, exactly four parts, no leading zeros (no octal doubt). */
static int
parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t ip = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0, digits = 0;

		if (part > 0 && *s++ != '.')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			if (digits == 3 || (digits == 1 && v == 0))
				return -EINVAL;
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255)
			return -EINVAL;
		ip = ip << 8 | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = ip;
	return 0;
}

static const char *
ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff,
		 ip >> 8 & 0xff, ip & 0xff);
	return buf;
}

/* A unicast address we can use or reach: not 0.0.0.0/8, multicast or class E. */
static int
get_ipv4(struct ctx *c, const char *key, const json_t *v, uint32_t *out)
{
	const char *s = json_string_value(v);
	char q[QUOTE_BUF];
	size_t saved;
	int rc = 0;

	if (v == NULL)
		return 0;
	saved = push_key(c, key);
	if (strlen(s) != json_string_length(v) || parse_ipv4(s, out) != 0)
		rc = fail(c, AT_VALUE,
			  "invalid IPv4 address %s (expected dotted decimal, like 198.18.0.1)",
			  quote(q, sizeof(q), s, json_string_length(v)));
	else if ((*out >> 24) == 0 || (*out >> 24) >= 224)
		rc = fail(c, AT_VALUE, "%s is not a unicast address", s);
	pop(c, saved);
	return rc;
}

static uint32_t
prefix_mask(uint8_t prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

static bool
on_link(const struct lm_plan_port *p, uint32_t ip)
{
	return ((p->ip ^ ip) & prefix_mask(p->prefix)) == 0;
}

/* A non-empty array of at most max entries (the current path). */
static int
check_count(struct ctx *c, const json_t *a, size_t max)
{
	size_t n = json_array_size(a);

	if (n >= 1 && n <= max)
		return 0;
	return fail(c, AT_VALUE, "must have 1 to %zu entries, got %zu", max, n);
}

enum { PORT_IP, PORT_PREFIX, PORT_GATEWAY, PORT_N };
static const struct key_spec port_keys[PORT_N] = {
	[PORT_IP] = { "ip", JT_STRING, true },
	[PORT_PREFIX] = { "prefix", JT_INTEGER, false },
	[PORT_GATEWAY] = { "gateway", JT_STRING, false },
};

static int
parse_port(struct ctx *c, json_t *o, struct lm_plan_port *p)
{
	json_t *v[PORT_N];
	long long prefix = PLAN_DEFAULT_PREFIX;
	char a[16], b[16];
	size_t saved;
	int rc;

	rc = check_type(c, o, JT_OBJECT);
	if (rc == 0)
		rc = check_members(c, o, port_keys, PORT_N, v);
	if (rc == 0)
		rc = get_ipv4(c, "ip", v[PORT_IP], &p->ip);
	if (rc == 0)
		rc = get_int(c, "prefix", v[PORT_PREFIX], 1, 32, &prefix);
	if (rc != 0)
		return rc;
	p->prefix = (uint8_t)prefix;
	if (v[PORT_GATEWAY] == NULL)
		return 0;
	rc = get_ipv4(c, "gateway", v[PORT_GATEWAY], &p->gateway);
	if (rc != 0)
		return rc;
	saved = push_key(c, "gateway");
	if (p->gateway == p->ip)
		rc = fail(c, AT_VALUE, "gateway %s is this port's own address",
			  ip_str(p->gateway, a, sizeof(a)));
	else if (!on_link(p, p->gateway))
		rc = fail(c, AT_VALUE, "gateway %s is not inside %s/%u",
			  ip_str(p->gateway, a, sizeof(a)),
			  ip_str(p->ip, b, sizeof(b)), p->prefix);
	pop(c, saved);
	return rc;
}

static int
parse_ports(struct ctx *c, json_t *a, struct lm_plan *plan)
{
	size_t i, j, saved, s2;
	char buf[16];
	int rc;

	rc = check_count(c, a, LM_MAX_PORTS);
	if (rc != 0)
		return rc;
	for (i = 0; i < json_array_size(a); i++) {
		saved = push_index(c, i);
		rc = parse_port(c, json_array_get(a, i), &plan->ports[i]);
		for (j = 0; rc == 0 && j < i; j++) {
			if (plan->ports[j].ip != plan->ports[i].ip)
				continue;
			s2 = push_key(c, "ip");
			rc = fail(c, AT_VALUE, "%s is already the address of ports[%zu]",
				  ip_str(plan->ports[i].ip, buf, sizeof(buf)), j);
			pop(c, s2);
		}
		pop(c, saved);
		if (rc != 0)
			return rc;
		plan->n_ports = (uint32_t)i + 1;
	}
	return 0;
}

enum { TARGET_IP, TARGET_PORT, TARGET_N };
static const struct key_spec target_keys[TARGET_N] = {
	[TARGET_IP] = { "ip", JT_STRING, true },
	[TARGET_PORT] = { "port", JT_INTEGER, false },
};

static int
parse_target(struct ctx *c, json_t *o, struct lm_plan *plan)
{
	struct lm_plan_target *t = &plan->target;
	const struct lm_plan_port *p0 = &plan->ports[0];
	json_t *v[TARGET_N];
	long long port = PLAN_DEFAULT_PORT;
	char a[16], b[16];
	size_t saved;
	uint32_t i;
	int rc;

	rc = check_members(c, o, target_keys, TARGET_N, v);
	if (rc == 0)
		rc = get_ipv4(c, "ip", v[TARGET_IP], &t->ip);
	if (rc == 0)
		rc = get_int(c, "port", v[TARGET_PORT], 1, 65535, &port);
	if (rc != 0)
		return rc;
	t->port = (uint16_t)port;

	saved = push_key(c, "ip");
	for (i = 0; rc == 0 && i < plan->n_ports; i++)
		if (plan->ports[i].ip == t->ip)
			rc = fail(c, AT_VALUE, "%s is our own address (ports[%u].ip)",
				  ip_str(t->ip, a, sizeof(a)), i);
	/* ports[0] is the port that reaches the target: on-link or via its gateway */
	if (rc == 0 && !on_link(p0, t->ip) && p0->gateway == 0)
		rc = fail(c, AT_VALUE,
			  "%s is not inside ports[0] (%s/%u), so ports[0] needs a gateway",
			  ip_str(t->ip, a, sizeof(a)), ip_str(p0->ip, b, sizeof(b)),
			  p0->prefix);
	pop(c, saved);
	return rc;
}

enum { LOAD_USERS, LOAD_DURATION, LOAD_MAX_RUNS, LOAD_N };
static const struct key_spec load_keys[LOAD_N] = {
	[LOAD_USERS] = { "users", JT_INTEGER, true },
	[LOAD_DURATION] = { "duration_s", JT_NUMBER, false },
	[LOAD_MAX_RUNS] = { "max_runs", JT_INTEGER, false },
};

static int
parse_load(struct ctx *c, json_t *o, struct lm_plan_load *l)
{
	json_t *v[LOAD_N];
	long long users = 0, max_runs = 0;
	size_t saved;
	int rc;

	l->duration_s = PLAN_DEFAULT_DURATION_S;
	rc = check_members(c, o, load_keys, LOAD_N, v);
	if (rc == 0)
		rc = get_int(c, "users", v[LOAD_USERS], 1, PLAN_MAX_USERS, &users);
	if (rc == 0)
		rc = get_double(c, "duration_s", v[LOAD_DURATION], 0, false,
				PLAN_MAX_DURATION_S, "0 to 31536000",
				&l->duration_s);
	if (rc == 0)
		rc = get_int(c, "max_runs", v[LOAD_MAX_RUNS], 0, LLONG_MAX,
			     &max_runs);
	if (rc != 0)
		return rc;
	l->users = (uint32_t)users;
	l->max_runs = (uint64_t)max_runs;
	/* duration_s defaults to 10, so both are 0 only when duration_s is given */
	if (l->duration_s == 0 && l->max_runs == 0) {
		saved = push_key(c, "duration_s");
		rc = fail(c, AT_VALUE,
			  "duration_s and max_runs cannot both be 0 (the run would never end)");
		pop(c, saved);
	}
	return rc;
}

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
parse_method(struct ctx *c, const json_t *v, enum lm_http_method *m)
{
	const char *s;
	char q[QUOTE_BUF], list[128];
	size_t i, saved;
	int rc;

	if (v == NULL)
		return 0;
	s = json_string_value(v);
	for (i = 0; i < N_METHODS; i++) {
		if (strlen(s) == json_string_length(v) &&
		    strcmp(s, method_names[i]) == 0) {
			*m = (enum lm_http_method)i;
			return 0;
		}
	}
	saved = push_key(c, "method");
	rc = fail(c, AT_VALUE, "unknown method %s (expected %s)",
		  quote(q, sizeof(q), s, json_string_length(v)),
		  join_names(method_names, N_METHODS, false, list, sizeof(list)));
	pop(c, saved);
	return rc;
}

static int
parse_headers(struct ctx *c, json_t *o, struct lm_http_step *h)
{
	const char *key;
	json_t *v;
	size_t n = json_object_size(o), i = 0, saved;
	int rc = 0;

	if (n == 0)
		return 0;
	h->headers = calloc(n, sizeof(*h->headers));
	if (h->headers == NULL)
		return oom(c);
	h->n_headers = (uint32_t)n;
	saved = push_key(c, "headers");
	json_object_foreach(o, key, v) {
		size_t s2 = push_key(c, key);

		rc = check_type(c, v, JT_STRING);
		if (rc == 0)
			rc = get_string(c, NULL, v, false, &h->headers[i].value);
		pop(c, s2);
		if (rc != 0)
			break;
		h->headers[i].name = strdup(key);
		if (h->headers[i].name == NULL) {
			rc = oom(c);
			break;
		}
		i++;
	}
	pop(c, saved);
	return rc;
}

enum { EXPECT_STATUS, EXPECT_N };
static const struct key_spec expect_keys[EXPECT_N] = {
	[EXPECT_STATUS] = { "status", JT_INTEGER | JT_ARRAY, false },
};

static int
parse_expect(struct ctx *c, json_t *o, struct lm_http_step *h)
{
	json_t *v[EXPECT_N], *st;
	long long code = 0;
	size_t i, n, saved, s2;
	int rc;

	saved = push_key(c, "expect");
	rc = check_members(c, o, expect_keys, EXPECT_N, v);
	st = v[EXPECT_STATUS];
	if (rc != 0 || st == NULL)
		goto out;
	if (json_is_integer(st)) {
		rc = get_int(c, "status", st, 100, 599, &code);
		h->expect_status[0] = (uint16_t)code;
		h->n_expect_status = 1;
		goto out;
	}
	s2 = push_key(c, "status");
	rc = check_count(c, st, LM_MAX_EXPECT_STATUS);
	n = json_array_size(st);
	for (i = 0; rc == 0 && i < n; i++) {
		json_t *e = json_array_get(st, i);
		size_t s3 = push_index(c, i);

		rc = check_type(c, e, JT_INTEGER);
		if (rc == 0 && (json_integer_value(e) < 100 ||
				json_integer_value(e) > 599))
			rc = fail(c, AT_VALUE,
				  "%lld is out of range (expected 100 to 599)",
				  (long long)json_integer_value(e));
		pop(c, s3);
		h->expect_status[i] = (uint16_t)json_integer_value(e);
	}
	pop(c, s2);
	if (rc == 0)
		h->n_expect_status = (uint32_t)n;
out:
	pop(c, saved);
	return rc;
}

enum { HTTP_METHOD, HTTP_PATH, HTTP_HEADERS, HTTP_BODY, HTTP_EXPECT, HTTP_N };
static const struct key_spec http_keys[HTTP_N] = {
	[HTTP_METHOD] = { "method", JT_STRING, false },
	[HTTP_PATH] = { "path", JT_STRING, true },
	[HTTP_HEADERS] = { "headers", JT_OBJECT, false },
	[HTTP_BODY] = { "body", JT_STRING, false },
	[HTTP_EXPECT] = { "expect", JT_OBJECT, false },
};

/* Point a request compile error at the part of the plan it is about. */
static int
compile_request(struct ctx *c, struct lm_http_step *h,
		const struct lm_plan_target *t)
{
	char msg[LM_PLAN_ERR_MAX];
	struct lm_http_req_loc loc;
	size_t saved = c->path.len;
	enum at at = AT_VALUE;
	int rc;

	rc = lm_http_request_compile_loc(h, t, &loc, msg, sizeof(msg));
	if (rc == -ENOMEM)
		return oom(c);
	if (rc == 0)
		return 0;
	switch (loc.part) {
	case LM_HTTP_REQ_PATH:
		push_key(c, "path");
		break;
	case LM_HTTP_REQ_HEADER_NAME:
	case LM_HTTP_REQ_HEADER_VALUE:
		if (loc.header >= h->n_headers)
			break;
		push_key(c, "headers");
		push_key(c, h->headers[loc.header].name);
		if (loc.part == LM_HTTP_REQ_HEADER_NAME)
			at = AT_KEY;
		break;
	case LM_HTTP_REQ_STEP:
	default:
		break;
	}
	rc = fail(c, at, "%s", msg);
	pop(c, saved);
	return rc;
}

static int
parse_http(struct ctx *c, json_t *o, struct lm_http_step *h,
	   const struct lm_plan_target *t)
{
	json_t *v[HTTP_N];
	size_t len, saved;
	int rc;

	h->method = LM_HTTP_GET;
	rc = check_members(c, o, http_keys, HTTP_N, v);
	if (rc == 0)
		rc = parse_method(c, v[HTTP_METHOD], &h->method);
	if (rc == 0)
		rc = get_string(c, "path", v[HTTP_PATH], false, &h->path);
	if (rc == 0 && v[HTTP_HEADERS] != NULL)
		rc = parse_headers(c, v[HTTP_HEADERS], h);
	if (rc == 0 && v[HTTP_BODY] != NULL) {
		/* bodies may hold any byte, NUL included: keep the length */
		len = json_string_length(v[HTTP_BODY]);
		if (len > UINT32_MAX) {
			saved = push_key(c, "body");
			rc = fail(c, AT_VALUE, "body is larger than 4 GiB");
			pop(c, saved);
			return rc;
		}
		h->body = malloc(len + 1);
		if (h->body == NULL)
			return oom(c);
		memcpy(h->body, json_string_value(v[HTTP_BODY]), len + 1);
		h->body_len = (uint32_t)len;
	}
	if (rc == 0 && v[HTTP_EXPECT] != NULL)
		rc = parse_expect(c, v[HTTP_EXPECT], h);
	if (rc == 0)
		rc = compile_request(c, h, t);
	return rc;
}

enum { STEP_NAME, STEP_TIMEOUT, STEP_HTTP, STEP_N };
static const struct key_spec step_keys[STEP_N] = {
	[STEP_NAME] = { "name", JT_STRING, false },
	[STEP_TIMEOUT] = { "timeout_ms", JT_INTEGER, false },
	[STEP_HTTP] = { "http", JT_OBJECT, false },
};

/* The keys that say what a step does; a step has exactly one. */
static const struct {
	size_t key;
	enum lm_step_kind kind;
} step_kinds[] = {
	{ STEP_HTTP, LM_STEP_HTTP },
};
#define N_STEP_KINDS (sizeof(step_kinds) / sizeof(step_kinds[0]))

static int
parse_step(struct ctx *c, json_t *o, const char *scenario, size_t index,
	   struct lm_step *s, const struct lm_plan_target *t)
{
	const char *kinds[N_STEP_KINDS];
	json_t *v[STEP_N];
	long long timeout = PLAN_DEFAULT_TIMEOUT_MS;
	char list[128];
	size_t i, k, found = N_STEP_KINDS, saved, len;
	int rc;

	rc = check_type(c, o, JT_OBJECT);
	if (rc == 0)
		rc = check_members(c, o, step_keys, STEP_N, v);
	if (rc == 0 && v[STEP_NAME] != NULL)
		rc = get_string(c, "name", v[STEP_NAME], true, &s->name);
	if (rc == 0 && v[STEP_NAME] == NULL) {
		/* default name: "<scenario>.<index>" */
		len = (size_t)snprintf(NULL, 0, "%s.%zu", scenario, index) + 1;
		s->name = malloc(len);
		if (s->name == NULL)
			return oom(c);
		snprintf(s->name, len, "%s.%zu", scenario, index);
	}
	if (rc == 0)
		rc = get_int(c, "timeout_ms", v[STEP_TIMEOUT], 1,
			     PLAN_MAX_TIMEOUT_MS, &timeout);
	if (rc != 0)
		return rc;
	s->timeout_ms = (uint32_t)timeout;

	for (k = 0; k < N_STEP_KINDS; k++) {
		kinds[k] = step_keys[step_kinds[k].key].name;
		if (v[step_kinds[k].key] == NULL)
			continue;
		if (found < N_STEP_KINDS)
			return fail(c, AT_VALUE,
				    "step has more than one kind (\"%s\" and \"%s\")",
				    kinds[found], kinds[k]);
		found = k;
	}
	if (found == N_STEP_KINDS)
		return fail(c, AT_VALUE, "step has no kind (expected %s)",
			    join_names(kinds, N_STEP_KINDS, true, list,
				       sizeof(list)));
	i = step_kinds[found].key;
	s->kind = step_kinds[found].kind;
	saved = push_key(c, step_keys[i].name);
	switch (s->kind) {
	case LM_STEP_HTTP:
		rc = parse_http(c, v[i], &s->http, t);
		break;
	}
	pop(c, saved);
	return rc;
}

struct name_ref {
	const char *name;
	size_t index;
};

static int
name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	if (d != 0)
		return d;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * The first entry (in index order) whose name an earlier one has, by
 * sorting rather than comparing every pair: 1024 scenarios of 1024 steps
 * would otherwise cost half a billion comparisons. Sorts refs. Returns the
 * duplicate's index and sets *first to the earlier one's, or returns n.
 */
static size_t
find_duplicate(struct name_ref *refs, size_t n, size_t *first)
{
	size_t i, g = 0, dup = n;

	qsort(refs, n, sizeof(*refs), name_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i].name, refs[g].name) != 0) {
			g = i;
			continue;
		}
		if (refs[i].index < dup) {
			dup = refs[i].index;
			*first = refs[g].index;
		}
	}
	return dup;
}

enum { SCEN_NAME, SCEN_WEIGHT, SCEN_STEPS, SCEN_N };
static const struct key_spec scenario_keys[SCEN_N] = {
	[SCEN_NAME] = { "name", JT_STRING, true },
	[SCEN_WEIGHT] = { "weight", JT_NUMBER, false },
	[SCEN_STEPS] = { "steps", JT_ARRAY, true },
};

static int
parse_scenario(struct ctx *c, json_t *o, struct lm_scenario *sc,
	       const struct lm_plan_target *t)
{
	json_t *v[SCEN_N], *steps;
	struct name_ref *refs;
	size_t i, n, dup, first = 0, saved, s2;
	char q[QUOTE_BUF];
	int rc;

	sc->weight = 1.0;
	rc = check_type(c, o, JT_OBJECT);
	if (rc == 0)
		rc = check_members(c, o, scenario_keys, SCEN_N, v);
	if (rc == 0)
		rc = get_string(c, "name", v[SCEN_NAME], true, &sc->name);
	if (rc == 0)
		rc = get_double(c, "weight", v[SCEN_WEIGHT], 0, true,
				PLAN_MAX_WEIGHT,
				"more than 0 and at most 1000000000",
				&sc->weight);
	if (rc != 0)
		return rc;

	steps = v[SCEN_STEPS];
	saved = push_key(c, "steps");
	rc = check_count(c, steps, PLAN_MAX_STEPS);
	if (rc != 0)
		goto out;
	n = json_array_size(steps);
	sc->steps = calloc(n, sizeof(*sc->steps));
	if (sc->steps == NULL) {
		rc = oom(c);
		goto out;
	}
	sc->n_steps = (uint32_t)n;
	for (i = 0; rc == 0 && i < n; i++) {
		s2 = push_index(c, i);
		rc = parse_step(c, json_array_get(steps, i), sc->name, i,
				&sc->steps[i], t);
		pop(c, s2);
	}
	if (rc != 0)
		goto out;

	refs = malloc(n * sizeof(*refs));
	if (refs == NULL) {
		rc = oom(c);
		goto out;
	}
	for (i = 0; i < n; i++) {
		refs[i].name = sc->steps[i].name;
		refs[i].index = i;
	}
	dup = find_duplicate(refs, n, &first);
	free(refs);
	if (dup < n) {
		json_t *so = json_array_get(steps, dup);
		const char *name = sc->steps[dup].name;

		s2 = push_index(c, dup);
		if (json_object_get(so, "name") != NULL)
			push_key(c, "name");
		rc = fail(c, AT_VALUE, "duplicate step name %s (also steps[%zu])",
			  quote(q, sizeof(q), name, strlen(name)), first);
		pop(c, s2);
	}
out:
	pop(c, saved);
	return rc;
}

static int
parse_scenarios(struct ctx *c, json_t *a, struct lm_plan *plan)
{
	struct name_ref *refs;
	size_t i, n, dup, first = 0, saved;
	char q[QUOTE_BUF];
	int rc;

	rc = check_count(c, a, PLAN_MAX_SCENARIOS);
	if (rc != 0)
		return rc;
	n = json_array_size(a);
	plan->scenarios = calloc(n, sizeof(*plan->scenarios));
	if (plan->scenarios == NULL)
		return oom(c);
	plan->n_scenarios = (uint32_t)n;
	for (i = 0; i < n; i++) {
		saved = push_index(c, i);
		rc = parse_scenario(c, json_array_get(a, i), &plan->scenarios[i],
				    &plan->target);
		pop(c, saved);
		if (rc != 0)
			return rc;
	}

	refs = malloc(n * sizeof(*refs));
	if (refs == NULL)
		return oom(c);
	for (i = 0; i < n; i++) {
		refs[i].name = plan->scenarios[i].name;
		refs[i].index = i;
	}
	dup = find_duplicate(refs, n, &first);
	free(refs);
	if (dup == n)
		return 0;
	saved = push_index(c, dup);
	push_key(c, "name");
	rc = fail(c, AT_VALUE, "duplicate scenario name %s (also scenarios[%zu])",
		  quote(q, sizeof(q), plan->scenarios[dup].name,
			strlen(plan->scenarios[dup].name)),
		  first);
	pop(c, saved);
	return rc;
}

/* "dir/quickstart.json" -> "quickstart" */
static char *
default_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base != NULL ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	if (len == 0)
		return strdup("plan");
	return strndup(base, len);
}

enum { PLAN_NAME, PLAN_PORTS, PLAN_TARGET, PLAN_LOAD, PLAN_SCENARIOS, PLAN_N };
static const struct key_spec plan_keys[PLAN_N] = {
	[PLAN_NAME] = { "name", JT_STRING, false },
	[PLAN_PORTS] = { "ports", JT_ARRAY, true },
	[PLAN_TARGET] = { "target", JT_OBJECT, true },
	[PLAN_LOAD] = { "load", JT_OBJECT, true },
	[PLAN_SCENARIOS] = { "scenarios", JT_ARRAY, true },
};

static int
parse_plan(struct ctx *c, json_t *root, struct lm_plan *plan)
{
	json_t *v[PLAN_N];
	size_t saved;
	int rc;

	rc = check_type(c, root, JT_OBJECT);
	if (rc == 0)
		rc = check_members(c, root, plan_keys, PLAN_N, v);
	if (rc != 0)
		return rc;
	if (v[PLAN_NAME] != NULL) {
		rc = get_string(c, "name", v[PLAN_NAME], true, &plan->name);
	} else {
		plan->name = default_name(c->file);
		if (plan->name == NULL)
			rc = oom(c);
	}
	if (rc != 0)
		return rc;

	/* in dependency order: the target needs the ports, requests the target */
	saved = push_key(c, "ports");
	rc = parse_ports(c, v[PLAN_PORTS], plan);
	pop(c, saved);
	if (rc == 0) {
		saved = push_key(c, "target");
		rc = parse_target(c, v[PLAN_TARGET], plan);
		pop(c, saved);
	}
	if (rc == 0) {
		saved = push_key(c, "load");
		rc = parse_load(c, v[PLAN_LOAD], &plan->load);
		pop(c, saved);
	}
	if (rc == 0) {
		saved = push_key(c, "scenarios");
		rc = parse_scenarios(c, v[PLAN_SCENARIOS], plan);
		pop(c, saved);
	}
	return rc;
}

struct dup_arg {
	size_t key_end;
	struct ctx *c;
	bool found;
};

static int
dup_cb(void *arg, const struct lm_json_pos *pos)
{
	struct dup_arg *d = arg;
	size_t len;

	if (!pos->member || pos->key_end != d->key_end)
		return 0;
	/* the key as written, escapes and all, between its quotes */
	len = pos->key_end - pos->key_offset - 2;
	set_err(d->c, "%s:%u:%u: %s: duplicate key \"%.*s\"%s", d->c->file,
		pos->key_line, pos->key_col, pos->path,
		(int)(len > QUOTE_MAX ? QUOTE_MAX : len),
		d->c->text + pos->key_offset + 1, len > QUOTE_MAX ? "..." : "");
	d->found = true;
	return 1;
}

/*
 * jansson rejects a duplicate key with the byte offset just past it; find
 * that key to report it as every other error is, with its path and where
 * the key starts.
 */
static void
report_json_error(struct ctx *c, const json_error_t *je)
{
	struct dup_arg d = { 0, c, false };

	if (json_error_code(je) == json_error_duplicate_key && je->position > 0) {
		d.key_end = (size_t)je->position;
		lm_json_pos_walk(c->text, c->len, dup_cb, &d);
		if (d.found)
			return;
	}
	set_err(c, "%s:%d:%d: %s", c->file, je->line, je->column, je->text);
}

struct lm_plan *
lm_plan_load_text(const char *text, size_t len, const char *file, char *err,
		  size_t errlen)
{
	struct ctx c;
	struct lm_plan *plan;
	json_error_t je;
	json_t *root;
	int rc;

	memset(&c, 0, sizeof(c));
	c.file = file != NULL ? file : "<text>";
	c.text = text != NULL ? text : "";
	c.len = text != NULL ? len : 0;
	c.err = err;
	c.errlen = errlen;

	/* JSON_ALLOW_NUL so that a body may carry any byte; every other
	 * string is checked for NUL by get_string(). */
	root = json_loadb(c.text, c.len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
			  &je);
	if (root == NULL) {
		report_json_error(&c, &je);
		return NULL;
	}
	plan = calloc(1, sizeof(*plan));
	if (plan == NULL) {
		json_decref(root);
		oom(&c);
		return NULL;
	}
	plan->file = strdup(c.file);
	rc = plan->file != NULL ? parse_plan(&c, root, plan) : oom(&c);
	json_decref(root);
	lm_json_pos_path_free(&c.path);
	if (rc != 0) {
		lm_plan_free(plan);
		return NULL;
	}
	return plan;
}

struct lm_plan *
lm_plan_load(const char *path, char *err, size_t errlen)
{
	struct lm_plan *plan;
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	FILE *f;
	int e;

	if (path == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no plan file given");
		return NULL;
	}
	f = fopen(path, "rb");
	if (f == NULL) {
		e = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot open: %s", path,
				 strerror(e));
		return NULL;
	}
	/* read to the end rather than trust a size: pipes and /dev/stdin work */
	for (;;) {
		if (cap - len < 4096) {
			cap = cap != 0 ? cap * 2 : 65536;
			nb = cap > SIZE_MAX / 4 ? NULL : realloc(buf, cap);
			if (nb == NULL) {
				if (err != NULL && errlen > 0)
					snprintf(err, errlen, "%s: out of memory",
						 path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		e = errno;
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: cannot read: %s", path,
				 strerror(e));
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	plan = lm_plan_load_text(buf, len, path, err, errlen);
	free(buf);
	return plan;
}

static void
free_http(struct lm_http_step *h)
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
}

void
lm_plan_free(struct lm_plan *plan)
{
	uint32_t i, j;

	if (plan == NULL)
		return;
	for (i = 0; plan->scenarios != NULL && i < plan->n_scenarios; i++) {
		struct lm_scenario *sc = &plan->scenarios[i];

		for (j = 0; sc->steps != NULL && j < sc->n_steps; j++) {
			free(sc->steps[j].name);
			switch (sc->steps[j].kind) {
			case LM_STEP_HTTP:
				free_http(&sc->steps[j].http);
				break;
			}
		}
		free(sc->steps);
		free(sc->name);
	}
	free(plan->scenarios);
	free(plan->name);
	free(plan->file);
	free(plan);
}

uint32_t
lm_plan_n_steps(const struct lm_plan *plan)
{
	uint32_t i, n = 0;

	if (plan == NULL)
		return 0;
	for (i = 0; i < plan->n_scenarios; i++)
		n += plan->scenarios[i].n_steps;
	return n;
}
