#!/usr/bin/env bash
# The HTML report of a real run (--html), next to its summary and .hlog: one file that
# reaches for nothing outside itself; its data holds every step with the summary's
# request counts (and nginx's), percentiles from the same histograms (the spectrum's
# 50th point is the summary's p50, its last the max, and the summary's p99 lies between
# the spectrum's points around 99); the thresholds with their verdicts (one passes, one
# fails: exit status 1, the report still written); the series. The report that
# 'lemmings-ctl hlog report --html' makes of the run's .hlog agrees with it within the
# histogram's resolution. The API's /download/report.html is the same page: the run so
# far while it goes on, the summary's counts after it.
set -euo pipefail
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"

CTL=$(dirname "$LM_BIN")/control/lemmings-ctl
[ -x "$CTL" ] || fail "$CTL missing: build it first (ninja -C build)"
command -v python3 >/dev/null 2>&1 || lm_skip "no python3 to read the report's data"
D=$LM_TEST_DIR

SCEN='[{"name": "s", "steps": [
	{"name": "home", "http": {"path": "/index.html"}},
	{"name": "pause", "think": {"constant_ms": 1}},
	{"name": "small", "http": {"path": "/small.bin"}}]}]'
# p99 under 1 s passes; 10^8 requests a second does not
LM_PLAN_EXTRA='{"name": "html-report", "thresholds": [{"step": "s/home", "p99_ms": 1000},
	{"rps_min": 100000000}]}'
lm_plan_lab "$D/plan.json" '{"users": 2, "duration_s": 3}' "$SCEN"
lm_access_reset
rc=0
lm_run --plan "$D/plan.json" --quiet --summary "$D/summary.json" --html "$D/report.html" \
	--hlog "$D/run.hlog" || rc=$?
[ "$rc" -eq 1 ] || { lm_show_run; fail "one failing threshold: exit status $rc, expected 1"; }
[ -s "$D/report.html" ] || { lm_show_run; fail "no report.html"; }
ls "$D"/report.html.tmp.* >/dev/null 2>&1 && fail "a temporary file was left beside report.html"

# nginx's own count, for each step
home_log=$(lm_access_wait "$(jq '.scenarios[0].steps[0].requests' "$D/summary.json")" \
	' GET /index.html 200 ')
small_log=$(lm_access_wait "$(jq '.scenarios[0].steps[2].requests' "$D/summary.json")" \
	' GET /small.bin 200 ')

"$CTL" hlog report "$D/run.hlog" --html "$D/hlog.html" || fail "hlog report --html failed"

python3 - "$D/report.html" "$D/summary.json" "$D/hlog.html" "$LM_STDOUT" \
	"$home_log" "$small_log" <<'PY' || fail "the report does not agree (above)"
import json, re, sys

page_path, summary_path, hlog_path, stdout_path = sys.argv[1:5]
nginx = {"home": int(sys.argv[5]), "small": int(sys.argv[6])}
bad = []

def check(cond, what):
    if not cond:
        bad.append(what)

def data_of(path):
    page = open(path, encoding="utf-8").read()
    check(page.startswith("<!DOCTYPE html>"), path + ": no doctype")
    check('<meta charset="utf-8">' in page, path + ": no charset")
    for m in re.finditer(r'''(?:src|href)\s*=\s*["']?\s*(https?:|//)|url\(\s*["']?(https?:|//)''',
                         page, re.I):
        bad.append("%s: an external reference at %d: %r" % (path, m.start(), page[m.start():m.start() + 60]))
    blocks = re.findall(r'<script type="application/json" id="lm-report-data">(.*?)</script>',
                        page, re.S)
    check(len(blocks) == 1, path + ": %d data elements" % len(blocks))
    check("<" not in blocks[0], path + ": a raw '<' in the data")
    return json.loads(blocks[0])

def ns(ms):
    return round(ms * 1e6)

def spectrum_at(sp, level):
    return [v for p, v in sp if p == level]

