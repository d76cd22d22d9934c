/* SPDX-License-Identifier: BSD-3-Clause */
/* Prometheus text exposition of a view (see prom.h). */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pools_report.h"
#include "prom.h"
#include "events.h"

/*
 * Log-spaced 1-2.5-5 bounds from 100 us to 10 s: wide enough for a LAN
 * server's fastest answers and for a step's default 10 s timeout, coarse
 * enough that 17 series per step keep the cardinality small.
 */
const uint64_t lm_prom_bucket_ns[LM_PROM_N_BUCKETS] = {
	100000, 250000, 500000,
	1000000, 2500000, 5000000,
	10000000, 25000000, 50000000,
	100000000, 250000000, 500000000,
	1000000000, 2500000000, 5000000000,
	10000000000, UINT64_MAX,
};

/* As Prometheus' own client libraries print them. */
const char *const lm_prom_bucket_le[LM_PROM_N_BUCKETS] = {
	"0.0001", "0.00025", "0.0005",
	"0.001", "0.0025", "0.005",
	"0.01", "0.025", "0.05",
	"0.1", "0.25", "0.5",
	"1", "2.5", "5",
	"10", "+Inf",
};

static const struct {
	double q;       /* for lm_hdr_percentile(), 0..100 */
	const char *label;
} interval_quantiles[] = {
	{ 50, "0.5" }, { 90, "0.9" }, { 99, "0.99" }, { 99.9, "0.999" },
};
#define N_QUANTILES (sizeof(interval_quantiles) / sizeof(interval_quantiles[0]))

/*
 * The output: an snprintf-like writer that keeps counting once the
 * buffer is full, so that one pass gives both the text and its length.
 */
struct pw {
	char *buf;
	size_t cap;
	size_t len;
	const struct lm_prom_extra *x;
	unsigned int n_labels;   /* labels written in the current sample */
};

static void
pw_raw(struct pw *w, const char *s, size_t n)
{
	if (w->len < w->cap) {
		size_t room = w->cap - w->len - 1;   /* keep one for the NUL */
		size_t k = n < room ? n : room;

		memcpy(w->buf + w->len, s, k);
		w->buf[w->len + k] = '\0';
	}
	w->len += n;
}

static void
pw_str(struct pw *w, const char *s)
{
	pw_raw(w, s, strlen(s));
}

static void __attribute__((format(printf, 2, 3)))
pw_fmt(struct pw *w, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	/* only numbers and fixed names go through here: they fit */
	if (n > 0)
		pw_raw(w, tmp, (size_t)n < sizeof(tmp) ? (size_t)n :
		       sizeof(tmp) - 1);
}

/* A label value: backslash, double quote and newline escaped (0.0.4). */
static void
pw_escaped(struct pw *w, const char *s)
{
	const char *p = s;

	for (; *p != '\0'; p++) {
		const char *esc = NULL;

		if (*p == '\\')
			esc = "\\\\";
		else if (*p == '"')
			esc = "\\\"";
		else if (*p == '\n')
			esc = "\\n";
		if (esc == NULL)
			continue;
		pw_raw(w, s, (size_t)(p - s));
		pw_str(w, esc);
		s = p + 1;
	}
	pw_raw(w, s, (size_t)(p - s));
}

/*
 * Numbers: Prometheus parses them as Go floats. The shortest %g that
 * reads back as the same double, so that 0.000138 is not printed as
 * 0.00013799999999999999 and nothing is lost either.
 */
