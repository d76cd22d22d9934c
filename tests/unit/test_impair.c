/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the fault injector (dataplane/net/impair.c): rates,
 * positions, byte changes, reproducibility, and that every mbuf comes back
 * to the pool.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ip.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>
#include <rte_tcp.h>

#include "net/impair.h"

#define POOL_SIZE 4095
#define MAX_BURST 256
/* where each test frame carries its number (past the bytes corruption spares) */
#define ID_OFF 16

static struct rte_mempool *pool;
static unsigned int pool_avail;

/* A frame of len bytes (len >= ID_OFF + 4 to carry id), filled with a pattern. */
static struct rte_mbuf *
frame(uint32_t id, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint8_t *p;
	uint16_t i;

	assert_non_null(m);
	p = (uint8_t *)rte_pktmbuf_append(m, len);
	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(id * 7 + i);
	/* an IPv4 frame: the only kind the injector touches */
	if (len >= 14) {
		p[12] = 0x08;
		p[13] = 0x00;
	}
	if (len >= ID_OFF + 4)
		memcpy(p + ID_OFF, &id, 4);
	return m;
}

static uint32_t
frame_id(const struct rte_mbuf *m)
{
	uint32_t id;

	memcpy(&id, rte_pktmbuf_mtod_offset(m, const uint8_t *, ID_OFF), 4);
	return id;
}

/* FNV-1a of a frame's bytes, segments and all */
static uint64_t
fingerprint(const struct rte_mbuf *m)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);
	const struct rte_mbuf *s;
	uint16_t i;

	for (s = m; s != NULL; s = s->next)
		for (i = 0; i < s->data_len; i++) {
			h ^= *rte_pktmbuf_mtod_offset(s, const uint8_t *, i);
			h *= UINT64_C(0x100000001b3);
		}
	return h ^ rte_pktmbuf_pkt_len(m);
}

static void
free_all(struct rte_mbuf **pkts, uint16_t n)
{
	rte_pktmbuf_free_bulk(pkts, n);
}

static struct lm_impair_dir
dir_cfg(double drop, double dup, double reorder, double corrupt,
	uint32_t depth)
{
	struct lm_impair_dir d = {
		.drop = drop, .dup = dup, .reorder = reorder,
		.corrupt = corrupt, .reorder_depth = depth,
	};

	return d;
}

/* ---- tests ---- */

static void
test_zero_changes_nothing(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0, 0, 3);
	struct rte_mbuf *pkts[64], *orig[32];
	uint64_t fp[32];
	struct lm_impair im;
	uint16_t i, n;

	(void)state;
	lm_impair_init(&im, &cfg, 7, pool);
	assert_false(lm_impair_active(&im));
	for (i = 0; i < 32; i++) {
		pkts[i] = orig[i] = frame(i, (uint16_t)(60 + i));
		fp[i] = fingerprint(pkts[i]);
	}
	n = lm_impair_burst(&im, pkts, 32, 64, 0);
	assert_int_equal(n, 32);
	for (i = 0; i < 32; i++) {
		assert_ptr_equal(pkts[i], orig[i]);
		assert_true(fingerprint(pkts[i]) == fp[i]);
	}
	assert_int_equal(lm_impair_flush(&im, pkts + n, 32, LM_IMPAIR_FLUSH_ALL), 0);
	assert_true(im.ctr.dropped == 0 && im.ctr.duplicated == 0 &&
		    im.ctr.reordered == 0 && im.ctr.corrupted == 0);
	free_all(pkts, n);
	lm_impair_fini(&im);

	/* no configuration at all is the same */
	lm_impair_init(&im, NULL, 7, pool);
	assert_false(lm_impair_active(&im));
	assert_int_equal(im.cfg.reorder_depth, 3);
	lm_impair_fini(&im);
}

