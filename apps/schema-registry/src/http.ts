// The REST surface: the subset of Confluent Schema Registry's API that @kafkajs/confluent-schema-
// registry, Confluent's serializers and kcat use, with Confluent's paths, status codes, error
// bodies ({"error_code": N, "message": "..."}) and content type. `handleApi` is the whole API
// without sockets (unit-tested directly); `createRegistryServer` binds it to node:http with a
// body size limit and one log line per request (never the body).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { checkBasicAuth, isOpenPath, type BasicAuthUsers } from './basic-auth.js';
import { parseCompatibilityLevel } from './compatibility.js';
import { errors, RegistryError } from './errors.js';
import type { Logger } from './logger.js';
import type { Registry } from './registry.js';
import type { SchemaInput, VersionSpec } from './state.js';

export const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';

/** Request body types Confluent's registry accepts (parameters such as charset are ignored). */
const BODY_TYPES = new Set([
  'application/vnd.schemaregistry.v1+json',
  'application/vnd.schemaregistry+json',
  'application/json',
  'application/octet-stream',
]);

export interface ApiRequest {
  readonly method: string;
  /** Path and query, as in the request line. */
  readonly url: string;
  readonly contentType?: string | undefined;
  readonly body?: string | undefined;
}

export interface ApiResponse {
  readonly status: number;
  /** The serialised body (JSON). */
  readonly body: string;
  /** Confluent error code, for errors. */
  readonly errorCode?: number;
  /** The error behind a 5xx, for the log. */
  readonly cause?: unknown;
}

const MAX_INT32 = 2 ** 31 - 1;

type Params = Record<string, string>;
type Query = URLSearchParams;
type Handler = (ctx: { params: Params; query: Query; body: () => Record<string, unknown> }) => Promise<unknown> | unknown;

interface Route {
  readonly pattern: readonly string[];
  readonly methods: Readonly<Partial<Record<'GET' | 'POST' | 'PUT' | 'DELETE', Handler>>>;
  /** Answer the handler's result as raw JSON text instead of serialising it. */
  readonly raw?: boolean;
}

function flag(query: Query, name: string): boolean {
  return query.get(name)?.toLowerCase() === 'true';
}

function versionSpec(text: string | undefined): VersionSpec {
  if (text === 'latest' || text === '-1') return 'latest';
  if (text !== undefined && /^[0-9]{1,10}$/.test(text)) {
    const n = Number(text);
    if (n >= 1 && n <= MAX_INT32) return n;
  }
  throw errors.invalidVersion(text ?? '');
}

function schemaId(text: string | undefined): number {
  // Confluent's id is an int path parameter: anything else is no resource at all (404).
  if (text === undefined || !/^[0-9]{1,10}$/.test(text) || Number(text) > MAX_INT32) throw errors.notFound();
  return Number(text);
}

function schemaInput(body: Record<string, unknown>): SchemaInput {
  const { schema, schemaType, references } = body;
  if (typeof schema !== 'string' || schema.trim() === '') throw errors.invalidSchema('the request has no "schema" string');
  if (schemaType !== undefined && schemaType !== null && typeof schemaType !== 'string') {
    throw errors.invalidSchema('"schemaType" must be a string');
  }
  if (references !== undefined && references !== null && (!Array.isArray(references) || references.length > 0)) {
    throw errors.invalidSchema('schema references are not supported by this registry');
  }
  return { schema, schemaType: typeof schemaType === 'string' ? schemaType : undefined };
}

function levelFrom(body: Record<string, unknown>) {
  const level = parseCompatibilityLevel(body['compatibility'] ?? body['compatibilityLevel']);
  if (level === undefined) throw errors.invalidCompatibilityLevel();
  return level;
}

