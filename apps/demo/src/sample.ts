// A deterministic sample event stream (docs/agent.md §1 format) whose shards fall into different
// regimes, so a demo shows sticky, mixed and non_sticky records. Same options → same bytes.
//
// Profiles (3-D points, one window = `window` consecutive events of a shard):
//   sticky      80 % of the points in one tight blob, 20 % on a line away from it:
//               coh★ ≈ 0.8 (the blob fills one bin in every direction), D̂ ≈ 1  → sticky
//   mixed       points on a smooth 2-D surface z = sin(3x)·cos(2y)/2: D̂ ≈ 2, coh★ low → mixed
//   non_sticky  a 3-D Cantor-like dust: two opposite octants, each cell keeping 7 of its 8 children
//               for 3 levels (686 cells of size 1/16) plus the two bounding-box corners; a window of
//               ≥ 688 events visits every cell, so N_j = {2:2, 4:14, 8:98, 16:686, 32:686} exactly and
//               D̂ = log2 7 ≈ 2.81 → non_sticky. (Box counting cannot see a dimension above log2 of
//               the points per window: at the default scales D̂ ≥ 2.6 needs windows of about 700+.)
//   drifting    cycles sticky → mixed → non_sticky from one window to the next
// Payloads: sticky shards send repetitive text (small r), mixed ones log-like text, non_sticky ones
// random bytes as payload_b64 (r ≈ 1).

export type Profile = 'sticky' | 'mixed' | 'non_sticky' | 'drifting';
export const PROFILES: readonly Profile[] = ['sticky', 'mixed', 'non_sticky', 'drifting'];
type Fixed = Exclude<Profile, 'drifting'>;

export interface SampleOptions {
  shards: number;
  eventsPerShard: number;
  /** Events per window the stream is shaped for (AGENT_WINDOW_EVENTS of the agent reading it). */
  window: number;
  seed: number;
  /** Garbage lines mixed in (to show that bad lines are reported, not fatal). */
  badLines?: number;
  /** Tenant of every other shard (unset: no tenant_id). */
  tenant?: string;
  /** Event time of the first event, ms since the Unix epoch (default 2025-01-01T00:00:00Z). */
  startMs?: number;
  /** Event-time step between two events of a shard, ms (default 10). */
  stepMs?: number;
}

/** mulberry32: a tiny, fast, well-known 32-bit PRNG; plenty for test data. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function profileOf(shardIndex: number): Profile {
  return PROFILES[shardIndex % PROFILES.length] as Profile;
}

export function shardName(i: number): string {
  return `shard-${String(i + 1).padStart(3, '0')}`;
}

const round6 = (x: number) => Math.round(x * 1e6) / 1e6;

/** The 686 dust cells (lower corners, size 1/16) and which root octant each belongs to. */
function dustCells(): { lo: number[]; top: boolean }[] {
  const cells: { lo: number[]; top: boolean }[] = [];
  for (const top of [false, true]) {
    // Root octant (0,0,0) keeps children 0..6 (not the (1,1,1) child); root (1,1,1) keeps 1..7, so
    // the chains down to both corners (0,0,0) and (1,1,1) exist and the corners share their cells.
    const keep = top ? [1, 2, 3, 4, 5, 6, 7] : [0, 1, 2, 3, 4, 5, 6];
    const root = top ? [0.5, 0.5, 0.5] : [0, 0, 0];
    for (const a of keep) for (const b of keep) for (const c of keep) {
      const lo = [...root];
      [a, b, c].forEach((child, level) => {
        const size = 1 / 2 ** (level + 2);
        for (let axis = 0; axis < 3; axis++) if ((child >> axis) & 1) lo[axis] = (lo[axis] as number) + size;
      });
      cells.push({ lo, top });
    }
  }
  return cells;
}

interface ShardGen {
  /** Called before event 0 of every window (a drifting shard switches profile there). */
  startWindow(windowIndex: number): void;
  point(indexInWindow: number): number[];
  payload(i: number): { payload: string } | { payload_b64: string };
}

function shuffle<T>(xs: T[], rnd: () => number): T[] {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [xs[i], xs[j]] = [xs[j] as T, xs[i] as T];
  }
  return xs;
}

