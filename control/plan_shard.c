/* SPDX-License-Identifier: BSD-3-Clause */
/* Sharding a plan (see plan_shard.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "plan_shard.h"

/* Source ports client connections take (tcp/tcb.c's range). */
#define SHARD_PORT_FIRST 1024u
#define SHARD_PORT_LAST 65535u
#define SHARD_MAX 65536u

int
lm_shard_parse(const char *s, uint32_t *index, uint32_t *count, char *err,
	       size_t errlen)
{
	unsigned long long i, n;
	int used = 0;

	if (sscanf(s, "%llu/%llu%n", &i, &n, &used) != 2 || s[used] != '\0' ||
	    s[0] < '0' || s[0] > '9' || n == 0 || n > SHARD_MAX || i >= n) {
		snprintf(err, errlen, "\"%s\" is not I/N with 0 <= I < N <= %u "
			 "(e.g. 0/3, 1/3, 2/3)", s, SHARD_MAX);
		return -EINVAL;
	}
	*index = (uint32_t)i;
	*count = (uint32_t)n;
	return 0;
}

uint64_t
lm_shard_share(uint64_t total, uint32_t index, uint32_t count)
{
	return total / count + (index < total % count ? 1 : 0);
}

uint64_t
lm_shard_offset(uint64_t total, uint32_t index, uint32_t count)
{
	uint64_t r = total % count;

	return total / count * index + (index < r ? index : r);
}

/* The client addresses of port p, or its source ports, for this shard. */
static int
shard_port(struct lm_plan *plan, struct lm_plan_port *p, uint32_t index,
	   uint32_t count, char *err, size_t errlen)
{
	uint32_t n = p->n_client_ips ? p->n_client_ips : 1;
	uint32_t first = p->n_client_ips ? p->client_ip : p->ip;
	uint64_t span;

	if (n >= count) {
		bool own = p->ip - first < n;

		p->client_ip = first + (uint32_t)lm_shard_offset(n, index, count);
		p->n_client_ips = (uint32_t)lm_shard_share(n, index, count);
		if (own)
			p->ip = p->client_ip;
		return 0;
	}
	span = SHARD_PORT_LAST - SHARD_PORT_FIRST + 1;
	if (span / count < 64) {
		snprintf(err, errlen, "%u shards share %u client address(es): "
			 "%llu source ports each is too few; give the port "
			 "\"client_ips\" (at least one per shard)", count, n,
			 (unsigned long long)(span / count));
		return -EINVAL;
	}
	plan->shard.port_first = (uint16_t)(SHARD_PORT_FIRST +
		lm_shard_offset(span, index, count));
	plan->shard.port_last = (uint16_t)(plan->shard.port_first +
		lm_shard_share(span, index, count) - 1);
	return 0;
}

int
lm_plan_apply_shard(struct lm_plan *plan, uint32_t index, uint32_t count,
		    char *err, size_t errlen)
{
	struct lm_plan_load *l = &plan->load;
	bool closed = l->model == LM_LOAD_CLOSED;
	uint64_t pop = closed ? l->users : l->max_users;

	plan->shard.index = index;
	plan->shard.count = count;
	if (count <= 1)
		return 0;
	if (plan->n_scenarios > 0) {
		if (closed && lm_shard_share(l->users, index, count) == 0) {
			snprintf(err, errlen, "shard %u/%u: the plan's %u users "
				 "leave this shard none", index, count, l->users);
			return -EINVAL;
		}
		if (l->max_runs > 0 &&
		    lm_shard_share(l->max_runs, index, count) == 0) {
			snprintf(err, errlen, "shard %u/%u: the plan's max_runs "
				 "(%llu) leave this shard none", index, count,
				 (unsigned long long)l->max_runs);
			return -EINVAL;
		}
		plan->shard.first_user = (uint32_t)lm_shard_offset(pop, index,
								   count);
		if (closed) {
			l->users = (uint32_t)lm_shard_share(l->users, index,
							    count);
		} else {
			l->rate /= count;
			/* sessions in flight at most: at least one each */
			l->max_users = (uint32_t)lm_shard_share(l->max_users,
								index, count);
			if (l->max_users == 0)
				l->max_users = 1;
		}
		l->spawn_rate /= count;
		for (uint32_t i = 0; i < l->n_stages; i++)
			l->stages[i].target = closed ?
				(double)lm_shard_share((uint64_t)llround(
					l->stages[i].target), index, count) :
				l->stages[i].target / count;
		if (l->max_runs > 0)
			l->max_runs = lm_shard_share(l->max_runs, index, count);
	}
	for (uint32_t i = 0; i < plan->n_ports; i++) {
		int rc = shard_port(plan, &plan->ports[i], index, count, err,
				    errlen);

		if (rc != 0)
			return rc;
	}
	return 0;
}
