/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Emulated HTTP servers (see server.h).
 *
 * A connection keeps no response bytes: each response is a route of the
 * plan (its head compiled at plan load, its body generated or literal), so
 * a connection only records, for the responses not yet acknowledged, which
 * route each is and where it starts in the connection's stream. TCP asks
 * for any byte again (fill) and gets it regenerated.
 *
 * Requests are parsed as they arrive (app/http_req_parse.h) and answered in
 * order; pipelined ones queue up to SRV_QUEUE responses. A route's
 * delay_ms holds its response, and those behind it, until it is due.
 *
 * Raw TCP servers use the same machinery: a "reply" server's answer is a
 * route with an empty head, queued each time a request ends (after_bytes
 * bytes, or the delimiter after_delim); an "echo" server sends back what it
 * receives, so it keeps the bytes not yet acknowledged in a buffer of its
 * own (ECHO_BUF), taken from the worker's pool while the connection lasts.
 *
 * As for the client, callbacks from TCP only record and put the connection
 * on the worker's ready list; lm_server_poll() then acts (queues response
 * bytes, closes), so TCP is never re-entered from its own callbacks.
 *
 * An idle connection costs nothing beyond its TCB: the state above (struct
 * srv_conn: parser, responses in flight, timer) is lent from the worker's
 * pool when a request starts to arrive and given back once every response
 * is acknowledged with no request begun. Meanwhile the TCB's app points at
 * its server's idle mark. The pool holds as many as SRV_CONN_MAX busy
 * connections; a request arriving when none is free is counted as an
 * overflow and its connection reset, as a full accept queue would. An echo
 * connection keeps its state (and buffer) while it lasts.
 */
#include <errno.h>
#include <string.h>

#include <rte_malloc.h>

#include <lm/pools.h>

#include "mem.h"
#include "worker.h"
#include "gen/server.h"
#include "app/http_req_parse.h"
#include "util/body_gen.h"

#define SRV_QUEUE 16            /* responses not yet acknowledged, per connection */
#define ECHO_BUF 16384          /* echo: bytes received, not yet acknowledged back */
#define ECHO_BUFS 256           /* echo buffers per worker */
#define SRV_CONN_MAX 32768u     /* busy connections per worker at most */
#define SRV_PENDING 4096        /* idle connections to close in one pass */

struct srv_echo {
	struct srv_echo *next;  /* free list */
	uint8_t data[ECHO_BUF];
};

struct srv_resp {
	const struct lm_route *route;
	uint64_t ready_at;      /* TSC: not before (delay_ms) */
	uint32_t start;         /* stream offset of its first byte, once queued */
	uint32_t len;           /* head and body bytes */
	uint32_t row;           /* its statistics row; UINT32_MAX: none (400) */
	bool close;             /* "Connection: close", and close after it */
	bool head_only;         /* the answer to HEAD: no body */
};

struct srv_conn {
	struct lm_timer timer;  /* first: a delayed response is due */
	struct srv_conn *next;  /* free list, or ready list */
	struct lm_tcb *tcb;     /* NULL once TCP is done with it */
	const struct lm_plan_server *srv;
	struct lm_http_req_parser req;
	uint32_t stream_end;    /* offset after the last response given to TCP */
	uint8_t first;          /* ring of responses: [first, first + n) */
	uint8_t n;
	uint8_t n_sent;         /* the first n_sent of them are given to TCP */
	bool stop_reading;      /* after "Connection: close" or a bad request */
	bool peer_closed;
	bool on_ready;
	bool mid_request;       /* part of a request is parsed */
	/* reply: where the current request is */
	uint32_t delim_pos;     /* bytes of after_delim matched */
	uint64_t req_bytes;     /* bytes of the current request (after_bytes) */
	/* echo */
	struct srv_echo *echo;
	uint32_t echo_in;       /* stream offset after the last byte received */
	struct srv_resp q[SRV_QUEUE];
};

/*
 * What the TCB of a connection with no srv_conn points at: its server, and
 * whether it is being closed (in lm_srv.pending).
 */
struct srv_mark {
	const struct lm_plan_server *srv;
	bool closing;
};

