/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the alias method (dataplane/gen/alias.c).
 *
 * Two kinds of check: the table itself, whose exact pick probabilities
 * can be read off its columns and compared with the weights; and draws
 * from a seeded splitmix64, compared with the weights statistically.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "gen/alias.h"

#include "util/splitmix.h"

#define DRAWS 1000000

/* a fixed seed gives the same data on every run */
#define splitmix64(s) lm_splitmix64(s)

/*
 * The exact probability of each choice implied by the table: column i is
 * chosen with 1/n, then keeps i with prob[i] / 2^32.
 */
static void
check_table(const struct lm_alias *a, const double *w, uint32_t n)
{
	double *got = calloc(n, sizeof(*got));
	double total = 0.0;
	uint32_t i;

	assert_non_null(got);
	assert_int_equal(a->n, n);
	for (i = 0; i < n; i++)
		total += w[i];
	for (i = 0; i < n; i++) {
		double keep = a->prob[i] / 4294967296.0;

		assert_true(a->alias[i] < n);
		got[i] += keep / n;
		got[a->alias[i]] += (1.0 - keep) / n;
	}
	for (i = 0; i < n; i++) {
		if (fabs(got[i] - w[i] / total) > 1e-8)
			fail_msg("choice %u: table gives %.12f, weight %.12f",
				 i, got[i], w[i] / total);
		if (w[i] == 0.0) {
			uint32_t j;

			/* not even the 2^-32 of a full column's edge */
			assert_int_equal(a->prob[i], 0);
			for (j = 0; j < n; j++)
				assert_int_not_equal(a->alias[j], i);
		}
	}
	free(got);
}

static void
count_draws(const struct lm_alias *a, uint64_t seed, uint64_t *count)
{
	uint64_t s = seed;
	uint32_t i;

	for (i = 0; i < a->n; i++)
		count[i] = 0;
	for (i = 0; i < DRAWS; i++) {
		uint32_t c = lm_alias_pick(a, splitmix64(&s));

		assert_true(c < a->n);
		count[c]++;
	}
}

static void
test_three_to_one(void **state)
{
	const double w[2] = { 3.0, 1.0 };
	struct lm_alias a;
	uint64_t count[2];
	double sigma = sqrt(DRAWS * 0.75 * 0.25);

	(void)state;
	assert_int_equal(lm_alias_build(&a, w, 2), 0);
	check_table(&a, w, 2);
	count_draws(&a, 1, count);
	assert_int_equal(count[0] + count[1], DRAWS);
	/* 5 sigma: a correct table fails this about once in 2 million seeds */
	if (fabs((double)count[0] - 0.75 * DRAWS) > 5 * sigma)
		fail_msg("3:1 gave %llu:%llu",
			 (unsigned long long)count[0],
			 (unsigned long long)count[1]);
	lm_alias_free(&a);
}

static void
test_chi_square_with_zeros(void **state)
{
	/* 7 non-zero weights (6 degrees of freedom), zeros in between */
	const double w[11] = { 0, 5, 1, 0, 2.5, 10, 0, 0.5, 3, 7, 0 };
	struct lm_alias a;
	uint64_t count[11];
	double total = 0.0, chi2 = 0.0;
	uint32_t i;

	(void)state;
	assert_int_equal(lm_alias_build(&a, w, 11), 0);
	check_table(&a, w, 11);
	count_draws(&a, 2, count);
	for (i = 0; i < 11; i++)
		total += w[i];
	for (i = 0; i < 11; i++) {
		double e = DRAWS * w[i] / total;

		if (w[i] == 0.0) {
			assert_int_equal(count[i], 0);
			continue;
		}
		chi2 += ((double)count[i] - e) * ((double)count[i] - e) / e;
	}
	/* chi-square, 6 d.o.f.: P(> 38.26) = 1e-6 */
	if (chi2 > 38.26)
		fail_msg("chi-square %.2f", chi2);

	/* the extreme random numbers land on real choices too */
	{
		const uint64_t edge[] = {
			0, 1, UINT32_MAX, UINT64_C(1) << 32,
			(UINT64_C(1) << 32) - 1, UINT64_MAX, UINT64_MAX - 1,
			UINT64_MAX << 32, UINT64_MAX >> 1,
		};

		for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++) {
			uint32_t c = lm_alias_pick(&a, edge[i]);

			assert_true(c < 11);
			assert_true(w[c] > 0.0);
		}
	}
	lm_alias_free(&a);
}

