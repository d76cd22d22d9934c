/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HTTP API (control/api.c), over real HTTP on the
 * loopback: libcurl plays the client against a listener on a port the
 * kernel picks (PORT 0), so that parallel test runs never collide.
 */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <jansson.h>

#include "api.h"
#include "api_client.h"
#include "merge.h"

static struct lm_api *
start(const char *addr, const char *token)
{
	char err[256] = "";
	struct lm_api *a = lm_api_start(addr, token, NULL, err, sizeof(err));

	if (a == NULL)
		fail_msg("lm_api_start(%s): %s", addr, err);
	port = lm_api_port(a);
	assert_true(port != 0);
	return a;
}

static size_t
drain(struct lm_api *a)
{
	struct lm_api_cmd cmd;
	size_t n = 0;

	while (lm_api_take_command(a, &cmd))
		n++;
	return n;
}

/* ---- tests ---- */

static void
test_documents(void **state)
{
	static const struct {
		const char *path;
		enum lm_api_doc doc;
		const char *ctype;
	} docs[] = {
		{ "/metrics", LM_API_DOC_METRICS,
		  "text/plain; version=0.0.4; charset=utf-8" },
		{ "/api/status", LM_API_DOC_STATUS, "application/json" },
		{ "/api/stats", LM_API_DOC_STATS, "application/json" },
		{ "/api/report", LM_API_DOC_REPORT, "application/json" },
	};
	struct lm_api *a;
	struct resp r;
	char text[64];

	(void)state;
	unsetenv(LM_API_TOKEN_ENV);
	a = start("127.0.0.1:0", NULL);
	/* nothing published: not ready, and no report before the end */
	assert_int_equal(status_of("GET", "/metrics", NULL, NULL), 503);
	assert_int_equal(status_of("GET", "/api/status", NULL, NULL), 503);
	assert_int_equal(status_of("GET", "/api/stats", NULL, NULL), 503);
	assert_int_equal(status_of("GET", "/api/report", NULL, NULL), 404);
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < 4; i++) {
			snprintf(text, sizeof(text), "doc %zu round %d\n", i,
				 round);
			lm_api_publish(a, docs[i].doc, text, strlen(text));
		}
		for (size_t i = 0; i < 4; i++) {
			snprintf(text, sizeof(text), "doc %zu round %d\n", i,
				 round);
			http(&r, "GET", docs[i].path, NULL, 0, false, NULL);
			assert_int_equal(r.rc, CURLE_OK);
			assert_int_equal(r.status, 200);
			assert_string_equal(r.ctype, docs[i].ctype);
			assert_non_null(r.body);
			assert_string_equal(r.body, text);
			free(r.body);
		}
	}
	/* HEAD: the headers of GET, no body */
	http(&r, "HEAD", "/metrics", NULL, 0, false, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	free(r.body);
	/* an empty document is still a document */
	lm_api_publish(a, LM_API_DOC_STATUS, "", 0);
	http(&r, "GET", "/api/status", NULL, 0, false, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 0);
	free(r.body);

	assert_int_equal(status_of("GET", "/nope", NULL, NULL), 404);
	assert_int_equal(status_of("GET", "/api", NULL, NULL), 404);
	assert_int_equal(status_of("GET", "/metrics/", NULL, NULL), 404);
	assert_int_equal(status_of("POST", "/nope", "{}", NULL), 404);
	/* a query string does not change the route */
	assert_int_equal(status_of("GET", "/metrics?x=1", NULL, NULL), 200);

	http(&r, "POST", "/metrics", "{}", 2, false, NULL);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "GET, HEAD");
	free(r.body);
	http(&r, "GET", "/api/load", NULL, 0, false, NULL);
	assert_int_equal(r.status, 405);
	assert_string_equal(r.allow, "POST");
	free(r.body);
	assert_int_equal(status_of("PUT", "/api/stop", "{}", NULL), 405);
	assert_int_equal(status_of("DELETE", "/api/report", NULL, NULL), 405);
	assert_int_equal(drain(a), 0);
	lm_api_stop(a);
}

