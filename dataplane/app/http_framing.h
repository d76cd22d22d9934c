/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the HTTP/1.1 response and request parsers (app/http_parse.c,
 * app/http_req_parse.c) share: after their start-lines, both read the same
 * field section, the same Content-Length and list values, the same chunked
 * framing and trailers, under the same line and head limits, so that code is
 * written once, here.
 *
 * The two parser structs have the framing fields under the same names
 * (state, sub, hdr, tok, flags, line_len, head_len, has_length, chunked,
 * content_length, remaining, body_bytes) but not the same widths nor
 * packing: the request parser's, which lives in every server connection,
 * packs its flags in bit-fields to stay within 48 bytes. No pointer to a
 * common type can reach both, so the framing steps below are written against
 * a type the including file names, and each parser gets its own inlined copy
 * (these run per byte: no indirect call, no mapping of results). Before
 * including this header with LM_HTTP_FR_PARSER defined, define:
 *   LM_HTTP_FR_PARSER          the parser's struct type
 *   LM_HTTP_FR_ERR             its error enum type, and among it:
 *   LM_HTTP_FR_OK, LM_HTTP_FR_E_START_LINE, LM_HTTP_FR_E_HEADER,
 *   LM_HTTP_FR_E_HEAD_TOO_LARGE, LM_HTTP_FR_E_CONTENT_LENGTH,
 *   LM_HTTP_FR_E_CHUNK
 *   LM_HTTP_FR_S_DONE          its final state once a message is complete
 *   LM_HTTP_FR_N_FIELDS        how many of lm_http_fields it interprets;
 *                              the value of hdr for any other field
 */
#ifndef LM_HTTP_FRAMING_H
#define LM_HTTP_FRAMING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__SSE2__) || defined(__SSSE3__)
#include <x86intrin.h>
#endif

#include "app/http_parse.h"

/*
 * The states from the field section on, the same in both parsers. Each
 * parser numbers its own start-line states from 0, below these, and may
 * add states after LM_HTTP_FR_BODY_LENGTH. Ordered: everything up to
 * LM_HTTP_FR_LIST_VALUE is part of a head (or a trailer section) and counts
 * against LM_HTTP_MAX_HEAD_BYTES; the chunk-size lines that follow count
 * against the line limit only.
 */
enum {
	LM_HTTP_FR_FIELD_START = 16, /* start of a field line or empty line */
	LM_HTTP_FR_FIELD_NAME,       /* field name; hdr/sub: name matching */
	LM_HTTP_FR_FIELD_SKIP,       /* value of a field we ignore */
	LM_HTTP_FR_CL_VALUE,         /* Content-Length value */
	LM_HTTP_FR_LIST_VALUE,       /* a list value (Transfer-Encoding, ...) */
	LM_HTTP_FR_CHUNK_SIZE,       /* hex digits; sub = 1 once one is seen */
	LM_HTTP_FR_CHUNK_BWS,        /* whitespace after the chunk size */
	LM_HTTP_FR_CHUNK_EXT,        /* chunk extensions, skipped to LF */
	LM_HTTP_FR_CHUNK_DATA,       /* remaining bytes of chunk data */
	LM_HTTP_FR_CHUNK_DATA_END,   /* the CRLF after chunk data */
	LM_HTTP_FR_BODY_LENGTH,      /* rest of a Content-Length body */
};

/* flags */
#define LM_HTTP_FL_CR         0x01 /* a CR was seen: the next byte must be LF */
#define LM_HTTP_FL_TRAILER    0x02 /* in the trailer section */
#define LM_HTTP_FL_TE         0x04 /* a Transfer-Encoding field was received */
#define LM_HTTP_FL_KEEP_ALIVE 0x08 /* Connection: keep-alive was received */

struct lm_http_name {
	const char *s;
	uint8_t len;
};

#define LM_HTTP_NAME(str) { str, sizeof(str) - 1 }

/* Field names we interpret (hdr), in lm_http_fields. Lower case; matched
 * case-insensitively (RFC 9110 section 5.1). A parser interprets the first
 * LM_HTTP_FR_N_FIELDS of them. */
enum {
	LM_HTTP_H_CONTENT_LENGTH,
	LM_HTTP_H_CONNECTION,
	LM_HTTP_H_TRANSFER_ENCODING,
	LM_HTTP_H_EXPECT,
	LM_HTTP_H_COUNT
};

