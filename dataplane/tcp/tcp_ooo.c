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
 *
 * Both live in a struct lm_tcb_ooo lent from the worker's pool while the
 * connection holds anything: a connection receiving in order (nearly all
 * of them, nearly always) pays a pointer for it. With the pool empty, a
 * segment past a hole is dropped as if there were no room for it.
 */
#include <errno.h>
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
sack_note(struct lm_tcb_ooo *o, uint32_t lo, uint32_t hi)
{
	struct lm_sack_block rest[LM_TCP_SACK_BLOCKS];
	unsigned int n_rest = o->n_sack;
	bool grew = true, alone = true;

	/*
	 * Absorb every block the new one touches; as it grows it can come to
	 * touch one passed over, so go again until a pass absorbs nothing.
	 */
	while (grew) {
		grew = false;
		n_rest = 0;
		for (unsigned int i = 0; i < o->n_sack; i++) {
			const struct lm_sack_block *b = &o->sack[i];

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
		memcpy(o->sack, rest, n_rest * sizeof(rest[0]));
		o->n_sack = (uint8_t)n_rest;
	}
	if (n_rest == LM_TCP_SACK_BLOCKS)
		n_rest--; /* the oldest is forgotten */
	memmove(&o->sack[1], &o->sack[0], n_rest * sizeof(rest[0]));
	o->sack[0].lo = lo;
	o->sack[0].hi = hi;
	o->n_sack = (uint8_t)(n_rest + 1);
	return alone;
}

/* Give tcb's out-of-order state back to the pool. */
static void
ooo_put(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);

	o->next_free = w->tcp.ooo_conn_free;
	w->tcp.ooo_conn_free = o;
	w->tcp.n_ooo_conns_used--;
	tcb->ooo = 0;
}

void
lm_tcp_ooo_caught_up(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);
	unsigned int n = 0;

	if (o == NULL)
		return;
	if (o->head == NULL) {
		/* everything held is delivered: no block is left to report */
		ooo_put(w, tcb);
		return;
	}
	for (unsigned int i = 0; i < o->n_sack; i++) {
		struct lm_sack_block b = o->sack[i];

		if (LM_SEQ_LEQ(b.hi, tcb->rcv_nxt))
			continue; /* delivered: acknowledged cumulatively now */
		if (LM_SEQ_LT(b.lo, tcb->rcv_nxt))
			b.lo = tcb->rcv_nxt;
		o->sack[n++] = b;
	}
	o->n_sack = (uint8_t)n;
}

int
lm_tcp_ooo_hold(struct lm_worker *w, struct lm_tcb *tcb, struct rte_mbuf *m,
		uint32_t seq, uint32_t len, uint16_t data_off, bool fin)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);
	struct lm_ooo_seg **pp, *prev, *n;
	uint32_t end = seq + len;

	if (o == NULL) {
		o = w->tcp.ooo_conn_free;
		if (o == NULL || w->tcp.ooo_free == NULL) {
			LM_STAT_INC(w->ctr->tcp_ooo_dropped);
			return -ENOBUFS;
		}
		w->tcp.ooo_conn_free = o->next_free;
		w->tcp.n_ooo_conns_used++;
		memset(o, 0, sizeof(*o));
		o->acks_at = tcb->rcv_nxt;
		tcb->ooo = (uint16_t)(o - w->tcp.ooo_conns + 1);
	}
	if (o->tail != NULL && LM_SEQ_GEQ(seq, o->tail->seq + o->tail->len)) {
		prev = o->tail;
		pp = &prev->next;
	} else {
		prev = NULL;
		pp = &o->head;
		while (*pp != NULL && LM_SEQ_LEQ((*pp)->seq, seq)) {
			prev = *pp;
			pp = &(*pp)->next;
		}
		if (prev != NULL && LM_SEQ_GEQ(prev->seq + prev->len, end))
			return -EEXIST; /* a duplicate of what is held */
	}
	if (o->n >= w->tcp.ooo_per_conn || w->tcp.ooo_free == NULL) {
		LM_STAT_INC(w->ctr->tcp_ooo_dropped);
		return -ENOBUFS;
	}
	n = w->tcp.ooo_free;
	w->tcp.ooo_free = n->next;
	w->tcp.n_ooo_held++;
	n->m = m;
	n->seq = seq;
	n->len = len;
	n->data_off = data_off;
	n->fin = fin;
	n->next = *pp;
	*pp = n;
	if (n->next == NULL)
		o->tail = n;
	o->n++;
	LM_STAT_INC(w->ctr->tcp_ooo_held);
	if ((tcb->flags & LM_TCBF_SACK) && sack_note(o, seq, end))
		return 1;
	return 0;
}

struct lm_ooo_seg *
lm_tcp_ooo_take(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);
	struct lm_ooo_seg *n;

	if (o == NULL)
		return NULL;
	n = o->head;
	if (n == NULL || LM_SEQ_GT(n->seq, tcb->rcv_nxt))
		return NULL;
	o->head = n->next;
	if (o->head == NULL)
		o->tail = NULL;
	o->n--;
	return n;
}

void
lm_tcp_ooo_free(struct lm_worker *w, struct lm_ooo_seg *n)
{
	rte_pktmbuf_free(n->m);
	n->next = w->tcp.ooo_free;
	w->tcp.ooo_free = n;
	w->tcp.n_ooo_held--;
}

void
lm_tcb_ooo_flush(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcb_ooo *o = lm_tcb_ooo_of(&w->tcp, tcb);
	struct lm_ooo_seg *n;

	if (o == NULL)
		return;
	while ((n = o->head) != NULL) {
		o->head = n->next;
		lm_tcp_ooo_free(w, n);
	}
	ooo_put(w, tcb);
}
