// flk keygen ed25519: a fresh key pair, printed as the two environment assignments that use it.
import { generateEd25519KeyPair } from '@flk/pcs';
import { parseCommandArgs } from '../args.js';
import { help, type Context } from '../context.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, KEYGEN_HELP } from '../help.js';
import { ENV } from '../keys.js';

export async function keygen(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.keygen);
  if (parsed.values.help) return help(ctx, KEYGEN_HELP);
  const [alg, ...extra] = parsed.positionals;
  if (alg === undefined) throw new CliUsageError('missing key type (ed25519)', HELP_CMD.keygen);
  if (alg !== 'ed25519') throw new CliUsageError(`unknown key type '${alg}' (only ed25519)`, HELP_CMD.keygen);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument '${extra[0]}'`, HELP_CMD.keygen);
  const { privB64, pubB64 } = generateEd25519KeyPair();
  ctx.out.line(`${ENV.ED25519_PRIV}=${privB64}`);
  ctx.out.line(`${ENV.ED25519_PUB}=${pubB64}`);
  return EXIT.OK;
}
