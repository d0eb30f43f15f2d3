import { describe, expect, test } from '@jest/globals';
import { parseEventLine, parseTimestamp } from './index.js';

const ok = (o: Record<string, unknown>) => parseEventLine(JSON.stringify(o));
const base = { shard_id: 'shard-001', ts: '2025-01-01T00:00:00Z', point: [0.1, 0.2, 0.3], payload: 'hello' };

describe('parseEventLine', () => {
  test('a UTF-8 text payload', () => {
    const r = ok(base);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.event).toEqual({ shard_id: 'shard-001', ts: Date.UTC(2025, 0, 1), point: [0.1, 0.2, 0.3], payload: new TextEncoder().encode('hello') });
  });

  test('a base64 payload and a tenant', () => {
    const r = ok({ shard_id: 's', ts: '2025-01-01T01:00:00.250+01:00', point: [1], payload_b64: 'AAEC', tenant_id: 'acme' });
    expect(r).toEqual({ ok: true, event: { shard_id: 's', ts: Date.UTC(2025, 0, 1, 0, 0, 0, 250), point: [1], payload: new Uint8Array([0, 1, 2]), tenant_id: 'acme' } });
  });

  test('unknown fields are ignored, tenant_id null is no tenant', () => {
    const r = ok({ ...base, extra: { a: 1 }, tenant_id: null });
    expect(r.ok && r.event.tenant_id).toBe(undefined);
  });

  test.each([
    ['{not json', 'not valid JSON'],
    ['[1,2]', 'not a JSON object'],
    ['null', 'not a JSON object'],
  ])('bad line %s', (line, reason) => {
    expect(parseEventLine(line)).toEqual({ ok: false, reason });
  });

  test.each([
    [{ shard_id: '' }, /^shard_id/],
    [{ shard_id: 'a|b' }, /^shard_id/],
    [{ shard_id: 'x'.repeat(129) }, /^shard_id/],
    [{ shard_id: 7 }, /^shard_id/],
    [{ ts: '2025-01-01' }, /^ts/],
    [{ ts: '2025-02-30T00:00:00Z' }, /^ts/],
    [{ ts: '2025-01-01T00:00:00' }, /^ts/],
    [{ ts: 1735689600000 }, /^ts/],
    [{ point: [] }, /^point/],
    [{ point: [1, 'x'] }, /^point/],
    [{ point: [1, null] }, /^point/],
    [{ point: new Array(65).fill(0) }, /^point/],
    [{ point: 3 }, /^point/],
    [{ payload: undefined }, /^payload/],
    [{ payload: 5 }, /^payload/],
    [{ payload_b64: 'AAE' }, /^payload/],
    [{ payload: undefined, payload_b64: 'AA=' }, /^payload_b64/],
    [{ payload: undefined, payload_b64: 'A A=' }, /^payload_b64/],
    [{ tenant_id: 'has space' }, /^tenant_id/],
  ])('invalid field %j', (patch, reason) => {
    const r = ok({ ...base, ...patch });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  test('reasons never echo the content of the line', () => {
    const secret = 'SECRET-PAYLOAD-0123456789';
    const lines = [
      `{"shard_id":"${secret}|","ts":"x","point":[1],"payload":"${secret}"}`,
      `{"shard_id":"s","ts":"2025-01-01T00:00:00Z","point":[1],"payload_b64":"${secret}"}`,
      `{"shard_id":"s","payload":"${secret}"`,
    ];
    for (const l of lines) {
      const r = parseEventLine(l);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.reason).not.toContain('SECRET');
    }
  });

  test('an over-long line is refused before parsing', () => {
    expect(parseEventLine('x'.repeat(1_048_577))).toEqual({ ok: false, reason: 'line too long' });
  });
});

describe('parseTimestamp', () => {
  test('RFC 3339 with offsets and fractions', () => {
    expect(parseTimestamp('2025-01-01T00:00:00Z')).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('2025-01-01T00:00:00.5Z')).toBe(Date.UTC(2025, 0, 1, 0, 0, 0, 500));
    expect(parseTimestamp('2025-01-01T02:00:00+02:00')).toBe(Date.UTC(2025, 0, 1));
    expect(parseTimestamp('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });
  test.each(['2025-13-01T00:00:00Z', '2023-02-29T00:00:00Z', '2025-01-01 00:00:00Z', 'tomorrow', '2025-01-01T24:00:00Z'])('refuses %s', (t) => {
    expect(parseTimestamp(t)).toBeNull();
  });
});
