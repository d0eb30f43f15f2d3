// The stored form of a verdict: the bytes the verifier writes under a dedup key in Redis and the
// gateway reads back for GET /v1/pcs/{id}. One encode/decode pair, here and nowhere else.
//
// Why not the verdict-v1 Avro record or JSON: a key lives 14 days (§7.5), so its bytes are the
// Redis bill (docs/benchmarks.md, "Redis memory"). The stored record drops what the dedup key
// already says (pcs_id; tenant_id when the key is `tenant/pcs_id`), derives nothing lossy, and
// packs the ISO times, the 9-digit decimals, the offset and the policy digest as integers/bytes
// whenever that round-trips exactly (each has a verbatim fallback member, so decode(encode(v))
// deep-equals v for every verdict). It is not a contract schema and never leaves Redis, so it has
// no registry id: one leading format byte instead of the 5-byte Confluent header.
//
// Rolling upgrade: keys written by a verifier before this form hold JSON text (first byte `{`),
// and live up to 14 days; decodeStoredVerdict reads both.
import type { Verdict, VerdictSource } from '@flk/pcs';
import { boundedType } from './bounded-avro.js';

/** First byte of the compact form; JSON values start with `{` (0x7b). */
export const STORED_VERDICT_FORMAT = 0x01;

const nullable = (type: unknown) => ['null', type];
const STORED_SCHEMA = {
  type: 'record',
  name: 'StoredVerdict',
  namespace: 'io.flk.pcs.stored',
  fields: [
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['accepted', 'escalated', 'rejected'] } },
    // bit 0 accepted, 1 escalated, 2 duplicate, 3 signature_checked, 4 tenant_id is the key's tenant.
    { name: 'flags', type: 'int' },
    // null = reasons[0] ?? 'ok' (what decide() always sets).
    { name: 'reason', type: nullable('string') },
    { name: 'reasons', type: { type: 'array', items: 'string' } },
    // A 9-digit decimal x as the integer x·10⁹ when that is exact (round9 output always is), else the double.
    { name: 'd_hat_e9', type: nullable('long') },
    { name: 'd_hat', type: nullable('double') },
    { name: 'budget_e9', type: nullable('long') },
    { name: 'budget', type: nullable('double') },
    // An ISO-8601 time as epoch ms when new Date(ms).toISOString() gives the same text, else the text.
    { name: 'decided_ms', type: nullable('long') },
    { name: 'decided_text', type: nullable('string') },
    { name: 'sent_ms', type: nullable('long') },
    { name: 'sent_text', type: nullable('string') },
    {
      name: 'source',
      type: nullable({
        type: 'record',
        name: 'Source',
        fields: [
          { name: 'topic', type: 'string' },
          { name: 'partition', type: 'int' },
          // The offset's decimal text as a long when canonical and safe, else the text.
          { name: 'offset', type: nullable('long') },
          { name: 'offset_text', type: nullable('string') },
        ],
      }),
    },
    { name: 'tenant_id', type: nullable('string') },
    { name: 'version', type: nullable('string') },
    { name: 'key_id', type: nullable('string') },
    // `policy` absent = decided without a policy set (the member is absent from the verdict).
    {
      name: 'policy',
      type: nullable({
        type: 'record',
        name: 'Policy',
        fields: [
          { name: 'id', type: nullable('string') },
          { name: 'version', type: nullable('string') },
          // `sha256:<64 hex>` as its 32 bytes, else the text.
          { name: 'sha256', type: nullable({ type: 'fixed', name: 'Sha256', size: 32 }) },
          { name: 'digest_text', type: nullable('string') },
        ],
      }),
    },
    // null = no `pii` member.
    { name: 'pii', type: nullable({ type: 'array', items: 'string' }) },
  ],
} as const;

const storedType = boundedType(STORED_SCHEMA as unknown as Parameters<typeof boundedType>[0]);

interface StoredPolicy { id: string | null; version: string | null; sha256: Buffer | null; digest_text: string | null }
interface StoredRecord {
  status: Verdict['status'];
  flags: number;
  reason: string | null;
  reasons: string[];
  d_hat_e9: number | null;
  d_hat: number | null;
  budget_e9: number | null;
  budget: number | null;
  decided_ms: number | null;
  decided_text: string | null;
  sent_ms: number | null;
  sent_text: string | null;
  source: { topic: string; partition: number; offset: number | null; offset_text: string | null } | null;
  tenant_id: string | null;
  version: string | null;
  key_id: string | null;
  policy: StoredPolicy | null;
  pii: string[] | null;
}

const F_ACCEPTED = 1;
const F_ESCALATED = 2;
const F_DUPLICATE = 4;
const F_SIGNATURE_CHECKED = 8;
const F_KEY_TENANT = 16;

