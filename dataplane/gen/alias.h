/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Weighted choice in O(1): Walker's alias method, built with Vose's
 * algorithm.
 *
 * The table has one column per choice. A pick selects a column uniformly,
 * then keeps the column's own choice with probability prob[i] / 2^32 or
 * takes alias[i] otherwise. Building is the control plane's job (it
 * allocates); picking is a multiply, a shift and a compare on the hot path,
 * with no floating point and no branch on the number of choices.
 */
#ifndef LM_ALIAS_H
#define LM_ALIAS_H

#include <stdint.h>

struct lm_alias {
	uint32_t n;        /* number of choices */
	uint32_t *prob;    /* prob[i]: 32-bit fixed-point threshold */
	uint32_t *alias;   /* alias[i]: the choice column i gives otherwise */
};

/*
 * Build the table for n choices with the given weights (any positive
 * scale; a zero weight is never picked). a is overwritten: free a previous
 * table first. Returns 0, -EINVAL (n == 0, a weight negative, NaN or
 * infinite, or every weight zero) or -ENOMEM; on error a is left empty.
 */
int lm_alias_build(struct lm_alias *a, const double *weights, uint32_t n);

/*
 * Choice for the uniform random 64-bit number r. The high 32 bits pick
 * the column (multiply-shift, bias at most n / 2^32), the low 32 bits
 * decide between the column and its alias; the two halves are
 * independent, so one random draw is enough.
 */
static inline uint32_t
lm_alias_pick(const struct lm_alias *a, uint64_t r)
{
	uint32_t i = (uint32_t)(((r >> 32) * a->n) >> 32);

	return (uint32_t)r < a->prob[i] ? i : a->alias[i];
}

/* Release the table; a is left empty. Harmless on an empty table. */
void lm_alias_free(struct lm_alias *a);

#endif /* LM_ALIAS_H */
