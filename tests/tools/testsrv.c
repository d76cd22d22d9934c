/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-testsrv: a small HTTP/1.1 server that the functional tests run next to
 * nginx in the lab's server namespace. nginx cannot tell a test what it
 * received, nor misbehave on demand; this server can. In digest mode it
 * answers every request with the length and CRC-32C of the body it read
 * (and logs them), and serves generated bodies of any size on /gen. The
 * other modes stall their reads, or reset or close a connection in the
 * middle of a response. Line mode drops HTTP for a small line protocol
 * (PING, ECHO, BYTES, SLOW, QUIT) for raw TCP tests. See README.md beside
 * this file.
 *
 * Single-threaded, level-triggered epoll, non-blocking sockets. Bodies are
 * never stored: uploads are checksummed as they arrive and downloads are
 * generated as the socket accepts them, so sizes are unbounded while memory
 * stays at a few tens of KiB per connection.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "util/body_gen.h"
#include "util/crc32c.h"

#include "srv_util.h"

#define HEAD_MAX	(64 * 1024)	/* request head, or trailers: 431 beyond */
#define IN_CAP0		(16 * 1024)	/* grows to HEAD_MAX for a long head */
#define OUT_CAP		(48 * 1024)	/* holds a whole chunk of a /gen body */
#define SMALL_RESP_MAX	1024		/* a 100 Continue plus any short response */
#define CHUNK_LINE_MAX	4096
#define METHOD_MAX	32
#define GEN_CHUNK	16384
#define FLUSH_MAX	(1024 * 1024)	/* per event: one download must not starve the rest */
#define LINGER_MS	2000
#define RESET_WAIT_MS	2000
#define ACCEPT_PAUSE_MS	100
#define EVENTS_MAX	256
#define LINE_LEN_MAX	4096	/* line mode: a line without its line end */
#define LINE_WORD_LOG	32	/* line mode: command word bytes in the log */
#define SLOW_MS_MAX	86400000

enum srv_mode {
	MODE_DIGEST,
	MODE_STALL,
	MODE_RESET_AFTER,
	MODE_CLOSE_AFTER,
	MODE_LINE,
};

static const char *const mode_names[] = {
	[MODE_DIGEST] = "digest",
	[MODE_STALL] = "stall",
	[MODE_RESET_AFTER] = "reset-after",
	[MODE_CLOSE_AFTER] = "close-after",
	[MODE_LINE] = "line",
};

enum conn_state {
	CS_HEAD,	/* reading a request head */
	CS_STALL,	/* head read; input left in the kernel until the deadline */
	CS_BODY_CL,	/* Content-Length body */
	CS_CHUNK_SIZE,	/* chunked body: chunk-size line */
	CS_CHUNK_DATA,
	CS_CHUNK_END,	/* the CRLF after chunk data */
	CS_TRAILER,	/* trailer section, up to its blank line */
	CS_RESPOND,	/* streaming a body; the next request waits */
	CS_CUT,		/* reset-after, close-after: cut once the output is sent */
	CS_FLUSH_CLOSE,	/* last response queued: FIN once it is sent */
	CS_RESET_WAIT,	/* waiting for the peer's ACK of what we sent, then RST */
	CS_LINGER,	/* FIN sent: discarding input until the peer closes */
	CS_LINE,	/* line mode: reading command lines */
	CS_LINE_DATA,	/* line mode: BYTES streaming; the next line waits */
	CS_LINE_SLOW,	/* line mode: SLOW waiting for its deadline */
};

enum req_kind {
	RK_DIGEST,	/* JSON with the body's length and CRC-32C */
	RK_GEN,		/* GET /gen: generated body */
	RK_404,
	RK_FIXED,	/* reset-after, close-after: --body bytes, cut after --after */
};

struct req {
	char *line;		/* "METHOD TARGET", for the log */
	enum req_kind kind;
	bool head;		/* HEAD: no response body */
	bool http10;
	bool close;		/* no further request on this connection */
	bool chunked;
	uint64_t cl;
	uint64_t bytes;		/* body bytes received */
	uint32_t crc;
	uint64_t gen_size;
	uint64_t gen_seed;
	bool gen_chunked;
};

/* A generated response body, produced into the output buffer as it drains. */
struct stream {
	bool active;
	bool chunked;
	uint64_t seed;
	uint64_t size;
	uint64_t off;		/* bytes of the body produced so far */
	uint64_t cut;		/* produce no more than this; UINT64_MAX: all */
};

struct conn {
	struct conn *prev;
	struct conn *next;
	int fd;
	uint32_t events;	/* as registered with epoll */
	enum conn_state st;
	enum conn_state resume;	/* CS_STALL: the state to go on with */
	bool peer_eof;
	bool need_input;	/* the parser stopped for lack of bytes */
	bool blocked_out;	/* the parser stopped for lack of output room */
	bool again;		/* conn_step stopped with work left, for fairness */
	bool rst;		/* close with RST */
	uint64_t deadline;	/* ms on CLOCK_MONOTONIC; 0: none */
	uint64_t reset_by;	/* CS_RESET_WAIT: reset even if not all ACKed */

	uint8_t *in;
	size_t in_cap;
	size_t in_off;
	size_t in_len;
	size_t scan;		/* bytes after in_off known to hold no blank line */
	bool line_checked;	/* the request line was judged before the head ended */
	uint64_t body_left;	/* of the Content-Length body or of the chunk */

	struct req rq;
	struct stream sm;

	size_t out_off;
	size_t out_len;
	uint8_t out[OUT_CAP];
};

struct srv {
	enum srv_mode mode;
	uint64_t stall_ms;
	uint64_t body;
	uint64_t after;
	uint64_t seed;
	int rcvbuf;		/* 0: the kernel's default */
	int lfd;
	int sfd;
	int efd;
	FILE *log;
	struct conn *conns;
	unsigned int n_timed;	/* connections with a deadline */
	uint64_t end_ms;
	uint64_t accept_resume;	/* 0, or when to accept again after EMFILE */
	/* Their addresses tag the listening socket and the signalfd in epoll. */
	char listen_tag;
	char signal_tag;
};

