/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The scenario runner: users, their on_start steps, runs and on_stop
 * steps, the steps of a run (HTTP exchanges over the user's connection,
 * think times, loops), for both load models (gen/load.c decides who
 * starts when).
 *
 * A step's request is counted when the step starts (before a connection
 * is opened for it, if one is needed), and ends exactly once: ok, or failed
 * with one reason. A transport failure (connect, reset, timeout...) ends
 * the run as failed; a response with an unexpected status fails its step
 * and the run goes on with the next step.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_malloc.h>

#include "worker.h"
#include "gen/session.h"
#include "gen/session_int.h"
#include "tcp/tcp.h"
#include "util/body_gen.h"
#include "util/crc32c.h"

static void sess_connected(struct lm_worker *w, struct lm_tcb *tcb);
static void sess_recv(struct lm_worker *w, struct lm_tcb *tcb,
		      const uint8_t *data, uint32_t len);
static void sess_peer_closed(struct lm_worker *w, struct lm_tcb *tcb);
static void sess_closed(struct lm_worker *w, struct lm_tcb *tcb,
			enum lm_tcp_end why);
static void sess_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off,
		      uint8_t *dst, uint32_t len);
static void sess_acked(struct lm_worker *w, struct lm_tcb *tcb);

static const struct lm_tcp_ops lm_http_client_ops = {
	.connected = sess_connected,
	.recv = sess_recv,
	.peer_closed = sess_peer_closed,
	.closed = sess_closed,
	.acked = sess_acked,
	.fill = sess_fill,
};

/* A step that waits on the connection (not a think step). */
static inline bool
waits_on_conn(const struct lm_session *s)
{
	return s->state == LM_SESS_AWAIT || s->state == LM_SESS_CONNECTING ||
		s->state == LM_SESS_SENDING || s->state == LM_SESS_EXPECTING;
}

void
lm_sess_ready(struct lm_worker *w, struct lm_session *s)
{
	struct lm_gen *g = &w->gen;

	/* one waiting for a flight gets going when it has one */
	if (s->on_ready || s->waiting)
		return;
	s->on_ready = true;
	s->ready_next = 0;
	if (g->ready_tail != NULL)
		g->ready_tail->ready_next = sess_link(g, s);
	else
		g->ready_head = s;
	g->ready_tail = s;
}

static struct lm_session *
ready_pop(struct lm_gen *g)
{
	struct lm_session *s = g->ready_head;

	if (s == NULL)
		return NULL;
	g->ready_head = sess_unlink(g, s->ready_next);
	if (g->ready_head == NULL)
		g->ready_tail = NULL;
	s->on_ready = false;
	return s;
}

