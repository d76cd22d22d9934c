/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Merging the JSON summaries of a plan's shards (summary_merge.h).
 *
 * The first summary is copied, then every other one is walked alongside
 * it and added in, key by key, under a rule chosen by the key's path:
 * numbers are summed unless the table below says otherwise, strings (the
 * plan's, scenarios' and steps' names) must be equal, the arrays of
 * scenarios and steps must have the same length (else these are not
 * summaries of one plan). What cannot be added (percentiles, rates, the
 * start, the shard) is rebuilt at the end from all the inputs.
 */
#include <errno.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <lm/hdr.h>

#include "hlog.h"
#include "summary_merge.h"
#include "report.h"

#define PATH_LEN 512

enum rule {
	R_SUM,          /* numbers: added (the default) */
	R_MAX,          /* the longest duration, the largest size */
	R_MIN,
	R_SAME,         /* must be equal: part of the plan */
	R_SAME_OR_DROP, /* kept when equal, else left out (strings' default) */
	R_SKIP,         /* rebuilt at the end from every input */
	R_STRICT,       /* arrays index by index, of equal lengths */
	R_CONCAT,       /* arrays: one after the other */
};

/*
 * Paths with array indices written "[]"; "X.*" stands for every key of
 * object X. Arrays not named here are merged index by index (intervals:
 * the k-th second of every shard, which a common start lines up; ports:
 * port k of every machine).
 */
static const struct {
	const char *path;
	enum rule rule;
} rules[] = {
	/* what names the plan: not the same, not the same plan */
	{ "plan", R_SAME },
	{ "scenarios[].name", R_SAME },
	{ "scenarios[].steps[].name", R_SAME },
	{ "server.servers[].name", R_SAME },
	{ "server.routes[].server", R_SAME },
	{ "server.routes[].route", R_SAME },
	{ "duration_s", R_MAX },
	{ "scenarios", R_STRICT },
	{ "scenarios[].weight", R_SAME },
	{ "scenarios[].steps", R_STRICT },
	{ "scenarios[].steps[].rps", R_SKIP },
	{ "scenarios[].steps[].latency_us", R_SKIP },
	{ "scenarios[].steps[].latency_raw_us", R_SKIP },
	{ "scenarios[].steps[].ttfb_us", R_SKIP },
	{ "scenarios[].steps[].connect_us", R_SKIP },
	{ "totals.rps", R_SKIP },
	{ "totals.latency_us", R_SKIP },
	{ "intervals[].t_s", R_MAX },
	{ "intervals[].length_s", R_MAX },
	{ "intervals[].rps", R_SKIP },
	{ "intervals[].p50_us", R_SKIP },
	{ "intervals[].p90_us", R_SKIP },
	{ "intervals[].p99_us", R_SKIP },
	{ "intervals[].max_us", R_SKIP },
	/* each machine's workers, all of them */
	{ "workers", R_CONCAT },
	{ "pools.still_held", R_CONCAT },
	/* machines may differ; a sum of clock rates means nothing */
	{ "cpu.tsc_hz", R_SAME_OR_DROP },
	/* what one connection costs, not a count */
	{ "memory.per_connection.*", R_MAX },
	{ "memory.parts.*", R_MAX },
	{ "memory.bytes_per_peak_connection", R_SKIP },
	{ "start", R_SKIP },
	{ "shard", R_SKIP },
};

/* The JSON path of the value at hand, as printed and as the rules see it. */
struct path {
	char full[PATH_LEN];    /* scenarios[0].steps[1].name */
	char norm[PATH_LEN];    /* scenarios[].steps[].name */
	size_t lf, ln;
};

struct mctx {
	const char *first;      /* the first input's name */
	const char *file;       /* the input being added */
	char *err;
	size_t errlen;
};

static void
append(char *buf, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (*len >= PATH_LEN - 1)
		return;
	va_start(ap, fmt);
	w = vsnprintf(buf + *len, PATH_LEN - *len, fmt, ap);
	va_end(ap);
	if (w > 0)
		*len += (size_t)w < PATH_LEN - *len ? (size_t)w : PATH_LEN - 1 - *len;
}

static void
path_key(struct path *p, const char *key)
{
	const char *dot = p->lf ? "." : "";

	append(p->full, &p->lf, "%s%s", dot, key);
	append(p->norm, &p->ln, "%s%s", dot, key);
}

static void
path_index(struct path *p, size_t i)
{
	append(p->full, &p->lf, "[%zu]", i);
	append(p->norm, &p->ln, "[]");
}

static void
path_pop(struct path *p, size_t lf, size_t ln)
{
	p->lf = lf;
	p->ln = ln;
	p->full[lf] = '\0';
	p->norm[ln] = '\0';
}

static enum rule
rule_of(const char *norm, const json_t *v)
{
	for (size_t i = 0; i < sizeof(rules) / sizeof(rules[0]); i++) {
		const char *r = rules[i].path;
		size_t n = strlen(r);

		if (n > 2 && strcmp(r + n - 2, ".*") == 0) {
			if (strncmp(norm, r, n - 1) == 0 &&
			    strchr(norm + n - 1, '.') == NULL)
				return rules[i].rule;
		} else if (strcmp(norm, r) == 0) {
			return rules[i].rule;
		}
	}
	/* other text (none yet) may differ from machine to machine */
	return json_is_string(v) ? R_SAME_OR_DROP : R_SUM;
}

static int
refuse(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *
type_name(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "an array";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "an integer";
	case JSON_REAL: return "a number";
	case JSON_TRUE:
	case JSON_FALSE: return "a boolean";
	default: return "null";
	}
}

static bool
same_kind(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return true;
	if (json_is_boolean(a) && json_is_boolean(b))
		return true;
	return json_typeof(a) == json_typeof(b);
}

/* Put v (a new reference) where the value merged into stands. */
static int
put(json_t *container, const char *key, size_t idx, json_t *v)
{
	if (v == NULL)
		return -ENOMEM;
	if (key != NULL)
		return json_object_set_new(container, key, v) ? -ENOMEM : 0;
	return json_array_set_new(container, idx, v) ? -ENOMEM : 0;
}

static int merge_value(struct mctx *c, json_t *container, const char *key,
		       size_t idx, json_t *d, json_t *s, struct path *p);

static int
merge_number(struct mctx *c, json_t *container, const char *key, size_t idx,
	     json_t *d, json_t *s, enum rule rule, struct path *p)
{
	double a = json_number_value(d), b = json_number_value(s);

	switch (rule) {
	case R_SUM:
		if (json_is_integer(d) && json_is_integer(s)) {
			json_int_t r;

			if (__builtin_add_overflow(json_integer_value(d),
						   json_integer_value(s), &r))
				return refuse(c->err, c->errlen, "%s: %s: the sum "
					      "overflows", c->file, p->full);
			return put(container, key, idx, json_integer(r));
		}
		return put(container, key, idx, json_real(a + b));
	case R_MAX:
	case R_MIN:
		if ((rule == R_MAX) == (b > a))
			return put(container, key, idx, json_deep_copy(s));
		return 0;
	case R_SAME:
		if (a != b)
			return refuse(c->err, c->errlen, "%s: %s: %g, where %s "
				      "has %g: summaries of different plans",
				      c->file, p->full, b, c->first, a);
		return 0;
	case R_SAME_OR_DROP:
		/* null until the end, so that a later input does not bring
		 * the key back (drop_nulls) */
		if (a != b)
			return put(container, key, idx, json_null());
		return 0;
	default:
		return 0;
	}
}

static int
merge_object(struct mctx *c, json_t *d, json_t *s, struct path *p)
{
	const char *k;
	json_t *sv;

	json_object_foreach(s, k, sv) {
		size_t lf = p->lf, ln = p->ln;
		json_t *dv = json_object_get(d, k);
		int rc;

		path_key(p, k);
		if (dv == NULL)
			/* a key the earlier summaries lack (a section that
			 * appears when it has something to say): as if zero */
			rc = put(d, k, 0, json_deep_copy(sv));
		else
			rc = merge_value(c, d, k, 0, dv, sv, p);
		path_pop(p, lf, ln);
		if (rc != 0)
			return rc;
	}
	return 0;
}

static int
merge_array(struct mctx *c, json_t *d, json_t *s, enum rule rule,
	    struct path *p)
{
	size_t nd = json_array_size(d), ns = json_array_size(s);

	if (rule == R_STRICT && nd != ns)
		return refuse(c->err, c->errlen, "%s: %s: %zu entries, where %s "
			      "has %zu: summaries of different plans", c->file,
			      p->full, ns, c->first, nd);
	for (size_t i = 0; i < ns; i++) {
		json_t *sv = json_array_get(s, i);
		size_t lf = p->lf, ln = p->ln;
		int rc;

		if (rule == R_CONCAT || i >= nd) {
			if (json_array_append_new(d, json_deep_copy(sv)) != 0)
				return -ENOMEM;
			continue;
		}
		path_index(p, i);
		rc = merge_value(c, d, NULL, i, json_array_get(d, i), sv, p);
		path_pop(p, lf, ln);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* d (at key or idx of container) += s, both at path p. */
static int
merge_value(struct mctx *c, json_t *container, const char *key, size_t idx,
	    json_t *d, json_t *s, struct path *p)
{
	enum rule rule = rule_of(p->norm, d);

	/* null: found different already (R_SAME_OR_DROP), out at the end */
	if (rule == R_SKIP || json_is_null(d))
		return 0;
	if (!same_kind(d, s))
		return refuse(c->err, c->errlen, "%s: %s: %s, where %s has %s",
			      c->file, p->full, type_name(s), c->first,
			      type_name(d));
	switch (json_typeof(d)) {
	case JSON_OBJECT:
		return merge_object(c, d, s, p);
	case JSON_ARRAY:
		return merge_array(c, d, s, rule, p);
	case JSON_INTEGER:
	case JSON_REAL:
		return merge_number(c, container, key, idx, d, s, rule, p);
	case JSON_STRING:
		if (strcmp(json_string_value(d), json_string_value(s)) == 0)
			return 0;
		if (rule == R_SAME_OR_DROP)
			return put(container, key, idx, json_null());
		return refuse(c->err, c->errlen, "%s: %s: \"%s\", where %s has "
			      "\"%s\": summaries of different plans", c->file,
			      p->full, json_string_value(s), c->first,
			      json_string_value(d));
	case JSON_TRUE:
	case JSON_FALSE:
		/* pools.back: every machine's pools back */
		return put(container, key, idx,
			   json_boolean(json_is_true(d) && json_is_true(s)));
	default:
		return 0;
	}
}

/* ---- checks of one input ---- */

/* Counts are never negative: a negative integer is a damaged file. */
static int
check_counts(const char *file, const json_t *v, struct path *p, char *err,
	     size_t errlen)
{
	size_t lf = p->lf, ln = p->ln;
	const char *k;
	json_t *x;
	size_t i;
	int rc = 0;

	if (json_is_integer(v) && json_integer_value(v) < 0)
		return refuse(err, errlen, "%s: %s: %lld: a count below zero",
			      file, p->full, (long long)json_integer_value(v));
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, x) {
			path_key(p, k);
			rc = check_counts(file, x, p, err, errlen);
			path_pop(p, lf, ln);
			if (rc != 0)
				return rc;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			path_index(p, i);
			rc = check_counts(file, x, p, err, errlen);
			path_pop(p, lf, ln);
			if (rc != 0)
				return rc;
		}
	}
	return 0;
}

static int
check_doc(const char *file, const json_t *doc, char *err, size_t errlen)
{
	const json_t *sc = json_object_get(doc, "scenarios");
	const json_t *sh = json_object_get(doc, "shard");
	const json_t *d = json_object_get(doc, "duration_s");
	struct path p = { .lf = 0 };
	const json_t *x;
	size_t i, j;

	if (!json_is_object(doc))
		return refuse(err, errlen, "%s: (top): %s, not a summary (an "
			      "object with plan, scenarios and totals)", file,
			      type_name(doc));
	if (json_object_get(doc, "merged_from") != NULL)
		return refuse(err, errlen, "%s: merged_from: already a merged "
			      "summary; merge the shards' own", file);
	if (!json_is_string(json_object_get(doc, "plan")))
		return refuse(err, errlen, "%s: plan: missing or not a string",
			      file);
	if (!json_is_number(d) || json_number_value(d) < 0)
		return refuse(err, errlen, "%s: duration_s: missing or not a "
			      "number of seconds", file);
	if (!json_is_object(json_object_get(doc, "totals")))
		return refuse(err, errlen, "%s: totals: missing or not an "
			      "object", file);
	if (!json_is_array(sc))
		return refuse(err, errlen, "%s: scenarios: missing or not an "
			      "array", file);
	json_array_foreach(sc, i, x) {
		const json_t *st = json_object_get(x, "steps"), *y;

		if (!json_is_string(json_object_get(x, "name")))
			return refuse(err, errlen, "%s: scenarios[%zu].name: "
				      "missing or not a string", file, i);
		if (!json_is_array(st))
			return refuse(err, errlen, "%s: scenarios[%zu].steps: "
				      "missing or not an array", file, i);
		json_array_foreach(st, j, y)
			if (!json_is_string(json_object_get(y, "name")))
				return refuse(err, errlen, "%s: scenarios[%zu]."
					      "steps[%zu].name: missing or not "
					      "a string", file, i, j);
	}
	if (sh != NULL) {
		const json_t *ix = json_object_get(sh, "index");
		const json_t *n = json_object_get(sh, "count");

		if (!json_is_integer(ix) || !json_is_integer(n) ||
		    json_integer_value(n) < 1 || json_integer_value(ix) < 0 ||
		    json_integer_value(ix) >= json_integer_value(n))
			return refuse(err, errlen, "%s: shard: not {\"index\": "
				      "I, \"count\": N} with 0 <= I < N", file);
	}
	return check_counts(file, doc, &p, err, errlen);
}

/* ---- what is rebuilt from all the inputs ---- */

static int
cmp_int(const void *a, const void *b)
{
	json_int_t x = *(const json_int_t *)a, y = *(const json_int_t *)b;

	return (x > y) - (x < y);
}

/*
 * "shard": {"count": N, "merged": [...], "missing": [...]}. Every input
 * names its shard or none does; one count; no index twice.
 */
static int
rebuild_shard(json_t *out, json_t *const *docs, const char *const *names,
	      size_t n, char *err, size_t errlen)
{
	const json_t *s0 = json_object_get(docs[0], "shard");
	json_int_t count, *idx;
	json_t *merged, *missing;
	size_t i, k;

	for (i = 1; i < n; i++)
		if ((json_object_get(docs[i], "shard") == NULL) != (s0 == NULL))
			return refuse(err, errlen, "%s: shard: %s, where %s %s",
				      names[i], s0 ? "missing" : "present",
				      names[0], s0 ? "has one" : "has none");
	if (s0 == NULL)
		return 0;
	count = json_integer_value(json_object_get(s0, "count"));
	idx = calloc(n, sizeof(*idx));
	if (idx == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const json_t *s = json_object_get(docs[i], "shard");
		json_int_t c = json_integer_value(json_object_get(s, "count"));

		idx[i] = json_integer_value(json_object_get(s, "index"));
		if (c != count) {
			free(idx);
			return refuse(err, errlen, "%s: shard.count: %lld, where "
				      "%s has %lld: not one split of the plan",
				      names[i], (long long)c, names[0],
				      (long long)count);
		}
		for (k = 0; k < i; k++)
			if (idx[k] == idx[i]) {
				json_int_t dup = idx[i];

				free(idx);
				return refuse(err, errlen, "%s: shard.index: %lld, "
					      "also in %s: the same shard twice",
					      names[i], (long long)dup, names[k]);
			}
	}
	qsort(idx, n, sizeof(*idx), cmp_int);
	merged = json_array();
	missing = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(merged, json_integer(idx[i]));
	for (json_int_t s = 0, k2 = 0; s < count; s++) {
		while (k2 < (json_int_t)n && idx[k2] < s)
			k2++;
		if (k2 >= (json_int_t)n || idx[k2] != s)
			json_array_append_new(missing, json_integer(s));
	}
	free(idx);
	return json_object_set_new(out, "shard", json_pack("{s:I, s:o, s:o}",
		"count", count, "merged", merged, "missing", missing)) ? -ENOMEM : 0;
}

/*
 * "start": the earliest and the latest start, their spread, and the skew
 * of the latest against the time asked when every input asked the same.
 */
static void
rebuild_start(json_t *out, json_t *const *docs, size_t n)
{
	double lo = 0, hi = 0, req = -1;
	bool any = false, same_req = true;
	json_t *st;

	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_object_get(docs[i], "start");
		const json_t *at = json_object_get(s, "at");
		const json_t *r = json_object_get(s, "requested");

		if (!json_is_number(at))
			continue;
		if (!any || json_number_value(at) < lo)
			lo = json_number_value(at);
		if (!any || json_number_value(at) > hi)
			hi = json_number_value(at);
		if (!json_is_number(r))
			same_req = false;
		else if (!any)
			req = json_number_value(r);
		else if (json_number_value(r) != req)
			same_req = false;
		any = true;
	}
	if (!any) {
		json_object_del(out, "start");
		return;
	}
	st = json_pack("{s:f, s:f, s:f}", "at", lo, "last_at", hi,
		       "spread_ms", (hi - lo) * 1e3);
	if (same_req && req >= 0) {
		json_object_set_new(st, "requested", json_real(req));
		json_object_set_new(st, "skew_ms", json_real((hi - req) * 1e3));
	}
	json_object_set_new(out, "start", st);
}

