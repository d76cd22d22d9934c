#!/usr/bin/env bash
# Uploads: POSTs of 10 MB generated bodies reach a server that records the
# CRC-32C of every body it receives; every digest matches the generator's,
# with and without 1 % loss in each direction, and with a templated request
# head (the head rendered per request, the generated body after it).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 8080
SIZE=10485760
crc=$("$LM_TESTSRV_BIN" --crc-of-gen $SIZE 21)
LM_PLAN_PORT=8080
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 2, "duration_s": 120, "max_runs": 4}' "[
  {\"name\": \"up\", \"steps\": [
    {\"name\": \"post\", \"timeout_ms\": 60000, \"http\": {\"method\": \"POST\", \"path\": \"/upload\",
      \"body\": {\"size\": $SIZE, \"seed\": 21}, \"expect\": {\"status\": 200}}}]}
]"
for loss in 0 0.01; do
	lm_loss "$LM_IF_CLI" "$LM_NS_CLI" "$loss"
	lm_loss "$LM_IF_SRV" "$LM_NS_SRV" "$loss"
	: >"$LM_TESTSRV_LOG"
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s-$loss.json" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "loss $loss: exit status $rc"; }
	S=$LM_TEST_DIR/s-$loss.json
	assert_eq "$(jq '.totals.ok' "$S")" 4 "loss $loss: uploads ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
	assert_eq "$(grep -c "^POST /upload $SIZE $crc\$" "$LM_TESTSRV_LOG")" 4 "loss $loss: bodies received byte-exact"
	assert_eq "$(wc -l <"$LM_TESTSRV_LOG")" 4 "loss $loss: requests at the server"
	if [ "$loss" != 0 ]; then
		assert_ge "$(jq '.tcp.retransmits' "$S")" 1 "loss $loss: our retransmissions"
	else
		# Nothing is lost on the path: no fast retransmission. A
		# retransmission timeout may still fire now and then (about one
		# run in fifty): with both uploads saturating the server's CPU,
		# which also carries the lab's packets to us, net_af_packet's
		# transmit blocks in poll() until the kernel drains, our RX ring
		# overflows meanwhile, and when the ACKs lost are the last ones
		# of an upload only the timer recovers.
		assert_eq "$(jq '.tcp.fast_retransmits' "$S")" 0 "no loss: fast retransmissions"
	fi
	echo "loss $loss: 4 uploads of $SIZE bytes, CRC-32C $crc at the server, $(jq '.tcp.retransmits' "$S") retransmissions, $(jq '.tcp.fast_retransmits' "$S") fast"
done

# a templated head (a header with {{run}}) followed by the generated body
lm_loss "$LM_IF_CLI" "$LM_NS_CLI" 0
lm_loss "$LM_IF_SRV" "$LM_NS_SRV" 0
lm_plan_lab "$LM_TEST_DIR/plan-t.json" '{"users": 2, "duration_s": 120, "max_runs": 4}' "[
  {\"name\": \"up\", \"steps\": [
    {\"name\": \"post\", \"timeout_ms\": 60000, \"http\": {\"method\": \"POST\", \"path\": \"/upload\",
      \"headers\": {\"X-Run\": \"{{run}}\"},
      \"body\": {\"size\": $SIZE, \"seed\": 21}, \"expect\": {\"status\": 200}}}]}
]"
: >"$LM_TESTSRV_LOG"
rc=0
lm_run --plan "$LM_TEST_DIR/plan-t.json" --quiet --summary "$LM_TEST_DIR/s-t.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "templated head: exit status $rc"; }
S=$LM_TEST_DIR/s-t.json
assert_eq "$(jq '.totals.ok' "$S")" 4 "templated head: uploads ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
assert_eq "$(grep -c "^POST /upload $SIZE $crc\$" "$LM_TESTSRV_LOG")" 4 "templated head: bodies received byte-exact"
echo "templated head: 4 uploads of $SIZE bytes, CRC-32C $crc at the server"
