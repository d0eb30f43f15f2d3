// One conformance suite for every DedupStore: the in-memory fake runs it in unit tests and the
// Redis adapter in integration tests, so the fake cannot drift from the real thing.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { DedupStore } from '../ports.js';
import { fixedClock, type ManualClock } from './clock.js';

export interface DedupConformanceOptions {
  /**
   * Lets `ms` of store time pass. Default: advance the ManualClock given to makeStore (fakes).
   * A store on a real clock (Redis) passes a sleep: `(ms) => new Promise((r) => setTimeout(r, ms))`.
   */
  advance?: (ms: number, clock: ManualClock) => Promise<void>;
  /** Called after each test with the store that test used (close connections here). */
  dispose?: (store: DedupStore) => Promise<void> | void;
  /** Per-test timeout in ms (default 10 000; the expiry test waits 1.5 s on a real clock). */
  timeoutMs?: number;
}

const b = (text: string): Buffer => Buffer.from(text, 'utf8');

function randomPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `conformance:${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}:`;
}

export function runDedupStoreConformance(
  name: string,
  makeStore: (clock: ManualClock) => DedupStore | Promise<DedupStore>,
  opts: DedupConformanceOptions = {},
): void {
  const timeout = opts.timeoutMs ?? 10_000;
  describe(`DedupStore conformance: ${name}`, () => {
    let store: DedupStore | undefined;
    afterEach(async () => {
      if (store !== undefined && opts.dispose) await opts.dispose(store);
      store = undefined;
    });

    // Each test gets a fresh store, a fresh clock and its own key prefix (a shared Redis stays clean).
    const setup = async () => {
      const clock = fixedClock();
      store = await makeStore(clock);
      const advance = (ms: number) => (opts.advance ? opts.advance(ms, clock) : Promise.resolve(clock.advance(ms)));
      const prefix = randomPrefix();
      return { s: store, advance, k: (key: string) => prefix + key };
    };

    test('the first claim wins and stores the value', async () => {
      const { s, k } = await setup();
      await expect(s.claim(k('a'), b('v1'), 60)).resolves.toEqual({ claimed: true });
      await expect(s.get(k('a'))).resolves.toEqual(b('v1'));
    }, timeout);

    test('a second claim never overwrites and returns the existing value', async () => {
      const { s, k } = await setup();
      await s.claim(k('a'), b('v1'), 60);
      await expect(s.claim(k('a'), b('v2'), 60)).resolves.toEqual({ claimed: false, existing: b('v1') });
      await expect(s.get(k('a'))).resolves.toEqual(b('v1'));
    }, timeout);

    test('get of an absent key is null', async () => {
      const { s, k } = await setup();
      await expect(s.get(k('nothing'))).resolves.toBeNull();
    }, timeout);

    test('values are stored verbatim', async () => {
      const { s, k } = await setup();
      // Every byte value, invalid UTF-8 included (the stored verdict form is binary), and UTF-8 text.
      const value = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0xff]), Buffer.from('é\u2028😀')]);
      await s.claim(k('v'), value, 60);
      await expect(s.get(k('v'))).resolves.toEqual(value);
      const [again] = await s.claimMany([{ key: k('v'), value: b('other') }], 60);
      expect(again).toEqual({ claimed: false, existing: value });
    }, timeout);

    test('claimMany claims in input order, a repeated key by its first occurrence', async () => {
      const { s, k } = await setup();
      await s.claim(k('old'), b('old-v'), 60);
      const results = await s.claimMany(
        [
          { key: k('x'), value: b('x1') },
          { key: k('old'), value: b('old-2') },
          { key: k('x'), value: b('x2') },
          { key: k('y'), value: b('y1') },
        ],
        60,
      );
      expect(results).toEqual([
        { claimed: true },
        { claimed: false, existing: b('old-v') },
        { claimed: false, existing: b('x1') },
        { claimed: true },
      ]);
      await expect(s.get(k('x'))).resolves.toEqual(b('x1'));
      await expect(s.get(k('y'))).resolves.toEqual(b('y1'));
    }, timeout);

    test('claimMany of nothing is an empty list', async () => {
      const { s } = await setup();
      await expect(s.claimMany([], 60)).resolves.toEqual([]);
    }, timeout);

    test('concurrent claims of one key: exactly one wins, the others see its value', async () => {
      const { s, k } = await setup();
      const results = await Promise.all(Array.from({ length: 16 }, (_, i) => s.claim(k('race'), b(`v${i}`), 60)));
      const winners = results.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const stored = await s.get(k('race'));
      expect(stored).not.toBeNull();
      for (const r of results) if (!r.claimed) expect(r.existing).toEqual(stored);
    }, timeout);

    test('a key is still there before its ttl and gone after it; then it can be claimed again', async () => {
      const { s, advance, k } = await setup();
      await s.claim(k('t'), b('first'), 1);
      await advance(100);
      await expect(s.get(k('t'))).resolves.toEqual(b('first'));
      await expect(s.claim(k('t'), b('early'), 1)).resolves.toEqual({ claimed: false, existing: b('first') });
      await advance(1400);
      await expect(s.get(k('t'))).resolves.toBeNull();
      await expect(s.claim(k('t'), b('second'), 60)).resolves.toEqual({ claimed: true });
      await expect(s.get(k('t'))).resolves.toEqual(b('second'));
    }, timeout);

    test('claimMany applies the ttl to every key it sets', async () => {
      const { s, advance, k } = await setup();
      await s.claimMany([{ key: k('m1'), value: b('a') }, { key: k('m2'), value: b('b') }], 1);
      await advance(1500);
      await expect(s.get(k('m1'))).resolves.toBeNull();
      await expect(s.get(k('m2'))).resolves.toBeNull();
    }, timeout);

    test('a ttl that is not a positive integer is refused', async () => {
      const { s, k } = await setup();
      for (const ttl of [0, -1, 1.5, Number.NaN]) {
        await expect(s.claim(k('bad'), b('v'), ttl)).rejects.toThrow();
        await expect(s.claimMany([{ key: k('bad'), value: b('v') }], ttl)).rejects.toThrow();
      }
      await expect(s.get(k('bad'))).resolves.toBeNull();
    }, timeout);
  });
}
