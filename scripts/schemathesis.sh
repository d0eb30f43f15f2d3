#!/usr/bin/env bash
# Property-based API fuzzing of the HTTP gateway with schemathesis (PyPI), against a running
# gateway and schemas/gateway-openapi.yaml. Installs schemathesis once into a venv under
# .flk/venv/schemathesis (reinstalled only when SCHEMATHESIS_VERSION changes), then runs `st run`
# with the arguments given, e.g.
#   bash scripts/schemathesis.sh --url http://127.0.0.1:8080 -n 50
# `--setup` alone only creates the venv. Used by test/integration/gateway-fuzz.test.ts.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
VENV=${FLK_ST_VENV:-$REPO/.flk/venv/schemathesis}
PY=${PYTHON:-python3}
SCHEMATHESIS_VERSION=4.32.5

if [ ! -x "$VENV/bin/python" ]; then
  echo "schemathesis: creating $VENV" >&2
  if ! "$PY" -m venv "$VENV" 2>/dev/null; then
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "schemathesis: installing python3-venv" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    "$PY" -m venv "$VENV" || { echo "schemathesis: '$PY -m venv' failed (Debian: apt-get install python3-venv)" >&2; exit 2; }
  fi
fi
STAMP=$VENV/.flk-installed
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$SCHEMATHESIS_VERSION" ]; then
  echo "schemathesis: installing schemathesis $SCHEMATHESIS_VERSION into the venv" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  echo "$SCHEMATHESIS_VERSION" > "$STAMP"
fi
if [ "${1:-}" = "--setup" ]; then exit 0; fi
# schemathesis keeps its crash cache (.schemathesis/) and reports relative to the working
# directory: run it from a git-ignored one so a test run leaves the clone clean.
WORK=${FLK_ST_WORKDIR:-$REPO/.flk/schemathesis}
mkdir -p "$WORK"
cd "$WORK"
exec "$VENV/bin/st" run "$REPO/schemas/gateway-openapi.yaml" "$@"
