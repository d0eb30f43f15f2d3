// The gateway's HTTP surface (schemas/gateway-openapi.yaml is its contract): POST /v1/pcs/submit,
// GET /v1/pcs/{pcs_id} and /v1/pcs/{tenant_id}/{pcs_id}, /openapi.yaml, and the ops routes.
// Ports only (producer, reply router, verdict store, codec): every adapter is created in app.ts.
//
// A submission: auth (optional bearer) → content type (415) → size (413) → JSON + structure with
// the core's own validation (400 `malformed:*`, nothing produced) → the tenant's token bucket
// (429) → produce to pcs.submitted, acks=all (503 when not acknowledged in time) → wait for the
// verdict until GATEWAY_VERDICT_TIMEOUT_MS after arrival (200 / 202 / 400 / 401 with the verdict,
// or 202 + Location past the timeout). The verifier group alone decides.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkRecord, ID_PATTERN, parsePcsJson, PCS_VERSION_V02, verifiedTenant, type DecideConfig, type Logger, type Pcs, type Verdict } from '@flk/pcs';
import { REPLY_KEY_HEADER, TRACEPARENT_HEADER } from '@flk/kafka';
import { decodeStoredVerdict, type WireCodec } from '@flk/registry';
import type { TokenStore } from './auth.js';
import type { GatewayMetrics, Route } from './metrics.js';
import type { SubmitProducer } from './producer.js';
import type { RateLimiter } from './rate-limit.js';
import type { ReplyRouter } from './replies.js';
import { httpStatusOf } from './status.js';
import { endSpan, startSubmitSpan } from './trace.js';

/** The part of @flk/registry's WireCodec the gateway uses: encode submissions, decode the verdicts replied to them. */
export type GatewayCodec = Pick<WireCodec, 'encodePcs' | 'decodeVerdict'>;

export interface VerdictStore {
  /** The stored verdict bytes (@flk/registry's stored form) for a dedup key (`pcs_id`, or `tenant_id/pcs_id`), or null. Throws a retriable error when unreachable. */
  get(dedupKey: string): Promise<Buffer | null>;
}

export interface GatewayDeps {
  producer: SubmitProducer;
  replies: ReplyRouter;
  store: VerdictStore;
  codec: GatewayCodec;
  limiter: RateLimiter;
  auth: TokenStore | null;
  decideConfig: () => DecideConfig;
  metrics: GatewayMetrics;
  logger: Logger;
  openapi: string;
  ops: (req: IncomingMessage, res: ServerResponse) => boolean;
  maxBodyBytes: number;
  verdictTimeoutMs: number;
  /** Seconds a 503 tells the client to wait. */
  retryAfterSeconds?: number;
  now?: () => number;
}

const JSON_TYPE = 'application/json';
const PCS_ID = /^[0-9a-f]{64}$/;

type Headers = Record<string, string>;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const problem = (error: string, message: string) => ({ error, message });

/** application/json, optionally with charset=utf-8 (any other charset is refused: the PCS is UTF-8 JSON). */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [type, ...params] = value.split(';').map((s) => s.trim().toLowerCase());
  if (type !== JSON_TYPE) return false;
  return params.every((p) => p === '' || p === 'charset=utf-8' || p === 'charset="utf-8"');
}

/** The verdict as the API returns it: the verdict record, field for field. */
function verdictBody(v: Record<string, unknown>): Record<string, unknown> {
  return v;
}

function locationOf(pcs: Pick<Pcs, 'pcs_id' | 'version' | 'tenant_id'>): string {
  return pcs.version === PCS_VERSION_V02 ? `/v1/pcs/${pcs.tenant_id}/${pcs.pcs_id}` : `/v1/pcs/${pcs.pcs_id}`;
}

