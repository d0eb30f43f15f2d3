import { describe, expect, test } from '@jest/globals';
import { ConfigError, EnvReader } from './index.js';

describe('EnvReader', () => {
  test('typed values with fallbacks', () => {
    const r = new EnvReader({ A: ' 5 ', L: 'x, y,,z', B: 'yes', M: 'hmac' });
    expect(r.done({ a: r.int('A', 1), l: r.list('L'), b: r.bool('B', false), m: r.oneOf('M', ['none', 'hmac'] as const, 'none'), d: r.int('D', 7) }))
      .toEqual({ a: 5, l: ['x', 'y', 'z'], b: true, m: 'hmac', d: 7 });
  });

  test('every bad variable is named in one error, secrets are not echoed', () => {
    const r = new EnvReader({ PORT: 'abc', MODE: 'x', S: 'top-secret' });
    r.int('PORT', 1, { min: 1, max: 65535 });
    r.oneOf('MODE', ['a', 'b'], 'a');
    r.string('NEEDED');
    r.secret('S');
    let err: unknown;
    try {
      r.done(null);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const msg = (err as ConfigError).message;
    expect(msg).toContain('PORT');
    expect(msg).toContain('MODE');
    expect(msg).toContain('NEEDED: required');
    expect(msg).not.toContain('top-secret');
    expect((err as ConfigError).retriable).toBe(false);
  });

  test('numbers reject non-finite and out-of-range', () => {
    const r = new EnvReader({ T: 'Infinity', U: '2' });
    r.number('T', 0.15);
    r.number('U', 0.5, { min: 0, max: 1 });
    expect(() => r.done(0)).toThrow(/T: .*\n.*U: /s);
  });
});
