/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of the HdrHistogram interval log (control/hlog.c).
 *
 * The encoding is checked against bytes derived by hand from the format's
 * description (not produced by any other implementation); decoding
 * against those bytes and against encodings of random histograms; merging
 * against logs written directly from the merged data.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include <lm/hdr.h>

#include "hlog.h"
#include "util/splitmix.h"

#define rng_next(s) lm_splitmix64(s)

static char tmp_dir[256];

static double
rng_unit(uint64_t *s)
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static struct lm_hdr *
hdr_new(void)
{
	struct lm_hdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	lm_hdr_init(h);
	return h;
}

/* latency-like values: log-uniform from 100 ns to ~10 s, a few clamped */
static void
record_random(struct lm_hdr *h, uint64_t *s, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++) {
		double e = 2.0 + rng_unit(s) * 11.5;

		lm_hdr_record(h, (uint64_t)pow(10.0, e));
	}
}

static const char *
tmp_path(const char *name)
{
	static char buf[8][512];
	static unsigned int next;
	char *p = buf[next++ % 8];

	snprintf(p, 512, "%s/%s", tmp_dir, name);
	return p;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* base64, written here a second time so that the tests do not trust hlog.c's */
static const char b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *
to_b64(const uint8_t *in, size_t n)
{
	char *out = malloc(n / 3 * 4 + 5), *o = out;
	uint32_t acc = 0;
	unsigned int bits = 0;

	assert_non_null(out);
	for (size_t i = 0; i < n; i++) {
		acc = acc << 8 | in[i];
		bits += 8;
		while (bits >= 6) {
			bits -= 6;
			*o++ = b64[(acc >> bits) & 63];
		}
	}
	if (bits > 0)
		*o++ = b64[(acc << (6 - bits)) & 63];
	while ((o - out) % 4 != 0)
		*o++ = '=';
	*o = '\0';
	return out;
}

static size_t
from_b64(const char *in, uint8_t *out)
{
	uint32_t acc = 0;
	unsigned int bits = 0;
	size_t n = 0;

	for (; *in != '\0' && *in != '='; in++) {
		const char *c = strchr(b64, *in);

		assert_non_null(c);
		acc = acc << 6 | (uint32_t)(c - b64);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	return n;
}

static void
assert_counts_equal(const struct lm_hdr *a, const struct lm_hdr *b)
{
	for (uint32_t i = 0; i < LM_HDR_COUNTS; i++)
		if (a->counts[i] != b->counts[i])
			fail_msg("index %u: %llu != %llu", i,
				 (unsigned long long)a->counts[i],
				 (unsigned long long)b->counts[i]);
	assert_int_equal(a->total, b->total);
}

/*
 * The V2 encoding of a histogram holding 1, 1, 3 and 300, derived from
 * the format's description:
 *
 * Our layout, in HdrHistogram's terms: 2 significant digits need single
 * unit resolution up to 2 * 10^2 = 200, so 2^ceil(log2 200) = 256
 * sub-buckets (half: 128); lowest discernible value 1, unit magnitude 0.
 * Index of a value: bucket b = the number of bits above the lowest 8 in
 * v | 255, sub-bucket s = v >> b, index = (b + 1) * 128 + (s - 128):
 *   1 -> b 0, index 1;  3 -> index 3;
 *   300 -> b 1 (256 <= 300 < 512), s = 150, index 256 + 22 = 278.
 *
 * Counts are written from index 0 up to the max's index (278), each as a
 * ZigZag LEB128 number (zigzag(n) = 2n for n >= 0, -2n - 1 for n < 0; 7
 * bits a byte, low first, 0x80 = more bytes follow); a run of k > 1 zero
 * counts is written as -k, a lone zero as 0:
 *   index 0      count 0 (alone)   0                -> 00
 *   index 1      count 2           zigzag 4         -> 04
 *   index 2      count 0 (alone)   0                -> 00
 *   index 3      count 1           zigzag 2         -> 02
 *   4 .. 277     274 zeros         -274: zigzag 547 = 4 * 128 + 0x23
 *                                                   -> a3 04
 *   index 278    count 1           zigzag 2         -> 02
 * 7 bytes of counts.
 *
 * The 40-byte header, big-endian: cookie 0x1c849303 with the word-size
 * bits 0x10 set (0x1c849313); payload length 7; normalizing index
 * offset 0; significant digits 2; lowest discernible value 1 (64 bits);
 * highest trackable value 2^42 - 1 = 0x3ffffffffff (64 bits); integer to
 * double conversion ratio 1.0 = IEEE 754 0x3ff0000000000000.
 */
static const uint8_t known_v2[] = {
	0x1c, 0x84, 0x93, 0x13,                         /* cookie */
	0x00, 0x00, 0x00, 0x07,                         /* payload length */
	0x00, 0x00, 0x00, 0x00,                         /* index offset */
	0x00, 0x00, 0x00, 0x02,                         /* digits */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, /* lowest */
	0x00, 0x00, 0x03, 0xff, 0xff, 0xff, 0xff, 0xff, /* highest */
	0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* ratio 1.0 */
	0x00, 0x04, 0x00, 0x02, 0xa3, 0x04, 0x02,       /* counts */
};

static struct lm_hdr *
known_hist(void)
{
	struct lm_hdr *h = hdr_new();

	lm_hdr_record(h, 1);
	lm_hdr_record(h, 1);
	lm_hdr_record(h, 3);
	lm_hdr_record(h, 300);
	return h;
}

static void
test_known_bytes(void **state)
{
	struct lm_hdr *h = known_hist();
	uint8_t *buf = malloc(LM_HLOG_V2_MAX);
	long n;

	(void)state;
	assert_non_null(buf);
	/* the index arithmetic above, checked against lm_hdr's */
	assert_int_equal(lm_hdr_index(300), 278);
	n = lm_hlog_encode_v2(h, buf);
	assert_int_equal(n, sizeof(known_v2));
	assert_memory_equal(buf, known_v2, sizeof(known_v2));
	free(buf);
	free(h);
}

/*
 * The compressed envelope: cookie 0x1c849304 | 0x10, the length of the
 * zlib stream, the stream; inflated, it is the V2 encoding above. Its
 * first 6 bytes 1c 84 93 14 00 00 are "HISTFAAA" in base64 (the length
 * is below 2^16), the start every HdrHistogram log line has.
 */
static void
test_known_compressed(void **state)
{
	struct lm_hdr *h = known_hist();
	char *text = lm_hlog_encode(h);
	uint8_t bin[512], raw[512];
	uLongf raw_len = sizeof(raw);
	size_t n;

	(void)state;
	assert_non_null(text);
	assert_true(strncmp(text, "HISTFAAA", 8) == 0);
	assert_true(strlen(text) < 680);
	n = from_b64(text, bin);
	assert_true(n > 8);
	assert_int_equal(bin[0], 0x1c);
	assert_int_equal(bin[1], 0x84);
	assert_int_equal(bin[2], 0x93);
	assert_int_equal(bin[3], 0x14);
	assert_int_equal((uint32_t)bin[4] << 24 | (uint32_t)bin[5] << 16 |
			 (uint32_t)bin[6] << 8 | bin[7], n - 8);
	assert_int_equal(uncompress(raw, &raw_len, bin + 8, n - 8), Z_OK);
	assert_int_equal(raw_len, sizeof(known_v2));
	assert_memory_equal(raw, known_v2, sizeof(known_v2));
	free(text);
	free(h);
}

/*
 * Words that need the ninth byte. zigzag(2^62) = 2^63: eight bytes of 7
 * zero bits, each with the continuation bit (80 x 8), and the ninth byte
 * holds the 8 bits left, 2^63 >> 56 = 0x80. zigzag(2^63 - 1) = 2^64 - 2:
 * fe, then ff x 7, then the top 8 bits ff. A count of 2^63 does not fit
 * the format's signed 64-bit words.
 */
static void
test_known_nine_bytes(void **state)
{
	static const uint8_t counts[] = {
		0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80,
		0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	struct lm_hdr *h = hdr_new(), *d = hdr_new();
	uint8_t *buf = malloc(LM_HLOG_V2_MAX);
	char err[256], *text;
	long n;

	(void)state;
	assert_non_null(buf);
	h->counts[0] = UINT64_C(1) << 62;
	h->counts[1] = INT64_MAX;
	h->total = h->counts[0] + h->counts[1];
	n = lm_hlog_encode_v2(h, buf);
	assert_int_equal(n, LM_HLOG_V2_HEADER + sizeof(counts));
	assert_memory_equal(buf + LM_HLOG_V2_HEADER, counts, sizeof(counts));
	assert_int_equal(buf[7], sizeof(counts));

	text = lm_hlog_encode(h);
	assert_non_null(text);
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
					sizeof(err)), 0);
	assert_int_equal(d->counts[0], UINT64_C(1) << 62);
	assert_int_equal(d->counts[1], INT64_MAX);
	free(text);

	h->counts[2] = UINT64_C(1) << 63;
	assert_int_equal(lm_hlog_encode_v2(h, buf), -ERANGE);
	assert_null(lm_hlog_encode(h));
	assert_int_equal(errno, ERANGE);
	free(buf);
	free(h);
	free(d);
}

/* An empty histogram still writes one zero count: payload 00. */
static void
test_known_empty(void **state)
{
	struct lm_hdr *h = hdr_new(), *d = hdr_new();
	uint8_t *buf = malloc(LM_HLOG_V2_MAX);
	char err[256], *text;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(lm_hlog_encode_v2(h, buf), LM_HLOG_V2_HEADER + 1);
	assert_int_equal(buf[7], 1);
	assert_int_equal(buf[LM_HLOG_V2_HEADER], 0);
	text = lm_hlog_encode(h);
	assert_non_null(text);
	lm_hdr_record(d, 5);
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
					sizeof(err)), 0);
	assert_int_equal(d->total, 0);
	assert_int_equal(d->max, 0);
	assert_true(d->min == UINT64_MAX);
	free(text);
	free(buf);
	free(h);
	free(d);
}