int
lm_gen_init(struct lm_worker *w, uint32_t first_user, uint32_t n_users,
	    uint64_t runs_share)
{
	struct lm_gen *g = &w->gen;
	const struct lm_plan *p = w->plan;
	double *weights;
	uint32_t base = 0;
	int rc;

	memset(g, 0, sizeof(*g));
	g->first_user = first_user;
	g->n_sessions = n_users;
	g->limited = p->load.max_runs != 0;
	g->runs_left = runs_share;
	g->sessions = rte_zmalloc_socket("lm_sessions",
			sizeof(struct lm_session) * (n_users ? n_users : 1),
			RTE_CACHE_LINE_SIZE, rte_lcore_to_socket_id(w->lcore));
	/* a server-only plan has no scenario: a generator with nothing to do */
	g->step_base = calloc(p->n_scenarios + 1, sizeof(*g->step_base));
	weights = calloc(p->n_scenarios + 1, sizeof(*weights));
	if (g->sessions == NULL || g->step_base == NULL || weights == NULL) {
		free(weights);
		lm_gen_fini(w);
		return -ENOMEM;
	}
	for (uint32_t i = 0; i < p->n_scenarios; i++) {
		g->step_base[i] = base;
		base += p->scenarios[i].n_steps;
		weights[i] = p->scenarios[i].weight;
	}
	rc = p->n_scenarios > 0 ?
		lm_alias_build(&g->alias, weights, p->n_scenarios) : 0;
	free(weights);
	if (rc != 0) {
		lm_gen_fini(w);
		return rc;
	}
	rc = lm_raw_init(w);
	if (rc == 0)
		rc = lm_user_arrays_init(w, n_users);
	if (rc == 0)
		rc = lm_flight_pool_init(w, n_users);
	if (rc != 0) {
		lm_gen_fini(w);
		return rc;
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		g->wall0_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
		g->tsc0 = rte_rdtsc();
	}
	rc = lm_wheel_register(&w->wheel, LM_TIMER_SESSION,
			       &g->sessions[0].timer, sizeof(g->sessions[0]),
			       n_users);
	if (rc != 0) {
		lm_gen_fini(w);
		return rc;
	}
	for (uint32_t i = 0; i < n_users; i++) {
		struct lm_session *s = &g->sessions[i];

		lm_timer_init(&s->timer);
		s->timer.type = LM_TIMER_SESSION;
		s->armed = -1;
		s->state = LM_SESS_STOPPED;
	}
	rc = lm_load_init(w);
	if (rc != 0)
		lm_gen_fini(w);
	return rc;
}

void
lm_gen_fini(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	lm_load_fini(w);
	lm_raw_fini(w);
	lm_user_arrays_fini(w);
	rte_free(g->flights);
	rte_free(g->sessions);
	free(g->step_base);
	lm_alias_free(&g->alias);
	memset(g, 0, sizeof(*g));
}

void
lm_gen_start(struct lm_worker *w)
{
	w->gen.started = true;
	lm_load_start(w);
}

void
lm_sess_begin(struct lm_worker *w, struct lm_session *s, uint64_t lag)
{
	s->state = LM_SESS_READY;
	s->phase = LM_PHASE_START;
	s->in_run = false;
	s->leaving = false;
	s->n_loops = 0;
	if (w->gen.lags != NULL)
		w->gen.lags[s - w->gen.sessions] = lag;
	if (w->gen.runs != NULL)
		w->gen.runs[s - w->gen.sessions] = 0;
	if (w->gen.store_size > 0)
		lm_tmpl_user_init(w->plan->vars, sess_store(w, s));
	w->gen.n_active++;
	LM_STAT_SET(w->ctr->users_active, w->gen.n_active);
	lm_sess_ready(w, s);
}

bool
lm_gen_take_run(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	if (g->draining || (g->limited && g->runs_left == 0))
		return false;
	if (g->limited && --g->runs_left == 0)
		g->no_more = true;
	return true;
}

/* --- ending things --- */

/*
 * Let the connection go: gracefully means the scenario's close mode
 * (FIN, or RST when it says "rst"); otherwise reset it.
 */
void
lm_sess_conn_drop(struct lm_worker *w, struct lm_session *s, bool graceful)
{
	struct lm_tcb *tcb = sess_tcb(w, s);

	/* also when TCP took the connection away already (a RST right behind
	 * a Connection: close response): the next one starts afresh */
	s->conn_done = false;
	if (tcb == NULL)
		return;
	s->tcb = 0;
	if (graceful && w->plan->scenarios[s->scen].close == LM_CLOSE_FIN)
		lm_tcp_close(w, tcb);
	else
		lm_tcp_abort(w, tcb);
}

static void
user_stop(struct lm_worker *w, struct lm_session *s)
{
	lm_sess_conn_drop(w, s, true);
	lm_timer_cancel(&w->wheel, &s->timer);
	s->state = LM_SESS_STOPPED;
	w->gen.n_active--;
	LM_STAT_SET(w->ctr->users_active, w->gen.n_active);
	lm_load_user_done(w, s);
}

