#!/usr/bin/env bash
# Validates everything deployment-related without a cluster or a Docker engine:
#
#   Helm chart     helm lint --strict, then helm template of values.yaml and values-production.yaml
#                  validated by kubeconform -strict against the Kubernetes schemas of the oldest and
#                  newest supported versions, CRs (ScaledObject, TriggerAuthentication,
#                  ServiceMonitor, PrometheusRule) against their CRDs' schemas; the chart's guards
#                  (values it must refuse) fail as they should
#   Prometheus     promtool check config (+ the rules it loads), promtool test rules
#   Compose        infra/compose/docker-compose.yml through compose-go (what `docker compose config` does)
#   Dockerfiles    hadolint, and the project's own rules (scripts/deploy/dockerfile-check.py)
#   Grafana        dashboards are valid JSON with unique uids; provisioning files parse
#
#   bash scripts/check-deploy.sh        # exit 0 when every check passed
#
# Installs what it needs on first use (scripts/deploy/tools.sh: cached under ~/.cache/flk, a cold
# install builds helm from source, ~7 minutes on 2 cores). Metric names used by the rules and the
# dashboards are checked against the apps' registries by test/unit/metrics-names.test.ts (npm test).
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
# shellcheck source=deploy/tools.sh
source scripts/deploy/tools.sh
set +e

START=$(_secs)
PASSED=() FAILED=()
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# check NAME COMMAND...: runs it, output shown only on failure (or with VERBOSE=1).
check() {
  local name=$1 t0 rc; shift
  t0=$(_secs)
  "$@" >"$WORK/out" 2>&1
  rc=$?
  if [[ $rc -eq 0 ]]; then
    PASSED+=("$name")
    printf '  ok    %-62s %3ss\n' "$name" "$(($(_secs) - t0))"
    [[ ${VERBOSE:-0} == 1 ]] && sed 's/^/        /' "$WORK/out"
  else
    FAILED+=("$name")
    printf '  FAIL  %-62s %3ss\n' "$name" "$(($(_secs) - t0))"
    sed 's/^/        /' "$WORK/out" | tail -n 60
  fi
  return 0
}

echo "check-deploy: tools (cache $FLK_DEPLOY_TOOLS)"
t0=$(_secs)
HELM=$(ensure_helm) && KUBECONFORM=$(ensure_kubeconform) && PROMTOOL=$(ensure_promtool) && HADOLINT=$(ensure_hadolint) &&
  K8S_SCHEMAS=$(ensure_k8s_schemas) && CRD_SCHEMAS=$(ensure_crd_schemas) && COMPOSECHECK=$(ensure_composecheck)
if [[ $? -ne 0 ]]; then echo "check-deploy: could not install the tools" >&2; exit 1; fi
printf '  %s; kubeconform %s; %s; %s; Kubernetes schemas %s (kubernetes-validate %s); KEDA %s, prometheus-operator %s CRDs (%ss)\n' \
  "helm $("$HELM" version --template '{{.Version}}')" "$("$KUBECONFORM" -v)" "$("$PROMTOOL" --version 2>&1 | head -1 | sed 's/, version/ /; s/ (.*//')" \
  "$("$HADOLINT" --version)" "$KUBE_VERSIONS" "$KUBERNETES_VALIDATE_VERSION" "$KEDA_VERSION" "$PROMETHEUS_OPERATOR_VERSION" "$(($(_secs) - t0))"

# --- Helm -----------------------------------------------------------------------------------------
echo "check-deploy: helm/flk"
CHART=helm/flk
# The chart refuses to render without a signing configuration (fail closed), so the default set
# adds a key ring Secret (helm/flk/ci/default-keyring.yaml).
VALUES_SETS=("default:$CHART/ci/default-keyring.yaml" "production:$CHART/values-production.yaml" "sentinel:$CHART/ci/redis-sentinel.yaml" "policies:$CHART/ci/policies.yaml")
helm_quiet() { "$HELM" "$@" 2> >(grep -v 'found symbolic link in path' >&2); }

