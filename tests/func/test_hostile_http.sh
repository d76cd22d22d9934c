#!/usr/bin/env bash
# Hostile HTTP servers (tests/tools/lm-hostile), the fast cases: a garbage
# status line, a framing number that is no number, a head past our limits, a
# switch to another protocol nobody asked for, an answer before the request's
# body was read. Each request to the hostile path fails with its own named
# reason (or, for the early answer, is counted as the plan expects and its
# connection reset); the other users' requests (/ok, answered properly by the
# same server) all succeed; the run lasts its duration and exits 0; the counts
# match the server's log, connection by connection; every pool is back at its
# starting level. The slow cases are in test_hostile_slow.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"

check garbage-status protocol reset 2000 '{"path": "/h"}'
check cl-overflow protocol reset 2000 '{"path": "/h"}'
check big-headers head_too_large reset 2000 '{"path": "/h"}'
# a 101 nobody asked for: an unexpected status, and the connection, which
# speaks another protocol now, is never used again (closed, or reset when the
# server's frames reach it closed: either)
check upgrade status - 2000 '{"path": "/h"}'
if [ -z "$ONLY" ] || [ "$ONLY" = upgrade ]; then
	assert_ge "$(jq '.totals.connections' "$S")" "$(step "$S" hostile.h requests)" \
		"upgrade: a connection per 101"
fi
[ -z "$ONLY" ] || [ "$ONLY" = early-answer ] || exit 0

# The early answer: a 413 with Connection: close (then FIN, or a RST right
# behind it), or a 200 that leaves the connection open, all before the server
# read the 1 MiB body. The request counts as the plan expects; its connection is
# reset (its body was not all acknowledged); the GET that follows works, on a
# new connection, which the next run's POST uses.
lm_hostile_start "$PORT" early-answer
run_plan early-answer '{"users": 4, "duration_s": 2}' '[
  {"name": "e413", "steps": [
    {"name": "post", "timeout_ms": 2000, "http": {"method": "POST", "path": "/413",
      "body": {"size": 1048576}, "expect": {"status": 413}}},
    {"name": "next", "timeout_ms": 2000, "http": {"path": "/ok"}}]},
  {"name": "e413rst", "steps": [
    {"name": "post", "timeout_ms": 2000, "http": {"method": "POST", "path": "/413rst",
      "body": {"size": 1048576}, "expect": {"status": 413}}},
    {"name": "next", "timeout_ms": 2000, "http": {"path": "/ok"}}]},
  {"name": "e200", "steps": [
    {"name": "post", "timeout_ms": 2000, "http": {"method": "POST", "path": "/200",
      "body": {"size": 1048576}}},
    {"name": "next", "timeout_ms": 2000, "http": {"path": "/ok"}}]}]'
assert_eq "$(jq '.totals.failed' "$S")" 0 "early-answer: nothing failed ($(errs "$S"))"
posts=0
for sc in e413 e413rst e200; do
	n=$(step "$S" "$sc.post" requests)
	assert_ge "$n" 2 "early-answer: $sc posts"
	assert_eq "$(step "$S" "$sc.next" requests)" "$n" "early-answer: $sc: a GET after each POST"
	assert_eq "$(grep -c " POST /${sc#e} " "$LM_HOSTILE_LOG")" "$n" "early-answer: $sc posts at the server"
	posts=$((posts + n))
done
assert_eq "$(grep -c ' GET /ok ok$' "$LM_HOSTILE_LOG")" "$posts" "early-answer: GETs at the server"
# we reset each POST's connection (but those the server reset first, /413rst)
assert_ge "$(jq '.tcp.rst_sent' "$S")" "$(($(step "$S" e413.post requests) + $(step "$S" e200.post requests)))" \
	"early-answer: connections reset"
assert_eq "$(($(ends reset) + $(ends ours)))" "$posts" "early-answer: connections reset, as the server saw them"
# the connection of each GET carried the next run's POST: only the users' last
# ones were closed, at the end of the run
assert_eq "$(ends fin)" 4 "early-answer: connections closed"
assert_eq "$(jq '.totals.connections' "$S")" "$((posts + 4))" "early-answer: connections"
echo "early-answer: $posts early answers counted as expected, each connection reset"
