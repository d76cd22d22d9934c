#!/usr/bin/env bash
# The hot path never waits: a worker lcore allocates nothing, takes no lock
# and makes no system call once it runs. Proved on real traffic, from two
# sides:
#  - allocations and locks: every lemmings-dp process runs under the
#    LD_PRELOAD shim tests/tools/hotpath_audit.so, which counts per thread
#    the calls to malloc & co., mmap, rte_malloc & co. and the pthread and
#    semaphore locks, and writes them at exit. Every call a thread makes
#    while it bears a worker lcore's name (rte-worker-N in DPDK 22.11 as
#    packaged, lcore-worker-N elsewhere) counts; the workers' counts must be
#    0 over their whole life, not only in a window around the loop: their
#    state is allocated before the launch and freed after it, on the main
#    lcore (main.c), so nothing is excused. The main lcore's counts must not
#    be 0 (else the preload did nothing), and a self-test first checks that
#    a thread named as a worker has its calls counted as a worker's.
#  - system calls: in the steady state, perf (or strace when perf cannot
#    count) is attached to every worker thread of both processes for a few
#    seconds: 0 system calls, while the main lcore (which sleeps between
#    ticks) makes some, and the client's per-second history shows requests
#    completing all through the window.
# Our client and our server back to back over net_memif (polling, no kernel
# on the path), one worker each, then two each; two workloads each time:
# keep-alive requests, and a new connection per run closed by FIN (TIME-WAIT,
# timers, the TCB pool turning over). The runs must do real work: thousands
# of requests, every one ok, the server's counts equal to the client's.
# Last, two workers on the lab's net_af_packet port against nginx, where the
# kernel's fanout makes the workers hand packets to each other over rings:
# no allocation or lock there either, and the only system call is the PMD's
# own sendto() per transmitted burst (net_af_packet's TX path; see
# docs/architecture.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SHIM=${LM_HOTPATH_SHIM:-$LM_ROOT/build/tests/tools/hotpath_audit.so}
[ -f "$SHIM" ] || fail "no $SHIM: build first (ninja -C build)"
read -ra mem <<<"$LM_EAL_MEM"
ncpu=$(nproc)
WINDOW=${LM_HOTPATH_WINDOW:-3}   # seconds of syscall counting per run
LOAD_S=8                         # the client's load period
MIN_OK=3000                      # requests a run must complete, at least

PIDS=()
SOCKS=()
PREFIXES=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -f "${SOCKS[@]}"
	for p in "${PREFIXES[@]}"; do rm -rf "/var/run/dpdk/$p"; done
	lm_cleanup_all
}
trap cleanup EXIT

# ---- the syscall counter: perf, else strace ----

# perf counts the raw_syscalls:sys_enter tracepoint per thread without
# stopping it; strace -c stops each thread at attach (ptrace), which is
# fine for a count but perturbs timing, so it is only the fallback.
SYSCALL_TOOL=${LM_HOTPATH_SYSCALL_TOOL:-}
if [ -z "$SYSCALL_TOOL" ]; then
	if command -v perf >/dev/null 2>&1 &&
	   perf stat -x, -e raw_syscalls:sys_enter --filter 'id != 44' \
		-e syscalls:sys_enter_sendto \
		-- true 2>&1 >/dev/null | grep -cE '^[0-9]+,' | grep -qx 2; then
		SYSCALL_TOOL=perf
	elif command -v strace >/dev/null 2>&1; then
		SYSCALL_TOOL=strace
	else
		fail "neither perf nor strace can count system calls (tools/deps installs both)"
	fi
fi
echo "system calls counted with $SYSCALL_TOOL"

