/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HDR histogram (lm/hdr.h, dataplane/stats/hdr.c).
 *
 * Percentiles are checked against exact nearest-rank percentiles of the
 * same data, sorted; merge and interval results against a histogram
 * recorded directly from the data they should equal.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <lm/hdr.h>

#include "util/splitmix.h"

/* a fixed seed gives the same data on every run */
#define rng_next(s) lm_splitmix64(s)

/* uniform in [0, 1) with 53 random bits */
static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static struct lm_hdr *
hdr_new(void)
{
	struct lm_hdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	lm_hdr_init(h);
	return h;
}

static void
hdr_record_all(struct lm_hdr *h, const uint64_t *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		lm_hdr_record(h, v[i]);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* ---- layout ---- */

static void
test_init_empty(void **state)
{
	struct lm_hdr *h = hdr_new();
	uint32_t i;

	(void)state;
	assert_int_equal(h->total, 0);
	assert_int_equal(h->sum, 0);
	assert_int_equal(h->clamped, 0);
	assert_true(h->min == UINT64_MAX);
	assert_int_equal(h->max, 0);
	for (i = 0; i < LM_HDR_COUNTS; i++)
		assert_int_equal(h->counts[i], 0);
	assert_int_equal(lm_hdr_percentile(h, 50.0), 0);
	assert_int_equal(lm_hdr_percentile(h, 100.0), 0);
	assert_true(lm_hdr_mean(h) == 0.0);
	free(h);
}

static void
test_index_roundtrip(void **state)
{
	uint32_t i;

	(void)state;
	assert_int_equal(lm_hdr_lowest_at(0), 0);
	assert_true(lm_hdr_highest_at(LM_HDR_COUNTS - 1) == LM_HDR_MAX_VALUE);
	for (i = 0; i < LM_HDR_COUNTS; i++) {
		uint64_t lo = lm_hdr_lowest_at(i);
		uint64_t hi = lm_hdr_highest_at(i);

		assert_true(lo <= hi);
		assert_int_equal(lm_hdr_index(lo), i);
		assert_int_equal(lm_hdr_index(hi), i);
		assert_int_equal(lm_hdr_index((lo + hi) / 2), i);
		if (i > 0) {
			/* sub-buckets tile the value range with no gap */
			assert_true(lo == lm_hdr_highest_at(i - 1) + 1);
			assert_int_equal(lm_hdr_index(lo - 1), i - 1);
		}
		if (i < LM_HDR_SUB_COUNT)
			assert_true(lo == i && hi == i);
	}
}

static void
test_index_boundaries(void **state)
{
	unsigned k;

	(void)state;
	assert_int_equal(lm_hdr_index(0), 0);
	assert_int_equal(lm_hdr_index(1), 1);
	assert_int_equal(lm_hdr_index(255), 255);
	assert_int_equal(lm_hdr_index(256), 256);
	assert_int_equal(lm_hdr_index(257), 256);
	assert_int_equal(lm_hdr_index(258), 257);
	assert_int_equal(lm_hdr_index(511), 383);
	assert_int_equal(lm_hdr_index(512), 384);
	assert_int_equal(lm_hdr_index(515), 384);
	assert_int_equal(lm_hdr_index(516), 385);
	assert_int_equal(lm_hdr_index(LM_HDR_MAX_VALUE), LM_HDR_COUNTS - 1);
	assert_int_equal(lm_hdr_lowest_at(256), 256);
	assert_int_equal(lm_hdr_highest_at(256), 257);
	assert_int_equal(lm_hdr_lowest_at(384), 512);
	assert_int_equal(lm_hdr_highest_at(384), 515);

	for (k = 0; k < LM_HDR_MAX_BITS; k++) {
		uint64_t v = UINT64_C(1) << k;
		uint32_t i = lm_hdr_index(v);

		/* a power of two always starts a sub-bucket */
		assert_true(lm_hdr_lowest_at(i) == v);
		if (k < LM_HDR_SUB_BITS)
			assert_int_equal(i, v);
		else
			assert_int_equal(i, (k - LM_HDR_SUB_BITS + 2) *
					 LM_HDR_SUB_HALF);
		if (k > 0)
			assert_int_equal(lm_hdr_index(v - 1), i - 1);
	}
}

static void
test_record_clamped(void **state)
{
	struct lm_hdr *h = hdr_new();

	(void)state;
	lm_hdr_record(h, LM_HDR_MAX_VALUE);
	lm_hdr_record(h, LM_HDR_MAX_VALUE + 1);
	lm_hdr_record(h, UINT64_MAX);
	assert_int_equal(h->total, 3);
	assert_int_equal(h->clamped, 2);
	assert_int_equal(h->counts[LM_HDR_COUNTS - 1], 3);
	assert_true(h->max == LM_HDR_MAX_VALUE);
	assert_true(h->min == LM_HDR_MAX_VALUE);
	assert_true(h->sum == 3 * LM_HDR_MAX_VALUE);
	assert_true(lm_hdr_percentile(h, 100.0) == LM_HDR_MAX_VALUE);
	assert_true(lm_hdr_percentile(h, 0.0) == LM_HDR_MAX_VALUE);
	free(h);
}

static void
test_relative_error(void **state)
{
	uint32_t i;

	(void)state;
	for (i = 1; i < LM_HDR_COUNTS; i++) {
		uint64_t lo = lm_hdr_lowest_at(i);
		uint64_t width = lm_hdr_highest_at(i) - lo + 1;

		/* any value in the sub-bucket reads back within width - 1 */
		assert_true((double)(width - 1) / (double)lo <= 0.01);
		assert_true(width * 128 <= lo || width == 1);
	}
}

/* ---- percentiles against exact nearest rank ---- */

/*
 * Percentiles in tenths of a percent so the exact rank is integer
 * arithmetic, independent of the floating point in the code under test.
 */
static const unsigned pct_tenths[] = {
	1, 100, 250, 500, 750, 900, 990, 999, 1000,
};

static void
check_percentiles(const uint64_t *data, size_t n)
{
	struct lm_hdr *h = hdr_new();
	uint64_t *sorted = malloc(n * sizeof(*sorted));
	size_t j;

	assert_non_null(sorted);
	hdr_record_all(h, data, n);
	memcpy(sorted, data, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_u64);
	assert_int_equal(h->total, n);
	assert_true(h->min == sorted[0]);
	assert_true(h->max == sorted[n - 1]);

	for (j = 0; j < sizeof(pct_tenths) / sizeof(pct_tenths[0]); j++) {
		uint64_t rank = ((uint64_t)pct_tenths[j] * n + 999) / 1000;
		uint64_t exact, got, want;

		if (rank < 1)
			rank = 1;
		exact = sorted[rank - 1];
		got = lm_hdr_percentile(h, pct_tenths[j] / 10.0);

		/* the contract: within 1 % above the exact value */
		if (got < exact || (double)(got - exact) > 0.01 * (double)exact)
			fail_msg("p%.1f of %zu samples: got %llu, exact %llu",
				 pct_tenths[j] / 10.0, n,
				 (unsigned long long)got,
				 (unsigned long long)exact);
		/* and precisely: top of exact's sub-bucket, capped at max */
		want = lm_hdr_highest_at(lm_hdr_index(exact));
		if (want > h->max)
			want = h->max;
		assert_int_equal(got, want);
	}
	assert_true(lm_hdr_percentile(h, 100.0) == sorted[n - 1]);
	/* out-of-range p is clamped, not trusted */
	assert_true(lm_hdr_percentile(h, 150.0) == sorted[n - 1]);
	assert_true(lm_hdr_percentile(h, -5.0) == lm_hdr_percentile(h, 0.0));
	assert_true(lm_hdr_percentile(h, 0.0) >= sorted[0]);
	free(sorted);
	free(h);
}

#define N_BIG 100000

static void
test_pct_uniform(void **state)
{
	uint64_t *d = malloc(N_BIG * sizeof(*d));
	uint64_t s = 42;
	size_t i;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < N_BIG; i++)
		d[i] = rng_next(&s) % 10000000;  /* 0 .. 10 ms */
	check_percentiles(d, N_BIG);
	free(d);
}

