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
 *    peer's port without its lowest bit, so that a server's connections
 *    spread over every worker. Not the port itself: Linux clients connect
 *    from even ports only (it keeps the odd ones for bind()), which would
 *    give every connection of theirs to the even workers.
 * With a power-of-two worker count either is a few of the port's bits,
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

/* The worker owning the connections a peer opens from that port (host order). */
static inline uint32_t
lm_peer_port_owner(uint32_t port, uint32_t n_workers)
{
	return (port >> 1) % n_workers;
}

/*
 * The owner of a connection from its ports (network order, as in the
 * packet and the TCB): by ours when we opened it, by the peer's when it
 * was opened to a listener of ours.
 */
static inline uint32_t
lm_flow_owner(uint16_t lport, uint16_t rport, bool passive, uint32_t n_workers)
{
	return passive ? lm_peer_port_owner(rte_be_to_cpu_16(rport), n_workers) :
		lm_port_owner(rte_be_to_cpu_16(lport), n_workers);
}

#endif /* LM_OWNER_H */
