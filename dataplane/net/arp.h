/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP (RFC 826): a small per-worker cache of next hops, answers for our own
 * addresses, and rate-limited requests for what is missing.
 */
#ifndef LM_ARP_H
#define LM_ARP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mbuf.h>

#define LM_ARP_SLOTS 256          /* power of two; next hops, not hosts */
#define LM_ARP_TTL_MS 60000       /* an entry is trusted this long */
#define LM_ARP_REFRESH_MS 5000    /* re-ask this long before it expires */
#define LM_ARP_RETRY_MS 1000      /* at most one request a second per entry */

enum lm_arp_state {
	LM_ARP_FREE = 0,
	LM_ARP_INCOMPLETE,  /* asked, no answer yet */
	LM_ARP_RESOLVED,
};

struct lm_arp_entry {
	uint32_t ip;                 /* network order */
	uint8_t state;
	uint8_t ifidx;
	struct rte_ether_addr mac;
	uint64_t expire;             /* TSC */
	uint64_t last_request;       /* TSC */
};

struct lm_arp_table {
	uint32_t used;
	struct lm_arp_entry e[LM_ARP_SLOTS];
};

struct lm_worker;

void lm_arp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

/*
 * The MAC address of next hop ip on ifidx, or NULL when not (or no longer)
 * known; then a request goes out (at most one a second) and the caller
 * drops its packet: TCP retransmits.
 */
const struct rte_ether_addr *lm_arp_lookup(struct lm_worker *w, uint32_t ifidx,
					   uint32_t ip);

/* Whether ip on ifidx is resolved now (no request sent). */
bool lm_arp_resolved(struct lm_worker *w, uint32_t ifidx, uint32_t ip);

#endif /* LM_ARP_H */
