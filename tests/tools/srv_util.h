/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the test servers (lm-testsrv, lm-hostile) share: the clock, decimal
 * numbers, the --listen address and the pid file. Plain C, no DPDK.
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

/* Written whole under a temporary name, so a reader never sees half of it. */
int srv_write_pidfile(const char *path);

#endif /* LM_SRV_UTIL_H */
