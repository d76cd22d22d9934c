/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The plan loader: JSON text -> struct lm_plan (see lm/plan.h and
 * docs/plan.md).
 *
 * jansson parses; these files validate the tree and compile it. Each object
 * is described by a key table and checked by json_check.h, so that unknown
 * keys, missing keys and wrong types get one wording whatever the object,
 * and every error names the file, line, column and JSON path. This file
 * holds the plan as a whole: scenarios, included scenario files, weights,
 * on_start/on_stop and data sets; plan_net.c our ports and the target; plan_load_model.c the
 * load, tcp, impair and thresholds; plan_steps.c and plan_http.c the steps;
 * plan_servers.c the servers.
 */
#include <errno.h>
#include <glob.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <lm/plan.h>

#include "app/template.h"
#include "json_check.h"
#include "plan_parse.h"

#define PLAN_MAX_DATA_SETS 16
#define PLAN_MAX_INCLUDES 64        /* patterns */

struct lm_tmpl_vars *
lm_plan_vars(struct plan_ctx *x)
{
	if (x->plan->vars == NULL) {
		x->plan->vars = lm_tmpl_vars_new();
		if (x->plan->vars == NULL)
			lm_jc_oom(x->c);
	}
	return x->plan->vars;
}

/* ---- scenarios ---- */

enum { SCEN_NAME, SCEN_WEIGHT, SCEN_CLOSE, SCEN_CONNECTION, SCEN_STEPS, SCEN_N };
static const struct lm_jc_key scenario_keys[SCEN_N] = {
	[SCEN_NAME] = { "name", LM_JT_STRING, true },
	[SCEN_WEIGHT] = { "weight", LM_JT_NUMBER, false },
	[SCEN_CLOSE] = { "close", LM_JT_STRING, false },
	[SCEN_CONNECTION] = { "connection", LM_JT_STRING, false },
	[SCEN_STEPS] = { "steps", LM_JT_ARRAY, true },
};

static const char *const close_names[] = {
	[LM_CLOSE_FIN] = "fin",
	[LM_CLOSE_RST] = "rst",
};

static const char *const connection_names[] = {
	[LM_CONN_KEEP_ALIVE] = "keep_alive",
	[LM_CONN_PER_RUN] = "per_run",
};

/* The plan's own step lists, appended as scenarios of these names. */
static const char *const reserved_names[] = { "on_start", "on_stop" };

#define WEIGHT_WORDS "more than 0 and at most 1000000000"

static int
parse_scenario(struct plan_ctx *x, json_t *o, struct lm_scenario *sc)
{
	struct lm_jc *c = x->c;
	unsigned int close = LM_CLOSE_FIN, conn = LM_CONN_KEEP_ALIVE;
	char q[LM_JC_QUOTE_BUF];
	json_t *v[SCEN_N];
	size_t i, saved;
	int rc;

	sc->weight = 1.0;
	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, scenario_keys, SCEN_N, v);
	if (rc == 0)
		rc = lm_jc_get_string(c, "name", v[SCEN_NAME], true, &sc->name);
	for (i = 0; rc == 0 && i < DIM(reserved_names); i++)
		if (strcmp(sc->name, reserved_names[i]) == 0)
			rc = lm_jc_fail_key(c, "name",
					    "scenario name %s is reserved (for the plan's \"%s\" steps)",
					    lm_jc_quote(q, sizeof(q), sc->name,
							strlen(sc->name)),
					    reserved_names[i]);
	if (rc == 0)
		rc = lm_jc_get_double(c, "weight", v[SCEN_WEIGHT], 0, true,
				      PLAN_MAX_WEIGHT, WEIGHT_WORDS, &sc->weight);
	if (rc == 0)
		rc = lm_jc_get_enum(c, "close", v[SCEN_CLOSE], close_names,
				    DIM(close_names), "close mode", true, &close);
	if (rc == 0)
		rc = lm_jc_get_enum(c, "connection", v[SCEN_CONNECTION],
				    connection_names, DIM(connection_names),
				    "connection policy", true, &conn);
	if (rc != 0)
		return rc;
	sc->close = (enum lm_close_mode)close;
	sc->connection = (enum lm_conn_policy)conn;
	saved = lm_jc_push_key(c, "steps");
	rc = lm_plan_parse_steps(x, v[SCEN_STEPS], sc);
	lm_jc_pop(c, saved);
	return rc;
}

