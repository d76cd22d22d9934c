/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCP output: SYN, data (regenerated from the application's stream at any
 * offset, so a retransmission needs no send buffer), FIN, ACK and RST.
 */
#include <rte_byteorder.h>
#include <rte_cycles.h>
#include <rte_tcp.h>

#include "worker.h"
#include "net/ipv4.h"
#include "tcp/tcp.h"

#define TCP_HDR_LEN ((uint32_t)sizeof(struct rte_tcp_hdr))
#define TCP_OPT_MSS_LEN 4u

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
	(*thp)->data_off = (uint8_t)(((TCP_HDR_LEN + optlen) / 4) << 4);
	(*thp)->tcp_urp = 0;
	return m;
}

/* Fill the common header fields of a segment of tcb and send it. */
static void
seg_send(struct lm_worker *w, struct lm_tcb *tcb, struct rte_mbuf *m,
	 struct rte_tcp_hdr *th, uint32_t seq, uint8_t flags, uint32_t l4_len)
{
	th->src_port = tcb->lport;
	th->dst_port = tcb->rport;
	th->sent_seq = rte_cpu_to_be_32(seq);
	th->recv_ack = (flags & RTE_TCP_ACK_FLAG) ?
		rte_cpu_to_be_32(tcb->rcv_nxt) : 0;
	th->tcp_flags = flags;
	th->rx_win = rte_cpu_to_be_16(w->tcp.rcv_wnd);
	/* every segment but the SYN carries the ACK: no separate one owed */
	if (flags & RTE_TCP_ACK_FLAG)
		lm_tcp_ack_cancel(w, tcb);
	lm_ipv4_output(w, tcb->ifidx, m, tcb->laddr, tcb->raddr, IPPROTO_TCP,
		       l4_len);
}

static void
rtt_start(struct lm_worker *w, struct lm_tcb *tcb, uint32_t seq)
{
	/* RFC 6298 section 3 (Karn): time no retransmitted segment */
	if (tcb->flags & (LM_TCBF_RTT_TIMING | LM_TCBF_RETRANSMIT))
		return;
	tcb->flags |= LM_TCBF_RTT_TIMING;
	tcb->rtt_seq = seq;
	tcb->rtt_start = w->now;
}

static void
rto_arm(struct lm_worker *w, struct lm_tcb *tcb)
{
	/* RFC 6298 5.1: start the timer if it is not running */
	if (tcb->timer_kind != LM_TCPT_RTO)
		lm_tcp_timer_set(w, tcb, LM_TCPT_RTO, tcb->rto_us);
}

void
lm_tcp_send_syn(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m = seg_alloc(w, TCP_OPT_MSS_LEN, 0, &th);

	tcb->snd_nxt = tcb->iss + 1;
	tcb->snd_max = tcb->iss + 1;
	rtt_start(w, tcb, tcb->iss);
	rto_arm(w, tcb);
	if (m == NULL)
		return; /* the RTO sends it again */
	/* RFC 9293 3.7.1 / RFC 6691: MSS option = MTU - 40 */
	uint8_t *opt = (uint8_t *)(th + 1);

	opt[0] = 2;
	opt[1] = 4;
	opt[2] = (uint8_t)(w->tcp.mss >> 8);
	opt[3] = (uint8_t)w->tcp.mss;
	seg_send(w, tcb, m, th, tcb->iss, RTE_TCP_SYN_FLAG,
		 TCP_HDR_LEN + TCP_OPT_MSS_LEN);
}

/* One segment of len stream bytes from seq (fin: with our FIN after them). */
static int
send_data(struct lm_worker *w, struct lm_tcb *tcb, uint32_t seq, uint32_t len,
	  bool fin)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m;
	uint8_t flags = RTE_TCP_ACK_FLAG;

	if (len > 0 && tcb->app == NULL)
		return -EPIPE; /* nobody can regenerate these bytes */
	m = seg_alloc(w, 0, len, &th);
	if (m == NULL)
		return -ENOMEM;
	if (len > 0) {
		tcb->ops->fill(w, tcb, seq - (tcb->iss + 1), (uint8_t *)(th + 1),
			       len);
		flags |= RTE_TCP_PSH_FLAG;
	}
	if (fin)
		flags |= RTE_TCP_FIN_FLAG;
	seg_send(w, tcb, m, th, seq, flags, TCP_HDR_LEN + len);
	return 0;
}

