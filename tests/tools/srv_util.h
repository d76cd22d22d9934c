/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test servers (lm-testsrv, lm-hostile) share: the clock, decimal
 * numbers, the --listen address, the listening socket, the signal and epoll
 * set-up, and the pid file. Plain C, no DPDK.
 */
#ifndef LM_SRV_UTIL_H
#define LM_SRV_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t srv_now_ms(void);

/* Decimal only: a leading zero is not octal, a sign is not a number. */
bool srv_parse_u64n(const char *p, size_t len, uint64_t *v);
bool srv_parse_u64(const char *p, uint64_t *v);

/* IPv4 "A.B.C.D:PORT" or IPv6 "[ADDR]:PORT". 0, or -1 if malformed. */
int srv_parse_listen(const char *arg, struct sockaddr_storage *ss,
		     socklen_t *sl);

/*
 * A non-blocking listening socket on addr (--listen syntax), SO_RCVBUF set
 * to rcvbuf when above 0. The fd, or -1 with a message prefixed by prog.
 */
int srv_listen_socket(const char *prog, const char *addr, int rcvbuf);

/*
 * SIGINT and SIGTERM through a signalfd (*sfd), SIGPIPE ignored, and an
 * epoll set (*efd) with the signalfd under signal_tag and lfd under
 * listen_tag. 0, or -1.
 */
int srv_epoll_setup(int lfd, void *listen_tag, void *signal_tag, int *sfd,
		    int *efd);

/* Written whole under a temporary name, so a reader never sees half of it. */
int srv_write_pidfile(const char *path);

#endif /* LM_SRV_UTIL_H */
