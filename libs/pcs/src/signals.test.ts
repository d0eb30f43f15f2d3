import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { base64Decode } from './base64.js';
import { FlkPcsError } from './errors.js';
import { merkleRoot } from './merkle.js';
import { splitMix64 } from './prng.js';
import {
  coherenceDirections,
  compressibility,
  computeBudget,
  computeCoherence,
  computeDHat,
  countBoxes,
  regimeOf,
} from './signals.js';
import type { Regime } from './types.js';

const v = JSON.parse(readFileSync(new URL('../../../test/vectors/signals.json', import.meta.url), 'utf8')) as {
  d_hat: Array<{ name: string; scales: number[]; N_j: Record<string, number>; D_hat: number }>;
  budget: Array<{ r: number; D_hat: number; coh_star: number; budget: number }>;
  regime: Array<{ D_hat: number; coh_star: number; regime: Regime }>;
  compressibility: Array<{ name: string; data_b64: string; r: number }>;
  merkle: Array<{ chunks_b64: string[]; root: string }>;
  splitmix64: Array<{ seed: number; outputs: string[] }>;
  coherence_directions: Array<{ seed: number; dim: number; count: number; directions_bits: string[][] }>;
  coherence: Array<{ name: string; points: number[][]; seed: number; directions: number; bins: number; coh_star: number; v_star_bits: string[] }>;
  count_boxes: Array<{ name: string; points: number[][]; scales: number[]; N_j: Record<string, number> }>;
};
const view = new DataView(new ArrayBuffer(8));
const toBits = (x: number): string => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};
const bytes = (b64: string): Uint8Array => base64Decode(b64) as Uint8Array;

describe('signals: golden vectors (Python-derived)', () => {
  test.each(v.d_hat.map((c) => [c.name, c] as const))('D̂: %s', (_n, c) => {
    expect(computeDHat(c.scales, c.N_j)).toBe(c.D_hat);
  });

  test('budget', () => {
    for (const c of v.budget) expect([c, computeBudget(c.r, c.D_hat, c.coh_star)]).toEqual([c, c.budget]);
  });

  test('regime', () => {
    for (const c of v.regime) expect([c, regimeOf(c.D_hat, c.coh_star)]).toEqual([c, c.regime]);
  });

  test.each(v.compressibility.map((c) => [c.name, c] as const))('r: %s', (_n, c) => {
    expect(compressibility(bytes(c.data_b64))).toBe(c.r);
  });

  test('Merkle roots (RFC 6962)', () => {
    for (const c of v.merkle) expect(merkleRoot(c.chunks_b64.map(bytes))).toBe(c.root);
  });

  test('SplitMix64 outputs', () => {
    for (const c of v.splitmix64) {
      const rng = splitMix64(c.seed);
      expect(c.outputs.map(() => rng.nextUint64().toString())).toEqual(c.outputs);
    }
  });

  test('coh★ directions, bit for bit', () => {
    for (const c of v.coherence_directions) {
      expect(coherenceDirections(c.seed, c.dim, c.count).map((d) => d.map(toBits))).toEqual(c.directions_bits);
    }
  });

  test.each(v.coherence.map((c) => [c.name, c] as const))('coh★: %s', (_n, c) => {
    const got = computeCoherence(c.points, c.seed, { directions: c.directions, bins: c.bins });
    expect(got.coh_star).toBe(c.coh_star);
    expect(got.v_star.map(toBits)).toEqual(c.v_star_bits);
  });

  test.each(v.count_boxes.map((c) => [c.name, c] as const))('box counts: %s', (_n, c) => {
    expect(countBoxes(c.points, c.scales)).toEqual(c.N_j);
  });
});

