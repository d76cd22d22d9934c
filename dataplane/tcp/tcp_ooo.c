/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The out-of-order queue of a connection and the SACK blocks that report
 * it (RFC 2018).
 *
 * Held segments are kept in a list sorted by sequence number. Under loss
 * nearly every new segment lands after the last one held (the peer keeps
 * sending while a hole waits for its retransmission), so the tail is
 * checked first: holding is O(1) in the common case, and a walk from the
 * head happens only for a retransmission filling a hole, which sits near
 * the head.
 *
 * The SACK blocks are kept apart, most recently changed first, as RFC 2018
 * section 4 asks of a receiver: the first block holds the segment that
 * triggered the ACK, the others repeat the blocks reported most recently.
 * Writing them into an ACK then costs nothing, however many segments are
 * held; with more holes than an option can carry, the oldest block is
 * forgotten until a segment next to it arrives again.
 */
#include <string.h>

#include "worker.h"
#include "tcp/tcp.h"

/* Whether [lo, hi) and [b->lo, b->hi) overlap or touch. */
static inline bool
sack_touches(const struct lm_sack_block *b, uint32_t lo, uint32_t hi)
{
	return LM_SEQ_LEQ(b->lo, hi) && LM_SEQ_GEQ(b->hi, lo);
}

/*
 * [lo, hi) was just held: its block, merged with every block it touches,
 * goes first; the others keep their order behind it. Returns true when it
 * touched none: a new block, past a new hole.
 */
static bool
sack_note(struct lm_tcb *tcb, uint32_t lo, uint32_t hi)
{
	struct lm_sack_block rest[LM_TCP_SACK_BLOCKS];
	unsigned int n_rest = tcb->n_sack;
	bool grew = true, alone = true;

	/*
	 * Absorb every block the new one touches; as it grows it can come to
	 * touch one passed over, so go again until a pass absorbs nothing.
	 */
	while (grew) {
		grew = false;
		n_rest = 0;
		for (unsigned int i = 0; i < tcb->n_sack; i++) {
			const struct lm_sack_block *b = &tcb->sack[i];

			if (sack_touches(b, lo, hi)) {
				if (LM_SEQ_LT(b->lo, lo))
					lo = b->lo;
				if (LM_SEQ_GT(b->hi, hi))
					hi = b->hi;
				grew = true;
				alone = false;
			} else {
				rest[n_rest++] = *b;
			}
		}
		memcpy(tcb->sack, rest, n_rest * sizeof(rest[0]));
		tcb->n_sack = (uint8_t)n_rest;
	}
	if (n_rest == LM_TCP_SACK_BLOCKS)
		n_rest--; /* the oldest is forgotten */
	memmove(&tcb->sack[1], &tcb->sack[0], n_rest * sizeof(rest[0]));
	tcb->sack[0].lo = lo;
	tcb->sack[0].hi = hi;
	tcb->n_sack = (uint8_t)(n_rest + 1);
	return alone;
}

void
lm_tcp_sack_trim(struct lm_tcb *tcb)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < tcb->n_sack; i++) {
		struct lm_sack_block b = tcb->sack[i];

		if (LM_SEQ_LEQ(b.hi, tcb->rcv_nxt))
			continue; /* delivered: acknowledged cumulatively now */
		if (LM_SEQ_LT(b.lo, tcb->rcv_nxt))
			b.lo = tcb->rcv_nxt;
		tcb->sack[n++] = b;
	}
	tcb->n_sack = (uint8_t)n;
}

int
lm_tcp_ooo_hold(struct lm_worker *w, struct lm_tcb *tcb, struct rte_mbuf *m,
		uint32_t seq, uint32_t len, uint16_t data_off, bool fin)
{
	struct lm_ooo_seg **pp, *prev, *n;
	uint32_t end = seq + len;

	if (tcb->ooo_tail != NULL &&
	    LM_SEQ_GEQ(seq, tcb->ooo_tail->seq + tcb->ooo_tail->len)) {
		prev = tcb->ooo_tail;
		pp = &prev->next;
	} else {
		prev = NULL;
		pp = &tcb->ooo;
		while (*pp != NULL && LM_SEQ_LEQ((*pp)->seq, seq)) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (prev != NULL && LM_SEQ_GEQ(prev->seq + prev->len, end))
			return -EEXIST; /* a duplicate of what is held */
	}
	if (tcb->n_ooo >= w->tcp.ooo_per_conn || w->tcp.ooo_free == NULL) {
		LM_STAT_INC(w->ctr->tcp_ooo_dropped);
		return -ENOBUFS;
	}
	n = w->tcp.ooo_free;
	w->tcp.ooo_free = n->next;
	n->m = m;
	n->seq = seq;
	n->len = len;
	n->data_off = data_off;
	n->fin = fin;
	n->next = *pp;
	*pp = n;
	if (n->next == NULL)
		tcb->ooo_tail = n;
	tcb->n_ooo++;
	LM_STAT_INC(w->ctr->tcp_ooo_held);
	if ((tcb->flags & LM_TCBF_SACK) && sack_note(tcb, seq, end))
		return 1;
	return 0;
}

struct lm_ooo_seg *
lm_tcp_ooo_take(struct lm_tcb *tcb)
{
	struct lm_ooo_seg *n = tcb->ooo;

	if (n == NULL || LM_SEQ_GT(n->seq, tcb->rcv_nxt))
		return NULL;
	tcb->ooo = n->next;
	if (tcb->ooo == NULL)
		tcb->ooo_tail = NULL;
	tcb->n_ooo--;
	return n;
}

void
lm_tcp_ooo_free(struct lm_worker *w, struct lm_ooo_seg *n)
{
	rte_pktmbuf_free(n->m);
	n->next = w->tcp.ooo_free;
	w->tcp.ooo_free = n;
}

void
lm_tcb_ooo_flush(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_ooo_seg *n;

	while ((n = tcb->ooo) != NULL) {
		tcb->ooo = n->next;
		lm_tcp_ooo_free(w, n);
	}
	tcb->ooo_tail = NULL;
	tcb->n_ooo = 0;
	tcb->n_sack = 0;
}
