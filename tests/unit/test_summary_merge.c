/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Unit tests of lemmings-ctl summary merge (control/summary_merge.c).
 *
 * Hand-made summaries of one base whose integers are multiplied by k
 * (shards k = 1, 2, 3): every count of the merge must be 6 times the
 * base's, and what is not a count (sizes, clock rates, names, the
 * percentiles) must follow its own rule. Percentiles come from a .hlog
 * written here from known histograms.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include <lm/hdr.h>

#include "hlog.h"
#include "summary_merge.h"

static char tmp_dir[256];
static char err[1024];

#define LAT "{\"p50\": 10.0, \"p90\": 20.0, \"p99\": 30.0, \"p999\": 40.0, " \
	"\"max\": 50.0, \"min\": 1.0, \"mean\": 12.0}"

static const char base_text[] =
	"{\"plan\": \"shop\", \"duration_s\": 10.0,"
	" \"load\": {\"sessions_arrived\": 7, \"late_starts\": 1,"
	"  \"arrivals_dropped\": 0, \"flight_waits\": 2},"
	" \"totals\": {\"requests\": 30, \"ok\": 27, \"failed\": 3, \"runs\": 10,"
	"  \"runs_ok\": 9, \"runs_failed\": 1, \"runs_started\": 11,"
	"  \"connections\": 5, \"errors\": {\"timeout\": 2, \"reset\": 1,"
	"  \"status\": 0}, \"tx_bytes\": 3000, \"rx_bytes\": 9000},"
	" \"intervals\": ["
	"  {\"t_s\": 1.0, \"length_s\": 1.0, \"users\": 4, \"requests\": 12,"
	"   \"failed\": 1, \"rps\": 12.0, \"p50_us\": 100.0, \"p90_us\": 200.0,"
	"   \"p99_us\": 300.0, \"max_us\": 400.0},"
	"  {\"t_s\": 2.0, \"length_s\": 0.5, \"users\": 4, \"requests\": 18,"
	"   \"failed\": 2, \"rps\": 36.0, \"p50_us\": 100.0, \"p90_us\": 200.0,"
	"   \"p99_us\": 300.0, \"max_us\": 400.0}],"
	" \"scenarios\": [{\"name\": \"buy\", \"weight\": 1.0, \"runs\": 10,"
	"  \"runs_ok\": 9, \"runs_failed\": 1, \"runs_started\": 11, \"steps\": ["
	"  {\"name\": \"get\", \"requests\": 20, \"ok\": 19, \"failed\": 1,"
	"   \"errors\": {\"timeout\": 1, \"reset\": 0, \"status\": 0},"
	"   \"tx_bytes\": 2000, \"rx_bytes\": 8000, \"latency_us\": " LAT ","
	"   \"latency_raw_us\": " LAT ", \"ttfb_us\": " LAT ","
	"   \"connect_us\": " LAT "},"
	"  {\"name\": \"post\", \"requests\": 10, \"ok\": 8, \"failed\": 2,"
	"   \"errors\": {\"timeout\": 1, \"reset\": 1, \"status\": 0},"
	"   \"tx_bytes\": 1000, \"rx_bytes\": 1000, \"latency_us\": " LAT ","
	"   \"latency_raw_us\": " LAT ", \"ttfb_us\": " LAT ","
	"   \"connect_us\": " LAT "}]}],"
	" \"tcp\": {\"retransmits\": 4, \"connections_opened\": 5},"
	" \"packets\": {\"rx\": 100, \"tx\": 90},"
	" \"cpu\": {\"tsc_hz\": 2000000000, \"cycles\": 1000},"
	" \"ports\": [{\"ipackets\": 100, \"imissed\": 1}],"
	" \"workers\": [{\"rx\": 100, \"requests\": 30}],"
	" \"server\": {\"connections\": 3, \"servers\": [{\"name\": \"web\","
	"  \"connections\": 3}], \"routes\": [{\"server\": \"web\", \"route\": \"/x\","
	"  \"requests\": 6, \"tx_bytes\": 60}]},"
	" \"memory\": {\"per_connection\": {\"client\": 335}, \"parts\":"
	"  {\"tcb\": 136}, \"total_bytes\": 1000, \"peak_connections\": 4,"
	"  \"bytes_per_peak_connection\": 250.0},"
	" \"pools\": {\"back\": true, \"mbufs\": {\"size\": 100, \"free_end\": 100},"
	"  \"still_held\": []}}";

