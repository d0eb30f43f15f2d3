// Contract v0.2 (§7) on the real stack: Kafka (LogAppendTime input topic), Redis, the schema
// registry and the verifier as a child process. Each test has its own topics, group, key prefix and
// key ring file.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from '@jest/globals';
import { createEd25519Signer, createHmacSigner, type KeyRingEntry, type Pcs } from '@flk/pcs';
import { sampleRecord, sampleRecordV02, TEST_KEYS, testSigner } from '@flk/pcs/testing';
import {
  countDedupKeys,
  createPipelineFixture,
  duplicateRecords,
  freePort,
  startNodeApp,
  STACK,
  storedVerdict,
  waitFor,
  type DecodedVerdict,
  type PipelineFixture,
} from '../support/index.js';

let fx: PipelineFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

const dir = mkdtempSync(join(tmpdir(), 'flk-v02-'));
/** Writes a ring file atomically (write + rename, as a Kubernetes Secret update does). */
function writeRing(name: string, keys: KeyRingEntry[]): string {
  const path = join(dir, name);
  writeFileSync(`${path}.tmp`, JSON.stringify({ keys }));
  renameSync(`${path}.tmp`, path);
  return path;
}
const ACME_1: KeyRingEntry = { key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret_env: 'ACME_1_KEY' };
const GLOBEX_1: KeyRingEntry = { key_id: 'globex-1', tenant_id: 'globex', alg: 'ed25519', public_key_b64: TEST_KEYS.ed25519PubB64 };
const RING_ENV = { ACME_1_KEY: TEST_KEYS.hmacKey };
const now = () => new Date().toISOString();
const root = () => randomBytes(32).toString('hex');
/** A fresh v0.2 record of acme (key acme-1), sent now. */
const acme = (o: Partial<Pcs> = {}, signer = testSigner('hmac')) => sampleRecordV02({ merkle_root: root(), sent_at: now(), ...o }, { signer });
/** Verdicts in the order of their input records (source partition, offset). */
const byOffset = (vs: DecodedVerdict[]) => [...vs].sort((a, b) => a.verdict.source!.partition - b.verdict.source!.partition || Number(a.verdict.source!.offset) - Number(b.verdict.source!.offset));

