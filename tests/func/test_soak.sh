#!/usr/bin/env bash
# tools/soak for two minutes in this lab: our client against nginx and against
# our own server (a second lemmings-dp in the server namespace), keep-alive and
# a connection per run, faults injected, thresholds; sampled every 5 s. It
# must pass: no RSS or pool level growing after the warm-up, every pool of
# both processes back at the end, requests == ok + failed, no error but those
# loss explains, and nginx's and our server's counts consistent with the
# client's. The test also checks that the soak measured what it says it did.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

OUT=$LM_TEST_DIR/soak
rc=0
LM_LAB_ENV=$LM_LAB_ENV LM_BIN=$LM_BIN "$LM_ROOT/tools/soak" 2 --out "$OUT" >"$LM_TEST_DIR/soak.txt" 2>&1 || rc=$?
cat "$LM_TEST_DIR/soak.txt"
[ "$rc" -eq 0 ] || fail "tools/soak 2: exit status $rc"
grep -q '^soak: ok (2 min)$' "$LM_TEST_DIR/soak.txt" || fail "no 'soak: ok' line"
# 120 s at one sample every 5 s: the API answered (nearly) every time
assert_ge "$(($(wc -l <"$OUT/samples.csv") - 1))" 18 "samples"
# every series of the trend was judged
assert_eq "$(grep -cE '^ok +(client_rss_kb|server_rss_kb|c_tcbs|c_flights|c_timers|s_tcbs|s_server_states|s_timers) ' "$LM_TEST_DIR/soak.txt")" 8 "series judged"
C=$OUT/client-summary.json
S=$OUT/server-summary.json
assert_ge "$(jq '.totals.ok' "$C")" 5000 "client requests ok"
for sc in nginx_keepalive nginx_per_run nginx_download ours_keepalive ours_reset; do
	assert_ge "$(jq --arg s "$sc" '.scenarios[] | select(.name == $s) | .runs_ok' "$C")" 10 "runs of $sc"
done
assert_ge "$(jq '.impair.rx.dropped + .impair.tx.dropped' "$C")" 1 "faults injected"
assert_ge "$(jq '.server.requests' "$S")" 1000 "our server's requests"
assert_eq "$(jq '.pools.back' "$C") $(jq '.pools.back' "$S")" "true true" "pools back"