static const char *const names3[] = { "a.json", "b.json", "c.json" };

static void
scale(json_t *v, json_int_t k)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			if (json_is_integer(x))
				json_integer_set(x, json_integer_value(x) * k);
			else
				scale(x, k);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x) {
			if (json_is_integer(x))
				json_integer_set(x, json_integer_value(x) * k);
			else
				scale(x, k);
		}
	}
}

/* The base summary, its integers times k; shard index/count when count > 0. */
static json_t *
doc_new(json_int_t k, int index, int count)
{
	json_error_t je;
	json_t *d = json_loads(base_text, JSON_REJECT_DUPLICATES, &je);

	if (d == NULL)
		fail_msg("base summary: %d: %s", je.line, je.text);
	scale(d, k);
	if (count > 0)
		json_object_set_new(d, "shard", json_pack("{s:i, s:i}", "index",
							  index, "count", count));
	return d;
}

/* A dotted path with [i] for array elements (a small subset of JSONPath). */
static json_t *
json_path_get_simple(const json_t *root, const char *path)
{
	char buf[256], *save = NULL, *tok;
	const json_t *v = root;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && v;
	     tok = strtok_r(NULL, ".", &save)) {
		char *br = strchr(tok, '[');

		if (br != NULL)
			*br = '\0';
		if (*tok)
			v = json_object_get(v, tok);
		while (br != NULL && v != NULL) {
			v = json_array_get(v, strtoul(br + 1, NULL, 10));
			br = strchr(br + 1, '[');
		}
	}
	return (json_t *)v;
}

static json_t *
get(const json_t *root, const char *path)
{
	json_t *v = json_path_get_simple(root, path);

	if (v == NULL)
		fail_msg("no %s", path);
	return v;
}

static json_int_t
ival(const json_t *root, const char *path)
{
	json_t *v = get(root, path);

	assert_true(json_is_integer(v));
	return json_integer_value(v);
}

static double
dval(const json_t *root, const char *path)
{
	json_t *v = get(root, path);

	assert_true(json_is_number(v));
	return json_number_value(v);
}

static json_t *
merge3(json_t *d[3], int rc_want)
{
	json_t *out = NULL;
	int rc = lm_summary_merge(d, names3, 3, NULL, &out, err, sizeof(err));

	if (rc != rc_want)
		fail_msg("merge: %d (%s), expected %d", rc, err, rc_want);
	for (int i = 0; i < 3; i++)
		json_decref(d[i]);
	return out;
}

