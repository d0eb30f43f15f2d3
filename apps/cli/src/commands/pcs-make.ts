// flk pcs make: build a PCS from raw data the way an agent does. The CLI reads the files, cuts
// the payload into chunks and picks the signer; computing the record is the core's buildPcs.
import { buildPcs, FlkPcsError, type Pcs } from '@flk/pcs';
import { integerFlag, parseCommandArgs, requireFlag, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliInputError, CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { HELP_CMD, MAKE_HELP } from '../help.js';
import { describeReadError, STDIN } from '../io.js';
import { resolveAlg, signerFromEnv } from '../keys.js';
import { chunkBytes, parsePoints } from '../points.js';

/** An RFC 3339 date-time (the ISO-8601 profile the contract's example uses). */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

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
