import { describe, expect, test } from '@jest/globals';
import { AUDIT_DISK_FULL_METRIC, createSinkMetrics, METRIC_NAMES, verdictFacts } from './metrics.js';

const base = {
  pcs_id: 'a'.repeat(64), status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1.41, recomputed_budget: 0.42,
  reason: 'ok', reasons: [], duplicate: false, decided_at: '2025-01-01T00:00:01.500Z', source: null, tenant_id: null, sent_at: '2025-01-01T00:00:00Z',
};

describe('verdictFacts', () => {
  test('status, tenant label and latency', () => {
    expect(verdictFacts(base)).toEqual({ tenant: '-', status: 'accepted', duplicate: false, signature: false, dlq: false, latencySeconds: 1.5 });
    // Only a verified v0.2 tenant becomes a label (contract §7.5); a v0.1 tenant_id is the producer's word.
    expect(verdictFacts({ ...base, tenant_id: 'acme' }).tenant).toBe('-');
    expect(verdictFacts({ ...base, tenant_id: 'acme', version: '0.2', signature_checked: true }).tenant).toBe('acme');
    expect(verdictFacts({ ...base, tenant_id: 'acme', version: '0.2', signature_checked: false }).tenant).toBe('-');
    expect(verdictFacts({ ...base, tenant_id: 'acme', version: '0.2', signature_checked: true, status: 'rejected', reason: 'signature:tenant_mismatch', reasons: ['signature:tenant_mismatch'] })).toMatchObject({ tenant: '-', signature: true });
  });
  test('a verified tenant the PII gate flagged is labelled [redacted], never by its value', () => {
    const flagged = { ...base, tenant_id: '555-123-4567', version: '0.2', signature_checked: true, pii: ['tenant_id'] };
    expect(verdictFacts(flagged).tenant).toBe('[redacted]');
    expect(verdictFacts({ ...flagged, pii: ['shard_id'] }).tenant).toBe('555-123-4567');
    expect(verdictFacts({ ...flagged, signature_checked: false }).tenant).toBe('-');
  });
  test('signature, malformed (DLQ) and duplicate verdicts', () => {
    expect(verdictFacts({ ...base, status: 'rejected', reason: 'signature', reasons: ['signature'] })).toMatchObject({ status: 'rejected', signature: true, dlq: false });
    expect(verdictFacts({ ...base, status: 'rejected', reason: 'malformed:avro', reasons: ['malformed:avro'] })).toMatchObject({ status: 'rejected', dlq: true, signature: false });
    expect(verdictFacts({ ...base, status: 'escalated', reason: 'malformed:x', reasons: ['malformed:x'] }).dlq).toBe(false);
    expect(verdictFacts({ ...base, duplicate: true })).toMatchObject({ duplicate: true, latencySeconds: null });
  });
  test('latency: clock skew clamps to 0; missing or bad times are not measured', () => {
    expect(verdictFacts({ ...base, sent_at: '2025-01-01T00:00:05Z' }).latencySeconds).toBe(0);
    expect(verdictFacts({ ...base, sent_at: null }).latencySeconds).toBeNull();
    expect(verdictFacts({ ...base, decided_at: 'yesterday' }).latencySeconds).toBeNull();
  });
  test('an undecodable message only counts as ingested, with tenant "-"', () => {
    expect(verdictFacts(null)).toEqual({ tenant: '-', status: null, duplicate: false, signature: false, dlq: false, latencySeconds: null });
  });
});

describe('createSinkMetrics', () => {
  test('exactly the acceptance series, labelled by tenant', async () => {
    const m = createSinkMetrics();
    m.observe(verdictFacts(base));
    m.observe(verdictFacts({ ...base, tenant_id: 't1', status: 'rejected', reason: 'signature', reasons: ['signature'] }));
    m.observe(verdictFacts({ ...base, tenant_id: 't1', version: '0.2', signature_checked: true, status: 'escalated', reason: 'd_hat_mismatch', reasons: ['d_hat_mismatch'], duplicate: true }));
    m.observe(verdictFacts({ ...base, status: 'rejected', reason: 'malformed:avro', reasons: ['malformed:avro'] }));
    m.observe(verdictFacts(null));
    const names = (await m.registry.getMetricsAsJSON()).map((x) => x.name).sort();
    expect(names).toEqual([...Object.values(METRIC_NAMES), AUDIT_DISK_FULL_METRIC].sort());
    const text = await m.registry.metrics();
    for (const line of [
      'flk_ingest_total{tenant="-"} 4',
      'flk_ingest_total{tenant="t1"} 1',
      'flk_accepted{tenant="-"} 1',
      'flk_rejected{tenant="-"} 2',
      'flk_escalated{tenant="t1"} 1',
      'flk_dedup_hits{tenant="t1"} 1',
      'flk_signature_errors{tenant="-"} 1',
      'flk_dlq_total{tenant="-"} 1',
      'flk_verdict_latency_seconds_count{tenant="-"} 3',
    ]) expect(text.split('\n')).toContain(line);
  });
});
