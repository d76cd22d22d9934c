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
 * Levels. slots[] holds the timers due within LM_WHEEL_SLOTS ticks of
 * cur_tick, far[] those within LM_WHEEL_SLOTS blocks of LM_WHEEL_SLOTS
 * ticks (by block), farther[] the rest (by block of LM_WHEEL_SLOTS^2
 * ticks; beyond its reach a timer goes round it again). When the wheel
 * enters a block, that block's far[] slot is emptied into the levels below
 * (and at a farther[] block's start, that slot first), so a first-level
 * slot holds only timers due at its tick.
 */
#include <stddef.h>

#include "util/timer_wheel.h"

#define WHEEL_MASK (LM_WHEEL_SLOTS - 1)

void
lm_wheel_init(struct lm_wheel *w, uint64_t now_tsc, unsigned tick_shift)
{
	uint32_t i;

	w->cur_tick = now_tsc >> tick_shift;
	w->tick_shift = tick_shift;
	w->n_armed = 0;
	for (i = 0; i < LM_WHEEL_SLOTS; i++) {
		w->slots[i] = NULL;
		w->far[i] = NULL;
		w->farther[i] = NULL;
	}
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

static inline void
wheel_link(struct lm_timer **head, struct lm_timer *t)
{
	t->next = *head;
	if (t->next != NULL)
		t->next->pprev = &t->next;
	*head = t;
	t->pprev = head;
}

static inline void
wheel_unlink(struct lm_timer *t)
{
	*t->pprev = t->next;
	if (t->next != NULL)
		t->next->pprev = t->pprev;
	t->next = NULL;
	t->pprev = NULL;
}

/*
 * The slot for a timer due at tick, seen from tick 'base' (<= tick): the
 * finest level whose slots still tell it apart from base's.
 */
static inline struct lm_timer **
wheel_slot(struct lm_wheel *w, uint64_t base, uint64_t tick)
{
	if (tick - base < LM_WHEEL_SLOTS)
		return &w->slots[tick & WHEEL_MASK];
	if ((tick >> LM_WHEEL_BITS) - (base >> LM_WHEEL_BITS) < LM_WHEEL_SLOTS)
		return &w->far[(tick >> LM_WHEEL_BITS) & WHEEL_MASK];
	return &w->farther[(tick >> (2 * LM_WHEEL_BITS)) & WHEEL_MASK];
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
	wheel_link(wheel_slot(w, w->cur_tick, tick), t);
	w->n_armed++;
}

/* The full expiry tick of t, which lies within the horizon after base. */
static inline uint64_t
timer_tick(const struct lm_timer *t, uint64_t base)
{
	return base + ((t->expire_tick - base) & LM_TIMER_TICK_MASK);
}

/*
 * The wheel enters the block that starts at tick b: move the timers of
 * that block's coarse slot down to where they belong now.
 */
static void
wheel_cascade(struct lm_wheel *w, struct lm_timer **slot, uint64_t b)
{
	struct lm_timer *t = *slot;

	*slot = NULL;
	while (t != NULL) {
		struct lm_timer *next = t->next;
		/* one due before b (it waited since before b) belongs at b */
		uint64_t tick = tick_later(t->expire_tick, b) ?
			timer_tick(t, b) : b;

		wheel_link(wheel_slot(w, b, tick), t);
		t = next;
	}
}

/*
 * After a gap longer than the second level's reach: every timer of every
 * level to where it belongs seen from tick b (one due before b at b).
 */
static void
wheel_rehash(struct lm_wheel *w, uint64_t b)
{
	struct lm_timer *all = NULL, **levels[3] = { w->slots, w->far, w->farther };

	for (int l = 0; l < 3; l++) {
		for (uint32_t i = 0; i < LM_WHEEL_SLOTS; i++) {
			struct lm_timer *t = levels[l][i];

			levels[l][i] = NULL;
			while (t != NULL) {
				struct lm_timer *next = t->next;

				t->next = all;
				all = t;
				t = next;
			}
		}
	}
	while (all != NULL) {
		struct lm_timer *t = all;
		uint64_t tick = tick_later(t->expire_tick, b) ?
			timer_tick(t, b) : b;

		all = t->next;
		wheel_link(wheel_slot(w, b, tick), t);
	}
}

/* What the start of tick b moves down, if b starts a block. */
static inline void
wheel_enter(struct lm_wheel *w, uint64_t b)
{
	if ((b & WHEEL_MASK) != 0)
		return;
	if (((b >> LM_WHEEL_BITS) & WHEEL_MASK) == 0)
		wheel_cascade(w, &w->farther[(b >> (2 * LM_WHEEL_BITS)) &
					     WHEEL_MASK], b);
	wheel_cascade(w, &w->far[(b >> LM_WHEEL_BITS) & WHEEL_MASK], b);
}

void
lm_timer_cancel(struct lm_wheel *w, struct lm_timer *t)
{
	if (!lm_timer_armed(t))
		return;
	wheel_unlink(t);
	w->n_armed--;
}

/*
 * Put a detached list back at the head of its slot. Walks the list to find
 * its tail; this happens at most once per expire call (budget exhausted).
 */
static void
wheel_splice(struct lm_timer **slot, struct lm_timer *list)
{
	struct lm_timer *tail = list;

	while (tail->next != NULL)
		tail = tail->next;
	tail->next = *slot;
	if (tail->next != NULL)
		tail->next->pprev = &tail->next;
	*slot = list;
	list->pprev = slot;
}

/*
 * Fire the due timers of one slot for tick 'tick', at most 'budget'.
 * Returns the number fired; *done is false when the budget ran out before
 * every due timer of the slot had been seen.
 *
 * The slot is detached onto a local list first, so callbacks can change
 * anything: a timer they cancel or re-arm is unlinked from the local list
 * through its pprev like from any slot, and a timer they arm into this
 * slot goes to the real slot, out of the way of this walk. Not-due timers
 * (later revolutions) go back to the real slot as they are met.
 */
static unsigned
wheel_run_slot(struct lm_wheel *w, uint64_t tick, unsigned budget,
	       lm_timer_cb cb, void *ctx, bool *done)
{
	struct lm_timer **slot = &w->slots[tick & WHEEL_MASK];
	struct lm_timer *pending = *slot;
	struct lm_timer *t;
	unsigned fired = 0;

	*done = true;
	if (pending == NULL)
		return 0;
	*slot = NULL;
	pending->pprev = &pending;

	while (pending != NULL) {
		t = pending;
		if (tick_later(t->expire_tick, tick)) {
			wheel_unlink(t);
			wheel_link(slot, t);
			continue;
		}
		if (fired == budget) {
			wheel_splice(slot, pending);
			*done = false;
			return fired;
		}
		wheel_unlink(t);
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
