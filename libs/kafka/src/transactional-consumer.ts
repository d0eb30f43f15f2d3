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
//   answering those records twice (kafkajs has no KIP-447, so this closes most of the gap);
// - the producers of a new assignment are created (InitProducerId) as soon as it is known, not
//   when its first record arrives: on a cold transaction coordinator that takes seconds, which the
//   first records after every rebalance would otherwise wait for ('outputs_ready' says when).
import type { Admin, Consumer, EachBatchPayload, KafkaMessage } from 'kafkajs';
import type { Logger } from '@flk/pcs';
import { isRetriable, silentLogger } from '@flk/pcs';
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
  /** The record's headers as kafkajs decoded them (read with headerValue). */
  headers?: Readonly<Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>>;
}

/** A header as a string (the first value when repeated), or undefined when absent. */
export function headerValue(record: Pick<ConsumedRecord, 'headers'>, name: string): string | undefined {
  const v = record.headers?.[name];
  const first = Array.isArray(v) ? v[0] : (v as Buffer | string | undefined);
  return first === undefined ? undefined : typeof first === 'string' ? first : first.toString('utf8');
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
  /** Every partition of the assignment `generation` has its transactional producer (fenced the previous owner). */
  | { type: 'outputs_ready'; topic: string; partitions: number[]; generation: number }
  | { type: 'committed'; topic: string; partition: number; records: number; messages: number; firstOffset: string; lastOffset: string; lag: number }
  | { type: 'retry'; topic: string; partition: number; attempt: number; delayMs: number; code: string; message: string }
  | { type: 'skipped'; topic: string; partition: number; fromOffset: string; committedOffset: string }
  | { type: 'kafka'; ok: boolean }
  | { type: 'crash'; message: string; restart: boolean };

export interface TransactionalConsumerOptions {
  kafka: KafkaClient;
  /** A lane stage (acquire, process, commit, heartbeat, waiting for queue room) pending this long is logged, and again every period; default 20 s. */
  stallWarnMs?: number;
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
  /** Resolves once every record fetched so far has been answered or dropped (tests, drills). */
  whenIdle(): Promise<void>;
}

/** Records fetched for one partition and not answered yet, in offset order. */
interface Lane {
  queue: Array<{ gen: number; epoch: number; messages: KafkaMessage[]; lastOffset: string; highWatermark: string; heartbeat: () => Promise<void> }>;
  /** Records in `queue`. */
  queued: number;
  running: Promise<void> | null;
  /** Bumped by every seek: records queued before it are from the old position. */
  epoch: number;
  /** eachBatch calls waiting for room in the queue. */
  waiters: Array<() => void>;
}

interface Chunk {
  gen: number;
  epoch: number;
  records: KafkaMessage[];
  /** The offset the transaction commits: after the last record, or past a whole batch's control records. */
  next: string;
  highWatermark: string;
  heartbeat: () => Promise<void>;
}

interface PartitionState {
  attempts: number;
  /** The committed offset must be re-read (after fencing) before the next chunk is processed. */
  needsSync: boolean;
  resumeTimer?: NodeJS.Timeout;
}

/** A stable offset read refused while a transaction's offsets are pending: how often, how fast it is retried. */
const UNSTABLE_OFFSET_ATTEMPTS = 8;
const UNSTABLE_OFFSET_BACKOFF = { initialMs: 20, maxMs: 500 };
const isUnstableOffsetCommit = (err: unknown): boolean => (err as { type?: unknown } | null)?.type === 'UNSTABLE_OFFSET_COMMIT';

function toRecord(topic: string, partition: number, m: KafkaMessage): ConsumedRecord {
  return { topic, partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null, timestamp: m.timestamp, headers: m.headers };
}

export function createTransactionalConsumer(opts: TransactionalConsumerOptions): TransactionalConsumer {
  const logger = opts.logger ?? silentLogger;
  const emit = opts.onEvent ?? (() => {});
  const retriable = opts.isRetriable ?? isRetriable;
  const maxRecords = opts.maxRecordsPerTransaction ?? 500;
  const stallWarnMs = opts.stallWarnMs ?? 20_000;
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
  /**
   * Per partition, the offset after the last chunk THIS member committed. A re-read of the group's
   * committed offset right after our own commit can still return the older one (EndTxn answers
   * once PrepareCommit is durable; the offset becomes visible when the commit marker reaches
   * __consumer_offsets, and kafkajs's own read at a rejoin is not a stable one, KIP-447), while kafkajs may
   * deliver those offsets again (a rejoin resets its position to that same stale read). Committed
   * offsets only move forward, so the larger of the two is where answering resumes.
   */
  const committedByUs = new Map<number, bigint>();
  let generation = 0;
  let stopping = false;
  let fatal = false;
  let started = false;
  let consumer: Consumer | undefined;
  let admin: Admin | undefined;

  /**
   * The group's committed offset of `partition`, read stable (OffsetFetch v7 require_stable, KIP-447,
   * through FLK's kafkajs patch). A plain read answers the last completed commit even while a
   * transaction holding newer offsets is being completed: after a commit that failed on our side
   * but reached the coordinator (the connection closed under EndTxn), the fresh producer's
   * InitProducerId finished that transaction and the plain read right after still showed the
   * chunk's first offset, so the chunk was answered twice (the cluster smoke, once in 11 runs). A
   * stable read answers UNSTABLE_OFFSET_COMMIT instead until the offsets are settled: retried here
   * briefly, then the batch's own retry takes over (the re-read stays due).
   */
  async function committedOffset(partition: number): Promise<string | null> {
    for (let attempt = 1; ; attempt++) {
      try {
        const res = await admin!.fetchOffsets({ groupId, topics: [topic], requireStable: true });
        const off = res.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset;
        return off === undefined || off === null || BigInt(off) < 0n ? null : off;
      } catch (err) {
        if (attempt < UNSTABLE_OFFSET_ATTEMPTS && isUnstableOffsetCommit(err)) {
          await new Promise<void>((resolve) => setTimeout(resolve, backoffDelay(attempt, UNSTABLE_OFFSET_BACKOFF, random)).unref?.());
          continue;
        }
        throw toKafkaError(err, 'fetch committed offsets');
      }
    }
  }

  /**
   * Creates the transactional producers of `partitions` ahead of their first chunk. eachBatch
   * acquires the same pending producer, and still re-reads the committed offset after it (needsSync
   * is set on every assignment). A failed creation is retried here with the usual backoff until
   * the assignment changes; eachBatch would retry it anyway.
   */
  async function warmOutputs(gen: number, partitions: readonly number[]): Promise<void> {
    let pending = [...partitions];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (gen !== generation || stopping || fatal) return;
      const results = await Promise.allSettled(pending.map((p) => outputs.acquire(topic, p)));
      pending = pending.filter((_, i) => results[i]!.status === 'rejected');
      if (pending.length > 0) {
        logger.warn({ component: 'consumer', topic, partitions: pending, attempt }, 'transactional producers not ready yet, retrying');
        await new Promise<void>((resolve) => setTimeout(resolve, backoffDelay(attempt, backoff, random)).unref?.());
      }
    }
    if (gen === generation && !stopping && !fatal) emit({ type: 'outputs_ready', topic, partitions: [...partitions].sort((a, b) => a - b), generation: gen });
  }

  /**
   * Runs a seek/pause/resume on the consumer. kafkajs refuses them (KafkaJSNonRetriableError
   * "Consumer group was not initialized") from the moment it stops a crashed consumer until it
   * starts it again, which is also before our CRASH listener hears of it. Nothing is lost by
   * skipping the call then: the restarted consumer rejoins and fetches from the committed offsets,
   * and starts with nothing paused. Thrown from a lane, the refusal was an unhandled rejection that
   * stopped the verifier after a broker restart.
   */
  function onConsumer(what: string, act: (c: NonNullable<typeof consumer>) => void): void {
    if (!consumer) return;
    try {
      act(consumer);
    } catch (err) {
      if (!/Consumer group was not initialized/.test(String((err as Error)?.message))) throw err;
      logger.debug({ component: 'consumer', topic, what }, 'consumer restarting; skipped (it rejoins from the committed offsets)');
    }
  }

  /**
   * Awaits `p`, warning (once, then every further period) while it is still pending after
   * `stallWarnMs`: a stage that never settles stops its partition and, through the backpressure
   * on eachBatch, kafkajs's whole fetch loop, with nothing else in the log to say where.
   */
  async function watched<T>(stage: string, partition: number, p: Promise<T>): Promise<T> {
    const t0 = Date.now();
    const timer = setInterval(() => {
      logger.warn({ component: 'consumer', topic, partition, stage, pendingMs: Date.now() - t0 }, 'stage still pending');
    }, stallWarnMs);
    timer.unref?.();
    try {
      return await p;
    } finally {
      clearInterval(timer);
    }
  }

  /**
   * Every partition kafkajs holds paused is one we paused for a retry, with its resume timer
   * pending. One paused without a timer would never be fetched again: say so, and resume it.
   * (A suspect for the cluster smoke's stall, which turned out to be the lane race startLane closes;
   * a lost resume would stall a partition the same way, so the check stays.)
   */
  let pauseCheck: NodeJS.Timeout | undefined;
  function checkPauses(): void {
    if (!consumer || stopping || fatal) return;
    let paused: Array<{ topic: string; partitions: number[] }> = [];
    try {
      paused = consumer.paused();
    } catch {
      return; // restarting: the restarted consumer starts with nothing paused
    }
    for (const p of paused.find((t) => t.topic === topic)?.partitions ?? []) {
      if (assigned.has(p) && stateOf(p).resumeTimer === undefined) {
        logger.warn({ component: 'consumer', topic, partition: p }, 'partition paused with no retry pending; resuming it');
        onConsumer('resume', (c) => c.resume([{ topic, partitions: [p] }]));
      }
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
    seekLane(partition, fromOffset);
    onConsumer('pause', (c) => c.pause([{ topic, partitions: [partition] }]));
    clearTimeout(s.resumeTimer);
    s.resumeTimer = setTimeout(() => {
      s.resumeTimer = undefined;
      if (!stopping && !fatal) onConsumer('resume', (c) => c.resume([{ topic, partitions: [partition] }]));
    }, delayMs);
    s.resumeTimer.unref?.();
  }

  // Fetching is decoupled from answering: eachBatch queues the fetched records on the partition's
  // lane and returns, so kafkajs fetches again (for every partition) while transactions run, instead
  // of waiting for the slowest partition's chunk. Each lane answers its queue in order, one chunk
  // (≤ maxRecords, merged across queued batches) per transaction. kafkajs' position moves ahead of
  // the committed offset, which is harmless: only a transaction commits an offset (autoCommit off),
  // and a failure seeks back. Queued records are dropped (not answered) when the assignment changes,
  // the lane seeks (retry, skip) or the consumer stops; kafkajs then fetches them again.
  const lanes = new Map<number, Lane>();
  const laneOf = (p: number): Lane => {
    let l = lanes.get(p);
    if (!l) lanes.set(p, (l = { queue: [], queued: 0, running: null, epoch: 0, waiters: [] }));
    return l;
  };
  const wake = (lane: Lane) => {
    for (const w of lane.waiters.splice(0)) w();
  };
  /** Drops what the lane had queued: records fetched from a position kafkajs no longer holds. */
  const dropQueue = (lane: Lane) => {
    lane.epoch++;
    lane.queue = [];
    lane.queued = 0;
    wake(lane);
  };
  /** Seeks the partition back (or ahead) and drops what its lane had queued from the old position. */
  function seekLane(partition: number, offset: string): void {
    dropQueue(laneOf(partition));
    onConsumer('seek', (c) => c.seek({ topic, partition, offset }));
  }

  async function eachBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    const partition = batch.partition;
    const gen = generation;
    if (batch.messages.length === 0 || fatal) return;
    const lane = laneOf(partition);
    const epoch = lane.epoch;
    // Backpressure: at most one chunk's worth queued behind the one being answered.
    while (lane.queued >= maxRecords && isRunning() && !isStale() && !fatal && gen === generation && lane.epoch === epoch) {
      await watched('queue-room', partition, new Promise<void>((resolve) => lane.waiters.push(resolve)));
    }
    if (!isRunning() || isStale() || fatal || stopping || gen !== generation || lane.epoch !== epoch) {
      logger.debug({ component: 'consumer', topic, partition, offset: batch.firstOffset(), last: batch.lastOffset(), gen, generation, stale: isStale(), running: isRunning() }, 'fetched batch not queued');
      return;
    }
    logger.debug({ component: 'consumer', topic, partition, offset: batch.firstOffset(), last: batch.lastOffset(), records: batch.messages.length, gen, epoch, queued: lane.queued }, 'fetched batch queued');
    lane.queue.push({ gen, epoch, messages: batch.messages, lastOffset: batch.lastOffset(), highWatermark: batch.highWatermark, heartbeat });
    lane.queued += batch.messages.length;
    try {
      resolveOffset(batch.messages[batch.messages.length - 1]!.offset);
    } catch {
      // partition revoked meanwhile: its queued records are dropped by the generation check
    }
    startLane(partition, lane);
  }

  /**
   * Runs the lane unless it is running. When a run ends, whatever was queued meanwhile starts the
   * next one: a batch waiting for room can be queued after the lane's last look at its queue and
   * before its run settles (the lane dropping a previous generation's chunks, which wakes the
   * waiter, ends in the same turn). Left there, with kafkajs's position past that batch, it was
   * never answered and nothing else was fetched for the partition (the cluster smoke's stall).
   */
  function startLane(partition: number, lane: Lane): void {
    if (lane.running !== null || lane.queue.length === 0) return;
    lane.running = runLane(partition, lane)
      // runLane handles every failure it expects; anything else is a bug, and it stops the
      // consumer with the error rather than leaving an unhandled rejection.
      .catch((err: unknown) => fail(err))
      .finally(() => {
        lane.running = null;
        startLane(partition, lane);
      });
  }

  /** Takes ≤ maxRecords from the head of the lane's queue: the records and the offset to commit after them. */
  function takeChunk(lane: Lane): Chunk | null {
    const head = lane.queue[0];
    if (!head) return null;
    const records: KafkaMessage[] = [];
    let next = '';
    while (lane.queue.length > 0 && records.length < maxRecords) {
      const q = lane.queue[0]!;
      if (q.gen !== head.gen || q.epoch !== head.epoch) break;
      const room = maxRecords - records.length;
      const part = q.messages.slice(0, room);
      records.push(...part);
      if (part.length === q.messages.length) {
        lane.queue.shift();
        // A whole fetched batch: commit past its trailing control records too (batch.lastOffset()).
        next = (BigInt(q.lastOffset) + 1n).toString();
      } else {
        q.messages = q.messages.slice(room);
        next = (BigInt(part[part.length - 1]!.offset) + 1n).toString();
      }
      lane.queued -= part.length;
    }
    wake(lane);
    const last = lane.queue[0] ?? head;
    return { gen: head.gen, epoch: head.epoch, records, next, highWatermark: last.highWatermark, heartbeat: head.heartbeat };
  }

  async function runLane(partition: number, lane: Lane): Promise<void> {
    const s = stateOf(partition);
    let rebalancing = false;
    for (let chunk = takeChunk(lane); chunk !== null; chunk = takeChunk(lane)) {
      const { gen, records } = chunk;
      // Stop starting new work when stopping, or for records fetched before a rejoin or a seek (a
      // rejoin resets kafkajs's position to the committed offset, a seek to its own).
      if (stopping || fatal || gen !== generation || chunk.epoch !== lane.epoch || !assigned.has(partition)) {
        logger.debug({ component: 'consumer', topic, partition, offset: records[0]!.offset, records: records.length, gen, generation, epoch: chunk.epoch, laneEpoch: lane.epoch }, 'chunk dropped (stale)');
        continue;
      }
      const first = records[0]!.offset;
      const last = records[records.length - 1]!.offset;
      if (rebalancing) {
        // A heartbeat failed: kafkajs may be rejoining, or its coordinator was only unreachable
        // (a broker down) and the assignment stays. kafkajs handed these records over already
        // (resolveOffset), so dropping them without a seek skipped them for good when no rejoin
        // followed (the cluster drill lost 45 inputs so). Seek back to them; a rejoin's own reset
        // wins anyway.
        seekLane(partition, first);
        continue;
      }
      /** Answered already (`committed` > first): skip to `committed` instead of answering twice. */
      const skipTo = (committed: string, whose: string): void => {
        emit({ type: 'skipped', topic, partition, fromOffset: first, committedOffset: committed });
        logger.info({ component: 'consumer', topic, partition, offset: first, committed }, `skipping offsets committed by ${whose}`);
        if (gen === generation) seekLane(partition, committed);
      };
      const ours = committedByUs.get(partition);
      if (ours !== undefined && BigInt(first) < ours) {
        // Offsets this member committed, delivered again (a rejoin or a seek that read the committed
        // offset before our last commit became visible).
        skipTo(ours.toString(), 'this member');
        continue;
      }
      const ctx: BatchContext = {
        async heartbeat() {
          try {
            await watched('heartbeat', partition, chunk.heartbeat());
          } catch {
            rebalancing = true; // kafkajs rejoins; what is queued is fetched again afterwards
          }
        },
      };
      try {
        const { output, fresh } = await watched('acquire', partition, outputs.acquire(topic, partition));
        if (fresh) s.needsSync = true;
        if (s.needsSync) {
          const committed = await watched('committed-offset', partition, committedOffset(partition));
          s.needsSync = false;
          logger.debug({ component: 'consumer', topic, partition, offset: first, committed, fresh }, 'committed offset re-read');
          if (committed !== null && BigInt(committed) > BigInt(first)) {
            // Another member (now fenced) answered these offsets after kafkajs read the committed
            // offset for us.
            skipTo(committed, 'the previous owner');
            continue;
          }
        }
        const produced = await watched('process', partition, opts.process({ topic, partition, records: records.map((m) => toRecord(topic, partition, m)) }, ctx));
        await watched('commit', partition, output.commit(produced, { consumerGroupId: groupId, topic, partition, offset: chunk.next }));
        const next = BigInt(chunk.next);
        logger.debug({ component: 'consumer', topic, partition, offset: first, last, next: chunk.next, gen, generation }, 'chunk committed');
        if (next > (committedByUs.get(partition) ?? -1n)) committedByUs.set(partition, next);
        s.attempts = 0;
        emit({ type: 'kafka', ok: true });
        const lag = Number(BigInt(chunk.highWatermark) - BigInt(chunk.next));
        emit({ type: 'committed', topic, partition, records: records.length, messages: produced.length, firstOffset: first, lastOffset: last, lag: Math.max(0, lag) });
        await ctx.heartbeat();
      } catch (err) {
        if (!retriable(err)) {
          logger.error({ component: 'consumer', topic, partition, offset: first, err: (err as Error)?.message, code: (err as { code?: unknown })?.code }, 'non-retriable error, stopping');
          fail(err);
          return;
        }
        retryLater(partition, first, gen, err);
      }
    }
  }

  return {
    async start() {
      if (started) throw new KafkaProgrammerError('consumer already started');
      started = true;
      pauseCheck = setInterval(checkPauses, stallWarnMs);
      pauseCheck.unref?.();
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
            if (st?.resumeTimer !== undefined) {
              // kafkajs keeps its paused set across rejoins: a partition revoked while paused for a
              // retry would come back paused, with no timer left to resume it (stalled for good).
              clearTimeout(st.resumeTimer);
              onConsumer('resume', (cc) => cc.resume([{ topic, partitions: [p] }]));
            }
            states.delete(p);
            void outputs.release(topic, p).catch(() => {});
          }
        }
        for (const p of now) stateOf(p).needsSync = true;
        // eachBatch calls waiting for room re-check the generation (and give up).
        for (const lane of lanes.values()) wake(lane);
        assigned = now;
        emit({ type: 'assigned', topic, partitions: [...now].sort((a, b) => a - b) });
        emit({ type: 'kafka', ok: true });
        void warmOutputs(generation, [...now]);
      });
      c.on(c.events.HEARTBEAT, () => emit({ type: 'kafka', ok: true }));
      c.on(c.events.CRASH, ({ payload }) => {
        // kafkajs has stopped the consumer; a restarted one rejoins from the committed offsets. What
        // the lanes fetched before is stale like after a rejoin: a new generation, queues dropped,
        // no resume timers left for the new consumer.
        generation++;
        for (const [p, lane] of lanes) {
          dropQueue(lane);
          const st = states.get(p);
          if (st) {
            clearTimeout(st.resumeTimer);
            st.resumeTimer = undefined;
            st.needsSync = true;
          }
        }
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
        clearInterval(pauseCheck);
        await c.disconnect().catch(() => {});
        await admin.disconnect().catch(() => {});
        started = false;
        throw toKafkaError(err, 'consumer start');
      }
    },

    async whenIdle() {
      for (;;) {
        const running = [...lanes.values()].map((l) => l.running).filter((r) => r !== null);
        if (running.length === 0) return;
        await Promise.all(running);
      }
    },

    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(pauseCheck);
      for (const s of states.values()) clearTimeout(s.resumeTimer);
      for (const lane of lanes.values()) wake(lane);
      try {
        await consumer?.stop();
      } catch (err) {
        logger.warn({ component: 'consumer', err: (err as Error)?.message }, 'consumer stop failed');
      }
      // The chunk each lane is answering is finished (committed or aborted); queued ones are dropped.
      await Promise.all([...lanes.values()].map((l) => l.running));
      await outputs.closeAll();
      await consumer?.disconnect().catch(() => {});
      await admin?.disconnect().catch(() => {});
    },
  };
}
