/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the Prometheus exposition (control/prom.c).
 *
 * The text is read back by a small parser of the 0.0.4 format that also
 * enforces what Prometheus relies on: every sample belongs to a family
 * with a TYPE, a family's samples are contiguous, label values are
 * escaped, and a histogram's buckets are cumulative, in increasing le
 * order, end with +Inf and agree with _count. The numbers are then
 * compared with what the synthetic view holds. When promtool is on the
 * PATH, its linter reads the same text.
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
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "merge.h"
#include "prom.h"

/* ---- a parser of the text format ---- */

#define MAX_SAMPLES 4096
#define MAX_FAMILIES 64

struct sample {
	char name[96];
	char labels[512];   /* "k=v;" per label, unescaped, in text order */
	char le[256];       /* the le label, kept out of labels */
	double value;
};

struct family {
	char name[96];
	char type[16];
	bool help;
};

struct exposition {
	struct sample s[MAX_SAMPLES];
	size_t n;
	struct family f[MAX_FAMILIES];
	size_t n_fam;
};

static struct family *
family_find(struct exposition *e, const char *name)
{
	for (size_t i = 0; i < e->n_fam; i++)
		if (strcmp(e->f[i].name, name) == 0)
			return &e->f[i];
	return NULL;
}

static struct family *
family_get(struct exposition *e, const char *name)
{
	struct family *f = family_find(e, name);

	if (f != NULL)
		return f;
	assert_true(e->n_fam < MAX_FAMILIES);
	f = &e->f[e->n_fam++];
	memset(f, 0, sizeof(*f));
	snprintf(f->name, sizeof(f->name), "%s", name);
	return f;
}

static bool
name_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
		c == ':' || (!first && c >= '0' && c <= '9');
}

/* Read a metric or label name at *p into out. */
static void
parse_name(const char **p, char *out, size_t cap)
{
	size_t n = 0;

	assert_true(name_char(**p, true));
	while (name_char(**p, n == 0)) {
		assert_true(n + 1 < cap);
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
}

/*
 * The family a sample belongs to: itself, or the base name of a
 * histogram (_bucket, _sum, _count) or a summary (_sum, _count).
 */
static const struct family *
sample_family(struct exposition *e, const char *name)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	const struct family *f = family_find(e, name);
	char base[96];

	if (f != NULL && f->type[0] != '\0')
		return f;
	for (size_t i = 0; i < 3; i++) {
		size_t nl = strlen(name), sl = strlen(suffixes[i]);

		if (nl <= sl || strcmp(name + nl - sl, suffixes[i]) != 0)
			continue;
		snprintf(base, sizeof(base), "%.*s", (int)(nl - sl), name);
		f = family_find(e, base);
		if (f != NULL && (strcmp(f->type, "histogram") == 0 ||
				  (i > 0 && strcmp(f->type, "summary") == 0)))
			return f;
	}
	fail_msg("sample %s has no TYPE", name);
	return NULL;
}

static void
parse_sample(struct exposition *e, const char *line, const char *current)
{
	struct sample *s;
	const char *p = line;
	char *end;
	size_t ll = 0;

	assert_true(e->n < MAX_SAMPLES);
	s = &e->s[e->n++];
	memset(s, 0, sizeof(*s));
	parse_name(&p, s->name, sizeof(s->name));
	if (*p == '{') {
		p++;
		while (*p != '}') {
			char key[64], val[256];
			size_t vn = 0;

			parse_name(&p, key, sizeof(key));
			assert_int_equal(*p++, '=');
			assert_int_equal(*p++, '"');
			while (*p != '"') {
				char c = *p++;

				assert_true(c != '\0' && c != '\n');
				if (c == '\\') {
					c = *p++;
					if (c == 'n')
						c = '\n';
					else
						assert_true(c == '\\' || c == '"');
				}
				assert_true(vn + 1 < sizeof(val));
				val[vn++] = c;
			}
			val[vn] = '\0';
			p++;
			if (strcmp(key, "le") == 0) {
				snprintf(s->le, sizeof(s->le), "%s", val);
			} else {
				/* each label once */
				char pat[80];

				snprintf(pat, sizeof(pat), "%s=", key);
				assert_null(strstr(s->labels, pat));
				ll += (size_t)snprintf(s->labels + ll,
						       sizeof(s->labels) - ll,
						       "%s=%s;", key, val);
				assert_true(ll < sizeof(s->labels));
			}
			if (*p == ',')
				p++;
			else
				assert_int_equal(*p, '}');
		}
		p++;
	}
	assert_int_equal(*p++, ' ');
	s->value = strtod(p, &end);
	assert_true(end != p);
	/* no timestamps: the scrape time is the sample time */
	assert_int_equal(*end, '\0');
	/* a family's samples follow its TYPE line, all together */
	const struct family *f = sample_family(e, s->name);

	assert_string_equal(f->name, current);
	/* quantile belongs to summaries, le to histograms' buckets */
	if (strstr(s->labels, "quantile=") != NULL)
		assert_string_equal(f->type, "summary");
	if (s->le[0] != '\0')
		assert_string_equal(f->type, "histogram");
}

