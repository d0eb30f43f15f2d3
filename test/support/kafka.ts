// Kafka helpers for tests: topics, producing, and reading a topic back with read_committed (what
// a downstream consumer sees: aborted transactions are invisible).
import { createKafkaClient, type KafkaClient } from '@flk/kafka';
import { Partitioners, type IHeaders } from 'kafkajs';
import { STACK, randomName, sleep } from './names.js';

export function testKafka(clientId = randomName('flk-test')): KafkaClient {
  return createKafkaClient({ brokers: STACK.brokers, clientId, logLevel: 'error' });
}

/** FLK_TEST_REPLICATION_FACTOR: 3 on the cluster stack (scripts/test-cluster.sh), else 1. */
const TEST_REPLICATION_FACTOR = Number(process.env.FLK_TEST_REPLICATION_FACTOR ?? '1') || 1;

export interface TopicSpec {
  topic: string;
  partitions?: number;
  compact?: boolean;
}

export async function createTopics(kafka: KafkaClient, specs: readonly TopicSpec[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      timeout: 30_000,
      topics: specs.map((s) => ({
        topic: s.topic,
        numPartitions: s.partitions ?? 1,
        replicationFactor: TEST_REPLICATION_FACTOR,
        // Input-like topics stamp the broker's append time (contract §7.4: the verifier's `now`).
        configEntries: [
          ...(s.compact ? [{ name: 'cleanup.policy', value: 'compact' }] : [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]),
          // On the 3-broker stack (npm run test:cluster) the tests' topics are replicated as pcs.* are.
          ...(TEST_REPLICATION_FACTOR >= 3 ? [{ name: 'min.insync.replicas', value: '2' }, { name: 'unclean.leader.election.enable', value: 'false' }] : []),
        ],
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

export async function deleteTopics(kafka: KafkaClient, topics: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [...topics], timeout: 30_000 }).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

export async function deleteGroups(kafka: KafkaClient, groups: readonly string[]): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.deleteGroups([...groups]).catch(() => {});
  } finally {
    await admin.disconnect();
  }
}

export interface ProducedMessage {
  key: string | Buffer | null;
  value: Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
}

/** Sends with an idempotent (non-transactional) producer, in chunks; resolves once all are acked. */
export async function produce(kafka: KafkaClient, topic: string, messages: readonly ProducedMessage[], chunk = 500): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < messages.length; i += chunk) {
      await producer.send({ topic, acks: -1, messages: messages.slice(i, i + chunk).map((m) => ({ key: m.key, value: m.value, partition: m.partition, headers: m.headers })) });
    }
  } finally {
    await producer.disconnect();
  }
}

export interface ReadMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

function headerStrings(h: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined) continue;
    out[k] = Array.isArray(v) ? v.map(String).join(',') : Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  }
  return out;
}

/**
 * Reads `topic` from the beginning (read_committed unless `readUncommitted`) until `until(messages)`
 * holds (default: at least `count` messages) and then `settleMs` passed without more — so extra,
 * duplicated messages are seen too — or `timeoutMs` passed.
 */
export async function readTopic(
  kafka: KafkaClient,
  topic: string,
  opts: { count?: number; until?: (msgs: readonly ReadMessage[]) => boolean; timeoutMs?: number; settleMs?: number; readUncommitted?: boolean },
): Promise<ReadMessage[]> {
  const { timeoutMs = 60_000, settleMs = 1_500 } = opts;
  const until = opts.until ?? ((msgs: readonly ReadMessage[]) => msgs.length >= (opts.count ?? 0));
  const consumer = kafka.consumer({ groupId: randomName('flk-test-reader'), readUncommitted: opts.readUncommitted ?? false, maxWaitTimeInMs: 200 });
  const out: ReadMessage[] = [];
  // A rejoin of this reader (its coordinator moved after a broker restart) delivers again what it
  // read since its last auto-commit: one record per partition and offset, so that a re-delivery is
  // not counted as a duplicate verdict record. (The cluster smoke's duplicates turned out to be
  // aborted records kafkajs's read_committed filter let through, patched since; a re-delivery
  // would be miscounted the same way.)
  const seen = new Set<string>();
  let lastAt = Date.now();
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const at = `${partition}:${message.offset}`;
        if (seen.has(at)) return;
        seen.add(at);
        out.push({ partition, offset: message.offset, key: message.key?.toString('utf8') ?? null, value: message.value, headers: headerStrings(message.headers) });
        lastAt = Date.now();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (until(out) && Date.now() - lastAt >= settleMs) break;
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  return out;
}
