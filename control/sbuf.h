/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A growing byte string for the plan loader (requests, response heads):
 * always NUL-terminated; an allocation failure sticks in oom and later
 * appends do nothing, so a caller checks once at the end.
 */
#ifndef LM_SBUF_H
#define LM_SBUF_H

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static inline void
sb_put(struct sbuf *b, const void *data, size_t n)
{
	char *np;
	size_t cap;

	if (b->oom)
		return;
	if (b->cap - b->len < n + 1) {
		cap = b->cap != 0 ? b->cap : 256;
		while (cap - b->len < n + 1)
			cap *= 2;
		np = realloc(b->p, cap);
		if (np == NULL) {
			b->oom = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static inline void
sb_str(struct sbuf *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

#endif /* LM_SBUF_H */
