/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * HdrHistogram interval log (".hlog"): the text format of HdrHistogram's
 * HistogramLogWriter, so that its tools (HistogramLogProcessor, the
 * plotters) read our latency histograms, and so that logs from several
 * machines can be merged exactly.
 *
 * A log is a few header lines, then one line per interval and tag:
 *
 *   Tag=TAG,START,LENGTH,MAX,HISTOGRAM
 *
 * START and LENGTH are seconds (3 decimals) since the log's StartTime;
 * MAX is the interval's largest value divided by 10^6; HISTOGRAM is the
 * base64 text of the histogram in HdrHistogram's "V2 compressed" binary
 * encoding (a zlib-deflated V2 encoding: 40-byte big-endian header, then
 * the counts as ZigZag LEB128 with runs of zeros as negative numbers).
 *
 * Values are nanoseconds, as recorded. The HdrHistogram tools print values
 * divided by their outputValueUnitRatio, 10^6 by default: milliseconds.
 *
 * Our struct lm_hdr is HdrHistogram's own layout for lowestDiscernibleValue
 * 1 and 2 significant digits (256 sub-buckets: unitMagnitude 0,
 * subBucketHalfCountMagnitude 7), highestTrackableValue 2^42 - 1, so the
 * counts are written and read index for index, without re-binning.
 */
#ifndef LM_HLOG_H
#define LM_HLOG_H

#include <stddef.h>
#include <stdint.h>

#include <lm/hdr.h>

/* What our histograms declare in the encoding's header. */
#define LM_HLOG_DIGITS 2
#define LM_HLOG_LOWEST 1
/* the tools' default unit ratio: the MAX column and reports in ms */
#define LM_HLOG_MS 1e6

struct lm_hlog;

/*
 * Create (truncate) path and write the header: a comment naming the unit,
 * the format version, "#[StartTime: ...]" with start_epoch_s (seconds since
 * the epoch, as the log's time origin) and the column legend.
 * NULL on error, with the reason in err.
 */
struct lm_hlog *lm_hlog_open(const char *path, double start_epoch_s,
			     char *err, size_t errlen);

/*
 * Append one interval: start_s and length_s in seconds, start_s since the
 * start time given to lm_hlog_open(). tag may be NULL or "" (no tag); the
 * format forbids ',' and white space in a tag, so those (and control
 * characters) are written as '_'. The line is flushed at once: a log that
 * is read while the run goes on, or after a crash, holds whole lines only.
 * Returns 0 or -errno (-ERANGE: a count above INT64_MAX, which the format
 * cannot carry).
 */
int lm_hlog_write(struct lm_hlog *h, const char *tag, double start_s,
		  double length_s, const struct lm_hdr *interval);

/*
 * The bytes written so far: every line is flushed as it is written, so
 * the file holds that much, in whole lines (the API's download of the log
 * while the run goes on).
 */
long lm_hlog_tell(const struct lm_hlog *h);

/* Close the file. Returns 0 or -errno (a write that failed at the end). */
int lm_hlog_close(struct lm_hlog *h);

/*
 * Encodings, for the reader, lemmings-ctl and the tests.
 *
 * lm_hlog_encode_v2(): the uncompressed V2 encoding of h into buf (at most
 * LM_HLOG_V2_MAX bytes). Returns its length, or -ERANGE.
 * lm_hlog_encode(): the base64 text of the compressed encoding, a
 * NUL-terminated string to free(). NULL on error (errno set).
 */
#define LM_HLOG_V2_HEADER 40
#define LM_HLOG_V2_MAX (LM_HLOG_V2_HEADER + 9 * LM_HDR_COUNTS)
long lm_hlog_encode_v2(const struct lm_hdr *h, uint8_t *buf);
char *lm_hlog_encode(const struct lm_hdr *h);

/*
 * Decode a histogram from its base64 text (len characters, no NUL needed)
 * into out, replacing its contents. Histograms of another configuration
 * (other significant digits or lowest value) are re-binned: each count
 * goes to the sub-bucket of the lowest value of its own sub-bucket, as
 * HdrHistogram's add() does between histograms of different layouts.
 * The format keeps counts only, so out->min and out->max are the bounds
 * of the lowest and highest non-empty sub-buckets, out->sum is estimated
 * from the middles of the sub-buckets, and out->clamped counts the samples
 * above LM_HDR_MAX_VALUE. Returns 0, or -EINVAL with the reason in err.
 */
int lm_hlog_decode(const char *base64, size_t len, struct lm_hdr *out,
		   char *err, size_t errlen);

/* One interval line of a log, as lm_hlog_read_file() hands it over. */
struct lm_hlog_line {
	const char *path;
	unsigned long lineno;
	const char *tag;          /* "" when the line has none */
	double start_s;           /* as written */
	double length_s;
	double max;               /* the MAX column, as written (ignored) */
	/*
	 * Seconds since the epoch: start_s plus the log's base time, the
	 * HdrHistogram readers' rule: "#[BaseTime: ]" when the log has one;
	 * else the StartTime when the first timestamp is more than a year
	 * before it (relative timestamps); else 0 (absolute timestamps).
	 */
	double abs_start_s;
	double start_time_s;      /* the log's StartTime, or its first abs start */
	const struct lm_hdr *hist;
};

/* Return 0 to go on; anything else stops the read and is returned. */
typedef int (*lm_hlog_line_fn)(const struct lm_hlog_line *l, void *arg);

/*
 * Read the log at path line by line, decoding each interval line and
 * handing it to fn. Returns 0; -errno / -EINVAL with "PATH:LINE: reason"
 * in err when the file cannot be read or a line is not valid; or fn's
 * non-zero return (err untouched).
 */
int lm_hlog_read_file(const char *path, lm_hlog_line_fn fn, void *arg,
		      char *err, size_t errlen);

/*
 * Merge logs (of several machines, say) into one at out_path. Each
 * interval line goes to the slot whose start, a whole multiple of the slot
 * length since the epoch, is nearest the line's own start (seconds since
 * the epoch, see abs_start_s); the lines of one tag in one slot are added
 * count by count, so the merged percentiles are exactly those of all their
 * samples together. The slot length is interval_s, or when 0 the
 * commonest line length (to the millisecond, the shorter on a tie). The
 * merged log's StartTime is the start of its first slot; its lines are in
 * slot order, tags in order of first appearance.
 * Returns 0, or -EINVAL / -errno with the reason ("PATH:LINE: ..." for
 * an input line) in err.
 */
int lm_hlog_merge(const char *const *paths, size_t n_paths,
		  const char *out_path, double interval_s,
		  char *err, size_t errlen);

/* Saturating addition of counts (for hlog.c and hlog_merge.c). */
static inline uint64_t
lm_hlog_sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

#endif /* LM_HLOG_H */
