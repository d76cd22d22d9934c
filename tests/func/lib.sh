# tests/func/lib.sh — helpers for the functional tests (source it; needs a lab that is up).
# shellcheck shell=bash
#
# usage, in tests/func/test_NAME.sh:
#   . "$(dirname "$0")/lib.sh"
#   lm_access_reset
#   lm_plan_write "$LM_TEST_DIR/plan.json" <<'JSON'
#   { ... }
#   JSON
#   rc=0; lm_run --plan "$LM_TEST_DIR/plan.json" --duration 2 || rc=$?
#   assert_eq "$rc" 0 "exit status"
#   assert_ge "$(lm_access_count ' GET /small.bin 200 ')" 1 "requests seen by nginx"
#
# Exit 0 = pass, 77 = skipped (lm_skip), anything else = fail.
#
# Environment (set by tools/check; defaults work for a lab brought up by hand):
#   LM_LAB_ENV       lab.env written by 'tools/lab up' (default /run/lemmings-lab/lm/lab.env)
#   LM_BIN           the binary (default build/lemmings-dp in the repository; tools/check
#                    sets it empty when the build failed, so that lm_run fails at once)
#   LM_FUNC_LOG_DIR  where each test keeps its files (default /tmp/lemmings-func)
#   LM_RUN_TIMEOUT   seconds before lm_run stops the binary (default 60)
#
# After lm_run / lm_run_signal: LM_RC (exit status), LM_STDOUT and LM_STDERR (files),
# LM_CMD (the command line that ran).

LM_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LM_LAB_ENV=${LM_LAB_ENV:-/run/lemmings-lab/lm/lab.env}
if [ ! -r "$LM_LAB_ENV" ]; then
	echo "FAIL: $LM_LAB_ENV missing: run 'tools/lab up' first" >&2
	exit 1
fi
# shellcheck source=/dev/null
. "$LM_LAB_ENV"
LM_BIN=${LM_BIN-$LM_ROOT/build/lemmings-dp}
LM_TEST_NAME=$(basename "$0" .sh)
LM_TEST_DIR=${LM_FUNC_LOG_DIR:-/tmp/lemmings-func}/$LM_TEST_NAME.d
rm -rf "$LM_TEST_DIR"
mkdir -p "$LM_TEST_DIR"
# Every test starts with no connection left in the server namespace by an
# earlier one: a run that ended without closing (killed, a second signal)
# leaves nginx's side open, and nginx's keep-alive timeout (60 s) would
# later send its FIN to our address, in the middle of another test, which
# rightly answers RST and counts a segment without a connection. The
# kernel aborts them (a RST to whoever is there: no one between tests).
# (Not for a test that needs no lab: its env file names no server namespace.)
[ -z "${LM_NS_SRV:-}" ] ||
	ip netns exec "$LM_NS_SRV" ss -K -Htan state connected >/dev/null 2>&1 || true
LM_RUN_N=0
LM_STDOUT=""
LM_STDERR=""
LM_RC=0

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

lm_skip() {
	echo "SKIP: $*"
	exit 77
}

assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"
}

assert_ge() {
	[ "$1" -ge "$2" ] || fail "${3:-too small}: got $1, expected >= $2"
}

assert_le() {
	[ "$1" -le "$2" ] || fail "${3:-too large}: got $1, expected <= $2"
}

assert_contains() {
	grep -qF -- "$2" "$1" || fail "'$2' not found in $1"
}

