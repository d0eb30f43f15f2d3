// Compatibility levels and the rule that applies one (pure; the schema language is behind
// SchemaEngine). Semantics as Confluent's:
//   BACKWARD  the new schema can read data written with the previous schema (new = reader)
//   FORWARD   the previous schema can read data written with the new one (previous = reader)
//   FULL      both
//   *_TRANSITIVE  against every (non-deleted) version instead of only the latest
import type { SchemaEngine } from './schema-engine.js';

export const COMPATIBILITY_LEVELS = [
  'NONE',
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
] as const;

export type CompatibilityLevel = (typeof COMPATIBILITY_LEVELS)[number];

/** Case-insensitive, as Confluent accepts `backward` and `BACKWARD`; undefined when not a level. */
export function parseCompatibilityLevel(value: unknown): CompatibilityLevel | undefined {
  if (typeof value !== 'string') return undefined;
  const upper = value.trim().toUpperCase();
  return (COMPATIBILITY_LEVELS as readonly string[]).includes(upper) ? (upper as CompatibilityLevel) : undefined;
}

export interface PreviousVersion {
  readonly version: number;
  readonly schema: string;
}

/**
 * Why `candidate` breaks `level` against `previous` (ascending by version, deleted versions
 * already removed); an empty list means compatible.
 */
export function compatibilityProblems(
  engine: SchemaEngine,
  level: CompatibilityLevel,
  candidate: string,
  previous: readonly PreviousVersion[],
): string[] {
  if (level === 'NONE' || previous.length === 0) return [];
  const transitive = level.endsWith('_TRANSITIVE');
  const against = transitive ? previous : previous.slice(-1);
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const problems: string[] = [];
  // Newest first, so the first message is about the version the client most likely meant.
  for (const prev of [...against].reverse()) {
    if (backward) {
      for (const p of engine.readProblems(candidate, prev.schema)) {
        problems.push(`BACKWARD: the new schema cannot read data written with version ${prev.version}: ${p}`);
      }
    }
    if (forward) {
      for (const p of engine.readProblems(prev.schema, candidate)) {
        problems.push(`FORWARD: version ${prev.version} cannot read data written with the new schema: ${p}`);
      }
    }
  }
  if (problems.length > 0) problems.push(`{compatibility: '${level}'}`);
  return problems;
}
