/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP input, in the order of RFC 9293 section 3.10.7 ("SEGMENT ARRIVES"):
 * SYN-SENT first; otherwise check the sequence number, RST, SYN, ACK, then
 * the segment text, then FIN.
 *
 * The segment's fields are parsed once into a struct seg on the stack and
 * passed down; nothing is kept in file-static variables.
 */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_tcp.h>

#include "worker.h"
#include "tcp/tcp.h"
#include "net/owner.h"

struct seg {
	uint32_t seq;
	uint32_t ack;
	uint32_t len;        /* payload bytes */
	uint32_t wnd;        /* as sent: not yet scaled */
	uint32_t tsval;
	uint32_t tsecr;
	uint16_t mss;        /* 0: no MSS option */
	uint8_t flags;
	int8_t wscale;       /* -1: no window scale option */
	bool has_ts;
	bool sack_perm;
	struct rte_mbuf *m;
	uint32_t data_off;   /* payload offset from the start of the frame */
};

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
		(uint32_t)p[2] << 8 | p[3];
}

/* TSC cycles since the timed segment was sent (to 256 cycles). */
static inline uint64_t
rtt_elapsed(const struct lm_worker *w, const struct lm_tcb *tcb)
{
	uint32_t d = (uint32_t)(w->now >> LM_TCP_RTT_SHIFT) - tcb->rtt_start;

	return (uint64_t)d << LM_TCP_RTT_SHIFT;
}

static inline uint32_t
seg_seqlen(const struct seg *s)
{
	return s->len + !!(s->flags & RTE_TCP_SYN_FLAG) +
		!!(s->flags & RTE_TCP_FIN_FLAG);
}

/* The length each option we read must have (RFC 9293 3.2, RFC 7323, 2018). */
static inline bool
opt_len_ok(uint8_t kind, uint8_t len)
{
	switch (kind) {
	case 2:  return len == 4;   /* MSS */
	case 3:  return len == 3;   /* window scale */
	case 4:  return len == 2;   /* SACK-permitted */
	case 8:  return len == 10;  /* timestamps */
	default: return true;       /* not ours to judge (SACK blocks too) */
	}
}

/*
 * Options: MSS, window scale, SACK-permitted, timestamps (SACK blocks are
 * not used: we are no SACK sender). As Linux's tcp_parse_options(), and as
 * RFC 9293 3.1 asks (MUST-7: be prepared for an option length that is
 * wrong, MUST-64, MUST-68):
 *  - a length below 2, or one that runs past the header, ends the parse;
 *    the options read so far stand and the segment goes on;
 *  - a known option of the wrong length is skipped (its length is still
 *    trusted to find the next one);
 *  - unknown options are skipped; what follows End of Option List is
 *    padding, never read.
 * Returns false when the list held a malformed option (counted by the
 * caller as tcp.bad_options), or a window shift above 14.
 */
static bool
parse_options(const uint8_t *p, uint32_t len, struct seg *s)
{
	bool ok = true;
	uint32_t i = 0;

	while (i < len) {
		uint8_t kind = p[i];

		if (kind == 0)          /* end of option list */
			break;
		if (kind == 1) {        /* no-operation */
			i++;
			continue;
		}
		if (i + 1 >= len || p[i + 1] < 2 || i + p[i + 1] > len)
			return false;
		if (!opt_len_ok(kind, p[i + 1])) {
			ok = false;
		} else if (kind == 2) {
			s->mss = (uint16_t)(p[i + 2] << 8 | p[i + 3]);
		} else if (kind == 3) {
			/* RFC 7323 2.3: a shift above 14 is used as 14 */
			if (p[i + 2] > 14)
				ok = false;
			s->wscale = (int8_t)(p[i + 2] > 14 ? 14 : p[i + 2]);
		} else if (kind == 4) {
			s->sack_perm = true;
		} else if (kind == 8) {
			s->has_ts = true;
			s->tsval = get32(p + i + 2);
			s->tsecr = get32(p + i + 6);
		}
		i += p[i + 1];
	}
	return ok;
}

/* RFC 9293 3.10.7.4, first check: is the segment in the receive window? */
static bool
seq_acceptable(const struct lm_worker *w, const struct lm_tcb *tcb,
	       const struct seg *s)
{
	uint32_t wnd = w->tcp.rcv_wnd;
	uint32_t slen = seg_seqlen(s);

	if (slen == 0) {
		if (wnd == 0)
			return s->seq == tcb->rcv_nxt;
		return LM_SEQ_LEQ(tcb->rcv_nxt, s->seq) &&
			LM_SEQ_LT(s->seq, tcb->rcv_nxt + wnd);
	}
	if (wnd == 0)
		return false;
	return (LM_SEQ_LEQ(tcb->rcv_nxt, s->seq) &&
		LM_SEQ_LT(s->seq, tcb->rcv_nxt + wnd)) ||
		(LM_SEQ_LEQ(tcb->rcv_nxt, s->seq + slen - 1) &&
		 LM_SEQ_LT(s->seq + slen - 1, tcb->rcv_nxt + wnd));
}

