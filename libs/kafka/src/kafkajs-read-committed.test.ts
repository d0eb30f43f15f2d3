// kafkajs 2.2.4's read_committed filter (consumer/filterAbortedMessages.js), as patched in
// patches/kafkajs+2.2.4.patch. The broker lists a fetch's aborted transactions in the order they
// were aborted, not by first offset; kafkajs only ever looked at the head of that list, one per
// message, so a transaction that started before the head's first offset was let through whole.
// The cluster smoke read 150 such verdicts (3 aborted transactions of 50) that kcat, reading
// read_committed with librdkafka, did not see (docs/reliability.md §1b).
import { createRequire } from 'node:module';
import { describe, expect, test } from '@jest/globals';

const require = createRequire(import.meta.url);
interface Msg {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}
const filterAbortedMessages = require('kafkajs/src/consumer/filterAbortedMessages') as (x: { messages: Msg[]; abortedTransactions: Array<{ producerId: string; firstOffset: string }> }) => Msg[];

const ABORT = Buffer.from([0, 0, 0, 0]);
const record = (offset: number, producerId: string, inTransaction = true): Msg => ({ offset: String(offset), key: Buffer.from(`k${offset}`), isControlRecord: false, batchContext: { producerId, inTransaction } });
const abortMarker = (offset: number, producerId: string): Msg => ({ offset: String(offset), key: ABORT, isControlRecord: true, batchContext: { producerId, inTransaction: true } });
const visible = (msgs: Msg[]) => msgs.filter((m) => !m.isControlRecord).map((m) => Number(m.offset));

describe('kafkajs read_committed: aborted transactions filtered', () => {
  test('a transaction aborted after one that started later is filtered too (the list is in abort order)', () => {
    const messages = [
      record(0, '1'), record(1, '1'), record(2, '1'), // producer 1's transaction, aborted second
      record(3, '2'), record(4, '2'), // producer 2's transaction, aborted first
      abortMarker(5, '2'),
      abortMarker(6, '1'),
      record(7, '3', false), // a plain record
      record(8, '2'), // producer 2's next transaction (committed: not in the list)
    ];
    const abortedTransactions = [
      { producerId: '2', firstOffset: '3' },
      { producerId: '1', firstOffset: '0' },
    ];
    expect(visible(filterAbortedMessages({ messages, abortedTransactions }))).toEqual([7, 8]);
  });

  test('two aborted transactions that began before the first message fetched are both in force', () => {
    const messages = [record(10, '2'), record(11, '1'), abortMarker(12, '1'), abortMarker(13, '2'), record(14, '1')];
    const abortedTransactions = [
      { producerId: '1', firstOffset: '4' },
      { producerId: '2', firstOffset: '6' },
    ];
    expect(visible(filterAbortedMessages({ messages, abortedTransactions }))).toEqual([14]);
  });

  test('records of committed transactions and without a transaction pass', () => {
    const messages = [record(0, '1'), record(1, '1'), record(2, '5', false)];
    expect(visible(filterAbortedMessages({ messages, abortedTransactions: [] }))).toEqual([0, 1, 2]);
  });
});
