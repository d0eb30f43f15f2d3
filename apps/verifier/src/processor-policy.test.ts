// The batch processor under a policy set (docs/policies.md): the stamp on every verdict, per-tenant
// overrides for verified v0.2 tenants only, a set swapped between batches, and the PII gate's modes.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createDecideConfig, type Pcs, type Verdict } from '@flk/pcs';
import { createMemoryDedupStore, fixedClock, sampleRecord, sampleRecordV02, testKeyRing, TEST_KEYS, TEST_RING_ENTRIES, testTenantRing } from '@flk/pcs/testing';
import { createPolicySet, parsePolicy, type PiiMode, type Policy, type PolicyDocument, type PolicySet } from '@flk/policy';
import type { ConsumedRecord, OutputMessage } from '@flk/kafka';
import { createBatchProcessor } from './processor.js';
import { createFakeCodec } from './testing/fake-codec.js';

const defaultText = readFileSync(new URL('../../../policies/default.json', import.meta.url), 'utf8');
const doc = (patch: (d: PolicyDocument) => void): Policy => {
  const d = JSON.parse(defaultText) as PolicyDocument;
  patch(d);
  return parsePolicy(JSON.stringify(d), d.id);
};
const DEFAULT = parsePolicy(defaultText, 'default.json');
// A tenant whose name is phone-shaped: PII in a verified tenant name.
const PHONE_TENANT = '555-123-4567';
const ring = testTenantRing([...TEST_RING_ENTRIES, { key_id: 'p-1', tenant_id: PHONE_TENANT, alg: 'hmac', secret: TEST_KEYS.hmacKey }]);
const config = createDecideConfig({ v01: testKeyRing('hmac'), tenants: ring });

function setup(initial: PolicySet) {
  const codec = createFakeCodec();
  const clock = fixedClock();
  const dedup = createMemoryDedupStore(clock);
  let set = initial;
  const process = createBatchProcessor({
    codec,
    dedup,
    decideConfig: () => config,
    policies: () => set,
    clock,
    dedupTtlSeconds: 1_209_600,
    topics: { verdicts: 'out', dlq: 'dlq' },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  let next = 0;
  const run = (pcs: Pcs[]) =>
    process({ topic: 'in', partition: 0, records: pcs.map((p): ConsumedRecord => ({ topic: 'in', partition: 0, offset: String(next++), key: null, value: codec.encodePcs(p), timestamp: String(clock.now() - 250) })) });
  const verdictOf = (m: OutputMessage) => codec.decodeVerdict(m.value!) as unknown as Verdict;
  return { run, verdictOf, dedup, swap: (s: PolicySet) => (set = s) };
}
const root = (i: number) => (i + 1).toString(16).padStart(64, 'c');

describe('batch processor with a policy set', () => {
  test('every verdict carries the policy id, version and digest; rejected ones the global default', async () => {
    const t = setup(createPolicySet(DEFAULT));
    const { messages, outcomes } = await t.run([sampleRecord({ merkle_root: root(0) }), sampleRecord({ merkle_root: root(1), sig: 'AAAA' })]);
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => [v.status, v.policy_id, v.policy_version, v.policy_digest])).toEqual([
      ['accepted', 'default', '1.0.0', DEFAULT.digest],
      ['rejected', 'default', '1.0.0', DEFAULT.digest],
    ]);
    expect(outcomes.map((o) => [o.policyId, o.policyVersion])).toEqual([['default', '1.0.0'], ['default', '1.0.0']]);
  });

  test("a tenant override decides only that verified tenant's records", async () => {
    const strict = doc((d) => {
      d.id = 'acme-strict';
      d.tenant = 'acme';
      d.params.tolD = 0.01;
    });
    const t = setup(createPolicySet(DEFAULT, [strict]));
    // D̂ reported 0.05 off: within 0.15, outside 0.01. The budget is recomputed from the reported D̂ by sampleRecord, so only D̂ differs.
    const off = (p: Partial<Pcs>) => ({ ...p, D_hat: 0.907365188 });
    const recs = [sampleRecordV02(off({ merkle_root: root(2) })), sampleRecordV02(off({ merkle_root: root(3), tenant_id: 'globex', key_id: 'globex-1' }), { signer: null }), sampleRecord(off({ merkle_root: root(4), tenant_id: 'acme' }))];
    const { messages } = await t.run([recs[0]!, recs[2]!]);
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => [v.version, v.status, v.reasons, v.policy_id])).toEqual([
      ['0.2', 'escalated', ['d_hat_mismatch'], 'acme-strict'],
      // v0.1 names its tenant unsigned: never attributed, so the global default decides.
      ['0.1', 'accepted', [], 'default'],
    ]);
  });

  test('a set swapped between batches: the next batch is decided and stamped by the new set; a duplicate keeps its original stamp', async () => {
    const t = setup(createPolicySet(DEFAULT));
    const a = sampleRecord({ merkle_root: root(5) });
    await t.run([a]);
    const v2 = doc((d) => {
      d.version = '1.1.0';
      d.params.tolD = 0.1;
    });
    t.swap(createPolicySet(v2));
    const { messages } = await t.run([sampleRecord({ merkle_root: root(6) }), a]);
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => [v.duplicate, v.policy_version, v.policy_digest])).toEqual([
      [false, '1.1.0', v2.digest],
      [true, '1.0.0', DEFAULT.digest],
    ]);
  });
});

