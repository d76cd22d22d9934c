/* SPDX-License-Identifier: BSD-3-Clause */
/* IPv4 (RFC 791): input checks and demultiplexing; output with checksums. */
#ifndef LM_IPV4_H
#define LM_IPV4_H

#include <stdint.h>

#include <rte_ip.h>
#include <rte_mbuf.h>

/* Room an output packet reserves in front of its L4 header. */
#define LM_L2L3_LEN (sizeof(struct rte_ether_hdr) + sizeof(struct rte_ipv4_hdr))

struct lm_worker;

void lm_ipv4_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

/*
 * Send m, whose data starts with LM_L2L3_LEN bytes reserved for the
 * Ethernet and IPv4 headers followed by an L4 header and payload
 * (l4_len bytes in all). Fills the IPv4 header, the TCP checksum (in
 * software unless the port offloads it) when proto is TCP, resolves the
 * next hop and queues the frame. Takes ownership of m; a frame for a next
 * hop not yet resolved is dropped (and ARP asked). Returns 0 or -EHOSTUNREACH.
 */
int lm_ipv4_output(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m,
		   uint32_t src, uint32_t dst, uint8_t proto, uint32_t l4_len);

#endif /* LM_IPV4_H */
