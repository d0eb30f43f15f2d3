// The agent's last word on stdout: one line a person reads (or JSON with --json).
import type { AgentSummary } from '@flk/agent';

export function formatSummary(s: AgentSummary, elapsedMs: number): string {
  const shards = Object.entries(s.perShard)
    .map(([id, v]) => `${id}=${v.published}${v.unpublished > 0 ? `(+${v.unpublished} unpublished)` : ''}`)
    .join(' ');
  const parts = [
    `flk-agent: published ${s.published}/${s.records} records from ${s.events} events`,
    `per shard: ${shards || 'none'}`,
    `bad lines ${s.badLines}`,
    `unpublished ${s.unpublished}`,
  ];
  if (s.failedWindows.length > 0) parts.push(`windows not built ${s.failedWindows.length}`);
  if (s.aborted) parts.push('input stopped early by a signal');
  parts.push(`${(elapsedMs / 1000).toFixed(1)}s`);
  const lines = [parts.join('; ')];
  if (s.badLines > 0) {
    const shown = s.badLineSamples.slice(0, 10).map((b) => `line ${b.line}: ${b.reason}`);
    const more = s.badLines - shown.length;
    lines.push(`  bad lines: ${shown.join('; ')}${more > 0 ? `; … ${more} more` : ''}`);
  }
  for (const w of s.failedWindows.slice(0, 10)) {
    lines.push(`  window not built: shard ${w.shard_id} epoch ${w.epoch} (lines ${w.firstLine}-${w.lastLine}): ${w.reason}`);
  }
  if (s.unpublished > 0) {
    lines.push(`  ERROR: ${s.unpublished} record(s) unpublished after the retry budget: ${s.publishFailure ?? 'unknown error'}`);
    lines.push('  re-running the agent on the same input re-publishes them; records already published are then flagged duplicate by the verifier');
  }
  return lines.join('\n');
}

export function exitCodeOf(s: AgentSummary): number {
  return s.ok ? 0 : 1;
}
