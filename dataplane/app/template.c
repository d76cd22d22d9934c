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
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/template.h"
#include "util/splitmix.h"
#include "util/errmsg.h"

/* A user's variable: its value and length (0 until captured). */
struct var_slot {
	uint16_t len;
	uint8_t val[LM_VAR_MAX];
};

struct dataset {
	char *name;
	char *file;
	enum lm_data_pick pick;
	uint32_t n_cols;
	uint32_t n_rows;
	char **cols;
	uint32_t *col_max;      /* longest cell of each column */
	/*
	 * One allocation: n_rows * n_cols + 1 cell offsets (cell k spans
	 * [off[k], off[k + 1]) of bytes), then the bytes.
	 */
	uint32_t *off;
	const uint8_t *bytes;
};

struct lm_tmpl_vars {
	char **vars;
	uint32_t n_vars;
	struct dataset *sets;
	uint32_t n_sets;
};

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

static bool
is_ident(const char *s, size_t n)
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

static bool
name_eq(const char *name, const char *s, size_t n)
{
	return strlen(name) == n && memcmp(name, s, n) == 0;
}

static int
builtin_find(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
		if (name_eq(builtins[i].name, s, n))
			return (int)i;
	return -1;
}

static int
var_find(const struct lm_tmpl_vars *v, const char *s, size_t n)
{
	uint32_t i;

	for (i = 0; i < v->n_vars; i++)
		if (name_eq(v->vars[i], s, n))
			return (int)i;
	return -ENOENT;
}

static int
set_find(const struct lm_tmpl_vars *v, const char *s, size_t n)
{
	uint32_t i;

	for (i = 0; i < v->n_sets; i++)
		if (name_eq(v->sets[i].name, s, n))
			return (int)i;
	return -ENOENT;
}

