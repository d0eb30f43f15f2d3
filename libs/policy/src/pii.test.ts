import { describe, expect, test } from '@jest/globals';
import { detectPii, piiKindOf, REDACTED, redactFlagged } from './pii.js';

describe('PII detector', () => {
  test.each([
    ['alice@example.com', 'email'],
    ['shard-bob.smith+x@mail.example.org-7', 'email'],
    ['555-123-4567', 'phone'],
    ['(555) 123-4567', 'phone'],
    ['+14155550123', 'phone'],
    ['123-45-6789', 'ssn'],
    ['ssn.123.45.6789', 'ssn'],
  ])('%s → %s', (text, kind) => expect(piiKindOf(text)).toBe(kind));

  test.each(['shard-0007', 'eu-west-1/shard-12', 'node-2024-11-30', 'tenant-a', '1234567890123', 'v1.2.3'])('%s is not PII', (text) => expect(piiKindOf(text)).toBeNull());

  test('names each user-originated field with a finding, in field order', () => {
    expect(detectPii({ shard_id: 'alice@example.com', ft: { degraded: false, fallbacks: ['ok', '555-123-4567'] } as never, tenant_id: '123-45-6789' })).toEqual([
      { path: 'shard_id', kind: 'email' },
      { path: 'ft.fallbacks[1]', kind: 'phone' },
      { path: 'tenant_id', kind: 'ssn' },
    ]);
    expect(detectPii({ shard_id: 'shard-1', ft: { degraded: false, fallbacks: [] } as never })).toEqual([]);
  });
});

describe('redactFlagged (what the sink keeps)', () => {
  const v = { pcs_id: 'p1', status: 'accepted', tenant_id: '555-123-4567', shard_id: 'alice@example.com', pii: ['shard_id', 'tenant_id'] };
  test('every flagged top-level member and the key\'s tenant prefix become REDACTED; the input is not modified', () => {
    const out = redactFlagged(v, '555-123-4567/p1');
    expect(out).toEqual({ verdict: { ...v, tenant_id: REDACTED, shard_id: REDACTED }, key: `${REDACTED}/p1` });
    expect(v.tenant_id).toBe('555-123-4567');
    expect(JSON.stringify(out)).not.toMatch(/555-123-4567|alice@example\.com/);
  });
  test('nothing flagged, or a flag for a member the verdict does not carry (ft.fallbacks[0]): unchanged', () => {
    const clean = { pcs_id: 'p2', tenant_id: 'acme', pii: [] };
    expect(redactFlagged(clean, 'acme/p2')).toEqual({ verdict: clean, key: 'acme/p2' });
    const fallback = { pcs_id: 'p3', tenant_id: 'acme', pii: ['ft.fallbacks[0]'] };
    expect(redactFlagged(fallback, 'acme/p3')).toEqual({ verdict: fallback, key: 'acme/p3' });
  });
  test('a key not prefixed by the tenant (rejected verdicts are keyed by input position) is kept', () => {
    expect(redactFlagged({ ...v, pii: ['tenant_id'] }, 'pcs.submitted/0/17').key).toBe('pcs.submitted/0/17');
  });
});
