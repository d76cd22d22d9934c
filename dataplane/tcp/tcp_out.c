/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: SYN, data (regenerated from the application's stream at any
 * offset, so a retransmission needs no send buffer), FIN, ACK, RST and
 * zero-window probes; the options of RFC 9293 (MSS), RFC 7323 (window
 * scale, timestamps) and RFC 2018 (SACK).
 */
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_tcp.h>

#include "worker.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"

#define TCP_HDR_LEN ((uint32_t)sizeof(struct rte_tcp_hdr))
#define TCP_MAX_OPT 40u

#define OPT_NOP 1
#define OPT_MSS 2
#define OPT_WS 3
#define OPT_SACK_PERM 4
#define OPT_SACK 5
#define OPT_TS 8

/* Our timestamp clock: milliseconds (RFC 7323 5.4: 1 ms to 1 s a tick). */
static inline uint32_t
ts_now(const struct lm_worker *w)
{
	return (uint32_t)(w->now / w->ticks_per_ms);
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* NOP NOP TS: the layout RFC 7323 appendix A suggests. */
static uint8_t *
put_ts(uint8_t *p, uint32_t val, uint32_t ecr)
{
	p[0] = OPT_NOP;
	p[1] = OPT_NOP;
	p[2] = OPT_TS;
	p[3] = 10;
	put32(p + 4, val);
	put32(p + 8, ecr);
	return p + 12;
}

/*
 * SACK blocks for what is held out of order (RFC 2018 section 4), most
 * recently changed first, as many as fit. Returns the end of what was
 * written.
 */
static uint8_t *
put_sack(const struct lm_worker *w, const struct lm_tcb *tcb, uint8_t *p,
	 unsigned int max_blocks)
{
	const struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);
	unsigned int n = o == NULL ? 0 :
		o->n_sack < max_blocks ? o->n_sack : max_blocks;

	if (n == 0)
		return p;
	p[0] = OPT_NOP;
	p[1] = OPT_NOP;
	p[2] = OPT_SACK;
	p[3] = (uint8_t)(2 + 8 * n);
	p += 4;
	for (unsigned int i = 0; i < n; i++, p += 8) {
		put32(p, o->sack[i].lo);
		put32(p + 4, o->sack[i].hi);
	}
	return p;
}

/* The options a SYN carries. */
struct syn_opts {
	bool ts, sack, ws;
};

/*
 * Our SYN offers what the settings ask for; a SYN-ACK only what the
 * peer's SYN offered too, which the TCB's flags already say (RFC 7323
 * 1.3 and 2.2: WS and TS only in reply to them; RFC 2018 2: SACK-permitted
 * likewise).
 */
static inline struct syn_opts
syn_opts(const struct lm_worker *w, const struct lm_tcb *tcb)
{
	if (tcb->flags & LM_TCBF_PASSIVE)
		return (struct syn_opts){
			.ts = tcb->flags & LM_TCBF_TS,
			.sack = tcb->flags & LM_TCBF_SACK,
			.ws = tcb->flags & LM_TCBF_WS,
		};
	return (struct syn_opts){ .ts = w->tcp.timestamps, .sack = w->tcp.sack,
				  .ws = w->tcp.window_scaling };
}

/* Bytes of options a segment of tcb carries (SYN: the offers). */
static uint32_t
opt_len(const struct lm_worker *w, const struct lm_tcb *tcb, bool syn)
{
	uint32_t n;

	if (syn) {
		struct syn_opts o = syn_opts(w, tcb);

		n = 4;                                      /* MSS */
		if (o.ts)
			n += 12;                            /* (SACK_PERM|NOP NOP) TS */
		else if (o.sack)
			n += 4;                             /* NOP NOP SACK_PERM */
		if (o.ws)
			n += 4;                             /* NOP WS */
		return n;
	}
	n = (tcb->flags & LM_TCBF_TS) ? 12 : 0;
	if ((tcb->flags & LM_TCBF_SACK) && tcb->ooo != 0 &&
	    lm_tcb_ooo_of(&w->tcp, tcb)->n_sack > 0) {
		unsigned int blocks = (TCP_MAX_OPT - n - 4) / 8;
		unsigned int k = lm_tcb_ooo_of(&w->tcp, tcb)->n_sack;

		n += 4 + 8 * (k < blocks ? k : blocks);
	}
	return n;
}