static void
test_pct_exponential(void **state)
{
	uint64_t *d = malloc(N_BIG * sizeof(*d));
	uint64_t s = 7;
	size_t i;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < N_BIG; i++)
		d[i] = (uint64_t)(-log(1.0 - rng_unit(&s)) * 250000.0);
	check_percentiles(d, N_BIG);
	free(d);
}

static void
test_pct_bimodal(void **state)
{
	uint64_t *d = malloc(N_BIG * sizeof(*d));
	uint64_t s = 1234;
	size_t i;

	(void)state;
	assert_non_null(d);
	/* 85 % fast (40-60 us), 15 % slow (4.5-5.5 ms): p90 is slow */
	for (i = 0; i < N_BIG; i++) {
		if (rng_next(&s) % 100 < 85)
			d[i] = 40000 + rng_next(&s) % 20000;
		else
			d[i] = 4500000 + rng_next(&s) % 1000000;
	}
	check_percentiles(d, N_BIG);
	free(d);
}

static void
test_pct_constant(void **state)
{
	uint64_t d[10000];
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		d[i] = 123457;
	check_percentiles(d, 10000);

	/* every percentile of a constant is the constant, exactly */
	{
		struct lm_hdr *h = hdr_new();

		hdr_record_all(h, d, 10000);
		assert_int_equal(lm_hdr_percentile(h, 0.0), 123457);
		assert_int_equal(lm_hdr_percentile(h, 50.0), 123457);
		assert_int_equal(lm_hdr_percentile(h, 99.99), 123457);
		free(h);
	}
}

