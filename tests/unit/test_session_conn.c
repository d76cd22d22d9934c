/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTTP client's use of its connections against servers that misbehave
 * (gen/session.c over the real TCP): a user runs a one-step scenario (GET
 * /x) over the TCP harness, the test plays the server byte by byte, and
 * checks which connection each request goes on and how each step is
 * counted. What tests/func/test_hostile_http.sh found, held here:
 *  - a Connection: close response with a RST right behind it: the next
 *    connection is kept alive for the requests after it;
 *  - a 101 nobody asked for: the connection is never used for HTTP again;
 *  - a head past the parser's limits fails as head_too_large, garbage as
 *    protocol, and the connection is reset.
 */
#include "tcp_harness.h"

#include "gen/session.h"

static const char plan_text[] =
	"{\"ports\": [{\"ip\": \"198.18.0.1\"}],"
	" \"target\": {\"ip\": \"198.18.0.2\"},"
	/* 2 users: worker 1 of 3 runs one of them */
	" \"load\": {\"users\": 2, \"duration_s\": 60},"
	" \"scenarios\": [{\"name\": \"s\", \"steps\": [{\"name\": \"get\","
	"   \"http\": {\"path\": \"/x\"}}]}]}";

static struct lm_plan *plan;
static uint64_t base[LM_ERR_MAX + 2];  /* the step's ok, failed, errors before */

static const struct lm_step_stats *
stats(void)
{
	return &env.w->stats.steps[0];
}

/* Start the user: its first request opens a connection, c. */
static void
user_start(void)
{
	char err[256];

	plan = lm_plan_load_text(plan_text, sizeof(plan_text) - 1, "t.json",
				 err, sizeof(err));
	assert_non_null(plan);
	env.w->plan = plan;
	assert_int_equal(lm_gen_init(env.w, 0, 1, 0), 0);
	base[0] = stats()->ok;
	base[1] = stats()->failed;
	for (int e = 0; e < LM_ERR_MAX; e++)
		base[2 + e] = stats()->errors[e];
	env.w->now = env.now;
	lm_gen_start(env.w);
}

static void
user_stop(void)
{
	lm_gen_quit(env.w);
	lm_gen_fini(env.w);
	env.w->plan = &env.plan;
	lm_plan_free(plan);
	plan = NULL;
}

/* The SYN of a new connection in this pass's frames: c learns it. */
static void
take_syn(struct conn *c)
{
	bool found = false;

	for (unsigned int i = 0; i < env.n_out; i++) {
		const struct out_frame *f = &env.out[i];

		if (f->ether_type != RTE_ETHER_TYPE_IPV4 || f->flags != TH_SYN)
			continue;
		assert_false(found);
		memset(c, 0, sizeof(*c));
		c->lport = f->sport;
		c->iss = f->seq;
		found = true;
	}
	assert_true(found);
}

/* Accept c (SYN-ACK) and take its request: returns the request's length. */
static uint32_t
accept_request(struct conn *c, uint32_t irs, uint32_t req_off)
{
	const struct out_frame *f = NULL;

	c->irs = irs;
	if (req_off == 0) {
		struct seg s = {
			.sport = PEER_PORT, .dport = c->lport, .seq = irs,
			.ack = c->iss + 1, .flags = TH_SYN | TH_ACK,
			.win = WND_MAX, .mss = OUR_MSS,
		};

		peer_send(&s);
		pass();
	}
	for (unsigned int i = 0; i < env.n_out; i++)
		if (is_seg_of(&env.out[i], c) && env.out[i].paylen > 0)
			f = &env.out[i];
	assert_non_null(f);
	assert_int_equal(f->seq, SND(c, req_off));
	assert_memory_equal(f->payload, "GET /x HTTP/1.1\r\n", 17);
	return f->paylen;
}

/* The server's bytes on c at its stream offset off, ACKing our ack_off. */
static void
answer(struct conn *c, uint32_t off, uint32_t ack_off, const char *text,
       uint8_t more_flags)
{
	struct seg s = {
		.sport = PEER_PORT, .dport = c->lport, .seq = RCV(c, off),
		.ack = SND(c, ack_off), .flags = TH_ACK | TH_PSH | more_flags,
		.win = WND_MAX, .len = (uint32_t)strlen(text),
		.payload = (const uint8_t *)text,
	};

	peer_send(&s);
}

static bool
sent_flag(const struct conn *c, uint8_t flag)
{
	for (unsigned int i = 0; i < env.n_out; i++)
		if (is_seg_of(&env.out[i], c) && (env.out[i].flags & flag))
			return true;
	return false;
}

