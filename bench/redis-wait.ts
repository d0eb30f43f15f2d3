// npm run bench:redis-wait — what WAIT costs (docs/redis-ha.md), every variant in the same run,
// interleaved, on the same machine and Redis processes:
//   1. claims through @flk/redis (claimMany of FLK_BENCH_WAIT_BATCH keys, FLK_BENCH_WAIT_CONCURRENCY
//      calls in flight): keys/s and p50/p99 of a call, on the single server, on the Sentinel group's
//      primary without WAIT, and with WAIT 1;
//   2. the verifier end to end: FLK_BENCH_WAIT_N records (6 partitions) drained by one verifier on
//      the Sentinel group with REDIS_WAIT_REPLICAS=1 and =0: records/s, and the p99 of its claim
//      round trip (flk_verifier_redis_roundtrip_seconds, bucket upper bound).
// Needs the stack with FLK_STACK_REDIS=sentinel (the integration global setup brings it up).
// Bounded (~2-3 min), cleans up its topics, groups and keys. Not part of npm test.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { createRedisClient, createRedisDedupStore, type RedisConnection } from '@flk/redis';
import { createPipelineFixture, deleteDedupKeys, signedRecords, STACK, waitFor } from '../test/support/index.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const CFG = {
  calls: num('FLK_BENCH_WAIT_CALLS', 400),
  batch: num('FLK_BENCH_WAIT_BATCH', 500),
  concurrency: num('FLK_BENCH_WAIT_CONCURRENCY', 4),
  n: num('FLK_BENCH_WAIT_N', 30_000),
  repeats: num('FLK_BENCH_WAIT_REPEATS', 2),
};
const SENTINELS = (env.FLK_HA_REDIS_SENTINELS ?? '127.0.0.1:6410,127.0.0.1:6411,127.0.0.1:6412').split(',').map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) }));
const SENTINEL_NAME = env.FLK_HA_REDIS_SENTINEL_NAME ?? 'flk';
const out = (s: string) => process.stdout.write(`${s}\n`);
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};

type Variant = { name: string; client: () => RedisConnection; wait?: { replicas: number; timeoutMs: number } };
const single = () => createRedisClient({ url: STACK.redisUrl, connectionName: 'flk-bench-wait' });
const sentinel = () => createRedisClient({ sentinel: { sentinels: SENTINELS, name: SENTINEL_NAME }, connectionName: 'flk-bench-wait' });
const variants: Variant[] = [
  { name: 'single server        ', client: single },
  { name: 'sentinel, no WAIT    ', client: sentinel },
  { name: 'sentinel, WAIT 1     ', client: sentinel, wait: { replicas: 1, timeoutMs: 1000 } },
];

async function libRun(v: Variant): Promise<{ keysPerSec: number; p50: number; p99: number }> {
  const client = v.client();
  const prefix = `bench-wait-${randomBytes(4).toString('hex')}:`;
  const store = createRedisDedupStore({ client, keyPrefix: prefix, ...(v.wait && { wait: v.wait }) });
  await store.checkServer();
  const lat: number[] = [];
  let next = 0;
  // About the size of a stored verdict (@flk/registry's compact form).
  const value = Buffer.alloc(70, 1);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CFG.concurrency }, async () => {
    for (let i = next++; i < CFG.calls; i = next++) {
      const entries = Array.from({ length: CFG.batch }, (_, j) => ({ key: `${i}-${j}`, value }));
      const s = performance.now();
      await store.claimMany(entries, 600);
      lat.push(performance.now() - s);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  await deleteDedupKeys(client, prefix);
  await client.close();
  return { keysPerSec: (CFG.calls * CFG.batch) / secs, p50: pct(lat, 50), p99: pct(lat, 99) };
}

/** Upper bound of the bucket holding the 99th percentile of a Prometheus histogram. */
function histogramP99(metrics: string, name: string): number {
  const buckets = [...metrics.matchAll(new RegExp(`^${name}_bucket\\{([^}]*)\\} (\\d+)`, 'gm'))];
  const byLe = new Map<number, number>();
  for (const [, labels, count] of buckets) {
    const le = /le="([^"]+)"/.exec(labels!)?.[1];
    if (!le || !/op="claimMany"/.test(labels!) || !/outcome="ok"/.test(labels!)) continue;
    const k = le === '+Inf' ? Infinity : Number(le);
    byLe.set(k, (byLe.get(k) ?? 0) + Number(count));
  }
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  return sorted.find(([, c]) => c >= 0.99 * total)?.[0] ?? NaN;
}

