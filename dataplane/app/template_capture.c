/* SPDX-License-Identifier: BSD-3-Clause */
/* Captures: values taken from responses into a user's variables (app/template.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/template.h"
#include "app/template_int.h"
#include "util/errmsg.h"
#include "util/splitmix.h"

/* --- captures --- */

enum { CAP_HEADER, CAP_BETWEEN };

struct capture {
	uint8_t kind;
	uint16_t var;
	uint16_t a_len;         /* header name (lower case) or start */
	uint16_t b_len;         /* end */
	uint8_t *a, *b;
	uint16_t *a_fail, *b_fail;  /* KMP: border of each prefix */
};

struct lm_captures {
	uint32_t n;
	uint32_t n_header;
	struct capture cap[LM_CAPTURE_STATE_MAX];
};

/* struct lm_capture_state lives in every session */
_Static_assert(sizeof(struct lm_capture_state) <= 64,
	       "struct lm_capture_state grew past 64 bytes");
_Static_assert(LM_VAR_MAX + LM_CAPTURE_PATTERN_MAX < UINT16_MAX,
	       "a value plus a boundary must fit the 16-bit lengths");

/* Where in the response head (st->head). */
enum {
	H_STATUS,       /* status line up to the SP after the version */
	H_CODE,         /* the status code's first digit */
	H_SKIP,         /* the rest of a line we do not look at */
	H_LINE,         /* start of a field line or of the empty line */
	H_NAME,         /* a field name some header capture may match */
	H_OWS,          /* whitespace before a value we capture */
	H_VALUE,        /* a value we capture */
	H_BLANK_CR,     /* a CR at the start of a line */
	H_BODY,         /* past the head */
};

/* Phases of one capture (st->phase). */
enum {
	P_WAIT,         /* header: no matching field yet; between: no start */
	P_NAME,         /* header: this line's name matches so far */
	P_VALUE,        /* receiving the value */
	P_DONE,
	P_FAIL,
};

struct lm_captures *
lm_captures_new(void)
{
	return calloc(1, sizeof(struct lm_captures));
}

void
lm_captures_free(struct lm_captures *c)
{
	uint32_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n; i++) {
		free(c->cap[i].a);
		free(c->cap[i].b);
		free(c->cap[i].a_fail);
		free(c->cap[i].b_fail);
	}
	free(c);
}

/* fail[i]: length of the longest proper border of pat[0..i]. */
static uint16_t *
kmp_table(const uint8_t *pat, uint16_t n)
{
	uint16_t *fail = malloc(n * sizeof(*fail));
	uint16_t i, q = 0;

	if (fail == NULL)
		return NULL;
	fail[0] = 0;
	for (i = 1; i < n; i++) {
		while (q > 0 && pat[i] != pat[q])
			q = fail[q - 1];
		if (pat[i] == pat[q])
			q++;
		fail[i] = q;
	}
	return fail;
}

static inline uint16_t
kmp_step(const uint8_t *pat, const uint16_t *fail, uint16_t q, uint8_t b)
{
	while (q > 0 && pat[q] != b)
		q = fail[q - 1];
	return pat[q] == b ? q + 1 : q;
}

static int
capture_check(const struct lm_captures *c, int var)
{
	uint32_t i;

	if (c == NULL || var < 0 || var > UINT16_MAX)
		return -EINVAL;
	for (i = 0; i < c->n; i++)
		if (c->cap[i].var == var)
			return -EEXIST; /* two values racing into one buffer */
	if (c->n == LM_CAPTURE_STATE_MAX)
		return -ENOSPC;
	return 0;
}

static bool
is_tchar(uint8_t ch)
{
	/* RFC 9110 section 5.6.2 */
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') ||
	       (ch != 0 && strchr("!#$%&'*+-.^_`|~", ch) != NULL);
}

static inline uint8_t
lower(uint8_t ch)
{
	return ch >= 'A' && ch <= 'Z' ? ch + ('a' - 'A') : ch;
}

