#!/usr/bin/env bash
# --xdp: lemmings-dp shares the lab's client interface with the kernel over
# AF_XDP, its XDP program (dataplane/bpf/steer.bpf.c) steering only our
# addresses' packets to us (docs/xdp.md).
#
# The kernel gets an address of its own on that interface (198.18.0.3/24,
# removed at the end) and keeps fetching /big.bin from nginx with curl in a
# loop while lemmings-dp runs its plans on the same interface:
#  - control: a run over net_af_packet, which takes a copy of every frame
#    and steals none, shows that the kernel's IpInAddrErrors counts the
#    packets it sees for an address it does not hold;
#  - over --xdp: 3000 keep-alive runs from 198.18.0.1, then 1000 runs with a
#    connection each from client_ips 198.18.0.10-198.18.0.13; every count is
#    exact (runs, ok, nginx's log lines per address), every kernel transfer
#    during them succeeds, and the kernel saw none of our packets: its
#    IpInAddrErrors, TcpOutRsts and TcpExtTCPAbort* do not move;
#  - our HTTP server over --xdp answers curl from the server namespace, and
#    ping reaches both our address and the kernel's;
#  - no program is left on the interface after a normal exit or SIGINT;
#    after SIGKILL ours stays (steering nothing the kernel needs: curl still
#    works), and the next run replaces it, saying so;
#  - someone else's program on the interface is refused (exit status 3) and
#    left in place;
#  - two workers are refused: the veth offers net_af_xdp one queue.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

export LM_VDEVS=none # the port comes from --xdp
KIP=198.18.0.3
XDP_LOSS=${LM_XDP_BIN:-$LM_ROOT/build/tools/xdp/lm-xdp-loss}
STOP=$LM_TEST_DIR/kernel.stop
KLOG=$LM_TEST_DIR/kernel.log
KPID=""
RUN=""

command -v bpftool >/dev/null || fail "bpftool missing (tools/deps installs it)"
[ -x "$XDP_LOSS" ] || fail "$XDP_LOSS missing: build first"

cli() { ip netns exec "$LM_NS_CLI" "$@"; }

kernel_stop() {
	if [ -n "$KPID" ]; then
		touch "$STOP"
		wait "$KPID" 2>/dev/null || true
		KPID=""
	fi
}

cleanup() {
	kernel_stop
	if [ -n "$RUN" ]; then # the server's run, after a failed check
		kill -INT "$RUN" 2>/dev/null || true
		wait "$RUN" 2>/dev/null || true
	fi
	cli "$XDP_LOSS" detach "$LM_IF_CLI" >/dev/null 2>&1 || true
	# a steering program that a failed check left behind
	if cli bpftool net show dev "$LM_IF_CLI" 2>/dev/null | grep -q ' id '; then
		ip -n "$LM_NS_CLI" link set dev "$LM_IF_CLI" xdp off 2>/dev/null || true
	fi
	ip -n "$LM_NS_CLI" addr del "$KIP/24" dev "$LM_IF_CLI" 2>/dev/null || true
}
trap cleanup EXIT

# xdp_prog: the XDP program on the interface, "ID NAME" (both ip and bpftool
# must agree), or nothing
xdp_prog() {
	local id bid
	id=$(ip -d -n "$LM_NS_CLI" link show dev "$LM_IF_CLI" |
		sed -n 's/.*prog\/xdp id \([0-9]*\) name \([^ ]*\).*/\1 \2/p')
	bid=$(cli bpftool net show dev "$LM_IF_CLI" | sed -n 's/.* id \([0-9]*\)$/\1/p')
	[ "${id%% *}" = "$bid" ] || fail "ip says XDP program '$id', bpftool says '$bid'"
	echo "$id"
}

assert_no_prog() { # WHAT
	local p
	p=$(xdp_prog)
	[ -z "$p" ] || fail "$1: XDP program left on $LM_IF_CLI: $p"
}

# counters: the kernel's counters in the client namespace that would move if
# it saw our packets, "IpInAddrErrors TcpOutRsts TcpExtTCPAbort*(sum)"
counters() {
	cli nstat -asz | awk '
		$1 == "IpInAddrErrors" { a = $2 }
		$1 == "TcpOutRsts" { r = $2 }
		$1 ~ /^TcpExtTCPAbort/ { t += $2 }
		END { printf "%d %d %d\n", a, r, t }'
}

