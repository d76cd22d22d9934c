/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Merging HdrHistogram interval logs of several machines (lemmings-ctl
 * hlog merge); the rule is in hlog.h.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hlog.h"
#include "util/errmsg.h"

/*
 * Merge. Every input line is kept sparse (an interval touches a few
 * hundred of the 4608 sub-buckets) until all files are read and the slot
 * length is known; then lines are sorted by slot and tag and each group
 * is added up into one histogram and written.
 */
struct cell {
	uint32_t idx;
	uint64_t count;
};

struct piece {
	uint32_t tag;
	uint64_t order;         /* reading order, for a stable sort */
	double abs_start_s;
	int64_t length_ms;
	int64_t slot;
	uint32_t n;
	struct cell *cells;
};

struct merge {
	char **tags;            /* in order of first appearance */
	uint32_t n_tags, cap_tags;
	struct piece *p;
	size_t n, cap;
};

/* Index of tag t, added when new; -1 when out of memory. */
static int64_t
merge_tag(struct merge *m, const char *t)
{
	uint32_t i;

	for (i = 0; i < m->n_tags; i++)
		if (strcmp(m->tags[i], t) == 0)
			return i;
	if (m->n_tags == m->cap_tags) {
		uint32_t cap = m->cap_tags ? m->cap_tags * 2 : 8;
		char **nt = realloc(m->tags, cap * sizeof(*nt));

		if (nt == NULL)
			return -1;
		m->tags = nt;
		m->cap_tags = cap;
	}
	m->tags[i] = strdup(t);
	if (m->tags[i] == NULL)
		return -1;
	return m->n_tags++;
}

static int
merge_line(const struct lm_hlog_line *l, void *arg)
{
	struct merge *m = arg;
	struct piece *pc;
	int64_t id = merge_tag(m, l->tag);
	uint32_t n = 0, k;

	if (id < 0)
		return -ENOMEM;
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		struct piece *np = realloc(m->p, cap * sizeof(*np));

		if (np == NULL)
			return -ENOMEM;
		m->p = np;
		m->cap = cap;
	}
	for (k = 0; k < LM_HDR_COUNTS; k++)
		n += l->hist->counts[k] != 0;
	pc = &m->p[m->n];
	memset(pc, 0, sizeof(*pc));
	pc->cells = malloc((n ? n : 1) * sizeof(*pc->cells));
	if (pc->cells == NULL)
		return -ENOMEM;
	for (k = 0; k < LM_HDR_COUNTS; k++)
		if (l->hist->counts[k] != 0) {
			pc->cells[pc->n].idx = k;
			pc->cells[pc->n].count = l->hist->counts[k];
			pc->n++;
		}
	pc->tag = (uint32_t)id;
	pc->order = m->n;
	pc->abs_start_s = l->abs_start_s;
	pc->length_ms = llround(l->length_s * 1000.0);
	m->n++;
	return 0;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* The commonest line length in ms, the smaller one on a tie; -1: no memory. */
static int64_t
commonest_length(const struct merge *m)
{
	int64_t *v = malloc(m->n * sizeof(*v)), best = 0;
	size_t i, j, best_n = 0;

	if (v == NULL)
		return -1;
	for (i = 0; i < m->n; i++)
		v[i] = m->p[i].length_ms;
	qsort(v, m->n, sizeof(*v), cmp_i64);
	for (i = 0; i < m->n; i = j) {
		for (j = i; j < m->n && v[j] == v[i]; j++)
			;
		if (j - i > best_n) {
			best_n = j - i;
			best = v[i];
		}
	}
	free(v);
	return best;
}

static int
cmp_piece(const void *a, const void *b)
{
	const struct piece *x = a, *y = b;

	if (x->slot != y->slot)
		return (x->slot > y->slot) - (x->slot < y->slot);
	if (x->tag != y->tag)
		return (x->tag > y->tag) - (x->tag < y->tag);
	return (x->order > y->order) - (x->order < y->order);
}

static int
merge_write(struct merge *m, const char *out_path, int64_t len_ms,
	    char *err, size_t errlen)
{
	struct lm_hdr *h = malloc(sizeof(*h));
	struct lm_hlog *out;
	int64_t first = m->n > 0 ? m->p[0].slot : 0;
	double len_s = (double)len_ms / 1000.0;
	size_t i, j;
	int rc = 0;

	if (h == NULL) {
		lm_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	/* the merged log starts at its first slot: no negative timestamps */
	out = lm_hlog_open(out_path, (double)first * len_s, err, errlen);
	if (out == NULL) {
		free(h);
		return -EIO;
	}
	for (i = 0; i < m->n && rc == 0; i = j) {
		lm_hdr_init(h);
		for (j = i; j < m->n && m->p[j].slot == m->p[i].slot &&
			    m->p[j].tag == m->p[i].tag; j++)
			for (uint32_t k = 0; k < m->p[j].n; k++) {
				const struct cell *c = &m->p[j].cells[k];

				h->counts[c->idx] = lm_hlog_sat_add(h->counts[c->idx],
							    c->count);
				h->total = lm_hlog_sat_add(h->total, c->count);
			}
		rc = lm_hlog_write(out, m->tags[m->p[i].tag],
				   (double)(m->p[i].slot - first) * len_s,
				   len_s, h);
		if (rc == -ERANGE)
			lm_errf(err, errlen, "%s: a merged count above 2^63",
				out_path);
		else if (rc != 0)
			lm_errf(err, errlen, "%s: %s", out_path, strerror(-rc));
	}
	if (lm_hlog_close(out) != 0 && rc == 0) {
		rc = -EIO;
		lm_errf(err, errlen, "%s: write failed", out_path);
	}
	free(h);
	return rc;
}

int
lm_hlog_merge(const char *const *paths, size_t n_paths, const char *out_path,
	      double interval_s, char *err, size_t errlen)
{
	struct merge m;
	int64_t len_ms = 1000;
	size_t i;
	int rc = 0;

	memset(&m, 0, sizeof(m));
	for (i = 0; i < n_paths && rc == 0; i++) {
		rc = lm_hlog_read_file(paths[i], merge_line, &m, err, errlen);
		if (rc == -ENOMEM)
			lm_errf(err, errlen, "out of memory");
	}
	if (rc != 0)
		goto out;

	if (interval_s > 0)
		len_ms = llround(interval_s * 1000.0);
	else if (m.n > 0)
		len_ms = commonest_length(&m);
	if (len_ms < 0) {
		rc = -ENOMEM;
		lm_errf(err, errlen, "out of memory");
		goto out;
	}
	if (len_ms == 0) {
		rc = -EINVAL;
		lm_errf(err, errlen, "most interval lines are 0 s long: give "
			"the interval length");
		goto out;
	}
	/* nearest whole multiple of the length since the epoch */
	for (i = 0; i < m.n; i++)
		m.p[i].slot = llround(m.p[i].abs_start_s * 1000.0 /
				      (double)len_ms);
	qsort(m.p, m.n, sizeof(*m.p), cmp_piece);
	rc = merge_write(&m, out_path, len_ms, err, errlen);
out:
	for (i = 0; i < m.n; i++)
		free(m.p[i].cells);
	free(m.p);
	for (i = 0; i < m.n_tags; i++)
		free(m.tags[i]);
	free(m.tags);
	return rc;
}