extern const struct lm_http_name lm_http_fields[LM_HTTP_H_COUNT];

/* List element tokens we look for in Transfer-Encoding, Connection and
 * Expect (all case-insensitive: RFC 9112 7, RFC 9110 7.6.1 and 10.1.1), in
 * lm_http_tokens */
enum {
	LM_HTTP_T_CHUNKED,
	LM_HTTP_T_CLOSE,
	LM_HTTP_T_KEEP_ALIVE,
	LM_HTTP_T_100_CONTINUE,
	LM_HTTP_T_COUNT
};

extern const struct lm_http_name lm_http_tokens[LM_HTTP_T_COUNT];

/* What lm_http_fr_list_byte() returns besides an LM_HTTP_T_* token */
#define LM_HTTP_FR_LIST_MORE  0xfe /* no list element ended at this byte */
#define LM_HTTP_FR_LIST_OTHER 0xff /* one ended that is none of the tokens */

/* tok: the phase inside a list element (low 2 bits), the token it may be
 * (upper bits) */
#define LM_HTTP_TOK_BEFORE    0 /* OWS before an element (or empty element) */
#define LM_HTTP_TOK_IN        1 /* inside the element's first token or number */
#define LM_HTTP_TOK_AFTER     2 /* after it: OWS, or parameters we ignore */
#define LM_HTTP_TOK_PHASE(t)  ((t) & 3)
#define LM_HTTP_TOK_WHICH(t)  ((t) >> 2)
#define LM_HTTP_TOK_MAKE(phase, which) ((uint8_t)((phase) | ((which) << 2)))

#define LM_HTTP_SUB_MISMATCH 0xff /* the element cannot be the token any more */

/* tchar (RFC 9110 section 5.6.2): the bytes of a token, e.g. a method or a
 * field name */
extern const bool lm_http_tchar[256];

static inline uint8_t
lm_http_lower(uint8_t c)
{
	return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + ('a' - 'A')) : c;
}

static inline bool
lm_http_digit(uint8_t c)
{
	return c >= '0' && c <= '9';
}

static inline bool
lm_http_ows(uint8_t c)
{
	return c == ' ' || c == '\t';
}

static inline int
lm_http_hex(uint8_t c)
{
	if (lm_http_digit(c))
		return c - '0';
	c = lm_http_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline bool
lm_http_fr_in_head(uint8_t state)
{
	return state <= LM_HTTP_FR_LIST_VALUE;
}

/*
 * Name matching, for methods and field names: *which is the first entry
 * of names[0..n) whose first *pos bytes are those seen so far, n when there
 * is none. Since it is the first, every other entry with that prefix comes
 * after it, so the next byte is looked for from there on.
 */
static inline void
lm_http_match(const struct lm_http_name *names, uint8_t n, uint8_t *which,
	      uint8_t *pos, uint8_t c)
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
 * Scanning whole runs of bytes, for the parsers' fast paths. Sixteen bytes
 * at a time where 16 are there to read (SSE2, SSSE3), one at a time for the
 * rest: the runs are field names and values of a few dozen bytes, where a
 * call to memchr() costs as much as the search.
 */

/* The offset of the first LF in s[0..n), n if there is none. */
static inline size_t
lm_http_find_lf(const uint8_t *s, size_t n)
{
	size_t i = 0;

#ifdef __SSE2__
	const __m128i lf = _mm_set1_epi8('\n');

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(v, lf));

		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < n && s[i] != '\n')
		i++;
	return i;
}

/*
 * How many bytes at the start of s[0..n) are tchar (lm_http_tchar). With
 * SSSE3, each byte is classified by its two nibbles: a tchar's high nibble
 * is 2 to 7, and each of those six rows of the byte table has its own set
 * of low nibbles; b is a tchar when the bit of its row (from the high
 * nibble) is in the set of rows its low nibble belongs to.
 */
