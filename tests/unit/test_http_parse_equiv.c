/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The response parser's fast paths change nothing but its speed.
 *
 * dataplane/app/http_parse.c reads whole lines in one go where a piece
 * holds them, and leaves the rest to its byte-at-a-time state machine. Here
 * it is held against tests/unit/http_parse_ref.c, the parser as it was
 * before the fast paths (the state machine alone): every response, real,
 * odd, generated or mutated, is fed to the reference in one piece, and to
 * the parser whole, split in two at every position (and in three at
 * many), one byte at a time and in random pieces; each way must
 * end with the same parser state field for field (internal fields too), the
 * same bytes consumed for this response and for the pipelined one after
 * it, the same result of the close, and the same body CRC. Realistic
 * responses are also checked against what they mean (status, body, CRC of
 * the body computed here).
 *
 * Here: the responses of real servers, odd and broken ones, mutations of
 * the real ones, the scans, and proof that the inputs reach every fast
 * path. Generated responses and the limits: test_http_parse_gen.c. The
 * harness: http_parse_equiv.[ch].
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app/http_framing.h"
#include "util/crc32c.h"
#include "util/splitmix.h"

#include "http_parse_equiv.h"

/* ------------------------------------------------------------------ */
/* responses servers send, and what they mean */

#define DATE "Date: Tue, 14 May 2024 10:00:00 GMT\r\n"
#define LASTMOD "Last-Modified: Tue, 14 May 2024 09:00:00 GMT\r\n"

struct real_case {
	const char *name;
	const char *head;       /* the head (or all, if body is NULL) */
	const char *body;       /* the bytes after it, NULL: body_len 'b's */
	size_t body_len;
	bool head_req;
	bool to_close;          /* body delimited by the close */
	uint16_t status;
	bool conn_close;
	const char *payload;    /* the decoded body, NULL: the body */
};

static const struct real_case real_cases[] = {
	{ "nginx_static",
	  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n" DATE
	  "Content-Type: text/html\r\nContent-Length: 100\r\n" LASTMOD
	  "Connection: keep-alive\r\nETag: \"66433720-64\"\r\n"
	  "Accept-Ranges: bytes\r\n\r\n", NULL, 100, false, false, 200,
	  false, NULL },
	{ "nginx_no_connection",
	  "HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\n" DATE
	  "Content-Type: text/html\r\nContent-Length: 100\r\n" LASTMOD
	  "ETag: \"66433720-64\"\r\nAccept-Ranges: bytes\r\n\r\n", NULL, 100,
	  false, false, 200, false, NULL },
	{ "nginx_404_close",
	  "HTTP/1.1 404 Not Found\r\nServer: nginx\r\n" DATE
	  "Content-Type: text/html\r\nContent-Length: 21\r\n"
	  "Connection: close\r\n\r\n", "<html>not found</html", 0, false,
	  false, 404, true, NULL },
	{ "nginx_chunked_gzip",
	  "HTTP/1.1 200 OK\r\nServer: nginx\r\n" DATE
	  "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
	  "Connection: keep-alive\r\nContent-Encoding: gzip\r\n\r\n",
	  "a\r\n0123456789\r\n1F\r\nabcdefghijklmnopqrstuvwxyz01234\r\n"
	  "0\r\n\r\n", 0, false, false, 200, false,
	  "0123456789abcdefghijklmnopqrstuvwxyz01234" },
	{ "lighttpd",
	  "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
	  "ETag: \"1215633548\"\r\n" LASTMOD "Content-Length: 100\r\n"
	  "Accept-Ranges: bytes\r\n" DATE "Server: lighttpd/1.4.59\r\n\r\n",
	  NULL, 100, false, false, 200, false, NULL },
	{ "apache_keep_alive",
	  "HTTP/1.1 200 OK\r\n" DATE "Server: Apache/2.4.57 (Debian)\r\n"
	  LASTMOD "ETag: \"64-5f1a1b1c1d1e0\"\r\nAccept-Ranges: bytes\r\n"
	  "Content-Length: 100\r\nVary: Accept-Encoding\r\n"
	  "Keep-Alive: timeout=5, max=100\r\nConnection: Keep-Alive\r\n"
	  "Content-Type: text/html\r\n\r\n", NULL, 100, false, false, 200,
	  false, NULL },
	{ "http10_close_delimited",
	  "HTTP/1.0 200 OK\r\nServer: SimpleHTTP/0.6 Python/3.11.2\r\n" DATE
	  "Content-type: text/html\r\n\r\n", NULL, 300, false, true, 200,
	  true, NULL },
	{ "http10_keep_alive",
	  "HTTP/1.0 200 OK\r\nCONNECTION: KEEP-ALIVE\r\nCONTENT-LENGTH: 7\r\n"
	  "\r\n", NULL, 7, false, false, 200, false, NULL },
	{ "odd_casing",
	  "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh:\t 12 \t\r\ncoNNection:   ClOsE\r\n"
	  "cONTENT-type: x\r\n\r\n", NULL, 12, false, false, 200, true, NULL },
	{ "bare_lf",
	  "HTTP/1.1 200 OK\nServer: x\nContent-Length: 3\n"
	  "Connection: keep-alive\n\n", NULL, 3, false, false, 200, false,
	  NULL },
	{ "chunked_trailers_upper_hex",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: CHUNKED\r\n\r\n",
	  "1A\r\nabcdefghijklmnopqrstuvwxyz\r\n3;ext=1\r\nabc\r\n"
	  "0\r\nConnection: close\r\nContent-Length: 9\r\nX-T: 1\r\n\r\n",
	  0, false, false, 200, false, "abcdefghijklmnopqrstuvwxyzabc" },
	{ "continue_then_ok",
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\n"
	  "Link: </a.css>; rel=preload\r\nConnection: close\r\n\r\n"
	  "HTTP/1.1 201 Created\r\nLocation: /x\r\nContent-Length: 2\r\n\r\n",
	  "ok", 0, false, false, 201, false, NULL },
	{ "head_of_nginx",
	  "HTTP/1.1 200 OK\r\nServer: nginx\r\n" DATE
	  "Content-Length: 100\r\nConnection: keep-alive\r\n\r\n", "", 0,
	  true, false, 200, false, NULL },
	{ "not_modified",
	  "HTTP/1.1 304 Not Modified\r\nServer: nginx\r\n" DATE
	  "ETag: \"x\"\r\nConnection: keep-alive\r\n\r\n", "", 0, false,
	  false, 304, false, NULL },
	{ "te_and_cl",
	  "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n", "2\r\nhi\r\n0\r\n\r\n", 0,
	  false, false, 200, true, "hi" },
};

