/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the incremental HTTP/1.1 request parser
 * (dataplane/app/http_req_parse.c).
 *
 * The parser must not care how TCP cut the stream: every request of the
 * tables is fed whole, split in two at every byte position, one byte at a
 * time and in random pieces, and every way must give the same result and
 * the same parser state. Each is followed by a second, pipelined request
 * that a fresh parser must then read from exactly where the first stopped,
 * as a server does: feed, and on DONE re-init and feed the rest.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "app/http_req_parse.h"

#include "util/fnv.h"
#include "util/splitmix.h"

#define NO_CL (-1)

#define M_GET LM_HTTP_REQ_M_GET
#define M_HEAD LM_HTTP_REQ_M_HEAD
#define M_POST LM_HTTP_REQ_M_POST
#define M_PUT LM_HTTP_REQ_M_PUT
#define M_DELETE LM_HTTP_REQ_M_DELETE
#define M_PATCH LM_HTTP_REQ_M_PATCH
#define M_OPTIONS LM_HTTP_REQ_M_OPTIONS
#define M_OTHER LM_HTTP_REQ_M_OTHER

/* What one parsed request must show. */
struct req_expect {
	enum lm_http_req_method method;
	const char *path;       /* hashed and counted */
	bool http10;
	bool conn_close;
	bool expect_continue;
	bool chunked;
	int64_t cl;             /* content_length, NO_CL: has_length false */
	uint64_t body;          /* body_bytes (decoded) */
};

/* The pipelined request after each table request. */
#define NEXT "GET /next?q=1 HTTP/1.1\r\nHost: h\r\n\r\n"

static const struct req_expect next_expect = {
	M_GET, "/next", false, false, false, false, NO_CL, 0
};

struct ok_case {
	const char *name;
	const char *pre;        /* request bytes ... */
	size_t fill;            /* ... then this many 'x' ... */
	const char *post;       /* ... then these */
	struct req_expect x;
};

static char many_headers[16384];

