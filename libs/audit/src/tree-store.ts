import { closeSync, ftruncateSync, fstatSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLockedError } from './errors.js';
import { linePosition, segmentFirstSeq, splitLines } from './format.js';
import { acquireLock, type DirLock } from './lock.js';
import { HASH_SIZE, memoryNodes, MerkleReader, type MerkleHasher, type NodeSource, rfc6962Hasher } from './merkle.js';
import { auditLinesSync } from './transparency.js';

// The audit log's stored subtree hashes (docs/audit.md), kept next to the segments so that a root
// or a proof reads O(log n) of them instead of rescanning the log:
//
//   <audit dir>/tree/level-00.hashes   leaf hashes, 32 bytes each, leaf i at byte i*32
//   <audit dir>/tree/level-01.hashes   hashes of the complete 2-leaf subtrees, and so on up
//
// Level L, entry i is the hash of the complete subtree over leaves [i*2^L, (i+1)*2^L) — the
// (level, index) addressing of C2SP tlog-tiles, one flat append-only file per level instead of
// tiles. The files are a cache of the log: everything in them is recomputable from the segments,
// so they are written without fsync, and `syncTreeFiles` (run by the writer on open, and by the
// CLI when the files are missing or behind) checks them against the log and repairs them.

export const TREE_DIR = 'tree';
const levelFile = (level: number) => `level-${String(level).padStart(2, '0')}.hashes`;
/** Enough levels for 2^53 leaves. */
const MAX_LEVELS = 54;

/** A writable store of the complete subtree hashes; also a NodeSource for MerkleReader. */
export interface TreeStore extends NodeSource {
  /** Number of leaves stored. */
  readonly size: number;
  /** Root of the first `size` leaves (default: all), from the in-memory frontier when size = all. */
  root(size?: number): Uint8Array;
  /** Appends leaf hashes (in log order) and every subtree they complete. */
  append(leafHashes: readonly Uint8Array[]): void;
  close(): void;
}

interface Level {
  fd: number;
  /** Complete hashes in the file. */
  count: number;
}

/**
 * Folds leaves into complete subtrees, left to right, emitting each complete node once: the
 * frontier (`pending[L]`, the left half waiting for its sibling at level L) is all it keeps.
 */
class Frontier {
  readonly pending: Array<Uint8Array | undefined> = [];
  size = 0;
  constructor(private readonly hasher: MerkleHasher) {}

  push(leaf: Uint8Array, emit: (level: number, index: number, hash: Uint8Array) => void): void {
    let h = leaf;
    let index = this.size;
    emit(0, index, h);
    for (let level = 0; ; level++) {
      const left = this.pending[level];
      if (left === undefined) {
        this.pending[level] = h;
        break;
      }
      this.pending[level] = undefined;
      h = this.hasher.node(left, h);
      index = Math.floor(index / 2);
      emit(level + 1, index, h);
    }
    this.size++;
  }

  /** Root of all leaves pushed: the frontier's subtrees folded right to left (RFC 6962 splits). */
  root(): Uint8Array {
    let r: Uint8Array | undefined;
    for (const h of this.pending) {
      if (h === undefined) continue;
      r = r === undefined ? h : this.hasher.node(h, r);
    }
    return r ?? this.hasher.empty();
  }
}

