import { mkdir, open, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AUDIT_ERROR_CODES, AuditCorruptError, AuditDiskFullError, AuditWriteError, FlkAuditError } from './errors.js';
import { type AuditEntryInput, encodeLine, isDecimalOffset, segmentName, lineHash } from './format.js';
import { acquireLock } from './lock.js';
import { rfc6962Hasher, type NodeSource } from './merkle.js';
import { syncTreeFiles, type TreeStore } from './tree-store.js';
import { auditLinesSync } from './transparency.js';
import { type AuditPosition, readAuditTail, type ReadTailOptions } from './tail.js';

// The append-only writer. Durability: append() writes a whole batch of lines with write(2) and
// then fdatasync(2)s the segment (and fsyncs the directory when a segment file was created)
// before it resolves, so once it resolves the lines survive a process crash AND a power loss;
// the caller commits its Kafka offsets only after that. One fsync per batch, not per line.
// A write or sync error poisons the writer (every later append throws AuditWriteError): the
// process should exit, and the next open repairs the tail from what is on disk. Except a full
// disk (ENOSPC, EDQUOT): the batch's bytes are cut back off (truncating frees space, so it works on
// a full disk), segments it created are removed, and append throws AuditDiskFullError (retriable):
// the same append succeeds once space is back, with nothing of the failed try left in the log.

export type AuditEvent =
  | { type: 'torn_tail_truncated'; segment: string; bytes: number; savedAs: string }
  | { type: 'segment_created'; segment: string }
  | { type: 'stale_lock_replaced'; pid: number }
  | { type: 'write_failed'; message: string }
  | { type: 'disk_full'; message: string }
  /** The stored subtree hashes (tree/) were missing, behind or wrong from leaf `from` on and were rebuilt from the log. */
  | { type: 'tree_repaired'; from: number; size: number };

export interface AuditLogOptions {
  dir: string;
  /** Roll to a new segment before a line would take the current one past this size (bytes). Default 64 MiB. */
  segmentMaxBytes?: number;
  /** Typed events (the app turns them into log lines). */
  onEvent?: (event: AuditEvent) => void;
  /** Shortens the resume scan (see ReadTailOptions). */
  partitions?: ReadTailOptions['partitions'];
  /** Clock for the name of a saved torn tail. */
  now?: () => number;
}

export interface AuditLog {
  /** Last logged offset of a topic-partition (decimal string), or undefined when it was never logged. */
  lastOffset(topic: string, partition: number): string | undefined;
  /** Last logged offset of every topic-partition in the log. */
  positions(): AuditPosition[];
  /** Hash of the last line (the next line's `prev`). */
  readonly lastHash: string;
  /** seq of the next line = number of lines in the log. */
  readonly nextSeq: number;
  /**
   * The log's Merkle tree (docs/audit.md) from its stored subtree hashes: `size` = nextSeq,
   * `root(m)` for any m <= size, `node` for MerkleReader / inclusionProof / consistencyProof.
   * Every hash it returns is of lines already durable.
   */
  readonly tree: NodeSource & { readonly size: number; root(size?: number): Uint8Array };
  /**
   * Appends the entries in order, durably (see above). Each entry's offset must be greater than
   * the last one logged for its topic-partition (else FlkAuditError AUDIT_INVALID_ENTRY, nothing
   * written). Calls are serialised.
   */
  append(entries: readonly AuditEntryInput[]): Promise<void>;
  /** Waits for pending appends, closes the segment and releases the directory lock. */
  close(): Promise<void>;
}

