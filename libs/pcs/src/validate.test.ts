import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { parsePcsJson, PCS_LIMITS, validatePcs } from './validate.js';
import { sampleRecord } from './testing/index.js';

describe('validatePcs', () => {
  test('a valid record comes back as a fresh object with the contract fields only', () => {
    const rec = { ...sampleRecord({ tenant_id: 't' }), later_field: { x: [1, 'a'] }, key_id: null };
    const result = validatePcs(rec);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.pcs).not.toBe(rec);
    expect(result.pcs).toEqual(sampleRecord({ tenant_id: 't' }));
    expect('later_field' in result.pcs).toBe(false);
    expect('key_id' in result.pcs).toBe(false);
  });

  test('-0 integers are read as 0', () => {
    const result = validatePcs({ ...sampleRecord(), attempt: -0 });
    expect(result.ok && Object.is(result.pcs.attempt, 0)).toBe(true);
  });

  test.each([
    ['a lone surrogate in shard_id', { shard_id: 'a\udc00' }, 'malformed:encoding:shard_id'],
    ['a too long fallback', { ft: { outbox_seq: 1, degraded: false, fallbacks: ['x'.repeat(257)], clock_skew_ms: 0 } }, 'malformed:too_long:ft.fallbacks[0]'],
    ['too many fallbacks', { ft: { outbox_seq: 1, degraded: false, fallbacks: Array(65).fill('x'), clock_skew_ms: 0 } }, 'malformed:too_long:ft.fallbacks'],
    ['clock_skew_ms Infinity', { ft: { outbox_seq: 1, degraded: false, fallbacks: [], clock_skew_ms: Infinity } }, 'malformed:non_finite:ft.clock_skew_ms'],
    ['NaN inside ft extras', { ft: { outbox_seq: 1, degraded: false, fallbacks: [], clock_skew_ms: 0, later: [Number.NaN] } }, 'malformed:non_finite:ft.later[0]'],
    ['N_j key with odd characters', { N_j: { '2': 3, '4': 5, '8': 9, '16': 17, '32': 31, 'a b\n': 1 } }, 'malformed:unexpected_key:N_j.a?b?'],
    ['scales holding a string', { scales: [2, '4', 8, 16, 32] }, 'malformed:type:scales[1]'],
    ['a sparse v_star', { v_star: [1, , 2] }, 'malformed:missing:v_star[1]'],
    ['ft an array', { ft: [] }, 'malformed:type:ft'],
    ['N_j null', { N_j: null }, 'malformed:type:N_j'],
  ])('%s', (_n, patch, reason) => {
    const result = validatePcs({ ...sampleRecord(), ...patch });
    expect(result).toEqual({ ok: false, reasons: [reason], pcs_id: sampleRecord().pcs_id });
  });

  test('non-objects', () => {
    for (const input of [null, undefined, 1, 'x', [], true]) expect(validatePcs(input)).toEqual({ ok: false, reasons: ['malformed:not_object'], pcs_id: '' });
  });

  test('a huge pcs_id is not echoed back', () => {
    expect(validatePcs({ pcs_id: 'x'.repeat(10_000) })).toMatchObject({ ok: false, pcs_id: '' });
  });

  test('parsePcsJson: size limit and round trip', () => {
    const rec = sampleRecord();
    expect(parsePcsJson(JSON.stringify(rec))).toEqual({ ok: true, pcs: rec });
    expect(parsePcsJson(' '.repeat(PCS_LIMITS.maxJsonChars + 1))).toEqual({ ok: false, reasons: ['malformed:too_large'], pcs_id: '' });
    expect(parsePcsJson(5 as unknown as string)).toEqual({ ok: false, reasons: ['malformed:json'], pcs_id: '' });
  });

  test('reasons are bounded', () => {
    const many = { ...sampleRecord(), extra: Array(100).fill(Number.NaN) };
    const result = validatePcs(many);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reasons).toHaveLength(PCS_LIMITS.maxReasons);
    expect(result.reasons[0]).toBe('malformed:non_finite:extra[0]');
    expect(result.reasons.at(-1)).toBe('malformed:too_many_problems');
  });

  test('extras are scanned with a bounded budget', () => {
    const wide = { ...sampleRecord(), extra: Array(PCS_LIMITS.maxExtraNodes + 10).fill(0) };
    expect(validatePcs(wide)).toMatchObject({ ok: false, reasons: ['malformed:too_large'] });
  });

  test('never throws on arbitrary JSON-ish text (property)', () => {
    const text = JSON.stringify(sampleRecord());
    fc.assert(
      fc.property(fc.nat(text.length), fc.nat(text.length), fc.string({ maxLength: 5 }), (a, b, ins) => {
        const [from, to] = a <= b ? [a, b] : [b, a];
        const result = parsePcsJson(text.slice(0, from) + ins + text.slice(to));
        if (!result.ok) expect(result.reasons.length).toBeGreaterThan(0);
        if (!result.ok) for (const r of result.reasons) expect(r).toMatch(/^malformed:[a-z0-9_]+(:[^\s]*)?$/);
      }),
      { numRuns: 3000 },
    );
  });
});
