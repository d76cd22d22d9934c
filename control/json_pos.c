/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A JSON scanner that records where values start; see json_pos.h.
 *
 * It is iterative (an explicit stack of open containers) so that deep
 * nesting in hostile input costs heap, bounded by LM_JSON_POS_MAX_DEPTH,
 * and never the C stack. It validates only what it needs to find its way:
 * numbers and literals are skipped as runs of plausible characters, since
 * jansson has judged them already.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_pos.h"

/* Make room for extra more bytes plus the NUL terminator. */
static int
path_reserve(struct lm_json_pos_path *p, size_t extra)
{
	size_t need, cap;
	char *s;

	if (extra > SIZE_MAX / 2 - p->len - 1)
		return -ENOMEM;
	need = p->len + extra + 1;
	if (need <= p->cap)
		return 0;
	cap = p->cap != 0 ? p->cap : 64;
	while (cap < need)
		cap *= 2;
	s = realloc(p->s, cap);
	if (s == NULL)
		return -ENOMEM;
	p->s = s;
	p->cap = cap;
	return 0;
}

static bool
key_is_bare(const char *key, size_t len)
{
	size_t i;

	if (len == 0)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)key[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
	}
	return true;
}

int
lm_json_pos_path_key(struct lm_json_pos_path *p, const char *key,
		     size_t key_len)
{
	char *d;
	size_t i;
	int rc;

	if (key_is_bare(key, key_len)) {
		rc = path_reserve(p, key_len + 1);
		if (rc != 0)
			return rc;
		if (p->len > 0)
			p->s[p->len++] = '.';
		memcpy(p->s + p->len, key, key_len);
		p->len += key_len;
		p->s[p->len] = '\0';
		return 0;
	}

	/* Worst case every byte becomes \u00XX, plus [" and "]. */
	if (key_len > (SIZE_MAX / 2) / 6)
		return -ENOMEM;
	rc = path_reserve(p, key_len * 6 + 4);
	if (rc != 0)
		return rc;
	d = p->s + p->len;
	*d++ = '[';
	*d++ = '"';
	for (i = 0; i < key_len; i++) {
		unsigned char c = (unsigned char)key[i];

		switch (c) {
		case '"':
		case '\\':
			*d++ = '\\';
			*d++ = (char)c;
			break;
		case '\b':
			*d++ = '\\';
			*d++ = 'b';
			break;
		case '\f':
			*d++ = '\\';
			*d++ = 'f';
			break;
		case '\n':
			*d++ = '\\';
			*d++ = 'n';
			break;
		case '\r':
			*d++ = '\\';
			*d++ = 'r';
			break;
		case '\t':
			*d++ = '\\';
			*d++ = 't';
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				/* 7 bytes with the NUL; the next byte overwrites it */
				snprintf(d, 7, "\\u%04x", c);
				d += 6;
			} else {
				*d++ = (char)c;
			}
		}
	}
	*d++ = '"';
	*d++ = ']';
	*d = '\0';
	p->len = (size_t)(d - p->s);
	return 0;
}

int
lm_json_pos_path_index(struct lm_json_pos_path *p, size_t index)
{
	int rc, n;

	rc = path_reserve(p, 24);
	if (rc != 0)
		return rc;
	n = snprintf(p->s + p->len, p->cap - p->len, "[%zu]", index);
	if (n < 0)
		return -EINVAL;
	p->len += (size_t)n;
	return 0;
}

void
lm_json_pos_path_truncate(struct lm_json_pos_path *p, size_t len)
{
	if (p->s == NULL || len >= p->len)
		return;
	p->len = len;
	p->s[len] = '\0';
}

const char *
lm_json_pos_path_str(const struct lm_json_pos_path *p)
{
	return p->s != NULL ? p->s : "";
}

void
lm_json_pos_path_free(struct lm_json_pos_path *p)
{
	free(p->s);
	p->s = NULL;
	p->len = 0;
	p->cap = 0;
}

/* An open object or array. */
struct frame {
	size_t path_len; /* length of the container's own path */
	size_t index;    /* index of the current element (arrays) */
	bool object;
};

struct scan {
	const char *t;
	size_t len;
	size_t off;
	uint32_t line;
	size_t line_start;            /* offset of the current line's first byte */
	struct lm_json_pos_path path;
	char *key;                    /* the last key read, escapes decoded */
	size_t key_len;
	size_t key_cap;
	struct frame *stack;
	size_t depth;
	size_t stack_cap;
};

static uint32_t
scan_col(const struct scan *s, size_t off)
{
	size_t col = off - s->line_start + 1;

	/* A single line longer than 4 GiB: saturate rather than wrap. */
	return col > UINT32_MAX ? UINT32_MAX : (uint32_t)col;
}