rep = data_of(page_path)
hl = data_of(hlog_path)
summ = json.load(open(summary_path))
sum_steps = {s["name"]: s for s in summ["scenarios"][0]["steps"]}

check(rep["source"] == "run" and rep["title"] == "html-report", "title/source")
check(rep["plan"]["name"] == "html-report", "plan name")
names = [(s["scenario"], s["step"]) for s in rep["steps"]]
check(names == [("s", "home"), ("s", "small")], "steps %r (the think step has no row)" % names)
total = 0
for row in rep["steps"]:
    s = sum_steps[row["step"]]
    for k in ("requests", "ok", "failed", "tx_bytes", "rx_bytes"):
        check(row[k] == s[k], "%s %s: %r, summary %r" % (row["step"], k, row[k], s[k]))
    check(row["failed"] == 0, row["step"] + ": failures")
    check(row["requests"] == nginx[row["step"]],
          "%s: %d requests, nginx logged %d" % (row["step"], row["requests"], nginx[row["step"]]))
    check(row["requests"] > 0, row["step"] + ": no request")
    total += row["requests"]
    lat, su = row["latency_ms"], s["latency_us"]
    for k in ("p50", "p90", "p99", "p999", "max"):
        check(ns(lat[k]) == round(su[k] * 1e3), "%s %s: %r ms, summary %r us" % (row["step"], k, lat[k], su[k]))
    sp = row["spectrum"]
    check(sp[0][0] == 0 and sp[-1][0] == 100, row["step"] + ": spectrum bounds")
    check(all(a[0] < b[0] and a[1] <= b[1] for a, b in zip(sp, sp[1:])), row["step"] + ": spectrum order")
    p50 = spectrum_at(sp, 50.0)
    check(p50 and ns(p50[0]) == round(su["p50"] * 1e3), "%s: spectrum p50 %r, summary %r us" % (row["step"], p50, su["p50"]))
    check(ns(sp[-1][1]) == round(su["max"] * 1e3), row["step"] + ": spectrum max")
    below = [v for p, v in sp if p <= 99]
    above = [v for p, v in sp if p >= 99]
    check(below and above and ns(below[-1]) <= round(su["p99"] * 1e3) <= ns(above[0]),
          "%s: summary p99 %r us not between the spectrum's points" % (row["step"], su["p99"]))
check(rep["totals"]["requests"] == total == summ["totals"]["requests"], "totals")

# thresholds: the first passes, the second fails, as the run's table says
thr = rep["thresholds"]
check([t["passed"] for t in thr] == [True, False], "threshold verdicts %r" % thr)
check(thr[0]["scope"] == "s.home" and thr[0]["metric"] == "p99" and thr[0]["limit"] == 1000,
      "threshold 0 %r" % thr[0])
check(thr[1]["scope"] == "all" and thr[1]["metric"] == "rps" and thr[1]["op"] == ">=", "threshold 1 %r" % thr[1])
table = open(stdout_path).read()
for t in thr:
    line = [l for l in table.splitlines() if l.strip().startswith(t["text"])]
    check(len(line) == 1 and line[0].rstrip().endswith("PASS" if t["passed"] else "FAIL"),
          "table line for %r: %r" % (t["text"], line))

# the series: the summary's intervals
ser = rep["series"]
check(len(ser["t_s"]) == len(summ["intervals"]) >= 2, "series length")
check(ser["t_s"] == sorted(ser["t_s"]), "series order")
check(all(len(ser[k]) == len(ser["t_s"]) for k in ("req_s", "fail_s", "users", "p50_ms", "p99_ms")), "series columns")
check(abs(sum(r * i["length_s"] for r, i in zip(ser["req_s"], summ["intervals"])) -
          sum(i["requests"] for i in summ["intervals"])) < 1e-6, "series requests")

