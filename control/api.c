/* SPDX-License-Identifier: BSD-3-Clause */
/* The HTTP API (see api.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api.h"
#include "api_cmd.h"
#include "api_listen.h"
#include "api_store.h"
#include "ui_assets.h"

/* The thread looks at the deadlines at least this often. */
#define API_POLL_MS 100
/* A chunked body over the limit is read this far for its 413, no more. */
#define API_DISCARD_MAX (1024 * 1024)

/*
 * A connection, from its accept to its close, in the list of deadlines
 * (soonest first: every deadline is the same time after the moment it is
 * set, so a connection whose deadline is set again goes to the tail).
 */
struct api_conn {
	struct api_conn *prev, *next;
	struct MHD_Connection *c;
	uint64_t deadline_ns;
	int fd;                       /* its socket, and the peer on it */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	bool listed;                  /* in the list; not once it is cut */
};

/* A download waiting for the control loop to render its document. */
struct api_wait {
	struct api_wait *next;
	struct MHD_Connection *c;
	enum lm_api_doc doc;
	uint64_t need;                /* the version it waits for */
	uint64_t deadline_ns;         /* then it is answered 503 */
};

struct lm_api {
	struct MHD_Daemon *mhd;
	int fd;                       /* the listening socket */
	uint16_t port;
	pthread_t thread;             /* runs the server (api_thread) */
	bool quit;                    /* atomic: the thread must end */
	/* the thread's own: connections and their deadlines */
	struct api_conn *conn_head, *conn_tail;
	unsigned int n_listed;        /* connections in that list */
	struct api_wait *waits;       /* suspended downloads */
	/* atomic: connections cut at the deadline, and for room */
	uint64_t n_cut;
	uint64_t n_evicted;
	struct lm_api_store store;    /* what is served (its own lock) */
	pthread_mutex_t lock;         /* queue and accept flags */
	struct lm_api_cmd queue[LM_API_QUEUE];
	unsigned int q_head;          /* oldest command */
	unsigned int q_len;
	struct lm_api_accept accept;
	char *token;                  /* NULL: POSTs need no token */
	size_t token_len;
};

enum api_route {
	ROUTE_METRICS,
	ROUTE_STATUS,
	ROUTE_STATS,
	ROUTE_REPORT,
	ROUTE_HISTORY,
	ROUTE_DL_SUMMARY,
	ROUTE_DL_CSV,
	ROUTE_DL_HTML,
	ROUTE_DL_HLOG,
	ROUTE_LOAD,
	ROUTE_STOP,
	ROUTE_START,
	ROUTE_ASSET,                  /* "/" and "/ui/NAME": not in the table */
};

#define JSON_TYPE "application/json"
#define NO_DOC LM_API_DOC_MAX

static const struct {
	const char *path;
	bool post;                    /* POST only; else GET and HEAD */
	enum lm_api_doc doc;          /* GET routes: NO_DOC for none */
	const char *ctype;
	const char *file;             /* a download's name: PLAN-file */
} routes[] = {
	[ROUTE_METRICS] = { "/metrics", false, LM_API_DOC_METRICS,
			    "text/plain; version=0.0.4; charset=utf-8", NULL },
	[ROUTE_STATUS] = { "/api/status", false, LM_API_DOC_STATUS,
			   JSON_TYPE, NULL },
	[ROUTE_STATS] = { "/api/stats", false, LM_API_DOC_STATS, JSON_TYPE,
			  NULL },
	[ROUTE_REPORT] = { "/api/report", false, LM_API_DOC_REPORT, JSON_TYPE,
			   NULL },
	[ROUTE_HISTORY] = { "/api/history", false, NO_DOC, JSON_TYPE, NULL },
	[ROUTE_DL_SUMMARY] = { "/download/summary.json", false,
			       LM_API_DOC_SUMMARY, JSON_TYPE, "summary.json" },
	[ROUTE_DL_CSV] = { "/download/stats.csv", false, LM_API_DOC_CSV,
			   "text/csv; charset=utf-8", "stats.csv" },
	[ROUTE_DL_HTML] = { "/download/report.html", false, LM_API_DOC_HTML,
			    "text/html; charset=utf-8", "report.html" },
	[ROUTE_DL_HLOG] = { "/download/run.hlog", false, NO_DOC,
			    "text/plain; charset=utf-8", NULL },
	[ROUTE_LOAD] = { "/api/load", true, NO_DOC, NULL, NULL },
	[ROUTE_STOP] = { "/api/stop", true, NO_DOC, NULL, NULL },
	[ROUTE_START] = { "/api/start", true, NO_DOC, NULL, NULL },
};
#define N_ROUTES ROUTE_ASSET

