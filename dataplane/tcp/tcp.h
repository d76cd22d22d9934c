/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The userspace TCP (RFC 9293): TCBs, the per-worker connection table, and
 * the interface between TCP and the application above it.
 *
 * Input (tcp_in.c), output (tcp_out.c) and timers (tcp_timer.c) are kept
 * apart; tcb.c owns the TCB pool, the connection table and source ports.
 *
 * The application keeps no send buffer in TCP: it tells TCP how many bytes
 * it has appended to its stream (lm_tcp_send) and TCP asks it for the bytes
 * at a stream offset whenever it (re)transmits (ops->fill). Received bytes
 * are handed up in order as they arrive (ops->recv) and dropped.
 */
#ifndef LM_TCP_H
#define LM_TCP_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "util/timer_wheel.h"

/*
 * Ordered as in lwIP so one comparison answers "is it closing":
 * state >= LM_TCP_FIN_WAIT_1 means a FIN has been sent or received.
 */
enum lm_tcp_state {
	LM_TCP_CLOSED = 0,
	LM_TCP_LISTEN,
	LM_TCP_SYN_SENT,
	LM_TCP_SYN_RCVD,
	LM_TCP_ESTABLISHED,
	LM_TCP_FIN_WAIT_1,
	LM_TCP_FIN_WAIT_2,
	LM_TCP_CLOSE_WAIT,
	LM_TCP_CLOSING,
	LM_TCP_LAST_ACK,
	LM_TCP_TIME_WAIT,
};

/*
 * A connection the application has closed whose FIN exchange is not over
 * (RFC 9293 3.10.4): the worker stays up until none is left, so that the
 * peer's last FIN is answered rather than met by the next run's RST.
 */
static inline bool
lm_tcp_state_closing(enum lm_tcp_state st)
{
	return st == LM_TCP_FIN_WAIT_1 || st == LM_TCP_FIN_WAIT_2 ||
		st == LM_TCP_CLOSING || st == LM_TCP_LAST_ACK;
}

/* How a connection ended, as told to the application. */
enum lm_tcp_end {
	LM_TCP_END_NORMAL = 0,        /* both FINs exchanged */
	LM_TCP_END_REFUSED,           /* RST in answer to our SYN */
	LM_TCP_END_RESET,             /* RST later on */
	LM_TCP_END_CONNECT_TIMEOUT,   /* SYN retransmissions exhausted */
	LM_TCP_END_RETRANSMIT_LIMIT,  /* data retransmissions exhausted */
	LM_TCP_END_ABORTED,           /* we sent RST (lm_tcp_abort) */
	LM_TCP_END_UNREACHABLE,       /* ICMP: the SYN cannot get there */
};

/* TCB flags */
#define LM_TCBF_FIN_QUEUED  0x0001  /* app closed: FIN goes after its data */
#define LM_TCBF_FIN_SENT    0x0002
#define LM_TCBF_ACK_PENDING 0x0004  /* on the worker's pending-ACK list */
#define LM_TCBF_RTT_TIMING  0x0008  /* rtt_seq/rtt_start measure a segment */
#define LM_TCBF_PEER_FIN    0x0010  /* the peer's FIN has been received */
#define LM_TCBF_RETRANSMIT  0x0020  /* in RTO recovery (Karn: no RTT sample) */
#define LM_TCBF_RECOVERY    0x0040  /* NewReno fast recovery (RFC 6582) */
#define LM_TCBF_TS          0x0080  /* timestamps in use (RFC 7323) */
#define LM_TCBF_WS          0x0100  /* window scaling in use (RFC 7323) */
#define LM_TCBF_SACK        0x0200  /* SACK permitted by both (RFC 2018) */
#define LM_TCBF_DELACK      0x0400  /* on the worker's delayed-ACK list */
#define LM_TCBF_PASSIVE     0x0800  /* opened by a peer's SYN to a listener */
#define LM_TCBF_SYN_LOST    0x1000  /* a SYN was retransmitted (RFC 6298 5.7) */
#define LM_TCBF_SOFT_ERR    0x2000  /* an ICMP soft error came (tcp_icmp.c) */

/* What the one timer of a TCB is currently timing. */
enum lm_tcp_timer_kind {
	LM_TCPT_NONE = 0,
	LM_TCPT_RTO,        /* SYN or data retransmission */
	LM_TCPT_PERSIST,    /* zero window probe */
	LM_TCPT_FIN_WAIT_2, /* the peer never closes: give up */
	LM_TCPT_TIME_WAIT,
};

