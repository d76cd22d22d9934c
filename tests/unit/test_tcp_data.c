/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of data on an established connection: out within the peer's
 * window, in (in order, out of order, duplicated, in chained mbufs),
 * zero-window probing (RFC 9293 3.8.6), and what is dropped before it
 * reaches a connection: segments for no connection, bad checksums.
 *
 * The harness (tcp_harness.h) plays the peer and runs the worker on
 * virtual time; each test says which RFC requirement it checks.
 */
#include "tcp_harness.h"

/* ------------------------------------------------------------------ */
/* Data */

/*
 * Data out stays within the peer's advertised window (RFC 9293 3.8.6,
 * 3.10.7.4: SND.UNA + SND.WND bounds what is sent) in segments of at most
 * the MSS: with a window of 2000, 3000 queued bytes go out as 1460 + 540;
 * the ACK of 1460 slides the window and the last 1000 follow. Every byte
 * is fill()'s byte at its stream offset. Once all is ACKed, no timer runs
 * (RFC 6298 5.2).
 */
static void
test_data_out_window(void **state)
{
	struct conn *c = &conns[0];

	open_conn(c, 0x1000, OUR_MSS, 2000, 0);
	lm_tcp_send(env.w, c->tcb, 3000);
	pass();
	/*
	 * One full segment; the 540 bytes left in the window are held back
	 * (sender silly-window avoidance, RFC 9293 3.8.6.2.1: not a full
	 * segment, not all that is queued, under half the largest window).
	 */
	assert_data(one_out(), c, 0, 1460);
	assert_int_equal(env.out[0].ack, RCV(c, 0));
	assert_int_equal(env.out[0].win, WND_MAX);

	advance_us(50 * MS);
	assert_int_equal(env.n_out, 0);

	/* the ACK moves the window: a full segment, then the last 80 bytes */
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1460), 2000, 0);
	pass();
	assert_int_equal(env.n_out, 2);
	assert_data(&env.out[0], c, 1460, 1460);
	assert_data(&env.out[1], c, 2920, 80);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 3000), 2000, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
	assert_int_equal(c->tcb->timer_kind, LM_TCPT_NONE);
}

/*
 * In-order segments are handed up at once, exactly (three segments, the
 * peer's sequence numbers wrapping past 2^32, RFC 9293 3.4), and one ACK
 * covers them all at the end of the pass (ACK coalescing, RFC 9293
 * 3.8.6.3 / RFC 1122 4.2.3.2).
 */
static void
test_data_in_order_coalesced_ack(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t rx0 = w->ctr->app_rx_bytes;

	open_conn(c, 0xfffff800, OUR_MSS, WND_MAX, 0);
	for (uint32_t k = 0; k < 3; k++)
		peer_seg(c, TH_ACK | TH_PSH, RCV(c, k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.n_recv, 3);
	assert_int_equal(c->app.rx_len, 3000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 3000), 0);
	assert_int_equal(env.out[0].win, WND_MAX);
	assert_int_equal(c->tcb->rcv_nxt, RCV(c, 3000));
	assert_int_equal(w->ctr->app_rx_bytes, rx0 + 3000);
}

/*
 * An out-of-order segment is not handed up and draws an immediate
 * duplicate ACK of the old RCV.NXT (RFC 9293 3.10.7.4; RFC 5681 4.2);
 * whether it is held for reassembly or dropped, filling the hole hands up
 * the right bytes in order. A duplicate is not handed up again and is
 * ACKed (3.10.7.4, first check); an overlapping segment hands up only its
 * new bytes; a segment beyond the window is ACKed and dropped.
 */
static void
test_data_in_out_of_order_and_duplicates(void **state)
{
	struct conn *c = &conns[0];
	uint32_t have, recvs;

	open_conn(c, 0x7ffff000, OUR_MSS, WND_MAX, 0);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, 1000);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* a hole at [1000, 2000) */
	peer_seg(c, TH_ACK, RCV(c, 2000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, 1000);
	assert_int_equal(c->app.n_recv, 1);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* hole filled: its bytes go up, and [2000, 3000) too if it was held */
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	pass();
	have = c->app.rx_len;
	assert_true(have == 2000 || have == 3000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* an exact duplicate */
	recvs = c->app.n_recv;
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(c->app.rx_len, have);
	assert_int_equal(c->app.n_recv, recvs);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* overlapping: [have - 500, have + 1000) brings 1000 new bytes */
	peer_seg(c, TH_ACK, RCV(c, have - 500), SND(c, 0), WND_MAX, 1500);
	pass();
	assert_int_equal(c->app.rx_len, have + 1000);
	assert_int_equal(c->app.last_recv_len, 1000);
	assert_true(rx_intact(&c->app));
	have += 1000;
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);

	/* beyond the receive window (65535) */
	peer_seg(c, TH_ACK, RCV(c, have + 70000), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, have);
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, have), 0);
}

