/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The response parser's fast paths change nothing but its speed.
 *
 * dataplane/app/http_parse.c reads whole lines in one go where a piece
 * holds them, and leaves the rest to its byte-at-a-time state machine. Here
 * it is held against tests/unit/http_parse_ref.c, the parser as it was
 * before the fast paths (the state machine alone): every response below,
 * and thousands of generated and mutated ones, is fed to the reference in
 * one piece, and to the parser whole, split in two at every position (and
 * in three at many), one byte at a time and in random pieces; each way must
 * end with the same parser state field for field (internal fields too), the
 * same bytes consumed for this response and for the pipelined one after
 * it, the same result of the close, and the same body CRC. Realistic
 * responses are also checked against what they mean (status, body, CRC of
 * the body computed here).
 *
 * This file compiles its own copy of http_parse.c (the entry points renamed)
 * with LM_HTTP_FAST_TAKEN counting the fast paths taken, so that the test
 * proves its inputs go through every one of them: an equivalence that the
 * fast paths never reach would prove nothing.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct {
	uint64_t status, name, cl, list, skip, empty, chunk_end, chunk_size;
} fast_taken;

#define LM_HTTP_FAST_TAKEN(which) (fast_taken.which++)
#define lm_http_resp_init t_http_resp_init
#define lm_http_resp_feed t_http_resp_feed
#define lm_http_resp_feed_crc t_http_resp_feed_crc
#define lm_http_resp_eof t_http_resp_eof
#define lm_http_perr_name t_http_perr_name
#include "app/http_parse.c"

#include "util/splitmix.h"

/* tests/unit/http_parse_ref.c */
void ref_http_resp_init(struct lm_http_resp_parser *p, bool head_request);
size_t ref_http_resp_feed_crc(struct lm_http_resp_parser *p,
			      const uint8_t *data, size_t len, uint32_t *crc);
bool ref_http_resp_eof(struct lm_http_resp_parser *p);

struct parser_ops {
	void (*init)(struct lm_http_resp_parser *, bool);
	size_t (*feed)(struct lm_http_resp_parser *, const uint8_t *, size_t,
		       uint32_t *);
	bool (*eof)(struct lm_http_resp_parser *);
};

static const struct parser_ops ops_new = {
	t_http_resp_init, t_http_resp_feed_crc, t_http_resp_eof
};
static const struct parser_ops ops_ref = {
	ref_http_resp_init, ref_http_resp_feed_crc, ref_http_resp_eof
};

/* The pipelined response after each one that is not delimited by the
 * close: a fresh parser must read it from exactly where the first stopped. */
#define NEXT "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"

#define CHECK_EQ(ctx, a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		print_error("%s: %s is %" PRIu64 ", expected %" PRIu64 "\n", \
			    (ctx), #a, a_, b_); \
		fail(); \
	} \
} while (0)

/* ------------------------------------------------------------------ */
/* feeding */

enum cut { CUT_WHOLE, CUT_AT, CUT_BYTES, CUT_RANDOM };

struct cutter {
	enum cut how;
	size_t at[2];           /* CUT_AT: up to two cut positions */
	uint64_t seed;          /* CUT_RANDOM */
	size_t max;             /* CUT_RANDOM: pieces of 1..max bytes */
};

static size_t
cutter_next(struct cutter *c, size_t off, size_t left)
{
	size_t n;

	switch (c->how) {
	case CUT_AT:
		if (off < c->at[0])
			return c->at[0] - off;
		if (off < c->at[1])
			return c->at[1] - off;
		return left;
	case CUT_BYTES:
		return 1;
	case CUT_RANDOM:
		n = 1 + lm_splitmix64(&c->seed) % c->max;
		return n < left ? n : left;
	default:
		return left;
	}
}

struct outcome {
	struct lm_http_resp_parser p[2]; /* the response and the next one */
	size_t used[2];                  /* sum of what feed() returned */
	uint32_t crc[2];                 /* body CRC of each */
	int eof;                         /* eof's return, -1: not called */
};

