// The golden vectors of test/vectors (written independently in Python) through the CLI:
// canonical.json -> `flk pcs canonical`, `flk pcs id` and `flk pcs sign` (both algorithms);
// verdicts.json -> `flk pcs verify` for every case the CLI can express (no prior verdict,
// default budget weights; the CLI's verdicts carry source null and its own decided_at).
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { FIXED_NOW, runCli } from './test-io.js';

const vectors = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../test/vectors/${name}`, import.meta.url), 'utf8'));

interface Keys {
  hmac_key: string;
  hmac_key_2: string;
  ed25519_priv_b64: string;
  ed25519_pub_b64: string;
  ed25519_pub_2_b64: string;
}
interface CanonicalCase {
  name: string;
  fields: Record<string, unknown>;
  field_bits: Record<string, string>;
  payload: string;
  pcs_id: string;
  hmac_sig: string;
  ed25519_sig: string;
}
interface VerdictCase {
  name: string;
  keyring: 'none' | 'hmac' | 'ed25519';
  params: Record<string, unknown> | null;
  prior: unknown;
  input?: unknown;
  input_json?: string;
  expected: Record<string, unknown>;
}

const canonical = vectors('canonical.json') as { keys: Keys; cases: CanonicalCase[] };
const verdicts = vectors('verdicts.json') as { keys: Keys; cases: VerdictCase[] };

/** JSON text of a flat object, keeping -0 as `-0.0` (JSON.stringify would print 0). */
function flatJson(obj: Record<string, unknown>): string {
  return `{${Object.entries(obj).map(([k, v]) => `${JSON.stringify(k)}:${Object.is(v, -0) ? '-0.0' : JSON.stringify(v)}`).join(',')}}`;
}

function bitsOf(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  return view.getBigUint64(0).toString(16).padStart(16, '0');
}

describe('test/vectors/canonical.json', () => {
  const files = Object.fromEntries(canonical.cases.map((c, i) => [`case-${i}.json`, flatJson(c.fields)]));
  const names = Object.keys(files);

  test('the inputs are the exact doubles of field_bits', () => {
    for (const c of canonical.cases) {
      const reread = JSON.parse(flatJson(c.fields)) as Record<string, number>;
      for (const [field, bits] of Object.entries(c.field_bits)) expect([c.name, field, bitsOf(reread[field] as number)]).toEqual([c.name, field, bits]);
    }
  });

  test('flk pcs canonical prints each payload', async () => {
    const res = await runCli(['pcs', 'canonical', ...names], { files });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toEqual(canonical.cases.map((c) => c.payload));
  });

  test('flk pcs id prints each pcs_id', async () => {
    const res = await runCli(['pcs', 'id', ...names], { files });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toEqual(canonical.cases.map((c) => c.pcs_id));
  });

  // sign needs a whole valid record: the signed fields of each case on top of the sample record.
  const sample = verdicts.cases.find((c) => c.expected.status === 'accepted' && c.keyring === 'hmac' && typeof c.input === 'object')?.input as Record<string, unknown>;
  test.each([
    ['hmac', { PCS_HMAC_KEY: `${canonical.keys.hmac_key},${canonical.keys.hmac_key_2}` }, 'hmac_sig'],
    ['ed25519', { PCS_ED25519_PRIV_B64: canonical.keys.ed25519_priv_b64 }, 'ed25519_sig'],
  ] as const)('flk pcs sign --alg %s gives each expected sig', async (alg, env, sigField) => {
    const records = Object.fromEntries(canonical.cases.map((c, i) => [`rec-${i}.json`, JSON.stringify({ ...sample, ...c.fields, sig: null })]));
    const res = await runCli(['pcs', 'sign', '--alg', alg, ...Object.keys(records)], { files: records, env });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines.map((l) => (JSON.parse(l) as { sig: string }).sig)).toEqual(canonical.cases.map((c) => c[sigField]));
  });
});

describe('test/vectors/verdicts.json', () => {
  const TOL_FLAGS: Record<string, string> = { tolD: '--tol-d', tolCoh: '--tol-coh', tolR: '--tol-r', tolBudget: '--tol-budget' };
  const expressible = verdicts.cases.filter(
    (c) => c.prior === null && (c.params === null || Object.keys(c.params).every((k) => k in TOL_FLAGS)),
  );
  const env = {
    none: { PCS_SIGN_ALG: 'none' },
    hmac: { PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: `${verdicts.keys.hmac_key},${verdicts.keys.hmac_key_2}` },
    ed25519: { PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PUB_B64: `${verdicts.keys.ed25519_pub_b64},${verdicts.keys.ed25519_pub_2_b64}` },
  };

  test('most cases are expressible on the command line', () => {
    expect(expressible.length).toBeGreaterThanOrEqual(verdicts.cases.length - 10);
  });

  test.each(expressible.map((c) => [c.name, c] as const))('flk pcs verify: %s', async (_name, c) => {
    const text = c.input_json ?? JSON.stringify(c.input);
    const flags = Object.entries(c.params ?? {}).flatMap(([k, v]) => [TOL_FLAGS[k] as string, String(v)]);
    const res = await runCli(['pcs', 'verify', ...flags, 'rec.json'], { files: { 'rec.json': text }, env: env[c.keyring] });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toHaveLength(1);
    expect(JSON.parse(res.lines[0] as string)).toEqual({ ...c.expected, decided_at: FIXED_NOW.toISOString(), source: null });
  });
});
