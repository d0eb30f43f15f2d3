import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { createSinkMetrics, METRIC_NAMES } from '../../apps/sink/src/metrics.js';
import { createVerifierMetrics } from '../../apps/verifier/src/metrics.js';
import { createGatewayMetrics } from '../../apps/gateway/src/metrics.js';

// Every metric named in the alert rules (infra/prometheus/rules) and the Grafana dashboards
// (grafana/dashboards) must be one the apps export: the names come from the apps' own registries
// (createSinkMetrics, createVerifierMetrics, prom-client default metrics included), so renaming a
// metric in an app without updating the rules and dashboards fails here. Pure: no network, no
// processes.

const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Metrics that come from Prometheus itself or from exporters the rules/dashboards may use. */
const ALLOWED_EXTERNAL = new Set([
  'up', // Prometheus' scrape health
  'kafka_consumergroup_lag', // kafka-exporter (FlkConsumerGroupLagGrowing)
  'redis_up', // redis-exporter (FlkRedisUnavailable)
]);

const KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan', 'atan2']);

/** Metric names referenced by a PromQL expression (functions, labels, keywords and literals left out). */
function promqlMetricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' "" ') // string literals
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\boffset\s+-?[0-9a-z]+/g, ' ') // offset 5m
    .replace(/\$\{[^}]*\}|\$[A-Za-z_][A-Za-z0-9_]*/g, ' 1 ') // Grafana variables
    .replace(/(^|[^A-Za-z_:0-9])(?:0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)/gi, '$1 '); // numbers
  const names = new Set<string>();
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = s.slice(m.index! + m[0].length);
    if (/^\s*\(/.test(rest)) continue; // a function or an aggregation
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

interface Use {
  metric: string;
  where: string;
}

function ruleUses(): Use[] {
  const dir = join(REPO, 'infra/prometheus/rules');
  const uses: Use[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yml') || f.endsWith('.yaml'))) {
    const doc = YAML.parse(readFileSync(join(dir, file), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }> };
    for (const group of doc.groups) {
      for (const rule of group.rules) {
        for (const metric of promqlMetricNames(rule.expr)) uses.push({ metric, where: `rules/${file}: ${rule.alert ?? rule.record}` });
      }
    }
  }
  return uses;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}

function dashboardUses(): Use[] {
  const dir = join(REPO, 'grafana/dashboards');
  const uses: Use[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dash = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { panels?: Panel[]; templating?: { list?: Array<{ name: string; type: string; query?: unknown }> } };
    const walk = (panels: Panel[] | undefined): void => {
      for (const p of panels ?? []) {
        for (const t of p.targets ?? []) {
          for (const metric of promqlMetricNames(t.expr ?? '')) uses.push({ metric, where: `dashboards/${file}: ${p.title}` });
        }
        walk(p.panels);
      }
    };
    walk(dash.panels);
    for (const v of dash.templating?.list ?? []) {
      if (v.type !== 'query') continue;
      const q = typeof v.query === 'string' ? v.query : ((v.query as { query?: string } | undefined)?.query ?? '');
      // label_values(<series selector>, <label>) names a series, not an expression.
      const lv = /^\s*label_values\(\s*(.*),\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/.exec(q);
      for (const metric of promqlMetricNames(lv ? lv[1]! : q)) uses.push({ metric, where: `dashboards/${file}: variable $${v.name}` });
    }
  }
  return uses;
}

/** Every series name the apps' registries expose (histogram -> _bucket/_sum/_count). */
async function exportedSeries(): Promise<Set<string>> {
  const names = new Set<string>();
  for (const registry of [createSinkMetrics().registry, createVerifierMetrics().registry, createGatewayMetrics().registry]) {
    for (const m of await registry.getMetricsAsJSON()) {
      const type = String(m.type);
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(m.name + suffix);
      else if (type === 'summary') for (const suffix of ['', '_sum', '_count']) names.add(m.name + suffix);
      else names.add(m.name);
    }
  }
  return names;
}

describe('PromQL metric name extraction', () => {
  test.each([
    ['sum by (le) (rate(flk_verdict_latency_seconds_bucket{tenant=~"$tenant"}[5m]))', ['flk_verdict_latency_seconds_bucket']],
    ['(sum(rate(flk_escalated[5m])) or vector(0)) / sum(rate(flk_ingest_total[$__rate_interval])) > 0.02', ['flk_escalated', 'flk_ingest_total']],
    ['absent(up{job="flk-verifier"} == 1)', ['up']],
    ['deriv((sum by (topic) (flk_verifier_consumer_lag))[15m:1m]) > 0 and on (topic) x_total offset 1h', ['flk_verifier_consumer_lag', 'x_total']],
    ['histogram_quantile(0.95, sum by (le, op) (rate(a_bucket[1m]))) * 1e3 unless b{c="d or e"}', ['a_bucket', 'b']],
  ])('%s', (expr, expected) => {
    expect(promqlMetricNames(expr).sort()).toEqual([...expected].sort());
  });
});

describe('metric names in alert rules and dashboards', () => {
  test('the rules and every dashboard name metrics (the extraction is not vacuous)', () => {
    const rules = ruleUses();
    const dashboards = dashboardUses();
    expect(new Set(rules.map((u) => u.where)).size).toBeGreaterThanOrEqual(9);
    const files = new Set(dashboards.map((u) => u.where.split(':')[0]));
    expect(files).toEqual(new Set(['dashboards/flk-overview.json', 'dashboards/flk-tenants.json', 'dashboards/flk-verifier.json']));
  });

  test('every metric they use is exported by the sink, the verifier or the gateway (or is allowlisted)', async () => {
    const exported = await exportedSeries();
    const unknown = [...ruleUses(), ...dashboardUses()]
      .filter((u) => !exported.has(u.metric) && !ALLOWED_EXTERNAL.has(u.metric))
      .map((u) => `${u.metric}  (${u.where})`);
    expect(unknown).toEqual([]);
  });

  test('every sink metric appears on a dashboard (the sink set is fixed: docs/sink.md)', () => {
    const used = new Set(dashboardUses().map((u) => u.metric.replace(/_(bucket|sum|count)$/, '')));
    const missing = Object.values(METRIC_NAMES).filter((name) => !used.has(name));
    expect(missing).toEqual([]);
  });
});
