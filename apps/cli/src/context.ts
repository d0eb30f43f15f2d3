// What every command receives: the I/O, a line writer and the input reader.
import { EXIT, type ExitCode, CliUsageError } from './errors.js';
import { createInputReader, createOut, describeReadError, inputName, type CliIo, type InputReader, type Out } from './io.js';

export interface Context {
  readonly io: CliIo;
  readonly out: Out;
  readonly input: InputReader;
  readonly now: () => Date;
}

export function createContext(io: CliIo): Context {
  return { io, out: createOut(io), input: createInputReader(io), now: io.now ?? (() => new Date()) };
}

/** The result of handling one input: its output line, or a one-line problem (`malformed:...`). */
export type FileResult = { readonly ok: true; readonly line: string } | { readonly ok: false; readonly problem: string };

/**
 * Runs `handle` on each FILE in order: one stdout line per success, one `flk: FILE: problem`
 * stderr line per failure; the other files are still processed. Exit 1 if any failed.
 */
export async function forEachFile(
  ctx: Context,
  files: readonly string[],
  help: string,
  handle: (bytes: Uint8Array) => FileResult,
): Promise<ExitCode> {
  if (files.length === 0) throw new CliUsageError('no FILE given (use - for standard input)', help);
  let status: ExitCode = EXIT.OK;
  for (const file of files) {
    let bytes: Uint8Array;
    try {
      bytes = await ctx.input.bytes(file);
    } catch (err) {
      ctx.out.error(`${inputName(file)}: ${describeReadError(err)}`);
      status = EXIT.INPUT;
      continue;
    }
    const result = handle(bytes);
    if (result.ok) {
      ctx.out.line(result.line);
    } else {
      ctx.out.error(`${inputName(file)}: ${result.problem}`);
      status = EXIT.INPUT;
    }
  }
  return status;
}

/** Prints a help page on stdout: exit 0. */
export function help(ctx: Context, text: string): ExitCode {
  ctx.out.line(text);
  return EXIT.OK;
}

export function ok(line: string): FileResult {
  return { ok: true, line };
}

export function fail(problem: string): FileResult {
  return { ok: false, problem };
}
