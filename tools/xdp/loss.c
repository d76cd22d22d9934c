/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * lm-xdp-loss — put loss.bpf.o, an XDP program that drops a random fraction of the
 * packets arriving at an interface, on an interface; change the fraction; read its
 * counters; take it off again. Meant for the lab: make the Linux kernel's TCP (in
 * the server namespace) see loss on its ingress.
 *
 * usage:
 *   lm-xdp-loss attach IFACE --drop FRACTION [--only-tcp]
 *   lm-xdp-loss set IFACE --drop FRACTION
 *   lm-xdp-loss stats IFACE          prints "passed N dropped M" (summed over CPUs)
 *   lm-xdp-loss detach IFACE
 *
 *   FRACTION    0 .. 1 ("0.01") or a percentage ("1%"), kept in parts per million.
 *   --only-tcp  only IPv4/TCP is dropped; everything else (ARP, ICMP, ...) passes.
 *
 * The program is attached in generic (SKB) mode, so it works on any interface, veths
 * included. attach replaces a program of ours already on IFACE (its counters start
 * again from zero) and refuses to touch anyone else's. Nothing is pinned: set, stats
 * and detach find the attached program with bpf_xdp_query() and its maps through the
 * program's map ids, so nothing is left behind in bpffs and the command works under
 * `ip netns exec` (which mounts a fresh /sys without bpffs).
 *
 * The object file is looked for in $LM_XDP_OBJ (a file path), then beside this
 * executable (the build directory), then in the installed data directory.
 *
 * Exit status: 0 success, 1 failure (message on stderr), 2 bad usage.
 *
 * Example, in the lab's server namespace:
 *   ip netns exec lm-srv lm-xdp-loss attach lm-s0 --drop 1% --only-tcp
 *   ip netns exec lm-srv lm-xdp-loss stats lm-s0
 *   ip netns exec lm-srv lm-xdp-loss detach lm-s0
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loss.h"

#define LM_XDP_LOSS_OBJ_FILE	"loss.bpf.o"
#define LM_XDP_LOSS_MAX_MAPS	16

#ifndef LM_XDP_DATADIR
#define LM_XDP_DATADIR "/usr/local/share/lemmings-dp"
#endif

enum {
	LM_EXIT_OK = 0,
	LM_EXIT_FAIL = 1,
	LM_EXIT_USAGE = 2,
};

/* What one command line asks for. */
struct lm_loss_args {
	const char *cmd;
	const char *ifname;
	unsigned int ifindex;
	int have_drop;
	__u32 drop_per_million;
	int only_tcp;
};

/* Our program as found attached to an interface. */
struct lm_loss_attached {
	__u32 prog_id;
	int prog_fd;
	int cfg_fd;
	int stats_fd;
};

static const char *prog_name = "lm-xdp-loss";

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s attach IFACE --drop FRACTION [--only-tcp]\n"
		"       %s set IFACE --drop FRACTION\n"
		"       %s stats IFACE\n"
		"       %s detach IFACE\n"
		"FRACTION: 0..1 (0.01) or a percentage (1%%). Generic (SKB) mode XDP;\n"
		"the object file is taken from $LM_XDP_OBJ, beside this program or %s.\n",
		prog_name, prog_name, prog_name, prog_name, LM_XDP_DATADIR);
}

static void __attribute__((format(printf, 1, 2))) errmsg(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog_name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* libbpf speaks only when something goes wrong (the verifier's log included). */
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

/* parse_fraction: "0.01" or "1%" -> parts per million; 0 or -EINVAL. */
static int parse_fraction(const char *s, __u32 *per_million)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v))
		return -EINVAL;
	if (*end == '%') {
		v /= 100.0;
		end++;
	}
	if (*end != '\0' || v < 0.0 || v > 1.0)
		return -EINVAL;
	*per_million = (__u32)(v * LM_XDP_LOSS_MILLION + 0.5);
	return 0;
}