/* A download waits this long for its rendering, then gets 503. */
#define API_RENDER_WAIT_S 5

/* A POST being received: its body so far. */
struct api_req {
	enum api_route route;
	char *body;
	size_t len;
	size_t cap;
	bool too_large;
	size_t discarded;             /* bytes dropped past the limit */
	bool waited;                  /* suspended once for its document */
	const struct lm_asset *asset; /* ROUTE_ASSET: the file */
};

/* ---- responses ---- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}


static enum MHD_Result
respond(struct MHD_Connection *c, unsigned int status, const char *ctype,
	const char *body, size_t len, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
					    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	/* every document changes each interval */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"lemmings\"");
	if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
		MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

/* {"error": msg} (or {"accepted": ...} for 202), built with jansson. */
static enum MHD_Result
respond_json(struct MHD_Connection *c, unsigned int status, json_t *o,
	     const char *allow)
{
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT) : NULL;
	enum MHD_Result ret;

	json_decref(o);
	if (text == NULL)
		return MHD_NO;
	ret = respond(c, status, "application/json", text, strlen(text),
		      allow);
	free(text);
	return ret;
}

static enum MHD_Result
respond_error(struct MHD_Connection *c, unsigned int status, const char *msg,
	      const char *allow)
{
	return respond_json(c, status, json_pack("{s:s}", "error", msg),
			    allow);
}

/* A document's response, with its type, and its name when a download. */
static enum MHD_Result
queue_doc(struct lm_api *a, struct MHD_Connection *c, struct MHD_Response *r,
	  enum api_route rt)
{
	enum MHD_Result ret;
	char disp[128];

	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				routes[rt].ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	if (routes[rt].file != NULL || rt == ROUTE_DL_HLOG) {
		if (rt == ROUTE_DL_HLOG) {
			pthread_mutex_lock(&a->store.lock);
			snprintf(disp, sizeof(disp), "attachment; filename=\"%s\"",
				 a->store.hlog_name);
			pthread_mutex_unlock(&a->store.lock);
		} else {
			snprintf(disp, sizeof(disp), "attachment; filename=\""
				 "lemmings-dp-%s\"", routes[rt].file);
		}
		MHD_add_response_header(r, "Content-Disposition", disp);
	}
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static bool
on_demand(enum lm_api_doc doc)
{
	return doc == LM_API_DOC_SUMMARY || doc == LM_API_DOC_CSV ||
		doc == LM_API_DOC_HTML;
}

/*
 * Park a download until the control loop has rendered its document (or
 * API_RENDER_WAIT_S passed): api_thread resumes it, and handle() is
 * called again for it. false when it cannot wait (no memory).
 */
static bool
wait_for_render(struct lm_api *a, struct MHD_Connection *c,
		enum lm_api_doc doc, uint64_t need)
{
	struct api_wait *w = calloc(1, sizeof(*w));