# count_syscalls OUT SECONDS TID...: system calls each thread enters during
# SECONDS; OUT gets "TID CALLS SENDTO" per thread, CALLS "-" when the thread
# was never seen running (the count would prove nothing).
count_syscalls() {
	local out=$1 secs=$2 raw t tids
	shift 2
	raw=$out.raw
	: >"$out"
	if [ "$SYSCALL_TOOL" = perf ]; then
		tids=$(IFS=,; echo "$*")
		# the calls other than sendto (44 on x86-64) in a counter of their
		# own: two counters are not switched on at the same instant, so
		# "all" minus "sendto" could be off by a few calls either way
		timeout -s INT "$secs" perf stat -x, --per-thread \
			-e raw_syscalls:sys_enter --filter 'id != 44' \
			-e syscalls:sys_enter_sendto \
			-t "$tids" -o "$raw" >/dev/null 2>&1 || true
		# "comm-TID,value,,event,time running (ns),..."; "<not counted>"
		# when the thread never ran with the counter on
		for t in "$@"; do
			awk -F, -v t="$t" '
				{ n = split($1, a, "-"); if (a[n] != t) next }
				$4 == "raw_syscalls:sys_enter" {
					other = ($2 ~ /^[0-9]+$/ && $5 + 0 > 0) ? $2 : "-" }
				$4 == "syscalls:sys_enter_sendto" {
					snd = ($2 ~ /^[0-9]+$/) ? $2 : 0 }
				END { all = (other == "" || other == "-") ? "-" : other + snd
				      printf "%s %s %d\n", t, all, snd }' "$raw" >>"$out"
		done
	else
		local -a spids=()
		for t in "$@"; do
			strace -c -p "$t" -o "$raw.$t" 2>"$raw.$t.err" &
			spids+=($!)
		done
		sleep "$secs"
		kill -INT "${spids[@]}" 2>/dev/null || true
		wait "${spids[@]}" 2>/dev/null || true
		# strace -c writes nothing at all for a thread that made no call
		for t in "$@"; do
			if ! grep -q "attached" "$raw.$t.err"; then
				echo "$t - 0" >>"$out"
				continue
			fi
			# columns: % time, seconds, usecs/call, calls, [errors,] syscall
			awk -v t="$t" '
				$NF == "total" { all = $4 }
				$NF == "sendto" { snd = $4 }
				END { printf "%s %d %d\n", t, all, snd }' "$raw.$t" >>"$out"
		done
	fi
}

# the counter's self-test: a process making both kinds of calls for 5 s,
# counted once it has started them (python3 may start slowly on a busy host)
rm -f "$LM_TEST_DIR/selftest.ready"
python3 -c 'import os, socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"x", ("127.0.0.1", 9))
open(sys.argv[1], "w").close()
end = time.time() + 5
while time.time() < end:
    os.getppid(); s.sendto(b"x", ("127.0.0.1", 9)); time.sleep(0.001)' \
	"$LM_TEST_DIR/selftest.ready" &
SELF_PID=$!
for _ in $(seq 100); do
	[ -e "$LM_TEST_DIR/selftest.ready" ] && break
	sleep 0.1
done
count_syscalls "$LM_TEST_DIR/selftest.syscalls" 1 "$SELF_PID"
wait "$SELF_PID" || true
read -r _ self_all self_snd <"$LM_TEST_DIR/selftest.syscalls"
assert_ge "$self_snd" 1 "counter self-test: sendto counted"
assert_ge "$((self_all - self_snd))" 1 "counter self-test: other system calls counted"
echo "counter self-test: $self_snd sendto and $((self_all - self_snd)) other calls counted in 1 s"

# ---- processes ----

# the names the EAL gives its worker lcore threads
WORKER_RE='^(rte|lcore)-worker-'

