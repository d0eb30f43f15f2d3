import { afterEach, describe, expect, test } from '@jest/globals';
import type { ConsumedRecord } from '@flk/kafka';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { type AuditLog, openAuditLog, readAuditTail, verifyAuditDir } from '@flk/audit';
import { type BatchControl, createSinkBatchHandler, planSeeks, type SinkEvent, type VerdictDecoder } from './processor.js';

// The batch logic against a fake consumer and decoder, with a real audit log in a tmp dir.

const TOPIC = 'pcs.verdicts';
const dirs: string[] = [];
const logs: AuditLog[] = [];
async function freshLog(dir?: string): Promise<{ dir: string; log: AuditLog }> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'flk-sink-')));
  if (!dir) dirs.push(d);
  const log = await openAuditLog({ dir: d });
  logs.push(log);
  return { dir: d, log };
}
afterEach(async () => {
  await Promise.all(logs.splice(0).map((l) => l.close()));
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

const verdict = (i: number) => ({ pcs_id: `p${i}`, status: 'accepted', reason: 'ok', reasons: [], duplicate: false, tenant_id: null });
const rec = (r: Pick<ConsumedRecord, 'offset' | 'key' | 'value'> & Partial<ConsumedRecord>): ConsumedRecord => ({ topic: TOPIC, partition: 0, timestamp: '0', ...r });
const msg = (offset: number, value: string | null = JSON.stringify(verdict(offset))): ConsumedRecord => rec({
  offset: String(offset),
  key: Buffer.from(`p${offset}`),
  value: value === null ? null : Buffer.from(value),
});
const msgs = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

/** JSON bodies decode; "garbage" is malformed; `failures` calls throw a retriable error first. */
function fakeDecoder(failures = 0): VerdictDecoder & { calls: number } {
  const d = {
    calls: 0,
    async decodeVerdict(m: Buffer | null) {
      d.calls++;
      if (failures-- > 0) throw Object.assign(new Error('registry down'), { retriable: true });
      try {
        return { ok: true as const, value: JSON.parse(m!.toString()) as Record<string, unknown>, schemaId: 1 };
      } catch {
        return { ok: false as const, reason: 'malformed:avro' };
      }
    },
  };
  return d;
}

function fakeControl(running = () => true): BatchControl & { commits: string[]; seeks: string[]; heartbeats: number; onCommit?: (o: string) => Promise<void> } {
  const c = {
    commits: [] as string[],
    seeks: [] as string[],
    heartbeats: 0,
    onCommit: undefined as undefined | ((o: string) => Promise<void>),
    isRunning: running,
    async heartbeat() {
      c.heartbeats++;
    },
    async commit(o: string) {
      await c.onCommit?.(o);
      c.commits.push(o);
    },
    seek(o: string) {
      c.seeks.push(o);
    },
  };
  return c;
}

describe('batch processor', () => {
  test('appends every message once, durably, and commits only after the append', async () => {
    const { dir, log } = await freshLog();
    const observed: unknown[] = [];
    const p = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(), observe: (v) => observed.push(v) });
    const ctl = fakeControl();
    ctl.onCommit = async (o) => {
      expect((await readAuditTail(dir)).positions).toContainEqual({ topic: TOPIC, partition: 0, offset: o }); // already on disk
    };
    await p.handle({ topic: TOPIC, partition: 0, records: msgs(0, 4) }, ctl);
    await p.handle({ topic: TOPIC, partition: 0, records: [msg(6), msg(9)] }, ctl); // gaps (transaction markers) are fine
    expect(ctl.commits).toEqual(['4', '9']);
    expect(observed).toHaveLength(7);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 7 });
  });

  test('a record\'s well-formed traceparent header goes onto its audit line; a malformed or absent one is null', async () => {
    const { dir, log } = await freshLog();
    const p = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(), observe: () => undefined });
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const withHeader = (offset: number, value: string | Buffer) => ({ ...msg(offset), headers: { traceparent: value } });
    await p.handle({ topic: TOPIC, partition: 0, records: [withHeader(0, Buffer.from(tp)), withHeader(1, 'not-a-traceparent'), msg(2)] }, fakeControl());
    const lines = (await readFile(join(dir, 'audit-00000000000000000000.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as { traceparent?: string | null });
    expect(lines.map((l) => l.traceparent ?? null)).toEqual([tp, null, null]);
  });

  test('values the PII gate flagged (verdict.pii) are redacted in the audit line and its key; metrics get the verdict', async () => {
    const { dir, log } = await freshLog();
    const observed: unknown[] = [];
    const p = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(), observe: (v) => observed.push(v) });
    const flagged = { ...verdict(0), tenant_id: 'bob@example.com', pii: ['tenant_id'] };
    await p.handle({ topic: TOPIC, partition: 0, records: [rec({ offset: '0', key: Buffer.from('bob@example.com/p0'), value: Buffer.from(JSON.stringify(flagged)) }), msg(1)] }, fakeControl());
    const text = (await readFile(join(dir, (await readdir(dir)).find((f) => f.endsWith('.jsonl'))!), 'utf8'));
    expect(text).not.toContain('bob@example.com');
    expect(text).toContain('"key":"[redacted]/p0"');
    expect(text).toContain('"tenant_id":"[redacted]"');
    expect(observed[0]).toEqual(flagged);
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 2 });
  });

  test('messages the log already holds are skipped (a restart between append and commit)', async () => {
    const { dir, log } = await freshLog();
    const p1 = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(), observe: () => undefined });
    const crashed = fakeControl();
    crashed.onCommit = async () => {
      throw new Error('killed before the commit');
    };
    await expect(p1.handle({ topic: TOPIC, partition: 2, records: msgs(0, 4) }, crashed)).rejects.toThrow('killed');
    await log.close();

    const { log: reopened } = await freshLog(dir);
    const observed: unknown[] = [];
    const events: SinkEvent[] = [];
    const p2 = createSinkBatchHandler({ audit: reopened, decoder: fakeDecoder(), observe: (v) => observed.push(v), onEvent: (e) => events.push(e) });
    const ctl = fakeControl();
    await p2.handle({ topic: TOPIC, partition: 2, records: msgs(2, 7) }, ctl); // redelivered from the old commit
    expect(ctl.commits).toEqual(['7']);
    expect(observed).toHaveLength(3); // 5, 6, 7 only: metrics do not count what was logged before
    expect(events).toContainEqual({ type: 'batch_logged', topic: TOPIC, partition: 2, lines: 3, skipped: 3, firstOffset: '5', lastOffset: '7' });
    expect(await verifyAuditDir(dir)).toMatchObject({ ok: true, lines: 8 });
  });

  test('a batch wholly in the log is committed and the partition jumps past the log', async () => {
    const { log } = await freshLog();
    await log.append(msgs(0, 9).map((m) => ({ topic: TOPIC, partition: 1, offset: m.offset, key: null, verdict: {}, error: null })));
    const decoder = fakeDecoder();
    const p = createSinkBatchHandler({ audit: log, decoder, observe: () => undefined });
    const ctl = fakeControl();
    await p.handle({ topic: TOPIC, partition: 1, records: msgs(0, 3) }, ctl);
    expect(ctl.commits).toEqual(['3']);
    expect(ctl.seeks).toEqual(['10']);
    await p.handle({ topic: TOPIC, partition: 1, records: msgs(7, 9) }, ctl);
    expect(ctl.seeks).toEqual(['10']); // already at the end of the log: no seek
    expect(decoder.calls).toBe(0);
    expect(log.nextSeq).toBe(10);
  });

  test('an undecodable message is logged with its error (verdict null) and counted as ingested', async () => {
    const { dir, log } = await freshLog();
    const observed: unknown[] = [];
    const p = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(), observe: (v) => observed.push(v) });
    await p.handle({ topic: TOPIC, partition: 0, records: [msg(0), msg(1, 'garbage'), rec({ offset: '2', key: Buffer.from([0xff]), value: null })] }, fakeControl());
    expect(observed).toEqual([verdict(0), null, null]);
    await log.close();
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(join(dir, 'audit-00000000000000000000.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1]).toMatchObject({ offset: '1', key: 'p1', verdict: null, error: 'malformed:avro' });
    expect(lines[2]).toMatchObject({ offset: '2', key: 'b64:/w==', verdict: null, error: 'malformed:avro' });
  });

  test('registry unavailable: back off, heartbeat, retry; stopping meanwhile writes and commits nothing', async () => {
    const { log } = await freshLog();
    const events: SinkEvent[] = [];
    const sleeps: number[] = [];
    const p = createSinkBatchHandler({
      audit: log, decoder: fakeDecoder(3), observe: () => undefined, onEvent: (e) => events.push(e),
      sleep: async (ms) => void sleeps.push(ms), random: () => 0.5,
    });
    const ctl = fakeControl();
    await p.handle({ topic: TOPIC, partition: 0, records: msgs(0, 1) }, ctl);
    expect(sleeps).toEqual([75, 150, 300]);
    expect(ctl.heartbeats).toBe(3);
    expect(events.filter((e) => e.type === 'registry_unavailable')).toHaveLength(3);
    expect(events).toContainEqual({ type: 'registry_recovered' });
    expect(ctl.commits).toEqual(['1']);

    let running = true;
    const stopping = createSinkBatchHandler({ audit: log, decoder: fakeDecoder(Infinity), observe: () => undefined, sleep: async () => void (running = false) });
    const ctl2 = fakeControl(() => running);
    await stopping.handle({ topic: TOPIC, partition: 0, records: msgs(2, 3) }, ctl2);
    expect(ctl2.commits).toEqual([]);
    expect(log.nextSeq).toBe(2);
  });

  test('a failed append propagates and nothing is committed', async () => {
    const ctl = fakeControl();
    const p = createSinkBatchHandler({
      audit: { lastOffset: () => undefined, append: async () => { throw Object.assign(new Error('disk full'), { code: 'AUDIT_WRITE_FAILED' }); } },
      decoder: fakeDecoder(),
      observe: () => { throw new Error('must not observe'); },
    });
    await expect(p.handle({ topic: TOPIC, partition: 0, records: msgs(0, 1) }, ctl)).rejects.toThrow('disk full');
    expect(ctl.commits).toEqual([]);
  });

  test('crash anywhere, redelivery from the last commit: the log holds every offset exactly once (model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 }), // batch sizes
        fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), // crash after append, before commit?
        async (sizes, crashes) => {
          const { dir, log } = await freshLog();
          let current = log;
          let committed = 0; // next offset the group would deliver
          const total = sizes.reduce((a, b) => a + b, 0);
          for (let b = 0; b < sizes.length; b++) {
            const p = createSinkBatchHandler({ audit: current, decoder: fakeDecoder(), observe: () => undefined });
            const ctl = fakeControl();
            const upTo = Math.min(total - 1, committed + sizes[b]! - 1);
            if (committed > upTo) break;
            if (crashes[b]) {
              ctl.onCommit = async () => { throw new Error('crash'); };
              await expect(p.handle({ topic: TOPIC, partition: 0, records: msgs(committed, upTo) }, ctl)).rejects.toThrow('crash');
              await current.close();
              current = (await freshLog(dir)).log; // restart; the group still says `committed`
            } else {
              await p.handle({ topic: TOPIC, partition: 0, records: msgs(committed, upTo) }, ctl);
              committed = Number(ctl.commits.at(-1)) + 1;
            }
          }
          const p = createSinkBatchHandler({ audit: current, decoder: fakeDecoder(), observe: () => undefined });
          if (committed <= total - 1) await p.handle({ topic: TOPIC, partition: 0, records: msgs(committed, total - 1) }, fakeControl());
          const v = await verifyAuditDir(dir);
          expect(v).toMatchObject({ ok: true, lines: total }); // offsets strictly increase (verify) and all are there
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('planSeeks', () => {
  const assigned = [{ topic: TOPIC, partitions: [0, 1, 2, 3] }];
  const logged: Record<number, string> = { 0: '41', 1: '9', 2: '99' };
  const committed: Record<number, string> = { 0: '12', 1: '10', 2: '150', 3: '7' };
  test('seek to the log end + 1 where the log is ahead of the group, else leave the committed offset', () => {
    expect(planSeeks(assigned, (_t, p) => logged[p], (_t, p) => committed[p])).toEqual([{ topic: TOPIC, partition: 0, offset: '42' }]);
  });
  test('no committed offset (new group, -1): every logged partition resumes after the log', () => {
    expect(planSeeks(assigned, (_t, p) => logged[p], () => '-1')).toEqual([
      { topic: TOPIC, partition: 0, offset: '42' },
      { topic: TOPIC, partition: 1, offset: '10' },
      { topic: TOPIC, partition: 2, offset: '100' },
    ]);
    expect(planSeeks(assigned, () => undefined, () => undefined)).toEqual([]);
  });
});
