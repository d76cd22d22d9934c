/* SPDX-License-Identifier: BSD-3-Clause */
/* ICMP (RFC 792): echo replies for our addresses. */
#ifndef LM_ICMP_H
#define LM_ICMP_H

#include <stdint.h>

#include <rte_mbuf.h>

struct lm_worker;

void lm_icmp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

#endif /* LM_ICMP_H */
