#!/usr/bin/env bash
# Two lemmings-dp processes joined by net_memif, no kernel between them: a
# server-only plan in one, a client plan in the other (the topology of the
# speed benchmark). Every request ok, the server answered exactly the
# client's requests, and the bytes match. The same client plan against the
# lab's nginx gives the same counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SOCK=$LM_LAB_DIR/memif-$$.sock
read -ra mem <<<"$LM_EAL_MEM"
ncpu=$(nproc)
# the two busy-polling workers on different CPUs where there are two
srv_cpu=$((1 % ncpu))
cli_cpu=0
trap 'rm -f "$SOCK"; rm -rf /var/run/dpdk/lmf$$s /var/run/dpdk/lmf$$c; lm_cleanup_all' EXIT

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

ip netns exec "$LM_NS_SRV" timeout -k 5 40 "$LM_BIN" --lcores "0@$srv_cpu,1@$srv_cpu" --no-pci \
	"${mem[@]}" --file-prefix "lmf$$s" \
	--vdev="net_memif0,role=server,socket=$SOCK,socket-abstract=no" -- \
	--plan "$LM_TEST_DIR/server.json" --quiet --summary "$LM_TEST_DIR/server-s.json" \
	>"$LM_TEST_DIR/server.out" 2>&1 &
SRV=$!
for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
[ -S "$SOCK" ] || fail "the server made no memif socket: $(cat "$LM_TEST_DIR/server.out")"
rc=0
ip netns exec "$LM_NS_CLI" timeout -k 5 40 "$LM_BIN" --lcores "0@$cli_cpu,1@$cli_cpu" --no-pci \
	"${mem[@]}" --file-prefix "lmf$$c" \
	--vdev="net_memif0,role=client,socket=$SOCK,socket-abstract=no" -- \
	--plan "$LM_TEST_DIR/client.json" --quiet --summary "$LM_TEST_DIR/client-s.json" \
	>"$LM_TEST_DIR/client.out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$LM_TEST_DIR/client.out"; fail "client: exit status $rc"; }
kill -INT "$SRV" 2>/dev/null || true
wait "$SRV" || fail "server: exit status $? ($(tail -3 "$LM_TEST_DIR/server.out"))"
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