static void
set_deadline(struct srv *s, struct conn *c, uint64_t ms)
{
	if (c->deadline == 0 && ms != 0)
		s->n_timed++;
	else if (c->deadline != 0 && ms == 0)
		s->n_timed--;
	c->deadline = ms;
}

static int
hexval(unsigned char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* RFC 9110 5.6.2 tchar. */
static bool
is_tchar(unsigned char ch)
{
	if ((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
	    (ch >= 'A' && ch <= 'Z'))
		return true;
	return ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL;
}

static bool
name_is(const char *p, size_t len, const char *name)
{
	return strlen(name) == len && strncasecmp(p, name, len) == 0;
}

/*
 * Output buffer. Free room is counted over the whole buffer: the bytes
 * still to send are moved to the front when the tail is too short.
 */
static size_t
out_free(const struct conn *c)
{
	return OUT_CAP - (c->out_len - c->out_off);
}

static size_t
out_tail(struct conn *c, size_t want)
{
	if (c->out_off == c->out_len) {
		c->out_off = 0;
		c->out_len = 0;
	} else if (OUT_CAP - c->out_len < want && c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	return OUT_CAP - c->out_len;
}

static void
out_printf(struct conn *c, const char *fmt, ...)
{
	size_t room = out_tail(c, SMALL_RESP_MAX);
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf((char *)c->out + c->out_len, room, fmt, ap);
	va_end(ap);
	/*
	 * Cannot fail: a request is only parsed once SMALL_RESP_MAX bytes are
	 * free, and everything it queues, short of a stream, fits in that.
	 */
	if (n > 0 && (size_t)n < room)
		c->out_len += (size_t)n;
}

/* Queue bytes; the caller has made sure that out_free() holds them. */
static void
out_put(struct conn *c, const void *p, size_t len)
{
	size_t room = out_tail(c, len);

	if (len <= room) {
		memcpy(c->out + c->out_len, p, len);
		c->out_len += len;
	}
}

#define OUT_STR(c, lit)	out_put((c), (lit), sizeof(lit) - 1)

/* Produce as much of the stream as the output buffer takes. */
static void
stream_fill(struct conn *c)
{
	struct stream *sm = &c->sm;

	while (sm->active) {
		uint64_t end = sm->size < sm->cut ? sm->size : sm->cut;
		size_t room = out_tail(c, OUT_CAP / 2);
		uint8_t *dst = c->out + c->out_len;
		uint64_t n = end - sm->off;

		if (n > 0 && sm->chunked) {
			int h;

			if (n > GEN_CHUNK)
				n = GEN_CHUNK;
			if (room < n + 32)
				return;
			h = snprintf((char *)dst, room, "%" PRIx64 "\r\n", n);
			lm_body_gen(sm->seed, sm->off, dst + h, n);
			memcpy(dst + h + n, "\r\n", 2);
			c->out_len += (size_t)h + n + 2;
			sm->off += n;
		} else if (n > 0) {
			if (room == 0)
				return;
			if (n > room)
				n = room;
			lm_body_gen(sm->seed, sm->off, dst, n);
			c->out_len += n;
			sm->off += n;
		} else {
			if (sm->chunked && sm->off == sm->size) {
				if (room < 5)
					return;
				memcpy(dst, "0\r\n\r\n", 5);
				c->out_len += 5;
			}
			sm->active = false;
		}
	}
}

/* 0, or -1 when the connection is broken. */
static int
conn_flush(struct conn *c)
{
	size_t sent = 0;

	stream_fill(c);
	while (c->out_off < c->out_len && sent < FLUSH_MAX) {
		ssize_t n = send(c->fd, c->out + c->out_off,
				 c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->out_off += (size_t)n;
		sent += (size_t)n;
		stream_fill(c);
	}
	return 0;
}

static void
req_clear(struct conn *c)
{
	free(c->rq.line);
	memset(&c->rq, 0, sizeof(c->rq));
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 404:
		return "Not Found";
	case 431:
		return "Request Header Fields Too Large";
	case 501:
		return "Not Implemented";
	case 505:
		return "HTTP Version Not Supported";
	default:
		return "Internal Server Error";
	}
}

static void
resp_head(struct conn *c, int status, const char *ctype, uint64_t len,
	  bool chunked)
{
	const struct req *rq = &c->rq;

	out_printf(c, "HTTP/1.1 %d %s\r\nServer: lm-testsrv\r\n"
		   "Content-Type: %s\r\n", status, status_text(status), ctype);
	if (chunked)
		out_printf(c, "Transfer-Encoding: chunked\r\n");
	else
		out_printf(c, "Content-Length: %" PRIu64 "\r\n", len);
	if (rq->close)
		out_printf(c, "Connection: close\r\n");
	else if (rq->http10)
		out_printf(c, "Connection: keep-alive\r\n");
	out_printf(c, "\r\n");
}

/*
 * A request we will not process: say why, then close. The rest of the input
 * is dropped because its framing can no longer be trusted.
 */
static int
req_fail(struct srv *s, struct conn *c, int status)
{
	char body[64];
	int n;

	fprintf(stderr, "lm-testsrv: %d %s%s%s\n", status, status_text(status),
		c->rq.line != NULL ? ": " : "",
		c->rq.line != NULL ? c->rq.line : "");
	c->rq.close = true;
	n = snprintf(body, sizeof(body), "%s\n", status_text(status));
	resp_head(c, status, "text/plain", (uint64_t)n, false);
	out_printf(c, "%s", body);
	req_clear(c);
	set_deadline(s, c, 0);
	c->in_off = c->in_len;
	c->st = CS_FLUSH_CLOSE;
	return 0;
}

/* The parser wants more bytes; at end of input that ends the connection. */
static int
need_more(struct conn *c)
{
	if (!c->peer_eof) {
		c->need_input = true;
		return 0;
	}
	if (c->st == CS_LINE) {
		if (c->in_len > c->in_off)
			fprintf(stderr, "lm-testsrv: input ended inside a line "
				"(%zu bytes without a line end)\n",
				c->in_len - c->in_off);
	} else if (c->st != CS_HEAD || c->in_len > c->in_off) {
		fprintf(stderr, "lm-testsrv: input ended inside a request%s%s\n",
			c->rq.line != NULL ? ": " : "",
			c->rq.line != NULL ? c->rq.line : "");
	}
	req_clear(c);
	c->in_off = c->in_len;
	c->st = CS_FLUSH_CLOSE;
	return 0;
}

/*
 * Find the blank line that ends a head or a trailer section; on success
 * *end is the offset just past it. Bytes already searched are not searched
 * again, so a head that trickles in byte by byte costs linear time.
 */
static bool
find_blank_line(struct conn *c, bool skip_leading, size_t *end)
{
	for (;;) {
		uint8_t *p = c->in + c->in_off + c->scan;
		size_t left = c->in_len - c->in_off - c->scan;
		uint8_t *nl = memchr(p, '\n', left);
		size_t len;

		if (nl == NULL)
			return false;
		len = (size_t)(nl - p);
		if (len == 0 || (len == 1 && p[0] == '\r')) {
			/*
			 * RFC 9112 2.2: a server ought to ignore empty lines
			 * before a request line (some clients send a CRLF after
			 * a body).
			 */
			if (skip_leading && c->scan == 0) {
				c->in_off += len + 1;
				continue;
			}
			*end = c->in_off + c->scan + len + 1;
			return true;
		}
		c->scan += len + 1;
	}
}

/* Next line of a head known to end with a blank line; CR before LF removed. */
static void
next_line(const char **pos, const char **line, size_t *len)
{
	const char *p = *pos;
	const char *nl = strchr(p, '\n');

	*line = p;
	*len = (size_t)(nl - p);
	if (*len > 0 && p[*len - 1] == '\r')
		(*len)--;
	*pos = nl + 1;
}

/* Field value without the whitespace around it; false on a control byte. */
static bool
field_value(const char **v, size_t *len)
{
	const char *p = *v;
	size_t n = *len;
	size_t i;

	while (n > 0 && (p[0] == ' ' || p[0] == '\t')) {
		p++;
		n--;
	}
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return false;
	}
	*v = p;
	*len = n;
	return true;
}

/* Connection: a comma-separated list of options. */
static void
connection_options(const char *v, size_t len, bool *close, bool *keep_alive)
{
	while (len > 0) {
		const char *comma = memchr(v, ',', len);
		size_t n = comma != NULL ? (size_t)(comma - v) : len;
		const char *t = v;
		size_t tl = n;

		field_value(&t, &tl);
		if (name_is(t, tl, "close"))
			*close = true;
		else if (name_is(t, tl, "keep-alive"))
			*keep_alive = true;
		v += n;
		len -= n;
		if (len > 0) {
			v++;
			len--;
		}
	}
}

/* /gen?size=N&seed=S&chunked=1: 0 or 400. */
static int
gen_query(struct req *rq, const char *q, size_t len)
{
	bool have_size = false;

	while (len > 0) {
		const char *amp = memchr(q, '&', len);
		size_t n = amp != NULL ? (size_t)(amp - q) : len;
		const char *eq = memchr(q, '=', n);

		if (eq != NULL) {
			size_t kl = (size_t)(eq - q);
			const char *v = eq + 1;
			size_t vl = n - kl - 1;

			if (name_is(q, kl, "size")) {
				if (!srv_parse_u64n(v, vl, &rq->gen_size))
					return 400;
				have_size = true;
			} else if (name_is(q, kl, "seed")) {
				if (!srv_parse_u64n(v, vl, &rq->gen_seed))
					return 400;
			} else if (name_is(q, kl, "chunked")) {
				if (vl != 1 || (v[0] != '0' && v[0] != '1'))
					return 400;
				rq->gen_chunked = v[0] == '1';
			}
		}
		q += n;
		len -= n;
		if (len > 0) {
			q++;
			len--;
		}
	}
	return have_size ? 0 : 400;
}

/*
 * request-line = method SP request-target SP HTTP-version (RFC 9112 3),
 * without its line end. 0, or the status of the error response.
 */
static int
request_line(const char *l, size_t len, size_t *mlen, size_t *tlen)
{
	size_t i, t;

	for (i = 0; i < len && is_tchar((unsigned char)l[i]); i++)
		;
	if (i == 0 || i > METHOD_MAX || i == len || l[i] != ' ')
		return 400;
	*mlen = i++;
	for (t = i; i < len && l[i] > 0x20 && l[i] < 0x7f; i++)
		;
	*tlen = i - t;
	if (*tlen == 0 || i == len || l[i] != ' ')
		return 400;
	i++;
	if (len - i != 8 || memcmp(l + i, "HTTP/", 5) != 0 ||
	    l[i + 5] < '0' || l[i + 5] > '9' || l[i + 6] != '.' ||
	    l[i + 7] < '0' || l[i + 7] > '9')
		return 400;
	return l[i + 5] == '1' ? 0 : 505;
}

/*
 * Parse a complete head (request line, fields, blank line) and set the
 * connection up for the body. 0, or the status of the error response.
 */
static int
req_head(struct srv *s, struct conn *c, const char *h)
{
	struct req *rq = &c->rq;
	const char *pos = h;
	const char *l;
	size_t len, i, mlen, tlen;
	int r;
	bool have_cl = false, te = false, keep_alive = false, expect = false;
	uint64_t cl = 0;

	memset(rq, 0, sizeof(*rq));
	rq->crc = LM_CRC32C_INIT;

	next_line(&pos, &l, &len);
	r = request_line(l, len, &mlen, &tlen);
	if (r != 0)
		return r;
	rq->http10 = l[len - 1] == '0';

	rq->line = malloc(mlen + 1 + tlen + 1);
	if (rq->line == NULL)
		return 500;
	memcpy(rq->line, l, mlen + 1 + tlen);
	rq->line[mlen + 1 + tlen] = '\0';
	/* Methods are case-sensitive (RFC 9110 9.1). */
	rq->head = mlen == 4 && memcmp(l, "HEAD", 4) == 0;

	for (;;) {
		const char *colon, *v;
		size_t nlen, vlen;

		next_line(&pos, &l, &len);
		if (len == 0)
			break;
		/*
		 * Also rejects obsolete line folding and whitespace before the
		 * colon, as RFC 9112 5.1 and 5.2 ask of a server.
		 */
		colon = memchr(l, ':', len);
		if (colon == NULL || colon == l)
			return 400;
		nlen = (size_t)(colon - l);
		for (i = 0; i < nlen; i++)
			if (!is_tchar((unsigned char)l[i]))
				return 400;
		v = colon + 1;
		vlen = len - nlen - 1;
		if (!field_value(&v, &vlen))
			return 400;
		if (name_is(l, nlen, "content-length")) {
			uint64_t x;

			if (!srv_parse_u64n(v, vlen, &x) || (have_cl && x != cl))
				return 400;
			have_cl = true;
			cl = x;
		} else if (name_is(l, nlen, "transfer-encoding")) {
			/* We decode chunked only; RFC 9112 6.1 wants 501 for the rest. */
			if (te)
				return 400;
			if (!name_is(v, vlen, "chunked"))
				return 501;
			te = true;
		} else if (name_is(l, nlen, "connection")) {
			connection_options(v, vlen, &rq->close, &keep_alive);
		} else if (name_is(l, nlen, "expect")) {
			expect = name_is(v, vlen, "100-continue");
		}
	}

	/* RFC 9112 6.1: chunked in HTTP/1.0 means the framing is faulty. */
	if (te && rq->http10)
		return 400;
	/* RFC 9112 6.3: chunked overrides Content-Length; close afterwards. */
	if (te && have_cl)
		rq->close = true;
	if (rq->http10 && !keep_alive)
		rq->close = true;
	rq->chunked = te;
	rq->cl = te ? 0 : cl;

	if (s->mode == MODE_RESET_AFTER || s->mode == MODE_CLOSE_AFTER) {
		rq->kind = RK_FIXED;
	} else if (rq->head || (mlen == 3 && memcmp(rq->line, "GET", 3) == 0)) {
		const char *path = rq->line + mlen + 1;

		if (strncmp(path, "/gen", 4) == 0 &&
		    (path[4] == '\0' || path[4] == '?')) {
			r = gen_query(rq, path + 4 + (path[4] == '?'),
				      strlen(path + 4) - (path[4] == '?'));
			if (r != 0)
				return r;
			rq->kind = RK_GEN;
		} else {
			rq->kind = RK_404;
		}
	} else {
		rq->kind = RK_DIGEST;
	}

	if (expect && !rq->http10 && (te || cl > 0))
		out_printf(c, "HTTP/1.1 100 Continue\r\n\r\n");
	c->body_left = rq->cl;
	c->st = te ? CS_CHUNK_SIZE : CS_BODY_CL;
	if (s->mode == MODE_STALL) {
		/* The stall starts after the head: the body piles up in the kernel. */
		c->resume = c->st;
		c->st = CS_STALL;
		set_deadline(s, c, srv_now_ms() + (s->stall_ms > 0 ? s->stall_ms : 1));
	}
	return 0;
}

static void
stream_start(struct conn *c, uint64_t seed, uint64_t size, uint64_t cut,
	     bool chunked)
{
	struct stream *sm = &c->sm;

	sm->seed = seed;
	sm->size = size;
	sm->off = 0;
	sm->cut = cut;
	sm->chunked = chunked;
	sm->active = true;
}

/* The whole body is in: log the request and queue its response. */
static void
req_done(struct srv *s, struct conn *c)
{
	struct req *rq = &c->rq;
	uint32_t crc = lm_crc32c_final(rq->crc);
	char body[96];
	int n;

	if (s->log != NULL) {
		fprintf(s->log, "%s %" PRIu64 " %08" PRIx32 "\n", rq->line,
			rq->bytes, crc);
		fflush(s->log);
	}
	switch (rq->kind) {
	case RK_DIGEST:
		n = snprintf(body, sizeof(body),
			     "{\"bytes\": %" PRIu64 ", \"crc32c\": \"%08" PRIx32 "\"}\n",
			     rq->bytes, crc);
		resp_head(c, 200, "application/json", (uint64_t)n, false);
		out_printf(c, "%s", body);
		break;
	case RK_404:
		resp_head(c, 404, "text/plain", 10, false);
		if (!rq->head)
			out_printf(c, "not found\n");
		break;
	case RK_GEN:
		/* An HTTP/1.0 client cannot read chunked framing. */
		if (rq->http10)
			rq->gen_chunked = false;
		resp_head(c, 200, "application/octet-stream", rq->gen_size,
			  rq->gen_chunked);
		if (!rq->head)
			stream_start(c, rq->gen_seed, rq->gen_size, UINT64_MAX,
				     rq->gen_chunked);
		break;
	case RK_FIXED:
		resp_head(c, 200, "application/octet-stream", s->body, false);
		if (!rq->head)
			stream_start(c, s->seed, s->body, s->after, false);
		break;
	}
	c->st = CS_RESPOND;
}

/* The response is fully produced (maybe not yet sent): what comes next. */
static void
after_response(struct conn *c)
{
	if (c->rq.kind == RK_FIXED) {
		c->st = CS_CUT;
	} else if (c->rq.close) {
		c->st = CS_FLUSH_CLOSE;
	} else {
		c->st = CS_HEAD;
		c->scan = 0;
		c->line_checked = false;
	}
	req_clear(c);
}

static void
body_consume(struct conn *c)
{
	size_t avail = c->in_len - c->in_off;
	size_t n = avail < c->body_left ? avail : (size_t)c->body_left;

	c->rq.crc = lm_crc32c_update(c->rq.crc, c->in + c->in_off, n);
	c->rq.bytes += n;
	c->in_off += n;
	c->body_left -= n;
}

/* Chunk-size line. 1: parsed; 0: stopped (needs input, or req_fail). */
static int
chunk_size_line(struct srv *s, struct conn *c)
{
	uint8_t *p = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off;
	uint8_t *nl = memchr(p, '\n', avail);
	uint64_t size = 0;
	size_t len, i;

	if (nl == NULL) {
		if (avail > CHUNK_LINE_MAX)
			return req_fail(s, c, 400);
		return need_more(c);
	}
	len = (size_t)(nl - p);
	if (len > 0 && p[len - 1] == '\r')
		len--;
	for (i = 0; i < len && hexval(p[i]) >= 0; i++) {
		if (size >> 60)
			return req_fail(s, c, 400);
		size = size << 4 | (uint64_t)hexval(p[i]);
	}
	if (i == 0)
		return req_fail(s, c, 400);
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	/* Chunk extensions are allowed and ignored. */
	if (i < len && p[i] != ';')
		return req_fail(s, c, 400);
	for (; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\t') || p[i] == 0x7f)
			return req_fail(s, c, 400);
	c->in_off += (size_t)(nl - p) + 1;
	if (size == 0) {
		c->st = CS_TRAILER;
		c->scan = 0;
	} else {
		c->body_left = size;
		c->st = CS_CHUNK_DATA;
	}
	return 1;
}

/*
 * A client that sends a bad request line and waits would otherwise wait
 * for a 431 at 64 KiB: judge the line as soon as it is complete.
 */
static bool
bad_first_line(struct conn *c)
{
	const char *l = (const char *)c->in + c->in_off;
	size_t len, mlen, tlen;

	if (c->scan == 0 || c->line_checked)
		return false;
	/* find_blank_line stopped after it: scan ends past its '\n'. */
	len = (size_t)((const char *)memchr(l, '\n', c->scan) - l);
	if (len > 0 && l[len - 1] == '\r')
		len--;
	c->line_checked = true;
	return request_line(l, len, &mlen, &tlen) != 0;
}

/* Line mode: "LINE WORD", WORD made printable and short. */
static void
line_log(struct srv *s, const uint8_t *w, size_t wl)
{
	char buf[LINE_WORD_LOG + 1];
	size_t i;

	if (s->log == NULL)
		return;
	if (wl > LINE_WORD_LOG)
		wl = LINE_WORD_LOG;
	for (i = 0; i < wl; i++)
		buf[i] = w[i] > 0x20 && w[i] < 0x7f ? (char)w[i] : '?';
	if (wl == 0)
		buf[wl++] = '-';
	buf[wl] = '\0';
	fprintf(s->log, "LINE %s\n", buf);
	fflush(s->log);
}

static bool
word_is(const uint8_t *w, size_t wl, const char *name)
{
	return strlen(name) == wl && memcmp(w, name, wl) == 0;
}

/*
 * Line mode: answer one complete line. 1: handled; 0: stopped (needs input
 * or output room, or closing).
 */
static int
line_step(struct srv *s, struct conn *c)
{
	const uint8_t *p = c->in + c->in_off;
	size_t avail = c->in_len - c->in_off;
	const uint8_t *nl, *arg;
	size_t len, wl, al;
	uint64_t v;
	bool too_long;

	/* Room for the longest answer: PONG or ECHO of a whole line. */
	if (out_free(c) < LINE_LEN_MAX + 16) {
		c->blocked_out = true;
		return 0;
	}
	/* A line, its CR and its LF fit in LINE_LEN_MAX + 2 bytes. */
	nl = memchr(p, '\n', avail < LINE_LEN_MAX + 2 ? avail : LINE_LEN_MAX + 2);
	if (nl != NULL) {
		len = (size_t)(nl - p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		too_long = len > LINE_LEN_MAX;
	} else {
		/* Judged before the line end comes, if the bytes already say. */
		len = 0;
		too_long = avail > LINE_LEN_MAX + 1 ||
			   (avail == LINE_LEN_MAX + 1 && p[LINE_LEN_MAX] != '\r');
	}
	if (too_long) {
		fprintf(stderr, "lm-testsrv: line longer than %d bytes, closing\n",
			LINE_LEN_MAX);
		OUT_STR(c, "ERR too long\r\n");
		c->in_off = c->in_len;
		c->st = CS_FLUSH_CLOSE;
		return 0;
	}
	if (nl == NULL)
		return need_more(c);
	c->in_off += (size_t)(nl - p) + 1;

	arg = memchr(p, ' ', len);
	wl = arg != NULL ? (size_t)(arg - p) : len;
	if (arg != NULL) {
		arg++;
		al = len - wl - 1;
	} else {
		arg = p + len;
		al = 0;
	}
	line_log(s, p, wl);

	if (word_is(p, wl, "PING")) {
		OUT_STR(c, "PONG");
		out_put(c, p + 4, len - 4);
		OUT_STR(c, "\r\n");
	} else if (word_is(p, wl, "ECHO")) {
		out_put(c, arg, al);
		OUT_STR(c, "\r\n");
	} else if (word_is(p, wl, "BYTES") &&
		   srv_parse_u64n((const char *)arg, al, &v)) {
		if (v > 0) {
			stream_start(c, 0, v, UINT64_MAX, false);
			c->st = CS_LINE_DATA;
		}
	} else if (word_is(p, wl, "SLOW") &&
		   srv_parse_u64n((const char *)arg, al, &v) && v <= SLOW_MS_MAX) {
		/* +1: srv_now_ms() truncates, and the wait must be at least v. */
		set_deadline(s, c, srv_now_ms() + v + 1);
		c->st = CS_LINE_SLOW;
	} else if (word_is(p, wl, "QUIT") && len == 4) {
		OUT_STR(c, "BYE\r\n");
		/* Whatever came after QUIT stays unanswered. */
		c->in_off = c->in_len;
		c->st = CS_FLUSH_CLOSE;
	} else {
		OUT_STR(c, "ERR unknown\r\n");
	}
	return 1;
}

/*
 * Process buffered input as far as it goes. Stops when it needs more input
 * (need_input), more output room (blocked_out), or when the state does not
 * read (stall, response streaming, closing).
 */
static void
conn_parse(struct srv *s, struct conn *c)
{
	size_t end;
	int r;

	c->need_input = false;
	c->blocked_out = false;
	for (;;) {
		switch (c->st) {
		case CS_HEAD:
			if (out_free(c) < SMALL_RESP_MAX) {
				c->blocked_out = true;
				return;
			}
			if (!find_blank_line(c, true, &end)) {
				if (c->in_len - c->in_off >= HEAD_MAX)
					req_fail(s, c, 431);
				else if (bad_first_line(c))
					req_fail(s, c, 400);
				else
					need_more(c);
				return;
			}
			/* A NUL would end the line search early; it is no HTTP. */
			if (memchr(c->in + c->in_off, '\0', end - c->in_off) != NULL) {
				req_fail(s, c, 400);
				return;
			}
			/* No NUL, and a '\n' at its end: next_line may use strchr. */
			r = req_head(s, c, (const char *)c->in + c->in_off);
			c->in_off = end;
			if (r != 0) {
				req_fail(s, c, r);
				return;
			}
			break;
		case CS_BODY_CL:
			body_consume(c);
			if (c->body_left > 0) {
				need_more(c);
				return;
			}
			req_done(s, c);
			break;
		case CS_CHUNK_SIZE:
			if (chunk_size_line(s, c) <= 0)
				return;
			break;
		case CS_CHUNK_DATA:
			body_consume(c);
			if (c->body_left > 0) {
				need_more(c);
				return;
			}
			c->st = CS_CHUNK_END;
			break;
		case CS_CHUNK_END: {
			const uint8_t *p = c->in + c->in_off;
			size_t avail = c->in_len - c->in_off;

			if (avail >= 1 && p[0] == '\n') {
				c->in_off++;
			} else if (avail >= 1 && p[0] != '\r') {
				req_fail(s, c, 400);
				return;
			} else if (avail < 2) {
				need_more(c);
				return;
			} else if (p[1] == '\n') {
				c->in_off += 2;
			} else {
				req_fail(s, c, 400);
				return;
			}
			c->st = CS_CHUNK_SIZE;
			break;
		}
		case CS_TRAILER:
			if (!find_blank_line(c, false, &end)) {
				if (c->in_len - c->in_off >= HEAD_MAX)
					req_fail(s, c, 431);
				else
					need_more(c);
				return;
			}
			c->in_off = end;
			req_done(s, c);
			break;
		case CS_LINE:
			if (line_step(s, c) <= 0)
				return;
			break;
		default:
			return;
		}
	}
}

/* Reset once the peer has ACKed all we sent, so the cut is at --after. */
static int
reset_check(struct srv *s, struct conn *c)
{
	int queued = 0;
	uint64_t now = srv_now_ms();

	if (ioctl(c->fd, SIOCOUTQ, &queued) < 0 || queued <= 0 ||
	    now >= c->reset_by) {
		c->rst = true;
		return -1;
	}
	set_deadline(s, c, now + 1);
	return 0;
}

/*
 * Send a FIN, then read until the peer closes: a close() with unread input
 * would send an RST, which can destroy the response in flight.
 */
static int
start_linger(struct srv *s, struct conn *c)
{
	shutdown(c->fd, SHUT_WR);
	if (c->peer_eof)
		return -1;
	c->st = CS_LINGER;
	set_deadline(s, c, srv_now_ms() + LINGER_MS);
	return 0;
}

/*
 * Parse, send, move on. -1: free the connection. A client that pipelines
 * many requests gets a few of them answered per event; the rest wait for
 * the next round (see conn_arm), after the other connections have had theirs.
 */
static int
conn_step(struct srv *s, struct conn *c)
{
	int i;

	c->again = false;
	for (i = 0; i < 8; i++) {
		enum conn_state st0 = c->st;
		size_t off0 = c->in_off;

		conn_parse(s, c);
		if (conn_flush(c) < 0)
			return -1;
		if (c->st == CS_RESPOND && !c->sm.active)
			after_response(c);
		else if (c->st == CS_LINE_DATA && !c->sm.active)
			c->st = CS_LINE;
		if (c->out_off == c->out_len) {
			if (c->st == CS_FLUSH_CLOSE ||
			    (c->st == CS_CUT && s->mode == MODE_CLOSE_AFTER))
				return start_linger(s, c);
			if (c->st == CS_CUT) {
				c->st = CS_RESET_WAIT;
				c->reset_by = srv_now_ms() + RESET_WAIT_MS;
				return reset_check(s, c);
			}
		}
		if (c->st == st0 && c->in_off == off0)
			return 0;
	}
	c->again = true;
	return 0;
}

/* Read once. -1: free the connection. */
static int
conn_read(struct conn *c, uint32_t ev)
{
	ssize_t n;

	if (c->st == CS_LINGER) {
		uint8_t scratch[16384];

		n = recv(c->fd, scratch, sizeof(scratch), 0);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return n <= 0 ? -1 : 0;
	}
	if (!c->need_input || c->peer_eof)
		return (ev & EPOLLHUP) ? -1 : 0;

	if (c->in_off == c->in_len) {
		c->in_off = 0;
		c->in_len = 0;
	} else if (c->in_off > 0 && c->in_cap - c->in_len < IN_CAP0 / 4) {
		memmove(c->in, c->in + c->in_off, c->in_len - c->in_off);
		c->in_len -= c->in_off;
		c->in_off = 0;
	}
	/*
	 * The parser fails a head or trailer section of HEAD_MAX bytes before
	 * asking for more, so a full buffer of that size is never read into.
	 */
	if (c->in_len == c->in_cap) {
		size_t cap = c->in_cap * 2 < HEAD_MAX ? c->in_cap * 2 : HEAD_MAX;
		uint8_t *p;

		if (cap <= c->in_cap)
			return -1;
		p = realloc(c->in, cap);
		if (p == NULL)
			return -1;
		c->in = p;
		c->in_cap = cap;
	}
	n = recv(c->fd, c->in + c->in_len, c->in_cap - c->in_len, 0);
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	if (n == 0)
		c->peer_eof = true;
	c->in_len += (size_t)n;
	return 0;
}

static int
conn_arm(struct srv *s, struct conn *c)
{
	struct epoll_event e;
	uint32_t ev = 0;

	if (c->st == CS_LINGER || (c->need_input && !c->peer_eof))
		ev |= EPOLLIN;
	/* EPOLLOUT on a socket with room reports at once: the way back for again. */
	if (c->out_len > c->out_off || c->sm.active || c->blocked_out ||
	    c->again)
		ev |= EPOLLOUT;
	if (ev == c->events)
		return 0;
	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = c;
	if (epoll_ctl(s->efd, EPOLL_CTL_MOD, c->fd, &e) < 0)
		return -1;
	c->events = ev;
	return 0;
}

static void
conn_free(struct srv *s, struct conn *c)
{
	/* Worth a line: a test that sees an upload fail wants to know where. */
	if (c->rq.line != NULL && c->st == CS_RESPOND)
		fprintf(stderr, "lm-testsrv: connection closed during the response "
			"to %s\n", c->rq.line);
	else if (c->rq.line != NULL)
		fprintf(stderr, "lm-testsrv: connection closed inside a request: "
			"%s after %" PRIu64 " body bytes\n", c->rq.line,
			c->rq.bytes);
	if (c->rst) {
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	}
	close(c->fd);
	set_deadline(s, c, 0);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	req_clear(c);
	free(c->in);
	free(c);
}

static void
conn_event(struct srv *s, struct conn *c, uint32_t ev)
{
	if ((ev & EPOLLERR) ||
	    ((ev & (EPOLLIN | EPOLLHUP)) && conn_read(c, ev) < 0) ||
	    conn_step(s, c) < 0 || conn_arm(s, c) < 0)
		conn_free(s, c);
}

static void
conn_new(struct srv *s, int fd)
{
	struct epoll_event e;
	struct conn *c;
	int one = 1;

	c = calloc(1, sizeof(*c));
	if (c != NULL)
		c->in = malloc(IN_CAP0);
	if (c == NULL || c->in == NULL) {
		free(c);
		close(fd);
		return;
	}
	/* Responses go out whole; Nagle would only delay pipelined ones. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	c->in_cap = IN_CAP0;
	c->st = CS_HEAD;
	c->need_input = true;
	c->events = EPOLLIN;
	if (s->mode == MODE_LINE) {
		/* EPOLLOUT reports at once and sends the greeting. */
		c->st = CS_LINE;
		OUT_STR(c, "HELLO lm-testsrv\r\n");
		c->events |= EPOLLOUT;
	}
	memset(&e, 0, sizeof(e));
	e.events = c->events;
	e.data.ptr = c;
	if (epoll_ctl(s->efd, EPOLL_CTL_ADD, fd, &e) < 0) {
		free(c->in);
		free(c);
		close(fd);
		return;
	}
	c->next = s->conns;
	if (c->next != NULL)
		c->next->prev = c;
	s->conns = c;
}

static void
listen_arm(struct srv *s, uint32_t ev)
{
	struct epoll_event e;

	memset(&e, 0, sizeof(e));
	e.events = ev;
	e.data.ptr = &s->listen_tag;
	epoll_ctl(s->efd, EPOLL_CTL_MOD, s->lfd, &e);
}

static void
accept_all(struct srv *s)
{
	int i;

	for (i = 0; i < 64; i++) {
		int fd = accept4(s->lfd, NULL, NULL,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0) {
			conn_new(s, fd);
			continue;
		}
		if (errno == EINTR || errno == ECONNABORTED)
			continue;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
		    errno == ENOMEM) {
			/* Level-triggered: the backlog would wake us in a loop. */
			fprintf(stderr, "lm-testsrv: accept: %s\n", strerror(errno));
			listen_arm(s, 0);
			s->accept_resume = srv_now_ms() + ACCEPT_PAUSE_MS;
		}
		return;
	}
}

static void
timers_run(struct srv *s, uint64_t now)
{
	struct conn *c, *next;

	if (s->accept_resume != 0 && now >= s->accept_resume) {
		s->accept_resume = 0;
		listen_arm(s, EPOLLIN);
	}
	if (s->n_timed == 0)
		return;
	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->deadline == 0 || now < c->deadline)
			continue;
		set_deadline(s, c, 0);
		if (c->st == CS_STALL) {
			c->st = c->resume;
			if (conn_step(s, c) < 0 || conn_arm(s, c) < 0)
				conn_free(s, c);
		} else if (c->st == CS_RESET_WAIT) {
			if (reset_check(s, c) < 0)
				conn_free(s, c);
		} else if (c->st == CS_LINE_SLOW) {
			/* line_step left room for this when it took the SLOW. */
			OUT_STR(c, "OK\r\n");
			c->st = CS_LINE;
			if (conn_step(s, c) < 0 || conn_arm(s, c) < 0)
				conn_free(s, c);
		} else {
			/* CS_LINGER: the peer did not close; give up on it. */
			conn_free(s, c);
		}
	}
}

