#!/usr/bin/env bash
# SIGINT (and SIGTERM) stop a run gracefully: no new work, in-flight
# requests finish, the report and the summary are written, exit status 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

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
done
echo "ok"
