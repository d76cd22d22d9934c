/* SPDX-License-Identifier: BSD-3-Clause */
/* The statistics area under /dev/shm (see include/lm/stats_shm.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>

#include "stats_shm.h"

static size_t
names_size(const struct lm_plan *plan)
{
	size_t n = 0;

	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		n += strlen(sc->name) + 1;
		for (uint32_t j = 0; j < sc->n_steps; j++)
			n += strlen(sc->name) + 1 + strlen(sc->steps[j].name) + 1;
	}
	return n;
}

void *
lm_shm_create(const struct lm_plan *plan, const struct lm_stats_layout *layout,
	      const char *name, size_t *len, char *path, size_t pathlen)
{
	size_t nlen = names_size(plan);
	size_t slots_off = (LM_SHM_HEADER_SIZE + nlen + 4095) & ~(size_t)4095;
	size_t total = slots_off + layout->slot_size * layout->n_workers;
	struct lm_shm_header *h;
	char *p, *q;
	int fd;

	if (name != NULL)
		snprintf(path, pathlen, "%s/%s%s", LM_SHM_DIR, LM_SHM_PREFIX, name);
	else
		snprintf(path, pathlen, "%s/%s%ld", LM_SHM_DIR, LM_SHM_PREFIX,
			 (long)getpid());
	/* a file left by a run that died is replaced */
	unlink(path);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return MAP_FAILED;
	if (ftruncate(fd, (off_t)total) != 0) {
		int e = errno;

		close(fd);
		unlink(path);
		errno = e;
		return MAP_FAILED;
	}
	p = mmap(NULL, total, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		unlink(path);
		return MAP_FAILED;
	}
	h = (struct lm_shm_header *)p;
	h->version = LM_SHM_VERSION;
	h->sizeof_worker_counters = sizeof(struct lm_worker_counters);
	h->sizeof_scenario_counters = sizeof(struct lm_scenario_counters);
	h->sizeof_step_stats = sizeof(struct lm_step_stats);
	h->err_max = LM_ERR_MAX;
	h->n_workers = layout->n_workers;
	h->n_scenarios = layout->n_scenarios;
	h->n_steps = layout->n_steps;
	h->n_routes = layout->n_routes;
	h->n_servers = layout->n_servers;
	h->slot_size = layout->slot_size;
	h->slots_off = slots_off;
	h->names_off = LM_SHM_HEADER_SIZE;
	h->names_len = nlen;
	h->tsc_hz = rte_get_tsc_hz();
	h->pid = getpid();
	snprintf(h->plan, sizeof(h->plan), "%s", plan->name ? plan->name : "");
	q = p + LM_SHM_HEADER_SIZE;
	for (uint32_t i = 0; i < plan->n_scenarios; i++)
		q += sprintf(q, "%s", plan->scenarios[i].name) + 1;
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps; j++)
			q += sprintf(q, "%s/%s", sc->name, sc->steps[j].name) + 1;
	}
	/* the magic last: a reader that sees it sees a complete header */
	__atomic_store_n(&h->magic, LM_SHM_MAGIC, __ATOMIC_RELEASE);
	*len = total;
	return p;
}

void *
lm_shm_slots(void *area)
{
	return (char *)area + ((struct lm_shm_header *)area)->slots_off;
}

void
lm_shm_set_state(void *area, enum lm_shm_state state)
{
	struct lm_shm_header *h = area;

	if (state == LM_SHM_RUNNING) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		h->start_epoch_ms = (uint64_t)ts.tv_sec * 1000 +
			(uint64_t)ts.tv_nsec / 1000000;
	}
	__atomic_store_n(&h->state, (uint32_t)state, __ATOMIC_RELEASE);
}

void
lm_shm_destroy(void *area, size_t len, const char *path, bool keep)
{
	munmap(area, len);
	if (!keep)
		unlink(path);
}

const struct lm_shm_header *
lm_shm_attach(const char *name_or_path, size_t *len, char *err, size_t errlen)
{
	char path[512];
	const struct lm_shm_header *h;
	struct stat st;
	void *p;
	int fd;

	if (strchr(name_or_path, '/') != NULL)
		snprintf(path, sizeof(path), "%s", name_or_path);
	else
		snprintf(path, sizeof(path), "%s/%s%s", LM_SHM_DIR, LM_SHM_PREFIX,
			 name_or_path);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if ((size_t)st.st_size < LM_SHM_HEADER_SIZE) {
		snprintf(err, errlen, "%s: too small for a statistics area", path);
		close(fd);
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	h = p;
	if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != LM_SHM_MAGIC ||
	    h->version != LM_SHM_VERSION ||
	    h->sizeof_worker_counters != sizeof(struct lm_worker_counters) ||
	    h->sizeof_scenario_counters != sizeof(struct lm_scenario_counters) ||
	    h->sizeof_step_stats != sizeof(struct lm_step_stats) ||
	    h->err_max != LM_ERR_MAX ||
	    h->slots_off + h->slot_size * h->n_workers > (uint64_t)st.st_size ||
	    h->names_off + h->names_len > h->slots_off) {
		snprintf(err, errlen, "%s: not a statistics area of this version "
			 "(%u), or written by another build", path, LM_SHM_VERSION);
		munmap(p, (size_t)st.st_size);
		return NULL;
	}
	*len = (size_t)st.st_size;
	return h;
}

const char *
lm_shm_name(const struct lm_shm_header *h, uint32_t i)
{
	const char *p = (const char *)h + h->names_off;
	const char *end = p + h->names_len;

	for (; p < end && i > 0; i--)
		p += strnlen(p, (size_t)(end - p)) + 1;
	return p < end ? p : "?";
}
