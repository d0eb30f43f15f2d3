// flk audit checkpoint / prove / verify-proof / find: the audit log read as an RFC 6962
// transparency log (docs/audit.md). Hashes are lowercase hex; every result is one JSON line,
// except `checkpoint`, which prints the signed checkpoint note itself.
import { stat } from 'node:fs/promises';
import {
  checkProofJson,
  consistencyProof,
  forEachAuditLine,
  formatCheckpoint,
  inclusionProof,
  MerkleReader,
  parseSignerKey,
  openAuditTree,
  signNote,
  FlkAuditError,
  generateNoteKey,
  isKeyName,
  type OpenedAuditTree,
  type NoteSignerKey,
} from '@flk/audit';
import { integerFlag, parseCommandArgs, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliConfigError, CliUsageError, EXIT, oneLine, type ExitCode } from '../errors.js';
import { describeReadError, inputName } from '../io.js';
import {
  AUDIT_CHECKPOINT_HELP,
  AUDIT_FIND_HELP,
  AUDIT_KEYGEN_HELP,
  AUDIT_PROVE_HELP,
  AUDIT_VERIFY_PROOF_HELP,
  HELP_CMD,
} from '../help.js';

export const AUDIT_KEY_ENV = {
  /** The checkpoint signer key, as `flk audit keygen` / Go's note.GenerateKey print it: PRIVATE+KEY+<name>+<hash>+<key>. */
  KEY: 'AUDIT_CHECKPOINT_KEY',
  /** A file holding that key (one line), for keys kept out of the environment. */
  KEY_FILE: 'AUDIT_CHECKPOINT_KEY_FILE',
} as const;

/** Thrown for a DIR that cannot be read: one `flk: DIR: problem` line, exit 1. */
class DirError extends Error {}

async function openTree(dir: string): Promise<OpenedAuditTree> {
  try {
    if (!(await stat(dir)).isDirectory()) throw new DirError(`${dir}: not a directory`);
    // The stored subtree hashes when they fit the log (no rescan), else rebuilt (docs/audit.md).
    return await openAuditTree(dir);
  } catch (err) {
    if (err instanceof DirError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new DirError(`${dir}: ${code === 'ENOENT' ? 'no such directory' : oneLine((err as Error).message)}`);
  }
}

/** Runs `body`, turning a DirError into its stderr line and exit 1. */
async function withDir(ctx: Context, body: () => Promise<ExitCode>): Promise<ExitCode> {
  try {
    return await body();
  } catch (err) {
    if (!(err instanceof DirError)) throw err;
    ctx.out.error(err.message);
    return EXIT.INPUT;
  }
}

function oneDir(positionals: readonly string[], helpCmd: string): string {
  if (positionals.length === 0) throw new CliUsageError('missing DIR', helpCmd);
  if (positionals.length > 1) throw new CliUsageError('expected one DIR', helpCmd);
  return positionals[0]!;
}

async function signerKey(ctx: Context): Promise<NoteSignerKey> {
  const inline = ctx.io.env[AUDIT_KEY_ENV.KEY];
  const file = ctx.io.env[AUDIT_KEY_ENV.KEY_FILE];
  if (inline && file) throw new CliConfigError(`set one of ${AUDIT_KEY_ENV.KEY} and ${AUDIT_KEY_ENV.KEY_FILE}, not both`);
  let text: string;
  let source: string;
  if (inline) {
    text = inline;
    source = AUDIT_KEY_ENV.KEY;
  } else if (file) {
    source = `${AUDIT_KEY_ENV.KEY_FILE} (${file})`;
    try {
      text = new TextDecoder().decode(await ctx.io.readFile(file));
    } catch (err) {
      throw new CliConfigError(`${source}: ${describeReadError(err)}`);
    }
  } else {
    throw new CliConfigError(`a checkpoint needs a signer key: set ${AUDIT_KEY_ENV.KEY} or ${AUDIT_KEY_ENV.KEY_FILE} (flk audit keygen NAME)`);
  }
  try {
    return parseSignerKey(text);
  } catch (err) {
    // The message of a key error never holds the key (@flk/audit).
    if (err instanceof FlkAuditError) throw new CliConfigError(`${source}: ${err.message}`);
    throw err;
  }
}

export async function auditCheckpoint(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { origin: { type: 'string' } }, HELP_CMD.auditCheckpoint);
  if (parsed.values.help) return help(ctx, AUDIT_CHECKPOINT_HELP);
  const dir = oneDir(parsed.positionals, HELP_CMD.auditCheckpoint);
  const key = await signerKey(ctx);
  const origin = stringFlag(parsed, 'origin') ?? key.name;
  if (origin === '' || /\n/.test(origin)) throw new CliUsageError('--origin: must be one non-empty line', HELP_CMD.auditCheckpoint);
  return withDir(ctx, async () => {
    const tree = await openTree(dir);
    const root = new MerkleReader(tree.nodes).root(tree.size);
    tree.close();
    const note = signNote(formatCheckpoint({ origin, size: tree.size, root }), key);
    ctx.io.stdout.write(note);
    return EXIT.OK;
  });
}

