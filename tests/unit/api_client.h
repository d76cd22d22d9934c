/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A small HTTP client (libcurl) for the API's unit tests: requests to the
 * listener at host:port, the status, body and a few headers kept.
 */
#ifndef LM_TEST_API_CLIENT_H
#define LM_TEST_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

struct resp {
	long status;
	char *body;
	size_t len;
	char ctype[128];
	char allow[64];
	char disposition[128];  /* Content-Disposition */
	bool www_auth;
	CURLcode rc;
};

extern uint16_t port;     /* the listener's, set by the test */
extern const char *host;  /* as it goes in a URL: "127.0.0.1" or "[::1]" */

/*
 * method path on the listener; body (len bytes, or chunked when chunked)
 * and an Authorization value are optional; extra: more header lines, a
 * NULL-terminated array (or NULL). Free r->body.
 */
void http_ex(struct resp *r, const char *const *extra, const char *method,
	     const char *path, const char *body, size_t len, bool chunked,
	     const char *auth);
void http(struct resp *r, const char *method, const char *path,
	  const char *body, size_t len, bool chunked, const char *auth);

/* The status of a request, the body dropped (an error's body checked). */
long status_of(const char *method, const char *path, const char *body,
	       const char *auth);

#endif /* LM_TEST_API_CLIENT_H */
