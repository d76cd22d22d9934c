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
#include <stddef.h>
#include <stdint.h>

#define LM_WHEEL_BITS 12
#define LM_WHEEL_SLOTS (1u << LM_WHEEL_BITS)

/*
 * Embedded in every TCB and session, so kept to 16 bytes: links are 32-bit
 * references instead of pointers, the expiry tick has 56 bits (compared
 * modulo 2^56; no timer is armed further than 2^55 ticks ahead, centuries
 * at the worker's tick) and the owner's tag 3 (5 bits spare).
 *
 * Every timer lives in a pool the wheel knows (lm_wheel_register): one
 * array per tag. A reference names a timer by its tag (the top
 * LM_TIMER_REF_TYPE_BITS bits, never 0) and its distance from the pool's
 * first timer in LM_TIMER_REF_UNIT-byte units, plus one: a pointer to it
 * and back is a shift and an add. With the top bits 0 a reference names a
 * list head of the wheel (head number plus one: the heads are pool 0); 0
 * names nothing.
 */
#define LM_TIMER_TICK_BITS 56
#define LM_TIMER_TICK_MASK ((UINT64_C(1) << LM_TIMER_TICK_BITS) - 1)
#define LM_TIMER_HORIZON ((UINT64_C(1) << (LM_TIMER_TICK_BITS - 1)) - 1)

#define LM_TIMER_REF_TYPE_BITS 3
#define LM_TIMER_REF_INDEX_BITS (32 - LM_TIMER_REF_TYPE_BITS)
#define LM_TIMER_REF_INDEX_MASK ((UINT32_C(1) << LM_TIMER_REF_INDEX_BITS) - 1)
#define LM_TIMER_REF_UNIT_SHIFT 2   /* a head's size: the heads are a pool */
#define LM_TIMER_REF_UNIT (1u << LM_TIMER_REF_UNIT_SHIFT)
/* tags that can have a pool: 1 .. LM_WHEEL_TYPES - 1 */
#define LM_WHEEL_TYPES (1u << LM_TIMER_REF_TYPE_BITS)
/*
 * The bytes a pool may span (count * stride): 2 GiB, 14 M TCBs of 152
 * bytes on one worker (tools/scale holds 4 M).
 */
#define LM_WHEEL_POOL_BYTES ((uint64_t)LM_TIMER_REF_INDEX_MASK * LM_TIMER_REF_UNIT)

/*
 * next comes first: a reference to a timer points where a head's would,
 * at the word that names what follows (timer_wheel.c). The tag has only
 * the bits a reference has for it, so it always names a pool.
 */
struct lm_timer {
	uint32_t next;             /* the next timer's reference, 0: last */
	uint32_t prev;             /* the previous timer's or the head's, 0: not armed */
	uint64_t expire_tick : LM_TIMER_TICK_BITS; /* modulo 2^56 */
	uint64_t type : LM_TIMER_REF_TYPE_BITS;    /* owner's tag: its pool and container */
	uint64_t : 8 - LM_TIMER_REF_TYPE_BITS;
};

_Static_assert(sizeof(struct lm_timer) == 16, "struct lm_timer grew");

/* List heads: a slot per level and slot, and the expire walk's own. */
#define LM_WHEEL_HEADS (3 * LM_WHEEL_SLOTS + 1)

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
	/*
	 * Per tag, the address LM_TIMER_REF_UNIT bytes before its pool's
	 * first timer (index 1 is the first). Pool 0 is heads[], so a wheel
	 * must not move once initialised.
	 */
	uintptr_t pool_base[LM_WHEEL_TYPES];
	/*
	 * References of the first timers: the next 2^12 ticks, then by
	 * 2^12-tick block, then by 2^24-tick block, then the list that
	 * lm_wheel_expire() is walking.
	 */
	uint32_t heads[LM_WHEEL_HEADS];
};

typedef void (*lm_timer_cb)(void *ctx, struct lm_timer *t);

/* Also forgets every pool: register them after. w must not move after. */
void lm_wheel_init(struct lm_wheel *w, uint64_t now_tsc, unsigned tick_shift);

/*
 * Make the count elements spaced stride bytes apart whose first timer is
 * first the pool of the timers tagged type (replacing any earlier pool of
 * that tag, which must have no timer armed). Every timer armed on w must
 * be in a pool, with its tag set. Returns 0, -EINVAL (type not in 1 ..
 * LM_WHEEL_TYPES - 1, a stride smaller than a timer or not a multiple of
 * LM_TIMER_REF_UNIT) or -E2BIG (count * stride above LM_WHEEL_POOL_BYTES).
 */
int lm_wheel_register(struct lm_wheel *w, unsigned type,
		      const struct lm_timer *first, size_t stride,
		      uint32_t count);

static inline void
lm_timer_init(struct lm_timer *t)
{
	t->next = 0;
	t->prev = 0;
	t->expire_tick = 0;
}

static inline bool
lm_timer_armed(const struct lm_timer *t)
{
	return t->prev != 0;
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
 * before cb runs, so cb may re-arm it or arm/cancel any other timer (but
 * not call lm_wheel_expire on w). Returns the number fired.
 */
unsigned lm_wheel_expire(struct lm_wheel *w, uint64_t now_tsc, unsigned budget,
			 lm_timer_cb cb, void *ctx);

#endif /* LM_TIMER_WHEEL_H */
