// A hand-rolled Avro binary writer for the pcs-v1 record (schemas/pcs-v1.avsc, field order fixed),
// so the hostile generator can write what a well-behaved encoder refuses to: longs past 2^53,
// block counts that lie, strings whose length prefix claims gigabytes, NaN in any double.
// Every value may be replaced by raw bytes (`{ raw: Buffer }`) to corrupt one field precisely.

export interface Raw {
  raw: Buffer;
}
type L = number | bigint | Raw;
type D = number | Raw;
type S = string | Raw;

export interface RawPcs {
  pcs_id: S;
  schema: S;
  version: S;
  shard_id: S;
  epoch: L;
  attempt: L;
  sent_at: S;
  seed: L;
  scales: readonly L[] | Raw;
  /** Entries in order; the same key may appear twice (Avro maps allow it on the wire). */
  N_j: ReadonlyArray<readonly [string, L]> | Raw;
  coh_star: D;
  v_star: readonly D[] | Raw;
  D_hat: D;
  r: D;
  regime: S;
  budget: D;
  merkle_root: S;
  sig: S | null;
  ft: { outbox_seq: L; degraded: boolean; fallbacks: readonly S[]; clock_skew_ms: D };
  tenant_id: S | null;
  key_id: S | null;
}

const isRaw = (v: unknown): v is Raw => typeof v === 'object' && v !== null && Buffer.isBuffer((v as Raw).raw);

/** Zig-zag varint of a signed 64-bit integer (BigInt keeps values past 2^53 exact). */
export function avroLong(v: number | bigint): Buffer {
  let n = BigInt(v);
  n = n >= 0n ? n << 1n : ((-n) << 1n) - 1n;
  const out: number[] = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n > 0n) b |= 0x80;
    out.push(b);
  } while (n > 0n);
  return Buffer.from(out);
}

export function avroDouble(v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v, 0);
  return b;
}

export function avroString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([avroLong(bytes.length), bytes]);
}

const long = (v: L) => (isRaw(v) ? v.raw : avroLong(v));
const dbl = (v: D) => (isRaw(v) ? v.raw : avroDouble(v));
const str = (v: S) => (isRaw(v) ? v.raw : avroString(v));
const union = (v: S | null) => (v === null ? avroLong(0) : Buffer.concat([avroLong(1), str(v)]));
function array<T>(items: readonly T[] | Raw, each: (x: T) => Buffer): Buffer {
  if (isRaw(items)) return items.raw;
  if (items.length === 0) return avroLong(0);
  return Buffer.concat([avroLong(items.length), ...items.map(each), avroLong(0)]);
}

/** The Avro body (no wire header) of `r`. */
export function encodeRawPcs(r: RawPcs): Buffer {
  return Buffer.concat([
    str(r.pcs_id), str(r.schema), str(r.version), str(r.shard_id), long(r.epoch), long(r.attempt), str(r.sent_at), long(r.seed),
    array(r.scales, long),
    array(r.N_j, ([k, v]) => Buffer.concat([avroString(k), long(v)])),
    dbl(r.coh_star),
    array(r.v_star, dbl),
    dbl(r.D_hat), dbl(r.r), str(r.regime), dbl(r.budget), str(r.merkle_root), union(r.sig),
    long(r.ft.outbox_seq), Buffer.from([r.ft.degraded ? 1 : 0]), array(r.ft.fallbacks, str), dbl(r.ft.clock_skew_ms),
    union(r.tenant_id), union(r.key_id),
  ]);
}

/** Confluent wire format: magic 0, big-endian schema id, body. */
export function wire(schemaId: number, body: Buffer, magic = 0): Buffer {
  const h = Buffer.alloc(5);
  h[0] = magic;
  h.writeInt32BE(schemaId, 1);
  return Buffer.concat([h, body]);
}
