/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP API: GET /metrics (Prometheus), GET /api/status, /api/stats,
 * /api/report (JSON), POST /api/load and /api/stop.
 *
 * The listener (libmicrohttpd, in one thread of its own) never reads the
 * statistics area, the views or the workers: the control loop renders the
 * documents once per interval and publishes them here (a copy under a
 * mutex), and it collects the commands the API queued, at its own pace.
 * A slow or hostile client can then delay nothing but other clients.
 *
 * Status codes: 200, 202 (command queued), 400 (malformed JSON or wrong
 * keys), 401 (missing or wrong bearer token on a POST), 404 (unknown
 * route, or the report before the run ended), 405 (wrong method; Allow
 * says which), 409 (load kind the run does not take), 413 (body over
 * 64 KiB: refused unread when its Content-Length says so; a chunked one
 * is read to its end and dropped, and past 1 MiB the connection is
 * closed instead), 414 and 431 (request line or head over the
 * connection's memory, from libmicrohttpd), 503 (document not published
 * yet, or command queue full); libmicrohttpd answers 400 to what is not
 * HTTP and 505 to a version other than 1.0 and 1.1.
 */
#ifndef LM_API_H
#define LM_API_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "merge.h"
#include "prom.h"

/*
 * What a client, or a flood of them, can cost (docs/metrics.md, "Limits
 * of the HTTP API"). A scraper, a dashboard and a person with curl need a
 * handful of connections; the limits below leave room for far more while
 * bounding the memory and the file descriptors the API can take:
 *
 * - LM_API_CONN_LIMIT connections at once; more wait in the listen backlog
 *   (LM_API_BACKLOG) until one closes; past that the kernel drops their
 *   SYNs (the clients try again).
 * - LM_API_PER_IP_LIMIT of them from one address, so that one client host
 *   cannot take every slot: beyond it a connection is closed at once.
 * - LM_API_CONN_MEMORY bytes per connection (libmicrohttpd's pool, which
 *   holds the request head): a head that does not fit gets 431, or 414
 *   for a request line alone too long. The responses are copies outside
 *   the pool, and bodies go to our own buffer (at most LM_API_MAX_BODY).
 * - LM_API_IDLE_TIMEOUT_S without a byte either way closes a connection.
 * - LM_API_REQUEST_TIMEOUT_S from the moment a connection is ready for a
 *   request (accepted, or its last response sent) to the end of the
 *   response: past it the connection is shut down, however it trickles.
 *   The idle timeout alone does not stop a client sending a byte a
 *   second (slowloris); this deadline does. Ten seconds is Prometheus'
 *   default scrape timeout, and far more than any of our requests needs.
 * - When LM_API_EVICT_AT connections are open, those that have been waiting
 *   LM_API_SLOW_S or more for their request to end (a slow client, or an
 *   idle keep-alive one) are cut, oldest first, until fewer are: a
 *   request that comes in at once and is read at once takes milliseconds,
 *   so that many slow clients (from many addresses) cannot keep the
 *   others out for the whole deadline. The slots above LM_API_EVICT_AT are
 *   for the newcomers.
 */
#define LM_API_CONN_LIMIT 512
#define LM_API_PER_IP_LIMIT 64
#define LM_API_BACKLOG 64
#define LM_API_CONN_MEMORY (16 * 1024)
#define LM_API_IDLE_TIMEOUT_S 10
#define LM_API_REQUEST_TIMEOUT_S 10
#define LM_API_EVICT_AT (LM_API_CONN_LIMIT - 32)
#define LM_API_SLOW_S 1
/* Largest request body read; larger ones get 413. */
#define LM_API_MAX_BODY (64 * 1024)
/* Commands waiting for the control loop; more get 503. */
#define LM_API_QUEUE 16
/* Environment variable holding the token when none is given. */
#define LM_API_TOKEN_ENV "LEMMINGS_API_TOKEN"

enum lm_api_doc {
	LM_API_DOC_METRICS,  /* text/plain; version=0.0.4 (lm_prom_render) */
	LM_API_DOC_STATUS,   /* application/json (lm_api_render_status) */
	LM_API_DOC_STATS,    /* application/json (lm_api_render_stats) */
	LM_API_DOC_REPORT,   /* application/json: the summary, at the end */
	/* downloads, rendered on demand (lm_api_wanted) or at the end */
	LM_API_DOC_SUMMARY,  /* the JSON summary, so far */
	LM_API_DOC_CSV,      /* the statistics table, Locust's _stats.csv */
	LM_API_DOC_HTML,     /* the self-contained HTML report */
	LM_API_DOC_MAX
};

enum lm_api_cmd_kind {
	LM_API_CMD_USERS,    /* POST /api/load {"users": N}: closed model */
	LM_API_CMD_RATE,     /* POST /api/load {"rate": R}: open model */
	LM_API_CMD_STOP,     /* POST /api/stop */
	LM_API_CMD_START,    /* POST /api/start: the run waiting for it starts */
};

