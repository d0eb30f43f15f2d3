// Builders of valid, signed records for tests. The keys are RFC 8032 §7.1 test vectors and a
// fixed HMAC string: public, TEST-ONLY, never to be configured anywhere real.
import { computePcsId } from '../canonical.js';
import { merkleRoot } from '../merkle.js';
import { DEFAULT_BUDGET_WEIGHTS, DEFAULT_PARAMS, type DecisionParams } from '../params.js';
import { createDecideConfig, type DecideConfig, type DecideConfigInput } from '../decide.js';
import { createEd25519Signer, createHmacSigner, createKeyRing, signPcs, type KeyRing, type SignAlg, type Signer } from '../sign.js';
import { createTenantKeyRing, type KeyRingEntry, type TenantKeyRing } from '../keyring.js';
import { computeBudget, computeDHat, regimeOf } from '../signals.js';
import { round9 } from '../round.js';
import { PCS_SCHEMA, PCS_VERSION, type Pcs } from '../types.js';

export const TEST_KEYS = Object.freeze({
  /** TEST ONLY. PCS_HMAC_KEY for tests and vectors. */
  hmacKey: 'flk-test-hmac-key-DO-NOT-USE',
  /** A second HMAC key, for rotation tests. TEST ONLY. */
  hmacKey2: 'flk-test-hmac-key-2-DO-NOT-USE',
  /** TEST ONLY. RFC 8032 §7.1 TEST 1 secret key (seed), base64. */
  ed25519PrivB64: 'nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=',
  ed25519PubB64: '11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=',
  /** TEST ONLY. RFC 8032 §7.1 TEST 2 key pair, for rotation tests. */
  ed25519PrivB64_2: 'TM0Imyj/ltqdtsNG7BFOD1uKMZ81q6Yk2oz27U+4pvs=',
  ed25519PubB64_2: 'PUAXw+hDiVqStwqnTRt+vJyYLM8uxJaMwM1V8Sr0Zgw=',
});

/** A signer with the primary test key of `alg`. */
export function testSigner(alg: 'hmac' | 'ed25519'): Signer {
  return alg === 'hmac' ? createHmacSigner(TEST_KEYS.hmacKey) : createEd25519Signer(TEST_KEYS.ed25519PrivB64);
}

/** A key ring holding both test keys of `alg` (or the 'none' ring). */
export function testKeyRing(alg: SignAlg): KeyRing {
  if (alg === 'none') return createKeyRing({ alg });
  if (alg === 'hmac') return createKeyRing({ alg, hmacKeys: [TEST_KEYS.hmacKey, TEST_KEYS.hmacKey2] });
  return createKeyRing({ alg, ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64, TEST_KEYS.ed25519PubB64_2] });
}

/**
 * TEST ONLY: a v0.2 ring of two tenants, `acme` (HMAC, key `acme-1`, the primary HMAC test key;
 * `acme-2` the second) and `globex` (Ed25519, `globex-1`), no windows.
 */
export const TEST_RING_ENTRIES: readonly KeyRingEntry[] = Object.freeze([
  { key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret: TEST_KEYS.hmacKey },
  { key_id: 'acme-2', tenant_id: 'acme', alg: 'hmac', secret: TEST_KEYS.hmacKey2 },
  { key_id: 'globex-1', tenant_id: 'globex', alg: 'ed25519', public_key_b64: TEST_KEYS.ed25519PubB64 },
]);

export function testTenantRing(entries: readonly KeyRingEntry[] = TEST_RING_ENTRIES): TenantKeyRing {
  return createTenantKeyRing(entries);
}

/**
 * A valid v0.2 record of tenant `acme` signed with key `acme-1` (sampleRecord's rules), sent at
 * `sent_at` (default 2025-01-01T00:00:00Z).
 */
export function sampleRecordV02(overrides: Partial<Pcs> = {}, opts: SampleOptions = {}): Pcs {
  return sampleRecord({ version: '0.2', tenant_id: 'acme', key_id: 'acme-1', ...overrides }, opts);
}

/**
 * A decide() configuration for tests: `ring` as the v0.1 ring (signatures on unless its alg is
 * 'none'), the test tenant ring for v0.2, the contract's freshness defaults, `extra` on top.
 */
export function testDecideConfig(ring: KeyRing, params: DecisionParams = DEFAULT_PARAMS, extra: DecideConfigInput = {}): DecideConfig {
  return createDecideConfig({ params, v01: ring, tenants: testTenantRing(), signatures: ring.alg !== 'none', ...extra });
}

export interface SampleOptions {
  /** Signer to sign with; default the HMAC test signer; null = leave unsigned. */
  signer?: Signer | null;
}

/**
 * A valid record that decide() accepts with default params, with `overrides` applied. Derived
 * fields follow the overrides unless overridden themselves: D_hat from scales/N_j, regime and
 * budget from the (rounded) signals, pcs_id from merkle_root/epoch/shard_id, then the signature
 * (unless `sig` is overridden). So `sampleRecord({ budget: 0.9 })` is a correctly signed record
 * whose budget mismatches, and `sampleRecord({ pcs_id: 'x' })` one whose pcs_id does not match.
 */
export function sampleRecord(overrides: Partial<Pcs> = {}, opts: SampleOptions = {}): Pcs {
  const base = {
    schema: PCS_SCHEMA,
    version: PCS_VERSION,
    shard_id: 'shard-001',
    epoch: 1,
    attempt: 1,
    sent_at: '2025-01-01T00:00:00Z',
    seed: 42,
    scales: [2, 4, 8, 16, 32],
    N_j: { '2': 3, '4': 5, '8': 9, '16': 17, '32': 31 } as Record<string, number>,
    coh_star: 0.73,
    v_star: [0.12, 0.98, -0.05],
    r: 0.87,
    merkle_root: merkleRoot([new TextEncoder().encode('sample chunk')]),
    ft: { outbox_seq: 123, degraded: false, fallbacks: [] as string[], clock_skew_ms: 0 },
    ...stripUndefined(overrides),
  };
  const D_hat = overrides.D_hat ?? computeDHat(base.scales, base.N_j);
  const coh = round9(base.coh_star);
  const r = round9(base.r);
  const rec: Pcs = {
    pcs_id: overrides.pcs_id ?? computePcsId(base.merkle_root, base.epoch, base.shard_id),
    ...base,
    D_hat,
    regime: overrides.regime ?? regimeOf(round9(D_hat), coh),
    budget: overrides.budget ?? computeBudget(r, round9(D_hat), coh, DEFAULT_BUDGET_WEIGHTS),
  };
  delete rec.sig;
  const signer = opts.signer === undefined ? testSigner('hmac') : opts.signer;
  if (overrides.sig !== undefined) return { ...rec, sig: overrides.sig };
  return signer === null ? rec : signPcs(rec, signer);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