/* ---- included scenario files ---- */

/* One file that "include" matched: it holds one scenario object. */
struct include {
	char *path;
	size_t pattern;          /* index in "include" that matched it */
	char *text;
	json_t *root;
	struct lm_jc jc;         /* errors inside name this file */
};

struct includes {
	struct include *v;
	size_t n;
};

static void
includes_free(struct includes *in)
{
	size_t i;

	for (i = 0; i < in->n; i++) {
		free(in->v[i].path);
		free(in->v[i].text);
		if (in->v[i].root != NULL)
			json_decref(in->v[i].root);
		lm_jc_fini(&in->v[i].jc);
	}
	free(in->v);
	in->v = NULL;
	in->n = 0;
}

/* dir/name, or name alone when it is absolute or dir is "." */
static char *
join_path(const char *dir, const char *name, bool glob_escape)
{
	size_t n = strlen(dir), i, o = 0;
	char *s;

	if (name[0] == '/' || strcmp(dir, ".") == 0)
		return strdup(name);
	s = malloc(2 * n + strlen(name) + 2);
	if (s == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		/* the plan's directory is a path, not a pattern */
		if (glob_escape && strchr("*?[\\", dir[i]) != NULL)
			s[o++] = '\\';
		s[o++] = dir[i];
	}
	if (o > 0 && s[o - 1] != '/')
		s[o++] = '/';
	strcpy(s + o, name);
	return s;
}

static int
include_cmp(const void *a, const void *b)
{
	const struct include *x = a, *y = b;

	return strcmp(x->path, y->path);
}

/* Add the files (not directories) that pattern i matches. */
static int
glob_pattern(struct plan_ctx *x, json_t *v, size_t i, struct includes *in)
{
	struct lm_jc *c = x->c;
	char q[LM_JC_QUOTE_BUF], *pat = NULL, *full;
	struct include *nv;
	glob_t g;
	size_t k, len;
	int rc;

	rc = lm_jc_check_type(c, v, LM_JT_STRING);
	if (rc == 0)
		rc = lm_jc_get_string(c, NULL, v, true, &pat);
	if (rc != 0)
		return rc;
	full = join_path(x->dir, pat, true);
	if (full == NULL) {
		free(pat);
		return lm_jc_oom(c);
	}
	rc = glob(full, GLOB_MARK, NULL, &g);
	free(full);
	if (rc == GLOB_NOSPACE) {
		free(pat);
		return lm_jc_oom(c);
	}
	if (rc != 0) {
		lm_jc_quote(q, sizeof(q), pat, strlen(pat));
		free(pat);
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  rc == GLOB_NOMATCH ? "no file matches %s" :
				  "cannot read the directories of %s", q);
	}
	free(pat);
	for (k = 0; rc == 0 && k < g.gl_pathc; k++) {
		len = strlen(g.gl_pathv[k]);
		if (len > 0 && g.gl_pathv[k][len - 1] == '/')
			continue;
		nv = realloc(in->v, (in->n + 1) * sizeof(*in->v));
		if (nv == NULL) {
			rc = lm_jc_oom(c);
			break;
		}
		in->v = nv;
		memset(&nv[in->n], 0, sizeof(nv[in->n]));
		nv[in->n].pattern = i;
		nv[in->n].path = strdup(g.gl_pathv[k]);
		if (nv[in->n].path == NULL)
			rc = lm_jc_oom(c);
		else
			in->n++;
	}
	globfree(&g);
	return rc;
}

/*
 * "include": the files its patterns match, in sorted order (a file two
 * patterns match counts once), read and parsed.
 */
