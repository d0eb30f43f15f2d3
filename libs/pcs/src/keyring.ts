// §7.3: the v0.2 key ring. Every key has a key_id, exactly one tenant, an algorithm, its secret or
// public key, and an optional validity window. A v0.2 record is checked with the one key its
// key_id names, never by trying the others. The document format (PCS_KEYRING_FILE) is ours,
// documented in docs/contract.md §7.3; reading files and variables is the caller's (this core has
// no I/O): it passes `sources`.
import { readJson } from './json.js';
import { FlkPcsError, PCS_ERROR_CODES } from './errors.js';
import { checkEd25519PublicKey, decodeSignature, hmacKeyBytes, nobleSignatureCrypto, SIGNATURE_BYTES, type SignatureCrypto } from './sign.js';
import { parseRfc3339, type Instant } from './time.js';
import { ID_PATTERN } from './validate.js';

export type TenantKeyAlg = 'hmac' | 'ed25519';

export interface TenantKey {
  readonly key_id: string;
  readonly tenant_id: string;
  readonly alg: TenantKeyAlg;
  /** Inclusive bounds (§7.3), or null when open. */
  readonly notBefore: Instant | null;
  readonly notAfter: Instant | null;
  /** True when `sigB64` is this key's signature of `digest`. Never throws. */
  verify(digest: Uint8Array, sigB64: string | undefined): boolean;
}

export interface TenantKeyRing {
  get(keyId: string): TenantKey | undefined;
  readonly keys: readonly TenantKey[];
  /** Distinct tenants of the ring, sorted: the bounded set of `tenant` metric labels. */
  readonly tenants: readonly string[];
}

/** One entry of the document, as written. Exactly one secret source for hmac; public_key_b64 for ed25519. */
export interface KeyRingEntry {
  key_id: string;
  tenant_id: string;
  alg: TenantKeyAlg;
  secret?: string;
  secret_file?: string;
  secret_env?: string;
  public_key_b64?: string;
  not_before?: string;
  not_after?: string;
}

/** Where `secret_file` / `secret_env` are read from (the app binds them to fs and process.env). */
export interface KeyRingSources {
  /** The variable's value, or undefined when unset. */
  env(name: string): string | undefined;
  /** The file's text (UTF-8); throws when it cannot be read. */
  readFile(path: string): string;
}

const ENTRY_MEMBERS = new Set(['key_id', 'tenant_id', 'alg', 'secret', 'secret_file', 'secret_env', 'public_key_b64', 'not_before', 'not_after']);
const SECRET_SOURCES = ['secret', 'secret_file', 'secret_env'] as const;
/** A ring larger than this is surely a mistake (and would make the tenant label set unbounded). */
export const MAX_RING_KEYS = 10_000;

const noSources: KeyRingSources = {
  env: () => undefined,
  readFile: () => {
    throw new Error('no file access');
  },
};

function ringError(message: string): FlkPcsError {
  return new FlkPcsError(PCS_ERROR_CODES.INVALID_KEYRING, message);
}

/**
 * Parses and checks a key ring document (JSON text). Every problem names the entry
 * (`keys[2] (key_id acme-2026-12): duplicate key_id`) and never the secret. Throws FlkPcsError
 * (PCS_INVALID_KEYRING).
 */
export function parseKeyRing(text: string, sources: KeyRingSources = noSources, crypto: SignatureCrypto = nobleSignatureCrypto): TenantKeyRing {
  const read = typeof text === 'string' ? readJson(text, 8) : { ok: false as const, detail: 'json' };
  if (!read.ok) throw ringError(`not JSON (${read.detail})`);
  const doc = read.value;
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw ringError('the document must be an object {"keys": [...]}');
  for (const k of Object.keys(doc)) if (k !== 'keys') throw ringError(`unknown member '${safe(k)}' (expected only "keys")`);
  const keys = (doc as Record<string, unknown>).keys;
  if (!Array.isArray(keys)) throw ringError('"keys" must be an array');
  return createTenantKeyRing(keys as KeyRingEntry[], sources, crypto);
}

/** A ring from entries (already parsed); the same checks as parseKeyRing. */
export function createTenantKeyRing(entries: readonly KeyRingEntry[], sources: KeyRingSources = noSources, crypto: SignatureCrypto = nobleSignatureCrypto): TenantKeyRing {
  if (!Array.isArray(entries)) throw ringError('"keys" must be an array');
  if (entries.length > MAX_RING_KEYS) throw ringError(`too many keys (${entries.length} > ${MAX_RING_KEYS})`);
  const byId = new Map<string, TenantKey>();
  entries.forEach((entry, i) => {
    const key = buildKey(entry, i, sources, crypto);
    if (byId.has(key.key_id)) throw ringError(`${where(i, entry)}: duplicate key_id`);
    byId.set(key.key_id, key);
  });
  const keys = [...byId.values()];
  return {
    get: (keyId) => byId.get(keyId),
    keys,
    tenants: [...new Set(keys.map((k) => k.tenant_id))].sort(),
  };
}