# _lm_prepare ARGS...: set LM_CMD (the command line), LM_PREFIX, LM_STDOUT, LM_STDERR.
# LM_WORKERS=N (default 1) runs N worker lcores, spread over the machine's CPUs, on N
# queue pairs of the lab port (the kernel's fanout spreads flows over them by hash, so
# the workers hand each other what they do not own).
# LM_IFACES="IF0 IF1 ..." (interfaces in the client namespace) gives the run those
# ports, in that order, instead of the lab's one.
# LM_VDEVS="VDEV ..." gives the run those --vdev devices instead (e.g.
# "net_tap0,iface=NAME"), as they are: queues are the device's business;
# LM_VDEVS=none gives it none (a run whose port comes from --xdp IFACE).
_lm_prepare() {
	local -a mem cores vdevs=()
	local i=0 ifc
	# framecnt: 4096 frames (8 MB) per ring instead of 512, so that a worker
	# kept off its CPU for a moment (the lab shares two CPUs with nginx and
	# the kernel) does not see the kernel drop packets at a full RX ring:
	# the tests count retransmissions, and those drops would make some
	local n=${LM_WORKERS:-1} ncpu k map vopt=",framecnt=4096"
	[ -n "$LM_BIN" ] || fail "no lemmings-dp binary: ${LM_BIN_NOTE:-LM_BIN is empty}"
	[ -x "$LM_BIN" ] || fail "$LM_BIN missing: build it first (meson setup build && ninja -C build)"
	LM_RUN_N=$((LM_RUN_N + 1))
	LM_PREFIX=lmf$$n$LM_RUN_N
	LM_STDOUT=$LM_TEST_DIR/run$LM_RUN_N.out
	LM_STDERR=$LM_TEST_DIR/run$LM_RUN_N.err
	read -ra mem <<<"$LM_EAL_MEM"
	if [ "$n" -le 1 ]; then
		cores=(-l 0-1)
	else
		# lcore 0 (the control plane, mostly asleep) on CPU 0; worker k on CPU k mod ncpu
		ncpu=$(nproc)
		map="0@0"
		for k in $(seq "$n"); do map+=",$k@$((k % ncpu))"; done
		cores=(--lcores "$map")
		vopt+=",qpairs=$n"
	fi
	if [ "${LM_VDEVS:-}" = none ]; then
		:
	elif [ -n "${LM_VDEVS:-}" ]; then
		for ifc in $LM_VDEVS; do vdevs+=("--vdev=$ifc"); done
	else
		for ifc in ${LM_IFACES:-$LM_IF_CLI}; do
			vdevs+=("--vdev=net_af_packet$i,iface=$ifc$vopt")
			i=$((i + 1))
		done
	fi
	LM_CMD=(ip netns exec "$LM_NS_CLI" "$LM_BIN" "${cores[@]}" --no-pci "${mem[@]}"
		--file-prefix "$LM_PREFIX" "${vdevs[@]}" -- "$@")
}

# _lm_done RC: after a run, remove the EAL's runtime directory (its prefix is this run's
# alone; it is left behind even with --in-memory) and set LM_RC.
_lm_done() {
	rm -rf "/var/run/dpdk/${LM_PREFIX:?}"
	LM_RC=$1
}

# lm_run ARGS...: run lemmings-dp in the client namespace with the lab's EAL arguments,
# followed by '-- ARGS'. Output goes to $LM_STDOUT and $LM_STDERR (files); returns (and
# sets LM_RC to) the exit status; 124 means it was stopped after LM_RUN_TIMEOUT seconds.
lm_run() {
	local rc=0
	_lm_prepare "$@"
	timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]}" \
		>"$LM_STDOUT" 2>"$LM_STDERR" </dev/null || rc=$?
	_lm_done "$rc"
	return "$rc"
}

# lm_run_signal SIG SECONDS ARGS...: like lm_run, but send SIG (INT, TERM, ...) to the
# binary after SECONDS, then wait for it (KILL after LM_RUN_TIMEOUT seconds more).
# LM_SIGNAL_AGAIN=S sends SIG a second time S seconds after the first.
# Sets LM_STOP_DS: tenths of a second from the (first) signal to the exit.
lm_run_signal() {
	local sig=$1 after=$2 pid rc=0 n t0
	shift 2
	_lm_prepare "$@"
	# env --default-signal: a background job of a script starts with SIGINT ignored.
	# ip netns exec and env both exec, so $! is the binary itself.
	"${LM_CMD[@]:0:4}" env --default-signal=INT,QUIT "${LM_CMD[@]:4}" \
		>"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
	pid=$!
	sleep "$after"
	t0=$(date +%s%N)
	kill -s "$sig" "$pid" 2>/dev/null || true
	if [ -n "${LM_SIGNAL_AGAIN:-}" ]; then
		sleep "$LM_SIGNAL_AGAIN"
		kill -s "$sig" "$pid" 2>/dev/null || true
	fi
	n=$((${LM_RUN_TIMEOUT:-60} * 10))
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "lm_run_signal: still running ${LM_RUN_TIMEOUT:-60} s after SIG$sig: KILL" >&2
		kill -s KILL "$pid" 2>/dev/null || true
	fi
	LM_STOP_DS=$((($(date +%s%N) - t0) / 100000000))
	wait "$pid" || rc=$?
	_lm_done "$rc"
	return "$rc"
}

