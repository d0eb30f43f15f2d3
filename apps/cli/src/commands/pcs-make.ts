// flk pcs make: build a PCS from raw data the way an agent does. The CLI reads the files, cuts
// the payload into chunks and picks the signer; computing the record is the core's buildPcs.
import { buildPcs, FlkPcsError, PCS_VERSION, PCS_VERSION_V02, PCS_VERSIONS, type Pcs, type PcsVersion } from '@flk/pcs';
import { integerFlag, parseCommandArgs, requireFlag, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliInputError, CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, MAKE_HELP } from '../help.js';
import { describeReadError, STDIN } from '../io.js';
import { resolveAlg, signerFromEnv } from '../keys.js';
import { chunkBytes, parsePoints } from '../points.js';

/** An RFC 3339 date-time (the ISO-8601 profile the contract's example uses). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** §7.1: the v0.2 sent_at form (UTC, `Z`, up to 9 fraction digits). */
const ISO_TIME_V02 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** Payload chunk size (bytes) of the Merkle tree when --chunk-size is not given. */
export const DEFAULT_CHUNK_SIZE = 4096;

export async function pcsMake(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const h = HELP_CMD.make;
  const parsed = parseCommandArgs(
    args,
    {
      shard: { type: 'string' },
      epoch: { type: 'string' },
      seed: { type: 'string' },
      attempt: { type: 'string' },
      'sent-at': { type: 'string' },
      'outbox-seq': { type: 'string' },
      points: { type: 'string' },
      data: { type: 'string' },
      'chunk-size': { type: 'string' },
      alg: { type: 'string' },
      tenant: { type: 'string' },
      'key-id': { type: 'string' },
      'pcs-version': { type: 'string' },
    },
    h,
  );
  if (parsed.values.help) return help(ctx, MAKE_HELP);
  if (parsed.positionals.length > 0) throw new CliUsageError(`unexpected argument '${parsed.positionals[0]}'`, h);

  const shard_id = requireFlag(stringFlag(parsed, 'shard'), 'shard', h);
  const epoch = requireFlag(integerFlag(parsed, 'epoch', h), 'epoch', h);
  const seed = requireFlag(integerFlag(parsed, 'seed', h), 'seed', h);
  const attempt = integerFlag(parsed, 'attempt', h);
  const outbox_seq = integerFlag(parsed, 'outbox-seq', h);
  const sent_at = stringFlag(parsed, 'sent-at') ?? nowToTheSecond(ctx.now());
  if (!ISO_TIME.test(sent_at) || Number.isNaN(Date.parse(sent_at))) {
    throw new CliUsageError(`--sent-at: expected an ISO-8601 time like 2025-01-01T00:00:00Z, got '${sent_at}'`, h);
  }
  const chunkSize = integerFlag(parsed, 'chunk-size', h) ?? DEFAULT_CHUNK_SIZE;
  if (chunkSize < 1) throw new CliUsageError(`--chunk-size: expected a positive integer, got ${chunkSize}`, h);
  // No points, no record: N_j and coh_star are computed from them.
  const pointsFile = requireFlag(stringFlag(parsed, 'points'), 'points', h);
  const dataFile = stringFlag(parsed, 'data');
  if (pointsFile === STDIN && dataFile === STDIN) throw new CliUsageError('--points and --data cannot both be standard input', h);
  // v0.2 (§7) when a tenant is given (--tenant or PCS_TENANT_ID), else v0.1; --pcs-version chooses.
  const env = ctx.io.env;
  const tenant_id = stringFlag(parsed, 'tenant') ?? nonEmpty(env.PCS_TENANT_ID);
  const key_id = stringFlag(parsed, 'key-id') ?? nonEmpty(env.PCS_KEY_ID);
  const versionFlag = stringFlag(parsed, 'pcs-version');
  if (versionFlag !== undefined && !(PCS_VERSIONS as readonly string[]).includes(versionFlag)) {
    throw new CliUsageError(`--pcs-version: expected ${PCS_VERSIONS.join('|')}, got '${versionFlag}'`, h);
  }
  const version = (versionFlag as PcsVersion | undefined) ?? (tenant_id !== undefined ? PCS_VERSION_V02 : PCS_VERSION);
  if (version === PCS_VERSION_V02 && tenant_id === undefined) throw new CliUsageError('a v0.2 record needs --tenant (or PCS_TENANT_ID)', h);
  if (version === PCS_VERSION_V02 && !ISO_TIME_V02.test(sent_at)) {
    throw new CliUsageError(`--sent-at: a v0.2 sent_at is UTC, like 2025-01-01T00:00:00Z or 2025-01-01T00:00:00.123Z, got '${sent_at}'`, h);
  }
  const alg = resolveAlg(stringFlag(parsed, 'alg'), ctx.io.env, ['none', 'hmac', 'ed25519'], 'none', h);
  const signer = signerFromEnv(alg, ctx.io.env);

  const pointsText = await read(pointsFile, () => ctx.input.text(pointsFile));
  const points = parsePoints(pointsText);
  if (!points.ok) throw new CliInputError(pointsFile, points.problem);
  const data = dataFile === undefined ? new Uint8Array(0) : await read(dataFile, () => ctx.input.bytes(dataFile));

  let pcs: Pcs;
  try {
    pcs = buildPcs(
      {
        shard_id,
        epoch,
        seed,
        sent_at,
        points: points.points,
        chunks: chunkBytes(data, chunkSize),
        ...(attempt === undefined ? {} : { attempt }),
        ...(outbox_seq === undefined ? {} : { outbox_seq }),
        version,
        ...(tenant_id === undefined ? {} : { tenant_id }),
        ...(key_id === undefined ? {} : { key_id }),
      },
      signer,
    );
  } catch (err) {
    // Includes anything that would make the record malformed (buildPcs validates what it built).
    if (err instanceof FlkPcsError) throw new CliInputError('pcs make', err.message);
    throw err;
  }
  ctx.out.line(JSON.stringify(pcs));
  return EXIT.OK;
}

async function read<T>(file: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    throw new CliInputError(file, describeReadError(err));
  }
}

/** `2025-01-01T00:00:00Z`: the contract's sent_at form, without milliseconds. */
function nowToTheSecond(now: Date): string {
  return `${now.toISOString().slice(0, 19)}Z`;
}
