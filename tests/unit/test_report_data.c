/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HTML report (control/report_data.c, report_hlog.c,
 * report_html.c): its data from a hand-made view of a plan and from
 * .hlog files written here with known samples, and the page around it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <lm/hdr.h>
#include <lm/plan.h>
#include <lm/stats.h>

#include "hlog.h"
#include "merge.h"
#include "report_data.h"
#include "report_html.h"
#include "ui_assets.h"

/*
 * Steps, scenario-major: browse/home 0, browse/wait 1 (think: no row),
 * browse/item 2, api/echo 3. Names with "</script>" and "<!--" must come
 * through the page unchanged without ending its data element.
 */
#define PLAN_NAME "shop </script><!-- & co"
#define ITEM_NAME "item</script>"
static const char plan_text[] =
	"{\"name\": \"shop </script><!-- & co\",\n"
	" \"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
	" \"load\": {\"users\": 4, \"duration_s\": 10},\n"
	" \"scenarios\": [\n"
	"  {\"name\": \"browse\", \"weight\": 3, \"steps\": [\n"
	"   {\"name\": \"home\", \"http\": {\"path\": \"/\"}},\n"
	"   {\"name\": \"wait\", \"think\": {\"constant_ms\": 10}},\n"
	"   {\"name\": \"item</script>\", \"http\": {\"method\": \"POST\", \"path\": \"/item\"}}]},\n"
	"  {\"name\": \"api\", \"steps\": [{\"name\": \"echo\", \"http\": {\"path\": \"/e\"}}]}],\n"
	" \"thresholds\": [{\"p99_ms\": 50, \"step\": \"browse/home\"}, {\"error_rate\": 0.05}]}\n";
#define N_SCEN 2
#define N_STEPS 4
#define DURATION 10.0

struct fix {
	struct lm_plan *plan;
	struct lm_view v;
	struct lm_interval series[3];
	struct lm_hdr *all;     /* every step's latency, as the totals' */
};

static int
setup(void **state)
{
	char err[LM_PLAN_ERR_MAX];
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->plan = lm_plan_load_text(plan_text, strlen(plan_text), "plan.json",
				    err, sizeof(err));
	if (f->plan == NULL)
		fail_msg("%s", err);
	assert_int_equal(lm_plan_n_steps(f->plan), N_STEPS);
	assert_int_equal(lm_view_init(&f->v, N_SCEN, N_STEPS), 0);
	f->all = malloc(sizeof(*f->all));
	assert_non_null(f->all);
	lm_hdr_init(f->all);
	/* home: 100 ok, 1 to 100 ms; item: 10, 8 ok in 5 ms, 2 timeouts */
	f->v.steps[0].requests = 100;
	f->v.steps[0].ok = 100;
	f->v.steps[0].tx_bytes = 7000;
	f->v.steps[0].rx_bytes = 900000;
	for (uint64_t i = 1; i <= 100; i++) {
		lm_hdr_record(&f->v.steps[0].latency, i * 1000000);
		lm_hdr_record(f->all, i * 1000000);
	}
	f->v.steps[2].requests = 10;
	f->v.steps[2].ok = 8;
	f->v.steps[2].failed = 2;
	f->v.steps[2].errors[LM_ERR_TIMEOUT] = 2;
	for (int i = 0; i < 8; i++) {
		lm_hdr_record(&f->v.steps[2].latency, 5000000);
		lm_hdr_record(f->all, 5000000);
	}
	f->series[0] = (struct lm_interval){ .t_s = 1, .length_s = 1,
		.users = 4, .requests = 30, .p50_ns = 2000000,
		.p99_ns = 9000000 };
	f->series[1] = (struct lm_interval){ .t_s = 2, .length_s = 1,
		.users = 4, .requests = 40, .failed = 1, .p50_ns = 3000000,
		.p99_ns = 8000000 };
	f->series[2] = (struct lm_interval){ .t_s = 3.5, .length_s = 1.5,
		.users = 2, .requests = 40, .failed = 1, .p50_ns = 4000000,
		.p99_ns = 7000000 };
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	lm_view_free(&f->v);
	lm_plan_free(f->plan);
	free(f->all);
	free(f);
	return 0;
}

