import { describe, expect, test } from '@jest/globals';
import { createReadiness, dependencyOf } from './readiness.js';

describe('readiness', () => {
  test('ready only when started and every dependency answered; transitions reported once', () => {
    const changes: string[] = [];
    const r = createReadiness((dep, ok) => changes.push(`${dep}:${ok}`));
    expect(r.snapshot().ready).toBe(false);
    r.set('kafka', true);
    r.set('redis', true);
    r.set('registry', true);
    expect(r.snapshot().ready).toBe(false); // not started yet
    r.setStarted(true);
    expect(r.snapshot()).toEqual({ ready: false, checks: { kafka: 'ok', redis: 'ok', registry: 'ok', consumer: 'warming' } });
    r.setOutputsReady(true);
    expect(r.snapshot()).toEqual({ ready: true, checks: { kafka: 'ok', redis: 'ok', registry: 'ok', consumer: 'running' } });
    r.set('redis', false, 'REDIS_UNAVAILABLE');
    r.set('redis', false);
    r.set('redis', false, 'REDIS_UNAVAILABLE');
    expect(r.snapshot()).toMatchObject({ ready: false, checks: { redis: 'REDIS_UNAVAILABLE' } });
    r.set('redis', true);
    expect(r.snapshot().ready).toBe(true);
    r.setOutputsReady(false); // a new assignment, its producers not created yet
    expect(r.snapshot()).toMatchObject({ ready: false, checks: { consumer: 'warming' } });
    r.setOutputsReady(true);
    expect(changes).toEqual(['kafka:true', 'redis:true', 'registry:true', 'redis:false', 'redis:true']);
  });

  test('typed error codes name their dependency', () => {
    expect(dependencyOf({ code: 'REDIS_UNAVAILABLE' })).toBe('redis');
    expect(dependencyOf({ code: 'REGISTRY_UNAVAILABLE' })).toBe('registry');
    expect(dependencyOf({ code: 'KAFKA_FENCED' })).toBe('kafka');
    expect(dependencyOf(new Error('x'))).toBeNull();
  });
});
