// The records of the `_schemas` log, in Confluent Schema Registry's own format (keys and values
// are JSON), so the topic reads the same as one written by Confluent's registry:
//
//   key {"keytype":"SCHEMA","subject":S,"version":V,"magic":1}
//       value {"subject":S,"version":V,"id":N,"schema":"...","deleted":false}  (null = hard delete)
//   key {"keytype":"CONFIG","subject":S|null,"magic":0}                        (null = global)
//       value {"compatibilityLevel":"BACKWARD"}                                (null = removed)
//   key {"keytype":"NOOP","magic":0}, value null: a marker written to learn the end of the log.
//
// Key JSON is always written with the same field order, because compaction compares key bytes.
// Pure: no I/O.
import { parseCompatibilityLevel, type CompatibilityLevel } from './compatibility.js';
import { AVRO } from './schema-engine.js';

export interface SchemaValue {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly deleted: boolean;
  /** Absent for AVRO, as Confluent writes it. */
  readonly schemaType?: string;
}

export type LogRecord =
  | { readonly type: 'schema'; readonly subject: string; readonly version: number; readonly value: SchemaValue | null }
  | { readonly type: 'config'; readonly subject: string | null; readonly value: { readonly compatibilityLevel: CompatibilityLevel } | null }
  | { readonly type: 'noop' }
  /** A record kind this registry does not use (MODE, DELETE_SUBJECT, ...): read and ignored. */
  | { readonly type: 'ignored'; readonly keytype: string };

export interface EncodedRecord {
  readonly key: string;
  readonly value: string | null;
}

export function encodeRecord(r: LogRecord): EncodedRecord {
  switch (r.type) {
    case 'schema': {
      const key = JSON.stringify({ keytype: 'SCHEMA', subject: r.subject, version: r.version, magic: 1 });
      if (r.value === null) return { key, value: null };
      const v = r.value;
      const value: Record<string, unknown> = { subject: v.subject, version: v.version, id: v.id };
      if (v.schemaType !== undefined && v.schemaType !== AVRO) value['schemaType'] = v.schemaType;
      value['schema'] = v.schema;
      value['deleted'] = v.deleted;
      return { key, value: JSON.stringify(value) };
    }
    case 'config':
      return {
        key: JSON.stringify({ keytype: 'CONFIG', subject: r.subject, magic: 0 }),
        value: r.value === null ? null : JSON.stringify({ compatibilityLevel: r.value.compatibilityLevel }),
      };
    case 'noop':
      return { key: JSON.stringify({ keytype: 'NOOP', magic: 0 }), value: null };
    case 'ignored':
      throw new TypeError(`cannot encode a record of kind ${r.keytype}`);
  }
}

export type DecodeResult = { ok: true; record: LogRecord } | { ok: false; reason: string };

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function parseJson(text: string, what: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, reason: `${what} is not JSON` };
  }
}

/** Decodes one record as read from Kafka (key and value as UTF-8 text; null value = tombstone). */
export function decodeRecord(keyText: string | null, valueText: string | null): DecodeResult {
  if (keyText === null) return { ok: false, reason: 'record without a key' };
  const k = parseJson(keyText, 'key');
  if (!k.ok) return k;
  const key = k.value;
  if (!isObject(key) || typeof key['keytype'] !== 'string') return { ok: false, reason: 'key without keytype' };
  let value: unknown = null;
  if (valueText !== null) {
    const v = parseJson(valueText, 'value');
    if (!v.ok) return v;
    value = v.value;
  }
  switch (key['keytype']) {
    case 'SCHEMA': {
      const subject = key['subject'];
      const version = key['version'];
      if (typeof subject !== 'string' || !isInt(version)) return { ok: false, reason: 'SCHEMA key without subject/version' };
      if (value === null) return { ok: true, record: { type: 'schema', subject, version, value: null } };
      if (!isObject(value) || !isInt(value['id']) || typeof value['schema'] !== 'string') {
        return { ok: false, reason: 'SCHEMA value without id/schema' };
      }
      const schemaType = typeof value['schemaType'] === 'string' ? value['schemaType'] : AVRO;
      return {
        ok: true,
        record: {
          type: 'schema',
          subject,
          version,
          value: { subject, version, id: value['id'], schema: value['schema'], deleted: value['deleted'] === true, schemaType },
        },
      };
    }
    case 'CONFIG': {
      const subject = typeof key['subject'] === 'string' ? key['subject'] : null;
      if (value === null) return { ok: true, record: { type: 'config', subject, value: null } };
      const level = isObject(value) ? parseCompatibilityLevel(value['compatibilityLevel']) : undefined;
      if (level === undefined) return { ok: false, reason: 'CONFIG value without a known compatibilityLevel' };
      return { ok: true, record: { type: 'config', subject, value: { compatibilityLevel: level } } };
    }
    case 'NOOP':
      return { ok: true, record: { type: 'noop' } };
    default:
      return { ok: true, record: { type: 'ignored', keytype: key['keytype'] } };
  }
}
