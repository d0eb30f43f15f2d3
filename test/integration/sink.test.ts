import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { LOCK_FILE, readAuditTail, verifyAuditDir } from '@flk/audit';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { verifiedTenant, type Verdict as PcsVerdict } from '@flk/pcs';
import { freePort } from '../support/index.js';

// The sink against the real local stack (Kafka + schema registry, started by test/global-setup.js):
// Avro verdicts produced in Kafka transactions to a random topic, the sink run as a child process
// with a tmp AUDIT_DIR; metrics, SIGKILL + restart exactly-once, resume with a new group, SIGTERM,
// and tamper detection on the resulting log.

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const REGISTRY_URL = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const RUN = randomBytes(4).toString('hex');
const TOPIC = `it-sink-verdicts-${RUN}`;
const PARTITIONS = 3;
const AUTH = { user: 'ops', pass: `pw-${RUN}` };

type Verdict = Record<string, unknown>;

/** The i-th test verdict: a mix of statuses, tenants, duplicates, signature and malformed rejections. */
function makeVerdict(i: number): { key: string; verdict: Verdict } {
  const kind = i % 6;
  const pcsId = `${RUN}${String(i).padStart(8, '0')}`.padEnd(64, 'f');
  const sent = Date.UTC(2025, 0, 1, 0, 0, 0) + i * 1000;
  const status = kind === 0 || kind === 1 ? 'accepted' : kind === 2 ? 'escalated' : 'rejected';
  const reasons = kind === 2 ? ['d_hat_mismatch'] : kind === 3 ? ['signature'] : kind === 4 ? ['malformed:schema'] : kind === 5 ? ['signature'] : [];
  const source = { topic: 'pcs.submitted', partition: i % 6, offset: String(1000 + i) };
  return {
    key: status === 'rejected' ? `rejected:pcs.submitted:${source.partition}:${source.offset}` : pcsId,
    verdict: {
      pcs_id: pcsId,
      status,
      accepted: status === 'accepted',
      escalated: status === 'escalated',
      recomputed_D_hat: status === 'rejected' ? null : 1.41 + i / 1e6,
      recomputed_budget: status === 'rejected' ? null : 0.42,
      reason: reasons[0] ?? 'ok',
      reasons,
      duplicate: kind === 1,
      decided_at: new Date(sent + 250 + (i % 5) * 100).toISOString(),
      source,
      tenant_id: i % 4 === 0 ? null : `tenant-${i % 2}`,
      sent_at: i % 7 === 0 ? null : new Date(sent).toISOString(),
      // Tenanted verdicts are v0.2 with their signature checked (so their tenant may be a label),
      // except every third, which is v0.1: its tenant_id is the producer's word only.
      version: i % 4 === 0 || i % 3 === 0 ? '0.1' : '0.2',
      key_id: i % 4 === 0 ? null : `tenant-${i % 2}-k`,
      signature_checked: true,
    },
  };
}

/** Metric counts the sink must report for verdicts [from, to). */
function expectedMetrics(from: number, to: number): Map<string, number> {
  const m = new Map<string, number>();
  const inc = (name: string, tenant: string) => m.set(`${name}{tenant="${tenant}"}`, (m.get(`${name}{tenant="${tenant}"}`) ?? 0) + 1);
  for (let i = from; i < to; i++) {
    const v = makeVerdict(i).verdict;
    // Contract §7.5: only a verified v0.2 tenant becomes a label; everything else is "-".
    const tenant = verifiedTenant(v as unknown as PcsVerdict) ?? '-';
    inc('flk_ingest_total', tenant);
    inc(`flk_${v.status as string}`, tenant);
    if (v.duplicate) inc('flk_dedup_hits', tenant);
    if ((v.reasons as string[]).some((r) => r === 'signature' || r.startsWith('signature:'))) inc('flk_signature_errors', tenant);
    if ((v.reason as string).startsWith('malformed:')) inc('flk_dlq_total', tenant);
    if (!v.duplicate && v.sent_at !== null) inc('flk_verdict_latency_seconds_count', tenant);
  }
  return m;
}

