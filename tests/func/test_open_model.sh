#!/usr/bin/env bash
# The open model: sessions arrive at the plan's rate whatever the server
# does. A constant rate is met within 1 % over 10 s; Poisson arrivals vary
# from second to second as a Poisson process does (variance near the mean)
# while constant ones do not; stages show in the per-second counts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SCEN='[{"name": "s", "steps": [{"http": {"path": "/small.bin"}}]}]'

# per-second request counts from the live lines, without the first and last
per_second() { awk '/^\[ *[0-9]+s\] / { for (i = 1; i <= NF; i++) if ($i == "req/s") print $(i + 1) }' "$1" | sed '1d;$d'; }
stats() { awk '{ n++; s += $1; q += $1 * $1 } END { m = s / n; printf "%.1f %.1f\n", m, q / n - m * m }'; }

lm_access_reset
lm_plan_lab "$LM_TEST_DIR/constant.json" '{"rate": 1000, "duration_s": 10, "max_users": 2000}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/constant.json" --summary "$LM_TEST_DIR/constant-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "constant: exit status $rc"; }
S=$LM_TEST_DIR/constant-s.json
arrived=$(jq '.load.sessions_arrived' "$S")
assert_ge "$arrived" 9900 "constant: sessions in 10 s at 1000/s"
assert_le "$arrived" 10100 "constant: sessions in 10 s at 1000/s"
assert_eq "$(jq '.totals.ok' "$S")" "$arrived" "constant: every session's request ok"
assert_eq "$(lm_access_wait "$arrived")" "$arrived" "constant: nginx log lines"
read -r cm cv < <(per_second "$LM_STDOUT" | stats)
echo "constant: $arrived sessions; per second mean $cm variance $cv"

lm_plan_lab "$LM_TEST_DIR/poisson.json" '{"rate": 1000, "arrival": "poisson", "duration_s": 10, "max_users": 2000}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/poisson.json" --summary "$LM_TEST_DIR/poisson-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "poisson: exit status $rc"; }
S=$LM_TEST_DIR/poisson-s.json
arrived=$(jq '.load.sessions_arrived' "$S")
# 10 000 expected, standard deviation 100: 5 sigma
assert_ge "$arrived" 9500 "poisson: sessions"
assert_le "$arrived" 10500 "poisson: sessions"
read -r pm pv < <(per_second "$LM_STDOUT" | stats)
# A Poisson count's variance equals its mean (1000). Over 8 one-second counts
# the sample variance is about chi-square with 7 degrees of freedom times
# mean / 7: it falls below mean / 20 or above 4 x mean with a probability
# under 1 in 3000. Evenly spaced arrivals give a variance near 0.
awk -v v="$pv" -v m="$pm" -v c="$cv" 'BEGIN { exit !(v > m / 20 && v < 4 * m && v > 10 * c + 20) }' ||
	fail "poisson: per-second variance $pv (mean $pm; constant's $cv) is not a Poisson process's"
echo "poisson: $arrived sessions; per second mean $pm variance $pv"

lm_plan_lab "$LM_TEST_DIR/stages.json" '{"stages": [{"rate": 300, "duration_s": 3}, {"rate": 300, "duration_s": 2}, {"rate": 1500, "duration_s": 3}, {"rate": 1500, "duration_s": 2}], "max_users": 2000}' "$SCEN"
rc=0
lm_run --plan "$LM_TEST_DIR/stages.json" --summary "$LM_TEST_DIR/stages-s.json" || rc=$?
[ "$rc" -eq 0 ] || { lm_show_run; fail "stages: exit status $rc"; }
S=$LM_TEST_DIR/stages-s.json
# 0 -> 300 over 3 s (450), 300 for 2 s (600), 300 -> 1500 over 3 s (2700), 1500 for 2 s (3000)
arrived=$(jq '.load.sessions_arrived' "$S")
assert_ge "$arrived" 6600 "stages: sessions"
assert_le "$arrived" 6900 "stages: sessions"
first=$(awk '/^\[ *4s\]/ { for (i = 1; i <= NF; i++) if ($i == "req/s") print int($(i + 1)) }' "$LM_STDOUT")
last=$(awk '/^\[ *9s\]/ { for (i = 1; i <= NF; i++) if ($i == "req/s") print int($(i + 1)) }' "$LM_STDOUT")
assert_ge "$first" 250 "stages: rate in the 4th second"
assert_le "$first" 350 "stages: rate in the 4th second"
assert_ge "$last" 1400 "stages: rate in the 9th second"
echo "stages: $arrived sessions, 4th second $first/s, 9th second $last/s"
