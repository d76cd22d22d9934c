/* SPDX-License-Identifier: BSD-3-Clause */
/* The control loop (see run.h). */
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "worker.h"
#include "cli.h"
#include "merge.h"
#include "report.h"
#include "run.h"

#define LM_TICK_MS 50

static volatile sig_atomic_t lm_stop_requests;

void
lm_control_request_stop(void)
{
	lm_stop_requests++;
}

static void
sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double
seconds_since(uint64_t t0)
{
	return (double)(rte_rdtsc() - t0) / (double)rte_get_tsc_hz();
}

static void
command_all(struct lm_worker *ws, uint32_t n, enum lm_worker_cmd cmd)
{
	for (uint32_t i = 0; i < n; i++)
		__atomic_store_n(&ws[i].cmd, (uint32_t)cmd, __ATOMIC_RELEASE);
}

/* Whether every worker has reached at least state s. */
static bool
all_at_least(struct lm_worker *ws, uint32_t n, enum lm_worker_state s)
{
	for (uint32_t i = 0; i < n; i++)
		if (__atomic_load_n(&ws[i].state, __ATOMIC_ACQUIRE) < (uint32_t)s)
			return false;
	return true;
}

static void
collect_ports(struct lm_view *v, const struct lm_worker *w)
{
	v->n_ports = w->n_ifs;
	for (uint32_t i = 0; i < w->n_ifs && i < RTE_DIM(v->ports); i++) {
		struct rte_eth_stats st;

		memset(&v->ports[i], 0, sizeof(v->ports[i]));
		if (rte_eth_stats_get(w->ifs[i].port_id, &st) != 0)
			continue;
		v->ports[i].ipackets = st.ipackets;
		v->ports[i].opackets = st.opackets;
		v->ports[i].imissed = st.imissed;
		v->ports[i].ierrors = st.ierrors;
		v->ports[i].oerrors = st.oerrors;
		v->ports[i].rx_nombuf = st.rx_nombuf;
	}
}

static void
stop_workers(struct lm_worker *ws, uint32_t n)
{
	command_all(ws, n, LM_CMD_QUIT);
	rte_eal_mp_wait_lcore();
}

int
lm_control_run(struct lm_worker *ws, uint32_t n, const struct lm_plan *plan,
	       const struct lm_stats_layout *l, void *area,
	       const struct lm_run_opts *o)
{
	struct lm_view now, before;
	uint64_t t0, t_start, t_end, last_line;
	uint64_t hz = rte_get_tsc_hz();
	int status = LM_EXIT_OK;
	bool draining = false;
	double duration;

	if (lm_view_init(&now, l->n_scenarios, l->n_steps) != 0 ||
	    lm_view_init(&before, l->n_scenarios, l->n_steps) != 0) {
		fprintf(stderr, "error: out of memory\n");
		stop_workers(ws, n);
		return LM_EXIT_RUNTIME;
	}
	/* next hops first: a target that does not answer ARP is an error */
	t0 = rte_rdtsc();
	while (!all_at_least(ws, n, LM_WS_READY)) {
		if (lm_stop_requests || seconds_since(t0) > o->arp_timeout_s) {
			uint32_t ip = 0;
			char buf[INET_ADDRSTRLEN];

			for (uint32_t i = 0; i < n && ip == 0; i++)
				if (ws[i].state < LM_WS_READY)
					ip = __atomic_load_n(&ws[i].unresolved_ip,
							     __ATOMIC_RELAXED);
			stop_workers(ws, n);
			if (lm_stop_requests) {
				status = LM_EXIT_OK;
				goto out;
			}
			inet_ntop(AF_INET, &ip, buf, sizeof(buf));
			fprintf(stderr, "error: no ARP reply from %s (%s) within "
				"%.0f s; is it up and on the port's network?\n",
				buf, ip == htonl(plan->target.ip) ? "the target" :
				"the gateway", o->arp_timeout_s);
			status = LM_EXIT_RUNTIME;
			goto out;
		}
		sleep_ms(10);
	}
	command_all(ws, n, LM_CMD_RUN);
	t_start = rte_rdtsc();
	last_line = t_start;
	lm_view_collect(&before, l, area);
	before.tsc = t_start;
	for (;;) {
		uint64_t t = rte_rdtsc();
		double elapsed = (double)(t - t_start) / (double)hz;
		bool idle = all_at_least(ws, n, LM_WS_IDLE);

		if (!draining && (lm_stop_requests ||
				  (o->duration_s > 0 && elapsed >= o->duration_s) ||
				  idle)) {
			draining = true;
			t_end = t;
			command_all(ws, n, LM_CMD_DRAIN);
		}
		if (draining && (idle || lm_stop_requests > 1 ||
				 (double)(t - t_end) / (double)hz >= o->grace_s))
			break;
		if (t - last_line >= hz) {
			lm_view_collect(&now, l, area);
			now.tsc = t;
			if (!o->quiet)
				lm_report_line(stdout, &now, &before, elapsed,
					       (double)(t - before.tsc) / (double)hz);
			lm_view_copy(&before, &now);
			last_line = t;
		}
		sleep_ms(LM_TICK_MS);
	}
	stop_workers(ws, n);
	/* the rate is over the load period, the counts include the drain */
	duration = (double)(t_end - t_start) / (double)hz;
	lm_view_collect(&now, l, area);
	collect_ports(&now, &ws[0]);
	now.pools.mbufs = o->pool->size;
	now.pools.mbufs_free_start = o->mbufs_free_start;
	now.pools.mbufs_free_end = rte_mempool_avail_count(o->pool);
	now.pools.users = plan->load.users;
	now.pools.users_active_end = now.w.users_active;
	now.pools.tcbs_in_use_end = now.w.tcbs_in_use;
	for (uint32_t i = 0; i < n; i++) {
		now.pools.tcbs += ws[i].tcp.n_tcbs;
		now.impair_on |= ws[i].impair_on;
		for (uint32_t p = 0; p < ws[i].n_ifs; p++) {
			const struct lm_impair_counters *r = &ws[i].imp_rx[p].ctr;
			const struct lm_impair_counters *t = &ws[i].imp_tx[p].ctr;

			now.impair_rx.dropped += r->dropped;
			now.impair_rx.duplicated += r->duplicated;
			now.impair_rx.reordered += r->reordered;
			now.impair_rx.corrupted += r->corrupted;
			now.impair_tx.dropped += t->dropped;
			now.impair_tx.duplicated += t->duplicated;
			now.impair_tx.reordered += t->reordered;
			now.impair_tx.corrupted += t->corrupted;
		}
	}
	lm_report_table(stdout, plan, &now, duration);
	if (o->summary != NULL) {
		char err[512];

		if (lm_report_summary(o->summary, plan, &now, duration, err,
				      sizeof(err)) != 0) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_RUNTIME;
		}
	}
out:
	lm_view_free(&now);
	lm_view_free(&before);
	return status;
}