/* Timer tags (struct lm_timer.type) used by the worker to dispatch. */
#define LM_TIMER_TCB 1
#define LM_TIMER_SESSION 2

struct lm_worker;
struct lm_tcb;

/*
 * An out-of-order segment held until the gap before it is filled: the
 * received mbuf itself, and where its payload lies. Nodes come from a
 * per-worker pool, so what is held is bounded per worker as well as per
 * connection (LM_TCP_OOO_PER_CONN).
 */
struct lm_ooo_seg {
	struct lm_ooo_seg *next;    /* by sequence number */
	struct rte_mbuf *m;
	uint32_t seq;               /* of the first payload byte */
	uint32_t len;               /* payload bytes */
	uint16_t data_off;          /* payload offset in the frame */
	bool fin;                   /* a FIN follows the payload */
};

/* The most SACK blocks one option carries (RFC 2018 section 3). */
#define LM_TCP_SACK_BLOCKS 4

/* A block of held out-of-order data, [lo, hi), as a SACK option names it. */
struct lm_sack_block {
	uint32_t lo;
	uint32_t hi;
};

/*
 * What a connection holding data past a hole needs, and only then: the
 * held segments and the SACK blocks that report them. Lent from the
 * worker's pool (LM_TCP_OOO_CONNS) with the first segment held, given back
 * when the hole fills, so an in-order connection's TCB does not carry it.
 */
struct lm_tcb_ooo {
	union {
		struct lm_ooo_seg *head; /* held segments, by sequence number */
		struct lm_tcb_ooo *next_free; /* in the pool */
	};
	struct lm_ooo_seg *tail;    /* the last of them */
	/* what is held, most recently changed first (RFC 2018 4) */
	struct lm_sack_block sack[LM_TCP_SACK_BLOCKS];
	uint32_t acks_at;           /* RCV.NXT the duplicate ACKs below carried */
	uint16_t n;                 /* segments held */
	uint8_t n_sack;
	uint8_t acks;               /* duplicate ACKs sent at once at acks_at */
};

/* The application on top of a connection. Called from TCP input/timers. */
struct lm_tcp_ops {
	/* handshake complete */
	void (*connected)(struct lm_worker *w, struct lm_tcb *tcb);
	/* in-order bytes; len > 0 */
	void (*recv)(struct lm_worker *w, struct lm_tcb *tcb,
		     const uint8_t *data, uint32_t len);
	/* the peer's FIN arrived, after all its data */
	void (*peer_closed)(struct lm_worker *w, struct lm_tcb *tcb);
	/* the TCB is about to be freed; only while the app is attached */
	void (*closed)(struct lm_worker *w, struct lm_tcb *tcb,
		       enum lm_tcp_end why);
	/* everything the app queued is acknowledged (optional) */
	void (*acked)(struct lm_worker *w, struct lm_tcb *tcb);
	/* write len bytes of the app's stream, from offset off, into dst */
	void (*fill)(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off,
		     uint8_t *dst, uint32_t len);
	/*
	 * Listeners only: a passive connection is established; return the
	 * app for it (tcb->app), or NULL to refuse it (it is reset). ctx is
	 * the listener's (lm_tcp_listen).
	 */
	void *(*accept)(struct lm_worker *w, struct lm_tcb *tcb, void *ctx);
};

#define LM_TCP_MAX_LISTEN 16
#define LM_TCP_MAX_OPS 8            /* kinds of app on one worker */
#define LM_TCP_ACKS_PER_PASS 1024   /* end-of-pass ACKs queued; more go at once */
#define LM_TCP_RTT_SHIFT 8          /* rtt_start: 256-cycle units, minutes of range */

/* A delayed ACK: due at TSC due, unless tcb no longer owes it. */
struct lm_delack {
	struct lm_tcb *tcb;
	uint64_t due;
};

/* A listening address: SYNs to laddr:lport open passive connections. */
struct lm_tcp_listener {
	uint32_t laddr;             /* network order */
	uint16_t lport;             /* network order */
	uint8_t ifidx;
	uint8_t ops;                /* index in lm_tcp.ops */
	void *ctx;
};

