/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of --xdp (dataplane/bpf/steer.c): the option, the device
 * arguments, the configuration; and of the XDP program itself
 * (steer.bpf.o, $LM_XDP_STEER_OBJ), run by the kernel on crafted frames
 * with BPF_PROG_TEST_RUN: what it classifies as ours and what it passes.
 * The program's tests need the right to load BPF programs (root); without
 * it they are skipped.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <linux/bpf.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/steer.h"
#include "cli.h"

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | \
		       (uint32_t)(c) << 8 | (uint32_t)(d))

static void
parse_ok(const char *spec, const char *ifname, unsigned int queues)
{
	struct lm_xdp_port xp;
	char err[256] = "";

	assert_int_equal(lm_xdp_parse(spec, &xp, err, sizeof(err)), 0);
	assert_string_equal(xp.ifname, ifname);
	assert_int_equal(xp.queues, queues);
	assert_int_equal(xp.prog_fd, -1);
	assert_int_equal(xp.cfg_fd, -1);
	assert_int_equal(xp.stats_fd, -1);
}

static void
parse_fails(const char *spec, const char *want)
{
	struct lm_xdp_port xp;
	char err[256] = "";

	assert_int_equal(lm_xdp_parse(spec, &xp, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, want);
}

static void
test_parse(void **state)
{
	(void)state;
	parse_ok("lm-c0", "lm-c0", 1);
	parse_ok("eth0:4", "eth0", 4);
	parse_ok("enp1s0f1:256", "enp1s0f1", 256);
	parse_ok("abcdefghijklmno", "abcdefghijklmno", 1);
	parse_fails("", "\"\": no interface name (expected IFACE or IFACE:QUEUES)");
	parse_fails(":2", "\":2\": no interface name (expected IFACE or IFACE:QUEUES)");
	parse_fails("abcdefghijklmnop",
		    "\"abcdefghijklmnop\": an interface name has at most 15 characters");
	parse_fails("a,b", "\"a,b\" is not an interface name");
	parse_fails("a=b:2", "\"a=b\" is not an interface name");
	parse_fails("eth0:0", "\"eth0:0\": QUEUES must be an integer from 1 to 256");
	parse_fails("eth0:257", "\"eth0:257\": QUEUES must be an integer from 1 to 256");
	parse_fails("eth0:", "\"eth0:\": QUEUES must be an integer from 1 to 256");
	parse_fails("eth0:x", "\"eth0:x\": QUEUES must be an integer from 1 to 256");
	parse_fails("eth0:-1", "\"eth0:-1\": QUEUES must be an integer from 1 to 256");
	parse_fails("eth0:2x", "\"eth0:2x\": QUEUES must be an integer from 1 to 256");
}

static void
test_cli_option(void **state)
{
	char *argv[] = { "lemmings-dp", "--plan", "p.json", "--xdp", "lm-c0:2",
			 NULL };
	char *bad[] = { "lemmings-dp", "--plan", "p.json", "--xdp", "lm-c0:0",
			NULL };
	struct lm_cli c;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&out, &len);
	assert_non_null(f);
	assert_int_equal(lm_cli_parse(&c, 5, argv, f), 0);
	fclose(f);
	assert_string_equal(c.xdp, "lm-c0:2");
	free(out);
	f = open_memstream(&out, &len);
	assert_int_equal(lm_cli_parse(&c, 5, bad, f), -EINVAL);
	fclose(f);
	assert_string_equal(out, "error: --xdp: \"lm-c0:0\": QUEUES must be an "
			    "integer from 1 to 256\n");
	free(out);
	f = open_memstream(&out, &len);
	lm_cli_usage(f, "lemmings-dp");
	fclose(f);
	assert_non_null(strstr(out, "--xdp IFACE[:QUEUES]"));
	free(out);
}

static void
test_vdev(void **state)
{
	struct lm_xdp_port xp;
	char buf[512], err[256];

	(void)state;
	assert_int_equal(lm_xdp_parse("lm-c0:2", &xp, err, sizeof(err)), 0);
	strcpy(xp.obj, "/usr/share/lemmings-dp/steer.bpf.o");
	assert_int_equal(lm_xdp_vdev(&xp, buf, sizeof(buf), err, sizeof(err)), 0);
	assert_string_equal(buf, "--vdev=net_af_xdp_lm0,iface=lm-c0,start_queue=0,"
			    "queue_count=2,xdp_prog=/usr/share/lemmings-dp/"
			    "steer.bpf.o,busy_budget=0");
	assert_int_equal(lm_xdp_vdev(&xp, buf, 40, err, sizeof(err)),
			 -ENAMETOOLONG);
}

static void
test_prepare_no_iface(void **state)
{
	struct lm_xdp_port xp;
	char err[256];

	(void)state;
	assert_int_equal(lm_xdp_parse("lmx-nosuch9", &xp, err, sizeof(err)), 0);
	assert_int_equal(lm_xdp_prepare(&xp, stdout, err, sizeof(err)), -ENODEV);
	assert_string_equal(err, "--xdp: interface lmx-nosuch9 not found in this "
			    "network namespace");
	/* release of a port never configured does nothing */
	lm_xdp_release(&xp, stderr);
}

