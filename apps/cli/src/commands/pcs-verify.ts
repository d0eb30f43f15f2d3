// flk pcs verify FILE...: the verdict (contract §5) of each record, decided offline by the core:
// structure, signature, signals; no dedup store (prior = null), source null, decided_at = now.
import { createDecisionParams, decide, FlkPcsError, type DecisionParams } from '@flk/pcs';
import { numberFlag, parseCommandArgs, stringFlag, type Parsed } from '../args.js';
import { forEachFile, help, ok, type Context } from '../context.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, VERIFY_HELP } from '../help.js';
import { keyRingFromEnv, resolveAlg } from '../keys.js';

const TOLERANCE_FLAGS = { 'tol-d': 'tolD', 'tol-coh': 'tolCoh', 'tol-r': 'tolR', 'tol-budget': 'tolBudget' } as const;

export async function pcsVerify(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(
    args,
    {
      alg: { type: 'string' },
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
  const alg = resolveAlg(stringFlag(parsed, 'alg'), ctx.io.env, ['none', 'hmac', 'ed25519'], 'none', HELP_CMD.verify);
  const keyRing = keyRingFromEnv(alg, ctx.io.env);
  let notAccepted = 0;
  const status = await forEachFile(ctx, parsed.positionals, HELP_CMD.verify, (bytes) => {
    // The bytes as read: the core decodes them as the verifier does (bad UTF-8 is malformed:utf8).
    const verdict = decide(bytes, params, keyRing, null, { decidedAt: ctx.now().toISOString(), source: null });
    if (!verdict.accepted) notAccepted++;
    return ok(JSON.stringify(verdict));
  });
  if (status === EXIT.OK && parsed.values.strict && notAccepted > 0) return EXIT.INPUT;
  return status;
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