/*
 * A connection. Every connection a worker holds has one, so it carries
 * only what an established connection needs at any time: what is needed
 * only now and then is elsewhere (data held past a hole: lm_tcb_ooo; an
 * ACK owed at the end of the pass or after the delay: the worker's lists,
 * with a flag here), links are pool indices, and the app's callbacks an
 * index in the worker's table of them.
 */
struct lm_tcb {
	void *app;                  /* NULL once the app detached */
	struct lm_timer timer;
	uint32_t hnext;             /* table chain or free list (lm_tcb_ref) */

	/* the 4-tuple, network byte order */
	uint32_t laddr;
	uint32_t raddr;
	uint16_t lport;
	uint16_t rport;

	uint8_t state;
	uint8_t timer_kind;
	uint16_t flags;
	uint8_t retries;            /* consecutive RTO (or persist) expiries */
	uint8_t ifidx;
	uint8_t dupacks;            /* duplicate ACKs in a row (RFC 5681 2) */
	uint8_t snd_wscale;         /* the peer's window shift */
	uint8_t rcv_wscale;         /* ours */
	uint8_t unacked_segs;       /* in-order segments received, not yet ACKed */
	uint8_t ops;                /* the app's callbacks: w->tcp.ops[ops] */
	uint8_t listener;           /* passive: index in w->tcp.listen */
	uint8_t backoff;            /* RTO doublings since the last RTT sample */
	uint16_t ooo;               /* data held past a hole: lm_tcb_ooo_of */
	uint16_t smss;              /* sender MSS (RFC 9293 3.7.1) */
	uint16_t rcv_mss;           /* payload of the peer's full-sized segments */

	/* send sequence space */
	uint32_t iss;
	uint32_t snd_una;
	uint32_t snd_nxt;
	uint32_t snd_max;           /* highest sequence sent + 1 */
	uint32_t snd_end;           /* end of what the app has queued */
	uint32_t snd_wnd;
	uint32_t max_snd_wnd;       /* largest window the peer offered (SWS) */
	uint32_t snd_wl1;           /* SEG.SEQ of the last window update (no WL2:
				 * an update's ACK is never behind SND.UNA) */
	/* congestion control: RFC 5681, NewReno (RFC 6582) */
	uint32_t cwnd;
	uint32_t ssthresh;
	uint32_t recover;

	/* receive sequence space */
	uint32_t irs;
	uint32_t rcv_nxt;
	uint32_t last_ack_sent;     /* RCV.NXT in the last segment sent */
	/* RFC 7323 timestamps */
	uint32_t ts_recent;

	/* RFC 6298 estimator, in microseconds */
	uint32_t srtt_us;           /* 0: no sample yet */
	uint32_t rttvar_us;         /* RTO: lm_tcp_rto_us */
	uint32_t rtt_seq;
	uint32_t rtt_start;         /* TSC >> LM_TCP_RTT_SHIFT */
};

/* Per-worker TCP state. */
struct lm_tcp {
	struct lm_tcb *tcbs;        /* preallocated pool */
	uint32_t free;              /* free list (lm_tcb_ref) */
	uint32_t n_tcbs;
	uint32_t n_used;
	uint32_t n_peak;            /* most in use at once */
	uint32_t n_time_wait;       /* of them in TIME-WAIT */
	uint32_t n_closing;         /* ... closed by the app, FINs not yet done */
	uint32_t *buckets;          /* connection table, chained (lm_tcb_ref) */
	uint32_t bucket_mask;
	struct lm_tcb **acks;       /* owing an ACK at the end of the pass */
	uint32_t n_acks;
	/* owing a delayed ACK, in the order they are due (one delay for all) */
	struct lm_delack *delacks;  /* ring */
	uint32_t delack_mask;
	uint32_t delack_head;
	uint32_t n_delacks;
	const struct lm_tcp_ops *ops[LM_TCP_MAX_OPS]; /* tcb->ops indexes it */
	uint32_t n_ops;
	struct lm_ooo_seg *ooo_nodes; /* pool of out-of-order nodes */
	struct lm_ooo_seg *ooo_free;
	struct lm_tcb_ooo *ooo_conns; /* pool of out-of-order states */
	struct lm_tcb_ooo *ooo_conn_free;
	uint32_t n_ooo_conns;
	uint32_t next_port;         /* source port cursor */
	uint32_t next_src[LM_MAX_PORTS]; /* source address cursor, per port */
	struct lm_tcp_listener listen[LM_TCP_MAX_LISTEN];
	uint32_t n_listen;
	/* settings */
	uint32_t rcv_wnd;           /* advertised window (we consume at once) */
	uint16_t mss;               /* ours: MTU - 40 */
	uint8_t rcv_wscale;         /* shift we offer */
	uint8_t syn_retries;
	uint8_t data_retries;
	bool sack;                  /* offer SACK-permitted */
	bool sack_compress;         /* coalesce duplicate ACKs past DupThresh */
	bool timestamps;            /* offer timestamps */
	bool window_scaling;        /* offer window scaling */
	uint16_t ooo_per_conn;      /* out-of-order segments held per connection */
	uint32_t init_cwnd;         /* segments */
	uint32_t time_wait_ms;
	uint32_t fin_wait_2_ms;
	uint64_t delack_tsc;        /* delayed-ACK delay; 0: end of the pass */
};

