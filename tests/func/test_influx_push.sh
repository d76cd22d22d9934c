#!/usr/bin/env bash
# A real InfluxDB (Debian's influxd 1.x) receives the pushes of a run; a query
# of the request counts through its HTTP API equals the summary's total. A
# push URL that never answers leaves the run's rate unchanged.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

command -v influxd >/dev/null || lm_skip "influxd is not installed (tools/deps installs it)"
PORT=18086
D=$LM_TEST_DIR/influx
mkdir -p "$D"
cat >"$D/influxdb.conf" <<CONF
reporting-disabled = true
bind-address = "127.0.0.1:18088"
[meta]
  dir = "$D/meta"
[data]
  dir = "$D/data"
  wal-dir = "$D/wal"
[http]
  bind-address = "127.0.0.1:$PORT"
  log-enabled = false
CONF
# in the client namespace, where the binary runs (its pushes go to that loopback)
ip netns exec "$LM_NS_CLI" influxd -config "$D/influxdb.conf" >"$D/influxd.log" 2>&1 </dev/null &
ix=$!
stall=""
cleanup() {
	kill "$ix" 2>/dev/null || true
	wait "$ix" 2>/dev/null || true
	[ -z "$stall" ] || { kill "$stall" 2>/dev/null || true; wait "$stall" 2>/dev/null || true; }
}
trap cleanup EXIT
iq() { ip netns exec "$LM_NS_CLI" curl -sS --noproxy '*' --max-time 5 "http://127.0.0.1:$PORT/query" "$@"; }
for _ in $(seq 100); do
	iq -f --data-urlencode 'q=SHOW DATABASES' >/dev/null 2>&1 && break
	kill -0 "$ix" 2>/dev/null || fail "influxd did not start: $(tail -5 "$D/influxd.log")"
	sleep 0.2
done
iq -XPOST --data-urlencode 'q=CREATE DATABASE lemmings' >/dev/null

lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 4}' '[
  {"name": "s", "steps": [{"name": "home", "http": {"path": "/index.html"}},
                          {"name": "small", "http": {"path": "/small.bin"}}]}]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s.json" \
	--influx "http://127.0.0.1:$PORT/write?db=lemmings" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/s.json
total=$(jq '.totals.requests' "$S")
got=$(iq -G --data-urlencode 'db=lemmings' \
	--data-urlencode 'q=SELECT sum(r) FROM (SELECT last(requests) AS r FROM lemmings GROUP BY step)' |
	jq '.results[0].series[0].values[0][1]')
assert_eq "$got" "$total" "requests in InfluxDB (the last push) vs the summary"

# A write URL that accepts connections and never answers: the run is not slowed.
# The rate on this 2-CPU machine varies from run to run (nginx shares the
# CPUs): the best of two runs each way is compared.
rate() { jq '.totals.requests / .duration_s' "$1"; }
best() { awk -v a="$1" -v b="$2" 'BEGIN { print (a > b) ? a : b }'; }
for i in 1 2; do
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/base$i.json" ||
		fail "run without pushes failed"
done
ip netns exec "$LM_NS_CLI" python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 18099)); s.listen(64)
conns = []
end = time.time() + 60
while time.time() < end:
    s.settimeout(1)
    try: conns.append(s.accept()[0])
    except OSError: pass
' &
stall=$!
sleep 0.5
for i in 1 2; do
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/stalled$i.json" \
		--influx "http://127.0.0.1:18099/write?db=x" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "run with a stalled InfluxDB: exit status $rc"; }
done
assert_contains "$LM_STDOUT" "influx:"
base=$(best "$(rate "$LM_TEST_DIR/base1.json")" "$(rate "$LM_TEST_DIR/base2.json")")
slow=$(best "$(rate "$LM_TEST_DIR/stalled1.json")" "$(rate "$LM_TEST_DIR/stalled2.json")")
awk -v a="$slow" -v b="$base" 'BEGIN { exit !(a >= 0.85 * b) }' ||
	fail "with a stalled InfluxDB the rate fell from $base to $slow req/s"
echo "ok: InfluxDB counted $got requests (summary $total); rate $base req/s alone, $slow with a stalled InfluxDB"