static void
pw_double(struct pw *w, double v)
{
	char tmp[40];

	if (isnan(v)) {
		pw_str(w, "NaN");
		return;
	}
	if (isinf(v)) {
		pw_str(w, v > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	pw_str(w, tmp);
}

static void
pw_family(struct pw *w, const char *name, const char *type, const char *help)
{
	pw_fmt(w, "# HELP %s ", name);
	pw_str(w, help);       /* fixed texts without backslash or newline */
	pw_fmt(w, "\n# TYPE %s %s\n", name, type);
}

static void
pw_label(struct pw *w, const char *key, const char *value)
{
	pw_str(w, w->n_labels++ == 0 ? "{" : ",");
	pw_str(w, key);
	pw_str(w, "=\"");
	pw_escaped(w, value);
	pw_str(w, "\"");
}

/* Start a sample: its name and the labels every sample carries. */
static void
pw_sample(struct pw *w, const char *name)
{
	pw_str(w, name);
	w->n_labels = 0;
	if (w->x != NULL && w->x->plan != NULL)
		pw_label(w, "plan", w->x->plan);
	if (w->x != NULL && w->x->shard != NULL)
		pw_label(w, "shard", w->x->shard);
}

static void
pw_end_labels(struct pw *w)
{
	pw_str(w, w->n_labels > 0 ? "} " : " ");
}

static void
pw_value_u64(struct pw *w, uint64_t v)
{
	pw_end_labels(w);
	pw_fmt(w, "%" PRIu64 "\n", v);
}

static void
pw_value_double(struct pw *w, double v)
{
	pw_end_labels(w);
	pw_double(w, v);
	pw_str(w, "\n");
}

/* A family of one sample with only the common labels. */
static void
pw_single_u64(struct pw *w, const char *name, const char *type,
	      const char *help, uint64_t v)
{
	pw_family(w, name, type, help);
	pw_sample(w, name);
	pw_value_u64(w, v);
}

/* A counter family with a sample per event of an event table. */
static void
pw_events(struct pw *w, const char *name, const char *help,
	  const struct lm_event_counter *t, unsigned int n,
	  const struct lm_worker_counters *c)
{
	pw_family(w, name, "counter", help);
	for (unsigned int i = 0; i < n; i++) {
		pw_sample(w, name);
		pw_label(w, "event", t[i].name);
		pw_value_u64(w, lm_event_value(c, &t[i]));
	}
}

static void
pw_single_double(struct pw *w, const char *name, const char *help, double v)
{
	pw_family(w, name, "gauge", help);
	pw_sample(w, name);
	pw_value_double(w, v);
}

/*
 * Steps that can have requests: think and loop steps never count any,
 * and leaving them out keeps a series per step that can have data.
 */
static bool
step_counted(const struct lm_step *st)
{
	return st->kind != LM_STEP_THINK && st->kind != LM_STEP_LOOP;
}

/* A counted step: its scenario and its index in the view. */
struct step_ref {
	const struct lm_scenario *sc;
	const struct lm_step *st;
	uint32_t k;
};

/* The counted steps in plan order; NULL when out of memory. */
static struct step_ref *
step_refs(const struct lm_plan *plan, const struct lm_view *now, uint32_t *n)
{
	struct step_ref *r = calloc(now->n_steps ? now->n_steps : 1,
				    sizeof(*r));
	uint32_t k = 0;

	*n = 0;
	if (r == NULL)
		return NULL;
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps && k < now->n_steps;
		     j++, k++) {
			if (!step_counted(&sc->steps[j]))
				continue;
			r[*n].sc = sc;
			r[*n].st = &sc->steps[j];
			r[*n].k = k;
			(*n)++;
		}
	}
	return r;
}

static void
pw_step_sample(struct pw *w, const char *name, const struct step_ref *r)
{
	pw_sample(w, name);
	pw_label(w, "scenario", r->sc->name);
	pw_label(w, "step", r->st->name);
}

/*
 * Cumulative bucket counts of h for the fixed bounds. One walk: the
 * sub-buckets come in increasing order of their highest value, and each
 * is counted at the first bound it lies entirely under (see prom.h for
 * why a straddling sub-bucket goes up).
 */
