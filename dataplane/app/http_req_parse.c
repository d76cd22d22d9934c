/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.1 request parser (RFC 9112).
 *
 * The same design as the response parser (http_parse.c): the parser sees
 * the bytes of one connection in whatever pieces TCP hands over and keeps
 * nothing but the small struct lm_http_req_parser between calls. Lines are
 * never assembled: the request-line and the fields we interpret
 * (Content-Length, Transfer-Encoding, Connection, Expect) are parsed one
 * byte at a time by a state machine, the path being hashed as its bytes go
 * by; lines whose content we ignore (other fields, chunk extensions) are
 * skipped with memchr() up to their LF; bodies and chunk data of known
 * length are skipped by arithmetic, without touching their bytes.
 *
 * Line endings (RFC 9112 section 2.2): a line ends at LF; a CR is accepted
 * only right before that LF. In bytes we skip unread (values of other
 * fields, chunk extensions), a bare CR is left alone, which is the "replace
 * each bare CR with SP" the same section allows (and the same holds for NUL
 * in field values, RFC 9110 section 5.5).
 *
 * The request-line (RFC 9112 section 3) is read strictly: single SPs
 * between its three parts (the lenient whitespace parsing section 3 allows
 * is a MAY we do not take), a target of visible ASCII only.
 *
 * Limits: a line may have LM_HTTP_MAX_LINE_BYTES bytes including its CRLF;
 * the empty lines before the request-line, the request-line, the field
 * lines and empty line of the header section and of the trailer section
 * together may have LM_HTTP_MAX_HEAD_BYTES. Chunk-size lines have only the
 * line limit.
 *
 * Numbers (Content-Length, chunk sizes) are accepted up to 2^63 - 1.
 *
 * On error, feed() stops at the first byte that cannot be accepted: the
 * byte past a limit or the byte that made the input invalid (for a framing
 * error found only when the header section is complete, its last LF).
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/http_req_parse.h"
#include "lm/plan.h"
#include "util/fnv.h"

/*
 * Internal states. Ordered: up to S_VERSION is the request-line; everything
 * up to S_LIST_VALUE is part of a head (or a trailer section) and counts
 * against LM_HTTP_MAX_HEAD_BYTES; the chunk-size lines that follow count
 * against the line limit only.
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
	S_FIELD_START,                 /* start of a field line or empty line */
	S_FIELD_NAME,                  /* field name; hdr/sub: name matching */
	S_FIELD_SKIP,                  /* value of a field we ignore */
	S_CL_VALUE,                    /* Content-Length value */
	S_LIST_VALUE,                  /* Transfer-Encoding, Connection or
					* Expect value */
	S_CHUNK_SIZE,                  /* hex digits; sub = 1 once one is seen */
	S_CHUNK_BWS,                   /* whitespace after the chunk size */
	S_CHUNK_EXT,                   /* chunk extensions, skipped to LF */
	S_CHUNK_DATA,                  /* remaining bytes of chunk data */
	S_CHUNK_DATA_END,              /* the CRLF after chunk data */
	S_BODY_LENGTH,                 /* rest of a Content-Length body */
};