struct lm_srv {
	struct srv_conn *conns;     /* the pool lent to busy connections */
	uint32_t n_conns;
	uint32_t n_busy;            /* lent (the pools' gauges) */
	uint32_t n_tcbs;            /* connections the worker can hold */
	struct srv_conn *free;
	struct srv_conn *ready;
	struct srv_mark *marks;     /* [2 * n_servers]: idle, then closing */
	uint32_t n_marks;
	struct lm_tcb **pending;    /* idle connections to close or reset */
	bool *pending_reset;
	uint32_t n_pending;
	struct lm_route bad_request;
	struct lm_route *replies;   /* per server: a reply server's answer */
	struct srv_echo *echo_bufs;
	struct srv_echo *echo_free;
	uint32_t *row_base;         /* per server: its first statistics row */
};

static const char bad_request_head[] =
	"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
	"Connection: close\r\n\r\n";

static void srv_recv(struct lm_worker *w, struct lm_tcb *tcb,
		     const uint8_t *data, uint32_t len);
static void srv_peer_closed(struct lm_worker *w, struct lm_tcb *tcb);
static void srv_closed(struct lm_worker *w, struct lm_tcb *tcb,
		       enum lm_tcp_end why);
static void srv_acked(struct lm_worker *w, struct lm_tcb *tcb);
static void srv_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off,
		     uint8_t *dst, uint32_t len);
static void *srv_accept(struct lm_worker *w, struct lm_tcb *tcb, void *ctx);
static void reclaim(struct srv_conn *c);

static void
srv_connected(struct lm_worker *w, struct lm_tcb *tcb)
{
	/* passive connections are announced through accept */
	(void)w;
	(void)tcb;
}

static const struct lm_tcp_ops srv_ops = {
	.connected = srv_connected,
	.recv = srv_recv,
	.peer_closed = srv_peer_closed,
	.closed = srv_closed,
	.acked = srv_acked,
	.fill = srv_fill,
	.accept = srv_accept,
};

/* The statistics of a server. */
static inline struct lm_server_stats *
server_stats(struct lm_worker *w, const struct lm_plan_server *srv)
{
	return &w->stats.servers[srv - w->plan->servers];
}

/* The statistics of c's server. */
static inline struct lm_server_stats *
srv_stats(struct lm_worker *w, const struct srv_conn *c)
{
	return server_stats(w, c->srv);
}

/* The mark a TCB's app is, or NULL when it is a srv_conn. */
static inline struct srv_mark *
mark_of(const struct lm_srv *s, void *app)
{
	uintptr_t a = (uintptr_t)app, lo = (uintptr_t)s->marks;

	if (a >= lo && a < lo + s->n_marks * sizeof(*s->marks))
		return app;
	return NULL;
}

static inline struct srv_mark *
idle_mark(struct lm_worker *w, const struct lm_plan_server *srv)
{
	return &w->srv->marks[srv - w->plan->servers];
}

/*
 * Close (or reset) an idle connection at the next poll, out of TCP's
 * callback. Its app becomes the closing mark: TCP may still report on it
 * (data, the peer's FIN, its end) before then.
 */
static void
pending_push(struct lm_worker *w, struct lm_tcb *tcb, bool reset)
{
	struct lm_srv *s = w->srv;
	struct srv_mark *m = mark_of(s, tcb->app);

	if (m->closing) {
		/* already queued: a reset wins over a close */
		for (uint32_t i = 0; i < s->n_pending; i++)
			if (s->pending[i] == tcb)
				s->pending_reset[i] |= reset;
		return;
	}
	if (unlikely(s->n_pending == SRV_PENDING)) {
		/* more than a pass can bring: the peer will time out */
		LM_STAT_INC(w->ctr->srv_overflows);
		return;
	}
	s->pending[s->n_pending] = tcb;
	s->pending_reset[s->n_pending++] = reset;
	tcb->app = m + w->plan->n_servers;
}

/* TCP let tcb go: no longer close it. */
static void
pending_forget(struct lm_srv *s, struct lm_tcb *tcb)
{
	for (uint32_t i = 0; i < s->n_pending; i++)
		if (s->pending[i] == tcb)
			s->pending[i] = NULL;
}

