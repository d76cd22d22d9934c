/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates, data sets and captures (app/template.h).
 *
 * Everything that can fail is done at plan load: a template becomes an
 * array of pieces (a literal, or a slot naming a built-in, a variable or a
 * data set column), a CSV file becomes one block of cell offsets and bytes,
 * a capture's boundaries get their KMP failure tables. The workers then
 * only walk pieces, copy bytes and format integers, and matching captures
 * keeps its progress in the small struct lm_capture_state so responses can
 * arrive cut anywhere.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/template.h"
#include "app/template_int.h"
#include "util/splitmix.h"
#include "util/errmsg.h"




enum piece_kind {
	PK_LIT,
	PK_USER,
	PK_RUN,
	PK_WORKER,
	PK_SEQ,
	PK_TIME_MS,
	PK_BODY_LEN,
	PK_RAND,
	PK_VAR,
	PK_DATA,
};

struct piece {
	uint8_t kind;
	uint8_t ref;            /* PK_DATA: index in the template's sets */
	uint16_t col;           /* PK_DATA: column */
	uint32_t idx;           /* LIT: length; VAR: variable; DATA: set */
	union {
		uint32_t lit_off;   /* PK_LIT: offset in lit */
		int64_t lo;         /* PK_RAND: A */
	};
	uint64_t span;          /* PK_RAND: B - A */
};

struct lm_tmpl {
	struct piece *pieces;
	uint32_t n_pieces;
	uint32_t n_refs;
	uint32_t ref_set[LM_TMPL_SETS_MAX];  /* distinct data sets used */
	size_t max_len;
	bool constant;
	uint8_t *lit;           /* literal bytes, after the pieces */
};

/* Built-in slot names; "rand" takes two arguments. */
static const struct {
	const char *name;
	enum piece_kind kind;
} builtins[] = {
	{ "user", PK_USER },
	{ "run", PK_RUN },
	{ "worker", PK_WORKER },
	{ "seq", PK_SEQ },
	{ "time_ms", PK_TIME_MS },
	{ "__body_len", PK_BODY_LEN },
	{ "rand", PK_RAND },
};

#define INT_DIGITS 20   /* UINT64_MAX and INT64_MIN both need 20 bytes */


/* Append to a message already in err (for the lists of known names). */
static void
add_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	if (err == NULL || errlen == 0)
		return;
	n = strnlen(err, errlen);
	if (n + 1 >= errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - n, fmt, ap);
	va_end(ap);
}

bool
lm_tmpl_is_ident(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > LM_TMPL_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     c == '_';

		if (!alpha && (i == 0 || c < '0' || c > '9'))
			return false;
	}
	return true;
}

bool
lm_tmpl_name_eq(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && memcmp(name, s, n) == 0;
}

static int
builtin_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (lm_tmpl_name_eq(builtins[i].name, s, n))
			return (int)i;
	return -1;
}

static int
var_find(const struct lm_tmpl_vars *v, const char *s, size_t n)
{
	uint32_t i;

	for (i = 0; i < v->n_vars; i++)
		if (lm_tmpl_name_eq(v->vars[i], s, n))
			return (int)i;
	return -ENOENT;
}

static int
set_find(const struct lm_tmpl_vars *v, const char *s, size_t n)
{
	uint32_t i;

	for (i = 0; i < v->n_sets; i++)
		if (lm_tmpl_name_eq(v->sets[i].name, s, n))
			return (int)i;
	return -ENOENT;
}

/* A name a new variable or data set may take: 0 or -errno. */
int
lm_tmpl_name_free(const struct lm_tmpl_vars *v, const char *name)
{
	size_t n = strlen(name);

	if (!lm_tmpl_is_ident(name, n))
		return -EINVAL;
	if (builtin_find(name, n) >= 0 || var_find(v, name, n) >= 0 ||
	    set_find(v, name, n) >= 0)
		return -EEXIST;
	return 0;
}

struct lm_tmpl_vars *
lm_tmpl_vars_new(void)
{
	return calloc(1, sizeof(struct lm_tmpl_vars));
}

void
lm_tmpl_dataset_clear(struct dataset *ds)
{
	uint32_t c;

	free(ds->name);
	free(ds->file);
	if (ds->cols != NULL)
		for (c = 0; c < ds->n_cols; c++)
			free(ds->cols[c]);
	free(ds->cols);
	free(ds->col_max);
	free(ds->ctl);
	free(ds->off);
	memset(ds, 0, sizeof(*ds));
}

