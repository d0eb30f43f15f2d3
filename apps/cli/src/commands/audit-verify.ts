// flk audit verify DIR... [--checkpoint FILE]: checks a sink audit log's hash chain and points at
// the first break; with a signed checkpoint, also that the log extends it (nothing cut off its end,
// nothing before the checkpoint rewritten), which the chain alone cannot show.
import { matchCheckpoint, parseVerifierKey, readAuditMerkleTree, verifyAuditDir, verifyCheckpointNote, FlkAuditError, type Checkpoint } from '@flk/audit';
import { parseCommandArgs, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliConfigError, CliUsageError, EXIT, oneLine, type ExitCode } from '../errors.js';
import { AUDIT_VERIFY_HELP, HELP_CMD } from '../help.js';
import { describeReadError, inputName } from '../io.js';

/** The checkpoint verifier key (the public `NAME+<hash>+<key>` string that `flk audit keygen` prints). */
export const AUDIT_VKEY_ENV = 'AUDIT_CHECKPOINT_VKEY';

async function loadCheckpoint(ctx: Context, file: string): Promise<Checkpoint | null> {
  const vkeyText = ctx.io.env[AUDIT_VKEY_ENV];
  if (!vkeyText) throw new CliConfigError(`${AUDIT_VKEY_ENV} is not set (needed to check the signature of --checkpoint)`);
  let vkey;
  try {
    vkey = parseVerifierKey(vkeyText);
  } catch (err) {
    if (err instanceof FlkAuditError) throw new CliConfigError(`${AUDIT_VKEY_ENV}: ${err.message}`);
    throw err;
  }
  let note: string;
  try {
    note = new TextDecoder().decode(await ctx.input.bytes(file));
  } catch (err) {
    ctx.out.error(`${inputName(file)}: ${describeReadError(err)}`);
    return null;
  }
  const v = verifyCheckpointNote(note, vkey);
  if (!v.ok) {
    ctx.out.error(`${inputName(file)}: checkpoint rejected: ${v.problem}`);
    return null;
  }
  return v.checkpoint;
}

export async function auditVerify(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { checkpoint: { type: 'string' } }, HELP_CMD.auditVerify);
  if (parsed.values.help) return help(ctx, AUDIT_VERIFY_HELP);
  if (parsed.positionals.length === 0) throw new CliUsageError('missing DIR', HELP_CMD.auditVerify);
  const checkpointFile = stringFlag(parsed, 'checkpoint');
  let checkpoint: Checkpoint | null = null;
  if (checkpointFile !== undefined) {
    checkpoint = await loadCheckpoint(ctx, checkpointFile);
    if (checkpoint === null) return EXIT.INPUT;
  }
  let status: ExitCode = EXIT.OK;
  for (const dir of parsed.positionals) {
    let result: Awaited<ReturnType<typeof verifyAuditDir>>;
    try {
      result = await verifyAuditDir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      ctx.out.error(`${dir}: ${code === 'ENOENT' ? 'no such directory' : oneLine((err as Error).message)}`);
      status = EXIT.INPUT;
      continue;
    }
    if (!result.ok) {
      ctx.out.line(JSON.stringify({ dir, ok: false, segment: result.segment, line: result.line, reason: result.reason, detail: result.detail, lines_verified: result.linesVerified }));
      status = EXIT.INPUT;
      continue;
    }
    if (checkpoint !== null) {
      const m = matchCheckpoint(await readAuditMerkleTree(dir), checkpoint);
      if (!m.ok) {
        ctx.out.line(JSON.stringify({ dir, ok: false, reason: m.reason, log_size: m.size, checkpoint_size: m.checkpointSize, detail: m.message }));
        status = EXIT.INPUT;
        continue;
      }
      ctx.out.line(JSON.stringify({ dir, ok: true, lines: result.lines, segments: result.segments, last_hash: result.lastHash, checkpoint_size: m.checkpointSize }));
      continue;
    }
    ctx.out.line(JSON.stringify({ dir, ok: true, lines: result.lines, segments: result.segments, last_hash: result.lastHash }));
  }
  return status;
}
