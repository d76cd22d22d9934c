/* SPDX-License-Identifier: BSD-3-Clause */
/* Handing received packets to the worker that owns them (see handoff.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_errno.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_tcp.h>

#include "worker.h"
#include "net/eth.h"
#include "net/handoff.h"
#include "net/owner.h"

int
lm_handoff_setup(struct lm_worker *ws, uint32_t n)
{
	char name[RTE_RING_NAMESIZE];

	if (n < 2)
		return 0;
	for (uint32_t i = 0; i < n; i++) {
		struct lm_handoff *h = &ws[i].ho;
		int socket = rte_lcore_to_socket_id(ws[i].lcore);

		h->to = rte_zmalloc_socket("lm_ho", n * sizeof(*h->to), 0, socket);
		h->from = rte_zmalloc_socket("lm_ho", n * sizeof(*h->from), 0,
					     socket);
		h->stage = rte_zmalloc_socket("lm_ho", (size_t)n * LM_RX_BURST *
					      sizeof(*h->stage), 0, socket);
		h->n_stage = rte_zmalloc_socket("lm_ho", n * sizeof(*h->n_stage),
						0, socket);
		if (h->to == NULL || h->from == NULL || h->stage == NULL ||
		    h->n_stage == NULL)
			return -ENOMEM;
		h->on = true;
	}
	/* the ring from i to k lives on k's socket: k reads it every pass */
	for (uint32_t i = 0; i < n; i++) {
		for (uint32_t k = 0; k < n; k++) {
			struct rte_ring *r;

			if (k == i)
				continue;
			snprintf(name, sizeof(name), "lm_ho_%u_%u", i, k);
			r = rte_ring_create(name, LM_HANDOFF_RING,
					    rte_lcore_to_socket_id(ws[k].lcore),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
			if (r == NULL)
				return -rte_errno;
			ws[i].ho.to[k] = r;
			ws[k].ho.from[i] = r;
		}
	}
	return 0;
}

void
lm_handoff_fini(struct lm_worker *w)
{
	struct lm_handoff *h = &w->ho;
	struct rte_mbuf *m;

	if (h->to != NULL) {
		/* each ring is freed once, by its producer */
		for (uint32_t k = 0; k < w->n_workers; k++) {
			if (h->to[k] == NULL)
				continue;
			while (rte_ring_dequeue(h->to[k], (void **)&m) == 0)
				rte_pktmbuf_free(m);
			rte_ring_free(h->to[k]);
		}
	}
	if (h->n_stage != NULL)
		for (uint32_t k = 0; k < w->n_workers; k++)
			rte_pktmbuf_free_bulk(h->stage + k * LM_RX_BURST,
					      h->n_stage[k]);
	rte_free(h->to);
	rte_free(h->from);
	rte_free(h->stage);
	rte_free(h->n_stage);
	memset(h, 0, sizeof(*h));
}

/* Stage m for worker k; ifidx rides in the mbuf (no RSS hash is used). */
static inline void
stage(struct lm_worker *w, uint32_t k, uint32_t ifidx, struct rte_mbuf *m)
{
	struct lm_handoff *h = &w->ho;

	m->hash.usr = ifidx;
	h->stage[k * LM_RX_BURST + h->n_stage[k]++] = m;
	if (h->n_stage[k] == LM_RX_BURST)
		lm_handoff_flush(w);
}

/*
 * The owner of an ICMP error (at l4, len bytes in the first segment)
 * quoting a TCP segment we sent from laddr: the connection's owner, as
 * if the segment were coming back (its source port is ours). Anything
 * else stays where it is, for ICMP input to count.
 */
static uint32_t
icmp_owner(const struct lm_worker *w, const uint8_t *l4, uint32_t len)
{
	const struct rte_ipv4_hdr *q = (const struct rte_ipv4_hdr *)(l4 + 8);
	uint16_t sport, dport;
	uint32_t qhl;

	if (len < 8 + sizeof(*q) || (l4[0] != 3 && l4[0] != 11 && l4[0] != 12))
		return w->id;
	qhl = (uint32_t)(q->version_ihl & 0x0f) * 4;
	if (q->next_proto_id != IPPROTO_TCP || qhl < sizeof(*q) ||
	    len < 8 + qhl + 4)
		return w->id;
	memcpy(&sport, (const uint8_t *)q + qhl, sizeof(sport));
	memcpy(&dport, (const uint8_t *)q + qhl + 2, sizeof(dport));
	return lm_flow_owner(sport, dport,
			     lm_tcp_listener_find(&w->tcp, q->src_addr,
						  sport) != NULL,
			     w->n_workers);
}

