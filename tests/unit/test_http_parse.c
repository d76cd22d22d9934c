/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the incremental HTTP/1.1 response parser
 * (dataplane/app/http_parse.c).
 *
 * The parser must not care how TCP cut the stream: every response of the
 * tables is fed whole, split in two at every byte position, one byte at a
 * time and in random pieces, and every way must give the same result and
 * the same parser state. Each is followed by a second, pipelined response
 * that a fresh parser must then read from exactly where the first stopped.
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
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/http_parse.h"

#include "util/splitmix.h"

#include "http_parse_cases.h"

/* ------------------------------------------------------------------ */
/* helpers */

/* a fixed seed gives the same data on every run */
#define rng_next(s) lm_splitmix64(s)

static uint64_t
rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

#define CHECK_EQ(ctx, a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		print_error("%s: %s is %" PRIu64 ", expected %" PRIu64 "\n", \
			    (ctx), #a, a_, b_); \
		fail(); \
	} \
} while (0)

struct buf {
	uint8_t *data;
	size_t len;             /* all of it */
	size_t first;           /* bytes of the first response */
	size_t cap;
};

static uint8_t *
buf_grow(struct buf *b, size_t n)
{
	uint8_t *at;

	if (b->data == NULL || b->len + n > b->cap) {
		b->cap = 2 * (b->len + n) + 16;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	at = b->data + b->len;
	b->len += n;
	return at;
}

static void
buf_add(struct buf *b, const void *s, size_t n)
{
	memcpy(buf_grow(b, n), s, n);
}

static void
buf_fill(struct buf *b, char c, size_t n)
{
	memset(buf_grow(b, n), c, n);
}

static struct buf
ok_case_buf(const struct ok_case *c)
{
	struct buf b = { NULL, 0, 0, 0 };

	buf_add(&b, c->pre, strlen(c->pre));
	buf_fill(&b, 'x', c->fill);
	buf_add(&b, c->post, strlen(c->post));
	b.first = b.len;
	/* a body delimited by the close takes all that follows */
	if (!c->to_close)
		buf_add(&b, NEXT, strlen(NEXT));
	return b;
}

/* How the stream is cut into pieces. */
enum cut { CUT_WHOLE, CUT_TWO, CUT_BYTES, CUT_RANDOM };

struct cutter {
	enum cut how;
	size_t at;              /* CUT_TWO: the split position */
	uint64_t seed;          /* CUT_RANDOM */
	size_t max;             /* CUT_RANDOM: pieces of 1..max bytes */
};

static size_t
cutter_next(struct cutter *c, size_t off, size_t left)
{
	size_t n;

	switch (c->how) {
	case CUT_TWO:
		return off < c->at ? c->at - off : left;
	case CUT_BYTES:
		return 1;
	case CUT_RANDOM:
		n = 1 + rng_below(&c->seed, c->max);
		return n < left ? n : left;
	default:
		return left;
	}
}

static const char *
cutter_str(const struct cutter *c, const char *name, char *s, size_t n)
{
	static const char *const how[] = { "whole", "split", "bytes", "random" };

	snprintf(s, n, "%s [%s at=%zu seed=%" PRIu64 " max=%zu]", name,
		 how[c->how], c->at, c->seed, c->max);
	return s;
}

struct outcome {
	struct lm_http_resp_parser p[2]; /* the response and the next one */
	size_t used[2];                  /* sum of what feed() returned */
	int eof;                         /* eof's return, -1: not called */
};

/*
 * Feed buf in pieces as a connection would: when the first response is
 * complete, the rest of the piece goes to a fresh parser for the next one.
 * Then signal the close if call_eof and the current response is unfinished.
 */
static void
drive(const char *ctx, const struct buf *b, bool head, struct cutter *cut,
      bool call_eof, struct outcome *o)
{
	size_t off = 0, n, got;
	int cur = 0;

	memset(o, 0, sizeof(*o));
	o->eof = -1;
	lm_http_resp_init(&o->p[0], head);
	lm_http_resp_init(&o->p[1], false);

	while (off < b->len || cut->how == CUT_WHOLE) {
		size_t end = off + cutter_next(cut, off, b->len - off);

		for (;;) {
			struct lm_http_resp_parser *p = &o->p[cur];

			got = lm_http_resp_feed(p, b->data + off, end - off);
			if (got > end - off) {
				print_error("%s: feed returned %zu of %zu\n",
					    ctx, got, end - off);
				fail();
			}
			o->used[cur] += got;
			off += got;
			if (lm_http_resp_failed(p))
				goto out;
			if (!lm_http_resp_done(p)) {
				/* unfinished: must have taken everything */
				CHECK_EQ(ctx, off, end);
				break;
			}
			/* done: nothing more goes in */
			n = lm_http_resp_feed(p, b->data + off, end - off);
			CHECK_EQ(ctx, n, 0);
			if (cur == 1)
				goto out;
			cur = 1;
		}
		if (cut->how == CUT_WHOLE)
			break;
	}
out:
	if (call_eof && !lm_http_resp_done(&o->p[cur]) &&
	    !lm_http_resp_failed(&o->p[cur]))
		o->eof = lm_http_resp_eof(&o->p[cur]);
}

/* Two parsers that read the same bytes must be in the same state. */
static void
check_same_parser(const char *ctx, const struct lm_http_resp_parser *a,
		  const struct lm_http_resp_parser *b)
{
	CHECK_EQ(ctx, a->state, b->state);
	CHECK_EQ(ctx, a->sub, b->sub);
	CHECK_EQ(ctx, a->hdr, b->hdr);
	CHECK_EQ(ctx, a->tok, b->tok);
	CHECK_EQ(ctx, a->head_request, b->head_request);
	CHECK_EQ(ctx, a->chunked, b->chunked);
	CHECK_EQ(ctx, a->has_length, b->has_length);
	CHECK_EQ(ctx, a->conn_close, b->conn_close);
	CHECK_EQ(ctx, a->http10, b->http10);
	CHECK_EQ(ctx, a->flags, b->flags);
	CHECK_EQ(ctx, a->status, b->status);
	CHECK_EQ(ctx, a->err, b->err);
	CHECK_EQ(ctx, a->line_len, b->line_len);
	CHECK_EQ(ctx, a->head_len, b->head_len);
	CHECK_EQ(ctx, a->content_length, b->content_length);
	CHECK_EQ(ctx, a->remaining, b->remaining);
	CHECK_EQ(ctx, a->body_bytes, b->body_bytes);
	CHECK_EQ(ctx, a->total_bytes, b->total_bytes);
}

static void
check_same_outcome(const char *ctx, const struct outcome *a,
		   const struct outcome *b)
{
	check_same_parser(ctx, &a->p[0], &b->p[0]);
	check_same_parser(ctx, &a->p[1], &b->p[1]);
	CHECK_EQ(ctx, a->used[0], b->used[0]);
	CHECK_EQ(ctx, a->used[1], b->used[1]);
	CHECK_EQ(ctx, a->eof, b->eof);
}

static void
check_ok(const char *ctx, const struct ok_case *c, const struct buf *b,
	 const struct outcome *o)
{
	const struct lm_http_resp_parser *p = &o->p[0];

	if (!lm_http_resp_done(p))
		print_error("%s: not done: state %u err %s\n", ctx, p->state,
			    lm_http_perr_name(p->err));
	CHECK_EQ(ctx, p->state, LM_HTTP_S_DONE);
	CHECK_EQ(ctx, p->err, LM_HTTP_OK);
	CHECK_EQ(ctx, p->status, c->status);
	CHECK_EQ(ctx, p->body_bytes, c->body);
	CHECK_EQ(ctx, p->conn_close, c->conn_close);
	CHECK_EQ(ctx, p->chunked, c->chunked);
	CHECK_EQ(ctx, p->has_length, c->cl != NO_CL);
	if (c->cl != NO_CL)
		CHECK_EQ(ctx, p->content_length, c->cl);
	CHECK_EQ(ctx, o->used[0], b->first);
	CHECK_EQ(ctx, p->total_bytes, b->first);
	CHECK_EQ(ctx, o->eof, c->to_close ? 1 : -1);
	if (c->to_close)
		return;
	/* the pipelined response starts exactly where the first stopped */
	CHECK_EQ(ctx, o->p[1].state, LM_HTTP_S_DONE);
	CHECK_EQ(ctx, o->p[1].status, 200);
	CHECK_EQ(ctx, o->p[1].body_bytes, 4);
	CHECK_EQ(ctx, o->used[1], strlen(NEXT));
}

/* Run buf every way: whole, two pieces at every split (if every_split),
 * bytes, random pieces; each outcome is checked by check() (if any) and
 * must equal the whole-feed outcome. */
static void
run_all_cuts(const char *name, const struct buf *b, bool head, bool call_eof,
	     bool every_split, int random_runs,
	     void (*check)(const char *, const void *, const struct buf *,
			   const struct outcome *), const void *arg,
	     struct outcome *whole)
{
	struct cutter cut = { CUT_WHOLE, 0, 0, 0 };
	struct outcome o;
	char ctx[256];
	uint64_t seed = 0x5eed;
	int i;

	drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, head, &cut,
	      call_eof, whole);
	if (check)
		check(ctx, arg, b, whole);

	for (size_t at = 0; every_split && at <= b->len; at++) {
		cut = (struct cutter){ CUT_TWO, at, 0, 0 };
		drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, head, &cut,
		      call_eof, &o);
		if (check)
			check(ctx, arg, b, &o);
		check_same_outcome(ctx, whole, &o);
	}

	cut = (struct cutter){ CUT_BYTES, 0, 0, 0 };
	drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, head, &cut,
	      call_eof, &o);
	if (check)
		check(ctx, arg, b, &o);
	check_same_outcome(ctx, whole, &o);

	for (i = 0; i < random_runs; i++) {
		static const size_t maxes[] = { 2, 7, 31, 200, 5000 };

		cut = (struct cutter){ CUT_RANDOM, 0, rng_next(&seed),
				       maxes[i % 5] };
		drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, head, &cut,
		      call_eof, &o);
		if (check)
			check(ctx, arg, b, &o);
		check_same_outcome(ctx, whole, &o);
	}
}

