/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Key tables, type checks and error positions for jansson trees; see
 * json_check.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "json_check.h"

void
lm_jc_init(struct lm_jc *c, const char *file, const char *text, size_t len,
	   char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	c->file = file != NULL ? file : "<text>";
	c->text = text != NULL ? text : "";
	c->len = text != NULL ? len : 0;
	c->err = err;
	c->errlen = errlen;
}

void
lm_jc_fini(struct lm_jc *c)
{
	lm_json_pos_path_free(&c->path);
}

static void
vset_err(struct lm_jc *c, const char *fmt, va_list ap)
{
	if (c->err == NULL || c->errlen == 0)
		return;
	vsnprintf(c->err, c->errlen, fmt, ap);
}

void
lm_jc_set_err(struct lm_jc *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vset_err(c, fmt, ap);
	va_end(ap);
}

int
lm_jc_oom(struct lm_jc *c)
{
	lm_jc_set_err(c, "%s: out of memory", c->file);
	return -ENOMEM;
}

size_t
lm_jc_push_key(struct lm_jc *c, const char *key)
{
	size_t saved = c->path.len;

	if (lm_json_pos_path_key(&c->path, key, strlen(key)) != 0)
		c->path_oom = true;
	return saved;
}

size_t
lm_jc_push_index(struct lm_jc *c, size_t index)
{
	size_t saved = c->path.len;

	if (lm_json_pos_path_index(&c->path, index) != 0)
		c->path_oom = true;
	return saved;
}

void
lm_jc_pop(struct lm_jc *c, size_t saved)
{
	lm_json_pos_path_truncate(&c->path, saved);
}

static int
vfail(struct lm_jc *c, enum lm_jc_at at, const char *fmt, va_list ap)
{
	const char *path = lm_json_pos_path_str(&c->path);
	const char *sep = path[0] != '\0' ? ": " : "";
	char msg[LM_JC_MSG_MAX];
	struct lm_json_pos pos;
	uint32_t line, col;
	int rc;

	if (c->path_oom)
		return lm_jc_oom(c);
	vsnprintf(msg, sizeof(msg), fmt, ap);

	rc = lm_json_pos_find(c->text, c->len, path, &pos);
	if (rc == -ENOMEM)
		return lm_jc_oom(c);
	if (rc != 0) {
		/* Cannot happen for a path built from jansson's tree; say
		 * what we know rather than nothing. */
		lm_jc_set_err(c, "%s: %s%s%s", c->file, path, sep, msg);
		return -EINVAL;
	}
	line = pos.line;
	col = pos.col;
	if (at == LM_JC_AT_KEY && pos.member) {
		line = pos.key_line;
		col = pos.key_col;
	}
	lm_jc_set_err(c, "%s:%u:%u: %s%s%s", c->file, line, col, path, sep, msg);
	return -EINVAL;
}

int
lm_jc_fail(struct lm_jc *c, enum lm_jc_at at, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, at, fmt, ap);
	va_end(ap);
	return rc;
}

int
lm_jc_fail_key(struct lm_jc *c, const char *key, const char *fmt, ...)
{
	size_t saved = lm_jc_push_key(c, key);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, LM_JC_AT_VALUE, fmt, ap);
	va_end(ap);
	lm_jc_pop(c, saved);
	return rc;
}

int
lm_jc_fail_at_key(struct lm_jc *c, const char *key, const char *fmt, ...)
{
	size_t saved = lm_jc_push_key(c, key);
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vfail(c, LM_JC_AT_KEY, fmt, ap);
	va_end(ap);
	lm_jc_pop(c, saved);
	return rc;
}

const char *
lm_jc_quote(char *buf, size_t cap, const char *s, size_t len)
{
	size_t i, o = 0;

	if (cap < LM_JC_QUOTE_BUF)
		return "\"?\"";
	buf[o++] = '"';
	for (i = 0; i < len && i < LM_JC_QUOTE_MAX; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)ch;
		} else if (ch == '\b' || ch == '\f' || ch == '\n' ||
			   ch == '\r' || ch == '\t') {
			/* as JSON writes them, and as paths do */
			buf[o++] = '\\';
			buf[o++] = ch == '\b' ? 'b' : ch == '\f' ? 'f' :
				   ch == '\n' ? 'n' : ch == '\r' ? 'r' : 't';
		} else if (ch < 0x20 || ch == 0x7f) {
			o += (size_t)snprintf(buf + o, cap - o, "\\u%04x", ch);
		} else {
			buf[o++] = (char)ch;
		}
	}
	buf[o++] = '"';
	if (i < len) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