static inline size_t
lm_http_tchar_span(const uint8_t *s, size_t n)
{
	size_t i = 0;

#ifdef __SSSE3__
	/* rows: bit 0 for 0x2_, 1 for 0x3_, ... 5 for 0x7_ */
	const __m128i rows = _mm_setr_epi8(0, 0, 1, 2, 4, 8, 16, 32,
					   0, 0, 0, 0, 0, 0, 0, 0);
	/* for each low nibble, the rows where it makes a tchar:
	 * 0x2_: ! # $ % & ' * + - .    0x3_: 0-9    0x4_: A-O
	 * 0x5_: P-Z ^ _    0x6_: ` a-o    0x7_: p-z | ~ */
	const __m128i cols = _mm_setr_epi8(58, 63, 62, 63, 63, 63, 63, 63,
					   62, 62, 61, 21, 52, 21, 61, 28);
	const __m128i nib = _mm_set1_epi8(0x0f);

	for (; i + 16 <= n; i += 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(s + i));
		__m128i lo = _mm_shuffle_epi8(cols, _mm_and_si128(v, nib));
		__m128i hi = _mm_shuffle_epi8(rows,
			_mm_and_si128(_mm_srli_epi16(v, 4), nib));
		/* a bit for each byte that is not a tchar */
		unsigned int m = (unsigned int)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_and_si128(lo, hi),
				       _mm_setzero_si128()));

		if (m != 0)
			return i + (size_t)__builtin_ctz(m);
	}
#endif
	while (i < n && lm_http_tchar[s[i]])
		i++;
	return i;
}

#endif /* LM_HTTP_FRAMING_H */

/*
 * The framing steps, on the including parser's struct (see the top). Outside
 * the include guard: each parser includes this once, with its own
 * definitions.
 */
#ifdef LM_HTTP_FR_PARSER

/* The error for a malformed byte, by where it was found. */
static inline LM_HTTP_FR_ERR
lm_http_fr_state_err(uint8_t state)
{
	if (state < LM_HTTP_FR_FIELD_START)
		return LM_HTTP_FR_E_START_LINE;
	if (state == LM_HTTP_FR_CL_VALUE)
		return LM_HTTP_FR_E_CONTENT_LENGTH;
	if (state <= LM_HTTP_FR_LIST_VALUE)
		return LM_HTTP_FR_E_HEADER;
	return LM_HTTP_FR_E_CHUNK;
}

/*
 * What every byte parsed byte by byte goes through first: the limits, and
 * the line ending. Returns LM_HTTP_FR_OK with *cr false to go on with the
 * byte, with *cr true when it was a CR that is consumed waiting for its LF,
 * or the error.
 */
static inline LM_HTTP_FR_ERR
lm_http_fr_byte_start(LM_HTTP_FR_PARSER *p, uint8_t c, bool *cr)
{
	*cr = false;
	if (++p->line_len > LM_HTTP_MAX_LINE_BYTES)
		return LM_HTTP_FR_E_HEAD_TOO_LARGE;
	if (lm_http_fr_in_head(p->state) &&
	    ++p->head_len > LM_HTTP_MAX_HEAD_BYTES)
		return LM_HTTP_FR_E_HEAD_TOO_LARGE;

	/* RFC 9112 section 2.2: CRLF ends a line, and so may a bare LF; a CR
	 * anywhere else in what we parse makes the element invalid. */
	if (p->flags & LM_HTTP_FL_CR) {
		if (c != '\n')
			return lm_http_fr_state_err(p->state);
		p->flags &= ~LM_HTTP_FL_CR;
	} else if (c == '\r') {
		p->flags |= LM_HTTP_FL_CR;
		*cr = true;
	}
	return LM_HTTP_FR_OK;
}

/* The LF of a chunk-size line. */
static inline void
lm_http_fr_chunk_size_end(LM_HTTP_FR_PARSER *p)
{
	if (p->remaining == 0) {
		/* last-chunk: a trailer section follows (RFC 9112 7.1.2) */
		p->flags |= LM_HTTP_FL_TRAILER;
		p->state = LM_HTTP_FR_FIELD_START;
	} else {
		p->state = LM_HTTP_FR_CHUNK_DATA;
	}
}

/* A field line's first byte, other than the LF of the empty line that ends
 * the section. */