describe('contract v0.2 on the real stack', () => {
  test('the race is closed: every one-field copy published before the genuine record is rejected (signature) and claims nothing', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const genuine = acme();
    const changes: Array<[string, Partial<Pcs>]> = [
      ['N_j', { N_j: { ...genuine.N_j, '32': 30 } }],
      ['scales', { scales: [2, 4, 8, 16, 33], N_j: { '2': 3, '4': 5, '8': 9, '16': 17, '33': 31 } }],
      ['regime', { regime: 'non_sticky' }],
      ['ft.degraded', { ft: { ...genuine.ft, degraded: true } }],
      ['sent_at', { sent_at: now() }],
      ['attempt', { attempt: 2 }],
      ['v_star', { v_star: [0.5, 0.5, 0.5] }],
      ['tenant_id', { tenant_id: 'globex' }],
    ];
    const copies = changes.map(([, c]) => ({ ...genuine, ...c }));
    await fx.produceRecords([...copies, genuine]);
    const ring = writeRing('race.json', [ACME_1, GLOBEX_1]);
    await (await fx.startVerifier('v02-race', { PCS_KEYRING_FILE: ring, ...RING_ENV })).waitReady();
    const verdicts = byOffset(await fx.readVerdicts({ count: copies.length + 1, timeoutMs: 60_000 }));
    // A changed tenant_id no longer matches the key's tenant (§7.3); every other change breaks the signature.
    expect(verdicts.map((v) => [v.verdict.status, v.verdict.reason])).toEqual([
      ...changes.map(([field]) => ['rejected', field === 'tenant_id' ? 'signature:tenant_mismatch' : 'signature']),
      ['accepted', 'ok'],
    ]);
    expect(verdicts.at(-1)!.key).toBe(`acme/${genuine.pcs_id}`);
    expect(verdicts.at(-1)!.verdict.duplicate).toBe(false);
    // Only the genuine record claimed a key, and under its tenant.
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(1);
    expect(await storedVerdict(fx.redis, fx.redisKeyPrefix, `acme/${genuine.pcs_id}`)).not.toBeNull();
  }, 120_000);

  test('v0.1 (documented old behaviour): an unsigned field changed in a copy published first wins the pcs_id', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const genuine = sampleRecord({ merkle_root: root() });
    const forged = { ...genuine, ft: { ...genuine.ft, degraded: true } }; // ft is not signed in v0.1
    await fx.produceRecords([forged, genuine]);
    await (await fx.startVerifier('v01-race')).waitReady();
    const verdicts = byOffset(await fx.readVerdicts({ count: 2, timeoutMs: 60_000 }));
    expect(verdicts.map((v) => [v.verdict.status, v.verdict.reason, v.verdict.duplicate])).toEqual([['escalated', 'degraded', false], ['escalated', 'degraded', true]]);
  }, 120_000);

  test('replay closed: re-published after its dedup key expired → stale; a future sent_at → clock_skew', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const ring = writeRing('replay.json', [ACME_1]);
    await (await fx.startVerifier('v02-replay', { PCS_KEYRING_FILE: ring, ...RING_ENV, DEDUP_TTL_SECONDS: '3', PCS_MAX_AGE_SECONDS: '2', PCS_MAX_SKEW_SECONDS: '5' })).waitReady();
    const rec = acme();
    await fx.produceRecords([rec]);
    await fx.readVerdicts({ count: 1, timeoutMs: 30_000 });
    await waitFor('dedup key expired', async () => (await countDedupKeys(fx!.redis, fx!.redisKeyPrefix)) === 0, { timeoutMs: 10_000, intervalMs: 250 });
    const future = acme({ sent_at: new Date(Date.now() + 60_000).toISOString() });
    await fx.produceRecords([rec, future]);
    const verdicts = byOffset(await fx.readVerdicts({ count: 3, timeoutMs: 30_000 }));
    expect(verdicts.map((v) => [v.verdict.status, v.verdict.reason])).toEqual([['accepted', 'ok'], ['rejected', 'stale'], ['rejected', 'clock_skew']]);
    expect(await countDedupKeys(fx.redis, fx.redisKeyPrefix)).toBe(0);
  }, 120_000);

  test('tenants isolated: tenant_mismatch, unknown_key, key_window, one pcs_id in two tenants, rotation with overlapping windows', async () => {
    fx = await createPipelineFixture({ partitions: 2 });
    const t = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    // acme rotates: acme-old retires at t, acme-new starts at t − 1 h (overlap).
    const ring = writeRing('tenants.json', [
      { key_id: 'acme-old', tenant_id: 'acme', alg: 'hmac', secret: 'acme-old-secret', not_after: iso(t) },
      { key_id: 'acme-new', tenant_id: 'acme', alg: 'hmac', secret: 'acme-new-secret', not_before: iso(t - 3_600_000) },
      GLOBEX_1,
    ]);
    await (await fx.startVerifier('v02-tenants', { PCS_KEYRING_FILE: ring })).waitReady();
    const oldKey = createHmacSigner('acme-old-secret');
    const newKey = createHmacSigner('acme-new-secret');
    const ed = createEd25519Signer(TEST_KEYS.ed25519PrivB64);
    const shared = root();
    const cases: Array<[string, Pcs, string]> = [
      ['old key inside its window', acme({ key_id: 'acme-old', sent_at: iso(t - 60_000) }, oldKey), 'ok'],
      ['new key in the overlap', acme({ key_id: 'acme-new', sent_at: iso(t - 60_000) }, newKey), 'ok'],
      ['old key after retirement', acme({ key_id: 'acme-old', sent_at: iso(t + 1) }, oldKey), 'signature:key_window'],
      ['new key after the switch', acme({ key_id: 'acme-new', sent_at: iso(t + 1) }, newKey), 'ok'],
      ["globex's key on an acme record", acme({ key_id: 'globex-1' }, ed), 'signature:tenant_mismatch'],
      ['unknown key_id', acme({ key_id: 'acme-9' }), 'signature:unknown_key'],
      ['no key_id', acme({ key_id: undefined }), 'signature:unknown_key'],
      ['shared pcs_id, acme', acme({ key_id: 'acme-new', merkle_root: shared }, newKey), 'ok'],
      ['shared pcs_id, globex', sampleRecordV02({ merkle_root: shared, sent_at: now(), tenant_id: 'globex', key_id: 'globex-1' }, { signer: ed }), 'ok'],
    ];
    await fx.produceRecords(cases.map(([, r]) => r));
    const verdicts = await fx.readVerdicts({ count: cases.length, timeoutMs: 60_000 });
    expect(verdicts).toHaveLength(cases.length);
    const bySource = new Map(verdicts.map((v) => [v.verdict.sent_at + v.verdict.pcs_id + v.verdict.tenant_id + v.verdict.key_id, v.verdict]));
    for (const [name, rec, reason] of cases) {
      const v = bySource.get(rec.sent_at + rec.pcs_id + rec.tenant_id + (rec.key_id ?? null));
      expect([name, v?.reason, v?.duplicate]).toEqual([name, reason, false]);
    }
    const sharedKeys = verdicts.filter((v) => v.verdict.pcs_id === cases[7]![1].pcs_id).map((v) => v.key).sort();
    expect(sharedKeys).toEqual([`acme/${cases[7]![1].pcs_id}`, `globex/${cases[7]![1].pcs_id}`]);
  }, 120_000);

  test('ring reload under load: verdicts change only for records verified after the swap; a bad ring is refused and the old one kept', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const ring = writeRing('reload.json', [ACME_1]);
    const v = await fx.startVerifier('v02-reload', { PCS_KEYRING_FILE: ring, ...RING_ENV, ACME_2_KEY: TEST_KEYS.hmacKey2 });
    await v.waitReady();
    const signer2 = createHmacSigner(TEST_KEYS.hmacKey2);
    const batch = (n: number) => Array.from({ length: n }, () => acme({ key_id: 'acme-2' }, signer2));
    const before = batch(300);
    await fx.produceRecords(before);
    await fx.readVerdicts({ count: 300, timeoutMs: 60_000 });
    writeRing('reload.json', [ACME_1, { key_id: 'acme-2', tenant_id: 'acme', alg: 'hmac', secret_env: 'ACME_2_KEY' }]);
    await waitFor('ring reloaded', async () => /flk_verifier_keyring_loads_total\{result="ok"\} 2/.test(await v.metrics()), { timeoutMs: 15_000, intervalMs: 200 });
    const after = batch(300);
    await fx.produceRecords(after);
    // A bad ring (a key without a secret) is refused; the ring in force stays.
    writeFileSync(ring, JSON.stringify({ keys: [{ key_id: 'acme-2', tenant_id: 'acme', alg: 'hmac' }] }));
    await waitFor('bad ring refused', async () => /flk_verifier_keyring_loads_total\{result="refused"\} 1/.test(await v.metrics()), { timeoutMs: 15_000, intervalMs: 200 });
    const later = batch(100);
    await fx.produceRecords(later);
    const verdicts = await fx.readVerdicts({ count: 700, timeoutMs: 60_000, settleMs: 1500 });
    expect(verdicts).toHaveLength(700);
    expect(duplicateRecords(verdicts)).toBe(0);
    const reason = new Map(verdicts.map((x) => [x.verdict.sent_at + x.verdict.pcs_id, x.verdict.reason]));
    expect(new Set(before.map((r) => reason.get(r.sent_at + r.pcs_id)))).toEqual(new Set(['signature:unknown_key']));
    expect(new Set([...after, ...later].map((r) => reason.get(r.sent_at + r.pcs_id)))).toEqual(new Set(['ok']));
    expect(v.output()).toContain('key ring reload refused; the previous ring stays in force');
    // SIGHUP re-reads the file now (still the bad one: refused again, the ring in force kept).
    v.child.kill('SIGHUP');
    await waitFor('SIGHUP reload', async () => /flk_verifier_keyring_loads_total\{result="refused"\} 2/.test(await v.metrics()), { timeoutMs: 10_000, intervalMs: 200 });
    expect(v.logLines().some((l) => l.msg === 'key ring reload refused; the previous ring stays in force' && l.why === 'SIGHUP')).toBe(true);
    expect(v.output()).not.toContain(TEST_KEYS.hmacKey2);
  }, 180_000);

  // (A v0.2 record with an extra member cannot travel in the Avro schema; its `malformed:` reason is
  // covered where JSON arrives: the core's and the CLI's tests.)
  test('v0.1 and v0.2 mixed in one partition each get the right verdict', async () => {
    fx = await createPipelineFixture({ partitions: 1 });
    const ring = writeRing('mixed.json', [ACME_1]);
    await (await fx.startVerifier('v02-mixed', { PCS_KEYRING_FILE: ring, ...RING_ENV })).waitReady();
    const v01 = sampleRecord({ merkle_root: root() });
    const v02 = acme();
    const v01b = sampleRecord({ merkle_root: root() });
    await fx.produceRecords([v01, v02, v01b]);
    const verdicts = byOffset(await fx.readVerdicts({ count: 3, timeoutMs: 60_000 }));
    expect(verdicts.map((v) => [v.key, v.verdict.version, v.verdict.status, v.verdict.tenant_id])).toEqual([
      [v01.pcs_id, '0.1', 'accepted', null],
      [`acme/${v02.pcs_id}`, '0.2', 'accepted', 'acme'],
      [v01b.pcs_id, '0.1', 'accepted', null],
    ]);
    // The tenant label comes from the verified v0.2 record only.
    const metrics = await fx.verifiers[0]!.metrics();
    expect(metrics).toMatch(/flk_verifier_tenant_verdicts_total\{tenant="acme",outcome="accepted"\} 1/);
    expect(metrics).toMatch(/flk_verifier_tenant_verdicts_total\{tenant="-",outcome="accepted"\} 2/);
  }, 120_000);

  test('a verifier started with no signing configuration exits non-zero naming what is missing', async () => {
    const port = await freePort();
    const app = await startNodeApp('v02-nokeys', 'apps/verifier/src/main.ts', port, {
      KAFKA_BROKERS: STACK.brokers.join(','), REDIS_URL: STACK.redisUrl, SCHEMA_REGISTRY_URL: STACK.registryUrl, HTTP_PORT: String(port),
    });
    expect(await app.exited()).toBe(2);
    expect(app.output()).toContain('no signing configuration: set PCS_KEYRING_FILE');
    const bad = await startNodeApp('v02-badring', 'apps/verifier/src/main.ts', port, {
      KAFKA_BROKERS: STACK.brokers.join(','), PCS_KEYRING_FILE: writeRing('missing-secret.json', [{ key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret_file: join(dir, 'nope') }]),
    });
    expect(await bad.exited()).toBe(2);
    expect(bad.output()).toMatch(/PCS_KEYRING_FILE: keys\[0\] \(key_id a-1\): secret_file: cannot read .*nope \(ENOENT\)/);
  }, 60_000);
});

