// A rough throughput figure for one verifier process (not a benchmark harness: shared CI machine,
// single broker). Reports the steady-state rate, from the first to the last decided_at, and where
// the time goes (from the verifier's own histograms). FLK_BENCH_N / FLK_BENCH_CONCURRENCY tune it.
import { afterEach, expect, test } from '@jest/globals';
import { createPipelineFixture, duplicateRecords, signedRecords, type PipelineFixture } from '../support/index.js';

let fx: PipelineFixture | undefined;
afterEach(async () => {
  await fx?.cleanup();
  fx = undefined;
});

function histogram(metrics: string, name: string): string {
  const sums = [...metrics.matchAll(new RegExp(`^${name}_sum(\\{[^}]*\\})? ([\\d.e+-]+)`, 'gm'))];
  const counts = [...metrics.matchAll(new RegExp(`^${name}_count(\\{[^}]*\\})? (\\d+)`, 'gm'))];
  return sums
    .map((s, i) => {
      const n = Number(counts[i]?.[2] ?? 0);
      return `${name}${s[1] ?? ''}: n=${n} mean=${n ? ((Number(s[2]) / n) * 1000).toFixed(2) : '-'} ms total=${Number(s[2]).toFixed(2)} s`;
    })
    .join('\n  ');
}

test('throughput of one verifier process', async () => {
  const N = Number(process.env.FLK_BENCH_N ?? 10_000);
  fx = await createPipelineFixture({ partitions: 6, verdictPartitions: 6 });
  await fx.produceRecords(signedRecords(N));
  const v = await fx.startVerifier('verifier-bench', { VERIFIER_PARTITIONS_CONCURRENCY: process.env.FLK_BENCH_CONCURRENCY ?? '3', LOG_LEVEL: 'warn' });
  await v.waitReady();
  const verdicts = await fx.readVerdicts({ count: N, timeoutMs: 240_000, settleMs: 500 });
  const decided = verdicts.map((x) => Date.parse(x.verdict.decided_at));
  const span = (Math.max(...decided) - Math.min(...decided)) / 1000;
  const m = await v.metrics();
  process.stderr.write(
    `[throughput] ${N} records, 6 partitions: decisions spanned ${span.toFixed(2)} s → ~${Math.round(N / Math.max(span, 0.001))} records/s\n  ` +
      ['flk_verifier_batch_records', 'flk_verifier_batch_seconds', 'flk_verifier_kafka_transaction_seconds', 'flk_verifier_redis_roundtrip_seconds', 'flk_verifier_decision_seconds']
        .map((n) => histogram(m, n))
        .join('\n  ') +
      '\n',
  );
  expect(verdicts).toHaveLength(N);
  expect(duplicateRecords(verdicts)).toBe(0);
}, 300_000);