static void
pending_flush(struct lm_worker *w)
{
	struct lm_srv *s = w->srv;

	for (uint32_t i = 0; i < s->n_pending; i++) {
		struct lm_tcb *tcb = s->pending[i];

		if (tcb == NULL)
			continue;
		if (s->pending_reset[i])
			lm_tcp_abort(w, tcb);
		else
			lm_tcp_close(w, tcb);
	}
	s->n_pending = 0;
}

static inline struct srv_resp *
resp_at(struct srv_conn *c, uint32_t i)
{
	return &c->q[(c->first + i) % SRV_QUEUE];
}

static void
ready_push(struct lm_srv *s, struct srv_conn *c)
{
	if (c->on_ready)
		return;
	c->on_ready = true;
	c->next = s->ready;
	s->ready = c;
}

static void
conn_free(struct lm_srv *s, struct srv_conn *c)
{
	if (c->echo != NULL) {
		c->echo->next = s->echo_free;
		s->echo_free = c->echo;
		c->echo = NULL;
	}
	c->tcb = NULL;
	c->next = s->free;
	s->free = c;
	s->n_busy--;
}

void
lm_server_mem(const struct lm_worker *w, struct lm_mem *m)
{
	const struct lm_srv *s = w->srv;

	if (s == NULL)
		return;
	uint64_t bytes = (uint64_t)s->n_conns * sizeof(struct srv_conn);

	/* echo buffers are a pool of their own, lent to connections in turn */
	if (s->echo_bufs != NULL)
		bytes += (uint64_t)ECHO_BUFS * sizeof(struct srv_echo);
	m->srv_conns += s->n_conns;
	m->srv_conn_bytes += bytes;
	/* the pool is lent to busy connections: its share per connection */
	if (s->n_tcbs > 0)
		m->srv_conn_size = (uint32_t)((bytes + s->n_tcbs - 1) / s->n_tcbs);
}

int
lm_server_init(struct lm_worker *w)
{
	const struct lm_plan *p = w->plan;
	struct lm_srv *s;
	int rc;

	if (p->n_servers == 0)
		return 0;
	s = rte_zmalloc_socket("lm_srv", sizeof(*s), RTE_CACHE_LINE_SIZE,
			       rte_lcore_to_socket_id(w->lcore));
	if (s == NULL)
		return -ENOMEM;
	w->srv = s;
	/* state for the busy ones among the connections the TCBs allow */
	s->n_tcbs = w->tcp.n_tcbs;
	s->n_conns = RTE_MIN(s->n_tcbs, SRV_CONN_MAX);
	s->conns = rte_zmalloc_socket("lm_srv_conns",
				      sizeof(*s->conns) * s->n_conns,
				      RTE_CACHE_LINE_SIZE,
				      rte_lcore_to_socket_id(w->lcore));
	s->n_marks = 2 * p->n_servers;
	s->marks = rte_zmalloc_socket("lm_srv_marks",
				      sizeof(*s->marks) * s->n_marks, 0,
				      rte_lcore_to_socket_id(w->lcore));
	s->pending = rte_zmalloc_socket("lm_srv_pending",
					sizeof(*s->pending) * SRV_PENDING, 0,
					rte_lcore_to_socket_id(w->lcore));
	s->pending_reset = rte_zmalloc_socket("lm_srv_pending",
					      sizeof(*s->pending_reset) *
					      SRV_PENDING, 0,
					      rte_lcore_to_socket_id(w->lcore));
	if (s->conns == NULL || s->marks == NULL || s->pending == NULL ||
	    s->pending_reset == NULL)
		return -ENOMEM;
	rc = lm_wheel_register(&w->wheel, LM_TIMER_SERVER, &s->conns[0].timer,
			       sizeof(s->conns[0]), s->n_conns);
	if (rc != 0)
		return rc;
	for (uint32_t i = 0; i < p->n_servers; i++) {
		s->marks[i].srv = &p->servers[i];
		s->marks[p->n_servers + i].srv = &p->servers[i];
		s->marks[p->n_servers + i].closing = true;
	}
	for (uint32_t i = s->n_conns; i-- > 0;) {
		lm_timer_init(&s->conns[i].timer);
		s->conns[i].timer.type = LM_TIMER_SERVER;
		conn_free(s, &s->conns[i]);
	}
	s->n_busy = 0;
	s->bad_request.status = 400;
	s->bad_request.head = (uint8_t *)(uintptr_t)bad_request_head;
	s->bad_request.head_len = sizeof(bad_request_head) - 1;
	s->bad_request.head_close = s->bad_request.head;
	s->bad_request.head_close_len = s->bad_request.head_len;
	s->replies = rte_zmalloc_socket("lm_srv_replies",
					sizeof(*s->replies) * p->n_servers, 0,
					rte_lcore_to_socket_id(w->lcore));
	s->row_base = rte_zmalloc_socket("lm_srv_rows",
					 sizeof(*s->row_base) * p->n_servers, 0,
					 rte_lcore_to_socket_id(w->lcore));
	if (s->replies == NULL || s->row_base == NULL)
		return -ENOMEM;
	for (uint32_t i = 1; i < p->n_servers; i++)
		s->row_base[i] = s->row_base[i - 1] +
			lm_plan_server_rows(&p->servers[i - 1]);
	for (uint32_t i = 0; i < p->n_servers; i++) {
		const struct lm_plan_server *srv = &p->servers[i];

		if (srv->kind == LM_SERVER_ECHO && s->echo_bufs == NULL) {
			s->echo_bufs = rte_malloc_socket("lm_srv_echo",
				sizeof(*s->echo_bufs) * ECHO_BUFS, 0,
				rte_lcore_to_socket_id(w->lcore));
			if (s->echo_bufs == NULL)
				return -ENOMEM;
			for (uint32_t k = 0; k < ECHO_BUFS; k++) {
				s->echo_bufs[k].next = s->echo_free;
				s->echo_free = &s->echo_bufs[k];
			}
		}
		/* a reply is a response with no head */
		s->replies[i].status = 200;
		s->replies[i].body_size = srv->reply_bytes;
		s->replies[i].body_seed = srv->reply_seed;
		s->replies[i].body_text = srv->reply_text;
		rc = lm_tcp_listen(w, srv->port, srv->listen, &srv_ops,
				   (void *)(uintptr_t)srv);
		if (rc != 0)
			return rc;
	}
	return 0;
}

