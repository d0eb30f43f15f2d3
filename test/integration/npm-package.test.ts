// @flk/pcs, @flk/registry and @flk/agent as packages a producer installs: `npm pack` makes three
// tarballs that install into a scratch project (their third-party dependencies from the registry,
// nothing from this workspace). With them, the scratch project signs the contract's public v0.2
// vector byte for byte, and runs the agent (events → signed v0.2 records → outbox → idempotent
// producer) against the real broker and registry; the test reads the records back and checks each
// with decide(), as the verifier would.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createDecideConfig, createTenantKeyRing, decide } from '@flk/pcs';
import { createWireCodec } from '@flk/registry';
import { createTopics, deleteTopics, readTopic, testKafka } from '../support/kafka.js';
import { randomName, STACK } from '../support/names.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000 });
const PACKAGES = ['pcs', 'registry', 'agent'] as const;

let dir: string;
let scratch: string;
const tarballs: Record<string, string> = {};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'flk-pack-'));
  for (const p of PACKAGES) {
    npm(['pack', '--silent', '--pack-destination', dir], join(REPO, 'libs', p));
    tarballs[p] = join(dir, readdirSync(dir).find((f) => f.startsWith(`flk-${p}-`) && f.endsWith('.tgz'))!);
  }
  scratch = join(dir, 'scratch');
  execFileSync('mkdir', [scratch]);
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
  // All three at once: @flk/agent's dependencies on @flk/pcs and @flk/registry are met by the
  // tarballs, not looked up on the npm registry (where no such packages exist).
  npm(['install', '--no-audit', '--no-fund', '--silent', ...PACKAGES.map((p) => tarballs[p]!)], scratch);
}, 600_000);

const listing = (p: string) => execFileSync('tar', ['tzf', tarballs[p]!], { encoding: 'utf8' }).split('\n');

describe('the tarballs', () => {
  test.each(PACKAGES)('@flk/%s holds dist, declarations and its README, and no sources or tests', (p) => {
    expect(tarballs[p]).toMatch(new RegExp(`flk-${p}-\\d+\\.\\d+\\.\\d+\\.tgz$`));
    const files = listing(p);
    expect(files).toEqual(expect.arrayContaining(['package/dist/index.js', 'package/dist/index.d.ts', 'package/README.md', 'package/package.json']));
    expect(files.some((f) => f.includes('.test.') || f.startsWith('package/src/'))).toBe(false);
  });

  test('@flk/registry carries its Avro schemas (it reads nothing outside itself)', () => {
    expect(listing('registry')).toEqual(expect.arrayContaining(['package/schemas/pcs-v1.avsc', 'package/schemas/verdict-v1.avsc']));
  });

  test('@flk/pcs signs the public v0.2 vector byte for byte', () => {
    writeFileSync(
      join(scratch, 'sign.js'),
      `import { readFileSync } from 'node:fs';
import { canonicalPayload, createHmacSigner, signPcs } from '@flk/pcs';
const v = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const signed = signPcs(v.record, createHmacSigner(v.hmac_key));
console.log(JSON.stringify({ payload: canonicalPayload(v.record), sig: signed.sig }));
`,
    );
    const vectorPath = join(REPO, 'test/vectors/contract-v02-public.json');
    const out = JSON.parse(execFileSync(process.execPath, ['sign.js', vectorPath], { cwd: scratch, encoding: 'utf8' })) as { payload: string; sig: string };
    const vector = JSON.parse(readFileSync(vectorPath, 'utf8')) as { payload: string; sig_hmac: string };
    expect(out).toEqual({ payload: vector.payload, sig: vector.sig_hmac });
  });
});

describe('@flk/agent from its tarball, on the real stack', () => {
  const topic = randomName('flk-npm-agent');
  const kafka = testKafka();
  const KEY = 'npm-package-test-key'; // TEST-ONLY

  beforeAll(() => createTopics(kafka, [{ topic, partitions: 2 }]));
  afterAll(() => deleteTopics(kafka, [topic]));

  test('publishes signed v0.2 records that decide() accepts, one per window', async () => {
    // The README's example, as a user would run it: events on stdin, configuration from the env.
    writeFileSync(
      join(scratch, 'agent.js'),
      `import { createKafkaTransport, createOutbox, runAgent, splitLines } from '@flk/agent';
import { createWireCodec } from '@flk/registry';
import { createHmacSigner } from '@flk/pcs';
const topic = process.env.TOPIC;
const codec = createWireCodec({ registryUrl: process.env.SCHEMA_REGISTRY_URL, pcsSubject: topic + '-value', verdictSubject: topic + '-verdicts-value' });
const transport = createKafkaTransport({ brokers: process.env.KAFKA_BROKERS.split(','), topic, codec });
const outbox = createOutbox({ transport });
const summary = await runAgent(splitLines(process.stdin), { window: { maxEvents: 4 }, seed: 42,
  signer: createHmacSigner(process.env.PCS_HMAC_KEY), version: '0.2', tenantId: 'acme', keyId: 'acme-1', outbox });
await transport.close();
console.log(JSON.stringify({ records: summary.records, published: summary.published, unpublished: summary.unpublished, ok: summary.ok }));
`,
    );
    const t0 = Date.now();
    const events = Array.from({ length: 24 }, (_, i) =>
      JSON.stringify({ shard_id: `npm-${i % 2}`, ts: new Date(t0 + i).toISOString(), point: [(i % 7) / 7, (i % 5) / 5], payload: `event ${i} ok` }),
    ).join('\n');
    const out = execFileSync(process.execPath, ['agent.js'], {
      cwd: scratch,
      input: `${events}\n`,
      encoding: 'utf8',
      timeout: 120_000,
      env: { PATH: process.env.PATH, TOPIC: topic, KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl, PCS_HMAC_KEY: KEY, KAFKAJS_NO_PARTITIONER_WARNING: '1' },
    });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ records: 6, published: 6, unpublished: 0, ok: true });

    const msgs = await readTopic(kafka, topic, { count: 6 });
    expect(msgs).toHaveLength(6);
    const codec = createWireCodec({ registryUrl: STACK.registryUrl, pcsSubject: `${topic}-value`, verdictSubject: `${topic}-verdicts-value` });
    const config = createDecideConfig({ tenants: createTenantKeyRing([{ key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret: KEY }]) });
    const statuses = [];
    for (const m of msgs) {
      const decoded = await codec.decodePcs(m.value);
      expect(decoded.ok).toBe(true);
      if (!decoded.ok) continue;
      const rec = decoded.value;
      expect(m.key).toBe(rec.pcs_id);
      const v = decide(rec, config, null, { decidedAt: new Date().toISOString(), source: null, now: Date.parse(rec.sent_at as string) + 1000 });
      expect(v.signature_checked).toBe(true);
      expect(v.tenant_id).toBe('acme');
      statuses.push(v.status);
    }
    expect(statuses.every((s) => s === 'accepted' || s === 'escalated')).toBe(true);
  }, 180_000);
});