function routes(registry: Registry): Route[] {
  const state = registry.state;
  const version = (subject: string, v: string | undefined, query: Query) => {
    const sv = state.getVersion(subject, versionSpec(v), flag(query, 'deleted'));
    // Confluent omits schemaType for AVRO.
    return { subject: sv.subject, version: sv.version, id: sv.id, schema: sv.schema };
  };
  return [
    { pattern: [], methods: { GET: () => ({}) } },
    { pattern: ['subjects'], methods: { GET: ({ query }) => state.listSubjects(flag(query, 'deleted')) } },
    {
      pattern: ['subjects', ':subject'],
      methods: {
        POST: ({ params, query, body }) => {
          const sv = state.lookup(params.subject!, schemaInput(body()), flag(query, 'deleted'));
          return { subject: sv.subject, version: sv.version, id: sv.id, schema: sv.schema };
        },
        DELETE: ({ params, query }) => registry.deleteSubject(params.subject!, flag(query, 'permanent')),
      },
    },
    {
      pattern: ['subjects', ':subject', 'versions'],
      methods: {
        GET: ({ params, query }) => state.listVersions(params.subject!, flag(query, 'deleted')),
        POST: ({ params, body }) => registry.register(params.subject!, schemaInput(body())),
      },
    },
    {
      pattern: ['subjects', ':subject', 'versions', ':version'],
      methods: {
        GET: ({ params, query }) => version(params.subject!, params.version, query),
        DELETE: ({ params, query }) =>
          registry.deleteVersion(params.subject!, versionSpec(params.version), flag(query, 'permanent')),
      },
    },
    {
      pattern: ['subjects', ':subject', 'versions', ':version', 'schema'],
      raw: true,
      methods: { GET: ({ params, query }) => version(params.subject!, params.version, query).schema },
    },
    {
      // No schema references here, so nothing ever refers to a version; the version must exist.
      pattern: ['subjects', ':subject', 'versions', ':version', 'referencedby'],
      methods: {
        GET: ({ params, query }) => {
          version(params.subject!, params.version, query);
          return [];
        },
      },
    },
    { pattern: ['schemas', 'types'], methods: { GET: () => ['AVRO'] } },
    {
      pattern: ['schemas', 'ids', ':id'],
      methods: { GET: ({ params }) => ({ schema: state.getSchema(schemaId(params.id)).schema }) },
    },
    {
      pattern: ['schemas', 'ids', ':id', 'schema'],
      raw: true,
      methods: { GET: ({ params }) => state.getSchema(schemaId(params.id)).schema },
    },
    {
      pattern: ['schemas', 'ids', ':id', 'versions'],
      methods: { GET: ({ params, query }) => state.getSchemaVersions(schemaId(params.id), flag(query, 'deleted')) },
    },
    ...[
      ['compatibility', 'subjects', ':subject', 'versions'],
      ['compatibility', 'subjects', ':subject', 'versions', ':version'],
    ].map(
      (pattern): Route => ({
        pattern,
        methods: {
          POST: ({ params, query, body }) => {
            const spec = params.version === undefined ? 'latest' : versionSpec(params.version);
            const r = state.checkCompatibility(params.subject!, spec, schemaInput(body()));
            return flag(query, 'verbose') ? { is_compatible: r.isCompatible, messages: r.messages } : { is_compatible: r.isCompatible };
          },
        },
      }),
    ),
    {
      pattern: ['config'],
      methods: {
        GET: () => ({ compatibilityLevel: state.effectiveLevel() }),
        PUT: ({ body }) => registry.setLevel(null, levelFrom(body())),
      },
    },
    {
      pattern: ['config', ':subject'],
      methods: {
        GET: ({ params, query }) => ({ compatibilityLevel: state.subjectLevel(params.subject!, flag(query, 'defaultToGlobal')) }),
        PUT: ({ params, body }) => registry.setLevel(params.subject!, levelFrom(body())),
        DELETE: ({ params }) => registry.deleteLevel(params.subject!),
      },
    },
    { pattern: ['mode'], methods: { GET: () => ({ mode: 'READWRITE' }) } },
  ];
}

function match(pattern: readonly string[], segments: readonly string[]): Params | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Params = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith(':')) params[p.slice(1)] = s;
    else if (p !== s) return undefined;
  }
  return params;
}

/** Path segments, percent-decoded (a subject may contain an encoded '/'); undefined if malformed. */
function pathSegments(path: string): string[] | undefined {
  const parts = path.split('/').slice(1);
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop(); // '/' and a trailing slash
  try {
    const segments = parts.map((p) => decodeURIComponent(p));
    return segments.some((s) => s === '') ? undefined : segments;
  } catch {
    return undefined;
  }
}

function errorResponse(err: unknown): ApiResponse {
  if (err instanceof RegistryError) {
    return {
      status: err.status,
      body: JSON.stringify(err.toBody()),
      errorCode: err.errorCode,
      ...(err.status >= 500 ? { cause: err } : {}),
    };
  }
  return { status: 500, body: JSON.stringify({ error_code: 500, message: 'Internal Server Error' }), errorCode: 500, cause: err };
}

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

