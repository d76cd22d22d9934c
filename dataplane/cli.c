/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of the application part (after "--"). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

void
lm_cli_usage(FILE *f, const char *prog)
{
	fprintf(f,
		"Usage: %s [EAL options] -- --plan FILE [options]\n"
		"\n"
		"Runs the plan's weighted scenarios over DPDK ports with its own TCP\n"
		"and HTTP/1.1 and reports per-step latency.\n"
		"\n"
		"Options:\n"
		"  -p, --plan FILE       the plan (JSON; see docs/plan.md)\n"
		"  -d, --duration S      run for S seconds (overrides load.duration_s)\n"
		"  -s, --summary FILE    write the JSON summary to FILE at the end\n"
		"  -c, --check           validate the plan and exit\n"
		"  -q, --quiet           no live line each second\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 ok; 1 thresholds failed; 2 bad usage or bad plan;\n"
		"3 runtime failure (EAL, port, or next hop not answering ARP).\n"
		"\n"
		"Example (the lab's client namespace):\n"
		"  %s -l 0-1 --no-pci --in-memory --vdev=net_af_packet0,iface=lm-c0 \\\n"
		"      -- --plan scenarios/quickstart.json --duration 10\n",
		prog, prog);
}

int
lm_cli_parse(struct lm_cli *c, int argc, char **argv, FILE *err)
{
	static const struct option opts[] = {
		{"plan", required_argument, NULL, 'p'},
		{"duration", required_argument, NULL, 'd'},
		{"summary", required_argument, NULL, 's'},
		{"check", no_argument, NULL, 'c'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int opt;

	memset(c, 0, sizeof(*c));
	c->duration_s = -1;
	optind = 1;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:d:s:cqh", opts, NULL)) != -1) {
		char *end;

		switch (opt) {
		case 'p':
			c->plan = optarg;
			break;
		case 'd':
			errno = 0;
			c->duration_s = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' ||
			    !isfinite(c->duration_s) || c->duration_s <= 0 ||
			    c->duration_s > 365 * 86400.0) {
				fprintf(err, "error: --duration: \"%s\" is not a "
					"number of seconds > 0\n", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			c->summary = optarg;
			break;
		case 'c':
			c->check = true;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			c->help = true;
			return 0;
		case ':':
			fprintf(err, "error: %s needs a value\n", argv[optind - 1]);
			return -EINVAL;
		default:
			fprintf(err, "error: unknown option \"%s\" (see --help)\n",
				argv[optind - 1]);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(err, "error: unexpected argument \"%s\" (see --help)\n",
			argv[optind]);
		return -EINVAL;
	}
	if (c->plan == NULL) {
		fprintf(err, "error: --plan FILE is required (see --help)\n");
		return -EINVAL;
	}
	return 0;
}