static void
time_wait_enter(struct lm_worker *w, struct lm_tcb *tcb)
{
	const struct lm_tcp *t = &w->tcp;

	/*
	 * TIME-WAIT may hold half the pool, and never the last eighth of it:
	 * past that the connection skips TIME-WAIT, its last ACK sent at
	 * once, as Linux does past tcp_max_tw_buckets. RFC 9293 asks for
	 * 2 MSL, but a generator whose closed connections fill its pool fails
	 * its next users instead (no_resources), which measures nothing. The
	 * half keeps room for what is not in TIME-WAIT: a closed-model pool
	 * is two TCBs a user and 1024 (main.c), so every user's connection
	 * and 512 closing ones. Counted.
	 */
	if (t->n_time_wait >= t->n_tcbs / 2 ||
	    t->n_tcbs - t->n_used < t->n_tcbs / 8) {
		LM_STAT_INC(w->ctr->tcp_time_wait_skipped);
		lm_tcp_send_ack(w, tcb);
		lm_tcb_release(w, tcb, LM_TCP_END_NORMAL);
		return;
	}
	if (tcb->state != LM_TCP_TIME_WAIT) {
		/* not when a retransmitted FIN restarts it */
		w->tcp.n_closing--;
		tcb->state = LM_TCP_TIME_WAIT;
		w->tcp.n_time_wait++;
	}
	lm_tcp_timer_set(w, tcb, LM_TCPT_TIME_WAIT,
			 (uint64_t)w->tcp.time_wait_ms * 1000);
}

/*
 * What a SYN tells (RFC 9293 3.10.7.2/3.10.7.3): the peer's initial
 * sequence number, its MSS, and which options both sides use.
 */
static void
syn_options(struct lm_worker *w, struct lm_tcb *tcb, const struct seg *s)
{
	tcb->irs = s->seq;
	tcb->rcv_nxt = s->seq + 1;
	/* RFC 9293 3.7.1 / RFC 6691: at most the peer's MSS and ours */
	tcb->smss = s->mss != 0 ? s->mss : LM_TCP_DEFAULT_MSS;
	if (tcb->smss > w->tcp.mss)
		tcb->smss = w->tcp.mss;
	if (tcb->smss < 64)
		tcb->smss = 64; /* a silly MSS would cost a packet a byte */
	/* RFC 7323 2.2 and 3.2: each option is in use when both sent it */
	if (w->tcp.window_scaling && s->wscale >= 0) {
		tcb->flags |= LM_TCBF_WS;
		tcb->snd_wscale = (uint8_t)s->wscale;
	} else {
		tcb->snd_wscale = 0;
		tcb->rcv_wscale = 0;
	}
	if (w->tcp.timestamps && s->has_ts) {
		tcb->flags |= LM_TCBF_TS;
		tcb->ts_recent = s->tsval;
	}
	if (w->tcp.sack && s->sack_perm)
		tcb->flags |= LM_TCBF_SACK;
	/* a full segment from the peer: its MSS less the options it carries */
	tcb->rcv_mss = (uint16_t)(tcb->smss -
				  ((tcb->flags & LM_TCBF_TS) ? 12 : 0)); /* NOP NOP TS */
}

/*
 * The handshake is complete: our SYN is acknowledged by s, whose window
 * (already scaled as it must be) opens the send side.
 */
static void
open_complete(struct lm_worker *w, struct lm_tcb *tcb, const struct seg *s,
	      uint32_t wnd)
{
	tcb->snd_una = s->ack;
	if ((tcb->flags & LM_TCBF_RTT_TIMING) && LM_SEQ_GT(s->ack, tcb->rtt_seq)) {
		tcb->flags &= ~LM_TCBF_RTT_TIMING;
		lm_tcp_rtt_sample(w, tcb, rtt_elapsed(w, tcb) * 1000000 /
				  w->hz);
	}
	/*
	 * RFC 6298 5.7: after a SYN was lost, data transfer starts with an
	 * RTO of at least 3 s (unless a measurement says otherwise).
	 */
	if ((tcb->flags & LM_TCBF_RETRANSMIT) && tcb->srtt_us == 0) {
		tcb->flags |= LM_TCBF_SYN_LOST;
		tcb->backoff = 0;
	}
	tcb->flags &= ~LM_TCBF_RETRANSMIT;
	tcb->retries = 0;
	tcb->snd_wnd = wnd;
	tcb->max_snd_wnd = wnd;
	tcb->snd_wl1 = s->seq;
	lm_tcp_cc_init(w, tcb);
	tcb->state = LM_TCP_ESTABLISHED;
	lm_tcp_timer_stop(w, tcb);
	LM_STAT_INC(w->ctr->conn_opened);
}