/* Write the options; returns their length (a multiple of 4). */
static uint32_t
opt_write(const struct lm_worker *w, const struct lm_tcb *tcb, bool syn,
	  uint8_t *opt)
{
	uint8_t *p = opt;

	if (syn) {
		struct syn_opts o = syn_opts(w, tcb);

		p[0] = OPT_MSS;
		p[1] = 4;
		p[2] = (uint8_t)(w->tcp.mss >> 8);
		p[3] = (uint8_t)w->tcp.mss;
		p += 4;
		if (o.ts) {
			/* a SYN-ACK echoes the SYN's timestamp (RFC 7323 3.2) */
			p = put_ts(p, ts_now(w), (tcb->flags & LM_TCBF_PASSIVE) ?
				   tcb->ts_recent : 0);
			if (o.sack) {
				/* SACK_PERM takes the two NOPs' place */
				p[-12] = OPT_SACK_PERM;
				p[-11] = 2;
			}
		} else if (o.sack) {
			p[0] = OPT_NOP;
			p[1] = OPT_NOP;
			p[2] = OPT_SACK_PERM;
			p[3] = 2;
			p += 4;
		}
		if (o.ws) {
			p[0] = OPT_NOP;
			p[1] = OPT_WS;
			p[2] = 3;
			p[3] = w->tcp.rcv_wscale;
			p += 4;
		}
		return (uint32_t)(p - opt);
	}
	if (tcb->flags & LM_TCBF_TS)
		p = put_ts(p, ts_now(w), tcb->ts_recent);
	if (tcb->flags & LM_TCBF_SACK)
		p = put_sack(w, tcb, p, (TCP_MAX_OPT - (uint32_t)(p - opt) - 4) / 8);
	return (uint32_t)(p - opt);
}

/*
 * Payload bytes a segment may carry: the MSS counts no options (RFC 6691
 * section 2, RFC 9293 3.7.1), so the options a segment carries (timestamps,
 * SACK blocks) come out of it, or the packet would exceed the MTU.
 */
static inline uint32_t
eff_mss(const struct lm_worker *w, const struct lm_tcb *tcb)
{
	uint32_t o = opt_len(w, tcb, false);

	return tcb->smss > o + 8 ? tcb->smss - o : 8;
}

/* A frame with room for headers, optlen bytes of options and paylen bytes. */
static struct rte_mbuf *
seg_alloc(struct lm_worker *w, uint32_t optlen, uint32_t paylen,
	  struct rte_tcp_hdr **thp)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(w->pool);
	uint32_t len = LM_L2L3_LEN + TCP_HDR_LEN + optlen + paylen;

	if (unlikely(m == NULL)) {
		LM_STAT_INC(w->ctr->mbuf_alloc_fail);
		return NULL;
	}
	if (unlikely(rte_pktmbuf_append(m, (uint16_t)len) == NULL)) {
		rte_pktmbuf_free(m);
		LM_STAT_INC(w->ctr->mbuf_alloc_fail);
		return NULL;
	}
	*thp = rte_pktmbuf_mtod_offset(m, struct rte_tcp_hdr *, LM_L2L3_LEN);
	(*thp)->tcp_urp = 0;
	return m;
}

/* The window field: RFC 7323 2.2, never scaled in a SYN. */
static inline uint16_t
window_field(const struct lm_worker *w, const struct lm_tcb *tcb, bool syn)
{
	uint32_t wnd = w->tcp.rcv_wnd;

	if (!syn && (tcb->flags & LM_TCBF_WS))
		wnd >>= tcb->rcv_wscale;
	return (uint16_t)(wnd > 65535 ? 65535 : wnd);
}

