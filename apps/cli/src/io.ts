// The CLI's only window on the outside world. `run()` receives one of these, so tests drive the
// whole CLI in-process and main.ts binds it to the real process.

/** Anything with a `write(string)`: process.stdout, or an array-backed sink in tests. */
export interface TextSink {
  write(chunk: string): unknown;
}

export interface CliIo {
  /** Standard input, read only when an input is `-` (and then once: later `-` reuse the bytes). */
  readonly stdin: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;
  readonly stdout: TextSink;
  readonly stderr: TextSink;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly readFile: (path: string) => Promise<Uint8Array>;
  /** Clock for `decided_at` and the default `sent_at`; defaults to the system clock. */
  readonly now?: () => Date;
}

/** Writes whole lines, each terminated by exactly one `\n`. */
export interface Out {
  line(text: string): void;
  /** `flk: <message>` on stderr. */
  error(message: string): void;
}

export function createOut(io: CliIo): Out {
  return {
    line: (text) => void io.stdout.write(`${text}\n`),
    error: (message) => void io.stderr.write(`flk: ${message}\n`),
  };
}

export const STDIN = '-';

/** How an input is named in messages. */
export function inputName(path: string): string {
  return path === STDIN ? '<stdin>' : path;
}

/** Reads named inputs (`-` = stdin, read at most once) as bytes or UTF-8 text. */
export interface InputReader {
  bytes(path: string): Promise<Uint8Array>;
  /** Strict UTF-8 (invalid sequences throw), leading BOM dropped (for the points file; records go to the core as bytes). */
  text(path: string): Promise<string>;
}

export function createInputReader(io: CliIo): InputReader {
  let stdin: Promise<Uint8Array> | undefined;
  const bytes = (path: string): Promise<Uint8Array> => {
    if (path !== STDIN) return io.readFile(path);
    stdin ??= readAll(io.stdin);
    return stdin;
  };
  return {
    bytes,
    text: async (path) => new TextDecoder('utf-8', { fatal: true }).decode(await bytes(path)),
  };
}

async function readAll(source: CliIo['stdin']): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of source) parts.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
  return Buffer.concat(parts);
}

/** A one-line description of why an input could not be read (ENOENT, EISDIR, bad UTF-8, ...). */
export function describeReadError(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EISDIR': return 'is a directory';
    case 'EACCES':
    case 'EPERM': return 'permission denied';
    case 'ERR_ENCODING_INVALID_ENCODED_DATA': return 'not valid UTF-8';
    default:
      if (err instanceof TypeError && /encod/i.test(err.message)) return 'not valid UTF-8';
      return `cannot read: ${err instanceof Error ? err.message : String(err)}`;
  }
}
