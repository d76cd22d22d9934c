/* SPDX-License-Identifier: BSD-3-Clause */
/* Data sets from CSV files, RFC 4180 (app/template.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/template.h"
#include "app/template_int.h"
#include "util/errmsg.h"
#include "util/splitmix.h"

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

/*
 * Find, per column, the first cell a request head cannot carry, with the
 * line its row starts on. Decoding dropped the line ends between records
 * but kept the LFs inside quoted fields, so a row's line is the header's
 * line, plus one per record before it, plus the LFs in the cells before
 * it (those of the header included).
 */
static void
csv_scan_ctl(struct dataset *ds, const struct csv_out *o)
{
	const uint8_t *b = o->buf;
	uint32_t cols = ds->n_cols, r, c, at;
	uint64_t lfs = 0;

	for (c = 0; c < cols; c++)
		ds->ctl[c].row = UINT32_MAX;
	for (at = 0; at < o->off[cols]; at++)
		lfs += b[at] == '\n';
	for (r = 0; r < ds->n_rows; r++) {
		uint64_t line = 2 + r + lfs;

		for (c = 0; c < cols; c++) {
			uint32_t from = o->off[(uint64_t)(r + 1) * cols + c];
			uint32_t to = o->off[(uint64_t)(r + 1) * cols + c + 1];
			struct cell_ctl *x = &ds->ctl[c];

			for (at = from; at < to; at++) {
				lfs += b[at] == '\n';
				if (x->row != UINT32_MAX ||
				    !lm_tmpl_head_ctl(b[at]))
					continue;
				x->row = r;
				x->at = at - from;
				x->line = line;
				x->byte = b[at];
			}
		}
	}
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
	ds->ctl = calloc(cols, sizeof(*ds->ctl));
	ds->off = malloc((cells + 1) * sizeof(uint32_t) + bytes);
	if (ds->cols == NULL || ds->col_max == NULL || ds->ctl == NULL ||
	    ds->off == NULL) {
		lm_errf(err, errlen, "%s: out of memory", file);
		return -ENOMEM;
	}
	for (c = 0; c < cols; c++) {
		const char *s = (const char *)o->buf + o->off[c];
		size_t n = o->off[c + 1] - o->off[c];

		if (!lm_tmpl_is_ident(s, n)) {
			lm_errf(err, errlen, "%s:1: column %u name \"%.*s\" is "
				"not an identifier ([A-Za-z_][A-Za-z0-9_]*, at "
				"most %d bytes)", file, c + 1,
				(int)(n > 64 ? 64 : n), s, LM_TMPL_NAME_MAX);
			return -EINVAL;
		}
		for (d = 0; d < c; d++) {
			if (lm_tmpl_name_eq(ds->cols[d], s, n)) {
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
	csv_scan_ctl(ds, o);
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
	rc = lm_tmpl_name_free(v, name);
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
		lm_tmpl_dataset_clear(&ds);
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

