/* SPDX-License-Identifier: BSD-3-Clause */
/* Locust-style CSV files (see csv_export.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv_export.h"

/* The percentile columns, in Locust's order. */
static const double csv_pcts[] = {
	50, 66, 75, 80, 90, 95, 98, 99, 99.9, 99.99, 100,
};
#define CSV_PCT_HEADER "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"

#define STATS_HEADER \
	"Type,Name,Request Count,Failure Count,Median Response Time," \
	"Average Response Time,Min Response Time,Max Response Time," \
	"Average Content Size,Requests/s,Failures/s," CSV_PCT_HEADER "\r\n"

#define HISTORY_HEADER \
	"Timestamp,User Count,Type,Name,Requests/s,Failures/s," \
	CSV_PCT_HEADER ",Total Request Count,Total Failure Count\r\n"

/* Locust's name for the row of all requests together (its Type is empty). */
#define CSV_AGGREGATED "Aggregated"

struct lm_csv_history {
	FILE *f;
	struct lm_hdr interval;   /* reused: too large for the stack */
};

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

static double
per_s(uint64_t n, double s)
{
	return s > 0 ? (double)n / s : 0.0;
}

/*
 * One field, RFC 4180 section 2: in double quotes when it holds a comma,
 * a double quote or a line break, with its double quotes doubled. A
 * leading or trailing space is quoted too, so that readers that trim
 * unquoted fields keep it.
 */
static void
csv_field(FILE *f, const char *s)
{
	size_t n = strlen(s);

	if (strpbrk(s, ",\"\r\n") == NULL &&
	    (n == 0 || (s[0] != ' ' && s[n - 1] != ' '))) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* ",p50,...,p100": the percentile columns of h, "N/A" with no sample */
static void
csv_pct_cols(FILE *f, const struct lm_hdr *h)
{
	size_t i;

	for (i = 0; i < sizeof(csv_pcts) / sizeof(csv_pcts[0]); i++) {
		if (h->total == 0)
			fputs(",N/A", f);
		else
			fprintf(f, ",%.3f", ms(lm_hdr_percentile(h, csv_pcts[i])));
	}
}

static void
stats_row(FILE *f, const char *type, const char *name,
	  const struct lm_step_stats *s, const struct lm_hdr *lat,
	  double duration_s)
{
	bool any = lat->total > 0;

	csv_field(f, type);
	fputc(',', f);
	csv_field(f, name);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f",
		s->requests, s->failed,
		any ? ms(lm_hdr_percentile(lat, 50)) : 0.0,
		lm_hdr_mean(lat) / 1e6, any ? ms(lat->min) : 0.0,
		any ? ms(lat->max) : 0.0,
		s->requests > 0 ? (double)s->rx_bytes / (double)s->requests : 0.0,
		per_s(s->requests, duration_s), per_s(s->failed, duration_s));
	csv_pct_cols(f, lat);
	fputs("\r\n", f);
}

/* Close f, and say whether everything written reached the file. */
static int
csv_close(FILE *f)
{
	int rc = ferror(f) ? -EIO : 0;

	errno = 0;
	if (fclose(f) != 0 && rc == 0)
		rc = errno != 0 ? -errno : -EIO;
	return rc;
}

/* The stats file's rows into f. Returns 0 or -errno. */
static int
stats_write(FILE *f, const struct lm_plan *plan, const struct lm_view *v,
	    double duration_s)
{
	struct lm_step_stats *all = calloc(1, sizeof(*all));
	uint32_t i, j, k = 0;
	char *name = NULL;
	size_t cap = 0, need;
	int rc;

	if (all == NULL)
		return -ENOMEM;
	lm_hdr_init(&all->latency);
	fputs(STATS_HEADER, f);
	for (i = 0; i < plan->n_scenarios && k < v->n_steps; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (j = 0; j < sc->n_steps && k < v->n_steps; j++, k++) {
			const struct lm_step_stats *s = &v->steps[k];
			const struct lm_step *st = &sc->steps[j];

			need = strlen(sc->name) + strlen(st->name) + 2;
			if (need > cap) {
				char *nn = realloc(name, need);

				if (nn == NULL) {
					rc = -ENOMEM;
					goto out;
				}
				name = nn;
				cap = need;
			}
			snprintf(name, cap, "%s/%s", sc->name, st->name);
			stats_row(f, st->kind == LM_STEP_HTTP ? "HTTP" :
				  lm_step_kind_name(st->kind), name, s, &s->latency,
				  duration_s);
			all->requests += s->requests;
			all->failed += s->failed;
			all->rx_bytes += s->rx_bytes;
			lm_hdr_add(&all->latency, &s->latency);
		}
	}
	stats_row(f, "", CSV_AGGREGATED, all, &all->latency, duration_s);
	rc = 0;
out:
	free(name);
	free(all);
	return rc;
}

int
lm_csv_stats(const char *path, const struct lm_plan *plan,
	     const struct lm_view *v, double duration_s)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (f == NULL)
		return -errno;
	rc = stats_write(f, plan, v, duration_s);
	if (csv_close(f) != 0 && rc == 0)
		rc = -EIO;
	return rc;
}

char *
lm_csv_stats_text(const struct lm_plan *plan, const struct lm_view *v,
		  double duration_s, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL)
		return NULL;
	if (stats_write(f, plan, v, duration_s) != 0 || fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

int
lm_csv_history_open(struct lm_csv_history **hp, const char *path)
{
	struct lm_csv_history *h = calloc(1, sizeof(*h));
	int rc;

	*hp = NULL;
	if (h == NULL)
		return -ENOMEM;
	h->f = fopen(path, "w");
	if (h->f == NULL) {
		rc = -errno;
		free(h);
		return rc;
	}
	fputs(HISTORY_HEADER, h->f);
	errno = 0;
	if (fflush(h->f) != 0 || ferror(h->f)) {
		rc = errno != 0 ? -errno : -EIO;
		fclose(h->f);
		free(h);
		return rc;
	}
	*hp = h;
	return 0;
}

int
lm_csv_history_row(struct lm_csv_history *h, const struct lm_plan *plan,
		   double elapsed_s, uint64_t wall_s, uint64_t users,
		   const struct lm_view *now, const struct lm_view *before,
		   double interval_s)
{
	uint64_t req_now = lm_view_requests(now), failed_now = lm_view_failed(now);
	uint64_t req_before = lm_view_requests(before);
	uint64_t failed_before = lm_view_failed(before);
	FILE *f = h->f;

	(void)plan;
	(void)elapsed_s;
	/* the interval's percentiles: index-wise differences, over all steps */
	lm_view_latency_since(&h->interval, now, before);
	fprintf(f, "%" PRIu64 ",%" PRIu64 ",," CSV_AGGREGATED ",%.3f,%.3f",
		wall_s, users,
		per_s(req_now > req_before ? req_now - req_before : 0, interval_s),
		per_s(failed_now > failed_before ? failed_now - failed_before : 0,
		      interval_s));
	csv_pct_cols(f, &h->interval);
	fprintf(f, ",%" PRIu64 ",%" PRIu64 "\r\n", req_now, failed_now);
	errno = 0;
	if (fflush(f) != 0 || ferror(f))
		return errno != 0 ? -errno : -EIO;
	return 0;
}

void
lm_csv_history_close(struct lm_csv_history *h)
{
	if (h == NULL)
		return;
	fclose(h->f);
	free(h);
}