static void
test_counts_summed(void **state)
{
	json_t *d[3] = { doc_new(1, 0, 3), doc_new(2, 1, 3), doc_new(3, 2, 3) };
	json_t *m;

	(void)state;
	json_object_set_new(d[1], "duration_s", json_real(12.5));
	json_object_set_new(d[2], "duration_s", json_real(11.0));
	m = merge3(d, 0);
	assert_string_equal(json_string_value(get(m, "plan")), "shop");
	/* every count: 1 + 2 + 3 times the base */
	assert_int_equal(ival(m, "totals.requests"), 180);
	assert_int_equal(ival(m, "totals.ok"), 162);
	assert_int_equal(ival(m, "totals.failed"), 18);
	assert_int_equal(ival(m, "totals.runs_started"), 66);
	assert_int_equal(ival(m, "totals.connections"), 30);
	assert_int_equal(ival(m, "totals.errors.timeout"), 12);
	assert_int_equal(ival(m, "totals.errors.reset"), 6);
	assert_int_equal(ival(m, "totals.errors.status"), 0);
	assert_int_equal(ival(m, "totals.tx_bytes"), 18000);
	assert_int_equal(ival(m, "totals.rx_bytes"), 54000);
	assert_int_equal(ival(m, "load.sessions_arrived"), 42);
	assert_int_equal(ival(m, "load.flight_waits"), 12);
	assert_int_equal(ival(m, "scenarios[0].runs"), 60);
	assert_int_equal(ival(m, "scenarios[0].runs_failed"), 6);
	assert_int_equal(ival(m, "scenarios[0].steps[0].requests"), 120);
	assert_int_equal(ival(m, "scenarios[0].steps[1].errors.reset"), 6);
	assert_int_equal(ival(m, "scenarios[0].steps[1].rx_bytes"), 6000);
	assert_int_equal(ival(m, "tcp.retransmits"), 24);
	assert_int_equal(ival(m, "packets.tx"), 540);
	assert_int_equal(ival(m, "cpu.cycles"), 6000);
	assert_int_equal(ival(m, "ports[0].imissed"), 6);
	assert_int_equal(ival(m, "server.connections"), 18);
	assert_int_equal(ival(m, "server.servers[0].connections"), 18);
	assert_int_equal(ival(m, "server.routes[0].requests"), 36);
	assert_int_equal(ival(m, "server.routes[0].tx_bytes"), 360);
	assert_int_equal(ival(m, "pools.mbufs.size"), 600);
	assert_int_equal(ival(m, "memory.total_bytes"), 6000);
	assert_int_equal(ival(m, "memory.peak_connections"), 24);
	/* sizes: the largest; the ratio recomputed */
	assert_int_equal(ival(m, "memory.parts.tcb"), 408);
	assert_int_equal(ival(m, "memory.per_connection.client"), 1005);
	assert_true(dval(m, "memory.bytes_per_peak_connection") == 250.0);
	/* the longest duration, and rates over it */
	assert_true(dval(m, "duration_s") == 12.5);
	assert_true(dval(m, "totals.rps") == 180 / 12.5);
	assert_true(dval(m, "scenarios[0].steps[0].rps") == 120 / 12.5);
	assert_true(dval(m, "scenarios[0].steps[1].rps") == 60 / 12.5);
	/* intervals: second by second, rates from the sums, no percentiles */
	assert_int_equal(json_array_size(get(m, "intervals")), 2);
	assert_int_equal(ival(m, "intervals[1].requests"), 108);
	assert_int_equal(ival(m, "intervals[1].users"), 24);
	assert_true(dval(m, "intervals[1].rps") == 108 / 0.5);
	assert_null(json_path_get_simple(m, "intervals[0].p99_us"));
	assert_null(json_path_get_simple(m, "intervals[0].max_us"));
	/* each machine's workers; clock rates that differ are left out */
	assert_int_equal(json_array_size(get(m, "workers")), 3);
	assert_int_equal(ival(m, "workers[2].rx"), 300);
	assert_null(json_path_get_simple(m, "cpu.tsc_hz"));
	assert_true(json_is_true(get(m, "pools.back")));
	/* the shards, the inputs, and no percentiles without a .hlog */
	assert_int_equal(ival(m, "shard.count"), 3);
	assert_int_equal(json_array_size(get(m, "shard.merged")), 3);
	assert_int_equal(json_array_size(get(m, "shard.missing")), 0);
	assert_string_equal(json_string_value(get(m, "merged_from[2]")), "c.json");
	assert_string_equal(json_string_value(get(m, "percentiles")),
			    "not merged: give --hlog");
	assert_null(json_path_get_simple(m, "scenarios[0].steps[0].latency_us"));
	assert_null(json_path_get_simple(m, "scenarios[0].steps[0].ttfb_us"));
	assert_null(json_path_get_simple(m, "scenarios[0].steps[1].connect_us"));
	assert_null(json_path_get_simple(m, "scenarios[0].steps[1].latency_raw_us"));
	json_decref(m);
}