/* A TCB's place in its pool, + 1 (0: none): a link that costs 4 bytes. */
static inline uint32_t
lm_tcb_ref(const struct lm_tcp *t, const struct lm_tcb *tcb)
{
	return tcb == NULL ? 0 : (uint32_t)(tcb - t->tcbs) + 1;
}

static inline struct lm_tcb *
lm_tcb_deref(const struct lm_tcp *t, uint32_t ref)
{
	return ref == 0 ? NULL : &t->tcbs[ref - 1];
}

/* tcb's out-of-order state (lent from the worker's pool), or NULL. */
static inline struct lm_tcb_ooo *
lm_tcb_ooo_of(const struct lm_tcp *t, const struct lm_tcb *tcb)
{
	return tcb->ooo == 0 ? NULL : &t->ooo_conns[tcb->ooo - 1];
}

/* The app's callbacks for tcb. */
static inline const struct lm_tcp_ops *
lm_tcb_ops(const struct lm_tcp *t, const struct lm_tcb *tcb)
{
	return t->ops[tcb->ops];
}

/* Defaults */
#define LM_TCP_RTO_INIT_US 1000000u   /* RFC 6298 2.1 */
#define LM_TCP_RTO_MIN_US 200000u     /* Linux's floor; RFC 6298 2.4 says 1 s */
#define LM_TCP_RTO_MAX_US 60000000u   /* RFC 6298 2.5 */
#define LM_TCP_SYN_RETRIES 3          /* SYN at 0, 1, 3, 7 s: gives up at 15 s */
#define LM_TCP_DATA_RETRIES 8
#define LM_TCP_TIME_WAIT_MS 1000
#define LM_TCP_FIN_WAIT_2_MS 10000
#define LM_TCP_DEFAULT_MSS 536        /* RFC 9293 3.7.1, when no MSS option */
#define LM_TCP_OOO_PER_WORKER 8192    /* out-of-order segments held per worker */
#define LM_TCP_OOO_CONNS 4096         /* connections holding some, per worker
					* (at most 65535: lm_tcb.ooo) */
#define LM_TCP_WINDOW 262144          /* receive window when the plan sets none */
#define LM_TCP_INIT_CWND 10           /* segments, RFC 6928 */
#define LM_TCP_DUPTHRESH 3            /* duplicate ACKs for fast retransmit */
#define LM_TCP_PAWS_WINDOW 1           /* timestamp ticks of slack in PAWS */

/*
 * The retransmission timeout (RFC 6298): from the estimator (2.1 to 2.4;
 * 3 s before any sample once a SYN was lost, 5.7), doubled per back-off
 * (5.5) until the next sample, at most LM_TCP_RTO_MAX_US.
 */
static inline uint32_t
lm_tcp_rto_us(const struct lm_tcb *tcb)
{
	uint64_t rto;

	if (tcb->srtt_us == 0) {
		rto = (tcb->flags & LM_TCBF_SYN_LOST) ? 3000000u :
			LM_TCP_RTO_INIT_US;
	} else {
		rto = (uint64_t)tcb->srtt_us + 4 * (uint64_t)tcb->rttvar_us;
		if (rto < LM_TCP_RTO_MIN_US)
			rto = LM_TCP_RTO_MIN_US;
	}
	rto <<= tcb->backoff;   /* rto_backoff stops at the ceiling: a few doublings */
	return rto > LM_TCP_RTO_MAX_US ? LM_TCP_RTO_MAX_US : (uint32_t)rto;
}

