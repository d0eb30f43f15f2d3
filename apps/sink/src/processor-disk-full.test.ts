import { describe, expect, test } from '@jest/globals';
import type { ConsumedRecord } from '@flk/kafka';
import { AuditDiskFullError, type AuditEntryInput } from '@flk/audit';
import { type BatchControl, createSinkBatchHandler, type SinkEvent } from './processor.js';

// A full audit disk (AuditDiskFullError, retriable) against the batch logic: the processor holds
// the batch, heartbeats, commits nothing, and retries the same entries until they fit; stopping
// meanwhile gives up without a commit. The real disk is test/integration/sink-disk-full.test.ts.

const msgs = (n: number): ConsumedRecord[] => Array.from({ length: n }, (_, i) => ({ topic: 'pcs.verdicts', partition: 0, offset: String(i), key: null, value: Buffer.from(JSON.stringify({ pcs_id: `p${i}` })), timestamp: '0' }));
const decoder = { decodeVerdict: async (m: Buffer | null) => ({ ok: true as const, value: JSON.parse(m!.toString()) as Record<string, unknown>, schemaId: 1 }) };
function control(running = () => true): BatchControl & { commits: string[]; heartbeats: number } {
  const c = { commits: [] as string[], heartbeats: 0, isRunning: running, async heartbeat() { c.heartbeats++; }, async commit(o: string) { c.commits.push(o); }, seek() {} };
  return c;
}
function fullDisk(failures: number) {
  const appended: AuditEntryInput[][] = [];
  let calls = 0;
  return {
    appended,
    calls: () => calls,
    audit: {
      lastOffset: () => undefined,
      async append(entries: readonly AuditEntryInput[]) {
        calls++;
        if (failures-- > 0) throw new AuditDiskFullError('audit append: disk full (ENOSPC)');
        appended.push([...entries]);
      },
    },
  };
}

describe('batch processor: audit disk full', () => {
  test('retries the same entries with backoff, heartbeating, and commits once they are logged', async () => {
    const disk = fullDisk(3);
    const events: SinkEvent[] = [];
    const observed: unknown[] = [];
    const sleeps: number[] = [];
    const ctl = control();
    const p = createSinkBatchHandler({ audit: disk.audit, decoder, observe: (v) => observed.push(v), onEvent: (e) => events.push(e), sleep: async (ms) => void sleeps.push(ms), random: () => 0.5 });
    await p.handle({ topic: 'pcs.verdicts', partition: 0, records: msgs(5) }, ctl);
    expect(disk.calls()).toBe(4);
    expect(disk.appended).toHaveLength(1);
    expect(disk.appended[0]!.map((e) => e.offset)).toEqual(['0', '1', '2', '3', '4']);
    expect(ctl.commits).toEqual(['4']);
    expect(ctl.heartbeats).toBeGreaterThanOrEqual(3);
    expect(observed).toHaveLength(5); // counted once, after the append that stuck
    expect(events.filter((e) => e.type === 'audit_disk_full').map((e) => (e as { attempt: number }).attempt)).toEqual([1, 2, 3]);
    expect(events.filter((e) => e.type === 'audit_space_back')).toEqual([{ type: 'audit_space_back', attempts: 4 }]);
    expect(sleeps).toHaveLength(3);
  });

  test('stopping while the disk is full: nothing logged, nothing committed, no error', async () => {
    const disk = fullDisk(Infinity);
    let running = true;
    const ctl = control(() => running);
    const p = createSinkBatchHandler({ audit: disk.audit, decoder, observe: () => undefined, sleep: async () => void (running = false) });
    await p.handle({ topic: 'pcs.verdicts', partition: 0, records: msgs(3) }, ctl);
    expect(disk.appended).toEqual([]);
    expect(ctl.commits).toEqual([]);
  });
});
