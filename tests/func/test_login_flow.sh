#!/usr/bin/env bash
# on_start runs once per user before its first run (log in: the token is
# captured from a response header), the runs use the token in a templated
# header, and on_stop runs once per user at the end (log out). nginx
# rejects any request without a token: there must be no rejection, and per
# token the first request is the log-in and the last the log-out.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_access_reset
USERS=6
jq -n --arg ip "$LM_CLI_IP" --arg target "$LM_SRV_IP" --argjson users "$USERS" '{
  ports: [{ip: $ip, prefix: 24}], target: {ip: $target, port: 80},
  load: {users: $users, duration_s: 3},
  on_start: [{name: "login", http: {path: "/login",
    capture: {token: {header: "X-Token"}, body_token: {body_between: ["\"token\":\"", "\""]}}}}],
  scenarios: [{name: "browse", steps: [
    {name: "secret", http: {path: "/secure/{{user}}/{{run}}", headers: {"X-Token": "{{token}}"}}},
    {name: "again", http: {path: "/secure/b", headers: {"X-Token": "{{body_token}}"}}}]}],
  on_stop: [{name: "logout", http: {path: "/logout", headers: {"X-Token": "{{token}}"}}}]
}' >"$LM_TEST_DIR/plan.json"
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$LM_TEST_DIR/s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_eq "$(jq '.totals.failed' "$S")" 0 "failed ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
ok=$(jq '.totals.ok' "$S")
assert_eq "$(lm_access_wait "$ok")" "$ok" "nginx log lines"
assert_eq "$(lm_access_count ' 401 ')" 0 "requests rejected for want of a token"
assert_eq "$(lm_access_count ' GET /login ')" "$USERS" "log-ins (once per user)"
assert_eq "$(lm_access_count ' GET /logout 200 ')" "$USERS" "log-outs (once per user)"
# per token: its first line is the log-in's answer, its last the log-out
awk '$2 == "GET" && $3 == "/login" { next } { tok = $7; if (!(tok in first)) first[tok] = $3; last[tok] = $3 }
     END { for (t in last) if (last[t] != "/logout") { print "token " t " ends with " last[t]; bad = 1 }
           exit bad }' "$LM_ACCESS_LOG" || fail "a user's last request was not its log-out"
assert_eq "$(awk '$3 != "/login" { print $7 }' "$LM_ACCESS_LOG" | sort -u | wc -l)" "$USERS" "distinct tokens used"
runs=$(jq '.scenarios[] | select(.name == "browse") | .runs' "$S")
assert_eq "$(lm_access_count ' GET /secure/b 200 ')" "$runs" "templated header from a body capture"
echo "ok: $USERS users, $runs runs, no rejection"
