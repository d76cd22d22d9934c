/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of the application part (after "--"). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plan_shard.h"
#include "start_time.h"
#include "net/impair.h"
#include "bpf/steer.h"

/* Options with no short form: values outside any char. */
enum {
	OPT_IMPAIR = 256,
	OPT_USERS,
	OPT_RATE,
	OPT_MAX_RUNS,
	OPT_LIST,
	OPT_STATS_NAME,
	OPT_INFLUX,
	OPT_API,
	OPT_API_TOKEN,
	OPT_CSV,
	OPT_HLOG,
	OPT_HTML,
	OPT_INTERVAL,
	OPT_GRACE,
	OPT_KEEP_STATS,
	OPT_XDP,
	OPT_LINGER,
	OPT_WAIT_FOR_START,
	OPT_SHARD,
	OPT_START_AT,
};

/* The plan's own bounds (docs/plan.md), for the overrides. */
#define CLI_MAX_USERS 10000000
#define CLI_MAX_RATE 1e8
#define CLI_MAX_DURATION_S (365 * 86400.0)
/* loops nest 4 deep in a plan; more only costs indentation */
#define LM_CLI_LIST_DEPTH 16

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
		"      --users N         N users (closed model: replaces load.users and\n"
		"                        load.stages)\n"
		"      --rate R          R sessions per second (open model: replaces\n"
		"                        load.rate and load.stages)\n"
		"      --max-runs N      stop after N runs in all (overrides\n"
		"                        load.max_runs; 0 = no limit)\n"
		"  -s, --summary FILE    write the JSON summary to FILE at the end\n"
		"      --impair SPEC     impair traffic, replacing the plan's \"impair\":\n"
		"                        rx:drop=P,dup=P,reorder=P,corrupt=P,reorder_depth=N;\n"
		"                        tx:...;seed=N (P from 0 to 1), or \"off\"; e.g.\n"
		"                        'rx:drop=0.01,reorder=0.01;tx:dup=0.005;seed=7'\n"
		"  -c, --check           validate the plan and exit\n"
		"      --list            print the load, the scenarios with their share\n"
		"                        of the runs and their steps, the servers with\n"
		"                        their routes, and exit\n"
		"  -q, --quiet           no live line each second\n"
		"      --stats-name NAME the statistics area is /dev/shm/lemmings-dp.NAME\n"
		"                        (default: the process id); others attach to it\n"
		"      --keep-stats      leave that file after the run\n"
		"      --xdp IFACE[:QUEUES]\n"
		"                        add an AF_XDP port on IFACE (RX queues 0 to\n"
		"                        QUEUES-1, default 1) whose XDP program steers\n"
		"                        only our addresses' packets to us: the kernel\n"
		"                        keeps the rest of the interface (docs/xdp.md)\n"
		"      --metrics, --api [ADDR:]PORT\n"
		"                        serve /metrics (Prometheus) and the HTTP API\n"
		"                        (/api/status, /api/stats, /api/load, /api/stop,\n"
		"                        /api/report); ADDR 127.0.0.1 when left out\n"
		"                        and the web UI at http://ADDR:PORT/ (docs/ui.md)\n"
		"      --api-token TOKEN the API's POSTs need \"Authorization: Bearer\n"
		"                        TOKEN\" (or LEMMINGS_API_TOKEN)\n"
		"      --shard I/N       run shard I (from 0) of N instances of the plan:\n"
		"                        1/N of its load, a disjoint slice of its users,\n"
		"                        {{seq}}, client addresses or source ports\n"
		"                        (docs/distributed.md)\n"
		"      --start-at TIME   hold the load until TIME (epoch seconds or\n"
		"                        RFC 3339, e.g. 2026-11-23T12:00:00Z): instances\n"
		"                        start together; the summary gives the skew\n"
		"      --wait-for-start  wait for the web UI's start form (or POST\n"
		"                        /api/start) before the load starts\n"
		"      --linger S        after the run, the API and the UI stay up S\n"
		"                        seconds, or until POST /api/stop or a signal\n"
		"                        [2; 3600 with --wait-for-start]\n"
		"      --csv PREFIX      write PREFIX_stats.csv and PREFIX_history.csv\n"
		"      --hlog FILE       write an HdrHistogram interval log (.hlog)\n"
		"      --html FILE       write the HTML report at the end: one file\n"
		"                        with charts, per-step tables, percentile\n"
		"                        spectra and thresholds (docs/report.md)\n"
		"      --interval S      statistics interval: live line, exports, API [1]\n"
		"      --grace S         at the end, in-flight runs get S seconds to finish;\n"
		"                        a second SIGINT/SIGTERM ends it at once [2]\n"
		"      --influx URL      push line protocol each second to an InfluxDB\n"
		"                        write URL (v1 .../write?db=DB, v2\n"
		"                        .../api/v2/write?org=O&bucket=B with the token\n"
		"                        in LEMMINGS_INFLUX_TOKEN)\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 ok; 1 thresholds failed; 2 bad usage or bad plan;\n"
		"3 runtime failure (EAL, port, or next hop not answering ARP).\n"
		"SIGINT or SIGTERM ends the run as its duration would (grace, report,\n"
		"summary, usual exit status); SIGPIPE and a closed stdout stop nothing.\n"
		"\n"
		"Example (the lab's client namespace):\n"
		"  %s -l 0-1 --no-pci --in-memory --vdev=net_af_packet0,iface=lm-c0 \\\n"
		"      -- --plan scenarios/quickstart.json --duration 10\n"
		"  %s -l 0-1 --no-pci --in-memory \\\n"
		"      -- --xdp lm-c0 --plan scenarios/quickstart.json --duration 10\n",
		prog, prog, prog);
}

