// The verifier's batch logic, free of Kafka and Redis clients (ports only), so unit tests run it
// with in-memory fakes, in the contract's stages (§7.5): decode → checkRecord (structure → version
// → signature → freshness, with the record's broker append time as `now`) → decideSignals for the
// records that passed → one claimMany round trip of their dedup keys → withPrior for the keys
// already taken (the stored verdict; the record is never re-verified) → the output messages
// (verdicts + DLQ entries) of the batch, in input order.
import { checkRecord, decideSignals, verifiedTenant, withPrior, type Clock, type DecideConfig, type DedupStore, type Logger, type Verdict, type VerdictSource } from '@flk/pcs';
import { headerValue, isTraceparent, REPLY_KEY_HEADER, REPLY_KEY_PATTERN, TRACEPARENT_HEADER, type BatchContext, type ConsumedRecord, type OutputMessage, type RecordBatch } from '@flk/kafka';
import { decodeStoredVerdict, encodeStoredVerdict, type WireCodec } from '@flk/registry';
import { decideUnderPolicy, isRedacted, policyForRecord, REDACTED, stampPolicy, type Policy, type PolicySet } from '@flk/policy';
import { dlqKey, reasonLabel, undecodableVerdict, verdictKey } from './verdicts.js';

/**
 * The part of @flk/registry's WireCodec the processor uses: decode PCS records, encode verdicts,
 * and decodePcsSync (no promise per record when the writer schema is cached).
 */
export type ProcessorCodec = Pick<WireCodec, 'decodePcs' | 'decodePcsSync' | 'encodeVerdict'>;

export interface RecordOutcome {
  offset: string;
  pcsId: string;
  status: Verdict['status'];
  reason: string;
  duplicate: boolean;
  /** The verified v0.2 tenant (§7.5), else null: the only tenant a metric label may carry. */
  tenant: string | null;
  /** A replay of the offset that produced the stored verdict (re-published unchanged). */
  replay: boolean;
  dlq: boolean;
  /** Seconds from the record's Kafka timestamp to the decision. */
  ageSeconds: number | null;
  /** The policy that decided it (null without a policy set): a bounded, operator-chosen label. */
  policyId: string | null;
  policyVersion: string | null;
  /** PII findings in the record (the gate's detect/redact modes); 0 when the gate is off. */
  pii: number;
}

export interface BatchResult {
  messages: OutputMessage[];
  outcomes: RecordOutcome[];
}

export interface ProcessorDeps {
  codec: ProcessorCodec;
  dedup: DedupStore;
  /** The decision configuration in force; read once per batch, so a key ring reload applies between batches. */
  decideConfig: () => DecideConfig;
  /**
   * The policy set in force (docs/policies.md), read once per batch like decideConfig, so a policy
   * reload applies between batches and every record is decided under exactly one set. Undefined =
   * decideConfig's params, verdicts without a policy stamp.
   */
  policies?: () => PolicySet;
  clock: Clock;
  dedupTtlSeconds: number;
  /** `replies`: where a copy of the verdict goes for records with a reply-key header (the HTTP gateway's); undefined = no copies. */
  topics: { verdicts: string; dlq: string; replies?: string };
  logger: Logger;
  /** Typed event per record checked (structure → signals), for the decision-latency histogram. */
  onDecide?: (seconds: number) => void;
  /** Largest input value + key a DLQ entry copies whole (default DLQ_MAX_ENTRY_BYTES). */
  dlqMaxEntryBytes?: number;
  /** Records decided between two yields to the event loop (default YIELD_EVERY_RECORDS). */
  yieldEveryRecords?: number;
}

interface Pending {
  record: ConsumedRecord;
  source: VerdictSource;
  decidedAt: string;
  /** §7.5 dedup key, set when the record passed every check before dedup. */
  dedupKey: string | null;
  verdict: Verdict;
  dlqReason: string | null;
  replay: boolean;
}

