// The bad-input drill: one verifier process, two phases on fresh topics, measured the same way.
//   clean  C valid signed records                        → clean records/s
//   mixed  H hostile records interleaved with H clean    → mixed records/s (50 % garbage)
// Every input must get exactly one committed verdict; each hostile category its expected verdict
// (rejected with a specific reason, a DLQ entry exactly for the malformed ones); the verifier must
// neither exit nor stall a partition.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHmacSigner } from '@flk/pcs';
import { boundedType, createWireCodec, loadSchema, type WireCodec } from '@flk/registry';
import { cleanRecord, createHostileGenerator, meets, oversizedCategories, toRaw, type Expectation } from './hostile.js';
import { encodeRawPcs, wire } from './avro-raw.js';
import { baseEnv, ENV, scanKeys, createTopics, freePort, groupLag, produceAll, readAll, sleep, startService, type OutMessage, type ReadRecord, type Service } from './infra.js';
import { ROOT, type Run } from './run.js';

export interface BadInputOptions {
  hostile: number;
  clean: number;
  /** Over-size records (each ~1 MB), per over-size category, in the mixed phase. */
  oversized: number;
  timeoutMs: number;
  /** Fail when mixed records/s ÷ clean records/s is below this (0 = report only). */
  minRatio: number;
  verifierEnv?: Record<string, string>;
}

export interface PhaseResult {
  name: string;
  inputs: number;
  verdicts: number;
  duplicatedVerdicts: number;
  missing: number;
  dlq: number;
  seconds: number;
  recordsPerSecond: number;
  verifierExit: number | string | undefined;
  verifierExitedEarly: boolean;
  stalled: boolean;
  /** Chunks the verifier had to retry (its log's "batch failed" lines): 0 for input alone. */
  retries: number;
}

export interface CategoryResult {
  category: string;
  sent: number;
  ok: number;
  /** A few mismatches: what the verdict said instead. */
  bad: string[];
}

export interface BadInputReport {
  run: string;
  clean: PhaseResult;
  mixed: PhaseResult;
  /** mixed records/s ÷ clean records/s. */
  throughputRatio: number;
  categories: CategoryResult[];
  cleanInMixedRejected: number;
  ok: boolean;
  problems: string[];
}

const MAX_MESSAGE_BYTES = 1_048_576; // the verifier's default decode limit (wire codec)
const verdictType = boundedType(loadSchema('verdict-v1.avsc'));
interface V { pcs_id: string; status: string; reasons: string[]; duplicate: boolean; decided_at: string; source: { topic: string; partition: number; offset: string } | null }
export const decodeVerdict = (b: Buffer): V => verdictType.fromBuffer(b.subarray(5)) as V;