static void
syn_sent_input(struct lm_worker *w, struct lm_tcb *tcb, struct seg *s)
{
	bool ack = s->flags & RTE_TCP_ACK_FLAG;

	/* RFC 9293 3.10.7.3: first check the ACK bit */
	if (ack && (LM_SEQ_LEQ(s->ack, tcb->iss) ||
		    LM_SEQ_GT(s->ack, tcb->snd_max))) {
		LM_STAT_INC(w->ctr->tcp_bad_acks);
		if (!(s->flags & RTE_TCP_RST_FLAG))
			lm_tcp_reply_rst(w, tcb->ifidx, s->m);
		return;
	}
	/* second, the RST bit: only with an acceptable ACK */
	if (s->flags & RTE_TCP_RST_FLAG) {
		if (ack)
			lm_tcb_release(w, tcb, LM_TCP_END_REFUSED);
		return;
	}
	if (!(s->flags & RTE_TCP_SYN_FLAG))
		return;
	syn_options(w, tcb, s);
	if (!ack) {
		/*
		 * Simultaneous open (SYN without ACK): RFC 9293 allows it, but
		 * a generator's client never meets it; refuse it plainly.
		 */
		lm_tcp_send_rst(w, tcb);
		lm_tcb_release(w, tcb, LM_TCP_END_RESET);
		return;
	}
	/* RFC 9293 3.10.7.3 and RFC 7323 2.2: the SYN's window is never scaled */
	open_complete(w, tcb, s, s->wnd);
	lm_tcp_ack_later(w, tcb);
	if (tcb->app != NULL)
		lm_tcb_ops(&w->tcp, tcb)->connected(w, tcb);
	/* what the app queued before (or in) connected goes out now */
	lm_tcp_output(w, tcb);
}

/* RFC 5681 section 2: the definition of a duplicate acknowledgment. */
static bool
is_dupack(const struct lm_tcb *tcb, const struct seg *s, uint32_t wnd)
{
	return s->ack == tcb->snd_una && s->len == 0 &&
		!(s->flags & (RTE_TCP_SYN_FLAG | RTE_TCP_FIN_FLAG)) &&
		tcb->snd_una != tcb->snd_max && wnd == tcb->snd_wnd;
}

static void
rtt_from_ack(struct lm_worker *w, struct lm_tcb *tcb, const struct seg *s)
{
	if ((tcb->flags & LM_TCBF_RTT_TIMING) &&
	    LM_SEQ_GT(s->ack, tcb->rtt_seq)) {
		/* a timed segment: microseconds from the TSC */
		tcb->flags &= ~LM_TCBF_RTT_TIMING;
		lm_tcp_rtt_sample(w, tcb, rtt_elapsed(w, tcb) * 1000000 /
				  w->hz);
	} else if ((tcb->flags & LM_TCBF_TS) && s->has_ts && s->tsecr != 0 &&
		   (tcb->flags & LM_TCBF_RETRANSMIT)) {
		/*
		 * RFC 7323 4.1: the echoed timestamp tells which transmission
		 * is acknowledged, so a sample is safe even after a
		 * retransmission, where Karn's rule leaves us without one.
		 */
		uint32_t ms = (uint32_t)(w->now / w->ticks_per_ms) - s->tsecr;

		if (ms < 600000)
			lm_tcp_rtt_sample(w, tcb, (uint64_t)ms * 1000);
	}
}

