/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HDR histogram of latencies in nanoseconds.
 *
 * One fixed configuration for every histogram in the program, so that merging
 * histograms from several workers is an index-wise sum and an interval is an
 * index-wise difference of two cumulative copies.
 *
 * Layout (the HdrHistogram scheme): values below 2^LM_HDR_SUB_BITS are
 * recorded exactly; above that, each power-of-two range [2^k, 2^(k+1)) is
 * split into 2^(LM_HDR_SUB_BITS-1) equal sub-buckets, so the width of a
 * sub-bucket is at most 1/128 of the values in it: relative error < 0.8 %
 * (< 1 % as required). Values above LM_HDR_MAX_VALUE are clamped to it and
 * counted in 'clamped'.
 *
 * Writing: exactly one writer per histogram (its worker). Counters are
 * written with relaxed atomic stores so that a reader on another core may
 * copy a histogram at any time without a lock; a copy taken while the
 * writer runs is a consistent-enough snapshot (each counter is exact, the
 * total may lag the buckets by the samples recorded during the copy).
 */
#ifndef LM_HDR_H
#define LM_HDR_H

#include <stdint.h>
#include <stddef.h>

#define LM_HDR_SUB_BITS 8                       /* 256 sub-buckets */
#define LM_HDR_SUB_COUNT (1u << LM_HDR_SUB_BITS)
#define LM_HDR_SUB_HALF (LM_HDR_SUB_COUNT / 2)
#define LM_HDR_MAX_BITS 42                      /* 2^42 ns ~ 73 minutes */
#define LM_HDR_MAX_VALUE ((UINT64_C(1) << LM_HDR_MAX_BITS) - 1)
/* bucket 0 holds [0, 256); buckets 1.. hold the upper halves */
#define LM_HDR_BUCKETS (LM_HDR_MAX_BITS - LM_HDR_SUB_BITS + 1)
#define LM_HDR_COUNTS ((LM_HDR_BUCKETS + 1) * LM_HDR_SUB_HALF)

struct lm_hdr {
	uint64_t total;    /* number of samples */
	uint64_t sum;      /* sum of recorded values (for the mean) */
	uint64_t min;      /* exact smallest value; UINT64_MAX when empty */
	uint64_t max;      /* exact largest value; 0 when empty */
	uint64_t clamped;  /* samples above LM_HDR_MAX_VALUE */
	uint64_t counts[LM_HDR_COUNTS];
};

/* Index of the sub-bucket holding v (v already clamped). */
static inline uint32_t
lm_hdr_index(uint64_t v)
{
	/* bucket = position of the highest set bit above the sub-bucket range */
	uint64_t mask = v | (LM_HDR_SUB_COUNT - 1);
	uint32_t msb = 63 - (uint32_t)__builtin_clzll(mask);
	uint32_t bucket = msb - (LM_HDR_SUB_BITS - 1);  /* 0 for v < 256 */
	uint32_t sub = (uint32_t)(v >> bucket);          /* in [128, 256) for bucket > 0 */

	return (bucket << (LM_HDR_SUB_BITS - 1)) + sub;
}

static inline void
lm_hdr_record(struct lm_hdr *h, uint64_t v)
{
	if (v > LM_HDR_MAX_VALUE) {
		__atomic_store_n(&h->clamped, h->clamped + 1, __ATOMIC_RELAXED);
		v = LM_HDR_MAX_VALUE;
	}
	uint32_t i = lm_hdr_index(v);

	__atomic_store_n(&h->counts[i], h->counts[i] + 1, __ATOMIC_RELAXED);
	if (v < h->min)
		__atomic_store_n(&h->min, v, __ATOMIC_RELAXED);
	if (v > h->max)
		__atomic_store_n(&h->max, v, __ATOMIC_RELAXED);
	__atomic_store_n(&h->sum, h->sum + v, __ATOMIC_RELAXED);
	__atomic_store_n(&h->total, h->total + 1, __ATOMIC_RELAXED);
}

/* Empty the histogram (min = UINT64_MAX, everything else 0). */
void lm_hdr_init(struct lm_hdr *h);

/* Lowest and highest value that share index i's sub-bucket. */
uint64_t lm_hdr_lowest_at(uint32_t i);
uint64_t lm_hdr_highest_at(uint32_t i);

/* Copy src into dst with relaxed atomic loads (src may be written meanwhile). */
void lm_hdr_snapshot(struct lm_hdr *dst, const struct lm_hdr *src);

/*
 * dst += src, where src may be written meanwhile by its worker: read with
 * relaxed loads, total first (a sample counted in it has its min and max
 * already written), and only the sub-buckets between src's min and max,
 * which is what makes merging many mostly-empty histograms cheap.
 */
void lm_hdr_add_live(struct lm_hdr *dst, const struct lm_hdr *src);

/* dst += src, index-wise; min/max combined. */
void lm_hdr_add(struct lm_hdr *dst, const struct lm_hdr *src);

/*
 * dst = now - before, index-wise: the samples recorded between two
 * snapshots of the same cumulative histogram. min and max of the result are
 * derived from its lowest and highest non-empty sub-buckets (the exact
 * extremes of an interval are not known).
 */
void lm_hdr_diff(struct lm_hdr *dst, const struct lm_hdr *now,
		 const struct lm_hdr *before);

/*
 * Value at percentile p (0..100): the highest value equivalent to the
 * sample of rank ceil(p/100 * total) (HdrHistogram's definition), capped at
 * the exact max. 0 for an empty histogram.
 */
uint64_t lm_hdr_percentile(const struct lm_hdr *h, double p);

double lm_hdr_mean(const struct lm_hdr *h);

/* One point of a percentile spectrum: the value at a percentile. */
struct lm_hdr_point {
	double percentile;   /* 0 .. 100 */
	uint64_t value;      /* as recorded (ns) */
};

/* The most points lm_hdr_spectrum() gives for any histogram of ours. */
#define LM_HDR_SPECTRUM_MAX 1024

/*
 * The percentile spectrum of h, the "percentile distribution" of
 * HdrHistogram's reports: percentiles from 0 towards 100 in steps that
 * shrink as they near 100, ticks_per_half steps in each half of what is
 * left (0, 10, ..., 50, 55, ..., 75, 77.5, ... for 5), each with
 * lm_hdr_percentile()'s value there, until the highest non-empty
 * sub-bucket is reached; then a last point (100, max). Writes at most
 * cap points into out and returns how many (0 for an empty histogram).
 * With 5 ticks, 2^64 samples need fewer than LM_HDR_SPECTRUM_MAX.
 */
uint32_t lm_hdr_spectrum(const struct lm_hdr *h, uint32_t ticks_per_half,
			 struct lm_hdr_point *out, uint32_t cap);

#endif /* LM_HDR_H */