/** The whole REST API as a function of the request (no sockets). Never rejects. */
export function createApi(registry: Registry): ApiHandler {
  const table = routes(registry);
  return async (req) => {
    try {
      const q = req.url.indexOf('?');
      const path = q < 0 ? req.url : req.url.slice(0, q);
      const query = new URLSearchParams(q < 0 ? '' : req.url.slice(q + 1));
      const segments = pathSegments(path);
      if (segments === undefined) throw errors.notFound();
      let params: Params | undefined;
      let route: Route | undefined;
      for (const r of table) {
        params = match(r.pattern, segments);
        if (params) {
          route = r;
          break;
        }
      }
      if (!route || !params) throw errors.notFound();
      const handler = route.methods[req.method as keyof Route['methods']];
      if (!handler) throw errors.methodNotAllowed();

      const body = (): Record<string, unknown> => {
        const type = req.contentType?.split(';')[0]?.trim().toLowerCase();
        if (type !== undefined && type !== '' && !BODY_TYPES.has(type)) throw errors.unsupportedMediaType();
        if (req.body === undefined || req.body.trim() === '') throw errors.unprocessable('The request body is empty');
        let parsed: unknown;
        try {
          parsed = JSON.parse(req.body);
        } catch (err) {
          throw errors.badRequest(`Malformed JSON: ${err instanceof Error ? err.message : String(err)}`);
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          throw errors.unprocessable('The request body must be a JSON object');
        }
        return parsed as Record<string, unknown>;
      };

      const result = await handler({ params, query, body });
      return { status: 200, body: route.raw ? String(result) : JSON.stringify(result) };
    } catch (err) {
      return errorResponse(err);
    }
  };
}

export interface RegistryServerOptions {
  readonly logger: Logger;
  /** Requests with a larger body are answered 413 without being read further. */
  readonly maxBodyBytes: number;
  /** Basic-auth users (SCHEMA_REGISTRY_BASIC_AUTH_USERS_FILE); absent = no authentication. */
  readonly basicAuthUsers?: BasicAuthUsers | undefined;
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE']);

/** A node:http server answering the API. Errors never escape a request. */
export function createRegistryServer(api: ApiHandler, options: RegistryServerOptions): Server {
  const { logger, maxBodyBytes, basicAuthUsers } = options;

  const send = (req: IncomingMessage, res: ServerResponse, started: number, r: ApiResponse, close = false): void => {
    if (!res.headersSent) {
      res.writeHead(r.status, {
        'content-type': CONTENT_TYPE,
        'content-length': Buffer.byteLength(r.body),
        ...(close ? { connection: 'close' } : {}),
      });
    }
    res.end(r.body);
    const path = (req.url ?? '/').split('?')[0];
    const line = { method: req.method, path, status: r.status, ms: Math.round(performance.now() - started), errorCode: r.errorCode };
    if (r.status >= 500) logger.error({ ...line, err: r.cause }, 'request failed');
    else if (WRITE_METHODS.has(req.method ?? '') || r.status >= 400) logger.info(line, 'request');
    else logger.debug(line, 'request');
  };

  return createServer((req, res) => {
    const started = performance.now();
    if (basicAuthUsers !== undefined && !isOpenPath(req.method ?? 'GET', req.url ?? '/') && checkBasicAuth(basicAuthUsers, req.headers.authorization) === undefined) {
      // Confluent's answer to missing or wrong credentials (error_code 40101), before any body is read.
      res.setHeader('www-authenticate', 'Basic realm="flk-schema-registry", charset="UTF-8"');
      send(req, res, started, { status: 401, body: JSON.stringify({ error_code: 40101, message: 'Unauthorized' }), errorCode: 40101 }, true);
      res.once('finish', () => req.destroy());
      return;
    }
    const tooLarge = (): void => {
      const e = errors.payloadTooLarge(maxBodyBytes);
      send(req, res, started, { status: e.status, body: JSON.stringify(e.toBody()), errorCode: e.errorCode }, true);
      // Stop reading: the connection is closed once the answer is out.
      res.once('finish', () => req.destroy());
    };
    const declared = Number(req.headers['content-length'] ?? 0);
    if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge();

    const chunks: Buffer[] = [];
    let size = 0;
    let aborted = false;
    req.on('data', (chunk: Buffer) => {
      if (aborted) return;
      size += chunk.length;
      if (size > maxBodyBytes) {
        aborted = true;
        tooLarge();
        return;
      }
      chunks.push(chunk);
    });
    req.on('error', () => {
      aborted = true; // the client went away; nothing to answer
    });
    req.on('end', () => {
      if (aborted) return;
      const body = size > 0 ? Buffer.concat(chunks).toString('utf8') : undefined;
      void api({ method: req.method ?? 'GET', url: req.url ?? '/', contentType: req.headers['content-type'], body }).then(
        (r) => send(req, res, started, r),
        (err: unknown) => send(req, res, started, errorResponse(err)),
      );
    });
  });
}