	if (w == NULL)
		return false;
	w->c = c;
	w->doc = doc;
	w->need = need;
	w->deadline_ns = now_ns() + API_RENDER_WAIT_S * 1000000000ull;
	w->next = a->waits;
	a->waits = w;
	MHD_suspend_connection(c);
	return true;
}

/* Resume the downloads whose document came (or whose time is up). */
static void
waits_resume(struct lm_api *a, bool all)
{
	struct api_wait **pp = &a->waits;
	uint64_t now = now_ns();

	while (*pp != NULL) {
		struct api_wait *w = *pp;

		if (all || now >= w->deadline_ns ||
		    lm_api_store_version(&a->store, w->doc) >= w->need) {
			*pp = w->next;
			MHD_resume_connection(w->c);
			free(w);
		} else {
			pp = &w->next;
		}
	}
}

static enum MHD_Result
serve_doc(struct lm_api *a, struct MHD_Connection *c, struct api_req *q)
{
	enum api_route rt = q->route;
	enum lm_api_doc doc = routes[rt].doc;
	struct MHD_Response *r;
	uint64_t version = 0;

	if (rt == ROUTE_HISTORY) {
		r = lm_api_store_history(&a->store);
		if (r == NULL)
			return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
					     "not available yet", NULL);
		return queue_doc(a, c, r, rt);
	}
	if (rt == ROUTE_DL_HLOG) {
		r = lm_api_store_hlog(&a->store);
		if (r == NULL)
			return respond_error(c, MHD_HTTP_NOT_FOUND,
					     "this run writes no HdrHistogram log",
					     NULL);
		return queue_doc(a, c, r, rt);
	}
	if (on_demand(doc) && !q->waited) {
		uint64_t need = lm_api_store_want(&a->store, doc);

		q->waited = true;
		if (need != 0 && wait_for_render(a, c, doc, need))
			return MHD_YES;
	}
	r = lm_api_store_doc(&a->store, doc, &version);
	if (r != NULL)
		return queue_doc(a, c, r, rt);
	if (version > 0)
		return MHD_NO;          /* out of memory */
	if (rt == ROUTE_REPORT)
		return respond_error(c, MHD_HTTP_NOT_FOUND,
				     "no report yet: the run has not ended", NULL);
	return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			     "not available yet", NULL);
}

/*
 * The web UI's files: "/" is index.html, "/ui/NAME" the others. They are
 * part of the binary, so they change only with it: a browser may keep
 * them, but asks again (no-cache) so that a new binary is seen at once.
 */
static const struct lm_asset *
asset_for(const char *url)
{
	if (strcmp(url, "/") == 0)
		return lm_asset_find("index.html");
	if (strncmp(url, "/ui/", 4) == 0 && strchr(url + 4, '/') == NULL)
		return lm_asset_find(url + 4);
	return NULL;
}

static enum MHD_Result
serve_asset(struct MHD_Connection *c, const struct lm_asset *as)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(as->len, (void *)(uintptr_t)as->data,
					    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, as->ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	/* the page needs nothing from elsewhere, and must not be framed */
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; frame-ancestors 'none'");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	ret = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

/* ---- authorization ---- */

/*
 * Whether given equals the token, in a time that depends only on the
 * token's length: how far a guess matches must not show in the timing.
 */
static bool
token_equal(const struct lm_api *a, const char *given, size_t given_len)
{
	volatile unsigned char diff = given_len != a->token_len;

	for (size_t i = 0; i < a->token_len; i++) {
		unsigned char g = i < given_len ? (unsigned char)given[i] : 0;

		diff |= g ^ (unsigned char)a->token[i];
	}
	return diff == 0;
}

static bool
authorized(const struct lm_api *a, struct MHD_Connection *c)
{
	const char *h;

	if (a->token == NULL)
		return true;
	h = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					MHD_HTTP_HEADER_AUTHORIZATION);
	/* the scheme is case-insensitive (RFC 7235) */
	if (h == NULL || strncasecmp(h, "Bearer ", 7) != 0)
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	return token_equal(a, h, strlen(h));
}

/*
 * Whether a POST comes from our own page, or from no page at all (curl,
 * scripts). A browser names the page's origin in Origin on every POST
 * made by a script or a form of another site; such a POST is refused, so
 * that a page elsewhere cannot stop or change the run through the
 * browser of someone who can reach this listener (cross-site request
 * forgery): the token, when set, stops that too, but it is optional.
 */
static bool
same_origin(struct MHD_Connection *c)
{
	const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							 "Origin");
	const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						       MHD_HTTP_HEADER_HOST);

	if (origin == NULL)
		return true;
	if (host == NULL || strncasecmp(origin, "http://", 7) != 0)
		return false;
	return strcasecmp(origin + 7, host) == 0;
}

/* ---- commands ---- */

static bool
enqueue(struct lm_api *a, const struct lm_api_cmd *cmd)
{
	bool ok;

	pthread_mutex_lock(&a->lock);
	ok = a->q_len < LM_API_QUEUE;
	if (ok) {
		a->queue[(a->q_head + a->q_len) % LM_API_QUEUE] = *cmd;
		a->q_len++;
	}
	pthread_mutex_unlock(&a->lock);
	return ok;
}