# lm_run_bg ARGS...: start lemmings-dp as lm_run would, but in the background, so that
# the test talks to it meanwhile (its API): LM_BG_PID is its PID (timeout's, which passes
# signals on), stopped at exit if still there. lm_bg_wait then waits for it and returns
# (and sets LM_RC to) its exit status.
LM_BG_PID=""
lm_run_bg() {
	_lm_prepare "$@"
	timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]}" \
		>"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
	LM_BG_PID=$!
	trap lm_cleanup_all EXIT
}

lm_bg_wait() {
	local rc=0
	wait "$LM_BG_PID" || rc=$?
	LM_BG_PID=""
	_lm_done "$rc"
	return "$rc"
}

# lm_api METHOD PATH [curl args...]: a request to the API of the run at $LM_API (a URL,
# e.g. http://127.0.0.1:19090), from the client namespace (or $LM_API_NS), where it
# listens: prints "STATUS CONTENT_TYPE" ("000 -" when nothing answered), the body in
# $LM_TEST_DIR/body.
lm_api() {
	local method=$1 path=$2
	shift 2
	ip netns exec "${LM_API_NS:-$LM_NS_CLI}" curl -sS --noproxy '*' --max-time 8 \
		-X "$method" -o "$LM_TEST_DIR/body" -w '%{http_code} %{content_type}' "$@" \
		"$LM_API$path" || echo "000 -"
}

# lm_api_wait PATH [JQ]: wait (10 s at most) until GET PATH answers 200, and, given JQ,
# until its body satisfies it (jq -e); fails otherwise.
lm_api_wait() {
	local path=$1 filter=${2:-}
	for _ in $(seq 100); do
		if [ "$(lm_api GET "$path" 2>/dev/null | cut -d' ' -f1)" = 200 ] &&
			{ [ -z "$filter" ] || jq -e "$filter" "$LM_TEST_DIR/body" >/dev/null 2>&1; }; then
			return 0
		fi
		[ -z "$LM_BG_PID" ] || kill -0 "$LM_BG_PID" 2>/dev/null || break
		sleep 0.1
	done
	lm_show_run
	fail "GET $path never answered 200${filter:+ with $filter}"
}

# lm_prometheus_start NS PORT TARGET...: a Prometheus server in namespace NS on
# 127.0.0.1:PORT, scraping the TARGETs (ADDR:PORT) every 500 ms, its data in
# $LM_TEST_DIR/prom; waits until it is ready. Stopped at exit. lm_promq QUERY prints
# the JSON answer of an instant query.
LM_PROM_PID=""
lm_prometheus_start() {
	local ns=$1 port=$2 d=$LM_TEST_DIR/prom t targets=""
	shift 2
	command -v prometheus >/dev/null ||
		fail "prometheus is not installed (tools/deps installs it)"
	for t in "$@"; do targets+="'$t',"; done
	rm -rf "$d"
	mkdir -p "$d/data"
	cat >"$d/prometheus.yml" <<YML
global:
  scrape_interval: 500ms
  scrape_timeout: 400ms
scrape_configs:
  - job_name: lemmings
    static_configs:
      - targets: [${targets%,}]
YML
	LM_PROM_NS=$ns
	LM_PROM_PORT=$port
	ip netns exec "$ns" prometheus --config.file="$d/prometheus.yml" \
		--storage.tsdb.path="$d/data" --web.listen-address="127.0.0.1:$port" \
		>"$d/prometheus.log" 2>&1 </dev/null &
	LM_PROM_PID=$!
	trap lm_cleanup_all EXIT
	for _ in $(seq 100); do
		ip netns exec "$ns" curl -sf --noproxy '*' "http://127.0.0.1:$port/-/ready" \
			>/dev/null 2>&1 && return 0
		kill -0 "$LM_PROM_PID" 2>/dev/null ||
			fail "prometheus did not start: $(tail -5 "$d/prometheus.log")"
		sleep 0.2
	done
	fail "prometheus was not ready after 20 s"
}

