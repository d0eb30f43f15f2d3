// How a gateway replica gets the verdicts of its own submissions (docs/gateway.md, "Reply routing").
//
// The replicas form one consumer group on the replies topic, so each owns some of its partitions.
// A submission carries the header flk-reply-key; the verifier writes a copy of the verdict to the
// replies topic under that key, in the same transaction as pcs.verdicts. Keyed records land on
// murmur2(key) % partitions, so the replica picks a key that hashes to a partition it owns: the
// verdict comes back to it and to no other replica. Each replica therefore reads only its own
// traffic (O(own traffic), not O(all verdicts)), with any number of replicas up to the partition
// count. A replica that dies leaves no state behind: its partitions move to the others (who find no
// waiter for those keys and drop them) and its clients poll GET /v1/pcs/..., answered from Redis.
import { randomBytes } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { murmur2, toKafkaError, type KafkaClient } from '@flk/kafka';
import type { Logger } from '@flk/pcs';

export interface ReplyWait {
  /** The flk-reply-key header value for the submission. */
  readonly key: string;
  /** Resolves with the verdict bytes, or null after `deadlineMs` (epoch ms) or cancel(). */
  readonly reply: Promise<Buffer | null>;
  cancel(): void;
}

export type ReplyEvent =
  | { type: 'assigned'; partitions: number[] }
  | { type: 'unmatched' }
  | { type: 'kafka'; ok: boolean };

export interface ReplyRouter {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** A key routed to a partition this replica owns, and the wait for its reply; null while it owns none (mid-rebalance). */
  expect(deadlineMs: number): ReplyWait | null;
  /** Partitions owned now. */
  owned(): readonly number[];
  /** Replies waited for right now. */
  waiting(): number;
}

export interface ReplyRouterOptions {
  kafka: KafkaClient;
  topic: string;
  groupId: string;
  /** Distinguishes this replica's keys in logs and on the topic. */
  replicaId: string;
  /** Partition count of the replies topic (read at start-up). */
  partitions: number;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  logger: Logger;
  onEvent?: (e: ReplyEvent) => void;
}

const partitionOf = (key: string, n: number) => (murmur2(key) & 0x7fffffff) % n;

export function createReplyRouter(opts: ReplyRouterOptions): ReplyRouter {
  const waiters = new Map<string, { resolve: (v: Buffer | null) => void; timer: NodeJS.Timeout }>();
  let owned: number[] = [];
  let ownedSet = new Set<number>();
  // Per-process random prefix + counter: keys never repeat and cannot be guessed from outside (the
  // gateway still checks that a reply is for the record it waits for).
  const prefix = `${opts.replicaId}.${randomBytes(9).toString('base64url')}`;
  let counter = 0;
  let consumer: Consumer | undefined;

  const settle = (key: string, value: Buffer | null): boolean => {
    const w = waiters.get(key);
    if (w === undefined) return false;
    waiters.delete(key);
    clearTimeout(w.timer);
    w.resolve(value);
    return true;
  };

  return {
    owned: () => owned,
    waiting: () => waiters.size,

    expect(deadlineMs) {
      if (owned.length === 0) return null;
      const base = `${prefix}.${(counter++).toString(36)}`;
      // ~partitions/owned tries of a hash of ~40 bytes: microseconds.
      let key = base;
      for (let n = 0; !ownedSet.has(partitionOf(key, opts.partitions)); n++) key = `${base}.${n.toString(36)}`;
      let resolve!: (v: Buffer | null) => void;
      const reply = new Promise<Buffer | null>((r) => (resolve = r));
      const timer = setTimeout(() => settle(key, null), Math.max(0, deadlineMs - Date.now()));
      waiters.set(key, { resolve, timer });
      return { key, reply, cancel: () => void settle(key, null) };
    },

    async start() {
      const c = opts.kafka.consumer({
        groupId: opts.groupId,
        sessionTimeout: opts.sessionTimeoutMs,
        heartbeatInterval: opts.heartbeatIntervalMs,
        // The broker answers a fetch as soon as a reply is there; the wait only bounds idle polling.
        maxWaitTimeInMs: 100,
        minBytes: 1,
        readUncommitted: false, // only verdicts of committed verifier transactions
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 2000 },
      });
      consumer = c;
      c.on(c.events.GROUP_JOIN, (e) => {
        owned = [...(e.payload.memberAssignment[opts.topic] ?? [])].sort((a, b) => a - b);
        ownedSet = new Set(owned);
        opts.onEvent?.({ type: 'assigned', partitions: owned });
        opts.logger.info({ topic: opts.topic, partitions: owned }, 'reply partitions assigned');
      });
      c.on(c.events.REBALANCING, () => {
        // Until the next GROUP_JOIN new submissions get no reply key (they answer 202 + Location).
        owned = [];
        ownedSet = new Set();
      });
      c.on(c.events.CRASH, (e) => {
        owned = [];
        ownedSet = new Set();
        opts.onEvent?.({ type: 'kafka', ok: false });
        opts.logger.warn({ err: String(e.payload.error?.message ?? e.payload.error), restart: e.payload.restart }, 'reply consumer crashed');
      });
      c.on(c.events.FETCH, () => opts.onEvent?.({ type: 'kafka', ok: true }));
      try {
        await c.connect();
        // New replies only: a reply older than this process has no waiter here.
        await c.subscribe({ topics: [opts.topic], fromBeginning: false });
        await c.run({
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              const key = m.key?.toString('utf8');
              if (key === undefined || !settle(key, m.value)) opts.onEvent?.({ type: 'unmatched' });
            }
          },
        });
      } catch (err) {
        throw toKafkaError(err, 'reply consumer start');
      }
    },

    async stop() {
      for (const key of [...waiters.keys()]) settle(key, null);
      await consumer?.disconnect().catch(() => {});
    },
  };
}
