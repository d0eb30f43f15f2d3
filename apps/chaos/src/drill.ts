// The chaos drill: N signed records produced at a steady pace into fresh topics, consumed by V
// verifier processes and one sink, while a schedule of faults runs: SIGKILL a random verifier
// (restarted at once), SIGSTOP one past its session timeout (a forced rebalance with a zombie),
// Redis SIGKILL + restart, a Kafka broker restart, SIGKILL the sink (restarted). Then an auditor
// reads everything back with read_committed and checks the invariants (docs/reliability.md).
import { spawn } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAuditTail, verifyAuditDir } from '@flk/audit';
import { createHmacSigner } from '@flk/pcs';
import { createWireCodec } from '@flk/registry';
import { encodeRawPcs, wire } from './avro-raw.js';
import { decodeVerdict } from './bad-input.js';
import { cleanRecord, toRaw } from './hostile.js';
import { brokerPid, leaderOfMostPartitions, transactionCoordinator } from './cluster.js';
import { baseEnv, createTopics, ENV, freePort, groupLag, produceAll, readAll, retrying, scanKeys, sleep, startService, type OutMessage, type Service } from './infra.js';
import { logsWithKey, ROOT, type Run } from './run.js';

export interface ChaosOptions {
  records: number;
  partitions: number;
  verifiers: number;
  kills: number;
  stops: number;
  redisRestarts: number;
  kafkaRestarts: number;
  sinkKills: number;
  produceSeconds: number;
  timeoutMs: number;
  /** The cluster drill's faults and checks (3-broker stack + Sentinel); absent for the single-broker drill. */
  cluster?: ClusterFaults;
}

export interface ClusterFaults {
  /** FLK_STACK_DIR of the 3-broker stack (its pid files: the SIGSTOP target). */
  stackDir: string;
  /** SIGKILLs of the broker leading the most input partitions, each restarted. */
  leaderKills: number;
  /** SIGKILLs of the broker coordinating the verifiers' transactions, each restarted. */
  coordinatorKills: number;
  /** SIGKILLs of the Redis primary; the sentinels promote a replica, the old primary rejoins. */
  redisFailovers: number;
  /** SIGSTOPs of one broker for `brokerStopMs`. */
  brokerStops: number;
  brokerStopMs: number;
  /** Registry outages of `registryDownMs`. */
  registryOutages: number;
  registryDownMs: number;
  /** Every Nth record is sent again ~500 records later (same bytes, another offset): the dedupe's test. */
  resendEvery: number;
  /** REDIS_WAIT_REPLICAS for the verifiers (1: a claim reached a replica before its verdict commits; 0: WAIT off). */
  waitReplicas: number;
}

export interface FaultRecord {
  at: number;
  kind: string;
  target: string;
  ms: number;
  note?: string;
}

export interface ChaosReport {
  run: string;
  options: ChaosOptions;
  seconds: number;
  faults: FaultRecord[];
  inputs: number;
  verdictRecords: number;
  /** Input offsets without a verdict whose source is that offset. */
  lost: number;
  /** Committed verdict records beyond the first for the same source (topic, partition, offset). */
  duplicateVerdictRecords: number;
  /** Sources whose committed copies are not byte-identical (key and value). */
  divergent: number;
  /** pcs_ids whose verdicts disagree on the decision (status, reasons, recomputed values, decided_at). */
  decisionConflicts: number;
  /** Verdicts flagged duplicate (a pcs_id delivered again at another offset: legitimate). */
  flaggedDuplicates: number;
  /** pcs_ids decided as not-duplicate at two or more sources (a lost claim); must be 0 with WAIT. */
  doubleFirst: number;
  /** Records the drill sent a second time on purpose (cluster drill). */
  resent: number;
  /** Acknowledged records (pcs_ids) not in the input topic: a write the cluster lost (must be 0). */
  ackedAbsent: number;
  /** The ordinals of the first absent records (their place in the production order). */
  ackedAbsentSample: number[];
  statuses: Record<string, number>;
  redisKeys: number;
  distinctPcsIds: number;
  auditLines: number;
  auditMissing: number;
  auditExtra: number;
  auditVerify: { ok: boolean; detail: string };
  cliVerify: { code: number; output: string };
  verifierExits: Record<string, number>;
  producerRetries: number;
  /** Service log files scanned for the run's HMAC key, and those holding it (must be none). */
  logScan: { files: number; leaks: string[] };
  completed: boolean;
  ok: boolean;
  problems: string[];
}

