/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * InfluxDB line protocol pushes. The control loop renders a batch each
 * interval and hands it over (lm_influx_push copies it into a small queue
 * and returns at once); a thread of its own posts the batches with libcurl.
 * A slow or dead InfluxDB therefore never stalls the control loop, let
 * alone a worker: when the queue is full the oldest batch is dropped and
 * counted, and failed posts are counted and logged (once a minute at most).
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "influx.h"

#define LM_INFLUX_QUEUE 16
#define LM_INFLUX_TIMEOUT_MS 2000

struct lm_influx {
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop;
	char *url;
	char *auth;                      /* "Authorization: Token ..." or NULL */
	char *q[LM_INFLUX_QUEUE];
	size_t qlen[LM_INFLUX_QUEUE];
	unsigned int head;
	unsigned int n;
	struct lm_influx_counters ctr;
	time_t last_log;
};

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

static void
post(struct lm_influx *ix, CURL *c, const char *body, size_t len)
{
	struct curl_slist *h = NULL;
	long code = 0;
	CURLcode rc;

	h = curl_slist_append(h, "Content-Type: text/plain; charset=utf-8");
	if (ix->auth != NULL)
		h = curl_slist_append(h, ix->auth);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, ix->url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)LM_INFLUX_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)LM_INFLUX_TIMEOUT_MS);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(h);
	pthread_mutex_lock(&ix->mu);
	if (rc == CURLE_OK && code >= 200 && code < 300) {
		ix->ctr.sent++;
	} else {
		time_t now = time(NULL);

		ix->ctr.failed++;
		if (now - ix->last_log >= 60) {
			ix->last_log = now;
			fprintf(stderr, "influx: push to %s failed: %s (%ld); "
				"the run goes on\n", ix->url,
				rc == CURLE_OK ? "HTTP status" : curl_easy_strerror(rc),
				code);
		}
	}
	pthread_mutex_unlock(&ix->mu);
}

static void *
sender(void *arg)
{
	struct lm_influx *ix = arg;
	CURL *c = curl_easy_init();

	pthread_mutex_lock(&ix->mu);
	for (;;) {
		char *body;
		size_t len;

		while (ix->n == 0 && !ix->stop)
			pthread_cond_wait(&ix->cv, &ix->mu);
		if (ix->n == 0)
			break; /* stopping with nothing left */
		body = ix->q[ix->head];
		len = ix->qlen[ix->head];
		ix->q[ix->head] = NULL;
		ix->head = (ix->head + 1) % LM_INFLUX_QUEUE;
		ix->n--;
		pthread_mutex_unlock(&ix->mu);
		if (c != NULL)
			post(ix, c, body, len);
		free(body);
		/* stopping: the queue holds at most the final batch (see stop) */
		pthread_mutex_lock(&ix->mu);
	}
	pthread_mutex_unlock(&ix->mu);
	if (c != NULL)
		curl_easy_cleanup(c);
	return NULL;
}

struct lm_influx *
lm_influx_start(const char *url, const char *token, char *err, size_t errlen)
{
	struct lm_influx *ix;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) {
		snprintf(err, errlen, "--influx: \"%s\" is not an http(s) URL "
			 "(e.g. http://127.0.0.1:8086/write?db=lemmings)", url);
		return NULL;
	}
	if (strstr(url, "/write?") == NULL) {
		snprintf(err, errlen, "--influx: \"%s\" has no write endpoint "
			 "(/write?db=DB for v1, /api/v2/write?org=O&bucket=B for v2)",
			 url);
		return NULL;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		snprintf(err, errlen, "--influx: libcurl cannot start");
		return NULL;
	}
	ix = calloc(1, sizeof(*ix));
	if (ix == NULL || (ix->url = strdup(url)) == NULL) {
		free(ix);
		snprintf(err, errlen, "--influx: out of memory");
		return NULL;
	}
	if (token == NULL)
		token = getenv("LEMMINGS_INFLUX_TOKEN");
	if (token != NULL && token[0] != '\0' &&
	    asprintf(&ix->auth, "Authorization: Token %s", token) < 0)
		ix->auth = NULL;
	pthread_mutex_init(&ix->mu, NULL);
	pthread_cond_init(&ix->cv, NULL);
	if (pthread_create(&ix->thread, NULL, sender, ix) != 0) {
		snprintf(err, errlen, "--influx: cannot start its thread");
		free(ix->auth);
		free(ix->url);
		free(ix);
		return NULL;
	}
	return ix;
}

void
lm_influx_push(struct lm_influx *ix, const char *lines, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy == NULL)
		return;
	memcpy(copy, lines, len);
	copy[len] = '\0';
	pthread_mutex_lock(&ix->mu);
	if (ix->n == LM_INFLUX_QUEUE) {
		/* the server is behind: the oldest batch goes */
		free(ix->q[ix->head]);
		ix->q[ix->head] = NULL;
		ix->head = (ix->head + 1) % LM_INFLUX_QUEUE;
		ix->n--;
		ix->ctr.dropped++;
	}
	ix->q[(ix->head + ix->n) % LM_INFLUX_QUEUE] = copy;
	ix->qlen[(ix->head + ix->n) % LM_INFLUX_QUEUE] = len;
	ix->n++;
	ix->ctr.queued++;
	pthread_cond_signal(&ix->cv);
	pthread_mutex_unlock(&ix->mu);
}