/* RFC 9293 3.10.7.4 fifth check, the ACK field. Returns false: drop. */
static bool
ack_input(struct lm_worker *w, struct lm_tcb *tcb, const struct seg *s)
{
	/* RFC 7323 2.3: the window of a non-SYN segment is scaled */
	uint32_t wnd = s->wnd << tcb->snd_wscale;

	/*
	 * Acks something not yet sent: ACK back and drop (RFC 9293
	 * 3.10.7.4). Or acks what lies more than the largest window the peer
	 * ever offered behind SND.UNA: RFC 5961 5.2 (as Linux) takes it for
	 * a blind data injection and drops it, with an ACK, before its data
	 * can be accepted.
	 */
	if (LM_SEQ_GT(s->ack, tcb->snd_max) ||
	    LM_SEQ_LT(s->ack, tcb->snd_una - tcb->max_snd_wnd)) {
		LM_STAT_INC(w->ctr->tcp_bad_acks);
		lm_tcp_ack_later(w, tcb);
		return false;
	}
	if (LM_SEQ_GT(s->ack, tcb->snd_una)) {
		uint32_t acked = s->ack - tcb->snd_una;

		rtt_from_ack(w, tcb, s);
		tcb->snd_una = s->ack;
		if (LM_SEQ_LT(tcb->snd_nxt, tcb->snd_una))
			tcb->snd_nxt = tcb->snd_una;
		tcb->flags &= ~LM_TCBF_RETRANSMIT;
		tcb->retries = 0;
		lm_tcp_cc_ack(w, tcb, acked);
		if (tcb->snd_una == tcb->snd_end && tcb->app != NULL &&
		    lm_tcb_ops(&w->tcp, tcb)->acked != NULL)
			lm_tcb_ops(&w->tcp, tcb)->acked(w, tcb);
		/* RFC 6298 5.2 and 5.3: stop or restart the timer */
		if (tcb->snd_una == tcb->snd_max)
			lm_tcp_timer_stop(w, tcb);
		else if (tcb->timer_kind != LM_TCPT_PERSIST)
			lm_tcp_timer_set(w, tcb, LM_TCPT_RTO, lm_tcp_rto_us(tcb));
	} else if (is_dupack(tcb, s, wnd)) {
		lm_tcp_cc_dupack(w, tcb);
	} else if (s->ack == tcb->snd_una && tcb->snd_wnd == 0) {
		/* RFC 9293 3.8.6.1 MUST-37: a peer that answers is alive */
		tcb->retries = 0;
	}
	/* RFC 9293 3.10.7.4: update the send window from fresher segments */
	if (LM_SEQ_LT(tcb->snd_wl1, s->seq) ||
	    (tcb->snd_wl1 == s->seq && LM_SEQ_LEQ(tcb->snd_una, s->ack))) {
		tcb->snd_wnd = wnd;
		if (wnd > tcb->max_snd_wnd)
			tcb->max_snd_wnd = wnd;
		tcb->snd_wl1 = s->seq;
			if (tcb->snd_wnd > 0 && tcb->timer_kind == LM_TCPT_PERSIST) {
			lm_tcp_timer_stop(w, tcb);
			tcb->retries = 0;
		}
	}
	return true;
}

static bool
fin_acked(const struct lm_tcb *tcb)
{
	return (tcb->flags & LM_TCBF_FIN_SENT) &&
		tcb->snd_una == tcb->snd_end + 1;
}

/* Hand len payload bytes at frame offset off of m to the app, in place. */
static void
deliver(struct lm_worker *w, struct lm_tcb *tcb, struct rte_mbuf *m,
	uint32_t off, uint32_t len)
{
	tcb->rcv_nxt += len;
	LM_STAT_ADD(w->ctr->app_rx_bytes, len);
	if (tcb->app == NULL)
		return;
	/* segment by segment across a chained mbuf: no copy */
	while (m != NULL && off >= m->data_len) {
		off -= m->data_len;
		m = m->next;
	}
	while (m != NULL && len > 0 && tcb->app != NULL) {
		uint32_t n = m->data_len - off;

		if (n > len)
			n = len;
		lm_tcb_ops(&w->tcp, tcb)->recv(w, tcb, rte_pktmbuf_mtod_offset(m, uint8_t *, off),
			       n);
		len -= n;
		off = 0;
		m = m->next;
	}
}

static void fin_input(struct lm_worker *w, struct lm_tcb *tcb,
		      uint32_t fin_seq);

/* Deliver held segments the in-order data has caught up with. */
static void
ooo_drain(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_ooo_seg *n;

	while (tcb->state != LM_TCP_CLOSED &&
	       (n = lm_tcp_ooo_take(w, tcb)) != NULL) {
		uint32_t skip = tcb->rcv_nxt - n->seq;

		if (skip < n->len)
			deliver(w, tcb, n->m, n->data_off + skip, n->len - skip);
		if (n->fin)
			fin_input(w, tcb, n->seq + n->len);
		lm_tcp_ooo_free(w, n);
	}
	lm_tcp_ooo_caught_up(w, tcb);
}