# worker_tids PID N: wait until PID has N worker lcore threads, print their
# TIDs.
worker_tids() {
	local pid=$1 n=$2 tids
	for _ in $(seq 100); do
		tids=$(grep -lE "$WORKER_RE" /proc/"$pid"/task/*/comm 2>/dev/null |
		       awk -F/ '{ print $5 }' | sort -n | tr '\n' ' ' || true)
		if [ "$(wc -w <<<"$tids")" -eq "$n" ]; then
			echo "$tids"
			return 0
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	fail "process $pid: expected $n worker lcore threads, found '${tids:-none}'"
}

# wait_bounded PID SECONDS WHAT: wait for PID; KILL it after SECONDS.
wait_bounded() {
	local pid=$1 n=$(($2 * 10)) rc=0 p
	while [ "$n" -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		echo "$3: still running after $2 s: KILL" >&2
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" || rc=$?
	# reaped: its PID may be reused, so the cleanup must not signal it
	local -a left=()
	for p in "${PIDS[@]}"; do [ "$p" = "$pid" ] || left+=("$p"); done
	PIDS=("${left[@]}")
	return "$rc"
}

# start_dp VAR NS LCORES PREFIX AUDIT OUT ARGS...: lemmings-dp in NS under the
# shim, in the background; VAR gets its PID (ip netns exec and env exec, so
# $! is lemmings-dp itself, and only lemmings-dp is preloaded).
start_dp() {
	local var=$1 ns=$2 lcores=$3 prefix=$4 audit=$5 out=$6
	shift 6
	PREFIXES+=("$prefix")
	rm -f "$audit"
	# env --default-signal: a background job of a script starts with SIGINT
	# ignored, and the server is stopped with SIGINT
	ip netns exec "$ns" env --default-signal=INT LD_PRELOAD="$SHIM" \
		LM_HOTPATH_AUDIT_OUT="$audit" "$LM_BIN" --lcores "$lcores" --no-pci \
		"${mem[@]}" --file-prefix "$prefix" "$@" >"$out" 2>&1 </dev/null &
	printf -v "$var" '%s' "$!"
	PIDS+=("$!")
}

# lcores N CPU0: the main lcore and N workers, worker k on CPU (CPU0 + k) mod
# ncpu; the main lcore (asleep between ticks) with the first worker.
lcores() {
	local n=$1 c0=$2 map k
	map="0@$((c0 % ncpu))"
	for k in $(seq "$n"); do map+=",$k@$(((c0 + k - 1) % ncpu))"; done
	echo "$map"
}

# wait_traffic CSV: wait until the client's history shows requests done.
wait_traffic() {
	for _ in $(seq 200); do
		if [ -f "$1" ] && awk -F, 'NR > 1 && $5 + 0 > 0 { found = 1 }
			END { exit !found }' "$1"; then
			return 0
		fi
		sleep 0.1
	done
	fail "no request completed within 20 s ($1)"
}

# check_window CSV T0 T1 WHAT: every history row written inside the counting
# window (its Unix time in (T0, T1 + 1]) shows requests completing, and the
# window holds at least WINDOW - 1 rows: the count was taken under load.
check_window() {
	local rows
	rows=$(awk -F, -v t0="$2" -v t1="$3" '
		NR > 1 && $1 > t0 && $1 <= t1 + 1 {
			n++; if ($5 + 0 < 100) bad = bad " " $1 ":" $5 }
		END { if (bad != "") { print "idle" bad; exit }
		      print n + 0 }' "$1")
	case "$rows" in
	idle*) fail "$4: an interval of the counting window without traffic (${rows#idle})" ;;
	esac
	assert_ge "$rows" $((WINDOW - 1)) "$4: history rows inside the counting window"
}

# check_syscalls FILE MAIN_TIDS WHAT ALLOW_SENDTO: every worker's count is a
# number and 0 (or, with ALLOW_SENDTO=1, all of them sendto); the main
# lcores' counts are above 0 (the counter works).
check_syscalls() {
	local file=$1 mains=" $2 " what=$3 allow=$4 tid all snd
	while read -r tid all snd; do
		[ "$all" != "-" ] || fail "$what: thread $tid was not seen running by $SYSCALL_TOOL"
		if [[ "$mains" == *" $tid "* ]]; then
			assert_ge "$all" 1 "$what: system calls of the main lcore $tid (the counter's control)"
		elif [ "$allow" = 1 ]; then
			assert_eq "$all" "$snd" "$what: worker $tid's system calls other than sendto ($all in all)"
		else
			assert_eq "$all" 0 "$what: worker $tid's system calls in $WINDOW s"
		fi
	done <"$file"
}

# check_audit FILE N_WORKERS WHAT: the shim's report. N_WORKERS worker lcore
# threads listed, none with a counted call, whether made under its worker's
# name or before it was named (any of them fails: nothing is excused); the
# main lcore's malloc, DPDK allocations and locks counted (the preload works).
check_audit() {
	local f=$1 n=$2 what=$3 calls
	[ -s "$f" ] || fail "$what: no report from the shim ($f)"
	# past its table of threads the shim counts nothing: that would hide calls
	assert_eq "$(awk -F'\t' '$4 == "overflow"' "$f" | wc -l)" 0 "$what: the shim's thread table overflowed"
	assert_eq "$(awk -F'\t' -v re="$WORKER_RE" '$2 ~ re { print $1 }' "$f" | sort -u | wc -l)" \
		"$n" "$what: worker threads in the shim's report"
	calls=$(awk -F'\t' -v re="$WORKER_RE" '$2 ~ re && $5 > 0 {
		printf " %s(%s):%s=%s", $2, $3, $4, $5 }' "$f")
	[ -z "$calls" ] || fail "$what: worker threads allocated or locked:$calls"
	assert_ge "$(main_calls "$f" '^malloc$')" 1 "$what: malloc calls the shim saw on the main lcore"
	assert_ge "$(main_calls "$f" '^rte_')" 1 "$what: DPDK allocations the shim saw on the main lcore"
	assert_ge "$(main_calls "$f" '^(pthread|sem)_')" 1 "$what: locks the shim saw on the main lcore"
}

# main_calls FILE REGEX: the main lcore's calls to the functions matching REGEX.
main_calls() {
	awk -F'\t' -v re="$2" '$3 == "main" && $4 ~ re { s += $5 } END { print s + 0 }' "$1"
}

# ---- the shim itself: a thread named as a worker is counted as one ----

# A thread that names itself rte-worker-9 (as the EAL names its workers),
# then allocates and locks: the report must give those calls to it, as a
# worker's, or a worker that did allocate would go unseen.
SELF=$LM_TEST_DIR/selftest.audit
LD_PRELOAD="$SHIM" LM_HOTPATH_AUDIT_OUT="$SELF" python3 - <<'PY' || fail "the shim's self-test did not run"
import ctypes, threading
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def worker():
    libc.prctl(15, b"rte-worker-9", 0, 0, 0)  # PR_SET_NAME
    libc.free(libc.malloc(4096))
    mutex = ctypes.create_string_buffer(64)   # zeroed: a default mutex
    libc.pthread_mutex_lock(mutex)
    libc.pthread_mutex_unlock(mutex)
t = threading.Thread(target=worker)
t.start()
t.join()
PY
self_calls() { # FUNCTION
	awk -F'\t' -v fn="$1" '$2 == "rte-worker-9" && $3 == "worker" && $4 == fn { s += $5 }
		END { print s + 0 }' "$SELF"
}
assert_ge "$(self_calls malloc)" 1 "self-test: malloc counted for a thread named rte-worker-9"
assert_ge "$(self_calls pthread_mutex_lock)" 1 "self-test: mutex lock counted for a thread named rte-worker-9"
echo "shim self-test: a worker-named thread's malloc and lock are counted"

# ---- our client and our server over net_memif ----

SRV_PLAN=$LM_TEST_DIR/server.json
jq -n --argjson d $((LOAD_S + 20)) '{name: "hotpath-server",
	ports: [{ip: "198.18.5.2", prefix: 24}], load: {duration_s: $d},
	servers: [{port: 0, listen: 80, http: {routes: [
		{path: "/small.bin", body: {size: 100}}]}}]}' >"$SRV_PLAN"
# keep-alive: 16 users, one connection each, request after request
jq -n --argjson d "$LOAD_S" '{name: "hotpath-keepalive",
	ports: [{ip: "198.18.5.1", prefix: 24}], target: {ip: "198.18.5.2", port: 80},
	load: {users: 16, duration_s: $d},
	scenarios: [{name: "ka", steps: [
		{name: "small", http: {path: "/small.bin", expect: {status: 200, body_bytes: 100}}}]}]}' \
	>"$LM_TEST_DIR/keepalive.json"
# a connection per run: 1500 new connections a second, each closed by us
# with a FIN, so ours wait in TIME-WAIT (1 s) and their timers fire while
# new ones open
jq -n --argjson d "$LOAD_S" '{name: "hotpath-per-run",
	ports: [{ip: "198.18.5.1", prefix: 24}], target: {ip: "198.18.5.2", port: 80},
	load: {rate: 1500, max_users: 256, duration_s: $d},
	scenarios: [{name: "cpr", connection: "per_run", close: "fin", steps: [
		{name: "small", http: {path: "/small.bin", expect: {status: 200, body_bytes: 100}}}]}]}' \
	>"$LM_TEST_DIR/per_run.json"

# memif_run NAME WORKERS PLAN: one server and one client over net_memif, each
# with WORKERS workers; counts the workers' system calls in the steady
# state, then checks the summaries and both shim reports.
memif_run() {
	local name=$1 n=$2 plan=$3 d=$LM_TEST_DIR/$1 sock srv cli stids ctids rc t0 t1
	mkdir -p "$d"
	sock=$LM_LAB_DIR/hotpath-$$-$name.sock
	SOCKS+=("$sock")
	rm -f "$sock"
	# the busy-polling workers: the server's from CPU 1 on, the client's
	# from CPU 0 on, so with one worker each they have a CPU of their own
	start_dp srv "$LM_NS_SRV" "$(lcores "$n" 1)" "lmhp$$s$name" "$d/server.audit" \
		"$d/server.out" --vdev="net_memif0,role=server,socket=$sock,socket-abstract=no" -- \
		--plan "$SRV_PLAN" --quiet --summary "$d/server.json"
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.1; done
	[ -S "$sock" ] || fail "$name: the server made no memif socket: $(cat "$d/server.out")"
	start_dp cli "$LM_NS_CLI" "$(lcores "$n" 0)" "lmhp$$c$name" "$d/client.audit" \
		"$d/client.out" --vdev="net_memif0,role=client,socket=$sock,socket-abstract=no" -- \
		--plan "$plan" --quiet --summary "$d/client.json" --csv "$d/client"
	stids=$(worker_tids "$srv" "$n")
	ctids=$(worker_tids "$cli" "$n")
	wait_traffic "$d/client_history.csv"
	sleep 1
	t0=$(date +%s.%N)
	# shellcheck disable=SC2086 # the TID lists are words
	count_syscalls "$d/syscalls" "$WINDOW" "$srv" "$cli" $stids $ctids
	t1=$(date +%s.%N)
	rc=0
	wait_bounded "$cli" $((LOAD_S + 30)) "$name: client" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$d/client.out"; fail "$name: client exit status $rc"; }
	kill -INT "$srv" 2>/dev/null || true
	rc=0
	wait_bounded "$srv" 15 "$name: server" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$d/server.out"; fail "$name: server exit status $rc"; }
	rm -f "$sock"

	local C=$d/client.json S=$d/server.json ok
	ok=$(jq '.totals.ok' "$C")
	assert_ge "$ok" "$MIN_OK" "$name: requests ok"
	assert_eq "$(jq '.totals.failed' "$C")" 0 \
		"$name: requests failed ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$C"))"
	assert_eq "$(jq '.server.requests' "$S")" "$ok" "$name: requests the server answered"
	assert_eq "$(jq '.totals.rx_bytes' "$C")" "$(jq '.server.tx_bytes' "$S")" \
		"$name: bytes received = bytes served"
	assert_eq "$(jq '.server.connections' "$S")" "$(jq '.tcp.connections_opened' "$C")" \
		"$name: connections served = connections opened"
	check_window "$d/client_history.csv" "$t0" "$t1" "$name"
	check_syscalls "$d/syscalls" "$srv $cli" "$name" 0
	check_audit "$d/server.audit" "$n" "$name: server"
	check_audit "$d/client.audit" "$n" "$name: client"
	echo "$name: $ok requests, $(jq '.tcp.connections_opened' "$C") connections;" \
		"workers: 0 allocations, 0 locks, 0 system calls in $WINDOW s" \
		"(main lcores: $(awk '{ printf "%s ", $2 }' <(grep -E "^($srv|$cli) " "$d/syscalls")))"
	LAST_CLIENT=$C
}

memif_run ka1 1 "$LM_TEST_DIR/keepalive.json"
assert_eq "$(jq '.tcp.connections_opened' "$LAST_CLIENT")" 16 "ka1: one connection per user"
memif_run cpr1 1 "$LM_TEST_DIR/per_run.json"
assert_eq "$(jq '.tcp.connections_opened' "$LAST_CLIENT")" "$(jq '.totals.runs' "$LAST_CLIENT")" \
	"cpr1: a connection per run"
assert_eq "$(jq '.tcp.time_wait_skipped' "$LAST_CLIENT")" 0 "cpr1: every close went through TIME-WAIT"
memif_run ka2 2 "$LM_TEST_DIR/keepalive.json"
memif_run cpr2 2 "$LM_TEST_DIR/per_run.json"
assert_eq "$(jq '.tcp.connections_opened' "$LAST_CLIENT")" "$(jq '.totals.runs' "$LAST_CLIENT")" \
	"cpr2: a connection per run"
assert_eq "$(jq '.tcp.time_wait_skipped' "$LAST_CLIENT")" 0 "cpr2: every close went through TIME-WAIT"

# ---- two workers on net_af_packet: packets handed between workers ----

# Over net_memif no packet crosses between workers in the steady state: the
# client's queue k meets the server's queue k, and both sides name a
# connection's owner from the client's port the same way. The kernel's
# fanout on net_af_packet hashes flows without knowing our owners, so there
# the workers hand packets to each other over their rings.

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/afp.json" "{\"users\": 8, \"duration_s\": $LOAD_S}" '[
  {"name": "cpr", "connection": "per_run", "close": "fin", "steps": [
    {"name": "small", "http": {"path": "/small.bin", "expect": {"status": 200}}}]}]'
d=$LM_TEST_DIR/afp
mkdir -p "$d"
LM_WORKERS=2 _lm_prepare --plan "$LM_TEST_DIR/afp.json" --quiet \
	--summary "$d/client.json" --csv "$d/client"
PREFIXES+=("$LM_PREFIX")
# as lm_run_signal does, with the shim put in by env
"${LM_CMD[@]:0:4}" env LD_PRELOAD="$SHIM" LM_HOTPATH_AUDIT_OUT="$d/client.audit" \
	"${LM_CMD[@]:4}" >"$d/client.out" 2>&1 </dev/null &
cli=$!
PIDS+=("$cli")
ctids=$(worker_tids "$cli" 2)
wait_traffic "$d/client_history.csv"
sleep 1
t0=$(date +%s.%N)
# shellcheck disable=SC2086
count_syscalls "$d/syscalls" "$WINDOW" "$cli" $ctids
t1=$(date +%s.%N)
rc=0
wait_bounded "$cli" $((LOAD_S + 30)) "afp: client" || rc=$?
[ "$rc" -eq 0 ] || { cat "$d/client.out"; fail "afp: client exit status $rc"; }
C=$d/client.json
ok=$(jq '.totals.ok' "$C")
# a system call a packet, two workers on two CPUs shared with nginx: the
# floor only says the traffic flowed (every interval is checked below)
assert_ge "$ok" $((MIN_OK / 3)) "afp: requests ok"
assert_eq "$(jq '.totals.failed' "$C")" 0 "afp: requests failed"
assert_eq "$(lm_access_wait "$ok")" "$ok" "afp: nginx log lines"
assert_ge "$(jq '.packets.redirected' "$C")" 1 "afp: packets handed between the workers"
assert_eq "$(jq '.packets.redirect_dropped' "$C")" 0 "afp: handed-over packets dropped"
check_window "$d/client_history.csv" "$t0" "$t1" afp
check_syscalls "$d/syscalls" "$cli" afp 1
check_audit "$d/client.audit" 2 "afp: client"
echo "afp: $ok requests on 2 workers, $(jq '.packets.redirected' "$C") packets handed over;" \
	"workers: 0 allocations, 0 locks, system calls only sendto" \
	"($(awk -v m="$cli" '$1 != m { printf "%s ", $3 }' "$d/syscalls")in $WINDOW s)"
