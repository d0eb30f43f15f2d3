import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import {
  checkProofJson,
  generateNoteKey,
  matchCheckpoint,
  MerkleReader,
  openStoredTree,
  parseVerifierKey,
  readAuditMerkleTree,
  readAuditTail,
  rfc6962Hasher,
  verifyAuditDir,
  verifyCheckpointNote,
  type Checkpoint,
} from '@flk/audit';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { freePort, loadOpenApi, readTopic } from '../support/index.js';

// The sink's signed checkpoints on the real stack (Kafka + schema registry): published to a
// compacted checkpoints topic, served with proofs over HTTP (validated against
// schemas/sink-audit-openapi.yaml, checked with our verifier), consistent with the tree and the
// chain after a SIGKILL mid-append, and a restart refused on a log cut short or rewritten after a
// checkpoint was published, naming where.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const RUN = randomBytes(4).toString('hex');
const TOPIC = `it-audit-verdicts-${RUN}`;
const CP_TOPIC = `it-audit-checkpoints-${RUN}`;
const PARTITIONS = 3;
const AUTH = { user: 'ops', pass: `pw-${RUN}` };
const basic = `Basic ${Buffer.from(`${AUTH.user}:${AUTH.pass}`).toString('base64')}`;
const KEY = generateNoteKey(`flk.test/audit-${RUN}`);
const VKEY = parseVerifierKey(KEY.verifier);
const openapi = loadOpenApi(fileURLToPath(new URL('../../schemas/sink-audit-openapi.yaml', import.meta.url)));

