// The consume → produce loop against a scripted kafkajs stand-in (no network): what is committed,
// what is retried, what is skipped. The real thing runs in test/integration/pipeline*.test.ts.
import { describe, expect, test } from '@jest/globals';
import type { EachBatchPayload } from 'kafkajs';
import type { KafkaClient } from './client.js';
import { KafkaUnavailableError } from './errors.js';
import { createTransactionalConsumer, type ConsumerEvent, type RecordBatch } from './transactional-consumer.js';
import type { InputOffset, OutputMessage, TransactionalOutputs } from './transactional-output.js';

const TOPIC = 'in';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function harness(opts: { maxRecords?: number; backoffMs?: number; stallWarnMs?: number; process?: (b: RecordBatch) => Promise<OutputMessage[]> } = {}) {
  let eachBatch: ((p: EachBatchPayload) => Promise<void>) | undefined;
  const listeners = new Map<string, (e: { payload: unknown }) => void>();
  const calls = { seeks: [] as unknown[], pauses: [] as unknown[], resumes: [] as unknown[], resolved: [] as string[], acquired: [] as number[] };
  let failAcquires = 0;
  const committed = new Map<number, string>(); // the group's committed offsets (broker side)
  const txns: Array<{ messages: number; offset: InputOffset }> = [];
  let failCommits = 0;
  let commitSucceedsButThrows = false;
  const fresh = new Set<number>();
  let restarting = false;
  const paused = new Set<number>(); // kafkajs's paused partitions
  const notInitialized = (): never => {
    throw Object.assign(new Error('Consumer group was not initialized, consumer#run must be called first'), { name: 'KafkaJSNonRetriableError', retriable: false });
  };
  const consumer = {
    events: { GROUP_JOIN: 'join', HEARTBEAT: 'hb', CRASH: 'crash' },
    on: (ev: string, fn: (e: { payload: unknown }) => void) => listeners.set(ev, fn),
    connect: async () => {},
    subscribe: async () => {},
    run: async (cfg: { eachBatch: (p: EachBatchPayload) => Promise<void>; autoCommit: boolean; eachBatchAutoResolve: boolean }) => {
      expect(cfg.autoCommit).toBe(false);
      expect(cfg.eachBatchAutoResolve).toBe(false);
      eachBatch = cfg.eachBatch;
    },
    // Between stopping a crashed consumer and starting it again, kafkajs 2.2.4 refuses these.
    seek: (x: unknown) => (restarting ? notInitialized() : calls.seeks.push(x)),
    pause: (x: Array<{ partitions?: number[] }>) => (restarting ? notInitialized() : (x.forEach((t) => t.partitions?.forEach((p) => paused.add(p))), calls.pauses.push(x))),
    resume: (x: Array<{ partitions?: number[] }>) => (restarting ? notInitialized() : (x.forEach((t) => t.partitions?.forEach((p) => paused.delete(p))), calls.resumes.push(x))),
    paused: () => (restarting ? notInitialized() : paused.size > 0 ? [{ topic: TOPIC, partitions: [...paused] }] : []),
    stop: async () => {},
    disconnect: async () => {},
  };
  // A frozen snapshot stands for a group coordinator that does not show the latest transactional
  // commit yet (its marker not written): what kafkajs's OffsetFetch (no require_stable) can return.
  let frozen: Map<number, string> | undefined;
  // A stable read (require_stable) is refused this many more times (a transaction's offsets pending).
  let unstableReads = 0;
  const offsetReads: Array<{ requireStable: boolean }> = [];
  const admin = {
    connect: async () => {},
    disconnect: async () => {},
    fetchOffsets: async (o: { requireStable?: boolean }) => {
      offsetReads.push({ requireStable: o.requireStable === true });
      if (unstableReads > 0) {
        unstableReads--;
        throw Object.assign(new Error('There are unstable offsets that need to be cleared'), { name: 'KafkaJSProtocolError', type: 'UNSTABLE_OFFSET_COMMIT', retriable: true });
      }
      return [{ topic: TOPIC, partitions: [...(frozen ?? committed)].map(([partition, offset]) => ({ partition, offset })) }];
    },
  };
  const kafka = { consumer: (cfg: { readUncommitted: boolean }) => (expect(cfg.readUncommitted).toBe(false), consumer), admin: () => admin } as unknown as KafkaClient;
  const outputs: TransactionalOutputs = {
    async acquire(_topic, partition) {
      calls.acquired.push(partition);
      if (failAcquires > 0) {
        failAcquires--;
        throw new KafkaUnavailableError('coordinator not available');
      }
      const isFresh = !fresh.has(partition);
      fresh.add(partition);
      return {
        fresh: isFresh,
        output: {
          transactionalId: `t-${partition}`,
          async commit(messages, offset) {
            if (commitSucceedsButThrows) {
              commitSucceedsButThrows = false;
              committed.set(offset.partition, offset.offset);
              fresh.delete(partition);
              throw new KafkaUnavailableError('EndTxn timed out (but committed)');
            }
            if (failCommits > 0) {
              failCommits--;
              fresh.delete(partition); // a failed transaction discards the producer
              throw new KafkaUnavailableError('broker down');
            }
            committed.set(offset.partition, offset.offset);
            txns.push({ messages: messages.length, offset });
          },
        },
      };
    },
    release: async () => {},
    closeAll: async () => {},
  };
  const events: ConsumerEvent[] = [];
  const fatal: unknown[] = [];
  const processed: string[][] = [];
  const tc = createTransactionalConsumer({
    kafka,
    outputs,
    groupId: 'g',
    topic: TOPIC,
    maxRecordsPerTransaction: opts.maxRecords ?? 500,
    stallWarnMs: opts.stallWarnMs ?? 60_000,
    backoff: { initialMs: opts.backoffMs ?? 1, maxMs: 2 * (opts.backoffMs ?? 1) },
    onEvent: (e) => events.push(e),
    onFatal: (e) => fatal.push(e),
    process:
      opts.process ??
      (async (b) => {
        processed.push(b.records.map((r) => r.offset));
        return b.records.map((r) => ({ topic: 'out', key: r.offset, value: r.value }));
      }),
  });

  const join = (partitions: number[]) => listeners.get('join')!({ payload: { memberAssignment: { [TOPIC]: partitions } } });
  // eachBatch only queues the records on the partition's lane; the delivery is done once it is idle.
  const deliver = async (partition: number, offsets: number[], extra: { lastOffset?: number; onHeartbeat?: () => void } = {}) => {
    await queueBatch(partition, offsets, extra);
    await tc.whenIdle();
  };
  /** kafkajs handing a fetched batch to eachBatch; settles when eachBatch returns (it may wait for room). */
  const queueBatch = (partition: number, offsets: number[], extra: { lastOffset?: number; onHeartbeat?: () => void } = {}) =>
    eachBatch!({
      batch: {
        topic: TOPIC,
        partition,
        highWatermark: String((extra.lastOffset ?? offsets[offsets.length - 1]!) + 1 + 10),
        messages: offsets.map((o) => ({ offset: String(o), key: null, value: Buffer.from([o]), timestamp: '0', attributes: 0, headers: {} })),
        lastOffset: () => String(extra.lastOffset ?? offsets[offsets.length - 1]),
        firstOffset: () => String(offsets[0]),
      },
      resolveOffset: (o: string) => calls.resolved.push(o),
      heartbeat: async () => extra.onHeartbeat?.(),
      isRunning: () => true,
      isStale: () => false,
      pause: () => () => {},
      commitOffsetsIfNecessary: async () => {},
      uncommittedOffsets: () => ({ topics: [] }),
    } as unknown as EachBatchPayload);

  return {
    tc, join, deliver, queueBatch, calls, committed, txns, events, fatal, processed,
    failNextCommits: (n: number) => (failCommits = n),
    failNextAcquires: (n: number) => (failAcquires = n),
    nextCommitAmbiguous: () => (commitSucceedsButThrows = true),
    freezeFetchedOffsets: () => (frozen = new Map(committed)),
    offsetReads,
    refuseNextStableReads: (n: number) => (unstableReads = n),
    /** kafkajs stopped the consumer after a crash (seek/pause/resume refused until it restarts). */
    crashStopped: () => (restarting = true),
    /** kafkajs's CRASH event, then its restart (the rejoin is `join`). */
    crashed: () => listeners.get('crash')!({ payload: { error: new Error('Connection error: connect ECONNREFUSED'), restart: true } }),
    restarted: () => (restarting = false),
    /** A pause FLK did not schedule a resume for (what a lost timer leaves behind). */
    pausedBehindOurBack: (p: number) => paused.add(p),
  };
}

