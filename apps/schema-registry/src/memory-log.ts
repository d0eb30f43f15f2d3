// An in-memory SchemaLog for tests: records go through the same JSON encoding as the Kafka topic,
// so replaying `entries` into a fresh state is what a restart does.
import { decodeRecord, encodeRecord, type EncodedRecord, type LogRecord } from './records.js';
import type { SchemaLog } from './registry.js';

export interface MemoryLog extends SchemaLog {
  /** The encoded log, oldest first (no compaction). */
  readonly entries: EncodedRecord[];
  /** Makes the next append fail (e.g. to test a store error). */
  failNextAppend(error: Error): void;
}

export function createMemoryLog(apply: (record: LogRecord) => void, entries: EncodedRecord[] = []): MemoryLog {
  let failure: Error | undefined;
  return {
    entries,
    failNextAppend(error: Error) {
      failure = error;
    },
    async append(records) {
      if (failure) {
        const e = failure;
        failure = undefined;
        throw e;
      }
      const encoded = records.map(encodeRecord);
      entries.push(...encoded);
      for (const e of encoded) {
        const d = decodeRecord(e.key, e.value);
        if (!d.ok) throw new Error(`memory log: ${d.reason}`);
        apply(d.record);
      }
    },
    async sync() {},
  };
}

/** Replays an encoded log into `apply` (what a restarted registry does with the topic). */
export function replay(entries: readonly EncodedRecord[], apply: (record: LogRecord) => void): void {
  for (const e of entries) {
    const d = decodeRecord(e.key, e.value);
    if (d.ok) apply(d.record);
  }
}
