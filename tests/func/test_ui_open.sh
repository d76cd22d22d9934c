#!/usr/bin/env bash
# The web UI with an open-model run, in a real browser: the page asks for a rate
# (not users) and shows the target; rates set from the page (10, then 40 sessions/s
# of one request each) are the run's and the achieved request rate follows them
# within 25%; nginx saw every request.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"rate": 20, "duration_s": 60}' '[
  {"name": "visit", "steps": [{"name": "home", "http": {"path": "/index.html"}}]}
]'
S=$LM_TEST_DIR/summary.json
ui_start --plan "$LM_TEST_DIR/plan.json" --summary "$S" --linger 0
ui_browser ui_open.js "$UI_URL" 10 40 "$LM_TEST_DIR/ui-open.png"
assert_eq "$(ui_api POST /api/stop)" 202 "stop"
ui_wait_exit 15
[ "$LM_RC" -eq 0 ] || { lm_show_run; fail "exit status $LM_RC"; }
total=$(jq .totals.requests "$S")
assert_eq "$(jq .totals.failed "$S")" 0 "failures"
assert_eq "$(lm_access_wait "$total")" "$total" "nginx's log == the summary's requests"
echo "ok"
