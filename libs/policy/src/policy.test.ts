import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createDecisionParams, createKeyRing, decide, type DecideMeta, type DecisionParamsInput, type SignAlg, type Verdict } from '@flk/pcs';
import { testDecideConfig } from '@flk/pcs/testing';
import { checkPolicy, checkPolicyText, diffPolicies, parsePolicy, parsePolicySet, policyFromParams, FlkPolicyError, POLICY_ERROR_CODES, type PolicyDocument } from './index.js';

const root = new URL('../../../', import.meta.url);
const defaultText = readFileSync(new URL('policies/default.json', root), 'utf8');
const defaultDoc = JSON.parse(defaultText) as PolicyDocument;
const clone = (): PolicyDocument => JSON.parse(defaultText) as PolicyDocument;

describe('policy documents: schema and guard-rails', () => {
  test('policies/default.json is valid, with a sha256 content digest', () => {
    const r = checkPolicyText(defaultText);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.policy.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  test('the digest ignores key order and whitespace, and changes with any value', () => {
    const a = parsePolicy(defaultText, 'a');
    const reordered = JSON.stringify({ pii: defaultDoc.pii, params: defaultDoc.params, version: defaultDoc.version, id: defaultDoc.id, description: defaultDoc.description });
    expect(parsePolicy(reordered, 'b').digest).toBe(a.digest);
    const changed = clone();
    changed.params.budget.D0 = 2.3;
    expect(parsePolicy(JSON.stringify(changed), 'c').digest).not.toBe(a.digest);
  });

  test('a bad document is refused with every violation named by path', () => {
    const bad = clone() as unknown as { version: string; extra?: boolean; params: Record<string, number> & { budget: Record<string, number>; regime: Record<string, number | undefined> }; pii: { mode: string } };
    bad.version = '1.0';
    bad.params.budget.alpha = 1.5; // weight > 1
    bad.params.budget.gamma = -0.1; // weight < 0
    bad.params.tolCoh = 0.5; // coh★ bound 1.5 > 1 + ε
    bad.params.tolD = -0.01; // negative tolerance
    bad.params.tolBudget = 0.9; // budget check no longer bounded
    bad.pii.mode = 'maybe';
    bad.extra = true;
    delete bad.params.regime.nonStickyDMin;
    const r = checkPolicy(bad);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.violations.map((v) => v.path).sort();
    expect(paths).toEqual(
      ['/extra', '/params/budget/alpha', '/params/budget/gamma', '/params/regime/nonStickyDMin', '/params/tolBudget', '/params/tolCoh', '/params/tolD', '/pii/mode', '/version'].sort(),
    );
  });

  test('unordered regime thresholds are a guard-rail violation naming both thresholds', () => {
    const bad = clone();
    bad.params.regime.stickyDMax = 2.7;
    const r = checkPolicy(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.violations).toHaveLength(1);
      expect(r.violations[0]!.path).toBe('/params/regime/stickyDMax');
      expect(r.violations[0]!.message).toContain('/params/regime/nonStickyDMin');
    }
  });

  test('parsePolicy throws a typed, final error listing the paths; unparsable JSON is one violation at /', () => {
    try {
      parsePolicy('{"id": 1', 'x.json');
      throw new Error('not thrown');
    } catch (err) {
      expect(err).toBeInstanceOf(FlkPolicyError);
      expect(err).toMatchObject({ code: POLICY_ERROR_CODES.INVALID_POLICY, retriable: false });
      expect((err as FlkPolicyError).violations[0]!.path).toBe('/');
    }
  });
});

describe('policy diff', () => {
  test('lists each changed parameter and flags widened tolerances and a weaker PII gate', () => {
    const b = clone();
    b.version = '1.1.0';
    b.params.tolD = 0.075;
    b.params.tolBudget = 0.1;
    b.pii.mode = 'detect';
    const a = { ...clone(), pii: { mode: 'block' as const } };
    expect(diffPolicies(a, b)).toEqual([
      { path: '/params/tolBudget', from: 0.05, to: 0.1, widens: true },
      { path: '/params/tolD', from: 0.15, to: 0.075, widens: false },
      { path: '/pii/mode', from: 'block', to: 'detect', widens: true },
      { path: '/version', from: '1.0.0', to: '1.1.0', widens: false },
    ]);
    expect(diffPolicies(a, a)).toEqual([]);
  });
});

describe('policy sets', () => {
  const tenantDoc = (tenant: string, id = `t-${tenant}`) => JSON.stringify({ ...clone(), id, tenant, params: { ...clone().params, tolD: 0.3 } });

  test('one global default plus per-tenant overrides; unknown tenants and null get the default', () => {
    const set = parsePolicySet([{ name: 'default.json', text: defaultText }, { name: 'acme.json', text: tenantDoc('acme') }]);
    expect(set.policyFor(null).document.id).toBe('default');
    expect(set.policyFor('other').document.id).toBe('default');
    expect(set.policyFor('acme').params.tolD).toBe(0.3);
    expect(set.digest).toMatch(/^sha256:/);
  });

  test('refused: no global, two globals, two overrides for one tenant, any bad member (named NAME#/path)', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return (err as FlkPolicyError).code;
      }
      return 'accepted';
    };
    expect(code(() => parsePolicySet([{ name: 'a', text: tenantDoc('acme') }]))).toBe(POLICY_ERROR_CODES.INVALID_POLICY_SET);
    expect(code(() => parsePolicySet([{ name: 'a', text: defaultText }, { name: 'b', text: defaultText }]))).toBe(POLICY_ERROR_CODES.INVALID_POLICY_SET);
    expect(code(() => parsePolicySet([{ name: 'a', text: defaultText }, { name: 'b', text: tenantDoc('acme', 'x') }, { name: 'c', text: tenantDoc('acme', 'y') }]))).toBe(POLICY_ERROR_CODES.INVALID_POLICY_SET);
    expect(() => parsePolicySet([{ name: 'a.json', text: defaultText }, { name: 'bad.json', text: '{"id":"x"}' }])).toThrow(/bad\.json#\/version is required/);
  });
});