static double
num(const json_t *o, const char *key)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_number(x))
		fail_msg("\"%s\" is not a number", key);
	return json_number_value(x);
}

static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (s == NULL)
		fail_msg("\"%s\" is not a string", key);
	return s;
}

static void
assert_close(double got, double want)
{
	if (fabs(got - want) > 1e-9 * fmax(1.0, fabs(want)))
		fail_msg("got %.12g, expected %.12g", got, want);
}

/* The spectrum of a row is lm_hdr_spectrum()'s, in ms, ending at the max. */
static void
assert_spectrum(const json_t *row, const struct lm_hdr *h)
{
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);
	const json_t *sp = json_object_get(row, "spectrum");

	assert_true(json_is_array(sp));
	assert_int_equal(json_array_size(sp), n);
	for (uint32_t i = 0; i < n; i++) {
		const json_t *p = json_array_get(sp, i);

		assert_int_equal(json_array_size(p), 2);
		assert_close(json_number_value(json_array_get(p, 0)),
			     pt[i].percentile);
		assert_close(json_number_value(json_array_get(p, 1)),
			     pt[i].value / 1e6);
	}
	/* the 50th is a level: the row's own p50 */
	for (uint32_t i = 0; i < n; i++)
		if (pt[i].percentile == 50.0)
			assert_close(json_number_value(json_array_get(
				json_array_get(sp, i), 1)), num(json_object_get(
				row, "latency_ms"), "p50"));
	assert_close(json_number_value(json_array_get(json_array_get(sp,
		n - 1), 1)), num(json_object_get(row, "latency_ms"), "max"));
}

static void
assert_latency(const json_t *row, const struct lm_hdr *h)
{
	const json_t *l = json_object_get(row, "latency_ms");

	assert_close(num(l, "p50"), lm_hdr_percentile(h, 50) / 1e6);
	assert_close(num(l, "p90"), lm_hdr_percentile(h, 90) / 1e6);
	assert_close(num(l, "p99"), lm_hdr_percentile(h, 99) / 1e6);
	assert_close(num(l, "p999"), lm_hdr_percentile(h, 99.9) / 1e6);
	assert_close(num(l, "max"), h->max / 1e6);
	assert_close(num(l, "mean"), lm_hdr_mean(h) / 1e6);
}

