/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Incremental HTTP/1.1 response parser (RFC 9112).
 *
 * The parser sees the bytes of one connection in whatever pieces TCP hands
 * over and keeps nothing but the small struct lm_http_resp_parser between
 * calls. Lines are therefore never assembled: the status line and the
 * fields we interpret (Content-Length, Transfer-Encoding, Connection) are
 * parsed one byte at a time by a state machine; lines whose content we
 * ignore (reason phrase, other fields, chunk extensions) are skipped with
 * memchr() up to their LF; bodies and chunk data of known length are skipped
 * by arithmetic, without touching their bytes.
 *
 * The state machine is the definition; the fast paths below only make the
 * common case cheap. Where a piece holds the whole of something at the
 * start of a line (the status line up to its reason phrase, a field name
 * and its ':', a plain Content-Length, Connection or Transfer-Encoding
 * value up to the LF, an empty line, a plain chunk-size line, the CRLF
 * after chunk data), it is read in one go and the parser is left in exactly
 * the state that the bytes one at a time would have left, down to the
 * internal fields. Anything else (a line cut by the end of the piece, a
 * list, odd whitespace, a CR that is not before the LF, a limit in reach,
 * anything malformed) and a fast path declines before it changes anything:
 * the state machine then reads those bytes, and reports any error at the
 * same byte as ever. So the result never depends on how the stream was
 * cut (tests/unit/test_http_parse_equiv.c holds it against the state
 * machine alone).
 *
 * Line endings (RFC 9112 section 2.2): a line ends at LF; a CR is accepted
 * only right before that LF. In bytes we skip unread (reason phrase, values
 * of other fields, chunk extensions), a bare CR is left alone, which is the
 * "replace each bare CR with SP" the same section allows (and the same
 * holds for NUL in field values, RFC 9110 section 5.5).
 *
 * Limits: a line may have LM_HTTP_MAX_LINE_BYTES bytes including its CRLF;
 * the status line, field lines and empty line of a head, of the interim 1xx
 * heads before it and of the trailer section after the body together may
 * have LM_HTTP_MAX_HEAD_BYTES. Chunk-size lines have only the line limit.
 *
 * Numbers (Content-Length, chunk sizes) are accepted up to 2^63 - 1.
 *
 * On error, feed() stops at the first byte that cannot be accepted: the
 * byte past a limit or the byte that made the input invalid.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "app/http_parse.h"
#include "util/crc32c.h"

/* What the shared framing code (app/http_framing.h) works on */
#define LM_HTTP_FR_PARSER           struct lm_http_resp_parser
#define LM_HTTP_FR_ERR              enum lm_http_perr
#define LM_HTTP_FR_OK               LM_HTTP_OK
#define LM_HTTP_FR_E_START_LINE     LM_HTTP_E_STATUS_LINE
#define LM_HTTP_FR_E_HEADER         LM_HTTP_E_HEADER
#define LM_HTTP_FR_E_HEAD_TOO_LARGE LM_HTTP_E_HEAD_TOO_LARGE
#define LM_HTTP_FR_E_CONTENT_LENGTH LM_HTTP_E_CONTENT_LENGTH
#define LM_HTTP_FR_E_CHUNK          LM_HTTP_E_CHUNK
#define LM_HTTP_FR_S_DONE           LM_HTTP_S_DONE
/* Content-Length, Connection, Transfer-Encoding: a response's Expect is
 * skipped like any other field */
#define LM_HTTP_FR_N_FIELDS         LM_HTTP_H_EXPECT
#include "app/http_framing.h"

/*
 * Internal states: the status line's, then the framing states shared with
 * the request parser (LM_HTTP_FR_FIELD_START to LM_HTTP_FR_BODY_LENGTH),
 * then one of our own.
 */
enum {
	S_STATUS = LM_HTTP_S_STATUS, /* "HTTP/1." matched up to sub */
	S_MINOR,                     /* the minor version digit */
	S_STATUS_SP,                 /* the SP after the version */
	S_CODE,                      /* the 3 digits; sub = digits so far */
	S_REASON,                    /* reason phrase, skipped to LF */
	S_BODY_CLOSE = LM_HTTP_FR_BODY_LENGTH + 1, /* body delimited by the
						    * close */
};

_Static_assert((int)S_REASON < (int)LM_HTTP_FR_FIELD_START,
	       "status line states overlap the framing states");
_Static_assert((int)S_BODY_CLOSE < (int)LM_HTTP_S_DONE,
	       "internal states overlap DONE");
/* it lives in every session: keep it to one cache line */
_Static_assert(sizeof(struct lm_http_resp_parser) <= 64,
	       "struct lm_http_resp_parser grew past 64 bytes");

/* Forget everything learnt from a head: an interim 1xx response is over
 * and the final response's status line comes next. */