# kernel_start: curl (the kernel's TCP, from $KIP) fetches /big.bin in a loop
# until kernel_stop; one line per transfer in $KLOG: "CODE BYTES" or "curl N"
kernel_start() {
	rm -f "$STOP"
	: >"$KLOG"
	(
		while [ ! -e "$STOP" ]; do
			r=$(cli curl -s -o /dev/null --interface "$KIP" --max-time 10 \
				--limit-rate 20M -w '%{http_code} %{size_download}' \
				"http://$LM_SRV_IP/big.bin") || r="curl $?"
			echo "$r" >>"$KLOG"
		done
	) </dev/null &
	KPID=$!
}

run_xdp() { # ARGS...: lm_run with --xdp on the lab's interface
	lm_run --xdp "$LM_IF_CLI" "$@"
}

ip -n "$LM_NS_CLI" addr add "$KIP/24" dev "$LM_IF_CLI"
r=$(cli curl -s -o /dev/null --interface "$KIP" --max-time 5 -w '%{http_code}' \
	"http://$LM_SRV_IP/small.bin") || true
assert_eq "$r" 200 "the kernel's own fetch from $KIP"
assert_no_prog "before the first run"

# 8 users, each a request every 10 ms or so: the 3000 runs take about 4 s
lm_plan_lab "$LM_TEST_DIR/ka.json" '{"users": 8, "duration_s": 60, "max_runs": 3000}' '[
  {"name": "ka", "steps": [{"name": "get", "http": {"path": "/small.bin", "expect": {"status": 200}}},
                           {"think": {"constant_ms": 10}}]}]'

# control: net_af_packet lets the kernel see every frame, ours included
c0=$(counters)
rc=0
LM_VDEVS="" lm_run --plan "$LM_TEST_DIR/ka.json" --max-runs 200 --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "control run over net_af_packet: exit status $rc"; }
c1=$(counters)
seen=$(( ${c1%% *} - ${c0%% *} ))
echo "control (net_af_packet): the kernel counted $seen packets to an address it does not hold"
assert_ge "$seen" 200 "control: IpInAddrErrors during 200 runs over net_af_packet"

# over AF_XDP, with the kernel's transfers going on throughout
lm_access_reset
kernel_start
sleep 1
c0=$(counters)
rc=0
run_xdp --plan "$LM_TEST_DIR/ka.json" --summary "$LM_TEST_DIR/ka-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "keep-alive run over --xdp: exit status $rc"; }
cat "$LM_STDOUT"
S=$LM_TEST_DIR/ka-s.json
assert_contains "$LM_STDOUT" "port 0: AF_XDP on $LM_IF_CLI (1 queue), XDP program id"
assert_contains "$LM_STDOUT" "steers to us: $LM_CLI_IP; the kernel keeps the rest"
assert_eq "$(jq '.totals.runs' "$S")" 3000 "keep-alive: runs"
assert_eq "$(jq '.totals.ok' "$S")" 3000 "keep-alive: ok"
assert_eq "$(jq '.tcp.retransmits' "$S")" 0 "keep-alive: retransmissions"
assert_eq "$(lm_access_wait 3000 "^${LM_CLI_IP//./\\.} ")" 3000 "keep-alive: nginx log lines from $LM_CLI_IP"
steered=$(sed -n 's/^xdp .*: steered to us \([0-9]*\) IPv4 and \([0-9]*\) ARP packets (0 found no socket).*/\1 \2/p' "$LM_STDOUT")
[ -n "$steered" ] || fail "no (or an unexpected) xdp counters line in $LM_STDOUT"
assert_ge "${steered% *}" 3000 "keep-alive: IPv4 packets steered to us"
assert_ge "${steered#* }" 1 "keep-alive: ARP packets steered to us"
assert_no_prog "after a normal exit"

lm_plan_lab "$LM_TEST_DIR/cps.json" '{"users": 8, "duration_s": 60, "max_runs": 1000}' '[
  {"name": "cps", "connection": "per_run", "steps": [{"http": {"path": "/small.bin", "expect": {"status": 200}}}]}]'
