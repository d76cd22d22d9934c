/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The request parser's fast paths change nothing but its speed: generated
 * requests, and lines and heads at and around the limits, against the
 * reference (see test_http_req_parse_equiv.c and http_req_parse_equiv.h).
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

#include "http_req_parse_equiv.h"

/* ------------------------------------------------------------------ */
/* generated requests */

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

static const char *const gen_methods[] = {
	"GET", "GET", "GET", "POST", "PUT", "HEAD", "DELETE", "PATCH",
	"OPTIONS", "PROPFIND", "GETX", "GE", "POS", "PATCHES", "get", "X",
};
static const char *const gen_targets[] = {
	"/", "/", "/small.bin", "/index.html", "/a/b/c?x=1&y=2", "/?", "/a??b",
	"/static/app.js?v=3", "/%20x", "http://example.com/p?q", "http://h",
	"HTTP://H:80", "https://h/x", "h:443", "*", "/a b", "./x", "/x#frag",
	"http:/x", "a+b-c.d:/p",
};
static const char *const gen_versions[] = {
	"HTTP/1.1", "HTTP/1.1", "HTTP/1.1", "HTTP/1.0", "HTTP/1.2",
	"HTTP/2.0", "HTTP/1.", "http/1.1", "HTTP/1.1 ", "HTTP/1.10",
};
static const char *const gen_ows[] = { "", " ", " ", " ", "\t", "  \t" };
static const char *const gen_eol[] = { "\r\n", "\r\n", "\r\n", "\n" };
static const char *const gen_other_names[] = {
	"Host", "Host", "User-Agent", "Accept", "Accept-Encoding", "Cookie",
	"Authorization", "Content-Type", "Cache-Control", "Content-Len",
	"Content-Lengthy", "Connectio", "Connections", "Con", "C", "T", "E",
	"Expec", "Expects", "Transfer-Encodin", "Content-Location",
	"X-Content-Length", "Cont", "Content-", "Upgrade",
	"Transfer-Encoding-X", "Sec-Fetch-Mode",
};
static const char *const gen_other_values[] = {
	"198.18.0.2:80", "lemmings-dp/0.1", "*/*", "gzip, deflate",
	"a=b; c=d", "", "a:b:c", "close", "chunked", "5", "x\ry", "\x80\xff",
	"100-continue",
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
	"chunked", "chunked", "chunked", "Chunked", "gzip", "gzip, chunked",
	"chunked, gzip", "identity", "", "chunk", "chunkedx", "x;chunked",
};
static const char *const gen_expect_values[] = {
	"100-continue", "100-Continue", "100-continuex", "100", "foo",
	"foo, 100-continue", "", "100-continue;x",
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
 * One request, mostly well formed, now and then not; then NEXT. Some have
 * a Content-Length (now and then twice), some are chunked, some have both,
 * some ask to close or for 100-continue, some come after empty lines.
 */
static void
gen_request(struct gen *g)
{
	int lines = (int)gen_below(g, 9), i, at_cl, at_te, at_conn, at_exp;
	struct lm_http_req_parser p;
	const char *cl_v = NULL;
	char num[32];

	g->len = 0;
	if (gen_below(g, 20) == 0)
		gen_str(g, PICK(g, gen_eol));
	if (gen_below(g, 2) == 0) {
		gen_str(g, "GET / HTTP/1.1");
	} else {
		gen_str(g, PICK(g, gen_methods));
		gen_str(g, gen_below(g, 30) ? " " : "  ");
		gen_str(g, PICK(g, gen_targets));
		gen_str(g, " ");
		gen_str(g, gen_below(g, 3) ? "HTTP/1.1" : PICK(g, gen_versions));
	}
	gen_str(g, PICK(g, gen_eol));

	/* where the framing fields go among the others (-1: not there) */
	at_cl = gen_below(g, 10) < 4 ? (int)gen_below(g, lines + 1) : -1;
	at_te = gen_below(g, 10) < 3 ? (int)gen_below(g, lines + 1) : -1;
	at_conn = gen_below(g, 10) < 4 ? (int)gen_below(g, lines + 1) : -1;
	at_exp = gen_below(g, 10) < 2 ? (int)gen_below(g, lines + 1) : -1;
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
		if (i == at_exp)
			gen_field(g, "Expect", PICK(g, gen_expect_values));
		if (i < lines)
			gen_field(g, PICK(g, gen_other_names),
				  PICK(g, gen_other_values));
	}
	gen_str(g, PICK(g, gen_eol));

	/* a body as the reference frames this head, so that the pipelined
	 * request is reached as often as not */
	ref_http_req_init(&p);
	ref_http_req_feed(&p, g->b, g->len);
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
	} else if (p.state != LM_HTTP_REQ_S_DONE) {
		for (uint64_t k = gen_below(g, 30); k > 0; k--)
			gen_add(g, "b", 1);
	}
	/* a stray byte now and then, anywhere */
	if (gen_below(g, 6) == 0 && g->len > 0) {
		static const char stray[] = "\r\n\t :;,0aA\"/?";
		size_t at = gen_below(g, g->len);

		g->b[at] = gen_below(g, 3) ? (uint8_t)stray[gen_below(g,
				sizeof(stray) - 1)] : (uint8_t)gen_below(g, 256);
	}
	gen_str(g, NEXT);
}