function openLevels(dir: string, flags: 'r' | 'r+'): Level[] {
  const levels: Level[] = [];
  for (let level = 0; level < MAX_LEVELS; level++) {
    let fd: number;
    try {
      fd = openSync(join(dir, levelFile(level)), flags === 'r+' ? 'a+' : 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') break;
      throw err;
    }
    levels.push(openedLevel(fd, flags === 'r+'));
  }
  return levels;
}

function openedLevel(fd: number, writable: boolean): Level {
  const bytes = fstatSync(fd).size;
  const count = Math.floor(bytes / HASH_SIZE);
  // A torn last hash (a crash mid-write) would misalign every later append.
  if (writable && bytes !== count * HASH_SIZE) ftruncateSync(fd, count * HASH_SIZE);
  return { fd, count };
}

function levelOpener(dir: string, levels: Level[]): (level: number) => Level {
  return (level) => {
    while (levels.length <= level) levels.push(openedLevel(openSync(join(dir, levelFile(levels.length)), 'a+'), true));
    return levels[level]!;
  };
}

function readNode(level: Level | undefined, levelNo: number, index: number): Uint8Array {
  if (level === undefined || index >= level.count || index < 0) throw new RangeError(`no stored subtree at level ${levelNo}, index ${index}`);
  const out = new Uint8Array(HASH_SIZE);
  const n = readSync(level.fd, out, 0, HASH_SIZE, index * HASH_SIZE);
  if (n !== HASH_SIZE) throw new RangeError(`stored subtree at level ${levelNo}, index ${index} is cut short`);
  return out;
}

/** A read-only view of the stored hashes (the CLI, the sink's HTTP API reads the writer's store). */
export interface StoredTree extends NodeSource {
  /** Leaves stored (level 0 count); only the first `size` that the log holds are meaningful. */
  readonly size: number;
  close(): void;
}

/** Opens the stored hashes for reading; null when the directory has none. */
export function openStoredTree(auditDir: string): StoredTree | null {
  const levels = openLevels(join(auditDir, TREE_DIR), 'r');
  if (levels.length === 0) return null;
  return {
    size: levels[0]!.count,
    node: (level, index) => readNode(levels[level], level, index),
    close() {
      for (const l of levels) closeSync(l.fd);
    },
  };
}

export interface TreeSyncResult {
  /** Leaves in the log (= in the store afterwards). */
  size: number;
  /** First leaf index whose stored hash was missing or wrong (null: the store was complete and right). */
  repairedFrom: number | null;
  /** Hashes that were already stored and matched. */
  matched: number;
}

/**
 * Checks the store against the log's leaves (every leaf hash, and every complete subtree above
 * them, recomputed) and repairs it in place: from the first stored hash that is wrong or missing,
 * a level is truncated and rewritten; hashes beyond the log are cut off. Returns the writable store.
 * `leaves` yields every line of the log (without its "\n") in order.
 */
export function syncTreeFiles(
  auditDir: string,
  leaves: Iterable<Uint8Array>,
  hasher: MerkleHasher = rfc6962Hasher(),
): { store: TreeStore; result: TreeSyncResult } {
  const dir = join(auditDir, TREE_DIR);
  mkdirSync(dir, { recursive: true });
  const levels = openLevels(dir, 'r+');
  const frontier = new Frontier(hasher);
  // Per level: the index from which it is rewritten (undefined: still comparing), its write buffer.
  const dirtyFrom: Array<number | undefined> = [];
  const pendingWrites: Buffer[][] = [];
  const readCache: Array<{ start: number; buf: Buffer } | undefined> = [];
  let matched = 0;
  let repairedFrom: number | null = null;
  const CHUNK = 2048; // hashes per read

  const ensureLevel = levelOpener(dir, levels);
  const storedAt = (level: number, index: number): Buffer | null => {
    const l = levels[level];
    if (l === undefined || index >= l.count) return null;
    let c = readCache[level];
    if (c === undefined || index < c.start || index >= c.start + c.buf.length / HASH_SIZE) {
      const n = Math.min(CHUNK, l.count - index);
      const buf = Buffer.alloc(n * HASH_SIZE);
      readSync(l.fd, buf, 0, buf.length, index * HASH_SIZE);
      c = { start: index, buf };
      readCache[level] = c;
    }
    const o = (index - c.start) * HASH_SIZE;
    return c.buf.subarray(o, o + HASH_SIZE);
  };
  const emit = (level: number, index: number, hash: Uint8Array) => {
    if (dirtyFrom[level] === undefined) {
      const stored = storedAt(level, index);
      if (stored !== null && stored.equals(hash)) {
        matched++;
        return;
      }
      dirtyFrom[level] = index;
      repairedFrom = Math.min(repairedFrom ?? Infinity, index * 2 ** level);
      pendingWrites[level] = [];
    }
    pendingWrites[level]!.push(Buffer.from(hash));
    if (pendingWrites[level]!.length >= CHUNK) flushLevel(level);
  };
  const flushLevel = (level: number) => {
    const from = dirtyFrom[level];
    const buf = pendingWrites[level];
    if (from === undefined || buf === undefined) return;
    const l = ensureLevel(level);
    if (l.count > from) {
      ftruncateSync(l.fd, from * HASH_SIZE);
      l.count = from;
      readCache[level] = undefined;
    }
    if (buf.length > 0) {
      // a+ appends: the file end is where `count` says after the truncation above.
      writeAll(l.fd, Buffer.concat(buf));
      l.count += buf.length;
      dirtyFrom[level] = l.count;
    }
    pendingWrites[level] = [];
  };
  try {
    for (const line of leaves) frontier.push(hasher.leaf(line), emit);
    for (let level = 0; level < levels.length || level < dirtyFrom.length; level++) {
      flushLevel(level);
      // Hashes the log no longer backs (a shorter log) are cut off.
      const l = levels[level];
      const want = Math.floor(frontier.size / 2 ** level);
      if (l !== undefined && l.count > want) {
        if (repairedFrom === null) repairedFrom = frontier.size;
        ftruncateSync(l.fd, want * HASH_SIZE);
        l.count = want;
      }
    }
  } catch (err) {
    for (const l of levels) closeSync(l.fd);
    throw err;
  }
  return { store: makeStore(levelOpener(dir, levels), levels, frontier, hasher), result: { size: frontier.size, repairedFrom, matched } };
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
}

function makeStore(ensureLevel: (level: number) => Level, levels: Level[], frontier: Frontier, hasher: MerkleHasher): TreeStore {
  const source: NodeSource = { node: (level, index) => readNode(levels[level], level, index) };
  return {
    get size() {
      return frontier.size;
    },
    node: source.node,
    root(size = frontier.size) {
      if (size === frontier.size) return frontier.root();
      if (!(Number.isSafeInteger(size) && size >= 0 && size <= frontier.size)) throw new RangeError(`tree size ${size} is not in 0..${frontier.size}`);
      return new MerkleReader(source, hasher).root(size);
    },
    append(leafHashes) {
      // All or nothing: a failed write (ENOSPC) restores the frontier and cuts every level back,
      // because the writer then rolls the batch's lines back and the sink appends it again.
      const saved = { pending: [...frontier.pending], size: frontier.size, counts: levels.map((l) => l?.count) };
      const out: Buffer[][] = [];
      try {
        for (const leaf of leafHashes) {
          frontier.push(leaf, (level, _index, hash) => {
            (out[level] ??= []).push(Buffer.from(hash));
          });
        }
        // Lower levels first: a reader that sees a level-L hash finds the level-(L-1) ones under it.
        for (let level = 0; level < out.length; level++) {
          const buf = out[level];
          if (!buf || buf.length === 0) continue;
          const l = ensureLevel(level);
          writeAll(l.fd, Buffer.concat(buf));
          l.count += buf.length;
        }
      } catch (err) {
        frontier.pending.length = 0;
        frontier.pending.push(...saved.pending);
        frontier.size = saved.size;
        levels.forEach((l, level) => {
          if (l === undefined) return;
          const count = saved.counts[level] ?? 0;
          // Truncating needs no free space; a partly written hash is cut off with the rest.
          ftruncateSync(l.fd, count * HASH_SIZE);
          l.count = count;
        });
        throw err;
      }
    },
    close() {
      for (const l of levels) closeSync(l.fd);
      levels.length = 0;
    },
  };
}

export interface OpenedAuditTree {
  /** Leaves = complete lines in the log. */
  size: number;
  nodes: NodeSource;
  /**
   * stored: the stored hashes, their last leaf checked against the log's last line (no rescan);
   * rebuilt: they were missing or behind, and were rebuilt from the log (no writer held the lock);
   * scanned: rebuilt in memory only (a live writer holds the directory).
   */
  source: 'stored' | 'rebuilt' | 'scanned';
  close(): void;
}

/**
 * The log's size and last complete line from the newest segment's tail only: size = the last
 * line's seq + 1 (the writer's fixed prefix); the whole segment is counted only when that line
 * cannot be read that way.
 */
function logEnd(auditDir: string): { size: number; last: Buffer | null } {
  let names: string[];
  try {
    names = readdirSync(auditDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { size: 0, last: null };
    throw err;
  }
  const segments = names.filter((n) => segmentFirstSeq(n) !== null).sort((a, b) => segmentFirstSeq(a)! - segmentFirstSeq(b)!);
  for (let i = segments.length - 1; i >= 0; i--) {
    const path = join(auditDir, segments[i]!);
    const fd = openSync(path, 'r');
    try {
      const bytes = fstatSync(fd).size;
      for (let window = 64 * 1024; ; window *= 4) {
        const start = Math.max(0, bytes - window);
        const buf = Buffer.alloc(bytes - start);
        readSync(fd, buf, 0, buf.length, start);
        const end = buf.lastIndexOf(0x0a);
        const begin = end < 0 ? -1 : buf.lastIndexOf(0x0a, end - 1);
        if (end >= 0 && (begin >= 0 || start === 0)) {
          const last = buf.subarray(begin + 1, end);
          const pos = linePosition(last);
          if (pos !== null) return { size: pos.seq + 1, last };
          const { lines } = splitLines(readFileSync(path));
          return { size: segmentFirstSeq(segments[i]!)! + lines.length, last };
        }
        if (end < 0 && start === 0) break; // no complete line in this segment
      }
    } finally {
      closeSync(fd);
    }
  }
  return { size: 0, last: null };
}

/**
 * The audit directory's tree for proofs, without a rescan when the stored hashes are there: their
 * leaf for the log's last line must equal that line's hash (a quick check; `flk audit verify`
 * checks everything). Otherwise rebuilt from the log: into the store when no writer holds the
 * directory, else in memory.
 */
export async function openAuditTree(auditDir: string, hasher: MerkleHasher = rfc6962Hasher()): Promise<OpenedAuditTree> {
  const end = logEnd(auditDir);
  const stored = openStoredTree(auditDir);
  if (stored !== null) {
    const fits = end.last === null || (stored.size >= end.size && Buffer.from(stored.node(0, end.size - 1)).equals(Buffer.from(hasher.leaf(end.last))));
    if (fits) return { size: end.size, nodes: stored, source: 'stored', close: () => stored.close() };
    stored.close();
  }
  let lock: DirLock;
  try {
    lock = await acquireLock(auditDir, () => undefined);
  } catch (err) {
    if (!(err instanceof AuditLockedError)) throw err;
    const leaves = [...auditLinesSync(auditDir)].map((l) => hasher.leaf(l));
    return { size: leaves.length, nodes: memoryNodes(leaves, hasher), source: 'scanned', close: () => undefined };
  }
  try {
    const { store } = syncTreeFiles(auditDir, auditLinesSync(auditDir), hasher);
    return { size: store.size, nodes: store, source: 'rebuilt', close: () => store.close() };
  } finally {
    await lock.release();
  }
}