/*
 * Build and send one segment of tcb: options, then len payload bytes from
 * stream sequence number seq (filled by the application), then headers.
 */
static int
seg_send(struct lm_worker *w, struct lm_tcb *tcb, uint32_t seq, uint32_t len,
	 uint8_t flags)
{
	bool syn = flags & RTE_TCP_SYN_FLAG;
	uint32_t olen = opt_len(w, tcb, syn);
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint8_t *opt;

	if (len > 0 && tcb->app == NULL)
		return -EPIPE; /* nobody can regenerate these bytes */
	m = seg_alloc(w, olen, len, &th);
	if (m == NULL)
		return -ENOMEM;
	opt = (uint8_t *)(th + 1);
	olen = opt_write(w, tcb, syn, opt);
	if (len > 0)
		lm_tcb_ops(&w->tcp, tcb)->fill(w, tcb, seq - (tcb->iss + 1), opt + olen, len);
	/* the header length follows what was written; trim the spare room */
	rte_pktmbuf_trim(m, (uint16_t)(rte_pktmbuf_pkt_len(m) -
			 (LM_L2L3_LEN + TCP_HDR_LEN + olen + len)));
	th->data_off = (uint8_t)(((TCP_HDR_LEN + olen) / 4) << 4);
	th->src_port = tcb->lport;
	th->dst_port = tcb->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (flags & RTE_TCP_ACK_FLAG) ?
		rte_cpu_to_be_32(tcb->rcv_nxt) : 0;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(window_field(w, tcb, syn));
	if (flags & RTE_TCP_ACK_FLAG) {
		/* every segment but the SYN carries the ACK: no separate one owed */
		lm_tcp_ack_cancel(w, tcb);
		tcb->last_ack_sent = tcb->rcv_nxt;
		tcb->unacked_segs = 0;
	}
	lm_ipv4_output(w, tcb->ifidx, m, tcb->laddr, tcb->raddr, IPPROTO_TCP,
		       TCP_HDR_LEN + olen + len);
	return 0;
}

static void
rtt_start(struct lm_worker *w, struct lm_tcb *tcb, uint32_t seq)
{
	/* RFC 6298 section 3 (Karn): time no retransmitted segment */
	if (tcb->flags & (LM_TCBF_RTT_TIMING | LM_TCBF_RETRANSMIT))
		return;
	tcb->flags |= LM_TCBF_RTT_TIMING;
	tcb->rtt_seq = seq;
	tcb->rtt_start = (uint32_t)(w->now >> LM_TCP_RTT_SHIFT);
}

static void
rto_arm(struct lm_worker *w, struct lm_tcb *tcb)
{
	/* RFC 6298 5.1: start the timer if it is not running */
	if (tcb->timer_kind != LM_TCPT_RTO)
		lm_tcp_timer_set(w, tcb, LM_TCPT_RTO, lm_tcp_rto_us(tcb));
}

void
lm_tcp_send_syn(struct lm_worker *w, struct lm_tcb *tcb)
{
	tcb->snd_nxt = tcb->iss + 1;
	tcb->snd_max = tcb->iss + 1;
	rtt_start(w, tcb, tcb->iss);
	rto_arm(w, tcb);
	/* on failure the RTO sends it again */
	seg_send(w, tcb, tcb->iss, 0, tcb->state == LM_TCP_SYN_RCVD ?
		 RTE_TCP_SYN_FLAG | RTE_TCP_ACK_FLAG : RTE_TCP_SYN_FLAG);
}

/*
 * One segment of at most one SMSS from seq, with the FIN when it reaches
 * the end of the queued data. Returns the sequence space it used, or 0.
 */
