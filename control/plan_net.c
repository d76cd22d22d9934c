/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan's network side: our ports ("ports": address, prefix, gateway,
 * client address ranges) and the target ("target": address and port, or
 * ranges of them), with the checks that tie them together (a peer must be
 * reachable through a port, and must not be one of our own addresses).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include <lm/plan.h>

#include "json_check.h"
#include "plan_parse.h"

#define PLAN_DEFAULT_PREFIX 24
#define PLAN_DEFAULT_PORT 80

static uint32_t
prefix_mask(uint8_t prefix)
{
	return prefix == 0 ? 0 : UINT32_MAX << (32 - prefix);
}

static bool
on_link(const struct lm_plan_port *p, uint32_t ip)
{
	return ((p->ip ^ ip) & prefix_mask(p->prefix)) == 0;
}

enum { PORT_IP, PORT_PREFIX, PORT_GATEWAY, PORT_CLIENT_IPS, PORT_N };
static const struct lm_jc_key port_keys[PORT_N] = {
	[PORT_IP] = { "ip", LM_JT_STRING, true },
	[PORT_PREFIX] = { "prefix", LM_JT_INTEGER, false },
	[PORT_GATEWAY] = { "gateway", LM_JT_STRING, false },
	[PORT_CLIENT_IPS] = { "client_ips", LM_JT_STRING, false },
};

/* The most addresses one port's client range may hold. */
#define PLAN_CLIENT_IPS_MAX 65536

/*
 * "client_ips": "A-B" (or one address): addresses on the port's network,
 * neither its network nor its broadcast address, nor its gateway.
 */
static int
parse_client_ips(struct lm_jc *c, json_t *v, struct lm_plan_port *p)
{
	const char *s = json_string_value(v);
	const char *dash = strchr(s, '-');
	char lo_s[16], a[16], b[16];
	uint32_t lo, hi, mask = p->prefix == 32 ? ~0u : ~(~0u >> p->prefix);
	size_t saved = lm_jc_push_key(c, "client_ips");
	int rc = 0;

	if (dash == NULL) {
		snprintf(lo_s, sizeof(lo_s), "%s", s);
		dash = s + strlen(s) - 1;       /* hi = lo below */
	} else if ((size_t)(dash - s) >= sizeof(lo_s)) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "expected A.B.C.D-E.F.G.H, got \"%s\"", s);
		goto out;
	} else {
		memcpy(lo_s, s, (size_t)(dash - s));
		lo_s[dash - s] = '\0';
	}
	if (inet_pton(AF_INET, lo_s, &lo) != 1 ||
	    inet_pton(AF_INET, *dash == '-' ? dash + 1 : lo_s, &hi) != 1) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"expected an IPv4 address or a range A.B.C.D-E.F.G.H, got \"%s\"", s);
		goto out;
	}
	lo = ntohl(lo);
	hi = ntohl(hi);
	if (hi < lo) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "range %s-%s ends before it starts",
				lm_jc_ip_str(lo, a, sizeof(a)), lm_jc_ip_str(hi, b, sizeof(b)));
	} else if ((lo & mask) != (p->ip & mask) || (hi & mask) != (p->ip & mask)) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "range %s-%s is not inside %s/%u",
				lm_jc_ip_str(lo, a, sizeof(a)), lm_jc_ip_str(hi, b, sizeof(b)),
				lm_jc_ip_str(p->ip, lo_s, sizeof(lo_s)), p->prefix);
	} else if (p->prefix < 31 && ((lo & ~mask) == 0 || (hi & ~mask) == ~mask)) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"range %s-%s holds the network's or its broadcast address",
				lm_jc_ip_str(lo, a, sizeof(a)), lm_jc_ip_str(hi, b, sizeof(b)));
	} else if ((uint64_t)hi - lo + 1 > PLAN_CLIENT_IPS_MAX) {
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "range holds %" PRIu64 " addresses, more than %u",
				(uint64_t)hi - lo + 1, PLAN_CLIENT_IPS_MAX);
	} else {
		p->client_ip = lo;
		p->n_client_ips = hi - lo + 1;
	}
out:
	lm_jc_pop(c, saved);
	return rc;
}

static int
parse_port(struct lm_jc *c, json_t *o, struct lm_plan_port *p)
{
	json_t *v[PORT_N];
	long long prefix = PLAN_DEFAULT_PREFIX;
	char a[16], b[16];
	size_t saved;
	int rc;

	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, port_keys, PORT_N, v);
	if (rc == 0)
		rc = lm_jc_get_ipv4(c, "ip", v[PORT_IP], &p->ip);
	if (rc == 0)
		rc = lm_jc_get_int(c, "prefix", v[PORT_PREFIX], 1, 32, &prefix);
	if (rc != 0)
		return rc;
	p->prefix = (uint8_t)prefix;
	p->client_ip = p->ip;
	p->n_client_ips = 1;
	if (v[PORT_CLIENT_IPS] != NULL) {
		rc = parse_client_ips(c, v[PORT_CLIENT_IPS], p);
		if (rc != 0)
			return rc;
	}
	if (v[PORT_GATEWAY] == NULL)
		return 0;
	rc = lm_jc_get_ipv4(c, "gateway", v[PORT_GATEWAY], &p->gateway);
	if (rc != 0)
		return rc;
	saved = lm_jc_push_key(c, "gateway");
	if (p->gateway == p->ip)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"gateway %s is this port's own address",
				lm_jc_ip_str(p->gateway, a, sizeof(a)));
	else if (p->gateway - p->client_ip < p->n_client_ips)
		rc = lm_jc_fail(c, LM_JC_AT_VALUE,
				"gateway %s is among the port's client_ips",
				lm_jc_ip_str(p->gateway, a, sizeof(a)));
	else if (!on_link(p, p->gateway))
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, "gateway %s is not inside %s/%u",
				lm_jc_ip_str(p->gateway, a, sizeof(a)),
				lm_jc_ip_str(p->ip, b, sizeof(b)), p->prefix);
	lm_jc_pop(c, saved);
	return rc;
}

