/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP timers: one per TCB on the worker's wheel, timing whichever of
 * retransmission (RFC 6298), zero-window probe (RFC 9293 3.8.6.1),
 * FIN-WAIT-2 give-up and TIME-WAIT is due.
 */
#include "worker.h"
#include "tcp/tcp.h"

void
lm_tcp_timer_set(struct lm_worker *w, struct lm_tcb *tcb,
		 enum lm_tcp_timer_kind kind, uint64_t delay_us)
{
	tcb->timer_kind = (uint8_t)kind;
	lm_timer_arm(&w->wheel, &tcb->timer,
		     w->now + delay_us * w->hz / 1000000);
}

void
lm_tcp_timer_stop(struct lm_worker *w, struct lm_tcb *tcb)
{
	tcb->timer_kind = LM_TCPT_NONE;
	lm_timer_cancel(&w->wheel, &tcb->timer);
}

void
lm_tcp_rtt_sample(struct lm_worker *w, struct lm_tcb *tcb, uint64_t rtt_us)
{
	uint32_t r = rtt_us > UINT32_MAX / 2 ? UINT32_MAX / 2 : (uint32_t)rtt_us;

	if (r == 0)
		r = 1;
	if (tcb->srtt_us == 0) {
		/* RFC 6298 2.2: first measurement */
		tcb->srtt_us = r;
		tcb->rttvar_us = r / 2;
	} else {
		/* RFC 6298 2.3, beta = 1/4, alpha = 1/8 */
		uint32_t delta = tcb->srtt_us > r ? tcb->srtt_us - r :
			r - tcb->srtt_us;

		tcb->rttvar_us = tcb->rttvar_us - tcb->rttvar_us / 4 + delta / 4;
		tcb->srtt_us = tcb->srtt_us - tcb->srtt_us / 8 + r / 8;
	}
	/* RFC 6298 2.3: the RTO is computed afresh (lm_tcp_rto_us), unbacked-off */
	tcb->backoff = 0;
}

static void
rto_backoff(struct lm_tcb *tcb)
{
	/* RFC 6298 5.5: back off the timer, up to its ceiling */
	if (lm_tcp_rto_us(tcb) < LM_TCP_RTO_MAX_US)
		tcb->backoff++;
}

static void persist_expired(struct lm_worker *w, struct lm_tcb *tcb);

static void
rto_expired(struct lm_worker *w, struct lm_tcb *tcb)
{
	bool syn = tcb->state == LM_TCP_SYN_SENT ||
		tcb->state == LM_TCP_SYN_RCVD;
	uint8_t limit = syn ? w->tcp.syn_retries : w->tcp.data_retries;

	if (!syn && tcb->snd_wnd == 0 && LM_SEQ_LT(tcb->snd_una, tcb->snd_end)) {
		/* the window closed under data in flight: probe it instead */
		persist_expired(w, tcb);
		return;
	}
	if (tcb->retries >= limit) {
		enum lm_tcp_end why = syn ? LM_TCP_END_CONNECT_TIMEOUT :
			LM_TCP_END_RETRANSMIT_LIMIT;

		/*
		 * An ICMP soft error came for the SYN (tcp_icmp.c): it tells
		 * why there was no answer, as Linux reports sk_err_soft.
		 */
		if (syn && (tcb->flags & LM_TCBF_SOFT_ERR))
			why = LM_TCP_END_UNREACHABLE;

		if (!syn)
			lm_tcp_send_rst(w, tcb);
		lm_tcb_release(w, tcb, why);
		return;
	}
	LM_STAT_INC(w->ctr->tcp_rto_expiries);
	tcb->retries++;
	rto_backoff(tcb);
	/* Karn: the retransmission is not timed, nor what was in flight */
	tcb->flags &= ~LM_TCBF_RTT_TIMING;
	tcb->flags |= LM_TCBF_RETRANSMIT;
	if (syn) {
		LM_STAT_INC(w->ctr->tcp_retransmits);
		lm_tcp_send_syn(w, tcb);
		return;
	}
	lm_tcp_cc_rto(w, tcb);
	/*
	 * RFC 6298 5.4: send the earliest unacknowledged segment again; with
	 * cwnd at one segment, going back to SND.UNA sends just that, and the
	 * rest follows as ACKs open the window (slow start).
	 */
	tcb->snd_nxt = tcb->snd_una;
	lm_tcp_output(w, tcb);
	if (tcb->timer_kind == LM_TCPT_NONE)
		lm_tcp_timer_set(w, tcb, LM_TCPT_RTO, lm_tcp_rto_us(tcb));
}

static void
persist_expired(struct lm_worker *w, struct lm_tcb *tcb)
{
	/*
	 * RFC 9293 3.8.6.1: probe the zero window, backing off, for as long
	 * as the peer answers (MUST-37: its acknowledgments reset the count,
	 * see ack_input). A connection the app has left is not probed forever.
	 */
	if (tcb->app == NULL && tcb->retries >= w->tcp.data_retries) {
		lm_tcp_send_rst(w, tcb);
		lm_tcb_release(w, tcb, LM_TCP_END_RETRANSMIT_LIMIT);
		return;
	}
	if (tcb->snd_wnd != 0) {
		lm_tcp_output(w, tcb);
		return;
	}
	if (tcb->retries < UINT8_MAX)
		tcb->retries++;
	tcb->flags &= ~LM_TCBF_RTT_TIMING;
	lm_tcp_send_probe(w, tcb);
	rto_backoff(tcb);
	lm_tcp_timer_set(w, tcb, LM_TCPT_PERSIST, lm_tcp_rto_us(tcb));
}

void
lm_tcp_timer_expired(struct lm_worker *w, struct lm_tcb *tcb)
{
	enum lm_tcp_timer_kind kind = tcb->timer_kind;

	tcb->timer_kind = LM_TCPT_NONE;
	switch (kind) {
	case LM_TCPT_RTO:
		rto_expired(w, tcb);
		break;
	case LM_TCPT_PERSIST:
		persist_expired(w, tcb);
		break;
	case LM_TCPT_FIN_WAIT_2:
	case LM_TCPT_TIME_WAIT:
		lm_tcb_release(w, tcb, LM_TCP_END_NORMAL);
		break;
	case LM_TCPT_NONE:
		break;
	}
}
