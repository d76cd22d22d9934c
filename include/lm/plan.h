/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The compiled plan: what the control plane's loader produces from the JSON
 * file and what every worker reads (read-only) while the run goes on.
 *
 * Addresses and ports are kept in host byte order; the dataplane converts at
 * the edge. Strings are NUL-terminated and owned by the plan
 * (lm_plan_free() releases everything).
 */
#ifndef LM_PLAN_H
#define LM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LM_MAX_PORTS 8
#define LM_MAX_EXPECT_STATUS 16

enum lm_http_method {
	LM_HTTP_GET,
	LM_HTTP_HEAD,
	LM_HTTP_POST,
	LM_HTTP_PUT,
	LM_HTTP_DELETE,
	LM_HTTP_PATCH,
	LM_HTTP_OPTIONS,
};

struct lm_plan_port {
	uint32_t ip;      /* our address on this port */
	uint8_t prefix;   /* on-link prefix length */
	uint32_t gateway; /* next hop for off-link targets; 0 = none */
};

struct lm_plan_target {
	uint32_t ip;
	uint16_t port;
};

struct lm_plan_load {
	uint32_t users;      /* closed model: concurrent users */
	double duration_s;   /* 0 = no time limit (max_runs must be set) */
	uint64_t max_runs;   /* cap on runs started across all users; 0 = none */
};

struct lm_http_header {
	char *name;
	char *value;
};

struct lm_http_step {
	enum lm_http_method method;
	char *path;
	struct lm_http_header *headers;
	uint32_t n_headers;
	char *body;          /* NULL when no body */
	uint32_t body_len;
	/* expect.status: the accepted codes; n_expect_status == 0 means 2xx/3xx */
	uint16_t expect_status[LM_MAX_EXPECT_STATUS];
	uint32_t n_expect_status;
	/*
	 * The request compiled at plan load: request line, headers (Host,
	 * User-Agent, Content-Length added where the plan does not set them)
	 * and body, as the bytes that go on the wire. A retransmission
	 * regenerates its bytes from here.
	 */
	uint8_t *request;
	uint32_t request_len;
};

enum lm_step_kind {
	LM_STEP_HTTP,
};

struct lm_step {
	char *name;
	enum lm_step_kind kind;
	uint32_t timeout_ms; /* response must complete within this; default 10000 */
	union {
		struct lm_http_step http;
	};
};

struct lm_scenario {
	char *name;
	double weight;
	struct lm_step *steps;
	uint32_t n_steps;
};

struct lm_plan {
	char *file;          /* path it was loaded from (for messages) */
	char *name;          /* optional plan name; defaults to the file's base name */
	struct lm_plan_port ports[LM_MAX_PORTS];
	uint32_t n_ports;
	struct lm_plan_target target;
	struct lm_plan_load load;
	struct lm_scenario *scenarios;
	uint32_t n_scenarios;
};

/* Largest error message lm_plan_load() writes. */
#define LM_PLAN_ERR_MAX 512

/*
 * Load and validate a plan file. On success returns a plan to free with
 * lm_plan_free(). On failure returns NULL and writes into err a message of
 * the form "FILE:LINE:COLUMN: JSON.PATH: what is wrong", e.g.
 * "plan.json:12:31: scenarios[1].steps[0].http.method: unknown method "GOT"
 * (expected GET, HEAD, POST, PUT, DELETE, PATCH or OPTIONS)".
 */
struct lm_plan *lm_plan_load(const char *path, char *err, size_t errlen);

/* The same, from text in memory (file is only used for messages). */
struct lm_plan *lm_plan_load_text(const char *text, size_t len,
				  const char *file, char *err, size_t errlen);

void lm_plan_free(struct lm_plan *plan);

const char *lm_http_method_name(enum lm_http_method m);

/* Total number of steps across scenarios (for sizing statistics). */
uint32_t lm_plan_n_steps(const struct lm_plan *plan);

#endif /* LM_PLAN_H */
