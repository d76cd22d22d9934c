/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request parser's fast paths change nothing but its speed.
 *
 * dataplane/app/http_req_parse.c reads whole lines in one go where a piece
 * holds them, and leaves the rest to its byte-at-a-time state machine. Here
 * it is held against tests/unit/http_req_parse_ref.c, the parser as it was
 * before the fast paths (the state machine alone): every request, real,
 * odd, or mutated, is fed to the reference in one piece, and to the parser
 * whole, split in two at every position (and in three at many), one byte
 * at a time and in random pieces; each way must end with the same parser
 * state field for field (internal fields too), the same bytes consumed for
 * this request and for the pipelined one after it, and the same result of
 * the close. Realistic requests are also checked against what they mean.
 *
 * Here: the requests of real clients, odd and broken ones, mutations of the
 * real ones, and proof that the inputs reach every fast path. Generated
 * requests and the limits: test_http_req_parse_gen.c. The harness:
 * http_req_parse_equiv.[ch].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/fnv.h"
#include "util/splitmix.h"

#include "http_req_parse_equiv.h"

/* ------------------------------------------------------------------ */
/* requests clients send, and what they mean */

#define M(x) LM_HTTP_REQ_M_##x
#define NO_CL (-1)

struct real_case {
	const char *name;
	const char *head;       /* the head (or all, if body is NULL) */
	const char *body;       /* the bytes after it, NULL: body_len 'b's */
	size_t body_len;
	int method;
	const char *path;       /* what is hashed */
	bool http10, conn_close, expect_continue, chunked;
	int64_t cl;
	uint64_t payload;       /* body_bytes */
};

#define UA_FF "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:125.0) " \
	"Gecko/20100101 Firefox/125.0\r\n"