static void
check_ok_cb(const char *ctx, const void *arg, const struct buf *b,
	    const struct outcome *o)
{
	check_ok(ctx, arg, b, o);
}

/* ------------------------------------------------------------------ */
/* the tables */

static void
test_ok_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < n_ok_cases; i++) {
		const struct ok_case *c = &ok_cases[i];
		struct buf b = ok_case_buf(c);
		struct outcome whole;

		run_all_cuts(c->name, &b, c->head, true, true, 100,
			     check_ok_cb, c, &whole);
		free(b.data);
	}
}

static void
check_err_cb(const char *ctx, const void *arg, const struct buf *b,
	     const struct outcome *o)
{
	const struct err_case *c = arg;
	const struct lm_http_resp_parser *p = &o->p[0];
	struct lm_http_resp_parser copy;

	(void)b;
	if (p->err != (uint16_t)c->err)
		print_error("%s: err %s, expected %s\n", ctx,
			    lm_http_perr_name(p->err), lm_http_perr_name(c->err));
	CHECK_EQ(ctx, p->state, LM_HTTP_S_ERROR);
	CHECK_EQ(ctx, p->err, c->err);
	CHECK_EQ(ctx, p->total_bytes, o->used[0]);
	if (c->stop >= 0)
		CHECK_EQ(ctx, o->used[0], c->stop);
	CHECK_EQ(ctx, o->eof, c->err == LM_HTTP_E_EOF ? 0 : -1);
	/* a failed parser takes nothing more */
	copy = *p;
	CHECK_EQ(ctx, lm_http_resp_feed(&copy, (const uint8_t *)"HTTP", 4), 0);
	CHECK_EQ(ctx, copy.total_bytes, p->total_bytes);
}

