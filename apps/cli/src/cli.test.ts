// In-process tests of run(): every command, its help, its exit statuses and its error lines.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { generateEd25519KeyPair } from '@flk/pcs';
import { FIXED_NOW, runCli } from './test-io.js';
import { VERSION } from './version.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../../test/fixtures/cli/${name}`, import.meta.url));
const POINTS_JSONL = fixture('points.jsonl');
const POINTS_JSON = fixture('points.json');
const PAYLOAD = fixture('payload.bin');
const SIGNED_FIELDS = fixture('signed-fields.json');
const HMAC_KEY = 'test-hmac-key-not-a-secret';
const SENT_AT = '2025-01-01T00:00:00Z';

const MAKE_ARGS = ['pcs', 'make', '--shard', 'shard-001', '--epoch', '7', '--seed', '42', '--sent-at', SENT_AT, '--points', POINTS_JSONL, '--data', PAYLOAD];

/** An unsigned, valid record (as text) built by `flk pcs make`. */
async function makeRecord(extra: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const res = await runCli([...MAKE_ARGS, ...extra], { env });
  expect(res).toMatchObject({ code: 0, stderr: '' });
  expect(res.lines).toHaveLength(1);
  return res.lines[0] as string;
}

const sha256Hex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const parse = (line: string | undefined): Record<string, unknown> => JSON.parse(line ?? 'null') as Record<string, unknown>;

describe('help and usage', () => {
  test('flk --help lists every command, the exit statuses and the environment', async () => {
    for (const argv of [['--help'], ['-h']]) {
      const res = await runCli(argv);
      expect(res.code).toBe(0);
      expect(res.stderr).toBe('');
      for (const text of ['pcs canonical', 'pcs id', 'pcs sign', 'pcs verify', 'pcs make', 'keygen ed25519', 'SECRET', 'PCS_SIGN_ALG', 'PCS_HMAC_KEY', 'PCS_ED25519_PRIV_B64', 'PCS_ED25519_PUB_B64', 'Exit status', '70']) {
        expect(res.stdout).toContain(text);
      }
      expect(res.stdout.endsWith('\n')).toBe(true);
    }
  });

  test('flk pcs --help', async () => {
    const res = await runCli(['pcs', '--help']);
    expect(res.code).toBe(0);
    for (const cmd of ['canonical', 'id', 'sign', 'verify', 'make']) expect(res.stdout).toContain(cmd);
  });

  test.each([
    ['canonical', 'Usage: flk pcs canonical FILE...'],
    ['id', 'Usage: flk pcs id FILE...'],
    ['sign', 'Usage: flk pcs sign [--alg hmac|ed25519] FILE...'],
    ['verify', '--strict'],
    ['make', '--chunk-size N'],
  ])('flk pcs %s --help', async (cmd, text) => {
    for (const flag of ['--help', '-h']) {
      const res = await runCli(['pcs', cmd, flag]);
      expect(res).toMatchObject({ code: 0, stderr: '' });
      expect(res.stdout).toContain(text);
    }
  });

  test('flk keygen --help says it prints a secret', async () => {
    const res = await runCli(['keygen', '--help']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('SECRET');
  });

  test('--version prints the package version', async () => {
    const res = await runCli(['--version']);
    expect(res).toMatchObject({ code: 0, stdout: `${VERSION}\n`, stderr: '' });
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });

  test.each([
    [[], 'missing command', 'flk --help'],
    [['frobnicate'], "unknown command 'frobnicate'", 'flk --help'],
    [['--frobnicate'], "unknown option '--frobnicate'", 'flk --help'],
    [['pcs'], 'missing pcs command', 'flk pcs --help'],
    [['pcs', 'frobnicate'], "unknown pcs command 'frobnicate'", 'flk pcs --help'],
    [['pcs', 'id', '--frobnicate', 'x.json'], "unknown option '--frobnicate'", 'flk pcs id --help'],
    [['pcs', 'canonical'], 'no FILE given', 'flk pcs canonical --help'],
    [['pcs', 'verify', '--tol-d', 'abc', 'x.json'], '--tol-d: expected a number >= 0', 'flk pcs verify --help'],
    [['pcs', 'verify', '--tol-d', '-1', 'x.json'], "option '--tol-d' needs a value", 'flk pcs verify --help'],
    [['pcs', 'verify', '--alg', 'rsa', 'x.json'], "--alg: expected none|hmac|ed25519, got 'rsa'", 'flk pcs verify --help'],
    [['pcs', 'sign', 'x.json'], 'missing required option --alg', 'flk pcs sign --help'],
    [['pcs', 'sign', '--alg', 'none', 'x.json'], '--alg: expected hmac|ed25519', 'flk pcs sign --help'],
    [['pcs', 'make', '--epoch', '1', '--seed', '1', '--points', 'p'], 'missing required option --shard', 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1.5', '--seed', '1', '--points', 'p'], "--epoch: expected an integer, got '1.5'", 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1'], 'missing required option --points', 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--points', '-', '--data', '-'], 'cannot both be standard input', 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--points', 'p', '--chunk-size', '0'], '--chunk-size: expected a positive integer', 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--points', 'p', 'extra'], "unexpected argument 'extra'", 'flk pcs make --help'],
    [['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--points', 'p', '--sent-at', 'yesterday'], "--sent-at: expected an ISO-8601 time", 'flk pcs make --help'],
    [['keygen'], 'missing key type', 'flk keygen --help'],
    [['keygen', 'rsa'], "unknown key type 'rsa'", 'flk keygen --help'],
  ])('usage error: flk %j -> exit 2', async (argv, message, help) => {
    const res = await runCli(argv);
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatch(/^flk: /);
    expect(res.errors[0]).toContain(message);
    expect(res.errors[0]).toContain(`see '${help}'`);
  });

  test('an unexpected exception is one line and exit 70, never a stack trace', async () => {
    const res = await runCli(['pcs', 'id', SIGNED_FIELDS], {
      stdout: { write: () => { throw new TypeError('stdout exploded'); } },
    });
    expect(res.code).toBe(70);
    expect(res.errors).toEqual(['flk: internal error: TypeError: stdout exploded']);
  });
});

