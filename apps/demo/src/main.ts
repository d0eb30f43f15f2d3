// `npm run demo`: the whole FLK pipeline on the local real-services stack, end to end, in one go.
//
//   stack up (if needed) → fresh topics for this run → verifier + sink + HTTP gateway (HMAC
//   signing, a random per-run key) → the agent over a generated sample stream → replayed /
//   tampered / inconsistent / malformed extras → records submitted over HTTP (synchronous
//   verdicts) → wait for every verdict → summary table → stop what the demo started.
//
//   npm run demo [-- --shards 6 --events-per-shard 8000 --window 1000 --inject 3 --timeout 120 --keep]
//
// Each run has its own topics (demo.<run>.pcs.*), consumer groups, Redis key prefix and audit
// directory (.flk/demo/<run>/), so counts never mix with earlier runs. docs/agent.md §Demo.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners, type Admin } from 'kafkajs';
import { verifyAuditDir } from '@flk/audit';
import { createHmacSigner } from '@flk/pcs';
import { createWireCodec, type WireCodec } from '@flk/registry';
import { newTraceparent } from '@flk/kafka';
import { buildHttpRecords, buildInjections, type RawMessage } from './inject.js';
import { writeSample } from './make-sample.js';
import { freePort, runCommand, sleep, startService, stopService, tail, waitReady, within } from './proc.js';
import { checks, metricSum, percentile, tallyVerdicts, type InjectedKind, type VerdictView } from './tally.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const REGISTRY = process.env.SCHEMA_REGISTRY_URL ?? 'http://127.0.0.1:8081';
const REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6390';
const DEMO_TENANT = 'acme';
const DEMO_KEY_ID = 'acme-demo';

const USAGE = `usage: npm run demo [-- options]
  --shards N             shards in the sample stream (default 6; every 4th profile repeats)
  --events-per-shard N   events per shard (default 8000)
  --window N             agent window = events per record (default 1000)
  --inject N             replayed, tampered, inconsistent and malformed extras, N of each (default 3)
  --http N               records submitted over the HTTP gateway (default 12)
  --timeout S            seconds to wait for all verdicts (default 120)
  --keep                 keep verifier, sink, topics (and the stack) running after the summary until Ctrl-C`;

// ── output ─────────────────────────────────────────────────────────────────────────────────────
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: string) => (s: string) => (color ? `\x1b[${code}m${s}\x1b[0m` : s);
const bold = paint('1');
const dim = paint('2');
const green = paint('32');
const red = paint('31');
const out = (s = '') => process.stdout.write(`${s}\n`);
const step = (n: number, label: string, text: string) => out(`${dim(`[${n}/8]`)} ${label.padEnd(9)} ${text}`);
const rel = (p: string) => relative(process.cwd(), p) || '.';
const fmtMs = (ms: number | null) => (ms === null ? 'n/a' : ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`);
const n0 = (x: number) => x.toLocaleString('en-US');

class DemoError extends Error {}

function int(v: string | undefined, d: number, name: string, min: number): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < min) throw new DemoError(`--${name}: expected an integer ≥ ${min}, got '${v}'`);
  return n;
}

function runId(): string {
  const d = new Date();
  const p = (x: number) => String(x).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}-${randomBytes(2).toString('hex')}`;
}

/** The parent's environment without FLK settings a developer may have exported (the demo sets its own). */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(PCS_|AGENT_|VERIFIER_|SINK_|AUDIT_|GATEWAY_|METRICS_|REDIS_KEY_PREFIX$|HTTP_PORT$|HTTP_HOST$|DEDUP_TTL_SECONDS$|KAFKA_CLIENT_ID$|LOG_LEVEL$)/.test(k)) continue;
    env[k] = v;
  }
  return { ...env, KAFKA_BROKERS: BROKERS, SCHEMA_REGISTRY_URL: REGISTRY, REDIS_URL: REDIS, KAFKAJS_NO_PARTITIONER_WARNING: '1' };
}