int lm_tcp_init(struct lm_worker *w, uint32_t n_tcbs, uint16_t mtu);
void lm_tcp_fini(struct lm_worker *w);

/*
 * Open a connection from interface ifidx to raddr:rport (network order).
 * Returns the TCB (state SYN_SENT, SYN queued for transmission) or NULL
 * with *err = -ENOMEM (no TCB) or -EADDRINUSE (no source port).
 */
struct lm_tcb *lm_tcp_connect(struct lm_worker *w, uint32_t ifidx,
			      uint32_t raddr, uint16_t rport,
			      const struct lm_tcp_ops *ops, void *app, int *err);

/* The app appended len bytes to its stream: send what the window allows. */
void lm_tcp_send(struct lm_worker *w, struct lm_tcb *tcb, uint32_t len);

/*
 * Listen on our address of interface ifidx, TCP port lport (host order):
 * SYNs to it open connections in SYN-RECEIVED, answered with a SYN-ACK;
 * once established, ops->accept(ctx) gives each its app. 0, -EEXIST
 * (already listening there) or -ENOSPC (LM_TCP_MAX_LISTEN).
 */
int lm_tcp_listen(struct lm_worker *w, uint32_t ifidx, uint16_t lport,
		  const struct lm_tcp_ops *ops, void *ctx);
/* The listener on laddr:lport (network order), or NULL. */
static inline const struct lm_tcp_listener *
lm_tcp_listener_find(const struct lm_tcp *t, uint32_t laddr, uint16_t lport)
{
	for (uint32_t i = 0; i < t->n_listen; i++)
		if (t->listen[i].lport == lport && t->listen[i].laddr == laddr)
			return &t->listen[i];
	return NULL;
}

/*
 * The app is done with the connection: FIN after the queued bytes. The app
 * is detached (no more callbacks); the TCB lives on until the close
 * completes or times out.
 */
void lm_tcp_close(struct lm_worker *w, struct lm_tcb *tcb);

/*
 * At the end of a run: free every TCB still in use (TIME-WAIT, closing),
 * without sending anything, so the pools are whole again.
 */
void lm_tcp_release_all(struct lm_worker *w);

/* Send RST and free the TCB at once (no callback). */
void lm_tcp_abort(struct lm_worker *w, struct lm_tcb *tcb);

/* Stream bytes queued by the app and not yet acknowledged. */
static inline uint32_t
lm_tcp_unacked(const struct lm_tcb *tcb)
{
	return tcb->snd_end - tcb->snd_una;
}

/* --- internal to the TCP module, shared by its files --- */

/* Input of a TCP segment (m: l2_len/l3_len set; takes ownership). */
void lm_tcp_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m);

/*
 * An ICMP error (type, code) quoting a TCP segment of ours from laddr:lport
 * to raddr:rport (network order) with sequence number seq (host order);
 * the quote is already validated as IPv4 + TCP (net/icmp.c). Counted in
 * the icmp_* counters; may end the connection (tcp_icmp.c).
 */
void lm_tcp_icmp_error(struct lm_worker *w, uint8_t type, uint8_t code,
		       uint32_t laddr, uint32_t raddr, uint16_t lport,
		       uint16_t rport, uint32_t seq);

/* Timer expiry of a TCB's timer. */
void lm_tcp_timer_expired(struct lm_worker *w, struct lm_tcb *tcb);

/* Send the ACKs owed at the end of a pass (and the delayed ones due). */
void lm_tcp_flush_acks(struct lm_worker *w);

/* tcb.c */
struct lm_tcb *lm_tcb_lookup(struct lm_worker *w, uint32_t laddr,
			     uint32_t raddr, uint16_t lport, uint16_t rport);
struct lm_tcb *lm_tcb_alloc(struct lm_worker *w);
void lm_tcb_insert(struct lm_worker *w, struct lm_tcb *tcb);
/* Free every out-of-order segment held by tcb. */
void lm_tcb_ooo_flush(struct lm_worker *w, struct lm_tcb *tcb);

/* tcp_ooo.c: the out-of-order queue and its SACK blocks */
/*
 * Hold a segment that starts beyond RCV.NXT (the mbuf m, payload at
 * data_off). Returns 0 when m is kept, 1 when it is kept and starts a new
 * SACK block; -EEXIST for a duplicate of what is held, -ENOBUFS when there
 * is no room (counted): the caller frees m.
 */
