import { describe, expect, test } from '@jest/globals';
import { buildPcs, parsePcsJson } from '@flk/pcs';
import { sampleStream, shardName, profileOf } from './sample.js';

function windows(lines: string[], window: number): Map<string, { points: number[][]; chunks: Uint8Array[] }[]> {
  const byShard = new Map<string, { points: number[][]; chunks: Uint8Array[] }[]>();
  for (const l of lines) {
    let e: { shard_id: string; point: number[]; payload?: string; payload_b64?: string };
    try {
      e = JSON.parse(l);
    } catch {
      continue;
    }
    if (!Array.isArray(e.point)) continue;
    const ws = byShard.get(e.shard_id) ?? [];
    if (ws.length === 0 || ws[ws.length - 1]!.points.length === window) ws.push({ points: [], chunks: [] });
    const w = ws[ws.length - 1]!;
    w.points.push(e.point);
    w.chunks.push(e.payload !== undefined ? new TextEncoder().encode(e.payload) : Buffer.from(e.payload_b64 ?? '', 'base64'));
    byShard.set(e.shard_id, ws);
  }
  return byShard;
}

describe('sample stream', () => {
  const opts = { shards: 4, eventsPerShard: 1000, window: 1000, seed: 7, tenant: 'acme' };

  test('deterministic: same options, same lines', () => {
    const a = [...sampleStream(opts)];
    expect([...sampleStream(opts)]).toEqual(a);
    expect([...sampleStream({ ...opts, seed: 8 })]).not.toEqual(a);
    expect(a.length).toBe(4000);
  });

  test('every shard gets its events in time order; odd shards carry the tenant', () => {
    const last = new Map<string, number>();
    for (const l of sampleStream(opts)) {
      const e = JSON.parse(l) as { shard_id: string; ts: string; tenant_id?: string };
      const t = Date.parse(e.ts);
      expect(t).toBeGreaterThanOrEqual(last.get(e.shard_id) ?? 0);
      last.set(e.shard_id, t);
      expect(e.tenant_id).toBe(['shard-002', 'shard-004'].includes(e.shard_id) ? 'acme' : undefined);
    }
    expect([...last.keys()].sort()).toEqual(['shard-001', 'shard-002', 'shard-003', 'shard-004']);
  });

  test('bad lines are mixed in on request', () => {
    const lines = [...sampleStream({ ...opts, badLines: 3 })];
    const bad = lines.filter((l) => {
      try {
        return typeof JSON.parse(l).ts !== 'string' || Number.isNaN(Date.parse(JSON.parse(l).ts));
      } catch {
        return true;
      }
    });
    expect(lines.length - 4000).toBe(bad.length);
    expect(bad.length).toBeGreaterThanOrEqual(1);
  });

  test('profiles give the regimes they promise (non_sticky exactly, by construction)', () => {
    const ws = windows([...sampleStream(opts)], opts.window);
    const regimes: Record<string, string[]> = {};
    for (let s = 0; s < opts.shards; s++) {
      regimes[profileOf(s)] = ws.get(shardName(s))!.map((w, i) => {
        const rec = buildPcs({ shard_id: shardName(s), epoch: i + 1, seed: 42, sent_at: '2025-01-01T00:00:00Z', points: w.points, chunks: w.chunks });
        if (profileOf(s) === 'non_sticky') expect(rec.N_j).toEqual({ '2': 2, '4': 14, '8': 98, '16': 686, '32': 686 });
        expect(parsePcsJson(JSON.stringify(rec)).ok).toBe(true);
        return rec.regime;
      });
    }
    expect(regimes).toEqual({ sticky: ['sticky'], mixed: ['mixed'], non_sticky: ['non_sticky'], drifting: ['sticky'] });
  });
});
