// Contract §7 (v0.2): the public vector of shared/v02_public.json byte for byte, the golden
// vectors of test/vectors/v02.json (from the independent Python generator), and the rules the
// vectors cannot show by themselves (no other key is ever tried, the ring's checks).
import { describe, expect, test } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { canonicalPayload, signingDigest } from './canonical.js';
import { checkRecord, createDecideConfig, decide, dedupKeyOf, verifiedTenant, type DecideMeta } from './decide.js';
import { FlkPcsError } from './errors.js';
import { createTenantKeyRing, parseKeyRing, type KeyRingEntry } from './keyring.js';
import { createDecisionParams, type DecisionParamsInput } from './params.js';
import { createHmacSigner, createKeyRing, signPcs, type KeyRing } from './sign.js';
import { parseRfc3339, parseSentAt } from './time.js';
import type { Pcs, Verdict } from './types.js';
import { validatePcs } from './validate.js';
import { sampleRecordV02, testDecideConfig, testKeyRing, testSigner, testTenantRing, TEST_KEYS } from './testing/index.js';

// A copy of shared/v02_public.json (the contract's public vector), kept with our vectors.
const shared = new URL('../../../test/vectors/contract-v02-public.json', import.meta.url);
const pub = JSON.parse(readFileSync(shared, 'utf8')) as {
  hmac_key: string; record: Pcs; payload: string; digest_hex: string; sig_hmac: string; signed: Pcs;
  dedup_key: string; recomputed_D_hat: number; recomputed_budget: number;
};
const META = (now: string): DecideMeta => ({ decidedAt: '2026-12-02T00:00:00.000Z', source: null, now: parseRfc3339(now)! });

describe('§7.6 public vector', () => {
  const ring = createTenantKeyRing([{ key_id: 'acme-2026-11', tenant_id: 'acme', alg: 'hmac', secret: pub.hmac_key }]);
  const config = createDecideConfig({ tenants: ring });

  test('payload, digest and sig byte for byte', () => {
    expect(canonicalPayload(pub.record)).toBe(pub.payload);
    expect(bytesToHex(signingDigest(pub.record))).toBe(pub.digest_hex);
    expect(signPcs(pub.record, createHmacSigner(pub.hmac_key)).sig).toBe(pub.sig_hmac);
    expect(pub.signed.sig).toBe(pub.sig_hmac);
    // sig: null and sig absent sign alike; the signed record's payload is the same.
    expect(canonicalPayload(pub.signed)).toBe(pub.payload);
  });

  test('accepted when fresh; dedup key tenant/pcs_id; stale 12 days + 1 s later', () => {
    const v = decide(pub.signed, config, null, META('2025-01-01T00:00:05Z'));
    expect(v).toMatchObject({ status: 'accepted', recomputed_D_hat: pub.recomputed_D_hat, recomputed_budget: pub.recomputed_budget, version: '0.2', tenant_id: 'acme', key_id: 'acme-2026-11', signature_checked: true });
    const checked = checkRecord(pub.signed, config, META('2025-01-01T00:00:05Z'));
    expect(checked.ok && checked.record.dedupKey).toBe(pub.dedup_key);
    expect(decide(pub.signed, config, null, META('2025-01-13T00:00:00Z')).status).toBe('accepted'); // exactly 12 days: fresh
    expect(decide(pub.signed, config, null, META('2025-01-13T00:00:00.000000001Z')).reason).toBe('stale');
    expect(verifiedTenant(v)).toBe('acme');
  });
});

interface V02Verdict {
  name: string; input?: unknown; input_json?: string; signatures: boolean; v01_ring: 'hmac' | 'ed25519' | null; ring: string | null;
  accept_versions: string[]; now: string; max_age_seconds: number; max_skew_seconds: number; params: DecisionParamsInput | null;
  prior: Verdict | null; meta: { decidedAt: string; source: DecideMeta['source'] }; expected: Verdict;
}
const vectorsPath = new URL('../../../test/vectors/v02.json', import.meta.url);