static const struct ok_case ok_cases[] = {
	/* methods and targets */
	{ "get_simple",
	  "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, "",
	  { M_GET, "/", false, false, false, false, NO_CL, 0 } },
	{ "get_no_fields",
	  "GET /x HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "/x", false, false, false, false, NO_CL, 0 } },
	{ "get_query",
	  "GET /a/b/c.html?x=1&y=/z?w HTTP/1.1\r\nHost: h\r\n"
	  "User-Agent: test/1.0\r\nAccept: */*\r\n\r\n", 0, "",
	  { M_GET, "/a/b/c.html", false, false, false, false, NO_CL, 0 } },
	{ "get_empty_query",
	  "GET /p? HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_GET, "/p", false, false, false, false, NO_CL, 0 } },
	{ "get_root_query",
	  "GET /?a=b HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_GET, "/", false, false, false, false, NO_CL, 0 } },
	{ "path_odd_chars",
	  "GET /a%20b/~u/!$&'()*+,;=:@-._[]|\"{}<>^`\\#f HTTP/1.1\r\n\r\n",
	  0, "",
	  { M_GET, "/a%20b/~u/!$&'()*+,;=:@-._[]|\"{}<>^`\\#f", false, false,
	    false, false, NO_CL, 0 } },
	{ "path_looks_absolute",
	  "GET /http://x/y HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "/http://x/y", false, false, false, false, NO_CL, 0 } },
	{ "head",
	  "HEAD /index.html HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_HEAD, "/index.html", false, false, false, false, NO_CL, 0 } },
	{ "put",
	  "PUT /obj/1 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody", 0, "",
	  { M_PUT, "/obj/1", false, false, false, false, 4, 4 } },
	{ "delete",
	  "DELETE /obj/1 HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_DELETE, "/obj/1", false, false, false, false, NO_CL, 0 } },
	{ "patch",
	  "PATCH /obj/1 HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}", 0, "",
	  { M_PATCH, "/obj/1", false, false, false, false, 2, 2 } },
	{ "options_path",
	  "OPTIONS /x HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_OPTIONS, "/x", false, false, false, false, NO_CL, 0 } },
	{ "options_star",
	  "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_OPTIONS, "*", false, false, false, false, NO_CL, 0 } },
	{ "other_method",
	  "PROPFIND /dav/ HTTP/1.1\r\nHost: h\r\n\r\n", 0, "",
	  { M_OTHER, "/dav/", false, false, false, false, NO_CL, 0 } },
	{ "methods_case_sensitive",
	  "get /lower HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "/lower", false, false, false, false, NO_CL, 0 } },
	{ "method_prefix",
	  "GE / HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "/", false, false, false, false, NO_CL, 0 } },
	{ "method_longer",
	  "POSTS / HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "/", false, false, false, false, NO_CL, 0 } },
	{ "method_pu",
	  "PU / HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "/", false, false, false, false, NO_CL, 0 } },
	{ "method_odd_token",
	  "!#$%&'*+-.^_`|~09aZ /t HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "/t", false, false, false, false, NO_CL, 0 } },
	{ "absolute_form",
	  "GET http://example.com:8080/a/b?q=1 HTTP/1.1\r\n"
	  "Host: example.com:8080\r\n\r\n", 0, "",
	  { M_GET, "/a/b", false, false, false, false, NO_CL, 0 } },
	{ "absolute_form_no_path",
	  "GET http://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", 0, "",
	  { M_GET, "/", false, false, false, false, NO_CL, 0 } },
	{ "absolute_form_query_no_path",
	  "GET https://example.com?x=/y HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "/", false, false, false, false, NO_CL, 0 } },
	{ "absolute_form_root",
	  "GET http://h/ HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "/", false, false, false, false, NO_CL, 0 } },
	{ "absolute_form_odd_scheme_userinfo",
	  "POST HTTP+X-1.a://u:p@h:1/P/Q HTTP/1.1\r\nContent-Length: 1\r\n\r\n"
	  "z", 0, "",
	  { M_POST, "/P/Q", false, false, false, false, 1, 1 } },
	{ "authority_form",
	  "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
	  0, "",
	  { M_OTHER, "example.com:443", false, false, false, false, NO_CL, 0 } },
	{ "authority_form_ip_literal",
	  "CONNECT [::1]:443 HTTP/1.1\r\n\r\n", 0, "",
	  { M_OTHER, "[::1]:443", false, false, false, false, NO_CL, 0 } },
	{ "scheme_without_authority",
	  "GET urn:a:/b HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "urn:a:/b", false, false, false, false, NO_CL, 0 } },
	/* Content-Length bodies */
	{ "post_content_length",
	  "POST /submit HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n"
	  "Content-Type: text/plain\r\n\r\nhello world", 0, "",
	  { M_POST, "/submit", false, false, false, false, 11, 11 } },
	{ "post_body_looks_like_request",
	  "POST /p HTTP/1.1\r\nContent-Length: 18\r\n\r\n"
	  "GET / HTTP/1.1\r\n\r\n", 0, "",
	  { M_POST, "/p", false, false, false, false, 18, 18 } },
	{ "post_content_length_zero",
	  "POST /empty HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0, "",
	  { M_POST, "/empty", false, false, false, false, 0, 0 } },
	{ "content_length_list",
	  "POST /l HTTP/1.1\r\nContent-Length:  \t7 , 7,7\t\r\n"
	  "Content-Length: 7\r\n\r\n1234567", 0, "",
	  { M_POST, "/l", false, false, false, false, 7, 7 } },
	{ "content_length_leading_zeros",
	  "POST /z HTTP/1.1\r\nContent-Length: 0003\r\n\r\nabc", 0, "",
	  { M_POST, "/z", false, false, false, false, 3, 3 } },
	{ "get_with_body",
	  "GET /g HTTP/1.1\r\nContent-Length: 2\r\n\r\nab", 0, "",
	  { M_GET, "/g", false, false, false, false, 2, 2 } },
	{ "put_large_body",
	  "PUT /big HTTP/1.1\r\nContent-Length: 70000\r\n\r\n", 70000, "",
	  { M_PUT, "/big", false, false, false, false, 70000, 70000 } },
	/* chunked bodies */
	{ "post_chunked_trailers",
	  "POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;name=value\r\nhello\r\n"
	  "1A ; a=\"b;c\" ;x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	  "0;last=1\r\nX-Checksum: 1\r\nContent-Length: 99\r\n"
	  "Transfer-Encoding: gzip\r\n\r\n", 0, "",
	  { M_POST, "/up", false, false, false, true, NO_CL, 31 } },
	{ "chunked_empty_body",
	  "POST /e HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	  0, "",
	  { M_POST, "/e", false, false, false, true, NO_CL, 0 } },
	{ "chunked_final_of_gzip",
	  "POST /g HTTP/1.1\r\ntransfer-encoding: GZIP ,  Chunked\r\n\r\n"
	  "A\r\n0123456789\r\n0\r\n\r\n", 0, "",
	  { M_POST, "/g", false, false, false, true, NO_CL, 10 } },
	{ "chunked_two_fields_empty_elements",
	  "POST /t HTTP/1.1\r\nTransfer-Encoding: gzip\r\n"
	  "Transfer-Encoding: , chunked ,\r\nTransfer-Encoding:\r\n\r\n"
	  "2\r\nok\r\n00\r\n\r\n", 0, "",
	  { M_POST, "/t", false, false, false, true, NO_CL, 2 } },
	{ "chunked_bws",
	  "POST /b HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "2 \r\nab\r\n1\t;x\r\nc\r\n0  \r\n\r\n", 0, "",
	  { M_POST, "/b", false, false, false, true, NO_CL, 3 } },
	{ "chunked_large",
	  "PUT /big HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n11170\r\n",
	  70000, "\r\n0\r\n\r\n",
	  { M_PUT, "/big", false, false, false, true, NO_CL, 70000 } },
	/* persistence */
	{ "connection_close",
	  "GET /c HTTP/1.1\r\nConnection: close\r\n\r\n", 0, "",
	  { M_GET, "/c", false, true, false, false, NO_CL, 0 } },
	{ "connection_close_in_list",
	  "GET /c HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n", 0, "",
	  { M_GET, "/c", false, true, false, false, NO_CL, 0 } },
	{ "connection_not_close",
	  "GET /c HTTP/1.1\r\n"
	  "Connection: closed, x-close,upgrade, clos, close;x, c lose\r\n\r\n",
	  0, "",
	  { M_GET, "/c", false, false, false, false, NO_CL, 0 } },
	{ "connection_close_second_field",
	  "GET /c HTTP/1.1\r\nConnection: Upgrade\r\nconnection:CLOSE\r\n\r\n",
	  0, "",
	  { M_GET, "/c", false, true, false, false, NO_CL, 0 } },
	{ "http10_closes",
	  "GET /old HTTP/1.0\r\nUser-Agent: x\r\n\r\n", 0, "",
	  { M_GET, "/old", true, true, false, false, NO_CL, 0 } },
	{ "http10_keep_alive",
	  "GET /old HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", 0, "",
	  { M_GET, "/old", true, false, false, false, NO_CL, 0 } },
	{ "http10_keep_alive_and_close",
	  "GET /old HTTP/1.0\r\nConnection: keep-alive\r\nConnection: close\r\n"
	  "\r\n", 0, "",
	  { M_GET, "/old", true, true, false, false, NO_CL, 0 } },
	{ "http10_post",
	  "POST /old HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", 0, "",
	  { M_POST, "/old", true, true, false, false, 3, 3 } },
	{ "http10_not_keep_alive",
	  "GET /old HTTP/1.0\r\nConnection: keep-alive-x, keep alive\r\n\r\n",
	  0, "",
	  { M_GET, "/old", true, true, false, false, NO_CL, 0 } },
	/* Expect */
	{ "expect_continue",
	  "POST /up HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
	  "Content-Length: 3\r\n\r\nabc", 0, "",
	  { M_POST, "/up", false, false, true, false, 3, 3 } },
	{ "expect_continue_case_list",
	  "PUT /up HTTP/1.1\r\nEXPECT: foo, 100-Continue ,\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n", 0, "",
	  { M_PUT, "/up", false, false, true, true, NO_CL, 1 } },
	{ "expect_other",
	  "POST /up HTTP/1.1\r\nExpect: 100-continue-x, 100-continue=1, "
	  "100-continu, 100 continue\r\nContent-Length: 1\r\n\r\nz", 0, "",
	  { M_POST, "/up", false, false, false, false, 1, 1 } },
	{ "expect_http10_ignored",
	  "POST /up HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n"
	  "\r\nz", 0, "",
	  { M_POST, "/up", true, true, false, false, 1, 1 } },
	/* line ends and leniency */
	{ "leading_empty_lines",
	  "\r\n\r\n\nGET /after HTTP/1.1\r\n\r\n", 0, "",
	  { M_GET, "/after", false, false, false, false, NO_CL, 0 } },
	{ "bare_lf",
	  "POST /lf HTTP/1.1\nContent-Length: 3\nConnection: close\n\nabc",
	  0, "",
	  { M_POST, "/lf", false, true, false, false, 3, 3 } },
	{ "bare_lf_http10_keep_alive",
	  "POST /lf HTTP/1.0\nConnection: keep-alive\n\n", 0, "",
	  { M_POST, "/lf", true, false, false, false, NO_CL, 0 } },
	{ "bare_lf_chunked_trailers",
	  "POST /lf HTTP/1.1\nTransfer-Encoding: chunked\n\n"
	  "3\nabc\n0\nX-T: 1\n\n", 0, "",
	  { M_POST, "/lf", false, false, false, true, NO_CL, 3 } },
	{ "odd_values",
	  "POST /o HTTP/1.1\r\nX-Empty:\r\nX-Colons: a:b:c\r\n"
	  "X-Bin: \x80\xff\x01\r\nX-Space:   \r\nX-Cr: a\rb\r\n"
	  "Content-Length: 1\r\n\r\nz", 0, "",
	  { M_POST, "/o", false, false, false, false, 1, 1 } },
	{ "many_headers", many_headers, 0, "abcdef",
	  { M_POST, "/many", false, false, false, false, 6, 6 } },
	{ "mixed_case_names",
	  "POST /m HTTP/1.1\r\ncOnTeNt-LeNgTh: 4\r\nCONNECTION: CLOSE\r\n"
	  "eXpEcT: 100-CONTINUE\r\n\r\nabcd", 0, "",
	  { M_POST, "/m", false, true, true, false, 4, 4 } },
	{ "near_miss_names",
	  "POST /n HTTP/1.1\r\nContent-Lengthy: 5\r\nContent-Len: 9\r\n"
	  "Connectio: close\r\nConnections: close\r\n"
	  "Transfer-Encodings: gzip\r\nTransfer-Encodin: gzip\r\n"
	  "Expec: 100-continue\r\nExpects: 100-continue\r\nExpect-X: 1\r\n"
	  "Con: close\r\nX-Content-Length: 99\r\nC: 1\r\nE: 1\r\nT: gzip\r\n"
	  "Content-Length: 2\r\n\r\nok", 0, "",
	  { M_POST, "/n", false, false, false, false, 2, 2 } },
};

struct err_case {
	const char *name;
	const char *raw;
	enum lm_http_req_err err;
	long stop;              /* bytes consumed in all, -1: not checked */
};

#define CHUNKED_HEAD "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
/* strlen(CHUNKED_HEAD) */
#define CH 47

static const struct err_case err_cases[] = {
	/* request-line */
	{ "leading_space", " GET / HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 0 },
	{ "leading_blank_line_with_space", "\r\n \r\nGET / HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 2 },
	{ "leading_bare_cr", "\rGET / HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 1 },
	{ "method_bad_char", "GE(T / HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 2 },
	{ "method_only", "GET\r\n\r\n", LM_HTTP_REQ_E_REQUEST_LINE, 4 },
	{ "tab_after_method", "GET\t/ HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 3 },
	{ "two_spaces_after_method", "GET  / HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 4 },
	{ "no_target", "GET HTTP/1.1\r\n\r\n", LM_HTTP_REQ_E_REQUEST_LINE, 13 },
	{ "http09", "GET /\r\n", LM_HTTP_REQ_E_REQUEST_LINE, 6 },
	{ "no_version", "GET / \r\n", LM_HTTP_REQ_E_REQUEST_LINE, 7 },
	{ "two_spaces_after_target", "GET /  HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 6 },
	{ "space_in_target", "GET /a b HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 7 },
	{ "ctl_in_target", "GET /a\x01" "b HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 6 },
	{ "tab_in_target", "GET /a\tb HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 6 },
	{ "del_in_query", "GET /a?\x7f HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 7 },
	{ "non_ascii_in_target", "GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 8 },
	{ "bare_cr_in_target", "GET /a\rb HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 7 },
	{ "lf_in_query", "GET /a?b\n HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 8 },
	{ "star_not_options", "GET * HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 4 },
	{ "star_then_more", "OPTIONS *x HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 9 },
	{ "query_only_target", "GET ?x HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 4 },
	{ "absolute_empty_host", "GET http:///x HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 11 },
	{ "absolute_empty_host_end", "GET http:// HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 11 },
	{ "absolute_ctl_in_host", "GET http://h\x01/ HTTP/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 12 },
	{ "lower_case_http", "GET / http/1.1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 6 },
	{ "version_x", "GET / HTTP/1.x\r\n\r\n", LM_HTTP_REQ_E_REQUEST_LINE, 13 },
	{ "version_no_minor", "GET / HTTP/1\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 13 },
	{ "version_10_0", "GET / HTTP/10.0\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 12 },
	{ "version_1_10", "GET / HTTP/1.10\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 14 },
	{ "space_after_version", "GET / HTTP/1.1 \r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 14 },
	{ "cr_cr_lf_request_line", "GET / HTTP/1.1\r\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 15 },
	{ "not_http", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",
	  LM_HTTP_REQ_E_REQUEST_LINE, 0 },
	/* versions we do not speak */
	{ "http2", "GET / HTTP/2.0\r\n\r\n", LM_HTTP_REQ_E_VERSION, 11 },
	{ "http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
	  LM_HTTP_REQ_E_REQUEST_LINE, 4 },
	{ "http_1_2", "GET / HTTP/1.2\r\n\r\n", LM_HTTP_REQ_E_VERSION, 13 },
	{ "http_0_9", "GET / HTTP/0.9\r\n\r\n", LM_HTTP_REQ_E_VERSION, 11 },
	{ "http_3", "GET / HTTP/3\r\n\r\n", LM_HTTP_REQ_E_VERSION, 11 },
	/* field lines */
	{ "no_colon", "GET / HTTP/1.1\r\nNoColon\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 24 },
	{ "space_before_colon", "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 20 },
	{ "tab_before_colon", "GET / HTTP/1.1\r\nContent-Length\t: 5\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 30 },
	{ "obs_fold", "GET / HTTP/1.1\r\nX-A: 1\r\n folded\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 24 },
	{ "obs_fold_tab", "GET / HTTP/1.1\r\nHost: a\r\n\tb\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 25 },
	{ "space_before_first_field", "GET / HTTP/1.1\r\n Host: h\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 16 },
	{ "empty_name", "GET / HTTP/1.1\r\n: novalue\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 16 },
	{ "bad_name_char", "GET / HTTP/1.1\r\nX(A): 1\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 17 },
	{ "bare_cr_in_name", "GET / HTTP/1.1\r\nX-A\rB: 1\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 20 },
	{ "bare_cr_in_connection",
	  "GET / HTTP/1.1\r\nConnection: close\rX\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 34 },
	{ "bare_cr_in_expect",
	  "GET / HTTP/1.1\r\nExpect: 100-continue\rX\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 37 },
	{ "cr_cr_lf_end", "GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\r\n",
	  LM_HTTP_REQ_E_HEADER, 36 },
	{ "te_no_colon", "GET / HTTP/1.1\r\nTransfer-Encoding\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, 34 },
	{ "bad_trailer", CHUNKED_HEAD "0\r\nBad Trailer\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, CH + 6 },
	{ "folded_trailer", CHUNKED_HEAD "0\r\nX: 1\r\n  y\r\n\r\n",
	  LM_HTTP_REQ_E_HEADER, CH + 9 },
	/* Content-Length */
	{ "cl_letters", "POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 33 },
	{ "cl_empty", "POST / HTTP/1.1\r\nContent-Length: \r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 34 },
	{ "cl_list_differs", "POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 38 },
	{ "cl_fields_differ",
	  "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 54 },
	{ "cl_negative", "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 33 },
	{ "cl_plus", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 33 },
	{ "cl_2_63",
	  "POST / HTTP/1.1\r\nContent-Length: 9223372036854775808\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 51 },
	{ "cl_2_64",
	  "POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 52 },
	{ "cl_two_numbers", "POST / HTTP/1.1\r\nContent-Length: 5 5\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 35 },
	{ "cl_hex", "POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 34 },
	{ "cl_decimal_point", "POST / HTTP/1.1\r\nContent-Length: 1.0\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 34 },
	{ "cl_trailing_comma", "POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 36 },
	{ "cl_leading_comma", "POST / HTTP/1.1\r\nContent-Length: ,5\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 33 },
	{ "cl_bare_cr", "POST / HTTP/1.1\r\nContent-Length: 5\r6\r\n\r\n",
	  LM_HTTP_REQ_E_CONTENT_LENGTH, 35 },
	/* Transfer-Encoding */
	{ "te_gzip", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 43 },
	{ "te_identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 47 },
	{ "te_empty", "POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 38 },
	{ "te_chunked_then_gzip",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 50 },
	{ "te_chunked_then_gzip_field",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding: gzip\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 69 },
	{ "te_chunked_twice",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 53 },
	{ "te_chunked_param",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked;x=1\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 50 },
	{ "te_chunky",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunkedx\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 47 },
	{ "te_and_cl",
	  "POST / HTTP/1.1\r\nContent-Length: 3\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 65 },
	{ "cl_and_te",
	  "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
	  "Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 65 },
	{ "te_http10",
	  "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
	  LM_HTTP_REQ_E_TRANSFER_ENCODING, 46 },
	/* chunked framing */
	{ "chunk_not_hex", CHUNKED_HEAD "zz\r\n", LM_HTTP_REQ_E_CHUNK, CH },
	{ "chunk_empty_size", CHUNKED_HEAD "\r\n", LM_HTTP_REQ_E_CHUNK, CH + 1 },
	{ "chunk_overflow", CHUNKED_HEAD "8000000000000000\r\n",
	  LM_HTTP_REQ_E_CHUNK, CH + 15 },
	{ "chunk_overflow_long", CHUNKED_HEAD "1000000000000000000\r\n",
	  LM_HTTP_REQ_E_CHUNK, CH + 16 },
	{ "chunk_no_crlf_after_data", CHUNKED_HEAD "5\r\nhelloX",
	  LM_HTTP_REQ_E_CHUNK, CH + 8 },
	{ "chunk_data_too_long", CHUNKED_HEAD "5;e\r\nhelloo\r\n",
	  LM_HTTP_REQ_E_CHUNK, CH + 10 },
	{ "chunk_leading_space", CHUNKED_HEAD " 5\r\n", LM_HTTP_REQ_E_CHUNK, CH },
	{ "chunk_cr_cr_lf", CHUNKED_HEAD "5\r\nhello\r\r\n",
	  LM_HTTP_REQ_E_CHUNK, CH + 9 },
	{ "chunk_bare_cr", CHUNKED_HEAD "5\r\nhello\rX", LM_HTTP_REQ_E_CHUNK,
	  CH + 9 },
	{ "chunk_negative", CHUNKED_HEAD "-1\r\n", LM_HTTP_REQ_E_CHUNK, CH },
	{ "chunk_0x", CHUNKED_HEAD "0x5\r\n", LM_HTTP_REQ_E_CHUNK, CH + 1 },
	{ "chunk_space_in_size", CHUNKED_HEAD "5 5\r\n", LM_HTTP_REQ_E_CHUNK,
	  CH + 2 },
	{ "chunk_junk_after_bws", CHUNKED_HEAD "5 x\r\n", LM_HTTP_REQ_E_CHUNK,
	  CH + 2 },
	/* an error in the second of two pipelined requests */
	{ "second_request_bad",
	  "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/2.0\r\n\r\n",
	  LM_HTTP_REQ_E_VERSION, 31 },
	{ "second_request_after_body_bad",
	  "POST /a HTTP/1.1\r\nContent-Length: 2\r\n\r\nab\r\n\r\nG(",
	  LM_HTTP_REQ_E_REQUEST_LINE, 46 },
	/* the close comes too early (fed completely, then eof) */
	{ "eof_in_method", "GE", LM_HTTP_REQ_E_EOF, 2 },
	{ "eof_after_empty_line", "\r\nG", LM_HTTP_REQ_E_EOF, 3 },
	{ "eof_in_target", "GET /ab", LM_HTTP_REQ_E_EOF, 7 },
	{ "eof_in_absolute", "GET http://h", LM_HTTP_REQ_E_EOF, 12 },
	{ "eof_in_version", "GET / HTTP/1.", LM_HTTP_REQ_E_EOF, 13 },
	{ "eof_in_cr", "GET / HTTP/1.1\r", LM_HTTP_REQ_E_EOF, 15 },
	{ "eof_in_head", "GET / HTTP/1.1\r\nHost: h\r\n", LM_HTTP_REQ_E_EOF,
	  25 },
	{ "eof_in_skipped_value", "GET / HTTP/1.1\r\nHost: h", LM_HTTP_REQ_E_EOF,
	  23 },
	{ "eof_in_body", "POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc",
	  LM_HTTP_REQ_E_EOF, 42 },
	{ "eof_in_chunk", CHUNKED_HEAD "5\r\nhel", LM_HTTP_REQ_E_EOF, CH + 6 },
	{ "eof_in_chunk_ext", CHUNKED_HEAD "5;x", LM_HTTP_REQ_E_EOF, CH + 3 },
	{ "eof_in_trailers", CHUNKED_HEAD "0\r\nX: y\r\n", LM_HTTP_REQ_E_EOF,
	  CH + 9 },
	{ "eof_in_second", "GET /a HTTP/1.1\r\n\r\nGET", LM_HTTP_REQ_E_EOF,
	  22 },
};

/* ------------------------------------------------------------------ */
/* helpers */

/* a fixed seed gives the same data on every run */
#define rng_next(s) lm_splitmix64(s)

static uint64_t
rng_below(uint64_t *s, uint64_t n)
{
	return n ? rng_next(s) % n : 0;
}

#define CHECK_EQ(ctx, a, b) do { \
	uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	if (a_ != b_) { \
		print_error("%s: %s is %" PRIu64 ", expected %" PRIu64 "\n", \
			    (ctx), #a, a_, b_); \
		fail(); \
	} \
} while (0)

#define MAX_REQS 8

/* A stream of pipelined requests and what each must give. */
struct buf {
	uint8_t *data;
	size_t len;             /* all of it */
	size_t cap;
	size_t n;               /* complete requests in it */
	size_t ends[MAX_REQS];  /* where each ends */
	const struct req_expect *x[MAX_REQS];
};

static uint8_t *
buf_grow(struct buf *b, size_t n)
{
	uint8_t *at;

	if (b->data == NULL || b->len + n > b->cap) {
		b->cap = 2 * (b->len + n) + 16;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	at = b->data + b->len;
	b->len += n;
	return at;
}

static void
buf_add(struct buf *b, const void *s, size_t n)
{
	memcpy(buf_grow(b, n), s, n);
}

static void
buf_str(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

static void
buf_fill(struct buf *b, char c, size_t n)
{
	memset(buf_grow(b, n), c, n);
}

/* The request added last is complete and must give x. */
static void
buf_end_req(struct buf *b, const struct req_expect *x)
{
	assert_true(b->n < MAX_REQS);
	b->ends[b->n] = b->len;
	b->x[b->n] = x;
	b->n++;
}

static void
buf_free(struct buf *b)
{
	free(b->data);
	memset(b, 0, sizeof(*b));
}

static struct buf
ok_case_buf(const struct ok_case *c)
{
	struct buf b;

	memset(&b, 0, sizeof(b));
	buf_str(&b, c->pre);
	buf_fill(&b, 'x', c->fill);
	buf_str(&b, c->post);
	buf_end_req(&b, &c->x);
	buf_str(&b, NEXT);
	buf_end_req(&b, &next_expect);
	return b;
}

/* How the stream is cut into pieces. */
enum cut { CUT_WHOLE, CUT_TWO, CUT_BYTES, CUT_RANDOM };

struct cutter {
	enum cut how;
	size_t at;              /* CUT_TWO: the split position */
	uint64_t seed;          /* CUT_RANDOM */
	size_t max;             /* CUT_RANDOM: pieces of 1..max bytes */
};

static size_t
cutter_next(struct cutter *c, size_t off, size_t left)
{
	size_t n;

	switch (c->how) {
	case CUT_TWO:
		return off < c->at ? c->at - off : left;
	case CUT_BYTES:
		return 1;
	case CUT_RANDOM:
		n = 1 + rng_below(&c->seed, c->max);
		return n < left ? n : left;
	default:
		return left;
	}
}

static const char *
cutter_str(const struct cutter *c, const char *name, char *s, size_t n)
{
	static const char *const how[] = { "whole", "split", "bytes", "random" };

	snprintf(s, n, "%s [%s at=%zu seed=%" PRIu64 " max=%zu]", name,
		 how[c->how], c->at, c->seed, c->max);
	return s;
}

struct outcome {
	/* the requests, then the parser that had the rest */
	struct lm_http_req_parser p[MAX_REQS + 1];
	size_t used[MAX_REQS + 1];  /* sum of what feed() returned */
	size_t n;                   /* parsers used */
	int eof;                    /* eof's return, -1: not called */
};

/*
 * Feed buf in pieces as a server would: when a request is complete, the
 * rest of the piece goes to a fresh parser for the next one. Then signal
 * the close if call_eof and the last parser has neither finished nor
 * failed.
 */
static void
drive(const char *ctx, const struct buf *b, struct cutter *cut,
      bool call_eof, struct outcome *o)
{
	struct lm_http_req_parser *p;
	size_t off = 0, n, got;

	memset(o, 0, sizeof(*o));
	o->eof = -1;
	o->n = 1;
	lm_http_req_init(&o->p[0]);
	p = &o->p[0];

	while (off < b->len || cut->how == CUT_WHOLE) {
		size_t end = off + cutter_next(cut, off, b->len - off);

		for (;;) {
			got = lm_http_req_feed(p, b->data + off, end - off);
			if (got > end - off) {
				print_error("%s: feed returned %zu of %zu\n",
					    ctx, got, end - off);
				fail();
			}
			o->used[o->n - 1] += got;
			off += got;
			if (lm_http_req_failed(p))
				goto out;
			if (!lm_http_req_done(p)) {
				/* unfinished: must have taken everything */
				CHECK_EQ(ctx, off, end);
				break;
			}
			/* done: nothing more goes in */
			n = lm_http_req_feed(p, b->data + off, end - off);
			CHECK_EQ(ctx, n, 0);
			if (o->n == MAX_REQS + 1)
				goto out;
			p = &o->p[o->n++];
			lm_http_req_init(p);
		}
		if (cut->how == CUT_WHOLE)
			break;
	}
out:
	if (call_eof && !lm_http_req_done(p) && !lm_http_req_failed(p))
		o->eof = lm_http_req_eof(p);
}

/* Two parsers that read the same bytes must be in the same state. */
static void
check_same_parser(const char *ctx, const struct lm_http_req_parser *a,
		  const struct lm_http_req_parser *b)
{
	CHECK_EQ(ctx, a->state, b->state);
	CHECK_EQ(ctx, a->sub, b->sub);
	CHECK_EQ(ctx, a->hdr, b->hdr);
	CHECK_EQ(ctx, a->tok, b->tok);
	CHECK_EQ(ctx, a->flags, b->flags);
	CHECK_EQ(ctx, a->err, b->err);
	CHECK_EQ(ctx, a->method, b->method);
	CHECK_EQ(ctx, a->head_done, b->head_done);
	CHECK_EQ(ctx, a->http10, b->http10);
	CHECK_EQ(ctx, a->conn_close, b->conn_close);
	CHECK_EQ(ctx, a->expect_continue, b->expect_continue);
	CHECK_EQ(ctx, a->chunked, b->chunked);
	CHECK_EQ(ctx, a->has_length, b->has_length);
	CHECK_EQ(ctx, a->line_len, b->line_len);
	CHECK_EQ(ctx, a->path_len, b->path_len);
	CHECK_EQ(ctx, a->head_len, b->head_len);
	CHECK_EQ(ctx, a->path_hash, b->path_hash);
	CHECK_EQ(ctx, a->content_length, b->content_length);
	CHECK_EQ(ctx, a->remaining, b->remaining);
	CHECK_EQ(ctx, a->body_bytes, b->body_bytes);
}

static void
check_same_outcome(const char *ctx, const struct outcome *a,
		   const struct outcome *b)
{
	CHECK_EQ(ctx, a->n, b->n);
	for (size_t i = 0; i < a->n && i < b->n; i++) {
		check_same_parser(ctx, &a->p[i], &b->p[i]);
		CHECK_EQ(ctx, a->used[i], b->used[i]);
	}
	CHECK_EQ(ctx, a->eof, b->eof);
}

/* One complete request against what it must give. */
static void
check_req(const char *ctx, const struct lm_http_req_parser *p,
	  const struct req_expect *x)
{
	size_t plen = strlen(x->path);

	if (!lm_http_req_done(p))
		print_error("%s: not done: state %u err %s\n", ctx, p->state,
			    lm_http_req_err_name(p->err));
	CHECK_EQ(ctx, p->state, LM_HTTP_REQ_S_DONE);
	CHECK_EQ(ctx, p->err, LM_HTTP_REQ_OK);
	CHECK_EQ(ctx, p->head_done, true);
	CHECK_EQ(ctx, p->method, x->method);
	if (p->path_hash != lm_fnv1a64(x->path, plen) || p->path_len != plen)
		print_error("%s: path is not \"%s\" (%u bytes hashed)\n", ctx,
			    x->path, p->path_len);
	CHECK_EQ(ctx, p->path_hash, lm_fnv1a64(x->path, plen));
	CHECK_EQ(ctx, p->path_len, plen);
	CHECK_EQ(ctx, p->http10, x->http10);
	CHECK_EQ(ctx, p->conn_close, x->conn_close);
	CHECK_EQ(ctx, p->expect_continue, x->expect_continue);
	CHECK_EQ(ctx, p->chunked, x->chunked);
	CHECK_EQ(ctx, p->has_length, x->cl != NO_CL);
	CHECK_EQ(ctx, p->content_length, x->cl != NO_CL ? x->cl : 0);
	CHECK_EQ(ctx, p->body_bytes, x->body);
	CHECK_EQ(ctx, p->remaining, 0);
}

/* Every request of the stream was read, each from exactly where the one
 * before stopped; what follows the last leaves a parser idle. */
static void
check_stream(const char *ctx, const struct buf *b, const struct outcome *o)
{
	size_t i, start = 0;

	CHECK_EQ(ctx, o->n, b->n + 1);
	for (i = 0; i < b->n && i < o->n; i++) {
		check_req(ctx, &o->p[i], b->x[i]);
		CHECK_EQ(ctx, o->used[i], b->ends[i] - start);
		start = b->ends[i];
	}
	if (o->n != b->n + 1)
		return;
	CHECK_EQ(ctx, o->p[b->n].state, LM_HTTP_REQ_S_START);
	CHECK_EQ(ctx, o->used[b->n], b->len - start);
	CHECK_EQ(ctx, o->eof, 1);
}

/* Run buf every way: whole, two pieces at every split (if every_split),
 * bytes, random pieces; each outcome is checked by check() (if any) and
 * must equal the whole-feed outcome. */
static void
run_all_cuts(const char *name, const struct buf *b, bool call_eof,
	     bool every_split, int random_runs,
	     void (*check)(const char *, const void *, const struct buf *,
			   const struct outcome *), const void *arg,
	     struct outcome *whole)
{
	struct cutter cut = { CUT_WHOLE, 0, 0, 0 };
	struct outcome o;
	char ctx[256];
	uint64_t seed = 0x5eed;
	int i;

	drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, &cut, call_eof,
	      whole);
	if (check)
		check(ctx, arg, b, whole);

	for (size_t at = 0; every_split && at <= b->len; at++) {
		cut = (struct cutter){ CUT_TWO, at, 0, 0 };
		drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, &cut,
		      call_eof, &o);
		if (check)
			check(ctx, arg, b, &o);
		check_same_outcome(ctx, whole, &o);
	}

	cut = (struct cutter){ CUT_BYTES, 0, 0, 0 };
	drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, &cut, call_eof, &o);
	if (check)
		check(ctx, arg, b, &o);
	check_same_outcome(ctx, whole, &o);

	for (i = 0; i < random_runs; i++) {
		static const size_t maxes[] = { 2, 7, 31, 200, 5000 };

		cut = (struct cutter){ CUT_RANDOM, 0, rng_next(&seed),
				       maxes[i % 5] };
		drive(cutter_str(&cut, name, ctx, sizeof(ctx)), b, &cut,
		      call_eof, &o);
		if (check)
			check(ctx, arg, b, &o);
		check_same_outcome(ctx, whole, &o);
	}
}

static void
check_stream_cb(const char *ctx, const void *arg, const struct buf *b,
		const struct outcome *o)
{
	(void)arg;
	check_stream(ctx, b, o);
}

/* ------------------------------------------------------------------ */
/* the tables */

static void
test_ok_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		struct buf b = ok_case_buf(&ok_cases[i]);
		struct outcome whole;

		run_all_cuts(ok_cases[i].name, &b, true, true, 100,
			     check_stream_cb, NULL, &whole);
		buf_free(&b);
	}
}

/* Many requests back to back in one buffer, with the empty lines old
 * clients send after a body, and one left over at the end. */
static void
test_pipelined(void **state)
{
	static const struct {
		const char *raw;
		struct req_expect x;
	} reqs[] = {
		{ "GET /one HTTP/1.1\r\nHost: h\r\n\r\n",
		  { M_GET, "/one", false, false, false, false, NO_CL, 0 } },
		{ "POST /two?x=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc",
		  { M_POST, "/two", false, false, false, false, 3, 3 } },
		{ "\r\nPUT /three HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
		  "3\r\nabc\r\n0\r\nT: 1\r\n\r\n",
		  { M_PUT, "/three", false, false, false, true, NO_CL, 3 } },
		{ "HEAD http://h/four HTTP/1.1\r\nExpect: 100-continue\r\n\r\n",
		  { M_HEAD, "/four", false, false, true, false, NO_CL, 0 } },
		{ "OPTIONS * HTTP/1.1\r\n\r\n",
		  { M_OPTIONS, "*", false, false, false, false, NO_CL, 0 } },
		{ "DELETE /six HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		  { M_DELETE, "/six", true, false, false, false, NO_CL, 0 } },
		{ "PATCH /seven HTTP/1.1\nContent-Length: 1\n\nz",
		  { M_PATCH, "/seven", false, false, false, false, 1, 1 } },
		{ "GET /eight HTTP/1.1\r\nConnection: close\r\n\r\n",
		  { M_GET, "/eight", false, true, false, false, NO_CL, 0 } },
	};
	struct buf b;
	struct outcome whole;
	size_t i;

	(void)state;
	_Static_assert(sizeof(reqs) / sizeof(reqs[0]) == MAX_REQS,
		       "fill the pipeline");
	memset(&b, 0, sizeof(b));
	for (i = 0; i < MAX_REQS; i++) {
		buf_str(&b, reqs[i].raw);
		buf_end_req(&b, &reqs[i].x);
	}
	/* trailing empty lines leave the next parser idle */
	buf_str(&b, "\r\n\n");
	run_all_cuts("pipelined", &b, true, true, 200, check_stream_cb, NULL,
		     &whole);
	CHECK_EQ("pipelined", whole.used[MAX_REQS], 3);
	buf_free(&b);
}

static void
check_err_cb(const char *ctx, const void *arg, const struct buf *b,
	     const struct outcome *o)
{
	const struct err_case *c = arg;
	const struct lm_http_req_parser *p = &o->p[o->n - 1];
	struct lm_http_req_parser copy;
	size_t used = 0, i;

	(void)b;
	for (i = 0; i < o->n; i++)
		used += o->used[i];
	if (p->err != (uint8_t)c->err)
		print_error("%s: err %s, expected %s\n", ctx,
			    lm_http_req_err_name(p->err),
			    lm_http_req_err_name(c->err));
	CHECK_EQ(ctx, p->state, LM_HTTP_REQ_S_ERROR);
	CHECK_EQ(ctx, p->err, c->err);
	if (c->stop >= 0)
		CHECK_EQ(ctx, used, c->stop);
	CHECK_EQ(ctx, o->eof, c->err == LM_HTTP_REQ_E_EOF ? 0 : -1);
	/* the requests before it were complete */
	for (i = 0; i + 1 < o->n; i++)
		CHECK_EQ(ctx, o->p[i].state, LM_HTTP_REQ_S_DONE);
	/* a failed parser takes nothing more, and eof keeps the error */
	copy = *p;
	CHECK_EQ(ctx, lm_http_req_feed(&copy, (const uint8_t *)"GET ", 4), 0);
	CHECK_EQ(ctx, lm_http_req_eof(&copy), false);
	CHECK_EQ(ctx, copy.err, c->err);
}

static void
test_err_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++) {
		const struct err_case *c = &err_cases[i];
		struct buf b;
		struct outcome whole;

		memset(&b, 0, sizeof(b));
		buf_str(&b, c->raw);
		run_all_cuts(c->name, &b, true, true, 50, check_err_cb, c,
			     &whole);
		buf_free(&b);
	}
}

/* Every error is reached by at least one case. */
static void
test_err_table_covers_all(void **state)
{
	bool seen[LM_HTTP_REQ_E_EOF + 1] = { false };
	size_t i;
	int e;

	(void)state;
	for (i = 0; i < sizeof(err_cases) / sizeof(err_cases[0]); i++)
		seen[err_cases[i].err] = true;
	seen[LM_HTTP_REQ_E_HEAD_TOO_LARGE] = true; /* test_limits_* */
	for (e = LM_HTTP_REQ_E_REQUEST_LINE; e <= LM_HTTP_REQ_E_EOF; e++)
		assert_true(seen[e]);
}

/* ------------------------------------------------------------------ */
/* limits */

struct limit_expect {
	bool ok;
	long stop;
	size_t path_len;        /* ok: of the first request */
};

static void
check_limit_cb(const char *ctx, const void *arg, const struct buf *b,
	       const struct outcome *o)
{
	const struct limit_expect *x = arg;

	if (x->ok) {
		CHECK_EQ(ctx, o->p[0].state, LM_HTTP_REQ_S_DONE);
		CHECK_EQ(ctx, o->used[0], b->len);
		if (x->path_len)
			CHECK_EQ(ctx, o->p[0].path_len, x->path_len);
	} else {
		CHECK_EQ(ctx, o->n, 1);
		CHECK_EQ(ctx, o->p[0].state, LM_HTTP_REQ_S_ERROR);
		CHECK_EQ(ctx, o->p[0].err, LM_HTTP_REQ_E_HEAD_TOO_LARGE);
		if (x->stop >= 0)
			CHECK_EQ(ctx, o->used[0], x->stop);
	}
}

static void
run_limit_path(const char *name, struct buf *b, bool ok, long stop,
	       size_t path_len)
{
	struct limit_expect x = { ok, stop, path_len };
	struct outcome whole;

	run_all_cuts(name, b, false, false, 20, check_limit_cb, &x, &whole);
	buf_free(b);
}

static void
run_limit(const char *name, struct buf *b, bool ok, long stop)
{
	run_limit_path(name, b, ok, stop, 0);
}

static void
test_limits_line(void **state)
{
	struct buf b;
	const char *end = "Content-Length: 0\r\n\r\n";
	size_t path = LM_HTTP_MAX_LINE_BYTES - 4 - 11;

	(void)state;
	memset(&b, 0, sizeof(b));
	/* a request-line of exactly the limit (with its CRLF), all path;
	 * then one byte more */
	buf_str(&b, "GET /");
	buf_fill(&b, 'p', path - 1);
	buf_str(&b, " HTTP/1.1\r\n\r\n");
	run_limit_path("path_at_limit", &b, true, -1, path);
	buf_str(&b, "GET /");
	buf_fill(&b, 'p', path);
	buf_str(&b, " HTTP/1.1\r\n\r\n");
	run_limit("path_over_limit", &b, false, LM_HTTP_MAX_LINE_BYTES);

	/* the query is not hashed but counts */
	buf_str(&b, "GET /?");
	buf_fill(&b, 'q', path - 2);
	buf_str(&b, " HTTP/1.1\r\n\r\n");
	run_limit_path("query_at_limit", &b, true, -1, 1);
	buf_str(&b, "GET /?");
	buf_fill(&b, 'q', path - 1);
	buf_str(&b, " HTTP/1.1\r\n\r\n");
	run_limit("query_over_limit", &b, false, LM_HTTP_MAX_LINE_BYTES);

	/* a method */
	buf_fill(&b, 'M', LM_HTTP_MAX_LINE_BYTES);
	buf_str(&b, " / HTTP/1.1\r\n\r\n");
	run_limit("method_over_limit", &b, false, LM_HTTP_MAX_LINE_BYTES);

	/* skipped field value */
	buf_str(&b, "GET / HTTP/1.1\r\nX-Big: ");
	buf_fill(&b, 'v', LM_HTTP_MAX_LINE_BYTES - 7 - 2);
	buf_str(&b, "\r\n");
	buf_str(&b, end);
	run_limit("value_at_limit", &b, true, -1);
	buf_str(&b, "GET / HTTP/1.1\r\nX-Big: ");
	buf_fill(&b, 'v', LM_HTTP_MAX_LINE_BYTES - 7 - 1);
	buf_str(&b, "\r\n");
	buf_str(&b, end);
	run_limit("value_over_limit", &b, false, 16 + LM_HTTP_MAX_LINE_BYTES);

	/* a field name parsed byte by byte */
	buf_str(&b, "GET / HTTP/1.1\r\n");
	buf_fill(&b, 'N', LM_HTTP_MAX_LINE_BYTES);
	buf_str(&b, ": v\r\n\r\n");
	run_limit("name_over_limit", &b, false, 16 + LM_HTTP_MAX_LINE_BYTES);

	/* a Content-Length of many leading zeros */
	buf_str(&b, "POST / HTTP/1.1\r\nContent-Length: ");
	buf_fill(&b, '0', LM_HTTP_MAX_LINE_BYTES);
	buf_str(&b, "\r\n\r\n");
	run_limit("cl_over_limit", &b, false, 17 + LM_HTTP_MAX_LINE_BYTES);

	/* an Expect value parsed byte by byte */
	buf_str(&b, "GET / HTTP/1.1\r\nExpect: ");
	buf_fill(&b, ' ', LM_HTTP_MAX_LINE_BYTES);
	buf_str(&b, "\r\n\r\n");
	run_limit("expect_over_limit", &b, false, 16 + LM_HTTP_MAX_LINE_BYTES);

	/* chunk extensions: the line limit holds for chunk-size lines */
	buf_str(&b, CHUNKED_HEAD "1;");
	buf_fill(&b, 'e', LM_HTTP_MAX_LINE_BYTES - 4);
	buf_str(&b, "\r\nx\r\n0\r\n\r\n");
	run_limit("chunk_ext_at_limit", &b, true, -1);
	buf_str(&b, CHUNKED_HEAD "1;");
	buf_fill(&b, 'e', LM_HTTP_MAX_LINE_BYTES - 3);
	buf_str(&b, "\r\nx\r\n0\r\n\r\n");
	run_limit("chunk_ext_over_limit", &b, false,
		  CH + LM_HTTP_MAX_LINE_BYTES);
}

/* Field lines "X-Fill-NNNNN: vvv\r\n" until b (what it held before, the
 * request-line and the empty line included) reaches `total` bytes. */
static void
head_of_size(struct buf *b, const char *line, size_t total)
{
	char fl[64];
	size_t left;

	buf_str(b, line);
	for (int i = 0;; i++) {
		left = total - b->len - 2;
		if (left < 1024 + 40)
			break;
		snprintf(fl, sizeof(fl), "X-Fill-%05d: ", i);
		buf_str(b, fl);
		buf_fill(b, 'v', 1024 - strlen(fl) - 2);
		buf_str(b, "\r\n");
	}
	/* last line takes the rest exactly */
	buf_str(b, "X-Last: ");
	buf_fill(b, 'w', left - 8 - 2);
	buf_str(b, "\r\n\r\n");
	assert_int_equal(b->len, total);
}

static void
test_limits_head(void **state)
{
	struct buf b;
	const char *rl = "GET /limit HTTP/1.1\r\n";
	size_t i;

	(void)state;
	memset(&b, 0, sizeof(b));
	head_of_size(&b, rl, LM_HTTP_MAX_HEAD_BYTES);
	run_limit("head_at_limit", &b, true, -1);
	head_of_size(&b, rl, LM_HTTP_MAX_HEAD_BYTES + 1);
	run_limit("head_over_limit", &b, false, LM_HTTP_MAX_HEAD_BYTES);

	/* empty lines before the request-line count: an endless stream of
	 * them fails */
	for (i = 0; i < LM_HTTP_MAX_HEAD_BYTES / 2 + 1; i++)
		buf_str(&b, "\r\n");
	run_limit("endless_empty_lines", &b, false, LM_HTTP_MAX_HEAD_BYTES);
	buf_fill(&b, '\n', 100);
	head_of_size(&b, rl, LM_HTTP_MAX_HEAD_BYTES);
	run_limit("empty_lines_and_head_at_limit", &b, true, -1);
	buf_fill(&b, '\n', 100);
	head_of_size(&b, rl, LM_HTTP_MAX_HEAD_BYTES + 1);
	run_limit("empty_lines_and_head_over_limit", &b, false,
		  LM_HTTP_MAX_HEAD_BYTES);

	/* trailers count with the header section... */
	buf_str(&b, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n");
	for (i = 0; i < 40; i++) {
		buf_str(&b, "X-H: ");
		buf_fill(&b, 'h', 1000);
		buf_str(&b, "\r\n");
	}
	buf_str(&b, "\r\n0\r\n");
	for (i = 0; i < 30; i++) {
		buf_str(&b, "X-T: ");
		buf_fill(&b, 't', 1000);
		buf_str(&b, "\r\n");
	}
	buf_str(&b, "\r\n");
	run_limit("trailers_over_limit", &b, false, -1);

	/* ... but chunk-size lines and data do not */
	buf_str(&b, CHUNKED_HEAD);
	for (i = 0; i < 8000; i++)
		buf_str(&b, "1;ext=aaaaaaa\r\nx\r\n");
	buf_str(&b, "0\r\n\r\n");
	run_limit("many_chunks", &b, true, -1);
}

/* ------------------------------------------------------------------ */
/* bodies are skipped, not read */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/*
 * A 1 GiB body whose pages are not even readable: the head ends at the end
 * of the first page, the body pages are PROT_NONE and what follows sits in a
 * readable page after them. Reading one body byte would crash; a loop over
 * the bytes would take seconds.
 */
static void
test_body_skipped_1g(void **state)
{
	const char *head = "PUT /up HTTP/1.1\r\nContent-Length: 1073741824\r\n"
			   "Expect: 100-continue\r\n\r\n";
	const uint64_t body = UINT64_C(1) << 30;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t hl = strlen(head), total, off, pieces[4], i;
	struct lm_http_req_parser p, q;
	uint8_t *map, *start;
	double t0, t1;
	size_t used = 0;

	(void)state;
	map = mmap(NULL, pg + body + pg, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map, pg, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(map + pg + body, pg, PROT_READ | PROT_WRITE),
			 0);
	start = map + pg - hl;
	memcpy(start, head, hl);
	memcpy(map + pg + body, NEXT, strlen(NEXT));
	total = hl + body + strlen(NEXT);

	/* the head alone (the server may answer 100 Continue); a big
	 * middle; the rest with the next request */
	pieces[0] = hl;
	pieces[1] = 600u << 20;
	pieces[2] = (300u << 20) + 3;
	pieces[3] = total - pieces[0] - pieces[1] - pieces[2];

	lm_http_req_init(&p);
	t0 = now_s();
	for (i = 0, off = 0; i < 4; off += pieces[i], i++) {
		size_t n = lm_http_req_feed(&p, start + off, pieces[i]);

		used += n;
		if (i == 0) {
			assert_true(p.head_done);
			assert_true(p.expect_continue);
			assert_false(lm_http_req_done(&p));
		}
		if (lm_http_req_done(&p))
			break;
		assert_int_equal(n, pieces[i]);
	}
	t1 = now_s();
	assert_true(lm_http_req_done(&p));
	assert_int_equal(p.body_bytes, body);
	assert_int_equal(used, hl + body);
	assert_true(t1 - t0 < 0.05);

	lm_http_req_init(&q);
	assert_int_equal(lm_http_req_feed(&q, start + used, total - used),
			 strlen(NEXT));
	assert_true(lm_http_req_done(&q));
	assert_int_equal(q.path_hash, lm_fnv1a64("/next", 5));
	munmap(map, pg + body + pg);
}

/* The same for a chunk of 1 GiB. */
static void
test_chunk_skipped_1g(void **state)
{
	const char *head = CHUNKED_HEAD "40000000\r\n";
	const char *tail = "\r\n0\r\n\r\n" NEXT;
	const uint64_t body = UINT64_C(1) << 30;
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t hl = strlen(head), total, n;
	struct lm_http_req_parser p;
	uint8_t *map, *start;
	double t0;

	(void)state;
	map = mmap(NULL, pg + body + pg, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map, pg, PROT_READ | PROT_WRITE), 0);
	assert_int_equal(mprotect(map + pg + body, pg, PROT_READ | PROT_WRITE),
			 0);
	start = map + pg - hl;
	memcpy(start, head, hl);
	memcpy(map + pg + body, tail, strlen(tail));
	total = hl + body + strlen(tail);

	lm_http_req_init(&p);
	t0 = now_s();
	n = lm_http_req_feed(&p, start, total);
	assert_true(now_s() - t0 < 0.05);
	assert_true(lm_http_req_done(&p));
	assert_true(p.chunked);
	assert_int_equal(p.body_bytes, body);
	assert_int_equal(n, total - strlen(NEXT));
	munmap(map, pg + body + pg);
}

/* ------------------------------------------------------------------ */
/* single behaviours */

static size_t
feed_str(struct lm_http_req_parser *p, const char *s)
{
	return lm_http_req_feed(p, (const uint8_t *)s, strlen(s));
}

static void
test_struct_size(void **state)
{
	(void)state;
	print_message("sizeof(struct lm_http_req_parser) = %zu\n",
		      sizeof(struct lm_http_req_parser));
	assert_true(sizeof(struct lm_http_req_parser) <= 48);
}

static void
test_done_and_error_take_nothing(void **state)
{
	struct lm_http_req_parser p;

	(void)state;
	lm_http_req_init(&p);
	assert_int_equal(feed_str(&p, "GET / HTTP/1.1\r\n\r\nGET"), 18);
	assert_true(lm_http_req_done(&p));
	assert_int_equal(feed_str(&p, "GET / HTTP/1.1\r\n"), 0);
	assert_true(lm_http_req_eof(&p));
	assert_true(lm_http_req_done(&p));

	lm_http_req_init(&p);
	assert_int_equal(feed_str(&p, "GET / HTTP/1.1\r\nBad Name: x\r\n"), 19);
	assert_true(lm_http_req_failed(&p));
	assert_int_equal(p.err, LM_HTTP_REQ_E_HEADER);
	assert_false(p.head_done);
	assert_int_equal(feed_str(&p, "more"), 0);
	/* eof keeps the first error */
	assert_false(lm_http_req_eof(&p));
	assert_int_equal(p.err, LM_HTTP_REQ_E_HEADER);

	/* empty feeds change nothing */
	lm_http_req_init(&p);
	assert_int_equal(lm_http_req_feed(&p, (const uint8_t *)"", 0), 0);
	assert_int_equal(p.state, LM_HTTP_REQ_S_START);
	assert_int_equal(p.path_hash, LM_FNV64_INIT);
}

static void
test_eof(void **state)
{
	struct lm_http_req_parser p;

	(void)state;
	/* a connection closed before any request, or between requests */
	lm_http_req_init(&p);
	assert_true(lm_http_req_eof(&p));
	assert_int_equal(p.state, LM_HTTP_REQ_S_START);
	/* empty lines are no request, even an unfinished one */
	lm_http_req_init(&p);
	assert_int_equal(feed_str(&p, "\r\n\n\r"), 4);
	assert_true(lm_http_req_eof(&p));
	assert_int_equal(p.err, LM_HTTP_REQ_OK);
	/* one byte of a request is a request */
	lm_http_req_init(&p);
	feed_str(&p, "\r\nP");
	assert_false(lm_http_req_eof(&p));
	assert_true(lm_http_req_failed(&p));
	assert_int_equal(p.err, LM_HTTP_REQ_E_EOF);
	assert_string_equal(lm_http_req_err_name(p.err), "eof");
	/* the head is in, the body is not */
	lm_http_req_init(&p);
	feed_str(&p, "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nab");
	assert_true(p.head_done);
	assert_false(lm_http_req_eof(&p));
	assert_int_equal(p.err, LM_HTTP_REQ_E_EOF);
	assert_true(p.head_done);
	/* a complete request: clean */
	lm_http_req_init(&p);
	feed_str(&p, "POST / HTTP/1.1\r\nContent-Length: 2\r\n\r\nab");
	assert_true(lm_http_req_eof(&p));
	assert_true(lm_http_req_done(&p));
}

/* head_done comes with the empty line after the header section, not
 * before, and stays through the body and trailers. */
static void
test_head_done(void **state)
{
	struct lm_http_req_parser p;

	(void)state;
	lm_http_req_init(&p);
	feed_str(&p, "POST /x HTTP/1.1\r\nExpect: 100-continue\r\n"
		 "Transfer-Encoding: chunked\r\n\r");
	assert_false(p.head_done);
	/* the request-line is final before the head is */
	assert_int_equal(p.method, LM_HTTP_REQ_M_POST);
	assert_int_equal(p.path_hash, lm_fnv1a64("/x", 2));
	feed_str(&p, "\n");
	assert_true(p.head_done);
	assert_true(p.expect_continue);
	assert_true(p.chunked);
	assert_false(lm_http_req_done(&p));
	feed_str(&p, "3\r\nabc\r\n0\r\nX: 1\r\n");
	assert_true(p.head_done);
	assert_false(lm_http_req_done(&p));
	assert_int_equal(p.body_bytes, 3);
	feed_str(&p, "\r\n");
	assert_true(lm_http_req_done(&p));

	/* no body: head_done and done together */
	lm_http_req_init(&p);
	feed_str(&p, "GET / HTTP/1.1\r\n");
	assert_false(p.head_done);
	feed_str(&p, "\r\n");
	assert_true(p.head_done);
	assert_true(lm_http_req_done(&p));

	/* a framing error at the end of the head: not done */
	lm_http_req_init(&p);
	feed_str(&p, "POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n");
	assert_true(lm_http_req_failed(&p));
	assert_false(p.head_done);
}

static void
test_content_length_bounds(void **state)
{
	struct lm_http_req_parser p;

	(void)state;
	/* 2^63 - 1 is the largest accepted */
	lm_http_req_init(&p);
	feed_str(&p, "POST / HTTP/1.1\r\nContent-Length: 9223372036854775807"
		 "\r\n\r\nab");
	assert_false(lm_http_req_failed(&p));
	assert_true(p.has_length);
	assert_int_equal(p.content_length, INT64_MAX);
	assert_int_equal(p.body_bytes, 2);
	assert_int_equal(p.remaining, INT64_MAX - 2);

	/* and for chunks */
	lm_http_req_init(&p);
	feed_str(&p, CHUNKED_HEAD "7fffffffffffffff\r\nabc");
	assert_false(lm_http_req_failed(&p));
	assert_int_equal(p.body_bytes, 3);
	assert_int_equal(p.remaining, INT64_MAX - 3);
	lm_http_req_init(&p);
	feed_str(&p, CHUNKED_HEAD "00000000000000000000000000000002\r\nab\r\n"
		 "0\r\n\r\n");
	assert_true(lm_http_req_done(&p));
	assert_int_equal(p.body_bytes, 2);
}

/* Each known method, and tokens near them, by name. */
static void
test_methods(void **state)
{
	static const struct {
		const char *tok;
		enum lm_http_req_method m;
	} ms[] = {
		{ "GET", M_GET }, { "HEAD", M_HEAD }, { "POST", M_POST },
		{ "PUT", M_PUT }, { "DELETE", M_DELETE }, { "PATCH", M_PATCH },
		{ "OPTIONS", M_OPTIONS }, { "CONNECT", M_OTHER },
		{ "TRACE", M_OTHER }, { "G", M_OTHER }, { "GETT", M_OTHER },
		{ "HEA", M_OTHER }, { "P", M_OTHER }, { "PA", M_OTHER },
		{ "PAT", M_OTHER }, { "PATCHY", M_OTHER }, { "PUTS", M_OTHER },
		{ "POS", M_OTHER }, { "Get", M_OTHER }, { "DELET", M_OTHER },
		{ "OPTION", M_OTHER }, { "OPTIONSS", M_OTHER },
		{ "HTTP", M_OTHER }, { "X", M_OTHER },
	};
	struct lm_http_req_parser p;
	char req[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		snprintf(req, sizeof(req), "%s /m HTTP/1.1\r\n\r\n", ms[i].tok);
		lm_http_req_init(&p);
		assert_int_equal(feed_str(&p, req), strlen(req));
		assert_true(lm_http_req_done(&p));
		if (p.method != ms[i].m)
			print_error("%s: method %u\n", ms[i].tok, p.method);
		assert_int_equal(p.method, ms[i].m);
		if (ms[i].m != M_OTHER)
			assert_string_equal(lm_http_req_method_name(p.method),
					    ms[i].tok);
	}
	assert_string_equal(lm_http_req_method_name(M_OTHER), "OTHER");
}

static void
test_err_names(void **state)
{
	(void)state;
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_OK), "ok");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_REQUEST_LINE),
			    "request_line");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_VERSION),
			    "version");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_HEADER),
			    "header");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_HEAD_TOO_LARGE),
			    "head_too_large");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_CONTENT_LENGTH),
			    "content_length");
	assert_string_equal(
		lm_http_req_err_name(LM_HTTP_REQ_E_TRANSFER_ENCODING),
		"transfer_encoding");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_CHUNK), "chunk");
	assert_string_equal(lm_http_req_err_name(LM_HTTP_REQ_E_EOF), "eof");
}

/* ------------------------------------------------------------------ */
/* mutated requests: whatever the outcome, the cut must not matter */

static void
test_mutations_split_invariant(void **state)
{
	static const char alphabet[] = "\r\n\t :;,?/*0123456789aAfFxX-\"";
	uint64_t seed = 42;
	size_t i;
	int m;

	(void)state;
	for (i = 0; i < sizeof(ok_cases) / sizeof(ok_cases[0]); i++) {
		const struct ok_case *c = &ok_cases[i];

		if (c->fill > 0)
			continue;
		for (m = 0; m < 150; m++) {
			struct buf b = ok_case_buf(c);
			struct outcome whole;
			char name[96];
			int k, edits = 1 + (int)rng_below(&seed, 3);

			for (k = 0; k < edits; k++) {
				size_t at = rng_below(&seed, b.len);
				uint8_t v = rng_below(&seed, 4) ?
					alphabet[rng_below(&seed,
						sizeof(alphabet) - 1)] :
					(uint8_t)rng_next(&seed);

				switch (rng_below(&seed, 3)) {
				case 0: /* replace */
					b.data[at] = v;
					break;
				case 1: /* delete */
					memmove(b.data + at, b.data + at + 1,
						b.len - at - 1);
					b.len--;
					break;
				default: /* insert */
					buf_fill(&b, 0, 1);
					memmove(b.data + at + 1, b.data + at,
						b.len - at - 1);
					b.data[at] = v;
					break;
				}
			}
			snprintf(name, sizeof(name), "%s~mut%d", c->name, m);
			run_all_cuts(name, &b, true, b.len < 400, 10, NULL,
				     NULL, &whole);
			buf_free(&b);
		}
	}
}

static int
build_many_headers(void **state)
{
	size_t len = 0;
	int i;

	(void)state;
	len += (size_t)snprintf(many_headers + len, sizeof(many_headers) - len,
				"POST /many HTTP/1.1\r\n");
	for (i = 0; i < 150; i++)
		len += (size_t)snprintf(many_headers + len,
					sizeof(many_headers) - len,
					"X-Header-%03d: value %d; a=b, c\r\n",
					i, i * 7919);
	len += (size_t)snprintf(many_headers + len, sizeof(many_headers) - len,
				"Content-Length: 6\r\n\r\n");
	return len < sizeof(many_headers) - 1 ? 0 : -1;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ok_table),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_err_table),
		cmocka_unit_test(test_err_table_covers_all),
		cmocka_unit_test(test_limits_line),
		cmocka_unit_test(test_limits_head),
		cmocka_unit_test(test_body_skipped_1g),
		cmocka_unit_test(test_chunk_skipped_1g),
		cmocka_unit_test(test_struct_size),
		cmocka_unit_test(test_done_and_error_take_nothing),
		cmocka_unit_test(test_eof),
		cmocka_unit_test(test_head_done),
		cmocka_unit_test(test_content_length_bounds),
		cmocka_unit_test(test_methods),
		cmocka_unit_test(test_err_names),
		cmocka_unit_test(test_mutations_split_invariant),
	};

	return cmocka_run_group_tests(tests, build_many_headers, NULL);
}
