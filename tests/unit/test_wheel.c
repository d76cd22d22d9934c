/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the timer wheel (dataplane/util/timer_wheel.c).
 *
 * The main check runs the wheel side by side with a brute-force reference
 * (an array of expiry times) through random arms, cancels, time steps and
 * budgets: a timer must never fire before its time, nor more than one tick
 * after it unless the budget ran out.
 */
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <errno.h>

#include "util/timer_wheel.h"

#include "util/splitmix.h"

#define SHIFT 4                          /* 16 cycles per tick */
#define TICK (UINT64_C(1) << SHIFT)
#define REV ((uint64_t)LM_WHEEL_SLOTS * TICK)   /* one revolution, cycles */
#define OWNER_TYPE 1                     /* the owners' tag and pool */

/* A timer embedded in its owner, as in a TCB. */
struct owner {
	struct lm_timer t;
	unsigned id;
	unsigned n_fired;
	uint64_t expire_tsc;         /* what it was armed for */
	bool ref_armed;              /* the reference's view */
};

#define owner_of(tp) \
	((struct owner *)((char *)(tp) - offsetof(struct owner, t)))

struct ctx {
	struct lm_wheel *w;
	uint64_t now;
	unsigned n;                  /* fired during this call */
	unsigned order[64];          /* ids of the first fired, in order */
	uint64_t last_tick;          /* expire_tick of the previous fire */
	bool check_order;
	bool order_broken;
	bool early;
	/* optional action run by the callback */
	void (*hook)(struct ctx *c, struct owner *o);
	struct owner *others;
};

static void
on_fire(void *arg, struct lm_timer *t)
{
	struct ctx *c = arg;
	struct owner *o = owner_of(t);

	/* disarmed before the callback, as documented */
	assert_false(lm_timer_armed(t));
	if (o->expire_tsc > c->now)
		c->early = true;
	if (c->check_order && c->n > 0 && t->expire_tick < c->last_tick)
		c->order_broken = true;
	c->last_tick = t->expire_tick;
	if (c->n < 64)
		c->order[c->n] = o->id;
	c->n++;
	o->n_fired++;
	o->ref_armed = false;
	if (c->hook != NULL)
		c->hook(c, o);
}

static unsigned
run(struct ctx *c, uint64_t now, unsigned budget)
{
	unsigned r;

	c->now = now;
	c->n = 0;
	c->early = false;
	c->order_broken = false;
	r = lm_wheel_expire(c->w, now, budget, on_fire, c);
	assert_int_equal(r, c->n);
	assert_false(c->early);
	return r;
}

static void
arm(struct lm_wheel *w, struct owner *o, uint64_t tsc)
{
	o->expire_tsc = tsc;
	o->ref_armed = true;
	lm_timer_arm(w, &o->t, tsc);
}

static struct lm_wheel *
wheel_new(uint64_t now)
{
	struct lm_wheel *w = malloc(sizeof(*w));

	assert_non_null(w);
	memset(w, 0x5a, sizeof(*w));    /* init must not need zeroed memory */
	lm_wheel_init(w, now, SHIFT);
	return w;
}

/* n owners, the pool of w's OWNER_TYPE timers */
static struct owner *
owners_new(struct lm_wheel *w, unsigned n)
{
	struct owner *o = calloc(n, sizeof(*o));
	unsigned i;

	assert_non_null(o);
	for (i = 0; i < n; i++) {
		lm_timer_init(&o[i].t);
		o[i].t.type = OWNER_TYPE;
		o[i].id = i;
	}
	assert_int_equal(lm_wheel_register(w, OWNER_TYPE, &o[0].t, sizeof(*o),
					   n), 0);
	return o;
}

/* a fixed seed gives the same data on every run */
#define rng_next(s) lm_splitmix64(s)

/* ---- basics ---- */

