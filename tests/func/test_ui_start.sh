#!/usr/bin/env bash
# --wait-for-start and the web UI's start form, in a real browser: nothing is sent
# while the run waits; the form's users, spawn rate and duration are the run's
# (/api/status, the output, the summary: its length and its users), the summary
# downloaded from the page is the summary file, and nginx saw every request.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need

USERS=3 SPAWN=6 DURATION=4
lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 60}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "read", "think": {"constant_ms": 20}}]}
]'
S=$LM_TEST_DIR/summary.json
ui_start --plan "$LM_TEST_DIR/plan.json" --summary "$S" --wait-for-start --linger 60
sleep 1
assert_eq "$(lm_access_count)" 0 "requests while waiting"
ui_browser ui_start.js "$UI_URL" "$LM_TEST_DIR" "$USERS" "$SPAWN" "$DURATION"
ui_wait_exit 10
[ "$LM_RC" -eq 0 ] || { lm_show_run; fail "exit status $LM_RC"; }

grep -q "started from the API: users $USERS, spawn rate $SPAWN/s, $DURATION s" "$LM_STDOUT" ||
	{ lm_show_run; fail "the output does not show the form's start"; }
[ -s "$S" ] || fail "no summary file"
awk -v d="$(jq .duration_s "$S")" -v w="$DURATION" 'BEGIN { exit !(d >= w - 0.2 && d < w + 1.5) }' ||
	fail "the run lasted $(jq .duration_s "$S") s, not the form's $DURATION s"
assert_eq "$(jq '[.intervals[].users] | max' "$S")" "$USERS" "the most users in an interval"
total=$(jq .totals.requests "$S")
assert_ge "$total" 20 "requests"
assert_eq "$(jq .totals.requests "$LM_TEST_DIR/page-summary.json")" "$total" \
	"the page's summary == the summary file"
assert_eq "$(lm_access_wait "$total")" "$total" "nginx's log == the summary's requests"
echo "ok"