static void
test_drop_rate(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0.3, 0, 0, 0, 3);
	const uint32_t total = 100000;
	struct rte_mbuf *pkts[32];
	struct lm_impair im;
	uint64_t out = 0;
	double sigma, mean;
	uint32_t sent = 0;
	uint16_t i, n;

	(void)state;
	lm_impair_init(&im, &cfg, 12345, pool);
	while (sent < total) {
		uint16_t b = total - sent < 32 ? (uint16_t)(total - sent) : 32;

		for (i = 0; i < b; i++)
			pkts[i] = frame(sent + i, 64);
		sent += b;
		n = lm_impair_burst(&im, pkts, b, 32, 0);
		/* what survives keeps its order */
		for (i = 1; i < n; i++)
			assert_true(frame_id(pkts[i]) > frame_id(pkts[i - 1]));
		out += n;
		free_all(pkts, n);
	}
	mean = total * 0.3;
	sigma = sqrt(total * 0.3 * 0.7);
	assert_true(fabs((double)im.ctr.dropped - mean) < 5 * sigma);
	assert_int_equal(out + im.ctr.dropped, total);
	assert_true(im.ctr.duplicated == 0 && im.ctr.reordered == 0 &&
		    im.ctr.corrupted == 0);
	lm_impair_fini(&im);
}

static void
test_dup(void **state)
{
	struct lm_impair_dir always = dir_cfg(0, 1, 0, 0, 3);
	struct lm_impair_dir half = dir_cfg(0, 0.5, 0, 0, 3);
	struct rte_mbuf *pkts[64], *orig[32];
	struct lm_impair im;
	uint16_t i, n, k, originals;

	(void)state;
	/* every packet, room for all: original, copy, original, copy... */
	lm_impair_init(&im, &always, 1, pool);
	for (i = 0; i < 32; i++)
		pkts[i] = orig[i] = frame(i, (uint16_t)(100 + i));
	n = lm_impair_burst(&im, pkts, 32, 64, 0);
	assert_int_equal(n, 64);
	assert_int_equal(im.ctr.duplicated, 32);
	for (i = 0; i < 32; i++) {
		struct rte_mbuf *a = pkts[2 * i], *b = pkts[2 * i + 1];

		assert_ptr_equal(a, orig[i]);
		assert_ptr_not_equal(b, a);
		assert_int_equal(rte_pktmbuf_pkt_len(b), rte_pktmbuf_pkt_len(a));
		assert_memory_equal(rte_pktmbuf_mtod(b, void *),
				    rte_pktmbuf_mtod(a, void *),
				    rte_pktmbuf_pkt_len(a));
	}
	free_all(pkts, n);
	lm_impair_fini(&im);

	/* only as much room as cap leaves: 4 packets, 2 spare slots */
	lm_impair_init(&im, &always, 1, pool);
	for (i = 0; i < 4; i++)
		pkts[i] = orig[i] = frame(i, 64);
	n = lm_impair_burst(&im, pkts, 4, 6, 0);
	assert_int_equal(n, 6);
	assert_int_equal(im.ctr.duplicated, 2);
	assert_ptr_equal(pkts[0], orig[0]);
	assert_int_equal(frame_id(pkts[1]), 0);
	assert_ptr_equal(pkts[2], orig[1]);
	assert_int_equal(frame_id(pkts[3]), 1);
	assert_ptr_equal(pkts[4], orig[2]);
	assert_ptr_equal(pkts[5], orig[3]);
	free_all(pkts, n);
	/* no room at all: no copies, nothing counted */
	for (i = 0; i < 4; i++)
		pkts[i] = frame(i, 64);
	n = lm_impair_burst(&im, pkts, 4, 4, 0);
	assert_int_equal(n, 4);
	assert_int_equal(im.ctr.duplicated, 2);
	free_all(pkts, n);
	lm_impair_fini(&im);

	/* some packets: each copy right after its original */
	lm_impair_init(&im, &half, 99, pool);
	for (i = 0; i < 32; i++)
		pkts[i] = orig[i] = frame(i, 80);
	n = lm_impair_burst(&im, pkts, 32, 64, 0);
	assert_int_equal(n, 32 + im.ctr.duplicated);
	assert_true(im.ctr.duplicated > 0 && im.ctr.duplicated < 32);
	for (k = 0, originals = 0; k < n; k++) {
		if (pkts[k] == orig[originals]) {
			originals++;
			continue;
		}
		/* a copy: follows the original it copies */
		assert_true(k > 0);
		assert_ptr_equal(pkts[k - 1], orig[originals - 1]);
		assert_memory_equal(rte_pktmbuf_mtod(pkts[k], void *),
				    rte_pktmbuf_mtod(pkts[k - 1], void *), 80);
	}
	assert_int_equal(originals, 32);
	free_all(pkts, n);
	lm_impair_fini(&im);
}

