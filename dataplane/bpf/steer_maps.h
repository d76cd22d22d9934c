/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the steering program (steer.bpf.c) and its loader (steer.c) share:
 * the names the kernel reports for the program and its maps, and the
 * layouts of the configuration and statistics values. Included by both the
 * BPF object (clang -target bpf) and the host code, so only <linux/types.h>.
 */
#ifndef LM_BPF_STEER_MAPS_H
#define LM_BPF_STEER_MAPS_H

#include <linux/types.h>

/*
 * Names as the kernel reports them (at most 15 characters). The loader
 * knows its own program on an interface by LM_STEER_PROG_NAME; the AF_XDP
 * PMD of DPDK 22.11 looks the socket map up by the name "xsks_map".
 */
#define LM_STEER_PROG_NAME	"lm_xdp_steer"
#define LM_STEER_CFG_MAP	"lm_steer_cfg"
#define LM_STEER_STATS_MAP	"lm_steer_stats"
#define LM_STEER_XSKS_MAP	"xsks_map"

/* Entries of xsks_map: RX queue index -> AF_XDP socket of that queue. */
#define LM_STEER_MAX_QUEUES	256

/* Address ranges a configuration holds (a port's address, its clients'). */
#define LM_STEER_MAX_RANGES	4

/* [first, first + count) in host byte order; count 0 is empty. */
struct lm_steer_range {
	__u32 first;
	__u32 count;
};

/*
 * The single entry (key 0) of the configuration array. All zero, as the
 * map starts, steers nothing: every packet goes to the kernel until the
 * loader has written the addresses.
 */
struct lm_steer_cfg {
	__u32 n_ranges;		/* ranges[0 .. n_ranges) are ours */
	__u32 owner_pid;	/* the lemmings-dp process that configured it */
	struct lm_steer_range ranges[LM_STEER_MAX_RANGES];
};

/*
 * The single entry (key 0) of the per-CPU statistics array; readers sum
 * the CPUs' copies.
 */
struct lm_steer_stats {
	__u64 ipv4_steered;	/* IPv4 to one of our addresses, redirected */
	__u64 arp_steered;	/* ARP asking for or answering one of ours */
	__u64 no_socket;	/* ours, but no socket on that queue: passed */
	__u64 passed;		/* everything else, to the kernel */
};

#endif /* LM_BPF_STEER_MAPS_H */
