/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-3-Clause) */
/*
 * dataplane/bpf/steer.bpf.c — the XDP program that lets lemmings-dp share an
 * interface with the kernel over AF_XDP (docs/xdp.md).
 *
 * DPDK's net_af_xdp device loads this object (its xdp_prog= option) and puts
 * the AF_XDP socket of each of its RX queues into xsks_map; lemmings-dp then
 * writes its addresses into lm_steer_cfg (steer.c). Per packet:
 *
 *   IPv4 whose destination is one of our addresses   -> our socket
 *   ARP (request or reply) whose target is ours       -> our socket
 *   anything else (other addresses, IPv6, VLANs, ...) -> the kernel
 *
 * "Our socket" is the one of the queue the packet arrived on; when that
 * queue has none, bpf_redirect_map() falls back to XDP_PASS (its flags
 * argument), so nothing is ever dropped here. Until the configuration is
 * written every packet passes. Our addresses are ours alone (the kernel
 * must not hold them), so every IPv4 packet to them is ours, whatever the
 * protocol or port: TCP, ICMP echo, fragments.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "steer_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, LM_STEER_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lm_steer_cfg);
} lm_steer_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct lm_steer_stats);
} lm_steer_stats SEC(".maps");

/*
 * An ARP packet for Ethernet and IPv4 (RFC 826). <linux/if_arp.h> would
 * pull the C library's headers into a BPF build, so the layout is here.
 */
#define LM_ARP_HRD_ETHER 1
#define LM_ARP_OP_REQUEST 1
#define LM_ARP_OP_REPLY 2

struct lm_arp_ipv4 {
	__be16 ar_hrd;
	__be16 ar_pro;
	__u8 ar_hln;
	__u8 ar_pln;
	__be16 ar_op;
	__u8 sha[ETH_ALEN];
	__u8 spa[4];
	__u8 tha[ETH_ALEN];
	__u8 tpa[4];
} __attribute__((packed));

/* Whether addr (host order) lies in one of the configured ranges. */
static __always_inline int
is_ours(const struct lm_steer_cfg *cfg, __u32 addr)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < LM_STEER_MAX_RANGES; i++) {
		if (i >= cfg->n_ranges)
			break;
		if (addr - cfg->ranges[i].first < cfg->ranges[i].count)
			return 1;
	}
	return 0;
}

/*
 * Our verdict on the frame: 1 for an IPv4 packet to one of our addresses,
 * 2 for ARP about one of them, 0 for everything else. Every header is
 * checked against data_end before it is read.
 */
static __always_inline int
classify(const struct xdp_md *ctx, const struct lm_steer_cfg *cfg)
{
	const void *data = (const void *)(long)ctx->data;
	const void *data_end = (const void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;

	if ((const void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		const struct iphdr *iph = (const void *)(eth + 1);

		if ((const void *)(iph + 1) > data_end || iph->version != 4)
			return 0;
		return is_ours(cfg, bpf_ntohl(iph->daddr)) ? 1 : 0;
	}
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		const struct lm_arp_ipv4 *arp = (const void *)(eth + 1);
		__u32 tpa;

		if ((const void *)(arp + 1) > data_end)
			return 0;
		if (arp->ar_hrd != bpf_htons(LM_ARP_HRD_ETHER) ||
		    arp->ar_pro != bpf_htons(ETH_P_IP) ||
		    arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
			return 0;
		if (arp->ar_op != bpf_htons(LM_ARP_OP_REQUEST) &&
		    arp->ar_op != bpf_htons(LM_ARP_OP_REPLY))
			return 0;
		tpa = (__u32)arp->tpa[0] << 24 | (__u32)arp->tpa[1] << 16 |
			(__u32)arp->tpa[2] << 8 | arp->tpa[3];
		return is_ours(cfg, tpa) ? 2 : 0;
	}
	return 0;
}

SEC("xdp")
int lm_xdp_steer(struct xdp_md *ctx)
{
	const struct lm_steer_cfg *cfg;
	struct lm_steer_stats *st;
	__u32 key = 0;
	int kind = 0;
	long verdict = XDP_PASS;

	cfg = bpf_map_lookup_elem(&lm_steer_cfg, &key);
	if (cfg != NULL && cfg->n_ranges != 0)
		kind = classify(ctx, cfg);
	if (kind != 0)
		verdict = bpf_redirect_map(&xsks_map, ctx->rx_queue_index,
					   XDP_PASS);

	/* per-CPU slot: a plain increment is enough */
	st = bpf_map_lookup_elem(&lm_steer_stats, &key);
	if (st != NULL) {
		if (kind == 0)
			st->passed++;
		else if (verdict != XDP_REDIRECT)
			st->no_socket++;
		else if (kind == 1)
			st->ipv4_steered++;
		else
			st->arp_steered++;
	}
	return (int)verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
