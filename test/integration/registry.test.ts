// The schema registry (apps/schema-registry) against the real local stack: the stack's instance at
// SCHEMA_REGISTRY_URL through @kafkajs/confluent-schema-registry and plain HTTP, plus instances
// this test spawns itself on random ports to show the state lives in Kafka: a fresh process
// rebuilds the stack's state from `_schemas`, and a restarted process (on a private topic, so only
// one instance ever writes to it) serves the same ids. Subjects are unique per run.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { Kafka, logLevel, type Admin } from 'kafkajs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'apps/schema-registry/src/main.ts');
const REGISTRY = (process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081').replace(/\/$/, '');
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const CT = 'application/vnd.schemaregistry.v1+json';
const rid = () => randomBytes(5).toString('hex');
// Spawned registries need a few seconds each (tsx start-up, joining Kafka, reading the topic).
const SLOW = 120_000;

const record = (fields: object[], name = 'Reading') => JSON.stringify({ type: 'record', name, namespace: 'flk.it', fields });
const V1 = record([{ name: 'id', type: 'string' }]);
const V2_OPTIONAL = record([{ name: 'id', type: 'string' }, { name: 'value', type: 'double', default: 0 }]);
const V2_REQUIRED = record([{ name: 'id', type: 'string' }, { name: 'unit', type: 'string' }]);

async function http(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown; type: string | null }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': CT },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as unknown), type: res.headers.get('content-type') };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface Instance {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, resolves with the exit code. */
  stop(): Promise<number | null>;
}

const running = new Set<Instance>();

/** Starts apps/schema-registry as the stack does and waits for GET / to answer. */
async function startInstance(env: Record<string, string> = {}): Promise<Instance> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SCHEMA_REGISTRY_PORT: String(port), KAFKA_BROKERS: BROKERS, LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const instance: Instance = {
    url: `http://127.0.0.1:${port}`,
    child,
    output: () => out,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      running.delete(instance);
      return code;
    },
  };
  running.add(instance);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}:\n${out}`);
    try {
      const r = await fetch(`${instance.url}/`);
      if (r.status === 200) return instance;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`registry not ready within 90 s:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const subjects: string[] = [];
const subject = (what: string) => {
  const s = `it-registry-${what}-${rid()}-value`;
  subjects.push(s);
  return s;
};

let admin: Admin;
const privateTopics: string[] = [];