describe('flk pcs canonical', () => {
  test("the contract's public vectors (tie to even, 5e-7, integral 2)", async () => {
    const res = await runCli(['pcs', 'canonical', SIGNED_FIELDS]);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toEqual([
      '{"D_hat":2,"budget":0.42,"coh_star":0.000976562,"epoch":1,"merkle_root":"ab","pcs_id":"x","r":5e-7,"shard_id":"shard-001"}',
    ]);
    expect(res.stdout).toContain('"coh_star":0.000976562');
    expect(res.stdout).toContain('"r":5e-7');
    expect(res.stdout).toContain('"D_hat":2');
  });

  test('a full record: only the eight signed fields, keys sorted, other fields ignored', async () => {
    const rec = parse(await makeRecord());
    const res = await runCli(['pcs', 'canonical', 'rec.json'], { files: { 'rec.json': JSON.stringify(rec) } });
    expect(res.code).toBe(0);
    const payload = parse(res.lines[0]);
    expect(Object.keys(payload)).toEqual(['D_hat', 'budget', 'coh_star', 'epoch', 'merkle_root', 'pcs_id', 'r', 'shard_id']);
    for (const k of Object.keys(payload)) expect(payload[k]).toEqual(rec[k]);
  });

  test('a malformed file: one error line naming it, the other files still processed, exit 1', async () => {
    const good = readFileSync(SIGNED_FIELDS, 'utf8');
    const noDHat = JSON.stringify({ ...parse(good), D_hat: undefined });
    const res = await runCli(['pcs', 'canonical', 'a.json', 'bad.json', 'missing.json', 'notjson.json', 'b.json'], {
      files: { 'a.json': good, 'bad.json': noDHat, 'notjson.json': '{"pcs_id": ', 'b.json': good },
    });
    expect(res.code).toBe(1);
    expect(res.lines).toHaveLength(2);
    expect(res.lines[0]).toBe(res.lines[1]);
    expect(res.errors).toEqual([
      'flk: bad.json: malformed:missing:D_hat',
      'flk: missing.json: no such file',
      'flk: notjson.json: malformed:json',
    ]);
  });

  test('wrong types, non-finite numbers, duplicate keys and bad UTF-8 are errors', async () => {
    const files = {
      'type.json': '{"pcs_id":"x","merkle_root":"ab","epoch":"1","shard_id":"s","D_hat":2,"coh_star":0.5,"r":0.5,"budget":0.4}',
      'nan.json': '{"pcs_id":"x","merkle_root":"ab","epoch":1,"shard_id":"s","D_hat":NaN,"coh_star":0.5,"r":0.5,"budget":0.4}',
      'dup.json': '{"pcs_id":"x","merkle_root":"ab","epoch":1,"shard_id":"s","D_hat":2,"D_hat":3,"coh_star":0.5,"r":0.5,"budget":0.4}',
      'utf8.json': new Uint8Array([0x7b, 0xff, 0x7d]),
      'array.json': '[1,2]',
    };
    const res = await runCli(['pcs', 'canonical', ...Object.keys(files)], { files });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.errors).toEqual([
      'flk: type.json: malformed:type:epoch',
      'flk: nan.json: malformed:non_finite:D_hat',
      'flk: dup.json: malformed:duplicate_key:D_hat',
      'flk: utf8.json: malformed:utf8',
      'flk: array.json: malformed:not_object',
    ]);
  });

  test("'-' reads standard input", async () => {
    const res = await runCli(['pcs', 'canonical', '-'], { stdin: readFileSync(SIGNED_FIELDS, 'utf8') });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('"coh_star":0.000976562');
  });
});

