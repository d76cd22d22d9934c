/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Alias table construction (Vose's algorithm). Runs once per plan load in
 * the control plane; only lm_alias_pick() (alias.h) runs on the hot path.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "gen/alias.h"

/*
 * Threshold for keeping the column's own choice: a fraction in [0, 1] as
 * x * 2^32, rounded. 2^32 itself does not fit; UINT32_MAX stands for it,
 * and every column that should never leave itself aliases to itself, so
 * the one value of r that fails the compare still lands on the column.
 */
static uint32_t
alias_fixed(double x)
{
	double v = x * 4294967296.0;

	if (!(v > 0.0))
		return 0;
	if (v >= 4294967295.0)
		return UINT32_MAX;
	return (uint32_t)(v + 0.5);
}

static void
alias_clear(struct lm_alias *a)
{
	a->n = 0;
	a->prob = NULL;
	a->alias = NULL;
}

int
lm_alias_build(struct lm_alias *a, const double *weights, uint32_t n)
{
	double wmax = 0.0, total = 0.0;
	uint32_t *work = NULL;
	double *p = NULL;
	uint32_t n_small = 0, n_large = 0;
	uint32_t i, imax = 0;

	alias_clear(a);
	if (n == 0 || weights == NULL)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		/* written to be false for NaN as well */
		if (!(weights[i] >= 0.0) || isinf(weights[i]))
			return -EINVAL;
		if (weights[i] > wmax) {
			wmax = weights[i];
			imax = i;
		}
	}
	if (wmax == 0.0)
		return -EINVAL;

	/* calloc: it checks n * size for overflow where size_t is narrow */
	a->prob = calloc(n, sizeof(*a->prob));
	a->alias = calloc(n, sizeof(*a->alias));
	p = calloc(n, sizeof(*p));
	work = calloc(n, sizeof(*work));
	if (a->prob == NULL || a->alias == NULL || p == NULL || work == NULL) {
		free(a->prob);
		free(a->alias);
		free(p);
		free(work);
		alias_clear(a);
		return -ENOMEM;
	}
	a->n = n;

	/*
	 * Divide by the largest weight first: the sum of weights near
	 * DBL_MAX would overflow, the sum of w / wmax is at most n.
	 */
	for (i = 0; i < n; i++)
		total += weights[i] / wmax;

	/*
	 * p[i] = n * share of i: a column holds exactly 1 of probability
	 * mass. One work array holds both stacks, the "small" ones (p < 1)
	 * growing up from 0 and the "large" ones down from n - 1; an item is
	 * on at most one stack, so they never meet.
	 */
	for (i = 0; i < n; i++) {
		p[i] = weights[i] / wmax / total * n;
		if (p[i] < 1.0)
			work[n_small++] = i;
		else
			work[n - 1 - n_large++] = i;
	}

	/*
	 * Vose: fill a small item's column up to 1 with mass from a large
	 * item, which then has less; once below 1 it is small itself.
	 */
	while (n_small > 0 && n_large > 0) {
		uint32_t l = work[--n_small];
		uint32_t g = work[n - n_large];

		a->prob[l] = alias_fixed(p[l]);
		a->alias[l] = g;
		p[g] = (p[g] + p[l]) - 1.0;
		if (p[g] < 1.0) {
			n_large--;
			work[n_small++] = g;
		}
	}

	/*
	 * What remains is mass 1 in exact arithmetic, off only by rounding:
	 * a full column that keeps its own choice. A zero weight cannot be
	 * here (its mass is 0, not about 1), but if rounding ever put one
	 * here it must still never be picked: send its column elsewhere.
	 */
	while (n_large > 0) {
		uint32_t g = work[n - n_large--];

		a->prob[g] = UINT32_MAX;
		a->alias[g] = g;
	}
	while (n_small > 0) {
		uint32_t l = work[--n_small];

		if (weights[l] > 0.0) {
			a->prob[l] = UINT32_MAX;
			a->alias[l] = l;
		} else {
			a->prob[l] = 0;
			a->alias[l] = imax;
		}
	}

	free(p);
	free(work);
	return 0;
}

void
lm_alias_free(struct lm_alias *a)
{
	free(a->prob);
	free(a->alias);
	alias_clear(a);
}
