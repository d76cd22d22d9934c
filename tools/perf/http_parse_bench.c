/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Cost of the HTTP/1.1 response parser (app/http_parse.c) per response and
 * of the request parser (app/http_req_parse.c) per request, in TSC cycles
 * (tools/bench --parse runs it): the client's worker parses one response
 * per request, the server's worker one request, and in the keep-alive
 * benchmarks each parser is a large item of its worker's profile. No DPDK
 * port, no EAL: only the parsers and rte_rdtsc().
 *
 * Each case feeds the same message over and over to a parser initialised
 * as a session (or a server connection) does, in the pieces the case
 * names, and prints the median of several rounds in cycles (and ns) per
 * message.
 *
 *   lm-http-parse-bench [ITERATIONS [CASE]]   (CASE: run only that one, from 0)
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>

#include "app/http_parse.h"
#include "app/http_req_parse.h"
#include "util/crc32c.h"

/* The head nginx sends for a static file, with a 100-byte body. */
static const char nginx_head[] =
	"HTTP/1.1 200 OK\r\n"
	"Server: nginx/1.22.1\r\n"
	"Date: Tue, 14 May 2024 10:00:00 GMT\r\n"
	"Content-Type: text/html\r\n"
	"Content-Length: 100\r\n"
	"Last-Modified: Tue, 14 May 2024 09:00:00 GMT\r\n"
	"Connection: keep-alive\r\n"
	"ETag: \"66433720-64\"\r\n"
	"Accept-Ranges: bytes\r\n"
	"\r\n";

/* The same body, chunked in two (what a dynamic back end may send). */
static const char chunked_head[] =
	"HTTP/1.1 200 OK\r\n"
	"Server: nginx/1.22.1\r\n"
	"Date: Tue, 14 May 2024 10:00:00 GMT\r\n"
	"Content-Type: text/html\r\n"
	"Transfer-Encoding: chunked\r\n"
	"Connection: keep-alive\r\n"
	"\r\n";

/*
 * Requests, as our server receives them: wrk's, our own client's (a plan's
 * GET with the Host and User-Agent it adds), curl's, a browser's
 * navigation, and a POST of 100 bytes with each framing.
 */
static const char wrk_req[] =
	"GET / HTTP/1.1\r\n"
	"Host: 198.18.0.2:80\r\n"
	"\r\n";

static const char lm_req[] =
	"GET /small.bin HTTP/1.1\r\n"
	"Host: 198.18.0.2\r\n"
	"User-Agent: lemmings-dp/0.1\r\n"
	"\r\n";

static const char curl_req[] =
	"GET /index.html HTTP/1.1\r\n"
	"Host: 198.18.0.2\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Accept: */*\r\n"
	"\r\n";

static const char browser_req[] =
	"GET /static/app.js?v=3 HTTP/1.1\r\n"
	"Host: 198.18.0.2\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) "
	"Gecko/20100101 Firefox/125.0\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,"
	"*/*;q=0.8\r\n"
	"Accept-Language: en-US,en;q=0.5\r\n"
	"Accept-Encoding: gzip, deflate\r\n"
	"Connection: keep-alive\r\n"
	"Cookie: session=4f1c2a9e7b3d4c5a8e6f; theme=dark\r\n"
	"Upgrade-Insecure-Requests: 1\r\n"
	"Sec-Fetch-Dest: document\r\n"
	"Sec-Fetch-Mode: navigate\r\n"
	"Sec-Fetch-Site: none\r\n"
	"Sec-Fetch-User: ?1\r\n"
	"\r\n";

static const char post_req[] =
	"POST /api/items HTTP/1.1\r\n"
	"Host: 198.18.0.2\r\n"
	"User-Agent: lemmings-dp/0.1\r\n"
	"Content-Type: application/json\r\n"
	"Content-Length: 100\r\n"
	"\r\n";

static const char post_chunked_req[] =
	"POST /api/items HTTP/1.1\r\n"
	"Host: 198.18.0.2\r\n"
	"User-Agent: curl/7.88.1\r\n"
	"Content-Type: application/json\r\n"
	"Transfer-Encoding: chunked\r\n"
	"\r\n";

#define BODY_LEN 100
#define ROUNDS 7

struct bench_case {
	const char *name;
	const uint8_t *resp;    /* the response, or the request if req */
	size_t len;
	size_t piece;           /* feed in pieces of this many bytes, 0: whole */
	bool crc;
	bool req;               /* a request, for the request parser */
	uint32_t body;          /* the request's body bytes */
	uint32_t iters;
};

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

static double
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* TSC ticks per ns, measured against the monotonic clock over 50 ms. */
static double
tsc_per_ns(void)
{
	double t0 = now_ns(), t1;
	uint64_t c0 = rte_rdtsc(), c1;

	do {
		t1 = now_ns();
	} while (t1 - t0 < 50e6);
	c1 = rte_rdtsc();
	return (double)(c1 - c0) / (t1 - t0);
}

/* One round: cycles per response. Checks every response, so that a parser
 * that stopped parsing cannot look fast. */
static uint64_t
run_req_round(const struct bench_case *c)
{
	struct lm_http_req_parser p;
	uint64_t t0, t1;
	size_t off, n = 0;

	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < c->iters; i++) {
		lm_http_req_init(&p);
		for (off = 0; off < c->len; off += n) {
			n = c->piece ? c->piece : c->len;
			if (n > c->len - off)
				n = c->len - off;
			n = lm_http_req_feed(&p, c->resp + off, n);
			if (p.state >= LM_HTTP_REQ_S_DONE)
				break;
		}
		/* done in the last piece, having taken all of it */
		if (!lm_http_req_done(&p) || p.body_bytes != c->body ||
		    off + n != c->len || p.path_len == 0) {
			fprintf(stderr, "%s: request not parsed (state %u err %s)\n",
				c->name, p.state, lm_http_req_err_name(p.err));
			exit(1);
		}
	}
	t1 = rte_rdtsc();
	return (t1 - t0) / c->iters;
}

