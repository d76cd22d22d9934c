/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Costs of the statistics path, measured (tools/bench --control runs it):
 *   - recording one latency sample into an HDR histogram (a worker's cost);
 *   - one control-plane interval for W workers x S steps: collecting every
 *     slot into a view, and rendering the exports (Prometheus text, the
 *     API's stats JSON, InfluxDB line protocol).
 * Prints the median of several rounds. No DPDK port, no network.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <lm/hdr.h>
#include <lm/stats.h>

#include "api.h"
#include "influx.h"
#include "merge.h"
#include "prom.h"
#include "util/splitmix.h"

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	uint32_t workers = argc > 1 ? (uint32_t)atoi(argv[1]) : 16;
	uint32_t steps = argc > 2 ? (uint32_t)atoi(argv[2]) : 50;
	struct lm_stats_layout l;
	struct lm_view now, before;
	struct lm_scenario sc = { .name = "bench", .weight = 1, .n_steps = steps };
	struct lm_plan plan = { .name = "bench", .scenarios = &sc, .n_scenarios = 1 };
	struct lm_prom_extra x = { .state = "running", .target_users = 100,
				   .target_rate = -1, .plan = "bench" };
	struct lm_hdr *h = calloc(1, sizeof(*h));
	double t0, rec_ns, rounds[9];
	uint64_t rng = 42, sink = 0;
	const uint32_t n_rec = 20000000;
	void *area;
	char *names;

	if (h == NULL || workers == 0 || steps == 0)
		return 1;
	/* 1. recording: random latencies from 10 us to 100 ms */
	lm_hdr_init(h);
	uint64_t *vals = malloc(sizeof(*vals) * 4096);
	for (int i = 0; i < 4096; i++)
		vals[i] = 10000 + lm_splitmix64(&rng) % 100000000;
	t0 = now_ns();
	for (uint32_t i = 0; i < n_rec; i++)
		lm_hdr_record(h, vals[i & 4095]);
	rec_ns = (now_ns() - t0) / n_rec;
	sink += h->total;

	/* 2. an interval of the control plane */
	sc.steps = calloc(steps, sizeof(*sc.steps));
	names = calloc(steps, 16);
	for (uint32_t i = 0; i < steps; i++) {
		snprintf(names + i * 16, 16, "step%u", i);
		sc.steps[i].name = names + i * 16;
		sc.steps[i].kind = LM_STEP_HTTP;
	}
	lm_stats_layout_init(&l, workers, 1, steps);
	area = aligned_alloc(64, l.slot_size * workers);
	for (uint32_t k = 0; k < workers; k++) {
		struct lm_stats_slot_view v;

		lm_stats_slot(&l, area, k, &v);
		lm_stats_slot_init(&l, &v);
		for (uint32_t i = 0; i < steps; i++)
			for (int j = 0; j < 1000; j++) {
				lm_hdr_record(&v.steps[i].latency, vals[(i * 7 + j) & 4095]);
				v.steps[i].requests++;
				v.steps[i].ok++;
			}
	}
	lm_view_init(&now, 1, steps);
	lm_view_init(&before, 1, steps);
	lm_view_collect(&before, &l, area);
	for (int r = 0; r < 9; r++) {
		size_t len;
		char *t, *buf;

		t0 = now_ns();
		lm_view_collect_latency(&now, &l, area);
		t = lm_prom_render_alloc(&len, &plan, &now, &before, 1.0, &x);
		free(t);
		t = lm_api_render_stats(&plan, &now, &before, 1.0);
		free(t);
		len = lm_influx_render(NULL, 0, &plan, &now, &before, 1.0, 1);
		buf = malloc(len + 1);
		lm_influx_render(buf, len + 1, &plan, &now, &before, 1.0, 1);
		free(buf);
		lm_view_copy(&before, &now);
		rounds[r] = (now_ns() - t0) / 1e6;
	}
	qsort(rounds, 9, sizeof(rounds[0]), cmp);
	printf("record one sample: %.2f ns (target < 20 ns)\n", rec_ns);
	printf("one control interval, %u workers x %u steps (collect + Prometheus + "
	       "stats JSON + InfluxDB): %.2f ms median of 9 (target < 10 ms)\n",
	       workers, steps, rounds[4]);
	return sink == 0;
}