static void
test_dup_copy_fails(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 1, 0, 0, 3);
	struct rte_mempool *empty;
	struct rte_mbuf *pkts[16], *only;
	struct lm_impair im;
	uint16_t i, n;

	(void)state;
	empty = rte_pktmbuf_pool_create("test_impair_empty", 1, 0, 0,
					RTE_MBUF_DEFAULT_BUF_SIZE,
					(int)rte_socket_id());
	assert_non_null(empty);
	only = rte_pktmbuf_alloc(empty);
	assert_non_null(only);
	lm_impair_init(&im, &cfg, 3, empty);
	for (i = 0; i < 8; i++)
		pkts[i] = frame(i, 64);
	n = lm_impair_burst(&im, pkts, 8, 16, 0);
	assert_int_equal(n, 8);
	assert_int_equal(im.ctr.duplicated, 0);
	for (i = 0; i < 8; i++)
		assert_int_equal(frame_id(pkts[i]), i);
	free_all(pkts, n);
	lm_impair_fini(&im);
	/* no pool: no copies either */
	lm_impair_init(&im, &cfg, 3, NULL);
	pkts[0] = frame(0, 64);
	assert_int_equal(lm_impair_burst(&im, pkts, 1, 16, 0), 1);
	assert_int_equal(im.ctr.duplicated, 0);
	free_all(pkts, 1);
	lm_impair_fini(&im);
	rte_pktmbuf_free(only);
	rte_mempool_free(empty);
}

/*
 * One burst of 8 in which exactly one packet is held and released again:
 * it must come out exactly depth positions later, the others in order.
 * The seed is searched for through the interface alone.
 */
static void
test_reorder_position(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0.15, 0, 3);
	struct rte_mbuf *pkts[16], *orig[8];
	struct lm_impair im;
	uint64_t seed;
	uint16_t i, n, held = 0;
	bool found = false;

	(void)state;
	for (seed = 1; seed < 10000 && !found; seed++) {
		lm_impair_init(&im, &cfg, seed, pool);
		for (i = 0; i < 8; i++)
			pkts[i] = orig[i] = frame(i, 64);
		n = lm_impair_burst(&im, pkts, 8, 16, 0);
		if (im.ctr.reordered == 1 && n == 8) {
			for (held = 0; held < 8 && pkts[held] == orig[held]; held++)
				;
			found = true;
		}
		n += lm_impair_flush(&im, pkts + n, (uint16_t)(16 - n),
				     LM_IMPAIR_FLUSH_ALL);
		assert_int_equal(n, 8);
		if (found) {
			uint16_t k = 0;

			/* the held one, 3 places later; the rest in order */
			assert_true(held <= 4);
			assert_ptr_equal(pkts[held + 3], orig[held]);
			for (i = 0; i < 8; i++) {
				if (i == held + 3)
					continue;
				if (k == held)
					k++;
				assert_ptr_equal(pkts[i], orig[k]);
				k++;
			}
		}
		free_all(pkts, n);
		lm_impair_fini(&im);
	}
	assert_true(found);
}

/*
 * Over many bursts of changing size: a held packet comes out after exactly
 * depth later packets, held packets never overtake each other, and only
 * the final flush may release one earlier.
 */
