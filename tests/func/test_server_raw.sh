#!/usr/bin/env bash
# Raw TCP servers: "reply" after a delimiter (split across writes, several
# requests in one write) and after a byte count (a generated answer,
# checked against tests/tools/http_probe.py's generator), and "echo" of
# 12 000 random bytes sent in one go. The server counts what it answered.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

jq -n --arg ip "$LM_CLI_IP" '{name: "raw-servers", ports: [{ip: $ip, prefix: 24}],
	load: {duration_s: 10},
	servers: [{port: 0, listen: 7, echo: {}},
		{port: 0, listen: 9000, reply: {after: "\r\n", text: "PONG\r\n"}},
		{port: 0, listen: 9001, reply: {after_bytes: 64, bytes: 1024, seed: 3}}]}' \
	>"$LM_TEST_DIR/plan.json"
S=$LM_TEST_DIR/summary.json
(lm_run --plan "$LM_TEST_DIR/plan.json" --summary "$S" --quiet) &
RUN=$!
want=$(python3 "$LM_ROOT/tests/tools/http_probe.py" gen 1024 3)
ip netns exec "$LM_NS_SRV" python3 - "$LM_CLI_IP" "$want" >"$LM_TEST_DIR/probe.out" <<'EOF2'
import hashlib, os, socket, sys, time
host, want = sys.argv[1], sys.argv[2]
def conn(port):
    for _ in range(50):
        try:
            return socket.create_connection((host, port), timeout=5)
        except OSError:
            time.sleep(0.1)
    raise SystemExit("cannot connect to %d" % port)
def read(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return buf
s = conn(9000)
for part in (b"PI", b"NG\r\nPING\r\nxx\r", b"\n"):
    s.sendall(part)
    time.sleep(0.05)
print("delimiter", read(s, 18) == b"PONG\r\n" * 3)
s = conn(9001)
s.sendall(b"a" * 128)
got = read(s, 2048)
print("count", len(got) == 2048 and hashlib.sha256(got[:1024]).hexdigest() == want
      and got[:1024] == got[1024:])
s = conn(7)
data = os.urandom(12000)
s.sendall(data)
print("echo", read(s, len(data)) == data)
EOF2
wait "$RUN" || fail "lemmings-dp exit status $?"
cat "$LM_TEST_DIR/probe.out"
assert_eq "$(tr '\n' ' ' <"$LM_TEST_DIR/probe.out")" "delimiter True count True echo True " "raw servers' answers"
assert_eq "$(jq '.server.connections' "$S")" 3 "connections"
assert_eq "$(jq -c '[.server.servers[] | [.connections, .requests]]' "$S")" "[[1,0],[1,3],[1,2]]" \
	"per server: connections and requests (echo, line reply, block reply)"
assert_eq "$(jq '.server.requests' "$S")" 5 "requests answered (3 lines, 2 blocks)"
assert_eq "$(jq '.server.tx_bytes' "$S")" $((18 + 2048 + 12000)) "bytes sent"