export const DEFAULT_SEGMENT_MAX_BYTES = 64 * 1024 * 1024;
const NL = Buffer.from('\n');
const posKey = (topic: string, partition: number) => `${partition}\u0000${topic}`;

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let off = 0;
  while (off < buf.length) {
    const { bytesWritten } = await fh.write(buf, off, buf.length - off);
    off += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } catch (err) {
    // Some platforms cannot fsync a directory; Linux can, and there it matters.
    if (!['EINVAL', 'EISDIR', 'EPERM', 'ENOTSUP'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
  } finally {
    await d.close();
  }
}

/**
 * Opens (creating if needed) an audit directory for appending: takes the directory lock, reads
 * the tail, and repairs a torn last line. Repair: the bytes after the newest segment's last "\n"
 * (a line a crash cut short; its message was never committed, so it will be consumed again) are
 * copied to `<segment>.torn-<ms>` for inspection, then truncated away, and the file is fsync'd.
 */
export async function openAuditLog(opts: AuditLogOptions): Promise<AuditLog> {
  const { dir } = opts;
  const maxBytes = opts.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
  const emit = opts.onEvent ?? (() => undefined);
  const now = opts.now ?? Date.now;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new RangeError('segmentMaxBytes must be a positive integer');
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(dir, (pid) => emit({ type: 'stale_lock_replaced', pid }));

  let fh: FileHandle | null = null;
  /** Path of the segment fh appends to (what a full-disk rollback truncates). */
  let fhPath: string | null = null;
  let store: TreeStore | undefined;
  let size = 0;
  let lastHash: string;
  let nextSeq: number;
  const positions = new Map<string, AuditPosition>();
  try {
    const tail = await readAuditTail(dir, opts.partitions ? { partitions: opts.partitions } : {});
    lastHash = tail.lastHash;
    nextSeq = tail.nextSeq;
    for (const p of tail.positions) positions.set(posKey(p.topic, p.partition), p);
    if (tail.segment !== null) {
      const path = join(dir, tail.segment);
      fh = await open(path, 'r+');
      if (tail.tornBytes > 0) {
        const torn = Buffer.alloc(tail.tornBytes);
        await fh.read(torn, 0, torn.length, tail.segmentBytes);
        const savedAs = `${tail.segment}.torn-${now()}`;
        const saved = await open(join(dir, savedAs), 'w');
        try {
          await writeAll(saved, torn);
          await saved.sync();
        } finally {
          await saved.close();
        }
        await fh.truncate(tail.segmentBytes);
        await fh.sync();
        await syncDir(dir);
        emit({ type: 'torn_tail_truncated', segment: tail.segment, bytes: tail.tornBytes, savedAs });
      }
      await fh.close();
      fh = await open(path, 'a');
      fhPath = path;
      size = tail.segmentBytes;
    }
    // The stored hashes are a cache of the log: every leaf and subtree is recomputed from the
    // segments and compared, and repaired where it is missing or wrong (one read of the log).
    const synced = syncTreeFiles(dir, auditLinesSync(dir));
    store = synced.store;
    if (store.size !== nextSeq) throw new AuditCorruptError(`audit tree: the segments hold ${store.size} lines, their seqs say ${nextSeq}`, tail.segment ?? '');
    if (synced.result.repairedFrom !== null) emit({ type: 'tree_repaired', from: synced.result.repairedFrom, size: store.size });
  } catch (err) {
    store?.close();
    await fh?.close().catch(() => undefined);
    await lock.release();
    throw err;
  }

  const tree = store!;
  const hasher = rfc6962Hasher();
  let queue: Promise<unknown> = Promise.resolve();
  let failed: unknown = null;
  let closed = false;

  async function doAppend(entries: readonly AuditEntryInput[]): Promise<void> {
    if (closed) throw new FlkAuditError(AUDIT_ERROR_CODES.CLOSED, 'audit log is closed');
    if (failed) throw new AuditWriteError('audit writer failed earlier; restart the process to repair the log', { cause: failed });
    if (entries.length === 0) return;

    // Validate everything first, so a bad entry writes nothing.
    const newPositions = new Map<string, AuditPosition>();
    for (const e of entries) {
      const bad = (why: string) => new FlkAuditError(AUDIT_ERROR_CODES.INVALID_ENTRY, `audit entry ${e.topic}[${e.partition}]@${e.offset}: ${why}`);
      if (typeof e.topic !== 'string' || e.topic.length === 0) throw bad('topic must be a non-empty string');
      if (!Number.isSafeInteger(e.partition) || e.partition < 0) throw bad('partition must be a non-negative integer');
      if (!isDecimalOffset(e.offset)) throw bad('offset must be a decimal string');
      const k = posKey(e.topic, e.partition);
      const before = newPositions.get(k) ?? positions.get(k);
      if (before !== undefined && BigInt(e.offset) <= BigInt(before.offset)) throw bad(`offset not after the last logged offset ${before.offset}`);
      newPositions.set(k, { topic: e.topic, partition: e.partition, offset: e.offset });
    }

    let seq = nextSeq;
    let prev = lastHash;
    let pending: Buffer[] = [];
    const leaves: Uint8Array[] = [];
    let created = false;
    const start = { path: fhPath, size };
    const createdPaths: string[] = [];
    try {
      const flush = async () => {
        if (pending.length > 0 && fh) {
          await writeAll(fh, Buffer.concat(pending));
          await fh.datasync();
        }
        pending = [];
      };
      for (const e of entries) {
        const line = encodeLine(seq, prev, e);
        const bytes = line.length + 1;
        if (fh === null || (size > 0 && size + bytes > maxBytes)) {
          await flush();
          await fh?.close();
          fh = null;
          const name = segmentName(seq);
          fhPath = join(dir, name);
          createdPaths.push(fhPath);
          fh = await open(fhPath, 'wx');
          size = 0;
          created = true;
          emit({ type: 'segment_created', segment: name });
        }
        pending.push(line, NL);
        leaves.push(hasher.leaf(line));
        size += bytes;
        prev = lineHash(line);
        seq++;
      }
      await flush();
      if (created) await syncDir(dir);
      // After the lines are durable: a stored hash never covers a line a crash could lose.
      tree.append(leaves);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code === 'ENOSPC' || code === 'EDQUOT') && (await rollBack(start, createdPaths))) {
        emit({ type: 'disk_full', message: (err as Error).message });
        throw new AuditDiskFullError(`audit append: disk full (${code}); nothing of the batch was kept, retry when space is back`, { cause: err });
      }
      failed = err;
      emit({ type: 'write_failed', message: (err as Error).message });
      throw new AuditWriteError(`audit append failed: ${(err as Error).message}`, { cause: err });
    }
    nextSeq = seq;
    lastHash = prev;
    for (const [k, p] of newPositions) positions.set(k, p);
  }

  /** Undoes a failed append: back to `start`'s segment and size. False if that failed too. */
  async function rollBack(start: { path: string | null; size: number }, createdPaths: readonly string[]): Promise<boolean> {
    try {
      await fh?.close().catch(() => undefined);
      fh = null;
      fhPath = null;
      for (const p of createdPaths) await unlink(p).catch((e: NodeJS.ErrnoException) => { if (e.code !== 'ENOENT') throw e; });
      if (start.path !== null) {
        await truncate(start.path, start.size);
        fh = await open(start.path, 'a');
        await fh.datasync();
        fhPath = start.path;
      }
      if (createdPaths.length > 0) await syncDir(dir);
      size = start.size;
      return true;
    } catch {
      return false;
    }
  }

  return {
    lastOffset: (topic, partition) => positions.get(posKey(topic, partition))?.offset,
    positions: () => [...positions.values()],
    get lastHash() {
      return lastHash;
    },
    get nextSeq() {
      return nextSeq;
    },
    tree: {
      get size() {
        return tree.size;
      },
      root: (m) => tree.root(m),
      node: (level, index) => tree.node(level, index),
    },
    append(entries) {
      const run = queue.then(() => doAppend(entries));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (closed) return;
      await queue;
      closed = true;
      await fh?.close().catch(() => undefined);
      fh = null;
      tree.close();
      await lock.release();
    },
  };
}
