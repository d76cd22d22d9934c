/* SPDX-License-Identifier: BSD-3-Clause */
/* The control loop (see run.h). */
#include <arpa/inet.h>
#include <fcntl.h>
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
#include "run_api.h"
#include "start_time.h"

#define LM_TICK_MS 50

static volatile sig_atomic_t lm_stop_requests;

/* the stops that came from the API (the others are signals) */
static volatile sig_atomic_t lm_api_stops;

void
lm_control_request_stop(void)
{
	lm_stop_requests++;
}

void
lm_control_request_stop_api(void)
{
	lm_api_stops++;
	lm_stop_requests++;
}

static void
sleep_ms(unsigned int ms);

void
lm_control_linger(struct lm_api *api, double linger_s, bool quiet)
{
	sig_atomic_t stops0 = lm_stop_requests;
	struct lm_api_cmd cmd;
	struct timespec t0, t;

	/* a signal ended the run: whoever sent it wants the process gone */
	if (linger_s <= 0 || lm_stop_requests != lm_api_stops)
		return;
	if (!quiet && linger_s > 5)
		printf("the API stays up %.0f s (until POST /api/stop or a "
		       "signal)\n", linger_s);
	fflush(stdout);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		while (lm_api_take_command(api, &cmd))
			if (cmd.kind == LM_API_CMD_STOP)
				return;
		if (lm_stop_requests != stops0)
			return;
		clock_gettime(CLOCK_MONOTONIC, &t);
		if ((double)(t.tv_sec - t0.tv_sec) +
		    (double)(t.tv_nsec - t0.tv_nsec) / 1e9 >= linger_s)
			return;
		sleep_ms(LM_TICK_MS);
	}
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

/*
 * The last, partial interval (from the last tick to the end, the drain
 * included), so that the series adds up to the totals. When it is short
 * (under half an interval: mostly the drain, a few responses and no new
 * request), it goes into the interval before it rather than stand as one
 * of its own, whose rate would drop to nothing in every chart: its counts
 * and length are added, its maximum taken; the percentiles stay those of
 * the full interval.
 */
static void
series_end(struct lm_interval **s, uint32_t *n, uint32_t *cap,
	   const struct lm_view *now, const struct lm_view *before,
	   double t_s, double length_s, double interval_s)
{
	struct lm_interval *e;
	struct lm_hdr *h;
	uint64_t max;

	if (*n == 0 || length_s >= interval_s / 2) {
		series_add(s, n, cap, now, before, t_s, length_s);
		return;
	}
	h = malloc(sizeof(*h));
	if (h == NULL)
		return;
	lm_view_latency_since(h, now, before);
	max = lm_hdr_percentile(h, 100);
	free(h);
	e = &(*s)[*n - 1];
	e->t_s = t_s;
	e->length_s += length_s;
	e->requests += lm_view_requests(now) - lm_view_requests(before);
	e->failed += lm_view_failed(now) - lm_view_failed(before);
	if (max > e->max_ns)
		e->max_ns = max;
}

/*
 * The downloads someone is waiting for, from a full view of the run so
 * far (the series so far, its duration up to now).
 */
static void
downloads_so_far(struct lm_api *a, const struct lm_plan *plan,
		 struct lm_view *snap, const struct lm_stats_layout *l,
		 void *area, const struct lm_interval *series,
		 uint32_t n_series, double elapsed_s)
{
	unsigned int wanted = a != NULL ? lm_api_wanted(a) : 0;

	if (wanted == 0)
		return;
	lm_view_collect(snap, l, area);
	snap->series = series;
	snap->n_series = n_series;
	snap->tsc_hz = rte_get_tsc_hz();
	lm_run_api_downloads(a, wanted, plan, snap, elapsed_s);
}

/*
 * Hold the load until the wall clock reads at (--start-at), the API
 * saying so meanwhile. false when a signal or the API stopped it first.
 */