/** The dedup key's parts: `pcs_id` (v0.1) or `tenant_id/pcs_id` (v0.2, §7.5). */
function keyParts(dedupKey: string): { pcsId: string; tenant: string | null } {
  const slash = dedupKey.lastIndexOf('/');
  return slash < 0 ? { pcsId: dedupKey, tenant: null } : { pcsId: dedupKey.slice(slash + 1), tenant: dedupKey.slice(0, slash) };
}

function e9(x: number | null): { e9: number | null; raw: number | null } {
  if (x === null) return { e9: null, raw: null };
  const n = Math.round(x * 1e9);
  // Exact only: -0 and values whose scaled form is not the same double keep the double.
  return Number.isSafeInteger(n) && n / 1e9 === x && !Object.is(x, -0) ? { e9: n, raw: null } : { e9: null, raw: x };
}
const fromE9 = (n: number | null, raw: number | null): number | null => (n !== null ? n / 1e9 : raw);

function isoMs(text: string | null): { ms: number | null; text: string | null } {
  if (text === null) return { ms: null, text: null };
  const ms = Date.parse(text);
  if (Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 && new Date(ms).toISOString() === text) return { ms, text: null };
  return { ms: null, text };
}
const fromIsoMs = (ms: number | null, text: string | null): string | null => (ms !== null ? new Date(ms).toISOString() : text);