describe('flk pcs id', () => {
  test('sha256(merkle_root|epoch|shard_id), whatever the record says its pcs_id is', async () => {
    const res = await runCli(['pcs', 'id', SIGNED_FIELDS, '-'], { stdin: '{"merkle_root":"m","epoch":12,"shard_id":"s-9","pcs_id":"wrong"}' });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toEqual([sha256Hex('ab|1|shard-001'), sha256Hex('m|12|s-9')]);
  });

  test("equals the pcs_id of a record built by 'pcs make'", async () => {
    const rec = await makeRecord();
    const res = await runCli(['pcs', 'id', '-'], { stdin: rec });
    expect(res.lines).toEqual([parse(rec).pcs_id]);
  });

  test('missing or invalid id fields: error line, exit 1; other fields do not matter', async () => {
    const files = {
      'noroot.json': '{"epoch":1,"shard_id":"s"}',
      'bigepoch.json': '{"merkle_root":"m","epoch":9007199254740993,"shard_id":"s"}',
      'ok.json': '{"merkle_root":"m","epoch":1,"shard_id":"s","D_hat":"nonsense"}',
    };
    const res = await runCli(['pcs', 'id', ...Object.keys(files)], { files });
    expect(res.code).toBe(1);
    expect(res.lines).toEqual([sha256Hex('m|1|s')]);
    expect(res.errors).toEqual(['flk: noroot.json: malformed:missing:merkle_root', 'flk: bigepoch.json: malformed:out_of_range:epoch']);
  });
});

