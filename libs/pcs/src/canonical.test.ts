import { describe, expect, test } from '@jest/globals';
import { bytesToHex } from '@noble/hashes/utils.js';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { canonicalPayload, computePcsId, signingDigest } from './canonical.js';
import { FlkPcsError } from './errors.js';
import type { SignedFields } from './types.js';

interface CanonicalCase {
  name: string;
  fields: SignedFields;
  field_bits: Record<string, string>;
  payload: string;
  digest_hex: string;
  pcs_id: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../../test/vectors/canonical.json', import.meta.url), 'utf8')) as { cases: CanonicalCase[] };

const view = new DataView(new ArrayBuffer(8));
const toBits = (x: number): string => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};

describe('canonical payload (§2.1–2.4): golden vectors', () => {
  test.each(vectors.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    // The vector's numbers must reach us as the exact doubles the generator used.
    for (const [key, bits] of Object.entries(c.field_bits)) expect(toBits((c.fields as unknown as Record<string, number>)[key]!)).toBe(bits);
    expect(canonicalPayload(c.fields)).toBe(c.payload);
    expect(bytesToHex(signingDigest(c.fields))).toBe(c.digest_hex);
    expect(computePcsId(c.fields.merkle_root, c.fields.epoch, c.fields.shard_id)).toBe(c.pcs_id);
  });

  test('the three public fragments', () => {
    const base = vectors.cases[0]!.fields;
    expect(canonicalPayload({ ...base, coh_star: 0.0009765625 })).toContain('"coh_star":0.000976562');
    expect(canonicalPayload({ ...base, r: 5e-7 })).toContain('"r":5e-7');
    expect(canonicalPayload({ ...base, D_hat: 2.0 })).toContain('"D_hat":2,');
  });
});

const signedFields = fc.record({
  pcs_id: fc.string({ maxLength: 70 }),
  merkle_root: fc.string({ maxLength: 70 }),
  epoch: fc.maxSafeInteger(),
  shard_id: fc.string({ unit: 'grapheme', maxLength: 40 }),
  D_hat: fc.double({ noNaN: true, noDefaultInfinity: true }),
  coh_star: fc.double({ noNaN: true, noDefaultInfinity: true }),
  r: fc.double({ noNaN: true, noDefaultInfinity: true }),
  budget: fc.double({ noNaN: true, noDefaultInfinity: true }),
});

describe('canonical payload: properties', () => {
  test('is invariant to the key order of the input and ignores unsigned fields', () => {
    fc.assert(
      fc.property(signedFields, fc.nat(), fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 }), (rec, seed, extra) => {
        const entries = Object.entries(rec);
        // A deterministic shuffle from `seed`.
        const shuffled = entries
          .map(([k, v], i) => ({ k, v, key: (seed * 31 + i * 7919) % 104729 }))
          .sort((a, b) => a.key - b.key)
          .map(({ k, v }) => [k, v] as const);
        const reordered = Object.fromEntries([...Object.entries(extra), ...shuffled]) as unknown as SignedFields;
        expect(canonicalPayload(reordered)).toBe(canonicalPayload(rec));
      }),
    );
  });

  test('is valid JSON whose values are the rounded inputs', () => {
    fc.assert(
      fc.property(signedFields, (rec) => {
        const parsed = JSON.parse(canonicalPayload(rec)) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(['D_hat', 'budget', 'coh_star', 'epoch', 'merkle_root', 'pcs_id', 'r', 'shard_id']);
        expect(parsed.shard_id).toBe(rec.shard_id);
        expect(parsed.epoch).toBe(rec.epoch + 0);
      }),
    );
  });

  test('refuses what has no canonical form', () => {
    const base = vectors.cases[0]!.fields;
    expect(() => canonicalPayload({ ...base, r: Number.NaN })).toThrow(FlkPcsError);
    expect(() => canonicalPayload({ ...base, budget: Infinity })).toThrow(FlkPcsError);
    expect(() => canonicalPayload({ ...base, shard_id: 'a\ud800b' })).toThrow(FlkPcsError);
    expect(() => canonicalPayload({ ...base, shard_id: 5 as unknown as string })).toThrow(FlkPcsError);
    expect(() => computePcsId('r', 2 ** 53, 's')).toThrow(FlkPcsError);
    expect(() => computePcsId('r', 1.5, 's')).toThrow(FlkPcsError);
  });

  test('pcs_id of the contract example layout', () => {
    expect(computePcsId('abc', 0, 'shard-001')).toBe(computePcsId('abc', -0, 'shard-001'));
    expect(computePcsId('abc', 1, 'shard-001')).toMatch(/^[0-9a-f]{64}$/);
  });
});