void
lm_tmpl_vars_free(struct lm_tmpl_vars *v)
{
	uint32_t i;

	if (v == NULL)
		return;
	for (i = 0; i < v->n_vars; i++)
		free(v->vars[i]);
	free(v->vars);
	for (i = 0; i < v->n_sets; i++)
		lm_tmpl_dataset_clear(&v->sets[i]);
	free(v->sets);
	free(v);
}

int
lm_tmpl_var_declare(struct lm_tmpl_vars *v, const char *name)
{
	char **vars;
	char *copy;
	int rc;

	if (v == NULL || name == NULL)
		return -EINVAL;
	rc = lm_tmpl_name_free(v, name);
	if (rc < 0)
		return rc;
	/* an index must fit a piece and the per-user store stay sane */
	if (v->n_vars >= UINT16_MAX)
		return -ENOSPC;
	copy = strdup(name);
	vars = realloc(v->vars, (v->n_vars + 1) * sizeof(*vars));
	if (copy == NULL || vars == NULL) {
		free(copy);
		if (vars != NULL)
			v->vars = vars;
		return -ENOMEM;
	}
	v->vars = vars;
	v->vars[v->n_vars] = copy;
	return (int)v->n_vars++;
}

int
lm_tmpl_var_find(const struct lm_tmpl_vars *v, const char *name)
{
	if (v == NULL || name == NULL)
		return -EINVAL;
	return var_find(v, name, strlen(name));
}

/* --- compiling templates --- */

struct word {
	const char *s;
	size_t n;
	size_t at;              /* offset in the template */
};

/* Names known to v, for messages: ", "-separated or "none". */
static void
list_vars(const struct lm_tmpl_vars *v, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < v->n_vars; i++)
		add_err(err, errlen, "%s%s", i ? ", " : "", v->vars[i]);
	if (v->n_vars == 0)
		add_err(err, errlen, "none");
}

static void
list_sets(const struct lm_tmpl_vars *v, char *err, size_t errlen)
{
	uint32_t i;

	for (i = 0; i < v->n_sets; i++)
		add_err(err, errlen, "%s%s", i ? ", " : "", v->sets[i].name);
	if (v->n_sets == 0)
		add_err(err, errlen, "none");
}

/* A decimal int64 (optional sign); false when not one or out of range. */
static bool
parse_i64(const char *s, size_t n, int64_t *out)
{
	bool neg = false;
	uint64_t mag = 0, limit;
	size_t i = 0;

	if (n > 0 && (s[0] == '-' || s[0] == '+')) {
		neg = s[0] == '-';
		i = 1;
	}
	if (i == n)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < n; i++) {
		unsigned d = (unsigned)(s[i] - '0');

		if (d > 9 || mag > (limit - d) / 10)
			return false;
		mag = mag * 10 + d;
	}
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return true;
}

#define W(w) (int)((w).n > 64 ? 64 : (w).n), (w).s

