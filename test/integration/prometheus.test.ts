// The real Prometheus (Debian's binary, installed by scripts/deploy/tools.sh) scraping a real
// verifier and sink on the local stack, with the alert rules of infra/prometheus/rules loaded:
// records in -> verdicts -> the sink's flk_ingest_total and the verifier's flk_verifier_verdicts_total
// read back through Prometheus' HTTP API. Basic auth on /metrics as in production (METRICS_USER /
// METRICS_PASS on the apps, basic_auth + password_file in Prometheus), job names as in
// infra/prometheus/prometheus.yml and the chart's ServiceMonitors.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createPipelineFixture,
  deleteGroups,
  freePort,
  randomName,
  signedRecords,
  STACK,
  startNodeApp,
  waitFor,
  type ChildApp,
  type PipelineFixture,
} from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RULES = join(REPO, 'infra/prometheus/rules/flk-alerts.yml');
const AUTH = { user: 'prometheus', pass: randomBytes(12).toString('hex') };
const N = 60;

const report = (line: string) => process.stderr.write(`[prometheus] ${line}\n`);

/** The prometheus binary: $FLK_PROMETHEUS, one on PATH, or Debian's package unpacked into the tools cache. */
function prometheusBinary(): string {
  const res = spawnSync('bash', [join(REPO, 'scripts/deploy/tools.sh'), '--quiet', 'prometheus'], { encoding: 'utf8', timeout: 10 * 60_000 });
  const path = /^prometheus=(.+)$/m.exec(res.stdout ?? '')?.[1];
  if (res.status !== 0 || !path) throw new Error(`scripts/deploy/tools.sh prometheus failed (${res.status ?? res.signal}): ${res.stderr}`);
  return path;
}

interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

