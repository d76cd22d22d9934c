/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Steering by the NIC: rte_flow rules that deliver every TCP flow of a port
 * to the RX queue of the worker that owns it (net/owner.h), so that no
 * worker has to hand packets to another (net/handoff.c).
 *
 * The owner is a TCP port's residue modulo the worker count (the peer's
 * port halved, for a passive connection); for a power-of-two count that
 * is a few of the port's bits, which one masked rule per worker matches:
 *
 *   passive (each listener L on address A, priority 0), for each worker k:
 *     ETH / IPV4 dst A / TCP dst L, src 2k mask 2(n - 1)  -> QUEUE k
 *   active (the clients' port, priority 1), for each worker k:
 *     ETH / IPV4 / TCP dst k mask (n - 1)                 -> QUEUE k
 *
 * Every rule is validated first, then created; if the device refuses any
 * (no rte_flow at all, no masked ports, no priorities, a kernel without
 * the classifier it needs, ...), the rules already made are destroyed and
 * the port falls back to the software hand-off. Either way one line at
 * start-up says which. Set-up and removal run on the main lcore while no
 * worker runs.
 */
#ifndef LM_STEER_H
#define LM_STEER_H

#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "net/netif.h"

#define LM_STEER_PRIO_PASSIVE 0
#define LM_STEER_PRIO_ACTIVE 1

/* One rule: TCP segments that match go to RX queue `queue`. */
struct lm_steer_rule {
	uint32_t priority;
	uint32_t dst_addr;      /* network order; mask all ones, or 0: any */
	uint16_t dst_port;      /* network order, as the masks */
	uint16_t dst_port_mask;
	uint16_t src_port;
	uint16_t src_port_mask;
	uint16_t queue;
};

/*
 * The rules for port port_idx of the plan (our address nif_ip, network
 * order) with n_workers workers, into out[max]: the passive rules of
 * every server on that port, and the active rules where the clients
 * connect from (port 0, when the plan has scenarios). Returns their
 * count (0: one worker, or no TCP flow on that port), -EINVAL when the
 * worker count is not a power of two, -ENOSPC when max is too small.
 */
int lm_steer_rules(const struct lm_plan *plan, uint32_t port_idx,
		   uint32_t nif_ip, uint32_t n_workers,
		   struct lm_steer_rule *out, uint32_t max);

/* The most rules lm_steer_rules may make for n_workers workers. */
uint32_t lm_steer_max_rules(const struct lm_plan *plan, uint32_t n_workers);

/*
 * Install the rules on nif's port. Returns the number installed (0:
 * nothing to steer) with nif->steered set, or a negative errno with
 * nothing left on the port and why the device refused in why.
 */
int lm_steer_setup(struct lm_netif *nif, const struct lm_plan *plan,
		   uint32_t port_idx, uint32_t n_workers, char *why,
		   size_t whylen);

#endif /* LM_STEER_H */
