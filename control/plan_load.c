/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan loader: JSON text -> struct lm_plan (see lm/plan.h and
 * docs/plan.md).
 *
 * jansson parses; this file validates the tree and compiles it. Each object
 * is described by a key table and checked by json_check.h, so that unknown
 * keys, missing keys and wrong types get one wording whatever the object,
 * and every error names the file, line, column and JSON path. What is here
 * is what is particular to plans: ranges, defaults, addresses, HTTP
 * requests, and the checks that involve more than one value.
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
#include "json_check.h"

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
/* A generated body of at most 1 GiB keeps head + body inside 32 bits for
 * code that counts a request's bytes in uint32_t. */
#define PLAN_MAX_BODY_GEN ((long long)1 << 30)

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

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

enum { PORT_IP, PORT_PREFIX, PORT_GATEWAY, PORT_N };
static const struct lm_jc_key port_keys[PORT_N] = {
	[PORT_IP] = { "ip", LM_JT_STRING, true },
	[PORT_PREFIX] = { "prefix", LM_JT_INTEGER, false },
	[PORT_GATEWAY] = { "gateway", LM_JT_STRING, false },
};

static int
parse_port(struct lm_jc *c, json_t *o, struct lm_plan_port *p)
{
	json_t *v[PORT_N];
	long long prefix = PLAN_DEFAULT_PREFIX;
	char a[16], b[16];
	size_t saved;
	int rc;

	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, port_keys, PORT_N, v);
	if (rc == 0)
		rc = lm_jc_get_ipv4(c, "ip", v[PORT_IP], &p->ip);
	if (rc == 0)
		rc = lm_jc_get_int(c, "prefix", v[PORT_PREFIX], 1, 32, &prefix);
	if (rc != 0)
		return rc;
	p->prefix = (uint8_t)prefix;
	if (v[PORT_GATEWAY] == NULL)
		return 0;
	rc = lm_jc_get_ipv4(c, "gateway", v[PORT_GATEWAY], &p->gateway);
	if (rc != 0)
		return rc;
	saved = lm_jc_push_key(c, "gateway");
	if (p->gateway == p->ip)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"gateway %s is this port's own address",
				lm_jc_ip_str(p->gateway, a, sizeof(a)));
	else if (!on_link(p, p->gateway))
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "gateway %s is not inside %s/%u",
				lm_jc_ip_str(p->gateway, a, sizeof(a)),
				lm_jc_ip_str(p->ip, b, sizeof(b)), p->prefix);
	lm_jc_pop(c, saved);
	return rc;
}

static int
parse_ports(struct lm_jc *c, json_t *a, struct lm_plan *plan)
{
	size_t i, j, saved, s2;
	char buf[16];
	int rc;

	rc = lm_jc_check_count(c, a, LM_MAX_PORTS);
	if (rc != 0)
		return rc;
	for (i = 0; i < json_array_size(a); i++) {
		saved = lm_jc_push_index(c, i);
		rc = parse_port(c, json_array_get(a, i), &plan->ports[i]);
		for (j = 0; rc == 0 && j < i; j++) {
			if (plan->ports[j].ip != plan->ports[i].ip)
				continue;
			s2 = lm_jc_push_key(c, "ip");
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%s is already the address of ports[%zu]",
					lm_jc_ip_str(plan->ports[i].ip, buf,
						     sizeof(buf)), j);
			lm_jc_pop(c, s2);
		}
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
		plan->n_ports = (uint32_t)i + 1;
	}
	return 0;
}

enum { TARGET_IP, TARGET_PORT, TARGET_N };
static const struct lm_jc_key target_keys[TARGET_N] = {
	[TARGET_IP] = { "ip", LM_JT_STRING, true },
	[TARGET_PORT] = { "port", LM_JT_INTEGER, false },
};

