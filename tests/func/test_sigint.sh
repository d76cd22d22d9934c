#!/usr/bin/env bash
# SIGINT (and SIGTERM) stop a run gracefully: no new work, in-flight
# requests finish, the report and the summary are written, exit status 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# assert_pools_back SUMMARY WHAT: every TCB and mbuf was given back.
assert_pools_back() {
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$1")" 0 "$2: TCBs still held"
	assert_eq "$(jq '.pools.mbufs.free_end' "$1")" \
		"$(jq '.pools.mbufs.free_start' "$1")" "$2: mbufs free at the end"
}

lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 120}' '[
  {"name": "a", "steps": [
    {"http": {"path": "/index.html"}}]}
]'
for sig in INT TERM; do
	lm_access_reset
	start=$(date +%s)
	rc=0
	lm_run_signal "$sig" 3 --plan "$LM_TEST_DIR/plan.json" \
		--summary "$LM_TEST_DIR/summary-$sig.json" || rc=$?
	took=$(($(date +%s) - start))
	[ "$rc" -eq 0 ] || { lm_show_run; fail "SIG$sig: exit status $rc"; }
	assert_le "$took" 12 "SIG$sig: seconds to stop"
	S=$LM_TEST_DIR/summary-$sig.json
	[ -s "$S" ] || fail "SIG$sig: no summary"
	req=$(jq '.totals.requests' "$S")
	ok=$(jq '.totals.ok' "$S")
	failed=$(jq '.totals.failed' "$S")
	assert_ge "$ok" 1 "SIG$sig: requests ok"
	assert_eq "$req" "$((ok + failed))" "SIG$sig: requests == ok + failed"
	assert_eq "$(jq '[.totals.errors[]] | add' "$S")" "$failed" "SIG$sig: errors add up"
	# the grace period lets every in-flight request finish: none aborted
	assert_eq "$(jq '.totals.errors.aborted' "$S")" 0 "SIG$sig: aborted"
	assert_eq "$(lm_access_wait "$ok")" "$ok" "SIG$sig: nginx log lines"
	assert_contains "$LM_STDOUT" "p99.9"
	assert_pools_back "$S" "SIG$sig"
done

# Slow requests: 1 MiB each for 32 users at once, so many are mid-response
# when the signal comes; a long grace lets every one of them finish.
lm_plan_lab "$LM_TEST_DIR/big.json" '{"users": 32, "duration_s": 120}' '[
  {"name": "big", "steps": [
    {"http": {"path": "/big.bin"}}]}
]'
lm_access_reset
rc=0
lm_run_signal INT 3 --plan "$LM_TEST_DIR/big.json" --grace 20 \
	--summary "$LM_TEST_DIR/summary-big.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "big: exit status $rc"; }
S=$LM_TEST_DIR/summary-big.json
[ -s "$S" ] || fail "big: no summary"
req=$(jq '.totals.requests' "$S")
ok=$(jq '.totals.ok' "$S")
assert_ge "$ok" 1 "big: requests ok"
assert_eq "$req" "$((ok + $(jq '.totals.failed' "$S")))" "big: requests == ok + failed"
assert_eq "$(jq '.totals.errors.aborted' "$S")" 0 "big: aborted"
assert_eq "$(lm_access_wait "$ok" '/big.bin 200 1048576 ')" "$ok" \
	"big: nginx log lines of whole responses"
assert_pools_back "$S" "big"
echo "ok"