static const char *
type_got(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "an array";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
		return "an integer";
	case JSON_REAL:
		return "a real number";
	case JSON_TRUE:
		return "true";
	case JSON_FALSE:
		return "false";
	case JSON_NULL:
	default:
		return "null";
	}
}

static unsigned int
type_mask(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return LM_JT_OBJECT;
	case JSON_ARRAY:
		return LM_JT_ARRAY;
	case JSON_STRING:
		return LM_JT_STRING;
	case JSON_INTEGER:
		return LM_JT_INTEGER;
	case JSON_REAL:
		return LM_JT_REAL;
	case JSON_TRUE:
	case JSON_FALSE:
		return LM_JT_BOOL;
	default:
		return 0;
	}
}

/* "an integer or an array", from a mask */
static const char *
type_want(unsigned int types, char *buf, size_t cap)
{
	static const struct {
		unsigned int mask;
		const char *name;
	} names[] = {
		{ LM_JT_NUMBER, "a number" },
		{ LM_JT_INTEGER, "an integer" },
		{ LM_JT_STRING, "a string" },
		{ LM_JT_OBJECT, "an object" },
		{ LM_JT_ARRAY, "an array" },
		{ LM_JT_BOOL, "true or false" },
	};
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((types & names[i].mask) != names[i].mask)
			continue;
		types &= ~names[i].mask;
		o += (size_t)snprintf(buf + o, cap - o, "%s%s",
				      o > 0 ? " or " : "", names[i].name);
		if (o >= cap)
			break;
	}
	return buf;
}

int
lm_jc_check_type(struct lm_jc *c, const json_t *v, unsigned int types)
{
	char want[64];

	if ((type_mask(v) & types) != 0)
		return 0;
	return lm_jc_fail(c, LM_JC_AT_VALUE, "expected %s, got %s",
			  type_want(types, want, sizeof(want)), type_got(v));
}

const char *
lm_jc_join_names(const char *const *names, size_t n, bool quoted, char *buf,
		 size_t cap)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < n && o < cap; i++)
		o += (size_t)snprintf(buf + o, cap - o, "%s%s%s%s",
				      i == 0 ? "" : i + 1 == n ? " or " : ", ",
				      quoted ? "\"" : "", names[i],
				      quoted ? "\"" : "");
	return buf;
}

int
lm_jc_check_count(struct lm_jc *c, const json_t *a, size_t max)
{
	size_t n = json_array_size(a);

	if (n >= 1 && n <= max)
		return 0;
	return lm_jc_fail(c, LM_JC_AT_VALUE,
			  "must have 1 to %zu entries, got %zu", max, n);
}