// The default policy must reproduce the verdicts of a verifier configured by its environment
// defaults (createDecisionParams of the same inputs), over every golden verdict vector.
describe('policies/default.json reproduces the env-configured verdicts over test/vectors/verdicts.json', () => {
  interface VerdictCase { name: string; keyring: SignAlg; params: DecisionParamsInput | null; prior: Verdict | null; meta: DecideMeta; input?: unknown; input_json?: string; expected: Verdict }
  const v = JSON.parse(readFileSync(new URL('test/vectors/verdicts.json', root), 'utf8')) as { keys: { hmac_key: string; hmac_key_2: string; ed25519_pub_b64: string; ed25519_pub_2_b64: string }; cases: VerdictCase[] };
  const rings = {
    none: createKeyRing({ alg: 'none' }),
    hmac: createKeyRing({ alg: 'hmac', hmacKeys: [v.keys.hmac_key, v.keys.hmac_key_2] }),
    ed25519: createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [v.keys.ed25519_pub_b64, v.keys.ed25519_pub_2_b64] }),
  };
  const policy = parsePolicy(defaultText, 'default.json');
  const defaults = v.cases.filter((c) => c.params === null);

  test('the vectors include default-parameter cases of every status', () => {
    expect(new Set(defaults.map((c) => c.expected.status))).toEqual(new Set(['accepted', 'escalated', 'rejected']));
  });

  test.each(defaults.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const input = c.input_json ?? c.input;
    const fromEnv = decide(input, testDecideConfig(rings[c.keyring], createDecisionParams({})), c.prior, c.meta);
    const fromPolicy = decide(input, testDecideConfig(rings[c.keyring], policy.params), c.prior, c.meta);
    expect(fromPolicy).toEqual(fromEnv);
    expect(fromPolicy).toEqual(c.expected);
  });

  test('a policy built from the env defaults has the same parameters as default.json', () => {
    const env = policyFromParams(createDecisionParams({}), { id: 'default', version: '1.0.0', description: defaultDoc.description! });
    expect(env.document.params).toEqual(defaultDoc.params);
  });
});