/* Parse a whole exposition; fails the test on any format error. */
static void
parse_exposition(struct exposition *e, const char *text)
{
	char current[96] = "";
	char *copy = strdup(text), *line, *save = NULL;

	assert_non_null(copy);
	e->n = 0;
	e->n_fam = 0;
	/* the last line ends with a newline too */
	assert_true(text[0] == '\0' || text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		char name[96];
		const char *p;
		struct family *f;

		if (strncmp(line, "# HELP ", 7) == 0) {
			p = line + 7;
			parse_name(&p, name, sizeof(name));
			f = family_get(e, name);
			assert_false(f->help);
			f->help = true;
		} else if (strncmp(line, "# TYPE ", 7) == 0) {
			p = line + 7;
			parse_name(&p, name, sizeof(name));
			assert_int_equal(*p++, ' ');
			f = family_get(e, name);
			assert_true(f->type[0] == '\0'); /* one TYPE each */
			assert_true(f->help);            /* HELP first */
			assert_true(strcmp(p, "counter") == 0 ||
				    strcmp(p, "gauge") == 0 ||
				    strcmp(p, "histogram") == 0 ||
				    strcmp(p, "summary") == 0);
			snprintf(f->type, sizeof(f->type), "%s", p);
			if (strcmp(p, "counter") == 0)
				assert_non_null(strstr(name, "_total"));
			snprintf(current, sizeof(current), "%s", name);
		} else {
			assert_true(line[0] != '#');
			parse_sample(e, line, current);
		}
	}
	free(copy);
}

/* The value of the sample name{labels} (labels as "k=v;..." without le). */
static double
value_of(const struct exposition *e, const char *name, const char *labels,
	 const char *le)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->s[i].name, name) == 0 &&
		    strcmp(e->s[i].labels, labels) == 0 &&
		    strcmp(e->s[i].le, le != NULL ? le : "") == 0)
			return e->s[i].value;
	fail_msg("no sample %s{%s le=%s}", name, labels, le ? le : "");
	return NAN;
}

static bool
has_sample(const struct exposition *e, const char *name, const char *labels)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->s[i].name, name) == 0 &&
		    (labels == NULL || strcmp(e->s[i].labels, labels) == 0))
			return true;
	return false;
}

/*
 * Every histogram: buckets in increasing le, counts never decreasing,
 * +Inf last and equal to _count. Returns the number of histograms seen.
 */
static size_t
check_histograms(const struct exposition *e)
{
	size_t n_hist = 0;

	for (size_t i = 0; i < e->n; i++) {
		const struct sample *s = &e->s[i];
		char count_name[128];
		double last_le = -INFINITY, last = 0;
		size_t j;

		if (s->le[0] == '\0' || (i > 0 && e->s[i - 1].le[0] != '\0' &&
					 strcmp(e->s[i - 1].labels,
						s->labels) == 0))
			continue;
		/* the first bucket of a series: walk its buckets */
		for (j = i; j < e->n && e->s[j].le[0] != '\0' &&
		     strcmp(e->s[j].labels, s->labels) == 0; j++) {
			double le = strtod(e->s[j].le, NULL);

			assert_true(le > last_le);
			assert_true(e->s[j].value >= last);
			last_le = le;
			last = e->s[j].value;
		}
		assert_string_equal(e->s[j - 1].le, "+Inf");
		snprintf(count_name, sizeof(count_name), "%.*s_count",
			 (int)(strlen(s->name) - strlen("_bucket")), s->name);
		assert_true(value_of(e, count_name, s->labels, NULL) == last);
		n_hist++;
	}
	return n_hist;
}