static int parse_args(int argc, char **argv, struct lm_loss_args *a)
{
	int i;

	if (argc < 2) {
		usage(stderr);
		return -EINVAL;
	}
	a->cmd = argv[1];
	if (strcmp(a->cmd, "attach") != 0 && strcmp(a->cmd, "set") != 0 &&
	    strcmp(a->cmd, "stats") != 0 && strcmp(a->cmd, "detach") != 0) {
		errmsg("unknown command '%s'", a->cmd);
		usage(stderr);
		return -EINVAL;
	}
	for (i = 2; i < argc; i++) {
		const char *arg = argv[i];
		const char *val = NULL;

		if (strcmp(arg, "--drop") == 0) {
			if (i + 1 >= argc) {
				errmsg("--drop needs a FRACTION");
				return -EINVAL;
			}
			val = argv[++i];
		} else if (strncmp(arg, "--drop=", 7) == 0) {
			val = arg + 7;
		} else if (strcmp(arg, "--only-tcp") == 0) {
			a->only_tcp = 1;
			continue;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			errmsg("unknown option '%s'", arg);
			return -EINVAL;
		} else if (a->ifname == NULL) {
			a->ifname = arg;
			continue;
		} else {
			errmsg("unexpected argument '%s'", arg);
			return -EINVAL;
		}
		if (parse_fraction(val, &a->drop_per_million) != 0) {
			errmsg("bad FRACTION '%s': want 0..1 (0.01) or 0..100%% (1%%)", val);
			return -EINVAL;
		}
		a->have_drop = 1;
	}
	if (a->ifname == NULL) {
		errmsg("%s: IFACE missing", a->cmd);
		return -EINVAL;
	}
	if (strlen(a->ifname) >= IF_NAMESIZE) {
		errmsg("interface name '%s' too long", a->ifname);
		return -EINVAL;
	}
	if (strcmp(a->cmd, "attach") == 0 || strcmp(a->cmd, "set") == 0) {
		if (!a->have_drop) {
			errmsg("%s: --drop FRACTION missing", a->cmd);
			return -EINVAL;
		}
	} else if (a->have_drop) {
		errmsg("%s takes no --drop", a->cmd);
		return -EINVAL;
	}
	if (a->only_tcp && strcmp(a->cmd, "attach") != 0) {
		errmsg("--only-tcp goes with attach only");
		return -EINVAL;
	}
	return 0;
}

/* find_object: the first readable of $LM_XDP_OBJ, <dir of this executable>/loss.bpf.o,
 * LM_XDP_DATADIR/loss.bpf.o. */
static int find_object(char *path, size_t len)
{
	const char *env = getenv("LM_XDP_OBJ");
	char exe[PATH_MAX];
	char *slash;
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		if (access(env, R_OK) != 0) {
			errmsg("LM_XDP_OBJ=%s: %s", env, strerror(errno));
			return -ENOENT;
		}
		snprintf(path, len, "%s", env);
		return 0;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(path, len, "%s/%s", exe,
					     LM_XDP_LOSS_OBJ_FILE) < len &&
			    access(path, R_OK) == 0)
				return 0;
		}
	}
	snprintf(path, len, "%s/%s", LM_XDP_DATADIR, LM_XDP_LOSS_OBJ_FILE);
	if (access(path, R_OK) == 0)
		return 0;
	errmsg("%s not found (set LM_XDP_OBJ, or keep it beside the executable or in %s)",
	       LM_XDP_LOSS_OBJ_FILE, LM_XDP_DATADIR);
	return -ENOENT;
}

static void attached_close(struct lm_loss_attached *at)
{
	if (at->prog_fd >= 0)
		close(at->prog_fd);
	if (at->cfg_fd >= 0)
		close(at->cfg_fd);
	if (at->stats_fd >= 0)
		close(at->stats_fd);
	at->prog_fd = at->cfg_fd = at->stats_fd = -1;
}