function pointOf(profile: Fixed, k: number, rnd: () => number, dust: { lo: number[]; top: boolean }[], order: number[]): number[] {
  switch (profile) {
    case 'sticky': {
      if (rnd() < 0.8) return [0.2 + rnd() * 1e-3, 0.3 + rnd() * 1e-3, 0.4 + rnd() * 1e-3];
      const t = rnd();
      return [0.2 + t * 5, 0.3 + t * 2, 0.4 + t * 1];
    }
    case 'mixed': {
      const x = rnd();
      const y = rnd();
      return [x, y, (Math.sin(3 * x) * Math.cos(2 * y)) / 2];
    }
    case 'non_sticky': {
      // Events 0 and 1 of a window are the bounding-box corners; then every cell in a shuffled order.
      if (k === 0) return [0, 0, 0];
      if (k === 1) return [1, 1, 1];
      const cell = dust[order[(k - 2) % order.length] as number]!;
      // Stay inside the cell's 1/32 sub-cell that holds its root's corner, away from its edges.
      const off = cell.top ? 1 / 32 : 0;
      return cell.lo.map((lo) => lo + off + (0.25 + 0.5 * rnd()) / 32);
    }
  }
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'kafka', 'redis', 'proof', 'shard', 'epoch', 'merkle', 'window', 'agent'];

function payloadOf(profile: Fixed, i: number, rnd: () => number): { payload: string } | { payload_b64: string } {
  switch (profile) {
    case 'sticky':
      return { payload: `heartbeat ok status=green seq=${i % 10}` };
    case 'mixed':
      return { payload: `level=info op=${WORDS[Math.floor(rnd() * WORDS.length)]} key=${WORDS[Math.floor(rnd() * WORDS.length)]}-${Math.floor(rnd() * 1000)} took_ms=${Math.floor(rnd() * 250)}` };
    case 'non_sticky': {
      const bytes = Buffer.alloc(24);
      for (let b = 0; b < bytes.length; b++) bytes[b] = Math.floor(rnd() * 256);
      return { payload_b64: bytes.toString('base64') };
    }
  }
}

const DRIFT: readonly Fixed[] = ['sticky', 'mixed', 'non_sticky'];

function shardGen(profile: Profile, rnd: () => number, dust: { lo: number[]; top: boolean }[]): ShardGen {
  const order = shuffle(dust.map((_, i) => i), rnd);
  let current: Fixed = profile === 'drifting' ? 'sticky' : profile;
  return {
    startWindow(w) {
      if (profile === 'drifting') current = DRIFT[w % DRIFT.length] as Fixed;
    },
    point: (k) => pointOf(current, k, rnd, dust, order).map(round6),
    payload: (i) => payloadOf(current, i, rnd),
  };
}

/**
 * The stream, line by line (no newlines). Shards are interleaved in a seeded random order that
 * keeps each shard's own events in sequence; each shard's events come in windows of `window`.
 */
export function* sampleStream(opts: SampleOptions): Generator<string> {
  const rnd = mulberry32(opts.seed);
  const dust = dustCells();
  const startMs = opts.startMs ?? Date.UTC(2025, 0, 1);
  const stepMs = opts.stepMs ?? 10;
  const gens = Array.from({ length: opts.shards }, (_, s) => shardGen(profileOf(s), rnd, dust));
  const emitted = new Array<number>(opts.shards).fill(0);
  const total = opts.shards * opts.eventsPerShard;
  const badAt = new Set<number>();
  for (let b = 0; b < (opts.badLines ?? 0); b++) badAt.add(Math.floor(rnd() * total));
  let live = Array.from({ length: opts.shards }, (_, s) => s);
  let lineIndex = 0;
  while (live.length > 0) {
    if (badAt.has(lineIndex)) {
      yield lineIndex % 2 === 0 ? '{"shard_id": "shard-001", "ts": "not a time"' : 'this is not JSON at all';
    }
    lineIndex++;
    const s = live[Math.floor(rnd() * live.length)] as number;
    const i = emitted[s]!++;
    if (emitted[s] === opts.eventsPerShard) live = live.filter((x) => x !== s);
    const gen = gens[s]!;
    const k = i % opts.window;
    if (k === 0) gen.startWindow(Math.floor(i / opts.window));
    const event: Record<string, unknown> = {
      shard_id: shardName(s),
      ts: new Date(startMs + i * stepMs).toISOString(),
      point: gen.point(k),
      ...gen.payload(i),
    };
    if (opts.tenant !== undefined && s % 2 === 1) event['tenant_id'] = opts.tenant;
    yield JSON.stringify(event);
  }
}
