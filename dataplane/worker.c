/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker loop:
 *
 *   rx burst on each owned queue -> (another worker's? hand it over)
 *     -> Ethernet -> ARP | IPv4 -> ICMP | TCP
 *   what the other workers handed over -> Ethernet -> ...
 *   expire due timers (bounded per pass)
 *   application: advance ready sessions (bounded per pass)
 *   ACKs owed, then TX flush
 *
 * The TSC is read once per pass and everything below uses w->now. The
 * same read closes the previous pass: its cycles are added to the
 * worker's counters (cycles, and busy_cycles when it did work), which is
 * where a busy-polling worker's CPU really went.
 */
#include <stdlib.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "mem.h"
#include "worker.h"
#include "net/eth.h"
#include "net/port.h"
#include "gen/server.h"

#define LM_TIMER_BUDGET 512     /* timers fired per pass, at most */
#define LM_APP_BUDGET 256       /* sessions advanced per pass, at most */
#define LM_TICK_TARGET_NS 16000 /* timer wheel tick: about 16 us */

int
lm_worker_init(struct lm_worker *w, uint32_t id, uint32_t n_workers,
	       unsigned int lcore, const struct lm_plan *plan,
	       struct lm_netif *ifs, uint32_t n_ifs, struct rte_mempool *pool,
	       const struct lm_stats_slot_view *stats, uint64_t seed)
{
	unsigned int shift = 0;


	memset(w, 0, sizeof(*w));
	w->id = id;
	w->n_workers = n_workers;
	w->lcore = lcore;
	w->plan = plan;
	w->ifs = ifs;
	w->n_ifs = n_ifs;
	w->pool = pool;
	w->stats = *stats;
	w->ctr = stats->w;
	w->rng = seed;
	w->hz = rte_get_tsc_hz();
	w->ticks_per_ms = w->hz / 1000;
	w->now = rte_rdtsc();
	w->impair_on = plan->impair.enabled;
	for (uint32_t i = 0; i < n_ifs; i++) {
		w->rxq[i] = (uint16_t)id;
		w->txq[i].port_id = ifs[i].port_id;
		w->txq[i].queue_id = (uint16_t)id;
		/* each worker, port and direction draws from its own stream */
		lm_impair_init(&w->imp_rx[i], &plan->impair.rx,
			lm_impair_stream_seed(plan->impair.seed, id, i, false), pool);
		lm_impair_init(&w->imp_tx[i], &plan->impair.tx,
			lm_impair_stream_seed(plan->impair.seed, id, i, true), pool);
	}
	/* the largest power-of-two tick not above the target */
	while ((w->hz >> (shift + 1)) * LM_TICK_TARGET_NS >= 1000000000ull &&
	       shift < 40)
		shift++;
	lm_wheel_init(&w->wheel, w->now, shift);
	return 0;
}

void
lm_worker_fini(struct lm_worker *w)
{
	for (uint32_t i = 0; i < w->n_ifs; i++) {
		lm_impair_fini(&w->imp_rx[i]);
		lm_impair_fini(&w->imp_tx[i]);
	}
	lm_handoff_fini(w);
	lm_server_fini(w);
	lm_gen_fini(w);
	lm_tcp_fini(w);
}

static void
timer_fired(void *ctx, struct lm_timer *t)
{
	struct lm_worker *w = ctx;

	if (t->type == LM_TIMER_TCB)
		lm_tcp_timer_expired(w, container_of(t, struct lm_tcb, timer));
	else if (t->type == LM_TIMER_SESSION)
		lm_gen_timer_expired(w, container_of(t, struct lm_session, timer));
	else if (t->type == LM_TIMER_SERVER)
		lm_server_timer_expired(w, t);
}

void
lm_worker_input(struct lm_worker *w, uint32_t ifidx, struct rte_mbuf *m)
{
	LM_STAT_INC(w->ctr->rx_pkts);
	LM_STAT_ADD(w->ctr->rx_bytes, rte_pktmbuf_pkt_len(m));
	lm_eth_input(w, ifidx, m);
}

void
lm_worker_poll(struct lm_worker *w)
{
	struct rte_mbuf *pkts[2 * LM_RX_BURST];
	uint64_t prev = w->now, pkts0;
	unsigned int fired;

	w->now = rte_rdtsc();
	/* the last pass, from its TSC read to this one */
	LM_STAT_INC(w->ctr->passes);
	LM_STAT_ADD(w->ctr->cycles, w->now - prev);
	if (w->pass_busy) {
		LM_STAT_INC(w->ctr->busy_passes);
		LM_STAT_ADD(w->ctr->busy_cycles, w->now - prev);
	}
	pkts0 = w->ctr->rx_pkts + w->ctr->tx_pkts;
	for (uint32_t i = 0; i < w->n_ifs; i++) {
		uint16_t n = 0;

		/* a memif link not up yet, or whose peer left: hands off */
		if (likely(lm_port_usable(w->ifs[i].port_id)))
			n = rte_eth_rx_burst(w->ifs[i].port_id, w->rxq[i], pkts,
					     LM_RX_BURST);

		/* also releases packets it held back, so call it on empty bursts */
		if (unlikely(w->impair_on))
			n = lm_impair_burst(&w->imp_rx[i], pkts, n, RTE_DIM(pkts),
					    w->now);

		for (uint16_t k = 0; k < n; k++) {
			if (k + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 1], void *));
			if (w->ho.on) {
				LM_STAT_INC(w->ctr->rx_pkts);
				LM_STAT_ADD(w->ctr->rx_bytes,
					    rte_pktmbuf_pkt_len(pkts[k]));
				if (!lm_handoff_steer(w, i, pkts[k]))
					lm_eth_input(w, i, pkts[k]);
				continue;
			}
			lm_worker_input(w, i, pkts[k]);
		}
		if (w->ho.on)
			lm_handoff_flush(w);
	}
	if (w->ho.on)
		lm_handoff_poll(w);
	fired = lm_wheel_expire(&w->wheel, w->now, LM_TIMER_BUDGET, timer_fired,
				w);
	lm_load_poll(w);
	lm_gen_poll(w, LM_APP_BUDGET);
	lm_server_poll(w);
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	/*
	 * busy: a packet received or sent, or a timer fired (a pass that only
	 * took packets another worker handed over, and sent nothing, is not)
	 */
	w->pass_busy = fired != 0 || w->ctr->rx_pkts + w->ctr->tx_pkts != pkts0;
}

