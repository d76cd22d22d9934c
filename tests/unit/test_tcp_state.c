/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of segment arrival state by state (RFC 9293 3.10.7, RFC 5961):
 * one test per kind of incoming segment, each run by a table in every state
 * a client connection can reach: ESTABLISHED, FIN-WAIT-1, FIN-WAIT-2,
 * CLOSING, TIME-WAIT, CLOSE-WAIT, LAST-ACK, and SYN-SENT where the kind has
 * a meaning there.
 *
 * Each case starts from a fresh connection driven into the state, sends
 * one segment, runs one pass and checks the state after (or that the TCB
 * is gone), the one segment sent back if any (flags, SEQ, ACK) and the
 * application's callbacks. Where the app has closed (FIN-WAIT-*, CLOSING,
 * TIME-WAIT, LAST-ACK) it is detached, so no closed() is expected there
 * whatever the end (tcp.h).
 *
 * Every case runs with three placements of both initial sequence numbers
 * (ours through the worker's generator, set_next_iss()): both streams
 * wrapping past 2^32 in the middle of their data, both FINs at 2^32 - 1,
 * and a receive window that wraps.
 */
#include "tcp_harness.h"

#define OUR_DATA 100         /* bytes we send, ACKed, before the state */
#define PEER_DATA 200        /* bytes the peer sends before the state */

/* Where the initial sequence numbers sit. */
struct base {
	uint32_t iss;                /* ours */
	uint32_t irs;                /* the peer's */
	const char *name;
};

static const struct base bases[] = {
	/* SND.NXT and RCV.NXT wrap within the data */
	{ 0xffffffc0, 0xffffff80, "data wraps past 2^32" },
	/* our FIN and the peer's take sequence number 2^32 - 1 */
	{ 0xffffffff - 1 - OUR_DATA, 0xffffffff - 1 - PEER_DATA,
	  "FINs at 2^32 - 1" },
	/* RCV.NXT + RCV.WND wraps; ours crosses 2^31 */
	{ 0x7fffffc0, 0xffff0000, "window wraps past 2^32" },
};

/* Where a connection driven into a state stands, as the peer sees it. */
struct at {
	uint8_t state;
	bool peer_fin;               /* RCV.NXT counts the peer's FIN */
	uint32_t una;                /* SND.UNA: what the peer has ACKed */
	uint32_t nxt;                /* SND.NXT */
	uint32_t rcv;                /* RCV.NXT */
};

static const char *const state_names[] = {
	[LM_TCP_CLOSED] = "CLOSED",
	[LM_TCP_LISTEN] = "LISTEN",
	[LM_TCP_SYN_SENT] = "SYN-SENT",
	[LM_TCP_SYN_RCVD] = "SYN-RECEIVED",
	[LM_TCP_ESTABLISHED] = "ESTABLISHED",
	[LM_TCP_FIN_WAIT_1] = "FIN-WAIT-1",
	[LM_TCP_FIN_WAIT_2] = "FIN-WAIT-2",
	[LM_TCP_CLOSE_WAIT] = "CLOSE-WAIT",
	[LM_TCP_CLOSING] = "CLOSING",
	[LM_TCP_LAST_ACK] = "LAST-ACK",
	[LM_TCP_TIME_WAIT] = "TIME-WAIT",
};

/*
 * The case under way, printed by the tear-down when an assertion stopped
 * the test halfway (a table's line alone does not tell which case failed).
 */
static char where[192];

/* ------------------------------------------------------------------ */
/* Driving a connection into a state */

/* CLOSE: our FIN goes out after our data. */
static void
our_fin(struct conn *c, struct at *at)
{
	lm_tcp_close(env.w, c->tcb);
	pass();
	assert_seg(one_out(), c, TH_FIN | TH_ACK, at->nxt, at->rcv, 0);
	at->nxt++;
}

/* The peer's FIN, acknowledging what it has seen of ours; we ACK it. */
static void
peer_fin(struct conn *c, struct at *at)
{
	peer_seg(c, TH_FIN | TH_ACK, at->rcv, at->una, WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, at->nxt, at->rcv + 1, 0);
	at->rcv++;
	at->peer_fin = true;
}

/* The peer ACKs our FIN. */
static void
ack_our_fin(struct conn *c, struct at *at)
{
	peer_seg(c, TH_ACK, at->rcv, at->nxt, WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	at->una = at->nxt;
}

/*
 * Open c with the ISSs of base b and drive it into state st: data both
 * ways first (so RCV.NXT and SND.NXT have moved, and wrap where b says),
 * then the FINs that lead to st (RFC 9293 3.3.2, figure 5).
 */
static struct at
drive(struct conn *c, enum lm_tcp_state st, const struct base *b)
{
	struct at at = { .state = (uint8_t)st };
	const struct out_frame *f;

	set_next_iss(b->iss);
	if (st == LM_TCP_SYN_SENT) {
		connect_peer(c);
		pass();
		f = one_out();
		assert_int_equal(f->flags, TH_SYN);
		assert_int_equal(f->seq, b->iss);
		c->iss = f->seq;
		c->lport = f->sport;
		c->irs = b->irs;
		at.una = c->iss;
		at.nxt = c->iss + 1;
		at.rcv = c->irs;             /* none yet: the peer's ISS */
		return at;
	}
	open_conn(c, b->irs, OUR_MSS, WND_MAX, 0);
	assert_int_equal(c->iss, b->iss);
	send_acked(c, 0, OUR_DATA);
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, OUR_DATA), WND_MAX,
		 PEER_DATA);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, OUR_DATA), RCV(c, PEER_DATA),
		   0);
	assert_int_equal(c->app.rx_len, PEER_DATA);
	at.una = SND(c, OUR_DATA);
	at.nxt = SND(c, OUR_DATA);
	at.rcv = RCV(c, PEER_DATA);

	switch (st) {
	case LM_TCP_FIN_WAIT_1:
		our_fin(c, &at);
		break;
	case LM_TCP_FIN_WAIT_2:
		our_fin(c, &at);
		ack_our_fin(c, &at);
		break;
	case LM_TCP_CLOSING:
		our_fin(c, &at);
		peer_fin(c, &at);
		break;
	case LM_TCP_TIME_WAIT:
		our_fin(c, &at);
		ack_our_fin(c, &at);
		peer_fin(c, &at);
		break;
	case LM_TCP_CLOSE_WAIT:
		peer_fin(c, &at);
		assert_int_equal(c->app.n_peer_closed, 1);
		break;
	case LM_TCP_LAST_ACK:
		peer_fin(c, &at);
		our_fin(c, &at);
		break;
	default:
		break;
	}
	assert_int_equal(c->tcb->state, st);
	return at;
}

