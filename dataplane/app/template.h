/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Templates: text with {{...}} compiled at plan load into literal pieces
 * and slots, rendered per request without parsing. Slots:
 *   {{user}} {{run}} {{worker}} {{seq}} {{time_ms}}   built-ins
 *   {{rand A B}}                                      uniform integer in [A, B]
 *   {{NAME}}                                          a captured variable
 *   {{SET.COLUMN}}                                    a data set's column (CSV)
 *   {{__body_len}}                                    the rendered body's length
 *                                                     (for Content-Length)
 * Spaces and tabs are allowed inside the braces ("{{ user }}"). Every "{{"
 * starts a slot: there is no escape, so a literal "{{" cannot be written
 * (JSON such as {"a":{{x}}} is fine: only "{{" is special, "}}" outside a
 * slot is plain text).
 *
 * Captures take a value from a response (a header, or the body between two
 * boundaries) into a user's variable for later templates.
 */
#ifndef LM_TEMPLATE_H
#define LM_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LM_VAR_MAX 256          /* bytes a captured value may hold */
#define LM_TMPL_NAME_MAX 63     /* longest variable, data set or column name */
#define LM_TMPL_SETS_MAX 8      /* distinct data sets one template may use */
#define LM_CAPTURE_PATTERN_MAX 1024 /* longest header name or boundary */

struct lm_tmpl;                 /* a compiled template */
struct lm_tmpl_vars;            /* the plan's variables and data sets */
struct lm_captures;             /* the captures of one step */

enum lm_data_pick {
	LM_PICK_SEQUENTIAL,     /* row = env->seq_row % rows: in turn */
	LM_PICK_RANDOM,         /* row drawn from env->rng */
	LM_PICK_UNIQUE,         /* row = global user index; error if too few rows */
};

/* --- plan load (control plane) --- */

struct lm_tmpl_vars *lm_tmpl_vars_new(void);
void lm_tmpl_vars_free(struct lm_tmpl_vars *v);

/*
 * A capture variable; returns its index (>= 0) or -errno: -EINVAL for a
 * name that is not [A-Za-z_][A-Za-z0-9_]* (at most LM_TMPL_NAME_MAX bytes),
 * -EEXIST for a built-in name or one already used by a variable or a data
 * set.
 */
int lm_tmpl_var_declare(struct lm_tmpl_vars *v, const char *name);
/* Index of a declared variable, or -ENOENT. */
int lm_tmpl_var_find(const struct lm_tmpl_vars *v, const char *name);

/*
 * A data set from a CSV file (RFC 4180: first line = column names, quoted
 * fields, CRLF or LF). Returns 0 or -errno with "FILE:LINE: message" in err.
 * users: the plan's user count (unique needs one row per user).
 * Column names must be identifiers; a UTF-8 byte order mark is skipped.
 */
int lm_tmpl_data_load(struct lm_tmpl_vars *v, const char *name,
		      const char *csv_path, enum lm_data_pick pick,
		      uint64_t users, char *err, size_t errlen);
/* The same from CSV text in memory; file only names it in messages. */
int lm_tmpl_data_load_text(struct lm_tmpl_vars *v, const char *name,
			   const char *file, const char *csv, size_t len,
			   enum lm_data_pick pick, uint64_t users,
			   char *err, size_t errlen);

/*
 * Compile; NULL with a message naming the offset and the problem, e.g.
 * "offset 12: unknown variable "tokn" (captures: token; data sets: users)".
 * The offset is that of the word at fault, or of the "{{" for a slot that
 * is empty or not closed. The template does not point into v, but v must
 * outlive it: rendering reads data sets and variables through env->vars.
 */
struct lm_tmpl *lm_tmpl_compile(const struct lm_tmpl_vars *v, const char *text,
				size_t len, char *err, size_t errlen);
bool lm_tmpl_is_constant(const struct lm_tmpl *t);   /* no slots at all */
/*
 * A true bound on a rendering: literals, 20 bytes per integer, LM_VAR_MAX
 * per variable, the longest cell of each data set column.
 */
size_t lm_tmpl_max_len(const struct lm_tmpl *t);
void lm_tmpl_free(struct lm_tmpl *t);
/*
 * Whether t can go into a request head (request line or a header field):
 * every data set cell it reads must be free of control characters other
 * than HTAB. 0, or -EINVAL with the first cell at fault in err:
 * "FILE:LINE: column "COLUMN" holds control character 0x0a (LF) at
 * offset 3, which a request head cannot carry" (LINE: where its row
 * starts). Captured values are only known when rendering: see
 * lm_tmpl_render_head().
 */
int lm_tmpl_check_head(const struct lm_tmpl *t, const struct lm_tmpl_vars *v,
		       char *err, size_t errlen);

