/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The statistics area under /dev/shm: what a writer creates, a reader
 * attaches to (names, sizes, slots), and a reader refuses an area of
 * another version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "stats_shm.h"

static void
test_create_attach(void **state)
{
	struct lm_step steps_a[2] = { { .name = "home" }, { .name = "small" } };
	struct lm_step steps_b[1] = { { .name = "post" } };
	struct lm_scenario sc[2] = {
		{ .name = "browse", .steps = steps_a, .n_steps = 2 },
		{ .name = "api", .steps = steps_b, .n_steps = 1 },
	};
	struct lm_plan plan = { .name = "t", .scenarios = sc, .n_scenarios = 2 };
	struct lm_stats_layout l;
	struct lm_stats_slot_view v;
	const struct lm_shm_header *h;
	char path[256], err[256], name[64];
	size_t len, rlen;
	void *area;

	(void)state;
	snprintf(name, sizeof(name), "unit-test-%ld", (long)getpid());
	lm_stats_layout_init(&l, 2, 2, 3);
	area = lm_shm_create(&plan, &l, name, &len, path, sizeof(path));
	assert_true(area != MAP_FAILED);
	lm_stats_slot(&l, lm_shm_slots(area), 1, &v);
	lm_stats_slot_init(&l, &v);
	v.steps[2].requests = 42;
	lm_shm_set_state(area, LM_SHM_RUNNING);

	h = lm_shm_attach(name, &rlen, err, sizeof(err));
	assert_non_null(h);
	assert_int_equal(rlen, len);
	assert_int_equal(h->n_workers, 2);
	assert_int_equal(h->n_steps, 3);
	assert_int_equal(h->state, LM_SHM_RUNNING);
	assert_string_equal(lm_shm_name(h, 0), "browse");
	assert_string_equal(lm_shm_name(h, 1), "api");
	assert_string_equal(lm_shm_name(h, 2), "browse/home");
	assert_string_equal(lm_shm_name(h, 4), "api/post");
	assert_string_equal(lm_shm_name(h, 5), "?");
	{
		struct lm_stats_slot_view r;

		lm_stats_slot(&l, (char *)h + h->slots_off, 1, &r);
		assert_int_equal(r.steps[2].requests, 42);
	}
	munmap((void *)h, rlen);

	/* a reader refuses another version */
	((struct lm_shm_header *)area)->version = LM_SHM_VERSION + 1;
	assert_null(lm_shm_attach(path, &rlen, err, sizeof(err)));
	assert_non_null(strstr(err, "not a statistics area"));
	lm_shm_destroy(area, len, path, false);
	assert_int_not_equal(access(path, F_OK), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_attach),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
