/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A worker: one lcore and everything it owns alone — its RX/TX queue on
 * each port, its ARP table, its TCBs and connection table, its timer wheel,
 * its users, and its statistics slot. Every hot-path function takes the
 * worker first; nothing on the packet path lives in file-static variables.
 */
#ifndef LM_WORKER_H
#define LM_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "net/netif.h"
#include "net/arp.h"
#include "net/impair.h"
#include "net/handoff.h"
#include "tcp/tcp.h"
#include "gen/session.h"
#include "util/splitmix.h"
#include "util/timer_wheel.h"

#define LM_RX_BURST 32
#define LM_TX_BURST 64

/* Commands from the control plane, in the order a run goes through them. */
enum lm_worker_cmd {
	LM_CMD_WAIT = 0,   /* resolve next hops, start nothing */
	LM_CMD_RUN,        /* start users */
	LM_CMD_DRAIN,      /* start no new run; let runs in flight finish */
	LM_CMD_QUIT,       /* fail what is still in flight, close, return */
};

/* What the worker reports back. */
enum lm_worker_state {
	LM_WS_INIT = 0,
	LM_WS_RESOLVING,   /* waiting for ARP replies for next hops */
	LM_WS_READY,       /* next hops resolved */
	LM_WS_RUNNING,
	LM_WS_IDLE,        /* no run in flight and none left to start */
	LM_WS_DONE,        /* returned from its loop */
};

struct lm_srv;

struct lm_txq {
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t n;
	struct rte_mbuf *pkts[2 * LM_TX_BURST];  /* room for injected duplicates */
};

struct lm_worker {
	/* hot: read every pass */
	uint64_t now;                 /* TSC read once per pass */
	uint64_t hz;                  /* TSC cycles per second */
	uint64_t ticks_per_ms;
	struct rte_mempool *pool;
	struct lm_worker_counters *ctr;
	struct lm_stats_slot_view stats;
	uint64_t rng;                 /* splitmix64 state */
	bool pass_busy;               /* the last pass did work (ctr->busy_*) */
	uint64_t gauges_due;          /* TSC: publish the pools' gauges (pools.h) */

	uint32_t id;                  /* 0 .. n_workers-1 */
	uint32_t n_workers;
	unsigned int lcore;

	const struct lm_plan *plan;
	struct lm_netif *ifs;         /* shared, read-only after set-up */
	uint32_t n_ifs;
	uint16_t rxq[LM_MAX_PORTS];   /* our RX queue on each port */
	struct lm_txq txq[LM_MAX_PORTS];

	struct lm_handoff ho;         /* packets to and from the other workers */
	struct lm_arp_table arp;
	struct lm_tcp tcp;
	struct lm_gen gen;
	struct lm_srv *srv;           /* emulated servers (gen/server.c), or NULL */
	struct lm_wheel wheel;

	/* the fault injector of each port and direction (plan "impair") */
	bool impair_on;
	struct lm_impair imp_rx[LM_MAX_PORTS];
	struct lm_impair imp_tx[LM_MAX_PORTS];

	/* control plane <-> worker, written with atomic stores */
	uint32_t cmd;                 /* enum lm_worker_cmd, written by control */
	uint32_t state;               /* enum lm_worker_state, written by worker */
	uint32_t unresolved_ip;       /* next hop still unresolved (network order) */
	/*
	 * A load level set while the run goes on (the API's /api/load): the
	 * users or the rate of the whole run, as the bits of a double; 0:
	 * none, the plan's level (and stages) apply.
	 */
	uint64_t level_bits;
};

static inline uint64_t
lm_rand(struct lm_worker *w)
{
	return lm_splitmix64(&w->rng);
}

static inline uint64_t
lm_ms_to_tsc(const struct lm_worker *w, uint64_t ms)
{
	return ms * w->ticks_per_ms;
}

/* Set the run's load level (users or sessions/s) from the control plane. */
static inline void
lm_worker_set_level(struct lm_worker *w, double level)
{
	uint64_t bits;

	memcpy(&bits, &level, sizeof(bits));
	__atomic_store_n(&w->level_bits, bits, __ATOMIC_RELEASE);
}

/* The level set from the control plane, or a negative number. */
static inline double
lm_worker_level(const struct lm_worker *w)
{
	uint64_t bits = __atomic_load_n(&w->level_bits, __ATOMIC_ACQUIRE);
	double level;

	if (bits == 0)
		return -1;
	memcpy(&level, &bits, sizeof(level));
	return level;
}

static inline enum lm_worker_cmd
lm_worker_cmd(const struct lm_worker *w)
{
	return (enum lm_worker_cmd)__atomic_load_n(&w->cmd, __ATOMIC_ACQUIRE);
}

static inline void
lm_worker_set_state(struct lm_worker *w, enum lm_worker_state s)
{
	__atomic_store_n(&w->state, (uint32_t)s, __ATOMIC_RELEASE);
}

/* Set up a worker's own state (called on the main lcore before launch). */
int lm_worker_init(struct lm_worker *w, uint32_t id, uint32_t n_workers,
		   unsigned int lcore, const struct lm_plan *plan,
		   struct lm_netif *ifs, uint32_t n_ifs,
		   struct rte_mempool *pool, const struct lm_stats_slot_view *stats,
		   uint64_t seed);
void lm_worker_fini(struct lm_worker *w);

/* The worker loop (rte_eal_remote_launch entry; arg is the worker). */
int lm_worker_main(void *arg);

/* One pass of the loop: what lm_worker_main repeats; tests call it too. */
void lm_worker_poll(struct lm_worker *w);

/* Input of one received frame (takes ownership of m). */
void lm_worker_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

#endif /* LM_WORKER_H */