/* The uncompressed encoding (base64 of known_v2) is read too. */
static void
test_decode_hand_bytes(void **state)
{
	struct lm_hdr *d = hdr_new();
	char err[256], *text = to_b64(known_v2, sizeof(known_v2));

	(void)state;
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
					sizeof(err)), 0);
	assert_int_equal(d->total, 4);
	assert_int_equal(d->counts[1], 2);
	assert_int_equal(d->counts[3], 1);
	assert_int_equal(d->counts[278], 1);
	/* the bounds of the extreme sub-buckets: [1, 1] and [300, 301] */
	assert_int_equal(d->min, 1);
	assert_int_equal(d->max, 301);
	/* sum from sub-bucket middles: 1 + 1 + 3 + 301 (middle of 300..301) */
	assert_int_equal(d->sum, 306);
	free(text);
	free(d);
}

/*
 * A histogram of another layout: lowest discernible value 1000 (unit
 * magnitude floor(log2 1000) = 9), 2 digits. Its index 5 is bucket 0,
 * sub-bucket 5: value 5 << 9 = 2560; its index 300 is bucket
 * (300 >> 7) - 1 = 1, sub-bucket (300 & 127) + 128 = 172: value
 * 172 << (1 + 9) = 176128. Counts 3 and 7 there:
 *   5 zeros    -5:   zigzag 9                    -> 09
 *   count 3          zigzag 6                    -> 06
 *   294 zeros  -294: zigzag 587 = 4 * 128 + 0x4b -> cb 04
 *   count 7          zigzag 14                   -> 0e
 * Each count lands in our sub-bucket of that lowest value.
 */
