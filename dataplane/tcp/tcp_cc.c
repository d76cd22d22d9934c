/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Congestion control: slow start and congestion avoidance (RFC 5681),
 * fast retransmit and NewReno fast recovery (RFC 6582), and the reaction
 * to a retransmission timeout (RFC 5681 3.1, RFC 6298 5.5).
 */
#include "worker.h"
#include "tcp/tcp.h"

void
lm_tcp_cc_init(struct lm_worker *w, struct lm_tcb *tcb)
{
	/* RFC 6928: IW = min(10 * SMSS, max(2 * SMSS, 14600)), or as set */
	tcb->cwnd = w->tcp.init_cwnd * tcb->smss;
	/* RFC 5681 3.1: ssthresh arbitrarily high at first */
	tcb->ssthresh = UINT32_MAX / 2;
	tcb->recover = tcb->iss;
	tcb->dupacks = 0;
}

static uint32_t
half_flight(const struct lm_tcb *tcb)
{
	/* RFC 5681 (4): ssthresh = max(FlightSize / 2, 2 * SMSS) */
	uint32_t h = lm_tcp_flight(tcb) / 2;

	return h > 2u * tcb->smss ? h : 2u * tcb->smss;
}

/* New data acknowledged (acked bytes): grow, or go on with recovery. */
void
lm_tcp_cc_ack(struct lm_worker *w, struct lm_tcb *tcb, uint32_t acked)
{
	if (tcb->flags & LM_TCBF_RECOVERY) {
		if (LM_SEQ_GEQ(tcb->snd_una, tcb->recover)) {
			/*
			 * RFC 6582 3.2 step 3, full acknowledgment: deflate to
			 * min(ssthresh, max(FlightSize, SMSS) + SMSS).
			 */
			uint32_t f = lm_tcp_flight(tcb);
			uint32_t c = (f > tcb->smss ? f : tcb->smss) + tcb->smss;

			tcb->cwnd = c < tcb->ssthresh ? c : tcb->ssthresh;
			tcb->flags &= ~LM_TCBF_RECOVERY;
			tcb->dupacks = 0;
			return;
		}
		/*
		 * Partial acknowledgment (step 4): send the next hole at once,
		 * deflate by what was acked, add back one SMSS if that was at
		 * least one, and stay in recovery.
		 */
		lm_tcp_retransmit_una(w, tcb);
		tcb->cwnd = tcb->cwnd > acked ? tcb->cwnd - acked : tcb->smss;
		if (acked >= tcb->smss)
			tcb->cwnd += tcb->smss;
		return;
	}
	tcb->dupacks = 0;
	if (tcb->cwnd < tcb->ssthresh) {
		/* RFC 5681 3.1 (2), with RFC 3465's L = 1 SMSS */
		tcb->cwnd += acked < tcb->smss ? acked : tcb->smss;
	} else {
		/* (3): about one SMSS per round trip */
		uint32_t inc = (uint32_t)((uint64_t)tcb->smss * tcb->smss /
					  tcb->cwnd);

		tcb->cwnd += inc ? inc : 1;
	}
	if (tcb->cwnd > (1u << 30))
		tcb->cwnd = 1u << 30;
}

void
lm_tcp_cc_dupack(struct lm_worker *w, struct lm_tcb *tcb)
{
	LM_STAT_INC(w->ctr->tcp_dup_acks);
	if (tcb->flags & LM_TCBF_RECOVERY) {
		/* RFC 6582 3.2 step 3 / RFC 5681 (4): inflate, maybe send more */
		tcb->cwnd += tcb->smss;
		return;
	}
	if (++tcb->dupacks != LM_TCP_DUPTHRESH)
		return;
	/*
	 * RFC 6582 3.2 step 2: only when the ACK covers more than "recover",
	 * so one loss event is not answered twice.
	 */
	if (!LM_SEQ_GT(tcb->snd_una, tcb->recover) && tcb->recover != tcb->iss)
		return;
	tcb->ssthresh = half_flight(tcb);
	tcb->recover = tcb->snd_max;
	LM_STAT_INC(w->ctr->tcp_fast_retransmits);
	tcb->flags &= ~LM_TCBF_RTT_TIMING;  /* Karn: the sample is ambiguous now */
	lm_tcp_retransmit_una(w, tcb);
	tcb->cwnd = tcb->ssthresh + 3u * tcb->smss;
	tcb->flags |= LM_TCBF_RECOVERY;
}

void
lm_tcp_cc_rto(struct lm_worker *w, struct lm_tcb *tcb)
{
	/* RFC 5681 (4) and 3.1: ssthresh from the flight, cwnd = LW = 1 SMSS */
	tcb->ssthresh = half_flight(tcb);
	tcb->cwnd = tcb->smss;
	/* RFC 6582 4.1: no fast retransmit for what was sent before the RTO */
	tcb->recover = tcb->snd_max;
	tcb->flags &= ~LM_TCBF_RECOVERY;
	tcb->dupacks = 0;
}
