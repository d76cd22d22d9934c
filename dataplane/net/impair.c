/* SPDX-License-Identifier: BSD-3-Clause */
/* The fault injector; see impair.h. */
#include <string.h>

#include <rte_cycles.h>
#include <rte_ether.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "net/impair.h"

#define IMPAIR_DEFAULT_DEPTH 3

/* p in [0, 1] as a threshold on a 32-bit draw; any p > 0 fires sometimes. */
static uint64_t
threshold(double p)
{
	uint64_t t;

	if (!(p > 0))                 /* NaN too */
		return 0;
	if (p >= 1)
		return UINT64_C(1) << 32;
	t = (uint64_t)(p * 4294967296.0);
	return t != 0 ? t : 1;
}

void
lm_impair_init(struct lm_impair *im, const struct lm_impair_dir *cfg,
	       uint64_t seed, struct rte_mempool *pool)
{
	uint64_t hz = rte_get_tsc_hz();

	memset(im, 0, sizeof(*im));
	if (cfg != NULL)
		im->cfg = *cfg;
	if (im->cfg.reorder_depth == 0)
		im->cfg.reorder_depth = IMPAIR_DEFAULT_DEPTH;
	if (im->cfg.reorder_depth > LM_IMPAIR_MAX_HELD)
		im->cfg.reorder_depth = LM_IMPAIR_MAX_HELD;
	im->thr_drop = threshold(im->cfg.drop);
	im->thr_dup = threshold(im->cfg.dup);
	im->thr_reorder = threshold(im->cfg.reorder);
	im->thr_corrupt = threshold(im->cfg.corrupt);
	im->active = im->thr_drop != 0 || im->thr_dup != 0 ||
		     im->thr_reorder != 0 || im->thr_corrupt != 0;
	im->rng = seed;
	im->hold_tsc = hz >= 1000 ? hz / 1000 : 1;
	im->pool = pool;
}

/*
 * Checksums that the NIC was asked to fill in are computed here instead:
 * otherwise the NIC would checksum the corrupted bytes and the peer would
 * accept them, which is not what a damaged frame on a wire looks like. An
 * IP header damaged with a valid checksum could even be routed somewhere
 * else. Returns false when it cannot (then the packet is left alone).
 */
static bool
tx_checksums_now(struct rte_mbuf *m)
{
	const uint64_t want = RTE_MBUF_F_TX_IP_CKSUM | RTE_MBUF_F_TX_L4_MASK;
	uint64_t f = m->ol_flags, l4 = f & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l4_off = (uint32_t)m->l2_len + m->l3_len, l4_len = 0;
	struct rte_ipv4_hdr *ip;

	if ((f & want) == 0)
		return true;
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM)
		l4_len = sizeof(struct rte_tcp_hdr);
	else if (l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		l4_len = sizeof(struct rte_udp_hdr);
	else if (l4 != 0)
		return false;
	/* headers in the first segment, as the offload requires too */
	if ((f & RTE_MBUF_F_TX_IPV4) == 0 || m->l3_len < sizeof(*ip) ||
	    rte_pktmbuf_data_len(m) < l4_off + l4_len)
		return false;
	ip = rte_pktmbuf_mtod_offset(m, struct rte_ipv4_hdr *, m->l2_len);
	if (f & RTE_MBUF_F_TX_IP_CKSUM) {
		ip->hdr_checksum = 0;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	if (l4 == RTE_MBUF_F_TX_TCP_CKSUM) {
		struct rte_tcp_hdr *th = rte_pktmbuf_mtod_offset(m,
				struct rte_tcp_hdr *, l4_off);

		th->cksum = 0;
		th->cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip, (uint16_t)l4_off);
	} else if (l4 == RTE_MBUF_F_TX_UDP_CKSUM) {
		struct rte_udp_hdr *uh = rte_pktmbuf_mtod_offset(m,
				struct rte_udp_hdr *, l4_off);

		uh->dgram_cksum = 0;
		uh->dgram_cksum = rte_ipv4_udptcp_cksum_mbuf(m, ip,
							     (uint16_t)l4_off);
	}
	m->ol_flags &= ~want;
	return true;
}

/*
 * Flip one byte past the Ethernet header (a damaged Ethernet header would
 * only look like someone else's frame). Returns whether it did: not for a
 * frame too short, nor for data another mbuf shares (a clone, an external
 * buffer, a reference taken elsewhere), which would be damaged too.
 */
