/* SPDX-License-Identifier: BSD-3-Clause */
/* The API's POST bodies into commands (see api_cmd.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <microhttpd.h>

#include "api_cmd.h"

/* Parse a body as a JSON object; NULL with a message on failure. */
static json_t *
parse_object(const char *body, size_t len, char *msg, size_t msglen,
	     bool empty_ok)
{
	json_error_t je;
	json_t *o;

	if (len == 0 && empty_ok)
		return json_object();
	o = json_loadb(body != NULL ? body : "", len, JSON_REJECT_DUPLICATES,
		       &je);
	if (o == NULL) {
		snprintf(msg, msglen, "malformed JSON: %s (line %d, column %d)",
			 je.text, je.line, je.column);
		return NULL;
	}
	if (!json_is_object(o)) {
		snprintf(msg, msglen, "expected a JSON object");
		json_decref(o);
		return NULL;
	}
	return o;
}

/*
 * The level v under key ("users" or "rate") into *x: users a whole number
 * from 1 (10.0 is taken as 10) up to the run's room, the rate any positive
 * number. Returns the status to answer with.
 */
static unsigned int
level_value(const struct lm_api_accept *acc, bool users, json_t *v, double *x,
	    char *msg, size_t msglen)
{
	*x = json_is_number(v) ? json_number_value(v) : NAN;
	if (users && !(*x >= 1 && *x <= UINT32_MAX && *x == floor(*x))) {
		snprintf(msg, msglen, "\"users\" must be a whole number from 1");
		return MHD_HTTP_BAD_REQUEST;
	}
	/* 1e9 sessions/s is beyond any machine: a typo, not a plan */
	if (!users && !(*x > 0 && *x <= 1e9)) {
		snprintf(msg, msglen, "\"rate\" must be a positive number "
			 "(sessions/s, at most 1e9)");
		return MHD_HTTP_BAD_REQUEST;
	}
	if (!acc->users && !acc->rate) {
		snprintf(msg, msglen, "the run is over: its load is no longer "
			 "changed");
		return MHD_HTTP_CONFLICT;
	}
	if (!(users ? acc->users : acc->rate)) {
		snprintf(msg, msglen, "this run's load model does not take "
			 "\"%s\"", users ? "users" : "rate");
		return MHD_HTTP_CONFLICT;
	}
	if (users && acc->max_users > 0 && *x > (double)acc->max_users) {
		snprintf(msg, msglen, "at most %llu users: the run has room "
			 "for no more (the plan's \"users\")",
			 (unsigned long long)acc->max_users);
		return MHD_HTTP_BAD_REQUEST;
	}
	return MHD_HTTP_ACCEPTED;
}

/* {"users": N} or {"rate": R}: exactly one key. */
static unsigned int
parse_load(json_t *o, const struct lm_api_accept *acc, struct lm_api_cmd *cmd,
	   char *msg, size_t msglen)
{
	const char *key;
	bool users;
	unsigned int st;

	if (json_object_size(o) != 1) {
		snprintf(msg, msglen, "expected exactly one key, "
			 "\"users\" or \"rate\"");
		return MHD_HTTP_BAD_REQUEST;
	}
	key = json_object_iter_key(json_object_iter(o));
	users = strcmp(key, "users") == 0;
	if (!users && strcmp(key, "rate") != 0) {
		snprintf(msg, msglen, "unknown key \"%.64s\" (expected "
			 "\"users\" or \"rate\")", key);
		return MHD_HTTP_BAD_REQUEST;
	}
	st = level_value(acc, users, json_object_get(o, key), &cmd->value, msg,
			 msglen);
	cmd->kind = users ? LM_API_CMD_USERS : LM_API_CMD_RATE;
	return st;
}

/*
 * {"users": N | "rate": R, "spawn_rate": S, "duration": D}, every key
 * optional (the plan's value then): the start form's values.
 */
static unsigned int
parse_start(json_t *o, const struct lm_api_accept *acc,
	    struct lm_api_cmd *cmd, char *msg, size_t msglen)
{
	const char *key;
	json_t *v;
	double x;

	cmd->kind = LM_API_CMD_START;
	cmd->value = -1;
	cmd->spawn_rate = -1;
	cmd->duration_s = -1;
	json_object_foreach(o, key, v) {
		unsigned int st;

		if (strcmp(key, "users") == 0 || strcmp(key, "rate") == 0) {
			if (cmd->value >= 0) {
				snprintf(msg, msglen, "\"users\" or \"rate\", "
					 "not both");
				return MHD_HTTP_BAD_REQUEST;
			}
			st = level_value(acc, key[0] == 'u', v, &cmd->value,
					 msg, msglen);
			if (st != MHD_HTTP_ACCEPTED)
				return st;
			continue;
		}
		x = json_is_number(v) ? json_number_value(v) : NAN;
		if (strcmp(key, "spawn_rate") == 0) {
			if (!(x >= 0 && x <= 1e9)) {
				snprintf(msg, msglen, "\"spawn_rate\" must be "
					 "a number from 0 (0: all at once)");
				return MHD_HTTP_BAD_REQUEST;
			}
			cmd->spawn_rate = x;
		} else if (strcmp(key, "duration") == 0) {
			/* the plan's bound: a year */
			if (!(x > 0 && x <= 31536000)) {
				snprintf(msg, msglen, "\"duration\" must be "
					 "seconds, above 0 and at most a year");
				return MHD_HTTP_BAD_REQUEST;
			}
			cmd->duration_s = x;
		} else {
			snprintf(msg, msglen, "unknown key \"%.64s\" (expected "
				 "\"users\" or \"rate\", \"spawn_rate\", "
				 "\"duration\")", key);
			return MHD_HTTP_BAD_REQUEST;
		}
	}
	if (!acc->waiting) {
		snprintf(msg, msglen, "the run is not waiting for a start "
			 "(only with --wait-for-start, once)");
		return MHD_HTTP_CONFLICT;
	}
	return MHD_HTTP_ACCEPTED;
}

unsigned int
lm_api_parse_cmd(enum lm_api_cmd_kind kind, const char *body, size_t len,
		 const struct lm_api_accept *acc, struct lm_api_cmd *cmd,
		 char *msg, size_t msglen)
{
	/* /api/stop needs no body; one that is there must be an object */
	json_t *o = parse_object(body, len, msg, msglen,
				 kind != LM_API_CMD_USERS);
	unsigned int st = MHD_HTTP_ACCEPTED;

	if (o == NULL)
		return MHD_HTTP_BAD_REQUEST;
	memset(cmd, 0, sizeof(*cmd));
	cmd->kind = kind;
	if (kind == LM_API_CMD_USERS || kind == LM_API_CMD_RATE)
		st = parse_load(o, acc, cmd, msg, msglen);
	else if (kind == LM_API_CMD_START)
		st = parse_start(o, acc, cmd, msg, msglen);
	json_decref(o);
	return st;
}
