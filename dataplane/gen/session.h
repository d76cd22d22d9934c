/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Users and their sessions (closed model): each user repeatedly picks a
 * scenario by weight and runs its steps over its own connection, kept alive
 * across runs. A session is a program counter (scenario, step), its
 * connection and the state of the request in flight.
 *
 * TCP callbacks only record what happened and put the session on the
 * worker's ready list; the application phase of the worker loop then
 * advances ready sessions. So no TCP call is ever made from inside TCP.
 */
#ifndef LM_SESSION_H
#define LM_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include <lm/stats.h>

#include "app/http_parse.h"
#include "app/template.h"
#include "gen/alias.h"
#include "util/timer_wheel.h"

struct lm_worker;
struct lm_tcb;

enum lm_sess_state {
	LM_SESS_READY = 0,   /* between steps: start the next one */
	LM_SESS_CONNECTING,  /* SYN sent for the current step */
	LM_SESS_AWAIT,       /* request sent, response not complete */
	LM_SESS_THINKING,    /* a think step's timer runs */
	LM_SESS_SENDING,     /* raw send: waiting for the bytes to be acknowledged */
	LM_SESS_EXPECTING,   /* raw expect: waiting for the bytes expected */
	LM_SESS_STOPPED,     /* the user has left (or its slot is free) */
};

/* Where a user is in its life: on_start steps, runs, on_stop steps. */
enum lm_sess_phase {
	LM_PHASE_START = 0,
	LM_PHASE_RUNS,
	LM_PHASE_STOP,
	LM_PHASE_DONE,
};

#define LM_LOOP_DEPTH 4

struct lm_loop_frame {
	uint16_t start;      /* first step of the body */
	uint16_t end;        /* step after the body */
	uint32_t left;       /* passes still to run, this one included */
};

/*
 * What a step needs while it waits on the connection (an HTTP exchange, a
 * raw connect, send or expect): the response parser, the captures in
 * progress and the step's timestamps. Lent from the worker's pool when
 * the step starts, given back when it ends, so a user thinking between
 * steps (or idle on its kept-alive connection) does not carry it.
 */
struct lm_flight {
	struct lm_flight *next_free;    /* in the pool */
	uint64_t t_connect;             /* TSC: SYN sent */
	uint64_t t_start;               /* TSC: request's first byte sent */
	uint64_t t_first;               /* TSC: response's first byte */
	uint32_t body_crc;              /* running CRC-32C of the response body */
	uint32_t req_off;               /* stream offset of the request's first byte */
	uint32_t req_len;               /* bytes of a rendered request in the user's buffer */
	struct lm_http_resp_parser resp;
	struct lm_capture_state cap;    /* the step's captures in progress */
};

/*
 * The matcher of a raw expect step, armed before the step starts (bytes
 * may come first): only for plans with expect steps, in a per-user array
 * beside the sessions (lm_gen.raws).
 */
struct lm_sess_raw {
	uint64_t exp_count;             /* bytes counted (expect bytes) */
	uint64_t t_armed;               /* TSC: when it was armed */
	uint16_t met_first;             /* expect steps satisfied before they started: */
	uint16_t met_count;             /* met_first .. met_first + met_count - 1 */
	uint16_t exp_match;             /* pattern bytes matched so far */
	bool exp_met;
};

/*
 * A user: 40 bytes (with its 16-byte timer) that every user carries, idle
 * or not; links are 32-bit indices into the worker's pools, flags are
 * bits. What only some plans need lives in per-user side arrays of
 * struct lm_gen (loop frames, expect matchers, render buffers and run
 * counters, open-model lags), what a step needs while it waits on its
 * connection in a lent struct lm_flight.
 */
struct lm_session {
	struct lm_timer timer;          /* step timeout */
	uint32_t tcb;                   /* the connection (lm_tcb_ref), 0: none */
	uint32_t ready_next;            /* ready list, or waiting for a flight:
					 * index in lm_gen.sessions + 1, 0: none */
	uint16_t scen;                  /* scenario of the current run */
	uint16_t step;                  /* next (or current) step of the run */
	int16_t armed;                  /* raw TCP: the expect step whose matcher
					 * is armed (lm_sess_raw), -1: none */
	uint16_t fl;                    /* while a step waits on the connection:
					 * index in lm_gen.flights + 1, 0: none */
	uint8_t state;                  /* enum lm_sess_state */
	uint8_t phase;                  /* enum lm_sess_phase */
	uint8_t n_loops;
	uint8_t pending;                /* enum lm_err + 1 of an end seen by a callback, 0: none */
	bool leaving : 1;               /* stop after the current run */
	bool counted : 1;               /* the current step counted a request */
	bool on_ready : 1;
	bool in_run : 1;
	bool run_failed : 1;
	bool conn_done : 1;             /* connection must not be reused */
	bool got_first : 1;             /* first response byte seen */
	bool connected_now : 1;         /* this step opened the connection */
	bool waiting : 1;               /* for a flight, on lm_gen.wait_head */
};

