/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-hostile: an HTTP/1.1 server that misbehaves on purpose, for the
 * functional tests of our client against hostile peers. Each --mode is one
 * kind of misbehaviour (a garbage status line, a head past our parser's
 * limits, a chunked body that never ends, a Content-Length that cannot be
 * a number, a response trickled a byte at a time, a receiver that never
 * reads, an answer before the request's body is read, a switch to another
 * protocol nobody asked for); requests to /ok are answered properly in
 * every mode, so that a test can check that the other users and the later
 * requests of a run keep going. The log has a line per connection
 * accepted, per request and per connection ended (how: reset, FIN, or
 * still open), so that a test can compare. The answers themselves are in
 * hostile_answers.c. See README.md beside this file.
 *
 * The cuts in the middle of a response (a FIN before Content-Length is
 * reached, an RST after half the body) are lm-testsrv's close-after and
 * reset-after modes; they are not repeated here.
 *
 * Single-threaded, level-triggered epoll, non-blocking sockets; a few
 * hundred KiB per connection at most (the big-headers head).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <linux/sockios.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>

#include "hostile.h"
#include "srv_util.h"

#define HEAD_MAX	(16 * 1024)	/* a request head; longer: closed */
#define EVENTS_MAX	256
#define DRIP_QUEUE_MAX	(64 * 1024)	/* endless-chunked: no more unsent */
#define LINE_MAX_LOG	200		/* request target bytes in the log */

enum mode {
	MODE_GARBAGE_STATUS,
	MODE_BIG_HEADERS,
	MODE_ENDLESS_CHUNKED,
	MODE_CL_OVERFLOW,
	MODE_SLOWLORIS,
	MODE_ZERO_WINDOW,
	MODE_EARLY_ANSWER,
	MODE_UPGRADE,
	MODE_N
};

static const char *const mode_names[MODE_N] = {
	[MODE_GARBAGE_STATUS] = "garbage-status",
	[MODE_BIG_HEADERS] = "big-headers",
	[MODE_ENDLESS_CHUNKED] = "endless-chunked",
	[MODE_CL_OVERFLOW] = "cl-overflow",
	[MODE_SLOWLORIS] = "slowloris",
	[MODE_ZERO_WINDOW] = "zero-window",
	[MODE_EARLY_ANSWER] = "early-answer",
	[MODE_UPGRADE] = "upgrade",
};

enum conn_state {
	CS_HEAD,	/* reading a request head */
	CS_BODY,	/* reading (and dropping) the body of a request answered */
	CS_DRIP,	/* slowloris, endless-chunked: output on a timer */
	CS_HOLD,	/* never reading again: until the peer closes or resets */
	CS_DISCARD,	/* dropping whatever comes, until the peer closes */
};

struct conn {
	struct conn *prev;
	struct conn *next;
	int fd;
	char peer[INET6_ADDRSTRLEN + 8];	/* "IP:PORT", for the log */
	uint32_t events;	/* as registered with epoll */
	enum conn_state st;
	bool fin_after;		/* shut our side down once the output is sent */
	bool rst_after;		/* reset the connection once the output is sent */
	bool fin_sent;
	uint64_t deadline;	/* the next drip, or rst_after's next look; 0: none */
	uint64_t rst_by;	/* rst_after: reset then, even if not all sent */
	uint64_t body_left;	/* CS_BODY */
	uint8_t in[HEAD_MAX];
	size_t in_len;
	struct outbuf out;
};

struct srv {
	enum mode mode;
	uint64_t interval_ms;
	uint64_t n_hostile;	/* hostile answers so far: picks the variant */
	int rcvbuf;		/* 0: the kernel's default */
	int lfd;
	int sfd;
	int efd;
	FILE *log;
	struct conn *conns;
	uint64_t end_ms;
	char listen_tag;
	char signal_tag;
};

/* A line of the log about c: its peer's address and port first. */
static void
log_line(struct srv *s, const struct conn *c, const char *fmt, ...)
{
	va_list ap;

	if (s->log == NULL)
		return;
	fprintf(s->log, "%s ", c->peer);
	va_start(ap, fmt);
	vfprintf(s->log, fmt, ap);
	va_end(ap);
	fputc('\n', s->log);
	fflush(s->log);
}