void
lm_tcp_output(struct lm_worker *w, struct lm_tcb *tcb)
{
	uint32_t wnd_end = tcb->snd_una + tcb->snd_wnd;

	if (tcb->state < LM_TCP_ESTABLISHED || tcb->state == LM_TCP_TIME_WAIT ||
	    tcb->state == LM_TCP_FIN_WAIT_2)
		return;
	while (LM_SEQ_LT(tcb->snd_nxt, tcb->snd_end)) {
		uint32_t seq = tcb->snd_nxt;
		uint32_t len = tcb->snd_end - seq;
		int32_t room = (int32_t)(wnd_end - seq);
		bool fin;

		if (room <= 0)
			break;
		if (len > (uint32_t)room)
			len = (uint32_t)room;
		if (len > tcb->smss)
			len = tcb->smss;
		/* the FIN rides on the last data segment when it can */
		fin = (tcb->flags & LM_TCBF_FIN_QUEUED) &&
			seq + len == tcb->snd_end;
		if (send_data(w, tcb, seq, len, fin) != 0)
			break; /* the RTO timer tries again */
		if (LM_SEQ_GEQ(seq, tcb->snd_max))
			LM_STAT_ADD(w->ctr->app_tx_bytes, len);
		else
			LM_STAT_INC(w->ctr->tcp_retransmits);
		rtt_start(w, tcb, seq);
		tcb->snd_nxt = seq + len + (fin ? 1 : 0);
		if (fin)
			tcb->flags |= LM_TCBF_FIN_SENT;
		if (LM_SEQ_GT(tcb->snd_nxt, tcb->snd_max))
			tcb->snd_max = tcb->snd_nxt;
	}
	/* a FIN on its own: all data sent, FIN not (or no longer) in flight */
	if ((tcb->flags & LM_TCBF_FIN_QUEUED) && tcb->snd_nxt == tcb->snd_end) {
		if (send_data(w, tcb, tcb->snd_end, 0, true) == 0) {
			if (LM_SEQ_LT(tcb->snd_end, tcb->snd_max))
				LM_STAT_INC(w->ctr->tcp_retransmits);
			tcb->snd_nxt = tcb->snd_end + 1;
			tcb->flags |= LM_TCBF_FIN_SENT;
			if (LM_SEQ_GT(tcb->snd_nxt, tcb->snd_max))
				tcb->snd_max = tcb->snd_nxt;
		}
	}
	if (tcb->snd_una != tcb->snd_max) {
		rto_arm(w, tcb);
	} else if (LM_SEQ_LT(tcb->snd_nxt, tcb->snd_end) && tcb->snd_wnd == 0 &&
		   tcb->timer_kind != LM_TCPT_PERSIST) {
		/* RFC 9293 3.8.6.1: probe a zero window */
		lm_tcp_timer_set(w, tcb, LM_TCPT_PERSIST, tcb->rto_us);
	}
}

void
lm_tcp_send_ack(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m = seg_alloc(w, 0, 0, &th);

	if (m == NULL)
		return;
	seg_send(w, tcb, m, th, tcb->snd_nxt, RTE_TCP_ACK_FLAG, TCP_HDR_LEN);
}

void
lm_tcp_send_rst(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct rte_tcp_hdr *th;
	struct rte_mbuf *m = seg_alloc(w, 0, 0, &th);

	if (m == NULL)
		return;
	LM_STAT_INC(w->ctr->tcp_rst_tx);
	/* RFC 9293 3.10.5: <SEQ=SND.NXT><CTL=RST> (with the ACK, as Linux) */
	seg_send(w, tcb, m, th, tcb->snd_nxt,
		 RTE_TCP_RST_FLAG | RTE_TCP_ACK_FLAG, TCP_HDR_LEN);
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
	if (tcb->flags & LM_TCBF_ACK_PENDING)
		return;
	tcb->flags |= LM_TCBF_ACK_PENDING;
	tcb->ack_next = w->tcp.ack_list;
	w->tcp.ack_list = tcb;
}

void
lm_tcp_flush_acks(struct lm_worker *w)
{
	struct lm_tcb *tcb;

	while ((tcb = w->tcp.ack_list) != NULL) {
		w->tcp.ack_list = tcb->ack_next;
		tcb->flags &= ~LM_TCBF_ACK_PENDING;
		lm_tcp_send_ack(w, tcb);
	}
}
