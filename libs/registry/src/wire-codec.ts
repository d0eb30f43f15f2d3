import { readFileSync } from 'node:fs';
import avsc from 'avsc';
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import type { Logger } from '@flk/pcs';
import { silentLogger } from '@flk/pcs';
import { AvroBoundsError, boundedType, typeHook } from './bounded-avro.js';
import { FlkRegistryError, REGISTRY_ERROR_CODES, RegistryUnavailableError } from './errors.js';

// Confluent wire format: magic byte 0, 4-byte big-endian schema id, Avro binary body.
const MAGIC = 0;
const HEADER_BYTES = 5;

/** Decoding outcome. A failure is data: `reason` is a stable `malformed:<detail>` string. */
export type DecodeResult<T> =
  | { readonly ok: true; readonly value: T; readonly schemaId: number }
  | { readonly ok: false; readonly reason: string };

export interface WireCodecOptions {
  /** Base URL of a Confluent-compatible schema registry. */
  registryUrl: string;
  /** HTTP basic auth for managed registries (sent on every request; never logged). */
  registryAuth?: { readonly username: string; readonly password: string } | undefined;
  /** Subjects (TopicNameStrategy: `<topic>-value`). */
  pcsSubject: string;
  verdictSubject: string;
  /** Largest message accepted for decoding; larger ones are `malformed:oversized`. */
  maxMessageBytes?: number;
  /** How long an unknown schema id is remembered as unknown (a flood of garbage ids must not become a flood of HTTP requests). */
  negativeCacheMs?: number;
  logger?: Logger;
  now?: () => number;
}

export interface WireCodec {
  /** Registers pcs-v1 and verdict-v1 under their subjects (idempotent) and caches their ids. */
  init(): Promise<{ pcsSchemaId: number; verdictSchemaId: number }>;
  encodePcs(record: object): Buffer;
  encodeVerdict(verdict: object): Buffer;
  /** Decodes any registered writer schema into the pcs-v1 reader shape. Throws only RegistryUnavailableError. */
  decodePcs(message: Buffer | null): Promise<DecodeResult<Record<string, unknown>>>;
  /**
   * decodePcs without a promise when no registry request is needed (the writer schema id is
   * cached, or the bytes are malformed before the id): the hot path, one call per record.
   * Returns undefined when the schema must be fetched first: call decodePcs then.
   */
  decodePcsSync(message: Buffer | null): DecodeResult<Record<string, unknown>> | undefined;
  decodeVerdict(message: Buffer | null): Promise<DecodeResult<Record<string, unknown>>>;
}

// The package's own copies of schemas/*.avsc (kept identical by schemas.test.ts), one level above
// both src/ and dist/, so the same URL works in the workspace and in the published tarball.
const SCHEMA_DIR = new URL('../schemas/', import.meta.url);
export function loadSchema(file: 'pcs-v1.avsc' | 'verdict-v1.avsc'): avsc.Schema {
  return JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as avsc.Schema;
}

interface ReaderSide {
  type: avsc.Type;
  /** Resolvers from each writer schema id to this reader; a writer that cannot be read maps to null. */
  resolvers: Map<number, avsc.Resolver | null>;
}

function httpStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