/*
 * The ACK for an out-of-order segment. RFC 5681 4.2 and RFC 9293 3.10.7.4
 * ask for a duplicate ACK at once for each; the sender's fast retransmit
 * waits for three (DupThresh, RFC 5681 3.2, RFC 6675). With SACK in use,
 * the ones after those tell the sender nothing the last ACK of the worker
 * pass does not tell it too, with the freshest blocks, so they wait for it
 * (sack_compress, Linux's SACK compression): under loss that halves the
 * ACKs the sender must process. Without SACK, NewReno inflates its window
 * by each duplicate (RFC 6582), so every one goes at once. A segment past
 * a new hole goes at once too: its block must be reported before newer
 * ones push it out of the option (a block the sender never sees makes it
 * retransmit data we hold and take the late cumulative ACK for
 * reordering, which slows its loss detection).
 */
static void
ooo_ack(struct lm_worker *w, struct lm_tcb *tcb, bool new_block)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);

	/* nothing held (no room for the first): nothing to coalesce */
	if (o == NULL) {
		lm_tcp_send_ack(w, tcb);
		return;
	}
	if (o->acks_at != tcb->rcv_nxt) {
		o->acks_at = tcb->rcv_nxt;
		o->acks = 0;
	}
	if (!(tcb->flags & LM_TCBF_SACK) || !w->tcp.sack_compress ||
	    o->acks < LM_TCP_DUPTHRESH || new_block) {
		if (o->acks < UINT8_MAX)
			o->acks++;
		lm_tcp_send_ack(w, tcb);
	} else {
		lm_tcp_ack_later(w, tcb);
	}
}

/*
 * The segment text (RFC 9293 3.10.7.4, seventh). Returns true when the
 * mbuf was kept (held out of order).
 */
static bool
text_input(struct lm_worker *w, struct lm_tcb *tcb, struct seg *s)
{
	uint32_t skip;
	bool gap = tcb->ooo != 0;

	if (s->len == 0)
		return false;
	if (LM_SEQ_GT(s->seq, tcb->rcv_nxt)) {
		int held = lm_tcp_ooo_hold(w, tcb, s->m, s->seq, s->len,
					   (uint16_t)s->data_off,
					   s->flags & RTE_TCP_FIN_FLAG);

		s->flags &= ~RTE_TCP_FIN_FLAG;
		if (held == -EEXIST)
			LM_STAT_INC(w->ctr->tcp_dup_segments);
		ooo_ack(w, tcb, held == 1);
		return held >= 0;
	}
	skip = tcb->rcv_nxt - s->seq; /* already received: trim */
	if (skip >= s->len) {
		lm_tcp_ack_later(w, tcb);
		return false;
	}
	deliver(w, tcb, s->m, s->data_off + skip, s->len - skip);
	if (gap) {
		ooo_drain(w, tcb);
		/* RFC 5681 4.2: ACK at once a segment that fills a gap */
		if (tcb->state != LM_TCP_CLOSED)
			lm_tcp_send_ack(w, tcb);
	} else {
		lm_tcp_ack_data(w, tcb, s->len - skip);
	}
	return false;
}

/* RFC 9293 3.10.7.4, eighth: a FIN at sequence number fin_seq. */
static void
fin_input(struct lm_worker *w, struct lm_tcb *tcb, uint32_t fin_seq)
{
	if (tcb->flags & LM_TCBF_PEER_FIN) {
		/* a retransmitted FIN: ACK it (and restart TIME-WAIT) */
		if (fin_seq + 1 == tcb->rcv_nxt) {
			lm_tcp_ack_later(w, tcb);
			if (tcb->state == LM_TCP_TIME_WAIT)
				time_wait_enter(w, tcb);
		}
		return;
	}
	if (fin_seq != tcb->rcv_nxt)
		return; /* not in order yet: it comes again, or from the queue */
	tcb->flags |= LM_TCBF_PEER_FIN;
	tcb->rcv_nxt++;
	lm_tcp_ack_later(w, tcb);
	switch (tcb->state) {
	case LM_TCP_ESTABLISHED:
		tcb->state = LM_TCP_CLOSE_WAIT;
		if (tcb->app != NULL)
			lm_tcb_ops(&w->tcp, tcb)->peer_closed(w, tcb);
		break;
	case LM_TCP_FIN_WAIT_1:
		if (fin_acked(tcb))
			time_wait_enter(w, tcb);
		else
			tcb->state = LM_TCP_CLOSING;
		break;
	case LM_TCP_FIN_WAIT_2:
		time_wait_enter(w, tcb);
		break;
	default:
		break;
	}
}

