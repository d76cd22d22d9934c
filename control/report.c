/* SPDX-License-Identifier: BSD-3-Clause */
/* The live line, the end-of-run table and the JSON summary. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pools_report.h"
#include "report.h"
#include "events.h"

static double
ms(uint64_t ns)
{
	return (double)ns / 1e6;
}

void
lm_report_line(FILE *f, const struct lm_view *now,
	       const struct lm_view *before, double elapsed_s,
	       double interval_s)
{
	struct lm_hdr *lat = malloc(sizeof(*lat));
	uint64_t req = lm_view_requests(now) - lm_view_requests(before);
	uint64_t failed = lm_view_failed(now) - lm_view_failed(before);

	if (lat == NULL)
		return;
	lm_view_latency_since(lat, now, before);
	fprintf(f, "[%5.0fs] users %" PRIu64 "  req/s %.0f  failed %" PRIu64
		"  p50 %.3f ms  p99 %.3f ms  conns %" PRIu64 "  total %" PRIu64
		"\n", elapsed_s, now->w.users_active,
		interval_s > 0 ? (double)req / interval_s : 0.0, failed,
		ms(lm_hdr_percentile(lat, 50)), ms(lm_hdr_percentile(lat, 99)),
		now->w.conns_active, lm_view_requests(now));
	fflush(f);
	free(lat);
}

static void
table_row(FILE *f, const char *name, const struct lm_step_stats *s,
	  const struct lm_hdr *lat, double duration_s)
{
	fprintf(f, "%-28s %10" PRIu64 " %10" PRIu64 " %8" PRIu64
		" %10.1f %9.3f %9.3f %9.3f %9.3f %9.3f\n", name, s->requests,
		s->ok, s->failed,
		duration_s > 0 ? (double)s->requests / duration_s : 0.0,
		ms(lm_hdr_percentile(lat, 50)), ms(lm_hdr_percentile(lat, 90)),
		ms(lm_hdr_percentile(lat, 99)), ms(lm_hdr_percentile(lat, 99.9)),
		ms(lm_hdr_percentile(lat, 100)));
}

/* The name of statistics row k of server s (lm_plan_server_rows). */
static const char *
route_name(const struct lm_plan_server *s, uint32_t k)
{
	if (s->kind == LM_SERVER_ECHO)
		return "(echo)";
	if (s->kind == LM_SERVER_REPLY)
		return "(reply)";
	return k < s->n_routes ? s->routes[k].path : "(default)";
}

json_t *
lm_report_errors_json(const uint64_t *errors)
{
	json_t *o = json_object();

	for (int e = 0; e < LM_ERR_MAX; e++)
		if (errors[e] != 0)
			json_object_set_new(o, lm_err_name(e),
					    json_integer((json_int_t)errors[e]));
	return o;
}

/* {"name": count, ...} of an event table (events.h). */
static json_t *
events_json(const struct lm_event_counter *t, unsigned int n,
	    const struct lm_view *v)
{
	json_t *o = json_object();

	for (unsigned int i = 0; i < n; i++)
		json_object_set_new(o, t[i].name, json_integer(
			(json_int_t)lm_event_value(&v->w, &t[i])));
	return o;
}

/* Each server: its connections' fate, and what its routes answered. */
json_t *
lm_report_servers_json(const struct lm_plan *plan, const struct lm_view *v)
{
	json_t *a = json_array();
	uint32_t row = 0;

	for (uint32_t i = 0; i < plan->n_servers; i++) {
		const struct lm_plan_server *s = &plan->servers[i];
		const struct lm_server_stats *x = i < v->n_servers &&
			v->servers != NULL ? &v->servers[i] : NULL;
		uint64_t req = 0, bytes = 0;

		for (uint32_t k = 0; k < lm_plan_server_rows(s); k++, row++)
			if (row < v->n_routes && v->routes != NULL) {
				req += v->routes[row].requests;
				bytes += v->routes[row].tx_bytes;
			}
		json_array_append_new(a, json_pack(
			"{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "name", s->name,
			"connections", (json_int_t)(x ? x->connections : 0),
			"requests", (json_int_t)req, "tx_bytes", (json_int_t)bytes,
			"bad_requests", (json_int_t)(x ? x->bad_requests : 0),
			"overflows", (json_int_t)(x ? x->overflows : 0),
			"resets", (json_int_t)(x ? x->resets : 0),
			"timeouts", (json_int_t)(x ? x->timeouts : 0)));
	}
	return a;
}

