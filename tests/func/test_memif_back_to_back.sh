#!/usr/bin/env bash
# Two lemmings-dp processes joined by net_memif, no kernel between them: a
# server-only plan in one, a client plan in the other (the topology of the
# speed benchmark). Every request ok, the server answered exactly the
# client's requests, and the bytes match. The same client plan against the
# lab's nginx gives the same counts. Then a connection per run as fast as it
# goes, where TIME-WAIT must not starve the users of TCBs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

read -ra mem <<<"$LM_EAL_MEM"
ncpu=$(nproc)
# the two busy-polling workers on different CPUs where there are two
srv_cpu=$((1 % ncpu))
cli_cpu=0
trap 'rm -f "$LM_LAB_DIR"/memif-$$-*.sock; rm -rf /var/run/dpdk/lmf$$s /var/run/dpdk/lmf$$c; lm_cleanup_all' EXIT

jq -n '{name: "memif-server", ports: [{ip: "198.18.5.2", prefix: 24}],
	load: {duration_s: 20},
	servers: [{port: 0, listen: 80, http: {routes: [
		{path: "/small.bin", body: {size: 100}},
		{path: "/index.html", body: {size: 612}}]}}]}' >"$LM_TEST_DIR/server.json"
client_plan() { # FILE OUR_IP TARGET_IP
	jq -n --arg ip "$2" --arg t "$3" '{name: "b2b-client",
		ports: [{ip: $ip, prefix: 24}], target: {ip: $t, port: 80},
		load: {users: 8, duration_s: 30, max_runs: 3000},
		scenarios: [{name: "s", steps: [
			{name: "small", http: {path: "/small.bin", expect: {status: 200, body_bytes: 100}}},
			{name: "home", http: {path: "/index.html", expect: {status: 200}}}]}]}' >"$1"
}
client_plan "$LM_TEST_DIR/client.json" 198.18.5.1 198.18.5.2

# our server on a memif socket of its own (a memif peer that left is gone for good)
start_server() { # NAME: socket $LM_LAB_DIR/memif-$$-NAME.sock, summary NAME-s.json
	local sock=$LM_LAB_DIR/memif-$$-$1.sock
	ip netns exec "$LM_NS_SRV" timeout -k 5 40 "$LM_BIN" --lcores "0@$srv_cpu,1@$srv_cpu" --no-pci \
		"${mem[@]}" --file-prefix "lmf$$s" \
		--vdev="net_memif0,role=server,socket=$sock,socket-abstract=no" -- \
		--plan "$LM_TEST_DIR/server.json" --quiet --summary "$LM_TEST_DIR/$1-s.json" \
		>"$LM_TEST_DIR/$1.out" 2>&1 &
	SRV=$!
	for _ in $(seq 50); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || fail "the server made no memif socket: $(cat "$LM_TEST_DIR/$1.out")"
}
run_client() { # SERVER-NAME PLAN SUMMARY
	local rc=0
	ip netns exec "$LM_NS_CLI" timeout -k 5 40 "$LM_BIN" --lcores "0@$cli_cpu,1@$cli_cpu" --no-pci \
		"${mem[@]}" --file-prefix "lmf$$c" \
		--vdev="net_memif0,role=client,socket=$LM_LAB_DIR/memif-$$-$1.sock,socket-abstract=no" -- \
		--plan "$2" --quiet --summary "$3" >"$3.out" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { cat "$3.out"; fail "client ($2): exit status $rc"; }
	kill -INT "$SRV" 2>/dev/null || true
	wait "$SRV" || fail "server: exit status $? ($(tail -3 "$LM_TEST_DIR/$1.out"))"
}
start_server server
run_client server "$LM_TEST_DIR/client.json" "$LM_TEST_DIR/client-s.json"
C=$LM_TEST_DIR/client-s.json
S=$LM_TEST_DIR/server-s.json
assert_eq "$(jq '.totals.runs' "$C")" 3000 "runs"
assert_eq "$(jq '.totals.ok' "$C")" 6000 "requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$C"))"
assert_eq "$(jq '.server.requests' "$S")" 6000 "requests the server answered"
assert_eq "$(jq '.server.connections' "$S")" 8 "connections served"
assert_eq "$(jq '.totals.rx_bytes' "$C")" "$(jq '.server.tx_bytes' "$S")" "bytes received = bytes served"
echo "memif: 3000 runs, 6000 requests, the server answered all and sent $(jq '.server.tx_bytes' "$S") bytes"

# the same client plan against nginx in the lab
lm_access_reset
client_plan "$LM_TEST_DIR/client-nginx.json" "$LM_CLI_IP" "$LM_SRV_IP"
rc=0
lm_run --plan "$LM_TEST_DIR/client-nginx.json" --summary "$LM_TEST_DIR/nginx-s.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "against nginx: exit status $rc"; }
N=$LM_TEST_DIR/nginx-s.json
for k in runs requests ok failed; do
	assert_eq "$(jq ".totals.$k" "$N")" "$(jq ".totals.$k" "$C")" "$k: nginx against our server"
done
assert_eq "$(lm_access_wait 6000)" 6000 "nginx log lines"
echo "nginx: the same 3000 runs and 6000 requests"

# a connection per run, as fast as it goes: 256 users close by FIN and their
# TCBs enter TIME-WAIT (1 s) far faster than it frees them; the pool (two
# TCBs a user and 1024) must still give every user its next connection
jq -n '{name: "b2b-per-run", ports: [{ip: "198.18.5.1", prefix: 24}],
	target: {ip: "198.18.5.2", port: 80},
	load: {users: 256, duration_s: 30, max_runs: 60000},
	scenarios: [{name: "cpr", connection: "per_run", close: "fin", steps: [
		{name: "small", http: {path: "/small.bin", expect: {status: 200, body_bytes: 100}}}]}]}' \
	>"$LM_TEST_DIR/per-run.json"
start_server per-run-server
run_client per-run-server "$LM_TEST_DIR/per-run.json" "$LM_TEST_DIR/per-run-s.json"
P=$LM_TEST_DIR/per-run-s.json
S=$LM_TEST_DIR/per-run-server-s.json
assert_eq "$(jq '.totals.ok' "$P")" 60000 "per run: requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$P"))"
assert_eq "$(jq '.tcp.connections_opened' "$P")" 60000 "per run: connections opened"
assert_eq "$(jq '.server.requests' "$S")" 60000 "per run: requests the server answered"
assert_ge "$(jq '.tcp.time_wait_skipped' "$P")" 1 "per run: TIME-WAIT skipped under pool pressure"
echo "memif, a connection per run: 60000 runs ok on 60000 connections, $(jq '.tcp.time_wait_skipped' "$P") skipped TIME-WAIT"
