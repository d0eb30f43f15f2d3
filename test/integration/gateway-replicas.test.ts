// Two gateway replicas behind a round-robin, one SIGKILLed mid-run (docs/gateway.md, "Reply
// routing"): every submission Kafka acknowledged gets its own verdict, by response or by poll;
// none is lost, none is answered with another record's verdict. FLK_GATEWAY_DRILL_N submissions
// (default 1,000 in npm test; `npm run drill:gateway` runs 5,000).
import { afterAll, expect, test } from '@jest/globals';
import type { Pcs, Verdict } from '@flk/pcs';
import { callGateway, createPipelineFixture, readTopic, signedRecords, sleep, type GatewayApp, type GatewayResponse, type PipelineFixture } from '../support/index.js';

const N = Number(process.env.FLK_GATEWAY_DRILL_N ?? 1000);
const CONCURRENCY = 32;
const KILL_AT = 0.4;
let fx: PipelineFixture | undefined;
afterAll(async () => {
  await fx?.cleanup();
});

type Outcome = { rec: Pcs; r: GatewayResponse | null; via: string; refusedBy: string[] };

const refused = (err: unknown) => (err as { cause?: { code?: string } })?.cause?.code === 'ECONNREFUSED';

test(`two replicas, ${N} submissions, one replica SIGKILLed at ${KILL_AT * 100}%: every acknowledged submission gets its own verdict`, async () => {
  fx = await createPipelineFixture({ partitions: 6, replies: 12 });
  const [v, a, b] = await Promise.all([fx.startVerifier('drill-verifier'), fx.startGateway('drill-gw-a'), fx.startGateway('drill-gw-b')]);
  await Promise.all([v.waitReady(), a.waitReady(), b.waitReady()]);
  const replicas: GatewayApp[] = [a, b];
  const dead = new Set<string>();
  const recs = signedRecords(N);
  const outcomes: Outcome[] = [];
  let next = 0;
  let started = 0;
  let killedAt = -1;
  const t0 = Date.now();

  // The round-robin: request i to replica i % 2; a replica that refuses connections is skipped
  // (what a load balancer does once its health check fails).
  const worker = async () => {
    for (let i = next++; i < N; i = next++) {
      const rec = recs[i]!;
      const o: Outcome = { rec, r: null, via: '', refusedBy: [] };
      for (let k = 0; k < replicas.length && o.r === null; k++) {
        const gw = replicas[(i + k) % replicas.length]!;
        if (dead.has(gw.name) && k + 1 < replicas.length) continue;
        o.via = gw.name;
        try {
          o.r = await callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body: rec });
        } catch (err) {
          if (!refused(err)) break; // reset mid-request: Kafka may or may not have it; polled below
          o.refusedBy.push(gw.name);
        }
      }
      outcomes.push(o);
      started++;
      if (killedAt < 0 && started >= N * KILL_AT) {
        killedAt = started;
        dead.add(b.name);
        void b.kill();
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (Date.now() - t0) / 1000;

  // What Kafka acknowledged: the records on pcs.submitted, and their verdicts on pcs.verdicts.
  const submitted = await readTopic(fx.kafka, fx.topics.submitted, { until: (ms) => ms.length >= outcomes.filter((o) => o.r !== null && o.r.status !== 503).length, timeoutMs: 60_000 });
  const submittedIds = new Set(submitted.map((m) => m.key));
  const verdicts = await fx.readVerdicts({ count: submitted.length, timeoutMs: 90_000 });
  const bySource = new Map(verdicts.map((x) => [`${x.verdict.source!.partition}:${x.verdict.source!.offset}`, x.verdict]));

  // Answered with a verdict: it is this record's, and exactly its pcs.verdicts record.
  let answered = 0;
  let crossed = 0;
  const toPoll: Pcs[] = [];
  for (const o of outcomes) {
    const body = o.r?.json;
    if (o.r !== null && (o.r.status === 200 || (o.r.status === 202 && (body as { status?: string }).status !== 'pending'))) {
      answered++;
      const v = body as Verdict;
      const onTopic = bySource.get(`${v.source!.partition}:${v.source!.offset}`);
      if (v.pcs_id !== o.rec.pcs_id || onTopic === undefined || JSON.stringify(onTopic) !== JSON.stringify(v)) crossed++;
    } else if (o.r === null || o.r.status === 202) toPoll.push(o.rec);
    else throw new Error(`unexpected ${o.r.status} from ${o.via}: ${o.r.text}`);
  }
  // Pending (202 + Location) or cut off by the SIGKILL: the survivor's GET finds the stored verdict
  // of every one Kafka has.
  let polled = 0;
  let lost = 0;
  const pollDeadline = Date.now() + 60_000;
  for (const rec of toPoll) {
    if (!submittedIds.has(rec.pcs_id)) continue; // never reached Kafka: nothing was acknowledged
    let found: GatewayResponse | null = null;
    while (found === null && Date.now() < pollDeadline) {
      const p = await callGateway(a.url(''), 'GET', `/v1/pcs/${rec.pcs_id}`);
      if (p.status === 200) found = p;
      else await sleep(200);
    }
    if (found === null || found.json.pcs_id !== rec.pcs_id) lost++;
    else polled++;
  }
  const statuses: Record<string, number> = {};
  for (const o of outcomes) statuses[o.r === null ? 'cut' : String(o.r.status)] = (statuses[o.r === null ? 'cut' : String(o.r.status)] ?? 0) + 1;
  process.stderr.write(
    `[gateway-replicas] ${N} submissions in ${seconds.toFixed(1)} s (${Math.round(N / seconds)}/s, ${CONCURRENCY} clients, 2 replicas, ${b.name} SIGKILLed after ${killedAt}); ` +
      `statuses ${JSON.stringify(statuses)}; on pcs.submitted ${submittedIds.size}; answered with their verdict ${answered}, found by poll ${polled}, lost ${lost}, crossed ${crossed}\n`,
  );
  expect(outcomes).toHaveLength(N);
  expect(crossed).toBe(0);
  expect(lost).toBe(0);
  // Every record Kafka has was answered or found, and every answered one is on the topic.
  expect(answered + polled).toBe(submittedIds.size);
  const ids = new Set(recs.map((r) => r.pcs_id));
  expect(submitted.every((m) => ids.has(m.key!))).toBe(true);
}, 300_000);