jq '.ports[0].client_ips = "198.18.0.10-198.18.0.13"' "$LM_TEST_DIR/cps.json" >"$LM_TEST_DIR/cps2.json"
rc=0
run_xdp --plan "$LM_TEST_DIR/cps2.json" --summary "$LM_TEST_DIR/cps-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "connection-per-run over --xdp: exit status $rc"; }
S=$LM_TEST_DIR/cps-s.json
assert_contains "$LM_STDOUT" "steers to us: $LM_CLI_IP, 198.18.0.10-198.18.0.13; the kernel keeps the rest"
assert_eq "$(jq '.totals.ok' "$S")" 1000 "connection per run: ok"
assert_eq "$(jq '.tcp.connections_opened' "$S")" 1000 "connection per run: connections"
for a in 10 11 12 13; do
	assert_eq "$(lm_access_wait 250 "^198\\.18\\.0\\.$a ")" 250 "connection per run: nginx log lines from 198.18.0.$a"
done
assert_no_prog "after the connection-per-run run"
sleep 1
c1=$(counters)
kernel_stop

read -r a0 r0 t0 <<<"$c0"
read -r a1 r1 t1 <<<"$c1"
echo "kernel counters over the --xdp runs: IpInAddrErrors +$((a1 - a0)), TcpOutRsts +$((r1 - r0)), TcpExtTCPAbort* +$((t1 - t0))"
assert_eq "$((a1 - a0))" 0 "packets for our addresses that reached the kernel (IpInAddrErrors)"
assert_eq "$((r1 - r0))" 0 "RSTs sent by the kernel (TcpOutRsts)"
assert_eq "$((t1 - t0))" 0 "connections the kernel aborted (TcpExtTCPAbort*)"
n=$(wc -l <"$KLOG")
good=$(grep -cx '200 1048576' "$KLOG" || true)
echo "kernel: $good of $n transfers of /big.bin complete during the runs"
assert_ge "$n" 3 "the kernel's transfers during the runs"
assert_eq "$good" "$n" "the kernel's transfers that succeeded ($(sort "$KLOG" | uniq -c | tr '\n' ';'))"
assert_eq "$(lm_access_count "^${KIP//./\\.} GET /big.bin 200 1048576 ")" "$n" "nginx log lines of the kernel's transfers"

# a server over --xdp: the kernel's clients in the server namespace reach it,
# and ping finds both our address (we answer) and the kernel's on the same
# interface (the kernel answers)
jq --arg ip "$LM_CLI_IP" '.ports[0].ip = $ip | .load.duration_s = 0' \
	"$LM_ROOT/scenarios/server-http.json" >"$LM_TEST_DIR/server.json"
_lm_prepare --xdp "$LM_IF_CLI" --plan "$LM_TEST_DIR/server.json" \
	--summary "$LM_TEST_DIR/server-s.json" --quiet
timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]:0:4}" env --default-signal=INT \
	"${LM_CMD[@]:4}" >"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
RUN=$!
for _ in $(seq 50); do
	lm_srv curl -s -m 1 -o /dev/null "http://$LM_CLI_IP/hello" && break
	sleep 0.2
done
for _ in $(seq 20); do
	r=$(lm_srv curl -s -m 5 -o /dev/null -w '%{http_code} %{size_download}' "http://$LM_CLI_IP/small") || true
	assert_eq "$r" "200 100" "our server's /small over --xdp"
done
lm_srv ping -n -c 3 -i 0.2 -W 1 -q "$LM_CLI_IP" >/dev/null || fail "no answer to ping $LM_CLI_IP (ours)"
lm_srv ping -n -c 3 -i 0.2 -W 1 -q "$KIP" >/dev/null || fail "no answer to ping $KIP (the kernel's)"
kill -INT "$RUN"
rc=0
wait "$RUN" || rc=$?
RUN=""
_lm_done "$rc"
[ "$rc" -eq 0 ] || { lm_show_run; fail "server over --xdp: exit status $rc"; }
assert_ge "$(jq '.server.requests' "$LM_TEST_DIR/server-s.json")" 21 "server over --xdp: requests answered"
assert_no_prog "after the server's run"

