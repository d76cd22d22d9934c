/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request compilation; see http_request.h.
 *
 * Everything a server could misread is refused here, at plan load, rather
 * than sent: a request smuggled through a CR LF in a header value or an
 * ambiguous body length would measure the wrong thing, or worse, desync a
 * gateway under test.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/http_request.h"
#include "util/errmsg.h"

static int
req_error(struct lm_http_req_loc *loc, enum lm_http_req_part part,
	  uint32_t header, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static int
req_error(struct lm_http_req_loc *loc, enum lm_http_req_part part,
	  uint32_t header, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (loc != NULL) {
		loc->part = part;
		loc->header = header;
	}
	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}


static char
ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Header names compare without case (RFC 9110 section 5.1). */
static bool
name_eq(const char *a, const char *b)
{
	while (*a != '\0' && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return *a == '\0' && *b == '\0';
}

/* tchar, RFC 9110 section 5.6.2 */
static bool
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * origin-form (RFC 9112 section 3.2.1), or asterisk-form for OPTIONS
 * (section 3.2.4). Only visible ASCII: anything else must be
 * percent-encoded by whoever writes the plan, since servers disagree on
 * what raw bytes mean.
 */
static int
check_path(const struct lm_http_step *s, struct lm_http_req_loc *loc,
	   char *err, size_t errlen)
{
	const char *p = s->path != NULL ? s->path : "";
	size_t i;

	if (s->method == LM_HTTP_OPTIONS && strcmp(p, "*") == 0)
		return 0;
	if (p[0] != '/')
		return req_error(loc, LM_HTTP_REQ_PATH, 0, err, errlen,
				 s->method == LM_HTTP_OPTIONS ?
				 "path must start with '/' or be \"*\"" :
				 "path must start with '/'");
	for (i = 0; p[i] != '\0'; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= 0x20 || c >= 0x7f)
			return req_error(loc, LM_HTTP_REQ_PATH, 0, err, errlen,
					 "path contains byte 0x%02x%s at offset %zu (only visible ASCII is allowed; percent-encode the rest)",
					 c, lm_ctl_name(c), i);
		if (c == '#')
			return req_error(loc, LM_HTTP_REQ_PATH, 0, err, errlen,
					 "path contains '#' at offset %zu (a fragment is never sent to a server)",
					 i);
	}
	return 0;
}

static int
check_header(const struct lm_http_step *s, uint32_t h,
	     struct lm_http_req_loc *loc, char *err, size_t errlen)
{
	const char *name = s->headers[h].name;
	const char *value = s->headers[h].value;
	uint32_t i;
	size_t k;

	if (value == NULL)
		return req_error(loc, LM_HTTP_REQ_HEADER_VALUE, h, err, errlen,
				 "header value missing");

	if (name == NULL || name[0] == '\0')
		return req_error(loc, LM_HTTP_REQ_HEADER_NAME, h, err, errlen,
				 "header name is empty");
	for (k = 0; name[k] != '\0'; k++)
		if (!is_tchar((unsigned char)name[k]))
			return req_error(loc, LM_HTTP_REQ_HEADER_NAME, h, err,
					 errlen,
					 "header name \"%s\" is not a token: byte 0x%02x at offset %zu (RFC 9110 section 5.6.2)",
					 name, (unsigned char)name[k], k);
	/*
	 * A JSON object cannot repeat a key, but it can repeat a header
	 * under another case; that is almost always a mistake, and Host or
	 * Content-Length twice is a malformed request.
	 */
	for (i = 0; i < h; i++)
		if (s->headers[i].name != NULL &&
		    name_eq(s->headers[i].name, name))
			return req_error(loc, LM_HTTP_REQ_HEADER_NAME, h, err,
					 errlen,
					 "header \"%s\" repeats \"%s\" (header names are case-insensitive)",
					 name, s->headers[i].name);
	/* RFC 9110 section 5.5: CR, LF and NUL above all, and other CTLs */
	for (k = 0; value[k] != '\0'; k++) {
		unsigned char c = (unsigned char)value[k];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE, h, err,
					 errlen,
					 "header value contains control character 0x%02x%s at offset %zu",
					 c, lm_ctl_name(c), k);
	}
	return 0;
}

