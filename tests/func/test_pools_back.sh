#!/usr/bin/env bash
# Leak accounting on real runs: at the end every pool (mbufs, TCBs, users,
# flights, out-of-order states and segments, server connection states,
# echo buffers, timers) is back at its starting level, the still-held list
# is empty and the report says so, and every step's requests are ok or
# failed, once:
#  (a) keep-alive users against nginx (its access log holds every ok);
#  (b) two workers with loss, reordering and duplication injected (plan
#      impair) and 1 MiB downloads: out-of-order states are seen in use
#      while the run goes on (/api/stats), none at the end;
#  (c) our server (a server-only plan) under wrk's keep-alive load,
#      stopped by SIGINT while wrk's requests are still coming in.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# all_back SUMMARY WHAT: every pool at its starting level, nothing listed
all_back() {
	local s=$1 what=$2 bad
	assert_eq "$(jq '.pools.back' "$s")" true "$what: pools back ($(jq -c '.pools.still_held' "$s"))"
	assert_eq "$(jq '.pools.still_held | length' "$s")" 0 "$what: still-held list"
	bad=$(jq -c '[.pools | to_entries[] | select(.value | type == "object")
		| select((.value.in_use_end // .value.active_end // .value.armed_end)
		      != (.value.in_use_start // .value.active_start // .value.armed_start))
		| .key]' "$s")
	assert_eq "$bad" "[]" "$what: pools whose end level is not their start level"
	assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$s")" true "$what: mbufs free"
	for k in tcbs flights ooo_states ooo_segments server_states echo_buffers; do
		assert_eq "$(jq ".pools.$k | has(\"size\") and has(\"in_use_start\") and has(\"in_use_end\")" "$s")" \
			true "$what: pools.$k reported"
	done
	assert_eq "$(jq '.pools.timers.armed_end' "$s")" 0 "$what: timers armed at the end"
	assert_contains "$LM_STDOUT" "pools: every pool back at its starting level"
}

# every_step_ends SUMMARY WHAT: requests == ok + failed, failures by reason
every_step_ends() {
	local bad
	bad=$(jq -c '[.scenarios[].steps[] | select(.requests != .ok + .failed
		or ([.errors[]] | add) != .failed) | .name]' "$1")
	assert_eq "$bad" "[]" "$2: steps where requests != ok + failed"
	assert_eq "$(jq '.totals.requests == .totals.ok + .totals.failed' "$1")" true "$2: totals"
}

# (a) keep-alive against nginx
lm_access_reset
lm_plan_lab "$LM_TEST_DIR/ka.json" '{"users": 16, "duration_s": 3}' '[
  {"name": "ka", "steps": [
    {"name": "small", "http": {"path": "/small.bin", "expect": {"status": 200, "body_bytes": 100}}},
    {"name": "home", "http": {"path": "/index.html"}},
    {"think": {"uniform_ms": [1, 5]}}]}]'
S=$LM_TEST_DIR/ka-s.json
rc=0
lm_run --plan "$LM_TEST_DIR/ka.json" --summary "$S" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "keep-alive: exit status $rc"; }
assert_ge "$(jq '.totals.ok' "$S")" 1000 "keep-alive: requests ok"
assert_eq "$(jq '.totals.failed' "$S")" 0 "keep-alive: failed"
assert_eq "$(lm_access_wait "$(jq '.totals.ok' "$S")")" "$(jq '.totals.ok' "$S")" "keep-alive: nginx's log"
assert_eq "$(jq '.pools.users.size' "$S")" 16 "keep-alive: users"
assert_eq "$(jq '.pools.flights.size' "$S")" 16 "keep-alive: flights"
every_step_ends "$S" keep-alive
all_back "$S" keep-alive
echo "(a) keep-alive: $(jq '.totals.ok' "$S") requests ok, every pool back"

# (b) two workers, faults injected, 1 MiB downloads
lm_plan_lab "$LM_TEST_DIR/loss.json" '{"users": 8, "duration_s": 4}' '[
  {"name": "dl", "steps": [
    {"name": "big", "timeout_ms": 20000, "http": {"path": "/big.bin", "expect": {"status": 200, "body_bytes": 1048576}}}]}]'
S=$LM_TEST_DIR/loss-s.json
port=$((20000 + $$ % 20000))
rm -f "$LM_TEST_DIR/ooo.txt"
(
	# what the out-of-order pool lends while the run goes on
	sleep 1
	for _ in $(seq 30); do
		ip netns exec "$LM_NS_CLI" curl -s -m 1 "http://127.0.0.1:$port/api/stats" |
			jq -r '.pools.ooo_states // empty' >>"$LM_TEST_DIR/ooo.txt" 2>/dev/null || true
		sleep 0.1
	done
) &
SAMPLER=$!
rc=0
LM_WORKERS=2 lm_run --plan "$LM_TEST_DIR/loss.json" --summary "$S" --metrics "127.0.0.1:$port" \
	--impair 'rx:drop=0.01,reorder=0.02,dup=0.01;tx:reorder=0.01,dup=0.01;seed=3' || rc=$?
wait "$SAMPLER" || true
[ "$rc" -eq 0 ] || { lm_show_run; fail "loss: exit status $rc"; }
assert_ge "$(jq '.totals.ok' "$S")" 8 "loss: downloads ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_ge "$(jq '.tcp.ooo_held' "$S")" 1 "loss: segments held out of order"
assert_ge "$(jq '.impair.rx.dropped' "$S")" 1 "loss: packets dropped"
seen=$(sort -n "$LM_TEST_DIR/ooo.txt" | tail -1)
assert_ge "${seen:-0}" 1 "loss: out-of-order states in use during the run (samples: $(tr '\n' ' ' <"$LM_TEST_DIR/ooo.txt"))"
assert_ge "$(jq '.pools.ooo_states.size' "$S")" 1 "loss: out-of-order states"
every_step_ends "$S" loss
all_back "$S" loss
echo "(b) loss: $(jq '.totals.ok' "$S") downloads ok, $(jq '.tcp.ooo_held' "$S") segments held out of order" \
	"(at most $seen states at a sample), $(jq '.pools.mbufs.dropped_at_end' "$S") packets dropped at the end, every pool back"

# (c) our server under wrk, stopped while requests still come in
jq --arg ip "$LM_CLI_IP" '.ports[0].ip = $ip | .load.duration_s = 0' \
	"$LM_ROOT/scenarios/server-http.json" >"$LM_TEST_DIR/server.json"
S=$LM_TEST_DIR/server-s.json
_lm_prepare --plan "$LM_TEST_DIR/server.json" --summary "$S"
timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]:0:4}" env --default-signal=INT \
	"${LM_CMD[@]:4}" >"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
RUN=$!
for _ in $(seq 50); do
	lm_srv curl -s -m 1 -o /dev/null "http://$LM_CLI_IP/hello" && break
	sleep 0.2
done
lm_srv wrk -t1 -c16 -d3s "http://$LM_CLI_IP/small" >"$LM_TEST_DIR/wrk.txt" 2>&1 &
WRK=$!
sleep 2
kill -INT "$RUN"
rc=0
wait "$RUN" || rc=$?
_lm_done "$rc"
wait "$WRK" || true
[ "$rc" -eq 0 ] || { lm_show_run; fail "server: exit status $rc"; }
assert_ge "$(jq '.server.requests' "$S")" 100 "server: requests answered"
assert_ge "$(jq '.pools.server_states.size' "$S")" 1 "server: connection states"
all_back "$S" server
echo "(c) server: $(jq '.server.requests' "$S") requests answered on $(jq '.server.connections' "$S") connections, every pool back"
