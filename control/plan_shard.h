/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sharding: instance I of N runs the same plan with its slice of it
 * (--shard I/N, docs/distributed.md), so that N instances together run
 * the plan once, exactly:
 *
 * - the load: 1/N of the users (closed) or of the rate, the spawn rate
 *   and the stages' targets (open), of max_runs and of the sessions in
 *   flight; whole numbers are split with the remainders going to the
 *   lowest indices, so the shares add up to the plan's totals;
 * - the users' global indices ({{user}}, "unique" data rows): shard I's
 *   users come after those of shards 0 to I-1;
 * - {{seq}}: shard I draws only values equal to I modulo N;
 * - the client's addresses: with N or more "client_ips", a disjoint
 *   slice of them (split as the users), and the port's own address
 *   becomes the slice's first when it was one of them, so that shards on
 *   one network never answer for the same address; with fewer, the
 *   source ports 1024-65535 are split into N disjoint ranges instead.
 */
#ifndef LM_PLAN_SHARD_H
#define LM_PLAN_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

/* "I/N" (0 <= I < N <= 65536) into *index, *count; 0 or -EINVAL (err). */
int lm_shard_parse(const char *s, uint32_t *index, uint32_t *count,
		   char *err, size_t errlen);

/* Shard I's part of a total split N ways: remainders to the low indices. */
uint64_t lm_shard_share(uint64_t total, uint32_t index, uint32_t count);

/* The sum of the shares of shards 0 to index-1. */
uint64_t lm_shard_offset(uint64_t total, uint32_t index, uint32_t count);

/*
 * Cut plan down to shard index of count (after the command line's other
 * overrides). Returns 0, or -EINVAL with the reason in err: a slice with
 * no users, no runs or no source ports.
 */
int lm_plan_apply_shard(struct lm_plan *plan, uint32_t index, uint32_t count,
			char *err, size_t errlen);

#endif /* LM_PLAN_SHARD_H */
