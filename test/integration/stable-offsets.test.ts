// The committed-offset read the transactional consumer relies on, on the real broker. kafkajs 2.2.4
// reads offsets with OffsetFetch v4, which answers the last completed commit even while a
// transaction holding newer offsets for the group is still open or being completed (it has no
// require_stable, KIP-447). FLK's kafkajs patch (patches/kafkajs+2.2.4.patch) adds OffsetFetch v7:
// admin.fetchOffsets({ requireStable: true }) is refused with UNSTABLE_OFFSET_COMMIT until the
// transaction's offsets are settled, and then answers them. The cluster smoke answered a chunk
// twice (docs/reliability.md §1b) when a plain read came right after an ambiguous commit.
import { afterAll, describe, expect, test } from '@jest/globals';
import { createTopics, deleteTopics, randomName, testKafka, waitFor } from '../support/index.js';

const kafka = testKafka();
const topics: string[] = [];
afterAll(async () => {
  await deleteTopics(kafka, topics);
});

describe('stable committed offsets (OffsetFetch v7, require_stable)', () => {
  test('offsets in an open transaction: the plain read answers the old offset, the stable read is refused; after the commit both answer the new one', async () => {
    const input = randomName('stable-in');
    const out = randomName('stable-out');
    topics.push(input, out);
    await createTopics(kafka, [{ topic: input, partitions: 1 }, { topic: out, partitions: 1 }]);
    const group = randomName('stable-group');
    const offsets = (offset: string) => ({ consumerGroupId: group, topics: [{ topic: input, partitions: [{ partition: 0, offset }] }] });
    const producer = kafka.producer({ transactionalId: randomName('stable-txn'), idempotent: true, maxInFlightRequests: 1 });
    const admin = kafka.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      const read = async (requireStable: boolean) => (await admin.fetchOffsets({ groupId: group, topics: [input], requireStable }))[0]!.partitions[0]!.offset;
      // Nothing committed yet: both answer -1.
      expect([await read(false), await read(true)]).toEqual(['-1', '-1']);

      const first = await producer.transaction();
      await first.send({ topic: out, acks: -1, messages: [{ key: 'a', value: 'first' }] });
      await first.sendOffsets(offsets('5'));
      await first.commit();
      await waitFor('the first commit, read stable', async () => (await read(true).catch(() => null)) === '5', { timeoutMs: 10_000, intervalMs: 50 });

      const open = await producer.transaction();
      await open.send({ topic: out, acks: -1, messages: [{ key: 'b', value: 'second' }] });
      await open.sendOffsets(offsets('9'));
      // The transaction's offsets are pending: the plain read answers the last completed commit...
      expect(await read(false)).toBe('5');
      // ...the stable one refuses to answer (retriable), rather than answering 5.
      const refused = await read(true).then(
        () => undefined,
        (e: unknown) => e as { type?: string; retriable?: boolean },
      );
      expect(refused).toMatchObject({ type: 'UNSTABLE_OFFSET_COMMIT', retriable: true });

      await open.commit();
      await waitFor('the second commit, read stable', async () => (await read(true).catch(() => null)) === '9', { timeoutMs: 10_000, intervalMs: 50 });
      expect(await read(false)).toBe('9');
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });
});
