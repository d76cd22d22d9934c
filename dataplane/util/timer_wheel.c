/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hashed timer wheel. See timer_wheel.h for the contract.
 *
 * Ticks. A timer's expire_tick is its expiry time rounded UP to a tick, and
 * a tick is processed once now_tsc has reached its start. So a timer fires
 * no earlier than its expiry and at most one tick after it.
 *
 * cur_tick. The tick of the latest expire call. Every tick before it has
 * been processed; cur_tick itself has been processed too but is visited
 * again by every call, because timers can still be armed for it (a time in
 * the past is armed for cur_tick) and they must fire on the next call, not
 * one revolution later.
 *
 * Levels. The first level's slots hold the timers due within
 * LM_WHEEL_SLOTS ticks of cur_tick, the second's those within
 * LM_WHEEL_SLOTS blocks of LM_WHEEL_SLOTS ticks (by block), the third's
 * the rest (by block of LM_WHEEL_SLOTS^2 ticks; beyond its reach a timer
 * goes round it again). When the wheel enters a block, that block's
 * second-level slot is emptied into the levels below (and at a third-level
 * block's start, that slot first), so a first-level slot holds only timers
 * due at its tick.
 *
 * Links. Each slot is a doubly linked list of references (timer_wheel.h):
 * a timer's prev is the previous timer's reference, or its head's when it
 * is first. The heads are pool 0, and a timer's next is at its start, so
 * a prev names the word that holds the reference of the timer after it,
 * whichever it is: unlinking does not branch on it. A reference becomes a
 * pointer (ref_addr) and back (timer_ref) by a shift and an add: no
 * multiply or division on the way, and half the bytes of two pointers.
 */
#include <errno.h>
#include <stddef.h>

#include "util/timer_wheel.h"

#define WHEEL_MASK (LM_WHEEL_SLOTS - 1)

/* Head numbers: the three levels' slots, then the expire walk's list. */
#define HEAD_SLOTS 0
#define HEAD_FAR LM_WHEEL_SLOTS
#define HEAD_FARTHER (2 * LM_WHEEL_SLOTS)
#define HEAD_PENDING (3 * LM_WHEEL_SLOTS)

_Static_assert(LM_WHEEL_HEADS <= LM_TIMER_REF_INDEX_MASK,
	       "a head's reference must leave the tag bits 0");
_Static_assert(offsetof(struct lm_timer, next) == 0,
	       "a timer's next must be where a reference to it points, as a head's");

void
lm_wheel_init(struct lm_wheel *w, uint64_t now_tsc, unsigned tick_shift)
{
	uint32_t i;

	w->cur_tick = now_tsc >> tick_shift;
	w->tick_shift = tick_shift;
	w->n_armed = 0;
	for (i = 0; i < LM_WHEEL_TYPES; i++)
		w->pool_base[i] = 0;
	for (i = 0; i < LM_WHEEL_HEADS; i++)
		w->heads[i] = 0;
	/* head h's reference is h + 1, like a pool's */
	w->pool_base[0] = (uintptr_t)w->heads - LM_TIMER_REF_UNIT;
}

int
lm_wheel_register(struct lm_wheel *w, unsigned type,
		  const struct lm_timer *first, size_t stride, uint32_t count)
{
	if (type == 0 || type >= LM_WHEEL_TYPES ||
	    stride < sizeof(struct lm_timer) || stride % LM_TIMER_REF_UNIT != 0)
		return -EINVAL;
	if ((uint64_t)count * stride > LM_WHEEL_POOL_BYTES)
		return -E2BIG;
	w->pool_base[type] = (uintptr_t)first - LM_TIMER_REF_UNIT;
	return 0;
}

/* What ref names: a timer, or a head (the word that its next would be). */
static inline uintptr_t
ref_addr(const struct lm_wheel *w, uint32_t ref)
{
	return w->pool_base[ref >> LM_TIMER_REF_INDEX_BITS] +
		((uintptr_t)(ref & LM_TIMER_REF_INDEX_MASK) <<
		 LM_TIMER_REF_UNIT_SHIFT);
}

/* The timer that ref (a timer's, not a head's) names. */
static inline struct lm_timer *
timer_at(const struct lm_wheel *w, uint32_t ref)
{
	return (struct lm_timer *)ref_addr(w, ref);
}

/* The word naming what follows the timer or head that ref names. */
static inline uint32_t *
next_of(const struct lm_wheel *w, uint32_t ref)
{
	return (uint32_t *)ref_addr(w, ref);
}

/* The reference of t, from its tag and its offset in the pool. */
static inline uint32_t
timer_ref(const struct lm_wheel *w, const struct lm_timer *t)
{
	uintptr_t off = (uintptr_t)t - w->pool_base[t->type];

	return (uint32_t)t->type << LM_TIMER_REF_INDEX_BITS |
		(uint32_t)(off >> LM_TIMER_REF_UNIT_SHIFT);
}

/* Round up, without the overflow of (tsc + tick - 1) near UINT64_MAX. */
static inline uint64_t
wheel_tick_ceil(const struct lm_wheel *w, uint64_t tsc)
{
	uint64_t frac = tsc & ((UINT64_C(1) << w->tick_shift) - 1);

	return (tsc >> w->tick_shift) + (frac != 0);
}

/* Whether expiry tick e (56 bits) is after tick, modulo 2^56. */
static inline bool
tick_later(uint64_t e, uint64_t tick)
{
	uint64_t d = (e - tick) & LM_TIMER_TICK_MASK;

	return d != 0 && d <= LM_TIMER_HORIZON;
}

/* Put t, whose reference is ref, first in the list of head h. */
static inline void
wheel_link(struct lm_wheel *w, uint32_t h, struct lm_timer *t, uint32_t ref)
{
	uint32_t first = w->heads[h];

	t->next = first;
	if (first != 0)
		timer_at(w, first)->prev = ref;
	w->heads[h] = ref;
	t->prev = h + 1;
}

static inline void
wheel_unlink(struct lm_wheel *w, struct lm_timer *t)
{
	*next_of(w, t->prev) = t->next;
	if (t->next != 0)
		timer_at(w, t->next)->prev = t->prev;
	t->next = 0;
	t->prev = 0;
}

/*
 * The head of the slot for a timer due at tick, seen from tick 'base'
 * (<= tick): the finest level whose slots still tell it apart from base's.
 */
static inline uint32_t
wheel_slot(uint64_t base, uint64_t tick)
{
	if (tick - base < LM_WHEEL_SLOTS)
		return HEAD_SLOTS + (tick & WHEEL_MASK);
	if ((tick >> LM_WHEEL_BITS) - (base >> LM_WHEEL_BITS) < LM_WHEEL_SLOTS)
		return HEAD_FAR + ((tick >> LM_WHEEL_BITS) & WHEEL_MASK);
	return HEAD_FARTHER + ((tick >> (2 * LM_WHEEL_BITS)) & WHEEL_MASK);
}

void
lm_timer_arm(struct lm_wheel *w, struct lm_timer *t, uint64_t expire_tsc)
{
	uint64_t tick = wheel_tick_ceil(w, expire_tsc);

	if (lm_timer_armed(t))
		lm_timer_cancel(w, t);
	/*
	 * Ticks before cur_tick will not be visited again before a full
	 * revolution; cur_tick's slot is visited by the next call.
	 */
	if (tick < w->cur_tick)
		tick = w->cur_tick;
	if (tick - w->cur_tick > LM_TIMER_HORIZON)
		tick = w->cur_tick + LM_TIMER_HORIZON;
	t->expire_tick = tick & LM_TIMER_TICK_MASK;
	wheel_link(w, wheel_slot(w->cur_tick, tick), t, timer_ref(w, t));
	w->n_armed++;
}

/* The full expiry tick of t, which lies within the horizon after base. */
static inline uint64_t
timer_tick(const struct lm_timer *t, uint64_t base)
{
	return base + ((t->expire_tick - base) & LM_TIMER_TICK_MASK);
}

/* Where t belongs seen from tick b: one due before b belongs at b. */
static inline uint32_t
wheel_slot_from(const struct lm_timer *t, uint64_t b)
{
	return wheel_slot(b, tick_later(t->expire_tick, b) ?
			  timer_tick(t, b) : b);
}

/*
 * The wheel enters the block that starts at tick b: move the timers of
 * that block's coarse slot (head h) down to where they belong now.
 */
static void
wheel_cascade(struct lm_wheel *w, uint32_t h, uint64_t b)
{
	uint32_t ref = w->heads[h];

	w->heads[h] = 0;
	while (ref != 0) {
		struct lm_timer *t = timer_at(w, ref);
		uint32_t next = t->next;

		wheel_link(w, wheel_slot_from(t, b), t, ref);
		ref = next;
	}
}

/*
 * After a gap longer than the second level's reach: every timer of every
 * level to where it belongs seen from tick b. They are gathered on one
 * list first: relinking as they are met could put one back in a slot not
 * yet visited, and visit it twice.
 */
static void
wheel_rehash(struct lm_wheel *w, uint64_t b)
{
	uint32_t all = 0;

	for (uint32_t h = 0; h < HEAD_PENDING; h++) {
		uint32_t ref = w->heads[h];

		w->heads[h] = 0;
		while (ref != 0) {
			struct lm_timer *t = timer_at(w, ref);
			uint32_t next = t->next;

			t->next = all;
			all = ref;
			ref = next;
		}
	}
	while (all != 0) {
		uint32_t ref = all;
		struct lm_timer *t = timer_at(w, ref);

		all = t->next;
		wheel_link(w, wheel_slot_from(t, b), t, ref);
	}
}

/* What the start of tick b moves down, if b starts a block. */
static inline void
wheel_enter(struct lm_wheel *w, uint64_t b)
{
	if ((b & WHEEL_MASK) != 0)
		return;
	if (((b >> LM_WHEEL_BITS) & WHEEL_MASK) == 0)
		wheel_cascade(w, HEAD_FARTHER +
			      ((b >> (2 * LM_WHEEL_BITS)) & WHEEL_MASK), b);
	wheel_cascade(w, HEAD_FAR + ((b >> LM_WHEEL_BITS) & WHEEL_MASK), b);
}

void
lm_timer_cancel(struct lm_wheel *w, struct lm_timer *t)
{
	if (!lm_timer_armed(t))
		return;
	wheel_unlink(w, t);
	w->n_armed--;
}

/*
 * Put the expire walk's list back at the start of slot h. Walks the list
 * to find its tail; this happens at most once per expire call (budget
 * exhausted).
 */
static void
wheel_splice(struct lm_wheel *w, uint32_t h)
{
	uint32_t list = w->heads[HEAD_PENDING], tail = list;
	struct lm_timer *t = timer_at(w, tail);

	while (t->next != 0) {
		tail = t->next;
		t = timer_at(w, tail);
	}
	t->next = w->heads[h];
	if (t->next != 0)
		timer_at(w, t->next)->prev = tail;
	w->heads[h] = list;
	w->heads[HEAD_PENDING] = 0;
	timer_at(w, list)->prev = h + 1;
}

/*
 * Fire the due timers of one slot for tick 'tick', at most 'budget'.
 * Returns the number fired; *done is false when the budget ran out before
 * every due timer of the slot had been seen.
 *
 * The slot is moved to a list of its own first (head HEAD_PENDING), so
 * callbacks can change anything: a timer they cancel or re-arm is
 * unlinked from that list through its prev like from any slot, and a
 * timer they arm into this slot goes to the real slot, out of the way of
 * this walk. Not-due timers (later revolutions) go back to the real slot
 * as they are met.
 */
static unsigned
wheel_run_slot(struct lm_wheel *w, uint64_t tick, unsigned budget,
	       lm_timer_cb cb, void *ctx, bool *done)
{
	uint32_t h = HEAD_SLOTS + (tick & WHEEL_MASK);
	uint32_t ref = w->heads[h];
	struct lm_timer *t;
	unsigned fired = 0;

	*done = true;
	if (ref == 0)
		return 0;
	w->heads[h] = 0;
	w->heads[HEAD_PENDING] = ref;
	timer_at(w, ref)->prev = HEAD_PENDING + 1;

	while ((ref = w->heads[HEAD_PENDING]) != 0) {
		t = timer_at(w, ref);
		if (tick_later(t->expire_tick, tick)) {
			wheel_unlink(w, t);
			wheel_link(w, h, t, ref);
			continue;
		}
		if (fired == budget) {
			wheel_splice(w, h);
			*done = false;
			return fired;
		}
		wheel_unlink(w, t);
		w->n_armed--;
		fired++;
		cb(ctx, t);
	}
	return fired;
}

unsigned
lm_wheel_expire(struct lm_wheel *w, uint64_t now_tsc, unsigned budget,
		lm_timer_cb cb, void *ctx)
{
	uint64_t now_tick = now_tsc >> w->tick_shift;
	uint64_t start, tick;
	unsigned fired = 0;
	bool done;

	/* a clock that steps back must not rewind the wheel */
	if (now_tick < w->cur_tick)
		now_tick = w->cur_tick;
	/*
	 * After a long gap one revolution visits every slot once; a timer
	 * due at any skipped tick sits in one of them with expire_tick below
	 * the tick its slot is visited at, so it fires there.
	 */
	start = w->cur_tick;
	if (now_tick - start >= LM_WHEEL_SLOTS) {
		uint64_t end = now_tick - (LM_WHEEL_SLOTS - 1);

		if (end - start >= (uint64_t)LM_WHEEL_SLOTS * LM_WHEEL_SLOTS) {
			/* every block came round at least once: sort them all */
			wheel_rehash(w, end);
		} else {
			/* the blocks entered in the gap, each moved down in turn */
			for (uint64_t b = (start + WHEEL_MASK) &
				     ~(uint64_t)WHEEL_MASK; b <= end;
			     b += LM_WHEEL_SLOTS)
				wheel_enter(w, b);
		}
		start = end;
	}

	/*
	 * While callbacks run, arms clamp to now_tick: a slot at or before
	 * the one being walked will not be walked again in this call, and a
	 * timer armed there would wait a whole revolution. now_tick's slot
	 * is walked last, and again by the next call.
	 */
	w->cur_tick = now_tick;
	/* 'tick <= now_tick' as loop test would never end at UINT64_MAX */
	for (tick = start;; tick++) {
		/* entering a block again on a resumed tick finds nothing */
		wheel_enter(w, tick);
		fired += wheel_run_slot(w, tick, budget - fired, cb, ctx,
					&done);
		if (!done) {
			/* resume from this very slot next call */
			w->cur_tick = tick;
			return fired;
		}
		if (tick == now_tick)
			break;
	}
	return fired;
}
