/* SPDX-License-Identifier: BSD-3-Clause */
/* The control loop (see run.h). */
#include <arpa/inet.h>
#include <limits.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>

#include "mem.h"
#include "pools.h"
#include "worker.h"
#include "cli.h"
#include "merge.h"
#include "api.h"
#include "csv_export.h"
#include "hlog.h"
#include "report_html.h"
#include "influx.h"
#include "prom.h"
#include "thresholds.h"
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

/* One interval's line protocol, handed to the pusher's thread. */
static void
influx_push(struct lm_influx *ix, const struct lm_plan *plan,
	    const struct lm_view *now, const struct lm_view *before,
	    double interval_s)
{
	struct timespec ts;
	uint64_t ns;
	size_t need;
	char *buf;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	need = lm_influx_render(NULL, 0, plan, now, before, interval_s, ns);
	buf = malloc(need + 1);
	if (buf == NULL)
		return;
	lm_influx_render(buf, need + 1, plan, now, before, interval_s, ns);
	lm_influx_push(ix, buf, need);
	free(buf);
}

static void
stop_workers(struct lm_worker *ws, uint32_t n)
{
	command_all(ws, n, LM_CMD_QUIT);
	rte_eal_mp_wait_lcore();
}

/* Documents the API serves, rendered here (the API thread renders nothing). */
static void
api_publish(struct lm_api *a, const struct lm_plan *p, const struct lm_view *now,
	    const struct lm_view *before, double interval_s,
	    const struct lm_prom_extra *x)
{
	size_t len;
	char *t;

	if (a == NULL)
		return;
	t = lm_prom_render_alloc(&len, p, now, before, interval_s, x);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_METRICS, t, len);
		free(t);
	}
	t = lm_api_render_status(p, now, x);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_STATUS, t, strlen(t));
		free(t);
	}
	t = lm_api_render_stats(p, now, before, interval_s);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_STATS, t, strlen(t));
		free(t);
	}
}

/* Commands from the API: stop, or a new load level for every worker. */
static void
api_commands(struct lm_api *a, struct lm_worker *ws, uint32_t n,
	     struct lm_prom_extra *x)
{
	struct lm_api_cmd cmd;

	if (a == NULL)
		return;
	while (lm_api_take_command(a, &cmd)) {
		if (cmd.kind == LM_API_CMD_STOP) {
			lm_control_request_stop();
			continue;
		}
		for (uint32_t i = 0; i < n; i++)
			lm_worker_set_level(&ws[i], cmd.value);
		if (cmd.kind == LM_API_CMD_USERS)
			x->target_users = cmd.value;
		else
			x->target_rate = cmd.value;
		printf("load changed: %s %.6g\n", cmd.kind == LM_API_CMD_USERS ?
		       "users" : "rate", cmd.value);
	}
}

/*
 * The workers have stopped: free the packets no worker will process, then
 * count what every pool holds (the report's leak accounting).
 */
static void
pools_and_faults(struct lm_view *now, struct lm_worker *ws, uint32_t n,
		 const struct lm_plan *plan, const struct lm_run_opts *o)
{
	collect_ports(now, &ws[0]);
	now->pools.mbufs_dropped_end = 0;
	for (uint32_t i = 0; i < n; i++)
		now->pools.mbufs_dropped_end += lm_worker_leftovers(&ws[i]);
	now->pools.census = true;
	now->pools.start = o->census_start;
	memset(&now->pools.end, 0, sizeof(now->pools.end));
	for (uint32_t i = 0; i < n; i++)
		lm_worker_census(&ws[i], &now->pools.end);
	now->pools.mbufs = o->pool->size;
	now->pools.mbufs_free_start = o->mbufs_free_start;
	now->pools.mbufs_free_end = rte_mempool_avail_count(o->pool);
	now->pools.users = plan->load.users;
	now->pools.users_active_end = now->w.users_active;
	now->pools.tcbs_in_use_end = now->w.tcbs_in_use;
	memset(&now->pools.mem, 0, sizeof(now->pools.mem));
	for (uint32_t i = 0; i < n; i++) {
		now->pools.tcbs += ws[i].tcp.n_tcbs;
		lm_worker_mem(&ws[i], &now->pools.mem);
		now->impair_on |= ws[i].impair_on;
		for (uint32_t p = 0; p < ws[i].n_ifs; p++) {
			const struct lm_impair_counters *r = &ws[i].imp_rx[p].ctr;
			const struct lm_impair_counters *t = &ws[i].imp_tx[p].ctr;

			now->impair_rx.dropped += r->dropped;
			now->impair_rx.duplicated += r->duplicated;
			now->impair_rx.reordered += r->reordered;
			now->impair_rx.corrupted += r->corrupted;
			now->impair_tx.dropped += t->dropped;
			now->impair_tx.duplicated += t->duplicated;
			now->impair_tx.reordered += t->reordered;
			now->impair_tx.corrupted += t->corrupted;
		}
	}
}

