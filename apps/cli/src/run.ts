// The whole CLI as a function: argv in, exit status out, all I/O through `io`. main.ts binds it
// to the process; tests call it in-process.
import { pcsCanonical } from './commands/pcs-canonical.js';
import { pcsId } from './commands/pcs-id.js';
import { pcsMake } from './commands/pcs-make.js';
import { pcsSign } from './commands/pcs-sign.js';
import { pcsVerify } from './commands/pcs-verify.js';
import { keygen } from './commands/keygen.js';
import { auditVerify } from './commands/audit-verify.js';
import { auditCheckpoint, auditFind, auditKeygen, auditProve, auditVerifyProof } from './commands/audit-transparency.js';
import { policyDiff, policyShow, policyValidate } from './commands/policy.js';
import { replay } from './commands/replay.js';
import { createContext, help, type Context } from './context.js';
import { POLICY_HELP, POLICY_HELP_CMD } from './help-policy.js';
import { CliConfigError, CliInputError, CliUsageError, EXIT, oneLine, type ExitCode } from './errors.js';
import { AUDIT_HELP, HELP_CMD, PCS_HELP, TOP_HELP } from './help.js';
import { inputName, type CliIo } from './io.js';
import { VERSION } from './version.js';

export type { CliIo, TextSink } from './io.js';
export { EXIT, type ExitCode } from './errors.js';

type Command = (args: readonly string[], ctx: Context) => Promise<ExitCode>;

const AUDIT_COMMANDS: Readonly<Record<string, Command>> = {
  verify: auditVerify,
  checkpoint: auditCheckpoint,
  prove: auditProve,
  'verify-proof': auditVerifyProof,
  find: auditFind,
  keygen: auditKeygen,
};

const PCS_COMMANDS: Readonly<Record<string, Command>> = {
  canonical: pcsCanonical,
  id: pcsId,
  sign: pcsSign,
  verify: pcsVerify,
  make: pcsMake,
};

const POLICY_COMMANDS: Readonly<Record<string, Command>> = {
  validate: policyValidate,
  diff: policyDiff,
  show: policyShow,
};

const isHelp = (arg: string | undefined): boolean => arg === '--help' || arg === '-h';

export async function run(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const ctx = createContext(io);
  try {
    return await dispatch(argv, ctx);
  } catch (err) {
    if (err instanceof CliUsageError) {
      ctx.out.error(`${oneLine(err.message)}; see '${err.help}'`);
      return EXIT.USAGE;
    }
    if (err instanceof CliConfigError) {
      ctx.out.error(oneLine(err.message));
      return EXIT.USAGE;
    }
    if (err instanceof CliInputError) {
      ctx.out.error(`${inputName(err.input)}: ${oneLine(err.message)}`);
      return EXIT.INPUT;
    }
    ctx.out.error(`internal error: ${oneLine(err instanceof Error ? `${err.name}: ${err.message}` : String(err))}`);
    return EXIT.INTERNAL;
  }
}

async function dispatch(argv: readonly string[], ctx: Context): Promise<ExitCode> {
  const [first, ...rest] = argv;
  if (first === undefined) throw new CliUsageError('missing command', HELP_CMD.top);
  if (isHelp(first)) return help(ctx, TOP_HELP);
  if (first === '--version') {
    ctx.out.line(VERSION);
    return EXIT.OK;
  }
  if (first === 'keygen') return keygen(rest, ctx);
  if (first === 'audit') {
    const [sub, ...args] = rest;
    if (sub === undefined) throw new CliUsageError('missing audit command', HELP_CMD.audit);
    if (isHelp(sub)) return help(ctx, AUDIT_HELP);
    const command = Object.hasOwn(AUDIT_COMMANDS, sub) ? AUDIT_COMMANDS[sub] : undefined;
    if (command === undefined) throw new CliUsageError(`unknown audit command '${sub}'`, HELP_CMD.audit);
    return command(args, ctx);
  }
  if (first === 'pcs') {
    const [sub, ...args] = rest;
    if (sub === undefined) throw new CliUsageError('missing pcs command', HELP_CMD.pcs);
    if (isHelp(sub)) return help(ctx, PCS_HELP);
    const command = Object.hasOwn(PCS_COMMANDS, sub) ? PCS_COMMANDS[sub] : undefined;
    if (command === undefined) throw new CliUsageError(`unknown pcs command '${sub}'`, HELP_CMD.pcs);
    return command(args, ctx);
  }
  if (first === 'replay') return replay(rest, ctx);
  if (first === 'policy') {
    const [sub, ...args] = rest;
    if (sub === undefined) throw new CliUsageError('missing policy command', POLICY_HELP_CMD.policy);
    if (isHelp(sub)) return help(ctx, POLICY_HELP);
    const command = Object.hasOwn(POLICY_COMMANDS, sub) ? POLICY_COMMANDS[sub] : undefined;
    if (command === undefined) throw new CliUsageError(`unknown policy command '${sub}'`, POLICY_HELP_CMD.policy);
    return command(args, ctx);
  }
  if (first.startsWith('-')) throw new CliUsageError(`unknown option '${first}'`, HELP_CMD.top);
  throw new CliUsageError(`unknown command '${first}'`, HELP_CMD.top);
}