lm_promq() {
	ip netns exec "$LM_PROM_NS" curl -sS --noproxy '*' --max-time 5 \
		"http://127.0.0.1:$LM_PROM_PORT/api/v1/query" --data-urlencode "query=$1"
}

# lm_show_run: print the output of the last lm_run (for failure messages).
lm_show_run() {
	echo "--- exit status $LM_RC; stdout ($LM_STDOUT):"
	cat "$LM_STDOUT" 2>/dev/null || true
	echo "--- stderr ($LM_STDERR):"
	cat "$LM_STDERR" 2>/dev/null || true
}

# lm_access_count [PATTERN]: lines in nginx's access log (matching grep -E PATTERN).
# Line format: remote_addr method uri status body_bytes_sent request_length x_token
lm_access_count() {
	if [ $# -eq 0 ]; then
		wc -l <"$LM_ACCESS_LOG"
	else
		grep -cE -- "$1" "$LM_ACCESS_LOG" || true
	fi
}

# lm_access_wait N [PATTERN] [SECONDS]: wait until the access log has >= N (matching)
# lines; nginx writes a line just after it sends the response. Prints the count.
lm_access_wait() {
	local want=$1 pat=${2:-} tenths=$((${3:-5} * 10)) n
	while :; do
		if [ -n "$pat" ]; then n=$(lm_access_count "$pat"); else n=$(lm_access_count); fi
		if [ "$n" -ge "$want" ] || [ "$tenths" -le 0 ]; then
			echo "$n"
			return 0
		fi
		sleep 0.1
		tenths=$((tenths - 1))
	done
}

# lm_access_reset: empty the access log in place (nginx keeps it open, appending).
lm_access_reset() {
	: >"$LM_ACCESS_LOG"
}

# lm_plan_write FILE <<'JSON' ... JSON: write a plan from standard input, checked with jq.
lm_plan_write() {
	cat >"$1"
	jq empty "$1" || fail "plan $1 is not valid JSON"
}

# lm_srv CMD...: run a command in the server namespace (curl, ss, ...).
lm_srv() {
	ip netns exec "$LM_NS_SRV" "$@"
}

# lm_plan_lab FILE LOAD SCENARIOS: write a plan for the lab (our address on the
# client side, nginx as the target) from a "load" object and a "scenarios" array.
# LM_PLAN_PORT (default 80) is the target's port; LM_PLAN_EXTRA a JSON object merged in
# at the top (e.g. '{"tcp": {"window_bytes": 65535}}').
lm_plan_lab() {
	jq -n --argjson load "$2" --argjson scenarios "$3" \
		--arg ip "$LM_CLI_IP" --arg target "$LM_SRV_IP" \
		--argjson prefix "${LM_PREFIX_LEN:-24}" \
		--argjson port "${LM_PLAN_PORT:-80}" --argjson extra "${LM_PLAN_EXTRA:-{\}}" \
		'{ports: [{ip: $ip, prefix: $prefix}], target: {ip: $target, port: $port},
		  load: $load, scenarios: $scenarios} + $extra' >"$1" ||
		fail "cannot write plan $1"
}