static void
test_run_data(void **state)
{
	struct fix *f = *state;
	json_t *d, *p, *steps, *row, *thr, *s, *sc;

	f->v.series = f->series;
	f->v.n_series = 3;
	d = lm_report_data_run(f->plan, &f->v, DURATION);
	assert_non_null(d);
	assert_string_equal(str(d, "title"), PLAN_NAME);
	assert_string_equal(str(d, "source"), "run");
	assert_int_equal(strlen(str(d, "generated")), 20);
	assert_null(json_object_get(d, "sources"));
	assert_close(num(d, "duration_s"), DURATION);

	/* the plan, every step listed, think steps too */
	p = json_object_get(d, "plan");
	assert_string_equal(str(p, "name"), PLAN_NAME);
	assert_string_equal(str(p, "model"), "closed");
	assert_close(num(p, "users"), 4);
	assert_close(num(p, "duration_s"), 10);
	assert_null(json_object_get(p, "workers"));
	sc = json_object_get(p, "scenarios");
	assert_int_equal(json_array_size(sc), 2);
	assert_string_equal(str(json_array_get(sc, 0), "name"), "browse");
	assert_close(num(json_array_get(sc, 0), "weight"), 3);
	s = json_object_get(json_array_get(sc, 0), "steps");
	assert_int_equal(json_array_size(s), 3);
	assert_string_equal(str(json_array_get(s, 1), "kind"), "think");
	assert_string_equal(str(json_array_get(s, 2), "name"), ITEM_NAME);
	assert_string_equal(str(json_array_get(s, 2), "method"), "POST");
	assert_string_equal(str(json_array_get(s, 2), "path"), "/item");

	/* the steps that send: home, item, echo */
	steps = json_object_get(d, "steps");
	assert_int_equal(json_array_size(steps), 3);
	row = json_array_get(steps, 0);
	assert_string_equal(str(row, "scenario"), "browse");
	assert_string_equal(str(row, "step"), "home");
	assert_string_equal(str(row, "method"), "GET");
	assert_string_equal(str(row, "path"), "/");
	assert_close(num(row, "requests"), 100);
	assert_close(num(row, "ok"), 100);
	assert_close(num(row, "failed"), 0);
	assert_close(num(row, "req_s"), 100 / DURATION);
	assert_close(num(row, "tx_bytes"), 7000);
	assert_close(num(row, "rx_bytes"), 900000);
	assert_int_equal(json_object_size(json_object_get(row, "errors")), 0);
	assert_latency(row, &f->v.steps[0].latency);
	assert_spectrum(row, &f->v.steps[0].latency);
	/* 1..100 ms: the spectrum starts at 1 ms (its sub-bucket's top) */
	{
		double v0 = json_number_value(json_array_get(json_array_get(
			json_object_get(row, "spectrum"), 0), 1));

		assert_true(v0 >= 1.0 && v0 <= 1.0 + 1.0 / 128);
	}

	row = json_array_get(steps, 1);
	assert_string_equal(str(row, "step"), ITEM_NAME);
	assert_close(num(row, "requests"), 10);
	assert_close(num(row, "failed"), 2);
	assert_close(num(json_object_get(row, "errors"),
			 lm_err_name(LM_ERR_TIMEOUT)), 2);
	assert_int_equal(json_object_size(json_object_get(row, "errors")), 1);
	assert_spectrum(row, &f->v.steps[2].latency);

	/* a step without a response: no spectrum points, zero latencies */
	row = json_array_get(steps, 2);
	assert_string_equal(str(row, "scenario"), "api");
	assert_close(num(row, "requests"), 0);
	assert_int_equal(json_array_size(json_object_get(row, "spectrum")), 0);
	assert_close(num(json_object_get(row, "latency_ms"), "p99"), 0);

	row = json_object_get(d, "totals");
	assert_close(num(row, "requests"), 110);
	assert_close(num(row, "ok"), 108);
	assert_close(num(row, "failed"), 2);
	assert_latency(row, f->all);
	assert_spectrum(row, f->all);
	assert_close(num(json_object_get(d, "errors"),
			 lm_err_name(LM_ERR_TIMEOUT)), 2);
	assert_int_equal(json_object_size(json_object_get(d, "errors")), 1);

	/* p99 of home is 99 ms > 50: fails; 2 / 110 failed <= 0.05: passes */
	thr = json_object_get(d, "thresholds");
	assert_int_equal(json_array_size(thr), 2);
	row = json_array_get(thr, 0);
	assert_string_equal(str(row, "metric"), "p99");
	assert_string_equal(str(row, "scope"), "browse.home");
	assert_string_equal(str(row, "op"), "<=");
	assert_string_equal(str(row, "unit"), "ms");
	assert_close(num(row, "limit"), 50);
	assert_close(num(row, "value"),
		     lm_hdr_percentile(&f->v.steps[0].latency, 99) / 1e6);
	assert_true(json_is_false(json_object_get(row, "passed")));
	assert_string_equal(str(row, "text"), "browse/home p99 <= 50 ms");
	row = json_array_get(thr, 1);
	assert_string_equal(str(row, "metric"), "error_rate");
	assert_string_equal(str(row, "scope"), "all");
	assert_close(num(row, "value"), 2.0 / 110.0);
	assert_true(json_is_true(json_object_get(row, "passed")));

	/* the series, as columns */
	s = json_object_get(d, "series");
	assert_int_equal(json_array_size(json_object_get(s, "t_s")), 3);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"t_s"), 2)), 3.5);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"req_s"), 2)), 40 / 1.5);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"fail_s"), 1)), 1);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"users"), 2)), 2);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"p50_ms"), 0)), 2);
	assert_close(json_number_value(json_array_get(json_object_get(s,
		"p99_ms"), 1)), 8);
	json_decref(d);
}