static void
lm_http_restart(struct lm_http_resp_parser *p)
{
	p->state = S_STATUS;
	p->sub = 0;
	p->hdr = 0;
	p->tok = 0;
	p->chunked = false;
	p->has_length = false;
	p->conn_close = false;
	p->http10 = false;
	p->flags = 0;
	p->status = 0;
	p->content_length = 0;
	p->remaining = 0;
	/* line_len is reset by the caller at the LF; head_len and total_bytes
	 * go on counting so that an endless run of 1xx heads hits the head
	 * limit instead of looping forever. */
}

void
lm_http_resp_init(struct lm_http_resp_parser *p, bool head_request)
{
	memset(p, 0, sizeof(*p));
	p->state = S_STATUS;
	p->head_request = head_request;
}

/*
 * The empty line that ends a header section: decide how the body is framed
 * (RFC 9112 section 6.3, in its order of precedence).
 */
static void
lm_http_head_end(struct lm_http_resp_parser *p)
{
	if (p->flags & LM_HTTP_FL_TRAILER) {
		/* end of the trailer section (RFC 9112 section 7.1.2) */
		p->state = LM_HTTP_S_DONE;
		return;
	}

	/*
	 * 1xx (RFC 9110 section 15.2): interim responses come before the
	 * final one on the same request; skip them. 101 switches the
	 * connection to another protocol right after its empty line, so it is
	 * where HTTP/1.1 ends for us.
	 */
	if (p->status < 200) {
		if (p->status == 101)
			p->state = LM_HTTP_S_DONE;
		else
			lm_http_restart(p);
		return;
	}

	/* RFC 9112 section 9.3: HTTP/1.0 closes after each response unless
	 * the server asked for keep-alive (the HTTP/1.0 extension, section
	 * 9.3 and Appendix C.2.2). */
	if (p->http10 && !(p->flags & LM_HTTP_FL_KEEP_ALIVE))
		p->conn_close = true;

	if (p->flags & LM_HTTP_FL_TE) {
		/*
		 * RFC 9112 section 6.1: Transfer-Encoding together with
		 * Content-Length may be a smuggling or splitting attempt; the
		 * coding wins (6.3 item 3) but the connection must not be
		 * reused. An HTTP/1.0 message with Transfer-Encoding has to be
		 * treated as if its framing were faulty: we do not trust the
		 * chunks and read to the close.
		 */
		if (p->has_length || p->http10)
			p->conn_close = true;
		if (p->http10)
			p->chunked = false;
	}

	/* RFC 9112 section 6.3 item 1: never a body */
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->state = LM_HTTP_S_DONE;
		return;
	}

	if (p->chunked) {
		/* item 4: chunked is the final coding */
		p->state = LM_HTTP_FR_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
	} else if (p->flags & LM_HTTP_FL_TE) {
		/* item 4: another final coding, in a response: read to close */
		p->state = S_BODY_CLOSE;
		p->conn_close = true;
	} else if (p->has_length) {
		/* item 6 */
		p->remaining = p->content_length;
		p->state = p->remaining ? LM_HTTP_FR_BODY_LENGTH :
					   LM_HTTP_S_DONE;
	} else {
		/* item 8: a response without framing ends at the close */
		p->state = S_BODY_CLOSE;
		p->conn_close = true;
	}
}

/* One element of a Transfer-Encoding or Connection list is complete: t is
 * the token it is (lm_http_fr_list_byte). */
static void
lm_http_list_element_end(struct lm_http_resp_parser *p, uint8_t t)
{
	if (p->hdr == LM_HTTP_H_TRANSFER_ENCODING) {
		/* RFC 9112 section 6.3 item 4: only the final coding decides;
		 * every field line adds to the same list (RFC 9110 5.3). */
		p->chunked = t == LM_HTTP_T_CHUNKED;
	} else if (t == LM_HTTP_T_CLOSE) {
		/* RFC 9112 section 9.6 */
		p->conn_close = true;
	} else if (t == LM_HTTP_T_KEEP_ALIVE) {
		p->flags |= LM_HTTP_FL_KEEP_ALIVE;
	}
}

/*
 * One byte of a part we parse byte by byte. Returns LM_HTTP_OK or the
 * error; the caller counts the byte as consumed only on success.
 */
