// Policies on the real stack (docs/policies.md):
//  - `flk replay` under the default policy reports 0 differences; under tolD halved exactly the
//    records whose |D̂ reported − recomputed| lies in (tolD/2, tolD], per tenant (computed here
//    from the records' own scales and counts, not by the verifier's code); it leaves Redis keys,
//    the verdict and DLQ topics and the verifier group's offsets unchanged, while the verifier runs;
//  - a policy reload mid-stream: verdicts before carry the old digest, after it the new one,
//    none lost or duplicated; a guard-rail-breaking document is refused with named paths, the
//    running set stays, the refusal metric is set;
//  - the verdict schema's policy members are a FULL-compatible evolution in the running registry.
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { round9, type Pcs } from '@flk/pcs';
import { sampleRecord, sampleRecordV02 } from '@flk/pcs/testing';
import { TEST_KEYS } from '@flk/pcs/testing';
import type { ReplaySummary } from '@flk/policy';
import { runCli } from '../../apps/cli/src/test-io.js';
import { createPipelineFixture, STACK, type PipelineFixture } from '../support/index.js';
import { waitFor } from '../support/names.js';

let fx: PipelineFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});
const dir = mkdtempSync(join(tmpdir(), 'flk-policy-it-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const report = (line: string) => process.stderr.write(`[policy] ${line}\n`);

const DEFAULT_PATH = new URL('../../policies/default.json', import.meta.url).pathname;
const defaultDoc = () => JSON.parse(readFileSync(DEFAULT_PATH, 'utf8')) as { version: string; params: { tolD: number; budget: { alpha: number }; regime: { stickyDMax: number } } };
function writePolicy(path: string, patch: (d: ReturnType<typeof defaultDoc>) => void): string {
  const d = defaultDoc();
  patch(d);
  writeFileSync(`${path}.tmp`, JSON.stringify(d));
  renameSync(`${path}.tmp`, path);
  return path;
}

// D̂ recomputed independently: Theil–Sen over (log2 s, log2 N_j[s]) as the contract's §3 says.
function theilSen(scales: number[], N_j: Record<string, number>): number {
  const slopes: number[] = [];
  for (let i = 0; i < scales.length; i++) for (let j = i + 1; j < scales.length; j++) slopes.push((Math.log2(N_j[String(scales[j])]!) - Math.log2(N_j[String(scales[i])]!)) / (Math.log2(scales[j]!) - Math.log2(scales[i]!)));
  slopes.sort((a, b) => a - b);
  const m = slopes.length >> 1;
  return slopes.length % 2 ? slopes[m]! : (slopes[m - 1]! + slopes[m]!) / 2;
}

async function snapshot(f: PipelineFixture) {
  const admin = f.kafka.admin();
  await admin.connect();
  try {
    const hw = async (t: string) => (await admin.fetchTopicOffsets(t)).map((o) => `${o.partition}:${o.high}`).sort().join(',');
    const groups = (await admin.listGroups()).groups.map((g) => g.groupId);
    const offsets = (await admin.fetchOffsets({ groupId: f.groupId, topics: [f.topics.submitted] })).flatMap((t) => t.partitions.map((p) => `${p.partition}:${p.offset}`)).sort().join(',');
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = (await f.redis.call('SCAN', [cursor, 'MATCH', `${f.redisKeyPrefix}*`, 'COUNT', 1000])) as [string, string[]];
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    keys.sort();
    const values: string[] = [];
    for (const k of keys) values.push(`${k}=${((await f.redis.callBuffer('GET', [k])) as Buffer).toString('hex')}`);
    return { verdicts: await hw(f.topics.verdicts), dlq: await hw(f.topics.dlq), offsets, redis: values, replayGroups: groups.filter((g) => g.startsWith('flk-replay-')) };
  } finally {
    await admin.disconnect();
  }
}

describe('flk replay', () => {
  test('default policy: 0 differences; tolD halved: exactly the records between the two tolerances, per tenant; read-only while the verifier runs', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const TENANTS = ['acme', 'globex', 'initech'];
    const N = 1500;
    const recs: Pcs[] = [];
    for (let i = 0; i < N; i++) {
      // Deviation of the reported D̂: k/1000 + 0.0003 for k in 0..199, never on a tolerance.
      const dev = ((i * 37) % 200) / 1000 + 0.0003;
      const base = sampleRecord({ merkle_root: randomBytes(32).toString('hex'), tenant_id: TENANTS[i % 3]! });
      recs.push(sampleRecord({ merkle_root: base.merkle_root, tenant_id: base.tenant_id, D_hat: round9(theilSen(base.scales, base.N_j) + dev) }));
    }
    // 30 re-deliveries (duplicates) and 10 records with a broken signature.
    const produced = [...recs, ...recs.slice(0, 30), ...Array.from({ length: 10 }, (_, i) => ({ ...recs[100 + i]!, merkle_root: recs[100 + i]!.merkle_root, sig: recs[101 + i]!.sig }))];
    const verifier = await fx.startVerifier('verifier-policy-replay');
    await verifier.waitReady();
    const tDrain = performance.now();
    await fx.produceRecords(produced);
    await fx.readVerdicts({ count: produced.length, timeoutMs: 120_000 });
    const drainRate = produced.length / ((performance.now() - tDrain) / 1000);

    const env = { KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl, PCS_SUBMITTED_TOPIC: fx.topics.submitted, PCS_VERDICTS_TOPIC: fx.topics.verdicts, PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: TEST_KEYS.hmacKey };
    const before = await snapshot(fx);

    const same = await runCli(['replay', '--policy', DEFAULT_PATH, '--json'], { env });
    expect(same.errors).toEqual([]);
    expect(same.code).toBe(0);
    const s0 = JSON.parse(same.stdout) as ReplaySummary;
    expect([s0.records, s0.compared, s0.differences, s0.identical]).toEqual([produced.length, produced.length, 0, true]);

    // Halved tolD: the expected records, from the records' own numbers (duplicates included: they repeat their original's decision).
    const half = writePolicy(join(dir, 'half.json'), (d) => {
      d.version = '1.1.0-half';
      d.params.tolD = d.params.tolD / 2;
    });
    const tol = defaultDoc().params.tolD;
    const expected: Record<string, string[]> = {};
    for (const r of produced.slice(0, N + 30)) {
      const diff = round9(Math.abs(round9(r.D_hat) - theilSen(r.scales, r.N_j)));
      if (diff > tol / 2 && diff <= tol) (expected[r.tenant_id!] ??= []).push(r.pcs_id);
    }
    const reportDir = join(dir, 'report');
    const tReplay = performance.now();
    const changed = await runCli(['replay', '--policy', half, '--json', '--examples', '100000', '--report', reportDir], { env });
    const replaySeconds = (performance.now() - tReplay) / 1000;
    expect(changed.code).toBe(3);
    const s1 = JSON.parse(changed.stdout) as ReplaySummary;
    const got: Record<string, string[]> = {};
    for (const [tenant, t] of Object.entries(s1.tenants)) {
      for (const tr of t.transitions) {
        if (!tr.changed) continue;
        expect([tr.from, tr.to]).toEqual(['accepted/ok', 'escalated/d_hat_mismatch']);
        got[tenant] = [...(got[tenant] ?? []), ...tr.examples.map((e) => e.pcs_id)];
      }
      expect(t.differences).toBe(expected[tenant]?.length ?? 0);
    }
    for (const t of TENANTS) expect((got[t] ?? []).sort()).toEqual((expected[t] ?? []).sort());
    expect(s1.differences).toBe(Object.values(expected).flat().length);
    expect(s1.differences).toBeGreaterThan(100);
    expect(readFileSync(join(reportDir, 'transitions.svg'), 'utf8')).toMatch(/^<svg[\s\S]*escalated\/d_hat_mismatch[\s\S]*<\/svg>\n$/);
    expect(existsSync(join(reportDir, 'index.html'))).toBe(true);

    // The table form: a line per tenant and the changed transition marked.
    const table = await runCli(['replay', '--policy', half, '--tenant', 'acme'], { env });
    expect(table.code).toBe(3);
    expect(table.lines).toContain(`tenant acme: ${s1.tenants.acme!.records} records, ${expected.acme!.length} differ`);
    expect(table.lines.some((l) => l.startsWith('* accepted/ok') && l.includes('escalated/d_hat_mismatch'))).toBe(true);

    // Ranges: offsets of one partition, and a time range after every record (nothing to replay).
    const part = await runCli(['replay', '--policy', DEFAULT_PATH, '--json', '--partition', '1', '--start-offset', '5', '--end-offset', '25'], { env });
    const sp = JSON.parse(part.stdout) as ReplaySummary;
    expect([part.code, sp.records, sp.partitions]).toEqual([0, 20, { '1': { start: '5', end: '25' } }]);
    const future = await runCli(['replay', '--policy', half, '--json', '--from', new Date(Date.now() + 3_600_000).toISOString()], { env });
    expect([future.code, (JSON.parse(future.stdout) as ReplaySummary).records]).toEqual([0, 0]);
    const past = await runCli(['replay', '--policy', half, '--json', '--to', '2000-01-01T00:00:00Z'], { env });
    expect([past.code, (JSON.parse(past.stdout) as ReplaySummary).records]).toEqual([0, 0]);

    const after = await snapshot(fx);
    expect(after).toEqual(before);
    expect(after.replayGroups).toEqual([]);
    expect(before.redis.length).toBe(N);
    const replayRate = s1.recordsPerSecond;
    report(`replay ${s1.records} records in ${s1.elapsedSeconds.toFixed(2)} s (${Math.round(replayRate)} records/s, ${replaySeconds.toFixed(2)} s with start-up) vs verifier drain ${Math.round(drainRate)} records/s (${produced.length} records produce→verdicts); ratio ${(replayRate / drainRate).toFixed(2)}`);
    expect(replayRate).toBeGreaterThanOrEqual(0.5 * drainRate);
  }, 240_000);
});

describe('policy reload mid-stream', () => {
  test('verdicts before the swap carry the old digest, after it the new one, none lost or duplicated; a guard-rail-breaking set is refused and the old kept', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const pdir = mkdtempSync(join(dir, 'set-'));
    const file = writePolicy(join(pdir, 'default.json'), () => {});
    const verifier = await fx.startVerifier('verifier-policy-reload', { VERIFIER_POLICY_PATH: pdir });
    await verifier.waitReady();
    const show = async () => JSON.parse((await runCli(['policy', 'show', '--json', '--url', `http://127.0.0.1:${verifier.port}`])).stdout) as { digest: string; global: { digest: string; version: string } };
    const d1 = (await show()).global.digest;
    const batch = (n: number) => Array.from({ length: n }, () => sampleRecord({ merkle_root: randomBytes(32).toString('hex') }));
    const a = batch(300);
    await fx.produceRecords(a);
    await fx.readVerdicts({ count: 300, timeoutMs: 60_000 });

    writePolicy(file, (d) => {
      d.version = '1.1.0';
      d.params.tolD = 0.1;
    });
    await waitFor('the new set in force', async () => (await show()).global.version === '1.1.0', { timeoutMs: 15_000, intervalMs: 200 });
    const d2 = (await show()).global.digest;
    expect(d2).not.toBe(d1);
    const text = await runCli(['policy', 'show', '--url', `http://127.0.0.1:${verifier.port}`]);
    expect(text.lines[1]).toContain(`default 1.1.0 ${d2}`);
    const b = batch(300);
    await fx.produceRecords(b);
    await fx.readVerdicts({ count: 600, timeoutMs: 60_000 });

    // A guard-rail-breaking document: refused, named by path; the running set stays.
    writePolicy(file, (d) => {
      d.version = '2.0.0';
      d.params.budget.alpha = 3;
      d.params.regime.stickyDMax = 9;
    });
    await waitFor('the refusal', async () => /flk_verifier_policy_reload_refused 1/.test(await verifier.metrics()), { timeoutMs: 15_000, intervalMs: 200 });
    // The child's stdout may reach us after the metric page: wait for the line itself.
    const refusal = await waitFor('the refusal log line', () => verifier.logLines().find((l) => l.msg === 'policy set reload refused; the previous set stays in force'), { timeoutMs: 10_000, intervalMs: 100 });
    expect(String(refusal?.err)).toContain('default.json#/params/budget/alpha');
    expect(String(refusal?.err)).toContain('default.json#/params/regime/stickyDMax');
    expect((await show()).global.digest).toBe(d2);
    const c = batch(100);
    await fx.produceRecords(c);
    const all = await fx.readVerdicts({ count: 700, timeoutMs: 60_000, settleMs: 1_000 });

    expect(all).toHaveLength(700);
    const byId = new Map(all.map((v) => [v.verdict.pcs_id, v.verdict]));
    expect(byId.size).toBe(700);
    expect(a.map((r) => byId.get(r.pcs_id)?.policy_digest)).toEqual(a.map(() => d1));
    expect([...b, ...c].map((r) => byId.get(r.pcs_id)?.policy_digest)).toEqual([...b, ...c].map(() => d2));
    expect(all.every((v) => v.verdict.policy_id === 'default' && !v.verdict.duplicate)).toBe(true);
    const m = await verifier.metrics();
    expect(m).toMatch(/flk_verifier_policy_loads_total\{result="refused"\} 1/);
    expect(m).toMatch(/flk_verifier_policy_verdicts_total\{policy_id="default",policy_version="1.0.0",status="accepted"\} 300/);
    expect(m).toMatch(/flk_verifier_policy_verdicts_total\{policy_id="default",policy_version="1.1.0",status="accepted"\} 400/);
  }, 180_000);

  test('a bad set at start-up: exit 2 naming the variable and every path', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const bad = writePolicy(join(dir, 'bad.json'), (d) => {
      d.params.tolD = -1;
    });
    const v = await fx.startVerifier('verifier-policy-bad', { VERIFIER_POLICY_PATH: bad });
    expect(await v.exited()).toBe(2);
    expect(v.output()).toContain('VERIFIER_POLICY_PATH: policy set refused: bad.json#/params/tolD must be >= 0');
  }, 60_000);
});

