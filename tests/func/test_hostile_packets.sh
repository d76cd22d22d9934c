#!/usr/bin/env bash
# Hostile peers, packet level: lm-rawpeer (tests/tools/rawpeer.c) answers each
# GET after one misbehaviour per connection: every segment sent twice, or one
# segment outside the window before the response (data past the window or
# before RCV.NXT, an ACK of data never sent or far too old, an RST outside or
# inside the window, a SYN on the connection). Each run: exit 0, every request
# ok with the body's length and CRC-32C as sent (what the stack dropped never
# reached the response), ok == the responses in the peer's log, the
# misbehaviour counted under its own name and nothing else counted, pools
# back. The malformed options are test_hostile_options.sh's, ICMP
# test_hostile_icmp.sh's. docs/reliability.md, "Hostile peers: packets".
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rawpeer.sh"

RUNS=$LM_HOSTILE_RUNS

# Every segment of the peer twice: SYN-ACK, each data segment, FIN. Each copy
# is a duplicate segment, as many as the peer logged sending.
lm_hostile_run dup duplicate_segments log:dup
segs=$(awk '$2 == "response" { sub("segments=", "", $5); print $5; exit }' "$LM_RAWPEER_LOG")
assert_eq "$(lm_rawpeer_count dup)" "$((RUNS * (1 + segs + 1)))" \
	"dup: SYN-ACK, $segs data segments and FIN twice, per connection"

# One segment outside the window per connection, before the response:
# answered with an ACK and dropped (RFC 9293 3.10.7.4; RFC 5961 3 and 4: the
# challenge ACK of an RST in the window and of a SYN; RFC 5961 5.2: an ACK
# older than the window), but an RST outside the window: ignored, no answer.
oow() { # VARIANT COUNTER ACKED
	lm_hostile_run "out-of-window=$1" "$2" "$RUNS"
	assert_eq "$(lm_rawpeer_acks_of_syn)" "$((RUNS * $3))" "$1: ACKs in answer"
	assert_eq "$(lm_rawpeer_count no-answer)" "$((RUNS * (1 - $3)))" "$1: segments left unanswered"
}
oow far beyond_window 1
oow old duplicate_segments 1
oow ack-unsent bad_acks 1
oow ack-old bad_acks 1
oow rst-out rst_ignored 0
oow rst-in rst_challenged 1
oow syn syn_challenged 1
echo "PASS"