/*
 * find_attached: look at the generic-mode XDP program on the interface.
 * Returns 0 with *at filled (our program, both maps open), -ENOENT when no program
 * is attached in generic mode, -EEXIST when the one attached is not ours, another
 * -errno on failure (each with its message printed, except -ENOENT).
 */
static int find_attached(const struct lm_loss_args *a, struct lm_loss_attached *at)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info pinfo;
	__u32 map_ids[LM_XDP_LOSS_MAX_MAPS];
	__u32 len, i, nr;
	int err;

	at->prog_fd = at->cfg_fd = at->stats_fd = -1;
	at->prog_id = 0;
	err = bpf_xdp_query((int)a->ifindex, 0, &q);
	if (err != 0) {
		errmsg("%s: cannot query XDP programs: %s", a->ifname, strerror(-err));
		return err;
	}
	if (q.skb_prog_id == 0)
		return -ENOENT;
	at->prog_id = q.skb_prog_id;
	at->prog_fd = bpf_prog_get_fd_by_id(q.skb_prog_id);
	if (at->prog_fd < 0) {
		err = at->prog_fd;
		errmsg("%s: cannot open XDP program id %u: %s", a->ifname, q.skb_prog_id,
		       strerror(-err));
		return err;
	}
	memset(&pinfo, 0, sizeof(pinfo));
	pinfo.nr_map_ids = LM_XDP_LOSS_MAX_MAPS;
	pinfo.map_ids = (__u64)(unsigned long)map_ids;
	len = sizeof(pinfo);
	/* bpf_prog_get_info_by_fd() came with libbpf 1.2; this is the 1.1 spelling. */
	err = bpf_obj_get_info_by_fd(at->prog_fd, &pinfo, &len);
	if (err != 0) {
		errmsg("%s: cannot read XDP program id %u: %s", a->ifname, q.skb_prog_id,
		       strerror(-err));
		goto fail;
	}
	if (strcmp(pinfo.name, LM_XDP_LOSS_PROG_NAME) != 0) {
		errmsg("%s: the XDP program attached (id %u, name '%s') is not %s's; "
		       "leaving it alone", a->ifname, q.skb_prog_id, pinfo.name, prog_name);
		err = -EEXIST;
		goto fail;
	}
	nr = pinfo.nr_map_ids < LM_XDP_LOSS_MAX_MAPS ? pinfo.nr_map_ids : LM_XDP_LOSS_MAX_MAPS;
	for (i = 0; i < nr; i++) {
		struct bpf_map_info minfo;
		int fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (bpf_obj_get_info_by_fd(fd, &minfo, &len) == 0) {
			if (at->cfg_fd < 0 && strcmp(minfo.name, LM_XDP_LOSS_CFG_MAP) == 0 &&
			    minfo.value_size == sizeof(struct lm_xdp_loss_cfg)) {
				at->cfg_fd = fd;
				continue;
			}
			if (at->stats_fd < 0 &&
			    strcmp(minfo.name, LM_XDP_LOSS_STATS_MAP) == 0 &&
			    minfo.value_size == sizeof(struct lm_xdp_loss_stats)) {
				at->stats_fd = fd;
				continue;
			}
		}
		close(fd);
	}
	if (at->cfg_fd < 0 || at->stats_fd < 0) {
		errmsg("%s: XDP program id %u is named %s but lacks its maps %s and %s",
		       a->ifname, q.skb_prog_id, LM_XDP_LOSS_PROG_NAME, LM_XDP_LOSS_CFG_MAP,
		       LM_XDP_LOSS_STATS_MAP);
		err = -EEXIST;
		goto fail;
	}
	return 0;
fail:
	attached_close(at);
	return err;
}

/* find_ours: find_attached() for the commands that need our program there. */
static int find_ours(const struct lm_loss_args *a, struct lm_loss_attached *at)
{
	int err = find_attached(a, at);

	if (err == -ENOENT)
		errmsg("%s: no XDP program attached (generic mode)", a->ifname);
	return err;
}

