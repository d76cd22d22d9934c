/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of what the API serves the web UI (control/api.c,
 * api_store.c, api_cmd.c), over real HTTP on the loopback: the embedded
 * files, the start form's POST, the Origin check, the history, the
 * downloads rendered on demand (a request parked until the control loop
 * publishes, or answered 503 when it does not), and the .hlog.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "api.h"
#include "api_client.h"
#include "ui_assets.h"

static struct lm_api *
start(void)
{
	char err[256] = "";
	struct lm_api *a;

	unsetenv(LM_API_TOKEN_ENV);
	a = lm_api_start("127.0.0.1:0", NULL, NULL, err, sizeof(err));
	if (a == NULL)
		fail_msg("lm_api_start: %s", err);
	port = lm_api_port(a);
	return a;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_assets(void **state)
{
	static const char *const names[] = { "index.html", "app.js",
		"charts.js", "style.css", "report.js", "favicon.svg" };
	struct lm_api *a = start();
	struct resp r;
	char path[64];

	(void)state;
	http(&r, "GET", "/", NULL, 0, false, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "text/html; charset=utf-8");
	assert_int_equal(r.len, lm_asset_find("index.html")->len);
	assert_memory_equal(r.body, lm_asset_find("index.html")->data, r.len);
	free(r.body);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct lm_asset *as = lm_asset_find(names[i]);

		assert_non_null(as);
		snprintf(path, sizeof(path), "/ui/%s", names[i]);
		http(&r, "GET", path, NULL, 0, false, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.ctype, as->ctype);
		assert_int_equal(r.len, as->len);
		assert_memory_equal(r.body, as->data, r.len);
		free(r.body);
	}
	assert_int_equal(status_of("GET", "/ui/nope.js", NULL, NULL), 404);
	assert_int_equal(status_of("GET", "/ui/", NULL, NULL), 404);
	assert_int_equal(status_of("GET", "/index.html", NULL, NULL), 404);
	assert_int_equal(status_of("POST", "/", "{}", NULL), 405);
	assert_int_equal(status_of("HEAD", "/ui/app.js", NULL, NULL), 200);
	assert_null(lm_asset_find("nope"));
	lm_api_stop(a);
}

static void
test_start(void **state)
{
	static const char *const bad[] = { "{\"users\": 0}", "{\"users\": 2.5}",
		"{\"users\": 11}", "{\"users\": 2, \"users\": 3}",
		"{\"users\": 2, \"rate\": 3}", "{\"spawn_rate\": -1}",
		"{\"spawn_rate\": \"fast\"}", "{\"duration\": 0}",
		"{\"duration\": 1e12}", "{\"colour\": 1}", "[]", "{" };
	struct lm_api *a = start();
	struct lm_api_cmd cmd;

	(void)state;
	lm_api_accept_load(a, true, false);
	lm_api_max_users(a, 10);
	/* not waiting: a start is refused */
	assert_int_equal(status_of("POST", "/api/start", "{\"users\": 2}", NULL),
			 409);
	lm_api_set_waiting(a, true);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (status_of("POST", "/api/start", bad[i], NULL) != 400)
			fail_msg("start %s not refused with 400", bad[i]);
	assert_int_equal(status_of("POST", "/api/start", "{\"rate\": 5}", NULL),
			 409);
	assert_false(lm_api_take_command(a, &cmd));
	assert_int_equal(status_of("POST", "/api/start", "{\"users\": 4, "
				   "\"spawn_rate\": 2, \"duration\": 30}", NULL),
			 202);
	/* once only */
	assert_int_equal(status_of("POST", "/api/start", "{\"users\": 4}", NULL),
			 409);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_START);
	assert_true(cmd.value == 4 && cmd.spawn_rate == 2 &&
		    cmd.duration_s == 30);
	assert_false(lm_api_take_command(a, &cmd));
	/* every key may be left out: the plan's values */
	lm_api_set_waiting(a, true);
	assert_int_equal(status_of("POST", "/api/start", "{}", NULL), 202);
	assert_true(lm_api_take_command(a, &cmd));
	assert_true(cmd.value < 0 && cmd.spawn_rate < 0 && cmd.duration_s < 0);
	/* load changes: the room of the run, then none once it is over */
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 11}", NULL),
			 400);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 10}", NULL),
			 202);
	assert_true(lm_api_take_command(a, &cmd));
	lm_api_accept_load(a, false, false);
	assert_int_equal(status_of("POST", "/api/load", "{\"users\": 3}", NULL),
			 409);
	lm_api_stop(a);
}

