/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of sharding (control/plan_shard.c) and of the common start's
 * time (control/start_time.c): the shares add up to the plan's totals,
 * the slices are disjoint and cover the whole, and bad input is refused.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "plan_shard.h"
#include "start_time.h"

static void
test_share_adds_up(void **state)
{
	(void)state;
	for (uint64_t total = 0; total < 200; total++) {
		for (uint32_t n = 1; n <= 12; n++) {
			uint64_t sum = 0, lo = UINT64_MAX, hi = 0;

			for (uint32_t i = 0; i < n; i++) {
				uint64_t s = lm_shard_share(total, i, n);

				assert_int_equal(lm_shard_offset(total, i, n), sum);
				sum += s;
				lo = s < lo ? s : lo;
				hi = s > hi ? s : hi;
				/* remainders to the low indices */
				if (i > 0)
					assert_true(s <= lm_shard_share(total, i - 1, n));
			}
			assert_int_equal(sum, total);
			assert_true(hi - lo <= 1);
		}
	}
	assert_int_equal(lm_shard_share(UINT64_MAX, 0, 1), UINT64_MAX);
}

static void
test_parse(void **state)
{
	static const char *const bad[] = { "3/3", "1/0", "-1/3", "1/3x", "a/3",
		"1", "/3", "1/", " 1/3", "1/70000", "" };
	uint32_t i, n;
	char err[256];

	(void)state;
	assert_int_equal(lm_shard_parse("0/1", &i, &n, err, sizeof(err)), 0);
	assert_int_equal(i, 0);
	assert_int_equal(n, 1);
	assert_int_equal(lm_shard_parse("2/3", &i, &n, err, sizeof(err)), 0);
	assert_int_equal(i, 2);
	assert_int_equal(n, 3);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		err[0] = '\0';
		assert_int_equal(lm_shard_parse(bad[k], &i, &n, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "I/N"));
	}
}

/* A plan with only what sharding looks at. */
static void
plan_init(struct lm_plan *p, enum lm_load_model model)
{
	memset(p, 0, sizeof(*p));
	p->n_scenarios = 1;
	p->load.model = model;
	p->n_ports = 1;
	p->ports[0].ip = 0xc6120001;          /* 198.18.0.1 */
	p->ports[0].prefix = 24;
}

static void
test_closed_load(void **state)
{
	static struct lm_load_stage stages[3][2];
	uint64_t users = 0, runs = 0, first = 0;
	char err[256];

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		struct lm_plan p;

		plan_init(&p, LM_LOAD_CLOSED);
		p.load.users = 10;
		p.load.max_runs = 100;
		p.load.spawn_rate = 3;
		stages[i][0] = (struct lm_load_stage){ .target = 10, .duration_s = 5 };
		stages[i][1] = (struct lm_load_stage){ .target = 4, .duration_s = 5 };
		p.load.stages = stages[i];
		p.load.n_stages = 2;
		assert_int_equal(lm_plan_apply_shard(&p, i, 3, err, sizeof(err)), 0);
		assert_int_equal(p.load.users, i == 0 ? 4 : 3);
		assert_int_equal(p.load.max_runs, i == 0 ? 34 : 33);
		assert_int_equal(p.shard.first_user, first);
		assert_true(fabs(p.load.spawn_rate - 1.0) < 1e-12);
		/* stage targets split as users: 10 -> 4 3 3, 4 -> 2 1 1 */
		assert_true(p.load.stages[0].target == (i == 0 ? 4 : 3));
		assert_true(p.load.stages[1].target == (i == 0 ? 2 : 1));
		assert_true(p.load.stages[0].duration_s == 5);
		first += p.load.users;
		users += p.load.users;
		runs += p.load.max_runs;
	}
	assert_int_equal(users, 10);
	assert_int_equal(runs, 100);
}

static void
test_open_load(void **state)
{
	double rate = 0;
	char err[256];

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		struct lm_plan p;

		plan_init(&p, LM_LOAD_OPEN);
		p.load.rate = 1000;
		p.load.max_users = 10;
		assert_int_equal(lm_plan_apply_shard(&p, i, 4, err, sizeof(err)), 0);
		rate += p.load.rate;
		assert_int_equal(p.load.max_users, i < 2 ? 3 : 2);
		assert_int_equal(p.shard.first_user, i < 2 ? 3 * i : 6 + 2 * (i - 2));
	}
	assert_true(fabs(rate - 1000) < 1e-9);
}