/* A view taken while the run goes on: no series yet, no workers' shares. */
static void
test_run_data_midrun(void **state)
{
	struct fix *f = *state;
	json_t *d, *s;

	f->v.series = NULL;
	f->v.n_series = 0;
	d = lm_report_data_run(f->plan, &f->v, 0);
	assert_non_null(d);
	s = json_object_get(d, "series");
	assert_int_equal(json_array_size(json_object_get(s, "t_s")), 0);
	assert_int_equal(json_array_size(json_object_get(s, "p99_ms")), 0);
	/* no time yet: no rate, not a division by zero */
	assert_close(num(json_array_get(json_object_get(d, "steps"), 0),
			 "req_s"), 0);
	json_decref(d);
}

/* The text of the data element of page, parsed. */
static json_t *
page_data(const char *page)
{
	static const char open[] = "<script type=\"application/json\" id=\""
		LM_REPORT_DATA_ID "\">";
	const char *a = strstr(page, open), *b;
	json_error_t e;
	json_t *d;

	assert_non_null(a);
	/* one data element */
	assert_null(strstr(a + 1, open));
	a += strlen(open);
	b = strstr(a, "</script>");
	assert_non_null(b);
	/* every '<' of the data was written \u003c */
	assert_null(memchr(a, '<', (size_t)(b - a)));
	d = json_loadb(a, (size_t)(b - a), 0, &e);
	if (d == NULL)
		fail_msg("data: %s at %d", e.text, e.position);
	return d;
}

static size_t
count(const char *s, const char *what)
{
	size_t n = 0;

	for (s = strstr(s, what); s != NULL; s = strstr(s + 1, what))
		n++;
	return n;
}

/*
 * The page without the assets' text: what the report itself wrote
 * around them (the assets are whatever the UI holds; the file's shape
 * must not depend on them).
 */
static char *
skeleton(const char *page)
{
	static const char *const names[] = { "style.css", "charts.js",
		"report.js" };
	char *s = strdup(page), *at;

	assert_non_null(s);
	for (int i = 0; i < 3; i++) {
		const struct lm_asset *a = lm_asset_find(names[i]);

		assert_non_null(a);
		assert_true(a->len > 0);
		at = memmem(s, strlen(s), a->data, a->len);
		if (at == NULL)
			fail_msg("%s is not in the page", names[i]);
		memmove(at, at + a->len, strlen(at + a->len) + 1);
	}
	return s;
}

/* No src=, href= or url() that reaches out of the file. */
static void
assert_no_external(const char *page)
{
	static const char *const attrs[] = { "src=", "href=", "url(",
		"@import" };

	for (int i = 0; i < 4; i++) {
		size_t n = strlen(attrs[i]);

		for (const char *p = page; *p != '\0'; p++) {
			const char *v = p + n;

			if (strncasecmp(p, attrs[i], n) != 0)
				continue;
			while (*v == '"' || *v == '\'' || *v == ' ')
				v++;
			if (strncasecmp(v, "http:", 5) == 0 ||
			    strncasecmp(v, "https:", 6) == 0 ||
			    strncmp(v, "//", 2) == 0)
				fail_msg("an external reference: %.60s", p);
		}
	}
}

