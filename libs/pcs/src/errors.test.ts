import { describe, expect, test } from '@jest/globals';
import { FlkPcsError, isRetriable, PCS_ERROR_CODES } from './errors.js';

describe('isRetriable (the errors convention: code + retriable)', () => {
  test('true only for an error that says retriable: true', () => {
    expect(isRetriable(Object.assign(new Error('down'), { code: 'REDIS_UNAVAILABLE', retriable: true }))).toBe(true);
    expect(isRetriable({ retriable: true })).toBe(true);
    expect(isRetriable(new FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, 'bad'))).toBe(false);
    for (const err of [new TypeError('bug'), { retriable: 'yes' }, { retriable: 1 }, 'retriable', null, undefined, 42]) expect(isRetriable(err)).toBe(false);
  });
});
