#!/usr/bin/env bash
# tests/func/test_xdp_loss.sh — lm-xdp-loss (tools/xdp): the XDP loss program drops the
# fraction asked for, --only-tcp spares everything but IPv4/TCP, stats counts, detach
# leaves nothing behind. Runs in two namespaces of its own (xl-loss-a, xl-loss-b) joined
# by a veth pair (198.19.255.1/30 <-> 198.19.255.2/30), pinging from a to b with the
# program on b's ingress; then attaches and detaches once on the lab's server interface.
#
# usage: tools/lab up && bash tests/func/test_xdp_loss.sh
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

XDP=${LM_XDP_LOSS:-$LM_ROOT/build/tools/xdp/lm-xdp-loss}
NS_A=xl-loss-a
NS_B=xl-loss-b
IF_A=xl-loss-va
IF_B=xl-loss-vb
IP_A=198.19.255.1
IP_B=198.19.255.2
SRV_ATTACHED=0

[ -x "$XDP" ] || fail "$XDP missing: build it first (meson setup build && ninja -C build)"

cleanup() {
	if [ "$SRV_ATTACHED" -eq 1 ]; then
		lm_srv "$XDP" detach "$LM_IF_SRV" >/dev/null 2>&1 || true
	fi
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}
trap cleanup EXIT

xa() { ip netns exec "$NS_A" "$@"; }
xb() { ip netns exec "$NS_B" "$@"; }

# A fresh pair: remove what an interrupted run left behind first.
cleanup
ip netns add "$NS_A"
ip netns add "$NS_B"
ip -n "$NS_A" link add "$IF_A" type veth peer name "$IF_B" netns "$NS_B"
ip -n "$NS_A" addr add "$IP_A/30" dev "$IF_A"
ip -n "$NS_B" addr add "$IP_B/30" dev "$IF_B"
ip -n "$NS_A" link set "$IF_A" up
ip -n "$NS_B" link set "$IF_B" up
# Static neighbours: a dropped ARP packet must not turn into extra ping losses.
mac_a=$(xa cat "/sys/class/net/$IF_A/address")
mac_b=$(xb cat "/sys/class/net/$IF_B/address")
ip -n "$NS_A" neigh replace "$IP_B" lladdr "$mac_b" dev "$IF_A" nud permanent
ip -n "$NS_B" neigh replace "$IP_A" lladdr "$mac_a" dev "$IF_B" nud permanent

# ping_lost N: send N pings from a to b (10 ms apart), print how many got no reply.
ping_lost() {
	local n=$1 out recv
	out=$(xa ping -n -c "$n" -i 0.01 -W 1 -q "$IP_B" 2>&1 || true)
	recv=$(sed -n 's/.* \([0-9][0-9]*\) received.*/\1/p' <<<"$out")
	[ -n "$recv" ] || fail "ping output not understood: $out"
	echo $((n - recv))
}

# stats_field NAME: the "passed" or "dropped" count of the program on b.
stats_field() {
	local out
	out=$(xb "$XDP" stats "$IF_B") || fail "stats failed: $out"
	[[ $out =~ ^passed\ ([0-9]+)\ dropped\ ([0-9]+)$ ]] || fail "stats output: '$out'"
	if [ "$1" = passed ]; then echo "${BASH_REMATCH[1]}"; else echo "${BASH_REMATCH[2]}"; fi
}

xdp_attached() { # xdp_attached NS IF: 0 when ip link shows an XDP program on IF
	ip -n "$1" link show dev "$2" | grep -qE 'xdp|prog/xdp'
}

assert_eq "$(ping_lost 20)" 0 "pings lost before any program"