int
lm_jc_check_members(struct lm_jc *c, json_t *obj, const struct lm_jc_key *spec,
		    size_t n, json_t **vals)
{
	const char *names[16];
	char q[LM_JC_QUOTE_BUF], list[256];
	const char *key;
	json_t *v;
	size_t i, saved;
	int rc;

	for (i = 0; i < n; i++)
		vals[i] = NULL;
	json_object_foreach(obj, key, v) {
		for (i = 0; i < n && strcmp(spec[i].name, key) != 0; i++)
			;
		if (i < n) {
			vals[i] = v;
			continue;
		}
		for (i = 0; i < n && i < sizeof(names) / sizeof(names[0]); i++)
			names[i] = spec[i].name;
		saved = lm_jc_push_key(c, key);
		rc = lm_jc_fail(c, LM_JC_AT_KEY, "unknown key %s (expected %s)",
				lm_jc_quote(q, sizeof(q), key, strlen(key)),
				lm_jc_join_names(names, i, false, list,
						 sizeof(list)));
		lm_jc_pop(c, saved);
		return rc;
	}
	for (i = 0; i < n; i++)
		if (spec[i].required && vals[i] == NULL)
			return lm_jc_fail(c, LM_JC_AT_VALUE,
					  "missing required key \"%s\"",
					  spec[i].name);
	for (i = 0; i < n; i++) {
		if (vals[i] == NULL)
			continue;
		saved = lm_jc_push_key(c, spec[i].name);
		rc = lm_jc_check_type(c, vals[i], spec[i].types);
		lm_jc_pop(c, saved);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
lm_jc_get_int(struct lm_jc *c, const char *key, const json_t *v,
	      long long min, long long max, long long *out)
{
	long long x;

	if (v == NULL)
		return 0;
	x = json_integer_value(v);
	if (x >= min && x <= max) {
		*out = x;
		return 0;
	}
	if (max == LLONG_MAX)
		return lm_jc_fail_key(c, key,
				      "%lld is out of range (expected %lld or more)",
				      x, min);
	return lm_jc_fail_key(c, key,
			      "%lld is out of range (expected %lld to %lld)",
			      x, min, max);
}

int
lm_jc_get_double(struct lm_jc *c, const char *key, const json_t *v,
		 double min, bool min_open, double max, const char *want,
		 double *out)
{
	double x;

	if (v == NULL)
		return 0;
	x = json_number_value(v);
	if ((min_open ? x > min : x >= min) && x <= max) {
		*out = x;
		return 0;
	}
	return lm_jc_fail_key(c, key, "%.15g is out of range (expected %s)",
			      x, want);
}

int
lm_jc_get_bool(struct lm_jc *c, const char *key, const json_t *v, bool *out)
{
	(void)c;
	(void)key;
	if (v != NULL)
		*out = json_is_true(v);
	return 0;
}

int
lm_jc_get_string(struct lm_jc *c, const char *key, const json_t *v,
		 bool nonempty, char **out)
{
	const char *s = json_string_value(v);
	size_t len = json_string_length(v);
	size_t saved = 0;
	int rc;

	if (memchr(s, '\0', len) != NULL || (nonempty && len == 0)) {
		if (key != NULL)
			saved = lm_jc_push_key(c, key);
		rc = lm_jc_fail(c, LM_JC_AT_VALUE, len == 0 ?
				"must not be empty" :
				"contains a NUL character (\\u0000)");
		if (key != NULL)
			lm_jc_pop(c, saved);
		return rc;
	}
	*out = strdup(s);
	return *out != NULL ? 0 : lm_jc_oom(c);
}

struct dup_arg {
	size_t key_end;
	struct lm_jc *c;
	bool found;
};

static int
dup_cb(void *arg, const struct lm_json_pos *pos)
{
	struct dup_arg *d = arg;
	size_t len;

	if (!pos->member || pos->key_end != d->key_end)
		return 0;
	/* the key as written, escapes and all, between its quotes */
	len = pos->key_end - pos->key_offset - 2;
	lm_jc_set_err(d->c, "%s:%u:%u: %s: duplicate key \"%.*s\"%s",
		      d->c->file, pos->key_line, pos->key_col, pos->path,
		      (int)(len > LM_JC_QUOTE_MAX ? LM_JC_QUOTE_MAX : len),
		      d->c->text + pos->key_offset + 1,
		      len > LM_JC_QUOTE_MAX ? "..." : "");
	d->found = true;
	return 1;
}

/*
 * jansson rejects a duplicate key with the byte offset just past it; find
 * that key to report it as every other error is, with its path and where
 * the key starts.
 */
static void
report_json_error(struct lm_jc *c, const json_error_t *je)
{
	struct dup_arg d = { 0, c, false };

	if (json_error_code(je) == json_error_duplicate_key && je->position > 0) {
		d.key_end = (size_t)je->position;
		lm_json_pos_walk(c->text, c->len, dup_cb, &d);
		if (d.found)
			return;
	}
	lm_jc_set_err(c, "%s:%d:%d: %s", c->file, je->line, je->column,
		      je->text);
}

json_t *
lm_jc_parse(struct lm_jc *c, size_t flags)
{
	json_error_t je;
	json_t *root;

	root = json_loadb(c->text, c->len, flags, &je);
	if (root == NULL)
		report_json_error(c, &je);
	return root;
}

int
lm_jc_get_enum(struct lm_jc *c, const char *key, const json_t *v,
	       const char *const *names, size_t n, const char *what,
	       bool quoted, unsigned int *out)
{
	const char *s;
	char q[LM_JC_QUOTE_BUF], list[256];
	size_t i;

	if (v == NULL)
		return 0;
	s = json_string_value(v);
	/* a NUL inside would make "GET\u0000" compare equal to "GET" */
	for (i = 0; strlen(s) == json_string_length(v) && i < n; i++) {
		if (strcmp(s, names[i]) == 0) {
			*out = (unsigned int)i;
			return 0;
		}
	}
	return lm_jc_fail_key(c, key, "unknown %s %s (expected %s)", what,
			      lm_jc_quote(q, sizeof(q), s, json_string_length(v)),
			      lm_jc_join_names(names, n, quoted, list,
					       sizeof(list)));
}

/* Dotted decimal, exactly four parts, no leading zeros (no octal doubt). */
static int
parse_ipv4(const char *s, uint32_t *out)
{
	uint32_t ip = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned int v = 0, digits = 0;

		if (part > 0 && *s++ != '.')
			return -EINVAL;
		while (*s >= '0' && *s <= '9') {
			if (digits == 3 || (digits == 1 && v == 0))
				return -EINVAL;
			v = v * 10 + (unsigned int)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || v > 255)
			return -EINVAL;
		ip = ip << 8 | v;
	}
	if (*s != '\0')
		return -EINVAL;
	*out = ip;
	return 0;
}

const char *
lm_jc_ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff,
		 ip >> 8 & 0xff, ip & 0xff);
	return buf;
}

