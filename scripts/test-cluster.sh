#!/usr/bin/env bash
# The 3-broker stack end to end (npm run test:cluster, part of npm test): brings up
# FLK_STACK_BROKERS=3 in its own stack dir (.flk/stack-cluster, on the default stack's ports, so
# that one is stopped first), runs test/cluster (durability settings, a pipeline smoke through a
# broker SIGKILL, the short cluster chaos drill with Redis Sentinel), tears the cluster down and
# prints the start-up and total times.
#
#   bash scripts/test-cluster.sh [extra jest args]
#
# Ports: node 1 = KAFKA_PORT / KAFKA_CONTROLLER_PORT / KAFKA_SASL_PORT; nodes 2 and 3 from
# KAFKA_CLUSTER_PORT_BASE (docs/local-stack.md#cluster-mode).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
cd "$REPO"
export FLK_STACK_BROKERS=3 FLK_STACK_DIR=$REPO/.flk/stack-cluster FLK_TEST_REPLICATION_FACTOR=3
t0=$SECONDS
FLK_STACK_BROKERS=1 FLK_STACK_DIR=$REPO/.flk/stack bash infra/local/stack.sh down >/dev/null
bash infra/local/stack.sh up
up_s=$((SECONDS - t0))
status=0
# The global setup's own `up` only checks the cluster again (idempotent) and hands its addresses over.
node --experimental-vm-modules --no-warnings node_modules/jest/bin/jest.js --selectProjects=cluster --runInBand "$@" || status=$?
bash infra/local/stack.sh down >/dev/null || true
echo "test:cluster: 3-broker stack up in ${up_s}s (cold or warm, see the rows above); exit $status; total $((SECONDS - t0))s"
exit $status
