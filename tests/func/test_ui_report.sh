#!/usr/bin/env bash
# The HTML report in a real browser, opened from a file:// URL with the network off
# (the browser offline, and every request that is not file:// aborted and counted):
# no console error, nothing asked of the network, every measured step's percentile
# spectrum drawn, the thresholds coloured by their verdict, the statistics and the
# errors as the report's data has them. Three reports:
#  - a hand-written one (tests/browser/fixtures/report_data.json, laid out as the
#    binary lays one out) with a failing threshold whose text holds "</script>";
#  - a real run's --html (one threshold passes, one fails), whose figures are also
#    checked against the run's summary;
#  - lemmings-ctl hlog report --html of the run's .hlog (no failures, no plan).
# Screenshots: report-fixture.png, report.png, report-hlog.png.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need
D=$LM_TEST_DIR

node "$UI_BROWSER_DIR/wrap_report.js" "$UI_BROWSER_DIR/fixtures/report_data.json" "$D/fixture.html"
ui_browser ui_report.js "$D/fixture.html" "$D/report-fixture.png"

# (the whole help first: grep -q would close the pipe on a writer still writing)
help=$("$LM_BIN" --help 2>&1 || true)
grep -q -- '--html' <<<"$help" ||
	lm_skip "this binary has no --html: only the hand-written report was checked"
CTL=$(dirname "$LM_BIN")/control/lemmings-ctl

LM_PLAN_EXTRA='{"name": "ui-report", "thresholds": [{"step": "browse/home", "p99_ms": 1000},
	{"rps_min": 100000000}]}'
lm_plan_lab "$D/plan.json" '{"users": 4, "duration_s": 4}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "read", "think": {"constant_ms": 5}},
    {"name": "small", "http": {"path": "/small.bin"}},
    {"name": "missing", "http": {"path": "/no-such-page", "expect": {"status": 200}}}]}
]'
lm_access_reset
rc=0
lm_run --plan "$D/plan.json" --quiet --summary "$D/summary.json" --html "$D/report.html" \
	--hlog "$D/run.hlog" || rc=$?
[ "$rc" -eq 1 ] || { lm_show_run; fail "a failing threshold: exit status $rc, expected 1"; }
[ -s "$D/report.html" ] || { lm_show_run; fail "no report.html"; }
ui_browser ui_report.js "$D/report.html" "$D/report.png"
ui_keep_shot "$D/report.png" report.png

# The page's data is the run's: its requests, its failures, its thresholds.
sed -n 's/.*<script type="application\/json" id="lm-report-data">\(.*\)<\/script>.*/\1/p' \
	"$D/report.html" >"$D/report-data.json"
jq -e . "$D/report-data.json" >/dev/null || fail "no report data in report.html"
assert_eq "$(jq .totals.requests "$D/report-data.json")" "$(jq .totals.requests "$D/summary.json")" \
	"the report's requests == the summary's"
assert_ge "$(jq .totals.failed "$D/report-data.json")" 1 "the missing page's failures"
assert_eq "$(jq -c '[.thresholds[].passed]' "$D/report-data.json")" '[true,false]' "threshold verdicts"

if [ -x "$CTL" ] && "$CTL" hlog report "$D/run.hlog" --html "$D/hlog.html" >"$D/ctl.out" 2>&1; then
	ui_browser ui_report.js "$D/hlog.html" "$D/report-hlog.png"
else
	cat "$D/ctl.out" 2>/dev/null || true
	fail "lemmings-ctl hlog report --html failed"
fi
echo "ok"
