/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The reference for test_http_req_parse_equiv and test_http_req_parse_gen:
 * the request parser of dataplane/app/http_req_parse.c as it was before its
 * fast paths, when every byte of the request-line and of every field name
 * and interpreted value went through the state machine one at a time. Kept
 * unchanged (but for the names of its entry points, ref_http_req_*, and
 * without the name functions) so that the parser of today can be compared
 * with it on any input, cut anywhere: same results, same state. The shared
 * framing steps (app/http_framing.h) are the same code in both.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/http_req_parse.h"
#include "lm/plan.h"
#include "util/fnv.h"

/* What the shared framing code (app/http_framing.h) works on */
#define LM_HTTP_FR_PARSER           struct lm_http_req_parser
#define LM_HTTP_FR_ERR              enum lm_http_req_err
#define LM_HTTP_FR_OK               LM_HTTP_REQ_OK
#define LM_HTTP_FR_E_START_LINE     LM_HTTP_REQ_E_REQUEST_LINE
#define LM_HTTP_FR_E_HEADER         LM_HTTP_REQ_E_HEADER
#define LM_HTTP_FR_E_HEAD_TOO_LARGE LM_HTTP_REQ_E_HEAD_TOO_LARGE
#define LM_HTTP_FR_E_CONTENT_LENGTH LM_HTTP_REQ_E_CONTENT_LENGTH
#define LM_HTTP_FR_E_CHUNK          LM_HTTP_REQ_E_CHUNK
#define LM_HTTP_FR_S_DONE           LM_HTTP_REQ_S_DONE
#define LM_HTTP_FR_N_FIELDS         LM_HTTP_H_COUNT
#include "app/http_framing.h"

void ref_http_req_init(struct lm_http_req_parser *p);
size_t ref_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
			 size_t len);
bool ref_http_req_eof(struct lm_http_req_parser *p);

/*
 * Internal states: the request-line's, then the framing states shared with
 * the response parser (LM_HTTP_FR_FIELD_START to LM_HTTP_FR_BODY_LENGTH).
 */
enum {
	S_START = LM_HTTP_REQ_S_START, /* empty lines, or the method's first byte */
	S_METHOD,                      /* method; method/sub: name matching */
	S_TARGET,                      /* the request-target's first byte */
	S_SCHEME,                      /* maybe absolute-form's scheme */
	S_SCHEME_SLASH,                /* "scheme:" seen; sub = '/'s after it */
	S_AUTHORITY,                   /* sub = 1 once it is not empty */
	S_PATH,                        /* the path, hashed */
	S_QUERY,                       /* after '?', up to the SP */
	S_ASTERISK,                    /* "*": the SP must follow */
	S_VERSION,                     /* "HTTP/d.d"; sub = position */
};

_Static_assert((int)S_VERSION < (int)LM_HTTP_FR_FIELD_START,
	       "request-line states overlap the framing states");
_Static_assert((int)LM_HTTP_FR_BODY_LENGTH < (int)LM_HTTP_REQ_S_DONE,
	       "internal states overlap DONE");
/* it lives in every server connection */
_Static_assert(sizeof(struct lm_http_req_parser) <= 48,
	       "struct lm_http_req_parser grew past 48 bytes");
/* line_len and path_len (a path is part of a line) are 16 bits */
_Static_assert(LM_HTTP_MAX_LINE_BYTES < UINT16_MAX,
	       "line limit too large for line_len");

/* a known method converts to the plan's enum as it is */
_Static_assert((int)LM_HTTP_REQ_M_GET == (int)LM_HTTP_GET &&
	       (int)LM_HTTP_REQ_M_HEAD == (int)LM_HTTP_HEAD &&
	       (int)LM_HTTP_REQ_M_POST == (int)LM_HTTP_POST &&
	       (int)LM_HTTP_REQ_M_PUT == (int)LM_HTTP_PUT &&
	       (int)LM_HTTP_REQ_M_DELETE == (int)LM_HTTP_DELETE &&
	       (int)LM_HTTP_REQ_M_PATCH == (int)LM_HTTP_PATCH &&
	       (int)LM_HTTP_REQ_M_OPTIONS == (int)LM_HTTP_OPTIONS,
	       "enum lm_http_req_method differs from enum lm_http_method");

/* Methods: case-sensitive (RFC 9110 section 9.1). */
static const struct lm_http_name lm_http_req_methods[LM_HTTP_REQ_M_OTHER] = {
	[LM_HTTP_REQ_M_GET] = LM_HTTP_NAME("GET"),
	[LM_HTTP_REQ_M_HEAD] = LM_HTTP_NAME("HEAD"),
	[LM_HTTP_REQ_M_POST] = LM_HTTP_NAME("POST"),
	[LM_HTTP_REQ_M_PUT] = LM_HTTP_NAME("PUT"),
	[LM_HTTP_REQ_M_DELETE] = LM_HTTP_NAME("DELETE"),
	[LM_HTTP_REQ_M_PATCH] = LM_HTTP_NAME("PATCH"),
	[LM_HTTP_REQ_M_OPTIONS] = LM_HTTP_NAME("OPTIONS"),
};