static enum lm_http_perr
lm_http_step(struct lm_http_resp_parser *p, uint8_t c)
{
	enum lm_http_perr e;
	uint8_t t;
	bool cr;

	e = lm_http_fr_byte_start(p, c, &cr);
	if (e != LM_HTTP_OK || cr)
		return e;

	switch (p->state) {
	case S_STATUS:
		/* HTTP-name is case-sensitive (RFC 9112 section 2.3) */
		if (c != (uint8_t)"HTTP/1."[p->sub])
			return LM_HTTP_E_STATUS_LINE;
		if (++p->sub == 7)
			p->state = S_MINOR;
		break;
	case S_MINOR:
		/* RFC 9110 section 2.5: a higher minor version is handled as
		 * the highest we know, 1.1 */
		if (c < '0' || c > '9')
			return LM_HTTP_E_STATUS_LINE;
		p->http10 = c == '0';
		p->state = S_STATUS_SP;
		break;
	case S_STATUS_SP:
		if (c != ' ')
			return LM_HTTP_E_STATUS_LINE;
		p->state = S_CODE;
		p->sub = 0;
		p->status = 0;
		break;
	case S_CODE:
		if (p->sub < 3) {
			if (c < '0' || c > '9')
				return LM_HTTP_E_STATUS_LINE;
			p->status = p->status * 10 + (c - '0');
			/* RFC 9110 section 15: "All valid status codes are
			 * within the range of 100 to 599, inclusive." */
			if (++p->sub == 3 &&
			    (p->status < 100 || p->status > 599))
				return LM_HTTP_E_STATUS_LINE;
		} else if (c == ' ') {
			/* status-line = HTTP-version SP status-code SP
			 * [ reason-phrase ]; the client ignores the reason
			 * (RFC 9112 section 4) */
			p->state = S_REASON;
		} else if (c == '\n') {
			/* "HTTP/1.1 200" without the second SP: common enough
			 * to accept, nothing is lost */
			p->state = LM_HTTP_FR_FIELD_START;
		} else {
			return LM_HTTP_E_STATUS_LINE;
		}
		break;
	case LM_HTTP_FR_FIELD_START:
		if (c == '\n')
			lm_http_head_end(p);
		else
			e = lm_http_fr_field_start(p, c);
		break;
	case LM_HTTP_FR_LIST_VALUE:
		t = lm_http_fr_list_byte(p, c);
		if (t != LM_HTTP_FR_LIST_MORE)
			lm_http_list_element_end(p, t);
		break;
	default:
		e = lm_http_fr_byte(p, c);
		break;
	}
	if (e == LM_HTTP_OK && c == '\n')
		p->line_len = 0;
	return e;
}

/*
 * The fast paths. Each is called at the start of what it reads, takes it
 * whole or not at all, and returns how many bytes it consumed (0: declined,
 * the state machine goes on byte by byte).
 */

/*
 * "HTTP/1.x DDD " (state S_STATUS, nothing read yet): on to the reason
 * phrase, which the caller skips. A status line without reason phrase, or
 * anything the state machine would reject, is left to it.
 */
static size_t
lm_http_fast_status(struct lm_http_resp_parser *p, const uint8_t *s,
		    size_t avail)
{
	uint16_t code;

	if (lm_http_fr_fast_budget(p, avail) < 13 ||
	    memcmp(s, "HTTP/1.", 7) != 0 || !lm_http_digit(s[7]) ||
	    s[8] != ' ' || !lm_http_digit(s[9]) || !lm_http_digit(s[10]) ||
	    !lm_http_digit(s[11]) || s[12] != ' ')
		return 0;
	code = (uint16_t)((s[9] - '0') * 100 + (s[10] - '0') * 10 +
			  (s[11] - '0'));
	if (code < 100 || code > 599)
		return 0;
	/* what S_STATUS to S_CODE leave behind (lm_http_step) */
	p->http10 = s[7] == '0';
	p->status = code;
	p->sub = 3;
	p->state = S_REASON;
	p->line_len = 13;
	p->head_len += 13;
	LM_HTTP_FAST_TAKEN(status);
	return 13;
}

/*
 * The rest of a Connection or Transfer-Encoding line after the ':', if it
 * is a single token (lm_http_fr_fast_token); lists, empty values and
 * anything else are for the state machine.
 */
static size_t
lm_http_fast_list(struct lm_http_resp_parser *p, const uint8_t *s,
		  size_t avail)
{
	uint8_t which, sub;
	size_t n = lm_http_fr_fast_token(p, s, avail, &which, &sub);

	if (n == 0)
		return 0;
	p->sub = sub;
	p->tok = LM_HTTP_TOK_BEFORE;
	p->state = LM_HTTP_FR_FIELD_START;
	lm_http_list_element_end(p, which);
	LM_HTTP_FAST_TAKEN(list);
	return n;
}

/*
 * A line of a header or trailer section (state FIELD_START, line_len 0),
 * within the bytes the limits allow (lm_http_fast_budget): the empty line
 * that ends it, or a field name and its ':', and then, for the fields we
 * interpret, their value if it is plain, and for any other field its value
 * up to the LF if the LF is there (if not, the caller's skip goes on).
 */