static void
test_arm_cancel(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 3);
	struct ctx c = { .w = w };

	(void)state;
	assert_int_equal(w->cur_tick, 0);
	assert_int_equal(w->n_armed, 0);
	assert_false(lm_timer_armed(&o[0].t));

	arm(w, &o[0], 100);             /* tick 6.25: due at tick 7 = 112 */
	assert_true(lm_timer_armed(&o[0].t));
	assert_int_equal(o[0].t.expire_tick, 7);
	assert_int_equal(w->n_armed, 1);
	assert_int_equal(run(&c, 99, UINT_MAX), 0);
	assert_int_equal(run(&c, 111, UINT_MAX), 0);
	assert_int_equal(run(&c, 112, UINT_MAX), 1);
	assert_false(lm_timer_armed(&o[0].t));
	assert_int_equal(w->n_armed, 0);
	assert_int_equal(run(&c, 1000, UINT_MAX), 0);
	assert_int_equal(o[0].n_fired, 1);

	/* cancel: harmless twice, and nothing fires */
	lm_timer_cancel(w, &o[1].t);
	arm(w, &o[1], 2000);
	lm_timer_cancel(w, &o[1].t);
	lm_timer_cancel(w, &o[1].t);
	assert_false(lm_timer_armed(&o[1].t));
	assert_int_equal(w->n_armed, 0);
	assert_int_equal(run(&c, 5000, UINT_MAX), 0);

	/* re-arming an armed timer moves it, it does not duplicate it */
	arm(w, &o[2], 6000);
	arm(w, &o[2], 7000);
	assert_int_equal(w->n_armed, 1);
	assert_int_equal(run(&c, 6500, UINT_MAX), 0);
	assert_int_equal(run(&c, 7007, UINT_MAX), 0);   /* 437.5 ticks */
	assert_int_equal(run(&c, 7008, UINT_MAX), 1);
	assert_int_equal(run(&c, 9000, UINT_MAX), 0);
	assert_int_equal(o[2].n_fired, 1);

	/* exactly on a tick boundary: due at that tick */
	arm(w, &o[2], 9600);
	assert_int_equal(run(&c, 9599, UINT_MAX), 0);
	assert_int_equal(run(&c, 9600, UINT_MAX), 1);

	/* re-arm after cancel */
	arm(w, &o[0], 10000);
	lm_timer_cancel(w, &o[0].t);
	arm(w, &o[0], 10100);
	assert_int_equal(run(&c, 10099, UINT_MAX), 0);
	assert_int_equal(run(&c, 10112, UINT_MAX), 1);
	assert_int_equal(o[0].n_fired, 2);
	free(o);
	free(w);
}

static void
test_past_and_current_tick(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 4);
	struct ctx c = { .w = w };

	(void)state;
	assert_int_equal(run(&c, 1000, UINT_MAX), 0);    /* tick 62 */

	/* in the past: fires on the very next call, same now */
	arm(w, &o[0], 0);
	arm(w, &o[1], 500);
	/* the start of the current tick: due now as well */
	arm(w, &o[2], 992);
	assert_int_equal(run(&c, 1000, UINT_MAX), 3);
	assert_int_equal(w->n_armed, 0);

	/* later within the current tick: not before its time */
	arm(w, &o[3], 1003);
	assert_int_equal(run(&c, 1002, UINT_MAX), 0);
	assert_int_equal(run(&c, 1007, UINT_MAX), 0);
	assert_int_equal(run(&c, 1008, UINT_MAX), 1);

	/*
	 * far future: UINT64_MAX must not overflow the rounding; the expiry
	 * is kept at most LM_TIMER_HORIZON ticks ahead (its 56 bits compare
	 * modulo 2^56), and does not fire before
	 */
	arm(w, &o[0], UINT64_MAX);
	assert_int_equal(o[0].t.expire_tick,
			 (w->cur_tick + LM_TIMER_HORIZON) & LM_TIMER_TICK_MASK);
	assert_int_equal(run(&c, 1 << 20, UINT_MAX), 0);
	assert_true(lm_timer_armed(&o[0].t));
	lm_timer_cancel(w, &o[0].t);

	/* a clock that steps back fires nothing new and loses nothing */
	arm(w, &o[1], 1100);
	assert_int_equal(run(&c, 1 << 20, UINT_MAX), 1);
	arm(w, &o[2], (1 << 20) + 100);
	assert_int_equal(run(&c, 5, UINT_MAX), 0);
	assert_int_equal(w->cur_tick, (1 << 20) >> SHIFT);  /* not rewound */
	assert_int_equal(run(&c, (1 << 20) + 111, UINT_MAX), 0);
	assert_int_equal(run(&c, (1 << 20) + 112, UINT_MAX), 1);
	free(o);
	free(w);
}

/*
 * The expiry's 56 bits compare modulo 2^56: a timer as far ahead as it
 * may be stays unfired across the wrap of the low ticks, and fires at its
 * time once the wheel gets there (a wheel started just below 2^56 ticks).
 */
