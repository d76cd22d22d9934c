/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Locust-style CSV exports (control/csv_export.c): the
 * files are written to a temporary directory, read back with an RFC 4180
 * reader of our own and compared with the view they were written from.
 */
#include <errno.h>
#include <math.h>
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

#include <lm/plan.h>

#include "csv_export.h"
#include "merge.h"

#define STATS_COLS 22
#define HISTORY_COLS 19
#define MAX_ROWS 16

/*
 * Step indices: we,b/home 0, we,b/say "hi" 1, api/wait 2, api/post 3,
 * on_start/login 4. The first scenario's name and its second step's need
 * quoting.
 */
static const char plan_json[] =
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}], \"target\": {\"ip\": \"198.18.0.2\"},\n"
	" \"load\": {\"users\": 1},\n"
	" \"scenarios\": [\n"
	"  {\"name\": \"we,b\", \"steps\": [{\"name\": \"home\", \"http\": {\"path\": \"/\"}},\n"
	"   {\"name\": \"say \\\"hi\\\"\", \"http\": {\"path\": \"/hi\"}}]},\n"
	"  {\"name\": \"api\", \"steps\": [{\"name\": \"wait\", \"think\": {\"constant_ms\": 1}},\n"
	"   {\"name\": \"post\", \"http\": {\"method\": \"POST\", \"path\": \"/p\"}}]}],\n"
	" \"on_start\": [{\"name\": \"login\", \"http\": {\"path\": \"/l\"}}]}\n";
#define N_STEPS 5

static const char *const pct_names[] = {
	"50%", "66%", "75%", "80%", "90%", "95%", "98%", "99%", "99.9%",
	"99.99%", "100%",
};
static const double pcts[] = { 50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100 };
#define N_PCTS 11

struct csv {
	char *f[MAX_ROWS][STATS_COLS + 1];
	size_t n_cols[MAX_ROWS];
	size_t n_rows;
};

/*
 * An RFC 4180 reader: every record ends in CRLF, quoted fields may hold
 * commas, doubled quotes and line breaks.
 */
static void
csv_parse(const char *s, struct csv *c)
{
	char buf[1024];
	size_t n = 0, col = 0;
	bool quoted;

	memset(c, 0, sizeof(*c));
	while (*s != '\0') {
		assert_true(c->n_rows < MAX_ROWS);
		n = 0;
		quoted = *s == '"';
		if (quoted) {
			for (s++;; s++) {
				assert_true(*s != '\0');
				if (*s == '"' && s[1] == '"') {
					buf[n++] = '"';
					s++;
				} else if (*s == '"') {
					s++;
					break;
				} else {
					buf[n++] = *s;
				}
				assert_true(n < sizeof(buf));
			}
		} else {
			for (; *s != ',' && *s != '\r' && *s != '\n' && *s != '\0'; s++) {
				assert_true(*s != '"');
				buf[n++] = *s;
				assert_true(n < sizeof(buf));
			}
		}
		buf[n] = '\0';
		assert_true(col <= STATS_COLS);
		c->f[c->n_rows][col] = strdup(buf);
		col++;
		if (*s == ',') {
			s++;
			continue;
		}
		/* a record ends in CRLF, never in LF alone */
		assert_int_equal(s[0], '\r');
		assert_int_equal(s[1], '\n');
		s += 2;
		c->n_cols[c->n_rows++] = col;
		col = 0;
	}
	assert_int_equal(col, 0);
}

static void
csv_free(struct csv *c)
{
	for (size_t r = 0; r < c->n_rows; r++)
		for (size_t k = 0; k < c->n_cols[r]; k++)
			free(c->f[r][k]);
}

static char *
read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n >= 0);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A number field, within the half unit of its last decimal of want. */
static void
assert_num(const char *field, double want)
{
	char *end;
	double x = strtod(field, &end);

	assert_true(end != field && *end == '\0');
	if (fabs(x - want) > 0.0005 + 1e-9 * fabs(want))
		fail_msg("field %s, expected %.6f", field, want);
}

