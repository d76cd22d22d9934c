/* SPDX-License-Identifier: BSD-3-Clause */
/* The response tables of the parser's unit tests: see http_parse_cases.h. */
#include <stdio.h>

#include "http_parse_cases.h"

char many_headers[16384];

const struct ok_case ok_cases[] = {
	{ "content_length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	  "Content-Type: text/plain\r\n\r\nhello",
	  0, "", false, 200, 5, false, false, false, 5 },
	{ "content_length_zero",
	  "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
	  0, "", false, 200, 0, false, false, false, 0 },
	{ "content_length_list",
	  "HTTP/1.1 200 OK\r\nContent-Length:  \t7 , 7,7\t\r\n"
	  "Content-Length: 7\r\n\r\n1234567",
	  0, "", false, 200, 7, false, false, false, 7 },
	{ "content_length_leading_zeros",
	  "HTTP/1.1 200 OK\r\nContent-Length: 0003\r\n\r\nabc",
	  0, "", false, 200, 3, false, false, false, 3 },
	{ "chunked_ext_trailers",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "5;name=value\r\nhello\r\n"
	  "1A ; a=\"b;c\" ;x\r\nabcdefghijklmnopqrstuvwxyz\r\n"
	  "0;last=1\r\nX-Trailer: 1\r\nContent-Length: 99\r\n\r\n",
	  0, "", false, 200, 31, false, true, false, NO_CL },
	{ "chunked_final_of_gzip",
	  "HTTP/1.1 200 OK\r\ntransfer-encoding: GZIP ,  Chunked\r\n\r\n"
	  "A\r\n0123456789\r\n0\r\n\r\n",
	  0, "", false, 200, 10, false, true, false, NO_CL },
	{ "chunked_two_fields_empty_elements",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
	  "Transfer-Encoding: , chunked ,\r\n\r\n2\r\nok\r\n00\r\n\r\n",
	  0, "", false, 200, 2, false, true, false, NO_CL },
	{ "chunked_then_empty_te_line",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "Transfer-Encoding:\r\nConnection: ,\r\n\r\n1\r\na\r\n0\r\n\r\n",
	  0, "", false, 200, 1, false, true, false, NO_CL },
	{ "te_empty_reads_to_close",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: \r\n\r\nab",
	  0, "", false, 200, 2, true, false, true, NO_CL },
	{ "chunked_bws",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "2 \r\nab\r\n1\t;x\r\nc\r\n0  \r\n\r\n",
	  0, "", false, 200, 3, false, true, false, NO_CL },
	{ "chunked_large",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n11170\r\n",
	  70000, "\r\n0\r\n\r\n", false, 200, 70000, false, true, false, NO_CL },
	{ "te_and_cl_chunked_wins",
	  "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"
	  "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  0, "", false, 200, 3, true, true, false, 100 },
	{ "connection_close_in_list",
	  "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n"
	  "Content-Length: 2\r\n\r\nok",
	  0, "", false, 200, 2, true, false, false, 2 },
	{ "connection_not_close",
	  "HTTP/1.1 200 OK\r\n"
	  "Connection: closed, x-close,upgrade, clos, close;x, c lose\r\n"
	  "Content-Length: 2\r\n\r\nok",
	  0, "", false, 200, 2, false, false, false, 2 },
	{ "connection_close_second_field",
	  "HTTP/1.1 200 OK\r\nConnection: Upgrade\r\nconnection:CLOSE\r\n"
	  "Content-Length: 2\r\n\r\nok",
	  0, "", false, 200, 2, true, false, false, 2 },
	{ "http10_closes",
	  "HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc",
	  0, "", false, 200, 3, true, false, false, 3 },
	{ "http10_keep_alive",
	  "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n"
	  "Content-Length: 3\r\n\r\nabc",
	  0, "", false, 200, 3, false, false, false, 3 },
	{ "http10_with_te_reads_to_close",
	  "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n"
	  "Content-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	  0, "", false, 200, 13, true, false, true, 3 },
	{ "head",
	  "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
	  0, "", true, 200, 0, false, false, false, 1000 },
	{ "head_chunked",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
	  0, "", true, 200, 0, false, true, false, NO_CL },
	{ "no_content_204",
	  "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
	  0, "", false, 204, 0, false, false, false, 10 },
	{ "not_modified_304",
	  "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n"
	  "ETag: \"x\"\r\n\r\n",
	  0, "", false, 304, 0, false, true, false, NO_CL },
	{ "continue_100_then_200",
	  "HTTP/1.1 100 Continue\r\n\r\n"
	  "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
	  0, "", false, 200, 2, false, false, false, 2 },
	{ "early_hints_103_fields_forgotten",
	  "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n"
	  "Connection: close\r\nContent-Length: 5\r\n\r\n"
	  "HTTP/1.1 100 Continue\r\n\r\n"
	  "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nhi",
	  0, "", false, 201, 2, false, false, false, 2 },
	{ "switching_protocols_101",
	  "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	  "Connection: Upgrade\r\nContent-Length: 50\r\n\r\n",
	  0, "", false, 101, 0, false, false, false, 50 },
	{ "bare_lf",
	  "HTTP/1.1 200 OK\nContent-Length: 3\nConnection: close\n\nabc",
	  0, "", false, 200, 3, true, false, false, 3 },
	{ "bare_lf_chunked",
	  "HTTP/1.1 200 OK\nTransfer-Encoding: chunked\n\n"
	  "3\nabc\n0\nX-T: 1\n\n",
	  0, "", false, 200, 3, false, true, false, NO_CL },
	{ "no_reason_no_sp",
	  "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx",
	  0, "", false, 200, 1, false, false, false, 1 },
	{ "empty_reason",
	  "HTTP/1.1 404 \r\nContent-Length: 1\r\n\r\nx",
	  0, "", false, 404, 1, false, false, false, 1 },
	{ "reason_odd_bytes",
	  "HTTP/1.1 500 Bad\rThing \xff\x01 :\r\nContent-Length: 0\r\n\r\n",
	  0, "", false, 500, 0, false, false, false, 0 },
	{ "close_delimited",
	  "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n"
	  "some body\r\n\r\nHTTP/1.1 until close",
	  0, "", false, 200, 33, true, false, true, NO_CL },
	{ "te_gzip_reads_to_close",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzzz",
	  0, "", false, 200, 4, true, false, true, NO_CL },
	{ "large_content_length",
	  "HTTP/1.1 200 OK\r\nContent-Length: 70000\r\n\r\n",
	  70000, "", false, 200, 70000, false, false, false, 70000 },
	{ "many_headers", many_headers,
	  0, "abcdef", false, 200, 6, false, false, false, 6 },
	{ "mixed_case_names",
	  "HTTP/1.1 200 OK\r\ncOnTeNt-LeNgTh: 4\r\nCONNECTION: CLOSE\r\n"
	  "transfer-ENCODING: identity, CHUNKED\r\n\r\n4\r\nabcd\r\n0\r\n\r\n",
	  0, "", false, 200, 4, true, true, false, 4 },
	{ "near_miss_names",
	  "HTTP/1.1 200 OK\r\nContent-Lengthy: 5\r\nContent-Len: 9\r\n"
	  "Connectio: close\r\nConnections: close\r\n"
	  "Transfer-Encodings: chunked\r\nTransfer-Encodin: chunked\r\n"
	  "Con: close\r\nX-Content-Length: 99\r\nC: 1\r\nT: chunked\r\n"
	  "Content-Length: 2\r\n\r\nok",
	  0, "", false, 200, 2, false, false, false, 2 },
	{ "odd_values",
	  "HTTP/1.1 200 OK\r\nX-Empty:\r\nX-Colons: a:b:c\r\n"
	  "X-Bin: \x80\xff\x01\r\nX-Space:   \r\nX-Cr: a\rb\r\n"
	  "Content-Length: 1\r\n\r\nz",
	  0, "", false, 200, 1, false, false, false, 1 },
	{ "http_1_9_is_1_1",
	  "HTTP/1.9 200 OK\r\nContent-Length: 0\r\n\r\n",
	  0, "", false, 200, 0, false, false, false, 0 },
	{ "service_unavailable",
	  "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n"
	  "Content-Length: 0\r\n\r\n",
	  0, "", false, 503, 0, false, false, false, 0 },
};


const struct err_case err_cases[] = {
	/* status line */
	{ "http2", "HTTP/2 200 OK\r\n\r\n", false, LM_HTTP_E_STATUS_LINE, 5 },
	{ "code_2_digits", "HTTP/1.1 20 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 11 },
	{ "code_4_digits", "HTTP/1.1 2000 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 12 },
	{ "lower_case_name", "http/1.1 200 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 0 },
	{ "two_spaces", "HTTP/1.1  200 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 9 },
	{ "code_below_100", "HTTP/1.1 099 Low\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 11 },
	{ "code_above_599", "HTTP/1.1 600 High\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 11 },
	{ "leading_crlf", "\r\nHTTP/1.1 200 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 1 },
	{ "bare_cr_after_code", "HTTP/1.1 200\rOK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 13 },
	{ "not_http", "ICY 200 OK\r\n\r\n", false, LM_HTTP_E_STATUS_LINE, 0 },
	{ "minor_not_digit", "HTTP/1.x 200 OK\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 7 },
	{ "tab_after_version", "HTTP/1.1\t200 OK\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 8 },
	{ "bad_final_after_100",
	  "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 2x0 OK\r\n\r\n", false,
	  LM_HTTP_E_STATUS_LINE, 35 },
	/* field lines */
	{ "no_colon", "HTTP/1.1 200 OK\r\nNoColon\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 25 },
	{ "space_before_colon", "HTTP/1.1 200 OK\r\nContent-Length : 5\r\n\r\n",
	  false, LM_HTTP_E_HEADER, 31 },
	{ "obs_fold", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 25 },
	{ "space_before_first_field", "HTTP/1.1 200 OK\r\n\tX-A: 1\r\n\r\n",
	  false, LM_HTTP_E_HEADER, 17 },
	{ "empty_name", "HTTP/1.1 200 OK\r\n: novalue\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 17 },
	{ "bad_name_char", "HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 18 },
	{ "bare_cr_in_name", "HTTP/1.1 200 OK\r\nX-A\rB: 1\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 21 },
	{ "bare_cr_in_connection", "HTTP/1.1 200 OK\r\nConnection: close\rX\r\n\r\n",
	  false, LM_HTTP_E_HEADER, 35 },
	{ "cr_cr_lf_end", "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\r\n",
	  false, LM_HTTP_E_HEADER, 37 },
	{ "te_no_colon", "HTTP/1.1 200 OK\r\nTransfer-Encoding\r\n\r\n", false,
	  LM_HTTP_E_HEADER, 35 },
	{ "bad_trailer",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0\r\nBad Trailer\r\n\r\n", false, LM_HTTP_E_HEADER, 53 },
	{ "folded_trailer",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "0\r\nX: 1\r\n  y\r\n\r\n", false, LM_HTTP_E_HEADER, 56 },
	/* Content-Length */
	{ "cl_letters", "HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n",
	  false, LM_HTTP_E_CONTENT_LENGTH, 33 },
	{ "cl_empty", "HTTP/1.1 200 OK\r\nContent-Length: \r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 34 },
	{ "cl_list_differs", "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
	  false, LM_HTTP_E_CONTENT_LENGTH, 38 },
	{ "cl_fields_differ",
	  "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
	  false, LM_HTTP_E_CONTENT_LENGTH, 54 },
	{ "cl_negative", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 33 },
	{ "cl_plus", "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 33 },
	{ "cl_2_63", "HTTP/1.1 200 OK\r\nContent-Length: 9223372036854775808\r\n\r\n",
	  false, LM_HTTP_E_CONTENT_LENGTH, 51 },
	{ "cl_2_64", "HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n",
	  false, LM_HTTP_E_CONTENT_LENGTH, 52 },
	{ "cl_two_numbers", "HTTP/1.1 200 OK\r\nContent-Length: 5 5\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 35 },
	{ "cl_hex", "HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 34 },
	{ "cl_decimal_point", "HTTP/1.1 200 OK\r\nContent-Length: 1.0\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 34 },
	{ "cl_trailing_comma", "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 36 },
	{ "cl_leading_comma", "HTTP/1.1 200 OK\r\nContent-Length: ,5\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 33 },
	{ "cl_bare_cr", "HTTP/1.1 200 OK\r\nContent-Length: 5\r6\r\n\r\n", false,
	  LM_HTTP_E_CONTENT_LENGTH, 35 },
	/* chunked framing */
	{ "chunk_not_hex",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	  false, LM_HTTP_E_CHUNK, 47 },
	{ "chunk_empty_size",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
	  false, LM_HTTP_E_CHUNK, 48 },
	{ "chunk_overflow",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "8000000000000000\r\n", false, LM_HTTP_E_CHUNK, 62 },
	{ "chunk_overflow_long",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	  "1000000000000000000\r\n", false, LM_HTTP_E_CHUNK, 63 },
	{ "chunk_no_crlf_after_data",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloX",
	  false, LM_HTTP_E_CHUNK, 55 },
	{ "chunk_data_too_long",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;e\r\nhelloo\r\n",
	  false, LM_HTTP_E_CHUNK, 57 },
	{ "chunk_leading_space",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n 5\r\n",
	  false, LM_HTTP_E_CHUNK, 47 },
	{ "chunk_cr_cr_lf",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\r\n",
	  false, LM_HTTP_E_CHUNK, 56 },
	{ "chunk_bare_cr",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\rX",
	  false, LM_HTTP_E_CHUNK, 56 },
	{ "chunk_negative",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n",
	  false, LM_HTTP_E_CHUNK, 47 },
	{ "chunk_0x",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\n",
	  false, LM_HTTP_E_CHUNK, 48 },
	{ "chunk_space_in_size",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\n",
	  false, LM_HTTP_E_CHUNK, 49 },
	{ "chunk_junk_after_bws",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5 x\r\n",
	  false, LM_HTTP_E_CHUNK, 49 },
	/* the close comes too early (fed completely, then eof) */
	{ "eof_nothing", "", false, LM_HTTP_E_EOF, 0 },
	{ "eof_in_status", "HTTP/1.1 20", false, LM_HTTP_E_EOF, 11 },
	{ "eof_in_cr", "HTTP/1.1 200 OK\r", false, LM_HTTP_E_EOF, 16 },
	{ "eof_in_head", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n", false,
	  LM_HTTP_E_EOF, 37 },
	{ "eof_in_body", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
	  false, LM_HTTP_E_EOF, 42 },
	{ "eof_in_chunk",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
	  false, LM_HTTP_E_EOF, 53 },
	{ "eof_in_trailers",
	  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: y\r\n",
	  false, LM_HTTP_E_EOF, 56 },
	{ "eof_after_100", "HTTP/1.1 100 Continue\r\n\r\n", false,
	  LM_HTTP_E_EOF, 25 },
	{ "eof_in_head_of_head", "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n", true,
	  LM_HTTP_E_EOF, 36 },
};

const size_t n_ok_cases = sizeof(ok_cases) / sizeof(ok_cases[0]);
const size_t n_err_cases = sizeof(err_cases) / sizeof(err_cases[0]);

int
build_many_headers(void **state)
{
	size_t len = 0;
	int i;

	(void)state;
	len += (size_t)snprintf(many_headers + len, sizeof(many_headers) - len,
				"HTTP/1.1 200 OK\r\n");
	for (i = 0; i < 150; i++)
		len += (size_t)snprintf(many_headers + len,
					sizeof(many_headers) - len,
					"X-Header-%03d: value %d; a=b, c\r\n",
					i, i * 7919);
	len += (size_t)snprintf(many_headers + len, sizeof(many_headers) - len,
				"Content-Length: 6\r\n\r\n");
	return len < sizeof(many_headers) - 1 ? 0 : -1;
}