const MAX_REASON_HEADER = 1024;
/**
 * The broker refuses a DLQ record bigger than the DLQ topic's max.message.bytes (1 MiB by default),
 * and a refused transaction would be retried forever (a poison pill). So an entry copies the input
 * value and key whole only up to this many bytes; a bigger one keeps the first DLQ_TRUNCATED_BYTES
 * of the value, drops the key header and says so (`flk-value-truncated`, `flk-value-bytes`,
 * `flk-source-key-bytes`); the source headers still locate the original in the input topic.
 * (Entries that are each small enough but large together are split over several produce
 * requests of the same transaction by @flk/kafka.)
 */
export const DLQ_MAX_ENTRY_BYTES = 900 * 1024;
export const DLQ_TRUNCATED_BYTES = 1024;
/**
 * Deciding is synchronous CPU work (~20 µs a record with HMAC, ~100 µs with Ed25519): a chunk of
 * 1,000 would hold the event loop for 20–100 ms, and with it every other partition's Redis and
 * Kafka replies. Yielding every 64 records bounds that to ~1–6 ms for one setImmediate each.
 */
export const YIELD_EVERY_RECORDS = 64;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export function createBatchProcessor(deps: ProcessorDeps): (batch: RecordBatch, ctx?: BatchContext) => Promise<BatchResult> {
  const { codec, dedup, clock, logger } = deps;
  const observe = deps.onDecide ?? (() => {});

  return async function processBatch(batch, ctx) {
    const config = deps.decideConfig();
    const set = deps.policies?.();
    // One DecideConfig per policy of the set used in this batch (only params differ).
    const configs = new Map<Policy, DecideConfig>();
    const configFor = (p: Policy): DecideConfig => {
      let c = configs.get(p);
      if (c === undefined) configs.set(p, (c = { ...config, params: p.params }));
      return c;
    };
    const items: Pending[] = [];
    const yieldEvery = deps.yieldEveryRecords ?? YIELD_EVERY_RECORDS;
    // 1. decode → checkRecord → decideSignals. Rejected records are final and never stored.
    for (const record of batch.records) {
      if (items.length > 0 && items.length % yieldEvery === 0) await yieldToLoop();
      const source: VerdictSource = { topic: batch.topic, partition: batch.partition, offset: record.offset };
      const decidedAt = new Date(clock.now()).toISOString();
      // decodePcs throws only RegistryUnavailableError (retriable); the sync path never needs the registry.
      const decoded = codec.decodePcsSync(record.value) ?? (await codec.decodePcs(record.value));
      if (!decoded.ok) {
        const undecodable = undecodableVerdict(decoded.reason, { decidedAt, source });
        items.push({ record, source, decidedAt, dedupKey: null, verdict: set === undefined ? undecodable : stampPolicy(undecodable, set.global), dlqReason: decoded.reason, replay: false });
        continue;
      }
      const t0 = performance.now();
      // §7.4: `now` is the broker's append time (LogAppendTime on the input topic), so a re-read
      // offset is decided exactly as the first time.
      const meta = { decidedAt, source, now: Number(record.timestamp) };
      const checked = checkRecord(decoded.value, config, meta);
      let verdict: Verdict;
      if (set === undefined) verdict = checked.ok ? decideSignals(checked.record, config, meta) : checked.verdict;
      else if (checked.ok) {
        const policy = policyForRecord(set, checked.record);
        verdict = decideUnderPolicy(checked.record, policy, configFor(policy), meta);
      } else verdict = stampPolicy(checked.verdict, set.global);
      observe((performance.now() - t0) / 1000);
      const malformed = !checked.ok && verdict.reasons.some((r) => r.startsWith('malformed:'));
      items.push({ record, source, decidedAt, dedupKey: checked.ok && verdict.status !== 'rejected' ? checked.record.dedupKey : null, verdict, dlqReason: malformed ? verdict.reasons.join(',') : null, replay: false });
    }
    await ctx?.heartbeat();

    // 2. one pipelined round trip of SET NX GET for every record that reached dedup.
    const toClaim = items.filter((it) => it.dedupKey !== null);
    const claims = await dedup.claimMany(
      toClaim.map((it) => ({ key: it.dedupKey!, value: encodeStoredVerdict(it.verdict, it.dedupKey!) })),
      deps.dedupTtlSeconds,
    );

    // 3. not claimed: the stored verdict decides (same offset → unchanged replay; else duplicate).
    toClaim.forEach((it, i) => {
      const claim = claims[i]!;
      if (claim.claimed) return;
      const prior = decodeStoredVerdict(claim.existing, it.dedupKey!);
      if (prior === null || (prior.version !== null && prior.tenant_id !== it.verdict.tenant_id)) {
        // The key is taken but its value is not a verdict we can read: still a repeat of this
        // key, so flag our own decision as duplicate rather than stall the partition.
        logger.error({ pcs_id: it.verdict.pcs_id, topic: it.source.topic, partition: it.source.partition, offset: it.source.offset }, 'stored verdict unreadable; publishing own decision flagged duplicate');
        it.verdict = { ...it.verdict, duplicate: true };
        return;
      }
      it.verdict = withPrior(prior, { decidedAt: it.decidedAt, source: it.source });
      it.replay = !it.verdict.duplicate;
    });

    // 4. output messages in input order: each record's verdict, then its DLQ entry if any.
    const messages: OutputMessage[] = [];
    const outcomes: RecordOutcome[] = [];
    const now = clock.now();
    const dlqMaxEntry = deps.dlqMaxEntryBytes ?? DLQ_MAX_ENTRY_BYTES;
    for (const it of items) {
      // Trace context and reply routing travel as headers (docs/gateway.md): copied only when well formed.
      const traceparent = headerValue(it.record, TRACEPARENT_HEADER);
      const trace = isTraceparent(traceparent) ? { [TRACEPARENT_HEADER]: traceparent } : undefined;
      const encoded = codec.encodeVerdict(it.verdict);
      messages.push({ topic: deps.topics.verdicts, key: verdictKey(it.verdict, it.source), value: encoded, ...(trace && { headers: trace }) });
      const replyKey = deps.topics.replies === undefined ? undefined : headerValue(it.record, REPLY_KEY_HEADER);
      if (replyKey !== undefined && REPLY_KEY_PATTERN.test(replyKey)) {
        messages.push({ topic: deps.topics.replies!, key: replyKey, value: encoded, ...(trace && { headers: trace }) });
      }
      if (it.dlqReason !== null) {
        const headers: Record<string, string | Buffer> = {
          ...trace,
          'flk-reason': it.dlqReason.slice(0, MAX_REASON_HEADER),
          'flk-source-topic': it.source.topic,
          'flk-source-partition': String(it.source.partition),
          'flk-source-offset': it.source.offset,
          'flk-failed-at': it.decidedAt,
        };
        let value = it.record.value;
        const size = (value?.length ?? 0) + (it.record.key?.length ?? 0);
        if (size <= dlqMaxEntry) {
          if (it.record.key !== null) headers['flk-source-key'] = it.record.key;
        } else {
          headers['flk-value-truncated'] = 'true';
          headers['flk-value-bytes'] = String(value?.length ?? 0);
          if (it.record.key !== null) headers['flk-source-key-bytes'] = String(it.record.key.length);
          value = value === null ? null : value.subarray(0, DLQ_TRUNCATED_BYTES);
        }
        messages.push({ topic: deps.topics.dlq, key: dlqKey(it.source), value, headers });
      }
      const ts = Number(it.record.timestamp);
      const tenant = verifiedTenant(it.verdict);
      const piiMode = set === undefined ? 'off' : set.policyFor(tenant).document.pii.mode;
      outcomes.push({
        offset: it.source.offset,
        pcsId: it.verdict.pcs_id,
        status: it.verdict.status,
        reason: reasonLabel(it.verdict.reason),
        duplicate: it.verdict.duplicate,
        tenant: tenant !== null && isRedacted(it.verdict, 'tenant_id', piiMode) ? REDACTED : tenant,
        replay: it.replay,
        dlq: it.dlqReason !== null,
        ageSeconds: Number.isFinite(ts) && ts > 0 ? Math.max(0, (now - ts) / 1000) : null,
        policyId: it.verdict.policy_id ?? null,
        policyVersion: it.verdict.policy_version ?? null,
        pii: it.verdict.pii?.length ?? 0,
      });
    }
    return { messages, outcomes };
  };
}
