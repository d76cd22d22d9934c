/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: out-of-sequence data and what we acknowledge — the SACK
 * blocks we report as receiver (RFC 2018 section 4), SACK compression
 * (tcp.sack_compress) and the delayed-ACK policy (RFC 9293 3.8.6.3, RFC
 * 5681 4.2). See tcp_harness.h for how the tests run.
 */
#include "tcp_harness.h"

/* Peer stream offsets of the SACK blocks f carries: n pairs in offs. */
static void
check_sack(const struct out_frame *f, const struct conn *c, int n,
	   const uint32_t *offs)
{
	uint32_t lo[4], hi[4];
	int got = opt_sack(f, lo, hi);

	assert_int_equal(got, n == 0 ? -1 : n);
	for (int i = 0; i < n; i++) {
		assert_int_equal(lo[i], RCV(c, offs[2 * i]));
		assert_int_equal(hi[i], RCV(c, offs[2 * i + 1]));
	}
}

/* An ACK of c acknowledging the peer's offset ack, with these blocks. */
#define assert_ack_sack(f, c, ack, ...) do { \
	static const uint32_t offs_[] = { __VA_ARGS__ }; \
	assert_seg((f), (c), TH_ACK, SND((c), 0), RCV((c), (ack)), 0); \
	check_sack((f), (c), (int)(RTE_DIM(offs_) / 2), offs_); \
} while (0)

#define assert_ack_plain(f, c, ack) do { \
	assert_seg((f), (c), TH_ACK, SND((c), 0), RCV((c), (ack)), 0); \
	check_sack((f), (c), 0, NULL); \
} while (0)

/* A connection with SACK in use (we offer it, the peer's SYN-ACK too). */
static void
open_sack(struct conn *c, uint32_t irs, bool compress)
{
	env.w->tcp.sack = true;
	env.w->tcp.sack_compress = compress;
	env.peer_sack = true;
	open_conn(c, irs, 1000, WND_MAX, 0);
	assert_true(c->tcb->flags & LM_TCBF_SACK);
}

/* The peer's 1000 bytes at offset off, alone in a pass. */
static void
seg_pass(struct conn *c, uint32_t off)
{
	peer_seg(c, TH_ACK, RCV(c, off), SND(c, 0), WND_MAX, 1000);
	pass();
}

/*
 * RFC 2018 section 4: the first block holds the segment that triggered the
 * ACK, the others repeat the most recently reported ones; at most four fit
 * without timestamps, so the oldest is no longer reported; a segment that
 * joins two blocks reports the joined block first; as RCV.NXT passes
 * blocks, they go. The peer's sequence numbers wrap past 2^32 midway.
 */
static void
test_sack_blocks_latest_first(void **state)
{
	struct conn *c = &conns[0];

	(void)state;
	open_sack(c, 0xffffec00, false);
	seg_pass(c, 0);
	assert_ack_plain(one_out(), c, 1000);

	/* a hole at [1000, 2000), then one after each block */
	seg_pass(c, 2000);
	assert_ack_sack(one_out(), c, 1000, 2000, 3000);
	seg_pass(c, 4000);
	assert_ack_sack(one_out(), c, 1000, 4000, 5000, 2000, 3000);
	seg_pass(c, 6000);
	assert_ack_sack(one_out(), c, 1000, 6000, 7000, 4000, 5000, 2000, 3000);
	/* offset 5119 is sequence number 2^32: the blocks cross it */
	seg_pass(c, 8000);
	assert_ack_sack(one_out(), c, 1000, 8000, 9000, 6000, 7000, 4000, 5000,
			2000, 3000);
	seg_pass(c, 10000);
	assert_ack_sack(one_out(), c, 1000, 10000, 11000, 8000, 9000,
			6000, 7000, 4000, 5000);

	/* [3000, 4000) joins [4000, 5000): that block first */
	seg_pass(c, 3000);
	assert_ack_sack(one_out(), c, 1000, 3000, 5000, 10000, 11000,
			8000, 9000, 6000, 7000);

	/* the first hole filled: everything held up to 5000 goes up */
	seg_pass(c, 1000);
	assert_int_equal(c->app.rx_len, 5000);
	assert_true(rx_intact(&c->app));
	assert_ack_sack(one_out(), c, 5000, 10000, 11000, 8000, 9000,
			6000, 7000);
	seg_pass(c, 5000);
	assert_ack_sack(one_out(), c, 7000, 10000, 11000, 8000, 9000);
	seg_pass(c, 7000);
	assert_ack_sack(one_out(), c, 9000, 10000, 11000);
	seg_pass(c, 9000);
	assert_ack_plain(one_out(), c, 11000);
	assert_int_equal(c->app.rx_len, 11000);
	assert_true(rx_intact(&c->app));
	/* nothing held: the out-of-order state went back to the pool */
	assert_null(c->tcb->ooo);
}

