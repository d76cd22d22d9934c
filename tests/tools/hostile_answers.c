/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-hostile's answers (see hostile.h): the proper one, and for each mode
 * the bytes that make it hostile, with the variants it takes in turn.
 * Each targets a rule or a limit of our client's response parser
 * (dataplane/app/http_parse.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostile.h"

#define CHUNK_BYTES	1024

int
ob_reserve(struct outbuf *o, size_t more)
{
	uint8_t *p;
	size_t cap;

	if (o->off == o->len)
		o->off = o->len = 0;
	if (o->len + more <= o->cap)
		return 0;
	cap = o->cap ? o->cap : 4096;
	while (cap < o->len + more)
		cap *= 2;
	p = realloc(o->p, cap);
	if (p == NULL)
		return -1;
	o->p = p;
	o->cap = cap;
	return 0;
}

int
ob_put(struct outbuf *o, const void *p, size_t len)
{
	if (ob_reserve(o, len) < 0)
		return -1;
	memcpy(o->p + o->len, p, len);
	o->len += len;
	return 0;
}

int
ob_str(struct outbuf *o, const char *s)
{
	return ob_put(o, s, strlen(s));
}

/* The proper answer: requests to /ok, and what a mode lets through. */
int
answer_ok(struct outbuf *o)
{
	return ob_str(o, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
		      "Content-Length: 3\r\n\r\nok\n");
}

/*
 * garbage-status: status lines that are not HTTP/1.x (RFC 9112 section 4).
 * Binary: a TLS ClientHello's first bytes, NUL included.
 */
#define BYTES(s) (s), sizeof(s) - 1
static const struct {
	const char *name;
	const char *bytes;
	size_t len;
} garbage[] = {
	{ "2x0", BYTES("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n") },
	{ "foo", BYTES("FOO\r\n\r\n") },
	{ "binary", BYTES("\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\xff\x00\r\n\r\n") },
	{ "http2", BYTES("HTTP/2 200\r\nContent-Length: 0\r\n\r\n") },
	{ "code999", BYTES("HTTP/1.1 999 Nine\r\nContent-Length: 0\r\n\r\n") },
};

int
answer_garbage(struct outbuf *o, uint64_t turn, const char **variant)
{
	size_t k = turn % (sizeof(garbage) / sizeof(garbage[0]));

	*variant = garbage[k].name;
	return ob_put(o, garbage[k].bytes, garbage[k].len);
}

/* cl-overflow: framing numbers that are no numbers, or past what 64 bits
 * hold (a chunk size too). */
static const struct {
	const char *name;
	const char *bytes;
} bad_length[] = {
	{ "2^64", "Content-Length: 18446744073709551616\r\n\r\nhello" },
	{ "huge", "Content-Length: 99999999999999999999999999999\r\n\r\nhello" },
	{ "junk", "Content-Length: 12abc\r\n\r\nhello" },
	{ "negative", "Content-Length: -1\r\n\r\nhello" },
	{ "conflict", "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello" },
	{ "chunk2^64", "Transfer-Encoding: chunked\r\n\r\n"
		       "10000000000000000\r\nhello\r\n0\r\n\r\n" },
};

int
answer_bad_length(struct outbuf *o, uint64_t turn, const char **variant)
{
	size_t k = turn % (sizeof(bad_length) / sizeof(bad_length[0]));

	*variant = bad_length[k].name;
	if (ob_str(o, "HTTP/1.1 200 OK\r\n") < 0)
		return -1;
	return ob_str(o, bad_length[k].bytes);
}

/*
 * big-headers: past our client's limits, 64 KiB for the head (interim 1xx
 * heads included), 16 KiB for one line. In turn: 80 fields of 1 KiB; one
 * field of 20 KiB; a status line of 20 KiB; 3000 interim "100 Continue"
 * heads before a final one that never comes.
 */
int
answer_big_headers(struct outbuf *o, uint64_t turn, const char **variant)
{
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
	char field[1100];
	size_t i;

	switch (turn % 4) {
	case 0:
		*variant = "head80k";
		if (ob_str(o, "HTTP/1.1 200 OK\r\n") < 0)
			return -1;
		for (i = 0; i < 80; i++) {
			int n = snprintf(field, sizeof(field), "X-Pad-%02zu: ", i);

			memset(field + n, 'b', 1000);
			memcpy(field + n + 1000, "\r\n", 2);
			if (ob_put(o, field, (size_t)n + 1002) < 0)
				return -1;
		}
		break;
	case 1:
	case 2:
		*variant = turn % 4 == 1 ? "field20k" : "status20k";
		if (ob_str(o, turn % 4 == 1 ? "HTTP/1.1 200 OK\r\nX-Long: " :
			   "HTTP/1.1 200 O") < 0 || ob_reserve(o, 20 * 1024) < 0)
			return -1;
		memset(o->p + o->len, 'k', 20 * 1024);
		o->len += 20 * 1024;
		if (ob_str(o, "\r\n") < 0)
			return -1;
		break;
	default:
		*variant = "interim";
		for (i = 0; i < 3000; i++)
			if (ob_put(o, cont, sizeof(cont) - 1) < 0)
				return -1;
		return 0;
	}
	return ob_str(o, "Content-Length: 0\r\n\r\n");
}

/* endless-chunked: the head; the chunks follow (answer_drip) */
int
answer_endless_head(struct outbuf *o)
{
	return ob_str(o, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
}

/* early-answer: the refusal of a body not read yet */
int
answer_413_close(struct outbuf *o)
{
	return ob_str(o, "HTTP/1.1 413 Content Too Large\r\nConnection: close\r\n"
		      "Content-Length: 0\r\n\r\n");
}

/* upgrade: a switch nobody asked for (RFC 9110 section 7.8: only to a
 * protocol that the request's Upgrade named) */
int
answer_upgrade_head(struct outbuf *o)
{
	return ob_str(o, "HTTP/1.1 101 Switching Protocols\r\n"
		      "Connection: Upgrade\r\nUpgrade: hostile/1\r\n\r\n");
}

int
answer_drip(struct outbuf *o, int upgraded)
{
	char data[CHUNK_BYTES];

	/* a WebSocket binary frame, for the look of it */
	if (upgraded)
		return ob_str(o, "\x82\x07hostile");
	memset(data, 'c', sizeof(data));
	if (ob_str(o, "400\r\n") < 0 || ob_put(o, data, sizeof(data)) < 0)
		return -1;
	return ob_str(o, "\r\n");
}
