// npm run bench — the verifier's throughput, its ceilings, latency under load and memory, side by
// side on the same broker, records and machine (docs/benchmarks.md). Bounded (~10 min by default),
// cleans up its topics, groups, Redis keys and processes. Not part of npm test.
//
// Knobs (environment):
//   FLK_BENCH_N=200000            records pre-loaded for the drain / transport phases (6 partitions)
//   FLK_BENCH_ED25519_N=50000     records of the Ed25519 drain (0 = skip it)
//   FLK_BENCH_REPEATS=2           drain and transport loops run this many times, interleaved
//   FLK_BENCH_RATES=0.25,0.5,0.75 offered loads, as fractions of the measured HMAC drain
//   FLK_BENCH_LATENCY_SECONDS=15  duration of each offered load
//   FLK_BENCH_PHASES=drain,transport,crypto,latency,ed25519,scaling,peer
//   FLK_BENCH_SCALING=1,2,3       verifier processes of the scaling drains (one consumer group each run)
//   FLK_BENCH_PEER_SAMPLE=1000    records of the verifier / Kafka Streams agreement check
//   FLK_BENCH_PEER_THREADS=1      the peer's num.stream.threads
//   FLK_BENCH_PROFILE=1           run the verifiers with --cpu-prof (bench/results/profiles/)
//   FLK_BENCH_VERIFIER_ENV='A=1,B=2'  extra verifier environment (knob experiments)
//   VERIFIER_MAX_BATCH_RECORDS, VERIFIER_PARTITIONS_CONCURRENCY, KAFKA_MAX_BYTES_PER_PARTITION:
//                                 the batching settings given to the verifier AND the bare loops
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Partitioners, type Admin } from 'kafkajs';
import { createDecideConfig, createKeyRing, decide, signingDigest, type Pcs } from '@flk/pcs';
import { TEST_KEYS } from '@flk/pcs/testing';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { createNodeKeyRing } from '@flk/node-crypto';
import { createTopics, deleteDedupKeys, deleteGroups, deleteTopics, freePort, randomName, sleep, STACK, testKafka, testRedis, waitFor } from '../test/support/index.js';
import { latencyChart, type LatencyPoint } from './chart.js';
import { encodeRecords, type Alg, type EncodedRecord } from './records.js';
import { buildPeer, compareVerdicts, PEER_MAIN, PEER_SCHEMA, readStatuses, sampleRecords, type Agreement } from './peer.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = new URL('./results/', import.meta.url);
const env = process.env;
const num = (name: string, fallback: number) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);
const CFG = {
  n: num('FLK_BENCH_N', 200_000),
  edN: num('FLK_BENCH_ED25519_N', 50_000),
  partitions: 6,
  repeats: num('FLK_BENCH_REPEATS', 2),
  rates: (env.FLK_BENCH_RATES ?? '0.25,0.5,0.75').split(',').map(Number),
  latencySeconds: num('FLK_BENCH_LATENCY_SECONDS', 15),
  phases: new Set((env.FLK_BENCH_PHASES ?? 'drain,transport,crypto,latency,ed25519,scaling,peer').split(',')),
  scaling: (env.FLK_BENCH_SCALING ?? '1,2,3').split(',').map(Number),
  peerSample: num('FLK_BENCH_PEER_SAMPLE', 1000),
  peerThreads: num('FLK_BENCH_PEER_THREADS', 1),
  profile: env.FLK_BENCH_PROFILE === '1',
  // Default: the built verifier (node apps/verifier/dist/main.js, what production runs; the bench
  // builds first). FLK_BENCH_FROM_SOURCE=1: through tsx, like the integration tests (adds tsx's
  // loader thread: ~+60 MB RSS).
  fromSource: env.FLK_BENCH_FROM_SOURCE === '1',
  // The plain bare loop on @platformatic/kafka too (a devDependency; FLK_BENCH_PLATFORMATIC=0 skips it).
  platformatic: env.FLK_BENCH_PLATFORMATIC !== '0',
  // The batching settings: given to the verifier and to the bare loops alike.
  maxBatch: num('VERIFIER_MAX_BATCH_RECORDS', 0),
  concurrency: num('VERIFIER_PARTITIONS_CONCURRENCY', 0),
  maxBytes: num('KAFKA_MAX_BYTES_PER_PARTITION', 0),
  verifierEnv: Object.fromEntries((env.FLK_BENCH_VERIFIER_ENV ?? '').split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)])),
};
// 0 = the verifier's own default (read from its config, so the loops use the same values).
const { loadConfig } = await import('../apps/verifier/src/config.js');
// Only the batching defaults are read; a signing configuration is required, so give the minimal one.
const vdefaults = loadConfig({ PCS_SIGN_ALG: 'none' });
const BATCH = {
  VERIFIER_MAX_BATCH_RECORDS: String(CFG.maxBatch || vdefaults.maxBatchRecords),
  VERIFIER_PARTITIONS_CONCURRENCY: String(CFG.concurrency || vdefaults.partitionsConsumedConcurrently),
  KAFKA_MAX_BYTES_PER_PARTITION: String(CFG.maxBytes || vdefaults.maxBytesPerPartition),
};

