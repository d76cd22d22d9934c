/* SPDX-License-Identifier: BSD-3-Clause */
/* The TCP and ICMP event counters by name (see events.h). */
#include "events.h"

#define EV(name, field) { name, offsetof(struct lm_worker_counters, field) }

const struct lm_event_counter lm_tcp_events[] = {
	EV("fast_retransmits", tcp_fast_retransmits),
	EV("rto_expiries", tcp_rto_expiries),
	EV("dup_acks", tcp_dup_acks),
	EV("persist_probes", tcp_persist_probes),
	EV("paws_dropped", tcp_paws_dropped),
	EV("connections_attempted", conn_attempts),
	EV("connections_opened", conn_opened),
	EV("connections_closed", conn_closed),
	EV("retransmits", tcp_retransmits),
	EV("rst_sent", tcp_rst_tx),
	EV("ooo_held", tcp_ooo_held),
	EV("ooo_dropped", tcp_ooo_dropped),
	EV("segments_no_connection", tcp_no_conn),
	EV("segments_not_owner", tcp_not_owner),
	EV("time_wait_skipped", tcp_time_wait_skipped),
	EV("bad_options", tcp_bad_options),
	EV("duplicate_segments", tcp_dup_segments),
	EV("beyond_window", tcp_beyond_window),
	EV("bad_acks", tcp_bad_acks),
	EV("rst_ignored", tcp_rst_ignored),
	EV("rst_challenged", tcp_rst_challenged),
	EV("syn_challenged", tcp_syn_challenged),
};
const unsigned int lm_n_tcp_events =
	sizeof(lm_tcp_events) / sizeof(lm_tcp_events[0]);

const struct lm_event_counter lm_icmp_events[] = {
	EV("echo_replies", icmp_echo),
	EV("errors", icmp_errors),
	EV("frag_needed", icmp_frag_needed),
	EV("aborts", icmp_aborts),
	EV("unmatched", icmp_unmatched),
	EV("invalid", icmp_invalid),
};
const unsigned int lm_n_icmp_events =
	sizeof(lm_icmp_events) / sizeof(lm_icmp_events[0]);
