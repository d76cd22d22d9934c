/* SPDX-License-Identifier: BSD-3-Clause */
/* Leak accounting in the report (see pools_report.h). */
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "pools_report.h"

/* enum lm_tcp_state, as RFC 9293 names the states */
static const char *const tcp_states[LM_CENSUS_TCP_STATES] = {
	"CLOSED", "LISTEN", "SYN-SENT", "SYN-RECEIVED", "ESTABLISHED",
	"FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT", "CLOSING", "LAST-ACK",
	"TIME-WAIT",
};

struct held_list {
	struct lm_held *out;
	uint32_t n;
	uint32_t max;
	const char *pool;
	uint64_t left;              /* of the pool's excess, not yet explained */
};

static uint64_t
excess(uint64_t start, uint64_t end)
{
	return end > start ? end - start : 0;
}

static void
held_begin(struct held_list *h, const char *pool, uint64_t n)
{
	h->pool = pool;
	h->left = n;
}

/* Up to found of what is left is explained by why. */
static void
held_cause(struct held_list *h, uint64_t found, const char *fmt, ...)
{
	uint64_t n = found < h->left ? found : h->left;
	struct lm_held *e;
	va_list ap;

	if (n == 0 || h->n == h->max)
		return;
	e = &h->out[h->n++];
	e->pool = h->pool;
	e->count = n;
	va_start(ap, fmt);
	vsnprintf(e->why, sizeof(e->why), fmt, ap);
	va_end(ap);
	h->left -= n;
}

/* What no cause explained. */
static void
held_end(struct held_list *h, const char *why)
{
	held_cause(h, h->left, "%s", why);
}

static uint64_t
mbufs_in_use(const struct lm_pool_counters *p, uint64_t free_count)
{
	return p->mbufs > free_count ? p->mbufs - free_count : 0;
}

uint32_t
lm_pools_held(const struct lm_pool_counters *p, struct lm_held *out,
	      uint32_t max)
{
	struct held_list h = { .out = out, .max = max };
	const struct lm_census *s = &p->start, *e = &p->end;

	held_begin(&h, "mbufs", excess(mbufs_in_use(p, p->mbufs_free_start),
				       mbufs_in_use(p, p->mbufs_free_end)));
	if (p->census) {
		held_cause(&h, e->mbufs_ooo, "in out-of-order queues");
		held_cause(&h, e->mbufs_impair, "held back by the fault injector");
		held_cause(&h, e->mbufs_handoff, "in the rings between workers");
		held_cause(&h, e->mbufs_tx, "in TX queues not flushed");
	}
	held_end(&h, "in no queue of the workers: lost (or kept by the port's driver)");
	if (!p->census) {
		held_begin(&h, "tcbs", p->tcbs_in_use_end);
		held_end(&h, "not back in the pool");
		held_begin(&h, "users", p->users_active_end);
		held_end(&h, "still running");
		return h.n;
	}
	held_begin(&h, "tcbs", excess(s->tcbs_used, e->tcbs_used));
	for (int i = LM_CENSUS_TCP_STATES - 1; i > 0; i--)
		held_cause(&h, e->tcb_state[i], "in %s", tcp_states[i]);
	held_end(&h, "off the free list in no state: lost");
	held_begin(&h, "tcbs", e->tcbs_orphaned);
	held_end(&h, "orphaned: open with no application and no timer at the quit (released then)");
	held_begin(&h, "users", excess(s->users_active, e->users_active));
	held_end(&h, "still running (never stopped)");
	held_begin(&h, "flights", excess(s->flights_used, e->flights_used));
	held_cause(&h, e->flights_in_steps, "lent to users still in a step");
	held_end(&h, "lent to no user: lost");
	held_begin(&h, "ooo_states", excess(s->ooo_states_used, e->ooo_states_used));
	held_cause(&h, e->ooo_states_in_tcbs, "lent to connections still open");
	held_end(&h, "lent to no connection: lost");
	held_begin(&h, "ooo_segments",
		   excess(s->ooo_segments_used, e->ooo_segments_used));
	held_cause(&h, e->ooo_segments_in_states, "in out-of-order queues");
	held_end(&h, "in no queue: lost");
	held_begin(&h, "server_states", excess(s->srv_states_used, e->srv_states_used));
	held_cause(&h, e->srv_states_ready, "on a server's ready list");
	held_cause(&h, e->srv_states_in_conns, "lent to connections still open");
	held_end(&h, "lent to no connection: lost");
	held_begin(&h, "echo_buffers", excess(s->echo_bufs_used, e->echo_bufs_used));
	held_cause(&h, e->echo_bufs_in_states, "lent to server states");
	held_end(&h, "lent to no server state: lost");
	held_begin(&h, "timers", excess(s->timers_armed, e->timers_armed));
	held_cause(&h, e->timers_tcbs, "armed in TCBs");
	held_cause(&h, e->timers_users, "armed for users (think or step timeout)");
	held_cause(&h, e->timers_srv_states, "armed for server states (delayed responses)");
	held_end(&h, "armed in nothing the census knows: lost");
	return h.n;
}