static void
test_generated(void **state)
{
	struct gen g = { .rng = 0x7e57 };
	struct outcome ref;
	char name[48];
	int i, done = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		gen_request(&g);
		snprintf(name, sizeof(name), "generated %d", i);
		run_equiv(name, g.b, g.len, g.len < 200, 20, 6, (uint64_t)i,
			  &ref);
		done += ref.p[1].state == LM_HTTP_REQ_S_DONE;
	}
	/* the generator makes good requests as well as bad ones */
	assert_true(done > 1000 && done < 2900);
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

	run_equiv_range(name, g->b, g->len, at > 40 ? at - 40 : 1, at + 40, 8,
			6, at, &ref);
	g->len = 0;
}

static void
test_limits(void **state)
{
	static const char *const last[] = {
		"Content-Length: 5\r\n", "Connection: close\r\n", "X: y\r\n",
		"Transfer-Encoding: chunked\r\n", "Expect: 100-continue\r\n", "",
	};
	struct gen g = { .rng = 1 };
	const size_t L = LM_HTTP_MAX_LINE_BYTES, H = LM_HTTP_MAX_HEAD_BYTES;
	char name[64];
	int d;
	size_t i, n;

	(void)state;
	for (d = -2; d <= 2; d++) {
		/* a path, a query, a skipped value, a name, a Content-Length
		 * of zeros, a Connection value of whitespace, a chunk
		 * extension: each ends its line L + d bytes long */
		gen_str(&g, "GET /");
		gen_fill(&g, 'p', L + d - 5 - 11);
		gen_str(&g, " HTTP/1.1\r\nHost: x\r\n\r\n");
		snprintf(name, sizeof(name), "path L%+d", d);
		run_limit(name, &g, L);

		gen_str(&g, "GET /?");
		gen_fill(&g, 'q', L + d - 6 - 10);
		gen_str(&g, " HTTP/1.0\n\n");
		snprintf(name, sizeof(name), "query L%+d bare LF", d);
		run_limit(name, &g, L);

		gen_str(&g, "GET / HTTP/1.1\r\nX-Big: ");
		gen_fill(&g, 'v', L + d - 7 - 2);
		gen_str(&g, "\r\n\r\n");
		snprintf(name, sizeof(name), "value L%+d", d);
		run_limit(name, &g, 16 + L);

		gen_str(&g, "GET / HTTP/1.1\r\n");
		gen_fill(&g, 'N', L + d - 3);
		gen_str(&g, ":\r\n\r\n");
		snprintf(name, sizeof(name), "name L%+d", d);
		run_limit(name, &g, 16 + L);

		gen_str(&g, "PUT / HTTP/1.1\r\nContent-Length: ");
		gen_fill(&g, '0', L + d - 16 - 3);
		gen_str(&g, "1\r\n\r\nx");
		snprintf(name, sizeof(name), "cl L%+d", d);
		run_limit(name, &g, 16 + L);

		gen_str(&g, "GET / HTTP/1.1\r\nConnection:");
		gen_fill(&g, ' ', L + d - 11 - 5 - 2);
		gen_str(&g, "close\r\n\r\n");
		snprintf(name, sizeof(name), "connection L%+d", d);
		run_limit(name, &g, 16 + L);

		gen_str(&g, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
			"\r\n1;");
		gen_fill(&g, 'e', L + d - 2 - 2);
		gen_str(&g, "\r\nx\r\n0\r\n\r\n");
		snprintf(name, sizeof(name), "chunk ext L%+d", d);
		run_limit(name, &g, 47 + L);

		/* empty lines before the request-line up to the head limit */
		gen_fill(&g, '\n', H + d - 16);
		gen_str(&g, "GET / HTTP/1.1\r\n\r\n");
		snprintf(name, sizeof(name), "empty lines H%+d", d);
		run_limit(name, &g, H);

		/* a head H + d bytes long that ends with each kind of line */
		for (i = 0; i < sizeof(last) / sizeof(last[0]); i++) {
			size_t tail = strlen(last[i]) + 2;

			gen_str(&g, "POST / HTTP/1.1\r\n");
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