static void
run_end(struct lm_worker *w, struct lm_session *s)
{
	const struct lm_scenario *sc = &w->plan->scenarios[s->scen];
	struct lm_scenario_counters *c = &w->stats.scen[s->scen];

	if (s->run_failed)
		LM_STAT_INC(c->runs_failed);
	else
		LM_STAT_INC(c->runs_ok);
	s->in_run = false;
	s->step = 0;
	s->n_loops = 0;
	/* "per_run": the connections-per-second workload */
	if (sc->connection == LM_CONN_PER_RUN)
		lm_sess_conn_drop(w, s, true);
}

/* Past the step just ended: the next one, going round loops. */
static void
step_next(struct lm_worker *w, struct lm_session *s)
{
	s->step++;
	while (s->n_loops > 0 &&
	       s->step == sess_loops(w, s)[s->n_loops - 1].end) {
		struct lm_loop_frame *f = &sess_loops(w, s)[s->n_loops - 1];

		if (--f->left > 0) {
			s->step = f->start;
			break;
		}
		s->n_loops--;
	}
}

/*
 * The current step is over: err < 0 means ok, else the reason it failed.
 * transport: the connection is unusable, which ends the run.
 */
void
lm_sess_step_end(struct lm_worker *w, struct lm_session *s, int err)
{
	struct lm_step_stats *st = cur_stats(w, s);
	/* a complete response that was not as expected leaves the connection usable */
	bool transport = err >= 0 && err != LM_ERR_STATUS &&
		err != LM_ERR_BODY_MISMATCH;
	bool unsent;

	lm_timer_cancel(&w->wheel, &s->timer);
	/*
	 * The flight holds where the request's bytes are: a response that
	 * came before all of them were acknowledged (a server that answers
	 * without reading the whole request) leaves nothing to send them
	 * from, so the connection is reset rather than reused or closed
	 * behind them (RFC 9112 9.6: stop sending and close).
	 */
	unsent = s->tcb != 0 &&
		sess_tcb(w, s)->snd_una != sess_tcb(w, s)->snd_end;
	if (s->fl != 0)
		lm_flight_put(w, s);
	if (s->armed == (int32_t)s->step)
		s->armed = -1;  /* its matcher is done */
	if (s->counted) {
		LM_STAT_SET(w->ctr->requests_inflight,
			    w->ctr->requests_inflight - 1);
		if (err < 0) {
			LM_STAT_INC(st->ok);
		} else {
			LM_STAT_INC(st->errors[err]);
			LM_STAT_INC(st->failed);
		}
		s->counted = false;
	}
	if (err >= 0)
		s->run_failed = true;
	if (transport || unsent)
		lm_sess_conn_drop(w, s, false);
	else if (s->conn_done)
		lm_sess_conn_drop(w, s, true);
	s->state = LM_SESS_READY;
	s->pending = 0;
	if (!transport)
		step_next(w, s);
	if (transport || s->step >= w->plan->scenarios[s->scen].n_steps)
		run_end(w, s);
	lm_sess_ready(w, s);
}

/*
 * The response is complete (called from TCP input): measure it now, judge
 * it against the step's expectations, and let the application phase end
 * the step.
 */