describe('signals: properties and edges', () => {
  test('D̂ does not depend on the order of the scales', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 2, max: 1000 }), { minLength: 2, maxLength: 12 }),
        fc.infiniteStream(fc.integer({ min: 1, max: 1e6 })),
        (scales, ns) => {
          const N_j = Object.fromEntries(scales.map((s) => [String(s), ns.next().value as number]));
          expect(computeDHat([...scales].reverse(), N_j)).toBe(computeDHat(scales, N_j));
          expect(computeDHat([...scales].sort((a, b) => a - b), N_j)).toBe(computeDHat(scales, N_j));
        },
      ),
    );
  });

  test('D̂ of an exact power law is its exponent', () => {
    expect(computeDHat([2, 4, 8, 16], { '2': 4, '4': 16, '8': 64, '16': 256 })).toBe(2);
    expect(computeDHat([2, 4], { '2': 1, '4': 2 })).toBe(1);
  });

  test('coh★ is a fraction of the points and v_star a unit vector', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((d) => fc.array(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: d, maxLength: d }), { minLength: 1, maxLength: 40 })),
        fc.maxSafeInteger(),
        (points, seed) => {
          const { coh_star, v_star } = computeCoherence(points, seed, { directions: 8 });
          expect(coh_star).toBeGreaterThan(0);
          expect(coh_star).toBeLessThanOrEqual(1);
          expect(Number.isInteger(coh_star * points.length) || Math.abs(coh_star * points.length - Math.round(coh_star * points.length)) < 1e-9).toBe(true);
          expect(v_star).toHaveLength(points[0]!.length);
          expect(Math.abs(Math.hypot(...v_star) - 1)).toBeLessThan(1e-12);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('box counts are between 1 and min(points, s^d) and never decrease with s', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 100 }), (pts) => {
        const points = pts.map(([a, b]) => [a, b]);
        const N = countBoxes(points, [2, 4, 8, 16]);
        let prev = 0;
        for (const s of [2, 4, 8, 16]) {
          const n = N[String(s)]!;
          expect(n).toBeGreaterThanOrEqual(1);
          expect(n).toBeLessThanOrEqual(Math.min(points.length, s * s));
          expect(n).toBeGreaterThanOrEqual(prev);
          prev = n;
        }
      }),
    );
  });

  test('r: empty input is defined as 1; repetitive data compresses', () => {
    expect(compressibility(new Uint8Array(0))).toBe(1);
    expect(compressibility(new Uint8Array(10_000))).toBeLessThan(0.01);
  });

  test('budget is clamped to [0, 1]', () => {
    expect(computeBudget(-10, 10, 10)).toBe(1);
    expect(computeBudget(10, 0, -10)).toBe(0);
  });

  test('regime boundaries (§4)', () => {
    expect(regimeOf(1.5, 0.7)).toBe('sticky');
    expect(regimeOf(1.500000001, 0.7)).toBe('mixed');
    expect(regimeOf(2.6, 0.9)).toBe('non_sticky');
    expect(regimeOf(2.599999999, 0.1)).toBe('mixed');
  });

  test.each([
    ['D̂ with one scale', () => computeDHat([2], { '2': 1 })],
    ['D̂ with a missing N_j', () => computeDHat([2, 4], { '2': 1 })],
    ['D̂ with N_j 0', () => computeDHat([2, 4], { '2': 0, '4': 1 })],
    ['D̂ with equal scales', () => computeDHat([2, 2], { '2': 1 })],
    ['coh★ without points', () => computeCoherence([], 1)],
    ['coh★ with ragged points', () => computeCoherence([[1, 2], [1]], 1)],
    ['coh★ with NaN', () => computeCoherence([[Number.NaN]], 1)],
    ['coh★ with an overflowing extent', () => computeCoherence([[1e308], [-1e308]], 1)],
    ['coh★ with 0 bins', () => computeCoherence([[1]], 1, { bins: 0 })],
    ['coh★ with a non-integer seed', () => computeCoherence([[1]], 1.5)],
    ['box counts with an overflowing extent', () => countBoxes([[1.7e308], [-1.7e308]], [2])],
    ['box counts with scale 0', () => countBoxes([[1]], [0])],
    ['budget with NaN', () => computeBudget(Number.NaN, 1, 1)],
    ['compressibility of a string', () => compressibility('abc' as unknown as Uint8Array)],
  ])('%s is a FlkPcsError', (_n, f) => {
    expect(f).toThrow(FlkPcsError);
  });

  test('box counts without points are 0', () => {
    expect(countBoxes([], [2, 4])).toEqual({ '2': 0, '4': 0 });
  });
});
