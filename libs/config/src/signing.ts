// The signature configuration every verifying front-end reads the same way (contract §6, §7.3,
// §7.7; docs/contract.md §7): the v0.1 ring from PCS_SIGN_ALG + PCS_HMAC_KEY / PCS_ED25519_PUB_B64,
// the v0.2 tenant ring from PCS_KEYRING_FILE, the accepted versions and the freshness window.
// Problems go to the EnvReader (named by variable; keys never echoed).
import {
  createDecideConfig,
  createKeyRing,
  DEFAULT_MAX_AGE_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  FlkPcsError,
  parseKeyRing,
  PCS_VERSIONS,
  SIGN_ALGS,
  type DecideConfig,
  type DecisionParams,
  type KeyRing,
  type SignAlg,
  type SignatureCrypto,
  type TenantKeyRing,
} from '@flk/pcs';
import type { EnvReader, Env } from './index.js';

export const SIGNING_ENV = {
  SIGN_ALG: 'PCS_SIGN_ALG',
  HMAC_KEY: 'PCS_HMAC_KEY',
  ED25519_PUB: 'PCS_ED25519_PUB_B64',
  KEYRING_FILE: 'PCS_KEYRING_FILE',
  ACCEPT_VERSIONS: 'PCS_ACCEPT_VERSIONS',
  MAX_AGE: 'PCS_MAX_AGE_SECONDS',
  MAX_SKEW: 'PCS_MAX_SKEW_SECONDS',
} as const;

export interface SigningConfig {
  /** PCS_SIGN_ALG as set (undefined = not set). */
  signAlg: SignAlg | undefined;
  /** False only when PCS_SIGN_ALG=none (or, for offline tools, when nothing is configured). */
  signatures: boolean;
  v01: KeyRing | null;
  tenants: TenantKeyRing | null;
  keyringFile: string | undefined;
  acceptVersions: string[];
  maxAgeSeconds: number;
  maxSkewSeconds: number;
}

export interface SigningOptions {
  /** Reads PCS_KEYRING_FILE and `secret_file` entries (fs.readFileSync in apps). */
  readFile: (path: string) => string;
  /** The environment `secret_env` entries are read from. */
  env: Env;
  /** OpenSSL-backed primitives in the verifier; @noble by default. */
  crypto?: SignatureCrypto;
  /** Ring builder for the v0.1 keys (createKeyRing by default; the verifier passes its node:crypto ring). */
  createV01Ring?: typeof createKeyRing;
  /** An explicit algorithm choice that overrides PCS_SIGN_ALG (the CLI's --alg). */
  signAlgOverride?: SignAlg;
}

/** The v0.2 ring from a ring document's text; FlkPcsError (PCS_INVALID_KEYRING) names the entry. */
export function loadTenantRing(path: string, opts: Pick<SigningOptions, 'readFile' | 'env' | 'crypto'>): TenantKeyRing {
  let text: string;
  try {
    text = opts.readFile(path);
  } catch (err) {
    const code = (err as { code?: unknown } | null)?.code;
    throw new FlkPcsError('PCS_INVALID_KEYRING', `cannot read ${path}${typeof code === 'string' ? ` (${code})` : ''}`);
  }
  return parseKeyRing(text, { env: (n) => opts.env[n], readFile: opts.readFile }, opts.crypto);
}

export function readSigningConfig(r: EnvReader, opts: SigningOptions): SigningConfig {
  const signAlg = opts.signAlgOverride ?? (r.optionalString(SIGNING_ENV.SIGN_ALG) === undefined ? undefined : r.oneOf(SIGNING_ENV.SIGN_ALG, SIGN_ALGS, 'none'));
  const keyringFile = r.optionalString(SIGNING_ENV.KEYRING_FILE);
  const build = opts.createV01Ring ?? createKeyRing;
  let v01: KeyRing | null = null;
  if (signAlg === 'hmac' || signAlg === 'ed25519') {
    const name = signAlg === 'hmac' ? SIGNING_ENV.HMAC_KEY : SIGNING_ENV.ED25519_PUB;
    const keys = r.list(name);
    if (keys.length === 0) r.problem(`${name}: required when ${SIGNING_ENV.SIGN_ALG}=${signAlg}`);
    else {
      try {
        v01 = signAlg === 'hmac' ? build({ alg: 'hmac', hmacKeys: keys }) : build({ alg: 'ed25519', ed25519PublicKeysB64: keys });
      } catch (err) {
        // The core's messages describe the problem, never the key.
        r.problem(`${name}: invalid key (${err instanceof FlkPcsError ? err.message : 'invalid key'})`);
      }
    }
  }
  let tenants: TenantKeyRing | null = null;
  if (keyringFile !== undefined) {
    try {
      tenants = loadTenantRing(keyringFile, opts);
    } catch (err) {
      r.problem(`${SIGNING_ENV.KEYRING_FILE}: ${err instanceof FlkPcsError ? err.message : 'cannot be loaded'}`);
    }
  }
  return {
    signAlg,
    signatures: signAlg !== 'none' && (signAlg !== undefined || keyringFile !== undefined),
    v01,
    tenants,
    keyringFile,
    ...readDecisionWindow(r),
  };
}

export interface DecisionWindow {
  acceptVersions: string[];
  maxAgeSeconds: number;
  maxSkewSeconds: number;
}

/** PCS_ACCEPT_VERSIONS, PCS_MAX_AGE_SECONDS, PCS_MAX_SKEW_SECONDS (§7.4, §7.7); a bad value is a problem (defaults returned). */
export function readDecisionWindow(r: EnvReader): DecisionWindow {
  const acceptVersions = r.list(SIGNING_ENV.ACCEPT_VERSIONS, PCS_VERSIONS);
  const valid = acceptVersions.length > 0 && acceptVersions.every((v) => (PCS_VERSIONS as readonly string[]).includes(v));
  if (!valid) r.problem(`${SIGNING_ENV.ACCEPT_VERSIONS}: expected a comma-separated list of ${PCS_VERSIONS.join(', ')}`);
  return {
    acceptVersions: valid ? acceptVersions : [...PCS_VERSIONS],
    maxAgeSeconds: r.int(SIGNING_ENV.MAX_AGE, DEFAULT_MAX_AGE_SECONDS, { min: 1, max: 10 * 365 * 86_400 }),
    maxSkewSeconds: r.int(SIGNING_ENV.MAX_SKEW, DEFAULT_MAX_SKEW_SECONDS, { min: 0, max: 86_400 }),
  };
}

/** The DecideConfig of a signing configuration (with a replacement tenant ring after a reload). */
export function decideConfigOf(s: SigningConfig, params: DecisionParams, tenants: TenantKeyRing | null = s.tenants, sha256?: (payload: string) => Uint8Array): DecideConfig {
  return createDecideConfig({
    params,
    signatures: s.signatures,
    v01: s.v01,
    tenants,
    acceptVersions: s.acceptVersions,
    maxAgeSeconds: s.maxAgeSeconds,
    maxSkewSeconds: s.maxSkewSeconds,
    ...(sha256 === undefined ? {} : { sha256 }),
  });
}