static enum MHD_Result
finish_post(struct lm_api *a, struct MHD_Connection *c, struct api_req *q)
{
	static const enum lm_api_cmd_kind kinds[] = {
		[ROUTE_LOAD] = LM_API_CMD_USERS,    /* or RATE: the body says */
		[ROUTE_STOP] = LM_API_CMD_STOP,
		[ROUTE_START] = LM_API_CMD_START,
	};
	struct lm_api_accept acc;
	struct lm_api_cmd cmd;
	unsigned int status;
	char msg[256];

	pthread_mutex_lock(&a->lock);
	acc = a->accept;
	pthread_mutex_unlock(&a->lock);
	status = lm_api_parse_cmd(kinds[q->route], q->body, q->len, &acc, &cmd,
				  msg, sizeof(msg));
	if (status != MHD_HTTP_ACCEPTED)
		return respond_error(c, status, msg, NULL);
	if (!enqueue(a, &cmd))
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "too many commands waiting", NULL);
	if (cmd.kind == LM_API_CMD_STOP || cmd.kind == LM_API_CMD_START) {
		/* one start only: a second is refused at once */
		if (cmd.kind == LM_API_CMD_START) {
			pthread_mutex_lock(&a->lock);
			a->accept.waiting = false;
			pthread_mutex_unlock(&a->lock);
		}
		return respond_json(c, status, json_pack("{s:s}", "accepted",
			cmd.kind == LM_API_CMD_STOP ? "stop" : "start"), NULL);
	}
	return respond_json(c, status, json_pack("{s:{s:f}}", "accepted",
		cmd.kind == LM_API_CMD_USERS ? "users" : "rate", cmd.value),
		NULL);
}

/* ---- the request handler ---- */

/* Counts the framing fields of a request head (MHD_KeyValueIterator). */
static enum MHD_Result
count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
	      const char *value)
{
	unsigned int *n = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		n[0]++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		n[1]++;
	return MHD_YES;
}

/*
 * Whether the body's framing is unambiguous. libmicrohttpd 0.9.75 takes
 * the first of two Content-Length fields and ignores the other, and lets
 * Transfer-Encoding override a Content-Length: a request whose length a
 * proxy in front of us could read otherwise (request smuggling) gets 400
 * instead, as RFC 9112 6.3 allows (and requires of differing lengths).
 */
static bool
framing_ok(struct MHD_Connection *c)
{
	unsigned int n[2] = { 0, 0 };

	MHD_get_connection_values(c, MHD_HEADER_KIND, count_framing, n);
	return n[0] <= 1 && n[1] <= 1 && n[0] + n[1] <= 1;
}

static enum MHD_Result
first_call(struct lm_api *a, struct MHD_Connection *c, const char *url,
	   const char *method, void **con_cls)
{
	bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
		strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	bool post = strcmp(method, MHD_HTTP_METHOD_POST) == 0;
	const struct lm_asset *asset = asset_for(url);
	const char *clen;
	struct api_req *q;
	size_t rt;

	for (rt = 0; rt < N_ROUTES; rt++)
		if (strcmp(url, routes[rt].path) == 0)
			break;
	if (rt == N_ROUTES && asset == NULL)
		return respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource",
				     NULL);
	if (rt == N_ROUTES ? !get : routes[rt].post ? !post : !get)
		return respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed", rt < N_ROUTES &&
				     routes[rt].post ? "POST" : "GET, HEAD");
	/* before reading any of the body: refusing costs nothing then */
	if (rt < N_ROUTES && routes[rt].post && !same_origin(c))
		return respond_error(c, MHD_HTTP_FORBIDDEN,
				     "cross-origin request refused", NULL);
	if (rt < N_ROUTES && routes[rt].post && !authorized(a, c))
		return respond_error(c, MHD_HTTP_UNAUTHORIZED,
				     "missing or wrong bearer token", NULL);
	if (!framing_ok(c))
		return respond_error(c, MHD_HTTP_BAD_REQUEST,
				     "ambiguous body length: more than one "
				     "Content-Length or Transfer-Encoding",
				     NULL);
	clen = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (clen != NULL && strtoull(clen, NULL, 10) > LM_API_MAX_BODY)
		return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
				     "request body over 64 KiB", NULL);
	q = calloc(1, sizeof(*q));
	if (q == NULL)
		return MHD_NO;
	q->route = rt < N_ROUTES ? (enum api_route)rt : ROUTE_ASSET;
	q->asset = asset;
	*con_cls = q;
	/*
	 * Even a GET is answered at the next call, once the request has
	 * been read: libmicrohttpd closes the connection after a response
	 * queued before that (so do our errors above, which is what they
	 * want), and a scraper's keep-alive connection would not live.
	 */
	return MHD_YES;
}

