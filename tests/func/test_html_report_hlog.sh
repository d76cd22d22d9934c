#!/usr/bin/env bash
# 'lemmings-ctl hlog report FILE.hlog... --html OUT' on a log of known data
# (lemmings-ctl hlog demo): the report's step is the log's "latency" tag ("connect"
# is not a step), with its sample count, the text report's percentiles and a spectrum
# ending at the max; the series has the log's ten intervals. Two copies of the log
# (two machines, clocks 0.6 s apart) add up. Bad input (a missing file, a corrupt line) is an error that
# names the file and line, exit status 1, and leaves OUT as it was.
# Needs no lab: when the lab's env file is missing, lib.sh gets an empty one of ours.
set -euo pipefail
LM_LAB_ENV=${LM_LAB_ENV:-/run/lemmings-lab/lm/lab.env}
own_env=""
if [ ! -r "$LM_LAB_ENV" ]; then
	own_env=$(mktemp "${TMPDIR:-/tmp}/lm-hlog-env.XXXXXX")
	LM_LAB_ENV=$own_env
fi
export LM_LAB_ENV
# lib.sh clears the server namespace of a lab: there may be none
LM_NS_SRV=${LM_NS_SRV:-}
# shellcheck source=tests/func/lib.sh
. "$(dirname "$0")/lib.sh"
[ -z "$own_env" ] || rm -f "$own_env"

if [ -z "${LM_CTL:-}" ]; then
	[ -n "$LM_BIN" ] || fail "no lemmings-dp build: ${LM_BIN_NOTE:-LM_BIN is empty}"
	LM_CTL=$(dirname "$LM_BIN")/control/lemmings-ctl
fi
[ -x "$LM_CTL" ] || fail "$LM_CTL missing: build it first (ninja -C build)"
command -v python3 >/dev/null 2>&1 || lm_skip "no python3 to read the report's data"
D=$LM_TEST_DIR

"$LM_CTL" hlog demo "$D/demo.hlog" || fail "hlog demo failed"
"$LM_CTL" hlog report "$D/demo.hlog" >"$D/demo.txt" || fail "hlog report failed"
"$LM_CTL" hlog report "$D/demo.hlog" --html "$D/demo.html" || fail "hlog report --html failed"
# the same log from a second machine whose clock started 0.6 s later: its intervals go
# to the slots whose starts are nearest theirs, one second later than the first log's
sed 's/^#\[StartTime: 1700000000\.000 /#[StartTime: 1700000000.600 /' \
	"$D/demo.hlog" >"$D/later.hlog"
cmp -s "$D/demo.hlog" "$D/later.hlog" && fail "the demo log's StartTime changed: fix the sed"
"$LM_CTL" hlog report --html "$D/two.html" "$D/demo.hlog" "$D/later.hlog" ||
	fail "hlog report --html of two logs failed"

python3 - "$D/demo.html" "$D/two.html" "$D/demo.txt" <<'PY' || fail "the report does not agree (above)"
import json, re, sys

bad = []
def check(cond, what):
    if not cond:
        bad.append(what)

def data_of(path):
    page = open(path, encoding="utf-8").read()
    check(page.startswith("<!DOCTYPE html>"), path + ": no doctype")
    for m in re.finditer(r'''(?:src|href)\s*=\s*["']?\s*(https?:|//)''', page, re.I):
        bad.append("%s: an external reference: %r" % (path, page[m.start():m.start() + 60]))
    blocks = re.findall(r'<script type="application/json" id="lm-report-data">(.*?)</script>', page, re.S)
    check(len(blocks) == 1, path + ": %d data elements" % len(blocks))
    return json.loads(blocks[0])

one, two = data_of(sys.argv[1]), data_of(sys.argv[2])
# the text report's row: tag intervals samples p50 p90 p99 p99.9 max
row = [l.split() for l in open(sys.argv[3]) if l.startswith("latency ")][0]
samples = int(row[2])
want = dict(zip(("p50", "p90", "p99", "p999", "max"), map(float, row[3:8])))

