/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HdrHistogram interval log: writer, encoder, decoder, reader.
 *
 * Written from the published description of the formats (the interval
 * log's text layout and the "V2" histogram encoding); see hlog.h for the
 * layout and why our histograms map onto HdrHistogram's index for index.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zlib.h>

#include "hlog.h"
#include "util/errmsg.h"

/*
 * Encoding cookies. Bits 4..7 of a cookie once carried the counts' word
 * size; V2 writers set 0x10 there, and readers mask those bits off
 * (cookie & ~0xf0) before comparing with the base.
 */
#define V2_COOKIE_BASE 0x1c849303u
#define V2_COMPRESSED_COOKIE_BASE 0x1c849304u
#define V2_COOKIE (V2_COOKIE_BASE | 0x10u)
#define V2_COMPRESSED_COOKIE (V2_COMPRESSED_COOKIE_BASE | 0x10u)
#define COOKIE_BASE(c) ((c) & ~0xf0u)
/* envelope: cookie, then the length of the deflated data */
#define COMPRESSED_HEADER 8
/* a decoded encoding larger than this is not a histogram but an attack */
#define INFLATE_LIMIT (16u << 20)
/* more than a year before StartTime: the timestamps are relative */
#define YEAR_S (365.0 * 24 * 3600)


/* The encoding is big-endian throughout (Java's ByteBuffer default). */
static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static uint32_t
get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t
get_be64(const uint8_t *p)
{
	return (uint64_t)get_be32(p) << 32 | get_be32(p + 4);
}

/*
 * ZigZag, then LEB128 limited to 9 bytes: eight bytes of 7 bits with a
 * continuation bit, and a ninth byte (if needed) with all 8 remaining
 * bits, so a 64-bit word never takes 10 bytes as in plain LEB128.
 */
static size_t
zz_put(uint8_t *p, int64_t v)
{
	uint64_t u = ((uint64_t)v << 1) ^ (v < 0 ? UINT64_MAX : 0);
	size_t n = 0;

	while (n < 8) {
		if (u < 0x80) {
			p[n++] = (uint8_t)u;
			return n;
		}
		p[n++] = (uint8_t)((u & 0x7f) | 0x80);
		u >>= 7;
	}
	p[n++] = (uint8_t)u;
	return n;
}

static int
zz_get(const uint8_t *p, size_t len, size_t *pos, int64_t *out)
{
	uint64_t u = 0;
	unsigned int i;

	for (i = 0; i < 9; i++) {
		uint8_t b;

		if (*pos >= len)
			return -1;
		b = p[(*pos)++];
		if (i == 8) {
			u |= (uint64_t)b << 56;
			break;
		}
		u |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0)
			break;
	}
	*out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
	return 0;
}

long
lm_hlog_encode_v2(const struct lm_hdr *h, uint8_t *buf)
{
	uint8_t *p = buf + LM_HLOG_V2_HEADER;
	uint32_t limit = 0, i = 0;
	double one = 1.0;
	uint64_t one_bits;

	/*
	 * Counts up to the highest non-empty one, as HdrHistogram writes
	 * them (up to the index of its max value); an empty histogram still
	 * writes one zero count.
	 */
	for (uint32_t k = 0; k < LM_HDR_COUNTS; k++) {
		if (h->counts[k] > INT64_MAX)
			return -ERANGE;
		if (h->counts[k] != 0)
			limit = k;
	}
	limit++;

	while (i < limit) {
		uint64_t c = h->counts[i++];
		int64_t zeros = 1;

		if (c != 0) {
			p += zz_put(p, (int64_t)c);
			continue;
		}
		while (i < limit && h->counts[i] == 0) {
			zeros++;
			i++;
		}
		/* a lone zero is written as 0, a run as minus its length */
		p += zz_put(p, zeros > 1 ? -zeros : 0);
	}

	memcpy(&one_bits, &one, sizeof(one_bits));
	put_be32(buf, V2_COOKIE);
	put_be32(buf + 4, (uint32_t)(p - buf - LM_HLOG_V2_HEADER));
	put_be32(buf + 8, 0);                   /* normalizing index offset */
	put_be32(buf + 12, LM_HLOG_DIGITS);
	put_be64(buf + 16, LM_HLOG_LOWEST);
	put_be64(buf + 24, LM_HDR_MAX_VALUE);   /* highest trackable value */
	put_be64(buf + 32, one_bits);           /* integer to double ratio */
	return p - buf;
}