static bool
sent_data(const struct conn *c)
{
	for (unsigned int i = 0; i < env.n_out; i++)
		if (is_seg_of(&env.out[i], c) && env.out[i].paylen > 0)
			return true;
	return false;
}

/*
 * "Connection: close" and a RST right behind it, in one burst: the
 * response counts (ok), TCP has already taken the connection away when
 * the step ends, and the next connection must start afresh: kept alive
 * after its response, the request after it goes on the same one.
 */
static void
test_close_then_rst(void **state)
{
	static const char close_resp[] =
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
	static const char ok_resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
	struct conn *a = &conns[0], *b = &conns[1];
	uint32_t n1, n2;

	user_start();
	pass();
	take_syn(a);
	n1 = accept_request(a, 0x10000000, 0);
	answer(a, 0, n1, close_resp, 0);
	peer_seg(a, TH_RST | TH_ACK, RCV(a, sizeof(close_resp) - 1), SND(a, n1),
		 0, 0);
	pass();
	assert_int_equal(stats()->ok - base[0], 1);
	/* the next run, on a new connection */
	take_syn(b);
	n2 = accept_request(b, 0x20000000, 0);
	answer(b, 0, n2, ok_resp, 0);
	pass();
	assert_int_equal(stats()->ok - base[0], 2);
	/* kept alive: the third request goes on b, neither FIN nor SYN */
	assert_false(sent_flag(b, TH_FIN));
	assert_false(sent_flag(b, TH_RST));
	assert_int_equal(accept_request(b, 0x20000000, n2), n2);
	assert_int_equal(stats()->failed - base[1], 0);
	user_stop();
}

/*
 * A 101 to a request that asked for no upgrade: the status is not a
 * success (status), and from the byte after its head the connection speaks
 * another protocol: closed, and the next request on a new one.
 */
static void
test_upgrade_not_reused(void **state)
{
	static const char up[] = "HTTP/1.1 101 Switching Protocols\r\n"
		"Connection: Upgrade\r\nUpgrade: other/1\r\n\r\n";
	struct conn *a = &conns[0], *b = &conns[1];
	uint32_t n1;

	user_start();
	pass();
	take_syn(a);
	n1 = accept_request(a, 0x30000000, 0);
	answer(a, 0, n1, up, 0);
	pass();
	assert_int_equal(stats()->errors[LM_ERR_STATUS] - base[2 + LM_ERR_STATUS], 1);
	assert_false(sent_data(a));
	assert_true(sent_flag(a, TH_FIN));
	take_syn(b);
	user_stop();
}

/* A response that fails the parser: its error's name, and a RST. */
static void
bad_response(const char *const *pieces, unsigned int n, enum lm_err want)
{
	struct conn *a = &conns[0];
	uint32_t n1, off = 0;

	user_start();
	pass();
	take_syn(a);
	n1 = accept_request(a, 0x40000000, 0);
	for (unsigned int i = 0; i < n; i++) {
		assert_false(sent_flag(a, TH_RST));
		answer(a, off, n1, pieces[i], 0);
		off += (uint32_t)strlen(pieces[i]);
		pass();
	}
	assert_true(sent_flag(a, TH_RST));
	assert_int_equal(stats()->failed - base[1], 1);
	assert_int_equal(stats()->errors[want] - base[2 + want], 1);
	user_stop();
}

/* 80 fields of 1000 bytes, a segment each: past the 64 KiB of a head */
static void
test_head_too_large(void **state)
{
	static char field[1100];
	const char *pieces[81];

	memset(field, 'b', sizeof(field));
	memcpy(field, "X-Pad: ", 7);
	memcpy(field + 1000, "\r\n", 3);
	pieces[0] = "HTTP/1.1 200 OK\r\n";
	for (unsigned int i = 1; i < RTE_DIM(pieces); i++)
		pieces[i] = field;
	/* the 66th field crosses the limit: the pieces after it are not sent */
	bad_response(pieces, 67, LM_ERR_HEAD_TOO_LARGE);
}

static void
test_garbage_is_protocol(void **state)
{
	const char *pieces[] = { "HTTP/1.1 2x0 OK\r\n\r\n" };

	bad_response(pieces, 1, LM_ERR_PROTOCOL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_close_then_rst),
		T(test_upgrade_not_reused),
		T(test_head_too_large),
		T(test_garbage_is_protocol),
		T(test_no_mbuf_leak),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
