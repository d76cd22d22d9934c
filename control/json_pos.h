/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Source positions of JSON values.
 *
 * jansson keeps no position for the values it builds, yet every plan error
 * must name the line and column where the offending value (or key) starts.
 * Rather than keep a position table for every value of every plan (a plan
 * may hold a million steps), the loader validates the jansson tree and, only
 * when it has an error to report, walks the same text again with this
 * scanner to find where the value with that JSON path starts.
 *
 * The scanner assumes nothing: it is normally run on text that jansson has
 * accepted, but it stops with -EINVAL on anything malformed, never reads
 * past len and needs no NUL terminator.
 *
 * Paths. The root is "". An array element appends "[N]" (N decimal, from 0).
 * An object member appends ".key" ("key" at the root) when the key is
 * non-empty and made only of ASCII letters, digits, '_' and '-'; any other
 * key appends ["key"], with the key written as a JSON string (", \ and
 * control characters escaped, everything else verbatim). So
 *     {"scenarios": [{"steps": [{"http": {"headers": {"X y": "1"}}}]}]}
 * gives the path scenarios[0].steps[0].http.headers["X y"] for "1". Keys are
 * compared after decoding their escapes, as jansson does, so "\u0061" and
 * "a" are the same key.
 */
#ifndef LM_JSON_POS_H
#define LM_JSON_POS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest nesting the scanner follows (jansson itself stops at 2048). */
#define LM_JSON_POS_MAX_DEPTH 4096

/* Where one value starts. Lines and columns are 1-based; columns count bytes. */
struct lm_json_pos {
	const char *path;   /* valid only during the callback (NULL after find) */
	size_t path_len;
	size_t offset;      /* byte offset of the value's first byte */
	uint32_t line;
	uint32_t col;
	/* Set only when the value is an object member. */
	bool member;
	size_t key_offset;  /* byte offset of the key's opening quote */
	size_t key_end;     /* byte offset just past the key's closing quote */
	uint32_t key_line;
	uint32_t key_col;
};

/*
 * Called for every value, in document order, containers before their
 * contents. Return 0 to go on; any other value stops the walk and is
 * returned by lm_json_pos_walk().
 */
typedef int (*lm_json_pos_cb)(void *arg, const struct lm_json_pos *pos);

/*
 * Walk text[0..len) and call cb for each value. Returns 0 after a complete,
 * well-formed document, the callback's value if it stopped the walk,
 * -EINVAL on malformed text (callbacks for the values before the fault have
 * been made) or -ENOMEM.
 */
int lm_json_pos_walk(const char *text, size_t len, lm_json_pos_cb cb,
		     void *arg);

/*
 * Find the value whose path is path. Returns 0 and fills *pos (pos->path is
 * then NULL), -ENOENT when no value has that path, -EINVAL when the text is
 * malformed before such a value was found, or -ENOMEM.
 */
int lm_json_pos_find(const char *text, size_t len, const char *path,
		     struct lm_json_pos *pos);

/*
 * A growable path string, so that the loader builds paths with exactly the
 * scanner's spelling. s is always NUL-terminated once anything has been
 * appended; an empty, unallocated path has s == NULL and len == 0.
 */
struct lm_json_pos_path {
	char *s;
	size_t len;
	size_t cap;
};

/* Append an object member's key (key_len bytes, may hold any byte). */
int lm_json_pos_path_key(struct lm_json_pos_path *p, const char *key,
			 size_t key_len);
/* Append an array index. */
int lm_json_pos_path_index(struct lm_json_pos_path *p, size_t index);
/* Cut the path back to len bytes (a length seen earlier). */
void lm_json_pos_path_truncate(struct lm_json_pos_path *p, size_t len);
/* The path as a string: "" while nothing was appended. */
const char *lm_json_pos_path_str(const struct lm_json_pos_path *p);
void lm_json_pos_path_free(struct lm_json_pos_path *p);

#endif /* LM_JSON_POS_H */