beforeAll(async () => {
  const health = await http(REGISTRY, 'GET', '/');
  expect(health).toMatchObject({ status: 200, body: {} });
  admin = new Kafka({ clientId: 'flk-registry-int-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
}, SLOW);

afterAll(async () => {
  await Promise.all([...running].map((i) => i.stop()));
  // Hard-delete what this run registered on the stack's registry (soft delete first, as required).
  for (const s of subjects) {
    await http(REGISTRY, 'DELETE', `/subjects/${encodeURIComponent(s)}`).catch(() => undefined);
    await http(REGISTRY, 'DELETE', `/subjects/${encodeURIComponent(s)}?permanent=true`).catch(() => undefined);
  }
  if (privateTopics.length > 0) await admin.deleteTopics({ topics: privateTopics }).catch(() => undefined);
  await admin?.disconnect();
}, SLOW);

describe('through @kafkajs/confluent-schema-registry', () => {
  test('register, fetch by id and latest, encode/decode round trip', async () => {
    const s = subject('roundtrip');
    const client = new SchemaRegistry({ host: REGISTRY });
    const { id } = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject: s });
    expect(Number.isInteger(id) && id > 0).toBe(true);
    // The client set the subject's level on first registration (PUT /config/{subject}).
    expect(await http(REGISTRY, 'GET', `/config/${s}`)).toMatchObject({ status: 200, body: { compatibilityLevel: 'BACKWARD' } });

    // Fresh clients (empty caches): everything comes from the registry.
    const other = new SchemaRegistry({ host: REGISTRY });
    expect(await other.getLatestSchemaId(s)).toBe(id);
    expect(await other.getRegistryId(s, 1)).toBe(id);
    expect(await other.getRegistryIdBySchema(s, { type: SchemaType.AVRO, schema: JSON.stringify(JSON.parse(V1), null, 2) })).toBe(id);
    const payload = { id: 'sensor-7' };
    const encoded = await other.encode(id, payload);
    expect(encoded[0]).toBe(0);
    expect(encoded.readInt32BE(1)).toBe(id);
    expect(await new SchemaRegistry({ host: REGISTRY }).decode(encoded)).toEqual(payload);

    // Same schema again: same id, no new version; under another subject: the same global id.
    expect((await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject: s })).id).toBe(id);
    const s2 = subject('roundtrip-other');
    expect((await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject: s2 })).id).toBe(id);
    expect((await http(REGISTRY, 'GET', `/subjects/${s}/versions`)).body).toEqual([1]);
    expect((await http(REGISTRY, 'GET', `/schemas/ids/${id}/versions`)).body).toEqual(
      expect.arrayContaining([
        { subject: s, version: 1 },
        { subject: s2, version: 1 },
      ]),
    );
  });

  test('an incompatible change is refused with 409, a compatible one accepted', async () => {
    const s = subject('evolve');
    const client = new SchemaRegistry({ host: REGISTRY });
    const { id: v1 } = await client.register({ type: SchemaType.AVRO, schema: V1 }, { subject: s });

    await expect(client.register({ type: SchemaType.AVRO, schema: V2_REQUIRED }, { subject: s })).rejects.toMatchObject({ status: 409 });
    const raw = await http(REGISTRY, 'POST', `/subjects/${s}/versions`, { schema: V2_REQUIRED });
    expect(raw).toMatchObject({ status: 409, body: { error_code: 409, message: expect.stringContaining(`subject "${s}"`) } });
    expect(await http(REGISTRY, 'POST', `/compatibility/subjects/${s}/versions/latest?verbose=true`, { schema: V2_REQUIRED })).toMatchObject({
      status: 200,
      body: { is_compatible: false, messages: expect.arrayContaining([expect.stringContaining('unit')]) },
    });

    expect((await http(REGISTRY, 'POST', `/compatibility/subjects/${s}/versions/latest`, { schema: V2_OPTIONAL })).body).toEqual({ is_compatible: true });
    const { id: v2 } = await client.register({ type: SchemaType.AVRO, schema: V2_OPTIONAL }, { subject: s });
    expect(v2).not.toBe(v1);
    expect((await http(REGISTRY, 'GET', `/subjects/${s}/versions/latest`)).body).toEqual({ subject: s, version: 2, id: v2, schema: V2_OPTIONAL });

    // Data written with v1 is read with v2 (the point of BACKWARD).
    const old = await client.encode(v1, { id: 'a' });
    expect(await client.decode(old, { [SchemaType.AVRO]: { readerSchema: JSON.parse(V2_OPTIONAL) as { type: 'record'; name: string; fields: unknown[] } } })).toEqual({ id: 'a', value: 0 });
  });
});

describe('over HTTP', () => {
  test('Confluent content type and error bodies; bad input never breaks the server', async () => {
    const ok = await http(REGISTRY, 'GET', '/subjects');
    expect(ok.status).toBe(200);
    expect(ok.type).toBe(CT);
    expect(await http(REGISTRY, 'GET', '/no/such/path')).toMatchObject({ status: 404, body: { error_code: 404 } });
    expect(await http(REGISTRY, 'GET', `/subjects/${subject('missing')}/versions`)).toMatchObject({ status: 404, body: { error_code: 40401 } });
    expect(await http(REGISTRY, 'GET', '/schemas/ids/2147483647')).toMatchObject({ status: 404, body: { error_code: 40403 } });
    expect(await http(REGISTRY, 'POST', `/subjects/${subject('bad')}/versions`, '{"schema": ')).toMatchObject({ status: 400, body: { error_code: 400 } });
    expect(await http(REGISTRY, 'POST', `/subjects/${subject('bad')}/versions`, { schema: '{"type":"record"}' })).toMatchObject({
      status: 422,
      body: { error_code: 42201 },
    });
    expect(await http(REGISTRY, 'GET', '/mode')).toMatchObject({ status: 200, body: { mode: 'READWRITE' } });

    const huge = JSON.stringify({ schema: JSON.stringify({ type: 'enum', name: 'E', symbols: Array.from({ length: 200_000 }, (_, i) => `S${i}`) }) });
    const tooLarge = await fetch(`${REGISTRY}/subjects/${subject('huge')}/versions`, { method: 'POST', headers: { 'content-type': CT }, body: huge }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as unknown }),
      // The server answers before reading the body and closes the connection; a client that is
      // still sending may see the reset instead of the answer.
      () => ({ status: 413, body: { error_code: 413 } }),
    );
    expect(tooLarge).toMatchObject({ status: 413, body: { error_code: 413 } });
    expect((await http(REGISTRY, 'GET', '/')).status).toBe(200);
  });
});