void
lm_server_fini(struct lm_worker *w)
{
	if (w->srv == NULL)
		return;
	rte_free(w->srv->conns);
	rte_free(w->srv->marks);
	rte_free(w->srv->pending);
	rte_free(w->srv->pending_reset);
	rte_free(w->srv->replies);
	rte_free(w->srv->row_base);
	rte_free(w->srv->echo_bufs);
	rte_free(w->srv);
	w->srv = NULL;
}

/*
 * Lend tcb a connection state for srv, or NULL when none is free. Its
 * stream goes on where the last one left it (everything TCP was given).
 */
static struct srv_conn *
conn_take(struct lm_worker *w, struct lm_tcb *tcb,
	  const struct lm_plan_server *srv)
{
	struct lm_srv *s = w->srv;
	struct srv_conn *c = s->free;

	if (c == NULL)
		return NULL;
	s->free = c->next;
	s->n_busy++;
	c->next = NULL;
	c->tcb = tcb;
	c->srv = srv;
	lm_http_req_init(&c->req);
	c->stream_end = tcb->snd_end - (tcb->iss + 1);
	c->first = 0;
	c->n = 0;
	c->n_sent = 0;
	c->stop_reading = false;
	c->peer_closed = false;
	c->on_ready = false;
	c->mid_request = false;
	c->delim_pos = 0;
	c->req_bytes = 0;
	c->echo_in = c->stream_end;
	c->echo = NULL;
	tcb->app = c;
	return c;
}

/* A connection that lost its state for want of one: counted, reset. */
static void
conn_refused(struct lm_worker *w, struct lm_tcb *tcb,
	     const struct lm_plan_server *srv)
{
	LM_STAT_INC(w->ctr->srv_overflows);
	LM_STAT_INC(server_stats(w, srv)->overflows);
	pending_push(w, tcb, true);
}

