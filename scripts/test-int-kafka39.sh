#!/usr/bin/env bash
# The integration suite's Kafka 3.9 leg (the CI matrix in README "Tests"): the local stack runs
# Kafka 4.x by default; this runs a reduced but meaningful set of the integration tests against a
# Kafka 3.9 broker (the last 3.x line, still what many managed clusters run): the transactional
# pipeline, broker failover, the sink, the registry's _schemas storage, replay, the stack itself, the
# tenants on the broker (SASL_SSL/SCRAM, ACLs, quotas), zombie fencing of the transactional outputs and the stable (require_stable) offset read.
#
#   bash scripts/test-int-kafka39.sh [extra jest args]      (npm run test:int:kafka39)
#
# Uses its own stack dir (.flk/stack-kafka39: 3.9 cannot read 4.x's storage) on the same ports, so
# the default (4.x) stack is stopped first and this one is stopped at the end; the next `npm run
# test:int` or `stack:up` starts the 4.x stack again (data kept).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
KAFKA39_VERSION=${FLK_KAFKA39_VERSION:-3.9.2}
TESTS=${FLK_KAFKA39_TESTS:-'test/integration/(pipeline|pipeline-failover|sink|registry|replay|stack|tenants|transactional-fencing|stable-offsets)\.test\.ts'}
t0=$SECONDS
bash infra/local/stack.sh down >/dev/null
status=0
KAFKA_VERSION=$KAFKA39_VERSION FLK_STACK_DIR=$REPO/.flk/stack-kafka39 \
  node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --selectProjects=integration --runInBand \
  --testPathPatterns "$TESTS" "$@" || status=$?
KAFKA_VERSION=$KAFKA39_VERSION FLK_STACK_DIR=$REPO/.flk/stack-kafka39 bash infra/local/stack.sh down >/dev/null || true
echo "test:int:kafka39: kafka $KAFKA39_VERSION, exit $status, $((SECONDS - t0))s"
exit $status
