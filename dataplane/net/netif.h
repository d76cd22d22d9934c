/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A network interface as the dataplane sees it: a DPDK port with our IPv4
 * address on it. Set up by the control plane before the workers start and
 * read-only afterwards, so every worker may read it without a lock.
 * Addresses are in network byte order (compared against packets as is).
 */
#ifndef LM_NETIF_H
#define LM_NETIF_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

struct lm_netif {
	uint16_t port_id;
	uint16_t mtu;
	struct rte_ether_addr mac;
	uint32_t ip;        /* our address */
	uint32_t mask;      /* on-link network mask */
	uint32_t gateway;   /* 0: none */
	bool tx_ip_csum;    /* the port fills the IPv4 header checksum */
	bool tx_tcp_csum;   /* the port fills the TCP checksum */
	bool rx_csum;       /* the port checks checksums and flags mbufs */
	bool steered;       /* the NIC delivers TCP to the owners (net/steer.c) */
	/* the client's source addresses: [client_ip, + n_client_ips), host order */
	uint32_t client_ip;
	uint32_t n_client_ips;
};

/*
 * Whether addr (network order) is ours on this interface: its address, or
 * one of the client's source addresses (we answer ARP for them all).
 */
static inline bool
lm_netif_is_ours(const struct lm_netif *nif, uint32_t addr)
{
	return addr == nif->ip ||
		rte_be_to_cpu_32(addr) - nif->client_ip < nif->n_client_ips;
}

/* The next hop for dst on this interface: dst itself when on-link. */
static inline uint32_t
lm_netif_next_hop(const struct lm_netif *nif, uint32_t dst)
{
	if (((dst ^ nif->ip) & nif->mask) == 0 || nif->gateway == 0)
		return dst;
	return nif->gateway;
}

#endif /* LM_NETIF_H */
