#!/usr/bin/env bash
# lemmings-ctl top attaches read-only to a running instance's statistics
# area (/dev/shm/lemmings-dp.NAME) and shows its steps with the counts
# moving; the area disappears with the run.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

CTL=$LM_ROOT/build/control/lemmings-ctl
NAME=functest-$$
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 2, "duration_s": 4}' \
	'[{"name": "s", "steps": [{"name": "home", "http": {"path": "/index.html"}}]}]'
( lm_run --plan "$LM_TEST_DIR/plan.json" --quiet --stats-name "$NAME" \
	--summary "$LM_TEST_DIR/s.json" ) &
run=$!
for _ in $(seq 50); do
	[ -e "/dev/shm/lemmings-dp.$NAME" ] && break
	sleep 0.1
done
[ -e "/dev/shm/lemmings-dp.$NAME" ] || fail "no statistics area appeared"
"$CTL" top "$NAME" --count 2 >"$LM_TEST_DIR/top.txt" || fail "lemmings-ctl top failed"
wait "$run" || fail "the run failed"
grep -q '^s/home ' "$LM_TEST_DIR/top.txt" || fail "no s/home row: $(cat "$LM_TEST_DIR/top.txt")"
last=$(awk '$1 == "s/home" { r = $2 } END { print r + 0 }' "$LM_TEST_DIR/top.txt")
assert_ge "$last" 1 "requests seen by top"
assert_le "$last" "$(jq '.totals.requests' "$LM_TEST_DIR/s.json")" "requests seen by top"
[ ! -e "/dev/shm/lemmings-dp.$NAME" ] || fail "the statistics area outlived the run"
rc=0; "$CTL" top "$NAME" --count 1 >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 1 "top on a finished run"
echo "ok: top saw $last requests"