static int
read_includes(struct plan_ctx *x, json_t *a, struct includes *in)
{
	struct lm_jc *c = x->c;
	char msg[LM_PLAN_ERR_MAX];
	size_t i, o, saved;
	size_t len;
	int rc;

	rc = lm_jc_check_count(c, a, PLAN_MAX_INCLUDES);
	for (i = 0; rc == 0 && i < json_array_size(a); i++) {
		saved = lm_jc_push_index(c, i);
		rc = glob_pattern(x, json_array_get(a, i), i, in);
		lm_jc_pop(c, saved);
	}
	if (rc != 0)
		return rc;
	qsort(in->v, in->n, sizeof(*in->v), include_cmp);
	for (i = 0, o = 0; i < in->n; i++) {
		if (o > 0 && strcmp(in->v[o - 1].path, in->v[i].path) == 0) {
			free(in->v[i].path);
			continue;
		}
		in->v[o++] = in->v[i];
	}
	in->n = o;
	if (in->n > PLAN_MAX_SCENARIOS)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "the patterns match %zu files, more than %d scenarios",
				  in->n, PLAN_MAX_SCENARIOS);
	for (i = 0; i < in->n; i++) {
		struct include *f = &in->v[i];

		rc = lm_jc_read_file(f->path, &f->text, &len, msg, sizeof(msg));
		if (rc != 0) {
			saved = lm_jc_push_index(c, f->pattern);
			rc = rc == -ENOMEM ? lm_jc_oom(c) :
			     lm_jc_fail(c, LM_JC_AT_VALUE, "%s", msg);
			lm_jc_pop(c, saved);
			return rc;
		}
		lm_jc_init(&f->jc, f->path, f->text, len, c->err, c->errlen);
		f->root = lm_jc_parse(&f->jc, JSON_REJECT_DUPLICATES |
				      JSON_ALLOW_NUL);
		if (f->root == NULL)
			return -EINVAL;
	}
	return 0;
}

/* ---- data sets ---- */

enum { DATA_CSV, DATA_PICK, DATA_N };
static const struct lm_jc_key data_keys[DATA_N] = {
	[DATA_CSV] = { "csv", LM_JT_STRING, true },
	[DATA_PICK] = { "pick", LM_JT_STRING, false },
};

static const char *const pick_names[] = {
	[LM_PICK_SEQUENTIAL] = "sequential",
	[LM_PICK_RANDOM] = "random",
	[LM_PICK_UNIQUE] = "unique",
};

static int
parse_data_set(struct plan_ctx *x, const char *name, json_t *o)
{
	struct lm_jc *c = x->c;
	const struct lm_plan_load *l = &x->plan->load;
	char q[LM_JC_QUOTE_BUF], msg[LM_PLAN_ERR_MAX], *csv = NULL, *path;
	struct lm_tmpl_vars *vars;
	unsigned int pick = LM_PICK_SEQUENTIAL;
	json_t *v[DATA_N];
	size_t i;
	int rc;

	if (!lm_plan_name_ok(name))
		return lm_jc_fail(c, LM_JC_AT_KEY,
				  "invalid data set name %s (expected a letter or '_', then letters, digits or '_', at most 63 in all, not starting with \"__\")",
				  lm_jc_quote(q, sizeof(q), name, strlen(name)));
	for (i = 0; i < x->n_vars; i++)
		if (strcmp(x->vars[i].name, name) == 0)
			return lm_jc_fail(c, LM_JC_AT_KEY,
					  "data set name %s is taken by a capture",
					  lm_jc_quote(q, sizeof(q), name,
						      strlen(name)));
	rc = lm_jc_check_type(c, o, LM_JT_OBJECT);
	if (rc == 0)
		rc = lm_jc_check_members(c, o, data_keys, DATA_N, v);
	if (rc == 0)
		rc = lm_jc_get_enum(c, "pick", v[DATA_PICK], pick_names,
				    DIM(pick_names), "pick", true, &pick);
	if (rc == 0)
		rc = lm_jc_get_string(c, "csv", v[DATA_CSV], true, &csv);
	if (rc != 0)
		return rc;
	path = join_path(x->dir, csv, false);
	free(csv);
	vars = lm_plan_vars(x);
	if (path == NULL || vars == NULL) {
		free(path);
		return lm_jc_oom(c);
	}
	msg[0] = '\0';
	/* "unique" needs a row for every user that can exist at once */
	rc = lm_tmpl_data_load(vars, name, path, (enum lm_data_pick)pick,
			       l->model == LM_LOAD_OPEN ? l->max_users : l->users,
			       msg, sizeof(msg));
	free(path);
	if (rc == -ENOMEM)
		return lm_jc_oom(c);
	if (rc < 0)
		return lm_jc_fail_key(c, "csv", "%s",
				      msg[0] != '\0' ? msg : strerror(-rc));
	return 0;
}

