/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: what a hostile or broken peer sends, and the names it is
 * counted under (docs/reliability.md, "Hostile peers: packets"): SYN-ACKs
 * with malformed options (RFC 9293 3.1, as Linux's tcp_parse_options),
 * duplicated segments, segments outside the window, ACKs of data never
 * sent or older than the window (RFC 5961 5.2), RSTs and SYNs (RFC 5961 3
 * and 4). See tcp_harness.h for how the tests run.
 */
#include "tcp_harness.h"

/* The counters of what a peer sent that TCP turned away. */
struct odd {
	uint64_t bad_options, dup, beyond, bad_acks, rst_ignored,
		rst_challenged, syn_challenged;
};

static struct odd
odd_now(void)
{
	const struct lm_worker_counters *c = env.w->ctr;

	return (struct odd){ c->tcp_bad_options, c->tcp_dup_segments,
		c->tcp_beyond_window, c->tcp_bad_acks, c->tcp_rst_ignored,
		c->tcp_rst_challenged, c->tcp_syn_challenged };
}

/* None of the counters moved from o. */
#define assert_odd_none(o) do { \
	struct odd got_ = odd_now(); \
	assert_memory_equal(&got_, &(o), sizeof(got_)); \
} while (0)

/* Exactly the counter named moved from o, by one. */
#define assert_odd(o, f1) do { \
	struct odd want_ = (o); \
	want_.f1++; \
	struct odd got_ = odd_now(); \
	assert_memory_equal(&got_, &want_, sizeof(got_)); \
} while (0)

/* ------------------------------------------------------------------ */
/* SYN-ACK options */

struct opt_case {
	const char *name;
	uint8_t len;
	uint8_t bytes[20];
	uint16_t smss;               /* what we use: the peer's MSS or 536 */
	int wscale;                  /* -1: window scaling not in use */
	bool sack;
	bool ts;
	bool bad;                    /* counted in tcp.bad_options */
};

#define MSS1000 2, 4, 0x03, 0xe8

static const struct opt_case opt_cases[] = {
	/* a length below 2 ends the parse; what came before stands */
	{ "length 0", 8, { MSS1000, 30, 0, 0, 0 }, 1000, -1, false, false, true },
	{ "length 1", 8, { MSS1000, 30, 1, 0, 0 }, 1000, -1, false, false, true },
	{ "length 1 first", 8, { 30, 1, MSS1000, 0, 0 }, 536, -1, false, false, true },
	/* an option running past the header's end ends it too */
	{ "timestamps past the end", 8, { MSS1000, 1, 1, 8, 10 }, 1000, -1,
	  false, false, true },
	{ "MSS past the end", 8, { 1, 1, 1, 1, 1, 1, 2, 4 }, 536, -1, false,
	  false, true },
	{ "length 255", 8, { MSS1000, 30, 255, 0, 0 }, 1000, -1, false, false,
	  true },
	/* a known option of the wrong length is skipped, the parse goes on */
	{ "MSS length 3", 8, { 2, 3, 0x03, 1, 3, 3, 7, 0 }, 536, 7, false,
	  false, true },
	{ "SACK-permitted length 3", 8, { MSS1000, 4, 3, 0, 1 }, 1000, -1,
	  false, false, true },
	{ "timestamps length 6", 12, { MSS1000, 8, 6, 0, 0, 0, 1, 1, 1 }, 1000,
	  -1, false, false, true },
	{ "window scale length 4", 8, { MSS1000, 3, 4, 7, 0 }, 1000, -1, false,
	  false, true },
	/* RFC 7323 2.3: a shift above 14 is used as 14 */
	{ "window scale 15", 8, { MSS1000, 1, 3, 3, 15 }, 1000, 14, false,
	  false, true },
	{ "window scale 255", 8, { MSS1000, 1, 3, 3, 255 }, 1000, 14, false,
	  false, true },
	/* well formed: counted as nothing */
	{ "window scale 14", 8, { MSS1000, 1, 3, 3, 14 }, 1000, 14, false,
	  false, false },
	{ "all of them", 20, { MSS1000, 1, 3, 3, 2, 4, 2, 8, 10, 0, 0, 0, 9,
	  0, 0, 0, 0 }, 1000, 2, true, true, false },
	{ "unknown options", 16, { MSS1000, 253, 4, 0xab, 0xcd, 99, 6, 1, 2, 3,
	  4, 1, 1 }, 1000, -1, false, false, false },
	{ "junk after End of Option List", 8, { MSS1000, 0, 3, 0xff, 8 }, 1000,
	  -1, false, false, false },
	{ "MSS after End of Option List", 8, { 0, 0, 0, 0, MSS1000 }, 536, -1,
	  false, false, false },
};

