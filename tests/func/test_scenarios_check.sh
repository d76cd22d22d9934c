#!/usr/bin/env bash
# The example plans: every plan under scenarios/ passes --check and --list
# (no EAL, no network), every plan is valid against docs/plan.schema.json
# and every included scenario file against the schema's scenario, and bad
# plans are refused by both. Needs no lab: when the lab's env file is
# missing, lib.sh gets an empty one of ours.
set -euo pipefail
LM_LAB_ENV=${LM_LAB_ENV:-/run/lemmings-lab/lm/lab.env}
own_env=""
if [ ! -r "$LM_LAB_ENV" ]; then
	own_env=$(mktemp "${TMPDIR:-/tmp}/lm-scenarios-env.XXXXXX")
	LM_LAB_ENV=$own_env
fi
export LM_LAB_ENV
. "$(dirname "$0")/lib.sh"
# lib.sh has read it: ours is not needed any more
[ -z "$own_env" ] || rm -f "$own_env"

BIN=$LM_BIN
if [ -z "$BIN" ] || [ ! -x "$BIN" ]; then
	fail "no lemmings-dp binary at '$BIN' (build it first)"
fi
SCHEMA=$LM_ROOT/docs/plan.schema.json
D=$LM_TEST_DIR
python3 -c 'import jsonschema' 2>/dev/null ||
	fail "python3 has no jsonschema module (tools/deps installs python3-jsonschema)"

# A plan has "ports" at its top; the other files are scenarios it includes.
plans=()
fragments=()
while IFS= read -r f; do
	if python3 -c 'import json, sys; sys.exit(0 if "ports" in json.load(open(sys.argv[1])) else 1)' "$f"; then
		plans+=("$f")
	else
		fragments+=("$f")
	fi
done < <(find "$LM_ROOT/scenarios" -name '*.json' | sort)
[ ${#plans[@]} -ge 6 ] || fail "only ${#plans[@]} plans found under scenarios/"

# (a) lemmings-dp accepts every plan, and lists it
for f in "${plans[@]}"; do
	rc=0
	"$BIN" --check --plan "$f" >"$D/out" 2>"$D/err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$D/err"; fail "$f: --check exit $rc"; }
	rc=0
	"$BIN" --list --plan "$f" >"$D/list" 2>"$D/err" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$D/err"; fail "$f: --list exit $rc"; }
	grep -q '^load: ' "$D/list" || fail "$f: --list printed no load line"
	grep -qE '^(scenario|server) ' "$D/list" || fail "$f: --list printed no scenario nor server"
done

# validate.py SCHEMA plan|scenario FILE...: exit 0 when all are valid, 1 when
# one is not (its errors on stderr)
cat >"$D/validate.py" <<'PY'
import json
import sys

import jsonschema

schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
if sys.argv[2] == "scenario":
    schema = {"$defs": schema["$defs"], "$ref": "#/$defs/scenario"}
validator = jsonschema.Draft202012Validator(schema)
bad = 0
for path in sys.argv[3:]:
    errors = list(validator.iter_errors(json.load(open(path))))
    for e in errors:
        print(f"{path}: {'/'.join(str(p) for p in e.absolute_path)}: {e.message}",
              file=sys.stderr)
    bad += bool(errors)
sys.exit(1 if bad else 0)
PY

# (b) the schema accepts every plan and every included scenario
python3 "$D/validate.py" "$SCHEMA" plan "${plans[@]}" ||
	fail "a plan is not valid against the schema"
if [ ${#fragments[@]} -gt 0 ]; then
	python3 "$D/validate.py" "$SCHEMA" scenario "${fragments[@]}" ||
		fail "an included scenario is not valid against the schema"
fi

# (c) bad plans: lemmings-dp exits 2 naming the place, the schema refuses them
bad_plan() { # NAME EXPECTED-SUBSTRING LOAD SCENARIOS [EXTRA-TOP-LEVEL]
	local f=$D/$1.json rc=0
	cat >"$f" <<JSON
{"ports": [{"ip": "198.18.0.1"}], "target": {"ip": "198.18.0.2"},
 "load": $3,${5:-}
 "scenarios": $4}
JSON
	"$BIN" --check --plan "$f" >"$D/out" 2>"$D/err" || rc=$?
	[ "$rc" -eq 2 ] || { cat "$D/err"; fail "$1: --check exit $rc, expected 2"; }
	grep -qF -- "$2" "$D/err" || { cat "$D/err"; fail "$1: message lacks '$2'"; }
	if python3 "$D/validate.py" "$SCHEMA" plan "$f" 2>"$D/schema.err"; then
		fail "$1: the schema accepts it"
	fi
}
OK='[{"name": "s", "steps": [{"http": {"path": "/"}}]}]'
bad_plan both-models "$D/both-models.json:2:23: load.rate: \"users\" and \"rate\" cannot both be given" \
	'{"users": 5, "rate": 10}' "$OK"
bad_plan no-model "load: missing required key \"users\" (closed model) or \"rate\" (open model)" \
	'{"duration_s": 5}' "$OK"
bad_plan stage-model "load.stages[1].users: a stage of the open model takes \"rate\", not \"users\"" \
	'{"stages": [{"rate": 5, "duration_s": 1}, {"users": 5, "duration_s": 1}]}' "$OK"
bad_plan two-kinds "scenarios[0].steps[0].think: step has more than one kind" \
	'{"users": 1}' '[{"name": "s", "steps": [{"http": {"path": "/"}, "think": {"constant_ms": 1}}]}]'
bad_plan think-key "scenarios[0].steps[0].think.poisson_ms: unknown key" \
	'{"users": 1}' '[{"name": "s", "steps": [{"think": {"poisson_ms": 5}}]}]'
bad_plan close-key "scenarios[0].steps[0].close.mode: unknown key" \
	'{"users": 1}' '[{"name": "s", "steps": [{"close": {"mode": "rst"}}]}]'
bad_plan loop-count "scenarios[0].steps[0].loop.count: 0 is out of range" \
	'{"users": 1}' '[{"name": "s", "steps": [{"loop": {"count": 0, "steps": [{"close": {}}]}}]}]'
bad_plan reserved "scenarios[0].name: scenario name \"on_start\" is reserved" \
	'{"users": 1}' '[{"name": "on_start", "steps": [{"close": {}}]}]'
bad_plan capture-name "scenarios[0].steps[0].http.capture.user: capture name \"user\" is a built-in variable" \
	'{"users": 1}' '[{"name": "s", "steps": [{"http": {"path": "/", "capture": {"user": {"header": "X"}}}}]}]'
bad_plan send-empty "scenarios[0].steps[0].send: must not be empty" \
	'{"users": 1}' '[{"name": "s", "steps": [{"send": ""}]}]'
bad_plan hook-empty "on_stop: must have 1 to 1024 entries, got 0" \
	'{"users": 1}' "$OK" ' "on_stop": [],'

# the command line's load overrides follow the plan's model
rc=0
"$BIN" --check --users 3 --plan "$LM_ROOT/scenarios/open-rate.json" >"$D/out" 2>"$D/err" || rc=$?
assert_eq "$rc" 2 "--users on an open-model plan"
assert_contains "$D/err" "error: --users: the plan's load is open"
rc=0
"$BIN" --list --rate 50 --plan "$LM_ROOT/scenarios/open-rate.json" >"$D/out" 2>"$D/err" || rc=$?
assert_eq "$rc" 0 "--rate on an open-model plan"
assert_contains "$D/out" "load: open model, 50 sessions per second (poisson)"
echo "ok: ${#plans[@]} plans, ${#fragments[@]} included scenarios"