static void
test_err_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < n_err_cases; i++) {
		const struct err_case *c = &err_cases[i];
		struct buf b = { NULL, 0, 0, 0 };
		struct outcome whole;

		buf_add(&b, c->raw, strlen(c->raw));
		b.first = b.len;
		run_all_cuts(c->name, &b, c->head, true, true, 50,
			     check_err_cb, c, &whole);
		free(b.data);
	}
}

/* Every error is reached by at least one case. */
static void
test_err_table_covers_all(void **state)
{
	bool seen[LM_HTTP_E_EOF + 1] = { false };
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < n_err_cases; i++)
		seen[err_cases[i].err] = true;
	seen[LM_HTTP_E_HEAD_TOO_LARGE] = true; /* test_limits_* */
	for (e = LM_HTTP_E_STATUS_LINE; e <= LM_HTTP_E_EOF; e++)
		assert_true(seen[e]);
}

/* ------------------------------------------------------------------ */
/* limits */

struct limit_expect {
	bool ok;
	enum lm_http_perr err;
	long stop;
};

static void
check_limit_cb(const char *ctx, const void *arg, const struct buf *b,
	       const struct outcome *o)
{
	const struct limit_expect *x = arg;

	if (x->ok) {
		CHECK_EQ(ctx, o->p[0].state, LM_HTTP_S_DONE);
		CHECK_EQ(ctx, o->used[0], b->first);
	} else {
		CHECK_EQ(ctx, o->p[0].state, LM_HTTP_S_ERROR);
		CHECK_EQ(ctx, o->p[0].err, x->err);
		if (x->stop >= 0)
			CHECK_EQ(ctx, o->used[0], x->stop);
	}
}