/*
 * One interval of every step's histograms into the .hlog, tagged
 * "scenario.step.metric"; empty intervals are left out to keep it small.
 */
static int
hlog_interval(struct lm_hlog *hl, struct lm_hdr *iv, const struct lm_plan *plan,
	      const struct lm_view *now, const struct lm_view *before,
	      double start_s, double length_s)
{
	static const char *const names[] = { "latency", "ttfb", "connect" };
	uint32_t k = 0;
	char tag[256];

	for (uint32_t s = 0; s < plan->n_scenarios; s++) {
		const struct lm_scenario *sc = &plan->scenarios[s];

		for (uint32_t j = 0; j < sc->n_steps; j++, k++) {
			const struct lm_hdr *a[] = { &now->steps[k].latency,
				&now->steps[k].ttfb, &now->steps[k].connect };
			const struct lm_hdr *b[] = { &before->steps[k].latency,
				&before->steps[k].ttfb, &before->steps[k].connect };

			for (int m = 0; m < 3; m++) {
				lm_hdr_diff(iv, a[m], b[m]);
				if (iv->total == 0)
					continue;
				snprintf(tag, sizeof(tag), "%s.%s.%s", sc->name,
					 sc->steps[j].name, names[m]);
				if (lm_hlog_write(hl, tag, start_s, length_s, iv) != 0)
					return -EIO;
			}
		}
	}
	return 0;
}

/* Keep one interval's figures for the summary's series. */
static void
series_add(struct lm_interval **s, uint32_t *n, uint32_t *cap,
	   const struct lm_view *now, const struct lm_view *before,
	   double t_s, double length_s)
{
	struct lm_interval *e;
	struct lm_hdr *h;

	if (*n == *cap) {
		uint32_t c = *cap ? *cap * 2 : 64;
		struct lm_interval *ns = realloc(*s, sizeof(**s) * c);

		if (ns == NULL)
			return; /* the series stops growing; the run goes on */
		*s = ns;
		*cap = c;
	}
	h = malloc(sizeof(*h));
	if (h == NULL)
		return;
	lm_view_latency_since(h, now, before);
	e = &(*s)[(*n)++];
	e->t_s = t_s;
	e->length_s = length_s;
	e->users = now->w.users_active;
	e->requests = lm_view_requests(now) - lm_view_requests(before);
	e->failed = lm_view_failed(now) - lm_view_failed(before);
	e->p50_ns = lm_hdr_percentile(h, 50);
	e->p90_ns = lm_hdr_percentile(h, 90);
	e->p99_ns = lm_hdr_percentile(h, 99);
	e->max_ns = lm_hdr_percentile(h, 100);
	free(h);
}

/* Thresholds at the end: the table, and exit status 1 on any failure. */
static int
thresholds_end(const struct lm_plan *plan, const struct lm_view *now,
	       double duration, bool aborted, const char *why)
{
	struct lm_thr_result *r;
	int status = LM_EXIT_OK;

	if (plan->n_thresholds == 0)
		return LM_EXIT_OK;
	r = calloc(plan->n_thresholds, sizeof(*r));
	if (r == NULL)
		return LM_EXIT_RUNTIME;
	lm_thresholds_eval(plan, now, duration, r);
	lm_thresholds_table(stdout, plan, r);
	if (aborted)
		printf("stopped early: %s\n", why);
	if (aborted || !lm_thresholds_passed(plan, r))
		status = LM_EXIT_THRESHOLDS;
	free(r);
	return status;
}