static bool
append_body(struct api_req *q, const char *data, size_t n)
{
	if (q->too_large || q->len + n > LM_API_MAX_BODY) {
		q->too_large = true;
		q->discarded += n;
		return true;
	}
	if (q->len + n > q->cap) {
		size_t cap = q->cap ? q->cap : 1024;
		char *b;

		while (cap < q->len + n)
			cap *= 2;
		b = realloc(q->body, cap);
		if (b == NULL)
			return false;
		q->body = b;
		q->cap = cap;
	}
	memcpy(q->body + q->len, data, n);
	q->len += n;
	return true;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
       const char *method, const char *version, const char *upload_data,
       size_t *upload_data_size, void **con_cls)
{
	struct lm_api *a = cls;
	struct api_req *q = *con_cls;

	if (q == NULL)
		return first_call(a, c, url, method, con_cls);
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (!append_body(q, upload_data, n))
			return MHD_NO;
		/*
		 * A chunked body has no Content-Length to refuse up front,
		 * and MHD cannot answer before the body has ended: the rest
		 * is read and dropped, and 413 sent at the end. Past
		 * API_DISCARD_MAX the connection is closed instead, so
		 * that an endless body cannot keep the thread busy.
		 */
		if (q->discarded > API_DISCARD_MAX)
			return MHD_NO;
		return MHD_YES;
	}
	if (q->too_large)
		return respond_error(c, MHD_HTTP_CONTENT_TOO_LARGE,
				     "request body over 64 KiB", NULL);
	if (q->route == ROUTE_ASSET)
		return serve_asset(c, q->asset);
	if (!routes[q->route].post)
		return serve_doc(a, c, q);
	return finish_post(a, c, q);
}

/* ---- connections and their deadlines (all in the API thread) ---- */

static void
conn_unlink(struct lm_api *a, struct api_conn *k)
{
	if (!k->listed)
		return;
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		a->conn_head = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	else
		a->conn_tail = k->prev;
	k->prev = k->next = NULL;
	k->listed = false;
	a->n_listed--;
}

/* (Re)start the connection's time for one request: to the tail. */
static void
conn_arm(struct lm_api *a, struct api_conn *k)
{
	conn_unlink(a, k);
	k->deadline_ns = now_ns() + LM_API_REQUEST_TIMEOUT_S * 1000000000ull;
	k->prev = a->conn_tail;
	k->next = NULL;
	if (a->conn_tail != NULL)
		a->conn_tail->next = k;
	else
		a->conn_head = k;
	a->conn_tail = k;
	k->listed = true;
	a->n_listed++;
}

/*
 * Shut a connection's socket down: libmicrohttpd then reads its end and
 * closes the connection itself (it has no call to close one from outside
 * a request's callbacks). The socket is the one noted at the accept, and
 * only if it still leads to the same peer: libmicrohttpd may have closed
 * it already (its notice comes later), and the number may be another
 * socket's by now, the listening one's included.
 */
static void
conn_cut(struct lm_api *a, struct api_conn *k, uint64_t *count)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);

	conn_unlink(a, k);
	__atomic_fetch_add(count, 1, __ATOMIC_RELAXED);
	if (k->fd < 0 || k->fd == a->fd ||
	    getpeername(k->fd, (struct sockaddr *)&ss, &sl) != 0 ||
	    sl != k->peer_len || memcmp(&ss, &k->peer, sl) != 0)
		return;
	shutdown(k->fd, SHUT_RDWR);
}

/*
 * Cut the connections past their deadline, then, when the slots run
 * short, the slow ones (ready LM_API_SLOW_S ago or more), oldest first.
 */