/* Send what the socket takes, at most max bytes. -1: the connection is gone. */
static int
out_flush(struct conn *c, size_t max)
{
	while (ob_pending(&c->out) > 0 && max > 0) {
		size_t n = ob_pending(&c->out);
		ssize_t w;

		if (n > max)
			n = max;
		w = send(c->fd, c->out.p + c->out.off, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -1;
		}
		c->out.off += (size_t)w;
		max -= (size_t)w;
	}
	if (ob_pending(&c->out) == 0 && c->fin_after && !c->fin_sent) {
		shutdown(c->fd, SHUT_WR);
		c->fin_sent = true;
	}
	return 0;
}

/* One more piece of what never ends, unless the client lags behind. */
static int
drip_more(struct srv *s, struct conn *c)
{
	if (ob_pending(&c->out) > DRIP_QUEUE_MAX)
		return 0;
	return answer_drip(&c->out, s->mode == MODE_UPGRADE);
}

/* slowloris: the output waits for the timer, a byte at a time */
static bool
drip_held(const struct srv *s, const struct conn *c)
{
	return c->st == CS_DRIP && s->mode == MODE_SLOWLORIS;
}

/*
 * A request head is complete (head_len bytes, request line first): log
 * it, and do what the mode does. -1: close the connection.
 */
static int
request(struct srv *s, struct conn *c, size_t head_len)
{
	const char *h = (const char *)c->in, *end = h + head_len;
	const char *sp1, *sp2, *line_end, *p;
	const char *variant = "ok";
	uint64_t cl = 0;
	bool has_body, ok_path;
	size_t k;
	int rc = 0;

	line_end = memchr(h, '\n', head_len);
	sp1 = memchr(h, ' ', (size_t)(line_end - h));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(line_end - sp1 - 1)) : NULL;
	if (sp1 == NULL || sp2 == NULL) {
		log_line(s, c, "bad-request -");
		return -1;
	}
	/* Content-Length only: our client sends no chunked request bodies */
	for (p = line_end + 1; p < end; p = memchr(p, '\n', (size_t)(end - p)) + 1) {
		const char *v = p + 15, *e = memchr(p, '\n', (size_t)(end - p));

		if ((size_t)(e - p) > 15 && strncasecmp(p, "Content-Length:", 15) == 0) {
			while (*v == ' ' || *v == '\t')
				v++;
			k = 0;
			while (v + k < e && v[k] >= '0' && v[k] <= '9')
				k++;
			if (!srv_parse_u64n(v, k, &cl))
				cl = 0;
		}
	}
	has_body = cl > 0;
	ok_path = (size_t)(sp2 - sp1 - 1) >= 3 && memcmp(sp1 + 1, "/ok", 3) == 0;
	c->body_left = cl;
	c->st = CS_BODY;

	if (ok_path) {
		rc = answer_ok(&c->out);
	} else {
		switch (s->mode) {
		case MODE_GARBAGE_STATUS:
			rc = answer_garbage(&c->out, s->n_hostile++, &variant);
			c->st = CS_DISCARD;
			break;
		case MODE_BIG_HEADERS:
			rc = answer_big_headers(&c->out, s->n_hostile++, &variant);
			c->st = CS_DISCARD;
			break;
		case MODE_ENDLESS_CHUNKED:
			variant = "endless";
			rc = answer_endless_head(&c->out);
			c->st = CS_DRIP;
			break;
		case MODE_CL_OVERFLOW:
			rc = answer_bad_length(&c->out, s->n_hostile++, &variant);
			c->st = CS_DISCARD;
			break;
		case MODE_SLOWLORIS:
			/* a whole response, but a byte per interval */
			variant = "slow";
			rc = answer_ok(&c->out);
			c->st = CS_DRIP;
			break;
		case MODE_ZERO_WINDOW:
			if (!has_body) {
				rc = answer_ok(&c->out);
				break;
			}
			/* the body stays in the kernel: our window closes */
			variant = "hold";
			c->st = CS_HOLD;
			break;
		case MODE_EARLY_ANSWER:
			if (!has_body) {
				rc = answer_ok(&c->out);
				break;
			}
			/* answered at once; the body is never read */
			c->st = CS_HOLD;
			if ((size_t)(sp2 - sp1 - 1) >= 4 &&
			    memcmp(sp1 + 1, "/413", 4) == 0) {
				/* /413rst: then a RST right behind it (as
				 * the close of a socket with unread input) */
				c->rst_after = (size_t)(sp2 - sp1 - 1) >= 7 &&
					memcmp(sp1 + 5, "rst", 3) == 0;
				c->rst_by = srv_now_ms() + 1000;
				c->fin_after = !c->rst_after;
				variant = c->rst_after ? "413-rst" : "413-close";
				rc = answer_413_close(&c->out);
			} else {
				variant = "200-open";
				rc = answer_ok(&c->out);
			}
			break;
		case MODE_UPGRADE:
			/* then frames of the other protocol, the first
			 * one a moment later (answer_drip) */
			variant = "101";
			rc = answer_upgrade_head(&c->out);
			c->st = CS_DRIP;
			break;
		default:
			break;
		}
	}
	k = (size_t)(sp2 - sp1 - 1);
	log_line(s, c, "%.*s %.*s %s", (int)(sp1 - h), h,
		 (int)(k > LINE_MAX_LOG ? LINE_MAX_LOG : k), sp1 + 1, variant);
	if (c->st == CS_DRIP)
		c->deadline = srv_now_ms() + s->interval_ms;
	/* what came after the head: the body, or what is dropped anyway */
	memmove(c->in, c->in + head_len, c->in_len - head_len);
	c->in_len -= head_len;
	return rc;
}

