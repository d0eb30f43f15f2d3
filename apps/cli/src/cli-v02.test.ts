// The CLI on contract v0.2 (§7): canonical / sign / verify / make follow each record's version;
// verify takes the tenant ring from PCS_KEYRING_FILE and --now for freshness; keygen prints a ring
// entry and the producer's environment that work together.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { runCli } from './test-io.js';

const vector = JSON.parse(readFileSync(new URL('../../../test/vectors/contract-v02-public.json', import.meta.url), 'utf8')) as {
  hmac_key: string; record: Record<string, unknown>; signed: Record<string, unknown>; payload: string; sig_hmac: string;
};
const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/cli/${name}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'flk-cli-v02-'));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const RING = file('ring.json', JSON.stringify({ keys: [{ key_id: 'acme-2026-11', tenant_id: 'acme', alg: 'hmac', secret_env: 'ACME_KEY' }] }));
const RING_ENV = { PCS_KEYRING_FILE: RING, ACME_KEY: vector.hmac_key };
const FRESH = '2025-01-01T00:00:05Z';
const parse = (line: string | undefined) => JSON.parse(line ?? 'null') as Record<string, unknown>;

describe('flk pcs on v0.2 records', () => {
  test('canonical and sign reproduce the public vector byte for byte', async () => {
    const unsigned = JSON.stringify(vector.record);
    expect((await runCli(['pcs', 'canonical', '-'], { stdin: unsigned })).lines).toEqual([vector.payload]);
    const signed = await runCli(['pcs', 'sign', '--alg', 'hmac', '-'], { stdin: unsigned, env: { PCS_HMAC_KEY: vector.hmac_key } });
    expect(signed.code).toBe(0);
    expect(parse(signed.lines[0])).toEqual(vector.signed);
    // key order kept, sig replaced in place
    expect(Object.keys(parse(signed.lines[0]))).toEqual(Object.keys(vector.record));
  });

  test('canonical of a v0.2 record with a structure problem names it; a wrong pcs_id is taken as given', async () => {
    const extra = await runCli(['pcs', 'canonical', '-'], { stdin: JSON.stringify({ ...vector.record, extra: 1 }) });
    expect(extra).toMatchObject({ code: 1, errors: ['flk: <stdin>: malformed:unexpected_key:extra'] });
    const wrongId = await runCli(['pcs', 'canonical', '-'], { stdin: JSON.stringify({ ...vector.record, pcs_id: 'f'.repeat(64) }) });
    expect(wrongId.code).toBe(0);
    expect(wrongId.lines[0]).toContain(`"pcs_id":"${'f'.repeat(64)}"`);
  });

  test('verify: the ring from PCS_KEYRING_FILE, freshness from --now', async () => {
    const signed = file('signed.json', JSON.stringify(vector.signed));
    const ok = await runCli(['pcs', 'verify', '--now', FRESH, signed], { env: RING_ENV });
    expect(parse(ok.lines[0])).toMatchObject({ status: 'accepted', version: '0.2', tenant_id: 'acme', key_id: 'acme-2026-11', signature_checked: true });
    const stale = await runCli(['pcs', 'verify', '--now', '2025-01-13T00:00:01Z', signed], { env: RING_ENV });
    expect(parse(stale.lines[0])).toMatchObject({ status: 'rejected', reason: 'stale' });
    const skew = await runCli(['pcs', 'verify', '--now', '2024-12-31T23:54:59Z', signed], { env: RING_ENV });
    expect(parse(skew.lines[0])).toMatchObject({ status: 'rejected', reason: 'clock_skew' });
    const other = await runCli(['pcs', 'verify', '--now', FRESH, '-'], { env: RING_ENV, stdin: JSON.stringify({ ...vector.signed, key_id: 'acme-9' }) });
    expect(parse(other.lines[0])).toMatchObject({ status: 'rejected', reason: 'signature:unknown_key' });
    // --strict turns a non-accepted verdict into exit 1
    expect((await runCli(['pcs', 'verify', '--strict', '--now', '2026-01-01T00:00:00Z', signed], { env: RING_ENV })).code).toBe(1);
    expect((await runCli(['pcs', 'verify', '--now', 'yesterday', signed], { env: RING_ENV })).code).toBe(2);
  });

  test('without keys, the verdict says no signature was checked', async () => {
    const res = await runCli(['pcs', 'verify', '--now', FRESH, '-'], { stdin: JSON.stringify(vector.signed) });
    expect(parse(res.lines[0])).toMatchObject({ status: 'accepted', signature_checked: false });
  });

  test('a bad ring is a configuration error naming the entry, never the secret (exit 2)', async () => {
    const bad = file('bad.json', JSON.stringify({ keys: [{ key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret: 'hunter2' }, { key_id: 'a-1', tenant_id: 'a', alg: 'hmac', secret: 'hunter2' }] }));
    const res = await runCli(['pcs', 'verify', '-'], { env: { PCS_KEYRING_FILE: bad }, stdin: '{}' });
    expect(res).toMatchObject({ code: 2, stdout: '', errors: ['flk: PCS_KEYRING_FILE: keys[1] (key_id a-1): duplicate key_id'] });
    expect(res.stderr).not.toContain('hunter2');
    const missing = await runCli(['pcs', 'verify', '-'], { env: { PCS_KEYRING_FILE: RING }, stdin: '{}' });
    expect(missing).toMatchObject({ code: 2, errors: ['flk: PCS_KEYRING_FILE: keys[0] (key_id acme-2026-11): secret_env: variable ACME_KEY is not set'] });
  });

  test('keygen → make → verify: a tenant key pair works end to end, for both algorithms', async () => {
    for (const alg of ['hmac', 'ed25519'] as const) {
      const keys = await runCli(['keygen', alg, '--tenant', 'globex', '--key-id', `globex-${alg}`]);
      expect(keys.code).toBe(0);
      const [entry, ...envLines] = keys.lines;
      const env = Object.fromEntries(envLines.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
      expect(Object.keys(env)).toEqual(['PCS_TENANT_ID', 'PCS_KEY_ID', alg === 'hmac' ? 'PCS_HMAC_KEY' : 'PCS_ED25519_PRIV_B64']);
      const ring = file(`ring-${alg}.json`, JSON.stringify({ keys: [JSON.parse(entry!)] }));
      const made = await runCli(['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--sent-at', '2025-01-01T00:00:00.5Z', '--points', fixture('points.jsonl'), '--alg', alg], { env });
      expect(made.code).toBe(0);
      expect(parse(made.lines[0])).toMatchObject({ version: '0.2', tenant_id: 'globex', key_id: `globex-${alg}` });
      const v = await runCli(['pcs', 'verify', '--now', FRESH, '-'], { env: { PCS_KEYRING_FILE: ring }, stdin: made.lines[0] });
      expect(parse(v.lines[0])).toMatchObject({ status: 'accepted', signature_checked: true, tenant_id: 'globex' });
    }
  });

  test('make: v0.1 unless a tenant is given; --pcs-version 0.2 without a tenant is a usage error', async () => {
    const base = ['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--sent-at', '2025-01-01T00:00:00Z', '--points', fixture('points.jsonl')];
    expect(parse((await runCli(base)).lines[0]).version).toBe('0.1');
    expect(parse((await runCli([...base, '--tenant', 'acme'])).lines[0]).version).toBe('0.2');
    expect(parse((await runCli([...base, '--tenant', 'acme', '--pcs-version', '0.1'])).lines[0])).toMatchObject({ version: '0.1', tenant_id: 'acme' });
    expect((await runCli([...base, '--pcs-version', '0.2'])).code).toBe(2);
  });
});
