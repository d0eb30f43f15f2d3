// `flk replay`'s pure part (docs/policies.md): re-decide retained input records under a candidate
// policy set exactly as the verifier does (checkRecord with the broker append time as `now`, the
// policy of the verified tenant, the PII gate), with an in-memory dedup instead of Redis, and
// compare each verdict with the one the verifier published. No I/O: the CLI feeds records in.
//
// Dedup: the first occurrence of a dedup key in the replayed range is the original (decided);
// later ones are duplicates of it. The live verifier's answer for a key claimed before the range
// is a duplicate of that older decision, so a replay compares decisions (status + reasons), never
// the duplicate flag.
import { checkRecord, withPrior, type DecideConfig, type Verdict } from '@flk/pcs';
import { decideUnderPolicy, policyForRecord, stampPolicy } from './decide.js';
import type { Policy } from './document.js';
import type { PolicySet } from './set.js';

export interface ReplayRecord {
  readonly partition: number;
  readonly offset: string;
  /** Broker append time, ms since the epoch (§7.4 `now`). */
  readonly timestamp: number;
  /** The decoded record, or the codec's `malformed:<detail>`. */
  readonly decoded: { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly reason: string };
}

/** What a replay compares: the published verdict's decision. */
export interface Decision {
  readonly pcs_id: string;
  readonly status: Verdict['status'];
  readonly reasons: readonly string[];
  readonly tenant_id: string | null;
}

export interface Replayer {
  decide(r: ReplayRecord): Verdict;
}

export function createReplayer(set: PolicySet, config: DecideConfig, topic: string): Replayer {
  const seen = new Map<string, Verdict>();
  const configs = new Map<Policy, DecideConfig>();
  const configFor = (p: Policy): DecideConfig => {
    let c = configs.get(p);
    if (c === undefined) configs.set(p, (c = { ...config, params: p.params }));
    return c;
  };
  return {
    decide(r) {
      const source = { topic, partition: r.partition, offset: r.offset };
      const meta = { decidedAt: new Date(r.timestamp).toISOString(), source, now: r.timestamp };
      if (!r.decoded.ok) {
        const reason = r.decoded.reason;
        return stampPolicy({ pcs_id: '', status: 'rejected', accepted: false, escalated: false, recomputed_D_hat: null, recomputed_budget: null, reason, reasons: [reason], duplicate: false, decided_at: meta.decidedAt, source, tenant_id: null, sent_at: null, version: null, key_id: null, signature_checked: false }, set.global);
      }
      const checked = checkRecord(r.decoded.value, config, meta);
      if (!checked.ok) return stampPolicy(checked.verdict, set.global);
      const policy = policyForRecord(set, checked.record);
      const v = decideUnderPolicy(checked.record, policy, configFor(policy), meta);
      if (v.status === 'rejected') return v;
      const prior = seen.get(checked.record.dedupKey);
      if (prior !== undefined) return withPrior(prior, meta);
      seen.set(checked.record.dedupKey, v);
      return v;
    },
  };
}

export interface TransitionExample {
  readonly pcs_id: string;
  readonly partition: number;
  readonly offset: string;
}

export interface Transition {
  /** `status/reason` (first reason; `reasons` joined when several) of the published verdict ... */
  readonly from: string;
  /** ... and of the replayed one. */
  readonly to: string;
  readonly changed: boolean;
  count: number;
  /** count / the tenant's compared records. */
  share: number;
  readonly examples: TransitionExample[];
}

export interface TenantReplay {
  records: number;
  differences: number;
  transitions: Transition[];
}

export interface ReplaySummary {
  policy: { digest: string; global: { id: string; version: string; digest: string }; tenants: Record<string, { id: string; version: string; digest: string }> };
  /** Records read from the input topic in the range (after the tenant filter). */
  records: number;
  /** Of those, records with a published verdict to compare with. */
  compared: number;
  /** Records whose published verdict is gone (compacted away, or never published): not compared. */
  unpublished: number;
  differences: number;
  identical: boolean;
  tenants: Record<string, TenantReplay>;
  partitions: Record<string, { start: string; end: string }>;
  /** The whole run: fixing the ranges, reading the published verdicts, re-deciding. */
  elapsedSeconds: number;
  /** Records re-decided per second of the re-deciding phase (reading the input range, deciding, comparing). */
  recordsPerSecond: number;
}

const label = (status: string, reasons: readonly string[]) => `${status}/${reasons.length === 0 ? 'ok' : reasons.join('+')}`;

/** Same decision: status and every reason, in order. */
export function sameDecision(a: Pick<Decision, 'status' | 'reasons'>, b: Pick<Decision, 'status' | 'reasons'>): boolean {
  return a.status === b.status && a.reasons.length === b.reasons.length && a.reasons.every((r, i) => r === b.reasons[i]);
}

