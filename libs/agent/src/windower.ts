// Windowing: events are cut, per shard, into consecutive windows; each window becomes one record
// (one epoch). Pure: values in, windows out, no clock (time is the events' own `ts`).
//
// A shard's open window closes
//   - when it holds `maxEvents` events (the event that fills it is its last), or
//   - with `maxSpanMs` set: when an event of that shard arrives whose ts is ≥ the window's first
//     ts + maxSpanMs (that event then opens the next window), or
//   - at the end of the stream (flush), whatever its size.
// Epochs are numbered per shard from `epochStart`, +1 per window, in the order windows close.
import type { StreamEvent } from './event.js';
import { invalidOptions } from './errors.js';

export interface WindowOptions {
  /** Events per window (≥ 1). */
  maxEvents: number;
  /** Event-time span of a window in ms (> 0); unset or 0 = count only. */
  maxSpanMs?: number;
  /** First epoch of every shard (default 1). */
  epochStart?: number;
  /** Most shards with an open window at a time; an event for one more shard is refused (default 10000). */
  maxShards?: number;
}

export interface Window {
  shard_id: string;
  tenant_id?: string;
  epoch: number;
  points: number[][];
  chunks: Uint8Array[];
  /** Event time of the first and last event (ms since the Unix epoch). */
  firstTs: number;
  lastTs: number;
  /** Input line numbers of the first and last event (for reports). */
  firstLine: number;
  lastLine: number;
}

export type PushResult =
  | { ok: true; closed: Window[] }
  | { ok: false; reason: string };

export interface Windower {
  /** Adds an event read from input line `line`; returns the windows this closed (0, 1 or — with a span — up to 2). */
  push(event: StreamEvent, line: number): PushResult;
  /** Closes every open window (end of input), in the order their shards first appeared. */
  flush(): Window[];
  /** Shards seen so far. */
  shards(): string[];
}

interface ShardState {
  nextEpoch: number;
  dims: number;
  tenant: string | undefined;
  open: Window | null;
}

export function validateWindowOptions(opts: WindowOptions): Required<WindowOptions> {
  const maxEvents = opts.maxEvents;
  const maxSpanMs = opts.maxSpanMs ?? 0;
  const epochStart = opts.epochStart ?? 1;
  const maxShards = opts.maxShards ?? 10_000;
  if (!Number.isSafeInteger(maxEvents) || maxEvents < 1) throw invalidOptions('window maxEvents must be an integer ≥ 1');
  if (!Number.isSafeInteger(maxSpanMs) || maxSpanMs < 0) throw invalidOptions('window maxSpanMs must be an integer ≥ 0');
  if (!Number.isSafeInteger(epochStart)) throw invalidOptions('epochStart must be an integer within ±(2^53 − 1)');
  if (!Number.isSafeInteger(maxShards) || maxShards < 1) throw invalidOptions('maxShards must be an integer ≥ 1');
  return { maxEvents, maxSpanMs, epochStart, maxShards };
}

export function createWindower(options: WindowOptions): Windower {
  const opts = validateWindowOptions(options);
  const shards = new Map<string, ShardState>();

  function close(state: ShardState): Window {
    const w = state.open as Window;
    state.open = null;
    return w;
  }

  return {
    push(event, line) {
      let state = shards.get(event.shard_id);
      if (state === undefined) {
        if (shards.size >= opts.maxShards) return { ok: false, reason: `too many shards (limit ${opts.maxShards})` };
        state = { nextEpoch: opts.epochStart, dims: event.point.length, tenant: event.tenant_id, open: null };
        shards.set(event.shard_id, state);
      }
      // One record's points must share a dimension, and a shard belongs to one tenant.
      if (event.point.length !== state.dims) return { ok: false, reason: `point: shard ${event.shard_id} has ${state.dims}-dimensional points` };
      if (event.tenant_id !== state.tenant) return { ok: false, reason: `tenant_id: differs from the first event of shard ${event.shard_id}` };

      const closed: Window[] = [];
      if (state.open !== null && opts.maxSpanMs > 0 && event.ts - state.open.firstTs >= opts.maxSpanMs) {
        closed.push(close(state));
      }
      if (state.open === null) {
        if (state.nextEpoch > Number.MAX_SAFE_INTEGER) return { ok: false, reason: `epoch of shard ${event.shard_id} would exceed 2^53 − 1` };
        state.open = {
          shard_id: event.shard_id,
          epoch: state.nextEpoch++,
          points: [],
          chunks: [],
          firstTs: event.ts,
          lastTs: event.ts,
          firstLine: line,
          lastLine: line,
        };
        if (state.tenant !== undefined) state.open.tenant_id = state.tenant;
      }
      const w = state.open;
      w.points.push(event.point);
      w.chunks.push(event.payload);
      w.lastTs = event.ts;
      w.lastLine = line;
      if (w.points.length >= opts.maxEvents) closed.push(close(state));
      return { ok: true, closed };
    },
    flush() {
      const out: Window[] = [];
      for (const state of shards.values()) if (state.open !== null) out.push(close(state));
      return out;
    },
    shards: () => [...shards.keys()],
  };
}