/*
 * Each SYN-ACK opens the connection (nothing is dropped for its options),
 * with what the options before a malformed one, and the well-formed ones
 * around a skipped one, said; the malformed lists are counted once each,
 * under tcp.bad_options and nothing else. Data then flows with the MSS
 * taken.
 */
static void
test_synack_malformed_options(void **state)
{
	struct lm_worker *w = env.w;

	(void)state;
	w->tcp.sack = true;
	w->tcp.window_scaling = true;
	w->tcp.timestamps = true;
	for (size_t i = 0; i < RTE_DIM(opt_cases); i++) {
		const struct opt_case *k = &opt_cases[i];
		struct conn *c = &conns[0];
		struct odd o = odd_now();
		const struct out_frame *f;
		struct seg s;

		print_message("case: %s\n", k->name);
		connect_peer(c);
		pass();
		f = one_out();
		assert_int_equal(f->flags, TH_SYN);
		c->iss = f->seq;
		c->lport = f->sport;
		c->irs = 5000;
		s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
			.seq = c->irs, .ack = c->iss + 1,
			.flags = TH_SYN | TH_ACK, .win = WND_MAX,
			.opts = k->bytes, .optlen = k->len };
		peer_send(&s);
		pass();
		assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
		assert_int_equal(c->app.n_connected, 1);
		assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
		assert_int_equal(c->tcb->smss, k->smss);
		assert_int_equal(!!(c->tcb->flags & LM_TCBF_WS), k->wscale >= 0);
		if (k->wscale >= 0)
			assert_int_equal(c->tcb->snd_wscale, k->wscale);
		assert_int_equal(!!(c->tcb->flags & LM_TCBF_SACK), k->sack);
		assert_int_equal(!!(c->tcb->flags & LM_TCBF_TS), k->ts);
		if (k->bad)
			assert_odd(o, bad_options);
		else
			assert_odd_none(o);
		/* our data goes in segments of the MSS taken */
		if (!(c->tcb->flags & LM_TCBF_TS)) {
			lm_tcp_send(w, c->tcb, 1200);
			pass();
			assert_data(&env.out[0], c, 0, k->smss);
		}
		lm_tcp_abort(w, c->tcb);
		pass();
	}
}

/*
 * Malformed options on a later segment: its data is taken all the same
 * (the options are only read), the list counted.
 */
static void
test_data_with_malformed_options(void **state)
{
	static const uint8_t bad[] = { 1, 1, 8, 12 };  /* runs past the end */
	struct conn *c = &conns[0];
	struct odd o;
	struct seg s;

	(void)state;
	open_conn(c, 1000, OUR_MSS, WND_MAX, 0);
	o = odd_now();
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport,
		.seq = RCV(c, 0), .ack = SND(c, 0), .flags = TH_ACK | TH_PSH,
		.win = WND_MAX, .len = 100, .data_off = 0, .opts = bad,
		.optlen = sizeof(bad) };
	peer_send(&s);
	pass();
	assert_int_equal(c->app.rx_len, 100);
	assert_true(rx_intact(&c->app));
	assert_odd(o, bad_options);
}

/* ------------------------------------------------------------------ */
/* Duplicates */