/* Every server's routes: what each answered. */
json_t *
lm_report_routes_json(const struct lm_plan *plan, const struct lm_view *v)
{
	json_t *a = json_array();
	uint32_t row = 0;

	for (uint32_t i = 0; i < plan->n_servers; i++) {
		const struct lm_plan_server *s = &plan->servers[i];

		for (uint32_t k = 0; k < lm_plan_server_rows(s); k++, row++) {
			const struct lm_route_stats *r =
				row < v->n_routes && v->routes != NULL ?
				&v->routes[row] : NULL;

			json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:I}",
				"server", s->name, "route", route_name(s, k),
				"requests", (json_int_t)(r ? r->requests : 0),
				"tx_bytes", (json_int_t)(r ? r->tx_bytes : 0)));
		}
	}
	return a;
}

void
lm_report_table(FILE *f, const struct lm_plan *plan, const struct lm_view *v,
		double duration_s)
{
	struct lm_step_stats *all = calloc(1, sizeof(*all));
	uint32_t k = 0;
	uint64_t errors[LM_ERR_MAX] = {0};
	char name[256];

	if (all == NULL)
		return;
	lm_hdr_init(&all->latency);
	fprintf(f, "\n%-28s %10s %10s %8s %10s %9s %9s %9s %9s %9s\n", "step",
		"requests", "ok", "failed", "req/s", "p50 ms", "p90 ms", "p99 ms",
		"p99.9 ms", "max ms");
	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];

		for (uint32_t j = 0; j < sc->n_steps; j++, k++) {
			const struct lm_step_stats *s = &v->steps[k];

			snprintf(name, sizeof(name), "%s.%s", sc->name,
				 sc->steps[j].name);
			table_row(f, name, s, &s->latency, duration_s);
			all->requests += s->requests;
			all->ok += s->ok;
			all->failed += s->failed;
			for (int e = 0; e < LM_ERR_MAX; e++)
				errors[e] += s->errors[e];
			lm_hdr_add(&all->latency, &s->latency);
		}
	}
	table_row(f, "all", all, &all->latency, duration_s);
	fprintf(f, "\nruns:");
	for (uint32_t i = 0; i < plan->n_scenarios; i++)
		fprintf(f, " %s %" PRIu64 " (%" PRIu64 " failed)%s",
			plan->scenarios[i].name,
			v->scen[i].runs_ok + v->scen[i].runs_failed,
			v->scen[i].runs_failed,
			i + 1 < plan->n_scenarios ? "," : "");
	fprintf(f, "\nconnections: %" PRIu64 " opened, %" PRIu64
		" attempted; %" PRIu64 " retransmissions; %" PRIu64
		" packets out, %" PRIu64 " in\n", v->w.conn_opened,
		v->w.conn_attempts, v->w.tcp_retransmits, v->w.tx_pkts,
		v->w.rx_pkts);
	if (plan->n_servers > 0) {
		uint32_t row = 0;

		fprintf(f, "servers: %" PRIu64 " connections, %" PRIu64
			" requests answered, %" PRIu64 " bad, %" PRIu64
			" response bytes\n", v->w.srv_conns, v->w.srv_requests,
			v->w.srv_bad_requests, v->w.srv_tx_bytes);
		for (uint32_t i = 0; i < plan->n_servers; i++) {
			const struct lm_plan_server *s = &plan->servers[i];

			if (plan->n_servers > 1 && i < v->n_servers &&
			    v->servers != NULL)
				fprintf(f, "  %s: %" PRIu64 " connections, %" PRIu64
					" bad requests, %" PRIu64 " resets, %" PRIu64
					" timeouts\n", s->name,
					v->servers[i].connections,
					v->servers[i].bad_requests,
					v->servers[i].resets, v->servers[i].timeouts);
			for (uint32_t k = 0; k < lm_plan_server_rows(s); k++, row++)
				if (row < v->n_routes && v->routes != NULL &&
				    (v->routes[row].requests || v->routes[row].tx_bytes))
					fprintf(f, "  %s %s: %" PRIu64 " responses, %"
						PRIu64 " bytes\n", s->name,
						route_name(s, k),
						v->routes[row].requests,
						v->routes[row].tx_bytes);
		}
	}
	{
		/* what peers sent that TCP turned away: shown when it happened */
		const struct { const char *name; uint64_t n; } odd[] = {
			{ "bad options", v->w.tcp_bad_options },
			{ "duplicates", v->w.tcp_dup_segments },
			{ "beyond window", v->w.tcp_beyond_window },
			{ "bad ACKs", v->w.tcp_bad_acks },
			{ "RSTs ignored", v->w.tcp_rst_ignored },
			{ "RSTs challenged", v->w.tcp_rst_challenged },
			{ "SYNs challenged", v->w.tcp_syn_challenged },
			{ "ICMP errors", v->w.icmp_errors },
			{ "ICMP unmatched", v->w.icmp_unmatched },
			{ "ICMP invalid", v->w.icmp_invalid },
		};
		bool any = false;

		for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
			if (odd[i].n == 0)
				continue;
			fprintf(f, "%s %" PRIu64 " %s", any ? "," : "unusual input:",
				odd[i].n, odd[i].name);
			any = true;
		}
		if (any)
			fprintf(f, "\n");
	}
	if (all->failed) {
		fprintf(f, "errors:");
		for (int e = 0; e < LM_ERR_MAX; e++)
			if (errors[e])
				fprintf(f, " %s %" PRIu64, lm_err_name(e),
					errors[e]);
		fprintf(f, "\n");
	}
	for (uint32_t i = 0; i < v->n_ports; i++) {
		const struct lm_port_counters *pc = &v->ports[i];

		if (pc->imissed || pc->ierrors || pc->oerrors || pc->rx_nombuf)
			fprintf(f, "port %u: %" PRIu64 " missed, %" PRIu64
				" rx errors, %" PRIu64 " tx errors, %" PRIu64
				" rx without mbuf\n", i, pc->imissed,
				pc->ierrors, pc->oerrors, pc->rx_nombuf);
	}
	lm_pools_text(f, &v->pools);
	fprintf(f, "duration: %.2f s\n", duration_s);
	fflush(f);
	free(all);
}

