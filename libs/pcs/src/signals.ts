// §3 and §4: the signals an agent computes and the verifier recomputes or bounds-checks.
// Every computation uses only IEEE-754 +, −, ×, ÷, sqrt and floor in a stated order (plus log2 for
// D̂, which the contract prescribes), so another language reproduces the results bit for bit.
import { deflate } from 'pako';
import { invalidArgument } from './errors.js';
import { DEFAULT_BUDGET_WEIGHTS, DEFAULT_REGIME_THRESHOLDS, type BudgetWeights, type RegimeThresholds } from './params.js';
import { splitMix64 } from './prng.js';
import { round9 } from './round.js';
import type { Regime } from './types.js';

/**
 * D̂ (§3): Theil–Sen slope of the points (log2 s, log2 N_j[s]): the median of the slopes over all
 * pairs i < j, the mean of the two middle ones when their count is even, rounded per §2.2.
 * The order of `scales` does not matter: (y_j − y_i)/(x_j − x_i) is bit-identical to
 * (y_i − y_j)/(x_i − x_j) in IEEE arithmetic, and the slopes are sorted anyway.
 */
export function computeDHat(scales: readonly number[], N_j: Readonly<Record<string, number>>): number {
  if (!Array.isArray(scales) || scales.length < 2) throw invalidArgument('computeDHat: at least 2 scales are needed');
  const xs: number[] = [];
  const ys: number[] = [];
  for (const s of scales) {
    const n = N_j[String(s)];
    if (!Number.isInteger(s) || s < 2) throw invalidArgument(`computeDHat: scale ${s} is not an integer ≥ 2`);
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalidArgument(`computeDHat: N_j[${s}] must be an integer ≥ 1`);
    xs.push(Math.log2(s));
    ys.push(Math.log2(n));
  }
  const slopes: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    for (let j = i + 1; j < xs.length; j++) {
      const dx = (xs[j] as number) - (xs[i] as number);
      if (dx === 0) throw invalidArgument('computeDHat: scales must be distinct');
      slopes.push(((ys[j] as number) - (ys[i] as number)) / dx);
    }
  }
  slopes.sort((a, b) => a - b);
  const mid = slopes.length >> 1;
  const median = slopes.length % 2 === 1 ? (slopes[mid] as number) : ((slopes[mid - 1] as number) + (slopes[mid] as number)) / 2;
  return round9(median);
}

/** Checks a point cloud: a non-empty list of equal-length, non-empty arrays of finite numbers. */
function checkPoints(points: readonly (readonly number[])[], fn: string): number {
  if (!Array.isArray(points)) throw invalidArgument(`${fn}: points must be an array`);
  if (points.length === 0) return 0;
  const dim = Array.isArray(points[0]) ? points[0].length : 0;
  if (dim === 0) throw invalidArgument(`${fn}: points must be non-empty arrays of numbers`);
  for (const p of points) {
    if (!Array.isArray(p) || p.length !== dim) throw invalidArgument(`${fn}: every point must have ${dim} coordinates`);
    for (const c of p) if (typeof c !== 'number' || !Number.isFinite(c)) throw invalidArgument(`${fn}: coordinates must be finite numbers`);
  }
  return dim;
}

/** Per-axis [min, max] and max − min; a span that overflows to Infinity cannot be binned. */
function bounds(points: readonly (readonly number[])[], dim: number, fn: string): { lo: number[]; span: number[] } {
  const lo = new Array<number>(dim).fill(Infinity);
  const hi = new Array<number>(dim).fill(-Infinity);
  for (const p of points) {
    for (let k = 0; k < dim; k++) {
      const c = p[k] as number;
      if (c < (lo[k] as number)) lo[k] = c;
      if (c > (hi[k] as number)) hi[k] = c;
    }
  }
  const span = hi.map((h, k) => h - (lo[k] as number));
  if (span.some((s) => !Number.isFinite(s))) throw invalidArgument(`${fn}: the point cloud's extent overflows a double`);
  return { lo, span };
}

