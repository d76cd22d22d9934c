/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Leak accounting: what the workers hold from their pools, counted on the
 * main lcore while no worker runs (before the launch, and after the
 * workers stopped) by walking the pools themselves (dataplane/pools.c),
 * so a counter that went wrong cannot hide a leak. Beside each level, the
 * places where what is taken was found: the report's "still held" list
 * says why something did not come back (control/pools_report.c).
 *
 * Every field is a count summed over the workers.
 */
#ifndef LM_POOLS_H
#define LM_POOLS_H

#include <stdint.h>

#define LM_CENSUS_TCP_STATES 11   /* enum lm_tcp_state, CLOSED to TIME_WAIT */

struct lm_census {
	/* pool sizes, and how much of each is taken */
	uint64_t tcbs, tcbs_used;            /* not on the free list */
	uint64_t users, users_active;        /* sessions, and those not stopped */
	uint64_t flights, flights_used;      /* state of a step in flight */
	uint64_t ooo_states, ooo_states_used; /* out-of-order state of a connection */
	uint64_t ooo_segments, ooo_segments_used; /* out-of-order segment nodes */
	uint64_t srv_states, srv_states_used; /* a busy server connection's state */
	uint64_t echo_bufs, echo_bufs_used;  /* echo servers' buffers */
	uint64_t timers_armed;               /* on the timer wheels */

	/* where what is taken was found */
	uint64_t tcb_state[LM_CENSUS_TCP_STATES]; /* TCBs in use, by state */
	/*
	 * TCBs found at the quit, before they were all released, with no
	 * application and no timer: nothing would ever have freed them.
	 */
	uint64_t tcbs_orphaned;
	uint64_t flights_in_steps;           /* lent to a user's step */
	uint64_t ooo_states_in_tcbs;         /* lent to a live connection */
	uint64_t ooo_segments_in_states;     /* queued in those states */
	uint64_t srv_states_ready;           /* on a server's ready list */
	uint64_t srv_states_in_conns;        /* lent to a live connection */
	uint64_t echo_bufs_in_states;        /* lent to a server state */
	uint64_t timers_tcbs;                /* armed in a TCB in use */
	uint64_t timers_users;               /* in a session */
	uint64_t timers_srv_states;          /* in a server state */

	/* mbufs the workers hold, by where (a chain counts each segment) */
	uint64_t mbufs_ooo;                  /* out-of-order queues */
	uint64_t mbufs_impair;               /* held back by the fault injector */
	uint64_t mbufs_handoff;              /* rings between workers, staged */
	uint64_t mbufs_tx;                   /* TX queues not yet flushed */
};

#endif /* LM_POOLS_H */
