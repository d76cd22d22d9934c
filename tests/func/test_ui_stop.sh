#!/usr/bin/env bash
# Stop from the web UI, in a real browser against a real run on nginx: the run
# ends (state done, well before its duration), the page shows the final figures
# and downloads the summary and the CSV from its links; their request counts are
# the summary file's and nginx's access log's; Exit then ends the linger, the
# process exits 0, and the page says it is disconnected without a script error.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 60}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "small", "http": {"path": "/small.bin"}},
    {"name": "read", "think": {"constant_ms": 20}}]}
]'
S=$LM_TEST_DIR/summary.json
ui_start --plan "$LM_TEST_DIR/plan.json" --summary "$S" --linger 60
ui_browser ui_stop.js "$UI_URL" "$LM_TEST_DIR"
ui_wait_exit 10
[ "$LM_RC" -eq 0 ] || { lm_show_run; fail "exit status $LM_RC"; }

# The run was stopped: far short of its 60 s, and it lingered for the page.
grep -q 'the API stays up 60 s' "$LM_STDOUT" || { lm_show_run; fail "no linger after the stop"; }
dur=$(sed -n 's/^duration: \([0-9.]*\) s$/\1/p' "$LM_STDOUT")
[ -n "$dur" ] || { lm_show_run; fail "no duration in the output"; }
awk -v d="$dur" 'BEGIN { exit !(d < 30) }' || fail "the run lasted $dur s: the stop did not end it"

[ -s "$S" ] || fail "no summary file"
total=$(jq .totals.requests "$S")
assert_ge "$total" 50 "requests"
assert_eq "$(jq .totals.failed "$S")" 0 "failures"
assert_eq "$(jq .totals.requests "$LM_TEST_DIR/page-summary.json")" "$total" \
	"the page's summary == the summary file"
assert_eq "$(awk -F, '$2 == "Aggregated" { print $3 }' "$LM_TEST_DIR/page-stats.csv")" "$total" \
	"the page's CSV Aggregated requests"
assert_eq "$(lm_access_wait "$total")" "$total" "nginx's log == the summary's requests"
echo "ok"