export function createWireCodec(opts: WireCodecOptions): WireCodec {
  const logger = opts.logger ?? silentLogger;
  const now = opts.now ?? Date.now;
  const maxBytes = opts.maxMessageBytes ?? 1_048_576;
  const negativeCacheMs = opts.negativeCacheMs ?? 60_000;
  // The registry client builds writer types with our typeHook, so its avsc types are bounded too.
  const registry = new SchemaRegistry(
    {
      host: opts.registryUrl,
      retry: { retries: 2, initialRetryTimeInSecs: 0.1, maxRetryTimeInSecs: 1 },
      ...(opts.registryAuth ? { auth: { username: opts.registryAuth.username, password: opts.registryAuth.password } } : {}),
    },
    { [SchemaType.AVRO]: { typeHook, wrapUnions: 'auto' } },
  );
  const pcs: ReaderSide = { type: boundedType(loadSchema('pcs-v1.avsc')), resolvers: new Map() };
  const verdict: ReaderSide = { type: boundedType(loadSchema('verdict-v1.avsc')), resolvers: new Map() };
  const unknownIds = new Map<number, number>(); // id -> time it was found unknown
  let ids: { pcsSchemaId: number; verdictSchemaId: number } | undefined;

  async function writerType(id: number): Promise<avsc.Type | null> {
    const seen = unknownIds.get(id);
    if (seen !== undefined && now() - seen < negativeCacheMs) return null;
    try {
      return (await registry.getSchema(id)) as unknown as avsc.Type;
    } catch (err) {
      const status = httpStatus(err);
      if (status === 404) {
        unknownIds.set(id, now());
        return null;
      }
      throw new RegistryUnavailableError(`schema registry: fetching schema id ${id} failed${status ? ` (HTTP ${status})` : ''}`, { cause: err });
    }
  }

  async function resolverFor(side: ReaderSide, id: number): Promise<avsc.Resolver | null | 'unknown'> {
    if (side.resolvers.has(id)) return side.resolvers.get(id)!;
    const writer = await writerType(id);
    if (!writer) return 'unknown';
    let resolver: avsc.Resolver | null;
    try {
      resolver = side.type.createResolver(writer);
    } catch {
      resolver = null; // writer schema cannot be read as our reader schema: every such record is malformed
    }
    side.resolvers.set(id, resolver);
    return resolver;
  }

  function preCheck(message: Buffer | null): DecodeResult<Record<string, unknown>> | null {
    if (message === null || message.length === 0) return { ok: false, reason: 'malformed:empty' };
    if (message.length > maxBytes) return { ok: false, reason: 'malformed:oversized' };
    if (message.length < HEADER_BYTES || message[0] !== MAGIC) return { ok: false, reason: 'malformed:wire_magic' };
    return null;
  }

  /** Synchronous decode when the resolver of the message's schema id is cached; undefined otherwise. */
  function decodeSync(side: ReaderSide, message: Buffer | null): DecodeResult<Record<string, unknown>> | undefined {
    const bad = preCheck(message);
    if (bad) return bad;
    const schemaId = message!.readInt32BE(1);
    if (!side.resolvers.has(schemaId)) return undefined;
    return decodeBody(side, message!, schemaId, side.resolvers.get(schemaId)!);
  }

  async function decode(side: ReaderSide, message: Buffer | null): Promise<DecodeResult<Record<string, unknown>>> {
    const bad = preCheck(message);
    if (bad) return bad;
    const schemaId = message!.readInt32BE(1);
    const resolver = await resolverFor(side, schemaId);
    if (resolver === 'unknown') return { ok: false, reason: 'malformed:unknown_schema_id' };
    return decodeBody(side, message!, schemaId, resolver);
  }

  function decodeBody(side: ReaderSide, message: Buffer, schemaId: number, resolver: avsc.Resolver | null): DecodeResult<Record<string, unknown>> {
    if (resolver === null) return { ok: false, reason: 'malformed:incompatible_schema' };
    try {
      const { value, offset } = side.type.decode(message, HEADER_BYTES, resolver);
      if (offset < 0) return { ok: false, reason: 'malformed:avro_truncated' };
      if (offset !== message.length) return { ok: false, reason: 'malformed:avro_trailing_bytes' };
      return { ok: true, value: value as Record<string, unknown>, schemaId };
    } catch (err) {
      return { ok: false, reason: err instanceof AvroBoundsError ? 'malformed:avro_length' : 'malformed:avro' };
    }
  }

  const scratch = Buffer.allocUnsafe(64 * 1024);
  function encode(type: avsc.Type, id: number | undefined, value: object, what: string): Buffer {
    if (id === undefined) throw new FlkRegistryError(REGISTRY_ERROR_CODES.NOT_INITIALISED, 'wire codec used before init()');
    // Encoded straight after the header in a scratch buffer, then copied out once (toBuffer would
    // allocate and copy the body, and we would copy it again behind the header).
    let end: number;
    try {
      end = type.encode(value, scratch, HEADER_BYTES);
    } catch (err) {
      throw new FlkRegistryError(REGISTRY_ERROR_CODES.ENCODE_FAILED, `${what} does not match its schema: ${(err as Error).message}`, { cause: err });
    }
    if (end < 0) {
      // Bigger than the scratch buffer: rare (verdicts are ~0.5 KB), take the allocating path.
      const body = type.toBuffer(value);
      const out = Buffer.allocUnsafe(HEADER_BYTES + body.length);
      out[0] = MAGIC;
      out.writeInt32BE(id, 1);
      body.copy(out, HEADER_BYTES);
      return out;
    }
    const out = Buffer.allocUnsafe(end);
    scratch.copy(out, 0, 0, end);
    out[0] = MAGIC;
    out.writeInt32BE(id, 1);
    return out;
  }

  async function register(schema: avsc.Schema, subject: string): Promise<number> {
    try {
      const { id } = await registry.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject });
      return id;
    } catch (err) {
      const status = httpStatus(err);
      if (status === undefined || status >= 500) throw new RegistryUnavailableError(`schema registry: registering ${subject} failed`, { cause: err });
      // Wrong or missing credentials: a configuration error, not a refusal of the schema.
      if (status === 401 || status === 403) {
        throw new FlkRegistryError(REGISTRY_ERROR_CODES.UNAUTHORIZED, `schema registry refused the credentials (HTTP ${status}${opts.registryAuth ? `, user ${opts.registryAuth.username}` : ', no SCHEMA_REGISTRY_USERNAME set'}) registering ${subject}`, { cause: err });
      }
      throw new FlkRegistryError(REGISTRY_ERROR_CODES.REGISTRATION_FAILED, `schema registry refused ${subject} (HTTP ${status}): ${(err as Error).message}`, { cause: err });
    }
  }

  return {
    async init() {
      const pcsSchemaId = await register(loadSchema('pcs-v1.avsc'), opts.pcsSubject);
      const verdictSchemaId = await register(loadSchema('verdict-v1.avsc'), opts.verdictSubject);
      ids = { pcsSchemaId, verdictSchemaId };
      logger.info({ pcsSchemaId, verdictSchemaId, pcsSubject: opts.pcsSubject, verdictSubject: opts.verdictSubject }, 'schemas registered');
      return ids;
    },
    encodePcs: (record) => encode(pcs.type, ids?.pcsSchemaId, record, 'PCS record'),
    encodeVerdict: (v) => encode(verdict.type, ids?.verdictSchemaId, v, 'verdict'),
    decodePcs: (m) => decode(pcs, m),
    decodePcsSync: (m) => decodeSync(pcs, m),
    decodeVerdict: (m) => decode(verdict, m),
  };
}
