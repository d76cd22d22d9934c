#!/usr/bin/env bash
# Three shards of one plan (--shard I/3) as three processes, each in its own namespace
# on a bridge in front of one nginx (the stand-in for three machines), started together
# with --start-at:
# - their totals add up to the plan's exactly (max_runs split 34/33/33), and to nginx's
#   own count of requests;
# - each shard used only its slice of the client addresses, and drew {{seq}} values no
#   other did (all distinct, each equal to its index modulo 3);
# - each started within a few milliseconds of the time asked (the summary's skew);
# - every shard's users took their global indices ({{user}}) from disjoint ranges, and
#   with them their rows of a "unique" data set;
# - a real Prometheus server scraping the three: the fleet-wide sum of
#   lemmings_requests_total is the sum of the three summaries, and each shard is a
#   series of its own (label shard);
# - 'lemmings-ctl hlog merge' of the three .hlog files gives the percentiles of one
#   histogram of every recorded value: HdrHistogram's own HistogramLogProcessor (Java)
#   over all three logs' intervals together.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

command -v java >/dev/null || fail "no java (tools/deps installs default-jre-headless)"
JAR=${LM_HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
[ -r "$JAR" ] || fail "$JAR missing (tools/deps installs libhdrhistogram-java)"
CTL=${LM_CTL_BIN:-$LM_ROOT/build/control/lemmings-ctl}
N=3
RUNS=300
MPORT=19290
PPORT=19291
lm_fleet_up "$N"

# Prometheus in the server namespace, scraping each shard's API on its own address.
lm_prometheus_start "$LM_NS_SRV" "$PPORT" \
	$(for i in $(seq 0 $((N - 1))); do echo "${LM_FLEET_API[i]}:$MPORT"; done)
q() { lm_promq "$1"; }
lm_access_reset
printf 'name\nada\nbob\ncyd\ndee\neve\nfay\ngus\n' >"$LM_TEST_DIR/people.csv"
lm_plan_write "$LM_TEST_DIR/plan.json" <<JSON
{
  "name": "fleet",
  "data": {"people": {"csv": "people.csv", "pick": "unique"}},
  "ports": [{"ip": "198.18.4.10", "prefix": 24, "gateway": "$LM_FLEET_GW",
             "client_ips": "198.18.4.10-198.18.4.15"}],
  "target": {"ip": "$LM_SRV_IP", "port": 80},
  "load": {"users": 7, "duration_s": 60, "max_runs": $RUNS},
  "scenarios": [{"name": "s", "steps": [
    {"name": "get", "http": {"path": "/index.html?seq={{seq}}&user={{user}}&name={{people.name}}"}},
    {"name": "pause", "think": {"constant_ms": 100}}]}]
}
JSON

# --list says what a shard takes (before any packet: no EAL needed).
"$LM_BIN" -- --plan "$LM_TEST_DIR/plan.json" --shard 1/3 --list >"$LM_TEST_DIR/list1" ||
	fail "--list --shard 1/3 failed"
assert_eq "$(grep '^shard' "$LM_TEST_DIR/list1")" \
	"shard 1 of 3: users 3 to 4; port 0: 198.18.4.12-198.18.4.13; {{seq}} = 1 mod 3" "--list"
assert_eq "$(grep '^load' "$LM_TEST_DIR/list1")" "load: closed model, 2 users, all at once; 60 s, at most 100 runs" \
	"--list's load"
rc=0
"$LM_BIN" -- --plan "$LM_TEST_DIR/plan.json" --shard 3/3 --check >/dev/null 2>"$LM_TEST_DIR/bad" || rc=$?
assert_eq "$rc" 2 "--shard 3/3"
assert_contains "$LM_TEST_DIR/bad" "--shard: \"3/3\" is not I/N"
rc=0
"$LM_BIN" -- --plan "$LM_TEST_DIR/plan.json" --start-at 2026-02-31T00:00:00Z --check \
	>/dev/null 2>"$LM_TEST_DIR/bad" || rc=$?
assert_eq "$rc" 2 "--start-at on 31 February"
assert_contains "$LM_TEST_DIR/bad" "RFC 3339"

# Far enough ahead for three EAL start-ups on two CPUs.
AT=$(date -u -d '+6 sec' +%Y-%m-%dT%H:%M:%S.%3NZ)
AT_S=$(date -d "$AT" +%s.%N)
pids=()
for i in $(seq 0 $((N - 1))); do
	LM_NS_CLI=${LM_FLEET_NS[i]} LM_IFACES=${LM_FLEET_IF[i]} _lm_prepare \
		--plan "$LM_TEST_DIR/plan.json" --shard "$i/$N" --start-at "$AT" --quiet \
		--summary "$LM_TEST_DIR/shard$i.json" --metrics "${LM_FLEET_API[i]}:$MPORT" \
		--linger 2 --hlog "$LM_TEST_DIR/shard$i.hlog"
	timeout -k 5 60 "${LM_CMD[@]}" >"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
	pids[i]=$!
	prefixes[i]=$LM_PREFIX
	outs[i]=$LM_STDOUT
done
for i in $(seq 0 $((N - 1))); do
	rc=0
	wait "${pids[i]}" || rc=$?
	rm -rf "/var/run/dpdk/${prefixes[i]:?}"
	if [ "$rc" -ne 0 ]; then
		cat "${outs[i]}" "${outs[i]%.out}.err" >&2
		fail "shard $i: exit status $rc"
	fi
done

total=0
for i in $(seq 0 $((N - 1))); do
	S=$LM_TEST_DIR/shard$i.json
	assert_eq "$(jq -c .shard "$S")" "{\"index\":$i,\"count\":$N}" "shard $i's summary"
	assert_eq "$(jq .totals.failed "$S")" 0 "shard $i failures"
	want=$((RUNS / N + (i < RUNS % N ? 1 : 0)))
	assert_eq "$(jq .totals.requests "$S")" "$want" "shard $i requests (its share of max_runs)"
	total=$((total + $(jq .totals.requests "$S")))
	# the wall clock at the start, against the time asked: both from the summary
	skew=$(jq '.start.skew_ms' "$S")
	awk -v s="$skew" 'BEGIN { exit !(s >= 0 && s < 5) }' ||
		fail "shard $i started $skew ms after the time asked"
	awk -v a="$(jq .start.requested "$S")" -v b="$AT_S" 'BEGIN { exit !(a - b < 0.001 && b - a < 0.001) }' ||
		fail "shard $i's requested start is not $AT"
done
assert_eq "$total" "$RUNS" "the shards' requests add up to max_runs"
assert_eq "$(lm_access_wait "$RUNS")" "$RUNS" "nginx's count"

# Each shard's source addresses: 6 addresses, 2 each, in shard order.
L=$LM_ACCESS_LOG
awk '{ print $1 }' "$L" | sort -u >"$LM_TEST_DIR/addrs"
assert_eq "$(tr '\n' ' ' <"$LM_TEST_DIR/addrs")" \
	"198.18.4.10 198.18.4.11 198.18.4.12 198.18.4.13 198.18.4.14 198.18.4.15 " \
	"client addresses seen by nginx"
# {{seq}}: all distinct, and shard i's (addresses .10+2i, .11+2i) are i modulo 3.
sed -n 's/^\([0-9.]*\) GET \/index.html?seq=\([0-9]*\)&user=\([0-9]*\)&name=\([a-z]*\) .*/\1 \2 \3 \4/p' "$L" \
	>"$LM_TEST_DIR/seqs"
assert_eq "$(wc -l <"$LM_TEST_DIR/seqs")" "$RUNS" "requests with a seq"
assert_eq "$(awk '{ print $2 }' "$LM_TEST_DIR/seqs" | sort -u | wc -l)" "$RUNS" "distinct seq values"
bad=$(awk '{ split($1, o, "."); shard = int((o[4] - 10) / 2); if ($2 % 3 != shard) n++ }
	END { print n + 0 }' "$LM_TEST_DIR/seqs")
assert_eq "$bad" 0 "seq values not of their shard's residue"
# {{user}}: 7 users split 3/2/2 -> shard 0 has users 0-2, shard 1 3-4, shard 2 5-6
bad=$(awk '{ split($1, o, "."); shard = int((o[4] - 10) / 2);
	lo = shard == 0 ? 0 : shard == 1 ? 3 : 5; hi = shard == 0 ? 2 : shard == 1 ? 4 : 6;
	if ($3 < lo || $3 > hi) n++ } END { print n + 0 }' "$LM_TEST_DIR/seqs")
assert_eq "$bad" 0 "users outside their shard's range"
assert_eq "$(awk '{ print $3 }' "$LM_TEST_DIR/seqs" | sort -un | tr '\n' ' ')" "0 1 2 3 4 5 6 " \
	"every user ran"
# "unique" data rows: user k has row k, whichever shard runs it
assert_eq "$(awk '{ print $3, $4 }' "$LM_TEST_DIR/seqs" | sort -u | tr '\n' ' ')" \
	"0 ada 1 bob 2 cyd 3 dee 4 eve 5 fay 6 gus " "each user's unique row"
# Prometheus: the fleet-wide sum, from each shard's last scrape (state done).
done_n=$(q 'count(max_over_time(lemmings_state{state="done"}[10m]) == 1)' | jq -r '.data.result[0].value[1]')
assert_eq "$done_n" "$N" "shards whose final figures Prometheus scraped"
got=$(q 'sum(max_over_time(lemmings_requests_total[10m]))' | jq -r '.data.result[0].value[1]')
assert_eq "$got" "$total" "Prometheus' fleet-wide requests vs the sum of the summaries"
assert_eq "$(q 'count(count by (shard) (max_over_time(lemmings_requests_total[10m])))' | jq -r '.data.result[0].value[1]')" \
	"$N" "series per shard label"
assert_eq "$(q 'sum by (shard) (max_over_time(lemmings_requests_total[10m]))' |
	jq -r '[.data.result[] | .metric.shard + "=" + .value[1]] | sort | join(" ")')" \
	"0=100 1=100 2=100" "requests per shard in Prometheus"
p99=$(q 'histogram_quantile(0.99, sum by (le) (max_over_time(lemmings_response_seconds_bucket[10m])))' |
	jq -r '.data.result[0].value[1]')
awk -v p="$p99" 'BEGIN { exit !(p > 0 && p < 1) }' || fail "fleet-wide p99 from Prometheus: $p99 s"
# Exact fleet percentiles: the merged log against HdrHistogram over every interval of the
# three logs at once (the first log's header, then all their interval lines).
"$CTL" hlog merge "$LM_TEST_DIR"/shard[0-9].hlog -o "$LM_TEST_DIR/fleet.hlog" ||
	fail "hlog merge failed"
"$CTL" hlog report "$LM_TEST_DIR/fleet.hlog" >"$LM_TEST_DIR/fleet.report" || fail "hlog report failed"
grep -v '^Tag=' "$LM_TEST_DIR/shard0.hlog" >"$LM_TEST_DIR/all.hlog"
grep -h '^Tag=s\.get\.latency,' "$LM_TEST_DIR"/shard[0-9].hlog >>"$LM_TEST_DIR/all.hlog"
java -cp "$JAR" org.HdrHistogram.HistogramLogProcessor -i "$LM_TEST_DIR/all.hlog" \
	-tag s.get.latency -csv -o "$LM_TEST_DIR/all.java" >"$LM_TEST_DIR/java.log" 2>&1 ||
	{ cat "$LM_TEST_DIR/java.log"; fail "HistogramLogProcessor failed"; }
# tag intervals samples p50 p90 p99 p99.9 max | Total_Count, 50%, 90%, 99%, 99.9%, Max
ours=$(awk '$1 == "s.get.latency" { print $3, $4, $5, $6, $7, $8 }' "$LM_TEST_DIR/fleet.report")
java_row=$(tail -n 1 "$LM_TEST_DIR/all.java" | awk -F, '{ print $6, $7, $8, $9, $10, $12 }')
assert_eq "${ours%% *}" "$RUNS" "samples in the merged log"
assert_eq "$ours" "$java_row" "merged log's samples p50 p90 p99 p99.9 max vs HdrHistogram over all three"
echo "ok: $RUNS requests from $N shards (Prometheus: $got, p99 $p99 s), started within $(for i in 0 1 2; do jq -r '.start.skew_ms | . * 1000 | round / 1000' "$LM_TEST_DIR/shard$i.json"; done | tr '\n' ' ')ms"
