// Cross-language on the real stack (issue 11): the Go SDK (sdk/go/cmd/flk-pcs-publish, built here)
// and the Python SDK (sdk/python/tools/publish.py, in .flk/venv/python) each build records from raw
// data, sign them (v0.1 HMAC, v0.2 HMAC and Ed25519 under their own tenants), add tampered copies
// (coh_star changed after signing) and publish them with their producers through the registry to a
// private topic; the TS verifier decides them. Every honest verdict must equal decide() offline on
// the very record the SDK wrote, no honest record may fail its signature or D̂, every tampered one
// is rejected (signature), and the schema id each SDK used is a version of the verifier's subject.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createDecideConfig, createKeyRing, createTenantKeyRing, decide, DEFAULT_PARAMS, type KeyRingEntry, type Verdict } from '@flk/pcs';
import { TEST_KEYS } from '@flk/pcs/testing';
import { comparable, createPipelineFixture, duplicateRecords, STACK, type PipelineFixture } from '../support/index.js';

const run = promisify(execFile);
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const PYTHON = join(REPO, '.flk/venv/python/bin/python');
const dir = mkdtempSync(join(tmpdir(), 'flk-xlang-'));
const GO_BIN = join(dir, 'flk-pcs-publish');

// One HMAC key per publisher process (v0.1 and its v0.2 HMAC tenant); Ed25519 keys differ per SDK.
const RING: KeyRingEntry[] = [
  { key_id: 'py-1', tenant_id: 'py', alg: 'hmac', secret: TEST_KEYS.hmacKey },
  { key_id: 'py-ed-1', tenant_id: 'py-ed', alg: 'ed25519', public_key_b64: TEST_KEYS.ed25519PubB64_2 },
  { key_id: 'go-1', tenant_id: 'go', alg: 'ed25519', public_key_b64: TEST_KEYS.ed25519PubB64 },
  { key_id: 'go-hm-1', tenant_id: 'go-hm', alg: 'hmac', secret: TEST_KEYS.hmacKey },
];
const batches = (hmacTenant: [string, string], edTenant: [string, string]) => [
  { count: 400, version: '0.1', alg: 'hmac', tenant: null, key_id: null, tampered: 4 },
  { count: 300, version: '0.2', alg: 'hmac', tenant: hmacTenant[0], key_id: hmacTenant[1], tampered: 8 },
  { count: 300, version: '0.2', alg: 'ed25519', tenant: edTenant[0], key_id: edTenant[1], tampered: 8 },
];

interface Summary {
  lang: string;
  subject: string;
  schema_id: number | null;
  published: number;
  honest: number;
  tampered: number;
  failed: number;
  errors: string[];
  tampered_ids: Array<{ pcs_id: string; tenant_id: string | null }>;
}

const keyOf = (pcsId: string, tenant: string | null | undefined) => `${tenant ?? ''}/${pcsId}`;

let fx: PipelineFixture | undefined;
beforeAll(async () => {
  if (!existsSync(PYTHON)) throw new Error(`${PYTHON} is missing: create the Python SDK's venv first (bash sdk/python/test.sh, run by npm run test:sdk)`);
  await run('go', ['build', '-o', GO_BIN, './cmd/flk-pcs-publish'], { cwd: join(REPO, 'sdk/go'), env: { ...process.env, CGO_ENABLED: '1' } });
}, 120_000);
afterAll(async () => {
  await fx?.cleanup();
});

async function publish(lang: 'go' | 'py', topic: string, seed: number, cfg: object, keys: Record<string, string>): Promise<{ summary: Summary; lines: string[] }> {
  const recordsOut = join(dir, `${lang}.jsonl`);
  const config = JSON.stringify({ topic, seed, shard_prefix: lang, records_out: recordsOut, batches: cfg });
  const [cmd, args] = lang === 'go' ? [GO_BIN, [config]] : [PYTHON, [join(REPO, 'sdk/python/tools/publish.py'), config]];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl, ...keys };
  const { stdout } = await run(cmd, args, { env, maxBuffer: 16 << 20, timeout: 90_000 }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    throw new Error(`${lang} publisher failed: ${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  });
  const summary = JSON.parse(stdout.trim().split('\n').at(-1)!) as Summary;
  const lines = readFileSync(recordsOut, 'utf8').split('\n').filter((l) => l !== '');
  return { summary, lines };
}

async function subjectSchemaIds(subject: string): Promise<number[]> {
  const get = async (path: string) => {
    const res = await fetch(`${STACK.registryUrl}${path}`);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status}`);
    return res.json() as Promise<unknown>;
  };
  const versions = (await get(`/subjects/${encodeURIComponent(subject)}/versions`)) as number[];
  return Promise.all(versions.map(async (v) => ((await get(`/subjects/${encodeURIComponent(subject)}/versions/${v}`)) as { id: number }).id));
}