/*
 * Feed len bytes in pieces as a connection would: when the response is
 * complete, the rest of the piece goes to a fresh parser for the next one;
 * then the close, if the current response is unfinished.
 */
static void
drive(const char *ctx, const struct parser_ops *ops, const uint8_t *data,
      size_t len, bool head, struct cutter *cut, struct outcome *o)
{
	size_t off = 0, n, got;
	int cur = 0;

	memset(o, 0, sizeof(*o));
	o->eof = -1;
	o->crc[0] = o->crc[1] = 0xffffffffu;
	ops->init(&o->p[0], head);
	ops->init(&o->p[1], false);

	while (off < len || cut->how == CUT_WHOLE) {
		size_t end = off + cutter_next(cut, off, len - off);

		for (;;) {
			struct lm_http_resp_parser *p = &o->p[cur];

			got = ops->feed(p, data + off, end - off, &o->crc[cur]);
			if (got > end - off) {
				print_error("%s: feed took %zu of %zu\n", ctx,
					    got, end - off);
				fail();
			}
			o->used[cur] += got;
			off += got;
			if (p->state == LM_HTTP_S_ERROR)
				goto out;
			if (p->state != LM_HTTP_S_DONE) {
				/* unfinished: must have taken everything */
				CHECK_EQ(ctx, off, end);
				break;
			}
			n = ops->feed(p, data + off, end - off, &o->crc[cur]);
			CHECK_EQ(ctx, n, 0);
			if (cur == 1)
				goto out;
			cur = 1;
		}
		if (cut->how == CUT_WHOLE)
			break;
	}
out:
	if (o->p[cur].state < LM_HTTP_S_DONE)
		o->eof = ops->eof(&o->p[cur]);
}

static void
check_same_parser(const char *ctx, const struct lm_http_resp_parser *a,
		  const struct lm_http_resp_parser *b)
{
	CHECK_EQ(ctx, a->state, b->state);
	CHECK_EQ(ctx, a->err, b->err);
	CHECK_EQ(ctx, a->status, b->status);
	CHECK_EQ(ctx, a->http10, b->http10);
	CHECK_EQ(ctx, a->chunked, b->chunked);
	CHECK_EQ(ctx, a->has_length, b->has_length);
	CHECK_EQ(ctx, a->content_length, b->content_length);
	CHECK_EQ(ctx, a->conn_close, b->conn_close);
	CHECK_EQ(ctx, a->head_request, b->head_request);
	CHECK_EQ(ctx, a->body_bytes, b->body_bytes);
	CHECK_EQ(ctx, a->total_bytes, b->total_bytes);
	CHECK_EQ(ctx, a->remaining, b->remaining);
	CHECK_EQ(ctx, a->line_len, b->line_len);
	CHECK_EQ(ctx, a->head_len, b->head_len);
	CHECK_EQ(ctx, a->flags, b->flags);
	CHECK_EQ(ctx, a->sub, b->sub);
	CHECK_EQ(ctx, a->hdr, b->hdr);
	CHECK_EQ(ctx, a->tok, b->tok);
}

static void
check_same(const char *ctx, const struct outcome *a, const struct outcome *b)
{
	check_same_parser(ctx, &a->p[0], &b->p[0]);
	check_same_parser(ctx, &a->p[1], &b->p[1]);
	CHECK_EQ(ctx, a->used[0], b->used[0]);
	CHECK_EQ(ctx, a->used[1], b->used[1]);
	CHECK_EQ(ctx, a->crc[0], b->crc[0]);
	CHECK_EQ(ctx, a->crc[1], b->crc[1]);
	CHECK_EQ(ctx, a->eof, b->eof);
}

/*
 * The reference reads data whole; the parser reads it whole, cut in two at
 * every position in [split_from, split_to), in three at triples random
 * pairs of positions, byte by byte and in random pieces. Every way must
 * match the reference. Returns the reference's outcome in *ref.
 */