for set in "${VALUES_SETS[@]}"; do
  name=${set%%:*} file=${set#*:}
  check "helm lint --strict ($name values)" helm_quiet lint --strict "$CHART" ${file:+-f "$file"}
done

kubeconform_check() { # manifest kube-version
  "$KUBECONFORM" -strict -summary -kubernetes-version "$2" \
    -schema-location "$K8S_SCHEMAS/{{.NormalizedKubernetesVersion}}-local-strict/{{.ResourceKind}}{{.KindSuffix}}.json" \
    -schema-location "$CRD_SCHEMAS/{{.Group}}/{{.ResourceKind}}_{{.ResourceAPIVersion}}.json" "$1"
}
render_and_validate() { # values-file kube-version out
  helm_quiet template flk "$CHART" --namespace flk --kube-version "$2" ${1:+-f "$1"} >"$3" || return 1
  [[ -s $3 ]] || { echo "empty render"; return 1; }
  kubeconform_check "$3" "$2"
}
for set in "${VALUES_SETS[@]}"; do
  name=${set%%:*} file=${set#*:}
  for kv in $KUBE_VERSIONS; do
    check "helm template ($name values) | kubeconform -strict (k8s $kv)" render_and_validate "$file" "$kv" "$WORK/$name-$kv.yaml"
  done
done

# The chart must refuse these (a readable `fail`, not a broken manifest).
must_fail() { # expected-message helm-set-args...
  local want=$1 out; shift
  if out=$(helm_quiet template flk "$CHART" "$@" 2>&1); then echo "rendered, but should have failed: $*"; return 1; fi
  grep -qF -- "$want" <<<"$out" || { echo "failed without the expected message ($want):"; echo "$out"; return 1; }
}
guards() {
  must_fail "no signing configuration" &&
    must_fail "pcs.maxAgeSeconds must be less than" --set pcs.signAlg=none --set pcs.maxAgeSeconds=1209600 &&
    must_fail "are exclusive" --set pcs.signAlg=none --set verifier.autoscaling.enabled=true --set verifier.keda.enabled=true &&
    must_fail "pcs.signAlg=hmac" --set pcs.signAlg=hmac &&
    must_fail "pcs.ed25519PublicKeys" --set pcs.signAlg=ed25519 &&
    must_fail "metrics.basicAuth.enabled" --set pcs.signAlg=none --set metrics.basicAuth.enabled=true &&
    must_fail "schemaRegistry.url is required" --set pcs.signAlg=none --set schemaRegistry.enabled=false &&
    must_fail "kafka.sasl.username is required" --set pcs.signAlg=none --set kafka.sasl.enabled=true --set secrets.values.KAFKA_SASL_PASSWORD=x &&
    must_fail "redis.sentinel.hosts (host:port list)" --set pcs.signAlg=none --set redis.mode=sentinel &&
    must_fail "gateway.auth.tokensSecret.name" --set pcs.signAlg=none --set gateway.enabled=true --set gateway.auth.mode=bearer &&
    must_fail "gateway.ackTimeoutMs must not exceed" --set pcs.signAlg=none --set gateway.enabled=true --set gateway.ackTimeoutMs=3000
}
check "helm template refuses inconsistent values (11 cases)" guards

# Production render: the security settings the issue asks for are really there.
prod_properties() {
  local m=$WORK/production-${KUBE_VERSIONS##* }.yaml
  python3 - "$m" <<'PY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
kinds = {}
for d in docs: kinds.setdefault(d["kind"], []).append(d)
problems = []
for need in ("Deployment", "StatefulSet", "ScaledObject", "ServiceMonitor", "PrometheusRule", "PodDisruptionBudget", "NetworkPolicy", "Ingress", "HorizontalPodAutoscaler"):
    if need not in kinds: problems.append(f"no {need}")
for w in kinds.get("Deployment", []) + kinds.get("StatefulSet", []) + kinds.get("Job", []):
    name = f'{w["kind"]}/{w["metadata"]["name"]}'
    spec = w["spec"]["template"]["spec"]
    psc = spec.get("securityContext", {})
    if not psc.get("runAsNonRoot") or psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
        problems.append(f"{name}: pod securityContext lacks runAsNonRoot / seccomp RuntimeDefault")
    mounts_tmp = any(v.get("name") == "tmp" and "emptyDir" in v for v in spec.get("volumes", []))
    for c in spec["containers"]:
        sc = c.get("securityContext", {})
        if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation") is not False or sc.get("capabilities", {}).get("drop") != ["ALL"]:
            problems.append(f"{name}/{c['name']}: container securityContext incomplete")
        if not mounts_tmp or not any(m["mountPath"] == "/tmp" for m in c.get("volumeMounts", [])):
            problems.append(f"{name}/{c['name']}: no emptyDir on /tmp")
        if w["kind"] != "Job" and "registry" not in w["metadata"]["name"]:
            lp, rp = c.get("livenessProbe", {}).get("httpGet", {}), c.get("readinessProbe", {}).get("httpGet", {})
            if lp.get("path") != "/health" or rp.get("path") != "/ready":
                problems.append(f"{name}/{c['name']}: probes must be /health (liveness) and /ready (readiness)")
        if "resources" not in c: problems.append(f"{name}/{c['name']}: no resources")
        env = {e["name"] for e in c.get("env", [])}
        if "KAFKA_BROKERS" in env:  # every Kafka client gets the same TLS + SASL settings
            missing = {"KAFKA_SSL", "KAFKA_SSL_CA_FILE", "KAFKA_SASL_MECHANISM", "KAFKA_SASL_USERNAME", "KAFKA_SASL_PASSWORD"} - env
            if missing or not any(m["name"] == "kafka-ca" for m in c.get("volumeMounts", [])):
                problems.append(f"{name}/{c['name']}: Kafka TLS/SASL incomplete (missing {sorted(missing)} or the kafka-ca mount)")
sts = kinds.get("StatefulSet", [{}])[0]
if not sts.get("spec", {}).get("volumeClaimTemplates"): problems.append("sink StatefulSet has no volumeClaimTemplates")
for p in problems: print(p)
sys.exit(1 if problems else 0)
PY
}
check "production render: securityContext, /tmp, probes, PVC, CRs, Kafka TLS/SASL" prod_properties

# Env names the chart sets must be names the apps read (docs/pipeline.md table + apps' config.ts, and
# the shared readers of @flk/config they call, e.g. readKafkaConnection).
env_names() {
  python3 - "$WORK"/production-*.yaml "$WORK"/default-*.yaml "$WORK"/policies-*.yaml <<'PY'
import glob, re, sys, yaml
known = set()
for f in glob.glob("apps/*/src/config.ts") + ["apps/verifier/src/policies.ts"] + [f for f in glob.glob("libs/config/src/*.ts") if not f.endswith(".test.ts")]:
    known |= set(re.findall(r"""['"]([A-Z][A-Z0-9_]+)['"]""", open(f).read()))
extra = {"KAFKAJS_NO_PARTITIONER_WARNING", "NODE_EXTRA_CA_CERTS", "LOG_DIR",   # read by kafkajs / node / kafka scripts
         "REDIS_PASSWORD",                                                       # expanded into REDIS_URL
         "REPLICATION_FACTOR", "SUBMITTED_PARTITIONS", "VERDICTS_PARTITIONS", "DLQ_PARTITIONS", "REPLIES_PARTITIONS",
         "SUBMITTED_RETENTION_MS", "DLQ_RETENTION_MS"}                           # the topics Job's script
bad = set()
for path in sys.argv[1:]:
    for d in yaml.safe_load_all(open(path)):
        if not d or d.get("kind") not in ("Deployment", "StatefulSet", "Job"): continue
        for c in d["spec"]["template"]["spec"]["containers"]:
            for e in c.get("env", []):
                if e["name"] not in known | extra: bad.add(f'{d["kind"]}/{d["metadata"]["name"]}: {e["name"]}')
for b in sorted(bad): print("not read by any app:", b)
sys.exit(1 if bad else 0)
PY
}
check "chart env names are read by the apps (apps/*/src/config.ts, libs/config)" env_names

# The policy documents the chart renders into its ConfigMap are ones the verifier accepts.
policy_docs() {
  local dir=$WORK/policies-rendered
  rm -rf "$dir" && mkdir -p "$dir"
  python3 - "$dir" "$WORK"/policies-*.yaml <<'PY' || return 1
import os, sys, yaml
n = 0
for d in yaml.safe_load_all(open(sys.argv[2])):
    if d and d.get("kind") == "ConfigMap" and d["metadata"]["name"].endswith("verifier-policies"):
        for name, text in d["data"].items():
            open(os.path.join(sys.argv[1], name), "w").write(text); n += 1
sys.exit(0 if n == 2 else f"expected 2 rendered policy documents, found {n}")
PY
  node --conditions=@flk/source --import tsx apps/cli/src/main.ts policy validate "$dir"/*.json
}
check "helm policies render: the ConfigMap's documents pass flk policy validate" policy_docs

# --- Prometheus -----------------------------------------------------------------------------------
echo "check-deploy: infra/prometheus"
check "promtool check config infra/prometheus/prometheus.yml (+ rules)" "$PROMTOOL" check config infra/prometheus/prometheus.yml
check "promtool check rules infra/prometheus/rules/*.yml" bash -c '"$0" check rules infra/prometheus/rules/*.yml' "$PROMTOOL"
check "promtool test rules infra/prometheus/tests/*.yml" bash -c '"$0" test rules infra/prometheus/tests/*.yml' "$PROMTOOL"
runbooks() {
  python3 - <<'PY'
import glob, os, re, sys, yaml
problems = []
for f in glob.glob("infra/prometheus/rules/*.yml"):
    for g in yaml.safe_load(open(f))["groups"]:
        for r in g["rules"]:
            if "alert" not in r: continue
            kebab = re.sub(r"(?<!^)(?=[A-Z])", "-", r["alert"]).lower()
            url = r.get("annotations", {}).get("runbook_url", "")
            if url != f"docs/runbooks/{kebab}.md": problems.append(f'{r["alert"]}: runbook_url {url!r}, expected docs/runbooks/{kebab}.md')
            elif not os.path.isfile(url): problems.append(f'{r["alert"]}: {url} does not exist')
            else:
                text = open(url).read()
                for section in ("Meaning", "Impact", "Diagnosis", "Mitigation"):
                    if not re.search(rf"^## {section}\b", text, re.M): problems.append(f"{url}: no '## {section}' section")
for p in problems: print(p)
sys.exit(1 if problems else 0)
PY
}
check "every alert has its runbook (docs/runbooks/<alert>.md, 4 sections)" runbooks

# --- Compose --------------------------------------------------------------------------------------
echo "check-deploy: infra/compose"
check "compose-go: infra/compose/docker-compose.yml" "$COMPOSECHECK" infra/compose/docker-compose.yml

# --- Dockerfiles ----------------------------------------------------------------------------------
echo "check-deploy: Dockerfiles"
check "hadolint apps/*/Dockerfile" bash -c '"$0" apps/*/Dockerfile' "$HADOLINT"
check "project rules: apps/*/Dockerfile, .dockerignore" python3 scripts/deploy/dockerfile-check.py

# --- Grafana --------------------------------------------------------------------------------------
echo "check-deploy: grafana"
grafana_files() {
  python3 - <<'PY'
import glob, json, sys, yaml
problems, uids = [], {}
dashboards = sorted(glob.glob("grafana/dashboards/*.json"))
if not dashboards: problems.append("no dashboards in grafana/dashboards")
for f in dashboards:
    try: d = json.load(open(f))
    except ValueError as e: problems.append(f"{f}: {e}"); continue
    if d.get("uid") in uids: problems.append(f"{f}: uid {d.get('uid')} also in {uids[d['uid']]}")
    uids[d.get("uid")] = f
    for p in d.get("panels", []):
        for t in p.get("targets", []):
            if p.get("type") != "row" and not t.get("expr"): problems.append(f"{f}: panel {p.get('title')!r} has a target without expr")
for f in glob.glob("grafana/provisioning/*/*.yml"):
    doc = yaml.safe_load(open(f))
    if doc.get("apiVersion") != 1: problems.append(f"{f}: apiVersion must be 1")
for p in problems: print(p)
sys.exit(1 if problems else 0)
PY
}
check "dashboards (JSON, unique uids) and provisioning files" grafana_files

# --- Summary --------------------------------------------------------------------------------------
echo "check-deploy: took $(($(_secs) - START)) s"
echo "check-deploy: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[[ ${#FAILED[@]} -eq 0 ]]
