// The registry's state machine, pure: the state is whatever the `_schemas` log says (apply), and
// every write is planned here as records to append to that log (plan*), validated against the
// current state first. Nothing in here does I/O; registry.ts binds it to a SchemaLog.
//
// The rules follow Confluent's registry:
// - a schema id is global: the same schema under another subject reuses its id; a schema already
//   registered (not deleted) under the subject returns its id without a new version;
// - a new version must satisfy the subject's compatibility level (its own, else the global one)
//   against the subject's non-deleted versions;
// - soft delete marks versions deleted (ids stay resolvable); permanent delete needs a soft delete
//   first and writes tombstones;
// - ids are allocated as the highest id seen + 1 and versions as the subject's highest + 1. This
//   is correct for one writing instance at a time (see docs/schema-registry.md).
import { compatibilityProblems, type CompatibilityLevel } from './compatibility.js';
import { errors, IncompatibleSchemaError } from './errors.js';
import type { LogRecord } from './records.js';
import { AVRO, type ParsedSchema, type SchemaEngine } from './schema-engine.js';

export interface SchemaInput {
  readonly schema: string;
  /** Absent means AVRO. */
  readonly schemaType?: string | undefined;
}

/** A version number (1..2^31-1) or the latest version. */
export type VersionSpec = number | 'latest';

export interface SubjectVersion {
  readonly subject: string;
  readonly version: number;
  readonly id: number;
  readonly schema: string;
  readonly schemaType: string;
  readonly deleted: boolean;
}

export interface StoredSchema {
  readonly id: number;
  readonly schema: string;
  readonly schemaType: string;
}

/** A validated write: the records to append and the answer once they are applied. */
export interface Planned<T> {
  readonly result: T;
  readonly records: readonly LogRecord[];
}

export interface CompatibilityResult {
  readonly isCompatible: boolean;
  readonly messages: readonly string[];
}

interface VersionEntry {
  readonly version: number;
  readonly id: number;
  readonly deleted: boolean;
}

interface SchemaEntry extends StoredSchema {
  /** Engine identity key, prefixed by the schema type. */
  readonly key: string;
}

export interface RegistryStateOptions {
  /** The global level when no global CONFIG record was written (Confluent's default: BACKWARD). */
  defaultCompatibility?: CompatibilityLevel;
}

export class RegistryState {
  private readonly subjectVersions = new Map<string, Map<number, VersionEntry>>();
  private readonly schemas = new Map<number, SchemaEntry>();
  private readonly idByKey = new Map<string, number>();
  /** How many versions (deleted or not) point at each id; an id without any is forgotten. */
  private readonly refs = new Map<number, number>();
  private readonly subjectLevels = new Map<string, CompatibilityLevel>();
  private globalLevel: CompatibilityLevel | undefined;
  private readonly defaultLevel: CompatibilityLevel;
  private maxId = 0;

  constructor(
    private readonly engine: SchemaEngine,
    options: RegistryStateOptions = {},
  ) {
    this.defaultLevel = options.defaultCompatibility ?? 'BACKWARD';
  }

  // ------------------------------------------------------------------------------------------
  // Applying the log
  // ------------------------------------------------------------------------------------------

  /**
   * Applies one record read from the log. Never throws: a record that contradicts the state (only
   * possible with several writers) is applied as well as it can be and described in the returned
   * warning.
   */
  apply(r: LogRecord): string | undefined {
    switch (r.type) {
      case 'schema':
        return this.applySchema(r.subject, r.version, r.value);
      case 'config':
        if (r.subject === null) this.globalLevel = r.value?.compatibilityLevel;
        else if (r.value === null) this.subjectLevels.delete(r.subject);
        else this.subjectLevels.set(r.subject, r.value.compatibilityLevel);
        return undefined;
      case 'noop':
      case 'ignored':
        return undefined;
    }
  }