async function phase(run: Run, name: string, messages: () => Iterable<OutMessage>, opts: BadInputOptions & { maxMessageBytes?: number }): Promise<{ result: PhaseResult; inputs: ReadRecord[]; verdicts: Map<string, V[]>; dlq: Set<string> }> {
  const t = { submitted: `${run.id}.${name}.submitted`, verdicts: `${run.id}.${name}.verdicts`, dlq: `${run.id}.${name}.dlq` };
  await createTopics(run.admin, [
    { topic: t.submitted, partitions: 6, maxMessageBytes: opts.maxMessageBytes },
    { topic: t.verdicts, partitions: 6, compact: true },
    { topic: t.dlq, partitions: 1 },
  ]);
  run.defer(`delete ${name} topics`, () => run.admin.deleteTopics({ topics: Object.values(t), timeout: 30_000 }));
  const group = `${run.id}-${name}-verifier`;
  const prefix = `${run.id}-${name}:`;
  run.defer(`delete ${name} group`, () => run.admin.deleteGroups([group]).catch(() => {}));
  run.defer(`delete ${name} redis keys`, () => scanKeys(run.redis, prefix, true));

  const t0 = Date.now();
  let retries = 0;
  const sent = await produceAll(run.kafka, t.submitted, messages(), {
    maxChunkBytes: 900 * 1024,
    deadline: Date.now() + opts.timeoutMs,
    onRetry: (err) => {
      if (retries++ < 3) run.log(`${name}: produce failed, retrying: ${err.message}`);
    },
  });
  run.log(`${name}: produced ${sent} records in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  const port = await freePort();
  const verifier: Service = startService(`verifier-${name}`, 'apps/verifier/src/main.ts', {
    ...baseEnv(),
    PCS_SUBMITTED_TOPIC: t.submitted, PCS_VERDICTS_TOPIC: t.verdicts, PCS_DLQ_TOPIC: t.dlq,
    VERIFIER_GROUP_ID: group, REDIS_KEY_PREFIX: prefix, PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: run.hmacKey,
    HTTP_PORT: String(port), HTTP_HOST: '127.0.0.1', KAFKA_CLIENT_ID: `${run.id}-${name}`, LOG_LEVEL: 'info',
    DEDUP_TTL_SECONDS: '3600',
    PCS_MAX_AGE_SECONDS: '1800', // below the TTL (contract §7.4)
    ...opts.verifierEnv,
  }, join(run.dir, `verifier-${name}.log`), ROOT, port);
  run.defer(`stop verifier-${name}`, () => verifier.stop());
  await verifier.waitReady();

  // Drained = the group committed up to the end of every partition. A lag that does not move for
  // 60 s while the verifier runs is a stalled partition (a poison-pill loop).
  const deadline = Date.now() + opts.timeoutMs;
  let lastLag = Number.POSITIVE_INFINITY;
  let lastMove = Date.now();
  let stalled = false;
  for (;;) {
    const lag = await groupLag(run.admin, group, t.submitted);
    if (lag === 0) break;
    if (lag !== null && lag < lastLag) {
      lastLag = lag;
      lastMove = Date.now();
    }
    if (Date.now() - lastMove > 60_000 || Date.now() > deadline || verifier.status() !== undefined) {
      stalled = verifier.status() === undefined;
      run.log(`${name}: giving up at lag ${lag} (${verifier.status() !== undefined ? `verifier exited ${verifier.status()}` : 'no progress for 60 s'})`);
      break;
    }
    await sleep(500);
  }
  const exitedEarly = verifier.status() !== undefined;
  const exit = exitedEarly ? verifier.status() : await verifier.stop();

  const inputs = await readAll(run.kafka, t.submitted, { groupId: `${run.id}-${name}-read-in`, done: (r) => r.length >= sent, timeoutMs: 120_000, settleMs: 500, maxBytesPerPartition: 3 * 1048576 });
  const raw = await readAll(run.kafka, t.verdicts, { groupId: `${run.id}-${name}-read-v`, done: (r) => r.length >= sent, timeoutMs: stalled || exitedEarly ? 10_000 : 120_000, settleMs: 1500 });
  const dlqRaw = await readAll(run.kafka, t.dlq, { groupId: `${run.id}-${name}-read-dlq`, done: () => true, timeoutMs: 30_000, settleMs: 2500, maxBytesPerPartition: 3 * 1048576 });
  const verdicts = new Map<string, V[]>();
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  for (const m of raw) {
    const v = decodeVerdict(m.value!);
    const k = v.source ? `${v.source.partition}:${v.source.offset}` : '?';
    verdicts.set(k, [...(verdicts.get(k) ?? []), v]);
    const at = Date.parse(v.decided_at);
    if (!v.duplicate) {
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
  }
  const dlq = new Set(dlqRaw.map((m) => `${m.headers['flk-source-partition']}:${m.headers['flk-source-offset']}`));
  const seconds = Math.max(0.001, (last - first) / 1000);
  let dupes = 0;
  for (const vs of verdicts.values()) dupes += vs.length - 1;
  const missing = inputs.filter((m) => !verdicts.has(`${m.partition}:${m.offset}`)).length;
  const result: PhaseResult = {
    name, inputs: inputs.length, verdicts: raw.length, duplicatedVerdicts: dupes, missing, dlq: dlqRaw.length,
    seconds, recordsPerSecond: Math.round(raw.length / seconds), verifierExit: exit, verifierExitedEarly: exitedEarly, stalled,
    retries: readFileSync(join(run.dir, `verifier-${name}.log`), 'utf8').split('batch failed, retrying').length - 1,
  };
  run.log(`${name}: ${result.verdicts} verdicts for ${result.inputs} inputs (missing ${missing}, duplicated ${dupes}), DLQ ${result.dlq}, ${result.recordsPerSecond} records/s over ${seconds.toFixed(1)} s of decided_at; verifier exit ${exit}${exitedEarly ? ' (EARLY)' : ''}`);
  return { result, inputs, verdicts, dlq };
}

export async function badInputDrill(run: Run, opts: BadInputOptions): Promise<BadInputReport> {
  const signer = createHmacSigner(run.hmacKey);
  const codec: WireCodec = createWireCodec({ registryUrl: ENV.registry, pcsSubject: `${run.id}.mixed.submitted-value`, verdictSubject: `${run.id}.mixed.verdicts-value` });
  const { pcsSchemaId } = await codec.init();
  const clean = (i: number): OutMessage => {
    const p = cleanRecord(signer, i);
    return { key: p.pcs_id, value: wire(pcsSchemaId, encodeRawPcs(toRaw(p))), headers: { 'chaos-kind': 'clean' } };
  };
  const gen = createHostileGenerator({ schemaId: pcsSchemaId, signer });
  const big = oversizedCategories(MAX_MESSAGE_BYTES);
  const expectations = new Map<string, Expectation>([...gen.categories, ...big].map((c) => [c.name, c.expect]));

  const cleanPhase = await phase(run, 'clean', function* () {
    for (let i = 0; i < opts.clean; i++) yield clean(i);
  }, opts);

  const mixedPhase = await phase(run, 'mixed', function* () {
    const bigEvery = opts.oversized > 0 ? Math.max(1, Math.floor(opts.hostile / (opts.oversized * big.length))) : 0;
    let b = 0;
    for (let i = 0; i < opts.hostile; i++) {
      yield clean(1_000_000 + i);
      if (bigEvery > 0 && i % bigEvery === bigEvery - 1 && b < opts.oversized * big.length) {
        const cat = big[b++ % big.length]!;
        const m = cat.make({ i, schemaId: pcsSchemaId, signer, rec: () => cleanRecord(signer, 2_000_000 + i), enc: (r) => wire(pcsSchemaId, encodeRawPcs(r)) });
        yield { key: m.key, value: m.value, headers: { 'chaos-kind': cat.name }, partition: b % 6 };
        continue;
      }
      const h = gen.next(i);
      yield { key: h.key, value: h.value, headers: { 'chaos-kind': h.category } };
    }
  }, { ...opts, maxMessageBytes: 3 * MAX_MESSAGE_BYTES });

  const problems: string[] = [];
  const cats = new Map<string, CategoryResult>();
  let cleanRejected = 0;
  for (const m of mixedPhase.inputs) {
    const kind = m.headers['chaos-kind'] ?? '?';
    const k = `${m.partition}:${m.offset}`;
    const v = mixedPhase.verdicts.get(k)?.[0];
    if (kind === 'clean') {
      if (v && v.status === 'rejected') cleanRejected++;
      continue;
    }
    const c = cats.get(kind) ?? { category: kind, sent: 0, ok: 0, bad: [] };
    cats.set(kind, c);
    c.sent++;
    const e = expectations.get(kind);
    if (v && e && meets(e, v.status, v.reasons, mixedPhase.dlq.has(k))) c.ok++;
    else if (c.bad.length < 3) c.bad.push(v ? `${k}: ${v.status} ${v.reasons.join(',')} dlq=${mixedPhase.dlq.has(k)}` : `${k}: no verdict`);
  }
  for (const c of cats.values()) if (c.ok !== c.sent) problems.push(`category ${c.category}: ${c.sent - c.ok} of ${c.sent} not as expected (${c.bad.join(' | ')})`);
  for (const p of [cleanPhase.result, mixedPhase.result]) {
    if (p.missing > 0) problems.push(`${p.name}: ${p.missing} inputs without a verdict`);
    if (p.duplicatedVerdicts > 0) problems.push(`${p.name}: ${p.duplicatedVerdicts} duplicated verdict records`);
    if (p.verifierExitedEarly) problems.push(`${p.name}: the verifier exited (${p.verifierExit}) during the phase`);
    if (p.stalled) problems.push(`${p.name}: a partition stalled`);
    if (p.verifierExit !== 0) problems.push(`${p.name}: the verifier's exit code after SIGTERM was ${p.verifierExit}`);
    if (p.retries > 0) problems.push(`${p.name}: the verifier retried ${p.retries} chunks (input alone must never fail a transaction)`);
  }
  if (cleanRejected > 0) problems.push(`mixed: ${cleanRejected} clean records rejected`);
  const cleanRejectedInClean = [...cleanPhase.verdicts.values()].filter((vs) => vs[0]!.status === 'rejected').length;
  if (cleanRejectedInClean > 0) problems.push(`clean: ${cleanRejectedInClean} clean records rejected`);
  const ratio = mixedPhase.result.recordsPerSecond / Math.max(1, cleanPhase.result.recordsPerSecond);
  if (ratio < opts.minRatio) problems.push(`mixed throughput is ${ratio.toFixed(2)} of clean, below ${opts.minRatio}`);
  return {
    run: run.id,
    clean: cleanPhase.result,
    mixed: mixedPhase.result,
    throughputRatio: Math.round(ratio * 100) / 100,
    categories: [...cats.values()].sort((a, b) => a.category.localeCompare(b.category)),
    cleanInMixedRejected: cleanRejected,
    ok: problems.length === 0,
    problems,
  };
}
