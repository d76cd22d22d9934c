#!/usr/bin/env bash
# HdrHistogram interval logs: a log written by our writer (lemmings-ctl hlog demo, known
# data) is read by HdrHistogram's own HistogramLogProcessor (Java), and its overall
# percentiles equal those of 'lemmings-ctl hlog report'; so do those of a merge of two
# logs whose clocks started 0.4 s apart; the HTML report's percentile spectrum (hlog
# report --html) is the processor's percentile distribution. Also the exit statuses of
# lemmings-ctl.
# Needs no lab: when the lab's env file is missing, lib.sh gets an empty one of ours.
# Skipped (77) without a JRE (default-jre-headless) or the HdrHistogram library
# (libhdrhistogram-java).
set -euo pipefail
LM_LAB_ENV=${LM_LAB_ENV:-/run/lemmings-lab/lm/lab.env}
own_env=""
if [ ! -r "$LM_LAB_ENV" ]; then
	own_env=$(mktemp "${TMPDIR:-/tmp}/lm-hlog-env.XXXXXX")
	LM_LAB_ENV=$own_env
fi
export LM_LAB_ENV
. "$(dirname "$0")/lib.sh"
[ -z "$own_env" ] || rm -f "$own_env"

# lemmings-ctl is built beside lemmings-dp
if [ -z "${LM_CTL:-}" ]; then
	[ -n "$LM_BIN" ] || fail "no lemmings-dp build: ${LM_BIN_NOTE:-LM_BIN is empty}"
	LM_CTL=$(dirname "$LM_BIN")/control/lemmings-ctl
fi
[ -x "$LM_CTL" ] || fail "$LM_CTL missing: build it first (ninja -C build)"
D=$LM_TEST_DIR

# exit statuses first: they need no Java
rc=0
"$LM_CTL" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "no command"
rc=0
"$LM_CTL" hlog merge "$D/x.hlog" >/dev/null 2>&1 || rc=$?
assert_eq "$rc" 2 "merge without -o"
"$LM_CTL" --help >"$D/help" || fail "--help failed"
assert_contains "$D/help" "hlog merge"
printf '#[StartTime: 1700000000.000 (seconds since epoch), x]\n0.000,1.000,0.000,HISTF!\n' \
	>"$D/bad.hlog"
rc=0
"$LM_CTL" hlog report "$D/bad.hlog" >/dev/null 2>"$D/bad.err" || rc=$?
assert_eq "$rc" 1 "report of a bad file"
assert_contains "$D/bad.err" "$D/bad.hlog:2: "

command -v java >/dev/null 2>&1 || lm_skip "no java: install default-jre-headless"
JAR=${LM_HDRHISTOGRAM_JAR:-/usr/share/java/hdrhistogram.jar}
[ -r "$JAR" ] || lm_skip "$JAR missing: install libhdrhistogram-java"

"$LM_CTL" hlog demo "$D/demo.hlog" || fail "hlog demo failed"
# the same data from a machine whose clock started 0.4 s later: the merge puts its
# intervals with the first log's (nearest whole second)
sed 's/^#\[StartTime: 1700000000\.000 /#[StartTime: 1700000000.400 /' \
	"$D/demo.hlog" >"$D/later.hlog"
cmp -s "$D/demo.hlog" "$D/later.hlog" && fail "the demo log's StartTime changed: fix the sed"
"$LM_CTL" hlog merge "$D/demo.hlog" "$D/later.hlog" -o "$D/merged.hlog" ||
	fail "hlog merge failed"

# compare LOG TAG SAMPLES: lemmings-ctl's report row against the processor's totals
compare() {
	local log=$1 tag=$2 samples=$3 out row j
	out=$D/$(basename "$log" .hlog).$tag
	"$LM_CTL" hlog report "$log" >"$out.report" || fail "hlog report $log failed"
	# tag intervals samples p50 p90 p99 p99.9 max
	row=$(awk -v t="$tag" '$1 == t { print $3, $4, $5, $6, $7, $8 }' "$out.report")
	[ -n "$row" ] || fail "no '$tag' row in $out.report"
	java -cp "$JAR" org.HdrHistogram.HistogramLogProcessor -i "$log" -tag "$tag" \
		-csv -o "$out.java" >"$out.java.log" 2>&1 ||
		{ cat "$out.java.log"; fail "HistogramLogProcessor failed on $log"; }
	# the last line holds the totals: Timestamp, Int_Count, Int_50%, Int_90%, Int_Max,
	# Total_Count, Total_50%, Total_90%, Total_99%, Total_99.9%, Total_99.99%, Total_Max
	j=$(tail -n 1 "$out.java" | awk -F, '{ print $6, $7, $8, $9, $10, $12 }')
	echo "$log $tag: lemmings-ctl: $row; HistogramLogProcessor: $j"
	assert_eq "${row%% *}" "$samples" "$tag samples in $log"
	assert_eq "$row" "$j" "$tag: samples p50 p90 p99 p99.9 max (ms) of lemmings-ctl vs HdrHistogram"
}

compare "$D/demo.hlog" latency 10050
compare "$D/demo.hlog" connect 10050
compare "$D/merged.hlog" latency 20100
compare "$D/merged.hlog" connect 20100
# the merge kept one line per tag and second: 10 seconds, 2 tags
assert_eq "$(grep -c '^Tag=' "$D/merged.hlog")" 20 "merged interval lines"

# the HTML report's spectrum is HdrHistogram's percentile distribution (the .hgrm the
# processor wrote): the same percentiles, the same values (it prints 2 decimals)
command -v python3 >/dev/null 2>&1 || fail "no python3 to read the HTML report's data"
for log in demo merged; do
	"$LM_CTL" hlog report "$D/$log.hlog" --html "$D/$log.html" || fail "hlog report --html $log"
	python3 - "$D/$log.html" "$D/$log.latency.java.hgrm" <<'PY' || fail "$log: spectrum differs from HdrHistogram's"
import csv, json, re, sys
page = open(sys.argv[1], encoding="utf-8").read()
data = json.loads(re.search(r'<script type="application/json" id="lm-report-data">(.*?)</script>',
                            page, re.S).group(1))
sp = [s for s in data["steps"] if s["step"] == "latency"][0]["spectrum"]
rows = [r for r in csv.reader(l for l in open(sys.argv[2]) if not l.startswith("#"))][1:]
assert len(rows) == len(sp), "%d points, HdrHistogram %d" % (len(sp), len(rows))
for (p, v), r in zip(sp, rows):
    assert abs(p / 100 - float(r[1])) < 1e-12, "percentile %r vs %s" % (p, r[1])
    assert abs(v - float(r[0])) <= 0.005 + 1e-9, "at %r: %r ms vs %s" % (p, v, r[0])
print("%s: %d spectrum points equal HdrHistogram's" % (sys.argv[1], len(sp)))
PY
done
echo "PASS: HdrHistogram's HistogramLogProcessor agrees with lemmings-ctl hlog report"
