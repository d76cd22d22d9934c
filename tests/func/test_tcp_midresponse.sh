#!/usr/bin/env bash
# A server that resets, or closes, in the middle of a response (the body is
# shorter than its Content-Length): each request fails with its own named
# reason (reset; closed), the server saw each of them, the next goes on a new
# connection, the run goes on to its end, and every pool is back at its
# starting level. The other hostile servers: test_hostile_http.sh and
# test_hostile_slow.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

check() { # MODE REASON
	lm_testsrv_start 8080 --mode "$1" --body 100000 --after 30000
	LM_PLAN_PORT=8080
	lm_plan_lab "$LM_TEST_DIR/plan-$1.json" '{"users": 4, "duration_s": 3}' '[
	  {"name": "get", "steps": [{"name": "cut", "timeout_ms": 5000, "http": {"path": "/x"}}]}]'
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan-$1.json" --quiet --summary "$LM_TEST_DIR/s-$1.json" || rc=$?
	lm_testsrv_stop
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$1: exit status $rc"; }
	S=$LM_TEST_DIR/s-$1.json
	req=$(jq '.totals.requests' "$S")
	failed=$(jq '.totals.failed' "$S")
	assert_ge "$req" 20 "$1: requests (the run goes on)"
	assert_eq "$(jq '.totals.ok' "$S")" 0 "$1: ok"
	assert_eq "$failed" "$req" "$1: all failed"
	# every failure is the named reason, but for the requests of the 4 users
	# still waiting for their cut when the run's grace period ended
	named=$(jq ".totals.errors.$2" "$S")
	aborted=$(jq '.totals.errors.aborted' "$S")
	assert_eq "$((named + aborted))" "$failed" "$1: named reasons ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
	assert_le "$aborted" 4 "$1: aborted at the end"
	# the server read (and logged) each of them, and each cut cost its
	# connection: the next request went on a new one
	assert_eq "$(wc -l <"$LM_TESTSRV_LOG")" "$req" "$1: requests at the server"
	assert_eq "$(jq '.totals.connections' "$S")" "$req" "$1: a connection per request"
	assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$S")" true "$1: mbufs back"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$S")" 0 "$1: TCBs back"
	assert_eq "$(jq '.pools.users.active_end' "$S")" 0 "$1: users stopped"
	echo "$1: $req requests, all failed with $2"
}
check reset-after reset
check close-after closed
