import { formatCheckpoint, type NoteSignerKey, signNote } from './checkpoint.js';
import { MerkleReader, type NodeSource } from './merkle.js';

// The writer side of checkpoints (docs/audit.md): after every `every` new entries, or `intervalMs`
// after the first entry not yet covered, sign the tree's current root and hand the note to
// `publish` (the sink sends it to pcs.audit.checkpoints). Signing costs one Ed25519 signature and
// O(log n) stored reads; publishing runs in the background, one at a time, and never holds up an
// append: while one is in flight, the next trigger only marks the newest size as wanted. A failed
// publish is reported and retried at the next trigger (the newest tree is signed then).

export interface CheckpointTree extends NodeSource {
  readonly size: number;
  root?(size?: number): Uint8Array;
}

export interface SignedCheckpoint {
  size: number;
  root: Uint8Array;
  /** The signed note (C2SP tlog-checkpoint + signed-note). */
  note: string;
}

export type CheckpointerEvent =
  | { type: 'checkpoint_published'; size: number }
  | { type: 'checkpoint_publish_failed'; size: number; message: string };

export interface CheckpointerOptions {
  tree: CheckpointTree;
  key: NoteSignerKey;
  origin: string;
  every: number;
  intervalMs: number;
  publish(checkpoint: SignedCheckpoint): Promise<void>;
  /** The last checkpoint already published (read back at start-up), so that an unchanged log is not re-signed. */
  last?: SignedCheckpoint | undefined;
  onEvent?: (e: CheckpointerEvent) => void;
}

export interface Checkpointer {
  /** Call after each append: publishes when `every` entries have come since the last checkpoint. */
  appended(): void;
  /** The newest checkpoint published (undefined before the first). */
  latest(): SignedCheckpoint | undefined;
  /** Signs and publishes the current tree now if it grew (stop: the last word), and waits for it. */
  flush(): Promise<void>;
  /** Stops the timer (pending publishes still finish in flush). */
  stop(): void;
}

export function signCheckpoint(tree: CheckpointTree, key: NoteSignerKey, origin: string): SignedCheckpoint {
  const size = tree.size;
  const root = tree.root ? tree.root(size) : new MerkleReader(tree).root(size);
  return { size, root, note: signNote(formatCheckpoint({ origin, size, root }), key) };
}

export function createCheckpointer(opts: CheckpointerOptions): Checkpointer {
  const emit = opts.onEvent ?? (() => undefined);
  let published = opts.last;
  let covered = opts.last?.size ?? 0; // size of the newest checkpoint signed (published or in flight)
  let inFlight: Promise<void> | null = null;
  let wanted = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const run = (): Promise<void> => {
    wanted = false;
    const cp = signCheckpoint(opts.tree, opts.key, opts.origin);
    covered = cp.size;
    const p = opts.publish(cp).then(
      () => {
        if (published === undefined || cp.size >= published.size) published = cp;
        emit({ type: 'checkpoint_published', size: cp.size });
      },
      (err: unknown) => {
        covered = published?.size ?? 0; // not covered after all: the next trigger retries
        emit({ type: 'checkpoint_publish_failed', size: cp.size, message: (err as Error).message });
      },
    );
    inFlight = p.then(() => {
      inFlight = null;
      if (wanted && opts.tree.size > covered) return run();
      // Entries not covered (a failed publish, or they came meanwhile): the interval takes them.
      arm();
      return undefined;
    });
    return inFlight;
  };

  const trigger = () => {
    if (opts.tree.size <= covered) return;
    if (inFlight) wanted = true;
    else void run();
  };

  function arm(): void {
    if (stopped || timer !== null || opts.tree.size <= covered) return;
    timer = setTimeout(() => {
      timer = null;
      trigger();
      arm();
    }, opts.intervalMs);
    timer.unref();
  }

  return {
    appended() {
      if (opts.tree.size - covered >= opts.every) trigger();
      arm();
    },
    latest: () => published,
    async flush() {
      while (inFlight) await inFlight;
      if (opts.tree.size > covered) await run();
      while (inFlight) await inFlight;
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