static inline LM_HTTP_FR_ERR
lm_http_fr_field_start(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	/*
	 * Whitespace here is obs-fold (or space before the first field),
	 * which RFC 9112 sections 5.2 and 2.2 let a recipient reject (and a
	 * server has to reject or replace): we reject. Anything else is not
	 * a field name.
	 */
	if (!lm_http_tchar[c])
		return LM_HTTP_FR_E_HEADER;
	/* trailers are never framing fields (RFC 9110 6.5.1): no need to
	 * recognise any name in them */
	p->hdr = (p->flags & LM_HTTP_FL_TRAILER) ? LM_HTTP_FR_N_FIELDS : 0;
	p->sub = 0;
	lm_http_match(lm_http_fields, LM_HTTP_FR_N_FIELDS, &p->hdr, &p->sub,
		      lm_http_lower(c));
	p->state = LM_HTTP_FR_FIELD_NAME;
	return LM_HTTP_FR_OK;
}

/* The ':' after a field name: choose how to read the value. */
static inline void
lm_http_fr_name_end(LM_HTTP_FR_PARSER *p)
{
	p->tok = LM_HTTP_TOK_BEFORE;
	if (p->hdr == LM_HTTP_FR_N_FIELDS ||
	    p->sub != lm_http_fields[p->hdr].len) {
		p->state = LM_HTTP_FR_FIELD_SKIP;
		return;
	}
	switch (p->hdr) {
	case LM_HTTP_H_CONTENT_LENGTH:
		p->state = LM_HTTP_FR_CL_VALUE;
		break;
	case LM_HTTP_H_TRANSFER_ENCODING:
		p->flags |= LM_HTTP_FL_TE;
		p->state = LM_HTTP_FR_LIST_VALUE;
		break;
	default:
		p->state = LM_HTTP_FR_LIST_VALUE;
		break;
	}
}

/*
 * A whole field name at once, for a parser's fast path: name[0..k) are
 * tchar and k >= 1. Leaves hdr and sub exactly as lm_http_fr_field_start()
 * and lm_http_fr_field_name() would after those bytes one at a time, so
 * that the state never depends on where the stream was cut. By the way
 * lm_http_match() goes, that is: sub, the longest prefix the name shares
 * with any interpreted field name; hdr, the first of those the whole name
 * is a prefix of (LM_HTTP_FR_N_FIELDS if none). Only names that begin with
 * the same letter are compared at all, so most names cost one test each.
 */
static inline void
lm_http_fr_name_match(LM_HTTP_FR_PARSER *p, const uint8_t *name, size_t k)
{
	uint8_t c0 = lm_http_lower(name[0]);
	uint8_t hdr = LM_HTTP_FR_N_FIELDS, sub = 0;
	uint8_t w, i, n;

	p->hdr = LM_HTTP_FR_N_FIELDS;
	p->sub = 0;
	/* trailers: no name is recognised (lm_http_fr_field_start) */
	if (p->flags & LM_HTTP_FL_TRAILER)
		return;
	for (w = 0; w < LM_HTTP_FR_N_FIELDS; w++) {
		const struct lm_http_name *f = &lm_http_fields[w];

		if ((uint8_t)f->s[0] != c0)
			continue;
		n = k < f->len ? (uint8_t)k : f->len;
		for (i = 1; i < n && lm_http_lower(name[i]) == (uint8_t)f->s[i];
		     i++)
			;
		if (i > sub)
			sub = i;
		if (i == k && hdr == LM_HTTP_FR_N_FIELDS)
			hdr = w;
	}
	p->hdr = hdr;
	p->sub = sub;
}

/* A byte of a field name, or its ':'. */
static inline LM_HTTP_FR_ERR
lm_http_fr_field_name(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	if (c == ':')
		lm_http_fr_name_end(p);
	else if (lm_http_tchar[c])
		lm_http_match(lm_http_fields, LM_HTTP_FR_N_FIELDS, &p->hdr,
			      &p->sub, lm_http_lower(c));
	else
		/* no ':' on the line, or whitespace before it: "No whitespace
		 * is allowed between the field name and colon" (RFC 9112
		 * section 5.1), and a server must reject it */
		return LM_HTTP_FR_E_HEADER;
	return LM_HTTP_FR_OK;
}