static void
test_reorder_stream(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0.1, 0, 3);
	enum { TOTAL = 3000 };
	static uint32_t out[TOTAL];
	struct rte_mbuf *pkts[24];
	struct lm_impair im;
	uint32_t sent = 0, n_out = 0, flushed_from, j, k, later, moved = 0;
	uint16_t i, n, b = 1;
	static bool seen[TOTAL];

	(void)state;
	memset(seen, 0, sizeof(seen));
	lm_impair_init(&im, &cfg, 2024, pool);
	while (sent < TOTAL) {
		b = (uint16_t)(b % 8 + 1);
		if (b > TOTAL - sent)
			b = (uint16_t)(TOTAL - sent);
		for (i = 0; i < b; i++)
			pkts[i] = frame(sent + i, 64);
		sent += b;
		n = lm_impair_burst(&im, pkts, b, (uint16_t)(b + 16), 0);
		n += lm_impair_flush(&im, pkts + n, (uint16_t)(24 - n), 0);
		for (i = 0; i < n; i++)
			out[n_out++] = frame_id(pkts[i]);
		free_all(pkts, n);
	}
	flushed_from = n_out;
	n = lm_impair_flush(&im, pkts, 24, LM_IMPAIR_FLUSH_ALL);
	for (i = 0; i < n; i++)
		out[n_out++] = frame_id(pkts[i]);
	free_all(pkts, n);
	assert_int_equal(n_out, TOTAL);
	assert_int_equal(im.n_held, 0);

	for (j = 0; j < TOTAL; j++) {
		assert_false(seen[out[j]]);
		seen[out[j]] = true;
		for (k = 0, later = 0; k < j; k++)
			if (out[k] > out[j])
				later++;
		if (j >= flushed_from) {
			assert_true(later <= 3);
			moved++;
		} else if (later != 0) {
			assert_int_equal(later, 3);
			moved++;
		}
	}
	/* each held packet was passed by exactly 3, or flushed at the end */
	assert_int_equal(moved, im.ctr.reordered);
	assert_true(im.ctr.reordered > TOTAL / 20);
	lm_impair_fini(&im);
}

static void
test_hold_limits(void **state)
{
	struct lm_impair_dir deep = dir_cfg(0, 0, 1, 0, LM_IMPAIR_MAX_HELD);
	struct lm_impair_dir shallow = dir_cfg(0, 0, 1, 0, 3);
	struct rte_mbuf *pkts[80];
	struct lm_impair im;
	uint16_t i, n;

	(void)state;
	lm_impair_init(&im, &deep, 5, pool);
	assert_true(im.hold_tsc > 0);
	/* everything is held while there is room; the rest passes through */
	for (i = 0; i < 70; i++)
		pkts[i] = frame(i, 64);
	n = lm_impair_burst(&im, pkts, 70, 70, 1000);
	assert_int_equal(n, 70 - LM_IMPAIR_MAX_HELD);
	assert_int_equal(im.ctr.reordered, LM_IMPAIR_MAX_HELD);
	for (i = 0; i < n; i++)
		assert_int_equal(frame_id(pkts[i]), LM_IMPAIR_MAX_HELD + i);
	free_all(pkts, n);
	/* not before the hold time; then oldest first, as room allows */
	assert_int_equal(lm_impair_flush(&im, pkts, 80, 1000 + im.hold_tsc - 1), 0);
	n = lm_impair_flush(&im, pkts, 10, 1000 + im.hold_tsc);
	assert_int_equal(n, 10);
	for (i = 0; i < n; i++)
		assert_int_equal(frame_id(pkts[i]), i);
	free_all(pkts, n);
	/* a clock that went backwards releases nothing */
	assert_int_equal(lm_impair_flush(&im, pkts, 80, 999), 0);
	n = lm_impair_flush(&im, pkts, 80, LM_IMPAIR_FLUSH_ALL);
	assert_int_equal(n, LM_IMPAIR_MAX_HELD - 10);
	for (i = 0; i < n; i++)
		assert_int_equal(frame_id(pkts[i]), 10 + i);
	free_all(pkts, n);
	assert_int_equal(lm_impair_flush(&im, pkts, 80, LM_IMPAIR_FLUSH_ALL), 0);

	/* old ones also leave at the start of the next burst */
	pkts[0] = frame(100, 64);
	assert_int_equal(lm_impair_burst(&im, pkts, 1, 4, 5000), 0);
	pkts[0] = frame(101, 64);
	n = lm_impair_burst(&im, pkts, 1, 4, 5000 + im.hold_tsc);
	assert_int_equal(n, 1);
	assert_int_equal(frame_id(pkts[0]), 100);
	free_all(pkts, n);
	/* what is still held is freed by fini */
	assert_int_equal(im.n_held, 1);
	lm_impair_fini(&im);
	assert_int_equal(im.n_held, 0);

	/*
	 * Depth 3, holding full: the 64 held ones are all due once 3 more
	 * have passed, and come out together, in order; then holding goes on.
	 */
	lm_impair_init(&im, &shallow, 5, pool);
	for (i = 0; i < 70; i++)
		pkts[i] = frame(i, 64);
	n = lm_impair_burst(&im, pkts, 70, 70, 1000);
	assert_int_equal(n, 67);
	for (i = 0; i < 3; i++)
		assert_int_equal(frame_id(pkts[i]), LM_IMPAIR_MAX_HELD + i);
	for (i = 3; i < n; i++)
		assert_int_equal(frame_id(pkts[i]), i - 3);
	assert_int_equal(im.n_held, 3);
	assert_int_equal(im.ctr.reordered, LM_IMPAIR_MAX_HELD + 3);
	free_all(pkts, n);
	lm_impair_fini(&im);
}