/* One slot's words into p; 0 or -EINVAL with the message in err. */
static int
compile_slot(const struct lm_tmpl_vars *v, struct lm_tmpl *t, struct piece *p,
	     const struct word *w, unsigned n_w, size_t open_at,
	     char *err, size_t errlen)
{
	const char *dot;
	int b, s, c;
	uint32_t r;

	if (n_w == 0) {
		lm_errf(err, errlen, "offset %zu: empty {{ }}", open_at);
		return -EINVAL;
	}
	b = builtin_find(w[0].s, w[0].n);
	if (b >= 0 && builtins[b].kind == PK_RAND) {
		int64_t lo, hi;

		if (n_w != 3 || !parse_i64(w[1].s, w[1].n, &lo) ||
		    !parse_i64(w[2].s, w[2].n, &hi) || lo > hi) {
			size_t at = n_w < 2 ? w[0].at : w[1].at;

			lm_errf(err, errlen, "offset %zu: rand takes two "
				"integers A <= B (64-bit signed), as in "
				"{{rand 1 100}}", at);
			return -EINVAL;
		}
		p->kind = PK_RAND;
		p->lo = lo;
		p->span = (uint64_t)hi - (uint64_t)lo;
		return 0;
	}
	if (n_w > 1) {
		lm_errf(err, errlen, "offset %zu: unexpected \"%.*s\" after "
			"\"%.*s\"", w[1].at, W(w[1]), W(w[0]));
		return -EINVAL;
	}
	if (b >= 0) {
		p->kind = (uint8_t)builtins[b].kind;
		return 0;
	}
	dot = memchr(w[0].s, '.', w[0].n);
	if (dot == NULL) {
		if (!lm_tmpl_is_ident(w[0].s, w[0].n)) {
			lm_errf(err, errlen, "offset %zu: \"%.*s\" is not a "
				"name ([A-Za-z_][A-Za-z0-9_]*, or SET.COLUMN)",
				w[0].at, W(w[0]));
			return -EINVAL;
		}
		s = var_find(v, w[0].s, w[0].n);
		if (s < 0) {
			lm_errf(err, errlen, "offset %zu: unknown variable "
				"\"%.*s\" (captures: ", w[0].at, W(w[0]));
			list_vars(v, err, errlen);
			add_err(err, errlen, "; data sets: ");
			list_sets(v, err, errlen);
			add_err(err, errlen, ")");
			return -EINVAL;
		}
		p->kind = PK_VAR;
		p->idx = (uint32_t)s;
		return 0;
	}
	{
		size_t sn = (size_t)(dot - w[0].s);
		struct word col = { dot + 1, w[0].n - sn - 1,
				    w[0].at + sn + 1 };

		if (!lm_tmpl_is_ident(w[0].s, sn) || !lm_tmpl_is_ident(col.s, col.n)) {
			lm_errf(err, errlen, "offset %zu: \"%.*s\" is not "
				"SET.COLUMN (two names joined by a dot)",
				w[0].at, W(w[0]));
			return -EINVAL;
		}
		s = set_find(v, w[0].s, sn);
		if (s < 0) {
			lm_errf(err, errlen, "offset %zu: unknown data set "
				"\"%.*s\" (data sets: ", w[0].at, (int)sn,
				w[0].s);
			list_sets(v, err, errlen);
			add_err(err, errlen, ")");
			return -EINVAL;
		}
		for (c = 0; c < (int)v->sets[s].n_cols; c++)
			if (lm_tmpl_name_eq(v->sets[s].cols[c], col.s, col.n))
				break;
		if (c == (int)v->sets[s].n_cols) {
			lm_errf(err, errlen, "offset %zu: data set \"%s\" has "
				"no column \"%.*s\" (columns: ", col.at,
				v->sets[s].name, W(col));
			for (c = 0; c < (int)v->sets[s].n_cols; c++)
				add_err(err, errlen, "%s%s", c ? ", " : "",
					v->sets[s].cols[c]);
			add_err(err, errlen, ")");
			return -EINVAL;
		}
	}
	for (r = 0; r < t->n_refs; r++)
		if (t->ref_set[r] == (uint32_t)s)
			break;
	if (r == t->n_refs) {
		if (t->n_refs == LM_TMPL_SETS_MAX) {
			lm_errf(err, errlen, "offset %zu: more than %d data "
				"sets in one template", w[0].at,
				LM_TMPL_SETS_MAX);
			return -EINVAL;
		}
		t->ref_set[t->n_refs++] = (uint32_t)s;
	}
	p->kind = PK_DATA;
	p->idx = (uint32_t)s;
	p->col = (uint16_t)c;
	p->ref = (uint8_t)r;
	return 0;
}

static size_t
piece_max(const struct lm_tmpl_vars *v, const struct piece *p)
{
	switch (p->kind) {
	case PK_LIT:
		return p->idx;
	case PK_VAR:
		return LM_VAR_MAX;
	case PK_DATA:
		return v->sets[p->idx].col_max[p->col];
	default:
		return INT_DIGITS;
	}
}