describe('test/vectors/v02.json (independent generator)', () => {
  test('the file exists', () => expect(existsSync(vectorsPath)).toBe(true));
  if (!existsSync(vectorsPath)) return;
  const v = JSON.parse(readFileSync(vectorsPath, 'utf8')) as {
    keys: Record<string, string>;
    rings: Record<string, { keys: KeyRingEntry[] }>;
    canonical: Array<{ name: string; record: Pcs; payload: string; digest_hex: string; hmac_sig: string; ed25519_sig: string }>;
    verdicts: V02Verdict[];
    bad_rings: Array<{ name: string; ring_json: string; env: Record<string, string>; problem: string }>;
  };
  const v01Rings: Record<string, KeyRing> = {
    hmac: createKeyRing({ alg: 'hmac', hmacKeys: [v.keys.hmac_key!, v.keys.hmac_key_2!] }),
    ed25519: createKeyRing({ alg: 'ed25519', ed25519PublicKeysB64: [v.keys.ed25519_pub_b64!, v.keys.ed25519_pub_2_b64!] }),
  };

  test.each(v.canonical.map((c) => [c.name, c] as const))('canonical: %s', (_n, c) => {
    expect(canonicalPayload(c.record)).toBe(c.payload);
    expect(bytesToHex(signingDigest(c.record))).toBe(c.digest_hex);
    expect(signPcs(c.record, testSigner('hmac')).sig).toBe(c.hmac_sig);
    expect(signPcs(c.record, testSigner('ed25519')).sig).toBe(c.ed25519_sig);
  });

  test.each(v.verdicts.map((c) => [c.name, c] as const))('verdict: %s', (_n, c) => {
    const config = createDecideConfig({
      params: createDecisionParams(c.params ?? {}),
      signatures: c.signatures,
      v01: c.v01_ring === null ? null : v01Rings[c.v01_ring]!,
      tenants: c.ring === null ? null : parseKeyRing(JSON.stringify(v.rings[c.ring])),
      acceptVersions: c.accept_versions,
      maxAgeSeconds: c.max_age_seconds,
      maxSkewSeconds: c.max_skew_seconds,
    });
    const meta: DecideMeta = { ...c.meta, now: parseRfc3339(c.now)! };
    const input = c.input_json ?? c.input;
    expect(decide(input, config, c.prior, meta)).toEqual(c.expected);
    expect(decide(new TextEncoder().encode(c.input_json ?? JSON.stringify(c.input)), config, c.prior, meta)).toEqual(c.expected);
  });

  test.each(v.bad_rings.map((c) => [c.name, c] as const))('bad ring refused: %s', (_n, c) => {
    const sources = { env: (n: string) => c.env[n], readFile: () => { throw Object.assign(new Error('nope'), { code: 'ENOENT' }); } };
    let error: unknown;
    try {
      parseKeyRing(c.ring_json, sources);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FlkPcsError);
    expect((error as FlkPcsError).code).toBe('PCS_INVALID_KEYRING');
    // test/vectors/README.md: `keys[N] word` = the entry's locator, then (anywhere after it) the word.
    const message = (error as Error).message;
    const m = /^(keys\[\d+\])\s*(.*)$/.exec(c.problem);
    if (m === null) expect(message).toContain(c.problem);
    else {
      expect(message).toContain(m[1]);
      expect(message.slice(message.indexOf(m[1]!) + m[1]!.length)).toContain(m[2]);
    }
  });
});

describe('v0.2 rules', () => {
  const config = testDecideConfig(testKeyRing('hmac'));
  const meta = META('2025-01-01T00:01:00Z');

  test('a one-field change of a signed record is a signature failure, for every decisive member', () => {
    const genuine = sampleRecordV02();
    expect(decide(genuine, config, null, meta).status).toBe('accepted');
    const changes: Array<Partial<Pcs>> = [
      { N_j: { ...genuine.N_j, '32': 30 } },
      { scales: [2, 4, 8, 16, 33], N_j: { '2': 3, '4': 5, '8': 9, '16': 17, '33': 31 } },
      { regime: 'mixed' },
      { ft: { ...genuine.ft, degraded: true } },
      { sent_at: '2025-01-01T00:00:01Z' },
      { attempt: 2 },
      { v_star: [0.12, 0.98, -0.06] },
      { tenant_id: 'globex' },
    ];
    for (const change of changes) {
      const forged = { ...genuine, ...change };
      const v = decide(forged, config, null, meta);
      expect(v.status).toBe('rejected');
      expect(v.reason).toMatch(/^signature/);
      expect(verifiedTenant(v)).toBeNull();
    }
  });

  test('the key named by key_id only: a record signed with another ring key fails', () => {
    // acme-2's secret signs, but the record names acme-1: never try the others (§7.3).
    const rec = sampleRecordV02({}, { signer: createHmacSigner(TEST_KEYS.hmacKey2) });
    expect(decide(rec, config, null, meta).reason).toBe('signature');
    expect(decide({ ...rec, key_id: 'acme-2' }, config, null, meta).reason).toBe('signature'); // key_id is signed
    expect(decide(sampleRecordV02({ key_id: 'acme-2' }, { signer: createHmacSigner(TEST_KEYS.hmacKey2) }), config, null, meta).status).toBe('accepted');
  });

  test('tenant_mismatch, unknown_key, key_window', () => {
    expect(decide(sampleRecordV02({ key_id: 'globex-1' }, { signer: testSigner('ed25519') }), config, null, meta).reason).toBe('signature:tenant_mismatch');
    expect(decide(sampleRecordV02({ key_id: 'nope' }), config, null, meta).reason).toBe('signature:unknown_key');
    expect(decide(sampleRecordV02({ key_id: undefined }), config, null, meta).reason).toBe('signature:unknown_key');
    const windowed = testDecideConfig(testKeyRing('hmac'), undefined, {
      tenants: testTenantRing([{ key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret: TEST_KEYS.hmacKey, not_before: '2025-01-01T00:00:00.000000001Z', not_after: '2025-02-01T00:00:00Z' }]),
    });
    expect(decide(sampleRecordV02(), windowed, null, meta).reason).toBe('signature:key_window');
    expect(decide(sampleRecordV02({ sent_at: '2025-01-01T00:00:00.000000001Z' }), windowed, null, meta).status).toBe('accepted');
  });

  test('the same pcs_id from two tenants has two dedup keys', () => {
    const a = validatePcs(sampleRecordV02());
    const b = validatePcs(sampleRecordV02({ tenant_id: 'globex', key_id: 'globex-1' }, { signer: testSigner('ed25519') }));
    expect(a.ok && b.ok).toBe(true);
    if (a.ok && b.ok) {
      expect(a.pcs.pcs_id).toBe(b.pcs.pcs_id);
      expect(dedupKeyOf(a.pcs)).toBe(`acme/${a.pcs.pcs_id}`);
      expect(dedupKeyOf(b.pcs)).toBe(`globex/${b.pcs.pcs_id}`);
    }
  });

  test('clock_skew and the skew bound', () => {
    expect(decide(sampleRecordV02({ sent_at: '2025-01-01T00:06:00.000000001Z' }), config, null, meta).reason).toBe('clock_skew');
    expect(decide(sampleRecordV02({ sent_at: '2025-01-01T00:06:00Z' }), config, null, meta).status).toBe('accepted');
  });

  test('a v0.2 record needs now; v0.1 does not', () => {
    expect(() => decide(sampleRecordV02(), config, null, { decidedAt: '', source: null })).toThrow(FlkPcsError);
  });

  test('an unknown member is malformed in v0.2 (allowed in v0.1)', () => {
    const rec = { ...sampleRecordV02(), extra: 1 };
    expect(decide(rec, config, null, meta).reasons).toEqual(['malformed:unexpected_key:extra']);
    const ft = { ...sampleRecordV02(), ft: { ...sampleRecordV02().ft, x: null } };
    expect(decide(ft, config, null, meta).reasons).toEqual(['malformed:unexpected_key:ft.x']);
  });

  test('signatures off: checked false, freshness still applies', () => {
    const off = testDecideConfig(testKeyRing('none'));
    const v = decide(sampleRecordV02({}, { signer: null }), off, null, meta);
    expect(v).toMatchObject({ status: 'accepted', signature_checked: false });
    expect(verifiedTenant(v)).toBeNull();
    expect(decide(sampleRecordV02({}, { signer: null }), off, null, META('2026-01-01T00:00:00Z')).reason).toBe('stale');
  });

  test('version_not_accepted', () => {
    const only02 = testDecideConfig(testKeyRing('hmac'), undefined, { acceptVersions: ['0.2'] });
    expect(decide(sampleRecordV02({ version: '0.1' }), only02, null, meta).reason).toBe('version_not_accepted');
  });
});