static double
ratio(const json_t *num, double den)
{
	return den > 0 && json_is_number(num) ? json_number_value(num) / den : 0;
}

/*
 * The values R_SAME_OR_DROP found different (null until now): out. The
 * summaries hold no null of their own.
 */
static void
drop_nulls(json_t *v)
{
	const char *k;
	json_t *x;
	void *tmp;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach_safe(v, tmp, k, x) {
			if (json_is_null(x))
				json_object_del(v, k);
			else
				drop_nulls(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			drop_nulls(x);
	}
}

/* Rates from the summed counts: over the longest duration, per interval. */
static void
rebuild_rates(json_t *out)
{
	double d = json_number_value(json_object_get(out, "duration_s"));
	json_t *totals = json_object_get(out, "totals"), *sc, *st, *x;
	json_t *mem = json_object_get(out, "memory");
	size_t i, j;

	json_object_set_new(totals, "rps",
			    json_real(ratio(json_object_get(totals, "requests"), d)));
	json_array_foreach(json_object_get(out, "scenarios"), i, sc)
		json_array_foreach(json_object_get(sc, "steps"), j, st)
			json_object_set_new(st, "rps", json_real(
				ratio(json_object_get(st, "requests"), d)));
	json_array_foreach(json_object_get(out, "intervals"), i, x) {
		if (!json_is_object(x))
			continue;
		json_object_set_new(x, "rps", json_real(ratio(
			json_object_get(x, "requests"),
			json_number_value(json_object_get(x, "length_s")))));
		/* an interval's percentiles are not those of its parts */
		json_object_del(x, "p50_us");
		json_object_del(x, "p90_us");
		json_object_del(x, "p99_us");
		json_object_del(x, "max_us");
	}
	if (json_is_object(mem) && json_object_get(mem, "total_bytes") != NULL)
		json_object_set_new(mem, "bytes_per_peak_connection", json_real(
			ratio(json_object_get(mem, "total_bytes"),
			      json_number_value(json_object_get(mem,
				"peak_connections")))));
}

/* ---- percentiles from the merged .hlog ---- */

static const char *const metrics[] = { "latency", "ttfb", "connect" };
#define N_METRICS 3

struct tag_hist {
	char *tag;
	struct lm_hdr *h;
	bool used;
};

struct hlog_sum {
	struct tag_hist *t;
	size_t n, cap;
};

static int
hlog_line(const struct lm_hlog_line *l, void *arg)
{
	struct hlog_sum *s = arg;
	struct tag_hist *t = NULL;

	for (size_t i = 0; i < s->n && t == NULL; i++)
		if (strcmp(s->t[i].tag, l->tag) == 0)
			t = &s->t[i];
	if (t == NULL) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct tag_hist *nt = realloc(s->t, cap * sizeof(*nt));

			if (nt == NULL)
				return -ENOMEM;
			s->t = nt;
			s->cap = cap;
		}
		t = &s->t[s->n];
		t->tag = strdup(l->tag);
		t->h = malloc(sizeof(*t->h));
		t->used = false;
		s->n++;
		if (t->tag == NULL || t->h == NULL)
			return -ENOMEM;
		lm_hdr_init(t->h);
	}
	lm_hdr_add(t->h, l->hist);
	return 0;
}

