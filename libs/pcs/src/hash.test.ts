import { expect, test } from '@jest/globals';
import { sha256Hex } from './hash.js';
test('sha256', () => { expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'); });
