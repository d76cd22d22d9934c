#!/usr/bin/env bash
# tests/func/test_lab_smoke.sh — the lab alone: nginx in the server namespace serves the
# test files and logs each request in the agreed format. No lemmings-dp involved.
#
# usage: tools/lab up && bash tests/func/test_lab_smoke.sh
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

get() { # get PATH [curl args...] -> "status size" ; body in $LM_TEST_DIR/body
	local path=$1
	shift
	lm_srv curl -sS --noproxy '*' --max-time 5 -o "$LM_TEST_DIR/body" \
		-w '%{http_code} %{size_download}' "$@" "http://$LM_SRV_IP$path"
}

lm_access_reset
assert_eq "$(lm_access_count)" 0 "access log after reset"

# The test's main point: 100 bytes, and exactly one log line for them.
assert_eq "$(get /small.bin)" "200 100" "GET /small.bin"
assert_eq "$(stat -c %s "$LM_TEST_DIR/body")" 100 "bytes written by curl"
assert_eq "$(lm_access_wait 1)" 1 "access log lines"
line=$(cat "$LM_ACCESS_LOG")
[[ $line =~ ^$LM_SRV_IP\ GET\ /small\.bin\ 200\ 100\ [0-9]+\ -$ ]] || fail "access log line: '$line'"

# The other fixtures the lemmings-dp tests rely on.
assert_eq "$(get /big.bin)" "200 1048576" "GET /big.bin"
cmp -s "$LM_TEST_DIR/body" "$LM_DOCROOT/big.bin" || fail "big.bin content differs"
assert_eq "$(get /api/echo -d 'x=1')" "200 3" "POST /api/echo"
assert_eq "$(cat "$LM_TEST_DIR/body")" "ok" "POST /api/echo body"
status=$(get /)
assert_eq "${status% *}" 200 "GET /"
assert_ge "${status#* }" 500 "index.html size"
lm_srv curl -sS --noproxy '*' --max-time 5 -D "$LM_TEST_DIR/headers" -o /dev/null \
	"http://$LM_SRV_IP/chunked"
grep -qi '^transfer-encoding: chunked' "$LM_TEST_DIR/headers" || fail "/chunked is not chunked"
status=$(get /missing)
assert_eq "${status% *}" 404 "GET /missing"

assert_eq "$(lm_access_wait 6)" 6 "access log lines"
assert_eq "$(lm_access_count "^$LM_SRV_IP POST /api/echo 200 3 [0-9]+ -$")" 1 "POST line"
echo "PASS: lab smoke"
