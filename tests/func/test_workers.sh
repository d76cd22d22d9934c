#!/usr/bin/env bash
# Two workers on one port: the totals follow the plan whatever the worker
# count. The lab's net_af_packet port gives each worker a queue, and the
# kernel's fanout hashes flows over the queues without knowing which worker
# owns a connection: the workers hand each other what is not theirs
# (packets.redirected), no segment reaches a worker without its
# connection (tcp.segments_no_connection stays 0), and no worker handles a
# segment of a flow that another owns (tcp.segments_not_owner stays 0).
#  - closed model, max_runs 3000: exactly 3000 runs, every ok request a line
#    in nginx's log, and {{seq}} unique across both workers in those lines;
#  - open model, 600 sessions/s for 5 s: within 1 % of 3000 sessions, all ok.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export LM_WORKERS=2

check_steering() { # SUMMARY WHAT
	assert_eq "$(jq '.tcp.segments_no_connection' "$1")" 0 "$2: segments reaching a worker without their connection"
	assert_eq "$(jq '.tcp.segments_not_owner' "$1")" 0 "$2: segments handled by a worker that does not own their flow"
	assert_eq "$(jq '.packets.redirect_dropped' "$1")" 0 "$2: handed-over packets dropped"
	assert_eq "$(jq '.tcp.retransmits' "$1")" 0 "$2: retransmissions"
	assert_ge "$(jq '.packets.redirected' "$1")" 1 "$2: packets handed to their owner"
	assert_eq "$(jq -c '[.workers[].segments_not_owner]' "$1")" "[0,0]" "$2: each worker's not-owner segments"
}

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/closed.json" '{"users": 16, "duration_s": 60, "max_runs": 3000}' '[
  {"name": "s", "steps": [{"name": "home", "http": {"path": "/index.html",
    "headers": {"X-Token": "{{seq}}"}, "expect": {"status": 200}}}]}]'
rc=0
lm_run --plan "$LM_TEST_DIR/closed.json" --summary "$LM_TEST_DIR/closed-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "closed: exit status $rc"; }
S=$LM_TEST_DIR/closed-s.json
assert_contains "$LM_STDOUT" "on 2 worker(s)"
# net_af_packet has no rte_flow: the start-up line says so
assert_contains "$LM_STDOUT" "port 0: net_af_packet cannot steer flows (rte_flow refused rule 1 of 2: Function not implemented): packets handed between workers"
assert_eq "$(jq '.totals.runs' "$S")" 3000 "closed: runs"
assert_eq "$(jq '.totals.ok' "$S")" 3000 "closed: ok requests"
assert_eq "$(jq '.tcp.connections_opened' "$S")" 16 "closed: one connection per user"
assert_eq "$(lm_access_wait 3000)" 3000 "closed: nginx log lines"
# the log's last field is X-Token: 3000 distinct values of {{seq}}
tokens=$(awk '{ print $NF }' "$LM_ACCESS_LOG" | sort -u | wc -l)
assert_eq "$tokens" 3000 "closed: distinct {{seq}} values in nginx's log"
check_steering "$S" closed
# max_runs and the users are split evenly: each worker ran its half
assert_eq "$(jq -c '[.workers[].runs]' "$S")" "[1500,1500]" "closed: runs per worker"
assert_eq "$(jq -c '[.workers[].requests]' "$S")" "[1500,1500]" "closed: requests per worker"
assert_eq "$(jq -c '[.workers[].connections_opened]' "$S")" "[8,8]" "closed: connections per worker"
echo "closed: 3000 runs on 2 workers, $(jq '.packets.redirected' "$S") packets handed over"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/open.json" '{"rate": 600, "duration_s": 5, "max_users": 1000}' '[
  {"name": "s", "steps": [{"http": {"path": "/small.bin"}}]}]'
rc=0
lm_run --plan "$LM_TEST_DIR/open.json" --summary "$LM_TEST_DIR/open-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "open: exit status $rc"; }
S=$LM_TEST_DIR/open-s.json
arrived=$(jq '.load.sessions_arrived' "$S")
assert_ge "$arrived" 2970 "open: sessions in 5 s at 600/s"
assert_le "$arrived" 3030 "open: sessions in 5 s at 600/s"
assert_eq "$(jq '.totals.ok' "$S")" "$arrived" "open: every session's request ok"
assert_eq "$(lm_access_wait "$arrived")" "$arrived" "open: nginx log lines"
check_steering "$S" open
# the rate is split evenly: each worker had about half the sessions
for k in 0 1; do
	assert_ge "$(jq ".workers[$k].runs" "$S")" "$((arrived * 45 / 100))" "open: runs of worker $k"
done
echo "open: $arrived sessions on 2 workers"
