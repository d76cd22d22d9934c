/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP echo replies (RFC 792; RFC 1122 section 3.2.2.6). */
#include <rte_icmp.h>
#include <rte_ip.h>

#include "worker.h"
#include "net/eth.h"
#include "net/icmp.h"

void
lm_icmp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)((char *)eh + m->l2_len);
	struct rte_icmp_hdr *ic;
	uint32_t len = rte_be_to_cpu_16(ih->total_length) - m->l3_len;
	struct rte_ether_addr peer;
	uint32_t cks;

	if (m->nb_segs != 1 || len < sizeof(*ic) ||
	    m->l2_len + m->l3_len + len > rte_pktmbuf_data_len(m))
		goto drop;
	ic = (struct rte_icmp_hdr *)((char *)ih + m->l3_len);
	if (ic->icmp_type != RTE_IP_ICMP_ECHO_REQUEST || ic->icmp_code != 0)
		goto drop;
	if (rte_raw_cksum(ic, len) != 0xffff)
		goto drop;
	/*
	 * Turn the request around in place: same identifier, sequence and
	 * data (RFC 792); the checksum changes only by the type field, so
	 * adjust it incrementally (RFC 1624).
	 */
	ic->icmp_type = RTE_IP_ICMP_ECHO_REPLY;
	cks = (uint32_t)(uint16_t)~ic->icmp_cksum + (uint16_t)~RTE_BE16(0x0800);
	cks = (cks & 0xffff) + (cks >> 16);
	cks = (cks & 0xffff) + (cks >> 16);
	ic->icmp_cksum = (uint16_t)~cks;
	ih->dst_addr = ih->src_addr;
	ih->src_addr = w->ifs[ifidx].ip;
	ih->time_to_live = 64;
	ih->hdr_checksum = 0;
	ih->hdr_checksum = rte_ipv4_cksum(ih);
	rte_ether_addr_copy(&eh->src_addr, &peer);
	m->ol_flags = 0;
	LM_STAT_INC(w->ctr->icmp_echo);
	lm_eth_output(w, ifidx, m, &peer, RTE_ETHER_TYPE_IPV4);
	return;
drop:
	LM_STAT_INC(w->ctr->rx_not_ours);
	rte_pktmbuf_free(m);
}