static void *
srv_accept(struct lm_worker *w, struct lm_tcb *tcb, void *ctx)
{
	struct lm_srv *s = w->srv;
	const struct lm_plan_server *srv = ctx;
	struct srv_conn *c;

	if (srv->kind == LM_SERVER_ECHO) {
		/* an echo keeps its state and buffer while it lasts */
		c = conn_take(w, tcb, srv);
		if (c != NULL)
			c->echo = s->echo_free;
		if (c == NULL || c->echo == NULL) {
			/* no room: refused, as a full backlog refuses */
			LM_STAT_INC(w->ctr->srv_overflows);
			LM_STAT_INC(server_stats(w, srv)->overflows);
			if (c != NULL)
				conn_free(s, c);
			return NULL;
		}
		s->echo_free = c->echo->next;
	}
	LM_STAT_INC(w->ctr->srv_conns);
	LM_STAT_INC(server_stats(w, srv)->connections);
	return srv->kind == LM_SERVER_ECHO ? (void *)tcb->app :
		(void *)idle_mark(w, srv);
}

/*
 * Give c's state back when the connection is idle: every response sent
 * and acknowledged, no request begun, nothing pending.
 */
static void
conn_rest(struct lm_worker *w, struct srv_conn *c)
{
	struct lm_tcb *tcb = c->tcb;

	if (c->echo != NULL || c->on_ready || c->stop_reading ||
	    c->peer_closed || c->mid_request || c->delim_pos != 0 ||
	    c->req_bytes != 0 || lm_timer_armed(&c->timer) ||
	    tcb->snd_una != tcb->snd_end)
		return;
	reclaim(c);
	if (c->n != 0)
		return;
	tcb->app = idle_mark(w, c->srv);
	conn_free(w->srv, c);
}

/* The route of the request just parsed: its path, or the default. */
static const struct lm_route *
route_of(const struct srv_conn *c)
{
	const struct lm_plan_server *srv = c->srv;

	for (uint32_t i = 0; i < srv->n_routes; i++) {
		const struct lm_route *r = &srv->routes[i];

		if (r->path_hash == c->req.path_hash &&
		    r->path_len == c->req.path_len)
			return r;
	}
	return &srv->dflt;
}

/* Forget the responses TCP no longer needs: all acknowledged. */
static void
reclaim(struct srv_conn *c)
{
	uint32_t acked = c->tcb->snd_una - (c->tcb->iss + 1);

	while (c->n_sent > 0) {
		struct srv_resp *r = resp_at(c, 0);

		if ((int32_t)(acked - (r->start + r->len)) < 0)
			break;
		c->first = (uint8_t)((c->first + 1) % SRV_QUEUE);
		c->n--;
		c->n_sent--;
	}
}

/* Queue the response to a request; false: too many outstanding. */
static bool
push(struct lm_worker *w, struct srv_conn *c, const struct lm_route *route,
     bool close, bool head_only)
{
	struct srv_resp *r;

	if (c->n == SRV_QUEUE)
		reclaim(c);
	if (c->n == SRV_QUEUE)
		return false;
	r = resp_at(c, c->n++);
	r->route = route;
	r->row = UINT32_MAX;
	if (route != &w->srv->bad_request) {
		const struct lm_plan_server *srv = c->srv;
		uint32_t base = w->srv->row_base[srv - w->plan->servers];

		/* a route's row, its default's after them; reply: the one row */
		if (srv->kind != LM_SERVER_HTTP)
			r->row = base;
		else if (route == &srv->dflt)
			r->row = base + srv->n_routes;
		else
			r->row = base + (uint32_t)(route - srv->routes);
	}
	r->close = close;
	r->head_only = head_only;
	r->len = (close ? route->head_close_len : route->head_len) +
		(head_only ? 0 : (uint32_t)route->body_size);
	r->ready_at = w->now + (uint64_t)route->delay_ms * w->ticks_per_ms;
	return true;
}

/*
 * The longest proper prefix of d[0, q) that is also its suffix: where a
 * partial match of the delimiter goes on after a mismatch (Knuth-Morris-
 * Pratt's failure function, computed when needed: delimiters are short).
 */
static uint32_t
delim_border(const uint8_t *d, uint32_t q)
{
	for (uint32_t k = q - 1; k > 0; k--)
		if (memcmp(d, d + q - k, k) == 0)
			return k;
	return 0;
}