static void print_setting(const struct lm_loss_args *a, __u32 prog_id,
			  const struct lm_xdp_loss_cfg *cfg)
{
	printf("%s: program id %u, drop %g%% (%u per million)%s\n", a->ifname, prog_id,
	       cfg->drop_per_million / 10000.0, cfg->drop_per_million,
	       cfg->only_tcp ? ", IPv4/TCP only" : "");
}

static int cmd_attach(const struct lm_loss_args *a)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, aopts);
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct lm_loss_attached old = { .prog_fd = -1, .cfg_fd = -1, .stats_fd = -1 };
	struct lm_xdp_loss_cfg cfg = {
		.drop_per_million = a->drop_per_million,
		.only_tcp = a->only_tcp ? 1 : 0,
	};
	struct bpf_object *obj = NULL;
	struct bpf_program *prog;
	struct bpf_map *map;
	struct bpf_prog_info pinfo;
	char path[PATH_MAX];
	__u32 key = 0, len, flags;
	int err, prog_fd, ret = LM_EXIT_FAIL;

	err = bpf_xdp_query((int)a->ifindex, 0, &q);
	if (err != 0) {
		errmsg("%s: cannot query XDP programs: %s", a->ifname, strerror(-err));
		return LM_EXIT_FAIL;
	}
	if (q.drv_prog_id != 0 || q.hw_prog_id != 0) {
		errmsg("%s: an XDP program (id %u) is attached in %s mode; generic mode "
		       "cannot be added beside it", a->ifname,
		       q.drv_prog_id != 0 ? q.drv_prog_id : q.hw_prog_id,
		       q.drv_prog_id != 0 ? "driver" : "hardware");
		return LM_EXIT_FAIL;
	}
	err = find_attached(a, &old);
	if (err != 0 && err != -ENOENT)
		return LM_EXIT_FAIL;

	if (find_object(path, sizeof(path)) != 0)
		goto out;
	obj = bpf_object__open_file(path, NULL);
	if (obj == NULL) {
		errmsg("%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	err = bpf_object__load(obj);
	if (err != 0) {
		errmsg("%s: cannot load: %s", path, strerror(-err));
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, LM_XDP_LOSS_PROG_NAME);
	map = bpf_object__find_map_by_name(obj, LM_XDP_LOSS_CFG_MAP);
	if (prog == NULL || map == NULL) {
		errmsg("%s: no program %s or map %s in it", path, LM_XDP_LOSS_PROG_NAME,
		       LM_XDP_LOSS_CFG_MAP);
		goto out;
	}
	/* Configure before attaching: the first packet already sees the setting. */
	err = bpf_map_update_elem(bpf_map__fd(map), &key, &cfg, BPF_ANY);
	if (err != 0) {
		errmsg("%s: cannot write the configuration: %s", path, strerror(-err));
		goto out;
	}
	prog_fd = bpf_program__fd(prog);
	flags = XDP_FLAGS_SKB_MODE;
	if (old.prog_fd >= 0) {
		/* Replace only if ours is still the one there. */
		flags |= XDP_FLAGS_REPLACE;
		aopts.old_prog_fd = old.prog_fd;
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach((int)a->ifindex, prog_fd, flags, &aopts);
	if (err != 0) {
		errmsg("%s: cannot attach (generic XDP): %s%s", a->ifname, strerror(-err),
		       err == -EEXIST || err == -EBUSY ?
		       " (another XDP program was attached meanwhile?)" : "");
		goto out;
	}
	memset(&pinfo, 0, sizeof(pinfo));
	len = sizeof(pinfo);
	if (bpf_obj_get_info_by_fd(prog_fd, &pinfo, &len) != 0)
		pinfo.id = 0;
	print_setting(a, pinfo.id, &cfg);
	ret = LM_EXIT_OK;
out:
	/* The interface keeps the program (and so its maps) alive without us. */
	bpf_object__close(obj);
	attached_close(&old);
	return ret;
}

static int cmd_set(const struct lm_loss_args *a)
{
	struct lm_loss_attached at;
	struct lm_xdp_loss_cfg cfg;
	__u32 key = 0;
	int err, ret = LM_EXIT_FAIL;

	if (find_ours(a, &at) != 0)
		return LM_EXIT_FAIL;
	err = bpf_map_lookup_elem(at.cfg_fd, &key, &cfg);
	if (err != 0) {
		errmsg("%s: cannot read the configuration: %s", a->ifname, strerror(-err));
		goto out;
	}
	cfg.drop_per_million = a->drop_per_million;
	err = bpf_map_update_elem(at.cfg_fd, &key, &cfg, BPF_EXIST);
	if (err != 0) {
		errmsg("%s: cannot write the configuration: %s", a->ifname, strerror(-err));
		goto out;
	}
	print_setting(a, at.prog_id, &cfg);
	ret = LM_EXIT_OK;
out:
	attached_close(&at);
	return ret;
}

static int cmd_stats(const struct lm_loss_args *a)
{
	struct lm_loss_attached at;
	struct lm_xdp_loss_stats *per_cpu = NULL;
	__u64 passed = 0, dropped = 0;
	__u32 key = 0;
	int ncpu, i, err, ret = LM_EXIT_FAIL;

	if (find_ours(a, &at) != 0)
		return LM_EXIT_FAIL;
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0) {
		errmsg("cannot count the possible CPUs: %s", strerror(-ncpu));
		goto out;
	}
	/* A per-CPU lookup fills one value per possible CPU, each 8-byte aligned; the
	 * struct is a multiple of 8 bytes. */
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (per_cpu == NULL) {
		errmsg("out of memory");
		goto out;
	}
	err = bpf_map_lookup_elem(at.stats_fd, &key, per_cpu);
	if (err != 0) {
		errmsg("%s: cannot read the counters: %s", a->ifname, strerror(-err));
		goto out;
	}
	for (i = 0; i < ncpu; i++) {
		passed += per_cpu[i].passed;
		dropped += per_cpu[i].dropped;
	}
	printf("passed %llu dropped %llu\n", (unsigned long long)passed,
	       (unsigned long long)dropped);
	ret = LM_EXIT_OK;
out:
	free(per_cpu);
	attached_close(&at);
	return ret;
}

static int cmd_detach(const struct lm_loss_args *a)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, dopts);
	struct lm_loss_attached at;
	int err, ret = LM_EXIT_FAIL;

	if (find_ours(a, &at) != 0)
		return LM_EXIT_FAIL;
	/* Detach only if ours is still the one there. */
	dopts.old_prog_fd = at.prog_fd;
	err = bpf_xdp_detach((int)a->ifindex, XDP_FLAGS_SKB_MODE | XDP_FLAGS_REPLACE, &dopts);
	if (err != 0) {
		errmsg("%s: cannot detach XDP program id %u: %s", a->ifname, at.prog_id,
		       strerror(-err));
		goto out;
	}
	printf("%s: program id %u detached\n", a->ifname, at.prog_id);
	ret = LM_EXIT_OK;
out:
	attached_close(&at);
	return ret;
}

int main(int argc, char **argv)
{
	struct lm_loss_args a;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return LM_EXIT_OK;
		}
	}
	memset(&a, 0, sizeof(a));
	if (parse_args(argc, argv, &a) != 0)
		return LM_EXIT_USAGE;
	a.ifindex = if_nametoindex(a.ifname);
	if (a.ifindex == 0) {
		errmsg("interface '%s' not found in this network namespace", a.ifname);
		return LM_EXIT_FAIL;
	}
	libbpf_set_print(libbpf_print);

	if (strcmp(a.cmd, "attach") == 0)
		return cmd_attach(&a);
	if (strcmp(a.cmd, "set") == 0)
		return cmd_set(&a);
	if (strcmp(a.cmd, "stats") == 0)
		return cmd_stats(&a);
	return cmd_detach(&a);
}
