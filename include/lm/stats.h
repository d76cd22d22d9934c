/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Statistics area: one slot per worker, each written by exactly that worker
 * and read by the control plane (and, later, by other processes attaching
 * to the area). Everything is cumulative: a reader computes an interval as
 * the difference of two copies, so nothing is ever reset or swapped and no
 * lock is taken. Counters are written with relaxed atomic stores (LM_STAT_*)
 * and read with relaxed atomic loads.
 *
 * A slot is laid out as:
 *   struct lm_worker_counters
 *   struct lm_scenario_counters [n_scenarios]
 *   struct lm_step_stats        [n_steps]     (all scenarios' steps in order)
 *   struct lm_route_stats       [n_routes]    (servers' routes, see plan.h
 *                                              lm_plan_server_rows)
 *   struct lm_server_stats      [n_servers]
 */
#ifndef LM_STATS_H
#define LM_STATS_H

#include <stdint.h>
#include <stddef.h>

#include <lm/hdr.h>

#define LM_STATS_MAGIC 0x4c4d5354u /* "LMST" */
#define LM_STATS_VERSION 2

/* Why a request (or a run) failed. Names are part of the output format. */
enum lm_err {
	LM_ERR_CONNECT_TIMEOUT,  /* SYN never answered */
	LM_ERR_REFUSED,          /* SYN answered with RST */
	LM_ERR_RESET,            /* RST on an established connection */
	LM_ERR_TIMEOUT,          /* the step's timeout_ms passed */
	LM_ERR_RETRANSMIT_LIMIT, /* data never acknowledged */
	LM_ERR_CLOSED,           /* peer closed before the response was complete */
	LM_ERR_STATUS,           /* response complete, status not as expected */
	LM_ERR_PROTOCOL,         /* response not valid HTTP/1.1 */
	LM_ERR_HEAD_TOO_LARGE,   /* response head (or a line of it) past the
				  * parser's limits, app/http_parse.h */
	LM_ERR_BODY_MISMATCH,    /* body length or CRC-32C not as expected */
	LM_ERR_CAPTURE,          /* a capture found no value in the response, or
				  * a captured value a request head cannot carry */
	LM_ERR_NO_RESOURCES,     /* no TCB or source port free */
	LM_ERR_ABORTED,          /* still in flight when the run stopped */
	LM_ERR_UNREACHABLE,      /* ICMP destination unreachable for our SYN */
	LM_ERR_MAX
};

const char *lm_err_name(enum lm_err e);

/* Dataplane-wide counters of one worker. */
struct lm_worker_counters {
	uint64_t rx_pkts;
	uint64_t tx_pkts;
	uint64_t rx_bytes;        /* L2 bytes received */
	uint64_t tx_bytes;        /* L2 bytes sent */
	uint64_t tx_dropped;      /* tx burst could not place the packet */
	uint64_t mbuf_alloc_fail;
	uint64_t rx_bad_csum;     /* IPv4 or TCP checksum wrong */
	uint64_t rx_not_ours;     /* not for our addresses, or unknown protocols */
	uint64_t arp_rx;
	uint64_t arp_tx;
	uint64_t icmp_echo;       /* echo requests answered */
	uint64_t tcp_rst_tx;      /* RSTs we sent */
	uint64_t tcp_no_conn;     /* segments for no connection */
	uint64_t tcp_retransmits; /* segments sent again (RTO or fast retransmit) */
	uint64_t tcp_fast_retransmits; /* fast retransmits (RFC 5681 3.2) */
	uint64_t tcp_rto_expiries; /* retransmission timeouts */
	uint64_t tcp_persist_probes; /* zero-window probes sent */
	uint64_t tcp_dup_acks;    /* duplicate ACKs received */
	uint64_t tcp_paws_dropped; /* segments dropped by PAWS (RFC 7323) */
	/* what a peer sent that TCP input turned away or answered specially */
	uint64_t tcp_bad_options; /* option lists with a malformed option */
	uint64_t tcp_dup_segments; /* nothing new: wholly before RCV.NXT */
	uint64_t tcp_beyond_window; /* past RCV.NXT + RCV.WND: dropped */
	uint64_t tcp_bad_acks;    /* ACK of unsent data or too old: dropped */
	uint64_t tcp_rst_ignored; /* RSTs outside the window */
	uint64_t tcp_rst_challenged; /* RSTs in the window, not at RCV.NXT */
	uint64_t tcp_syn_challenged; /* SYNs on a synchronized connection */
	/* ICMP errors quoting our TCP segments (tcp/tcp_icmp.c) */
	uint64_t icmp_errors;     /* matched a connection of ours */
	uint64_t icmp_frag_needed; /* ... of them "fragmentation needed" */
	uint64_t icmp_aborts;     /* ... of them that ended a connection */
	uint64_t icmp_unmatched;  /* no connection, or sequence out of range */
	uint64_t icmp_invalid;    /* bad checksum, truncated or malformed */
	uint64_t tcp_ooo_held;    /* out-of-order segments held for reassembly */
	uint64_t tcp_ooo_dropped; /* out-of-order segments dropped (no room) */
	uint64_t conn_opened;     /* connections established */
	uint64_t conn_attempts;   /* SYNs first sent */
	uint64_t conn_closed;     /* connections ended (any way) */
	uint64_t app_tx_bytes;    /* TCP payload bytes sent (first transmissions) */
	uint64_t app_rx_bytes;    /* TCP payload bytes received in order */
	uint64_t users_active;    /* gauge: users started and not stopped */
	uint64_t conns_active;    /* gauge: TCBs in use */
	uint64_t requests_inflight; /* gauge */
	uint64_t tcbs_in_use;     /* at the end: TCBs not back in the pool */
	uint64_t sessions_arrived; /* open model: sessions that came due */
	uint64_t late_starts;     /* open model: started 1 ms or more after due */
	uint64_t arrivals_dropped; /* open model: due while the backlog was full */
	uint64_t redirected;      /* packets handed to the worker owning them */
	uint64_t redirect_dropped; /* ... dropped: that worker's ring was full */
	uint64_t tcp_syn_received; /* SYNs to our listeners (passive opens) */
	uint64_t tcp_syn_dropped;  /* ... dropped: no TCB free */
	uint64_t tcp_time_wait_skipped; /* closed at once: the TCB pool ran low */
	/* emulated servers (gen/server.c) */
	uint64_t srv_conns;       /* connections accepted */
	uint64_t srv_requests;    /* requests answered */
	uint64_t srv_bad_requests; /* requests that did not parse: 400, closed */
	uint64_t srv_overflows;   /* pipelined deeper than answered: no more read */
	uint64_t srv_conn_resets; /* connections the client reset */
	uint64_t srv_conn_timeouts; /* ... given up: data never acknowledged */
	uint64_t srv_tx_bytes;    /* response bytes (heads and bodies) */
	uint64_t tcbs_peak;       /* gauge: most TCBs in use at once */
	/*
	 * TCP segments processed against a connection (or opening one on a
	 * listener) by a worker that does not own that flow (see the flow
	 * ownership rule, dataplane/net/owner.h): 0 unless steering failed.
	 */
	uint64_t tcp_not_owner;
	uint64_t flight_waits;    /* steps that waited for a flight (gen/session.h) */
	/*
	 * Where the worker's CPU went, in TSC cycles (dataplane/worker.c): a
	 * pass lasts from its TSC read to the next pass's, so no extra read is
	 * needed. A busy pass received or sent a packet or fired a timer; the
	 * rest polled empty queues.
	 */
	uint64_t passes;          /* passes of the worker loop */
	uint64_t busy_passes;     /* ... that did work */
	uint64_t cycles;          /* TSC cycles of all passes */
	uint64_t busy_cycles;     /* ... of the busy passes */
};

struct lm_scenario_counters {
	uint64_t runs_started;
	uint64_t runs_ok;
	uint64_t runs_failed;
};

struct lm_step_stats {
	uint64_t requests;   /* requests started */
	uint64_t ok;
	uint64_t failed;     /* == sum of errors[] */
	uint64_t errors[LM_ERR_MAX];
	uint64_t tx_bytes;   /* request bytes */
	uint64_t rx_bytes;   /* response bytes (head + body) */
	struct lm_hdr connect;  /* SYN sent to established, when this step connected */
	struct lm_hdr ttfb;     /* first request byte sent to first response byte */
	struct lm_hdr latency;  /* first request byte sent to last response byte
				 * (open model: from when the session was due) */
	struct lm_hdr latency_raw; /* open model: from the first byte sent */
};

/* What an emulated server answered with one route (or its default). */
struct lm_route_stats {
	uint64_t requests;   /* responses given to TCP */
	uint64_t tx_bytes;   /* their heads and bodies (echo: the bytes echoed) */
};

/* What happened to an emulated server's connections. */
struct lm_server_stats {
	uint64_t connections;  /* accepted */
	uint64_t bad_requests; /* did not parse: 400, closed */
	uint64_t overflows;    /* pipelined or echoed too far ahead; no buffer */
	uint64_t resets;       /* reset by the client */
	uint64_t timeouts;     /* given up: data never acknowledged */
};

#define LM_STAT_ADD(field, n) \
	__atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define LM_STAT_INC(field) LM_STAT_ADD(field, 1)
#define LM_STAT_SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define LM_STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

struct lm_stats_layout {
	uint32_t n_workers;
	uint32_t n_scenarios;
	uint32_t n_steps;
	uint32_t n_routes;
	uint32_t n_servers;
	size_t slot_size;    /* bytes per worker slot, cache-line aligned */
};

struct lm_stats_slot_view {
	struct lm_worker_counters *w;
	struct lm_scenario_counters *scen;   /* [n_scenarios] */
	struct lm_step_stats *steps;         /* [n_steps] */
	struct lm_route_stats *routes;       /* [n_routes] */
	struct lm_server_stats *servers;     /* [n_servers] */
};

void lm_stats_layout_init(struct lm_stats_layout *l, uint32_t n_workers,
			  uint32_t n_scenarios, uint32_t n_steps);
/* Room for n_servers servers and their n_routes routes (none after init). */
void lm_stats_layout_servers(struct lm_stats_layout *l, uint32_t n_servers,
			     uint32_t n_routes);

/* Views into slot i of an area laid out as l (area = base of all slots). */
void lm_stats_slot(const struct lm_stats_layout *l, void *area, uint32_t i,
		   struct lm_stats_slot_view *v);

/* Empty a slot (histograms need min = UINT64_MAX). */
void lm_stats_slot_init(const struct lm_stats_layout *l,
			struct lm_stats_slot_view *v);

#endif /* LM_STATS_H */
