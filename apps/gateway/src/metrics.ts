import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

// The gateway's Prometheus metrics (names listed in docs/gateway.md; the alert rules in
// infra/prometheus/rules/flk-gateway.yml and the Grafana row use them). Labels are bounded: the
// route template, the status code, a small set of outcomes; never a tenant or pcs_id.
export const GATEWAY_METRIC_NAMES = {
  requests: 'flk_gateway_requests_total',
  duration: 'flk_gateway_request_duration_seconds',
  verdictTimeouts: 'flk_gateway_verdict_timeouts_total',
  rateLimited: 'flk_gateway_rate_limited_total',
  produce: 'flk_gateway_kafka_produce_seconds',
  waiting: 'flk_gateway_replies_waiting',
  unmatched: 'flk_gateway_replies_unmatched_total',
  replyPartitions: 'flk_gateway_reply_partitions',
  up: 'flk_gateway_dependency_up',
} as const;

export type Route = 'submit' | 'get' | 'openapi' | 'other';

export interface GatewayMetrics {
  readonly registry: Registry;
  request(route: Route, status: number, seconds: number): void;
  verdictTimeout(): void;
  rateLimited(bucket: 'tenant' | 'shared'): void;
  produceRequest(records: number, seconds: number, ok: boolean): void;
  waiting(n: number): void;
  unmatched(): void;
  replyPartitions(n: number): void;
  dependency(dep: 'kafka' | 'redis' | 'registry', ok: boolean): void;
}

export function createGatewayMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'flk_gateway_' });
  const requests = new Counter({ name: GATEWAY_METRIC_NAMES.requests, help: 'HTTP requests answered, by route and status code', labelNames: ['route', 'code'], registers: [registry] });
  const duration = new Histogram({
    name: GATEWAY_METRIC_NAMES.duration,
    help: 'HTTP request duration (arrival to response), by route',
    labelNames: ['route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
    registers: [registry],
  });
  const timeouts = new Counter({ name: GATEWAY_METRIC_NAMES.verdictTimeouts, help: 'Submissions acknowledged by Kafka whose verdict did not arrive within GATEWAY_VERDICT_TIMEOUT_MS (answered 202 + Location)', registers: [registry] });
  const limited = new Counter({ name: GATEWAY_METRIC_NAMES.rateLimited, help: 'Submissions refused with 429, by bucket kind', labelNames: ['bucket'], registers: [registry] });
  const produce = new Histogram({ name: GATEWAY_METRIC_NAMES.produce, help: 'Produce request duration to pcs.submitted (one request carries the submissions queued meanwhile)', labelNames: ['ok'], buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers: [registry] });
  const waiting = new Gauge({ name: GATEWAY_METRIC_NAMES.waiting, help: 'Submissions waiting for their verdict', registers: [registry] });
  const unmatched = new Counter({ name: GATEWAY_METRIC_NAMES.unmatched, help: 'Replies read with no waiter (its request timed out, or it was for a replica whose partitions this one took over)', registers: [registry] });
  const partitions = new Gauge({ name: GATEWAY_METRIC_NAMES.replyPartitions, help: 'Reply partitions this replica owns', registers: [registry] });
  const up = new Gauge({ name: GATEWAY_METRIC_NAMES.up, help: '1 while the dependency answered its last request', labelNames: ['dependency'], registers: [registry] });
  return {
    registry,
    request: (route, status, seconds) => {
      requests.inc({ route, code: String(status) });
      duration.observe({ route }, seconds);
    },
    verdictTimeout: () => timeouts.inc(),
    rateLimited: (bucket) => limited.inc({ bucket }),
    produceRequest: (_records, seconds, ok) => produce.observe({ ok: String(ok) }, seconds),
    waiting: (n) => waiting.set(n),
    unmatched: () => unmatched.inc(),
    replyPartitions: (n) => partitions.set(n),
    dependency: (dep, ok) => up.set({ dependency: dep }, ok ? 1 : 0),
  };
}