/* the offset of the one byte that differs, or -1 (none or several) */
static int
one_diff(const uint8_t *a, const uint8_t *b, uint32_t len)
{
	int at = -1;
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (a[i] == b[i])
			continue;
		if (at >= 0)
			return -1;
		at = (int)i;
	}
	return at;
}

static void
test_corrupt(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0, 1, 3);
	struct rte_mbuf *pkts[32];
	uint8_t before[32][256];
	uint16_t len[32];
	struct lm_impair im;
	uint32_t hits[256] = { 0 };
	uint16_t i, n, round;
	int at;

	(void)state;
	lm_impair_init(&im, &cfg, 77, pool);
	for (round = 0; round < 50; round++) {
		for (i = 0; i < 32; i++) {
			len[i] = (uint16_t)(15 + (round * 32 + i) % 200);
			pkts[i] = frame(i, len[i]);
			pkts[i]->ol_flags = RTE_MBUF_F_RX_IP_CKSUM_GOOD |
					    RTE_MBUF_F_RX_L4_CKSUM_GOOD;
			memcpy(before[i], rte_pktmbuf_mtod(pkts[i], void *), len[i]);
		}
		n = lm_impair_burst(&im, pkts, 32, 32, 0);
		assert_int_equal(n, 32);
		for (i = 0; i < 32; i++) {
			assert_int_equal(rte_pktmbuf_pkt_len(pkts[i]), len[i]);
			at = one_diff(before[i], rte_pktmbuf_mtod(pkts[i], uint8_t *),
				      len[i]);
			assert_true(at >= LM_IMPAIR_KEEP_BYTES);
			hits[at]++;
			/* the stack must now check the sums itself */
			assert_int_equal(pkts[i]->ol_flags &
					 (RTE_MBUF_F_RX_IP_CKSUM_MASK |
					  RTE_MBUF_F_RX_L4_CKSUM_MASK), 0);
		}
		free_all(pkts, n);
	}
	assert_int_equal(im.ctr.corrupted, 50 * 32);
	/* offset 14, the first it may touch, is reached */
	assert_true(hits[LM_IMPAIR_KEEP_BYTES] > 0);

	/* a frame with nothing past the Ethernet header is left alone */
	pkts[0] = frame(0, LM_IMPAIR_KEEP_BYTES);
	memcpy(before[0], rte_pktmbuf_mtod(pkts[0], void *), LM_IMPAIR_KEEP_BYTES);
	assert_int_equal(lm_impair_burst(&im, pkts, 1, 1, 0), 1);
	assert_memory_equal(before[0], rte_pktmbuf_mtod(pkts[0], void *),
			    LM_IMPAIR_KEEP_BYTES);
	assert_int_equal(im.ctr.corrupted, 50 * 32);
	rte_pktmbuf_free(pkts[0]);
	/* nor is data that another mbuf holds a reference to */
	pkts[0] = frame(1, 100);
	rte_mbuf_refcnt_update(pkts[0], 1);
	memcpy(before[0], rte_pktmbuf_mtod(pkts[0], void *), 100);
	assert_int_equal(lm_impair_burst(&im, pkts, 1, 1, 0), 1);
	assert_memory_equal(before[0], rte_pktmbuf_mtod(pkts[0], void *), 100);
	assert_int_equal(im.ctr.corrupted, 50 * 32);
	rte_pktmbuf_free(pkts[0]);
	rte_pktmbuf_free(pkts[0]);
	lm_impair_fini(&im);
}

