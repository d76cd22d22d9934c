#!/usr/bin/env bash
# Hostile peers, packet level: SYN-ACKs with malformed options, from
# lm-rawpeer (tests/tools/rawpeer.c). Each connection opens and its request
# is ok (body length and CRC-32C as sent, ok == the peer's responses); a
# malformed option list is counted once per connection under
# tcp.bad_options and nothing else is counted; unknown options and junk
# after End of Option List are legal (RFC 9293 3.1) and count nothing;
# pools back. The options read before the bad one stand, as in Linux: the
# MSS of 1460 in front of it is used (the request, larger than a segment,
# goes in segments of 1460 bytes); an MSS option of length 3 is skipped,
# leaving the default of 536 (RFC 9293 3.7.1); a window shift of 15 is used
# as 14 (a window of 4 << 14: full segments, not 4-byte ones).
# docs/reliability.md, "Hostile peers: packets".
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_rawpeer.sh"

for v in len0 len1 overrun mss3 wscale15 sackperm3 ts6; do
	lm_hostile_run "malformed-opts=$v" bad_options "$LM_HOSTILE_RUNS"
	want=1460
	[ "$v" != mss3 ] || want=536
	assert_eq "$(lm_rawpeer_max_seg)" "$want" "$v: largest segment of the request"
done
for v in unknown eol-junk; do
	lm_hostile_run "malformed-opts=$v" - 0
	assert_eq "$(lm_rawpeer_max_seg)" 1460 "$v: largest segment of the request"
done
echo "PASS"