static uint8_t *
real_case_bytes(const struct real_case *c, size_t *len, size_t *first)
{
	size_t hl = strlen(c->head);
	size_t bl = c->body ? strlen(c->body) : c->body_len;
	size_t nl = c->to_close ? 0 : strlen(NEXT);
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
test_real_responses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		const struct real_case *c = &real_cases[i];
		size_t len, first, hl = strlen(c->head);
		uint8_t *b = real_case_bytes(c, &len, &first);
		const char *pl = c->payload;
		size_t pll = pl ? strlen(pl) : first - hl;
		struct outcome ref;
		uint32_t crc;

		run_equiv(c->name, b, len, c->head_req, true, 300, 60, i + 1,
			  &ref);
		/* and the reference itself reads it as it means */
		crc = lm_crc32c_update(LM_CRC32C_INIT, pl ? (const uint8_t *)pl :
				       b + hl, c->head_req ? 0 : pll);
		CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_S_DONE);
		CHECK_EQ(c->name, ref.p[0].status, c->status);
		CHECK_EQ(c->name, ref.p[0].conn_close,
			 c->conn_close || c->to_close);
		CHECK_EQ(c->name, ref.p[0].body_bytes, c->head_req ? 0 : pll);
		CHECK_EQ(c->name, ref.crc[0], crc);
		CHECK_EQ(c->name, ref.used[0], first);
		CHECK_EQ(c->name, ref.eof, c->to_close ? 1 : -1);
		if (!c->to_close) {
			CHECK_EQ(c->name, ref.p[1].state, LM_HTTP_S_DONE);
			CHECK_EQ(c->name, ref.used[1], strlen(NEXT));
		}
		free(b);
	}
}

/* ------------------------------------------------------------------ */
/* odd and broken responses: the same result, down to the error's byte */

struct odd_case {
	const char *name;
	const char *raw;
	size_t len;             /* raw may hold NULs */
	bool head_req;
	int err;                /* expected: -1 DONE, else the error */
};

