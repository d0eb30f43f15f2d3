// The port the registry state uses for everything schema-language specific: parse and validate a
// schema, say whether two schemas are the same, say whether one can read data written with the
// other. avro.ts implements it with avsc.

/** The only schema type this registry supports; Confluent omits `schemaType` for it. */
export const AVRO = 'AVRO';

export interface ParsedSchema {
  /** The schema type as stored ('AVRO'). */
  readonly schemaType: string;
  /** The text stored and served: the client's JSON, minified (whitespace carries no meaning). */
  readonly text: string;
  /**
   * Identity of the schema: two registrations with the same key are the same schema (same id, no
   * new version). Insensitive to whitespace and JSON key order, sensitive to everything else.
   */
  readonly key: string;
}

export interface SchemaEngine {
  /** Parses and validates; throws the INVALID_SCHEMA RequestError (42201) on any problem. */
  parse(schemaType: string, text: string): ParsedSchema;
  /**
   * Problems reading data written with `writer` using `reader` (both texts this engine parsed
   * before); an empty list means the reader can read everything the writer writes.
   */
  readProblems(reader: string, writer: string): string[];
}