/*
 * A segment that fails the sequence number check (RFC 9293 3.10.7.4,
 * first): an RST is ignored; anything else is answered with an ACK and
 * dropped. Each kind is counted under its own name.
 */
static void
unacceptable(struct lm_worker *w, struct lm_tcb *tcb, const struct seg *s)
{
	bool old = LM_SEQ_LEQ(s->seq + seg_seqlen(s), tcb->rcv_nxt);

	if (s->flags & RTE_TCP_RST_FLAG) {
		LM_STAT_INC(w->ctr->tcp_rst_ignored);
		return;
	}
	/*
	 * A SYN, whatever its sequence number, gets a challenge ACK (RFC 5961
	 * 4.2), unless it is the peer's SYN-ACK once more: our ACK of it was
	 * lost, or the network duplicated it, and the ACK answers it.
	 */
	if ((s->flags & RTE_TCP_SYN_FLAG) && s->seq != tcb->irs)
		LM_STAT_INC(w->ctr->tcp_syn_challenged);
	else if (old)
		LM_STAT_INC(w->ctr->tcp_dup_segments);
	else
		LM_STAT_INC(w->ctr->tcp_beyond_window);
	/*
	 * RFC 9293 3.10.7.4, TIME-WAIT: "The only thing that can arrive in
	 * this state is a retransmission of the remote FIN. Acknowledge it,
	 * and restart the 2 MSL timeout." It lies just below RCV.NXT, so the
	 * check turns it away.
	 */
	if ((s->flags & RTE_TCP_FIN_FLAG) && (tcb->flags & LM_TCBF_PEER_FIN) &&
	    s->seq + s->len + 1 == tcb->rcv_nxt)
		fin_input(w, tcb, s->seq + s->len);
	else
		lm_tcp_ack_later(w, tcb);
}

/* Returns true when the mbuf was kept (held out of order). */
static bool
established_input(struct lm_worker *w, struct lm_tcb *tcb, struct seg *s)
{
	bool kept = false;

	/*
	 * RFC 7323 5.3 R1, PAWS: a segment whose timestamp is older than
	 * TS.Recent is an old duplicate (a wrapped sequence number). One tick
	 * of slack, as Linux allows: segments sent a millisecond apart are
	 * reordered on multi-queue paths, and they are not old duplicates.
	 */
	if ((tcb->flags & LM_TCBF_TS) && s->has_ts &&
	    !(s->flags & RTE_TCP_RST_FLAG) &&
	    (int32_t)(tcb->ts_recent - s->tsval) > LM_TCP_PAWS_WINDOW) {
		LM_STAT_INC(w->ctr->tcp_paws_dropped);
		lm_tcp_ack_later(w, tcb);
		return false;
	}
	/* first: sequence number */
	if (!seq_acceptable(w, tcb, s)) {
		unacceptable(w, tcb, s);
		return false;
	}
	/* RFC 7323 4.3: remember the timestamp to echo */
	if ((tcb->flags & LM_TCBF_TS) && s->has_ts &&
	    LM_SEQ_LEQ(s->seq, tcb->last_ack_sent))
		tcb->ts_recent = s->tsval;
	/*
	 * second: RST. RFC 5961 section 3: only an exact match resets;
	 * anything else in the window gets a challenge ACK.
	 */
	if (s->flags & RTE_TCP_RST_FLAG) {
		if (s->seq != tcb->rcv_nxt) {
			LM_STAT_INC(w->ctr->tcp_rst_challenged);
			lm_tcp_ack_later(w, tcb);
			return false;
		}
		lm_tcb_release(w, tcb, tcb->state >= LM_TCP_CLOSING ||
			       tcb->state == LM_TCP_FIN_WAIT_2 ?
			       LM_TCP_END_NORMAL : LM_TCP_END_RESET);
		return false;
	}
	/* fourth: SYN in a synchronized state: challenge ACK (RFC 5961 4) */
	if (s->flags & RTE_TCP_SYN_FLAG) {
		LM_STAT_INC(w->ctr->tcp_syn_challenged);
		lm_tcp_ack_later(w, tcb);
		return false;
	}
	/* fifth: ACK */
	if (!(s->flags & RTE_TCP_ACK_FLAG))
		return false;
	if (!ack_input(w, tcb, s))
		return false;
	switch (tcb->state) {
	case LM_TCP_FIN_WAIT_1:
		if (fin_acked(tcb)) {
			tcb->state = LM_TCP_FIN_WAIT_2;
			lm_tcp_timer_set(w, tcb, LM_TCPT_FIN_WAIT_2,
					 (uint64_t)w->tcp.fin_wait_2_ms * 1000);
		}
		break;
	case LM_TCP_CLOSING:
		if (fin_acked(tcb))
			time_wait_enter(w, tcb);
		return false;
	case LM_TCP_LAST_ACK:
		if (fin_acked(tcb))
			lm_tcb_release(w, tcb, LM_TCP_END_NORMAL);
		return false;
	case LM_TCP_TIME_WAIT:
		if (s->flags & RTE_TCP_FIN_FLAG)
			fin_input(w, tcb, s->seq + s->len);
		return false;
	default:
		break;
	}
	/* seventh: text, in ESTABLISHED, FIN-WAIT-1 and FIN-WAIT-2 only */
	if (tcb->state <= LM_TCP_FIN_WAIT_2 && !(tcb->flags & LM_TCBF_PEER_FIN))
		kept = text_input(w, tcb, s);
	if (tcb->state == LM_TCP_CLOSED)
		return kept;
	if (s->flags & RTE_TCP_FIN_FLAG)
		fin_input(w, tcb, s->seq + s->len);
	/* the window may have opened, or the ACK made room: send more */
	if (tcb->state != LM_TCP_CLOSED && tcb->state != LM_TCP_TIME_WAIT)
		lm_tcp_output(w, tcb);
	return kept;
}

