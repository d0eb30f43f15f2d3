// §1 structure rules. Every problem found becomes one `malformed:<kind>[:<path>]` reason, in a
// fixed order (the contract's field order, then cross-field checks), so the same bad record gives
// the same reasons in every run and every language. The vocabulary is in docs/contract.md.
// Nothing here throws: the input is hostile by assumption (getters, proxies, cycles included).
import { computePcsId } from './canonical.js';
import { pathLabel, readJson, safeKey } from './json.js';
import { isWellFormedUtf16 } from './text.js';
import { parseSentAt } from './time.js';
import { PCS_SCHEMA, PCS_VERSION, PCS_VERSION_V02, REGIMES, type Pcs, type PcsFt, type Regime, type ValidationResult } from './types.js';

/** Size bounds of a record. Part of our v0.1 profile; documented in docs/contract.md. */
export const PCS_LIMITS = {
  /** parsePcsJson: longest accepted text, in UTF-16 code units (1 MiB). */
  maxJsonChars: 1_048_576,
  /** Deepest nesting of objects/arrays (a valid record needs 3). */
  maxDepth: 32,
  minScales: 2,
  maxScales: 64,
  maxVStar: 1024,
  maxFallbacks: 64,
  /** Every string field: pcs_id, schema, version, shard_id, sent_at, merkle_root, sig, tenant_id, key_id, ft.fallbacks[i]. */
  maxStringChars: 256,
  /** Values visited inside unknown extra fields (scanned for non-finite numbers). */
  maxExtraNodes: 10_000,
  /** Reasons reported for one record; beyond it the last is `malformed:too_many_problems`. */
  maxReasons: 32,
} as const;

/** Top-level fields this version knows. Others are allowed (later optional fields) but not carried. */
const KNOWN_FIELDS = new Set([
  'pcs_id', 'schema', 'version', 'shard_id', 'epoch', 'attempt', 'sent_at', 'seed', 'scales', 'N_j', 'coh_star',
  'v_star', 'D_hat', 'r', 'regime', 'budget', 'merkle_root', 'sig', 'ft', 'tenant_id', 'key_id',
]);
const FT_FIELDS = ['outbox_seq', 'degraded', 'fallbacks', 'clock_skew_ms'];
/** §7.1: tenant_id and key_id, 1–64 characters of [a-z0-9._-], the first a letter or digit. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

type Obj = Record<string, unknown>;

function isPlainObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Own properties only: a value inherited from a prototype is not part of the record. */
function own(o: Obj, key: string): unknown {
  return Object.hasOwn(o, key) ? o[key] : undefined;
}

class Issues {
  readonly list: string[] = [];
  add(kind: string, path?: string): undefined {
    this.list.push(path === undefined ? `malformed:${kind}` : `malformed:${kind}:${path}`);
    return undefined;
  }

  string(path: string, v: unknown): string | undefined {
    if (v === undefined) return this.add('missing', path);
    if (typeof v !== 'string') return this.add('type', path);
    if (v.length > PCS_LIMITS.maxStringChars) return this.add('too_long', path);
    if (!isWellFormedUtf16(v)) return this.add('encoding', path);
    return v;
  }

  number(path: string, v: unknown): number | undefined {
    if (v === undefined) return this.add('missing', path);
    if (typeof v !== 'number') return this.add('type', path);
    if (!Number.isFinite(v)) return this.add('non_finite', path);
    return v;
  }

  /** An integer within ±(2^53 − 1) and ≥ min; -0 is read as 0. */
  integer(path: string, v: unknown, min: number = -Number.MAX_SAFE_INTEGER): number | undefined {
    const n = this.number(path, v);
    if (n === undefined) return undefined;
    if (!Number.isInteger(n)) return this.add('not_integer', path);
    if (!Number.isSafeInteger(n) || n < min) return this.add('out_of_range', path);
    return n + 0;
  }

  /** Optional string: absent, or null (Avro unions decode a missing optional as null), means not set. */
  optionalString(path: string, v: unknown): string | undefined | null {
    if (v === undefined || v === null) return null;
    return this.string(path, v) ?? undefined;
  }
}