static const struct real_case real_cases[] = {
	{ "wrk", "GET / HTTP/1.1\r\nHost: 198.18.0.2:80\r\n\r\n", "", 0,
	  M(GET), "/", false, false, false, false, NO_CL, 0 },
	{ "lemmings_get", "GET /small.bin HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  "User-Agent: lemmings-dp/0.1\r\n\r\n", "", 0, M(GET), "/small.bin",
	  false, false, false, false, NO_CL, 0 },
	{ "lemmings_post", "POST /api/items?x=1 HTTP/1.1\r\nHost: 198.18.0.2:8080\r\n"
	  "Content-Type: application/json\r\nAuthorization: Bearer abc.def\r\n"
	  "User-Agent: lemmings-dp/0.1\r\nContent-Length: 27\r\n\r\n",
	  "{\"name\":\"x\",\"value\":123456}", 0, M(POST), "/api/items", false,
	  false, false, false, 27, 27 },
	{ "lemmings_delete_close", "DELETE /items/42 HTTP/1.1\r\nHost: h\r\n"
	  "Connection: close\r\nUser-Agent: lemmings-dp/0.1\r\n\r\n", "", 0,
	  M(DELETE), "/items/42", false, true, false, false, NO_CL, 0 },
	{ "curl_get", "GET /index.html HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n\r\n", "", 0, M(GET),
	  "/index.html", false, false, false, false, NO_CL, 0 },
	{ "curl_post_form", "POST /form HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  "User-Agent: curl/7.88.1\r\nAccept: */*\r\nContent-Length: 7\r\n"
	  "Content-Type: application/x-www-form-urlencoded\r\n\r\n", "a=1&b=2",
	  0, M(POST), "/form", false, false, false, false, 7, 7 },
	{ "curl_put_expect", "PUT /upload/f.bin HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  "User-Agent: curl/7.88.1\r\nAccept: */*\r\nContent-Length: 300\r\n"
	  "Expect: 100-continue\r\n\r\n", NULL, 300, M(PUT), "/upload/f.bin",
	  false, false, true, false, 300, 300 },
	{ "curl_chunked_upload", "POST /up HTTP/1.1\r\nHost: h\r\n"
	  "User-Agent: curl/7.88.1\r\nAccept: */*\r\n"
	  "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n",
	  "1a\r\nabcdefghijklmnopqrstuvwxyz\r\nA\r\n0123456789\r\n0\r\n\r\n", 0,
	  M(POST), "/up", false, false, true, true, NO_CL, 36 },
	{ "curl_head", "HEAD /x HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/7.88.1\r\n"
	  "Accept: */*\r\n\r\n", "", 0, M(HEAD), "/x", false, false, false,
	  false, NO_CL, 0 },
	{ "firefox", "GET /static/app.js?v=3 HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  UA_FF "Accept: text/html,application/xhtml+xml,application/xml;"
	  "q=0.9,*/*;q=0.8\r\nAccept-Language: en-US,en;q=0.5\r\n"
	  "Accept-Encoding: gzip, deflate\r\nConnection: keep-alive\r\n"
	  "Cookie: session=4f1c2a9e7b3d4c5a8e6f; theme=dark\r\n"
	  "Upgrade-Insecure-Requests: 1\r\nSec-Fetch-Dest: document\r\n"
	  "Sec-Fetch-Mode: navigate\r\nSec-Fetch-Site: none\r\n"
	  "Sec-Fetch-User: ?1\r\n\r\n", "", 0, M(GET), "/static/app.js",
	  false, false, false, false, NO_CL, 0 },
	{ "chrome", "GET /page HTTP/1.1\r\nHost: 198.18.0.2\r\n"
	  "Connection: keep-alive\r\nCache-Control: max-age=0\r\n"
	  "sec-ch-ua: \"Chromium\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n"
	  "sec-ch-ua-mobile: ?0\r\nsec-ch-ua-platform: \"Linux\"\r\n"
	  "Upgrade-Insecure-Requests: 1\r\nUser-Agent: Mozilla/5.0 (X11; "
	  "Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
	  "Chrome/124.0.0.0 Safari/537.36\r\nAccept: text/html,*/*;q=0.8\r\n"
	  "Accept-Encoding: gzip, deflate, br\r\n"
	  "Accept-Language: en-US,en;q=0.9\r\n\r\n", "", 0, M(GET), "/page",
	  false, false, false, false, NO_CL, 0 },
	{ "ab_http10", "GET /a HTTP/1.0\r\nHost: 198.18.0.2\r\n"
	  "User-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n", "", 0, M(GET),
	  "/a", true, true, false, false, NO_CL, 0 },
	{ "ab_http10_keep_alive", "GET /a HTTP/1.0\r\nConnection: Keep-Alive\r\n"
	  "Host: 198.18.0.2\r\nUser-Agent: ApacheBench/2.3\r\nAccept: */*\r\n\r\n",
	  "", 0, M(GET), "/a", true, false, false, false, NO_CL, 0 },
	{ "http10_expect_ignored", "POST /p HTTP/1.0\r\nExpect: 100-continue\r\n"
	  "Content-Length: 3\r\n\r\n", "abc", 0, M(POST), "/p", true, true,
	  false, false, 3, 3 },
	{ "odd_casing", "PATCH /P HTTP/1.1\r\ncOnTeNt-LeNgTh:\t 4 \t\r\n"
	  "coNNection:   ClOsE\r\nEXPECT: 100-CONTINUE\r\nhost: x\r\n\r\n",
	  "abcd", 0, M(PATCH), "/P", false, true, true, false, 4, 4 },
	{ "te_upper_trailers", "POST /t HTTP/1.1\r\nTRANSFER-ENCODING: Chunked\r\n"
	  "\r\n", "3;ext=1\r\nabc\r\n0\r\nX-Checksum: 1\r\nContent-Length: 9\r\n"
	  "\r\n", 0, M(POST), "/t", false, false, false, true, NO_CL, 3 },
	{ "bare_lf", "OPTIONS /o HTTP/1.1\nHost: x\nContent-Length: 2\n\n", "ok",
	  0, M(OPTIONS), "/o", false, false, false, false, 2, 2 },
	{ "leading_crlf", "\r\n\r\nGET /l HTTP/1.1\r\nHost: x\r\n\r\n", "", 0,
	  M(GET), "/l", false, false, false, false, NO_CL, 0 },
	{ "absolute_form", "GET http://example.com:80/abs/p?q HTTP/1.1\r\n"
	  "Host: example.com\r\n\r\n", "", 0, M(GET), "/abs/p", false, false,
	  false, false, NO_CL, 0 },
	{ "absolute_no_path", "GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n",
	  "", 0, M(GET), "/", false, false, false, false, NO_CL, 0 },
	{ "options_star", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", "", 0,
	  M(OPTIONS), "*", false, false, false, false, NO_CL, 0 },
	{ "connect", "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n", "", 0,
	  M(OTHER), "h:443", false, false, false, false, NO_CL, 0 },
	{ "other_method", "PROPFIND /dav/ HTTP/1.1\r\nDepth: 1\r\n\r\n", "", 0,
	  M(OTHER), "/dav/", false, false, false, false, NO_CL, 0 },
	{ "lower_method", "get /x HTTP/1.1\r\n\r\n", "", 0, M(OTHER), "/x",
	  false, false, false, false, NO_CL, 0 },
	{ "cl_zero_list", "PUT /z HTTP/1.1\r\nContent-Length: 0, 0\r\n"
	  "Content-Length: 0\r\n\r\n", "", 0, M(PUT), "/z", false, false,
	  false, false, 0, 0 },
	{ "conn_list", "GET /c HTTP/1.1\r\nConnection: keep-alive, close\r\n"
	  "Connection: Upgrade\r\n\r\n", "", 0, M(GET), "/c", false, true,
	  false, false, NO_CL, 0 },
};