/** Accumulates comparisons into the transitions table per tenant. */
export function createReplayComparison(set: PolicySet, opts: { examples: number }) {
  const tenants = new Map<string, { records: number; differences: number; transitions: Map<string, Transition> }>();
  let records = 0;
  let compared = 0;
  let unpublished = 0;
  let differences = 0;
  return {
    /** One replayed record and the published decision for its offset (null = none retained). */
    add(record: Pick<ReplayRecord, 'partition' | 'offset'>, replayed: Verdict, published: Decision | null): void {
      records++;
      if (published === null) {
        unpublished++;
        return;
      }
      compared++;
      const tenant = published.tenant_id ?? replayed.tenant_id ?? '-';
      let t = tenants.get(tenant);
      if (t === undefined) tenants.set(tenant, (t = { records: 0, differences: 0, transitions: new Map() }));
      t.records++;
      const from = label(published.status, published.reasons);
      const to = label(replayed.status, replayed.reasons);
      const changed = !sameDecision(published, replayed);
      if (changed) {
        t.differences++;
        differences++;
      }
      const key = `${from}\u0000${to}`;
      let tr = t.transitions.get(key);
      if (tr === undefined) t.transitions.set(key, (tr = { from, to, changed, count: 0, share: 0, examples: [] }));
      tr.count++;
      if (tr.examples.length < opts.examples) tr.examples.push({ pcs_id: replayed.pcs_id, partition: record.partition, offset: record.offset });
    },
    summary(extra: { partitions: ReplaySummary['partitions']; elapsedSeconds: number; decideSeconds: number }): ReplaySummary {
      const who = (p: Policy) => ({ id: p.document.id, version: p.document.version, digest: p.digest });
      const out: Record<string, TenantReplay> = {};
      for (const [name, t] of [...tenants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
        const transitions = [...t.transitions.values()].sort((a, b) => Number(b.changed) - Number(a.changed) || b.count - a.count || (a.from + a.to < b.from + b.to ? -1 : 1));
        for (const tr of transitions) tr.share = tr.count / t.records;
        out[name] = { records: t.records, differences: t.differences, transitions };
      }
      return {
        policy: { digest: set.digest, global: who(set.global), tenants: Object.fromEntries([...set.tenants].map(([k, p]) => [k, who(p)])) },
        records,
        compared,
        unpublished,
        differences,
        identical: differences === 0,
        tenants: out,
        partitions: extra.partitions,
        elapsedSeconds: extra.elapsedSeconds,
        recordsPerSecond: extra.decideSeconds > 0 ? records / extra.decideSeconds : 0,
      };
    },
  };
}

/** The transitions table as text lines (the CLI's default output). */
export function formatReplay(s: ReplaySummary): string[] {
  const lines: string[] = [];
  lines.push(`policy set ${s.policy.digest} (global ${s.policy.global.id}@${s.policy.global.version})`);
  lines.push(`records ${s.records}, compared ${s.compared}, unpublished ${s.unpublished}, differences ${s.differences} — ${s.identical ? 'IDENTICAL' : 'DIFFERS'}`);
  for (const [tenant, t] of Object.entries(s.tenants)) {
    lines.push('');
    lines.push(`tenant ${tenant}: ${t.records} records, ${t.differences} differ`);
    lines.push(`  ${'published'.padEnd(36)} ${'replayed'.padEnd(36)} ${'count'.padStart(8)} ${'share'.padStart(7)}  examples (pcs_id @ partition:offset)`);
    for (const tr of t.transitions) {
      const ex = tr.examples.map((e) => `${e.pcs_id.slice(0, 12)}@${e.partition}:${e.offset}`).join(', ');
      lines.push(`${tr.changed ? '* ' : '  '}${tr.from.padEnd(36)} ${tr.to.padEnd(36)} ${String(tr.count).padStart(8)} ${(tr.share * 100).toFixed(1).padStart(6)}%  ${tr.changed ? ex : ''}`.trimEnd());
    }
  }
  lines.push('');
  lines.push(`replayed ${s.records} records in ${s.elapsedSeconds.toFixed(2)} s (re-deciding at ${Math.round(s.recordsPerSecond)} records/s)`);
  return lines;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A hand-written SVG bar chart: one bar per changed transition per tenant (count, with share). */
export function replaySvg(s: ReplaySummary): string {
  const rows: Array<{ text: string; count: number; share: number }> = [];
  for (const [tenant, t] of Object.entries(s.tenants)) for (const tr of t.transitions) if (tr.changed) rows.push({ text: `${tenant}: ${tr.from} → ${tr.to}`, count: tr.count, share: tr.share });
  const max = Math.max(1, ...rows.map((r) => r.count));
  const rowH = 22;
  const labelW = 460;
  const barW = 360;
  const h = 50 + Math.max(1, rows.length) * rowH;
  const bars = rows
    .map((r, i) => {
      const y = 40 + i * rowH;
      const w = Math.max(1, Math.round((r.count / max) * barW));
      return `<text x="8" y="${y + 14}" font-size="12">${esc(r.text)}</text><rect x="${labelW}" y="${y + 3}" width="${w}" height="14" fill="#d9534f"/><text x="${labelW + w + 6}" y="${y + 14}" font-size="12">${r.count} (${(r.share * 100).toFixed(1)}%)</text>`;
    })
    .join('\n  ');
  const title = `Replay under ${s.policy.global.id}@${s.policy.global.version}: ${s.differences} of ${s.compared} verdicts differ`;
  const empty = rows.length === 0 ? `<text x="8" y="54" font-size="12">no transitions: every replayed verdict equals the published one</text>` : '';
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 120}" height="${h}" font-family="sans-serif">
  <text x="8" y="22" font-size="15" font-weight="bold">${esc(title)}</text>
  ${bars}${empty}
</svg>
`;
}

export function replayHtml(s: ReplaySummary): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>flk replay ${esc(s.policy.digest)}</title></head>
<body>
<h1>flk replay: ${s.identical ? 'identical' : `${s.differences} differences`}</h1>
<img src="transitions.svg" alt="transitions">
<pre>${esc(formatReplay(s).join('\n'))}</pre>
</body></html>
`;
}
