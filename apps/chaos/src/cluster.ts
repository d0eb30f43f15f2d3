// What the cluster drill (`npm run chaos -- cluster`) asks of the 3-broker stack: which broker leads
// most of a topic's partitions, which broker coordinates the verifiers' transactions (found from
// the __transaction_state partition leaders, as the broker itself maps a transactional id), and the
// pid of a stack broker for a SIGSTOP. docs/reliability.md#cluster-drill.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Admin } from 'kafkajs';

export class ClusterFaultError extends Error {
  constructor(message: string, readonly code: string, readonly retriable: boolean) {
    super(message);
    this.name = 'ClusterFaultError';
  }
}

/** The broker (node id) that leads the most partitions of `topic`, and how many it leads. */
export async function leaderOfMostPartitions(admin: Admin, topic: string): Promise<{ node: number; leads: number; of: number }> {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  const counts = new Map<number, number>();
  const parts = md.topics[0]?.partitions ?? [];
  for (const p of parts) if (p.leader >= 0) counts.set(p.leader, (counts.get(p.leader) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  if (!best) throw new ClusterFaultError(`${topic}: no partition has a leader`, 'CHAOS_NO_LEADER', true);
  return { node: best[0], leads: best[1], of: parts.length };
}

/** Java's String.hashCode, which the broker uses to map a transactional id to a __transaction_state partition. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/**
 * The broker coordinating most of `transactionalIds`: partition = (hashCode & 0x7fffffff) mod the
 * partition count of __transaction_state (Kafka's TransactionStateManager), its leader coordinates.
 */
export async function transactionCoordinator(admin: Admin, transactionalIds: readonly string[]): Promise<{ node: number; coordinates: number; of: number }> {
  const md = await admin.fetchTopicMetadata({ topics: ['__transaction_state'] });
  const parts = md.topics[0]?.partitions ?? [];
  if (parts.length === 0) throw new ClusterFaultError('__transaction_state has no partitions yet (no transaction ran)', 'CHAOS_NO_TXN_STATE', true);
  const leaderOf = new Map(parts.map((p) => [p.partitionId, p.leader]));
  const counts = new Map<number, number>();
  for (const id of transactionalIds) {
    const leader = leaderOf.get((javaStringHash(id) & 0x7fffffff) % parts.length);
    if (leader !== undefined && leader >= 0) counts.set(leader, (counts.get(leader) ?? 0) + 1);
  }
  const best = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0];
  if (!best) throw new ClusterFaultError('no transaction coordinator has a leader', 'CHAOS_NO_COORDINATOR', true);
  return { node: best[0], coordinates: best[1], of: transactionalIds.length };
}

/** The pid of stack broker `node` (stack.sh's pid file), checked to be a live Kafka JVM before it is signalled. */
export function brokerPid(stackDir: string, node: number): number {
  const pid = Number(readFileSync(join(stackDir, 'run', `kafka-${node}.pid`), 'utf8').trim());
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    throw new ClusterFaultError(`kafka-${node}: pid ${pid} is not running`, 'CHAOS_BROKER_GONE', true);
  }
  if (!cmd.includes('kafka.Kafka')) throw new ClusterFaultError(`kafka-${node}: pid ${pid} is not a Kafka broker`, 'CHAOS_NOT_BROKER', false);
  return pid;
}