# lm_testsrv_start PORT ARGS...: run lm-testsrv (tests/tools) in the server namespace on
# $LM_SRV_IP:PORT with ARGS (e.g. --mode stall --stall-ms 2000); its log of request
# bodies ("METHOD PATH BYTES CRC32C" a line) is $LM_TESTSRV_LOG. Stopped at exit.
LM_TESTSRV_BIN=${LM_TESTSRV_BIN:-$LM_ROOT/build/tests/tools/lm-testsrv}
LM_TESTSRV_PID=""
lm_testsrv_start() {
	local port=$1 pidfile
	shift
	[ -x "$LM_TESTSRV_BIN" ] || fail "no $LM_TESTSRV_BIN: build first"
	pidfile=$LM_TEST_DIR/testsrv-$port.pid
	LM_TESTSRV_LOG=$LM_TEST_DIR/testsrv-$port.log
	rm -f "$pidfile" "$LM_TESTSRV_LOG"
	ip netns exec "$LM_NS_SRV" "$LM_TESTSRV_BIN" --listen "$LM_SRV_IP:$port" \
		--log "$LM_TESTSRV_LOG" --pidfile "$pidfile" --max-seconds 300 "$@" \
		>"$LM_TEST_DIR/testsrv-$port.out" 2>&1 </dev/null &
	LM_TESTSRV_PID=$!
	trap lm_cleanup_all EXIT
	for _ in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		kill -0 "$LM_TESTSRV_PID" 2>/dev/null ||
			fail "lm-testsrv did not start: $(cat "$LM_TEST_DIR/testsrv-$port.out")"
		sleep 0.1
	done
	fail "lm-testsrv did not write its pid file"
}

lm_testsrv_stop() {
	if [ -n "$LM_TESTSRV_PID" ]; then
		kill "$LM_TESTSRV_PID" 2>/dev/null || true
		wait "$LM_TESTSRV_PID" 2>/dev/null || true
		LM_TESTSRV_PID=""
	fi
}

# lm_hostile_start PORT MODE ARGS...: run lm-hostile (tests/tools) in the server namespace
# on $LM_SRV_IP:PORT in MODE (garbage-status, big-headers, ...) with ARGS; its log
# ("accept" per connection, "METHOD TARGET WHAT" per request) is $LM_HOSTILE_LOG.
# Stopped at exit, or by lm_hostile_stop.
LM_HOSTILE_BIN=${LM_HOSTILE_BIN:-$LM_ROOT/build/tests/tools/lm-hostile}
LM_HOSTILE_PID=""
lm_hostile_start() {
	local port=$1 mode=$2 pidfile
	shift 2
	[ -x "$LM_HOSTILE_BIN" ] || fail "no $LM_HOSTILE_BIN: build first"
	pidfile=$LM_TEST_DIR/hostile-$mode.pid
	LM_HOSTILE_LOG=$LM_TEST_DIR/hostile-$mode.log
	rm -f "$pidfile" "$LM_HOSTILE_LOG"
	ip netns exec "$LM_NS_SRV" "$LM_HOSTILE_BIN" --listen "$LM_SRV_IP:$port" \
		--mode "$mode" --log "$LM_HOSTILE_LOG" --pidfile "$pidfile" \
		--max-seconds 300 "$@" >"$LM_TEST_DIR/hostile-$mode.out" 2>&1 </dev/null &
	LM_HOSTILE_PID=$!
	trap lm_cleanup_all EXIT
	for _ in $(seq 50); do
		[ -s "$pidfile" ] && return 0
		kill -0 "$LM_HOSTILE_PID" 2>/dev/null ||
			fail "lm-hostile did not start: $(cat "$LM_TEST_DIR/hostile-$mode.out")"
		sleep 0.1
	done
	fail "lm-hostile did not write its pid file"
}

lm_hostile_stop() {
	if [ -n "$LM_HOSTILE_PID" ]; then
		kill "$LM_HOSTILE_PID" 2>/dev/null || true
		wait "$LM_HOSTILE_PID" 2>/dev/null || true
		LM_HOSTILE_PID=""
	fi
}