static int
parse_target(struct lm_jc *c, json_t *o, struct lm_plan *plan)
{
	struct lm_plan_target *t = &plan->target;
	const struct lm_plan_port *p0 = &plan->ports[0];
	json_t *v[TARGET_N];
	long long port = PLAN_DEFAULT_PORT;
	char a[16], b[16];
	size_t saved;
	uint32_t i;
	int rc;

	rc = lm_jc_check_members(c, o, target_keys, TARGET_N, v);
	if (rc == 0)
		rc = lm_jc_get_ipv4(c, "ip", v[TARGET_IP], &t->ip);
	if (rc == 0)
		rc = lm_jc_get_int(c, "port", v[TARGET_PORT], 1, 65535, &port);
	if (rc != 0)
		return rc;
	t->port = (uint16_t)port;

	saved = lm_jc_push_key(c, "ip");
	for (i = 0; rc == 0 && i < plan->n_ports; i++)
		if (plan->ports[i].ip == t->ip)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%s is our own address (ports[%u].ip)",
					lm_jc_ip_str(t->ip, a, sizeof(a)), i);
	/* ports[0] is the port that reaches the target: on-link or via its gateway */
	if (rc == 0 && !on_link(p0, t->ip) && p0->gateway == 0)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"%s is not inside ports[0] (%s/%u), so ports[0] needs a gateway",
				lm_jc_ip_str(t->ip, a, sizeof(a)),
				lm_jc_ip_str(p0->ip, b, sizeof(b)), p0->prefix);
	lm_jc_pop(c, saved);
	return rc;
}

enum { LOAD_USERS, LOAD_DURATION, LOAD_MAX_RUNS, LOAD_N };
static const struct lm_jc_key load_keys[LOAD_N] = {
	[LOAD_USERS] = { "users", LM_JT_INTEGER, true },
	[LOAD_DURATION] = { "duration_s", LM_JT_NUMBER, false },
	[LOAD_MAX_RUNS] = { "max_runs", LM_JT_INTEGER, false },
};

static int
parse_load(struct lm_jc *c, json_t *o, struct lm_plan_load *l)
{
	json_t *v[LOAD_N];
	long long users = 0, max_runs = 0;
	int rc;

	l->duration_s = PLAN_DEFAULT_DURATION_S;
	rc = lm_jc_check_members(c, o, load_keys, LOAD_N, v);
	if (rc == 0)
		rc = lm_jc_get_int(c, "users", v[LOAD_USERS], 1, PLAN_MAX_USERS,
				   &users);
	if (rc == 0)
		rc = lm_jc_get_double(c, "duration_s", v[LOAD_DURATION], 0, false,
				      PLAN_MAX_DURATION_S, "0 to 31536000",
				      &l->duration_s);
	if (rc == 0)
		rc = lm_jc_get_int(c, "max_runs", v[LOAD_MAX_RUNS], 0, LLONG_MAX,
				   &max_runs);
	if (rc != 0)
		return rc;
	l->users = (uint32_t)users;
	l->max_runs = (uint64_t)max_runs;
	/* duration_s defaults to 10, so both are 0 only when duration_s is given */
	if (l->duration_s == 0 && l->max_runs == 0)
		rc = lm_jc_fail_key(c, "duration_s",
				    "duration_s and max_runs cannot both be 0 (the run would never end)");
	return rc;
}

/*
 * "tcp": every key has a default, so that a plan without the object (or
 * with only some keys) still fills in every field the stack reads.
 */
static const struct lm_plan_tcp tcp_defaults = {
	.time_wait_ms = 1000,
	.delayed_ack_ms = 0,
	.syn_retries = 3,
	.data_retries = 8,
	.window_bytes = 262144,
	.init_cwnd = 10,
	.sack = true,
	.timestamps = true,
	.window_scaling = true,
};