static size_t
lm_http_fast_line(struct lm_http_resp_parser *p, const uint8_t *s,
		  size_t avail)
{
	size_t k, n;

	if (avail == 0)
		return 0;
	if (s[0] == '\n' || (s[0] == '\r' && avail > 1 && s[1] == '\n')) {
		/* the empty line: line_len goes back to 0 at its LF */
		n = s[0] == '\n' ? 1 : 2;
		p->head_len += (uint32_t)n;
		lm_http_head_end(p);
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
	p->line_len = (uint32_t)k;
	p->head_len += (uint32_t)k;
	LM_HTTP_FAST_TAKEN(name);

	switch (p->state) {
	case LM_HTTP_FR_CL_VALUE:
		n = lm_http_fr_fast_cl(p, s + k, avail - k);
		break;
	case LM_HTTP_FR_LIST_VALUE:
		n = lm_http_fast_list(p, s + k, avail - k);
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

/* Lines of a header or trailer section, as many as lm_http_fast_line()
 * takes whole, from the start of a line (state FIELD_START, line_len 0). */
static size_t
lm_http_fast_fields(struct lm_http_resp_parser *p, const uint8_t *s,
		    size_t avail)
{
	size_t done = 0, n;

	/* FIELD_START again only once a whole line was taken (line_len 0) */
	do {
		n = lm_http_fast_line(p, s + done,
				      lm_http_fr_fast_budget(p, avail - done));
		done += n;
	} while (n > 0 && p->state == LM_HTTP_FR_FIELD_START);
	return done;
}

size_t
lm_http_resp_feed(struct lm_http_resp_parser *p, const uint8_t *data,
		  size_t len)
{
	return lm_http_resp_feed_crc(p, data, len, NULL);
}

size_t
lm_http_resp_feed_crc(struct lm_http_resp_parser *p, const uint8_t *data,
		      size_t len, uint32_t *crc)
{
	enum lm_http_perr e = LM_HTTP_OK;
	size_t pos = 0;
	size_t n;

	while (pos < len && p->state < LM_HTTP_S_DONE) {
		switch (p->state) {
		case LM_HTTP_FR_BODY_LENGTH:
		case LM_HTTP_FR_CHUNK_DATA:
			/* known length: skip without looking at the bytes */
			n = lm_http_fr_skip_body(p, len - pos);
			if (crc != NULL)
				*crc = lm_crc32c_update(*crc, data + pos, n);
			pos += n;
			break;
		case S_BODY_CLOSE:
			if (crc != NULL)
				*crc = lm_crc32c_update(*crc, data + pos, len - pos);
			p->body_bytes += len - pos;
			pos = len;
			break;
		case S_REASON:
		case LM_HTTP_FR_FIELD_SKIP:
		case LM_HTTP_FR_CHUNK_EXT:
			e = lm_http_fr_skip_line(p, data, len, &pos);
			break;
		case S_STATUS:
			if (p->sub == 0 && p->line_len == 0 &&
			    (n = lm_http_fast_status(p, data + pos,
						     len - pos)) != 0)
				pos += n;
			else
				goto step;
			break;
		case LM_HTTP_FR_FIELD_START:
			if (p->line_len == 0 &&
			    (n = lm_http_fast_fields(p, data + pos,
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
			e = lm_http_step(p, data[pos]);
			if (e == LM_HTTP_OK)
				pos++;
			break;
		}
		if (e != LM_HTTP_OK) {
			p->state = LM_HTTP_S_ERROR;
			p->err = e;
			break;
		}
	}
	p->total_bytes += pos;
	return pos;
}

bool
lm_http_resp_eof(struct lm_http_resp_parser *p)
{
	switch (p->state) {
	case S_BODY_CLOSE:
		/* RFC 9112 section 6.3 items 4 and 8: the close ends it */
		p->state = LM_HTTP_S_DONE;
		return true;
	case LM_HTTP_S_DONE:
		return true;
	case LM_HTTP_S_ERROR:
		return false;
	default:
		/* RFC 9112 section 8: a message closed early is incomplete */
		p->state = LM_HTTP_S_ERROR;
		p->err = LM_HTTP_E_EOF;
		return false;
	}
}

const char *
lm_http_perr_name(enum lm_http_perr e)
{
	switch (e) {
	case LM_HTTP_OK:
		return "ok";
	case LM_HTTP_E_STATUS_LINE:
		return "status_line";
	case LM_HTTP_E_HEADER:
		return "header";
	case LM_HTTP_E_HEAD_TOO_LARGE:
		return "head_too_large";
	case LM_HTTP_E_CONTENT_LENGTH:
		return "content_length";
	case LM_HTTP_E_CHUNK:
		return "chunk";
	case LM_HTTP_E_EOF:
		return "eof";
	}
	return "unknown";
}