static uint64_t
run_round(const struct bench_case *c, uint32_t *crc_out)
{
	struct lm_http_resp_parser p;
	uint32_t crc = LM_CRC32C_INIT;
	uint64_t t0, t1;
	size_t off, n;

	*crc_out = 0;
	if (c->req)
		return run_req_round(c);
	t0 = rte_rdtsc();
	for (uint32_t i = 0; i < c->iters; i++) {
		lm_http_resp_init(&p, false);
		for (off = 0; off < c->len; off += n) {
			n = c->piece ? c->piece : c->len;
			if (n > c->len - off)
				n = c->len - off;
			n = lm_http_resp_feed_crc(&p, c->resp + off, n,
						  c->crc ? &crc : NULL);
			if (p.state >= LM_HTTP_S_DONE)
				break;
		}
		if (!lm_http_resp_done(&p) || p.body_bytes != BODY_LEN ||
		    p.total_bytes != c->len) {
			fprintf(stderr, "%s: response not parsed (state %u err %s)\n",
				c->name, p.state, lm_http_perr_name(p.err));
			exit(1);
		}
	}
	t1 = rte_rdtsc();
	*crc_out = crc;
	return (t1 - t0) / c->iters;
}

static size_t
build(uint8_t *out, const char *head, bool chunked)
{
	size_t n = strlen(head);

	memcpy(out, head, n);
	if (chunked) {
		/* 0x40 + 0x24 = 100 bytes */
		memcpy(out + n, "40\r\n", 4);
		n += 4;
		memset(out + n, 'b', 0x40);
		n += 0x40;
		memcpy(out + n, "\r\n24\r\n", 6);
		n += 6;
		memset(out + n, 'b', 0x24);
		n += 0x24;
		memcpy(out + n, "\r\n0\r\n\r\n", 7);
		n += 7;
	} else {
		memset(out + n, 'b', BODY_LEN);
		n += BODY_LEN;
	}
	return n;
}

int
main(int argc, char **argv)
{
	uint32_t iters = argc > 1 ? (uint32_t)atoi(argv[1]) : 200000;
	int only = argc > 2 ? atoi(argv[2]) : -1; /* one case (for perf) */
	static uint8_t nginx[512], chunked[512], post[512], post_ch[512];
	size_t nl = build(nginx, nginx_head, false);
	size_t cl = build(chunked, chunked_head, true);
	size_t pl = build(post, post_req, false);
	size_t pcl = build(post_ch, post_chunked_req, true);
#define REQ(s) (const uint8_t *)(s), sizeof(s) - 1
	const struct bench_case cases[] = {
		{ "nginx head + 100 B body, one piece", nginx, nl, 0, false,
		  false, 0, iters },
		{ "nginx head + 100 B body, one piece, body CRC", nginx, nl, 0,
		  true, false, 0, iters },
		{ "nginx head + 100 B body, 64-byte pieces, body CRC", nginx,
		  nl, 64, true, false, 0, iters },
		{ "chunked head + 2 chunks (100 B), one piece, body CRC",
		  chunked, cl, 0, true, false, 0, iters },
		{ "nginx head + 100 B body, one byte at a time", nginx, nl, 1,
		  false, false, 0, iters / 10 },
		{ "request: wrk's GET", REQ(wrk_req), 0, false, true, 0,
		  iters },
		{ "request: our client's GET", REQ(lm_req), 0, false, true, 0,
		  iters },
		{ "request: curl's GET", REQ(curl_req), 0, false, true, 0,
		  iters },
		{ "request: a browser's GET", REQ(browser_req), 0, false, true,
		  0, iters },
		{ "request: a browser's GET, 64-byte pieces", REQ(browser_req),
		  64, false, true, 0, iters },
		{ "request: POST, Content-Length 100", post, pl, 0, false, true,
		  BODY_LEN, iters },
		{ "request: POST, chunked (2 chunks, 100 B)", post_ch, pcl, 0,
		  false, true, BODY_LEN, iters },
		{ "request: a browser's GET, one byte at a time",
		  REQ(browser_req), 1, false, true, 0, iters / 10 },
	};
	double hz = tsc_per_ns();
	uint32_t sink = 0;

	if (iters == 0)
		return 1;
	printf("# lm-http-parse-bench: cycles (TSC) per response or request, "
	       "median of %d rounds; head %zu bytes (chunked head %zu); "
	       "requests: browser's head %zu bytes\n", ROUNDS,
	       strlen(nginx_head), strlen(chunked_head), strlen(browser_req));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t r[ROUNDS];
		uint32_t crc;

		if (only >= 0 && (size_t)only != i)
			continue;
		for (int k = 0; k < ROUNDS; k++) {
			r[k] = run_round(&cases[i], &crc);
			sink += crc;
		}
		qsort(r, ROUNDS, sizeof(r[0]), cmp_u64);
		printf("%-56s %7" PRIu64 " cycles %8.1f ns  (%zu bytes, min %" PRIu64
		       ")\n", cases[i].name, r[ROUNDS / 2],
		       (double)r[ROUNDS / 2] / hz, cases[i].len, r[0]);
	}
	return sink == 1 ? 2 : 0;
}
