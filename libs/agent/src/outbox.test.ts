import { describe, expect, test } from '@jest/globals';
import type { Pcs } from '@flk/pcs';
import { sampleRecord, sampleRecordV02 } from '@flk/pcs/testing';
import { createOutbox, PublishRejectedError, PublishUnavailableError, type OutboxEvent, type PcsTransport } from './index.js';

function rec(shard: string, seq: number): Pcs {
  const r = sampleRecord({ shard_id: shard, epoch: seq }, { signer: null });
  return { ...r, ft: { ...r.ft, outbox_seq: seq } };
}

/** A transport that fails according to `script` (one entry per send; undefined = acknowledge). */
function fakeTransport(script: (Error | undefined)[] = []) {
  const sent: string[][] = [];
  const acked: string[][] = [];
  const transport: PcsTransport = {
    async send(batch) {
      sent.push(batch.map((r) => `${r.shard_id}#${r.ft.outbox_seq}`));
      const err = script.shift();
      if (err) throw err;
      acked.push(batch.map((r) => `${r.shard_id}#${r.ft.outbox_seq}`));
    },
  };
  return { transport, sent, acked };
}

// No real timers: the linger never fires unless a test fires it.
const noSleep = { sleep: async () => {}, random: () => 0.5, schedule: () => () => {} };
const retry = { maxAttempts: 3, initialDelayMs: 100, maxDelayMs: 1000, multiplier: 2 };

