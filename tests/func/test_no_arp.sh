#!/usr/bin/env bash
# A target that does not answer ARP ends the run with exit status 3 and a
# message naming its address; a gateway likewise.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_plan_write "$LM_TEST_DIR/plan.json" <<'JSON'
{
  "ports": [{"ip": "198.18.0.1", "prefix": 24}],
  "target": {"ip": "198.18.0.77", "port": 80},
  "load": {"users": 2, "duration_s": 5},
  "scenarios": [{"name": "a", "steps": [{"http": {"path": "/"}}]}]
}
JSON
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" || rc=$?
[ "$rc" -eq 3 ] || { lm_show_run; fail "exit status $rc, expected 3"; }
assert_contains "$LM_STDERR" "198.18.0.77"

lm_plan_write "$LM_TEST_DIR/gw.json" <<'JSON'
{
  "ports": [{"ip": "198.18.0.1", "prefix": 24, "gateway": "198.18.0.254"}],
  "target": {"ip": "198.19.5.5", "port": 80},
  "load": {"users": 2, "duration_s": 5},
  "scenarios": [{"name": "a", "steps": [{"http": {"path": "/"}}]}]
}
JSON
rc=0
lm_run --plan "$LM_TEST_DIR/gw.json" || rc=$?
[ "$rc" -eq 3 ] || { lm_show_run; fail "exit status $rc, expected 3"; }
assert_contains "$LM_STDERR" "198.18.0.254"
assert_contains "$LM_STDERR" "gateway"
echo "ok"