static void
test_horizon(void **state)
{
	uint64_t start = (LM_TIMER_TICK_MASK - 100) << SHIFT;
	struct lm_wheel *w = wheel_new(start);
	struct owner *o = owners_new(w, 2);
	struct ctx c = { .w = w };

	(void)state;
	arm(w, &o[0], start + (UINT64_C(300) << SHIFT));    /* past 2^56 ticks */
	arm(w, &o[1], UINT64_MAX);                          /* the horizon */
	assert_int_equal(run(&c, start + (UINT64_C(299) << SHIFT), UINT_MAX), 0);
	assert_int_equal(run(&c, start + (UINT64_C(300) << SHIFT), UINT_MAX), 1);
	assert_int_equal(o[0].n_fired, 1);
	assert_int_equal(run(&c, start + (UINT64_C(1) << 50), UINT_MAX), 0);
	assert_true(lm_timer_armed(&o[1].t));
	free(o);
	free(w);
}

static void
test_order(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 5);
	struct ctx c = { .w = w, .check_order = true };

	(void)state;
	arm(w, &o[0], 500);
	arm(w, &o[1], 100);
	arm(w, &o[2], 300);
	arm(w, &o[3], 200);
	arm(w, &o[4], 400);
	assert_int_equal(run(&c, 1000, UINT_MAX), 5);
	assert_false(c.order_broken);
	assert_int_equal(c.order[0], 1);
	assert_int_equal(c.order[1], 3);
	assert_int_equal(c.order[2], 2);
	assert_int_equal(c.order[3], 4);
	assert_int_equal(c.order[4], 0);
	free(o);
	free(w);
}

/* ---- pools and references ---- */

static void
test_register(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner o[2];

	(void)state;
	assert_int_equal(sizeof(struct lm_timer), 16);
	assert_int_equal(lm_wheel_register(w, 0, &o[0].t, sizeof(o[0]), 2),
			 -EINVAL);
	assert_int_equal(lm_wheel_register(w, LM_WHEEL_TYPES, &o[0].t,
					   sizeof(o[0]), 2), -EINVAL);
	assert_int_equal(lm_wheel_register(w, 1, &o[0].t, 8, 2), -EINVAL);
	assert_int_equal(lm_wheel_register(w, 1, &o[0].t, 18, 2), -EINVAL);
	/*
	 * 8 M elements of 192 bytes (tools/scale holds 4 M connections of
	 * 152 a worker) fit; a pool must not span more than references reach
	 */
	assert_int_equal(lm_wheel_register(w, LM_WHEEL_TYPES - 1, &o[0].t, 192,
					   UINT32_C(8) << 20), 0);
	assert_int_equal(lm_wheel_register(w, 1, &o[0].t, 256,
					   UINT32_C(8) << 20), -E2BIG);
	assert_int_equal(lm_wheel_register(w, 1, &o[0].t, 152,
					   LM_WHEEL_POOL_BYTES / 152), 0);
	assert_int_equal(lm_wheel_register(w, 1, &o[0].t, 152,
					   LM_WHEEL_POOL_BYTES / 152 + 1), -E2BIG);
	assert_int_equal(lm_wheel_register(w, 1, NULL, sizeof(o[0]), 0), 0);
	free(w);
}

/* A bigger owner, its timer inside it. */
struct big {
	uint64_t pad[3];
	struct lm_timer t;
	uint8_t tail[13];
};

#define BIG_TYPE 2
#define FAR_TYPE 3

static struct lm_timer *pools_fired[8];
static unsigned pools_n;

static void
on_fire_any(void *arg, struct lm_timer *t)
{
	(void)arg;
	assert_false(lm_timer_armed(t));
	assert_true(pools_n < 8);
	pools_fired[pools_n++] = t;
	if (t->type == OWNER_TYPE)
		owner_of(t)->n_fired++;
}

static unsigned
pools_run(struct lm_wheel *w, uint64_t now)
{
	unsigned r;

	pools_n = 0;
	r = lm_wheel_expire(w, now, UINT_MAX, on_fire_any, NULL);
	assert_int_equal(r, pools_n);
	return r;
}

/*
 * Timers of three pools (strides 40 and 56, and one whose only timer is
 * the farthest from its start that a reference reaches) share slots: each
 * is linked to the others by its reference, cancelling one in the middle
 * of a slot's list or at its head keeps the rest, and each fires at its
 * time as what it is.
 */