static void
hlog_sum_free(struct hlog_sum *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->t[i].tag);
		free(s->t[i].h);
	}
	free(s->t);
}

/* The tag the .hlog gives a step's metric (the writer's substitutions). */
static void
step_tag(char *buf, size_t len, const char *scen, const char *step,
	 const char *metric)
{
	snprintf(buf, len, "%s.%s.%s", scen, step, metric);
	for (char *q = buf; *q; q++)
		if (*q == ',' || isspace((unsigned char)*q) ||
		    iscntrl((unsigned char)*q))
			*q = '_';
}

static int
fill_percentiles(json_t *out, const char *hlog_path, char *err, size_t errlen)
{
	struct hlog_sum s = { .n = 0 };
	struct lm_hdr *all = NULL, empty;
	json_t *sc, *st;
	char tag[512];
	size_t i, j;
	int rc;

	rc = lm_hlog_read_file(hlog_path, hlog_line, &s, err, errlen);
	if (rc == -ENOMEM)
		goto out;
	if (rc != 0) {
		rc = -EINVAL;
		goto out;
	}
	all = malloc(sizeof(*all));
	if (all == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	lm_hdr_init(all);
	lm_hdr_init(&empty);
	json_array_foreach(json_object_get(out, "scenarios"), i, sc) {
		const char *sn = json_string_value(json_object_get(sc, "name"));

		json_array_foreach(json_object_get(sc, "steps"), j, st) {
			const char *pn = json_string_value(json_object_get(st,
									   "name"));

			for (int m = 0; m < N_METRICS; m++) {
				const struct lm_hdr *h = &empty;
				char key[32];

				step_tag(tag, sizeof(tag), sn, pn, metrics[m]);
				for (size_t t = 0; t < s.n; t++)
					if (strcmp(s.t[t].tag, tag) == 0) {
						h = s.t[t].h;
						s.t[t].used = true;
					}
				/* no line for the tag: no sample, as in a run
				 * whose step recorded none */
				if (m == 0)
					lm_hdr_add(all, h);
				snprintf(key, sizeof(key), "%s_us", metrics[m]);
				json_object_set_new(st, key, lm_report_latency_json(h));
			}
			/* not recorded in a .hlog */
			json_object_del(st, "latency_raw_us");
		}
	}
	/* a log of another plan would leave steps at zero without a word */
	for (size_t t = 0; t < s.n; t++)
		if (!s.t[t].used) {
			rc = refuse(err, errlen, "%s: tag \"%s\": no step of "
				    "plan \"%s\" has it (a log of another plan?)",
				    hlog_path, s.t[t].tag, json_string_value(
					json_object_get(out, "plan")));
			goto out;
		}
	json_object_set_new(json_object_get(out, "totals"), "latency_us",
			    lm_report_latency_json(all));
	snprintf(tag, sizeof(tag), "from %s", hlog_path);
	json_object_set_new(out, "percentiles", json_string(tag));
	rc = 0;
out:
	free(all);
	hlog_sum_free(&s);
	return rc;
}

static void
drop_percentiles(json_t *out)
{
	json_t *sc, *st;
	size_t i, j;

	json_array_foreach(json_object_get(out, "scenarios"), i, sc)
		json_array_foreach(json_object_get(sc, "steps"), j, st) {
			json_object_del(st, "latency_us");
			json_object_del(st, "latency_raw_us");
			json_object_del(st, "ttfb_us");
			json_object_del(st, "connect_us");
		}
	json_object_del(json_object_get(out, "totals"), "latency_us");
	json_object_set_new(out, "percentiles",
			    json_string("not merged: give --hlog"));
}

int
lm_summary_merge(json_t *const *docs, const char *const *names, size_t n,
		 const char *hlog_path, json_t **out, char *err, size_t errlen)
{
	struct mctx c = { .first = names[0], .err = err, .errlen = errlen };
	json_t *m, *from;
	int rc;

	*out = NULL;
	if (n == 0)
		return refuse(err, errlen, "no summary to merge");
	for (size_t i = 0; i < n; i++) {
		rc = check_doc(names[i], docs[i], err, errlen);
		if (rc != 0)
			return rc;
	}
	m = json_deep_copy(docs[0]);
	if (m == NULL)
		return -ENOMEM;
	for (size_t i = 1; i < n; i++) {
		struct path p = { .lf = 0 };

		c.file = names[i];
		rc = merge_object(&c, m, docs[i], &p);
		if (rc != 0)
			goto fail;
	}
	rc = rebuild_shard(m, docs, names, n, err, errlen);
	if (rc != 0)
		goto fail;
	rebuild_start(m, docs, n);
	rebuild_rates(m);
	drop_nulls(m);
	if (hlog_path != NULL)
		rc = fill_percentiles(m, hlog_path, err, errlen);
	else
		drop_percentiles(m);
	if (rc != 0)
		goto fail;
	from = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(from, json_string(names[i]));
	if (json_object_set_new(m, "merged_from", from) != 0) {
		rc = -ENOMEM;
		goto fail;
	}
	*out = m;
	return 0;
fail:
	json_decref(m);
	return rc;
}

/* ---- files ---- */

/* Write doc to path through a temporary file renamed over it. */
static int
write_atomic(const json_t *doc, const char *path, char *err, size_t errlen)
{
	size_t len = strlen(path);
	char *tmp = malloc(len + 8);
	mode_t mask;
	FILE *f;
	int fd, rc = 0;

	if (tmp == NULL)
		return -ENOMEM;
	snprintf(tmp, len + 8, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file beside it: %s",
			 path, strerror(errno));
		free(tmp);
		return -EIO;
	}
	/* mkstemp's 0600: give the file the mode a plain create would */
	mask = umask(0);
	umask(mask);
	(void)fchmod(fd, 0666 & ~mask);
	f = fdopen(fd, "w");
	if (f == NULL) {
		close(fd);
		rc = -EIO;
	} else {
		if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0 ||
		    fputc('\n', f) == EOF || fflush(f) != 0 || fsync(fd) != 0)
			rc = -EIO;
		if (fclose(f) != 0)
			rc = -EIO;
	}
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -EIO;
	if (rc != 0) {
		snprintf(err, errlen, "%s: cannot write the merged summary: %s",
			 path, strerror(errno ? errno : EIO));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int
lm_summary_merge_files(const char *const *paths, size_t n,
		       const char *hlog_path, const char *out_path,
		       char *err, size_t errlen)
{
	json_t **docs = calloc(n ? n : 1, sizeof(*docs));
	char **real = calloc(n ? n : 1, sizeof(*real));
	json_t *out = NULL;
	size_t i;
	int rc = 0;

	if (docs == NULL || real == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n && rc == 0; i++) {
		json_error_t je;

		real[i] = realpath(paths[i], NULL);
		for (size_t k = 0; k < i && real[i] != NULL; k++)
			if (real[k] != NULL && strcmp(real[k], real[i]) == 0)
				rc = refuse(err, errlen, "%s: given twice (as %s "
					    "too)", paths[i], paths[k]);
		if (rc != 0)
			break;
		docs[i] = json_load_file(paths[i], JSON_REJECT_DUPLICATES, &je);
		if (docs[i] == NULL)
			rc = refuse(err, errlen, "%s:%d:%d: not valid JSON: %s",
				    paths[i], je.line, je.column, je.text);
	}
	if (rc == 0)
		rc = lm_summary_merge(docs, paths, n, hlog_path, &out, err,
				      errlen);
	if (rc == 0)
		rc = write_atomic(out, out_path, err, errlen);
out:
	for (i = 0; i < n && docs != NULL; i++)
		json_decref(docs[i]);
	for (i = 0; i < n && real != NULL; i++)
		free(real[i]);
	free(docs);
	free(real);
	json_decref(out);
	return rc;
}