json_t *
lm_report_latency_json(const struct lm_hdr *h)
{
	/* microseconds, as the summary's keys say */
	return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f}",
		"p50", lm_hdr_percentile(h, 50) / 1e3,
		"p90", lm_hdr_percentile(h, 90) / 1e3,
		"p99", lm_hdr_percentile(h, 99) / 1e3,
		"p999", lm_hdr_percentile(h, 99.9) / 1e3,
		"max", lm_hdr_percentile(h, 100) / 1e3,
		"min", h->total ? h->min / 1e3 : 0.0,
		"mean", lm_hdr_mean(h) / 1e3);
}

static json_t *
errors_json(const uint64_t *errors)
{
	json_t *o = json_object();

	for (int e = 0; e < LM_ERR_MAX; e++)
		json_object_set_new(o, lm_err_name(e), json_integer(
			(json_int_t)errors[e]));
	return o;
}

/*
 * What the connections cost: per connection (its TCB, table share and
 * session or server connection), the pools as allocated, and their total
 * over the most connections held at once (workers' peaks, summed).
 */
static json_t *
memory_json(const struct lm_plan *plan, const struct lm_view *v)
{
	const struct lm_mem *m = &v->pools.mem;
	uint64_t conn = (uint64_t)m->tcb_size + m->table_entry;
	uint64_t total = m->tcb_bytes + m->table_bytes + m->ooo_bytes +
		m->session_bytes + m->srv_conn_bytes;
	uint64_t peak = v->w.tcbs_peak;
	json_t *per = json_object();

	if (plan->n_scenarios > 0)
		json_object_set_new(per, "client",
				    json_integer((json_int_t)(conn + m->session_size)));
	if (plan->n_servers > 0)
		json_object_set_new(per, "server",
				    json_integer((json_int_t)(conn + m->srv_conn_size)));
	return json_pack("{s:o, s:{s:I, s:I, s:I, s:I}, "
		"s:{s:{s:I, s:I}, s:{s:I}, s:{s:I}, s:{s:I, s:I}, s:{s:I, s:I}}, "
		"s:I, s:I, s:f}",
		"per_connection", per,
		"parts", "tcb", (json_int_t)m->tcb_size,
		"table_entry", (json_int_t)m->table_entry,
		"session", (json_int_t)m->session_size,
		"server_connection", (json_int_t)m->srv_conn_size,
		"pools", "tcbs", "count", (json_int_t)m->tcbs,
		"bytes", (json_int_t)m->tcb_bytes,
		"connection_table", "bytes", (json_int_t)m->table_bytes,
		"ooo_segments", "bytes", (json_int_t)m->ooo_bytes,
		"sessions", "count", (json_int_t)m->sessions,
		"bytes", (json_int_t)m->session_bytes,
		"server_connections", "count", (json_int_t)m->srv_conns,
		"bytes", (json_int_t)m->srv_conn_bytes,
		"total_bytes", (json_int_t)total,
		"peak_connections", (json_int_t)peak,
		"bytes_per_peak_connection",
		peak > 0 ? (double)total / (double)peak : 0.0);
}