/** Parse JSON text (see json.ts for the accepted dialect) and validate it. Never throws. */
export function parsePcsJson(text: string): ValidationResult {
  if (typeof text !== 'string') return { ok: false, reasons: ['malformed:json'], pcs_id: '' };
  if (text.length > PCS_LIMITS.maxJsonChars) return { ok: false, reasons: ['malformed:too_large'], pcs_id: '' };
  const read = readJson(text, PCS_LIMITS.maxDepth);
  if (!read.ok) return { ok: false, reasons: [`malformed:${read.detail}`], pcs_id: '' };
  return validatePcs(read.value);
}

/**
 * Check a decoded value against §1 and our limits. On success, `pcs` is a fresh object holding the
 * contract's fields only (unknown extra fields are checked for non-finite numbers, then dropped;
 * a null sig / tenant_id / key_id is dropped as absent). Never throws.
 */
export function validatePcs(input: unknown): ValidationResult {
  try {
    return validateOrThrow(input);
  } catch {
    // A throwing getter or proxy trap: the value cannot be read, hence cannot be a record.
    return { ok: false, reasons: ['malformed:unreadable'], pcs_id: pcsIdOf(input) };
  }
}

function pcsIdOf(input: unknown): string {
  try {
    if (!isPlainObject(input)) return '';
    const id = own(input, 'pcs_id');
    return typeof id === 'string' && id.length <= PCS_LIMITS.maxStringChars ? id : '';
  } catch {
    return '';
  }
}

function validateOrThrow(input: unknown): ValidationResult {
  if (!isPlainObject(input)) return { ok: false, reasons: ['malformed:not_object'], pcs_id: '' };
  const o = input;
  const is = new Issues();

  const pcs_id = is.string('pcs_id', own(o, 'pcs_id'));
  const schema = is.string('schema', own(o, 'schema'));
  if (schema !== undefined && schema !== PCS_SCHEMA) is.add('invalid_value', 'schema');
  const version = is.string('version', own(o, 'version'));
  // The version member chooses the rules: "0.2" → §7.1 as well, anything else → §1 alone.
  const v02 = version === PCS_VERSION_V02;
  if (version !== undefined && version !== PCS_VERSION && !v02) is.add('invalid_value', 'version');
  const shard_id = is.string('shard_id', own(o, 'shard_id'));
  const epoch = is.integer('epoch', own(o, 'epoch'));
  const attempt = is.integer('attempt', own(o, 'attempt'));
  let sent_at = is.string('sent_at', own(o, 'sent_at'));
  if (v02 && sent_at !== undefined && parseSentAt(sent_at) === null) sent_at = is.add('invalid_value', 'sent_at');
  const seed = is.integer('seed', own(o, 'seed'));
  const scales = checkScales(is, own(o, 'scales'));
  const N_j = checkNj(is, own(o, 'N_j'), scales);
  const coh_star = is.number('coh_star', own(o, 'coh_star'));
  const v_star = checkVStar(is, own(o, 'v_star'));
  const D_hat = is.number('D_hat', own(o, 'D_hat'));
  const r = is.number('r', own(o, 'r'));
  const regime = checkRegime(is, own(o, 'regime'));
  const budget = is.number('budget', own(o, 'budget'));
  const merkle_root = is.string('merkle_root', own(o, 'merkle_root'));
  const sig = is.optionalString('sig', own(o, 'sig'));
  // The sig's encoding is the signature check's business (§5 "signature missing or wrong"): the key
  // ring accepts canonical padded base64 only, so several strings cannot stand for one signature.
  const ft = checkFt(is, own(o, 'ft'), v02);
  let tenant_id: string | undefined | null;
  let key_id: string | undefined | null;
  if (v02) {
    // §7.1: tenant_id required (null = absent), key_id optional; both of the id pattern.
    const t = own(o, 'tenant_id');
    tenant_id = t === undefined || t === null ? is.add('missing', 'tenant_id') : is.string('tenant_id', t);
    if (typeof tenant_id === 'string' && !ID_PATTERN.test(tenant_id)) tenant_id = is.add('invalid_value', 'tenant_id');
    key_id = is.optionalString('key_id', own(o, 'key_id'));
    if (typeof key_id === 'string' && !ID_PATTERN.test(key_id)) key_id = is.add('invalid_value', 'key_id');
    // §7.1: no member other than §1's (a later optional field needs a new version).
    for (const key of Object.keys(o)) if (!KNOWN_FIELDS.has(key)) is.add('unexpected_key', safeKey(key));
  } else {
    tenant_id = is.optionalString('tenant_id', own(o, 'tenant_id'));
    key_id = is.optionalString('key_id', own(o, 'key_id'));
    // "Non-finite numbers anywhere": unknown fields too, although we do not carry them.
    const budgetLeft = { nodes: PCS_LIMITS.maxExtraNodes };
    for (const key of Object.keys(o)) {
      if (!KNOWN_FIELDS.has(key)) scanExtra(is, [key], o[key], 1, budgetLeft);
    }
  }

  // Cross-field rule last: it needs its three inputs to be valid first.
  if (pcs_id !== undefined && merkle_root !== undefined && epoch !== undefined && shard_id !== undefined) {
    if (computePcsId(merkle_root, epoch, shard_id) !== pcs_id) is.add('pcs_id_mismatch');
  }

  if (is.list.length > 0) {
    // Bounded, so a record of ten thousand NaNs cannot make a ten-thousand-reason verdict.
    const reasons = is.list.length <= PCS_LIMITS.maxReasons ? is.list : [...is.list.slice(0, PCS_LIMITS.maxReasons - 1), 'malformed:too_many_problems'];
    return { ok: false, reasons, pcs_id: pcsIdOf(o) };
  }
  const pcs: Pcs = {
    pcs_id: pcs_id!, schema: schema!, version: version!, shard_id: shard_id!, epoch: epoch!, attempt: attempt!,
    sent_at: sent_at!, seed: seed!, scales: scales!, N_j: N_j!, coh_star: coh_star!, v_star: v_star!, D_hat: D_hat!,
    r: r!, regime: regime!, budget: budget!, merkle_root: merkle_root!, ft: ft!,
  };
  if (typeof sig === 'string') pcs.sig = sig;
  if (typeof tenant_id === 'string') pcs.tenant_id = tenant_id;
  if (typeof key_id === 'string') pcs.key_id = key_id;
  return { ok: true, pcs };
}

