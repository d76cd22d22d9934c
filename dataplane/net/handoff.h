/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Handing received packets to the worker that owns them.
 *
 * Every worker owns its connections, and a connection is found only in its
 * owner's table. A port that steers each flow to its owner's queue needs
 * nothing more; a port that cannot (a single-queue virtual device, or
 * net_af_packet, whose kernel fanout hashes flows to queues without knowing
 * our owners) delivers some packets to the wrong worker. Those go on to
 * their owner over a ring of that ordered pair of workers (single producer,
 * single consumer: no lock, no atomic read-modify-write), counted as
 * `redirected`.
 *
 * Owners (net/owner.h): a TCP segment to one of our addresses belongs to
 * the worker its destination port (our local port) names; one to a
 * listening port (our servers) to the worker the client's port names, so
 * a server's connections spread over every worker. A port whose NIC
 * steers TCP to the owners (net/steer.c) hands none over. An ICMP error
 * quoting one of our TCP segments (tcp/tcp_icmp.c) belongs to the owner of
 * the connection it quotes, on every port (no NIC rule steers ICMP). ARP
 * concerns every worker (each keeps its own table): the worker that
 * received it answers, the others get a copy to learn from. Anything else
 * is handled where it arrived.
 */
#ifndef LM_HANDOFF_H
#define LM_HANDOFF_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_ring.h>

struct lm_worker;

#define LM_HANDOFF_RING 4096   /* packets in flight per ordered pair */

struct lm_handoff {
	bool on;                     /* more than one worker */
	bool from_peer;              /* input now comes from another worker */
	struct rte_ring **to;        /* [n_workers]: to[k] carries to worker k */
	struct rte_ring **from;      /* [n_workers]: from[k] carries from k */
	struct rte_mbuf **stage;     /* [n_workers][LM_RX_BURST]: for to[k] */
	uint16_t *n_stage;           /* [n_workers] */
};

/*
 * Create the rings between n workers (n * (n - 1) of them) and each
 * worker's staging area. Nothing to do for one worker. Returns 0 or a
 * negative errno.
 */
int lm_handoff_setup(struct lm_worker *ws, uint32_t n);

/* Free what lm_handoff_setup created for worker w, and packets left. */
void lm_handoff_fini(struct lm_worker *w);

/*
 * A packet received on interface ifidx: true when it belongs to another
 * worker and was staged for it (m is no longer the caller's); false when it
 * is ours to handle (an ARP packet is also copied to every other worker).
 */
bool lm_handoff_steer(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

/* Send what was staged to the other workers: after each RX burst. */
void lm_handoff_flush(struct lm_worker *w);

/* Handle what the other workers handed over (at most a burst from each). */
void lm_handoff_poll(struct lm_worker *w);

#endif /* LM_HANDOFF_H */