static void
bucket_counts(const struct lm_hdr *h, uint64_t out[LM_PROM_N_BUCKETS])
{
	uint64_t cum = 0;
	uint32_t b = 0;

	for (uint32_t i = 0; i < LM_HDR_COUNTS; i++) {
		uint64_t hi;

		if (h->counts[i] == 0)
			continue;
		hi = lm_hdr_highest_at(i);
		while (b < LM_PROM_N_BUCKETS - 1 && hi > lm_prom_bucket_ns[b])
			out[b++] = cum;
		cum += h->counts[i];
	}
	while (b < LM_PROM_N_BUCKETS)
		out[b++] = cum;
}

uint64_t
lm_prom_count_le(const struct lm_hdr *h, uint64_t bound_ns)
{
	uint64_t n = 0;

	for (uint32_t i = 0; i < LM_HDR_COUNTS; i++)
		if (h->counts[i] != 0 && lm_hdr_highest_at(i) <= bound_ns)
			n += h->counts[i];
	return n;
}

static void
render_gauges(struct pw *w, const struct lm_view *now,
	      const struct lm_view *before, double interval_s)
{
	const struct lm_prom_extra *x = w->x;

	pw_single_u64(w, "lemmings_up", "gauge",
		      "1 while the generator serves metrics.", 1);
	if (x != NULL && x->state != NULL) {
		pw_family(w, "lemmings_state", "gauge",
			  "The run's state, as the state label (always 1).");
		pw_sample(w, "lemmings_state");
		pw_label(w, "state", x->state);
		pw_value_u64(w, 1);
	}
	if (x != NULL)
		pw_single_double(w, "lemmings_elapsed_seconds",
				 "Time since the load started.", x->elapsed_s);
	if (before != NULL)
		pw_single_double(w, "lemmings_interval_seconds",
				 "Length of the interval the _interval quantiles cover.",
				 interval_s);
	if (x != NULL && x->target_users >= 0)
		pw_single_double(w, "lemmings_target_users",
				 "Closed model: users asked for now.",
				 x->target_users);
	if (x != NULL && x->target_rate >= 0)
		pw_single_double(w, "lemmings_target_rate",
				 "Open model: sessions per second asked for now.",
				 x->target_rate);
	pw_single_u64(w, "lemmings_users", "gauge", "Users running now.",
		      now->w.users_active);
	pw_single_u64(w, "lemmings_connections", "gauge",
		      "Connections open now (TIME_WAIT included).",
		      now->w.conns_active);
	pw_single_u64(w, "lemmings_requests_in_flight", "gauge",
		      "Requests started and not yet ended.",
		      now->w.requests_inflight);
	{
		struct lm_pool_gauge g[LM_POOL_GAUGES];
		uint32_t n = lm_pools_live(now, g);

		pw_family(w, "lemmings_pool_in_use", "gauge",
			  "What each pool has lent now (leak watch).");
		for (uint32_t i = 0; i < n; i++) {
			pw_sample(w, "lemmings_pool_in_use");
			pw_label(w, "pool", g[i].pool);
			pw_value_u64(w, g[i].in_use);
		}
	}
}

static void
render_steps(struct pw *w, const struct step_ref *refs, uint32_t n_refs,
	     const struct lm_view *now, const struct lm_view *before,
	     struct lm_hdr *tmp)
{
	uint64_t le[LM_PROM_N_BUCKETS];

	pw_family(w, "lemmings_requests_total", "counter",
		  "Requests started, per scenario step.");
	for (uint32_t r = 0; r < n_refs; r++) {
		pw_step_sample(w, "lemmings_requests_total", &refs[r]);
		pw_value_u64(w, now->steps[refs[r].k].requests);
	}

	/*
	 * Only the reasons that occurred: 12 reasons on every step would
	 * multiply the series for counters that mostly stay at 0. A series
	 * appears with the first failure of its kind.
	 */
	pw_family(w, "lemmings_failures_total", "counter",
		  "Requests failed, per scenario step and reason.");
	for (uint32_t r = 0; r < n_refs; r++) {
		const struct lm_step_stats *s = &now->steps[refs[r].k];

		for (int e = 0; e < LM_ERR_MAX; e++) {
			if (s->errors[e] == 0)
				continue;
			pw_step_sample(w, "lemmings_failures_total", &refs[r]);
			pw_label(w, "reason", lm_err_name(e));
			pw_value_u64(w, s->errors[e]);
		}
	}