static uint32_t
send_at(struct lm_worker *w, struct lm_tcb *tcb, uint32_t seq, uint32_t len)
{
	bool fin = (tcb->flags & LM_TCBF_FIN_QUEUED) && seq + len == tcb->snd_end;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (len > 0)
		flags |= RTE_TCP_PSH_FLAG;
	if (fin)
		flags |= RTE_TCP_FIN_FLAG;
	if (seg_send(w, tcb, seq, len, flags) != 0)
		return 0;
	if (LM_SEQ_LT(seq, tcb->snd_max))
		LM_STAT_INC(w->ctr->tcp_retransmits);
	else
		LM_STAT_ADD(w->ctr->app_tx_bytes, len);
	if (fin)
		tcb->flags |= LM_TCBF_FIN_SENT;
	return len + (fin ? 1 : 0);
}

/*
 * Sender silly-window avoidance (RFC 9293 3.8.6.2.1, without Nagle: a
 * generator sends its requests at once): send a full segment, or all that
 * is queued, or at least half the largest window the peer has offered.
 */
static bool
sws_ok(const struct lm_tcb *tcb, uint32_t len, uint32_t avail, uint32_t mss)
{
	return len >= mss || len == avail || len >= tcb->max_snd_wnd / 2;
}

void
lm_tcp_output(struct lm_worker *w, struct lm_tcb *tcb)
{
	uint32_t wnd, wnd_end;

	if (tcb->state < LM_TCP_ESTABLISHED || tcb->state == LM_TCP_TIME_WAIT ||
	    tcb->state == LM_TCP_FIN_WAIT_2)
		return;
	uint32_t mss = eff_mss(w, tcb);

	/* RFC 5681 3.1: send within min(cwnd, rwnd) */
	wnd = tcb->snd_wnd < tcb->cwnd ? tcb->snd_wnd : tcb->cwnd;
	wnd_end = tcb->snd_una + wnd;
	while (LM_SEQ_LT(tcb->snd_nxt, tcb->snd_end)) {
		uint32_t seq = tcb->snd_nxt;
		uint32_t avail = tcb->snd_end - seq;
		int32_t room = (int32_t)(wnd_end - seq);
		uint32_t len = avail, used;

		if (room <= 0)
			break;
		if (len > (uint32_t)room)
			len = (uint32_t)room;
		if (len > mss)
			len = mss;
		if (!sws_ok(tcb, len, avail, mss) && tcb->snd_una != tcb->snd_max)
			break; /* more room comes with the next ACK */
		used = send_at(w, tcb, seq, len);
		if (used == 0)
			break; /* the RTO timer tries again */
		rtt_start(w, tcb, seq);
		tcb->snd_nxt = seq + used;
		if (LM_SEQ_GT(tcb->snd_nxt, tcb->snd_max))
			tcb->snd_max = tcb->snd_nxt;
	}
	/* a FIN on its own: all data sent, FIN not (or no longer) in flight */
	if ((tcb->flags & LM_TCBF_FIN_QUEUED) && tcb->snd_nxt == tcb->snd_end &&
	    send_at(w, tcb, tcb->snd_end, 0) == 1) {
		tcb->snd_nxt = tcb->snd_end + 1;
		if (LM_SEQ_GT(tcb->snd_nxt, tcb->snd_max))
			tcb->snd_max = tcb->snd_nxt;
	}
	if (tcb->snd_wnd == 0 && LM_SEQ_LT(tcb->snd_nxt, tcb->snd_end)) {
		/* RFC 9293 3.8.6.1: probe a zero window, with its own timer */
		if (tcb->timer_kind != LM_TCPT_PERSIST)
			lm_tcp_timer_set(w, tcb, LM_TCPT_PERSIST, lm_tcp_rto_us(tcb));
	} else if (tcb->snd_una != tcb->snd_max) {
		rto_arm(w, tcb);
	}
}

