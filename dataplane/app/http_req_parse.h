/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.1 request parser (RFC 9112), the emulated server's
 * counterpart of the response parser (app/http_parse.h).
 *
 * Fed the bytes of a connection as TCP delivers them, in pieces of any
 * size; it keeps only a few integers of state and never copies or buffers:
 * a line split across two segments is parsed byte by byte on both sides of
 * the split. It recognises what a server needs: the method, the path of the
 * request-target (as an FNV-1a hash and a length, to be matched against the
 * routes, which are hashed the same way), the version, Content-Length,
 * Transfer-Encoding: chunked, Connection: close and Expect: 100-continue;
 * bodies are counted and skipped.
 *
 * The path hashed (util/fnv.h: lm_fnv1a64_byte from LM_FNV64_INIT) is the
 * request-target's bytes as received (not percent-decoded) up to, not
 * including, the first '?' or the end of the target:
 *   origin-form    "/a/b?x"                hashes "/a/b"
 *   absolute-form  "http://h:80/a/b?x"     hashes "/a/b"
 *                  "http://h" or "http://h?x"  hashes "/"
 *   asterisk-form  "*" (OPTIONS only)      hashes "*"
 * any other target (authority-form "host:port" of CONNECT, say) is hashed
 * whole, up to any '?'.
 *
 * Message framing (RFC 9112 section 6.3): chunked if Transfer-Encoding's
 * final coding is chunked; else Content-Length; else no body. A request
 * whose framing cannot be trusted is an error (the server answers 400 and
 * closes): another final transfer coding, Transfer-Encoding together with
 * Content-Length or in HTTP/1.0, conflicting Content-Length values.
 *
 * Pipelining: feed() stops at the end of one request. The caller re-inits
 * the parser and feeds it the rest.
 */
#ifndef LM_HTTP_REQ_PARSE_H
#define LM_HTTP_REQ_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the limits, LM_HTTP_MAX_HEAD_BYTES and LM_HTTP_MAX_LINE_BYTES, are the
 * response parser's: a request whose head exceeds them is an error */
#include "app/http_parse.h"

/*
 * The method. The known ones have the values of enum lm_http_method
 * (lm/plan.h), so a known parsed method converts to a plan's directly.
 */
enum lm_http_req_method {
	LM_HTTP_REQ_M_GET = 0,
	LM_HTTP_REQ_M_HEAD,
	LM_HTTP_REQ_M_POST,
	LM_HTTP_REQ_M_PUT,
	LM_HTTP_REQ_M_DELETE,
	LM_HTTP_REQ_M_PATCH,
	LM_HTTP_REQ_M_OPTIONS,
	LM_HTTP_REQ_M_OTHER,    /* any other token (methods are case-sensitive:
				 * "get" is OTHER) */
};

enum lm_http_req_err {
	LM_HTTP_REQ_OK = 0,
	LM_HTTP_REQ_E_REQUEST_LINE,   /* not "method SP request-target SP
				       * HTTP-version" (answer 400) */
	LM_HTTP_REQ_E_VERSION,        /* a version other than HTTP/1.0 or
				       * HTTP/1.1 (answer 505) */
	LM_HTTP_REQ_E_HEADER,         /* malformed field line, obs-fold,
				       * whitespace before the colon */
	LM_HTTP_REQ_E_HEAD_TOO_LARGE, /* a line or the whole head past the
				       * limits (answer 431, or 414 for a
				       * request-line) */
	LM_HTTP_REQ_E_CONTENT_LENGTH, /* not a number, overflow, or
				       * conflicting values */
	LM_HTTP_REQ_E_TRANSFER_ENCODING, /* final coding not chunked, chunked
				       * twice, with Content-Length, or in an
				       * HTTP/1.0 request */
	LM_HTTP_REQ_E_CHUNK,          /* malformed chunk size or framing */
	LM_HTTP_REQ_E_EOF,            /* closed in the middle of a request */
};

enum lm_http_req_state {
	LM_HTTP_REQ_S_START = 0, /* nothing of a request yet (empty lines
				  * before a request-line are skipped here);
				  * internal states follow; DONE and ERROR are
				  * final */
	LM_HTTP_REQ_S_DONE = 100,
	LM_HTTP_REQ_S_ERROR = 101,
};

/* 48 bytes: it lives in every server connection. */
struct lm_http_req_parser {
	uint8_t state;          /* enum lm_http_req_state, or an internal one */
	uint8_t sub;            /* position inside a token being matched */
	uint8_t hdr;            /* which known header is being parsed */
	uint8_t tok;            /* where in a field value's list element */
	uint8_t flags;          /* internal: CR seen, in trailers, ... */
	uint8_t err;            /* enum lm_http_req_err when state == ERROR */
	uint8_t method;         /* enum lm_http_req_method (final once the
				 * request-target has started) */
	bool head_done : 1;     /* the empty line after the header section
				 * was consumed: the fields below are final and
				 * the response may start (the body may still
				 * be arriving) */
	bool http10 : 1;        /* HTTP/1.0 (else HTTP/1.1) */
	bool conn_close : 1;    /* not persistent after the response:
				 * Connection: close, or HTTP/1.0 without
				 * Connection: keep-alive */
	bool expect_continue : 1; /* Expect: 100-continue (HTTP/1.1 only) */
	bool chunked : 1;       /* the body is chunked */
	bool has_length : 1;    /* a valid Content-Length was received */
	uint16_t line_len;
	uint16_t path_len;      /* bytes hashed into path_hash */
	uint32_t head_len;      /* empty lines before, request-line, header
				 * section, trailer section */
	uint64_t path_hash;     /* FNV-1a 64 of the path (see above) */
	uint64_t content_length;
	uint64_t remaining;     /* body or chunk bytes still to skip; in the
				 * head, the number being read */
	uint64_t body_bytes;    /* body bytes seen (decoded, for chunked) */
};

void lm_http_req_init(struct lm_http_req_parser *p);

/*
 * Feed len bytes. Returns how many were consumed: all of them unless the
 * request completed (state DONE) before the end of data, in which case the
 * rest belongs to the next request (re-init and feed it), or the parser
 * failed (state ERROR, err set), in which case the return value is where it
 * stopped: the first byte that cannot be accepted.
 */
size_t lm_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
			size_t len);

/*
 * The peer closed its side. Returns true if that is a clean end: the parser
 * is idle (nothing of a request received, empty lines aside) or done.
 * Anything else unfinished becomes LM_HTTP_REQ_E_EOF (returns false, state
 * ERROR); an error already there is kept.
 */
bool lm_http_req_eof(struct lm_http_req_parser *p);

static inline bool
lm_http_req_done(const struct lm_http_req_parser *p)
{
	return p->state == LM_HTTP_REQ_S_DONE;
}

static inline bool
lm_http_req_failed(const struct lm_http_req_parser *p)
{
	return p->state == LM_HTTP_REQ_S_ERROR;
}

const char *lm_http_req_err_name(enum lm_http_req_err e);

/* "GET", ..., "OPTIONS", "OTHER" */
const char *lm_http_req_method_name(enum lm_http_req_method m);

#endif /* LM_HTTP_REQ_PARSE_H */
