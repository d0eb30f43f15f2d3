import { describe, expect, test } from '@jest/globals';
import { createMemoryDedupStore, fixedClock, sampleRecord } from './index.js';
import { runDedupStoreConformance } from './conformance.js';
import { validatePcs } from '../validate.js';

runDedupStoreConformance('memory', (clock) => createMemoryDedupStore(clock));

describe('memory dedup store', () => {
  test('expiry follows Redis: alive at exactly the expiry instant, gone 1 ms later', async () => {
    const clock = fixedClock(0);
    const store = createMemoryDedupStore(clock);
    await store.claim('k', Buffer.from('v'), 2);
    clock.advance(2000);
    expect(await store.get('k')).toEqual(Buffer.from('v'));
    clock.advance(1);
    expect(await store.get('k')).toBeNull();
    expect(store.size()).toBe(0);
  });
});

describe('sampleRecord', () => {
  test('is valid, and follows overrides', () => {
    expect(validatePcs(sampleRecord()).ok).toBe(true);
    expect(sampleRecord({ epoch: 7 }).pcs_id).not.toBe(sampleRecord().pcs_id);
    expect(sampleRecord({}, { signer: null }).sig).toBeUndefined();
    expect(sampleRecord({ sig: 'AAAA' }).sig).toBe('AAAA');
  });
});