static void
test_pools(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 4);
	struct big *b = calloc(3, sizeof(*b));
	struct big *top = calloc(1, sizeof(*top));
	uintptr_t far0;
	uint32_t far_n;

	(void)state;
	assert_int_equal(sizeof(struct big), 56);
	assert_non_null(b);
	assert_non_null(top);
	for (int i = 0; i < 3; i++) {
		lm_timer_init(&b[i].t);
		b[i].t.type = BIG_TYPE;
	}
	assert_int_equal(lm_wheel_register(w, BIG_TYPE, &b[0].t, sizeof(*b),
					   3), 0);
	/* a pool as large as can be, whose last element is top */
	far_n = (uint32_t)(LM_WHEEL_POOL_BYTES / sizeof(*top));
	far0 = (uintptr_t)&top->t - (uintptr_t)(far_n - 1) * sizeof(*top);
	lm_timer_init(&top->t);
	top->t.type = FAR_TYPE;
	assert_int_equal(lm_wheel_register(w, FAR_TYPE,
					   (const struct lm_timer *)far0,
					   sizeof(*top), far_n), 0);

	/* one slot: top, b[2], o[1], b[0], o[0] (LIFO: o[0] first) */
	lm_timer_arm(w, &top->t, 10 * TICK);
	lm_timer_arm(w, &b[2].t, 10 * TICK);
	arm(w, &o[1], 10 * TICK);
	lm_timer_arm(w, &b[0].t, 10 * TICK);
	arm(w, &o[0], 10 * TICK);
	/* the next tick's: b[1], o[2] */
	lm_timer_arm(w, &b[1].t, 11 * TICK);
	arm(w, &o[2], 11 * TICK);
	assert_int_equal(w->n_armed, 7);

	/* the middle, the head, then the head again: the rest stay linked */
	lm_timer_cancel(w, &o[1].t);
	o[1].ref_armed = false;
	lm_timer_cancel(w, &o[0].t);
	o[0].ref_armed = false;
	lm_timer_cancel(w, &b[0].t);
	lm_timer_cancel(w, &b[1].t);
	assert_false(lm_timer_armed(&b[0].t));
	assert_true(lm_timer_armed(&top->t));
	assert_true(lm_timer_armed(&b[2].t));
	assert_int_equal(w->n_armed, 3);

	/* o[3] re-armed across pools' timers: moves, is not duplicated */
	arm(w, &o[3], 10 * TICK);
	arm(w, &o[3], 12 * TICK);

	/* each fires at its tick, found from its reference as itself */
	assert_int_equal(pools_run(w, 10 * TICK - 1), 0);
	assert_int_equal(pools_run(w, 10 * TICK), 2);
	assert_true((pools_fired[0] == &top->t && pools_fired[1] == &b[2].t) ||
		    (pools_fired[0] == &b[2].t && pools_fired[1] == &top->t));
	assert_int_equal(pools_run(w, 11 * TICK), 1);
	assert_ptr_equal(pools_fired[0], &o[2].t);
	assert_int_equal(pools_run(w, 12 * TICK), 1);
	assert_ptr_equal(pools_fired[0], &o[3].t);
	assert_int_equal(pools_run(w, 12 * TICK + REV), 0);
	assert_int_equal(w->n_armed, 0);
	assert_int_equal(o[0].n_fired + o[1].n_fired, 0);
	free(top);
	free(b);
	free(o);
	free(w);
}

/* ---- beyond one revolution ---- */

static void
test_beyond_revolution(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 3);
	struct ctx c = { .w = w };
	uint64_t now;

	(void)state;
	/* three timers sharing one slot, a revolution apart */
	arm(w, &o[0], 5 * TICK);
	arm(w, &o[1], 5 * TICK + REV);
	arm(w, &o[2], 5 * TICK + 2 * REV - 3);
	assert_true((o[0].t.expire_tick & (LM_WHEEL_SLOTS - 1)) ==
		    (o[1].t.expire_tick & (LM_WHEEL_SLOTS - 1)));
	assert_true((o[0].t.expire_tick & (LM_WHEEL_SLOTS - 1)) ==
		    (o[2].t.expire_tick & (LM_WHEEL_SLOTS - 1)));

	/* tick by tick, so each slot is walked; no jump */
	for (now = 0; now < 5 * TICK + 3 * REV; now += TICK) {
		run(&c, now, UINT_MAX);
		assert_int_equal(o[0].n_fired, now >= 5 * TICK);
		assert_int_equal(o[1].n_fired, now >= 5 * TICK + REV);
		assert_int_equal(o[2].n_fired, now >= 5 * TICK + 2 * REV);
	}
	assert_int_equal(w->n_armed, 0);
	free(o);
	free(w);
}