  private applySchema(subject: string, version: number, value: Extract<LogRecord, { type: 'schema' }>['value']): string | undefined {
    let versions = this.subjectVersions.get(subject);
    const previous = versions?.get(version);
    if (value === null) {
      if (versions && previous) {
        versions.delete(version);
        if (versions.size === 0) this.subjectVersions.delete(subject);
        this.unref(previous.id);
      }
      return undefined;
    }
    let warning: string | undefined;
    const schemaType = value.schemaType ?? AVRO;
    const known = this.schemas.get(value.id);
    if (known === undefined) {
      const key = this.keyOf(schemaType, value.schema);
      this.schemas.set(value.id, { id: value.id, schema: value.schema, schemaType, key });
      if (!this.idByKey.has(key)) this.idByKey.set(key, value.id);
    } else if (known.schema !== value.schema) {
      warning = `schema id ${value.id} (subject ${subject} version ${version}) arrived with a different schema text; the first one is kept`;
    }
    if (versions === undefined) {
      versions = new Map();
      this.subjectVersions.set(subject, versions);
    }
    versions.set(version, { version, id: value.id, deleted: value.deleted });
    this.refs.set(value.id, (this.refs.get(value.id) ?? 0) + 1);
    if (previous) this.unref(previous.id);
    if (value.id > this.maxId) this.maxId = value.id;
    return warning;
  }

  private unref(id: number): void {
    const n = (this.refs.get(id) ?? 0) - 1;
    if (n > 0) {
      this.refs.set(id, n);
      return;
    }
    this.refs.delete(id);
    const entry = this.schemas.get(id);
    this.schemas.delete(id);
    if (entry && this.idByKey.get(entry.key) === id) this.idByKey.delete(entry.key);
  }

  /** The identity key of a stored schema; a text this engine cannot parse is its own identity. */
  private keyOf(schemaType: string, text: string): string {
    try {
      return `${schemaType}\u0000${this.engine.parse(schemaType, text).key}`;
    } catch {
      return `${schemaType}\u0000raw\u0000${text}`;
    }
  }

  // ------------------------------------------------------------------------------------------
  // Queries
  // ------------------------------------------------------------------------------------------

  /** Sizes, for start-up logs. */
  stats(): { subjects: number; schemas: number; maxId: number } {
    return { subjects: this.listSubjects(false).length, schemas: this.schemas.size, maxId: this.maxId };
  }

  listSubjects(includeDeleted: boolean): string[] {
    const out: string[] = [];
    for (const [subject, versions] of this.subjectVersions) {
      if (includeDeleted || [...versions.values()].some((e) => !e.deleted)) out.push(subject);
    }
    return out.sort();
  }

  /** Ascending version entries; throws SUBJECT_NOT_FOUND when none is visible. */
  private entries(subject: string, includeDeleted: boolean): VersionEntry[] {
    const versions = this.subjectVersions.get(subject);
    const list = versions ? [...versions.values()].filter((e) => includeDeleted || !e.deleted) : [];
    if (list.length === 0) throw errors.subjectNotFound(subject);
    return list.sort((a, b) => a.version - b.version);
  }

  private liveEntries(subject: string): VersionEntry[] {
    const versions = this.subjectVersions.get(subject);
    return versions ? [...versions.values()].filter((e) => !e.deleted).sort((a, b) => a.version - b.version) : [];
  }

  listVersions(subject: string, includeDeleted: boolean): number[] {
    return this.entries(subject, includeDeleted).map((e) => e.version);
  }

  private schemaEntry(id: number): SchemaEntry {
    const s = this.schemas.get(id);
    if (s === undefined) throw errors.schemaNotFound(id);
    return s;
  }

  private toSubjectVersion(subject: string, e: VersionEntry): SubjectVersion {
    const s = this.schemaEntry(e.id);
    return { subject, version: e.version, id: e.id, schema: s.schema, schemaType: s.schemaType, deleted: e.deleted };
  }

  getVersion(subject: string, spec: VersionSpec, includeDeleted: boolean): SubjectVersion {
    const list = this.entries(subject, includeDeleted);
    const entry = spec === 'latest' ? list[list.length - 1] : list.find((e) => e.version === spec);
    if (entry === undefined) throw errors.versionNotFound(spec);
    return this.toSubjectVersion(subject, entry);
  }

