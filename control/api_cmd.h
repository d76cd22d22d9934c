/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The bodies of the API's POSTs (/api/load, /api/start, /api/stop) into
 * commands for the control loop: what is accepted, and the message of
 * what is not.
 */
#ifndef LM_API_CMD_H
#define LM_API_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.h"

/* What the run takes now (api.c keeps it, under its lock). */
struct lm_api_accept {
	bool users;           /* closed model: "users" */
	bool rate;            /* open model: "rate" */
	bool waiting;         /* waiting for /api/start */
	uint64_t max_users;   /* the most users a change may ask; 0: any */
};

/*
 * Parse body (len bytes, JSON) as command kind (LM_API_CMD_USERS stands
 * for /api/load: users or rate, as the body says): fills cmd and returns 202,
 * or returns 400 (malformed, wrong keys or values) or 409 (a load the
 * run's model does not take; a start when the run is not waiting) with
 * the reason in msg.
 */
unsigned int lm_api_parse_cmd(enum lm_api_cmd_kind kind, const char *body,
			      size_t len, const struct lm_api_accept *acc,
			      struct lm_api_cmd *cmd, char *msg, size_t msglen);

#endif /* LM_API_CMD_H */