# SIGINT: the run stops gracefully and takes its program along
lm_plan_lab "$LM_TEST_DIR/long.json" '{"users": 4, "duration_s": 30}' '[
  {"name": "s", "steps": [{"http": {"path": "/small.bin"}}]}]'
rc=0
lm_run_signal INT 2 --xdp "$LM_IF_CLI" --plan "$LM_TEST_DIR/long.json" \
	--summary "$LM_TEST_DIR/int-s.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "SIGINT: exit status $rc"; }
assert_ge "$(jq '.totals.ok' "$LM_TEST_DIR/int-s.json")" 1 "SIGINT: requests ok"
assert_no_prog "after SIGINT"

# SIGKILL: the program stays; it steers nothing the kernel needs
rc=0
lm_run_signal KILL 2 --xdp "$LM_IF_CLI" --plan "$LM_TEST_DIR/long.json" --quiet || rc=$?
assert_eq "$rc" 137 "SIGKILL: exit status"
stale=$(xdp_prog)
assert_eq "${stale#* }" lm_xdp_steer "SIGKILL: the program left on $LM_IF_CLI"
r=$(cli curl -s -o /dev/null --interface "$KIP" --max-time 5 -w '%{http_code}' \
	"http://$LM_SRV_IP/small.bin") || true
assert_eq "$r" 200 "the kernel's fetch with the stale program attached"
# the next run replaces it, and says so
lm_access_reset
rc=0
run_xdp --plan "$LM_TEST_DIR/ka.json" --max-runs 300 --summary "$LM_TEST_DIR/next-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "the run after SIGKILL: exit status $rc"; }
assert_contains "$LM_STDOUT" "$LM_IF_CLI: replacing a stale steering program (id ${stale%% *}, "
assert_eq "$(jq '.totals.ok' "$LM_TEST_DIR/next-s.json")" 300 "after SIGKILL: ok"
assert_eq "$(lm_access_wait 300 "^${LM_CLI_IP//./\\.} ")" 300 "after SIGKILL: nginx log lines"
assert_no_prog "after the run that replaced the stale program"

# someone else's program: refused, left alone
cli "$XDP_LOSS" attach "$LM_IF_CLI" --drop 0 >/dev/null || fail "cannot attach lm-xdp-loss"
foreign=$(xdp_prog)
rc=0
run_xdp --plan "$LM_TEST_DIR/ka.json" --max-runs 10 || rc=$?
assert_eq "$rc" 3 "a run on an interface with someone else's XDP program: exit status"
assert_contains "$LM_STDERR" "$LM_IF_CLI: another XDP program is attached (id ${foreign%% *}, name \"lm_xdp_loss\""
assert_eq "$(xdp_prog)" "$foreign" "the other program after the refusal"
cli "$XDP_LOSS" detach "$LM_IF_CLI" >/dev/null || fail "cannot detach lm-xdp-loss"
assert_no_prog "after lm-xdp-loss detach"

# two workers need two queues: a veth has no combined channels, which is
# what DPDK 22.11's net_af_xdp counts, so it offers one (docs/xdp.md)
rc=0
LM_WORKERS=2 run_xdp --plan "$LM_TEST_DIR/ka.json" --max-runs 10 || rc=$?
assert_eq "$rc" 3 "two workers on --xdp $LM_IF_CLI: exit status"
assert_contains "$LM_STDERR" "has 1 RX / 1 TX queues, 2 workers need 2 of each (--xdp IFACE:2"
rc=0
LM_WORKERS=2 lm_run --xdp "$LM_IF_CLI:2" --plan "$LM_TEST_DIR/ka.json" --max-runs 10 || rc=$?
assert_eq "$rc" 3 "--xdp $LM_IF_CLI:2: exit status"
assert_contains "$LM_STDERR" "Specified queue count 2 is larger than combined queue count 1"
assert_contains "$LM_STDERR" "error: --xdp: the EAL did not create the AF_XDP port"
assert_no_prog "after the refused two-worker runs"

echo "ok: $good kernel transfers beside 4300 runs over AF_XDP; nothing left on $LM_IF_CLI"
