/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the HTTP/1.1 response parser (app/http_parse.c).
 *
 * Input: one flags byte (bit 0: the request was HEAD; bit 1: the peer
 * closes after the data), four cut bytes (fuzz_util.h), then the bytes
 * the server sent. The message is fed whole, then in the pieces the cuts
 * make; both must agree, since TCP may deliver a response split anywhere.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/http_parse.h"
#include "util/crc32c.h"

#include "fuzz_util.h"

struct outcome {
	uint8_t state;
	uint16_t status;
	uint16_t err;
	bool conn_close;
	uint64_t body_bytes;
	size_t consumed;
	uint32_t crc;
};

static bool
final(const struct lm_http_resp_parser *p)
{
	return lm_http_resp_done(p) || lm_http_resp_failed(p);
}

/* Feed one piece; checks what any single call must respect. */
static size_t
feed(struct lm_http_resp_parser *p, const uint8_t *d, size_t n,
     uint32_t *crc)
{
	bool was_final = final(p);
	uint8_t state = p->state;
	size_t c;

	c = lm_http_resp_feed_crc(p, d, n, crc);
	FUZZ_CHECK(c <= n);
	if (was_final) {
		/* DONE and ERROR are final: nothing more is taken */
		FUZZ_CHECK(c == 0);
		FUZZ_CHECK(p->state == state);
	} else if (!final(p)) {
		/* a parser still in the middle takes everything */
		FUZZ_CHECK(c == n);
	}
	if (lm_http_resp_failed(p))
		FUZZ_CHECK(p->err != LM_HTTP_OK);
	return c;
}

static void
finish(struct lm_http_resp_parser *p, bool eof, size_t consumed,
       uint32_t crc, struct outcome *o)
{
	if (eof && !final(p)) {
		bool ok = lm_http_resp_eof(p);

		FUZZ_CHECK(final(p));
		FUZZ_CHECK(ok == lm_http_resp_done(p));
	}
	memset(o, 0, sizeof(*o));
	o->state = p->state;
	o->status = p->status;
	o->err = p->err;
	o->conn_close = p->conn_close;
	o->body_bytes = p->body_bytes;
	o->consumed = consumed;
	o->crc = crc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cuts[FUZZ_MAX_CUTS + 1], consumed, at;
	struct lm_http_resp_parser p;
	struct outcome whole, split;
	unsigned int n, i;
	bool head, eof;
	uint32_t crc;

	if (size < 1)
		return 0;
	head = data[0] & 1;
	eof = data[0] & 2;
	data++;
	size--;
	n = fuzz_cuts(&data, &size, cuts);

	lm_http_resp_init(&p, head);
	crc = LM_CRC32C_INIT;
	consumed = feed(&p, data, size, &crc);
	/* what is left over must not be taken either */
	if (consumed < size)
		FUZZ_CHECK(feed(&p, data + consumed, size - consumed, &crc) == 0);
	finish(&p, eof, consumed, crc, &whole);

	lm_http_resp_init(&p, head);
	crc = LM_CRC32C_INIT;
	consumed = 0;
	at = 0;
	for (i = 0; i <= n; i++) {
		size_t c = feed(&p, data + at, cuts[i] - at, &crc);

		/* a piece after the end gets nothing (checked in feed) */
		consumed += c;
		at = cuts[i];
	}
	finish(&p, eof, consumed, crc, &split);

	FUZZ_CHECK(whole.state == split.state);
	FUZZ_CHECK(whole.status == split.status);
	FUZZ_CHECK(whole.err == split.err);
	FUZZ_CHECK(whole.conn_close == split.conn_close);
	FUZZ_CHECK(whole.body_bytes == split.body_bytes);
	FUZZ_CHECK(whole.consumed == split.consumed);
	FUZZ_CHECK(whole.crc == split.crc);
	return 0;
}
