/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lemmings-ctl: offline tools for what lemmings-dp leaves behind. No EAL,
 * no network: it only shares the histogram code with lemmings-dp.
 *
 *   lemmings-ctl hlog report FILE.hlog... [--html OUT.html]
 *   lemmings-ctl hlog merge FILE.hlog... -o OUT.hlog [--interval SECONDS]
 *   lemmings-ctl summary merge A.json B.json... -o OUT.json [--hlog M.hlog]
 *
 * Exit status: 0 done, 1 an input file is not valid (or the output cannot
 * be written), 2 bad usage; summary merge: 2 when it refuses its inputs.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lm/hdr.h>

#include "ctl_top.h"
#include "hlog.h"
#include "report_data.h"
#include "report_html.h"
#include "summary_merge.h"

#define EXIT_BAD_INPUT 1
#define EXIT_USAGE 2

static const char usage_text[] =
	"usage: lemmings-ctl COMMAND ...\n"
	"\n"
	"  hlog report FILE.hlog... [--html OUT.html]\n"
	"      Per tag of HdrHistogram interval logs, over all their intervals\n"
	"      (the logs of several machines are added up): samples, p50, p90,\n"
	"      p99, p99.9 and max, in milliseconds (the logs' values are\n"
	"      nanoseconds). With --html, the HTML report instead: one file\n"
	"      with the rate and latency over time, and per step (tags\n"
	"      SCENARIO.STEP.latency) the percentiles and percentile spectrum;\n"
	"      it is written whole or not at all.\n"
	"\n"
	"  hlog merge FILE.hlog... -o OUT.hlog [--interval SECONDS]\n"
	"      Combine the logs of several machines into one. Each interval\n"
	"      line is put in the slot whose start, a whole multiple of the\n"
	"      interval length since the epoch, is nearest its own start; lines\n"
	"      of one tag in one slot are added count by count, so the merged\n"
	"      percentiles are exactly those of all the samples together. The\n"
	"      interval length is --interval, else the commonest line length\n"
	"      (to the millisecond). The merged log starts at its first slot.\n"
	"\n"
	"  summary merge A.json B.json... -o OUT.json [--hlog MERGED.hlog]\n"
	"      Combine the JSON summaries (--summary) of the shards of one plan\n"
	"      into fleet totals: counts summed, the longest duration, rates\n"
	"      recomputed. Percentiles come from MERGED.hlog (hlog merge of the\n"
	"      shards' logs); without it they are left out. Refused, with exit\n"
	"      status 2 and the file and JSON path named: summaries of different\n"
	"      plans, a malformed file, the same shard twice. OUT is replaced\n"
	"      at once (written beside it, then renamed).\n"
	"\n"
	"  top NAME [--count N] [--interval SECONDS]\n"
	"      Attach read-only to a running instance's statistics\n"
	"      (/dev/shm/lemmings-dp.NAME: NAME is its --stats-name, else its\n"
	"      process id) and print a per-step table every interval (1 s),\n"
	"      N times (default: until the run is done).\n"
	"\n"
	"  --help\n"
	"      This text.\n"
	"\n"
	"Exit status: 0 done, 1 an input file is not valid or the output cannot\n"
	"be written (the message names the file and line), 2 bad usage (and\n"
	"summaries that summary merge refuses).\n";

static int
usage_error(const char *fmt, const char *arg)
{
	fputs("lemmings-ctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n(lemmings-ctl --help for usage)\n", stderr);
	return EXIT_USAGE;
}

/* ---- report ---- */

/* One per tag, in order of first appearance; few per log: a plain array. */
struct tag_sum {
	char *name;
	struct lm_hdr *h;       /* the sum of the tag's intervals */
	uint64_t intervals;
};

struct report {
	struct tag_sum *t;
	uint32_t n, cap;
};

static int
report_line(const struct lm_hlog_line *l, void *arg)
{
	struct report *r = arg;
	struct tag_sum *t = NULL;

	for (uint32_t i = 0; i < r->n && t == NULL; i++)
		if (strcmp(r->t[i].name, l->tag) == 0)
			t = &r->t[i];
	if (t == NULL) {
		if (r->n == r->cap) {
			uint32_t cap = r->cap ? r->cap * 2 : 8;
			struct tag_sum *nt = realloc(r->t, cap * sizeof(*nt));

			if (nt == NULL)
				return -ENOMEM;
			r->t = nt;
			r->cap = cap;
		}
		t = &r->t[r->n];
		t->name = strdup(l->tag);
		t->h = malloc(sizeof(*t->h));
		t->intervals = 0;
		r->n++;
		if (t->name == NULL || t->h == NULL)
			return -ENOMEM;
		lm_hdr_init(t->h);
	}
	lm_hdr_add(t->h, l->hist);
	t->intervals++;
	return 0;
}

static double
ms(uint64_t ns)
{
	return (double)ns / LM_HLOG_MS;
}