static void
test_rules_of_other_keys(void **state)
{
	json_t *d[3] = { doc_new(1, 2, 4), doc_new(1, 0, 4), doc_new(1, 3, 4) };
	json_t *m;

	(void)state;
	/* the same clock rate is kept; one machine's pools not back: false;
	 * a section only a later shard has is taken as it is */
	json_object_set_new(get(d[1], "pools"), "back", json_false());
	json_object_set_new(d[2], "impair", json_pack("{s:{s:i}}", "rx",
						      "dropped", 9));
	/* a longer series: the extra seconds are kept */
	/* text that is no name of the plan: kept when the same, else out */
	for (int i = 0; i < 3; i++) {
		json_object_set_new(d[i], "version", json_string("1.0"));
		json_object_set_new(d[i], "host", json_sprintf("gen%d", i));
	}
	json_array_append_new(get(d[2], "intervals"), json_pack(
		"{s:f, s:f, s:i, s:i}", "t_s", 3.0, "length_s", 1.0,
		"users", 2, "requests", 5));
	json_object_set_new(d[0], "start", json_pack("{s:f, s:f, s:f}",
		"at", 1000.002, "requested", 1000.0, "skew_ms", 2.0));
	json_object_set_new(d[1], "start", json_pack("{s:f, s:f, s:f}",
		"at", 1000.001, "requested", 1000.0, "skew_ms", 1.0));
	json_object_set_new(d[2], "start", json_pack("{s:f, s:f, s:f}",
		"at", 1000.004, "requested", 1000.0, "skew_ms", 4.0));
	m = merge3(d, 0);
	assert_int_equal(ival(m, "cpu.tsc_hz"), 2000000000);
	assert_string_equal(json_string_value(get(m, "version")), "1.0");
	assert_null(json_object_get(m, "host"));
	assert_true(json_is_false(get(m, "pools.back")));
	assert_int_equal(ival(m, "impair.rx.dropped"), 9);
	assert_int_equal(json_array_size(get(m, "intervals")), 3);
	assert_int_equal(ival(m, "intervals[2].requests"), 5);
	assert_true(dval(m, "intervals[2].rps") == 5.0);
	/* shards 0, 2, 3 of 4: 1 missing */
	assert_int_equal(ival(m, "shard.merged[0]"), 0);
	assert_int_equal(ival(m, "shard.merged[1]"), 2);
	assert_int_equal(ival(m, "shard.merged[2]"), 3);
	assert_int_equal(json_array_size(get(m, "shard.missing")), 1);
	assert_int_equal(ival(m, "shard.missing[0]"), 1);
	/* the start: the earliest, the latest, and the latest's skew */
	assert_true(dval(m, "start.at") == 1000.001);
	assert_true(dval(m, "start.last_at") == 1000.004);
	assert_true(dval(m, "start.spread_ms") > 2.999 &&
		    dval(m, "start.spread_ms") < 3.001);
	assert_true(dval(m, "start.skew_ms") > 3.999 &&
		    dval(m, "start.skew_ms") < 4.001);
	assert_true(dval(m, "start.requested") == 1000.0);
	json_decref(m);
}

/* merge3 expecting a refusal whose message holds each of the words */
static void
refused(json_t *d[3], ...)
{
	const char *want;
	va_list ap;
	json_t *m = merge3(d, -EINVAL);

	assert_null(m);
	va_start(ap, d);
	while ((want = va_arg(ap, const char *)) != NULL)
		if (strstr(err, want) == NULL)
			fail_msg("'%s' not in the message: %s", want, err);
	va_end(ap);
}

