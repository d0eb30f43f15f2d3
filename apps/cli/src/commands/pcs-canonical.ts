// flk pcs canonical FILE...: the exact signing payload (contract §2) of each record.
import { canonicalPayload, FlkPcsError, type SignedFields } from '@flk/pcs';
import { parseCommandArgs } from '../args.js';
import { fail, forEachFile, help, ok, type Context } from '../context.js';
import type { ExitCode } from '../errors.js';
import { CANONICAL_HELP, HELP_CMD } from '../help.js';
import { readRecordFields } from '../record.js';

export const SIGNED_FIELDS = ['pcs_id', 'merkle_root', 'epoch', 'shard_id', 'D_hat', 'coh_star', 'r', 'budget'] as const;

export async function pcsCanonical(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.canonical);
  if (parsed.values.help) return help(ctx, CANONICAL_HELP);
  return forEachFile(ctx, parsed.positionals, HELP_CMD.canonical, (bytes) => {
    const rec = readRecordFields(bytes, SIGNED_FIELDS);
    if (!rec.ok) return fail(rec.problem);
    try {
      return ok(canonicalPayload(rec.record as unknown as SignedFields));
    } catch (err) {
      if (err instanceof FlkPcsError) return fail(err.message);
      throw err;
    }
  });
}
