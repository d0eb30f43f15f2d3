// A complete, private pipeline for one test: random topics (submitted / verdicts / dlq), group id
// and Redis key prefix, a registered wire codec, verifier child processes, and a clean-up that
// stops the processes and deletes all of it.
import type { KafkaClient } from '@flk/kafka';
import { decide, DEFAULT_PARAMS, type Pcs, type Verdict } from '@flk/pcs';
import { TEST_KEYS, testDecideConfig, testKeyRing } from '@flk/pcs/testing';
import type { RedisConnection } from '@flk/redis';
import { boundedType, loadSchema, type WireCodec } from '@flk/registry';
import { createTopics, deleteGroups, deleteTopics, produce, readTopic, testKafka, type ReadMessage } from './kafka.js';
import { randomName } from './names.js';
import { startGateway, startVerifier, type ChildApp } from './processes.js';
import { encodePcs, testCodec } from './records.js';
import { deleteDedupKeys, testRedis } from './redis.js';


export interface PipelineFixture {
  kafka: KafkaClient;
  codec: WireCodec;
  redis: RedisConnection;
  /** `replies` exists when the fixture was created with `replies` partitions (the HTTP gateway's reply topic). */
  topics: { submitted: string; verdicts: string; dlq: string; replies?: string };
  groupId: string;
  redisKeyPrefix: string;
  verifiers: ChildApp[];
  startVerifier(name: string, extraEnv?: Record<string, string>): Promise<ChildApp>;
  /** An HTTP gateway on this pipeline (needs `replies`); its replicas share one reply group. */
  startGateway(name: string, extraEnv?: Record<string, string>): Promise<GatewayApp>;
  /** Produces records keyed by pcs_id (the agents' convention). */
  produceRecords(records: readonly Pcs[]): Promise<void>;
  produceRaw(messages: ReadonlyArray<{ key: string | null; value: Buffer | null; headers?: Record<string, string> }>): Promise<void>;
  /** Reads pcs.verdicts (read_committed) until `until` holds (default: `count` records), decoded. */
  readVerdicts(opts: { count?: number; until?: (v: readonly DecodedVerdict[]) => boolean; timeoutMs?: number; settleMs?: number; readUncommitted?: boolean }): Promise<DecodedVerdict[]>;
  readDlq(opts: { count: number; timeoutMs?: number }): Promise<ReadMessage[]>;
  cleanup(): Promise<void>;
}

export type GatewayApp = ChildApp & { url(path: string): string };

export interface DecodedVerdict {
  key: string | null;
  partition: number;
  offset: string;
  verdict: Verdict;
}