export async function auditProve(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const h = HELP_CMD.auditProve;
  const parsed = parseCommandArgs(args, { index: { type: 'string' }, size: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, stats: { type: 'boolean' } }, h);
  if (parsed.values.help) return help(ctx, AUDIT_PROVE_HELP);
  const dir = oneDir(parsed.positionals, h);
  const index = integerFlag(parsed, 'index', h);
  const size = integerFlag(parsed, 'size', h);
  const from = integerFlag(parsed, 'from', h);
  const to = integerFlag(parsed, 'to', h);
  const inclusion = index !== undefined;
  if (inclusion === (from !== undefined || to !== undefined)) throw new CliUsageError('give either --index N [--size M] or --from M --to N', h);
  if (!inclusion && (from === undefined || to === undefined)) throw new CliUsageError('a consistency proof needs both --from M and --to N', h);
  if (!inclusion && size !== undefined) throw new CliUsageError('--size goes with --index', h);
  for (const [name, v] of [['index', index], ['size', size], ['from', from], ['to', to]] as const) {
    if (v !== undefined && v < 0) throw new CliUsageError(`--${name}: must be >= 0`, h);
  }
  return withDir(ctx, async () => {
    const t0 = performance.now();
    const tree = await openTree(dir);
    const t1 = performance.now();
    let result: ReturnType<typeof inclusionProof> | ReturnType<typeof consistencyProof>;
    try {
    if (inclusion) {
      const m = size ?? tree.size;
      if (m > tree.size) throw new DirError(`${dir}: --size ${m} is larger than the log (${tree.size} entries)`);
      if (index >= m) throw new DirError(`${dir}: --index ${index} is not below the tree size ${m}`);
      result = inclusionProof(tree.nodes, index, m);
    } else {
      if (to! > tree.size) throw new DirError(`${dir}: --to ${to} is larger than the log (${tree.size} entries)`);
      if (from! > to!) throw new DirError(`${dir}: --from ${from} is larger than --to ${to}`);
      result = consistencyProof(tree.nodes, from!, to!);
    }
    } finally {
      tree.close();
    }
    const t2 = performance.now();
    ctx.out.line(JSON.stringify(result.proof));
    if (parsed.values.stats) {
      // On stderr, so stdout stays the proof: the proof's own cost apart from reading the log.
      ctx.io.stderr.write(`${JSON.stringify({ log_size: tree.size, hashes: result.cost.hashes, stored_reads: result.cost.reads, tree: tree.source, open_tree_ms: Math.round(t1 - t0), proof_ms: Number((t2 - t1).toFixed(3)) })}\n`);
    }
    return EXIT.OK;
  });
}

export async function auditVerifyProof(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.auditVerifyProof);
  if (parsed.values.help) return help(ctx, AUDIT_VERIFY_PROOF_HELP);
  if (parsed.positionals.length === 0) throw new CliUsageError('no FILE given (use - for standard input)', HELP_CMD.auditVerifyProof);
  let status: ExitCode = EXIT.OK;
  for (const file of parsed.positionals) {
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await ctx.input.bytes(file)));
    } catch (err) {
      ctx.out.error(`${inputName(file)}: ${err instanceof SyntaxError || err instanceof TypeError ? 'not JSON' : describeReadError(err)}`);
      status = EXIT.INPUT;
      continue;
    }
    const r = checkProofJson(value);
    if (r.ok) {
      ctx.out.line(JSON.stringify({ file: inputName(file), ok: true, kind: r.kind }));
    } else {
      ctx.out.line(JSON.stringify({ file: inputName(file), ok: false, kind: r.kind, problem: r.problem }));
      status = EXIT.INPUT;
    }
  }
  return status;
}

export async function auditFind(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, { 'pcs-id': { type: 'string' } }, HELP_CMD.auditFind);
  if (parsed.values.help) return help(ctx, AUDIT_FIND_HELP);
  const dir = oneDir(parsed.positionals, HELP_CMD.auditFind);
  const id = stringFlag(parsed, 'pcs-id');
  if (id === undefined || id === '') throw new CliUsageError('missing required option --pcs-id', HELP_CMD.auditFind);
  return withDir(ctx, async () => {
    (await openTree(dir)).close(); // the same "no such directory" as the other commands
    let found = 0;
    await forEachAuditLine(dir, (first, lines, segment) => {
      lines.forEach((bytes, i) => {
        let entry: unknown;
        try {
          entry = JSON.parse(bytes.toString('utf8'));
        } catch {
          return; // a broken line is `flk audit verify`'s to report; it matches no pcs_id
        }
        const verdict = (entry as { verdict?: { pcs_id?: unknown } } | null)?.verdict;
        if (verdict?.pcs_id !== id) return;
        found++;
        ctx.out.line(JSON.stringify({ leaf_index: first + i, segment, line: i + 1, entry }));
      });
    });
    if (found === 0) {
      ctx.out.error(`${dir}: no entry with pcs_id ${id}`);
      return EXIT.INPUT;
    }
    return EXIT.OK;
  });
}

/** `flk audit keygen NAME`: a fresh checkpoint key; the secret is printed once, here, and nowhere else. */
export async function auditKeygen(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const h = HELP_CMD.auditKeygen;
  const parsed = parseCommandArgs(args, {}, h);
  if (parsed.values.help) return help(ctx, AUDIT_KEYGEN_HELP);
  const [name, ...more] = parsed.positionals;
  if (name === undefined) throw new CliUsageError('audit keygen needs the key NAME', h);
  if (more.length > 0) throw new CliUsageError(`unexpected argument '${more[0]}'`, h);
  if (!isKeyName(name)) throw new CliUsageError(`key name: non-empty, without spaces or '+'; got '${name}'`, h);
  const { signer, verifier } = generateNoteKey(name);
  ctx.out.line(`AUDIT_CHECKPOINT_KEY=${signer}`);
  ctx.out.line(`AUDIT_CHECKPOINT_VKEY=${verifier}`);
  return EXIT.OK;
}