struct lm_tmpl *
lm_tmpl_compile(const struct lm_tmpl_vars *v, const char *text, size_t len,
		char *err, size_t errlen)
{
	struct lm_tmpl *t;
	size_t i, lit_start = 0, n_open = 0, lit_len = 0;
	uint32_t k;

	if (v == NULL || (text == NULL && len > 0)) {
		lm_errf(err, errlen, "invalid arguments");
		return NULL;
	}
	if (len >= UINT32_MAX) {
		lm_errf(err, errlen, "template too long");
		return NULL;
	}
	/* every slot opens with "{{": that bounds the pieces */
	for (i = 0; i + 1 < len; i++)
		if (text[i] == '{' && text[i + 1] == '{')
			n_open++;
	t = calloc(1, sizeof(*t) + (2 * n_open + 1) * sizeof(struct piece) +
		   len);
	if (t == NULL) {
		lm_errf(err, errlen, "out of memory");
		return NULL;
	}
	t->pieces = (struct piece *)(t + 1);
	t->lit = (uint8_t *)(t->pieces + 2 * n_open + 1);
	t->constant = true;
	i = 0;
	while (i <= len) {
		struct word w[4];
		unsigned n_w = 0;
		size_t open, close, j;

		if (i + 1 < len && text[i] == '{' && text[i + 1] == '{')
			open = i;
		else if (i < len) {
			i++;
			continue;
		} else
			open = len;
		if (open > lit_start) {
			struct piece *p = &t->pieces[t->n_pieces++];

			p->kind = PK_LIT;
			p->lit_off = (uint32_t)lit_len;
			p->idx = (uint32_t)(open - lit_start);
			memcpy(t->lit + lit_len, text + lit_start, p->idx);
			lit_len += p->idx;
		}
		if (open == len)
			break;
		for (close = open + 2; close + 1 < len; close++)
			if (text[close] == '}' && text[close + 1] == '}')
				break;
		if (close + 1 >= len) {
			lm_errf(err, errlen, "offset %zu: \"{{\" without a "
				"closing \"}}\"", open);
			goto fail;
		}
		/* words separated by spaces or tabs */
		for (j = open + 2; j < close;) {
			size_t start;

			if (text[j] == ' ' || text[j] == '\t') {
				j++;
				continue;
			}
			start = j;
			while (j < close && text[j] != ' ' && text[j] != '\t')
				j++;
			if (n_w < 4) {
				w[n_w].s = text + start;
				w[n_w].n = j - start;
				w[n_w].at = start;
			}
			if (n_w < 4)
				n_w++;
		}
		if (compile_slot(v, t, &t->pieces[t->n_pieces], w, n_w, open,
				 err, errlen) < 0)
			goto fail;
		t->n_pieces++;
		t->constant = false;
		i = close + 2;
		lit_start = i;
	}
	for (k = 0; k < t->n_pieces; k++)
		t->max_len += piece_max(v, &t->pieces[k]);
	return t;
fail:
	free(t);
	return NULL;
}

bool
lm_tmpl_is_constant(const struct lm_tmpl *t)
{
	return t->constant;
}

size_t
lm_tmpl_max_len(const struct lm_tmpl *t)
{
	return t->max_len;
}

void
lm_tmpl_free(struct lm_tmpl *t)
{
	free(t);    /* pieces and literals share its allocation */
}

/* --- per-user variables --- */

size_t
lm_tmpl_user_size(const struct lm_tmpl_vars *v)
{
	return v != NULL ? v->n_vars * sizeof(struct var_slot) : 0;
}

void
lm_tmpl_user_init(const struct lm_tmpl_vars *v, void *user_store)
{
	size_t n = lm_tmpl_user_size(v);

	if (n > 0)
		memset(user_store, 0, n);
}


int
lm_tmpl_var_set(const struct lm_tmpl_vars *v, void *user_store, int var,
		const void *val, size_t len)
{
	struct var_slot *slot;

	if (var < 0 || (val == NULL && len > 0))
		return -EINVAL;
	slot = var_slot(v, user_store, (uint32_t)var);
	if (slot == NULL)
		return -EINVAL;
	if (len > LM_VAR_MAX)
		return -E2BIG;
	if (len > 0)
		memcpy(slot->val, val, len);
	slot->len = (uint16_t)len;
	return 0;
}

/* --- rendering --- */

#define TENS(t) t "0" t "1" t "2" t "3" t "4" t "5" t "6" t "7" t "8" t "9"
/* "00" to "99": two digits per division keeps the divisions few */
static const char digit_pairs[201] = TENS("0") TENS("1") TENS("2") TENS("3")
	TENS("4") TENS("5") TENS("6") TENS("7") TENS("8") TENS("9");

/* Decimal v, written backwards so it ends at buf + INT_DIGITS; its start. */
static uint8_t *
fmt_u64(uint64_t v, uint8_t *buf)
{
	uint8_t *p = buf + INT_DIGITS;

	while (v >= 100) {
		unsigned d = (unsigned)(v % 100) * 2;

		v /= 100;
		*--p = (uint8_t)digit_pairs[d + 1];
		*--p = (uint8_t)digit_pairs[d];
	}
	if (v >= 10) {
		*--p = (uint8_t)digit_pairs[v * 2 + 1];
		*--p = (uint8_t)digit_pairs[v * 2];
	} else {
		*--p = (uint8_t)('0' + v);
	}
	return p;
}

