/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ICMP errors about our TCP segments (RFC 1122 4.2.3.9, RFC 5927).
 *
 * net/icmp.c checks the message (checksum, a quote of an IPv4 header and
 * the first 8 bytes of a TCP header from one of our addresses); here the
 * quote is matched to a connection and acted upon:
 *
 *  - RFC 5927 4.1: the quote must name a connection of ours by its 4-tuple
 *    and a sequence number we sent and that is not yet acknowledged,
 *    SND.UNA <= SEG.SEQ <= SND.NXT (SND.MAX here: after a timeout SND.NXT
 *    goes back). Anything else is counted (icmp_unmatched) and ignored: a
 *    blind attacker has to guess the ports and a sequence in flight.
 *  - Hard errors (the host or port says no: RFC 1122 4.2.3.9 lists
 *    protocol and port unreachable, and Linux's icmp_err_convert() adds the
 *    administratively prohibited codes) end a connection that is still
 *    opening, SYN-SENT or SYN-RECEIVED, as Linux does: a client's step
 *    fails at once with the error "unreachable" instead of waiting seconds
 *    for connect_timeout.
 *  - Soft errors (net or host unreachable, time exceeded) may be
 *    transient (RFC 1122: "SHOULD NOT abort"): they are remembered, and a
 *    SYN that then times out ends as "unreachable", as Linux reports
 *    sk_err_soft instead of ETIMEDOUT.
 *  - On a synchronized connection nothing is aborted (RFC 1122 4.2.3.9,
 *    Linux without IP_RECVERR): the error is counted, nothing else (our
 *    retransmission limit is not renamed after it).
 *  - Fragmentation needed (type 3 code 4) is path MTU discovery (RFC
 *    1191). We send DF segments no larger than the port's MTU allows and
 *    do no PMTU discovery: the message is counted (icmp_frag_needed) and
 *    changes nothing.
 */
#include <rte_icmp.h>

#include "worker.h"
#include "tcp/tcp.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAM_PROBLEM 12
#define ICMP_FRAG_NEEDED 4       /* code of ICMP_DEST_UNREACH */

/*
 * Whether an ICMP error is hard (the peer refuses; give up on the open)
 * or soft (may pass). Destination unreachable codes as Linux's
 * icmp_err_convert table: 2 protocol, 3 port, 6 network unknown, 7 host
 * unknown, 8 source host isolated, 9/10 network/host prohibited, 13
 * communication prohibited, 14 host precedence violation, 15 precedence
 * cutoff are hard; 0 network, 1 host, 5 source route failed, 11/12 for
 * the type of service are soft. A parameter problem is hard, time exceeded
 * soft.
 */
static bool
icmp_hard(uint8_t type, uint8_t code)
{
	if (type == ICMP_PARAM_PROBLEM)
		return true;
	if (type != ICMP_DEST_UNREACH)
		return false;
	switch (code) {
	case 2: case 3: case 6: case 7: case 8: case 9: case 10:
	case 13: case 14: case 15:
		return true;
	default:
		return false;
	}
}

void
lm_tcp_icmp_error(struct lm_worker *w, uint8_t type, uint8_t code,
		  uint32_t laddr, uint32_t raddr, uint16_t lport,
		  uint16_t rport, uint32_t seq)
{
	struct lm_tcb *tcb = lm_tcb_lookup(w, laddr, raddr, lport, rport);

	if (tcb == NULL || LM_SEQ_LT(seq, tcb->snd_una) ||
	    LM_SEQ_GT(seq, tcb->snd_max)) {
		LM_STAT_INC(w->ctr->icmp_unmatched);
		return;
	}
	LM_STAT_INC(w->ctr->icmp_errors);
	if (type == ICMP_DEST_UNREACH && code == ICMP_FRAG_NEEDED) {
		LM_STAT_INC(w->ctr->icmp_frag_needed);
		return;
	}
	if (tcb->state != LM_TCP_SYN_SENT && tcb->state != LM_TCP_SYN_RCVD)
		return;
	if (icmp_hard(type, code)) {
		LM_STAT_INC(w->ctr->icmp_aborts);
		lm_tcb_release(w, tcb, LM_TCP_END_UNREACHABLE);
		return;
	}
	/* told when the SYN times out (tcp_timer.c) */
	tcb->flags |= LM_TCBF_SOFT_ERR;
}