static void
test_decode_other_layout(void **state)
{
	static const uint8_t enc[] = {
		0x1c, 0x84, 0x93, 0x13, 0x00, 0x00, 0x00, 0x05,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xe8, /* 1000 */
		0x00, 0x00, 0x00, 0x00, 0x3b, 0x9a, 0xca, 0x00, /* 10^9 */
		0x3f, 0xf0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x09, 0x06, 0xcb, 0x04, 0x0e,
	};
	struct lm_hdr *d = hdr_new();
	char err[256], *text = to_b64(enc, sizeof(enc));

	(void)state;
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
					sizeof(err)), 0);
	assert_int_equal(d->total, 10);
	assert_int_equal(d->counts[lm_hdr_index(2560)], 3);
	assert_int_equal(d->counts[lm_hdr_index(176128)], 7);
	free(text);
	free(d);
}

/* Random counts, dense and sparse, small and huge: decode(encode(h)) == h. */
static void
test_roundtrip_random(void **state)
{
	uint64_t s = 42;
	struct lm_hdr *h = hdr_new(), *d = hdr_new();
	char err[256];

	(void)state;
	for (int round = 0; round < 200; round++) {
		double density = rng_unit(&s);
		uint32_t top = (uint32_t)(rng_next(&s) % LM_HDR_COUNTS) + 1;
		char *text;

		lm_hdr_init(h);
		for (uint32_t i = 0; i < top; i++) {
			uint64_t r = rng_next(&s), c;

			if (rng_unit(&s) >= density)
				continue;
			switch (r % 4) {
			case 0:
				c = 1 + r % 3;
				break;
			case 1:
				c = r >> 40;
				break;
			case 2:
				c = r >> (1 + (r >> 58) % 63);
				break;
			default:
				c = round % 7 == 0 ? (r >> 1) : r % 1000;
			}
			h->counts[i] = c;
			h->total += c;
		}
		if (round % 10 == 0)
			h->counts[LM_HDR_COUNTS - 1] = 1;   /* the last index */
		text = lm_hlog_encode(h);
		assert_non_null(text);
		assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
						sizeof(err)), 0);
		/* total may wrap with huge counts; compare the counts */
		for (uint32_t i = 0; i < LM_HDR_COUNTS; i++)
			assert_true(h->counts[i] == d->counts[i]);
		free(text);
	}
	free(h);
	free(d);
}

