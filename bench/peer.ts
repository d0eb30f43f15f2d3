// The bench's Kafka Streams peer (bench/peers/kafka-streams, docs/benchmarks.md "Kafka Streams peer"):
// building it, the agreement sample (records some of which are tampered with), and reading verdict
// topics back. The phase itself (processes, drains, report) lives in bench/run.ts.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { benchSigner, makeRecord, type EncodedRecord } from './records.js';
import type { WireCodec } from '@flk/registry';

const REPO = fileURLToPath(new URL('../', import.meta.url));
export const PEER_SCHEMA = fileURLToPath(new URL('../schemas/pcs-v1.avsc', import.meta.url));
export const PEER_MAIN = 'flk.peer.PcsPeer';

/** The peer's classpath (bench/peers/kafka-streams/build.sh), or why it cannot run here (no JDK / Maven). */
export async function buildPeer(): Promise<{ classpath: string } | { skip: string }> {
  return new Promise((resolve, reject) => {
    const b = spawn('bash', ['bench/peers/kafka-streams/build.sh'], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    b.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
    b.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
    b.once('error', (e) => resolve({ skip: `cannot run bash: ${e.message}` }));
    b.once('exit', (code) => {
      if (code === 0) resolve({ classpath: out.trim() });
      else if (code === 3) resolve({ skip: err.trim() });
      else reject(new Error(`bench/peers/kafka-streams/build.sh failed (${code}):\n${err.slice(-3000)}`));
    });
  });
}

/** What was done to a sample record, and so what both deciders must answer. */
export type Tamper = 'none' | 'signed_field' | 'signature' | 'unsigned_counts';

export interface SampleRecord extends EncodedRecord {
  tamper: Tamper;
}

/**
 * `n` HMAC records for the agreement check: every 10th from 3 has D_hat changed after signing (a
 * signed field: must be rejected, signature), every 10th from 9 a different signature of the right
 * length (rejected), every 10th from 7 N_j changed (not signed in v0.1: the signature holds, the
 * recomputed D̂ no longer matches: escalated). The rest are the drain's records (every 5th escalated
 * on budget, every 11th degraded), so accepted, escalated and rejected all occur.
 */
export function sampleRecords(codec: WireCodec, n: number): SampleRecord[] {
  const signer = benchSigner('hmac');
  const out: SampleRecord[] = [];
  for (let i = 0; i < n; i++) {
    const r = makeRecord(1_000_000 + i, signer);
    let tamper: Tamper = 'none';
    if (i % 10 === 3) {
      r.D_hat = r.D_hat + 0.5;
      tamper = 'signed_field';
    } else if (i % 10 === 9) {
      const sig = Buffer.from(r.sig!, 'base64');
      sig[0] = sig[0]! ^ 1;
      r.sig = sig.toString('base64');
      tamper = 'signature';
    } else if (i % 10 === 7) {
      // N_j = s³ at every scale: the recomputed D̂ is 3, far from the signed D_hat.
      r.N_j = Object.fromEntries(r.scales.map((s) => [String(s), s ** 3]));
      tamper = 'unsigned_counts';
    }
    out.push({ key: r.pcs_id, value: codec.encodePcs({ sig: null, tenant_id: null, key_id: null, ...r }), tamper });
  }
  return out;
}

/**
 * Reads a verdict topic from the start (read_committed) until `expected` distinct pcs_ids, as
 * pcs_id → status. By the verdict's pcs_id, not the message key: the verifier keys a rejected
 * verdict by its source (rejected:<topic>:<partition>:<offset>).
 */
export async function readStatuses(
  kafka: Kafka, topic: string, groupId: string, expected: number,
  verdictOf: (value: Buffer) => Promise<{ pcs_id: string; status: string }>, timeoutMs = 120_000,
): Promise<Map<string, string>> {
  const seen = new Map<string, string>();
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let done: () => void = () => {};
    const finished = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        for (const m of batch.messages) {
          if (!m.value) continue;
          const v = await verdictOf(m.value);
          seen.set(v.pcs_id, v.status);
        }
        if (seen.size >= expected) done();
      },
    });
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([finished, timer]);
  } finally {
    await consumer.disconnect().catch(() => {});
  }
  return seen;
}

export interface Agreement {
  records: number;
  ours: Record<string, number>;
  peer: Record<string, number>;
  sameStatus: number;
  /** Tampered signed fields / signatures: how many each side rejected, of how many. */
  tamperedRejected: { ours: number; peer: number; of: number };
  /** N_j changed (unsigned): how many each side escalated, of how many. */
  countsEscalated: { ours: number; peer: number; of: number };
  disagreements: string[];
  agree: boolean;
}

export function compareVerdicts(sample: readonly SampleRecord[], ours: Map<string, string>, peer: Map<string, string>): Agreement {
  const tally = (m: Map<string, string>) => {
    const t: Record<string, number> = {};
    for (const r of sample) {
      const s = m.get(r.key) ?? 'missing';
      t[s] = (t[s] ?? 0) + 1;
    }
    return t;
  };
  let same = 0;
  const disagreements: string[] = [];
  const tr = { ours: 0, peer: 0, of: 0 };
  const ce = { ours: 0, peer: 0, of: 0 };
  for (const r of sample) {
    const a = ours.get(r.key) ?? 'missing';
    const b = peer.get(r.key) ?? 'missing';
    if (a === b) same++;
    else if (disagreements.length < 5) disagreements.push(`${r.key.slice(0, 12)}… (${r.tamper}): verifier ${a}, peer ${b}`);
    if (r.tamper === 'signed_field' || r.tamper === 'signature') {
      tr.of++;
      if (a === 'rejected') tr.ours++;
      if (b === 'rejected') tr.peer++;
    } else if (r.tamper === 'unsigned_counts') {
      ce.of++;
      if (a === 'escalated') ce.ours++;
      if (b === 'escalated') ce.peer++;
    }
  }
  const agree = same === sample.length && tr.ours === tr.of && tr.peer === tr.of && ce.ours === ce.of && ce.peer === ce.of;
  return { records: sample.length, ours: tally(ours), peer: tally(peer), sameStatus: same, tamperedRejected: tr, countsEscalated: ce, disagreements, agree };
}