static int
parse_data(struct plan_ctx *x, json_t *o)
{
	struct lm_jc *c = x->c;
	size_t n = json_object_size(o), saved;
	const char *key;
	json_t *v;
	int rc = 0;

	if (n < 1 || n > PLAN_MAX_DATA_SETS)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "must have 1 to %d entries, got %zu",
				  PLAN_MAX_DATA_SETS, n);
	json_object_foreach(o, key, v) {
		saved = lm_jc_push_key(c, key);
		rc = parse_data_set(x, key, v);
		lm_jc_pop(c, saved);
		if (rc != 0)
			break;
	}
	return rc;
}

/* ---- the plan ---- */

enum {
	PLAN_NAME, PLAN_DESCRIPTION, PLAN_PORTS, PLAN_TARGET, PLAN_LOAD,
	PLAN_TCP, PLAN_IMPAIR, PLAN_DATA, PLAN_SCENARIOS, PLAN_INCLUDE,
	PLAN_WEIGHTS, PLAN_ON_START, PLAN_ON_STOP, PLAN_THRESHOLDS, PLAN_SERVERS,
	PLAN_N
};
static const struct lm_jc_key plan_keys[PLAN_N] = {
	[PLAN_NAME] = { "name", LM_JT_STRING, false },
	[PLAN_DESCRIPTION] = { "description", LM_JT_STRING, false },
	[PLAN_PORTS] = { "ports", LM_JT_ARRAY, true },
	/* required with scenarios (see parse_plan()) */
	[PLAN_TARGET] = { "target", LM_JT_OBJECT, false },
	[PLAN_LOAD] = { "load", LM_JT_OBJECT, false },
	[PLAN_TCP] = { "tcp", LM_JT_OBJECT, false },
	[PLAN_IMPAIR] = { "impair", LM_JT_OBJECT, false },
	[PLAN_DATA] = { "data", LM_JT_OBJECT, false },
	[PLAN_SCENARIOS] = { "scenarios", LM_JT_ARRAY, false },
	[PLAN_INCLUDE] = { "include", LM_JT_ARRAY, false },
	[PLAN_WEIGHTS] = { "weights", LM_JT_OBJECT, false },
	[PLAN_ON_START] = { "on_start", LM_JT_ARRAY, false },
	[PLAN_ON_STOP] = { "on_stop", LM_JT_ARRAY, false },
	[PLAN_THRESHOLDS] = { "thresholds", LM_JT_ARRAY, false },
	[PLAN_SERVERS] = { "servers", LM_JT_ARRAY, false },
};

/* The keys that are about scenarios: a plan of servers alone cannot have them. */
static const size_t client_only_keys[] = {
	PLAN_DATA, PLAN_WEIGHTS, PLAN_ON_START, PLAN_ON_STOP, PLAN_THRESHOLDS,
};

/* Which file a user scenario came from, for duplicate names. */
struct scen_origin {
	struct lm_jc *c;
	size_t index;            /* in the plan's "scenarios"; SIZE_MAX: included */
};

static size_t
push_scenario(struct lm_jc *c, const struct scen_origin *o)
{
	size_t saved = c->path.len;

	if (o->index != SIZE_MAX) {
		lm_jc_push_key(c, "scenarios");
		lm_jc_push_index(c, o->index);
	}
	return saved;
}

