#!/usr/bin/env bash
# A real Prometheus server (Debian's) scrapes a run's /metrics twice a
# second; after the run, a query of the request counter through its HTTP
# API equals the summary's total, and a histogram_quantile over the scraped
# buckets is within the buckets' resolution of the summary's p50.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v prometheus >/dev/null || lm_skip "prometheus is not installed (tools/deps installs it)"
PORT=19190
lm_prometheus_start "$LM_NS_CLI" 19191 "127.0.0.1:$PORT"
q() { lm_promq "$1"; }

lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 4}' \
	'[{"name": "s", "steps": [{"name": "home", "http": {"path": "/index.html"}}]}]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" \
	--metrics "127.0.0.1:$PORT" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
total=$(jq '.totals.requests' "$S")
got=$(q 'sum(max_over_time(lemmings_requests_total[10m]))' | jq -r '.data.result[0].value[1]')
assert_eq "$got" "$total" "requests counted by Prometheus (the last scrape) vs the summary"
# the TCP events: one table for the summary and the metrics
for ev in connections_opened retransmits dup_acks; do
	got_ev=$(q "max_over_time(lemmings_tcp_events_total{event=\"$ev\"}[10m])" |
		jq -r '.data.result[0].value[1]')
	assert_eq "$got_ev" "$(jq ".tcp.$ev" "$S")" "lemmings_tcp_events_total{event=\"$ev\"} vs the summary"
done
assert_eq "$(q 'count(max_over_time(lemmings_icmp_events_total[10m]))' | jq -r '.data.result[0].value[1]')" \
	"$(jq '.icmp | length' "$S")" "an ICMP event series per key of the summary's icmp"
up=$(q 'max_over_time(lemmings_up[10m])' | jq -r '.data.result[0].value[1]')
assert_eq "$up" 1 "lemmings_up"
p50=$(q 'histogram_quantile(0.5, sum by (le) (max_over_time(lemmings_response_seconds_bucket[10m])))' |
	jq -r '.data.result[0].value[1]')
ours=$(jq '.scenarios[0].steps[0].latency_us.p50 / 1e6' "$S")
# the fixed buckets are coarse (100 us, 250 us, 500 us ...): the interpolated
# quantile must fall in the same bucket as ours, i.e. within a factor of 2.5
awk -v a="$p50" -v b="$ours" 'BEGIN { exit !(a > 0 && a <= b * 2.5 + 0.0001 && a >= b / 2.5) }' ||
	fail "histogram_quantile p50 $p50 s vs the summary's $ours s"
echo "ok: Prometheus counted $got requests (summary $total), p50 $p50 s (summary $ours s)"