static void
test_roundtrip_recorded(void **state)
{
	uint64_t s = 7;
	struct lm_hdr *h = hdr_new(), *d = hdr_new();
	char err[256];

	(void)state;
	for (int round = 0; round < 20; round++) {
		char *text;

		lm_hdr_init(h);
		record_random(h, &s, 1 + (unsigned int)(rng_next(&s) % 20000));
		text = lm_hlog_encode(h);
		assert_non_null(text);
		assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
						sizeof(err)), 0);
		assert_counts_equal(h, d);
		/* what went over the top lands in the last sub-bucket */
		assert_int_equal(d->clamped, 0);
		free(text);
	}
	free(h);
	free(d);
}

/*
 * Percentiles of the decoded histogram are those of the original, except
 * where the original's are capped at its exact max: the format keeps
 * counts only, so the decoded max is the top of the max's sub-bucket (as
 * in HdrHistogram, whose max is that highest equivalent value).
 */
static void
test_percentiles(void **state)
{
	static const double ps[] = { 0, 1, 10, 25, 50, 75, 90, 95, 99, 99.5,
				     99.9, 99.99, 99.999, 100 };
	uint64_t s = 99;
	struct lm_hdr *h = hdr_new(), *d = hdr_new();
	char err[256];

	(void)state;
	for (int round = 0; round < 30; round++) {
		char *text;

		lm_hdr_init(h);
		record_random(h, &s, 1 + (unsigned int)(rng_next(&s) % 5000));
		text = lm_hlog_encode(h);
		assert_non_null(text);
		assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
						sizeof(err)), 0);
		for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
			uint64_t want = lm_hdr_percentile(h, ps[i]);

			if (want == h->max)
				want = lm_hdr_highest_at(lm_hdr_index(h->max));
			assert_int_equal(lm_hdr_percentile(d, ps[i]), want);
		}
		free(text);
	}
	free(h);
	free(d);
}

