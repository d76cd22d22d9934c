/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lemmings-ctl top: attach read-only to a running instance's statistics
 * area (/dev/shm/lemmings-dp.NAME) and show a per-step table each second,
 * computed, as the instance itself does, from differences of cumulative
 * copies. The instance is never slowed: nothing is locked or written.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "ctl_top.h"
#include "merge.h"
#include "stats_shm.h"

static void
sleep_s(double s)
{
	struct timespec ts = { (time_t)s, (long)((s - (double)(time_t)s) * 1e9) };

	nanosleep(&ts, NULL);
}

static void
table(const struct lm_shm_header *h, const struct lm_view *now,
      const struct lm_view *before, double interval_s, unsigned int tick)
{
	struct lm_hdr *d = malloc(sizeof(*d));

	if (d == NULL)
		return;
	printf("\n%s  tick %u  state %s  users %" PRIu64 "  connections %" PRIu64
	       "\n", h->plan, tick, h->state == LM_SHM_RUNNING ? "running" :
	       h->state == LM_SHM_DONE ? "done" : "starting",
	       now->w.users_active, now->w.conns_active);
	printf("%-32s %12s %10s %10s %10s %10s\n", "step", "requests", "failed",
	       "req/s", "p50 ms", "p99 ms");
	for (uint32_t i = 0; i < h->n_steps; i++) {
		const struct lm_step_stats *a = &now->steps[i];
		const struct lm_step_stats *b = &before->steps[i];

		lm_hdr_diff(d, &a->latency, &b->latency);
		printf("%-32s %12" PRIu64 " %10" PRIu64 " %10.1f %10.3f %10.3f\n",
		       lm_shm_name(h, h->n_scenarios + i), a->requests, a->failed,
		       interval_s > 0 ? (double)(a->requests - b->requests) /
		       interval_s : 0.0, lm_hdr_percentile(d, 50) / 1e6,
		       lm_hdr_percentile(d, 99) / 1e6);
	}
	fflush(stdout);
	free(d);
}

int
lm_ctl_top(const char *name, unsigned int count, double interval_s)
{
	const struct lm_shm_header *h;
	struct lm_stats_layout l;
	struct lm_view now, before;
	char err[512];
	size_t len;
	int rc = 0;

	h = lm_shm_attach(name, &len, err, sizeof(err));
	if (h == NULL) {
		fprintf(stderr, "lemmings-ctl top: %s\n", err);
		return 1;
	}
	lm_stats_layout_init(&l, h->n_workers, h->n_scenarios, h->n_steps);
	lm_stats_layout_servers(&l, h->n_servers, h->n_routes);
	if (l.slot_size != h->slot_size) {
		fprintf(stderr, "lemmings-ctl top: %s: slots of another layout\n",
			name);
		munmap((void *)h, len);
		return 1;
	}
	if (lm_view_init(&now, h->n_scenarios, h->n_steps) != 0 ||
	    lm_view_init(&before, h->n_scenarios, h->n_steps) != 0) {
		fprintf(stderr, "lemmings-ctl top: out of memory\n");
		munmap((void *)h, len);
		return 1;
	}
	lm_view_collect(&before, &l, (char *)h + h->slots_off);
	for (unsigned int tick = 1; count == 0 || tick <= count; tick++) {
		bool done = __atomic_load_n(&h->state, __ATOMIC_ACQUIRE) ==
			LM_SHM_DONE;

		sleep_s(interval_s);
		lm_view_collect(&now, &l, (char *)h + h->slots_off);
		table(h, &now, &before, interval_s, tick);
		lm_view_copy(&before, &now);
		if (done)
			break; /* the run is over: its last figures are shown */
	}
	lm_view_free(&now);
	lm_view_free(&before);
	munmap((void *)h, len);
	return rc;
}