static void
test_origin(void **state)
{
	struct lm_api *a = start();
	const char *evil[] = { "Origin: http://elsewhere.example", NULL };
	const char *null_origin[] = { "Origin: null", NULL };
	const char *https[] = { NULL, NULL };
	char own[64], own_https[64];
	const char *mine[] = { own, NULL };
	struct lm_api_cmd cmd;
	struct resp r;

	(void)state;
	snprintf(own, sizeof(own), "Origin: http://127.0.0.1:%u", port);
	snprintf(own_https, sizeof(own_https), "Origin: https://127.0.0.1:%u",
		 port);
	https[0] = own_https;
	http_ex(&r, evil, "POST", "/api/stop", NULL, 0, false, NULL);
	assert_int_equal(r.status, 403);
	free(r.body);
	http_ex(&r, null_origin, "POST", "/api/stop", NULL, 0, false, NULL);
	assert_int_equal(r.status, 403);
	free(r.body);
	http_ex(&r, https, "POST", "/api/stop", NULL, 0, false, NULL);
	assert_int_equal(r.status, 403);
	free(r.body);
	assert_false(lm_api_take_command(a, &cmd));
	http_ex(&r, mine, "POST", "/api/stop", NULL, 0, false, NULL);
	assert_int_equal(r.status, 202);
	free(r.body);
	assert_true(lm_api_take_command(a, &cmd));
	assert_int_equal(cmd.kind, LM_API_CMD_STOP);
	/* a GET from anywhere is fine: it changes nothing */
	lm_api_publish(a, LM_API_DOC_STATUS, "{}", 2);
	http_ex(&r, evil, "GET", "/api/status", NULL, 0, false, NULL);
	assert_int_equal(r.status, 200);
	free(r.body);
	lm_api_stop(a);
}

static void
test_history(void **state)
{
	struct lm_api *a = start();
	json_t *o, *rows;
	struct resp r;
	char row[64];

	(void)state;
	assert_int_equal(status_of("GET", "/api/history", NULL, NULL), 503);
	assert_int_equal(lm_api_history_head(a,
		"{\"interval_s\":1,\"steps\":[],\"rows\":["), 0);
	for (int i = 0; i <= 3; i++) {
		if (i > 0) {
			snprintf(row, sizeof(row), "{\"t_s\":%d}", i);
			assert_int_equal(lm_api_history_add(a, row), 0);
		}
		http(&r, "GET", "/api/history", NULL, 0, false, NULL);
		assert_int_equal(r.status, 200);
		assert_string_equal(r.ctype, "application/json");
		o = json_loads(r.body, 0, NULL);
		assert_non_null(o);
		rows = json_object_get(o, "rows");
		assert_int_equal(json_array_size(rows), i);
		for (int k = 0; k < i; k++)
			assert_int_equal(json_integer_value(json_object_get(
				json_array_get(rows, k), "t_s")), k + 1);
		json_decref(o);
		free(r.body);
	}
	lm_api_stop(a);
}

struct fetch {
	const char *path;
	struct resp r;
	double seconds;
};

static void *
fetch_thread(void *arg)
{
	struct fetch *f = arg;
	double t0 = now_s();

	http(&f->r, "GET", f->path, NULL, 0, false, NULL);
	f->seconds = now_s() - t0;
	return NULL;
}

/* The control loop's part: wait for the wish, then render. */
static bool
wanted_within(struct lm_api *a, enum lm_api_doc doc, double seconds)
{
	double t0 = now_s();

	while (now_s() - t0 < seconds) {
		if (lm_api_wanted(a) & (1u << doc))
			return true;
		usleep(5000);
	}
	return false;
}