/* Copy what fits; the position after. */
static inline size_t
put(uint8_t *dst, size_t pos, size_t cap, const void *src, size_t n)
{
	if (n > cap - pos)
		n = cap - pos;
	if (n > 0)
		memcpy(dst + pos, src, n);
	return pos + n;
}

static inline size_t
put_u64(uint8_t *dst, size_t pos, size_t cap, uint64_t v)
{
	uint8_t buf[INT_DIGITS];
	uint8_t *p = fmt_u64(v, buf);

	return put(dst, pos, cap, p, (size_t)(buf + INT_DIGITS - p));
}

static inline size_t
put_i64(uint8_t *dst, size_t pos, size_t cap, int64_t v)
{
	/* INT64_MIN has 19 digits: sign and digits fit INT_DIGITS */
	uint8_t buf[INT_DIGITS + 1];
	uint8_t *p = fmt_u64(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, buf + 1);

	if (v < 0)
		*--p = '-';
	return put(dst, pos, cap, p, (size_t)(buf + 1 + INT_DIGITS - p));
}

/* Uniform in [0, n) without a division (Lemire), n > 0. */
static inline uint64_t
below(uint64_t *rng, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)lm_splitmix64(rng) * n) >> 64);
}

static uint32_t
pick_row(const struct dataset *ds, const struct lm_tmpl_env *env,
	 uint64_t *rng)
{
	switch (ds->pick) {
	case LM_PICK_RANDOM:
		return (uint32_t)below(rng, ds->n_rows);
	case LM_PICK_UNIQUE:
		/* checked at load; the modulo keeps a bad index in bounds */
		return (uint32_t)(env->user % ds->n_rows);
	default:
		return (uint32_t)(env->seq_row % ds->n_rows);
	}
}

/*
 * The row of each data set t reads, once per rendering, so that every
 * column of a set comes from one row. A set that other (the head of the
 * same request, whose rows are in other_rows) reads keeps that row.
 */
static void
pick_rows(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	  uint64_t *rng, const struct lm_tmpl *other,
	  const uint32_t *other_rows, uint32_t *rows)
{
	const struct lm_tmpl_vars *v = env->vars;
	uint32_t k, j;

	for (k = 0; k < t->n_refs; k++) {
		if (v == NULL || t->ref_set[k] >= v->n_sets)
			continue;
		for (j = 0; other != NULL && j < other->n_refs; j++)
			if (other->ref_set[j] == t->ref_set[k])
				break;
		if (other != NULL && j < other->n_refs)
			rows[k] = other_rows[j];
		else
			rows[k] = pick_row(&v->sets[t->ref_set[k]], env, rng);
	}
}

/* Whether n bytes at p hold one that a request head cannot carry. */
static bool
head_unsafe(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (lm_tmpl_head_ctl(p[i]))
			return true;
	return false;
}

/*
 * The pieces of t into dst, with the rows picked. With unsafe, the values
 * only known at run time (variables, data set cells) are checked for what
 * a request head cannot carry; the literals were checked at plan load.
 * The source is checked, not what fits, so the answer does not depend on
 * cap either.
 */
