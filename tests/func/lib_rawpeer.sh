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
