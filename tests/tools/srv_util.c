/* SPDX-License-Identifier: BSD-3-Clause */
/* What the test servers share (see srv_util.h). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include "srv_util.h"

uint64_t
srv_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
srv_parse_u64n(const char *p, size_t len, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned int d = (unsigned char)p[i] - '0';

		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

bool
srv_parse_u64(const char *p, uint64_t *v)
{
	return srv_parse_u64n(p, strlen(p), v);
}

int
srv_parse_listen(const char *arg, struct sockaddr_storage *ss, socklen_t *sl)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon = strrchr(arg, ':');
	uint64_t port;
	size_t hl;

	if (colon == NULL || !srv_parse_u64(colon + 1, &port) || port > 65535)
		return -1;
	hl = (size_t)(colon - arg);
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, arg, hl);
	host[hl] = '\0';
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[hl - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return -1;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		*sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		*sl = sizeof(*a);
	}
	return 0;
}

int
srv_write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	f = fopen(tmp, "w");
	if (f == NULL)
		return -1;
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
srv_listen_socket(const char *prog, const char *addr, int rcvbuf)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1, fd;

	if (srv_parse_listen(addr, &ss, &sl) < 0) {
		fprintf(stderr, "%s: bad --listen '%s' (IP:PORT)\n", prog, addr);
		return -1;
	}
	fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "%s: socket: %s\n", prog, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/*
	 * Before listen(): accepted sockets inherit the buffer size, and the
	 * window scale is chosen from it at the handshake.
	 */
	if (rcvbuf > 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf)) < 0) {
		fprintf(stderr, "%s: SO_RCVBUF: %s\n", prog, strerror(errno));
		close(fd);
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 1024) < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, addr, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int
srv_epoll_setup(int lfd, void *listen_tag, void *signal_tag, int *sfd,
		int *efd)
{
	struct epoll_event e;
	sigset_t set;

	/*
	 * A non-interactive shell starts "cmd &" with SIGINT ignored, and an
	 * ignored signal never reaches a signalfd: take the default back.
	 */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	*sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	*efd = epoll_create1(EPOLL_CLOEXEC);
	if (*sfd < 0 || *efd < 0)
		return -1;
	memset(&e, 0, sizeof(e));
	e.events = EPOLLIN;
	e.data.ptr = signal_tag;
	if (epoll_ctl(*efd, EPOLL_CTL_ADD, *sfd, &e) < 0)
		return -1;
	e.data.ptr = listen_tag;
	return epoll_ctl(*efd, EPOLL_CTL_ADD, lfd, &e);
}