function parseMetrics(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match = /^(flk_[a-z_]+\{tenant="[^"]*"\}) (\S+)$/.exec(line);
    if (match) m.set(match[1]!, Number(match[2]));
  }
  return m;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
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

/** Runs the sink as one node process (node --import tsx, so SIGKILL hits the sink itself). */
async function runSink(env: Record<string, string>): Promise<SinkProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', 'apps/sink/src/main.ts'], {
    cwd: REPO,
    env: {
      ...process.env,
      KAFKA_BROKERS: BROKERS.join(','),
      SCHEMA_REGISTRY_URL: REGISTRY_URL,
      PCS_VERDICTS_TOPIC: TOPIC,
      HTTP_PORT: String(port),
      METRICS_USER: AUTH.user,
      METRICS_PASS: AUTH.pass,
      SINK_SESSION_TIMEOUT_MS: '6000',
      AUDIT_SEGMENT_BYTES: '65536', // many segments: the chain must continue across them
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    children.delete(child);
    resolve(code);
  }));
  return { child, port, output: () => out, exited };
}

async function ready(sink: SinkProcess, timeoutMs = 60_000): Promise<void> {
  await waitFor('the sink to be ready', async () => {
    if (sink.child.exitCode !== null) throw new Error(`sink exited with ${sink.child.exitCode}:\n${sink.output()}`);
    return (await fetch(`http://127.0.0.1:${sink.port}/ready`)).status === 200;
  }, timeoutMs, 100);
}

async function auditLines(dir: string): Promise<number> {
  return (await readAuditTail(dir)).nextSeq;
}

async function readLog(dir: string): Promise<Array<{ partition: number; offset: string; verdict: Verdict | null; key: string | null }>> {
  const names = (await readdir(dir)).filter((n) => /^audit-\d{20}\.jsonl$/.test(n)).sort();
  const lines = [];
  for (const n of names) {
    for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l) lines.push(JSON.parse(l) as { partition: number; offset: string; verdict: Verdict | null; key: string | null });
  }
  return lines;
}

const basic = `Basic ${Buffer.from(`${AUTH.user}:${AUTH.pass}`).toString('base64')}`;

