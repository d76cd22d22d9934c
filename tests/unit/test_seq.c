/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * {{seq}} is unique across workers: three workers' sessions draw template
 * environments in turn (as their requests are rendered), and every value
 * of seq drawn anywhere is distinct; {{user}} and {{worker}} render what
 * each session is. The workers here are set up as lemmings-dp sets them
 * up (lm_worker_init, lm_gen_init), without ports.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>

#include "gen/session_int.h"
#include "worker.h"

#define N_WORKERS 3
#define USERS_PER_WORKER 4
#define DRAWS 5000

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static void
test_seq_unique_across_workers(void **state)
{
	static struct lm_worker ws[N_WORKERS];
	struct lm_step step = { .name = "get", .kind = LM_STEP_HTTP };
	struct lm_scenario sc = { .name = "s", .weight = 1, .steps = &step,
				  .n_steps = 1 };
	struct lm_plan plan = { .name = "p", .scenarios = &sc, .n_scenarios = 1,
				.on_start = -1, .on_stop = -1 };
	struct lm_stats_layout l;
	struct lm_tmpl *t;
	char err[256];
	void *area;
	uint64_t *seen = calloc(N_WORKERS * DRAWS, sizeof(*seen));
	uint32_t n = 0;

	(void)state;
	assert_non_null(seen);
	plan.vars = lm_tmpl_vars_new();
	assert_non_null(plan.vars);
	t = lm_tmpl_compile(plan.vars, "{{seq}} {{user}} {{worker}}", 27, err,
			    sizeof(err));
	assert_non_null(t);
	lm_stats_layout_init(&l, N_WORKERS, 1, 1);
	area = calloc(N_WORKERS, l.slot_size);
	assert_non_null(area);
	for (uint32_t i = 0; i < N_WORKERS; i++) {
		struct lm_stats_slot_view sv;

		lm_stats_slot(&l, area, i, &sv);
		lm_stats_slot_init(&l, &sv);
		assert_int_equal(lm_worker_init(&ws[i], i, N_WORKERS, 0, &plan, NULL,
						0, NULL, &sv, 1000 + i), 0);
		assert_int_equal(lm_gen_init(&ws[i], i * USERS_PER_WORKER,
					     USERS_PER_WORKER, 0), 0);
	}
	/* the workers take turns, each from one of its sessions */
	for (uint32_t d = 0; d < DRAWS; d++) {
		for (uint32_t i = 0; i < N_WORKERS; i++) {
			struct lm_session *s = &ws[i].gen.sessions[d % USERS_PER_WORKER];
			struct lm_tmpl_env env;
			uint64_t rng;
			char out[96], want[96];
			size_t len;

			lm_sess_tmpl_env(&ws[i], s, &env, &rng);
			seen[n++] = env.seq;
			len = lm_tmpl_render(t, &env, (uint8_t *)out, sizeof(out) - 1);
			out[len] = '\0';
			snprintf(want, sizeof(want), "%lu %u %u",
				 (unsigned long)env.seq,
				 i * USERS_PER_WORKER + d % USERS_PER_WORKER, i);
			assert_string_equal(out, want);
		}
	}
	qsort(seen, n, sizeof(*seen), cmp_u64);
	for (uint32_t k = 1; k < n; k++)
		assert_true(seen[k] != seen[k - 1]);
	/* and they leave no gap: 0 .. n-1, as one counter would */
	assert_int_equal(seen[0], 0);
	assert_int_equal(seen[n - 1], n - 1);
	for (uint32_t i = 0; i < N_WORKERS; i++)
		lm_gen_fini(&ws[i]);
	lm_tmpl_free(t);
	lm_tmpl_vars_free(plan.vars);
	free(area);
	free(seen);
}

static int
setup_group(void **state)
{
	char *argv[] = {
		"test_seq", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
		"--file-prefix=lm_test_seq", "--log-level=error", "-l", "0",
	};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	return 0;
}

static int
teardown_group(void **state)
{
	(void)state;
	rte_eal_cleanup();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seq_unique_across_workers),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
