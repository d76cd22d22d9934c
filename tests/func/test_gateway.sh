#!/usr/bin/env bash
# One lemmings-dp process on both sides of a device under test: our client
# on port 0, our server on port 1, a Linux router between them (lm_router_up).
#  - keep-alive and connection-per-run workloads: every request ok, bodies
#    checked (length and CRC-32C), the server answered as many requests as
#    the client made, and the response bytes the client received are those
#    the server sent;
#  - through a NAT (the router masquerades with nftables): all ok, and the
#    server's port received its requests from the router's address.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_router_up
export LM_IFACES="$LM_GW_IF0 $LM_GW_IF1"
crc=$("$LM_TESTSRV_BIN" --crc-of-gen 65536 5)

plan() { # FILE CONNECTION
	jq -n --arg ip0 "$LM_GW_IP0" --arg gw0 "$LM_GW_RTR0" \
		--arg ip1 "$LM_GW_IP1" --arg gw1 "$LM_GW_RTR1" \
		--arg conn "$2" --arg crc "$crc" '{
		ports: [{ip: $ip0, prefix: 24, gateway: $gw0}, {ip: $ip1, prefix: 24, gateway: $gw1}],
		target: {ip: $ip1, port: 80},
		load: {users: 4, duration_s: 60, max_runs: 300},
		servers: [{port: 1, listen: 80, http: {routes: [
			{path: "/small", body: {size: 100}},
			{path: "/big", body: {size: 65536, seed: 5}}]}}],
		scenarios: [{name: "s", connection: $conn, steps: [
			{name: "small", http: {path: "/small", expect: {status: 200, body_bytes: 100}}},
			{name: "big", http: {path: "/big",
				expect: {status: 200, body_bytes: 65536, body_crc32c: $crc}}}]}]}' >"$1"
}

check() { # SUMMARY WHAT
	local s=$1
	assert_eq "$(jq '.totals.runs' "$s")" 300 "$2: runs"
	assert_eq "$(jq '.totals.ok' "$s")" 600 "$2: requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$s"))"
	assert_eq "$(jq '.server.requests' "$s")" 600 "$2: requests the server answered"
	assert_eq "$(jq '.totals.rx_bytes' "$s")" "$(jq '.server.tx_bytes' "$s")" "$2: bytes received = bytes served"
	assert_eq "$(jq '.server.bad_requests' "$s")" 0 "$2: bad requests"
	assert_eq "$(jq -c '[.server.routes[] | .requests]' "$s")" "[300,300,0]" "$2: responses per route (/small, /big, default)"
}

for conn in keep_alive per_run; do
	plan "$LM_TEST_DIR/$conn.json" "$conn"
	rc=0
	lm_run --plan "$LM_TEST_DIR/$conn.json" --summary "$LM_TEST_DIR/$conn-s.json" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$conn: exit status $rc"; }
	check "$LM_TEST_DIR/$conn-s.json" "$conn"
	echo "$conn: 600 requests through the router, $(jq '.server.connections' "$LM_TEST_DIR/$conn-s.json") connections served"
done
assert_eq "$(jq '.server.connections' "$LM_TEST_DIR/keep_alive-s.json")" 4 "keep_alive: connections"
assert_eq "$(jq '.server.connections' "$LM_TEST_DIR/per_run-s.json")" 300 "per_run: connections"

# NAT: the router rewrites the client's address to its own on the server's side
ip netns exec "$LM_ROUTER_NS" nft -f - <<NFT
table ip lm_nat {
	chain post {
		type nat hook postrouting priority srcnat;
		oifname "${LM_NS_CLI%-cli}-r1" counter masquerade
	}
	chain seen {
		type filter hook postrouting priority 300;
		oifname "${LM_NS_CLI%-cli}-r1" ip saddr $LM_GW_RTR1 tcp dport 80 counter
	}
}
NFT
rc=0
lm_run --plan "$LM_TEST_DIR/keep_alive.json" --summary "$LM_TEST_DIR/nat-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "nat: exit status $rc"; }
check "$LM_TEST_DIR/nat-s.json" nat
counters=$(ip netns exec "$LM_ROUTER_NS" nft list table ip lm_nat | awk '/counter packets/ { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }' | tr '\n' ' ')
read -r masq seen <<<"$counters"
assert_ge "$masq" 1 "nat: connections masqueraded"
assert_ge "$seen" 600 "nat: packets to the server from the router's address"
echo "nat: 600 requests, $seen packets reached the server from $LM_GW_RTR1"