const log = (msg: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)} load ${loadavg().map((l) => l.toFixed(2)).join(' ')}] ${msg}\n`);
const runId = randomName('flk-bench');
const kafka = testKafka(`${runId}-ctl`);
const redis = testRedis();
const createdTopics: string[] = [];
const createdGroups: string[] = [];
const redisPrefixes: string[] = [];
const children = new Set<ChildProcess>();

// ---------------------------------------------------------------------------------------------
// processes

interface Proc {
  child: ChildProcess;
  output(): string;
  /** Peak RSS (VmHWM) and CPU seconds (user + system) so far, from /proc. */
  stats(): { peakRssMb: number; cpuSeconds: number };
  stop(): Promise<void>;
}

/** `entry` ending in .ts runs from source through tsx; .js (built dist) with plain node. */
function spawnNode(entry: string, childEnv: Record<string, string>, nodeArgs: string[] = []): Proc {
  const viaTsx = entry.endsWith('.ts') ? ['--conditions=@flk/source', '--import', 'tsx'] : [];
  return spawnProc(process.execPath, [...nodeArgs, ...viaTsx, entry], childEnv);
}

/** Any program (node, the peer's JVM) as a Proc: its own pid, so /proc reads its CPU and RSS. */
function spawnProc(command: string, args: string[], childEnv: Record<string, string>): Proc {
  const child = spawn(command, args, {
    cwd: REPO,
    env: { PATH: env.PATH ?? '', HOME: env.HOME ?? '', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...childEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  const keep = (d: Buffer) => {
    out += d.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let last = { peakRssMb: 0, cpuSeconds: 0 };
  return {
    child,
    output: () => out,
    stats() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
        last = { peakRssMb: hwm / 1024, cpuSeconds: (Number(stat[11]) + Number(stat[12])) / 100 };
      } catch {
        /* exited: keep the last reading */
      }
      return last;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(t);
      children.delete(child);
    },
  };
}

interface Topics {
  submitted: string;
  verdicts: string;
  dlq: string;
}

async function newTopics(tag: string, n = CFG.partitions): Promise<Topics> {
  const base = `${runId}.${tag}`;
  const t = { submitted: `${base}.submitted`, verdicts: `${base}.verdicts`, dlq: `${base}.dlq` };
  await createTopics(kafka, [
    { topic: t.submitted, partitions: n },
    { topic: t.verdicts, partitions: n, compact: true },
    { topic: t.dlq, partitions: 1 },
  ]);
  createdTopics.push(t.submitted, t.verdicts, t.dlq);
  return t;
}

/** `group`: the consumer group (and Redis prefix) tag when several processes share one (scaling); default `name`. */
async function startVerifier(name: string, topics: Topics, alg: Alg, group = name): Promise<Proc & { port: number }> {
  const port = await freePort();
  const groupId = `${runId}-${group}`;
  const prefix = `${runId}-${group}:`;
  if (!createdGroups.includes(groupId)) createdGroups.push(groupId);
  if (!redisPrefixes.includes(prefix)) redisPrefixes.push(prefix);
  const p = spawnNode(
    CFG.fromSource ? 'apps/verifier/src/main.ts' : 'apps/verifier/dist/main.js',
    {
      KAFKA_BROKERS: STACK.brokers.join(','),
      REDIS_URL: STACK.redisUrl,
      SCHEMA_REGISTRY_URL: STACK.registryUrl,
      PCS_SUBMITTED_TOPIC: topics.submitted,
      PCS_VERDICTS_TOPIC: topics.verdicts,
      PCS_DLQ_TOPIC: topics.dlq,
      VERIFIER_GROUP_ID: groupId,
      REDIS_KEY_PREFIX: prefix,
      DEDUP_TTL_SECONDS: '3600', // whatever the clean-up misses expires
      PCS_MAX_AGE_SECONDS: '1800', // below the TTL (contract §7.4)
      PCS_SIGN_ALG: alg,
      ...(alg === 'hmac' ? { PCS_HMAC_KEY: TEST_KEYS.hmacKey } : { PCS_ED25519_PUB_B64: TEST_KEYS.ed25519PubB64 }),
      HTTP_PORT: String(port),
      HTTP_HOST: '127.0.0.1',
      KAFKA_CLIENT_ID: name,
      LOG_LEVEL: 'warn',
      ...BATCH,
      ...CFG.verifierEnv,
    },
    // One directory per process: under tsx the loader thread writes a profile of its own.
    CFG.profile ? ['--cpu-prof', `--cpu-prof-dir=${fileURLToPath(new URL(`./profiles/${name}/`, RESULTS))}`] : [],
  );
  await waitFor(`${name} /ready`, async () => {
    if (p.child.exitCode !== null) throw new Error(`${name} exited:\n${p.output().slice(-3000)}`);
    const res = await fetch(`http://127.0.0.1:${port}/ready`).catch(() => null);
    return res?.status === 200;
  }, { timeoutMs: 90_000, intervalMs: 50 });
  return Object.assign(p, { port });
}

type LoopMode = 'plain' | 'txn' | 'platformatic-plain';
function startLoop(mode: LoopMode, input: string, output: string, name: string): Proc {
  const groupId = `${runId}-${name}`;
  createdGroups.push(groupId);
  return spawnNode('bench/loop.ts', {
    KAFKA_BROKERS: STACK.brokers.join(','),
    BENCH_MODE: mode,
    BENCH_IN: input,
    BENCH_OUT: output,
    BENCH_GROUP: groupId,
    BENCH_MAX_BATCH: BATCH.VERIFIER_MAX_BATCH_RECORDS,
    BENCH_CONCURRENCY: BATCH.VERIFIER_PARTITIONS_CONCURRENCY,
    BENCH_MAX_BYTES: BATCH.KAFKA_MAX_BYTES_PER_PARTITION,
  });
}

// ---------------------------------------------------------------------------------------------
// Kafka helpers

async function produceAll(topic: string, records: readonly EncodedRecord[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += 5000) {
      await producer.send({ topic, acks: -1, messages: records.slice(i, i + 5000) });
    }
  } finally {
    await producer.disconnect();
  }
}

async function endOffsets(admin: Admin, topic: string): Promise<Map<number, bigint>> {
  const res = await admin.fetchTopicOffsets(topic);
  return new Map(res.map((p) => [p.partition, BigInt(p.high)]));
}

/** Polls the group's committed offsets until every partition reached `ends`; returns when (ms, performance.now()). */
async function waitCommitted(admin: Admin, groupId: string, topic: string, ends: Map<number, bigint>, timeoutMs: number, alive: () => boolean): Promise<{ firstCommitAt: number; doneAt: number }> {
  const deadline = performance.now() + timeoutMs;
  let firstCommitAt = 0;
  for (;;) {
    const res = await admin.fetchOffsets({ groupId, topics: [topic] });
    const now = performance.now();
    let done = true;
    let any = false;
    for (const p of res[0]?.partitions ?? []) {
      const off = BigInt(p.offset);
      if (off > 0n) any = true;
      if (off < (ends.get(p.partition) ?? 0n)) done = false;
    }
    if (any && !firstCommitAt) firstCommitAt = now;
    if (done && res[0]?.partitions.length) return { firstCommitAt, doneAt: now };
    if (now > deadline) throw new Error(`${groupId}: not drained within ${timeoutMs} ms`);
    if (!alive()) throw new Error(`${groupId}: process exited`);
    await sleep(50);
  }
}

