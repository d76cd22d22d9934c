/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness of the request parser's equivalence tests
 * (test_http_req_parse_equiv.c, test_http_req_parse_gen.c): the parser of
 * dataplane/app/http_req_parse.c, compiled into http_req_parse_equiv.c with
 * its fast paths counted, against the reference (http_req_parse_ref.c, the
 * state machine alone), fed every way.
 */
#ifndef LM_TEST_HTTP_REQ_PARSE_EQUIV_H
#define LM_TEST_HTTP_REQ_PARSE_EQUIV_H

#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/http_req_parse.h"

/* How many times each fast path was taken (LM_HTTP_FAST_TAKEN). */
struct req_fast_taken {
	uint64_t request_line, name, cl, list, skip, empty, chunk_end,
		 chunk_size;
};

extern struct req_fast_taken fast_taken;

struct req_parser_ops {
	void (*init)(struct lm_http_req_parser *);
	size_t (*feed)(struct lm_http_req_parser *, const uint8_t *, size_t);
	bool (*eof)(struct lm_http_req_parser *);
};

/* the parser (with its fast paths), the reference (without) */
extern const struct req_parser_ops ops_new, ops_ref;

/* the reference's entry points (http_req_parse_ref.c) */
void ref_http_req_init(struct lm_http_req_parser *p);
size_t ref_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
			 size_t len);
bool ref_http_req_eof(struct lm_http_req_parser *p);

/* The pipelined request after each one: a fresh parser must read it from
 * exactly where the first stopped, as the server does. */
#define NEXT "GET /next?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"

#define CHECK_EQ(ctx, a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		print_error("%s: %s is %" PRIu64 ", expected %" PRIu64 "\n", \
			    (ctx), #a, a_, b_); \
		fail(); \
	} \
} while (0)

enum cut { CUT_WHOLE, CUT_AT, CUT_BYTES, CUT_RANDOM };

struct cutter {
	enum cut how;
	size_t at[2];           /* CUT_AT: up to two cut positions */
	uint64_t seed;          /* CUT_RANDOM */
	size_t max;             /* CUT_RANDOM: pieces of 1..max bytes */
};

struct outcome {
	struct lm_http_req_parser p[2]; /* the request and the next one */
	size_t used[2];                 /* sum of what feed() returned */
	int eof;                        /* eof's return, -1: not called */
};

void drive(const char *ctx, const struct req_parser_ops *ops,
	   const uint8_t *data, size_t len, struct cutter *cut,
	   struct outcome *o);
void check_same(const char *ctx, const struct outcome *a,
		const struct outcome *b);
void run_equiv_range(const char *name, const uint8_t *data, size_t len,
		     size_t split_from, size_t split_to, int triples,
		     int randoms, uint64_t seed, struct outcome *ref);
void run_equiv(const char *name, const uint8_t *data, size_t len,
	       bool splits, int triples, int randoms, uint64_t seed,
	       struct outcome *ref);

#endif /* LM_TEST_HTTP_REQ_PARSE_EQUIV_H */
