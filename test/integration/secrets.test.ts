// Secrets and access (docs/reliability.md): /metrics of the verifier and the sink refuses requests
// without (or with wrong) credentials when METRICS_USER/METRICS_PASS are set; a whole run — agents
// signing with HMAC and with Ed25519, verifier, sink, all at LOG_LEVEL=debug, with garbage, tampered
// and valid records — never prints the HMAC key, the Ed25519 private key, the metrics password, or
// any payload (a distinctive marker is injected into event payloads, record fields (tenant_id) and
// garbage bytes). Identifiers (pcs_id, shard_id, topic/partition/offset) may be logged by design.
import { afterEach, describe, expect, test } from '@jest/globals';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmacSigner, generateEd25519KeyPair, signPcs, type Pcs } from '@flk/pcs';
import { createPipelineFixture, freePort, signedRecord, STACK, startNodeApp, type ChildApp, type PipelineFixture } from '../support/index.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
let fx: PipelineFixture | undefined;
let sink: ChildApp | undefined;
let dir: string | undefined;
afterEach(async () => {
  await sink?.stop(10_000);
  await fx?.cleanup();
  if (dir) await rm(dir, { recursive: true, force: true });
  fx = undefined;
  sink = undefined;
  dir = undefined;
});

function runAgent(input: string, env: Record<string, string>): Promise<{ code: number | null; out: string; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@flk/source', '--import', 'tsx', 'apps/agent/src/main.ts', '--input', input, '--json'], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl, LOG_LEVEL: 'debug', KAFKAJS_NO_PARTITIONER_WARNING: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      stdout += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.once('close', (code) => resolve({ code, out, stdout }));
  });
}

/** Every spelling of a secret that could end up in a log. */
function spellings(secretB64OrText: string): string[] {
  const out = new Set([secretB64OrText]);
  try {
    const raw = Buffer.from(secretB64OrText, 'base64');
    if (raw.length >= 16) {
      out.add(raw.toString('hex'));
      out.add(raw.toString('base64url'));
    }
  } catch {
    /* not base64 */
  }
  return [...out].filter((s) => s.length >= 16);
}