enum {
	TCP_TIME_WAIT, TCP_DELAYED_ACK, TCP_SYN_RETRIES, TCP_DATA_RETRIES,
	TCP_WINDOW, TCP_INIT_CWND, TCP_SACK, TCP_TIMESTAMPS, TCP_WSCALE, TCP_N
};
static const struct lm_jc_key tcp_keys[TCP_N] = {
	[TCP_TIME_WAIT] = { "time_wait_ms", LM_JT_INTEGER, false },
	[TCP_DELAYED_ACK] = { "delayed_ack_ms", LM_JT_INTEGER, false },
	[TCP_SYN_RETRIES] = { "syn_retries", LM_JT_INTEGER, false },
	[TCP_DATA_RETRIES] = { "data_retries", LM_JT_INTEGER, false },
	[TCP_WINDOW] = { "window_bytes", LM_JT_INTEGER, false },
	[TCP_INIT_CWND] = { "init_cwnd", LM_JT_INTEGER, false },
	[TCP_SACK] = { "sack", LM_JT_BOOL, false },
	[TCP_TIMESTAMPS] = { "timestamps", LM_JT_BOOL, false },
	[TCP_WSCALE] = { "window_scaling", LM_JT_BOOL, false },
};

/* The integer keys: their ranges and where they go. */
static const struct {
	size_t key;
	long long min, max;
	size_t off;
} tcp_ints[] = {
	/* 10 minutes: far beyond RFC 9293's 2 MSL of 4 minutes */
	{ TCP_TIME_WAIT, 0, 600000, offsetof(struct lm_plan_tcp, time_wait_ms) },
	/* RFC 9293 section 3.8.6.3: an ACK must not be delayed 500 ms or more */
	{ TCP_DELAYED_ACK, 0, 500, offsetof(struct lm_plan_tcp, delayed_ack_ms) },
	{ TCP_SYN_RETRIES, 0, 10, offsetof(struct lm_plan_tcp, syn_retries) },
	{ TCP_DATA_RETRIES, 1, 20, offsetof(struct lm_plan_tcp, data_retries) },
	/* RFC 7323 section 2.3: a shift of 14 carries at most 1 GiB; 16 MiB
	 * is already more than one connection of a load test needs */
	{ TCP_WINDOW, 1024, 16777216, offsetof(struct lm_plan_tcp, window_bytes) },
	{ TCP_INIT_CWND, 1, 100, offsetof(struct lm_plan_tcp, init_cwnd) },
};

static const struct {
	size_t key;
	size_t off;
} tcp_bools[] = {
	{ TCP_SACK, offsetof(struct lm_plan_tcp, sack) },
	{ TCP_TIMESTAMPS, offsetof(struct lm_plan_tcp, timestamps) },
	{ TCP_WSCALE, offsetof(struct lm_plan_tcp, window_scaling) },
};

static int
parse_tcp(struct lm_jc *c, json_t *o, struct lm_plan_tcp *t)
{
	json_t *v[TCP_N];
	long long x;
	size_t i;
	int rc;

	rc = lm_jc_check_members(c, o, tcp_keys, TCP_N, v);
	for (i = 0; rc == 0 && i < DIM(tcp_ints); i++) {
		size_t k = tcp_ints[i].key;

		x = 0;
		if (v[k] == NULL)
			continue;
		rc = lm_jc_get_int(c, tcp_keys[k].name, v[k], tcp_ints[i].min,
				   tcp_ints[i].max, &x);
		if (rc == 0)
			*(uint32_t *)((char *)t + tcp_ints[i].off) = (uint32_t)x;
	}
	for (i = 0; rc == 0 && i < DIM(tcp_bools); i++)
		rc = lm_jc_get_bool(c, tcp_keys[tcp_bools[i].key].name,
				    v[tcp_bools[i].key],
				    (bool *)((char *)t + tcp_bools[i].off));
	return rc;
}

#define IMPAIR_DEFAULT_SEED 1
#define IMPAIR_DEFAULT_DEPTH 3
#define IMPAIR_MAX_DEPTH 64  /* what dataplane/net/impair.h can hold back */

enum { DIR_DROP, DIR_DUP, DIR_REORDER, DIR_CORRUPT, DIR_DEPTH, DIR_N };
static const struct lm_jc_key impair_dir_keys[DIR_N] = {
	[DIR_DROP] = { "drop", LM_JT_NUMBER, false },
	[DIR_DUP] = { "dup", LM_JT_NUMBER, false },
	[DIR_REORDER] = { "reorder", LM_JT_NUMBER, false },
	[DIR_CORRUPT] = { "corrupt", LM_JT_NUMBER, false },
	[DIR_DEPTH] = { "reorder_depth", LM_JT_INTEGER, false },
};

