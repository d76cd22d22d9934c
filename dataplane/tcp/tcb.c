/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCB pool, connection table and source ports of one worker. Everything is
 * allocated when the worker is set up; nothing allocates afterwards.
 */
#include <errno.h>

#include <rte_byteorder.h>
#include <rte_malloc.h>

#include "mem.h"
#include "worker.h"
#include "tcp/tcp.h"
#include "net/owner.h"

/* Ephemeral ports we use (RFC 6335 section 6 allows 1024-65535). */
#define LM_PORT_FIRST 1024u
#define LM_PORT_LAST 65535u

static inline uint32_t
tuple_hash(uint32_t laddr, uint32_t raddr, uint16_t lport, uint16_t rport)
{
	uint64_t k = ((uint64_t)raddr << 32 | laddr) ^
		((uint64_t)lport << 16 | rport) * UINT64_C(0x9e3779b97f4a7c15);

	k ^= k >> 29;
	k *= UINT64_C(0xbf58476d1ce4e5b9);
	return (uint32_t)(k >> 32);
}

/*
 * The plan's "tcp" settings; a plan built by hand with none (all zero)
 * gets the defaults of the plan reference.
 */
static void
tcp_settings(struct lm_worker *w, struct lm_tcp *t)
{
	static const struct lm_plan_tcp zero;
	struct lm_plan_tcp c = w->plan->tcp;
	uint32_t segs;

	if (memcmp(&c, &zero, sizeof(c)) == 0) {
		c.time_wait_ms = LM_TCP_TIME_WAIT_MS;
		c.syn_retries = LM_TCP_SYN_RETRIES;
		c.data_retries = LM_TCP_DATA_RETRIES;
		c.window_bytes = 65535;
		c.init_cwnd = LM_TCP_INIT_CWND;
	}
	t->time_wait_ms = c.time_wait_ms;
	t->fin_wait_2_ms = LM_TCP_FIN_WAIT_2_MS;
	t->syn_retries = (uint8_t)c.syn_retries;
	t->data_retries = (uint8_t)(c.data_retries ? c.data_retries : 1);
	t->init_cwnd = c.init_cwnd ? c.init_cwnd : LM_TCP_INIT_CWND;
	t->sack = c.sack;
	t->sack_compress = c.sack_compress;
	t->timestamps = c.timestamps;
	t->window_scaling = c.window_scaling;
	t->rcv_wnd = c.window_bytes ? c.window_bytes : 65535;
	/* RFC 7323 2.3: the smallest shift that carries the window */
	t->rcv_wscale = 0;
	if (t->window_scaling)
		while ((t->rcv_wnd >> t->rcv_wscale) > 65535 && t->rcv_wscale < 14)
			t->rcv_wscale++;
	else if (t->rcv_wnd > 65535)
		t->rcv_wnd = 65535;
	/*
	 * What we can absorb: everything in order is consumed at once, so
	 * only segments past a gap need room; hold a window's worth.
	 */
	segs = t->rcv_wnd / (t->mss ? t->mss : 536) + 2;
	t->ooo_per_conn = (uint16_t)(segs > 1024 ? 1024 : segs);
	t->delack_tsc = (uint64_t)c.delayed_ack_ms * w->hz / 1000;
}

/*
 * Entries of the delayed-ACK ring: a TCB has at most one live entry, so
 * as many as TCBs (to a bound; past it, an ACK goes at the end of the
 * pass instead of after the delay), a power of two.
 */
static uint32_t
delack_ring(uint32_t n_tcbs)
{
	uint32_t n = 1024;

	while (n < n_tcbs && n < 65536)
		n <<= 1;
	return n;
}