  getSchema(id: number): StoredSchema {
    const { schema, schemaType } = this.schemaEntry(id);
    return { id, schema, schemaType };
  }

  /** The subject-versions using schema `id`, sorted by subject then version. */
  getSchemaVersions(id: number, includeDeleted: boolean): { subject: string; version: number }[] {
    this.schemaEntry(id);
    const out: { subject: string; version: number }[] = [];
    for (const subject of [...this.subjectVersions.keys()].sort()) {
      const versions = this.subjectVersions.get(subject);
      if (!versions) continue;
      for (const e of [...versions.values()].sort((a, b) => a.version - b.version)) {
        if (e.id === id && (includeDeleted || !e.deleted)) out.push({ subject, version: e.version });
      }
    }
    return out;
  }

  private parse(input: SchemaInput): ParsedSchema & { typedKey: string } {
    const schemaType = (input.schemaType ?? AVRO).toUpperCase();
    const parsed = this.engine.parse(schemaType, input.schema);
    return { ...parsed, typedKey: `${parsed.schemaType}\u0000${parsed.key}` };
  }

  /** The newest of `entries` holding the schema with this key. */
  private find(typedKey: string, entries: readonly VersionEntry[]): VersionEntry | undefined {
    for (let i = entries.length - 1; i >= 0; i--) {
      const e = entries[i];
      if (e !== undefined && this.schemas.get(e.id)?.key === typedKey) return e;
    }
    return undefined;
  }

  /** POST /subjects/{subject}: the version of `subject` holding this schema. */
  lookup(subject: string, input: SchemaInput, includeDeleted: boolean): SubjectVersion {
    const parsed = this.parse(input);
    const entry = this.find(parsed.typedKey, this.entries(subject, includeDeleted));
    if (entry === undefined) throw errors.schemaNotFound();
    return this.toSubjectVersion(subject, entry);
  }

  /** The id when `input` is already registered (not deleted) under `subject`; parses the input. */
  registeredId(subject: string, input: SchemaInput): number | undefined {
    const parsed = this.parse(input);
    return this.find(parsed.typedKey, this.liveEntries(subject))?.id;
  }

  /** The level that applies to `subject`: its own, else the global one. */
  effectiveLevel(subject?: string): CompatibilityLevel {
    return (subject === undefined ? undefined : this.subjectLevels.get(subject)) ?? this.globalLevel ?? this.defaultLevel;
  }

  /** GET /config/{subject}: only a subject-level setting, unless `defaultToGlobal`. */
  subjectLevel(subject: string, defaultToGlobal: boolean): CompatibilityLevel {
    const level = this.subjectLevels.get(subject);
    if (level !== undefined) return level;
    if (defaultToGlobal) return this.effectiveLevel();
    throw errors.subjectCompatibilityNotConfigured(subject);
  }

  /**
   * POST /compatibility/subjects/{subject}/versions[/{version}]: can `input` be registered?
   * `latest` (or no version) applies the subject's level to its versions, a version number checks
   * against that version only. A subject without versions accepts anything.
   */
  checkCompatibility(subject: string, spec: VersionSpec, input: SchemaInput): CompatibilityResult {
    const parsed = this.parse(input);
    const level = this.effectiveLevel(subject);
    let previous: VersionEntry[];
    if (spec === 'latest') {
      previous = this.liveEntries(subject);
    } else {
      const entry = this.entries(subject, false).find((e) => e.version === spec);
      if (entry === undefined) throw errors.versionNotFound(spec);
      previous = [entry];
    }
    const messages = compatibilityProblems(
      this.engine,
      level,
      parsed.text,
      previous.map((e) => ({ version: e.version, schema: this.schemaEntry(e.id).schema })),
    );
    return { isCompatible: messages.length === 0, messages };
  }

  // ------------------------------------------------------------------------------------------
  // Planned writes
  // ------------------------------------------------------------------------------------------

