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

/*
 * Internal states. Ordered: everything up to S_LIST_VALUE is part of a head
 * (or a trailer section) and counts against LM_HTTP_MAX_HEAD_BYTES; the
 * chunk-size lines that follow count against the line limit only.
 */
enum {
	S_STATUS = LM_HTTP_S_STATUS, /* "HTTP/1." matched up to sub */
	S_MINOR,                     /* the minor version digit */
	S_STATUS_SP,                 /* the SP after the version */
	S_CODE,                      /* the 3 digits; sub = digits so far */
	S_REASON,                    /* reason phrase, skipped to LF */
	S_FIELD_START,               /* start of a field line or empty line */
	S_FIELD_NAME,                /* field name; hdr/sub: name matching */
	S_FIELD_SKIP,                /* value of a field we ignore */
	S_CL_VALUE,                  /* Content-Length value */
	S_LIST_VALUE,                /* Transfer-Encoding or Connection value */
	S_CHUNK_SIZE,                /* hex digits; sub = 1 once one is seen */
	S_CHUNK_BWS,                 /* whitespace after the chunk size */
	S_CHUNK_EXT,                 /* chunk extensions, skipped to LF */
	S_CHUNK_DATA,                /* remaining bytes of chunk data */
	S_CHUNK_DATA_END,            /* the CRLF after chunk data */
	S_BODY_LENGTH,               /* rest of a Content-Length body */
	S_BODY_CLOSE,                /* body delimited by the close */
};

_Static_assert((int)S_BODY_CLOSE < (int)LM_HTTP_S_DONE,
	       "internal states overlap DONE");
/* it lives in every session: keep it to one cache line */
_Static_assert(sizeof(struct lm_http_resp_parser) <= 64,
	       "struct lm_http_resp_parser grew past 64 bytes");

/* flags */
#define FL_CR         0x01 /* a CR was seen: the next byte must be LF */
#define FL_TRAILER    0x02 /* field lines are trailers, not the header */
#define FL_TE         0x04 /* a Transfer-Encoding field was received */
#define FL_KEEP_ALIVE 0x08 /* Connection: keep-alive was received */

/* Field names we interpret (hdr). Lower case; matched case-insensitively
 * (RFC 9110 section 5.1). Sorted so that when a name stops matching one
 * entry, the only candidates left come after it. */
enum { H_CONTENT_LENGTH, H_CONNECTION, H_TRANSFER_ENCODING, H_OTHER };

struct lm_http_name {
	const char *s;
	uint8_t len;
};

#define LM_HTTP_NAME(str) { str, sizeof(str) - 1 }

static const struct lm_http_name lm_http_fields[H_OTHER] = {
	[H_CONTENT_LENGTH] = LM_HTTP_NAME("content-length"),
	[H_CONNECTION] = LM_HTTP_NAME("connection"),
	[H_TRANSFER_ENCODING] = LM_HTTP_NAME("transfer-encoding"),
};

/* List element tokens we look for in Transfer-Encoding and Connection */
enum { T_CHUNKED, T_CLOSE, T_KEEP_ALIVE };

