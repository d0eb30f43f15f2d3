import { describe, expect, test } from '@jest/globals';
import { checks, metricSum, percentile, tallyVerdicts, type InjectedKind, type VerdictView } from './tally.js';

let offset = 0;
function v(patch: Partial<VerdictView> = {}): VerdictView {
  return {
    pcs_id: `id${offset}`,
    status: 'accepted',
    duplicate: false,
    reason: 'ok',
    reasons: [],
    decided_at: '2025-01-01T00:00:01.000Z',
    sent_at: '2025-01-01T00:00:00.900Z',
    source: { topic: 't', partition: 0, offset: String(offset++) },
    ...patch,
  };
}

describe('tallyVerdicts and checks', () => {
  test('counts by status with duplicates apart, latencies of accepted/escalated non-duplicates, injected outcomes', () => {
    offset = 0;
    const list = [
      v(),
      v({ decided_at: '2025-01-01T00:00:02.000Z', sent_at: '2025-01-01T00:00:01.700Z' }),
      v({ duplicate: true, decided_at: '2025-01-01T00:00:01.000Z' }), // offset 2: replay
      v({ status: 'rejected', reason: 'signature', reasons: ['signature'], sent_at: null }), // 3: tampered
      v({ status: 'escalated', reason: 'd_hat_mismatch', reasons: ['d_hat_mismatch', 'regime_mismatch'] }), // 4
      v({ status: 'rejected', reason: 'malformed:wire_magic', reasons: ['malformed:wire_magic'], sent_at: null }), // 5
    ];
    const injected = new Map<string, InjectedKind>([['0:2', 'replay'], ['0:3', 'tampered'], ['0:4', 'inconsistent'], ['0:5', 'malformed']]);
    const t = tallyVerdicts(list, { injected, total: 6 });
    expect(t).toMatchObject({ verdicts: 6, accepted: 2, escalated: 1, rejected: 2, duplicates: 1, repeatedSources: 0 });
    expect(t.reasons).toEqual({ signature: 1, d_hat_mismatch: 1, regime_mismatch: 1, 'malformed:wire_magic': 1 });
    expect(t.latenciesMs).toEqual([100, 100, 300]);
    expect(t.lastDecidedMs! - t.firstDecidedMs!).toBe(1000);
    expect(t.injected.tampered.outcomes).toEqual({ 'rejected:signature': 1 });
    const kinds = { replay: 1, tampered: 1, inconsistent: 1, malformed: 1 };
    expect(checks(t, { injected, total: 6 }, kinds, 1).every((c) => c.ok)).toBe(true);
    const failing = checks(t, { injected, total: 7 }, kinds, 0);
    expect(failing.filter((c) => !c.ok).map((c) => c.text)).toEqual(['one verdict per submitted message (6/7)', 'malformed messages rejected and in the DLQ (0/1)']);
  });

  test('a second verdict for one source is caught', () => {
    offset = 0;
    const a = v();
    const t = tallyVerdicts([a, { ...a }], { injected: new Map(), total: 2 });
    expect(t.repeatedSources).toBe(1);
    expect(checks(t, { injected: new Map(), total: 2 }, { replay: 0, tampered: 0, inconsistent: 0, malformed: 0 }, 0)[0]!.ok).toBe(false);
  });
});

describe('percentile', () => {
  test('nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 95)).toBe(95);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('metricSum', () => {
  test('sums every label set of one metric', () => {
    const text = ['# HELP x y', 'flk_a_total{s="1"} 3', 'flk_a_total{s="2"} 4.5', 'flk_a_total_other 100', 'flk_b 1'].join('\n');
    expect(metricSum(text, 'flk_a_total')).toBe(7.5);
    expect(metricSum(text, 'flk_missing')).toBeNull();
  });
});