static void
run_equiv_range(const char *name, const uint8_t *data, size_t len, bool head,
		size_t split_from, size_t split_to, int triples, int randoms,
		uint64_t seed, struct outcome *ref)
{
	struct cutter cut = { .how = CUT_WHOLE };
	struct outcome o;
	char ctx[160];
	size_t a, b;
	int i;

	drive(name, &ops_ref, data, len, head, &cut, ref);

	snprintf(ctx, sizeof(ctx), "%s [whole]", name);
	drive(ctx, &ops_new, data, len, head, &cut, &o);
	check_same(ctx, ref, &o);

	cut.how = CUT_BYTES;
	snprintf(ctx, sizeof(ctx), "%s [bytes]", name);
	drive(ctx, &ops_new, data, len, head, &cut, &o);
	check_same(ctx, ref, &o);

	for (a = split_from > 0 ? split_from : 1; a < split_to && a < len; a++) {
		cut = (struct cutter){ .how = CUT_AT, .at = { a, a } };
		snprintf(ctx, sizeof(ctx), "%s [split at %zu]", name, a);
		drive(ctx, &ops_new, data, len, head, &cut, &o);
		check_same(ctx, ref, &o);
	}
	for (i = 0; i < triples && len > 2; i++) {
		a = 1 + lm_splitmix64(&seed) % (len - 1);
		b = 1 + lm_splitmix64(&seed) % (len - 1);
		cut = (struct cutter){ .how = CUT_AT,
				       .at = { a < b ? a : b, a < b ? b : a } };
		snprintf(ctx, sizeof(ctx), "%s [split at %zu, %zu]", name,
			 cut.at[0], cut.at[1]);
		drive(ctx, &ops_new, data, len, head, &cut, &o);
		check_same(ctx, ref, &o);
	}
	for (i = 0; i < randoms; i++) {
		static const size_t maxes[] = { 2, 5, 16, 40, 120, 1500 };

		cut = (struct cutter){ .how = CUT_RANDOM,
				       .seed = lm_splitmix64(&seed),
				       .max = maxes[i % 6] };
		snprintf(ctx, sizeof(ctx), "%s [random seed %" PRIu64
			 " max %zu]", name, cut.seed, cut.max);
		drive(ctx, &ops_new, data, len, head, &cut, &o);
		check_same(ctx, ref, &o);
	}
}

/* The same, cut in two at every position if splits. */
static void
run_equiv(const char *name, const uint8_t *data, size_t len, bool head,
	  bool splits, int triples, int randoms, uint64_t seed,
	  struct outcome *ref)
{
	run_equiv_range(name, data, len, head, 1, splits ? len : 0, triples,
			randoms, seed, ref);
}

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

/* ------------------------------------------------------------------ */
/* generated responses */

struct gen {
	uint8_t *b;
	size_t len, cap;
	uint64_t rng;
};

static uint64_t
gen_below(struct gen *g, uint64_t n)
{
	return lm_splitmix64(&g->rng) % n;
}

static void
gen_add(struct gen *g, const void *s, size_t n)
{
	if (g->len + n > g->cap) {
		g->cap = 2 * (g->len + n) + 256;
		g->b = realloc(g->b, g->cap);
		assert_non_null(g->b);
	}
	memcpy(g->b + g->len, s, n);
	g->len += n;
}

static void
gen_str(struct gen *g, const char *s)
{
	gen_add(g, s, strlen(s));
}