describe('transactional consumer', () => {
  test("a new assignment's producers are created before its first record (retried until they are), then outputs_ready", async () => {
    const h = harness();
    await h.tc.start();
    h.failNextAcquires(1);
    h.join([2, 0]);
    await sleep(30);
    expect(h.calls.acquired.slice(0, 2).sort()).toEqual([0, 2]);
    expect(h.calls.acquired.length).toBeGreaterThanOrEqual(3); // the failed one was retried
    expect(h.events.filter((e) => e.type === 'outputs_ready')).toEqual([{ type: 'outputs_ready', topic: TOPIC, partitions: [0, 2], generation: 1 }]);
    // The first chunk still re-reads the committed offset after the (already fenced) producer.
    h.committed.set(0, '5');
    await h.deliver(0, [3, 4, 5, 6]);
    expect(h.events).toContainEqual({ type: 'skipped', topic: TOPIC, partition: 0, fromOffset: '3', committedOffset: '5' });
  });


  test('a batch is cut into transactions of at most maxRecords; each commits outputs + next offset (kafkajs fetches on at once)', async () => {
    const h = harness({ maxRecords: 2 });
    await h.tc.start();
    h.join([0]);
    await h.deliver(0, [10, 11, 12, 13, 14], { lastOffset: 15 }); // 15: a trailing control record
    expect(h.processed).toEqual([['10', '11'], ['12', '13'], ['14']]);
    expect(h.txns.map((t) => [t.messages, t.offset.offset])).toEqual([[2, '12'], [2, '14'], [1, '16']]);
    expect(h.txns[0]!.offset).toMatchObject({ consumerGroupId: 'g', topic: TOPIC, partition: 0 });
    // Resolved when queued, so kafkajs fetches the next records while these are answered.
    expect(h.calls.resolved).toEqual(['14']);
    expect(h.events.filter((e) => e.type === 'committed')).toHaveLength(3);
    expect(h.calls.seeks).toEqual([]);
  });

  test('a retriable failure seeks back to the first unanswered offset, pauses, and resumes after a backoff', async () => {
    let n = 0;
    const h = harness({
      maxRecords: 2,
      process: async (b) => {
        if (++n === 2) throw Object.assign(new Error('redis down'), { retriable: true, code: 'REDIS_UNAVAILABLE' });
        return b.records.map((r) => ({ topic: 'out', key: r.offset, value: null }));
      },
    });
    await h.tc.start();
    h.join([1]);
    await h.deliver(1, [0, 1, 2, 3]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['2']); // the first chunk only
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 1, offset: '2' }]);
    expect(h.calls.pauses).toEqual([[{ topic: TOPIC, partitions: [1] }]]);
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ partition: 1, attempt: 1, code: 'REDIS_UNAVAILABLE' });
    await sleep(20);
    expect(h.calls.resumes).toEqual([[{ topic: TOPIC, partitions: [1] }]]);
    // The retry (redelivery from offset 2) succeeds and the attempt counter resets.
    await h.deliver(1, [2, 3]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['2', '4']);
  });

  test('a failed Kafka transaction is retried with a new producer, after re-reading the committed offset', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.failNextCommits(1);
    await h.deliver(0, [0, 1, 2]);
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
    expect(h.events.some((e) => e.type === 'kafka' && !e.ok)).toBe(true);
    await h.deliver(0, [0, 1, 2]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['3']);
  });

  test('an ambiguous commit that did commit is not answered twice: the retry skips to the committed offset', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.nextCommitAmbiguous();
    await h.deliver(0, [0, 1, 2]);
    expect(h.committed.get(0)).toBe('3');
    await h.deliver(0, [0, 1, 2]); // redelivered after the seek-back
    expect(h.processed).toHaveLength(1); // not processed again
    expect(h.txns).toHaveLength(0);
    expect(h.calls.seeks.at(-1)).toEqual({ topic: TOPIC, partition: 0, offset: '3' });
    expect(h.events.find((e) => e.type === 'skipped')).toMatchObject({ fromOffset: '0', committedOffset: '3' });
  });

  test('a newly assigned partition whose previous owner committed further is skipped ahead, not re-answered', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.committed.set(0, '50'); // committed by the previous owner after kafkajs fetched offsets for us
    await h.deliver(0, [40, 41, 42]);
    expect(h.processed).toEqual([]);
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '50' }]);
  });

  test('a non-retriable error pauses everything and reports fatal, committing nothing', async () => {
    const h = harness({ process: async () => { throw new TypeError('bug'); } });
    await h.tc.start();
    h.join([0]);
    await h.deliver(0, [0, 1]);
    expect(h.fatal).toHaveLength(1);
    expect(h.txns).toHaveLength(0);
    expect(h.calls.pauses).toEqual([[{ topic: TOPIC }]]);
  });

  test('fetching runs ahead of answering: batches queued behind a running transaction merge into one chunk, in order', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const h = harness({
      maxRecords: 10,
      process: async (b) => {
        if (first) {
          first = false;
          await gate; // the first chunk's work is slow
        }
        h.processed.push(b.records.map((r) => r.offset));
        return [];
      },
    });
    await h.tc.start();
    h.join([0, 1]);
    // eachBatch returns while the lane works (kafkajs is free to fetch again) ...
    const queued = Promise.all([
      h.deliver(0, [0, 1]),
      (async () => {
        await sleep(5);
        await h.deliver(0, [2, 3]);
      })(),
      (async () => {
        await sleep(5);
        await h.deliver(0, [4]);
      })(),
    ]);
    await sleep(15);
    // ... and another partition is answered meanwhile, not held behind partition 0.
    const other = h.deliver(1, [7]); // (resolves when every lane is idle)
    await sleep(10);
    expect(h.txns.map((t) => [t.offset.partition, t.offset.offset])).toEqual([[1, '8']]);
    release();
    await Promise.all([queued, other]);
    expect(h.processed).toEqual([['7'], ['0', '1'], ['2', '3', '4']]);
    expect(h.txns.map((t) => [t.offset.partition, t.offset.offset])).toEqual([[1, '8'], [0, '2'], [0, '5']]);
  });

  test('records queued behind a failed chunk are dropped, not answered out of order, and fetched again from the failed offset', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let n = 0;
    const h = harness({
      maxRecords: 2,
      process: async (b) => {
        if (++n === 1) {
          await gate;
          throw Object.assign(new Error('redis down'), { retriable: true });
        }
        h.processed.push(b.records.map((r) => r.offset));
        return [];
      },
    });
    await h.tc.start();
    h.join([0]);
    const firstDelivery = h.deliver(0, [0, 1]);
    await sleep(5);
    const second = h.deliver(0, [2, 3]); // queued behind the failing chunk
    await sleep(5);
    release();
    await Promise.all([firstDelivery, second]);
    expect(h.processed).toEqual([]); // 2 and 3 were not answered before 0 and 1
    expect(h.txns).toEqual([]);
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
    await h.deliver(0, [0, 1, 2, 3]); // kafkajs fetches again from the seek
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['2', '4']);
  });

  test('a failure after the partition was revoked leaves no stale seek or pause behind', async () => {
    const ref: { h?: ReturnType<typeof harness> } = {};
    const h = harness({
      process: async () => {
        ref.h!.join([1]); // rebalance while processing: partition 0 goes elsewhere
        throw Object.assign(new Error('redis down'), { retriable: true });
      },
    });
    ref.h = h;
    await h.tc.start();
    h.join([0, 1]);
    await h.deliver(0, [5]);
    expect(h.calls.seeks).toEqual([]);
    expect(h.calls.pauses).toEqual([]);
  });

  test('a rebalance signalled by a heartbeat stops after the chunk in progress is committed', async () => {
    const h = harness({ maxRecords: 1 });
    await h.tc.start();
    h.join([0]);
    await h.deliver(0, [0, 1, 2], { onHeartbeat: () => { throw new Error('The group is rebalancing'); } });
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['1']);
    // The chunks not started are fetched again from their first offset (a rejoin resets it anyway).
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '1' }]);
  });

  // Regression (cluster drill, a broker killed: the heartbeat failed, no rejoin followed, and the
  // records behind the committed chunk were dropped after kafkajs had moved past them: 45 lost).
  test('a heartbeat that fails without a rebalance loses nothing: the records after the committed chunk are answered', async () => {
    const h = harness({ maxRecords: 1 });
    await h.tc.start();
    h.join([0]);
    let failures = 1;
    await h.deliver(0, [0, 1, 2], { onHeartbeat: () => { if (failures-- > 0) throw new Error('Connection timeout'); } });
    expect(h.calls.seeks).toEqual([{ topic: TOPIC, partition: 0, offset: '1' }]);
    await h.deliver(0, [1, 2]); // what kafkajs fetches after the seek
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['1', '2', '3']);
    expect(h.processed.flat()).toEqual(['0', '1', '2']);
  });

  test('a partition revoked while paused for a retry is resumed: kafkajs keeps its paused set across rejoins', async () => {
    const h = harness({
      backoffMs: 60_000,
      process: async () => {
        throw Object.assign(new Error('redis down'), { retriable: true });
      },
    });
    await h.tc.start();
    h.join([0, 1]);
    await h.deliver(0, [0]);
    expect(h.calls.pauses).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    expect(h.calls.resumes).toEqual([]); // its retry is a minute away
    h.join([1]); // partition 0 goes elsewhere before the retry
    expect(h.calls.resumes).toEqual([[{ topic: TOPIC, partitions: [0] }]]);
    await h.tc.stop();
  });

  test('a partition kafkajs holds paused with no retry pending is found and resumed', async () => {
    const h = harness({ stallWarnMs: 10 });
    await h.tc.start();
    h.join([0, 1]);
    h.pausedBehindOurBack(1);
    await sleep(40);
    expect(h.calls.resumes).toContainEqual([{ topic: TOPIC, partitions: [1] }]);
    await h.deliver(1, [0]);
    expect(h.txns.map((t) => t.offset)).toEqual([{ consumerGroupId: 'g', topic: TOPIC, partition: 1, offset: '1' }]);
    await h.tc.stop();
  });

  // Regression (gateway-outage, broker restarted under load: a transaction failed while kafkajs was
  // restarting the crashed consumer; the seek-back threw "Consumer group was not initialized" out of
  // the lane, an unhandled rejection, and the verifier exited).
  test('a failure while kafkajs restarts a crashed consumer is retried after the rejoin, not fatal', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.failNextCommits(1);
    h.crashStopped(); // the broker went away: kafkajs stops the consumer before our CRASH listener hears
    await h.deliver(0, [0, 1, 2]);
    expect(h.fatal).toEqual([]);
    expect(h.events.find((e) => e.type === 'retry')).toMatchObject({ partition: 0, attempt: 1 });
    expect(h.calls.seeks).toEqual([]); // refused, and not needed: the rejoin reads the committed offset
    h.crashed();
    h.restarted();
    h.join([0]);
    await h.deliver(0, [0, 1, 2]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['3']);
    expect(h.processed).toEqual([['0', '1', '2'], ['0', '1', '2']]); // the failed attempt, then the one committed
    expect(h.fatal).toEqual([]);
  });

  test('records fetched before a crash are not answered after it: the restarted consumer fetches them again', async () => {
    let release: () => void = () => {};
    let first = true;
    const answered: string[][] = [];
    const h = harness({
      maxRecords: 1,
      process: async (b) => {
        if (first) {
          first = false;
          await new Promise<void>((r) => (release = r)); // the first chunk is in its transaction
        }
        answered.push(b.records.map((r) => r.offset));
        return b.records.map((r) => ({ topic: 'out', key: r.offset, value: null }));
      },
    });
    await h.tc.start();
    h.join([0]);
    const delivered = h.deliver(0, [0, 1, 2]); // chunk 0 runs; 1 and 2 wait on the lane
    await sleep(5);
    h.crashed();
    release();
    await delivered;
    expect(answered).toEqual([['0']]); // 1 and 2 dropped, not answered from the old consumer
    h.join([0]);
    await h.deliver(0, [1, 2]);
    expect(answered).toEqual([['0'], ['1'], ['2']]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['1', '2', '3']);
  });

  // Regression (cluster drill: one member committed offsets 7430..7479, rejoined, read the committed
  // offset before that commit was visible, and answered 7430.. again: duplicate verdict records).
  test('offsets this member committed are not answered again when a rejoin re-reads a stale committed offset', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.freezeFetchedOffsets(); // the coordinator will not show the next commit for a while
    await h.deliver(0, [0, 1, 2]);
    expect(h.committed.get(0)).toBe('3');
    h.join([0]); // a rejoin: same assignment, kafkajs resets to the (stale) committed offset
    await h.deliver(0, [0, 1, 2, 3]);
    expect(h.processed).toEqual([['0', '1', '2']]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['3']);
    expect(h.calls.seeks.at(-1)).toEqual({ topic: TOPIC, partition: 0, offset: '3' });
    await h.deliver(0, [3]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['3', '4']);
  });

  // Regression (the cluster smoke's stall after a broker SIGKILL: a rejoin kept the partitions, the
  // lane dropped the previous generation's queued chunks as it finished, and the batch kafkajs had
  // fetched again for the new generation, waiting for room, was queued in the moment between the
  // lane's last look at its queue and its end. Nothing started the lane again: kafkajs had its
  // position at the batch's end, so those records were never answered and nothing else came.)
  test('a batch queued while its lane is winding down is still answered', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const h = harness({
      maxRecords: 2,
      process: async (b) => {
        if (first) {
          first = false;
          await gate; // the first chunk is in its transaction
        }
        return b.records.map((r) => ({ topic: 'out', key: r.offset, value: r.value }));
      },
    });
    await h.tc.start();
    h.join([0]);
    await h.queueBatch(0, [0, 1, 2, 3, 4, 5]); // [0, 1] is answered; [2..5] waits on the lane
    await sleep(5);
    h.join([0]); // a rejoin that keeps the partition: kafkajs fetches again from the committed offset
    const again = h.queueBatch(0, [0, 1, 2, 3, 4, 5]); // waits for room behind the old generation's [2..5]
    await sleep(5);
    release(); // [0, 1] commits; the old generation's chunks are dropped; the new batch gets its room
    await again;
    await sleep(20);
    await h.tc.whenIdle();
    // The new generation's batch is answered: [0, 1] is skipped (this member committed it) with a
    // seek to 2, and what kafkajs fetches from there is answered.
    expect(h.events).toContainEqual({ type: 'skipped', topic: TOPIC, partition: 0, fromOffset: '0', committedOffset: '2' });
    expect(h.calls.seeks.at(-1)).toEqual({ topic: TOPIC, partition: 0, offset: '2' });
    await h.deliver(0, [2, 3, 4, 5]);
    expect(h.txns.map((t) => t.offset.offset)).toEqual(['2', '4', '6']);
    expect(h.fatal).toEqual([]);
  });

  // The cluster smoke answered a chunk twice once in 11 runs: a commit failed on our side but had
  // reached the coordinator; the plain offset read after the fresh producer's InitProducerId still
  // showed the chunk's first offset. The re-read is a stable one (require_stable), and a refusal
  // (UNSTABLE_OFFSET_COMMIT: the transaction's offsets still pending) is waited out, not read past.
  test('the committed offset is re-read stable; UNSTABLE_OFFSET_COMMIT is retried until the offsets are settled', async () => {
    const h = harness();
    await h.tc.start();
    h.join([0]);
    h.committed.set(0, '7'); // what the ambiguous commit wrote, once settled
    h.refuseNextStableReads(3);
    await h.deliver(0, [5, 6, 7, 8]);
    expect(h.offsetReads.length).toBeGreaterThanOrEqual(4);
    expect(h.offsetReads.every((r) => r.requireStable)).toBe(true);
    expect(h.events).toContainEqual({ type: 'skipped', topic: TOPIC, partition: 0, fromOffset: '5', committedOffset: '7' });
    expect(h.txns).toEqual([]);
    expect(h.fatal).toEqual([]);
  });
});