/*
 * A segment whose payload spans two chained mbufs is handed up in place,
 * piece by piece, with the right bytes; the TCP checksum is checked across
 * the chain; and trimming already-received bytes works across the chain.
 */
static void
test_data_in_chained_mbuf(void **state)
{
	struct conn *c = &conns[0];
	struct seg s;

	open_conn(c, 0x00abcdef, OUR_MSS, WND_MAX, 0);
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .ack = SND(c, 0), .flags = TH_ACK,
		.win = WND_MAX, .len = 1000, .data_off = 0, .split = 600 };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.n_recv, 2);
	assert_int_equal(c->app.rx_len, 1000);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1000), 0);

	/* [800, 1800) split after 300 bytes: skip 200 in the first mbuf */
	s.seq = RCV(c, 800);
	s.data_off = 800;
	s.split = 300;
	peer_send(&s);
	pass();
	assert_int_equal(c->app.rx_len, 1800);
	assert_int_equal(c->app.n_recv, 4);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 1800), 0);

	/* a bad checksum across the chain is caught */
	s.seq = RCV(c, 1800);
	s.data_off = 1800;
	s.bad_tcp_csum = true;
	peer_send(&s);
	pass();
	assert_int_equal(c->app.rx_len, 1800);
	assert_int_equal(env.n_out, 0);
}

/* ------------------------------------------------------------------ */
/* Zero window */

/* Open c, send 1000 bytes, and have the peer ACK them with a zero window. */
static void
open_zero_window(struct conn *c, uint32_t irs)
{
	open_conn(c, irs, OUR_MSS, WND_MAX, 0);
	lm_tcp_send(env.w, c->tcb, 1000);
	pass();
	assert_data(one_out(), c, 0, 1000);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->snd_wnd, 0);
}

/*
 * Data queued while the peer's window is zero is held (RFC 9293 3.8.6);
 * a window update (same SEG.SEQ and SEG.ACK, SND.WL1/SND.WL2 rule of
 * 3.10.7.4) releases it.
 */
static void
test_zero_window_held_until_update(void **state)
{
	struct conn *c = &conns[0];

	open_zero_window(c, 0x77770000);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	assert_int_equal(env.n_out, 0);
	advance_us(100 * MS);
	assert_int_equal(env.n_out, 0);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 4000, 0);
	pass();
	assert_data(one_out(), c, 1000, 500);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1500), WND_MAX, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
	assert_int_equal(c->tcb->timer_kind, LM_TCPT_NONE);
}

/*
 * When the zero window has lasted one RTO, a probe carrying the next byte
 * goes out (RFC 9293 3.8.6.1; RFC 1122 4.2.2.17), so a lost window update
 * cannot hang the connection; when the peer takes the byte and opens its
 * window, the rest follows.
 */
static void
test_zero_window_first_probe(void **state)
{
	struct conn *c = &conns[0];
	uint64_t rto;

	open_zero_window(c, 0x88880000);
	rto = lm_tcp_rto_us(c->tcb);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	assert_int_equal(env.n_out, 0);
	advance_us(rto - MS);
	assert_int_equal(env.n_out, 0);
	advance_us(2 * MS);
	assert_data(one_out(), c, 1000, 1);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1001), WND_MAX, 0);
	pass();
	assert_data(one_out(), c, 1001, 499);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1500), WND_MAX, 0);
	pass();
	assert_int_equal(lm_tcp_unacked(c->tcb), 0);
}

/*
 * RFC 9293 3.8.6.1: probing of zero windows MUST be supported
 * (MUST-36) and "as long as the receiving TCP peer continues to send
 * acknowledgments in response to the probe segments, the sending TCP
 * peer MUST allow the connection to stay open" (MUST-37); the probe
 * interval may back off exponentially (RFC 1122 4.2.2.17). Here the peer
 * answers every probe, window still zero, for two minutes: probes must
 * keep coming, and the connection must live.
 */
static void
test_zero_window_probing_continues(void **state)
{
	struct conn *c = &conns[0];
	unsigned int probes = 0;
	bool rst = false;
	uint32_t top = 1000;

	open_zero_window(c, 0x99990000);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	for (uint64_t t = 0; t < 120 * SEC && !rst; t += 50 * MS) {
		bool answer = false;

		advance_us(50 * MS);
		for (unsigned int i = 0; i < env.n_out; i++) {
			const struct out_frame *f = &env.out[i];

			assert_true(is_seg_of(f, c));
			if (f->flags & TH_RST) {
				rst = true;
				continue;
			}
			if (f->paylen == 0)
				continue;
			/* a probe: the byte(s) at SND.UNA, correct */
			assert_int_equal(f->seq, SND(c, 1000));
			assert_true(payload_ok(f, c));
			probes++;
			answer = true;
		}
		if (answer)
			peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 0, 0);
	}
	assert_false(rst);
	assert_int_equal(c->app.n_closed, 0);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_true(probes >= 5);

	/* the window opens: everything queued goes out */
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), WND_MAX, 0);
	pass();
	for (unsigned int i = 0; i < env.n_out; i++) {
		assert_data(&env.out[i], c, env.out[i].seq - SND(c, 0),
			    env.out[i].paylen);
		top = RTE_MAX(top, env.out[i].seq - SND(c, 0) +
			      env.out[i].paylen);
	}
	assert_int_equal(top, 1500);
}

