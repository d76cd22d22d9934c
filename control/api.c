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

struct api_doc {
	char *text;
	size_t len;
	bool published;
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
	/* atomic: connections cut at the deadline, and for room */
	uint64_t n_cut;
	uint64_t n_evicted;
	pthread_mutex_t lock;         /* docs, queue and accept flags */
	struct api_doc docs[LM_API_DOC_MAX];
	struct lm_api_cmd queue[LM_API_QUEUE];
	unsigned int q_head;          /* oldest command */
	unsigned int q_len;
	bool accept_users;
	bool accept_rate;
	char *token;                  /* NULL: POSTs need no token */
	size_t token_len;
};

enum api_route {
	ROUTE_METRICS,
	ROUTE_STATUS,
	ROUTE_STATS,
	ROUTE_REPORT,
	ROUTE_LOAD,
	ROUTE_STOP,
};

static const struct {
	const char *path;
	bool post;                    /* POST only; else GET and HEAD */
	enum lm_api_doc doc;          /* GET routes */
	const char *ctype;
} routes[] = {
	[ROUTE_METRICS] = { "/metrics", false, LM_API_DOC_METRICS,
			    "text/plain; version=0.0.4; charset=utf-8" },
	[ROUTE_STATUS] = { "/api/status", false, LM_API_DOC_STATUS,
			   "application/json" },
	[ROUTE_STATS] = { "/api/stats", false, LM_API_DOC_STATS,
			  "application/json" },
	[ROUTE_REPORT] = { "/api/report", false, LM_API_DOC_REPORT,
			   "application/json" },
	[ROUTE_LOAD] = { "/api/load", true, 0, NULL },
	[ROUTE_STOP] = { "/api/stop", true, 0, NULL },
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

/* A POST being received: its body so far. */
struct api_req {
	enum api_route route;
	char *body;
	size_t len;
	size_t cap;
	bool too_large;
	size_t discarded;             /* bytes dropped past the limit */
};

/* ---- responses ---- */

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

static enum MHD_Result
serve_doc(struct lm_api *a, struct MHD_Connection *c, enum api_route rt)
{
	const struct api_doc *d = &a->docs[routes[rt].doc];
	struct MHD_Response *r = NULL;
	bool published;

	/* copied while locked: publish may replace the text at any time */
	pthread_mutex_lock(&a->lock);
	published = d->published;
	if (published)
		r = MHD_create_response_from_buffer(d->len, d->text,
						    MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&a->lock);
	if (!published) {
		if (rt == ROUTE_REPORT)
			return respond_error(c, MHD_HTTP_NOT_FOUND,
				"no report yet: the run has not ended", NULL);
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "not available yet", NULL);
	}
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				routes[rt].ctype);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);

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

