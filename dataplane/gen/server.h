/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated servers (the plan's "servers"): every worker listens on each
 * server's address and port, and serves the connections it owns
 * (net/handoff.h). HTTP servers answer each request with the response of
 * the route its path names, in order, pipelined requests included.
 */
#ifndef LM_SERVER_H
#define LM_SERVER_H

#include <stdint.h>

struct lm_worker;
struct lm_census;

#define LM_TIMER_SERVER 3       /* a connection's delayed response is due */

/* Listen for the plan's servers; 0 or a negative errno. */
int lm_server_init(struct lm_worker *w);
void lm_server_fini(struct lm_worker *w);

struct lm_timer;
void lm_server_timer_expired(struct lm_worker *w, struct lm_timer *t);
/* The application phase of the worker loop for the servers. */
void lm_server_poll(struct lm_worker *w);

/* At the end, after every TCB was released: free what was left ready. */
void lm_server_quit(struct lm_worker *w);
/* Connection states lent now (a gauge). */
uint32_t lm_server_busy(const struct lm_worker *w);
/* Add the servers' pools and where their states are to cs (main lcore). */
void lm_server_census(const struct lm_worker *w, struct lm_census *cs);

#endif /* LM_SERVER_H */