function checkScales(is: Issues, v: unknown): number[] | undefined {
  if (v === undefined) return is.add('missing', 'scales');
  if (!Array.isArray(v)) return is.add('type', 'scales');
  if (v.length < PCS_LIMITS.minScales) return is.add('too_short', 'scales');
  if (v.length > PCS_LIMITS.maxScales) return is.add('too_long', 'scales');
  const out: number[] = [];
  const seen = new Set<number>();
  let ok = true;
  for (let i = 0; i < v.length; i++) {
    const path = `scales[${i}]`;
    const s = is.integer(path, v[i], 2);
    if (s === undefined) ok = false;
    else if (seen.has(s)) {
      is.add('duplicate', path);
      ok = false;
    } else {
      seen.add(s);
      out.push(s);
    }
  }
  return ok ? out : undefined;
}

/**
 * N_j: one integer ≥ 1 per scale, keyed by the scale in decimal, no other key. Values are checked
 * for every key; the key set is matched against the scales only when the scales are valid.
 */
function checkNj(is: Issues, v: unknown, scales: number[] | undefined): Record<string, number> | undefined {
  if (v === undefined) return is.add('missing', 'N_j');
  if (!isPlainObject(v)) return is.add('type', 'N_j');
  const keys = Object.keys(v);
  if (keys.length > PCS_LIMITS.maxScales) return is.add('too_long', 'N_j');
  const before = is.list.length;
  const out: Record<string, number> = {};
  if (scales !== undefined) {
    for (const s of scales) {
      const key = String(s);
      const path = `N_j.${key}`;
      if (!Object.hasOwn(v, key)) {
        is.add('missing', path);
        continue;
      }
      const n = is.integer(path, v[key], 1);
      if (n !== undefined) out[key] = n;
    }
    const wanted = new Set(scales.map(String));
    for (const key of keys) if (!wanted.has(key)) is.add('unexpected_key', `N_j.${safeKey(key)}`);
  } else {
    for (const key of keys) is.integer(`N_j.${safeKey(key)}`, v[key], 1);
    return undefined; // cannot be complete without valid scales
  }
  return is.list.length === before ? out : undefined;
}