static int
next_timeout(const struct srv *s, uint64_t now)
{
	uint64_t t = s->end_ms;
	const struct conn *c;

	if (s->accept_resume != 0 && s->accept_resume < t)
		t = s->accept_resume;
	if (s->n_timed > 0)
		for (c = s->conns; c != NULL; c = c->next)
			if (c->deadline != 0 && c->deadline < t)
				t = c->deadline;
	if (t <= now)
		return 0;
	return t - now > 60000 ? 60000 : (int)(t - now);
}

static int
srv_loop(struct srv *s)
{
	struct epoll_event evs[EVENTS_MAX];

	for (;;) {
		uint64_t now = srv_now_ms();
		int n, i;

		if (now >= s->end_ms) {
			fprintf(stderr, "lm-testsrv: --max-seconds reached, exiting\n");
			return 0;
		}
		n = epoll_wait(s->efd, evs, EVENTS_MAX, next_timeout(s, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("lm-testsrv: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &s->listen_tag) {
				accept_all(s);
			} else if (p == &s->signal_tag) {
				struct signalfd_siginfo si;

				if (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
					fprintf(stderr, "lm-testsrv: signal %u, exiting\n",
						si.ssi_signo);
					return 0;
				}
			} else {
				conn_event(s, p, evs[i].events);
			}
		}
		timers_run(s, srv_now_ms());
	}
}

static int
srv_listen(struct srv *s, const char *addr)
{
	s->lfd = srv_listen_socket("lm-testsrv", addr, s->rcvbuf);
	return s->lfd < 0 ? -1 : 0;
}

static int
crc_of_gen(const char *size_arg, const char *seed_arg)
{
	uint8_t buf[65536];
	uint64_t size, seed, off;
	uint32_t crc = LM_CRC32C_INIT;

	if (!srv_parse_u64(size_arg, &size) || !srv_parse_u64(seed_arg, &seed)) {
		fprintf(stderr, "lm-testsrv: --crc-of-gen SIZE SEED: decimal numbers\n");
		return 2;
	}
	for (off = 0; off < size;) {
		size_t n = size - off < sizeof(buf) ? (size_t)(size - off) : sizeof(buf);

		lm_body_gen(seed, off, buf, n);
		crc = lm_crc32c_update(crc, buf, n);
		off += n;
	}
	printf("%08" PRIx32 "\n", lm_crc32c_final(crc));
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: lm-testsrv --listen IP:PORT [--log FILE] [--pidfile FILE]\n"
		"                  [--mode digest|stall|reset-after|close-after|line]\n"
		"                  [--stall-ms MS] [--rcvbuf BYTES] [--body BYTES]\n"
		"                  [--after BYTES] [--seed S] [--max-seconds N]\n"
		"       lm-testsrv --crc-of-gen SIZE SEED\n");
}

