// npm run loadtest — the HTTP gateway under load: autocannon (MIT, npm; a real HTTP/1.1 load
// generator that runs in-process, so its per-response latencies need no log parsing, and nothing
// beyond npm is installed; wrk would need apt and Lua for unique bodies) against a gateway + a
// verifier on the local stack, at fixed offered rates. Each request is a distinct signed record
// (POST /v1/pcs/submit, synchronous verdict). The seeds' SLO gates are the thresholds: p95 ≤ 200 ms
// and error rate < 1 % (errors = transport errors, timeouts, and any status but 200/202).
// Then, at the target rate, the same records straight to Kafka (an idempotent kafkajs producer, as
// the agent) with a read_committed reader of pcs.verdicts: its produce → verdict p50 is the
// denominator of "gateway p50 ÷ Kafka-producer p50" (the bench's latency phase, docs/benchmarks.md).
// Prints a table and, as its last line, one JSON object. Not part of npm test (a 3 s variant is).
//
// Knobs (environment):
//   FLK_LOAD_RATES=500,1000,2000   offered rates (requests/s), one step each
//   FLK_LOAD_SECONDS=15            duration of each step
//   FLK_LOAD_TARGET_RATE=<max>     the step the gates apply to and the JSON line reports
//   FLK_LOAD_GATES=1               0: only the error gate decides the exit code (p95 is reported)
//   FLK_LOAD_KAFKA=1               0: skip the Kafka-producer comparison
//   FLK_LOAD_CONNECTIONS=<auto>    HTTP connections (default: enough for 500 ms of latency at the rate)
// Exit code: 0 when the target step passes its gates, 1 when not, 2 on a set-up failure.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Partitioners } from 'kafkajs';
import type { Pcs } from '@flk/pcs';
import { benchSigner, makeRecord } from './records.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const env = process.env;
const num = (name: string, fallback: number) => (env[name] !== undefined && env[name] !== '' ? Number(env[name]) : fallback);
const RATES = (env.FLK_LOAD_RATES ?? '500,1000,2000').split(',').map(Number);
const SECONDS = num('FLK_LOAD_SECONDS', 15);
const TARGET = num('FLK_LOAD_TARGET_RATE', Math.max(...RATES));
const GATES = env.FLK_LOAD_GATES !== '0';
const KAFKA = env.FLK_LOAD_KAFKA !== '0';
const SLO = { p95Ms: 200, errorRate: 0.01 };
const WARMUP = 200;
const log = (line: string) => process.stderr.write(`[loadtest] ${line}\n`);

if (RATES.some((r) => !(r > 0)) || !(SECONDS > 0) || !RATES.includes(TARGET)) {
  process.stderr.write('loadtest: FLK_LOAD_RATES must be positive numbers, FLK_LOAD_SECONDS > 0, FLK_LOAD_TARGET_RATE one of the rates\n');
  process.exit(2);
}

// The local stack (as the integration tests' global setup): up if needed, addresses from stack.sh.
const stackSh = `${REPO}infra/local/stack.sh`;
const up = spawnSync('bash', [stackSh, 'up'], { cwd: REPO, stdio: ['ignore', 'ignore', 'inherit'] });
if (up.status !== 0) process.exit(2);
for (const line of spawnSync('bash', [stackSh, 'env'], { cwd: REPO, encoding: 'utf8' }).stdout.split('\n')) {
  const i = line.indexOf('=');
  if (i > 0 && env[line.slice(0, i)] === undefined) env[line.slice(0, i)] = line.slice(i + 1);
}
// test/support reads the addresses at import time: import it only now.
const { createPipelineFixture, encodePcs, sleep, waitFor } = await import('../test/support/index.js');

const pct = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

interface Step {
  offered_rate: number;
  seconds: number;
  connections: number;
  requests: number;
  rate: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
  max_ms: number;
  errors: number;
  error_rate: number;
  timeouts: number;
  pending: number;
  status_counts: Record<string, number>;
  slo_pass: boolean;
  loadavg: number;
}

