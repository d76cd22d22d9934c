#!/usr/bin/env bash
# GET, HEAD, POST, PUT, DELETE with headers and bodies; responses with
# Content-Length, chunked transfer coding (nginx gzip), HEAD (no body),
# and Connection: close, all parsed to completion; counts match nginx.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 4, "duration_s": 60, "max_runs": 200}' '[
  {"name": "m", "steps": [
    {"name": "get", "http": {"path": "/index.html", "headers": {"Accept": "*/*"}, "expect": {"status": 200}}},
    {"name": "head", "http": {"method": "HEAD", "path": "/index.html", "expect": {"status": 200}}},
    {"name": "post", "http": {"method": "POST", "path": "/api/echo", "body": "a=1&b=2", "headers": {"Content-Type": "application/x-www-form-urlencoded"}, "expect": {"status": 200}}},
    {"name": "put", "http": {"method": "PUT", "path": "/small.bin", "body": "zzz", "expect": {"status": [405]}}},
    {"name": "delete", "http": {"method": "DELETE", "path": "/small.bin", "expect": {"status": 405}}},
    {"name": "chunked", "http": {"path": "/index.html", "headers": {"Accept-Encoding": "gzip"}, "expect": {"status": 200}}},
    {"name": "big", "http": {"path": "/big.bin", "expect": {"status": 200}}},
    {"name": "missing", "http": {"path": "/nope", "expect": {"status": 404}}}]}
]'
rc=0
lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$LM_TEST_DIR/summary.json" --quiet || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "exit status $rc"; }
S=$LM_TEST_DIR/summary.json
assert_eq "$(jq '.totals.runs' "$S")" 200 "runs"
assert_eq "$(jq '.totals.failed' "$S")" 0 "failed"
assert_eq "$(jq '.totals.ok' "$S")" 1600 "ok"
for m in GET HEAD POST PUT DELETE; do
	want=200
	[ "$m" = GET ] && want=800
	assert_eq "$(lm_access_count "^198\\.18\\.0\\.1 $m ")" "$want" "nginx $m lines"
done
# the big body arrived whole: 200 x 1 MiB of body plus heads
big=$(jq '.scenarios[0].steps[] | select(.name=="big") | .rx_bytes' "$S")
assert_ge "$big" $((200 * 1048576)) "big.bin bytes"
assert_le "$big" $((200 * (1048576 + 1024))) "big.bin bytes"
# HEAD responses carry no body: only heads were read
head=$(jq '.scenarios[0].steps[] | select(.name=="head") | .rx_bytes' "$S")
assert_le "$head" $((200 * 1024)) "HEAD bytes"
echo "ok"
