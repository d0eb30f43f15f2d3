// @flk/registry ships its own copies of the repository's Avro schemas (schemas/*.avsc, the single
// source that the Go and Python SDKs copy too), so the published package needs nothing outside itself.
// A copy that drifts from the source would make the TS producers register a different schema.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { loadSchema } from './wire-codec.js';

describe('bundled schemas', () => {
  test.each(['pcs-v1.avsc', 'verdict-v1.avsc'] as const)('%s is byte-identical to the repository schemas/ copy', (file) => {
    const bundled = readFileSync(new URL(`../schemas/${file}`, import.meta.url));
    const source = readFileSync(new URL(`../../../schemas/${file}`, import.meta.url));
    expect(bundled.equals(source)).toBe(true);
    expect(loadSchema(file)).toEqual(JSON.parse(source.toString('utf8')));
  });
});