void
lm_influx_counters(struct lm_influx *ix, struct lm_influx_counters *out)
{
	pthread_mutex_lock(&ix->mu);
	*out = ix->ctr;
	pthread_mutex_unlock(&ix->mu);
}

static void influx_stop(struct lm_influx *ix, bool flush,
			struct lm_influx_counters *out);

void
lm_influx_stop(struct lm_influx *ix, bool flush)
{
	influx_stop(ix, flush, NULL);
}

void
lm_influx_stop_counted(struct lm_influx *ix, struct lm_influx_counters *out)
{
	influx_stop(ix, true, out);
}

static void
influx_stop(struct lm_influx *ix, bool flush, struct lm_influx_counters *out)
{
	if (ix == NULL)
		return;
	pthread_mutex_lock(&ix->mu);
	/*
	 * At the end only the newest batch matters (it holds the final
	 * totals), and waiting on a dead server for every queued one could
	 * hold the exit for half a minute: keep that one (when flushing),
	 * drop the others, and count them.
	 */
	while (ix->n > (flush ? 1u : 0u)) {
		free(ix->q[ix->head]);
		ix->q[ix->head] = NULL;
		ix->head = (ix->head + 1) % LM_INFLUX_QUEUE;
		ix->n--;
		ix->ctr.dropped++;
	}
	ix->stop = true;
	pthread_cond_signal(&ix->cv);
	pthread_mutex_unlock(&ix->mu);
	/* at most one post in progress, bounded by its timeout */
	pthread_join(ix->thread, NULL);
	if (out != NULL)
		*out = ix->ctr;
	for (unsigned int i = 0; i < LM_INFLUX_QUEUE; i++)
		free(ix->q[i]);
	pthread_mutex_destroy(&ix->mu);
	pthread_cond_destroy(&ix->cv);
	free(ix->auth);
	free(ix->url);
	free(ix);
}

/* Tag values: escape commas, spaces and equal signs (line protocol). */
static int
put_tag(char *buf, size_t cap, const char *v)
{
	size_t n = 0;

	for (; *v != '\0'; v++) {
		if (*v == ',' || *v == ' ' || *v == '=') {
			if (n < cap)
				buf[n] = '\\';
			n++;
		}
		if (n < cap)
			buf[n] = *v;
		n++;
	}
	return (int)n;
}

size_t
lm_influx_render(char *buf, size_t cap, const struct lm_plan *plan,
		 const struct lm_view *now, const struct lm_view *before,
		 double interval_s, uint64_t ts_ns)
{
	size_t n = 0;
	uint32_t k = 0;
	struct lm_hdr *d = malloc(sizeof(*d));

#define ROOM (n < cap ? cap - n : 0)
#define AT (n < cap ? buf + n : NULL)
	if (d == NULL)
		return 0;
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps; j++, k++) {
			const struct lm_step_stats *a = &now->steps[k];
			const struct lm_step_stats *b = &before->steps[k];

			lm_hdr_diff(d, &a->latency, &b->latency);
			n += (size_t)snprintf(AT, ROOM, "lemmings,plan=");
			n += (size_t)put_tag(AT, ROOM, plan->name ? plan->name : "plan");
			n += (size_t)snprintf(AT, ROOM, ",scenario=");
			n += (size_t)put_tag(AT, ROOM, sc->name);
			n += (size_t)snprintf(AT, ROOM, ",step=");
			n += (size_t)put_tag(AT, ROOM, sc->steps[j].name);
			n += (size_t)snprintf(AT, ROOM,
				" requests=%" PRIu64 "i,ok=%" PRIu64 "i,failed=%"
				PRIu64 "i,rps=%.3f,p50_ms=%.3f,p90_ms=%.3f,"
				"p99_ms=%.3f,max_ms=%.3f %" PRIu64 "\n",
				a->requests, a->ok, a->failed,
				interval_s > 0 ? (double)(a->requests - b->requests) /
				interval_s : 0.0,
				lm_hdr_percentile(d, 50) / 1e6,
				lm_hdr_percentile(d, 90) / 1e6,
				lm_hdr_percentile(d, 99) / 1e6,
				lm_hdr_percentile(d, 100) / 1e6, ts_ns);
		}
	}
	n += (size_t)snprintf(AT, ROOM, "lemmings_run,plan=");
	n += (size_t)put_tag(AT, ROOM, plan->name ? plan->name : "plan");
	n += (size_t)snprintf(AT, ROOM, " users=%" PRIu64 "i,connections=%" PRIu64
			      "i,retransmits=%" PRIu64 "i %" PRIu64 "\n",
			      now->w.users_active, now->w.conns_active,
			      now->w.tcp_retransmits, ts_ns);
#undef ROOM
#undef AT
	free(d);
	return n;
}
