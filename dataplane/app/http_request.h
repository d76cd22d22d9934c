/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HTTP/1.1 request compilation (RFC 9110, RFC 9112).
 *
 * At plan load each HTTP step is turned into the exact bytes of its request
 * so that the dataplane never formats anything: sending, and regenerating a
 * retransmitted segment, is a copy from s->request at a byte offset.
 *
 * The compiled form is one flat byte array for now. When plans gain
 * template variables (captured tokens, per-user values) it becomes a list of
 * literal pieces and variable slots; the validation here stays as it is.
 */
#ifndef LM_HTTP_REQUEST_H
#define LM_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include <lm/plan.h>

#define LM_HTTP_USER_AGENT "lemmings-dp/0.1"

/* The part of a step that a compile error is about. */
enum lm_http_req_part {
	LM_HTTP_REQ_STEP,         /* the request as a whole */
	LM_HTTP_REQ_PATH,
	LM_HTTP_REQ_HEADER_NAME,  /* headers[header].name */
	LM_HTTP_REQ_HEADER_VALUE, /* headers[header].value */
};

struct lm_http_req_loc {
	enum lm_http_req_part part;
	uint32_t header; /* index into s->headers for the header parts */
};

/*
 * Build s->request and s->request_len (malloc'd; lm_plan_free() releases
 * them; a request compiled earlier is replaced) from the method, path,
 * headers and body of s, for target t:
 *
 *   METHOD PATH HTTP/1.1\r\n
 *   Host: IP[:PORT]\r\n                  unless the plan gives Host
 *   the plan's headers, in plan order
 *   User-Agent: lemmings-dp/0.1\r\n      unless the plan gives User-Agent
 *   Content-Length: N\r\n                when there is a body, or for POST,
 *                                        PUT and PATCH (0), unless given
 *   \r\n
 *   body                                 not with a generated body
 *
 * With s->body_generated (s->body must then be NULL) the request holds the
 * head only and N is s->body_gen_size: the sender appends the generated
 * bytes (util/body_gen.h) itself. A Content-Length the plan gives must
 * then equal that size, and Transfer-Encoding is refused.
 *
 * Returns 0, or -EINVAL with a message in err (without any file or JSON
 * position, which the caller adds) for: a path that does not start with '/'
 * (or is not "*" for OPTIONS) or holds anything but visible ASCII; a header
 * name that is not an RFC 9110 token or repeats another (names compare
 * without case); a header value with a control character other than HTAB
 * (CR, LF and NUL above all); a Content-Length that is not the body's
 * length; a Transfer-Encoding whose last coding is not chunked, that comes
 * with a Content-Length, or whose body is not a complete chunked body (the
 * body is sent as given, so it must already be framed). -ENOMEM when out of
 * memory.
 */
int lm_http_request_compile(struct lm_http_step *s,
			    const struct lm_plan_target *t, char *err,
			    size_t errlen);

/* The same, also saying in *loc (when not NULL) which part was at fault. */
int lm_http_request_compile_loc(struct lm_http_step *s,
				const struct lm_plan_target *t,
				struct lm_http_req_loc *loc, char *err,
				size_t errlen);

#endif /* LM_HTTP_REQUEST_H */