	pw_family(w, "lemmings_response_seconds", "histogram",
		  "Response time (request's first byte sent to response's "
		  "last byte received; open model: from when the session "
		  "was due), per scenario step.");
	for (uint32_t r = 0; r < n_refs; r++) {
		const struct lm_hdr *h = &now->steps[refs[r].k].latency;

		bucket_counts(h, le);
		for (uint32_t b = 0; b < LM_PROM_N_BUCKETS; b++) {
			pw_step_sample(w, "lemmings_response_seconds_bucket",
				       &refs[r]);
			pw_label(w, "le", lm_prom_bucket_le[b]);
			pw_value_u64(w, le[b]);
		}
		pw_step_sample(w, "lemmings_response_seconds_sum", &refs[r]);
		pw_value_double(w, (double)h->sum / 1e9);
		/*
		 * The buckets' total rather than h->total: a copy taken while
		 * a worker records may have one ahead of the other, and
		 * _count must equal the +Inf bucket.
		 */
		pw_step_sample(w, "lemmings_response_seconds_count", &refs[r]);
		pw_value_u64(w, le[LM_PROM_N_BUCKETS - 1]);
	}

	if (before == NULL || tmp == NULL)
		return;
	/*
	 * A summary, as Prometheus' client libraries make them: quantiles
	 * over a recent window (here the last interval, from the
	 * difference of two views), _sum and _count over the whole run.
	 * promtool accepts a quantile label on nothing else.
	 */
	pw_family(w, "lemmings_response_seconds_interval", "summary",
		  "Response time quantiles of the last interval's responses "
		  "(NaN when there were none); _sum and _count over the "
		  "whole run. Per scenario step.");
	for (uint32_t r = 0; r < n_refs; r++) {
		const struct lm_hdr *h = &now->steps[refs[r].k].latency;

		lm_hdr_diff(tmp, h, &before->steps[refs[r].k].latency);
		for (size_t q = 0; q < N_QUANTILES; q++) {
			pw_step_sample(w, "lemmings_response_seconds_interval",
				       &refs[r]);
			pw_label(w, "quantile", interval_quantiles[q].label);
			pw_value_double(w, tmp->total == 0 ? NAN :
				(double)lm_hdr_percentile(tmp,
					interval_quantiles[q].q) / 1e9);
		}
		pw_step_sample(w, "lemmings_response_seconds_interval_sum",
			       &refs[r]);
		pw_value_double(w, (double)h->sum / 1e9);
		pw_step_sample(w, "lemmings_response_seconds_interval_count",
			       &refs[r]);
		pw_value_u64(w, h->total);
	}
}