static void
test_refusals(void **state)
{
	json_t *d[3];

	(void)state;
	/* another plan */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(d[2], "plan", json_string("other"));
	refused(d, "c.json: plan: \"other\"", "a.json has \"shop\"",
		"different plans", NULL);
	/* a step renamed */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[1], "scenarios[0].steps[1]"), "name",
			    json_string("put"));
	refused(d, "b.json: scenarios[0].steps[1].name: \"put\"", NULL);
	/* a step more */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_array_append(get(d[1], "scenarios[0].steps"),
			  get(d[1], "scenarios[0].steps[0]"));
	refused(d, "b.json: scenarios[0].steps: 3 entries", "a.json has 2", NULL);
	/* a server's name */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[2], "server.servers[0]"), "name",
			    json_string("api"));
	refused(d, "c.json: server.servers[0].name: \"api\"", NULL);
	/* another weight: another plan */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[2], "scenarios[0]"), "weight", json_real(2));
	refused(d, "c.json: scenarios[0].weight", NULL);
	/* a count that is not a number */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[1], "totals"), "requests", json_string("9"));
	refused(d, "b.json: totals.requests: a string", "an integer", NULL);
	/* a negative count */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[0], "tcp"), "retransmits", json_integer(-1));
	refused(d, "a.json: tcp.retransmits: -1", NULL);
	/* no plan, no scenarios, not an object */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_del(d[1], "plan");
	refused(d, "b.json: plan: missing", NULL);
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(d[2], "scenarios", json_object());
	refused(d, "c.json: scenarios: ", NULL);
	d[0] = doc_new(1, 0, 0); d[1] = json_array(); d[2] = doc_new(1, 0, 0);
	refused(d, "b.json: (top): an array", NULL);
	/* the same shard twice; another split; a shard without its key */
	d[0] = doc_new(1, 0, 3); d[1] = doc_new(1, 1, 3); d[2] = doc_new(1, 1, 3);
	refused(d, "c.json: shard.index: 1", "also in b.json", NULL);
	d[0] = doc_new(1, 0, 3); d[1] = doc_new(1, 1, 2); d[2] = doc_new(1, 2, 3);
	refused(d, "b.json: shard.count: 2", "a.json has 3", NULL);
	d[0] = doc_new(1, 0, 3); d[1] = doc_new(1, 1, 3); d[2] = doc_new(1, 0, 0);
	refused(d, "c.json: shard: missing", NULL);
	d[0] = doc_new(1, 0, 3); d[1] = doc_new(1, 3, 3); d[2] = doc_new(1, 2, 3);
	refused(d, "b.json: shard: not", NULL);
	/* a merged summary is not a shard's */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(d[0], "merged_from", json_array());
	refused(d, "a.json: merged_from", NULL);
	/* sums beyond what JSON integers hold here */
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	json_object_set_new(get(d[1], "packets"), "rx",
			    json_integer(INT64_MAX - 50));
	refused(d, "b.json: packets.rx: the sum overflows", NULL);
}

/* ---- percentiles from a .hlog ---- */

static const char *
tmp_path(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmp_dir, name);
	return p[k];
}

static struct lm_hdr *
hdr_new(void)
{
	struct lm_hdr *h = malloc(sizeof(*h));

	assert_non_null(h);
	lm_hdr_init(h);
	return h;
}

/* h as a .hlog reader sees it: encoded and decoded (min, max: buckets) */
static struct lm_hdr *
through_log(const struct lm_hdr *h)
{
	struct lm_hdr *d = hdr_new();
	char *text = lm_hlog_encode(h), e[256];

	assert_non_null(text);
	assert_int_equal(lm_hlog_decode(text, strlen(text), d, e, sizeof(e)), 0);
	free(text);
	return d;
}

static void
assert_latency(const json_t *o, const struct lm_hdr *h)
{
	assert_non_null(o);
	assert_true(json_number_value(json_object_get(o, "p50")) ==
		    lm_hdr_percentile(h, 50) / 1e3);
	assert_true(json_number_value(json_object_get(o, "p90")) ==
		    lm_hdr_percentile(h, 90) / 1e3);
	assert_true(json_number_value(json_object_get(o, "p99")) ==
		    lm_hdr_percentile(h, 99) / 1e3);
	assert_true(json_number_value(json_object_get(o, "p999")) ==
		    lm_hdr_percentile(h, 99.9) / 1e3);
	assert_true(json_number_value(json_object_get(o, "max")) ==
		    lm_hdr_percentile(h, 100) / 1e3);
	assert_true(json_number_value(json_object_get(o, "min")) ==
		    (h->total ? h->min / 1e3 : 0.0));
}