/*
 * RFC 9293 3.10.7.2, LISTEN: a SYN (and nothing else: RST ignored, ACK
 * answered with RST by the caller) opens a connection in SYN-RECEIVED,
 * answered with our SYN-ACK. No TCB free: the SYN is dropped, as a full
 * backlog drops it, and the peer tries again.
 */
static void
listen_input(struct lm_worker *w, uint32_t ifidx, uint32_t li,
	     const struct rte_ipv4_hdr *ih, const struct rte_tcp_hdr *th,
	     const struct seg *s)
{
	struct lm_tcb *tcb = lm_tcb_alloc(w);

	if (tcb == NULL) {
		LM_STAT_INC(w->ctr->tcp_syn_dropped);
		return;
	}
	tcb->ops = w->tcp.listen[li].ops;
	tcb->app = NULL;            /* until accepted */
	tcb->listener = (uint8_t)li;
	tcb->flags |= LM_TCBF_PASSIVE;
	tcb->ifidx = (uint8_t)ifidx;
	tcb->laddr = ih->dst_addr;
	tcb->raddr = ih->src_addr;
	tcb->lport = th->dst_port;
	tcb->rport = th->src_port;
	/* RFC 9293 3.4.1 and RFC 6528: an unpredictable ISN */
	tcb->iss = (uint32_t)lm_rand(w);
	tcb->snd_una = tcb->iss;
	tcb->snd_end = tcb->iss + 1;
	tcb->rcv_wscale = w->tcp.rcv_wscale;
	syn_options(w, tcb, s);
	tcb->state = LM_TCP_SYN_RCVD;
	lm_tcb_insert(w, tcb);
	LM_STAT_INC(w->ctr->tcp_syn_received);
	lm_tcp_send_syn(w, tcb);
}

/*
 * RFC 9293 3.10.7.4 in SYN-RECEIVED. Returns true when the segment made
 * the connection established and goes on to the established-state
 * processing (its data, its FIN); false: it is done with.
 */
static bool
syn_rcvd_input(struct lm_worker *w, struct lm_tcb *tcb, struct seg *s)
{
	const struct lm_tcp_listener *l = &w->tcp.listen[tcb->listener];
	void *app;

	if (s->flags & RTE_TCP_RST_FLAG) {
		/* a passive open returns to LISTEN: the TCB just goes */
		if (s->seq == tcb->rcv_nxt)
			lm_tcb_release(w, tcb, LM_TCP_END_RESET);
		return false;
	}
	if (s->flags & RTE_TCP_SYN_FLAG) {
		/* the peer's SYN again: our SYN-ACK was lost */
		if (s->seq == tcb->irs && !(s->flags & RTE_TCP_ACK_FLAG)) {
			LM_STAT_INC(w->ctr->tcp_dup_segments);
			lm_tcp_send_syn(w, tcb);
		} else {
			LM_STAT_INC(w->ctr->tcp_syn_challenged);
			lm_tcp_ack_later(w, tcb);  /* RFC 5961 4.2 */
		}
		return false;
	}
	if (!(s->flags & RTE_TCP_ACK_FLAG))
		return false;
	if (s->ack != tcb->iss + 1) {
		/* not our SYN-ACK's: <SEQ=SEG.ACK><CTL=RST> */
		LM_STAT_INC(w->ctr->tcp_bad_acks);
		lm_tcp_reply_rst(w, tcb->ifidx, s->m);
		return false;
	}
	/* RFC 7323 2.2: this segment's window is scaled */
	open_complete(w, tcb, s, s->wnd << tcb->snd_wscale);
	app = w->tcp.ops[l->ops]->accept(w, tcb, l->ctx);
	if (app == NULL) {
		lm_tcp_abort(w, tcb);
		return false;
	}
	tcb->app = app;
	return true;
}