describe('flk pcs sign / verify', () => {
  test('HMAC round trip: sig appended, other fields and key order unchanged; accepted', async () => {
    const rec = await makeRecord();
    const env = { PCS_HMAC_KEY: HMAC_KEY };
    const signed = await runCli(['pcs', 'sign', '--alg', 'hmac', '-'], { stdin: rec, env });
    expect(signed).toMatchObject({ code: 0, stderr: '' });
    const out = parse(signed.lines[0]);
    expect(Object.keys(out)).toEqual([...Object.keys(parse(rec)), 'sig']);
    expect({ ...out, sig: undefined }).toEqual({ ...parse(rec), sig: undefined });
    expect(out.sig).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(signed.stdout).not.toContain(HMAC_KEY);

    const verdict = await runCli(['pcs', 'verify', '-'], { stdin: signed.lines[0], env: { ...env, PCS_SIGN_ALG: 'hmac' } });
    expect(verdict).toMatchObject({ code: 0, stderr: '' });
    expect(parse(verdict.lines[0])).toEqual({
      pcs_id: out.pcs_id,
      status: 'accepted',
      accepted: true,
      escalated: false,
      recomputed_D_hat: out.D_hat,
      recomputed_budget: out.budget,
      reason: 'ok',
      reasons: [],
      duplicate: false,
      decided_at: FIXED_NOW.toISOString(),
      source: null,
      tenant_id: null,
      sent_at: out.sent_at,
      version: '0.1',
      key_id: null,
      signature_checked: true,
    });
  });

  test('HMAC ring: signs with the FIRST key; the verifier accepts any key of its ring', async () => {
    const rec = await makeRecord();
    const signed = await runCli(['pcs', 'sign', '--alg', 'hmac', '-'], { stdin: rec, env: { PCS_HMAC_KEY: ' first , second ' } });
    const withFirst = await runCli(['pcs', 'sign', '--alg', 'hmac', '-'], { stdin: rec, env: { PCS_HMAC_KEY: 'first' } });
    expect(signed.lines).toEqual(withFirst.lines);
    const status = async (ring: string): Promise<unknown> =>
      parse((await runCli(['pcs', 'verify', '--alg', 'hmac', '-'], { stdin: signed.lines[0], env: { PCS_HMAC_KEY: ring } })).lines[0]).status;
    expect(await status('old,first')).toBe('accepted');
    expect(await status('second')).toBe('rejected');
  });

  test('Ed25519 round trip with a generated key pair; an existing sig is replaced in place', async () => {
    const { privB64, pubB64 } = generateEd25519KeyPair();
    const rec = parse(await makeRecord());
    const withOldSig = JSON.stringify({ pcs_id: rec.pcs_id, sig: 'AAAA', ...rec });
    const signed = await runCli(['pcs', 'sign', '--alg', 'ed25519', 'rec.json'], { files: { 'rec.json': withOldSig }, env: { PCS_ED25519_PRIV_B64: privB64 } });
    expect(signed).toMatchObject({ code: 0, stderr: '' });
    const out = parse(signed.lines[0]);
    expect(Object.keys(out)).toEqual(Object.keys(parse(withOldSig)));
    expect(Object.keys(out)[1]).toBe('sig');
    expect(out.sig).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    expect(signed.stdout).not.toContain(privB64);

    const env = { PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PUB_B64: `${generateEd25519KeyPair().pubB64},${pubB64}` };
    const verdict = await runCli(['pcs', 'verify', '-'], { stdin: signed.lines[0], env });
    expect(parse(verdict.lines[0])).toMatchObject({ status: 'accepted', accepted: true });
  });

  test.each([
    ['D_hat', (r: Record<string, unknown>) => ({ ...r, D_hat: (r.D_hat as number) + 0.001 })],
    ['sig', (r: Record<string, unknown>) => ({ ...r, sig: `${(r.sig as string).slice(0, -4)}AAA=` })],
    ['no sig', (r: Record<string, unknown>) => ({ ...r, sig: undefined })],
  ])('tampering (%s) -> rejected, reason signature', async (_what, tamper) => {
    const { privB64, pubB64 } = generateEd25519KeyPair();
    const signed = await runCli(['pcs', 'sign', '--alg', 'ed25519', '-'], { stdin: await makeRecord(), env: { PCS_ED25519_PRIV_B64: privB64 } });
    const tampered = JSON.stringify(tamper(parse(signed.lines[0])));
    const res = await runCli(['pcs', 'verify', '-'], { stdin: tampered, env: { PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PUB_B64: pubB64 } });
    expect(res.code).toBe(0);
    expect(parse(res.lines[0])).toMatchObject({ status: 'rejected', accepted: false, reason: 'signature', reasons: ['signature'] });
    const strict = await runCli(['pcs', 'verify', '--strict', '-'], { stdin: tampered, env: { PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PUB_B64: pubB64 } });
    expect(strict.code).toBe(1);
    expect(strict.lines).toHaveLength(1);
  });

  test('sign: a record failing validation is not signed; the other files are', async () => {
    const rec = parse(await makeRecord());
    const files = {
      'good.json': JSON.stringify(rec),
      'mismatch.json': JSON.stringify({ ...rec, epoch: 8 }),
      'notjson.json': 'hello',
    };
    const res = await runCli(['pcs', 'sign', '--alg', 'hmac', 'mismatch.json', 'good.json', 'notjson.json', 'nope.json'], { files, env: { PCS_HMAC_KEY: HMAC_KEY } });
    expect(res.code).toBe(1);
    expect(res.lines).toHaveLength(1);
    expect(parse(res.lines[0]).pcs_id).toBe(rec.pcs_id);
    expect(res.errors).toEqual([
      'flk: mismatch.json: malformed:pcs_id_mismatch',
      'flk: notjson.json: malformed:json',
      'flk: nope.json: no such file',
    ]);
  });

  test.each([
    [['pcs', 'sign', '--alg', 'hmac', 'x.json'], {}, 'PCS_HMAC_KEY'],
    [['pcs', 'sign', '--alg', 'hmac', 'x.json'], { PCS_HMAC_KEY: ' , ' }, 'PCS_HMAC_KEY'],
    [['pcs', 'sign', '--alg', 'ed25519', 'x.json'], {}, 'PCS_ED25519_PRIV_B64'],
    [['pcs', 'sign', 'x.json'], { PCS_SIGN_ALG: 'ed25519' }, 'PCS_ED25519_PRIV_B64'],
    [['pcs', 'verify', 'x.json'], { PCS_SIGN_ALG: 'hmac' }, 'PCS_HMAC_KEY'],
    [['pcs', 'verify', '--alg', 'ed25519', 'x.json'], {}, 'PCS_ED25519_PUB_B64'],
    [['pcs', 'verify', 'x.json'], { PCS_SIGN_ALG: 'rsa' }, 'PCS_SIGN_ALG'],
    [[...MAKE_ARGS, '--alg', 'hmac'], {}, 'PCS_HMAC_KEY'],
  ])('missing key: flk %j -> exit 2, one line naming the variable', async (argv, env, name) => {
    const res = await runCli(argv, { env, files: { 'x.json': '{}' } });
    expect(res.code).toBe(2);
    expect(res.stdout).toBe('');
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatch(new RegExp(`^flk: ${name}`));
  });

  test('invalid key material: exit 2 naming the variable, the key never printed', async () => {
    const secret = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ=';
    const bad = await runCli(['pcs', 'sign', '--alg', 'ed25519', 'x.json'], { env: { PCS_ED25519_PRIV_B64: secret } });
    expect(bad.code).toBe(2);
    expect(bad.errors).toHaveLength(1);
    expect(bad.errors[0]).toMatch(/^flk: PCS_ED25519_PRIV_B64: invalid key/);
    expect(bad.stderr).not.toContain(secret);
    const badPub = await runCli(['pcs', 'verify', '--alg', 'ed25519', 'x.json'], { env: { PCS_ED25519_PUB_B64: `${generateEd25519KeyPair().pubB64},not-base64` } });
    expect(badPub.code).toBe(2);
    expect(badPub.errors[0]).toMatch(/^flk: PCS_ED25519_PUB_B64: invalid key/);
  });
});

