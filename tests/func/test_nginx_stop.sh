#!/usr/bin/env bash
# nginx stopped in the middle of a run: the failures are counted under
# named reasons (refused, reset, closed), the run goes on to its end, the
# report comes out and the exit status is 0. Every request is either ok
# or failed, and nginx logged every request we counted as ok.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 8, "duration_s": 5}' '[
  {"name": "a", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "small", "http": {"path": "/small.bin"}}]}
]'
( sleep 2; "$LM_ROOT/tools/lab" nginx-stop --fast --name "$LM_LAB_NAME" >/dev/null ) &
stopper=$!
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$LM_TEST_DIR/summary.json" || rc=$?
wait "$stopper" || fail "could not stop nginx"
"$LM_ROOT/tools/lab" nginx-start --name "$LM_LAB_NAME" >/dev/null || fail "could not restart nginx"
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/summary.json
req=$(jq '.totals.requests' "$S")
ok=$(jq '.totals.ok' "$S")
failed=$(jq '.totals.failed' "$S")
assert_ge "$ok" 100 "requests ok before nginx stopped"
assert_ge "$failed" 1 "requests failed after nginx stopped"
assert_eq "$req" "$((ok + failed))" "requests == ok + failed"
assert_eq "$(jq '[.totals.errors[]] | add' "$S")" "$failed" "errors add up to failed"
# with nothing listening the kernel answers SYNs with RST: "refused"
assert_ge "$(jq '.totals.errors.refused' "$S")" 1 "refused"
# no reason outside the named transport ones
other=$(jq '.totals.errors | .status + .protocol + .no_resources' "$S")
assert_eq "$other" 0 "unexpected error kinds"
assert_contains "$LM_STDOUT" "errors:"
assert_contains "$LM_STDOUT" "refused"
# nginx logged what we counted ok (it may have logged a few more whose
# response it could not deliver before it stopped: those we counted failed)
logged=$(lm_access_count)
assert_ge "$logged" "$ok" "nginx log lines"
assert_le "$logged" "$req" "nginx log lines"
echo "ok: $ok ok, $failed failed ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S")), nginx logged $logged"
