/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker holds from its pools: the gauges it publishes while it
 * runs, the census of its pools while it does not (include/lm/pools.h),
 * and what is left in its queues once it stopped.
 */
#ifndef LM_DP_POOLS_H
#define LM_DP_POOLS_H

#include <stdint.h>

#include <lm/pools.h>

struct lm_worker;

#define LM_GAUGE_MS 20          /* how often a worker publishes its gauges */

/* Publish the pools' gauges into the worker's statistics slot. */
void lm_worker_gauges(struct lm_worker *w);

/*
 * Add worker w's pools, and where what is taken from them is, to c. On
 * the main lcore, while w does not run (before its launch, after its end).
 */
void lm_worker_census(const struct lm_worker *w, struct lm_census *c);

/*
 * Once every worker has stopped (main lcore): free the packets no worker
 * will process any more, those handed over to w and those its fault
 * injector held back. Returns how many mbufs were freed.
 */
uint64_t lm_worker_leftovers(struct lm_worker *w);

#endif /* LM_DP_POOLS_H */
