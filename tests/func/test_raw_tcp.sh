#!/usr/bin/env bash
# Raw TCP steps against a line protocol (lm-testsrv --mode line): connect and
# read the greeting, PING/PONG with a templated line, a number of bytes,
# and a reply too slow for its step's timeout (counted as timeout, the run
# goes on with a new connection).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 7000 --mode line
LM_PLAN_PORT=7000
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 2, "duration_s": 30, "max_runs": 20}' '[
  {"name": "line", "steps": [
    {"name": "connect", "connect": {}},
    {"name": "greeting", "expect": {"until": "\r\n"}},
    {"name": "ping", "send": "PING {{user}}-{{run}}\r\n"},
    {"name": "pong", "expect": {"contains": "PONG"}},
    {"name": "pong_end", "expect": {"until": "\r\n"}},
    {"name": "ask", "send": "BYTES 5000\r\n"},
    {"name": "bytes", "expect": {"bytes": 5000}},
    {"name": "quit", "send": "QUIT\r\n"},
    {"name": "bye", "expect": {"until": "BYE\r\n"}},
    {"name": "close", "close": {}}]}
]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_eq "$(jq '.totals.failed' "$S")" 0 "failed ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_eq "$(jq '.totals.runs' "$S")" 20 "runs"
assert_eq "$(jq '.totals.ok' "$S")" 200 "steps ok"
assert_eq "$(grep -c '^LINE PING' "$LM_TESTSRV_LOG")" 20 "PINGs at the server"
assert_eq "$(grep -c '^LINE QUIT' "$LM_TESTSRV_LOG")" 20 "QUITs at the server"

# a reply slower than the step's timeout: "timeout", and the run goes on
lm_plan_lab "$LM_TEST_DIR/slow.json" '{"users": 1, "duration_s": 30, "max_runs": 3}' '[
  {"name": "slow", "steps": [
    {"name": "connect", "connect": {}},
    {"name": "greeting", "expect": {"until": "\r\n"}},
    {"name": "ask", "send": "SLOW 1500\r\n"},
    {"name": "ok", "timeout_ms": 300, "expect": {"until": "OK\r\n"}}]}
]'
rc=0
lm_run --plan "$LM_TEST_DIR/slow.json" --quiet --summary "$LM_TEST_DIR/slow-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "slow: exit status $rc"; }
S=$LM_TEST_DIR/slow-s.json
assert_eq "$(jq '.totals.runs' "$S")" 3 "slow: runs"
assert_eq "$(jq '.totals.errors.timeout' "$S")" 3 "slow: timeouts"
echo "ok"
