/* SPDX-License-Identifier: BSD-3-Clause */
/* Ethernet input demultiplexing and buffered transmission. */
#include <rte_ethdev.h>

#include "worker.h"
#include "net/eth.h"
#include "net/arp.h"
#include "net/ipv4.h"
#include "net/port.h"

void
lm_eth_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	struct rte_ether_hdr *eh;

	if (unlikely(rte_pktmbuf_data_len(m) < sizeof(*eh)))
		goto drop;
	eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	/* unicast to us or broadcast; the port may be promiscuous (AF_PACKET) */
	if (!rte_is_same_ether_addr(&eh->dst_addr, &nif->mac) &&
	    !rte_is_broadcast_ether_addr(&eh->dst_addr))
		goto drop;
	m->l2_len = sizeof(*eh);
	switch (eh->ether_type) {
	case RTE_BE16(RTE_ETHER_TYPE_ARP):
		lm_arp_input(w, ifidx, m);
		return;
	case RTE_BE16(RTE_ETHER_TYPE_IPV4):
		lm_ipv4_input(w, ifidx, m);
		return;
	case RTE_BE16(LM_ETHER_TYPE_BYE):
		/* the peer's side of a memif link goes: poll it no more */
		lm_port_mark_gone(nif->port_id);
		rte_pktmbuf_free(m);
		return;
	default:
		break;
	}
drop:
	LM_STAT_INC(w->ctr->rx_not_ours);
	rte_pktmbuf_free(m);
}

static void
txq_flush(struct lm_worker *w, struct lm_txq *q)
{
	uint16_t sent = 0;

	if (unlikely(w->impair_on))
		q->n = lm_impair_burst(&w->imp_tx[q - w->txq], q->pkts, q->n,
				       RTE_DIM(q->pkts), w->now);
	/* a few tries: a virtual device's ring may be briefly full; none to
	 * a memif peer not yet connected, or that left (net/port.h) */
	for (int tries = 0; tries < 4 && sent < q->n &&
	     lm_port_usable(q->port_id); tries++)
		sent += rte_eth_tx_burst(q->port_id, q->queue_id,
					 q->pkts + sent, q->n - sent);
	if (unlikely(sent < q->n)) {
		LM_STAT_ADD(w->ctr->tx_dropped, q->n - sent);
		rte_pktmbuf_free_bulk(q->pkts + sent, q->n - sent);
	}
	LM_STAT_ADD(w->ctr->tx_pkts, sent);
	q->n = 0;
}

void
lm_eth_output(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m,
	      const struct rte_ether_addr *dst, uint16_t ether_type)
{
	struct lm_txq *q = &w->txq[ifidx];
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);

	rte_ether_addr_copy(dst, &eh->dst_addr);
	rte_ether_addr_copy(&w->ifs[ifidx].mac, &eh->src_addr);
	eh->ether_type = rte_cpu_to_be_16(ether_type);
	LM_STAT_ADD(w->ctr->tx_bytes, rte_pktmbuf_pkt_len(m));
	q->pkts[q->n++] = m;
	if (q->n == LM_TX_BURST)
		txq_flush(w, q);
}

void
lm_tx_flush(struct lm_worker *w)
{
	for (uint32_t i = 0; i < w->n_ifs; i++)
		if (w->txq[i].n || (w->impair_on && w->imp_tx[i].n_held))
			txq_flush(w, &w->txq[i]);
}
