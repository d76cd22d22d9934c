#!/usr/bin/env bash
# The end of a run answers the peers' FINs. A server that closes 300 ms
# after our FIN (tests/tools/late_close.py) still finds us there: the run
# waits for its closing connections (within --grace) instead of giving their
# TCBs back at once, so no socket of the server is left in LAST-ACK
# retransmitting its FIN at whoever uses our address next.
#  - max_runs reached: the users leave, their keep-alive connections close;
#  - duration reached: the same, through the drain;
#  - open model, a connection per session, closed as each session ends.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PORT=8081
DELAY_MS=300
SRV_PID=""
stop_srv() {
	[ -z "$SRV_PID" ] || { kill "$SRV_PID" 2>/dev/null || true; wait "$SRV_PID" 2>/dev/null || true; }
	SRV_PID=""
}
trap stop_srv EXIT
start_srv() { # NAME
	LOG=$LM_TEST_DIR/srv-$1.log
	rm -f "$LM_TEST_DIR/srv.pid" "$LOG"
	ip netns exec "$LM_NS_SRV" python3 "$LM_ROOT/tests/tools/late_close.py" --listen "$LM_SRV_IP:$PORT" \
		--delay-ms "$DELAY_MS" --log "$LOG" --pidfile "$LM_TEST_DIR/srv.pid" \
		--max-seconds 120 >"$LM_TEST_DIR/srv-$1.out" 2>&1 </dev/null &
	SRV_PID=$!
	for _ in $(seq 50); do
		[ -s "$LM_TEST_DIR/srv.pid" ] && return 0
		kill -0 "$SRV_PID" 2>/dev/null || fail "late_close.py did not start: $(cat "$LM_TEST_DIR/srv-$1.out")"
		sleep 0.1
	done
	fail "late_close.py did not write its pid file"
}
# the server's TCP sockets on PORT that are not done closing
srv_closing() {
	local out
	out=$(lm_srv ss -Htan state last-ack state closing state fin-wait-1 \
		state fin-wait-2 "( sport = :$PORT )") || fail "ss failed"
	[ -z "$out" ] && echo 0 || echo "$out" | wc -l
}

# a failed earlier run of this test may have left some (only it uses PORT)
lm_srv ss -K -Htan state last-ack state closing "( sport = :$PORT )" >/dev/null || true

check() { # NAME LOAD SCENARIO-EXTRA CONNS-MIN
	start_srv "$1"
	LM_PLAN_PORT=$PORT lm_plan_lab "$LM_TEST_DIR/$1.json" "$2" "[
	  {\"name\": \"s\" $3, \"steps\": [{\"http\": {\"path\": \"/x\", \"expect\": {\"status\": 200}}}]}]"
	rc=0
	lm_run --plan "$LM_TEST_DIR/$1.json" --quiet --summary "$LM_TEST_DIR/$1-s.json" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$1: exit status $rc"; }
	S=$LM_TEST_DIR/$1-s.json
	opened=$(jq '.tcp.connections_opened' "$S")
	assert_ge "$opened" "$4" "$1: connections opened"
	assert_eq "$(jq '.totals.failed' "$S")" 0 "$1: failed requests"
	assert_eq "$(grep -c '^GET /x' "$LOG")" "$(jq '.totals.ok' "$S")" "$1: requests in the server's log"
	# every connection was closed by us with FIN, and the server saw it
	assert_eq "$(grep -c '^eof' "$LOG")" "$opened" "$1: connections the server saw closed"
	assert_eq "$(jq '.tcp.connections_closed' "$S")" "$opened" "$1: connections closed"
	assert_eq "$(jq '.tcp.rst_sent' "$S")" 0 "$1: resets sent"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$S")" 0 "$1: TCBs back"
	# the server's FINs came DELAY_MS after ours and were answered
	n=$(srv_closing)
	assert_eq "$n" 0 "$1: server sockets still closing ($(lm_srv ss -Htan "( sport = :$PORT )" | awk '{print $1}' | sort | uniq -c | tr '\n' ' '))"
	stop_srv
	echo "$1: $opened connections, each closed by both sides"
}

check max_runs '{"users": 8, "duration_s": 60, "max_runs": 80}' '' 8
check duration '{"users": 8, "duration_s": 2}' '' 8
check open '{"rate": 50, "duration_s": 2, "max_users": 100}' ', "connection": "per_run"' 90
