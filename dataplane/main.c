/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lemmings-dp: EAL and application arguments, plan, ports, workers; then
 * the control loop runs on the main lcore until the run is over.
 */
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include <lm/plan.h>
#include <lm/stats.h>

#include "cli.h"
#include "api.h"
#include "plan_shard.h"
#include "influx.h"
#include "stats_shm.h"
#include "net/port.h"
#include "net/steer.h"
#include "bpf/xdp_port.h"
#include "run.h"
#include "pools.h"
#include "worker.h"
#include "gen/server.h"

#define LM_ARP_TIMEOUT_S 3.0
#define LM_MBUF_CACHE 256

static void
on_signal(int sig)
{
	(void)sig;
	lm_control_request_stop();
}

/*
 * SIGINT and SIGTERM ask the control loop to stop (a second one cuts the
 * grace period short: run.c). SIGPIPE is ignored: a reader of stdout that
 * goes away (lemmings-dp ... | head -1) must not end the run before its
 * summary file is written; a write to the closed pipe just fails (EPIPE).
 * No SA_RESETHAND: the second signal has to reach the handler too.
 */
static void
install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/*
 * The CPUs of the control plane's own threads (the HTTP API's): the main
 * lcore's, less any a worker lcore runs on, so that a flood of API
 * clients cannot take a worker's CPU. When the main lcore shares every
 * CPU of its with workers (--lcores 0@0,1@0), there is nothing better
 * than the main lcore's: said once, as it is the operator's choice.
 */
static void
control_cpus(cpu_set_t *set, bool quiet)
{
	cpu_set_t main_set = rte_lcore_cpuset(rte_get_main_lcore());
	unsigned int lcore;

	*set = main_set;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		cpu_set_t w = rte_lcore_cpuset(lcore);

		for (int c = 0; c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &w))
				CPU_CLR(c, set);
	}
	if (CPU_COUNT(set) == 0) {
		*set = main_set;
		if (!quiet)
			printf("note: the main lcore shares its CPUs with worker "
			       "lcores; the API thread runs there too\n");
	}
}

/* Index of the "--" that ends the EAL's arguments, or argc if none. */
static int
find_separator(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0)
			return i;
	return argc;
}

static int
load_plan(const char *path, struct lm_plan **plan)
{
	char err[LM_PLAN_ERR_MAX];

	*plan = lm_plan_load(path, err, sizeof(err));
	if (*plan == NULL) {
		fprintf(stderr, "error: %s\n", err);
		return LM_EXIT_USAGE;
	}
	return 0;
}

/* Split total as evenly as possible, part i of n: as the shards do. */
#define share lm_shard_share

/*
 * TCBs worker w_idx needs: the plan's tcp.max_connections when it is set,
 * else one per user plus as many again for those closing or in TIME-WAIT
 * (when the pool runs low, TIME-WAIT is skipped: tcp_in.c). In the open
 * model every session opens a connection, so those in TIME-WAIT follow the
 * arrival rate (its peak, twice over for bursts after a stall).
 */
static uint32_t
tcbs_needed(const struct lm_plan *plan, uint64_t users, uint32_t w_idx,
	    uint32_t n_workers)
{
	const struct lm_plan_load *l = &plan->load;
	double peak = l->rate, n;
	/* a server's connections come as the peers open them */
	uint32_t served = plan->n_servers > 0 ? 16384 : 0;

	if (plan->tcp.max_connections > 0) {
		uint64_t mine = share(plan->tcp.max_connections, w_idx,
				      n_workers);

		return mine > 0 ? (uint32_t)mine : 1;
	}
	if (l->model != LM_LOAD_OPEN)
		return (uint32_t)(users * 2 + 1024 + served);
	for (uint32_t i = 0; i < l->n_stages; i++)
		if (l->stages[i].target > peak)
			peak = l->stages[i].target;
	n = (double)users * 2 + 1024 + served +
		2.0 * peak / n_workers * (plan->tcp.time_wait_ms / 1000.0 + 2.0);
	return n > 4e6 ? 4000000u : (uint32_t)n;
}

/*
 * With several workers, have each port deliver every TCP flow to its
 * owner's queue (net/steer.c) or, where it cannot, leave it to the hand-off
 * between workers; one line per port says which.
 */