/* A reply server: a request ends after N bytes or at the delimiter. */
static void
reply_recv(struct lm_worker *w, struct srv_conn *c, const uint8_t *data,
	   uint32_t len)
{
	const struct lm_plan_server *srv = c->srv;
	const struct lm_route *reply = &w->srv->replies[srv - w->plan->servers];
	bool ended;

	while (len > 0 && !c->stop_reading) {
		if (srv->after_bytes > 0) {
			uint64_t n = RTE_MIN((uint64_t)len,
					     srv->after_bytes - c->req_bytes);

			c->req_bytes += n;
			data += n;
			len -= (uint32_t)n;
			ended = c->req_bytes == srv->after_bytes;
		} else {
			const uint8_t *d = srv->after_delim;
			uint8_t b = *data++;

			len--;
			while (c->delim_pos > 0 && d[c->delim_pos] != b)
				c->delim_pos = delim_border(d, c->delim_pos);
			if (d[c->delim_pos] == b)
				c->delim_pos++;
			ended = c->delim_pos == srv->after_delim_len;
		}
		if (!ended)
			continue;
		c->req_bytes = 0;
		c->delim_pos = 0;
		LM_STAT_INC(w->ctr->srv_requests);
		if (!push(w, c, reply, false, false)) {
			LM_STAT_INC(w->ctr->srv_overflows);
			LM_STAT_INC(srv_stats(w, c)->overflows);
			c->stop_reading = true;
		}
	}
}

/* An echo server: what arrives is kept until it is acknowledged back. */
static void
echo_recv(struct lm_worker *w, struct srv_conn *c, const uint8_t *data,
	  uint32_t len)
{
	uint32_t acked = c->tcb->snd_una - (c->tcb->iss + 1);
	uint32_t at = c->echo_in % ECHO_BUF, n1;

	if (c->stop_reading)
		return;
	if (c->echo_in - acked + len > ECHO_BUF) {
		/* the client sends faster than it reads: no room to echo */
		LM_STAT_INC(w->ctr->srv_overflows);
		LM_STAT_INC(srv_stats(w, c)->overflows);
		c->stop_reading = true;
		return;
	}
	n1 = RTE_MIN(len, ECHO_BUF - at);
	memcpy(c->echo->data + at, data, n1);
	memcpy(c->echo->data, data + n1, len - n1);
	c->echo_in += len;
}

static void
srv_recv(struct lm_worker *w, struct lm_tcb *tcb, const uint8_t *data,
	 uint32_t len)
{
	struct srv_conn *c = tcb->app;
	struct srv_mark *m = mark_of(w->srv, c);

	if (m != NULL) {
		if (m->closing)
			return;         /* closed at the next poll: nothing to read */
		c = conn_take(w, tcb, m->srv);
		if (c == NULL) {
			conn_refused(w, tcb, m->srv);
			return;
		}
	}
	if (c->srv->kind == LM_SERVER_REPLY) {
		reply_recv(w, c, data, len);
		ready_push(w->srv, c);
		return;
	}
	if (c->srv->kind == LM_SERVER_ECHO) {
		echo_recv(w, c, data, len);
		ready_push(w->srv, c);
		return;
	}
	while (len > 0 && !c->stop_reading) {
		size_t used = lm_http_req_feed(&c->req, data, len);

		data += used;
		len -= (uint32_t)used;
		if (lm_http_req_failed(&c->req)) {
			/* RFC 9112 9.6 and 2.2: answer 400, read no more, close */
			LM_STAT_INC(w->ctr->srv_bad_requests);
			LM_STAT_INC(srv_stats(w, c)->bad_requests);
			c->stop_reading = true;
			if (!push(w, c, &w->srv->bad_request, true, false)) {
				LM_STAT_INC(w->ctr->srv_overflows);
				LM_STAT_INC(srv_stats(w, c)->overflows);
			}
			break;
		}
		if (!lm_http_req_done(&c->req)) {
			c->mid_request = true;
			break;
		}
		LM_STAT_INC(w->ctr->srv_requests);
		if (!push(w, c, route_of(c), c->req.conn_close,
			  c->req.method == LM_HTTP_REQ_M_HEAD)) {
			/* a client pipelining deeper than we answer */
			LM_STAT_INC(w->ctr->srv_overflows);
			LM_STAT_INC(srv_stats(w, c)->overflows);
			c->stop_reading = true;
			break;
		}
		/* nothing after a request that asked to close (RFC 9112 9.6) */
		if (c->req.conn_close)
			c->stop_reading = true;
		lm_http_req_init(&c->req);
		c->mid_request = false;
	}
	ready_push(w->srv, c);
}

