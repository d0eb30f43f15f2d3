// Readiness: ready once started, the transactional producers of the current assignment exist
// (their InitProducerId done: records are answered without that wait), and while Kafka, Redis and
// the schema registry all answered their last request. Liveness (/health) is separate: a process waiting for a dependency is alive.
import type { Readiness } from '@flk/ops-http';
import type { Dependency } from './metrics.js';

export interface ReadinessTracker {
  set(dep: Dependency, ok: boolean, detail?: string): void;
  setStarted(started: boolean): void;
  /** false from a new assignment until its producers are ready (the consumer's 'outputs_ready'). */
  setOutputsReady(ready: boolean): void;
  snapshot(): Readiness;
}

export function createReadiness(onChange?: (dep: Dependency, ok: boolean) => void): ReadinessTracker {
  const checks: Record<Dependency, string> = { kafka: 'connecting', redis: 'connecting', registry: 'connecting' };
  let started = false;
  let outputsReady = false;
  return {
    set(dep, ok, detail) {
      const wasOk = checks[dep] === 'ok';
      if (ok) checks[dep] = 'ok';
      else if (detail !== undefined || wasOk || checks[dep] === 'connecting') checks[dep] = detail ?? 'unavailable';
      // Report transitions only (not every failed attempt while down).
      if (wasOk !== ok) onChange?.(dep, ok);
    },
    setStarted(s) {
      started = s;
    },
    setOutputsReady(r) {
      outputsReady = r;
    },
    snapshot() {
      const all = Object.values(checks).every((c) => c === 'ok');
      const consumer = !started ? 'stopped' : outputsReady ? 'running' : 'warming';
      return { ready: consumer === 'running' && all, checks: { ...checks, consumer } };
    },
  };
}

/** Which dependency a typed error (its `code`) is about, if any. */
export function dependencyOf(err: unknown): Dependency | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  if (code.startsWith('REDIS_')) return 'redis';
  if (code.startsWith('REGISTRY_')) return 'registry';
  if (code.startsWith('KAFKA_')) return 'kafka';
  return null;
}