check(one["source"] == "hlog" and one["sources"][0].endswith("demo.hlog"), "source")
check(one["title"] == "demo.hlog", "title %r" % one["title"])
check([(s["scenario"], s["step"]) for s in one["steps"]] == [("", "latency")],
      "steps %r" % [(s["scenario"], s["step"]) for s in one["steps"]])
s = one["steps"][0]
check(s["requests"] == samples == 10050, "samples %r" % s["requests"])
for k, v in want.items():
    check(abs(s["latency_ms"][k] - v) < 0.0005, "%s: %r, text report %r" % (k, s["latency_ms"][k], v))
for k in ("ok", "failed", "errors", "tx_bytes"):
    check(k not in s, "a log does not know " + k)
sp = s["spectrum"]
check(sp[0][0] == 0 and sp[-1][0] == 100 and abs(sp[-1][1] - want["max"]) < 0.0005, "spectrum ends")
check([p for p, _ in sp][:7] == [0, 10, 20, 30, 40, 50, 55], "spectrum levels %r" % [p for p, _ in sp][:7])
check(abs([v for p, v in sp if p == 50][0] - want["p50"]) < 0.0005, "spectrum p50")
check(abs(one["duration_s"] - 10) < 1e-9, "duration %r" % one["duration_s"])
ser = one["series"]
check(ser["t_s"] == [float(k) for k in range(1, 11)], "series t_s %r" % ser["t_s"])
check(ser["req_s"] == [1005.0] * 10, "series req_s %r" % ser["req_s"])
check(ser["fail_s"] == [None] * 10 and "users" not in ser, "series: failures and users unknown")

# two machines: twice the samples, the same percentiles; eleven slots, the second
# machine's intervals a slot later (nearest start, as 'hlog merge' puts them)
t = two["steps"][0]
check(two["title"] == "demo.hlog and 1 more" and len(two["sources"]) == 2, "two: title")
check(t["requests"] == 2 * samples, "two: samples %r" % t["requests"])
check(t["latency_ms"] == s["latency_ms"], "two: percentiles")
check(two["series"]["req_s"] == [1005.0] + [2010.0] * 9 + [1005.0], "two: series %r" % two["series"]["req_s"])
check(two["series"]["t_s"] == [float(k) for k in range(1, 12)], "two: series t_s %r" % two["series"]["t_s"])

for b in bad:
    print("mismatch:", b)
sys.exit(1 if bad else 0)
PY

# bad input: named, exit status 1, OUT left as it was
echo "keep" >"$D/out.html"
rc=0
"$LM_CTL" hlog report "$D/demo.hlog" "$D/missing.hlog" --html "$D/out.html" 2>"$D/missing.err" || rc=$?
assert_eq "$rc" 1 "a missing file: exit status"
assert_contains "$D/missing.err" "$D/missing.hlog: No such file"
{ head -n 6 "$D/demo.hlog"; echo "Tag=s.a.latency,1.000,1.000,0.100,HISTFAAAAbroken"; } >"$D/bad.hlog"
bad_line=$(wc -l <"$D/bad.hlog")
rc=0
"$LM_CTL" hlog report "$D/demo.hlog" "$D/bad.hlog" --html "$D/out.html" 2>"$D/bad.err" || rc=$?
assert_eq "$rc" 1 "a corrupt line: exit status"
assert_contains "$D/bad.err" "$D/bad.hlog:$bad_line: "
assert_eq "$(cat "$D/out.html")" "keep" "OUT after bad input"
rc=0
"$LM_CTL" hlog report "$D/demo.hlog" --html "$D/nodir/out.html" 2>"$D/nodir.err" || rc=$?
assert_eq "$rc" 1 "an output that cannot be written: exit status"
assert_contains "$D/nodir.err" "$D/nodir/out.html: "
rc=0
"$LM_CTL" hlog report --html "$D/out.html" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "no input file: exit status"
# nothing but the files written on purpose
[ -z "$(find "$D" -name '*.tmp.*')" ] || fail "temporary files left: $(find "$D" -name '*.tmp.*')"
echo "ok: demo log report, two logs merged, bad input refused"