/* --html OUT: the page of the logs, written whole or not at all */
static int
report_html(const char *const *paths, size_t n, const char *out)
{
	char err[512], *html = NULL;
	json_t *data;
	int rc = EXIT_BAD_INPUT;

	data = lm_report_data_hlog(paths, n, err, sizeof(err));
	if (data != NULL) {
		html = lm_report_html(data);
		if (html == NULL)
			snprintf(err, sizeof(err), "out of memory");
		else if (lm_report_write_file(out, html, strlen(html), err,
					      sizeof(err)) == 0)
			rc = 0;
	}
	if (rc != 0)
		fprintf(stderr, "lemmings-ctl: %s\n", err);
	free(html);
	json_decref(data);
	return rc;
}

static int
cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "html", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 },
	};
	const char *html = NULL;
	struct report r;
	char err[512];
	int c, rc = 0, w = 3;

	/* GNU getopt permutes: --html may come before or after the files */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c == 'H')
			html = optarg;
		else if (c == ':')
			return usage_error("hlog report: %s needs a value",
					   argv[optind - 1]);
		else
			return usage_error("hlog report: unknown option '%s'",
					   argv[optind - 1]);
	}
	if (optind >= argc)
		return usage_error("hlog report needs input files%s", "");
	if (html != NULL)
		return report_html((const char *const *)(argv + optind),
				   (size_t)(argc - optind), html);
	memset(&r, 0, sizeof(r));
	for (int i = optind; i < argc && rc == 0; i++)
		rc = lm_hlog_read_file(argv[i], report_line, &r, err,
				       sizeof(err));
	if (rc == -ENOMEM) {
		fprintf(stderr, "lemmings-ctl: out of memory\n");
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	if (rc != 0) {
		fprintf(stderr, "lemmings-ctl: %s\n", err);
		rc = EXIT_BAD_INPUT;
		goto out;
	}
	for (uint32_t i = 0; i < r.n; i++)
		if ((int)strlen(r.t[i].name) > w)
			w = (int)strlen(r.t[i].name);
	printf("%-*s %9s %12s %12s %12s %12s %12s %12s\n", w, "tag",
	       "intervals", "samples", "p50(ms)", "p90(ms)", "p99(ms)",
	       "p99.9(ms)", "max(ms)");
	for (uint32_t i = 0; i < r.n; i++) {
		const struct lm_hdr *h = r.t[i].h;

		/* "-" stands for lines without a tag */
		printf("%-*s %9llu %12llu %12.3f %12.3f %12.3f %12.3f %12.3f\n",
		       w, r.t[i].name[0] ? r.t[i].name : "-",
		       (unsigned long long)r.t[i].intervals,
		       (unsigned long long)h->total,
		       ms(lm_hdr_percentile(h, 50)),
		       ms(lm_hdr_percentile(h, 90)),
		       ms(lm_hdr_percentile(h, 99)),
		       ms(lm_hdr_percentile(h, 99.9)),
		       ms(lm_hdr_percentile(h, 100)));
	}
	rc = 0;
out:
	for (uint32_t i = 0; i < r.n; i++) {
		free(r.t[i].name);
		free(r.t[i].h);
	}
	free(r.t);
	return rc;
}

/* ---- merge ---- */

static int
cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "interval", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL;
	double interval_s = 0;
	char err[512], *end;
	int c;

	/* GNU getopt permutes: options may come before or after the files */
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:i:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'i':
			interval_s = strtod(optarg, &end);
			if (*end != '\0' || !(interval_s >= 0.001) ||
			    !isfinite(interval_s))
				return usage_error("--interval '%s': seconds, "
						   "at least 0.001", optarg);
			break;
		case ':':
			return usage_error("hlog merge: %s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("hlog merge: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (out_path == NULL)
		return usage_error("hlog merge needs -o OUT.hlog%s", "");
	if (optind >= argc)
		return usage_error("hlog merge needs input files%s", "");
	if (lm_hlog_merge((const char *const *)(argv + optind),
			  (size_t)(argc - optind), out_path, interval_s,
			  err, sizeof(err)) != 0) {
		fprintf(stderr, "lemmings-ctl: %s\n", err);
		return EXIT_BAD_INPUT;
	}
	return 0;
}

/* ---- summary merge ---- */

static int
cmd_summary_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "hlog", required_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *out_path = NULL, *hlog_path = NULL;
	char err[1024];
	int c, rc;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":o:", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out_path = optarg;
			break;
		case 'h':
			hlog_path = optarg;
			break;
		case ':':
			return usage_error("summary merge: %s needs a value",
					   argv[optind - 1]);
		default:
			return usage_error("summary merge: unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	if (out_path == NULL)
		return usage_error("summary merge needs -o OUT.json%s", "");
	if (optind >= argc)
		return usage_error("summary merge needs input files%s", "");
	rc = lm_summary_merge_files((const char *const *)(argv + optind),
				    (size_t)(argc - optind), hlog_path,
				    out_path, err, sizeof(err));
	if (rc == -ENOMEM) {
		fprintf(stderr, "lemmings-ctl: out of memory\n");
		return EXIT_BAD_INPUT;
	}
	if (rc != 0) {
		fprintf(stderr, "lemmings-ctl: %s\n", err);
		return rc == -EINVAL ? EXIT_USAGE : EXIT_BAD_INPUT;
	}
	if (hlog_path == NULL)
		fprintf(stderr, "lemmings-ctl: %s: percentiles not merged "
			"(give --hlog MERGED.hlog)\n", out_path);
	return 0;
}

