// npm run bench:sdk — the three producer SDKs side by side, in one run on one machine (docs/sdks.md):
// sign ops/s (canonical v0.2 payload + SHA-256 + HMAC; the same + Ed25519), decide() of a signed v0.2
// record, and each producer's records/s to the local broker (acknowledged, idempotent, acks=all).
// Every language builds the same record (200 3-D points, one 4 KiB chunk, tenant acme) so the
// figures compare like with like. The Go and Python figures come from their own benchmarks
// (sdk/go/cmd/flk-pcs-bench, sdk/python/tools/bench.py), which print one JSON line each.
//
// Knobs: FLK_BENCH_SDK_SECONDS=2 (per figure), FLK_BENCH_SDK_RECORDS=5000 (per producer),
// FLK_BENCH_SDK_KAFKA=0 skips the producers (no stack needed then).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPcs, computePcsId, createDecideConfig, createEd25519Signer, createHmacSigner, createTenantKeyRing, decide, signPcs, type Pcs } from '@flk/pcs';
import { createKafkaTransport } from '@flk/agent';
import { createWireCodec } from '@flk/registry';
import { nodeSha256, nodeSignatureCrypto } from '@flk/node-crypto';
import { createTopics, deleteTopics, randomName, STACK, testKafka } from '../test/support/index.js';

const REPO = fileURLToPath(new URL('../', import.meta.url));
const SECONDS = Number(process.env.FLK_BENCH_SDK_SECONDS ?? 2);
const RECORDS = Number(process.env.FLK_BENCH_SDK_RECORDS ?? 5000);
const KAFKA = process.env.FLK_BENCH_SDK_KAFKA !== '0';
// RFC 8032 TEST 1's seed: a public test key (the Go and Python benches use it too).
const ED_SEED = 'nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A=';
const PYTHON = join(REPO, '.flk/venv/python/bin/python');
const GO = existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';

type Figures = Partial<Record<'hmac_v02_sign_ops_s' | 'ed25519_sign_ops_s' | 'verify_v02_ops_s' | 'producer_records_s', number>>;

function rate(fn: () => unknown): number {
  let n = 0;
  const t0 = performance.now();
  for (;;) {
    for (let i = 0; i < 50; i++) fn();
    n += 50;
    const dt = (performance.now() - t0) / 1000;
    if (dt >= SECONDS) return n / dt;
  }
}

async function typescript(topic: string): Promise<Figures> {
  const points = Array.from({ length: 200 }, (_, i) => [i / 97, ((i * 7) % 13) / 13, (i % 5) / 5]);
  const rec = buildPcs({ shard_id: 'bench-1', epoch: 1, seed: 42, sent_at: '2025-01-01T00:00:00Z', points,
    chunks: [new Uint8Array(4096).fill(0x78)], version: '0.2', tenant_id: 'acme', key_id: 'acme-1' });
  const hmac = createHmacSigner('bench-key');
  const ed = createEd25519Signer(ED_SEED);
  const out: Figures = { hmac_v02_sign_ops_s: rate(() => signPcs(rec, hmac)), ed25519_sign_ops_s: rate(() => signPcs(rec, ed)) };
  // decide() as the verifier runs it: the OpenSSL-backed ring and SHA-256 (apps/verifier).
  const ring = createTenantKeyRing([{ key_id: 'acme-1', tenant_id: 'acme', alg: 'hmac', secret: 'bench-key' }], undefined, nodeSignatureCrypto);
  const config = createDecideConfig({ tenants: ring, sha256: nodeSha256 });
  const signed = signPcs(rec, hmac);
  const meta = { decidedAt: '2025-01-01T00:00:01.000Z', source: null, now: Date.parse('2025-01-01T00:00:01Z') };
  if (!decide(signed, config, null, meta).signature_checked) throw new Error('the bench record does not verify');
  out.verify_v02_ops_s = rate(() => decide(signed, config, null, meta));
  if (KAFKA) {
    const codec = createWireCodec({ registryUrl: STACK.registryUrl, pcsSubject: `${topic}-value`, verdictSubject: `${topic}-verdicts-value` });
    const transport = createKafkaTransport({ brokers: STACK.brokers, topic, codec, clientId: 'flk-bench-sdk' });
    const recs: Pcs[] = Array.from({ length: RECORDS }, (_, i) => {
      const epoch = 10_000 + i;
      return signPcs({ ...rec, epoch, pcs_id: computePcsId(rec.merkle_root, epoch, rec.shard_id), sent_at: new Date().toISOString() }, hmac);
    });
    try {
      await transport.send(recs.slice(0, 10)); // connect, registry lookup
      // The agent's outbox sends batches of AGENT_BATCH_SIZE (100) and waits for each; the bench
      // sends what the Python and Go producers get: everything at once, timed to the last ack.
      const t0 = performance.now();
      await transport.send(recs.slice(10));
      out.producer_records_s = (RECORDS - 10) / ((performance.now() - t0) / 1000);
    } finally {
      await transport.close();
    }
  }
  return out;
}

