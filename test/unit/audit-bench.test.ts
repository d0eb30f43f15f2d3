import { describe, expect, test } from '@jest/globals';
import { printAuditBench, runAuditBench } from '../../bench/audit.js';

// The short variant of `npm run bench:audit` (docs/audit.md): a 20,000-entry log, one append
// round per mode, checkpoints signed but not published. Asserts what must hold at any size: proofs
// from the stored subtree hashes cost O(log n), and the bench prints its figures.
describe('bench:audit (short variant)', () => {
  test('proofs cost O(log n) hashes and stored reads; append rates and their ratio are printed', async () => {
    const n = 20_000;
    const r = await runAuditBench({ n, appendN: 3000, rounds: 1, batch: 100, every: 500, intervalMs: 10_000, cli: false });
    const logn = Math.ceil(Math.log2(n));
    expect(r.treeSource).toBe('stored');
    expect(r.proofs).toHaveLength(6);
    for (const p of r.proofs) {
      expect(p.pathLength).toBeLessThanOrEqual(2 * logn);
      expect(p.hashes + p.storedReads).toBeLessThanOrEqual(4 * logn);
      expect(p.hashes + p.storedReads).toBeGreaterThan(0);
    }
    expect(r.append.checkpoints).toBe(3000 / 500);
    expect(r.append.off[0]).toBeGreaterThan(0);
    expect(r.append.on[0]).toBeGreaterThan(0);
    const out: string[] = [];
    printAuditBench(r, (l) => out.push(l));
    expect(out.join('\n')).toMatch(/ratio on\/off: \d+\.\d{3}/);
    expect(out.join('\n')).toContain(`inclusion index ${Math.floor(n * 0.765432)} size ${n}`);
  }, 120_000);
});
