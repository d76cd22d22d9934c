/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDR histogram: the cold half (init, copy, merge, interval, queries).
 * Recording is inline in lm/hdr.h because it runs on the hot path; all of
 * this runs in the control plane on copies.
 */
#include <float.h>
#include <stdbool.h>
#include <math.h>
#include <string.h>

#include <lm/hdr.h>

void
lm_hdr_init(struct lm_hdr *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/*
 * Inverse of lm_hdr_index(). Indexes below LM_HDR_SUB_COUNT are bucket 0,
 * which records values exactly; above, index = bucket * SUB_HALF + sub with
 * sub in [SUB_HALF, SUB_COUNT), and the sub-bucket spans 2^bucket values.
 */
static inline uint32_t
hdr_bucket_of(uint32_t i)
{
	if (i < LM_HDR_SUB_COUNT)
		return 0;
	return (i >> (LM_HDR_SUB_BITS - 1)) - 1;
}

uint64_t
lm_hdr_lowest_at(uint32_t i)
{
	uint32_t bucket = hdr_bucket_of(i);
	uint64_t sub = i - (bucket << (LM_HDR_SUB_BITS - 1));

	return sub << bucket;
}

uint64_t
lm_hdr_highest_at(uint32_t i)
{
	uint32_t bucket = hdr_bucket_of(i);

	return lm_hdr_lowest_at(i) + (UINT64_C(1) << bucket) - 1;
}

void
lm_hdr_snapshot(struct lm_hdr *dst, const struct lm_hdr *src)
{
	uint32_t i;

	/*
	 * Field by field, never memcpy: the writer stores each counter
	 * atomically, so each load must be atomic too for the copy to hold
	 * only values that were really there (no torn or invented values).
	 */
	dst->total = __atomic_load_n(&src->total, __ATOMIC_RELAXED);
	dst->sum = __atomic_load_n(&src->sum, __ATOMIC_RELAXED);
	dst->min = __atomic_load_n(&src->min, __ATOMIC_RELAXED);
	dst->max = __atomic_load_n(&src->max, __ATOMIC_RELAXED);
	dst->clamped = __atomic_load_n(&src->clamped, __ATOMIC_RELAXED);
	for (i = 0; i < LM_HDR_COUNTS; i++)
		dst->counts[i] = __atomic_load_n(&src->counts[i],
						 __ATOMIC_RELAXED);
}

void
lm_hdr_add(struct lm_hdr *dst, const struct lm_hdr *src)
{
	uint32_t i;

	dst->total += src->total;
	dst->sum += src->sum;
	dst->clamped += src->clamped;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (i = 0; i < LM_HDR_COUNTS; i++)
		dst->counts[i] += src->counts[i];
}

/*
 * Cumulative counters only grow, so now >= before field by field when both
 * are copies of one histogram taken in that order. Saturate anyway: a
 * wrapped difference would show up as 2^64 samples in every export.
 */
static inline uint64_t
hdr_sub(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

void
lm_hdr_diff(struct lm_hdr *dst, const struct lm_hdr *now,
	    const struct lm_hdr *before)
{
	/* read the scalars first: dst may be now or before */
	uint64_t now_min = now->min, now_max = now->max;
	uint32_t first = UINT32_MAX, last = 0;
	uint32_t i;

	dst->total = hdr_sub(now->total, before->total);
	dst->sum = hdr_sub(now->sum, before->sum);
	dst->clamped = hdr_sub(now->clamped, before->clamped);
	for (i = 0; i < LM_HDR_COUNTS; i++) {
		dst->counts[i] = hdr_sub(now->counts[i], before->counts[i]);
		if (dst->counts[i] != 0) {
			if (first == UINT32_MAX)
				first = i;
			last = i;
		}
	}

	if (first == UINT32_MAX) {
		dst->min = UINT64_MAX;
		dst->max = 0;
		return;
	}

	/*
	 * The sub-bucket bounds are all the buckets say; the cumulative
	 * extremes of 'now' bound every sample in it too, so take the
	 * tighter of the two. When the interval holds the overall minimum
	 * (maximum), that is exact.
	 */
	dst->min = lm_hdr_lowest_at(first);
	if (dst->min < now_min)
		dst->min = now_min;
	dst->max = lm_hdr_highest_at(last);
	if (dst->max > now_max)
		dst->max = now_max;
}

/*
 * Nearest rank ceil(p/100 * total), at least 1. p/100 * total is computed
 * in binary floating point, so a product meant to be a whole number k may
 * come out as k + tiny (99.9 % of 1000 is 999.0000000000001) and ceil
 * would then skip to the next rank. Taking a few ulps off first keeps
 * whole products whole; at worst a p within a few ulps above a whole rank
 * is read as that rank, far below anything a report can show.
 */
static uint64_t
hdr_rank(double p, uint64_t total)
{
	double x;
	uint64_t rank;

	if (!(p > 0.0))         /* also catches NaN */
		p = 0.0;
	if (p > 100.0)
		p = 100.0;
	x = p / 100.0 * (double)total;
	x -= x * 4 * DBL_EPSILON;
	rank = (uint64_t)ceil(x);
	if (rank < 1)
		rank = 1;
	if (rank > total)
		rank = total;
	return rank;
}

uint64_t
lm_hdr_percentile(const struct lm_hdr *h, double p)
{
	uint64_t rank, cum = 0, v = 0;
	uint32_t i;

	if (h->total == 0)
		return 0;

	rank = hdr_rank(p, h->total);
	for (i = 0; i < LM_HDR_COUNTS; i++) {
		if (h->counts[i] == 0)
			continue;
		cum += h->counts[i];
		v = lm_hdr_highest_at(i);
		if (cum >= rank)
			break;
	}
	/*
	 * If a live copy's total ran ahead of its buckets the walk ends
	 * short; v is then the highest non-empty sub-bucket, the best
	 * available answer.
	 */
	if (h->min <= h->max) {
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
	}
	return v;
}

double
lm_hdr_mean(const struct lm_hdr *h)
{
	if (h->total == 0)
		return 0.0;
	return (double)h->sum / (double)h->total;
}

void
lm_hdr_add_live(struct lm_hdr *dst, const struct lm_hdr *src)
{
	uint64_t total = __atomic_load_n(&src->total, __ATOMIC_ACQUIRE);
	uint64_t clamped = __atomic_load_n(&src->clamped, __ATOMIC_RELAXED);
	uint64_t min = __atomic_load_n(&src->min, __ATOMIC_RELAXED);
	uint64_t max = __atomic_load_n(&src->max, __ATOMIC_RELAXED);
	uint32_t lo, hi;

	if (total == 0 && clamped == 0)
		return;
	if (min > LM_HDR_MAX_VALUE)
		min = 0;
	if (max > LM_HDR_MAX_VALUE)
		max = LM_HDR_MAX_VALUE;
	lo = lm_hdr_index(min);
	hi = lm_hdr_index(max);
	for (uint32_t i = lo; i <= hi && i < LM_HDR_COUNTS; i++)
		dst->counts[i] += __atomic_load_n(&src->counts[i], __ATOMIC_RELAXED);
	dst->total += total;
	dst->sum += __atomic_load_n(&src->sum, __ATOMIC_RELAXED);
	dst->clamped += clamped;
	if (min < dst->min)
		dst->min = min;
	if (max > dst->max)
		dst->max = max;
}

/* v held within the exact extremes of h, when it has them. */
static uint64_t
hdr_clamp(const struct lm_hdr *h, uint64_t v)
{
	if (h->min <= h->max) {
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
	}
	return v;
}

/*
 * The step after percentile level: (100 - level) lies in the k-th half
 * (100 / 2^(k+1), 100 / 2^k], and each half is cut in ticks steps, so
 * the step is 100 / (ticks * 2^(k+1)). Powers of two by ldexp keep every
 * level a short binary fraction (0, 10, 50, 55, 77.5 ... are exact).
 */
static double
hdr_next_level(double level, uint32_t ticks)
{
	double rest = 100.0 - level;
	int k = 0;

	while (k < 1000 && rest <= ldexp(100.0, -(k + 1)))
		k++;
	return level + ldexp(100.0 / ticks, -(k + 1));
}

uint32_t
lm_hdr_spectrum(const struct lm_hdr *h, uint32_t ticks_per_half,
		struct lm_hdr_point *out, uint32_t cap)
{
	uint64_t rank, cum = 0;
	uint32_t i = 0, last = 0, n = 0;
	double level = 0.0, next;
	bool any = false;

	if (h->total == 0 || cap == 0 || ticks_per_half == 0)
		return 0;
	for (uint32_t k = 0; k < LM_HDR_COUNTS; k++)
		if (h->counts[k] != 0) {
			last = k;
			any = true;
		}
	if (!any)
		return 0;
	/*
	 * One walk up the sub-buckets: each level's rank is at or above the
	 * previous one. The rank rule is lm_hdr_percentile()'s, so every
	 * point is what it would answer at that percentile.
	 */
	while (n + 1 < cap) {
		rank = hdr_rank(level, h->total);
		while (i < last && cum + h->counts[i] < rank)
			cum += h->counts[i++];
		out[n].percentile = level;
		out[n].value = hdr_clamp(h, lm_hdr_highest_at(i));
		n++;
		if (i == last)
			break;
		next = hdr_next_level(level, ticks_per_half);
		/* a level too close to 100 for a double to tell apart */
		if (!(next > level) || next >= 100.0)
			break;
		level = next;
	}
	out[n].percentile = 100.0;
	out[n].value = hdr_clamp(h, lm_hdr_highest_at(last));
	return n + 1;
}