/* What a line reader saw, for the tests that read logs back. */
struct seen {
	unsigned int n;
	char tag[8][32];
	double start[8], abs_start[8], length[8], max[8];
	struct lm_hdr *hist[8];
	int stop_at;            /* return 7 at this line (1-based), 0: never */
};

static int
seen_line(const struct lm_hlog_line *l, void *arg)
{
	struct seen *s = arg;

	if (s->stop_at != 0 && (int)s->n + 1 == s->stop_at)
		return 7;
	assert_true(s->n < 8);
	snprintf(s->tag[s->n], sizeof(s->tag[0]), "%s", l->tag);
	s->start[s->n] = l->start_s;
	s->abs_start[s->n] = l->abs_start_s;
	s->length[s->n] = l->length_s;
	s->max[s->n] = l->max;
	s->hist[s->n] = hdr_new();
	memcpy(s->hist[s->n], l->hist, sizeof(*l->hist));
	s->n++;
	return 0;
}

static void
seen_free(struct seen *s)
{
	for (unsigned int i = 0; i < s->n; i++)
		free(s->hist[i]);
}

/* The header lines, the line layout, the MAX column, tags cleaned. */
static void
test_write_lines(void **state)
{
	static const char head[] =
		"#[Logged by lemmings-dp: values in nanoseconds]\n"
		"#[Histogram log format version 1.3]\n"
		"#[StartTime: 1700000000.250 (seconds since epoch), ";
	const char *path = tmp_path("lines.hlog");
	struct lm_hdr *h = known_hist();
	char err[256], *text, *got, *want;
	struct lm_hlog *lg;
	struct seen s;

	(void)state;
	lg = lm_hlog_open(path, 1700000000.25, err, sizeof(err));
	assert_non_null(lg);
	assert_int_equal(lm_hlog_write(lg, "step one,ok", 1.5, 1.0, h), 0);
	assert_int_equal(lm_hlog_write(lg, NULL, 2.5, 0.5, h), 0);
	assert_int_equal(lm_hlog_close(lg), 0);

	got = slurp(path);
	text = lm_hlog_encode(h);
	assert_non_null(text);
	want = malloc(strlen(text) * 2 + 512);
	assert_non_null(want);
	/* the max: top of 300's sub-bucket, 301 ns = 0.000301 ms */
	sprintf(want, "Tag=step_one_ok,1.500,1.000,0.000,%s\n"
		"2.500,0.500,0.000,%s\n", text, text);
	assert_true(strncmp(got, head, strlen(head)) == 0);
	assert_non_null(strstr(got, "]\n\"StartTimestamp\",\"Interval_Length\","
			       "\"Interval_Max\",\"Interval_Compressed_Histogram"
			       "\"\n"));
	assert_string_equal(strstr(got, "Tag="), want);

	memset(&s, 0, sizeof(s));
	assert_int_equal(lm_hlog_read_file(path, seen_line, &s, err,
					   sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.tag[0], "step_one_ok");
	assert_string_equal(s.tag[1], "");
	/* relative timestamps: added to StartTime */
	assert_true(s.abs_start[0] == 1700000000.25 + 1.5);
	assert_true(s.length[1] == 0.5);
	assert_counts_equal(s.hist[0], h);
	seen_free(&s);
	free(want);
	free(text);
	free(got);
	free(h);
}

/* The readers' time base rules: relative, absolute, BaseTime. */
static void
test_read_times(void **state)
{
	const char *path = tmp_path("times.hlog");
	struct lm_hdr *h = known_hist();
	char err[256], *text = lm_hlog_encode(h), *log;
	struct seen s;

	(void)state;
	assert_non_null(text);
	log = malloc(strlen(text) * 3 + 512);
	assert_non_null(log);
	/* no StartTime; absolute stamps: taken as they are */
	sprintf(log, "# a comment\n"
		"1700000001.000,1.000,0.000,%s\r\n"
		"\n"
		"Tag=b,1700000002.000,1.000,0.000,%s\n", text, text);
	spit(path, log);
	memset(&s, 0, sizeof(s));
	assert_int_equal(lm_hlog_read_file(path, seen_line, &s, err,
					   sizeof(err)), 0);
	assert_int_equal(s.n, 2);
	assert_true(s.abs_start[0] == 1700000001.0);
	assert_true(s.abs_start[1] == 1700000002.0);
	assert_string_equal(s.tag[1], "b");
	seen_free(&s);

	/* BaseTime wins over the heuristics */
	sprintf(log, "#[StartTime: 1700000000.000 (seconds since epoch), x]\n"
		"#[BaseTime: 1600000000.000 (seconds since epoch)]\n"
		"5.000,1.000,0.000,%s\n", text);
	spit(path, log);
	memset(&s, 0, sizeof(s));
	assert_int_equal(lm_hlog_read_file(path, seen_line, &s, err,
					   sizeof(err)), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.abs_start[0] == 1600000005.0);
	seen_free(&s);

	/* the callback stops the read with its own value */
	sprintf(log, "1.000,1.000,0.000,%s\n2.000,1.000,0.000,%s\n", text,
		text);
	spit(path, log);
	memset(&s, 0, sizeof(s));
	s.stop_at = 2;
	assert_int_equal(lm_hlog_read_file(path, seen_line, &s, err,
					   sizeof(err)), 7);
	assert_int_equal(s.n, 1);
	seen_free(&s);
	free(log);
	free(text);
	free(h);
}

/* Each bad line is refused with the file and line named. */
static void
test_read_errors(void **state)
{
	static const char *const bad[] = {
		"1.000,1.000,0.000,HISTFAAAA!!!",       /* not base64 */
		"1.000,1.000,HISTFAAAAA",               /* three fields */
		"1.000,1.000,0.000,0.000,HISTFAAAAA",   /* five fields */
		"x.000,1.000,0.000,HISTFAAAAA",         /* not a number */
		"Tag=a",                                /* nothing after the tag */
		"1.000,1.000,0.000,HISTFAAAAAAAAAA",    /* does not inflate */
		"1.000,1.000,0.000,HCSTAwAAAAAAAA",     /* unknown cookie */
	};
	const char *path = tmp_path("bad.hlog");
	struct lm_hdr *h = known_hist();
	char err[512], want[600], *text = lm_hlog_encode(h), *log;
	struct seen s;

	(void)state;
	assert_non_null(text);
	log = malloc(strlen(text) * 2 + 512);
	assert_non_null(log);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		sprintf(log, "#[StartTime: 1700000000.000 (x)]\n"
			"\"StartTimestamp\",\"Interval_Length\"\n"
			"0.000,1.000,0.000,%s\n%s\n", text, bad[i]);
		spit(path, log);
		memset(&s, 0, sizeof(s));
		err[0] = '\0';
		assert_int_equal(lm_hlog_read_file(path, seen_line, &s, err,
						   sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "%s:4: ", path);
		if (strncmp(err, want, strlen(want)) != 0)
			fail_msg("line '%s': message '%s'", bad[i], err);
		assert_int_equal(s.n, 1);
		seen_free(&s);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(lm_hlog_read_file(tmp_path("missing.hlog"), seen_line,
					   &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "missing.hlog"));
	free(log);
	free(text);
	free(h);
}

static char *
b64_of(const uint8_t *bytes, size_t n)
{
	return to_b64(bytes, n);
}

/* Encodings that are not (or not wholly) a V2 integer histogram. */
static void
test_decode_errors(void **state)
{
	uint8_t enc[sizeof(known_v2)];
	struct lm_hdr *d = hdr_new();
	char err[256], *text;
	struct {
		size_t at;
		uint8_t value;
		size_t len;
	} cases[] = {
		{ 3, 0x11, sizeof(known_v2) },          /* V1 cookie */
		{ 11, 0x01, sizeof(known_v2) },         /* index offset 1 */
		{ 32, 0x40, sizeof(known_v2) },         /* ratio 2^16 */
		{ 7, 0x08, sizeof(known_v2) },          /* payload past the end */
		{ 0, 0x1c, sizeof(known_v2) - 1 },      /* 6 of the 7 bytes */
		{ 0, 0x1c, 20 },                        /* header cut short */
		{ 15, 0x09, sizeof(known_v2) },         /* 9 digits */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(enc, known_v2, sizeof(enc));
		enc[cases[i].at] = cases[i].value;
		text = b64_of(enc, cases[i].len);
		err[0] = '\0';
		if (lm_hlog_decode(text, strlen(text), d, err,
				   sizeof(err)) != -EINVAL)
			fail_msg("case %zu decoded", i);
		assert_true(err[0] != '\0');
		free(text);
	}
	/* a run of zeros that ends on a continuation byte */
	memcpy(enc, known_v2, sizeof(enc));
	enc[sizeof(enc) - 1] = 0x82;
	text = b64_of(enc, sizeof(enc));
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, err,
					sizeof(err)), -EINVAL);
	free(text);
	free(d);
}