/*
 * Captures of a step: declared variable indexes; 0 or -errno (-EINVAL for
 * an empty or invalid header name or boundary, -EEXIST for a variable
 * already captured by this step, -ENOSPC past LM_CAPTURE_STATE_MAX).
 * Header names match case-insensitively; the first field of that name in
 * the final (non-1xx) head is taken, OWS trimmed.
 * Between captures take the bytes between the first occurrence of start
 * after the head and the next end, in the raw bytes (chunk framing
 * included).
 */
struct lm_captures *lm_captures_new(void);
int lm_captures_add_header(struct lm_captures *c, int var, const char *header);
int lm_captures_add_between(struct lm_captures *c, int var, const char *start,
			    const char *end);
void lm_captures_free(struct lm_captures *c);

/* --- run time (workers): nothing here allocates --- */

/*
 * Bytes of per-user storage for the plan's variables (values + lengths);
 * the storage must be 2-byte aligned (anything malloc or a mempool gives).
 * init makes every variable empty; a variable never captured renders empty.
 */
size_t lm_tmpl_user_size(const struct lm_tmpl_vars *v);
void lm_tmpl_user_init(const struct lm_tmpl_vars *v, void *user_store);
/* Set a variable (on_start values, raw TCP steps, tests); 0 or -errno. */
int lm_tmpl_var_set(const struct lm_tmpl_vars *v, void *user_store, int var,
		    const void *val, size_t len);

struct lm_tmpl_env {
	const struct lm_tmpl_vars *vars;
	void *user_store;       /* this user's variables */
	uint64_t user;          /* global user index */
	uint64_t run;           /* the user's run counter */
	uint64_t worker;
	uint64_t seq;           /* globally unique: the caller draws it */
	uint64_t time_ms;       /* wall clock, ms since the epoch */
	uint64_t *rng;          /* splitmix64 state for rand and random picks */
	uint64_t body_len;      /* for {{__body_len}}; lm_tmpl_render_request()
				   sets it itself */
	uint64_t seq_row;       /* counter for sequential picks */
};

/*
 * Render into dst (at most cap bytes); returns the length written. The
 * output is a function of env, the user's variables and *env->rng alone,
 * and the generator advances the same way whatever cap is: rendering again
 * from a saved env and rng state regenerates the same bytes. Each data set
 * is picked once per rendering, so {{users.name}} and {{users.password}}
 * come from the same row.
 */
size_t lm_tmpl_render(const struct lm_tmpl *t, const struct lm_tmpl_env *env,
		      uint8_t *dst, size_t cap);

/*
 * The same for a request head: *unsafe tells whether a captured value or
 * a data set cell rendered holds a control character other than HTAB (CR,
 * LF, NUL, DEL...). Such a head must not be sent: a CR LF in it would end
 * a field early and let the value start a header, or a request, of its
 * own (RFC 9110 section 5.5, RFC 9112 section 3.2). Literals are not
 * looked at: the plan loader checks them.
 */
size_t lm_tmpl_render_head(const struct lm_tmpl *t,
			   const struct lm_tmpl_env *env, uint8_t *dst,
			   size_t cap, bool *unsafe);

/*
 * A request from its head and its body (NULL for none), into dst: the
 * body first, at dst + lm_tmpl_max_len(head), so that the head's
 * {{__body_len}} is its length; then the head, at dst, as
 * lm_tmpl_render_head() does; then the body moved to follow the head.
 * Returns the request's length, which is the whole request when cap is at
 * least the two templates' max_len. A data set read by both comes from
 * one row, as in a single template; draws and picks are a function of
 * env alone, whatever cap is.
 */
size_t lm_tmpl_render_request(const struct lm_tmpl *head,
			      const struct lm_tmpl *body,
			      const struct lm_tmpl_env *env, uint8_t *dst,
			      size_t cap, bool *unsafe);

/*
 * Per request matching state of a step's captures (small, in the session).
 * Opaque to callers: set by begin, advanced by feed.
 */
#define LM_CAPTURE_STATE_MAX 8
struct lm_capture_state {
	uint8_t head;                         /* where in the response head */
	uint8_t interim;                      /* this head is a 1xx one */
	uint8_t phase[LM_CAPTURE_STATE_MAX];  /* of each capture */
	uint16_t pos[LM_CAPTURE_STATE_MAX];   /* bytes of a name or boundary
						 matched, or value length */
	uint16_t len[LM_CAPTURE_STATE_MAX];   /* value bytes received */
};

void lm_captures_begin(const struct lm_captures *c, struct lm_capture_state *st);
/*
 * Feed the raw response bytes (head and body as received), in pieces cut
 * anywhere; only this response's bytes (not a pipelined next one). A value
 * is written into the variable as it arrives: the variable is emptied when
 * its capture starts and gets its length once the value is complete, so a
 * capture that fails leaves it empty.
 */
void lm_captures_feed(const struct lm_captures *c, struct lm_capture_state *st,
		      const uint8_t *data, size_t len,
		      const struct lm_tmpl_vars *v, void *user_store);
/* After the response: whether every capture found its value. */
bool lm_captures_done(const struct lm_captures *c,
		      const struct lm_capture_state *st);

#endif /* LM_TEMPLATE_H */
