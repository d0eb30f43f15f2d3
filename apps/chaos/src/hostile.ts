// Hostile input at every layer of the verifier, one category at a time, each with the verdict it
// must get: the wire header, the Avro body, the §1 structure rules, the signature, and the fields
// the signature does not cover. Used by `npm run chaos -- bad-input` and the bad-input tests.
import { randomBytes, randomInt } from 'node:crypto';
import { computePcsId, type Pcs, type Signer } from '@flk/pcs';
import { sampleRecord } from '@flk/pcs/testing';
import { avroLong, avroString, encodeRawPcs, wire, type RawPcs } from './avro-raw.js';

export interface Expectation {
  /** `rejected` (with a reason matching `reason`) or `not_rejected` (accepted or escalated). */
  status: 'rejected' | 'not_rejected';
  reason?: RegExp;
  dlq: boolean;
}

export interface HostileMessage {
  category: string;
  key: string | Buffer | null;
  value: Buffer | null;
}

/** A valid, signed record with a fresh merkle_root (unique pcs_id). */
export function cleanRecord(signer: Signer, i: number, marker = ''): Pcs {
  return sampleRecord(
    {
      merkle_root: randomBytes(32).toString('hex'),
      shard_id: `${marker}shard-${i % 7}`,
      epoch: 1 + (i % 3),
      ft: { outbox_seq: i, degraded: false, fallbacks: [], clock_skew_ms: 0 },
      ...(i % 5 === 4 ? { budget: 0.99 } : {}), // signed, but misreported: escalated
    },
    { signer },
  );
}

export function toRaw(p: Pcs): RawPcs {
  return {
    pcs_id: p.pcs_id, schema: p.schema, version: p.version, shard_id: p.shard_id, epoch: p.epoch, attempt: p.attempt,
    sent_at: p.sent_at, seed: p.seed, scales: p.scales, N_j: p.scales.map((s) => [String(s), p.N_j[String(s)]!] as const),
    coh_star: p.coh_star, v_star: p.v_star, D_hat: p.D_hat, r: p.r, regime: p.regime, budget: p.budget,
    merkle_root: p.merkle_root, sig: p.sig ?? null, ft: p.ft, tenant_id: p.tenant_id ?? null, key_id: p.key_id ?? null,
  };
}

const M = (s: string) => new RegExp(`^${s.replace(/[.[\]]/g, (c) => `\\${c}`)}$`);
const MALFORMED = (detail: string): Expectation => ({ status: 'rejected', reason: M(`malformed:${detail}`), dlq: true });
const SIGNATURE: Expectation = { status: 'rejected', reason: /^signature$/, dlq: false };
const FINE: Expectation = { status: 'not_rejected', dlq: false };

interface Category {
  name: string;
  expect: Expectation;
  make(ctx: MakeCtx): { key: string | Buffer | null; value: Buffer | null };
}

interface MakeCtx {
  i: number;
  schemaId: number;
  signer: Signer;
  /** A signed record, fresh pcs_id. */
  rec(): Pcs;
  /** Wire bytes of a raw record. */
  enc(r: RawPcs): Buffer;
}

/** Changes signed fields after signing, keeping pcs_id consistent so structure passes. */
const tamper = (p: Pcs, change: Partial<Pcs>): Pcs => {
  const next = { ...p, ...change };
  return { ...next, pcs_id: computePcsId(next.merkle_root, next.epoch, next.shard_id) };
};

