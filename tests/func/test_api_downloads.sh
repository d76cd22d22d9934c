#!/usr/bin/env bash
# What the web UI stands on, through its HTTP API, in a real run against nginx:
# - the UI's files are served from the binary at / and /ui/NAME, with their types;
# - --wait-for-start: nothing is sent until POST /api/start, whose users, spawn rate
#   and duration the run then takes (status, summary, nginx's log);
# - /api/history has a row per interval, with the steps of /api/stats;
# - the downloads while the run goes on (summary, CSV, .hlog) and after it, where
#   their counts are the run's own: the summary file's, nginx's access log's;
# - a POST from another origin is refused (403); after the run the API stays up
#   (--linger) until POST /api/stop, and the process then exits 0 at once.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

LM_API=http://127.0.0.1:19093
CTL=${LM_CTL_BIN:-$LM_ROOT/build/control/lemmings-ctl}
api() { lm_api "$@"; }

# --wait-for-start needs the API: a usage error, before anything starts.
rc=0
lm_run --plan "$LM_ROOT/scenarios/quickstart.json" --wait-for-start || rc=$?
assert_eq "$rc" 2 "--wait-for-start without --api"
grep -q -- '--wait-for-start needs --api' "$LM_STDERR" || fail "no reason given"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 60}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "pause", "think": {"constant_ms": 5}},
    {"name": "small", "http": {"path": "/small.bin"}}]}
]'
S=$LM_TEST_DIR/summary.json
LM_RUN_TIMEOUT=90 lm_run_bg --plan "$LM_TEST_DIR/plan.json" --summary "$S" \
	--api "${LM_API#http://}" --wait-for-start --linger 60 --quiet
lm_api_wait /api/status '.state == "waiting"'
# timeout's child is the binary itself (ip netns exec execs it)
LMPID=$(pgrep -P "$LM_BG_PID" | head -n 1)
[ -n "$LMPID" ] || fail "no lemmings-dp process under $LM_BG_PID"

# The UI's files, from the binary.
assert_eq "$(api GET /)" "200 text/html; charset=utf-8" "GET /"
grep -q '<script src="/ui/app.js">' "$LM_TEST_DIR/body" || fail "/ does not load app.js"
assert_eq "$(api GET /ui/app.js)" "200 text/javascript; charset=utf-8" "GET /ui/app.js"
cmp -s "$LM_TEST_DIR/body" "$LM_ROOT/control/ui/app.js" || fail "app.js differs from the tree's"
assert_eq "$(api GET /ui/charts.js | cut -d' ' -f1)" 200 "GET /ui/charts.js"
assert_eq "$(api GET /ui/style.css)" "200 text/css; charset=utf-8" "GET /ui/style.css"
assert_eq "$(api GET /ui/report.js | cut -d' ' -f1)" 200 "GET /ui/report.js"
assert_eq "$(api GET /ui/nope.js | cut -d' ' -f1)" 404 "GET /ui/nope.js"
assert_eq "$(api GET /ui/../api/status --path-as-is | cut -d' ' -f1)" 404 "GET /ui/../api/status"
assert_eq "$(api POST / | cut -d' ' -f1)" 405 "POST /"

# Waiting: nothing reaches nginx, and only a start in the plan's model is taken.
sleep 1
assert_eq "$(lm_access_count)" 0 "requests before the start"
api GET /api/status >/dev/null
assert_eq "$(jq .requests "$LM_TEST_DIR/body")" 0 "status requests before the start"
assert_eq "$(api POST /api/start -d '{"rate": 10}' | cut -d' ' -f1)" 409 "start with a rate (closed model)"
assert_eq "$(api POST /api/start -d '{"users": 9}' | cut -d' ' -f1)" 400 "start above the plan's users"
assert_eq "$(api POST /api/start -d '{"users": 4, "duration": 0}' | cut -d' ' -f1)" 400 "duration 0"
assert_eq "$(api POST /api/start -d '{"users": 4, "colour": 1}' | cut -d' ' -f1)" 400 "unknown key"
assert_eq "$(api POST /api/stop -H 'Origin: http://elsewhere.example' | cut -d' ' -f1)" 403 \
	"stop from another origin"
kill -0 "$LM_BG_PID" 2>/dev/null || fail "a refused stop stopped the run"
assert_eq "$(api POST /api/start -H "Origin: $LM_API" \
	-d '{"users": 4, "spawn_rate": 8, "duration": 4}' | cut -d' ' -f1)" 202 "start"
assert_eq "$(api POST /api/start -d '{"users": 4}' | cut -d' ' -f1)" 409 "a second start"

