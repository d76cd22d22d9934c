/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The loader side of the steering program (steer.bpf.c): the --xdp option,
 * the AF_XDP device's arguments, the configuration map, and what is left
 * on an interface by a run that was killed. See steer.h for the order.
 *
 * Who loads the program: DPDK 22.11's net_af_xdp takes a custom program
 * only as an object file (xdp_prog=), loads it itself with libbpf,
 * attaches it and fills its xsks_map; it has no option to take a program
 * or a map that is already loaded or pinned. So the PMD loads it, and we
 * find it afterwards the way any tool would (bpf_xdp_query() on the
 * interface, then the program's map ids) and write the configuration. The
 * program starts with an all-zero configuration, which steers nothing:
 * until we have written ours, every packet goes to the kernel, as before.
 * Nothing is pinned, so nothing is left in bpffs and no bpffs is needed
 * (`ip netns exec` mounts a fresh /sys without one).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/steer.h"

#ifndef LM_XDP_DATADIR
#define LM_XDP_DATADIR "/usr/local/share/lemmings-dp"
#endif

/* Maps a program may have for us to look at. */
#define LM_XDP_MAX_MAPS 16

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

int
lm_xdp_parse(const char *spec, struct lm_xdp_port *xp, char *err,
	     size_t errlen)
{
	const char *colon = strchr(spec, ':');
	size_t n = colon != NULL ? (size_t)(colon - spec) : strlen(spec);

	memset(xp, 0, sizeof(*xp));
	xp->prog_fd = xp->cfg_fd = xp->stats_fd = -1;
	xp->queues = 1;
	if (n == 0)
		return fail(err, errlen, -EINVAL, "\"%s\": no interface name "
			    "(expected IFACE or IFACE:QUEUES)", spec);
	if (n >= IF_NAMESIZE)
		return fail(err, errlen, -EINVAL, "\"%.*s\": an interface name "
			    "has at most %d characters", (int)n, spec,
			    IF_NAMESIZE - 1);
	if (memchr(spec, ',', n) != NULL || memchr(spec, '=', n) != NULL ||
	    memchr(spec, '/', n) != NULL)
		return fail(err, errlen, -EINVAL, "\"%.*s\" is not an interface "
			    "name", (int)n, spec);
	memcpy(xp->ifname, spec, n);
	xp->ifname[n] = '\0';
	if (colon != NULL) {
		char *end;
		unsigned long q;

		errno = 0;
		q = strtoul(colon + 1, &end, 10);
		if (!(colon[1] >= '0' && colon[1] <= '9') || *end != '\0' ||
		    errno != 0 || q < 1 || q > LM_STEER_MAX_QUEUES)
			return fail(err, errlen, -EINVAL, "\"%s\": QUEUES must be "
				    "an integer from 1 to %d", spec,
				    LM_STEER_MAX_QUEUES);
		xp->queues = (uint16_t)q;
	}
	return 0;
}

/* The first readable of $LM_XDP_STEER_OBJ, beside the executable, in the
 * build tree's dataplane/bpf/ beside it, or in the data directory. */
static int
find_object(struct lm_xdp_port *xp, char *err, size_t errlen)
{
	static const char *const rel[] = {
		"/" LM_XDP_OBJ_FILE, "/dataplane/bpf/" LM_XDP_OBJ_FILE,
	};
	const char *env = getenv("LM_XDP_STEER_OBJ");
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	char *slash;
	ssize_t n;

	if (env != NULL && env[0] != '\0') {
		if (access(env, R_OK) != 0)
			return fail(err, errlen, -ENOENT, "LM_XDP_STEER_OBJ=%s: %s",
				    env, strerror(errno));
		snprintf(cand, sizeof(cand), "%s", env);
		goto found;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash != NULL) {
			*slash = '\0';
			for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
				snprintf(cand, sizeof(cand), "%s%s", exe, rel[i]);
				if (access(cand, R_OK) == 0)
					goto found;
			}
		}
	}
	snprintf(cand, sizeof(cand), "%s/%s", LM_XDP_DATADIR, LM_XDP_OBJ_FILE);
	if (access(cand, R_OK) == 0)
		goto found;
	return fail(err, errlen, -ENOENT, "%s not found (set LM_XDP_STEER_OBJ, "
		    "or keep it beside the executable or in %s)",
		    LM_XDP_OBJ_FILE, LM_XDP_DATADIR);
found:
	if (realpath(cand, xp->obj) == NULL)
		return fail(err, errlen, -errno, "%s: %s", cand, strerror(errno));
	return 0;
}