describe('flk pcs verify', () => {
  test('unsigned records with PCS_SIGN_ALG unset: signature not checked, accepted', async () => {
    const res = await runCli(['pcs', 'verify', '-'], { stdin: await makeRecord() });
    expect(res.code).toBe(0);
    expect(parse(res.lines[0])).toMatchObject({ status: 'accepted', decided_at: FIXED_NOW.toISOString() });
  });

  test('a malformed record is a rejected verdict, not an error (exit 0; --strict: 1)', async () => {
    const rec = await makeRecord();
    const files = { 'ok.json': rec, 'bad.json': '{"pcs_id":"p1"}', 'junk.json': 'not json', 'utf8.json': new Uint8Array([0xc3]) };
    const res = await runCli(['pcs', 'verify', ...Object.keys(files)], { files });
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const verdicts = res.lines.map(parse);
    expect(verdicts.map((v) => v.status)).toEqual(['accepted', 'rejected', 'rejected', 'rejected']);
    expect(verdicts[1]).toMatchObject({ pcs_id: 'p1', reason: 'malformed:missing:schema', recomputed_D_hat: null });
    expect(verdicts[2]).toMatchObject({ pcs_id: '', reasons: ['malformed:json'] });
    expect(verdicts[3]).toMatchObject({ reasons: ['malformed:utf8'] });
    const strict = await runCli(['pcs', 'verify', '--strict', ...Object.keys(files)], { files });
    expect(strict.code).toBe(1);
    expect(strict.lines).toHaveLength(4);
    const strictOk = await runCli(['pcs', 'verify', '--strict', 'ok.json'], { files });
    expect(strictOk.code).toBe(0);
  });

  test('an unreadable file gets an error line, exit 1; the others still get verdicts', async () => {
    const res = await runCli(['pcs', 'verify', 'missing.json', '-'], { stdin: await makeRecord() });
    expect(res.code).toBe(1);
    expect(res.lines).toHaveLength(1);
    expect(res.errors).toEqual(['flk: missing.json: no such file']);
  });

  test('signals are checked; tolerances come from flags', async () => {
    const rec = parse(await makeRecord());
    const off = JSON.stringify({ ...rec, budget: (rec.budget as number) + 0.06, ft: { ...(rec.ft as object), degraded: true } });
    const dflt = await runCli(['pcs', 'verify', '-'], { stdin: off });
    expect(parse(dflt.lines[0])).toMatchObject({ status: 'escalated', escalated: true, reasons: ['budget_mismatch', 'degraded'] });
    const loose = await runCli(['pcs', 'verify', '--tol-budget', '0.1', '--tol-d', '0.2', '--tol-coh', '0', '--tol-r', '0', '-'], { stdin: off });
    expect(parse(loose.lines[0])).toMatchObject({ status: 'escalated', reasons: ['degraded'] });
  });
});