/*
 * Every segment of the peer twice: the copy of a data segment, of the
 * SYN-ACK, of a segment held out of order and of the FIN is counted as a
 * duplicate (nothing else), answered with an ACK, and delivers nothing.
 */
static void
test_duplicates_counted(void **state)
{
	struct conn *c = &conns[0];
	struct seg s;
	struct odd o;

	(void)state;
	open_conn(c, 7000, OUR_MSS, WND_MAX, 0);
	/* the SYN-ACK again: our ACK answers it, no challenge */
	o = odd_now();
	s = (struct seg){ .sport = PEER_PORT, .dport = c->lport, .seq = c->irs,
		.ack = c->iss + 1, .flags = TH_SYN | TH_ACK, .win = WND_MAX,
		.mss = OUR_MSS };
	peer_send(&s);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, dup);

	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, 100);
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 100), 0);
	assert_int_equal(c->app.rx_len, 100);
	assert_odd(o, dup);

	/* held past a hole, then again */
	peer_seg(c, TH_ACK, RCV(c, 200), SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 100), 0);
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, 200), SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 100), 0);
	assert_odd(o, dup);
	peer_seg(c, TH_ACK, RCV(c, 100), SND(c, 0), WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, 300);
	assert_true(rx_intact(&c->app));

	/* the FIN twice */
	peer_seg(c, TH_ACK | TH_FIN, RCV(c, 300), SND(c, 0), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_CLOSE_WAIT);
	assert_int_equal(c->app.n_peer_closed, 1);
	o = odd_now();
	peer_seg(c, TH_ACK | TH_FIN, RCV(c, 300), SND(c, 0), WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 301), 0);
	assert_int_equal(c->app.n_peer_closed, 1);
	assert_odd(o, dup);
}

/* ------------------------------------------------------------------ */
/* Out of the window */

/*
 * Data starting past RCV.NXT + RCV.WND is dropped (not held) with an ACK
 * (RFC 9293 3.10.7.4), counted as beyond_window; data wholly before
 * RCV.NXT is a duplicate. Neither reaches the app.
 */
static void
test_data_outside_window(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	uint64_t held0 = w->ctr->tcp_ooo_held;
	struct odd o;

	(void)state;
	open_conn(c, 0xfffff000, OUR_MSS, WND_MAX, 0);
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, w->tcp.rcv_wnd), SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, beyond);
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, 4000000), SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, beyond);
	assert_int_equal(w->ctr->tcp_ooo_held, held0);
	assert_int_equal(c->tcb->ooo, 0);

	/* 100 bytes ending at RCV.NXT: all old */
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, 0) - 100, SND(c, 0), WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, dup);
	assert_int_equal(c->app.n_recv, 0);

	/* the last byte inside the window is taken (held) */
	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, w->tcp.rcv_wnd - 1), SND(c, 0), WND_MAX, 1);
	pass();
	assert_int_equal(w->ctr->tcp_ooo_held, held0 + 1);
	assert_odd_none(o);
}

/*
 * An ACK of data never sent: ACK back, drop the segment, its data too
 * (RFC 9293 3.10.7.4). An ACK more than the largest window the peer
 * offered behind SND.UNA: the same (RFC 5961 5.2, a blind data
 * injection); one less far behind is an old ACK and its data is taken.
 */
static void
test_bad_acks_dropped(void **state)
{
	struct conn *c = &conns[0];
	struct odd o;

	(void)state;
	open_conn(c, 0x7ffffff0, OUR_MSS, 20000, 0);
	send_acked(c, 0, 3000);
	o = odd_now();
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 3000) + 1, WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 3000), RCV(c, 0), 0);
	assert_odd(o, bad_acks);
	assert_int_equal(c->app.rx_len, 0);

	/* max_snd_wnd is 65535 now (the last ACK's window) */
	o = odd_now();
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 3000) - WND_MAX - 1,
		 WND_MAX, 100);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 3000), RCV(c, 0), 0);
	assert_odd(o, bad_acks);
	assert_int_equal(c->app.rx_len, 0);
	assert_int_equal(c->tcb->snd_una, SND(c, 3000));

	/* old, but within the window: an old ACK, the data is taken */
	o = odd_now();
	peer_seg(c, TH_ACK | TH_PSH, RCV(c, 0), SND(c, 3000) - WND_MAX,
		 WND_MAX, 100);
	pass();
	assert_int_equal(c->app.rx_len, 100);
	assert_true(rx_intact(&c->app));
	assert_odd_none(o);
	assert_int_equal(c->tcb->snd_una, SND(c, 3000));
}