/* The name of program fd (info.name), or "" when it cannot be read. */
static void
prog_name(int fd, char *name, size_t len, struct bpf_prog_info *info,
	  uint32_t *map_ids, uint32_t max_maps)
{
	uint32_t ilen = sizeof(*info);

	memset(info, 0, sizeof(*info));
	if (map_ids != NULL) {
		info->nr_map_ids = max_maps;
		info->map_ids = (uint64_t)(unsigned long)map_ids;
	}
	/* bpf_prog_get_info_by_fd() came with libbpf 1.2; 1.1 spells it so */
	if (bpf_obj_get_info_by_fd(fd, info, &ilen) != 0) {
		name[0] = '\0';
		return;
	}
	snprintf(name, len, "%s", info->name);
}

/* Open the map of program info called name, or -ENOENT. */
static int
open_map(const struct bpf_prog_info *info, const uint32_t *map_ids,
	 const char *name, uint32_t value_size)
{
	uint32_t nr = info->nr_map_ids < LM_XDP_MAX_MAPS ? info->nr_map_ids :
		LM_XDP_MAX_MAPS;

	for (uint32_t i = 0; i < nr; i++) {
		struct bpf_map_info minfo;
		uint32_t len = sizeof(minfo);
		int fd = bpf_map_get_fd_by_id(map_ids[i]);

		if (fd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		if (bpf_obj_get_info_by_fd(fd, &minfo, &len) == 0 &&
		    strcmp(minfo.name, name) == 0 &&
		    minfo.value_size == value_size)
			return fd;
		close(fd);
	}
	return -ENOENT;
}

/*
 * Whether pid is a lemmings-dp that is still running. A process id that
 * was reused by another program does not count: its name differs.
 */
static bool
owner_alive(uint32_t pid)
{
	char path[64], comm[32] = "";
	FILE *f;

	if (pid == 0 || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
		return false;
	snprintf(path, sizeof(path), "/proc/%u/comm", pid);
	f = fopen(path, "r");
	if (f == NULL)
		return false;
	if (fgets(comm, sizeof(comm), f) == NULL)
		comm[0] = '\0';
	fclose(f);
	return strncmp(comm, "lemmings-dp", 11) == 0;
}

static uint32_t
mode_flags(uint32_t attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return XDP_FLAGS_DRV_MODE;
	case XDP_ATTACHED_SKB:
		return XDP_FLAGS_SKB_MODE;
	default:
		return XDP_FLAGS_HW_MODE;
	}
}

/* What `ip link set dev IF ... off` calls the mode. */
static const char *
mode_ip_word(uint32_t attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "xdpdrv";
	case XDP_ATTACHED_SKB:
		return "xdpgeneric";
	default:
		return "xdpoffload";
	}
}

static const char *
mode_name(uint32_t attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "driver";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "hardware";
	default:
		return "unknown";
	}
}

const char *
lm_xdp_mode_name(const struct lm_xdp_port *xp)
{
	return mode_name(xp->attach_mode);
}

/*
 * Look at the program attached in one mode (id != 0): ours from a run
 * that is gone is detached; ours still in use, or anyone else's, is an
 * error.
 */
static int
check_attached(struct lm_xdp_port *xp, uint32_t id, uint32_t attach_mode,
	       FILE *out, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, dopts);
	struct bpf_prog_info info;
	struct lm_steer_cfg cfg;
	uint32_t map_ids[LM_XDP_MAX_MAPS];
	char name[BPF_OBJ_NAME_LEN];
	uint32_t key = 0;
	int fd, cfd, rc;

	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return fail(err, errlen, fd, "%s: cannot open the XDP program "
			    "attached (id %u): %s", xp->ifname, id,
			    strerror(-fd));
	prog_name(fd, name, sizeof(name), &info, map_ids, LM_XDP_MAX_MAPS);
	if (strcmp(name, LM_STEER_PROG_NAME) != 0) {
		close(fd);
		return fail(err, errlen, -EEXIST, "%s: another XDP program is "
			    "attached (id %u, name \"%s\", %s mode); lemmings-dp "
			    "does not replace it: take it off first (ip link set "
			    "dev %s %s off), or use another interface",
			    xp->ifname, id, name, mode_name(attach_mode),
			    xp->ifname, mode_ip_word(attach_mode));
	}
	memset(&cfg, 0, sizeof(cfg));
	cfd = open_map(&info, map_ids, LM_STEER_CFG_MAP, sizeof(cfg));
	if (cfd >= 0) {
		if (bpf_map_lookup_elem(cfd, &key, &cfg) != 0)
			memset(&cfg, 0, sizeof(cfg));
		close(cfd);
	}
	if (owner_alive(cfg.owner_pid)) {
		close(fd);
		return fail(err, errlen, -EBUSY, "%s: in use by lemmings-dp "
			    "(pid %u, steering program id %u)", xp->ifname,
			    cfg.owner_pid, id);
	}
	/* replace only what we looked at: fails if it changed meanwhile */
	dopts.old_prog_fd = fd;
	rc = bpf_xdp_detach((int)xp->ifindex, mode_flags(attach_mode) |
			    XDP_FLAGS_REPLACE, &dopts);
	close(fd);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot detach the stale "
			    "steering program (id %u): %s", xp->ifname, id,
			    strerror(-rc));
	fprintf(out, "%s: replacing a stale steering program (id %u, %s mode) "
		"left by an earlier run%s\n", xp->ifname, id,
		mode_name(attach_mode), cfg.owner_pid != 0 ?
		" whose process is gone" : " that never configured it");
	return 0;
}

