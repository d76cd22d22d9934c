#!/usr/bin/env bash
# Two workers on a port whose device has rte_flow: a net_tap port (two
# queues), whose kernel side lives in the client namespace, which routes
# between it and a veth into the server namespace, to nginx:
#
#   lemmings-dp 198.18.6.1 [net_tap] == tap 198.18.6.254 (client ns, forwarding)
#       == FS0 198.18.7.1 <-> FS1 198.18.7.2 (server ns, nginx on 198.18.0.2:80)
#
# At start-up lemmings-dp says whether the device took the steering rules:
#  - steered: every TCP segment reached its owner's queue, so nothing was
#    handed between workers (packets.redirected = 0);
#  - refused (the tap PMD of DPDK 22.11 takes no masked TCP port, and a
#    kernel without the flower classifier and the multiq qdisc takes no
#    rule at all): the line says why, and the hand-off did the work.
# Either way: exact counts (runs, requests ok, nginx's log lines), no
# segment handled by a worker that does not own its flow
# (tcp.segments_not_owner = 0, each worker's too), and the work split evenly
# (max_runs is split across workers: 1000 runs each, connections on both).
# Then the server role on the same port: 100 connections from curl in the
# server namespace (Linux connects from even ports only) to our server,
# every one answered, spread over both workers, none by a non-owner.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
export LM_WORKERS=2

P=${LM_NS_CLI%-cli}
TAP=$P-tap0
FS0=$P-fs0
FS1=$P-fs1
OUR_IP=198.18.6.1
TAP_IP=198.18.6.254
FS0_IP=198.18.7.1
FS1_IP=198.18.7.2
FWD_WAS=$(ip netns exec "$LM_NS_CLI" sysctl -n net.ipv4.ip_forward)
WAITER=""

cleanup() {
	if [ -n "$WAITER" ]; then
		kill "$WAITER" 2>/dev/null || true
		wait "$WAITER" 2>/dev/null || true
	fi
	ip -n "$LM_NS_CLI" link del "$FS0" 2>/dev/null || true
	ip netns exec "$LM_NS_CLI" sysctl -qw "net.ipv4.ip_forward=$FWD_WAS" || true
	lm_cleanup_all
}
trap cleanup EXIT

# the veth into the server namespace, and the routes both ways
ip -n "$LM_NS_CLI" link del "$FS0" 2>/dev/null || true
ip link add "$FS0" netns "$LM_NS_CLI" type veth peer name "$FS1" netns "$LM_NS_SRV"
ip -n "$LM_NS_CLI" addr add "$FS0_IP/24" dev "$FS0"
ip -n "$LM_NS_SRV" addr add "$FS1_IP/24" dev "$FS1"
for side in "$LM_NS_CLI $FS0" "$LM_NS_SRV $FS1"; do
	set -- $side
	ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null || true
	ip -n "$1" link set "$2" up
done
ip -n "$LM_NS_CLI" route add "$LM_SRV_IP/32" via "$FS1_IP" dev "$FS0"
ip -n "$LM_NS_SRV" route add 198.18.6.0/24 via "$FS0_IP" dev "$FS1"
ip netns exec "$LM_NS_CLI" sysctl -qw net.ipv4.ip_forward=1

# The tap appears when lemmings-dp starts (and goes when it stops): give its
# kernel side the gateway's address then, before our ARP requests give up.
tap_waiter() {
	for _ in $(seq 200); do
		if ip -n "$LM_NS_CLI" link show "$TAP" >/dev/null 2>&1; then
			ip netns exec "$LM_NS_CLI" sysctl -qw "net.ipv6.conf.$TAP.disable_ipv6=1" 2>/dev/null || true
			ip netns exec "$LM_NS_CLI" ethtool -K "$TAP" tx off tso off gso off gro off >/dev/null 2>&1 || true
			ip -n "$LM_NS_CLI" addr add "$TAP_IP/24" dev "$TAP"
			return 0
		fi
		sleep 0.05
	done
	echo "tap_waiter: $TAP never appeared" >&2
	return 1
}

jq -n --arg ip "$OUR_IP" --arg gw "$TAP_IP" --arg t "$LM_SRV_IP" '{
	ports: [{ip: $ip, prefix: 24, gateway: $gw}],
	target: {ip: $t, port: 80},
	load: {users: 8, duration_s: 60, max_runs: 2000},
	scenarios: [{name: "s", connection: "per_run", steps: [
		{name: "home", http: {path: "/index.html",
			headers: {"X-Token": "{{seq}}"}, expect: {status: 200}}}]}]}' \
	>"$LM_TEST_DIR/plan.json"

lm_access_reset
tap_waiter &
WAITER=$!
rc=0
LM_VDEVS="net_tap0,iface=$TAP" lm_run --plan "$LM_TEST_DIR/plan.json" \
	--summary "$LM_TEST_DIR/s.json" || rc=$?