static void
test_many_weights(void **state)
{
	enum { N = 1000 };
	double w[N];
	struct lm_alias a;
	uint64_t s = 3;
	uint32_t i;

	(void)state;
	/* widely spread weights, a third of them zero */
	for (i = 0; i < N; i++) {
		uint64_t r = splitmix64(&s);

		w[i] = r % 3 == 0 ? 0.0 :
		       ldexp((double)(r >> 40), -(int)((r >> 8) % 20));
	}
	assert_int_equal(lm_alias_build(&a, w, N), 0);
	check_table(&a, w, N);
	lm_alias_free(&a);

	/* uniform weights: every column keeps itself */
	for (i = 0; i < N; i++)
		w[i] = 2.0;
	assert_int_equal(lm_alias_build(&a, w, N), 0);
	check_table(&a, w, N);
	for (i = 0; i < N; i++) {
		/* the smallest high half that selects column i */
		uint64_t hi = (((uint64_t)i << 32) + N - 1) / N;

		assert_int_equal(lm_alias_pick(&a, hi << 32), i);
		assert_int_equal(lm_alias_pick(&a, hi << 32 | UINT32_MAX), i);
	}
	lm_alias_free(&a);

	/* huge weights must not overflow the sum */
	w[0] = DBL_MAX;
	w[1] = DBL_MAX;
	w[2] = DBL_MAX / 2;
	w[3] = 0.0;
	assert_int_equal(lm_alias_build(&a, w, 4), 0);
	{
		const double ratio[4] = { 2, 2, 1, 0 };

		check_table(&a, ratio, 4);
	}
	lm_alias_free(&a);
}

static void
test_single(void **state)
{
	const double one[1] = { 0.25 };
	const double lone[4] = { 0, 0, 7, 0 };
	struct lm_alias a;
	uint64_t s = 4, count[4];
	uint32_t i;

	(void)state;
	assert_int_equal(lm_alias_build(&a, one, 1), 0);
	check_table(&a, one, 1);
	for (i = 0; i < 1000; i++)
		assert_int_equal(lm_alias_pick(&a, splitmix64(&s)), 0);
	assert_int_equal(lm_alias_pick(&a, UINT64_MAX), 0);
	assert_int_equal(lm_alias_pick(&a, 0), 0);
	lm_alias_free(&a);

	/* one non-zero weight among zeros: always that one */
	assert_int_equal(lm_alias_build(&a, lone, 4), 0);
	check_table(&a, lone, 4);
	count_draws(&a, 5, count);
	assert_int_equal(count[2], DRAWS);
	assert_int_equal(lm_alias_pick(&a, UINT64_MAX), 2);
	assert_int_equal(lm_alias_pick(&a, 0), 2);
	lm_alias_free(&a);
}

static void
test_bad_input(void **state)
{
	const double neg[3] = { 1, -0.5, 2 };
	const double zeros[3] = { 0, 0, 0 };
	const double ok[2] = { 1, 1 };
	double w[3] = { 1, 1, 1 };
	struct lm_alias a;

	(void)state;
	assert_int_equal(lm_alias_build(&a, ok, 0), -EINVAL);
	assert_int_equal(a.n, 0);
	assert_null(a.prob);
	assert_null(a.alias);
	lm_alias_free(&a);      /* harmless on the empty result */

	assert_int_equal(lm_alias_build(&a, NULL, 2), -EINVAL);
	assert_int_equal(lm_alias_build(&a, neg, 3), -EINVAL);
	assert_int_equal(lm_alias_build(&a, zeros, 3), -EINVAL);
	w[1] = NAN;
	assert_int_equal(lm_alias_build(&a, w, 3), -EINVAL);
	w[1] = INFINITY;
	assert_int_equal(lm_alias_build(&a, w, 3), -EINVAL);
	w[1] = -INFINITY;
	assert_int_equal(lm_alias_build(&a, w, 3), -EINVAL);
	w[1] = -DBL_MIN;
	assert_int_equal(lm_alias_build(&a, w, 3), -EINVAL);
	assert_int_equal(a.n, 0);
	assert_null(a.prob);

	/* negative zero is zero, not negative */
	w[1] = -0.0;
	assert_int_equal(lm_alias_build(&a, w, 3), 0);
	assert_int_equal(a.n, 3);
	lm_alias_free(&a);
	assert_int_equal(a.n, 0);
	assert_null(a.prob);
	assert_null(a.alias);
	lm_alias_free(&a);      /* twice is harmless */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_three_to_one),
		cmocka_unit_test(test_chi_square_with_zeros),
		cmocka_unit_test(test_many_weights),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
