#!/usr/bin/env bash
# Bad plans and bad usage exit 2 with a message naming file, line, column
# and JSON path; --check accepts a good plan without touching the network.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

BIN=$LM_BIN
[ -x "$BIN" ] || fail "no binary at $BIN"
D=$LM_TEST_DIR

expect_error() { # FILE EXPECTED-SUBSTRING
	local rc=0
	"$BIN" --check --plan "$1" >"$D/out" 2>"$D/err" || rc=$?
	[ "$rc" -eq 2 ] || { cat "$D/err"; fail "$1: exit $rc, expected 2"; }
	grep -qF -- "$2" "$D/err" || { cat "$D/err"; fail "$1: message lacks '$2'"; }
}

cat >"$D/method.json" <<'JSON'
{
  "ports": [{"ip": "198.18.0.1"}],
  "target": {"ip": "198.18.0.2"},
  "load": {"users": 1},
  "scenarios": [
    {"name": "a", "steps": [{"http": {"path": "/"}}]},
    {"name": "b", "steps": [{"http": {"method": "GOT", "path": "/"}}]}
  ]
}
JSON
expect_error "$D/method.json" "$D/method.json:7:49: scenarios[1].steps[0].http.method"

cat >"$D/unknown.json" <<'JSON'
{
  "ports": [{"ip": "198.18.0.1"}],
  "target": {"ip": "198.18.0.2", "prot": 80},
  "load": {"users": 1},
  "scenarios": [{"name": "a", "steps": [{"http": {"path": "/"}}]}]
}
JSON
expect_error "$D/unknown.json" "$D/unknown.json:3:34: target.prot"

cat >"$D/syntax.json" <<'JSON'
{
  "ports": [{"ip": "198.18.0.1"}],
  "load": {"users": 1,}
}
JSON
expect_error "$D/syntax.json" "$D/syntax.json:3:"

cat >"$D/ip.json" <<'JSON'
{"ports": [{"ip": "198.18.0.300"}], "target": {"ip": "198.18.0.2"},
 "load": {"users": 1}, "scenarios": [{"name": "a", "steps": [{"http": {"path": "/"}}]}]}
JSON
expect_error "$D/ip.json" "$D/ip.json:1:19: ports[0].ip"

cat >"$D/users.json" <<'JSON'
{"ports": [{"ip": "198.18.0.1"}], "target": {"ip": "198.18.0.2"},
 "load": {"users": "many"}, "scenarios": [{"name": "a", "steps": [{"http": {"path": "/"}}]}]}
JSON
expect_error "$D/users.json" "load.users"

expect_error "$D/does-not-exist.json" "$D/does-not-exist.json"

# a good plan passes --check (no EAL, no network) with status 0
rc=0
"$BIN" --check --plan "$LM_ROOT/scenarios/quickstart.json" >"$D/out" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || { cat "$D/out"; fail "quickstart --check exit $rc"; }

# bad usage: exit 2
rc=0; "$BIN" -- --plan "$LM_ROOT/scenarios/quickstart.json" --bogus >"$D/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "unknown option"
rc=0; "$BIN" -- --duration 5 >"$D/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "missing --plan"
rc=0; "$BIN" -- --plan x.json --duration -3 >"$D/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "negative duration"
# through the EAL as a user runs it: a bad plan still exits 2
rc=0; lm_run --plan "$D/method.json" || rc=$?
assert_eq "$rc" 2 "bad plan with EAL arguments"
assert_contains "$LM_STDERR" "scenarios[1].steps[0].http.method"
echo "ok"
