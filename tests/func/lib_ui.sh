# tests/func/lib_ui.sh — helpers for the web UI's tests (test_ui_*.sh): source it after lib.sh.
# shellcheck shell=bash
#
# The browser is Debian's chromium, headless, driven by playwright-core
# (tests/browser, installed by tools/deps); its scripts run in the client
# namespace, where the binary's API listens on the loopback.
#
#   ui_need                      skip (77) when chromium or playwright-core is missing
#   ui_start ARGS...             run lemmings-dp in the background with ARGS and
#                                --api 127.0.0.1:$UI_PORT (a free port); waits for
#                                /api/status; UI_PID, UI_URL; stopped at exit
#   ui_api METHOD PATH [curl args...]   prints the HTTP status, body in $LM_TEST_DIR/body
#   ui_browser SCRIPT ARGS...    run tests/browser/SCRIPT in the client namespace
#                                (its output in $LM_TEST_DIR/SCRIPT.out, shown on failure)
#   ui_wait_exit SECONDS         wait for the binary to exit; sets LM_RC
#   ui_keep_shot FILE NAME       with LM_UI_DOCS_IMG=DIR, copy a screenshot to DIR/NAME
#                                (how docs/img/ui.png and report.png are made)

UI_BROWSER_DIR=$LM_ROOT/tests/browser
UI_PID=""

ui_need() {
	[ -x "${LM_CHROMIUM:-/usr/bin/chromium}" ] || lm_skip "no chromium: run tools/deps"
	command -v node >/dev/null || lm_skip "no node: run tools/deps"
	[ -f "$UI_BROWSER_DIR/node_modules/playwright-core/package.json" ] ||
		lm_skip "no playwright-core in tests/browser: run tools/deps"
}

# A port nothing listens on in the client namespace (its loopback is its own).
ui_free_port() {
	ip netns exec "$LM_NS_CLI" python3 -c \
		'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

ui_api() {
	local method=$1 path=$2
	shift 2
	ip netns exec "$LM_NS_CLI" curl -sS --noproxy '*' --max-time 8 -X "$method" \
		-o "$LM_TEST_DIR/body" -w '%{http_code}' "$@" "$UI_URL$path" 2>/dev/null || true
}

_ui_cleanup() {
	if [ -n "$UI_PID" ] && kill -0 "$UI_PID" 2>/dev/null; then
		kill "$UI_PID" 2>/dev/null || true
		wait "$UI_PID" 2>/dev/null || true
	fi
	rm -rf "/var/run/dpdk/${LM_PREFIX:-none}"
}

ui_start() {
	local _
	UI_PORT=$(ui_free_port)
	UI_URL=http://127.0.0.1:$UI_PORT
	_lm_prepare "$@" --api "127.0.0.1:$UI_PORT"
	timeout -k 5 "${LM_RUN_TIMEOUT:-90}" "${LM_CMD[@]}" \
		>"$LM_STDOUT" 2>"$LM_STDERR" </dev/null &
	UI_PID=$!
	trap _ui_cleanup EXIT
	for _ in $(seq 150); do
		[ "$(ui_api GET /api/status)" = 200 ] && return 0
		kill -0 "$UI_PID" 2>/dev/null || break
		sleep 0.1
	done
	lm_show_run
	fail "the API never answered on $UI_URL"
}

ui_browser() {
	local script=$1 out=$LM_TEST_DIR/${1%.js}.out rc=0
	shift
	ip netns exec "$LM_NS_CLI" env LM_BROWSER_TIMEOUT="${LM_BROWSER_TIMEOUT:-90}" \
		node "$UI_BROWSER_DIR/$script" "$@" >"$out" 2>&1 || rc=$?
	cat "$out"
	if [ "$rc" -eq 77 ]; then
		lm_skip "the browser could not start: $(tail -1 "$out")"
	fi
	if [ "$rc" -ne 0 ]; then
		[ -z "$UI_PID" ] || lm_show_run
		fail "$script failed (exit $rc)"
	fi
}

ui_wait_exit() {
	local n=$(($1 * 10)) rc=0
	while [ "$n" -gt 0 ] && kill -0 "$UI_PID" 2>/dev/null; do
		sleep 0.1
		n=$((n - 1))
	done
	kill -0 "$UI_PID" 2>/dev/null && { lm_show_run; fail "still running $1 s later"; }
	wait "$UI_PID" || rc=$?
	UI_PID=""
	_lm_done "$rc"
}

ui_keep_shot() {
	if [ -n "${LM_UI_DOCS_IMG:-}" ]; then
		mkdir -p "$LM_UI_DOCS_IMG"
		cp "$1" "$LM_UI_DOCS_IMG/$2"
		echo "kept $1 as $LM_UI_DOCS_IMG/$2"
	fi
}
