#!/usr/bin/env bash
# Target port ranges ("port_last"): 1000 runs, each on a new connection, to
# 198.18.0.2 ports 8080-8081 in turn; two test servers, one on each port,
# log 500 requests each.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 8081
FIRST_PID=$LM_TESTSRV_PID
FIRST_LOG=$LM_TESTSRV_LOG
lm_testsrv_start 8080
# after the second start, whose own trap would replace this one
trap 'kill "$FIRST_PID" 2>/dev/null || true; lm_cleanup_all' EXIT
LM_PLAN_PORT=8080
LM_PLAN_EXTRA='{"tcp": {"time_wait_ms": 0}}'
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 60, "max_runs": 1000}' '[
  {"name": "s", "connection": "per_run", "steps": [
    {"http": {"path": "/gen?size=100&seed=1", "expect": {"status": 200, "body_bytes": 100}}}]}]'
jq '.target.port_last = 8081' "$LM_TEST_DIR/plan.json" >"$LM_TEST_DIR/plan2.json"
rc=0
lm_run --plan "$LM_TEST_DIR/plan2.json" --summary "$LM_TEST_DIR/s.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_eq "$(jq '.totals.ok' "$S")" 1000 "requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_eq "$(grep -c '^GET /gen' "$LM_TESTSRV_LOG")" 500 "requests on port 8080"
assert_eq "$(grep -c '^GET /gen' "$FIRST_LOG")" 500 "requests on port 8081"
echo "ok: 1000 connections, 500 to each of ports 8080 and 8081"
