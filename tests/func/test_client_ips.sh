#!/usr/bin/env bash
# Client source addresses from a range ("client_ips"): 2000 runs with a new
# connection each, from 198.18.0.10-198.18.0.13 in turn; nginx's own log
# shows the four addresses, 500 requests each, and nothing from the port's
# own address. The kernel found each of them by ARP, which we answer.
# TIME-WAIT keeps its default (1 s): the connections closed fill the TCB
# pool at this rate, and those past its last eighth skip TIME-WAIT
# (tcp.time_wait_skipped) instead of failing runs with no_resources.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 16, "duration_s": 60, "max_runs": 2000}' '[
  {"name": "s", "connection": "per_run", "steps": [{"http": {"path": "/small.bin", "expect": {"status": 200}}}]}]'
jq '.ports[0].client_ips = "198.18.0.10-198.18.0.13"' "$LM_TEST_DIR/plan.json" >"$LM_TEST_DIR/plan2.json"
rc=0
lm_run --plan "$LM_TEST_DIR/plan2.json" --summary "$LM_TEST_DIR/s.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_eq "$(jq '.totals.ok' "$S")" 2000 "requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_eq "$(jq '.tcp.connections_opened' "$S")" 2000 "connections"
assert_ge "$(jq '.tcp.time_wait_skipped' "$S")" 1 "connections that skipped TIME-WAIT"
assert_eq "$(lm_access_wait 2000)" 2000 "nginx log lines"
for a in 10 11 12 13; do
	assert_eq "$(lm_access_count "^198\\.18\\.0\\.$a ")" 500 "requests from 198.18.0.$a"
done
assert_eq "$(lm_access_count "^$LM_CLI_IP ")" 0 "requests from the port's own address"
echo "ok: 2000 connections, 500 from each of 198.18.0.10-13"