static void
test_commands(void **state)
{
	static const char *const bad[] = {
		"{", "nonsense", "[]", "3", "{}", "{\"users\": 0}",
		"{\"users\": -1}", "{\"users\": 2.5}", "{\"users\": \"3\"}",
		"{\"users\": null}", "{\"users\": 1e12}", "{\"rate\": 0}",
		"{\"rate\": -1}", "{\"rate\": true}",
		"{\"users\": 1, \"rate\": 2}", "{\"speed\": 1}",
		"{\"users\": 1, \"users\": 2}", "{\"users\": 1} x",
	};
	struct lm_api_cmd cmd;
	struct lm_api *a;

	(void)state;
	unsetenv(LM_API_TOKEN_ENV);
	a = start("127.0.0.1:0", NULL);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 10}",
				   NULL), 202);
	assert_int_equal(status_of("POST", "/api/load", "{\"rate\": 2.5}",
				   NULL), 202);
	assert_int_equal(status_of("POST", "/api/stop", NULL, NULL), 202);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 7.0}",
				   NULL), 202);
	assert_int_equal(status_of("POST", "/api/stop", "{}", NULL), 202);
	/* in the order received */
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_USERS);
	assert_true(cmd.value == 10);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_RATE);
	assert_true(cmd.value == 2.5);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_STOP);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_USERS);
	assert_true(cmd.value == 7);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_STOP);
	assert_false(lm_api_take_command(a, &cmd));

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (status_of("POST", "/api/load", bad[i], NULL) != 400)
			fail_msg("body %s not refused with 400", bad[i]);
	assert_int_equal(status_of("POST", "/api/load", NULL, NULL), 400);
	assert_int_equal(status_of("POST", "/api/stop", "nonsense", NULL), 400);
	assert_int_equal(drain(a), 0);

	/* a closed-model run: a rate is refused, users taken */
	lm_api_accept_load(a, true, false);
	assert_int_equal(status_of("POST", "/api/load", "{\"rate\": 5}", NULL),
			 409);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 5}",
				   NULL), 202);
	assert_int_equal(drain(a), 1);

	/* the queue is bounded: the control loop takes them at its pace */
	for (int i = 0; i < LM_API_QUEUE; i++)
		assert_int_equal(status_of("POST", "/api/stop", NULL, NULL),
				 202);
	assert_int_equal(status_of("POST", "/api/stop", NULL, NULL), 503);
	assert_int_equal(drain(a), LM_API_QUEUE);
	assert_int_equal(status_of("POST", "/api/stop", NULL, NULL), 202);
	assert_int_equal(drain(a), 1);
	lm_api_stop(a);
}

static void
test_auth(void **state)
{
	struct lm_api *a;
	struct resp r;

	(void)state;
	unsetenv(LM_API_TOKEN_ENV);
	a = start("127.0.0.1:0", "s3cr3t");
	/* reading needs no token */
	assert_int_equal(status_of("GET", "/api/report", NULL, NULL), 404);
	http(&r, "POST", "/api/stop", "{}", 2, false, NULL);
	assert_int_equal(r.status, 401);
	assert_true(r.www_auth);
	free(r.body);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer s3cr3"),
			 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer s3cr3tt"),
			 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer "), 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Basic s3cr3t"),
			 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "s3cr3t"), 401);
	/* refused before the body is looked at */
	assert_int_equal(status_of("POST", "/api/load", "{", "Bearer x"), 401);
	assert_int_equal(drain(a), 0);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer s3cr3t"),
			 202);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 3}",
				   "bearer s3cr3t"), 202);
	assert_int_equal(drain(a), 2);
	lm_api_stop(a);

	/* from the environment when no token is given */
	setenv(LM_API_TOKEN_ENV, "envtok", 1);
	a = start("127.0.0.1:0", NULL);
	assert_int_equal(status_of("POST", "/api/stop", NULL, NULL), 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer envtok"),
			 202);
	lm_api_stop(a);
	/* a given token wins over the environment */
	a = start("127.0.0.1:0", "argtok");
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer envtok"),
			 401);
	assert_int_equal(status_of("POST", "/api/stop", NULL, "Bearer argtok"),
			 202);
	lm_api_stop(a);
	/* empty: no token */
	setenv(LM_API_TOKEN_ENV, "", 1);
	a = start("127.0.0.1:0", NULL);
	assert_int_equal(status_of("POST", "/api/stop", NULL, NULL), 202);
	lm_api_stop(a);
	unsetenv(LM_API_TOKEN_ENV);
}

static void
test_too_large(void **state)
{
	size_t big = 100 * 1024;
	char *body = malloc(big + 1);
	struct lm_api *a;
	struct resp r;

	(void)state;
	assert_non_null(body);
	unsetenv(LM_API_TOKEN_ENV);
	a = start("127.0.0.1:0", NULL);
	/* with a Content-Length: refused before the body is read */
	memset(body, ' ', big);
	memcpy(body, "{\"users\": 1}", 12);
	http(&r, "POST", "/api/load", body, big, false, NULL);
	assert_int_equal(r.status, 413);
	free(r.body);
	/* chunked: read to the end (MHD cannot answer earlier), dropped */
	http(&r, "POST", "/api/load", body, big, true, NULL);
	assert_int_equal(r.status, 413);
	free(r.body);
	/* an endless one: the connection is closed past 1 MiB */
	char *huge = malloc(4 << 20);

	assert_non_null(huge);
	memset(huge, ' ', 4 << 20);
	http(&r, "POST", "/api/load", huge, 4 << 20, true, NULL);
	assert_int_not_equal(r.rc, CURLE_OK);
	free(r.body);
	free(huge);
	/* a good body of exactly 64 KiB (spaces are JSON whitespace) */
	http(&r, "POST", "/api/load", body, LM_API_MAX_BODY, false, NULL);
	assert_int_equal(r.status, 202);
	free(r.body);
	http(&r, "POST", "/api/load", body, LM_API_MAX_BODY, true, NULL);
	assert_int_equal(r.status, 202);
	free(r.body);
	assert_int_equal(drain(a), 2);
	/* and the listener is still fine */
	assert_int_equal(status_of("GET", "/api/report", NULL, NULL), 404);
	lm_api_stop(a);
	free(body);
}