describe('secrets and access', () => {
  test('/metrics needs credentials; no log of a whole run holds a key, a password or a payload', async () => {
    fx = await createPipelineFixture({ partitions: 3 });
    const marker = `FLKMARK${randomBytes(6).toString('hex')}`;
    const hmacKey = randomBytes(32).toString('base64');
    const ed = generateEd25519KeyPair();
    const metrics = { METRICS_USER: 'ops', METRICS_PASS: `pw-${randomBytes(12).toString('hex')}` };
    const basic = { authorization: `Basic ${Buffer.from(`${metrics.METRICS_USER}:${metrics.METRICS_PASS}`).toString('base64')}` };
    const wrong = { authorization: `Basic ${Buffer.from(`${metrics.METRICS_USER}:nope`).toString('base64')}` };

    const verifier = await fx.startVerifier('verifier-secrets', { PCS_HMAC_KEY: hmacKey, LOG_LEVEL: 'debug', ...metrics });
    dir = await mkdtemp(join(tmpdir(), 'flk-it-secrets-'));
    const sinkPort = await freePort();
    sink = await startNodeApp('sink-secrets', 'apps/sink/src/main.ts', sinkPort, {
      KAFKA_BROKERS: STACK.brokers.join(','), SCHEMA_REGISTRY_URL: STACK.registryUrl, PCS_VERDICTS_TOPIC: fx.topics.verdicts,
      SINK_GROUP_ID: `${fx.groupId}-sink`, AUDIT_DIR: join(dir, 'audit'), HTTP_PORT: String(sinkPort), LOG_LEVEL: 'debug', ...metrics,
    });
    await Promise.all([verifier.waitReady(), sink.waitReady()]);

    for (const app of [verifier, sink]) {
      const url = `http://127.0.0.1:${app.port}/metrics`;
      expect([app.name, (await fetch(url)).status]).toEqual([app.name, 401]);
      expect([app.name, (await fetch(url, { headers: wrong })).status]).toEqual([app.name, 401]);
      const ok = await fetch(url, { headers: basic });
      expect([app.name, ok.status]).toEqual([app.name, 200]);
      expect(await ok.text()).toMatch(/^# TYPE flk_/m);
    }

    // Agents: events whose payloads carry the marker; one signs with the verifier's
    // HMAC key (accepted), one with an Ed25519 key the verifier does not know (rejected: signature).
    const events = join(dir, 'events.jsonl');
    await writeFile(events, Array.from({ length: 240 }, (_, i) => JSON.stringify({ shard_id: `shard-s${i % 2}`, ts: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(), point: [Math.cos(i), Math.sin(i / 3), i / 240], payload: `${marker} payload line ${i}` })).join('\n') + '\n');
    // v0.1 records: this test is about the v0.1 key variables never reaching logs.
    const agentEnv = { PCS_SUBMITTED_TOPIC: fx.topics.submitted, PCS_VERDICTS_TOPIC: fx.topics.verdicts, AGENT_WINDOW_EVENTS: '40', AGENT_PCS_VERSION: '0.1' };
    const a1 = await runAgent(events, { ...agentEnv, PCS_SIGN_ALG: 'hmac', PCS_HMAC_KEY: hmacKey, AGENT_CLIENT_ID: 'secrets-agent-hmac' });
    const a2 = await runAgent(events, { ...agentEnv, PCS_SIGN_ALG: 'ed25519', PCS_ED25519_PRIV_B64: ed.privB64, AGENT_CLIENT_ID: 'secrets-agent-ed25519', AGENT_EPOCH_START: '1000' });
    expect([a1.code, a2.code]).toEqual([0, 0]);
    const published = (JSON.parse(a1.stdout) as { published: number }).published + (JSON.parse(a2.stdout) as { published: number }).published;
    expect(published).toBeGreaterThan(0);

    // Extras: garbage carrying the marker (→ DLQ), a valid and a tampered record with it in tenant_id.
    const signer = createHmacSigner(hmacKey);
    const valid: Pcs = signPcs({ ...signedRecord({ tenant_id: marker }), sig: undefined }, signer);
    await fx.produceRaw([
      { key: `${marker}-key`, value: Buffer.from(`\x07${marker} not avro`) },
      { key: null, value: Buffer.concat([Buffer.from([0, 0, 0, 0, 1]), Buffer.from(`${marker}${marker}`)]) },
    ]);
    await fx.produceRecords([valid, { ...valid, coh_star: valid.coh_star / 2 }]);
    const verdicts = await fx.readVerdicts({ count: published + 4, timeoutMs: 90_000 });
    expect(verdicts.length).toBe(published + 4);
    expect(verdicts.filter((v) => v.verdict.reasons.includes('signature')).length).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 1500)); // let the sink log its lines too
    await sink.stop();
    await verifier.stop();

    const logs = { verifier: verifier.output(), sink: sink.output(), agentHmac: a1.out, agentEd25519: a2.out };
    const secrets = { hmacKey: spellings(hmacKey), ed25519Priv: spellings(ed.privB64), metricsPass: [metrics.METRICS_PASS], payloadMarker: [marker] };
    const leaks: string[] = [];
    for (const [where, text] of Object.entries(logs)) {
      expect([where, text.length > 0]).toEqual([where, true]);
      for (const [what, forms] of Object.entries(secrets)) for (const f of forms) {
        const at = text.indexOf(f);
        if (at < 0) continue;
        // Which line leaked: its pino `msg` (never the secret itself).
        const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at) >>> 0);
        const msg = /"msg":"([^"]{0,120})"/.exec(line)?.[1] ?? line.slice(0, 40).replace(f, '<secret>');
        leaks.push(`${what} in ${where} log (line: ${msg})`);
      }
    }
    process.stderr.write(`[secrets] scanned ${Object.values(logs).reduce((a, t) => a + t.split('\n').length, 0)} log lines of 4 processes for ${Object.values(secrets).flat().length} secret spellings: ${leaks.length} leaks\n`);
    expect(leaks).toEqual([]);
  }, 240_000);
});
