#!/usr/bin/env bash
# Downloads of 1 MB and 20 MB arrive byte-exact (CRC-32C of the body) over the
# kernel's TCP sending to ours, with 0 %, 1 % and 5 % of the packets dropped in
# each direction (lm-xdp-loss on both veth ends). Without loss we never
# retransmit and the kernel recovers nothing (a tail loss probe, which it
# sends when ACKs come late, is not a loss); with loss the retransmission
# counters move.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

lm_testsrv_start 8080
crc1=$("$LM_TESTSRV_BIN" --crc-of-gen 1048576 11)
crc20=$("$LM_TESTSRV_BIN" --crc-of-gen 20971520 12)
LM_PLAN_PORT=8080
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 1, "duration_s": 120, "max_runs": 2}' "[
  {\"name\": \"dl\", \"steps\": [
    {\"name\": \"1mb\", \"timeout_ms\": 60000, \"http\": {\"path\": \"/gen?size=1048576&seed=11\",
      \"expect\": {\"status\": 200, \"body_bytes\": 1048576, \"body_crc32c\": \"$crc1\"}}},
    {\"name\": \"20mb\", \"timeout_ms\": 60000, \"http\": {\"path\": \"/gen?size=20971520&seed=12&chunked=1\",
      \"expect\": {\"status\": 200, \"body_bytes\": 20971520, \"body_crc32c\": \"$crc20\"}}}]}
]"
kernel_retrans() {
	ip netns exec "$LM_NS_SRV" nstat -az TcpRetransSegs | awk '/TcpRetransSegs/ {print $2}'
}
# The kernel's loss recovery: SACK or NewReno recoveries and timeouts. A tail
# loss probe (RFC 8985) is a retransmission without a loss: it fires when ACKs
# are late, as when the machine takes the worker's CPU away for a few ms.
kernel_recovery() {
	ip netns exec "$LM_NS_SRV" nstat -az TcpExtTCPSackRecovery TcpExtTCPRenoRecovery \
		TcpExtTCPTimeouts | awk '{ n += $2 } END { print n + 0 }'
}
kernel_probes() {
	ip netns exec "$LM_NS_SRV" nstat -az TcpExtTCPLossProbes | awk '/TCPLossProbes/ {print $2}'
}
for loss in 0 0.01 0.05; do
	lm_loss "$LM_IF_CLI" "$LM_NS_CLI" "$loss"   # what the kernel sends us
	lm_loss "$LM_IF_SRV" "$LM_NS_SRV" "$loss"   # what we send the kernel
	k0=$(kernel_retrans)
	r0=$(kernel_recovery)
	p0=$(kernel_probes)
	rc=0
	lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s-$loss.json" || rc=$?
	[ "$rc" -eq 0 ] || { lm_show_run; fail "loss $loss: exit status $rc"; }
	S=$LM_TEST_DIR/s-$loss.json
	k=$(($(kernel_retrans) - k0))
	r=$(($(kernel_recovery) - r0))
	p=$(($(kernel_probes) - p0))
	ours=$(jq '.tcp.retransmits' "$S")
	assert_eq "$(jq '.totals.ok' "$S")" 4 "loss $loss: downloads ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
	assert_eq "$(jq '.totals.failed' "$S")" 0 "loss $loss: failed"
	assert_eq "$(jq '.scenarios[0].steps[1].rx_bytes >= 2 * 20971520' "$S")" true "loss $loss: 20 MB bodies"
	if [ "$loss" = 0 ]; then
		# nothing lost: no recovery, and any retransmission a probe
		assert_eq "$r" 0 "no loss: kernel loss recoveries and timeouts"
		assert_le "$k" "$p" "no loss: kernel retransmissions beyond its $p tail loss probes"
		assert_eq "$ours" 0 "no loss: our retransmissions"
		assert_eq "$(jq '.tcp.rto_expiries' "$S")" 0 "no loss: RTO expiries"
	else
		assert_ge "$((k + ours))" 1 "loss $loss: retransmissions"
	fi
	assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$S")" true "loss $loss: mbufs back"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$S")" 0 "loss $loss: TCBs back"
	echo "loss $loss: ok, kernel retransmitted $k ($p probes, $r recoveries), we retransmitted $ours, held out of order $(jq '.tcp.ooo_held' "$S")"
done

# Our own fault injector on top of the path: 1 % reordering and 1 % duplication
# in each direction, 1 % loss of what we receive; the bodies still arrive intact.
lm_loss "$LM_IF_CLI" "$LM_NS_CLI" 0
lm_loss "$LM_IF_SRV" "$LM_NS_SRV" 0
rc=0
lm_run --impair 'rx:drop=0.01,reorder=0.01,dup=0.01;tx:reorder=0.01,dup=0.01;seed=5' \
	--plan "$LM_TEST_DIR/plan.json" --quiet --summary "$LM_TEST_DIR/s-impair.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "impair: exit status $rc"; }
S=$LM_TEST_DIR/s-impair.json
assert_eq "$(jq '.totals.ok' "$S")" 4 "impair: downloads ok ($(jq -c '.totals.errors | with_entries(select(.value > 0))' "$S"))"
for k in rx.dropped rx.reordered rx.duplicated tx.reordered tx.duplicated; do
	assert_ge "$(jq ".impair.$k" "$S")" 1 "impair: $k"
done
assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$S")" true "impair: mbufs back"
echo "impair: ok, $(jq -c '.impair' "$S")"
