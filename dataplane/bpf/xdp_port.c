/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --xdp port in a run (see xdp_port.h): the hooks main.c calls around
 * the EAL and the ports, on the control plane.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_ethdev.h>

#include "cli.h"
#include "bpf/xdp_port.h"

/*
 * A vdev is an EAL argument, and the application's options are parsed
 * before the EAL's, so the device is simply appended to the EAL's
 * arguments before rte_eal_init() rather than hot-plugged after it: the
 * EAL probes it with the others, in the order given (it comes after any
 * --vdev of the command line), and tears it down with them. Before that,
 * lm_xdp_prepare() looks at the interface: a program of ours from a killed
 * run is taken off (the PMD would refuse to attach beside it), anyone
 * else's is refused.
 */
int
lm_xdp_eal_args(const char *spec, struct lm_xdp_port *xp, int sep,
		char **argv, char *vdev, size_t vdev_len, char ***eal_argv,
		int *eal_argc)
{
	char err[512], **a;

	if (lm_xdp_parse(spec, xp, err, sizeof(err)) != 0) {
		fprintf(stderr, "error: --xdp: %s\n", err);
		return LM_EXIT_USAGE;
	}
	if (lm_xdp_prepare(xp, stdout, err, sizeof(err)) != 0) {
		fprintf(stderr, "error: %s\n", err);
		return LM_EXIT_RUNTIME;
	}
	if (lm_xdp_vdev(xp, vdev, vdev_len, err, sizeof(err)) != 0) {
		fprintf(stderr, "error: --xdp: %s\n", err);
		return LM_EXIT_RUNTIME;
	}
	/* the EAL's getopt permutes its argv: a copy of our own */
	a = calloc((size_t)sep + 2, sizeof(char *));
	if (a == NULL)
		return LM_EXIT_RUNTIME;
	memcpy(a, argv, (size_t)sep * sizeof(char *));
	a[sep] = vdev;
	*eal_argv = a;
	*eal_argc = sep + 1;
	return 0;
}

static const char *
ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff,
		 ip >> 8 & 0xff, ip & 0xff);
	return buf;
}

int
lm_xdp_port_id(const struct lm_plan *plan)
{
	uint16_t pid;

	if (rte_eth_dev_get_port_by_name(LM_XDP_VDEV_NAME, &pid) != 0) {
		fprintf(stderr, "error: --xdp: the EAL did not create the AF_XDP "
			"port (see its messages above)\n");
		return -1;
	}
	if (pid >= plan->n_ports) {
		fprintf(stderr, "error: --xdp: the AF_XDP port is DPDK port %u "
			"but the plan has %u port(s): ports are numbered in the "
			"order of the --vdev options, then --xdp's\n", pid,
			plan->n_ports);
		return -1;
	}
	return pid;
}

/* From the moment the addresses are written, their packets are ours. */
int
lm_xdp_port_configure(struct lm_xdp_port *xp, const struct lm_plan *plan,
		      uint16_t pid, bool quiet)
{
	const struct lm_plan_port *pp = &plan->ports[pid];
	struct lm_steer_cfg cfg;
	char err[512], a[16], b[16];
	uint32_t last;

	lm_xdp_cfg_build(&cfg, pp->ip, pp->client_ip, pp->n_client_ips,
			 (uint32_t)getpid());
	if (lm_xdp_configure(xp, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "error: --xdp: %s\n", err);
		return LM_EXIT_RUNTIME;
	}
	if (quiet)
		return 0;
	printf("port %u: AF_XDP on %s (%u queue%s), XDP program id %u (%s "
	       "mode) steers to us: %s", pid, xp->ifname, xp->queues,
	       xp->queues == 1 ? "" : "s", xp->prog_id, lm_xdp_mode_name(xp),
	       ip_str(cfg.ranges[0].first, a, sizeof(a)));
	for (uint32_t i = 1; i < cfg.n_ranges; i++) {
		last = cfg.ranges[i].first + cfg.ranges[i].count - 1;
		printf(", %s", ip_str(cfg.ranges[i].first, a, sizeof(a)));
		if (cfg.ranges[i].count > 1)
			printf("-%s", ip_str(last, b, sizeof(b)));
	}
	printf("; the kernel keeps the rest\n");
	return 0;
}

void
lm_xdp_port_release(struct lm_xdp_port *xp, bool quiet)
{
	struct lm_steer_stats st;

	if (!quiet && lm_xdp_stats(xp, &st) == 0)
		printf("xdp %s: steered to us %llu IPv4 and %llu ARP packets "
		       "(%llu found no socket); passed %llu to the kernel\n",
		       xp->ifname, (unsigned long long)st.ipv4_steered,
		       (unsigned long long)st.arp_steered,
		       (unsigned long long)st.no_socket,
		       (unsigned long long)st.passed);
	lm_xdp_release(xp, stderr);
}