async function registryUp(): Promise<boolean> {
  try {
    return (await fetch(`${REGISTRY}/subjects`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

async function scrape(url: string): Promise<string | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}

// ── the run ────────────────────────────────────────────────────────────────────────────────────
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      shards: { type: 'string' },
      'events-per-shard': { type: 'string' },
      window: { type: 'string' },
      inject: { type: 'string' },
      http: { type: 'string' },
      timeout: { type: 'string' },
      keep: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    out(USAGE);
    return 0;
  }
  const shards = int(values.shards, 6, 'shards', 1);
  const eventsPerShard = int(values['events-per-shard'], 8000, 'events-per-shard', 1);
  const window = int(values.window, 1000, 'window', 1);
  const perKind = int(values.inject, 3, 'inject', 1);
  const httpCount = int(values.http, 12, 'http', 0);
  const timeoutMs = int(values.timeout, 120, 'timeout', 5) * 1000;
  const keep = values.keep === true;

  const started = Date.now();
  const run = runId();
  const runDir = join(ROOT, '.flk', 'demo', run);
  const auditDir = join(runDir, 'audit');
  mkdirSync(auditDir, { recursive: true });
  const topics = { submitted: `demo.${run}.pcs.submitted`, verdicts: `demo.${run}.pcs.verdicts`, dlq: `demo.${run}.pcs.dlq`, replies: `demo.${run}.pcs.replies` };

  // Everything started is undone in reverse order, also on Ctrl-C or a failure.
  const undo: { what: string; fn: () => Promise<string | void> }[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      while (undo.length > 0) {
        const u = undo.pop()!;
        try {
          const msg = await u.fn();
          if (msg) out(`${dim('cleanup')}   ${msg}`);
        } catch (err) {
          out(`${dim('cleanup')}   ${u.what}: ${red((err as Error).message)}`);
        }
      }
    })());
  let interrupted = false;
  const onSignal = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out(`\n${bold('interrupted')}: stopping what the demo started (Ctrl-C again to leave at once)`);
    void cleanup().then(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  out(bold(`FLK demo · run ${run}`) + dim(`  (files in ${rel(runDir)})`));
  try {
    // 1. The stack.
    const status = await runCommand('bash', ['infra/local/stack.sh', 'status'], { cwd: ROOT });
    if (status.code === 0 && (await registryUp())) {
      step(1, 'stack', `already running: Kafka ${BROKERS}, Redis ${REDIS.replace(/^redis:\/\//, '')}, registry ${REGISTRY}`);
    } else {
      // Everything down = the demo starts the stack, so the demo stops it again (also after a
      // failed or partial start). Partly up = someone else's stack: repaired, and left running.
      const allDown = /^\s*redis\s+down\b/m.test(status.stdout) && /^\s*kafka\s+down\b/m.test(status.stdout);
      if (allDown && !keep) {
        undo.push({
          what: 'stack down',
          fn: async () => {
            const r = await runCommand('bash', ['infra/local/stack.sh', 'down'], { cwd: ROOT });
            return r.code === 0 ? 'stack stopped (the demo started it; `npm run stack:up` keeps one running between demos)' : `stack down failed: ${r.stderr.trim()}`;
          },
        });
      }
      step(1, 'stack', `${allDown ? 'starting' : 'repairing'} the local stack (npm run stack:up) ...`);
      const up = await runCommand('bash', ['infra/local/stack.sh', 'up'], { cwd: ROOT, echo: (l) => out(dim(`            ${l}`)) });
      if (up.code !== 0) throw new DemoError('the local stack did not come up (see above; `npm run stack:logs` has the details)');
      if (!allDown || keep) out(dim('            the stack stays up after the demo'));
    }
    if (!(await registryUp())) throw new DemoError(`no schema registry answers at ${REGISTRY} (is apps/schema-registry built? \`npm run stack:status\`)`);

    // 2. Fresh topics for this run.
    const kafka = new Kafka({ clientId: `flk-demo-${run}`, brokers: BROKERS.split(','), logLevel: logLevel.NOTHING });
    const admin: Admin = kafka.admin();
    await admin.connect();
    undo.push({ what: 'admin disconnect', fn: async () => void (await admin.disconnect()) });
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        // The broker's append time is the verifier's `now` for v0.2 freshness (contract §7.4).
        { topic: topics.submitted, numPartitions: 6, replicationFactor: 1, configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }] },
        { topic: topics.verdicts, numPartitions: 6, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
        { topic: topics.dlq, numPartitions: 1, replicationFactor: 1 },
        // The HTTP gateway's reply topic: the verifier writes a copy of each HTTP submission's verdict here.
        { topic: topics.replies, numPartitions: 3, replicationFactor: 1 },
      ],
    });
    if (!keep) {
      undo.push({
        what: 'delete topics',
        fn: async () => {
          await admin.deleteTopics({ topics: Object.values(topics), timeout: 15_000 });
          return `deleted this run's topics (demo.${run}.pcs.*)`;
        },
      });
    }
    step(2, 'topics', `${topics.submitted} (6), ${topics.verdicts} (6, compacted), ${topics.dlq} (1), ${topics.replies} (3)`);

    // 3. The sample stream, deterministic (fixed seed), with two bad lines mixed in.
    const sampleFile = join(runDir, 'sample-stream.jsonl');
    const lines = await writeSample(sampleFile, { shards, eventsPerShard, window, seed: 42, badLines: 2, tenant: 'acme' });
    // Deterministic (make-sample.ts regenerates it), so not worth its megabytes after the run.
    if (!keep) undo.push({ what: 'remove sample', fn: async () => rm(sampleFile, { force: true }) });
    step(3, 'sample', `${n0(shards * eventsPerShard)} events in ${shards} shards (+2 bad lines), ${n0(lines)} lines → ${rel(sampleFile)}`);

    // 4. Verifier and sink. Contract v0.2: tenant `acme` signs with key `acme-demo` (HMAC, a random
    // secret for this run, never printed); the verifier's key ring file names the key and binds it
    // to the tenant, and reads the secret from a variable (as a mounted Secret would be).
    const key = randomBytes(32).toString('base64url');
    const ringFile = join(runDir, 'keyring.json');
    writeFileSync(ringFile, JSON.stringify({ keys: [{ key_id: DEMO_KEY_ID, tenant_id: DEMO_TENANT, alg: 'hmac', secret_env: 'FLK_DEMO_ACME_KEY' }] }), { mode: 0o600 });
    const env = baseEnv();
    const common = { ...env, PCS_SUBMITTED_TOPIC: topics.submitted, PCS_VERDICTS_TOPIC: topics.verdicts, PCS_DLQ_TOPIC: topics.dlq, PCS_REPLIES_TOPIC: topics.replies, LOG_LEVEL: 'info' };
    const [vPort, sPort] = [await freePort(9464), await freePort(9465)];
    const sinkPort = sPort === vPort ? await freePort(0) : sPort;
    const verifierUrl = `http://127.0.0.1:${vPort}`;
    const sinkUrl = `http://127.0.0.1:${sinkPort}`;
    const verifier = startService('verifier', 'apps/verifier/src/main.ts', {
      ...common,
      HTTP_PORT: String(vPort),
      VERIFIER_GROUP_ID: `flk-demo-${run}-verifier`,
      REDIS_KEY_PREFIX: `demo-${run}:`,
      DEDUP_TTL_SECONDS: '86400',
      PCS_MAX_AGE_SECONDS: '3600',
      PCS_KEYRING_FILE: ringFile,
      FLK_DEMO_ACME_KEY: key,
    }, join(runDir, 'verifier.log'), ROOT);
    undo.push({ what: 'stop verifier', fn: async () => `verifier stopped (${await stopService(verifier)})` });
    const sink = startService('sink', 'apps/sink/src/main.ts', {
      ...common,
      HTTP_PORT: String(sinkPort),
      SINK_GROUP_ID: `flk-demo-${run}-sink`,
      AUDIT_DIR: auditDir,
    }, join(runDir, 'sink.log'), ROOT);
    undo.push({ what: 'stop sink', fn: async () => `sink stopped (${await stopService(sink)})` });
    const gwPort = await freePort(8080);
    const gatewayUrl = `http://127.0.0.1:${gwPort}`;
    const gateway = startService('gateway', 'apps/gateway/src/main.ts', {
      ...common,
      GATEWAY_PORT: String(gwPort),
      GATEWAY_HOST: '127.0.0.1',
      GATEWAY_GROUP_ID: `flk-demo-${run}-gateway`,
      GATEWAY_REPLICA_ID: 'demo',
      REDIS_KEY_PREFIX: `demo-${run}:`, // the verifier's store: GET /v1/pcs/... reads its verdicts
      PCS_KEYRING_FILE: ringFile, // to know a submission's tenant for its rate-limit bucket
      FLK_DEMO_ACME_KEY: key,
    }, join(runDir, 'gateway.log'), ROOT);
    undo.push({ what: 'stop gateway', fn: async () => `gateway stopped (${await stopService(gateway)})` });
    await Promise.all([waitReady(verifier, `${verifierUrl}/ready`, 90_000), waitReady(sink, `${sinkUrl}/ready`, 90_000), waitReady(gateway, `${gatewayUrl}/ready`, 90_000)]);
    step(4, 'services', `verifier ${verifierUrl} (pid ${verifier.pid}), sink ${sinkUrl} (pid ${sink.pid}), gateway ${gatewayUrl} (pid ${gateway.pid}); contract v0.2, tenant ${DEMO_TENANT} signing with key ${DEMO_KEY_ID} (key ring ${rel(ringFile)})`);

    // 5. The agent over the stream.
    const agentStarted = Date.now();
    const agentRun = await runCommand(process.execPath, ['--import', 'tsx', '--conditions=@flk/source', 'apps/agent/src/main.ts', '--input', sampleFile, '--json'], {
      cwd: ROOT,
      env: { ...common, PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: key, PCS_TENANT_ID: DEMO_TENANT, PCS_KEY_ID: DEMO_KEY_ID, AGENT_WINDOW_EVENTS: String(window), AGENT_LINGER_MS: '5', AGENT_CLIENT_ID: `flk-demo-${run}-agent` },
    });
    writeFileSync(join(runDir, 'agent.log'), agentRun.stderr);
    let agent: { records: number; published: number; unpublished: number; badLines: number; badLineSamples: { line: number; reason: string }[]; perShard: Record<string, { regimes: Record<string, number> }> };
    try {
      agent = JSON.parse(agentRun.stdout);
    } catch {
      throw new DemoError(`the agent failed (exit ${agentRun.code}):\n${tail(join(runDir, 'agent.log'))}`);
    }
    const agentSecs = (Date.now() - agentStarted) / 1000;
    const regimes = { sticky: 0, mixed: 0, non_sticky: 0 } as Record<string, number>;
    for (const s of Object.values(agent.perShard)) for (const [r, k] of Object.entries(s.regimes)) regimes[r] = (regimes[r] ?? 0) + k;
    step(5, 'agent', `published ${agent.published}/${agent.records} records in ${agentSecs.toFixed(1)} s` +
      ` (sticky ${regimes.sticky}, mixed ${regimes.mixed}, non_sticky ${regimes.non_sticky}); bad lines ${agent.badLines}` +
      (agent.badLineSamples.length ? dim(` (${agent.badLineSamples.map((b) => `line ${b.line}: ${b.reason}`).join('; ')})`) : ''));
    if (agentRun.code !== 0 || agent.unpublished > 0) throw new DemoError(`the agent left ${agent.unpublished} record(s) unpublished (exit ${agentRun.code}); see ${rel(join(runDir, 'agent.log'))}`);

    // 6. The extras: drawn from what the agent published, sent one by one to know their offsets.
    const codec: WireCodec = createWireCodec({ registryUrl: REGISTRY, pcsSubject: `${topics.submitted}-value`, verdictSubject: `${topics.verdicts}-value` });
    await codec.init();
    const published = await readMessages(kafka, [topics.submitted], 2 * perKind, 30_000, `flk-demo-${run}-sampler`);
    const injections = await buildInjections({
      published: published.map((m) => ({ key: m.key, value: m.value }) as RawMessage),
      codec,
      signer: createHmacSigner(key),
      tenantId: DEMO_TENANT,
      keyId: DEMO_KEY_ID,
      n: perKind,
      now: () => new Date(),
    });
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const injected = new Map<string, InjectedKind>();
    try {
      for (const inj of injections) {
        const [meta] = await producer.send({ topic: topics.submitted, acks: -1, messages: [{ key: inj.key, value: inj.value }] });
        injected.set(`${meta!.partition}:${meta!.baseOffset}`, inj.kind);
      }
    } finally {
      await producer.disconnect();
    }
    const kinds = { replay: perKind, tampered: perKind, inconsistent: perKind, malformed: perKind } as Record<InjectedKind, number>;
    step(6, 'inject', `${perKind} replayed, ${perKind} tampered (coh★ changed after signing), ${perKind} inconsistent (signed, D̂ misreported), ${perKind} malformed (garbage, wrong magic byte, truncated Avro)`);

    // 6b. Records over HTTP, all at once: each response carries its verdict (or 202 + Location).
    const httpRecords = buildHttpRecords({ n: httpCount, signer: createHmacSigner(key), tenantId: DEMO_TENANT, keyId: DEMO_KEY_ID, salt: run, now: () => new Date() });
    const http = await Promise.all(
      httpRecords.map(async (rec) => {
        const t0 = performance.now();
        const res = await fetch(`${gatewayUrl}/v1/pcs/submit`, { method: 'POST', headers: { 'content-type': 'application/json', traceparent: newTraceparent() }, body: JSON.stringify(rec) });
        const body = (await res.json().catch(() => ({}))) as { status?: string; reason?: string };
        return { pcsId: rec.pcs_id, code: res.status, status: body.status ?? null, reason: body.reason ?? null, ms: performance.now() - t0 };
      }),
    );
    const httpCodes = Object.entries(http.reduce<Record<number, number>>((a, h) => ((a[h.code] = (a[h.code] ?? 0) + 1), a), {})).map(([c, k]) => `${c} ×${k}`).join(', ');
    const httpMs = http.map((h) => h.ms).sort((a, b) => a - b);
    if (httpCount > 0) step(6, 'http', `${httpCount} records POSTed to ${gatewayUrl}/v1/pcs/submit: ${httpCodes}; p50 ${fmtMs(percentile(httpMs, 50))} (synchronous verdicts)`);

    // 7. Every verdict (read_committed), and the DLQ.
    const expectedTotal = agent.published + injections.length + http.filter((h) => h.code === 200 || h.code === 202).length;
    const waitStarted = Date.now();
    const { verdicts, dlq, appendedAt } = await collectVerdicts(kafka, codec, topics, expectedTotal, perKind, timeoutMs, `flk-demo-${run}-reader`);
    const complete = verdicts.length >= expectedTotal;
    step(7, 'verdicts', `${verdicts.length}/${expectedTotal} verdicts, ${dlq} DLQ entries, ${complete ? 'all in' : red('TIMED OUT')} after ${((Date.now() - waitStarted) / 1000).toFixed(1)} s`);

    // 8. Metrics, audit log, summary.
    const vMetrics = await scrape(`${verifierUrl}/metrics`);
    let sMetrics = await scrape(`${sinkUrl}/metrics`);
    for (let i = 0; i < 40 && (metricSum(sMetrics ?? '', 'flk_ingest_total') ?? 0) < verdicts.length; i++) {
      await sleep(250); // the sink writes the audit log right behind the verdicts topic
      sMetrics = await scrape(`${sinkUrl}/metrics`);
    }
    let audit: string;
    try {
      const a = await verifyAuditDir(auditDir);
      audit = a.ok ? green(`${a.lines} lines, hash chain intact`) + dim(` (last hash ${a.lastHash.slice(0, 16)}…)`) : red(`BROKEN at ${a.segment}:${a.line} (${a.reason}: ${a.detail})`);
    } catch (err) {
      audit = red(`cannot verify: ${(err as Error).message}`);
    }

    const t = tallyVerdicts(verdicts, { injected, total: expectedTotal, appendedAt });
    const wallSecs = t.firstDecidedMs !== null && t.lastDecidedMs !== null ? Math.max(0.001, (t.lastDecidedMs - t.firstDecidedMs) / 1000) : null;
    const vCount = vMetrics ? metricSum(vMetrics, 'flk_verifier_verdicts_total') : null;
    const busy = vMetrics ? (metricSum(vMetrics, 'flk_verifier_batch_seconds_sum') ?? 0) + (metricSum(vMetrics, 'flk_verifier_kafka_transaction_seconds_sum') ?? 0) : 0;
    const reasons = Object.entries(t.reasons).sort((a, b) => b[1] - a[1]).map(([r, k]) => `${r} ×${k}`).join(', ');
    const cs = checks(t, { injected, total: expectedTotal }, kinds, dlq);
    if (httpCount > 0) {
      // Each synchronous HTTP verdict (200/202 with a verdict body) is the one on the verdicts topic.
      const onTopic = new Map(verdicts.filter((v) => !v.duplicate).map((v) => [v.pcs_id, v]));
      const same = http.filter((h) => h.status === 'pending' || (onTopic.get(h.pcsId)?.status === h.status && onTopic.get(h.pcsId)?.reason === h.reason)).length;
      cs.push({ ok: same === httpCount && http.every((h) => h.code === 200 || h.code === 202), text: `HTTP submissions answered with their ${topics.verdicts} verdict (${same}/${httpCount}; ${httpCodes})` });
    }

    step(8, 'summary', '');
    const row = (label: string, value: string, note = '') => out(`  ${label.padEnd(26)} ${value.padStart(9)}  ${dim(note)}`);
    out(`  ${'─'.repeat(90)}`);
    row('published by the agent', n0(agent.published), `${shards} shards; sticky ${regimes.sticky}, mixed ${regimes.mixed}, non_sticky ${regimes.non_sticky}`);
    row('injected', n0(injections.length), `${perKind} replayed, ${perKind} tampered, ${perKind} inconsistent, ${perKind} malformed`);
    if (httpCount > 0) row('submitted over HTTP', n0(httpCount), `gateway POST /v1/pcs/submit: ${httpCodes}; response p50 ${fmtMs(percentile(httpMs, 50))}, p95 ${fmtMs(percentile(httpMs, 95))}`);
    row('verdicts', n0(t.verdicts), complete ? 'one per submitted message' : `expected ${expectedTotal}`);
    row('  accepted', n0(t.accepted));
    row('  escalated', n0(t.escalated), reasonsOf(t.reasons, (r) => !r.startsWith('malformed:') && r !== 'signature'));
    row('  rejected', n0(t.rejected), reasonsOf(t.reasons, (r) => r.startsWith('malformed:') || r === 'signature'));
    row('  duplicates', n0(t.duplicates), 'replays: the original verdict, flagged duplicate');
    row('DLQ', n0(dlq), `${topics.dlq}`);
    row('verifier throughput', wallSecs ? `${n0(Math.round(t.verdicts / wallSecs))}/s` : 'n/a',
      `${n0(t.verdicts)} verdicts over ${wallSecs?.toFixed(2) ?? '?'} s of decided_at (paced by the agent)` +
        (vCount && busy > 0 ? `; ${n0(Math.round(vCount / busy))}/s while busy (/metrics: batch + transaction time)` : ''));
    row('latency p50', fmtMs(percentile(t.latenciesMs, 50)), `sent_at → decided_at, ${t.latenciesMs.length} non-duplicate accepted/escalated verdicts`);
    row('latency p95', fmtMs(percentile(t.latenciesMs, 95)));
    row('  verifier p50 / p95', `${fmtMs(percentile(t.verifierLatenciesMs, 50))} / ${fmtMs(percentile(t.verifierLatenciesMs, 95))}`, 'broker append → decided_at (the rest is the agent: windowing, outbox linger, produce)');
    out(`  ${'─'.repeat(90)}`);
    out(`  metrics     ${verifierUrl}/metrics (verifier)   ${sinkUrl}/metrics (sink)   ${gatewayUrl}/metrics (gateway)` + dim(keep ? '' : '  — up while the demo runs; --keep keeps them'));
    out(`  audit log   ${rel(auditDir)}  ${audit}`);
    out(dim(`              re-check any time: npm run -s flk -- audit verify ${rel(auditDir)}`));
    out(`  logs        ${rel(runDir)}/{agent,verifier,sink,gateway}.log`);
    if (reasons) out(dim(`  reasons     ${reasons}`));
    for (const c of cs) out(`  ${c.ok ? green('✓') : red('✗')} ${c.text}`);
    const ok = complete && cs.every((c) => c.ok);
    out(`  ${ok ? green(bold('demo OK')) : red(bold('demo FAILED'))} in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    if (keep && !interrupted) {
      out(`\n  --keep: verifier, sink, topics and stack stay up; Ctrl-C stops verifier and sink.`);
      await new Promise<void>(() => {}); // until the signal handler cleans up and exits
    }
    return ok ? 0 : 1;
  } catch (err) {
    if (interrupted) return 130;
    out(`${red(bold('demo failed'))}: ${err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return 1;
  } finally {
    if (!interrupted) await cleanup();
  }
}

