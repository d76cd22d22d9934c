/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The statistics area as a file under /dev/shm, so that other processes
 * (lemmings-ctl) can attach read-only while a run goes on:
 *
 *   struct lm_shm_header      (LM_SHM_HEADER_SIZE bytes, versioned)
 *   names                     scenario names, then "scenario/step" names,
 *                             each NUL-terminated, in stats order
 *   slots                     n_workers slots (include/lm/stats.h), from
 *                             slots_off, slot_size bytes each
 *
 * Writers: the workers (their slots) and the control plane (the header's
 * state). Readers copy with relaxed atomic loads and take differences:
 * nothing is locked. A reader checks magic, version and the sizes of the
 * structures it was built with before it trusts anything else.
 */
#ifndef LM_STATS_SHM_H
#define LM_STATS_SHM_H

#include <stdint.h>

#include <lm/stats.h>

#define LM_SHM_MAGIC 0x484d534cu       /* "LSMH" little-endian */
#define LM_SHM_VERSION 4
#define LM_SHM_HEADER_SIZE 4096
#define LM_SHM_DIR "/dev/shm"
#define LM_SHM_PREFIX "lemmings-dp."

enum lm_shm_state {
	LM_SHM_STARTING = 0,
	LM_SHM_RUNNING,
	LM_SHM_DONE,
};

struct lm_shm_header {
	uint32_t magic;
	uint32_t version;
	/* sizes the writer was built with: a reader must agree */
	uint32_t sizeof_worker_counters;
	uint32_t sizeof_scenario_counters;
	uint32_t sizeof_step_stats;
	uint32_t err_max;             /* LM_ERR_MAX */
	uint32_t n_workers;
	uint32_t n_scenarios;
	uint32_t n_steps;
	uint32_t n_routes;            /* servers' routes (lm_plan_server_rows) */
	uint32_t n_servers;
	uint32_t state;               /* enum lm_shm_state, written last */
	uint64_t slot_size;
	uint64_t slots_off;
	uint64_t names_off;
	uint64_t names_len;
	uint64_t tsc_hz;
	uint64_t start_epoch_ms;      /* wall clock when the load started */
	int64_t pid;
	char plan[128];
};

#endif /* LM_STATS_SHM_H */