static void
test_start_errors(void **state)
{
	static const char *const bad[] = {
		"", "nonsense", "80x", "127.0.0.1:", "127.0.0.1:99999",
		"300.1.1.1:80", "[::1", "[::1]", "[::1]80", "::1:80",
		"[127.0.0.1]:80", "-1", "host.example:80",
	};
	char err[256];
	struct lm_api *a, *b;
	uint16_t p;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_null(lm_api_start(bad[i], NULL, NULL, err, sizeof(err)));
		assert_non_null(strstr(err, "[ADDR:]PORT"));
	}
	/* a port in use: said so */
	a = start("localhost:0", NULL);
	p = port;
	snprintf(err, sizeof(err), "127.0.0.1:%u", p);
	b = lm_api_start(err, NULL, NULL, err, sizeof(err));
	assert_null(b);
	assert_non_null(strstr(err, "Address already in use"));
	lm_api_stop(a);
	/* stopping closed the socket: the port is free again */
	snprintf(err, sizeof(err), "%u", p);
	a = lm_api_start(err, NULL, NULL, err, sizeof(err));
	assert_non_null(a);
	assert_int_equal(lm_api_port(a), p);
	lm_api_stop(a);
	lm_api_stop(NULL);
	/* IPv6, where the host has it */
	a = lm_api_start("[::1]:0", NULL, NULL, err, sizeof(err));
	if (a != NULL) {
		port = lm_api_port(a);
		host = "[::1]";
		assert_int_equal(status_of("GET", "/api/report", NULL, NULL),
				 404);
		host = "127.0.0.1";
		lm_api_stop(a);
	} else {
		print_message("# no IPv6 loopback: %s\n", err);
	}
}

/* Publishing while clients read: every answer is one whole version. */
struct publisher {
	struct lm_api *a;
	bool stop;                 /* atomic */
};

static void *
publish_loop(void *arg)
{
	struct publisher *p = arg;
	static char big[2][8192];

	memset(big[0], 'a', sizeof(big[0]));
	memset(big[1], 'b', sizeof(big[1]));
	for (unsigned int i = 0; !__atomic_load_n(&p->stop, __ATOMIC_RELAXED);
	     i++)
		lm_api_publish(p->a, LM_API_DOC_METRICS, big[i & 1],
			       sizeof(big[0]));
	return NULL;
}

