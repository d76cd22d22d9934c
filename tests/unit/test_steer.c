/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests: steering by the NIC (net/steer.c). The rules must send
 * every TCP port to the queue of the worker that owns it by the one
 * ownership rule (net/owner.h), checked here for every port; worker counts
 * the rules cannot serve are refused; and a device without rte_flow (a
 * net_ring port) falls back to the hand-off with nothing left on it.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <rte_byteorder.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ring.h>

#include <lm/plan.h>

#include "net/owner.h"
#include "net/steer.h"

#define OUR_IP RTE_BE32(0xc6120001u)    /* 198.18.0.1 */
#define MAX_RULES 64

static struct lm_plan_server servers[2];

/* A plan with scenarios (clients on port 0) and servers on ports 0 and 1. */
static void
plan_init(struct lm_plan *p)
{
	memset(p, 0, sizeof(*p));
	memset(servers, 0, sizeof(servers));
	p->n_ports = 2;
	p->n_scenarios = 1;
	servers[0].port = 0;
	servers[0].listen = 8080;
	servers[1].port = 1;
	servers[1].listen = 80;
	p->servers = servers;
	p->n_servers = 2;
}

static bool
matches(const struct lm_steer_rule *r, uint16_t dport, uint16_t sport)
{
	return ((rte_cpu_to_be_16(dport) ^ r->dst_port) & r->dst_port_mask) == 0 &&
		((rte_cpu_to_be_16(sport) ^ r->src_port) & r->src_port_mask) == 0;
}

/*
 * The queue a segment (dport, sport) to our address reaches: the rule
 * that matches it with the best (lowest) priority; -1 for none.
 */
static int
queue_of(const struct lm_steer_rule *r, int n, uint16_t dport, uint16_t sport)
{
	int best = -1;
	uint32_t prio = UINT32_MAX;

	for (int i = 0; i < n; i++) {
		if (!matches(&r[i], dport, sport))
			continue;
		assert_true(r[i].priority != prio);  /* never two at one level */
		if (r[i].priority < prio) {
			prio = r[i].priority;
			best = r[i].queue;
		}
	}
	return best;
}

/*
 * For 2, 4 and 8 workers: on port 0, every local port of ours reaches the
 * queue of its owner, and every client port towards our listener on 8080
 * reaches the owner of that passive connection (a listener's rules take
 * precedence over our ports' rules); port 1 has only its listener's.
 */
static void
test_rules_follow_owner(void **state)
{
	struct lm_steer_rule r[MAX_RULES];
	struct lm_plan p;

	(void)state;
	plan_init(&p);
	for (uint32_t nw = 2; nw <= 8; nw *= 2) {
		int n = lm_steer_rules(&p, 0, OUR_IP, nw, r, MAX_RULES);

		assert_int_equal(n, 2 * (int)nw);
		assert_true(lm_steer_max_rules(&p, nw) >= (uint32_t)n);
		for (int i = 0; i < n; i++)
			assert_true(r[i].queue < nw);
		for (uint32_t port = 0; port <= UINT16_MAX; port++) {
			if (port == 8080)
				continue;
			assert_int_equal(queue_of(r, n, (uint16_t)port, 80),
					 lm_flow_owner(rte_cpu_to_be_16((uint16_t)port),
						       RTE_BE16(80), false, nw));
		}
		for (uint32_t port = 0; port <= UINT16_MAX; port++)
			assert_int_equal(queue_of(r, n, 8080, (uint16_t)port),
					 lm_flow_owner(RTE_BE16(8080),
						       rte_cpu_to_be_16((uint16_t)port),
						       true, nw));
		/* the listener's rules name its address; ours any */
		for (int i = 0; i < n; i++)
			assert_int_equal(r[i].dst_addr,
					 r[i].priority == LM_STEER_PRIO_PASSIVE ?
					 OUR_IP : 0);

		n = lm_steer_rules(&p, 1, OUR_IP, nw, r, MAX_RULES);
		assert_int_equal(n, (int)nw);
		for (int i = 0; i < n; i++)
			assert_int_equal(r[i].priority, LM_STEER_PRIO_PASSIVE);
	}
}