describe('flk pcs make', () => {
  test('deterministic; JSON array and JSON Lines points give the same record', async () => {
    const a = await makeRecord();
    const b = await makeRecord();
    expect(a).toBe(b);
    const viaJson = await runCli(MAKE_ARGS.map((x) => (x === POINTS_JSONL ? POINTS_JSON : x)));
    expect(viaJson.lines).toEqual([a]);
    const rec = parse(a);
    expect(rec).toMatchObject({ shard_id: 'shard-001', epoch: 7, seed: 42, attempt: 1, sent_at: SENT_AT, schema: 'fractal-lba-kakeya', version: '0.1' });
    expect(rec.pcs_id).toBe(sha256Hex(`${rec.merkle_root as string}|7|shard-001`));
    expect(rec.sig).toBeUndefined();
  });

  test('--attempt, --outbox-seq, --chunk-size and stdin', async () => {
    const base = parse(await makeRecord());
    const res = await runCli(
      [...MAKE_ARGS.map((x) => (x === POINTS_JSONL ? '-' : x)), '--attempt', '3', '--outbox-seq', '99', '--chunk-size', '1000'],
      { stdin: readFileSync(POINTS_JSONL) },
    );
    expect(res).toMatchObject({ code: 0, stderr: '' });
    const rec = parse(res.lines[0]);
    expect(rec).toMatchObject({ attempt: 3, ft: { outbox_seq: 99, degraded: false, fallbacks: [], clock_skew_ms: 0 } });
    expect(rec.r).toBe(base.r); // r is over the whole payload ...
    expect(rec.merkle_root).not.toBe(base.merkle_root); // ... the Merkle tree over its chunks
  });

  test('sent_at defaults to now, to the second', async () => {
    const res = await runCli(MAKE_ARGS.filter((x, i, all) => x !== '--sent-at' && all[i - 1] !== '--sent-at'));
    expect(parse(res.lines[0]).sent_at).toBe('2025-01-02T03:04:05Z');
  });

  test('signed with --alg ed25519 or PCS_SIGN_ALG=hmac, and accepted by verify', async () => {
    const { privB64, pubB64 } = generateEd25519KeyPair();
    const ed = await makeRecord(['--alg', 'ed25519'], { PCS_ED25519_PRIV_B64: privB64 });
    const v1 = await runCli(['pcs', 'verify', '--alg', 'ed25519', '-'], { stdin: ed, env: { PCS_ED25519_PUB_B64: pubB64 } });
    expect(parse(v1.lines[0]).status).toBe('accepted');
    const hm = await makeRecord([], { PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: HMAC_KEY });
    const v2 = await runCli(['pcs', 'verify', '-'], { stdin: hm, env: { PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: HMAC_KEY } });
    expect(parse(v2.lines[0]).status).toBe('accepted');
    // The signature is what 'pcs sign' computes for the unsigned record.
    const unsigned = await makeRecord();
    const signed = await runCli(['pcs', 'sign', '--alg', 'hmac', '-'], { stdin: unsigned, env: { PCS_HMAC_KEY: HMAC_KEY } });
    expect(signed.lines).toEqual([hm]);
  });

  test.each([
    ['points.txt', 'nonsense', 'flk: points.txt: points: line 1: not JSON'],
    ['points.txt', '{"x":1}', 'flk: points.txt: points: expected a JSON array'],
    ['points.txt', '[[1,2],[3,"4"]]', 'flk: points.txt: points: points[1]: expected a non-empty array of finite numbers'],
    ['points.txt', '[1,2]\n[3]\n', 'flk: pcs make: '],
    ['points.txt', '', 'flk: pcs make: '],
    ['nope.txt', undefined, 'flk: nope.txt: no such file'],
  ])('bad points file %s %j -> one error line, exit 1', async (name, content, message) => {
    const files: Record<string, string> = content === undefined ? {} : { [name]: content };
    const res = await runCli(['pcs', 'make', '--shard', 's', '--epoch', '1', '--seed', '1', '--points', name], { files });
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]?.startsWith(message)).toBe(true);
  });

  test('a bad --shard (too long for a record) is exit 1 with the core reason', async () => {
    const res = await runCli(['pcs', 'make', '--shard', 'x'.repeat(300), '--epoch', '1', '--seed', '1', '--points', POINTS_JSON]);
    expect(res.code).toBe(1);
    expect(res.errors[0]).toContain('malformed:too_long:shard_id');
  });
});

describe('flk keygen ed25519', () => {
  test('prints a usable key pair as two env assignments, fresh each time', async () => {
    const res = await runCli(['keygen', 'ed25519']);
    expect(res).toMatchObject({ code: 0, stderr: '' });
    expect(res.lines).toHaveLength(2);
    const [priv, pub] = res.lines.map((l) => /^(PCS_ED25519_(?:PRIV|PUB)_B64)=([A-Za-z0-9+/]{43}=)$/.exec(l));
    expect(priv?.[1]).toBe('PCS_ED25519_PRIV_B64');
    expect(pub?.[1]).toBe('PCS_ED25519_PUB_B64');
    const signed = await runCli(['pcs', 'sign', '--alg', 'ed25519', '-'], { stdin: await makeRecord(), env: { PCS_ED25519_PRIV_B64: priv?.[2] } });
    const verdict = await runCli(['pcs', 'verify', '--alg', 'ed25519', '-'], { stdin: signed.lines[0], env: { PCS_ED25519_PUB_B64: pub?.[2] } });
    expect(parse(verdict.lines[0]).status).toBe('accepted');
    expect((await runCli(['keygen', 'ed25519'])).lines[0]).not.toBe(res.lines[0]);
  });
});
