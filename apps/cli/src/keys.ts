// Key material from the environment (contract §6). The CLI reads the variables, the core builds
// signers and key rings from them; a missing or invalid key is a configuration error (exit 2)
// whose message names the variable and never echoes the key.
import {
  createEd25519Signer,
  createHmacSigner,
  createKeyRing,
  FlkPcsError,
  SIGN_ALGS,
  type KeyRing,
  type SignAlg,
  type Signer,
} from '@flk/pcs';
import { ConfigError, EnvReader, type Env } from '@flk/config';
import { CliConfigError, CliUsageError } from './errors.js';

export const ENV = {
  SIGN_ALG: 'PCS_SIGN_ALG',
  HMAC_KEY: 'PCS_HMAC_KEY',
  ED25519_PRIV: 'PCS_ED25519_PRIV_B64',
  ED25519_PUB: 'PCS_ED25519_PUB_B64',
} as const;

/** Reads with @flk/config, as the agent and verifier do, so a value means the same everywhere. */
function readEnv<T>(env: Env, read: (r: EnvReader) => T): T {
  const reader = new EnvReader(env);
  try {
    return reader.done(read(reader));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliConfigError(err.problems.join('; '));
    throw err;
  }
}

/**
 * The signing algorithm: `--alg` when given, else `PCS_SIGN_ALG` when set, else `fallback`
 * (undefined = required). `allowed` limits the choice (sign cannot use `none`).
 */
export function resolveAlg(
  flag: string | undefined,
  env: Env,
  allowed: readonly SignAlg[],
  fallback: SignAlg | undefined,
  help: string,
): SignAlg {
  const list = allowed.join('|');
  if (flag !== undefined) {
    if (!isAlg(flag, allowed)) throw new CliUsageError(`--alg: expected ${list}, got '${flag}'`, help);
    return flag;
  }
  const fromEnv = readEnv(env, (r) => (r.optionalString(ENV.SIGN_ALG) === undefined ? undefined : r.oneOf(ENV.SIGN_ALG, SIGN_ALGS, 'none')));
  if (fromEnv !== undefined) {
    if (isAlg(fromEnv, allowed)) return fromEnv;
    if (fallback === undefined) throw new CliUsageError(`${ENV.SIGN_ALG}=${fromEnv} cannot be used here: give --alg ${list}`, help);
  }
  if (fallback === undefined) throw new CliUsageError(`missing required option --alg ${list} (or set ${ENV.SIGN_ALG})`, help);
  return fallback;
}

function isAlg(value: string, allowed: readonly SignAlg[]): value is SignAlg {
  return (allowed as readonly string[]).includes(value);
}

/** A comma-separated key list (@flk/config `list`): entries trimmed, empty entries dropped. */
export function keyList(env: Env, name: string): string[] {
  return readEnv(env, (r) => r.list(name));
}

/** The signer for `alg` (HMAC: the first key of the ring), or undefined for `none`. */
export function signerFromEnv(alg: SignAlg, env: Env): Signer | undefined {
  if (alg === 'none') return undefined;
  const name = alg === 'hmac' ? ENV.HMAC_KEY : ENV.ED25519_PRIV;
  const keys = requireKeys(env, name, alg);
  const first = keys[0] as string;
  return withKeyErrors(name, keys, () => (alg === 'hmac' ? createHmacSigner(first) : createEd25519Signer(first)));
}

/** The verifier's key ring for `alg` (HMAC: every key of `PCS_HMAC_KEY`; Ed25519: of `PCS_ED25519_PUB_B64`). */
export function keyRingFromEnv(alg: SignAlg, env: Env): KeyRing {
  if (alg === 'none') return createKeyRing({ alg });
  if (alg === 'hmac') {
    const hmacKeys = requireKeys(env, ENV.HMAC_KEY, alg);
    return withKeyErrors(ENV.HMAC_KEY, hmacKeys, () => createKeyRing({ alg, hmacKeys }));
  }
  const ed25519PublicKeysB64 = requireKeys(env, ENV.ED25519_PUB, alg);
  return withKeyErrors(ENV.ED25519_PUB, ed25519PublicKeysB64, () => createKeyRing({ alg, ed25519PublicKeysB64 }));
}

function requireKeys(env: Env, name: string, alg: SignAlg): string[] {
  const keys = keyList(env, name);
  if (keys.length === 0) throw new CliConfigError(`${name} is not set (needed for ${alg} signatures)`);
  return keys;
}

/** Turns the core's invalid-key error into a config error naming the variable, with the keys redacted. */
function withKeyErrors<T>(name: string, secrets: readonly string[], build: () => T): T {
  try {
    return build();
  } catch (err) {
    if (!(err instanceof FlkPcsError)) throw err;
    throw new CliConfigError(`${name}: invalid key (${redact(err.message, secrets)})`);
  }
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length)) if (s.length > 0) out = out.split(s).join('***');
  return out;
}
