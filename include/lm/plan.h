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
	/*
	 * "client_ips": the addresses our client connections take, in turn,
	 * [client_ip, client_ip + n_client_ips); by default ip alone. More
	 * addresses, more connections a second: each has its own 64 K ports.
	 */
	uint32_t client_ip;
	uint32_t n_client_ips;
};

/*
 * Where the client connects: ip:port, or with "ip_last" / "port_last" every
 * address and port of [ip, ip_last] x [port, port_last], taken in turn for
 * each new connection (servers behind a load balancer, a pool of
 * backends). n_ips and n_ports are 1 without them.
 */
struct lm_plan_target {
	uint32_t ip;
	uint16_t port;
	uint32_t n_ips;
	uint32_t n_ports;
};

/* The addresses and ports of the target taken in turn: the k-th. */
static inline void
lm_plan_target_pick(const struct lm_plan_target *t, uint64_t k,
		    uint32_t *ip, uint16_t *port)
{
	uint32_t ni = t->n_ips ? t->n_ips : 1, np = t->n_ports ? t->n_ports : 1;

	*ip = t->ip + (uint32_t)(k % ni);
	*port = (uint16_t)(t->port + (k / ni) % np);
}

enum lm_load_model {
	LM_LOAD_CLOSED = 0,  /* "users": N users, each running runs back to back */
	LM_LOAD_OPEN,        /* "rate": new one-run sessions per second */
};

enum lm_arrival {
	LM_ARRIVAL_CONSTANT = 0,  /* evenly spaced */
	LM_ARRIVAL_POISSON,       /* exponential inter-arrival times */
};

/*
 * A stage: from the level reached so far, move linearly to target (users
 * in the closed model, sessions per second in the open one) over
 * duration_s (k6's stages). The load starts at 0 for stages.
 */
struct lm_load_stage {
	double target;
	double duration_s;
};

struct lm_plan_load {
	enum lm_load_model model;
	uint32_t users;      /* closed model: concurrent users (the peak with stages) */
	double spawn_rate;   /* closed: users started per second; 0 = all at once */
	double rate;         /* open model: sessions started per second */
	enum lm_arrival arrival;
	uint32_t max_users;  /* open: sessions in flight at most [10000] */
	struct lm_load_stage *stages;   /* NULL: constant users / rate */
	uint32_t n_stages;
	double duration_s;   /* 0 = no time limit (max_runs must be set); with
			      * stages, defaults to their total */
	uint64_t max_runs;   /* cap on runs started across all users; 0 = none */
};

/* TCP settings of the plan ("tcp": {...}); defaults in brackets. */
struct lm_plan_tcp {
	uint32_t time_wait_ms;     /* TIME-WAIT duration [1000] */
	uint32_t delayed_ack_ms;   /* ACK delay; 0 = ACK at the end of each pass [0] */
	uint32_t syn_retries;      /* SYN retransmissions before connect_timeout [3] */
	uint32_t data_retries;     /* RTO retransmissions before retransmit_limit [8] */
	uint32_t window_bytes;     /* receive window we advertise [262144] */
	uint32_t init_cwnd;        /* initial congestion window, segments [10] */
	uint32_t max_connections;  /* TCBs of the process, split over the workers;
				    * 0: sized from the load model [0] */
	bool sack;                 /* offer SACK-permitted (RFC 2018) [true] */
	bool timestamps;           /* offer timestamps (RFC 7323) [true] */
	bool window_scaling;       /* offer window scaling (RFC 7323) [true] */
	bool sack_compress;        /* coalesce SACK-carrying duplicate ACKs [true] */
};

/* One direction of the fault injector: probabilities in [0, 1]. */
struct lm_impair_dir {
	double drop;
	double dup;
	double reorder;            /* hold a packet back by reorder_depth packets */
	double corrupt;            /* flip one byte past the Ethernet header */
	uint32_t reorder_depth;    /* [3] */
};

/* "impair": {"seed": S, "rx": {...}, "tx": {...}} (rx: what we receive). */
struct lm_plan_impair {
	bool enabled;              /* any probability above 0 */
	uint64_t seed;             /* [1] */
	struct lm_impair_dir rx;
	struct lm_impair_dir tx;
};