/* A number of seconds from min to max into *out; -EINVAL after saying why. */
static int
parse_seconds(const char *arg, const char *opt, double min, double max,
	      double *out, FILE *err)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (errno != 0 || end == arg || *end != '\0' ||
	    !(*out >= min && *out <= max)) {
		fprintf(err, "error: %s: \"%s\" is not a number of seconds "
			"from %g to %g\n", opt, arg, min, max);
		return -EINVAL;
	}
	return 0;
}

/* Longest token (a key or a value) of an --impair specification. */
#define IMPAIR_TOKEN_MAX 64

static int
spec_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
spec_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* s[0..n) into buf as a C string, or false when it does not fit */
static bool
token(char *buf, const char *s, size_t n)
{
	if (n >= IMPAIR_TOKEN_MAX)
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return true;
}

/*
 * A plain decimal number: strtod alone would also take " 1", "inf", "nan"
 * and hexadecimal, none of which anyone means here.
 */
static bool
parse_prob(const char *s, double *out)
{
	char *end;
	double x;

	if (!((*s >= '0' && *s <= '9') || *s == '.') || strpbrk(s, "xXpP") != NULL)
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(x) || x < 0 ||
	    x > 1)
		return false;
	*out = x;
	return true;
}

static bool
parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long x;
	char *end;

	if (!(*s >= '0' && *s <= '9'))
		return false;
	errno = 0;
	x = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return false;
	*out = x;
	return true;
}

/* A plain decimal number in (0, max], as for parse_prob. */
static bool
parse_positive(const char *s, double max, double *out)
{
	char *end;
	double x;

	if (!((*s >= '0' && *s <= '9') || *s == '.') || strpbrk(s, "xXpP") != NULL)
		return false;
	errno = 0;
	x = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !isfinite(x) || x <= 0 ||
	    x > max)
		return false;
	*out = x;
	return true;
}

static const char *const impair_keys[] = {
	"drop", "dup", "reorder", "corrupt", "reorder_depth",
};
#define N_IMPAIR_KEYS (sizeof(impair_keys) / sizeof(impair_keys[0]))

