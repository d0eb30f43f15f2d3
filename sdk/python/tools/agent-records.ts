// Prints, one JSON line each, the records the TS agent (@flk/agent runAgent) builds from an event
// stream, with a fixed clock and an in-memory outbox: the reference for the Python agent test.
//   npx tsx --conditions=@flk/source sdk/python/tools/agent-records.ts FILE MAX_EVENTS SPAN_MS VERSION TENANT KEY_ID HMAC_KEY
import { readFileSync } from 'node:fs';
import { runAgent, splitLines } from '@flk/agent';
import { createHmacSigner, type Pcs } from '@flk/pcs';

const [file, maxEvents, span, version, tenant, keyId, key] = process.argv.slice(2);
const records: Pcs[] = [];
const outbox = {
  async add(rec: Pcs) { records.push(rec); },
  async flush() {},
  stats() { return { published: records.length, unpublished: 0, pending: 0, sends: 0, retries: 0, perShard: {}, failure: null }; },
};
const summary = await runAgent(splitLines([readFileSync(file!)]), {
  window: { maxEvents: Number(maxEvents), maxSpanMs: Number(span) },
  seed: 42,
  ...(version === '0.2' ? { version: '0.2' as const, tenantId: tenant!, keyId: keyId! } : { version: '0.1' as const }),
  signer: createHmacSigner(key!),
  outbox: outbox as never,
  clock: { now: () => Date.UTC(2025, 0, 1, 0, 0, 0, 123) },
});
for (const r of records) process.stdout.write(`${JSON.stringify(r)}\n`);
process.stdout.write(`${JSON.stringify({ events: summary.events, badLines: summary.badLines, records: summary.records })}\n`);
