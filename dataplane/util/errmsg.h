/* SPDX-License-Identifier: BSD-3-Clause */
/* A message into a caller's buffer (err may be NULL or errlen 0: no message). */
#ifndef LM_ERRMSG_H
#define LM_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

static inline void __attribute__((format(printf, 3, 4)))
lm_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* How a message names a control byte besides its code: " (NUL)" etc. */
static inline const char *
lm_ctl_name(unsigned char c)
{
	switch (c) {
	case '\0':
		return " (NUL)";
	case '\r':
		return " (CR)";
	case '\n':
		return " (LF)";
	default:
		return "";
	}
}

#endif /* LM_ERRMSG_H */