# Bad usage and failures.
rc=0; xb "$XDP" attach "$IF_B" 2>/dev/null || rc=$?
assert_eq "$rc" 2 "attach without --drop"
rc=0; xb "$XDP" attach "$IF_B" --drop 1.5 2>/dev/null || rc=$?
assert_eq "$rc" 2 "attach --drop 1.5"
rc=0; xb "$XDP" frobnicate "$IF_B" 2>/dev/null || rc=$?
assert_eq "$rc" 2 "unknown command"
rc=0; xb "$XDP" stats xl-no-such-if 2>/dev/null || rc=$?
assert_eq "$rc" 1 "stats on a missing interface"
rc=0; xb "$XDP" stats "$IF_B" 2>"$LM_TEST_DIR/none.err" || rc=$?
assert_eq "$rc" 1 "stats with no program attached"
assert_contains "$LM_TEST_DIR/none.err" "no XDP program attached"

# Half of the echo requests dropped on b's ingress: 200 pings, expect 35 %..65 % lost.
xb "$XDP" attach "$IF_B" --drop 0.5 >/dev/null || fail "attach --drop 0.5"
xdp_attached "$NS_B" "$IF_B" || fail "no XDP program shown on $IF_B after attach"
lost=$(ping_lost 200)
echo "drop 0.5: $lost of 200 pings lost"
assert_ge "$lost" 70 "pings lost at --drop 0.5"
assert_le "$lost" 130 "pings lost at --drop 0.5"
dropped=$(stats_field dropped)
passed=$(stats_field passed)
echo "stats: passed $passed dropped $dropped"
assert_ge "$dropped" "$lost" "dropped count"
assert_ge "$passed" $((200 - lost)) "passed count"

# set: the same program, now dropping nothing.
xb "$XDP" set "$IF_B" --drop 0 >/dev/null || fail "set --drop 0"
assert_eq "$(ping_lost 100)" 0 "pings lost at --drop 0"
assert_eq "$(stats_field dropped)" "$dropped" "dropped count after set --drop 0"

# attach again replaces ours: everything but IPv4/TCP passes, TCP is all dropped.
xb "$XDP" attach "$IF_B" --drop 100% --only-tcp >/dev/null || fail "attach --only-tcp"
assert_eq "$(ping_lost 100)" 0 "pings lost at --drop 1.0 --only-tcp"
assert_eq "$(stats_field dropped)" 0 "dropped count of the new program after pings"
# Nothing listens on b: a SYN that gets through is refused at once (exit 1); a dropped
# one leaves connect() waiting until timeout stops it (exit 124).
rc=0; xa timeout 2 bash -c "exec 3<>/dev/tcp/$IP_B/9" 2>/dev/null || rc=$?
assert_eq "$rc" 124 "TCP connect through --drop 1.0 --only-tcp"
assert_ge "$(stats_field dropped)" 1 "TCP SYNs dropped"

# detach: no program left; TCP is refused again, pings all pass.
xb "$XDP" detach "$IF_B" >/dev/null || fail "detach"
if xdp_attached "$NS_B" "$IF_B"; then
	fail "an XDP program is still shown on $IF_B after detach"
fi
rc=0; xb "$XDP" detach "$IF_B" 2>/dev/null || rc=$?
assert_eq "$rc" 1 "detach with nothing attached"
rc=0; xa timeout 2 bash -c "exec 3<>/dev/tcp/$IP_B/9" 2>/dev/null || rc=$?
assert_eq "$rc" 1 "TCP connect after detach (refused)"
assert_eq "$(ping_lost 20)" 0 "pings lost after detach"

# The lab's server interface, where functional tests use it: attach (dropping nothing),
# read, detach, nothing left.
lm_srv "$XDP" attach "$LM_IF_SRV" --drop 0 --only-tcp >/dev/null || fail "attach on $LM_IF_SRV"
SRV_ATTACHED=1
out=$(lm_srv "$XDP" stats "$LM_IF_SRV") || fail "stats on $LM_IF_SRV"
[[ $out =~ ^passed\ [0-9]+\ dropped\ 0$ ]] || fail "stats on $LM_IF_SRV: '$out'"
lm_srv "$XDP" detach "$LM_IF_SRV" >/dev/null || fail "detach on $LM_IF_SRV"
SRV_ATTACHED=0
if xdp_attached "$LM_NS_SRV" "$LM_IF_SRV"; then
	fail "an XDP program is still shown on $LM_IF_SRV after detach"
fi

echo "PASS"
