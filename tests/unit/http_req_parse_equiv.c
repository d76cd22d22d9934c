/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The harness of the request parser's equivalence tests (see
 * http_req_parse_equiv.h).
 *
 * This file compiles its own copy of dataplane/app/http_req_parse.c, the
 * entry points renamed, with LM_HTTP_FAST_TAKEN counting the fast paths
 * taken, so that the tests can prove their inputs go through every one of
 * them: an equivalence that the fast paths never reach would prove nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* renamed before app/http_req_parse.h is first read, so that it declares
 * the copy's entry points */
#define LM_HTTP_FAST_TAKEN(which) (fast_taken.which++)
#define lm_http_req_init t_http_req_init
#define lm_http_req_feed t_http_req_feed
#define lm_http_req_eof t_http_req_eof
#define lm_http_req_err_name t_http_req_err_name
#define lm_http_req_method_name t_http_req_method_name

#include "http_req_parse_equiv.h"

#include "app/http_req_parse.c"
#include "util/splitmix.h"

struct req_fast_taken fast_taken;

const struct req_parser_ops ops_new = {
	t_http_req_init, t_http_req_feed, t_http_req_eof
};
const struct req_parser_ops ops_ref = {
	ref_http_req_init, ref_http_req_feed, ref_http_req_eof
};

/* ------------------------------------------------------------------ */
/* feeding */

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

/*
 * Feed len bytes in pieces as the server does (gen/server.c): when the
 * request is complete, the rest of the piece goes to a fresh parser for
 * the next one; then the close, if the current request is unfinished.
 */
void
drive(const char *ctx, const struct req_parser_ops *ops, const uint8_t *data,
      size_t len, struct cutter *cut, struct outcome *o)
{
	size_t off = 0, n, got;
	int cur = 0;

	memset(o, 0, sizeof(*o));
	o->eof = -1;
	ops->init(&o->p[0]);
	ops->init(&o->p[1]);

	while (off < len || cut->how == CUT_WHOLE) {
		size_t end = off + cutter_next(cut, off, len - off);

		for (;;) {
			struct lm_http_req_parser *p = &o->p[cur];

			got = ops->feed(p, data + off, end - off);
			if (got > end - off) {
				print_error("%s: feed took %zu of %zu\n", ctx,
					    got, end - off);
				fail();
			}
			o->used[cur] += got;
			off += got;
			if (p->state == LM_HTTP_REQ_S_ERROR)
				goto out;
			if (p->state != LM_HTTP_REQ_S_DONE) {
				/* unfinished: must have taken everything */
				CHECK_EQ(ctx, off, end);
				break;
			}
			/* done: takes nothing more */
			n = ops->feed(p, data + off, end - off);
			CHECK_EQ(ctx, n, 0);
			if (cur == 1)
				goto out;
			cur = 1;
		}
		if (cut->how == CUT_WHOLE)
			break;
	}
out:
	if (o->p[cur].state < LM_HTTP_REQ_S_DONE)
		o->eof = ops->eof(&o->p[cur]);
}

static void
check_same_parser(const char *ctx, const struct lm_http_req_parser *a,
		  const struct lm_http_req_parser *b)
{
	CHECK_EQ(ctx, a->state, b->state);
	CHECK_EQ(ctx, a->err, b->err);
	CHECK_EQ(ctx, a->method, b->method);
	CHECK_EQ(ctx, a->path_hash, b->path_hash);
	CHECK_EQ(ctx, a->path_len, b->path_len);
	CHECK_EQ(ctx, a->head_done, b->head_done);
	CHECK_EQ(ctx, a->http10, b->http10);
	CHECK_EQ(ctx, a->conn_close, b->conn_close);
	CHECK_EQ(ctx, a->expect_continue, b->expect_continue);
	CHECK_EQ(ctx, a->chunked, b->chunked);
	CHECK_EQ(ctx, a->has_length, b->has_length);
	CHECK_EQ(ctx, a->content_length, b->content_length);
	CHECK_EQ(ctx, a->body_bytes, b->body_bytes);
	CHECK_EQ(ctx, a->remaining, b->remaining);
	CHECK_EQ(ctx, a->line_len, b->line_len);
	CHECK_EQ(ctx, a->head_len, b->head_len);
	CHECK_EQ(ctx, a->flags, b->flags);
	CHECK_EQ(ctx, a->sub, b->sub);
	CHECK_EQ(ctx, a->hdr, b->hdr);
	CHECK_EQ(ctx, a->tok, b->tok);
}

