/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The response parser's fast paths change nothing but its speed: generated
 * responses, and lines and heads at and around the limits, against the
 * reference (see test_http_parse_equiv.c and http_parse_equiv.h).
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
#include "util/splitmix.h"

#include "http_parse_equiv.h"

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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