export async function createPipelineFixture(opts: { partitions?: number; verdictPartitions?: number; replies?: number } = {}): Promise<PipelineFixture> {
  const id = randomName('flk-it');
  const topics: PipelineFixture['topics'] = { submitted: `${id}.submitted`, verdicts: `${id}.verdicts`, dlq: `${id}.dlq`, ...(opts.replies ? { replies: `${id}.replies` } : {}) };
  const kafka = testKafka(`${id}-test`);
  await createTopics(kafka, [
    { topic: topics.submitted, partitions: opts.partitions ?? 3 },
    { topic: topics.verdicts, partitions: opts.verdictPartitions ?? 3, compact: true },
    { topic: topics.dlq, partitions: 1 },
    ...(topics.replies ? [{ topic: topics.replies, partitions: opts.replies }] : []),
  ]);
  const codec = await testCodec(topics);
  const redis = testRedis();
  const groupId = `${id}-verifier`;
  const redisKeyPrefix = `${id}:`;
  const verifiers: ChildApp[] = [];

  const decodeAll = async (msgs: readonly ReadMessage[]): Promise<DecodedVerdict[]> => {
    const out: DecodedVerdict[] = [];
    for (const m of msgs) {
      const d = await codec.decodeVerdict(m.value);
      if (!d.ok) throw new Error(`undecodable verdict at ${m.partition}/${m.offset}: ${d.reason}`);
      out.push({ key: m.key, partition: m.partition, offset: m.offset, verdict: { ...(d.value as unknown as Verdict) } });
    }
    return out;
  };

  return {
    kafka,
    codec,
    redis,
    topics,
    groupId,
    redisKeyPrefix,
    verifiers,
    async startGateway(name, extraEnv = {}) {
      if (!topics.replies) throw new Error('createPipelineFixture({ replies }) is needed for a gateway');
      const app = await startGateway(name, { submitted: topics.submitted, verdicts: topics.verdicts, replies: topics.replies, redisKeyPrefix, groupId: `${id}-gateway`, extra: extraEnv });
      verifiers.push(app);
      return app;
    },
    async startVerifier(name, extraEnv = {}) {
      const app = await startVerifier(name, { ...topics, groupId, redisKeyPrefix, hmacKey: TEST_KEYS.hmacKey, extra: extraEnv });
      verifiers.push(app);
      return app;
    },
    produceRecords: (records) => produce(kafka, topics.submitted, records.map((r) => ({ key: r.pcs_id, value: encodePcs(codec, r) }))),
    produceRaw: (messages) => produce(kafka, topics.submitted, messages),
    async readVerdicts({ count, until, timeoutMs, settleMs, readUncommitted }) {
      const seen: DecodedVerdict[] = [];
      const raw = await readTopic(kafka, topics.verdicts, {
        timeoutMs,
        settleMs,
        readUncommitted,
        until: (msgs) => {
          if (!until) return msgs.length >= (count ?? 0);
          for (let i = seen.length; i < msgs.length; i++) {
            const m = msgs[i]!;
            seen.push({ key: m.key, partition: m.partition, offset: m.offset, verdict: quickDecode(m) });
          }
          return until(seen);
        },
      });
      return decodeAll(raw);
    },
    readDlq: ({ count, timeoutMs }) => readTopic(kafka, topics.dlq, { count, timeoutMs }),
    async cleanup() {
      await Promise.all(verifiers.map((v) => v.stop(10_000).catch(() => null)));
      await deleteTopics(kafka, Object.values(topics).filter((t): t is string => t !== undefined)).catch(() => {});
      await deleteGroups(kafka, [groupId, `${id}-gateway`]).catch(() => {});
      await deleteDedupKeys(redis, redisKeyPrefix).catch(() => {});
      await redis.close();
    },
  };
}

// Synchronous decode for stop conditions (skips the 5-byte wire header; the schema is ours).
const verdictType = boundedType(loadSchema('verdict-v1.avsc'));
function quickDecode(m: ReadMessage): Verdict {
  return verdictType.fromBuffer(m.value!.subarray(5)) as Verdict;
}

/** The verdict decide() gives offline for `rec` (the expected value, ignoring decided_at/source). */
export function offlineVerdict(rec: Pcs): Verdict {
  return decide(rec, testDecideConfig(testKeyRing('hmac'), DEFAULT_PARAMS), null, { decidedAt: '', source: null });
}

/** A verdict without the fields that depend on when and where it was decided. */
export function comparable(v: Verdict): Omit<Verdict, 'decided_at' | 'source' | 'duplicate' | 'policy_id' | 'policy_version' | 'policy_digest' | 'pii'> & { sent_at?: unknown } {
  // The policy stamp is the verifier's (docs/policies.md), like source: decide() offline has none.
  const { decided_at: _d, source: _s, duplicate: _u, policy_id: _pi, policy_version: _pv, policy_digest: _pd, pii: _pii, ...rest } = v as Verdict & { sent_at?: unknown };
  delete (rest as { sent_at?: unknown }).sent_at;
  return rest;
}

/** Verdict records per key beyond the first (0 = exactly once). */
export function duplicateRecords(verdicts: readonly DecodedVerdict[]): number {
  const seen = new Map<string, number>();
  for (const v of verdicts) seen.set(v.key ?? '', (seen.get(v.key ?? '') ?? 0) + 1);
  let extra = 0;
  for (const n of seen.values()) extra += n - 1;
  return extra;
}