void
check_same(const char *ctx, const struct outcome *a, const struct outcome *b)
{
	check_same_parser(ctx, &a->p[0], &b->p[0]);
	check_same_parser(ctx, &a->p[1], &b->p[1]);
	CHECK_EQ(ctx, a->used[0], b->used[0]);
	CHECK_EQ(ctx, a->used[1], b->used[1]);
	CHECK_EQ(ctx, a->eof, b->eof);
}

/*
 * The reference reads data whole; the parser reads it whole, cut in two at
 * every position in [split_from, split_to), in three at triples random
 * pairs of positions, byte by byte and in random pieces. Every way must
 * match the reference. Returns the reference's outcome in *ref.
 */
void
run_equiv_range(const char *name, const uint8_t *data, size_t len,
		size_t split_from, size_t split_to, int triples, int randoms,
		uint64_t seed, struct outcome *ref)
{
	struct cutter cut = { .how = CUT_WHOLE };
	struct outcome o;
	char ctx[160];
	size_t a, b;
	int i;

	drive(name, &ops_ref, data, len, &cut, ref);

	snprintf(ctx, sizeof(ctx), "%s [whole]", name);
	drive(ctx, &ops_new, data, len, &cut, &o);
	check_same(ctx, ref, &o);

	cut.how = CUT_BYTES;
	snprintf(ctx, sizeof(ctx), "%s [bytes]", name);
	drive(ctx, &ops_new, data, len, &cut, &o);
	check_same(ctx, ref, &o);

	for (a = split_from > 0 ? split_from : 1; a < split_to && a < len; a++) {
		cut = (struct cutter){ .how = CUT_AT, .at = { a, a } };
		snprintf(ctx, sizeof(ctx), "%s [split at %zu]", name, a);
		drive(ctx, &ops_new, data, len, &cut, &o);
		check_same(ctx, ref, &o);
	}
	for (i = 0; i < triples && len > 2; i++) {
		a = 1 + lm_splitmix64(&seed) % (len - 1);
		b = 1 + lm_splitmix64(&seed) % (len - 1);
		cut = (struct cutter){ .how = CUT_AT,
				       .at = { a < b ? a : b, a < b ? b : a } };
		snprintf(ctx, sizeof(ctx), "%s [split at %zu, %zu]", name,
			 cut.at[0], cut.at[1]);
		drive(ctx, &ops_new, data, len, &cut, &o);
		check_same(ctx, ref, &o);
	}
	for (i = 0; i < randoms; i++) {
		static const size_t maxes[] = { 2, 5, 16, 40, 120, 1500 };

		cut = (struct cutter){ .how = CUT_RANDOM,
				       .seed = lm_splitmix64(&seed),
				       .max = maxes[i % 6] };
		snprintf(ctx, sizeof(ctx), "%s [random seed %" PRIu64
			 " max %zu]", name, cut.seed, cut.max);
		drive(ctx, &ops_new, data, len, &cut, &o);
		check_same(ctx, ref, &o);
	}
}

/* The same, cut in two at every position if splits. */
void
run_equiv(const char *name, const uint8_t *data, size_t len, bool splits,
	  int triples, int randoms, uint64_t seed, struct outcome *ref)
{
	run_equiv_range(name, data, len, 1, splits ? len : 0, triples,
			randoms, seed, ref);
}