/* Parse a body as a JSON object; NULL with a message on failure. */
static json_t *
parse_object(const struct api_req *q, char *msg, size_t msglen,
	     bool empty_ok)
{
	json_error_t je;
	json_t *o;

	if (q->len == 0 && empty_ok)
		return json_object();
	o = json_loadb(q->body != NULL ? q->body : "", q->len,
		       JSON_REJECT_DUPLICATES, &je);
	if (o == NULL) {
		snprintf(msg, msglen, "malformed JSON: %s (line %d, column %d)",
			 je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(msg, msglen, "expected a JSON object");
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * {"users": N} or {"rate": R}: exactly one key. Users must be a whole
 * number from 1 (10.0 is taken as 10), the rate any positive number.
 * Returns the status to answer with.
 */
static unsigned int
parse_load(struct lm_api *a, const struct api_req *q, struct lm_api_cmd *cmd,
	   char *msg, size_t msglen)
{
	json_t *o = parse_object(q, msg, msglen, false), *v;
	const char *key;
	bool users, rate;
	double x;

	if (o == NULL)
		return MHD_HTTP_BAD_REQUEST;
	if (json_object_size(o) != 1) {
		snprintf(msg, msglen, "expected exactly one key, "
			 "\"users\" or \"rate\"");
		json_decref(o);
		return MHD_HTTP_BAD_REQUEST;
	}
	key = json_object_iter_key(json_object_iter(o));
	v = json_object_get(o, key);
	users = strcmp(key, "users") == 0;
	rate = strcmp(key, "rate") == 0;
	if (!users && !rate) {
		snprintf(msg, msglen, "unknown key \"%.64s\" (expected "
			 "\"users\" or \"rate\")", key);
		json_decref(o);
		return MHD_HTTP_BAD_REQUEST;
	}
	x = json_is_number(v) ? json_number_value(v) : NAN;
	json_decref(o);
	if (users && !(x >= 1 && x <= UINT32_MAX && x == floor(x))) {
		snprintf(msg, msglen, "\"users\" must be a whole number from 1");
		return MHD_HTTP_BAD_REQUEST;
	}
	if (rate && !(x > 0 && isfinite(x))) {
		snprintf(msg, msglen, "\"rate\" must be a positive number");
		return MHD_HTTP_BAD_REQUEST;
	}
	pthread_mutex_lock(&a->lock);
	bool accepted = users ? a->accept_users : a->accept_rate;
	pthread_mutex_unlock(&a->lock);
	if (!accepted) {
		snprintf(msg, msglen, "this run's load model does not take "
			 "\"%s\"", users ? "users" : "rate");
		return MHD_HTTP_CONFLICT;
	}
	cmd->kind = users ? LM_API_CMD_USERS : LM_API_CMD_RATE;
	cmd->value = x;
	return MHD_HTTP_ACCEPTED;
}

static enum MHD_Result
finish_post(struct lm_api *a, struct MHD_Connection *c, struct api_req *q)
{
	struct lm_api_cmd cmd = { .kind = LM_API_CMD_STOP };
	unsigned int status = MHD_HTTP_ACCEPTED;
	char msg[256];

	if (q->route == ROUTE_LOAD) {
		status = parse_load(a, q, &cmd, msg, sizeof(msg));
	} else {
		/* no body needed; one that is there must be a JSON object */
		json_t *o = parse_object(q, msg, sizeof(msg), true);

		if (o == NULL)
			status = MHD_HTTP_BAD_REQUEST;
		json_decref(o);
	}
	if (status != MHD_HTTP_ACCEPTED)
		return respond_error(c, status, msg, NULL);
	if (!enqueue(a, &cmd))
		return respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				     "too many commands waiting", NULL);
	if (cmd.kind == LM_API_CMD_STOP)
		return respond_json(c, status, json_pack("{s:s}", "accepted",
							 "stop"), NULL);
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
	const char *clen;
	struct api_req *q;
	size_t rt;

	for (rt = 0; rt < N_ROUTES; rt++)
		if (strcmp(url, routes[rt].path) == 0)
			break;
	if (rt == N_ROUTES)
		return respond_error(c, MHD_HTTP_NOT_FOUND, "no such resource",
				     NULL);
	if (routes[rt].post ? !post : !get)
		return respond_error(c, MHD_HTTP_METHOD_NOT_ALLOWED,
				     "method not allowed",
				     routes[rt].post ? "POST" : "GET, HEAD");
	/* before reading any of the body: refusing costs nothing then */
	if (routes[rt].post && !authorized(a, c))
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
	q->route = (enum api_route)rt;
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
	if (!routes[q->route].post)
		return serve_doc(a, c, q->route);
	return finish_post(a, c, q);
}

/* ---- connections and their deadlines (all in the API thread) ---- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

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
	}
	return NULL;
}

/* ---- start and stop ---- */

/* "[ADDR:]PORT" into a socket address; 0 or -EINVAL. */
static int
parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *sl,
	   char *err, size_t errlen)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	char host[INET6_ADDRSTRLEN + 8];
	const char *port = s, *colon;
	unsigned long p;
	char *end;
	size_t hl = 0;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			goto bad;
		hl = (size_t)(close - s - 1);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s + 1, hl);
		port = close + 2;
	} else if ((colon = strrchr(s, ':')) != NULL) {
		hl = (size_t)(colon - s);
		if (hl >= sizeof(host))
			goto bad;
		memcpy(host, s, hl);
		port = colon + 1;
	}
	host[hl] = '\0';
	errno = 0;
	p = strtoul(port, &end, 10);
	if (port[0] < '0' || port[0] > '9' || *end != '\0' || errno != 0 ||
	    p > 65535)
		goto bad;
	if (hl == 0 || strcmp(host, "localhost") == 0) {
		sin->sin_family = AF_INET;
		sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin->sin_port = htons((uint16_t)p);
		*sl = sizeof(*sin);
	} else if (s[0] != '[' && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)p);
		*sl = sizeof(*sin);
	} else if (s[0] == '[' &&
		   inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)p);
		*sl = sizeof(*sin6);
	} else {
		goto bad;
	}
	return 0;
bad:
	snprintf(err, errlen, "API address \"%s\": expected [ADDR:]PORT "
		 "(e.g. 9090, 0.0.0.0:9090, [::1]:9090)", s);
	return -EINVAL;
}

/*
 * The socket is bound here rather than by MHD so that a failure can say
 * why (address in use, not ours to bind, ...).
 */
static int
listen_on(const char *addr_port, uint16_t *port, char *err, size_t errlen)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fd, one = 1;

	if (parse_addr(addr_port, &ss, &sl, err, errlen) != 0)
		return -1;
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "API socket: %s", strerror(errno));
		return -1;
	}
	/* a restart must not wait for the last run's TIME_WAIT */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, sl) != 0 ||
	    listen(fd, LM_API_BACKLOG) != 0) {
		snprintf(err, errlen, "API on %s: %s", addr_port,
			 strerror(errno));
		close(fd);
		return -1;
	}
	sl = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &sl);
	*port = ntohs(ss.ss_family == AF_INET ?
		      ((struct sockaddr_in *)&ss)->sin_port :
		      ((struct sockaddr_in6 *)&ss)->sin6_port);
	return fd;
}

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
	a->accept_users = true;
	a->accept_rate = true;
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
	a->fd = listen_on(addr_port, &a->port, err, errlen);
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
	a->mhd = MHD_start_daemon(MHD_NO_FLAG, 0, NULL, NULL, handle, a,
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
	for (int i = 0; i < LM_API_DOC_MAX; i++)
		free(a->docs[i].text);
	pthread_mutex_destroy(&a->lock);
	free(a->token);
	free(a);
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
	a->accept_users = users;
	a->accept_rate = rate;
	pthread_mutex_unlock(&a->lock);
}

void
lm_api_publish(struct lm_api *a, enum lm_api_doc doc, const char *text,
	       size_t len)
{
	struct api_doc *d;
	char *copy;

	if ((unsigned int)doc >= LM_API_DOC_MAX)
		return;
	/* copied before taking the lock: a GET waits only for the swap */
	copy = malloc(len + 1);
	if (copy == NULL)
		return;         /* the previous version stays: still valid */
	memcpy(copy, text, len);
	copy[len] = '\0';
	d = &a->docs[doc];
	pthread_mutex_lock(&a->lock);
	char *old = d->text;

	d->text = copy;
	d->len = len;
	d->published = true;
	pthread_mutex_unlock(&a->lock);
	free(old);
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