int
lm_captures_add_header(struct lm_captures *c, int var, const char *header)
{
	struct capture *cp;
	size_t n, i;
	int rc = capture_check(c, var);

	if (rc < 0)
		return rc;
	if (header == NULL)
		return -EINVAL;
	n = strlen(header);
	if (n == 0 || n > LM_CAPTURE_PATTERN_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!is_tchar((uint8_t)header[i]))
			return -EINVAL;
	cp = &c->cap[c->n];
	cp->a = malloc(n);
	if (cp->a == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		cp->a[i] = lower((uint8_t)header[i]);
	cp->kind = CAP_HEADER;
	cp->var = (uint16_t)var;
	cp->a_len = (uint16_t)n;
	c->n++;
	c->n_header++;
	return 0;
}

int
lm_captures_add_between(struct lm_captures *c, int var, const char *start,
			const char *end)
{
	struct capture *cp;
	size_t sn, en;
	int rc = capture_check(c, var);

	if (rc < 0)
		return rc;
	if (start == NULL || end == NULL)
		return -EINVAL;
	sn = strlen(start);
	en = strlen(end);
	if (sn == 0 || en == 0 || sn > LM_CAPTURE_PATTERN_MAX ||
	    en > LM_CAPTURE_PATTERN_MAX)
		return -EINVAL;
	cp = &c->cap[c->n];
	memset(cp, 0, sizeof(*cp));
	cp->a = malloc(sn);
	cp->b = malloc(en);
	if (cp->a != NULL && cp->b != NULL) {
		memcpy(cp->a, start, sn);
		memcpy(cp->b, end, en);
		cp->a_fail = kmp_table(cp->a, (uint16_t)sn);
		cp->b_fail = kmp_table(cp->b, (uint16_t)en);
	}
	if (cp->a_fail == NULL || cp->b_fail == NULL) {
		free(cp->a);
		free(cp->b);
		free(cp->a_fail);
		memset(cp, 0, sizeof(*cp));
		return -ENOMEM;
	}
	cp->kind = CAP_BETWEEN;
	cp->var = (uint16_t)var;
	cp->a_len = (uint16_t)sn;
	cp->b_len = (uint16_t)en;
	c->n++;
	return 0;
}

/* c->n, with the bound the compiler cannot see from add_*() spelled out */
static inline uint32_t
n_caps(const struct lm_captures *c)
{
	return c->n < LM_CAPTURE_STATE_MAX ? c->n : LM_CAPTURE_STATE_MAX;
}

void
lm_captures_begin(const struct lm_captures *c, struct lm_capture_state *st)
{
	(void)c;
	memset(st, 0, sizeof(*st));
	st->head = H_STATUS;
}

/* A field line starts: header captures still waiting try its name. */
static bool
names_begin(const struct lm_captures *c, struct lm_capture_state *st)
{
	bool any = false;
	uint32_t i;

	for (i = 0; i < n_caps(c); i++) {
		if (c->cap[i].kind == CAP_HEADER && st->phase[i] == P_WAIT) {
			st->phase[i] = P_NAME;
			st->pos[i] = 0;
			any = true;
		}
	}
	return any;
}

/* One byte of the name; whether some capture still matches. */
static bool
names_step(const struct lm_captures *c, struct lm_capture_state *st,
	   uint8_t b)
{
	bool any = false;
	uint32_t i;

	b = lower(b);
	for (i = 0; i < n_caps(c); i++) {
		if (st->phase[i] != P_NAME)
			continue;
		if (st->pos[i] < c->cap[i].a_len &&
		    c->cap[i].a[st->pos[i]] == b) {
			st->pos[i]++;
			any = true;
		} else {
			st->phase[i] = P_WAIT;
		}
	}
	return any;
}

/* The colon: whole names start their values; whether any did. */
static bool
names_end(const struct lm_captures *c, struct lm_capture_state *st,
	  const struct lm_tmpl_vars *v, void *user_store)
{
	bool any = false;
	uint32_t i;

	for (i = 0; i < n_caps(c); i++) {
		struct var_slot *slot;

		if (st->phase[i] != P_NAME)
			continue;
		if (st->pos[i] != c->cap[i].a_len) {
			st->phase[i] = P_WAIT;
			continue;
		}
		slot = var_slot(v, user_store, c->cap[i].var);
		if (slot == NULL) {
			st->phase[i] = P_FAIL;
			continue;
		}
		slot->len = 0;
		st->phase[i] = P_VALUE;
		st->pos[i] = 0;
		st->len[i] = 0;
		any = true;
	}
	return any;
}

static void
names_drop(const struct lm_captures *c, struct lm_capture_state *st)
{
	uint32_t i;

	for (i = 0; i < n_caps(c); i++)
		if (st->phase[i] == P_NAME)
			st->phase[i] = P_WAIT;
}

/*
 * One byte of a header value. pos is the length without trailing OWS
 * (RFC 9110 section 5.5); len counts what arrived, saturating one past
 * LM_VAR_MAX, so that trailing whitespace beyond the limit is harmless
 * and a visible byte beyond it fails the capture.
 */
static void
value_byte(const struct lm_captures *c, struct lm_capture_state *st,
	   const struct lm_tmpl_vars *v, void *user_store, uint8_t b)
{
	uint32_t i;

	for (i = 0; i < n_caps(c); i++) {
		struct var_slot *slot;

		if (st->phase[i] != P_VALUE || c->cap[i].kind != CAP_HEADER)
			continue;
		slot = var_slot(v, user_store, c->cap[i].var);
		if (st->len[i] < LM_VAR_MAX)
			slot->val[st->len[i]] = b;
		if (st->len[i] <= LM_VAR_MAX)
			st->len[i]++;
		if (b != ' ' && b != '\t') {
			st->pos[i] = st->len[i];
			if (st->pos[i] > LM_VAR_MAX)
				st->phase[i] = P_FAIL;
		}
	}
}

static void
values_end(const struct lm_captures *c, struct lm_capture_state *st,
	   const struct lm_tmpl_vars *v, void *user_store)
{
	uint32_t i;

	for (i = 0; i < n_caps(c); i++) {
		if (st->phase[i] != P_VALUE || c->cap[i].kind != CAP_HEADER)
			continue;
		var_slot(v, user_store, c->cap[i].var)->len = st->pos[i];
		st->phase[i] = P_DONE;
	}
}

static void
head_end(struct lm_capture_state *st)
{
	/* a 1xx response (RFC 9110 section 15.2) is followed by another head */
	if (st->interim) {
		st->interim = 0;
		st->head = H_STATUS;
	} else {
		st->head = H_BODY;
	}
}

/* Consume head bytes; returns where the body starts (or e). */
static const uint8_t *
feed_head(const struct lm_captures *c, struct lm_capture_state *st,
	  const uint8_t *p, const uint8_t *e, const struct lm_tmpl_vars *v,
	  void *user_store)
{
	while (p < e && st->head != H_BODY) {
		uint8_t b = *p;

		switch (st->head) {
		case H_STATUS:
			p++;
			if (b == ' ')
				st->head = H_CODE;
			else if (b == '\n')
				st->head = H_LINE;
			break;
		case H_CODE:
			p++;
			st->interim = b == '1';
			st->head = b == '\n' ? H_LINE : H_SKIP;
			break;
		case H_SKIP: {
			const uint8_t *lf = memchr(p, '\n', (size_t)(e - p));

			if (lf == NULL)
				return e;
			p = lf + 1;
			st->head = H_LINE;
			break;
		}
		case H_LINE:
			if (b == '\r' || b == '\n') {
				p++;
				if (b == '\n')
					head_end(st);
				else
					st->head = H_BLANK_CR;
			} else if (!st->interim && names_begin(c, st)) {
				st->head = H_NAME;      /* b is read there */
			} else {
				st->head = H_SKIP;
			}
			break;
		case H_NAME:
			p++;
			if (b == ':') {
				st->head = names_end(c, st, v, user_store) ?
					   H_OWS : H_SKIP;
			} else if (b == '\n') {
				names_drop(c, st);
				st->head = H_LINE;
			} else if (!names_step(c, st, b)) {
				st->head = H_SKIP;
			}
			break;
		case H_OWS:
			if (b == ' ' || b == '\t')
				p++;
			else
				st->head = H_VALUE;
			break;
		case H_VALUE:
			while (p < e && *p != '\r' && *p != '\n')
				value_byte(c, st, v, user_store, *p++);
			if (p < e) {
				/* a value ends at CR or LF; SKIP finds LF */
				values_end(c, st, v, user_store);
				st->head = H_SKIP;
			}
			break;
		case H_BLANK_CR:
			if (b == '\n') {
				p++;
				head_end(st);
			} else {
				st->head = H_SKIP;  /* bare CR: not the end */
			}
			break;
		}
	}
	return p;
}

/* The body bytes [p, e) for one between capture. */
static void
feed_between(const struct capture *cp, struct lm_capture_state *st,
	     uint32_t i, const uint8_t *p, const uint8_t *e,
	     struct var_slot *slot)
{
	uint16_t q = st->pos[i];
	uint16_t len = st->len[i];

	while (p < e) {
		if (st->phase[i] == P_WAIT) {
			if (q == 0) {
				/* nothing matched: skip to a first byte */
				p = memchr(p, cp->a[0], (size_t)(e - p));
				if (p == NULL)
					break;
			}
			q = kmp_step(cp->a, cp->a_fail, q, *p++);
			if (q == cp->a_len) {
				if (slot == NULL) {
					st->phase[i] = P_FAIL;
					return;
				}
				slot->len = 0;
				st->phase[i] = P_VALUE;
				q = 0;
				len = 0;
			}
			continue;
		}
		if (q == 0) {
			/* bytes before the end's first byte are all value */
			const uint8_t *m = memchr(p, cp->b[0], (size_t)(e - p));
			size_t run = (size_t)((m != NULL ? m : e) - p);

			if (run > 0) {
				if (len + run > LM_VAR_MAX) {
					st->phase[i] = P_FAIL;
					return;
				}
				memcpy(slot->val + len, p, run);
				len += (uint16_t)run;
				p += run;
				continue;
			}
		}
		/* this byte may be part of the end: store it, match it */
		if (len < LM_VAR_MAX)
			slot->val[len] = *p;
		len++;
		q = kmp_step(cp->b, cp->b_fail, q, *p++);
		if (q == cp->b_len) {
			slot->len = len - cp->b_len;
			st->phase[i] = P_DONE;
			return;
		}
		/* the bytes before a partial match of the end are value */
		if (len - q > LM_VAR_MAX) {
			st->phase[i] = P_FAIL;
			return;
		}
	}
	st->pos[i] = q;
	st->len[i] = len;
}

void
lm_captures_feed(const struct lm_captures *c, struct lm_capture_state *st,
		 const uint8_t *data, size_t len,
		 const struct lm_tmpl_vars *v, void *user_store)
{
	const uint8_t *p = data, *e = data + len;
	uint32_t i;

	if (c == NULL || c->n == 0 || len == 0)
		return;
	if (st->head != H_BODY)
		p = feed_head(c, st, p, e, v, user_store);
	if (p == e)
		return;
	for (i = 0; i < n_caps(c); i++) {
		if (c->cap[i].kind != CAP_BETWEEN || st->phase[i] >= P_DONE)
			continue;
		feed_between(&c->cap[i], st, i, p, e,
			     var_slot(v, user_store, c->cap[i].var));
	}
}

bool
lm_captures_done(const struct lm_captures *c,
		 const struct lm_capture_state *st)
{
	uint32_t i;

	if (c == NULL)
		return true;
	for (i = 0; i < n_caps(c); i++)
		if (st->phase[i] != P_DONE)
			return false;
	return true;
}

