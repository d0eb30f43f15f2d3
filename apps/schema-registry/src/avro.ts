// SchemaEngine for Avro, with avsc.
//
// Identity: the key is the schema's JSON with object keys sorted and whitespace removed, so
// formatting and key order never create a new version. It deliberately is NOT Avro's Parsing
// Canonical Form: PCF drops field defaults, aliases and logical types, and two schemas that differ
// only there resolve data differently (a different default, a `timestamp-millis` read as a plain
// long), so they must not share an id. Confluent's registry distinguishes them too.
//
// Compatibility: avsc's `reader.createResolver(writer)` throws when the reader cannot read what
// the writer writes (missing default, non-promotable type, unknown enum symbol, ...).
import avsc from 'avsc';
import { errors } from './errors.js';
import { AVRO, type ParsedSchema, type SchemaEngine } from './schema-engine.js';

/** JSON with object keys sorted recursively and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value as Record<string, unknown>)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export interface AvroEngineOptions {
  /** Parsed types kept for compatibility checks (by text); least recently added evicted first. */
  cacheSize?: number;
}

export function createAvroEngine(options: AvroEngineOptions = {}): SchemaEngine {
  const cacheSize = options.cacheSize ?? 10_000;
  const types = new Map<string, avsc.Type>();

  function forSchema(json: unknown): avsc.Type {
    // A fresh registry per schema: names never leak from one schema into another. Named types
    // must be named, as the Avro specification requires.
    return avsc.Type.forSchema(json as avsc.Schema, { registry: {}, noAnonymousTypes: true });
  }

  function typeOf(text: string): avsc.Type {
    let t = types.get(text);
    if (t === undefined) {
      t = forSchema(JSON.parse(text));
      if (types.size >= cacheSize) {
        const oldest = types.keys().next();
        if (!oldest.done) types.delete(oldest.value);
      }
      types.set(text, t);
    }
    return t;
  }

  return {
    parse(schemaType: string, text: string): ParsedSchema {
      if (schemaType !== AVRO) {
        throw errors.invalidSchema(`schemaType ${schemaType} is not supported by this registry (AVRO only)`);
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw errors.invalidSchema(`not JSON: ${message(err)}`);
      }
      let type: avsc.Type;
      try {
        type = forSchema(json);
      } catch (err) {
        throw errors.invalidSchema(message(err));
      }
      const minified = JSON.stringify(json);
      if (!types.has(minified) && types.size < cacheSize) types.set(minified, type);
      return { schemaType: AVRO, text: minified, key: canonicalJson(json) };
    },

    readProblems(reader: string, writer: string): string[] {
      try {
        typeOf(reader).createResolver(typeOf(writer));
        return [];
      } catch (err) {
        return [message(err)];
      }
    },
  };
}
