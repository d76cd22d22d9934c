/* SPDX-License-Identifier: BSD-3-Clause */
/* The statistics area under /dev/shm (include/lm/stats_shm.h): create, attach. */
#ifndef LM_CONTROL_STATS_SHM_H
#define LM_CONTROL_STATS_SHM_H

#include <stdbool.h>
#include <stddef.h>

#include <lm/plan.h>
#include <lm/stats_shm.h>

/*
 * Create /dev/shm/lemmings-dp.NAME (NAME: the given one, else the pid)
 * with its header and names, sized for layout; returns the mapping (the
 * header first) or MAP_FAILED with errno set. path receives the file name.
 */
void *lm_shm_create(const struct lm_plan *plan,
		    const struct lm_stats_layout *layout, const char *name,
		    size_t *len, char *path, size_t pathlen);

/* The first worker slot of a mapping. */
void *lm_shm_slots(void *area);

void lm_shm_set_state(void *area, enum lm_shm_state state);

/* Unmap, and remove the file unless keep. */
void lm_shm_destroy(void *area, size_t len, const char *path, bool keep);

/*
 * Attach read-only to an area (a path, or a name under /dev/shm); checks
 * magic, version and structure sizes. Returns the header or NULL with a
 * message in err.
 */
const struct lm_shm_header *lm_shm_attach(const char *name_or_path,
					  size_t *len, char *err,
					  size_t errlen);

/* The i-th name of the name table (scenarios, then steps), or "?". */
const char *lm_shm_name(const struct lm_shm_header *h, uint32_t i);

#endif /* LM_CONTROL_STATS_SHM_H */
