import { describe, expect, test } from '@jest/globals';
import { OVERSIZED_LINE, splitLines } from './index.js';

async function collect(chunks: string[], max = 10) {
  const out: unknown[] = [];
  for await (const l of splitLines(chunks, max)) out.push(l);
  return out;
}

describe('splitLines', () => {
  test('lines across chunk boundaries; last line without newline; empty lines kept', async () => {
    expect(await collect(['ab', 'c\nde', '\n\nf'])).toEqual(['abc', 'de', '', 'f']);
    expect(await collect(['a\n'])).toEqual(['a']);
    expect(await collect([])).toEqual([]);
  });

  test('a line longer than max becomes OVERSIZED_LINE and the next line is intact', async () => {
    expect(await collect(['0123456789', 'X\nok\n'])).toEqual([OVERSIZED_LINE, 'ok']);
    expect(await collect(['01234567890123\nok'])).toEqual([OVERSIZED_LINE, 'ok']);
    expect(await collect(['0123456789', '0123456789', '01'])).toEqual([OVERSIZED_LINE]);
    expect(await collect(['0123456789\n'])).toEqual(['0123456789']);
  });

  test('buffers are decoded as UTF-8', async () => {
    const out: unknown[] = [];
    const bytes = Buffer.from('é\nxé');
    for await (const l of splitLines([bytes.subarray(0, 1), bytes.subarray(1, 5), bytes.subarray(5)])) out.push(l);
    expect(out).toEqual(['é', 'xé']);
  });
});
