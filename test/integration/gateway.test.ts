// The HTTP gateway on the real stack: a verifier and gateway child processes, a real HTTP client
// (Node's fetch), every response checked against schemas/gateway-openapi.yaml. Every status code
// of the table is produced here, and each verdict the gateway answers is compared with the record
// on pcs.verdicts and with the verdict a Kafka producer gets for the same record.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Pcs, Verdict } from '@flk/pcs';
import { sampleRecordV02, TEST_RING_ENTRIES, testSigner } from '@flk/pcs/testing';
import {
  callGateway,
  checkSubmitRequest,
  comparable,
  createPipelineFixture,
  readTopic,
  signedRecord,
  waitFor,
  writeKeyRingFile,
  writeTokensFile,
  type GatewayApp,
  type GatewayResponse,
  type PipelineFixture,
} from '../support/index.js';

const report = (line: string) => process.stderr.write(`[gateway] ${line}\n`);
const root = () => randomBytes(32).toString('hex');
const acme = (o: Partial<Pcs> = {}) => sampleRecordV02({ merkle_root: root(), sent_at: new Date().toISOString(), ...o });
const globex = (o: Partial<Pcs> = {}) => sampleRecordV02({ merkle_root: root(), sent_at: new Date().toISOString(), tenant_id: 'globex', key_id: 'globex-1', ...o }, { signer: testSigner('ed25519') });
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('HTTP gateway', () => {
  let fx: PipelineFixture;
  let gw: GatewayApp;
  const ring = writeKeyRingFile('ring.json', TEST_RING_ENTRIES);
  const submit = (body: string | object, headers: Record<string, string> = {}) => {
    if (typeof body === 'object') checkSubmitRequest(body);
    return callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body, headers });
  };

  beforeAll(async () => {
    fx = await createPipelineFixture({ partitions: 3, replies: 4 });
    const [v, g] = await Promise.all([
      fx.startVerifier('gw-verifier', { PCS_KEYRING_FILE: ring }),
      // globex: a bucket of one token that never refills (the 429 case); everything else default.
      fx.startGateway('gw-a', { PCS_KEYRING_FILE: ring, GATEWAY_TENANT_LIMITS: 'globex=0:1', GATEWAY_MAX_BODY_BYTES: '8192' }),
    ]);
    gw = g;
    await Promise.all([v.waitReady(), g.waitReady()]);
  }, 120_000);
  afterAll(async () => {
    await fx?.cleanup();
  });

  test('every status code; each verdict is the one on pcs.verdicts and the one a Kafka producer gets; nothing is produced for 400/413/415/429', async () => {
    const accepted = signedRecord();
    const escalated = signedRecord({ budget: 0.99 });
    const tampered = { ...signedRecord(), D_hat: 1.23 }; // a signed field changed after signing
    const acmeOk = acme();
    const stale = acme({ sent_at: '2020-01-01T00:00:00Z' }); // outside PCS_MAX_AGE_SECONDS: rejected by the verifier
    const globex1 = globex();
    const globex2 = globex();
    const forgedGlobex = globex({}); // tenant globex, but signed with acme's HMAC key under globex-1: not verified
    const forged = sampleRecordV02({ ...forgedGlobex, sig: undefined }, { signer: testSigner('hmac') });

    const got: Array<[string, Pcs, GatewayResponse]> = [];
    const send = async (name: string, rec: Pcs, headers: Record<string, string> = {}) => {
      const r = await submit(rec, headers);
      got.push([name, rec, r]);
      return r;
    };

    const a = await send('accepted', accepted, { traceparent: TRACEPARENT });
    expect(a.status).toBe(200);
    expect(a.json).toMatchObject({ pcs_id: accepted.pcs_id, status: 'accepted', accepted: true, escalated: false, reason: 'ok', duplicate: false });
    expect(a.headers.get('traceparent')).toBe(TRACEPARENT); // no OpenTelemetry SDK: the caller's context travels on unchanged

    const e = await send('escalated', escalated);
    expect(e.status).toBe(202);
    expect(e.json).toMatchObject({ status: 'escalated', escalated: true, reason: 'budget_mismatch' });
    expect(e.headers.get('location')).toBe(`/v1/pcs/${escalated.pcs_id}`);

    const t = await send('tampered', tampered);
    expect(t.status).toBe(401);
    expect(t.json).toMatchObject({ status: 'rejected', reason: 'signature', signature_checked: true });

    const v2 = await send('acme v0.2', acmeOk);
    expect(v2.status).toBe(200);
    expect(v2.json).toMatchObject({ status: 'accepted', tenant_id: 'acme', version: '0.2', key_id: 'acme-1' });

    const st = await send('stale', stale);
    expect(st.status).toBe(400);
    expect(st.json).toMatchObject({ status: 'rejected', reason: 'stale' });

    const dup = await send('duplicate', { ...accepted, attempt: 2 });
    expect(dup.status).toBe(200);
    expect(dup.json).toMatchObject({ pcs_id: accepted.pcs_id, status: 'accepted', duplicate: true, decided_at: a.json.decided_at });

    // The tenant bucket: globex (verified) has one token; a forged globex record is not verified
    // and goes to the shared bucket, so it is not refused by globex's limit — it is decided (401).
    expect((await send('globex 1', globex1)).status).toBe(200);
    const limited = await submit(globex2);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.json.error).toBe('rate_limited');
    const f = await send('forged globex', forged);
    expect(f.status).toBe(401);
    expect(f.json.reason).toMatch(/^signature/);

    // Cheap checks: answered before Kafka.
    const malformed = await submit({ ...signedRecord(), pcs_id: 'f'.repeat(64) });
    expect(malformed.status).toBe(400);
    expect(malformed.json).toMatchObject({ status: 'rejected', reason: 'malformed:pcs_id_mismatch' });
    const notJson = await submit('{"pcs_id": ');
    expect(notJson.status).toBe(400);
    expect(notJson.json.reason).toBe('malformed:json');
    const tooBig = await submit(JSON.stringify({ ...signedRecord(), pad: 'x'.repeat(9000) }));
    expect(tooBig.status).toBe(413);
    const wrongType = await callGateway(gw.url(''), 'POST', '/v1/pcs/submit', { body: JSON.stringify(signedRecord()), headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);

    // Other routes.
    expect((await callGateway(gw.url(''), 'GET', '/v1/pcs/submit')).status).toBe(405);
    expect((await callGateway(gw.url(''), 'GET', `/v1/pcs/${root()}`)).status).toBe(404);
    expect((await callGateway(gw.url(''), 'GET', '/v1/pcs/not-an-id')).status).toBe(400);
    const polled = await callGateway(gw.url(''), 'GET', e.headers.get('location')!);
    expect(polled.status).toBe(200);
    expect(polled.json).toEqual({ ...e.json, duplicate: false });
    const polledV2 = await callGateway(gw.url(''), 'GET', `/v1/pcs/acme/${acmeOk.pcs_id}`);
    expect(polledV2.json).toEqual(v2.json);
    const spec = await fetch(gw.url('/openapi.yaml'));
    expect(spec.status).toBe(200);
    expect(await spec.text()).toContain('openapi: 3.1.0');
    for (const p of ['/health', '/ready', '/metrics']) expect((await callGateway(gw.url(''), 'GET', p)).status).toBe(200);

    // Exactly the records that were answered with a verdict reached pcs.submitted.
    const submitted = await readTopic(fx.kafka, fx.topics.submitted, { count: got.length, settleMs: 1_500 });
    expect(submitted).toHaveLength(got.length);
    expect(submitted.map((m) => m.headers.traceparent).filter((h) => h === TRACEPARENT)).toHaveLength(1);

    // Each HTTP verdict is the record on pcs.verdicts for that submission (same source), byte for byte.
    const verdicts = await fx.readVerdicts({ count: got.length, settleMs: 500 });
    const bySource = new Map(verdicts.map((x) => [`${x.verdict.source!.partition}:${x.verdict.source!.offset}`, x.verdict]));
    for (const [name, , r] of got) {
      const src = r.json.source!;
      expect({ name, verdict: bySource.get(`${src.partition}:${src.offset}`) }).toEqual({ name, verdict: r.json });
    }

    // The same records from a Kafka producer, on a pipeline of their own (nothing decided there yet).
    const kx = await createPipelineFixture({ partitions: 3 });
    try {
      const direct = got.filter(([name]) => name !== 'duplicate').map(([, rec]) => rec);
      await (await kx.startVerifier('gw-kafka-verifier', { PCS_KEYRING_FILE: ring })).waitReady();
      await kx.produceRecords(direct);
      const kv = await kx.readVerdicts({ count: direct.length, settleMs: 500 });
      const byId = new Map(kv.map((x) => [`${x.verdict.tenant_id}/${x.verdict.pcs_id}`, x.verdict]));
      for (const [name, rec, r] of got) {
        if (name === 'duplicate') continue;
        const k = byId.get(`${rec.tenant_id ?? null}/${rec.pcs_id}`);
        expect({ name, verdict: k && comparable(k) }).toEqual({ name, verdict: comparable(r.json as Verdict) });
      }
    } finally {
      await kx.cleanup();
    }
    report(`${got.length} submissions answered with verdicts, equal to pcs.verdicts and to a Kafka producer's; latencies ${got.map(([n, , r]) => `${n} ${Math.round(r.ms)} ms`).join(', ')}`);
  }, 120_000);

  test('bearer tokens: 401 without or with an unknown token, 403 for another tenant, 200 with the tenant\'s token', async () => {
    const tokens = writeTokensFile('tokens.json', [{ tenant_id: 'acme', sha256: createHash('sha256').update('tok-acme').digest('hex') }]);
    const secured = await fx.startGateway('gw-bearer', { PCS_KEYRING_FILE: ring, GATEWAY_AUTH: 'bearer', GATEWAY_TOKENS_FILE: tokens, GATEWAY_GROUP_ID: `${fx.groupId}-bearer` });
    await secured.waitReady();
    const post = (rec: Pcs, auth?: string) => callGateway(secured.url(''), 'POST', '/v1/pcs/submit', { body: rec, headers: auth ? { authorization: auth } : {} });
    const none = await post(acme());
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await post(acme(), 'Bearer tok-wrong')).status).toBe(401);
    expect((await post(globex(), 'Bearer tok-acme')).status).toBe(403);
    const rec = acme();
    const ok = await post(rec, 'Bearer tok-acme');
    expect(ok.status).toBe(200);
    expect(ok.json.tenant_id).toBe('acme');
    const get = (path: string, auth?: string) => callGateway(secured.url(''), 'GET', path, { headers: auth ? { authorization: auth } : {} });
    expect((await get(`/v1/pcs/acme/${rec.pcs_id}`)).status).toBe(401);
    expect((await get(`/v1/pcs/acme/${rec.pcs_id}`, 'Bearer tok-acme')).status).toBe(200);
    expect((await get(`/v1/pcs/globex/${rec.pcs_id}`, 'Bearer tok-acme')).status).toBe(403);
    await secured.stop();
  }, 60_000);

  test('no verdict within GATEWAY_VERDICT_TIMEOUT_MS → 202 + Location; after a gateway restart the poll finds the verdict', async () => {
    for (const v of fx.verifiers.filter((p) => p.name === 'gw-verifier')) await v.stop();
    const rec = signedRecord();
    const r = await submit(rec);
    expect(r.status).toBe(202);
    expect(r.json).toEqual({ status: 'pending', pcs_id: rec.pcs_id, tenant_id: null, location: `/v1/pcs/${rec.pcs_id}` });
    expect(r.headers.get('location')).toBe(`/v1/pcs/${rec.pcs_id}`);
    expect(r.ms).toBeGreaterThanOrEqual(1_900);
    expect(r.ms).toBeLessThan(4_000);
    expect((await callGateway(gw.url(''), 'GET', r.json.location as string)).status).toBe(404);
    const metrics = await (await fetch(gw.url('/metrics'))).text();
    expect(metrics).toMatch(/^flk_gateway_verdict_timeouts_total [1-9]/m);
    // The replica that took the request goes away; another one answers the poll.
    await gw.stop();
    gw = await fx.startGateway('gw-b', { PCS_KEYRING_FILE: ring });
    await (await fx.startVerifier('gw-verifier-2', { PCS_KEYRING_FILE: ring })).waitReady();
    await gw.waitReady();
    const found = await waitFor('the stored verdict', async () => {
      const p = await callGateway(gw.url(''), 'GET', `/v1/pcs/${rec.pcs_id}`);
      return p.status === 200 ? p : undefined;
    }, { timeoutMs: 30_000, intervalMs: 250 });
    expect(found.json).toMatchObject({ pcs_id: rec.pcs_id, status: 'accepted', duplicate: false });
    const all = await fx.readVerdicts({ until: (vs) => vs.some((x) => x.verdict.pcs_id === rec.pcs_id), settleMs: 200 });
    expect(all.find((x) => x.verdict.pcs_id === rec.pcs_id)?.verdict).toEqual(found.json);
  }, 90_000);
});
