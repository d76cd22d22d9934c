/* SPDX-License-Identifier: BSD-3-Clause */
/* A common start (see start_time.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "start_time.h"

/* digits of s[0..n) as a number into *v; false when not all digits */
static bool
digits(const char *s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		*v = *v * 10 + (s[i] - '0');
	}
	return true;
}

/* RFC 3339 section 5.6: full-date "T" full-time, with its offset. */
static bool
parse_rfc3339(const char *s, double *epoch_s)
{
	int y, mo, d, h, mi, sec, oh, om;
	double frac = 0;
	long offset = 0;
	struct tm tm;
	const char *p;
	time_t t;

	if (strlen(s) < 20 || !digits(s, 4, &y) || s[4] != '-' ||
	    !digits(s + 5, 2, &mo) || s[7] != '-' || !digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &mi) ||
	    s[16] != ':' || !digits(s + 17, 2, &sec))
		return false;
	p = s + 19;
	if (*p == '.') {
		const char *q = ++p;
		double scale = 0.1;

		while (isdigit((unsigned char)*p)) {
			frac += (*p - '0') * scale;
			scale /= 10;
			p++;
		}
		if (p == q)
			return false;
	}
	if ((*p == 'Z' || *p == 'z') && p[1] == '\0') {
		offset = 0;
	} else if ((*p == '+' || *p == '-') && strlen(p) == 6 &&
		   digits(p + 1, 2, &oh) && p[3] == ':' && digits(p + 4, 2, &om) &&
		   oh <= 23 && om <= 59) {
		offset = (oh * 60L + om) * 60L * (*p == '-' ? -1 : 1);
	} else {
		return false;
	}
	/* a leap second (60) is taken as the next second's start */
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return false;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	t = timegm(&tm);
	/* timegm normalises 31 February into March: such a date is wrong */
	if (t == (time_t)-1 || tm.tm_mday != d)
		return false;
	*epoch_s = (double)t - (double)offset + frac;
	return true;
}

int
lm_start_parse(const char *s, double *epoch_s, char *err, size_t errlen)
{
	char *end;
	double v;

	if (isdigit((unsigned char)s[0]) && strchr(s, '-') == NULL &&
	    strchr(s, ':') == NULL) {
		errno = 0;
		v = strtod(s, &end);
		if (errno == 0 && *end == '\0' && isfinite(v) && v > 0 &&
		    v < 1e11) {
			*epoch_s = v;
			return 0;
		}
	} else if (parse_rfc3339(s, &v)) {
		*epoch_s = v;
		return 0;
	}
	snprintf(err, errlen, "\"%s\" is not a time: give seconds since the "
		 "epoch (1795000000) or RFC 3339 (2026-11-23T12:00:00Z)", s);
	return -EINVAL;
}

double
lm_start_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

bool
lm_start_wait(double epoch_s, const volatile sig_atomic_t *stop)
{
	sig_atomic_t stop0 = *stop;

	for (;;) {
		double left = epoch_s - lm_start_now();
		struct timespec ts;

		if (left <= 0)
			return true;
		if (*stop != stop0)
			return false;
		if (left <= 0.001)
			continue;       /* the last millisecond: spin */
		/* wake at most 50 ms later to see a signal, 1 ms early */
		left = left - 0.001 < 0.05 ? left - 0.001 : 0.05;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		nanosleep(&ts, NULL);
	}
}