static void
response_done(struct lm_worker *w, struct lm_session *s)
{
	const struct lm_http_step *hs = &cur_step(w, s)->http;
	struct lm_step_stats *st = cur_stats(w, s);
	uint16_t status = sess_fl(w, s)->resp.status;
	bool ok;

	LM_STAT_ADD(st->rx_bytes, sess_fl(w, s)->resp.total_bytes);
	/*
	 * Open model: latency counts from when the session was due, not
	 * from when we got round to it (coordinated omission, as wrk2); the
	 * raw figure is kept beside it.
	 */
	lm_hdr_record(&st->latency,
		      tsc_to_ns(w, w->now - sess_fl(w, s)->t_start + sess_lag(w, s)));
	if (w->gen.open)
		lm_hdr_record(&st->latency_raw, tsc_to_ns(w, w->now - sess_fl(w, s)->t_start));
	/*
	 * 101: the connection speaks another protocol from the byte after
	 * the head on (RFC 9110 15.2.2), whether the plan asked for the
	 * upgrade or not; no request of ours can follow on it.
	 */
	if (sess_fl(w, s)->resp.conn_close || status == 101)
		s->conn_done = true;
	if (hs->n_expect_status == 0) {
		ok = status >= 200 && status < 400;
	} else {
		ok = false;
		for (uint32_t i = 0; i < hs->n_expect_status; i++)
			ok |= hs->expect_status[i] == status;
	}
	if (!ok) {
		s->pending = LM_ERR_STATUS + 1;
	} else if (hs->captures != NULL &&
		   !lm_captures_done(hs->captures, &sess_fl(w, s)->cap)) {
		s->pending = LM_ERR_CAPTURE + 1;
	} else if ((hs->expect_body_bytes >= 0 &&
		    sess_fl(w, s)->resp.body_bytes != (uint64_t)hs->expect_body_bytes) ||
		   (hs->expect_body_crc &&
		    lm_crc32c_final(sess_fl(w, s)->body_crc) != hs->expect_body_crc32c)) {
		s->pending = LM_ERR_BODY_MISMATCH + 1;
	} else {
		s->pending = LM_PENDING_OK;
	}
	lm_sess_ready(w, s);
}

/* --- TCP callbacks: record, and let the application phase act --- */

static void
sess_connected(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_session *s = tcb->app;

	if (s->state != LM_SESS_CONNECTING)
		return;
	lm_hdr_record(&cur_stats(w, s)->connect,
		      tsc_to_ns(w, w->now - sess_fl(w, s)->t_connect));
	if (cur_step(w, s)->kind == LM_STEP_CONNECT) {
		/* a raw connect step: done, its latency is the handshake's */
		lm_hdr_record(&cur_stats(w, s)->latency,
			      tsc_to_ns(w, w->now - sess_fl(w, s)->t_connect));
		s->pending = LM_PENDING_OK;
	}
	s->connected_now = true;
	lm_sess_ready(w, s);
}

static void
sess_recv(struct lm_worker *w, struct lm_tcb *tcb, const uint8_t *data,
	  uint32_t len)
{
	struct lm_session *s = tcb->app;
	size_t used;

	if (cur_step(w, s)->kind != LM_STEP_HTTP || s->armed >= 0) {
		lm_raw_recv(w, s, data, len);
		return;
	}
	if (s->state != LM_SESS_AWAIT || s->pending) {
		/* bytes nobody asked for: this connection cannot be trusted */
		s->conn_done = true;
		return;
	}
	if (!s->got_first) {
		s->got_first = true;
		sess_fl(w, s)->t_first = w->now;
		lm_hdr_record(&cur_stats(w, s)->ttfb,
			      tsc_to_ns(w, w->now - sess_fl(w, s)->t_start));
	}
	used = lm_http_resp_feed_crc(&sess_fl(w, s)->resp, data, len,
			cur_step(w, s)->http.expect_body_crc ? &sess_fl(w, s)->body_crc : NULL);
	if (cur_step(w, s)->http.captures != NULL)
		lm_captures_feed(cur_step(w, s)->http.captures, &sess_fl(w, s)->cap,
				 data, used, w->plan->vars, sess_store(w, s));
	if (lm_http_resp_failed(&sess_fl(w, s)->resp)) {
		/* a head past our limits is ours to name: the server may be
		 * right (big cookies), where a malformed one is not */
		s->pending = sess_fl(w, s)->resp.err == LM_HTTP_E_HEAD_TOO_LARGE ?
			LM_ERR_HEAD_TOO_LARGE + 1 : LM_ERR_PROTOCOL + 1;
		lm_sess_ready(w, s);
	} else if (lm_http_resp_done(&sess_fl(w, s)->resp)) {
		/* without pipelining, bytes after the response are an error */
		if (used < len)
			s->conn_done = true;
		response_done(w, s);
	}
}

