// The agent pipeline: lines → events → windows → signed records → outbox. Pure apart from the
// injected outbox (whose transport does the I/O) and clock; the app supplies the lines.
import { buildPcs, FlkPcsError, PCS_VERSION_V02, systemClock, type Clock, type DecisionParams, type Pcs, type PcsVersion, type Regime, type Signer } from '@flk/pcs';
import { parseEventLine } from './event.js';
import { invalidOptions } from './errors.js';
import type { Outbox } from './outbox.js';
import { createWindower, type Window, type WindowOptions } from './windower.js';

export interface AgentOptions {
  window: WindowOptions;
  /** Seeds the coh★ directions of every record (contract §3). */
  seed: number;
  /** Signs every record; unset = unsigned records (PCS_SIGN_ALG=none). */
  signer?: Signer;
  /**
   * Contract version of the records (default '0.2' when `tenantId` is given, else '0.1'; the app
   * defaults to '0.2' and requires the tenant). v0.2 (the whole record signed, §7) needs
   * `tenantId` (every record's tenant_id; an event naming another tenant fails its window) and
   * `keyId` (the signing key's id in the verifiers' ring).
   */
  version?: PcsVersion;
  tenantId?: string;
  keyId?: string;
  scales?: number[];
  params?: DecisionParams;
  outbox: Outbox;
  /** ft.outbox_seq of each shard's first record (default 1). */
  outboxSeqStart?: number;
  clock?: Clock;
  onEvent?: (e: AgentEvent) => void;
  /** Bad lines kept (with line number and reason) in the summary; all are counted (default 100). */
  maxBadLinesReported?: number;
  /** Aborting stops reading input; what was read is windowed, built and published as at end of input. */
  signal?: AbortSignal;
}

export type AgentEvent =
  | { type: 'bad_line'; line: number; reason: string }
  | { type: 'record_built'; pcs_id: string; shard_id: string; epoch: number; outbox_seq: number; events: number; regime: Regime }
  | { type: 'window_failed'; shard_id: string; epoch: number; firstLine: number; lastLine: number; reason: string };

export interface ShardSummary {
  events: number;
  records: number;
  published: number;
  unpublished: number;
  /** ft.outbox_seq of the shard's last acknowledged record (0 = none). */
  lastPublishedSeq: number;
  regimes: Record<Regime, number>;
}

export interface AgentSummary {
  /** Lines read, blank ones included. */
  lines: number;
  blankLines: number;
  events: number;
  badLines: number;
  badLineSamples: { line: number; reason: string }[];
  /** Records built and handed to the outbox. */
  records: number;
  published: number;
  unpublished: number;
  /** Windows whose record could not be built (their events are in no record). */
  failedWindows: { shard_id: string; epoch: number; firstLine: number; lastLine: number; reason: string }[];
  perShard: Record<string, ShardSummary>;
  /** Why publishing stopped, or null. */
  publishFailure: string | null;
  /** True when the signal stopped the input early. */
  aborted: boolean;
  /** True when every record built was acknowledged and every window could be built. */
  ok: boolean;
}

/** Per-shard ft.outbox_seq: start, start + 1, … in the order records enter the outbox (= publish order). */
export function createSequencer(start = 1): { next(shard: string): number } {
  if (!Number.isSafeInteger(start) || start < 0) throw invalidOptions('outboxSeqStart must be an integer ≥ 0');
  const last = new Map<string, number>();
  return {
    next(shard) {
      const n = (last.get(shard) ?? start - 1) + 1;
      last.set(shard, n);
      return n;
    },
  };
}

/** Stands for an input line the reader cut off because it was longer than it accepts (reported as bad). */
export const OVERSIZED_LINE: unique symbol = Symbol('flk.agent.oversized-line');
export type InputLine = string | typeof OVERSIZED_LINE;