static void
test_corrupt_segments(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0, 1, 3);
	struct rte_mbuf *pkts[1], *tail;
	uint8_t before[200], after[200], tmp[200];
	struct lm_impair im;
	bool in_tail = false;
	uint16_t round;
	int at;

	(void)state;
	lm_impair_init(&im, &cfg, 31, pool);
	for (round = 0; round < 64; round++) {
		pkts[0] = frame(round, 40);
		tail = frame(round + 1000, 160);
		assert_int_equal(rte_pktmbuf_chain(pkts[0], tail), 0);
		memcpy(before, rte_pktmbuf_read(pkts[0], 0, 200, tmp), 200);
		assert_int_equal(lm_impair_burst(&im, pkts, 1, 1, 0), 1);
		memcpy(after, rte_pktmbuf_read(pkts[0], 0, 200, tmp), 200);
		at = one_diff(before, after, 200);
		assert_true(at >= LM_IMPAIR_KEEP_BYTES);
		in_tail |= at >= 40;
		rte_pktmbuf_free(pkts[0]);
	}
	assert_true(in_tail);
	lm_impair_fini(&im);
}

/*
 * A frame whose checksums were left to the NIC gets them computed first,
 * so that the damage shows as a bad checksum at the peer: the result is
 * the frame with correct sums and then one byte flipped.
 */
static void
test_corrupt_tx_offload(void **state)
{
	struct lm_impair_dir cfg = dir_cfg(0, 0, 0, 1, 3);
	enum { LEN = 14 + 20 + 20 + 30 };
	struct rte_mbuf *pkts[1];
	struct rte_ipv4_hdr *ip, *rip;
	struct rte_tcp_hdr *th, *rth;
	struct lm_impair im;
	uint8_t *p, want[LEN];
	uint16_t round;

	(void)state;
	lm_impair_init(&im, &cfg, 8, pool);
	for (round = 0; round < 32; round++) {
		pkts[0] = frame(round, LEN);
		p = rte_pktmbuf_mtod(pkts[0], uint8_t *);
		ip = (struct rte_ipv4_hdr *)(p + 14);
		memset(ip, 0, sizeof(*ip));
		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16(LEN - 14);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(0xc6120001);
		ip->dst_addr = rte_cpu_to_be_32(0xc6120002);
		th = (struct rte_tcp_hdr *)(ip + 1);
		memset(th, 0, sizeof(*th));
		th->data_off = 5 << 4;
		/* the frame with its sums done in software */
		memcpy(want, p, LEN);
		rip = (struct rte_ipv4_hdr *)(want + 14);
		rth = (struct rte_tcp_hdr *)(rip + 1);
		rip->hdr_checksum = rte_ipv4_cksum(rip);
		rth->cksum = rte_ipv4_udptcp_cksum(rip, rth);
		/* as a stack asking for the offloads leaves it */
		th->cksum = rte_ipv4_phdr_cksum(ip, RTE_MBUF_F_TX_IPV4 |
						RTE_MBUF_F_TX_TCP_CKSUM);
		pkts[0]->l2_len = 14;
		pkts[0]->l3_len = 20;
		pkts[0]->ol_flags = RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IP_CKSUM |
				    RTE_MBUF_F_TX_TCP_CKSUM;
		assert_int_equal(lm_impair_burst(&im, pkts, 1, 1, 0), 1);
		assert_int_equal(pkts[0]->ol_flags &
				 (RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK), 0);
		assert_true(one_diff(want, p, LEN) >= LM_IMPAIR_KEEP_BYTES);
		/* and the damage shows */
		assert_false(rte_raw_cksum(ip, 20) == 0xffff &&
			     rte_ipv4_udptcp_cksum_verify(ip, th) == 0);
		rte_pktmbuf_free(pkts[0]);
	}
	assert_int_equal(im.ctr.corrupted, 32);
	lm_impair_fini(&im);
}

