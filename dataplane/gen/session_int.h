/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the files of the scenario runner share: session.c (users, runs,
 * HTTP steps) and raw_tcp.c (connect, send, expect, close steps).
 */
#ifndef LM_SESSION_INT_H
#define LM_SESSION_INT_H

#include "worker.h"
#include "gen/session.h"
#include "tcp/tcp.h"

/* session.pending: 0 nothing yet, LM_PENDING_OK, or an lm_err + 1 */
#define LM_PENDING_OK 0xff

static inline int
pending_err(const struct lm_session *s)
{
	return s->pending == LM_PENDING_OK ? -1 : s->pending - 1;
}

static inline const struct lm_step *
cur_step(const struct lm_worker *w, const struct lm_session *s)
{
	return &w->plan->scenarios[s->scen].steps[s->step];
}

static inline struct lm_step_stats *
cur_stats(struct lm_worker *w, const struct lm_session *s)
{
	return &w->stats.steps[w->gen.step_base[s->scen] + s->step];
}

/* The connection of s, or NULL. */
static inline struct lm_tcb *
sess_tcb(const struct lm_worker *w, const struct lm_session *s)
{
	return lm_tcb_deref(&w->tcp, s->tcb);
}

static inline void
sess_set_tcb(const struct lm_worker *w, struct lm_session *s,
	     const struct lm_tcb *tcb)
{
	s->tcb = lm_tcb_ref(&w->tcp, tcb);
}

/* The flight of s: only while a step waits on the connection (s->fl != 0). */
static inline struct lm_flight *
sess_fl(const struct lm_worker *w, const struct lm_session *s)
{
	return &w->gen.flights[s->fl - 1];
}

/* A session as a list link (lm_session.ready_next) and back. */
static inline uint32_t
sess_link(const struct lm_gen *g, const struct lm_session *s)
{
	return s == NULL ? 0 : (uint32_t)(s - g->sessions) + 1;
}

static inline struct lm_session *
sess_unlink(const struct lm_gen *g, uint32_t link)
{
	return link == 0 ? NULL : &g->sessions[link - 1];
}

/* The global index of the user s is. */
static inline uint32_t
sess_user(const struct lm_worker *w, const struct lm_session *s)
{
	return w->gen.first_user + (uint32_t)(s - w->gen.sessions);
}

static inline uint8_t *
sess_buf(const struct lm_worker *w, const struct lm_session *s)
{
	return w->gen.bufs + (size_t)(s - w->gen.sessions) * w->gen.buf_size;
}

static inline void *
sess_store(const struct lm_worker *w, const struct lm_session *s)
{
	return w->gen.stores + (size_t)(s - w->gen.sessions) * w->gen.store_size;
}

/* The loop frames of s (the plan has loops). */
static inline struct lm_loop_frame *
sess_loops(const struct lm_worker *w, const struct lm_session *s)
{
	return w->gen.loops + (size_t)(s - w->gen.sessions) * LM_LOOP_DEPTH;
}

/* The expect matcher of s (the plan has expect steps). */
static inline struct lm_sess_raw *
sess_raw(const struct lm_worker *w, const struct lm_session *s)
{
	return &w->gen.raws[s - w->gen.sessions];
}

/* No expect step armed or met ahead of its turn. */
static inline void
sess_raw_reset(const struct lm_worker *w, struct lm_session *s)
{
	s->armed = -1;
	if (w->gen.raws != NULL)
		sess_raw(w, s)->met_count = 0;
}

/* Open model: how late s started (TSC); its latencies count from when it was due. */
static inline uint64_t
sess_lag(const struct lm_worker *w, const struct lm_session *s)
{
	return w->gen.lags != NULL ? w->gen.lags[s - w->gen.sessions] : 0;
}

static inline uint64_t
tsc_to_ns(const struct lm_worker *w, uint64_t d)
{
	/* split to keep the product in 64 bits for intervals of hours */
	return d / w->hz * 1000000000u + d % w->hz * 1000000000u / w->hz;
}

/* Put s on the ready list: the application phase advances it. */
void lm_sess_ready(struct lm_worker *w, struct lm_session *s);
/* Let the connection go: gracefully (the scenario's close mode), or reset. */
void lm_sess_conn_drop(struct lm_worker *w, struct lm_session *s, bool graceful);
/* The current step is over: err < 0 ok, else the reason it failed. */
void lm_sess_step_end(struct lm_worker *w, struct lm_session *s, int err);
/* Open a connection for the current step (to ip:port, network order). */
/* Connect s to the next of the plan target's addresses and ports. */
void lm_sess_connect_target(struct lm_worker *w, struct lm_session *s);
int lm_sess_connect(struct lm_worker *w, struct lm_session *s, uint32_t ip,
		    uint16_t port);

/* The template environment of s for one rendering (draws seq and rng). */
void lm_sess_tmpl_env(struct lm_worker *w, struct lm_session *s,
		      struct lm_tmpl_env *env, uint64_t *rng);

/* flight.c: the pool of flights */
int lm_flight_pool_init(struct lm_worker *w, uint32_t n_users);
/*
 * Lend s a flight for the step it starts; false when none is free: s then
 * waits for one (lm_flight_put readies it).
 */
bool lm_flight_take(struct lm_worker *w, struct lm_session *s);
/* The step of s is over: its flight goes to the first one waiting. */
void lm_flight_put(struct lm_worker *w, struct lm_session *s);

/* user_arrays.c: what only some plans need, per user (after lm_raw_init) */
int lm_user_arrays_init(struct lm_worker *w, uint32_t n_users);
void lm_user_arrays_fini(struct lm_worker *w);

/* raw_tcp.c */
void lm_raw_step_start(struct lm_worker *w, struct lm_session *s);
void lm_raw_recv(struct lm_worker *w, struct lm_session *s,
		 const uint8_t *data, uint32_t len);
void lm_raw_fill(struct lm_worker *w, struct lm_session *s, uint32_t rel,
		 uint8_t *dst, uint32_t len);
/* Arm the matcher of the next step when it is an expect step. */
void lm_raw_arm_next(struct lm_worker *w, struct lm_session *s);
/* Plan-load time tables (KMP) and buffer size needed by raw steps. */
int lm_raw_init(struct lm_worker *w);
void lm_raw_fini(struct lm_worker *w);

#endif /* LM_SESSION_INT_H */
