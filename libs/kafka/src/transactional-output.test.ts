// Regression (bad-input drill, docs/reliability.md): several big DLQ entries of one chunk went out
// in one produce request = one record batch past the broker's max.message.bytes, refused, retried
// forever. Outputs are now split over several requests of the same transaction.
import { describe, expect, test } from '@jest/globals';
import { MAX_REQUEST_BYTES, splitBySize, type OutputMessage } from './transactional-output.js';

const msg = (bytes: number, topic = 'dlq'): OutputMessage => ({ topic, key: 'k', value: Buffer.alloc(bytes), headers: { 'flk-reason': 'malformed:x' } });

describe('splitBySize', () => {
  test('a typical chunk of small verdicts stays one request', () => {
    const parts = splitBySize(Array.from({ length: 500 }, () => msg(300, 'out')), MAX_REQUEST_BYTES);
    expect(parts).toHaveLength(1);
    expect(parts[0]).toHaveLength(500);
  });

  test('big messages are split in order, each request under the limit unless one message alone is bigger', () => {
    const input = [msg(100), msg(400_000), msg(400_000), msg(300), msg(600_000), msg(10)];
    const parts = splitBySize(input, MAX_REQUEST_BYTES);
    expect(parts.flat()).toEqual(input);
    expect(parts.map((p) => p.length)).toEqual([2, 2, 1, 1]);
    for (const p of parts) if (p.length > 1) expect(p.reduce((a, m) => a + m.value!.length, 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
  });

  test('no messages, no requests', () => {
    expect(splitBySize([], MAX_REQUEST_BYTES)).toEqual([]);
  });
});