describe('durability: the state is the _schemas topic', () => {
  test('a new registry process rebuilds the stack registry’s state from _schemas', async () => {
    const s = subject('rebuild');
    const a = (await http(REGISTRY, 'POST', `/subjects/${s}/versions`, { schema: V1 })).body as { id: number };
    const b = (await http(REGISTRY, 'POST', `/subjects/${s}/versions`, { schema: V2_OPTIONAL })).body as { id: number };

    const fresh = await startInstance();
    expect((await http(fresh.url, 'GET', `/subjects/${s}/versions`)).body).toEqual([1, 2]);
    expect((await http(fresh.url, 'GET', `/subjects/${s}/versions/1`)).body).toEqual({ subject: s, version: 1, id: a.id, schema: V1 });
    expect((await http(fresh.url, 'GET', `/subjects/${s}/versions/latest`)).body).toEqual({ subject: s, version: 2, id: b.id, schema: V2_OPTIONAL });
    expect((await http(fresh.url, 'GET', `/schemas/ids/${b.id}`)).body).toEqual({ schema: V2_OPTIONAL });
    expect(await fresh.stop()).toBe(0);
    expect(fresh.output()).toMatch(/"msg":"stopped"/);
  }, SLOW);

  test('restart: what one process wrote, the next one serves with the same ids', async () => {
    const topic = `_schemas-it-${rid()}`;
    privateTopics.push(topic);
    const env = { SCHEMA_REGISTRY_TOPIC: topic };
    const s = 'restart-value';

    const first = await startInstance(env);
    const v1 = (await http(first.url, 'POST', `/subjects/${s}/versions`, { schema: V1 })).body as { id: number };
    const v2 = (await http(first.url, 'POST', `/subjects/${s}/versions`, { schema: V2_OPTIONAL })).body as { id: number };
    expect(await http(first.url, 'PUT', `/config/${s}`, { compatibility: 'FULL' })).toMatchObject({ status: 200 });
    expect((await http(first.url, 'POST', `/subjects/other-value/versions`, { schema: '"string"' })).body).toEqual({ id: v2.id + 1 });
    expect((await http(first.url, 'DELETE', '/subjects/other-value')).body).toEqual([1]);
    expect(await first.stop()).toBe(0);

    // The registry created its topic as Confluent's: compacted, one partition.
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }] });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const second = await startInstance(env);
    expect((await http(second.url, 'GET', `/subjects/${s}/versions/1`)).body).toMatchObject({ id: v1.id });
    expect((await http(second.url, 'GET', `/subjects/${s}/versions/latest`)).body).toEqual({ subject: s, version: 2, id: v2.id, schema: V2_OPTIONAL });
    expect((await http(second.url, 'GET', `/config/${s}`)).body).toEqual({ compatibilityLevel: 'FULL' });
    expect((await http(second.url, 'GET', '/subjects')).body).toEqual([s]);
    expect((await http(second.url, 'GET', `/schemas/ids/${v2.id + 1}`)).body).toEqual({ schema: '"string"' });
    // Registering a known schema again returns its id; a new one continues after the highest id.
    expect((await http(second.url, 'POST', `/subjects/${s}/versions`, { schema: V2_OPTIONAL })).body).toEqual({ id: v2.id });
    expect((await http(second.url, 'POST', '/subjects/third-value/versions', { schema: '"long"' })).body).toEqual({ id: v2.id + 2 });
    expect(await second.stop()).toBe(0);
  }, SLOW);
});
