// The verifier's Prometheus metrics (prom-client). The app owns the registry; libs only emit typed
// events, which app.ts turns into observations here.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PolicySet } from '@flk/policy';
import type { RecordOutcome } from './processor.js';

export type Dependency = 'kafka' | 'redis' | 'registry';

export interface VerifierMetrics {
  readonly registry: Registry;
  decision(seconds: number): void;
  batchProcessed(records: number, seconds: number): void;
  redisRoundTrip(op: string, seconds: number, ok: boolean): void;
  kafkaTransaction(seconds: number, ok: boolean): void;
  lag(topic: string, partition: number, lag: number): void;
  forgetPartition(topic: string, partition: number): void;
  committed(outcomes: readonly RecordOutcome[]): void;
  retry(code: string): void;
  skipped(): void;
  dependency(dep: Dependency, up: boolean): void;
  /** A key ring (re)load: ok, or refused (the old ring kept). */
  keyRing(result: 'ok' | 'refused', keys: number | null): void;
  /** 1 when signatures are checked, 0 when PCS_SIGN_ALG=none was chosen. */
  signatureChecks(on: boolean): void;
  /** A policy set (re)load (docs/policies.md): ok with the set now in force, or refused (the old set kept). */
  policyLoad(result: 'ok' | 'refused', inForce: PolicySet): void;
}

/** The tenant label of a verdict: a verified v0.2 tenant (bounded by the ring) or '-'. */
export const NO_TENANT = '-';