static int
opt_u64(const char *name, const char *arg, uint64_t max, uint64_t *v)
{
	if (!srv_parse_u64(arg, v) || *v > max) {
		fprintf(stderr, "lm-testsrv: bad %s '%s'\n", name, arg);
		return -1;
	}
	return 0;
}

static int
parse_args(struct srv *s, int argc, char **argv, const char **listen_addr,
	   const char **log_path, const char **pid_path)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "log", required_argument, NULL, 'L' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "mode", required_argument, NULL, 'm' },
		{ "stall-ms", required_argument, NULL, 's' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "body", required_argument, NULL, 'b' },
		{ "after", required_argument, NULL, 'a' },
		{ "seed", required_argument, NULL, 'S' },
		{ "max-seconds", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t max_s = 600, v;
	bool rcvbuf_set = false;
	int o;
	size_t i;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			*listen_addr = optarg;
			break;
		case 'L':
			*log_path = optarg;
			break;
		case 'p':
			*pid_path = optarg;
			break;
		case 'm':
			for (i = 0; i < sizeof(mode_names) / sizeof(mode_names[0]); i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == sizeof(mode_names) / sizeof(mode_names[0])) {
				fprintf(stderr, "lm-testsrv: unknown mode '%s'\n", optarg);
				return -1;
			}
			s->mode = (enum srv_mode)i;
			break;
		case 's':
			if (opt_u64("--stall-ms", optarg, 86400000, &s->stall_ms) < 0)
				return -1;
			break;
		case 'r':
			if (opt_u64("--rcvbuf", optarg, 1 << 30, &v) < 0)
				return -1;
			s->rcvbuf = (int)v;
			rcvbuf_set = true;
			break;
		case 'b':
			if (opt_u64("--body", optarg, UINT64_MAX, &s->body) < 0)
				return -1;
			break;
		case 'a':
			if (opt_u64("--after", optarg, UINT64_MAX, &s->after) < 0)
				return -1;
			break;
		case 'S':
			if (opt_u64("--seed", optarg, UINT64_MAX, &s->seed) < 0)
				return -1;
			break;
		case 'x':
			if (opt_u64("--max-seconds", optarg, 86400, &max_s) < 0 ||
			    max_s == 0) {
				fprintf(stderr, "lm-testsrv: --max-seconds: 1 to 86400\n");
				return -1;
			}
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || *listen_addr == NULL) {
		usage(stderr);
		return -1;
	}
	if (s->mode == MODE_STALL && !rcvbuf_set)
		s->rcvbuf = 4096;
	s->end_ms = srv_now_ms() + max_s * 1000;
	return 0;
}

