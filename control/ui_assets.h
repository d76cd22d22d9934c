/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The web UI's files (control/ui/), embedded in the binary at build time
 * (control/ui/embed_assets.py): the API serves them, and the HTML report
 * inlines them, with no file to install beside the binary and nothing to
 * fetch from elsewhere.
 */
#ifndef LM_UI_ASSETS_H
#define LM_UI_ASSETS_H

#include <stddef.h>

struct lm_asset {
	const char *name;     /* base name: "index.html", "app.js", ... */
	const char *ctype;    /* Content-Type */
	const char *data;     /* the bytes (NUL-terminated, not counted) */
	size_t len;
};

extern const struct lm_asset lm_assets[];
extern const unsigned int lm_n_assets;

/* The asset named name, or NULL. */
const struct lm_asset *lm_asset_find(const char *name);

#endif /* LM_UI_ASSETS_H */