static bool
corrupt(struct lm_impair *im, struct rte_mbuf *m)
{
	uint64_t r = lm_splitmix64(&im->rng);
	uint32_t len = rte_pktmbuf_pkt_len(m), off;
	struct rte_mbuf *seg;
	uint8_t x;

	if (len <= LM_IMPAIR_KEEP_BYTES)
		return false;
	off = LM_IMPAIR_KEEP_BYTES +
	      (uint32_t)((r >> 32) % (len - LM_IMPAIR_KEEP_BYTES));
	/* never 0: the byte must change */
	x = (uint8_t)(1 + (uint32_t)r % 255);
	for (seg = m; seg != NULL && off >= seg->data_len; seg = seg->next)
		off -= seg->data_len;
	if (seg == NULL || RTE_MBUF_CLONED(seg) || RTE_MBUF_HAS_EXTBUF(seg) ||
	    rte_mbuf_refcnt_read(seg) != 1 || !tx_checksums_now(m))
		return false;
	*rte_pktmbuf_mtod_offset(seg, uint8_t *, off) ^= x;
	/*
	 * A receive checksum the NIC found good is no longer: make our
	 * stack check it in software, as it does when the NIC says nothing.
	 */
	m->ol_flags &= ~(RTE_MBUF_F_RX_IP_CKSUM_MASK |
			 RTE_MBUF_F_RX_L4_CKSUM_MASK);
	return true;
}

/*
 * Only IPv4 is impaired: what the tests are about is TCP, and faults in
 * ARP would only make next hops flaky, or, corrupted, teach a neighbour a
 * wrong address.
 */
static bool
is_ipv4(const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eh;

	if (rte_pktmbuf_data_len(m) < sizeof(*eh))
		return false;
	eh = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	return eh->ether_type == RTE_BE16(RTE_ETHER_TYPE_IPV4);
}

static void
hold(struct lm_impair *im, struct rte_mbuf *m, uint64_t now)
{
	uint32_t slot = (im->head + im->n_held) % LM_IMPAIR_MAX_HELD;

	im->held[slot] = m;
	im->due[slot] = im->passed + im->cfg.reorder_depth;
	im->since[slot] = now;
	im->n_held++;
	im->ctr.reordered++;
}

/* Move due (or old) held packets to pkts[o..lim), oldest first. */
static uint16_t
release(struct lm_impair *im, struct rte_mbuf **pkts, uint16_t o,
	uint16_t lim, uint64_t now)
{
	while (im->n_held > 0 && o < lim) {
		uint32_t h = im->head;
		bool old = now == LM_IMPAIR_FLUSH_ALL ||
			   (now >= im->since[h] &&
			    now - im->since[h] >= im->hold_tsc);

		if (im->due[h] > im->passed && !old)
			break;
		pkts[o++] = im->held[h];
		im->held[h] = NULL;
		im->head = (h + 1) % LM_IMPAIR_MAX_HELD;
		im->n_held--;
	}
	return o;
}

uint16_t
lm_impair_burst(struct lm_impair *im, struct rte_mbuf **pkts, uint16_t n,
		uint16_t cap, uint64_t now)
{
	uint16_t base, o, k;

	if (!lm_impair_active(im))
		return n;
	if (cap < n)
		cap = n;
	/*
	 * Move the burst to the end of the array, so that what goes out is
	 * written from the front without overwriting a packet not yet looked
	 * at: while looking at slot i, every slot up to i is free to write.
	 */
	base = (uint16_t)(cap - n);
	if (base > 0 && n > 0)
		memmove(pkts + base, pkts, n * sizeof(*pkts));
	/* packets held from earlier bursts that are due go first */
	o = release(im, pkts, 0, base, now);
	for (k = 0; k < n; k++) {
		uint16_t i = (uint16_t)(base + k);
		struct rte_mbuf *m = pkts[i], *c;
		uint64_t r1, r2;

		if (!is_ipv4(m)) {
			pkts[o++] = m;
			im->passed++;
			o = release(im, pkts, o, (uint16_t)(i + 1), now);
			continue;
		}
		/* the same two draws for every packet, whatever happens to it */
		r1 = lm_splitmix64(&im->rng);
		r2 = lm_splitmix64(&im->rng);
		if ((r1 & UINT32_MAX) < im->thr_drop) {
			rte_pktmbuf_free(m);
			im->ctr.dropped++;
			continue;
		}
		if ((r1 >> 32) < im->thr_corrupt && corrupt(im, m))
			im->ctr.corrupted++;
		if ((r2 & UINT32_MAX) < im->thr_reorder &&
		    im->n_held < LM_IMPAIR_MAX_HELD) {
			hold(im, m, now);
			continue;
		}
		pkts[o++] = m;
		im->passed++;
		if ((r2 >> 32) < im->thr_dup && o <= i && im->pool != NULL) {
			c = rte_pktmbuf_copy(m, im->pool, 0, UINT32_MAX);
			if (c != NULL) {
				pkts[o++] = c;
				im->passed++;
				im->ctr.duplicated++;
			}
		}
		o = release(im, pkts, o, (uint16_t)(i + 1), now);
	}
	return release(im, pkts, o, cap, now);
}

uint16_t
lm_impair_flush(struct lm_impair *im, struct rte_mbuf **pkts, uint16_t cap,
		uint64_t now)
{
	if (im->n_held == 0)
		return 0;
	return release(im, pkts, 0, cap, now);
}

void
lm_impair_fini(struct lm_impair *im)
{
	while (im->n_held > 0) {
		rte_pktmbuf_free(im->held[im->head]);
		im->held[im->head] = NULL;
		im->head = (im->head + 1) % LM_IMPAIR_MAX_HELD;
		im->n_held--;
	}
}