/* One value of a Content-Length list is complete. */
static inline LM_HTTP_FR_ERR
lm_http_fr_cl_element_end(LM_HTTP_FR_PARSER *p)
{
	/*
	 * RFC 9110 section 8.6: a list of identical values ("42, 42"), or
	 * several field lines with the same value, may be taken as that
	 * value; differing values make the framing invalid, an unrecoverable
	 * error for a response and a 400 for a request (RFC 9112 section 6.3
	 * item 5).
	 */
	if (p->has_length && p->content_length != p->remaining)
		return LM_HTTP_FR_E_CONTENT_LENGTH;
	p->content_length = p->remaining;
	p->has_length = true;
	return LM_HTTP_FR_OK;
}

/*
 * Content-Length = 1*DIGIT (RFC 9112 section 6.2), surrounded by OWS,
 * possibly repeated in a comma-separated list.
 */
static inline LM_HTTP_FR_ERR
lm_http_fr_cl_byte(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	LM_HTTP_FR_ERR e;

	if (lm_http_digit(c)) {
		uint64_t d = c - '0';

		if (p->tok == LM_HTTP_TOK_AFTER)
			return LM_HTTP_FR_E_CONTENT_LENGTH; /* "5 5" */
		if (p->tok == LM_HTTP_TOK_BEFORE) {
			p->tok = LM_HTTP_TOK_IN;
			p->remaining = 0;
		}
		/* RFC 9112 section 6.2 asks to anticipate large numerals and
		 * to prevent overflow; we accept up to 2^63 - 1. */
		if (p->remaining > ((uint64_t)INT64_MAX - d) / 10)
			return LM_HTTP_FR_E_CONTENT_LENGTH;
		p->remaining = p->remaining * 10 + d;
		return LM_HTTP_FR_OK;
	}
	if (lm_http_ows(c)) {
		if (p->tok == LM_HTTP_TOK_IN)
			p->tok = LM_HTTP_TOK_AFTER;
		return LM_HTTP_FR_OK;
	}
	if (c == ',' || c == '\n') {
		/* an empty value or list element is not a number */
		if (p->tok == LM_HTTP_TOK_BEFORE)
			return LM_HTTP_FR_E_CONTENT_LENGTH;
		e = lm_http_fr_cl_element_end(p);
		if (e != LM_HTTP_FR_OK)
			return e;
		p->tok = LM_HTTP_TOK_BEFORE;
		if (c == '\n')
			p->state = LM_HTTP_FR_FIELD_START;
		return LM_HTTP_FR_OK;
	}
	return LM_HTTP_FR_E_CONTENT_LENGTH;
}

/*
 * Transfer-Encoding = #transfer-coding, Connection = #connection-option,
 * Expect = #expectation (RFC 9112 6.1, RFC 9110 7.6.1 and 10.1.1):
 * comma-separated tokens with OWS; empty elements are ignored (RFC 9110
 * 5.6.1). An element that is the token followed by anything but OWS
 * (parameters, say) does not match. Returns, when an element ends, the
 * token it is (LM_HTTP_FR_LIST_OTHER if none), for the parser to act on;
 * LM_HTTP_FR_LIST_MORE otherwise.
 */
static inline uint8_t
lm_http_fr_list_byte(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	uint8_t which = LM_HTTP_TOK_WHICH(p->tok);
	uint8_t r = LM_HTTP_FR_LIST_MORE;

	if (c == ',' || c == '\n') {
		if (LM_HTTP_TOK_PHASE(p->tok) != LM_HTTP_TOK_BEFORE)
			r = p->sub == lm_http_tokens[which].len ?
				which : LM_HTTP_FR_LIST_OTHER;
		p->tok = LM_HTTP_TOK_BEFORE;
		if (c == '\n')
			p->state = LM_HTTP_FR_FIELD_START;
		return r;
	}
	if (lm_http_ows(c)) {
		if (LM_HTTP_TOK_PHASE(p->tok) == LM_HTTP_TOK_IN)
			p->tok = LM_HTTP_TOK_MAKE(LM_HTTP_TOK_AFTER, which);
		return r;
	}

	switch (LM_HTTP_TOK_PHASE(p->tok)) {
	case LM_HTTP_TOK_BEFORE:
		/* the first byte picks the one token this element may be */
		p->sub = 0;
		if (p->hdr == LM_HTTP_H_TRANSFER_ENCODING)
			which = LM_HTTP_T_CHUNKED;
		else if (p->hdr == LM_HTTP_H_EXPECT)
			which = LM_HTTP_T_100_CONTINUE;
		else if (lm_http_lower(c) == 'k')
			which = LM_HTTP_T_KEEP_ALIVE;
		else
			which = LM_HTTP_T_CLOSE;
		p->tok = LM_HTTP_TOK_MAKE(LM_HTTP_TOK_IN, which);
		/* fall through */
	case LM_HTTP_TOK_IN:
		if (p->sub != LM_HTTP_SUB_MISMATCH && lm_http_tchar[c] &&
		    p->sub < lm_http_tokens[which].len &&
		    lm_http_tokens[which].s[p->sub] == lm_http_lower(c))
			p->sub++;
		else
			p->sub = LM_HTTP_SUB_MISMATCH;
		if (!lm_http_tchar[c])
			p->tok = LM_HTTP_TOK_MAKE(LM_HTTP_TOK_AFTER, which);
		break;
	default:
		p->sub = LM_HTTP_SUB_MISMATCH;
		break;
	}
	return r;
}

