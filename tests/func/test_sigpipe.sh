#!/usr/bin/env bash
# A reader of stdout that goes away (lemmings-dp ... | head -1) neither kills
# the run (SIGPIPE) nor changes its end: it lasts its duration, writes its
# summary, and exits 0.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 4}' '[
  {"name": "a", "steps": [
    {"http": {"path": "/index.html"}}]}
]'
lm_access_reset
S=$LM_TEST_DIR/summary.json
_lm_prepare --plan "$LM_TEST_DIR/plan.json" --summary "$S"
start=$(date +%s)
# head exits after the first line; every later write to stdout meets a
# closed pipe. The timeout bounds the run; its status is lemmings-dp's.
set +e
timeout -k 5 60 "${LM_CMD[@]}" 2>"$LM_STDERR" </dev/null | head -1 >"$LM_STDOUT"
st=("${PIPESTATUS[@]}")
set -e
took=$(($(date +%s) - start))
_lm_done "${st[0]}"
[ "${st[0]}" -eq 0 ] || { lm_show_run; fail "exit status ${st[0]} (141: SIGPIPE)"; }
assert_ge "$took" 4 "seconds run (the plan's duration)"
[ "$(wc -l <"$LM_STDOUT")" -eq 1 ] || fail "head saw no line"
jq -e . "$S" >/dev/null || fail "summary missing or not JSON"
req=$(jq '.totals.requests' "$S")
ok=$(jq '.totals.ok' "$S")
assert_ge "$ok" 1 "requests ok"
assert_eq "$req" "$((ok + $(jq '.totals.failed' "$S")))" "requests == ok + failed"
assert_eq "$(jq '.totals.failed' "$S")" 0 "requests failed"
assert_eq "$(lm_access_wait "$ok")" "$ok" "nginx log lines"
echo "ok"
