// Exactly-once under group changes: two verifier processes in one group with a rebalance while
// the first is busy, and a SIGKILL in the middle of processing followed by a restart. Verdicts are
// read with read_committed, as the sink reads them.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  countDedupKeys,
  createPipelineFixture,
  duplicateRecords,
  signedRecords,
  sleep,
  STACK,
  startTcpProxy,
  waitFor,
  type ChildApp,
  type PipelineFixture,
  type TcpProxy,
} from '../support/index.js';

let fx: PipelineFixture | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await fx?.cleanup();
  await proxy?.close();
  fx = undefined;
  proxy = undefined;
});

const report = (line: string) => process.stderr.write(`[pipeline-failover] ${line}\n`);

/** Sum of flk_verifier_verdicts_total of a running verifier (0 when unreachable). */
async function verdictsCommitted(v: ChildApp): Promise<number> {
  const text = await v.metrics().catch(() => '');
  let n = 0;
  for (const m of text.matchAll(/^flk_verifier_verdicts_total\{[^}]*\} (\d+)/gm)) n += Number(m[1]);
  return n;
}

const SMALL_BATCHES = { VERIFIER_MAX_BATCH_RECORDS: '20', KAFKA_MAX_BYTES_PER_PARTITION: '16384', VERIFIER_PARTITIONS_CONCURRENCY: '3' };

describe('verifier failover', () => {
  test('two processes in one group split the partitions and, across a mid-stream rebalance, answer every record exactly once', async () => {
    fx = await createPipelineFixture({ partitions: 6 });
    // Input keeps arriving until b has joined, and for a while after, so the rebalance lands while
    // a is busy and b has records of its own to answer. (A backlog produced up front let a drain
    // it all before b's join completed on a fast run: b committed 0.)
    const feed = { stop: false, produced: 3000 };
    await fx.produceRecords(signedRecords(3000));
    const feeder = (async () => {
      while (!feed.stop) {
        await fx!.produceRecords(signedRecords(100));
        feed.produced += 100;
        await sleep(100);
      }
    })();
    const a = await fx.startVerifier('verifier-a', SMALL_BATCHES);
    await a.waitReady();
    await waitFor('verifier-a to be busy', async () => (await verdictsCommitted(a)) >= 300, { timeoutMs: 60_000 });
    const b = await fx.startVerifier('verifier-b', SMALL_BATCHES);
    await b.waitReady();
    await waitFor('verifier-b to be assigned partitions', () => b.logLines().some((l) => l.msg === 'partitions assigned' && (l.partitions as number[]).length > 0), { timeoutMs: 60_000 });
    await sleep(2_000);
    feed.stop = true;
    await feeder;
    const N = feed.produced;
    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 120_000, settleMs: 3_000 });
    const [na, nb] = [await verdictsCommitted(a), await verdictsCommitted(b)];
    const dup = duplicateRecords(verdicts);
    const skips = (await a.metrics()).match(/^flk_verifier_fenced_skips_total (\d+)/m)?.[1];
    report(`rebalance: ${verdicts.length} verdict records for ${N} inputs (duplicates ${dup}); a committed ${na}, b committed ${nb}; fenced skips a=${skips}`);
    expect(new Set(verdicts.map((v) => v.key)).size).toBe(N);
    expect(dup).toBe(0);
    expect(verdicts.every((v) => !v.verdict.duplicate)).toBe(true);
    expect(nb).toBeGreaterThan(0); // b did take partitions over
    expect(na).toBeGreaterThan(0);
    const assignedB = b.logLines().filter((l) => l.msg === 'partitions assigned').at(-1)?.partitions as number[] | undefined;
    expect(assignedB?.length).toBeGreaterThan(0);
  }, 240_000);

  test('SIGKILL in the middle of a batch, then restart: every input has its verdict; duplicates counted', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const N = 3000;
    await fx.produceRecords(signedRecords(N));
    // verifier-a reaches Redis through a proxy that holds every reply back 200 ms: its claims are
    // applied long before it can commit, so the kill lands between "claimed" and "committed".
    const redis = new URL(STACK.redisUrl);
    proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) }, { replyDelayMs: 200 });
    const a = await fx.startVerifier('verifier-a', { ...SMALL_BATCHES, REDIS_URL: `redis://127.0.0.1:${proxy.port}` });
    await a.waitReady();
    await waitFor('verifier-a mid-stream', async () => (await verdictsCommitted(a)) >= N / 4, { timeoutMs: 60_000, intervalMs: 20 });
    await sleep(Math.floor(Math.random() * 150));
    const before = await verdictsCommitted(a);
    await a.kill();
    report(`killed verifier-a (SIGKILL) after ${before} committed verdicts`);
    const a2 = await fx.startVerifier('verifier-a-restarted', SMALL_BATCHES);
    await a2.waitReady();
    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 150_000, settleMs: 3_000 });
    const dup = duplicateRecords(verdicts);
    const uncommitted = await fx.readVerdicts({ count: N, timeoutMs: 30_000, settleMs: 2_000, readUncommitted: true });
    const replays = Number((await a2.metrics()).match(/^flk_verifier_replays_total (\d+)/m)?.[1] ?? 0);
    report(`SIGKILL: ${verdicts.length} committed verdict records for ${N} inputs → ${dup} duplicated; ${replays} claimed-but-uncommitted records replayed after restart; read_uncommitted sees ${uncommitted.length} (aborted output ${uncommitted.length - verdicts.length})`);
    expect(new Set(verdicts.map((v) => v.key)).size).toBe(N);
    expect(verdicts.every((v) => !v.verdict.duplicate)).toBe(true);
    expect(dup).toBe(0);
    expect(replays).toBeGreaterThan(0); // the kill did land inside a batch
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(N);
  }, 300_000);

  test('SIGTERM mid-stream: the chunk in progress is committed, the process exits 0, a restart replays nothing', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const N = 4000;
    await fx.produceRecords(signedRecords(N));
    const a = await fx.startVerifier('verifier-a', SMALL_BATCHES);
    await a.waitReady();
    await waitFor('verifier-a mid-stream', async () => (await verdictsCommitted(a)) >= N / 5, { timeoutMs: 60_000, intervalMs: 20 });
    const t0 = Date.now();
    const code = await a.stop();
    const stopMs = Date.now() - t0;
    expect(code).toBe(0);
    expect(a.logLines().some((l) => l.msg === 'verifier stopped')).toBe(true);
    const b = await fx.startVerifier('verifier-b', SMALL_BATCHES);
    await b.waitReady();
    const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 120_000, settleMs: 2_000 });
    const replays = Number((await b.metrics()).match(/^flk_verifier_replays_total (\d+)/m)?.[1] ?? -1);
    report(`SIGTERM: stopped in ${stopMs} ms; ${verdicts.length} verdict records for ${N} inputs (duplicates ${duplicateRecords(verdicts)}); replays after restart ${replays}`);
    expect(new Set(verdicts.map((v) => v.key)).size).toBe(N);
    expect(duplicateRecords(verdicts)).toBe(0);
    // Every claim the first process made was committed with its verdict before it exited.
    expect(replays).toBe(0);
  }, 240_000);
});