/* A byte of a chunk-size line up to its extensions, or of the CRLF after
 * chunk data (the states LM_HTTP_FR_CHUNK_SIZE, _BWS and _DATA_END). */
static inline LM_HTTP_FR_ERR
lm_http_fr_chunk_byte(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	int v;

	switch (p->state) {
	case LM_HTTP_FR_CHUNK_SIZE:
		/* chunk = chunk-size [ chunk-ext ] CRLF (RFC 9112 7.1) */
		v = lm_http_hex(c);
		if (v >= 0) {
			/* same bound as Content-Length (RFC 9112 7.1: guard
			 * against overflow) */
			if (p->remaining > ((uint64_t)INT64_MAX >> 4))
				return LM_HTTP_FR_E_CHUNK;
			p->remaining = (p->remaining << 4) | (uint64_t)v;
			p->sub = 1;
			break;
		}
		if (p->sub == 0)
			return LM_HTTP_FR_E_CHUNK; /* chunk-size = 1*HEXDIG */
		if (c == '\n')
			lm_http_fr_chunk_size_end(p);
		else if (c == ';')
			p->state = LM_HTTP_FR_CHUNK_EXT;
		else if (lm_http_ows(c))
			p->state = LM_HTTP_FR_CHUNK_BWS;
		else
			return LM_HTTP_FR_E_CHUNK;
		break;
	case LM_HTTP_FR_CHUNK_BWS:
		/* chunk-ext = *( BWS ";" ... ): the BWS a recipient must
		 * accept (RFC 9110 5.6.3) */
		if (c == '\n')
			lm_http_fr_chunk_size_end(p);
		else if (c == ';')
			p->state = LM_HTTP_FR_CHUNK_EXT;
		else if (!lm_http_ows(c))
			return LM_HTTP_FR_E_CHUNK;
		break;
	default: /* LM_HTTP_FR_CHUNK_DATA_END */
		/* chunk-data is followed by CRLF (RFC 9112 7.1) */
		if (c != '\n')
			return LM_HTTP_FR_E_CHUNK;
		p->state = LM_HTTP_FR_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		break;
	}
	return LM_HTTP_FR_OK;
}

/*
 * A byte in one of the framing states that are parsed byte by byte and
 * handled alike in both parsers: all but LM_HTTP_FR_FIELD_START's LF and
 * the end of a list element, where each decides for itself.
 */
static inline LM_HTTP_FR_ERR
lm_http_fr_byte(LM_HTTP_FR_PARSER *p, uint8_t c)
{
	switch (p->state) {
	case LM_HTTP_FR_FIELD_NAME:
		return lm_http_fr_field_name(p, c);
	case LM_HTTP_FR_CL_VALUE:
		return lm_http_fr_cl_byte(p, c);
	case LM_HTTP_FR_CHUNK_SIZE:
	case LM_HTTP_FR_CHUNK_BWS:
	case LM_HTTP_FR_CHUNK_DATA_END:
		return lm_http_fr_chunk_byte(p, c);
	default:
		/* the skipping states never come here */
		return lm_http_fr_state_err(p->state);
	}
}

/*
 * Skip to the LF of a line whose content we ignore, within the line and
 * head limits. Advances *pos; returns LM_HTTP_FR_OK or the error (then *pos
 * is the first byte past the limit). At the LF, a chunk-size line goes on
 * to the chunk's data (or the trailers), any other line to the next field.
 */
