// The agent app against the real local stack (Kafka, schema registry; started by the global setup):
// it publishes the sample stream to a fresh topic, and what comes back from Kafka is what the
// contract asks for. Plus the outbox promise: with the broker unreachable the agent exits non-zero
// and names how many records it could not publish.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { createDecideConfig, createTenantKeyRing, decide, type Pcs } from '@flk/pcs';
import { createWireCodec } from '@flk/registry';
import { createKafkaTransport, isTraceparent } from '@flk/agent';
import { sampleRecord } from '@flk/pcs/testing';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const AGENT = join(ROOT, 'apps/agent/src/main.ts');
const FIXTURE = join(ROOT, 'test/fixtures/sample-stream.jsonl');
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const rid = () => randomBytes(5).toString('hex');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runAgent(args: string[], env: Record<string, string>, timeoutMs = 90_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', AGENT, ...args], {
      cwd: ROOT,
      // Only what the agent needs: no inherited PCS_* from the developer's shell.
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agent did not finish in ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const kafka = new Kafka({ clientId: 'flk-agent-int-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
let admin: Admin;
const topics: string[] = [];
let dir: string;

beforeAll(async () => {
  admin = kafka.admin();
  await admin.connect();
  dir = mkdtempSync(join(tmpdir(), 'flk-agent-it-'));
});
afterAll(async () => {
  if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 }).catch(() => {});
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

async function freshTopic(): Promise<string> {
  const topic = `it-agent-${rid()}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  topics.push(topic);
  return topic;
}

/** Reads `count` messages of `topic` from the beginning (read_committed), or fails after timeoutMs. */
async function readBack(topic: string, count: number, timeoutMs = 30_000): Promise<{ key: string; value: Buffer; partition: number; traceparent: string | undefined }[]> {
  const consumer = kafka.consumer({ groupId: `it-agent-reader-${rid()}`, readUncommitted: false });
  const got: { key: string; value: Buffer; partition: number; traceparent: string | undefined }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        got.push({ key: message.key?.toString('utf8') ?? '', value: message.value ?? Buffer.alloc(0), partition, traceparent: message.headers?.traceparent?.toString() });
        if (got.length >= count) done();
      },
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([finished, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    // A moment more: anything beyond `count` would be a duplicate we must see.
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('agent app on the real stack', () => {
  test('publishes every window as a signed, Avro-encoded record keyed by pcs_id; outbox_seq 1, 2, 3 … per shard', async () => {
    const topic = await freshTopic();
    const key = `it-${randomBytes(16).toString('hex')}`;
    // The fixture plus two bad lines: reported with their line numbers, not fatal.
    const input = join(dir, 'stream.jsonl');
    const fixture = readFileSync(FIXTURE, 'utf8');
    writeFileSync(input, `${fixture}this is not json\n{"shard_id":"shard-001","ts":"yesterday","point":[1,2,3],"payload":"x"}\n`);
    const fixtureLines = fixture.split('\n').filter((l) => l.length > 0).length;

    const run = await runAgent(['--input', input, '--json'], {
      KAFKA_BROKERS: BROKERS,
      SCHEMA_REGISTRY_URL: REGISTRY,
      PCS_SUBMITTED_TOPIC: topic,
      PCS_SIGN_ALG: 'hmac',
      PCS_HMAC_KEY: `${key},an-older-key`,
      // Contract v0.2 (the agent's default): the tenant and the key's id in the verifiers' ring.
      PCS_TENANT_ID: 'acme',
      PCS_KEY_ID: 'acme-it',
      AGENT_WINDOW_EVENTS: '100',
      AGENT_BATCH_SIZE: '7',
    });
    expect(run.stderr).not.toContain(key); // the key is never logged
    expect(run.code).toBe(0);
    const summary = JSON.parse(run.stdout) as { records: number; published: number; unpublished: number; badLines: number; badLineSamples: { line: number; reason: string }[]; perShard: Record<string, { published: number; lastPublishedSeq: number }> };
    expect(summary).toMatchObject({ records: 40, published: 40, unpublished: 0, badLines: 2 });
    expect(summary.badLineSamples).toEqual([
      { line: fixtureLines + 1, reason: 'not valid JSON' },
      { line: fixtureLines + 2, reason: expect.stringMatching(/^ts:/) },
    ]);
    expect(Object.keys(summary.perShard).sort()).toEqual(['shard-001', 'shard-002', 'shard-003', 'shard-004']);

    const messages = await readBack(topic, 40);
    expect(messages.length).toBe(40);
    const codec = createWireCodec({ registryUrl: REGISTRY, pcsSubject: `${topic}-value`, verdictSubject: 'pcs.verdicts-value' });
    const tenants = createTenantKeyRing([{ key_id: 'acme-it', tenant_id: 'acme', alg: 'hmac', secret: key }]);
    const byShard = new Map<string, Pcs[]>();
    for (const m of messages) {
      const decoded = await codec.decodePcs(m.value);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      const rec = decoded.value as unknown as Pcs;
      expect(m.key).toBe(rec.pcs_id);
      const verdict = decide(rec, createDecideConfig({ tenants }), null, { decidedAt: new Date().toISOString(), source: null, now: Date.now() });
      expect(verdict).toMatchObject({ status: 'accepted', version: '0.2', tenant_id: 'acme', key_id: 'acme-it', signature_checked: true });
      const list = byShard.get(rec.shard_id) ?? [];
      list.push(rec);
      byShard.set(rec.shard_id, list);
    }
    expect(new Set(messages.map((m) => m.key)).size).toBe(40);
    expect(new Set(messages.map((m) => m.partition)).size).toBeGreaterThan(1);
    // Trace context: every record starts its own trace (a well-formed W3C traceparent header).
    expect(messages.filter((m) => !isTraceparent(m.traceparent))).toEqual([]);
    expect(new Set(messages.map((m) => m.traceparent!.split('-')[1])).size).toBe(40);
    for (const [shard, recs] of byShard) {
      // Partitions interleave, so order by epoch: publish order, epochs and outbox_seq go together.
      recs.sort((a, b) => a.epoch - b.epoch);
      expect(recs.map((r) => r.ft.outbox_seq)).toEqual(recs.map((_, i) => i + 1));
      expect(recs.map((r) => r.epoch)).toEqual(recs.map((_, i) => i + 1));
      expect(summary.perShard[shard]).toMatchObject({ published: recs.length, lastPublishedSeq: recs.length });
      for (let i = 1; i < recs.length; i++) expect(Date.parse(recs[i]!.sent_at)).toBeGreaterThanOrEqual(Date.parse(recs[i - 1]!.sent_at));
    }
  }, 120_000);

  test('broker unreachable: exits 1 and names how many records were not published (nothing dropped silently)', async () => {
    const started = Date.now();
    const run = await runAgent(['--input', FIXTURE], {
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: REGISTRY,
      PCS_SUBMITTED_TOPIC: `it-agent-${rid()}`,
      PCS_TENANT_ID: 'acme',
      AGENT_WINDOW_EVENTS: '100',
      AGENT_PUBLISH_MAX_ATTEMPTS: '2',
      AGENT_RETRY_INITIAL_MS: '50',
      AGENT_RETRY_MAX_MS: '100',
      AGENT_CONNECT_TIMEOUT_MS: '300',
      AGENT_KAFKA_CLIENT_RETRIES: '1',
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/published 0\/40 records/);
    expect(run.stdout).toMatch(/unpublished 40/);
    expect(run.stdout).toMatch(/ERROR: 40 record\(s\) unpublished/);
    expect(run.stderr).toMatch(/publish failed, retrying/);
    expect(run.stderr).toMatch(/giving up/);
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 90_000);

  test('--json summary of the failure, per shard', async () => {
    const run = await runAgent(['--input', FIXTURE, '--json'], {
      KAFKA_BROKERS: '127.0.0.1:1',
      SCHEMA_REGISTRY_URL: REGISTRY,
      PCS_TENANT_ID: 'acme',
      AGENT_WINDOW_EVENTS: '500',
      AGENT_PUBLISH_MAX_ATTEMPTS: '1',
      AGENT_CONNECT_TIMEOUT_MS: '300',
      AGENT_KAFKA_CLIENT_RETRIES: '1',
    });
    expect(run.code).toBe(1);
    const s = JSON.parse(run.stdout) as { ok: boolean; records: number; unpublished: number; publishFailure: string; perShard: Record<string, { unpublished: number }> };
    expect(s).toMatchObject({ ok: false, records: 8, unpublished: 8 });
    expect(s.publishFailure).toMatch(/kafka|connect/i);
    expect(Object.values(s.perShard).map((v) => v.unpublished)).toEqual([2, 2, 2, 2]);
  }, 90_000);
  test('the library transport: the caller\'s traceparent per record when well formed, else a fresh one; the same on a re-send', async () => {
    const topic = await freshTopic();
    const codec = createWireCodec({ registryUrl: REGISTRY, pcsSubject: `${topic}-value`, verdictSubject: 'pcs.verdicts-value' });
    const tp = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const [a, b] = [sampleRecord({ merkle_root: randomBytes(32).toString('hex') }), sampleRecord({ merkle_root: randomBytes(32).toString('hex') })];
    const given = new Map([[a.pcs_id, tp], [b.pcs_id, 'not-a-traceparent']]);
    const transport = createKafkaTransport({ brokers: BROKERS.split(','), topic, codec, traceparent: (rec) => given.get(rec.pcs_id) });
    try {
      await transport.send([a, b]);
      await transport.send([b]); // what the outbox does after a lost acknowledgement
    } finally {
      await transport.close();
    }
    const got = await readBack(topic, 3);
    const byKey = (k: string) => got.filter((m) => m.key === k).map((m) => m.traceparent);
    expect(byKey(a.pcs_id)).toEqual([tp]);
    const [b1, b2] = byKey(b.pcs_id);
    expect(isTraceparent(b1) && b1 !== tp).toBe(true);
    expect(b2).toBe(b1);
  }, 60_000);
});