describe('verdict schema evolution for policies (registry)', () => {
  test('the policy members are FULL compatible (BACKWARD and FORWARD) with the verdict schema before them, and old verdicts read with their defaults', async () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/verdict-v1.avsc', import.meta.url), 'utf8')) as { fields: Array<{ name: string }> };
    const added = ['policy_id', 'policy_version', 'policy_digest', 'pii'];
    const before = { ...schema, fields: schema.fields.filter((f) => !added.includes(f.name)) };
    const subject = `flk-it-${randomBytes(4).toString('hex')}-verdicts-value`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${STACK.registryUrl}${path}`, { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    try {
      expect((await call('PUT', `/config/${subject}`, { compatibility: 'FULL' })).status).toBe(200);
      expect((await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(before) })).status).toBe(200);
      expect((await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(schema) })).body).toEqual({ is_compatible: true });
      expect((await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(schema) })).status).toBe(200);
      // A required member (no default) would not be: the registry's check can fail.
      const required = { ...schema, fields: [...schema.fields, { name: 'policy_required', type: 'string' }] };
      expect((await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(required) })).body).toEqual({ is_compatible: false });
      const avsc = await import('avsc');
      const oldType = avsc.Type.forSchema(before as never);
      const newType = avsc.Type.forSchema(schema as never);
      const old = { pcs_id: 'x', status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1, recomputed_budget: 0.5, reason: 'ok', reasons: [], duplicate: false, decided_at: 'd', source: null, tenant_id: null, sent_at: null, version: '0.1', key_id: null, signature_checked: true };
      expect(newType.fromBuffer(oldType.toBuffer(old), newType.createResolver(oldType))).toMatchObject({ ...old, policy_id: null, policy_version: null, policy_digest: null, pii: [] });
      // FORWARD: an old reader reads a new verdict.
      const stamped = { ...old, policy_id: 'default', policy_version: '1.0.0', policy_digest: `sha256:${'0'.repeat(64)}`, pii: ['shard_id'] };
      expect(oldType.fromBuffer(newType.toBuffer(stamped), oldType.createResolver(newType))).toMatchObject(old);
    } finally {
      await call('DELETE', `/subjects/${subject}`);
      await call('DELETE', `/subjects/${subject}?permanent=true`);
    }
  }, 30_000);
});

describe('PII gate on the real verifier', () => {
  test('redact: the verdicts flag every finding; no email, phone or SSN-like string in any log line or on /metrics', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const PHONE_TENANT = '555-123-4567';
    const EMAIL = 'alice@example.com';
    const PHONE = '+14155550123';
    const SSN = '123-45-6789';
    const ring = join(dir, 'pii-ring.json');
    writeFileSync(ring, JSON.stringify({ keys: [{ key_id: 'p-1', tenant_id: PHONE_TENANT, alg: 'hmac', secret_env: 'P1_KEY' }, { key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret_env: 'P1_KEY' }] }));
    const policy = writePolicy(join(dir, 'redact.json'), (d) => ((d as unknown as { pii: { mode: string } }).pii.mode = 'redact'));
    const verifier = await fx.startVerifier('verifier-pii', { VERIFIER_POLICY_PATH: policy, PCS_KEYRING_FILE: ring, P1_KEY: TEST_KEYS.hmacKey, LOG_LEVEL: 'debug' });
    await verifier.waitReady();
    const now = () => new Date().toISOString();
    const recs = [
      sampleRecordV02({ merkle_root: randomBytes(32).toString('hex'), tenant_id: PHONE_TENANT, key_id: 'p-1', sent_at: now() }),
      sampleRecordV02({ merkle_root: randomBytes(32).toString('hex'), shard_id: `shard-${EMAIL}`, sent_at: now() }),
      sampleRecordV02({ merkle_root: randomBytes(32).toString('hex'), ft: { outbox_seq: 1, degraded: false, fallbacks: ['cpu', `call ${PHONE}`], clock_skew_ms: 0 }, sent_at: now() }),
      sampleRecordV02({ merkle_root: randomBytes(32).toString('hex'), shard_id: `ssn ${SSN}`, sent_at: now() }),
    ];
    // A duplicate and a forged copy too, so the debug 'verdict' lines are exercised.
    await fx.produceRecords([...recs, recs[0]!, { ...recs[1]!, sig: recs[2]!.sig }]);
    const verdicts = await fx.readVerdicts({ count: 6, timeoutMs: 60_000 });
    const byOffset = verdicts.sort((a, b) => Number(a.verdict.source!.offset) - Number(b.verdict.source!.offset)).map((v) => v.verdict);
    expect(byOffset.map((v) => [v.status, v.pii])).toEqual([
      ['accepted', ['tenant_id']],
      ['accepted', ['shard_id']],
      ['accepted', ['ft.fallbacks[1]']],
      ['accepted', ['shard_id']],
      ['accepted', ['tenant_id']],
      ['rejected', []],
    ]);
    const metrics = await verifier.metrics();
    expect(metrics).toContain('flk_verifier_tenant_verdicts_total{tenant="[redacted]",outcome="accepted"} 1');
    expect(metrics).toMatch(/flk_verifier_pii_findings_total 5/);
    await verifier.stop(10_000);
    const haystack = `${verifier.output()}\n${metrics}`;
    expect(verifier.output()).toContain('"msg":"verdict"');
    for (const needle of [PHONE_TENANT, EMAIL, PHONE, SSN]) expect([needle, haystack.includes(needle)]).toEqual([needle, false]);
  }, 90_000);
});
