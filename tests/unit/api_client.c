/* SPDX-License-Identifier: BSD-3-Clause */
/* A small HTTP client for the API's unit tests (see api_client.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <jansson.h>

#include "api_client.h"

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	char *b = realloc(r->body, r->len + size * n + 1);

	if (b == NULL)
		return 0;
	memcpy(b + r->len, p, size * n);
	r->body = b;
	r->len += size * n;
	r->body[r->len] = '\0';
	return size * n;
}

/* Copy the value of header name (if line is that header) into out. */
static bool
header_value(const char *line, size_t n, const char *name, char *out,
	     size_t cap)
{
	size_t nl = strlen(name);

	if (n <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
		return false;
	line += nl + 1;
	n -= nl + 1;
	while (n > 0 && *line == ' ')
		line++, n--;
	while (n > 0 && (line[n - 1] == '\r' || line[n - 1] == '\n'))
		n--;
	snprintf(out, cap, "%.*s", (int)n, line);
	return true;
}

static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct resp *r = arg;
	char tmp[128];

	header_value(p, size * n, "Content-Type", r->ctype, sizeof(r->ctype));
	header_value(p, size * n, "Allow", r->allow, sizeof(r->allow));
	header_value(p, size * n, "Content-Disposition", r->disposition,
		     sizeof(r->disposition));
	if (header_value(p, size * n, "WWW-Authenticate", tmp, sizeof(tmp)))
		r->www_auth = strncmp(tmp, "Bearer", 6) == 0;
	return size * n;
}

/* A body sent chunked (no Content-Length), from memory. */
struct upload {
	const char *data;
	size_t len;
	size_t off;
};

static size_t
on_read(char *p, size_t size, size_t n, void *arg)
{
	struct upload *u = arg;
	size_t k = size * n;

	/* small pieces: several chunks, as a streaming client sends */
	if (k > 4096)
		k = 4096;
	if (k > u->len - u->off)
		k = u->len - u->off;
	memcpy(p, u->data + u->off, k);
	u->off += k;
	return k;
}

uint16_t port;
const char *host = "127.0.0.1";   /* as it goes in a URL */

void
http_ex(struct resp *r, const char *const *extra, const char *method,
	const char *path, const char *body, size_t len, bool chunked,
	const char *auth)
{
	struct curl_slist *hdr = NULL;
	struct upload u = { body, len, 0 };
	char url[256], line[512];
	CURL *c = curl_easy_init();

	assert_non_null(c);
	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "http://%s:%u%s", host, port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (chunked) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &u);
		hdr = curl_slist_append(hdr, "Transfer-Encoding: chunked");
	} else if (body != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)len);
	}
	/* no "Expect: 100-continue" pause on large bodies */
	hdr = curl_slist_append(hdr, "Expect:");
	if (auth != NULL) {
		snprintf(line, sizeof(line), "Authorization: %s", auth);
		hdr = curl_slist_append(hdr, line);
	}
	for (; extra != NULL && *extra != NULL; extra++)
		hdr = curl_slist_append(hdr, *extra);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	r->rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(c);
}

void
http(struct resp *r, const char *method, const char *path, const char *body,
     size_t len, bool chunked, const char *auth)
{
	http_ex(r, NULL, method, path, body, len, chunked, auth);
}

/* The status of a request, the body dropped. */
long
status_of(const char *method, const char *path, const char *body,
	  const char *auth)
{
	struct resp r;

	http(&r, method, path, body, body != NULL ? strlen(body) : 0, false,
	     auth);
	assert_int_equal(r.rc, CURLE_OK);
	/* every error answer is a JSON object with a message */
	if (r.status >= 400) {
		json_t *o = json_loads(r.body != NULL ? r.body : "", 0, NULL);

		assert_non_null(o);
		assert_true(json_is_string(json_object_get(o, "error")));
		json_decref(o);
	}
	free(r.body);
	return r.status;
}