enum lm_close_mode {
	LM_CLOSE_FIN = 0,          /* orderly release (default) */
	LM_CLOSE_RST,              /* abort with RST */
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
	char *body;          /* NULL when no body (or when generated) */
	uint32_t body_len;
	/*
	 * "body": {"size": N, "seed": S}: N generated bytes (util/body_gen.h)
	 * follow the compiled request head; nothing is stored.
	 */
	bool body_generated;
	uint64_t body_gen_size;
	uint64_t body_gen_seed;
	/* expect.body_bytes: exact (de-chunked) body length; -1 = not checked */
	int64_t expect_body_bytes;
	/* expect.body_crc32c: CRC-32C of the de-chunked body */
	bool expect_body_crc;
	uint32_t expect_body_crc32c;
	/* expect.status: the accepted codes; n_expect_status == 0 means 2xx/3xx */
	uint16_t expect_status[LM_MAX_EXPECT_STATUS];
	uint32_t n_expect_status;
	/*
	 * Templated requests (a {{...}} in the path, a header value or the
	 * body): tmpl renders the head (request line, headers, empty line)
	 * and tmpl_body the literal body, NULL when there is none (no body,
	 * an empty or a generated one), for each send; request/request_len
	 * are then NULL/0. Two templates, so that the head's end is known
	 * without searching the rendered bytes for it.
	 */
	struct lm_tmpl *tmpl;
	struct lm_tmpl *tmpl_body;
	/* captures applied to the response (app/template.h), or NULL */
	struct lm_captures *captures;
	/*
	 * The request compiled at plan load: request line, headers (Host,
	 * User-Agent, Content-Length added where the plan does not set them)
	 * and body, as the bytes that go on the wire. A retransmission
	 * regenerates its bytes from here. With a generated body, request
	 * holds the head only and request_len + body_gen_size bytes are sent.
	 */
	uint8_t *request;
	uint32_t request_len;
};

enum lm_step_kind {
	LM_STEP_HTTP,
	LM_STEP_THINK,       /* wait, holding the connection */
	LM_STEP_LOOP,        /* run the next body_steps steps count times */
	LM_STEP_CONNECT,     /* raw TCP: open (or reopen) the user's connection */
	LM_STEP_SEND,        /* raw TCP: send bytes */
	LM_STEP_EXPECT,      /* raw TCP: wait for bytes */
	LM_STEP_CLOSE,       /* raw TCP: close the connection */
};

enum lm_think_dist {
	LM_THINK_CONSTANT,   /* a_ms */
	LM_THINK_UNIFORM,    /* in [a_ms, b_ms] */
	LM_THINK_EXPONENTIAL,/* mean a_ms */
	LM_THINK_NORMAL,     /* mean a_ms, standard deviation b_ms, truncated at 0 */
};

struct lm_think_step {
	enum lm_think_dist dist;
	double a_ms;
	double b_ms;
};

/*
 * A loop is flattened: the LOOP step is followed in the scenario's step
 * array by its body, body_steps steps (nested loops included); each body
 * step has its own statistics.
 */
struct lm_loop_step {
	uint32_t count;
	uint32_t body_steps;
};

struct lm_connect_step {
	uint32_t ip;         /* 0: the plan's target */
	uint16_t port;       /* 0: the plan's target */
};

struct lm_tmpl;          /* a compiled template (app/template.h) */

struct lm_send_step {
	struct lm_tmpl *tmpl;   /* text with {{...}}; NULL when generated */
	bool generated;         /* {"size": N, "seed": S} */
	uint64_t gen_size;
	uint64_t gen_seed;
};

enum lm_expect_kind {
	LM_EXPECT_BYTES,     /* exactly N bytes */
	LM_EXPECT_CONTAINS,  /* until the text has been seen */
	LM_EXPECT_UNTIL,     /* until the delimiter (e.g. "\r\n") */
};

struct lm_expect_step {
	enum lm_expect_kind kind;
	uint64_t bytes;
	char *pattern;       /* contains / until */
	uint32_t pattern_len;
};

struct lm_step {
	char *name;
	enum lm_step_kind kind;
	uint32_t timeout_ms; /* response must complete within this; default 10000 */
	union {
		struct lm_http_step http;
		struct lm_think_step think;
		struct lm_loop_step loop;
		struct lm_connect_step connect;
		struct lm_send_step send;
		struct lm_expect_step expect;
	};
};

enum lm_conn_policy {
	LM_CONN_KEEP_ALIVE = 0,  /* a user keeps its connection across runs */
	LM_CONN_PER_RUN,         /* a new connection for every run */
};

struct lm_scenario {
	char *name;
	double weight;             /* 0 for on_start / on_stop: never picked */
	enum lm_close_mode close;  /* how a user closes its connections [fin] */
	enum lm_conn_policy connection;
	struct lm_step *steps;
	uint32_t n_steps;
};

/*
 * A response of an emulated HTTP server ("servers[].http": a route, or the
 * default). The head is compiled at plan load; the body is generated
 * (util/body_gen.h: body_size bytes from body_seed) unless the plan gave it
 * as text, so nothing is stored per connection.
 */
struct lm_route {
	char *path;              /* exact match of the request's path (before
				  * any '?'); NULL for the default response */
	uint64_t path_hash;      /* lm_fnv1a64(path) (util/fnv.h) */
	uint32_t path_len;
	uint16_t status;
	uint32_t delay_ms;       /* wait this long before responding [0] */
	uint64_t body_size;      /* body bytes (generated, or body_text's) */
	uint64_t body_seed;      /* generated body's seed [0] */
	uint8_t *body_text;      /* a literal body, or NULL: generated */
	uint8_t *head;           /* "HTTP/1.1 <status> <reason>\r\n", then
				  * "Content-Length: <n>\r\n", the route's
				  * headers, "\r\n" */
	uint32_t head_len;
	uint8_t *head_close;     /* the same with "Connection: close\r\n" */
	uint32_t head_close_len;
};