static const size_t impair_probs[] = {
	[DIR_DROP] = offsetof(struct lm_impair_dir, drop),
	[DIR_DUP] = offsetof(struct lm_impair_dir, dup),
	[DIR_REORDER] = offsetof(struct lm_impair_dir, reorder),
	[DIR_CORRUPT] = offsetof(struct lm_impair_dir, corrupt),
};

static int
parse_impair_dir(struct lm_jc *c, json_t *o, struct lm_impair_dir *d)
{
	json_t *v[DIR_N];
	long long depth = d->reorder_depth;
	size_t i;
	int rc;

	rc = lm_jc_check_members(c, o, impair_dir_keys, DIR_N, v);
	for (i = 0; rc == 0 && i < DIM(impair_probs); i++)
		rc = lm_jc_get_double(c, impair_dir_keys[i].name, v[i], 0, false,
				      1, "0 to 1",
				      (double *)((char *)d + impair_probs[i]));
	if (rc == 0)
		rc = lm_jc_get_int(c, "reorder_depth", v[DIR_DEPTH], 1,
				   IMPAIR_MAX_DEPTH, &depth);
	d->reorder_depth = (uint32_t)depth;
	return rc;
}

static bool
impair_dir_active(const struct lm_impair_dir *d)
{
	return d->drop > 0 || d->dup > 0 || d->reorder > 0 || d->corrupt > 0;
}

enum { IMPAIR_SEED, IMPAIR_RX, IMPAIR_TX, IMPAIR_N };
static const struct lm_jc_key impair_keys[IMPAIR_N] = {
	[IMPAIR_SEED] = { "seed", LM_JT_INTEGER, false },
	[IMPAIR_RX] = { "rx", LM_JT_OBJECT, false },
	[IMPAIR_TX] = { "tx", LM_JT_OBJECT, false },
};

static int
parse_impair(struct lm_jc *c, json_t *o, struct lm_plan_impair *im)
{
	json_t *v[IMPAIR_N];
	long long seed = (long long)im->seed;
	size_t saved;
	int rc;

	rc = lm_jc_check_members(c, o, impair_keys, IMPAIR_N, v);
	if (rc == 0)
		rc = lm_jc_get_int(c, "seed", v[IMPAIR_SEED], 0, LLONG_MAX, &seed);
	if (rc != 0)
		return rc;
	im->seed = (uint64_t)seed;
	if (v[IMPAIR_RX] != NULL) {
		saved = lm_jc_push_key(c, "rx");
		rc = parse_impair_dir(c, v[IMPAIR_RX], &im->rx);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[IMPAIR_TX] != NULL) {
		saved = lm_jc_push_key(c, "tx");
		rc = parse_impair_dir(c, v[IMPAIR_TX], &im->tx);
		lm_jc_pop(c, saved);
	}
	im->enabled = impair_dir_active(&im->rx) || impair_dir_active(&im->tx);
	return rc;
}