static inline LM_HTTP_FR_ERR
lm_http_fr_skip_line(LM_HTTP_FR_PARSER *p, const uint8_t *data, size_t len,
		     size_t *pos)
{
	bool head = lm_http_fr_in_head(p->state);
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
	/* within the line limit, which fits either parser's line_len */
	p->line_len = (__typeof__(p->line_len))(p->line_len + n);
	if (head)
		p->head_len += (uint32_t)n;
	*pos += n;
	if (lf == NULL)
		return n < avail ? LM_HTTP_FR_E_HEAD_TOO_LARGE : LM_HTTP_FR_OK;

	p->line_len = 0;
	if (p->state == LM_HTTP_FR_CHUNK_EXT)
		lm_http_fr_chunk_size_end(p);
	else
		p->state = LM_HTTP_FR_FIELD_START;
	return LM_HTTP_FR_OK;
}

/*
 * In a body or chunk of known length: take up to avail bytes without
 * looking at them. Returns how many.
 */
static inline size_t
lm_http_fr_skip_body(LM_HTTP_FR_PARSER *p, size_t avail)
{
	uint64_t n = avail;

	if (n > p->remaining)
		n = p->remaining;
	p->remaining -= n;
	p->body_bytes += n;
	if (p->remaining == 0)
		p->state = p->state == LM_HTTP_FR_BODY_LENGTH ?
			LM_HTTP_FR_S_DONE : LM_HTTP_FR_CHUNK_DATA_END;
	return (size_t)n;
}

/*
 * Fast paths over whole lines, for a parser's feed() (the request parser
 * uses these; the response parser has its own copies in http_parse.c).
 * Each is called at the start of what it reads, takes it whole or not at
 * all, and returns how many bytes it consumed (0: declined, before changing
 * anything, and the state machine goes on byte by byte). What they take,
 * they leave exactly as the state machine would have, internal fields
 * included.
 */

/* Tests that include a parser count the fast paths taken; nothing here. */
#ifndef LM_HTTP_FAST_TAKEN
#define LM_HTTP_FAST_TAKEN(which) do { } while (0)
#endif

/*
 * How many of avail bytes at the start of a line (line_len 0) the state
 * machine would take before a limit stops it: a fast path that stays within
 * them cannot step over a limit that the state machine would have hit.
 */
static inline size_t
lm_http_fr_fast_budget(const LM_HTTP_FR_PARSER *p, size_t avail)
{
	size_t budget = LM_HTTP_MAX_LINE_BYTES;

	if (lm_http_fr_in_head(p->state) &&
	    LM_HTTP_MAX_HEAD_BYTES - p->head_len < budget)
		budget = LM_HTTP_MAX_HEAD_BYTES - p->head_len;
	return avail < budget ? avail : budget;
}

/*
 * The rest of a Content-Length line after the ':', if it is one number,
 * OWS around it and the line's end: OWS 1*18DIGIT OWS [CR] LF. Eighteen
 * digits cannot overflow; longer numbers and lists are for the state
 * machine, and so is a value that differs from an earlier one (the error).
 * The caller counts the bytes and ends the line.
 */
static inline size_t
lm_http_fr_fast_cl(LM_HTTP_FR_PARSER *p, const uint8_t *s, size_t avail)
{
	uint64_t v = 0;
	size_t i = 0, d0;

	while (i < avail && lm_http_ows(s[i]))
		i++;
	d0 = i;
	while (i < avail && i - d0 < 18 && lm_http_digit(s[i]))
		v = v * 10 + (uint64_t)(s[i++] - '0');
	if (i == d0)
		return 0;
	while (i < avail && lm_http_ows(s[i]))
		i++;
	if (i < avail && s[i] == '\r')
		i++;
	if (i >= avail || s[i] != '\n')
		return 0;
	i++;
	if (p->has_length && p->content_length != v)
		return 0;
	/* lm_http_fr_cl_byte() reads the number into remaining; the LF ends
	 * the element and the line */
	p->remaining = v;
	p->content_length = v;
	p->has_length = true;
	p->tok = LM_HTTP_TOK_BEFORE;
	p->state = LM_HTTP_FR_FIELD_START;
	LM_HTTP_FAST_TAKEN(cl);
	return i;
}