enum lm_server_kind {
	LM_SERVER_HTTP = 0,      /* "http": routes */
	LM_SERVER_ECHO,          /* "echo": every byte received sent back */
	LM_SERVER_REPLY,         /* "reply": after a request, a response */
};

/*
 * A server ("servers": [...]): it listens on our address of one port and
 * answers whoever connects, from then until the run ends.
 */
struct lm_plan_server {
	char *name;              /* for statistics ["<ip>:<listen>"] */
	uint32_t port;           /* index in ports[] */
	uint32_t ip;             /* = ports[port].ip */
	uint16_t listen;         /* TCP port */
	enum lm_server_kind kind;
	/* LM_SERVER_HTTP */
	struct lm_route *routes;
	uint32_t n_routes;
	struct lm_route dflt;    /* no route matched [404, empty body] */
	/*
	 * LM_SERVER_REPLY: a request is after_bytes bytes, or (after_bytes
	 * 0) ends with after_delim; the reply is reply_bytes generated bytes
	 * from reply_seed, or reply_text.
	 */
	uint64_t after_bytes;
	uint8_t *after_delim;
	uint32_t after_delim_len;
	uint64_t reply_bytes;
	uint64_t reply_seed;
	uint8_t *reply_text;     /* NULL: generated */
};

/*
 * Statistics rows of a server: one per route and one for its default
 * response (http), or one for all it answers (echo, reply). The plan's
 * servers' rows follow each other in server order.
 */
static inline uint32_t
lm_plan_server_rows(const struct lm_plan_server *s)
{
	return s->kind == LM_SERVER_HTTP ? s->n_routes + 1 : 1;
}

/*
 * This instance's slice of a plan run by several (--shard I/N): the
 * load, the users' indices, {{seq}}, the client addresses or source
 * ports. One instance (the default) is shard 0 of 1, with everything.
 */
struct lm_plan_shard {
	uint32_t index;          /* I, from 0 */
	uint32_t count;          /* N; 0 or 1: not sharded */
	uint32_t first_user;     /* global index of this shard's first user */
	/* the source ports client connections take: [port_first, port_last] */
	uint16_t port_first;     /* 0: all of them (1024 to 65535) */
	uint16_t port_last;
};

struct lm_plan {
	char *file;          /* path it was loaded from (for messages) */
	char *name;          /* optional plan name; defaults to the file's base name */
	struct lm_plan_port ports[LM_MAX_PORTS];
	uint32_t n_ports;
	struct lm_plan_target target;
	struct lm_plan_load load;
	struct lm_plan_tcp tcp;
	struct lm_plan_impair impair;
	/*
	 * The scenarios, then (when the plan has them) the top-level
	 * "on_start" and "on_stop" steps as two more scenarios of weight 0
	 * with those names: they are never picked, but they have statistics
	 * like any other.
	 */
	struct lm_scenario *scenarios;
	uint32_t n_scenarios;
	int32_t on_start;        /* index in scenarios, or -1 */
	int32_t on_stop;         /* index in scenarios, or -1 */
	/* template variables: captures, then data set columns (app/template.h) */
	struct lm_tmpl_vars *vars;
	struct lm_threshold *thresholds;
	uint32_t n_thresholds;
	struct lm_plan_server *servers;  /* none: a client-only plan */
	uint32_t n_servers;
	struct lm_plan_shard shard;      /* --shard I/N (control/plan_shard.c) */
};

/*
 * A threshold ("thresholds": [...]): a limit on a latency percentile, the
 * maximum, the error rate or the achieved rate, for one step or for all.
 * Evaluated at the end (control/thresholds.c); any failure makes the exit
 * status 1. With abort_on_fail, a breach stops the run as soon as it is
 * seen after warmup_s.
 */
enum lm_thr_metric {
	LM_THR_LATENCY,      /* percentile pct of the response time <= limit (ms) */
	LM_THR_ERROR_RATE,   /* failed / requests <= limit */
	LM_THR_RPS_MIN,      /* requests per second >= limit */
};

struct lm_threshold {
	char *text;          /* as the plan wrote it, for the report */
	int32_t step;        /* global step index (scenario-major), -1: all steps */
	enum lm_thr_metric metric;
	double pct;          /* LM_THR_LATENCY: 50 .. 99.99, or 100 for "max_ms" */
	double limit;
	bool abort_on_fail;
	double warmup_s;
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

/* A step's kind as the plan writes it ("http", "think", ...), or "?". */
const char *lm_step_kind_name(enum lm_step_kind k);

/* Total number of steps across scenarios (for sizing statistics). */
uint32_t lm_plan_n_steps(const struct lm_plan *plan);

#endif /* LM_PLAN_H */
