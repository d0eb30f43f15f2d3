// flk keygen ed25519|hmac [--tenant T --key-id K]: a fresh key. Without a tenant (ed25519 only): the
// v0.1 pair as two environment assignments. With --tenant and --key-id (contract §7.3): first the
// verifier's key ring entry (one JSON line for PCS_KEYRING_FILE's "keys" array), then the producer's
// environment. Secrets are printed once, here, and nowhere else.
import { randomBytes } from 'node:crypto';
import { base64Encode, generateEd25519KeyPair, ID_PATTERN } from '@flk/pcs';
import { parseCommandArgs, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, KEYGEN_HELP } from '../help.js';
import { ENV } from '../keys.js';

/** HMAC secrets: 32 random bytes, base64 (the key is the UTF-8 bytes of that string, §2.5). */
const HMAC_SECRET_BYTES = 32;

export async function keygen(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const h = HELP_CMD.keygen;
  const parsed = parseCommandArgs(args, { tenant: { type: 'string' }, 'key-id': { type: 'string' } }, h);
  if (parsed.values.help) return help(ctx, KEYGEN_HELP);
  const [alg, ...extra] = parsed.positionals;
  if (alg === undefined) throw new CliUsageError('missing key type (ed25519 or hmac)', h);
  if (alg !== 'ed25519' && alg !== 'hmac') throw new CliUsageError(`unknown key type '${alg}' (ed25519 or hmac)`, h);
  if (extra.length > 0) throw new CliUsageError(`unexpected argument '${extra[0]}'`, h);
  const tenant = stringFlag(parsed, 'tenant');
  const keyId = stringFlag(parsed, 'key-id');
  if ((tenant === undefined) !== (keyId === undefined)) throw new CliUsageError('--tenant and --key-id go together', h);
  for (const [flag, v] of [['tenant', tenant], ['key-id', keyId]] as const) {
    if (v !== undefined && !ID_PATTERN.test(v)) throw new CliUsageError(`--${flag}: 1-64 characters of [a-z0-9._-], the first a letter or digit; got '${v}'`, h);
  }

  if (tenant === undefined || keyId === undefined) {
    if (alg === 'hmac') throw new CliUsageError('keygen hmac needs --tenant and --key-id (a v0.2 ring entry)', h);
    const { privB64, pubB64 } = generateEd25519KeyPair();
    ctx.out.line(`${ENV.ED25519_PRIV}=${privB64}`);
    ctx.out.line(`${ENV.ED25519_PUB}=${pubB64}`);
    return EXIT.OK;
  }
  if (alg === 'hmac') {
    const secret = base64Encode(randomBytes(HMAC_SECRET_BYTES));
    ctx.out.line(JSON.stringify({ key_id: keyId, tenant_id: tenant, alg: 'hmac', secret }));
    ctx.out.line(`PCS_TENANT_ID=${tenant}`);
    ctx.out.line(`PCS_KEY_ID=${keyId}`);
    ctx.out.line(`${ENV.HMAC_KEY}=${secret}`);
  } else {
    const { privB64, pubB64 } = generateEd25519KeyPair();
    ctx.out.line(JSON.stringify({ key_id: keyId, tenant_id: tenant, alg: 'ed25519', public_key_b64: pubB64 }));
    ctx.out.line(`PCS_TENANT_ID=${tenant}`);
    ctx.out.line(`PCS_KEY_ID=${keyId}`);
    ctx.out.line(`${ENV.ED25519_PRIV}=${privB64}`);
  }
  return EXIT.OK;
}
