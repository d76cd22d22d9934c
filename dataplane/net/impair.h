/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fault injector: drops, duplicates, reorders and corrupts the packets
 * of one direction of one worker's port queue, so that our TCP can be
 * tested against loss, reordering, duplication and corruption (and a
 * gateway under test can be shown them) without any outside tool.
 *
 * Every decision comes from a seeded splitmix64 generator, drawn in a fixed
 * order per packet, so the same seed and the same packets (in the same
 * bursts) give the same faults on every run. One struct lm_impair per
 * direction, port and worker, owned by that worker alone; nothing is
 * allocated but the duplicates.
 *
 * Only IPv4 frames are touched; others (ARP) pass through as they are. For
 * each IPv4 packet of a burst, in this order:
 *   drop     with cfg.drop: freed, nothing else happens;
 *   corrupt  with cfg.corrupt: one byte at a random offset past the
 *            Ethernet header is XORed with a random non-zero value;
 *   hold     with cfg.reorder, while fewer than LM_IMPAIR_MAX_HELD are
 *            held: the packet is taken out of the burst and comes out
 *            again right after cfg.reorder_depth later packets have passed
 *            (so it arrives after them), or once it has been held for
 *            about 1 ms (so a quiet connection never stalls);
 *   dup      with cfg.dup (a packet that is held is not duplicated): a copy
 *            (rte_pktmbuf_copy() into the pool) right after the original.
 */
#ifndef LM_IMPAIR_H
#define LM_IMPAIR_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <lm/plan.h>

#include "util/splitmix.h"

/* Most packets held back at once; also the largest reorder_depth. */
#define LM_IMPAIR_MAX_HELD 64
/* Bytes at the start of a frame that corruption leaves alone. */
#define LM_IMPAIR_KEEP_BYTES 14
/* As now for lm_impair_flush(): release everything held. */
#define LM_IMPAIR_FLUSH_ALL UINT64_MAX

struct lm_impair_counters {
	uint64_t dropped;
	uint64_t duplicated;
	uint64_t reordered;  /* held back (counted when held) */
	uint64_t corrupted;
};

struct lm_impair {
	struct lm_impair_dir cfg;
	uint64_t rng;                 /* splitmix64 state */
	/*
	 * Probabilities as thresholds on a 32-bit draw: an event happens when
	 * the draw is below. 64 bits wide so that 1.0 (2^32) means always.
	 */
	uint64_t thr_drop, thr_dup, thr_reorder, thr_corrupt;
	bool active;                  /* any threshold above 0 */
	uint64_t passed;              /* packets that went through, in order */
	uint64_t hold_tsc;            /* longest hold, in TSC cycles (~1 ms) */
	/*
	 * Held packets, a ring with the oldest at head. A packet is due when
	 * passed reaches due[]; both due[] and since[] grow along the ring,
	 * so only the head ever needs looking at.
	 */
	uint32_t head;
	uint32_t n_held;
	struct rte_mbuf *held[LM_IMPAIR_MAX_HELD];
	uint64_t due[LM_IMPAIR_MAX_HELD];
	uint64_t since[LM_IMPAIR_MAX_HELD];   /* TSC when it was held */
	struct lm_impair_counters ctr;
	struct rte_mempool *pool;     /* for duplicates; NULL = none */
};

/*
 * The seed of one injector, from the plan's seed, so that every worker,
 * port and direction draws its own sequence, the same on every run.
 */
static inline uint64_t
lm_impair_stream_seed(uint64_t seed, uint32_t worker, uint32_t ifidx, bool tx)
{
	uint64_t s = seed ^ (((uint64_t)worker << 32 | (uint64_t)ifidx << 1 |
			      (tx ? 1 : 0)) * UINT64_C(0xd1b54a32d192ed03));

	return lm_splitmix64(&s);
}

/*
 * Set up im for cfg (NULL: no faults) with generator seed; duplicates come
 * from pool. Probabilities outside [0, 1] are clamped; reorder_depth to
 * 1..LM_IMPAIR_MAX_HELD (0 means the default, 3). Needs the EAL (for the
 * TSC rate).
 */
void lm_impair_init(struct lm_impair *im, const struct lm_impair_dir *cfg,
		    uint64_t seed, struct rte_mempool *pool);

/* Whether lm_impair_burst() may change anything (else callers skip it). */
static inline bool
lm_impair_active(const struct lm_impair *im)
{
	return im->active || im->n_held > 0;
}

/*
 * Apply the faults to pkts[0..n) in place and return the new count, at
 * most cap (pkts must have room for cap pointers; cap >= n). Dropped
 * packets are freed; held ones are kept in im. The extra room (cap - n)
 * is what duplicates and released packets can use: one is added only
 * while room is left for every packet of the burst not yet looked at;
 * otherwise a duplicate is not made (and not counted) and a release
 * waits. now is the TSC (for the hold limit).
 */
uint16_t lm_impair_burst(struct lm_impair *im, struct rte_mbuf **pkts,
			 uint16_t n, uint16_t cap, uint64_t now);

/*
 * Release, into pkts[0..cap), the held packets that are due or have been
 * held longer than hold_tsc at now (all of them with LM_IMPAIR_FLUSH_ALL),
 * oldest first. Returns how many. Meant to be called on every pass, with
 * the room left in the pass's burst.
 */
uint16_t lm_impair_flush(struct lm_impair *im, struct rte_mbuf **pkts,
			 uint16_t cap, uint64_t now);

/* Free what is still held. im can be set up again afterwards. */
void lm_impair_fini(struct lm_impair *im);

#endif /* LM_IMPAIR_H */