int
lm_xdp_prepare(struct lm_xdp_port *xp, FILE *out, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int rc;

	xp->ifindex = if_nametoindex(xp->ifname);
	if (xp->ifindex == 0)
		return fail(err, errlen, -ENODEV, "--xdp: interface %s not found "
			    "in this network namespace", xp->ifname);
	rc = find_object(xp, err, errlen);
	if (rc != 0)
		return rc;
	if (strchr(xp->obj, ',') != NULL || strchr(xp->obj, '=') != NULL)
		return fail(err, errlen, -EINVAL, "%s: the device arguments cannot "
			    "carry a path with ',' or '=' (set LM_XDP_STEER_OBJ)",
			    xp->obj);
	rc = bpf_xdp_query((int)xp->ifindex, 0, &q);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot query XDP programs: %s",
			    xp->ifname, strerror(-rc));
	if (q.drv_prog_id != 0)
		rc = check_attached(xp, q.drv_prog_id, XDP_ATTACHED_DRV, out,
				    err, errlen);
	if (rc == 0 && q.skb_prog_id != 0)
		rc = check_attached(xp, q.skb_prog_id, XDP_ATTACHED_SKB, out,
				    err, errlen);
	if (rc == 0 && q.hw_prog_id != 0)
		rc = check_attached(xp, q.hw_prog_id, XDP_ATTACHED_HW, out,
				    err, errlen);
	return rc;
}

int
lm_xdp_vdev(const struct lm_xdp_port *xp, char *buf, size_t len, char *err,
	    size_t errlen)
{
	int n;

	/*
	 * busy_budget=0: no preferred busy polling. With it the PMD asks the
	 * kernel to leave the queue's NAPI processing to our polling
	 * (SO_PREFER_BUSY_POLL) and makes a recvfrom() on every empty RX
	 * poll; but that queue also carries the kernel's own traffic (what
	 * the program passes), which must not depend on whether, and how
	 * often, we poll. Our workers poll anyway.
	 */
	n = snprintf(buf, len, "--vdev=%s,iface=%s,start_queue=0,"
		     "queue_count=%u,xdp_prog=%s,busy_budget=0",
		     LM_XDP_VDEV_NAME, xp->ifname, xp->queues, xp->obj);
	if (n < 0 || (size_t)n >= len)
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long for "
			    "the device arguments", xp->obj);
	return 0;
}

void
lm_xdp_cfg_build(struct lm_steer_cfg *cfg, uint32_t ip, uint32_t client_ip,
		 uint32_t n_client_ips, uint32_t owner_pid)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->owner_pid = owner_pid;
	cfg->ranges[cfg->n_ranges].first = ip;
	cfg->ranges[cfg->n_ranges++].count = 1;
	/* the clients' range, unless it is just the port's address */
	if (n_client_ips > 0 && !(n_client_ips == 1 && client_ip == ip)) {
		cfg->ranges[cfg->n_ranges].first = client_ip;
		cfg->ranges[cfg->n_ranges++].count = n_client_ips;
	}
}