int lm_tcp_ooo_hold(struct lm_worker *w, struct lm_tcb *tcb,
		    struct rte_mbuf *m, uint32_t seq, uint32_t len,
		    uint16_t data_off, bool fin);
/* The first held segment if RCV.NXT has reached it, unlinked; else NULL. */
struct lm_ooo_seg *lm_tcp_ooo_take(struct lm_worker *w, struct lm_tcb *tcb);
/* Free a taken segment's mbuf and return its node to the pool. */
void lm_tcp_ooo_free(struct lm_worker *w, struct lm_ooo_seg *n);
/*
 * RCV.NXT moved: drop the SACK blocks (or their parts) it passed, and give
 * the out-of-order state back once nothing is held.
 */
void lm_tcp_ooo_caught_up(struct lm_worker *w, struct lm_tcb *tcb);
/* Unhash, cancel its timer, tell the app (if attached) why, free. */
void lm_tcb_release(struct lm_worker *w, struct lm_tcb *tcb,
		    enum lm_tcp_end why);

/* tcp_out.c */
void lm_tcp_output(struct lm_worker *w, struct lm_tcb *tcb);
void lm_tcp_send_ack(struct lm_worker *w, struct lm_tcb *tcb);
void lm_tcp_send_rst(struct lm_worker *w, struct lm_tcb *tcb);
/* Our SYN, or in SYN-RECEIVED our SYN-ACK (again). */
void lm_tcp_send_syn(struct lm_worker *w, struct lm_tcb *tcb);
/* Send again the segment at SND.UNA (fast retransmit, partial ACK). */
void lm_tcp_retransmit_una(struct lm_worker *w, struct lm_tcb *tcb);
/* A zero-window probe: an old sequence number, so the peer ACKs (3.8.6.1). */
void lm_tcp_send_probe(struct lm_worker *w, struct lm_tcb *tcb);
/* RST in answer to a segment that has no connection (RFC 9293 3.10.7.1). */
void lm_tcp_reply_rst(struct lm_worker *w, uint32_t ifidx,
		      const struct rte_mbuf *m);
/* Queue tcb for an ACK at the end of the pass (coalesces ACKs). */
void lm_tcp_ack_later(struct lm_worker *w, struct lm_tcb *tcb);
/* In-order data arrived: ACK now, at the end of the pass, or delayed. */
void lm_tcp_ack_data(struct lm_worker *w, struct lm_tcb *tcb, uint32_t len);
/* Take tcb off the pending-ACK list (a segment carrying the ACK went out). */
void lm_tcp_ack_cancel(struct lm_worker *w, struct lm_tcb *tcb);

/* Congestion window reactions (tcp_cc.c). */
void lm_tcp_cc_init(struct lm_worker *w, struct lm_tcb *tcb);
void lm_tcp_cc_ack(struct lm_worker *w, struct lm_tcb *tcb, uint32_t acked);
/* A duplicate ACK (RFC 5681 2); returns true when it triggered sending. */
void lm_tcp_cc_dupack(struct lm_worker *w, struct lm_tcb *tcb);
void lm_tcp_cc_rto(struct lm_worker *w, struct lm_tcb *tcb);
/* Bytes in flight (RFC 5681 FlightSize). */
static inline uint32_t
lm_tcp_flight(const struct lm_tcb *tcb)
{
	return tcb->snd_max - tcb->snd_una;
}

/* tcp_timer.c */
void lm_tcp_timer_set(struct lm_worker *w, struct lm_tcb *tcb,
		      enum lm_tcp_timer_kind kind, uint64_t delay_us);
void lm_tcp_timer_stop(struct lm_worker *w, struct lm_tcb *tcb);
void lm_tcp_rtt_sample(struct lm_worker *w, struct lm_tcb *tcb, uint64_t rtt_us);

/* Sequence arithmetic (RFC 9293 3.4), modulo 2^32. */
#define LM_SEQ_LT(a, b) ((int32_t)((a) - (b)) < 0)
#define LM_SEQ_LEQ(a, b) ((int32_t)((a) - (b)) <= 0)
#define LM_SEQ_GT(a, b) ((int32_t)((a) - (b)) > 0)
#define LM_SEQ_GEQ(a, b) ((int32_t)((a) - (b)) >= 0)

#endif /* LM_TCP_H */