function where(i: number, entry: unknown): string {
  const id = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).key_id : undefined;
  return typeof id === 'string' && ID_PATTERN.test(id) ? `keys[${i}] (key_id ${id})` : `keys[${i}]`;
}

function safe(s: string): string {
  return s.slice(0, 64).replace(/[^A-Za-z0-9_.-]/g, '?');
}

function buildKey(entry: KeyRingEntry, i: number, sources: KeyRingSources, crypto: SignatureCrypto): TenantKey {
  const at = where(i, entry);
  const bad = (problem: string) => ringError(`${at}: ${problem}`);
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad('an entry must be an object');
  const e = entry as unknown as Record<string, unknown>;
  for (const k of Object.keys(e)) if (!ENTRY_MEMBERS.has(k)) throw bad(`unknown member '${safe(k)}'`);
  for (const [name, v] of Object.entries(e)) if (typeof v !== 'string') throw bad(`${name} must be a string`);
  const { key_id, tenant_id, alg } = e as Record<string, string | undefined>;
  if (key_id === undefined) throw bad('key_id is required');
  if (!ID_PATTERN.test(key_id)) throw bad('key_id must be 1-64 characters of [a-z0-9._-], the first a letter or digit');
  if (tenant_id === undefined) throw bad('tenant_id is required');
  if (!ID_PATTERN.test(tenant_id)) throw bad('tenant_id must be 1-64 characters of [a-z0-9._-], the first a letter or digit');
  const notBefore = windowBound(e.not_before as string | undefined, 'not_before', bad);
  const notAfter = windowBound(e.not_after as string | undefined, 'not_after', bad);
  if (notBefore !== null && notAfter !== null && notAfter < notBefore) throw bad('not_after is before not_before');

  let check: (digest: Uint8Array, sig: Uint8Array) => boolean;
  let sigBytes: number;
  if (alg === 'hmac') {
    if (e.public_key_b64 !== undefined) throw bad('public_key_b64 is for ed25519 keys; an hmac key takes secret, secret_file or secret_env');
    const given = SECRET_SOURCES.filter((s) => e[s] !== undefined);
    if (given.length !== 1) throw bad(`an hmac key needs exactly one of secret, secret_file, secret_env (got ${given.length === 0 ? 'none' : given.join(', ')})`);
    const secret = readSecret(given[0]!, e[given[0]!] as string, sources, bad);
    if (secret.length === 0) throw bad(`the secret (${given[0]}) is empty`);
    check = crypto.hmacVerifier(hmacKeyBytes(secret));
    sigBytes = SIGNATURE_BYTES.hmac;
  } else if (alg === 'ed25519') {
    for (const s of SECRET_SOURCES) if (e[s] !== undefined) throw bad(`${s} is for hmac keys; an ed25519 key takes public_key_b64`);
    if (e.public_key_b64 === undefined) throw bad('public_key_b64 is required for an ed25519 key');
    let pub: Uint8Array;
    try {
      pub = checkEd25519PublicKey(e.public_key_b64, 'public_key_b64');
    } catch (err) {
      throw bad(err instanceof FlkPcsError ? err.message : 'public_key_b64 is invalid');
    }
    check = crypto.ed25519Verifier(pub);
    sigBytes = SIGNATURE_BYTES.ed25519;
  } else {
    throw bad(alg === undefined ? 'alg is required (hmac or ed25519)' : `unknown alg '${safe(alg)}' (expected hmac or ed25519)`);
  }
  return {
    key_id,
    tenant_id,
    alg,
    notBefore,
    notAfter,
    verify(digest, sigB64) {
      const sig = decodeSignature(sigB64, sigBytes);
      return sig !== null && digest instanceof Uint8Array && check(digest, sig);
    },
  };
}

function windowBound(v: string | undefined, name: string, bad: (p: string) => FlkPcsError): Instant | null {
  if (v === undefined) return null;
  const t = parseRfc3339(v);
  if (t === null) throw bad(`${name} is not an RFC 3339 date-time (e.g. 2026-11-01T00:00:00Z)`);
  return t;
}

function readSecret(source: (typeof SECRET_SOURCES)[number], ref: string, sources: KeyRingSources, bad: (p: string) => FlkPcsError): string {
  if (source === 'secret') return ref;
  if (source === 'secret_env') {
    const v = sources.env(ref);
    if (v === undefined) throw bad(`secret_env: variable ${safe(ref)} is not set`);
    return v;
  }
  let text: string;
  try {
    text = sources.readFile(ref);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw bad(`secret_file: cannot read ${ref}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  // One trailing newline is what `echo` and most secret stores leave; nothing else is trimmed.
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}