struct lm_gen {
	struct lm_session *sessions;
	uint32_t n_sessions;
	uint32_t n_active;              /* users not stopped */
	bool open;                      /* open model: sessions arrive at a rate */
	bool no_more;                   /* no user or session will start again */
	/* load model state (gen/load.c) */
	uint64_t t0;                    /* TSC when the load started */
	uint64_t next_check;            /* TSC: next recomputation of the level */
	uint32_t target;                /* closed: users that should be running */
	uint32_t first_stopped;         /* closed: every user below it runs */
	uint64_t spawned;               /* closed: users started so far */
	uint64_t t_acc;                 /* open: TSC up to which arrivals are counted */
	double credit;                  /* open: integral of the rate since the last arrival */
	double threshold;               /* open: credit at which the next one arrives */
	uint64_t *backlog;              /* open: arrival times not started yet */
	uint32_t bl_head;
	uint32_t bl_n;
	uint32_t bl_cap;
	struct lm_session *free_slots;  /* open: sessions free to start */
	/* steps waiting on connections: their state, lent (struct lm_flight) */
	struct lm_flight *flights;
	uint32_t n_flights;
	uint32_t n_flights_used;        /* lent (the pools' gauges) */
	struct lm_flight *flight_free;
	struct lm_session *wait_head;   /* users waiting for a flight, in order */
	struct lm_session *wait_tail;
	/* per user, only when the plan has loops / expect steps */
	struct lm_loop_frame *loops;    /* [n_sessions][LM_LOOP_DEPTH] */
	struct lm_sess_raw *raws;
	uint64_t *runs;                 /* runs begun ({{run}}): plans that render */
	uint64_t *lags;                 /* open model: TSC, how late each session started */
	bool has_expect;                /* the plan has expect steps */
	/* templates: a render buffer and a variable store per session */
	uint8_t *bufs;
	uint32_t buf_size;
	uint8_t *stores;
	uint32_t store_size;
	uint64_t seq;                   /* {{seq}}: this worker's counter */
	uint64_t seq_row;               /* sequential data rows */
	uint64_t next_target;           /* the target's addresses and ports in turn */
	uint64_t wall0_ms;              /* wall clock at tsc0, for {{time_ms}} */
	uint16_t **kmp;                 /* per global step: expect's failure table */
	uint64_t tsc0;
	uint32_t first_user;            /* global index of sessions[0] */
	struct lm_session *ready_head;
	struct lm_session *ready_tail;
	struct lm_alias alias;          /* scenario choice by weight */
	uint32_t *step_base;            /* first global step index per scenario */
	uint64_t runs_left;             /* this worker's share of max_runs */
	bool limited;                   /* max_runs applies */
	bool draining;
	bool started;
};

/*
 * Set up this worker's users: n_users of them, the first with global index
 * first_user; runs_share is its part of max_runs (0 = unlimited).
 */
int lm_gen_init(struct lm_worker *w, uint32_t first_user, uint32_t n_users,
		uint64_t runs_share);
void lm_gen_fini(struct lm_worker *w);

/* Start every user. */
void lm_gen_start(struct lm_worker *w);

/* Start no new run; users leave as their runs end. */
void lm_gen_drain(struct lm_worker *w);

/* Fail what is in flight (aborted), reset connections, stop every user. */
void lm_gen_quit(struct lm_worker *w);

/* The application phase: advance up to budget ready sessions. */
void lm_gen_poll(struct lm_worker *w, unsigned int budget);

/* Whether every user has left and none will start again. */
static inline bool
lm_gen_idle(const struct lm_gen *g)
{
	return g->started && g->n_active == 0 && (g->no_more || g->draining);
}

/* --- for the load models (gen/load.c) --- */

/* Start user s (a closed-model user, or an open-model session due at t_sched). */
void lm_sess_begin(struct lm_worker *w, struct lm_session *s, uint64_t lag);

/* Whether a new run may start (not draining, max_runs left); takes one. */
bool lm_gen_take_run(struct lm_worker *w);

/* gen/load.c */
int lm_load_init(struct lm_worker *w);
void lm_load_fini(struct lm_worker *w);
void lm_load_start(struct lm_worker *w);
/* Start and stop users, or start arriving sessions, as the model says now. */
void lm_load_poll(struct lm_worker *w);
/* A user or session has left (its slot may be reused). */
void lm_load_user_done(struct lm_worker *w, struct lm_session *s);

/* A session's timer fired (step timeout). */
void lm_gen_timer_expired(struct lm_worker *w, struct lm_session *s);

#endif /* LM_SESSION_H */
