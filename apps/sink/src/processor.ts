import { AUDIT_ERROR_CODES, type AuditEntryInput, type AuditLog, FlkAuditError, keyText } from '@flk/audit';
import { isRetriable } from '@flk/pcs';
import { redactFlagged } from '@flk/policy';
import { backoffDelay, type BackoffOptions, type ConsumedRecord, DEFAULT_BACKOFF, headerValue, isTraceparent, type RecordBatch, TRACEPARENT_HEADER } from '@flk/kafka';
import type { DecodeResult } from '@flk/registry';

// The sink's per-batch logic, written against small ports so it runs in unit tests with a fake
// consumer: skip what the audit log already holds, decode, append + fsync, observe metrics, and
// only then commit the offsets. Exactly-once in the log: an offset is appended only if it is
// greater than the last one the log holds for its partition, whatever the consumer delivers.

// Batches arrive as @flk/kafka's RecordBatch of ConsumedRecords (the verifier's input shape), in
// offset order, control records and aborted transactions already filtered out.

/** The record's W3C trace context (the verifier copies it onto each verdict), when well formed: written onto its audit line. */
function traceparentOf(record: ConsumedRecord): string | null {
  const v = headerValue(record, TRACEPARENT_HEADER);
  return isTraceparent(v) ? v : null;
}

/** What the consumer lets a batch handler do. */
export interface BatchControl {
  /** False once the consumer is stopping: give up without writing or committing. */
  isRunning(): boolean;
  heartbeat(): Promise<void>;
  /** Marks the partition processed up to and including `offset`, and commits it to the group. */
  commit(offset: string): Promise<void>;
  /** Moves the partition's next fetch to `offset`. */
  seek(offset: string): void;
}

export interface VerdictDecoder {
  decodeVerdict(message: Buffer | null): Promise<DecodeResult<Record<string, unknown>>>;
}

export type SinkEvent =
  | { type: 'batch_logged'; topic: string; partition: number; lines: number; skipped: number; firstOffset: string; lastOffset: string }
  | { type: 'batch_already_logged'; topic: string; partition: number; skipped: number; lastLogged: string; seekTo: string | null }
  | { type: 'undecodable'; topic: string; partition: number; offset: string; reason: string }
  | { type: 'registry_unavailable'; attempt: number; delayMs: number; message: string }
  | { type: 'registry_recovered' }
  | { type: 'audit_disk_full'; attempt: number; delayMs: number; message: string }
  | { type: 'audit_space_back'; attempts: number };

