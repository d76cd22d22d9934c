/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * --xdp IFACE[:QUEUES]: an AF_XDP port (DPDK's net_af_xdp) on an interface
 * the kernel keeps using, with the XDP program steer.bpf.c redirecting only
 * our addresses' packets to it (docs/xdp.md). Control plane only.
 *
 * The order of a run:
 *   lm_xdp_prepare()     before the EAL: the option, the interface, the
 *                        object file; a program of an earlier run that was
 *                        killed is taken off, anyone else's is refused
 *   lm_xdp_vdev()        the --vdev argument added to the EAL's
 *   (port set-up)        the PMD loads the object and attaches it, steering
 *                        nothing yet
 *   lm_xdp_configure()   find that program on the interface, write our
 *                        addresses into its configuration map
 *   (the run)
 *   (port close)         the PMD detaches the program
 *   lm_xdp_release()     read the program's counters, and detach it if it
 *                        is still there
 */
#ifndef LM_BPF_STEER_H
#define LM_BPF_STEER_H

#include <net/if.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bpf/steer_maps.h"

/* The DPDK device name of the --xdp port (a net_af_xdp vdev). */
#define LM_XDP_VDEV_NAME "net_af_xdp_lm0"
/* The object file, looked for beside the binary and in the data directory. */
#define LM_XDP_OBJ_FILE "steer.bpf.o"

struct lm_xdp_port {
	char ifname[IF_NAMESIZE];
	unsigned int ifindex;
	uint16_t queues;	/* AF_XDP sockets on queues 0 .. queues-1 */
	char obj[PATH_MAX];	/* steer.bpf.o, for the PMD's xdp_prog= */
	/* once configured */
	uint32_t prog_id;
	uint32_t attach_mode;	/* XDP_ATTACHED_DRV, _SKB, ... */
	int prog_fd;
	int cfg_fd;
	int stats_fd;
};

/*
 * Parse "IFACE[:QUEUES]" (QUEUES from 1 to LM_STEER_MAX_QUEUES, default 1)
 * into xp. Returns 0, or -EINVAL with the reason in err.
 */
int lm_xdp_parse(const char *spec, struct lm_xdp_port *xp, char *err,
		 size_t errlen);

/*
 * Before the EAL: resolve the interface in this network namespace, find
 * the object file ($LM_XDP_STEER_OBJ, beside the executable, or the data
 * directory), and look at the XDP programs already on the interface. One
 * of ours left by a run that is gone (killed) is detached, saying so on
 * out; any other program is left alone. Returns 0; -ENODEV (no such
 * interface), -ENOENT (no object file), -EEXIST (someone else's program
 * is attached), -EBUSY (ours, but its lemmings-dp is still running), or
 * another -errno, each with a message in err.
 */
int lm_xdp_prepare(struct lm_xdp_port *xp, FILE *out, char *err,
		   size_t errlen);

/*
 * The EAL argument that adds the port: "--vdev=net_af_xdp_lm0,iface=...".
 * Returns 0, or -ENAMETOOLONG / -EINVAL (a path the device arguments
 * cannot carry) with the reason in err.
 */
int lm_xdp_vdev(const struct lm_xdp_port *xp, char *buf, size_t len,
		char *err, size_t errlen);

/*
 * The configuration for a port: its address and its clients' range
 * (host order, as in struct lm_plan_port), and the owner's process id.
 */
void lm_xdp_cfg_build(struct lm_steer_cfg *cfg, uint32_t ip,
		      uint32_t client_ip, uint32_t n_client_ips,
		      uint32_t owner_pid);

/*
 * After the port is set up (the PMD attached the program): find our
 * program on the interface and write cfg into its configuration map, from
 * which moment our addresses' packets come to us. Returns 0 or -errno with
 * a message in err.
 */
int lm_xdp_configure(struct lm_xdp_port *xp, const struct lm_steer_cfg *cfg,
		     char *err, size_t errlen);

/* "driver" or "generic" (or "hardware"): how the program is attached. */
const char *lm_xdp_mode_name(const struct lm_xdp_port *xp);

/* The program's counters, summed over the CPUs. Returns 0 or -errno. */
int lm_xdp_stats(const struct lm_xdp_port *xp, struct lm_steer_stats *sum);

/*
 * After the port is closed: detach our program if it is still attached
 * (the PMD normally has done it), and close what lm_xdp_configure()
 * opened. A problem is said on err (a stream). Safe to call on a port
 * never configured.
 */
void lm_xdp_release(struct lm_xdp_port *xp, FILE *err);

#endif /* LM_BPF_STEER_H */