/* ------------------------------------------------------------------ */
/* The table runner */

enum reply {
	R_NONE,                      /* nothing sent */
	R_ACK,                       /* <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> */
	R_RST,                       /* <SEQ=SEG.ACK><CTL=RST> */
};

/* What one kind of segment does in one state. */
struct row {
	uint8_t state;
	uint8_t after;               /* LM_TCP_CLOSED: the TCB is freed */
	uint8_t reply;               /* enum reply */
	uint8_t adv;                 /* RCV.NXT moves by this (a FIN taken) */
	uint8_t peer_closed;         /* peer_closed() calls */
	int8_t why;                  /* closed(why); -1: no call */
};

#define ROW(st, af, rp, adv, pc, why) \
	{ LM_TCP_##st, LM_TCP_##af, R_##rp, adv, pc, why }
#define NO_CALL (-1)

/* Sends variant v of a kind of segment to c, at stands where c stands. */
typedef void (*send_fn)(const struct conn *c, const struct at *at,
			unsigned int v, struct seg *s);

/* A segment of c from the peer, as peer_seg() makes them. */
static struct seg
seg_of(const struct conn *c, uint8_t flags, uint32_t seq, uint32_t ack,
       uint32_t len)
{
	return (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = seq, .ack = ack, .flags = flags, .win = WND_MAX,
		.len = len, .data_off = seq - (c->irs + 1) };
}

/*
 * One case: a fresh connection driven into r->state, variant v of a kind
 * of segment, one pass; then what was sent, the state, the callbacks.
 * The connection is aborted afterwards, so cases do not pile up TCBs.
 */
static void
run_case(const char *kind, send_fn send, unsigned int v, const struct row *r,
	 const struct base *b)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint32_t used0 = w->tcp.n_used;
	unsigned int recv0, peer_closed0;
	const struct out_frame *f;
	struct at at;
	struct seg s;

	snprintf(where, sizeof(where), "%s (variant %u) in %s, %s", kind, v,
		 state_names[r->state], b->name);
	at = drive(c, r->state, b);
	recv0 = c->app.n_recv;
	peer_closed0 = c->app.n_peer_closed;

	send(c, &at, v, &s);
	peer_send(&s);
	pass();

	switch (r->reply) {
	case R_NONE:
		assert_int_equal(env.n_out, 0);
		break;
	case R_ACK:
		f = one_out();
		assert_seg(f, c, TH_ACK, at.nxt, at.rcv + r->adv, 0);
		assert_int_equal(f->win, WND_MAX);
		break;
	case R_RST:
		assert_seg(one_out(), c, TH_RST, s.ack, 0, 0);
		break;
	}
	if (r->after == LM_TCP_CLOSED) {
		assert_int_equal(w->tcp.n_used, used0);
	} else {
		assert_int_equal(w->tcp.n_used, used0 + 1);
		assert_int_equal(c->tcb->state, r->after);
	}
	assert_int_equal(c->app.n_recv, recv0);
	assert_int_equal(c->app.n_peer_closed, peer_closed0 + r->peer_closed);
	if (r->why == NO_CALL) {
		assert_int_equal(c->app.n_closed, 0);
	} else {
		assert_int_equal(c->app.n_closed, 1);
		assert_int_equal(c->app.why, r->why);
	}
	/* TIME-WAIT entered here ends by itself (RFC 9293 3.10.7.4, 2 MSL) */
	if (r->after == LM_TCP_TIME_WAIT && r->state != LM_TCP_TIME_WAIT) {
		advance_us((uint64_t)w->tcp.time_wait_ms * MS + MS);
		assert_int_equal(env.n_out, 0);
		assert_int_equal(w->tcp.n_used, used0);
	}
	if (w->tcp.n_used != used0) {
		lm_tcp_abort(w, c->tcb);
		pass();
	}
	assert_int_equal(w->tcp.n_used, used0);
}

