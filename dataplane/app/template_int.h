/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the template engine's files share (template.c: compiling and
 * rendering; template_data.c: CSV data sets; template_capture.c: captures).
 */
#ifndef LM_TEMPLATE_INT_H
#define LM_TEMPLATE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/template.h"

/*
 * A byte that a request head cannot carry: a control character other than
 * HTAB (RFC 9110 section 5.5 for field values, RFC 9112 section 3.2 for
 * the request-target). CR or LF there would end the field early and let a
 * value start a header or a request of its own.
 */
static inline bool
lm_tmpl_head_ctl(uint8_t c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* The first cell of a column holding such a byte (row UINT32_MAX: none). */
struct cell_ctl {
	uint32_t row;
	uint32_t at;            /* its offset in the cell */
	uint64_t line;          /* the line of the CSV file the row starts on */
	uint8_t byte;
};

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
	struct cell_ctl *ctl;   /* per column: what keeps it out of a head */
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

bool lm_tmpl_is_ident(const char *s, size_t n);
bool lm_tmpl_name_eq(const char *name, const char *s, size_t n);
/* 0 when no variable or data set has that name yet, else -EEXIST. */
int lm_tmpl_name_free(const struct lm_tmpl_vars *v, const char *name);
void lm_tmpl_dataset_clear(struct dataset *ds);

static inline struct var_slot *
var_slot(const struct lm_tmpl_vars *v, void *user_store, uint32_t var)
{
	if (v == NULL || user_store == NULL || var >= v->n_vars)
		return NULL;
	return (struct var_slot *)user_store + var;
}

#endif /* LM_TEMPLATE_INT_H */
