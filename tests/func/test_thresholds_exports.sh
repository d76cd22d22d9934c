#!/usr/bin/env bash
# Thresholds decide the exit status (0 pass, 1 fail; abort_on_fail stops the
# run early), and the file exports of a run agree with its summary: the
# CSV files (Locust's layout) and the HdrHistogram log (read back by
# lemmings-ctl).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SCEN='[{"name": "s", "steps": [{"name": "home", "http": {"path": "/index.html"}}]}]'
CTL=$LM_ROOT/build/control/lemmings-ctl

LM_PLAN_EXTRA='{"thresholds": [{"step": "s/home", "p99_ms": 1000}, {"error_rate": 0.01}, {"rps_min": 10}]}'
lm_plan_lab "$LM_TEST_DIR/pass.json" '{"users": 2, "duration_s": 3}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/pass.json" --quiet --summary "$LM_TEST_DIR/pass-s.json" \
	--csv "$LM_TEST_DIR/run" --hlog "$LM_TEST_DIR/run.hlog" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "passing thresholds: exit status $rc"; }
assert_contains "$LM_STDOUT" "thresholds:"
assert_eq "$(grep -c 'PASS' "$LM_STDOUT")" 3 "thresholds passed"

# CSV: the step's row has the summary's request count
S=$LM_TEST_DIR/pass-s.json
req=$(jq '.scenarios[0].steps[0].requests' "$S")
row=$(grep -E '^[^,]*,"?s/home"?,' "$LM_TEST_DIR/run_stats.csv") || fail "no s/home row in run_stats.csv"
assert_eq "$(echo "$row" | cut -d, -f3)" "$req" "CSV request count"
assert_ge "$(wc -l <"$LM_TEST_DIR/run_history.csv")" 3 "CSV history rows"

# the summary's series: one entry a second, in order, adding up to the totals
assert_ge "$(jq '.intervals | length' "$S")" 2 "summary intervals"
assert_eq "$(jq '[.intervals[].t_s] | . == sort' "$S")" true "intervals in order"
assert_eq "$(jq '[.intervals[].requests] | add' "$S")" "$req" "the intervals' requests add up to the total"

# .hlog: lemmings-ctl reads it back; its sample count is the summary's
"$CTL" hlog report "$LM_TEST_DIR/run.hlog" >"$LM_TEST_DIR/hlog.txt" ||
	fail "lemmings-ctl hlog report failed: $(cat "$LM_TEST_DIR/hlog.txt")"
samples=$(awk '$1 == "s.home.latency" { print $3 }' "$LM_TEST_DIR/hlog.txt")
ok=$(jq '.scenarios[0].steps[0].ok' "$S")
assert_eq "$samples" "$ok" "hlog samples of s.home.latency"

# failing thresholds: exit status 1
LM_PLAN_EXTRA='{"thresholds": [{"p50_ms": 0.001}]}'
lm_plan_lab "$LM_TEST_DIR/fail.json" '{"users": 2, "duration_s": 2}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/fail.json" --quiet || rc=$?
assert_eq "$rc" 1 "failing threshold: exit status"
assert_contains "$LM_STDOUT" "FAIL"

# abort_on_fail: stops after its warm-up instead of running 60 s
LM_PLAN_EXTRA='{"thresholds": [{"p50_ms": 0.001, "abort_on_fail": true, "warmup_s": 1}]}'
lm_plan_lab "$LM_TEST_DIR/abort.json" '{"users": 2, "duration_s": 60}' "$SCEN"
rc=0
start=$(date +%s)
lm_run --plan "$LM_TEST_DIR/abort.json" --quiet || rc=$?
took=$(($(date +%s) - start))
assert_eq "$rc" 1 "abort_on_fail: exit status"
assert_le "$took" 10 "abort_on_fail: seconds before it stopped"
assert_contains "$LM_STDOUT" "stopped early"
echo "ok: $req requests, $samples in the hlog, aborted after ${took} s"
