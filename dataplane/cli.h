/* SPDX-License-Identifier: BSD-3-Clause */
/* The application's command line (what follows "--" after the EAL's). */
#ifndef LM_CLI_H
#define LM_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit statuses: part of the interface (CI jobs test them). */
#define LM_EXIT_OK 0
#define LM_EXIT_THRESHOLDS 1   /* the run finished but its thresholds failed */
#define LM_EXIT_USAGE 2        /* bad usage or bad plan */
#define LM_EXIT_RUNTIME 3      /* a port, the EAL or the network failed us */

struct lm_cli {
	const char *plan;
	const char *summary;
	double duration_s;     /* < 0: the plan's */
	bool check;
	bool quiet;
	bool help;
};

/*
 * Parse the application's arguments (argv[0] is a program name). Returns 0,
 * or -EINVAL after printing what is wrong to err.
 */
int lm_cli_parse(struct lm_cli *c, int argc, char **argv, FILE *err);

void lm_cli_usage(FILE *f, const char *prog);

#endif /* LM_CLI_H */