int
lm_tcp_init(struct lm_worker *w, uint32_t n_tcbs, uint16_t mtu)
{
	struct lm_tcp *t = &w->tcp;
	uint32_t nb = 1;
	int socket = rte_lcore_to_socket_id(w->lcore);
	int rc;

	memset(t, 0, sizeof(*t));
	/* chained: one bucket per TCB keeps chains short and costs 8 bytes */
	while (nb < n_tcbs)
		nb <<= 1;
	t->tcbs = rte_zmalloc_socket("lm_tcbs", sizeof(struct lm_tcb) * n_tcbs,
				     RTE_CACHE_LINE_SIZE, socket);
	t->buckets = rte_zmalloc_socket("lm_tcb_hash", sizeof(*t->buckets) * nb,
					RTE_CACHE_LINE_SIZE, socket);
	t->acks = rte_zmalloc_socket("lm_tcp_acks", sizeof(*t->acks) *
				     LM_TCP_ACKS_PER_PASS, RTE_CACHE_LINE_SIZE,
				     socket);
	t->delacks = rte_zmalloc_socket("lm_tcp_delacks", sizeof(*t->delacks) *
					delack_ring(n_tcbs), RTE_CACHE_LINE_SIZE,
					socket);
	t->ooo_nodes = rte_zmalloc_socket("lm_tcp_ooo", sizeof(struct lm_ooo_seg) *
					  LM_TCP_OOO_PER_WORKER,
					  RTE_CACHE_LINE_SIZE, socket);
	t->n_ooo_conns = RTE_MIN(n_tcbs, (uint32_t)LM_TCP_OOO_CONNS);
	t->ooo_conns = rte_zmalloc_socket("lm_tcp_ooo_conns",
					  sizeof(struct lm_tcb_ooo) *
					  t->n_ooo_conns, RTE_CACHE_LINE_SIZE,
					  socket);
	if (t->tcbs == NULL || t->buckets == NULL || t->ooo_nodes == NULL ||
	    t->ooo_conns == NULL || t->acks == NULL || t->delacks == NULL) {
		lm_tcp_fini(w);
		return -ENOMEM;
	}
	/* the wheel links TCB timers by their place in the pool */
	rc = lm_wheel_register(&w->wheel, LM_TIMER_TCB, &t->tcbs[0].timer,
			       sizeof(t->tcbs[0]), n_tcbs);
	if (rc != 0) {
		lm_tcp_fini(w);
		return rc;
	}
	t->n_tcbs = n_tcbs;
	t->bucket_mask = nb - 1;
	t->delack_mask = delack_ring(n_tcbs) - 1;
	for (uint32_t i = n_tcbs; i-- > 0;) {
		t->tcbs[i].hnext = t->free;
		t->free = i + 1;
	}
	for (uint32_t i = LM_TCP_OOO_PER_WORKER; i-- > 0;) {
		t->ooo_nodes[i].next = t->ooo_free;
		t->ooo_free = &t->ooo_nodes[i];
	}
	for (uint32_t i = t->n_ooo_conns; i-- > 0;) {
		t->ooo_conns[i].next_free = t->ooo_conn_free;
		t->ooo_conn_free = &t->ooo_conns[i];
	}
	t->mss = (uint16_t)(mtu - 40);
	tcp_settings(w, t);
	/* start each worker at a random port (port_alloc finds its own) */
	t->next_port = LM_PORT_FIRST +
		(uint32_t)(lm_rand(w) % (LM_PORT_LAST - LM_PORT_FIRST + 1));
	return 0;
}

void
lm_tcp_fini(struct lm_worker *w)
{
	rte_free(w->tcp.tcbs);
	rte_free(w->tcp.buckets);
	rte_free(w->tcp.ooo_nodes);
	rte_free(w->tcp.ooo_conns);
	rte_free(w->tcp.acks);
	rte_free(w->tcp.delacks);
	w->tcp.ooo_conns = NULL;
	w->tcp.acks = NULL;
	w->tcp.delacks = NULL;
	w->tcp.tcbs = NULL;
	w->tcp.buckets = NULL;
	w->tcp.ooo_nodes = NULL;
}

void
lm_tcp_mem(const struct lm_worker *w, struct lm_mem *m)
{
	const struct lm_tcp *t = &w->tcp;
	uint64_t table = (uint64_t)(t->bucket_mask + 1) * sizeof(*t->buckets);

	m->tcbs += t->n_tcbs;
	m->tcb_bytes += (uint64_t)t->n_tcbs * sizeof(struct lm_tcb);
	m->table_bytes += table;
	/* what a connection may need now and then, and the ACK lists */
	m->ooo_bytes += (uint64_t)LM_TCP_OOO_PER_WORKER *
		sizeof(struct lm_ooo_seg) +
		(uint64_t)t->n_ooo_conns * sizeof(struct lm_tcb_ooo) +
		(uint64_t)LM_TCP_ACKS_PER_PASS * sizeof(*t->acks) +
		(uint64_t)(t->delack_mask + 1) * sizeof(*t->delacks);
	m->tcb_size = sizeof(struct lm_tcb);
	if (t->n_tcbs > 0)
		m->table_entry = (uint32_t)(table / t->n_tcbs);
}

