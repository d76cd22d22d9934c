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
 * The state machine is the definition; the fast paths below only make the
 * common case cheap. Where a piece holds a whole line at the start of it
 * (an origin-form request-line, a field line, with a plain Content-Length,
 * Transfer-Encoding, Connection or Expect value, the empty line, a plain
 * chunk-size line, the CRLF after chunk data), it is read in one go and
 * the parser is left in exactly the state that the bytes one at a time
 * would have left, down to the internal fields. Anything else (a line cut
 * by the end of the piece, another form of request-target, a list, odd
 * whitespace, a CR that is not before the LF, a limit in reach, anything
 * malformed or that the state machine would reject) and a fast path
 * declines before it changes anything: the state machine then reads those
 * bytes, and reports any error at the same byte as ever. So the result
 * never depends on how the stream was cut
 * (tests/unit/test_http_req_parse_equiv.c holds it against the state
 * machine alone).
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
lm_http_req_init(struct lm_http_req_parser *p)
{
	memset(p, 0, sizeof(*p));
	p->state = S_START;
	p->path_hash = LM_FNV64_INIT;
}

/*
 * The empty line that ends a header section: decide how the body is framed
 * (RFC 9112 section 6.3, in its order of precedence).
 */
static inline bool
lm_http_req_bad_framing(const struct lm_http_req_parser *p)
{
	/*
	 * RFC 9112 section 6.1: a request with both Transfer-Encoding and
	 * Content-Length may be a smuggling attempt; "A server MAY reject"
	 * it: we do. An HTTP/1.0 message with Transfer-Encoding must be
	 * treated "as if the framing is faulty". Section 6.3 item 4: if
	 * chunked is not the final coding of a request, "the server MUST
	 * respond with the 400 (Bad Request) status code and then close the
	 * connection". Trailers end the message whatever they hold.
	 */
	return !(p->flags & LM_HTTP_FL_TRAILER) && (p->flags & LM_HTTP_FL_TE) &&
		(p->has_length || p->http10 || !p->chunked);
}

