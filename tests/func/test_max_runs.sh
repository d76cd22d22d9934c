#!/usr/bin/env bash
# max_runs N completes exactly N runs, and every request lemmings-dp counts
# as ok is a line in nginx's own access log (and nothing more is there).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 60, "max_runs": 1500}' '[
  {"name": "browse", "weight": 3, "steps": [
    {"name": "home", "http": {"path": "/index.html", "expect": {"status": 200}}},
    {"name": "small", "http": {"path": "/small.bin"}}]},
  {"name": "api", "weight": 1, "steps": [
    {"name": "post", "http": {"method": "POST", "path": "/api/echo", "body": "x=1"}}]}
]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$LM_TEST_DIR/summary.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/summary.json
runs=$(jq '.totals.runs' "$S")
req=$(jq '.totals.requests' "$S")
ok=$(jq '.totals.ok' "$S")
failed=$(jq '.totals.failed' "$S")
errsum=$(jq '[.totals.errors[]] | add' "$S")
assert_eq "$runs" 1500 "runs completed"
assert_eq "$(jq '.totals.runs_started' "$S")" 1500 "runs started"
assert_eq "$failed" 0 "failed requests"
assert_eq "$req" "$((ok + failed))" "requests == ok + failed"
assert_eq "$errsum" "$failed" "errors add up to failed"
# per-scenario runs add up, and each browse run made two requests
browse=$(jq '.scenarios[] | select(.name=="browse") | .runs' "$S")
api=$(jq '.scenarios[] | select(.name=="api") | .runs' "$S")
assert_eq "$((browse + api))" 1500 "scenario runs add up"
assert_eq "$(jq '.scenarios[0].steps[0].requests' "$S")" "$browse" "browse.home requests"
assert_eq "$(jq '.scenarios[0].steps[1].requests' "$S")" "$browse" "browse.small requests"
assert_eq "$(jq '.scenarios[1].steps[0].requests' "$S")" "$api" "api.post requests"
# nginx's own log: one line per ok request, per path
n=$(lm_access_wait "$ok")
assert_eq "$n" "$ok" "nginx access log lines"
assert_eq "$(lm_access_count '^198\.18\.0\.1 GET /index\.html 200 ')" "$browse" "nginx /index.html lines"
assert_eq "$(lm_access_count '^198\.18\.0\.1 GET /small\.bin 200 100 ')" "$browse" "nginx /small.bin lines"
assert_eq "$(lm_access_count '^198\.18\.0\.1 POST /api/echo 200 ')" "$api" "nginx POST lines"
# the report table is there
assert_contains "$LM_STDOUT" "browse.home"
assert_contains "$LM_STDOUT" "p99.9"
echo "ok: $runs runs, $ok requests, nginx logged $n"