describe('verdict schema evolution (registry, BACKWARD)', () => {
  test('verdict-v1 with the v0.2 members is BACKWARD compatible with the schema before them, and reads old verdicts', async () => {
    const schema = JSON.parse(readFileSync(new URL('../../schemas/verdict-v1.avsc', import.meta.url), 'utf8')) as { fields: Array<{ name: string }> };
    const added = ['version', 'key_id', 'signature_checked'];
    const before = { ...schema, fields: schema.fields.filter((f) => !added.includes(f.name)) };
    const subject = `flk-it-${randomBytes(4).toString('hex')}-verdicts-value`;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${STACK.registryUrl}${path}`, { method, headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    expect((await call('PUT', `/config/${subject}`, { compatibility: 'BACKWARD' })).status).toBe(200);
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(before) })).status).toBe(200);
    expect((await call('POST', `/compatibility/subjects/${subject}/versions/latest`, { schema: JSON.stringify(schema) })).body).toEqual({ is_compatible: true });
    expect((await call('POST', `/subjects/${subject}/versions`, { schema: JSON.stringify(schema) })).status).toBe(200);
    // Old data, new reader: the added members take their defaults.
    const avsc = await import('avsc');
    const oldType = avsc.Type.forSchema(before as never);
    const newType = avsc.Type.forSchema(schema as never);
    const old = { pcs_id: 'x', status: 'accepted', accepted: true, escalated: false, recomputed_D_hat: 1, recomputed_budget: 0.5, reason: 'ok', reasons: [], duplicate: false, decided_at: 'd', source: null, tenant_id: null, sent_at: null };
    const read = newType.fromBuffer(oldType.toBuffer(old), newType.createResolver(oldType)) as Record<string, unknown>;
    expect(read).toMatchObject({ ...old, version: null, key_id: null, signature_checked: false });
    await call('DELETE', `/subjects/${subject}`);
    await call('DELETE', `/subjects/${subject}?permanent=true`);
  }, 30_000);
});