/**
 * Bin index of value c in [lo, lo + span] cut into `bins` equal cells: floor(((c − lo) / span) · bins),
 * the maximum value going into the last cell; a zero span puts everything in cell 0.
 */
function cell(c: number, lo: number, span: number, bins: number): number {
  if (span === 0) return 0;
  const i = Math.floor(((c - lo) / span) * bins);
  return i >= bins ? bins - 1 : i;
}

/**
 * N_j for each scale s: the number of distinct non-empty cells when the points' axis-aligned
 * bounding box is cut into s equal cells per axis (cell index per axis as in `cell` above; an axis
 * of zero extent is a single cell). Keys are the scales in decimal. No points: every N_j is 0
 * (not a valid record: buildPcs refuses an empty point cloud).
 */
export function countBoxes(points: readonly (readonly number[])[], scales: readonly number[]): Record<string, number> {
  const dim = checkPoints(points, 'countBoxes');
  if (!Array.isArray(scales)) throw invalidArgument('countBoxes: scales must be an array');
  for (const s of scales) if (!Number.isSafeInteger(s) || s < 1) throw invalidArgument(`countBoxes: scale ${s} is not a positive integer`);
  const out: Record<string, number> = {};
  if (dim === 0) {
    for (const s of scales) out[String(s)] = 0;
    return out;
  }
  const { lo, span } = bounds(points, dim, 'countBoxes');
  for (const s of scales) {
    const seen = new Set<string>();
    for (const p of points) {
      let key = '';
      for (let k = 0; k < dim; k++) key += `${cell(p[k] as number, lo[k] as number, span[k] as number, s)},`;
      seen.add(key);
    }
    out[String(s)] = seen.size;
  }
  return out;
}

/** Our v0.1 choices for coh★ (documented in docs/contract.md §3). */
export const COHERENCE_DEFAULTS = { directions: 64, bins: 16 } as const;

/**
 * The M directions of computeCoherence, reproducible from the seed in any language:
 * SplitMix64 seeded with the seed's 64-bit two's complement; u = (next >> 11) / 2^53; each
 * coordinate g = (u1 + u2 + … + u12) − 6 summed left to right (Irwin–Hall approximation of a
 * standard normal); n2 = Σ g_k² left to right; a vector with n2 = 0 is drawn again; v_k = g_k / sqrt(n2).
 * Why not Box–Muller: Math.log / Math.cos are not correctly rounded and differ between engines and
 * libms in the last bit; sums, one division and sqrt are exact IEEE operations everywhere.
 */
export function coherenceDirections(seed: number, dim: number, count: number): number[][] {
  if (!Number.isSafeInteger(seed)) throw invalidArgument('coherenceDirections: seed must be an integer within ±(2^53 − 1)');
  const rng = splitMix64(seed);
  const dirs: number[][] = [];
  while (dirs.length < count) {
    const g: number[] = [];
    for (let k = 0; k < dim; k++) {
      let sum = 0;
      for (let i = 0; i < 12; i++) sum += rng.nextDouble();
      g.push(sum - 6);
    }
    let n2 = 0;
    for (const x of g) n2 += x * x;
    if (n2 === 0) continue;
    const norm = Math.sqrt(n2);
    dirs.push(g.map((x) => x / norm));
  }
  return dirs;
}

/**
 * coh★ (§3): for each of M directions (coherenceDirections), project every point (dot product
 * summed left to right over the coordinates, starting from 0), cut the projections' [min, max]
 * into B equal bins (max into the last bin; zero range = one bin) and take the fullest bin's count.
 * coh★ = best count / number of points (not rounded here; a record carries round9 of it);
 * v_star = the first direction reaching the best count. Needs at least one point.
 */
