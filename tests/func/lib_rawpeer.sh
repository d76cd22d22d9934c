# tests/func/lib_rawpeer.sh — lm-rawpeer (tests/tools/rawpeer.c) for the functional
# tests of hostile peers. Source it after lib.sh.
# shellcheck shell=bash
#
# lm-rawpeer answers ARP and TCP for LM_RAWPEER_IP, an address the kernel of the
# server namespace does not own, from a MAC of its own on the lab's server veth:
# the kernel drops those frames (another host's), so its TCP never answers.
#
#   lm_rawpeer_start MODE [ARGS...]   start it (log: $LM_RAWPEER_LOG), stopped at exit
#   lm_rawpeer_stop
#   lm_rawpeer_plan FILE LOAD STEP    a plan of one scenario of one HTTP step to it
#   lm_rawpeer_count WORD             lines of its log that are events WORD

LM_RAWPEER_BIN=${LM_RAWPEER_BIN:-$LM_ROOT/build/tests/tools/lm-rawpeer}
LM_RAWPEER_IP=198.18.0.3
LM_RAWPEER_PID=""
LM_RAWPEER_N=0

lm_rawpeer_stop() {
	if [ -n "$LM_RAWPEER_PID" ]; then
		kill "$LM_RAWPEER_PID" 2>/dev/null || true
		wait "$LM_RAWPEER_PID" 2>/dev/null || true
		LM_RAWPEER_PID=""
	fi
}

_lm_rawpeer_cleanup() {
	lm_rawpeer_stop
	lm_cleanup_all
}

lm_rawpeer_start() {
	local pidfile
	[ -x "$LM_RAWPEER_BIN" ] || fail "no $LM_RAWPEER_BIN: build first"
	LM_RAWPEER_N=$((LM_RAWPEER_N + 1))
	pidfile=$LM_TEST_DIR/rawpeer$LM_RAWPEER_N.pid
	LM_RAWPEER_LOG=$LM_TEST_DIR/rawpeer$LM_RAWPEER_N.log
	rm -f "$pidfile" "$LM_RAWPEER_LOG"
	ip netns exec "$LM_NS_SRV" "$LM_RAWPEER_BIN" --iface "$LM_IF_SRV" \
		--ip "$LM_RAWPEER_IP" --mode "$1" --log "$LM_RAWPEER_LOG" \
		--pidfile "$pidfile" --max-seconds 120 "${@:2}" \
		>"$LM_TEST_DIR/rawpeer$LM_RAWPEER_N.out" 2>&1 </dev/null &
	LM_RAWPEER_PID=$!
	trap _lm_rawpeer_cleanup EXIT
	for _ in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		kill -0 "$LM_RAWPEER_PID" 2>/dev/null ||
			fail "lm-rawpeer did not start: $(cat "$LM_TEST_DIR/rawpeer$LM_RAWPEER_N.out")"
		sleep 0.1
	done
	fail "lm-rawpeer did not write its pid file"
}

lm_rawpeer_plan() {
	LM_SRV_IP=$LM_RAWPEER_IP lm_plan_lab "$1" "$2" "[{\"name\": \"get\", \"steps\": [$3]}]"
}

lm_rawpeer_count() {
	awk -v w="$1" '$2 == w { n++ } END { print n + 0 }' "$LM_RAWPEER_LOG"
}

# lm_pools_back SUMMARY WHAT: every mbuf, TCB and user back at the end.
lm_pools_back() {
	assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$1")" true "$2: mbufs back"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$1")" 0 "$2: TCBs back"
	assert_eq "$(jq '.pools.users.active_end' "$1")" 0 "$2: users stopped"
}

# --- one run against the peer, for the tests of hostile segments ---

LM_HOSTILE_RUNS=6
LM_HOSTILE_BODY=5000
LM_HOSTILE_CRC=$("$LM_TESTSRV_BIN" --crc-of-gen "$LM_HOSTILE_BODY" 0) ||
	fail "no $LM_TESTSRV_BIN: build first"