# lm_loss IFACE NS FRACTION: drop that fraction of the TCP packets arriving on IFACE
# (in namespace NS) with lm-xdp-loss; "0" detaches. Detached again at exit.
LM_XDP_BIN=${LM_XDP_BIN:-$LM_ROOT/build/tools/xdp/lm-xdp-loss}
LM_LOSS_IFS=()
lm_loss() {
	local ifc=$1 ns=$2 frac=$3
	ip netns exec "$ns" "$LM_XDP_BIN" detach "$ifc" >/dev/null 2>&1 || true
	[ "$frac" = 0 ] && return 0
	ip netns exec "$ns" "$LM_XDP_BIN" attach "$ifc" --drop "$frac" --only-tcp >/dev/null ||
		fail "cannot attach lm-xdp-loss to $ifc"
	LM_LOSS_IFS+=("$ns:$ifc")
	trap lm_cleanup_all EXIT
}

# lm_router_up: a router between two more ports of ours, the device under test of the
# gateway tests. A namespace PREFIX-rtr (Linux forwarding) with two veths to the client
# namespace, where lemmings-dp owns the other ends:
#   LM_GW_IF0 (our port 0, $LM_GW_IP0/24)  <->  PREFIX-r0 ($LM_GW_RTR0)
#   LM_GW_IF1 (our port 1, $LM_GW_IP1/24)  <->  PREFIX-r1 ($LM_GW_RTR1)
# Removed at exit.
LM_ROUTER_NS=""
LM_GW_IP0=198.18.2.1
LM_GW_RTR0=198.18.2.254
LM_GW_IP1=198.19.3.2
LM_GW_RTR1=198.19.3.254
lm_router_up() {
	local p=${LM_NS_CLI%-cli} side
	LM_ROUTER_NS=$p-rtr
	LM_GW_IF0=$p-g0
	LM_GW_IF1=$p-g1
	trap lm_cleanup_all EXIT
	ip netns del "$LM_ROUTER_NS" 2>/dev/null || true
	ip netns add "$LM_ROUTER_NS" || fail "cannot create $LM_ROUTER_NS"
	ip netns exec "$LM_ROUTER_NS" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$LM_ROUTER_NS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip -n "$LM_ROUTER_NS" link set lo up
	ip link add "$LM_GW_IF0" netns "$LM_NS_CLI" type veth peer name "$p-r0" netns "$LM_ROUTER_NS"
	ip link add "$LM_GW_IF1" netns "$LM_NS_CLI" type veth peer name "$p-r1" netns "$LM_ROUTER_NS"
	ip -n "$LM_ROUTER_NS" addr add "$LM_GW_RTR0/24" dev "$p-r0"
	ip -n "$LM_ROUTER_NS" addr add "$LM_GW_RTR1/24" dev "$p-r1"
	# full checksums on every frame (the lab's own veths are set up the same way)
	for side in "$LM_ROUTER_NS $p-r0" "$LM_ROUTER_NS $p-r1" \
		    "$LM_NS_CLI $LM_GW_IF0" "$LM_NS_CLI $LM_GW_IF1"; do
		set -- $side
		ip netns exec "$1" ethtool -K "$2" tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" 2>/dev/null || true
		ip -n "$1" link set "$2" up
	done
}

