#!/usr/bin/env bash
# tools/k8s/render: the manifests of a distributed run, for N=3 shards, parsed back with
# PyYAML (every document) and checked field by field:
# - an Indexed Job with completions = parallelism = 3, whose pods each run lemmings-dp
#   with --no-pci among the EAL arguments (--nic xdp and sriov), --shard
#   $(JOB_COMPLETION_INDEX)/3 (the variable defined in the pod, so that it expands), the
#   same literal --start-at in every pod, the summary and .hlog per index on the
#   results volume, --metrics on the named port "metrics";
# - Guaranteed QoS: requests = limits, whole CPUs, hugepages-2Mi;
# - the plan's ConfigMap holds the plan as given; the volumes point at the documents
#   rendered with them (ConfigMap, PersistentVolumeClaim);
# - the headless Service, the PodMonitor and the plain Prometheus scrape job select
#   these pods, scrape the port "metrics" and relabel the completion index into "shard";
# - the NIC modes: AF_XDP on the host (hostNetwork), an SR-IOV VF over AF_XDP, an SR-IOV
#   VF on vfio-pci (--allow from the device plugin's variable);
# - the default start is about a minute ahead;
# - bad input (N=0, no plan, a plan that is not JSON, a start that is no time) exits 2
#   with a message and writes nothing.
# Needs no lab (nor kubectl, nor a cluster).
set -euo pipefail
# No lib.sh: it needs (and acts on) a lab, this test none.
LM_ROOT=$(cd "$(dirname "$0")/../.." && pwd)
D=${LM_FUNC_LOG_DIR:-/tmp/lemmings-func}/test_k8s_render.d
rm -rf "$D"
mkdir -p "$D"
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
assert_eq() {
	[ "$1" = "$2" ] || fail "${3:-values differ}: got '$1', expected '$2'"
}
assert_contains() {
	grep -qF -- "$2" "$1" || fail "'$2' not found in $1"
}

R=$LM_ROOT/tools/k8s/render
python3 -c 'import yaml' 2>/dev/null || fail "python3-yaml missing (tools/deps installs it)"
cp "$LM_ROOT/scenarios/quickstart.json" "$D/plan.json"
T=2026-11-23T13:00:00.250Z

"$R" --shards 3 --plan "$D/plan.json" --image registry.example/lemmings-dp:1 \
	--start-at "$T" --namespace load --metrics-port 9464 >"$D/xdp.yaml" 2>"$D/xdp.err" ||
	fail "render (xdp) failed: $(cat "$D/xdp.err")"
"$R" --shards 3 --plan "$D/plan.json" --image registry.example/lemmings-dp:1 \
	--start-at "$T" --namespace load --metrics-port 9464 --nic sriov \
	-o "$D/sriov.yaml" || fail "render (sriov) failed"
"$R" --shards 3 --plan "$D/plan.json" --image registry.example/lemmings-dp:1 \
	--start-at "$T" --namespace load --metrics-port 9464 --nic sriov-vfio \
	--sriov-resource intel.com/intel_sriov_dpdk >"$D/vfio.yaml" || fail "render (sriov-vfio) failed"
"$R" --shards 3 --plan "$D/plan.json" --image i >"$D/now.yaml" || fail "render (default start) failed"

python3 - "$D" "$T" <<'PY'
import datetime, json, re, sys, yaml

d, T = sys.argv[1], sys.argv[2]
N, PORT = 3, 9464
bad = []


def check(cond, what):
    if not cond:
        bad.append(what)


def load(name):
    with open("%s/%s.yaml" % (d, name)) as f:
        docs = list(yaml.safe_load_all(f))
    return {(x["kind"], x["metadata"]["name"]): x for x in docs if x is not None}, docs


def arg(args, opt):
    i = args.index(opt)
    return args[i + 1]


