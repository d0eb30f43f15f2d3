// Basic auth between FLK's registry client (libs/registry's wire codec, as the verifier, sink,
// gateway and agent use it) and a registry that requires it: our own apps/schema-registry started
// here with SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE, on a private _schemas topic of the real stack,
// as a managed Confluent-compatible registry (API key + secret) is used in production. Checks the
// refusals (no or wrong credentials: 401, and a typed REGISTRY_UNAUTHORIZED start-up error), that
// an authenticated codec registers, encodes and decodes (a schema fetched by id, with the header),
// and that the password appears in no log line of either side.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { ConfigError, EnvReader, readRegistryConnection } from '@flk/config';
import { createWireCodec, FlkRegistryError, REGISTRY_ERROR_CODES } from '@flk/registry';
import { encodePcs, signedRecord } from '../support/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'apps/schema-registry/src/main.ts');
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const rid = () => randomBytes(5).toString('hex');
const SLOW = 120_000;

const USER = 'flk-verifier';
const PASSWORD = `pw-${randomBytes(12).toString('hex')}`;
const dir = mkdtempSync(join(tmpdir(), 'flk-registry-auth-'));
const usersFile = join(dir, 'users');
const topic = `_schemas-it-auth-${rid()}`;
let child: ChildProcess | undefined;
let output = '';
let url = '';

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

const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

beforeAll(async () => {
  writeFileSync(usersFile, `# name:password\n${USER}:${PASSWORD}\nflk-sink:${randomBytes(12).toString('hex')}\n`, { mode: 0o600 });
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SCHEMA_REGISTRY_PORT: String(port), KAFKA_BROKERS: BROKERS, SCHEMA_REGISTRY_TOPIC: topic, SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE: usersFile, LOG_LEVEL: 'debug' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`registry exited with ${child.exitCode}:\n${output}`);
    // GET / (the health check) is the one path open without credentials.
    const ok = await fetch(`${url}/`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`registry not ready within 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}, SLOW);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
  const admin = new Kafka({ clientId: 'flk-registry-auth-test', brokers: BROKERS.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
  rmSync(dir, { recursive: true, force: true });
}, SLOW);

describe('schema registry with basic auth', () => {
  test('the API refuses requests without or with wrong credentials (401, Confluent error body), accepts the listed user', async () => {
    const none = await fetch(`${url}/subjects`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await none.json()).toEqual({ error_code: 40101, message: 'Unauthorized' });
    expect((await fetch(`${url}/subjects`, { headers: { authorization: basic(USER, `${PASSWORD}x`) } })).status).toBe(401);
    expect((await fetch(`${url}/subjects`, { headers: { authorization: basic('nobody', PASSWORD) } })).status).toBe(401);
    expect((await fetch(`${url}/subjects`, { method: 'POST', headers: { authorization: 'Bearer x' } })).status).toBe(401);
    const ok = await fetch(`${url}/subjects`, { headers: { authorization: basic(USER, PASSWORD) } });
    expect(ok.status).toBe(200);
    expect(Array.isArray(await ok.json())).toBe(true);
  });

  test('the wire codec with the credentials registers, encodes, and a fresh codec decodes (schema fetched by id)', async () => {
    const s = rid();
    const opts = { registryUrl: url, registryAuth: { username: USER, password: PASSWORD }, pcsSubject: `it-auth-${s}.submitted-value`, verdictSubject: `it-auth-${s}.verdicts-value` };
    const writer = createWireCodec(opts);
    const ids = await writer.init();
    expect(ids.pcsSchemaId).toBeGreaterThan(0);
    const rec = signedRecord();
    const bytes = encodePcs(writer, rec);
    const reader = createWireCodec(opts); // no init: its first decode fetches the writer schema by id
    const decoded = await reader.decodePcs(bytes);
    expect(decoded).toMatchObject({ ok: true, schemaId: ids.pcsSchemaId, value: { pcs_id: rec.pcs_id } });
  }, SLOW);

  test('without or with wrong credentials the codec fails at init with REGISTRY_UNAUTHORIZED (not retriable), the password in no message', async () => {
    const s = rid();
    for (const registryAuth of [undefined, { username: USER, password: `${PASSWORD}-wrong` }]) {
      const logs: string[] = [];
      const logger = pino({ level: 'debug' }, { write: (l: string) => logs.push(l) });
      const codec = createWireCodec({ registryUrl: url, registryAuth, logger, pcsSubject: `it-auth-${s}.submitted-value`, verdictSubject: `it-auth-${s}.verdicts-value` });
      const err = await codec.init().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(FlkRegistryError);
      expect((err as FlkRegistryError).code).toBe(REGISTRY_ERROR_CODES.UNAUTHORIZED);
      expect((err as FlkRegistryError).retriable).toBe(false);
      expect((err as Error).message).toMatch(/HTTP 401/);
      expect(JSON.stringify({ m: (err as Error).message, c: String((err as Error).cause), logs })).not.toContain(PASSWORD);
    }
  }, SLOW);

  test('the registry logged the refusals, never a password', () => {
    expect(output).toMatch(/"status":401/);
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain(Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  });
});

describe('client configuration (read once, named variables)', () => {
  const read = (env: Record<string, string>) => {
    const r = new EnvReader(env);
    return r.done(readRegistryConnection(r));
  };
  test('username + password give basic auth; neither gives none', () => {
    expect(read({ SCHEMA_REGISTRY_URL: url, SCHEMA_REGISTRY_USERNAME: USER, SCHEMA_REGISTRY_PASSWORD: PASSWORD })).toEqual({ registryUrl: url, registryAuth: { username: USER, password: PASSWORD } });
    expect(read({ SCHEMA_REGISTRY_URL: url })).toEqual({ registryUrl: url });
  });
  test('half the pair, or credentials inside the URL, is a ConfigError naming the variable and not the secret', () => {
    const bad = (env: Record<string, string>) => {
      try {
        read(env);
      } catch (e) {
        return e;
      }
      return undefined;
    };
    const e1 = bad({ SCHEMA_REGISTRY_PASSWORD: PASSWORD });
    expect(e1).toBeInstanceOf(ConfigError);
    expect((e1 as Error).message).toMatch(/SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD/);
    const e2 = bad({ SCHEMA_REGISTRY_URL: `http://${USER}:${PASSWORD}@127.0.0.1:1/` });
    expect((e2 as Error).message).toMatch(/SCHEMA_REGISTRY_URL: must not contain credentials/);
    expect((e2 as Error).message).not.toContain(PASSWORD);
  });
});
