// The flooding tenant of tenants.test.ts, in its own process: a SASL_SSL kafkajs producer that
// sends pre-encoded batches on a fixed timeline without waiting for the broker, and reports every
// produce response's throttle time. Its own process because the flood's encoding, request
// building and debug logging on the test's event loop would delay tenant B's sends and the verdict
// watcher's timestamps, measuring the test rather than the broker's isolation of B from A.
//
// Input (env): FLOOD_INPUT = a JSON file {brokers, caFile, user, password, topic, intervalMs,
// batches: [[{key, value (base64)}]]}. Output (stdout, one JSON object per line):
// {"throttle": ms} for each throttled response, then {"done": {offeredBps, ackedMs, failed}}.
import { readFileSync } from 'node:fs';
import { Kafka, logLevel, type LogEntry } from 'kafkajs';
import { produceThrottleMs } from './produce-throttle.js';

interface FloodInput {
  brokers: string[];
  caFile: string;
  user: string;
  password: string;
  topic: string;
  intervalMs: number;
  batches: Array<Array<{ key: string; value: string }>>;
}

const out = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);
const input = JSON.parse(readFileSync(process.env.FLOOD_INPUT!, 'utf8')) as FloodInput;
const batches = input.batches.map((b) => b.map((m) => ({ key: m.key, value: Buffer.from(m.value, 'base64') })));
const kafka = new Kafka({
  clientId: `it-${input.user}-flood`,
  brokers: input.brokers,
  ssl: { ca: readFileSync(input.caFile, 'utf8') },
  sasl: { mechanism: 'scram-sha-512', username: input.user, password: input.password },
  connectionTimeout: 5000,
  // kafkajs reports a produce response's throttle time only at debug level.
  logLevel: logLevel.DEBUG,
  logCreator: () => (entry: LogEntry) => {
    const ms = produceThrottleMs(entry);
    if (ms !== undefined && ms > 0) out({ throttle: ms });
  },
});
const producer = kafka.producer({ retry: { retries: 10 } });
await producer.connect();
const bytes = batches.reduce((n, b) => n + b.reduce((k, m) => k + m.value.length, 0), 0);
const sends: Array<Promise<unknown>> = [];
const start = Date.now();
for (let i = 0; i < batches.length; i++) {
  sends.push(producer.send({ topic: input.topic, acks: -1, messages: batches[i]! }));
  // On a fixed timeline from the start, so slow iterations do not stretch it.
  await new Promise((r) => setTimeout(r, Math.max(0, start + (i + 1) * input.intervalMs - Date.now())));
}
const offeredBps = bytes / ((Date.now() - start) / 1000);
const results = await Promise.allSettled(sends);
const ackedMs = Date.now() - start;
await producer.disconnect();
out({ done: { offeredBps, ackedMs, failed: results.filter((r) => r.status === 'rejected').length } });