/* What a plan holds for the keys it does not give. */
static void
plan_defaults(struct lm_plan *plan)
{
	plan->tcp = tcp_defaults;
	memset(&plan->impair, 0, sizeof(plan->impair));
	plan->impair.seed = IMPAIR_DEFAULT_SEED;
	plan->impair.rx.reorder_depth = IMPAIR_DEFAULT_DEPTH;
	plan->impair.tx.reorder_depth = IMPAIR_DEFAULT_DEPTH;
	plan->on_start = -1;
	plan->on_stop = -1;
	plan->load.max_users = 10000;
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

enum { HTTP_METHOD, HTTP_PATH, HTTP_HEADERS, HTTP_BODY, HTTP_EXPECT, HTTP_N };
static const struct lm_jc_key http_keys[HTTP_N] = {
	[HTTP_METHOD] = { "method", LM_JT_STRING, false },
	[HTTP_PATH] = { "path", LM_JT_STRING, true },
	[HTTP_HEADERS] = { "headers", LM_JT_OBJECT, false },
	[HTTP_BODY] = { "body", LM_JT_STRING | LM_JT_OBJECT, false },
	[HTTP_EXPECT] = { "expect", LM_JT_OBJECT, false },
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

static int
parse_http(struct lm_jc *c, json_t *o, struct lm_http_step *h,
	   const struct lm_plan_target *t)
{
	json_t *v[HTTP_N];
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
	if (rc == 0)
		rc = compile_request(c, h, t);
	return rc;
}

enum { STEP_NAME, STEP_TIMEOUT, STEP_HTTP, STEP_N };
static const struct lm_jc_key step_keys[STEP_N] = {
	[STEP_NAME] = { "name", LM_JT_STRING, false },
	[STEP_TIMEOUT] = { "timeout_ms", LM_JT_INTEGER, false },
	[STEP_HTTP] = { "http", LM_JT_OBJECT, false },
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
parse_step(struct lm_jc *c, json_t *o, const char *scenario, size_t index,
	   struct lm_step *s, const struct lm_plan_target *t)
{
	const char *kinds[N_STEP_KINDS];
	json_t *v[STEP_N];
	long long timeout = PLAN_DEFAULT_TIMEOUT_MS;
	char list[128];
	size_t i, k, found = N_STEP_KINDS, saved, len;
	int rc;

	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, step_keys, STEP_N, v);
	if (rc == 0 && v[STEP_NAME] != NULL)
		rc = lm_jc_get_string(c, "name", v[STEP_NAME], true, &s->name);
	if (rc == 0 && v[STEP_NAME] == NULL) {
		/* default name: "<scenario>.<index>" */
		len = (size_t)snprintf(NULL, 0, "%s.%zu", scenario, index) + 1;
		s->name = malloc(len);
		if (s->name == NULL)
			return lm_jc_oom(c);
		snprintf(s->name, len, "%s.%zu", scenario, index);
	}
	if (rc == 0)
		rc = lm_jc_get_int(c, "timeout_ms", v[STEP_TIMEOUT], 1,
				   PLAN_MAX_TIMEOUT_MS, &timeout);
	if (rc != 0)
		return rc;
	s->timeout_ms = (uint32_t)timeout;

	for (k = 0; k < N_STEP_KINDS; k++) {
		kinds[k] = step_keys[step_kinds[k].key].name;
		if (v[step_kinds[k].key] == NULL)
			continue;
		if (found < N_STEP_KINDS)
			return lm_jc_fail(c, LM_JC_AT_VALUE,
					  "step has more than one kind (\"%s\" and \"%s\")",
					  kinds[found], kinds[k]);
		found = k;
	}
	if (found == N_STEP_KINDS)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "step has no kind (expected %s)",
				  lm_jc_join_names(kinds, N_STEP_KINDS, true, list,
						   sizeof(list)));
	i = step_kinds[found].key;
	s->kind = step_kinds[found].kind;
	saved = lm_jc_push_key(c, step_keys[i].name);
	switch (s->kind) {
	case LM_STEP_HTTP:
		rc = parse_http(c, v[i], &s->http, t);
		break;
	}
	lm_jc_pop(c, saved);
	return rc;
}

enum { SCEN_NAME, SCEN_WEIGHT, SCEN_CLOSE, SCEN_STEPS, SCEN_N };
static const struct lm_jc_key scenario_keys[SCEN_N] = {
	[SCEN_NAME] = { "name", LM_JT_STRING, true },
	[SCEN_WEIGHT] = { "weight", LM_JT_NUMBER, false },
	[SCEN_CLOSE] = { "close", LM_JT_STRING, false },
	[SCEN_STEPS] = { "steps", LM_JT_ARRAY, true },
};

static const char *const close_names[] = {
	[LM_CLOSE_FIN] = "fin",
	[LM_CLOSE_RST] = "rst",
};

static int
parse_close(struct lm_jc *c, const json_t *v, enum lm_close_mode *mode)
{
	unsigned int i = (unsigned int)*mode;
	int rc;

	rc = lm_jc_get_enum(c, "close", v, close_names, DIM(close_names),
			    "close mode", true, &i);
	*mode = (enum lm_close_mode)i;
	return rc;
}

static int
parse_scenario(struct lm_jc *c, json_t *o, struct lm_scenario *sc,
	       const struct lm_plan_target *t)
{
	json_t *v[SCEN_N], *steps;
	size_t i, n, dup, first = 0, saved, s2;
	char q[LM_JC_QUOTE_BUF];
	int rc;

	sc->weight = 1.0;
	sc->close = LM_CLOSE_FIN;
	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, scenario_keys, SCEN_N, v);
	if (rc == 0)
		rc = lm_jc_get_string(c, "name", v[SCEN_NAME], true, &sc->name);
	if (rc == 0)
		rc = lm_jc_get_double(c, "weight", v[SCEN_WEIGHT], 0, true,
				      PLAN_MAX_WEIGHT,
				      "more than 0 and at most 1000000000",
				      &sc->weight);
	if (rc == 0)
		rc = parse_close(c, v[SCEN_CLOSE], &sc->close);
	if (rc != 0)
		return rc;

	steps = v[SCEN_STEPS];
	saved = lm_jc_push_key(c, "steps");
	rc = lm_jc_check_count(c, steps, PLAN_MAX_STEPS);
	if (rc != 0)
		goto out;
	n = json_array_size(steps);
	sc->steps = calloc(n, sizeof(*sc->steps));
	if (sc->steps == NULL) {
		rc = lm_jc_oom(c);
		goto out;
	}
	sc->n_steps = (uint32_t)n;
	for (i = 0; rc == 0 && i < n; i++) {
		s2 = lm_jc_push_index(c, i);
		rc = parse_step(c, json_array_get(steps, i), sc->name, i,
				&sc->steps[i], t);
		lm_jc_pop(c, s2);
	}
	if (rc != 0)
		goto out;

	rc = lm_jc_find_duplicate(sc->steps, n, sizeof(*sc->steps),
				  offsetof(struct lm_step, name), &dup, &first);
	if (rc != 0) {
		rc = lm_jc_oom(c);
		goto out;
	}
	if (dup < n) {
		json_t *so = json_array_get(steps, dup);
		const char *name = sc->steps[dup].name;

		s2 = lm_jc_push_index(c, dup);
		if (json_object_get(so, "name") != NULL)
			lm_jc_push_key(c, "name");
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"duplicate step name %s (also steps[%zu])",
				lm_jc_quote(q, sizeof(q), name, strlen(name)),
				first);
		lm_jc_pop(c, s2);
	}