async function verifierRun(waitReplicas: number): Promise<{ recordsPerSec: number; claimP99Ms: number; retries: string }> {
  const fx = await createPipelineFixture({ partitions: 6 });
  const ha = sentinel();
  try {
    await fx.produceRecords(signedRecords(CFG.n));
    const v = await fx.startVerifier(`bench-wait-${waitReplicas}`, { REDIS_URL: '', REDIS_SENTINELS: SENTINELS.map((s) => `${s.host}:${s.port}`).join(','), REDIS_SENTINEL_NAME: SENTINEL_NAME, REDIS_WAIT_REPLICAS: String(waitReplicas), LOG_LEVEL: 'warn' });
    await v.waitReady(60_000);
    const counted = async () => {
      let n = 0;
      for (const m of (await v.metrics()).matchAll(/^flk_verifier_verdicts_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
      return n;
    };
    // Time from the first verdict to the last: the start-up is not part of the cost.
    await waitFor('first verdicts', async () => (await counted()) > 0, { timeoutMs: 60_000, intervalMs: 20 });
    const first = Date.now();
    const firstN = await counted();
    await waitFor(`${CFG.n} verdicts`, async () => (await counted()) >= CFG.n, { timeoutMs: 300_000, intervalMs: 50 });
    const secs = (Date.now() - first) / 1000;
    const metrics = await v.metrics();
    const retries = [...metrics.matchAll(/^flk_verifier_batch_retries_total\{code="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(' ') || 'none';
    return { recordsPerSec: (CFG.n - firstN) / secs, claimP99Ms: histogramP99(metrics, 'flk_verifier_redis_roundtrip_seconds') * 1000, retries };
  } finally {
    await deleteDedupKeys(ha, fx.redisKeyPrefix).catch(() => undefined);
    await ha.close();
    await fx.cleanup();
  }
}

out(`bench:redis-wait  claims: ${CFG.calls} calls × ${CFG.batch} keys, ${CFG.concurrency} in flight; verifier: ${CFG.n} records, 6 partitions; ${CFG.repeats} interleaved repeats`);
const lib = new Map<string, Array<{ keysPerSec: number; p50: number; p99: number }>>();
const ver = new Map<number, Array<{ recordsPerSec: number; claimP99Ms: number; retries: string }>>();
for (let r = 0; r < CFG.repeats; r++) {
  for (const v of variants) {
    const res = await libRun(v);
    (lib.get(v.name) ?? lib.set(v.name, []).get(v.name)!).push(res);
    out(`  [${r + 1}] claims  ${v.name} ${Math.round(res.keysPerSec).toString().padStart(8)} keys/s  p50 ${res.p50.toFixed(2)} ms  p99 ${res.p99.toFixed(2)} ms per ${CFG.batch}-key call`);
  }
  for (const w of r % 2 === 0 ? [1, 0] : [0, 1]) {
    const res = await verifierRun(w);
    (ver.get(w) ?? ver.set(w, []).get(w)!).push(res);
    out(`  [${r + 1}] verifier WAIT ${w === 1 ? '1  ' : 'off'}  ${Math.round(res.recordsPerSec).toString().padStart(6)} records/s  claim round trip p99 ≤ ${res.claimP99Ms} ms  retries ${res.retries}`);
  }
}
const med = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
out(`summary (median of the repeats; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}: the machine is shared, compare variants within one run):`);
for (const [name, rs] of lib) out(`  claims  ${name} ${Math.round(med(rs.map((x) => x.keysPerSec))).toString().padStart(8)} keys/s  p99 ${med(rs.map((x) => x.p99)).toFixed(2)} ms`);
for (const [w, rs] of ver) out(`  verifier WAIT ${w === 1 ? '1  ' : 'off'}  ${Math.round(med(rs.map((x) => x.recordsPerSec))).toString().padStart(6)} records/s  claim p99 ≤ ${med(rs.map((x) => x.claimP99Ms))} ms`);
