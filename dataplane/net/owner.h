/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow ownership: which worker handles every packet of a TCP connection.
 * This is the one place the rule is written; the source port choice
 * (tcp/tcb.c), the software hand-off (net/handoff.c), the NIC's steering
 * rules (net/steer.c) and the check in TCP input (tcp/tcp_in.c) all ask
 * here, so they cannot disagree.
 *
 * The owner is named by a TCP port, modulo the worker count:
 *  - a connection we open (active): our local port, which tcb.c chooses
 *    among those this worker owns;
 *  - a connection a peer opens to one of our listeners (passive): the
 *    peer's port, which we do not choose, so a server's connections
 *    spread over every worker.
 * With a power-of-two worker count the residue is the port's low bits,
 * which a NIC matches with a masked rule (steer.c).
 */
#ifndef LM_OWNER_H
#define LM_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_byteorder.h>

/* The worker owning the flows that port (host order) names. */
static inline uint32_t
lm_port_owner(uint32_t port, uint32_t n_workers)
{
	return port % n_workers;
}

/*
 * The owner of a connection from its ports (network order, as in the
 * packet and the TCB): by ours when we opened it, by the peer's when it
 * was opened to a listener of ours.
 */
static inline uint32_t
lm_flow_owner(uint16_t lport, uint16_t rport, bool passive, uint32_t n_workers)
{
	return lm_port_owner(rte_be_to_cpu_16(passive ? rport : lport),
			     n_workers);
}

#endif /* LM_OWNER_H */