/** Reads the body up to `max` bytes; null when it is larger (the rest is left unread). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        resolve(null);
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !over && resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

export function createGatewayHandler(deps: GatewayDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const now = deps.now ?? Date.now;
  const retryAfter = String(deps.retryAfterSeconds ?? 1);

  const finish = (route: Route, t0: number, res: ServerResponse, status: number, body: unknown, headers: Headers = {}) => {
    sendJson(res, status, body, headers);
    deps.metrics.request(route, status, (performance.now() - t0) / 1000);
  };

  /** The authenticated tenant, or undefined with the 401 already sent; null = auth is off. */
  const authenticate = (req: IncomingMessage, res: ServerResponse, route: Route, t0: number): string | null | undefined => {
    if (deps.auth === null) return null;
    const tenant = deps.auth.tenantOf(req.headers.authorization);
    if (tenant === null) {
      finish(route, t0, res, 401, problem('unauthorized', 'a valid bearer token is required (Authorization: Bearer <token>)'), { 'www-authenticate': 'Bearer realm="flk-gateway"' });
      return undefined;
    }
    return tenant;
  };

  async function submit(req: IncomingMessage, res: ServerResponse, t0: number): Promise<void> {
    const arrived = now();
    const { span, traceparent } = startSubmitSpan('POST /v1/pcs/submit', req.headers[TRACEPARENT_HEADER] as string | undefined);
    const reply = (status: number, body: unknown, headers: Headers = {}, attrs: Record<string, string | number | boolean> = {}) => {
      finish('submit', t0, res, status, body, { [TRACEPARENT_HEADER]: traceparent, ...headers });
      endSpan(span, status, attrs);
    };
    const tokenTenant = authenticate(req, res, 'submit', t0);
    if (tokenTenant === undefined) return endSpan(span, 401);
    if (!isJsonContentType(req.headers['content-type'])) return reply(415, problem('unsupported_media_type', `Content-Type must be ${JSON_TYPE}`));
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (declared > deps.maxBodyBytes) return reply(413, problem('payload_too_large', `the body is limited to ${deps.maxBodyBytes} bytes`), { connection: 'close' });
    const body = await readBody(req, deps.maxBodyBytes);
    if (body === null) return reply(413, problem('payload_too_large', `the body is limited to ${deps.maxBodyBytes} bytes`), { connection: 'close' });

    // Structure, with the core's own reader and validation: the reasons are the verifier's.
    const config = deps.decideConfig();
    const meta = { decidedAt: new Date(arrived).toISOString(), source: null, now: arrived };
    const text = bodyText(body);
    const parsed = text === null ? null : parsePcsJson(text);
    if (parsed === null || !parsed.ok) {
      const verdict = checkRecord(body, config, meta);
      return reply(400, verdictBody(verdict.ok ? {} : { ...verdict.verdict }), {}, { 'flk.reason': verdict.ok ? '' : verdict.verdict.reason });
    }
    const pcs = parsed.pcs;
    const v02 = pcs.version === PCS_VERSION_V02;
    if (tokenTenant !== null && v02 && pcs.tenant_id !== tokenTenant) {
      return reply(403, problem('forbidden', 'the record\'s tenant_id is not the tenant of the bearer token'));
    }

    // The bucket: the bearer token's tenant, else a v0.2 tenant whose signature checks out against
    // the key ring, else the shared bucket (v0.1, unsigned, unknown keys, bad signatures).
    const tenant = tokenTenant ?? (v02 && config.tenants !== null ? signedTenant(pcs, config, meta) : null);
    const take = deps.limiter.take(tenant, arrived);
    if (!take.ok) {
      deps.metrics.rateLimited(tenant === null ? 'shared' : 'tenant');
      return reply(429, problem('rate_limited', `too many submissions${tenant === null ? ' (shared bucket)' : ` for tenant ${tenant}`}`), { 'retry-after': String(take.retryAfterSeconds) });
    }

    let value: Buffer;
    try {
      value = deps.codec.encodePcs({ sig: null, tenant_id: null, key_id: null, ...pcs });
    } catch (err) {
      deps.logger.warn({ pcs_id: pcs.pcs_id, err: (err as Error).message }, 'valid record not encodable as Avro');
      return reply(400, problem('malformed', 'malformed:avro: the record cannot be encoded with pcs-v1.avsc'));
    }
    const deadline = arrived + deps.verdictTimeoutMs;
    const wait = deps.verdictTimeoutMs > 0 ? deps.replies.expect(deadline) : null;
    const headers: Record<string, string> = { [TRACEPARENT_HEADER]: traceparent };
    if (wait !== null) headers[REPLY_KEY_HEADER] = wait.key;
    deps.metrics.waiting(deps.replies.waiting());
    try {
      await deps.producer.send({ key: pcs.pcs_id, value, headers });
    } catch (err) {
      wait?.cancel();
      deps.metrics.waiting(deps.replies.waiting());
      deps.logger.warn({ pcs_id: pcs.pcs_id, code: (err as { code?: string }).code, err: (err as Error).message }, 'submission not acknowledged by Kafka');
      return reply(503, problem('unavailable', 'Kafka did not acknowledge the submission in time; it may be retried safely (duplicates are answered with the stored verdict)'), { 'retry-after': retryAfter });
    }
    const location = locationOf(pcs);
    const bytes = wait === null ? null : await wait.reply;
    deps.metrics.waiting(deps.replies.waiting());
    if (bytes !== null) {
      const decoded = await deps.codec.decodeVerdict(bytes).catch(() => null);
      const v = decoded?.ok ? (decoded.value as unknown as Verdict) : null;
      if (v !== null && v.pcs_id === pcs.pcs_id && (!v02 || v.tenant_id === pcs.tenant_id)) {
        const status = httpStatusOf(v);
        return reply(status, verdictBody(v as unknown as Record<string, unknown>), status === 200 ? {} : { location }, { 'flk.status': v.status, 'flk.duplicate': v.duplicate });
      }
      deps.logger.error({ pcs_id: pcs.pcs_id, got: v?.pcs_id ?? null }, 'reply is not the verdict of this submission; answering 202 + Location');
    } else if (wait !== null) deps.metrics.verdictTimeout();
    return reply(202, { status: 'pending', pcs_id: pcs.pcs_id, tenant_id: v02 ? pcs.tenant_id! : null, location }, { location });
  }

  async function getVerdict(req: IncomingMessage, res: ServerResponse, t0: number, tenant: string | null, pcsId: string): Promise<void> {
    const tokenTenant = authenticate(req, res, 'get', t0);
    if (tokenTenant === undefined) return;
    if (!PCS_ID.test(pcsId) || (tenant !== null && !ID_PATTERN.test(tenant))) {
      return finish('get', t0, res, 400, problem('bad_request', 'pcs_id must be 64 lowercase hex digits and tenant_id match [a-z0-9][a-z0-9._-]{0,63}'));
    }
    if (tokenTenant !== null && tenant !== null && tenant !== tokenTenant) return finish('get', t0, res, 403, problem('forbidden', 'not the tenant of the bearer token'));
    const dedupKey = tenant === null ? pcsId : `${tenant}/${pcsId}`;
    let stored: Buffer | null;
    try {
      stored = await deps.store.get(dedupKey);
    } catch (err) {
      deps.logger.warn({ code: (err as { code?: string }).code, err: (err as Error).message }, 'verdict store unavailable');
      return finish('get', t0, res, 503, problem('unavailable', 'the verdict store is unavailable'), { 'retry-after': retryAfter });
    }
    if (stored === null) {
      return finish('get', t0, res, 404, problem('not_found', 'no stored verdict: not decided yet, or rejected (rejected records are never stored; resubmitting one answers its verdict again)'));
    }
    const v = decodeStoredVerdict(stored, dedupKey);
    if (v === null) {
      deps.logger.error({ pcs_id: pcsId }, 'stored verdict unreadable');
      return finish('get', t0, res, 404, problem('not_found', 'no readable stored verdict'));
    }
    return finish('get', t0, res, 200, verdictBody({ ...v }));
  }

  return (req, res) => {
    const t0 = performance.now();
    if (deps.ops(req, res)) return;
    const path = (req.url ?? '/').split('?')[0]!;
    const fail = (err: unknown) => {
      deps.logger.error({ err: (err as Error)?.message, path }, 'request failed');
      if (!res.headersSent) finish('other', t0, res, 500, problem('internal', 'internal error'));
      else res.destroy();
    };
    if (path === '/v1/pcs/submit') {
      if (req.method !== 'POST') return finish('submit', t0, res, 405, problem('method_not_allowed', 'use POST'), { allow: 'POST' });
      return void submit(req, res, t0).catch(fail);
    }
    const m = /^\/v1\/pcs\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m !== null) {
      if (req.method !== 'GET') return finish('get', t0, res, 405, problem('method_not_allowed', 'use GET'), { allow: 'GET' });
      const a = safeDecode(m[1]!);
      const b = m[2] === undefined ? undefined : safeDecode(m[2]);
      if (a === null || b === null) return finish('get', t0, res, 400, problem('bad_request', 'bad percent-encoding in the path'));
      return void (b === undefined ? getVerdict(req, res, t0, null, a) : getVerdict(req, res, t0, a, b)).catch(fail);
    }
    if (path === '/openapi.yaml') {
      if (req.method !== 'GET') return finish('openapi', t0, res, 405, problem('method_not_allowed', 'use GET'), { allow: 'GET' });
      res.writeHead(200, { 'content-type': 'application/yaml', 'cache-control': 'no-cache' });
      res.end(deps.openapi);
      deps.metrics.request('openapi', 200, (performance.now() - t0) / 1000);
      return;
    }
    finish('other', t0, res, 404, problem('not_found', 'no such route'));
  };
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
function bodyText(body: Buffer): string | null {
  try {
    return utf8.decode(body);
  } catch {
    return null;
  }
}

/** A v0.2 record's tenant when its signature verifies against the ring now (else null: the shared bucket). */
function signedTenant(pcs: Pcs, config: DecideConfig, meta: { decidedAt: string; source: null; now: number }): string | null {
  const checked = checkRecord(pcs, config, meta);
  if (checked.ok) return checked.record.signatureChecked ? (pcs.tenant_id ?? null) : null;
  return verifiedTenant(checked.verdict);
}
