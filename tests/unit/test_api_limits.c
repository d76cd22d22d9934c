/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HTTP API's defences (control/api.c): the thread's
 * CPUs, ambiguous body framing, keep-alive, and the eviction of slow
 * connections when the slots run short. Raw sockets on the loopback
 * against a listener on a port the kernel picks.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "api.h"

static uint16_t port;

static struct lm_api *
start(const cpu_set_t *cpus)
{
	char err[256] = "";
	struct lm_api *a = lm_api_start("127.0.0.1:0", "tok", cpus, err,
					sizeof(err));

	if (a == NULL)
		fail_msg("lm_api_start: %s", err);
	port = lm_api_port(a);
	lm_api_publish(a, LM_API_DOC_STATUS, "{}", 2);
	return a;
}

static int
dial(void)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	return fd;
}

/* Read one response head (and drop its body); its text into head. */
static int
read_head(int fd, char *head, size_t cap)
{
	struct timeval tv = { .tv_sec = 5 };
	size_t n = 0;
	char *end;
	long clen = 0;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (n + 1 < cap) {
		ssize_t r = recv(fd, head + n, 1, 0);

		if (r <= 0)
			return -1;
		n++;
		head[n] = '\0';
		if (n >= 4 && memcmp(head + n - 4, "\r\n\r\n", 4) == 0)
			break;
	}
	end = strcasestr(head, "\r\nContent-Length:");
	if (end != NULL)
		clen = strtol(end + 17, NULL, 10);
	while (clen > 0) {
		char buf[256];
		ssize_t r = recv(fd, buf, clen < 256 ? (size_t)clen : 256, 0);

		if (r <= 0)
			return -1;
		clen -= r;
	}
	return atoi(head + 9);
}

static int
exchange(int fd, const char *req, char *head, size_t cap)
{
	assert_int_equal(send(fd, req, strlen(req), 0), (ssize_t)strlen(req));
	return read_head(fd, head, cap);
}

/* Whether the server has closed fd (EOF or reset waiting to be read). */
static bool
closed_by_peer(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, 0) != 1)
		return false;
	return recv(fd, &c, 1, MSG_DONTWAIT) <= 0;
}

/* ---- tests ---- */

static void
test_thread_cpus(void **state)
{
	cpu_set_t want, got;
	struct lm_api *a;
	char path[64], comm[32];
	bool found = false;

	(void)state;
	/* a CPU this process may use, the lowest */
	assert_int_equal(sched_getaffinity(0, sizeof(got), &got), 0);
	CPU_ZERO(&want);
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &got)) {
			CPU_SET(c, &want);
			break;
		}
	a = start(&want);
	/* the thread named lm-api, found among ours */
	for (pid_t tid = getpid(); tid < getpid() + 4096 && !found; tid++) {
		FILE *f;

		snprintf(path, sizeof(path), "/proc/self/task/%d/comm",
			 (int)tid);
		f = fopen(path, "r");
		if (f == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strncmp(comm, "lm-api", 6) == 0) {
			assert_int_equal(sched_getaffinity(tid, sizeof(got),
							   &got), 0);
			assert_true(CPU_EQUAL(&got, &want));
			found = true;
		}
		fclose(f);
	}
	lm_api_stop(a);
	assert_true(found);
}

static void
test_framing(void **state)
{
	struct lm_api *a = start(NULL);
	struct lm_api_cmd cmd;
	char head[2048];
	int fd;

	(void)state;
	/* two lengths: the first would be a command, the second a prefix */
	fd = dial();
	assert_int_equal(exchange(fd, "POST /api/load HTTP/1.1\r\nHost: x\r\n"
		"Authorization: Bearer tok\r\nContent-Length: 11\r\n"
		"Content-Length: 3\r\n\r\n{\"rate\": 5}", head, sizeof(head)),
		400);
	close(fd);
	/* a length and chunked framing */
	fd = dial();
	assert_int_equal(exchange(fd, "POST /api/load HTTP/1.1\r\nHost: x\r\n"
		"Authorization: Bearer tok\r\nContent-Length: 11\r\n"
		"Transfer-Encoding: chunked\r\n\r\n{\"rate\": 5}", head,
		sizeof(head)), 400);
	close(fd);
	assert_false(lm_api_take_command(a, &cmd));
	/* one length is fine */
	fd = dial();
	assert_int_equal(exchange(fd, "POST /api/load HTTP/1.1\r\nHost: x\r\n"
		"Authorization: Bearer tok\r\nContent-Length: 11\r\n\r\n"
		"{\"rate\": 5}", head, sizeof(head)), 202);
	close(fd);
	assert_true(lm_api_take_command(a, &cmd));
	lm_api_stop(a);
}

static void
test_keep_alive(void **state)
{
	struct lm_api *a = start(NULL);
	char head[2048];
	int fd = dial();

	(void)state;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(exchange(fd, "GET /api/status HTTP/1.1\r\n"
					  "Host: x\r\n\r\n", head,
					  sizeof(head)), 200);
		assert_null(strcasestr(head, "Connection: close"));
	}
	/* an error closes the connection: its body is not read */
	assert_int_equal(exchange(fd, "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n",
				  head, sizeof(head)), 404);
	close(fd);
	lm_api_stop(a);
}

static void
test_evict_slow(void **state)
{
	/*
	 * More slow connections than LM_API_EVICT_AT, from 32 loopback
	 * addresses (one would meet the per-address limit first).
	 */
	enum { N = LM_API_EVICT_AT + 8 };
	static int fds[N];
	struct rlimit rl;
	struct lm_api *a;
	char head[2048];
	int cut = 0, fd;

	(void)state;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	if (rl.rlim_cur < 2 * N + 64)
		skip();
	a = start(NULL);
	for (int i = 0; i < N; i++) {
		struct sockaddr_in src = {
			.sin_family = AF_INET,
			/* 127.0.1.x: 32 addresses, under 64 each */
			.sin_addr.s_addr = htonl(0x7f000100 + 2 + i % 32),
		};
		struct sockaddr_in dst = {
			.sin_family = AF_INET,
			.sin_port = htons(port),
			.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
		};

		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		assert_true(fds[i] >= 0);
		assert_int_equal(bind(fds[i], (struct sockaddr *)&src,
				      sizeof(src)), 0);
		assert_int_equal(connect(fds[i], (struct sockaddr *)&dst,
					 sizeof(dst)), 0);
		/* half a request: a slow client */
		assert_int_equal(send(fds[i], "GET /api/status HTTP/1.1\r\n",
				      26, 0), 26);
	}
	/* past LM_API_SLOW_S, the oldest are cut down to under the mark */
	usleep((LM_API_SLOW_S * 1000 + 600) * 1000);
	for (int i = 0; i < N; i++)
		cut += closed_by_peer(fds[i]);
	assert_true(cut >= N - LM_API_EVICT_AT + 1);
	assert_true(cut <= N - LM_API_EVICT_AT + 4);
	/* the oldest go first */
	assert_true(closed_by_peer(fds[0]));
	assert_false(closed_by_peer(fds[N - 1]));
	/* and a newcomer is served at once */
	fd = dial();
	assert_int_equal(exchange(fd, "GET /api/status HTTP/1.1\r\nHost: x\r\n"
				  "\r\n", head, sizeof(head)), 200);
	close(fd);
	for (int i = 0; i < N; i++)
		close(fds[i]);
	lm_api_stop(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thread_cpus),
		cmocka_unit_test(test_framing),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_evict_slow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
