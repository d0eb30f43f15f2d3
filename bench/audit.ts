// npm run bench:audit — the audit log as a transparency log (docs/audit.md): proof cost on a large
// log from the stored subtree hashes, and the sink's append path with checkpoints on vs off, in the
// same run. Prints figures; not part of npm test (bench/audit.test.ts runs a small variant there).
//
// Knobs (environment):
//   FLK_BENCH_AUDIT_N=1000000        entries of the proof log
//   FLK_BENCH_AUDIT_APPEND_N=10000   entries per append round
//   FLK_BENCH_AUDIT_ROUNDS=9         rounds; each runs off and on back to back (order alternating), ratio = median of on/off
//   FLK_BENCH_AUDIT_BATCH=100        entries per append (one fsync each), like a consumed batch
//   FLK_BENCH_AUDIT_KAFKA=0          sign checkpoints but do not publish them (no Kafka needed)
//   AUDIT_CHECKPOINT_EVERY=1000, AUDIT_CHECKPOINT_INTERVAL_MS=10000 (the sink's defaults)
// Kafka: KAFKA_BROKERS (default 127.0.0.1:9092); checkpoints go to a fresh compacted topic, deleted after.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AuditEntryInput,
  consistencyProof,
  createCheckpointer,
  generateNoteKey,
  inclusionProof,
  openAuditLog,
  openAuditTree,
  parseSignerKey,
  type SignedCheckpoint,
} from '@flk/audit';
import { createCheckpointChannel } from '../apps/sink/src/checkpoints.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));

export interface AuditBenchOptions {
  n: number;
  appendN: number;
  rounds: number;
  batch: number;
  every: number;
  intervalMs: number;
  /** Publishes a checkpoint (the sink's Kafka channel), or undefined: sign only. */
  publish?: (cp: SignedCheckpoint) => Promise<void>;
  /** Also time `flk audit prove` as a process (node start-up included). */
  cli: boolean;
  log?: (line: string) => void;
}

export interface ProofFigures {
  kind: 'inclusion' | 'consistency';
  args: string;
  pathLength: number;
  hashes: number;
  storedReads: number;
  ms: number;
}

export interface AuditBenchResult {
  n: number;
  writeSeconds: number;
  openTreeMs: number;
  treeSource: string;
  /** openAuditLog on the big log: the sink's start-up, which checks every stored hash against the log. */
  openLogMs: number;
  proofs: ProofFigures[];
  cliMs?: number;
  cliStats?: Record<string, unknown>;
  /** ratio: the median over rounds of on/off within a round (the two modes run back to back, so a busy machine hits both). */
  append: { off: number[]; on: number[]; offMedian: number; onMedian: number; ratios: number[]; ratio: number; checkpoints: number; loadavg: [number, number] };
}

/** A verdict-sized entry (about 280 bytes a line, like the sink's). */
function entry(i: number): AuditEntryInput {
  return {
    topic: 'pcs.verdicts',
    partition: i % 6,
    offset: String(Math.floor(i / 6)),
    key: `${i}`.padStart(64, '0'),
    verdict: {
      pcs_id: `${i}`.padStart(64, 'a'),
      status: i % 3 === 0 ? 'escalated' : 'accepted',
      accepted: i % 3 !== 0,
      escalated: i % 3 === 0,
      recomputed_D_hat: 1.41 + i / 1e7,
      recomputed_budget: 0.42,
      reason: 'ok',
      reasons: [],
      duplicate: false,
      decided_at: '2025-01-01T00:00:01.500Z',
      source: { topic: 'pcs.submitted', partition: i % 6, offset: String(i) },
      tenant_id: null,
      sent_at: '2025-01-01T00:00:00Z',
    },
    error: null,
  };
}

async function writeLog(dir: string, n: number, batch: number): Promise<number> {
  const t0 = performance.now();
  const log = await openAuditLog({ dir });
  for (let i = 0; i < n; i += batch) await log.append(Array.from({ length: Math.min(batch, n - i) }, (_, j) => entry(i + j)));
  await log.close();
  return (performance.now() - t0) / 1000;
}