static void
run_limit(const char *name, struct buf *b, bool ok, long stop)
{
	struct limit_expect x = { ok, LM_HTTP_E_HEAD_TOO_LARGE, stop };
	struct outcome whole;

	if (ok)
		b->first = b->len;
	run_all_cuts(name, b, false, false, false, 20, check_limit_cb, &x,
		     &whole);
	free(b->data);
	memset(b, 0, sizeof(*b));
}

/* A status line of exactly LM_HTTP_MAX_LINE_BYTES (with its CRLF). */
static void
status_line(struct buf *b, size_t line_bytes)
{
	buf_add(b, "HTTP/1.1 200 ", 13);
	buf_fill(b, 'r', line_bytes - 13 - 2);
	buf_add(b, "\r\n", 2);
}

static void
test_limits_line(void **state)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *end = "Content-Length: 0\r\n\r\n";

	(void)state;
	/* skipped reason phrase: at the limit, then one byte over */
	status_line(&b, LM_HTTP_MAX_LINE_BYTES);
	buf_add(&b, end, strlen(end));
	run_limit("reason_at_limit", &b, true, -1);
	status_line(&b, LM_HTTP_MAX_LINE_BYTES + 1);
	buf_add(&b, end, strlen(end));
	run_limit("reason_over_limit", &b, false, LM_HTTP_MAX_LINE_BYTES);

	/* skipped field value */
	buf_add(&b, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	buf_fill(&b, 'v', LM_HTTP_MAX_LINE_BYTES - 7 - 2);
	buf_add(&b, "\r\n", 2);
	buf_add(&b, end, strlen(end));
	run_limit("value_at_limit", &b, true, -1);
	buf_add(&b, "HTTP/1.1 200 OK\r\nX-Big: ", 24);
	buf_fill(&b, 'v', LM_HTTP_MAX_LINE_BYTES - 7 - 1);
	buf_add(&b, "\r\n", 2);
	buf_add(&b, end, strlen(end));
	run_limit("value_over_limit", &b, false, 17 + LM_HTTP_MAX_LINE_BYTES);

	/* a field name parsed byte by byte */
	buf_add(&b, "HTTP/1.1 200 OK\r\n", 17);
	buf_fill(&b, 'N', LM_HTTP_MAX_LINE_BYTES);
	buf_add(&b, ": v\r\n\r\n", 7);
	run_limit("name_over_limit", &b, false, 17 + LM_HTTP_MAX_LINE_BYTES);

	/* a Content-Length of many leading zeros */
	buf_add(&b, "HTTP/1.1 200 OK\r\nContent-Length: ", 33);
	buf_fill(&b, '0', LM_HTTP_MAX_LINE_BYTES);
	buf_add(&b, "\r\n\r\n", 4);
	run_limit("cl_over_limit", &b, false, 17 + LM_HTTP_MAX_LINE_BYTES);

	/* chunk extensions: the line limit holds for chunk-size lines */
	buf_add(&b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"1;", 49);
	buf_fill(&b, 'e', LM_HTTP_MAX_LINE_BYTES - 4);
	buf_add(&b, "\r\nx\r\n0\r\n\r\n", 10);
	run_limit("chunk_ext_at_limit", &b, true, -1);
	buf_add(&b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		"1;", 49);
	buf_fill(&b, 'e', LM_HTTP_MAX_LINE_BYTES - 3);
	buf_add(&b, "\r\nx\r\n0\r\n\r\n", 10);
	run_limit("chunk_ext_over_limit", &b, false,
		  47 + LM_HTTP_MAX_LINE_BYTES);
}

/* Field lines "X-Fill-NNNNN: vvv\r\n" until the head reaches `total`
 * bytes, including the status line and the empty line. */
