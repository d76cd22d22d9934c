/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report's data from HdrHistogram interval logs (report_data.h).
 *
 * A log holds latencies only: per step, the sum of its intervals gives
 * the samples, the percentiles and the spectrum; per interval, the lines
 * of all steps added up give the series (samples per second, p50, p99).
 * The lines of several logs that start at the same time are kept together,
 * sparse (an interval touches a few hundred of the 4608 sub-buckets),
 * until every file is read and the slot length is known; then they are
 * put in slots as lm_hlog_merge() does, so the series of several
 * machines' logs is that of their merged log.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hlog.h"
#include "report_data.h"
#include "util/errmsg.h"

/* Gaps (intervals with no sample leave no line) are filled up to this. */
#define HREP_MAX_SLOTS 1000000

struct cell {
	uint32_t idx;
	uint64_t count;
};

/* The step lines that start at one time (ms since the epoch), added up. */
struct piece {
	int64_t start_ms;
	int64_t length_ms;
	int64_t slot;
	uint64_t lines;
	uint32_t n;
	struct cell *cells;     /* by idx */
};

struct htag {
	char *tag;
	bool step;              /* not a ttfb or connect histogram */
	struct lm_hdr *h;       /* the sum of its lines (steps only) */
};

struct hrep {
	struct htag *t;         /* in order of first appearance */
	uint32_t n_t, cap_t;
	struct piece *p;
	size_t n_p, cap_p;
};

/* "x.y.ttfb", "connect": the other histograms of a step */
static bool
tag_is_step(const char *tag)
{
	const char *dot = strrchr(tag, '.');
	const char *last = dot != NULL ? dot + 1 : tag;

	return strcmp(last, "ttfb") != 0 && strcmp(last, "connect") != 0;
}

static struct htag *
hrep_tag(struct hrep *r, const char *tag)
{
	struct htag *t;

	for (uint32_t i = 0; i < r->n_t; i++)
		if (strcmp(r->t[i].tag, tag) == 0)
			return &r->t[i];
	if (r->n_t == r->cap_t) {
		uint32_t cap = r->cap_t ? r->cap_t * 2 : 8;
		struct htag *nt = realloc(r->t, cap * sizeof(*nt));

		if (nt == NULL)
			return NULL;
		r->t = nt;
		r->cap_t = cap;
	}
	t = &r->t[r->n_t];
	memset(t, 0, sizeof(*t));
	t->tag = strdup(tag);
	if (t->tag == NULL)
		return NULL;
	r->n_t++;
	t->step = tag_is_step(tag);
	if (t->step) {
		t->h = malloc(sizeof(*t->h));
		if (t->h == NULL)
			return NULL;
		lm_hdr_init(t->h);
	}
	return t;
}

/* Seconds to whole ms, held to what an int64 holds (a log may lie). */
static int64_t
to_ms(double s)
{
	double x = s * 1000.0;

	if (!(x > -1e15))
		x = -1e15;
	if (x > 1e15)
		x = 1e15;
	return llround(x);
}

/* The piece of (start, length), added when new; NULL: no memory. */
static struct piece *
hrep_piece(struct hrep *r, int64_t start_ms, int64_t length_ms)
{
	struct piece *pc;

	/* lines come in time order within a log: look from the end */
	for (size_t i = r->n_p; i-- > 0;)
		if (r->p[i].start_ms == start_ms &&
		    r->p[i].length_ms == length_ms)
			return &r->p[i];
	if (r->n_p == r->cap_p) {
		size_t cap = r->cap_p ? r->cap_p * 2 : 256;
		struct piece *np = realloc(r->p, cap * sizeof(*np));

		if (np == NULL)
			return NULL;
		r->p = np;
		r->cap_p = cap;
	}
	pc = &r->p[r->n_p++];
	memset(pc, 0, sizeof(*pc));
	pc->start_ms = start_ms;
	pc->length_ms = length_ms;
	return pc;
}