static void
test_cfg(void **state)
{
	struct lm_steer_cfg c;

	(void)state;
	/* the port's address alone */
	lm_xdp_cfg_build(&c, A(198, 18, 0, 1), A(198, 18, 0, 1), 1, 42);
	assert_int_equal(c.n_ranges, 1);
	assert_int_equal(c.owner_pid, 42);
	assert_int_equal(c.ranges[0].first, A(198, 18, 0, 1));
	assert_int_equal(c.ranges[0].count, 1);
	assert_int_equal(c.ranges[1].count, 0);
	/* and the clients' range */
	lm_xdp_cfg_build(&c, A(198, 18, 0, 1), A(198, 18, 0, 10), 4, 7);
	assert_int_equal(c.n_ranges, 2);
	assert_int_equal(c.ranges[1].first, A(198, 18, 0, 10));
	assert_int_equal(c.ranges[1].count, 4);
	/* no range given */
	lm_xdp_cfg_build(&c, A(198, 18, 0, 1), 0, 0, 7);
	assert_int_equal(c.n_ranges, 1);
}

/* --- the program, run by the kernel ------------------------------------ */

struct prog {
	struct bpf_object *obj;
	int prog_fd;
	int cfg_fd;
	int stats_fd;
};

static int
prog_setup(void **state)
{
	const char *path = getenv("LM_XDP_STEER_OBJ");
	struct prog *p = calloc(1, sizeof(*p));
	struct bpf_program *bp;

	assert_non_null(p);
	*state = p;
	p->prog_fd = -1;
	if (path == NULL)
		return 0;
	p->obj = bpf_object__open_file(path, NULL);
	if (p->obj == NULL || bpf_object__load(p->obj) != 0) {
		fprintf(stderr, "# %s: cannot load (%s): the program's tests "
			"are skipped\n", path, strerror(errno));
		bpf_object__close(p->obj);
		p->obj = NULL;
		return 0;
	}
	bp = bpf_object__find_program_by_name(p->obj, LM_STEER_PROG_NAME);
	assert_non_null(bp);
	p->prog_fd = bpf_program__fd(bp);
	p->cfg_fd = bpf_map__fd(bpf_object__find_map_by_name(p->obj,
							     LM_STEER_CFG_MAP));
	p->stats_fd = bpf_map__fd(bpf_object__find_map_by_name(p->obj,
							       LM_STEER_STATS_MAP));
	assert_true(p->cfg_fd >= 0 && p->stats_fd >= 0);
	assert_non_null(bpf_object__find_map_by_name(p->obj, LM_STEER_XSKS_MAP));
	return 0;
}

static int
prog_teardown(void **state)
{
	struct prog *p = *state;

	bpf_object__close(p->obj);
	free(p);
	return 0;
}

static struct lm_steer_stats
stats(const struct prog *p)
{
	int ncpu = libbpf_num_possible_cpus();
	struct lm_steer_stats *pc = calloc((size_t)ncpu, sizeof(*pc)), s;
	uint32_t key = 0;

	assert_non_null(pc);
	assert_int_equal(bpf_map_lookup_elem(p->stats_fd, &key, pc), 0);
	memset(&s, 0, sizeof(s));
	for (int i = 0; i < ncpu; i++) {
		s.ipv4_steered += pc[i].ipv4_steered;
		s.arp_steered += pc[i].arp_steered;
		s.no_socket += pc[i].no_socket;
		s.passed += pc[i].passed;
	}
	free(pc);
	return s;
}

/*
 * Run the program on frame: it must return XDP_PASS (no socket is in the
 * map here, so even what is ours falls back to the kernel), and count the
 * frame as ours (no_socket) or not (passed).
 */
