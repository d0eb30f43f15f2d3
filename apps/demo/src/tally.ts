// Pure arithmetic of the demo's summary: verdicts in, counts, percentiles and checks out.

export type InjectedKind = 'replay' | 'tampered' | 'inconsistent' | 'malformed';

/** The fields of a decoded verdict the demo looks at. */
export interface VerdictView {
  pcs_id: string;
  status: string;
  duplicate: boolean;
  reason: string;
  reasons: string[];
  decided_at: string;
  sent_at: string | null;
  source: { topic: string; partition: number; offset: string } | null;
}

export interface Expectation {
  /** Source coordinates (`partition:offset` on the submitted topic) of each injected message. */
  injected: Map<string, InjectedKind>;
  /** Messages on the submitted topic: agent records + injected. */
  total: number;
  /** Broker append time (ms) of each submitted message, by `partition:offset` (LogAppendTime). */
  appendedAt?: ReadonlyMap<string, number>;
}

export interface Tally {
  verdicts: number;
  /** By status, duplicates excluded (a duplicate carries its original's status). */
  accepted: number;
  escalated: number;
  rejected: number;
  duplicates: number;
  reasons: Record<string, number>;
  /** sent_at → decided_at of accepted/escalated non-duplicates, ms, sorted. */
  latenciesMs: number[];
  /** The verifier's part of it: broker append → decided_at, same verdicts, ms, sorted. */
  verifierLatenciesMs: number[];
  firstDecidedMs: number | null;
  lastDecidedMs: number | null;
  /** Verdicts of injected messages, by kind: what each got. */
  injected: Record<InjectedKind, { count: number; outcomes: Record<string, number> }>;
  /** Verdicts whose source was seen twice (must stay 0: one verdict per input message). */
  repeatedSources: number;
}

export function outcomeOf(v: VerdictView): string {
  if (v.duplicate) return 'duplicate';
  return v.status === 'accepted' ? 'accepted' : `${v.status}:${v.reason}`;
}

export function tallyVerdicts(verdicts: readonly VerdictView[], expect: Expectation): Tally {
  const t: Tally = {
    verdicts: verdicts.length,
    accepted: 0,
    escalated: 0,
    rejected: 0,
    duplicates: 0,
    reasons: {},
    latenciesMs: [],
    verifierLatenciesMs: [],
    firstDecidedMs: null,
    lastDecidedMs: null,
    injected: {
      replay: { count: 0, outcomes: {} },
      tampered: { count: 0, outcomes: {} },
      inconsistent: { count: 0, outcomes: {} },
      malformed: { count: 0, outcomes: {} },
    },
    repeatedSources: 0,
  };
  const seen = new Set<string>();
  for (const v of verdicts) {
    if (v.duplicate) t.duplicates++;
    else if (v.status === 'accepted') t.accepted++;
    else if (v.status === 'escalated') t.escalated++;
    else t.rejected++;
    if (!v.duplicate && v.status !== 'accepted') {
      for (const r of v.reasons.length > 0 ? v.reasons : [v.reason]) t.reasons[r] = (t.reasons[r] ?? 0) + 1;
    }
    const decided = Date.parse(v.decided_at);
    if (Number.isFinite(decided) && !v.duplicate) {
      t.firstDecidedMs = t.firstDecidedMs === null ? decided : Math.min(t.firstDecidedMs, decided);
      t.lastDecidedMs = t.lastDecidedMs === null ? decided : Math.max(t.lastDecidedMs, decided);
    }
    const sent = v.sent_at === null ? NaN : Date.parse(v.sent_at);
    if (!v.duplicate && v.status !== 'rejected' && Number.isFinite(sent) && Number.isFinite(decided)) {
      t.latenciesMs.push(Math.max(0, decided - sent));
      const appended = v.source === null ? undefined : expect.appendedAt?.get(`${v.source.partition}:${v.source.offset}`);
      if (appended !== undefined) t.verifierLatenciesMs.push(Math.max(0, decided - appended));
    }
    if (v.source !== null) {
      const at = `${v.source.partition}:${v.source.offset}`;
      if (seen.has(at)) t.repeatedSources++;
      seen.add(at);
      const kind = expect.injected.get(at);
      if (kind !== undefined) {
        const slot = t.injected[kind];
        slot.count++;
        const o = outcomeOf(v);
        slot.outcomes[o] = (slot.outcomes[o] ?? 0) + 1;
      }
    }
  }
  t.latenciesMs.sort((a, b) => a - b);
  t.verifierLatenciesMs.sort((a, b) => a - b);
  return t;
}

/** Nearest-rank percentile (p in (0, 100]) of sorted values; null when empty. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

export interface Check {
  ok: boolean;
  text: string;
}

/** What the demo promises; each check names what it saw when it fails. */
export function checks(t: Tally, expect: Expectation, kinds: Record<InjectedKind, number>, dlq: number): Check[] {
  const all = (kind: InjectedKind, pred: (outcome: string) => boolean) =>
    t.injected[kind].count === kinds[kind] && Object.entries(t.injected[kind].outcomes).every(([o]) => pred(o));
  const seen = (kind: InjectedKind) => JSON.stringify(t.injected[kind].outcomes);
  return [
    { ok: t.verdicts === expect.total && t.repeatedSources === 0, text: `one verdict per submitted message (${t.verdicts}/${expect.total})` },
    { ok: all('replay', (o) => o === 'duplicate'), text: `replayed records flagged duplicate ${seen('replay')}` },
    { ok: all('tampered', (o) => o === 'rejected:signature'), text: `tampered records rejected for their signature ${seen('tampered')}` },
    { ok: all('inconsistent', (o) => o.startsWith('escalated:')), text: `signed but inconsistent records escalated ${seen('inconsistent')}` },
    { ok: all('malformed', (o) => o.startsWith('rejected:malformed:')) && dlq === kinds.malformed, text: `malformed messages rejected and in the DLQ (${dlq}/${kinds.malformed})` },
  ];
}

/** Prometheus text → sum of every sample of `name` (all label sets), or null when absent. */
export function metricSum(text: string, name: string): number | null {
  let sum: number | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) sum = (sum ?? 0) + Number(m[3]);
  }
  return sum;
}