/*
 * Merge two logs whose clocks started 0.3 s apart: the result is, byte
 * for byte, the log written directly from the merged data.
 */
static void
test_merge_logs(void **state)
{
	const char *pa = tmp_path("a.hlog"), *pb = tmp_path("b.hlog");
	const char *pm = tmp_path("m.hlog"), *pd = tmp_path("d.hlog");
	const char *paths[2] = { pa, pb };
	struct lm_hdr *a[6], *b[6], *sum = hdr_new();
	struct lm_hlog *la, *lb, *ld;
	uint64_t s = 5;
	char err[256], *got, *want;
	struct seen seen;

	(void)state;
	la = lm_hlog_open(pa, 1700000000.0, err, sizeof(err));
	lb = lm_hlog_open(pb, 1700000000.3, err, sizeof(err));
	ld = lm_hlog_open(pd, 1700000000.0, err, sizeof(err));
	assert_non_null(la);
	assert_non_null(lb);
	assert_non_null(ld);
	for (int k = 0; k < 6; k++) {
		a[k] = hdr_new();
		b[k] = hdr_new();
		record_random(a[k], &s, 1000);
		record_random(b[k], &s, 700);
		/* a has no sixth interval: the merged one is b's alone */
		if (k < 5)
			assert_int_equal(lm_hlog_write(la, "lat", k, 1.0,
						       a[k]), 0);
		assert_int_equal(lm_hlog_write(lb, "lat", k, 1.0, b[k]), 0);
		lm_hdr_init(sum);
		if (k < 5)
			lm_hdr_add(sum, a[k]);
		lm_hdr_add(sum, b[k]);
		assert_int_equal(lm_hlog_write(ld, "lat", k, 1.0, sum), 0);
	}
	assert_int_equal(lm_hlog_close(la), 0);
	assert_int_equal(lm_hlog_close(lb), 0);
	assert_int_equal(lm_hlog_close(ld), 0);

	assert_int_equal(lm_hlog_merge(paths, 2, pm, 0, err, sizeof(err)), 0);
	got = slurp(pm);
	want = slurp(pd);
	assert_string_equal(got, want);

	/* and the counts read back are the index-wise sums */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(lm_hlog_read_file(pm, seen_line, &seen, err,
					   sizeof(err)), 0);
	assert_int_equal(seen.n, 6);
	for (int k = 0; k < 6; k++) {
		lm_hdr_init(sum);
		if (k < 5)
			lm_hdr_add(sum, a[k]);
		lm_hdr_add(sum, b[k]);
		assert_counts_equal(seen.hist[k], sum);
		assert_true(seen.abs_start[k] == 1700000000.0 + k);
	}
	seen_free(&seen);
	for (int k = 0; k < 6; k++) {
		free(a[k]);
		free(b[k]);
	}
	free(got);
	free(want);
	free(sum);
}

