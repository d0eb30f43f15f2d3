import { describe, expect, test } from '@jest/globals';
import type { Verdict } from '@flk/pcs';
import { decodeStoredVerdict, encodeStoredVerdict, STORED_VERDICT_FORMAT } from './stored-verdict.js';

const ID = 'ab'.repeat(32);
const src = { topic: 'pcs.submitted', partition: 3, offset: '1234567' };
const v01: Verdict = {
  pcs_id: ID, status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1.412345678, recomputed_budget: 0.4,
  reason: 'ok', reasons: [], duplicate: false, decided_at: '2026-12-03T14:00:00.123Z', source: src, tenant_id: 'acme-prod',
  sent_at: '2026-12-03T13:59:59.900Z', version: '0.1', key_id: null, signature_checked: true,
};
const v02: Verdict = {
  ...v01, status: 'escalated', accepted: false, escalated: true, reason: 'd_hat_mismatch', reasons: ['d_hat_mismatch', 'budget_mismatch'],
  version: '0.2', key_id: 'acme-prod-2026-11', policy_id: 'acme-default', policy_version: '1.2.0', policy_digest: `sha256:${'c3'.repeat(32)}`, pii: [],
};
const k02 = `acme-prod/${ID}`;

describe('stored verdict form', () => {
  test('round-trips v0.1 and v0.2 verdicts, with and without a policy stamp and PII findings', () => {
    const cases: Array<[Verdict, string]> = [[v01, ID], [v02, k02], [{ ...v02, pii: ['shard_id', 'ft.fallbacks[1]'] }, k02], [{ ...v01, policy_id: null, policy_version: null, policy_digest: null }, ID]];
    for (const [v, key] of cases) {
      const bytes = encodeStoredVerdict(v, key);
      expect(bytes[0]).toBe(STORED_VERDICT_FORMAT);
      expect(decodeStoredVerdict(bytes, key)).toEqual(v);
    }
  });

  test('is compact: the key says pcs_id (and the tenant), so the bytes hold neither', () => {
    const bytes = encodeStoredVerdict(v02, k02);
    expect(bytes.includes(Buffer.from(ID))).toBe(false);
    expect(bytes.includes(Buffer.from('acme-prod/'))).toBe(false);
    expect(bytes.length).toBeLessThan(Buffer.byteLength(JSON.stringify(v02)) / 3);
  });

  test('values that do not pack keep their exact text or double', () => {
    const odd: Verdict = {
      ...v01, recomputed_D_hat: 0.1 + 0.2, recomputed_budget: null, decided_at: '2026-12-03T14:00:00Z', sent_at: '2026-12-03T13:59:59.123456789+01:00',
      source: { topic: 't', partition: 0, offset: '00012' }, reason: 'custom', reasons: ['r1'], duplicate: true, tenant_id: null,
      policy_id: 'p', policy_version: null, policy_digest: 'not-a-digest',
    };
    expect(decodeStoredVerdict(encodeStoredVerdict(odd, ID), ID)).toEqual(odd);
    const negZero = { ...v01, recomputed_D_hat: -0 };
    expect(Object.is(decodeStoredVerdict(encodeStoredVerdict(negZero, ID), ID)!.recomputed_D_hat, -0)).toBe(true);
    // A v0.1 key has no tenant: the record's tenant_id as sent is stored.
    expect(decodeStoredVerdict(encodeStoredVerdict({ ...v01, tenant_id: 'other' }, ID), ID)!.tenant_id).toBe('other');
    // A v0.2 verdict whose tenant is not the key's keeps its own (the verifier then refuses it).
    expect(decodeStoredVerdict(encodeStoredVerdict(v02, `x/${ID}`), `x/${ID}`)!.tenant_id).toBe('acme-prod');
  });

  test('reads the JSON text of verifiers before it (keys live 14 days across a rolling upgrade)', () => {
    const json = Buffer.from(JSON.stringify(v02));
    expect(decodeStoredVerdict(json, k02)).toEqual(v02);
    // Stored by an older verifier, without the v0.2 members: read with their defaults.
    const { sent_at: _s, version: _v, key_id: _k, signature_checked: _c, policy_id: _p, policy_version: _pv, policy_digest: _pd, pii: _pii, ...old } = v02;
    expect(decodeStoredVerdict(Buffer.from(JSON.stringify(old)), k02)).toEqual({ ...old, sent_at: null, version: null, key_id: null, signature_checked: false });
    expect(decodeStoredVerdict(json, `acme-prod/${'cd'.repeat(32)}`)).toBeNull();
    expect(decodeStoredVerdict(Buffer.from('nope'), ID)).toBeNull();
    expect(decodeStoredVerdict(Buffer.from(JSON.stringify({ ...v01, status: 'weird' })), ID)).toBeNull();
    expect(decodeStoredVerdict(Buffer.from(JSON.stringify({ ...v01, source: { topic: 't' } })), ID)).toBeNull();
  });

  test('refuses bytes that are not a stored verdict: empty, truncated, trailing, lying block counts, key-tenant flag on a v0.1 key', () => {
    const bytes = encodeStoredVerdict(v02, k02);
    expect(decodeStoredVerdict(Buffer.alloc(0), k02)).toBeNull();
    for (let n = 1; n < bytes.length; n++) expect(decodeStoredVerdict(bytes.subarray(0, n), k02)).toBeNull();
    expect(decodeStoredVerdict(Buffer.concat([bytes, Buffer.from([0])]), k02)).toBeNull();
    // status accepted, flags 0, reason null, reasons: a block of 2^28 items in a few bytes.
    expect(decodeStoredVerdict(Buffer.from([STORED_VERDICT_FORMAT, 0, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x02]), ID)).toBeNull();
    expect(decodeStoredVerdict(bytes, ID)).toBeNull();
  });
});
