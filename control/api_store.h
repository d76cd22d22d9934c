/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the HTTP API serves (api.c's store): the documents the control loop
 * publishes, the run's history (one row per interval, appended), the
 * HdrHistogram log being written, and the documents rendered on demand.
 *
 * Two threads meet here, under one mutex: the control loop, which renders
 * and publishes, and the API's thread, which only copies what was
 * published into responses. Nothing here reads the statistics.
 *
 * On demand: the downloads (summary, CSV, HTML report) cost a rendering
 * of the whole run, too much to do every interval for nobody. A request
 * for one while the run goes on marks it wanted and waits (its connection
 * suspended) for the control loop's next tick to render and publish it;
 * once the run is over (final), the last versions are served at once.
 */
#ifndef LM_API_STORE_H
#define LM_API_STORE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

struct MHD_Response;

struct api_doc {
	char *text;
	size_t len;
	uint64_t version;         /* publications so far; 0: none yet */
};

struct lm_api_store {
	pthread_mutex_t lock;
	struct api_doc docs[LM_API_DOC_MAX];
	unsigned int wanted;      /* 1 << doc: asked for, not yet rendered */
	bool final;               /* the run is over: nothing more is rendered */
	/* the history: head, then rows joined by ',' (rows_len bytes) */
	char *hist_head;
	char *rows;
	size_t rows_len, rows_cap;
	bool rows_full;           /* LM_API_HISTORY_MAX reached: rows dropped */
	/* the .hlog: a descriptor to read it, and its complete length */
	int hlog_fd;
	uint64_t hlog_len;
	char hlog_name[64];       /* the file name the download suggests */
};

/* The history keeps at most this much (a day at 1 s, 100 steps, fits). */
#define LM_API_HISTORY_MAX (64u << 20)

void lm_api_store_init(struct lm_api_store *s);
void lm_api_store_fini(struct lm_api_store *s);

/*
 * A response carrying document doc's latest version, or NULL when there
 * is none yet (or no memory). *version gets the version (0: none).
 */
struct MHD_Response *lm_api_store_doc(struct lm_api_store *s,
				      enum lm_api_doc doc, uint64_t *version);

/*
 * Ask for an on-demand document: returns the version a waiting request
 * needs (the next publication), or 0 when the run is over and the
 * latest version is final.
 */
uint64_t lm_api_store_want(struct lm_api_store *s, enum lm_api_doc doc);

/* The version of doc published so far. */
uint64_t lm_api_store_version(struct lm_api_store *s, enum lm_api_doc doc);

/* The history document: {head "rows": [rows]}. NULL without a head. */
struct MHD_Response *lm_api_store_history(struct lm_api_store *s);

/* The .hlog written so far (its complete lines); NULL when none. */
struct MHD_Response *lm_api_store_hlog(struct lm_api_store *s);

/* The control loop's side: what the lm_api_* calls of api.h do. */
void lm_api_store_publish(struct lm_api_store *s, enum lm_api_doc doc,
			  const char *text, size_t len);
unsigned int lm_api_store_wanted(struct lm_api_store *s);
void lm_api_store_final(struct lm_api_store *s);
int lm_api_store_history_head(struct lm_api_store *s, const char *head);
int lm_api_store_history_add(struct lm_api_store *s, const char *row);
void lm_api_store_hlog_set(struct lm_api_store *s, int fd, const char *name);
void lm_api_store_hlog_len(struct lm_api_store *s, uint64_t len);

#endif /* LM_API_STORE_H */