function checkVStar(is: Issues, v: unknown): number[] | undefined {
  if (v === undefined) return is.add('missing', 'v_star');
  if (!Array.isArray(v)) return is.add('type', 'v_star');
  if (v.length > PCS_LIMITS.maxVStar) return is.add('too_long', 'v_star');
  const out: number[] = [];
  let ok = true;
  for (let i = 0; i < v.length; i++) {
    const x = is.number(`v_star[${i}]`, v[i]);
    if (x === undefined) ok = false;
    else out.push(x);
  }
  return ok ? out : undefined;
}

function checkRegime(is: Issues, v: unknown): Regime | undefined {
  if (v === undefined) return is.add('missing', 'regime');
  if (typeof v !== 'string') return is.add('type', 'regime');
  if (!(REGIMES as readonly string[]).includes(v)) return is.add('invalid_value', 'regime');
  return v as Regime;
}

function checkFt(is: Issues, v: unknown, v02: boolean): PcsFt | undefined {
  if (v === undefined) return is.add('missing', 'ft');
  if (!isPlainObject(v)) return is.add('type', 'ft');
  const before = is.list.length;
  const outbox_seq = is.integer('ft.outbox_seq', own(v, 'outbox_seq'));
  const degradedRaw = own(v, 'degraded');
  if (degradedRaw === undefined) is.add('missing', 'ft.degraded');
  else if (typeof degradedRaw !== 'boolean') is.add('type', 'ft.degraded');
  const fallbacks = checkFallbacks(is, own(v, 'fallbacks'));
  const clock_skew_ms = is.number('ft.clock_skew_ms', own(v, 'clock_skew_ms'));
  const budgetLeft = { nodes: PCS_LIMITS.maxExtraNodes };
  for (const key of Object.keys(v)) {
    if (FT_FIELDS.includes(key)) continue;
    if (v02) is.add('unexpected_key', `ft.${safeKey(key)}`);
    else scanExtra(is, ['ft', key], v[key], 2, budgetLeft);
  }
  if (is.list.length !== before) return undefined;
  return { outbox_seq: outbox_seq!, degraded: degradedRaw as boolean, fallbacks: fallbacks!, clock_skew_ms: clock_skew_ms! };
}

function checkFallbacks(is: Issues, v: unknown): string[] | undefined {
  if (v === undefined) return is.add('missing', 'ft.fallbacks');
  if (!Array.isArray(v)) return is.add('type', 'ft.fallbacks');
  if (v.length > PCS_LIMITS.maxFallbacks) return is.add('too_long', 'ft.fallbacks');
  const out: string[] = [];
  let ok = true;
  for (let i = 0; i < v.length; i++) {
    const s = is.string(`ft.fallbacks[${i}]`, v[i]);
    if (s === undefined) ok = false;
    else out.push(s);
  }
  return ok ? out : undefined;
}

/**
 * Unknown fields may hold anything JSON can (later optional fields), but no non-finite number, and
 * nothing JSON cannot (undefined, functions, symbols, bigints: `type`). The walk is bounded in
 * depth (cycles end there: `too_deep`) and in nodes visited (`too_large`).
 */
function scanExtra(is: Issues, path: Array<string | number>, v: unknown, depth: number, left: { nodes: number }): void {
  if (--left.nodes < 0) {
    if (left.nodes === -1) is.add('too_large');
    return;
  }
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) is.add('non_finite', pathLabel(path));
    return;
  }
  if (typeof v !== 'object') {
    is.add('type', pathLabel(path));
    return;
  }
  if (depth >= PCS_LIMITS.maxDepth) {
    is.add('too_deep', pathLabel(path));
    return;
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length && left.nodes >= 0; i++) scanExtra(is, [...path, i], v[i], depth + 1, left);
    return;
  }
  for (const key of Object.keys(v)) {
    if (left.nodes < 0) return;
    scanExtra(is, [...path, key], (v as Obj)[key], depth + 1, left);
  }
}