export const CATEGORIES: readonly Category[] = [
  // ── wire header ──
  { name: 'empty', expect: MALFORMED('empty'), make: () => ({ key: null, value: Buffer.alloc(0) }) },
  { name: 'tombstone', expect: MALFORMED('empty'), make: () => ({ key: 'tombstone', value: null }) },
  { name: 'random_bytes', expect: MALFORMED('wire_magic'), make: () => {
    const b = randomBytes(randomInt(1, 300));
    b[0] = randomInt(1, 256); // magic ≠ 0
    return { key: null, value: b };
  } },
  { name: 'short_header', expect: MALFORMED('wire_magic'), make: () => ({ key: null, value: Buffer.from([0, 0, 0]) }) },
  { name: 'wrong_magic', expect: MALFORMED('wire_magic'), make: (c) => {
    const v = c.enc(toRaw(c.rec()));
    v[0] = randomInt(1, 256);
    return { key: null, value: v };
  } },
  { name: 'unknown_schema_id', expect: MALFORMED('unknown_schema_id'), make: (c) => {
    const v = c.enc(toRaw(c.rec()));
    v.writeInt32BE(0x7f000000 + randomInt(0, 1 << 20), 1); // ids the registry never handed out
    return { key: null, value: v };
  } },
  { name: 'random_body', expect: { status: 'rejected', reason: /^malformed:avro/, dlq: true }, make: (c) => ({ key: null, value: wire(c.schemaId, randomBytes(randomInt(1, 400))) }) },
  // ── Avro body ──
  { name: 'truncated', expect: { status: 'rejected', reason: /^malformed:avro_(truncated|length)$/, dlq: true }, make: (c) => {
    const v = c.enc(toRaw(c.rec()));
    return { key: null, value: v.subarray(0, randomInt(6, v.length - 1)) };
  } },
  { name: 'trailing_bytes', expect: MALFORMED('avro_trailing_bytes'), make: (c) => ({ key: null, value: Buffer.concat([c.enc(toRaw(c.rec())), randomBytes(randomInt(1, 64))]) }) },
  { name: 'absurd_array', expect: MALFORMED('avro_length'), make: (c) => {
    // scales claims 2^31 items (a multi-GB array) in a few hundred bytes
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, scales: { raw: Buffer.concat([avroLong(2 ** 31), avroLong(2)]) } }) };
  } },
  { name: 'absurd_map', expect: MALFORMED('avro_length'), make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, N_j: { raw: Buffer.concat([avroLong(-(2 ** 40)), avroLong(8)]) } }) };
  } },
  { name: 'absurd_string', expect: { status: 'rejected', reason: /^malformed:avro/, dlq: true }, make: (c) => {
    // shard_id claims 4 GB of text
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, shard_id: { raw: Buffer.concat([avroLong(4 * 2 ** 30), Buffer.from('x')]) } }) };
  } },
  { name: 'negative_length', expect: { status: 'rejected', reason: /^malformed:avro/, dlq: true }, make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, merkle_root: { raw: avroLong(-5) } }) };
  } },
  { name: 'long_past_2^53', expect: { status: 'rejected', reason: /^malformed:(avro|out_of_range:epoch)$/, dlq: true }, make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, epoch: 2n ** 53n + BigInt(randomInt(1, 1000)) }) };
  } },
  { name: 'long_past_2^63', expect: { status: 'rejected', reason: /^malformed:avro/, dlq: true }, make: (c) => {
    const r = toRaw(c.rec());
    // an 11-byte varint: more than 64 bits
    return { key: null, value: c.enc({ ...r, seed: { raw: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) } }) };
  } },
  // ── §1 structure ──
  ...(['coh_star', 'D_hat', 'r', 'budget'] as const).flatMap((f) =>
    ([['nan', NaN], ['inf', Infinity], ['-inf', -Infinity]] as const).map(([label, x]): Category => ({
      name: `${label}_${f}`, expect: MALFORMED(`non_finite:${f}`),
      make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), [f]: x }) }),
    }))),
  { name: 'nan_v_star', expect: MALFORMED('non_finite:v_star[1]'), make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), v_star: [0.1, NaN, 0.2] }) }) },
  { name: 'inf_clock_skew', expect: MALFORMED('non_finite:ft.clock_skew_ms'), make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, ft: { ...r.ft, clock_skew_ms: -Infinity } }) };
  } },
  { name: 'duplicate_scale', expect: { status: 'rejected', reason: /^malformed:duplicate:scales/, dlq: true }, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), scales: [2, 4, 4, 8] }) }) },
  { name: 'missing_scale', expect: MALFORMED('missing:N_j.16'), make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, N_j: (r.N_j as ReadonlyArray<readonly [string, number]>).filter(([k]) => k !== '16') }) };
  } },
  { name: 'extra_scale_key', expect: MALFORMED('unexpected_key:N_j.64'), make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, N_j: [...(r.N_j as ReadonlyArray<readonly [string, number]>), ['64', 40]] }) };
  } },
  { name: 'one_scale', expect: { status: 'rejected', reason: /^malformed:too_short:scales$/, dlq: true }, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), scales: [2], N_j: [['2', 3]] }) }) },
  { name: 'scale_below_2', expect: { status: 'rejected', reason: /^malformed:out_of_range:scales\[0\]$/, dlq: true }, make: (c) => {
    const r = toRaw(c.rec());
    return { key: null, value: c.enc({ ...r, scales: [1, 4, 8, 16, 32], N_j: [['1', 2], ...(r.N_j as ReadonlyArray<readonly [string, number]>).slice(1)] }) };
  } },
  ...([0, -3] as const).map((x): Category => ({
    name: `N_j_${x < 0 ? 'negative' : 'zero'}`, expect: MALFORMED('out_of_range:N_j.8'),
    make: (c) => {
      const r = toRaw(c.rec());
      return { key: null, value: c.enc({ ...r, N_j: (r.N_j as ReadonlyArray<readonly [string, number]>).map(([k, v]) => [k, k === '8' ? x : v] as const) }) };
    },
  })),
  { name: 'wrong_pcs_id', expect: MALFORMED('pcs_id_mismatch'), make: (c) => {
    const p = c.rec();
    return { key: p.pcs_id, value: c.enc(toRaw({ ...p, pcs_id: randomBytes(32).toString('hex') })) };
  } },
  { name: 'wrong_schema_name', expect: MALFORMED('invalid_value:schema'), make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), schema: 'not-fractal' }) }) },
  { name: 'bad_regime', expect: MALFORMED('invalid_value:regime'), make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), regime: 'chaotic' }) }) },
  { name: 'string_too_long', expect: MALFORMED('too_long:merkle_root'), make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), merkle_root: 'a'.repeat(4000) }) }) },
  // Avro strings decode invalid UTF-8 as U+FFFD: in a field covered by pcs_id/signature that is a
  // mismatch; in an unsigned field (tenant_id) it is lossy but harmless.
  { name: 'invalid_utf8_shard_id', expect: MALFORMED('pcs_id_mismatch'), make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), shard_id: { raw: Buffer.from([0x08, 0x73, 0xed, 0xa0, 0x80]) } }) }) },
  { name: 'invalid_utf8_tenant_id', expect: FINE, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), tenant_id: { raw: Buffer.from([0x06, 0xed, 0xa0, 0x80]) } }) }) },
  // ── signature ──
  { name: 'missing_sig', expect: SIGNATURE, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), sig: null }) }) },
  { name: 'invalid_base64_sig', expect: SIGNATURE, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), sig: '!!not*base64??' + randomBytes(8).toString('hex') }) }) },
  { name: 'sig_31_bytes', expect: SIGNATURE, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), sig: randomBytes(31).toString('base64') }) }) },
  { name: 'sig_64_bytes', expect: SIGNATURE, make: (c) => ({ key: null, value: c.enc({ ...toRaw(c.rec()), sig: randomBytes(64).toString('base64') }) }) },
  { name: 'sig_unpadded', expect: SIGNATURE, make: (c) => {
    const p = c.rec();
    return { key: p.pcs_id, value: c.enc({ ...toRaw(p), sig: p.sig!.replace(/=+$/, '') }) };
  } },
  { name: 'sig_other_key', expect: SIGNATURE, make: (c) => {
    const p = c.rec();
    return { key: p.pcs_id, value: c.enc(toRaw(sampleRecord({ ...p, sig: undefined }, {}))) }; // the public TEST key, not this run's
  } },
  // each signed field changed after signing (pcs_id kept consistent with merkle_root|epoch|shard_id)
  ...([
    ['merkle_root', (p: Pcs) => ({ merkle_root: randomBytes(32).toString('hex') + p.merkle_root.slice(64) })],
    ['epoch', (p: Pcs) => ({ epoch: p.epoch + 1 })],
    ['shard_id', (p: Pcs) => ({ shard_id: `${p.shard_id}x` })],
    ['D_hat', (p: Pcs) => ({ D_hat: p.D_hat + 0.001 })],
    ['coh_star', (p: Pcs) => ({ coh_star: p.coh_star - 0.125 })],
    ['r', (p: Pcs) => ({ r: p.r / 2 })],
    ['budget', (p: Pcs) => ({ budget: p.budget === 0.99 ? 0.98 : p.budget + 1e-6 })],
  ] as const).map(([f, change]): Category => ({
    name: `tampered_${f}`, expect: SIGNATURE,
    make: (c) => {
      const p = tamper(c.rec(), change(c.rec()));
      return { key: p.pcs_id, value: c.enc(toRaw(p)) };
    },
  })),
  { name: 'tampered_pcs_id', expect: MALFORMED('pcs_id_mismatch'), make: (c) => {
    const p = c.rec();
    return { key: p.pcs_id, value: c.enc(toRaw({ ...p, pcs_id: computePcsId(p.merkle_root, p.epoch + 7, p.shard_id) })) };
  } },
  // ── fields outside the signature: changed after signing, still a valid signature ──
  ...([
    ['seed', (p: Pcs) => ({ seed: p.seed + 1 })],
    ['sent_at', () => ({ sent_at: '2030-01-01T00:00:00Z' })],
    ['attempt', (p: Pcs) => ({ attempt: p.attempt + 5 })],
    ['v_star', () => ({ v_star: [1, 0, 0] })],
    ['ft', (p: Pcs) => ({ ft: { ...p.ft, outbox_seq: p.ft.outbox_seq + 1, fallbacks: ['forged'] } })],
    ['tenant_id', () => ({ tenant_id: 'someone-else' })],
    ['N_j', (p: Pcs) => ({ N_j: { ...p.N_j, '32': p.N_j['32']! * 4 } })], // D̂ recomputes differently: escalated
  ] as const).map(([f, change]): Category => ({
    name: `unsigned_${f}_changed`, expect: FINE,
    make: (c) => {
      const p = c.rec();
      const q = { ...p, ...change(p) } as Pcs;
      return { key: q.pcs_id, value: c.enc(toRaw(q)) };
    },
  })),
];