/*
 * A connection given up while it probes a zero window (the step's timeout
 * of a server that never reads): the probe's byte counts as sent, so
 * SND.NXT is past the peer's window, and a receiver with a zero window
 * takes a RST only at RCV.NXT (RFC 9293 3.10.7.4, RFC 5961 3.2). The RST
 * must carry the window's right edge, or the peer keeps its end of the
 * connection for ever. Nothing follows it: the persist timer is gone.
 */
static void
test_zero_window_abort(void **state)
{
	struct conn *c = &conns[0];
	struct lm_tcp *t = &env.w->tcp;
	uint64_t rto;

	open_zero_window(c, 0xaaaa0000);
	rto = lm_tcp_rto_us(c->tcb);
	lm_tcp_send(env.w, c->tcb, 500);
	pass();
	advance_us(rto + MS);
	assert_data(one_out(), c, 1000, 1);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 1000), 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);

	lm_tcp_abort(env.w, c->tcb);
	pass();
	assert_seg(one_out(), c, TH_RST | TH_ACK, SND(c, 1000), RCV(c, 0), 0);
	assert_int_equal(t->n_used, 0);
	advance_us(10 * SEC);
	assert_int_equal(env.n_out, 0);
}

/* ------------------------------------------------------------------ */
/* No connection, checksums */

/*
 * A segment for no connection draws a RST (RFC 9293 3.10.7.1): with the
 * ACK bit, <SEQ=SEG.ACK><CTL=RST>; without, <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
 * <CTL=RST,ACK>, where SEG.LEN counts SYN and FIN. A RST for no
 * connection is discarded without reply.
 */
static void
test_no_connection_rst(void **state)
{
	struct lm_worker *w = env.w;
	uint64_t nc0 = w->ctr->tcp_no_conn;
	struct conn ghost = { .lport = 40001, .irs = 999 };
	const struct out_frame *f;
	struct seg s = { .sport = PEER_PORT, .dport = 40001, .win = WND_MAX };

	s.flags = TH_ACK | TH_PSH;
	s.seq = 1000;
	s.ack = 777777;
	s.len = 10;
	peer_send(&s);
	real_poll();
	f = one_out();
	assert_seg(f, &ghost, TH_RST, 777777, 0, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 5000,
		.flags = TH_SYN, .win = WND_MAX, .mss = 1460 };
	peer_send(&s);
	real_poll();
	assert_seg(one_out(), &ghost, TH_RST | TH_ACK, 0, 5001, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 9000,
		.flags = TH_FIN | TH_PSH, .win = WND_MAX, .len = 20 };
	peer_send(&s);
	real_poll();
	assert_seg(one_out(), &ghost, TH_RST | TH_ACK, 0, 9021, 0);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40001, .seq = 1,
		.flags = TH_RST };
	peer_send(&s);
	s.flags = TH_RST | TH_ACK;
	s.ack = 55;
	peer_send(&s);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->tcp_no_conn, nc0 + 5);
}

/*
 * A segment with a bad TCP checksum, or in a packet with a bad IPv4
 * header checksum, is dropped and counted in rx_bad_csum (RFC 9293 3.1;
 * RFC 791): nothing handed up, no ACK, no RST; a RST with the exact
 * sequence number but a bad checksum resets nothing. The same segment
 * intact is then delivered.
 */
static void
test_bad_checksums_dropped(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t bad0 = w->ctr->rx_bad_csum;
	struct seg s;

	open_conn(c, 0x33333333, OUR_MSS, WND_MAX, 0);
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .ack = SND(c, 0), .flags = TH_ACK | TH_PSH,
		.win = WND_MAX, .len = 100, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.rx_len, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 1);

	s.bad_tcp_csum = false;
	s.bad_ip_csum = true;
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->app.rx_len, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 2);

	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .flags = TH_RST, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_closed, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 3);

	s = (struct seg){ .sport = PEER_PORT, .dport = 40002, .seq = 1,
		.ack = 2, .flags = TH_ACK, .bad_tcp_csum = true };
	peer_send(&s);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->rx_bad_csum, bad0 + 4);

	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, 100);
	assert_true(rx_intact(&c->app));
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 100), 0);
}

/* ------------------------------------------------------------------ */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_data_out_window),
		T(test_data_in_order_coalesced_ack),
		T(test_data_in_out_of_order_and_duplicates),
		T(test_data_in_chained_mbuf),
		T(test_zero_window_held_until_update),
		T(test_zero_window_first_probe),
		T(test_zero_window_probing_continues),
		T(test_zero_window_abort),
		T(test_no_connection_rst),
		T(test_bad_checksums_dropped),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
