#!/usr/bin/env bash
# Stop from the web UI, in a real browser against a real run on nginx: the run
# ends (state done, well before its duration), the page shows the final figures
# and downloads the summary and the CSV from its links; their request counts are
# the summary file's and nginx's access log's (and report.html, when the binary
# makes one, opens offline with the same count); Exit then ends the linger, the
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
# the HTML report too, when this binary makes one (--html)
REPORT=""
# (the whole help first: grep -q would close the pipe on a writer still writing)
help=$("$LM_BIN" --help 2>&1 || true)
if grep -q -- '--html' <<<"$help"; then REPORT=report; fi
ui_browser ui_stop.js "$UI_URL" "$LM_TEST_DIR" $REPORT
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
if [ -n "$REPORT" ]; then
	# the report downloaded from the page opens offline, with the run's figures
	ui_browser ui_report.js "$LM_TEST_DIR/page-report.html" "$LM_TEST_DIR/page-report.png"
	sed -n 's/.*<script type="application\/json" id="lm-report-data">\(.*\)<\/script>.*/\1/p' \
		"$LM_TEST_DIR/page-report.html" | jq -e --argjson n "$total" '.totals.requests == $n' \
		>/dev/null || fail "the page's report.html does not hold the run's $total requests"
fi
echo "ok"
