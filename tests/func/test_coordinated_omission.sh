#!/usr/bin/env bash
# Coordinated omission: nginx stalls for 1.2 s in the middle of an open-model
# run. The sessions due during the stall cannot start (every slot waits on
# nginx), start late when it resumes, and are measured from when they were
# due: the corrected p99 is at least 1 s while the raw one is lower, and
# the late starts are counted.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_plan_lab "$LM_TEST_DIR/plan.json" '{"rate": 500, "duration_s": 6, "max_users": 20}' \
	'[{"name": "s", "steps": [{"name": "get", "http": {"path": "/small.bin"}}]}]'
workers=$(ps -o pid= --ppid "$(cat "$LM_LAB_DIR/nginx.pid")")
[ -n "$workers" ] || fail "no nginx worker"
(
	sleep 2.5
	# shellcheck disable=SC2086
	kill -STOP $workers
	sleep 1.2
	# shellcheck disable=SC2086
	kill -CONT $workers
) &
stall=$!
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" || rc=$?
wait "$stall" || true
# shellcheck disable=SC2086
kill -CONT $workers 2>/dev/null || true
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
p99=$(jq '.scenarios[0].steps[0].latency_us.p99 | floor' "$S")
raw=$(jq '.scenarios[0].steps[0].latency_raw_us.p99 | floor' "$S")
late=$(jq '.load.late_starts' "$S")
assert_ge "$p99" 1000000 "corrected p99 (us)"
assert_le "$raw" "$((p99 - 1))" "raw p99 (us) below the corrected one"
assert_ge "$late" 100 "late starts"
assert_eq "$(jq '.totals.failed' "$S")" 0 "failed"
echo "ok: corrected p99 ${p99} us, raw p99 ${raw} us, ${late} late starts"
