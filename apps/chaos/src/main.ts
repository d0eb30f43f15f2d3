// `npm run chaos [-- drill|bad-input] [options]`: fault and bad-input drills against the local
// stack, each on fresh topics, groups and Redis key prefix, bounded in time, cleaned up after.
// docs/reliability.md describes every drill, what it proves and its last figures.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { badInputDrill } from './bad-input.js';
import { chaosDrill, formatChaosReport, type ChaosOptions } from './drill.js';
import { ENV } from './infra.js';
import { ROOT, startRun } from './run.js';

const USAGE = `usage: npm run chaos -- [drill|cluster|bad-input] [options]

drill (default): signed records through 2 verifiers + a sink while processes, Redis and Kafka fail
  --records N          signed records (default 100000)
  --partitions N       input partitions (default 6)
  --verifiers N        verifier processes (default 2)
  --kills N            SIGKILLs of a random verifier, each restarted (default 10)
  --stops N            SIGSTOPs of a verifier past its session timeout (default 1)
  --redis-restarts N   Redis SIGKILL + restart (default 1)
  --kafka-restarts N   Kafka broker restart (default 1; affects everyone on the shared stack)
  --sink-kills N       SIGKILLs of the sink, each restarted (default 2)
  --produce-seconds S  spread production (and the faults) over S seconds (default 200)
  --timeout S          hard limit of the whole drill (default 600)

cluster: the drill on the 3-broker stack + Redis Sentinel (brings them up: FLK_STACK_BROKERS=3
  FLK_STACK_REDIS=sentinel stack.sh up, in FLK_STACK_DIR, default .flk/stack-cluster), with the faults
  of a cluster: the broker leading most input partitions SIGKILLed (twice), the transaction
  coordinator's broker SIGKILLed, the Redis primary SIGKILLed (failover), one broker SIGSTOPped, the
  registry down; asserts lost, duplicate verdict records, divergent, double-first 0, audit lines = inputs
  --records N          (default 50000)   --produce-seconds S (default 240)   --timeout S (default 900)
  --kills N            verifier SIGKILLs (default 4)
  --leader-kills N     (default 2)   --coordinator-kills N (default 1)   --redis-failovers N (default 1)
  --broker-stop-ms MS  SIGSTOP of one broker (default 20000)
  --registry-down-ms MS  (default 30000)
  --resend-every N     every Nth record sent again (default 20)
  --no-wait            REDIS_WAIT_REPLICAS=0: double-first is reported, not asserted

bad-input: hostile records of every category, 50 % mixed with clean ones, clean vs mixed throughput
  --hostile N          hostile records in the mixed phase (default 100000; as many clean beside them)
  --clean N            records of the clean phase (default 50000)
  --oversized N        ~1 MB records per over-size category (default 3)
  --timeout S          per phase (default 400)
  --min-ratio X        fail when mixed ÷ clean records/s is below X (default 0.5; 0 = report only)

common: --json (print the report as JSON)   --keep-logs (keep the drill's audit log also when OK)`;