int
lm_control_run(struct lm_worker *ws, uint32_t n, const struct lm_plan *plan,
	       const struct lm_stats_layout *l, void *area,
	       const struct lm_run_opts *o)
{
	struct lm_view now, before, start;
	uint64_t t0, t_start, t_end = 0, last_line;
	uint64_t hz = rte_get_tsc_hz();
	uint64_t tick = (uint64_t)((o->interval_s > 0 ? o->interval_s : 1.0) *
				   (double)hz);
	int status = LM_EXIT_OK;
	bool draining = false, thr_abort = false;
	struct lm_csv_history *hist = NULL;
	struct lm_hlog *hl = NULL;
	struct lm_hdr *iv = NULL;
	struct lm_interval *series = NULL;
	uint32_t n_series = 0, cap_series = 0;
	struct lm_prom_extra x = {
		.state = "starting",
		.target_users = plan->load.model == LM_LOAD_CLOSED ?
			(double)plan->load.users : -1,
		.target_rate = plan->load.model == LM_LOAD_OPEN ?
			plan->load.rate : -1,
		.plan = plan->name,
	};
	char why[512] = "", path[PATH_MAX];
	double duration = 0;

	if (lm_view_init(&now, l->n_scenarios, l->n_steps) != 0 ||
	    lm_view_init(&before, l->n_scenarios, l->n_steps) != 0 ||
	    lm_view_init(&start, l->n_scenarios, l->n_steps) != 0 ||
	    lm_view_servers(&now, l->n_servers, l->n_routes) != 0 ||
	    lm_view_servers(&before, l->n_servers, l->n_routes) != 0 ||
	    lm_view_servers(&start, l->n_servers, l->n_routes) != 0) {
		fprintf(stderr, "error: out of memory\n");
		stop_workers(ws, n);
		return LM_EXIT_RUNTIME;
	}
	if (o->csv_prefix != NULL) {
		int rc;

		snprintf(path, sizeof(path), "%s_history.csv", o->csv_prefix);
		rc = lm_csv_history_open(&hist, path);
		if (rc != 0) {
			fprintf(stderr, "error: %s: %s\n", path, strerror(-rc));
			stop_workers(ws, n);
			status = LM_EXIT_RUNTIME;
			goto out;
		}
	}
	if (o->api != NULL) {
		lm_api_accept_load(o->api, plan->load.model == LM_LOAD_CLOSED,
				   plan->load.model == LM_LOAD_OPEN);
		api_publish(o->api, plan, &now, NULL, 0, &x);
	}
	/* next hops first: a target that does not answer ARP is an error */
	t0 = rte_rdtsc();
	while (!all_at_least(ws, n, LM_WS_READY)) {
		api_commands(o->api, ws, n, &x);
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
				buf, ntohl(ip) - plan->target.ip <
				     (plan->target.n_ips ? plan->target.n_ips : 1) ?
				     "the target" :
				"the gateway", o->arp_timeout_s);
			status = LM_EXIT_RUNTIME;
			goto out;
		}
		sleep_ms(10);
	}
	/* the baseline before the first sample: every interval adds up */
	lm_view_collect(&before, l, area);
	command_all(ws, n, LM_CMD_RUN);
	t_start = rte_rdtsc();
	last_line = t_start;
	before.tsc = t_start;
	lm_view_copy(&start, &before);
	x.state = "running";
	if (o->hlog != NULL) {
		struct timespec ts;
		char err[512];

		clock_gettime(CLOCK_REALTIME, &ts);
		iv = malloc(sizeof(*iv));
		hl = iv == NULL ? NULL : lm_hlog_open(o->hlog, (double)ts.tv_sec +
					 (double)ts.tv_nsec / 1e9, err, sizeof(err));
		if (hl == NULL) {
			fprintf(stderr, "error: %s\n", iv == NULL ? "out of memory" : err);
			stop_workers(ws, n);
			status = LM_EXIT_RUNTIME;
			goto out;
		}
	}
	for (;;) {
		uint64_t t = rte_rdtsc();
		double elapsed = (double)(t - t_start) / (double)hz;
		bool idle = all_at_least(ws, n, LM_WS_IDLE);
		/* a server-only plan serves until its duration or a signal */
		bool done = idle && plan->n_scenarios > 0;

		api_commands(o->api, ws, n, &x);
		if (!draining && (lm_stop_requests || thr_abort ||
				  (o->duration_s > 0 && elapsed >= o->duration_s) ||
				  done)) {
			draining = true;
			x.state = "draining";
			t_end = t;
			command_all(ws, n, LM_CMD_DRAIN);
		}
		if (draining && (idle || lm_stop_requests > 1 ||
				 (double)(t - t_end) / (double)hz >= o->grace_s))
			break;
		if (t - last_line >= tick) {
			double iv_s = (double)(t - before.tsc) / (double)hz;

			/* the .hlog needs every histogram; the rest, latency */
			if (hl != NULL)
				lm_view_collect(&now, l, area);
			else
				lm_view_collect_latency(&now, l, area);
			now.tsc = t;
			/* the mbufs free now, for the live documents */
			now.pools.mbufs = o->pool->size;
			now.pools.mbufs_free_start = o->mbufs_free_start;
			now.pools.mbufs_free_end = rte_mempool_avail_count(o->pool);
			if (!o->quiet)
				lm_report_line(stdout, &now, &before, elapsed, iv_s);
			if (o->influx != NULL)
				influx_push(o->influx, plan, &now, &before, iv_s);
			x.elapsed_s = elapsed;
			api_publish(o->api, plan, &now, &before, iv_s, &x);
			series_add(&series, &n_series, &cap_series, &now, &before,
				   elapsed, iv_s);
			if (hl != NULL &&
			    hlog_interval(hl, iv, plan, &now, &before,
					  (double)(before.tsc - t_start) / (double)hz,
					  iv_s) != 0) {
				fprintf(stderr, "warning: %s: write failed, the log "
					"stops here\n", o->hlog);
				lm_hlog_close(hl);
				hl = NULL;
			}
			if (hist != NULL &&
			    lm_csv_history_row(hist, plan, elapsed,
					       (uint64_t)time(NULL),
					       now.w.users_active, &now, &before,
					       iv_s) != 0) {
				fprintf(stderr, "warning: CSV history: write "
					"failed, stopped\n");
				lm_csv_history_close(hist);
				hist = NULL;
			}
			if (!draining && !thr_abort && plan->n_thresholds > 0 &&
			    lm_thresholds_breached(plan, &now, &start, elapsed, why,
						   sizeof(why))) {
				fprintf(stderr, "%s: stopping the run\n", why);
				thr_abort = true;
			}
			lm_view_copy(&before, &now);
			last_line = t;
		}
		sleep_ms(LM_TICK_MS);
	}
	stop_workers(ws, n);
	/* the rate is over the load period, the counts include the drain */
	duration = (double)(t_end - t_start) / (double)hz;
	lm_view_collect(&now, l, area);
	if (lm_view_workers(&now, l, area) != 0)
		fprintf(stderr, "warning: out of memory: no per-worker figures\n");
	pools_and_faults(&now, ws, n, plan, o);
	if (hl != NULL) {
		uint64_t t = rte_rdtsc();

		/* the last, partial interval, then the log is complete */
		if (hlog_interval(hl, iv, plan, &now, &before,
				  (double)(before.tsc - t_start) / (double)hz,
				  (double)(t - before.tsc) / (double)hz) != 0 ||
		    lm_hlog_close(hl) != 0) {
			fprintf(stderr, "error: %s: write failed\n", o->hlog);
			status = LM_EXIT_RUNTIME;
		}
		hl = NULL;
	}
	lm_report_table(stdout, plan, &now, duration);
	/* the last push carries the final totals */
	if (o->influx != NULL)
		influx_push(o->influx, plan, &now, &before,
			    (double)(rte_rdtsc() - before.tsc) / (double)hz);
	now.series = series;
	now.n_series = n_series;
	now.tsc_hz = hz;
	if (o->summary != NULL) {
		char err[512];

		if (lm_report_summary(o->summary, plan, &now, duration, err,
				      sizeof(err)) != 0) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_RUNTIME;
		}
	}
	if (o->html != NULL) {
		char err[512];

		if (lm_report_html_save(o->html, plan, &now, duration, err,
					sizeof(err)) != 0) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_RUNTIME;
		}
	}
	if (status == LM_EXIT_OK)
		status = thresholds_end(plan, &now, duration, thr_abort, why);
	if (o->csv_prefix != NULL) {
		int rc;

		snprintf(path, sizeof(path), "%s_stats.csv", o->csv_prefix);
		rc = lm_csv_stats(path, plan, &now, duration);
		if (rc != 0) {
			fprintf(stderr, "error: %s: %s\n", path, strerror(-rc));
			status = LM_EXIT_RUNTIME;
		}
	}
	if (o->api != NULL) {
		char *rep = lm_report_summary_text(plan, &now, duration);

		x.state = "done";
		api_publish(o->api, plan, &now, &before, 0, &x);
		if (rep != NULL) {
			lm_api_publish(o->api, LM_API_DOC_REPORT, rep, strlen(rep));
			free(rep);
		}
	}
out:
	free(series);
	if (hl != NULL)
		lm_hlog_close(hl);
	free(iv);
	lm_csv_history_close(hist);
	lm_view_free(&now);
	lm_view_free(&before);
	lm_view_free(&start);
	return status;
}