/* Every row of a kind, every variant, with every placement of the ISSs. */
static void
run_table(const char *kind, send_fn send, unsigned int variants,
	  const struct row *rows, unsigned int n_rows)
{
	for (unsigned int i = 0; i < n_rows; i++)
		for (unsigned int v = 0; v < variants; v++)
			for (unsigned int k = 0; k < RTE_DIM(bases); k++)
				run_case(kind, send, v, &rows[i], &bases[k]);
	where[0] = '\0';
}

static int
teardown_state(void **state)
{
	if (where[0] != '\0')
		print_error("failed case: %s\n", where);
	where[0] = '\0';
	return teardown_test(state);
}

/* ------------------------------------------------------------------ */
/* RST */

/*
 * A RST at exactly RCV.NXT (RFC 5961 3.2, RFC 9293 3.10.7.4 second check)
 * ends the connection with nothing sent. ESTABLISHED, FIN-WAIT-1/2 and
 * CLOSE-WAIT: "connection reset" to the user, whom closed(RESET) tells
 * where it is still attached; CLOSING, LAST-ACK and TIME-WAIT: enter
 * CLOSED and delete the TCB. In TIME-WAIT, RFC 1337 (informational)
 * proposes ignoring the RST instead, against TIME-WAIT assassination;
 * RFC 9293 keeps the reset, and so do we: the TCB is freed.
 *
 * In SYN-SENT the sequence number is not checked: a RST is acceptable when
 * its ACK acknowledges the SYN (RFC 9293 3.10.7.3, RFC 5961 3.2), and
 * refuses the connection.
 */