static void
test_page(void **state)
{
	struct fix *f = *state;
	char *page, *sk;
	json_t *d, *want;

	f->v.series = f->series;
	f->v.n_series = 3;
	page = lm_report_html_run(f->plan, &f->v, DURATION);
	assert_non_null(page);
	assert_memory_equal(page, "<!DOCTYPE html>", 15);
	sk = skeleton(page);
	assert_non_null(strstr(sk, "<meta charset=\"utf-8\">"));
	/* the title escaped, the name whole in the data */
	assert_non_null(strstr(sk, "<title>lemmings-dp report: shop "
			       "&lt;/script&gt;&lt;!-- &amp; co</title>"));
	/* style.css, then the data, charts.js and report.js, all inline */
	assert_non_null(strstr(sk, "<style>\n\n</style>"));
	assert_int_equal(count(sk, "<style"), 1);
	assert_int_equal(count(sk, "<script"), 3);
	assert_int_equal(count(sk, "</script>"), 3);
	assert_non_null(strstr(sk, "</script>\n<script>\n\n</script>\n"
			       "<script>\n\n</script>\n</body>\n</html>\n"));
	assert_int_equal(count(sk, "src="), 0);
	assert_int_equal(count(sk, "href="), 0);
	assert_no_external(page);
	d = page_data(sk);
	want = lm_report_data_run(f->plan, &f->v, DURATION);
	assert_non_null(want);
	/* the same data, but for the moment it was made */
	json_object_del(d, "generated");
	json_object_del(want, "generated");
	assert_true(json_equal(d, want));
	assert_string_equal(str(json_array_get(json_object_get(d, "steps"), 1),
				"step"), ITEM_NAME);
	json_decref(d);
	json_decref(want);
	free(sk);
	free(page);
}

/* ---- .hlog ---- */

#define T0 1700000000.0

/*
 * Two machines' logs, the second's clock 0.3 s later: each line of file f
 * (0, 1), interval k, holds n = 10 (k + 1) samples of home, of
 * (f + 1)(k + 1) ms, and n / 2 of cart.add, of 3 ms; ttfb and connect
 * lines go with them and must be left out. File 0 has intervals 0, 1, 2
 * and 4 (nothing in 3), file 1 intervals 0 and 1.
 */
static const int file_k[2][4] = { { 0, 1, 2, 4 }, { 0, 1, -1, -1 } };

static void
write_logs(const char *dir, char paths[2][256], struct lm_hdr *home,
	   struct lm_hdr *cart, uint64_t slot_samples[5])
{
	struct lm_hdr *h = malloc(sizeof(*h)), *c = malloc(sizeof(*c));
	char err[256];

	assert_non_null(h);
	assert_non_null(c);
	memset(slot_samples, 0, 5 * sizeof(uint64_t));
	for (int f = 0; f < 2; f++) {
		struct lm_hlog *l;

		snprintf(paths[f], 256, "%s/m%d.hlog", dir, f);
		l = lm_hlog_open(paths[f], T0 + 0.3 * f, err, sizeof(err));
		assert_non_null(l);
		for (int j = 0; j < 4 && file_k[f][j] >= 0; j++) {
			int k = file_k[f][j], n = 10 * (k + 1);

			lm_hdr_init(h);
			lm_hdr_init(c);
			for (int i = 0; i < n; i++) {
				uint64_t v = (uint64_t)(f + 1) * (k + 1) * 1000000;

				lm_hdr_record(h, v);
				lm_hdr_record(home, v);
			}
			for (int i = 0; i < n / 2; i++) {
				lm_hdr_record(c, 3000000);
				lm_hdr_record(cart, 3000000);
			}
			slot_samples[k] += (uint64_t)n + (uint64_t)n / 2;
			assert_int_equal(lm_hlog_write(l, "shop.home.latency",
						       k, 1.0, h), 0);
			assert_int_equal(lm_hlog_write(l, "shop.home.ttfb",
						       k, 1.0, c), 0);
			assert_int_equal(lm_hlog_write(l, "shop.cart.add.latency",
						       k, 1.0, c), 0);
			assert_int_equal(lm_hlog_write(l, "shop.cart.add.connect",
						       k, 1.0, h), 0);
		}
		assert_int_equal(lm_hlog_close(l), 0);
	}
	free(h);
	free(c);
}

/* Within the histogram's resolution (the log keeps sub-buckets only). */
static void
assert_near(double got, double want)
{
	if (fabs(got - want) > want / 128 + 1e-9)
		fail_msg("got %.9g, expected %.9g within 1/128", got, want);
}