struct lm_api_cmd {
	enum lm_api_cmd_kind kind;
	/*
	 * users (a whole number >= 1) or sessions/s (> 0); for START, the
	 * level of the run's model, or < 0: the plan's
	 */
	double value;
	double spawn_rate;   /* START: users/s or sessions/s per s; < 0: plan's */
	double duration_s;   /* START: seconds (> 0); < 0: the plan's */
};

struct lm_api;

/*
 * Listen on addr_port, "[ADDR:]PORT": ADDR an IPv4 address, "[IPv6]" or
 * "localhost"; 127.0.0.1 when left out (the API can stop the run: it is
 * only reachable from elsewhere when asked for). PORT 0 picks a free port
 * (lm_api_port()). token: bearer token every POST must carry; NULL takes
 * it from LEMMINGS_API_TOKEN, and when that is unset or empty POSTs need
 * none. Returns NULL with a message in err on failure.
 *
 * The server runs in a thread of its own, created here on the CPUs of
 * cpus (NULL: the caller's), which should be the control plane's and
 * none of a worker's: a flood of clients then costs the workers nothing.
 * Its limits (connections, memory, deadlines) are in api.c and
 * docs/metrics.md.
 */
struct lm_api *lm_api_start(const char *addr_port, const char *token,
			    const cpu_set_t *cpus, char *err, size_t errlen);

/* Stop listening, wait for the thread, free everything (NULL is fine). */
void lm_api_stop(struct lm_api *a);

/* The port listened on (what PORT 0 picked). */
uint16_t lm_api_port(const struct lm_api *a);

/*
 * Which POST /api/load kinds the run takes (both by default); the other
 * kind is answered 409, so a client is told at once rather than ignored.
 */
void lm_api_accept_load(struct lm_api *a, bool users, bool rate);

/*
 * The most users (closed model) a load change may ask for: the users the
 * run has room for. Above it, 400 (0: no limit).
 */
void lm_api_max_users(struct lm_api *a, uint64_t max_users);

/*
 * Whether the run waits for POST /api/start (--wait-for-start); a start
 * is answered 409 when it does not.
 */
void lm_api_set_waiting(struct lm_api *a, bool waiting);

/* Replace a document with a copy of text[0..len). */
void lm_api_publish(struct lm_api *a, enum lm_api_doc doc, const char *text,
		    size_t len);

/*
 * The on-demand documents someone is waiting for (1 << LM_API_DOC_...):
 * render and publish them. Once lm_api_final() is called, the last
 * version of each is final: publish them all before calling it.
 */
unsigned int lm_api_wanted(struct lm_api *a);
void lm_api_final(struct lm_api *a);

/*
 * GET /api/history: head is the document's start up to and including
 * "\"rows\":[" (it says what the rows hold); each interval adds one row, a
 * JSON object. Returns 0 or -errno (-ENOSPC: the history is full, the
 * rows are no longer kept).
 */
int lm_api_history_head(struct lm_api *a, const char *head);
int lm_api_history_add(struct lm_api *a, const char *row);

/*
 * GET /download/run.hlog: fd reads the log (the API owns it from now),
 * name is the file name a browser saves it under; lm_api_hlog_len() says
 * how far it holds complete lines.
 */
void lm_api_hlog(struct lm_api *a, int fd, const char *name);
void lm_api_hlog_len(struct lm_api *a, uint64_t len);

/* The oldest command not yet taken, if any (never blocks). */
bool lm_api_take_command(struct lm_api *a, struct lm_api_cmd *cmd);

/*
 * The documents, as malloc'd NUL-terminated JSON (free() them); NULL when
 * out of memory.
 *
 * Status: state, plan, shard, elapsed_s, model and targets (from x, which
 * may be NULL), users, connections, requests in flight, requests, ok,
 * failed, runs.
 *
 * Stats (like Locust's /stats/requests): per counted step, requests, ok,
 * failed, req/s and fail/s over the interval, p50/p90/p99/max/mean of the
 * response time in ms (cumulative and over the interval), bytes, errors by
 * reason; the same for all steps; the errors by reason. before may be
 * NULL (no interval yet: rates 0, interval latencies 0).
 */
char *lm_api_render_status(const struct lm_plan *plan,
			   const struct lm_view *now,
			   const struct lm_prom_extra *x);
char *lm_api_render_stats(const struct lm_plan *plan,
			  const struct lm_view *now,
			  const struct lm_view *before, double interval_s);

/*
 * History (/api/history): the head, up to its "rows":[ (the interval and
 * the steps the rows' "steps" follow, those of /api/stats), and one row
 * per interval: t_s (its end, seconds since the start), users,
 * connections, req_s, fail_s, p50_ms and p99_ms of all steps, and per
 * step req_s, p50_ms, p99_ms.
 */
char *lm_api_render_history_head(const struct lm_plan *plan,
				 double interval_s);
char *lm_api_render_history_row(const struct lm_plan *plan,
				const struct lm_view *now,
				const struct lm_view *before, double interval_s,
				double t_s);

/* Whether POSTs need a token. */
bool lm_api_token_required(const struct lm_api *a);

#endif /* LM_API_H */
