// The demo's deliberate troublemakers, built from records the agent really published:
//   replay        the exact bytes of an agent message, sent again        → duplicate
//   tampered      an agent record with coh★ changed after signing        → rejected, signature
//   inconsistent  a fresh, correctly signed record whose D̂ was misreported → escalated
//   malformed     garbage, a wrong magic byte, a truncated Avro body       → rejected malformed:*, DLQ
import { buildPcs, signPcs, type Pcs, type Signer } from '@flk/pcs';
import type { InjectedKind } from './tally.js';

export interface RawMessage {
  key: Buffer | null;
  value: Buffer;
}

export interface Injection {
  kind: InjectedKind;
  key: string;
  value: Buffer;
}

export interface InjectCodec {
  decodePcs(message: Buffer | null): Promise<{ ok: true; value: Record<string, unknown> } | { ok: false; reason: string }>;
  encodePcs(record: object): Buffer;
}

export interface InjectOptions {
  /** Agent messages to draw from (at least 2·n). */
  published: readonly RawMessage[];
  codec: InjectCodec;
  signer: Signer;
  n: number;
  now: () => Date;
}

export async function buildInjections(opts: InjectOptions & { tenantId: string; keyId: string }): Promise<Injection[]> {
  const { published, codec, signer, n } = opts;
  if (published.length < 2 * n) throw new Error(`need ${2 * n} published records to inject from, have ${published.length}`);
  const out: Injection[] = [];

  for (const m of published.slice(0, n)) out.push({ kind: 'replay', key: m.key?.toString('utf8') ?? '', value: m.value });

  for (const m of published.slice(n, 2 * n)) {
    const decoded = await codec.decodePcs(m.value);
    if (!decoded.ok) throw new Error(`cannot decode an agent record: ${decoded.reason}`);
    const rec = decoded.value as unknown as Pcs;
    // A signed field changed after signing; pcs_id still matches (it covers merkle_root|epoch|shard_id).
    const coh = rec.coh_star >= 0.5 ? rec.coh_star - 0.125 : rec.coh_star + 0.125;
    out.push({ kind: 'tampered', key: rec.pcs_id, value: codec.encodePcs({ ...rec, coh_star: coh }) });
  }

  for (let i = 0; i < n; i++) {
    const points = Array.from({ length: 64 }, (_, k) => [Math.cos(k / 3) * (1 + i), Math.sin(k / 5), k / 64]);
    const chunks = points.map((_, k) => new TextEncoder().encode(`demo inconsistent ${i} ${k}`));
    // The same tenant and key as the agent (contract v0.2), so only the signals are wrong.
    const honest = buildPcs({ shard_id: 'demo-inject', epoch: 1 + i, seed: 42, sent_at: opts.now().toISOString(), points, chunks, outbox_seq: 1 + i, version: '0.2', tenant_id: opts.tenantId, key_id: opts.keyId });
    // Signed after the change (honest is unsigned), so the signature holds: the signals are what
    // the verifier questions.
    const lying = signPcs({ ...honest, D_hat: Math.round((honest.D_hat + 0.5) * 1e6) / 1e6 }, signer);
    out.push({ kind: 'inconsistent', key: lying.pcs_id, value: codec.encodePcs(lying) });
  }

  const sample = published[0]!.value;
  const malformed: Buffer[] = [
    Buffer.from('this is not an Avro message at all', 'utf8'),
    Buffer.concat([Buffer.from([1]), sample.subarray(1)]), // wrong magic byte
    sample.subarray(0, Math.max(6, Math.floor(sample.length / 2))), // truncated Avro body
  ];
  for (let i = 0; i < n; i++) out.push({ kind: 'malformed', key: `demo-malformed-${i + 1}`, value: malformed[i % malformed.length]! });
  return out;
}

/**
 * Fresh, honestly signed v0.2 records for the HTTP gateway (POST /v1/pcs/submit): the same tenant
 * and key as the agent; `salt` (the run id) keeps their pcs_ids apart from other runs'.
 */
export function buildHttpRecords(opts: { n: number; signer: Signer; tenantId: string; keyId: string; salt: string; now: () => Date }): Pcs[] {
  return Array.from({ length: opts.n }, (_, i) => {
    const points = Array.from({ length: 64 }, (_, k) => [Math.cos(k / 4) * (1 + i / 8), Math.sin(k / 6), k / 64]);
    const chunks = points.map((_, k) => new TextEncoder().encode(`demo http ${opts.salt} ${i} ${k}`));
    const rec = buildPcs({ shard_id: 'demo-http', epoch: 1 + i, seed: 42, sent_at: opts.now().toISOString(), points, chunks, outbox_seq: 1 + i, version: '0.2', tenant_id: opts.tenantId, key_id: opts.keyId });
    return signPcs(rec, opts.signer);
  });
}
