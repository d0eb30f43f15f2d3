import { describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { FastDefaultPartitioner, murmur2 } from './partitioner.js';

// kafkajs' own murmur2 (64-bit Long arithmetic): the reference.
const kafkajsMurmur2 = createRequire(import.meta.url)('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

const meta = (n: number) => Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));
const args = (key: Buffer | string | null, n: number, partition?: number): PartitionerArgs => ({ topic: 't', partitionMetadata: meta(n), message: { key, value: null, partition } });

describe('FastDefaultPartitioner', () => {
  test('murmur2 equals kafkajs murmur2 for keys of every length 0..70 and random bytes', () => {
    for (let len = 0; len <= 70; len++) {
      for (let r = 0; r < 20; r++) {
        const key = randomBytes(len);
        expect(murmur2(key)).toBe(kafkajsMurmur2(key));
      }
    }
  });

  test('known Kafka values (Java client: Utils.murmur2)', () => {
    // From the Kafka Java client's UtilsTest.testMurmur2.
    expect(murmur2(Buffer.from('21', 'ascii'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar', 'ascii'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string', 'ascii'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string', 'ascii'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', 'ascii'))).toBe(-58897971);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(479470107);
  });

  test('same partition as kafkajs DefaultPartitioner for string and Buffer keys', () => {
    const ours = FastDefaultPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 2000; i++) {
      const n = 1 + (i % 12);
      const key = i % 2 ? randomBytes(32).toString('hex') : randomBytes(i % 40);
      expect(ours(args(key, n))).toBe(theirs(args(key, n)));
    }
    expect(ours(args('rejected:t:3:42', 6))).toBe(theirs(args('rejected:t:3:42', 6)));
    expect(ours(args('é ü 🙂', 6))).toBe(theirs(args('é ü 🙂', 6)));
  });

  test('explicit partition kept; no key: a valid partition', () => {
    const ours = FastDefaultPartitioner();
    expect(ours(args('k', 6, 4))).toBe(4);
    const p = ours(args(null, 6));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(6);
  });
});