static void
test_downloads(void **state)
{
	struct lm_api *a = start();
	struct fetch f = { .path = "/download/summary.json" };
	pthread_t t;

	(void)state;
	/* while the run goes on: parked until published */
	assert_int_equal(pthread_create(&t, NULL, fetch_thread, &f), 0);
	assert_true(wanted_within(a, LM_API_DOC_SUMMARY, 3));
	lm_api_publish(a, LM_API_DOC_SUMMARY, "{\"n\":1}", 7);
	assert_int_equal(lm_api_wanted(a) & (1u << LM_API_DOC_SUMMARY), 0);
	pthread_join(t, NULL);
	assert_int_equal(f.r.status, 200);
	assert_string_equal(f.r.body, "{\"n\":1}");
	assert_string_equal(f.r.disposition,
			    "attachment; filename=\"lemmings-dp-summary.json\"");
	assert_true(f.seconds < 2);
	free(f.r.body);

	/* the next one wants a newer version: none comes, 503 after 5 s */
	f.path = "/download/stats.csv";
	assert_int_equal(pthread_create(&t, NULL, fetch_thread, &f), 0);
	assert_true(wanted_within(a, LM_API_DOC_CSV, 3));
	pthread_join(t, NULL);
	assert_int_equal(f.r.status, 503);
	assert_true(f.seconds >= 4.5 && f.seconds < 8);
	free(f.r.body);

	/* after the run: the final versions at once, nothing wanted */
	lm_api_publish(a, LM_API_DOC_CSV, "a,b\r\n", 5);
	lm_api_final(a);
	f.path = "/download/stats.csv";
	fetch_thread(&f);
	assert_int_equal(f.r.status, 200);
	assert_string_equal(f.r.ctype, "text/csv; charset=utf-8");
	assert_string_equal(f.r.body, "a,b\r\n");
	assert_true(f.seconds < 1);
	free(f.r.body);
	f.path = "/download/summary.json";
	fetch_thread(&f);
	assert_int_equal(f.r.status, 200);
	assert_string_equal(f.r.body, "{\"n\":1}");
	free(f.r.body);
	assert_int_equal(lm_api_wanted(a), 0);
	/* a download never published: 503 at once, no wait */
	f.path = "/download/report.html";
	fetch_thread(&f);
	assert_int_equal(f.r.status, 503);
	assert_true(f.seconds < 1);
	free(f.r.body);
	lm_api_stop(a);
}

/* A download still parked when the API stops: answered, not leaked. */
static void
test_stop_while_parked(void **state)
{
	struct lm_api *a = start();
	struct fetch f = { .path = "/download/report.html" };
	pthread_t t;

	(void)state;
	assert_int_equal(pthread_create(&t, NULL, fetch_thread, &f), 0);
	assert_true(wanted_within(a, LM_API_DOC_HTML, 3));
	lm_api_stop(a);
	pthread_join(t, NULL);
	/* the connection was closed, or answered: either way not hung */
	assert_true(f.seconds < 3);
	free(f.r.body);
}

static void
test_hlog(void **state)
{
	struct lm_api *a = start();
	char path[] = "/tmp/lm-test-hlog-XXXXXX";
	int fd = mkstemp(path);
	struct resp r;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc\ndef\n", 8), 8);
	close(fd);
	assert_int_equal(status_of("GET", "/download/run.hlog", NULL, NULL), 404);
	fd = open(path, O_RDONLY);
	unlink(path);
	lm_api_hlog(a, fd, "run-1.hlog");
	lm_api_hlog_len(a, 4);
	http(&r, "GET", "/download/run.hlog", NULL, 0, false, NULL);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.len, 4);
	assert_memory_equal(r.body, "abc\n", 4);
	assert_string_equal(r.disposition, "attachment; filename=\"run-1.hlog\"");
	free(r.body);
	lm_api_hlog_len(a, 8);
	/* twice: each response reads at offsets of its own */
	for (int i = 0; i < 2; i++) {
		http(&r, "GET", "/download/run.hlog", NULL, 0, false, NULL);
		assert_int_equal(r.len, 8);
		assert_memory_equal(r.body, "abc\ndef\n", 8);
		free(r.body);
	}
	lm_api_stop(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assets),
		cmocka_unit_test(test_start),
		cmocka_unit_test(test_origin),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_downloads),
		cmocka_unit_test(test_stop_while_parked),
		cmocka_unit_test(test_hlog),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
