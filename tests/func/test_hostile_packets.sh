#!/usr/bin/env bash
# Hostile peers, packet level: lm-rawpeer (tests/tools/rawpeer.c) answers each
# GET after one misbehaviour per connection: a SYN-ACK with malformed options,
# every segment sent twice, or a segment outside the window (data past it or
# before it, an ACK of data never sent or far too old, an RST outside or
# inside the window, a SYN on the connection). Each run: exit 0, every request
# ok with the body's length and CRC-32C as sent (what the stack dropped never
# reached the response), ok == the responses in the peer's log, the
# misbehaviour counted under its own name in the summary and nothing else
# counted there, pools back. docs/reliability.md, "Hostile peers: packets".
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rawpeer.sh"

RUNS=6
BODY=5000
CRC=$("$LM_TESTSRV_BIN" --crc-of-gen "$BODY" 0)
# a request head larger than one segment: the segment sizes show the MSS used
PAD=$(printf 'a%.0s' $(seq 1500))
# every counter of what a peer sent that the stack turned away
ODD='{bad_options: .tcp.bad_options, duplicate_segments: .tcp.duplicate_segments,
      beyond_window: .tcp.beyond_window, bad_acks: .tcp.bad_acks,
      rst_ignored: .tcp.rst_ignored, rst_challenged: .tcp.rst_challenged,
      syn_challenged: .tcp.syn_challenged, icmp_errors: .icmp.errors,
      icmp_unmatched: .icmp.unmatched, icmp_invalid: .icmp.invalid}'

# run MODE COUNTER N: all $RUNS requests ok, COUNTER == N and every other
# counter of $ODD 0 (COUNTER "-": all 0)
run() {
	local mode=$1 counter=$2 want=$3 S req ok got exp
	S=$LM_TEST_DIR/s-${mode//[=\/]/_}.json
	lm_rawpeer_start "$mode" --body "$BODY"
	lm_rawpeer_plan "$LM_TEST_DIR/plan.json" "{\"users\": 2, \"duration_s\": 20, \"max_runs\": $RUNS}" \
		"{\"name\": \"g\", \"timeout_ms\": 5000, \"http\": {\"path\": \"/x\",
		  \"headers\": {\"X-Pad\": \"$PAD\"},
		  \"expect\": {\"status\": 200, \"body_bytes\": $BODY, \"body_crc32c\": \"$CRC\"}}}"
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$S" || rc=$?
	lm_rawpeer_stop
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$mode: exit status $rc"; }
	req=$(jq '.totals.requests' "$S")
	ok=$(jq '.totals.ok' "$S")
	assert_eq "$req" "$((ok + $(jq '.totals.failed' "$S")))" "$mode: requests == ok + failed"
	assert_eq "$ok" "$RUNS" "$mode: ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
	assert_eq "$(lm_rawpeer_count response)" "$ok" "$mode: ok == responses in the peer's log"
	# WANT "log:EVENT": as many as the peer logged EVENT lines
	[ "${want#log:}" = "$want" ] || want=$(lm_rawpeer_count "${want#log:}")
	got=$(jq -c "$ODD" "$S")
	exp=$(jq -c --arg c "$counter" --argjson n "$want" \
		'map_values(0) | if $c == "-" then . else .[$c] = $n end' <<<"$got")
	assert_eq "$got" "$exp" "$mode: counters"
	lm_pools_back "$S" "$mode"
	echo "ok: $mode: $ok requests ok, $counter $want"
}

# The largest segment the client sent (the peer's log: rx lines).
max_seg() {
	awk '$2 == "rx" { sub("len=", "", $7); if ($7 + 0 > m) m = $7 + 0 } END { print m + 0 }' "$LM_RAWPEER_LOG"
}

# Pure ACKs of nothing but the SYN-ACK (ack=1): the handshake's ACK rides
# on the request, so these are the answers to a segment sent before the
# response (the peer waits 20 ms after it).
acks_of_syn() {
	awk '$2 == "rx" && $4 == "flags=0x10" && $6 == "ack=1" && $7 == "len=0"' "$LM_RAWPEER_LOG" | wc -l
}

# 1. malformed SYN-ACK options: the connection works, the option list is
# counted as bad once per connection; unknown options and junk after End of
# Option List are legal (RFC 9293 3.1) and count nothing. The options read
# before the bad one stand: the MSS of 1460 in front of it is used (the
# request goes in segments of 1460 bytes); an MSS option of length 3 is
# skipped, leaving the default of 536 (RFC 9293 3.7.1); a window shift of 15
# is used as 14 (a window of 4 << 14: full segments, not 4-byte ones).
for v in len0 len1 overrun mss3 wscale15 sackperm3 ts6; do
	run "malformed-opts=$v" bad_options "$RUNS"
	want=1460
	[ "$v" != mss3 ] || want=536
	assert_eq "$(max_seg)" "$want" "$v: largest segment of the request"
done
for v in unknown eol-junk; do
	run "malformed-opts=$v" - 0
	assert_eq "$(max_seg)" 1460 "$v: largest segment of the request"
done

# 2. every segment of the peer twice: SYN-ACK, each data segment, FIN. Each
# copy is a duplicate segment, as many as the peer logged sending.
run dup duplicate_segments log:dup
segs=$(awk '$2 == "response" { sub("segments=", "", $5); print $5; exit }' "$LM_RAWPEER_LOG")
assert_eq "$(lm_rawpeer_count dup)" "$((RUNS * (1 + segs + 1)))" "dup: SYN-ACK, $segs data segments and FIN twice, per connection"

# 3. one segment outside the window per connection, before the response:
# answered with an ACK and dropped (RFC 9293 3.10.7.4; RFC 5961 3 and 4:
# the challenge ACK of an RST in the window and of a SYN; RFC 5961 5.2: an
# ACK older than the window), but an RST outside the window, ignored.
oow() { # VARIANT COUNTER ACKED
	run "out-of-window=$1" "$2" "$RUNS"
	assert_eq "$(acks_of_syn)" "$((RUNS * $3))" "$1: ACKs in answer"
}
oow far beyond_window 1
oow old duplicate_segments 1
oow ack-unsent bad_acks 1
oow ack-old bad_acks 1
oow rst-out rst_ignored 0
oow rst-in rst_challenged 1
oow syn syn_challenged 1
echo "PASS"