void
lm_tcp_retransmit_una(struct lm_worker *w, struct lm_tcb *tcb)
{
	uint32_t len = tcb->snd_end - tcb->snd_una;

	if (LM_SEQ_GEQ(tcb->snd_una, tcb->snd_end)) {
		/* only the FIN is unacknowledged */
		if (tcb->flags & LM_TCBF_FIN_SENT)
			send_at(w, tcb, tcb->snd_end, 0);
		return;
	}
	if (len > eff_mss(w, tcb))
		len = eff_mss(w, tcb);
	send_at(w, tcb, tcb->snd_una, len);
}

void
lm_tcp_send_probe(struct lm_worker *w, struct lm_tcb *tcb)
{
	/*
	 * RFC 9293 3.8.6.1: "at least one octet of new data (if available),
	 * or retransmit": the probe is the byte at SND.UNA when one is out
	 * already, else the next byte, which then counts as sent.
	 */
	LM_STAT_INC(w->ctr->tcp_persist_probes);
	if (tcb->snd_una != tcb->snd_max) {
		send_at(w, tcb, tcb->snd_una, LM_SEQ_LT(tcb->snd_una, tcb->snd_end) ?
			1 : 0);
		return;
	}
	if (!LM_SEQ_LT(tcb->snd_nxt, tcb->snd_end))
		return;
	if (send_at(w, tcb, tcb->snd_nxt, 1) == 0)
		return;
	tcb->snd_nxt++;
	if (LM_SEQ_GT(tcb->snd_nxt, tcb->snd_max))
		tcb->snd_max = tcb->snd_nxt;
}

void
lm_tcp_send_ack(struct lm_worker *w, struct lm_tcb *tcb)
{
	seg_send(w, tcb, tcb->snd_nxt, 0, RTE_TCP_ACK_FLAG);
}

void
lm_tcp_send_rst(struct lm_worker *w, struct lm_tcb *tcb)
{
	uint32_t seq = tcb->snd_nxt;
	uint32_t edge = tcb->snd_una + tcb->snd_wnd;

	LM_STAT_INC(w->ctr->tcp_rst_tx);
	/*
	 * RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> (with the ACK, as Linux),
	 * but never past the right edge of the peer's window: a receiver
	 * drops a RST outside its window (3.10.7.4), and after a zero-window
	 * probe SND.NXT is one byte past it (the peer dropped the byte), where
	 * only SEQ = RCV.NXT would do. The peer would keep the connection for
	 * ever. The edge is in the window, or is RCV.NXT itself (Linux's
	 * tcp_acceptable_seq).
	 */
	if (LM_SEQ_GT(seq, edge))
		seq = edge;
	seg_send(w, tcb, seq, 0, RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG);
}

void
lm_tcp_reply_rst(struct lm_worker *w, uint32_t ifidx, const struct rte_mbuf *in)
{
	const struct rte_ipv4_hdr *ih = rte_pktmbuf_mtod_offset(in,
		const struct rte_ipv4_hdr *, in->l2_len);
	const struct rte_tcp_hdr *it = (const struct rte_tcp_hdr *)
		((const char *)ih + in->l3_len);
	uint32_t seg_len = rte_be_to_cpu_16(ih->total_length) - in->l3_len -
		(uint32_t)(it->data_off >> 4) * 4;
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;

	if (it->tcp_flags & RTE_TCP_RST_FLAG)
		return; /* never answer a RST */
	m = seg_alloc(w, 0, 0, &th);
	if (m == NULL)
		return;
	th->data_off = (uint8_t)((TCP_HDR_LEN / 4) << 4);
	th->src_port = it->dst_port;
	th->dst_port = it->src_port;
	th->rx_win = 0;
	if (it->tcp_flags & RTE_TCP_ACK_FLAG) {
		/* <SEQ=SEG.ACK><CTL=RST> */
		th->sent_seq = it->recv_ack;
		th->recv_ack = 0;
		th->tcp_flags = RTE_TCP_RST_FLAG;
	} else {
		/* <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK> */
		if (it->tcp_flags & RTE_TCP_SYN_FLAG)
			seg_len++;
		if (it->tcp_flags & RTE_TCP_FIN_FLAG)
			seg_len++;
		th->sent_seq = 0;
		th->recv_ack = rte_cpu_to_be_32(
			rte_be_to_cpu_32(it->sent_seq) + seg_len);
		th->tcp_flags = RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG;
	}
	LM_STAT_INC(w->ctr->tcp_rst_tx);
	lm_ipv4_output(w, ifidx, m, ih->dst_addr, ih->src_addr, IPPROTO_TCP,
		       TCP_HDR_LEN);
}

