// Consume → transform → produce, exactly once per committed transaction, over kafkajs:
// - eachBatch with autoCommit off and eachBatchAutoResolve off: an offset moves only after the
//   transaction that answers it (outputs + input offset, see transactional-output.ts) committed;
// - a fetched batch is cut into chunks of at most `maxRecordsPerTransaction`, one transaction each;
// - read_committed input;
// - a retriable failure (the processor's or Kafka's) aborts, seeks the partition back to the first
//   unanswered offset, pauses it for a jittered backoff and resumes: the same offsets are retried,
//   never skipped; other partitions keep flowing;
// - a non-retriable failure pauses everything and calls onFatal (the app exits; the orchestrator
//   restarts it) instead of looping on a bug;
// - whenever a partition's producer is (re)created — new assignment, or after a failed
//   transaction — the committed offset is re-read AFTER InitProducerId fenced the previous owner:
//   if that owner committed past where kafkajs started us, we skip to its offset instead of
//   answering those records twice (kafkajs has no KIP-447, so this closes most of the gap).
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '@flk/pcs';
import { silentLogger } from '@flk/pcs';
import { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from './backoff.js';
import type { KafkaClient } from './client.js';
import { FlkKafkaError, KafkaProgrammerError, toKafkaError } from './errors.js';
import type { OutputMessage, TransactionalOutputs } from './transactional-output.js';

export interface ConsumedRecord {
  topic: string;
  partition: number;
  /** Decimal string (Kafka offsets are int64). */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  /** Broker/producer timestamp, ms since epoch as a decimal string. */
  timestamp: string;
}

export interface RecordBatch {
  topic: string;
  partition: number;
  records: readonly ConsumedRecord[];
}

export interface BatchContext {
  /** Keeps the group membership alive during long work; never throws. */
  heartbeat(): Promise<void>;
}

/** Turns input records into output messages. Throw an error with `retriable: true` to retry the chunk later. */
export type BatchProcessor = (batch: RecordBatch, ctx: BatchContext) => Promise<readonly OutputMessage[]>;

export type ConsumerEvent =
  | { type: 'assigned'; topic: string; partitions: number[] }
  | { type: 'committed'; topic: string; partition: number; records: number; messages: number; firstOffset: string; lastOffset: string; lag: number }
  | { type: 'retry'; topic: string; partition: number; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'skipped'; topic: string; partition: number; fromOffset: string; committedOffset: string }
  | { type: 'kafka'; ok: boolean }
  | { type: 'crash'; message: string; restart: boolean };

export interface TransactionalConsumerOptions {
  kafka: KafkaClient;
  outputs: TransactionalOutputs;
  groupId: string;
  topic: string;
  process: BatchProcessor;
  /** Called once with a non-retriable error; the caller should stop the process. */
  onFatal: (err: unknown) => void;
  onEvent?: (event: ConsumerEvent) => void;
  logger?: Logger;
  maxRecordsPerTransaction?: number;
  partitionsConsumedConcurrently?: number;
  sessionTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  rebalanceTimeoutMs?: number;
  maxBytesPerPartition?: number;
  maxWaitTimeMs?: number;
  /** Where a group without committed offsets starts; default true (never skip submitted records). */
  fromBeginning?: boolean;
  backoff?: BackoffOptions;
  /** Default: `err.retriable === true` (the convention of every FLK lib's errors). */
  isRetriable?: (err: unknown) => boolean;
  random?: () => number;
}

export interface TransactionalConsumer {
  /** Connects, subscribes and starts consuming. Throws a typed error when Kafka cannot be reached. */
  start(): Promise<void>;
  /** Finishes the chunk in progress (committing it), leaves the group, closes producers. Idempotent. */
  stop(): Promise<void>;
}

interface PartitionState {
  attempts: number;
  /** The committed offset must be re-read (after fencing) before the next chunk is processed. */
  needsSync: boolean;
  resumeTimer?: NodeJS.Timeout;
}

const defaultIsRetriable = (err: unknown): boolean => (err as { retriable?: unknown } | null)?.retriable === true;

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  return { topic, partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null, timestamp: m.timestamp };
}