static void
test_pct_single(void **state)
{
	uint64_t d[1] = { 777777 };
	struct lm_hdr *h = hdr_new();

	(void)state;
	check_percentiles(d, 1);
	lm_hdr_record(h, 777777);
	assert_int_equal(lm_hdr_percentile(h, 0.0), 777777);
	assert_int_equal(lm_hdr_percentile(h, 50.0), 777777);
	assert_int_equal(lm_hdr_percentile(h, 100.0), 777777);
	free(h);
}

static void
test_pct_sequence(void **state)
{
	uint64_t *d = malloc(N_BIG * sizeof(*d));
	struct lm_hdr *h = hdr_new();
	size_t i;

	(void)state;
	assert_non_null(d);
	for (i = 0; i < N_BIG; i++)
		d[i] = i + 1;
	check_percentiles(d, N_BIG);

	/*
	 * 99.9 % of 100000 is 99900.00000000001 in doubles: a bare ceil()
	 * would answer rank 99901. Values below 256 are kept exactly, so
	 * small data sets show the rank itself.
	 */
	hdr_record_all(h, d, 200);
	assert_int_equal(lm_hdr_percentile(h, 50.0), 100);
	assert_int_equal(lm_hdr_percentile(h, 99.5), 199);
	assert_int_equal(lm_hdr_percentile(h, 99.0), 198);
	assert_int_equal(lm_hdr_percentile(h, 0.0), 1);
	assert_int_equal(lm_hdr_percentile(h, 0.5), 1);
	assert_int_equal(lm_hdr_percentile(h, 0.6), 2);
	lm_hdr_init(h);
	for (i = 0; i < 1000; i++)
		lm_hdr_record(h, i < 999 ? 10 : 20);
	assert_int_equal(lm_hdr_percentile(h, 99.9), 10);
	assert_int_equal(lm_hdr_percentile(h, 99.91), 20);
	free(h);
	free(d);
}

static void
test_pct_small_exact(void **state)
{
	uint64_t d[1000];
	uint64_t s = 99;
	size_t i;

	(void)state;
	/* below 256 values are kept exactly, so must the percentiles be */
	for (i = 0; i < 1000; i++)
		d[i] = rng_next(&s) % 256;
	check_percentiles(d, 1000);
}

/* ---- merge, snapshot, interval, mean ---- */

static void
assert_hdr_equal(const struct lm_hdr *a, const struct lm_hdr *b)
{
	assert_int_equal(a->total, b->total);
	assert_int_equal(a->sum, b->sum);
	assert_true(a->min == b->min);
	assert_int_equal(a->max, b->max);
	assert_int_equal(a->clamped, b->clamped);
	assert_memory_equal(a->counts, b->counts, sizeof(a->counts));
}