/* Content-Length = 1*DIGIT (RFC 9110 section 8.6), with OWS around it. */
static int
parse_length(const char *v, uint64_t *out)
{
	uint64_t n = 0;
	bool digits = false;

	while (is_ows(*v))
		v++;
	while (*v >= '0' && *v <= '9') {
		if (n > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		n = n * 10 + (uint64_t)(*v - '0');
		digits = true;
		v++;
	}
	while (is_ows(*v))
		v++;
	if (!digits || *v != '\0')
		return -EINVAL;
	*out = n;
	return 0;
}

/* Is the last transfer coding in a Transfer-Encoding value "chunked"? */
static bool
ends_with_chunked(const char *v)
{
	const char *last = strrchr(v, ',');
	const char *lit = "chunked";
	const char *end;
	size_t i;

	last = last != NULL ? last + 1 : v;
	while (is_ows(*last))
		last++;
	end = last + strlen(last);
	while (end > last && is_ows(end[-1]))
		end--;
	if ((size_t)(end - last) != strlen(lit))
		return false;
	for (i = 0; lit[i] != '\0'; i++)
		if (ascii_lower(last[i]) != lit[i])
			return false;
	return true;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Find the CRLF that ends a line starting at pos; no bare CR or LF before. */
static int
line_end(const char *b, size_t n, size_t pos, size_t *eol)
{
	for (; pos < n; pos++) {
		unsigned char c = (unsigned char)b[pos];

		if (c == '\r' && pos + 1 < n && b[pos + 1] == '\n') {
			*eol = pos;
			return 0;
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return -EINVAL;
	}
	return -EINVAL;
}

/*
 * Is b[0..n) exactly one complete chunked body (RFC 9112 section 7.1)?
 * On failure writes why into why.
 */
static int
check_chunked(const char *b, size_t n, char *why, size_t whylen)
{
	size_t pos = 0, eol, size, colon;
	int d;

	for (;;) {
		size_t start = pos;

		size = 0;
		while (pos < n && (d = hexval(b[pos])) >= 0) {
			if (size > (SIZE_MAX >> 4)) {
				snprintf(why, whylen,
					 "chunk size at byte %zu is too large",
					 start);
				return -EINVAL;
			}
			size = size << 4 | (size_t)d;
			pos++;
		}
		if (pos == start) {
			snprintf(why, whylen,
				 "expected a chunk size at byte %zu", start);
			return -EINVAL;
		}
		/* chunk extensions are passed through, up to the CRLF */
		if (line_end(b, n, pos, &eol) != 0) {
			snprintf(why, whylen,
				 "expected CRLF after the chunk size at byte %zu",
				 start);
			return -EINVAL;
		}
		pos = eol + 2;
		if (size == 0)
			break;
		if (n - pos < size) {
			snprintf(why, whylen,
				 "the chunk at byte %zu runs past the end of the body",
				 start);
			return -EINVAL;
		}
		pos += size;
		if (n - pos < 2 || b[pos] != '\r' || b[pos + 1] != '\n') {
			snprintf(why, whylen,
				 "expected CRLF after the chunk data at byte %zu",
				 pos);
			return -EINVAL;
		}
		pos += 2;
	}
	/* trailer section: field lines, then the empty line */
	for (;;) {
		if (n - pos >= 2 && b[pos] == '\r' && b[pos + 1] == '\n')
			break;
		for (colon = pos; colon < n && is_tchar((unsigned char)b[colon]);
		     colon++)
			;
		if (colon == pos || colon == n || b[colon] != ':' ||
		    line_end(b, n, colon, &eol) != 0) {
			snprintf(why, whylen,
				 "expected a trailer field or CRLF at byte %zu",
				 pos);
			return -EINVAL;
		}
		pos = eol + 2;
	}
	pos += 2;
	if (pos != n) {
		snprintf(why, whylen,
			 "%zu bytes follow the end of the chunked body", n - pos);
		return -EINVAL;
	}
	return 0;
}

/* Two passes over the same code: count with w->p == NULL, then write. */
struct wbuf {
	uint8_t *p;
	size_t len;
};

static void
put(struct wbuf *w, const void *data, size_t n)
{
	if (w->p != NULL)
		memcpy(w->p + w->len, data, n);
	w->len += n;
}

static void
put_str(struct wbuf *w, const char *s)
{
	put(w, s, strlen(s));
}

struct req_plan {
	bool add_host;
	bool add_user_agent;
	bool add_length;
	char host[32];        /* "255.255.255.255:65535" */
	char length[24];
};

static void
emit(const struct lm_http_step *s, const struct req_plan *rp, struct wbuf *w)
{
	uint32_t i;

	put_str(w, lm_http_method_name(s->method));
	put_str(w, " ");
	put_str(w, s->path);
	put_str(w, " HTTP/1.1\r\n");
	if (rp->add_host) {
		put_str(w, "Host: ");
		put_str(w, rp->host);
		put_str(w, "\r\n");
	}
	for (i = 0; i < s->n_headers; i++) {
		put_str(w, s->headers[i].name);
		put_str(w, ": ");
		put_str(w, s->headers[i].value);
		put_str(w, "\r\n");
	}
	if (rp->add_user_agent)
		put_str(w, "User-Agent: " LM_HTTP_USER_AGENT "\r\n");
	if (rp->add_length) {
		put_str(w, "Content-Length: ");
		put_str(w, rp->length);
		put_str(w, "\r\n");
	}
	put_str(w, "\r\n");
	/* a generated body is produced by the sender, after the head */
	if (s->body != NULL && !s->body_generated)
		put(w, s->body, s->body_len);
}

int
lm_http_request_compile_loc(struct lm_http_step *s,
			    const struct lm_plan_target *t,
			    struct lm_http_req_loc *loc, char *err,
			    size_t errlen)
{
	struct req_plan rp;
	struct wbuf w;
	int64_t cl_header = -1, te_header = -1;
	uint64_t cl, body_len;
	uint32_t i;
	char why[128];
	int rc;

	if (strcmp(lm_http_method_name(s->method), "?") == 0)
		return req_error(loc, LM_HTTP_REQ_STEP, 0, err, errlen,
				 "unknown method %d", (int)s->method);
	if (t == NULL)
		return req_error(loc, LM_HTTP_REQ_STEP, 0, err, errlen,
				 "no target");
	if (s->path == NULL)
		return req_error(loc, LM_HTTP_REQ_PATH, 0, err, errlen,
				 "no path");
	if (s->n_headers > 0 && s->headers == NULL)
		return req_error(loc, LM_HTTP_REQ_STEP, 0, err, errlen,
				 "headers missing");
	if (s->body_generated && s->body != NULL)
		return req_error(loc, LM_HTTP_REQ_STEP, 0, err, errlen,
				 "a step cannot have both a body and a generated body");
	rc = check_path(s, loc, err, errlen);
	if (rc != 0)
		return rc;
	if (s->body_generated)
		body_len = s->body_gen_size;
	else
		body_len = s->body != NULL ? s->body_len : 0;

	memset(&rp, 0, sizeof(rp));
	rp.add_host = true;
	rp.add_user_agent = true;
	for (i = 0; i < s->n_headers; i++) {
		rc = check_header(s, i, loc, err, errlen);
		if (rc != 0)
			return rc;
		if (name_eq(s->headers[i].name, "Host"))
			rp.add_host = false;
		else if (name_eq(s->headers[i].name, "User-Agent"))
			rp.add_user_agent = false;
		else if (name_eq(s->headers[i].name, "Content-Length"))
			cl_header = i;
		else if (name_eq(s->headers[i].name, "Transfer-Encoding"))
			te_header = i;
	}

	if (te_header >= 0) {
		const char *v = s->headers[te_header].value;

		/* RFC 9112 section 6.2 */
		if (cl_header >= 0)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)te_header, err, errlen,
					 "Transfer-Encoding and Content-Length cannot both be given (RFC 9112 section 6.2)");
		/*
		 * Generated bytes are not chunk framing, and framing them
		 * here would make the wire length differ from "size".
		 */
		if (s->body_generated)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)te_header, err, errlen,
					 "Transfer-Encoding cannot be used with a generated body (it is sent with Content-Length)");
		/* RFC 9112 section 6.1: chunked must be the final coding */
		if (!ends_with_chunked(v))
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)te_header, err, errlen,
					 "Transfer-Encoding \"%s\" does not end with chunked, so the body would have no framing (RFC 9112 section 6.1)",
					 v);
		if (check_chunked(s->body != NULL ? s->body : "", body_len,
				  why, sizeof(why)) != 0)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)te_header, err, errlen,
					 "Transfer-Encoding is chunked but the body is not a complete chunked body: %s",
					 why);
	} else if (cl_header >= 0) {
		const char *v = s->headers[cl_header].value;

		rc = parse_length(v, &cl);
		if (rc != 0)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)cl_header, err, errlen,
					 rc == -ERANGE ?
					 "Content-Length \"%s\" is too large" :
					 "Content-Length \"%s\" is not a decimal number",
					 v);
		if (cl != body_len)
			return req_error(loc, LM_HTTP_REQ_HEADER_VALUE,
					 (uint32_t)cl_header, err, errlen,
					 s->body_generated ?
					 "Content-Length \"%s\" does not match the generated body's size %" PRIu64 :
					 "Content-Length \"%s\" does not match the body length %" PRIu64,
					 v, body_len);
	} else if (s->body != NULL || s->body_generated ||
		   s->method == LM_HTTP_POST || s->method == LM_HTTP_PUT ||
		   s->method == LM_HTTP_PATCH) {
		/* RFC 9110 section 8.6: a POST, PUT or PATCH without a body
		 * still says so, or servers wait for one (or answer 411). */
		rp.add_length = true;
		snprintf(rp.length, sizeof(rp.length), "%" PRIu64, body_len);
	}

	if (t->port == 80)
		snprintf(rp.host, sizeof(rp.host), "%u.%u.%u.%u",
			 t->ip >> 24, t->ip >> 16 & 0xff, t->ip >> 8 & 0xff,
			 t->ip & 0xff);
	else
		snprintf(rp.host, sizeof(rp.host), "%u.%u.%u.%u:%u",
			 t->ip >> 24, t->ip >> 16 & 0xff, t->ip >> 8 & 0xff,
			 t->ip & 0xff, t->port);

	memset(&w, 0, sizeof(w));
	emit(s, &rp, &w);
	if (w.len > UINT32_MAX)
		return req_error(loc, LM_HTTP_REQ_STEP, 0, err, errlen,
				 "the request is %zu bytes, more than 4 GiB",
				 w.len);
	w.p = malloc(w.len);
	if (w.p == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	cl = w.len;
	w.len = 0;
	emit(s, &rp, &w);
	free(s->request);
	s->request = w.p;
	s->request_len = (uint32_t)cl;
	return 0;
}

int
lm_http_request_compile(struct lm_http_step *s,
			const struct lm_plan_target *t, char *err,
			size_t errlen)
{
	return lm_http_request_compile_loc(s, t, NULL, err, errlen);
}