/* The end of a request head in c->in, or 0. */
static size_t
head_end(const struct conn *c)
{
	size_t i;

	for (i = 0; i + 1 < c->in_len; i++) {
		if (c->in[i] != '\n')
			continue;
		if (c->in[i + 1] == '\n')
			return i + 2;
		if (i + 2 < c->in_len && c->in[i + 1] == '\r' &&
		    c->in[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* What the bytes in c->in mean. -1: close. */
static int
conn_parse(struct srv *s, struct conn *c)
{
	size_t n;

	for (;;) {
		switch (c->st) {
		case CS_HEAD:
			n = head_end(c);
			if (n == 0) {
				if (c->in_len == sizeof(c->in)) {
					log_line(s, c, "bad-request head-too-large");
					return -1;
				}
				return 0;
			}
			if (request(s, c, n) < 0)
				return -1;
			break;
		case CS_BODY:
			n = c->in_len < c->body_left ? c->in_len : (size_t)c->body_left;
			c->body_left -= n;
			memmove(c->in, c->in + n, c->in_len - n);
			c->in_len -= n;
			if (c->body_left > 0)
				return 0;
			c->st = CS_HEAD;
			if (c->in_len == 0)
				return 0;
			break;
		case CS_DISCARD:
			c->in_len = 0;
			return 0;
		case CS_DRIP:
			/* upgraded: what the client says is not HTTP any more */
			if (s->mode == MODE_UPGRADE)
				c->in_len = 0;
			return 0;
		default:
			/* CS_HOLD reads nothing; CS_DRIP keeps what comes */
			return 0;
		}
	}
}

static int
conn_read(struct conn *c)
{
	ssize_t r;

	if (c->in_len == sizeof(c->in))
		return 0;
	r = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);
	if (r == 0)
		return -1;
	if (r < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ?
			0 : -1;
	c->in_len += (size_t)r;
	return 0;
}

static int
conn_arm(struct srv *s, struct conn *c)
{
	struct epoll_event e;
	uint32_t ev = EPOLLRDHUP;

	/* CS_HOLD: never EPOLLIN, or the unread body would wake us forever */
	if (c->st == CS_HEAD || c->st == CS_BODY || c->st == CS_DISCARD ||
	    (c->st == CS_DRIP && c->in_len < sizeof(c->in)))
		ev |= EPOLLIN;
	if (!drip_held(s, c) && ob_pending(&c->out) > 0)
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

/*
 * How the connection ended, from its TCP state: "reset" by the peer
 * (CLOSED), "fin" from the peer (CLOSE-WAIT and after), or "open" (the
 * peer had done neither: we close it, at exit for instance). A client
 * that gives up on a hostile server must leave no connection open there.
 */
static const char *
conn_end(const struct conn *c)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(c->fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return "unknown";
	switch (ti.tcpi_state) {
	case TCP_CLOSE:
		return "reset";
	case TCP_CLOSE_WAIT:
	case TCP_LAST_ACK:
	case TCP_CLOSING:
	case TCP_TIME_WAIT:
		return "fin";
	default:
		return "open";
	}
}

/* how: what the log says of its end; NULL: from its TCP state */
static void
conn_free(struct srv *s, struct conn *c, const char *how)
{
	log_line(s, c, "end %s", how != NULL ? how : conn_end(c));
	epoll_ctl(s->efd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	free(c->out.p);
	free(c);
}

/*
 * 413rst: the RST, once the response has left (SIOCOUTQNSD: bytes not sent
 * yet). A close with SO_LINGER 0 throws away what is still queued, and the
 * kernel's pacing may hold a response back for a moment: the client would
 * never see it. True when c was freed.
 */
static bool
rst_try(struct srv *s, struct conn *c, uint64_t now)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int unsent = 0;

	if (ob_pending(&c->out) > 0)
		return false;
	if (ioctl(c->fd, SIOCOUTQNSD, &unsent) == 0 && unsent > 0 &&
	    now < c->rst_by) {
		c->deadline = now + 1;
		return false;
	}
	setsockopt(c->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	conn_free(s, c, "ours");
	return true;
}

static void
conn_event(struct srv *s, struct conn *c, uint32_t ev)
{
	/*
	 * A peer that reset, or closed its side: we are done with it (a
	 * hostile server does not owe a half-closed client an answer).
	 */
	if ((ev & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && !(ev & EPOLLIN)) {
		conn_free(s, c, NULL);
		return;
	}
	if (((ev & EPOLLIN) && conn_read(c) < 0) || conn_parse(s, c) < 0 ||
	    (!drip_held(s, c) && out_flush(c, SIZE_MAX) < 0)) {
		conn_free(s, c, NULL);
		return;
	}
	if (c->rst_after && rst_try(s, c, srv_now_ms()))
		return;
	if (conn_arm(s, c) < 0)
		conn_free(s, c, NULL);
}

static void
peer_name(struct conn *c)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char ip[INET6_ADDRSTRLEN];
	uint16_t port = 0;

	strcpy(c->peer, "?");
	if (getpeername(c->fd, (struct sockaddr *)&ss, &sl) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)&ss;

		inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
		port = ntohs(a->sin_port);
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)&ss;

		inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
		port = ntohs(a->sin6_port);
	}
	snprintf(c->peer, sizeof(c->peer), "%s:%u", ip, port);
}

static void
conn_new(struct srv *s, int fd)
{
	struct epoll_event e;
	struct conn *c = calloc(1, sizeof(*c));
	int one = 1;

	if (c == NULL) {
		close(fd);
		return;
	}
	/* the drip must go out a byte at a time, not coalesced */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	c->fd = fd;
	peer_name(c);
	c->st = CS_HEAD;
	c->events = EPOLLIN | EPOLLRDHUP;
	memset(&e, 0, sizeof(e));
	e.events = c->events;
	e.data.ptr = c;
	if (epoll_ctl(s->efd, EPOLL_CTL_ADD, fd, &e) < 0) {
		free(c);
		close(fd);
		return;
	}
	c->next = s->conns;
	if (c->next != NULL)
		c->next->prev = c;
	s->conns = c;
	log_line(s, c, "accept");
}

static void
accept_all(struct srv *s)
{
	int i;

	for (i = 0; i < 64; i++) {
		int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd >= 0)
			conn_new(s, fd);
		else if (errno != EINTR && errno != ECONNABORTED)
			return;
	}
}

/*
 * What is due: a RST (early-answer), a byte (slowloris), a chunk
 * (endless-chunked) or a frame (upgrade).
 */
static void
timers_run(struct srv *s, uint64_t now)
{
	struct conn *c, *next;

	for (c = s->conns; c != NULL; c = next) {
		next = c->next;
		if (c->deadline == 0 || now < c->deadline)
			continue;
		if (c->rst_after) {
			c->deadline = 0;
			rst_try(s, c, now);
			continue;
		}
		if (s->mode != MODE_SLOWLORIS &&
		    (drip_more(s, c) < 0 || out_flush(c, SIZE_MAX) < 0)) {
			conn_free(s, c, NULL);
			continue;
		}
		if (s->mode == MODE_SLOWLORIS) {
			if (out_flush(c, 1) < 0) {
				conn_free(s, c, NULL);
				continue;
			}
			if (ob_pending(&c->out) == 0) {
				/* all of it, at last: the next request */
				c->st = CS_BODY;
				c->deadline = 0;
				if (conn_parse(s, c) < 0 || conn_arm(s, c) < 0)
					conn_free(s, c, NULL);
				continue;
			}
		}
		c->deadline = now + s->interval_ms;
	}
}

static int
next_timeout(const struct srv *s, uint64_t now)
{
	uint64_t t = s->end_ms;
	const struct conn *c;

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
			fprintf(stderr, "lm-hostile: --max-seconds reached, exiting\n");
			return 0;
		}
		n = epoll_wait(s->efd, evs, EVENTS_MAX, next_timeout(s, now));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("lm-hostile: epoll_wait");
			return 1;
		}
		for (i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &s->listen_tag) {
				accept_all(s);
			} else if (p == &s->signal_tag) {
				struct signalfd_siginfo si;

				if (read(s->sfd, &si, sizeof(si)) == sizeof(si)) {
					fprintf(stderr, "lm-hostile: signal %u, exiting\n",
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
	s->lfd = srv_listen_socket("lm-hostile", addr, s->rcvbuf);
	return s->lfd < 0 ? -1 : 0;
}

static int
srv_setup(struct srv *s)
{
	return srv_epoll_setup(s->lfd, &s->listen_tag, &s->signal_tag, &s->sfd,
			       &s->efd);
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: lm-hostile --listen IP:PORT --mode MODE [--log FILE]\n"
		"                  [--pidfile FILE] [--interval-ms MS] [--rcvbuf BYTES]\n"
		"                  [--max-seconds N]\n"
		"modes: garbage-status big-headers endless-chunked cl-overflow\n"
		"       slowloris zero-window early-answer upgrade\n");
}

static int
opt_u64(const char *name, const char *arg, uint64_t min, uint64_t max,
	uint64_t *v)
{
	if (!srv_parse_u64(arg, v) || *v < min || *v > max) {
		fprintf(stderr, "lm-hostile: %s: %llu to %llu, not '%s'\n", name,
			(unsigned long long)min, (unsigned long long)max, arg);
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
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "max-seconds", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t max_s = 600, v;
	bool have_mode = false, have_interval = false, have_rcvbuf = false;
	int o, i;

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
			for (i = 0; i < MODE_N; i++)
				if (strcmp(optarg, mode_names[i]) == 0)
					break;
			if (i == MODE_N) {
				fprintf(stderr, "lm-hostile: unknown mode '%s'\n", optarg);
				return -1;
			}
			s->mode = (enum mode)i;
			have_mode = true;
			break;
		case 'i':
			if (opt_u64("--interval-ms", optarg, 1, 60000, &s->interval_ms) < 0)
				return -1;
			have_interval = true;
			break;
		case 'r':
			if (opt_u64("--rcvbuf", optarg, 1, 1 << 30, &v) < 0)
				return -1;
			s->rcvbuf = (int)v;
			have_rcvbuf = true;
			break;
		case 'x':
			if (opt_u64("--max-seconds", optarg, 1, 86400, &max_s) < 0)
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc || *listen_addr == NULL || !have_mode) {
		usage(stderr);
		return -1;
	}
	if (!have_interval)
		s->interval_ms = s->mode == MODE_SLOWLORIS ? 200 : 10;
	/* the smallest buffer the kernel allows: a window of a few segments */
	if (!have_rcvbuf && (s->mode == MODE_ZERO_WINDOW ||
			     s->mode == MODE_EARLY_ANSWER))
		s->rcvbuf = 1;
	s->end_ms = srv_now_ms() + max_s * 1000;
	return 0;
}

int
main(int argc, char **argv)
{
	struct srv s;
	const char *listen_addr = NULL, *log_path = NULL, *pid_path = NULL;
	bool pid_written = false;
	int rc = 1;

	memset(&s, 0, sizeof(s));
	s.lfd = s.sfd = s.efd = -1;
	if (parse_args(&s, argc, argv, &listen_addr, &log_path, &pid_path) < 0)
		return 2;
	if (log_path != NULL) {
		s.log = strcmp(log_path, "-") == 0 ? stdout : fopen(log_path, "a");
		if (s.log == NULL) {
			fprintf(stderr, "lm-hostile: %s: %s\n", log_path, strerror(errno));
			return 1;
		}
	}
	if (srv_listen(&s, listen_addr) < 0)
		goto out;
	if (srv_setup(&s) < 0) {
		perror("lm-hostile: setup");
		goto out;
	}
	if (pid_path != NULL) {
		if (srv_write_pidfile(pid_path) < 0) {
			fprintf(stderr, "lm-hostile: %s: %s\n", pid_path, strerror(errno));
			goto out;
		}
		pid_written = true;
	}
	fprintf(stderr, "lm-hostile: listening on %s, mode %s\n", listen_addr,
		mode_names[s.mode]);
	rc = srv_loop(&s);
out:
	while (s.conns != NULL)
		conn_free(&s, s.conns, NULL);
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
