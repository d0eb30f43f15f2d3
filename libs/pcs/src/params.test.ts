import { describe, expect, test } from '@jest/globals';
import { PCS_ERROR_CODES } from './errors.js';
import { createDecisionParams, DEFAULT_PARAMS } from './params.js';

describe('createDecisionParams', () => {
  test('defaults (§4, §5)', () => {
    expect(createDecisionParams()).toEqual({
      tolD: 0.15, tolCoh: 0.05, tolR: 0.05, tolBudget: 0.05,
      budget: { base: 0.1, alpha: 0.3, beta: 0.5, gamma: 0.2, D0: 2.2 },
    });
    expect(createDecisionParams({})).toEqual(DEFAULT_PARAMS);
  });

  test('overrides merge, including one budget weight', () => {
    const p = createDecisionParams({ tolD: 0.3, budget: { gamma: 0 } });
    expect(p.tolD).toBe(0.3);
    expect(p.budget).toEqual({ base: 0.1, alpha: 0.3, beta: 0.5, gamma: 0, D0: 2.2 });
    expect(DEFAULT_PARAMS.budget.gamma).toBe(0.2);
  });

  test.each([
    ['negative tolerance', { tolD: -1 }],
    ['NaN tolerance', { tolR: Number.NaN }],
    ['infinite weight', { budget: { beta: Infinity } }],
    ['string tolerance', { tolCoh: '0.1' }],
    ['unknown key', { tolX: 1 }],
    ['unknown weight', { budget: { delta: 1 } }],
    ['budget not an object', { budget: 3 }],
  ])('%s is PCS_INVALID_PARAMS', (_n, partial) => {
    expect(() => createDecisionParams(partial as never)).toThrow(expect.objectContaining({ code: PCS_ERROR_CODES.INVALID_PARAMS }));
  });
});