/* ---- the synthetic plan and views ---- */

static struct lm_step browse_steps[] = {
	{ .name = (char *)"home", .kind = LM_STEP_HTTP },
	{ .name = (char *)"pause", .kind = LM_STEP_THINK },
	{ .name = (char *)"item", .kind = LM_STEP_HTTP },
};
/* a label value with every character the format escapes */
#define WEIRD_SCENARIO "we\"ird\nline\\back"
static struct lm_step weird_steps[] = {
	{ .name = (char *)"a\"b", .kind = LM_STEP_EXPECT },
};
static struct lm_scenario scenarios[] = {
	{ .name = (char *)"browse", .weight = 1, .steps = browse_steps,
	  .n_steps = 3 },
	{ .name = (char *)WEIRD_SCENARIO, .weight = 1, .steps = weird_steps,
	  .n_steps = 1 },
};
static struct lm_plan plan = {
	.name = (char *)"unit",
	.scenarios = scenarios,
	.n_scenarios = 2,
	.on_start = -1,
	.on_stop = -1,
};
#define N_STEPS 4

static const struct lm_prom_extra extra = {
	.state = "running", .elapsed_s = 12.5, .target_users = 8,
	.target_rate = -1, .plan = "unit", .shard = "0",
};

/* Latencies of step 0 (home), in ns: none shares a sub-bucket with a bound. */
static const uint64_t home_ns[] = {
	50000, 70000, 120000, 300000, 300000, 800000, 1200000, 3000000,
	7000000, 20000000, 60000000, 300000000, 700000000, 3000000000,
	20000000000,
};
#define N_HOME (sizeof(home_ns) / sizeof(home_ns[0]))

static void
fill_view(struct lm_view *v)
{
	assert_int_equal(lm_view_init(v, 2, N_STEPS), 0);
	v->w.users_active = 8;
	v->w.conns_active = 7;
	v->w.requests_inflight = 3;
	v->w.tcp_retransmits = 11;
	v->w.late_starts = 2;
	v->w.conn_opened = 40;
	v->scen[0].runs_ok = 20;
	v->scen[0].runs_failed = 4;
	v->scen[1].runs_ok = 1;
	v->steps[0].requests = 100;
	v->steps[0].ok = 95;
	v->steps[0].failed = 5;
	v->steps[0].errors[LM_ERR_TIMEOUT] = 3;
	v->steps[0].errors[LM_ERR_STATUS] = 2;
	v->steps[0].tx_bytes = 1000;
	v->steps[0].rx_bytes = 50000;
	v->steps[2].requests = 10;
	v->steps[2].ok = 10;
	v->steps[2].tx_bytes = 24;
	v->steps[3].requests = 1;
	v->steps[3].ok = 1;
	for (size_t i = 0; i < N_HOME; i++)
		lm_hdr_record(&v->steps[0].latency, home_ns[i]);
	lm_hdr_record(&v->steps[3].latency, 123456);
}

static char *
render(const struct lm_view *now, const struct lm_view *before,
       const struct lm_prom_extra *x)
{
	size_t len = 0;
	char *t = lm_prom_render_alloc(&len, &plan, now, before, 1.0, x);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	return t;
}

static struct exposition *
exposition_new(void)
{
	struct exposition *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	return e;
}

/* ---- tests ---- */

