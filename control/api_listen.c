/* SPDX-License-Identifier: BSD-3-Clause */
/* The API's listening socket (see api_listen.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "api.h"
#include "api_listen.h"

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
int
lm_api_listen(const char *addr_port, uint16_t *port, char *err, size_t errlen)
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