static void
test_percentiles_from_hlog(void **state)
{
	struct lm_hdr *get1 = hdr_new(), *get2 = hdr_new(), *post = hdr_new();
	struct lm_hdr *ttfb = hdr_new(), *sum = hdr_new(), *all = hdr_new();
	struct lm_hdr *want;
	struct lm_hlog *hl;
	json_t *d[3] = { doc_new(1, 0, 0), doc_new(2, 0, 0), doc_new(3, 0, 0) };
	json_t *m = NULL;
	char e[256];

	(void)state;
	/* two shards' intervals of buy.get, far apart, and buy.post */
	for (uint64_t v = 1; v <= 1000; v++) {
		lm_hdr_record(get1, v * 1000);          /* 1 us .. 1 ms */
		lm_hdr_record(get2, v * 50000 + 7);     /* 50 us .. 50 ms */
		lm_hdr_record(ttfb, v * 900);
		if (v % 10 == 0)
			lm_hdr_record(post, v * 3000);
	}
	hl = lm_hlog_open(tmp_path("m.hlog"), 1700000000.0, e, sizeof(e));
	assert_non_null(hl);
	assert_int_equal(lm_hlog_write(hl, "buy.get.latency", 0, 1, get1), 0);
	assert_int_equal(lm_hlog_write(hl, "buy.get.ttfb", 0, 1, ttfb), 0);
	assert_int_equal(lm_hlog_write(hl, "buy.get.latency", 1, 1, get2), 0);
	assert_int_equal(lm_hlog_write(hl, "buy.post.latency", 1, 1, post), 0);
	assert_int_equal(lm_hlog_close(hl), 0);
	assert_int_equal(lm_summary_merge(d, names3, 3, tmp_path("m.hlog"), &m,
					  err, sizeof(err)), 0);
	/* buy.get: both intervals as one histogram */
	lm_hdr_add(sum, get1);
	lm_hdr_add(sum, get2);
	want = through_log(sum);
	assert_latency(get(m, "scenarios[0].steps[0].latency_us"), want);
	/* p90 is a sample of the second interval: both were read */
	assert_true(dval(m, "scenarios[0].steps[0].latency_us.p90") > 30000);
	free(want);
	want = through_log(ttfb);
	assert_latency(get(m, "scenarios[0].steps[0].ttfb_us"), want);
	free(want);
	/* no line: no sample */
	lm_hdr_init(all);
	assert_latency(get(m, "scenarios[0].steps[0].connect_us"), all);
	assert_true(dval(m, "scenarios[0].steps[0].connect_us.p99") == 0);
	want = through_log(post);
	assert_latency(get(m, "scenarios[0].steps[1].latency_us"), want);
	free(want);
	/* not in a .hlog: left out */
	assert_null(json_path_get_simple(m, "scenarios[0].steps[0].latency_raw_us"));
	/* the totals: every step's latency */
	lm_hdr_add(all, sum);
	lm_hdr_add(all, post);
	want = through_log(all);
	assert_latency(get(m, "totals.latency_us"), want);
	free(want);
	assert_non_null(strstr(json_string_value(get(m, "percentiles")),
			       "m.hlog"));
	json_decref(m);
	for (int i = 0; i < 3; i++)
		json_decref(d[i]);

	/* a log of another plan: a tag no step has */
	hl = lm_hlog_open(tmp_path("o.hlog"), 1700000000.0, e, sizeof(e));
	assert_non_null(hl);
	assert_int_equal(lm_hlog_write(hl, "buy.get.latency", 0, 1, get1), 0);
	assert_int_equal(lm_hlog_write(hl, "sell.get.latency", 0, 1, get1), 0);
	assert_int_equal(lm_hlog_close(hl), 0);
	d[0] = doc_new(1, 0, 0); d[1] = doc_new(1, 0, 0); d[2] = doc_new(1, 0, 0);
	assert_int_equal(lm_summary_merge(d, names3, 3, tmp_path("o.hlog"), &m,
					  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "o.hlog: tag \"sell.get.latency\""));
	/* a log that is not one */
	FILE *f = fopen(tmp_path("bad.hlog"), "w");

	assert_non_null(f);
	fputs("#[StartTime: 1700000000.000 (seconds since epoch)]\n"
	      "Tag=buy.get.latency,0.000,1.000,0.000,HISTF!\n", f);
	fclose(f);
	assert_int_equal(lm_summary_merge(d, names3, 3, tmp_path("bad.hlog"), &m,
					  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad.hlog:2"));
	assert_int_equal(lm_summary_merge(d, names3, 3, tmp_path("none.hlog"), &m,
					  err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "none.hlog"));
	for (int i = 0; i < 3; i++)
		json_decref(d[i]);
	free(get1);
	free(get2);
	free(post);
	free(ttfb);
	free(sum);
	free(all);
}

/* ---- files ---- */

static int
dir_entries(void)
{
	DIR *dir = opendir(tmp_dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dir);
	return n;
}

static void
write_doc(const char *name, json_t *d)
{
	assert_int_equal(json_dump_file(d, tmp_path(name), JSON_INDENT(2)), 0);
	json_decref(d);
}

static void
write_text(const char *name, const char *text)
{
	FILE *f = fopen(tmp_path(name), "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_files(void **state)
{
	const char *in[3];
	json_error_t je;
	json_t *m;
	char buf[64];
	FILE *f;
	int n0;

	(void)state;
	write_doc("s0.json", doc_new(1, 0, 2));
	write_doc("s1.json", doc_new(2, 1, 2));
	write_text("bad.json", "{\"plan\": \"shop\",\n \"totals\": }\n");
	write_text("out.json", "old\n");
	n0 = dir_entries();
	in[0] = strdup(tmp_path("s0.json"));
	in[1] = strdup(tmp_path("s1.json"));
	in[2] = strdup(tmp_path("bad.json"));
	/* refused: the old output stays, nothing is left beside it */
	assert_int_equal(lm_summary_merge_files(in, 3, NULL, tmp_path("out.json"),
						err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "bad.json:2:"));
	f = fopen(tmp_path("out.json"), "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old\n");
	assert_int_equal(dir_entries(), n0);
	/* the same file twice */
	free((void *)in[2]);
	in[2] = strdup(tmp_path("s0.json"));
	assert_int_equal(lm_summary_merge_files(in, 3, NULL, tmp_path("out.json"),
						err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "given twice"));
	/* merged: the output replaced, nothing else left */
	assert_int_equal(lm_summary_merge_files(in, 2, NULL, tmp_path("out.json"),
						err, sizeof(err)), 0);
	assert_int_equal(dir_entries(), n0);
	m = json_load_file(tmp_path("out.json"), 0, &je);
	assert_non_null(m);
	assert_int_equal(ival(m, "totals.requests"), 90);
	assert_int_equal(json_array_size(get(m, "shard.missing")), 0);
	json_decref(m);
	/* an output that cannot be written */
	assert_int_equal(lm_summary_merge_files(in, 2, NULL,
						tmp_path("no/such/dir.json"),
						err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "no/such/dir.json"));
	assert_int_equal(dir_entries(), n0);
	for (int i = 0; i < 3; i++)
		free((void *)in[i]);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(tmp_dir, sizeof(tmp_dir), "%s/test_summary_merge.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(tmp_dir) == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	static const char *const names[] = {
		"m.hlog", "o.hlog", "bad.hlog", "s0.json", "s1.json",
		"bad.json", "out.json",
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
		cmocka_unit_test(test_counts_summed),
		cmocka_unit_test(test_rules_of_other_keys),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_percentiles_from_hlog),
		cmocka_unit_test(test_files),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
