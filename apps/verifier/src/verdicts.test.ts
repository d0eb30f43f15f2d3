import { describe, expect, test } from '@jest/globals';
import type { Verdict } from '@flk/pcs';
import { reasonLabel, undecodableVerdict, verdictKey } from './verdicts.js';

const src = { topic: 't', partition: 1, offset: '9' };
const v: Verdict = {
  pcs_id: 'abc', status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1.4, recomputed_budget: 0.4,
  reason: 'ok', reasons: [], duplicate: false, decided_at: '2025-01-01T00:00:00.000Z', source: src, tenant_id: null,
  sent_at: '2025-01-01T00:00:00Z', version: '0.1', key_id: null, signature_checked: true,
};

describe('verdict helpers', () => {
  test('keys: pcs_id for decided records, the source for rejected ones', () => {
    expect(verdictKey(v, src)).toBe('abc');
    expect(verdictKey({ ...v, status: 'rejected' }, src)).toBe('rejected:t:1:9');
    // §7.5: v0.2 verdicts are keyed tenant_id/pcs_id, like their dedup keys.
    expect(verdictKey({ ...v, version: '0.2', tenant_id: 'acme' }, src)).toBe('acme/abc');
    expect(verdictKey({ ...v, version: '0.2', tenant_id: 'acme', status: 'rejected' }, src)).toBe('rejected:t:1:9');
  });

  test('undecodable input gets a rejected verdict with the codec reason', () => {
    expect(undecodableVerdict('malformed:wire_magic', { decidedAt: 'd', source: src })).toMatchObject({
      pcs_id: '', status: 'rejected', reason: 'malformed:wire_magic', reasons: ['malformed:wire_magic'], source: src,
    });
  });

  test('metric labels are bounded', () => {
    expect(reasonLabel('malformed:type:scales[3]')).toBe('malformed:type');
    expect(reasonLabel('d_hat_mismatch')).toBe('d_hat_mismatch');
    expect(reasonLabel('malformed:<script>')).toBe('other');
  });
});
