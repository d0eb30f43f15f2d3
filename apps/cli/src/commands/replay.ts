// flk replay (docs/policies.md): re-decides the input topic's retained records under a candidate
// policy set and compares with the verdicts the verifier published. Read-only by construction:
// no Redis client at all (dedup is in memory, @flk/policy's replayer), no producer, and consumers
// in a throwaway group that never commits and is deleted at the end. The verifier's own group,
// pcs.verdicts and pcs.dlq are only ever read.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ConfigError, decideConfigOf, EnvReader, readKafkaConnection, readRegistryConnection, readSigningConfig, type RegistryConnection } from '@flk/config';
import { createKafkaClient, type KafkaClient } from '@flk/kafka';
import { createReplayComparison, createReplayer, formatReplay, parsePolicySet, replayHtml, replaySvg, type Decision, type PolicySet, type ReplaySummary } from '@flk/policy';
import { createWireCodec } from '@flk/registry';
import { parseCommandArgs, integerFlag, stringFlag } from '../args.js';
import { help, type Context } from '../context.js';
import { CliConfigError, CliUsageError, EXIT, type ExitCode } from '../errors.js';
import { POLICY_HELP_CMD, REPLAY_HELP } from '../help-policy.js';

const H = POLICY_HELP_CMD.replay;

interface Range {
  start: bigint;
  /** Exclusive. */
  end: bigint;
}

interface ReplayEnv {
  kafka: ReturnType<typeof readKafkaConnection>;
  registry: RegistryConnection;
  submitted: string;
  verdicts: string;
  signing: ReturnType<typeof readSigningConfig>;
}

function readEnv(ctx: Context): ReplayEnv {
  const r = new EnvReader(ctx.io.env);
  const readFile = (p: string) => readFileSync(p, 'utf8');
  try {
    const kafka = readKafkaConnection(r, readFile);
    // SCHEMA_REGISTRY_URL and, for a managed registry, SCHEMA_REGISTRY_USERNAME / _PASSWORD.
    const registry = readRegistryConnection(r);
    const submitted = r.string('PCS_SUBMITTED_TOPIC', 'pcs.submitted');
    const verdicts = r.string('PCS_VERDICTS_TOPIC', 'pcs.verdicts');
    const signing = readSigningConfig(r, { readFile, env: ctx.io.env });
    return r.done({ kafka, registry, submitted, verdicts, signing });
  } catch (err) {
    if (err instanceof ConfigError) throw new CliConfigError(err.problems.join('; '));
    throw err;
  }
}

function loadSet(path: string): PolicySet {
  let sources;
  try {
    sources = statSync(path).isDirectory()
      ? readdirSync(path).filter((f) => f.endsWith('.json')).sort().map((f) => ({ name: f, text: readFileSync(join(path, f), 'utf8') }))
      : [{ name: basename(path), text: readFileSync(path, 'utf8') }];
  } catch (err) {
    throw new CliUsageError(`--policy: cannot read ${path} (${(err as { code?: string }).code ?? 'error'})`, H);
  }
  try {
    return parsePolicySet(sources);
  } catch (err) {
    throw new CliUsageError(`--policy: ${(err as Error).message}`, H);
  }
}

function parseTime(raw: string | undefined, flag: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = Date.parse(raw);
  if (!Number.isFinite(ms)) throw new CliUsageError(`--${flag}: not an ISO-8601 time: '${raw}'`, H);
  return ms;
}

