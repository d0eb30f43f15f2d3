import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { decide, type DecideMeta } from './decide.js';
import { FlkPcsError } from './errors.js';
import { createDecisionParams, DEFAULT_PARAMS, type DecisionParamsInput } from './params.js';
import { createKeyRing, type KeyRing, type SignAlg } from './sign.js';
import type { Verdict } from './types.js';
import { sampleRecord, testDecideConfig, testKeyRing } from './testing/index.js';

interface VerdictCase {
  name: string;
  keyring: SignAlg;
  params: DecisionParamsInput | null;
  prior: Verdict | null;
  meta: DecideMeta;
  input?: unknown;
  input_json?: string;
  expected: Verdict;
}
const v = JSON.parse(readFileSync(new URL('../../../test/vectors/verdicts.json', import.meta.url), 'utf8')) as {
  keys: { hmac_key: string; hmac_key_2: string; ed25519_pub_b64: string; ed25519_pub_2_b64: string };
  cases: VerdictCase[];
};
const rings: Record<SignAlg, KeyRing> = {
  none: createKeyRing({ alg: 'none' }),
  hmac: createKeyRing({ alg: 'hmac', hmacKeys: [v.keys.hmac_key, v.keys.hmac_key_2] }),
  ed25519: createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [v.keys.ed25519_pub_b64, v.keys.ed25519_pub_2_b64] }),
};
const META: DecideMeta = { decidedAt: '2025-01-01T00:00:01.000Z', source: { topic: 'pcs.in', partition: 0, offset: '42' } };

describe('decide (§5): golden vectors', () => {
  test('cover every reason of §5', () => {
    const seen = new Set(v.cases.flatMap((c) => c.expected.reasons));
    for (const r of ['d_hat_mismatch', 'coh_star_out_of_range', 'r_out_of_range', 'regime_mismatch', 'budget_mismatch', 'degraded', 'signature']) {
      expect(seen).toContain(r);
    }
    expect(v.cases.some((c) => c.expected.duplicate)).toBe(true);
    expect(v.cases.some((c) => c.expected.status === 'accepted')).toBe(true);
  });

  test.each(v.cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const params = createDecisionParams(c.params ?? {});
    const input = c.input_json !== undefined ? c.input_json : c.input;
    expect(decide(input, testDecideConfig(rings[c.keyring], params), c.prior, c.meta)).toEqual(c.expected);
    // The same record as UTF-8 bytes decides the same way.
    const text = c.input_json ?? JSON.stringify(c.input);
    expect(decide(new TextEncoder().encode(text), testDecideConfig(rings[c.keyring], params), c.prior, c.meta)).toEqual(c.expected);
  });
});

describe('decide: behaviour', () => {
  const ring = testKeyRing('hmac');

  test('a replay of the same offset returns the stored verdict object itself', () => {
    const rec = sampleRecord();
    const first = decide(rec, testDecideConfig(ring, DEFAULT_PARAMS), null, META);
    expect(decide(rec, testDecideConfig(ring, DEFAULT_PARAMS), first, META)).toBe(first);
  });

  test('a prior for another pcs_id is a programmer error', () => {
    const prior = decide(sampleRecord({ epoch: 2 }), testDecideConfig(ring, DEFAULT_PARAMS), null, META);
    expect(() => decide(sampleRecord(), testDecideConfig(ring, DEFAULT_PARAMS), prior, META)).toThrow(FlkPcsError);
  });

  test('invalid UTF-8 bytes are malformed:utf8', () => {
    const verdict = decide(new Uint8Array([0x7b, 0xff, 0x7d]), testDecideConfig(ring, DEFAULT_PARAMS), null, META);
    expect(verdict).toMatchObject({ status: 'rejected', reason: 'malformed:utf8', pcs_id: '' });
  });

  test('a UTF-8 BOM is malformed:json, as in Python', () => {
    const bytes = new TextEncoder().encode(`\ufeff${JSON.stringify(sampleRecord())}`);
    expect(decide(bytes, testDecideConfig(ring, DEFAULT_PARAMS), null, META).reason).toBe('malformed:json');
  });

  test('is pure: the input is not modified', () => {
    const rec = sampleRecord({ budget: 0.99 });
    const copy = structuredClone(rec);
    decide(rec, testDecideConfig(ring, DEFAULT_PARAMS), null, META);
    expect(rec).toEqual(copy);
  });

  test('never throws and always returns a well-formed verdict on hostile input (property)', () => {
    const base = sampleRecord() as unknown as Record<string, unknown>;
    const anyValue = fc.oneof(fc.anything(), fc.double(), fc.constant(undefined), fc.constant(Number.NaN), fc.constant(-0));
    const mutated = fc
      .tuple(fc.constantFrom(...Object.keys(base), 'ft', 'N_j', 'extra'), anyValue, fc.boolean())
      .map(([key, value, drop]) => {
        const o: Record<string, unknown> = structuredClone(base);
        if (drop) delete o[key];
        else o[key] = value;
        return o;
      });
    fc.assert(
      fc.property(fc.oneof(fc.anything(), mutated, fc.string(), fc.uint8Array()), fc.constantFrom<SignAlg>('none', 'hmac', 'ed25519'), (input, alg) => {
        const verdict = decide(input, testDecideConfig(testKeyRing(alg), DEFAULT_PARAMS), null, META);
        expect(['accepted', 'escalated', 'rejected']).toContain(verdict.status);
        expect(verdict.reason).toBe(verdict.reasons[0] ?? 'ok');
        if (verdict.status === 'rejected') {
          expect(verdict.recomputed_D_hat).toBeNull();
          expect(verdict.reasons.every((r) => r === 'signature' || r.startsWith('malformed:'))).toBe(true);
        }
      }),
      { numRuns: 1500 },
    );
  });

  test('hostile objects: throwing getters, proxies, cycles, prototype tricks', () => {
    const rec = sampleRecord() as unknown as Record<string, unknown>;
    const getter = { ...rec };
    Object.defineProperty(getter, 'D_hat', { enumerable: true, get: () => { throw new Error('boom'); } });
    const proxy = new Proxy(rec, { ownKeys: () => { throw new Error('boom'); } });
    const cyclic: Record<string, unknown> = { ...rec };
    cyclic.extra = cyclic;
    const inherited = Object.create(rec) as object;
    for (const [input, reason] of [
      [getter, 'malformed:unreadable'],
      [proxy, 'malformed:unreadable'],
      // The walk stops at maxDepth (32): the first too-deep node is ft.fallbacks inside the 30th copy.
      [cyclic, `malformed:too_deep:${Array(30).fill('extra').join('.')}.ft.fallbacks`],
      [inherited, 'malformed:missing:pcs_id'],
      [{ ...rec, extra: 10n }, 'malformed:type:extra'],
      [{ ...rec, extra: () => 1 }, 'malformed:type:extra'],
    ] as const) {
      const verdict = decide(input, testDecideConfig(ring, DEFAULT_PARAMS), null, META);
      expect(verdict.status).toBe('rejected');
      expect(verdict.reason).toBe(reason);
    }
  });

  test('signing off: only structure and signals', () => {
    const verdict = decide(sampleRecord({}, { signer: null }), testDecideConfig(testKeyRing('none'), DEFAULT_PARAMS), null, META);
    expect(verdict.status).toBe('accepted');
  });
});
