/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP (RFC 792): echo replies (RFC 1122 section 3.2.2.6), and the errors
 * that quote our TCP segments, checked here and handed to TCP
 * (tcp/tcp_icmp.c, RFC 1122 4.2.3.9, RFC 5927).
 */
#include <string.h>

#include <rte_icmp.h>
#include <rte_ip.h>

#include "worker.h"
#include "net/eth.h"
#include "net/icmp.h"
#include "tcp/tcp.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMP_HDR_LEN 8
/* an error quotes an IPv4 header (up to 60 bytes) and 8 bytes of ours */
#define ICMP_QUOTE_MAX (ICMP_HDR_LEN + 60 + 8)

static void
echo_reply(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m,
	   uint32_t len)
{
	struct rte_ether_hdr *eh = rte_pktmbuf_mtod(m, struct rte_ether_hdr *);
	struct rte_ipv4_hdr *ih = (struct rte_ipv4_hdr *)((char *)eh + m->l2_len);
	struct rte_icmp_hdr *ic = (struct rte_icmp_hdr *)((char *)ih + m->l3_len);
	struct rte_ether_addr peer;
	uint32_t cks;

	if (len < ICMP_HDR_LEN || m->nb_segs != 1 || ic->icmp_code != 0 ||
	    m->l2_len + m->l3_len + len > rte_pktmbuf_data_len(m) ||
	    rte_raw_cksum(ic, len) != 0xffff) {
		LM_STAT_INC(w->ctr->rx_not_ours);
		rte_pktmbuf_free(m);
		return;
	}
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
}

/*
 * An error message of len bytes: whole (its checksum covers it all, RFC
 * 792), quoting a whole IPv4 header and the 8 bytes of TCP header that
 * hold the ports and the sequence number (RFC 792, RFC 1812 4.3.2.3 lets
 * a router quote more). Anything short or malformed is counted as
 * icmp_invalid and never read past its end.
 */
static void
error_input(struct lm_worker *w, uint32_t ifidx, const struct rte_mbuf *m,
	    uint32_t len)
{
	uint8_t buf[ICMP_QUOTE_MAX];
	const uint8_t *p;
	const struct rte_ipv4_hdr *q;
	const uint8_t *th;
	uint32_t off = m->l2_len + m->l3_len, qhl;
	uint16_t sum, sport, dport;

	if (len < ICMP_HDR_LEN + sizeof(*q) + 8 ||
	    rte_raw_cksum_mbuf(m, off, len, &sum) != 0 || sum != 0xffff)
		goto invalid;
	p = rte_pktmbuf_read(m, off, RTE_MIN(len, (uint32_t)sizeof(buf)), buf);
	if (p == NULL)
		goto invalid;
	q = (const struct rte_ipv4_hdr *)(p + ICMP_HDR_LEN);
	qhl = (uint32_t)(q->version_ihl & 0x0f) * 4;
	/* a later fragment holds no TCP header: it cannot be ours to match */
	if ((q->version_ihl >> 4) != 4 || qhl < sizeof(*q) ||
	    len < ICMP_HDR_LEN + qhl + 8 ||
	    (q->fragment_offset & RTE_BE16(RTE_IPV4_HDR_OFFSET_MASK)))
		goto invalid;
	if (q->next_proto_id != IPPROTO_TCP ||
	    !lm_netif_is_ours(&w->ifs[ifidx], q->src_addr)) {
		/* we send nothing else, from nowhere else */
		LM_STAT_INC(w->ctr->icmp_unmatched);
		return;
	}
	th = p + ICMP_HDR_LEN + qhl;
	/* the ports stay in network order, as the TCBs keep them */
	memcpy(&sport, th, sizeof(sport));
	memcpy(&dport, th + 2, sizeof(dport));
	lm_tcp_icmp_error(w, p[0], p[1], q->src_addr, q->dst_addr, sport,
			  dport, (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 |
			  (uint32_t)th[6] << 8 | th[7]);
	return;
invalid:
	LM_STAT_INC(w->ctr->icmp_invalid);
}

void
lm_icmp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, m->l2_len);
	uint32_t len = rte_be_to_cpu_16(ih->total_length) - m->l3_len;
	uint8_t type;

	if (len == 0 || rte_pktmbuf_data_len(m) < m->l2_len + m->l3_len + 1) {
		/* not even a type: whatever it was, it is not ours */
		LM_STAT_INC(w->ctr->rx_not_ours);
		rte_pktmbuf_free(m);
		return;
	}
	type = *rte_pktmbuf_mtod_offset(m, uint8_t *, m->l2_len + m->l3_len);
	switch (type) {
	case RTE_IP_ICMP_ECHO_REQUEST:
		echo_reply(w, ifidx, m, len);
		return;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case ICMP_PARAM_PROBLEM:
		error_input(w, ifidx, m, len);
		break;
	default:
		LM_STAT_INC(w->ctr->rx_not_ours);
		break;
	}
	rte_pktmbuf_free(m);
}
