/* SPDX-License-Identifier: BSD-3-Clause */
/* Port set-up (control plane, before the workers start). */
#ifndef LM_PORT_H
#define LM_PORT_H

#include <stddef.h>
#include <stdint.h>

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

#endif /* LM_PORT_H */