/* How many out-of-order states the worker's pool has free. */
static uint32_t
ooo_states_free(void)
{
	uint32_t n = 0;

	for (struct lm_tcb_ooo *o = env.w->tcp.ooo_conn_free; o != NULL;
	     o = o->next_free)
		n++;
	return n;
}

/*
 * The out-of-order state is lent while something is held: with the pool
 * empty, a segment past a hole is dropped (counted) and drawn a plain
 * duplicate ACK at once; the peer's retransmission then goes through, and
 * once a state is free again the next hole is held and reported.
 */
static void
test_ooo_state_pool(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];
	struct lm_tcb_ooo *pool = w->tcp.ooo_conn_free;
	uint32_t all = ooo_states_free(), dropped;

	(void)state;
	assert_int_equal(all, w->tcp.n_ooo_conns);
	open_sack(c, 0x50000, false);
	seg_pass(c, 0);
	assert_ack_plain(one_out(), c, 1000);

	w->tcp.ooo_conn_free = NULL;
	dropped = w->ctr->tcp_ooo_dropped;
	seg_pass(c, 2000);
	assert_ack_plain(one_out(), c, 1000);
	assert_null(c->tcb->ooo);
	assert_int_equal(w->ctr->tcp_ooo_dropped, dropped + 1);

	w->tcp.ooo_conn_free = pool;
	seg_pass(c, 1000);
	assert_ack_plain(one_out(), c, 2000);
	seg_pass(c, 3000);
	assert_ack_sack(one_out(), c, 2000, 3000, 4000);
	assert_non_null(c->tcb->ooo);
	assert_int_equal(ooo_states_free(), all - 1);
	seg_pass(c, 2000);
	assert_ack_plain(one_out(), c, 4000);
	assert_null(c->tcb->ooo);
	assert_int_equal(ooo_states_free(), all);
	assert_int_equal(c->app.rx_len, 4000);
	assert_true(rx_intact(&c->app));
}

/*
 * SACK compression: of the out-of-order segments at one RCV.NXT, the first
 * three draw an ACK at once (the sender's fast retransmit waits for three),
 * and so does one past a new hole; those that only extend the newest block
 * share the ACK at the end of the pass. A new RCV.NXT starts the count
 * again. Without compression, or without SACK, each draws its own ACK.
 */
