// The broker stopped under a running gateway: submissions get 503 + Retry-After within the ack
// timeout, nothing is acknowledged that Kafka does not have, and once the broker is back new
// submissions succeed. The broker is really stopped (stack.sh restart-kafka --down-ms), so this
// file stops the shared broker of the stack for a few seconds: jest runs integration files one at
// a time (--runInBand).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, test } from '@jest/globals';
import { callGateway, createPipelineFixture, readTopic, signedRecord, sleep, waitFor, type GatewayResponse, type PipelineFixture } from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let fx: PipelineFixture | undefined;
afterAll(async () => {
  await fx?.cleanup();
});

test('broker stopped: 503 + Retry-After within the ack timeout, only acknowledged records answered 200/202, recovery after', async () => {
  fx = await createPipelineFixture({ partitions: 3, replies: 4 });
  const [v, gw] = await Promise.all([fx.startVerifier('outage-verifier'), fx.startGateway('outage-gw', { GATEWAY_KAFKA_ACK_TIMEOUT_MS: '1000', GATEWAY_VERDICT_TIMEOUT_MS: '2000' })]);
  await Promise.all([v.waitReady(), gw.waitReady()]);
  const submit = async (rec = signedRecord()): Promise<{ rec: ReturnType<typeof signedRecord>; r: GatewayResponse | null }> => {
    try {
      return { rec, r: await callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body: rec }) };
    } catch {
      return { rec, r: null };
    }
  };
  expect((await submit()).r?.status).toBe(200);

  // Down for 8 s (plus the broker's own shutdown and start-up).
  const restart = spawn('bash', ['infra/local/stack.sh', 'restart-kafka', '--down-ms', '8000'], { cwd: REPO, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let restartOut = '';
  restart.stdout.on('data', (d: Buffer) => (restartOut += d.toString()));
  restart.stderr.on('data', (d: Buffer) => (restartOut += d.toString()));
  const restarted = new Promise<number | null>((resolve) => restart.once('exit', resolve));
  let done = false;
  void restarted.then(() => (done = true));

  const during: Array<{ rec: ReturnType<typeof signedRecord>; r: GatewayResponse | null }> = [];
  while (!done) {
    during.push(await submit());
    await sleep(100);
  }
  const code = await restarted;
  if (code !== 0) throw new Error(`stack.sh restart-kafka exited ${code}:\n${restartOut}`);
  const unavailable = during.filter((x) => x.r?.status === 503);
  process.stderr.write(`[gateway-outage] during the restart: ${during.length} submissions, ${unavailable.length} × 503, statuses ${JSON.stringify(count(during.map((x) => x.r?.status ?? 'no response')))}\n`);
  expect(unavailable.length).toBeGreaterThan(5);
  for (const { r } of unavailable) {
    expect(r!.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
    expect(r!.json.error).toBe('unavailable');
    // Within the ack timeout (1 s) plus scheduling slack on a shared machine; never the verdict timeout.
    expect(r!.ms).toBeLessThan(1_900);
  }
  expect(during.every((x) => x.r !== null && [200, 202, 503].includes(x.r.status))).toBe(true);

  // Back: new submissions succeed (the producer, the reply consumer and the verifier reconnect).
  const afterStatuses: Array<string | number> = [];
  const after = await waitFor('a 200 after the broker is back', async () => {
    const x = await submit();
    afterStatuses.push(x.r?.status ?? 'no response');
    if (x.r?.status === 200) return x;
    throw new Error(`statuses since the restart ${JSON.stringify(count(afterStatuses))}, last ${JSON.stringify(x.r?.json ?? null)}`);
  }, { timeoutMs: 90_000, intervalMs: 500 }).catch((err: Error) => {
    // Which side did not come back (the verifier's group, the gateway's reply group, a process exit).
    throw new Error(`${err.message}\n${v.digest()}\n${gw.digest()}`);
  });
  process.stderr.write(`[gateway-outage] after the restart: ${afterStatuses.length} submissions to the first 200, statuses ${JSON.stringify(count(afterStatuses))}\n`);
  expect(after.r!.json.pcs_id).toBe(after.rec.pcs_id);

  // Nothing acknowledged that Kafka does not have: every 200/202 is on pcs.submitted.
  const acked = during.filter((x) => x.r?.status === 200 || x.r?.status === 202).map((x) => x.rec.pcs_id);
  const onTopic = new Set((await readTopic(fx.kafka, fx.topics.submitted, { until: (ms) => acked.every((id) => ms.some((m) => m.key === id)), timeoutMs: 30_000, settleMs: 200 })).map((m) => m.key));
  expect(acked.filter((id) => !onTopic.has(id))).toEqual([]);
}, 180_000);

function count(xs: ReadonlyArray<string | number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[String(x)] = (out[String(x)] ?? 0) + 1;
  return out;
}
