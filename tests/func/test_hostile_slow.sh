#!/usr/bin/env bash
# Hostile HTTP servers (tests/tools/lm-hostile), the slow cases: a chunked body
# that never ends, a response trickled a byte every 200 ms, a server that never
# reads the request (its window stays at zero). Each request to the hostile
# path ends at its step's timeout as "timeout" and its connection is reset (the
# server sees the RST: none is left open there); the other users' requests
# (/ok) all succeed meanwhile; the run lasts its duration and exits 0; the
# counts match the server's log; every pool is back at its starting level.
# The fast cases are in test_hostile_http.sh.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/hostile_lib.sh"

check endless-chunked timeout reset 500 '{"path": "/h"}'
check slowloris timeout reset 500 '{"path": "/h"}'
# never read: we probe the zero window (persist timer) until the step's timeout,
# then reset; a RST past the window's edge would be dropped by the server
check zero-window timeout reset 1000 '{"method": "POST", "path": "/h", "body": {"size": 1048576}}'
if [ -z "$ONLY" ] || [ "$ONLY" = zero-window ]; then
	assert_ge "$(jq '.tcp.persist_probes' "$S")" "$(step "$S" hostile.h requests)" "zero-window: window probes"
	assert_ge "$(jq '.tcp.rst_sent' "$S")" "$(step "$S" hostile.h requests)" "zero-window: connections reset"
fi