/** Reads [start, end) of each partition once, in a throwaway group that never commits; deletes the group after. */
async function readRanges(kafka: KafkaClient, topic: string, ranges: Map<number, Range>, onMessage: (partition: number, m: { offset: string; timestamp: string; value: Buffer | null }) => void | Promise<void>): Promise<void> {
  const todo = new Map([...ranges].filter(([, r]) => r.start < r.end));
  if (todo.size === 0) return;
  const groupId = `flk-replay-${randomBytes(6).toString('hex')}`;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 4 * 1_048_576, maxWaitTimeInMs: 200, retry: { retries: 5 } });
  let done!: () => void;
  let failed!: (err: unknown) => void;
  const finished = new Promise<void>((res, rej) => {
    done = res;
    failed = rej;
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, heartbeat }) => {
        const r = todo.get(batch.partition);
        if (r === undefined) return;
        try {
          for (const m of batch.messages) {
            const off = BigInt(m.offset);
            if (off < r.start) continue;
            if (off >= r.end) break;
            await onMessage(batch.partition, m);
          }
        } catch (err) {
          failed(err);
          return;
        }
        const last = BigInt(batch.lastOffset());
        if (last + 1n >= r.end) {
          todo.delete(batch.partition);
          consumer.pause([{ topic, partitions: [batch.partition] }]);
          if (todo.size === 0) done();
        }
        await heartbeat();
      },
    });
    for (const [partition, r] of todo) consumer.seek({ topic, partition, offset: r.start.toString() });
    await finished;
  } finally {
    await consumer.disconnect().catch(() => {});
    const admin = kafka.admin();
    try {
      await admin.connect();
      await admin.deleteGroups([groupId]).catch(() => {}); // never committed: usually already gone
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }
}

/** A Kafka or registry failure is a run-time failure (exit 1, one line), not a bug. */
export async function replay(args: readonly string[], ctx: Context): Promise<ExitCode> {
  try {
    return await replayOnce(args, ctx);
  } catch (err) {
    if (err instanceof CliUsageError || err instanceof CliConfigError) throw err;
    const code = (err as { code?: unknown }).code;
    if (typeof (err as { retriable?: unknown }).retriable === 'boolean' || typeof code === 'string' || (err as Error)?.name?.startsWith('Kafka')) {
      ctx.out.error(`replay failed: ${typeof code === 'string' ? `${code}: ` : ''}${(err as Error).message}`);
      return EXIT.INPUT;
    }
    throw err;
  }
}