export function createTransactionalConsumer(opts: TransactionalConsumerOptions): TransactionalConsumer {
  const logger = opts.logger ?? silentLogger;
  const emit = opts.onEvent ?? (() => {});
  const isRetriable = opts.isRetriable ?? defaultIsRetriable;
  const maxRecords = opts.maxRecordsPerTransaction ?? 500;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  const random = opts.random ?? Math.random;
  const { topic, groupId, outputs } = opts;
  if (!Number.isSafeInteger(maxRecords) || maxRecords < 1) throw new KafkaProgrammerError('maxRecordsPerTransaction must be a positive integer');

  const states = new Map<number, PartitionState>();
  const stateOf = (p: number): PartitionState => {
    let s = states.get(p);
    if (!s) states.set(p, (s = { attempts: 0, needsSync: true }));
    return s;
  };
  let assigned = new Set<number>();
  let generation = 0;
  let stopping = false;
  let fatal = false;
  let started = false;
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;

  async function committedOffset(partition: number): Promise<string | null> {
    try {
      const res = await admin!.fetchOffsets({ groupId, topics: [topic] });
      const off = res.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset;
      return off === undefined || off === null || BigInt(off) < 0n ? null : off;
    } catch (err) {
      throw toKafkaError(err, 'fetch committed offsets');
    }
  }

  function fail(err: unknown): void {
    if (fatal) return;
    fatal = true;
    try {
      consumer?.pause([{ topic }]);
    } catch {
      // already stopped
    }
    opts.onFatal(err);
  }

  function retryLater(partition: number, fromOffset: string, gen: number, err: unknown): void {
    const s = stateOf(partition);
    s.attempts++;
    const delayMs = backoffDelay(s.attempts, backoff, random);
    const e = err as { code?: unknown; name?: unknown; message?: unknown };
    const code = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'unknown';
    if (err instanceof FlkKafkaError) emit({ type: 'kafka', ok: false });
    emit({ type: 'retry', topic, partition, attempt: s.attempts, delayMs, code, message: typeof e?.message === 'string' ? e.message : String(err) });
    logger.warn({ component: 'consumer', topic, partition, offset: fromOffset, attempt: s.attempts, delayMs, code }, 'batch failed, retrying the same offsets');
    // Seeking or pausing a partition that was revoked meanwhile would leave a stale seek behind
    // for a later assignment: act only within the generation that fetched the batch.
    if (gen !== generation || !assigned.has(partition) || stopping || !consumer) return;
    consumer.seek({ topic, partition, offset: fromOffset });
    consumer.pause([{ topic, partitions: [partition] }]);
    clearTimeout(s.resumeTimer);
    s.resumeTimer = setTimeout(() => {
      s.resumeTimer = undefined;
      if (!stopping && !fatal) consumer?.resume([{ topic, partitions: [partition] }]);
    }, delayMs);
    s.resumeTimer.unref?.();
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const partition = batch.partition;
    const gen = generation;
    const messages = batch.messages;
    if (messages.length === 0 || fatal) return;
    const s = stateOf(partition);
    let rebalancing = false;
    const ctx: BatchContext = {
      async heartbeat() {
        try {
          await heartbeat();
        } catch {
          rebalancing = true; // kafkajs rejoins after this batch returns
        }
      },
    };

    for (let i = 0; i < messages.length; ) {
      // Between chunks: stop starting new work when stopping, rebalancing, or after a seek.
      if (!isRunning() || isStale() || rebalancing || fatal || gen !== generation) return;
      const chunk = messages.slice(i, i + maxRecords);
      const first = chunk[0]!.offset;
      const last = chunk[chunk.length - 1]!.offset;
      const isLastChunk = i + chunk.length >= messages.length;
      try {
        const { output, fresh } = await outputs.acquire(topic, partition);
        if (fresh) s.needsSync = true;
        if (s.needsSync) {
          const committed = await committedOffset(partition);
          s.needsSync = false;
          if (committed !== null && BigInt(committed) > BigInt(first)) {
            // Another member (now fenced) answered these offsets after kafkajs read the committed
            // offset for us: skip to where it got, do not answer them twice.
            emit({ type: 'skipped', topic, partition, fromOffset: first, committedOffset: committed });
            logger.info({ component: 'consumer', topic, partition, offset: first, committed }, 'skipping offsets committed by the previous owner');
            if (gen === generation) consumer?.seek({ topic, partition, offset: committed });
            return;
          }
        }
        const produced = await opts.process({ topic, partition, records: chunk.map((m) => toRecord(topic, partition, m)) }, ctx);
        // The last chunk commits past trailing control records too (batch.lastOffset()).
        const next = (BigInt(isLastChunk ? batch.lastOffset() : last) + 1n).toString();
        await output.commit(produced, { consumerGroupId: groupId, topic, partition, offset: next });
        s.attempts = 0;
        emit({ type: 'kafka', ok: true });
        if (gen === generation && assigned.has(partition)) {
          try {
            resolveOffset(last);
          } catch {
            // partition revoked meanwhile: the committed offset is all that matters
          }
        }
        const lag = Number(BigInt(batch.highWatermark) - BigInt(next));
        emit({ type: 'committed', topic, partition, records: chunk.length, messages: produced.length, firstOffset: first, lastOffset: last, lag: Math.max(0, lag) });
        i += chunk.length;
        await ctx.heartbeat();
      } catch (err) {
        if (!isRetriable(err)) {
          logger.error({ component: 'consumer', topic, partition, offset: first, err: (err as Error)?.message, code: (err as { code?: unknown })?.code }, 'non-retriable error, stopping');
          fail(err);
          return;
        }
        retryLater(partition, first, gen, err);
        return;
      }
    }
  }

  return {
    async start() {
      if (started) throw new KafkaProgrammerError('consumer already started');
      started = true;
      admin = opts.kafka.admin();
      consumer = opts.kafka.consumer({
        groupId,
        readUncommitted: false,
        allowAutoTopicCreation: false,
        sessionTimeout: opts.sessionTimeoutMs ?? 30_000,
        heartbeatInterval: opts.heartbeatIntervalMs ?? 3_000,
        rebalanceTimeout: opts.rebalanceTimeoutMs ?? 60_000,
        maxBytesPerPartition: opts.maxBytesPerPartition ?? 1_048_576,
        maxWaitTimeInMs: opts.maxWaitTimeMs ?? 500,
        retry: {
          retries: 10,
          // kafkajs restarts the consumer after a crash only when this says so.
          restartOnFailure: async (err) => !fatal && !stopping && toKafkaError(err, 'consumer').retriable,
        },
      });
      const c = consumer;
      c.on(c.events.GROUP_JOIN, ({ payload }) => {
        generation++;
        const now = new Set(payload.memberAssignment[topic] ?? []);
        for (const p of assigned) {
          if (!now.has(p)) {
            const st = states.get(p);
            if (st) clearTimeout(st.resumeTimer);
            states.delete(p);
            void outputs.release(topic, p).catch(() => {});
          }
        }
        for (const p of now) stateOf(p).needsSync = true;
        assigned = now;
        emit({ type: 'assigned', topic, partitions: [...now].sort((a, b) => a - b) });
        emit({ type: 'kafka', ok: true });
      });
      c.on(c.events.HEARTBEAT, () => emit({ type: 'kafka', ok: true }));
      c.on(c.events.CRASH, ({ payload }) => {
        emit({ type: 'kafka', ok: false });
        emit({ type: 'crash', message: payload.error?.message ?? 'unknown', restart: payload.restart });
        if (!payload.restart && !stopping) fail(toKafkaError(payload.error, 'consumer'));
      });
      try {
        await admin.connect();
        await c.connect();
        await c.subscribe({ topics: [topic], fromBeginning: opts.fromBeginning ?? true });
        await c.run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 1,
          eachBatch,
        });
      } catch (err) {
        await c.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
        started = false;
        throw toKafkaError(err, 'consumer start');
      }
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      for (const s of states.values()) clearTimeout(s.resumeTimer);
      try {
        await consumer?.stop();
      } catch (err) {
        logger.warn({ component: 'consumer', err: (err as Error)?.message }, 'consumer stop failed');
      }
      await outputs.closeAll();
      await consumer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
    },
  };
}