/* Frames other than IPv4 (ARP) are left alone, and still count as passing. */
static void
test_not_ipv4(void **state)
{
	struct lm_impair_dir all = dir_cfg(1, 1, 0, 1, 3);
	struct lm_impair_dir hold_all = dir_cfg(0, 0, 1, 0, 2);
	struct rte_mbuf *pkts[16], *orig[8];
	uint64_t fp[8];
	struct lm_impair im;
	uint16_t i, n;

	(void)state;
	lm_impair_init(&im, &all, 4, pool);
	for (i = 0; i < 8; i++) {
		pkts[i] = orig[i] = frame(i, 60);
		/* ARP */
		rte_pktmbuf_mtod(pkts[i], uint8_t *)[13] = 0x06;
		fp[i] = fingerprint(pkts[i]);
	}
	/* a runt has no type at all */
	pkts[8] = frame(8, 10);
	n = lm_impair_burst(&im, pkts, 9, 16, 0);
	assert_int_equal(n, 9);
	for (i = 0; i < 8; i++) {
		assert_ptr_equal(pkts[i], orig[i]);
		assert_true(fingerprint(pkts[i]) == fp[i]);
	}
	assert_true(im.ctr.dropped == 0 && im.ctr.duplicated == 0 &&
		    im.ctr.corrupted == 0);
	free_all(pkts, n);
	lm_impair_fini(&im);

	/* a held IPv4 packet is overtaken by ARP frames as by any other */
	lm_impair_init(&im, &hold_all, 4, pool);
	pkts[0] = orig[0] = frame(0, 60);
	for (i = 1; i < 4; i++) {
		pkts[i] = orig[i] = frame(i, 60);
		rte_pktmbuf_mtod(pkts[i], uint8_t *)[13] = 0x06;
	}
	n = lm_impair_burst(&im, pkts, 4, 8, 0);
	assert_int_equal(n, 4);
	assert_ptr_equal(pkts[0], orig[1]);
	assert_ptr_equal(pkts[1], orig[2]);
	assert_ptr_equal(pkts[2], orig[0]);
	assert_ptr_equal(pkts[3], orig[3]);
	free_all(pkts, n);
	lm_impair_fini(&im);
}

/* Everything at once, twice with one seed: the same frames in the same order. */
static void
run_mixed(uint64_t seed, uint64_t *fp, uint32_t *n_fp,
	  struct lm_impair_counters *ctr)
{
	struct lm_impair_dir cfg = dir_cfg(0.1, 0.1, 0.1, 0.1, 4);
	struct rte_mbuf *pkts[48];
	struct lm_impair im;
	uint32_t sent = 0;
	uint16_t i, n;