describe('cross-language SDKs on the real stack', () => {
  test('Go and Python records (v0.1 HMAC, v0.2 HMAC and Ed25519) get the verdicts decide() gives offline; tampered ones are rejected', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const ringFile = join(dir, 'ring.json');
    writeFileSync(ringFile, JSON.stringify({ keys: RING }));
    const verifier = await fx.startVerifier('xlang', { PCS_KEYRING_FILE: ringFile });
    const [, py, go] = await Promise.all([
      verifier.waitReady(),
      publish('py', fx.topics.submitted, 11, batches(['py', 'py-1'], ['py-ed', 'py-ed-1']), { PCS_HMAC_KEY: TEST_KEYS.hmacKey, PCS_ED25519_PRIV_B64: TEST_KEYS.ed25519PrivB64_2 }),
      publish('go', fx.topics.submitted, 22, batches(['go-hm', 'go-hm-1'], ['go', 'go-1']), { PCS_HMAC_KEY: TEST_KEYS.hmacKey, PCS_ED25519_PRIV_B64: TEST_KEYS.ed25519PrivB64 }),
    ]);

    // What each SDK reported.
    const subject = `${fx.topics.submitted}-value`;
    const ids = await subjectSchemaIds(subject);
    for (const { summary } of [py, go]) {
      expect([summary.lang, summary.failed, summary.errors, summary.subject]).toEqual([summary.lang, 0, [], subject]);
      expect(summary.honest).toBeGreaterThanOrEqual(1000);
      expect(summary.tampered).toBe(20);
      expect(summary.published).toBe(summary.honest + summary.tampered);
      expect(summary.tampered_ids).toHaveLength(summary.tampered);
      expect(ids).toContain(summary.schema_id);
    }

    const total = py.summary.published + go.summary.published;
    const verdicts = await fx.readVerdicts({ count: total, timeoutMs: 75_000 });
    expect(verdicts).toHaveLength(total);
    expect(duplicateRecords(verdicts)).toBe(0);
    const byKey = new Map(verdicts.map((v) => [keyOf(v.verdict.pcs_id, v.verdict.tenant_id), v.verdict]));
    expect(byKey.size).toBe(total);

    const config = createDecideConfig({
      params: DEFAULT_PARAMS,
      v01: createKeyRing({ alg: 'hmac', hmacKeys: [TEST_KEYS.hmacKey] }),
      tenants: createTenantKeyRing(RING),
    });
    const stats = { honest: 0, tampered: 0, mismatches: [] as string[], signatureRejections: 0, dHatMismatch: 0, byVersion: {} as Record<string, number>, byTenant: {} as Record<string, number>, statuses: {} as Record<string, number> };
    for (const { summary, lines } of [py, go]) {
      const bad = new Set(summary.tampered_ids.map((t) => keyOf(t.pcs_id, t.tenant_id)));
      expect(lines).toHaveLength(summary.published);
      for (const line of lines) {
        const rec = JSON.parse(line) as { pcs_id: string; tenant_id?: string | null; version: string };
        const key = keyOf(rec.pcs_id, rec.tenant_id);
        const got = byKey.get(key);
        if (!got) throw new Error(`${summary.lang}: no verdict for ${key}`);
        if (bad.has(key)) {
          stats.tampered++;
          expect([key, got.status, got.reason, got.signature_checked]).toEqual([key, 'rejected', 'signature', true]);
          continue;
        }
        stats.honest++;
        const want: Verdict = decide(line, config, null, { decidedAt: '', source: null, now: Date.parse(got.sent_at!) });
        if (JSON.stringify(comparable(got)) !== JSON.stringify(comparable(want))) stats.mismatches.push(`${summary.lang} ${key}: got ${JSON.stringify(comparable(got))} want ${JSON.stringify(comparable(want))}`);
        if (got.reason.startsWith('signature') || got.reasons.some((r) => r.startsWith('signature'))) stats.signatureRejections++;
        if (got.reasons.includes('d_hat_mismatch')) stats.dHatMismatch++;
        stats.byVersion[rec.version] = (stats.byVersion[rec.version] ?? 0) + 1;
        stats.byTenant[`${summary.lang}:${rec.tenant_id ?? '-'}`] = (stats.byTenant[`${summary.lang}:${rec.tenant_id ?? '-'}`] ?? 0) + 1;
        stats.statuses[got.status] = (stats.statuses[got.status] ?? 0) + 1;
      }
    }
    expect(stats.mismatches.slice(0, 5)).toEqual([]);
    expect(stats.honest).toBe(py.summary.honest + go.summary.honest);
    expect(stats.tampered).toBe(40);
    expect(stats.signatureRejections).toBe(0);
    expect(stats.dHatMismatch).toBe(0);
    expect(stats.byVersion).toEqual({ '0.1': 800, '0.2': 1200 });
    expect(stats.byTenant).toEqual({ 'py:-': 400, 'py:py': 300, 'py:py-ed': 300, 'go:-': 400, 'go:go-hm': 300, 'go:go': 300 });
    console.log(`cross-language: ${stats.honest} honest (${JSON.stringify(stats.statuses)}), ${stats.tampered} tampered; schema ids py=${py.summary.schema_id} go=${go.summary.schema_id} of ${subject} [${ids.join(', ')}]`);
  }, 180_000);
});