static void
send_rst_exact(const struct conn *c, const struct at *at, unsigned int v,
	       struct seg *s)
{
	if (at->state == LM_TCP_SYN_SENT)
		*s = seg_of(c, TH_RST | TH_ACK, v ? c->irs : 0, at->nxt, 0);
	else if (v == 0)
		*s = seg_of(c, TH_RST, at->rcv, 0, 0);
	else
		*s = seg_of(c, TH_RST | TH_ACK, at->rcv, at->nxt, 0);
}

static void
test_state_rst_exact(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, CLOSED, NONE, 0, 0, LM_TCP_END_RESET),
		ROW(FIN_WAIT_1, CLOSED, NONE, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, CLOSED, NONE, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSED, NONE, 0, 0, LM_TCP_END_RESET),
		ROW(CLOSING, CLOSED, NONE, 0, 0, NO_CALL),
		ROW(LAST_ACK, CLOSED, NONE, 0, 0, NO_CALL),
		ROW(TIME_WAIT, CLOSED, NONE, 0, 0, NO_CALL),
		ROW(SYN_SENT, CLOSED, NONE, 0, 0, LM_TCP_END_REFUSED),
	};

	run_table("RST at RCV.NXT", send_rst_exact, 2, rows, RTE_DIM(rows));
}

/*
 * A RST in the window but not at RCV.NXT draws a challenge ACK,
 * <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, and is dropped: the connection
 * stays (RFC 5961 3.2, RFC 9293 3.10.7.4). Both edges: RCV.NXT + 1 and
 * the last sequence number in the window.
 */
static void
send_rst_in_window(const struct conn *c, const struct at *at, unsigned int v,
		   struct seg *s)
{
	if (v == 0)
		*s = seg_of(c, TH_RST, at->rcv + 1, 0, 0);
	else
		*s = seg_of(c, TH_RST | TH_ACK, at->rcv + WND_MAX - 1, at->nxt,
			    0);
}

static void
test_state_rst_in_window(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, ESTABLISHED, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_1, FIN_WAIT_1, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, FIN_WAIT_2, ACK, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, ACK, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, ACK, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, ACK, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, ACK, 0, 0, NO_CALL),
	};

	run_table("RST in window", send_rst_in_window, 2, rows, RTE_DIM(rows));
}

/*
 * A RST outside the window is dropped silently (RFC 5961 3.2, RFC 9293
 * 3.10.7.4 first check: "unless the RST bit is set, if so drop the
 * segment and return"): the first sequence number past the window, and
 * the one before RCV.NXT. In SYN-SENT a RST without ACK, or whose ACK
 * does not acknowledge the SYN, is dropped (RFC 9293 3.10.7.3).
 */
static void
send_rst_outside(const struct conn *c, const struct at *at, unsigned int v,
		 struct seg *s)
{
	if (at->state == LM_TCP_SYN_SENT)
		*s = v == 0 ? seg_of(c, TH_RST, c->irs, 0, 0) :
			seg_of(c, TH_RST | TH_ACK, c->irs, at->una, 0);
	else if (v == 0)
		*s = seg_of(c, TH_RST, at->rcv + WND_MAX, 0, 0);
	else
		*s = seg_of(c, TH_RST | TH_ACK, at->rcv - 1, at->nxt, 0);
}

static void
test_state_rst_outside_window(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, ESTABLISHED, NONE, 0, 0, NO_CALL),
		ROW(FIN_WAIT_1, FIN_WAIT_1, NONE, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, FIN_WAIT_2, NONE, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, NONE, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, NONE, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, NONE, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, NONE, 0, 0, NO_CALL),
		ROW(SYN_SENT, SYN_SENT, NONE, 0, 0, NO_CALL),
	};

	run_table("RST outside the window", send_rst_outside, 2, rows,
		  RTE_DIM(rows));
}

