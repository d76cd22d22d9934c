/* SPDX-License-Identifier: BSD-3-Clause */
/* Steering by the NIC with rte_flow rules (see steer.h). */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_common.h>
#include <rte_errno.h>
#include <rte_flow.h>

#include "net/owner.h"
#include "net/steer.h"

uint32_t
lm_steer_max_rules(const struct lm_plan *plan, uint32_t n_workers)
{
	return (plan->n_servers + 1) * n_workers;
}

int
lm_steer_rules(const struct lm_plan *plan, uint32_t port_idx, uint32_t nif_ip,
	       uint32_t n_workers, struct lm_steer_rule *out, uint32_t max)
{
	uint16_t mask = rte_cpu_to_be_16((uint16_t)(n_workers - 1));
	uint32_t n = 0;

	if (n_workers < 2)
		return 0;
	/* a masked port names the owner only when the residue is low bits */
	if (!rte_is_power_of_2(n_workers) || n_workers > 32768)
		return -EINVAL;
	for (uint32_t i = 0; i < plan->n_servers; i++) {
		const struct lm_plan_server *s = &plan->servers[i];
		uint16_t lport = rte_cpu_to_be_16(s->listen);

		if (s->port != port_idx)
			continue;
		for (uint32_t k = 0; k < n_workers; k++) {
			/* the client's ports whose bits 1.. are k's */
			uint16_t sport = rte_cpu_to_be_16((uint16_t)(k << 1));

			if (n == max)
				return -ENOSPC;
			out[n++] = (struct lm_steer_rule){
				.priority = LM_STEER_PRIO_PASSIVE,
				.dst_addr = nif_ip,
				.dst_port = lport,
				.dst_port_mask = UINT16_MAX,
				.src_port = sport,
				.src_port_mask = rte_cpu_to_be_16((uint16_t)
					((n_workers - 1) << 1)),
				.queue = (uint16_t)lm_flow_owner(lport, sport,
							 true, n_workers),
			};
		}
	}
	/* clients connect from port 0 (gen/session.c) */
	if (port_idx == 0 && plan->n_scenarios > 0) {
		for (uint32_t k = 0; k < n_workers; k++) {
			/* our ports whose low bits are k's */
			uint16_t lport = rte_cpu_to_be_16((uint16_t)k);

			if (n == max)
				return -ENOSPC;
			out[n++] = (struct lm_steer_rule){
				.priority = LM_STEER_PRIO_ACTIVE,
				.dst_port = lport,
				.dst_port_mask = mask,
				.queue = (uint16_t)lm_flow_owner(lport, 0, false,
							 n_workers),
			};
		}
	}
	return (int)n;
}

/* The rte_flow form of one rule: attr, pattern and actions in f. */
struct flow_form {
	struct rte_flow_attr attr;
	struct rte_flow_item_ipv4 ip, ip_mask;
	struct rte_flow_item_tcp tcp, tcp_mask;
	struct rte_flow_item items[4];
	struct rte_flow_action_queue queue;
	struct rte_flow_action actions[2];
};

static void
flow_form(struct flow_form *f, const struct lm_steer_rule *r)
{
	memset(f, 0, sizeof(*f));
	f->attr.ingress = 1;
	f->attr.priority = r->priority;
	f->ip.hdr.dst_addr = r->dst_addr;
	f->ip.hdr.next_proto_id = IPPROTO_TCP;
	f->ip_mask.hdr.dst_addr = r->dst_addr != 0 ? UINT32_MAX : 0;
	f->ip_mask.hdr.next_proto_id = UINT8_MAX;
	f->tcp.hdr.dst_port = r->dst_port;
	f->tcp.hdr.src_port = r->src_port;
	f->tcp_mask.hdr.dst_port = r->dst_port_mask;
	f->tcp_mask.hdr.src_port = r->src_port_mask;
	f->items[0].type = RTE_FLOW_ITEM_TYPE_ETH;   /* any frame */
	f->items[1].type = RTE_FLOW_ITEM_TYPE_IPV4;
	f->items[1].spec = &f->ip;
	f->items[1].mask = &f->ip_mask;
	f->items[2].type = RTE_FLOW_ITEM_TYPE_TCP;
	f->items[2].spec = &f->tcp;
	f->items[2].mask = &f->tcp_mask;
	f->items[3].type = RTE_FLOW_ITEM_TYPE_END;
	f->queue.index = r->queue;
	f->actions[0].type = RTE_FLOW_ACTION_TYPE_QUEUE;
	f->actions[0].conf = &f->queue;
	f->actions[1].type = RTE_FLOW_ACTION_TYPE_END;
}

/* "rte_flow refused rule 2 of 4: <the driver's message> (<errno text>)" */
static void
refusal(char *why, size_t whylen, const char *what, uint32_t i, uint32_t n,
	int rc, const struct rte_flow_error *e)
{
	const char *err = strerror(rc < 0 ? -rc : rc);

	if (e->message == NULL || strcmp(e->message, err) == 0)
		snprintf(why, whylen, "rte_flow %s rule %u of %u: %s", what,
			 i + 1, n, err);
	else
		snprintf(why, whylen, "rte_flow %s rule %u of %u: %s (%s)",
			 what, i + 1, n, e->message, err);
}

int
lm_steer_setup(struct lm_netif *nif, const struct lm_plan *plan,
	       uint32_t port_idx, uint32_t n_workers, char *why, size_t whylen)
{
	uint32_t max = lm_steer_max_rules(plan, n_workers), made = 0;
	struct lm_steer_rule *rules = calloc(max ? max : 1, sizeof(*rules));
	struct rte_flow **flows = calloc(max ? max : 1, sizeof(*flows));
	struct flow_form f;
	struct rte_flow_error e;
	int n, rc = 0;

	nif->steered = false;
	if (rules == NULL || flows == NULL) {
		snprintf(why, whylen, "out of memory");
		rc = -ENOMEM;
		goto out;
	}
	n = lm_steer_rules(plan, port_idx, nif->ip, n_workers, rules, max);
	if (n == -EINVAL) {
		snprintf(why, whylen, "%u workers: a rule matches the owner's "
			 "port bits only for a power-of-two count", n_workers);
		rc = n;
		goto out;
	}
	if (n <= 0) {
		rc = n;
		if (n < 0)
			snprintf(why, whylen, "%s", strerror(-n));
		goto out;
	}
	/* all or nothing: validate every rule before making any */
	for (int i = 0; i < n; i++) {
		flow_form(&f, &rules[i]);
		memset(&e, 0, sizeof(e));
		rc = rte_flow_validate(nif->port_id, &f.attr, f.items, f.actions,
				       &e);
		if (rc != 0) {
			refusal(why, whylen, "refused", (uint32_t)i, (uint32_t)n,
				rc, &e);
			goto out;
		}
	}
	for (int i = 0; i < n; i++) {
		flow_form(&f, &rules[i]);
		memset(&e, 0, sizeof(e));
		flows[i] = rte_flow_create(nif->port_id, &f.attr, f.items,
					   f.actions, &e);
		if (flows[i] == NULL) {
			rc = -(rte_errno ? rte_errno : EINVAL);
			refusal(why, whylen, "could not create", (uint32_t)i,
				(uint32_t)n, rc, &e);
			goto out;
		}
		made++;
	}
	nif->steered = true;
	rc = n;
out:
	if (rc < 0)
		/* leave nothing half done behind */
		while (made > 0)
			rte_flow_destroy(nif->port_id, flows[--made], &e);
	free(rules);
	free(flows);
	return rc;
}