static int
check_scenario_names(struct plan_ctx *x, const struct scen_origin *orig,
		     uint32_t n)
{
	struct lm_scenario *s = x->plan->scenarios;
	char q[LM_JC_QUOTE_BUF], also[LM_JC_QUOTE_BUF + 32];
	size_t dup, first = 0, saved;
	struct lm_jc *c;
	int rc;

	if (lm_jc_find_duplicate(s, n, sizeof(*s),
				 offsetof(struct lm_scenario, name), &dup,
				 &first) != 0)
		return lm_jc_oom(x->c);
	if (dup == n)
		return 0;
	if (orig[first].index != SIZE_MAX)
		snprintf(also, sizeof(also), "scenarios[%zu]", orig[first].index);
	else
		lm_jc_quote(also, sizeof(also), orig[first].c->file,
			    strlen(orig[first].c->file));
	c = orig[dup].c;
	saved = push_scenario(c, &orig[dup]);
	lm_jc_push_key(c, "name");
	rc = lm_jc_fail(c, LM_JC_AT_VALUE,
			"duplicate scenario name %s (also %s)",
			lm_jc_quote(q, sizeof(q), s[dup].name, strlen(s[dup].name)),
			also);
	lm_jc_pop(c, saved);
	return rc;
}

/* The top-level "on_start" or "on_stop" steps as a scenario of weight 0. */
static int
parse_hook(struct plan_ctx *x, json_t *a, const char *name, int32_t *index)
{
	struct lm_plan *plan = x->plan;
	struct lm_scenario *sc = &plan->scenarios[plan->n_scenarios];
	size_t saved;
	int rc;

	*index = (int32_t)plan->n_scenarios++;
	sc->weight = 0;
	sc->name = strdup(name);
	if (sc->name == NULL)
		return lm_jc_oom(x->c);
	saved = lm_jc_push_key(x->c, name);
	rc = lm_plan_parse_steps(x, a, sc);
	lm_jc_pop(x->c, saved);
	return rc;
}

static int
parse_weights(struct plan_ctx *x, json_t *o, uint32_t n_user)
{
	struct lm_jc *c = x->c;
	char q[LM_JC_QUOTE_BUF];
	const char *key;
	size_t saved, s2;
	json_t *v;
	uint32_t i;
	int rc = 0;

	saved = lm_jc_push_key(c, "weights");
	json_object_foreach(o, key, v) {
		for (i = 0; i < n_user &&
		     strcmp(x->plan->scenarios[i].name, key) != 0; i++)
			;
		s2 = lm_jc_push_key(c, key);
		if (i == n_user)
			rc = lm_jc_fail(c, LM_JC_AT_KEY, "no scenario named %s",
					lm_jc_quote(q, sizeof(q), key, strlen(key)));
		else
			rc = lm_jc_check_type(c, v, LM_JT_NUMBER);
		lm_jc_pop(c, s2);
		if (rc == 0)
			rc = lm_jc_get_double(c, key, v, 0, true, PLAN_MAX_WEIGHT,
					      WEIGHT_WORDS,
					      &x->plan->scenarios[i].weight);
		if (rc != 0)
			break;
	}
	lm_jc_pop(c, saved);
	return rc;
}

/*
 * Every scenario: the plan's own, then the included ones, then on_start
 * and on_stop; then names and weights.
 */