describe('outbox', () => {
  test('batches in order; counts per shard once acknowledged', async () => {
    const t = fakeTransport();
    const ob = createOutbox({ transport: t.transport, batchSize: 2, retry, ...noSleep });
    await ob.add(rec('a', 1));
    expect(t.sent).toEqual([]);
    expect(ob.stats().pending).toBe(1);
    await ob.add(rec('b', 1));
    await ob.add(rec('a', 2));
    await ob.flush();
    expect(t.acked).toEqual([['a#1', 'b#1'], ['a#2']]);
    const s = ob.stats();
    expect(s).toMatchObject({ published: 3, unpublished: 0, pending: 0, sends: 2, retries: 0, failure: null });
    expect(s.perShard).toEqual({ a: { published: 2, unpublished: 0, lastPublishedSeq: 2 }, b: { published: 1, unpublished: 0, lastPublishedSeq: 1 } });
  });

  test('retriable failures are retried with growing, jittered delays; the same batch is re-sent', async () => {
    const delays: number[] = [];
    const events: OutboxEvent['type'][] = [];
    const t = fakeTransport([new PublishUnavailableError('down'), new PublishUnavailableError('down')]);
    const ob = createOutbox({
      transport: t.transport,
      batchSize: 2,
      retry,
      sleep: async (ms) => void delays.push(ms),
      random: () => 0.5,
      schedule: () => () => {},
      onEvent: (e) => events.push(e.type),
    });
    await ob.add(rec('a', 1));
    await ob.add(rec('a', 2));
    expect(t.sent).toEqual([['a#1', 'a#2'], ['a#1', 'a#2'], ['a#1', 'a#2']]);
    expect(delays).toEqual([75, 150]);
    expect(events).toEqual(['batch_retry', 'batch_retry', 'batch_acknowledged']);
    expect(ob.stats()).toMatchObject({ published: 2, sends: 3, retries: 2, failure: null });
  });

  test('after maxAttempts the batch and everything after it is unpublished, never silently dropped', async () => {
    const down = () => new PublishUnavailableError('broker unreachable');
    const t = fakeTransport([undefined, down(), down(), down()]);
    const notSent: string[] = [];
    const ob = createOutbox({
      transport: t.transport,
      batchSize: 2,
      retry,
      ...noSleep,
      onEvent: (e) => e.type === 'record_not_sent' && notSent.push(`${e.shard_id}#${e.outbox_seq}`),
    });
    for (let i = 1; i <= 7; i++) await ob.add(rec(i % 2 ? 'a' : 'b', i));
    await ob.flush();
    expect(t.sent.length).toBe(4); // 1 acknowledged + 3 attempts of the second batch, then no more sends
    const s = ob.stats();
    expect(s).toMatchObject({ published: 2, unpublished: 5, pending: 0, sends: 4, retries: 2 });
    expect(s.failure).toEqual({ message: 'broker unreachable', code: 'AGENT_PUBLISH_UNAVAILABLE' });
    expect(notSent).toEqual(['a#3', 'b#4', 'a#5', 'b#6', 'a#7']);
    expect(s.perShard['a']).toEqual({ published: 1, unpublished: 3, lastPublishedSeq: 1 });
    expect(s.perShard['b']).toEqual({ published: 1, unpublished: 2, lastPublishedSeq: 2 });
  });

  test('a non-retriable error is not retried', async () => {
    const t = fakeTransport([new PublishRejectedError('MESSAGE_TOO_LARGE')]);
    const ob = createOutbox({ transport: t.transport, batchSize: 1, retry, ...noSleep });
    await ob.add(rec('a', 1));
    expect(t.sent.length).toBe(1);
    expect(ob.stats()).toMatchObject({ published: 0, unpublished: 1, retries: 0 });
  });

  test('a programmer error (TypeError) is not retried either', async () => {
    const t = fakeTransport([new TypeError('boom')]);
    const ob = createOutbox({ transport: t.transport, batchSize: 1, retry, ...noSleep });
    await ob.add(rec('a', 1));
    expect(t.sent.length).toBe(1);
    expect(ob.stats().unpublished).toBe(1);
  });

  test('maxAttempts 1 means no retry', async () => {
    const t = fakeTransport([new PublishUnavailableError('x')]);
    const ob = createOutbox({ transport: t.transport, batchSize: 1, retry: { ...retry, maxAttempts: 1 }, ...noSleep });
    await ob.add(rec('a', 1));
    expect(t.sent.length).toBe(1);
    expect(ob.stats().unpublished).toBe(1);
  });

  test('a lone record leaves after lingerMs; sent_at is stamped when its batch is first sent', async () => {
    const t = fakeTransport([new PublishUnavailableError('blip')]);
    const stamps: string[] = [];
    const seen: Pcs[] = [];
    const timers: { fn: () => void; ms: number }[] = [];
    let now = Date.UTC(2025, 0, 1);
    const ob = createOutbox({
      transport: { send: async (b) => { seen.push(...b); stamps.push(...b.map((r) => r.sent_at)); now += 1000; return t.transport.send(b); } },
      batchSize: 10,
      lingerMs: 25,
      retry,
      clock: { now: () => now },
      sleep: async () => {},
      random: () => 0.5,
      schedule: (fn, ms) => {
        timers.push({ fn, ms });
        return () => {};
      },
    });
    await ob.add(rec('a', 1));
    await ob.add(rec('a', 2));
    expect(timers.map((x) => x.ms)).toEqual([25]); // one timer for the batch, not one per record
    expect(t.sent).toEqual([]);
    timers[0]!.fn();
    await ob.flush();
    expect(t.acked).toEqual([['a#1', 'a#2']]);
    // Both attempts carry the time of the first one.
    expect(stamps).toEqual(new Array(4).fill('2025-01-01T00:00:00.000Z'));
    expect(ob.stats().published).toBe(2);
  });

  test('a v0.2 record keeps the sent_at it was signed with (contract §7.2): never re-stamped', async () => {
    const sent: Pcs[] = [];
    const signed = sampleRecordV02({ sent_at: '2025-01-01T00:00:00.123Z' });
    const ob = createOutbox({ transport: { send: async (b) => void sent.push(...b) }, batchSize: 1, retry, clock: { now: () => Date.UTC(2026, 0, 1) }, ...noSleep });
    await ob.add(signed);
    await ob.flush();
    expect(sent).toEqual([signed]);
  });

  test('records added while a batch is being sent go out in the next one, in order', async () => {
    const order: string[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let first = true;
    const ob = createOutbox({
      transport: {
        async send(b) {
          order.push(b.map((r) => `${r.shard_id}#${r.ft.outbox_seq}`));
          if (first) {
            first = false;
            await gate;
          }
        },
      },
      batchSize: 2,
      retry,
      ...noSleep,
    });
    const p = ob.add(rec('a', 1)).then(() => ob.add(rec('a', 2))); // fills a batch: sending, blocked
    await new Promise((r) => setImmediate(r));
    const q = ob.add(rec('a', 3)); // queued behind the send under way
    release();
    await Promise.all([p, q, ob.flush()]);
    expect(order).toEqual([['a#1', 'a#2'], ['a#3']]);
  });

  test('a throwing event listener does not lose records', async () => {
    const t = fakeTransport();
    const ob = createOutbox({ transport: t.transport, batchSize: 1, retry, ...noSleep, onEvent: () => { throw new Error('listener bug'); } });
    await ob.add(rec('a', 1));
    expect(ob.stats().published).toBe(1);
  });

  test('invalid options', () => {
    const t = fakeTransport();
    expect(() => createOutbox({ transport: t.transport, batchSize: 0 })).toThrow(/batchSize/);
    expect(() => createOutbox({ transport: t.transport, lingerMs: -1 })).toThrow(/lingerMs/);
    expect(() => createOutbox({ transport: t.transport, retry: { ...retry, maxAttempts: 0 } })).toThrow(/maxAttempts/);
  });
});