static void
skip_ws(struct scan *s)
{
	while (s->off < s->len) {
		char c = s->t[s->off];

		if (c == '\n') {
			if (s->line < UINT32_MAX)
				s->line++;
			s->line_start = s->off + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			break;
		}
		s->off++;
	}
}

/* Skip a string value; s->off is at its opening quote. */
static int
skip_string(struct scan *s)
{
	s->off++;
	while (s->off < s->len) {
		unsigned char c = (unsigned char)s->t[s->off];

		if (c == '"') {
			s->off++;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL; /* raw control characters, newlines too */
		/* \uXXXX: its hex digits are ordinary characters to skip */
		s->off += c == '\\' ? 2 : 1;
	}
	return -EINVAL;
}

/* Numbers, true, false and null: a run of the characters they are made of. */
static int
skip_literal(struct scan *s)
{
	size_t start = s->off;

	while (s->off < s->len) {
		char c = s->t[s->off];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '+' || c == '-' ||
		      c == '.'))
			break;
		s->off++;
	}
	return s->off > start ? 0 : -EINVAL;
}

static int
key_put(struct scan *s, const char *b, size_t n)
{
	if (s->key_cap - s->key_len < n) {
		size_t cap = s->key_cap != 0 ? s->key_cap : 64;
		char *k;

		while (cap - s->key_len < n) {
			if (cap > SIZE_MAX / 4)
				return -ENOMEM;
			cap *= 2;
		}
		k = realloc(s->key, cap);
		if (k == NULL)
			return -ENOMEM;
		s->key = k;
		s->key_cap = cap;
	}
	memcpy(s->key + s->key_len, b, n);
	s->key_len += n;
	return 0;
}