/*
 * Linux clients connect from even ports only: their connections to our
 * listener still spread evenly over 2 and 4 workers.
 */
static void
test_even_client_ports_spread(void **state)
{
	(void)state;
	for (uint32_t nw = 2; nw <= 4; nw *= 2) {
		uint32_t per[4] = {0};

		for (uint32_t port = 32768; port < 32768 + 800; port += 2)
			per[lm_flow_owner(RTE_BE16(80), rte_cpu_to_be_16((uint16_t)port),
					  true, nw)]++;
		for (uint32_t k = 0; k < nw; k++)
			assert_int_equal(per[k], 400 / nw);
	}
}

/*
 * Nothing to steer with one worker, or on a port without TCP; a worker
 * count that is not a power of two has no mask; too small an array.
 */
static void
test_rules_refused(void **state)
{
	struct lm_steer_rule r[MAX_RULES];
	struct lm_plan p;

	(void)state;
	plan_init(&p);
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 1, r, MAX_RULES), 0);
	assert_int_equal(lm_steer_rules(&p, 2, OUR_IP, 2, r, MAX_RULES), 0);
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 3, r, MAX_RULES), -EINVAL);
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 6, r, MAX_RULES), -EINVAL);
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 4, r, 5), -ENOSPC);
	p.n_servers = 0;
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 4, r, MAX_RULES), 4);
	p.n_scenarios = 0;
	assert_int_equal(lm_steer_rules(&p, 0, OUR_IP, 4, r, MAX_RULES), 0);
}

/*
 * A port without rte_flow (net_ring, as net_af_packet or net_memif) is not
 * steered, says why, and is left without rules; three workers are refused
 * before the device is asked.
 */
static void
test_setup_falls_back(void **state)
{
	struct rte_ring *rx[2], *tx[2];
	struct lm_netif nif;
	struct lm_plan p;
	char why[256];
	int port, rc;

	(void)state;
	plan_init(&p);
	for (int i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "steer_rx%d", i);
		rx[i] = rte_ring_create(name, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "steer_tx%d", i);
		tx[i] = rte_ring_create(name, 64, 0, RING_F_SP_ENQ | RING_F_SC_DEQ);
		assert_non_null(rx[i]);
		assert_non_null(tx[i]);
	}
	port = rte_eth_from_rings("steer0", rx, 2, tx, 2, 0);
	assert_true(port >= 0);
	memset(&nif, 0, sizeof(nif));
	nif.port_id = (uint16_t)port;
	nif.ip = OUR_IP;
	nif.steered = true;

	why[0] = '\0';
	rc = lm_steer_setup(&nif, &p, 0, 2, why, sizeof(why));
	assert_true(rc < 0);
	assert_false(nif.steered);
	assert_non_null(strstr(why, "rte_flow refused rule 1 of 4"));

	why[0] = '\0';
	rc = lm_steer_setup(&nif, &p, 0, 3, why, sizeof(why));
	assert_int_equal(rc, -EINVAL);
	assert_false(nif.steered);
	assert_non_null(strstr(why, "3 workers"));

	/* one worker: nothing to do, nothing said */
	assert_int_equal(lm_steer_setup(&nif, &p, 0, 1, why, sizeof(why)), 0);
	assert_false(nif.steered);
	rte_eth_dev_close((uint16_t)port);
	for (int i = 0; i < 2; i++) {
		rte_ring_free(rx[i]);
		rte_ring_free(tx[i]);
	}
}

int
main(void)
{
	char *argv[] = {
		"test_steer", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
		"--file-prefix=lm_test_steer", "--log-level=error", "-l", "0",
	};
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules_follow_owner),
		cmocka_unit_test(test_even_client_ports_spread),
		cmocka_unit_test(test_rules_refused),
		cmocka_unit_test(test_setup_falls_back),
	};
	int rc;

	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0) {
		fprintf(stderr, "rte_eal_init: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rte_eal_cleanup();
	return rc;
}
