// The 3-broker stack (FLK_STACK_BROKERS=3, npm run test:cluster, part of npm test; three JVMs take a
// minute or two to start on 2 cores). Checks the durability settings stack.sh promises and runs a
// pipeline smoke through a broker crash: the broker leading the most input partitions is SIGKILLed
// mid-stream and restarted, and every input still gets exactly one committed verdict.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test } from '@jest/globals';
import { createPipelineFixture, duplicateRecords, STACK, signedRecords, testKafka, waitFor, type ChildApp, type DecodedVerdict, type PipelineFixture } from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const report = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
let fx: PipelineFixture | undefined;
afterAll(async () => {
  await fx?.cleanup();
});

async function verdictsCommitted(v: ChildApp): Promise<number> {
  const text = await v.metrics().catch(() => '');
  let n = 0;
  for (const m of text.matchAll(/^flk_verifier_verdicts_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

function stackSh(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['infra/local/stack.sh', ...args], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code, out }));
  });
}

describe('3-broker cluster', () => {
  test('3 brokers; pcs.* and _schemas replicated 3 times, min.insync.replicas=2, unclean leader election off', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers.map((b) => b.nodeId).sort()).toEqual([1, 2, 3]);
      const topics = ['pcs.submitted', 'pcs.verdicts', 'pcs.dlq', 'pcs.replies', '_schemas'];
      const meta = await admin.fetchTopicMetadata({ topics });
      for (const t of meta.topics) for (const p of t.partitions) expect(p.replicas).toHaveLength(3);
      const configs = await admin.describeConfigs({ includeSynonyms: false, resources: topics.map((name) => ({ type: 2, name, configNames: ['min.insync.replicas', 'unclean.leader.election.enable'] })) });
      for (const r of configs.resources) {
        const get = (n: string) => r.configEntries.find((e) => e.configName === n)?.configValue;
        expect([r.resourceName, get('min.insync.replicas'), get('unclean.leader.election.enable')]).toEqual([r.resourceName, '2', 'false']);
      }
    } finally {
      await admin.disconnect();
    }
  });

  test('pipeline smoke: SIGKILL of the broker leading the most input partitions mid-stream, restarted: every input answered exactly once', async () => {
    fx = await createPipelineFixture({ partitions: 6 });
    const N = 3000;
    await fx.produceRecords(signedRecords(N));
    // FLK_CLUSTER_SMOKE_LOG_LEVEL=debug: the verifier's and kafkajs's debug lines, for a stall's cause.
    const v = await fx.startVerifier('verifier-cluster', { VERIFIER_MAX_BATCH_RECORDS: '50', LOG_LEVEL: process.env.FLK_CLUSTER_SMOKE_LOG_LEVEL ?? 'info' });
    await v.waitReady();
    await waitFor('the verifier to be busy', async () => (await verdictsCommitted(v)) >= 200, { timeoutMs: 60_000 });

    const admin = fx.kafka.admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: [fx.topics.submitted] });
    const leaders = new Map<number, number>();
    for (const p of topics[0]!.partitions) leaders.set(p.leader, (leaders.get(p.leader) ?? 0) + 1);
    const [victim, led] = [...leaders.entries()].sort((a, b) => b[1] - a[1])[0]!;
    const before = await verdictsCommitted(v);
    const t0 = Date.now();
    const restart = await stackSh(['restart-kafka', '--kill', '--node', String(victim), '--down-ms', '3000']);
    expect(restart.code).toBe(0);
    report(`SIGKILLed broker ${victim} (leader of ${led}/6 input partitions) at ${before} verdicts; back in ${Date.now() - t0} ms`);

    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 180_000, settleMs: 3_000 });
    const dup = duplicateRecords(verdicts);
    const txState = await admin.fetchTopicMetadata({ topics: ['__transaction_state'] });
    await admin.disconnect();
    report(`${verdicts.length} verdict records for ${N} inputs, ${new Set(verdicts.map((x) => x.key)).size} distinct, duplicates ${dup}`);
    if (new Set(verdicts.map((x) => x.key)).size !== N || dup !== 0) {
      // What the verifier went through: a digest here, its whole log in a file.
      report(v.digest(120));
      // Which input records were answered twice: partition and offsets (the chunk it was).
      const byKey = new Map<string, DecodedVerdict[]>();
      for (const x of verdicts) byKey.set(x.key ?? '', [...(byKey.get(x.key ?? '') ?? []), x]);
      const twice = new Map([...byKey].filter(([, xs]) => xs.length > 1));
      const ranges = new Map<number, bigint[]>();
      for (const xs of twice.values()) {
        const src = xs[0]!.verdict.source;
        if (src) ranges.set(src.partition, [...(ranges.get(src.partition) ?? []), BigInt(src.offset)]);
      }
      for (const [p, offs] of ranges) report(`answered twice: input partition ${p}, ${offs.length} records, offsets ${offs.reduce((a, b) => (a < b ? a : b))}..${offs.reduce((a, b) => (a > b ? a : b))}`);
      // A second opinion on read_committed from librdkafka (kcat): whether the copies are committed
      // records or records of an aborted transaction kafkajs's reader let through.
      const kcat = spawnSync('kcat', ['-C', '-b', STACK.brokers.join(','), '-t', fx.topics.verdicts, '-X', 'isolation.level=read_committed', '-e', '-q', '-f', '%k %p %o\\n'], { encoding: 'utf8', timeout: 60_000 });
      const copies = new Map<string, string[]>();
      for (const line of (kcat.stdout ?? '').split('\n')) {
        const [k, p, o] = line.split(' ');
        if (k && twice.has(k)) copies.set(k, [...(copies.get(k) ?? []), `${p}@${o}`]);
      }
      const once = [...twice.keys()].filter((k) => (copies.get(k) ?? []).length === 1).length;
      report(`kcat (read_committed, exit ${kcat.status}): of ${twice.size} keys kafkajs read twice, kcat read ${once} once`);
      for (const [k, xs] of [...twice].slice(0, 3)) report(`  e.g. kafkajs read ${xs.map((x) => `${x.partition}@${x.offset}`).join(', ')}; kcat read ${(copies.get(k) ?? []).join(', ') || 'none'}`);
      const file = join(REPO, '.flk', 'logs', `cluster-smoke-verifier-${Date.now()}.log`);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, v.output());
      report(`the verifier's whole log: ${file}`);
    }
    expect(new Set(verdicts.map((x) => x.key)).size).toBe(N);
    expect(dup).toBe(0);
    // The verifier's transactions made the transaction state log: replicated 3 times.
    for (const p of txState.topics[0]!.partitions) expect(p.replicas).toHaveLength(3);
  }, 400_000);
});