static void
steer_ports(struct lm_netif *ifs, const struct lm_plan *plan,
	    uint32_t n_workers, bool quiet)
{
	char why[256];

	if (n_workers < 2)
		return;
	for (uint32_t i = 0; i < plan->n_ports; i++) {
		struct rte_eth_dev_info info;
		int n = lm_steer_setup(&ifs[i], plan, i, n_workers, why,
				       sizeof(why));

		if (quiet || n == 0)
			continue;
		if (n > 0) {
			printf("port %u: flows steered by the NIC (rte_flow, "
			       "%d rules)\n", i, n);
			continue;
		}
		if (rte_eth_dev_info_get(ifs[i].port_id, &info) != 0)
			info.driver_name = "the device";
		printf("port %u: %s cannot steer flows (%s): packets handed "
		       "between workers\n", i, info.driver_name, why);
	}
}

int
main(int argc, char **argv)
{
	int sep = find_separator(argc, argv);
	struct lm_cli cli;
	struct lm_plan *plan = NULL;
	struct lm_netif ifs[LM_MAX_PORTS];
	struct lm_stats_layout layout;
	struct lm_worker *workers = NULL;
	struct rte_mempool *pool = NULL;
	struct lm_run_opts ro = {0};
	bool workers_ran = false;
	uint32_t n_workers, w_idx;
	unsigned int lcore;
	void *area = MAP_FAILED;
	size_t area_len = 0;
	char shm_path[256] = "";
	char err[512];
	char hlog_tmp[PATH_MAX];
	int status, rc;
	char **app_argv;
	int app_argc;
	struct lm_xdp_port xdp = { .prog_fd = -1, .cfg_fd = -1, .stats_fd = -1 };
	char **eal_argv = argv;
	int eal_argc, xdp_pid = -1;
	char xdp_vdev[LM_XDP_VDEV_MAX];

	/*
	 * The application's arguments first: --help, --check and --list need
	 * no EAL. Without "--" every argument is the application's, which
	 * only those may use: a run needs the EAL's arguments.
	 */
	app_argc = sep < argc ? argc - sep : argc;
	app_argv = calloc((size_t)app_argc + 1, sizeof(char *));
	if (app_argv == NULL)
		return LM_EXIT_RUNTIME;
	app_argv[0] = argv[0];
	for (int i = 1; i < app_argc; i++)
		app_argv[i] = argv[sep < argc ? sep + i : i];
	if (lm_cli_parse(&cli, app_argc > 0 ? app_argc : 1, app_argv, stderr)) {
		free(app_argv);
		return LM_EXIT_USAGE;
	}
	free(app_argv);
	if (cli.help) {
		lm_cli_usage(stdout, argv[0]);
		return LM_EXIT_OK;
	}
	status = load_plan(cli.plan, &plan);
	if (status != 0)
		return status;
	/* overrides first, so that --check and --list see what would run */
	if (lm_cli_apply(&cli, plan, stderr) != 0) {
		lm_plan_free(plan);
		return LM_EXIT_USAGE;
	}
	if (cli.list)
		lm_cli_list(stdout, plan);
	else if (cli.check)
		printf("%s: ok (%u scenarios, %u steps)\n", cli.plan,
		       plan->n_scenarios, lm_plan_n_steps(plan));
	if (cli.check || cli.list) {
		lm_plan_free(plan);
		return LM_EXIT_OK;
	}
	if (sep == argc) {
		fprintf(stderr, "error: EAL arguments are missing: put them before "
			"\"--\" (e.g. -l 0-1 --no-pci --vdev=...); see --help\n");
		lm_plan_free(plan);
		return LM_EXIT_USAGE;
	}

	eal_argc = sep;
	if (cli.xdp != NULL) {
		status = lm_xdp_eal_args(cli.xdp, &xdp, sep, argv, xdp_vdev,
					 sizeof(xdp_vdev), &eal_argv, &eal_argc);
		if (status != 0) {
			lm_plan_free(plan);
			return status;
		}
	}
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		fprintf(stderr, "error: EAL initialisation failed: %s\n",
			rte_strerror(rte_errno));
		lm_plan_free(plan);
		if (eal_argv != argv)
			free(eal_argv);
		return rte_errno == EINVAL ? LM_EXIT_USAGE : LM_EXIT_RUNTIME;
	}
	install_signals();

	n_workers = rte_lcore_count() - 1;
	if (n_workers == 0) {
		fprintf(stderr, "error: no worker lcore: give the EAL at least "
			"two (e.g. -l 0-1); lcore %u is the control plane\n",
			rte_get_main_lcore());
		status = LM_EXIT_USAGE;
		goto out;
	}
	if (cli.xdp != NULL && (xdp_pid = lm_xdp_port_id(plan)) < 0) {
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	if (rte_eth_dev_count_avail() < plan->n_ports) {
		fprintf(stderr, "error: the plan has %u port(s) but DPDK found %u; "
			"add one with --vdev (e.g. "
			"--vdev=net_af_packet0,iface=IFACE)\n", plan->n_ports,
			rte_eth_dev_count_avail());
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	/* RX rings of every queue, TX in flight, per-lcore caches, headroom */
	pool = rte_pktmbuf_pool_create("lm_mbufs",
		(unsigned)(n_workers * plan->n_ports * 4096 + 8192) - 1,
		LM_MBUF_CACHE, 0, RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (pool == NULL) {
		fprintf(stderr, "error: cannot create the mbuf pool: %s\n",
			rte_strerror(rte_errno));
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	for (uint32_t i = 0; i < plan->n_ports; i++) {
		uint16_t port_id = (uint16_t)i;

		memset(&ifs[i], 0, sizeof(ifs[i]));
		if (lm_port_setup(port_id, (uint16_t)n_workers, pool, &ifs[i],
				  err, sizeof(err)) != 0) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_RUNTIME;
			goto out;
		}
		ifs[i].ip = rte_cpu_to_be_32(plan->ports[i].ip);
		ifs[i].mask = plan->ports[i].prefix == 0 ? 0 :
			rte_cpu_to_be_32(~0u << (32 - plan->ports[i].prefix));
		ifs[i].gateway = rte_cpu_to_be_32(plan->ports[i].gateway);
		ifs[i].client_ip = plan->ports[i].client_ip;
		ifs[i].n_client_ips = plan->ports[i].n_client_ips;
	}
	if (xdp_pid >= 0) {
		status = lm_xdp_port_configure(&xdp, plan, (uint16_t)xdp_pid,
					       cli.quiet);
		if (status != 0)
			goto out;
	}
	steer_ports(ifs, plan, n_workers, cli.quiet);

	lm_stats_layout_init(&layout, n_workers, plan->n_scenarios,
			     lm_plan_n_steps(plan));
	{
		uint32_t rows = 0;

		for (uint32_t i = 0; i < plan->n_servers; i++)
			rows += lm_plan_server_rows(&plan->servers[i]);
		lm_stats_layout_servers(&layout, plan->n_servers, rows);
	}
	area = lm_shm_create(plan, &layout, cli.stats_name, &area_len,
			     shm_path, sizeof(shm_path));
	if (area == MAP_FAILED) {
		fprintf(stderr, "error: cannot create the statistics area %s: %s\n",
			shm_path, strerror(errno));
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	workers = rte_zmalloc("lm_workers", sizeof(*workers) * n_workers,
			      RTE_CACHE_LINE_SIZE);
	if (workers == NULL) {
		fprintf(stderr, "error: out of memory for workers\n");
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	w_idx = 0;
	RTE_LCORE_FOREACH_WORKER(lcore) {
		struct lm_worker *w = &workers[w_idx];
		struct lm_stats_slot_view sv;
		/* closed: the (peak) users; open: the sessions in flight at most */
		uint64_t pop = plan->load.model == LM_LOAD_OPEN ?
			plan->load.max_users : plan->load.users;
		uint64_t users = share(pop, w_idx, n_workers);
		/* the users' global indices: this shard's, then this worker's */
		uint64_t first = plan->shard.first_user +
			lm_shard_offset(pop, w_idx, n_workers);

		lm_stats_slot(&layout, lm_shm_slots(area), w_idx, &sv);
		lm_stats_slot_init(&layout, &sv);
		lm_worker_init(w, w_idx, n_workers, lcore, plan, ifs,
			       plan->n_ports, pool, &sv,
			       rte_rdtsc() ^ ((uint64_t)w_idx << 56) ^
			       (uint64_t)getpid() << 32);
		/* each user holds one connection; TIME_WAIT and closes need more */
		rc = lm_tcp_init(w, tcbs_needed(plan, users, w_idx, n_workers), ifs[0].mtu);
		if (rc == 0)
			rc = lm_gen_init(w, (uint32_t)first, (uint32_t)users,
					 share(plan->load.max_runs, w_idx,
					       n_workers));
		if (rc == 0)
			rc = lm_server_init(w);
		if (rc != 0) {
			fprintf(stderr, "error: worker %u set-up: %s\n", w_idx,
				strerror(-rc));
			status = LM_EXIT_RUNTIME;
			n_workers = w_idx + 1;
			goto out;
		}
		w_idx++;
	}
	rc = lm_handoff_setup(workers, n_workers);
	if (rc != 0) {
		fprintf(stderr, "error: rings between workers: %s\n",
			strerror(-rc));
		status = LM_EXIT_RUNTIME;
		goto out;
	}
	/* exporters before the workers start: a bad URL stops nothing running */
	if (cli.api != NULL) {
		cpu_set_t cpus;

		control_cpus(&cpus, cli.quiet);
		ro.api = lm_api_start(cli.api, cli.api_token, &cpus, err,
				      sizeof(err));
		if (ro.api == NULL) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_USAGE;
			goto out;
		}
		if (!cli.quiet)
			printf("metrics and API: http://%s/metrics\n", cli.api);
	}
	if (cli.influx != NULL) {
		ro.influx = lm_influx_start(cli.influx, NULL, err, sizeof(err));
		if (ro.influx == NULL) {
			fprintf(stderr, "error: %s\n", err);
			status = LM_EXIT_USAGE;
			goto out;
		}
	}
	/* before the workers take any: the baseline of the leak accounting */
	ro.mbufs_free_start = rte_mempool_avail_count(pool);
	for (uint32_t i = 0; i < n_workers; i++)
		lm_worker_census(&workers[i], &ro.census_start);
	w_idx = 0;
	RTE_LCORE_FOREACH_WORKER(lcore)
		rte_eal_remote_launch(lm_worker_main, &workers[w_idx++], lcore);

	ro.duration_s = plan->load.duration_s;
	ro.grace_s = cli.grace_s;
	ro.arp_timeout_s = LM_ARP_TIMEOUT_S;
	ro.summary = cli.summary;
	ro.pool = pool;
	ro.csv_prefix = cli.csv;
	ro.interval_s = cli.interval_s;
	ro.hlog = cli.hlog;
	ro.html = cli.html;
	ro.quiet = cli.quiet;
	ro.wait_for_start = cli.wait_for_start;
	ro.start_at = cli.start_at;
	/* the web UI offers the .hlog: without --hlog, one of its own */
	if (ro.api != NULL && ro.hlog == NULL) {
		snprintf(hlog_tmp, sizeof(hlog_tmp), "%s/lemmings-dp.%d.hlog",
			 getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp",
			 (int)getpid());
		ro.hlog = hlog_tmp;
		ro.hlog_tmp = true;
	}
	if (!cli.quiet)
		printf("lemmings-dp: plan %s, %u users on %u worker(s), %s%.0f s\n",
		       plan->name, plan->load.users, n_workers,
		       plan->load.max_runs ? "max_runs set, " : "",
		       plan->load.duration_s);
	if (!cli.quiet)
		printf("statistics: %s\n", shm_path);
	lm_shm_set_state(area, LM_SHM_RUNNING);
	workers_ran = true;
	status = lm_control_run(workers, n_workers, plan, &layout,
				lm_shm_slots(area), &ro);
	lm_shm_set_state(area, LM_SHM_DONE);
	if (ro.influx != NULL) {
		struct lm_influx_counters ic;

		lm_influx_stop_counted(ro.influx, &ic);
		ro.influx = NULL;
		if (!cli.quiet || ic.failed || ic.dropped)
			printf("influx: %" PRIu64 " pushes sent, %" PRIu64 " failed, %"
			       PRIu64 " dropped\n", ic.sent, ic.failed, ic.dropped);
	}
out:
	if (ro.influx != NULL)
		lm_influx_stop(ro.influx, false);
	if (ro.api != NULL) {
		/* a last scrape, report fetch or look at the UI (--linger) */
		if ((status == LM_EXIT_OK || status == LM_EXIT_THRESHOLDS) &&
		    workers_ran)
			lm_control_linger(ro.api, cli.linger_s, cli.quiet);
		lm_api_stop(ro.api);
	}
	if (workers != NULL) {
		for (uint32_t i = 0; i < n_workers; i++)
			lm_worker_fini(&workers[i]);
		rte_free(workers);
	}
	for (uint32_t i = 0; i < plan->n_ports && i < rte_eth_dev_count_avail(); i++) {
		/* the workers are stopped (or never started) */
		if (pool != NULL && workers_ran)
			lm_port_farewell((uint16_t)i, pool);
		lm_port_close((uint16_t)i);
	}
	if (cli.xdp != NULL)
		lm_xdp_port_release(&xdp, cli.quiet);
	if (area != MAP_FAILED)
		lm_shm_destroy(area, area_len, shm_path, cli.keep_stats);
	lm_plan_free(plan);
	rte_eal_cleanup();
	if (eal_argv != argv)
		free(eal_argv);
	return status;
}