/*
 * The owner of an IPv4 packet to our address on ifidx: of a TCP segment
 * (unless the port steers TCP itself), or of an ICMP error about one
 * (which no NIC rule steers); else w->id.
 */
static uint32_t
ipv4_owner(const struct lm_worker *w, uint32_t ifidx, const struct rte_mbuf *m)
{
	const struct rte_ipv4_hdr *ih;
	const struct rte_tcp_hdr *th;
	uint32_t ihl;

	if (rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + sizeof(*ih))
		return w->id;
	ih = rte_pktmbuf_mtod_offset(m, const struct rte_ipv4_hdr *,
				     RTE_ETHER_HDR_LEN);
	ihl = (uint32_t)(ih->version_ihl & 0x0f) * 4;
	/* a later fragment has no ports: IPv4 input drops it where it is */
	if (!lm_netif_is_ours(&w->ifs[ifidx], ih->dst_addr) ||
	    (ih->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)) ||
	    ihl < sizeof(*ih) ||
	    rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN + ihl + 4)
		return w->id;
	if (ih->next_proto_id == IPPROTO_ICMP)
		return icmp_owner(w, (const uint8_t *)ih + ihl,
				  rte_pktmbuf_data_len(m) - RTE_ETHER_HDR_LEN - ihl);
	if (ih->next_proto_id != IPPROTO_TCP || w->ifs[ifidx].steered)
		return w->id;
	th = (const struct rte_tcp_hdr *)((const uint8_t *)ih + ihl);
	/* a server's connections go by the client's port, ours by our own */
	return lm_flow_owner(th->dst_port, th->src_port,
			     lm_tcp_listener_find(&w->tcp, ih->dst_addr,
						  th->dst_port) != NULL,
			     w->n_workers);
}

bool
lm_handoff_steer(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;
	uint32_t owner;

	if (unlikely(rte_pktmbuf_data_len(m) < RTE_ETHER_HDR_LEN))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	if (eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_ARP)) {
		for (uint32_t k = 0; k < w->n_workers; k++) {
			struct rte_mbuf *c;

			if (k == w->id)
				continue;
			c = rte_pktmbuf_copy(m, w->pool, 0, UINT32_MAX);
			if (unlikely(c == NULL)) {
				LM_STAT_INC(w->ctr->mbuf_alloc_fail);
				continue;
			}
			stage(w, k, ifidx, c);
		}
		return false;
	}
	if (eh->ether_type != RTE_BE16(RTE_ETHER_TYPE_IPV4))
		return false;
	owner = ipv4_owner(w, ifidx, m);
	if (owner == w->id)
		return false;
	stage(w, owner, ifidx, m);
	return true;
}

void
lm_handoff_flush(struct lm_worker *w)
{
	struct lm_handoff *h = &w->ho;

	for (uint32_t k = 0; k < w->n_workers; k++) {
		struct rte_mbuf **p = h->stage + k * LM_RX_BURST;
		uint32_t n = h->n_stage[k], sent;

		if (n == 0)
			continue;
		sent = rte_ring_sp_enqueue_burst(h->to[k], (void **)p, n, NULL);
		LM_STAT_ADD(w->ctr->redirected, sent);
		if (unlikely(sent < n)) {
			/* the owner is that far behind: as a full RX ring would */
			LM_STAT_ADD(w->ctr->redirect_dropped, n - sent);
			rte_pktmbuf_free_bulk(p + sent, n - sent);
		}
		h->n_stage[k] = 0;
	}
}

void
lm_handoff_poll(struct lm_worker *w)
{
	struct lm_handoff *h = &w->ho;
	struct rte_mbuf *pkts[LM_RX_BURST];

	h->from_peer = true;
	for (uint32_t k = 0; k < w->n_workers; k++) {
		uint32_t n;

		if (k == w->id)
			continue;
		n = rte_ring_sc_dequeue_burst(h->from[k], (void **)pkts,
					      LM_RX_BURST, NULL);
		for (uint32_t i = 0; i < n; i++) {
			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1],
							       void *));
			/* counted as received by the worker that took it in */
			lm_eth_input(w, pkts[i]->hash.usr, pkts[i]);
		}
	}
	h->from_peer = false;
}