static int
hex4(const struct scan *s, size_t at, uint32_t *v)
{
	size_t i;

	if (at > s->len || s->len - at < 4)
		return -EINVAL;
	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = s->t[at + i];
		uint32_t d;

		if (c >= '0' && c <= '9')
			d = (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			d = (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			d = (uint32_t)(c - 'A' + 10);
		else
			return -EINVAL;
		*v = *v << 4 | d;
	}
	return 0;
}

/* Decode a \u escape (s->off at the backslash) into UTF-8, as jansson does. */
static int
read_unicode_escape(struct scan *s)
{
	uint32_t cp, lo;
	char u[4];
	size_t n;

	if (hex4(s, s->off + 2, &cp) != 0)
		return -EINVAL;
	s->off += 6;
	if (cp >= 0xdc00 && cp <= 0xdfff)
		return -EINVAL; /* a low surrogate with no high one */
	if (cp >= 0xd800 && cp <= 0xdbff) {
		if (s->len - s->off < 2 || s->t[s->off] != '\\' ||
		    s->t[s->off + 1] != 'u' || hex4(s, s->off + 2, &lo) != 0 ||
		    lo < 0xdc00 || lo > 0xdfff)
			return -EINVAL;
		s->off += 6;
		cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return key_put(s, u, n);
}

/* Read an object key into s->key; s->off is at its opening quote. */
static int
read_key(struct scan *s)
{
	int rc;

	s->key_len = 0;
	s->off++;
	while (s->off < s->len) {
		unsigned char c = (unsigned char)s->t[s->off];
		char e;

		if (c == '"') {
			s->off++;
			return 0;
		}
		if (c < 0x20)
			return -EINVAL;
		if (c != '\\') {
			rc = key_put(s, &s->t[s->off], 1);
			s->off++;
		} else {
			if (s->len - s->off < 2)
				return -EINVAL;
			switch (s->t[s->off + 1]) {
			case '"':
				e = '"';
				break;
			case '\\':
				e = '\\';
				break;
			case '/':
				e = '/';
				break;
			case 'b':
				e = '\b';
				break;
			case 'f':
				e = '\f';
				break;
			case 'n':
				e = '\n';
				break;
			case 'r':
				e = '\r';
				break;
			case 't':
				e = '\t';
				break;
			case 'u':
				rc = read_unicode_escape(s);
				if (rc != 0)
					return rc;
				continue;
			default:
				return -EINVAL;
			}
			rc = key_put(s, &e, 1);
			s->off += 2;
		}
		if (rc != 0)
			return rc;
	}
	return -EINVAL;
}

static int
push(struct scan *s, bool object)
{
	struct frame *f;

	if (s->depth >= LM_JSON_POS_MAX_DEPTH)
		return -EINVAL;
	if (s->depth == s->stack_cap) {
		size_t cap = s->stack_cap != 0 ? s->stack_cap * 2 : 16;

		f = realloc(s->stack, cap * sizeof(*f));
		if (f == NULL)
			return -ENOMEM;
		s->stack = f;
		s->stack_cap = cap;
	}
	f = &s->stack[s->depth++];
	f->path_len = s->path.len;
	f->index = 0;
	f->object = object;
	return 0;
}

enum scan_state {
	SCAN_VALUE, /* at the first byte of a value */
	SCAN_AFTER, /* a value has just ended */
	SCAN_KEY,   /* at the opening quote of an object key */
};

static int
scan_run(struct scan *s, lm_json_pos_cb cb, void *arg)
{
	enum scan_state st = SCAN_VALUE;
	struct lm_json_pos pos;
	struct frame *top;
	char c;
	int rc;

	memset(&pos, 0, sizeof(pos));
	skip_ws(s);
	for (;;) {
		switch (st) {
		case SCAN_VALUE:
			if (s->off >= s->len)
				return -EINVAL;
			pos.path = lm_json_pos_path_str(&s->path);
			pos.path_len = s->path.len;
			pos.offset = s->off;
			pos.line = s->line;
			pos.col = scan_col(s, s->off);
			rc = cb(arg, &pos);
			if (rc != 0)
				return rc;
			pos.member = false;
			c = s->t[s->off];
			if (c == '{' || c == '[') {
				rc = push(s, c == '{');
				if (rc != 0)
					return rc;
				s->off++;
				skip_ws(s);
				if (s->off < s->len &&
				    s->t[s->off] == (c == '{' ? '}' : ']')) {
					s->off++;
					s->depth--;
					st = SCAN_AFTER;
				} else if (c == '{') {
					st = SCAN_KEY;
				} else {
					rc = lm_json_pos_path_index(&s->path, 0);
					if (rc != 0)
						return rc;
				}
				break;
			}
			rc = c == '"' ? skip_string(s) : skip_literal(s);
			if (rc != 0)
				return rc;
			st = SCAN_AFTER;
			break;

		case SCAN_AFTER:
			if (s->depth == 0) {
				skip_ws(s);
				return s->off == s->len ? 0 : -EINVAL;
			}
			top = &s->stack[s->depth - 1];
			lm_json_pos_path_truncate(&s->path, top->path_len);
			skip_ws(s);
			if (s->off >= s->len)
				return -EINVAL;
			c = s->t[s->off++];
			if (c == (top->object ? '}' : ']')) {
				s->depth--;
				break;
			}
			if (c != ',')
				return -EINVAL;
			skip_ws(s);
			if (top->object) {
				st = SCAN_KEY;
				break;
			}
			top->index++;
			rc = lm_json_pos_path_index(&s->path, top->index);
			if (rc != 0)
				return rc;
			st = SCAN_VALUE;
			break;

		case SCAN_KEY:
			if (s->off >= s->len || s->t[s->off] != '"')
				return -EINVAL;
			pos.key_offset = s->off;
			pos.key_line = s->line;
			pos.key_col = scan_col(s, s->off);
			rc = read_key(s);
			if (rc != 0)
				return rc;
			pos.key_end = s->off;
			skip_ws(s);
			if (s->off >= s->len || s->t[s->off] != ':')
				return -EINVAL;
			s->off++;
			skip_ws(s);
			rc = lm_json_pos_path_key(&s->path, s->key, s->key_len);
			if (rc != 0)
				return rc;
			pos.member = true;
			st = SCAN_VALUE;
			break;
		}
	}
}

int
lm_json_pos_walk(const char *text, size_t len, lm_json_pos_cb cb, void *arg)
{
	struct scan s;
	int rc;

	if (text == NULL || cb == NULL)
		return -EINVAL;
	memset(&s, 0, sizeof(s));
	s.t = text;
	s.len = len;
	s.line = 1;
	rc = scan_run(&s, cb, arg);
	lm_json_pos_path_free(&s.path);
	free(s.key);
	free(s.stack);
	return rc;
}

struct find_arg {
	const char *path;
	size_t path_len;
	struct lm_json_pos *out;
};

static int
find_cb(void *arg, const struct lm_json_pos *pos)
{
	struct find_arg *f = arg;

	if (pos->path_len != f->path_len ||
	    memcmp(pos->path, f->path, f->path_len) != 0)
		return 0;
	*f->out = *pos;
	f->out->path = NULL;
	return 1;
}

int
lm_json_pos_find(const char *text, size_t len, const char *path,
		 struct lm_json_pos *pos)
{
	struct find_arg f;
	int rc;

	if (path == NULL || pos == NULL)
		return -EINVAL;
	f.path = path;
	f.path_len = strlen(path);
	f.out = pos;
	rc = lm_json_pos_walk(text, len, find_cb, &f);
	if (rc == 1)
		return 0;
	return rc == 0 ? -ENOENT : rc;
}