static void
render_totals(struct pw *w, const struct lm_plan *plan,
	      const struct lm_view *now)
{
	const struct lm_worker_counters *c = &now->w;
	uint64_t txb = 0, rxb = 0;

	pw_family(w, "lemmings_runs_total", "counter",
		  "Runs ended (a pass over a scenario's steps), per scenario "
		  "and result.");
	for (uint32_t i = 0; i < plan->n_scenarios && i < now->n_scenarios;
	     i++) {
		pw_sample(w, "lemmings_runs_total");
		pw_label(w, "scenario", plan->scenarios[i].name);
		pw_label(w, "result", "ok");
		pw_value_u64(w, now->scen[i].runs_ok);
		pw_sample(w, "lemmings_runs_total");
		pw_label(w, "scenario", plan->scenarios[i].name);
		pw_label(w, "result", "failed");
		pw_value_u64(w, now->scen[i].runs_failed);
	}
	/* the summary's totals.tx_bytes and rx_bytes: HTTP, not frames */
	for (uint32_t k = 0; k < now->n_steps; k++) {
		txb += now->steps[k].tx_bytes;
		rxb += now->steps[k].rx_bytes;
	}
	pw_single_u64(w, "lemmings_tx_bytes_total", "counter",
		      "Request bytes sent (HTTP head and body, or raw TCP "
		      "sends).", txb);
	pw_single_u64(w, "lemmings_rx_bytes_total", "counter",
		      "Response bytes received (HTTP head and body, or raw "
		      "TCP).", rxb);
	pw_single_u64(w, "lemmings_tx_packets_total", "counter",
		      "Frames sent.", c->tx_pkts);
	pw_single_u64(w, "lemmings_rx_packets_total", "counter",
		      "Frames received.", c->rx_pkts);
	pw_single_u64(w, "lemmings_connect_attempts_total", "counter",
		      "Connections attempted (first SYN sent).",
		      c->conn_attempts);
	pw_single_u64(w, "lemmings_connections_opened_total", "counter",
		      "Connections established.", c->conn_opened);
	pw_single_u64(w, "lemmings_tcp_retransmits_total", "counter",
		      "TCP segments sent again.", c->tcp_retransmits);
	pw_events(w, "lemmings_tcp_events_total", "What TCP did and met, by "
		  "event (the summary's \"tcp\").", lm_tcp_events,
		  lm_n_tcp_events, c);
	pw_events(w, "lemmings_icmp_events_total", "ICMP messages received, "
		  "by event (the summary's \"icmp\").", lm_icmp_events,
		  lm_n_icmp_events, c);
	pw_single_u64(w, "lemmings_sessions_arrived_total", "counter",
		      "Open model: sessions that came due.",
		      c->sessions_arrived);
	pw_single_u64(w, "lemmings_late_starts_total", "counter",
		      "Open model: sessions started 1 ms or more after due.",
		      c->late_starts);
	pw_single_u64(w, "lemmings_arrivals_dropped_total", "counter",
		      "Open model: sessions due while the backlog was full.",
		      c->arrivals_dropped);
}

size_t
lm_prom_render(char *buf, size_t cap, const struct lm_plan *plan,
	       const struct lm_view *now, const struct lm_view *before,
	       double interval_s, const struct lm_prom_extra *x)
{
	struct pw w = { .buf = buf, .cap = cap, .x = x };
	struct lm_hdr *tmp = before != NULL ? malloc(sizeof(*tmp)) : NULL;
	struct step_ref *refs;
	uint32_t n_refs;

	if (cap > 0)
		buf[0] = '\0';
	/*
	 * Out of memory leaves the per-step families empty (still valid
	 * text) rather than failing a scrape outright.
	 */
	refs = step_refs(plan, now, &n_refs);
	render_gauges(&w, now, before, interval_s);
	render_steps(&w, refs, n_refs, now, before, tmp);
	render_totals(&w, plan, now);
	free(refs);
	free(tmp);
	return w.len;
}

char *
lm_prom_render_alloc(size_t *len, const struct lm_plan *plan,
		     const struct lm_view *now, const struct lm_view *before,
		     double interval_s, const struct lm_prom_extra *x)
{
	/* a guess that fits a few steps; exact on the second pass if not */
	size_t cap = 16384, n;
	char *buf = malloc(cap);

	if (buf == NULL)
		return NULL;
	n = lm_prom_render(buf, cap, plan, now, before, interval_s, x);
	if (n >= cap) {
		char *bigger = realloc(buf, n + 1);

		if (bigger == NULL) {
			free(buf);
			return NULL;
		}
		buf = bigger;
		cap = n + 1;
		n = lm_prom_render(buf, cap, plan, now, before, interval_s, x);
		/* only if memory ran out in between: keep what fitted */
		if (n >= cap)
			n = cap - 1;
	}
	if (len != NULL)
		*len = n;
	return buf;
}
