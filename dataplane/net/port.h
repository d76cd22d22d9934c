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
 * Leaving a shared-memory link (net_memif): DPDK 22.11's memif driver
 * unmaps a link's rings from its control thread when the peer goes, while
 * the peer's workers may be inside a burst on them. So before a port of
 * ours stops, lm_port_farewell() sends the peer one frame of type
 * LM_ETHER_TYPE_BYE (an IEEE local experimental type: any other peer drops
 * it) from queue 0, once our workers have stopped, and gives the peer's
 * workers LM_BYE_GRACE_MS to see it. A worker that receives one marks the
 * port (lm_port_peer_gone) and polls it no more: no burst is in flight
 * when the peer's driver unmaps.
 */
#define LM_ETHER_TYPE_BYE 0x88b5
#define LM_BYE_GRACE_MS 50

extern bool lm_port_gone[RTE_MAX_ETHPORTS];

static inline bool
lm_port_peer_gone(uint16_t port_id)
{
	return __atomic_load_n(&lm_port_gone[port_id], __ATOMIC_RELAXED);
}

/* A farewell frame arrived on port_id: stop polling it. */
static inline void
lm_port_mark_gone(uint16_t port_id)
{
	__atomic_store_n(&lm_port_gone[port_id], true, __ATOMIC_RELAXED);
}

/* Say farewell on port_id (queue 0) if it is a memif link; see above. */
void lm_port_farewell(uint16_t port_id, struct rte_mempool *pool);

#endif /* LM_PORT_H */