async function replayOnce(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(
    args,
    {
      policy: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      partition: { type: 'string' },
      'start-offset': { type: 'string' },
      'end-offset': { type: 'string' },
      tenant: { type: 'string' },
      examples: { type: 'string' },
      json: { type: 'boolean' },
      report: { type: 'string' },
    },
    H,
  );
  if (parsed.values.help) return help(ctx, REPLAY_HELP);
  if (parsed.positionals.length > 0) throw new CliUsageError(`unexpected argument '${parsed.positionals[0]}'`, H);
  const policyPath = stringFlag(parsed, 'policy');
  if (policyPath === undefined) throw new CliUsageError('missing required option --policy', H);
  const set = loadSet(policyPath);
  const fromMs = parseTime(stringFlag(parsed, 'from'), 'from');
  const toMs = parseTime(stringFlag(parsed, 'to'), 'to');
  const onlyPartition = integerFlag(parsed, 'partition', H);
  const startOffset = integerFlag(parsed, 'start-offset', H);
  const endOffset = integerFlag(parsed, 'end-offset', H);
  const examples = integerFlag(parsed, 'examples', H) ?? 3;
  const tenant = stringFlag(parsed, 'tenant');
  const report = stringFlag(parsed, 'report');
  const env = readEnv(ctx);

  const kafka = createKafkaClient({ brokers: env.kafka.brokers, clientId: 'flk-replay', ssl: env.kafka.ssl, ...(env.kafka.sasl && { sasl: env.kafka.sasl }), logLevel: 'error' });
  const codec = createWireCodec({ ...env.registry, pcsSubject: `${env.submitted}-value`, verdictSubject: `${env.verdicts}-value` });
  const config = decideConfigOf(env.signing, set.global.params);
  const t0 = performance.now();
  const tty = (ctx.io.stderr as { isTTY?: boolean }).isTTY === true && !parsed.values.json;

  // 1. The ranges, fixed at start: records appended later are not part of this replay.
  const admin = kafka.admin();
  const inputRanges = new Map<number, Range>();
  const verdictRanges = new Map<number, Range>();
  try {
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(env.submitted);
    const fromOffsets = fromMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(env.submitted, fromMs);
    const toOffsets = toMs === undefined ? undefined : await admin.fetchTopicOffsetsByTimestamp(env.submitted, toMs + 1);
    for (const o of offsets) {
      if (onlyPartition !== undefined && o.partition !== onlyPartition) continue;
      let start = BigInt(o.low);
      let end = BigInt(o.high);
      const f = fromOffsets?.find((x) => x.partition === o.partition);
      // -1 = no record at or after --from: nothing to replay in this partition.
      if (f !== undefined) start = BigInt(f.offset) < 0n ? end : BigInt(f.offset) > start ? BigInt(f.offset) : start;
      const t = toOffsets?.find((x) => x.partition === o.partition);
      if (t !== undefined && BigInt(t.offset) >= 0n && BigInt(t.offset) < end) end = BigInt(t.offset);
      if (startOffset !== undefined && BigInt(startOffset) > start) start = BigInt(startOffset);
      if (endOffset !== undefined && BigInt(endOffset) < end) end = BigInt(endOffset);
      inputRanges.set(o.partition, { start, end });
    }
    if (onlyPartition !== undefined && inputRanges.size === 0) throw new CliUsageError(`--partition ${onlyPartition}: ${env.submitted} has no such partition`, H);
    for (const o of await admin.fetchTopicOffsets(env.verdicts)) verdictRanges.set(o.partition, { start: BigInt(o.low), end: BigInt(o.high) });
  } finally {
    await admin.disconnect().catch(() => {});
  }
  const total = [...inputRanges.values()].reduce((n, r) => n + Number(r.end > r.start ? r.end - r.start : 0n), 0);

  // 2. The published decisions, by source offset (a verdict carries its input's topic/partition/offset).
  const published = new Map<string, Decision>();
  await readRanges(kafka, env.verdicts, verdictRanges, async (_p, m) => {
    const d = await codec.decodeVerdict(m.value);
    if (!d.ok) return;
    const v = d.value as { pcs_id: string; status: Decision['status']; reasons: string[]; tenant_id: string | null; source: { topic: string; partition: number; offset: string } | null };
    if (v.source === null || v.source.topic !== env.submitted) return;
    published.set(`${v.source.partition}:${v.source.offset}`, { pcs_id: v.pcs_id, status: v.status, reasons: v.reasons, tenant_id: v.tenant_id });
  });

  // 3. Re-decide the input range in offset order per partition.
  const replayer = createReplayer(set, config, env.submitted);
  const comparison = createReplayComparison(set, { examples });
  let seen = 0;
  let lastDraw = 0;
  const tDecide = performance.now();
  const draw = (final = false) => {
    if (!tty) return;
    const now = performance.now();
    if (!final && now - lastDraw < 200) return;
    lastDraw = now;
    const frac = total === 0 ? 1 : seen / total;
    const width = 30;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    ctx.io.stderr.write(`\r[${bar}] ${seen}/${total} records ${(frac * 100).toFixed(0)}%${final ? '\n' : ''}`);
  };
  await readRanges(kafka, env.submitted, inputRanges, async (partition, m) => {
    seen++;
    const decoded = codec.decodePcsSync(m.value) ?? (await codec.decodePcs(m.value));
    const record = { partition, offset: m.offset, timestamp: Number(m.timestamp), decoded: decoded.ok ? { ok: true as const, value: decoded.value } : { ok: false as const, reason: decoded.reason } };
    const v = replayer.decide(record);
    const pub = published.get(`${partition}:${m.offset}`) ?? null;
    // --tenant: the record's tenant (as published, else as replayed); the replayer still saw every record for dedup.
    if (tenant !== undefined && (pub?.tenant_id ?? v.tenant_id) !== tenant) return;
    comparison.add(record, v, pub);
    draw();
  });
  draw(true);
  const decideSeconds = (performance.now() - tDecide) / 1000;
  const elapsedSeconds = (performance.now() - t0) / 1000;
  const partitions = Object.fromEntries([...inputRanges].map(([p, r]) => [String(p), { start: r.start.toString(), end: r.end.toString() }]));
  const summary: ReplaySummary = comparison.summary({ partitions, elapsedSeconds, decideSeconds });

  if (parsed.values.json) ctx.out.line(JSON.stringify(summary));
  else for (const line of formatReplay(summary)) ctx.out.line(line);
  if (report !== undefined) {
    mkdirSync(report, { recursive: true });
    writeFileSync(join(report, 'replay.json'), `${JSON.stringify(summary, null, 2)}\n`);
    writeFileSync(join(report, 'transitions.svg'), replaySvg(summary));
    writeFileSync(join(report, 'index.html'), replayHtml(summary));
  }
  return summary.identical ? EXIT.OK : EXIT.DIFFERS;
}
