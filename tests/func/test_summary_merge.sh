#!/usr/bin/env bash
# lemmings-ctl summary merge on real summaries: the three shards of one plan (--shard I/3),
# run one after another against nginx, each with --summary and --hlog; then
# 'hlog merge' of their logs and 'summary merge --hlog' of their summaries:
# - every count of the merged summary (totals, errors, steps, scenarios, bytes, runs,
#   connections, packets, load) is the sum of the three parts', and nginx's own log holds
#   exactly the merged number of requests, path by path;
# - each step's merged percentiles (latency, ttfb, connect) are those that
#   'lemmings-ctl hlog report' prints for the merged log, and the totals' are those of
#   every step's latency together; each step's samples in the log are its requests;
# - without --hlog the percentiles are left out, and the output says so;
# - refused with exit status 2 and a message naming the file and the JSON path: the
#   same shard twice, a summary of another plan, a truncated file; the output is then
#   left as it was.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

CTL=${LM_CTL:-$(dirname "${LM_BIN:-$LM_ROOT/build/lemmings-dp}")/control/lemmings-ctl}
[ -x "$CTL" ] || fail "$CTL missing: build it first (ninja -C build)"
D=$LM_TEST_DIR
N=3
RUNS=90

lm_access_reset
LM_PLAN_EXTRA='{"name": "fleetmerge"}' lm_plan_lab "$D/plan.json" \
	"{\"users\": 6, \"duration_s\": 30, \"max_runs\": $RUNS}" '[
  {"name": "browse", "weight": 3, "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "small", "http": {"path": "/small.bin"}}]},
  {"name": "api", "weight": 1, "steps": [
    {"name": "post", "http": {"method": "POST", "path": "/api/echo", "body": "x=1"}}]}
]'
parts=()
for i in $(seq 0 $((N - 1))); do
	rc=0
	lm_run --plan "$D/plan.json" --shard "$i/$N" --quiet \
		--summary "$D/shard$i.json" --hlog "$D/shard$i.hlog" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "shard $i: exit status $rc"; }
	assert_eq "$(jq -c .shard "$D/shard$i.json")" "{\"index\":$i,\"count\":$N}" "shard $i's key"
	parts+=("$D/shard$i.json")
done

"$CTL" hlog merge "$D"/shard[0-9].hlog -o "$D/fleet.hlog" || fail "hlog merge failed"
rc=0
"$CTL" summary merge "${parts[@]}" -o "$D/fleet.json" --hlog "$D/fleet.hlog" \
	2>"$D/merge.err" || rc=$?
[ "$rc" -eq 0 ] || { cat "$D/merge.err" >&2; fail "summary merge: exit status $rc"; }
M=$D/fleet.json

# Every count, merged, against the sum of the parts (jq over the three files).
paths='totals.requests totals.ok totals.failed totals.runs totals.runs_ok
	totals.runs_started totals.connections totals.tx_bytes totals.rx_bytes
	scenarios.0.runs scenarios.1.runs scenarios.0.runs_started
	scenarios.0.steps.0.requests scenarios.0.steps.1.requests scenarios.1.steps.0.requests
	scenarios.0.steps.0.ok scenarios.0.steps.1.rx_bytes scenarios.1.steps.0.tx_bytes
	tcp.connections_opened tcp.connections_closed tcp.retransmits packets.rx packets.tx
	packets.rx_bytes packets.tx_bytes load.sessions_arrived cpu.passes ports.0.ipackets
	pools.tcbs.size'
for p in $paths; do
	jp=$(echo "$p" | awk -F. '{ s = ""; for (i = 1; i <= NF; i++)
		s = s ($i ~ /^[0-9]+$/ ? "[" $i "]" : "." $i); print s }')
	sum=$(jq -s "map($jp) | add" "${parts[@]}")
	assert_eq "$(jq "$jp" "$M")" "$sum" "merged $p vs the sum of the shards'"
done
# every error reason, and workers: the three machines' one each
assert_eq "$(jq -Sc '.totals.errors' "$M")" \
	"$(jq -Ssc 'map(.totals.errors | to_entries) | add | group_by(.key) |
		map({key: .[0].key, value: (map(.value) | add)}) | from_entries' "${parts[@]}")" \
	"merged errors by reason vs the sum of the shards'"
assert_eq "$(jq '.workers | length' "$M")" "$(jq -s 'map(.workers | length) | add' "${parts[@]}")" \
	"workers listed"
assert_eq "$(jq -c .shard "$M")" '{"count":3,"merged":[0,1,2],"missing":[]}' "merged shards"
assert_eq "$(jq -r .plan "$M")" fleetmerge "plan name"
assert_eq "$(jq .duration_s "$M")" "$(jq -s 'map(.duration_s) | max' "${parts[@]}")" \
	"the longest duration"
awk -v r="$(jq .totals.rps "$M")" -v q="$(jq .totals.requests "$M")" -v d="$(jq .duration_s "$M")" \
	'BEGIN { e = r - q / d; exit !(e < 1e-6 && e > -1e-6) }' || fail "totals.rps is not requests / duration"

