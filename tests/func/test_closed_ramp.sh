#!/usr/bin/env bash
# The closed model's shapes: spawn_rate starts users gradually (Locust's
# hatch rate), and stages ramp the number of users up and down (k6).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SCEN='[{"name": "s", "steps": [{"http": {"path": "/small.bin"}}, {"think": {"constant_ms": 20}}]}]'
users_at() { # SECOND LOG: the users column of that second's live line
	awk -v s="$1" '$0 ~ "^\\[ *" s "s\\]" { for (i = 1; i <= NF; i++) if ($i == "users") print $(i + 1) }' "$2"
}

# 20 users at 5 a second: about 5, 10 and 15 after 1, 2 and 3 s, then all 20
lm_plan_lab "$LM_TEST_DIR/spawn.json" '{"users": 20, "spawn_rate": 5, "duration_s": 6}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/spawn.json" --summary "$LM_TEST_DIR/spawn-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "spawn: exit status $rc"; }
u1=$(users_at 1 "$LM_STDOUT")
u3=$(users_at 3 "$LM_STDOUT")
u5=$(users_at 5 "$LM_STDOUT")
assert_ge "$u1" 4 "spawn: users after 1 s"
assert_le "$u1" 7 "spawn: users after 1 s"
assert_ge "$u3" 14 "spawn: users after 3 s"
assert_le "$u3" 17 "spawn: users after 3 s"
assert_eq "$u5" 20 "spawn: users after 5 s"

# up to 10 users in 2 s, 10 for 2 s, down to 0 in 2 s; the run ends with the stages
lm_plan_lab "$LM_TEST_DIR/stages.json" '{"stages": [{"users": 10, "duration_s": 2}, {"users": 10, "duration_s": 2}, {"users": 0, "duration_s": 2}]}' "$SCEN"
rc=0
start=$(date +%s)
lm_run --plan "$LM_TEST_DIR/stages.json" --summary "$LM_TEST_DIR/stages-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "stages: exit status $rc"; }
assert_le "$(($(date +%s) - start))" 12 "stages: the run ends with its stages"
u1=$(users_at 1 "$LM_STDOUT")
u3=$(users_at 3 "$LM_STDOUT")
u5=$(users_at 5 "$LM_STDOUT")
assert_ge "$u1" 4 "stages: users after 1 s (ramping up to 10)"
assert_le "$u1" 6 "stages: users after 1 s (ramping up to 10)"
assert_eq "$u3" 10 "stages: users after 3 s"
assert_ge "$u5" 4 "stages: users after 5 s (ramping down)"
assert_le "$u5" 6 "stages: users after 5 s (ramping down)"
S=$LM_TEST_DIR/stages-s.json
assert_eq "$(jq '.totals.failed' "$S")" 0 "stages: failed"
echo "ok: spawn $u1/$u3/$u5 users"