int
lm_jc_get_ipv4(struct lm_jc *c, const char *key, const json_t *v,
	       uint32_t *out)
{
	const char *s = json_string_value(v);
	char q[LM_JC_QUOTE_BUF];

	if (v == NULL)
		return 0;
	if (strlen(s) != json_string_length(v) || parse_ipv4(s, out) != 0)
		return lm_jc_fail_key(c, key,
				      "invalid IPv4 address %s (expected dotted decimal, like 198.18.0.1)",
				      lm_jc_quote(q, sizeof(q), s,
						  json_string_length(v)));
	if ((*out >> 24) == 0 || (*out >> 24) >= 224)
		return lm_jc_fail_key(c, key, "%s is not a unicast address", s);
	return 0;
}

struct name_ref {
	const char *name;
	size_t index;
};

static int
name_ref_cmp(const void *a, const void *b)
{
	const struct name_ref *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	if (d != 0)
		return d;
	return x->index < y->index ? -1 : x->index > y->index;
}

/*
 * By sorting rather than comparing every pair: 1024 scenarios of 1024
 * steps would otherwise cost half a billion comparisons.
 */
int
lm_jc_find_duplicate(const void *base, size_t n, size_t stride,
		     size_t name_off, size_t *dup, size_t *first)
{
	struct name_ref *refs;
	size_t i, g = 0;

	*dup = n;
	if (n < 2)
		return 0;
	refs = malloc(n * sizeof(*refs));
	if (refs == NULL)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		const char *entry = (const char *)base + i * stride;

		memcpy(&refs[i].name, entry + name_off, sizeof(refs[i].name));
		refs[i].index = i;
	}
	qsort(refs, n, sizeof(*refs), name_ref_cmp);
	for (i = 1; i < n; i++) {
		if (strcmp(refs[i].name, refs[g].name) != 0) {
			g = i;
			continue;
		}
		if (refs[i].index < *dup) {
			*dup = refs[i].index;
			*first = refs[g].index;
		}
	}
	free(refs);
	return 0;
}

static int
read_error(const char *path, const char *what, int e, char *err,
	   size_t errlen)
{
	if (err != NULL && errlen > 0)
		snprintf(err, errlen, "%s: %s%s%s", path, what,
			 e != ENOMEM ? ": " : "", e != ENOMEM ? strerror(e) : "");
	return -e;
}

int
lm_jc_read_file(const char *path, char **out, size_t *out_len, char *err,
		size_t errlen)
{
	size_t len = 0, cap = 0, n;
	char *buf = NULL, *nb;
	FILE *f;
	int e;

	f = fopen(path, "rb");
	if (f == NULL)
		return read_error(path, "cannot open", errno, err, errlen);
	/* read to the end rather than trust a size: pipes and /dev/stdin work */
	for (;;) {
		if (cap - len < 4096) {
			cap = cap != 0 ? cap * 2 : 65536;
			nb = cap > SIZE_MAX / 4 ? NULL : realloc(buf, cap);
			if (nb == NULL) {
				free(buf);
				fclose(f);
				return read_error(path, "out of memory", ENOMEM,
						  err, errlen);
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		e = errno;
		free(buf);
		fclose(f);
		return read_error(path, "cannot read", e, err, errlen);
	}
	fclose(f);
	*out = buf;
	*out_len = len;
	return 0;
}

int
lm_jc_check_empty(struct lm_jc *c, json_t *obj, const char *what)
{
	char q[LM_JC_QUOTE_BUF];
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		return lm_jc_fail_at_key(c, key,
					 "unknown key %s (%s takes no keys: write {})",
					 lm_jc_quote(q, sizeof(q), key, strlen(key)),
					 what);
	}
	return 0;
}