# a request head larger than one segment: the segment sizes show the MSS used
LM_HOSTILE_PAD=$(printf 'a%.0s' $(seq 1500))
# every counter of what a peer sent that the stack turned away
LM_HOSTILE_ODD='{bad_options: .tcp.bad_options, duplicate_segments: .tcp.duplicate_segments,
	beyond_window: .tcp.beyond_window, bad_acks: .tcp.bad_acks,
	rst_ignored: .tcp.rst_ignored, rst_challenged: .tcp.rst_challenged,
	syn_challenged: .tcp.syn_challenged, icmp_errors: .icmp.errors,
	icmp_unmatched: .icmp.unmatched, icmp_invalid: .icmp.invalid}'

# lm_hostile_run MODE COUNTER WANT: $LM_HOSTILE_RUNS GETs (2 users) against
# the peer in MODE. Exit 0; requests == ok + failed; every request ok with the
# body's length and CRC-32C; ok == the responses in the peer's log; COUNTER of
# $LM_HOSTILE_ODD == WANT and every other one 0 (COUNTER "-": all 0; WANT
# "log:EVENT": as many as the peer logged EVENT lines); pools back.
lm_hostile_run() {
	local mode=$1 counter=$2 want=$3 S req ok got exp rc=0
	S=$LM_TEST_DIR/s-${mode//[=\/]/_}.json
	lm_rawpeer_start "$mode" --body "$LM_HOSTILE_BODY"
	lm_rawpeer_plan "$LM_TEST_DIR/plan.json" \
		"{\"users\": 2, \"duration_s\": 20, \"max_runs\": $LM_HOSTILE_RUNS}" \
		"{\"name\": \"g\", \"timeout_ms\": 5000, \"http\": {\"path\": \"/x\",
		  \"headers\": {\"X-Pad\": \"$LM_HOSTILE_PAD\"},
		  \"expect\": {\"status\": 200, \"body_bytes\": $LM_HOSTILE_BODY,
			     \"body_crc32c\": \"$LM_HOSTILE_CRC\"}}}"
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$S" || rc=$?
	lm_rawpeer_stop
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$mode: exit status $rc"; }
	req=$(jq '.totals.requests' "$S")
	ok=$(jq '.totals.ok' "$S")
	assert_eq "$req" "$((ok + $(jq '.totals.failed' "$S")))" "$mode: requests == ok + failed"
	assert_eq "$ok" "$LM_HOSTILE_RUNS" "$mode: ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
	assert_eq "$(lm_rawpeer_count response)" "$ok" "$mode: ok == responses in the peer's log"
	[ "${want#log:}" = "$want" ] || want=$(lm_rawpeer_count "${want#log:}")
	got=$(jq -c "$LM_HOSTILE_ODD" "$S")
	exp=$(jq -c --arg c "$counter" --argjson n "$want" \
		'map_values(0) | if $c == "-" then . else .[$c] = $n end' <<<"$got")
	assert_eq "$got" "$exp" "$mode: counters"
	lm_pools_back "$S" "$mode"
	echo "ok: $mode: $ok requests ok, $counter $want"
}

# The largest segment the client sent (the peer's log: rx lines).
lm_rawpeer_max_seg() {
	awk '$2 == "rx" { sub("len=", "", $7); if ($7 + 0 > m) m = $7 + 0 } END { print m + 0 }' "$LM_RAWPEER_LOG"
}

# Pure ACKs of nothing but the SYN-ACK (ack=1). The handshake's ACK rides on
# the request, so in --mode out-of-window these are the answers to the
# hostile segment: the peer holds the response back until one comes.
lm_rawpeer_acks_of_syn() {
	awk '$2 == "rx" && $4 == "flags=0x10" && $6 == "ack=1" && $7 == "len=0"' "$LM_RAWPEER_LOG" | wc -l
}