static void
test_merge(void **state)
{
	struct lm_hdr *a = hdr_new(), *b = hdr_new(), *all = hdr_new();
	struct lm_hdr *m = hdr_new();
	uint64_t s = 5;
	size_t i;

	(void)state;
	for (i = 0; i < 50000; i++) {
		uint64_t v = rng_next(&s) % 2000000;

		lm_hdr_record(a, v);
		lm_hdr_record(all, v);
	}
	for (i = 0; i < 30000; i++) {
		uint64_t v = 1000000 + rng_next(&s) % 90000000;

		if (i == 17)
			v = UINT64_C(1) << 50;   /* one clamped sample */
		lm_hdr_record(b, v);
		lm_hdr_record(all, v);
	}

	lm_hdr_add(m, a);       /* into an empty one */
	lm_hdr_add(m, b);
	assert_hdr_equal(m, all);
	assert_int_equal(m->clamped, 1);

	lm_hdr_add(b, a);       /* order does not matter */
	assert_hdr_equal(b, all);

	/* adding an empty histogram changes nothing, min included */
	lm_hdr_init(a);
	lm_hdr_add(m, a);
	assert_hdr_equal(m, all);
	free(a);
	free(b);
	free(all);
	free(m);
}

static void
test_snapshot(void **state)
{
	struct lm_hdr *h = hdr_new(), *c = hdr_new();
	uint64_t s = 3;
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++)
		lm_hdr_record(h, rng_next(&s) >> 20);
	memset(c, 0xa5, sizeof(*c));
	lm_hdr_snapshot(c, h);
	assert_hdr_equal(c, h);
	assert_int_equal(h->clamped, c->clamped);
	assert_true(h->clamped > 0);
	free(h);
	free(c);
}

static void
test_diff(void **state)
{
	struct lm_hdr *cum = hdr_new(), *only_b = hdr_new();
	struct lm_hdr *before = hdr_new(), *now = hdr_new(), *d = hdr_new();
	uint64_t *bvals = malloc(20000 * sizeof(*bvals));
	uint64_t s = 11, bmin = UINT64_MAX, bmax = 0;
	size_t i, j;

	(void)state;
	assert_non_null(bvals);
	for (i = 0; i < 40000; i++)
		lm_hdr_record(cum, 1000 + rng_next(&s) % 5000000);
	lm_hdr_snapshot(before, cum);

	/* interval B: inside the range already seen, so min/max are inexact */
	for (i = 0; i < 20000; i++) {
		uint64_t v = 300000 + rng_next(&s) % 700000;

		bvals[i] = v;
		bmin = v < bmin ? v : bmin;
		bmax = v > bmax ? v : bmax;
		lm_hdr_record(cum, v);
		lm_hdr_record(only_b, v);
	}
	lm_hdr_snapshot(now, cum);
	lm_hdr_diff(d, now, before);

	assert_int_equal(d->total, only_b->total);
	assert_int_equal(d->sum, only_b->sum);
	assert_int_equal(d->clamped, 0);
	assert_memory_equal(d->counts, only_b->counts, sizeof(d->counts));
	/* the extremes are known to their sub-bucket, and bound the truth */
	assert_true(d->min <= bmin);
	assert_true(d->min == lm_hdr_lowest_at(lm_hdr_index(bmin)));
	assert_true(d->max >= bmax);
	assert_true(d->max == lm_hdr_highest_at(lm_hdr_index(bmax)));
	assert_true(lm_hdr_mean(d) == lm_hdr_mean(only_b));

	/* interval percentiles: within 1 % of the exact ones of B alone */
	qsort(bvals, 20000, sizeof(*bvals), cmp_u64);
	for (j = 0; j < sizeof(pct_tenths) / sizeof(pct_tenths[0]); j++) {
		uint64_t rank = ((uint64_t)pct_tenths[j] * 20000 + 999) / 1000;
		uint64_t exact = bvals[(rank ? rank : 1) - 1];
		uint64_t got = lm_hdr_percentile(d, pct_tenths[j] / 10.0);

		assert_true(got >= exact);
		assert_true((double)(got - exact) <= 0.01 * (double)exact);
	}

	/* a new overall min and max in the interval: then they are exact */
	lm_hdr_snapshot(before, cum);
	lm_hdr_record(cum, 501);        /* not a sub-bucket's lowest value */
	lm_hdr_record(cum, 987654321);
	lm_hdr_snapshot(now, cum);
	lm_hdr_diff(d, now, before);
	assert_int_equal(d->total, 2);
	assert_int_equal(d->min, 501);
	assert_int_equal(d->max, 987654321);
	assert_int_equal(lm_hdr_percentile(d, 100.0), 987654321);
	assert_int_equal(lm_hdr_percentile(d, 50.0), 501);

	/* dst may alias now */
	lm_hdr_diff(now, now, before);
	assert_hdr_equal(now, d);

	/* nothing recorded between the copies: an empty interval */
	lm_hdr_snapshot(before, cum);
	lm_hdr_snapshot(now, cum);
	lm_hdr_diff(d, now, before);
	assert_int_equal(d->total, 0);
	assert_true(d->min == UINT64_MAX);
	assert_int_equal(d->max, 0);
	assert_int_equal(lm_hdr_percentile(d, 99.0), 0);
	assert_true(lm_hdr_mean(d) == 0.0);

	free(bvals);
	free(cum);
	free(only_b);
	free(before);
	free(now);
	free(d);
}