function reasonsOf(reasons: Record<string, number>, pick: (r: string) => boolean): string {
  return Object.entries(reasons).filter(([r]) => pick(r)).sort((a, b) => b[1] - a[1]).map(([r, k]) => `${r} ×${k}`).join(', ');
}

/** Reads the first `count` messages of `topicsToRead` from the beginning (read_committed). */
async function readMessages(kafka: Kafka, topicsToRead: string[], count: number, timeoutMs: number, groupId: string) {
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  const got: { topic: string; key: Buffer | null; value: Buffer }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: topicsToRead, fromBeginning: true });
    let done!: () => void;
    const enough = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (got.length < count && message.value) got.push({ topic, key: message.key, value: message.value });
        if (got.length >= count) done();
      },
    });
    await within(enough, timeoutMs);
  } finally {
    await consumer.disconnect();
  }
  if (got.length < count) throw new DemoError(`read only ${got.length} of ${count} messages from ${topicsToRead.join(', ')}`);
  return got;
}

/** Consumes the verdicts and DLQ topics until `total` verdicts and `dlqWanted` DLQ entries, or the timeout. */
async function collectVerdicts(kafka: Kafka, codec: WireCodec, topics: { submitted: string; verdicts: string; dlq: string }, total: number, dlqWanted: number, timeoutMs: number, groupId: string) {
  const consumer = kafka.consumer({ groupId, readUncommitted: false });
  const verdicts: VerdictView[] = [];
  // The submitted messages' broker append times: the verifier's share of the latency starts there.
  const appendedAt = new Map<string, number>();
  let dlq = 0;
  let undecodable = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topics.submitted, topics.verdicts, topics.dlq], fromBeginning: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        if (topic === topics.submitted) appendedAt.set(`${partition}:${message.offset}`, Number(message.timestamp));
        else if (topic === topics.dlq) dlq++;
        else {
          const d = await codec.decodeVerdict(message.value);
          if (d.ok) verdicts.push(d.value as unknown as VerdictView);
          else undecodable++;
        }
        if (verdicts.length + undecodable >= total && dlq >= dlqWanted && appendedAt.size >= total) done();
      },
    });
    await within(finished, timeoutMs);
    await sleep(500); // anything beyond the expected count would be a second verdict we must see
  } finally {
    await consumer.disconnect();
  }
  if (undecodable > 0) out(red(`  ${undecodable} verdict message(s) could not be decoded`));
  return { verdicts, dlq, appendedAt };
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    out(`${red(bold('demo failed'))}: ${err instanceof DemoError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
