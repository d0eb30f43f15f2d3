// In-memory I/O for driving run() in tests: files from a map (falling back to the real file
// system for fixtures), stdin from a string, stdout/stderr captured, a fixed clock.
import { readFile } from 'node:fs/promises';
import { run } from './run.js';
import type { CliIo } from './io.js';

export const FIXED_NOW = new Date('2025-01-02T03:04:05.678Z');

export interface FakeRunOptions {
  files?: Record<string, string | Uint8Array>;
  stdin?: string | Uint8Array;
  env?: Record<string, string | undefined>;
  now?: Date;
  stdout?: CliIo['stdout'];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  /** stdout split into lines (the final '\n' removed). */
  lines: string[];
  /** stderr split into lines. */
  errors: string[];
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

export async function runCli(argv: string[], opts: FakeRunOptions = {}): Promise<RunResult> {
  let stdout = '';
  let stderr = '';
  const files = opts.files ?? {};
  const io: CliIo = {
    stdin: opts.stdin === undefined ? [] : [opts.stdin],
    stdout: opts.stdout ?? { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: opts.env ?? {},
    readFile: async (path) => {
      const content = Object.hasOwn(files, path) ? files[path] : undefined;
      if (content === undefined) return readFile(path);
      return typeof content === 'string' ? new TextEncoder().encode(content) : content;
    },
    now: () => opts.now ?? FIXED_NOW,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, lines: splitLines(stdout), errors: splitLines(stderr) };
}