static void
test_publish_concurrent(void **state)
{
	struct publisher p = { 0 };
	pthread_t t;
	struct resp r;

	(void)state;
	unsetenv(LM_API_TOKEN_ENV);
	p.a = start("127.0.0.1:0", NULL);
	lm_api_publish(p.a, LM_API_DOC_METRICS, "x", 1);
	assert_int_equal(pthread_create(&t, NULL, publish_loop, &p), 0);
	for (int i = 0; i < 50; i++) {
		http(&r, "GET", "/metrics", NULL, 0, false, NULL);
		assert_int_equal(r.status, 200);
		if (r.len != 1) {
			assert_int_equal(r.len, 8192);
			for (size_t k = 1; k < r.len; k++)
				assert_int_equal(r.body[k], r.body[0]);
		}
		free(r.body);
	}
	__atomic_store_n(&p.stop, true, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	lm_api_stop(p.a);
}

/* ---- the JSON documents ---- */

static struct lm_step steps_a[] = {
	{ .name = (char *)"home", .kind = LM_STEP_HTTP,
	  .http = { .method = LM_HTTP_GET, .path = (char *)"/" } },
	{ .name = (char *)"pause", .kind = LM_STEP_THINK },
	{ .name = (char *)"buy", .kind = LM_STEP_HTTP,
	  .http = { .method = LM_HTTP_POST, .path = (char *)"/cart" } },
};
static struct lm_scenario scens[] = {
	{ .name = (char *)"shop", .weight = 1, .steps = steps_a, .n_steps = 3 },
};
static struct lm_plan plan = {
	.name = (char *)"unit", .scenarios = scens, .n_scenarios = 1,
	.on_start = -1, .on_stop = -1,
	.load = { .model = LM_LOAD_CLOSED, .users = 8, .duration_s = 30 },
};

static void
fill(struct lm_view *v, uint64_t reqs, uint64_t fails, uint64_t lat_ns)
{
	assert_int_equal(lm_view_init(v, 1, 3), 0);
	v->w.users_active = 8;
	v->w.conns_active = 6;
	v->w.requests_inflight = 2;
	v->scen[0].runs_ok = reqs / 2;
	v->steps[0].requests = reqs;
	v->steps[0].ok = reqs - fails;
	v->steps[0].failed = fails;
	v->steps[0].errors[LM_ERR_TIMEOUT] = fails;
	v->steps[0].tx_bytes = reqs * 100;
	v->steps[2].requests = reqs / 2;
	v->steps[2].ok = reqs / 2;
	for (uint64_t i = 0; i < reqs - fails; i++)
		lm_hdr_record(&v->steps[0].latency, lat_ns);
}

static double
num(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	/* "a.b.c": members of members */
	while ((dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = json_object_get(o, path);
	if (!json_is_number(o))
		fail_msg("%s is not a number", path);
	return json_number_value(o);
}

static void
test_render_json(void **state)
{
	const struct lm_prom_extra x = {
		.state = "running", .elapsed_s = 3, .target_users = 8,
		.target_rate = -1, .plan = "unit", .shard = NULL,
	};
	struct lm_view before, now;
	json_t *o, *steps, *s0;
	char *t;

	(void)state;
	fill(&before, 100, 0, 1000000);
	fill(&now, 300, 10, 1000000);
	/* half of the interval's 380 responses are slower: 5 ms */
	for (int i = 0; i < 190; i++)
		lm_hdr_record(&now.steps[0].latency, 5000000);

	t = lm_api_render_stats(&plan, &now, &before, 2.0);
	assert_non_null(t);
	o = json_loads(t, 0, NULL);
	assert_non_null(o);
	steps = json_object_get(o, "steps");
	/* the think step has no row */
	assert_int_equal(json_array_size(steps), 2);
	s0 = json_array_get(steps, 0);
	assert_string_equal(json_string_value(json_object_get(s0, "scenario")),
			    "shop");
	assert_string_equal(json_string_value(json_object_get(s0, "step")),
			    "home");
	assert_string_equal(json_string_value(json_object_get(s0, "method")),
			    "GET");
	assert_true(num(s0, "requests") == 300);
	assert_true(num(s0, "failed") == 10);
	assert_true(num(s0, "req_s") == 100);   /* 200 over 2 s */
	assert_true(num(s0, "fail_s") == 5);
	assert_true(num(s0, "errors.timeout") == 10);
	assert_null(json_object_get(json_object_get(s0, "errors"), "reset"));
	assert_true(fabs(num(s0, "interval_ms.p50") - 1) < 0.01);
	assert_true(fabs(num(s0, "interval_ms.p90") - 5) < 0.05);
	assert_true(fabs(num(s0, "latency_ms.p50") - 1) < 0.01);
	assert_true(num(s0, "tx_bytes") == 30000);
	assert_true(num(o, "totals.requests") == 450);
	assert_true(num(o, "totals.req_s") == 150);
	assert_true(num(o, "errors.timeout") == 10);
	assert_true(num(o, "errors.reset") == 0);
	assert_true(num(o, "interval_s") == 2);
	json_decref(o);
	free(t);

	/* no previous view: no rates */
	t = lm_api_render_stats(&plan, &now, NULL, 0);
	o = json_loads(t, 0, NULL);
	assert_non_null(o);
	assert_true(num(o, "totals.req_s") == 0);
	assert_true(num(o, "totals.requests") == 450);
	json_decref(o);
	free(t);

	t = lm_api_render_status(&plan, &now, &x);
	o = json_loads(t, 0, NULL);
	assert_non_null(o);
	assert_string_equal(json_string_value(json_object_get(o, "state")),
			    "running");
	assert_string_equal(json_string_value(json_object_get(o, "model")),
			    "closed");
	assert_null(json_object_get(o, "shard"));
	assert_null(json_object_get(o, "target_rate"));
	assert_true(num(o, "target_users") == 8);
	assert_true(num(o, "users") == 8);
	assert_true(num(o, "requests") == 450);
	assert_true(num(o, "failed") == 10);
	assert_true(num(o, "runs") == 150);
	assert_true(num(o, "elapsed_s") == 3);
	json_decref(o);
	free(t);
	lm_view_free(&before);
	lm_view_free(&now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_documents),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_auth),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_start_errors),
		cmocka_unit_test(test_publish_concurrent),
		cmocka_unit_test(test_render_json),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