static const struct lm_http_name lm_http_tokens[] = {
	[T_CHUNKED] = LM_HTTP_NAME("chunked"),
	[T_CLOSE] = LM_HTTP_NAME("close"),
	[T_KEEP_ALIVE] = LM_HTTP_NAME("keep-alive"),
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

/* tchar (RFC 9110 section 5.6.2): the bytes of a token, e.g. a field name */
static const bool lm_http_tchar[256] = {
	['0' ... '9'] = true, ['A' ... 'Z'] = true, ['a' ... 'z'] = true,
	['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true,
	['\''] = true, ['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true,
	['^'] = true, ['_'] = true, ['`'] = true, ['|'] = true, ['~'] = true,
};

static inline uint8_t
lm_http_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline bool
lm_http_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline int
lm_http_hex(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = lm_http_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool
lm_http_in_head(uint8_t state)
{
	return state <= S_LIST_VALUE;
}

/* The error for a malformed byte, by where it was found. */
static enum lm_http_perr
lm_http_state_err(uint8_t state)
{
	if (state <= S_REASON)
		return LM_HTTP_E_STATUS_LINE;
	if (state == S_CL_VALUE)
		return LM_HTTP_E_CONTENT_LENGTH;
	if (state <= S_LIST_VALUE)
		return LM_HTTP_E_HEADER;
	return LM_HTTP_E_CHUNK;
}

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
	if (p->flags & FL_TRAILER) {
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
	if (p->http10 && !(p->flags & FL_KEEP_ALIVE))
		p->conn_close = true;

	if (p->flags & FL_TE) {
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
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
	} else if (p->flags & FL_TE) {
		/* item 4: another final coding, in a response: read to close */
		p->state = S_BODY_CLOSE;
		p->conn_close = true;
	} else if (p->has_length) {
		/* item 6 */
		p->remaining = p->content_length;
		p->state = p->remaining ? S_BODY_LENGTH : LM_HTTP_S_DONE;
	} else {
		/* item 8: a response without framing ends at the close */
		p->state = S_BODY_CLOSE;
		p->conn_close = true;
	}
}

/* The LF of a chunk-size line. */
static void
lm_http_chunk_size_end(struct lm_http_resp_parser *p)
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
static enum lm_http_perr
lm_http_cl_element_end(struct lm_http_resp_parser *p)
{
	/*
	 * RFC 9110 section 8.6: a list of identical values ("42, 42"), or
	 * several field lines with the same value, may be taken as that
	 * value; differing values make the framing invalid, which for a
	 * response is an unrecoverable error (RFC 9112 section 6.3 item 5).
	 */
	if (p->has_length && p->content_length != p->remaining)
		return LM_HTTP_E_CONTENT_LENGTH;
	p->content_length = p->remaining;
	p->has_length = true;
	return LM_HTTP_OK;
}

/*
 * Content-Length = 1*DIGIT (RFC 9112 section 6.2), surrounded by OWS,
 * possibly repeated in a comma-separated list.
 */
static enum lm_http_perr
lm_http_cl_byte(struct lm_http_resp_parser *p, uint8_t c)
{
	enum lm_http_perr e;

	if (c >= '0' && c <= '9') {
		uint64_t d = c - '0';

		if (p->tok == TOK_AFTER)
			return LM_HTTP_E_CONTENT_LENGTH; /* "5 5" */
		if (p->tok == TOK_BEFORE) {
			p->tok = TOK_IN;
			p->remaining = 0;
		}
		/* RFC 9112 section 6.2 asks to anticipate large numerals and
		 * to prevent overflow; we accept up to 2^63 - 1. */
		if (p->remaining > ((uint64_t)INT64_MAX - d) / 10)
			return LM_HTTP_E_CONTENT_LENGTH;
		p->remaining = p->remaining * 10 + d;
		return LM_HTTP_OK;
	}
	if (lm_http_ows(c)) {
		if (p->tok == TOK_IN)
			p->tok = TOK_AFTER;
		return LM_HTTP_OK;
	}
	if (c == ',' || c == '\n') {
		/* an empty value or list element is not a number */
		if (p->tok == TOK_BEFORE)
			return LM_HTTP_E_CONTENT_LENGTH;
		e = lm_http_cl_element_end(p);
		if (e != LM_HTTP_OK)
			return e;
		p->tok = TOK_BEFORE;
		if (c == '\n')
			p->state = S_FIELD_START;
		return LM_HTTP_OK;
	}
	return LM_HTTP_E_CONTENT_LENGTH;
}

/* One element of a Transfer-Encoding or Connection list is complete. */
static void
lm_http_list_element_end(struct lm_http_resp_parser *p)
{
	uint8_t which = TOK_WHICH(p->tok);
	bool match = p->sub == lm_http_tokens[which].len;

	if (p->hdr == H_TRANSFER_ENCODING) {
		/* RFC 9112 section 6.3 item 4: only the final coding decides;
		 * every field line adds to the same list (RFC 9110 5.3). */
		p->chunked = match && which == T_CHUNKED;
	} else if (match && which == T_CLOSE) {
		/* RFC 9112 section 9.6 */
		p->conn_close = true;
	} else if (match && which == T_KEEP_ALIVE) {
		p->flags |= FL_KEEP_ALIVE;
	}
}

/*
 * Transfer-Encoding = #transfer-coding, Connection = #connection-option
 * (RFC 9112 6.1, RFC 9110 7.6.1): comma-separated tokens with OWS; empty
 * elements are ignored (RFC 9110 5.6.1). An element that is the token
 * followed by anything but OWS (parameters, say) does not match.
 */
static void
lm_http_list_byte(struct lm_http_resp_parser *p, uint8_t c)
{
	uint8_t which = TOK_WHICH(p->tok);

	if (c == ',' || c == '\n') {
		if (TOK_PHASE(p->tok) != TOK_BEFORE)
			lm_http_list_element_end(p);
		p->tok = TOK_BEFORE;
		if (c == '\n')
			p->state = S_FIELD_START;
		return;
	}
	if (lm_http_ows(c)) {
		if (TOK_PHASE(p->tok) == TOK_IN)
			p->tok = TOK_MAKE(TOK_AFTER, which);
		return;
	}

	switch (TOK_PHASE(p->tok)) {
	case TOK_BEFORE:
		/* the first byte picks the one token this element may be */
		p->sub = 0;
		if (p->hdr == H_TRANSFER_ENCODING)
			which = T_CHUNKED;
		else if (lm_http_lower(c) == 'k')
			which = T_KEEP_ALIVE;
		else
			which = T_CLOSE;
		p->tok = TOK_MAKE(TOK_IN, which);
		/* fall through */
	case TOK_IN:
		if (p->sub != SUB_MISMATCH && lm_http_tchar[c] &&
		    p->sub < lm_http_tokens[which].len &&
		    lm_http_tokens[which].s[p->sub] == lm_http_lower(c))
			p->sub++;
		else
			p->sub = SUB_MISMATCH;
		if (!lm_http_tchar[c])
			p->tok = TOK_MAKE(TOK_AFTER, which);
		break;
	default:
		p->sub = SUB_MISMATCH;
		break;
	}
}

/* Field-name byte: follow the known names that still match. */
static void
lm_http_name_match(struct lm_http_resp_parser *p, uint8_t c)
{
	uint8_t lc = lm_http_lower(c);
	uint8_t h;

	if (p->hdr == H_OTHER)
		return;
	for (h = p->hdr; h < H_OTHER; h++) {
		if (lm_http_fields[h].len > p->sub &&
		    lm_http_fields[h].s[p->sub] == lc &&
		    memcmp(lm_http_fields[h].s, lm_http_fields[p->hdr].s,
			   p->sub) == 0) {
			p->hdr = h;
			p->sub++;
			return;
		}
	}
	p->hdr = H_OTHER;
}

/* The ':' after a field name: choose how to read the value. */
static void
lm_http_name_end(struct lm_http_resp_parser *p)
{
	p->tok = TOK_BEFORE;
	if (p->hdr == H_OTHER || p->sub != lm_http_fields[p->hdr].len) {
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

/*
 * One byte of a part we parse byte by byte. Returns LM_HTTP_OK or the
 * error; the caller counts the byte as consumed only on success.
 */
static enum lm_http_perr
lm_http_step(struct lm_http_resp_parser *p, uint8_t c)
{
	enum lm_http_perr e = LM_HTTP_OK;
	int v;

	if (++p->line_len > LM_HTTP_MAX_LINE_BYTES)
		return LM_HTTP_E_HEAD_TOO_LARGE;
	if (lm_http_in_head(p->state) &&
	    ++p->head_len > LM_HTTP_MAX_HEAD_BYTES)
		return LM_HTTP_E_HEAD_TOO_LARGE;

	/* RFC 9112 section 2.2: CRLF ends a line, and so may a bare LF; a CR
	 * anywhere else in what we parse makes the element invalid. */
	if (p->flags & FL_CR) {
		if (c != '\n')
			return lm_http_state_err(p->state);
		p->flags &= ~FL_CR;
	} else if (c == '\r') {
		p->flags |= FL_CR;
		return LM_HTTP_OK;
	}

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
			p->state = S_FIELD_START;
		} else {
			return LM_HTTP_E_STATUS_LINE;
		}
		break;
	case S_FIELD_START:
		if (c == '\n') {
			lm_http_head_end(p);
		} else if (lm_http_tchar[c]) {
			/* trailers are never framing fields (RFC 9110 6.5.1):
			 * no need to recognise any name in them */
			p->hdr = (p->flags & FL_TRAILER) ? H_OTHER : 0;
			p->sub = 0;
			lm_http_name_match(p, c);
			p->state = S_FIELD_NAME;
		} else {
			/*
			 * Whitespace here is obs-fold (or space before the
			 * first field), which RFC 9112 section 5.2 and 2.2
			 * let us reject; anything else is not a field name.
			 */
			return LM_HTTP_E_HEADER;
		}
		break;
	case S_FIELD_NAME:
		if (c == ':')
			lm_http_name_end(p);
		else if (lm_http_tchar[c])
			lm_http_name_match(p, c);
		else
			/* no ':' on the line, or whitespace before it: "No
			 * whitespace is allowed between the field name and
			 * colon" (RFC 9112 section 5.1) */
			return LM_HTTP_E_HEADER;
		break;
	case S_CL_VALUE:
		e = lm_http_cl_byte(p, c);
		break;
	case S_LIST_VALUE:
		lm_http_list_byte(p, c);
		break;
	case S_CHUNK_SIZE:
		/* chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1) */
		v = lm_http_hex(c);
		if (v >= 0) {
			/* same bound as Content-Length (RFC 9112 7.1: guard
			 * against overflow) */
			if (p->remaining > ((uint64_t)INT64_MAX >> 4))
				return LM_HTTP_E_CHUNK;
			p->remaining = (p->remaining << 4) | (uint64_t)v;
			p->sub = 1;
			break;
		}
		if (p->sub == 0)
			return LM_HTTP_E_CHUNK; /* chunk-size = 1*HEXDIG */
		if (c == '\n')
			lm_http_chunk_size_end(p);
		else if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (lm_http_ows(c))
			p->state = S_CHUNK_BWS;
		else
			return LM_HTTP_E_CHUNK;
		break;
	case S_CHUNK_BWS:
		/* chunk-ext = *( BWS ";" ... ): the BWS a recipient must
		 * accept (RFC 9110 5.6.3) */
		if (c == '\n')
			lm_http_chunk_size_end(p);
		else if (c == ';')
			p->state = S_CHUNK_EXT;
		else if (!lm_http_ows(c))
			return LM_HTTP_E_CHUNK;
		break;
	case S_CHUNK_DATA_END:
		/* chunk-data is followed by CRLF (RFC 9112 7.1) */
		if (c != '\n')
			return LM_HTTP_E_CHUNK;
		p->state = S_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		break;
	default:
		/* the skipping states never come here */
		return lm_http_state_err(p->state);
	}
	if (e == LM_HTTP_OK && c == '\n')
		p->line_len = 0;
	return e;
}

/*
 * Skip to the LF of a line whose content we ignore, within the line and
 * head limits. Advances *pos; returns LM_HTTP_OK or the error (then *pos is
 * the first byte past the limit).
 */
static enum lm_http_perr
lm_http_skip_line(struct lm_http_resp_parser *p, const uint8_t *data,
		  size_t len, size_t *pos)
{
	bool head = lm_http_in_head(p->state);
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
	p->line_len += n;
	if (head)
		p->head_len += n;
	*pos += n;
	if (lf == NULL)
		return n < avail ? LM_HTTP_E_HEAD_TOO_LARGE : LM_HTTP_OK;

	p->line_len = 0;
	switch (p->state) {
	case S_CHUNK_EXT:
		lm_http_chunk_size_end(p);
		break;
	default: /* S_REASON, S_FIELD_SKIP */
		p->state = S_FIELD_START;
		break;
	}
	return LM_HTTP_OK;
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
	uint64_t n;

	while (pos < len && p->state < LM_HTTP_S_DONE) {
		switch (p->state) {
		case S_BODY_LENGTH:
		case S_CHUNK_DATA:
			/* known length: skip without looking at the bytes */
			n = len - pos;
			if (n > p->remaining)
				n = p->remaining;
			if (crc != NULL)
				*crc = lm_crc32c_update(*crc, data + pos, n);
			pos += n;
			p->remaining -= n;
			p->body_bytes += n;
			if (p->remaining == 0)
				p->state = p->state == S_BODY_LENGTH ?
					LM_HTTP_S_DONE : S_CHUNK_DATA_END;
			break;
		case S_BODY_CLOSE:
			if (crc != NULL)
				*crc = lm_crc32c_update(*crc, data + pos, len - pos);
			p->body_bytes += len - pos;
			pos = len;
			break;
		case S_REASON:
		case S_FIELD_SKIP:
		case S_CHUNK_EXT:
			e = lm_http_skip_line(p, data, len, &pos);
			break;
		default:
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
