# tests/func/hostile_lib.sh: what the tests against lm-hostile share (source it after
# lib.sh). A test runs each mode of lm-hostile with check (or run_plan), which assert
# what every hostile case must keep: the run lasts its duration and exits 0, requests
# == ok + failed, every pool back, every connection we opened accepted by the server
# and none left open there.
# shellcheck shell=bash

PORT=8090
LM_PLAN_PORT=$PORT
ONLY=${1:-}   # a mode's name: only that case (when working on it)

# errs S [STEP]: the non-zero errors of the totals (or of scenario.step), for messages
errs() {
	if [ $# -eq 1 ]; then
		jq -c '.totals.errors | with_entries(select(.value > 0))' "$1"
	else
		jq -c --arg s "$2" '.scenarios[] as $c | $c.steps[] |
			select("\($c.name).\(.name)" == $s) | .errors |
			with_entries(select(.value > 0))' "$1"
	fi
}

# step S SCENARIO.STEP FIELD: a step's counter (requests, ok, failed, errors.NAME)
step() {
	jq --arg s "$2" ".scenarios[] as \$c | \$c.steps[] |
		select(\"\\(\$c.name).\\(.name)\" == \$s) | .$3" "$1"
}

pools_back() { # S WHAT
	assert_eq "$(jq '.pools.mbufs.free_end == .pools.mbufs.free_start' "$1")" true "$2: mbufs back"
	assert_eq "$(jq '.pools.tcbs.in_use_end' "$1")" 0 "$2: TCBs back"
	assert_eq "$(jq '.pools.users.active_end' "$1")" 0 "$2: users stopped"
}

# run_plan MODE LOAD SCENARIOS: run it against lm-hostile (already started);
# sets S (the summary). The server is stopped after the run, so its log is whole.
run_plan() {
	local rc=0 d
	lm_plan_lab "$LM_TEST_DIR/plan-$1.json" "$2" "$3"
	S=$LM_TEST_DIR/s-$1.json
	lm_run --plan "$LM_TEST_DIR/plan-$1.json" --quiet --summary "$S" || rc=$?
	lm_hostile_stop
	[ "$rc" -eq 0 ] || { lm_show_run; fail "$1: exit status $rc"; }
	# the run lasted its duration, neither cut short nor held up
	d=$(jq '.load.duration_s' "$LM_TEST_DIR/plan-$1.json")
	assert_eq "$(jq '.duration_s | floor' "$S")" "$d" "$1: load period (s)"
	assert_eq "$(jq '.totals.requests == .totals.ok + .totals.failed' "$S")" true \
		"$1: requests == ok + failed"
	pools_back "$S" "$1"
	# every connection we opened is one the server accepted, and we closed
	# or reset each of them: none is left open at the server (a RST it
	# drops as out of its window would leave one)
	assert_eq "$(grep -c ' accept$' "$LM_HOSTILE_LOG")" "$(jq '.totals.connections' "$S")" \
		"$1: connections accepted by the server"
	assert_eq "$(ends open)" 0 "$1: connections left open at the server"
	assert_eq "$(($(ends reset) + $(ends fin) + $(ends ours)))" "$(jq '.totals.connections' "$S")" \
		"$1: connections reset or closed"
}

# ends HOW: connections the server saw end so: reset (by us), fin (closed by
# us), open (neither), ours (the server reset it)
ends() {
	grep -c " end $1\$" "$LM_HOSTILE_LOG" || true
}

# check MODE ERROR END TIMEOUT_MS HOSTILE_HTTP [SERVER ARGS...]: 4 users for 2 s, half
# of their runs a request to the hostile path, the others GET /ok. Each hostile
# request fails with ERROR; END: how the server saw their connections end (reset,
# or - when it may be either).
check() {
	local mode=$1 err=$2 end=$3 tmo=$4 http=$5 hreq good
	shift 5
	[ -z "$ONLY" ] || [ "$ONLY" = "$mode" ] || return 0
	lm_hostile_start "$PORT" "$mode" "$@"
	run_plan "$mode" '{"users": 4, "duration_s": 2}' "[
	  {\"name\": \"hostile\", \"steps\": [{\"name\": \"h\", \"timeout_ms\": $tmo, \"http\": $http}]},
	  {\"name\": \"good\", \"steps\": [{\"name\": \"ok\", \"timeout_ms\": 2000, \"http\": {\"path\": \"/ok\"}}]}]"
	hreq=$(step "$S" hostile.h requests)
	good=$(step "$S" good.ok requests)
	assert_ge "$hreq" 4 "$mode: hostile requests (the run goes on)"
	assert_eq "$(step "$S" hostile.h failed)" "$hreq" "$mode: hostile requests failed"
	assert_eq "$(step "$S" hostile.h "errors.$err")" "$hreq" \
		"$mode: every failure is $err ($(errs "$S" hostile.h))"
	assert_ge "$good" 4 "$mode: good requests"
	assert_eq "$(step "$S" good.ok ok)" "$good" "$mode: good requests ok ($(errs "$S" good.ok))"
	# what the server saw: the same requests, no more, no less
	assert_eq "$(grep -c ' [A-Z]* /h ' "$LM_HOSTILE_LOG")" "$hreq" "$mode: hostile requests at the server"
	assert_eq "$(grep -c ' GET /ok ok$' "$LM_HOSTILE_LOG")" "$good" "$mode: good requests at the server"
	# a connection that carried a hostile request was reset, the others closed
	if [ "$end" != - ]; then
		assert_eq "$(ends "$end")" "$hreq" "$mode: connections ended ($end), as the server saw them"
		# closed: only the users' last connections, at the end of the run
		assert_le "$(ends fin)" 4 "$mode: connections closed"
	fi
	echo "$mode: $hreq requests failed with $err, $good ok beside them"
}

