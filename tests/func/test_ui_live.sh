#!/usr/bin/env bash
# The live web UI in a real browser (headless chromium) against a real run on nginx:
# the page loads with no console error; its statistics table and header show what
# /api/stats says (exactly the document the page got, and within one interval of a
# fetch by the test); the columns sort; users set from the page (2, then 8) change
# the run, and, with a think time that makes the rate proportional to the users, the
# achieved rate grows at least 2.5 times; after a reload the charts come back from
# /api/history. A screenshot of the page is kept (ui-live.png).
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need

lm_access_reset
# 8 users at most; each run is two requests and 100 ms of thinking, so the rate
# is about 20 req/s per user, far below what the lab can take.
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 50}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "small", "http": {"path": "/small.bin"}},
    {"name": "read", "think": {"constant_ms": 100}}]}
]'
S=$LM_TEST_DIR/summary.json
ui_start --plan "$LM_TEST_DIR/plan.json" --summary "$S" --linger 0
SHOT=$LM_TEST_DIR/ui-live.png
ui_browser ui_live.js "$UI_URL" "$SHOT"
[ -s "$SHOT" ] || fail "no screenshot"
ui_keep_shot "$SHOT" ui.png

assert_eq "$(ui_api POST /api/stop)" 202 "stop"
ui_wait_exit 15
[ "$LM_RC" -eq 0 ] || { lm_show_run; fail "exit status $LM_RC"; }
total=$(jq .totals.requests "$S")
assert_eq "$(jq .totals.failed "$S")" 0 "failures"
assert_eq "$(lm_access_wait "$total")" "$total" "nginx's log == the summary's requests"
echo "ok"
