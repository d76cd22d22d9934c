/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the plan loader's files share (plan_load.c: the plan as a whole,
 * scenarios, include, data; plan_load_model.c: load, tcp, impair and
 * thresholds; plan_steps.c: steps; plan_servers.c: servers). Not an
 * interface: only these files include it.
 */
#ifndef LM_PLAN_PARSE_H
#define LM_PLAN_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <lm/plan.h>

#include "json_check.h"

#define PLAN_MAX_SCENARIOS 1024
#define PLAN_MAX_STEPS 1024      /* per scenario, loops flattened */
#define PLAN_MAX_USERS 10000000
#define PLAN_MAX_TIMEOUT_MS 3600000
/* Bounds that keep later arithmetic (TSC ticks, weight sums) far from
 * overflow; the duration's is the same as the command line's --duration. */
#define PLAN_MAX_DURATION_S (365 * 86400.0)
#define PLAN_MAX_WEIGHT 1e9

#define DIM(a) (sizeof(a) / sizeof((a)[0]))

/* A capture variable declared for the plan (names are unique). */
struct plan_var {
	char *name;
	int index;
};

/* State of one plan load, across the plan file and its included files. */
struct plan_ctx {
	struct lm_jc *c;         /* the file being read: the plan or an include */
	struct lm_plan *plan;
	const char *dir;         /* the plan file's directory ("." for none) */
	struct plan_var *vars;   /* capture names declared so far */
	size_t n_vars;
};

/* --- plan_load.c --- */

/*
 * ip must be reachable through ports[0] (on-link or via its gateway) and
 * not be one of our addresses; an error is about the current path.
 */
/* plan_net.c: "ports" and "target" */
int lm_plan_parse_ports(struct lm_jc *c, json_t *a, struct lm_plan *plan);
int lm_plan_parse_target(struct lm_jc *c, json_t *o, struct lm_plan *plan);
int lm_plan_check_peer(struct lm_jc *c, const struct lm_plan *plan,
		       uint32_t ip);

/* plan->vars, created on first use; NULL after reporting out of memory. */
struct lm_tmpl_vars *lm_plan_vars(struct plan_ctx *x);

/* --- plan_load_model.c --- */

/* The defaults of load, tcp and impair, for the keys a plan leaves out. */
void lm_plan_model_defaults(struct lm_plan *plan);
int lm_plan_parse_load(struct lm_jc *c, json_t *o, struct lm_plan_load *l);
/*
 * The "load" of a plan without scenarios (only servers): "duration_s"
 * alone, 0 (the default) = serve until stopped.
 */
int lm_plan_parse_serve_load(struct lm_jc *c, json_t *o,
			     struct lm_plan_load *l);
int lm_plan_parse_tcp(struct lm_jc *c, json_t *o, struct lm_plan_tcp *t);
int lm_plan_parse_impair(struct lm_jc *c, json_t *o, struct lm_plan_impair *im);
/*
 * "thresholds" (the current path) into plan->thresholds. The scenarios
 * must be parsed already: a threshold names its step.
 */
int lm_plan_parse_thresholds(struct lm_jc *c, json_t *a, struct lm_plan *plan);
void lm_plan_free_thresholds(struct lm_plan *plan);

/* --- plan_http.c --- */

/* An "http" object (the current path) into h. */
int lm_plan_parse_http(struct plan_ctx *x, json_t *o, struct lm_http_step *h);
void lm_plan_free_http(struct lm_http_step *h);

/*
 * The variable index of capture name, declared on first use; errors point
 * at the key of the current path. Returns the index or -errno.
 */
int lm_plan_capture_var(struct plan_ctx *x, const char *name);

/*
 * A variable or data set name: a letter or '_', then up to 63 letters,
 * digits or '_'; not starting with "__" (the template engine's own).
 */
bool lm_plan_name_ok(const char *s);

/* Does s[0..len) hold a template slot ("{{")? */
bool lm_plan_has_template(const char *s, size_t len);

/* --- plan_steps.c --- */

/*
 * Exactly one of the keys spec[first..first+n) is in v: its index in
 * *found. what names the object in messages ("step", "think"), lack what
 * it must have one of ("kind").
 */
int lm_plan_one_of(struct lm_jc *c, const struct lm_jc_key *spec,
		   json_t *const *v, size_t first, size_t n, const char *what,
		   const char *lack, size_t *found);

/*
 * Declare the capture variables of a steps array (loop bodies included)
 * before any template is compiled, so that a template may use a capture
 * made by a later step, another scenario or on_start. Values of the wrong
 * type are passed over: the full parse reports them. The current path is
 * the array's.
 */
int lm_plan_declare_captures(struct plan_ctx *x, json_t *steps);

/*
 * Parse the steps array a (the current path) of scenario sc, whose name
 * is set: loops are flattened into sc->steps, names defaulted and checked
 * for duplicates.
 */
int lm_plan_parse_steps(struct plan_ctx *x, json_t *a, struct lm_scenario *sc);

void lm_plan_free_steps(struct lm_step *steps, uint32_t n);

/* --- plan_servers.c --- */

/*
 * "servers" (the current path) into plan->servers. The ports must be
 * parsed already: a server listens on the address of one.
 */
int lm_plan_parse_servers(struct lm_jc *c, json_t *a, struct lm_plan *plan);
/* Does a server of the plan listen on ports[port]? */
bool lm_plan_serves_port(const struct lm_plan *plan, uint32_t port);
void lm_plan_free_servers(struct lm_plan *plan);

#endif /* LM_PLAN_PARSE_H */