static void
test_render_numbers(void **state)
{
	struct exposition *e = exposition_new();
	struct lm_view v;
	char *t;
	const char *home = "plan=unit;shard=0;scenario=browse;step=home;";

	(void)state;
	fill_view(&v);
	t = render(&v, NULL, &extra);
	parse_exposition(e, t);
	assert_int_equal(check_histograms(e), 3);

	/* every sample carries the plan and shard labels, first */
	for (size_t i = 0; i < e->n; i++)
		assert_memory_equal(e->s[i].labels, "plan=unit;shard=0;", 18);

	assert_true(value_of(e, "lemmings_up", "plan=unit;shard=0;", NULL) == 1);
	assert_true(value_of(e, "lemmings_state",
			     "plan=unit;shard=0;state=running;", NULL) == 1);
	assert_true(value_of(e, "lemmings_elapsed_seconds",
			     "plan=unit;shard=0;", NULL) == 12.5);
	assert_true(value_of(e, "lemmings_target_users", "plan=unit;shard=0;",
			     NULL) == 8);
	assert_false(has_sample(e, "lemmings_target_rate", NULL));
	assert_true(value_of(e, "lemmings_users", "plan=unit;shard=0;",
			     NULL) == 8);
	assert_true(value_of(e, "lemmings_connections", "plan=unit;shard=0;",
			     NULL) == 7);
	assert_true(value_of(e, "lemmings_tcp_retransmits_total",
			     "plan=unit;shard=0;", NULL) == 11);
	assert_true(value_of(e, "lemmings_late_starts_total",
			     "plan=unit;shard=0;", NULL) == 2);
	assert_true(value_of(e, "lemmings_tx_bytes_total", "plan=unit;shard=0;",
			     NULL) == 1024);
	assert_true(value_of(e, "lemmings_rx_bytes_total", "plan=unit;shard=0;",
			     NULL) == 50000);

	assert_true(value_of(e, "lemmings_requests_total", home, NULL) == 100);
	assert_true(value_of(e, "lemmings_requests_total",
		"plan=unit;shard=0;scenario=browse;step=item;", NULL) == 10);
	/* think steps never have requests: no series for them */
	assert_false(has_sample(e, "lemmings_requests_total",
		"plan=unit;shard=0;scenario=browse;step=pause;"));

	/* the reasons that occurred, and only those */
	assert_true(value_of(e, "lemmings_failures_total",
		"plan=unit;shard=0;scenario=browse;step=home;reason=timeout;",
		NULL) == 3);
	assert_true(value_of(e, "lemmings_failures_total",
		"plan=unit;shard=0;scenario=browse;step=home;reason=status;",
		NULL) == 2);
	size_t n_fail = 0;

	for (size_t i = 0; i < e->n; i++)
		n_fail += strcmp(e->s[i].name, "lemmings_failures_total") == 0;
	assert_int_equal(n_fail, 2);

	assert_true(value_of(e, "lemmings_runs_total",
		"plan=unit;shard=0;scenario=browse;result=ok;", NULL) == 20);
	assert_true(value_of(e, "lemmings_runs_total",
		"plan=unit;shard=0;scenario=browse;result=failed;", NULL) == 4);

	/*
	 * Buckets against the data itself: no sample of home_ns shares an
	 * HDR sub-bucket with a bound, so the counts are exact.
	 */
	for (size_t b = 0; b < LM_PROM_N_BUCKETS; b++) {
		uint64_t want = 0;

		for (size_t i = 0; i < N_HOME; i++)
			want += home_ns[i] <= lm_prom_bucket_ns[b];
		assert_true(value_of(e, "lemmings_response_seconds_bucket", home,
				     lm_prom_bucket_le[b]) == (double)want);
	}
	assert_true(value_of(e, "lemmings_response_seconds_count", home,
			     NULL) == N_HOME);
	/* the sum is exact (the HDR keeps the exact sum), in seconds */
	uint64_t sum = 0;

	for (size_t i = 0; i < N_HOME; i++)
		sum += home_ns[i];
	assert_true(fabs(value_of(e, "lemmings_response_seconds_sum", home,
				  NULL) - (double)sum / 1e9) < 1e-9);
	/* an empty histogram: every bucket 0 */
	assert_true(value_of(e, "lemmings_response_seconds_count",
		"plan=unit;shard=0;scenario=browse;step=item;", NULL) == 0);

	/* no interval without a previous view */
	assert_false(has_sample(e, "lemmings_response_seconds_interval", NULL));

	free(t);
	lm_view_free(&v);
	free(e);
}