_Static_assert((int)S_BODY_LENGTH < (int)LM_HTTP_REQ_S_DONE,
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

/* flags */
#define FL_CR         0x01 /* a CR was seen: the next byte must be LF */
#define FL_TRAILER    0x02 /* field lines are trailers, not the header */
#define FL_TE         0x04 /* a Transfer-Encoding field was received */
#define FL_KEEP_ALIVE 0x08 /* Connection: keep-alive was received */

struct lm_http_req_name {
	const char *s;
	uint8_t len;
};

#define LM_HTTP_REQ_NAME(str) { str, sizeof(str) - 1 }

/* Methods: case-sensitive (RFC 9110 section 9.1). */
static const struct lm_http_req_name lm_http_req_methods[LM_HTTP_REQ_M_OTHER] = {
	[LM_HTTP_REQ_M_GET] = LM_HTTP_REQ_NAME("GET"),
	[LM_HTTP_REQ_M_HEAD] = LM_HTTP_REQ_NAME("HEAD"),
	[LM_HTTP_REQ_M_POST] = LM_HTTP_REQ_NAME("POST"),
	[LM_HTTP_REQ_M_PUT] = LM_HTTP_REQ_NAME("PUT"),
	[LM_HTTP_REQ_M_DELETE] = LM_HTTP_REQ_NAME("DELETE"),
	[LM_HTTP_REQ_M_PATCH] = LM_HTTP_REQ_NAME("PATCH"),
	[LM_HTTP_REQ_M_OPTIONS] = LM_HTTP_REQ_NAME("OPTIONS"),
};

/* Field names we interpret (hdr). Lower case; matched case-insensitively
 * (RFC 9110 section 5.1). */
enum { H_CONTENT_LENGTH, H_CONNECTION, H_TRANSFER_ENCODING, H_EXPECT,
       H_OTHER };

static const struct lm_http_req_name lm_http_req_fields[H_OTHER] = {
	[H_CONTENT_LENGTH] = LM_HTTP_REQ_NAME("content-length"),
	[H_CONNECTION] = LM_HTTP_REQ_NAME("connection"),
	[H_TRANSFER_ENCODING] = LM_HTTP_REQ_NAME("transfer-encoding"),
	[H_EXPECT] = LM_HTTP_REQ_NAME("expect"),
};

/* List element tokens we look for in Transfer-Encoding, Connection and
 * Expect (all case-insensitive: RFC 9112 7, RFC 9110 7.6.1 and 10.1.1) */
enum { T_CHUNKED, T_CLOSE, T_KEEP_ALIVE, T_100_CONTINUE };

static const struct lm_http_req_name lm_http_req_tokens[] = {
	[T_CHUNKED] = LM_HTTP_REQ_NAME("chunked"),
	[T_CLOSE] = LM_HTTP_REQ_NAME("close"),
	[T_KEEP_ALIVE] = LM_HTTP_REQ_NAME("keep-alive"),
	[T_100_CONTINUE] = LM_HTTP_REQ_NAME("100-continue"),
};

/* tok: the phase inside a list element (low 2 bits), the token it may be
 * (upper bits) */
#define TOK_BEFORE    0 /* OWS before an element (or empty element) */
#define TOK_IN        1 /* inside the element's first token or number */
#define TOK_AFTER     2 /* after it: OWS, or parameters we ignore */
#define TOK_PHASE(t)  ((t) & 3)
#define TOK_WHICH(t)  ((t) >> 2)
#define TOK_MAKE(phase, which) ((uint8_t)((phase) | ((which) << 2)))

#define SUB_MISMATCH 0xff /* the element cannot be the token any more */

/* tchar (RFC 9110 section 5.6.2): the bytes of a token, e.g. a method or a
 * field name */
static const bool lm_http_req_tchar[256] = {
	['0' ... '9'] = true, ['A' ... 'Z'] = true, ['a' ... 'z'] = true,
	['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true,
	['\''] = true, ['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true,
	['^'] = true, ['_'] = true, ['`'] = true, ['|'] = true, ['~'] = true,
};

static inline uint8_t
lm_http_req_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline bool
lm_http_req_alpha(uint8_t c)
{
	c = lm_http_req_lower(c);
	return c >= 'a' && c <= 'z';
}

static inline bool
lm_http_req_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

/* VCHAR (RFC 5234 B.1): what a request-target may hold */
static inline bool
lm_http_req_vchar(uint8_t c)
{
	return c > ' ' && c < 0x7f;
}

static inline bool
lm_http_req_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline int
lm_http_req_hex(uint8_t c)
{
	if (lm_http_req_digit(c))
		return c - '0';
	c = lm_http_req_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool
lm_http_req_in_head(uint8_t state)
{
	return state <= S_LIST_VALUE;
}

/* The error for a malformed byte, by where it was found. */
static enum lm_http_req_err
lm_http_req_state_err(uint8_t state)
{
	if (state <= S_VERSION)
		return LM_HTTP_REQ_E_REQUEST_LINE;
	if (state == S_CL_VALUE)
		return LM_HTTP_REQ_E_CONTENT_LENGTH;
	if (state <= S_LIST_VALUE)
		return LM_HTTP_REQ_E_HEADER;
	return LM_HTTP_REQ_E_CHUNK;
}

void
lm_http_req_init(struct lm_http_req_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = S_START;
	p->path_hash = LM_FNV64_INIT;
}

/*
 * Name matching, for methods and field names: *which is the first entry
 * of names[0..n) whose first *pos bytes are those seen so far, n when there
 * is none. Since it is the first, every other entry with that prefix comes
 * after it, so the next byte is looked for from there on.
 */
static void
lm_http_req_match(const struct lm_http_req_name *names, uint8_t n,
		  uint8_t *which, uint8_t *pos, uint8_t c)
{
	uint8_t w;

	if (*which >= n)
		return;
	for (w = *which; w < n; w++) {
		if (names[w].len > *pos && (uint8_t)names[w].s[*pos] == c &&
		    memcmp(names[w].s, names[*which].s, *pos) == 0) {
			*which = w;
			(*pos)++;
			return;
		}
	}
	*which = n;
}

/*
 * The empty line that ends a header section: decide how the body is framed
 * (RFC 9112 section 6.3, in its order of precedence).
 */
static enum lm_http_req_err
lm_http_req_head_end(struct lm_http_req_parser *p)
{
	if (p->flags & FL_TRAILER) {
		/* end of the trailer section (RFC 9112 section 7.1.2) */
		p->state = LM_HTTP_REQ_S_DONE;
		return LM_HTTP_REQ_OK;
	}

	if (p->flags & FL_TE) {
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
	if (p->http10 && !(p->flags & FL_KEEP_ALIVE))
		p->conn_close = true;
	p->head_done = true;

	if (p->chunked) {
		/* item 4 */
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
	} else if (p->has_length && p->content_length > 0) {
		/* item 6 */
		p->remaining = p->content_length;
		p->state = S_BODY_LENGTH;
	} else {
		/* item 6 with 0, or item 7: "If this is a request message
		 * and none of the above are true, then the message body
		 * length is zero" */
		p->state = LM_HTTP_REQ_S_DONE;
	}
	return LM_HTTP_REQ_OK;
}

/* The LF of a chunk-size line. */
static void
lm_http_req_chunk_size_end(struct lm_http_req_parser *p)
{
	if (p->remaining == 0) {
		/* last-chunk: a trailer section follows (RFC 9112 7.1.2) */
		p->flags |= FL_TRAILER;
		p->state = S_FIELD_START;
	} else {
		p->state = S_CHUNK_DATA;
	}
}

/* One value of a Content-Length list is complete. */
static enum lm_http_req_err
lm_http_req_cl_element_end(struct lm_http_req_parser *p)
{
	/*
	 * RFC 9110 section 8.6: a list of identical values ("42, 42"), or
	 * several field lines with the same value, may be taken as that
	 * value; differing values make the framing invalid, and for a
	 * request "the server MUST respond with a 400 (Bad Request) status
	 * code and then close the connection" (RFC 9112 6.3 item 5).
	 */
	if (p->has_length && p->content_length != p->remaining)
		return LM_HTTP_REQ_E_CONTENT_LENGTH;
	p->content_length = p->remaining;
	p->has_length = true;
	return LM_HTTP_REQ_OK;
}

/*
 * Content-Length = 1*DIGIT (RFC 9112 section 6.2), surrounded by OWS,
 * possibly repeated in a comma-separated list.
 */
static enum lm_http_req_err
lm_http_req_cl_byte(struct lm_http_req_parser *p, uint8_t c)
{
	enum lm_http_req_err e;

	if (lm_http_req_digit(c)) {
		uint64_t d = c - '0';

		if (p->tok == TOK_AFTER)
			return LM_HTTP_REQ_E_CONTENT_LENGTH; /* "5 5" */
		if (p->tok == TOK_BEFORE) {
			p->tok = TOK_IN;
			p->remaining = 0;
		}
		/* RFC 9112 section 6.2 asks to anticipate large numerals and
		 * to prevent overflow; we accept up to 2^63 - 1. */
		if (p->remaining > ((uint64_t)INT64_MAX - d) / 10)
			return LM_HTTP_REQ_E_CONTENT_LENGTH;
		p->remaining = p->remaining * 10 + d;
		return LM_HTTP_REQ_OK;
	}
	if (lm_http_req_ows(c)) {
		if (p->tok == TOK_IN)
			p->tok = TOK_AFTER;
		return LM_HTTP_REQ_OK;
	}
	if (c == ',' || c == '\n') {
		/* an empty value or list element is not a number */
		if (p->tok == TOK_BEFORE)
			return LM_HTTP_REQ_E_CONTENT_LENGTH;
		e = lm_http_req_cl_element_end(p);
		if (e != LM_HTTP_REQ_OK)
			return e;
		p->tok = TOK_BEFORE;
		if (c == '\n')
			p->state = S_FIELD_START;
		return LM_HTTP_REQ_OK;
	}
	return LM_HTTP_REQ_E_CONTENT_LENGTH;
}

/* One element of a Transfer-Encoding, Connection or Expect list is
 * complete. */
static enum lm_http_req_err
lm_http_req_list_element_end(struct lm_http_req_parser *p)
{
	uint8_t which = TOK_WHICH(p->tok);
	bool match = p->sub == lm_http_req_tokens[which].len;

	switch (p->hdr) {
	case H_TRANSFER_ENCODING:
		/*
		 * Every field line adds to the same list (RFC 9110 5.3).
		 * Chunked must be the final coding (RFC 9112 6.3 item 4) and
		 * is applied only once (6.1): any element after it is an
		 * error.
		 */
		if (p->chunked)
			return LM_HTTP_REQ_E_TRANSFER_ENCODING;
		p->chunked = match;
		break;
	case H_EXPECT:
		/* RFC 9110 section 10.1.1: "A server that receives a
		 * 100-continue expectation in an HTTP/1.0 request MUST
		 * ignore that expectation." */
		if (match && !p->http10)
			p->expect_continue = true;
		break;
	default: /* H_CONNECTION */
		if (match && which == T_CLOSE)
			p->conn_close = true; /* RFC 9112 section 9.6 */
		else if (match && which == T_KEEP_ALIVE)
			p->flags |= FL_KEEP_ALIVE;
		break;
	}
	return LM_HTTP_REQ_OK;
}

/*
 * Transfer-Encoding = #transfer-coding, Connection = #connection-option,
 * Expect = #expectation (RFC 9112 6.1, RFC 9110 7.6.1 and 10.1.1):
 * comma-separated tokens with OWS; empty elements are ignored (RFC 9110
 * 5.6.1). An element that is the token followed by anything but OWS
 * (parameters, say) does not match.
 */
static enum lm_http_req_err
lm_http_req_list_byte(struct lm_http_req_parser *p, uint8_t c)
{
	enum lm_http_req_err e = LM_HTTP_REQ_OK;
	uint8_t which = TOK_WHICH(p->tok);

	if (c == ',' || c == '\n') {
		if (TOK_PHASE(p->tok) != TOK_BEFORE)
			e = lm_http_req_list_element_end(p);
		p->tok = TOK_BEFORE;
		if (c == '\n')
			p->state = S_FIELD_START;
		return e;
	}
	if (lm_http_req_ows(c)) {
		if (TOK_PHASE(p->tok) == TOK_IN)
			p->tok = TOK_MAKE(TOK_AFTER, which);
		return LM_HTTP_REQ_OK;
	}

	switch (TOK_PHASE(p->tok)) {
	case TOK_BEFORE:
		/* the first byte picks the one token this element may be */
		p->sub = 0;
		if (p->hdr == H_TRANSFER_ENCODING)
			which = T_CHUNKED;
		else if (p->hdr == H_EXPECT)
			which = T_100_CONTINUE;
		else if (lm_http_req_lower(c) == 'k')
			which = T_KEEP_ALIVE;
		else
			which = T_CLOSE;
		p->tok = TOK_MAKE(TOK_IN, which);
		/* fall through */
	case TOK_IN:
		if (p->sub != SUB_MISMATCH && lm_http_req_tchar[c] &&
		    p->sub < lm_http_req_tokens[which].len &&
		    lm_http_req_tokens[which].s[p->sub] == lm_http_req_lower(c))
			p->sub++;
		else
			p->sub = SUB_MISMATCH;
		if (!lm_http_req_tchar[c])
			p->tok = TOK_MAKE(TOK_AFTER, which);
		break;
	default:
		p->sub = SUB_MISMATCH;
		break;
	}
	return LM_HTTP_REQ_OK;
}

/* The ':' after a field name: choose how to read the value. */
static void
lm_http_req_name_end(struct lm_http_req_parser *p)
{
	p->tok = TOK_BEFORE;
	if (p->hdr == H_OTHER || p->sub != lm_http_req_fields[p->hdr].len) {
		p->state = S_FIELD_SKIP;
		return;
	}
	switch (p->hdr) {
	case H_CONTENT_LENGTH:
		p->state = S_CL_VALUE;
		break;
	case H_TRANSFER_ENCODING:
		p->flags |= FL_TE;
		p->state = S_LIST_VALUE;
		break;
	default:
		p->state = S_LIST_VALUE;
		break;
	}
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
		if (lm_http_req_alpha(c) || lm_http_req_digit(c) ||
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
		if (!lm_http_req_digit(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		if (c != '1')
			return LM_HTTP_REQ_E_VERSION;
		break;
	case 6:
		if (c != '.')
			return LM_HTTP_REQ_E_REQUEST_LINE;
		break;
	case 7:
		if (!lm_http_req_digit(c))
			return LM_HTTP_REQ_E_REQUEST_LINE;
		if (c > '1')
			return LM_HTTP_REQ_E_VERSION;
		p->http10 = c == '0';
		break;
	default:
		/* nothing between the version and the line's end */
		if (c != '\n')
			return LM_HTTP_REQ_E_REQUEST_LINE;
		p->state = S_FIELD_START;
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
	enum lm_http_req_err e = LM_HTTP_REQ_OK;
	int v;

	if (++p->line_len > LM_HTTP_MAX_LINE_BYTES)
		return LM_HTTP_REQ_E_HEAD_TOO_LARGE;
	if (lm_http_req_in_head(p->state) &&
	    ++p->head_len > LM_HTTP_MAX_HEAD_BYTES)
		return LM_HTTP_REQ_E_HEAD_TOO_LARGE;

	/* RFC 9112 section 2.2: CRLF ends a line, and so may a bare LF; a CR
	 * anywhere else in what we parse makes the element invalid. */
	if (p->flags & FL_CR) {
		if (c != '\n')
			return lm_http_req_state_err(p->state);
		p->flags &= ~FL_CR;
	} else if (c == '\r') {
		p->flags |= FL_CR;
		return LM_HTTP_REQ_OK;
	}

	switch (p->state) {
	case S_START:
		/* RFC 9112 section 2.2: "a server that is expecting to
		 * receive and parse a request-line SHOULD ignore at least one
		 * empty line (CRLF) received prior to the request-line"; we
		 * ignore any number, within the head limit */
		if (c == '\n')
			break;
		/* method = token (RFC 9112 section 3.1) */
		if (!lm_http_req_tchar[c])
			return LM_HTTP_REQ_E_REQUEST_LINE;
		p->method = 0;
		p->sub = 0;
		lm_http_req_match(lm_http_req_methods, LM_HTTP_REQ_M_OTHER,
				  &p->method, &p->sub, c);
		p->state = S_METHOD;
		break;
	case S_METHOD:
		if (c == ' ') {
			if (p->method != LM_HTTP_REQ_M_OTHER &&
			    p->sub != lm_http_req_methods[p->method].len)
				p->method = LM_HTTP_REQ_M_OTHER;
			p->state = S_TARGET;
		} else if (lm_http_req_tchar[c]) {
			lm_http_req_match(lm_http_req_methods,
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
	case S_FIELD_START:
		if (c == '\n') {
			e = lm_http_req_head_end(p);
		} else if (lm_http_req_tchar[c]) {
			/* trailers are never framing fields (RFC 9110 6.5.1):
			 * no need to recognise any name in them */
			p->hdr = (p->flags & FL_TRAILER) ? H_OTHER : 0;
			p->sub = 0;
			lm_http_req_match(lm_http_req_fields, H_OTHER, &p->hdr,
					  &p->sub, lm_http_req_lower(c));
			p->state = S_FIELD_NAME;
		} else {
			/*
			 * Whitespace here is obs-fold, which "A server that
			 * receives an obs-fold in a request message ... MUST
			 * either reject the message by sending a 400 (Bad
			 * Request)" or replace it (RFC 9112 section 5.2): we
			 * reject; or whitespace before the first field, which
			 * section 2.2 lets us reject too. Anything else is not
			 * a field name.
			 */
			return LM_HTTP_REQ_E_HEADER;
		}
		break;
	case S_FIELD_NAME:
		if (c == ':')
			lm_http_req_name_end(p);
		else if (lm_http_req_tchar[c])
			lm_http_req_match(lm_http_req_fields, H_OTHER, &p->hdr,
					  &p->sub, lm_http_req_lower(c));
		else
			/* no ':' on the line, or whitespace before it: "A
			 * server MUST reject, with a response status code of
			 * 400 (Bad Request), any received request message that
			 * contains whitespace between a header field name and
			 * colon" (RFC 9112 section 5.1) */
			return LM_HTTP_REQ_E_HEADER;
		break;
	case S_CL_VALUE:
		e = lm_http_req_cl_byte(p, c);
		break;
	case S_LIST_VALUE:
		e = lm_http_req_list_byte(p, c);
		break;
	case S_CHUNK_SIZE:
		/* chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1) */
		v = lm_http_req_hex(c);
		if (v >= 0) {
			/* same bound as Content-Length (RFC 9112 7.1: guard
			 * against overflow) */
			if (p->remaining > ((uint64_t)INT64_MAX >> 4))
				return LM_HTTP_REQ_E_CHUNK;
			p->remaining = (p->remaining << 4) | (uint64_t)v;
			p->sub = 1;
			break;
		}
		if (p->sub == 0)
			return LM_HTTP_REQ_E_CHUNK; /* chunk-size = 1*HEXDIG */
		if (c == '\n')
			lm_http_req_chunk_size_end(p);
		else if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (lm_http_req_ows(c))
			p->state = S_CHUNK_BWS;
		else
			return LM_HTTP_REQ_E_CHUNK;
		break;
	case S_CHUNK_BWS:
		/* chunk-ext = *( BWS ";" ... ): the BWS a recipient must
		 * accept (RFC 9110 5.6.3) */
		if (c == '\n')
			lm_http_req_chunk_size_end(p);
		else if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (!lm_http_req_ows(c))
			return LM_HTTP_REQ_E_CHUNK;
		break;
	case S_CHUNK_DATA_END:
		/* chunk-data is followed by CRLF (RFC 9112 7.1) */
		if (c != '\n')
			return LM_HTTP_REQ_E_CHUNK;
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		break;
	default:
		/* the skipping states never come here */
		return lm_http_req_state_err(p->state);
	}
	if (e == LM_HTTP_REQ_OK && c == '\n')
		p->line_len = 0;
	return e;
}

/*
 * Skip to the LF of a line whose content we ignore, within the line and
 * head limits. Advances *pos; returns LM_HTTP_REQ_OK or the error (then
 * *pos is the first byte past the limit).
 */
static enum lm_http_req_err
lm_http_req_skip_line(struct lm_http_req_parser *p, const uint8_t *data,
		      size_t len, size_t *pos)
{
	bool head = lm_http_req_in_head(p->state);
	size_t avail = len - *pos;
	size_t budget = LM_HTTP_MAX_LINE_BYTES - p->line_len;
	const uint8_t *lf;
	size_t n;

	if (head && LM_HTTP_MAX_HEAD_BYTES - p->head_len < budget)
		budget = LM_HTTP_MAX_HEAD_BYTES - p->head_len;
	n = avail < budget ? avail : budget;
	lf = memchr(data + *pos, '\n', n);
	if (lf != NULL)
		n = (size_t)(lf - (data + *pos)) + 1;
	p->line_len = (uint16_t)(p->line_len + n);
	if (head)
		p->head_len += (uint32_t)n;
	*pos += n;
	if (lf == NULL)
		return n < avail ? LM_HTTP_REQ_E_HEAD_TOO_LARGE : LM_HTTP_REQ_OK;

	p->line_len = 0;
	if (p->state == S_CHUNK_EXT)
		lm_http_req_chunk_size_end(p);
	else /* S_FIELD_SKIP */
		p->state = S_FIELD_START;
	return LM_HTTP_REQ_OK;
}

size_t
lm_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
		 size_t len)
{
	enum lm_http_req_err e = LM_HTTP_REQ_OK;
	size_t pos = 0;
	uint64_t n;

	while (pos < len && p->state < LM_HTTP_REQ_S_DONE) {
		switch (p->state) {
		case S_BODY_LENGTH:
		case S_CHUNK_DATA:
			/* known length: skip without looking at the bytes */
			n = len - pos;
			if (n > p->remaining)
				n = p->remaining;
			pos += n;
			p->remaining -= n;
			p->body_bytes += n;
			if (p->remaining == 0)
				p->state = p->state == S_BODY_LENGTH ?
					LM_HTTP_REQ_S_DONE : S_CHUNK_DATA_END;
			break;
		case S_FIELD_SKIP:
		case S_CHUNK_EXT:
			e = lm_http_req_skip_line(p, data, len, &pos);
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
lm_http_req_eof(struct lm_http_req_parser *p)
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

const char *
lm_http_req_err_name(enum lm_http_req_err e)
{
	switch (e) {
	case LM_HTTP_REQ_OK:
		return "ok";
	case LM_HTTP_REQ_E_REQUEST_LINE:
		return "request_line";
	case LM_HTTP_REQ_E_VERSION:
		return "version";
	case LM_HTTP_REQ_E_HEADER:
		return "header";
	case LM_HTTP_REQ_E_HEAD_TOO_LARGE:
		return "head_too_large";
	case LM_HTTP_REQ_E_CONTENT_LENGTH:
		return "content_length";
	case LM_HTTP_REQ_E_TRANSFER_ENCODING:
		return "transfer_encoding";
	case LM_HTTP_REQ_E_CHUNK:
		return "chunk";
	case LM_HTTP_REQ_E_EOF:
		return "eof";
	}
	return "unknown";
}

const char *
lm_http_req_method_name(enum lm_http_req_method m)
{
	if ((unsigned int)m < LM_HTTP_REQ_M_OTHER)
		return lm_http_req_methods[m].s;
	return "OTHER";
}