static uint8_t *
real_case_bytes(const struct real_case *c, size_t *len, size_t *first)
{
	size_t hl = strlen(c->head);
	size_t bl = c->body ? strlen(c->body) : c->body_len;
	size_t nl = strlen(NEXT);
	uint8_t *b = malloc(hl + bl + nl);

	assert_non_null(b);
	memcpy(b, c->head, hl);
	if (c->body)
		memcpy(b + hl, c->body, bl);
	else
		for (size_t i = 0; i < bl; i++)
			b[hl + i] = (uint8_t)('a' + i % 26);
	memcpy(b + hl + bl, NEXT, nl);
	*first = hl + bl;
	*len = hl + bl + nl;
	return b;
}

static void
test_real_requests(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		const struct real_case *c = &real_cases[i];
		size_t len, first;
		uint8_t *b = real_case_bytes(c, &len, &first);
		const struct lm_http_req_parser *r;
		struct outcome ref;

		run_equiv(c->name, b, len, true, 300, 60, i + 1, &ref);
		/* and the reference itself reads it as it means */
		r = &ref.p[0];
		CHECK_EQ(c->name, r->state, LM_HTTP_REQ_S_DONE);
		CHECK_EQ(c->name, r->method, c->method);
		CHECK_EQ(c->name, r->path_hash, lm_fnv1a64(c->path,
							   strlen(c->path)));
		CHECK_EQ(c->name, r->path_len, strlen(c->path));
		CHECK_EQ(c->name, r->http10, c->http10);
		CHECK_EQ(c->name, r->conn_close, c->conn_close);
		CHECK_EQ(c->name, r->expect_continue, c->expect_continue);
		CHECK_EQ(c->name, r->chunked, c->chunked);
		CHECK_EQ(c->name, r->has_length, c->cl != NO_CL);
		if (c->cl != NO_CL)
			CHECK_EQ(c->name, r->content_length, c->cl);
		CHECK_EQ(c->name, r->body_bytes, c->payload);
		CHECK_EQ(c->name, ref.used[0], first);
		CHECK_EQ(c->name, ref.p[1].state, LM_HTTP_REQ_S_DONE);
		CHECK_EQ(c->name, ref.used[1], strlen(NEXT));
		CHECK_EQ(c->name, ref.eof, -1);
		free(b);
	}
}

/* Several real requests back to back, as a pipelining client sends them:
 * every request of the stream must be read alike. */
