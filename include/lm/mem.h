/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a run's connections cost in memory, as the workers' pools were
 * allocated (filled in by dataplane/mem.h's functions, reported by the
 * control plane in the summary's "memory" object).
 */
#ifndef LM_MEM_ABI_H
#define LM_MEM_ABI_H

#include <stdint.h>

struct lm_mem {
	/* pools: count of elements and bytes allocated */
	uint64_t tcbs, tcb_bytes;
	uint64_t table_bytes;          /* connection table buckets */
	uint64_t ooo_bytes;            /* out-of-order segment nodes */
	uint64_t sessions, session_bytes; /* sessions, render buffers, variables */
	uint64_t srv_conns, srv_conn_bytes; /* server connections, echo buffers */
	/* one connection's share, in bytes */
	uint32_t tcb_size;
	uint32_t table_entry;          /* table bytes per TCB */
	uint32_t session_size;         /* a session with its buffer and variables */
	uint32_t srv_conn_size;        /* a server connection */
};

#endif /* LM_MEM_ABI_H */