describe('Prometheus scrapes the verifier and the sink', () => {
  let fx: PipelineFixture | undefined;
  let sink: ChildApp | undefined;
  let prom: ChildProcess | undefined;
  let promOut = '';
  let promUrl = '';
  let dir = '';
  const sinkGroup = randomName('flk-it-prom-sink');

  async function query(q: string): Promise<PromResult[]> {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: PromResult[] }; error?: string };
    if (body.status !== 'success') throw new Error(`query ${q}: ${body.error}`);
    return body.data.result;
  }
  const scalar = async (q: string): Promise<number | undefined> => {
    const r = await query(q);
    return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
  };

  beforeAll(async () => {
    const t0 = Date.now();
    const binary = prometheusBinary();
    dir = await mkdtemp(join(tmpdir(), 'flk-prom-'));

    fx = await createPipelineFixture({ partitions: 2, verdictPartitions: 2 });
    const verifier = await fx.startVerifier('prom-verifier', { METRICS_USER: AUTH.user, METRICS_PASS: AUTH.pass });
    const sinkPort = await freePort();
    sink = await startNodeApp('prom-sink', 'apps/sink/src/main.ts', sinkPort, {
      KAFKA_BROKERS: STACK.brokers.join(','),
      SCHEMA_REGISTRY_URL: STACK.registryUrl,
      PCS_VERDICTS_TOPIC: fx.topics.verdicts,
      SINK_GROUP_ID: sinkGroup,
      SINK_SESSION_TIMEOUT_MS: '6000',
      HTTP_PORT: String(sinkPort),
      AUDIT_DIR: join(dir, 'audit'),
      METRICS_USER: AUTH.user,
      METRICS_PASS: AUTH.pass,
      LOG_LEVEL: 'info',
      KAFKAJS_NO_PARTITIONER_WARNING: '1',
    });
    await Promise.all([verifier.waitReady(), sink.waitReady()]);

    // Same job names as infra/prometheus/prometheus.yml; fast intervals for the test.
    const promPort = await freePort();
    promUrl = `http://127.0.0.1:${promPort}`;
    await writeFile(join(dir, 'metrics-pass'), AUTH.pass, { mode: 0o600 });
    const job = (name: string, port: number, auth = true) => [
      `  - job_name: ${name}`,
      ...(auth ? ['    basic_auth:', `      username: ${AUTH.user}`, `      password_file: ${join(dir, 'metrics-pass')}`] : []),
      '    static_configs:',
      `      - targets: ["127.0.0.1:${port}"]`,
    ];
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'rule_files:',
      `  - ${RULES}`,
      'scrape_configs:',
      ...job('flk-verifier', verifier.port),
      ...job('flk-sink', sinkPort),
      // The sink without credentials: must be refused (up == 0).
      ...job('flk-sink-noauth', sinkPort, false),
      '',
    ].join('\n');
    await writeFile(join(dir, 'prometheus.yml'), config);
    prom = spawn(binary, [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
      '--storage.tsdb.retention.time=1h',
    ], { stdio: ['ignore', 'pipe', 'pipe'] });
    prom.stdout!.on('data', (d: Buffer) => (promOut += d.toString()));
    prom.stderr!.on('data', (d: Buffer) => (promOut += d.toString()));
    await waitFor('Prometheus /-/ready', async () => {
      if (prom!.exitCode !== null) throw new Error(`prometheus exited with ${prom!.exitCode}:\n${promOut.slice(-3000)}`);
      return (await fetch(`${promUrl}/-/ready`).catch(() => null))?.status === 200;
    }, { timeoutMs: 30_000, intervalMs: 200 });
    report(`verifier :${verifier.port}, sink :${sinkPort}, prometheus :${promPort} up in ${Date.now() - t0} ms`);
  }, 10 * 60_000);

  afterAll(async () => {
    if (prom && prom.exitCode === null) {
      const exited = new Promise((r) => prom!.once('exit', r));
      prom.kill('SIGTERM');
      await exited;
    }
    await sink?.stop(10_000).catch(() => null);
    if (fx) await deleteGroups(fx.kafka, [sinkGroup]).catch(() => {});
    await fx?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  test('targets are up with basic auth and refused without it', async () => {
    const up = async (job: string) => scalar(`max(up{job="${job}"})`);
    expect(await waitFor('both targets up', async () => (await up('flk-verifier')) === 1 && (await up('flk-sink')) === 1, { timeoutMs: 30_000, intervalMs: 500 })).toBe(true);
    expect(await waitFor('the unauthenticated scrape recorded', () => up('flk-sink-noauth'), { timeoutMs: 30_000, intervalMs: 500 })).toBe(0);
  }, 60_000);

  test(`${N} records in -> flk_ingest_total = ${N} and flk_verifier_verdicts_total = ${N}, read through Prometheus`, async () => {
    const t0 = Date.now();
    await fx!.produceRecords(signedRecords(N));
    const ingest = await waitFor(`sum(flk_ingest_total) = ${N} in Prometheus`, async () => {
      const v = await scalar('sum(flk_ingest_total)');
      return v === N ? v : undefined;
    }, { timeoutMs: 90_000, intervalMs: 500 }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- sink ---\n${sink!.output().slice(-3000)}\n--- prometheus ---\n${promOut.slice(-2000)}`);
    });
    expect(ingest).toBe(N);
    // The same verdicts as counted by the verifier (at commit) and by the sink (by status).
    await waitFor('the verifier count scraped', async () => (await scalar('sum(flk_verifier_verdicts_total)')) === N, { timeoutMs: 30_000, intervalMs: 500 });
    const byStatus = await query('sum by (status) (flk_verifier_verdicts_total)');
    const sinkStatus = async (name: string) => (await scalar(`sum(${name})`)) ?? 0;
    const statuses = Object.fromEntries(byStatus.map((r) => [r.metric.status, Number(r.value[1])]));
    expect(await sinkStatus('flk_accepted')).toBe(statuses.accepted ?? 0);
    expect(await sinkStatus('flk_escalated')).toBe(statuses.escalated ?? 0);
    expect(await sinkStatus('flk_rejected')).toBe(statuses.rejected ?? 0);
    report(`${N} records -> ${JSON.stringify(statuses)} in Prometheus after ${Date.now() - t0} ms`);
  }, 120_000);

  test('the alert rules load and evaluate without errors; the down alerts stay quiet', async () => {
    interface Rule { name: string; health: string; lastError?: string; state: string; lastEvaluation: string }
    const rules = await waitFor('every rule evaluated', async () => {
      const body = (await (await fetch(`${promUrl}/api/v1/rules`)).json()) as { data: { groups: Array<{ file: string; rules: Rule[] }> } };
      const all = body.data.groups.flatMap((g) => g.rules);
      return all.length > 0 && all.every((r) => !r.lastEvaluation.startsWith('0001-')) ? all : undefined;
    }, { timeoutMs: 30_000, intervalMs: 500 });
    expect(rules.map((r) => r.name)).toEqual(expect.arrayContaining(['FlkErrorBudgetBurn', 'FlkVerifierDown', 'FlkSinkDown', 'FlkRedisUnavailable']));
    expect(rules.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    const firing = rules.filter((r) => ['FlkVerifierDown', 'FlkSinkDown', 'FlkRedisUnavailable'].includes(r.name) && r.state !== 'inactive');
    expect(firing.map((r) => `${r.name}: ${r.state}`)).toEqual([]);
  }, 60_000);
});
