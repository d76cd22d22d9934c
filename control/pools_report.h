/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Leak accounting in the report: each pool's size and level at the start
 * and at the end of the run, and for what did not come back, why it is
 * still held (the summary's "pools", the report's "still held" lines).
 */
#ifndef LM_POOLS_REPORT_H
#define LM_POOLS_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "merge.h"

#define LM_HELD_MAX 48          /* entries of the still-held list, at most */

/* Something still held at the end: so many of a pool, and why. */
struct lm_held {
	const char *pool;           /* the summary's name of the pool */
	uint64_t count;
	char why[96];
};

/*
 * The still-held list of p into out (at most max entries), by pool and
 * then by cause, as far as the census could tell; returns the count.
 * Empty: every pool is back at its starting level.
 */
uint32_t lm_pools_held(const struct lm_pool_counters *p, struct lm_held *out,
		       uint32_t max);

/* The summary's "pools" object. */
json_t *lm_pools_json(const struct lm_pool_counters *p);

/* The report's lines: every pool back, or what is still held and why. */
void lm_pools_text(FILE *f, const struct lm_pool_counters *p);

/*
 * While the run goes on: what each pool has lent now, from the workers'
 * gauges and the mbuf pool's count (the API's and /metrics' "pools").
 */
#define LM_POOL_GAUGES 7
struct lm_pool_gauge {
	const char *pool;
	uint64_t in_use;
};
/* Fills out[LM_POOL_GAUGES]; returns how many (mbufs only once counted). */
uint32_t lm_pools_live(const struct lm_view *v, struct lm_pool_gauge *out);

#endif /* LM_POOLS_REPORT_H */
