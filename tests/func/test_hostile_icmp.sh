#!/usr/bin/env bash
# Hostile peers, ICMP: lm-rawpeer (tests/tools/rawpeer.c) answers our SYNs with
# ICMP destination unreachable quoting them. A hard code (protocol, port,
# prohibited) ends the connect at once with the error "unreachable"; a soft
# one (net, host) makes the SYN's timeout end as "unreachable" instead of
# connect_timeout (and without ICMP it is connect_timeout); fragmentation
# needed is counted and changes nothing; ICMP errors with a bad checksum, a
# truncated quote or a sequence number we never sent are counted and ignored.
# Each run: exit 0, requests == ok + failed, the counts match the peer's log,
# pools back. docs/reliability.md, "Hostile peers: packets"; docs/tcp.md.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rawpeer.sh"

BODY=$LM_HOSTILE_BODY
CRC=$LM_HOSTILE_CRC

# go MODE RUNS [PLAN_EXTRA]: run RUNS requests against the peer in MODE;
# sets S (the summary)
go() {
	local mode=$1 runs=$2
	S=$LM_TEST_DIR/s-${mode//[=\/]/_}.json
	lm_rawpeer_start "$mode" --body "$BODY"
	LM_PLAN_EXTRA=${3:-'{}'} lm_rawpeer_plan "$LM_TEST_DIR/plan.json" \
		"{\"users\": 2, \"duration_s\": 20, \"max_runs\": $runs}" \
		"{\"name\": \"g\", \"timeout_ms\": 10000, \"http\": {\"path\": \"/x\",
		  \"expect\": {\"status\": 200, \"body_bytes\": $BODY, \"body_crc32c\": \"$CRC\"}}}"
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$S" || rc=$?
	lm_rawpeer_stop
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$mode: exit status $rc"; }
	assert_eq "$(jq '.totals.requests' "$S")" "$runs" "$mode: requests"
	assert_eq "$(jq '.totals.requests == .totals.ok + .totals.failed' "$S")" true "$mode: requests == ok + failed"
	lm_pools_back "$S" "$mode"
}

errs() {
	jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"
}

# Hard codes: 2 protocol, 3 port, 9/10 network/host prohibited, 13
# communication prohibited. Every connect fails at once (not after 15 s of
# SYN retransmissions): the run is over in well under a second.
for code in 2 3 9 10 13; do
	go "icmp-unreach=$code" 4
	assert_eq "$(errs)" '{"unreachable":4}' "code $code: errors"
	assert_eq "$(lm_rawpeer_count icmp)" 4 "code $code: ICMP sent by the peer"
	assert_eq "$(jq -c '[.icmp.errors, .icmp.aborts, .tcp.connections_opened]' "$S")" '[4,4,0]' "code $code: icmp errors, aborts, connections"
	assert_eq "$(jq '.duration_s < 1' "$S")" true "code $code: ended at once ($(jq .duration_s "$S") s)"
	echo "ok: code $code: 4 connects failed at once as unreachable"
done

# Two workers, whose queues the kernel fills by its own hash: the ICMP
# errors reach one of them, and are handed to the owner of the connection
# they quote (net/handoff.c) like its TCP segments.
LM_WORKERS=2 go icmp-unreach=3 8
assert_eq "$(errs)" '{"unreachable":8}' "2 workers: errors"
assert_eq "$(jq -c '[.icmp.errors, .icmp.aborts, .icmp.unmatched]' "$S")" '[8,8,0]' "2 workers: icmp errors, aborts, unmatched"
assert_eq "$(jq '.duration_s < 1' "$S")" true "2 workers: ended at once ($(jq .duration_s "$S") s)"
echo "ok: 2 workers: 8 connects failed at once as unreachable ($(jq '.packets.redirected' "$S") packets handed over)"

# Soft codes: 0 net, 1 host. The SYN is not given up for them; when it times
# out (one SYN: syn_retries 0, 1 s), the error says why: unreachable.
for code in 0 1; do
	go "icmp-unreach=$code" 2 '{"tcp": {"syn_retries": 0}}'
	assert_eq "$(errs)" '{"unreachable":2}' "code $code: errors"
	assert_eq "$(jq -c '[.icmp.errors, .icmp.aborts]' "$S")" '[2,0]' "code $code: icmp errors, aborts"
	assert_eq "$(lm_rawpeer_count icmp)" 2 "code $code: ICMP sent by the peer"
	echo "ok: code $code: 2 connects timed out as unreachable"
done

# The control: no ICMP, the same timeout is connect_timeout.
go silent 2 '{"tcp": {"syn_retries": 0}}'
assert_eq "$(errs)" '{"connect_timeout":2}' "silent: errors"
assert_eq "$(jq '.icmp.errors' "$S")" 0 "silent: icmp errors"
echo "ok: silent peer: connect_timeout"

# Fragmentation needed (code 4, next-hop MTU 576) for the request: counted,
# nothing else (no PMTU discovery); every response arrives whole.
go icmp-frag 6
assert_eq "$(jq '.totals.ok' "$S")" 6 "frag: ok ($(errs))"
assert_eq "$(lm_rawpeer_count response)" 6 "frag: responses in the peer's log"
assert_eq "$(jq -c '[.icmp.errors, .icmp.frag_needed, .icmp.aborts]' "$S")" '[6,6,0]' "frag: icmp errors, frag_needed, aborts"
assert_eq "$(lm_rawpeer_count icmp)" 6 "frag: ICMP sent by the peer"
echo "ok: fragmentation needed counted, 6 responses ok"

# Port unreachable three times before each SYN-ACK, each one not to be
# believed: a bad checksum, a quote cut after 4 bytes of TCP header, a
# sequence number we did not send (RFC 5927 4.1). Counted, ignored.
go icmp-bad 6
assert_eq "$(jq '.totals.ok' "$S")" 6 "bad: ok ($(errs))"
assert_eq "$(lm_rawpeer_count response)" 6 "bad: responses in the peer's log"
assert_eq "$(lm_rawpeer_count icmp)" 18 "bad: ICMP sent by the peer"
assert_eq "$(jq -c '[.icmp.invalid, .icmp.unmatched, .icmp.errors, .icmp.aborts]' "$S")" '[12,6,0,0]' \
	"bad: icmp invalid, unmatched, errors, aborts"
echo "ok: bad ICMP errors counted and ignored, 6 responses ok"
echo "PASS"
