#!/usr/bin/env bash
# A second SIGINT (or SIGTERM) during the grace period ends the run at once:
# what is still in flight is counted as aborted, the report and the summary
# are still written, and every request started is either ok or failed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# "big": 1 MiB responses back to back, so requests are in flight at any
# moment; "slow": runs that think for 20 s, which the grace would wait for.
# Each run picks its scenario: by the signal, some users think in "slow".
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 128, "duration_s": 120}' '[
  {"name": "big", "weight": 99, "steps": [
    {"http": {"path": "/big.bin"}}]},
  {"name": "slow", "weight": 1, "steps": [
    {"http": {"path": "/index.html"}},
    {"think": {"constant_ms": 20000}},
    {"http": {"path": "/index.html"}}]}
]'
for sig in INT TERM; do
	rc=0
	# the grace would hold the run for 30 s; the second signal cuts it short
	# before the requests in flight finish (a 1 MiB response takes ~0.2 s
	# with 128 users): both come within a control tick (50 ms) of each other
	LM_SIGNAL_AGAIN=0 lm_run_signal "$sig" 3 --plan "$LM_TEST_DIR/plan.json" \
		--grace 30 --summary "$LM_TEST_DIR/summary-$sig.json" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "SIG$sig x2: exit status $rc"; }
	# a few seconds for the report, the port's farewell and EAL clean-up
	assert_le "$LM_STOP_DS" 60 "SIG$sig x2: tenths of a second to stop"
	S=$LM_TEST_DIR/summary-$sig.json
	jq -e . "$S" >/dev/null || fail "SIG$sig x2: summary is not JSON"
	req=$(jq '.totals.requests' "$S")
	ok=$(jq '.totals.ok' "$S")
	failed=$(jq '.totals.failed' "$S")
	assert_ge "$ok" 1 "SIG$sig x2: requests ok"
	assert_eq "$req" "$((ok + failed))" "SIG$sig x2: requests == ok + failed"
	assert_eq "$(jq '[.totals.errors[]] | add' "$S")" "$failed" \
		"SIG$sig x2: errors add up"
	# cut short: those in flight are failed as aborted, not left uncounted
	assert_ge "$(jq '.totals.errors.aborted' "$S")" 1 "SIG$sig x2: aborted"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$S")" 0 "SIG$sig x2: TCBs still held"
	assert_eq "$(jq '.pools.mbufs.free_end' "$S")" \
		"$(jq '.pools.mbufs.free_start' "$S")" "SIG$sig x2: mbufs free at the end"
	assert_contains "$LM_STDOUT" "p99.9"
done
echo "ok"