struct lm_tcb *
lm_tcb_lookup(struct lm_worker *w, uint32_t laddr, uint32_t raddr,
	      uint16_t lport, uint16_t rport)
{
	struct lm_tcp *t = &w->tcp;
	uint32_t ref = t->buckets[tuple_hash(laddr, raddr, lport, rport) &
				  t->bucket_mask];

	while (ref != 0) {
		struct lm_tcb *tcb = &t->tcbs[ref - 1];

		if (tcb->lport == lport && tcb->rport == rport &&
		    tcb->raddr == raddr && tcb->laddr == laddr)
			return tcb;
		ref = tcb->hnext;
	}
	return NULL;
}

struct lm_tcb *
lm_tcb_alloc(struct lm_worker *w)
{
	struct lm_tcp *t = &w->tcp;
	struct lm_tcb *tcb = lm_tcb_deref(t, t->free);

	if (unlikely(tcb == NULL))
		return NULL;
	t->free = tcb->hnext;
	memset(tcb, 0, sizeof(*tcb));
	lm_timer_init(&tcb->timer);
	tcb->timer.type = LM_TIMER_TCB;
	t->n_used++;
	LM_STAT_SET(w->ctr->conns_active, t->n_used);
	if (t->n_used > t->n_peak) {
		t->n_peak = t->n_used;
		LM_STAT_SET(w->ctr->tcbs_peak, t->n_peak);
	}
	return tcb;
}

void
lm_tcb_insert(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcp *t = &w->tcp;
	uint32_t b = tuple_hash(tcb->laddr, tcb->raddr, tcb->lport,
				tcb->rport) & t->bucket_mask;

	tcb->hnext = t->buckets[b];
	t->buckets[b] = lm_tcb_ref(t, tcb);
}

static void
tcb_unhash(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcp *t = &w->tcp;
	uint32_t *pp = &t->buckets[tuple_hash(tcb->laddr, tcb->raddr,
			tcb->lport, tcb->rport) & t->bucket_mask];
	uint32_t ref = lm_tcb_ref(t, tcb);

	for (; *pp != 0; pp = &t->tcbs[*pp - 1].hnext) {
		if (*pp == ref) {
			*pp = tcb->hnext;
			return;
		}
	}
}

/*
 * tcb no longer owes a delayed ACK. Its entry stays in the ring and is
 * passed over when it comes due (or, should the TCB be reused and owe one
 * again meanwhile, sends that ACK early: harmless).
 */
static void
delack_remove(struct lm_tcb *tcb)
{
	tcb->flags &= ~LM_TCBF_DELACK;
}

void
lm_tcp_ack_cancel(struct lm_worker *w, struct lm_tcb *tcb)
{
	struct lm_tcp *t = &w->tcp;

	if (!(tcb->flags & LM_TCBF_ACK_PENDING))
		return;
	/* the list holds what this pass queued: short */
	for (uint32_t i = 0; i < t->n_acks; i++)
		if (t->acks[i] == tcb)
			t->acks[i] = NULL;
	tcb->flags &= ~LM_TCBF_ACK_PENDING;
}

void
lm_tcb_release(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
	struct lm_tcp *t = &w->tcp;

	lm_tcp_timer_stop(w, tcb);
	lm_tcb_ooo_flush(w, tcb);
	lm_tcp_ack_cancel(w, tcb);
	delack_remove(tcb);
	tcb_unhash(w, tcb);
	if (tcb->state == LM_TCP_TIME_WAIT)
		t->n_time_wait--;
	else if (lm_tcp_state_closing(tcb->state))
		t->n_closing--;
	tcb->state = LM_TCP_CLOSED;
	if (tcb->app != NULL) {
		/* the app still finds itself through tcb->app in the callback */
		lm_tcb_ops(t, tcb)->closed(w, tcb, why);
		tcb->app = NULL;
	}
	tcb->hnext = t->free;
	t->free = lm_tcb_ref(t, tcb);
	t->n_used--;
	LM_STAT_SET(w->ctr->conns_active, t->n_used);
	LM_STAT_INC(w->ctr->conn_closed);
}