static void
conn_reap(struct lm_api *a)
{
	uint64_t now = now_ns();
	uint64_t slow = now + (LM_API_REQUEST_TIMEOUT_S - LM_API_SLOW_S) *
		1000000000ull;

	while (a->conn_head != NULL && a->conn_head->deadline_ns <= now)
		conn_cut(a, a->conn_head, &a->n_cut);
	while (a->n_listed >= LM_API_EVICT_AT && a->conn_head->deadline_ns <= slow)
		conn_cut(a, a->conn_head, &a->n_evicted);
}

static void
conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
	    enum MHD_ConnectionNotificationCode toe)
{
	struct lm_api *a = cls;
	struct api_conn *k = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
			MHD_CONNECTION_INFO_CONNECTION_FD);
		int fd = ci != NULL ? ci->connect_fd : -1;

		k = calloc(1, sizeof(*k));
		*socket_context = k;
		if (k == NULL) {
			/* untracked means unbounded: not kept */
			if (fd >= 0 && fd != a->fd)
				shutdown(fd, SHUT_RDWR);
			return;
		}
		k->c = c;
		k->fd = fd;
		k->peer_len = sizeof(k->peer);
		if (fd < 0 || getpeername(fd, (struct sockaddr *)&k->peer,
					  &k->peer_len) != 0)
			k->fd = -1;     /* nothing to shut down: it is gone */
		conn_arm(a, k);
		return;
	}
	if (k == NULL)
		return;
	conn_unlink(a, k);
	free(k);
	*socket_context = NULL;
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
	  enum MHD_RequestTerminationCode toe)
{
	struct lm_api *a = cls;
	struct api_req *q = *con_cls;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	/* a keep-alive connection's next request gets a time of its own */
	if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && ci != NULL &&
	    ci->socket_context != NULL &&
	    ((struct api_conn *)ci->socket_context)->listed)
		conn_arm(a, ci->socket_context);
	if (q == NULL)
		return;
	free(q->body);
	free(q);
	*con_cls = NULL;
}

/*
 * The server's own thread (libmicrohttpd's external mode), so that it is
 * created with the CPUs it may use rather than those of whoever started
 * it, and so that the deadlines are checked between two rounds.
 */
static void *
api_thread(void *arg)
{
	struct lm_api *a = arg;

	while (!__atomic_load_n(&a->quit, __ATOMIC_ACQUIRE)) {
		MHD_run_wait(a->mhd, API_POLL_MS);
		conn_reap(a);
		waits_resume(a, false);
	}
	/* libmicrohttpd stops only with no connection suspended */
	waits_resume(a, true);
	return NULL;
}

/* ---- start and stop ---- */

static int
start_thread(struct lm_api *a, const cpu_set_t *cpus, char *err,
	     size_t errlen)
{
	pthread_attr_t attr;
	int rc;

	pthread_attr_init(&attr);
	if (cpus != NULL)
		rc = pthread_attr_setaffinity_np(&attr, sizeof(*cpus), cpus);
	else
		rc = 0;
	if (rc == 0)
		rc = pthread_create(&a->thread, &attr, api_thread, a);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		snprintf(err, errlen, "API thread: %s", strerror(rc));
		return -rc;
	}
	pthread_setname_np(a->thread, "lm-api");
	return 0;
}

struct lm_api *
lm_api_start(const char *addr_port, const char *token, const cpu_set_t *cpus,
	     char *err, size_t errlen)
{
	struct lm_api *a = calloc(1, sizeof(*a));

	if (a == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&a->lock, NULL);
	lm_api_store_init(&a->store);
	a->accept.users = true;
	a->accept.rate = true;
	if (token == NULL)
		token = getenv(LM_API_TOKEN_ENV);
	if (token != NULL && token[0] != '\0') {
		a->token = strdup(token);
		a->token_len = strlen(token);
		if (a->token == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	a->fd = lm_api_listen(addr_port, &a->port, err, errlen);
	if (a->fd < 0)
		goto fail;
	/*
	 * select(), not epoll: with libmicrohttpd 0.9.75's epoll, a client
	 * that sends part of a head and its FIN at once is sometimes not
	 * seen to have ended (the connection waits for the deadline).
	 * select() takes descriptors under FD_SETSIZE (1024) only: a
	 * connection on a higher one is closed at once by libmicrohttpd, and
	 * LM_API_CONN_LIMIT leaves the rest of the process 512 below it.
	 */
	a->mhd = MHD_start_daemon(MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
				  handle, a,
				  MHD_OPTION_LISTEN_SOCKET, a->fd,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)LM_API_CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)LM_API_PER_IP_LIMIT,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT,
				  (size_t)LM_API_CONN_MEMORY,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)LM_API_IDLE_TIMEOUT_S,
				  MHD_OPTION_NOTIFY_CONNECTION, conn_notify, a,
				  MHD_OPTION_NOTIFY_COMPLETED, completed, a,
				  MHD_OPTION_END);
	if (a->mhd == NULL) {
		snprintf(err, errlen, "API on %s: cannot start the HTTP server",
			 addr_port);
		close(a->fd);
		goto fail;
	}
	if (start_thread(a, cpus, err, errlen) != 0) {
		MHD_stop_daemon(a->mhd);
		goto fail;
	}
	return a;