/* ---- budget ---- */

static void
test_budget(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 200);
	struct ctx c = { .w = w };
	unsigned i, total = 0, r, calls = 0;

	(void)state;
	/* 100 in one slot, 50 the next tick, 50 in the first slot a rev on */
	for (i = 0; i < 100; i++)
		arm(w, &o[i], 10 * TICK);
	for (i = 100; i < 150; i++)
		arm(w, &o[i], 11 * TICK);
	for (i = 150; i < 200; i++)
		arm(w, &o[i], 10 * TICK + REV);

	assert_int_equal(run(&c, 20 * TICK, 0), 0);     /* no budget, no work */
	assert_int_equal(w->n_armed, 200);

	while ((r = run(&c, 20 * TICK, 30)) != 0) {
		assert_true(r <= 30);
		total += r;
		calls++;
		assert_int_equal(w->n_armed, 200 - total);
		assert_true(calls < 10);
	}
	assert_int_equal(total, 150);
	assert_int_equal(calls, 5);
	for (i = 0; i < 150; i++)
		assert_int_equal(o[i].n_fired, 1);
	for (i = 150; i < 200; i++) {
		assert_int_equal(o[i].n_fired, 0);
		assert_true(lm_timer_armed(&o[i].t));
	}

	/* the budget runs out mid-slot, then time moves on: nothing lost */
	for (i = 0; i < 100; i++)
		arm(w, &o[i], 30 * TICK);
	assert_int_equal(run(&c, 30 * TICK, 7), 7);
	assert_int_equal(run(&c, 40 * TICK, 7), 7);
	assert_int_equal(run(&c, 41 * TICK, UINT_MAX), 86);
	for (i = 0; i < 100; i++)
		assert_int_equal(o[i].n_fired, 2);

	/* exhausted with a long gap after it */
	for (i = 0; i < 100; i++)
		arm(w, &o[i], 50 * TICK + i * TICK);
	assert_int_equal(run(&c, 60 * TICK, 5), 5);
	assert_int_equal(run(&c, 60 * TICK + 5 * REV, UINT_MAX), 145);
	for (i = 0; i < 200; i++)
		assert_int_equal(o[i].n_fired, i < 100 ? 3 : 1);
	assert_int_equal(w->n_armed, 0);
	free(o);
	free(w);
}

/* ---- callbacks that change the wheel ---- */

/*
 * o[0] re-arms itself 10 ticks on; o[1] cancels o[2] (same slot, not yet
 * fired) and o[3] (same slot, a revolution later); o[4] arms o[5] in the
 * past and o[6] a few ticks later; o[7] arms o[8] a few ticks later and
 * o[9] in the past.
 */
static void
hook_mixed(struct ctx *c, struct owner *o)
{
	struct owner *all = c->others;

	switch (o->id) {
	case 0:
		arm(c->w, o, c->now + 10 * TICK);
		break;
	case 1:
		lm_timer_cancel(c->w, &all[2].t);
		all[2].ref_armed = false;
		lm_timer_cancel(c->w, &all[3].t);
		all[3].ref_armed = false;
		lm_timer_cancel(c->w, &all[1].t);  /* itself: already off */
		break;
	case 4:
		arm(c->w, &all[5], 0);
		arm(c->w, &all[6], o->expire_tsc + 3 * TICK);
		break;
	case 7:
		arm(c->w, &all[8], o->expire_tsc + 2 * TICK);
		arm(c->w, &all[9], 0);
		break;
	default:
		break;
	}
}