static bool
start_at(double at, struct lm_prom_extra *x, struct lm_api *a,
	 const struct lm_plan *plan, const struct lm_view *v)
{
	sig_atomic_t stops0 = lm_stop_requests;
	const char *state = x->state;
	struct lm_api_cmd cmd;
	bool on_time;

	x->state = "scheduled";
	lm_run_api_publish(a, plan, v, NULL, 0, x);
	if (at > lm_start_now())
		printf("the load starts in %.3f s (--start-at)\n",
		       at - lm_start_now());
	fflush(stdout);
	/* a stop, by a signal or through the API, ends the wait */
	while (at - lm_start_now() > 0.1) {
		if (lm_stop_requests != stops0)
			return false;
		while (a != NULL && lm_api_take_command(a, &cmd))
			if (cmd.kind == LM_API_CMD_STOP)
				return false;
		sleep_ms(LM_TICK_MS);
	}
	on_time = lm_start_wait(at, &lm_stop_requests);
	x->state = state;
	return on_time;
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
lm_control_run(struct lm_worker *ws, uint32_t n, struct lm_plan *plan,
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
	char why[512] = "", path[PATH_MAX], shard[32];
	double start_epoch = 0;
	double duration = 0, duration_limit = o->duration_s;
	double interval_s = o->interval_s > 0 ? o->interval_s : 1.0;
	/* a full view for the API's downloads while the run goes on */
	struct lm_view snap = { 0 };
	bool have_snap = false;

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
	if (plan->shard.count > 1) {
		snprintf(shard, sizeof(shard), "%u", plan->shard.index);
		x.shard = shard;
	}
	x.interval_s = interval_s;
	x.duration_s = duration_limit;
	x.hlog = o->hlog != NULL;
	lm_run_api_begin(o->api, plan, &x);
	if (o->api != NULL) {
		char *head = lm_api_render_history_head(plan, interval_s);

		/* no row yet, but a document: the UI may ask from the start */
		if (head != NULL)
			lm_api_history_head(o->api, head);
		free(head);
		have_snap = lm_view_init(&snap, l->n_scenarios, l->n_steps) == 0 &&
			lm_view_servers(&snap, l->n_servers, l->n_routes) == 0;
		lm_run_api_publish(o->api, plan, &now, NULL, 0, &x);
	}
	/* next hops first: a target that does not answer ARP is an error */
	t0 = rte_rdtsc();
	while (!all_at_least(ws, n, LM_WS_READY)) {
		lm_run_api_commands(o->api, ws, n, &x);
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
	if (o->wait_for_start && o->api != NULL &&
	    !lm_run_api_wait_start(o->api, plan, &now, &x, &duration_limit,
				   &lm_stop_requests)) {
		stop_workers(ws, n);
		printf("stopped before the start\n");
		status = LM_EXIT_OK;
		goto out;
	}
	if (o->start_at >= 0 && !start_at(o->start_at, &x, o->api, plan, &now)) {
		stop_workers(ws, n);
		printf("stopped before the start\n");
		status = LM_EXIT_OK;
		goto out;
	}
	/* the baseline before the first sample: every interval adds up */
	lm_view_collect(&before, l, area);
	command_all(ws, n, LM_CMD_RUN);
	t_start = rte_rdtsc();
	start_epoch = lm_start_now();
	if (o->start_at >= 0 && !o->quiet)
		printf("started %.3f ms after the time asked\n",
		       (start_epoch - o->start_at) * 1e3);
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
		lm_run_api_hlog(o->api, o->hlog, o->hlog_tmp);
	}

	for (;;) {
		uint64_t t = rte_rdtsc();
		double elapsed = (double)(t - t_start) / (double)hz;
		bool idle = all_at_least(ws, n, LM_WS_IDLE);
		/* a server-only plan serves until its duration or a signal */
		bool done = idle && plan->n_scenarios > 0;

		lm_run_api_commands(o->api, ws, n, &x);
		if (!draining && (lm_stop_requests || thr_abort ||
				  (duration_limit > 0 && elapsed >= duration_limit) ||
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
			lm_run_api_publish(o->api, plan, &now, &before, iv_s, &x);
			if (o->api != NULL) {
				char *row = lm_api_render_history_row(plan, &now,
						&before, iv_s, elapsed);

				if (row != NULL)
					lm_api_history_add(o->api, row);
				free(row);
			}
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
			if (hl != NULL && o->api != NULL)
				lm_api_hlog_len(o->api, (uint64_t)lm_hlog_tell(hl));
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
		if (have_snap)
			downloads_so_far(o->api, plan, &snap, l, area, series,
					 n_series, (double)(t - t_start) / (double)hz);
		sleep_ms(LM_TICK_MS);
	}
	stop_workers(ws, n);
	/* the rate is over the load period, the counts include the drain */
	duration = (double)(t_end - t_start) / (double)hz;
	lm_view_collect(&now, l, area);
	if (lm_view_workers(&now, l, area) != 0)
		fprintf(stderr, "warning: out of memory: no per-worker figures\n");
	pools_and_faults(&now, ws, n, plan, o);
	{
		/* the last, partial interval: the series adds up to the totals */
		uint64_t t = rte_rdtsc();
		double iv_s = (double)(t - before.tsc) / (double)hz;
		double end_s = (double)(t - t_start) / (double)hz;

		series_end(&series, &n_series, &cap_series, &now, &before,
			   end_s, iv_s, interval_s);
		/* the live charts: only an interval of some length */
		if (o->api != NULL && iv_s >= interval_s / 2) {
			char *row = lm_api_render_history_row(plan, &now, &before,
							      iv_s, end_s);

			if (row != NULL)
				lm_api_history_add(o->api, row);
			free(row);
		}
	}
	if (hl != NULL) {
		uint64_t t = rte_rdtsc();

		/* the last, partial interval, then the log is complete */
		int rc = hlog_interval(hl, iv, plan, &now, &before,
				       (double)(before.tsc - t_start) / (double)hz,
				       (double)(t - before.tsc) / (double)hz);

		if (rc == 0 && o->api != NULL)
			lm_api_hlog_len(o->api, (uint64_t)lm_hlog_tell(hl));
		if (rc != 0 || lm_hlog_close(hl) != 0) {
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
	now.start_epoch_s = start_epoch;
	now.start_requested_s = o->start_at;
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
		x.elapsed_s = duration;
		lm_api_accept_load(o->api, false, false);
		lm_run_api_publish(o->api, plan, &now, &before, 0, &x);
		if (rep != NULL) {
			lm_api_publish(o->api, LM_API_DOC_REPORT, rep, strlen(rep));
			free(rep);
		}
		/* the downloads' last versions, then no more renderings */
		lm_run_api_downloads(o->api, ~0u, plan, &now, duration);
		lm_api_final(o->api);
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
	lm_view_free(&snap);
	if (o->api != NULL && status != LM_EXIT_OK && x.state != NULL &&
	    strcmp(x.state, "done") != 0)
		lm_api_final(o->api);
	return status;
}
