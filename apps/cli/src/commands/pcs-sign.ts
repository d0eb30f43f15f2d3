// flk pcs sign FILE...: each valid record with `sig` set, other fields and key order unchanged.
import { FlkPcsError, parsePcsJson, signPcs } from '@flk/pcs';
import { parseCommandArgs, stringFlag } from '../args.js';
import { fail, forEachFile, help, ok, type Context } from '../context.js';
import type { ExitCode } from '../errors.js';
import { HELP_CMD, SIGN_HELP } from '../help.js';
import { resolveAlg, signerFromEnv } from '../keys.js';
import { recordText } from '../record.js';

export async function pcsSign(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { alg: { type: 'string' } }, HELP_CMD.sign);
  if (parsed.values.help) return help(ctx, SIGN_HELP);
  const alg = resolveAlg(stringFlag(parsed, 'alg'), ctx.io.env, ['hmac', 'ed25519'], undefined, HELP_CMD.sign);
  // Keys are checked before any file is read: a configuration error stops the command (exit 2).
  const signer = signerFromEnv(alg, ctx.io.env);
  if (signer === undefined) throw new Error(`no signer for ${alg}`);
  return forEachFile(ctx, parsed.positionals, HELP_CMD.sign, (bytes) => {
    const decoded = recordText(bytes);
    if (!decoded.ok) return fail(decoded.problem);
    const text = decoded.text;
    const result = parsePcsJson(text);
    if (!result.ok) return fail(result.reasons.join(', '));
    let sig: string | undefined;
    try {
      sig = signPcs(result.pcs, signer).sig;
    } catch (err) {
      if (err instanceof FlkPcsError) return fail(err.message);
      throw err;
    }
    // The input as written (JSON.parse reads what the core's reader accepted), with sig replaced
    // in place or appended: spreading keeps the key order.
    const raw = JSON.parse(text) as Record<string, unknown>;
    return ok(JSON.stringify({ ...raw, sig }));
  });
}