# The plan's totals, and nginx's own count, path by path.
req=$(jq .totals.requests "$M")
browse=$(jq '.scenarios[0].runs' "$M")
api=$(jq '.scenarios[1].runs' "$M")
assert_eq "$(jq .totals.runs "$M")" "$RUNS" "merged runs (max_runs)"
assert_eq "$(jq .totals.failed "$M")" 0 "merged failures"
assert_eq "$req" "$((2 * browse + api))" "merged requests: two per browse run, one per api run"
assert_eq "$(lm_access_wait "$req")" "$req" "nginx's access log vs the merged requests"
assert_eq "$(lm_access_count ' GET /index\.html 200 ')" "$(jq '.scenarios[0].steps[0].ok' "$M")" \
	"nginx's /index.html vs browse.home"
assert_eq "$(lm_access_count ' GET /small\.bin 200 ')" "$(jq '.scenarios[0].steps[1].ok' "$M")" \
	"nginx's /small.bin vs browse.small"
assert_eq "$(lm_access_count ' POST /api/echo 200 ')" "$(jq '.scenarios[1].steps[0].ok' "$M")" \
	"nginx's POST /api/echo vs api.post"

# Percentiles: the merged summary against 'hlog report' of the merged log (ms, to the
# microsecond it prints).
"$CTL" hlog report "$D/fleet.hlog" >"$D/fleet.report" || fail "hlog report failed"
assert_eq "$(jq -r .percentiles "$M")" "from $D/fleet.hlog" "percentiles' origin"
# check TAG JQ_PATH: the report's row for TAG against the summary's object at JQ_PATH
check() {
	local tag=$1 path=$2 row want
	row=$(awk -v t="$tag" '$1 == t { print $4, $5, $6, $7, $8 }' "$D/fleet.report")
	[ -n "$row" ] || fail "no $tag in the merged log's report"
	want=$(jq -r "$path | [.p50, .p90, .p99, .p999, .max] | map(. / 1000) | @tsv" "$M")
	awk -v a="$row" -v b="$want" -v t="$tag" 'BEGIN { n = split(a, x, " "); split(b, y, "\t");
		for (i = 1; i <= n; i++) { e = x[i] - y[i]; if (e > 0.0005001 || e < -0.0005001) {
			print t ": report " a ", summary " b; exit 1 } } }' ||
		fail "$tag: merged percentiles differ from hlog report's"
	echo "$tag: report $row; summary $want"
}
for s in 0.0.browse.home 0.1.browse.small 1.0.api.post; do
	IFS=. read -r si pi sn pn <<<"$s"
	for m in latency ttfb; do
		check "$sn.$pn.$m" ".scenarios[$si].steps[$pi].${m}_us"
	done
	# every response is a sample of the step's latency, in the merged log too
	assert_eq "$(awk -v t="$sn.$pn.latency" '$1 == t { print $3 }' "$D/fleet.report")" \
		"$(jq ".scenarios[$si].steps[$pi].requests" "$M")" "$sn.$pn latency samples"
done
check browse.home.connect '.scenarios[0].steps[0].connect_us'
# the totals: every step's latency in one histogram (a log of those tags alone)
grep -v '^Tag=' "$D/fleet.hlog" >"$D/all.hlog"
grep '^Tag=[^,]*\.latency,' "$D/fleet.hlog" | sed 's/^Tag=[^,]*,/Tag=all,/' >>"$D/all.hlog"
"$CTL" hlog report "$D/all.hlog" >>"$D/fleet.report" || fail "hlog report of all.hlog failed"
check all '.totals.latency_us'
assert_eq "$(jq '.scenarios[0].steps[0] | has("latency_raw_us")' "$M")" false \
	"latency_raw_us (not in a .hlog) left out"

# Without --hlog: no percentiles, and a word about it.
"$CTL" summary merge "${parts[@]}" -o "$D/nohlog.json" 2>"$D/nohlog.err" ||
	fail "summary merge without --hlog failed"
assert_eq "$(jq -r .percentiles "$D/nohlog.json")" "not merged: give --hlog" "percentiles without --hlog"
assert_eq "$(jq '[.scenarios[].steps[] | has("latency_us")] | any' "$D/nohlog.json")" false \
	"step percentiles without --hlog"
assert_contains "$D/nohlog.err" "percentiles not merged"
assert_eq "$(jq .totals.requests "$D/nohlog.json")" "$req" "requests without --hlog"

# Refusals: exit 2, the file and the JSON path named, the output untouched.
refuse() {
	local want=$1 rc=0
	shift
	cp "$M" "$D/before.json"
	"$CTL" summary merge "$@" -o "$M" 2>"$D/refused.err" || rc=$?
	assert_eq "$rc" 2 "exit status of a refused merge ($want)"
	assert_contains "$D/refused.err" "$want"
	cmp -s "$M" "$D/before.json" || fail "a refused merge changed its output"
}
cp "$D/shard1.json" "$D/again.json"
refuse "$D/again.json: shard.index: 1, also in $D/shard1.json" "${parts[@]}" "$D/again.json"
jq '.scenarios[1].steps[0].name = "put"' "$D/shard2.json" >"$D/other.json"
refuse "$D/other.json: scenarios[1].steps[0].name: \"put\"" "$D/shard0.json" "$D/shard1.json" "$D/other.json"
jq '.plan = "another"' "$D/shard2.json" >"$D/other.json"
refuse "$D/other.json: plan: \"another\"" "$D/shard0.json" "$D/other.json"
head -c 200 "$D/shard2.json" >"$D/cut.json"
refuse "$D/cut.json:" "$D/shard0.json" "$D/cut.json"
[ -z "$(find "$D" -name 'fleet.json.*')" ] || fail "temporary files left beside the output"
echo "ok: $N shards, $req requests merged (nginx logged as many), percentiles as hlog report's"