static void
check_hlog_row(const json_t *row, const struct lm_hdr *h)
{
	const json_t *l = json_object_get(row, "latency_ms");
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);
	const json_t *sp = json_object_get(row, "spectrum");

	assert_close(num(row, "requests"), (double)h->total);
	/* a log holds latencies only */
	assert_null(json_object_get(row, "ok"));
	assert_null(json_object_get(row, "failed"));
	assert_null(json_object_get(row, "errors"));
	assert_null(json_object_get(row, "tx_bytes"));
	assert_near(num(l, "p50"), lm_hdr_percentile(h, 50) / 1e6);
	assert_near(num(l, "p99"), lm_hdr_percentile(h, 99) / 1e6);
	assert_near(num(l, "max"), h->max / 1e6);
	assert_int_equal(json_array_size(sp), n);
	for (uint32_t i = 0; i < n; i++) {
		assert_close(json_number_value(json_array_get(
			json_array_get(sp, i), 0)), pt[i].percentile);
		assert_near(json_number_value(json_array_get(
			json_array_get(sp, i), 1)), pt[i].value / 1e6);
	}
}

static void
test_hlog_data(void **state)
{
	char dir[] = "/tmp/lm-report-XXXXXX", paths[2][256], err[512];
	const char *pp[2];
	struct lm_hdr *home = malloc(sizeof(*home)), *cart = malloc(sizeof(*cart));
	uint64_t slots[5];
	json_t *d, *steps, *s;

	(void)state;
	assert_non_null(home);
	assert_non_null(cart);
	assert_non_null(mkdtemp(dir));
	lm_hdr_init(home);
	lm_hdr_init(cart);
	write_logs(dir, paths, home, cart, slots);
	pp[0] = paths[0];
	pp[1] = paths[1];
	d = lm_report_data_hlog(pp, 2, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	assert_string_equal(str(d, "source"), "hlog");
	assert_string_equal(str(d, "title"), "m0.hlog and 1 more");
	assert_int_equal(json_array_size(json_object_get(d, "sources")), 2);
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(d, "sources"), 1)), paths[1]);
	assert_null(json_object_get(d, "plan"));
	assert_null(json_object_get(d, "thresholds"));
	/* slots 0 to 4 of 1 s */
	assert_close(num(d, "duration_s"), 5);

	steps = json_object_get(d, "steps");
	assert_int_equal(json_array_size(steps), 2);
	assert_string_equal(str(json_array_get(steps, 0), "scenario"), "shop");
	assert_string_equal(str(json_array_get(steps, 0), "step"), "home");
	assert_string_equal(str(json_array_get(steps, 1), "step"), "cart.add");
	check_hlog_row(json_array_get(steps, 0), home);
	check_hlog_row(json_array_get(steps, 1), cart);
	assert_close(num(json_array_get(steps, 0), "req_s"),
		     (double)home->total / 5);
	lm_hdr_add(home, cart);
	check_hlog_row(json_object_get(d, "totals"), home);

	/*
	 * The series: both logs' lines in the slots of their second, slot 3
	 * (no line) a zero; failures unknown.
	 */
	s = json_object_get(d, "series");
	assert_null(json_object_get(s, "users"));
	assert_int_equal(json_array_size(json_object_get(s, "t_s")), 5);
	for (int k = 0; k < 5; k++) {
		assert_close(json_number_value(json_array_get(
			json_object_get(s, "t_s"), k)), k + 1);
		assert_close(json_number_value(json_array_get(
			json_object_get(s, "req_s"), k)), (double)slots[k]);
		assert_true(json_is_null(json_array_get(
			json_object_get(s, "fail_s"), k)));
	}
	assert_int_equal(slots[3], 0);
	/*
	 * Slot 1: 20 samples of 2 ms, 20 of 4 ms (file 1), 20 of 3 ms: p50
	 * is 3 ms, p99 4 ms.
	 */
	assert_near(json_number_value(json_array_get(json_object_get(s,
		"p50_ms"), 1)), 3);
	assert_near(json_number_value(json_array_get(json_object_get(s,
		"p99_ms"), 1)), 4);
	json_decref(d);

	/* one log alone: its own slots */
	d = lm_report_data_hlog(pp + 1, 1, err, sizeof(err));
	assert_non_null(d);
	assert_int_equal(json_array_size(json_object_get(json_object_get(d,
		"series"), "t_s")), 2);
	assert_string_equal(str(d, "title"), "m1.hlog");
	json_decref(d);
	unlink(paths[0]);
	unlink(paths[1]);
	rmdir(dir);
	free(home);
	free(cart);
}

