#!/usr/bin/env bash
# The web UI with --api-token, in a real browser against a real run: a change from
# a fresh tab asks for the token once (the page's dialog), sends it as a bearer
# token and is taken; a tab holding a wrong token gets the API's 401, asks again
# and the retry is taken. The run's users follow (the output's "load changed").
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
# shellcheck source=tests/func/lib_ui.sh
. "$(dirname "$0")/lib_ui.sh"
ui_need

TOKEN=ui-t0ken-$$
lm_access_reset
lm_plan_lab "$LM_TEST_DIR/plan.json" '{"users": 6, "duration_s": 60}' '[
  {"name": "browse", "steps": [
    {"name": "home", "http": {"path": "/index.html"}},
    {"name": "read", "think": {"constant_ms": 50}}]}
]'
ui_start --plan "$LM_TEST_DIR/plan.json" --api-token "$TOKEN" --linger 0
assert_eq "$(ui_api POST /api/load -d '{"users": 1}')" 401 "a change without the token"
ui_browser ui_token.js "$UI_URL" "$TOKEN" "$LM_TEST_DIR"
assert_eq "$(ui_api POST /api/stop -H "Authorization: Bearer $TOKEN")" 202 "stop"
ui_wait_exit 15
[ "$LM_RC" -eq 0 ] || { lm_show_run; fail "exit status $LM_RC"; }
assert_eq "$(grep '^load changed' "$LM_STDOUT" | tr '\n' ' ')" \
	"load changed: users 2 load changed: users 3 load changed: users 4 " "the changes the run took"
echo "ok"
