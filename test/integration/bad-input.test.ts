// The bad-input drill, bounded (docs/reliability.md): every hostile category (wire header, Avro
// body, §1 structure, signature, fields outside the signature, ~1 MB records) mixed 50/50 with
// clean records into one verifier process. Each category must get its expected verdict (rejected
// with its specific reason, DLQ entry exactly for malformed input; unsigned-field edits are not
// rejected), every input exactly one verdict, no crash, no stalled partition.
import { describe, expect, test } from '@jest/globals';
import type { BadInputReport } from '../../apps/chaos/src/bad-input.js';
import { runChaos } from '../support/index.js';

describe('bad input', () => {
  test('every hostile category gets its expected verdict; the verifier neither crashes nor stalls', async () => {
    const { code, report } = await runChaos<BadInputReport>(['bad-input', '--hostile', '3000', '--clean', '3000', '--oversized', '1', '--timeout', '120', '--min-ratio', '0'], 170_000);
    expect(report).not.toBeNull();
    const r = report!;
    process.stderr.write(`[bad-input] clean ${r.clean.recordsPerSecond}/s, mixed ${r.mixed.recordsPerSecond}/s (ratio ${r.throughputRatio}); categories ${r.categories.length}; DLQ ${r.mixed.dlq}\n`);
    expect(r.problems).toEqual([]);
    expect(code).toBe(0);
    // All categories were exercised, each at least once, all as expected.
    expect(r.categories.length).toBeGreaterThanOrEqual(60);
    for (const c of r.categories) expect([c.category, c.ok]).toEqual([c.category, c.sent]);
    for (const name of ['random_bytes', 'wrong_magic', 'unknown_schema_id', 'truncated', 'trailing_bytes', 'absurd_array', 'nan_coh_star', 'inf_D_hat', 'long_past_2^53', 'duplicate_scale', 'missing_scale', 'N_j_zero', 'wrong_pcs_id', 'invalid_base64_sig', 'sig_31_bytes', 'tampered_budget', 'unsigned_seed_changed', 'oversized', 'near_limit_garbage', 'huge_key']) {
      expect(r.categories.find((c) => c.category === name)?.sent ?? 0).toBeGreaterThan(0);
    }
    expect(r.mixed).toMatchObject({ missing: 0, duplicatedVerdicts: 0, verifierExitedEarly: false, stalled: false, verifierExit: 0, retries: 0 });
    expect(r.clean).toMatchObject({ missing: 0, duplicatedVerdicts: 0, verifierExit: 0 });
  }, 200_000);
});