void
lm_tcp_ack_later(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcp *t = &w->tcp;

	if (tcb->flags & LM_TCBF_ACK_PENDING)
		return;
	if (unlikely(t->n_acks == LM_TCP_ACKS_PER_PASS)) {
		lm_tcp_send_ack(w, tcb);    /* a full list: now rather than lost */
		return;
	}
	tcb->flags |= LM_TCBF_ACK_PENDING;
	t->acks[t->n_acks++] = tcb;
}

void
lm_tcp_ack_data(struct lm_worker *w, struct lm_tcb *tcb, uint32_t len)
{
	struct lm_tcp *t = &w->tcp;

	/*
	 * No delay set: the ACK goes at the end of the pass that received
	 * the data, so no segment waits for its ACK, and a burst read in one
	 * pass (up to LM_RX_BURST segments) draws one ACK, as the kernel's
	 * GRO coalesces a burst into one segment to acknowledge.
	 */
	if (t->delack_tsc == 0) {
		lm_tcp_ack_later(w, tcb);
		return;
	}
	/* what the peer sends full-sized, as far as its segments show */
	if (len > tcb->rcv_mss)
		tcb->rcv_mss = (uint16_t)(len < w->tcp.mss ? len : w->tcp.mss);
	if (len >= tcb->rcv_mss && tcb->unacked_segs < UINT8_MAX)
		tcb->unacked_segs++;
	/*
	 * RFC 5681 4.2 / RFC 9293 3.8.6.3: an ACK for at least every second
	 * full-sized segment, and none delayed by more than the delay set.
	 */
	if (tcb->unacked_segs >= 2) {
		lm_tcp_send_ack(w, tcb);
		return;
	}
	if (tcb->flags & (LM_TCBF_DELACK | LM_TCBF_ACK_PENDING))
		return;
	if (unlikely(t->n_delacks > t->delack_mask)) {
		lm_tcp_ack_later(w, tcb);   /* no room to wait: end of the pass */
		return;
	}
	tcb->flags |= LM_TCBF_DELACK;
	t->delacks[(t->delack_head + t->n_delacks++) & t->delack_mask] =
		(struct lm_delack){ .tcb = tcb, .due = w->now + t->delack_tsc };
}

void
lm_tcp_flush_acks(struct lm_worker *w)
{
	struct lm_tcp *t = &w->tcp;

	/* delayed ACKs come due in the order they were queued */
	while (t->n_delacks > 0 &&
	       t->delacks[t->delack_head].due <= w->now) {
		struct lm_tcb *tcb = t->delacks[t->delack_head].tcb;

		t->delack_head = (t->delack_head + 1) & t->delack_mask;
		t->n_delacks--;
		if (!(tcb->flags & LM_TCBF_DELACK))
			continue;       /* it no longer owes one */
		tcb->flags &= ~LM_TCBF_DELACK;
		if (tcb->last_ack_sent != tcb->rcv_nxt)
			lm_tcp_ack_later(w, tcb);
	}
	/* what is queued while sending (an ACK list full) goes at once */
	for (uint32_t i = 0; i < t->n_acks; i++) {
		struct lm_tcb *tcb = t->acks[i];

		if (tcb == NULL)
			continue;       /* cancelled: released, or ACKed by data */
		tcb->flags &= ~LM_TCBF_ACK_PENDING;
		lm_tcp_send_ack(w, tcb);
	}
	t->n_acks = 0;
}
