/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The --xdp port in a run of lemmings-dp (main.c's hooks): the EAL's
 * arguments, the DPDK port it became, its configuration once set up, and
 * its end. The steering program's loader is bpf/steer.h.
 */
#ifndef LM_BPF_XDP_PORT_H
#define LM_BPF_XDP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#include "bpf/steer.h"

/* Room for the --vdev argument (the object file's path and the options). */
#define LM_XDP_VDEV_MAX (PATH_MAX + 256)

/*
 * Before rte_eal_init(): parse spec into xp, look at the interface
 * (lm_xdp_prepare()), and make the EAL's arguments: argv[0 .. sep) and the
 * --vdev, written into vdev. *eal_argv is allocated (free it after the
 * EAL is done with it). Returns 0, or an exit status after printing why.
 */
int lm_xdp_eal_args(const char *spec, struct lm_xdp_port *xp, int sep,
		    char **argv, char *vdev, size_t vdev_len, char ***eal_argv,
		    int *eal_argc);

/*
 * After rte_eal_init(): the DPDK port the AF_XDP device became, or -1
 * after printing why (no device, or not one of the plan's ports).
 */
int lm_xdp_port_id(const struct lm_plan *plan);

/*
 * After the port is set up: write the plan's addresses for port_id into
 * the program and say so on stdout (unless quiet). Returns 0, or an exit
 * status after printing why.
 */
int lm_xdp_port_configure(struct lm_xdp_port *xp, const struct lm_plan *plan,
			  uint16_t port_id, bool quiet);

/*
 * After the ports are closed: print the program's counts (unless quiet)
 * and release it (lm_xdp_release()).
 */
void lm_xdp_port_release(struct lm_xdp_port *xp, bool quiet);

#endif /* LM_BPF_XDP_PORT_H */
