/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tools/xdp/loss.h — what loss.bpf.c (the XDP program) and loss.c (its loader,
 * lm-xdp-loss) share: the names and value layouts of the program's maps.
 */
#ifndef LM_XDP_LOSS_H
#define LM_XDP_LOSS_H

#include <linux/types.h>

/* Object names as the kernel reports them (at most 15 characters). The loader
 * recognises its own attached program by these names. */
#define LM_XDP_LOSS_PROG_NAME	"lm_xdp_loss"
#define LM_XDP_LOSS_CFG_MAP	"lm_loss_cfg"
#define LM_XDP_LOSS_STATS_MAP	"lm_loss_stats"

/* Drop probabilities are counted in parts per million. */
#define LM_XDP_LOSS_MILLION	1000000u

/* Value of the single entry (key 0) of the configuration array. */
struct lm_xdp_loss_cfg {
	__u32 drop_per_million;	/* 0 .. 1000000: probability of XDP_DROP */
	__u32 only_tcp;		/* non-zero: everything but IPv4/TCP passes untouched */
};

/* Value of the single entry (key 0) of the per-CPU statistics array; the loader
 * sums the CPUs' copies. */
struct lm_xdp_loss_stats {
	__u64 passed;
	__u64 dropped;
};

#endif /* LM_XDP_LOSS_H */