export function computeCoherence(
  points: readonly (readonly number[])[],
  seed: number,
  opts: { directions?: number; bins?: number } = {},
): { coh_star: number; v_star: number[] } {
  const M = opts.directions ?? COHERENCE_DEFAULTS.directions;
  const B = opts.bins ?? COHERENCE_DEFAULTS.bins;
  if (!Number.isSafeInteger(M) || M < 1 || M > 65_536) throw invalidArgument('computeCoherence: directions must be an integer in [1, 65536]');
  if (!Number.isSafeInteger(B) || B < 1 || B > 65_536) throw invalidArgument('computeCoherence: bins must be an integer in [1, 65536]');
  const dim = checkPoints(points, 'computeCoherence');
  if (dim === 0) throw invalidArgument('computeCoherence: at least one point is needed');
  const dirs = coherenceDirections(seed, dim, M);
  const n = points.length;
  const proj = new Float64Array(n);
  const counts = new Int32Array(B);
  let bestCount = -1;
  let best = dirs[0] as number[];
  for (const v of dirs) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const p = points[i] as readonly number[];
      let acc = 0;
      for (let k = 0; k < dim; k++) acc += (p[k] as number) * (v[k] as number);
      proj[i] = acc;
      if (acc < lo) lo = acc;
      if (acc > hi) hi = acc;
    }
    const span = hi - lo;
    if (!Number.isFinite(span)) throw invalidArgument("computeCoherence: the point cloud's extent overflows a double");
    let top: number;
    if (span === 0) {
      top = n;
    } else {
      counts.fill(0);
      top = 0;
      for (let i = 0; i < n; i++) {
        const b = cell(proj[i] as number, lo, span, B);
        const c = ++counts[b]!;
        if (c > top) top = c;
      }
    }
    if (top > bestCount) {
      bestCount = top;
      best = v;
    }
  }
  return { coh_star: bestCount / n, v_star: best };
}

/**
 * r (§3): len(zlib.compress(raw, 6)) / len(raw) — pako's deflate with the zlib wrapper, level 6,
 * default window and memLevel, which is byte-identical to Python's zlib (Node's zlib is not
 * guaranteed to be). Not rounded here. Empty input has no ratio: we define r = 1 (no evidence of
 * structure), so an agent with nothing to send still produces an in-range record.
 */
export function compressibility(bytes: Uint8Array): number {
  if (!(bytes instanceof Uint8Array)) throw invalidArgument('compressibility: bytes must be a Uint8Array');
  if (bytes.length === 0) return 1;
  return deflate(bytes, { level: 6 }).length / bytes.length;
}

/** §4: sticky if coh★ ≥ 0.70 and D̂ ≤ 1.5; else non_sticky if D̂ ≥ 2.6; else mixed. Pass rounded values. */
export function regimeOf(D_hat: number, coh_star: number, t: Readonly<RegimeThresholds> = DEFAULT_REGIME_THRESHOLDS): Regime {
  if (coh_star >= t.stickyCohMin && D_hat <= t.stickyDMax) return 'sticky';
  if (D_hat >= t.nonStickyDMin) return 'non_sticky';
  return 'mixed';
}

/**
 * §4: clamp[0,1](base + α(1 − r) + β·max(0, D̂ − D0) + γ·coh★), evaluated left to right in doubles
 * (((base + α·(1 − r)) + β·max(0, D̂ − D0)) + γ·coh★), clamped, then rounded per §2.2.
 */
export function computeBudget(r: number, D_hat: number, coh_star: number, w: Readonly<BudgetWeights> = DEFAULT_BUDGET_WEIGHTS): number {
  for (const x of [r, D_hat, coh_star]) if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidArgument('computeBudget: inputs must be finite numbers');
  const raw = w.base + w.alpha * (1 - r) + w.beta * Math.max(0, D_hat - w.D0) + w.gamma * coh_star;
  const clamped = raw < 0 ? 0 : raw > 1 ? 1 : raw;
  return round9(clamped);
}