/*
 * A source port that this worker owns (net/owner.h), so that a port which
 * steers flows delivers the replies to us, and which no live TCB
 * (TIME_WAIT included) uses towards raddr:rport. A port we listen on at
 * laddr is passed over: a segment to it goes by the peer's port.
 */
static int
port_alloc(struct lm_worker *w, uint32_t laddr, uint32_t raddr, uint16_t rport,
	   uint16_t *lport)
{
	struct lm_tcp *t = &w->tcp;
	/* a shard takes its own range (control/plan_shard.c) */
	uint32_t first = w->plan->shard.port_first ? w->plan->shard.port_first :
		LM_PORT_FIRST;
	uint32_t last = w->plan->shard.port_first ? w->plan->shard.port_last :
		LM_PORT_LAST;
	uint32_t span = last - first + 1;
	uint32_t p = t->next_port;

	if (p < first || p > last)
		p = first + p % span;
	for (uint32_t tries = 0; tries < span; tries++, p++) {
		uint16_t be;

		if (p > last)
			p = first;
		if (lm_port_owner(p, w->n_workers) != w->id)
			continue;
		be = rte_cpu_to_be_16((uint16_t)p);
		if (unlikely(t->n_listen > 0 &&
			     lm_tcp_listener_find(t, laddr, be) != NULL))
			continue;
		if (lm_tcb_lookup(w, laddr, raddr, be, rport) == NULL) {
			t->next_port = p + 1;
			*lport = be;
			return 0;
		}
	}
	return -EADDRINUSE;
}

/*
 * The index of ops in the worker's table (added when new): a TCB names
 * its app's callbacks in one byte. -ENOSPC past LM_TCP_MAX_OPS kinds.
 */
static int
ops_index(struct lm_tcp *t, const struct lm_tcp_ops *ops)
{
	for (uint32_t i = 0; i < t->n_ops; i++)
		if (t->ops[i] == ops)
			return (int)i;
	if (t->n_ops == LM_TCP_MAX_OPS)
		return -ENOSPC;
	t->ops[t->n_ops] = ops;
	return (int)t->n_ops++;
}

struct lm_tcb *
lm_tcp_connect(struct lm_worker *w, uint32_t ifidx, uint32_t raddr,
	       uint16_t rport, const struct lm_tcp_ops *ops, void *app, int *err)
{
	const struct lm_netif *nif = &w->ifs[ifidx];
	uint32_t n = nif->n_client_ips, laddr = nif->ip, k;
	int ops_idx = ops_index(&w->tcp, ops);
	struct lm_tcb *tcb;
	uint16_t lport;

	/* the client's addresses in turn; the next one when one has no port */
	for (k = 0; k < (n > 0 ? n : 1); k++) {
		if (n > 0)
			laddr = rte_cpu_to_be_32(nif->client_ip +
						 w->tcp.next_src[ifidx]++ % n);
		if (port_alloc(w, laddr, raddr, rport, &lport) == 0)
			break;
	}
	if (k == (n > 0 ? n : 1)) {
		*err = -EADDRINUSE;
		return NULL;
	}
	if (ops_idx < 0) {
		*err = ops_idx;
		return NULL;
	}
	tcb = lm_tcb_alloc(w);
	if (tcb == NULL) {
		*err = -ENOMEM;
		return NULL;
	}
	tcb->ops = (uint8_t)ops_idx;
	tcb->app = app;
	tcb->ifidx = (uint8_t)ifidx;
	tcb->laddr = laddr;
	tcb->raddr = raddr;
	tcb->lport = lport;
	tcb->rport = rport;
	/* RFC 9293 3.4.1 and RFC 6528: an unpredictable ISN */
	tcb->iss = (uint32_t)lm_rand(w);
	tcb->snd_una = tcb->iss;
	tcb->snd_nxt = tcb->iss;
	tcb->snd_max = tcb->iss;
	tcb->snd_end = tcb->iss + 1;
	tcb->smss = LM_TCP_DEFAULT_MSS;
	tcb->rcv_wscale = w->tcp.rcv_wscale;
	tcb->state = LM_TCP_SYN_SENT;
	lm_tcb_insert(w, tcb);
	LM_STAT_INC(w->ctr->conn_attempts);
	lm_tcp_send_syn(w, tcb);
	return tcb;
}