describe('sink (real Kafka + schema registry)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: WireCodec;
  let dir: string;
  let produced = 0;

  /** Produces verdicts [produced, produced + n) in transactions of `perTx`, spread over the partitions. */
  async function produce(n: number, perTx = 50, pauseMs = 0): Promise<void> {
    for (let done = 0; done < n; ) {
      const k = Math.min(perTx, n - done);
      const tx = await producer.transaction();
      try {
        await tx.send({
          topic: TOPIC,
          messages: Array.from({ length: k }, (_, j) => {
            const i = produced + done + j;
            const { key, verdict } = makeVerdict(i);
            return { key, value: codec.encodeVerdict(verdict), partition: i % PARTITIONS };
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
    // NOTHING: kafkajs logs retriable CONCURRENT_TRANSACTIONS answers between back-to-back transactions as errors.
    kafka = new Kafka({ clientId: `it-sink-${RUN}`, brokers: BROKERS, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    producer = kafka.producer({ transactionalId: `it-sink-${RUN}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    codec = createWireCodec({ registryUrl: REGISTRY_URL, pcsSubject: 'pcs.submitted-value', verdictSubject: 'pcs.verdicts-value' });
    await codec.init();
    dir = await mkdtemp(join(tmpdir(), 'flk-it-sink-'));
  }, 60_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
    await admin?.disconnect();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 30_000);

  test('logs every verdict once; /metrics counts them by status and tenant; /health /ready; basic auth', async () => {
    await produce(90, 30);
    const sink = await runSink({ SINK_GROUP_ID: `it-sink-a-${RUN}`, AUDIT_DIR: dir });
    await ready(sink);
    expect((await fetch(`http://127.0.0.1:${sink.port}/health`)).status).toBe(200);
    await waitFor('90 audit lines', async () => (await auditLines(dir)) === 90);

    expect((await fetch(`http://127.0.0.1:${sink.port}/metrics`)).status).toBe(401);
    const res = await fetch(`http://127.0.0.1:${sink.port}/metrics`, { headers: { authorization: basic } });
    expect(res.status).toBe(200);
    const got = parseMetrics(await res.text());
    const want = expectedMetrics(0, 90);
    for (const [series, n] of want) expect([series, got.get(series)]).toEqual([series, n]);
    for (const [series, n] of got) if (n !== 0 && !series.startsWith('flk_verdict_latency_seconds_')) expect([series, n]).toEqual([series, want.get(series)]);

    const log = await readLog(dir);
    expect(log.map((l) => (l.verdict as Verdict).pcs_id).sort()).toEqual(Array.from({ length: 90 }, (_, i) => makeVerdict(i).verdict.pcs_id).sort());
    expect(log[0]!.verdict).toEqual(expect.objectContaining({ status: expect.any(String), decided_at: expect.any(String) }));
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 90 });

    sink.child.kill('SIGTERM');
    expect(await sink.exited).toBe(0);
    expect(await readdir(dir)).not.toContain(LOCK_FILE);
  }, 120_000);

  test('SIGKILL mid-stream and restart: exactly one line per input, and the log verifies', async () => {
    const group = `it-sink-b-${RUN}`;
    const first = await runSink({ SINK_GROUP_ID: group, AUDIT_DIR: dir });
    await ready(first);
    // Produce while the sink consumes, and kill it while it is still behind.
    const producing = produce(2400, 100, 40);
    await waitFor('the sink to get going', async () => (await auditLines(dir)) >= 90 + 300, 90_000, 10);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBeNull(); // killed by the signal
    const atKill = await auditLines(dir);
    await producing;
    expect(atKill).toBeLessThan(produced);

    const second = await runSink({ SINK_GROUP_ID: group, AUDIT_DIR: dir });
    await waitFor(`${produced} audit lines`, async () => (await auditLines(dir)) >= produced, 120_000, 100);
    await new Promise((r) => setTimeout(r, 1500)); // nothing more must arrive
    expect(await auditLines(dir)).toBe(produced);

    const log = await readLog(dir);
    const ids = log.map((l) => (l.verdict as Verdict).pcs_id as string);
    expect(new Set(ids).size).toBe(produced);
    expect(new Set(log.map((l) => `${l.partition}:${l.offset}`)).size).toBe(produced);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: produced });

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 240_000);

  test('a new consumer group on the same log resumes after the log (ignores the empty group offsets) and writes nothing twice', async () => {
    const third = await runSink({ SINK_GROUP_ID: `it-sink-c-${RUN}`, AUDIT_DIR: dir });
    await ready(third);
    await waitFor('the resume seeks', async () => third.output().split('\n').filter((l) => l.includes('resuming after the audit log')).length >= PARTITIONS, 30_000);
    const before = produced;
    await produce(12, 12);
    await waitFor(`${produced} audit lines`, async () => (await auditLines(dir)) >= produced, 60_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await auditLines(dir)).toBe(produced);
    const res = await fetch(`http://127.0.0.1:${third.port}/metrics`, { headers: { authorization: basic } });
    const got = parseMetrics(await res.text());
    // Counters are process-local: this process counted only what it logged itself.
    const total = [...got].filter(([k]) => k.startsWith('flk_ingest_total')).reduce((a, [, n]) => a + n, 0);
    expect(total).toBe(produced - before);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: produced });
    third.child.kill('SIGTERM');
    expect(await third.exited).toBe(0);
  }, 120_000);

  test('editing any byte of the resulting log makes verify fail at that line', async () => {
    const copy = await mkdtemp(join(tmpdir(), 'flk-it-sink-tamper-'));
    try {
      await cp(dir, copy, { recursive: true });
      const names = (await readdir(copy)).filter((n) => /^audit-\d{20}\.jsonl$/.test(n)).sort();
      for (let k = 0; k < 25; k++) {
        const name = names[randomInt(names.length)]!;
        const bytes = await readFile(join(copy, name));
        const pos = randomInt(bytes.length);
        const edited = Buffer.from(bytes);
        edited[pos] = (edited[pos]! + randomInt(1, 256)) % 256;
        await writeFile(join(copy, name), edited);
        const line = bytes.subarray(0, pos).filter((b) => b === 0x0a).length + 1;
        expect(await verifyAuditDir(copy)).toMatchObject({ ok: false, segment: name, line });
        await writeFile(join(copy, name), bytes);
      }
      expect((await verifyAuditDir(copy)).ok).toBe(true);
    } finally {
      await rm(copy, { recursive: true, force: true });
    }
  }, 120_000);
});
