// Helpers shared by the unit tests: a registry on the in-memory log, and Avro schemas to evolve.
import { createAvroEngine } from './avro.js';
import type { CompatibilityLevel } from './compatibility.js';
import { createMemoryLog, replay, type MemoryLog } from './memory-log.js';
import type { EncodedRecord } from './records.js';
import { Registry } from './registry.js';
import { RegistryState } from './state.js';

export interface TestRegistry {
  registry: Registry;
  state: RegistryState;
  log: MemoryLog;
  /** A new registry rebuilt from this one's log, as after a restart. */
  restart(): TestRegistry;
}

export function createTestRegistry(defaultCompatibility?: CompatibilityLevel, entries: EncodedRecord[] = []): TestRegistry {
  const state = new RegistryState(createAvroEngine(), defaultCompatibility ? { defaultCompatibility } : {});
  replay(entries, (r) => state.apply(r));
  const log = createMemoryLog((r) => state.apply(r), entries);
  const registry = new Registry(state, log);
  return { registry, state, log, restart: () => createTestRegistry(defaultCompatibility, [...entries]) };
}

type Field = { name: string; type: unknown; default?: unknown };

/** A record schema `name` with these fields, as the text a client would send. */
export function record(fields: Field[], name = 'Event', extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ type: 'record', name, namespace: 'flk.test', fields, ...extra });
}

export const V1 = record([{ name: 'id', type: 'string' }]);
/** V1 plus a field with a default: BACKWARD and FORWARD compatible with V1. */
export const V2_OPTIONAL = record([
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int', default: 0 },
]);
/** V1 plus a field without a default: not BACKWARD compatible (cannot read V1 data). */
export const V2_REQUIRED = record([
  { name: 'id', type: 'string' },
  { name: 'count', type: 'int' },
]);