/* ------------------------------------------------------------------ */
/* SYN */

/*
 * A SYN on a synchronized connection, "irrespective of the sequence
 * number", draws a challenge ACK and is dropped; the connection stays
 * (RFC 5961 4.2, RFC 9293 3.10.7.4 fourth check). A client has no
 * listener, so TIME-WAIT cannot take it as a new connection either. In
 * the window, below it, and the handshake's SYN-ACK again. (In SYN-SENT a
 * lone SYN is a simultaneous open, which we do not support: tcp.md.)
 */
static void
send_syn(const struct conn *c, const struct at *at, unsigned int v,
	 struct seg *s)
{
	if (v == 0)
		*s = seg_of(c, TH_SYN, at->rcv + 10, 0, 0);
	else if (v == 1)
		*s = seg_of(c, TH_SYN, at->rcv - 1000, 0, 0);
	else
		*s = seg_of(c, TH_SYN | TH_ACK, c->irs, c->iss + 1, 0);
}

static void
test_state_syn(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, ESTABLISHED, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_1, FIN_WAIT_1, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, FIN_WAIT_2, ACK, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, ACK, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, ACK, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, ACK, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, ACK, 0, 0, NO_CALL),
	};

	run_table("SYN", send_syn, 3, rows, RTE_DIM(rows));
}

/* ------------------------------------------------------------------ */
/* Sequence and acknowledgment numbers */

/*
 * A segment whose sequence number is not acceptable (RFC 9293 3.10.7.4
 * first check) is answered <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and
 * dropped: data starting at RCV.NXT + RCV.WND, an old duplicate of the
 * peer's last data, an empty segment at RCV.NXT - 1 (a keep-alive). Each
 * acknowledges all we sent (our FIN included): dropped means that ACK is
 * not taken either, so no state moves on.
 */
static void
send_bad_seq(const struct conn *c, const struct at *at, unsigned int v,
	     struct seg *s)
{
	if (v == 0)
		*s = seg_of(c, TH_ACK | TH_PSH, at->rcv + WND_MAX, at->nxt, 10);
	else if (v == 1)
		*s = seg_of(c, TH_ACK | TH_PSH, RCV(c, PEER_DATA - 10),
			    at->nxt, 10);
	else
		*s = seg_of(c, TH_ACK, at->rcv - 1, at->nxt, 0);
}

static void
test_state_unacceptable_seq(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, ESTABLISHED, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_1, FIN_WAIT_1, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, FIN_WAIT_2, ACK, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, ACK, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, ACK, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, ACK, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, ACK, 0, 0, NO_CALL),
	};

	run_table("unacceptable sequence number", send_bad_seq, 3, rows,
		  RTE_DIM(rows));
}

/*
 * A segment that acknowledges something not yet sent (SEG.ACK > SND.NXT)
 * is answered with an ACK and dropped, its data too (RFC 9293 3.10.7.4
 * fifth check; RFC 5961 5.2): SND.NXT + 1 with data, SND.NXT + 1000
 * without. In SYN-SENT such an ACK draws <SEQ=SEG.ACK><CTL=RST> and the
 * connection waits on (RFC 9293 3.10.7.3).
 */
static void
send_ack_unsent(const struct conn *c, const struct at *at, unsigned int v,
		struct seg *s)
{
	if (v == 0)
		*s = seg_of(c, TH_ACK | TH_PSH, at->rcv, at->nxt + 1, 10);
	else
		*s = seg_of(c, TH_ACK, at->rcv, at->nxt + 1000, 0);
}

static void
test_state_ack_unsent(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, ESTABLISHED, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_1, FIN_WAIT_1, ACK, 0, 0, NO_CALL),
		ROW(FIN_WAIT_2, FIN_WAIT_2, ACK, 0, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, ACK, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, ACK, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, ACK, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, ACK, 0, 0, NO_CALL),
		ROW(SYN_SENT, SYN_SENT, RST, 0, 0, NO_CALL),
	};

	run_table("ACK of data never sent", send_ack_unsent, 2, rows,
		  RTE_DIM(rows));
}