static int
parse_scenarios(struct plan_ctx *x, json_t *const *v, struct includes *in)
{
	struct lm_plan *plan = x->plan;
	struct lm_jc *c = x->c;
	struct scen_origin *orig;
	size_t n_own = json_array_size(v[PLAN_SCENARIOS]), n_user, i, saved;
	int rc = 0;

	if (v[PLAN_SCENARIOS] != NULL) {
		saved = lm_jc_push_key(c, "scenarios");
		rc = lm_jc_check_count(c, v[PLAN_SCENARIOS], PLAN_MAX_SCENARIOS);
		lm_jc_pop(c, saved);
	}
	n_user = n_own + in->n;
	if (rc == 0 && n_user > PLAN_MAX_SCENARIOS)
		rc = lm_jc_fail_key(c, "include",
				    "with the included files the plan has %zu scenarios, more than %d",
				    n_user, PLAN_MAX_SCENARIOS);
	if (rc != 0)
		return rc;
	plan->scenarios = calloc(n_user + 2, sizeof(*plan->scenarios));
	orig = calloc(n_user, sizeof(*orig));
	if (plan->scenarios == NULL || orig == NULL) {
		free(orig);
		return lm_jc_oom(c);
	}
	for (i = 0; rc == 0 && i < n_user; i++) {
		plan->n_scenarios = (uint32_t)i + 1;
		if (i < n_own) {
			orig[i].c = c;
			orig[i].index = i;
			x->c = c;
		} else {
			orig[i].c = &in->v[i - n_own].jc;
			orig[i].index = SIZE_MAX;
			x->c = orig[i].c;
		}
		saved = push_scenario(x->c, &orig[i]);
		rc = parse_scenario(x, i < n_own ? json_array_get(v[PLAN_SCENARIOS], i) :
				    in->v[i - n_own].root, &plan->scenarios[i]);
		lm_jc_pop(x->c, saved);
	}
	x->c = c;
	if (rc == 0)
		rc = check_scenario_names(x, orig, (uint32_t)n_user);
	free(orig);
	if (rc == 0 && v[PLAN_ON_START] != NULL)
		rc = parse_hook(x, v[PLAN_ON_START], "on_start", &plan->on_start);
	if (rc == 0 && v[PLAN_ON_STOP] != NULL)
		rc = parse_hook(x, v[PLAN_ON_STOP], "on_stop", &plan->on_stop);
	if (rc == 0 && v[PLAN_WEIGHTS] != NULL)
		rc = parse_weights(x, v[PLAN_WEIGHTS], (uint32_t)n_user);
	return rc;
}

/* The steps of a scenario object o (at the current path), ahead. */
static int
declare_scenario(struct plan_ctx *x, json_t *o)
{
	size_t saved = lm_jc_push_key(x->c, "steps");
	int rc;

	rc = lm_plan_declare_captures(x, json_object_get(o, "steps"));
	lm_jc_pop(x->c, saved);
	return rc;
}

/*
 * Capture variables are declared before anything is compiled: a template
 * may use a capture that a later step, another scenario or on_start makes.
 */
static int
declare_all(struct plan_ctx *x, json_t *const *v, struct includes *in)
{
	struct lm_jc *c = x->c;
	size_t i, saved;
	int rc = 0;

	for (i = 0; rc == 0 && i < json_array_size(v[PLAN_SCENARIOS]); i++) {
		saved = lm_jc_push_key(c, "scenarios");
		lm_jc_push_index(c, i);
		rc = declare_scenario(x, json_array_get(v[PLAN_SCENARIOS], i));
		lm_jc_pop(c, saved);
	}
	for (i = 0; rc == 0 && i < in->n; i++) {
		x->c = &in->v[i].jc;
		rc = declare_scenario(x, in->v[i].root);
	}
	x->c = c;
	if (rc == 0 && v[PLAN_ON_START] != NULL) {
		saved = lm_jc_push_key(c, "on_start");
		rc = lm_plan_declare_captures(x, v[PLAN_ON_START]);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[PLAN_ON_STOP] != NULL) {
		saved = lm_jc_push_key(c, "on_stop");
		rc = lm_plan_declare_captures(x, v[PLAN_ON_STOP]);
		lm_jc_pop(c, saved);
	}
	return rc;
}

/* "dir/quickstart.json" -> "quickstart" */
static char *
default_name(const char *file)
{
	const char *base = strrchr(file, '/');
	size_t len;

	base = base != NULL ? base + 1 : file;
	len = strlen(base);
	if (len > 5 && strcmp(base + len - 5, ".json") == 0)
		len -= 5;
	if (len == 0)
		return strdup("plan");
	return strndup(base, len);
}

/* "dir/quickstart.json" -> "dir"; "quickstart.json" -> "." */
static char *
file_dir(const char *file)
{
	const char *slash = strrchr(file, '/');

	if (slash == NULL)
		return strdup(".");
	if (slash == file)
		return strdup("/");
	return strndup(file, (size_t)(slash - file));
}

/*
 * A plan without scenarios (only servers) takes neither a target nor the
 * keys about scenarios, and its load holds at most duration_s.
 */
