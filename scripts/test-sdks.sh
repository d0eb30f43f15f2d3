#!/usr/bin/env bash
# The producer SDKs' suites (sdk/go, sdk/python): each loads every file of test/vectors/ and publishes
# to the local stack's broker, which this script makes sure is up (idempotent). Part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/local/stack.sh up >/dev/null
status=0
for sdk in go python; do
  echo "== sdk/$sdk"
  bash "sdk/$sdk/test.sh" || { echo "sdk/$sdk: FAILED" >&2; status=1; }
done
exit $status