static void
test_escaping(void **state)
{
	struct exposition *e = exposition_new();
	struct lm_view v;
	char *t;

	(void)state;
	fill_view(&v);
	t = render(&v, NULL, &extra);
	/* in the text: \" for the quote, \n for the newline, \\ for the backslash */
	assert_non_null(strstr(t, "scenario=\"we\\\"ird\\nline\\\\back\","
				  "step=\"a\\\"b\""));
	/* and read back (unescaped by the parser) to the original names */
	parse_exposition(e, t);
	assert_true(value_of(e, "lemmings_requests_total",
		"plan=unit;shard=0;scenario=" WEIRD_SCENARIO ";step=a\"b;",
		NULL) == 1);
	assert_true(value_of(e, "lemmings_runs_total",
		"plan=unit;shard=0;scenario=" WEIRD_SCENARIO ";result=ok;",
		NULL) == 1);
	free(t);
	lm_view_free(&v);
	free(e);
}

static void
test_no_extra(void **state)
{
	struct exposition *e = exposition_new();
	struct lm_view v;
	char *t;

	(void)state;
	fill_view(&v);
	t = render(&v, NULL, NULL);
	parse_exposition(e, t);
	/* no common labels: a sample without labels has no braces */
	assert_non_null(strstr(t, "\nlemmings_users 8\n"));
	assert_true(strncmp(t, "# HELP lemmings_up ", 19) == 0);
	assert_false(has_sample(e, "lemmings_state", NULL));
	assert_false(has_sample(e, "lemmings_elapsed_seconds", NULL));
	assert_true(value_of(e, "lemmings_requests_total",
			     "scenario=browse;step=home;", NULL) == 100);
	free(t);
	lm_view_free(&v);
	free(e);
}

/*
 * The rounding of the buckets: a sub-bucket is counted under a bound only
 * when all of it lies at or below the bound. So a bucket never counts a
 * sample above its bound and misses at most the samples within 1/128 of
 * the bound below it.
 */
static void
test_bucket_rounding(void **state)
{
	struct lm_hdr *h = malloc(sizeof(*h));
	uint64_t *vals = malloc(20000 * sizeof(*vals));
	uint64_t x = 88172645463325252ull;

	(void)state;
	assert_non_null(h);
	assert_non_null(vals);
	lm_hdr_init(h);
	/* exactly at a bound: its sub-bucket straddles it and goes up */
	lm_hdr_record(h, 100000);
	assert_int_equal(lm_prom_count_le(h, 100000), 0);
	assert_int_equal(lm_prom_count_le(h, 250000), 1);
	/* 1 % below: a sub-bucket entirely under the bound */
	lm_hdr_init(h);
	lm_hdr_record(h, 99000);
	assert_int_equal(lm_prom_count_le(h, 100000), 1);

	/* log-uniform values from 10 us to 100 s */
	lm_hdr_init(h);
	for (size_t i = 0; i < 20000; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		vals[i] = (uint64_t)(1e4 * pow(10, 7.0 * (double)(x >> 11) /
					       9007199254740992.0));
		lm_hdr_record(h, vals[i]);
	}
	for (size_t b = 0; b + 1 < LM_PROM_N_BUCKETS; b++) {
		uint64_t bound = lm_prom_bucket_ns[b], le = 0, le_low = 0;
		uint64_t got = lm_prom_count_le(h, bound);

		for (size_t i = 0; i < 20000; i++) {
			le += vals[i] <= bound;
			le_low += vals[i] <= bound - bound / 128;
		}
		assert_true(got <= le);
		assert_true(got >= le_low);
	}
	assert_int_equal(lm_prom_count_le(h, UINT64_MAX), 20000);
	free(vals);
	free(h);
}