static void
run(const struct prog *p, const void *frame, size_t len, bool ours)
{
	LIBBPF_OPTS(bpf_test_run_opts, o);
	struct lm_steer_stats before = stats(p), after;
	uint8_t buf[256];

	assert_true(len <= sizeof(buf));
	memcpy(buf, frame, len);
	o.data_in = buf;
	o.data_size_in = (uint32_t)len;
	o.repeat = 1;
	assert_int_equal(bpf_prog_test_run_opts(p->prog_fd, &o), 0);
	assert_int_equal(o.retval, XDP_PASS);
	after = stats(p);
	assert_int_equal(after.no_socket - before.no_socket, ours ? 1 : 0);
	assert_int_equal(after.passed - before.passed, ours ? 0 : 1);
	assert_int_equal(after.ipv4_steered, before.ipv4_steered);
	assert_int_equal(after.arp_steered, before.arp_steered);
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Ethernet + IPv4 (20 bytes) + 20 bytes of TCP, to dst. */
static size_t
ipv4_frame(uint8_t *f, uint32_t dst)
{
	memset(f, 0, 74);
	memset(f, 0xff, 6);
	f[12] = 0x08;
	f[13] = 0x00;
	f[14] = 0x45;
	f[17] = 40;
	f[22] = 64;
	f[23] = 6;
	put32(f + 26, A(198, 18, 0, 2));
	put32(f + 30, dst);
	return 54;
}

/* Ethernet + ARP for Ethernet/IPv4 with target tpa. */
static size_t
arp_frame(uint8_t *f, uint16_t op, uint32_t tpa)
{
	memset(f, 0, 60);
	memset(f, 0xff, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	f[15] = 1;		/* Ethernet */
	f[16] = 0x08;		/* IPv4 */
	f[18] = 6;
	f[19] = 4;
	f[20] = (uint8_t)(op >> 8);
	f[21] = (uint8_t)op;
	put32(f + 28, A(198, 18, 0, 2));
	put32(f + 38, tpa);
	return 60;
}

static bool
have_prog(void **state)
{
	struct prog *p = *state;

	if (p->prog_fd < 0) {
		skip();
		return false;
	}
	return true;
}

static void
set_cfg(const struct prog *p, const struct lm_steer_cfg *c)
{
	uint32_t key = 0;

	assert_int_equal(bpf_map_update_elem(p->cfg_fd, &key, c, BPF_ANY), 0);
}

static void
test_prog_unconfigured(void **state)
{
	struct prog *p = *state;
	struct lm_steer_cfg c;
	uint8_t f[128];

	if (!have_prog(state))
		return;
	/* all zero, as the PMD loads it: nothing is ours */
	memset(&c, 0, sizeof(c));
	set_cfg(p, &c);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 1)), false);
	run(p, f, arp_frame(f, 1, A(198, 18, 0, 1)), false);
}

static void
test_prog_ipv4(void **state)
{
	struct prog *p = *state;
	struct lm_steer_cfg c;
	uint8_t f[128];
	size_t n;

	if (!have_prog(state))
		return;
	lm_xdp_cfg_build(&c, A(198, 18, 0, 1), A(198, 18, 0, 10), 4, 1);
	set_cfg(p, &c);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 1)), true);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 10)), true);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 13)), true);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 14)), false);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 9)), false);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 3)), false);
	run(p, f, ipv4_frame(f, A(198, 18, 0, 2)), false);
	/* the other byte order of an address of ours is not ours */
	run(p, f, ipv4_frame(f, A(1, 0, 18, 198)), false);
	/* not version 4 */
	n = ipv4_frame(f, A(198, 18, 0, 1));
	f[14] = 0x65;
	run(p, f, n, false);
	/* cut before the destination address */
	ipv4_frame(f, A(198, 18, 0, 1));
	run(p, f, 33, false);
	/* IPv6's EtherType, VLAN-tagged: the kernel's */
	n = ipv4_frame(f, A(198, 18, 0, 1));
	f[12] = 0x86;
	f[13] = 0xdd;
	run(p, f, n, false);
	n = ipv4_frame(f, A(198, 18, 0, 1));
	f[12] = 0x81;
	f[13] = 0x00;
	run(p, f, n, false);
	/* an Ethernet header alone (the kernel runs nothing shorter) */
	ipv4_frame(f, A(198, 18, 0, 1));
	run(p, f, 14, false);
}

static void
test_prog_arp(void **state)
{
	struct prog *p = *state;
	struct lm_steer_cfg c;
	uint8_t f[128];
	size_t n;

	if (!have_prog(state))
		return;
	lm_xdp_cfg_build(&c, A(198, 18, 0, 1), A(198, 18, 0, 10), 4, 1);
	set_cfg(p, &c);
	/* requests for ours and replies to ours */
	run(p, f, arp_frame(f, 1, A(198, 18, 0, 1)), true);
	run(p, f, arp_frame(f, 2, A(198, 18, 0, 1)), true);
	run(p, f, arp_frame(f, 1, A(198, 18, 0, 12)), true);
	/* the rest of ARP is the kernel's */
	run(p, f, arp_frame(f, 1, A(198, 18, 0, 3)), false);
	run(p, f, arp_frame(f, 2, A(198, 18, 0, 3)), false);
	run(p, f, arp_frame(f, 3, A(198, 18, 0, 1)), false);
	n = arp_frame(f, 1, A(198, 18, 0, 1));
	f[19] = 16;		/* not IPv4 addresses */
	run(p, f, n, false);
	/* cut inside the target address */
	arp_frame(f, 1, A(198, 18, 0, 1));
	run(p, f, 40, false);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_cli_option),
		cmocka_unit_test(test_vdev),
		cmocka_unit_test(test_prepare_no_iface),
		cmocka_unit_test(test_cfg),
	};
	const struct CMUnitTest prog_tests[] = {
		cmocka_unit_test(test_prog_unconfigured),
		cmocka_unit_test(test_prog_ipv4),
		cmocka_unit_test(test_prog_arp),
	};
	int failed;

	libbpf_set_print(NULL);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	failed += cmocka_run_group_tests(prog_tests, prog_setup, prog_teardown);
	return failed;
}