/* pc += h, merging h's non-empty sub-buckets into pc's sorted cells. */
static int
piece_add(struct piece *pc, const struct lm_hdr *h)
{
	uint32_t nz = 0, i = 0, n = 0;
	struct cell *m;

	for (uint32_t k = 0; k < LM_HDR_COUNTS; k++)
		nz += h->counts[k] != 0;
	m = malloc(((size_t)pc->n + nz + 1) * sizeof(*m));
	if (m == NULL)
		return -ENOMEM;
	for (uint32_t k = 0; k < LM_HDR_COUNTS; k++) {
		if (h->counts[k] == 0)
			continue;
		while (i < pc->n && pc->cells[i].idx < k)
			m[n++] = pc->cells[i++];
		m[n].idx = k;
		m[n].count = h->counts[k];
		if (i < pc->n && pc->cells[i].idx == k)
			m[n].count = lm_hlog_sat_add(m[n].count,
						     pc->cells[i++].count);
		n++;
	}
	while (i < pc->n)
		m[n++] = pc->cells[i++];
	free(pc->cells);
	pc->cells = m;
	pc->n = n;
	pc->lines++;
	return 0;
}

static int
hrep_line(const struct lm_hlog_line *l, void *arg)
{
	struct hrep *r = arg;
	struct htag *t = hrep_tag(r, l->tag);
	struct piece *pc;

	if (t == NULL)
		return -ENOMEM;
	if (!t->step)
		return 0;
	lm_hdr_add(t->h, l->hist);
	pc = hrep_piece(r, to_ms(l->abs_start_s), to_ms(l->length_s));
	if (pc == NULL)
		return -ENOMEM;
	return piece_add(pc, l->hist);
}

static void
hrep_free(struct hrep *r)
{
	for (uint32_t i = 0; i < r->n_t; i++) {
		free(r->t[i].tag);
		free(r->t[i].h);
	}
	free(r->t);
	for (size_t i = 0; i < r->n_p; i++)
		free(r->p[i].cells);
	free(r->p);
}

/* The commonest positive line length in ms (lines counted), shorter on a tie. */
static int64_t
commonest_length(const struct hrep *r)
{
	int64_t best = 0;
	uint64_t best_n = 0;

	for (size_t i = 0; i < r->n_p; i++) {
		int64_t len = r->p[i].length_ms;
		uint64_t n = 0;

		if (len <= 0)
			continue;
		for (size_t j = 0; j < r->n_p; j++)
			if (r->p[j].length_ms == len)
				n += r->p[j].lines;
		if (n > best_n || (n == best_n && len < best)) {
			best_n = n;
			best = len;
		}
	}
	return best > 0 ? best : 1000;
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	return (x->slot > y->slot) - (x->slot < y->slot);
}

/* One row of the series: slot t (seconds since the first slot's start). */
static void
series_row(json_t *cols[5], double t_s, double len_s, const struct lm_hdr *h)
{
	json_array_append_new(cols[0], json_real(t_s));
	json_array_append_new(cols[1], json_real((double)h->total / len_s));
	/* the log does not say what failed */
	json_array_append_new(cols[2], json_null());
	json_array_append_new(cols[3], json_real(
		(double)lm_hdr_percentile(h, 50) / 1e6));
	json_array_append_new(cols[4], json_real(
		(double)lm_hdr_percentile(h, 99) / 1e6));
}

/* The series, and the time it spans in *span_s. NULL: no memory. */
static json_t *
series_json(struct hrep *r, double *span_s)
{
	struct lm_hdr *h = malloc(sizeof(*h));
	int64_t len_ms = commonest_length(r), first, last, next;
	double len_s = (double)len_ms / 1000.0;
	json_t *cols[5];
	bool fill;
	size_t i, j;

	*span_s = 0;
	for (i = 0; i < 5; i++)
		cols[i] = json_array();
	if (h == NULL)
		goto fail;
	for (i = 0; i < 5; i++)
		if (cols[i] == NULL)
			goto fail;
	for (i = 0; i < r->n_p; i++)
		r->p[i].slot = llround((double)r->p[i].start_ms /
				       (double)len_ms);
	if (r->n_p > 0)
		qsort(r->p, r->n_p, sizeof(*r->p), cmp_slot);
	first = r->n_p > 0 ? r->p[0].slot : 0;
	last = r->n_p > 0 ? r->p[r->n_p - 1].slot : -1;
	/* a slot with no line had no sample: a zero, unless far too many */
	fill = last - first < HREP_MAX_SLOTS;
	next = first;
	for (i = 0; i < r->n_p; i = j) {
		int64_t s = r->p[i].slot;

		for (lm_hdr_init(h); fill && next < s; next++)
			series_row(cols, (double)(next - first + 1) * len_s,
				   len_s, h);
		for (j = i; j < r->n_p && r->p[j].slot == s; j++)
			for (uint32_t k = 0; k < r->p[j].n; k++) {
				const struct cell *c = &r->p[j].cells[k];

				h->counts[c->idx] =
					lm_hlog_sat_add(h->counts[c->idx],
							c->count);
				h->total = lm_hlog_sat_add(h->total, c->count);
			}
		series_row(cols, (double)(s - first + 1) * len_s, len_s, h);
		next = s + 1;
	}
	*span_s = (double)(last - first + 1) * len_s;
	free(h);
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "t_s", cols[0],
			 "req_s", cols[1], "fail_s", cols[2], "p50_ms", cols[3],
			 "p99_ms", cols[4]);
