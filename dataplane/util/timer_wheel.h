/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-worker hierarchical hashed timer wheel (Varghese & Lauck, scheme 7)
 * with intrusive timer nodes embedded in TCBs and sessions.
 *
 * Time is in TSC cycles; a tick is 2^tick_shift cycles (the worker picks
 * the shift so a tick is a few tens of microseconds). The first level has
 * a slot per tick for the next LM_WHEEL_SLOTS ticks; timers further away
 * wait on coarser levels (struct lm_wheel) and come down as the wheel
 * approaches them.
 *
 * arm, cancel: O(1). expire: visits the slots of the ticks that have passed
 * since the last call, firing due timers, at most 'budget' per call; what is
 * left over fires on the next call (no timer is lost, none fires early).
 * Nothing allocates.
 */
#ifndef LM_TIMER_WHEEL_H
#define LM_TIMER_WHEEL_H

#include <stdbool.h>
#include <stdint.h>

#define LM_WHEEL_BITS 12
#define LM_WHEEL_SLOTS (1u << LM_WHEEL_BITS)

/*
 * Embedded in every TCB and session, so kept to 24 bytes: the expiry tick
 * has 56 bits (compared modulo 2^56; no timer is armed further than 2^55
 * ticks ahead, centuries at the worker's tick) and the owner's tag 8.
 */
#define LM_TIMER_TICK_BITS 56
#define LM_TIMER_TICK_MASK ((UINT64_C(1) << LM_TIMER_TICK_BITS) - 1)
#define LM_TIMER_HORIZON ((UINT64_C(1) << (LM_TIMER_TICK_BITS - 1)) - 1)

struct lm_timer {
	struct lm_timer *next;
	struct lm_timer **pprev;   /* NULL when not armed */
	uint64_t expire_tick : LM_TIMER_TICK_BITS; /* modulo 2^56 */
	uint64_t type : 8;         /* owner's tag: lets the callback find its container */
};

/*
 * Three levels of LM_WHEEL_SLOTS slots: a tick each, 2^12 ticks each, 2^24
 * ticks each. A timer waits on the level whose slots are the finest that
 * still reach it, and moves down a level when the wheel enters its slot's
 * span (Varghese and Lauck's hierarchical scheme 7): however many timers
 * are armed far ahead (a million users thinking for an hour), a tick only
 * visits the timers due at it.
 */
struct lm_wheel {
	uint64_t cur_tick;         /* every tick < cur_tick has been processed */
	unsigned tick_shift;
	uint64_t n_armed;
	struct lm_timer *slots[LM_WHEEL_SLOTS];   /* the next 2^12 ticks */
	struct lm_timer *far[LM_WHEEL_SLOTS];     /* by 2^12-tick block */
	struct lm_timer *farther[LM_WHEEL_SLOTS]; /* by 2^24-tick block */
};

typedef void (*lm_timer_cb)(void *ctx, struct lm_timer *t);

void lm_wheel_init(struct lm_wheel *w, uint64_t now_tsc, unsigned tick_shift);

static inline void
lm_timer_init(struct lm_timer *t)
{
	t->next = NULL;
	t->pprev = NULL;
	t->expire_tick = 0;
}

static inline bool
lm_timer_armed(const struct lm_timer *t)
{
	return t->pprev != NULL;
}

/*
 * Arm (or re-arm) t to fire at expire_tsc or at most one tick later. A time
 * in the past fires on the next lm_wheel_expire() call; one more than
 * LM_TIMER_HORIZON ticks ahead, after that many.
 */
void lm_timer_arm(struct lm_wheel *w, struct lm_timer *t, uint64_t expire_tsc);

/* Disarm t; harmless when it is not armed. */
void lm_timer_cancel(struct lm_wheel *w, struct lm_timer *t);

/*
 * Fire the timers due at now_tsc, at most budget of them; each is disarmed
 * before cb runs, so cb may re-arm it or arm/cancel any other timer.
 * Returns the number fired.
 */
unsigned lm_wheel_expire(struct lm_wheel *w, uint64_t now_tsc, unsigned budget,
			 lm_timer_cb cb, void *ctx);

#endif /* LM_TIMER_WHEEL_H */
