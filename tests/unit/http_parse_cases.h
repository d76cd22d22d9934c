/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The response tables of the parser's unit tests (test_http_parse.c):
 * responses that must parse, with what they must give, and responses
 * that must fail, with the error and where.
 */
#ifndef LM_TEST_HTTP_PARSE_CASES_H
#define LM_TEST_HTTP_PARSE_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/http_parse.h"

/* The pipelined response after each table response. */
#define NEXT "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext"

#define NO_CL (-1)

struct ok_case {
	const char *name;
	const char *pre;        /* response bytes ... */
	size_t fill;            /* ... then this many 'x' ... */
	const char *post;       /* ... then these */
	bool head;              /* response to HEAD */
	uint16_t status;
	uint64_t body;          /* body_bytes (decoded) */
	bool conn_close;
	bool chunked;
	bool to_close;          /* body delimited by the close: needs eof */
	int64_t cl;             /* content_length, NO_CL: has_length false */
};

struct err_case {
	const char *name;
	const char *raw;
	bool head;
	enum lm_http_perr err;
	long stop;              /* where feeding stops, -1: not checked */
};

extern const struct ok_case ok_cases[];
extern const size_t n_ok_cases;
extern const struct err_case err_cases[];
extern const size_t n_err_cases;

/* The "many_headers" case's response, built once before the tests run. */
extern char many_headers[16384];
int build_many_headers(void **state);

#endif /* LM_TEST_HTTP_PARSE_CASES_H */
