#!/usr/bin/env bash
# The HTTP API during a run: GET /metrics is valid Prometheus text (promtool, when
# installed, is the reference), the JSON documents answer, POSTs need the token, a POST
# /api/stop ends the run gracefully, and the last scrape's request counters equal the
# summary's total.
#
# Assumes the control loop serves the API with '--api [ADDR:]PORT' (token from
# LEMMINGS_API_TOKEN), publishes every document each interval and a last time after the
# final view with state "done", and keeps serving a moment after that (long enough for
# the scrape loop below, which polls every 0.1 s, to see it).
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"


TOKEN=t0ken-$$
export LEMMINGS_API_TOKEN=$TOKEN
LM_API=http://127.0.0.1:19090
api() { lm_api "$@"; }

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 60}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "small", "http": {"path": "/small.bin"}}]}
]'
S=$LM_TEST_DIR/summary.json

lm_run_bg --plan "$LM_TEST_DIR/plan.json" --summary "$S" --api "${LM_API#http://}"
# The listener comes up with the run.
lm_api_wait /metrics
sleep 2

# /metrics: the exposition format, the families the docs promise.
assert_eq "$(api GET /metrics)" "200 text/plain; version=0.0.4; charset=utf-8" "GET /metrics"
cp "$LM_TEST_DIR/body" "$LM_TEST_DIR/metrics-running.txt"
M=$LM_TEST_DIR/metrics-running.txt
grep -qE '^lemmings_up(\{[^}]*\})? 1$' "$M" || fail "no lemmings_up 1"
grep -q 'lemmings_state{.*state="running"} 1' "$M" || fail "state is not running"
for fam in lemmings_requests_total lemmings_response_seconds_bucket \
	lemmings_response_seconds_count lemmings_users lemmings_connections \
	lemmings_runs_total lemmings_tx_bytes_total lemmings_rx_bytes_total; do
	grep -q "^$fam{" "$M" || fail "no $fam in /metrics"
done
if command -v promtool >/dev/null; then
	promtool check metrics <"$M" >"$LM_TEST_DIR/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$LM_TEST_DIR/promtool.out")"
else
	echo "promtool not installed: lint skipped"
fi

# The JSON documents.
assert_eq "$(api GET /api/status)" "200 application/json" "GET /api/status"
assert_eq "$(jq -r .state "$LM_TEST_DIR/body")" running "status.state"
assert_eq "$(api GET /api/stats)" "200 application/json" "GET /api/stats"
assert_ge "$(jq '.totals.requests' "$LM_TEST_DIR/body")" 1 "stats.totals.requests"
assert_eq "$(jq '.steps | length' "$LM_TEST_DIR/body")" 2 "stats.steps"
assert_eq "$(api GET /api/report | cut -d' ' -f1)" 404 "no report while running"
assert_eq "$(api GET /nope | cut -d' ' -f1)" 404 "unknown route"
assert_eq "$(api GET /api/stop | cut -d' ' -f1)" 405 "GET /api/stop"

# POSTs need the token.
assert_eq "$(api POST /api/stop | cut -d' ' -f1)" 401 "stop without the token"
assert_eq "$(api POST /api/stop -H 'Authorization: Bearer wrong' | cut -d' ' -f1)" 401 \
	"stop with a wrong token"
assert_eq "$(api POST /api/load -H "Authorization: Bearer $TOKEN" -d '{"users": -1}' |
	cut -d' ' -f1)" 400 "load with a bad body"
assert_eq "$(api POST /api/load -H "Authorization: Bearer $TOKEN" -d '{"users": 2}' |
	cut -d' ' -f1)" 202 "load users 2"
sleep 2
api GET /api/status >/dev/null
assert_eq "$(jq .target_users "$LM_TEST_DIR/body")" 2 "status.target_users after load"
# the change is real: the users running drop from 4 to 2 (the others leave
# after their current run)
api GET /metrics >/dev/null
assert_eq "$(awk '/^lemmings_users(\{[^}]*\})? / { print $2 }' "$LM_TEST_DIR/body")" 2 \
	"users running after load users 2"
kill -0 "$LM_BG_PID" 2>/dev/null || fail "the run ended before it was asked to"

# Stop through the API; scrape until the process exits, keeping the last good scrape.
assert_eq "$(api POST /api/stop -H "Authorization: Bearer $TOKEN" | cut -d' ' -f1)" 202 \
	"stop with the token"
LAST=$LM_TEST_DIR/metrics-last.txt
: >"$LAST"
while kill -0 "$LM_BG_PID" 2>/dev/null; do
	if [ "$(api GET /metrics | cut -d' ' -f1)" = 200 ]; then
		cp "$LM_TEST_DIR/body" "$LAST"
	fi
	sleep 0.1
done
rc=0
lm_bg_wait || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc after POST /api/stop"; }

# The last scrape was taken after the final view: its counters are the summary's.
grep -q 'lemmings_state{.*state="done"} 1' "$LAST" ||
	fail "the last scrape is not the final one (no state=\"done\")"
[ -s "$S" ] || fail "no summary"
sum=$(awk '/^lemmings_requests_total\{/ { n += $NF } END { print n + 0 }' "$LAST")
assert_eq "$sum" "$(jq .totals.requests "$S")" "lemmings_requests_total == totals.requests"
fails=$(awk '/^lemmings_failures_total\{/ { n += $NF } END { print n + 0 }' "$LAST")
assert_eq "$fails" "$(jq .totals.failed "$S")" "lemmings_failures_total == totals.failed"
count=$(awk '/^lemmings_response_seconds_count\{/ { n += $NF } END { print n + 0 }' "$LAST")
assert_le "$count" "$sum" "response histogram count <= requests"
assert_ge "$count" 1 "response histogram count"
echo "ok"