int
lm_xdp_configure(struct lm_xdp_port *xp, const struct lm_steer_cfg *cfg,
		 char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct bpf_prog_info info;
	uint32_t map_ids[LM_XDP_MAX_MAPS];
	char name[BPF_OBJ_NAME_LEN];
	uint32_t key = 0, id;
	int rc;

	rc = bpf_xdp_query((int)xp->ifindex, 0, &q);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot query XDP programs: %s",
			    xp->ifname, strerror(-rc));
	/* the PMD attaches one program, in the mode the kernel chooses */
	id = q.drv_prog_id != 0 ? q.drv_prog_id : q.skb_prog_id != 0 ?
		q.skb_prog_id : q.hw_prog_id;
	xp->attach_mode = q.drv_prog_id != 0 ? XDP_ATTACHED_DRV :
		q.skb_prog_id != 0 ? XDP_ATTACHED_SKB : XDP_ATTACHED_HW;
	if (id == 0)
		return fail(err, errlen, -ENOENT, "%s: no XDP program attached "
			    "after the AF_XDP port's set-up", xp->ifname);
	xp->prog_fd = bpf_prog_get_fd_by_id(id);
	if (xp->prog_fd < 0) {
		rc = xp->prog_fd;
		xp->prog_fd = -1;
		return fail(err, errlen, rc, "%s: cannot open XDP program id %u: "
			    "%s", xp->ifname, id, strerror(-rc));
	}
	prog_name(xp->prog_fd, name, sizeof(name), &info, map_ids,
		  LM_XDP_MAX_MAPS);
	if (strcmp(name, LM_STEER_PROG_NAME) != 0)
		return fail(err, errlen, -EEXIST, "%s: the XDP program attached "
			    "(id %u) is \"%s\", not ours", xp->ifname, id, name);
	xp->prog_id = id;
	xp->cfg_fd = open_map(&info, map_ids, LM_STEER_CFG_MAP, sizeof(*cfg));
	xp->stats_fd = open_map(&info, map_ids, LM_STEER_STATS_MAP,
				sizeof(struct lm_steer_stats));
	if (xp->cfg_fd < 0 || xp->stats_fd < 0)
		return fail(err, errlen, -ENOENT, "%s: XDP program id %u lacks "
			    "its maps %s and %s", xp->ifname, id,
			    LM_STEER_CFG_MAP, LM_STEER_STATS_MAP);
	rc = bpf_map_update_elem(xp->cfg_fd, &key, cfg, BPF_ANY);
	if (rc != 0)
		return fail(err, errlen, rc, "%s: cannot write the steering "
			    "configuration: %s", xp->ifname, strerror(-rc));
	return 0;
}

int
lm_xdp_stats(const struct lm_xdp_port *xp, struct lm_steer_stats *sum)
{
	struct lm_steer_stats *per_cpu;
	uint32_t key = 0;
	int ncpu, rc;

	memset(sum, 0, sizeof(*sum));
	if (xp->stats_fd < 0)
		return -ENOENT;
	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return ncpu < 0 ? ncpu : -EINVAL;
	/* one value per possible CPU, each a multiple of 8 bytes */
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (per_cpu == NULL)
		return -ENOMEM;
	rc = bpf_map_lookup_elem(xp->stats_fd, &key, per_cpu);
	if (rc == 0) {
		for (int i = 0; i < ncpu; i++) {
			sum->ipv4_steered += per_cpu[i].ipv4_steered;
			sum->arp_steered += per_cpu[i].arp_steered;
			sum->no_socket += per_cpu[i].no_socket;
			sum->passed += per_cpu[i].passed;
		}
	}
	free(per_cpu);
	return rc;
}

void
lm_xdp_release(struct lm_xdp_port *xp, FILE *err)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	LIBBPF_OPTS(bpf_xdp_attach_opts, dopts);
	uint32_t now;
	int rc;

	if (xp->prog_fd >= 0 && xp->prog_id != 0 &&
	    bpf_xdp_query((int)xp->ifindex, 0, &q) == 0) {
		now = xp->attach_mode == XDP_ATTACHED_DRV ? q.drv_prog_id :
			xp->attach_mode == XDP_ATTACHED_SKB ? q.skb_prog_id :
			q.hw_prog_id;
		if (now == xp->prog_id) {
			dopts.old_prog_fd = xp->prog_fd;
			rc = bpf_xdp_detach((int)xp->ifindex,
					    mode_flags(xp->attach_mode) |
					    XDP_FLAGS_REPLACE, &dopts);
			if (rc != 0)
				fprintf(err, "warning: %s: cannot detach the "
					"steering program (id %u): %s\n",
					xp->ifname, xp->prog_id, strerror(-rc));
		}
	}
	if (xp->prog_fd >= 0)
		close(xp->prog_fd);
	if (xp->cfg_fd >= 0)
		close(xp->cfg_fd);
	if (xp->stats_fd >= 0)
		close(xp->stats_fd);
	xp->prog_fd = xp->cfg_fd = xp->stats_fd = -1;
	xp->prog_id = 0;
}