static json_t *
level_json(uint64_t size, uint64_t start, uint64_t end)
{
	return json_pack("{s:I, s:I, s:I}", "size", (json_int_t)size,
			 "in_use_start", (json_int_t)start,
			 "in_use_end", (json_int_t)end);
}

json_t *
lm_pools_json(const struct lm_pool_counters *p)
{
	struct lm_held held[LM_HELD_MAX];
	uint32_t n = lm_pools_held(p, held, LM_HELD_MAX);
	const struct lm_census *s = &p->start, *e = &p->end;
	json_t *root, *list = json_array();

	for (uint32_t i = 0; i < n; i++)
		json_array_append_new(list, json_pack("{s:s, s:I, s:s}",
			"pool", held[i].pool, "count", (json_int_t)held[i].count,
			"why", held[i].why));
	root = json_pack("{s:b, s:{s:I, s:I, s:I, s:I, s:I, s:I}, s:o}",
		"back", n == 0,
		"mbufs", "size", (json_int_t)p->mbufs,
		"free_start", (json_int_t)p->mbufs_free_start,
		"free_end", (json_int_t)p->mbufs_free_end,
		"in_use_start", (json_int_t)mbufs_in_use(p, p->mbufs_free_start),
		"in_use_end", (json_int_t)mbufs_in_use(p, p->mbufs_free_end),
		"dropped_at_end", (json_int_t)p->mbufs_dropped_end,
		"still_held", list);
	if (!p->census) {
		json_object_set_new(root, "tcbs", json_pack("{s:I, s:I}",
			"size", (json_int_t)p->tcbs,
			"in_use_end", (json_int_t)p->tcbs_in_use_end));
		json_object_set_new(root, "users", json_pack("{s:I, s:I}",
			"size", (json_int_t)p->users,
			"active_end", (json_int_t)p->users_active_end));
		return root;
	}
	json_object_set_new(root, "tcbs", level_json(e->tcbs, s->tcbs_used,
						     e->tcbs_used));
	json_object_set_new(json_object_get(root, "tcbs"), "orphaned_end",
			    json_integer((json_int_t)e->tcbs_orphaned));
	json_object_set_new(root, "users", json_pack("{s:I, s:I, s:I}",
		"size", (json_int_t)e->users,
		"active_start", (json_int_t)s->users_active,
		"active_end", (json_int_t)e->users_active));
	json_object_set_new(root, "flights", level_json(e->flights,
		s->flights_used, e->flights_used));
	json_object_set_new(root, "ooo_states", level_json(e->ooo_states,
		s->ooo_states_used, e->ooo_states_used));
	json_object_set_new(root, "ooo_segments", level_json(e->ooo_segments,
		s->ooo_segments_used, e->ooo_segments_used));
	json_object_set_new(root, "server_states", level_json(e->srv_states,
		s->srv_states_used, e->srv_states_used));
	json_object_set_new(root, "echo_buffers", level_json(e->echo_bufs,
		s->echo_bufs_used, e->echo_bufs_used));
	json_object_set_new(root, "timers", json_pack("{s:I, s:I}",
		"armed_start", (json_int_t)s->timers_armed,
		"armed_end", (json_int_t)e->timers_armed));
	return root;
}

void
lm_pools_text(FILE *f, const struct lm_pool_counters *p)
{
	struct lm_held held[LM_HELD_MAX];
	uint32_t n = lm_pools_held(p, held, LM_HELD_MAX);

	if (n == 0) {
		fprintf(f, "pools: every pool back at its starting level\n");
		return;
	}
	fprintf(f, "pools: still held at the end:\n");
	for (uint32_t i = 0; i < n; i++)
		fprintf(f, "  %s: %" PRIu64 " %s\n", held[i].pool, held[i].count,
			held[i].why);
}

uint32_t
lm_pools_live(const struct lm_view *v, struct lm_pool_gauge *out)
{
	uint32_t n = 0;

	if (v->pools.mbufs > 0)
		out[n++] = (struct lm_pool_gauge){ "mbufs",
			mbufs_in_use(&v->pools, v->pools.mbufs_free_end) };
	out[n++] = (struct lm_pool_gauge){ "tcbs", v->w.conns_active };
	out[n++] = (struct lm_pool_gauge){ "flights", v->w.flights_in_use };
	out[n++] = (struct lm_pool_gauge){ "ooo_states", v->w.ooo_states_in_use };
	out[n++] = (struct lm_pool_gauge){ "ooo_segments", v->w.ooo_segments_held };
	out[n++] = (struct lm_pool_gauge){ "server_states", v->w.srv_states_in_use };
	out[n++] = (struct lm_pool_gauge){ "timers", v->w.timers_armed };
	return n;
}