#define OK_DONE (-1)
#define RAW(s) s, sizeof(s) - 1
#define E(x) LM_HTTP_E_##x

static const struct odd_case odd_cases[] = {
	/* status lines */
	{ "no_reason", RAW("HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx"), false,
	  OK_DONE },
	{ "empty_reason", RAW("HTTP/1.1 200 \r\nContent-Length: 1\r\n\r\nx"), false,
	  OK_DONE },
	{ "reason_bytes", RAW("HTTP/1.1 500 a\rb\x01\xff:\r\n\r\n"), false,
	  OK_DONE },
	{ "http_1_9", RAW("HTTP/1.9 204 X\r\n\r\n"), false, OK_DONE },
	{ "http2", RAW("HTTP/2 200 OK\r\n\r\n"), false, E(STATUS_LINE) },
	{ "code_099", RAW("HTTP/1.1 099 X\r\n\r\n"), false, E(STATUS_LINE) },
	{ "code_600", RAW("HTTP/1.1 600 X\r\n\r\n"), false, E(STATUS_LINE) },
	{ "code_20x", RAW("HTTP/1.1 20x X\r\n\r\n"), false, E(STATUS_LINE) },
	{ "code_4_digits", RAW("HTTP/1.1 2000 X\r\n\r\n"), false, E(STATUS_LINE) },
	{ "two_spaces", RAW("HTTP/1.1  200 X\r\n\r\n"), false, E(STATUS_LINE) },
	{ "leading_crlf", RAW("\r\nHTTP/1.1 200 OK\r\n\r\n"), false,
	  E(STATUS_LINE) },
	{ "lower_http", RAW("http/1.1 200 OK\r\n\r\n"), false, E(STATUS_LINE) },
	{ "cr_after_code", RAW("HTTP/1.1 200\rX\r\n\r\n"), false, E(STATUS_LINE) },
	/* field lines */
	{ "obs_fold", RAW("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n"), false,
	  E(HEADER) },
	{ "obs_fold_tab", RAW("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\tx\r\n\r\n"),
	  false, E(HEADER) },
	{ "space_before_colon", RAW("HTTP/1.1 200 OK\r\nConnection : close\r\n\r\n"),
	  false, E(HEADER) },
	{ "no_colon", RAW("HTTP/1.1 200 OK\r\nContent-Length\r\n\r\n"), false,
	  E(HEADER) },
	{ "empty_name", RAW("HTTP/1.1 200 OK\r\n: x\r\n\r\n"), false, E(HEADER) },
	{ "cr_in_name", RAW("HTTP/1.1 200 OK\r\nConn\rection: close\r\n\r\n"),
	  false, E(HEADER) },
	{ "nul_in_name", RAW("HTTP/1.1 200 OK\r\nX\0Y: 1\r\n\r\n"), false,
	  E(HEADER) },
	{ "cr_cr_lf_end", RAW("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\r\n"),
	  false, E(HEADER) },
	{ "bare_cr_in_connection",
	  RAW("HTTP/1.1 200 OK\r\nConnection: close\rX\r\nContent-Length: 0\r\n\r\n"),
	  false, E(HEADER) },
	{ "bare_cr_in_skipped_value",
	  RAW("HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 0\r\n\r\n"), false,
	  OK_DONE },
	{ "binary_in_skipped_value",
	  RAW("HTTP/1.1 200 OK\r\nX-A: \x80\xff\x01\x7f\r\nContent-Length: 0\r\n\r\n"),
	  false, OK_DONE },
	{ "near_miss_names",
	  RAW("HTTP/1.1 200 OK\r\nContent-Lengthy: 5\r\nContent-Len: 9\r\n"
	  "Connectio: close\r\nConnections: close\r\nCon: close\r\nC: x\r\n"
	  "Transfer-Encodings: chunked\r\nTransfer-Encodin: chunked\r\n"
	  "T: chunked\r\nContent-Location: /\r\nCont: 1\r\n"
	  "Content-Length: 2\r\n\r\nok"), false, OK_DONE },
	/* Content-Length */
	{ "cl_dup_same", RAW("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length:3\r\n\r\nabc"), false, OK_DONE },
	{ "cl_dup_differs", RAW("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n"
	  "Content-Length: 4\r\n\r\nabcd"), false, E(CONTENT_LENGTH) },
	{ "cl_list_same", RAW("HTTP/1.1 200 OK\r\nContent-Length: 3 , 3\r\n\r\nabc"),
	  false, OK_DONE },
	{ "cl_list_differs", RAW("HTTP/1.1 200 OK\r\nContent-Length: 3,4\r\n\r\n"),
	  false, E(CONTENT_LENGTH) },
	{ "cl_18_digits", RAW("HTTP/1.1 200 OK\r\nContent-Length: "
	  "000000000000000002\r\n\r\nab"), false, OK_DONE },
	{ "cl_19_digits", RAW("HTTP/1.1 200 OK\r\nContent-Length: "
	  "0000000000000000002\r\n\r\nab"), false, OK_DONE },
	{ "cl_max", RAW("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n"
	  "\r\nab"), false, E(EOF) },
	{ "cl_overflow", RAW("HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808"
	  "\r\n\r\n"), false, E(CONTENT_LENGTH) },
	{ "cl_empty", RAW("HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n"), false,
	  E(CONTENT_LENGTH) },
	{ "cl_plus", RAW("HTTP/1.1 200 OK\r\nContent-Length: +1\r\n\r\nx"), false,
	  E(CONTENT_LENGTH) },
	{ "cl_two_numbers", RAW("HTTP/1.1 200 OK\r\nContent-Length: 1 1\r\n\r\nx"),
	  false, E(CONTENT_LENGTH) },
	{ "cl_cr_inside", RAW("HTTP/1.1 200 OK\r\nContent-Length: 1\r1\r\n\r\nx"),
	  false, E(CONTENT_LENGTH) },
	{ "cl_cr_cr_lf", RAW("HTTP/1.1 200 OK\r\nContent-Length: 1\r\r\n\r\nx"),
	  false, E(CONTENT_LENGTH) },
	/* Connection and Transfer-Encoding */
	{ "conn_variants", RAW("HTTP/1.1 200 OK\r\nConnection: closed\r\n"
	  "Connection: clos\r\nConnection: keep\r\nConnection: close;x\r\n"
	  "Connection: x-close\r\nConnection:\r\nConnection: ,\r\n"
	  "Content-Length: 0\r\n\r\n"), false, OK_DONE },
	{ "conn_close_tabs", RAW("HTTP/1.1 200 OK\r\nConnection:\t close \t\r\n"
	  "Content-Length: 0\r\n\r\n"), false, OK_DONE },
	{ "conn_list", RAW("HTTP/1.1 200 OK\r\nConnection: keep-alive, close\r\n"
	  "Content-Length: 0\r\n\r\n"), false, OK_DONE },
	{ "http10_keep_alive_upper", RAW("HTTP/1.0 200 OK\r\nConnection: "
	  "KEEP-ALIVE\r\nContent-Length: 0\r\n\r\n"), false, OK_DONE },
	{ "http10_keep_alivex", RAW("HTTP/1.0 200 OK\r\nConnection: keep-alivex\r\n"
	  "Content-Length: 0\r\n\r\n"), false, OK_DONE },
	{ "te_gzip_then_chunked", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"), false,
	  OK_DONE },
	{ "te_chunked_then_gzip", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\nTransfer-Encoding: gzip\r\n\r\nabc"), false, OK_DONE },
	{ "te_chunkedx", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunkedx\r\n"
	  "\r\nabc"), false, OK_DONE },
	{ "te_empty", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding:\r\n\r\nabc"), false,
	  OK_DONE },
	{ "te_http10", RAW("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "1\r\nx\r\n0\r\n\r\n"), false, OK_DONE },
	/* chunks */
	{ "chunk_16_digits", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n0000000000000001\r\nx\r\n0\r\n\r\n"), false, OK_DONE },
	{ "chunk_overflow", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n8000000000000000\r\n"), false, E(CHUNK) },
	{ "chunk_bws_ext", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1 \t; a=b\r\nx\r\n0 ;last\r\n\r\n"), false, OK_DONE },
	{ "chunk_bare_lf", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\nx\n0\n\n"), false, OK_DONE },
	{ "chunk_no_crlf", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\r\nxy\r\n"), false, E(CHUNK) },
	{ "chunk_cr_x", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\r\nx\rX"), false, E(CHUNK) },
	{ "chunk_size_cr_x", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n1\rX\r\nx\r\n"), false, E(CHUNK) },
	{ "chunk_empty_size", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "\r\n\r\n"), false, E(CHUNK) },
	{ "chunk_folded_trailer", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n0\r\nX: 1\r\n y\r\n\r\n"), false, E(HEADER) },
	{ "chunk_bad_trailer", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: "
	  "chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n"), false, E(HEADER) },
	/* interim and bodiless */
	{ "interim_fields_forgotten", RAW("HTTP/1.1 100 Continue\r\n"
	  "Content-Length: 5\r\nConnection: close\r\n\r\n"
	  "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n"), false,
	  OK_DONE },
	{ "switching", RAW("HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n"
	  "Connection: Upgrade\r\n\r\n\x00\x01"), false, OK_DONE },
	{ "head_chunked", RAW("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
	  true, OK_DONE },
	{ "eof_in_head", RAW("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n"), false,
	  E(EOF) },
	{ "eof_in_cr", RAW("HTTP/1.1 200 OK\r\nX: y\r"), false, E(EOF) },
};

static void
test_odd_responses(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(odd_cases) / sizeof(odd_cases[0]); i++) {
		const struct odd_case *c = &odd_cases[i];
		struct outcome ref;

		run_equiv(c->name, (const uint8_t *)c->raw, c->len, c->head_req,
			  true, 200, 30, i + 100, &ref);
		if (c->err == OK_DONE) {
			CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_S_DONE);
		} else {
			CHECK_EQ(c->name, ref.p[0].state, LM_HTTP_S_ERROR);
			CHECK_EQ(c->name, ref.p[0].err, c->err);
		}
	}
}

/* Mutations of the real responses: whatever they become, the same. */
static void
test_mutated(void **state)
{
	static const char alphabet[] = "\r\n\t :;,0123456789aAfFkKxX-\"";
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
			run_equiv(name, b, len, real_cases[i].head_req,
				  len < 400, 30, 8, (uint64_t)m, &ref);
			free(b);
		}
	}
}

/* ------------------------------------------------------------------ */
/* the scans, for every byte at every place of a 16-byte block and after */

static void
test_scans(void **state)
{
	uint8_t buf[40];
	size_t at, n;
	int c;

	(void)state;
	for (c = 0; c < 256; c++) {
		for (at = 0; at < sizeof(buf); at++) {
			memset(buf, 'a', sizeof(buf));
			buf[at] = (uint8_t)c;
			for (n = at; n <= sizeof(buf); n += 7) {
				size_t span = lm_http_tchar_span(buf, n);
				size_t lf = lm_http_find_lf(buf, n);

				if (at == n)
					CHECK_EQ("span", span, n);
				else
					CHECK_EQ("span", span, lm_http_tchar[c] ?
						 n : at);
				CHECK_EQ("find_lf", lf,
					 c == '\n' && at < n ? at : n);
			}
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
	/* nginx's head, whole: every line of it takes a fast path (two
	 * status lines, names, Content-Length values and empty lines with
	 * the pipelined response) */
	memset(&fast_taken, 0, sizeof(fast_taken));
	b = real_case_bytes(&real_cases[0], &len, &first);
	drive("nginx", &ops_new, b, len, false, &whole, &o);
	free(b);
	assert_int_equal(o.p[1].state, LM_HTTP_S_DONE);
	assert_int_equal(fast_taken.status, 2);
	assert_int_equal(fast_taken.name, 8 + 1);
	assert_int_equal(fast_taken.cl, 1 + 1);
	assert_int_equal(fast_taken.list, 1);
	assert_int_equal(fast_taken.skip, 6);
	assert_int_equal(fast_taken.empty, 2);

	/* and all of them are reached by the real responses */
	memset(&fast_taken, 0, sizeof(fast_taken));
	for (i = 0; i < sizeof(real_cases) / sizeof(real_cases[0]); i++) {
		b = real_case_bytes(&real_cases[i], &len, &first);
		drive(real_cases[i].name, &ops_new, b, len,
		      real_cases[i].head_req, &whole, &o);
		free(b);
	}
	assert_true(fast_taken.status > 0);
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
		cmocka_unit_test(test_scans),
		cmocka_unit_test(test_fast_paths_reached),
		cmocka_unit_test(test_real_responses),
		cmocka_unit_test(test_odd_responses),
		cmocka_unit_test(test_mutated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