static void
head_of_size(struct buf *b, const char *status, size_t total)
{
	char line[64];
	size_t left;

	buf_add(b, status, strlen(status));
	for (int i = 0;; i++) {
		left = total - b->len - 2;
		if (left < 1024 + 40)
			break;
		snprintf(line, sizeof(line), "X-Fill-%05d: ", i);
		buf_add(b, line, strlen(line));
		buf_fill(b, 'v', 1024 - strlen(line) - 2);
		buf_add(b, "\r\n", 2);
	}
	/* last line takes the rest exactly */
	buf_add(b, "X-Last: ", 8);
	buf_fill(b, 'w', left - 8 - 2);
	buf_add(b, "\r\n\r\n", 4);
	assert_int_equal(b->len, total);
}

static void
test_limits_head(void **state)
{
	struct buf b = { NULL, 0, 0, 0 };
	const char *st = "HTTP/1.1 204 No Content\r\n";
	size_t i;

	(void)state;
	head_of_size(&b, st, LM_HTTP_MAX_HEAD_BYTES);
	run_limit("head_at_limit", &b, true, -1);
	head_of_size(&b, st, LM_HTTP_MAX_HEAD_BYTES + 1);
	run_limit("head_over_limit", &b, false, LM_HTTP_MAX_HEAD_BYTES);

	/* interim heads count: an endless 100 Continue stream fails */
	for (i = 0; i < LM_HTTP_MAX_HEAD_BYTES / 25 + 1; i++)
		buf_add(&b, "HTTP/1.1 100 Continue\r\n\r\n", 25);
	run_limit("endless_100", &b, false, LM_HTTP_MAX_HEAD_BYTES);

	/* trailers count with the header section... */
	buf_add(&b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n", 45);
	for (i = 0; i < 40; i++) {
		buf_add(&b, "X-H: ", 5);
		buf_fill(&b, 'h', 1000);
		buf_add(&b, "\r\n", 2);
	}
	buf_add(&b, "\r\n0\r\n", 5);
	for (i = 0; i < 30; i++) {
		buf_add(&b, "X-T: ", 5);
		buf_fill(&b, 't', 1000);
		buf_add(&b, "\r\n", 2);
	}
	buf_add(&b, "\r\n", 2);
	run_limit("trailers_over_limit", &b, false, -1);

	/* ... but chunk-size lines and data do not */
	buf_add(&b, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 47);
	for (i = 0; i < 8000; i++)
		buf_add(&b, "1;ext=aaaaaaa\r\nx\r\n", 18);
	buf_add(&b, "0\r\n\r\n", 5);
	run_limit("many_chunks", &b, true, -1);
}

/* ------------------------------------------------------------------ */
/* bodies are skipped, not read */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A 1 GiB Content-Length body whose pages are not even readable: the head
 * ends at the end of the first page, the body pages are PROT_NONE and the
 * pipelined response sits in a readable page after them. Reading one body
 * byte would crash; a loop over the bytes would take seconds.
 */
static void
test_body_skipped_1g(void **state)
{
	const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n";
	const uint64_t body = UINT64_C(1) << 30;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t hl = strlen(head), total, off, pieces[4], i;
	struct lm_http_resp_parser p, q;
	uint8_t *map, *start;
	double t0, t1;
	size_t used = 0;

	(void)state;
	map = mmap(NULL, pg + body + pg, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map, pg, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(map + pg + body, pg, PROT_READ | PROT_WRITE),
			 0);
	start = map + pg - hl;
	memcpy(start, head, hl);
	memcpy(map + pg + body, NEXT, strlen(NEXT));
	total = hl + body + strlen(NEXT);

	/* head and a bit of body; a big middle; the rest with the next */
	pieces[0] = hl + 1000;
	pieces[1] = 600u << 20;
	pieces[2] = (300u << 20) + 3;
	pieces[3] = total - pieces[0] - pieces[1] - pieces[2];

	lm_http_resp_init(&p, false);
	t0 = now_s();
	for (i = 0, off = 0; i < 4; off += pieces[i], i++) {
		size_t n = lm_http_resp_feed(&p, start + off, pieces[i]);

		used += n;
		if (lm_http_resp_done(&p))
			break;
		assert_int_equal(n, pieces[i]);
	}
	t1 = now_s();
	assert_true(lm_http_resp_done(&p));
	assert_int_equal(p.body_bytes, body);
	assert_int_equal(used, hl + body);
	assert_int_equal(p.total_bytes, hl + body);
	assert_true(t1 - t0 < 0.05);

	lm_http_resp_init(&q, false);
	assert_int_equal(lm_http_resp_feed(&q, start + used, total - used),
			 strlen(NEXT));
	assert_true(lm_http_resp_done(&q));
	assert_int_equal(q.body_bytes, 4);
	munmap(map, pg + body + pg);
}

/* The same for a chunk of 1 GiB. */
static void
test_chunk_skipped_1g(void **state)
{
	const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			   "40000000\r\n";
	const char *tail = "\r\n0\r\n\r\n" NEXT;
	const uint64_t body = UINT64_C(1) << 30;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t hl = strlen(head), total, n;
	struct lm_http_resp_parser p;
	uint8_t *map, *start;
	double t0;

	(void)state;
	map = mmap(NULL, pg + body + pg, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map, pg, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(map + pg + body, pg, PROT_READ | PROT_WRITE),
			 0);
	start = map + pg - hl;
	memcpy(start, head, hl);
	memcpy(map + pg + body, tail, strlen(tail));
	total = hl + body + strlen(tail);

	lm_http_resp_init(&p, false);
	t0 = now_s();
	n = lm_http_resp_feed(&p, start, total);
	assert_true(now_s() - t0 < 0.05);
	assert_true(lm_http_resp_done(&p));
	assert_true(p.chunked);
	assert_int_equal(p.body_bytes, body);
	assert_int_equal(n, total - strlen(NEXT));
	munmap(map, pg + body + pg);
}

/* ------------------------------------------------------------------ */
/* single behaviours */

static size_t
feed_str(struct lm_http_resp_parser *p, const char *s)
{
	return lm_http_resp_feed(p, (const uint8_t *)s, strlen(s));
}

static void
test_done_and_error_take_nothing(void **state)
{
	struct lm_http_resp_parser p;

	(void)state;
	lm_http_resp_init(&p, false);
	assert_int_equal(feed_str(&p, "HTTP/1.1 204 No Content\r\n\r\nHTTP"), 27);
	assert_true(lm_http_resp_done(&p));
	assert_int_equal(feed_str(&p, "HTTP/1.1 200 OK\r\n"), 0);
	assert_int_equal(p.total_bytes, 27);
	assert_true(lm_http_resp_eof(&p));
	assert_true(lm_http_resp_done(&p));

	lm_http_resp_init(&p, false);
	assert_int_equal(feed_str(&p, "HTTP/1.1 200 OK\r\nBad Name: x\r\n"), 20);
	assert_true(lm_http_resp_failed(&p));
	assert_int_equal(p.err, LM_HTTP_E_HEADER);
	assert_int_equal(feed_str(&p, "more"), 0);
	assert_int_equal(p.total_bytes, 20);
	/* eof keeps the first error */
	assert_false(lm_http_resp_eof(&p));
	assert_int_equal(p.err, LM_HTTP_E_HEADER);

	/* empty feeds change nothing */
	lm_http_resp_init(&p, false);
	assert_int_equal(lm_http_resp_feed(&p, (const uint8_t *)"", 0), 0);
	assert_int_equal(p.state, LM_HTTP_S_STATUS);
}

static void
test_close_delimited_eof(void **state)
{
	struct lm_http_resp_parser p;

	(void)state;
	lm_http_resp_init(&p, false);
	assert_int_equal(feed_str(&p, "HTTP/1.1 200 OK\r\n\r\n"), 19);
	assert_false(lm_http_resp_done(&p));
	assert_int_equal(feed_str(&p, "abc"), 3);
	assert_int_equal(feed_str(&p, "HTTP/1.1 200 OK\r\n"), 17);
	assert_false(lm_http_resp_done(&p));
	assert_true(p.conn_close);
	assert_true(lm_http_resp_eof(&p));
	assert_true(lm_http_resp_done(&p));
	assert_int_equal(p.body_bytes, 20);
	assert_int_equal(p.total_bytes, 39);
	/* an empty close-delimited body is complete too */
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.0 200 OK\r\n\r\n");
	assert_true(lm_http_resp_eof(&p));
	assert_int_equal(p.body_bytes, 0);
}

static void
test_content_length_bounds(void **state)
{
	struct lm_http_resp_parser p;

	(void)state;
	/* 2^63 - 1 is the largest accepted */
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775807\r\n\r\nab");
	assert_false(lm_http_resp_failed(&p));
	assert_true(p.has_length);
	assert_int_equal(p.content_length, INT64_MAX);
	assert_int_equal(p.body_bytes, 2);
	assert_false(lm_http_resp_eof(&p));
	assert_int_equal(p.err, LM_HTTP_E_EOF);

	/* and for chunks */
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "7fffffffffffffff\r\nabc");
	assert_false(lm_http_resp_failed(&p));
	assert_int_equal(p.body_bytes, 3);
	assert_int_equal(p.remaining, INT64_MAX - 3);
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
		 "00000000000000000000000000000002\r\nab\r\n0\r\n\r\n");
	assert_true(lm_http_resp_done(&p));
	assert_int_equal(p.body_bytes, 2);
}