/** Entries per second through the sink's append path (append + fsync, then checkpointer.appended()). */
async function appendRound(dir: string, o: AuditBenchOptions, checkpoints: boolean): Promise<{ rate: number; published: number }> {
  const log = await openAuditLog({ dir });
  const key = parseSignerKey(generateNoteKey('bench.flk/audit').signer);
  let published = 0;
  const cp = checkpoints
    ? createCheckpointer({
        tree: log.tree,
        key,
        origin: `bench.flk/audit/${Date.now()}`,
        every: o.every,
        intervalMs: o.intervalMs,
        publish: async (c) => {
          await o.publish?.(c);
          published++;
        },
      })
    : undefined;
  const t0 = performance.now();
  for (let i = 0; i < o.appendN; i += o.batch) {
    await log.append(Array.from({ length: Math.min(o.batch, o.appendN - i) }, (_, j) => entry(i + j)));
    cp?.appended();
  }
  // Steady state: the final checkpoint a graceful stop adds is not part of the rate.
  const rate = o.appendN / ((performance.now() - t0) / 1000);
  cp?.stop();
  await cp?.flush();
  await log.close();
  return { rate, published };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runAuditBench(o: AuditBenchOptions): Promise<AuditBenchResult> {
  const say = o.log ?? (() => undefined);
  const dir = await mkdtemp(join(tmpdir(), 'flk-bench-audit-'));
  try {
    say(`writing a ${o.n}-entry log (batches of 1000)...`);
    const writeSeconds = await writeLog(dir, o.n, 1000);
    say(`  written in ${writeSeconds.toFixed(1)} s`);

    const t0 = performance.now();
    const tree = await openAuditTree(dir);
    const openTreeMs = performance.now() - t0;
    const proofs: ProofFigures[] = [];
    const time = <T>(f: () => T): [T, number] => {
      const s = performance.now();
      const v = f();
      return [v, performance.now() - s];
    };
    for (const index of [0, Math.floor(o.n * 0.765432), o.n - 1]) {
      const [r, ms] = time(() => inclusionProof(tree.nodes, index, tree.size));
      proofs.push({ kind: 'inclusion', args: `index ${index} size ${tree.size}`, pathLength: r.proof.path.length, hashes: r.cost.hashes, storedReads: r.cost.reads, ms });
    }
    for (const first of [1, Math.floor(o.n / 2) + 1, o.n - 1]) {
      const [r, ms] = time(() => consistencyProof(tree.nodes, first, tree.size));
      proofs.push({ kind: 'consistency', args: `${first} -> ${tree.size}`, pathLength: r.proof.path.length, hashes: r.cost.hashes, storedReads: r.cost.reads, ms });
    }
    const treeSource = tree.source;
    tree.close();
    const o0 = performance.now();
    await (await openAuditLog({ dir })).close();
    const openLogMs = performance.now() - o0;

    let cliMs: number | undefined;
    let cliStats: Record<string, unknown> | undefined;
    if (o.cli) {
      const index = String(Math.floor(o.n * 0.765432));
      const s = performance.now();
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', 'apps/cli/src/main.ts', 'audit', 'prove', dir, '--index', index, '--stats'], { cwd: REPO, encoding: 'utf8' });
      cliMs = performance.now() - s;
      if (r.status !== 0) throw new Error(`flk audit prove failed: ${r.stderr}`);
      cliStats = JSON.parse(r.stderr.trim().split('\n').at(-1)!) as Record<string, unknown>;
    }

    say(`append rounds: ${o.rounds} x (off, on), ${o.appendN} entries each, batches of ${o.batch}...`);
    const off: number[] = [];
    const on: number[] = [];
    let checkpoints = 0;
    const load0 = loadavg()[0]!;
    for (let r = 0; r < o.rounds; r++) {
      // Interleaved, each on a fresh log, so that drift of the machine hits both modes alike.
      for (const mode of r % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const)) {
        const d = await mkdtemp(join(tmpdir(), 'flk-bench-append-'));
        try {
          const res = await appendRound(d, o, mode === 'on');
          (mode === 'on' ? on : off).push(res.rate);
          checkpoints += res.published;
          say(`  round ${r + 1} ${mode}: ${Math.round(res.rate)} entries/s${mode === 'on' ? ` (${res.published} checkpoints)` : ''}`);
        } finally {
          await rm(d, { recursive: true, force: true });
        }
      }
    }
    const ratios = on.map((x, i) => x / off[i]!);
    const append = { off, on, offMedian: median(off), onMedian: median(on), ratios, ratio: median(ratios), checkpoints, loadavg: [load0, loadavg()[0]!] as [number, number] };
    return { n: o.n, writeSeconds, openTreeMs, treeSource, openLogMs, proofs, ...(cliMs !== undefined ? { cliMs, cliStats } : {}), append };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function printAuditBench(r: AuditBenchResult, print: (line: string) => void = (l) => process.stdout.write(`${l}\n`)): void {
  print('');
  print(`audit log: ${r.n} entries (written in ${r.writeSeconds.toFixed(1)} s)`);
  print(`open tree: ${r.openTreeMs.toFixed(1)} ms (${r.treeSource} subtree hashes, no rescan of the log)`);
  print('proof                                          path  hashes  stored reads      time');
  for (const p of r.proofs) print(`${`${p.kind} ${p.args}`.padEnd(46)} ${String(p.pathLength).padStart(5)} ${String(p.hashes).padStart(7)} ${String(p.storedReads).padStart(13)} ${p.ms.toFixed(3).padStart(8)} ms`);
  print(`sink start-up (openAuditLog: tail, lock, every stored hash checked against the log): ${(r.openLogMs / 1000).toFixed(1)} s`);
  if (r.cliMs !== undefined) print(`flk audit prove --index (a process, node start-up included): ${Math.round(r.cliMs)} ms; --stats ${JSON.stringify(r.cliStats)}`);
  const a = r.append;
  print(`sink append path, entries/s: checkpoints off ${a.off.map(Math.round).join(', ')} (median ${Math.round(a.offMedian)}); on ${a.on.map(Math.round).join(', ')} (median ${Math.round(a.onMedian)}); ${a.checkpoints} checkpoints`);
  print(`per-round ratio on/off: ${a.ratios.map((x) => x.toFixed(3)).join(', ')}`);
  print(`ratio on/off: ${a.ratio.toFixed(3)} (median of the per-round ratios; load average ${a.loadavg[0].toFixed(1)} -> ${a.loadavg[1].toFixed(1)} on ${cpus().length} cores)`);
}

async function main(): Promise<void> {
  const env = process.env;
  const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
  const useKafka = env.FLK_BENCH_AUDIT_KAFKA !== '0';
  let channel: ReturnType<typeof createCheckpointChannel> | undefined;
  let cleanup: () => Promise<void> = async () => undefined;
  if (useKafka) {
    const { testKafka, createTopics, deleteTopics, randomName } = await import('../test/support/index.js');
    const { pino } = await import('pino');
    const kafka = testKafka();
    const topic = randomName('bench-audit-checkpoints');
    await createTopics(kafka, [{ topic, compact: true }]);
    channel = createCheckpointChannel({ brokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(','), clientId: 'flk-bench-audit', topic, origin: 'bench.flk/audit', logger: pino({ level: 'warn' }) });
    cleanup = async () => {
      await channel?.close();
      await deleteTopics(kafka, [topic]);
    };
  }
  try {
    const r = await runAuditBench({
      n: num('FLK_BENCH_AUDIT_N', 1_000_000),
      appendN: num('FLK_BENCH_AUDIT_APPEND_N', 10_000),
      rounds: num('FLK_BENCH_AUDIT_ROUNDS', 9),
      batch: num('FLK_BENCH_AUDIT_BATCH', 100),
      every: num('AUDIT_CHECKPOINT_EVERY', 1000),
      intervalMs: num('AUDIT_CHECKPOINT_INTERVAL_MS', 10_000),
      ...(channel ? { publish: (cp: SignedCheckpoint) => channel.publish(cp) } : {}),
      cli: true,
      log: (l) => process.stderr.write(`${l}\n`),
    });
    printAuditBench(r);
    process.stdout.write(`checkpoints ${channel ? 'published to Kafka' : 'signed, not published (FLK_BENCH_AUDIT_KAFKA=0)'}\n`);
  } finally {
    await cleanup();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      process.stderr.write(`bench:audit: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