static void
test_callbacks(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 10);
	struct ctx c = { .w = w, .hook = hook_mixed, .others = o };

	(void)state;
	/* slots are LIFO: arm in reverse so 1 runs before 2 is reached */
	arm(w, &o[3], 100 * TICK + REV);
	arm(w, &o[2], 100 * TICK);
	arm(w, &o[4], 100 * TICK);
	arm(w, &o[1], 100 * TICK);
	arm(w, &o[0], 100 * TICK);
	assert_int_equal(w->n_armed, 5);

	/* the slot of tick 100 is the last walked by this call */
	assert_int_equal(run(&c, 100 * TICK + 5, UINT_MAX), 3);
	assert_int_equal(o[0].n_fired, 1);
	assert_int_equal(o[1].n_fired, 1);
	assert_int_equal(o[2].n_fired, 0);
	assert_int_equal(o[3].n_fired, 0);
	assert_int_equal(o[4].n_fired, 1);
	assert_false(lm_timer_armed(&o[2].t));
	assert_false(lm_timer_armed(&o[3].t));
	assert_true(lm_timer_armed(&o[0].t));
	assert_true(lm_timer_armed(&o[5].t));
	assert_true(lm_timer_armed(&o[6].t));
	assert_int_equal(w->n_armed, 3);

	/* o[5], armed in the past by a callback, fires on the next call */
	assert_int_equal(run(&c, 100 * TICK + 5, UINT_MAX), 1);
	assert_int_equal(o[5].n_fired, 1);
	assert_int_equal(run(&c, 102 * TICK + 15, UINT_MAX), 0);
	assert_int_equal(run(&c, 103 * TICK, UINT_MAX), 1);
	assert_int_equal(o[6].n_fired, 1);

	/* o[0] re-armed for 110 ticks + 5: fires at tick 111, re-arms again */
	assert_int_equal(run(&c, 110 * TICK + 5, UINT_MAX), 0);
	assert_int_equal(run(&c, 111 * TICK, UINT_MAX), 1);
	assert_int_equal(o[0].n_fired, 2);
	assert_true(lm_timer_armed(&o[0].t));

	/*
	 * Timers armed by a callback for ticks still ahead in this call's
	 * range fire in this call: o[8] at tick 202, o[9] (in the past)
	 * clamped to the call's last tick. o[0] fires at 121 on the way.
	 */
	arm(w, &o[7], 200 * TICK);
	assert_int_equal(run(&c, 210 * TICK, UINT_MAX), 4);
	assert_int_equal(o[0].n_fired, 3);
	assert_int_equal(o[7].n_fired, 1);
	assert_int_equal(o[8].n_fired, 1);
	assert_int_equal(o[9].n_fired, 1);

	/* nothing from the cancelled ones, even revolutions later */
	c.hook = NULL;
	assert_int_equal(run(&c, 100 * TICK + 2 * REV, UINT_MAX), 1);
	assert_int_equal(o[0].n_fired, 4);
	assert_int_equal(o[2].n_fired + o[3].n_fired, 0);
	assert_int_equal(w->n_armed, 0);
	free(o);
	free(w);
}

/* A callback re-arming its own timer in the past each time. */
static void
hook_rearm_past(struct ctx *c, struct owner *o)
{
	arm(c->w, o, 0);
}

static void
test_rearm_past_terminates(void **state)
{
	struct lm_wheel *w = wheel_new(0);
	struct owner *o = owners_new(w, 1);
	struct ctx c = { .w = w, .hook = hook_rearm_past };
	unsigned i;

	(void)state;
	run(&c, 100, UINT_MAX);
	arm(w, &o[0], 10);
	/* once per call, not an endless loop within one call */
	for (i = 1; i <= 5; i++) {
		assert_int_equal(run(&c, 100, UINT_MAX), 1);
		assert_int_equal(o[0].n_fired, i);
	}
	/*
	 * Across a multi-tick step: once at the first slot, once more at
	 * the step's last tick (where the re-arm was clamped), then wait.
	 */
	assert_int_equal(run(&c, 100 + 50 * TICK, UINT_MAX), 2);
	assert_int_equal(o[0].n_fired, 7);
	c.hook = NULL;
	lm_timer_cancel(w, &o[0].t);
	assert_int_equal(w->n_armed, 0);
	free(o);
	free(w);
}

/* ---- large time jumps ---- */

