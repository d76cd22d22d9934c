#!/usr/bin/env bash
# lemmings-dp as an HTTP server (scenarios/server-http.json: a server-only
# plan) on the lab's client address, asked by the kernel's clients in the
# server namespace:
#  - curl gets each route's status, length and bytes (generated bodies
#    checked against tests/tools/http_probe.py's own generator), the
#    route's header, the 404 default, HEAD without a body, /slow no sooner
#    than its 50 ms delay;
#  - four requests pipelined in one write come back in order;
#  - "Connection: close", HTTP/1.0 and a malformed request (400) end the
#    connection after the response;
#  - wrk's count of completed requests matches the server's own count.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

PROBE="python3 $LM_ROOT/tests/tools/http_probe.py"
URL=http://$LM_CLI_IP
srv() { ip netns exec "$LM_NS_SRV" "$@"; }

# served until stopped by SIGINT below (a slow machine takes as long as it needs),
# at most LM_RUN_TIMEOUT seconds
jq --arg ip "$LM_CLI_IP" '.ports[0].ip = $ip | .load.duration_s = 0' \
	"$LM_ROOT/scenarios/server-http.json" >"$LM_TEST_DIR/plan.json"
S=$LM_TEST_DIR/summary.json
_lm_prepare --plan "$LM_TEST_DIR/plan.json" --summary "$S" --quiet
# env --default-signal: a background job of a script starts with SIGINT ignored
timeout -k 5 "${LM_RUN_TIMEOUT:-60}" "${LM_CMD[@]:0:4}" env --default-signal=INT \
	"${LM_CMD[@]:4}" >"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
RUN=$!
# ready when it answers
for _ in $(seq 50); do
	srv curl -s -m 1 -o /dev/null "$URL/hello" && break
	sleep 0.2
done
asked=1

read -r code size < <(srv curl -s -m 5 -o "$LM_TEST_DIR/small" -w '%{http_code} %{size_download}\n' "$URL/small")
assert_eq "$code $size" "200 100" "/small"
assert_eq "$(sha256sum <"$LM_TEST_DIR/small" | cut -d' ' -f1)" "$($PROBE gen 100 0)" "/small bytes"
srv curl -s -m 5 -D "$LM_TEST_DIR/big.h" -o "$LM_TEST_DIR/big" "$URL/big"
assert_eq "$(sha256sum <"$LM_TEST_DIR/big" | cut -d' ' -f1)" "$($PROBE gen 1048576 7)" "/big bytes"
grep -qi '^Cache-Control: no-store' "$LM_TEST_DIR/big.h" || fail "/big: no Cache-Control header"
assert_eq "$(srv curl -s -m 5 "$URL/hello")" "hello" "/hello"
read -r code size < <(srv curl -s -m 5 -o /dev/null -w '%{http_code} %{size_download}\n' "$URL/no/such/path")
assert_eq "$code $size" "404 0" "default route"
srv curl -s -m 5 -I "$URL/big" >"$LM_TEST_DIR/head.h"
grep -qi '^Content-Length: 1048576' "$LM_TEST_DIR/head.h" || fail "HEAD /big: Content-Length"
t=$(srv curl -s -m 5 -o /dev/null -w '%{time_total}\n' "$URL/slow")
awk -v t="$t" 'BEGIN { exit !(t >= 0.05) }' || fail "/slow answered in $t s, before its 50 ms delay"
asked=$((asked + 6))

srv $PROBE pipeline "$LM_CLI_IP" 80 /small /hello /nope /small >"$LM_TEST_DIR/pipe"
printf '%s\n' "200 100 $($PROBE gen 100 0)" \
	"200 6 $(printf 'hello\n' | sha256sum | cut -d' ' -f1)" \
	"404 0 $(printf '' | sha256sum | cut -d' ' -f1)" \
	"200 100 $($PROBE gen 100 0)" >"$LM_TEST_DIR/pipe.want"
diff "$LM_TEST_DIR/pipe.want" "$LM_TEST_DIR/pipe" || fail "pipelined responses"
asked=$((asked + 4))

assert_eq "$(srv $PROBE raw "$LM_CLI_IP" 80 'GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | tr '\n' ' ')" \
	"200 closed " "Connection: close"
assert_eq "$(srv $PROBE raw "$LM_CLI_IP" 80 'GET /small HTTP/1.0\r\n\r\n' | tr '\n' ' ')" \
	"200 closed " "HTTP/1.0"
assert_eq "$(srv $PROBE raw "$LM_CLI_IP" 80 'GET /small HTTP/1.1\r\nHost: x\r\n\r\n' | tr '\n' ' ')" \
	"200 open " "keep-alive"
assert_eq "$(srv $PROBE raw "$LM_CLI_IP" 80 'GARBAGE\r\n\r\n' | tr '\n' ' ')" \
	"400 closed " "malformed request"
asked=$((asked + 3))

wrk_n=$(srv wrk -t1 -c8 -d2s "$URL/small" | awk '/requests in/ { print $1 }')
assert_ge "$wrk_n" 1000 "wrk's requests"

kill -INT "$RUN"
rc=0
wait "$RUN" || rc=$?
_lm_done "$rc"
[ "$rc" -eq 0 ] || fail "lemmings-dp exit status $rc"
served=$(jq '.server.requests' "$S")
# wrk counts what completed; a request in flight when it stopped is
# answered but not counted: at most one per connection
assert_ge "$served" "$((asked + wrk_n))" "requests answered"
assert_le "$served" "$((asked + wrk_n + 8))" "requests answered"
assert_eq "$(jq '.server.bad_requests' "$S")" 1 "bad requests"
assert_eq "$(jq '.server.servers[0].bad_requests' "$S")" 1 "bad requests of server web"
assert_eq "$(jq '[.server.overflows, .server.servers[0].overflows]' -c "$S")" "[0,0]" "overflows"
# per route: what each answered (HEAD included, the 400 in none)
route() { jq --arg r "$1" '.server.routes[] | select(.route == $r) | .requests' "$S"; }
assert_eq "$(route /hello)" 3 "/hello responses"
assert_eq "$(route /big)" 2 "/big responses (GET and HEAD)"
assert_eq "$(route /slow)" 1 "/slow responses"
assert_eq "$(route '(default)')" 2 "default responses"
assert_eq "$(jq '[.server.routes[].requests] | add' "$S")" "$served" "route responses add up"
assert_eq "$(jq '.server.timeouts' "$S")" 0 "connections given up"
# wrk closes its connections at the end with requests in flight: resets
assert_le "$(jq '.server.resets' "$S")" 8 "connections reset"
echo "ok: $asked requests by curl and the probe, $wrk_n by wrk; the server answered $served"