function histogramMeans(metrics: string, names: string[]): Record<string, { count: number; meanMs: number; totalS: number }> {
  const out: Record<string, { count: number; meanMs: number; totalS: number }> = {};
  for (const name of names) {
    const sums = [...metrics.matchAll(new RegExp(`^${name}_sum(\\{[^}]*\\})? ([\\d.e+-]+)`, 'gm'))];
    const counts = [...metrics.matchAll(new RegExp(`^${name}_count(\\{[^}]*\\})? (\\d+)`, 'gm'))];
    sums.forEach((s, i) => {
      const n = Number(counts[i]?.[2] ?? 0);
      out[`${name}${s[1] ?? ''}`] = { count: n, meanMs: n ? (Number(s[2]) / n) * 1000 : 0, totalS: Number(s[2]) };
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// phases

interface DrainResult {
  what: string;
  records: number;
  seconds: number;
  rate: number;
  /** From the first committed chunk to the last (excludes group join and the first fetch). */
  steadyRate: number;
  cpuSeconds: number;
  cpuPerRecordUs: number;
  peakRssMb: number | null;
  loadavg: number[];
  breakdown?: Record<string, { count: number; meanMs: number; totalS: number }>;
}

/** The figures of one drain, from the process's stats and the committed-offset clock. */
function drainFigures(
  what: string, n: number, t0: number, cpu0: number, load: number[],
  st: { peakRssMb: number; cpuSeconds: number }, done: { firstCommitAt: number; doneAt: number },
): DrainResult {
  const seconds = (done.doneAt - t0) / 1000;
  return {
    what,
    records: n,
    seconds,
    rate: n / seconds,
    steadyRate: n / Math.max(0.001, (done.doneAt - done.firstCommitAt) / 1000),
    cpuSeconds: st.cpuSeconds - cpu0,
    cpuPerRecordUs: ((st.cpuSeconds - cpu0) / n) * 1e6,
    peakRssMb: st.peakRssMb,
    loadavg: load,
  };
}

async function drainVerifier(admin: Admin, name: string, topics: Topics, alg: Alg, n: number): Promise<DrainResult> {
  const ends = await endOffsets(admin, topics.submitted);
  const v = await startVerifier(name, topics, alg);
  const cpu0 = v.stats().cpuSeconds;
  const t0 = performance.now();
  const load = loadavg();
  try {
    const done = await waitCommitted(admin, `${runId}-${name}`, topics.submitted, ends, 600_000, () => v.child.exitCode === null);
    const st = v.stats();
    const metrics = await (await fetch(`http://127.0.0.1:${v.port}/metrics`)).text();
    return {
      ...drainFigures(`verifier (${alg})`, n, t0, cpu0, load, st, done),
      breakdown: histogramMeans(metrics, ['flk_verifier_batch_records', 'flk_verifier_batch_seconds', 'flk_verifier_kafka_transaction_seconds', 'flk_verifier_redis_roundtrip_seconds', 'flk_verifier_decision_seconds']),
    };
  } finally {
    await v.stop();
  }
}

async function drainLoop(admin: Admin, mode: LoopMode, input: string, n: number, idx: number): Promise<DrainResult> {
  const output = `${runId}.loop-${mode}-${idx}.out`;
  await createTopics(kafka, [{ topic: output, partitions: CFG.partitions }]);
  createdTopics.push(output);
  const ends = await endOffsets(admin, input);
  const name = `loop-${mode}-${idx}`;
  const p = startLoop(mode, input, output, name);
  await waitFor(`${name} running`, () => {
    if (p.child.exitCode !== null) throw new Error(`${name} exited:\n${p.output().slice(-3000)}`);
    return p.output().includes('loop: running');
  }, { timeoutMs: 60_000, intervalMs: 20 });
  const cpu0 = p.stats().cpuSeconds;
  const t0 = performance.now();
  const load = loadavg();
  try {
    const done = await waitCommitted(admin, `${runId}-${name}`, input, ends, 600_000, () => p.child.exitCode === null);
    const what = mode === 'txn' ? 'bare loop, transactional (@flk/kafka)' : mode === 'plain' ? 'bare loop, plain (idempotent + commitOffsets)' : 'bare loop, plain, @platformatic/kafka 1.x';
    return drainFigures(what, n, t0, cpu0, load, p.stats(), done);
  } finally {
    await p.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// scaling: the same pre-loaded input drained by 1, 2, 3 … verifier processes in one group

interface ScalingResult extends DrainResult {
  processes: number;
  /** Records already committed when the last process was ready (the first ones had begun). */
  committedBeforeStart: number;
}

async function committedTotal(admin: Admin, groupId: string, topic: string): Promise<number> {
  const res = await admin.fetchOffsets({ groupId, topics: [topic] });
  return (res[0]?.partitions ?? []).reduce((s, p) => s + Math.max(0, Number(p.offset)), 0);
}

async function drainScaling(admin: Admin, topics: Topics, k: number, n: number, idx: number): Promise<ScalingResult> {
  // A fresh verdicts topic and group per run: the output of one run does not burden the next.
  const t = { ...topics, verdicts: `${runId}.scale-${k}-${idx}.verdicts`, dlq: `${runId}.scale-${k}-${idx}.dlq` };
  await createTopics(kafka, [{ topic: t.verdicts, partitions: CFG.partitions, compact: true }, { topic: t.dlq }]);
  createdTopics.push(t.verdicts, t.dlq);
  const group = `scale-${k}-${idx}`;
  const ends = await endOffsets(admin, topics.submitted);
  // Started together; each joins the group as it comes up, so the first one ready begins before the
  // others (on this machine a 200k drain is over in seconds, so waiting for all /ready would leave
  // nothing to measure). Records/s: from the spawn, and steady (first commit to last; group joins and
  // rebalances included: that is how adding processes behaves). CPU: from each process's /ready
  // (its start-up left out) to the end, summed.
  const t0 = performance.now();
  const load = loadavg();
  const started = await Promise.all(Array.from({ length: k }, async (_, i) => {
    const p = await startVerifier(`${group}-p${i}`, t, 'hmac', group);
    return { p, cpuAtReady: p.stats().cpuSeconds };
  }));
  const procs = started.map((x) => x.p);
  try {
    const before = await committedTotal(admin, `${runId}-${group}`, topics.submitted);
    const cpu0 = started.reduce((s, x) => s + x.cpuAtReady, 0);
    const done = await waitCommitted(admin, `${runId}-${group}`, topics.submitted, ends, 300_000, () => procs.every((p) => p.child.exitCode === null)).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n${procs.map((p, i) => `--- process ${i}:\n${p.output().slice(-2000)}`).join('\n')}`);
    });
    const sts = procs.map((p) => p.stats());
    const st = { peakRssMb: Math.max(...sts.map((s) => s.peakRssMb)), cpuSeconds: sts.reduce((s, x) => s + x.cpuSeconds, 0) };
    return { ...drainFigures(`${k} verifier process${k > 1 ? 'es' : ''} (hmac)`, n, t0, cpu0, load, st, done), processes: k, committedBeforeStart: before };
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
  }
}

// ---------------------------------------------------------------------------------------------
// peer: the same work as a Kafka Streams exactly_once_v2 topology (bench/peers/kafka-streams)

async function startPeer(classpath: string, name: string, input: string): Promise<{ proc: Proc; appId: string; output: string }> {
  const appId = `${runId}-${name}`;
  const output = `${runId}.${name}.verdicts`;
  await createTopics(kafka, [{ topic: output, partitions: CFG.partitions }]);
  // Kafka Streams creates the claim store's changelog itself: <application.id>-<store>-changelog.
  createdTopics.push(output, `${appId}-pcs-claims-changelog`);
  createdGroups.push(appId);
  const proc = spawnProc('java', ['-Xmx1g', '-XX:+UseParallelGC', '-cp', classpath, PEER_MAIN], {
    PEER_BOOTSTRAP: STACK.brokers.join(','),
    PEER_APP_ID: appId,
    PEER_IN: input,
    PEER_OUT: output,
    PEER_SCHEMA,
    PEER_HMAC_KEY: TEST_KEYS.hmacKey,
    PEER_THREADS: String(CFG.peerThreads),
  });
  await waitFor(`${name} running`, () => {
    if (proc.child.exitCode !== null) throw new Error(`${name} exited:\n${proc.output().slice(-3000)}`);
    return proc.output().includes('peer: running');
  }, { timeoutMs: 120_000, intervalMs: 20 });
  return { proc, appId, output };
}

async function drainPeer(admin: Admin, classpath: string, input: string, n: number, idx: number): Promise<DrainResult> {
  const ends = await endOffsets(admin, input);
  const { proc, appId } = await startPeer(classpath, `peer-${idx}`, input);
  const cpu0 = proc.stats().cpuSeconds;
  const t0 = performance.now();
  const load = loadavg();
  try {
    const done = await waitCommitted(admin, appId, input, ends, 600_000, () => proc.child.exitCode === null);
    return drainFigures(`Kafka Streams peer (exactly_once_v2, ${CFG.peerThreads} thread${CFG.peerThreads > 1 ? 's' : ''})`, n, t0, cpu0, load, proc.stats(), done);
  } finally {
    await proc.stop();
  }
}

/** Both deciders on the same sample (tampered records among them); statuses compared per pcs_id. */
async function peerAgreement(admin: Admin, codec: WireCodec, classpath: string): Promise<Agreement> {
  const t = await newTopics('sample');
  const sample = sampleRecords(codec, CFG.peerSample);
  await produceAll(t.submitted, sample.map(({ key, value }) => ({ key, value })));
  await drainVerifier(admin, 'sample-verifier', t, 'hmac', sample.length);
  createdGroups.push(`${runId}-sample-read-ours`, `${runId}-sample-read-peer`);
  const ours = await readStatuses(kafka, t.verdicts, `${runId}-sample-read-ours`, sample.length, async (v) => {
    const d = await codec.decodeVerdict(v);
    return d.ok ? { pcs_id: String(d.value.pcs_id), status: String(d.value.status) } : { pcs_id: '', status: 'undecodable' };
  });
  const ends = await endOffsets(admin, t.submitted);
  const peer = await startPeer(classpath, 'peer-sample', t.submitted);
  try {
    await waitCommitted(admin, peer.appId, t.submitted, ends, 120_000, () => peer.proc.child.exitCode === null);
  } finally {
    await peer.proc.stop();
  }
  const theirs = await readStatuses(kafka, peer.output, `${runId}-sample-read-peer`, sample.length, async (v) => {
    const j = JSON.parse(v.toString('utf8')) as { pcs_id: unknown; status: unknown };
    return { pcs_id: String(j.pcs_id), status: String(j.status) };
  });
  return compareVerdicts(sample, ours, theirs);
}

/**
 * ops per wall second and per CPU second (this thread's user + system time) of each function over
 * the inputs, in alternating slices, best slice of each kept (the least disturbed). On a loaded
 * shared machine the wall figure falls with the load; the CPU figure is the stable one.
 */
function measureOps(fns: Array<(i: number) => unknown>, inputs: number, sliceMs = 400, rounds = 4): Array<{ wall: number; cpu: number }> {
  const best = fns.map(() => ({ wall: 0, cpu: 0 }));
  const run = (fn: (i: number) => unknown, ms: number) => {
    let ops = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    let el = 0;
    while (el < ms) {
      for (let k = 0; k < 64; k++) fn((ops + k) % inputs);
      ops += 64;
      el = performance.now() - t0;
    }
    const c = process.cpuUsage(c0);
    return { wall: (ops * 1000) / el, cpu: (ops * 1e6) / Math.max(1, c.user + c.system) };
  };
  for (const fn of fns) run(fn, 100);
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const x = run(fn, sliceMs);
      best[i] = { wall: Math.max(best[i]!.wall, x.wall), cpu: Math.max(best[i]!.cpu, x.cpu) };
    });
  }
  return best;
}

interface CryptoRow {
  what: string;
  /** ops per wall-clock second (depends on the machine's load) */
  opsPerSec: number;
  /** ops per CPU second of the measuring thread (robust to load) */
  opsPerCpuSec: number;
}

async function cryptoCeilings(codec: WireCodec, hmacRecs: readonly EncodedRecord[], edRecs: readonly EncodedRecord[]): Promise<CryptoRow[]> {
  const decodeSome = async (recs: readonly EncodedRecord[], n: number): Promise<Pcs[]> => {
    const out: Pcs[] = [];
    for (const r of recs.slice(0, n)) {
      const d = await codec.decodePcs(r.value);
      if (d.ok) out.push(d.value as unknown as Pcs);
    }
    return out;
  };
  const rows: CryptoRow[] = [];
  const ringHmacNoble = createKeyRing({ alg: 'hmac', hmacKeys: [TEST_KEYS.hmacKey] });
  const ringHmacNode = createNodeKeyRing({ alg: 'hmac', hmacKeys: [TEST_KEYS.hmacKey] });
  const ringEdNoble = createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64] });
  const ringEdNode = createNodeKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [TEST_KEYS.ed25519PubB64] });
  const meta = { decidedAt: '2026-01-01T00:00:00.000Z', source: null };

  const hmacConfig = createDecideConfig({ v01: ringHmacNode });
  const edConfig = createDecideConfig({ v01: ringEdNode });
  const h = await decodeSome(hmacRecs, 5000);
  const hd = h.map((r) => signingDigest(r));
  const [hNoble, hNode, hDigestNode, hDecideNode, hDecode] = measureOps(
    [
      (i) => ringHmacNoble.verify(hd[i]!, h[i]!.sig),
      (i) => ringHmacNode.verify(hd[i]!, h[i]!.sig),
      (i) => ringHmacNode.verify(signingDigest(h[i]!), h[i]!.sig),
      (i) => decide(h[i]!, hmacConfig, null, meta),
      (i) => codec.decodePcsSync(hmacRecs[i]!.value),
    ],
    h.length,
  );
  const row = (what: string, x: { wall: number; cpu: number } | undefined) => rows.push({ what, opsPerSec: x!.wall, opsPerCpuSec: x!.cpu });
  row('HMAC verify, @noble ring (digest precomputed)', hNoble);
  row('HMAC verify, node:crypto ring (digest precomputed)', hNode);
  row('HMAC signingDigest + verify (node:crypto ring)', hDigestNode);
  row('HMAC decide() per record (node:crypto ring)', hDecideNode);
  row('wire decode (avsc) per record', hDecode);
  if (edRecs.length > 0) {
    const e = await decodeSome(edRecs, 2000);
    const ed = e.map((r) => signingDigest(r));
    const [eNoble, eNode, eDigestNode, eDecideNode] = measureOps(
      [
        (i) => ringEdNoble.verify(ed[i]!, e[i]!.sig),
        (i) => ringEdNode.verify(ed[i]!, e[i]!.sig),
        (i) => ringEdNode.verify(signingDigest(e[i]!), e[i]!.sig),
        (i) => decide(e[i]!, edConfig, null, meta),
      ],
      e.length,
      500,
      3,
    );
    row('Ed25519 verify, @noble/curves strict (digest precomputed)', eNoble);
    row('Ed25519 verify, node:crypto ring (digest precomputed)', eNode);
    row('Ed25519 signingDigest + verify (node:crypto ring)', eDigestNode);
    row('Ed25519 decide() per record (node:crypto ring)', eDecideNode);
  }
  return rows;
}

interface LatencyResult extends LatencyPoint {
  seconds: number;
  sent: number;
  answered: number;
  achievedRate: number;
  verifierPeakRssMb: number;
  loadavg: number[];
}

async function latencyPhase(codec: WireCodec, drainRate: number): Promise<{ points: LatencyResult[]; peakRssMb: number; cpuSeconds: number }> {
  const topics = await newTopics('latency');
  const plan = CFG.rates.map((fraction) => ({ fraction, rate: Math.max(1, Math.round(drainRate * fraction)) }));
  const total = plan.reduce((s, p) => s + p.rate * CFG.latencySeconds, 0);
  log(`latency: encoding ${total} records for ${plan.map((p) => p.rate).join(' / ')} records/s × ${CFG.latencySeconds} s`);
  const WARMUP = 500;
  const records = encodeRecords(codec, total + WARMUP, 'hmac');
  const v = await startVerifier('latency', topics, 'hmac');
  const sentAt = new Map<string, number>();
  const lat = new Map<string, number>();
  const reader = kafka.consumer({ groupId: `${runId}-latency-reader`, readUncommitted: false, maxWaitTimeInMs: 20, minBytes: 1 });
  createdGroups.push(`${runId}-latency-reader`);
  await reader.connect();
  await reader.subscribe({ topics: [topics.verdicts], fromBeginning: true });
  await reader.run({
    partitionsConsumedConcurrently: CFG.partitions,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      for (const m of batch.messages) {
        const k = m.key?.toString('utf8') ?? '';
        const s = sentAt.get(k);
        if (s !== undefined && !lat.has(k)) lat.set(k, now - s);
      }
    },
  });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, maxInFlightRequests: 5 });
  await producer.connect();
  const points: LatencyResult[] = [];
  let next = 0;
  try {
    // Warm-up, not measured: both consumer groups joined (a new group waits the broker's
    // group.initial.rebalance.delay.ms, 3 s, before its first fetch), producers initialised, JIT warm.
    const warm = records.slice(0, WARMUP);
    next = WARMUP;
    const tw = performance.now();
    for (const r of warm) sentAt.set(r.key, tw);
    await producer.send({ topic: topics.submitted, acks: -1, messages: warm });
    await waitFor('latency warm-up verdicts', () => warm.every((r) => lat.has(r.key)), { timeoutMs: 120_000, intervalMs: 50 });
    log(`latency: warm-up of ${WARMUP} records answered after ${((performance.now() - tw) / 1000).toFixed(1)} s`);
    await sleep(1000);
    for (const p of plan) {
      const load = loadavg();
      const keys: string[] = [];
      const tick = 5; // ms
      const start = performance.now();
      const end = start + CFG.latencySeconds * 1000;
      let due = 0;
      let sent = 0;
      const sends: Promise<unknown>[] = [];
      while (performance.now() < end) {
        due = Math.min(p.rate * CFG.latencySeconds, Math.floor(((performance.now() - start) / 1000) * p.rate));
        if (due > sent) {
          const batch = records.slice(next, next + (due - sent));
          next += batch.length;
          sent += batch.length;
          const t = performance.now();
          for (const r of batch) {
            sentAt.set(r.key, t);
            keys.push(r.key);
          }
          sends.push(producer.send({ topic: topics.submitted, acks: -1, messages: batch }));
        }
        await sleep(tick);
      }
      await Promise.all(sends);
      const seconds = (performance.now() - start) / 1000;
      await waitFor('latency verdicts', () => keys.every((k) => lat.has(k)), { timeoutMs: 120_000, intervalMs: 100 }).catch(() => undefined);
      const ls = keys.map((k) => lat.get(k)).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
      const pct = (q: number) => ls[Math.min(ls.length - 1, Math.floor(q * ls.length))] ?? NaN;
      const res: LatencyResult = {
        fraction: p.fraction,
        offeredRate: p.rate,
        seconds,
        sent,
        answered: ls.length,
        achievedRate: sent / seconds,
        p50: pct(0.5),
        p95: pct(0.95),
        p99: pct(0.99),
        max: ls[ls.length - 1] ?? NaN,
        verifierPeakRssMb: v.stats().peakRssMb,
        loadavg: load,
      };
      points.push(res);
      log(`latency @${Math.round(p.fraction * 100)}% (${p.rate}/s): p50 ${res.p50.toFixed(1)} p95 ${res.p95.toFixed(1)} p99 ${res.p99.toFixed(1)} max ${res.max.toFixed(1)} ms, ${ls.length}/${sent} answered`);
      await sleep(1000);
    }
    const st = v.stats();
    return { points, peakRssMb: st.peakRssMb, cpuSeconds: st.cpuSeconds };
  } finally {
    await producer.disconnect().catch(() => {});
    await reader.disconnect().catch(() => {});
    await v.stop();
  }
}

// ---------------------------------------------------------------------------------------------

/** Deletes the dedup keys of a prefix: SCAN with a large COUNT (hundreds of thousands of keys) + UNLINK. */
async function deleteKeys(prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [nextCursor, keys] = (await redis.call('SCAN', [cursor, 'MATCH', `${prefix}flk:pcs:*`, 'COUNT', 20_000])) as [string, string[]];
    cursor = nextCursor;
    if (keys.length > 0) await redis.call('UNLINK', keys);
  } while (cursor !== '0');
}

async function cleanup(): Promise<void> {
  for (const c of children) c.kill('SIGKILL');
  await deleteTopics(kafka, createdTopics).catch(() => {});
  await deleteGroups(kafka, createdGroups).catch(() => {});
  for (const p of redisPrefixes) await deleteKeys(p).catch(() => deleteDedupKeys(redis, p)).catch(() => {});
  await redis.close().catch(() => {});
}

const fmt = (n: number | null | undefined, d = 0) => (n === null || n === undefined || !Number.isFinite(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const best = (rs: readonly DrainResult[]) => rs.reduce((a, b) => (b.rate > a.rate ? b : a));

async function main(): Promise<void> {
  const started = Date.now();
  mkdirSync(new URL('./profiles/', RESULTS), { recursive: true });
  if (!CFG.fromSource) {
    log('building (tsc -b tsconfig.build.json): the verifier runs from dist/');
    await new Promise<void>((resolve, reject) => {
      const b = spawn(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { cwd: REPO, stdio: 'inherit' });
      b.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`build failed (${code})`))));
    });
  }
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, memGb: Math.round(totalmem() / 1e9), node: process.version, loadavgStart: loadavg() };
  log(`run ${runId}: ${JSON.stringify({ n: CFG.n, edN: CFG.edN, repeats: CFG.repeats, batch: BATCH, verifierEnv: CFG.verifierEnv, machine })}`);
  const admin = kafka.admin();
  await admin.connect();
  const drain: DrainResult[] = [];
  const transport: DrainResult[] = [];
  let edDrain: DrainResult | undefined;
  let crypto: CryptoRow[] = [];
  let latency: Awaited<ReturnType<typeof latencyPhase>> | undefined;
  const scaling: ScalingResult[] = [];
  const peerDrain: DrainResult[] = [];
  let peerSkipped: string | undefined;
  let agreement: Agreement | undefined;
  let peerClasspath: string | undefined;
  if (CFG.phases.has('peer')) {
    log('peer: building the Kafka Streams peer (bench/peers/kafka-streams/build.sh)');
    const b = await buildPeer();
    if ('skip' in b) {
      peerSkipped = b.skip;
      log(`peer: skipped: ${b.skip}`);
    } else peerClasspath = b.classpath;
  }
  try {
    const main = await newTopics('main');
    const codec = createWireCodec({ registryUrl: STACK.registryUrl, pcsSubject: `${main.submitted}-value`, verdictSubject: `${main.verdicts}-value` });
    await codec.init();
    log(`encoding ${CFG.n} HMAC records`);
    const hmacRecs = encodeRecords(codec, CFG.n, 'hmac');
    await produceAll(main.submitted, hmacRecs);
    log(`pre-loaded ${CFG.n} records into ${main.submitted}`);
    for (let r = 0; r < CFG.repeats; r++) {
      if (CFG.phases.has('drain')) {
        // A fresh verdicts topic per run (same input): the output of one run does not burden the next.
        const t = r === 0 ? main : { ...main, verdicts: `${runId}.main.verdicts-${r}`, dlq: `${runId}.main.dlq-${r}` };
        if (r > 0) {
          await createTopics(kafka, [{ topic: t.verdicts, partitions: CFG.partitions, compact: true }, { topic: t.dlq }]);
          createdTopics.push(t.verdicts, t.dlq);
        }
        const d = await drainVerifier(admin, `drain-hmac-${r}`, t, 'hmac', CFG.n);
        drain.push(d);
        log(`verifier (hmac) #${r}: ${fmt(d.rate)} records/s (steady ${fmt(d.steadyRate)}), ${fmt(d.cpuPerRecordUs, 1)} µs CPU/record, peak RSS ${fmt(d.peakRssMb)} MB`);
      }
      if (CFG.phases.has('transport')) {
        for (const mode of ['txn', 'plain', ...(CFG.platformatic ? (['platformatic-plain'] as const) : [])] as const) {
          const d = await drainLoop(admin, mode, main.submitted, CFG.n, r);
          transport.push(d);
          log(`${d.what} #${r}: ${fmt(d.rate)} records/s (steady ${fmt(d.steadyRate)}), ${fmt(d.cpuPerRecordUs, 1)} µs CPU/record`);
        }
      }
      if (peerClasspath) {
        const d = await drainPeer(admin, peerClasspath, main.submitted, CFG.n, r);
        peerDrain.push(d);
        log(`${d.what} #${r}: ${fmt(d.rate)} records/s (steady ${fmt(d.steadyRate)}), ${fmt(d.cpuPerRecordUs, 1)} µs CPU/record, peak RSS ${fmt(d.peakRssMb)} MB`);
      }
      if (CFG.phases.has('scaling')) {
        for (const k of CFG.scaling) {
          const d = await drainScaling(admin, main, k, CFG.n, r);
          scaling.push(d);
          log(`scaling ${d.what} #${r}: ${fmt(d.rate)} records/s (steady ${fmt(d.steadyRate)}) (${fmt(d.committedBeforeStart)} of ${fmt(d.records)} committed by the time the last process was ready), ${fmt(d.cpuPerRecordUs, 1)} µs CPU/record summed`);
        }
      }
    }
    if (peerClasspath && CFG.peerSample > 0) {
      agreement = await peerAgreement(admin, codec, peerClasspath);
      log(`peer agreement on ${agreement.records} records: ${agreement.agree ? 'AGREE' : 'DISAGREE'} (same status ${agreement.sameStatus}; verifier ${JSON.stringify(agreement.ours)}, peer ${JSON.stringify(agreement.peer)})`);
    }
    let edRecs: EncodedRecord[] = [];
    if (CFG.edN > 0 && (CFG.phases.has('ed25519') || CFG.phases.has('crypto'))) {
      log(`encoding ${CFG.edN} Ed25519 records`);
      edRecs = encodeRecords(codec, CFG.edN, 'ed25519');
    }
    if (CFG.phases.has('crypto')) {
      log('crypto ceilings (this process, nothing else of ours running)');
      crypto = await cryptoCeilings(codec, hmacRecs, edRecs);
      for (const c of crypto) log(`  ${c.what}: ${fmt(c.opsPerSec)} ops/s, ${fmt(c.opsPerCpuSec)} ops/CPU-s`);
    }
    if (CFG.phases.has('ed25519') && CFG.edN > 0) {
      const et = await newTopics('ed25519');
      await produceAll(et.submitted, edRecs);
      edDrain = await drainVerifier(admin, 'drain-ed25519', et, 'ed25519', CFG.edN);
      log(`verifier (ed25519): ${fmt(edDrain.rate)} records/s (steady ${fmt(edDrain.steadyRate)}), ${fmt(edDrain.cpuPerRecordUs, 1)} µs CPU/record`);
    }
    if (CFG.phases.has('latency')) {
      const ref = drain.length ? best(drain).rate : num('FLK_BENCH_DRAIN_RATE', 5000);
      latency = await latencyPhase(codec, ref);
    }
  } finally {
    await admin.disconnect().catch(() => {});
    log('cleaning up topics, groups, Redis keys');
    await cleanup();
  }

  // ------------------------------------------------------------------ report
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  const vBest = drain.length ? best(drain) : undefined;
  const txnBest = transport.filter((t) => t.what.includes('transactional'));
  const plainBest = transport.filter((t) => t.what.includes('plain') && !t.what.includes('platformatic'));
  const platBest = transport.filter((t) => t.what.includes('platformatic'));
  const tPlat = platBest.length ? best(platBest) : undefined;
  const tTxn = txnBest.length ? best(txnBest) : undefined;
  const tPlain = plainBest.length ? best(plainBest) : undefined;
  const c = (k: string) => crypto.find((r) => r.what.startsWith(k))?.opsPerSec;
  const cc = (k: string) => crypto.find((r) => r.what.startsWith(k))?.opsPerCpuSec;
  const perCpu = (d: DrainResult | undefined) => (d && d.cpuPerRecordUs > 0 ? 1e6 / d.cpuPerRecordUs : undefined);
  p(`## FLK verifier bench — ${new Date().toISOString()} (${runId})`);
  p();
  p(`machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memGb} GB, node ${machine.node}; load average at start ${machine.loadavgStart.map((x) => x.toFixed(2)).join(' ')}, at end ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  p(`settings (verifier and bare loops): ${JSON.stringify(BATCH)}${Object.keys(CFG.verifierEnv).length ? `; verifier extra ${JSON.stringify(CFG.verifierEnv)}` : ''}`);
  p();
  p('### Drain (records/s, best of the interleaved runs; every run listed in the JSON)');
  p();
  p('| what | N | records/s | steady records/s | CPU µs/record | peak RSS MB | load avg (1 min) | runs |');
  p('| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  const row = (d: DrainResult | undefined, all: readonly DrainResult[]) => d && p(`| ${d.what} | ${fmt(d.records)} | **${fmt(d.rate)}** | ${fmt(d.steadyRate)} | ${fmt(d.cpuPerRecordUs, 1)} | ${fmt(d.peakRssMb)} | ${fmt(d.loadavg[0], 2)} | ${all.map((x) => fmt(x.rate)).join(', ')} |`);
  row(vBest, drain);
  row(tTxn, txnBest);
  row(tPlain, plainBest);
  row(tPlat, platBest);
  if (edDrain) row(edDrain, [edDrain]);
  p();
  p('### Ratios and targets');
  p();
  p('| ratio / target | value | target | met |');
  p('| --- | ---: | ---: | --- |');
  const ratio = (label: string, a: number | undefined, b: number | undefined, target: number | null, unit = '') => {
    if (a === undefined || b === undefined) return;
    const r = a / b;
    p(`| ${label} | ${fmt(r, 2)}${unit} | ${target === null ? '-' : `≥ ${target}`} | ${target === null ? '' : r >= target ? 'yes' : '**no**'} |`);
  };
  if (vBest) p(`| HMAC drain, one verifier | ${fmt(vBest.rate)} records/s | ≥ 20,000 | ${vBest.rate >= 20_000 ? 'yes' : '**no**'} |`);
  ratio('verifier (HMAC) / transactional bare loop', vBest?.rate, tTxn?.rate, 0.5);
  ratio('verifier (HMAC) / plain bare loop', vBest?.rate, tPlain?.rate, null);
  const peerBest = peerDrain.length ? best(peerDrain) : undefined;
  ratio('verifier (HMAC) ÷ Kafka Streams peer (exactly_once_v2)', vBest?.rate, peerBest?.rate, null);
  ratio('transactional / plain bare loop', tTxn?.rate, tPlain?.rate, null);
  ratio('plain bare loop: kafkajs / @platformatic/kafka', tPlain?.rate, tPlat?.rate, null);
  ratio('verifier (HMAC) / @platformatic plain bare loop', vBest?.rate, tPlat?.rate, null);
  ratio('verifier (HMAC) / HMAC digest+verify ceiling', vBest?.rate, c('HMAC signingDigest'), null);
  ratio('verifier (HMAC) / HMAC decide() ceiling', vBest?.rate, c('HMAC decide()'), null);
  const edCeiling = Math.max(c('Ed25519 verify, @noble') ?? 0, c('Ed25519 verify, node:crypto') ?? 0) || undefined;
  ratio('verifier (Ed25519) / faster Ed25519 verify ceiling', edDrain?.rate, edCeiling, 0.8);
  ratio('verifier (Ed25519) / Ed25519 decide() ceiling', edDrain?.rate, c('Ed25519 decide()'), null);
  // The same ratios per CPU-second (records per CPU-second of the verifier process vs ops per
  // CPU-second of the ceiling loop): what the ratio would be with a core to itself; robust to load.
  ratio('per CPU-s: verifier (HMAC) / transactional bare loop', perCpu(vBest), perCpu(tTxn), null);
  ratio('per CPU-s: verifier (HMAC) / HMAC decide() ceiling', perCpu(vBest), cc('HMAC decide()'), null);
  ratio('per CPU-s: verifier (HMAC) ÷ Kafka Streams peer', perCpu(vBest), perCpu(peerBest), null);
  const edCpuCeiling = Math.max(cc('Ed25519 verify, @noble') ?? 0, cc('Ed25519 verify, node:crypto') ?? 0) || undefined;
  ratio('per CPU-s: verifier (Ed25519) / faster Ed25519 verify ceiling', perCpu(edDrain), edCpuCeiling, 0.8);
  if (latency) {
    const half = latency.points.find((x) => x.fraction === 0.5);
    if (half) p(`| p99 produce→verdict at 50% of drain | ${fmt(half.p99, 1)} ms | ≤ 50 ms | ${half.p99 <= 50 ? 'yes' : '**no**'} |`);
  }
  const rss = Math.max(vBest?.peakRssMb ?? 0, latency?.peakRssMb ?? 0);
  if (rss) p(`| verifier peak RSS (drain, latency) | ${fmt(vBest?.peakRssMb)} MB, ${fmt(latency?.peakRssMb)} MB | ≤ 200 MB | ${rss <= 200 ? 'yes' : '**no**'} |`);
  p();
  if (crypto.length) {
    p('### Crypto / CPU ceilings (one process, tight loop over the same records)');
    p();
    p('| what | ops/s (wall) | ops per CPU-second |');
    p('| --- | ---: | ---: |');
    for (const r of crypto) p(`| ${r.what} | ${fmt(r.opsPerSec)} | ${fmt(r.opsPerCpuSec)} |`);
    p();
  }
  if (scaling.length) {
    p(`### Scaling (${CFG.partitions} partitions, one consumer group per run; ${machine.cpus} cores, so more processes than cores share them)`);
    p();
    p('| processes | steady records/s (best) | ÷ 1 process | records/s from spawn | CPU µs/record (sum, after /ready) | records per CPU-second | peak RSS MB (max) | load avg | runs (steady) |');
    p('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
    const steadyBest = (rs: readonly ScalingResult[]) => rs.reduce((a, b) => (b.steadyRate > a.steadyRate ? b : a));
    const one = scaling.filter((x) => x.processes === 1);
    const base = one.length ? steadyBest(one).steadyRate : undefined;
    for (const k of CFG.scaling) {
      const runs = scaling.filter((x) => x.processes === k);
      if (!runs.length) continue;
      const b = steadyBest(runs);
      p(`| ${k} | **${fmt(b.steadyRate)}** | ${base ? fmt(b.steadyRate / base, 2) : '-'} | ${fmt(b.rate)} | ${fmt(b.cpuPerRecordUs, 1)} | ${fmt(perCpu(b))} | ${fmt(b.peakRssMb)} | ${fmt(b.loadavg[0], 2)} | ${runs.map((x) => fmt(x.steadyRate)).join(', ')} |`);
    }
    p();
  }
  if (peerDrain.length || peerSkipped || agreement) {
    p('### Kafka Streams peer (the same work as a Kafka Streams exactly_once_v2 topology, same broker and records)');
    p();
    if (peerSkipped) p(`skipped: ${peerSkipped}`);
    const pb = peerDrain.length ? best(peerDrain) : undefined;
    if (pb) {
      p('| what | records/s (best) | steady records/s | CPU µs/record | peak RSS MB | runs |');
      p('| --- | ---: | ---: | ---: | ---: | --- |');
      if (vBest) p(`| ${vBest.what} | **${fmt(vBest.rate)}** | ${fmt(vBest.steadyRate)} | ${fmt(vBest.cpuPerRecordUs, 1)} | ${fmt(vBest.peakRssMb)} | ${drain.map((x) => fmt(x.rate)).join(', ')} |`);
      p(`| ${pb.what} | **${fmt(pb.rate)}** | ${fmt(pb.steadyRate)} | ${fmt(pb.cpuPerRecordUs, 1)} | ${fmt(pb.peakRssMb)} | ${peerDrain.map((x) => fmt(x.rate)).join(', ')} |`);
      p();
      if (vBest) p(`verifier ÷ Kafka Streams: **${fmt(vBest.rate / pb.rate, 2)}** records/s, ${fmt((perCpu(vBest) ?? 0) / (perCpu(pb) ?? 1), 2)} records per CPU-second`);
      p();
    }
    if (agreement) {
      const a = agreement;
      p(`agreement on ${fmt(a.records)} records: **${a.agree ? 'same decisions' : 'DIFFERENT DECISIONS'}** — same status for ${fmt(a.sameStatus)}; verifier ${JSON.stringify(a.ours)}, peer ${JSON.stringify(a.peer)}; tampered signed field / signature rejected: verifier ${a.tamperedRejected.ours}/${a.tamperedRejected.of}, peer ${a.tamperedRejected.peer}/${a.tamperedRejected.of}; N_j changed (unsigned) escalated: verifier ${a.countsEscalated.ours}/${a.countsEscalated.of}, peer ${a.countsEscalated.peer}/${a.countsEscalated.of}${a.disagreements.length ? `; e.g. ${a.disagreements.join('; ')}` : ''}`);
      p();
    }
  }
  if (latency) {
    p(`### Latency under load (produce → verdict visible to a read_committed reader; ${CFG.latencySeconds} s per load)`);
    p();
    p('| offered | records/s | sent | answered | p50 ms | p95 ms | p99 ms | max ms | load avg |');
    p('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const x of latency.points) p(`| ${Math.round(x.fraction * 100)}% | ${fmt(x.offeredRate)} | ${fmt(x.sent)} | ${fmt(x.answered)} | ${fmt(x.p50, 1)} | ${fmt(x.p95, 1)} | ${fmt(x.p99, 1)} | ${fmt(x.max, 1)} | ${fmt(x.loadavg[0], 2)} |`);
    p();
  }
  if (vBest?.breakdown) {
    p('### Where the verifier\'s time goes (its own histograms, best drain run)');
    p();
    for (const [k, v] of Object.entries(vBest.breakdown)) {
      if (!v.count) continue;
      if (k.includes('_seconds')) p(`- ${k}: n=${v.count} mean=${fmt(v.meanMs, 3)} ms total=${fmt(v.totalS, 2)} s`);
      else p(`- ${k}: n=${v.count} mean=${fmt(v.totalS / v.count, 1)}`);
    }
    p();
  }
  p(`total bench time ${((Date.now() - started) / 1000).toFixed(0)} s`);
  const report = lines.join('\n') + '\n';
  process.stdout.write(report);

  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = { runId, at: new Date().toISOString(), machine, settings: { ...CFG, phases: [...CFG.phases], batch: BATCH }, drain, transport, edDrain, crypto, latency, scaling, peer: { drain: peerDrain, skipped: peerSkipped, agreement } };
  writeFileSync(new URL(`bench-${stamp}.json`, RESULTS), JSON.stringify(json, null, 2));
  writeFileSync(new URL(`bench-${stamp}.md`, RESULTS), report);
  if (latency?.points.length) {
    const svg = latencyChart(latency.points, { title: 'FLK verifier: produce → verdict latency vs offered load', subtitle: `${machine.cpus} cores, node ${machine.node}, drain ${fmt(vBest?.rate)} records/s, ${CFG.latencySeconds} s per load`, targetMs: 50 });
    writeFileSync(new URL(`latency-${stamp}.svg`, RESULTS), svg);
    writeFileSync(new URL('latency-latest.svg', RESULTS), svg);
  }
  log(`results: bench/results/bench-${stamp}.{json,md}${latency ? `, latency-${stamp}.svg` : ''}`);
}

process.once('SIGINT', () => {
  log('interrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});
try {
  await main();
  process.exit(0);
} catch (err) {
  log(`failed: ${(err as Error)?.stack ?? String(err)}`);
  await cleanup().catch(() => {});
  process.exit(1);
}
