/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.1 response parser (RFC 9112).
 *
 * Fed the bytes of a connection as TCP delivers them, in pieces of any
 * size (a segment, part of an mbuf chain); it keeps only a few integers of
 * state and never copies or buffers: a header split across two segments is
 * parsed byte by byte on both sides of the split. It recognises what the
 * client needs: the status code, Content-Length, Transfer-Encoding: chunked
 * and Connection: close; bodies are counted and skipped.
 *
 * Message framing (RFC 9112 section 6.3): responses to HEAD, 1xx, 204 and
 * 304 have no body; then chunked; then Content-Length; otherwise the body
 * runs until the connection closes. Interim 1xx responses (other than 101)
 * are skipped and parsing goes on with the final response.
 */
#ifndef LM_HTTP_PARSE_H
#define LM_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits: a response whose head exceeds these is a protocol error. */
#define LM_HTTP_MAX_HEAD_BYTES (64 * 1024)  /* status line + all headers */
#define LM_HTTP_MAX_LINE_BYTES (16 * 1024)  /* one line (status, header, chunk size) */

enum lm_http_perr {
	LM_HTTP_OK = 0,
	LM_HTTP_E_STATUS_LINE,      /* not "HTTP/1.x DDD ..." */
	LM_HTTP_E_HEADER,           /* malformed header line */
	LM_HTTP_E_HEAD_TOO_LARGE,   /* a line or the whole head past the limits */
	LM_HTTP_E_CONTENT_LENGTH,   /* not a number, overflow, or conflicting values */
	LM_HTTP_E_CHUNK,            /* malformed chunk size or chunk framing */
	LM_HTTP_E_EOF,              /* connection closed before the response was complete */
};

enum lm_http_pstate {
	LM_HTTP_S_STATUS = 0, /* internal states follow; DONE and ERROR are final */
	LM_HTTP_S_DONE = 100,
	LM_HTTP_S_ERROR = 101,
};

struct lm_http_resp_parser {
	uint8_t state;          /* enum lm_http_pstate, or an internal state */
	uint8_t sub;            /* position inside a token being matched */
	uint8_t hdr;            /* which known header is being parsed */
	uint8_t tok;            /* where in a field value's list element */
	bool head_request;      /* the request was HEAD: no body */
	bool chunked;           /* final transfer coding is chunked (HTTP/1.1) */
	bool has_length;        /* a valid Content-Length was received (the
				 * framing only without Transfer-Encoding) */
	bool conn_close;        /* connection not reusable after this response:
				 * Connection: close, HTTP/1.0 without keep-alive,
				 * Transfer-Encoding with Content-Length or in
				 * HTTP/1.0, or a body delimited by the close */
	bool http10;
	uint8_t flags;          /* internal: CR seen, in trailers, ... */
	uint16_t status;
	uint16_t err;           /* enum lm_http_perr when state == ERROR */
	uint32_t line_len;
	uint32_t head_len;      /* head, interim 1xx heads and trailers */
	uint64_t content_length;
	uint64_t remaining;     /* body or chunk bytes still to skip; in the
				 * head, the number being read */
	uint64_t body_bytes;    /* body bytes seen (decoded payload for chunked) */
	uint64_t total_bytes;   /* all bytes consumed for this response */
};

/* Prepare for the response to a request; head_request: it was a HEAD. */
void lm_http_resp_init(struct lm_http_resp_parser *p, bool head_request);

/*
 * Feed len bytes. Returns how many were consumed: all of them unless the
 * response completed (state DONE) before the end of data, in which case the
 * rest belongs to whatever comes next, or the parser failed (state ERROR,
 * err set), in which case the return value is where it stopped.
 */
size_t lm_http_resp_feed(struct lm_http_resp_parser *p, const uint8_t *data,
			 size_t len);

/*
 * The same, and the body bytes among data (de-chunked) also go into the
 * running CRC-32C *crc (lm_crc32c_update; start from LM_CRC32C_INIT).
 */
size_t lm_http_resp_feed_crc(struct lm_http_resp_parser *p,
			     const uint8_t *data, size_t len, uint32_t *crc);

/*
 * The peer closed its side. Completes a body delimited by the close
 * (returns true, state DONE); anything else unfinished becomes
 * LM_HTTP_E_EOF (returns false, state ERROR).
 */
bool lm_http_resp_eof(struct lm_http_resp_parser *p);

static inline bool
lm_http_resp_done(const struct lm_http_resp_parser *p)
{
	return p->state == LM_HTTP_S_DONE;
}

static inline bool
lm_http_resp_failed(const struct lm_http_resp_parser *p)
{
	return p->state == LM_HTTP_S_ERROR;
}

const char *lm_http_perr_name(enum lm_http_perr e);

#endif /* LM_HTTP_PARSE_H */
