import { describe, expect, test } from '@jest/globals';
import { createDecideConfig, createKeyRing, createHmacSigner, decide, type Pcs } from '@flk/pcs';
import { createOutbox, createSequencer, PublishUnavailableError, runAgent, type AgentEvent, type PcsTransport } from './index.js';

const KEY = 'agent-unit-test-key';

function lines(shards: string[], perShard: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < perShard; i++) {
    for (const s of shards) {
      const t = new Date(Date.UTC(2025, 0, 1) + i * 100).toISOString();
      out.push(JSON.stringify({ shard_id: s, ts: t, point: [Math.sin(i), Math.cos(i), i / perShard], payload: `event ${i} of ${s}` }));
    }
  }
  return out;
}

function capture(fail: (Error | undefined)[] = []) {
  const records: Pcs[] = [];
  const transport: PcsTransport = {
    async send(batch) {
      const err = fail.shift();
      if (err) throw err;
      records.push(...batch);
    },
  };
  return { records, transport };
}

const clock = { now: () => Date.UTC(2025, 5, 1, 12) };
const noSleep = async () => {};

describe('runAgent', () => {
  test('windows per shard into signed records; outbox_seq 1, 2, 3 … per shard in publish order', async () => {
    const c = capture();
    const outbox = createOutbox({ transport: c.transport, batchSize: 4, clock });
    const summary = await runAgent(lines(['s1', 's2', 's3'], 25), { window: { maxEvents: 10 }, seed: 42, signer: createHmacSigner(KEY), outbox, clock });
    expect(summary).toMatchObject({ lines: 75, events: 75, badLines: 0, records: 9, published: 9, unpublished: 0, ok: true, publishFailure: null });
    for (const s of ['s1', 's2', 's3']) {
      const mine = c.records.filter((r) => r.shard_id === s);
      expect(mine.map((r) => r.ft.outbox_seq)).toEqual([1, 2, 3]);
      expect(mine.map((r) => r.epoch)).toEqual([1, 2, 3]);
      expect(summary.perShard[s]).toMatchObject({ events: 25, records: 3, published: 3, unpublished: 0, lastPublishedSeq: 3 });
    }
    const ring = createKeyRing({ alg: 'hmac', hmacKeys: [KEY] });
    for (const r of c.records) {
      expect(r.sent_at).toBe('2025-06-01T12:00:00.000Z');
      expect(r.sig).toEqual(expect.any(String));
      const v = decide(r, createDecideConfig({ v01: ring }), null, { decidedAt: r.sent_at, source: null });
      expect(v.status).toBe('accepted');
    }
  });

  test('the same input gives the same pcs_ids (a re-run is deduplicated downstream)', async () => {
    const run = async () => {
      const c = capture();
      await runAgent(lines(['a', 'b'], 30), { window: { maxEvents: 7 }, seed: 1, outbox: createOutbox({ transport: c.transport }) });
      return c.records.map((r) => r.pcs_id);
    };
    const first = await run();
    expect(first.length).toBe(10);
    expect(new Set(first).size).toBe(10);
    expect(await run()).toEqual(first);
  });

  test('bad lines are counted with their line numbers, never fatal; blank lines skipped', async () => {
    const good = lines(['a'], 4);
    const input = [good[0]!, '{oops', '', good[1]!, '{"shard_id":"a","ts":"2025-01-01T00:00:00Z","point":[1,2],"payload":"x"}', good[2]!, '   ', good[3]!];
    const events: AgentEvent[] = [];
    const c = capture();
    const summary = await runAgent(input, { window: { maxEvents: 100 }, seed: 1, outbox: createOutbox({ transport: c.transport }), onEvent: (e) => events.push(e) });
    expect(summary).toMatchObject({ lines: 8, blankLines: 2, events: 4, badLines: 2, records: 1, published: 1, ok: true });
    expect(summary.badLineSamples).toEqual([
      { line: 2, reason: 'not valid JSON' },
      { line: 5, reason: 'point: shard a has 3-dimensional points' },
    ]);
    expect(events.filter((e) => e.type === 'bad_line').length).toBe(2);
    expect(c.records[0]!.N_j).toBeDefined();
  });

  test('only the first maxBadLinesReported bad lines are kept, all are counted', async () => {
    const c = capture();
    const summary = await runAgent(new Array(10).fill('nope'), { window: { maxEvents: 2 }, seed: 1, outbox: createOutbox({ transport: c.transport }), maxBadLinesReported: 3 });
    expect(summary.badLines).toBe(10);
    expect(summary.badLineSamples.map((b) => b.line)).toEqual([1, 2, 3]);
    expect(summary.records).toBe(0);
    expect(summary.ok).toBe(true);
  });

  test('async iterables of lines and CRLF endings', async () => {
    async function* gen() {
      for (const l of lines(['a'], 5)) yield `${l}\r`;
    }
    const c = capture();
    const summary = await runAgent(gen(), { window: { maxEvents: 2 }, seed: 1, outbox: createOutbox({ transport: c.transport }) });
    expect(summary).toMatchObject({ events: 5, records: 3, published: 3 });
  });

  test('unpublished records are reported per shard and make the run not ok', async () => {
    const down = () => new PublishUnavailableError('ECONNREFUSED');
    const c = capture([down(), down()]);
    const outbox = createOutbox({ transport: c.transport, batchSize: 2, retry: { maxAttempts: 2, initialDelayMs: 1, maxDelayMs: 1, multiplier: 1 }, sleep: noSleep });
    const summary = await runAgent(lines(['a', 'b'], 9), { window: { maxEvents: 3 }, seed: 1, outbox });
    expect(summary).toMatchObject({ records: 6, published: 0, unpublished: 6, ok: false });
    expect(summary.publishFailure).toMatch(/ECONNREFUSED/);
    expect(summary.perShard['a']).toMatchObject({ records: 3, published: 0, unpublished: 3, lastPublishedSeq: 0 });
  });

  test('abort stops reading; what was read is still published', async () => {
    const ac = new AbortController();
    const input = lines(['a'], 10);
    async function* gen() {
      for (const [i, l] of input.entries()) {
        if (i === 4) ac.abort();
        yield l;
      }
    }
    const c = capture();
    const summary = await runAgent(gen(), { window: { maxEvents: 3 }, seed: 1, outbox: createOutbox({ transport: c.transport }), signal: ac.signal });
    expect(summary).toMatchObject({ aborted: true, events: 4, records: 2, published: 2 });
  });

  test('regimes are tallied per shard', async () => {
    const c = capture();
    const summary = await runAgent(lines(['a'], 20), { window: { maxEvents: 10 }, seed: 1, outbox: createOutbox({ transport: c.transport }) });
    const reg = summary.perShard['a']!.regimes;
    expect(reg.sticky + reg.mixed + reg.non_sticky).toBe(2);
    expect(c.records.map((r) => r.regime).sort()).toEqual(
      Object.entries(reg).flatMap(([k, n]) => new Array<string>(n).fill(k)).sort(),
    );
  });
});

describe('createSequencer', () => {
  test('per shard, from start', () => {
    const s = createSequencer(5);
    expect([s.next('a'), s.next('b'), s.next('a'), s.next('a')]).toEqual([5, 5, 6, 7]);
    expect(() => createSequencer(-1)).toThrow(/outboxSeqStart/);
  });
});