/** Oversized categories, kept apart: a handful is enough and each is ~1 MB on disk. */
export function oversizedCategories(maxMessageBytes: number): Category[] {
  return [
    // Just under the verifier's limit: decodable header, then garbage; its DLQ copy is ~1 MB.
    { name: 'near_limit_garbage', expect: { status: 'rejected', reason: /^malformed:avro/, dlq: true }, make: (c) => ({ key: null, value: wire(c.schemaId, Buffer.concat([avroString('x'.repeat(10)), randomBytes(maxMessageBytes - 64)])) }) },
    // A ~1 MB key on a small garbage value (the DLQ entry carries the input key in a header).
    { name: 'huge_key', expect: MALFORMED('wire_magic'), make: () => ({ key: Buffer.alloc(maxMessageBytes - 100_000, 0x6b), value: Buffer.from('garbage') }) },
    // Past the verifier's limit (the topic's max.message.bytes must allow it).
    { name: 'oversized', expect: MALFORMED('oversized'), make: (c) => ({ key: null, value: Buffer.concat([c.enc(toRaw(c.rec())), randomBytes(maxMessageBytes + 1024)]) }) },
  ];
}

export interface HostileGenerator {
  categories: readonly Category[];
  /** The i-th hostile message (categories round-robin). */
  next(i: number): HostileMessage;
}

export function createHostileGenerator(opts: { schemaId: number; signer: Signer; oversized?: { maxMessageBytes: number } }): HostileGenerator {
  const categories = [...CATEGORIES, ...(opts.oversized ? oversizedCategories(opts.oversized.maxMessageBytes) : [])];
  let n = 0;
  const ctx = (i: number): MakeCtx => ({
    i,
    schemaId: opts.schemaId,
    signer: opts.signer,
    rec: () => cleanRecord(opts.signer, n++),
    enc: (r) => wire(opts.schemaId, encodeRawPcs(r)),
  });
  return {
    categories,
    next(i) {
      const cat = categories[i % categories.length]!;
      const { key, value } = cat.make(ctx(i));
      return { category: cat.name, key, value };
    },
  };
}

/** Does a verdict (status, reasons) meet the category's expectation? */
export function meets(e: Expectation, status: string, reasons: readonly string[], dlq: boolean): boolean {
  if (e.dlq !== dlq) return false;
  if (e.status === 'not_rejected') return status !== 'rejected';
  return status === 'rejected' && e.reason !== undefined && reasons.length > 0 && e.reason.test(reasons[0]!);
}

