import { describe, expect, test } from '@jest/globals';
import { createWindower, type StreamEvent } from './index.js';

const T0 = Date.UTC(2025, 0, 1);
function ev(shard: string, i: number, extra: Partial<StreamEvent> = {}): StreamEvent {
  return { shard_id: shard, ts: T0 + i * 1000, point: [i, i * 2], payload: new Uint8Array([i & 255]), ...extra };
}

describe('windower', () => {
  test('count windows per shard, epochs from epochStart, interleaved shards', () => {
    const w = createWindower({ maxEvents: 3, epochStart: 10 });
    const closed = [];
    for (let i = 0; i < 7; i++) {
      for (const shard of ['a', 'b']) {
        const r = w.push(ev(shard, i), closed.length + 1);
        expect(r.ok).toBe(true);
        if (r.ok) closed.push(...r.closed);
      }
    }
    expect(closed.map((c) => `${c.shard_id}:${c.epoch}:${c.points.length}`)).toEqual(['a:10:3', 'b:10:3', 'a:11:3', 'b:11:3']);
    const rest = w.flush();
    expect(rest.map((c) => `${c.shard_id}:${c.epoch}:${c.points.length}`)).toEqual(['a:12:1', 'b:12:1']);
    expect(w.flush()).toEqual([]);
    expect(w.shards()).toEqual(['a', 'b']);
  });

  test('a window keeps points, chunks, times and line numbers in order', () => {
    const w = createWindower({ maxEvents: 2 });
    w.push(ev('a', 1), 5);
    const r = w.push(ev('a', 2), 9);
    expect(r.ok && r.closed).toEqual([
      { shard_id: 'a', epoch: 1, points: [[1, 2], [2, 4]], chunks: [new Uint8Array([1]), new Uint8Array([2])], firstTs: T0 + 1000, lastTs: T0 + 2000, firstLine: 5, lastLine: 9 },
    ]);
  });

  test('time windows: an event at or past first ts + span opens the next window', () => {
    const w = createWindower({ maxEvents: 100, maxSpanMs: 3000 });
    const epochs: number[][] = [];
    for (const i of [0, 1, 2, 3, 4, 10, 11]) {
      const r = w.push(ev('a', i), i + 1);
      if (r.ok) for (const c of r.closed) epochs.push(c.points.map((p) => p[0] as number));
    }
    for (const c of w.flush()) epochs.push(c.points.map((p) => p[0] as number));
    expect(epochs).toEqual([[0, 1, 2], [3, 4], [10, 11]]);
  });

  test('count and time together', () => {
    const w = createWindower({ maxEvents: 2, maxSpanMs: 5000 });
    const sizes: number[] = [];
    for (const i of [0, 1, 2, 9]) {
      const r = w.push(ev('a', i), i);
      if (r.ok) sizes.push(...r.closed.map((c) => c.points.length));
    }
    sizes.push(...w.flush().map((c) => c.points.length));
    expect(sizes).toEqual([2, 1, 1]);
  });

  test('a shard keeps one point dimension and one tenant; refused events change nothing', () => {
    const w = createWindower({ maxEvents: 2 });
    expect(w.push(ev('a', 1, { tenant_id: 't1' }), 1).ok).toBe(true);
    expect(w.push(ev('a', 2, { point: [1, 2, 3] }), 2)).toEqual({ ok: false, reason: 'point: shard a has 2-dimensional points' });
    expect(w.push(ev('a', 3), 3)).toEqual({ ok: false, reason: 'tenant_id: differs from the first event of shard a' });
    expect(w.push(ev('a', 4, { tenant_id: 't2' }), 4).ok).toBe(false);
    const r = w.push(ev('a', 5, { tenant_id: 't1' }), 5);
    expect(r.ok && r.closed.map((c) => [c.tenant_id, c.points.length, c.firstLine, c.lastLine])).toEqual([['t1', 2, 1, 5]]);
  });

  test('shard limit', () => {
    const w = createWindower({ maxEvents: 5, maxShards: 2 });
    expect(w.push(ev('a', 1), 1).ok).toBe(true);
    expect(w.push(ev('b', 1), 2).ok).toBe(true);
    expect(w.push(ev('c', 1), 3)).toEqual({ ok: false, reason: 'too many shards (limit 2)' });
    expect(w.push(ev('a', 2), 4).ok).toBe(true);
  });

  test('invalid options throw', () => {
    expect(() => createWindower({ maxEvents: 0 })).toThrow(/maxEvents/);
    expect(() => createWindower({ maxEvents: 1.5 })).toThrow(/maxEvents/);
    expect(() => createWindower({ maxEvents: 1, maxSpanMs: -1 })).toThrow(/maxSpanMs/);
    expect(() => createWindower({ maxEvents: 1, epochStart: 2 ** 53 })).toThrow(/epochStart/);
  });
});
