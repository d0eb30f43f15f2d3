// The cluster chaos drill, short (`npm run chaos -- cluster` is the full one, docs/reliability.md
// §1b): 8,000 records (every 20th sent twice) through 2 verifiers on the 3-broker stack + Redis
// Sentinel, with one of each cluster fault: a SIGKILL of the broker leading the most input
// partitions, a SIGKILL of the transaction coordinator's broker, a 12 s SIGSTOP of a broker (the
// fault that found kafkajs#1303, patches/kafkajs+2.2.4.patch), a Redis primary SIGKILL with
// failover, the registry down for 8 s, a verifier SIGKILL and a sink SIGKILL. Asserts what the full
// drill asserts: no acknowledged input absent, none lost, no duplicate or divergent verdict
// record, no pcs_id decided first twice (WAIT on), audit lines = inputs.
import { describe, expect, test } from '@jest/globals';
import type { ChaosReport } from '../../apps/chaos/src/drill.js';
import { runChaos } from '../support/index.js';

describe('cluster chaos (short)', () => {
  test('8k records through a leader kill, a coordinator kill, a broker SIGSTOP, a Redis failover and a registry outage: nothing lost, doubled or divergent', async () => {
    const { code, report } = await runChaos<ChaosReport>(
      [
        'cluster', '--records', '8000', '--produce-seconds', '80', '--timeout', '330',
        '--leader-kills', '1', '--coordinator-kills', '1', '--redis-failovers', '1', '--broker-stop-ms', '12000', '--registry-down-ms', '8000',
        '--kills', '1', '--stops', '0', '--sink-kills', '1',
      ],
      420_000,
    );
    expect(report).not.toBeNull();
    const r = report!;
    process.stderr.write(`[cluster-chaos] ${r.inputs} inputs (${r.resent} re-sent), ${r.verdictRecords} verdict records, acked-absent ${r.ackedAbsent}, lost ${r.lost}, duplicate records ${r.duplicateVerdictRecords}, divergent ${r.divergent}, double-first ${r.doubleFirst}, audit lines ${r.auditLines}; faults: ${r.faults.map((f) => f.kind).join(', ')}; ${r.seconds} s\n`);
    expect(r.problems).toEqual([]);
    expect(code).toBe(0);
    expect(r.completed).toBe(true);
    expect(r.ackedAbsent).toBe(0);
    expect(r.inputs).toBeGreaterThanOrEqual(8000 + r.resent);
    expect(r.lost).toBe(0);
    expect(r.duplicateVerdictRecords).toBe(0);
    expect(r.divergent).toBe(0);
    expect(r.doubleFirst).toBe(0);
    expect(r.auditLines).toBe(r.inputs);
    expect(r.auditVerify.ok).toBe(true);
    const kinds = r.faults.map((f) => f.kind).join('\n');
    for (const k of [/partition leader/, /coordinator/, /^SIGSTOP broker$/m, /^SIGKILL Redis primary$/m, /^registry down$/m, /^SIGKILL verifier$/m, /^SIGKILL sink$/m]) expect(kinds).toMatch(k);
  }, 450_000);
});
