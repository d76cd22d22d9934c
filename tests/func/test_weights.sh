#!/usr/bin/env bash
# Scenario weights 3:1 show in the per-scenario run counts, within 3 sigma
# of the binomial expectation.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=10000
lm_plan_lab "$LM_TEST_DIR/plan.json" "{\"users\": 16, \"duration_s\": 60, \"max_runs\": $N}" '[
  {"name": "heavy", "weight": 3, "steps": [{"http": {"path": "/small.bin"}}]},
  {"name": "light", "weight": 1, "steps": [{"http": {"path": "/index.html"}}]}
]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$LM_TEST_DIR/summary.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/summary.json
heavy=$(jq '.scenarios[] | select(.name=="heavy") | .runs' "$S")
light=$(jq '.scenarios[] | select(.name=="light") | .runs' "$S")
assert_eq "$((heavy + light))" "$N" "runs"
# expectation 7500, sigma = sqrt(10000 * 0.75 * 0.25) ~ 43.3; within 3 sigma
assert_ge "$heavy" 7370 "heavy runs"
assert_le "$heavy" 7630 "heavy runs"
# default step names are "<scenario>.<index>"
assert_eq "$(jq -r '.scenarios[0].steps[0].name' "$S")" "heavy.0" "default step name"
echo "ok: heavy $heavy, light $light"