/*
 * RSTs and SYNs: an RST outside the window is ignored, silently; one in
 * the window but not at RCV.NXT gets a challenge ACK (RFC 5961 3.2); a SYN
 * gets one wherever it lies (RFC 5961 4.2). The connection lives on.
 */
static void
test_rst_and_syn_challenged(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	struct odd o;

	(void)state;
	open_conn(c, 0xffffff00, OUR_MSS, WND_MAX, 0);
	o = odd_now();
	peer_seg(c, TH_RST, RCV(c, w->tcp.rcv_wnd + 10), 0, 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_odd(o, rst_ignored);
	o = odd_now();
	peer_seg(c, TH_RST | TH_ACK, RCV(c, 0) - 1, SND(c, 0), 0, 0);
	pass();
	assert_int_equal(env.n_out, 0);
	assert_odd(o, rst_ignored);

	o = odd_now();
	peer_seg(c, TH_RST, RCV(c, 10), 0, 0, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, rst_challenged);

	o = odd_now();
	peer_seg(c, TH_SYN, RCV(c, 10), 0, WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, syn_challenged);
	o = odd_now();
	peer_seg(c, TH_SYN, RCV(c, 0) + 0x40000000, 0, WND_MAX, 0);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, syn_challenged);

	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
	assert_int_equal(c->app.n_closed, 0);
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 50);
	pass();
	assert_int_equal(c->app.rx_len, 50);
}

/*
 * In SYN-RECEIVED (a connection to a listener of ours): the client's SYN
 * again is a duplicate, answered with our SYN-ACK again; a SYN with
 * another sequence number gets a challenge ACK (RFC 5961 4.2); an ACK of
 * something else than our SYN is a bad ACK, answered with RST (RFC 9293
 * 3.10.7.4). The connection still opens.
 */
static void
test_syn_rcvd_counted(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	struct seg s = { .sport = PEER_PORT, .dport = 8080, .seq = 4242,
		.flags = TH_SYN, .win = WND_MAX, .mss = 1000 };
	const struct out_frame *f;
	struct odd o;

	(void)state;
	assert_int_equal(lm_tcp_listen(w, 0, 8080, &test_ops, NULL), 0);
	c->lport = 8080;
	c->irs = 4242;
	peer_send(&s);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN | TH_ACK);
	c->iss = f->seq;

	o = odd_now();
	peer_send(&s);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_SYN | TH_ACK);
	assert_odd(o, dup);

	o = odd_now();
	s.seq = 9999;
	peer_send(&s);
	pass();
	assert_seg(one_out(), c, TH_ACK, SND(c, 0), RCV(c, 0), 0);
	assert_odd(o, syn_challenged);

	o = odd_now();
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 5), WND_MAX, 0);
	pass();
	f = one_out();
	assert_int_equal(f->flags, TH_RST);
	assert_odd(o, bad_acks);

	env.accept_into = c;
	peer_seg(c, TH_ACK, RCV(c, 0), SND(c, 0), WND_MAX, 0);
	pass();
	assert_int_equal(c->tcb->state, LM_TCP_ESTABLISHED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_synack_malformed_options),
		T(test_data_with_malformed_options),
		T(test_duplicates_counted),
		T(test_data_outside_window),
		T(test_bad_acks_dropped),
		T(test_rst_and_syn_challenged),
		T(test_syn_rcvd_counted),
		cmocka_unit_test(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
