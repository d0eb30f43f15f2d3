import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { base64Decode } from './base64.js';
import { buildPcs, type BuildPcsInput } from './build.js';
import { createDecideConfig, decide } from './decide.js';
import { FlkPcsError } from './errors.js';
import { createEd25519Signer, createHmacSigner, createKeyRing } from './sign.js';
import type { Pcs } from './types.js';
import { validatePcs } from './validate.js';

const v = JSON.parse(readFileSync(new URL('../../../test/vectors/build.json', import.meta.url), 'utf8')) as {
  keys: { hmac_key: string; ed25519_priv_b64: string; ed25519_pub_b64: string };
  cases: Array<{ name: string; signer: 'hmac' | 'ed25519' | null; input: Omit<BuildPcsInput, 'chunks'> & { chunks_b64: string[] }; expected: Pcs; expected_v_star_bits: string[] }>;
};
const view = new DataView(new ArrayBuffer(8));
const toBits = (x: number): string => {
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
};

const signers = { hmac: createHmacSigner(v.keys.hmac_key), ed25519: createEd25519Signer(v.keys.ed25519_priv_b64) };
const toInput = (c: (typeof v.cases)[number]): BuildPcsInput => {
  const { chunks_b64, ...rest } = c.input;
  return { ...rest, chunks: chunks_b64.map((b) => base64Decode(b) as Uint8Array) };
};

describe('buildPcs: golden vectors (an agent in Python builds the same record)', () => {
  test.each(v.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const rec = buildPcs(toInput(c), c.signer === null ? undefined : signers[c.signer]);
    expect(rec).toEqual(c.expected);
    expect(rec.v_star.map(toBits)).toEqual(c.expected_v_star_bits);
  });

  // An honest record is accepted, except when degraded, and except r > 1 + tolR: zlib's fixed
  // overhead (2-byte header, 4-byte Adler-32, block headers) makes r > 1 for tiny or random data,
  // and the contract escalates that even for an honest agent (the third vector has 3 bytes of data).
  test.each(v.cases.map((c) => [c.name, c] as const))('an honest record is accepted unless degraded or r > 1.05: %s', (_n, c) => {
    const rec = buildPcs(toInput(c), c.signer === null ? undefined : signers[c.signer]);
    const ring =
      c.signer === 'hmac'
        ? createKeyRing({ alg: 'hmac', hmacKeys: [v.keys.hmac_key] })
        : c.signer === 'ed25519'
          ? createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [v.keys.ed25519_pub_b64] })
          : createKeyRing({ alg: 'none' });
    const verdict = decide(rec, createDecideConfig({ v01: ring }), null, { decidedAt: '2025-01-01T00:00:00Z', source: null });
    expect(verdict.reasons).toEqual([...(rec.r > 1.05 ? ['r_out_of_range'] : []), ...(rec.ft.degraded ? ['degraded'] : [])]);
    expect(verdict.recomputed_D_hat).toBe(rec.D_hat);
    expect(verdict.recomputed_budget).toBe(rec.budget);
  });
});

describe('buildPcs: input errors', () => {
  const base: BuildPcsInput = { shard_id: 's', epoch: 1, seed: 1, sent_at: '2025-01-01T00:00:00Z', points: [[0, 0], [1, 1]], chunks: [] };

  test('defaults: attempt 1, scales [2..32], ft zeros, no chunks → r 1', () => {
    const rec = buildPcs(base);
    expect(rec.attempt).toBe(1);
    expect(rec.scales).toEqual([2, 4, 8, 16, 32]);
    expect(rec.ft).toEqual({ outbox_seq: 0, degraded: false, fallbacks: [], clock_skew_ms: 0 });
    expect(rec.r).toBe(1);
    expect(rec.sig).toBeUndefined();
    expect(validatePcs(rec).ok).toBe(true);
  });

  test.each([
    ['no points', { points: [] }],
    ['a non-integer epoch', { epoch: 1.5 }],
    ['a chunk that is not bytes', { chunks: ['x' as unknown as Uint8Array] }],
    ['a one-scale list', { scales: [2] }],
    ['a shard_id over the limit', { shard_id: 'x'.repeat(300) }],
    ['a lone surrogate in shard_id', { shard_id: '\ud800' }],
    ['a non-integer seed', { seed: 0.5 }],
  ])('%s is a FlkPcsError', (_n, patch) => {
    expect(() => buildPcs({ ...base, ...patch })).toThrow(FlkPcsError);
  });
});
