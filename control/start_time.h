/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A common start (--start-at TIME): instances launched by any orchestrator
 * hold their workers until one wall-clock time, and report how far from it
 * they started (docs/distributed.md). The clocks' agreement is the
 * operator's (NTP, PTP): we measure against our own.
 */
#ifndef LM_START_TIME_H
#define LM_START_TIME_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* How far ahead a start may be: a run is bounded in time. */
#define LM_START_MAX_AHEAD_S (7 * 86400.0)

/*
 * TIME: seconds since the epoch ("1795000000", "1795000000.25"), or an
 * RFC 3339 date-time ("2026-11-23T12:00:00Z", "...T13:00:00.5+01:00",
 * 't' and 'z' and a space for 'T' allowed). Returns 0 with *epoch_s, or
 * -EINVAL with the reason in err.
 */
int lm_start_parse(const char *s, double *epoch_s, char *err, size_t errlen);

/* The wall clock (CLOCK_REALTIME), seconds since the epoch. */
double lm_start_now(void);

/*
 * Sleep until the wall clock reads epoch_s (at once when it is past), the
 * last millisecond spinning on the clock so as to wake on time. Returns
 * early, false, when *stop changes (a signal). Returns true on time.
 */
bool lm_start_wait(double epoch_s, const volatile sig_atomic_t *stop);

#endif /* LM_START_TIME_H */