static void
test_sack_compression(void **state)
{
	struct conn *c = &conns[0];
	struct conn *d = &conns[1];

	(void)state;
	open_sack(c, 0x10000, true);
	seg_pass(c, 0);
	assert_ack_plain(one_out(), c, 1000);

	/* six segments past the hole [1000, 2000) in one pass */
	for (uint32_t k = 0; k < 6; k++)
		peer_seg(c, TH_ACK, RCV(c, 2000 + k * 1000), SND(c, 0), WND_MAX,
			 1000);
	pass();
	assert_int_equal(env.n_out, 4);
	assert_ack_sack(&env.out[0], c, 1000, 2000, 3000);
	assert_ack_sack(&env.out[1], c, 1000, 2000, 4000);
	assert_ack_sack(&env.out[2], c, 1000, 2000, 5000);
	assert_ack_sack(&env.out[3], c, 1000, 2000, 8000);

	/* a new hole at [8000, 9000): its block at once, the next one later */
	peer_seg(c, TH_ACK, RCV(c, 9000), SND(c, 0), WND_MAX, 1000);
	peer_seg(c, TH_ACK, RCV(c, 10000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_int_equal(env.n_out, 2);
	assert_ack_sack(&env.out[0], c, 1000, 9000, 10000, 2000, 8000);
	assert_ack_sack(&env.out[1], c, 1000, 9000, 11000, 2000, 8000);

	/* the first hole filled: an ACK at once; then the count starts again */
	seg_pass(c, 1000);
	assert_ack_sack(one_out(), c, 8000, 9000, 11000);
	for (uint32_t k = 0; k < 4; k++)
		peer_seg(c, TH_ACK, RCV(c, 11000 + k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_int_equal(env.n_out, 4);
	assert_ack_sack(&env.out[0], c, 8000, 9000, 12000);
	assert_ack_sack(&env.out[2], c, 8000, 9000, 14000);
	assert_ack_sack(&env.out[3], c, 8000, 9000, 15000);

	/* compression off: one ACK for each */
	env.w->tcp.sack_compress = false;
	for (uint32_t k = 0; k < 3; k++)
		peer_seg(c, TH_ACK, RCV(c, 15000 + k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_int_equal(env.n_out, 3);
	assert_ack_sack(&env.out[2], c, 8000, 9000, 18000);
	seg_pass(c, 8000);
	assert_ack_plain(one_out(), c, 18000);
	assert_int_equal(c->app.rx_len, 18000);
	assert_true(rx_intact(&c->app));

	/* no SACK on the connection: every duplicate at once (RFC 6582) */
	env.w->tcp.sack_compress = true;
	env.peer_sack = false;
	open_conn(d, 0x20000, 1000, WND_MAX, 0);
	assert_false(d->tcb->flags & LM_TCBF_SACK);
	for (uint32_t k = 0; k < 5; k++)
		peer_seg(d, TH_ACK, RCV(d, 1000 + k * 1000), SND(d, 0),
			 WND_MAX, 1000);
	pass();
	assert_int_equal(env.n_out, 5);
	for (uint32_t k = 0; k < 5; k++)
		assert_ack_plain(&env.out[k], d, 0);
}

/*
 * With a delay set, a lone full segment's ACK waits for it; the second
 * full segment is ACKed at once (RFC 9293 3.8.6.3), whatever the pass;
 * smaller segments never hurry the ACK. With no delay, a burst read in one
 * pass draws one ACK at its end.
 */
static void
test_delayed_ack_every_second_full_segment(void **state)
{
	struct lm_worker *w = env.w;
	struct conn *c = &conns[0];

	(void)state;
	open_conn(c, 0x30000, 1000, WND_MAX, 0);
	w->tcp.delack_tsc = 40 * w->hz / 1000;

	seg_pass(c, 0);
	assert_int_equal(env.n_out, 0);
	advance_us(39 * MS);
	assert_int_equal(env.n_out, 0);
	advance_us(1 * MS);
	assert_ack_plain(one_out(), c, 1000);

	/* two full segments: at once */
	peer_seg(c, TH_ACK, RCV(c, 1000), SND(c, 0), WND_MAX, 1000);
	peer_seg(c, TH_ACK, RCV(c, 2000), SND(c, 0), WND_MAX, 1000);
	pass();
	assert_ack_plain(one_out(), c, 3000);

	/* one full segment now, one in a later pass: the second is ACKed */
	seg_pass(c, 3000);
	assert_int_equal(env.n_out, 0);
	advance_us(5 * MS);
	assert_int_equal(env.n_out, 0);
	seg_pass(c, 4000);
	assert_ack_plain(one_out(), c, 5000);
	/* what was on the delayed list is not ACKed again */
	advance_us(40 * MS);
	assert_int_equal(env.n_out, 0);

	/* three: the second at once, the third waits */
	for (uint32_t k = 0; k < 3; k++)
		peer_seg(c, TH_ACK, RCV(c, 5000 + k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_ack_plain(one_out(), c, 7000);
	advance_us(40 * MS);
	assert_ack_plain(one_out(), c, 8000);

	/* small segments do not count as full */
	for (uint32_t k = 0; k < 3; k++)
		peer_seg(c, TH_ACK, RCV(c, 8000 + k * 500), SND(c, 0),
			 WND_MAX, 500);
	pass();
	assert_int_equal(env.n_out, 0);
	advance_us(40 * MS);
	assert_ack_plain(one_out(), c, 9500);

	/* no delay: one ACK at the end of the pass for the whole burst */
	w->tcp.delack_tsc = 0;
	for (uint32_t k = 0; k < 5; k++)
		peer_seg(c, TH_ACK, RCV(c, 9500 + k * 1000), SND(c, 0),
			 WND_MAX, 1000);
	pass();
	assert_ack_plain(one_out(), c, 14500);
	assert_int_equal(c->app.rx_len, 14500);
	assert_true(rx_intact(&c->app));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_sack_blocks_latest_first),
		T(test_ooo_state_pool),
		T(test_sack_compression),
		T(test_delayed_ack_every_second_full_segment),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