static void
srv_peer_closed(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct srv_conn *c = tcb->app;
	struct srv_mark *m = mark_of(w->srv, c);

	if (m != NULL) {
		/* idle: nothing left to send, so close as well */
		pending_push(w, tcb, false);
		return;
	}
	c->peer_closed = true;
	c->stop_reading = true;
	ready_push(w->srv, c);
}

static void
srv_acked(struct lm_worker *w, struct lm_tcb *tcb)
{
	if (mark_of(w->srv, tcb->app) == NULL)
		ready_push(w->srv, tcb->app);
}

static void
srv_closed(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
	struct srv_conn *c = tcb->app;
	struct srv_mark *m = mark_of(w->srv, c);
	const struct lm_plan_server *srv = m != NULL ? m->srv : c->srv;

	if (why == LM_TCP_END_RESET) {
		LM_STAT_INC(w->ctr->srv_conn_resets);
		LM_STAT_INC(server_stats(w, srv)->resets);
	} else if (why == LM_TCP_END_RETRANSMIT_LIMIT) {
		LM_STAT_INC(w->ctr->srv_conn_timeouts);
		LM_STAT_INC(server_stats(w, srv)->timeouts);
	}
	if (m != NULL) {
		if (m->closing)
			pending_forget(w->srv, tcb);
		return;
	}
	lm_timer_cancel(&w->wheel, &c->timer);
	c->tcb = NULL;
	/* on the ready list it is freed there */
	if (!c->on_ready)
		conn_free(w->srv, c);
}

void
lm_server_timer_expired(struct lm_worker *w, struct lm_timer *t)
{
	ready_push(w->srv, (struct srv_conn *)t);
}

static void
srv_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off, uint8_t *dst,
	 uint32_t len)
{
	struct srv_conn *c = tcb->app;

	if (unlikely(mark_of(w->srv, c) != NULL)) {
		memset(dst, 0, len);    /* everything was acknowledged: never */
		return;
	}
	if (c->echo != NULL) {
		/* the stream we send is the stream we received */
		for (uint32_t i = 0; i < len; i++)
			dst[i] = c->echo->data[(off + i) % ECHO_BUF];
		return;
	}
	for (uint32_t i = 0; i < c->n_sent && len > 0; i++) {
		const struct srv_resp *r = resp_at(c, i);
		const struct lm_route *rt = r->route;
		uint32_t rel = off - r->start;
		uint32_t hlen = r->close ? rt->head_close_len : rt->head_len;
		const uint8_t *head = r->close ? rt->head_close : rt->head;

		/* a reply has no head: hlen is 0 and head never read */

		if (rel >= r->len)
			continue;       /* before off: acknowledged, or earlier */
		while (len > 0 && rel < r->len) {
			uint32_t n;

			if (rel < hlen) {
				n = RTE_MIN(hlen - rel, len);
				memcpy(dst, head + rel, n);
			} else {
				n = RTE_MIN(r->len - rel, len);
				if (rt->body_text != NULL)
					memcpy(dst, rt->body_text + (rel - hlen), n);
				else
					lm_body_gen(rt->body_seed, rel - hlen, dst, n);
			}
			dst += n;
			len -= n;
			rel += n;
			off += n;
		}
	}
	if (unlikely(len > 0))
		memset(dst, 0, len);    /* not ours to send: never happens */
}

