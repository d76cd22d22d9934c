/* SPDX-License-Identifier: BSD-3-Clause */
/* The control loop's side of the HTTP API (see run_api.h). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "worker.h"
#include "api.h"
#include "csv_export.h"
#include "report.h"
#include "report_html.h"
#include "run.h"
#include "run_api.h"

#define WAIT_TICK_MS 50

void
lm_run_api_begin(struct lm_api *a, const struct lm_plan *plan,
		 struct lm_prom_extra *x)
{
	bool closed = plan->load.model == LM_LOAD_CLOSED;

	/* closed: the users the workers have sessions for; open: in flight */
	x->max_users = closed ? plan->load.users : plan->load.max_users;
	x->spawn_rate = plan->load.spawn_rate;
	if (a == NULL)
		return;
	x->token_required = lm_api_token_required(a);
	lm_api_accept_load(a, closed, !closed);
	lm_api_max_users(a, closed ? plan->load.users : 0);
}

void
lm_run_api_publish(struct lm_api *a, const struct lm_plan *p,
		   const struct lm_view *now, const struct lm_view *before,
		   double interval_s, const struct lm_prom_extra *x)
{
	size_t len;
	char *t;

	if (a == NULL)
		return;
	t = lm_prom_render_alloc(&len, p, now, before, interval_s, x);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_METRICS, t, len);
		free(t);
	}
	t = lm_api_render_status(p, now, x);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_STATUS, t, strlen(t));
		free(t);
	}
	t = lm_api_render_stats(p, now, before, interval_s);
	if (t != NULL) {
		lm_api_publish(a, LM_API_DOC_STATS, t, strlen(t));
		free(t);
	}
}

void
lm_run_api_commands(struct lm_api *a, struct lm_worker *ws, uint32_t n,
		    struct lm_prom_extra *x)
{
	struct lm_api_cmd cmd;

	if (a == NULL)
		return;
	while (lm_api_take_command(a, &cmd)) {
		if (cmd.kind == LM_API_CMD_STOP) {
			printf("stop asked through the API\n");
			lm_control_request_stop_api();
			continue;
		}
		if (cmd.kind == LM_API_CMD_START)
			continue;       /* refused once the run has started */
		for (uint32_t i = 0; i < n; i++)
			lm_worker_set_level(&ws[i], cmd.value);
		if (cmd.kind == LM_API_CMD_USERS)
			x->target_users = cmd.value;
		else
			x->target_rate = cmd.value;
		printf("load changed: %s %.6g\n", cmd.kind == LM_API_CMD_USERS ?
		       "users" : "rate", cmd.value);
	}
}

/*
 * The start form's values into the plan's load, before the workers read
 * it (they wait in READY, and the RUN command that follows is a release
 * store). A level replaces the plan's level and stages; in the open model
 * a spawn rate ramps the rate up from 0 at that many sessions/s per
 * second (one stage), in the closed model it starts that many users a
 * second (Locust's spawn rate).
 */
static void
apply_start(struct lm_plan *plan, const struct lm_api_cmd *cmd,
	    struct lm_prom_extra *x, double *duration_s)
{
	struct lm_plan_load *l = &plan->load;
	bool open = l->model == LM_LOAD_OPEN;

	if (cmd->value >= 0) {
		if (open)
			l->rate = cmd->value;
		else
			l->users = (uint32_t)cmd->value;
		l->n_stages = 0;
	}
	if (cmd->spawn_rate >= 0) {
		if (!open) {
			l->spawn_rate = cmd->spawn_rate;
		} else if (cmd->spawn_rate > 0) {
			struct lm_load_stage *st = calloc(1, sizeof(*st));

			if (st != NULL) {
				free(l->stages);
				st->duration_s = l->rate / cmd->spawn_rate;
				st->target = l->rate;
				l->stages = st;
				l->n_stages = 1;
			}
		}
		x->spawn_rate = cmd->spawn_rate;
	}
	if (cmd->duration_s > 0) {
		*duration_s = cmd->duration_s;
		l->duration_s = cmd->duration_s;
	}
	x->duration_s = *duration_s;
	if (open)
		x->target_rate = l->rate;
	else
		x->target_users = l->users;
	printf("started from the API: %s %.6g, spawn rate %.6g/s, %.6g s\n",
	       open ? "rate" : "users", open ? l->rate : (double)l->users,
	       x->spawn_rate, *duration_s);
}

bool
lm_run_api_wait_start(struct lm_api *a, struct lm_plan *plan,
		      const struct lm_view *v, struct lm_prom_extra *x,
		      double *duration_s, const volatile sig_atomic_t *stops)
{
	sig_atomic_t stops0 = *stops;
	const char *state = x->state;
	struct lm_api_cmd cmd;
	unsigned int tick = 0;

	x->state = "waiting";
	x->duration_s = *duration_s;
	lm_api_set_waiting(a, true);
	printf("waiting for a start from the API (the web UI's form, or "
	       "POST /api/start)\n");
	fflush(stdout);
	for (;;) {
		if (tick++ % (1000 / WAIT_TICK_MS) == 0)
			lm_run_api_publish(a, plan, v, NULL, 0, x);
		if (*stops != stops0)
			break;
		while (lm_api_take_command(a, &cmd)) {
			if (cmd.kind == LM_API_CMD_STOP) {
				lm_api_set_waiting(a, false);
				return false;
			}
			if (cmd.kind == LM_API_CMD_START) {
				apply_start(plan, &cmd, x, duration_s);
				x->state = state;
				return true;
			}
			/* a load change before the start: the start's level */
		}
		struct timespec ts = { 0, WAIT_TICK_MS * 1000000L };

		nanosleep(&ts, NULL);
	}
	lm_api_set_waiting(a, false);
	return false;
}

void
lm_run_api_downloads(struct lm_api *a, unsigned int wanted,
		     const struct lm_plan *plan, const struct lm_view *v,
		     double duration_s)
{
	size_t len;
	char *t;

	if (a == NULL)
		return;
	if (wanted & (1u << LM_API_DOC_SUMMARY)) {
		t = lm_report_summary_text(plan, v, duration_s);
		if (t != NULL) {
			lm_api_publish(a, LM_API_DOC_SUMMARY, t, strlen(t));
			free(t);
		}
	}
	if (wanted & (1u << LM_API_DOC_CSV)) {
		t = lm_csv_stats_text(plan, v, duration_s, &len);
		if (t != NULL) {
			lm_api_publish(a, LM_API_DOC_CSV, t, len);
			free(t);
		}
	}
	if (wanted & (1u << LM_API_DOC_HTML)) {
		t = lm_report_html_run(plan, v, duration_s);
		if (t != NULL) {
			lm_api_publish(a, LM_API_DOC_HTML, t, strlen(t));
			free(t);
		}
	}
}

void
lm_run_api_hlog(struct lm_api *a, const char *path, bool tmp)
{
	const char *base = strrchr(path, '/');
	int fd;

	if (a == NULL)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	/* the API's own log goes with the process, whatever ends it */
	if (tmp)
		unlink(path);
	if (fd < 0)
		return;
	lm_api_hlog(a, fd, tmp ? "lemmings-dp.hlog" : base ? base + 1 : path);
}