static enum lm_http_req_err
lm_http_req_head_end(struct lm_http_req_parser *p)
{
	if (lm_http_req_bad_framing(p))
		return LM_HTTP_REQ_E_TRANSFER_ENCODING;
	if (p->flags & LM_HTTP_FL_TRAILER) {
		/* end of the trailer section (RFC 9112 section 7.1.2) */
		p->state = LM_HTTP_REQ_S_DONE;
		return LM_HTTP_REQ_OK;
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

/*
 * The fast paths (see the top). Each is called at the start of what it
 * reads, takes it whole or not at all, and returns how many bytes it
 * consumed (0: declined, the state machine goes on byte by byte).
 */

/*
 * A request-line in origin-form, from its first byte (state S_START, line
 * not started): token SP "/" *vchar SP "HTTP/1." ("0" / "1") [CR] LF,
 * within the bytes the limits allow. The path is hashed up to the first
 * '?' as the state machine hashes it; every other form of target, another
 * version, an odd byte anywhere, is the state machine's.
 */
static size_t
lm_http_req_fast_request_line(struct lm_http_req_parser *p,
			      const uint8_t *s, size_t avail)
{
	size_t n = lm_http_fr_fast_budget(p, avail);
	uint64_t h = p->path_hash;
	uint16_t plen = p->path_len;
	size_t k, i;
	uint8_t m, c;

	k = lm_http_tchar_span(s, n);
	if (k == 0 || k + 1 >= n || s[k] != ' ' || s[k + 1] != '/')
		return 0;
	/* path: hashed up to '?' or SP, as lm_http_req_path_byte() does */
	for (i = k + 1; i < n; i++) {
		c = s[i];
		if (c == ' ' || c == '?')
			break;
		if (!lm_http_req_vchar(c))
			return 0;
		h = lm_fnv1a64_byte(h, c);
		plen++;
	}
	/* query: any vchar up to the SP ('?' among them) */
	while (i < n && lm_http_req_vchar(s[i]))
		i++;
	if (i >= n || s[i] != ' ')
		return 0;
	i++;
	if (n - i < 9 || memcmp(s + i, "HTTP/1.", 7) != 0 ||
	    (s[i + 7] != '0' && s[i + 7] != '1'))
		return 0;
	c = s[i + 7];
	i += 8;
	if (s[i] == '\r')
		i++;
	if (i >= n || s[i] != '\n')
		return 0;
	i++;

	/* the method: one of ours if the whole token is (lm_http_match() at
	 * the SP), case and all */
	for (m = 0; m < LM_HTTP_REQ_M_OTHER; m++)
		if (lm_http_req_methods[m].len == k &&
		    memcmp(s, lm_http_req_methods[m].s, k) == 0)
			break;
	p->method = m;
	p->path_hash = h;
	p->path_len = plen;
	p->http10 = c == '0';
	/* what S_VERSION leaves at the LF (lm_http_req_version_byte) */
	p->sub = 8;
	p->state = LM_HTTP_FR_FIELD_START;
	p->head_len += (uint32_t)i;
	LM_HTTP_FAST_TAKEN(request_line);
	return i;
}

/*
 * The rest of a Transfer-Encoding, Connection or Expect line after the ':',
 * if it is a single token (lm_http_fr_fast_token), and the element it ends
 * is accepted.
 */
static size_t
lm_http_req_fast_list(struct lm_http_req_parser *p, const uint8_t *s,
		      size_t avail)
{
	uint8_t which, sub;
	size_t n;

	n = lm_http_fr_fast_token(p, s, avail, &which, &sub);
	/* chunked followed by anything: the error, at the state machine's
	 * byte (lm_http_req_list_element_end) */
	if (n == 0 || (p->hdr == LM_HTTP_H_TRANSFER_ENCODING && p->chunked))
		return 0;
	p->sub = sub;
	p->tok = LM_HTTP_TOK_BEFORE;
	p->state = LM_HTTP_FR_FIELD_START;
	(void)lm_http_req_list_element_end(p, which);
	LM_HTTP_FAST_TAKEN(list);
	return n;
}

/*
 * A line of a header or trailer section (state FIELD_START, line_len 0),
 * within the bytes the limits allow (lm_http_fr_fast_budget): the empty
 * line that ends it, or a field name and its ':', and then, for the fields
 * we interpret, their value if it is plain, and for any other field its
 * value up to the LF if the LF is there (if not, the caller's skip goes
 * on).
 */
static size_t
lm_http_req_fast_line(struct lm_http_req_parser *p, const uint8_t *s,
		      size_t avail)
{
	size_t k, n;

	if (avail == 0)
		return 0;
	if (s[0] == '\n' || (s[0] == '\r' && avail > 1 && s[1] == '\n')) {
		/* the empty line, unless its LF is a framing error */
		if (lm_http_req_bad_framing(p))
			return 0;
		n = s[0] == '\n' ? 1 : 2;
		p->head_len += (uint32_t)n;
		(void)lm_http_req_head_end(p);
		LM_HTTP_FAST_TAKEN(empty);
		return n;
	}
	k = lm_http_tchar_span(s, avail);
	/* an empty name, a name cut by the piece or the budget, a byte that
	 * is neither tchar nor ':': the state machine decides */
	if (k == 0 || k == avail || s[k] != ':')
		return 0;
	lm_http_fr_name_match(p, s, k);
	lm_http_fr_name_end(p);
	k++;
	p->line_len = (uint16_t)k;
	p->head_len += (uint32_t)k;
	LM_HTTP_FAST_TAKEN(name);

	switch (p->state) {
	case LM_HTTP_FR_CL_VALUE:
		n = lm_http_fr_fast_cl(p, s + k, avail - k);
		break;
	case LM_HTTP_FR_LIST_VALUE:
		n = lm_http_req_fast_list(p, s + k, avail - k);
		break;
	default:
		/* FIELD_SKIP: what lm_http_fr_skip_line() would do */
		n = lm_http_find_lf(s + k, avail - k);
		if (n == avail - k)
			return k;
		n++;
		p->state = LM_HTTP_FR_FIELD_START;
		LM_HTTP_FAST_TAKEN(skip);
		break;
	}
	if (n > 0) {
		/* the whole line: counted, and line_len ends at its LF */
		p->head_len += (uint32_t)n;
		p->line_len = 0;
	}
	return k + n;
}

/* Lines of a header or trailer section, as many as
 * lm_http_req_fast_line() takes whole, from the start of a line (state
 * FIELD_START, line_len 0). */
static size_t
lm_http_req_fast_fields(struct lm_http_req_parser *p, const uint8_t *s,
			size_t avail)
{
	size_t done = 0, n, budget;

	/* FIELD_START again only once a whole line was taken (line_len 0) */
	do {
		budget = lm_http_fr_fast_budget(p, avail - done);
		n = lm_http_req_fast_line(p, s + done, budget);
		done += n;
	} while (n > 0 && p->state == LM_HTTP_FR_FIELD_START);
	return done;
}

size_t
lm_http_req_feed(struct lm_http_req_parser *p, const uint8_t *data,
		 size_t len)
{
	enum lm_http_req_err e = LM_HTTP_REQ_OK;
	size_t pos = 0;
	size_t n;

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
		case S_START:
			/* line_len 0: not after a CR (empty lines come here
			 * again at their LF) */
			if (p->line_len == 0 &&
			    (n = lm_http_req_fast_request_line(p, data + pos,
							       len - pos)) != 0)
				pos += n;
			else
				goto step;
			break;
		case LM_HTTP_FR_FIELD_START:
			if (p->line_len == 0 &&
			    (n = lm_http_req_fast_fields(p, data + pos,
							 len - pos)) != 0)
				pos += n;
			else
				goto step;
			break;
		case LM_HTTP_FR_CHUNK_SIZE:
		case LM_HTTP_FR_CHUNK_DATA_END:
			/* a size line with nothing read yet, or the CRLF */
			if (p->line_len == 0 &&
			    (p->sub == 0 ||
			     p->state == LM_HTTP_FR_CHUNK_DATA_END) &&
			    (n = lm_http_fr_fast_chunk(p, data + pos,
						       len - pos)) != 0)
				pos += n;
			else
				goto step;
			break;
		default:
step:
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