static void
test_large_jump(void **state)
{
	struct lm_wheel *w = wheel_new(1000);
	struct owner *o = owners_new(w, 1010);
	struct ctx c = { .w = w };
	uint64_t s = 77, jump = UINT64_C(1) << 44;  /* 2^40 ticks */
	unsigned i, total;

	(void)state;
	/* a loop over 2^40 ticks would never end: let the alarm fail it */
	alarm(20);
	for (i = 0; i < 1000; i++)
		arm(w, &o[i], 1000 + rng_next(&s) % (3 * REV));
	for (i = 1000; i < 1010; i++)
		arm(w, &o[i], jump + 5 * REV + i);
	assert_int_equal(run(&c, jump, UINT_MAX), 1000);
	assert_int_equal(w->cur_tick, jump >> SHIFT);
	assert_int_equal(w->n_armed, 10);

	/* the ones after the jump still wait for their own time */
	assert_int_equal(run(&c, jump + 5 * REV + 1000, UINT_MAX), 0);
	assert_int_equal(run(&c, jump + 5 * REV + 1007, UINT_MAX), 0);
	/* 1000..1008 round up to tick +63, 1009 to +64 */
	assert_int_equal(run(&c, jump + 5 * REV + 1008, UINT_MAX), 9);
	assert_int_equal(run(&c, jump + 5 * REV + 1023, UINT_MAX), 0);
	assert_int_equal(run(&c, jump + 5 * REV + 1024, UINT_MAX), 1);

	/* a jump with a small budget: catches up over calls, no dupes */
	for (i = 0; i < 1000; i++)
		arm(w, &o[i], jump + 6 * REV + rng_next(&s) % (2 * REV));
	total = 0;
	while (total < 1000) {
		unsigned r = run(&c, 2 * jump, 64);

		assert_true(r > 0);
		total += r;
	}
	assert_int_equal(run(&c, 2 * jump, UINT_MAX), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(o[i].n_fired, 2);
	alarm(0);
	free(o);
	free(w);
}

/* The very end of the clock: no overflow in rounding or in the walk. */
static void
test_clock_end(void **state)
{
	struct lm_wheel *w = malloc(sizeof(*w));
	struct owner *o;
	struct ctx c = { .w = w };

	(void)state;
	assert_non_null(w);
	alarm(20);
	lm_wheel_init(w, UINT64_MAX - 10, 0);       /* one cycle per tick */
	o = owners_new(w, 2);
	arm(w, &o[0], UINT64_MAX - 3);
	arm(w, &o[1], UINT64_MAX);
	assert_int_equal(run(&c, UINT64_MAX - 4, UINT_MAX), 0);
	assert_int_equal(run(&c, UINT64_MAX - 3, UINT_MAX), 1);
	assert_int_equal(run(&c, UINT64_MAX, UINT_MAX), 1);
	assert_int_equal(run(&c, UINT64_MAX, UINT_MAX), 0);
	assert_true(w->cur_tick == UINT64_MAX);
	alarm(0);
	free(o);
	free(w);
}

/* ---- random, against the reference ---- */

#define RT_N 1000
#define RT_STEPS 100000

static void
test_random_reference(void **state)
{
	struct lm_wheel *w = wheel_new(12345);
	struct owner *o = owners_new(w, RT_N);
	struct ctx c = { .w = w };
	uint64_t s = 2024, now = 12345;
	unsigned step, i, n_calls = 0, n_fired = 0, n_exhausted = 0;
	unsigned n_jumps = 0;
	bool after_jump = false;

	(void)state;
	for (step = 0; step < RT_STEPS; step++) {
		uint64_t r = rng_next(&s);
		struct owner *x = &o[(r >> 8) % RT_N];

		switch (r % 16) {
		case 0: case 1: case 2: case 3: case 4: case 5: {
			/* mostly near, some past, some a few revolutions out */
			uint64_t d = rng_next(&s);
			uint64_t e;

			if (d % 10 == 0)
				e = now - (d >> 8) % 500;
			else if (d % 10 == 1)
				e = now + (d >> 8) % (4 * REV);
			else
				e = now + (d >> 8) % (200 * TICK);
			arm(w, x, e);
			break;
		}
		case 6: case 7:
			lm_timer_cancel(w, &x->t);
			x->ref_armed = false;
			break;
		default: {
			/* advance time, sometimes not at all, rarely a lot */
			uint64_t d = rng_next(&s);
			uint64_t prev_tick = w->cur_tick;
			unsigned budget, fired;
			bool jump;

			if (d % 500 == 0)
				now += (d >> 16) % (20 * REV);
			else if (d % 4 != 0)
				now += (d >> 16) % (3 * TICK);
			budget = UINT_MAX;
			if ((d >> 8) % 4 == 0)
				budget = 1 + (d >> 40) % 8;
			jump = (now >> SHIFT) - prev_tick >= LM_WHEEL_SLOTS;
			/*
			 * Fires come in tick order, except in a jump and in
			 * the calls that finish a jump cut short by the budget.
			 */
			c.check_order = !jump && !after_jump;
			fired = run(&c, now, budget);
			assert_false(c.order_broken);
			n_jumps += jump;
			if (jump)
				after_jump = true;
			if (fired != budget)
				after_jump = false;
			n_calls++;
			n_fired += fired;
			if (fired == budget) {
				n_exhausted++;
				break;
			}
			/*
			 * Not late: every timer due by the start of now's
			 * tick has fired; the rest are still armed.
			 */
			for (i = 0; i < RT_N; i++) {
				if (!o[i].ref_armed)
					continue;
				if (o[i].expire_tsc <= (now & ~(TICK - 1)))
					fail_msg("step %u: timer %u due %llu "
						 "not fired at %llu", step, i,
						 (unsigned long long)
						 o[i].expire_tsc,
						 (unsigned long long)now);
				assert_true(lm_timer_armed(&o[i].t));
			}
			break;
		}
		}
		/* the wheel's armed set is the reference's */
		if (step % 1024 == 0) {
			uint64_t n = 0;

			for (i = 0; i < RT_N; i++) {
				assert_int_equal(lm_timer_armed(&o[i].t),
						 o[i].ref_armed);
				n += o[i].ref_armed;
			}
			assert_int_equal(w->n_armed, n);
		}
	}
	/* the run must have exercised what it claims to */
	assert_true(n_fired > 10000);
	assert_true(n_exhausted > 100);
	assert_true(n_jumps > 10);
	(void)n_calls;
	free(o);
	free(w);
}

/*
 * The coarser levels: timers armed up to 2^26 ticks ahead (past the second
 * level's reach of 2^24) come down level by level as the clock advances,
 * by steps from a tick to a few revolutions, and each fires in the first
 * call whose time has reached it, never before; some are re-armed or
 * cancelled on the way.
 */
#define LV_N 500

static void
test_levels_reference(void **state)
{
	uint64_t start = 5000, now = start, horizon = UINT64_C(1) << (26 + SHIFT);
	struct lm_wheel *w = wheel_new(start);
	struct owner *o = owners_new(w, LV_N);
	struct ctx c = { .w = w };
	uint64_t s = 99;
	unsigned i, fired = 0, calls = 0;

	(void)state;
	for (i = 0; i < LV_N; i++)
		arm(w, &o[i], start + rng_next(&s) % horizon);
	while (now < start + horizon + 2 * REV) {
		uint64_t d = rng_next(&s);

		now += d % 16 == 0 ? (d >> 8) % (8 * REV) : (d >> 8) % (2 * REV);
		fired += run(&c, now, UINT_MAX);
		calls++;
		for (i = 0; i < LV_N; i++) {
			if (!o[i].ref_armed)
				continue;
			if (o[i].expire_tsc <= (now & ~(TICK - 1)))
				fail_msg("timer %u due %llu not fired at %llu", i,
					 (unsigned long long)o[i].expire_tsc,
					 (unsigned long long)now);
		}
		/* now and then, move one still armed, or cancel it */
		if (d % 64 == 0) {
			struct owner *x = &o[(d >> 20) % LV_N];

			if (x->ref_armed && d % 2 == 0) {
				lm_timer_cancel(w, &x->t);
				x->ref_armed = false;
			} else if (x->ref_armed && now < start + horizon) {
				/* within the same end, so the loop sees it fire */
				arm(w, x, now + (d >> 24) % (start + horizon - now));
			}
		}
	}
	for (i = 0; i < LV_N; i++)
		assert_false(o[i].ref_armed);
	assert_int_equal(w->n_armed, 0);
	assert_true(fired > LV_N / 2);
	assert_true(calls > 5000);
	free(o);
	free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arm_cancel),
		cmocka_unit_test(test_past_and_current_tick),
		cmocka_unit_test(test_horizon),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_register),
		cmocka_unit_test(test_pools),
		cmocka_unit_test(test_beyond_revolution),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_callbacks),
		cmocka_unit_test(test_rearm_past_terminates),
		cmocka_unit_test(test_large_jump),
		cmocka_unit_test(test_clock_end),
		cmocka_unit_test(test_random_reference),
		cmocka_unit_test(test_levels_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
