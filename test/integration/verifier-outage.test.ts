// Redis going away under a running verifier (through a proxy only this verifier uses): not ready,
// the failing chunk is retried with backoff — never skipped, never half-answered — and every record
// is answered exactly once after Redis is back.
import { afterEach, expect, test } from '@jest/globals';
import { createPipelineFixture, duplicateRecords, signedRecords, sleep, startTcpProxy, STACK, waitFor, type PipelineFixture, type TcpProxy } from '../support/index.js';

let fx: PipelineFixture | undefined;
let proxy: TcpProxy | undefined;
afterEach(async () => {
  await fx?.cleanup();
  await proxy?.close();
  fx = undefined;
  proxy = undefined;
});

test('Redis outage: not ready, retried with backoff, then every record answered exactly once', async () => {
  const redis = new URL(STACK.redisUrl);
  proxy = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
  fx = await createPipelineFixture({ partitions: 2 });
  const v = await fx.startVerifier('verifier-a', {
    REDIS_URL: `redis://127.0.0.1:${proxy.port}`,
    VERIFIER_RETRY_MAX_MS: '1000',
  });
  await v.waitReady();
  const before = signedRecords(200);
  await fx.produceRecords(before);
  await fx.readVerdicts({ count: 200, settleMs: 200 });

  proxy.cut();
  const during = signedRecords(200);
  await fx.produceRecords(during);
  const ready = async () => (await fetch(`http://127.0.0.1:${v.port}/ready`)).status;
  await waitFor('/ready to report Redis down', async () => (await ready()) === 503, { timeoutMs: 30_000 });
  const body = (await (await fetch(`http://127.0.0.1:${v.port}/ready`)).json()) as { checks: Record<string, string> };
  expect(body.checks.redis).not.toBe('ok');
  await sleep(3_000); // several retries while down
  const whileDown = await fx.readVerdicts({ count: 200, settleMs: 500, timeoutMs: 5_000 });
  expect(whileDown).toHaveLength(200); // nothing new was committed without its claim

  proxy.restore();
  const all = await fx.readVerdicts({ count: 400, timeoutMs: 60_000 });
  await waitFor('/ready again', async () => (await ready()) === 200, { timeoutMs: 30_000 });
  expect(all).toHaveLength(400);
  expect(duplicateRecords(all)).toBe(0);
  expect(new Set(all.map((x) => x.key))).toEqual(new Set([...before, ...during].map((r) => r.pcs_id)));
  const metrics = await v.metrics();
  const retries = Number(metrics.match(/^flk_verifier_batch_retries_total\{code="REDIS_UNAVAILABLE"\} (\d+)/m)?.[1] ?? 0);
  process.stderr.write(`[outage] ${retries} chunk retries while Redis was unreachable\n`);
  expect(retries).toBeGreaterThan(0);
}, 150_000);