int
lm_plan_parse_ports(struct lm_jc *c, json_t *a, struct lm_plan *plan)
{
	size_t i, j, saved, s2;
	char buf[16];
	int rc;

	rc = lm_jc_check_count(c, a, LM_MAX_PORTS);
	if (rc != 0)
		return rc;
	for (i = 0; i < json_array_size(a); i++) {
		saved = lm_jc_push_index(c, i);
		rc = parse_port(c, json_array_get(a, i), &plan->ports[i]);
		for (j = 0; rc == 0 && j < i; j++) {
			if (plan->ports[j].ip != plan->ports[i].ip)
				continue;
			s2 = lm_jc_push_key(c, "ip");
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"%s is already the address of ports[%zu]",
					lm_jc_ip_str(plan->ports[i].ip, buf,
						     sizeof(buf)), j);
			lm_jc_pop(c, s2);
		}
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
		plan->n_ports = (uint32_t)i + 1;
	}
	return 0;
}

enum { TARGET_IP, TARGET_PORT, TARGET_IP_LAST, TARGET_PORT_LAST, TARGET_N };
static const struct lm_jc_key target_keys[TARGET_N] = {
	[TARGET_IP] = { "ip", LM_JT_STRING, true },
	[TARGET_PORT] = { "port", LM_JT_INTEGER, false },
	[TARGET_IP_LAST] = { "ip_last", LM_JT_STRING, false },
	[TARGET_PORT_LAST] = { "port_last", LM_JT_INTEGER, false },
};

int
lm_plan_check_peer(struct lm_jc *c, const struct lm_plan *plan, uint32_t ip)
{
	const struct lm_plan_port *p0 = &plan->ports[0];
	char a[16], b[16];
	uint32_t i;

	for (i = 0; i < plan->n_ports; i++) {
		if (plan->ports[i].ip != ip)
			continue;
		/*
		 * Our client and our servers on two sides of a gateway: what
		 * leaves ports[0] comes back on the port that serves. Not
		 * ports[0] itself: nothing sent there comes back to it.
		 */
		if (i > 0 && lm_plan_serves_port(plan, i))
			break;
		if (i > 0)
			return lm_jc_fail(c, LM_JC_AT_VALUE,
					  "%s is our own address (ports[%u].ip), where no server of the plan listens",
					  lm_jc_ip_str(ip, a, sizeof(a)), i);
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "%s is our own address (ports[%u].ip)",
				  lm_jc_ip_str(ip, a, sizeof(a)), i);
	}
	/* ports[0] is the port that reaches the target: on-link or via its gateway */
	if (!on_link(p0, ip) && p0->gateway == 0)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "%s is not inside ports[0] (%s/%u), so ports[0] needs a gateway",
				  lm_jc_ip_str(ip, a, sizeof(a)),
				  lm_jc_ip_str(p0->ip, b, sizeof(b)), p0->prefix);
	return 0;
}

/*
 * The most addresses a target range may hold: each is resolved at start and
 * keeps an entry of the worker's ARP table (LM_ARP_SLOTS, 256, with room
 * left for gateways).
 */
#define PLAN_TARGET_IPS_MAX 128

int
lm_plan_parse_target(struct lm_jc *c, json_t *o, struct lm_plan *plan)
{
	struct lm_plan_target *t = &plan->target;
	json_t *v[TARGET_N];
	long long port = PLAN_DEFAULT_PORT;
	size_t saved;
	int rc;

	rc = lm_jc_check_members(c, o, target_keys, TARGET_N, v);
	if (rc == 0)
		rc = lm_jc_get_ipv4(c, "ip", v[TARGET_IP], &t->ip);
	if (rc == 0)
		rc = lm_jc_get_int(c, "port", v[TARGET_PORT], 1, 65535, &port);
	if (rc != 0)
		return rc;
	t->port = (uint16_t)port;
	t->n_ips = 1;
	t->n_ports = 1;
	saved = lm_jc_push_key(c, "ip");
	rc = lm_plan_check_peer(c, plan, t->ip);
	lm_jc_pop(c, saved);
	if (rc == 0 && v[TARGET_IP_LAST] != NULL) {
		uint32_t last;
		char a[16], b[16];

		rc = lm_jc_get_ipv4(c, "ip_last", v[TARGET_IP_LAST], &last);
		saved = lm_jc_push_key(c, "ip_last");
		if (rc == 0 && last < t->ip)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE, "%s is before ip %s",
					lm_jc_ip_str(last, a, sizeof(a)),
					lm_jc_ip_str(t->ip, b, sizeof(b)));
		else if (rc == 0 && last - t->ip >= PLAN_TARGET_IPS_MAX)
			rc = lm_jc_fail(c, LM_JC_AT_VALUE,
					"the range holds %u addresses, more than %u",
					last - t->ip + 1, PLAN_TARGET_IPS_MAX);
		/* every address must be reachable the same way as the first */
		for (uint32_t ip = t->ip + 1; rc == 0 && ip <= last && ip > t->ip; ip++)
			rc = lm_plan_check_peer(c, plan, ip);
		if (rc == 0)
			t->n_ips = last - t->ip + 1;
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[TARGET_PORT_LAST] != NULL) {
		long long last;

		rc = lm_jc_get_int(c, "port_last", v[TARGET_PORT_LAST], port, 65535, &last);
		if (rc == 0)
			t->n_ports = (uint32_t)(last - port + 1);
	}
	return rc;
}