fail:
	lm_api_store_fini(&a->store);
	pthread_mutex_destroy(&a->lock);
	free(a->token);
	free(a);
	return NULL;
}

void
lm_api_stop(struct lm_api *a)
{
	uint64_t cut, evicted;

	if (a == NULL)
		return;
	__atomic_store_n(&a->quit, true, __ATOMIC_RELEASE);
	pthread_join(a->thread, NULL);
	/* closes the connections and the listening socket it was given */
	MHD_stop_daemon(a->mhd);
	cut = __atomic_load_n(&a->n_cut, __ATOMIC_RELAXED);
	evicted = __atomic_load_n(&a->n_evicted, __ATOMIC_RELAXED);
	/* the operator's answer to "why did my client see a reset" */
	if (cut > 0 || evicted > 0)
		fprintf(stderr, "api: %llu connection(s) cut at the %d s "
			"request deadline, %llu slow one(s) cut to make room\n",
			(unsigned long long)cut, LM_API_REQUEST_TIMEOUT_S,
			(unsigned long long)evicted);
	lm_api_store_fini(&a->store);
	pthread_mutex_destroy(&a->lock);
	free(a->token);
	free(a);
}

bool
lm_api_token_required(const struct lm_api *a)
{
	return a->token != NULL;
}

uint16_t
lm_api_port(const struct lm_api *a)
{
	return a->port;
}

void
lm_api_accept_load(struct lm_api *a, bool users, bool rate)
{
	pthread_mutex_lock(&a->lock);
	a->accept.users = users;
	a->accept.rate = rate;
	pthread_mutex_unlock(&a->lock);
}

void
lm_api_max_users(struct lm_api *a, uint64_t max_users)
{
	pthread_mutex_lock(&a->lock);
	a->accept.max_users = max_users;
	pthread_mutex_unlock(&a->lock);
}

void
lm_api_set_waiting(struct lm_api *a, bool waiting)
{
	pthread_mutex_lock(&a->lock);
	a->accept.waiting = waiting;
	pthread_mutex_unlock(&a->lock);
}

void
lm_api_publish(struct lm_api *a, enum lm_api_doc doc, const char *text,
	       size_t len)
{
	lm_api_store_publish(&a->store, doc, text, len);
}

unsigned int
lm_api_wanted(struct lm_api *a)
{
	return lm_api_store_wanted(&a->store);
}

void
lm_api_final(struct lm_api *a)
{
	lm_api_store_final(&a->store);
}

int
lm_api_history_head(struct lm_api *a, const char *head)
{
	return lm_api_store_history_head(&a->store, head);
}

int
lm_api_history_add(struct lm_api *a, const char *row)
{
	return lm_api_store_history_add(&a->store, row);
}

void
lm_api_hlog(struct lm_api *a, int fd, const char *name)
{
	lm_api_store_hlog_set(&a->store, fd, name);
}

void
lm_api_hlog_len(struct lm_api *a, uint64_t len)
{
	lm_api_store_hlog_len(&a->store, len);
}

bool
lm_api_take_command(struct lm_api *a, struct lm_api_cmd *cmd)
{
	bool got;

	pthread_mutex_lock(&a->lock);
	got = a->q_len > 0;
	if (got) {
		*cmd = a->queue[a->q_head];
		a->q_head = (a->q_head + 1) % LM_API_QUEUE;
		a->q_len--;
	}
	pthread_mutex_unlock(&a->lock);
	return got;
}