/* s with each letter's case flipped now and then */
static void
gen_cased(struct gen *g, const char *s)
{
	bool flip = gen_below(g, 3) == 0;

	for (; *s; s++) {
		char c = *s;

		if (flip && gen_below(g, 3) == 0 &&
		    ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			c ^= 0x20;
		gen_add(g, &c, 1);
	}
}

static const char *
gen_pick(struct gen *g, const char *const *v, size_t n)
{
	return v[gen_below(g, n)];
}

#define PICK(g, v) gen_pick(g, v, sizeof(v) / sizeof(v[0]))

static const char *const gen_status[] = {
	"HTTP/1.1 200 OK", "HTTP/1.0 200 OK", "HTTP/1.1 404 Not Found",
	"HTTP/1.1 204 No Content", "HTTP/1.1 304 Not Modified", "HTTP/1.1 200",
	"HTTP/1.1 503 ", "HTTP/1.1 101 Switching Protocols", "HTTP/1.1 599 x",
	"HTTP/1.2 200 OK",
};
static const char *const gen_bad_status[] = {
	"HTTP/1.1 600 x", "HTTP/1.1 099 x", "HTTP/1.1 2x0 OK", "HTTP/2 200",
	"HTTP/1.1  200 OK",
};
static const char *const gen_ows[] = { "", " ", " ", " ", "\t", "  \t" };
static const char *const gen_eol[] = { "\r\n", "\r\n", "\r\n", "\n" };
static const char *const gen_other_names[] = {
	"Server", "Date", "Content-Type", "ETag", "Accept-Ranges",
	"Last-Modified", "Keep-Alive", "Vary", "Cache-Control", "Content-Len",
	"Content-Lengthy", "Connectio", "Connections", "Con", "C", "T",
	"Transfer-Encodin", "Content-Location", "X-Content-Length", "Cont",
	"Content-", "Trailer", "Transfer-Encoding-X", "Expect",
};
static const char *const gen_other_values[] = {
	"nginx/1.22.1", "Tue, 14 May 2024 10:00:00 GMT", "text/html",
	"\"66433720-64\"", "bytes", "timeout=5, max=100", "", "a:b:c",
	"close", "chunked", "5", "x\ry", "\x80\xff",
};
static const char *const gen_cl_values[] = {
	"0", "1", "5", "16", "100", "0003", "000000000000000007",
	"0000000000000000007", "7, 7", "9223372036854775807",
};
static const char *const gen_bad_cl_values[] = {
	"5,6", "", "+5", "5 5", "0x10", "-1", "9223372036854775808", "12a",
};
static const char *const gen_conn_values[] = {
	"close", "keep-alive", "Keep-Alive", "CLOSE", "upgrade", "clos",
	"closed", "keep-alive, close", "close;x", "", ",", "x-close", "keep",
	"keep-alive ,Upgrade",
};
static const char *const gen_te_values[] = {
	"chunked", "chunked", "Chunked", "gzip", "gzip, chunked",
	"chunked, gzip", "identity", "", "chunk", "chunkedx", "x;chunked",
};

/* One field line: name, ':', value, with random OWS, case and ending. */
static void
gen_field(struct gen *g, const char *name, const char *value)
{
	gen_cased(g, name);
	gen_str(g, ":");
	gen_str(g, PICK(g, gen_ows));
	gen_cased(g, value);
	gen_str(g, PICK(g, gen_ows));
	gen_str(g, PICK(g, gen_eol));
}

/*
 * One response, mostly well formed, now and then not; then NEXT. Most have
 * a Content-Length (now and then twice), some are chunked, some have both
 * or neither, some come after an interim 1xx head.
 */
static void
gen_response(struct gen *g, bool *head_req)
{
	int lines = (int)gen_below(g, 9), i, at_cl, at_te, at_conn;
	struct lm_http_resp_parser p;
	const char *cl_v = NULL;
	char num[32];

	g->len = 0;
	*head_req = gen_below(g, 20) == 0;
	if (gen_below(g, 10) == 0) {
		gen_str(g, gen_below(g, 2) ? "HTTP/1.1 100 Continue" :
			"HTTP/1.1 103 Early Hints");
		gen_str(g, PICK(g, gen_eol));
		if (gen_below(g, 2))
			gen_field(g, "Link", "</a.css>; rel=preload");
		gen_str(g, PICK(g, gen_eol));
	}
	if (gen_below(g, 15) == 0)
		gen_str(g, PICK(g, gen_bad_status));
	else if (gen_below(g, 2) == 0)
		gen_str(g, gen_status[0]);
	else
		gen_str(g, PICK(g, gen_status));
	gen_str(g, PICK(g, gen_eol));

	/* where the framing fields go among the others (-1: not there) */
	at_cl = gen_below(g, 10) < 7 ? (int)gen_below(g, lines + 1) : -1;
	at_te = gen_below(g, 10) < 2 ? (int)gen_below(g, lines + 1) : -1;
	at_conn = gen_below(g, 10) < 4 ? (int)gen_below(g, lines + 1) : -1;
	for (i = 0; i <= lines; i++) {
		if (i == at_cl || (cl_v != NULL && gen_below(g, 12) == 0)) {
			if (cl_v == NULL || gen_below(g, 4) == 0)
				cl_v = gen_below(g, 12) == 0 ?
					PICK(g, gen_bad_cl_values) :
					PICK(g, gen_cl_values);
			gen_field(g, "Content-Length", cl_v);
		}
		if (i == at_te)
			gen_field(g, "Transfer-Encoding",
				  PICK(g, gen_te_values));
		if (i == at_conn)
			gen_field(g, "Connection", PICK(g, gen_conn_values));
		if (i < lines)
			gen_field(g, PICK(g, gen_other_names),
				  PICK(g, gen_other_values));
	}
	gen_str(g, PICK(g, gen_eol));

	/* a body as the reference frames this head, so that the pipelined
	 * response is reached as often as not */
	ref_http_resp_init(&p, *head_req);
	ref_http_resp_feed_crc(&p, g->b, g->len, NULL);
	if (p.state == LM_HTTP_FR_CHUNK_SIZE) {
		int n = (int)gen_below(g, 4);

		for (i = 0; i <= n; i++) {
			int sz = i == n ? 0 : 1 + (int)gen_below(g, 40);

			snprintf(num, sizeof(num), gen_below(g, 2) ? "%x" : "%X",
				 sz);
			gen_str(g, num);
			if (gen_below(g, 5) == 0)
				gen_str(g, gen_below(g, 2) ? ";a=b" : " ");
			gen_str(g, PICK(g, gen_eol));
			for (int k = 0; k < sz; k++)
				gen_add(g, "d", 1);
			if (sz > 0)
				gen_str(g, PICK(g, gen_eol));
		}
		if (gen_below(g, 3) == 0)
			gen_field(g, PICK(g, gen_other_names), "t");
		gen_str(g, PICK(g, gen_eol));
	} else if (p.state == LM_HTTP_FR_BODY_LENGTH && p.remaining <= 200) {
		for (uint64_t k = 0; k < p.remaining; k++)
			gen_add(g, "b", 1);
	} else if (p.state != LM_HTTP_S_DONE) {
		for (uint64_t k = gen_below(g, 30); k > 0; k--)
			gen_add(g, "b", 1);
	}
	/* a stray byte now and then, anywhere */
	if (gen_below(g, 6) == 0 && g->len > 0) {
		static const char stray[] = "\r\n\t :;,0aA\"";
		size_t at = gen_below(g, g->len);

		g->b[at] = gen_below(g, 3) ? (uint8_t)stray[gen_below(g,
				sizeof(stray) - 1)] : (uint8_t)gen_below(g, 256);
	}
	gen_str(g, NEXT);
}

static void
test_generated(void **state)
{
	struct gen g = { .rng = 0x9e57 };
	struct outcome ref;
	char name[48];
	bool head_req;
	int i;

	(void)state;
	for (i = 0; i < 3000; i++) {
		gen_response(&g, &head_req);
		snprintf(name, sizeof(name), "generated %d", i);
		run_equiv(name, g.b, g.len, head_req, g.len < 200, 20, 6,
			  (uint64_t)i, &ref);
	}
	free(g.b);
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
/* the limits: a fast path must decline exactly where a limit is in reach */

static void
gen_fill(struct gen *g, char c, size_t n)
{
	for (; n > 0; n--)
		gen_add(g, &c, 1);
}

/* Check the cuts around [at - 40, at + 40) only: the inputs are large. */
static void
run_limit(const char *name, struct gen *g, size_t at)
{
	struct outcome ref;

	run_equiv_range(name, g->b, g->len, false, at > 40 ? at - 40 : 1,
			at + 40, 8, 6, at, &ref);
	g->len = 0;
}

static void
test_limits(void **state)
{
	static const char *const last[] = {
		"Content-Length: 5\r\n", "Connection: close\r\n", "X: y\r\n",
		"Transfer-Encoding: chunked\r\n", "",
	};
	struct gen g = { .rng = 1 };
	const size_t L = LM_HTTP_MAX_LINE_BYTES, H = LM_HTTP_MAX_HEAD_BYTES;
	char name[64];
	int d;
	size_t i, n;

	(void)state;
	for (d = -2; d <= 2; d++) {
		/* a reason phrase, a skipped value, a name, a Content-Length
		 * of zeros, a Connection value of whitespace, a chunk
		 * extension: each ends its line L + d bytes long */
		gen_str(&g, "HTTP/1.1 200 ");
		gen_fill(&g, 'r', L + d - 13 - 2);
		gen_str(&g, "\r\nContent-Length: 0\r\n\r\n");
		snprintf(name, sizeof(name), "reason L%+d", d);
		run_limit(name, &g, L);

		gen_str(&g, "HTTP/1.1 200 OK\r\nX-Big: ");
		gen_fill(&g, 'v', L + d - 7 - 2);
		gen_str(&g, "\r\nContent-Length: 0\r\n\r\n");
		snprintf(name, sizeof(name), "value L%+d", d);
		run_limit(name, &g, 17 + L);

		gen_str(&g, "HTTP/1.1 200 OK\r\n");
		gen_fill(&g, 'N', L + d - 3);
		gen_str(&g, ":\r\nContent-Length: 0\r\n\r\n");
		snprintf(name, sizeof(name), "name L%+d", d);
		run_limit(name, &g, 17 + L);

		gen_str(&g, "HTTP/1.1 200 OK\r\nContent-Length: ");
		gen_fill(&g, '0', L + d - 16 - 3);
		gen_str(&g, "1\r\n\r\nx");
		snprintf(name, sizeof(name), "cl L%+d", d);
		run_limit(name, &g, 17 + L);

		gen_str(&g, "HTTP/1.1 200 OK\r\nConnection:");
		gen_fill(&g, ' ', L + d - 11 - 5 - 2);
		gen_str(&g, "close\r\nContent-Length: 0\r\n\r\n");
		snprintf(name, sizeof(name), "connection L%+d", d);
		run_limit(name, &g, 17 + L);

		gen_str(&g, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
			"\r\n1;");
		gen_fill(&g, 'e', L + d - 2 - 2);
		gen_str(&g, "\r\nx\r\n0\r\n\r\n");
		snprintf(name, sizeof(name), "chunk ext L%+d", d);
		run_limit(name, &g, 47 + L);

		/* a head H + d bytes long that ends with each kind of line */
		for (i = 0; i < sizeof(last) / sizeof(last[0]); i++) {
			size_t tail = strlen(last[i]) + 2;

			gen_str(&g, "HTTP/1.1 200 OK\r\n");
			while (H + d - g.len - tail > 1000 + 40) {
				gen_str(&g, "X-Fill: ");
				gen_fill(&g, 'f', 1000 - 8 - 2);
				gen_str(&g, "\r\n");
			}
			n = H + d - g.len - tail;
			gen_str(&g, "X-Last: ");
			gen_fill(&g, 'w', n - 8 - 2);
			gen_str(&g, "\r\n");
			gen_str(&g, last[i]);
			gen_str(&g, "\r\n5\r\nhello\r\n0\r\n\r\n");
			snprintf(name, sizeof(name), "head H%+d ends %zu", d, i);
			run_limit(name, &g, H);
		}
	}
	free(g.b);
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
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_mutated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
