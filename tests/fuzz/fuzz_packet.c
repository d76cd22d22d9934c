/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: a worker's input path (Ethernet demux, ARP, IPv4,
 * ICMP, TCP input) fed any frame, over a net_ring port as in the TCP unit
 * tests (tests/unit/tcp_harness.c), without a NIC.
 *
 * Input: one byte choosing where the frame is split into a chain of two
 * mbufs (0: one mbuf), one byte of virtual time to let pass (timers fire),
 * a flags byte (bit 0: the frame's destination MAC is replaced by the
 * port's, which the fuzzer cannot know), then the frame. The worker listens on port 80 with an application that
 * accepts everything, so fuzzed SYNs open connections and later inputs
 * reach established ones (the table fills up, which is exercised too).
 * After each input, what the worker sent is taken off the TX ring and
 * freed. Virtual time: w->now only moves by what the input says.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_ring.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "worker.h"
#include "net/eth.h"
#include "net/port.h"
#include "tcp/tcp.h"

#include "fuzz_util.h"

#define OUR_IP 0xc6120001u      /* 198.18.0.1 (RFC 2544 range) */
#define N_TCBS 64
#define POOL_SIZE 4095
#define RING_SIZE 1024

static struct {
	struct rte_mempool *pool;
	struct rte_ring *rx, *tx;
	struct lm_plan plan;
	struct lm_netif nif;
	struct lm_worker *w;
	void *stats_area;
	uint16_t port;
} fz;

static int app_dummy;

static void
app_recv(struct lm_worker *w, struct lm_tcb *tcb, const uint8_t *data,
	 uint32_t len)
{
}

static void
app_event(struct lm_worker *w, struct lm_tcb *tcb)
{
}

static void
app_closed(struct lm_worker *w, struct lm_tcb *tcb, enum lm_tcp_end why)
{
}

static void
app_fill(struct lm_worker *w, struct lm_tcb *tcb, uint32_t off, uint8_t *dst,
	 uint32_t len)
{
	memset(dst, 'x', len);
}

static void *
app_accept(struct lm_worker *w, struct lm_tcb *tcb, void *ctx)
{
	return &app_dummy;
}

static const struct lm_tcp_ops fuzz_ops = {
	.connected = app_event,
	.recv = app_recv,
	.peer_closed = app_event,
	.closed = app_closed,
	.fill = app_fill,
	.accept = app_accept,
};

static void
fire_timer(void *ctx, struct lm_timer *t)
{
	/* what the worker's dispatcher does with TCP timers */
	if (t->type == LM_TIMER_TCB)
		lm_tcp_timer_expired(ctx, container_of(t, struct lm_tcb, timer));
}

int LLVMFuzzerInitialize(int *argc, char ***argv);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char prefix[64];
	char *eal[] = {
		"fuzz_packet", "--no-huge", "-m", "256", "--no-pci",
		"--no-shconf", prefix, "--log-level=error", "-l", "0",
	};
	struct lm_stats_layout layout;
	struct lm_stats_slot_view view;
	char err[256];
	int port;

	/* a prefix per process: libFuzzer's -fork runs several at once */
	snprintf(prefix, sizeof(prefix), "--file-prefix=lm_fuzz_%d",
		 (int)getpid());
	FUZZ_CHECK(rte_eal_init((int)RTE_DIM(eal), eal) >= 0);
	fz.pool = rte_pktmbuf_pool_create("fuzz_pool", POOL_SIZE, 0, 0,
					  RTE_MBUF_DEFAULT_BUF_SIZE,
					  (int)rte_socket_id());
	fz.rx = rte_ring_create("fuzz_rx", RING_SIZE, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	fz.tx = rte_ring_create("fuzz_tx", RING_SIZE, rte_socket_id(),
				RING_F_SP_ENQ | RING_F_SC_DEQ);
	FUZZ_CHECK(fz.pool != NULL && fz.rx != NULL && fz.tx != NULL);
	port = rte_eth_from_rings("lmfuzz", &fz.rx, 1, &fz.tx, 1,
				  rte_socket_id());
	FUZZ_CHECK(port >= 0);
	fz.port = (uint16_t)port;
	FUZZ_CHECK(lm_port_setup(fz.port, 1, fz.pool, &fz.nif, err,
				 sizeof(err)) == 0);
	fz.nif.ip = rte_cpu_to_be_32(OUR_IP);
	fz.nif.mask = rte_cpu_to_be_32(0xffffff00);
	fz.nif.gateway = 0;
	fz.plan.n_ports = 1;
	fz.plan.ports[0].ip = OUR_IP;
	fz.plan.ports[0].prefix = 24;
	fz.plan.target.ip = OUR_IP + 1;
	fz.plan.target.port = 80;

	lm_stats_layout_init(&layout, 1, 1, 1);
	fz.stats_area = aligned_alloc(64, RTE_ALIGN_CEIL(layout.slot_size, 64));
	fz.w = aligned_alloc(64, RTE_ALIGN_CEIL(sizeof(*fz.w), 64));
	FUZZ_CHECK(fz.stats_area != NULL && fz.w != NULL);
	memset(fz.stats_area, 0, layout.slot_size);
	lm_stats_slot(&layout, fz.stats_area, 0, &view);
	lm_stats_slot_init(&layout, &view);
	FUZZ_CHECK(lm_worker_init(fz.w, 0, 1, rte_lcore_id(), &fz.plan,
				  &fz.nif, 1, fz.pool, &view, 0x5eedULL) == 0);
	fz.w->rxq[0] = 0;
	fz.w->txq[0].queue_id = 0;
	FUZZ_CHECK(lm_tcp_init(fz.w, N_TCBS, fz.nif.mtu) == 0);
	FUZZ_CHECK(lm_tcp_listen(fz.w, 0, 80, &fuzz_ops, NULL) == 0);
	return 0;
}

static struct rte_mbuf *
frame_mbuf(const uint8_t *frame, size_t len, size_t split)
{
	struct rte_mbuf *m, *m2;
	char *d;

	if (split == 0 || split >= len)
		split = len;
	m = rte_pktmbuf_alloc(fz.pool);
	FUZZ_CHECK(m != NULL);
	d = rte_pktmbuf_append(m, (uint16_t)split);
	FUZZ_CHECK(d != NULL);
	memcpy(d, frame, split);
	if (split < len) {
		m2 = rte_pktmbuf_alloc(fz.pool);
		FUZZ_CHECK(m2 != NULL);
		d = rte_pktmbuf_append(m2, (uint16_t)(len - split));
		FUZZ_CHECK(d != NULL);
		memcpy(d, frame + split, len - split);
		FUZZ_CHECK(rte_pktmbuf_chain(m, m2) == 0);
	}
	return m;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lm_worker *w = fz.w;
	struct rte_mbuf *m;
	size_t split;
	uint64_t dt;
	bool ours;

	if (size < 3 || size - 3 > RTE_MBUF_DEFAULT_DATAROOM)
		return 0;
	split = data[0] * (size - 3) / 256;
	dt = (uint64_t)data[1] * rte_get_tsc_hz() / 100;  /* up to 2.55 s */
	ours = data[2] & 1;
	data += 3;
	size -= 3;

	w->now += dt;
	if (size > 0) {
		m = frame_mbuf(data, size, split);
		if (ours && rte_pktmbuf_data_len(m) >= RTE_ETHER_ADDR_LEN)
			memcpy(rte_pktmbuf_mtod(m, void *), &fz.nif.mac,
			       RTE_ETHER_ADDR_LEN);
		lm_worker_input(w, 0, m);
	}
	lm_wheel_expire(&w->wheel, w->now, 512, fire_timer, w);
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	/* what the worker sent goes nowhere */
	while (rte_ring_dequeue(fz.tx, (void **)&m) == 0)
		rte_pktmbuf_free(m);
	return 0;
}
