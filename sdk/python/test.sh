#!/usr/bin/env bash
# The Python SDK's checks: a venv in .flk/venv/python (created once; the package is reinstalled
# only when pyproject.toml changes), then mypy --strict and pytest. Exits non-zero on any failure,
# and when pytest collects no test (its exit 5). The Kafka tests need the local stack up:
#   (cd ../.. && bash infra/local/stack.sh up)        (the caller starts it)
# Environment: PYTHON (interpreter for the venv, default python3, ≥ 3.10), FLK_SKIP_KAFKA=1 (skip the
# stack tests), FLK_REQUIRE_TS_CLI=0 (allow skipping the TS comparisons when node_modules is absent),
# FLK_REQUIRE_GO=0 (allow skipping the Go leg of the property test when Go is absent).
# Extra arguments go to pytest, e.g. `bash sdk/python/test.sh -k vectors`; `--setup` alone only
# creates/refreshes the venv and exits.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
cd "$HERE"
# In the repository the venv lives with the project's other machine-local state, under .flk/ (git-
# ignored, removed with it); a copy of the SDK on its own keeps it beside itself.
if [ -f "$HERE/../../package.json" ]; then VENV_DEFAULT=$(cd "$HERE/../.." && pwd -P)/.flk/venv/python; else VENV_DEFAULT=$HERE/.venv; fi
VENV=${FLK_PY_VENV:-$VENV_DEFAULT}
PY=${PYTHON:-python3}

"$PY" - <<'PYCHECK' || { echo "sdk/python: Python >= 3.10 is required (set PYTHON=...)" >&2; exit 2; }
import sys
sys.exit(0 if sys.version_info >= (3, 10) else 1)
PYCHECK

if [ ! -x "$VENV/bin/python" ]; then
  echo "sdk/python: creating $VENV"
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    # Debian splits venv/ensurepip out of python3: install it (root here, as on CI), then retry.
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "sdk/python: installing python3-venv"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    "$PY" -m venv "$VENV" || { echo "sdk/python: '$PY -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 2; }
  fi
fi
STAMP=$VENV/.flk-installed
WANT="$(sha256sum pyproject.toml | cut -d' ' -f1) $("$VENV/bin/python" -c 'import sys; print(sys.version.split()[0])')"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "sdk/python: installing flk-pcs[test] into the venv"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -e ".[test]"
  echo "$WANT" > "$STAMP"
fi
# --setup: only make sure the venv is there and current (used by npm run bench:sdk).
if [ "${1:-}" = "--setup" ]; then exit 0; fi

if [ -f "$HERE/../../package.json" ] && [ -z "${FLK_REQUIRE_TS_CLI:-}" ]; then
  export FLK_REQUIRE_TS_CLI=1   # in the repository the TS comparisons must run, not be skipped
fi
if [ -d "$HERE/../go" ] && [ -z "${FLK_REQUIRE_GO:-}" ]; then
  export FLK_REQUIRE_GO=1       # ... and so must the Go leg of the property test (sdk/go is beside us)
  if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
fi

echo "sdk/python: mypy --strict"
"$VENV/bin/python" -m mypy --strict

echo "sdk/python: pytest"
set +e
"$VENV/bin/python" -m pytest -q "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "sdk/python: pytest collected no test" >&2
  exit 1
fi
exit "$status"