static void
test_fields_of_final_response(void **state)
{
	struct lm_http_resp_parser p;

	(void)state;
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.0 200 OK\r\n");
	assert_true(p.http10);
	assert_int_equal(p.status, 200);
	/* 1xx: status and fields are those of the final response */
	lm_http_resp_init(&p, false);
	feed_str(&p, "HTTP/1.0 100 Continue\r\nContent-Length: 7\r\n\r\n");
	assert_int_equal(p.state, LM_HTTP_S_STATUS);
	assert_int_equal(p.status, 0);
	assert_false(p.has_length);
	assert_false(p.http10);
	assert_int_equal(p.total_bytes, 44);
	feed_str(&p, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
	assert_true(lm_http_resp_done(&p));
	assert_int_equal(p.status, 200);
	assert_true(p.chunked);
	assert_false(p.has_length);
	assert_false(p.conn_close);
	assert_int_equal(p.total_bytes, 44 + 52);
}

static void
test_perr_names(void **state)
{
	(void)state;
	assert_string_equal(lm_http_perr_name(LM_HTTP_OK), "ok");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_STATUS_LINE),
			    "status_line");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_HEADER), "header");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_HEAD_TOO_LARGE),
			    "head_too_large");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_CONTENT_LENGTH),
			    "content_length");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_CHUNK), "chunk");
	assert_string_equal(lm_http_perr_name(LM_HTTP_E_EOF), "eof");
}