const SESSION_TIMEOUT_MS = 6000;

function runStack(args: string[], log: string): Promise<number> {
  return new Promise((resolve) => {
    const fd = openSync(log, 'a');
    const child = spawn('bash', ['infra/local/stack.sh', ...args], { cwd: ROOT, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    child.once('exit', (code) => resolve(code ?? 1));
  });
}

export async function chaosDrill(run: Run, o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const hardDeadline = started + o.timeoutMs;
  const t = { submitted: `${run.id}.submitted`, verdicts: `${run.id}.verdicts`, dlq: `${run.id}.dlq` };
  await createTopics(run.admin, [
    { topic: t.submitted, partitions: o.partitions },
    { topic: t.verdicts, partitions: 6, compact: true },
    { topic: t.dlq, partitions: 1 },
  ]);
  const group = `${run.id}-verifier`;
  const sinkGroup = `${run.id}-sink`;
  const prefix = `${run.id}:`;
  const auditDir = join(run.dir, 'audit');
  // A failed cluster run keeps its topics (and the brokers' segments) for a look at what was lost.
  let keepTopics = false;
  run.defer('delete topics', () => (keepTopics ? Promise.resolve(run.log(`kept topics ${Object.values(t).join(', ')} for inspection`)) : run.admin.deleteTopics({ topics: Object.values(t), timeout: 30_000 })));
  run.defer('delete groups', () => run.admin.deleteGroups([group, sinkGroup]).catch(() => {}));
  run.defer('delete redis keys', () => scanKeys(run.redis, prefix, true, (l) => run.log(l)));

  const codec = createWireCodec({ registryUrl: ENV.registry, pcsSubject: `${t.submitted}-value`, verdictSubject: `${t.verdicts}-value` });
  // The registry stores schemas in a Kafka topic: right after a broker fault (the cluster leg runs
  // after a broker SIGKILL) its first write can fail. It is retriable: retried for up to 60 s.
  const { pcsSchemaId } = await retrying('schema registry not ready', () => codec.init(), (l) => run.log(l));
  const signer = createHmacSigner(run.hmacKey);

  // ── services ──
  const common = { ...baseEnv(), PCS_SUBMITTED_TOPIC: t.submitted, PCS_VERDICTS_TOPIC: t.verdicts, PCS_DLQ_TOPIC: t.dlq, LOG_LEVEL: 'info' };
  const verifierExits: Record<string, number> = {};
  let generation = 0;
  const startVerifier = async (slot: number): Promise<Service> => {
    const port = await freePort();
    const name = `verifier-${slot}.${generation++}`;
    const s = startService(name, 'apps/verifier/src/main.ts', {
      ...common, VERIFIER_GROUP_ID: group, REDIS_KEY_PREFIX: prefix, PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: run.hmacKey,
      HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', KAFKA_CLIENT_ID: `${run.id}-${name}`, DEDUP_TTL_SECONDS: '7200', PCS_MAX_AGE_SECONDS: '3600',
      KAFKA_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), KAFKA_HEARTBEAT_INTERVAL_MS: '1000',
      ...(o.cluster ? { REDIS_WAIT_REPLICAS: String(o.cluster.waitReplicas) } : {}),
    }, join(run.dir, `verifier-${slot}.log`), ROOT, port);
    void s.exited.then((c) => (verifierExits[String(c)] = (verifierExits[String(c)] ?? 0) + 1));
    return s;
  };
  const startSink = async (): Promise<Service> => {
    const port = await freePort();
    return startService('sink', 'apps/sink/src/main.ts', {
      ...common, SINK_GROUP_ID: sinkGroup, AUDIT_DIR: auditDir, HTTP_PORT: String(port), SINK_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS),
      KAFKA_CLIENT_ID: `${run.id}-sink`, AUDIT_SEGMENT_BYTES: String(8 * 1048576),
    }, join(run.dir, 'sink.log'), ROOT, port);
  };
  const verifiers: Service[] = [];
  for (let i = 0; i < o.verifiers; i++) verifiers.push(await startVerifier(i));
  let sink = await startSink();
  run.defer('stop services', async () => {
    await Promise.all([...verifiers.map((v) => v.stop(15_000)), sink.stop(15_000)]);
  });
  await Promise.all([...verifiers.map((v) => v.waitReady()), sink.waitReady()]);
  run.log(`run ${run.id}: ${o.verifiers} verifiers and the sink ready; producing ${o.records} records over ~${o.produceSeconds} s`);

  // ── production, paced ──
  let producerRetries = 0;
  let resent = 0;
  const resendEvery = o.cluster?.resendEvery ?? 0;
  const RESEND_LAG = 500;
  const ordinal = new Map<string, number>();
  const produceStart = Date.now();
  const producing = produceAll(run.kafka, t.submitted, (function* () {
    // The last RESEND_LAG messages: a re-send is the very same bytes, ~2 chunks later, so that its
    // first copy's claim is fresh in Redis (or lost with it in a failover, when WAIT is off).
    const ring: OutMessage[] = [];
    for (let i = 0; i < o.records; i++) {
      const p = cleanRecord(signer, i);
      ordinal.set(p.pcs_id, i);
      const m = { key: p.pcs_id, value: wire(pcsSchemaId, encodeRawPcs(toRaw(p))) } as OutMessage;
      ring[i % RESEND_LAG] = m;
      yield m;
      if (resendEvery > 0 && i >= RESEND_LAG && i % resendEvery === 0) {
        resent++;
        yield ring[(i + 1) % RESEND_LAG]!;
      }
    }
  })(), {
    chunk: 250,
    deadline: hardDeadline,
    onRetry: () => producerRetries++,
    pace: async (sent) => {
      const due = produceStart + (sent / o.records) * o.produceSeconds * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    },
  });
  let produced: number | null = null;
  const producingDone = producing.then((n) => (produced = n), (err: Error) => {
    run.log(`producer gave up: ${err.message}`);
    return -1;
  });

  // ── faults ──
  type Kind = 'kill' | 'stop' | 'redis' | 'kafka' | 'sink' | 'leader' | 'coordinator' | 'failover' | 'broker-stop' | 'registry';
  const c = o.cluster;
  const plan: Kind[] = [
    ...Array<Kind>(o.kills).fill('kill'), ...Array<Kind>(o.stops).fill('stop'), ...Array<Kind>(o.redisRestarts).fill('redis'),
    ...Array<Kind>(o.kafkaRestarts).fill('kafka'), ...Array<Kind>(o.sinkKills).fill('sink'),
    ...Array<Kind>(c?.leaderKills ?? 0).fill('leader'), ...Array<Kind>(c?.coordinatorKills ?? 0).fill('coordinator'),
    ...Array<Kind>(c?.redisFailovers ?? 0).fill('failover'), ...Array<Kind>(c?.brokerStops ?? 0).fill('broker-stop'),
    ...Array<Kind>(c?.registryOutages ?? 0).fill('registry'),
  ];
  // Random order, evenly spaced over 5 %…90 % of the production window (jittered).
  for (let i = plan.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [plan[i], plan[j]] = [plan[j]!, plan[i]!];
  }
  const window = o.produceSeconds * 1000;
  const faults: FaultRecord[] = [];
  const stackLog = join(run.dir, 'stack.log');
  for (let i = 0; i < plan.length; i++) {
    const due = produceStart + window * (0.05 + (0.85 * (i + Math.random() * 0.5)) / plan.length);
    while (Date.now() < due && Date.now() < hardDeadline) {
      // A verifier restarted while the registry or a broker was down may exit (it could not start):
      // restarted, as an orchestrator would, so that two keep consuming.
      for (let slot = 0; slot < verifiers.length; slot++) if (verifiers[slot]!.status() !== undefined) verifiers[slot] = await startVerifier(slot);
      await sleep(100);
    }
    if (Date.now() >= hardDeadline) break;
    const kind = plan[i]!;
    const t0 = Date.now();
    const at = Math.round((t0 - started) / 100) / 10;
    if (kind === 'kill') {
      const slot = Math.floor(Math.random() * verifiers.length);
      const victim = verifiers[slot]!;
      await victim.kill();
      verifiers[slot] = await startVerifier(slot);
      faults.push({ at, kind: 'SIGKILL verifier', target: victim.name, ms: Date.now() - t0, note: `restarted as ${verifiers[slot]!.name}` });
      void verifiers[slot]!.waitReady().catch(() => {});
    } else if (kind === 'stop') {
      const slot = Math.floor(Math.random() * verifiers.length);
      const victim = verifiers[slot]!;
      victim.signal('SIGSTOP');
      await sleep(SESSION_TIMEOUT_MS + 4000);
      victim.signal('SIGCONT');
      faults.push({ at, kind: 'SIGSTOP verifier', target: victim.name, ms: Date.now() - t0, note: `stopped ${SESSION_TIMEOUT_MS + 4000} ms > session timeout ${SESSION_TIMEOUT_MS} ms, then SIGCONT` });
    } else if (kind === 'redis') {
      const code = await runStack(['restart-redis', '--kill'], stackLog);
      faults.push({ at, kind: 'Redis SIGKILL + restart', target: 'redis', ms: Date.now() - t0, note: `stack.sh exit ${code}` });
    } else if (kind === 'kafka') {
      const code = await runStack(['restart-kafka'], stackLog);
      faults.push({ at, kind: 'Kafka broker restart', target: 'kafka', ms: Date.now() - t0, note: `stack.sh exit ${code}` });
    } else if (kind === 'leader' || kind === 'coordinator') {
      // Found at the moment of the fault: leadership moved after the previous kills.
      const target = kind === 'leader'
        ? await leaderOfMostPartitions(run.admin, t.submitted).then((l) => ({ node: l.node, why: `leads ${l.leads}/${l.of} input partitions` }))
        : await transactionCoordinator(run.admin, Array.from({ length: o.partitions }, (_, p) => `${group}-${t.submitted}-${p}`))
          .then((x) => ({ node: x.node, why: `coordinates ${x.coordinates}/${x.of} transactional ids` }));
      const code = await runStack(['restart-kafka', '--kill', '--node', String(target.node), '--down-ms', '3000'], stackLog);
      faults.push({ at, kind: kind === 'leader' ? 'SIGKILL partition leader' : 'SIGKILL txn coordinator', target: `kafka-${target.node}`, ms: Date.now() - t0, note: `${target.why}; down 3 s, restarted (stack.sh exit ${code})` });
    } else if (kind === 'failover') {
      const out = join(run.dir, 'redis-ha.log');
      const code = await new Promise<number>((resolve) => {
        const fd = openSync(out, 'a');
        const child = spawn('bash', ['infra/local/redis-ha.sh', 'kill-primary', '--restart'], { cwd: ROOT, stdio: ['ignore', fd, fd] });
        closeSync(fd);
        child.once('exit', (x) => resolve(x ?? 1));
      });
      const line = readFileSync(out, 'utf8').trim().split('\n').filter((l) => l.startsWith('failover:')).at(-1) ?? '';
      faults.push({ at, kind: 'SIGKILL Redis primary', target: 'redis-ha', ms: Date.now() - t0, note: `${line || 'no failover line'}; old primary rejoined (exit ${code})` });
    } else if (kind === 'broker-stop') {
      const l = await leaderOfMostPartitions(run.admin, t.submitted);
      const pid = brokerPid(c!.stackDir, l.node);
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(c!.brokerStopMs);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      faults.push({ at, kind: 'SIGSTOP broker', target: `kafka-${l.node}`, ms: Date.now() - t0, note: `leads ${l.leads}/${l.of} input partitions; stopped ${c!.brokerStopMs} ms, then SIGCONT` });
    } else if (kind === 'registry') {
      const code = await runStack(['restart-registry', '--kill', '--down-ms', String(c!.registryDownMs)], stackLog);
      faults.push({ at, kind: 'registry down', target: 'registry', ms: Date.now() - t0, note: `SIGKILL, down ${c!.registryDownMs} ms, restarted (stack.sh exit ${code})` });
    } else {
      await sink.kill();
      sink = await startSink();
      faults.push({ at, kind: 'SIGKILL sink', target: 'sink', ms: Date.now() - t0, note: 'restarted' });
    }
    const f = faults.at(-1)!;
    run.log(`fault ${i + 1}/${plan.length} at ${f.at}s: ${f.kind} ${f.target} (${f.ms} ms${f.note ? `; ${f.note}` : ''})`);
  }

  // ── drain ──
  await Promise.race([producingDone, sleep(Math.max(0, hardDeadline - Date.now()))]);
  run.log(`produced ${produced ?? '?'} records (${producerRetries} retried sends); waiting for the verifiers to drain`);
  let completed = false;
  let zeroSince = 0;
  while (Date.now() < hardDeadline) {
    const lag = await groupLag(run.admin, group, t.submitted);
    // Lag 0 against end offsets below the acknowledged count is stale metadata (a broker just
    // resumed), not a drained input: wait up to 60 s for the offsets to catch up; the audit then
    // names any acknowledged record that is really absent.
    const endSum = await run.admin.fetchTopicOffsets(t.submitted).then((e) => e.reduce((a, p) => a + Number(p.high) - Number(p.low), 0), () => -1);
    if (lag === 0) {
      zeroSince ||= Date.now();
      if (endSum >= (produced ?? 0) || Date.now() - zeroSince > 60_000) {
        if (endSum < (produced ?? 0)) run.log(`lag 0, but end offsets sum to ${endSum} for ${produced} acknowledged records`);
        completed = true;
        break;
      }
    } else zeroSince = 0;
    for (let slot = 0; slot < verifiers.length; slot++) {
      // A verifier that exited on its own (exit 1 after a non-retriable error) is restarted, as an orchestrator would.
      if (verifiers[slot]!.status() !== undefined) {
        run.log(`${verifiers[slot]!.name} exited (${verifiers[slot]!.status()}): restarting`);
        verifiers[slot] = await startVerifier(slot);
      }
    }
    if (sink.status() !== undefined) sink = await startSink();
    await sleep(1000);
  }
  run.log(completed ? 'verifiers drained the input' : 'TIMED OUT before the verifiers drained the input');

  // ── audit ──
  // Right after a broker's SIGCONT a listing of end offsets can come from stale metadata; every
  // acknowledged record must be in the topic, so the audit reads at least that many.
  const acked = produced ?? 0;
  const ends = await run.admin.fetchTopicOffsets(t.submitted);
  const inputCount = ends.reduce((a, p) => a + Number(p.high) - Number(p.low), 0);
  if (inputCount < acked) run.log(`end offsets sum to ${inputCount} for ${acked} acknowledged records: reading until they are all there (or 120 s)`);
  const inputs = await readAll(run.kafka, t.submitted, { groupId: `${run.id}-audit-in`, done: (r) => r.length >= Math.max(inputCount, acked), timeoutMs: 120_000, settleMs: 500 });
  const present = new Set(inputs.map((m) => m.key?.toString('utf8') ?? ''));
  const absent = [...ordinal].filter(([k]) => !present.has(k)).map(([, i]) => i).sort((a, b) => a - b);
  const raw = await readAll(run.kafka, t.verdicts, {
    groupId: `${run.id}-audit-v`,
    done: (r) => r.length >= Math.max(inputCount, inputs.length),
    timeoutMs: completed ? 120_000 : 20_000,
    settleMs: 3000,
  });
  const bySource = new Map<string, { key: Buffer | null; value: Buffer; n: number; divergent: boolean }>();
  const byPcs = new Map<string, string>();
  // pcs_id → the sources whose verdict says duplicate=false (a first sighting); > 1 = a lost claim.
  const firsts = new Map<string, Set<string>>();
  const statuses: Record<string, number> = {};
  let decisionConflicts = 0;
  let flaggedDuplicates = 0;
  for (const m of raw) {
    const v = decodeVerdict(m.value!);
    const src = v.source ? `${v.source.partition}:${v.source.offset}` : `?${m.partition}:${m.offset}`;
    const prev = bySource.get(src);
    if (!prev) bySource.set(src, { key: m.key, value: m.value!, n: 1, divergent: false });
    else {
      prev.n++;
      if (!prev.value.equals(m.value!) || !(prev.key ?? Buffer.alloc(0)).equals(m.key ?? Buffer.alloc(0))) prev.divergent = true;
    }
    if (v.duplicate) flaggedDuplicates++;
    else if (v.status !== 'rejected') {
      const f = firsts.get(v.pcs_id) ?? new Set<string>();
      f.add(src);
      firsts.set(v.pcs_id, f);
    }
    statuses[v.status] = (statuses[v.status] ?? 0) + 1;
    if (v.status !== 'rejected') {
      const { status, reasons, decided_at, recomputed_D_hat, recomputed_budget } = v as unknown as Record<string, unknown>;
      const decision = JSON.stringify([status, reasons, decided_at, recomputed_D_hat, recomputed_budget]);
      const seen = byPcs.get(v.pcs_id);
      if (seen === undefined) byPcs.set(v.pcs_id, decision);
      else if (seen !== decision) decisionConflicts++;
    }
  }
  let doubleFirst = 0;
  for (const f of firsts.values()) if (f.size > 1) doubleFirst++;
  let lost = 0;
  for (const m of inputs) if (!bySource.has(`${m.partition}:${m.offset}`)) lost++;
  let dupRecords = 0;
  let divergent = 0;
  for (const s of bySource.values()) {
    dupRecords += s.n - 1;
    if (s.divergent) divergent++;
  }

  // The sink follows the verdicts topic: wait until its log holds every committed verdict record.
  let auditLines = 0;
  for (const deadline = Date.now() + 90_000; Date.now() < deadline; ) {
    if (sink.status() !== undefined) sink = await startSink();
    auditLines = (await readAuditTail(auditDir).catch(() => ({ nextSeq: 0 }))).nextSeq;
    if (auditLines >= raw.length) break;
    await sleep(1000);
  }
  await Promise.all([...verifiers.map((v) => v.stop(15_000)), sink.stop(15_000)]);
  auditLines = (await readAuditTail(auditDir)).nextSeq;
  // Every committed verdict record (partition, offset) exactly once in the log.
  const logged = new Map<string, number>();
  for (const f of readdirSync(auditDir).filter((n) => /^audit-\d{20}\.jsonl$/.test(n)).sort()) {
    for (const line of readFileSync(join(auditDir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const l = JSON.parse(line) as { partition: number; offset: string };
      const k = `${l.partition}:${l.offset}`;
      logged.set(k, (logged.get(k) ?? 0) + 1);
    }
  }
  let auditMissing = 0;
  for (const m of raw) if (!logged.has(`${m.partition}:${m.offset}`)) auditMissing++;
  let auditExtra = 0;
  for (const n of logged.values()) auditExtra += n - 1;
  const verify = await verifyAuditDir(auditDir);
  const cli = await new Promise<{ code: number; output: string }>((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@flk/source', '--import', 'tsx', 'apps/cli/src/main.ts', 'audit', 'verify', auditDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('exit', (code) => resolve({ code: code ?? 1, output: out.trim().split('\n').slice(-3).join(' / ') }));
  });
  const redisKeys = await scanKeys(run.redis, prefix, false, (l) => run.log(l));

  const logScan = logsWithKey(run);
  const problems: string[] = [];
  if (logScan.leaks.length > 0) problems.push(`the HMAC key appears in ${logScan.leaks.join(', ')}`);
  if (!completed) problems.push('the verifiers did not drain the input before the time limit');
  if (lost > 0) problems.push(`${lost} inputs lost (no verdict for their offset)`);
  if (produced !== null && produced === o.records + resent && absent.length > 0) problems.push(`${absent.length} acknowledged records absent from the input topic (first ordinals ${absent.slice(0, 5).join(', ')})`);
  if (divergent > 0) problems.push(`${divergent} sources with differing verdict copies`);
  if (decisionConflicts > 0) problems.push(`${decisionConflicts} pcs_ids with conflicting decisions`);
  if (!verify.ok) problems.push(`audit log does not verify: ${verify.reason} at ${verify.segment}:${verify.line}`);
  if (cli.code !== 0) problems.push(`flk audit verify exited ${cli.code}`);
  if (auditMissing > 0 || auditExtra > 0) problems.push(`audit log: ${auditMissing} verdict records missing, ${auditExtra} logged twice`);
  if (auditLines !== raw.length) problems.push(`audit log has ${auditLines} lines for ${raw.length} committed verdict records`);
  if (redisKeys !== byPcs.size) problems.push(`Redis holds ${redisKeys} keys for ${byPcs.size} distinct decided pcs_ids`);
  if (c) {
    // The cluster drill also asserts what the single-broker one only reports.
    if (dupRecords > 0) problems.push(`${dupRecords} duplicate verdict records (one source committed twice)`);
    if (auditLines !== inputs.length) problems.push(`audit log has ${auditLines} lines for ${inputs.length} inputs`);
    // Without WAIT a failover may lose acknowledged claims: the count is reported, not asserted.
    if (c.waitReplicas > 0 && doubleFirst > 0) problems.push(`${doubleFirst} pcs_ids decided as first twice (double-first) with WAIT on`);
  }
  keepTopics = c !== undefined && problems.length > 0;
  return {
    run: run.id,
    options: o,
    seconds: Math.round((Date.now() - started) / 1000),
    faults,
    inputs: inputs.length,
    verdictRecords: raw.length,
    lost,
    duplicateVerdictRecords: dupRecords,
    divergent,
    decisionConflicts,
    flaggedDuplicates,
    doubleFirst,
    resent,
    ackedAbsent: absent.length,
    ackedAbsentSample: absent.slice(0, 20),
    statuses,
    redisKeys,
    distinctPcsIds: byPcs.size,
    auditLines,
    auditMissing,
    auditExtra,
    auditVerify: { ok: verify.ok, detail: verify.ok ? `${verify.lines} lines, ${verify.segments} segments` : `${verify.reason}: ${verify.detail}` },
    cliVerify: cli,
    verifierExits,
    producerRetries,
    logScan,
    completed,
    ok: problems.length === 0,
    problems,
  };
}

export function formatChaosReport(r: ChaosReport, dir: string): string {
  const lines: string[] = [];
  const row = (k: string, v: string | number, note = '') => lines.push(`  ${k.padEnd(34)} ${String(v).padStart(9)}  ${note}`);
  lines.push(`chaos drill ${r.run} — ${r.seconds} s`);
  lines.push(`  faults (${r.faults.length}):`);
  for (const f of r.faults) lines.push(`    ${String(f.at).padStart(6)} s  ${f.kind.padEnd(24)} ${f.target.padEnd(16)} ${f.ms} ms  ${f.note ?? ''}`);
  row('inputs', r.inputs, `${r.options.records} produced, ${r.producerRetries} sends retried`);
  row('acknowledged, absent from input', r.ackedAbsent, `records the producer had acknowledged that the input topic lacks; must be 0${r.ackedAbsent ? ` (first ordinals ${r.ackedAbsentSample.slice(0, 5).join(', ')})` : ''}`);
  row('committed verdict records', r.verdictRecords, 'read_committed');
  row('lost (input without verdict)', r.lost, 'must be 0');
  row('duplicate verdict records', r.duplicateVerdictRecords, '> 1 committed record for one source (topic, partition, offset)');
  row('divergent copies', r.divergent, 'sources whose copies differ in any byte; must be 0');
  row('decision conflicts', r.decisionConflicts, 'pcs_ids with differing status/reasons/decided_at; must be 0');
  row('flagged duplicate', r.flaggedDuplicates, 'verdicts with duplicate=true (a pcs_id seen again)');
  if (r.options.cluster) {
    row('records resent on purpose', r.resent, `every ${r.options.cluster.resendEvery}th record, ~500 records later`);
    row('double-first verdicts', r.doubleFirst, `pcs_ids decided duplicate=false at 2+ sources; REDIS_WAIT_REPLICAS=${r.options.cluster.waitReplicas}${r.options.cluster.waitReplicas > 0 ? ', must be 0' : ' (WAIT off: reported only)'}`);
  }
  row('statuses', Object.entries(r.statuses).map(([k, v]) => `${k} ${v}`).join(', '));
  row('Redis keys', r.redisKeys, `vs ${r.distinctPcsIds} distinct decided pcs_ids`);
  row('audit-log lines', r.auditLines, `vs ${r.verdictRecords} verdict records / ${r.inputs} inputs; missing ${r.auditMissing}, twice ${r.auditExtra}`);
  row('audit verify (library)', r.auditVerify.ok ? 'ok' : 'BROKEN', r.auditVerify.detail);
  row('flk audit verify (CLI)', r.cliVerify.code === 0 ? 'ok' : `exit ${r.cliVerify.code}`, r.cliVerify.output);
  row('logs holding the HMAC key', r.logScan.leaks.length, `of ${r.logScan.files} service logs scanned`);
  row('verifier exits', Object.entries(r.verifierExits).map(([k, v]) => `${k}×${v}`).join(' '), 'SIGKILL = killed by the drill; 0 = SIGTERM at the end');
  for (const p of r.problems) lines.push(`  PROBLEM ${p}`);
  lines.push(`  ${r.ok ? 'chaos OK' : 'chaos FAILED'}   (logs and report: ${dir})`);
  return `${lines.join('\n')}\n`;
}