/* A name a new variable or data set may take: 0 or -errno. */
static int
name_free(const struct lm_tmpl_vars *v, const char *name)
{
	size_t n = strlen(name);

	if (!is_ident(name, n))
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

static void
dataset_clear(struct dataset *ds)
{
	uint32_t c;

	free(ds->name);
	free(ds->file);
	if (ds->cols != NULL)
		for (c = 0; c < ds->n_cols; c++)
			free(ds->cols[c]);
	free(ds->cols);
	free(ds->col_max);
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
		dataset_clear(&v->sets[i]);
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
	rc = name_free(v, name);
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

/* --- CSV data sets (RFC 4180) --- */

struct csv_out {
	uint8_t *buf;           /* decoded bytes (never more than the input) */
	size_t n_buf;
	uint32_t *off;          /* start of each field in buf */
	size_t n_off, cap_off;
};

static int
csv_push(struct csv_out *o)
{
	if (o->n_off == o->cap_off) {
		size_t cap = o->cap_off ? o->cap_off * 2 : 64;
		uint32_t *off = realloc(o->off, cap * sizeof(*off));

		if (off == NULL)
			return -ENOMEM;
		o->off = off;
		o->cap_off = cap;
	}
	o->off[o->n_off++] = (uint32_t)o->n_buf;
	return 0;
}

/* Where the decoder is, for the fields and the messages. */
struct csv_in {
	const uint8_t *s;
	size_t n;
	size_t i;
	uint64_t line;          /* counts LFs, also those inside quotes */
	const char *file;
	char *err;
	size_t errlen;
};

static bool
csv_field_end(const struct csv_in *in)
{
	return in->i == in->n || in->s[in->i] == ',' ||
	       in->s[in->i] == '\n' || in->s[in->i] == '\r';
}

/* One field at in->i, decoded onto o->buf; 0 or -EINVAL. */
static int
csv_field(struct csv_in *in, struct csv_out *o)
{
	const uint8_t *s = in->s;
	uint64_t qline = in->line;

	if (in->i == in->n || s[in->i] != '"') {
		for (; !csv_field_end(in); in->i++) {
			if (s[in->i] == '"') {
				lm_errf(in->err, in->errlen, "%s:%lu: quote "
					"inside an unquoted field (quote the "
					"field and double the quote)", in->file,
					(unsigned long)in->line);
				return -EINVAL;
			}
			o->buf[o->n_buf++] = s[in->i];
		}
		return 0;
	}
	for (in->i++;; in->i++) {
		if (in->i == in->n) {
			lm_errf(in->err, in->errlen, "%s:%lu: quoted field not "
				"closed", in->file, (unsigned long)qline);
			return -EINVAL;
		}
		if (s[in->i] == '"') {
			if (in->i + 1 == in->n || s[in->i + 1] != '"')
				break;
			in->i++;        /* "" is one quote */
		}
		if (s[in->i] == '\n')
			in->line++;
		o->buf[o->n_buf++] = s[in->i];
	}
	in->i++;
	if (!csv_field_end(in)) {
		lm_errf(in->err, in->errlen, "%s:%lu: unexpected character "
			"after a closing quote", in->file,
			(unsigned long)in->line);
		return -EINVAL;
	}
	return 0;
}

/* The end of a record: end of the data, LF or CRLF; 0 or -EINVAL. */
static int
csv_record_end(struct csv_in *in)
{
	if (in->i < in->n && in->s[in->i] == '\r') {
		if (in->i + 1 == in->n || in->s[in->i + 1] != '\n') {
			lm_errf(in->err, in->errlen, "%s:%lu: CR not followed "
				"by LF outside quotes", in->file,
				(unsigned long)in->line);
			return -EINVAL;
		}
		in->i++;
	}
	if (in->i < in->n) {
		in->i++;
		in->line++;
	}
	return 0;
}

/*
 * Decode every record into o (fields' bytes back to back, one offset per
 * field plus a final one); *n_cols and *n_recs get the shape. Line numbers
 * count LFs, including those inside quoted fields, so an error names the
 * line an editor shows.
 */
static int
csv_decode(const uint8_t *s, size_t n, const char *file, struct csv_out *o,
	   uint32_t *n_cols, uint64_t *n_recs, char *err, size_t errlen)
{
	struct csv_in in = { s, n, 0, 1, file, err, errlen };
	uint64_t recs = 0;
	uint32_t cols = 0;

	/* spreadsheets like to start UTF-8 files with a byte order mark */
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
		in.i = 3;
	if (in.i == n) {
		lm_errf(err, errlen, "%s:1: empty file (expected a header row "
			"of column names)", file);
		return -EINVAL;
	}
	while (in.i < n) {
		uint64_t rec_line = in.line;
		uint32_t fields = 0;

		for (;;) {
			if (csv_push(o) < 0)
				goto nomem;
			if (csv_field(&in, o) < 0)
				return -EINVAL;
			fields++;
			if (in.i == n || s[in.i] != ',')
				break;
			in.i++;
		}
		if (csv_record_end(&in) < 0)
			return -EINVAL;
		if (recs == 0) {
			cols = fields;
		} else if (fields != cols) {
			lm_errf(err, errlen, "%s:%lu: %u fields, expected %u "
				"(as in the header)", file,
				(unsigned long)rec_line, fields, cols);
			return -EINVAL;
		}
		recs++;
	}
	if (csv_push(o) < 0)
		goto nomem;
	if (recs < 2) {
		lm_errf(err, errlen, "%s:%lu: no data rows after the header",
			file, (unsigned long)in.line);
		return -EINVAL;
	}
	*n_cols = cols;
	*n_recs = recs;
	return 0;
nomem:
	lm_errf(err, errlen, "%s: out of memory", file);
	return -ENOMEM;
}

/* Build ds from the decoded records: names from the header, one block. */
static int
csv_build(struct dataset *ds, const struct csv_out *o, uint32_t cols,
	  uint64_t recs, const char *file, char *err, size_t errlen)
{
	uint64_t cells = (recs - 1) * cols;
	uint32_t base = o->off[cols];
	size_t bytes = o->n_buf - base;
	uint32_t c, d;
	uint64_t k;

	if (cols > UINT16_MAX || recs - 1 > UINT32_MAX ||
	    cells + 1 > (SIZE_MAX - bytes) / sizeof(uint32_t)) {
		lm_errf(err, errlen, "%s: too many rows or columns", file);
		return -E2BIG;
	}
	ds->n_cols = cols;
	ds->n_rows = (uint32_t)(recs - 1);
	ds->cols = calloc(cols, sizeof(*ds->cols));
	ds->col_max = calloc(cols, sizeof(*ds->col_max));
	ds->off = malloc((cells + 1) * sizeof(uint32_t) + bytes);
	if (ds->cols == NULL || ds->col_max == NULL || ds->off == NULL) {
		lm_errf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	for (c = 0; c < cols; c++) {
		const char *s = (const char *)o->buf + o->off[c];
		size_t n = o->off[c + 1] - o->off[c];

		if (!is_ident(s, n)) {
			lm_errf(err, errlen, "%s:1: column %u name \"%.*s\" is "
				"not an identifier ([A-Za-z_][A-Za-z0-9_]*, at "
				"most %d bytes)", file, c + 1,
				(int)(n > 64 ? 64 : n), s, LM_TMPL_NAME_MAX);
			return -EINVAL;
		}
		for (d = 0; d < c; d++) {
			if (name_eq(ds->cols[d], s, n)) {
				lm_errf(err, errlen, "%s:1: column name \"%s\" "
					"appears twice", file, ds->cols[d]);
				return -EINVAL;
			}
		}
		ds->cols[c] = strndup(s, n);
		if (ds->cols[c] == NULL) {
			lm_errf(err, errlen, "%s: out of memory", file);
			return -ENOMEM;
		}
	}
	for (k = 0; k <= cells; k++)
		ds->off[k] = o->off[cols + k] - base;
	for (k = 0; k < cells; k++) {
		uint32_t n = ds->off[k + 1] - ds->off[k];

		if (n > ds->col_max[k % cols])
			ds->col_max[k % cols] = n;
	}
	ds->bytes = (const uint8_t *)(ds->off + cells + 1);
	if (bytes > 0)
		memcpy((uint8_t *)ds->bytes, o->buf + base, bytes);
	return 0;
}

int
lm_tmpl_data_load_text(struct lm_tmpl_vars *v, const char *name,
		       const char *file, const char *csv, size_t len,
		       enum lm_data_pick pick, uint64_t users,
		       char *err, size_t errlen)
{
	struct csv_out o = { 0 };
	struct dataset ds = { 0 };
	struct dataset *sets;
	uint32_t cols = 0;
	uint64_t recs = 0;
	int rc;

	if (v == NULL || name == NULL || (csv == NULL && len > 0)) {
		lm_errf(err, errlen, "invalid arguments");
		return -EINVAL;
	}
	if (file == NULL)
		file = name;
	rc = name_free(v, name);
	if (rc < 0) {
		lm_errf(err, errlen, rc == -EEXIST ?
			"%s: data set name \"%s\" is already taken" :
			"%s: data set name \"%s\" is not an identifier "
			"([A-Za-z_][A-Za-z0-9_]*)", file, name);
		return rc;
	}
	if (pick != LM_PICK_SEQUENTIAL && pick != LM_PICK_RANDOM &&
	    pick != LM_PICK_UNIQUE) {
		lm_errf(err, errlen, "%s: unknown pick mode", file);
		return -EINVAL;
	}
	/* offsets are 32 bits: a data set of 4 GiB is not a use case */
	if (len >= UINT32_MAX) {
		lm_errf(err, errlen, "%s: file too large", file);
		return -E2BIG;
	}
	o.buf = malloc(len > 0 ? len : 1);
	if (o.buf == NULL) {
		lm_errf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	rc = csv_decode((const uint8_t *)csv, len, file, &o, &cols, &recs,
			err, errlen);
	if (rc == 0)
		rc = csv_build(&ds, &o, cols, recs, file, err, errlen);
	free(o.buf);
	free(o.off);
	if (rc == 0 && pick == LM_PICK_UNIQUE && ds.n_rows < users) {
		lm_errf(err, errlen, "%s: %u rows for %lu users (unique needs "
			"one row per user)", file, ds.n_rows,
			(unsigned long)users);
		rc = -EINVAL;
	}
	if (rc == 0) {
		ds.name = strdup(name);
		ds.file = strdup(file);
		ds.pick = pick;
		sets = realloc(v->sets, (v->n_sets + 1) * sizeof(*sets));
		if (sets != NULL)
			v->sets = sets;
		if (ds.name == NULL || ds.file == NULL || sets == NULL) {
			lm_errf(err, errlen, "%s: out of memory", file);
			rc = -ENOMEM;
		}
	}
	if (rc < 0) {
		dataset_clear(&ds);
		return rc;
	}
	v->sets[v->n_sets++] = ds;
	return 0;
}

int
lm_tmpl_data_load(struct lm_tmpl_vars *v, const char *name,
		  const char *csv_path, enum lm_data_pick pick,
		  uint64_t users, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int rc;

	if (csv_path == NULL) {
		lm_errf(err, errlen, "no CSV file");
		return -EINVAL;
	}
	f = fopen(csv_path, "rb");
	if (f == NULL) {
		rc = -errno;
		lm_errf(err, errlen, "%s: %s", csv_path, strerror(-rc));
		return rc;
	}
	for (;;) {
		size_t got;

		if (len == cap) {
			char *t;

			cap = cap ? cap * 2 : 65536;
			t = realloc(text, cap);
			if (t == NULL) {
				free(text);
				fclose(f);
				lm_errf(err, errlen, "%s: out of memory",
					csv_path);
				return -ENOMEM;
			}
			text = t;
		}
		got = fread(text + len, 1, cap - len, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(text);
		fclose(f);
		lm_errf(err, errlen, "%s: read error", csv_path);
		return -EIO;
	}
	fclose(f);
	rc = lm_tmpl_data_load_text(v, name, csv_path, text, len, pick, users,
				    err, errlen);
	free(text);
	return rc;
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
		if (!is_ident(w[0].s, w[0].n)) {
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

		if (!is_ident(w[0].s, sn) || !is_ident(col.s, col.n)) {
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
			if (name_eq(v->sets[s].cols[c], col.s, col.n))
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

static struct var_slot *
var_slot(const struct lm_tmpl_vars *v, void *user_store, uint32_t var)
{
	if (v == NULL || user_store == NULL || var >= v->n_vars)
		return NULL;
	return (struct var_slot *)user_store + var;
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

size_t
lm_tmpl_render(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
	       uint8_t *dst, size_t cap)
{
	const struct lm_tmpl_vars *v = env->vars;
	uint32_t rows[LM_TMPL_SETS_MAX];
	uint64_t no_rng = 0;
	uint64_t *rng = env->rng != NULL ? env->rng : &no_rng;
	size_t pos = 0;
	uint32_t k;

	/* once per rendering: every column of a set comes from one row */
	for (k = 0; k < t->n_refs; k++)
		if (v != NULL && t->ref_set[k] < v->n_sets)
			rows[k] = pick_row(&v->sets[t->ref_set[k]], env, rng);
	/*
	 * No early exit at cap: the generator must advance the same way
	 * whatever cap is, so a rendering can be regenerated.
	 */
	for (k = 0; k < t->n_pieces; k++) {
		const struct piece *p = &t->pieces[k];

		switch (p->kind) {
		case PK_LIT:
			pos = put(dst, pos, cap, t->lit + p->lit_off, p->idx);
			break;
		case PK_USER:
			pos = put_u64(dst, pos, cap, env->user);
			break;
		case PK_RUN:
			pos = put_u64(dst, pos, cap, env->run);
			break;
		case PK_WORKER:
			pos = put_u64(dst, pos, cap, env->worker);
			break;
		case PK_SEQ:
			pos = put_u64(dst, pos, cap, env->seq);
			break;
		case PK_TIME_MS:
			pos = put_u64(dst, pos, cap, env->time_ms);
			break;
		case PK_BODY_LEN:
			pos = put_u64(dst, pos, cap, env->body_len);
			break;
		case PK_RAND: {
			uint64_t off = p->span == UINT64_MAX ?
				lm_splitmix64(rng) : below(rng, p->span + 1);

			pos = put_i64(dst, pos, cap,
				      (int64_t)((uint64_t)p->lo + off));
			break;
		}
		case PK_VAR: {
			const struct var_slot *s =
				var_slot(v, env->user_store, p->idx);
			size_t n;

			if (s == NULL)
				break;
			n = s->len <= LM_VAR_MAX ? s->len : LM_VAR_MAX;
			pos = put(dst, pos, cap, s->val, n);
			break;
		}
		case PK_DATA: {
			const struct dataset *ds;
			uint64_t cell;

			if (v == NULL || p->idx >= v->n_sets)
				break;
			ds = &v->sets[p->idx];
			cell = (uint64_t)rows[p->ref] * ds->n_cols + p->col;
			pos = put(dst, pos, cap, ds->bytes + ds->off[cell],
				  ds->off[cell + 1] - ds->off[cell]);
			break;
		}
		}
	}
	return pos;
}

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