export async function runAgent(lines: AsyncIterable<InputLine> | Iterable<InputLine>, opts: AgentOptions): Promise<AgentSummary> {
  const windower = createWindower(opts.window);
  const seq = createSequencer(opts.outboxSeqStart ?? 1);
  const clock = opts.clock ?? systemClock;
  const emit = opts.onEvent ?? (() => {});
  const maxSamples = opts.maxBadLinesReported ?? 100;
  if (!Number.isSafeInteger(opts.seed)) throw invalidOptions('seed must be an integer within ±(2^53 − 1)');
  const version: PcsVersion = opts.version ?? (opts.tenantId !== undefined ? PCS_VERSION_V02 : '0.1');
  const v02 = version === PCS_VERSION_V02;
  if (v02 && opts.tenantId === undefined) throw invalidOptions('a v0.2 agent needs tenantId (§7.1)');

  const summary: AgentSummary = {
    lines: 0,
    blankLines: 0,
    events: 0,
    badLines: 0,
    badLineSamples: [],
    records: 0,
    published: 0,
    unpublished: 0,
    failedWindows: [],
    perShard: {},
    publishFailure: null,
    aborted: false,
    ok: false,
  };
  const shard = (id: string): ShardSummary =>
    (summary.perShard[id] ??= { events: 0, records: 0, published: 0, unpublished: 0, lastPublishedSeq: 0, regimes: { sticky: 0, mixed: 0, non_sticky: 0 } });

  function bad(line: number, reason: string): void {
    summary.badLines++;
    if (summary.badLineSamples.length < maxSamples) summary.badLineSamples.push({ line, reason });
    emit({ type: 'bad_line', line, reason });
  }

  async function publish(w: Window): Promise<void> {
    let rec: Pcs;
    try {
      // v0.2: the key is bound to one tenant (§7.3), so every record carries the agent's tenant.
      if (v02 && w.tenant_id !== undefined && w.tenant_id !== opts.tenantId) throw new FlkPcsError('PCS_INVALID_ARGUMENT', `tenant_id '${w.tenant_id}' of the events is not the agent's tenant`);
      rec = buildPcs(
        {
          shard_id: w.shard_id,
          epoch: w.epoch,
          seed: opts.seed,
          sent_at: new Date(clock.now()).toISOString(),
          points: w.points,
          chunks: w.chunks,
          ...(opts.scales ? { scales: opts.scales } : {}),
          version,
          ...(v02 ? { tenant_id: opts.tenantId! } : w.tenant_id !== undefined ? { tenant_id: w.tenant_id } : {}),
          ...(v02 && opts.keyId !== undefined ? { key_id: opts.keyId } : {}),
          // outbox_seq is signed in v0.2 (not in v0.1): it is fixed before signing.
          outbox_seq: seq.next(w.shard_id),
        },
        opts.signer,
        opts.params,
      );
    } catch (err) {
      if (!(err instanceof FlkPcsError)) throw err;
      const failed = { shard_id: w.shard_id, epoch: w.epoch, firstLine: w.firstLine, lastLine: w.lastLine, reason: err.message };
      summary.failedWindows.push(failed);
      emit({ type: 'window_failed', ...failed });
      return;
    }
    summary.records++;
    const s = shard(w.shard_id);
    s.records++;
    s.regimes[rec.regime]++;
    emit({ type: 'record_built', pcs_id: rec.pcs_id, shard_id: rec.shard_id, epoch: rec.epoch, outbox_seq: rec.ft.outbox_seq, events: w.points.length, regime: rec.regime });
    await opts.outbox.add(rec);
  }

  for await (const raw of lines) {
    if (opts.signal?.aborted) {
      summary.aborted = true;
      break;
    }
    const lineNo = ++summary.lines;
    if (raw === OVERSIZED_LINE) {
      bad(lineNo, 'line too long');
      continue;
    }
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') {
      summary.blankLines++;
      continue;
    }
    const parsed = parseEventLine(line);
    if (!parsed.ok) {
      bad(lineNo, parsed.reason);
      continue;
    }
    const pushed = windower.push(parsed.event, lineNo);
    if (!pushed.ok) {
      bad(lineNo, pushed.reason);
      continue;
    }
    summary.events++;
    shard(parsed.event.shard_id).events++;
    for (const w of pushed.closed) await publish(w);
  }
  for (const w of windower.flush()) await publish(w);
  await opts.outbox.flush();

  const stats = opts.outbox.stats();
  summary.published = stats.published;
  summary.unpublished = stats.unpublished;
  summary.publishFailure = stats.failure?.message ?? null;
  for (const [id, s] of Object.entries(stats.perShard)) {
    const mine = shard(id);
    mine.published = s.published;
    mine.unpublished = s.unpublished;
    mine.lastPublishedSeq = s.lastPublishedSeq;
  }
  summary.ok = summary.unpublished === 0 && summary.failedWindows.length === 0 && summary.published === summary.records;
  return summary;
}