static int
check_plan_kind(struct lm_jc *c, json_t *const *v, bool client)
{
	size_t i, k;

	if (!client && v[PLAN_SERVERS] == NULL)
		return lm_jc_fail(c, LM_JC_AT_VALUE,
				  "missing required key \"scenarios\" or \"servers\" (a plan needs one of them, or both)");
	for (i = 0; !client && i < DIM(client_only_keys); i++) {
		k = client_only_keys[i];
		if (v[k] != NULL)
			return lm_jc_fail_at_key(c, plan_keys[k].name,
						 "\"%s\" is for plans with scenarios (this plan has only servers)",
						 plan_keys[k].name);
	}
	return 0;
}

/* "load": of the scenarios, or of a plan that only serves (the current path). */
static int
parse_load(struct lm_jc *c, json_t *o, bool client, struct lm_plan *plan)
{
	size_t saved;
	int rc;

	if (o == NULL)
		return 0;    /* no scenarios: serve until stopped */
	saved = lm_jc_push_key(c, "load");
	rc = client ? lm_plan_parse_load(c, o, &plan->load) :
	     lm_plan_parse_serve_load(c, o, &plan->load);
	lm_jc_pop(c, saved);
	return rc;
}

static int
parse_plan(struct plan_ctx *x, json_t *root)
{
	struct lm_plan *plan = x->plan;
	struct lm_jc *c = x->c;
	struct includes in = { NULL, 0 };
	struct lm_jc_key keys[PLAN_N];
	json_t *v[PLAN_N];
	char *desc = NULL;
	bool client;
	size_t saved;
	int rc;

	lm_plan_model_defaults(plan);
	plan->on_start = -1;
	plan->on_stop = -1;
	rc = lm_jc_check_type(c, root, LM_JT_OBJECT);
	if (rc != 0)
		return rc;
	/* scenarios need a target and a load; servers alone need neither */
	client = json_object_get(root, "scenarios") != NULL ||
		 json_object_get(root, "include") != NULL;
	memcpy(keys, plan_keys, sizeof(keys));
	keys[PLAN_TARGET].required = client;
	keys[PLAN_LOAD].required = client;
	rc = lm_jc_check_members(c, root, keys, PLAN_N, v);
	if (rc == 0)
		rc = check_plan_kind(c, v, client);
	if (rc != 0)
		return rc;
	if (v[PLAN_NAME] != NULL) {
		rc = lm_jc_get_string(c, "name", v[PLAN_NAME], true, &plan->name);
	} else {
		plan->name = default_name(c->file);
		if (plan->name == NULL)
			rc = lm_jc_oom(c);
	}
	/* a description is for readers of the plan: checked, not kept */
	if (rc == 0 && v[PLAN_DESCRIPTION] != NULL)
		rc = lm_jc_get_string(c, "description", v[PLAN_DESCRIPTION],
				      false, &desc);
	free(desc);
	if (rc != 0)
		return rc;

	/*
	 * In dependency order: servers and the target need the ports, the
	 * target may be a served address of ours, requests need the target.
	 */
	saved = lm_jc_push_key(c, "ports");
	rc = lm_plan_parse_ports(c, v[PLAN_PORTS], plan);
	lm_jc_pop(c, saved);
	if (rc == 0 && v[PLAN_SERVERS] != NULL) {
		saved = lm_jc_push_key(c, "servers");
		rc = lm_plan_parse_servers(c, v[PLAN_SERVERS], plan);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[PLAN_TARGET] != NULL) {
		saved = lm_jc_push_key(c, "target");
		rc = lm_plan_parse_target(c, v[PLAN_TARGET], plan);
		lm_jc_pop(c, saved);
	}
	if (rc == 0)
		rc = parse_load(c, v[PLAN_LOAD], client, plan);
	if (rc == 0 && v[PLAN_TCP] != NULL) {
		saved = lm_jc_push_key(c, "tcp");
		rc = lm_plan_parse_tcp(c, v[PLAN_TCP], &plan->tcp);
		lm_jc_pop(c, saved);
	}
	if (rc == 0 && v[PLAN_IMPAIR] != NULL) {
		saved = lm_jc_push_key(c, "impair");
		rc = lm_plan_parse_impair(c, v[PLAN_IMPAIR], &plan->impair);
		lm_jc_pop(c, saved);
	}
	if (rc != 0 || !client)
		return rc;

	if (v[PLAN_INCLUDE] != NULL) {
		saved = lm_jc_push_key(c, "include");
		rc = read_includes(x, v[PLAN_INCLUDE], &in);
		lm_jc_pop(c, saved);
	}
	/* captures first, then the data sets' columns, then templates */
	if (rc == 0)
		rc = declare_all(x, v, &in);
	if (rc == 0 && v[PLAN_DATA] != NULL) {
		saved = lm_jc_push_key(c, "data");
		rc = parse_data(x, v[PLAN_DATA]);
		lm_jc_pop(c, saved);
	}
	if (rc == 0)
		rc = parse_scenarios(x, v, &in);
	x->c = c;
	includes_free(&in);
	/* last: a threshold names a step of any scenario, hooks included */
	if (rc == 0 && v[PLAN_THRESHOLDS] != NULL) {
		saved = lm_jc_push_key(c, "thresholds");
		rc = lm_plan_parse_thresholds(c, v[PLAN_THRESHOLDS], plan);
		lm_jc_pop(c, saved);
	}
	return rc;
}