describe('time (§7.1, §7.3)', () => {
  test('sent_at: the exact v0.2 form and real dates only', () => {
    expect(parseSentAt('1970-01-01T00:00:00Z')).toBe(0n);
    expect(parseSentAt('1970-01-01T00:00:01.5Z')).toBe(1_500_000_000n);
    expect(parseSentAt('0001-01-01T00:00:00Z')).toBe(-62_135_596_800n * 1_000_000_000n);
    expect(parseSentAt('2024-02-29T23:59:59.999999999Z')).not.toBeNull();
    for (const bad of ['2023-02-29T00:00:00Z', '2025-01-01t00:00:00Z', '2025-01-01T00:00:00z', '2025-01-01T00:00:00+00:00', '2025-01-01T24:00:00Z',
      '2025-01-01T00:00:60Z', '0000-01-01T00:00:00Z', '2025-01-01T00:00:00.1234567890Z', '2025-01-01T00:00:00.Z', '2025-1-01T00:00:00Z']) {
      expect([bad, parseSentAt(bad)]).toEqual([bad, null]);
    }
  });

  test('RFC 3339 with offsets', () => {
    expect(parseRfc3339('2025-01-01T01:00:00+01:00')).toBe(parseRfc3339('2025-01-01T00:00:00Z'));
    expect(parseRfc3339('2025-01-01t00:00:00z')).toBe(parseRfc3339('2025-01-01T00:00:00Z'));
    expect(parseRfc3339('2025-01-01T00:00:00')).toBeNull();
  });

  test('ring document checks name the entry and never the secret', () => {
    const secret = 'super-secret-value';
    expect(() => parseKeyRing(JSON.stringify({ keys: [{ key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret }, { key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret }] }))).toThrow('keys[1] (key_id a-1): duplicate key_id');
    try {
      parseKeyRing(JSON.stringify({ keys: [{ key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret, not_before: '2026-02-01T00:00:00Z', not_after: '2026-01-01T00:00:00Z' }] }));
    } catch (err) {
      expect((err as Error).message).toBe('keys[0] (key_id a-1): not_after is before not_before');
      expect((err as Error).message).not.toContain(secret);
    }
    expect(() => parseKeyRing('{"keys":[{"key_id":"a","tenant_id":"a","alg":"hmac","secret_file":"/x"}]}', { env: () => undefined, readFile: () => 'k\n' }).get('a')).not.toThrow();
  });
});