static void
test_too_few(void **state)
{
	struct lm_plan p;
	char err[256];

	(void)state;
	plan_init(&p, LM_LOAD_CLOSED);
	p.load.users = 2;
	assert_int_equal(lm_plan_apply_shard(&p, 1, 3, err, sizeof(err)), 0);
	plan_init(&p, LM_LOAD_CLOSED);
	p.load.users = 2;
	assert_int_equal(lm_plan_apply_shard(&p, 2, 3, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "none"));
	plan_init(&p, LM_LOAD_CLOSED);
	p.load.users = 9;
	p.load.max_runs = 2;
	assert_int_equal(lm_plan_apply_shard(&p, 2, 3, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "max_runs"));
	/* one shard of one: the plan as it is */
	plan_init(&p, LM_LOAD_CLOSED);
	p.load.users = 1;
	assert_int_equal(lm_plan_apply_shard(&p, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(p.load.users, 1);
	assert_int_equal(p.shard.port_first, 0);
}

/* With enough client addresses, each shard gets a slice, and its own. */
static void
test_client_addresses(void **state)
{
	uint32_t next = 0xc612000a;           /* 198.18.0.10 */
	char err[256];

	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		struct lm_plan p;

		plan_init(&p, LM_LOAD_CLOSED);
		p.load.users = 30;
		p.ports[0].ip = 0xc612000a;
		p.ports[0].client_ip = 0xc612000a;
		p.ports[0].n_client_ips = 7;  /* .10 to .16: 3 2 2 */
		assert_int_equal(lm_plan_apply_shard(&p, i, 3, err, sizeof(err)), 0);
		assert_int_equal(p.ports[0].client_ip, next);
		assert_int_equal(p.ports[0].n_client_ips, i == 0 ? 3 : 2);
		/* the port's address was one of them: it moves to the slice */
		assert_int_equal(p.ports[0].ip, next);
		assert_int_equal(p.shard.port_first, 0);
		next += p.ports[0].n_client_ips;
	}
	assert_int_equal(next, 0xc612000a + 7);
}

/* An address outside the client range stays where it is. */
static void
test_own_address_outside(void **state)
{
	struct lm_plan p;
	char err[256];

	(void)state;
	plan_init(&p, LM_LOAD_CLOSED);
	p.load.users = 30;
	p.ports[0].client_ip = 0xc6120064;    /* .100 to .102 */
	p.ports[0].n_client_ips = 3;
	assert_int_equal(lm_plan_apply_shard(&p, 1, 3, err, sizeof(err)), 0);
	assert_int_equal(p.ports[0].ip, 0xc6120001);
	assert_int_equal(p.ports[0].client_ip, 0xc6120065);
	assert_int_equal(p.ports[0].n_client_ips, 1);
}

/* With fewer addresses than shards, the source ports are split. */
static void
test_source_ports(void **state)
{
	uint32_t next = 1024;
	char err[256];

	(void)state;
	for (uint32_t i = 0; i < 5; i++) {
		struct lm_plan p;

		plan_init(&p, LM_LOAD_CLOSED);
		p.load.users = 50;
		assert_int_equal(lm_plan_apply_shard(&p, i, 5, err, sizeof(err)), 0);
		assert_int_equal(p.shard.port_first, next);
		assert_true(p.shard.port_last >= p.shard.port_first + 12000);
		assert_int_equal(p.ports[0].ip, 0xc6120001);
		next = p.shard.port_last + 1u;
	}
	assert_int_equal(next, 65536);
	{
		struct lm_plan p;

		plan_init(&p, LM_LOAD_CLOSED);
		p.load.users = 5000;
		assert_int_equal(lm_plan_apply_shard(&p, 0, 2000, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "client_ips"));
	}
}

static void
test_start_parse(void **state)
{
	static const char *const bad[] = { "", "now", "2026-11-23", "2026-11-23T12:00:00",
		"2026-02-31T12:00:00Z", "2026-11-23T24:00:00Z", "2026-11-23T12:00:00+1:00",
		"2026-11-23T12:00:00.Z", "1e400", "-5", "12:00", "2026-13-01T00:00:00Z" };
	char err[256];
	double t;

	(void)state;
	assert_int_equal(lm_start_parse("1795000000", &t, err, sizeof(err)), 0);
	assert_true(t == 1795000000.0);
	assert_int_equal(lm_start_parse("1795000000.25", &t, err, sizeof(err)), 0);
	assert_true(t == 1795000000.25);
	/* 2026-11-23T12:00:00Z = 1795435200 (date -u -d @1795435200) */
	assert_int_equal(lm_start_parse("2026-11-23T12:00:00Z", &t, err,
					sizeof(err)), 0);
	assert_true(t == 1795435200.0);
	assert_int_equal(lm_start_parse("2026-11-23t13:30:00.5+01:30", &t, err,
					sizeof(err)), 0);
	assert_true(t == 1795435200.5);
	assert_int_equal(lm_start_parse("2026-11-23 07:00:00-05:00", &t, err,
					sizeof(err)), 0);
	assert_true(t == 1795435200.0);
	for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		err[0] = '\0';
		assert_int_equal(lm_start_parse(bad[k], &t, err, sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "RFC 3339"));
	}
}

static void
test_start_wait(void **state)
{
	volatile sig_atomic_t stop = 0;
	double at = lm_start_now() + 0.05, late;

	(void)state;
	assert_true(lm_start_wait(at, &stop));
	late = lm_start_now() - at;
	assert_true(late >= 0);
	assert_true(late < 0.005);
	/* a time past: at once */
	assert_true(lm_start_wait(at - 10, &stop));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_adds_up),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_closed_load),
		cmocka_unit_test(test_open_load),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_client_addresses),
		cmocka_unit_test(test_own_address_outside),
		cmocka_unit_test(test_source_ports),
		cmocka_unit_test(test_start_parse),
		cmocka_unit_test(test_start_wait),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