static size_t
render_pieces(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	      const uint32_t *rows, uint64_t *rng, uint8_t *dst, size_t cap,
	      bool *unsafe)
{
	const struct lm_tmpl_vars *v = env->vars;
	size_t pos = 0;
	uint32_t k;

	/*
	 * No early exit at cap: the generator must advance the same way
	 * whatever cap is, so a rendering can be regenerated.
	 */
	for (k = 0; k < t->n_pieces; k++) {
		const struct piece *p = &t->pieces[k];
		const uint8_t *val;
		size_t n;

		switch (p->kind) {
		case PK_LIT:
			pos = put(dst, pos, cap, t->lit + p->lit_off, p->idx);
			continue;
		case PK_USER:
			pos = put_u64(dst, pos, cap, env->user);
			continue;
		case PK_RUN:
			pos = put_u64(dst, pos, cap, env->run);
			continue;
		case PK_WORKER:
			pos = put_u64(dst, pos, cap, env->worker);
			continue;
		case PK_SEQ:
			pos = put_u64(dst, pos, cap, env->seq);
			continue;
		case PK_TIME_MS:
			pos = put_u64(dst, pos, cap, env->time_ms);
			continue;
		case PK_BODY_LEN:
			pos = put_u64(dst, pos, cap, env->body_len);
			continue;
		case PK_RAND: {
			uint64_t off = p->span == UINT64_MAX ?
				lm_splitmix64(rng) : below(rng, p->span + 1);

			pos = put_i64(dst, pos, cap,
				      (int64_t)((uint64_t)p->lo + off));
			continue;
		}
		case PK_VAR: {
			const struct var_slot *s =
				var_slot(v, env->user_store, p->idx);

			if (s == NULL)
				continue;
			val = s->val;
			n = s->len <= LM_VAR_MAX ? s->len : LM_VAR_MAX;
			break;
		}
		case PK_DATA: {
			const struct dataset *ds;
			uint64_t cell;

			if (v == NULL || p->idx >= v->n_sets)
				continue;
			ds = &v->sets[p->idx];
			cell = (uint64_t)rows[p->ref] * ds->n_cols + p->col;
			val = ds->bytes + ds->off[cell];
			n = ds->off[cell + 1] - ds->off[cell];
			break;
		}
		default:
			continue;
		}
		if (unsafe != NULL && !*unsafe && head_unsafe(val, n))
			*unsafe = true;
		pos = put(dst, pos, cap, val, n);
	}
	return pos;
}

/* One template on its own; unsafe: NULL, or checked as a head. */
static size_t
render_one(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	   uint8_t *dst, size_t cap, bool *unsafe)
{
	uint32_t rows[LM_TMPL_SETS_MAX];
	uint64_t no_rng = 0;
	uint64_t *rng = env->rng != NULL ? env->rng : &no_rng;

	if (unsafe != NULL)
		*unsafe = false;
	pick_rows(t, env, rng, NULL, NULL, rows);
	return render_pieces(t, env, rows, rng, dst, cap, unsafe);
}

size_t
lm_tmpl_render(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	       uint8_t *dst, size_t cap)
{
	return render_one(t, env, dst, cap, NULL);
}

size_t
lm_tmpl_render_head(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
		    uint8_t *dst, size_t cap, bool *unsafe)
{
	return render_one(t, env, dst, cap, unsafe);
}

size_t
lm_tmpl_render_request(const struct lm_tmpl *head, const struct lm_tmpl *body,
		       const struct lm_tmpl_env *env, uint8_t *dst, size_t cap,
		       bool *unsafe)
{
	uint32_t head_rows[LM_TMPL_SETS_MAX], body_rows[LM_TMPL_SETS_MAX];
	struct lm_tmpl_env head_env = *env;
	size_t at = head->max_len < cap ? head->max_len : cap;
	size_t n_head, n_body = 0;
	uint64_t no_rng = 0;
	uint64_t *rng = env->rng != NULL ? env->rng : &no_rng;

	*unsafe = false;
	pick_rows(head, env, rng, NULL, NULL, head_rows);
	if (body != NULL) {
		pick_rows(body, env, rng, head, head_rows, body_rows);
		/* past the head's bound: the head cannot overwrite it */
		n_body = render_pieces(body, env, body_rows, rng, dst + at,
				       cap - at, NULL);
	}
	head_env.body_len = n_body;
	n_head = render_pieces(head, &head_env, head_rows, rng, dst, at,
			       unsafe);
	if (n_body > 0)
		memmove(dst + n_head, dst + at, n_body);
	return n_head + n_body;
}

/* --- what a request head may hold --- */

int
lm_tmpl_check_head(const struct lm_tmpl *t, const struct lm_tmpl_vars *v,
		   char *err, size_t errlen)
{
	uint32_t k;

	for (k = 0; k < t->n_pieces; k++) {
		const struct piece *p = &t->pieces[k];
		const struct dataset *ds;
		const struct cell_ctl *x;

		if (p->kind != PK_DATA || v == NULL || p->idx >= v->n_sets)
			continue;
		ds = &v->sets[p->idx];
		x = &ds->ctl[p->col];
		if (x->row == UINT32_MAX)
			continue;
		lm_errf(err, errlen, "%s:%" PRIu64 ": column \"%s\" holds "
			"control character 0x%02x%s at offset %" PRIu32 ", "
			"which a request head cannot carry", ds->file, x->line,
			ds->cols[p->col], x->byte, lm_ctl_name(x->byte), x->at);
		return -EINVAL;
	}
	return 0;
}
