/* SPDX-License-Identifier: BSD-3-Clause */
/* The tables of the HTTP/1.1 parsers' shared framing (app/http_framing.h). */
#include <stdbool.h>
#include <stdint.h>

#include "app/http_framing.h"

const struct lm_http_name lm_http_fields[LM_HTTP_H_COUNT] = {
	[LM_HTTP_H_CONTENT_LENGTH] = LM_HTTP_NAME("content-length"),
	[LM_HTTP_H_CONNECTION] = LM_HTTP_NAME("connection"),
	[LM_HTTP_H_TRANSFER_ENCODING] = LM_HTTP_NAME("transfer-encoding"),
	[LM_HTTP_H_EXPECT] = LM_HTTP_NAME("expect"),
};

const struct lm_http_name lm_http_tokens[LM_HTTP_T_COUNT] = {
	[LM_HTTP_T_CHUNKED] = LM_HTTP_NAME("chunked"),
	[LM_HTTP_T_CLOSE] = LM_HTTP_NAME("close"),
	[LM_HTTP_T_KEEP_ALIVE] = LM_HTTP_NAME("keep-alive"),
	[LM_HTTP_T_100_CONTINUE] = LM_HTTP_NAME("100-continue"),
};

const bool lm_http_tchar[256] = {
	['0' ... '9'] = true, ['A' ... 'Z'] = true, ['a' ... 'z'] = true,
	['!'] = true, ['#'] = true, ['$'] = true, ['%'] = true, ['&'] = true,
	['\''] = true, ['*'] = true, ['+'] = true, ['-'] = true, ['.'] = true,
	['^'] = true, ['_'] = true, ['`'] = true, ['|'] = true, ['~'] = true,
};
