// The outbox: records leave it only when the transport reports the broker acknowledged them.
// Pure: the transport, sleep and randomness are injected (a fake transport drives the unit tests).
//
// Records are sent in batches, in the order they were added, one batch at a time: a batch leaves
// when `batchSize` records are queued, or `lingerMs` after its first record was queued, or on
// flush. Each v0.1 record's `sent_at` is stamped when its batch is first handed to the transport (it
// is not signed there, §2.1); a v0.2 record's sent_at is signed (§7.2) and stays as built. A failed batch is sent again, unchanged, after an exponential backoff with
// jitter (backoff.ts), up to `retry.maxAttempts` sends. Only retriable errors (errors.ts) are retried. When a batch is given
// up, its records and every record added afterwards are counted unpublished (never dropped
// silently): the outbox stops sending, because an unreachable broker would otherwise cost every
// later batch the whole retry budget again. The caller reports the counts and exits non-zero.
import { backoffDelay, PCS_VERSION_V02, systemClock, type Clock, type Pcs } from '@flk/pcs';
import { DEFAULT_RETRY_POLICY, retryBackoff, validateRetryPolicy, type RetryPolicy } from './backoff.js';
import { invalidOptions, isRetriable } from './errors.js';

/** Port to the broker. `send` resolves only once every record of the batch is acknowledged. */
export interface PcsTransport {
  send(batch: readonly Pcs[]): Promise<void>;
}

export type OutboxEvent =
  | { type: 'batch_acknowledged'; records: number; attempts: number }
  | { type: 'batch_retry'; records: number; attempt: number; delayMs: number; error: Error }
  | { type: 'batch_failed'; records: number; attempts: number; error: Error }
  | { type: 'record_not_sent'; pcs_id: string; shard_id: string; outbox_seq: number };

export interface ShardOutboxStats {
  published: number;
  unpublished: number;
  /** ft.outbox_seq of the shard's last acknowledged record (0 = none). */
  lastPublishedSeq: number;
}

export interface OutboxStats {
  published: number;
  unpublished: number;
  /** Added but not yet sent (0 after flush). */
  pending: number;
  /** Sends (first attempts and retries) and retries alone. */
  sends: number;
  retries: number;
  perShard: Record<string, ShardOutboxStats>;
  /** Why the outbox stopped sending; null while it works. */
  failure: { message: string; code: string | undefined } | null;
}

export interface OutboxOptions {
  transport: PcsTransport;
  /** Records per send (≥ 1, default 100). */
  batchSize?: number;
  /** Longest a queued record waits for its batch to fill, ms (default 50). */
  lingerMs?: number;
  retry?: RetryPolicy;
  /** Stamps sent_at (default: the system clock). */
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  /** Timer for the linger (default setTimeout, unref'd); returns a cancel function. */
  schedule?: (fn: () => void, ms: number) => () => void;
  random?: () => number;
  onEvent?: (e: OutboxEvent) => void;
}

export interface Outbox {
  /** Queues a record; once `batchSize` are queued, sends them and waits for the acknowledgement (backpressure). */
  add(rec: Pcs): Promise<void>;
  /** Sends everything queued and waits for it (and for a send already under way). */
  flush(): Promise<void>;
  stats(): OutboxStats;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const realSchedule = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

export function createOutbox(opts: OutboxOptions): Outbox {
  const batchSize = opts.batchSize ?? 100;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw invalidOptions('outbox batchSize must be an integer ≥ 1');
  const lingerMs = opts.lingerMs ?? 50;
  if (!Number.isFinite(lingerMs) || lingerMs < 0) throw invalidOptions('outbox lingerMs must be a number ≥ 0');
  const clock = opts.clock ?? systemClock;
  const schedule = opts.schedule ?? realSchedule;
  const retry = validateRetryPolicy(opts.retry ?? DEFAULT_RETRY_POLICY);
  const sleep = opts.sleep ?? realSleep;
  const random = opts.random ?? Math.random;
  const listener = opts.onEvent;
  // A throwing listener must not break the outbox (records would be lost between two states).
  const emit = (e: OutboxEvent) => {
    try {
      listener?.(e);
    } catch {
      /* the listener's problem, not the records' */
    }
  };

  let queue: Pcs[] = [];
  let inflight: Promise<void> | null = null;
  let cancelLinger: (() => void) | null = null;
  let published = 0;
  let unpublished = 0;
  let sends = 0;
  let retries = 0;
  let failure: OutboxStats['failure'] = null;
  const perShard = new Map<string, ShardOutboxStats>();

  function shard(id: string): ShardOutboxStats {
    let s = perShard.get(id);
    if (s === undefined) {
      s = { published: 0, unpublished: 0, lastPublishedSeq: 0 };
      perShard.set(id, s);
    }
    return s;
  }

  function giveUp(rec: Pcs): void {
    unpublished++;
    shard(rec.shard_id).unpublished++;
    emit({ type: 'record_not_sent', pcs_id: rec.pcs_id, shard_id: rec.shard_id, outbox_seq: rec.ft.outbox_seq });
  }

  async function sendBatch(unstamped: Pcs[]): Promise<void> {
    const sentAt = new Date(clock.now()).toISOString();
    // v0.2 signs sent_at (§7.2): such a record keeps the time it was built and signed with.
    const batch = unstamped.map((rec) => (rec.version === PCS_VERSION_V02 ? rec : { ...rec, sent_at: sentAt }));
    for (let attempt = 1; ; attempt++) {
      sends++;
      try {
        await opts.transport.send(batch);
      } catch (err) {
        const error = asError(err);
        if (!isRetriable(err) || attempt >= retry.maxAttempts) {
          failure = { message: error.message, code: (err as { code?: string }).code };
          emit({ type: 'batch_failed', records: batch.length, attempts: attempt, error });
          for (const rec of batch) giveUp(rec);
          return;
        }
        const delayMs = backoffDelay(attempt, retryBackoff(retry), random);
        retries++;
        emit({ type: 'batch_retry', records: batch.length, attempt, delayMs, error });
        await sleep(delayMs);
        continue;
      }
      for (const rec of batch) {
        published++;
        const s = shard(rec.shard_id);
        s.published++;
        s.lastPublishedSeq = rec.ft.outbox_seq;
      }
      emit({ type: 'batch_acknowledged', records: batch.length, attempts: attempt });
      return;
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      queue = queue.slice(batch.length);
      if (failure !== null) {
        for (const rec of batch) giveUp(rec);
        continue;
      }
      await sendBatch(batch);
    }
  }

  /** One drain at a time: it takes everything queued, also what is added while it sends. */
  function kick(): Promise<void> {
    cancelLinger?.();
    cancelLinger = null;
    inflight ??= drain().finally(() => {
      inflight = null;
    });
    return inflight;
  }

  return {
    async add(rec) {
      shard(rec.shard_id);
      if (failure !== null) {
        giveUp(rec);
        return;
      }
      queue.push(rec);
      if (queue.length >= batchSize) {
        await kick();
      } else if (cancelLinger === null && inflight === null) {
        // A lone record does not wait for company longer than lingerMs (drain never rejects:
        // transport errors become stats and events).
        cancelLinger = schedule(() => {
          cancelLinger = null;
          void kick();
        }, lingerMs);
      }
    },
    async flush() {
      while (queue.length > 0 || inflight !== null) await kick();
    },
    stats() {
      return {
        published,
        unpublished,
        pending: queue.length,
        sends,
        retries,
        perShard: Object.fromEntries([...perShard].map(([k, v]) => [k, { ...v }])),
        failure,
      };
    },
  };
}