out:
	lm_jc_pop(c, saved);
	return rc;
}

static int
parse_scenarios(struct lm_jc *c, json_t *a, struct lm_plan *plan)
{
	size_t i, n, dup, first = 0, saved;
	char q[LM_JC_QUOTE_BUF];
	int rc;

	rc = lm_jc_check_count(c, a, PLAN_MAX_SCENARIOS);
	if (rc != 0)
		return rc;
	n = json_array_size(a);
	plan->scenarios = calloc(n, sizeof(*plan->scenarios));
	if (plan->scenarios == NULL)
		return lm_jc_oom(c);
	plan->n_scenarios = (uint32_t)n;
	for (i = 0; i < n; i++) {
		saved = lm_jc_push_index(c, i);
		rc = parse_scenario(c, json_array_get(a, i), &plan->scenarios[i],
				    &plan->target);
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
	}

	if (lm_jc_find_duplicate(plan->scenarios, n, sizeof(*plan->scenarios),
				 offsetof(struct lm_scenario, name), &dup,
				 &first) != 0)
		return lm_jc_oom(c);
	if (dup == n)
		return 0;
	saved = lm_jc_push_index(c, dup);
	lm_jc_push_key(c, "name");
	rc = lm_jc_fail(c, LM_JC_AT_VALUE,
			"duplicate scenario name %s (also scenarios[%zu])",
			lm_jc_quote(q, sizeof(q), plan->scenarios[dup].name,
				    strlen(plan->scenarios[dup].name)),
			first);
	lm_jc_pop(c, saved);
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

enum {
	PLAN_NAME, PLAN_PORTS, PLAN_TARGET, PLAN_LOAD, PLAN_TCP, PLAN_IMPAIR,
	PLAN_SCENARIOS, PLAN_N
};
static const struct lm_jc_key plan_keys[PLAN_N] = {
	[PLAN_NAME] = { "name", LM_JT_STRING, false },
	[PLAN_PORTS] = { "ports", LM_JT_ARRAY, true },
	[PLAN_TARGET] = { "target", LM_JT_OBJECT, true },
	[PLAN_LOAD] = { "load", LM_JT_OBJECT, true },
	[PLAN_TCP] = { "tcp", LM_JT_OBJECT, false },
	[PLAN_IMPAIR] = { "impair", LM_JT_OBJECT, false },
	[PLAN_SCENARIOS] = { "scenarios", LM_JT_ARRAY, true },
};

static int
parse_plan(struct lm_jc *c, json_t *root, struct lm_plan *plan)
{
	json_t *v[PLAN_N];
	size_t saved;
	int rc;

	plan_defaults(plan);
	rc = lm_jc_check_type(c, root, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, root, plan_keys, PLAN_N, v);
	if (rc != 0)
		return rc;
	if (v[PLAN_NAME] != NULL) {
		rc = lm_jc_get_string(c, "name", v[PLAN_NAME], true, &plan->name);
	} else {
		plan->name = default_name(c->file);
		if (plan->name == NULL)
			rc = lm_jc_oom(c);
	}
	if (rc != 0)
		return rc;

	/* in dependency order: the target needs the ports, requests the target */
	saved = lm_jc_push_key(c, "ports");
	rc = parse_ports(c, v[PLAN_PORTS], plan);
	lm_jc_pop(c, saved);
	if (rc == 0) {
		saved = lm_jc_push_key(c, "target");
		rc = parse_target(c, v[PLAN_TARGET], plan);
		lm_jc_pop(c, saved);
	}
	if (rc == 0) {
		saved = lm_jc_push_key(c, "load");
		rc = parse_load(c, v[PLAN_LOAD], &plan->load);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[PLAN_TCP] != NULL) {
		saved = lm_jc_push_key(c, "tcp");
		rc = parse_tcp(c, v[PLAN_TCP], &plan->tcp);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[PLAN_IMPAIR] != NULL) {
		saved = lm_jc_push_key(c, "impair");
		rc = parse_impair(c, v[PLAN_IMPAIR], &plan->impair);
		lm_jc_pop(c, saved);
	}
	if (rc == 0) {
		saved = lm_jc_push_key(c, "scenarios");
		rc = parse_scenarios(c, v[PLAN_SCENARIOS], plan);
		lm_jc_pop(c, saved);
	}
	return rc;
}

struct lm_plan *
lm_plan_load_text(const char *text, size_t len, const char *file, char *err,
		  size_t errlen)
{
	struct lm_jc c;
	struct lm_plan *plan;
	json_t *root;
	int rc;

	lm_jc_init(&c, file, text, len, err, errlen);
	/* JSON_ALLOW_NUL so that a body may carry any byte; every other
	 * string is checked for NUL by lm_jc_get_string(). */
	root = lm_jc_parse(&c, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL);
	if (root == NULL)
		return NULL;
	plan = calloc(1, sizeof(*plan));
	if (plan == NULL) {
		json_decref(root);
		lm_jc_oom(&c);
		return NULL;
	}
	plan->file = strdup(c.file);
	rc = plan->file != NULL ? parse_plan(&c, root, plan) : lm_jc_oom(&c);
	json_decref(root);
	lm_jc_fini(&c);
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
	size_t len;
	char *buf;

	if (path == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no plan file given");
		return NULL;
	}
	if (lm_jc_read_file(path, &buf, &len, err, errlen) != 0)
		return NULL;
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
