// Argument parsing: Node's util.parseArgs in strict mode, with its errors turned into one-line
// usage errors (exit 2) that point at the command's help page.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliUsageError, oneLine } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed {
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
}

/** Parses `args` against `options` (plus `--help`/`-h`); `help` is the command's help invocation. */
export function parseCommandArgs(args: readonly string[], options: Options, help: string): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Parsed['values'], positionals };
  } catch (err) {
    throw new CliUsageError(parseErrorMessage(err), help);
  }
}

function parseErrorMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown }).code;
  const option = /'(-[^']*)'/.exec(message)?.[1];
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option) return `unknown option '${option}'`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option) {
    return /ambiguous/.test(message)
      ? `option '${option}' needs a value (for a value starting with '-', write ${option}=VALUE)`
      : `option '${option}' ${/does not take/.test(message) ? 'takes no value' : 'needs a value'}`;
  }
  return oneLine(message);
}

/** A string flag's value, or undefined. */
export function stringFlag(parsed: Parsed, name: string): string | undefined {
  const v = parsed.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A decimal integer flag (within ±(2^53 − 1)), or undefined when absent. */
export function integerFlag(parsed: Parsed, name: string, help: string): number | undefined {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^[+-]?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw new CliUsageError(`--${name}: expected an integer, got '${raw}'`, help);
  }
  return n;
}

/** A finite, non-negative number flag (tolerances), or undefined when absent. */
export function numberFlag(parsed: Parsed, name: string, help: string): number | undefined {
  const raw = stringFlag(parsed, name);
  if (raw === undefined) return undefined;
  const n = raw.trim() === '' ? NaN : Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new CliUsageError(`--${name}: expected a number >= 0, got '${raw}'`, help);
  return n;
}

export function requireFlag<T>(value: T | undefined, name: string, help: string): T {
  if (value === undefined) throw new CliUsageError(`missing required option --${name}`, help);
  return value;
}
