import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual, createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

// The operational HTTP surface every FLK process exposes: /health (liveness), /ready (readiness,
// e.g. not ready while Kafka or Redis is unreachable) and /metrics (Prometheus text, optionally
// behind basic auth). The metrics source is structural (prom-client's Registry fits), so this lib
// neither imports prom-client nor creates a registry: the app owns both.

export interface MetricsSource {
  contentType: string;
  metrics(): Promise<string>;
}

export interface Readiness {
  ready: boolean;
  /** Per-dependency detail shown on /ready, e.g. { kafka: 'ok', redis: 'unreachable' }. */
  checks: Record<string, string>;
}

export interface OpsServerOptions {
  port: number;
  host?: string;
  metrics: MetricsSource;
  readiness: () => Readiness;
  /** When both are set, /metrics requires HTTP basic auth with them (METRICS_USER / METRICS_PASS). */
  basicAuth?: { user: string; pass: string } | undefined;
  /** An app's own read-only GET routes, behind the same basic auth as /metrics (the sink's /audit/*, the verifier's /policy). */
  routes?: AppRoutes | undefined;
}

export interface AppRoute {
  status: number;
  body: string;
  contentType?: string;
}

export interface AppRoutes {
  /** Exact paths served (query strings aside); any other path is 404. */
  paths: readonly string[];
  handle(path: string, query: URLSearchParams): Promise<AppRoute>;
}

export interface OpsServer {
  readonly port: number;
  close(): Promise<void>;
}

// Hashing both sides first makes the comparison constant-time regardless of the lengths.
function sameSecret(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb);
}

export function isAuthorised(header: string | undefined, auth: { user: string; pass: string }): boolean {
  if (!header?.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Evaluate both comparisons so timing does not tell which half was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), auth.user);
  const passOk = sameSecret(decoded.slice(colon + 1), auth.pass);
  return userOk && passOk;
}

function send(res: ServerResponse, status: number, body: string, contentType = 'application/json'): void {
  res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * The ops routes as a request handler, for an app that serves them next to its own API on one port
 * (the HTTP gateway): answers /health, /ready and /metrics and returns true, or returns false
 * (nothing written) for any other path.
 */
export function createOpsHandler(opts: Omit<OpsServerOptions, 'port' | 'host'>): (req: IncomingMessage, res: ServerResponse) => boolean {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://ops.invalid');
    const path = url.pathname;
    const appRoute = opts.routes?.paths.includes(path) === true;
    if (path !== '/health' && path !== '/ready' && path !== '/metrics' && !appRoute) return false;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, '{"error":"method not allowed"}');
      return true;
    }
    if (path === '/health') send(res, 200, '{"status":"ok"}');
    else if (path === '/ready') {
      const r = opts.readiness();
      send(res, r.ready ? 200 : 503, JSON.stringify({ status: r.ready ? 'ready' : 'not_ready', checks: r.checks }));
    } else if (opts.basicAuth && !isAuthorised(req.headers.authorization, opts.basicAuth)) {
      res.setHeader('www-authenticate', 'Basic realm="flk-metrics"');
      send(res, 401, '{"error":"unauthorized"}');
    } else if (appRoute) {
      opts.routes!.handle(path, url.searchParams).then(
        (r) => send(res, r.status, r.body, r.contentType),
        () => send(res, 500, '{"error":"internal error"}'),
      );
    } else {
      opts.metrics.metrics().then(
        (text) => send(res, 200, text, opts.metrics.contentType),
        () => send(res, 500, '{"error":"metrics unavailable"}'),
      );
    }
    return true;
  };
}

export function startOpsServer(opts: OpsServerOptions): Promise<OpsServer> {
  const ops = createOpsHandler(opts);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    if (ops(req, res)) return;
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, '{"error":"method not allowed"}');
    send(res, 404, '{"error":"not found"}');
  };
  const server: Server = createServer(handler);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
