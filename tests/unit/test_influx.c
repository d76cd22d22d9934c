/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * InfluxDB pushes: batches reach an HTTP server as posted line protocol; a
 * server that never answers does not block the caller (pushes return at
 * once, the queue drops its oldest batches and counts them); the line
 * protocol escapes tag values.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "influx.h"

struct sink {
	int fd;
	int port;
	bool answer;          /* false: accept, read, never answer */
	char got[8192];
	size_t got_len;
	int requests;
};

static void *
sink_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		int c = accept(s->fd, NULL, NULL);
		char buf[4096];
		ssize_t n;

		if (c < 0)
			return NULL;
		while ((n = recv(c, buf, sizeof(buf), 0)) > 0) {
			if (s->got_len + (size_t)n < sizeof(s->got)) {
				memcpy(s->got + s->got_len, buf, (size_t)n);
				s->got_len += (size_t)n;
			}
			if (memmem(s->got, s->got_len, "\r\n\r\n", 4) != NULL &&
			    memmem(s->got, s->got_len, "\n", 1) != NULL)
				break;
		}
		s->requests++;
		if (s->answer) {
			const char *r = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";

			/* let the body arrive whole before answering */
			usleep(20000);
			while ((n = recv(c, buf, sizeof(buf), MSG_DONTWAIT)) > 0) {
				if (s->got_len + (size_t)n < sizeof(s->got)) {
					memcpy(s->got + s->got_len, buf, (size_t)n);
					s->got_len += (size_t)n;
				}
			}
			if (send(c, r, strlen(r), 0) < 0)
				break;
			close(c);
		}
		/* without an answer the connection is simply left open */
	}
	return NULL;
}

static void
sink_start(struct sink *s, bool answer, pthread_t *t)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t al = sizeof(a);

	memset(s, 0, sizeof(*s));
	s->answer = answer;
	s->fd = socket(AF_INET, SOCK_STREAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	getsockname(s->fd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	pthread_create(t, NULL, sink_main, s);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_push_reaches_server(void **state)
{
	struct sink s;
	pthread_t t;
	char url[128], err[256];
	struct lm_influx *ix;
	struct lm_influx_counters c;
	const char *lines = "lemmings,plan=p requests=5i 1\n";

	(void)state;
	sink_start(&s, true, &t);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/write?db=lm", s.port);
	ix = lm_influx_start(url, "secret", err, sizeof(err));
	assert_non_null(ix);
	lm_influx_push(ix, lines, strlen(lines));
	lm_influx_stop(ix, true);
	assert_int_equal(s.requests, 1);
	assert_non_null(memmem(s.got, s.got_len, "POST /write?db=lm ", 18));
	assert_non_null(memmem(s.got, s.got_len, "Authorization: Token secret", 27));
	assert_non_null(memmem(s.got, s.got_len, lines, strlen(lines)));
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(t, NULL);
	(void)c;
}

static void
test_stalled_server_never_blocks(void **state)
{
	struct sink s;
	pthread_t t;
	char url[128], err[256];
	struct lm_influx *ix;
	struct lm_influx_counters c;
	double t0, took;

	(void)state;
	sink_start(&s, false, &t);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/write?db=lm", s.port);
	ix = lm_influx_start(url, NULL, err, sizeof(err));
	assert_non_null(ix);
	t0 = now_s();
	for (int i = 0; i < 100; i++)
		lm_influx_push(ix, "x v=1i 1\n", 9);
	took = now_s() - t0;
	assert_true(took < 0.05);  /* 100 pushes: no waiting on the network */
	lm_influx_counters(ix, &c);
	assert_int_equal(c.queued, 100);
	assert_true(c.dropped >= 100 - 16 - 1);
	t0 = now_s();
	lm_influx_stop(ix, false);
	/* at most the one post in progress, bounded by its 2 s timeout */
	assert_true(now_s() - t0 < 3.0);
	shutdown(s.fd, SHUT_RDWR);
	close(s.fd);
	pthread_join(t, NULL);
}

static void
test_bad_url(void **state)
{
	char err[256];

	(void)state;
	assert_null(lm_influx_start("127.0.0.1:8086", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "not an http"));
	assert_null(lm_influx_start("http://127.0.0.1:8086/", NULL, err, sizeof(err)));
	assert_non_null(strstr(err, "write endpoint"));
}

static void
test_render_escapes(void **state)
{
	struct lm_step steps[1] = { { .name = "a b,c" } };
	struct lm_scenario sc[1] = { { .name = "x=y", .steps = steps, .n_steps = 1 } };
	struct lm_plan plan = { .name = "p", .scenarios = sc, .n_scenarios = 1 };
	struct lm_view now, before;
	char buf[2048];
	size_t n;

	(void)state;
	assert_int_equal(lm_view_init(&now, 1, 1), 0);
	assert_int_equal(lm_view_init(&before, 1, 1), 0);
	now.steps[0].requests = 10;
	now.steps[0].ok = 9;
	now.steps[0].failed = 1;
	lm_hdr_record(&now.steps[0].latency, 2000000);
	n = lm_influx_render(buf, sizeof(buf), &plan, &now, &before, 1.0, 123);
	assert_true(n < sizeof(buf));
	assert_non_null(strstr(buf, "lemmings,plan=p,scenario=x\\=y,step=a\\ b\\,c "
			       "requests=10i,ok=9i,failed=1i,rps=10.000,"));
	assert_non_null(strstr(buf, "p50_ms=2.0"));
	assert_non_null(strstr(buf, " 123\n"));
	/* the length needed is returned even when the buffer is too small */
	assert_int_equal(lm_influx_render(buf, 8, &plan, &now, &before, 1.0, 123), n);
	lm_view_free(&now);
	lm_view_free(&before);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_push_reaches_server),
		cmocka_unit_test(test_stalled_server_never_blocks),
		cmocka_unit_test(test_bad_url),
		cmocka_unit_test(test_render_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
