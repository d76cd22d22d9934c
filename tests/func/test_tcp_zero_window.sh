#!/usr/bin/env bash
# A server that stops reading for 2 s: its window closes to zero, we probe it
# (persist timer), and when it reads again the 4 MB upload completes, intact.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 8080 --mode stall --stall-ms 2000 --rcvbuf 4096
SIZE=4194304
crc=$("$LM_TESTSRV_BIN" --crc-of-gen $SIZE 3)
LM_PLAN_PORT=8080
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 1, "duration_s": 60, "max_runs": 1}' "[
  {\"name\": \"up\", \"steps\": [
    {\"name\": \"post\", \"timeout_ms\": 30000, \"http\": {\"method\": \"POST\", \"path\": \"/upload\",
      \"body\": {\"size\": $SIZE, \"seed\": 3}}}]}
]"
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_eq "$(jq '.totals.ok' "$S")" 1 "upload ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_ge "$(jq '.tcp.persist_probes' "$S")" 1 "zero-window probes"
lat=$(jq '.scenarios[0].steps[0].latency_us.max | floor' "$S")
assert_ge "$lat" 2000000 "the upload waited for the stall"
assert_eq "$(grep -c "^POST /upload $SIZE $crc\$" "$LM_TESTSRV_LOG")" 1 "body at the server"
echo "ok: $(jq '.tcp.persist_probes' "$S") probes, $((lat / 1000)) ms"