/* "drop=0.1,dup=0.2" (s[0..n)) for one direction */
static int
parse_dir(const char *name, const char *s, size_t n, struct lm_impair_dir *d,
	  char *err, size_t errlen)
{
	/* in impair_keys' order; reorder_depth follows them */
	double *probs[] = { &d->drop, &d->dup, &d->reorder, &d->corrupt };
	const size_t n_probs = sizeof(probs) / sizeof(probs[0]);
	const char *end = s + n;
	bool seen[N_IMPAIR_KEYS] = { false };
	char key[IMPAIR_TOKEN_MAX], val[IMPAIR_TOKEN_MAX];
	uint64_t depth;
	size_t k;

	if (n == 0)
		return spec_error(err, errlen,
				  "%s: no settings (expected KEY=VALUE, like %s:drop=0.01)",
				  name, name);
	while (s <= end) {
		const char *comma = memchr(s, ',', (size_t)(end - s));
		const char *item_end = comma != NULL ? comma : end;
		const char *eq = memchr(s, '=', (size_t)(item_end - s));

		if (item_end == s)
			return spec_error(err, errlen, "%s: empty setting", name);
		if (eq == NULL)
			return spec_error(err, errlen,
					  "%s: \"%.*s\" needs a value (KEY=VALUE)",
					  name, (int)(item_end - s), s);
		if (!token(key, s, (size_t)(eq - s)) ||
		    !token(val, eq + 1, (size_t)(item_end - eq - 1)))
			return spec_error(err, errlen, "%s: \"%.*s\" is too long",
					  name, (int)(item_end - s), s);
		for (k = 0; k < N_IMPAIR_KEYS && strcmp(key, impair_keys[k]) != 0;
		     k++)
			;
		if (k == N_IMPAIR_KEYS)
			return spec_error(err, errlen,
					  "%s: unknown key \"%s\" (expected drop, dup, reorder, corrupt or reorder_depth)",
					  name, key);
		if (seen[k])
			return spec_error(err, errlen, "%s: %s given twice",
					  name, key);
		seen[k] = true;
		if (k < n_probs && !parse_prob(val, probs[k]))
			return spec_error(err, errlen,
					  "%s: %s: \"%s\" is not a probability from 0 to 1",
					  name, key, val);
		if (k == n_probs) {
			if (!parse_u64(val, LM_IMPAIR_MAX_HELD, &depth) || depth < 1)
				return spec_error(err, errlen,
						  "%s: reorder_depth: \"%s\" is not an integer from 1 to %d",
						  name, val, LM_IMPAIR_MAX_HELD);
			d->reorder_depth = (uint32_t)depth;
		}
		if (comma == NULL)
			break;
		s = comma + 1;
	}
	return 0;
}

static bool
dir_active(const struct lm_impair_dir *d)
{
	return d->drop > 0 || d->dup > 0 || d->reorder > 0 || d->corrupt > 0;
}

int
lm_cli_parse_impair(const char *spec, struct lm_plan_impair *out, char *err,
		    size_t errlen)
{
	struct lm_plan_impair im;
	bool seen_rx = false, seen_tx = false, seen_seed = false;
	char val[IMPAIR_TOKEN_MAX];
	const char *s = spec, *end;
	int rc;

	memset(&im, 0, sizeof(im));
	im.seed = 1;
	im.rx.reorder_depth = 3;
	im.tx.reorder_depth = 3;
	if (spec == NULL || spec[0] == '\0')
		return spec_error(err, errlen,
				  "empty specification (expected like \"rx:drop=0.01;seed=7\", or \"off\")");
	if (strcmp(spec, "off") == 0) {
		*out = im;
		return 0;
	}
	end = spec + strlen(spec);
	while (s <= end) {
		const char *semi = strchr(s, ';');
		const char *part_end = semi != NULL ? semi : end;
		size_t n = (size_t)(part_end - s);

		if (n == 0)
			return spec_error(err, errlen, "empty part in \"%s\"",
					  spec);
		if (n >= 3 && (memcmp(s, "rx:", 3) == 0 ||
			       memcmp(s, "tx:", 3) == 0)) {
			bool rx = s[0] == 'r';
			bool *seen = rx ? &seen_rx : &seen_tx;

			if (*seen)
				return spec_error(err, errlen, "%s given twice",
						  rx ? "rx" : "tx");
			*seen = true;
			rc = parse_dir(rx ? "rx" : "tx", s + 3, n - 3,
				       rx ? &im.rx : &im.tx, err, errlen);
			if (rc != 0)
				return rc;
		} else if (n >= 5 && memcmp(s, "seed=", 5) == 0) {
			if (seen_seed)
				return spec_error(err, errlen, "seed given twice");
			seen_seed = true;
			if (!token(val, s + 5, n - 5) ||
			    !parse_u64(val, UINT64_MAX, &im.seed))
				return spec_error(err, errlen,
						  "seed: \"%.*s\" is not an integer 0 or more",
						  (int)(n - 5), s + 5);
		} else {
			return spec_error(err, errlen,
					  "\"%.*s\": expected rx:KEY=VALUE,..., tx:KEY=VALUE,... or seed=N",
					  (int)n, s);
		}
		if (semi == NULL)
			break;
		s = semi + 1;
	}
	im.enabled = dir_active(&im.rx) || dir_active(&im.tx);
	*out = im;
	return 0;
}