	*n_fp = 0;
	lm_impair_init(&im, &cfg, seed, pool);
	while (sent < 2000) {
		for (i = 0; i < 16; i++)
			pkts[i] = frame(sent + i, (uint16_t)(60 + (sent + i) % 50));
		sent += 16;
		n = lm_impair_burst(&im, pkts, 16, 40, 0);
		n += lm_impair_flush(&im, pkts + n, (uint16_t)(48 - n), 0);
		for (i = 0; i < n; i++)
			fp[(*n_fp)++] = fingerprint(pkts[i]);
		free_all(pkts, n);
	}
	n = lm_impair_flush(&im, pkts, 48, LM_IMPAIR_FLUSH_ALL);
	for (i = 0; i < n; i++)
		fp[(*n_fp)++] = fingerprint(pkts[i]);
	free_all(pkts, n);
	*ctr = im.ctr;
	lm_impair_fini(&im);
}

static void
test_same_seed(void **state)
{
	static uint64_t a[4000], b[4000], c[4000];
	struct lm_impair_counters ca, cb, cc;
	uint32_t na, nb, nc;

	(void)state;
	run_mixed(42, a, &na, &ca);
	run_mixed(42, b, &nb, &cb);
	run_mixed(43, c, &nc, &cc);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(a[0]));
	assert_memory_equal(&ca, &cb, sizeof(ca));
	assert_true(ca.dropped > 0 && ca.duplicated > 0 && ca.reordered > 0 &&
		    ca.corrupted > 0);
	assert_int_equal(na, 2000 - ca.dropped + ca.duplicated);
	/* another seed, other faults */
	assert_true(na != nc || memcmp(a, c, na * sizeof(a[0])) != 0);

	/* the stream seeds differ by worker, port and direction */
	assert_true(lm_impair_stream_seed(1, 0, 0, false) !=
		    lm_impair_stream_seed(1, 0, 0, true));
	assert_true(lm_impair_stream_seed(1, 0, 0, false) !=
		    lm_impair_stream_seed(1, 1, 0, false));
	assert_true(lm_impair_stream_seed(1, 0, 0, false) !=
		    lm_impair_stream_seed(1, 0, 1, false));
	assert_true(lm_impair_stream_seed(1, 0, 0, false) !=
		    lm_impair_stream_seed(2, 0, 0, false));
	assert_true(lm_impair_stream_seed(9, 3, 1, true) ==
		    lm_impair_stream_seed(9, 3, 1, true));
}

/* ---- set-up ---- */

static int
setup_group(void **state)
{
	char *argv[] = {
		"test_impair", "--no-huge", "-m", "128", "--no-pci",
		"--no-shconf", "--file-prefix=lm_test_impair",
		"--log-level=error", "-l", "0",
	};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	/* no per-lcore cache, so that the free count is exact */
	pool = rte_pktmbuf_pool_create("test_impair_pool", POOL_SIZE, 0, 0,
				       RTE_MBUF_DEFAULT_BUF_SIZE,
				       (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "pool: %s\n", rte_strerror(rte_errno));
		return -1;
	}
	pool_avail = rte_mempool_avail_count(pool);
	return 0;
}

static int
teardown_group(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

/* every test gives back every mbuf it took */
static int
teardown_test(void **state)
{
	unsigned int avail = rte_mempool_avail_count(pool);

	(void)state;
	if (avail != pool_avail) {
		fprintf(stderr, "mbuf leak: %u free, %u at start\n", avail,
			pool_avail);
		return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_zero_changes_nothing, teardown_test),
		cmocka_unit_test_teardown(test_drop_rate, teardown_test),
		cmocka_unit_test_teardown(test_dup, teardown_test),
		cmocka_unit_test_teardown(test_dup_copy_fails, teardown_test),
		cmocka_unit_test_teardown(test_reorder_position, teardown_test),
		cmocka_unit_test_teardown(test_reorder_stream, teardown_test),
		cmocka_unit_test_teardown(test_hold_limits, teardown_test),
		cmocka_unit_test_teardown(test_corrupt, teardown_test),
		cmocka_unit_test_teardown(test_corrupt_segments, teardown_test),
		cmocka_unit_test_teardown(test_corrupt_tx_offload, teardown_test),
		cmocka_unit_test_teardown(test_not_ipv4, teardown_test),
		cmocka_unit_test_teardown(test_same_seed, teardown_test),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
