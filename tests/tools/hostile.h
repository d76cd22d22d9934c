/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-hostile: the output buffer of a connection (hostile.c sends it) and the
 * answers, proper and hostile, written into it (hostile_answers.c).
 */
#ifndef LM_HOSTILE_H
#define LM_HOSTILE_H

#include <stddef.h>
#include <stdint.h>

/* What is still to send is [off, len) of p (malloc'ed, grows). */
struct outbuf {
	uint8_t *p;
	size_t off;
	size_t len;
	size_t cap;
};

/* 0, or -1 out of memory. */
int ob_reserve(struct outbuf *o, size_t more);
int ob_put(struct outbuf *o, const void *p, size_t len);
int ob_str(struct outbuf *o, const char *s);

static inline size_t
ob_pending(const struct outbuf *o)
{
	return o->len - o->off;
}

/*
 * The answers. Those with turn pick their variant by it (the server's
 * count of hostile answers) and name it in *variant, for the log.
 */
int answer_ok(struct outbuf *o);
int answer_garbage(struct outbuf *o, uint64_t turn, const char **variant);
int answer_bad_length(struct outbuf *o, uint64_t turn, const char **variant);
int answer_big_headers(struct outbuf *o, uint64_t turn, const char **variant);
int answer_endless_head(struct outbuf *o);
int answer_413_close(struct outbuf *o);
int answer_upgrade_head(struct outbuf *o);
/* What never ends, one piece more: a chunk, or (upgrade) a frame. */
int answer_drip(struct outbuf *o, int upgraded);

#endif /* LM_HOSTILE_H */
