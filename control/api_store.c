/* SPDX-License-Identifier: BSD-3-Clause */
/* What the HTTP API serves (see api_store.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "api_store.h"

void
lm_api_store_init(struct lm_api_store *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	s->hlog_fd = -1;
}

void
lm_api_store_fini(struct lm_api_store *s)
{
	for (int i = 0; i < LM_API_DOC_MAX; i++)
		free(s->docs[i].text);
	free(s->hist_head);
	free(s->rows);
	if (s->hlog_fd >= 0)
		close(s->hlog_fd);
	pthread_mutex_destroy(&s->lock);
}

struct MHD_Response *
lm_api_store_doc(struct lm_api_store *s, enum lm_api_doc doc,
		 uint64_t *version)
{
	const struct api_doc *d = &s->docs[doc];
	struct MHD_Response *r = NULL;

	/* copied while locked: publish may replace the text at any time */
	pthread_mutex_lock(&s->lock);
	*version = d->version;
	if (d->version > 0)
		r = MHD_create_response_from_buffer(d->len, d->text,
						    MHD_RESPMEM_MUST_COPY);
	pthread_mutex_unlock(&s->lock);
	return r;
}

uint64_t
lm_api_store_want(struct lm_api_store *s, enum lm_api_doc doc)
{
	uint64_t need = 0;

	pthread_mutex_lock(&s->lock);
	if (!s->final) {
		s->wanted |= 1u << doc;
		need = s->docs[doc].version + 1;
	}
	pthread_mutex_unlock(&s->lock);
	return need;
}

uint64_t
lm_api_store_version(struct lm_api_store *s, enum lm_api_doc doc)
{
	uint64_t v;

	pthread_mutex_lock(&s->lock);
	v = s->docs[doc].version;
	pthread_mutex_unlock(&s->lock);
	return v;
}

struct MHD_Response *
lm_api_store_history(struct lm_api_store *s)
{
	static const char tail_ok[] = "]}";
	static const char tail_cut[] = "],\"complete\":false}";
	struct MHD_Response *r = NULL;
	size_t hl, tl, n;
	const char *tail;
	char *buf;

	pthread_mutex_lock(&s->lock);
	if (s->hist_head == NULL)
		goto out;
	tail = s->rows_full ? tail_cut : tail_ok;
	hl = strlen(s->hist_head);
	tl = strlen(tail);
	n = hl + s->rows_len + tl;
	buf = malloc(n);
	if (buf == NULL)
		goto out;
	memcpy(buf, s->hist_head, hl);
	if (s->rows_len > 0)
		memcpy(buf + hl, s->rows, s->rows_len);
	memcpy(buf + hl + s->rows_len, tail, tl);
	r = MHD_create_response_from_buffer(n, buf, MHD_RESPMEM_MUST_FREE);
	if (r == NULL)
		free(buf);
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

struct MHD_Response *
lm_api_store_hlog(struct lm_api_store *s)
{
	struct MHD_Response *r = NULL;
	uint64_t len;
	int fd = -1;

	pthread_mutex_lock(&s->lock);
	len = s->hlog_len;
	if (s->hlog_fd >= 0)
		fd = dup(s->hlog_fd);
	pthread_mutex_unlock(&s->lock);
	if (fd < 0)
		return NULL;
	/*
	 * Up to the last complete line only: the writer may be in the middle
	 * of one. The response reads at offsets of its own (and closes its
	 * descriptor), so the writer's position is not disturbed.
	 */
	r = MHD_create_response_from_fd_at_offset64(len, fd, 0);
	if (r == NULL)
		close(fd);
	return r;
}

/* ---- the control loop's side (api.h) ---- */

void
lm_api_store_publish(struct lm_api_store *s, enum lm_api_doc doc,
		     const char *text, size_t len)
{
	struct api_doc *d;
	char *copy, *old;

	if ((unsigned int)doc >= LM_API_DOC_MAX)
		return;
	/* copied before taking the lock: a GET waits only for the swap */
	copy = malloc(len + 1);
	if (copy == NULL)
		return;         /* the previous version stays: still valid */
	memcpy(copy, text, len);
	copy[len] = '\0';
	d = &s->docs[doc];
	pthread_mutex_lock(&s->lock);
	old = d->text;
	d->text = copy;
	d->len = len;
	d->version++;
	s->wanted &= ~(1u << doc);
	pthread_mutex_unlock(&s->lock);
	free(old);
}

unsigned int
lm_api_store_wanted(struct lm_api_store *s)
{
	unsigned int w;

	pthread_mutex_lock(&s->lock);
	w = s->wanted;
	pthread_mutex_unlock(&s->lock);
	return w;
}

void
lm_api_store_final(struct lm_api_store *s)
{
	pthread_mutex_lock(&s->lock);
	s->final = true;
	s->wanted = 0;
	pthread_mutex_unlock(&s->lock);
}

int
lm_api_store_history_head(struct lm_api_store *s, const char *head)
{
	char *h = strdup(head);

	if (h == NULL)
		return -ENOMEM;
	pthread_mutex_lock(&s->lock);
	free(s->hist_head);
	s->hist_head = h;
	s->rows_len = 0;
	s->rows_full = false;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int
lm_api_store_history_add(struct lm_api_store *s, const char *row)
{
	size_t n = strlen(row);
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (s->rows_full || s->rows_len + n + 1 > LM_API_HISTORY_MAX) {
		s->rows_full = true;
		rc = -ENOSPC;
		goto out;
	}
	if (s->rows_len + n + 1 > s->rows_cap) {
		size_t cap = s->rows_cap ? s->rows_cap : 16384;
		char *b;

		while (cap < s->rows_len + n + 1)
			cap *= 2;
		/* under the lock: a GET copying the rows must not see it move */
		b = realloc(s->rows, cap);
		if (b == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		s->rows = b;
		s->rows_cap = cap;
	}
	if (s->rows_len > 0)
		s->rows[s->rows_len++] = ',';
	memcpy(s->rows + s->rows_len, row, n);
	s->rows_len += n;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void
lm_api_store_hlog_set(struct lm_api_store *s, int fd, const char *name)
{
	pthread_mutex_lock(&s->lock);
	if (s->hlog_fd >= 0)
		close(s->hlog_fd);
	s->hlog_fd = fd;
	s->hlog_len = 0;
	snprintf(s->hlog_name, sizeof(s->hlog_name), "%s", name);
	pthread_mutex_unlock(&s->lock);
}

void
lm_api_store_hlog_len(struct lm_api_store *s, uint64_t len)
{
	pthread_mutex_lock(&s->lock);
	s->hlog_len = len;
	pthread_mutex_unlock(&s->lock);
}