# the .hlog's report: same steps, samples = responses, spectra within 1/128
check(hl["source"] == "hlog" and "plan" not in hl and "thresholds" not in hl, "hlog: source")
hsteps = {(s["scenario"], s["step"]): s for s in hl["steps"]}
check(sorted(hsteps) == sorted(names), "hlog steps %r" % sorted(hsteps))
for row in rep["steps"]:
    h = hsteps.get((row["scenario"], row["step"]))
    if h is None:
        continue
    check(h["requests"] == row["ok"], "%s: %d samples in the log, %d ok" % (row["step"], h["requests"], row["ok"]))
    check([p for p, _ in h["spectrum"]] == [p for p, _ in row["spectrum"]], row["step"] + ": hlog spectrum levels")
    for (p, a), (_, b) in zip(row["spectrum"], h["spectrum"]):
        check(abs(a - b) <= b / 128 + 1e-6, "%s: at %r: run %r ms, hlog %r ms" % (row["step"], p, a, b))
check(sum(r for r in hl["series"]["req_s"]) > 0, "hlog series")

for b in bad:
    print("mismatch:", b)
sys.exit(1 if bad else 0)
PY

# The same page from the API (/download/report.html): while the run goes on (the run so
# far: some requests, a series under way), and after it, where its counts are the
# summary's.
LM_API=http://127.0.0.1:19097
S2=$D/summary2.json
lm_plan_lab "$D/plan2.json" '{"users": 2, "duration_s": 3}' "$SCEN"
LM_RUN_TIMEOUT=60 lm_run_bg --plan "$D/plan2.json" --quiet --summary "$S2" \
	--api "${LM_API#http://}" --linger 30
lm_api_wait /api/status '.state == "running" and .elapsed_s >= 1.5'
assert_eq "$(lm_api GET /download/report.html)" "200 text/html; charset=utf-8" "report while running"
mv "$LM_TEST_DIR/body" "$D/live.html"
lm_api_wait /api/status '.state == "done"'
[ -s "$S2" ] || fail "no summary after the run"
assert_eq "$(lm_api GET /download/report.html | cut -d' ' -f1)" 200 "report after the run"
mv "$LM_TEST_DIR/body" "$D/final.html"
assert_eq "$(lm_api POST /api/stop | cut -d' ' -f1)" 202 "stop the linger"
rc=0
lm_bg_wait || rc=$?
[ "$rc" -eq 1 ] || { lm_show_run; fail "the API run: exit status $rc, expected 1 (thresholds)"; }

python3 - "$D/live.html" "$D/final.html" "$S2" <<'PY' || fail "the API's report does not agree (above)"
import json, re, sys
def data_of(path):
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>"), path + ": not the report page"
    assert not re.search(r'''(?:src|href)\s*=\s*["']?\s*(https?:|//)''', page, re.I), path + ": external"
    b = re.findall(r'<script type="application/json" id="lm-report-data">(.*?)</script>', page, re.S)
    assert len(b) == 1, path + ": data elements"
    return json.loads(b[0])
live, final = data_of(sys.argv[1]), data_of(sys.argv[2])
summ = json.load(open(sys.argv[3]))
sum_req = {s["name"]: s["requests"] for s in summ["scenarios"][0]["steps"]}
lreq = {r["step"]: r["requests"] for r in live["steps"]}
freq = {r["step"]: r["requests"] for r in final["steps"]}
assert sorted(lreq) == ["home", "small"], "live steps %r" % lreq
assert all(0 < lreq[k] < sum_req[k] for k in lreq), "live %r, final summary %r" % (lreq, sum_req)
assert len(live["series"]["t_s"]) >= 1, "live series %r" % live["series"]
assert 0 < live["duration_s"] < 3, "live duration %r" % live["duration_s"]
assert freq == {k: sum_req[k] for k in freq}, "after the run %r, summary %r" % (freq, sum_req)
assert [t["passed"] for t in final["thresholds"]] == [True, False], "thresholds %r" % final["thresholds"]
print("API: live %r, final %r" % (lreq, freq))
PY
echo "ok: home $home_log, small $small_log requests; report and hlog report agree; the API's too"