static const char b64_chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static void
b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
			     in[i + 2];

		*out++ = b64_chars[v >> 18];
		*out++ = b64_chars[(v >> 12) & 63];
		*out++ = b64_chars[(v >> 6) & 63];
		*out++ = b64_chars[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		*out++ = b64_chars[v >> 18];
		*out++ = b64_chars[(v >> 12) & 63];
		*out++ = i + 1 < n ? b64_chars[(v >> 6) & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

static int
b64_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Standard alphabet; padding optional. Returns the length or -1. */
static long
b64_decode(const char *in, size_t len, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t i, n = 0;

	while (len > 0 && in[len - 1] == '=')
		len--;
	for (i = 0; i < len; i++) {
		int v = b64_value(in[i]);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* a single character left over cannot hold a byte */
	if (bits >= 6)
		return -1;
	return (long)n;
}

char *
lm_hlog_encode(const struct lm_hdr *h)
{
	uint8_t *raw, *z;
	uLongf zlen;
	long n;
	char *text = NULL;

	raw = malloc(LM_HLOG_V2_MAX);
	if (raw == NULL)
		return NULL;
	n = lm_hlog_encode_v2(h, raw);
	if (n < 0) {
		free(raw);
		errno = -n;
		return NULL;
	}
	zlen = compressBound((uLong)n);
	z = malloc(COMPRESSED_HEADER + zlen);
	if (z == NULL)
		goto out;
	/* zlib stream (not raw deflate), default level: what Java's Deflater makes */
	if (compress2(z + COMPRESSED_HEADER, &zlen, raw, (uLong)n,
		      Z_DEFAULT_COMPRESSION) != Z_OK) {
		errno = ENOMEM;
		goto out;
	}
	put_be32(z, V2_COMPRESSED_COOKIE);
	put_be32(z + 4, (uint32_t)zlen);
	zlen += COMPRESSED_HEADER;
	text = malloc((zlen + 2) / 3 * 4 + 1);
	if (text != NULL)
		b64_encode(z, zlen, text);
out:
	free(z);
	free(raw);
	return text;
}

/* Inflate a zlib stream; *out is malloc'ed. Returns its length or -1. */
static long
inflate_all(const uint8_t *in, size_t len, uint8_t **out)
{
	z_stream zs;
	size_t cap = 64 * 1024;
	uint8_t *buf = malloc(cap);
	int rc;

	*out = NULL;
	if (buf == NULL)
		return -1;
	memset(&zs, 0, sizeof(zs));
	if (inflateInit(&zs) != Z_OK) {
		free(buf);
		return -1;
	}
	zs.next_in = (Bytef *)(uintptr_t)in;
	zs.avail_in = (uInt)len;
	zs.next_out = buf;
	zs.avail_out = (uInt)cap;
	for (;;) {
		rc = inflate(&zs, Z_NO_FLUSH);
		if (rc == Z_STREAM_END)
			break;
		if (rc != Z_OK && rc != Z_BUF_ERROR)
			goto fail;
		if (zs.avail_out == 0) {
			uint8_t *nb;

			if (cap >= INFLATE_LIMIT)
				goto fail;
			nb = realloc(buf, cap * 2);
			if (nb == NULL)
				goto fail;
			buf = nb;
			zs.next_out = buf + cap;
			zs.avail_out = (uInt)cap;
			cap *= 2;
		} else if (rc == Z_BUF_ERROR || zs.avail_in == 0) {
			goto fail;      /* truncated stream */
		}
	}
	inflateEnd(&zs);
	*out = buf;
	return (long)zs.total_out;
fail:
	inflateEnd(&zs);
	free(buf);
	return -1;
}

/* The layout an encoding declares, enough to turn an index into a value. */
struct layout {
	unsigned int unit_mag;      /* log2(lowest discernible value) */
	unsigned int half_mag;      /* log2(sub-buckets per half bucket) */
	bool ours;                  /* index for index identical to lm_hdr */
};

static int
layout_from(struct layout *lo, uint32_t digits, uint64_t lowest,
	    char *err, size_t errlen)
{
	uint64_t single = 2;        /* 2 * 10^digits: exact up to there */
	unsigned int count_mag = 0;

	if (digits > 5) {
		lm_errf(err, errlen, "%u significant digits (at most 5)",
			digits);
		return -EINVAL;
	}
	if (lowest < 1) {
		lm_errf(err, errlen, "lowest discernible value 0");
		return -EINVAL;
	}
	for (uint32_t d = 0; d < digits; d++)
		single *= 10;
	while ((UINT64_C(1) << count_mag) < single)
		count_mag++;
	lo->half_mag = count_mag > 1 ? count_mag - 1 : 0;
	lo->unit_mag = 63 - (unsigned int)__builtin_clzll(lowest);
	/* 2 digits: 200 -> 256 sub-buckets, half 128, as in lm_hdr */
	lo->ours = lo->unit_mag == 0 && lo->half_mag == LM_HDR_SUB_BITS - 1;
	return 0;
}

/*
 * Lowest value of index i in layout lo: indexes below a full bucket of
 * sub-buckets are bucket 0 (sub-bucket = index); above, each bucket adds
 * a half bucket whose sub-buckets are the upper half [half, 2 * half).
 * Returns false when the value does not fit in 63 bits.
 */
static bool
layout_value(const struct layout *lo, uint64_t i, uint64_t *v)
{
	uint64_t half = UINT64_C(1) << lo->half_mag;
	uint64_t bucket, sub;
	unsigned int shift;

	if (i < 2 * half) {
		bucket = 0;
		sub = i;
	} else {
		bucket = (i >> lo->half_mag) - 1;
		sub = (i & (half - 1)) + half;
	}
	if (bucket + lo->unit_mag + lo->half_mag + 1 > 63)
		return false;
	shift = (unsigned int)bucket + lo->unit_mag;
	*v = sub << shift;
	return true;
}

/* Fill out from the counts of a V2 encoding (cookie already checked). */
static int
decode_v2(const uint8_t *p, size_t len, struct lm_hdr *out,
	  char *err, size_t errlen)
{
	struct layout lo;
	uint32_t payload, digits;
	int32_t offset;
	uint64_t lowest, ratio_bits, idx = 0;
	double ratio;
	size_t pos = LM_HLOG_V2_HEADER, end;
	int rc;

	if (len < LM_HLOG_V2_HEADER) {
		lm_errf(err, errlen, "histogram encoding truncated (%zu bytes)",
			len);
		return -EINVAL;
	}
	payload = get_be32(p + 4);
	offset = (int32_t)get_be32(p + 8);
	digits = get_be32(p + 12);
	lowest = get_be64(p + 16);
	ratio_bits = get_be64(p + 32);
	memcpy(&ratio, &ratio_bits, sizeof(ratio));
	if (payload > len - LM_HLOG_V2_HEADER) {
		lm_errf(err, errlen, "histogram payload of %u bytes, only %zu "
			"present", payload, len - LM_HLOG_V2_HEADER);
		return -EINVAL;
	}
	/* shifted or floating-point (DoubleHistogram) layouts: not ours */
	if (offset != 0) {
		lm_errf(err, errlen, "normalizing index offset %d not supported",
			offset);
		return -EINVAL;
	}
	if (ratio != 1.0) {
		lm_errf(err, errlen, "integer to double ratio %g: not an integer "
			"histogram", ratio);
		return -EINVAL;
	}
	rc = layout_from(&lo, digits, lowest, err, errlen);
	if (rc != 0)
		return rc;

	lm_hdr_init(out);
	end = LM_HLOG_V2_HEADER + payload;
	while (pos < end) {
		int64_t c;
		uint64_t v;
		uint32_t k;

		if (zz_get(p, end, &pos, &c) != 0) {
			lm_errf(err, errlen, "histogram counts truncated");
			return -EINVAL;
		}
		if (c < 0) {
			/* a run of zeros; INT64_MIN cannot be negated */
			if (c == INT64_MIN || idx + (uint64_t)-c < idx) {
				lm_errf(err, errlen, "bad run of zero counts");
				return -EINVAL;
			}
			idx += (uint64_t)-c;
			continue;
		}
		if (c == 0) {
			idx++;
			continue;
		}
		if (lo.ours && idx < LM_HDR_COUNTS) {
			k = (uint32_t)idx;
		} else {
			if (!layout_value(&lo, idx, &v)) {
				lm_errf(err, errlen, "count at index %llu: value "
					"beyond 2^63", (unsigned long long)idx);
				return -EINVAL;
			}
			if (v > LM_HDR_MAX_VALUE) {
				out->clamped = lm_hlog_sat_add(out->clamped, (uint64_t)c);
				v = LM_HDR_MAX_VALUE;
			}
			k = lm_hdr_index(v);
		}
		out->counts[k] = lm_hlog_sat_add(out->counts[k], (uint64_t)c);
		idx++;
	}

	/*
	 * The format keeps no min, max or sum: take the sub-bucket bounds,
	 * and sub-bucket middles for the sum (as HdrHistogram's mean does).
	 */
	for (uint32_t k = 0; k < LM_HDR_COUNTS; k++) {
		uint64_t c = out->counts[k], lo_v, mid, s;

		if (c == 0)
			continue;
		lo_v = lm_hdr_lowest_at(k);
		if (out->total == 0)
			out->min = lo_v;
		out->max = lm_hdr_highest_at(k);
		mid = lo_v + (out->max - lo_v + 1) / 2;
		out->total = lm_hlog_sat_add(out->total, c);
		if (__builtin_mul_overflow(c, mid, &s))
			s = UINT64_MAX;
		out->sum = lm_hlog_sat_add(out->sum, s);
	}
	return 0;
}

int
lm_hlog_decode(const char *base64, size_t len, struct lm_hdr *out,
	       char *err, size_t errlen)
{
	uint8_t *bin, *raw = NULL;
	long n, rn;
	uint32_t cookie;
	int rc = -EINVAL;

	bin = malloc(len / 4 * 3 + 3);
	if (bin == NULL) {
		lm_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = b64_decode(base64, len, bin);
	if (n < 0) {
		lm_errf(err, errlen, "histogram is not valid base64");
		goto out;
	}
	if (n < 4) {
		lm_errf(err, errlen, "histogram encoding truncated");
		goto out;
	}
	cookie = get_be32(bin);
	if (COOKIE_BASE(cookie) == V2_COOKIE_BASE) {
		rc = decode_v2(bin, (size_t)n, out, err, errlen);
		goto out;
	}
	if (COOKIE_BASE(cookie) != V2_COMPRESSED_COOKIE_BASE) {
		lm_errf(err, errlen, "unknown histogram encoding (cookie "
			"0x%08x; only HdrHistogram V2 is read)", cookie);
		goto out;
	}
	if (n < COMPRESSED_HEADER ||
	    get_be32(bin + 4) > (uint64_t)n - COMPRESSED_HEADER) {
		lm_errf(err, errlen, "compressed histogram truncated");
		goto out;
	}
	rn = inflate_all(bin + COMPRESSED_HEADER, get_be32(bin + 4), &raw);
	if (rn < 0) {
		lm_errf(err, errlen, "compressed histogram does not inflate");
		goto out;
	}
	if (rn < 4 || COOKIE_BASE(get_be32(raw)) != V2_COOKIE_BASE) {
		lm_errf(err, errlen, "compressed data is not a V2 histogram "
			"encoding");
		goto out;
	}
	rc = decode_v2(raw, (size_t)rn, out, err, errlen);
out:
	free(raw);
	free(bin);
	return rc;
}

struct lm_hlog {
	FILE *f;
	char *path;
};

struct lm_hlog *
lm_hlog_open(const char *path, double start_epoch_s, char *err,
	     size_t errlen)
{
	struct lm_hlog *h = calloc(1, sizeof(*h));
	char date[64] = "";
	time_t t = (time_t)floor(start_epoch_s);
	struct tm tm;

	if (h == NULL || (h->path = strdup(path)) == NULL) {
		lm_errf(err, errlen, "out of memory");
		goto fail;
	}
	h->f = fopen(path, "w");
	if (h->f == NULL) {
		lm_errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	/* the date after the number is for people; readers take the number */
	if (localtime_r(&t, &tm) != NULL)
		strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Z %Y", &tm);
	fprintf(h->f,
		"#[Logged by lemmings-dp: values in nanoseconds]\n"
		"#[Histogram log format version 1.3]\n"
		"#[StartTime: %.3f (seconds since epoch), %s]\n"
		"\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\","
		"\"Interval_Compressed_Histogram\"\n",
		start_epoch_s, date);
	if (fflush(h->f) != 0 || ferror(h->f)) {
		lm_errf(err, errlen, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return h;
fail:
	if (h != NULL) {
		if (h->f != NULL)
			fclose(h->f);
		free(h->path);
		free(h);
	}
	return NULL;
}

int
lm_hlog_write(struct lm_hlog *h, const char *tag, double start_s,
	      double length_s, const struct lm_hdr *interval)
{
	char *text = lm_hlog_encode(interval);
	uint64_t max = 0;
	int rc = 0;

	if (text == NULL)
		return -errno;
	/*
	 * The MAX column as HdrHistogram writes it: the highest value
	 * equivalent to the max, which is what a reader of the counts sees.
	 */
	for (uint32_t k = LM_HDR_COUNTS; k-- > 0;)
		if (interval->counts[k] != 0) {
			max = lm_hdr_highest_at(k);
			break;
		}
	if (tag != NULL && tag[0] != '\0') {
		fputs("Tag=", h->f);
		for (const char *c = tag; *c != '\0'; c++)
			fputc(*c == ',' || (unsigned char)*c <= ' ' ||
			      *c == 0x7f ? '_' : *c, h->f);
		fputc(',', h->f);
	}
	fprintf(h->f, "%.3f,%.3f,%.3f,%s\n", start_s, length_s,
		(double)max / LM_HLOG_MS, text);
	free(text);
	if (fflush(h->f) != 0 || ferror(h->f))
		rc = errno != 0 ? -errno : -EIO;
	return rc;
}

long
lm_hlog_tell(const struct lm_hlog *h)
{
	return ftell(h->f);
}

int
lm_hlog_close(struct lm_hlog *h)
{
	int rc = 0;

	if (h == NULL)
		return 0;
	if (ferror(h->f))
		rc = -EIO;
	if (fclose(h->f) != 0 && rc == 0)
		rc = -errno;
	free(h->path);
	free(h);
	return rc;
}

/* strtod over exactly [s, end): the whole field must be a number */
static bool
parse_num(const char *s, const char *end, double *v)
{
	char buf[64], *e;
	size_t n = (size_t)(end - s);

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	*v = strtod(buf, &e);
	return *e == '\0' && isfinite(*v);
}

/* The number after a "#[Name: " header prefix. */
static bool
parse_header_time(const char *s, double *v)
{
	char *e;

	*v = strtod(s, &e);
	return e != s && isfinite(*v);
}

int
lm_hlog_read_file(const char *path, lm_hlog_line_fn fn, void *arg,
		  char *err, size_t errlen)
{
	FILE *f;
	char *line = NULL, *tag = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	bool have_start = false, have_base = false;
	double start_time = 0, base_time = 0;
	struct lm_hdr *hist;
	char why[256];
	int rc = 0;

	hist = malloc(sizeof(*hist));
	if (hist == NULL) {
		lm_errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		lm_errf(err, errlen, "%s: %s", path, strerror(errno));
		free(hist);
		return rc;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		struct lm_hlog_line l;
		const char *p = line, *c[3];
		double ts;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (strncmp(line, "#[StartTime: ", 13) == 0) {
			if (!parse_header_time(line + 13, &start_time)) {
				snprintf(why, sizeof(why), "bad StartTime");
				goto bad;
			}
			have_start = true;
			continue;
		}
		if (strncmp(line, "#[BaseTime: ", 12) == 0) {
			if (!parse_header_time(line + 12, &base_time)) {
				snprintf(why, sizeof(why), "bad BaseTime");
				goto bad;
			}
			have_base = true;
			continue;
		}
		if (line[0] == '#' || strncmp(line, "\"StartTimestamp\"", 16) == 0)
			continue;

		memset(&l, 0, sizeof(l));
		l.path = path;
		l.lineno = lineno;
		l.tag = "";
		if (strncmp(p, "Tag=", 4) == 0) {
			const char *comma = strchr(p + 4, ',');

			if (comma == NULL) {
				snprintf(why, sizeof(why), "a tag and nothing else");
				goto bad;
			}
			free(tag);
			tag = strndup(p + 4, (size_t)(comma - p - 4));
			if (tag == NULL) {
				snprintf(why, sizeof(why), "out of memory");
				goto bad;
			}
			l.tag = tag;
			p = comma + 1;
		}
		/* START,LENGTH,MAX,HISTOGRAM: exactly four fields */
		c[0] = strchr(p, ',');
		c[1] = c[0] != NULL ? strchr(c[0] + 1, ',') : NULL;
		c[2] = c[1] != NULL ? strchr(c[1] + 1, ',') : NULL;
		if (c[2] == NULL || strchr(c[2] + 1, ',') != NULL) {
			snprintf(why, sizeof(why), "not an interval line "
				 "(expected [Tag=T,]START,LENGTH,MAX,HISTOGRAM)");
			goto bad;
		}
		if (!parse_num(p, c[0], &l.start_s) ||
		    !parse_num(c[0] + 1, c[1], &l.length_s) ||
		    !parse_num(c[1] + 1, c[2], &l.max)) {
			snprintf(why, sizeof(why), "START, LENGTH or MAX is not "
				 "a number");
			goto bad;
		}
		if (lm_hlog_decode(c[2] + 1, strlen(c[2] + 1), hist, why,
				   sizeof(why)) != 0)
			goto bad;

		/* the HdrHistogram readers' rule for the time base */
		ts = l.start_s;
		if (!have_start) {
			start_time = ts;
			have_start = true;
		}
		if (!have_base) {
			base_time = ts < start_time - YEAR_S ? start_time : 0;
			have_base = true;
		}
		l.abs_start_s = base_time + ts;
		l.start_time_s = start_time;
		l.hist = hist;
		rc = fn(&l, arg);
		if (rc != 0)
			goto out;
	}
	if (ferror(f)) {
		rc = -EIO;
		lm_errf(err, errlen, "%s: read error", path);
	}
	goto out;
bad:
	rc = -EINVAL;
	lm_errf(err, errlen, "%s:%lu: %s", path, lineno, why);
out:
	fclose(f);
	free(line);
	free(tag);
	free(hist);
	return rc;
}