# lm_fleet_up N: N more client namespaces, for shards of one plan run side by side
# (the stand-in for N machines): namespace PREFIX-shI holds PREFIX-fI (lemmings-dp's, no
# kernel address), whose peer PREFIX-fbI is a port of the bridge PREFIX-fbr in the server
# namespace; the bridge has $LM_FLEET_GW/24, the shards' gateway to nginx on $LM_SRV_IP
# (the server namespace's own address: it takes it on any interface). Sets
# LM_FLEET_NS[I], LM_FLEET_IF[I]; removed at exit. Each shard namespace also has a
# kernel address, LM_FLEET_API[I] (198.18.5.10+I/24 on PREFIX-mI), for its API: the peers
# PREFIX-mbI are on a second bridge, PREFIX-mbr ($LM_FLEET_MON/24), so that a scraper in
# the server namespace reaches every shard.
LM_FLEET_NS=()
LM_FLEET_IF=()
LM_FLEET_API=()
LM_FLEET_GW=198.18.4.2
LM_FLEET_MON=198.18.5.2
lm_fleet_up() {
	local n=$1 p=${LM_NS_CLI%-cli} i ns
	trap lm_cleanup_all EXIT
	lm_fleet_down
	ip -n "$LM_NS_SRV" link add "$p-fbr" type bridge || fail "cannot create $p-fbr"
	ip -n "$LM_NS_SRV" addr add "$LM_FLEET_GW/24" dev "$p-fbr"
	ip -n "$LM_NS_SRV" link set "$p-fbr" up
	ip -n "$LM_NS_SRV" link add "$p-mbr" type bridge || fail "cannot create $p-mbr"
	ip -n "$LM_NS_SRV" addr add "$LM_FLEET_MON/24" dev "$p-mbr"
	ip -n "$LM_NS_SRV" link set "$p-mbr" up
	# replies to the shards leave by the bridge, whatever address they were sent to
	ip netns exec "$LM_NS_SRV" sysctl -qw net.ipv4.conf.all.rp_filter=0
	ip netns exec "$LM_NS_SRV" sysctl -qw "net.ipv4.conf.$p-fbr.rp_filter=0"
	for i in $(seq 0 $((n - 1))); do
		ns=$p-sh$i
		LM_FLEET_NS[i]=$ns
		LM_FLEET_IF[i]=$p-f$i
		ip netns add "$ns" || fail "cannot create $ns"
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
		ip -n "$ns" link set lo up
		ip link add "$p-f$i" netns "$ns" type veth peer name "$p-fb$i" netns "$LM_NS_SRV"
		ip netns exec "$ns" ethtool -K "$p-f$i" tx off tso off gso off gro off >/dev/null 2>&1 || true
		ip netns exec "$LM_NS_SRV" ethtool -K "$p-fb$i" tx off tso off gso off gro off \
			>/dev/null 2>&1 || true
		ip netns exec "$LM_NS_SRV" sysctl -qw "net.ipv6.conf.$p-fb$i.disable_ipv6=1" 2>/dev/null || true
		ip -n "$LM_NS_SRV" link set "$p-fb$i" master "$p-fbr" up
		ip -n "$ns" link set "$p-f$i" up
		LM_FLEET_API[i]=198.18.5.$((10 + i))
		ip link add "$p-m$i" netns "$ns" type veth peer name "$p-mb$i" netns "$LM_NS_SRV"
		ip -n "$ns" addr add "${LM_FLEET_API[i]}/24" dev "$p-m$i"
		ip -n "$ns" link set "$p-m$i" up
		ip -n "$LM_NS_SRV" link set "$p-mb$i" master "$p-mbr" up
	done
}

# lm_fleet_down: remove what lm_fleet_up made (and what an interrupted test left).
lm_fleet_down() {
	local p=${LM_NS_CLI%-cli} ns
	for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$p-sh[0-9]+\$" || true); do
		ip netns del "$ns" 2>/dev/null || true
	done
	ip -n "$LM_NS_SRV" link del "$p-fbr" 2>/dev/null || true
	ip -n "$LM_NS_SRV" link del "$p-mbr" 2>/dev/null || true
	LM_FLEET_NS=()
	LM_FLEET_IF=()
	LM_FLEET_API=()
}

lm_cleanup_all() {
	local e
	for e in "${LM_LOSS_IFS[@]}"; do
		ip netns exec "${e%%:*}" "$LM_XDP_BIN" detach "${e#*:}" >/dev/null 2>&1 || true
	done
	lm_testsrv_stop
	lm_hostile_stop
	[ -z "$LM_ROUTER_NS" ] || ip netns del "$LM_ROUTER_NS" 2>/dev/null || true
	[ "${#LM_FLEET_NS[@]}" -eq 0 ] || lm_fleet_down
	if [ -n "$LM_BG_PID" ]; then
		kill "$LM_BG_PID" 2>/dev/null || true
		wait "$LM_BG_PID" 2>/dev/null || true
		rm -rf "/var/run/dpdk/${LM_PREFIX:?}"
	fi
	if [ -n "$LM_PROM_PID" ]; then
		kill "$LM_PROM_PID" 2>/dev/null || true
		wait "$LM_PROM_PID" 2>/dev/null || true
	fi
}