/* A line that is not valid, a file that is not there: named, no data. */
static void
test_hlog_errors(void **state)
{
	char dir[] = "/tmp/lm-report-XXXXXX", path[256], missing[256];
	char err[512];
	const char *pp[2] = { path, missing };
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/bad.hlog", dir);
	snprintf(missing, sizeof(missing), "%s/none.hlog", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("#[StartTime: 1700000000.000 (seconds since epoch), x]\n"
	      "Tag=a.b.latency,0.000,1.000,0.000,HISTF!\n", f);
	fclose(f);
	err[0] = '\0';
	assert_null(lm_report_data_hlog(pp, 1, err, sizeof(err)));
	if (strncmp(err, path, strlen(path)) != 0 ||
	    strncmp(err + strlen(path), ":2: ", 4) != 0)
		fail_msg("message: %s", err);
	err[0] = '\0';
	assert_null(lm_report_data_hlog(pp + 1, 1, err, sizeof(err)));
	if (strstr(err, missing) == NULL)
		fail_msg("message: %s", err);
	unlink(path);
	rmdir(dir);
}

/* A log with no interval line (a run that recorded nothing): an empty report. */
static void
test_hlog_empty(void **state)
{
	char dir[] = "/tmp/lm-report-XXXXXX", path[256], err[512];
	const char *pp[1] = { path };
	struct lm_hlog *l;
	json_t *d;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/empty.hlog", dir);
	l = lm_hlog_open(path, T0, err, sizeof(err));
	assert_non_null(l);
	assert_int_equal(lm_hlog_close(l), 0);
	d = lm_report_data_hlog(pp, 1, err, sizeof(err));
	if (d == NULL)
		fail_msg("%s", err);
	assert_int_equal(json_array_size(json_object_get(d, "steps")), 0);
	assert_int_equal(json_array_size(json_object_get(json_object_get(d,
		"series"), "t_s")), 0);
	assert_close(num(json_object_get(d, "totals"), "requests"), 0);
	assert_close(num(d, "duration_s"), 0);
	json_decref(d);
	unlink(path);
	rmdir(dir);
}

/* The page is written whole or not at all. */
static void
test_write_file(void **state)
{
	char dir[] = "/tmp/lm-report-XXXXXX", path[256], bad[256], buf[64];
	char err[512];
	FILE *f;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/r.html", dir);
	assert_int_equal(lm_report_write_file(path, "<p>one</p>", 10, err,
					      sizeof(err)), 0);
	assert_int_equal(lm_report_write_file(path, "<p>two</p>\n", 11, err,
					      sizeof(err)), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_int_equal(n, 11);
	assert_memory_equal(buf, "<p>two</p>\n", 11);
	/* a directory in the way: an error naming it, nothing left beside */
	snprintf(bad, sizeof(bad), "%s/d", dir);
	assert_int_equal(mkdir(bad, 0700), 0);
	assert_true(lm_report_write_file(bad, "x", 1, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, bad));
	assert_int_equal(rmdir(bad), 0);
	/* a symbolic link stays one: its file is written */
	snprintf(bad, sizeof(bad), "%s/link", dir);
	assert_int_equal(symlink(path, bad), 0);
	assert_int_equal(lm_report_write_file(bad, "<p>3</p>", 8, err,
					      sizeof(err)), 0);
	{
		struct stat st;

		assert_int_equal(lstat(bad, &st), 0);
		assert_true(S_ISLNK(st.st_mode));
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 8);
	}
	assert_int_equal(unlink(bad), 0);
	assert_int_equal(unlink(path), 0);
	/* the directory is empty again: no temporary file was left */
	assert_int_equal(rmdir(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_run_data, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_data_midrun, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_page, setup, teardown),
		cmocka_unit_test(test_hlog_data),
		cmocka_unit_test(test_hlog_errors),
		cmocka_unit_test(test_hlog_empty),
		cmocka_unit_test(test_write_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