static void
test_pipelined_stream(void **state)
{
	static const struct cutter cuts[] = {
		{ .how = CUT_WHOLE }, { .how = CUT_BYTES },
		{ .how = CUT_RANDOM, .seed = 7, .max = 40 },
		{ .how = CUT_RANDOM, .seed = 8, .max = 300 },
	};
	uint8_t buf[8192];
	size_t len = 0, i, k;

	(void)state;
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		size_t n, first;
		uint8_t *b = real_case_bytes(&real_cases[i], &n, &first);

		assert_true(len + first <= sizeof(buf));
		memcpy(buf + len, b, first);
		len += first;
		free(b);
	}
	for (k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++) {
		struct lm_http_req_parser a, r;
		struct cutter cut = cuts[k];
		size_t off = 0, roff = 0, end, got;
		int reqs = 0;

		ops_new.init(&a);
		ops_ref.init(&r);
		while (off < len) {
			end = cut.how == CUT_WHOLE ? len : off +
				(cut.how == CUT_BYTES ? 1 :
				 1 + lm_splitmix64(&cut.seed) % cut.max);
			if (end > len)
				end = len;
			while (off < end) {
				got = ops_new.feed(&a, buf + off, end - off);
				off += got;
				if (a.state != LM_HTTP_REQ_S_DONE) {
					CHECK_EQ("stream", off, end);
					break;
				}
				/* the reference reads the same request whole */
				roff += ops_ref.feed(&r, buf + roff, len - roff);
				CHECK_EQ("stream", roff, off);
				CHECK_EQ("stream", a.path_hash, r.path_hash);
				CHECK_EQ("stream", a.head_len, r.head_len);
				CHECK_EQ("stream", a.body_bytes, r.body_bytes);
				CHECK_EQ("stream", a.conn_close, r.conn_close);
				CHECK_EQ("stream", a.method, r.method);
				assert_memory_equal(&a, &r, sizeof(a));
				ops_new.init(&a);
				ops_ref.init(&r);
				reqs++;
			}
		}
		CHECK_EQ("stream", reqs, sizeof(real_cases) /
			 sizeof(real_cases[0]));
	}
}

/* ------------------------------------------------------------------ */
/* odd and broken requests: the same result, down to the error's byte */

struct odd_case {
	const char *name;
	const char *raw;
	size_t len;             /* raw may hold NULs */
	int err;                /* expected: OK_DONE, IDLE, or the error */
};

#define OK_DONE (-1)
#define IDLE (-2)       /* no request: state S_START, the close is clean */
#define RAW(s) s, sizeof(s) - 1
#define E(x) LM_HTTP_REQ_E_##x