static void
sess_peer_closed(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_session *s = tcb->app;

	s->conn_done = true;
	if (s->state == LM_SESS_AWAIT && !s->pending) {
		if (lm_http_resp_eof(&sess_fl(w, s)->resp))
			response_done(w, s);
		else
			s->pending = LM_ERR_CLOSED + 1;
	} else if (s->state == LM_SESS_EXPECTING && !s->pending) {
		s->pending = LM_ERR_CLOSED + 1;
	}
	lm_sess_ready(w, s);
}

static enum lm_err
tcp_end_err(enum lm_tcp_end why)
{
	switch (why) {
	case LM_TCP_END_REFUSED:
		return LM_ERR_REFUSED;
	case LM_TCP_END_CONNECT_TIMEOUT:
		return LM_ERR_CONNECT_TIMEOUT;
	case LM_TCP_END_UNREACHABLE:
		return LM_ERR_UNREACHABLE;
	case LM_TCP_END_RETRANSMIT_LIMIT:
		return LM_ERR_RETRANSMIT_LIMIT;
	case LM_TCP_END_NORMAL:
		return LM_ERR_CLOSED;
	case LM_TCP_END_RESET:
	case LM_TCP_END_ABORTED:
	default:
		return LM_ERR_RESET;
	}
}

static void
sess_closed(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
	struct lm_session *s = tcb->app;

	s->tcb = 0;
	if (waits_on_conn(s) && !s->pending)
		s->pending = (uint8_t)(tcp_end_err(why) + 1);
	lm_sess_ready(w, s);
}

static void
sess_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off, uint8_t *dst,
	  uint32_t len)
{
	struct lm_session *s = tcb->app;
	const struct lm_http_step *hs = &cur_step(w, s)->http;
	const uint8_t *head = hs->request;
	uint32_t head_len = hs->request_len;
	uint64_t rel, total;

	/* never without a flight: a step ending with its bytes unacknowledged resets */
	if (unlikely(s->fl == 0)) {
		memset(dst, 0, len);
		return;
	}
	rel = off - sess_fl(w, s)->req_off;
	if (cur_step(w, s)->kind == LM_STEP_SEND) {
		lm_raw_fill(w, s, (uint32_t)rel, dst, len);
		return;
	}
	if (hs->tmpl != NULL) {
		/* a rendered request: the bytes stay in the session's buffer */
		head = sess_buf(w, s);
		head_len = sess_fl(w, s)->req_len;
	}
	total = head_len + (hs->body_generated ? hs->body_gen_size : 0);
	/* only the current request can be unacknowledged (no pipelining) */
	if (unlikely(rel > total || len > total - rel)) {
		memset(dst, 0, len);
		return;
	}
	/* the head (and literal body), then the generated body */
	if (rel < head_len) {
		uint32_t n = head_len - (uint32_t)rel;

		if (n > len)
			n = len;
		memcpy(dst, head + rel, n);
		dst += n;
		len -= n;
		rel += n;
	}
	if (len > 0)
		lm_body_gen(hs->body_gen_seed, rel - head_len, dst, len);
}

void
lm_gen_timer_expired(struct lm_worker *w, struct lm_session *s)
{
	if (s->state == LM_SESS_THINKING) {
		s->pending = LM_PENDING_OK;
		lm_sess_ready(w, s);
		return;
	}
	if (waits_on_conn(s)) {
		if (!s->pending)
			s->pending = LM_ERR_TIMEOUT + 1;
		lm_sess_ready(w, s);
	}
}

/* --- the application phase --- */

/* The values a template renders from for s; *rng is its generator. */
void
lm_sess_tmpl_env(struct lm_worker *w, struct lm_session *s,
		 struct lm_tmpl_env *env, uint64_t *rng)
{
	struct lm_gen *g = &w->gen;