/* ------------------------------------------------------------------ */
/* FIN */

/*
 * The peer's FIN (RFC 9293 3.10.7.4 eighth check), acknowledging no more
 * than before, is ACKed (ACK = FIN + 1) and moves ESTABLISHED to
 * CLOSE-WAIT (peer_closed() once), FIN-WAIT-1 to CLOSING (our FIN not yet
 * ACKed), FIN-WAIT-2 to TIME-WAIT. Where the peer's FIN is already in
 * (CLOSE-WAIT, CLOSING, LAST-ACK, TIME-WAIT) it comes again at its old
 * sequence number, left of the window: it is ACKed (first check) and the
 * state stays. In SYN-SENT a FIN without SYN, even with an acceptable ACK,
 * is dropped (3.10.7.3 fifth).
 */
static void
send_fin(const struct conn *c, const struct at *at, unsigned int v,
	 struct seg *s)
{
	uint32_t seq = at->peer_fin ? at->rcv - 1 : at->rcv;

	if (at->state == LM_TCP_SYN_SENT)     /* with an acceptable ACK */
		*s = seg_of(c, TH_FIN | TH_ACK, c->irs + 1, at->nxt, 0);
	else
		*s = seg_of(c, TH_FIN | TH_ACK, seq, at->una, 0);
}

static void
test_state_fin(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, CLOSE_WAIT, ACK, 1, 1, NO_CALL),
		ROW(FIN_WAIT_1, CLOSING, ACK, 1, 0, NO_CALL),
		ROW(FIN_WAIT_2, TIME_WAIT, ACK, 1, 0, NO_CALL),
		ROW(CLOSE_WAIT, CLOSE_WAIT, ACK, 0, 0, NO_CALL),
		ROW(CLOSING, CLOSING, ACK, 0, 0, NO_CALL),
		ROW(LAST_ACK, LAST_ACK, ACK, 0, 0, NO_CALL),
		ROW(TIME_WAIT, TIME_WAIT, ACK, 0, 0, NO_CALL),
		ROW(SYN_SENT, SYN_SENT, NONE, 0, 0, NO_CALL),
	};

	run_table("FIN", send_fin, 1, rows, RTE_DIM(rows));
}

/*
 * A FIN that also acknowledges our FIN: FIN-WAIT-1 goes straight to
 * TIME-WAIT ("if our FIN has been ACKed (perhaps in this segment)", RFC
 * 9293 3.10.7.4 eighth check). Only where the peer's FIN is new: a FIN
 * sent again is outside the window, so its ACK field is not looked at.
 */
static void
send_fin_acking_all(const struct conn *c, const struct at *at,
		    unsigned int v, struct seg *s)
{
	*s = seg_of(c, TH_FIN | TH_ACK, at->rcv, at->nxt, 0);
}

static void
test_state_fin_acking_our_fin(void **state)
{
	static const struct row rows[] = {
		ROW(ESTABLISHED, CLOSE_WAIT, ACK, 1, 1, NO_CALL),
		ROW(FIN_WAIT_1, TIME_WAIT, ACK, 1, 0, NO_CALL),
		ROW(FIN_WAIT_2, TIME_WAIT, ACK, 1, 0, NO_CALL),
	};

	run_table("FIN acking our FIN", send_fin_acking_all, 1, rows,
		  RTE_DIM(rows));
}

/* ------------------------------------------------------------------ */

#define TS(f) cmocka_unit_test_setup_teardown(f, setup_test, teardown_state)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TS(test_state_rst_exact),
		TS(test_state_rst_in_window),
		TS(test_state_rst_outside_window),
		TS(test_state_syn),
		TS(test_state_unacceptable_seq),
		TS(test_state_ack_unsent),
		TS(test_state_fin),
		TS(test_state_fin_acking_our_fin),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