static const struct odd_case odd_cases[] = {
	/* request-lines */
	{ "two_spaces", RAW("GET  / HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "space_after_version", RAW("GET / HTTP/1.1 \r\n\r\n"), E(REQUEST_LINE) },
	{ "no_version", RAW("GET /\r\n\r\n"), E(REQUEST_LINE) },
	{ "http_1_2", RAW("GET / HTTP/1.2\r\n\r\n"), E(VERSION) },
	{ "http_2_0", RAW("GET / HTTP/2.0\r\n\r\n"), E(VERSION) },
	{ "http_1_x", RAW("GET / HTTP/1.x\r\n\r\n"), E(REQUEST_LINE) },
	{ "lower_http", RAW("GET / http/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "tab_separator", RAW("GET\t/ HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "del_in_path", RAW("GET /a\x7f HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "utf8_in_path", RAW("GET /\xc3\xa9 HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "cr_in_path", RAW("GET /a\rb HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "cr_in_query", RAW("GET /a?b\r HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "cr_cr_lf", RAW("GET / HTTP/1.1\r\r\n\r\n"), E(REQUEST_LINE) },
	{ "cr_in_method", RAW("GE\rT / HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "query_only", RAW("GET ?a HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "star_not_options", RAW("GET * HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "empty_authority", RAW("GET http:///x HTTP/1.1\r\n\r\n"),
	  E(REQUEST_LINE) },
	{ "question_marks", RAW("GET /a??b?c HTTP/1.1\r\n\r\n"), OK_DONE },
	{ "path_all_vchars", RAW("GET /!$&'()*+,;=:@-._~%20[]\"<>\\^`{|} "
	  "HTTP/1.1\r\n\r\n"), OK_DONE },
	{ "dot_target", RAW("GET ./x HTTP/1.1\r\n\r\n"), OK_DONE },
	{ "nul_method", RAW("G\0T / HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "only_crlfs", RAW("\r\n\n\r\n"), IDLE },
	{ "lf_cr", RAW("\n\rGET / HTTP/1.1\r\n\r\n"), E(REQUEST_LINE) },
	{ "http10_bare_lf", RAW("GET / HTTP/1.0\n\n"), OK_DONE },
	/* field lines */
	{ "obs_fold", RAW("GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n"),
	  E(HEADER) },
	{ "space_first_field", RAW("GET / HTTP/1.1\r\n Host: x\r\n\r\n"),
	  E(HEADER) },
	{ "space_before_colon", RAW("GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
	  E(HEADER) },
	{ "no_colon", RAW("GET / HTTP/1.1\r\nContent-Length\r\n\r\n"), E(HEADER) },
	{ "empty_name", RAW("GET / HTTP/1.1\r\n: x\r\n\r\n"), E(HEADER) },
	{ "cr_in_name", RAW("GET / HTTP/1.1\r\nCon\rnection: close\r\n\r\n"),
	  E(HEADER) },
	{ "nul_in_name", RAW("GET / HTTP/1.1\r\nX\0Y: 1\r\n\r\n"), E(HEADER) },
	{ "cr_cr_lf_end", RAW("GET / HTTP/1.1\r\nHost: x\r\n\r\r\n"), E(HEADER) },
	{ "bare_cr_in_skipped", RAW("GET / HTTP/1.1\r\nX-A: a\rb\r\n\r\n"),
	  OK_DONE },
	{ "binary_in_skipped", RAW("GET / HTTP/1.1\r\nX-A: \x80\xff\x01\0\r\n"
	  "\r\n"), OK_DONE },
	{ "near_miss_names", RAW("GET / HTTP/1.1\r\nContent-Lengthy: 5\r\n"
	  "Content-Len: 9\r\nConnectio: close\r\nConnections: close\r\n"
	  "Expec: 100-continue\r\nExpects: 100-continue\r\nE: x\r\n"
	  "Transfer-Encodings: chunked\r\nTransfer-Encodin: chunked\r\n"
	  "T: chunked\r\nContent-Location: /\r\nCont: 1\r\n"
	  "Content-Length: 2\r\n\r\nok"), OK_DONE },
	{ "bare_cr_in_connection", RAW("GET / HTTP/1.1\r\nConnection: close\rX"
	  "\r\n\r\n"), E(HEADER) },
	/* Content-Length */
	{ "cl_dup_same", RAW("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	  "Content-Length:3\r\n\r\nabc"), OK_DONE },
	{ "cl_dup_differs", RAW("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	  "Content-Length: 4\r\n\r\nabcd"), E(CONTENT_LENGTH) },
	{ "cl_list_differs", RAW("POST / HTTP/1.1\r\nContent-Length: 3,4\r\n\r\n"),
	  E(CONTENT_LENGTH) },
	{ "cl_19_digits", RAW("POST / HTTP/1.1\r\nContent-Length: "
	  "0000000000000000002\r\n\r\nab"), OK_DONE },
	{ "cl_max", RAW("POST / HTTP/1.1\r\nContent-Length: 9223372036854775807"
	  "\r\n\r\nab"), E(EOF) },
	{ "cl_overflow", RAW("POST / HTTP/1.1\r\nContent-Length: "
	  "9223372036854775808\r\n\r\n"), E(CONTENT_LENGTH) },
	{ "cl_empty", RAW("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n"),
	  E(CONTENT_LENGTH) },
	{ "cl_plus", RAW("POST / HTTP/1.1\r\nContent-Length: +1\r\n\r\nx"),
	  E(CONTENT_LENGTH) },
	{ "cl_two_numbers", RAW("POST / HTTP/1.1\r\nContent-Length: 1 1\r\n\r\nx"),
	  E(CONTENT_LENGTH) },
	{ "cl_cr_inside", RAW("POST / HTTP/1.1\r\nContent-Length: 1\r1\r\n\r\nx"),
	  E(CONTENT_LENGTH) },
	/* Transfer-Encoding, Connection, Expect */
	{ "te_and_cl", RAW("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
	  E(TRANSFER_ENCODING) },
	{ "te_http10", RAW("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"),
	  E(TRANSFER_ENCODING) },
	{ "te_gzip", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n"),
	  E(TRANSFER_ENCODING) },
	{ "te_empty", RAW("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n"),
	  E(TRANSFER_ENCODING) },
	{ "te_gzip_chunked", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"), OK_DONE },
	{ "te_chunked_twice", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n"), E(TRANSFER_ENCODING) },
	{ "te_chunked_then_gzip", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: "
	  "chunked, gzip\r\n\r\n"), E(TRANSFER_ENCODING) },
	{ "te_chunkedx", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n"
	  "\r\n"), E(TRANSFER_ENCODING) },
	{ "conn_variants", RAW("GET / HTTP/1.1\r\nConnection: closed\r\n"
	  "Connection: clos\r\nConnection: keep\r\nConnection: close;x\r\n"
	  "Connection: x-close\r\nConnection:\r\nConnection: ,\r\n\r\n"), OK_DONE },
	{ "http10_keep_alivex", RAW("GET / HTTP/1.0\r\nConnection: keep-alivex\r\n"
	  "\r\n"), OK_DONE },
	{ "expect_variants", RAW("PUT / HTTP/1.1\r\nExpect: 100-continuex\r\n"
	  "Expect: 100\r\nExpect: 100-continue;a=b\r\nExpect: , x\r\n"
	  "Content-Length: 1\r\n\r\nx"), OK_DONE },
	{ "expect_list", RAW("PUT / HTTP/1.1\r\nExpect: foo, 100-continue\r\n"
	  "Content-Length: 1\r\n\r\nx"), OK_DONE },
	/* chunks */
	{ "chunk_16_digits", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n0000000000000001\r\nx\r\n0\r\n\r\n"), OK_DONE },
	{ "chunk_overflow", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n8000000000000000\r\n"), E(CHUNK) },
	{ "chunk_bws_ext", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1 \t; a=b\r\nx\r\n0 ;last\r\n\r\n"), OK_DONE },
	{ "chunk_bare_lf", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\nx\n0\n\n"), OK_DONE },
	{ "chunk_no_crlf", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\r\nxy\r\n"), E(CHUNK) },
	{ "chunk_size_cr_x", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\rX\r\nx\r\n"), E(CHUNK) },
	{ "chunk_empty_size", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n\r\n"), E(CHUNK) },
	{ "chunk_folded_trailer", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n0\r\nX: 1\r\n y\r\n\r\n"), E(HEADER) },
	{ "chunk_te_trailer", RAW("POST / HTTP/1.1\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n0\r\nTransfer-Encoding: gzip\r\n\r\n"), OK_DONE },
	{ "eof_in_head", RAW("GET / HTTP/1.1\r\nHost: x\r\n"), E(EOF) },
	{ "eof_in_cr", RAW("GET / HTTP/1.1\r\nHost: x\r"), E(EOF) },
	{ "eof_in_body", RAW("POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nab"),
	  E(EOF) },
};

static void
test_odd_requests(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(odd_cases) / sizeof(odd_cases[0]); i++) {
		const struct odd_case *c = &odd_cases[i];
		struct outcome ref;

		run_equiv(c->name, (const uint8_t *)c->raw, c->len, true, 200,
			  30, i + 100, &ref);
		if (c->err == OK_DONE) {
			CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_REQ_S_DONE);
		} else if (c->err == IDLE) {
			CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_REQ_S_START);
			CHECK_EQ(c->name, ref.eof, 1);
		} else {
			CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_REQ_S_ERROR);
			CHECK_EQ(c->name, ref.p[0].err, c->err);
		}
	}
}

/* Mutations of the real requests: whatever they become, the same. */
static void
test_mutated(void **state)
{
	static const char alphabet[] = "\r\n\t :;,/?*0123456789aAfFkKxX-\"";
	uint64_t rng = 42;
	size_t i;
	int m, k;

	(void)state;
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		for (m = 0; m < 60; m++) {
			size_t len, first, at;
			uint8_t *b = real_case_bytes(&real_cases[i], &len,
						     &first);
			int edits = 1 + (int)(lm_splitmix64(&rng) % 3);
			struct outcome ref;
			char name[64];

			b = realloc(b, len + 4);
			assert_non_null(b);
			for (k = 0; k < edits; k++) {
				uint8_t v = lm_splitmix64(&rng) % 4 ?
					(uint8_t)alphabet[lm_splitmix64(&rng) %
						(sizeof(alphabet) - 1)] :
					(uint8_t)lm_splitmix64(&rng);

				at = lm_splitmix64(&rng) % len;
				switch (lm_splitmix64(&rng) % 3) {
				case 0:
					b[at] = v;
					break;
				case 1:
					memmove(b + at, b + at + 1, len - at - 1);
					len--;
					break;
				default:
					memmove(b + at + 1, b + at, len - at);
					b[at] = v;
					len++;
					break;
				}
			}
			snprintf(name, sizeof(name), "%s~mut%d",
				 real_cases[i].name, m);
			run_equiv(name, b, len, len < 400, 30, 8, (uint64_t)m,
				  &ref);
			free(b);
		}
	}
}

/* ------------------------------------------------------------------ */
/* the inputs above do reach the fast paths */

static void
test_fast_paths_reached(void **state)
{
	struct cutter whole = { .how = CUT_WHOLE };
	struct outcome o;
	size_t i, len, first;
	uint8_t *b;

	(void)state;
	/* our client's GET, whole: every line of it and of the pipelined
	 * request takes a fast path */
	memset(&fast_taken, 0, sizeof(fast_taken));
	b = real_case_bytes(&real_cases[1], &len, &first);
	drive("lemmings_get", &ops_new, b, len, &whole, &o);
	free(b);
	assert_int_equal(o.p[1].state, LM_HTTP_REQ_S_DONE);
	assert_int_equal(fast_taken.request_line, 2);
	assert_int_equal(fast_taken.name, 2 + 1);
	assert_int_equal(fast_taken.skip, 2 + 1);
	assert_int_equal(fast_taken.empty, 2);
	assert_int_equal(fast_taken.cl + fast_taken.list, 0);

	/* a chunked upload: the request-line, the names, the values, the
	 * chunks and the trailers' end */
	memset(&fast_taken, 0, sizeof(fast_taken));
	b = real_case_bytes(&real_cases[7], &len, &first);
	drive("curl_chunked_upload", &ops_new, b, len, &whole, &o);
	free(b);
	assert_int_equal(o.p[1].state, LM_HTTP_REQ_S_DONE);
	assert_int_equal(fast_taken.request_line, 2);
	assert_int_equal(fast_taken.list, 2);
	assert_int_equal(fast_taken.chunk_end, 2);
	assert_int_equal(fast_taken.chunk_size, 3);
	assert_int_equal(fast_taken.empty, 3);

	/* and all of them are reached by the real requests */
	memset(&fast_taken, 0, sizeof(fast_taken));
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		b = real_case_bytes(&real_cases[i], &len, &first);
		drive(real_cases[i].name, &ops_new, b, len, &whole, &o);
		free(b);
	}
	assert_true(fast_taken.request_line > 0);
	assert_true(fast_taken.name > 0);
	assert_true(fast_taken.cl > 0);
	assert_true(fast_taken.list > 0);
	assert_true(fast_taken.skip > 0);
	assert_true(fast_taken.empty > 0);
	assert_true(fast_taken.chunk_end > 0);
	assert_true(fast_taken.chunk_size > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_paths_reached),
		cmocka_unit_test(test_real_requests),
		cmocka_unit_test(test_pipelined_stream),
		cmocka_unit_test(test_odd_requests),
		cmocka_unit_test(test_mutated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