static int
srv_setup(struct srv *s)
{
	return srv_epoll_setup(s->lfd, &s->listen_tag, &s->signal_tag, &s->sfd,
			       &s->efd);
}

int
main(int argc, char **argv)
{
	struct srv s;
	const char *listen_addr = NULL, *log_path = NULL, *pid_path = NULL;
	bool pid_written = false;
	int rc = 1;

	if (argc >= 2 && strcmp(argv[1], "--crc-of-gen") == 0) {
		if (argc != 4) {
			usage(stderr);
			return 2;
		}
		return crc_of_gen(argv[2], argv[3]);
	}

	memset(&s, 0, sizeof(s));
	s.mode = MODE_DIGEST;
	s.stall_ms = 2000;
	s.body = 100000;
	s.after = 10000;
	s.lfd = -1;
	s.sfd = -1;
	s.efd = -1;
	if (parse_args(&s, argc, argv, &listen_addr, &log_path, &pid_path) < 0)
		return 2;

	if (log_path != NULL) {
		s.log = strcmp(log_path, "-") == 0 ? stdout : fopen(log_path, "a");
		if (s.log == NULL) {
			fprintf(stderr, "lm-testsrv: %s: %s\n", log_path, strerror(errno));
			return 1;
		}
	}
	if (srv_listen(&s, listen_addr) < 0)
		goto out;
	if (srv_setup(&s) < 0) {
		perror("lm-testsrv: setup");
		goto out;
	}
	if (pid_path != NULL) {
		if (srv_write_pidfile(pid_path) < 0) {
			fprintf(stderr, "lm-testsrv: %s: %s\n", pid_path, strerror(errno));
			goto out;
		}
		pid_written = true;
	}
	fprintf(stderr, "lm-testsrv: listening on %s, mode %s\n", listen_addr,
		mode_names[s.mode]);
	rc = srv_loop(&s);
out:
	while (s.conns != NULL)
		conn_free(&s, s.conns);
	if (s.efd >= 0)
		close(s.efd);
	if (s.sfd >= 0)
		close(s.sfd);
	if (s.lfd >= 0)
		close(s.lfd);
	if (s.log != NULL && s.log != stdout)
		fclose(s.log);
	if (pid_written)
		unlink(pid_path);
	return rc;
}
