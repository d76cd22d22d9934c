#!/usr/bin/env bash
# 100 000 concurrent established connections between our client and our
# server over net_memif (tools/scale, the CI version of its million): every
# user's request ok, both sides holding exactly 100 000 connections at the
# peak, the server answering each once. Then the memory figures the run
# reports: a connection's bytes are its parts' sizes, and they must not grow
# past today's (a ratchet to lower as the structures shrink; the target is
# 192 bytes a side, see docs/benchmarks.md).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

N=100000
OUT=$LM_TEST_DIR/scale
rc=0
LM_BIN=$LM_BIN "$LM_ROOT/tools/scale" --connections $N --spawn-rate 20000 --hold 3 \
	--out "$OUT" >"$LM_TEST_DIR/scale.out" 2>&1 || rc=$?
cat "$LM_TEST_DIR/scale.out"
[ "$rc" -eq 0 ] || fail "tools/scale: exit status $rc"
C=$OUT/client-summary.json
S=$OUT/server-summary.json
assert_eq "$(jq '.totals.ok' "$C")" $N "requests ok"
assert_eq "$(jq '.memory.peak_connections' "$C")" $N "client: connections held at once"
assert_eq "$(jq '.memory.peak_connections' "$S")" $N "server: connections held at once"
assert_eq "$(jq '.server.requests' "$S")" $N "requests the server answered"
# a connection's figure is the sum of its parts
assert_eq "$(jq '.memory.per_connection.client' "$C")" \
	"$(jq '.memory.parts | .tcb + .table_entry + .session' "$C")" "client: bytes per connection = parts"
assert_eq "$(jq '.memory.per_connection.server' "$S")" \
	"$(jq '.memory.parts | .tcb + .table_entry + .server_connection' "$S")" "server: bytes per connection = parts"
# the pools hold at least the connections they held
assert_ge "$(jq '.memory.pools.tcbs.count' "$C")" $N "client: TCBs in the pool"
assert_ge "$(jq '.memory.pools.tcbs.count' "$S")" $N "server: TCBs in the pool"
# at 100 000 the pools' share is ten times a million's (190 and 163 there)
assert_le "$(jq '.memory.parts.tcb' "$C")" 136 "TCB bytes"
assert_le "$(jq '.memory.per_connection.client' "$C")" 285 "client: bytes per connection"
assert_le "$(jq '.memory.per_connection.server' "$S")" 340 "server: bytes per connection"
