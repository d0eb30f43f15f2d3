// The sink whose audit directory fills up (a 512 KiB tmpfs): it stops committing, /ready turns
// 503 with audit "disk_full", flk_sink_audit_disk_full is 1 (the FlkSinkAuditDiskFull alert,
// infra/prometheus/tests), and once space is back it resumes by itself: every verdict in the log
// exactly once, the chain verifies, nothing lost or doubled, no restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { type Admin, Kafka, logLevel, type Producer } from 'kafkajs';
import { MerkleReader, openStoredTree, readAuditMerkleTree, readAuditTail, verifyAuditDir } from '@flk/audit';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { freePort, mountTmpfs, STACK, waitFor, type Tmpfs } from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RUN = randomBytes(4).toString('hex');
const TOPIC = `it-sink-full-${RUN}`;
const PARTITIONS = 3;
const report = (line: string) => process.stderr.write(`[sink-disk-full] ${line}\n`);

function verdict(i: number): { key: string; value: Record<string, unknown> } {
  const pcsId = `${RUN}${String(i).padStart(8, '0')}`.padEnd(64, 'e');
  return {
    key: pcsId,
    value: {
      pcs_id: pcsId, status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1.41, recomputed_budget: 0.42,
      reason: 'ok', reasons: [], duplicate: false, decided_at: new Date(Date.UTC(2026, 0, 1) + i).toISOString(),
      source: { topic: 'pcs.submitted', partition: i % 6, offset: String(i) }, tenant_id: null, sent_at: null, version: '0.1', key_id: null, signature_checked: true,
    },
  };
}

describe('sink: audit disk full (tmpfs)', () => {
  let kafka: Kafka;
  let admin: Admin;
  let producer: Producer;
  let codec: WireCodec;
  let fs: Tmpfs;
  let child: ChildProcess | undefined;
  let produced = 0;

  async function produce(n: number): Promise<void> {
    const tx = await producer.transaction();
    await tx.send({ topic: TOPIC, messages: Array.from({ length: n }, (_, j) => {
      const v = verdict(produced + j);
      return { key: v.key, value: codec.encodeVerdict(v.value), partition: (produced + j) % PARTITIONS };
    }) });
    await tx.commit();
    produced += n;
  }

  beforeAll(async () => {
    kafka = new Kafka({ clientId: `it-sink-full-${RUN}`, brokers: STACK.brokers, logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: PARTITIONS, replicationFactor: 1 }] });
    producer = kafka.producer({ transactionalId: `it-sink-full-${RUN}`, idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    codec = createWireCodec({ registryUrl: STACK.registryUrl, pcsSubject: 'pcs.submitted-value', verdictSubject: 'pcs.verdicts-value' });
    await codec.init();
    fs = await mountTmpfs(512 * 1024);
  }, 60_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await producer?.disconnect();
    await admin?.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
    await admin?.disconnect();
    await fs?.unmount();
  }, 30_000);

  test('stops committing, /ready 503 + flk_sink_audit_disk_full 1; space back: resumes, every line exactly once', async () => {
    const dir = join(fs.dir, 'audit');
    const port = await freePort();
    const group = `it-sink-full-${RUN}`;
    child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', 'apps/sink/src/main.ts'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl,
        PCS_VERDICTS_TOPIC: TOPIC, HTTP_PORT: String(port), SINK_GROUP_ID: group, SINK_SESSION_TIMEOUT_MS: '6000', AUDIT_DIR: dir, AUDIT_SEGMENT_BYTES: '65536', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const get = async (path: string) => fetch(`http://127.0.0.1:${port}${path}`);
    const gauge = async () => Number((await (await get('/metrics')).text()).match(/^flk_sink_audit_disk_full (\S+)/m)?.[1]);
    const lines = async () => (await readAuditTail(dir)).nextSeq;
    // The group's committed offsets (transaction markers take offsets too: compared, not counted).
    const committed = async () => {
      const offs = await admin.fetchOffsets({ groupId: group, topics: [TOPIC] });
      return offs[0]!.partitions.map((p) => `${p.partition}:${p.offset}`).sort().join(',');
    };
    const loggedIds = async () => {
      const ids: string[] = [];
      for (const n of (await readdir(dir)).filter((f) => /^audit-\d{20}\.jsonl$/.test(f)).sort()) {
        for (const l of (await readFile(join(dir, n), 'utf8')).split('\n')) if (l) ids.push((JSON.parse(l) as { verdict: { pcs_id: string } }).verdict.pcs_id);
      }
      return ids;
    };

    await waitFor('the sink ready', async () => (await get('/ready')).status === 200, { timeoutMs: 60_000 });
    await produce(100);
    await waitFor('100 lines', async () => (await lines()) === 100, { timeoutMs: 60_000 });
    expect(await gauge()).toBe(0);

    // Leave ~8 KiB: a few more lines fit, then the disk is full.
    const filler = await fs.fill(8 * 1024);
    await produce(400);
    await waitFor('/ready 503 with audit disk_full', async () => {
      const r = await get('/ready');
      return r.status === 503 && JSON.stringify(await r.json()).includes('disk_full');
    }, { timeoutMs: 60_000 });
    expect(await gauge()).toBe(1);
    const stuckLines = await lines();
    const stuckCommitted = await committed();
    await new Promise((r) => setTimeout(r, 3000));
    expect(await lines()).toBe(stuckLines); // nothing more is written...
    expect(await committed()).toBe(stuckCommitted); // ...and nothing more is committed
    expect(stuckLines).toBeLessThan(500);
    expect(child.exitCode).toBeNull(); // waiting, not crashed
    report(`disk full after ${stuckLines} of 500 lines; committed offsets unchanged for 3 s (${stuckCommitted}); /ready 503; gauge 1`);

    await rm(filler);
    await waitFor('500 lines after space returns', async () => (await lines()) === 500, { timeoutMs: 60_000 });
    await waitFor('/ready 200 again', async () => (await get('/ready')).status === 200, { timeoutMs: 30_000 });
    expect(await gauge()).toBe(0);
    // Committed past every logged offset of each partition.
    await waitFor('every logged offset committed', async () => {
      const c = new Map((await committed()).split(',').map((e) => e.split(':').map(Number) as [number, number]));
      return (await readAuditTail(dir)).positions.every((p) => (c.get(p.partition) ?? -1) > Number(p.offset));
    }, { timeoutMs: 30_000 });
    const verified = await verifyAuditDir(dir);
    expect(verified).toMatchObject({ ok: true, lines: 500 });
    // Exactly once: each of the 500 verdicts once, none missing, none doubled.
    const ids = await loggedIds();
    expect(ids.length).toBe(500);
    expect(new Set(ids)).toEqual(new Set(Array.from({ length: 500 }, (_, i) => verdict(i).key)));
    // The stored subtree hashes (tree/, on the same full disk) were rolled back with the lines:
    // they hold exactly the 500 leaves and the same roots as the log recomputed.
    const mem = await readAuditMerkleTree(dir);
    const stored = openStoredTree(dir)!;
    try {
      expect(stored.size).toBe(500);
      for (const m of [1, 100, 333, 500]) expect(Buffer.from(new MerkleReader(stored).root(m))).toEqual(Buffer.from(new MerkleReader(mem.nodes).root(m)));
    } finally {
      stored.close();
    }
    expect(out).toMatch(/audit disk full/);
    expect(out).toMatch(/audit disk has room again/);
    report(`space back: 500 lines (500 distinct verdicts), chain verifies, stored tree = log, every logged offset committed, /ready 200, gauge 0`);
  }, 180_000);
});