def common(mode):
    by, docs = load(mode)
    check(len(docs) == 6, "%s: 6 documents, got %d" % (mode, len(docs)))
    job = by[("Job", "lemmings")]
    js = job["spec"]
    check(js["completionMode"] == "Indexed", "%s: completionMode" % mode)
    check(js["completions"] == N and js["parallelism"] == N,
          "%s: completions = parallelism = %d" % (mode, N))
    pod = js["template"]["spec"]
    labels = js["template"]["metadata"]["labels"]
    (c,) = pod["containers"]
    args = c["args"]
    sep = args.index("--")
    eal, app = args[:sep], args[sep + 1:]
    check(c["command"] == ["lemmings-dp"], "%s: command" % mode)
    # $(VAR) expands only for a variable of the container's env
    env = {e["name"]: e for e in c.get("env", [])}
    check("batch.kubernetes.io/job-completion-index" in
          env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"],
          "%s: JOB_COMPLETION_INDEX from the pod's annotation" % mode)
    check(arg(app, "--shard") == "$(JOB_COMPLETION_INDEX)/%d" % N, "%s: --shard" % mode)
    check(arg(app, "--plan") == "/plan/plan.json", "%s: --plan" % mode)
    check(arg(app, "--metrics") == "0.0.0.0:%d" % PORT, "%s: --metrics" % mode)
    # every pod: the index substituted, as the kubelet does
    pods = [[a.replace("$(JOB_COMPLETION_INDEX)", str(i)) for a in app] for i in range(N)]
    check({arg(p, "--start-at") for p in pods} == {T}, "%s: one --start-at, %s" % (mode, T))
    check([arg(p, "--shard") for p in pods] == ["%d/%d" % (i, N) for i in range(N)],
          "%s: shards 0/3 1/3 2/3" % mode)
    for opt, ext in (("--summary", "json"), ("--hlog", "hlog")):
        check([arg(p, opt) for p in pods] == ["/results/shard-%d.%s" % (i, ext) for i in range(N)],
              "%s: %s per shard on /results" % (mode, opt))
    # Guaranteed QoS, whole CPUs, hugepages
    r = c["resources"]
    check(r["requests"] == r["limits"], "%s: requests = limits" % mode)
    check(re.match(r"^[1-9][0-9]*$", str(r["requests"]["cpu"])) is not None, "%s: whole CPUs" % mode)
    check("hugepages-2Mi" in r["requests"] and "memory" in r["requests"],
          "%s: hugepages-2Mi and memory requested" % mode)
    (p,) = c["ports"]
    check(p["name"] == "metrics" and p["containerPort"] == PORT, "%s: port metrics %d" % (mode, PORT))
    # the volumes: the plan's ConfigMap holds the plan as given, the results a PVC
    mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    check(mounts.get("plan") == "/plan" and mounts.get("results") == "/results",
          "%s: /plan and /results mounted" % mode)
    cm = by[("ConfigMap", vols["plan"]["configMap"]["name"])]
    with open(d + "/plan.json") as f:
        check(json.loads(cm["data"]["plan.json"]) == json.load(f), "%s: the plan in its ConfigMap" % mode)
    pvc = by[("PersistentVolumeClaim", vols["results"]["persistentVolumeClaim"]["claimName"])]
    check("ReadWriteMany" in pvc["spec"]["accessModes"], "%s: results volume shared by the nodes" % mode)
    check(any(v.get("emptyDir", {}).get("medium") == "HugePages" for v in vols.values()),
          "%s: a hugepages volume" % mode)
    for x in docs:
        check(x["metadata"]["namespace"] == "load", "%s: %s's namespace" % (mode, x["kind"]))
    # Service, PodMonitor, scrape job: these pods, the port "metrics", a shard label
    svc = by[("Service", "lemmings")]
    check(svc["spec"]["clusterIP"] == "None", "%s: headless Service" % mode)
    check(pod.get("subdomain") == svc["metadata"]["name"], "%s: pods in the Service's subdomain" % mode)
    check(svc["spec"]["selector"].items() <= labels.items(), "%s: Service selects the pods" % mode)
    check(svc["spec"]["ports"][0]["name"] == "metrics", "%s: Service port name" % mode)
    pm = by[("PodMonitor", "lemmings")]
    check(pm["apiVersion"] == "monitoring.coreos.com/v1", "%s: PodMonitor apiVersion" % mode)
    check(pm["spec"]["selector"]["matchLabels"].items() <= labels.items(), "%s: PodMonitor selects the pods" % mode)
    (ep,) = pm["spec"]["podMetricsEndpoints"]
    check(ep["port"] == p["name"] == "metrics", "%s: PodMonitor port name" % mode)
    check(any(rl.get("targetLabel") == "shard" and "job_completion_index" in rl["sourceLabels"][0]
              for rl in ep["relabelings"]), "%s: PodMonitor relabels the index into shard" % mode)
    sc = yaml.safe_load(by[("ConfigMap", "lemmings-prometheus")]["data"]["prometheus-scrape.yml"])
    (job_sc,) = sc["scrape_configs"]
    check(job_sc["kubernetes_sd_configs"][0]["role"] == "pod", "%s: scrape role pod" % mode)
    rl = job_sc["relabel_configs"]
    check(any(x.get("target_label") == "shard" and "job_completion_index" in x["source_labels"][0]
              for x in rl), "%s: scrape job relabels the index into shard" % mode)
    check(any(x.get("action") == "keep" and x.get("regex") == "metrics" and
              x["source_labels"] == ["__meta_kubernetes_pod_container_port_name"] for x in rl),
          "%s: scrape job keeps the port metrics" % mode)
    return job, pod, c, eal, app