/* Next hops every user needs before anything starts. */
static bool
next_hops_resolved(struct lm_worker *w)
{
	const struct lm_netif *nif = &w->ifs[0];
	const struct lm_plan_target *t = &w->plan->target;
	uint32_t n = t->n_ips ? t->n_ips : 1;
	bool all = true;

	/* a server-only plan has nobody to reach first */
	if (w->plan->n_scenarios == 0)
		return true;
	/* every address of the target: a first SYN lost to ARP costs 1 s */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t hop = lm_netif_next_hop(nif, rte_cpu_to_be_32(t->ip + i));

		if (lm_arp_lookup(w, 0, hop) == NULL) {
			__atomic_store_n(&w->unresolved_ip, hop, __ATOMIC_RELAXED);
			all = false;
		}
	}
	return all;
}

int
lm_worker_main(void *arg)
{
	struct lm_worker *w = arg;
	enum lm_worker_state st = LM_WS_RESOLVING;

	lm_worker_set_state(w, st);
	w->now = rte_rdtsc();   /* the first pass starts here */
	for (;;) {
		enum lm_worker_cmd cmd = lm_worker_cmd(w);

		lm_worker_poll(w);
		if (cmd == LM_CMD_QUIT)
			break;
		switch (st) {
		case LM_WS_RESOLVING:
			if (next_hops_resolved(w)) {
				st = LM_WS_READY;
				lm_worker_set_state(w, st);
			}
			break;
		case LM_WS_READY:
			if (cmd >= LM_CMD_RUN) {
				lm_gen_start(w);
				st = LM_WS_RUNNING;
				lm_worker_set_state(w, st);
			}
			break;
		case LM_WS_RUNNING:
			if (cmd == LM_CMD_DRAIN && !w->gen.draining)
				lm_gen_drain(w);
			/*
			 * idle once the sessions are done and the peers have
			 * had their FINs answered (tcp.h lm_tcp_state_closing)
			 */
			if (lm_gen_idle(&w->gen) && w->tcp.n_closing == 0) {
				st = LM_WS_IDLE;
				lm_worker_set_state(w, st);
			}
			break;
		default:
			break;
		}
	}
	/* fail and reset what is still in flight, and send it out */
	lm_gen_quit(w);
	lm_tcp_flush_acks(w);
	lm_tx_flush(w);
	/* what is left is closing or in TIME-WAIT: give it all back */
	lm_tcp_release_all(w);
	LM_STAT_SET(w->ctr->tcbs_in_use, w->tcp.n_used);
	lm_worker_set_state(w, LM_WS_DONE);
	return 0;
}

void
lm_worker_mem(const struct lm_worker *w, struct lm_mem *m)
{
	lm_tcp_mem(w, m);
	lm_gen_mem(w, m);
	lm_server_mem(w, m);
}
