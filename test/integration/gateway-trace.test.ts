// Trace context end to end on the real stack: one W3C traceparent from the HTTP request (and one
// the gateway makes up for a request without any) travels on the pcs.submitted record, the verdict
// and reply records, and the sink's audit line; a malformed record produced straight to Kafka with
// a traceparent (as the agent and SDKs send them) carries it onto its DLQ entry and audit line.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { isTraceparent } from '@flk/kafka';
import { parseLine, verifyAuditDir } from '@flk/audit';
import { callGateway, createPipelineFixture, freePort, readTopic, signedRecord, startNodeApp, STACK, waitFor, type ChildApp, type GatewayApp, type PipelineFixture } from '../support/index.js';

const report = (line: string) => process.stderr.write(`[gateway-trace] ${line}\n`);
const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
const SDK_TRACEPARENT = '00-5c1e0b6a7d1f4e8a9b2c3d4e5f607182-1a2b3c4d5e6f7081-01';

function auditLines(dir: string) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== ''))
    .map((l) => {
      const p = parseLine(Buffer.from(l));
      if (!p.ok) throw new Error(`unreadable audit line: ${p.reason} ${p.detail}`);
      return p.line;
    });
}

describe('trace context: HTTP request → Kafka header → verdict / DLQ record → audit line', () => {
  let fx: PipelineFixture;
  let gw: GatewayApp;
  let sink: ChildApp;
  const auditDir = mkdtempSync(join(tmpdir(), 'flk-trace-audit-'));

  beforeAll(async () => {
    fx = await createPipelineFixture({ partitions: 2, replies: 2 });
    const sinkPort = await freePort();
    const [v, g, s] = await Promise.all([
      fx.startVerifier('trace-verifier'),
      fx.startGateway('trace-gw'),
      startNodeApp('trace-sink', 'apps/sink/src/main.ts', sinkPort, {
        KAFKA_BROKERS: STACK.brokers.join(','),
        SCHEMA_REGISTRY_URL: STACK.registryUrl,
        PCS_VERDICTS_TOPIC: fx.topics.verdicts,
        SINK_GROUP_ID: `${fx.groupId}-sink`,
        SINK_SESSION_TIMEOUT_MS: '6000',
        AUDIT_DIR: auditDir,
        HTTP_PORT: String(sinkPort),
        HTTP_HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
      }),
    ]);
    gw = g;
    sink = s;
    await Promise.all([v.waitReady(), g.waitReady(), s.waitReady()]);
  }, 120_000);
  afterAll(async () => {
    await sink?.stop(10_000);
    await fx?.cleanup();
    rmSync(auditDir, { recursive: true, force: true });
  });

  test('the caller\'s traceparent (or the gateway\'s new one) is on the submission, the verdict, the reply and the audit line; an SDK\'s on the DLQ entry', async () => {
    const traced = signedRecord();
    const untraced = signedRecord({ budget: 0.99 });
    const a = await callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body: traced, headers: { traceparent: TRACEPARENT } });
    const b = await callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body: untraced });
    expect([a.status, b.status]).toEqual([200, 202]);
    expect(a.headers.get('traceparent')).toBe(TRACEPARENT); // no OpenTelemetry SDK registered: it travels on unchanged
    const made = b.headers.get('traceparent')!;
    expect(isTraceparent(made)).toBe(true);
    expect(made).not.toBe(TRACEPARENT);

    // A malformed record (no Avro, no JSON) straight to Kafka, as a producer outside the gateway.
    await fx.produceRaw([{ key: 'not-a-pcs', value: Buffer.from('definitely not avro'), headers: { traceparent: SDK_TRACEPARENT } }]);

    const byKey = (msgs: ReadonlyArray<{ key: string | null; headers: Record<string, string> }>) => Object.fromEntries(msgs.map((m) => [m.key, m.headers.traceparent]));
    const submitted = await readTopic(fx.kafka, fx.topics.submitted, { count: 3, settleMs: 500 });
    expect(byKey(submitted)).toEqual({ [traced.pcs_id]: TRACEPARENT, [untraced.pcs_id]: made, 'not-a-pcs': SDK_TRACEPARENT });
    const verdicts = await readTopic(fx.kafka, fx.topics.verdicts, { count: 3, settleMs: 500 });
    const verdictTraces = byKey(verdicts);
    expect(verdictTraces[traced.pcs_id]).toBe(TRACEPARENT);
    expect(verdictTraces[untraced.pcs_id]).toBe(made);
    expect(Object.values(verdictTraces).filter((t) => t === SDK_TRACEPARENT)).toHaveLength(1); // the malformed record's verdict
    const dlq = await fx.readDlq({ count: 1 });
    expect(dlq.map((m) => m.headers.traceparent)).toEqual([SDK_TRACEPARENT]);
    const replies = await readTopic(fx.kafka, fx.topics.replies!, { count: 2, settleMs: 500 });
    expect(replies.map((m) => m.headers.traceparent).sort()).toEqual([TRACEPARENT, made].sort());

    // The sink writes each verdict's traceparent onto its audit line; the log verifies.
    const lines = await waitFor('3 audit lines', () => {
      const l = auditLines(auditDir);
      return l.length >= 3 ? l : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    const line = lines.find((l) => (l.verdict as { pcs_id?: string } | null)?.pcs_id === traced.pcs_id)!;
    expect(line.traceparent).toBe(TRACEPARENT);
    expect((line.verdict as { status: string }).status).toBe('accepted');
    expect(lines.find((l) => (l.verdict as { pcs_id?: string } | null)?.pcs_id === untraced.pcs_id)!.traceparent).toBe(made);
    expect(lines.filter((l) => l.traceparent === SDK_TRACEPARENT)).toHaveLength(1);
    expect(await verifyAuditDir(auditDir)).toMatchObject({ ok: true, lines: 3 });
    report(`traceparent ${TRACEPARENT}: HTTP → ${fx.topics.submitted} → ${fx.topics.verdicts} + replies → audit line seq ${line.seq}`);
  }, 90_000);
});