job, pod, c, eal, app = common("xdp")
check("--no-pci" in eal, "xdp: --no-pci among the EAL arguments")
check(pod.get("hostNetwork") is True and arg(app, "--xdp") == "eth1", "xdp: host network, --xdp eth1")
job, pod, c, eal, app = common("sriov")
check("--no-pci" in eal, "sriov: --no-pci among the EAL arguments")
check(job["spec"]["template"]["metadata"]["annotations"]["k8s.v1.cni.cncf.io/networks"],
      "sriov: network attachment")
check(arg(app, "--xdp") == "net1" and not pod.get("hostNetwork"), "sriov: the VF net1 over AF_XDP")
check(c["resources"]["limits"].get("intel.com/sriov") == "1", "sriov: one VF")
job, pod, c, eal, app = common("vfio")
check(arg(eal, "--allow") == "$(PCIDEVICE_INTEL_COM_INTEL_SRIOV_DPDK)", "vfio: --allow from the device plugin's variable")
check("--no-pci" not in eal, "vfio: the PCI bus scanned")
check(c["resources"]["limits"].get("intel.com/intel_sriov_dpdk") == "1", "vfio: one VF")

# the default start: a minute from now, in RFC 3339
by, docs = load("now")
app = by[("Job", "lemmings")]["spec"]["template"]["spec"]["containers"][0]["args"]
t = arg(app, "--start-at")
try:
    ahead = (datetime.datetime.fromisoformat(t.replace("Z", "+00:00")) -
             datetime.datetime.now(datetime.timezone.utc)).total_seconds()
except ValueError:
    ahead = None
check(ahead is not None and 45 < ahead <= 61, "default start %s: %s s ahead, not about 60" % (t, ahead))

if bad:
    print("FAIL: " + "; ".join(bad), file=sys.stderr)
    sys.exit(1)
print("ok: every field checked in 4 renderings")
PY

# Bad input: exit 2, a message, nothing on standard output.
refuse() {
	local want=$1 rc=0
	shift
	"$R" "$@" >"$D/bad.out" 2>"$D/bad.err" || rc=$?
	assert_eq "$rc" 2 "exit status of render $*"
	assert_contains "$D/bad.err" "$want"
	[ ! -s "$D/bad.out" ] || fail "render $* wrote manifests"
}
echo 'not json' >"$D/notjson.json"
refuse "--shards 0: from 1 to 1000" --shards 0 --plan "$D/plan.json" --image i
refuse "--shards 'x'" --shards x --plan "$D/plan.json" --image i
refuse "--plan $D/missing.json" --shards 3 --plan "$D/missing.json" --image i
refuse "required: --plan" --shards 3 --image i
refuse "not JSON" --shards 3 --plan "$D/notjson.json" --image i
refuse "--start-at 'soon'" --shards 3 --plan "$D/plan.json" --image i --start-at soon
refuse "month must be in 1..12" --shards 3 --plan "$D/plan.json" --image i --start-at 2026-13-01T00:00:00Z
refuse "more than 7 days ahead" --shards 3 --plan "$D/plan.json" --image i --start-at 2999-01-01T00:00:00Z
refuse "--name" --shards 3 --plan "$D/plan.json" --image i --name Not_A_Name
echo "ok: rendered and checked; bad input refused"
