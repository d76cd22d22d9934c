/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 input checks and output (RFC 791, RFC 1122 section 3.2.1). */
#include <rte_ip.h>
#include <rte_tcp.h>

#include "worker.h"
#include "net/arp.h"
#include "net/eth.h"
#include "net/icmp.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"

void
lm_ipv4_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	struct rte_ipv4_hdr *ih;
	uint32_t hlen, tot;

	if (unlikely(rte_pktmbuf_data_len(m) < m->l2_len + sizeof(*ih)))
		goto drop;
	ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	hlen = (uint32_t)(ih->version_ihl & 0x0f) * 4;
	tot = rte_be_to_cpu_16(ih->total_length);
	if (unlikely((ih->version_ihl >> 4) != 4 || hlen < sizeof(*ih) ||
		     tot < hlen || m->l2_len + hlen > rte_pktmbuf_data_len(m) ||
		     m->l2_len + tot > rte_pktmbuf_pkt_len(m)))
		goto drop;
	if (!lm_netif_is_ours(nif, ih->dst_addr))
		goto drop;
	/* fragments are not reassembled: nothing we talk to sends them */
	if (unlikely(ih->fragment_offset &
		     RTE_BE16(RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)))
		goto drop;
	if ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_IP_CKSUM_BAD ||
	    ((m->ol_flags & RTE_MBUF_F_RX_IP_CKSUM_MASK) !=
	     RTE_MBUF_F_RX_IP_CKSUM_GOOD && rte_raw_cksum(ih, hlen) != 0xffff)) {
		LM_STAT_INC(w->ctr->rx_bad_csum);
		goto free;
	}
	/* cut Ethernet padding so L4 lengths come from the IP header */
	if (rte_pktmbuf_pkt_len(m) > m->l2_len + tot)
		rte_pktmbuf_trim(m, rte_pktmbuf_pkt_len(m) - (m->l2_len + tot));
	m->l3_len = hlen;
	switch (ih->next_proto_id) {
	case IPPROTO_TCP:
		lm_tcp_input(w, ifidx, m);
		return;
	case IPPROTO_ICMP:
		lm_icmp_input(w, ifidx, m);
		return;
	default:
		break;
	}
drop:
	LM_STAT_INC(w->ctr->rx_not_ours);
free:
	rte_pktmbuf_free(m);
}

int
lm_ipv4_output(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m,
	       uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4_len)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	const struct rte_ether_addr *mac;
	struct rte_ipv4_hdr *ih;

	mac = lm_arp_lookup(w, ifidx, lm_netif_next_hop(nif, dst));
	if (unlikely(mac == NULL)) {
		rte_pktmbuf_free(m);
		return -EHOSTUNREACH;
	}
	ih = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *,
				     sizeof(struct rte_ether_hdr));
	ih->version_ihl = RTE_IPV4_VHL_DEF;
	ih->type_of_service = 0;
	ih->total_length = rte_cpu_to_be_16((uint16_t)(sizeof(*ih) + l4_len));
	ih->packet_id = 0;
	/* RFC 1122 3.2.1.4 / RFC 6864: DF set, so the ID need not be unique */
	ih->fragment_offset = RTE_BE16(RTE_IPV4_HDR_DF_FLAG);
	ih->time_to_live = 64;
	ih->next_proto_id = proto;
	ih->hdr_checksum = 0;
	ih->src_addr = src;
	ih->dst_addr = dst;
	m->l2_len = sizeof(struct rte_ether_hdr);
	m->l3_len = sizeof(*ih);
	if (nif->tx_ip_csum)
		m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM;
	else
		ih->hdr_checksum = rte_ipv4_cksum(ih);
	if (proto == IPPROTO_TCP) {
		struct rte_tcp_hdr *th = (struct rte_tcp_hdr *)(ih + 1);

		th->cksum = 0;
		if (nif->tx_tcp_csum) {
			m->ol_flags |= RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_TCP_CKSUM;
			m->l4_len = (th->data_off >> 4) * 4;
			th->cksum = rte_ipv4_phdr_cksum(ih, m->ol_flags);
		} else {
			th->cksum = rte_ipv4_udptcp_cksum(ih, th);
		}
	}
	lm_eth_output(w, ifidx, m, mac, RTE_ETHER_TYPE_IPV4);
	return 0;
}
