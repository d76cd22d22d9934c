/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the percentile spectrum (lm_hdr_spectrum(), lm/hdr.h).
 *
 * The histograms hold 1..N, whose nearest-rank percentile p is exactly
 * ceil(p/100 * N): that rank is computed here in integers (the levels are
 * short binary fractions), not by the histogram code, and every point is
 * checked against it within the histogram's resolution, and against
 * lm_hdr_percentile() at the same percentile.
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

#define SCALE_BITS 40

static struct lm_hdr *
hdr_fill(uint64_t n)
{
	struct lm_hdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	lm_hdr_init(h);
	for (uint64_t v = 1; v <= n; v++)
		lm_hdr_record(h, v);
	return h;
}

/* ceil(p / 100 * n) in exact arithmetic; p must be a multiple of 2^-40. */
static uint64_t
exact_rank(double p, uint64_t n)
{
	double scaled = ldexp(p, SCALE_BITS);
	unsigned __int128 num, den = (unsigned __int128)100 << SCALE_BITS;
	uint64_t r;

	assert_true(scaled == floor(scaled));
	num = (unsigned __int128)(uint64_t)scaled * n;
	r = (uint64_t)((num + den - 1) / den);
	return r < 1 ? 1 : r;
}

/* The levels HdrHistogram's reports show for 5 ticks per half distance. */
static void
test_levels(void **state)
{
	static const double want[] = { 0, 10, 20, 30, 40, 50, 55, 60, 65, 70,
		75, 77.5, 80, 82.5, 85, 87.5, 88.75, 90, 91.25, 92.5, 93.75,
		94.375, 95, 95.625 };
	struct lm_hdr *h = hdr_fill(200);
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);

	(void)state;
	assert_true(n > sizeof(want) / sizeof(want[0]));
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(pt[i].percentile == want[i]);
	free(h);
}

/*
 * 1..200: recorded exactly (below 256), so each point's value is the
 * rank itself; the walk ends at the first level whose rank is 200, then
 * (100, 200).
 */
static void
test_exact_values(void **state)
{
	const uint64_t N = 200;
	struct lm_hdr *h = hdr_fill(N);
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);

	(void)state;
	assert_true(n >= 3);
	assert_true(pt[0].percentile == 0.0);
	assert_int_equal(pt[0].value, 1);
	for (uint32_t i = 0; i + 1 < n; i++) {
		assert_int_equal(pt[i].value, exact_rank(pt[i].percentile, N));
		assert_int_equal(pt[i].value,
				 lm_hdr_percentile(h, pt[i].percentile));
		assert_true(pt[i + 1].percentile > pt[i].percentile);
	}
	/* the walk stops where the last sample is first reached */
	assert_int_equal(exact_rank(pt[n - 2].percentile, N), N);
	assert_true(exact_rank(pt[n - 3].percentile, N) < N);
	assert_true(pt[n - 1].percentile == 100.0);
	assert_int_equal(pt[n - 1].value, N);
	free(h);
}

/*
 * 1..N past the exact range: each value is the highest value of the
 * sub-bucket that holds the true one, so at most 1/128 above it.
 */
static void
test_resolution(void **state)
{
	const uint64_t N = 1000000;
	struct lm_hdr *h = hdr_fill(N);
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);

	(void)state;
	/*
	 * 5 ticks a half until the top sub-bucket, 4096 values wide here
	 * (0.4 % of the samples): 8 halvings.
	 */
	assert_true(n > 40 && n < 60);
	for (uint32_t i = 0; i + 1 < n; i++) {
		uint64_t r = exact_rank(pt[i].percentile, N);

		assert_true(pt[i].value >= r);
		assert_true(pt[i].value - r <= r / 128);
		assert_int_equal(pt[i].value,
				 lm_hdr_percentile(h, pt[i].percentile));
		assert_true(i == 0 || pt[i].value >= pt[i - 1].value);
	}
	/* the walk stops where the top sub-bucket is first reached */
	assert_int_equal(lm_hdr_index(exact_rank(pt[n - 2].percentile, N)),
			 lm_hdr_index(N));
	assert_true(lm_hdr_index(exact_rank(pt[n - 3].percentile, N)) <
		    lm_hdr_index(N));
	assert_true(pt[n - 1].percentile == 100.0);
	assert_int_equal(pt[n - 1].value, N);
	free(h);
}

/* One value many times: the first level is already the last sample. */
static void
test_single_value(void **state)
{
	struct lm_hdr *h = malloc(sizeof(*h));
	struct lm_hdr_point pt[8];
	uint32_t n;

	(void)state;
	assert_non_null(h);
	lm_hdr_init(h);
	for (int i = 0; i < 1000; i++)
		lm_hdr_record(h, 123456789);
	n = lm_hdr_spectrum(h, 5, pt, 8);
	assert_int_equal(n, 2);
	assert_true(pt[0].percentile == 0.0);
	assert_int_equal(pt[0].value, 123456789);  /* capped at the exact max */
	assert_true(pt[1].percentile == 100.0);
	assert_int_equal(pt[1].value, 123456789);
	free(h);
}

static void
test_empty_and_cap(void **state)
{
	struct lm_hdr *h = hdr_fill(0);
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n;

	(void)state;
	assert_int_equal(lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX), 0);
	free(h);
	h = hdr_fill(1000);
	assert_int_equal(lm_hdr_spectrum(h, 5, pt, 0), 0);
	assert_int_equal(lm_hdr_spectrum(h, 0, pt, LM_HDR_SPECTRUM_MAX), 0);
	/* a short buffer still ends at (100, max) */
	n = lm_hdr_spectrum(h, 5, pt, 5);
	assert_int_equal(n, 5);
	assert_true(pt[3].percentile == 30.0);
	assert_true(pt[4].percentile == 100.0);
	assert_int_equal(pt[4].value, 1000);
	free(h);
}

/*
 * Counts near 2^63: the levels go on until a double cannot tell them
 * from 100, within LM_HDR_SPECTRUM_MAX points.
 */
static void
test_huge_counts(void **state)
{
	struct lm_hdr *h = hdr_fill(0);
	struct lm_hdr_point pt[LM_HDR_SPECTRUM_MAX];
	uint32_t n;

	(void)state;
	h->counts[lm_hdr_index(1000)] = UINT64_C(1) << 62;
	h->counts[lm_hdr_index(5000000)] = 1;
	h->total = (UINT64_C(1) << 62) + 1;
	h->min = 1000;
	h->max = 5000000;
	n = lm_hdr_spectrum(h, 5, pt, LM_HDR_SPECTRUM_MAX);
	assert_true(n > 2 && n < LM_HDR_SPECTRUM_MAX);
	assert_true(pt[n - 1].percentile == 100.0);
	assert_int_equal(pt[n - 1].value, 5000000);
	assert_int_equal(pt[n - 2].value, lm_hdr_highest_at(lm_hdr_index(1000)));
	free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_exact_values),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_single_value),
		cmocka_unit_test(test_empty_and_cap),
		cmocka_unit_test(test_huge_counts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
