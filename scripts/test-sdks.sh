#!/usr/bin/env bash
# The producer SDKs' suites (sdk/go, sdk/python) and the Go peer check of the audit log (test/peers): each loads every file of test/vectors/ and publishes
# to the local stack's broker, which this script makes sure is up (idempotent). Part of `npm test`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash infra/local/stack.sh up >/dev/null
status=0
for sdk in go python; do
  echo "== sdk/$sdk"
  bash "sdk/$sdk/test.sh" || { echo "sdk/$sdk: FAILED" >&2; status=1; }
done
# The audit log's proofs and checkpoints, checked with transparency-dev/merkle and x/mod/sumdb/note.
echo "== test/peers/merkle"
bash test/peers/merkle/test.sh || { echo "test/peers/merkle: FAILED" >&2; status=1; }
exit $status