static void
test_interval_quantiles(void **state)
{
	struct exposition *e = exposition_new();
	struct lm_hdr *d = malloc(sizeof(*d));
	struct lm_view before, now;
	const char *home = "plan=unit;shard=0;scenario=browse;step=home;";
	static const struct {
		const char *label;
		double p;
	} qs[] = { { "0.5", 50 }, { "0.9", 90 }, { "0.99", 99 },
		   { "0.999", 99.9 } };
	char *t;

	(void)state;
	assert_non_null(d);
	fill_view(&before);
	fill_view(&now);
	/* the interval: 1000 samples from 1 ms to 1000 ms in step 0 */
	for (uint64_t i = 1; i <= 1000; i++)
		lm_hdr_record(&now.steps[0].latency, i * 1000000);
	t = render(&now, &before, &extra);
	parse_exposition(e, t);
	lm_hdr_diff(d, &now.steps[0].latency, &before.steps[0].latency);
	for (size_t q = 0; q < 4; q++) {
		char labels[128];
		double got, want;

		snprintf(labels, sizeof(labels), "%squantile=%s;", home,
			 qs[q].label);
		got = value_of(e, "lemmings_response_seconds_interval", labels,
			       NULL);
		want = (double)lm_hdr_percentile(d, qs[q].p) / 1e9;
		assert_true(got == want);
		/* and within the HDR's 1 % of the exact nearest rank */
		assert_true(fabs(got - ceil(qs[q].p * 10) / 1e3) <=
			    got / 100);
	}
	/* a step with nothing in the interval: NaN */
	assert_true(isnan(value_of(e, "lemmings_response_seconds_interval",
		"plan=unit;shard=0;scenario=browse;step=item;quantile=0.5;",
		NULL)));
	assert_true(value_of(e, "lemmings_interval_seconds",
			     "plan=unit;shard=0;", NULL) == 1.0);
	/* the summary's _count and _sum: the whole run's, as the histogram's */
	assert_true(value_of(e, "lemmings_response_seconds_interval_count",
			     home, NULL) == N_HOME + 1000);
	assert_true(value_of(e, "lemmings_response_seconds_interval_count",
			     home, NULL) ==
		    value_of(e, "lemmings_response_seconds_count", home, NULL));
	assert_true(value_of(e, "lemmings_response_seconds_interval_sum",
			     home, NULL) ==
		    value_of(e, "lemmings_response_seconds_sum", home, NULL));
	free(t);
	free(d);
	lm_view_free(&before);
	lm_view_free(&now);
	free(e);
}

/* snprintf's contract: the full length always, a cut NUL-terminated text. */
static void
test_truncation(void **state)
{
	struct lm_view v;
	size_t full, n;
	char *t, *buf;

	(void)state;
	fill_view(&v);
	t = render(&v, NULL, &extra);
	full = strlen(t);
	assert_int_equal(lm_prom_render(NULL, 0, &plan, &v, NULL, 1, &extra),
			 full);
	buf = malloc(full + 1);
	assert_non_null(buf);
	for (size_t cap = 1; cap <= full + 1; cap += cap < 64 ? 1 : 997) {
		memset(buf, 'x', full + 1);
		n = lm_prom_render(buf, cap, &plan, &v, NULL, 1, &extra);
		assert_int_equal(n, full);
		assert_int_equal(strlen(buf), cap - 1);
		assert_memory_equal(buf, t, cap - 1);
	}
	n = lm_prom_render(buf, full + 1, &plan, &v, NULL, 1, &extra);
	assert_string_equal(buf, t);
	free(buf);
	free(t);
	lm_view_free(&v);
}

/* promtool's linter, the reference, when it is installed. */
static void
test_promtool(void **state)
{
	char path[] = "/tmp/lm-prom-XXXXXX";
	struct lm_view before, now;
	char cmd[256];
	FILE *f;
	char *t;
	int fd, rc;

	(void)state;
	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		printf("# promtool not found: lint skipped\n");
		return;
	}
	fill_view(&before);
	fill_view(&now);
	lm_hdr_record(&now.steps[0].latency, 5000000);
	t = render(&now, &before, &extra);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(t, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s", path);
	rc = system(cmd);
	unlink(path);
	assert_true(WIFEXITED(rc));
	assert_int_equal(WEXITSTATUS(rc), 0);
	free(t);
	lm_view_free(&before);
	lm_view_free(&now);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_numbers),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_no_extra),
		cmocka_unit_test(test_bucket_rounding),
		cmocka_unit_test(test_interval_quantiles),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_promtool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
