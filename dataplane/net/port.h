/* SPDX-License-Identifier: BSD-3-Clause */
/* Port set-up (control plane, before the workers start). */
#ifndef LM_PORT_H
#define LM_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include "net/netif.h"

/*
 * Configure port_id with one RX and one TX queue per worker, take the
 * checksum offloads it offers, start it and fill nif (MAC, MTU, offload
 * flags; addresses are the caller's). Returns 0 or -errno with a message.
 */
int lm_port_setup(uint16_t port_id, uint16_t n_queues, struct rte_mempool *pool,
		  struct lm_netif *nif, char *err, size_t errlen);

/* Remove the port's flow rules (if any), stop and close it. */
void lm_port_close(uint16_t port_id);

/*
 * Shared-memory links (net_memif) and DPDK 22.11's driver: its control
 * thread maps a link's regions when the peer connects and unmaps them when
 * the peer goes, while our workers may be inside a burst. A burst reads
 * the ring's address before it tests whether the link is connected, so a
 * burst that starts while the link comes up may use a ring address taken
 * from a region not mapped yet (a SIGSEGV in the driver), and one that is
 * in flight when the peer goes uses an unmapped ring. So each port has a
 * state the workers test before a burst:
 *  - LM_PORT_WAITING (memif, until its link is up): no burst; a worker
 *    that finds the link up (lm_port_link_check) makes it live; the driver
 *    has mapped everything before it says so;
 *  - LM_PORT_LIVE: bursts as usual (every other driver from the start);
 *  - LM_PORT_GONE: the peer said farewell; no burst ever again.
 * Before a port of ours stops, lm_port_farewell() sends the peer one frame
 * of type LM_ETHER_TYPE_BYE (an IEEE local experimental type: any other
 * peer drops it) from queue 0, once our workers have stopped, and gives
 * the peer's workers LM_BYE_GRACE_MS to see it. A worker that receives one
 * marks the port gone: no burst is in flight when the peer's driver
 * unmaps.
 */
#define LM_ETHER_TYPE_BYE 0x88b5
#define LM_BYE_GRACE_MS 50

enum lm_port_state {
	LM_PORT_LIVE = 0,
	LM_PORT_WAITING,
	LM_PORT_GONE,
};

extern uint8_t lm_port_state[RTE_MAX_ETHPORTS];

/* A memif port still waiting: make it live if its link is up now. */
bool lm_port_link_check(uint16_t port_id);

/* Whether a worker may call a burst on port_id now. */
static inline bool
lm_port_usable(uint16_t port_id)
{
	uint8_t st = __atomic_load_n(&lm_port_state[port_id], __ATOMIC_ACQUIRE);

	if (likely(st == LM_PORT_LIVE))
		return true;
	return st == LM_PORT_WAITING && lm_port_link_check(port_id);
}

/* A farewell frame arrived on port_id: stop polling it. */
static inline void
lm_port_mark_gone(uint16_t port_id)
{
	__atomic_store_n(&lm_port_state[port_id], LM_PORT_GONE, __ATOMIC_RELEASE);
}

/* Say farewell on port_id (queue 0) if it is a memif link; see above. */
void lm_port_farewell(uint16_t port_id, struct rte_mempool *pool);

#endif /* LM_PORT_H */
