/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checking a jansson tree against key tables, with errors that name the
 * file, line, column and JSON path of the offending value.
 *
 * A loader describes each object it accepts with a table of struct
 * lm_jc_key and calls lm_jc_check_members(): unknown keys, missing
 * required keys and wrong types are then found by one function, with one
 * wording, whatever the object. The loader keeps the JSON path of the
 * value it is looking at in the context (lm_jc_push_key(),
 * lm_jc_push_index(), lm_jc_pop()); an error is reported with
 * lm_jc_fail(), which only then walks the text again to find where that
 * path starts (json_pos.h), so that a valid file pays nothing for
 * positions.
 *
 * Every function that can fail returns 0, -EINVAL after writing
 * "FILE:LINE:COLUMN: PATH: message" into the context's buffer, or -ENOMEM
 * after writing "FILE: out of memory".
 */
#ifndef LM_JSON_CHECK_H
#define LM_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "json_pos.h"

/* Largest message lm_jc_fail() formats (before file and position). */
#define LM_JC_MSG_MAX 512

/* How much of a user-supplied string a message quotes. */
#define LM_JC_QUOTE_MAX 64
/* Room for a quoted string: every byte may become \u00XX; quotes; "..." */
#define LM_JC_QUOTE_BUF (LM_JC_QUOTE_MAX * 6 + 8)

/* JSON types, as a mask so that a key may accept several. */
enum {
	LM_JT_OBJECT = 1u << 0,
	LM_JT_ARRAY = 1u << 1,
	LM_JT_STRING = 1u << 2,
	LM_JT_INTEGER = 1u << 3,
	LM_JT_REAL = 1u << 4,
	LM_JT_BOOL = 1u << 5,
	LM_JT_NUMBER = LM_JT_INTEGER | LM_JT_REAL,
};

/* One key an object may have. */
struct lm_jc_key {
	const char *name;
	unsigned int types;   /* LM_JT_* mask */
	bool required;
};

/* Where an error points: the value's first byte, or its key (members). */
enum lm_jc_at {
	LM_JC_AT_VALUE,
	LM_JC_AT_KEY,
};

struct lm_jc {
	const char *file;             /* for messages */
	const char *text;             /* the text jansson parsed */
	size_t len;
	char *err;                    /* message buffer; may be NULL */
	size_t errlen;
	struct lm_json_pos_path path; /* of the value being checked */
	bool path_oom;                /* path is incomplete: report ENOMEM */
};

/* file may be NULL ("<text>"), text NULL (empty). */
void lm_jc_init(struct lm_jc *c, const char *file, const char *text,
		size_t len, char *err, size_t errlen);
void lm_jc_fini(struct lm_jc *c);

/* Parse c->text with jansson (flags as for json_loadb), or report why not. */
json_t *lm_jc_parse(struct lm_jc *c, size_t flags);

/* Write a message as is (no position). */
void lm_jc_set_err(struct lm_jc *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Report "FILE: out of memory"; returns -ENOMEM. */
int lm_jc_oom(struct lm_jc *c);

/* Path building: each push returns the length to pop back to. */
size_t lm_jc_push_key(struct lm_jc *c, const char *key);
size_t lm_jc_push_index(struct lm_jc *c, size_t index);
void lm_jc_pop(struct lm_jc *c, size_t saved);

/*
 * Report an error about the value at the current path and return -EINVAL:
 * "FILE:LINE:COLUMN: PATH: message", or "FILE:LINE:COLUMN: message" at the
 * root.
 */
int lm_jc_fail(struct lm_jc *c, enum lm_jc_at at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same for the member key of the current object (pushed and popped). */
int lm_jc_fail_key(struct lm_jc *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The same, pointing at the member's key itself (a key that is wrong there). */
int lm_jc_fail_at_key(struct lm_jc *c, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* s[0..len) quoted for a message: escaped, and cut if long. */
const char *lm_jc_quote(char *buf, size_t cap, const char *s, size_t len);

/* "a, b or c" (each in double quotes when quoted) */
const char *lm_jc_join_names(const char *const *names, size_t n, bool quoted,
			     char *buf, size_t cap);

/* The value at the current path is one of types. */
int lm_jc_check_type(struct lm_jc *c, const json_t *v, unsigned int types);

/* A non-empty array of at most max entries (the current path). */
int lm_jc_check_count(struct lm_jc *c, const json_t *a, size_t max);

/*
 * An object that takes no keys ({}), as the step or server kind "what":
 * 0, or an error at the first key found.
 */
int lm_jc_check_empty(struct lm_jc *c, json_t *obj, const char *what);

/*
 * Check the members of object obj (the current path) against spec: every
 * key known, required keys present, each of the right type. vals[i] gets
 * the member for spec[i], or NULL. At most 16 keys are listed in an
 * unknown-key message.
 */
int lm_jc_check_members(struct lm_jc *c, json_t *obj,
			const struct lm_jc_key *spec, size_t n, json_t **vals);

/*
 * Typed getters for members already type-checked by lm_jc_check_members().
 * Each takes the member's key for the error path and leaves *out alone
 * (the default) when v is NULL.
 */
int lm_jc_get_int(struct lm_jc *c, const char *key, const json_t *v,
		  long long min, long long max, long long *out);
/* min < x <= max when min_open, else min <= x <= max; want says so in words */
int lm_jc_get_double(struct lm_jc *c, const char *key, const json_t *v,
		     double min, bool min_open, double max, const char *want,
		     double *out);
int lm_jc_get_bool(struct lm_jc *c, const char *key, const json_t *v,
		   bool *out);
/*
 * A string without NUL, copied into *out (malloc). key may be NULL when the
 * current path already is the value's. v must not be NULL.
 */
int lm_jc_get_string(struct lm_jc *c, const char *key, const json_t *v,
		     bool nonempty, char **out);

/*
 * A string that must be one of names[0..n) (compared exactly, NUL-free):
 * *out gets its index. The error reads "unknown WHAT "x" (expected a, b or
 * c)", the names in double quotes when quoted.
 */
int lm_jc_get_enum(struct lm_jc *c, const char *key, const json_t *v,
		   const char *const *names, size_t n, const char *what,
		   bool quoted, unsigned int *out);

/*
 * A dotted-decimal IPv4 address (host byte order) that we can use or
 * reach: four decimal parts without leading zeros, not in 0.0.0.0/8, not
 * multicast or 240.0.0.0/4.
 */
int lm_jc_get_ipv4(struct lm_jc *c, const char *key, const json_t *v,
		   uint32_t *out);
/* "a.b.c.d" of a host-order address, for messages */
const char *lm_jc_ip_str(uint32_t ip, char *buf, size_t cap);

/*
 * Names must be unique among n array entries of stride bytes from base,
 * each with a "char *" name at name_off. Sets *dup to the first entry (in
 * index order) whose name an earlier one has and *first to that earlier
 * one, or *dup to n. Returns 0 or -ENOMEM (writes no message).
 */
int lm_jc_find_duplicate(const void *base, size_t n, size_t stride,
			 size_t name_off, size_t *dup, size_t *first);

/*
 * Read a whole file into *buf (malloc; free it) and *len. Returns 0, or
 * -errno after writing "PATH: cannot open: REASON" (cannot read, out of
 * memory) into err.
 */
int lm_jc_read_file(const char *path, char **buf, size_t *len, char *err,
		    size_t errlen);

#endif /* LM_JSON_CHECK_H */