  planRegister(subject: string, input: SchemaInput): Planned<{ id: number }> {
    const parsed = this.parse(input);
    const live = this.liveEntries(subject);
    const existing = this.find(parsed.typedKey, live);
    if (existing) return { result: { id: existing.id }, records: [] };

    const level = this.effectiveLevel(subject);
    const problems = compatibilityProblems(
      this.engine,
      level,
      parsed.text,
      live.map((e) => ({ version: e.version, schema: this.schemaEntry(e.id).schema })),
    );
    if (problems.length > 0) throw new IncompatibleSchemaError(subject, problems);

    const id = this.idByKey.get(parsed.typedKey) ?? this.maxId + 1;
    // A reused id keeps the text it was first registered with.
    const schema = this.schemas.get(id)?.schema ?? parsed.text;
    const all = this.subjectVersions.get(subject);
    const version = (all && all.size > 0 ? Math.max(...all.keys()) : 0) + 1;
    return {
      result: { id },
      records: [
        { type: 'schema', subject, version, value: { subject, version, id, schema, deleted: false, schemaType: parsed.schemaType } },
      ],
    };
  }

  /** PUT /config (subject null) or /config/{subject}. */
  planSetLevel(subject: string | null, level: CompatibilityLevel): Planned<{ compatibility: CompatibilityLevel }> {
    return { result: { compatibility: level }, records: [{ type: 'config', subject, value: { compatibilityLevel: level } }] };
  }

  /** DELETE /config/{subject}: removes the subject-level setting, answers the removed level. */
  planDeleteLevel(subject: string): Planned<{ compatibilityLevel: CompatibilityLevel }> {
    const level = this.subjectLevels.get(subject);
    if (level === undefined) throw errors.subjectCompatibilityNotConfigured(subject);
    return { result: { compatibilityLevel: level }, records: [{ type: 'config', subject, value: null }] };
  }

  /** DELETE /subjects/{subject}[?permanent=true]: answers the versions deleted. */
  planDeleteSubject(subject: string, permanent: boolean): Planned<number[]> {
    const all = this.subjectVersions.get(subject);
    if (all === undefined || all.size === 0) throw errors.subjectNotFound(subject);
    const entries = [...all.values()].sort((a, b) => a.version - b.version);
    const live = entries.filter((e) => !e.deleted);
    if (!permanent) {
      if (live.length === 0) throw errors.subjectSoftDeleted(subject);
      return { result: live.map((e) => e.version), records: live.map((e) => this.softDeleteRecord(subject, e)) };
    }
    if (live.length > 0) throw errors.subjectNotSoftDeleted(subject);
    const records: LogRecord[] = entries.map((e) => ({ type: 'schema', subject, version: e.version, value: null }));
    if (this.subjectLevels.has(subject)) records.push({ type: 'config', subject, value: null });
    return { result: entries.map((e) => e.version), records };
  }

  /** DELETE /subjects/{subject}/versions/{version}[?permanent=true]: answers the version deleted. */
  planDeleteVersion(subject: string, spec: VersionSpec, permanent: boolean): Planned<number> {
    const all = this.subjectVersions.get(subject);
    if (all === undefined || all.size === 0) throw errors.subjectNotFound(subject);
    let entry: VersionEntry | undefined;
    if (spec === 'latest') {
      const candidates = [...all.values()].filter((e) => permanent || !e.deleted).sort((a, b) => a.version - b.version);
      entry = candidates[candidates.length - 1];
      if (entry === undefined) throw errors.subjectNotFound(subject);
    } else {
      entry = all.get(spec);
      if (entry === undefined) throw errors.versionNotFound(spec);
    }
    if (!permanent) {
      if (entry.deleted) throw errors.versionSoftDeleted(subject, entry.version);
      return { result: entry.version, records: [this.softDeleteRecord(subject, entry)] };
    }
    if (!entry.deleted) throw errors.versionNotSoftDeleted(subject, entry.version);
    return { result: entry.version, records: [{ type: 'schema', subject, version: entry.version, value: null }] };
  }

  private softDeleteRecord(subject: string, e: VersionEntry): LogRecord {
    const s = this.schemaEntry(e.id);
    return {
      type: 'schema',
      subject,
      version: e.version,
      value: { subject, version: e.version, id: e.id, schema: s.schema, deleted: true, schemaType: s.schemaType },
    };
  }
}