struct lm_plan *
lm_plan_load_text(const char *text, size_t len, const char *file, char *err,
		  size_t errlen)
{
	struct plan_ctx x;
	struct lm_jc c;
	struct lm_plan *plan;
	char *dir = NULL;
	json_t *root;
	size_t i;
	int rc;

	lm_jc_init(&c, file, text, len, err, errlen);
	/* JSON_ALLOW_NUL so that a body may carry any byte; every other
	 * string is checked for NUL by lm_jc_get_string(). */
	root = lm_jc_parse(&c, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL);
	if (root == NULL)
		return NULL;
	plan = calloc(1, sizeof(*plan));
	if (plan != NULL)
		plan->file = strdup(c.file);
	dir = file_dir(c.file);
	memset(&x, 0, sizeof(x));
	x.c = &c;
	x.plan = plan;
	x.dir = dir;
	if (plan == NULL || plan->file == NULL || dir == NULL)
		rc = lm_jc_oom(&c);
	else
		rc = parse_plan(&x, root);
	json_decref(root);
	lm_jc_fini(&c);
	for (i = 0; i < x.n_vars; i++)
		free(x.vars[i].name);
	free(x.vars);
	free(dir);
	if (rc != 0) {
		lm_plan_free(plan);
		return NULL;
	}
	return plan;
}

struct lm_plan *
lm_plan_load(const char *path, char *err, size_t errlen)
{
	struct lm_plan *plan;
	size_t len;
	char *buf;

	if (path == NULL) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "no plan file given");
		return NULL;
	}
	if (lm_jc_read_file(path, &buf, &len, err, errlen) != 0)
		return NULL;
	plan = lm_plan_load_text(buf, len, path, err, errlen);
	free(buf);
	return plan;
}

void
lm_plan_free(struct lm_plan *plan)
{
	uint32_t i;

	if (plan == NULL)
		return;
	for (i = 0; plan->scenarios != NULL && i < plan->n_scenarios; i++) {
		lm_plan_free_steps(plan->scenarios[i].steps,
				   plan->scenarios[i].n_steps);
		free(plan->scenarios[i].name);
	}
	free(plan->scenarios);
	lm_plan_free_thresholds(plan);
	lm_plan_free_servers(plan);
	free(plan->load.stages);
	if (plan->vars != NULL)
		lm_tmpl_vars_free(plan->vars);
	free(plan->name);
	free(plan->file);
	free(plan);
}

uint32_t
lm_plan_n_steps(const struct lm_plan *plan)
{
	uint32_t i, n = 0;

	if (plan == NULL)
		return 0;
	for (i = 0; i < plan->n_scenarios; i++)
		n += plan->scenarios[i].n_steps;
	return n;
}
