/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control loop's side of the HTTP API (run.c): what it publishes each
 * interval, the commands it takes, the start it waits for
 * (--wait-for-start), and the downloads it renders when asked.
 */
#ifndef LM_RUN_API_H
#define LM_RUN_API_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <lm/plan.h>

#include "merge.h"
#include "prom.h"

struct lm_api;
struct lm_worker;

/*
 * Before the run: which loads the API takes (the plan's model, and no more
 * users than the run has room for), and the fields of x that
 * /api/status shows from the start.
 */
void lm_run_api_begin(struct lm_api *a, const struct lm_plan *plan,
		      struct lm_prom_extra *x);

/* The live documents of the interval between before (or NULL) and now. */
void lm_run_api_publish(struct lm_api *a, const struct lm_plan *plan,
			const struct lm_view *now, const struct lm_view *before,
			double interval_s, const struct lm_prom_extra *x);

/*
 * Commands from the API: a stop (lm_control_request_stop()), or a new
 * load level for every worker (x's targets follow).
 */
void lm_run_api_commands(struct lm_api *a, struct lm_worker *ws, uint32_t n,
			 struct lm_prom_extra *x);

/*
 * Wait for POST /api/start (state "waiting"), publishing the status;
 * then apply its values to the plan's load and to *duration_s before the
 * workers are told to run. Returns true to start, false when a stop (the
 * API's or a signal: *stops changed) came first.
 */
bool lm_run_api_wait_start(struct lm_api *a, struct lm_plan *plan,
			   const struct lm_view *v, struct lm_prom_extra *x,
			   double *duration_s,
			   const volatile sig_atomic_t *stops);

/*
 * Render and publish the downloads in wanted (1 << LM_API_DOC_...), from
 * v, a full view of the run so far (or its end), duration_s into the run.
 */
void lm_run_api_downloads(struct lm_api *a, unsigned int wanted,
			  const struct lm_plan *plan, const struct lm_view *v,
			  double duration_s);

/*
 * The .hlog at path, being written, as the API's download: opened for
 * reading here (and unlinked when it is only the API's: tmp).
 */
void lm_run_api_hlog(struct lm_api *a, const char *path, bool tmp);

#endif /* LM_RUN_API_H */