/*
 * The rest of a list field's line after the ':' (state LIST_VALUE, tok
 * BEFORE), if it is a single token: OWS 1*tchar OWS [CR] LF. Lists
 * (commas), empty values and anything else are for the state machine.
 * Changes nothing: returns the line's bytes (0: not such a line), *sub
 * what lm_http_fr_list_byte() would leave in sub at the LF, and *which the
 * element that ends there (an LM_HTTP_T_* token or LM_HTTP_FR_LIST_OTHER),
 * for the parser to check and act on; with that LF, tok goes back to
 * BEFORE and the state to FIELD_START.
 */
static inline size_t
lm_http_fr_fast_token(const LM_HTTP_FR_PARSER *p, const uint8_t *s,
		      size_t avail, uint8_t *which, uint8_t *sub)
{
	const struct lm_http_name *tk;
	size_t i = 0, t0, t, j;
	uint8_t w;

	while (i < avail && lm_http_ows(s[i]))
		i++;
	t0 = i;
	while (i < avail && lm_http_tchar[s[i]])
		i++;
	t = i - t0;
	if (t == 0)
		return 0;
	while (i < avail && lm_http_ows(s[i]))
		i++;
	if (i < avail && s[i] == '\r')
		i++;
	if (i >= avail || s[i] != '\n')
		return 0;
	i++;

	/* as lm_http_fr_list_byte(): the first byte picks the token the
	 * element may be; sub counts the bytes that match it, as long as
	 * they all do */
	if (p->hdr == LM_HTTP_H_TRANSFER_ENCODING)
		w = LM_HTTP_T_CHUNKED;
	else if (p->hdr == LM_HTTP_H_EXPECT)
		w = LM_HTTP_T_100_CONTINUE;
	else if (lm_http_lower(s[t0]) == 'k')
		w = LM_HTTP_T_KEEP_ALIVE;
	else
		w = LM_HTTP_T_CLOSE;
	tk = &lm_http_tokens[w];
	*sub = LM_HTTP_SUB_MISMATCH;
	if (t <= tk->len) {
		for (j = 0; j < t && lm_http_lower(s[t0 + j]) == (uint8_t)tk->s[j];
		     j++)
			;
		if (j == t)
			*sub = (uint8_t)t;
	}
	*which = *sub == tk->len ? w : LM_HTTP_FR_LIST_OTHER;
	return i;
}

/*
 * Between chunks: the CRLF after chunk data (state CHUNK_DATA_END) and then
 * a chunk-size line without extensions or whitespace (state CHUNK_SIZE,
 * nothing read): 1*15HEXDIG [CR] LF. Fifteen digits cannot overflow.
 * Chunk-size lines count against the line limit only, and fifteen digits
 * and a CRLF are far below it.
 */
static inline size_t
lm_http_fr_fast_chunk(LM_HTTP_FR_PARSER *p, const uint8_t *s, size_t avail)
{
	size_t i = 0;
	uint64_t v = 0;
	int d;

	if (p->state == LM_HTTP_FR_CHUNK_DATA_END) {
		if (avail > 0 && s[0] == '\n')
			i = 1;
		else if (avail > 1 && s[0] == '\r' && s[1] == '\n')
			i = 2;
		else
			return 0;
		/* lm_http_fr_chunk_byte() at the LF */
		p->state = LM_HTTP_FR_CHUNK_SIZE;
		p->sub = 0;
		p->remaining = 0;
		LM_HTTP_FAST_TAKEN(chunk_end);
		/* and the size line, if it is all here */
		return i + lm_http_fr_fast_chunk(p, s + i, avail - i);
	}
	while (i < avail && i < 15 && (d = lm_http_hex(s[i])) >= 0) {
		v = (v << 4) | (uint64_t)d;
		i++;
	}
	if (i == 0)
		return 0;
	if (i < avail && s[i] == '\r')
		i++;
	if (i >= avail || s[i] != '\n')
		return 0;
	p->remaining = v;
	p->sub = 1;
	lm_http_fr_chunk_size_end(p);
	LM_HTTP_FAST_TAKEN(chunk_size);
	return i + 1;
}

#endif /* LM_HTTP_FR_PARSER */
