#!/usr/bin/env bash
# The HTTP API under abuse, during a run at a fixed open-model rate: oversized
# heads and bodies, truncated requests, slow clients (a byte a second), malformed
# requests of every kind, bad tokens, and 200 clients polling /metrics and
# /api/stats at once (tests/tools/api_abuse.py). What must hold:
#   - the process lives, the run lasts its duration and exits 0;
#   - every abusive request gets a 4xx (505 for a bad HTTP version) or a closed
#     connection, never a 2xx (which could change the run) nor another 5xx;
#   - a slow client is cut at the request deadline (10 s), however it trickles;
#   - a well-behaved client on its own address gets every answer, 200, within a
#     second, during the abuse and after it;
#   - the workers' rate does not move: every second within 5 % of the target and
#     the total within 1 %, as in the same run without abuse;
#   - the API thread runs on none of the workers' CPUs;
#   - file descriptors come back to their level, and the memory stays bounded.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || lm_skip "python3 not installed"
TOOL=$LM_ROOT/tests/tools/api_abuse.py
PORT=19093
TOKEN=abuse-t0ken-$$
export LEMMINGS_API_TOKEN=$TOKEN
RATE=1000
ABUSE_S=13
SCEN='[{"name": "s", "steps": [{"http": {"path": "/small.bin"}}]}]'

in_cli() { ip netns exec "$LM_NS_CLI" "$@"; }

# per-second request rates of a summary, without the first and last seconds
rates() { jq -r '.intervals[1:-1][] | select(.length_s > 0.5) | .rps' "$1"; }

# check_rate SUMMARY LABEL: the sessions over the load period (its measured length)
# at the target within 1 %, every one ok, and every second within 5 %
check_rate() {
	local s=$1 what=$2 arrived d bad
	arrived=$(jq '.load.sessions_arrived' "$s")
	d=$(jq '.duration_s' "$s")
	awk -v n="$arrived" -v d="$d" -v r=$RATE 'BEGIN { exit !(n >= r * d * 0.99 && n <= r * d * 1.01) }' ||
		fail "$what: $arrived sessions in $d s, not $RATE/s within 1 %"
	assert_eq "$(jq '.totals.ok' "$s")" "$arrived" "$what: every session's request ok"
	assert_eq "$(jq '.load.arrivals_dropped' "$s")" 0 "$what: arrivals dropped"
	bad=$(rates "$s" | awk -v r=$RATE '$1 < r * 0.95 || $1 > r * 1.05' | wc -l)
	[ "$bad" -eq 0 ] || fail "$what: seconds off the rate by more than 5 %: $(rates "$s" | tr '\n' ' ')"
}

# --- the same run without abuse, the API serving nobody ---
lm_plan_lab "$LM_TEST_DIR/base.json" "{\"rate\": $RATE, \"duration_s\": 6, \"max_users\": 2000}" "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/base.json" --summary "$LM_TEST_DIR/base-s.json" \
	--api "127.0.0.1:$PORT" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "baseline: exit status $rc"; }
check_rate "$LM_TEST_DIR/base-s.json" baseline
base_late=$(jq '.load.late_starts' "$LM_TEST_DIR/base-s.json")

# --- the abused run ---
DUR=30
lm_plan_lab "$LM_TEST_DIR/plan.json" "{\"rate\": $RATE, \"duration_s\": $DUR, \"max_users\": 2000}" "$SCEN"
S=$LM_TEST_DIR/summary.json
_lm_prepare --plan "$LM_TEST_DIR/plan.json" --summary "$S" --api "127.0.0.1:$PORT"
t_start=$(date +%s%N)
timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]}" >"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
tpid=$!
trap 'kill "$tpid" 2>/dev/null || true' EXIT

# the binary is timeout's child (ip netns exec executes it in place)
bin=""
for _ in $(seq 50); do
	bin=$(pgrep -P "$tpid" || true)
	[ -n "$bin" ] && break
	sleep 0.1