export function createVerifierMetrics(): VerifierMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flk_verifier_' });
  const registers = [registry];

  const decision = new Histogram({
    name: 'flk_verifier_decision_seconds',
    help: 'CPU time of one decide() call (structure, signature, signals)',
    buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
    registers,
  });
  const batchRecords = new Histogram({
    name: 'flk_verifier_batch_records',
    help: 'Records per transaction',
    buckets: [1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000],
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'flk_verifier_batch_seconds',
    help: 'Time to turn one batch into output messages (decode, decide, Redis claims, encode)',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const redis = new Histogram({
    name: 'flk_verifier_redis_roundtrip_seconds',
    help: 'Redis round trips (claimMany is one pipelined round trip)',
    labelNames: ['op', 'outcome'],
    buckets: [0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 2],
    registers,
  });
  const kafka = new Histogram({
    name: 'flk_verifier_kafka_transaction_seconds',
    help: 'One Kafka transaction: verdicts + DLQ + input offsets, begin to commit',
    labelNames: ['outcome'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers,
  });
  const lagGauge = new Gauge({
    name: 'flk_verifier_consumer_lag',
    help: 'Records in the input partition after the last committed offset (at the last commit)',
    labelNames: ['topic', 'partition'],
    registers,
  });
  const verdicts = new Counter({
    name: 'flk_verifier_verdicts_total',
    help: 'Committed verdicts by status, first reason and duplicate flag',
    labelNames: ['status', 'reason', 'duplicate'],
    registers,
  });
  const replays = new Counter({
    name: 'flk_verifier_replays_total',
    help: 'Stored verdicts re-published unchanged for a re-read offset (after a crash or an aborted transaction)',
    registers,
  });
  const dlq = new Counter({
    name: 'flk_verifier_dlq_total',
    help: 'Records sent to the DLQ, by reason',
    labelNames: ['reason'],
    registers,
  });
  const age = new Histogram({
    name: 'flk_verifier_record_age_seconds',
    help: 'From the input record timestamp to its decision',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers,
  });
  const retries = new Counter({
    name: 'flk_verifier_batch_retries_total',
    help: 'Batches aborted and scheduled for retry, by error code',
    labelNames: ['code'],
    registers,
  });
  const skips = new Counter({
    name: 'flk_verifier_fenced_skips_total',
    help: 'Batches skipped because the previous owner of the partition had already committed them',
    registers,
  });
  const up = new Gauge({
    name: 'flk_verifier_dependency_up',
    help: '1 when the dependency answered its last request, else 0',
    labelNames: ['dependency'],
    registers,
  });

  const tenantVerdicts = new Counter({
    name: 'flk_verifier_tenant_verdicts_total',
    help: 'Committed verdicts per verified v0.2 tenant (tenant="-" for v0.1 and unverified records), by outcome: accepted, escalated, rejected, duplicate, stale',
    labelNames: ['tenant', 'outcome'],
    registers,
  });
  const ringLoads = new Counter({
    name: 'flk_verifier_keyring_loads_total',
    help: 'Key ring file loads (start-up and reloads) by result: ok, or refused (the previous ring stays in force)',
    labelNames: ['result'],
    registers,
  });
  const ringKeys = new Gauge({ name: 'flk_verifier_keyring_keys', help: 'Keys in the v0.2 key ring in force', registers });
  const sigChecks = new Gauge({
    name: 'flk_verifier_signature_checks_enabled',
    help: '1 when signatures are checked; 0 when the verifier runs with PCS_SIGN_ALG=none (every record unauthenticated)',
    registers,
  });

  const policyVerdicts = new Counter({
    name: 'flk_verifier_policy_verdicts_total',
    help: 'Committed verdicts by the policy that decided them (id and SemVer version) and status',
    labelNames: ['policy_id', 'policy_version', 'status'],
    registers,
  });
  const piiFindings = new Counter({ name: 'flk_verifier_pii_findings_total', help: 'PII gate findings (fields with an email, phone or SSN-like string) in committed verdicts', registers });
  const policyLoads = new Counter({
    name: 'flk_verifier_policy_loads_total',
    help: 'Policy set loads (start-up and reloads) by result: ok, or refused (the previous set stays in force)',
    labelNames: ['result'],
    registers,
  });
  const policyRefused = new Gauge({ name: 'flk_verifier_policy_reload_refused', help: '1 while the last policy reload was refused (the previous set in force), 0 after a good one', registers });
  const policyInfo = new Gauge({
    name: 'flk_verifier_policy_info',
    help: 'The policies in force: 1 per policy of the set (scope = global or the tenant it overrides for)',
    labelNames: ['scope', 'policy_id', 'policy_version', 'digest'],
    registers,
  });

  return {
    registry,
    policyLoad(result, set) {
      policyLoads.inc({ result });
      policyRefused.set(result === 'ok' ? 0 : 1);
      policyInfo.reset();
      const g = set.global;
      policyInfo.set({ scope: 'global', policy_id: g.document.id, policy_version: g.document.version, digest: g.digest }, 1);
      for (const [t, p] of set.tenants) policyInfo.set({ scope: t, policy_id: p.document.id, policy_version: p.document.version, digest: p.digest }, 1);
    },
    keyRing(result, keys) {
      ringLoads.inc({ result });
      if (keys !== null) ringKeys.set(keys);
    },
    signatureChecks: (on) => sigChecks.set(on ? 1 : 0),
    decision: (s) => decision.observe(s),
    batchProcessed(records, seconds) {
      batchRecords.observe(records);
      batchSeconds.observe(seconds);
    },
    redisRoundTrip: (op, s, ok) => redis.observe({ op, outcome: ok ? 'ok' : 'error' }, s),
    kafkaTransaction: (s, ok) => kafka.observe({ outcome: ok ? 'committed' : 'aborted' }, s),
    lag: (topic, partition, lag) => lagGauge.set({ topic, partition: String(partition) }, lag),
    forgetPartition: (topic, partition) => lagGauge.remove({ topic, partition: String(partition) }),
    committed(outcomes) {
      for (const o of outcomes) {
        verdicts.inc({ status: o.status, reason: o.reason, duplicate: String(o.duplicate) });
        const outcome = o.duplicate ? 'duplicate' : o.reason === 'stale' ? 'stale' : o.status;
        tenantVerdicts.inc({ tenant: o.tenant ?? NO_TENANT, outcome });
        if (o.replay) replays.inc();
        if (o.dlq) dlq.inc({ reason: o.reason });
        if (o.ageSeconds !== null) age.observe(o.ageSeconds);
        if (o.policyId !== null) policyVerdicts.inc({ policy_id: o.policyId, policy_version: o.policyVersion ?? '', status: o.status });
        if (o.pii > 0) piiFindings.inc(o.pii);
      }
    },
    retry: (code) => retries.inc({ code: /^[A-Za-z0-9_]{1,40}$/.test(code) ? code : 'other' }),
    skipped: () => skips.inc(),
    dependency: (dep, isUp) => up.set({ dependency: dep }, isUp ? 1 : 0),
  };
}
