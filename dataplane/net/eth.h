/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet: input demultiplexing and buffered transmission. */
#ifndef LM_ETH_H
#define LM_ETH_H

#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

struct lm_worker;

/* Demultiplex a received frame to ARP or IPv4; takes ownership of m. */
void lm_eth_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

/*
 * Fill the Ethernet header already reserved at the start of m and queue the
 * frame for transmission on interface ifidx (sent by lm_tx_flush, or at
 * once when the buffer is full). Takes ownership of m.
 */
void lm_eth_output(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m,
		   const struct rte_ether_addr *dst, uint16_t ether_type);

/* Send everything buffered on every port. */
void lm_tx_flush(struct lm_worker *w);

#endif /* LM_ETH_H */