const fx = await createPipelineFixture({ partitions: 6, replies: 6 });
let exitCode = 2;
try {
  const [verifier, gw] = await Promise.all([
    fx.startVerifier('load-verifier', { LOG_LEVEL: 'warn' }),
    fx.startGateway('load-gw', { GATEWAY_TOKEN_RATE: '10000000', GATEWAY_TOKEN_BURST: '10000000', LOG_LEVEL: 'warn' }),
  ]);
  await Promise.all([verifier.waitReady(), gw.waitReady()]);
  const signer = benchSigner('hmac');
  const total = RATES.reduce((s, r) => s + Math.ceil(r * SECONDS * 1.1), WARMUP);
  log(`signing ${total} records (HMAC) for ${RATES.join(' / ')} requests/s × ${SECONDS} s`);
  const sentAt = new Date().toISOString();
  const bodies: string[] = Array.from({ length: total }, (_, i) => JSON.stringify(makeRecord(i, signer, sentAt)));
  let next = 0;

  const run = (rate: number, seconds: number | null, amount: number | null, connections: number) =>
    new Promise<{ lat: number[]; statuses: Map<number, number>; reqErrors: number; timeouts: number; pending: number; seconds: number }>((resolve, reject) => {
      const lat: number[] = [];
      const statuses = new Map<number, number>();
      let reqErrors = 0;
      let pending = 0;
      const t0 = performance.now();
      const inst = autocannon(
        {
          url: gw.url(''),
          connections,
          pipelining: 1,
          ...(seconds !== null ? { duration: seconds } : {}),
          ...(amount !== null ? { amount } : {}),
          overallRate: rate,
          timeout: 10,
          requests: [
            {
              method: 'POST',
              path: '/v1/pcs/submit',
              headers: { 'content-type': 'application/json' },
              setupRequest: (req) => ({ ...req, body: bodies[next++ % bodies.length] }),
              // 202 is an escalated verdict, or "pending" past the verdict timeout: count the latter.
              onResponse: (status, body) => {
                if (status === 202 && body.includes('"status":"pending"')) pending++;
              },
            },
          ],
        },
        (err, result) => {
          if (err) return reject(err);
          resolve({ lat: lat.sort((a, b) => a - b), statuses, reqErrors, timeouts: result.timeouts, pending, seconds: (performance.now() - t0) / 1000 });
        },
      );
      inst.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
        lat.push(ms);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      });
      inst.on('reqError', () => reqErrors++);
    });

  await run(200, null, WARMUP, 16); // JIT, connections, the verifier's first transactions: not measured
  await sleep(1000);
  const steps: Step[] = [];
  for (const rate of RATES) {
    const connections = num('FLK_LOAD_CONNECTIONS', Math.max(32, Math.ceil(rate / 2)));
    const load = loadavg()[0]!;
    const r = await run(rate, SECONDS, null, connections);
    const requests = r.lat.length;
    const bad = [...r.statuses].filter(([s]) => s !== 200 && s !== 202).reduce((s, [, n]) => s + n, 0);
    // autocannon reports a timeout as a reqError too: reqErrors counts both.
    const errors = bad + r.reqErrors;
    const attempted = requests + r.reqErrors;
    const step: Step = {
      offered_rate: rate,
      seconds: Number(r.seconds.toFixed(2)),
      connections,
      requests,
      rate: Number((requests / r.seconds).toFixed(1)),
      p50_ms: Number(pct(r.lat, 0.5).toFixed(2)),
      p95_ms: Number(pct(r.lat, 0.95).toFixed(2)),
      p99_ms: Number(pct(r.lat, 0.99).toFixed(2)),
      max_ms: Number((r.lat[r.lat.length - 1] ?? NaN).toFixed(2)),
      errors,
      error_rate: attempted === 0 ? 1 : errors / attempted,
      timeouts: r.timeouts,
      pending: r.pending,
      status_counts: Object.fromEntries([...r.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n])),
      slo_pass: false,
      loadavg: load,
    };
    step.slo_pass = step.p95_ms <= SLO.p95Ms && step.error_rate < SLO.errorRate && requests > 0;
    steps.push(step);
    log(`${rate}/s: ${requests} requests in ${step.seconds} s (${step.rate}/s), p50 ${step.p50_ms} p95 ${step.p95_ms} p99 ${step.p99_ms} ms, ${errors} errors, ${step.pending} pending`);
    await sleep(1000);
  }

  // The Kafka-producer comparison at the target rate: same records, same verifier, no HTTP.
  let kafkaP50: number | null = null;
  if (KAFKA) {
    const n = Math.ceil(TARGET * SECONDS);
    const recs: Pcs[] = Array.from({ length: n }, (_, i) => makeRecord(total + i, signer, new Date().toISOString()));
    const msgs = recs.map((rec) => ({ key: rec.pcs_id, value: encodePcs(fx.codec, rec) }));
    const sent = new Map<string, number>();
    const seen = new Map<string, number>();
    const reader = fx.kafka.consumer({ groupId: `${fx.groupId}-load-reader`, readUncommitted: false, maxWaitTimeInMs: 20, minBytes: 1 });
    await reader.connect();
    await reader.subscribe({ topics: [fx.topics.verdicts], fromBeginning: false });
    await reader.run({
      partitionsConsumedConcurrently: 3,
      eachBatch: async ({ batch }) => {
        const now = performance.now();
        for (const m of batch.messages) {
          const k = m.key?.toString('utf8') ?? '';
          const s = sent.get(k);
          if (s !== undefined && !seen.has(k)) seen.set(k, now - s);
        }
      },
    });
    await sleep(4000); // the reader's group join (group.initial.rebalance.delay.ms)
    const producer = fx.kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    try {
      const start = performance.now();
      let done = 0;
      const sends: Promise<unknown>[] = [];
      while (done < n) {
        const due = Math.min(n, Math.floor(((performance.now() - start) / 1000) * TARGET));
        if (due > done) {
          const batch = msgs.slice(done, due);
          const t = performance.now();
          for (const m of batch) sent.set(m.key, t);
          done = due;
          sends.push(producer.send({ topic: fx.topics.submitted, acks: -1, messages: batch }));
        }
        await sleep(5);
      }
      await Promise.all(sends);
      await waitFor('verdicts of the Kafka-produced records', () => seen.size >= n, { timeoutMs: 120_000, intervalMs: 100 }).catch(() => undefined);
      const ls = [...seen.values()].sort((a, b) => a - b);
      kafkaP50 = Number(pct(ls, 0.5).toFixed(2));
      log(`kafka producer at ${TARGET}/s: ${ls.length}/${n} verdicts, produce → verdict p50 ${kafkaP50} p95 ${pct(ls, 0.95).toFixed(2)} p99 ${pct(ls, 0.99).toFixed(2)} ms`);
    } finally {
      await producer.disconnect().catch(() => {});
      await reader.disconnect().catch(() => {});
    }
  }

  const target = steps.find((s) => s.offered_rate === TARGET)!;
  const passing = steps.filter((s) => s.p95_ms <= SLO.p95Ms && s.error_rate < SLO.errorRate);
  const head = ['offered/s', 'achieved/s', 'requests', 'conns', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'errors', '200', '202', 'pending', 'other', 'load', 'SLO'];
  const rows = steps.map((s) => [
    s.offered_rate, s.rate, s.requests, s.connections, s.p50_ms, s.p95_ms, s.p99_ms, s.max_ms, s.errors,
    s.status_counts['200'] ?? 0, s.status_counts['202'] ?? 0, s.pending,
    Object.entries(s.status_counts).filter(([k]) => k !== '200' && k !== '202').reduce((a, [, n]) => a + n, 0),
    s.loadavg.toFixed(1), s.slo_pass ? 'pass' : 'FAIL',
  ].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  process.stdout.write(`\nHTTP gateway load (${cpus().length} CPUs, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; SLO p95 ≤ ${SLO.p95Ms} ms, errors < ${SLO.errorRate * 100} %)\n`);
  process.stdout.write(`${fmt(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(fmt).join('\n')}\n`);
  const ratio = kafkaP50 !== null && kafkaP50 > 0 ? Number((target.p50_ms / kafkaP50).toFixed(2)) : null;
  if (kafkaP50 !== null) process.stdout.write(`Kafka producer at ${TARGET}/s: produce → verdict p50 ${kafkaP50} ms; gateway p50 ÷ Kafka-producer p50 = ${ratio}\n`);
  const gatePass = target.error_rate < SLO.errorRate && (!GATES || target.p95_ms <= SLO.p95Ms);
  exitCode = gatePass ? 0 : 1;
  const { slo_pass: _pass, ...targetFields } = target;
  process.stdout.write(
    `${JSON.stringify({
      ...targetFields,
      slo: { p95_ms: SLO.p95Ms, error_rate: SLO.errorRate, pass: target.slo_pass, gated: GATES },
      highest_rate_within_slo: passing.length === 0 ? null : Math.max(...passing.map((s) => s.rate)),
      kafka_producer_p50_ms: kafkaP50,
      gateway_over_kafka_p50: ratio,
      steps: steps.map((s) => ({ offered_rate: s.offered_rate, rate: s.rate, p50_ms: s.p50_ms, p95_ms: s.p95_ms, p99_ms: s.p99_ms, errors: s.errors })),
    })}\n`,
  );
} catch (err) {
  process.stderr.write(`loadtest: ${(err as Error).stack ?? String(err)}\n`);
  exitCode = 2;
} finally {
  await fx.cleanup().catch(() => {});
}
process.exit(exitCode);