/* ---- demo ---- */

#define DEMO_START 1700000000.0
#define DEMO_INTERVALS 10
#define DEMO_VALUES 101

/*
 * hlog demo OUT.hlog, left out of --help: a log of known data for the
 * tests. Tags "latency" and "connect" (a tenth of latency), 10 intervals
 * of 1 s. 101 values 10 % apart from 50 us: the 100 smallest 100 times
 * each, the largest 50 times, 10 050 samples a tag spread over the
 * intervals. The ranks of p50, p90, p99 and p99.9 (5025, 9045, 9949.5,
 * 10039.95) then fall well inside a run of equal values, so rounding the
 * rank up or to the nearest (HdrHistogram versions differ) gives the
 * same value.
 */
static int
cmd_demo(int argc, char **argv)
{
	static const char *const tags[] = { "latency", "connect" };
	struct lm_hdr *h[2][DEMO_INTERVALS];
	struct lm_hlog *out;
	char err[512];
	int rc = 0;

	if (argc != 1)
		return usage_error("hlog demo takes one output file%s", "");
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < DEMO_INTERVALS; k++) {
			h[t][k] = malloc(sizeof(struct lm_hdr));
			if (h[t][k] == NULL) {
				fprintf(stderr, "lemmings-ctl: out of memory\n");
				return EXIT_BAD_INPUT;
			}
			lm_hdr_init(h[t][k]);
		}
	for (int v = 0; v < DEMO_VALUES; v++) {
		uint64_t ns = (uint64_t)(50000.0 * pow(1.1, v));
		int times = v == DEMO_VALUES - 1 ? 50 : 100;

		for (int s = 0; s < times; s++) {
			lm_hdr_record(h[0][(s + v) % DEMO_INTERVALS], ns);
			lm_hdr_record(h[1][(s + v) % DEMO_INTERVALS], ns / 10);
		}
	}
	out = lm_hlog_open(argv[0], DEMO_START, err, sizeof(err));
	if (out == NULL) {
		fprintf(stderr, "lemmings-ctl: %s\n", err);
		rc = EXIT_BAD_INPUT;
	}
	for (int k = 0; rc == 0 && k < DEMO_INTERVALS; k++)
		for (int t = 0; rc == 0 && t < 2; t++)
			if (lm_hlog_write(out, tags[t], k, 1.0, h[t][k]) != 0) {
				fprintf(stderr, "lemmings-ctl: %s: write "
					"failed\n", argv[0]);
				rc = EXIT_BAD_INPUT;
			}
	if (out != NULL && lm_hlog_close(out) != 0 && rc == 0) {
		fprintf(stderr, "lemmings-ctl: %s: write failed\n", argv[0]);
		rc = EXIT_BAD_INPUT;
	}
	for (int t = 0; t < 2; t++)
		for (int k = 0; k < DEMO_INTERVALS; k++)
			free(h[t][k]);
	return rc;
}

static int
cmd_top(int argc, char **argv)
{
	unsigned long count = 0;
	double interval = 1.0;
	const char *name = NULL;

	for (int i = 0; i < argc; i++) {
		char *end;

		if (strcmp(argv[i], "--count") == 0 && i + 1 < argc) {
			count = strtoul(argv[++i], &end, 10);
			if (*end != '\0' || count > 1000000)
				return usage_error("top: --count '%s'", argv[i]);
		} else if (strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
			interval = strtod(argv[++i], &end);
			if (*end != '\0' || !(interval >= 0.05 && interval <= 3600))
				return usage_error("top: --interval '%s': seconds "
						   "from 0.05 to 3600", argv[i]);
		} else if (argv[i][0] == '-' || name != NULL) {
			return usage_error("top: unexpected '%s'", argv[i]);
		} else {
			name = argv[i];
		}
	}
	if (name == NULL)
		return usage_error("top needs the instance's NAME%s", "");
	return lm_ctl_top(name, (unsigned int)count, interval);
}

int
main(int argc, char **argv)
{
	if (argc < 2)
		return usage_error("no command given%s", "");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(usage_text, stdout);
		return 0;
	}
	if (strcmp(argv[1], "top") == 0)
		return cmd_top(argc - 2, argv + 2);
	if (strcmp(argv[1], "summary") == 0) {
		if (argc < 3 || strcmp(argv[2], "merge") != 0)
			return usage_error("summary: merge?%s", "");
		return cmd_summary_merge(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "hlog") != 0)
		return usage_error("unknown command '%s'", argv[1]);
	if (argc < 3)
		return usage_error("hlog: report or merge?%s", "");
	if (strcmp(argv[2], "report") == 0)
		return cmd_report(argc - 2, argv + 2);
	if (strcmp(argv[2], "merge") == 0)
		return cmd_merge(argc - 2, argv + 2);
	if (strcmp(argv[2], "demo") == 0)
		return cmd_demo(argc - 3, argv + 3);
	return usage_error("hlog: unknown command '%s'", argv[2]);
}