	*rng = lm_rand(w);
	memset(env, 0, sizeof(*env));
	env->vars = w->plan->vars;
	env->user_store = g->store_size ? sess_store(w, s) : NULL;
	env->user = sess_user(w, s);
	env->run = g->runs != NULL ? g->runs[s - g->sessions] : 0;
	env->worker = w->id;
	/* unique across workers, and across shards (I modulo N) */
	env->seq = (g->seq++ * w->n_workers + w->id) *
		(w->plan->shard.count ? w->plan->shard.count : 1) +
		w->plan->shard.index;
	env->time_ms = g->wall0_ms + (w->now - g->tsc0) / w->ticks_per_ms;
	env->rng = rng;
	env->seq_row = g->seq_row++;
}

/*
 * Render a templated request into the session's buffer, where it stays
 * for retransmissions. *unsafe: a captured value would put a control
 * character into the head.
 */
static uint32_t
render_request(struct lm_worker *w, struct lm_session *s,
	       const struct lm_http_step *hs, bool *unsafe)
{
	struct lm_tmpl_env env;
	uint64_t rng;

	lm_sess_tmpl_env(w, s, &env, &rng);
	return (uint32_t)lm_tmpl_render_request(hs->tmpl, hs->tmpl_body, &env,
						sess_buf(w, s), w->gen.buf_size,
						unsafe);
}

static void
send_request(struct lm_worker *w, struct lm_session *s)
{
	const struct lm_step *step = cur_step(w, s);
	const struct lm_http_step *hs = &step->http;
	struct lm_tcb *tcb = sess_tcb(w, s);

	uint32_t total = hs->request_len +
		(uint32_t)(hs->body_generated ? hs->body_gen_size : 0);

	if (hs->tmpl != NULL) {
		bool unsafe;

		sess_fl(w, s)->req_len = render_request(w, s, hs, &unsafe);
		if (unlikely(unsafe)) {
			/* it would split the request in two: never send it */
			lm_sess_step_end(w, s, LM_ERR_CAPTURE);
			return;
		}
		total = sess_fl(w, s)->req_len + (uint32_t)(hs->body_generated ?
						 hs->body_gen_size : 0);
	}
	if (hs->captures != NULL)
		lm_captures_begin(hs->captures, &sess_fl(w, s)->cap);
	s->state = LM_SESS_AWAIT;
	s->got_first = false;
	sess_fl(w, s)->body_crc = LM_CRC32C_INIT;
	lm_http_resp_init(&sess_fl(w, s)->resp, hs->method == LM_HTTP_HEAD);
	sess_fl(w, s)->req_off = tcb->snd_end - (tcb->iss + 1);
	sess_fl(w, s)->t_start = w->now;
	LM_STAT_ADD(cur_stats(w, s)->tx_bytes, total);
	lm_timer_arm(&w->wheel, &s->timer,
		     w->now + lm_ms_to_tsc(w, step->timeout_ms));
	lm_tcp_send(w, tcb, total);
}

/* Begin a pass over scenario idx (a run, or the on_start/on_stop steps). */
static void
seq_begin(struct lm_worker *w, struct lm_session *s, uint32_t idx)
{
	if (w->gen.runs != NULL)
		w->gen.runs[s - w->gen.sessions]++;
	sess_raw_reset(w, s);
	s->scen = (uint16_t)idx;
	s->step = 0;
	s->n_loops = 0;
	s->in_run = true;
	s->run_failed = false;
	LM_STAT_INC(w->stats.scen[idx].runs_started);
}

/*
 * What the user does next: its on_start steps once, then runs while the
 * load wants it, then its on_stop steps once. Returns false when it is
 * done.
 */