function int(v: string | undefined, d: number, name: string): number {
  if (v === undefined) return d;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`--${name}: expected an integer ≥ 0, got '${v}'`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      records: { type: 'string' }, partitions: { type: 'string' }, verifiers: { type: 'string' }, kills: { type: 'string' },
      stops: { type: 'string' }, 'redis-restarts': { type: 'string' }, 'kafka-restarts': { type: 'string' }, 'sink-kills': { type: 'string' },
      'produce-seconds': { type: 'string' }, timeout: { type: 'string' }, hostile: { type: 'string' }, clean: { type: 'string' },
      oversized: { type: 'string' }, 'min-ratio': { type: 'string' }, 'leader-kills': { type: 'string' }, 'coordinator-kills': { type: 'string' },
      'redis-failovers': { type: 'string' }, 'broker-stop-ms': { type: 'string' }, 'registry-down-ms': { type: 'string' }, 'resend-every': { type: 'string' },
      'no-wait': { type: 'boolean' }, json: { type: 'boolean' }, 'keep-logs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const cmd = positionals[0] ?? 'drill';
  const json = values.json === true;
  const log = (line: string) => process.stderr.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  if (cmd === 'bad-input') {
    const run = await startRun('bad-input', log);
    const stopOnSignal = () => void run.cleanup().then(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    try {
      const report = await badInputDrill(run, {
        hostile: int(values.hostile, 100_000, 'hostile'),
        clean: int(values.clean, 50_000, 'clean'),
        oversized: int(values.oversized, 3, 'oversized'),
        timeoutMs: int(values.timeout, 400, 'timeout') * 1000,
        minRatio: values['min-ratio'] === undefined ? 0.5 : Number(values['min-ratio']),
      });
      writeFileSync(join(run.dir, 'report.json'), JSON.stringify(report, null, 2));
      if (json) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        const out = (s: string) => process.stdout.write(`${s}\n`);
        out(`bad-input drill ${report.run}`);
        for (const p of [report.clean, report.mixed]) out(`  ${p.name.padEnd(6)} ${String(p.inputs).padStart(7)} inputs  ${String(p.verdicts).padStart(7)} verdicts  missing ${p.missing}  duplicated ${p.duplicatedVerdicts}  DLQ ${p.dlq}  ${p.recordsPerSecond} records/s  retried chunks ${p.retries}  verifier exit ${p.verifierExit}`);
        out(`  mixed/clean throughput: ${report.throughputRatio}`);
        out(`  categories: ${report.categories.length}, hostile records ${report.categories.reduce((a, c) => a + c.sent, 0)}`);
        for (const c of report.categories) out(`    ${c.ok === c.sent ? 'ok ' : 'BAD'} ${c.category.padEnd(28)} ${c.ok}/${c.sent}${c.bad.length ? `  ${c.bad[0]}` : ''}`);
        for (const p of report.problems) out(`  PROBLEM ${p}`);
        out(`  ${report.ok ? 'bad-input OK' : 'bad-input FAILED'}   (report: ${run.dir}/report.json)`);
      }
      return report.ok ? 0 : 1;
    } finally {
      await run.cleanup();
    }
  }

  let cluster: ChaosOptions['cluster'];
  let startup = '';
  if (cmd === 'cluster') {
    const stackDir = process.env.FLK_STACK_DIR ?? `${ROOT}.flk/stack-cluster`;
    const env = { ...process.env, FLK_STACK_BROKERS: '3', FLK_STACK_REDIS: 'sentinel', FLK_STACK_DIR: stackDir };
    // The cluster's node 1 uses the single-broker stack's ports: stop that one first (its own pids
    // only, data kept), as scripts/test-cluster.sh does.
    spawnSync('bash', ['infra/local/stack.sh', 'down'], { cwd: ROOT, env: { ...process.env, FLK_STACK_BROKERS: '1', FLK_STACK_REDIS: 'single', FLK_STACK_DIR: `${ROOT}.flk/stack` }, encoding: 'utf8' });
    // `up` is idempotent: a running cluster is only checked; its time is the start-up time when cold.
    const t0 = Date.now();
    const up = spawnSync('bash', ['infra/local/stack.sh', 'up'], { cwd: ROOT, env, encoding: 'utf8' });
    const upMs = Date.now() - t0;
    if (up.status !== 0) throw Object.assign(new Error(`stack.sh up failed (exit ${up.status}):\n${up.stdout}${up.stderr}`), { code: 'CHAOS_STACK_UP', retriable: true });
    const clusterRow = up.stdout.split('\n').find((l) => /^\s*cluster\s/.test(l))?.trim();
    startup = `stack.sh up took ${(upMs / 1000).toFixed(1)} s (${clusterRow ?? 'cluster already running: checked only'})`;
    log(startup);
    const vars = new Map<string, string>();
    for (const l of spawnSync('bash', ['infra/local/stack.sh', 'env'], { cwd: ROOT, env, encoding: 'utf8' }).stdout.split('\n')) {
      const i = l.indexOf('=');
      if (i > 0) vars.set(l.slice(0, i), l.slice(i + 1));
    }
    ENV.brokers = vars.get('KAFKA_BROKERS') ?? ENV.brokers;
    ENV.registry = vars.get('SCHEMA_REGISTRY_URL') ?? ENV.registry;
    ENV.sentinels = vars.get('FLK_HA_REDIS_SENTINELS');
    ENV.sentinelName = vars.get('FLK_HA_REDIS_SENTINEL_NAME');
    ENV.replicationFactor = 3;
    // The drill's own stack.sh / redis-ha.sh calls must act on this stack.
    Object.assign(process.env, { FLK_STACK_BROKERS: '3', FLK_STACK_REDIS: 'sentinel', FLK_STACK_DIR: stackDir });
    if (ENV.sentinels === undefined) throw Object.assign(new Error('stack.sh env printed no FLK_HA_REDIS_SENTINELS'), { code: 'CHAOS_NO_SENTINEL', retriable: false });
    cluster = {
      stackDir,
      leaderKills: int(values['leader-kills'], 2, 'leader-kills'),
      coordinatorKills: int(values['coordinator-kills'], 1, 'coordinator-kills'),
      redisFailovers: int(values['redis-failovers'], 1, 'redis-failovers'),
      brokerStops: 1,
      brokerStopMs: int(values['broker-stop-ms'], 20_000, 'broker-stop-ms'),
      registryOutages: 1,
      registryDownMs: int(values['registry-down-ms'], 30_000, 'registry-down-ms'),
      resendEvery: int(values['resend-every'], 20, 'resend-every'),
      waitReplicas: values['no-wait'] === true ? 0 : 1,
    };
  }

  if (cmd === 'drill' || cmd === 'cluster') {
    const run = await startRun(cmd, log);
    const stopOnSignal = () => void run.cleanup().then(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    try {
      const report = await chaosDrill(run, {
        records: int(values.records, cluster ? 50_000 : 100_000, 'records'),
        partitions: Math.max(1, int(values.partitions, 6, 'partitions')),
        verifiers: Math.max(1, int(values.verifiers, 2, 'verifiers')),
        kills: int(values.kills, cluster ? 4 : 10, 'kills'),
        stops: int(values.stops, 1, 'stops'),
        // On the cluster Redis fails over (redis-failovers) and brokers die one at a time instead.
        redisRestarts: int(values['redis-restarts'], cluster ? 0 : 1, 'redis-restarts'),
        kafkaRestarts: int(values['kafka-restarts'], cluster ? 0 : 1, 'kafka-restarts'),
        sinkKills: int(values['sink-kills'], cluster ? 1 : 2, 'sink-kills'),
        produceSeconds: int(values['produce-seconds'], cluster ? 240 : 200, 'produce-seconds'),
        timeoutMs: int(values.timeout, cluster ? 900 : 600, 'timeout') * 1000,
        cluster,
      });
      if (startup) log(`cluster start-up: ${startup}`);
      writeFileSync(join(run.dir, 'report.json'), JSON.stringify(report, null, 2));
      process.stdout.write(json ? `${JSON.stringify({ ...report, startup })}\n` : `${startup ? `  cluster start-up: ${startup}\n` : ''}${formatChaosReport(report, run.dir)}`);
      // The audit log of a passing run is big and proven; logs and report.json stay.
      if (report.ok && values['keep-logs'] !== true) rmSync(join(run.dir, 'audit'), { recursive: true, force: true });
      return report.ok ? 0 : 1;
    } finally {
      await run.cleanup();
    }
  }
  process.stderr.write(`unknown command '${cmd}'\n${USAGE}\n`);
  return 2;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`chaos failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
