/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause) */
/*
 * tools/xdp/loss.bpf.c — XDP program that drops a random fraction of the packets
 * arriving at an interface, so that a peer (the Linux kernel's TCP in the lab's
 * server namespace, say) sees loss on its ingress. Loaded and configured by
 * lm-xdp-loss (loss.c); the configuration and statistics layouts are in loss.h.
 *
 * Per packet: when only_tcp is set, anything that is not IPv4/TCP passes; the rest
 * is dropped with probability drop_per_million / 1000000.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "loss.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lm_xdp_loss_cfg);
} lm_loss_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lm_xdp_loss_stats);
} lm_loss_stats SEC(".maps");

/* is_ipv4_tcp: non-zero when the frame is Ethernet + IPv4 carrying TCP. Every
 * header is checked against data_end before it is read. */
static __always_inline int is_ipv4_tcp(const struct xdp_md *ctx)
{
	const void *data = (const void *)(long)ctx->data;
	const void *data_end = (const void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	const struct iphdr *iph;

	if ((const void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto != bpf_htons(ETH_P_IP))
		return 0;
	iph = (const void *)(eth + 1);
	if ((const void *)(iph + 1) > data_end)
		return 0;
	if (iph->version != 4 || iph->ihl < 5)
		return 0;
	return iph->protocol == IPPROTO_TCP;
}

SEC("xdp")
int lm_xdp_loss(struct xdp_md *ctx)
{
	const struct lm_xdp_loss_cfg *cfg;
	struct lm_xdp_loss_stats *st;
	__u32 key = 0;
	int verdict = XDP_PASS;

	cfg = bpf_map_lookup_elem(&lm_loss_cfg, &key);
	if (cfg != NULL && cfg->drop_per_million != 0 &&
	    (!cfg->only_tcp || is_ipv4_tcp(ctx)) &&
	    bpf_get_prandom_u32() % LM_XDP_LOSS_MILLION < cfg->drop_per_million)
		verdict = XDP_DROP;

	/* Per-CPU slot: a plain increment is enough. */
	st = bpf_map_lookup_elem(&lm_loss_stats, &key);
	if (st != NULL) {
		if (verdict == XDP_DROP)
			st->dropped++;
		else
			st->passed++;
	}
	return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