static bool
seq_next(struct lm_worker *w, struct lm_session *s)
{
	const struct lm_plan *p = w->plan;
	struct lm_gen *g = &w->gen;

	for (;;) {
		switch (s->phase) {
		case LM_PHASE_START:
			s->phase = LM_PHASE_RUNS;
			if (p->on_start >= 0 && !g->draining) {
				seq_begin(w, s, (uint32_t)p->on_start);
				return true;
			}
			break;
		case LM_PHASE_RUNS:
			/* an open-model session is a user with one run */
			if (!s->leaving && lm_gen_take_run(w)) {
				if (g->open)
					s->leaving = true;
				seq_begin(w, s, lm_alias_pick(&g->alias,
							      lm_rand(w)));
				return true;
			}
			s->phase = LM_PHASE_STOP;
			break;
		case LM_PHASE_STOP:
			s->phase = LM_PHASE_DONE;
			if (p->on_stop >= 0) {
				seq_begin(w, s, (uint32_t)p->on_stop);
				return true;
			}
			break;
		default:
			return false;
		}
	}
}

/* A think step's pause (RFC-free: Locust's wait_time, in milliseconds). */
static uint64_t
think_ms(struct lm_worker *w, const struct lm_think_step *t)
{
	double u = ((double)(lm_rand(w) >> 11) + 0.5) * 0x1.0p-53;
	double v;

	switch (t->dist) {
	case LM_THINK_UNIFORM:
		v = t->a_ms + (t->b_ms - t->a_ms) * u;
		break;
	case LM_THINK_EXPONENTIAL:
		v = -t->a_ms * log(u);
		break;
	case LM_THINK_NORMAL: {
		/* Box-Muller; truncated at 0 */
		double u2 = ((double)(lm_rand(w) >> 11) + 0.5) * 0x1.0p-53;

		v = t->a_ms + t->b_ms * sqrt(-2.0 * log(u)) * cos(2 * M_PI * u2);
		break;
	}
	case LM_THINK_CONSTANT:
	default:
		v = t->a_ms;
		break;
	}
	return v > 0 ? (uint64_t)v : 0;
}

static void
step_start(struct lm_worker *w, struct lm_session *s)
{
	struct lm_tcb *tcb = sess_tcb(w, s);
	const struct lm_step *step;
	struct lm_loop_frame *f;

	/* loops open where they stand; a loop of 0 passes is skipped */
	for (;;) {
		if (s->step >= w->plan->scenarios[s->scen].n_steps) {
			run_end(w, s);
			lm_sess_ready(w, s);
			return;
		}
		step = cur_step(w, s);
		if (step->kind != LM_STEP_LOOP)
			break;
		if (step->loop.count == 0 || s->n_loops == LM_LOOP_DEPTH) {
			s->step += 1 + step->loop.body_steps;
			continue;
		}
		f = &sess_loops(w, s)[s->n_loops];
		f->start = (uint16_t)(s->step + 1);
		f->end = (uint16_t)(s->step + 1 + step->loop.body_steps);
		f->left = step->loop.count;
		s->n_loops++;
		s->step++;
		if (f->start == f->end) {
			s->n_loops--; /* an empty body */
			continue;
		}
	}
	s->pending = 0;
	if (step->kind == LM_STEP_THINK) {
		s->state = LM_SESS_THINKING;
		lm_timer_arm(&w->wheel, &s->timer,
			     w->now + lm_ms_to_tsc(w, think_ms(w, &step->think)));
		return;
	}
	if (!lm_flight_take(w, s))
		return;         /* the step starts when a flight is free */
	s->counted = true;
	LM_STAT_INC(cur_stats(w, s)->requests);
	LM_STAT_SET(w->ctr->requests_inflight, w->ctr->requests_inflight + 1);
	s->connected_now = false;
	if (step->kind != LM_STEP_HTTP) {
		lm_raw_step_start(w, s);
		return;
	}
	if (tcb != NULL && !s->conn_done && tcb->state == LM_TCP_ESTABLISHED) {
		send_request(w, s);
		return;
	}
	lm_sess_connect_target(w, s);
}

