/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the layers under TCP as the worker runs them: ARP
 * (RFC 826) and ICMP echo (RFC 792).
 *
 * The harness (tcp_harness.h) plays the peer and runs the worker on
 * virtual time; each test says which RFC requirement it checks.
 */
#include "tcp_harness.h"

/* ------------------------------------------------------------------ */
/* ARP and ICMP */

/*
 * An ARP request for our address is answered (RFC 826 "packet
 * reception"): op reply, our MAC and IP as sender, the requester as
 * target, sent to the requester's MAC; and the requester is learned.
 * A request for an address not ours gets no answer and teaches nothing.
 */
static void
test_arp_request_answered(void **state)
{
	struct lm_worker *w = env.w;
	const struct out_frame *f;

	assert_false(lm_arp_resolved(w, 0, rte_cpu_to_be_32(OTHER_IP)));
	inject_arp(RTE_ARP_OP_REQUEST, &other_mac, OTHER_IP, &zero_mac, OUR_IP,
		   &bcast_mac);
	real_poll();
	f = one_out();
	assert_int_equal(f->ether_type, RTE_ETHER_TYPE_ARP);
	assert_true(rte_is_same_ether_addr(&f->eth_dst, &other_mac));
	assert_int_equal(f->arp_op, RTE_ARP_OP_REPLY);
	assert_true(rte_is_same_ether_addr(&f->arp_sha, &env.nif.mac));
	assert_int_equal(f->arp_sip, OUR_IP);
	assert_true(rte_is_same_ether_addr(&f->arp_tha, &other_mac));
	assert_int_equal(f->arp_tip, OTHER_IP);
	assert_true(lm_arp_resolved(w, 0, rte_cpu_to_be_32(OTHER_IP)));

	inject_arp(RTE_ARP_OP_REQUEST, &stranger_mac, STRANGER_IP, &zero_mac,
		   IP4(198, 18, 0, 9), &bcast_mac);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_false(lm_arp_resolved(w, 0, rte_cpu_to_be_32(STRANGER_IP)));
}

/*
 * An echo request to our address gets an echo reply with the same
 * identifier, sequence number and data (RFC 792; RFC 1122 3.2.2.6), a
 * valid ICMP checksum (even and odd lengths) and a valid IP header,
 * back to the sender's MAC. A request with a bad checksum is dropped.
 */
static void
test_icmp_echo_reply(void **state)
{
	struct lm_worker *w = env.w;
	uint64_t echo0 = w->ctr->icmp_echo;
	static const uint32_t lens[] = { 56, 57 };
	const struct out_frame *f;

	for (unsigned int k = 0; k < RTE_DIM(lens); k++) {
		inject_echo(0x1234, (uint16_t)(7 + k), lens[k], false);
		real_poll();
		f = one_out();
		assert_true(rte_is_same_ether_addr(&f->eth_dst, &peer_mac));
		assert_int_equal(f->ether_type, RTE_ETHER_TYPE_IPV4);
		assert_int_equal(f->proto, IPPROTO_ICMP);
		assert_int_equal(f->ip_src, OUR_IP);
		assert_int_equal(f->ip_dst, PEER_IP);
		assert_true(f->ip_csum_ok);
		assert_int_equal(f->icmp_type, RTE_IP_ICMP_ECHO_REPLY);
		assert_int_equal(f->icmp_code, 0);
		assert_int_equal(f->icmp_id, 0x1234);
		assert_int_equal(f->icmp_seq, 7 + k);
		assert_true(f->icmp_csum_ok);
		assert_int_equal(f->paylen, lens[k]);
		for (uint32_t i = 0; i < lens[k]; i++)
			assert_int_equal(f->payload[i], (uint8_t)(i * 31 + 1));
	}
	assert_int_equal(w->ctr->icmp_echo, echo0 + 2);

	inject_echo(0x1234, 9, 56, true);
	real_poll();
	assert_int_equal(env.n_out, 0);
	assert_int_equal(w->ctr->icmp_echo, echo0 + 2);
}

/* ------------------------------------------------------------------ */

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_arp_request_answered),
		T(test_icmp_echo_reply),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