const CANONICAL_OFFSET = /^(0|[1-9][0-9]{0,15})$/;
const SHA256_DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * The stored bytes of a verdict under `dedupKey` (its pcs_id must be the key's). Lossless:
 * decodeStoredVerdict(encodeStoredVerdict(v, k), k) deep-equals v.
 */
export function encodeStoredVerdict(v: Verdict, dedupKey: string): Buffer {
  const key = keyParts(dedupKey);
  const keyTenant = key.tenant !== null && v.tenant_id === key.tenant;
  const d = e9(v.recomputed_D_hat);
  const b = e9(v.recomputed_budget);
  const decided = isoMs(v.decided_at);
  const sent = isoMs(v.sent_at);
  const src = v.source;
  const offsetIsLong = src !== null && CANONICAL_OFFSET.test(src.offset) && Number.isSafeInteger(Number(src.offset));
  const hasPolicy = v.policy_id !== undefined;
  const digest = v.policy_digest ?? null;
  const rec: StoredRecord = {
    status: v.status,
    flags: (v.accepted ? F_ACCEPTED : 0) | (v.escalated ? F_ESCALATED : 0) | (v.duplicate ? F_DUPLICATE : 0) | (v.signature_checked ? F_SIGNATURE_CHECKED : 0) | (keyTenant ? F_KEY_TENANT : 0),
    reason: v.reason === (v.reasons[0] ?? 'ok') ? null : v.reason,
    reasons: v.reasons,
    d_hat_e9: d.e9,
    d_hat: d.raw,
    budget_e9: b.e9,
    budget: b.raw,
    decided_ms: decided.ms,
    decided_text: decided.text,
    sent_ms: sent.ms,
    sent_text: sent.text,
    source: src === null ? null : { topic: src.topic, partition: src.partition, offset: offsetIsLong ? Number(src.offset) : null, offset_text: offsetIsLong ? null : src.offset },
    tenant_id: keyTenant ? null : v.tenant_id,
    version: v.version,
    key_id: v.key_id,
    policy: !hasPolicy
      ? null
      : {
          id: v.policy_id ?? null,
          version: v.policy_version ?? null,
          sha256: digest !== null && SHA256_DIGEST.test(digest) ? Buffer.from(digest.slice(7), 'hex') : null,
          digest_text: digest !== null && SHA256_DIGEST.test(digest) ? null : digest,
        },
    pii: v.pii === undefined ? null : v.pii,
  };
  const body = storedType.toBuffer(rec);
  const out = Buffer.allocUnsafe(body.length + 1);
  out[0] = STORED_VERDICT_FORMAT;
  body.copy(out, 1);
  return out;
}

/**
 * The verdict stored under `dedupKey`: the compact form, or the JSON text written by a verifier
 * before it. Null when the bytes are neither, or are a verdict for another record (corrupted, or
 * written by something else): the caller must not trust it.
 */
export function decodeStoredVerdict(bytes: Buffer, dedupKey: string): Verdict | null {
  const key = keyParts(dedupKey);
  if (bytes.length === 0) return null;
  if (bytes[0] !== STORED_VERDICT_FORMAT) return parseJsonVerdict(bytes.toString('utf8'), key.pcsId);
  let r: StoredRecord;
  try {
    const out = storedType.decode(bytes, 1);
    if (out.offset !== bytes.length) return null; // truncated (-1) or trailing bytes
    r = out.value as StoredRecord;
  } catch {
    return null;
  }
  if ((r.flags & F_KEY_TENANT) !== 0 && key.tenant === null) return null;
  const src = r.source;
  const v: Verdict = {
    pcs_id: key.pcsId,
    status: r.status,
    accepted: (r.flags & F_ACCEPTED) !== 0,
    escalated: (r.flags & F_ESCALATED) !== 0,
    recomputed_D_hat: fromE9(r.d_hat_e9, r.d_hat),
    recomputed_budget: fromE9(r.budget_e9, r.budget),
    reason: r.reason ?? r.reasons[0] ?? 'ok',
    reasons: r.reasons,
    duplicate: (r.flags & F_DUPLICATE) !== 0,
    decided_at: fromIsoMs(r.decided_ms, r.decided_text) ?? '',
    source: src === null ? null : ({ topic: src.topic, partition: src.partition, offset: src.offset !== null ? String(src.offset) : (src.offset_text ?? '') } satisfies VerdictSource),
    tenant_id: (r.flags & F_KEY_TENANT) !== 0 ? key.tenant : r.tenant_id,
    sent_at: fromIsoMs(r.sent_ms, r.sent_text),
    version: r.version,
    key_id: r.key_id,
    signature_checked: (r.flags & F_SIGNATURE_CHECKED) !== 0,
    ...(r.policy !== null && {
      policy_id: r.policy.id,
      policy_version: r.policy.version,
      policy_digest: r.policy.sha256 !== null ? `sha256:${r.policy.sha256.toString('hex')}` : r.policy.digest_text,
    }),
    ...(r.pii !== null && { pii: r.pii }),
  };
  return v;
}

const STATUSES = new Set(['accepted', 'escalated', 'rejected']);
const isNumOrNull = (v: unknown) => v === null || typeof v === 'number';
/** Members added after the first stored verdicts: absent in a verdict stored by an older verifier. */
const isOptStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/** The JSON text stored by verifiers before the compact form (read for the 14 days such keys live). */
function parseJsonVerdict(text: string, pcsId: string): Verdict | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  const src = o.source as Record<string, unknown> | null | undefined;
  const ok =
    o.pcs_id === pcsId &&
    typeof o.status === 'string' && STATUSES.has(o.status) &&
    typeof o.accepted === 'boolean' && typeof o.escalated === 'boolean' &&
    isNumOrNull(o.recomputed_D_hat) && isNumOrNull(o.recomputed_budget) &&
    typeof o.reason === 'string' &&
    Array.isArray(o.reasons) && o.reasons.every((x) => typeof x === 'string') &&
    typeof o.duplicate === 'boolean' &&
    typeof o.decided_at === 'string' &&
    (src === null || (typeof src === 'object' && typeof src.topic === 'string' && typeof src.partition === 'number' && typeof src.offset === 'string')) &&
    (o.tenant_id === null || typeof o.tenant_id === 'string') &&
    isOptStr(o.sent_at) && isOptStr(o.version) && isOptStr(o.key_id) &&
    (o.signature_checked === undefined || typeof o.signature_checked === 'boolean') &&
    isOptStr(o.policy_id) && isOptStr(o.policy_version) && isOptStr(o.policy_digest) &&
    (o.pii === undefined || (Array.isArray(o.pii) && o.pii.every((x) => typeof x === 'string')));
  if (!ok) return null;
  return {
    pcs_id: o.pcs_id as string,
    status: o.status as Verdict['status'],
    accepted: o.accepted as boolean,
    escalated: o.escalated as boolean,
    recomputed_D_hat: o.recomputed_D_hat as number | null,
    recomputed_budget: o.recomputed_budget as number | null,
    reason: o.reason as string,
    reasons: [...(o.reasons as string[])],
    duplicate: o.duplicate as boolean,
    decided_at: o.decided_at as string,
    source: src === null ? null : { topic: src!.topic as string, partition: src!.partition as number, offset: src!.offset as string },
    tenant_id: o.tenant_id as string | null,
    sent_at: (o.sent_at as string | null | undefined) ?? null,
    version: (o.version as string | null | undefined) ?? null,
    key_id: (o.key_id as string | null | undefined) ?? null,
    signature_checked: (o.signature_checked as boolean | undefined) ?? false,
    // Stored by a verifier with a policy set (docs/policies.md): a duplicate keeps the original's policy.
    ...(typeof o.policy_id === 'string' && { policy_id: o.policy_id, policy_version: (o.policy_version as string | null | undefined) ?? null, policy_digest: (o.policy_digest as string | null | undefined) ?? null }),
    ...(Array.isArray(o.pii) && { pii: [...(o.pii as string[])] }),
  };
}