fail:
	free(h);
	for (i = 0; i < 5; i++)
		json_decref(cols[i]);
	return NULL;
}

/* "SCENARIO.STEP.latency" -> SCENARIO, STEP; another tag is a step's name. */
static json_t *
step_names(json_t *row, const char *tag)
{
	size_t len = strlen(tag);
	const char *dot;

	if (len > 8 && strcmp(tag + len - 8, ".latency") == 0)
		len -= 8;
	dot = memchr(tag, '.', len);
	if (dot != NULL) {
		json_object_set_new(row, "scenario",
				    json_stringn(tag, (size_t)(dot - tag)));
		json_object_set_new(row, "step", json_stringn(dot + 1,
			len - (size_t)(dot - tag) - 1));
	} else {
		json_object_set_new(row, "scenario", json_string(""));
		json_object_set_new(row, "step", json_stringn(tag, len));
	}
	return row;
}

static json_t *
row_json(const struct lm_hdr *h, double span_s)
{
	return json_pack("{s:I, s:o, s:o, s:o}",
		"requests", (json_int_t)h->total,
		"req_s", lm_report_real(span_s > 0 ?
			(double)h->total / span_s : 0.0),
		"latency_ms", lm_report_latency_ms(h),
		"spectrum", lm_report_spectrum(h));
}

static json_t *
hrep_json(struct hrep *r, const char *const *paths, size_t n_paths)
{
	struct lm_hdr *all = malloc(sizeof(*all));
	json_t *root = json_object(), *steps = json_array(), *src, *series;
	char now[32], title[512];
	double span_s;

	if (all == NULL || root == NULL || steps == NULL)
		goto fail;
	series = series_json(r, &span_s);
	json_object_set_new(root, "series", series);
	lm_hdr_init(all);
	for (uint32_t i = 0; i < r->n_t; i++) {
		json_t *row;

		if (!r->t[i].step)
			continue;
		row = row_json(r->t[i].h, span_s);
		if (row == NULL || json_array_append_new(steps,
				step_names(row, r->t[i].tag)) != 0)
			goto fail;
		lm_hdr_add(all, r->t[i].h);
	}
	json_object_set_new(root, "steps", steps);
	steps = NULL;
	json_object_set_new(root, "totals", row_json(all, span_s));
	src = json_array();
	for (size_t i = 0; i < n_paths; i++)
		json_array_append_new(src, json_string(paths[i]));
	json_object_set_new(root, "sources", src);
	{
		const char *base = n_paths > 0 ? strrchr(paths[0], '/') : NULL;

		base = base != NULL ? base + 1 : n_paths > 0 ? paths[0] : "";
		if (n_paths > 1)
			snprintf(title, sizeof(title), "%s and %zu more", base,
				 n_paths - 1);
		else
			snprintf(title, sizeof(title), "%s", base);
	}
	lm_report_now(now, sizeof(now));
	json_object_set_new(root, "title", json_string(title));
	json_object_set_new(root, "generated", json_string(now));
	json_object_set_new(root, "source", json_string("hlog"));
	json_object_set_new(root, "duration_s", json_real(span_s));
	/* a part that is missing was out of memory */
	if (json_object_size(root) != 8)
		goto fail;
	free(all);
	return root;
fail:
	free(all);
	json_decref(steps);
	json_decref(root);
	return NULL;
}

json_t *
lm_report_data_hlog(const char *const *paths, size_t n_paths, char *err,
		    size_t errlen)
{
	struct hrep r;
	json_t *root = NULL;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	for (size_t i = 0; i < n_paths && rc == 0; i++)
		rc = lm_hlog_read_file(paths[i], hrep_line, &r, err, errlen);
	if (rc == 0) {
		root = hrep_json(&r, paths, n_paths);
		if (root == NULL)
			rc = -ENOMEM;
	}
	if (rc == -ENOMEM)
		lm_errf(err, errlen, "out of memory");
	hrep_free(&r);
	return root;
}
