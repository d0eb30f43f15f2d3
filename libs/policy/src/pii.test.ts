import { describe, expect, test } from '@jest/globals';
import { detectPii, piiKindOf } from './pii.js';

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
