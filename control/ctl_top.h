/* SPDX-License-Identifier: BSD-3-Clause */
/* lemmings-ctl top: a live table read from a running instance's statistics. */
#ifndef LM_CTL_TOP_H
#define LM_CTL_TOP_H

/*
 * Attach to NAME (/dev/shm/lemmings-dp.NAME, or a path) and print a table
 * every interval_s seconds, count times (0: until the run is done).
 * Returns the exit status.
 */
int lm_ctl_top(const char *name, unsigned int count, double interval_s);

#endif /* LM_CTL_TOP_H */
