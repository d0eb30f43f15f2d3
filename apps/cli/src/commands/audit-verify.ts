// flk audit verify DIR...: checks a sink audit log's hash chain and points at the first break.
import { verifyAuditDir } from '@flk/audit';
import { parseCommandArgs } from '../args.js';
import { help, type Context } from '../context.js';
import { CliUsageError, EXIT, oneLine, type ExitCode } from '../errors.js';
import { AUDIT_VERIFY_HELP, HELP_CMD } from '../help.js';

export async function auditVerify(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.auditVerify);
  if (parsed.values.help) return help(ctx, AUDIT_VERIFY_HELP);
  if (parsed.positionals.length === 0) throw new CliUsageError('missing DIR', HELP_CMD.auditVerify);
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
    if (result.ok) {
      ctx.out.line(JSON.stringify({ dir, ok: true, lines: result.lines, segments: result.segments, last_hash: result.lastHash }));
    } else {
      ctx.out.line(JSON.stringify({ dir, ok: false, segment: result.segment, line: result.line, reason: result.reason, detail: result.detail, lines_verified: result.linesVerified }));
      status = EXIT.INPUT;
    }
  }
  return status;
}
