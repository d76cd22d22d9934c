/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of the application part (after "--"). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "net/impair.h"

/* Options with no short form: values outside any char. */
enum {
	OPT_IMPAIR = 256,
};

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
		"      --impair SPEC     impair traffic, replacing the plan's \"impair\":\n"
		"                        rx:drop=P,dup=P,reorder=P,corrupt=P,reorder_depth=N;\n"
		"                        tx:...;seed=N (P from 0 to 1), or \"off\"; e.g.\n"
		"                        'rx:drop=0.01,reorder=0.01;tx:dup=0.005;seed=7'\n"
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

int
lm_cli_parse(struct lm_cli *c, int argc, char **argv, FILE *err)
{
	static const struct option opts[] = {
		{"plan", required_argument, NULL, 'p'},
		{"duration", required_argument, NULL, 'd'},
		{"summary", required_argument, NULL, 's'},
		{"impair", required_argument, NULL, OPT_IMPAIR},
		{"check", no_argument, NULL, 'c'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char msg[256];
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
	return 0;
}