void
lm_sess_connect_target(struct lm_worker *w, struct lm_session *s)
{
	uint32_t ip;
	uint16_t port;

	/* each worker's connections cycle through the whole range */
	lm_plan_target_pick(&w->plan->target, w->gen.next_target++, &ip, &port);
	lm_sess_connect(w, s, rte_cpu_to_be_32(ip), rte_cpu_to_be_16(port));
}

int
lm_sess_connect(struct lm_worker *w, struct lm_session *s, uint32_t ip,
		uint16_t port)
{
	struct lm_tcb *tcb;
	int err = 0;

	lm_sess_conn_drop(w, s, true);
	s->state = LM_SESS_CONNECTING;
	sess_fl(w, s)->t_connect = w->now;
	/* a connection that never completes is bounded by the SYN retries */
	tcb = lm_tcp_connect(w, 0, ip, port, &lm_http_client_ops, s, &err);
	if (tcb == NULL) {
		lm_sess_step_end(w, s, LM_ERR_NO_RESOURCES);
		return err;
	}
	sess_set_tcb(w, s, tcb);
	return 0;
}

static void
sess_acked(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_session *s = tcb->app;

	if (s->state != LM_SESS_SENDING || s->pending)
		return;
	lm_hdr_record(&cur_stats(w, s)->latency,
		      tsc_to_ns(w, w->now - sess_fl(w, s)->t_start));
	s->pending = LM_PENDING_OK;
	lm_sess_ready(w, s);
}

static void
advance(struct lm_worker *w, struct lm_session *s)
{
	switch (s->state) {
	case LM_SESS_STOPPED:
		return;
	case LM_SESS_THINKING:
	case LM_SESS_SENDING:
	case LM_SESS_EXPECTING:
	case LM_SESS_CONNECTING:
	case LM_SESS_AWAIT:
		if (s->pending) {
			lm_sess_step_end(w, s, pending_err(s));
			return;
		}
		if (s->state == LM_SESS_CONNECTING && s->connected_now &&
		    s->tcb != 0 && cur_step(w, s)->kind == LM_STEP_HTTP)
			send_request(w, s);
		return;
	case LM_SESS_READY:
		break;
	}
	if (!s->in_run && !seq_next(w, s)) {
		user_stop(w, s);
		return;
	}
	/* an idle connection the server closed meanwhile is let go here */
	if (s->tcb != 0 && s->conn_done)
		lm_sess_conn_drop(w, s, true);
	step_start(w, s);
}

void
lm_gen_poll(struct lm_worker *w, unsigned int budget)
{
	struct lm_session *s;

	while (budget-- > 0 && (s = ready_pop(&w->gen)) != NULL)
		advance(w, s);
}

void
lm_gen_drain(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	g->draining = true;
	/* idle users waiting for nothing leave now */
	for (uint32_t i = 0; i < g->n_sessions; i++) {
		struct lm_session *s = &g->sessions[i];

		if (s->state == LM_SESS_READY && !s->in_run)
			lm_sess_ready(w, s);
	}
}

void
lm_gen_quit(struct lm_worker *w)
{
	struct lm_gen *g = &w->gen;

	g->draining = true;
	for (uint32_t i = 0; i < g->n_sessions; i++) {
		struct lm_session *s = &g->sessions[i];

		if (s->state == LM_SESS_STOPPED)
			continue;
		if (waits_on_conn(s))
			lm_sess_step_end(w, s, s->pending ? pending_err(s) :
				 LM_ERR_ABORTED);
		if (s->in_run) {
			/* steps never started are not requests; the run failed */
			s->run_failed = true;
			run_end(w, s);
		}
		user_stop(w, s);
	}
	g->ready_head = g->ready_tail = NULL;
	g->wait_head = g->wait_tail = NULL;
	for (uint32_t i = 0; i < g->n_sessions; i++) {
		g->sessions[i].on_ready = false;
		g->sessions[i].waiting = false;
	}
}