int
lm_tcp_listen(struct lm_worker *w, uint32_t ifidx, uint16_t lport,
	      const struct lm_tcp_ops *ops, void *ctx)
{
	struct lm_tcp *t = &w->tcp;
	struct lm_tcp_listener *l;
	uint32_t laddr = w->ifs[ifidx].ip;
	int ops_idx;

	if (lm_tcp_listener_find(t, laddr, rte_cpu_to_be_16(lport)) != NULL)
		return -EEXIST;
	if (t->n_listen == LM_TCP_MAX_LISTEN)
		return -ENOSPC;
	ops_idx = ops_index(t, ops);
	if (ops_idx < 0)
		return ops_idx;
	l = &t->listen[t->n_listen++];
	l->laddr = laddr;
	l->lport = rte_cpu_to_be_16(lport);
	l->ifidx = (uint8_t)ifidx;
	l->ops = (uint8_t)ops_idx;
	l->ctx = ctx;
	return 0;
}

void
lm_tcp_send(struct lm_worker *w, struct lm_tcb *tcb, uint32_t len)
{
	tcb->snd_end += len;
	if (tcb->state == LM_TCP_ESTABLISHED || tcb->state == LM_TCP_CLOSE_WAIT)
		lm_tcp_output(w, tcb);
}

void
lm_tcp_close(struct lm_worker *w, struct lm_tcb *tcb)
{
	/*
	 * Without a send buffer, bytes not yet acknowledged can only be
	 * regenerated by the app: one that leaves before they are acked
	 * cannot close gracefully, so the connection is reset instead.
	 */
	if (lm_tcp_unacked(tcb) > 0 && tcb->state >= LM_TCP_ESTABLISHED) {
		lm_tcp_abort(w, tcb);
		return;
	}
	tcb->app = NULL;
	switch (tcb->state) {
	case LM_TCP_SYN_SENT:
		/* RFC 9293 3.10.4: CLOSE in SYN-SENT deletes the TCB */
		lm_tcb_release(w, tcb, LM_TCP_END_NORMAL);
		return;
	case LM_TCP_ESTABLISHED:
		tcb->state = LM_TCP_FIN_WAIT_1;
		break;
	case LM_TCP_CLOSE_WAIT:
		tcb->state = LM_TCP_LAST_ACK;
		break;
	default:
		return; /* already closing */
	}
	w->tcp.n_closing++;
	tcb->flags |= LM_TCBF_FIN_QUEUED;
	lm_tcp_output(w, tcb);
}

void
lm_tcp_release_all(struct lm_worker *w)
{
	struct lm_tcp *t = &w->tcp;

	t->n_orphaned = 0;
	for (uint32_t i = 0; i < t->n_tcbs && t->n_used > 0; i++) {
		struct lm_tcb *tcb = &t->tcbs[i];

		if (tcb->state == LM_TCP_CLOSED)
			continue;
		/*
		 * Every connection is owned by its app or, closing, by its
		 * timer (RTO, FIN-WAIT-2, TIME-WAIT): one with neither would
		 * have lived for ever, a leak this release would hide
		 * (the leak accounting reports it).
		 */
		if (tcb->app == NULL && !lm_timer_armed(&tcb->timer))
			t->n_orphaned++;
		lm_tcb_release(w, tcb, LM_TCP_END_ABORTED);
	}
}

void
lm_tcp_abort(struct lm_worker *w, struct lm_tcb *tcb)
{
	tcb->app = NULL;
	/* RFC 9293 3.10.5: ABORT sends a RST in synchronized states */
	if (tcb->state >= LM_TCP_SYN_RCVD && tcb->state != LM_TCP_TIME_WAIT)
		lm_tcp_send_rst(w, tcb);
	lm_tcb_release(w, tcb, LM_TCP_END_ABORTED);
}
