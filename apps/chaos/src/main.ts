// `npm run chaos [-- drill|bad-input] [options]`: fault and bad-input drills against the local
// stack, each on fresh topics, groups and Redis key prefix, bounded in time, cleaned up after.
// docs/reliability.md describes every drill, what it proves and its last figures.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { badInputDrill } from './bad-input.js';
import { chaosDrill, formatChaosReport } from './drill.js';
import { startRun } from './run.js';

const USAGE = `usage: npm run chaos -- [drill|bad-input] [options]

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
      oversized: { type: 'string' }, 'min-ratio': { type: 'string' }, json: { type: 'boolean' }, 'keep-logs': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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

  if (cmd === 'drill') {
    const run = await startRun('drill', log);
    const stopOnSignal = () => void run.cleanup().then(() => process.exit(130));
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    try {
      const report = await chaosDrill(run, {
        records: int(values.records, 100_000, 'records'),
        partitions: Math.max(1, int(values.partitions, 6, 'partitions')),
        verifiers: Math.max(1, int(values.verifiers, 2, 'verifiers')),
        kills: int(values.kills, 10, 'kills'),
        stops: int(values.stops, 1, 'stops'),
        redisRestarts: int(values['redis-restarts'], 1, 'redis-restarts'),
        kafkaRestarts: int(values['kafka-restarts'], 1, 'kafka-restarts'),
        sinkKills: int(values['sink-kills'], 2, 'sink-kills'),
        produceSeconds: int(values['produce-seconds'], 200, 'produce-seconds'),
        timeoutMs: int(values.timeout, 600, 'timeout') * 1000,
      });
      writeFileSync(join(run.dir, 'report.json'), JSON.stringify(report, null, 2));
      process.stdout.write(json ? `${JSON.stringify(report)}\n` : formatChaosReport(report, run.dir));
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
