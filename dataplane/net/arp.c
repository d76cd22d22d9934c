/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP cache, replies and requests (RFC 826). */
#include <rte_arp.h>
#include <rte_byteorder.h>

#include "worker.h"
#include "net/arp.h"
#include "net/eth.h"

static inline uint32_t
arp_hash(uint32_t ip)
{
	return (ip * 2654435761u) >> (32 - 8);
}

/* The slot of ip, or the free slot where it would go (NULL: table full). */
static struct lm_arp_entry *
arp_find(struct lm_arp_table *t, uint32_t ifidx, uint32_t ip, bool add)
{
	uint32_t h = arp_hash(ip) & (LM_ARP_SLOTS - 1);

	for (uint32_t n = 0; n < LM_ARP_SLOTS; n++) {
		struct lm_arp_entry *e = &t->e[(h + n) & (LM_ARP_SLOTS - 1)];

		if (e->state == LM_ARP_FREE) {
			if (!add || t->used >= LM_ARP_SLOTS - 1)
				return NULL;
			/* entries are never removed, so probing stays valid */
			e->ip = ip;
			e->ifidx = (uint8_t)ifidx;
			e->state = LM_ARP_INCOMPLETE;
			e->last_request = 0;
			e->expire = 0;
			t->used++;
			return e;
		}
		if (e->ip == ip && e->ifidx == ifidx)
			return e;
	}
	return NULL;
}

/* An ARP packet from our address sip (network order) to tip. */
static void
arp_send(struct lm_worker *w, uint32_t ifidx, uint16_t op,
	 const struct rte_ether_addr *tha, uint32_t sip, uint32_t tip)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	struct rte_arp_hdr *ah;
	struct rte_ether_addr bcast;

	if (unlikely(m == NULL)) {
		LM_STAT_INC(w->ctr->mbuf_alloc_fail);
		return;
	}
	ah = (struct rte_arp_hdr *)(rte_pktmbuf_mtod(m, char *) +
				    sizeof(struct rte_ether_hdr));
	m->data_len = m->pkt_len = sizeof(struct rte_ether_hdr) + sizeof(*ah);
	ah->arp_hardware = RTE_BE16(RTE_ARP_HRD_ETHER);
	ah->arp_protocol = RTE_BE16(RTE_ETHER_TYPE_IPV4);
	ah->arp_hlen = RTE_ETHER_ADDR_LEN;
	ah->arp_plen = 4;
	ah->arp_opcode = rte_cpu_to_be_16(op);
	rte_ether_addr_copy(&nif->mac, &ah->arp_data.arp_sha);
	ah->arp_data.arp_sip = sip;
	ah->arp_data.arp_tip = tip;
	memset(&bcast, 0xff, sizeof(bcast));
	if (op == RTE_ARP_OP_REQUEST) {
		memset(&ah->arp_data.arp_tha, 0, sizeof(ah->arp_data.arp_tha));
		tha = &bcast;
	} else {
		rte_ether_addr_copy(tha, &ah->arp_data.arp_tha);
	}
	LM_STAT_INC(w->ctr->arp_tx);
	lm_eth_output(w, ifidx, m, tha, RTE_ETHER_TYPE_ARP);
}

void
lm_arp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	struct rte_arp_hdr *ah;
	struct lm_arp_entry *e;
	uint32_t sip, tip;
	bool for_us;

	LM_STAT_INC(w->ctr->arp_rx);
	if (rte_pktmbuf_data_len(m) < m->l2_len + sizeof(*ah))
		goto out;
	ah = rte_pktmbuf_mtod_offset(m, struct rte_arp_hdr *, m->l2_len);
	if (ah->arp_hardware != RTE_BE16(RTE_ARP_HRD_ETHER) ||
	    ah->arp_protocol != RTE_BE16(RTE_ETHER_TYPE_IPV4) ||
	    ah->arp_hlen != RTE_ETHER_ADDR_LEN || ah->arp_plen != 4)
		goto out;
	sip = ah->arp_data.arp_sip;
	tip = ah->arp_data.arp_tip;
	for_us = lm_netif_is_ours(nif, tip);
	/*
	 * RFC 826 "packet reception": update an entry we already have for
	 * the sender; add one only when the packet is aimed at us.
	 */
	e = arp_find(&w->arp, ifidx, sip, for_us);
	if (e != NULL && sip != 0 && !rte_is_zero_ether_addr(&ah->arp_data.arp_sha)) {
		rte_ether_addr_copy(&ah->arp_data.arp_sha, &e->mac);
		e->state = LM_ARP_RESOLVED;
		e->expire = w->now + lm_ms_to_tsc(w, LM_ARP_TTL_MS);
	}
	/* a copy from another worker: that one answered already */
	if (for_us && ah->arp_opcode == RTE_BE16(RTE_ARP_OP_REQUEST) &&
	    !w->ho.from_peer)
		/* from the address asked for: ours, or a client address */
		arp_send(w, ifidx, RTE_ARP_OP_REPLY, &ah->arp_data.arp_sha,
			 tip, sip);
out:
	rte_pktmbuf_free(m);
}

const struct rte_ether_addr *
lm_arp_lookup(struct lm_worker *w, uint32_t ifidx, uint32_t ip)
{
	struct lm_arp_entry *e = arp_find(&w->arp, ifidx, ip, true);
	uint64_t retry = lm_ms_to_tsc(w, LM_ARP_RETRY_MS);

	if (unlikely(e == NULL))
		return NULL;
	if (likely(e->state == LM_ARP_RESOLVED && w->now < e->expire)) {
		/* refresh ahead of expiry so traffic never stalls on ARP */
		if (e->expire - w->now < lm_ms_to_tsc(w, LM_ARP_REFRESH_MS) &&
		    w->now - e->last_request >= retry) {
			e->last_request = w->now;
			arp_send(w, ifidx, RTE_ARP_OP_REQUEST, NULL,
				 w->ifs[ifidx].ip, ip);
		}
		return &e->mac;
	}
	if (e->last_request == 0 || w->now - e->last_request >= retry) {
		e->last_request = w->now;
		arp_send(w, ifidx, RTE_ARP_OP_REQUEST, NULL,
				 w->ifs[ifidx].ip, ip);
	}
	return NULL;
}

bool
lm_arp_resolved(struct lm_worker *w, uint32_t ifidx, uint32_t ip)
{
	struct lm_arp_entry *e = arp_find(&w->arp, ifidx, ip, false);

	return e != NULL && e->state == LM_ARP_RESOLVED && w->now < e->expire;
}