static inline bool
lm_http_req_alpha(uint8_t c)
{
	c = lm_http_lower(c);
	return c >= 'a' && c <= 'z';
}

/* VCHAR (RFC 5234 B.1): what a request-target may hold */
static inline bool
lm_http_req_vchar(uint8_t c)
{
	return c > ' ' && c < 0x7f;
}

void
ref_http_req_init(struct lm_http_req_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = S_START;
	p->path_hash = LM_FNV64_INIT;
}

/*
 * The empty line that ends a header section: decide how the body is framed
 * (RFC 9112 section 6.3, in its order of precedence).
 */
static enum lm_http_req_err
lm_http_req_head_end(struct lm_http_req_parser *p)
{
	if (p->flags & LM_HTTP_FL_TRAILER) {
		/* end of the trailer section (RFC 9112 section 7.1.2) */
		p->state = LM_HTTP_REQ_S_DONE;
		return LM_HTTP_REQ_OK;
	}

	if (p->flags & LM_HTTP_FL_TE) {
		/*
		 * RFC 9112 section 6.1: a request with both Transfer-Encoding
		 * and Content-Length may be a smuggling attempt; "A server MAY
		 * reject" it: we do. An HTTP/1.0 message with
		 * Transfer-Encoding must be treated "as if the framing is
		 * faulty". Section 6.3 item 4: if chunked is not the final
		 * coding of a request, "the server MUST respond with the 400
		 * (Bad Request) status code and then close the connection".
		 */
		if (p->has_length || p->http10 || !p->chunked)
			return LM_HTTP_REQ_E_TRANSFER_ENCODING;
	}

	/* RFC 9112 section 9.3: HTTP/1.0 is not persistent unless the
	 * client asked for keep-alive (Appendix C.2.2) */
	if (p->http10 && !(p->flags & LM_HTTP_FL_KEEP_ALIVE))
		p->conn_close = true;
	p->head_done = true;

	if (p->chunked) {
		/* item 4 */
		p->state = LM_HTTP_FR_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
	} else if (p->has_length && p->content_length > 0) {
		/* item 6 */
		p->remaining = p->content_length;
		p->state = LM_HTTP_FR_BODY_LENGTH;
	} else {
		/* item 6 with 0, or item 7: "If this is a request message
		 * and none of the above are true, then the message body
		 * length is zero" */
		p->state = LM_HTTP_REQ_S_DONE;
	}
	return LM_HTTP_REQ_OK;
}

/* One element of a Transfer-Encoding, Connection or Expect list is
 * complete: t is the token it is (lm_http_fr_list_byte). */
static enum lm_http_req_err
lm_http_req_list_element_end(struct lm_http_req_parser *p, uint8_t t)
{
	switch (p->hdr) {
	case LM_HTTP_H_TRANSFER_ENCODING:
		/*
		 * Every field line adds to the same list (RFC 9110 5.3).
		 * Chunked must be the final coding (RFC 9112 6.3 item 4) and
		 * is applied only once (6.1): any element after it is an
		 * error.
		 */
		if (p->chunked)
			return LM_HTTP_REQ_E_TRANSFER_ENCODING;
		p->chunked = t == LM_HTTP_T_CHUNKED;
		break;
	case LM_HTTP_H_EXPECT:
		/* RFC 9110 section 10.1.1: "A server that receives a
		 * 100-continue expectation in an HTTP/1.0 request MUST
		 * ignore that expectation." */
		if (t == LM_HTTP_T_100_CONTINUE && !p->http10)
			p->expect_continue = true;
		break;
	default: /* LM_HTTP_H_CONNECTION */
		if (t == LM_HTTP_T_CLOSE)
			p->conn_close = true; /* RFC 9112 section 9.6 */
		else if (t == LM_HTTP_T_KEEP_ALIVE)
			p->flags |= LM_HTTP_FL_KEEP_ALIVE;
		break;
	}
	return LM_HTTP_REQ_OK;
}

static inline void
lm_http_req_hash(struct lm_http_req_parser *p, uint8_t c)
{
	p->path_hash = lm_fnv1a64_byte(p->path_hash, c);
	p->path_len++;
}

/* The SP after the request-target. */
static inline void
lm_http_req_target_end(struct lm_http_req_parser *p)
{
	p->state = S_VERSION;
	p->sub = 0;
}