function external(what: string, cmd: string, args: string[], cwd: string, topic: string): Figures {
  const res = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, PCS_SUBMITTED_TOPIC: topic, KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl }, timeout: 10 * 60_000 });
  if (res.status !== 0) throw new Error(`${what} bench failed (${res.status ?? res.signal}): ${res.error?.message ?? ''}${res.stderr}`);
  return JSON.parse(res.stdout.trim().split('\n').pop()!) as Figures;
}

const kafka = testKafka('flk-bench-sdk');
const topics = { ts: randomName('bench-sdk-ts'), go: randomName('bench-sdk-go'), py: randomName('bench-sdk-py') };
if (KAFKA) await createTopics(kafka, Object.values(topics).map((topic) => ({ topic, partitions: 6 })));
const kafkaArgs = KAFKA ? ['--kafka', '--records', String(RECORDS)] : [];
const results: Record<string, Figures> = {};
try {
  results.TypeScript = Object.fromEntries(Object.entries(await typescript(topics.ts)).map(([k, v]) => [k, Math.round(v * 10) / 10]));
  results.Go = external('Go', GO, ['run', './cmd/flk-pcs-bench', '-seconds', String(SECONDS), ...kafkaArgs.map((a) => a.replace('--', '-'))], join(REPO, 'sdk/go'), topics.go);
  if (!existsSync(PYTHON)) throw new Error(`no Python venv at ${PYTHON}: run bash sdk/python/test.sh --setup first`);
  results.Python = external('Python', PYTHON, ['sdk/python/tools/bench.py', '--seconds', String(SECONDS), ...kafkaArgs], REPO, topics.py);
} finally {
  if (KAFKA) await deleteTopics(kafka, Object.values(topics));
}

const fmt = (x: number | undefined) => (x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
const rows: [string, keyof Figures][] = [
  ['HMAC v0.2 payload + sign, ops/s', 'hmac_v02_sign_ops_s'],
  ['Ed25519 v0.2 payload + sign, ops/s', 'ed25519_sign_ops_s'],
  ['decide() of a signed v0.2 record, ops/s', 'verify_v02_ops_s'],
  [`producer → local broker, records/s (${RECORDS.toLocaleString('en-US')}, acks=all)`, 'producer_records_s'],
];
const langs = Object.keys(results);
console.log(`\nSDK benchmark — ${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}, ${SECONDS} s per figure, one run\n`);
console.log(`| figure | ${langs.join(' | ')} |`);
console.log(`| --- | ${langs.map(() => '---:').join(' | ')} |`);
for (const [label, key] of rows) console.log(`| ${label} | ${langs.map((l) => fmt(results[l]![key])).join(' | ')} |`);
console.log(JSON.stringify(results));