/* Give TCP the responses that are due, in order. */
static void
emit(struct lm_worker *w, struct srv_conn *c)
{
	if (c->echo != NULL && c->echo_in != c->stream_end) {
		uint32_t n = c->echo_in - c->stream_end;

		c->stream_end = c->echo_in;
		LM_STAT_ADD(w->ctr->srv_tx_bytes, n);
		LM_STAT_ADD(w->stats.routes[w->srv->row_base[c->srv -
			    w->plan->servers]].tx_bytes, n);
		lm_tcp_send(w, c->tcb, n);
		return;
	}
	while (c->n_sent < c->n) {
		struct srv_resp *r = resp_at(c, c->n_sent);

		if (r->ready_at > w->now) {
			if (!lm_timer_armed(&c->timer))
				lm_timer_arm(&w->wheel, &c->timer, r->ready_at);
			return;
		}
		r->start = c->stream_end;
		c->stream_end += r->len;
		c->n_sent++;
		LM_STAT_ADD(w->ctr->srv_tx_bytes, r->len);
		if (r->row != UINT32_MAX) {
			LM_STAT_INC(w->stats.routes[r->row].requests);
			LM_STAT_ADD(w->stats.routes[r->row].tx_bytes, r->len);
		}
		lm_tcp_send(w, c->tcb, r->len);
		if (r->close)
			break;  /* nothing goes after a response that closes */
	}
}

/* Act on the connections TCP or a timer put on the ready list. */
void
lm_server_poll(struct lm_worker *w)
{
	struct lm_srv *s = w->srv;
	struct srv_conn *c;

	if (s == NULL)
		return;
	if (s->n_pending > 0)
		pending_flush(w);
	while ((c = s->ready) != NULL) {
		struct lm_tcb *tcb = c->tcb;
		bool last;

		s->ready = c->next;
		c->on_ready = false;
		if (tcb == NULL) {
			conn_free(s, c);        /* TCP closed it meanwhile */
			continue;
		}
		if (c->echo != NULL && c->stop_reading && !c->peer_closed) {
			/* an echo that overflowed: nothing sensible is left */
			lm_tcp_abort(w, tcb);
			continue;
		}
		emit(w, c);
		last = c->n_sent > 0 && resp_at(c, c->n_sent - 1)->close;
		/*
		 * Close once nothing more will be sent and what was sent is
		 * acknowledged (without a send buffer, closing earlier would
		 * leave unacknowledged bytes nobody can regenerate).
		 */
		if ((last || (c->peer_closed && c->n_sent == c->n)) &&
		    tcb->snd_una == tcb->snd_end) {
			lm_timer_cancel(&w->wheel, &c->timer);
			lm_tcp_close(w, tcb);
			conn_free(s, c);
			continue;
		}
		conn_rest(w, c);
	}
}

void
lm_server_quit(struct lm_worker *w)
{
	struct lm_srv *s = w->srv;
	struct srv_conn *c;

	if (s == NULL)
		return;
	/*
	 * Every TCB is gone (lm_tcp_release_all): the states still on the
	 * ready list, which the loop would have freed at its next pass, are
	 * freed here instead.
	 */
	while ((c = s->ready) != NULL) {
		s->ready = c->next;
		c->on_ready = false;
		if (c->tcb == NULL)
			conn_free(s, c);
	}
	s->n_pending = 0;
}

uint32_t
lm_server_busy(const struct lm_worker *w)
{
	return w->srv != NULL ? w->srv->n_busy : 0;
}

void
lm_server_census(const struct lm_worker *w, struct lm_census *cs)
{
	const struct lm_srv *s = w->srv;
	uint64_t free_conns = 0, free_echo = 0;

	if (s == NULL)
		return;
	for (const struct srv_conn *c = s->free; c != NULL; c = c->next)
		free_conns++;
	for (const struct srv_conn *c = s->ready; c != NULL; c = c->next)
		cs->srv_states_ready++;
	for (uint32_t i = 0; i < s->n_conns; i++) {
		const struct srv_conn *c = &s->conns[i];

		/* a state whose TCB was freed without telling it is lost */
		if (c->tcb != NULL && c->tcb->state != LM_TCP_CLOSED &&
		    c->tcb->app == c)
			cs->srv_states_in_conns++;
		if (c->echo != NULL)
			cs->echo_bufs_in_states++;
		if (lm_timer_armed(&c->timer))
			cs->timers_srv_states++;
	}
	cs->srv_states += s->n_conns;
	cs->srv_states_used += s->n_conns - free_conns;
	if (s->echo_bufs != NULL) {
		for (const struct srv_echo *e = s->echo_free; e != NULL; e = e->next)
			free_echo++;
		cs->echo_bufs += ECHO_BUFS;
		cs->echo_bufs_used += ECHO_BUFS - free_echo;
	}
}
