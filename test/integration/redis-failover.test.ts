// A verifier on the Sentinel group (infra/local/redis-ha.sh) while the Redis primary is SIGKILLed
// mid-stream and the sentinels promote a replica: the verifier follows the new primary, and every
// input has exactly one committed verdict. Then every record is sent again: each copy must be a
// duplicate. A pcs_id decided as non-duplicate twice ("double-first") is what a claim lost in the
// failover would cause; with WAIT 1 (the default with Sentinel) it must be 0. The same drill with
// WAIT off (REDIS_WAIT_REPLICAS=0) reports its count (asynchronous replication on loopback rarely
// loses a write; the figure is printed, not asserted).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, test } from '@jest/globals';
import { createRedisClient, type RedisConnection } from '@flk/redis';
import { countDedupKeys, createPipelineFixture, deleteDedupKeys, signedRecords, waitFor, type ChildApp, type DecodedVerdict, type PipelineFixture } from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const SENTINELS = process.env.FLK_HA_REDIS_SENTINELS ?? '127.0.0.1:6410,127.0.0.1:6411,127.0.0.1:6412';
const SENTINEL_NAME = process.env.FLK_HA_REDIS_SENTINEL_NAME ?? 'flk';
const report = (line: string) => process.stderr.write(`[redis-failover] ${line}\n`);

let fx: PipelineFixture | undefined;
let ha: RedisConnection | undefined;
afterEach(async () => {
  // The fixture cleans the single server; the claims of this test are on the Sentinel group.
  if (fx && ha) await deleteDedupKeys(ha, fx.redisKeyPrefix).catch(() => undefined);
  await fx?.cleanup();
  await ha?.close();
  fx = undefined;
  ha = undefined;
});

async function verdictsCommitted(v: ChildApp): Promise<number> {
  const text = await v.metrics().catch(() => '');
  let n = 0;
  for (const m of text.matchAll(/^flk_verifier_verdicts_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

export interface FailoverCounts {
  inputs: number;
  lost: number;
  duplicateVerdictRecords: number;
  doubleFirst: number;
}

/** Counts over the verdict records of `inputs` records sent twice. */
export function failoverCounts(inputs: number, verdicts: readonly DecodedVerdict[]): FailoverCounts {
  const perSource = new Map<string, number>();
  const firsts = new Map<string, Set<string>>();
  const sources = new Map<string, Set<string>>();
  for (const v of verdicts) {
    const id = v.verdict.pcs_id;
    const src = `${v.verdict.source?.partition}:${v.verdict.source?.offset}`;
    perSource.set(`${id}@${src}`, (perSource.get(`${id}@${src}`) ?? 0) + 1);
    if (!sources.has(id)) sources.set(id, new Set());
    sources.get(id)!.add(src);
    if (!v.verdict.duplicate) {
      if (!firsts.has(id)) firsts.set(id, new Set());
      firsts.get(id)!.add(src);
    }
  }
  let lost = 0;
  for (const s of sources.values()) lost += Math.max(0, 2 - s.size);
  lost += (inputs - sources.size) * 2;
  let duplicateVerdictRecords = 0;
  for (const n of perSource.values()) duplicateVerdictRecords += n - 1;
  let doubleFirst = 0;
  for (const f of firsts.values()) if (f.size > 1) doubleFirst++;
  return { inputs, lost, duplicateVerdictRecords, doubleFirst };
}

async function drill(label: string, extra: Record<string, string>): Promise<FailoverCounts & { failoverLine: string }> {
  fx = await createPipelineFixture({ partitions: 3 });
  ha = createRedisClient({ sentinel: { sentinels: SENTINELS.split(',').map((hp) => ({ host: hp.split(':')[0]!, port: Number(hp.split(':')[1]) })), name: SENTINEL_NAME }, connectionName: 'flk-test-ha' });
  const N = 3000;
  const records = signedRecords(N);
  await fx.produceRecords(records);
  const v = await fx.startVerifier(`verifier-${label}`, {
    REDIS_URL: '',
    REDIS_SENTINELS: SENTINELS,
    REDIS_SENTINEL_NAME: SENTINEL_NAME,
    VERIFIER_MAX_BATCH_RECORDS: '50',
    KAFKA_MAX_BYTES_PER_PARTITION: '32768',
    ...extra,
  });
  await v.waitReady();
  await waitFor(`${label}: verifier mid-stream`, async () => (await verdictsCommitted(v)) >= N / 4, { timeoutMs: 60_000, intervalMs: 20 });
  const out = execFileSync('bash', [`${REPO}infra/local/redis-ha.sh`, 'kill-primary', '--restart'], { cwd: REPO, encoding: 'utf8', env: process.env });
  const failoverLine = out.split('\n').find((l) => l.startsWith('failover:')) ?? '';
  await fx.readVerdicts({ count: N, timeoutMs: 120_000 });
  // The same records again, at new offsets: every one is a repeat of a decided pcs_id.
  await fx.produceRecords(records);
  const verdicts = await fx.readVerdicts({ count: 2 * N, timeoutMs: 120_000, settleMs: 2_000 });
  const counts = failoverCounts(N, verdicts);
  const keys = await countDedupKeys(ha, fx.redisKeyPrefix);
  const metrics = await v.metrics();
  const retries = [...metrics.matchAll(/^flk_verifier_batch_retries_total\{code="([^"]+)"\} (\d+)/gm)].map((m) => `${m[1]}=${m[2]}`).join(' ') || 'none';
  report(`${label}: ${failoverLine}; inputs ${N}×2, verdict records ${verdicts.length}, lost ${counts.lost}, duplicate verdict records ${counts.duplicateVerdictRecords}, double-first ${counts.doubleFirst}, dedup keys ${keys}, batch retries ${retries}`);
  expect(keys).toBe(N);
  return { ...counts, failoverLine };
}

describe('verifier across a Redis primary failover (Sentinel)', () => {
  test('WAIT 1 (default): lost 0, duplicate verdict records 0, double-first 0', async () => {
    const c = await drill('wait-1', {});
    expect(c.failoverLine).toMatch(/^failover: \S+ -> \S+/);
    expect({ lost: c.lost, duplicateVerdictRecords: c.duplicateVerdictRecords, doubleFirst: c.doubleFirst }).toEqual({ lost: 0, duplicateVerdictRecords: 0, doubleFirst: 0 });
  }, 240_000);

  test('WAIT off (REDIS_WAIT_REPLICAS=0): lost 0 and no duplicate records; the double-first count is reported', async () => {
    const c = await drill('wait-off', { REDIS_WAIT_REPLICAS: '0' });
    expect(c.failoverLine).toMatch(/^failover: \S+ -> \S+/);
    expect({ lost: c.lost, duplicateVerdictRecords: c.duplicateVerdictRecords }).toEqual({ lost: 0, duplicateVerdictRecords: 0 });
    expect(c.doubleFirst).toBeGreaterThanOrEqual(0);
  }, 240_000);
});
