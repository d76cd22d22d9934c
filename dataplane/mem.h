/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a worker's connections cost in memory: every structure whose size
 * grows with the connections or users a worker can hold, counted where it
 * is allocated (tcb.c, session.c, server.c), so the figure a run reports is
 * the one the allocator was asked for, not an estimate kept apart.
 *
 * Two views of the same allocations:
 *  - per connection: what one more connection costs (its TCB, its share of
 *    the connection table, and the client session or server connection
 *    bound to it), the figure to compare with other stacks;
 *  - pools: the bytes of each pool as sized for the run, divided by the
 *    connections actually held at the peak in the summary, which also
 *    counts the spare capacity.
 */
#ifndef LM_MEM_H
#define LM_MEM_H

#include <stdint.h>

#include <lm/mem.h>

struct lm_worker;

/* Add worker w's figures to m (so a caller can sum over workers). */
void lm_worker_mem(const struct lm_worker *w, struct lm_mem *m);

/* The parts of it, one per module. */
void lm_tcp_mem(const struct lm_worker *w, struct lm_mem *m);
void lm_gen_mem(const struct lm_worker *w, struct lm_mem *m);
void lm_server_mem(const struct lm_worker *w, struct lm_mem *m);

#endif /* LM_MEM_H */
