// flk pcs verify FILE...: the verdict (contract §5, §7) of each record, decided offline by the core:
// structure, version, signature, freshness, signals; no dedup store (prior = null), source null,
// decided_at = now. v0.1 records use the v0.1 ring (PCS_SIGN_ALG + keys), v0.2 records the tenant
// ring of PCS_KEYRING_FILE; `--now` is the freshness `now` (§7.4; default the current time).
import { readFileSync } from 'node:fs';
import { ConfigError, EnvReader, loadTenantRing, readDecisionWindow, SIGNING_ENV, type DecisionWindow } from '@flk/config';
import {
  createDecideConfig,
  createDecisionParams,
  decide,
  FlkPcsError,
  instantFromMs,
  parseRfc3339,
  type DecisionParams,
  type TenantKeyRing,
} from '@flk/pcs';
import { numberFlag, parseCommandArgs, stringFlag, type Parsed } from '../args.js';
import { forEachFile, help, ok, type Context } from '../context.js';
import { CliConfigError, CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, VERIFY_HELP } from '../help.js';
import { ENV, keyRingFromEnv, resolveAlg } from '../keys.js';

const TOLERANCE_FLAGS = { 'tol-d': 'tolD', 'tol-coh': 'tolCoh', 'tol-r': 'tolR', 'tol-budget': 'tolBudget' } as const;

export async function pcsVerify(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(
    args,
    {
      alg: { type: 'string' },
      now: { type: 'string' },
      strict: { type: 'boolean' },
      'tol-d': { type: 'string' },
      'tol-coh': { type: 'string' },
      'tol-r': { type: 'string' },
      'tol-budget': { type: 'string' },
    },
    HELP_CMD.verify,
  );
  if (parsed.values.help) return help(ctx, VERIFY_HELP);
  const params = decisionParams(parsed);
  const nowFlag = stringFlag(parsed, 'now');
  const nowNs = nowFlag === undefined ? undefined : parseRfc3339(nowFlag);
  if (nowNs === null) throw new CliUsageError(`--now: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got '${nowFlag}'`, HELP_CMD.verify);
  const env = ctx.io.env;
  const alg = resolveAlg(stringFlag(parsed, 'alg'), env, ['none', 'hmac', 'ed25519'], 'none', HELP_CMD.verify);
  const explicitNone = alg === 'none' && (stringFlag(parsed, 'alg') !== undefined || (env[ENV.SIGN_ALG] ?? '').trim() !== '');
  const v01 = alg === 'none' ? null : keyRingFromEnv(alg, env);
  const ringFile = (env[SIGNING_ENV.KEYRING_FILE] ?? '').trim() || undefined;
  let tenants: TenantKeyRing | null = null;
  if (ringFile !== undefined && !explicitNone) {
    try {
      tenants = loadTenantRing(ringFile, { readFile: (p) => readFileSync(p, 'utf8'), env });
    } catch (err) {
      if (err instanceof FlkPcsError) throw new CliConfigError(`${SIGNING_ENV.KEYRING_FILE}: ${err.message}`);
      throw err;
    }
  }
  const window = readWindow(env);
  const config = createDecideConfig({
    params,
    // Signatures are checked when a v0.1 algorithm is chosen or a tenant ring is given (and
    // PCS_SIGN_ALG=none does not turn them off); otherwise every verdict says signature_checked false.
    signatures: alg !== 'none' || tenants !== null,
    v01,
    tenants,
    ...window,
  });
  let notAccepted = 0;
  const status = await forEachFile(ctx, parsed.positionals, HELP_CMD.verify, (bytes) => {
    const decidedAt = ctx.now();
    // The bytes as read: the core decodes them as the verifier does (bad UTF-8 is malformed:utf8).
    const verdict = decide(bytes, config, null, { decidedAt: decidedAt.toISOString(), source: null, now: nowNs ?? instantFromMs(decidedAt.getTime()) });
    if (!verdict.accepted) notAccepted++;
    return ok(JSON.stringify(verdict));
  });
  if (status === EXIT.OK && parsed.values.strict && notAccepted > 0) return EXIT.INPUT;
  return status;
}

/** PCS_ACCEPT_VERSIONS, PCS_MAX_AGE_SECONDS, PCS_MAX_SKEW_SECONDS, read as the verifier reads them. */
function readWindow(env: Readonly<Record<string, string | undefined>>): DecisionWindow {
  const r = new EnvReader(env);
  try {
    return r.done(readDecisionWindow(r));
  } catch (err) {
    if (err instanceof ConfigError) throw new CliConfigError(err.problems.join('; '));
    throw err;
  }
}

function decisionParams(parsed: Parsed): DecisionParams {
  const partial: Partial<Record<(typeof TOLERANCE_FLAGS)[keyof typeof TOLERANCE_FLAGS], number>> = {};
  for (const [flag, key] of Object.entries(TOLERANCE_FLAGS)) {
    const value = numberFlag(parsed, flag, HELP_CMD.verify);
    if (value !== undefined) partial[key] = value;
  }
  try {
    return createDecisionParams(partial);
  } catch (err) {
    if (err instanceof FlkPcsError) throw new CliUsageError(err.message, HELP_CMD.verify);
    throw err;
  }
}