static void
test_mean(void **state)
{
	struct lm_hdr *h = hdr_new();
	uint64_t i;

	(void)state;
	for (i = 1; i <= 100000; i++)
		lm_hdr_record(h, i);
	assert_true(lm_hdr_mean(h) == 50000.5);
	lm_hdr_init(h);
	lm_hdr_record(h, 1000);
	lm_hdr_record(h, 3000000);
	/* the mean comes from the exact sum, not from sub-bucket midpoints */
	assert_true(lm_hdr_mean(h) == 1500500.0);
	free(h);
}

/*
 * Adding a histogram as it is being written (only the sub-buckets between
 * its min and max) gives exactly what adding a copy gives.
 */
static void
test_add_live(void **state)
{
	struct lm_hdr *a = malloc(sizeof(*a)), *b = malloc(sizeof(*b));
	struct lm_hdr *x = malloc(sizeof(*x)), *y = malloc(sizeof(*y));
	uint64_t seed = 9;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(x);
	assert_non_null(y);
	lm_hdr_init(a);
	lm_hdr_init(b);
	lm_hdr_init(x);
	lm_hdr_init(y);
	for (int i = 0; i < 10000; i++) {
		lm_hdr_record(a, 5000 + rng_next(&seed) % 3000000);
		lm_hdr_record(b, 100 + rng_next(&seed) % 50000);
	}
	lm_hdr_record(b, LM_HDR_MAX_VALUE + 5);   /* clamped */
	lm_hdr_add(x, a);
	lm_hdr_add(x, b);
	lm_hdr_add_live(y, a);
	lm_hdr_add_live(y, b);
	assert_int_equal(x->total, y->total);
	assert_int_equal(x->sum, y->sum);
	assert_int_equal(x->min, y->min);
	assert_int_equal(x->max, y->max);
	assert_int_equal(x->clamped, y->clamped);
	assert_memory_equal(x->counts, y->counts, sizeof(x->counts));
	/* an empty histogram adds nothing */
	lm_hdr_init(a);
	lm_hdr_add_live(y, a);
	assert_int_equal(x->total, y->total);
	free(a);
	free(b);
	free(x);
	free(y);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_empty),
		cmocka_unit_test(test_index_roundtrip),
		cmocka_unit_test(test_index_boundaries),
		cmocka_unit_test(test_record_clamped),
		cmocka_unit_test(test_relative_error),
		cmocka_unit_test(test_pct_uniform),
		cmocka_unit_test(test_pct_exponential),
		cmocka_unit_test(test_pct_bimodal),
		cmocka_unit_test(test_pct_constant),
		cmocka_unit_test(test_pct_single),
		cmocka_unit_test(test_pct_sequence),
		cmocka_unit_test(test_pct_small_exact),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_mean),
		cmocka_unit_test(test_add_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
