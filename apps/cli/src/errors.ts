// Exit statuses and the two error types the CLI raises itself. Everything else that escapes a
// command is an internal error (exit 70) reported on one line, never a stack trace.
export const EXIT = {
  /** Every input produced its output line. */
  OK: 0,
  /** At least one input failed (unreadable, invalid JSON, invalid record); or `verify --strict` saw a non-accepted verdict. */
  INPUT: 1,
  /** A comparison found differences (`policy diff`, `replay`): a CI step gates a policy change on it. */
  DIFFERS: 3,
  /** Bad command line or bad configuration (unknown command/flag, missing or invalid key in the environment). */
  USAGE: 2,
  /** A bug: an unexpected exception (sysexits.h EX_SOFTWARE). */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Wrong command line: unknown command or flag, missing or malformed flag value. Exit 2. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  /** `help` names the help page to point at, e.g. `flk pcs sign --help`. */
  constructor(message: string, readonly help: string) {
    super(message);
  }
}

/** Bad configuration (environment): missing or invalid key material, unknown algorithm. Exit 2. */
export class CliConfigError extends Error {
  override readonly name = 'CliConfigError';
}

/** Bad input of a command with a single output (`pcs make`): one line naming the input, exit 1. */
export class CliInputError extends Error {
  override readonly name = 'CliInputError';
  constructor(readonly input: string, message: string) {
    super(message);
  }
}

/** One line: error messages must never spill over several lines. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