export interface SinkBatchHandlerOptions {
  audit: Pick<AuditLog, 'append' | 'lastOffset'>;
  decoder: VerdictDecoder;
  /** Called once per logged message, after the batch is durable (null = undecodable). */
  observe(verdict: Readonly<Record<string, unknown>> | null): void;
  onEvent?: (e: SinkEvent) => void;
  backoff?: BackoffOptions;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

export interface SinkBatchHandler {
  handle(batch: RecordBatch, control: BatchControl): Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const STOPPED = Symbol('stopped');

export function createSinkBatchHandler(opts: SinkBatchHandlerOptions): SinkBatchHandler {
  const emit = opts.onEvent ?? (() => undefined);
  const sleep = opts.sleep ?? defaultSleep;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  let registryDown = false;

  /** Decodes; while the registry is unreachable, waits (heartbeating) and retries until it answers or the consumer stops. */
  async function decode(value: Buffer | null, control: BatchControl): Promise<DecodeResult<Record<string, unknown>> | typeof STOPPED> {
    for (let attempt = 1; ; attempt++) {
      try {
        const result = await opts.decoder.decodeVerdict(value);
        if (registryDown) {
          registryDown = false;
          emit({ type: 'registry_recovered' });
        }
        return result;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        registryDown = true;
        const delayMs = backoffDelay(attempt, backoff, opts.random);
        emit({ type: 'registry_unavailable', attempt, delayMs, message: (err as Error).message });
        if (!control.isRunning()) return STOPPED;
        await sleep(delayMs);
        if (!control.isRunning()) return STOPPED;
        await control.heartbeat();
      }
    }
  }

  /**
   * Appends; while the disk is full, waits (heartbeating, holding the partition, committing
   * nothing) and retries the same entries until they fit or the consumer stops.
   */
  async function append(entries: readonly AuditEntryInput[], control: BatchControl): Promise<void | typeof STOPPED> {
    for (let attempt = 1; ; attempt++) {
      try {
        await opts.audit.append(entries);
        if (attempt > 1) emit({ type: 'audit_space_back', attempts: attempt });
        return;
      } catch (err) {
        if (!(err instanceof FlkAuditError && err.code === AUDIT_ERROR_CODES.DISK_FULL)) throw err;
        const delayMs = backoffDelay(attempt, backoff, opts.random);
        emit({ type: 'audit_disk_full', attempt, delayMs, message: err.message });
        if (!control.isRunning()) return STOPPED;
        await sleep(delayMs);
        if (!control.isRunning()) return STOPPED;
        await control.heartbeat();
      }
    }
  }

  return {
    async handle(batch, control) {
      const { topic, partition, records } = batch;
      if (records.length === 0) return;
      const logged = opts.audit.lastOffset(topic, partition);
      const loggedUpTo = logged === undefined ? -1n : BigInt(logged);
      const fresh = records.filter((m) => BigInt(m.offset) > loggedUpTo);
      const skipped = records.length - fresh.length;
      const batchLast = records[records.length - 1]!.offset;

      if (fresh.length === 0) {
        // Everything here is already in the log (a restart after append, before commit): commit
        // it, and jump over whatever else the log holds beyond this batch.
        await control.commit(batchLast);
        const seekTo = loggedUpTo > BigInt(batchLast) ? String(loggedUpTo + 1n) : null;
        if (seekTo !== null) control.seek(seekTo);
        emit({ type: 'batch_already_logged', topic, partition, skipped, lastLogged: logged!, seekTo });
        return;
      }

      const entries: AuditEntryInput[] = [];
      const verdicts: Array<Record<string, unknown> | null> = [];
      for (const m of fresh) {
        const decoded = await decode(m.value, control);
        if (decoded === STOPPED) return; // nothing written, nothing committed: the next owner redoes the batch
        if (!decoded.ok) emit({ type: 'undecodable', topic, partition, offset: m.offset, reason: decoded.reason });
        // Values the verifier's PII gate flagged never reach the append-only log (docs/policies.md).
        const kept = decoded.ok ? redactFlagged(decoded.value, keyText(m.key)) : { verdict: null, key: keyText(m.key) };
        entries.push({
          topic,
          partition,
          offset: m.offset,
          key: kept.key,
          verdict: kept.verdict,
          error: decoded.ok ? null : decoded.reason,
          traceparent: traceparentOf(m),
        });
        verdicts.push(decoded.ok ? decoded.value : null);
      }
      // write + fdatasync; AuditWriteError is fatal, AuditDiskFullError (nothing kept) is retried.
      if ((await append(entries, control)) === STOPPED) return;
      for (const v of verdicts) opts.observe(v);
      emit({ type: 'batch_logged', topic, partition, lines: entries.length, skipped, firstOffset: fresh[0]!.offset, lastOffset: fresh[fresh.length - 1]!.offset });
      await control.commit(batchLast);
    },
  };
}

/** Offsets as Kafka reports them: a decimal string, '-1' (or anything negative) when none. */
function offsetOrNone(v: string | undefined): bigint {
  if (v === undefined || !/^-?\d+$/.test(v)) return -1n;
  return BigInt(v);
}

/**
 * Where each newly assigned partition should start. For a partition the log holds, the next
 * offset after the log's last one — unless the group's committed offset is already there or
 * beyond (then the committed offset stands: another sink instance may have logged the rest in
 * its own log). Partitions the log does not hold start at the committed offset (or the earliest).
 */
export function planSeeks(
  assigned: ReadonlyArray<{ topic: string; partitions: readonly number[] }>,
  lastLogged: (topic: string, partition: number) => string | undefined,
  committed: (topic: string, partition: number) => string | undefined,
): Array<{ topic: string; partition: number; offset: string }> {
  const out: Array<{ topic: string; partition: number; offset: string }> = [];
  for (const { topic, partitions } of assigned) {
    for (const partition of partitions) {
      const logged = lastLogged(topic, partition);
      if (logged === undefined) continue;
      const next = BigInt(logged) + 1n;
      if (next > offsetOrNone(committed(topic, partition))) out.push({ topic, partition, offset: String(next) });
    }
  }
  return out.sort((a, b) => (a.topic === b.topic ? a.partition - b.partition : a.topic < b.topic ? -1 : 1));
}