static json_t *
summary_json(const struct lm_plan *plan, const struct lm_view *v,
	     double duration_s)
{
	json_t *root = json_object(), *scens = json_array(), *totals;
	uint64_t errors[LM_ERR_MAX] = {0};
	uint64_t req = 0, ok = 0, failed = 0, txb = 0, rxb = 0, runs = 0;
	uint64_t runs_ok = 0, runs_failed = 0, runs_started = 0;
	uint32_t k = 0;

	for (uint32_t i = 0; i < plan->n_scenarios; i++) {
		const struct lm_scenario *sc = &plan->scenarios[i];
		const struct lm_scenario_counters *c = &v->scen[i];
		json_t *steps = json_array();

		for (uint32_t j = 0; j < sc->n_steps; j++, k++) {
			const struct lm_step_stats *s = &v->steps[k];

			json_array_append_new(steps, json_pack(
				"{s:s, s:I, s:I, s:I, s:o, s:I, s:I, s:o, s:o, s:o, s:o}",
				"name", sc->steps[j].name,
				"requests", (json_int_t)s->requests,
				"ok", (json_int_t)s->ok,
				"failed", (json_int_t)s->failed,
				"errors", errors_json(s->errors),
				"tx_bytes", (json_int_t)s->tx_bytes,
				"rx_bytes", (json_int_t)s->rx_bytes,
				"latency_us", lm_report_latency_json(&s->latency),
				"latency_raw_us", lm_report_latency_json(s->latency_raw.total ?
					&s->latency_raw : &s->latency),
				"ttfb_us", lm_report_latency_json(&s->ttfb),
				"connect_us", lm_report_latency_json(&s->connect)));
			req += s->requests;
			ok += s->ok;
			failed += s->failed;
			txb += s->tx_bytes;
			rxb += s->rx_bytes;
			for (int e = 0; e < LM_ERR_MAX; e++)
				errors[e] += s->errors[e];
		}
		json_array_append_new(scens, json_pack(
			"{s:s, s:f, s:I, s:I, s:I, s:I, s:o}",
			"name", sc->name, "weight", sc->weight,
			"runs", (json_int_t)(c->runs_ok + c->runs_failed),
			"runs_ok", (json_int_t)c->runs_ok,
			"runs_failed", (json_int_t)c->runs_failed,
			"runs_started", (json_int_t)c->runs_started,
			"steps", steps));
		runs += c->runs_ok + c->runs_failed;
		runs_ok += c->runs_ok;
		runs_failed += c->runs_failed;
		runs_started += c->runs_started;
	}
	totals = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:I, s:I}",
		"requests", (json_int_t)req, "ok", (json_int_t)ok,
		"failed", (json_int_t)failed, "runs", (json_int_t)runs,
		"runs_ok", (json_int_t)runs_ok,
		"runs_failed", (json_int_t)runs_failed,
		"runs_started", (json_int_t)runs_started,
		"connections", (json_int_t)v->w.conn_opened,
		"errors", errors_json(errors),
		"tx_bytes", (json_int_t)txb, "rx_bytes", (json_int_t)rxb);
	json_object_set_new(root, "plan", json_string(plan->name));
	json_object_set_new(root, "duration_s", json_real(duration_s));
	json_object_set_new(root, "load", json_pack("{s:I, s:I, s:I, s:I}",
		"sessions_arrived", (json_int_t)v->w.sessions_arrived,
		"late_starts", (json_int_t)v->w.late_starts,
		"arrivals_dropped", (json_int_t)v->w.arrivals_dropped,
		"flight_waits", (json_int_t)v->w.flight_waits));
	json_object_set_new(root, "totals", totals);
	{
		/* the run second by second, as the live line showed it */
		json_t *series = json_array();

		for (uint32_t i = 0; i < v->n_series; i++) {
			const struct lm_interval *e = &v->series[i];

			json_array_append_new(series, json_pack(
				"{s:f, s:f, s:I, s:I, s:I, s:f, s:f, s:f, s:f, s:f}",
				"t_s", e->t_s, "length_s", e->length_s,
				"users", (json_int_t)e->users,
				"requests", (json_int_t)e->requests,
				"failed", (json_int_t)e->failed,
				"rps", e->length_s > 0 ?
					(double)e->requests / e->length_s : 0.0,
				"p50_us", e->p50_ns / 1e3, "p90_us", e->p90_ns / 1e3,
				"p99_us", e->p99_ns / 1e3, "max_us", e->max_ns / 1e3));
		}
		json_object_set_new(root, "intervals", series);
	}
	json_object_set_new(root, "scenarios", scens);
	json_object_set_new(root, "tcp", events_json(lm_tcp_events,
						     lm_n_tcp_events, v));
	json_object_set_new(root, "icmp", events_json(lm_icmp_events,
						      lm_n_icmp_events, v));
	json_object_set_new(root, "packets", json_pack(
		"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		"rx_not_ours", (json_int_t)v->w.rx_not_ours,
		"arp_rx", (json_int_t)v->w.arp_rx,
		"arp_tx", (json_int_t)v->w.arp_tx,
		"icmp_echo_replies", (json_int_t)v->w.icmp_echo,
		"rx", (json_int_t)v->w.rx_pkts, "tx", (json_int_t)v->w.tx_pkts,
		"rx_bytes", (json_int_t)v->w.rx_bytes,
		"tx_bytes", (json_int_t)v->w.tx_bytes,
		"tx_dropped", (json_int_t)v->w.tx_dropped,
		"rx_bad_checksum", (json_int_t)v->w.rx_bad_csum,
		"mbuf_alloc_failed", (json_int_t)v->w.mbuf_alloc_fail,
		"redirected", (json_int_t)v->w.redirected,
		"redirect_dropped", (json_int_t)v->w.redirect_dropped));
	/* the workers' CPU, summed over workers (dataplane/worker.c) */
	json_object_set_new(root, "cpu", json_pack(
		"{s:I, s:I, s:I, s:I, s:I}",
		"tsc_hz", (json_int_t)v->tsc_hz,
		"passes", (json_int_t)v->w.passes,
		"busy_passes", (json_int_t)v->w.busy_passes,
		"cycles", (json_int_t)v->w.cycles,
		"busy_cycles", (json_int_t)v->w.busy_cycles));
	json_t *ports = json_array();

	for (uint32_t i = 0; i < v->n_ports; i++) {
		const struct lm_port_counters *pc = &v->ports[i];

		json_array_append_new(ports, json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I}",
			"ipackets", (json_int_t)pc->ipackets,
			"opackets", (json_int_t)pc->opackets,
			"imissed", (json_int_t)pc->imissed,
			"ierrors", (json_int_t)pc->ierrors,
			"oerrors", (json_int_t)pc->oerrors,
			"rx_nombuf", (json_int_t)pc->rx_nombuf));
	}
	json_object_set_new(root, "ports", ports);
	if (v->workers != NULL) {
		json_t *wa = json_array();

		for (uint32_t k = 0; k < v->n_workers; k++) {
			const struct lm_worker_share *s = &v->workers[k];

			json_array_append_new(wa, json_pack(
				"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
				"rx", (json_int_t)s->rx_pkts,
				"tx", (json_int_t)s->tx_pkts,
				"redirected", (json_int_t)s->redirected,
				"segments_not_owner", (json_int_t)s->not_owner,
				"connections_opened", (json_int_t)s->conns_opened,
				"syn_received", (json_int_t)s->syn_received,
				"runs", (json_int_t)s->runs,
				"requests", (json_int_t)s->requests));
		}
		json_object_set_new(root, "workers", wa);
	}
	if (plan->n_servers > 0)
		json_object_set_new(root, "server", json_pack(
			"{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
			"connections", (json_int_t)v->w.srv_conns,
			"requests", (json_int_t)v->w.srv_requests,
			"bad_requests", (json_int_t)v->w.srv_bad_requests,
			"overflows", (json_int_t)v->w.srv_overflows,
			"resets", (json_int_t)v->w.srv_conn_resets,
			"timeouts", (json_int_t)v->w.srv_conn_timeouts,
			"tx_bytes", (json_int_t)v->w.srv_tx_bytes,
			"syn_received", (json_int_t)v->w.tcp_syn_received,
			"syn_dropped", (json_int_t)v->w.tcp_syn_dropped,
			"servers", lm_report_servers_json(plan, v),
			"routes", lm_report_routes_json(plan, v)));
	if (v->impair_on)
		json_object_set_new(root, "impair", json_pack(
			"{s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I}}",
			"rx", "dropped", (json_int_t)v->impair_rx.dropped,
			"duplicated", (json_int_t)v->impair_rx.duplicated,
			"reordered", (json_int_t)v->impair_rx.reordered,
			"corrupted", (json_int_t)v->impair_rx.corrupted,
			"tx", "dropped", (json_int_t)v->impair_tx.dropped,
			"duplicated", (json_int_t)v->impair_tx.duplicated,
			"reordered", (json_int_t)v->impair_tx.reordered,
			"corrupted", (json_int_t)v->impair_tx.corrupted));
	if (plan->shard.count > 1)
		json_object_set_new(root, "shard", json_pack("{s:i, s:i}",
			"index", (int)plan->shard.index,
			"count", (int)plan->shard.count));
	if (v->start_epoch_s > 0) {
		json_t *st = json_pack("{s:f}", "at", v->start_epoch_s);

		/* --start-at: how far from the time asked the load began */
		if (v->start_requested_s >= 0) {
			json_object_set_new(st, "requested",
					    json_real(v->start_requested_s));
			json_object_set_new(st, "skew_ms", json_real(
				(v->start_epoch_s - v->start_requested_s) * 1e3));
		}
		json_object_set_new(root, "start", st);
	}
	json_object_set_new(root, "memory", memory_json(plan, v));
	/* leak accounting: every pool back at its starting level */
	json_object_set_new(root, "pools", lm_pools_json(&v->pools));
	return root;
}

char *
lm_report_summary_text(const struct lm_plan *plan, const struct lm_view *v,
		       double duration_s)
{
	json_t *root = summary_json(plan, v, duration_s);
	char *text = json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII);

	json_decref(root);
	return text;
}

int
lm_report_summary(const char *path, const struct lm_plan *plan,
		  const struct lm_view *v, double duration_s, char *err,
		  size_t errlen)
{
	json_t *root = summary_json(plan, v, duration_s);
	int rc = 0;

	if (json_dump_file(root, path, JSON_INDENT(2) | JSON_ENSURE_ASCII) != 0) {
		snprintf(err, errlen, "%s: cannot write the summary: %s", path,
			 strerror(errno ? errno : EIO));
		rc = -EIO;
	}
	json_decref(root);
	return rc;
}