wait "$WAITER" || { lm_show_run; fail "the tap's kernel side was not set up"; }
WAITER=""
line=$(grep "^port 0: " "$LM_STDOUT" || true)
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
assert_contains "$LM_STDOUT" "on 2 worker(s)"
assert_eq "$(jq '.totals.runs' "$S")" 2000 "runs"
assert_eq "$(jq '.totals.ok' "$S")" 2000 "requests ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_eq "$(jq '.tcp.connections_opened' "$S")" 2000 "connections (one per run)"
assert_eq "$(lm_access_wait 2000)" 2000 "nginx log lines"
tokens=$(awk '{ print $NF }' "$LM_ACCESS_LOG" | sort -u | wc -l)
assert_eq "$tokens" 2000 "distinct {{seq}} values in nginx's log"
assert_eq "$(awk '{ print $1 }' "$LM_ACCESS_LOG" | sort -u)" "$OUR_IP" "client address in nginx's log"

# flow ownership, in total and per worker
assert_eq "$(jq '.tcp.segments_not_owner' "$S")" 0 "segments handled by a worker that does not own their flow"
assert_eq "$(jq '.tcp.segments_no_connection' "$S")" 0 "segments reaching a worker without their connection"
assert_eq "$(jq '.packets.redirect_dropped' "$S")" 0 "handed-over packets dropped"
assert_eq "$(jq -c '[.workers[].segments_not_owner]' "$S")" "[0,0]" "each worker's not-owner segments"
assert_eq "$(jq -c '[.workers[].runs]' "$S")" "[1000,1000]" "runs per worker"
assert_eq "$(jq -c '[.workers[].connections_opened]' "$S")" "[1000,1000]" "connections per worker"
for k in 0 1; do
	assert_ge "$(jq ".workers[$k].rx" "$S")" 4000 "packets received by worker $k"
done

# steered: nothing crossed; else the line says why and the hand-off is on
# (ARP copies to the other worker count as handed over, so never 0 then)
check_steering() { # WHAT LINE SUMMARY
	local redirected
	redirected=$(jq '.packets.redirected' "$3")
	case "$2" in
	"port 0: flows steered by the NIC (rte_flow, "*" rules)")
		assert_eq "$redirected" 0 "$1: packets handed between workers (the NIC steered them all)"
		echo "$1: net_tap steered every flow, nothing handed over" ;;
	"port 0: net_tap cannot steer flows ("*"): packets handed between workers")
		assert_ge "$redirected" 1 "$1: packets handed to their owner"
		echo "$1: ${2#port 0: }; $redirected packets handed over, none handled by a non-owner" ;;
	*) lm_show_run; fail "$1: no start-up line about port 0's steering: '$2'" ;;
	esac
}
check_steering client "$line" "$S"

# --- the server role: connections opened by Linux clients
jq -n --arg ip "$OUR_IP" --arg gw "$TAP_IP" '{
	ports: [{ip: $ip, prefix: 24, gateway: $gw}],
	load: {duration_s: 90},
	servers: [{port: 0, listen: 80, http: {routes: [{path: "/small", body: {size: 100}}]}}]}' \
	>"$LM_TEST_DIR/server.json"
tap_waiter &
WAITER=$!
SS=$LM_TEST_DIR/server-s.json
# stopped through the API once curl is done (a busy host makes curl slow)
API=127.0.0.1:9377
(LM_VDEVS="net_tap0,iface=$TAP" LM_RUN_TIMEOUT=120 lm_run --plan "$LM_TEST_DIR/server.json" \
	--summary "$SS" --metrics "$API") &
RUN=$!
srv() { ip netns exec "$LM_NS_SRV" "$@"; }
# ready when it answers (the first attempts may find no tap yet)
first=0
for _ in $(seq 20); do
	if srv curl -s -m 2 -o /dev/null "http://$OUR_IP/small"; then first=1; break; fi
	sleep 0.2
done
assert_eq "$first" 1 "server: answering"
# 99 more, each curl on a connection of its own (bounded: 99 x 3 s at worst)
t0=$(date +%s%N)
ok=$(srv bash -c 'for _ in $(seq 99); do curl -s -m 3 -o /dev/null -w "%{http_code}\n" "$1"; done' \
	_ "http://$OUR_IP/small" | grep -c '^200$' || true)
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq "$ok" 99 "curl's answers"
ip netns exec "$LM_NS_CLI" curl -s -m 5 -o /dev/null -X POST "http://$API/api/stop" ||
	fail "server run: the API's stop"
wait "$RUN" || fail "server run: exit status $?"
wait "$WAITER" || fail "the tap's kernel side was not set up (server run)"
WAITER=""
LM_STDOUT=$LM_TEST_DIR/run2.out
assert_eq "$(jq '.server.requests' "$SS")" 100 "server: requests answered"
assert_eq "$(jq '.server.connections' "$SS")" 100 "server: connections accepted"
assert_eq "$(jq '.tcp.segments_not_owner' "$SS")" 0 "server: segments handled by a worker that does not own their flow"
assert_eq "$(jq -c '[.workers[].segments_not_owner]' "$SS")" "[0,0]" "server: each worker's not-owner segments"
# even client ports, halved, split about evenly
for k in 0 1; do
	assert_ge "$(jq ".workers[$k].syn_received" "$SS")" 30 "server: connections opened at worker $k"
done
check_steering server "$(grep "^port 0: " "$LM_STDOUT" || true)" "$SS"
echo "server: 100 connections from curl (99 in $ms ms), $(jq -c '[.workers[].syn_received]' "$SS") per worker; tcp: $(jq -c '.tcp | {paws_dropped, rst_sent, segments_no_connection, retransmits}' "$SS")"