sleep 2.2
api GET /api/status >/dev/null
assert_eq "$(jq -r .state "$LM_TEST_DIR/body")" running "state after the start"
assert_eq "$(jq .users "$LM_TEST_DIR/body")" 4 "users running"
assert_eq "$(jq .target_users "$LM_TEST_DIR/body")" 4 "target users"
assert_eq "$(jq .duration_s "$LM_TEST_DIR/body")" 4 "duration"
assert_eq "$(jq .spawn_rate "$LM_TEST_DIR/body")" 8 "spawn rate"

# The history: a row per interval so far, each with a row per counted step.
assert_eq "$(api GET /api/history | cut -d' ' -f1)" 200 "GET /api/history"
H=$LM_TEST_DIR/history.json
cp "$LM_TEST_DIR/body" "$H"
assert_eq "$(jq -c '[.steps[] | .scenario + "." + .step]' "$H")" '["browse.home","browse.small"]' \
	"history's steps (the think step has none)"
rows=$(jq '.rows | length' "$H")
assert_ge "$rows" 1 "history rows after 2 s"
assert_eq "$(jq '[.rows[] | (.steps | length)] | unique' -c "$H")" '[2]' "steps per row"
assert_eq "$(jq '[.rows[] | select(.req_s > 0)] | length' "$H")" "$rows" "every row has requests"

# Downloads while the run goes on: rendered on demand.
assert_eq "$(api GET /download/summary.json | cut -d' ' -f1)" 200 "summary while running"
jq -e '(.plan | type) == "string" and .totals.requests > 0' "$LM_TEST_DIR/body" >/dev/null ||
	fail "the summary so far is not a summary"
assert_eq "$(api GET /download/stats.csv)" "200 text/csv; charset=utf-8" "CSV while running"
grep -q '^,Aggregated,' "$LM_TEST_DIR/body" || fail "the CSV has no Aggregated row"
assert_eq "$(api GET /download/run.hlog | cut -d' ' -f1)" 200 "hlog while running"
# without --hlog, the API's own log: open, but already unlinked (nothing left behind)
# (the binary names it after itself and its PID)
OWN_LOG=$(basename "$LM_BIN").$LMPID.hlog
[ -e "${TMPDIR:-/tmp}/$OWN_LOG" ] && fail "the API's own .hlog is still linked"
ls -l "/proc/$LMPID/fd" | grep -qF "$OWN_LOG (deleted)" ||
	fail "the API's own .hlog is not open"
"$CTL" hlog report "$LM_TEST_DIR/body" >"$LM_TEST_DIR/hlog-live.txt" ||
	fail "the .hlog so far does not read: $(cat "$LM_TEST_DIR/hlog-live.txt")"

# The end: the state says done, the API lingers.
lm_api_wait /api/status '.state == "done"'
sleep 1
kill -0 "$LM_BG_PID" 2>/dev/null || fail "the API did not linger after the run"
[ -s "$S" ] || fail "no summary"
total=$(jq .totals.requests "$S")
assert_ge "$total" 100 "requests"
assert_eq "$(jq .totals.failed "$S")" 0 "failures"
assert_eq "$(lm_access_wait "$total")" "$total" "nginx's log == the summary's requests"

assert_eq "$(api GET /download/summary.json | cut -d' ' -f1)" 200 "summary after the run"
assert_eq "$(jq .totals.requests "$LM_TEST_DIR/body")" "$total" "downloaded summary's requests"
assert_eq "$(api GET /download/stats.csv | cut -d' ' -f1)" 200 "CSV after the run"
assert_eq "$(awk -F, '$2 == "Aggregated" { print $3 }' "$LM_TEST_DIR/body")" "$total" \
	"CSV Aggregated request count"
assert_eq "$(api GET /download/run.hlog | cut -d' ' -f1)" 200 ".hlog after the run"
"$CTL" hlog report "$LM_TEST_DIR/body" >"$LM_TEST_DIR/hlog.txt" || fail "the .hlog does not read"
samples=$(awk '$1 ~ /\.latency$/ { n += $3 } END { print n + 0 }' "$LM_TEST_DIR/hlog.txt")
assert_eq "$samples" "$(jq '.totals.ok + .totals.failed' "$S")" ".hlog latency samples == responses"
assert_eq "$(api POST /api/load -d '{"users": 2}' | cut -d' ' -f1)" 409 "load change after the run"
api GET /api/history >/dev/null
assert_ge "$(jq '.rows | length' "$LM_TEST_DIR/body")" 3 "history rows at the end"

# POST /api/stop ends the linger at once.
t0=$(date +%s%N)
assert_eq "$(api POST /api/stop | cut -d' ' -f1)" 202 "stop during the linger"
rc=0
lm_bg_wait || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
ms=$((($(date +%s%N) - t0) / 1000000))
assert_le "$ms" 3000 "ms from the stop to the exit"
grep -q 'started from the API: users 4, spawn rate 8/s, 4 s' "$LM_STDOUT" ||
	fail "the start is not in the output"
echo "ok"
