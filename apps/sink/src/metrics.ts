import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REASON_SIGNATURE, verifiedTenant, type Verdict } from '@flk/pcs';
import { REDACTED } from '@flk/policy';

// The sink's Prometheus metrics: exactly these series, in a registry of its own (no default
// process metrics). Every series has one label, `tenant`: the tenant of a verified v0.2 verdict
// (contract §7.5: bounded by the verifiers' key ring), else "-" (v0.1, unverified or unchecked
// records, and messages that could not be decoded) — a tenant_id a producer merely wrote never
// becomes a label. Counters are process-local:
// they start at 0 when the sink starts (Prometheus' rate()/increase() handle counter resets);
// the audit log, not these counters, is the durable record. A verdict is counted once, when its
// audit line is durable; messages skipped on resume because the log already holds them are not
// counted again.

export const METRIC_NAMES = {
  ingest: 'flk_ingest_total',
  accepted: 'flk_accepted',
  escalated: 'flk_escalated',
  rejected: 'flk_rejected',
  dedupHits: 'flk_dedup_hits',
  signatureErrors: 'flk_signature_errors',
  dlq: 'flk_dlq_total',
  latency: 'flk_verdict_latency_seconds',
} as const;

export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** What the metrics need to know about one consumed message (pure). */
export interface VerdictFacts {
  tenant: string;
  status: 'accepted' | 'escalated' | 'rejected' | null;
  duplicate: boolean;
  signature: boolean;
  dlq: boolean;
  /** sent_at → decided_at in seconds (≥ 0), or null when not measurable. */
  latencySeconds: number | null;
}

const STATUSES = ['accepted', 'escalated', 'rejected'] as const;
/** The label of everything not attributable to a verified tenant. */
export const NO_TENANT = '-';

function isoMs(v: unknown): number | null {
  if (typeof v !== 'string' || v.length === 0) return null;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * Classifies a decoded verdict (null = undecodable message).
 * - dedup hit: `duplicate` is true (also counted under its status);
 * - signature error: `signature` among the reasons (or the reason);
 * - DLQ: a rejected verdict whose reason is `malformed:…` (the verifier sent the input to the DLQ);
 * - latency: decided_at − sent_at, for non-duplicates with both times; clock skew is clamped to 0.
 *   Duplicates are left out: their decided_at is the original decision's.
 */
export function verdictFacts(v: Readonly<Record<string, unknown>> | null): VerdictFacts {
  if (v === null) return { tenant: NO_TENANT, status: null, duplicate: false, signature: false, dlq: false, latencySeconds: null };
  // A tenant the PII gate flagged is never a label value (docs/policies.md).
  const flagged = Array.isArray(v.pii) && v.pii.includes('tenant_id');
  const tenant = (typeof v.tenant_id === 'string' ? verifiedTenant(v as unknown as Verdict) : null) ?? NO_TENANT;
  const status = STATUSES.find((s) => s === v.status) ?? null;
  const reasons = Array.isArray(v.reasons) ? v.reasons.filter((r): r is string => typeof r === 'string') : [];
  const reason = typeof v.reason === 'string' ? v.reason : '';
  const duplicate = v.duplicate === true;
  // `signature` and the v0.2 `signature:*` reasons (unknown_key, tenant_mismatch, key_window).
  const isSig = (r: string) => r === REASON_SIGNATURE || r.startsWith(`${REASON_SIGNATURE}:`);
  const signature = isSig(reason) || reasons.some(isSig);
  const dlq = status === 'rejected' && (reason.startsWith('malformed:') || reasons.some((r) => r.startsWith('malformed:')));
  const sent = isoMs(v.sent_at);
  const decided = isoMs(v.decided_at);
  const latencySeconds = !duplicate && sent !== null && decided !== null ? Math.max(0, decided - sent) / 1000 : null;
  return { tenant: flagged && tenant !== NO_TENANT ? REDACTED : tenant, status, duplicate, signature, dlq, latencySeconds };
}

export interface SinkMetrics {
  /** prom-client's Registry: fits @flk/ops-http's MetricsSource. */
  readonly registry: Registry;
  observe(facts: VerdictFacts): void;
  /** The audit disk is full (appends wait, nothing is committed) or has room again. */
  auditDiskFull(full: boolean): void;
}

/** Not per tenant: the state of this instance's audit directory. */
export const AUDIT_DISK_FULL_METRIC = 'flk_sink_audit_disk_full';

export function createSinkMetrics(): SinkMetrics {
  const registry = new Registry();
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames: ['tenant'], registers: [registry] });
  const ingest = counter(METRIC_NAMES.ingest, 'Messages consumed from the verdicts topic and written to the audit log (including undecodable ones).');
  const byStatus = {
    accepted: counter(METRIC_NAMES.accepted, 'Verdicts with status accepted.'),
    escalated: counter(METRIC_NAMES.escalated, 'Verdicts with status escalated.'),
    rejected: counter(METRIC_NAMES.rejected, 'Verdicts with status rejected.'),
  };
  const dedup = counter(METRIC_NAMES.dedupHits, 'Verdicts flagged duplicate (the pcs_id had already been decided).');
  const signature = counter(METRIC_NAMES.signatureErrors, 'Verdicts rejected for a missing or wrong signature.');
  const dlq = counter(METRIC_NAMES.dlq, 'Verdicts rejected as malformed (their input went to the DLQ).');
  const latency = new Histogram({
    name: METRIC_NAMES.latency,
    help: 'Seconds from the record\'s sent_at to the verifier\'s decided_at (non-duplicate verdicts).',
    labelNames: ['tenant'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const diskFull = new Gauge({
    name: AUDIT_DISK_FULL_METRIC,
    help: '1 while the audit directory is full: the sink waits, commits nothing and /ready is 503; 0 otherwise.',
    registers: [registry],
  });
  diskFull.set(0);
  return {
    registry,
    auditDiskFull: (full) => diskFull.set(full ? 1 : 0),
    observe(f) {
      const labels = { tenant: f.tenant };
      ingest.inc(labels);
      if (f.status) byStatus[f.status].inc(labels);
      if (f.duplicate) dedup.inc(labels);
      if (f.signature) signature.inc(labels);
      if (f.dlq) dlq.inc(labels);
      if (f.latencySeconds !== null) latency.observe(labels, f.latencySeconds);
    },
  };
}
