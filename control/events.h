/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The TCP and ICMP event counters by name: one table for the summary's
 * "tcp" and "icmp" objects and for Prometheus' lemmings_tcp_events_total
 * and lemmings_icmp_events_total{event=...}, so that the names cannot
 * drift apart (docs/metrics.md).
 */
#ifndef LM_EVENTS_H
#define LM_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include <lm/stats.h>

struct lm_event_counter {
	const char *name;     /* the summary's key, the metric's event label */
	size_t offset;        /* in struct lm_worker_counters */
};

extern const struct lm_event_counter lm_tcp_events[];
extern const unsigned int lm_n_tcp_events;
extern const struct lm_event_counter lm_icmp_events[];
extern const unsigned int lm_n_icmp_events;

static inline uint64_t
lm_event_value(const struct lm_worker_counters *c,
	       const struct lm_event_counter *e)
{
	uint64_t v;

	__builtin_memcpy(&v, (const char *)c + e->offset, sizeof(v));
	return v;
}

#endif /* LM_EVENTS_H */