/* ------------------------------------------------------------------ */
/* mutated responses: whatever the outcome, the cut must not matter */

static void
test_mutations_split_invariant(void **state)
{
	static const char alphabet[] = "\r\n\t :;,0123456789aAfFxX-\"";
	uint64_t seed = 42;
	size_t i;
	int m;

	(void)state;
	for (i = 0; i < n_ok_cases; i++) {
		const struct ok_case *c = &ok_cases[i];

		if (c->fill > 0)
			continue;
		for (m = 0; m < 150; m++) {
			struct buf b = ok_case_buf(c);
			struct outcome whole;
			char name[96];
			int k, edits = 1 + (int)rng_below(&seed, 3);

			for (k = 0; k < edits; k++) {
				size_t at = rng_below(&seed, b.len);
				uint8_t v = rng_below(&seed, 4) ?
					alphabet[rng_below(&seed,
						sizeof(alphabet) - 1)] :
					(uint8_t)rng_next(&seed);

				switch (rng_below(&seed, 3)) {
				case 0: /* replace */
					b.data[at] = v;
					break;
				case 1: /* delete */
					memmove(b.data + at, b.data + at + 1,
						b.len - at - 1);
					b.len--;
					break;
				default: /* insert */
					buf_fill(&b, 0, 1);
					memmove(b.data + at + 1, b.data + at,
						b.len - at - 1);
					b.data[at] = v;
					break;
				}
			}
			snprintf(name, sizeof(name), "%s~mut%d", c->name, m);
			run_all_cuts(name, &b, c->head, true, b.len < 400, 10,
				     NULL, NULL, &whole);
			free(b.data);
		}
	}
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_table),
		cmocka_unit_test(test_err_table),
		cmocka_unit_test(test_err_table_covers_all),
		cmocka_unit_test(test_limits_line),
		cmocka_unit_test(test_limits_head),
		cmocka_unit_test(test_body_skipped_1g),
		cmocka_unit_test(test_chunk_skipped_1g),
		cmocka_unit_test(test_done_and_error_take_nothing),
		cmocka_unit_test(test_close_delimited_eof),
		cmocka_unit_test(test_content_length_bounds),
		cmocka_unit_test(test_fields_of_final_response),
		cmocka_unit_test(test_perr_names),
		cmocka_unit_test(test_mutations_split_invariant),
	};

	return cmocka_run_group_tests(tests, build_many_headers, NULL);
}
