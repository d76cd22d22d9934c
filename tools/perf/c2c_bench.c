/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What it costs to move a cache line from one CPU to another and back:
 * two threads, pinned to CPU A and CPU B, take turns writing one line (a
 * ping-pong). tools/bench --speed prints it beside its results, because two
 * processes joined by net_memif (and any two busy-polling peers) exchange
 * every packet this way, and on a virtual machine the figure depends on
 * where the host runs the two virtual CPUs at the time.
 *
 *   lm-c2c-bench [CPU_A CPU_B [ROUNDS]]     (default 0 1 200000)
 *
 * Prints the round trips' percentiles in TSC cycles, and in nanoseconds
 * from the TSC rate measured against CLOCK_MONOTONIC over the run.
 */
#include <pthread.h>
#include <sched.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <rte_cycles.h>

struct pingpong {
	volatile uint64_t turn __attribute__((aligned(64)));
	char pad[64 - sizeof(uint64_t)];
	int cpu_b;
	uint64_t rounds;
};

static int
pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *
pong(void *arg)
{
	struct pingpong *pp = arg;

	if (pin(pp->cpu_b) != 0) {
		fprintf(stderr, "lm-c2c-bench: cannot run on CPU %d\n", pp->cpu_b);
		exit(1);
	}
	for (uint64_t i = 1; i <= pp->rounds; i++) {
		while (pp->turn != 2 * i - 1)
			;
		pp->turn = 2 * i;
	}
	return NULL;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int
main(int argc, char **argv)
{
	static struct pingpong pp;
	int cpu_a = argc > 2 ? atoi(argv[1]) : 0;
	uint64_t *rt, tsc0, tsc1;
	double ns0, ns1, ns_per_cycle;
	pthread_t t;

	pp.cpu_b = argc > 2 ? atoi(argv[2]) : 1;
	pp.rounds = argc > 3 ? strtoull(argv[3], NULL, 10) : 200000;
	if (pp.rounds < 100) {
		fprintf(stderr, "usage: lm-c2c-bench [CPU_A CPU_B [ROUNDS >= 100]]\n");
		return 2;
	}
	rt = malloc(sizeof(*rt) * pp.rounds);
	if (rt == NULL || pin(cpu_a) != 0) {
		fprintf(stderr, "lm-c2c-bench: %s\n", rt == NULL ?
			"out of memory" : "cannot run on that CPU");
		return 1;
	}
	if (pthread_create(&t, NULL, pong, &pp) != 0) {
		fprintf(stderr, "lm-c2c-bench: no thread\n");
		return 1;
	}
	ns0 = now_ns();
	tsc0 = rte_rdtsc();
	for (uint64_t i = 1; i <= pp.rounds; i++) {
		uint64_t s = rte_rdtsc();

		pp.turn = 2 * i - 1;
		while (pp.turn != 2 * i)
			;
		rt[i - 1] = rte_rdtsc() - s;
	}
	tsc1 = rte_rdtsc();
	ns1 = now_ns();
	pthread_join(t, NULL);
	ns_per_cycle = (ns1 - ns0) / (double)(tsc1 - tsc0);
	qsort(rt, pp.rounds, sizeof(*rt), cmp_u64);
	printf("CPU %d <-> CPU %d cache-line round trip, %" PRIu64 " rounds:"
	       " min %" PRIu64 ", p10 %" PRIu64 ", p50 %" PRIu64 ", p90 %" PRIu64
	       " cycles (p50 %.0f ns)\n", cpu_a, pp.cpu_b, pp.rounds, rt[0],
	       rt[pp.rounds / 10], rt[pp.rounds / 2], rt[pp.rounds * 9 / 10],
	       (double)rt[pp.rounds / 2] * ns_per_cycle);
	free(rt);
	return 0;
}