/*
 * Every segment of a connection must be handled by the worker owning it
 * (net/owner.h): the NIC's steering or the software hand-off sees to
 * that, and this counts any that escaped both (tcp.segments_not_owner).
 */
static inline void
not_owner_check(struct lm_worker *w, uint16_t lport, uint16_t rport,
		bool passive)
{
	if (w->n_workers > 1 &&
	    lm_flow_owner(lport, rport, passive, w->n_workers) != w->id)
		LM_STAT_INC(w->ctr->tcp_not_owner);
}

void
lm_tcp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod_offset(m,
		struct rte_ipv4_hdr *, m->l2_len);
	struct rte_tcp_hdr *th;
	uint32_t ip_len = rte_be_to_cpu_16(ih->total_length);
	uint32_t thlen;
	struct lm_tcb *tcb;
	struct seg s;

	if (unlikely(ip_len < m->l3_len + sizeof(*th) ||
		     m->l2_len + m->l3_len + sizeof(*th) > m->data_len))
		goto drop;
	th = (struct rte_tcp_hdr *)((char *)ih + m->l3_len);
	thlen = (uint32_t)(th->data_off >> 4) * 4;
	if (unlikely(thlen < sizeof(*th) || m->l3_len + thlen > ip_len ||
		     m->l2_len + m->l3_len + thlen > m->data_len))
		goto drop;
	/* checksum: trust the port's verdict when it gives one */
	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) ==
	    RTE_MBUF_F_RX_L4_CKSUM_BAD ||
	    ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) !=
	     RTE_MBUF_F_RX_L4_CKSUM_GOOD &&
	     rte_ipv4_udptcp_cksum_mbuf_verify(m, ih, m->l2_len + m->l3_len) != 0)) {
		LM_STAT_INC(w->ctr->rx_bad_csum);
		goto free;
	}
	s.m = m;
	s.seq = rte_be_to_cpu_32(th->sent_seq);
	s.ack = rte_be_to_cpu_32(th->recv_ack);
	s.wnd = rte_be_to_cpu_16(th->rx_win);
	s.flags = th->tcp_flags;
	s.len = ip_len - m->l3_len - thlen;
	s.data_off = m->l2_len + m->l3_len + thlen;
	s.mss = 0;
	s.wscale = -1;
	s.has_ts = false;
	s.sack_perm = false;
	s.tsval = 0;
	s.tsecr = 0;
	if (thlen > sizeof(*th) &&
	    unlikely(!parse_options((const uint8_t *)(th + 1),
				    thlen - sizeof(*th), &s)))
		LM_STAT_INC(w->ctr->tcp_bad_options);

	tcb = lm_tcb_lookup(w, ih->dst_addr, ih->src_addr, th->dst_port,
			    th->src_port);
	if (tcb == NULL) {
		const struct lm_tcp_listener *l = lm_tcp_listener_find(&w->tcp,
			ih->dst_addr, th->dst_port);

		if (l != NULL && (s.flags & (RTE_TCP_SYN_FLAG |
			RTE_TCP_ACK_FLAG | RTE_TCP_RST_FLAG)) == RTE_TCP_SYN_FLAG) {
			not_owner_check(w, th->dst_port, th->src_port, true);
			listen_input(w, ifidx, (uint32_t)(l - w->tcp.listen),
				     ih, th, &s);
			goto free;
		}
		LM_STAT_INC(w->ctr->tcp_no_conn);
		lm_tcp_reply_rst(w, ifidx, m);
		goto free;
	}
	not_owner_check(w, tcb->lport, tcb->rport, tcb->flags & LM_TCBF_PASSIVE);
	if (tcb->state == LM_TCP_SYN_SENT) {
		syn_sent_input(w, tcb, &s);
		goto free;
	}
	if (tcb->state == LM_TCP_SYN_RCVD && !syn_rcvd_input(w, tcb, &s))
		goto free;
	if (established_input(w, tcb, &s))
		return; /* held out of order */
	goto free;
drop:
	LM_STAT_INC(w->ctr->rx_not_ours);
free:
	rte_pktmbuf_free(m);
}
