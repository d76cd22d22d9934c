/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the server's HTTP/1.1 request parser
 * (app/http_req_parse.c).
 *
 * Input: one flags byte (bit 0: the client closes after the data), four
 * cut bytes (fuzz_util.h), then the bytes the client sent. Fed whole and
 * then in pieces, the outcome must be the same. Pipelined requests are
 * parsed in turn (re-init after DONE, as the server does), so the whole
 * input is exercised, not only its first request.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/http_req_parse.h"

#include "fuzz_util.h"

#define MAX_REQS 64

struct outcome {
	unsigned int n;                 /* requests completed */
	uint8_t state;                  /* of the last parser */
	uint8_t err;
	uint64_t digest;                /* of every request's fields */
	size_t consumed;
};

static bool
final(const struct lm_http_req_parser *p)
{
	return lm_http_req_done(p) || lm_http_req_failed(p);
}

/* Fold a finished request's fields into a digest (FNV-1a style mix). */
static uint64_t
mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ULL;
}

static uint64_t
fold(uint64_t h, const struct lm_http_req_parser *p)
{
	h = mix(h, p->method);
	h = mix(h, p->http10 | p->conn_close << 1 | p->expect_continue << 2 |
		p->chunked << 3 | p->has_length << 4);
	h = mix(h, p->path_hash);
	h = mix(h, p->path_len);
	h = mix(h, p->content_length);
	h = mix(h, p->body_bytes);
	return h;
}

/*
 * Feed one piece, starting the next request after each one completes;
 * checks what any single call must respect.
 */
static size_t
feed(struct lm_http_req_parser *p, const uint8_t *d, size_t n,
     struct outcome *o)
{
	size_t at = 0, c;
	uint8_t state;

	while (at < n || (n == 0 && at == 0)) {
		bool was_final = final(p);

		state = p->state;
		c = lm_http_req_feed(p, d + at, n - at);
		FUZZ_CHECK(c <= n - at);
		if (was_final) {
			FUZZ_CHECK(c == 0);
			FUZZ_CHECK(p->state == state);
		} else if (!final(p)) {
			FUZZ_CHECK(c == n - at);
		}
		if (lm_http_req_failed(p))
			FUZZ_CHECK(p->err != LM_HTTP_REQ_OK);
		at += c;
		o->consumed += c;
		if (!lm_http_req_done(p) || o->n >= MAX_REQS)
			break;
		FUZZ_CHECK(p->head_done);
		o->digest = fold(o->digest, p);
		o->n++;
		lm_http_req_init(p);
		if (n == 0)
			break;
	}
	return at;
}

static void
run(const uint8_t *d, const size_t *cuts, unsigned int n, bool eof,
    struct outcome *o)
{
	struct lm_http_req_parser p;
	size_t at = 0;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->digest = 0xcbf29ce484222325ULL;
	lm_http_req_init(&p);
	for (i = 0; i <= n; i++) {
		feed(&p, d + at, cuts[i] - at, o);
		at = cuts[i];
	}
	if (eof && !final(&p)) {
		bool ok = lm_http_req_eof(&p);

		FUZZ_CHECK(ok == !lm_http_req_failed(&p));
	}
	o->state = p.state;
	o->err = p.err;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[FUZZ_MAX_CUTS + 1], whole_cut[1];
	struct outcome whole, split;
	unsigned int n;
	bool eof;

	if (size < 1)
		return 0;
	eof = data[0] & 1;
	data++;
	size--;
	n = fuzz_cuts(&data, &size, cuts);

	whole_cut[0] = size;
	run(data, whole_cut, 0, eof, &whole);
	run(data, cuts, n, eof, &split);

	FUZZ_CHECK(whole.n == split.n);
	FUZZ_CHECK(whole.state == split.state);
	FUZZ_CHECK(whole.err == split.err);
	FUZZ_CHECK(whole.digest == split.digest);
	FUZZ_CHECK(whole.consumed == split.consumed);
	return 0;
}