static void
assert_pcts(char *const *f, const struct lm_hdr *h)
{
	for (size_t i = 0; i < N_PCTS; i++) {
		if (h->total == 0)
			assert_string_equal(f[i], "N/A");
		else
			assert_num(f[i], lm_hdr_percentile(h, pcts[i]) / 1e6);
	}
}

struct fixture {
	char dir[64];
	char path[128];
	struct lm_plan *plan;
	struct lm_view v;
	struct lm_view before;
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char err[LM_PLAN_ERR_MAX];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/lm-test-csv.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->plan = lm_plan_load_text(plan_json, strlen(plan_json), "plan.json",
				    err, sizeof(err));
	if (f->plan == NULL)
		fail_msg("%s", err);
	assert_int_equal(lm_plan_n_steps(f->plan), N_STEPS);
	assert_int_equal(lm_view_init(&f->v, f->plan->n_scenarios, N_STEPS), 0);
	assert_int_equal(lm_view_init(&f->before, f->plan->n_scenarios, N_STEPS),
			 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	unlink(f->path);
	rmdir(f->dir);
	lm_view_free(&f->v);
	lm_view_free(&f->before);
	lm_plan_free(f->plan);
	free(f);
	return 0;
}

static void
record(struct lm_view *v, uint32_t step, uint64_t ns, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		lm_hdr_record(&v->steps[step].latency, ns);
}

/* ---- PREFIX_stats.csv ---- */

static void
test_stats(void **state)
{
	struct fixture *f = *state;
	static const char *const names[N_STEPS] = {
		"we,b/home", "we,b/say \"hi\"", "api/wait", "api/post",
		"on_start/login",
	};
	static const char *const types[N_STEPS] = {
		"HTTP", "HTTP", "think", "HTTP", "HTTP",
	};
	struct lm_hdr *all = malloc(sizeof(*all));
	char *text;
	struct csv c;
	uint32_t i;

	assert_non_null(all);
	/* step 0: 1 .. 100 ms; step 3: 200 ms; step 4: 0.25 ms; others none */
	for (i = 1; i <= 100; i++)
		record(&f->v, 0, i * 1000000ull, 1);
	f->v.steps[0].requests = 104;
	f->v.steps[0].failed = 4;
	f->v.steps[0].rx_bytes = 10400;
	record(&f->v, 3, 200000000, 3);
	f->v.steps[3].requests = 3;
	f->v.steps[3].rx_bytes = 100;
	record(&f->v, 4, 250000, 1);
	f->v.steps[4].requests = 2;
	f->v.steps[4].failed = 1;
	f->v.steps[4].rx_bytes = 1;

	snprintf(f->path, sizeof(f->path), "%s/run_stats.csv", f->dir);
	assert_int_equal(lm_csv_stats(f->path, f->plan, &f->v, 4.0), 0);
	text = read_all(f->path);
	/* the names with a comma or a quote are quoted, quotes doubled */
	assert_non_null(strstr(text, "\r\nHTTP,\"we,b/home\",104,4,"));
	assert_non_null(strstr(text, "\r\nHTTP,\"we,b/say \"\"hi\"\"\",0,0,"));
	assert_non_null(strstr(text, "\r\n,Aggregated,109,5,"));
	csv_parse(text, &c);
	free(text);

	assert_int_equal(c.n_rows, 1 + N_STEPS + 1);
	assert_int_equal(c.n_cols[0], STATS_COLS);
	assert_string_equal(c.f[0][0], "Type");
	assert_string_equal(c.f[0][1], "Name");
	assert_string_equal(c.f[0][2], "Request Count");
	assert_string_equal(c.f[0][4], "Median Response Time");
	assert_string_equal(c.f[0][8], "Average Content Size");
	assert_string_equal(c.f[0][10], "Failures/s");
	for (i = 0; i < N_PCTS; i++)
		assert_string_equal(c.f[0][11 + i], pct_names[i]);

	lm_hdr_init(all);
	for (i = 0; i < N_STEPS; i++) {
		char *const *r = c.f[1 + i];
		const struct lm_step_stats *s = &f->v.steps[i];
		const struct lm_hdr *h = &s->latency;

		assert_int_equal(c.n_cols[1 + i], STATS_COLS);
		assert_string_equal(r[0], types[i]);
		assert_string_equal(r[1], names[i]);
		assert_int_equal(strtoull(r[2], NULL, 10), s->requests);
		assert_int_equal(strtoull(r[3], NULL, 10), s->failed);
		assert_num(r[4], h->total ? lm_hdr_percentile(h, 50) / 1e6 : 0);
		assert_num(r[5], lm_hdr_mean(h) / 1e6);
		assert_num(r[6], h->total ? h->min / 1e6 : 0);
		assert_num(r[7], h->total ? h->max / 1e6 : 0);
		assert_num(r[8], s->requests ? (double)s->rx_bytes / s->requests : 0);
		assert_num(r[9], s->requests / 4.0);
		assert_num(r[10], s->failed / 4.0);
		assert_pcts(&r[11], h);
		lm_hdr_add(all, h);
	}
	/* a few by hand, exact: the extremes and the mean */
	assert_string_equal(c.f[1][6], "1.000");
	assert_string_equal(c.f[1][7], "100.000");
	assert_string_equal(c.f[1][5], "50.500");
	assert_string_equal(c.f[1][8], "100.000");
	assert_string_equal(c.f[1][9], "26.000");
	assert_string_equal(c.f[1][21], "100.000");
	assert_string_equal(c.f[4][11], "200.000");
	assert_string_equal(c.f[5][11], "0.250");
	assert_string_equal(c.f[3][4], "0.000");

	/* the aggregated row: every step's counters and histograms */
	{
		char *const *r = c.f[1 + N_STEPS];

		assert_string_equal(r[0], "");
		assert_string_equal(r[1], "Aggregated");
		assert_string_equal(r[2], "109");
		assert_string_equal(r[3], "5");
		assert_num(r[4], lm_hdr_percentile(all, 50) / 1e6);
		assert_num(r[5], lm_hdr_mean(all) / 1e6);
		assert_string_equal(r[6], "0.250");
		assert_string_equal(r[7], "200.000");
		assert_num(r[8], 10501.0 / 109);
		assert_num(r[9], 109 / 4.0);
		assert_num(r[10], 5 / 4.0);
		assert_pcts(&r[11], all);
		assert_string_equal(r[21], "200.000");
	}
	csv_free(&c);
	free(all);
}

static void
test_stats_errors(void **state)
{
	struct fixture *f = *state;

	snprintf(f->path, sizeof(f->path), "%s/no/such/dir_stats.csv", f->dir);
	assert_int_equal(lm_csv_stats(f->path, f->plan, &f->v, 1.0), -ENOENT);
	/* nothing recorded: every percentile N/A, rates 0 with no duration */
	snprintf(f->path, sizeof(f->path), "%s/empty_stats.csv", f->dir);
	assert_int_equal(lm_csv_stats(f->path, f->plan, &f->v, 0), 0);
	{
		char *text = read_all(f->path);
		struct csv c;

		csv_parse(text, &c);
		free(text);
		assert_int_equal(c.n_rows, 1 + N_STEPS + 1);
		assert_string_equal(c.f[6][1], "Aggregated");
		assert_string_equal(c.f[6][9], "0.000");
		assert_string_equal(c.f[6][11], "N/A");
		assert_string_equal(c.f[6][21], "N/A");
		csv_free(&c);
	}
}

/* ---- PREFIX_history.csv ---- */

static void
test_history(void **state)
{
	struct fixture *f = *state;
	struct lm_csv_history *h;
	struct lm_hdr *lat = malloc(sizeof(*lat));
	char *text;
	struct csv c;
	size_t i;

	assert_non_null(lat);
	snprintf(f->path, sizeof(f->path), "%s/no/such/dir_history.csv", f->dir);
	assert_int_equal(lm_csv_history_open(&h, f->path), -ENOENT);
	assert_null(h);
	lm_csv_history_close(NULL);

	snprintf(f->path, sizeof(f->path), "%s/run_history.csv", f->dir);
	assert_int_equal(lm_csv_history_open(&h, f->path), 0);
	/* the header is there at once */
	text = read_all(f->path);
	assert_string_equal(text,
		"Timestamp,User Count,Type,Name,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%,Total Request Count,Total Failure Count\r\n");
	free(text);

	/* interval 1 (2 s): 40 requests, 2 failed, at 5 ms on two steps */
	record(&f->v, 0, 5000000, 30);
	record(&f->v, 3, 5000000, 8);
	f->v.steps[0].requests = 30;
	f->v.steps[3].requests = 10;
	f->v.steps[3].failed = 2;
	assert_int_equal(lm_csv_history_row(h, f->plan, 2.0, 1700000000, 8, &f->v,
					    &f->before, 2.0), 0);
	/* flushed: the row can be read while the file is open */
	text = read_all(f->path);
	csv_parse(text, &c);
	free(text);
	assert_int_equal(c.n_rows, 2);
	csv_free(&c);

	/* interval 2 (1 s): 10 requests at 200 ms and 1 ms, one step */
	lm_view_copy(&f->before, &f->v);
	record(&f->v, 4, 200000000, 5);
	record(&f->v, 4, 1000000, 5);
	f->v.steps[4].requests = 10;
	assert_int_equal(lm_csv_history_row(h, f->plan, 3.0, 1700000001, 9, &f->v,
					    &f->before, 1.0), 0);
	lm_hdr_diff(lat, &f->v.steps[4].latency, &f->before.steps[4].latency);

	/* interval 3: nothing new */
	lm_view_copy(&f->before, &f->v);
	assert_int_equal(lm_csv_history_row(h, f->plan, 4.0, 1700000002, 9, &f->v,
					    &f->before, 1.0), 0);
	lm_csv_history_close(h);

	text = read_all(f->path);
	csv_parse(text, &c);
	free(text);
	assert_int_equal(c.n_rows, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(c.n_cols[i], HISTORY_COLS);
	assert_string_equal(c.f[1][0], "1700000000");
	assert_string_equal(c.f[1][1], "8");
	assert_string_equal(c.f[1][2], "");
	assert_string_equal(c.f[1][3], "Aggregated");
	assert_string_equal(c.f[1][4], "20.000");
	assert_string_equal(c.f[1][5], "1.000");
	/* every sample at 5 ms, the maximum: every percentile exact */
	for (i = 0; i < N_PCTS; i++)
		assert_string_equal(c.f[1][6 + i], "5.000");
	assert_string_equal(c.f[1][17], "40");
	assert_string_equal(c.f[1][18], "2");

	assert_string_equal(c.f[2][0], "1700000001");
	assert_string_equal(c.f[2][1], "9");
	assert_string_equal(c.f[2][4], "10.000");
	assert_string_equal(c.f[2][5], "0.000");
	/* the interval's own samples only: not the 5 ms of interval 1 */
	assert_pcts(&c.f[2][6], lat);
	assert_string_equal(c.f[2][16], "200.000");
	assert_string_equal(c.f[2][17], "50");
	assert_string_equal(c.f[2][18], "2");

	assert_string_equal(c.f[3][4], "0.000");
	for (i = 0; i < N_PCTS; i++)
		assert_string_equal(c.f[3][6 + i], "N/A");
	assert_string_equal(c.f[3][17], "50");
	csv_free(&c);
	free(lat);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