/* A byte of the path, or of a target hashed whole. */
static enum lm_http_req_err
lm_http_req_path_byte(struct lm_http_req_parser *p, uint8_t c)
{
	p->state = S_PATH;
	if (c == ' ')
		lm_http_req_target_end(p);
	else if (c == '?')
		p->state = S_QUERY; /* origin-form = absolute-path [ "?" query ] */
	else if (lm_http_req_vchar(c))
		lm_http_req_hash(p, c);
	else
		return LM_HTTP_REQ_E_REQUEST_LINE;
	return LM_HTTP_REQ_OK;
}

/*
 * A byte of the request-target (RFC 9112 section 3.2). Its form is known
 * from its first bytes: "/" origin-form, "*" asterisk-form, "scheme://"
 * absolute-form; anything else (authority-form) is hashed whole. Until
 * "://" is seen, a target that starts like a scheme is hashed as if it were
 * all path; "://" throws that away and starts again.
 */
static enum lm_http_req_err
lm_http_req_target_byte(struct lm_http_req_parser *p, uint8_t c)
{
	switch (p->state) {
	case S_TARGET:
		if (c == '*') {
			/* RFC 9112 3.2.4: "only used for a server-wide
			 * OPTIONS request" */
			if (p->method != LM_HTTP_REQ_M_OPTIONS)
				return LM_HTTP_REQ_E_REQUEST_LINE;
			lm_http_req_hash(p, c);
			p->state = S_ASTERISK;
		} else if (lm_http_req_alpha(c)) {
			/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
			 * (RFC 3986 section 3.1) */
			lm_http_req_hash(p, c);
			p->state = S_SCHEME;
		} else if (c == ' ' || c == '?') {
			/* no target (two SPs), or no path */
			return LM_HTTP_REQ_E_REQUEST_LINE;
		} else {
			return lm_http_req_path_byte(p, c);
		}
		break;
	case S_SCHEME:
		if (lm_http_req_alpha(c) || lm_http_digit(c) ||
		    c == '+' || c == '-' || c == '.') {
			lm_http_req_hash(p, c);
		} else if (c == ':') {
			lm_http_req_hash(p, c);
			p->state = S_SCHEME_SLASH;
			p->sub = 0;
		} else {
			return lm_http_req_path_byte(p, c);
		}
		break;
	case S_SCHEME_SLASH:
		if (c != '/')
			return lm_http_req_path_byte(p, c);
		if (p->sub == 0) {
			lm_http_req_hash(p, c);
			p->sub = 1;
		} else {
			/* absolute-form (RFC 9112 3.2.2): scheme "://"
			 * authority path-abempty [ "?" query ]; what was
			 * hashed is not the path */
			p->path_hash = LM_FNV64_INIT;
			p->path_len = 0;
			p->state = S_AUTHORITY;
			p->sub = 0;
		}
		break;
	case S_AUTHORITY:
		if (c == '/' || c == '?' || c == ' ') {
			/* RFC 9110 4.2.1: an http URI with an empty host
			 * identifier must be rejected as invalid */
			if (p->sub == 0)
				return LM_HTTP_REQ_E_REQUEST_LINE;
			/* RFC 9110 4.2.3: an empty path is equivalent to
			 * "/" (and RFC 9112 3.2.1 sends it so) */
			if (c != '/')
				lm_http_req_hash(p, '/');
			return lm_http_req_path_byte(p, c);
		}
		if (!lm_http_req_vchar(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		p->sub = 1;
		break;
	case S_PATH:
		return lm_http_req_path_byte(p, c);
	case S_QUERY:
		if (c == ' ')
			lm_http_req_target_end(p);
		else if (!lm_http_req_vchar(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		break;
	default: /* S_ASTERISK */
		if (c != ' ')
			return LM_HTTP_REQ_E_REQUEST_LINE;
		lm_http_req_target_end(p);
		break;
	}
	return LM_HTTP_REQ_OK;
}

/*
 * HTTP-version = HTTP-name "/" DIGIT "." DIGIT, then the end of the
 * request-line (RFC 9112 sections 2.3 and 3). sub: position.
 */
static enum lm_http_req_err
lm_http_req_version_byte(struct lm_http_req_parser *p, uint8_t c)
{
	switch (p->sub) {
	case 0: case 1: case 2: case 3: case 4:
		/* HTTP-name is case-sensitive (RFC 9112 section 2.3) */
		if (c != (uint8_t)"HTTP/"[p->sub])
			return LM_HTTP_REQ_E_REQUEST_LINE;
		break;
	case 5:
		/* a well-formed version we do not speak: RFC 9110 section
		 * 15.6.6, 505 (HTTP Version Not Supported) */
		if (!lm_http_digit(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		if (c != '1')
			return LM_HTTP_REQ_E_VERSION;
		break;
	case 6:
		if (c != '.')
			return LM_HTTP_REQ_E_REQUEST_LINE;
		break;
	case 7:
		if (!lm_http_digit(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		if (c > '1')
			return LM_HTTP_REQ_E_VERSION;
		p->http10 = c == '0';
		break;
	default:
		/* nothing between the version and the line's end */
		if (c != '\n')
			return LM_HTTP_REQ_E_REQUEST_LINE;
		p->state = LM_HTTP_FR_FIELD_START;
		return LM_HTTP_REQ_OK;
	}
	p->sub++;
	return LM_HTTP_REQ_OK;
}

/*
 * One byte of a part we parse byte by byte. Returns LM_HTTP_REQ_OK or the
 * error; the caller counts the byte as consumed only on success.
 */
static enum lm_http_req_err
lm_http_req_step(struct lm_http_req_parser *p, uint8_t c)
{
	enum lm_http_req_err e;
	uint8_t t;
	bool cr;

	e = lm_http_fr_byte_start(p, c, &cr);
	if (e != LM_HTTP_REQ_OK || cr)
		return e;

	switch (p->state) {
	case S_START:
		/* RFC 9112 section 2.2: "a server that is expecting to
		 * receive and parse a request-line SHOULD ignore at least one
		 * empty line (CRLF) received prior to the request-line"; we
		 * ignore any number, within the head limit */
		if (c == '\n')
			break;
		/* method = token (RFC 9112 section 3.1) */
		if (!lm_http_tchar[c])
			return LM_HTTP_REQ_E_REQUEST_LINE;
		p->method = 0;
		p->sub = 0;
		lm_http_match(lm_http_req_methods, LM_HTTP_REQ_M_OTHER,
				  &p->method, &p->sub, c);
		p->state = S_METHOD;
		break;
	case S_METHOD:
		if (c == ' ') {
			if (p->method != LM_HTTP_REQ_M_OTHER &&
			    p->sub != lm_http_req_methods[p->method].len)
				p->method = LM_HTTP_REQ_M_OTHER;
			p->state = S_TARGET;
		} else if (lm_http_tchar[c]) {
			lm_http_match(lm_http_req_methods,
					  LM_HTTP_REQ_M_OTHER, &p->method,
					  &p->sub, c);
		} else {
			return LM_HTTP_REQ_E_REQUEST_LINE;
		}
		break;
	case S_TARGET:
	case S_SCHEME:
	case S_SCHEME_SLASH:
	case S_AUTHORITY:
	case S_PATH:
	case S_QUERY:
	case S_ASTERISK:
		e = lm_http_req_target_byte(p, c);
		break;
	case S_VERSION:
		e = lm_http_req_version_byte(p, c);
		break;
	case LM_HTTP_FR_FIELD_START:
		if (c == '\n')
			e = lm_http_req_head_end(p);
		else
			e = lm_http_fr_field_start(p, c);
		break;
	case LM_HTTP_FR_LIST_VALUE:
		t = lm_http_fr_list_byte(p, c);
		if (t != LM_HTTP_FR_LIST_MORE)
			e = lm_http_req_list_element_end(p, t);
		break;
	default:
		e = lm_http_fr_byte(p, c);
		break;
	}
	if (e == LM_HTTP_REQ_OK && c == '\n')
		p->line_len = 0;
	return e;
}

size_t
ref_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
		 size_t len)
{
	enum lm_http_req_err e = LM_HTTP_REQ_OK;
	size_t pos = 0;

	while (pos < len && p->state < LM_HTTP_REQ_S_DONE) {
		switch (p->state) {
		case LM_HTTP_FR_BODY_LENGTH:
		case LM_HTTP_FR_CHUNK_DATA:
			/* known length: skip without looking at the bytes */
			pos += lm_http_fr_skip_body(p, len - pos);
			break;
		case LM_HTTP_FR_FIELD_SKIP:
		case LM_HTTP_FR_CHUNK_EXT:
			e = lm_http_fr_skip_line(p, data, len, &pos);
			break;
		default:
			e = lm_http_req_step(p, data[pos]);
			if (e == LM_HTTP_REQ_OK)
				pos++;
			break;
		}
		if (e != LM_HTTP_REQ_OK) {
			p->state = LM_HTTP_REQ_S_ERROR;
			p->err = (uint8_t)e;
			break;
		}
	}
	return pos;
}

bool
ref_http_req_eof(struct lm_http_req_parser *p)
{
	switch (p->state) {
	case S_START:
		/* between requests: the close ends the connection cleanly
		 * (empty lines, even an unfinished one, are no request) */
		return true;
	case LM_HTTP_REQ_S_DONE:
		return true;
	case LM_HTTP_REQ_S_ERROR:
		return false;
	default:
		/* RFC 9112 section 8: a message closed early is incomplete */
		p->state = LM_HTTP_REQ_S_ERROR;
		p->err = LM_HTTP_REQ_E_EOF;
		return false;
	}
}
