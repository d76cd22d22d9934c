#!/usr/bin/env bash
# expect.body_bytes and expect.body_crc32c: a body that matches is ok; a
# wrong length or a wrong CRC-32C fails the request as body_mismatch (the
# run goes on). A scenario with "close": "rst" ends its connections with RST
# instead of FIN: no TIME-WAIT on either side.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 8080
crc=$("$LM_TESTSRV_BIN" --crc-of-gen 65536 9)
LM_PLAN_PORT=8080
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 1, "duration_s": 30, "max_runs": 10}' "[
  {\"name\": \"b\", \"steps\": [
    {\"name\": \"good\", \"http\": {\"path\": \"/gen?size=65536&seed=9\",
      \"expect\": {\"body_bytes\": 65536, \"body_crc32c\": \"$crc\"}}},
    {\"name\": \"chunked\", \"http\": {\"path\": \"/gen?size=65536&seed=9&chunked=1\",
      \"expect\": {\"body_bytes\": 65536, \"body_crc32c\": \"$crc\"}}},
    {\"name\": \"short\", \"http\": {\"path\": \"/gen?size=65535&seed=9\",
      \"expect\": {\"body_bytes\": 65536}}},
    {\"name\": \"crc\", \"http\": {\"path\": \"/gen?size=65536&seed=10\",
      \"expect\": {\"body_crc32c\": \"$crc\"}}}]}
]"
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
step() { jq ".scenarios[0].steps[] | select(.name == \"$1\") | $2" "$S"; }
assert_eq "$(step good .ok)" 10 "matching body"
assert_eq "$(step chunked .ok)" 10 "matching chunked body"
assert_eq "$(step short .errors.body_mismatch)" 10 "short body"
assert_eq "$(step crc .errors.body_mismatch)" 10 "other bytes"
assert_eq "$(jq '.totals.runs' "$S")" 10 "runs go on"

# close mode rst: every connection of the scenario ends with our RST
lm_plan_lab "$LM_TEST_DIR/rst.json" '{"users": 2, "duration_s": 30, "max_runs": 20}' '[
  {"name": "r", "close": "rst", "steps": [
    {"http": {"path": "/gen?size=10&seed=1", "headers": {"Connection": "close"}}}]}]'
rc=0
lm_run --plan "$LM_TEST_DIR/rst.json" --quiet --summary "$LM_TEST_DIR/r.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "rst: exit status $rc"; }
R=$LM_TEST_DIR/r.json
assert_eq "$(jq '.totals.ok' "$R")" 20 "rst: requests ok"
assert_ge "$(jq '.tcp.rst_sent' "$R")" 20 "rst: connections reset by us"
echo "ok"