/* Where in struct lm_cli an option that takes a plain string goes. */
static size_t
string_option_field(int opt)
{
	switch (opt) {
	case OPT_INFLUX:
		return offsetof(struct lm_cli, influx);
	case OPT_API:
		return offsetof(struct lm_cli, api);
	case OPT_API_TOKEN:
		return offsetof(struct lm_cli, api_token);
	case OPT_CSV:
		return offsetof(struct lm_cli, csv);
	case OPT_HTML:
		return offsetof(struct lm_cli, html);
	default:
		return offsetof(struct lm_cli, hlog);
	}
}

int
lm_cli_parse(struct lm_cli *c, int argc, char **argv, FILE *err)
{
	static const struct option opts[] = {
		{"plan", required_argument, NULL, 'p'},
		{"duration", required_argument, NULL, 'd'},
		{"summary", required_argument, NULL, 's'},
		{"impair", required_argument, NULL, OPT_IMPAIR},
		{"users", required_argument, NULL, OPT_USERS},
		{"rate", required_argument, NULL, OPT_RATE},
		{"max-runs", required_argument, NULL, OPT_MAX_RUNS},
		{"list", no_argument, NULL, OPT_LIST},
		{"stats-name", required_argument, NULL, OPT_STATS_NAME},
		{"influx", required_argument, NULL, OPT_INFLUX},
		{"metrics", required_argument, NULL, OPT_API},
		{"api", required_argument, NULL, OPT_API},
		{"api-token", required_argument, NULL, OPT_API_TOKEN},
		{"csv", required_argument, NULL, OPT_CSV},
		{"hlog", required_argument, NULL, OPT_HLOG},
		{"hdr-log", required_argument, NULL, OPT_HLOG},
		{"html", required_argument, NULL, OPT_HTML},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"grace", required_argument, NULL, OPT_GRACE},
		{"linger", required_argument, NULL, OPT_LINGER},
		{"wait-for-start", no_argument, NULL, OPT_WAIT_FOR_START},
		{"shard", required_argument, NULL, OPT_SHARD},
		{"start-at", required_argument, NULL, OPT_START_AT},
		{"keep-stats", no_argument, NULL, OPT_KEEP_STATS},
		{"xdp", required_argument, NULL, OPT_XDP},
		{"check", no_argument, NULL, 'c'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char msg[256];
	uint64_t u;
	int opt;

	memset(c, 0, sizeof(*c));
	c->duration_s = -1;
	c->users = -1;
	c->rate = -1;
	c->max_runs = -1;
	c->grace_s = LM_CLI_GRACE_S;
	c->linger_s = -1;
	c->start_at = -1;
	c->shard_count = 1;
	/* 0, not 1: glibc then forgets what an earlier parse left half done */
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":p:d:s:cqh", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			c->plan = optarg;
			break;
		case 'd':
			if (!parse_positive(optarg, CLI_MAX_DURATION_S,
					    &c->duration_s)) {
				fprintf(err, "error: --duration: \"%s\" is not a "
					"number of seconds > 0\n", optarg);
				return -EINVAL;
			}
			break;
		case 's':
			c->summary = optarg;
			break;
		case OPT_USERS:
			if (!parse_u64(optarg, CLI_MAX_USERS, &u) || u == 0) {
				fprintf(err, "error: --users: \"%s\" is not an "
					"integer from 1 to %d\n", optarg,
					CLI_MAX_USERS);
				return -EINVAL;
			}
			c->users = (long long)u;
			break;
		case OPT_RATE:
			if (!parse_positive(optarg, CLI_MAX_RATE, &c->rate)) {
				fprintf(err, "error: --rate: \"%s\" is not a "
					"number of sessions per second > 0 "
					"(at most 100000000)\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_MAX_RUNS:
			if (!parse_u64(optarg, LLONG_MAX, &u)) {
				fprintf(err, "error: --max-runs: \"%s\" is not "
					"an integer 0 or more\n", optarg);
				return -EINVAL;
			}
			c->max_runs = (long long)u;
			break;
		case OPT_LIST:
			c->list = true;
			break;
		case OPT_STATS_NAME:
			if (optarg[0] == '\0' || strpbrk(optarg, "/ \t") != NULL ||
			    strlen(optarg) > 64) {
				fprintf(err, "error: --stats-name: \"%s\" is not a file "
					"name (no '/', at most 64 characters)\n", optarg);
				return -EINVAL;
			}
			c->stats_name = optarg;
			break;
		case OPT_KEEP_STATS:
			c->keep_stats = true;
			break;
		case OPT_XDP: {
			struct lm_xdp_port xp;

			if (lm_xdp_parse(optarg, &xp, msg, sizeof(msg)) != 0) {
				fprintf(err, "error: --xdp: %s\n", msg);
				return -EINVAL;
			}
			c->xdp = optarg;
			break;
		}
		case OPT_INFLUX:
		case OPT_API:
		case OPT_API_TOKEN:
		case OPT_CSV:
		case OPT_HLOG:
		case OPT_HTML:
			/* options that only name something: a table says where */
			*(const char **)((char *)c + string_option_field(opt)) = optarg;
			break;
		case OPT_INTERVAL:
			if (parse_seconds(optarg, "--interval", 0.1, 3600,
					  &c->interval_s, err) != 0)
				return -EINVAL;
			break;
		case OPT_GRACE:
			if (parse_seconds(optarg, "--grace", 0, 3600, &c->grace_s,
					  err) != 0)
				return -EINVAL;
			break;
		case OPT_LINGER:
			if (parse_seconds(optarg, "--linger", 0, 86400,
					  &c->linger_s, err) != 0)
				return -EINVAL;
			break;
		case OPT_WAIT_FOR_START:
			c->wait_for_start = true;
			break;
		case OPT_SHARD:
			if (lm_shard_parse(optarg, &c->shard_index,
					   &c->shard_count, msg, sizeof(msg)) != 0) {
				fprintf(err, "error: --shard: %s\n", msg);
				return -EINVAL;
			}
			break;
		case OPT_START_AT:
			if (lm_start_parse(optarg, &c->start_at, msg,
					   sizeof(msg)) != 0) {
				fprintf(err, "error: --start-at: %s\n", msg);
				return -EINVAL;
			}
			if (c->start_at - lm_start_now() > LM_START_MAX_AHEAD_S) {
				fprintf(err, "error: --start-at: \"%s\" is more "
					"than %.0f days ahead\n", optarg,
					LM_START_MAX_AHEAD_S / 86400);
				return -EINVAL;
			}
			break;
		case OPT_IMPAIR:
			if (lm_cli_parse_impair(optarg, &c->impair, msg,
						sizeof(msg)) != 0) {
				fprintf(err, "error: --impair: %s\n", msg);
				return -EINVAL;
			}
			c->impair_set = true;
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
	if (c->wait_for_start && c->api == NULL) {
		fprintf(err, "error: --wait-for-start needs --api: the start "
			"comes from the web UI or POST /api/start\n");
		return -EINVAL;
	}
	if (c->linger_s < 0)
		c->linger_s = c->wait_for_start ? LM_CLI_LINGER_UI_S :
			LM_CLI_LINGER_S;
	return 0;
}

int
lm_cli_apply(const struct lm_cli *c, struct lm_plan *plan, FILE *err)
{
	struct lm_plan_load *l = &plan->load;
	char msg[256];

	/* a plan of servers alone has no runs: only its duration applies */
	if (plan->n_scenarios == 0 &&
	    (c->users >= 0 || c->rate >= 0 || c->max_runs >= 0)) {
		fprintf(err, "error: %s: the plan has no scenarios (it only "
			"serves); only --duration applies\n",
			c->users >= 0 ? "--users" : c->rate >= 0 ? "--rate" :
			"--max-runs");
		return -EINVAL;
	}
	if (c->users >= 0 && l->model != LM_LOAD_CLOSED) {
		fprintf(err, "error: --users: the plan's load is open "
			"(\"rate\"); use --rate\n");
		return -EINVAL;
	}
	if (c->rate >= 0 && l->model != LM_LOAD_OPEN) {
		fprintf(err, "error: --rate: the plan's load is closed "
			"(\"users\"); use --users\n");
		return -EINVAL;
	}
	/* a level from the command line holds from start to end */
	if (c->users >= 0 || c->rate >= 0) {
		free(l->stages);
		l->stages = NULL;
		l->n_stages = 0;
	}
	if (c->users >= 0)
		l->users = (uint32_t)c->users;
	if (c->rate >= 0)
		l->rate = c->rate;
	if (c->duration_s > 0)
		l->duration_s = c->duration_s;
	if (c->max_runs >= 0)
		l->max_runs = (uint64_t)c->max_runs;
	/* servers alone may serve until stopped */
	if (l->duration_s == 0 && l->max_runs == 0 && plan->n_scenarios > 0) {
		fprintf(err, "error: --max-runs 0: the plan's duration_s is 0 "
			"too, so the run would never end (give --duration)\n");
		return -EINVAL;
	}
	if (c->impair_set)
		plan->impair = c->impair;
	/* last: a shard's slice of what the overrides made the plan */
	if (lm_plan_apply_shard(plan, c->shard_index, c->shard_count, msg,
				sizeof(msg)) != 0) {
		fprintf(err, "error: --shard: %s\n", msg);
		return -EINVAL;
	}
	return 0;
}

static const char *const think_names[] = {
	[LM_THINK_CONSTANT] = "constant",
	[LM_THINK_UNIFORM] = "uniform",
	[LM_THINK_EXPONENTIAL] = "exponential",
	[LM_THINK_NORMAL] = "normal",
};

static void
list_load(FILE *f, const struct lm_plan *plan)
{
	const struct lm_plan_load *l = &plan->load;
	uint32_t i;

	if (plan->n_scenarios == 0) {
		if (l->duration_s > 0)
			fprintf(f, "load: none (servers only); serve for %g s\n",
				l->duration_s);
		else
			fprintf(f, "load: none (servers only); serve until "
				"stopped\n");
		return;
	}
	if (l->model == LM_LOAD_CLOSED) {
		fprintf(f, "load: closed model, %" PRIu32 " users", l->users);
		if (l->spawn_rate > 0)
			fprintf(f, ", started at %g per second", l->spawn_rate);
		else if (l->n_stages == 0)
			fprintf(f, ", all at once");
	} else {
		fprintf(f, "load: open model, %g sessions per second (%s), "
			"at most %" PRIu32 " in flight", l->rate,
			l->arrival == LM_ARRIVAL_POISSON ? "poisson" : "constant",
			l->max_users);
	}
	for (i = 0; i < l->n_stages; i++)
		fprintf(f, "%s%g over %g s", i == 0 ? "; stages: " : ", ",
			l->stages[i].target, l->stages[i].duration_s);
	if (l->duration_s > 0)
		fprintf(f, "; %g s", l->duration_s);
	else
		fprintf(f, "; no time limit");
	if (l->max_runs > 0)
		fprintf(f, ", at most %" PRIu64 " runs", l->max_runs);
	fprintf(f, "\n");
}

/* What a step does, in a few words, after its name. */
static void
list_step(FILE *f, const struct lm_step *s)
{
	char a[16];

	switch (s->kind) {
	case LM_STEP_HTTP:
		fprintf(f, ": %s %s", lm_http_method_name(s->http.method),
			s->http.path);
		break;
	case LM_STEP_THINK:
		fprintf(f, ": %s %g", think_names[s->think.dist], s->think.a_ms);
		if (s->think.dist == LM_THINK_UNIFORM ||
		    s->think.dist == LM_THINK_NORMAL)
			fprintf(f, " %g", s->think.b_ms);
		fprintf(f, " ms");
		break;
	case LM_STEP_LOOP:
		fprintf(f, ": %" PRIu32 " times the next %" PRIu32 " step%s",
			s->loop.count, s->loop.body_steps,
			s->loop.body_steps == 1 ? "" : "s");
		break;
	case LM_STEP_CONNECT:
		if (s->connect.ip != 0)
			snprintf(a, sizeof(a), "%u.%u.%u.%u", s->connect.ip >> 24,
				 s->connect.ip >> 16 & 0xff,
				 s->connect.ip >> 8 & 0xff, s->connect.ip & 0xff);
		fprintf(f, ": %s", s->connect.ip != 0 ? a : "target");
		if (s->connect.port != 0)
			fprintf(f, " port %u", s->connect.port);
		break;
	case LM_STEP_SEND:
		if (s->send.generated)
			fprintf(f, ": %" PRIu64 " generated bytes",
				s->send.gen_size);
		break;
	case LM_STEP_EXPECT:
		if (s->expect.kind == LM_EXPECT_BYTES)
			fprintf(f, ": %" PRIu64 " bytes", s->expect.bytes);
		else
			fprintf(f, ": %s", s->expect.kind == LM_EXPECT_UNTIL ?
				"until a delimiter" : "a text");
		break;
	default:
		break;
	}
	fprintf(f, "\n");
}

static const char *
ip_str(uint32_t ip, char *buf, size_t cap)
{
	snprintf(buf, cap, "%u.%u.%u.%u", ip >> 24, ip >> 16 & 0xff,
		 ip >> 8 & 0xff, ip & 0xff);
	return buf;
}

/* A response: status, body, headers beyond the framing, delay. */
static void
list_response(FILE *f, const struct lm_route *r)
{
	const uint8_t *p = r->head, *end = r->head + r->head_len;
	uint32_t lines = 0;

	fprintf(f, "%u", r->status);
	if (r->body_text != NULL)
		fprintf(f, ", %" PRIu64 " bytes of text", r->body_size);
	else if (r->body_size > 0)
		fprintf(f, ", %" PRIu64 " generated bytes (seed %" PRIu64 ")",
			r->body_size, r->body_seed);
	else
		fprintf(f, ", no body");
	/* the head's lines less the status line, Content-Length and the end */
	for (; p + 1 < end; p++)
		if (p[0] == '\r' && p[1] == '\n')
			lines++;
	lines -= r->status >= 200 && r->status != 204 && r->status != 304 ?
		 3 : 2;
	if (lines > 0)
		fprintf(f, ", %" PRIu32 " header%s", lines, lines == 1 ? "" : "s");
	if (r->delay_ms > 0)
		fprintf(f, ", after %" PRIu32 " ms", r->delay_ms);
	fprintf(f, "\n");
}

static void
list_servers(FILE *f, const struct lm_plan *plan)
{
	static const char *const kinds[] = {
		[LM_SERVER_HTTP] = "http",
		[LM_SERVER_ECHO] = "echo",
		[LM_SERVER_REPLY] = "reply",
	};
	char a[16];
	uint32_t i, j;

	for (i = 0; i < plan->n_servers; i++) {
		const struct lm_plan_server *s = &plan->servers[i];

		fprintf(f, "server %s: %s on %s:%u (ports[%" PRIu32 "])", s->name,
			(unsigned int)s->kind < sizeof(kinds) / sizeof(kinds[0]) ?
			kinds[s->kind] : "?", ip_str(s->ip, a, sizeof(a)),
			s->listen, s->port);
		switch (s->kind) {
		case LM_SERVER_HTTP:
			fprintf(f, ", %" PRIu32 " route%s\n", s->n_routes,
				s->n_routes == 1 ? "" : "s");
			for (j = 0; j < s->n_routes; j++) {
				fprintf(f, "  route   %s: ", s->routes[j].path);
				list_response(f, &s->routes[j]);
			}
			fprintf(f, "  default ");
			list_response(f, &s->dflt);
			break;
		case LM_SERVER_REPLY:
			if (s->after_bytes > 0)
				fprintf(f, ": to every %" PRIu64 " bytes, ",
					s->after_bytes);
			else
				fprintf(f, ": to every request ending with a "
					"%" PRIu32 "-byte delimiter, ",
					s->after_delim_len);
			if (s->reply_text != NULL)
				fprintf(f, "%" PRIu64 " bytes of text\n",
					s->reply_bytes);
			else
				fprintf(f, "%" PRIu64 " generated bytes (seed %"
					PRIu64 ")\n", s->reply_bytes,
					s->reply_seed);
			break;
		default:
			fprintf(f, "\n");
			break;
		}
	}
}

/* --shard: this instance's slice (the load above is already its own). */
static void
list_shard(FILE *f, const struct lm_plan *plan)
{
	const struct lm_plan_shard *sh = &plan->shard;
	uint32_t users = plan->load.model == LM_LOAD_OPEN ?
		plan->load.max_users : plan->load.users;

	if (sh->count <= 1)
		return;
	fprintf(f, "shard %u of %u: users %u to %u", sh->index, sh->count,
		sh->first_user, sh->first_user + (users ? users - 1 : 0));
	for (uint32_t i = 0; i < plan->n_ports; i++) {
		const struct lm_plan_port *p = &plan->ports[i];
		uint32_t a = p->n_client_ips ? p->client_ip : p->ip;
		uint32_t b = a + (p->n_client_ips ? p->n_client_ips - 1 : 0);

		fprintf(f, "; port %u: %u.%u.%u.%u", i, a >> 24, (a >> 16) & 255,
			(a >> 8) & 255, a & 255);
		if (b != a)
			fprintf(f, "-%u.%u.%u.%u", b >> 24, (b >> 16) & 255,
				(b >> 8) & 255, b & 255);
	}
	if (sh->port_first != 0)
		fprintf(f, "; source ports %u-%u", sh->port_first,
			sh->port_last);
	fprintf(f, "; {{seq}} = %u mod %u\n", sh->index, sh->count);
}

void
lm_cli_list(FILE *f, const struct lm_plan *plan)
{
	uint32_t ends[LM_CLI_LIST_DEPTH];
	double total = 0;
	uint32_t i, j, depth;

	fprintf(f, "plan %s (%s)\n", plan->name, plan->file);
	list_load(f, plan);
	list_shard(f, plan);
	for (i = 0; i < plan->n_scenarios; i++)
		total += plan->scenarios[i].weight;
	for (i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		fprintf(f, "scenario %s: ", sc->name);
		if ((int32_t)i == plan->on_start)
			fprintf(f, "once per user, before its first run");
		else if ((int32_t)i == plan->on_stop)
			fprintf(f, "once per user, after its last run");
		else
			fprintf(f, "%.1f %%", total > 0 ? 100 * sc->weight / total :
				0);
		fprintf(f, " (%s, close %s)\n",
			sc->connection == LM_CONN_PER_RUN ? "per_run" :
			"keep_alive", sc->close == LM_CLOSE_RST ? "rst" : "fin");
		depth = 0;
		for (j = 0; j < sc->n_steps; j++) {
			const struct lm_step *s = &sc->steps[j];

			/* a loop's body is the body_steps steps after it */
			while (depth > 0 && ends[depth - 1] <= j)
				depth--;
			fprintf(f, "%*s%-7s %s", (int)(2 + 2 * depth), "",
				lm_step_kind_name(s->kind), s->name);
			list_step(f, s);
			if (s->kind == LM_STEP_LOOP && depth < LM_CLI_LIST_DEPTH)
				ends[depth++] = j + 1 + s->loop.body_steps;
		}
	}
	list_servers(f, plan);
}
