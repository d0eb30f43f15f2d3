// flk pcs id FILE...: the pcs_id computed from each record's merkle_root, epoch and shard_id (§1).
import { computePcsId, FlkPcsError } from '@flk/pcs';
import { parseCommandArgs } from '../args.js';
import { fail, forEachFile, help, ok, type Context } from '../context.js';
import type { ExitCode } from '../errors.js';
import { HELP_CMD, ID_HELP } from '../help.js';
import { readRecordFields } from '../record.js';

const ID_FIELDS = ['merkle_root', 'epoch', 'shard_id'] as const;

export async function pcsId(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.id);
  if (parsed.values.help) return help(ctx, ID_HELP);
  return forEachFile(ctx, parsed.positionals, HELP_CMD.id, (bytes) => {
    const rec = readRecordFields(bytes, ID_FIELDS);
    if (!rec.ok) return fail(rec.problem);
    const { merkle_root, epoch, shard_id } = rec.record;
    try {
      return ok(computePcsId(merkle_root as string, epoch as number, shard_id as string));
    } catch (err) {
      if (err instanceof FlkPcsError) return fail(err.message);
      throw err;
    }
  });
}