describe('PII gate', () => {
  const EMAIL = 'alice@example.com';
  const PHONE = '+14155550123';
  const SSN = '123-45-6789';
  const withPii = (i: number): Pcs[] => [
    sampleRecord({ merkle_root: root(10 + i), shard_id: `shard-${EMAIL}` }),
    sampleRecord({ merkle_root: root(20 + i), ft: { outbox_seq: 1, degraded: false, fallbacks: ['cpu', `call ${PHONE}`], clock_skew_ms: 0 } }),
    sampleRecord({ merkle_root: root(30 + i), shard_id: `ssn ${SSN}` }),
    sampleRecordV02({ merkle_root: root(40 + i), tenant_id: PHONE_TENANT, key_id: 'p-1' }),
    sampleRecord({ merkle_root: root(50 + i) }),
  ];
  const gate = (mode: PiiMode) => createPolicySet(doc((d) => (d.pii.mode = mode)));
  const EXPECTED_PATHS = [['shard_id'], ['ft.fallbacks[1]'], ['shard_id'], ['tenant_id'], []];

  test('off: nothing is looked at', async () => {
    const t = setup(gate('off'));
    const { messages, outcomes } = await t.run(withPii(0));
    expect(messages.filter((m) => m.topic === 'out').map((m) => t.verdictOf(m).pii)).toEqual([[], [], [], [], []]);
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
  });

  test('detect: counted and flagged in the verdict, the decision unchanged', async () => {
    const t = setup(gate('detect'));
    const { messages, outcomes } = await t.run(withPii(1));
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => v.pii)).toEqual(EXPECTED_PATHS);
    expect(vs.map((v) => v.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'accepted']);
    expect(outcomes.map((o) => o.pii)).toEqual([1, 1, 1, 1, 0]);
    expect(outcomes[3]!.tenant).toBe(PHONE_TENANT);
  });

  test('block: rejected with reason pii, never claimed for dedup, not sent to the DLQ; the clean record accepted', async () => {
    const t = setup(gate('block'));
    const recs = withPii(2);
    const { messages } = await t.run(recs);
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => [v.status, v.reason])).toEqual([['rejected', 'pii'], ['rejected', 'pii'], ['rejected', 'pii'], ['rejected', 'pii'], ['accepted', 'ok']]);
    expect(messages.filter((m) => m.topic === 'dlq')).toEqual([]);
    expect(t.dedup.size()).toBe(1);
    // A rejected record's key is its offset, never its (PII-carrying) ids.
    expect(messages.filter((m) => m.topic === 'out').map((m) => String(m.key)).slice(0, 4).every((k) => k.startsWith('rejected:in:0:'))).toBe(true);
  });

  test('redact: flagged in the verdict, the tenant label redacted; the signed record unchanged', async () => {
    const t = setup(gate('redact'));
    const recs = withPii(3);
    const before = JSON.stringify(recs);
    const { messages, outcomes } = await t.run(recs);
    const vs = messages.filter((m) => m.topic === 'out').map(t.verdictOf);
    expect(vs.map((v) => v.pii)).toEqual(EXPECTED_PATHS);
    expect(outcomes[3]!.tenant).toBe('[redacted]');
    expect(JSON.stringify(outcomes)).not.toContain(PHONE_TENANT);
    expect(JSON.stringify(recs)).toBe(before);
  });
});