function makeVerdict(i: number): { key: string; verdict: Record<string, unknown> } {
  const pcsId = `${RUN}${String(i).padStart(8, '0')}`.padEnd(64, 'e');
  return {
    key: pcsId,
    verdict: {
      pcs_id: pcsId,
      status: i % 3 === 0 ? 'escalated' : 'accepted',
      accepted: i % 3 !== 0,
      escalated: i % 3 === 0,
      recomputed_D_hat: 1.41 + i / 1e6,
      recomputed_budget: 0.42,
      reason: i % 3 === 0 ? 'd_hat_mismatch' : 'ok',
      reasons: i % 3 === 0 ? ['d_hat_mismatch'] : [],
      duplicate: false,
      decided_at: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString(),
      source: { topic: 'pcs.submitted', partition: i % 6, offset: String(i) },
      tenant_id: null,
      sent_at: null,
    },
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

interface SinkProcess {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}
const children = new Set<ChildProcess>();

async function runSink(dir: string, env: Record<string, string> = {}): Promise<SinkProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', 'apps/sink/src/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      KAFKA_BROKERS: BROKERS.join(','),
      SCHEMA_REGISTRY_URL: REGISTRY_URL,
      PCS_VERDICTS_TOPIC: TOPIC,
      SINK_GROUP_ID: `it-audit-${RUN}`,
      HTTP_PORT: String(port),
      METRICS_USER: AUTH.user,
      METRICS_PASS: AUTH.pass,
      SINK_SESSION_TIMEOUT_MS: '6000',
      AUDIT_DIR: dir,
      AUDIT_SEGMENT_BYTES: '65536',
      AUDIT_CHECKPOINT_KEY: KEY.signer,
      AUDIT_CHECKPOINT_TOPIC: CP_TOPIC,
      AUDIT_CHECKPOINT_EVERY: '100',
      AUDIT_CHECKPOINT_INTERVAL_MS: '300',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  return { child, port, output: () => out, exited };
}

async function ready(sink: SinkProcess): Promise<void> {
  await waitFor('the sink to be ready', async () => {
    if (sink.child.exitCode !== null) throw new Error(`sink exited with ${sink.child.exitCode}:\n${sink.output()}`);
    // Not listening yet: keep polling.
    return (await fetch(`http://127.0.0.1:${sink.port}/ready`).catch(() => null))?.status === 200;
  });
}

/** GET with basic auth; the response is validated against the OpenAPI document. */
async function get(sink: SinkProcess, path: string, auth = true): Promise<{ status: number; body: string }> {
  const res = await fetch(`http://127.0.0.1:${sink.port}${path}`, auth ? { headers: { authorization: basic } } : {});
  const body = await res.text();
  openapi.response('GET', path, { status: res.status, headers: res.headers, body });
  return { status: res.status, body };
}

const lines = async (dir: string) => (await readAuditTail(dir)).nextSeq;

function openCheckpoint(note: string): Checkpoint {
  const v = verifyCheckpointNote(note, VKEY);
  if (!v.ok) throw new Error(`checkpoint does not verify: ${v.problem}`);
  return v.checkpoint;
}

/** The newest checkpoint record on the checkpoints topic. */
async function lastPublished(kafka: Kafka): Promise<Checkpoint> {
  const msgs = await readTopic(kafka, CP_TOPIC, { count: 1, settleMs: 500 });
  const mine = msgs.filter((m) => m.key === KEY.verifier.split('+')[0]);
  return openCheckpoint(mine.at(-1)!.value!.toString('utf8'));
}

async function segments(dir: string): Promise<string[]> {
  return (await readdir(dir)).filter((n) => /^audit-\d{20}\.jsonl$/.test(n)).sort();
}

describe('sink checkpoints, proofs over HTTP, and refusal of an inconsistent log (real Kafka + registry)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: WireCodec;
  let dir: string;
  let produced = 0;

  async function produce(n: number, perTx = 50, pauseMs = 0): Promise<void> {
    for (let done = 0; done < n; ) {
      const k = Math.min(perTx, n - done);
      const tx = await producer.transaction();
      try {
        await tx.send({
          topic: TOPIC,
          messages: Array.from({ length: k }, (_, j) => {
            const { key, verdict } = makeVerdict(produced + done + j);
            return { key, value: codec.encodeVerdict(verdict), partition: (produced + done + j) % PARTITIONS };
          }),
        });
        await tx.commit();
      } catch (err) {
        await tx.abort().catch(() => undefined);
        throw err;
      }
      done += k;
      if (pauseMs) await new Promise((r) => setTimeout(r, pauseMs));
    }
    produced += n;
  }

  beforeAll(async () => {
    kafka = new Kafka({ clientId: `it-audit-${RUN}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 },
        { topic: CP_TOPIC, numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ],
    });
    producer = kafka.producer({ transactionalId: `it-audit-${RUN}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    codec = createWireCodec({ registryUrl: REGISTRY_URL, pcsSubject: 'pcs.submitted-value', verdictSubject: 'pcs.verdicts-value' });
    await codec.init();
    dir = await mkdtemp(join(tmpdir(), 'flk-it-audit-'));
  }, 60_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [TOPIC, CP_TOPIC] }).catch(() => undefined);
    await admin?.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  test('checkpoints are published and served; inclusion and consistency proofs over HTTP verify against them', async () => {
    await produce(250, 50);
    const sink = await runSink(dir);
    await ready(sink);
    await waitFor('250 audit lines', async () => (await lines(dir)) === 250);
    // The interval trigger covers the tail that `every` (100) does not.
    const cp = await waitFor('a checkpoint of 250 entries', async () => {
      const r = await get(sink, '/audit/checkpoint');
      return r.status === 200 && openCheckpoint(r.body).size === 250 ? openCheckpoint(r.body) : undefined;
    }, 30_000, 200);
    expect(cp.origin).toBe(`flk.test/audit-${RUN}`);
    expect(Buffer.from(cp.root).toString('hex')).toBe(Buffer.from(new MerkleReader((await readAuditMerkleTree(dir)).nodes).root(250)).toString('hex'));
    expect(Buffer.from((await lastPublished(kafka)).root)).toEqual(Buffer.from(cp.root));

    // Same auth as /metrics.
    expect((await get(sink, '/audit/checkpoint', false)).status).toBe(401);
    expect((await get(sink, '/audit/proof/inclusion?index=1', false)).status).toBe(401);

    const all = (await Promise.all((await segments(dir)).map(async (n) => (await readFile(join(dir, n), 'utf8')).split('\n').filter(Boolean)))).flat();
    const hasher = rfc6962Hasher();
    for (const index of [0, 1, 99, 100, 137, randomInt(250), 249]) {
      const r = await get(sink, `/audit/proof/inclusion?index=${index}`);
      expect(r.status).toBe(200);
      const proof = JSON.parse(r.body) as { leaf_index: number; tree_size: number; leaf_hash: string; root_hash: string };
      expect(proof).toMatchObject({ leaf_index: index, tree_size: 250, root_hash: Buffer.from(cp.root).toString('hex') });
      expect(proof.leaf_hash).toBe(Buffer.from(hasher.leaf(Buffer.from(all[index]!))).toString('hex'));
      expect(checkProofJson(proof)).toEqual({ ok: true, kind: 'inclusion' });
    }
    const small = await get(sink, '/audit/proof/inclusion?index=3&size=17');
    expect(checkProofJson(JSON.parse(small.body))).toEqual({ ok: true, kind: 'inclusion' });
    for (const first of [1, 100, 200, 249, 250]) {
      const r = await get(sink, `/audit/proof/consistency?first=${first}`);
      expect(r.status).toBe(200);
      const proof = JSON.parse(r.body) as { second: number; second_root: string };
      expect(proof).toMatchObject({ first, second: 250, second_root: Buffer.from(cp.root).toString('hex') });
      expect(checkProofJson(proof)).toEqual({ ok: true, kind: 'consistency' });
    }
    for (const bad of ['/audit/proof/inclusion', '/audit/proof/inclusion?index=x', '/audit/proof/inclusion?index=250', '/audit/proof/inclusion?index=1&size=9999', '/audit/proof/inclusion?index=1&index=2', '/audit/proof/consistency?first=251', '/audit/proof/consistency?first=-1', '/audit/proof/consistency']) {
      const r = await get(sink, bad);
      expect([bad, r.status]).toEqual([bad, 400]);
    }
    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
  }, 120_000);

  test('SIGKILL mid-append and restart: one entry per verdict; stored tree, checkpoints and chain agree', async () => {
    const first = await runSink(dir);
    await ready(first);
    const producing = produce(1500, 100, 40);
    await waitFor('the sink to get going', async () => (await lines(dir)) >= 250 + 300, 90_000, 10);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull();
    await producing;

    const second = await runSink(dir);
    await ready(second);
    await waitFor(`${produced} audit lines`, async () => (await lines(dir)) >= produced, 120_000);
    await new Promise((r) => setTimeout(r, 1500));
    expect(await lines(dir)).toBe(produced);
    second.child.kill('SIGTERM'); // its last word: a checkpoint of everything
    expect(await second.exited).toBe(0);
    expect(second.output()).toContain('audit log extends the last published checkpoint');

    const all = (await Promise.all((await segments(dir)).map(async (n) => (await readFile(join(dir, n), 'utf8')).split('\n').filter(Boolean)))).flat();
    const ids = all.map((l) => (JSON.parse(l) as { verdict: { pcs_id: string } }).verdict.pcs_id);
    expect(new Set(ids).size).toBe(produced);
    expect(ids.length).toBe(produced);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: produced });
    const mem = await readAuditMerkleTree(dir);
    const stored = openStoredTree(dir)!;
    try {
      expect(stored.size).toBe(produced);
      for (const m of [1, 250, 777, produced]) expect(Buffer.from(new MerkleReader(stored).root(m))).toEqual(Buffer.from(new MerkleReader(mem.nodes).root(m)));
    } finally {
      stored.close();
    }
    const cp = await lastPublished(kafka);
    expect(cp.size).toBe(produced);
    expect(matchCheckpoint(mem, cp)).toMatchObject({ ok: true });
  }, 300_000);

  test('a log cut short after a published checkpoint: the sink refuses to start and says where', async () => {
    const names = await segments(dir);
    const newest = join(dir, names.at(-1)!);
    const original = await readFile(newest);
    const text = original.toString('utf8');
    let cut = text.length - 1;
    for (let k = 0; k < 3; k++) cut = text.lastIndexOf('\n', cut - 1);
    await writeFile(newest, text.slice(0, cut + 1));
    try {
      const sink = await runSink(dir);
      expect(await sink.exited).toBe(1);
      expect(sink.output()).toContain(`the log holds ${produced - 3} entries, the last published checkpoint covers ${produced}: entries ${produced - 3}..${produced - 1} are missing (truncated)`);
      expect(sink.output()).toContain('AUDIT_CHECKPOINT_MISMATCH');
      expect(await lines(dir)).toBe(produced - 3); // nothing appended
    } finally {
      await writeFile(newest, original);
    }
  }, 120_000);

  test('a rewritten entry before the checkpoint: refused, with the size and the line where the chain breaks', async () => {
    const names = await segments(dir);
    const target = join(dir, names[1]!);
    const original = await readFile(target);
    const edited = Buffer.from(original);
    const at = original.indexOf('"accepted":true');
    edited.write('"accepted":fals', at, 'utf8'); // same length
    const line = original.subarray(0, at).filter((b) => b === 0x0a).length + 1;
    await writeFile(target, edited);
    try {
      const sink = await runSink(dir);
      expect(await sink.exited).toBe(1);
      expect(sink.output()).toContain(`the first ${produced} entries of the log hash to`);
      expect(sink.output()).toContain(`the hash chain breaks at ${names[1]} line ${line}`);
    } finally {
      await writeFile(target, original);
    }
    // Restored: it starts again.
    const sink = await runSink(dir);
    await ready(sink);
    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
  }, 120_000);
});