done
[ -n "$bin" ] || { lm_show_run; fail "no lemmings-dp process"; }
up=0
for _ in $(seq 100); do
	code=$(in_cli curl -s --noproxy '*' -o /dev/null -w '%{http_code}' --max-time 2 \
		"http://127.0.0.1:$PORT/api/status" || true)
	[ "$code" = 200 ] && { up=1; break; }
	kill -0 "$bin" 2>/dev/null || break
	sleep 0.1
done
[ "$up" = 1 ] || { lm_show_run; fail "the API never answered"; }
sleep 1

# Threads: the workers' CPUs and the others'. No thread but a worker may run on
# a worker's CPU (the API thread above all: it is the one a flood keeps busy).
threads=$LM_TEST_DIR/threads.txt
: >"$threads"
for t in /proc/"$bin"/task/*; do
	echo "$(cat "$t/comm") $(awk '/^Cpus_allowed_list/ { print $2 }' "$t/status")" >>"$threads"
done
grep -q '^lm-api ' "$threads" || fail "no lm-api thread: $(cat "$threads")"
wcpus=$(awk '/^lcore-worker|^rte-worker/ { print $2 }' "$threads" | paste -sd, -)
[ -n "$wcpus" ] || fail "no worker thread found: $(cat "$threads")"
# expand "0-2,5" -> "0 1 2 5"
expand() { echo "$1" | tr ',' '\n' | awk -F- '{ for (c = $1; c <= ($2 == "" ? $1 : $2); c++) printf "%d ", c }'; }
wset=" $(expand "$wcpus") "
while read -r name cpus; do
	case $name in lcore-worker*|rte-worker*) continue ;; esac
	for c in $(expand "$cpus"); do
		case $wset in *" $c "*) fail "thread $name may run on CPU $c, a worker's (workers: $wcpus)" ;; esac
	done
done <"$threads"
# the clients run on the CPUs the workers leave, as the API thread does
api_cpus=$(awk '$1 == "lm-api" { print $2 }' "$threads")

fds() { find /proc/"$bin"/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
rss() { awk '/^VmRSS/ { print $2 }' /proc/"$bin"/status; }
fd0=$(fds)
rss0=$(rss)

# The well-behaved client, from 127.0.0.1, through the abuse and 3 s after it
# (until 3 s after the abusers' report is written).
in_cli taskset -c "$api_cpus" python3 "$TOOL" watch --port "$PORT" --src 127.0.0.1 \
	--seconds $((ABUSE_S + 8)) --until "$LM_TEST_DIR/abuse.json" --after 3 \
	--interval 0.2 --timeout 5 --out "$LM_TEST_DIR/watch.json" &
wpid=$!
# The abusers, from 127.0.0.2 and up.
in_cli taskset -c "$api_cpus" python3 "$TOOL" abuse --port "$PORT" --token "$TOKEN" \
	--seconds "$ABUSE_S" --flood 200 --slow 100 --src-base 2 --out "$LM_TEST_DIR/abuse.json" &
apid=$!
# on a failure from here on, the clients go too (they would stop by themselves)
trap 'kill "$tpid" "$wpid" "$apid" 2>/dev/null || true' EXIT
fdmax=$fd0
rssmax=$rss0
while kill -0 "$apid" 2>/dev/null; do
	f=$(fds); r=$(rss)
	[ "$f" -gt "$fdmax" ] && fdmax=$f
	[ "$r" -gt "$rssmax" ] && rssmax=$r
	sleep 0.5
done
wait "$apid" || fail "api_abuse.py abuse failed"
wait "$wpid" || fail "api_abuse.py watch failed"
kill -0 "$bin" 2>/dev/null || { lm_show_run; fail "lemmings-dp died under the abuse"; }
sleep 1
fd1=$(fds)
rss1=$(rss)

# After the abuse, a command is still taken (the same rate: the run is unchanged).
code=$(in_cli curl -s --noproxy '*' -o "$LM_TEST_DIR/load.out" -w '%{http_code}' --max-time 2 \
	-X POST -H "Authorization: Bearer $TOKEN" -d "{\"rate\": $RATE}" \
	"http://127.0.0.1:$PORT/api/load" || true)
assert_eq "$code" 202 "POST /api/load after the abuse"

rc=0
wait "$tpid" || rc=$?
trap - EXIT
_lm_done "$rc"
elapsed=$((($(date +%s%N) - t_start) / 1000000000))
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }

A=$LM_TEST_DIR/abuse.json
W=$LM_TEST_DIR/watch.json
echo "abuse: $(jq -c '{oneshot_rounds, bad, slow, flood: (.flood | {ok, "5xx", dropped, connect_errors, max_ms}), truncated}' "$A")"
echo "watch: $(jq -c '{requests, ok, statuses, max_ms, p99_ms}' "$W")"
echo "fds $fd0 -> max $fdmax -> $fd1; RSS $rss0 -> max $rssmax -> $rss1 KiB; elapsed $elapsed s"

# Every abusive request answered as allowed (4xx, 505, or closed), none 2xx.
assert_eq "$(jq -r '.bad | join(" ")' "$A")" "" "abusive requests answered otherwise than allowed ($(jq -c '[.oneshot | to_entries[] | select(.value.bad > 0) | {(.key): .value.outcomes}]' "$A"))"
assert_ge "$(jq '.oneshot_rounds' "$A")" 1 "rounds of abusive requests"
# truncated requests: the half-closed ones closed at once (no wait for a timeout)
assert_ge "$(jq '[.truncated[]] | add' "$A")" 100 "truncated requests"
assert_eq "$(jq '.truncated.timeout // 0' "$A")" 0 "truncated requests left open"
# the flood: answers 200, never a 5xx; most requests through
assert_eq "$(jq '.flood."5xx"' "$A")" 0 "5xx answers to the flood"
assert_ge "$(jq '.flood.ok' "$A")" 2000 "flood requests answered 200"
# slow clients: cut by the deadline, never answered, never kept past it
assert_ge "$(jq '.slow.cut' "$A")" 100 "slow clients cut"
assert_eq "$(jq '.slow.answered' "$A")" 0 "answers to half requests"
awk -v m="$(jq '.slow.max_life_s' "$A")" 'BEGIN { exit !(m >= 9 && m <= 11.5) }' ||
	fail "a slow client lived $(jq '.slow.max_life_s' "$A") s (deadline 10 s)"
grep -q 'api: [0-9]* connection(s) cut at the 10 s request deadline' "$LM_STDERR" ||
	fail "no report of the cut connections on stderr"
# the well-behaved client: every request 200, within a second
assert_ge "$(jq '.requests' "$W")" 50 "well-behaved requests"
assert_eq "$(jq '.ok' "$W")" "$(jq '.requests' "$W")" "well-behaved requests answered 200 ($(jq -c .errors "$W"))"
awk -v m="$(jq '.max_ms' "$W")" 'BEGIN { exit !(m < 1000) }' ||
	fail "a well-behaved request took $(jq '.max_ms' "$W") ms"
# resources: descriptors back, memory bounded
assert_le "$fd1" $((fd0 + 2)) "file descriptors after the abuse"
assert_le "$fdmax" $((fd0 + 512 + 8)) "file descriptors during the abuse (512 connections at most)"
assert_le "$((rss1 - rss0))" 32768 "RSS growth after the abuse (KiB)"
assert_le "$((rssmax - rss0))" 65536 "RSS growth during the abuse (KiB)"
# the run: its duration, exit 0, the rate as without abuse
awk -v d="$(jq '.duration_s' "$S")" -v w=$DUR 'BEGIN { exit !(d > w - 0.5 && d < w + 0.5) }' ||
	fail "load period $(jq '.duration_s' "$S") s, planned $DUR s"
assert_le "$elapsed" $((DUR + 10)) "seconds from start to exit"
check_rate "$S" abused
late=$(jq '.load.late_starts' "$S")
echo "ok: rate $(jq '.load.sessions_arrived' "$S") sessions in $DUR s, late starts $late (baseline $base_late in 6 s)"