/*
 * Tags stay apart; a given slot length groups lines; lines are written
 * in slot order whatever order the inputs had; the merged log starts at
 * its first slot.
 */
static void
test_merge_tags_slots(void **state)
{
	const char *pa = tmp_path("ta.hlog"), *pb = tmp_path("tb.hlog");
	const char *pm = tmp_path("tm.hlog");
	const char *paths[2] = { pa, pb };
	struct lm_hdr *h[4], *sum = hdr_new();
	struct lm_hlog *la, *lb;
	uint64_t s = 11;
	char err[256];
	struct seen seen;

	(void)state;
	for (int i = 0; i < 4; i++) {
		h[i] = hdr_new();
		record_random(h[i], &s, 300);
	}
	la = lm_hlog_open(pa, 1700000010.0, err, sizeof(err));
	lb = lm_hlog_open(pb, 1700000009.9, err, sizeof(err));
	assert_non_null(la);
	assert_non_null(lb);
	/* slots of 2 s since the epoch: 1700000010 is slot 850000005 */
	assert_int_equal(lm_hlog_write(la, "x", 2.0, 1.0, h[0]), 0); /* 12.0 */
	assert_int_equal(lm_hlog_write(la, "y", 0.0, 1.0, h[1]), 0); /* 10.0 */
	assert_int_equal(lm_hlog_write(lb, "x", 2.8, 1.0, h[2]), 0); /* 12.7 */
	assert_int_equal(lm_hlog_write(lb, "y", 0.7, 1.0, h[3]), 0); /* 10.6 */
	assert_int_equal(lm_hlog_close(la), 0);
	assert_int_equal(lm_hlog_close(lb), 0);

	assert_int_equal(lm_hlog_merge(paths, 2, pm, 2.0, err, sizeof(err)),
			 0);
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(lm_hlog_read_file(pm, seen_line, &seen, err,
					   sizeof(err)), 0);
	assert_int_equal(seen.n, 2);
	assert_string_equal(seen.tag[0], "y");
	assert_true(seen.abs_start[0] == 1700000010.0);
	assert_true(seen.start[0] == 0.0);
	assert_true(seen.length[0] == 2.0);
	lm_hdr_init(sum);
	lm_hdr_add(sum, h[1]);
	lm_hdr_add(sum, h[3]);
	assert_counts_equal(seen.hist[0], sum);
	assert_string_equal(seen.tag[1], "x");
	assert_true(seen.abs_start[1] == 1700000012.0);
	lm_hdr_init(sum);
	lm_hdr_add(sum, h[0]);
	lm_hdr_add(sum, h[2]);
	assert_counts_equal(seen.hist[1], sum);
	seen_free(&seen);

	/* a bad input names its file and line; the output is not written */
	spit(pb, "1.000,1.000,0.000,HISTFAAAA!!!\n");
	assert_int_equal(lm_hlog_merge(paths, 2, tmp_path("none.hlog"), 0, err,
				       sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "tb.hlog:1: "));
	assert_int_equal(access(tmp_path("none.hlog"), F_OK), -1);
	for (int i = 0; i < 4; i++)
		free(h[i]);
	free(sum);
}

static int
setup(void **state)
{
	const char *t = getenv("TMPDIR");

	(void)state;
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_hlog.XXXXXX",
		 t != NULL && t[0] != '\0' ? t : "/tmp");
	return mkdtemp(tmp_dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	static const char *const names[] = {
		"lines.hlog", "times.hlog", "bad.hlog", "a.hlog", "b.hlog",
		"m.hlog", "d.hlog", "ta.hlog", "tb.hlog", "tm.hlog",
		"none.hlog",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		unlink(tmp_path(names[i]));
	rmdir(tmp_dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_bytes),
		cmocka_unit_test(test_known_compressed),
		cmocka_unit_test(test_known_nine_bytes),
		cmocka_unit_test(test_known_empty),
		cmocka_unit_test(test_decode_hand_bytes),
		cmocka_unit_test(test_decode_other_layout),
		cmocka_unit_test(test_roundtrip_random),
		cmocka_unit_test(test_roundtrip_recorded),
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_write_lines),
		cmocka_unit_test(test_read_times),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_merge_logs),
		cmocka_unit_test(test_merge_tags_slots),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
