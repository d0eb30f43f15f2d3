import { describe, expect, test } from '@jest/globals';
import { createAvroEngine } from './avro.js';
import { IncompatibleSchemaError, RegistryError } from './errors.js';
import { RegistryState } from './state.js';
import { createTestRegistry, record, V1, V2_OPTIONAL, V2_REQUIRED } from './test-support.js';

async function rejection(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RegistryError);
    return err as RegistryError;
  }
  throw new Error('expected an error');
}

describe('register', () => {
  test('first schema gets id 1, version 1; identical text or formatting reuses it without a write', async () => {
    const { registry, state, log } = createTestRegistry();
    expect(await registry.register('a-value', { schema: V1 })).toEqual({ id: 1 });
    expect(log.entries).toHaveLength(1);
    expect(await registry.register('a-value', { schema: JSON.stringify(JSON.parse(V1), null, 2), schemaType: 'AVRO' })).toEqual({ id: 1 });
    expect(log.entries).toHaveLength(1);
    expect(state.listVersions('a-value', false)).toEqual([1]);
    expect(state.getVersion('a-value', 'latest', false)).toEqual({
      subject: 'a-value',
      version: 1,
      id: 1,
      schema: V1,
      schemaType: 'AVRO',
      deleted: false,
    });
  });

  test('the same schema under another subject reuses the global id', async () => {
    const { registry, state } = createTestRegistry();
    await registry.register('a-value', { schema: V1 });
    await registry.register('a-value', { schema: V2_OPTIONAL });
    expect(await registry.register('b-value', { schema: V2_OPTIONAL })).toEqual({ id: 2 });
    expect(state.getVersion('b-value', 1, false).id).toBe(2);
    expect(state.getSchemaVersions(2, false)).toEqual([
      { subject: 'a-value', version: 2 },
      { subject: 'b-value', version: 1 },
    ]);
    expect(state.listSubjects(false)).toEqual(['a-value', 'b-value']);
  });

  test('BACKWARD (default): a compatible change is a new version, an incompatible one is refused with 409', async () => {
    const { registry, state, log } = createTestRegistry();
    await registry.register('s', { schema: V1 });
    expect(await registry.register('s', { schema: V2_OPTIONAL })).toEqual({ id: 2 });
    const err = await rejection(registry.register('s', { schema: V2_REQUIRED.replace('"count"', '"other"') }));
    expect(err).toBeInstanceOf(IncompatibleSchemaError);
    expect(err.status).toBe(409);
    expect(err.errorCode).toBe(409);
    expect(err.message).toMatch(/^Schema being registered is incompatible with an earlier schema for subject "s", details: \[/);
    expect((err as IncompatibleSchemaError).messages.at(-1)).toBe("{compatibility: 'BACKWARD'}");
    expect(state.listVersions('s', false)).toEqual([1, 2]);
    expect(log.entries).toHaveLength(2);
  });

  test('an invalid schema is 42201 and writes nothing', async () => {
    const { registry, log } = createTestRegistry();
    const err = await rejection(registry.register('s', { schema: '{"type":"record","name":"R","fields":[{"name":"a"}]}' }));
    expect(err.errorCode).toBe(42201);
    expect((await rejection(registry.register('s', { schema: '{}', schemaType: 'PROTOBUF' }))).errorCode).toBe(42201);
    expect(log.entries).toHaveLength(0);
  });

  test('BACKWARD checks only the latest version; BACKWARD_TRANSITIVE checks them all', async () => {
    // v1 {id}, v2 {id, count:int default 0} ... v3 {id, count:int} reads v2 data but not v1 data.
    for (const [level, accepted] of [
      ['BACKWARD', true],
      ['BACKWARD_TRANSITIVE', false],
    ] as const) {
      const { registry } = createTestRegistry(level);
      await registry.register('s', { schema: V1 });
      await registry.register('s', { schema: V2_OPTIONAL });
      const result = registry.register('s', { schema: V2_REQUIRED });
      if (accepted) expect(await result).toEqual({ id: 3 });
      else expect((await rejection(result)).status).toBe(409);
    }
  });

  test('FORWARD: old readers must read new data; FULL: both directions; NONE: anything', async () => {
    const removeId = record([{ name: 'count', type: 'int', default: 0 }]);
    const forward = createTestRegistry('FORWARD');
    await forward.registry.register('s', { schema: V1 });
    // V2_REQUIRED adds a field: V1 readers ignore it (FORWARD ok), though it is not BACKWARD.
    expect(await forward.registry.register('s', { schema: V2_REQUIRED })).toEqual({ id: 2 });
    // Dropping `id` (no default in the old schemas) breaks old readers.
    expect((await rejection(forward.registry.register('s', { schema: removeId }))).status).toBe(409);

    const full = createTestRegistry('FULL');
    await full.registry.register('s', { schema: V1 });
    expect((await rejection(full.registry.register('s', { schema: V2_REQUIRED }))).status).toBe(409);
    expect(await full.registry.register('s', { schema: V2_OPTIONAL })).toEqual({ id: 2 });

    const none = createTestRegistry('NONE');
    await none.registry.register('s', { schema: V1 });
    expect(await none.registry.register('s', { schema: '"string"' })).toEqual({ id: 2 });
  });

  test('the subject level overrides the global one', async () => {
    const { registry, state } = createTestRegistry();
    await registry.register('s', { schema: V1 });
    expect(thrown(() => state.subjectLevel('s', false)).errorCode).toBe(40408);
    expect(state.subjectLevel('s', true)).toBe('BACKWARD');
    expect(await registry.setLevel('s', 'NONE')).toEqual({ compatibility: 'NONE' });
    expect(state.subjectLevel('s', false)).toBe('NONE');
    expect(await registry.register('s', { schema: V2_REQUIRED })).toEqual({ id: 2 });
    await registry.setLevel(null, 'FULL');
    expect(state.effectiveLevel()).toBe('FULL');
    expect(state.effectiveLevel('s')).toBe('NONE');
    expect(state.effectiveLevel('other')).toBe('FULL');
    expect(await registry.deleteLevel('s')).toEqual({ compatibilityLevel: 'NONE' });
    expect(state.effectiveLevel('s')).toBe('FULL');
    expect((await rejection(registry.deleteLevel('s'))).errorCode).toBe(40408);
  });
});

describe('queries', () => {
  test('not found errors carry Confluent codes', async () => {
    const { registry, state } = createTestRegistry();
    await registry.register('s', { schema: V1 });
    expect(thrown(() => state.listVersions('nope', false)).errorCode).toBe(40401);
    expect(thrown(() => state.getVersion('nope', 'latest', false)).errorCode).toBe(40401);
    expect(thrown(() => state.getVersion('s', 9, false)).errorCode).toBe(40402);
    expect(thrown(() => state.getSchema(99)).errorCode).toBe(40403);
    expect(thrown(() => state.getSchema(99)).message).toBe('Schema 99 not found');
  });

  test('lookup finds the version holding a schema', async () => {
    const { registry, state } = createTestRegistry();
    await registry.register('s', { schema: V1 });
    await registry.register('s', { schema: V2_OPTIONAL });
    expect(state.lookup('s', { schema: JSON.stringify(JSON.parse(V1), null, 1) }, false)).toMatchObject({ subject: 's', version: 1, id: 1, schema: V1 });
    expect(thrown(() => state.lookup('s', { schema: V2_REQUIRED }, false)).errorCode).toBe(40403);
    expect(thrown(() => state.lookup('x', { schema: V1 }, false)).errorCode).toBe(40401);
  });

  test('checkCompatibility: latest applies the level, a version number checks that version', async () => {
    const { registry, state } = createTestRegistry('BACKWARD_TRANSITIVE');
    expect(state.checkCompatibility('new-subject', 'latest', { schema: V2_REQUIRED })).toEqual({ isCompatible: true, messages: [] });
    await registry.register('s', { schema: V1 });
    await registry.register('s', { schema: V2_OPTIONAL });
    expect(state.checkCompatibility('s', 'latest', { schema: V2_REQUIRED }).isCompatible).toBe(false);
    expect(state.checkCompatibility('s', 2, { schema: V2_REQUIRED })).toEqual({ isCompatible: true, messages: [] });
    const r = state.checkCompatibility('s', 1, { schema: V2_REQUIRED });
    expect(r.isCompatible).toBe(false);
    expect(r.messages[0]).toMatch(/version 1/);
    expect(thrown(() => state.checkCompatibility('s', 5, { schema: V1 })).errorCode).toBe(40402);
    expect(thrown(() => state.checkCompatibility('x', 1, { schema: V1 })).errorCode).toBe(40401);
  });
});

describe('delete', () => {
  test('soft delete hides the subject but keeps ids resolvable; permanent delete needs a soft delete first', async () => {
    const { registry, state } = createTestRegistry();
    await registry.register('s', { schema: V1 });
    await registry.register('s', { schema: V2_OPTIONAL });
    expect((await rejection(registry.deleteSubject('s', true))).errorCode).toBe(40405);
    expect(await registry.deleteSubject('s', false)).toEqual([1, 2]);
    expect((await rejection(registry.deleteSubject('s', false))).errorCode).toBe(40404);
    expect(state.listSubjects(false)).toEqual([]);
    expect(state.listSubjects(true)).toEqual(['s']);
    expect(thrown(() => state.listVersions('s', false)).errorCode).toBe(40401);
    expect(state.listVersions('s', true)).toEqual([1, 2]);
    expect(state.getSchema(1).schema).toBe(V1);
    expect(state.getSchemaVersions(1, false)).toEqual([]);
    expect(state.getSchemaVersions(1, true)).toEqual([{ subject: 's', version: 1 }]);

    // Registering again after a soft delete: a new version, the same id.
    expect(await registry.register('s', { schema: V1 })).toEqual({ id: 1 });
    expect(state.listVersions('s', false)).toEqual([3]);

    await registry.deleteSubject('s', false);
    await registry.setLevel('s', 'FULL');
    expect(await registry.deleteSubject('s', true)).toEqual([1, 2, 3]);
    expect(state.listSubjects(true)).toEqual([]);
    expect(thrown(() => state.getSchema(1)).errorCode).toBe(40403);
    expect(thrown(() => state.subjectLevel('s', false)).errorCode).toBe(40408);
    expect((await rejection(registry.deleteSubject('s', false))).errorCode).toBe(40401);
    // Ids are never reused while the process remembers them.
    expect(await registry.register('s', { schema: V1 })).toEqual({ id: 3 });
    expect(state.getVersion('s', 'latest', false).version).toBe(1);
  });

  test('versions: soft, then permanent; errors 40402/40406/40407', async () => {
    const { registry, state } = createTestRegistry('NONE');
    await registry.register('s', { schema: V1 });
    await registry.register('s', { schema: V2_REQUIRED });
    expect((await rejection(registry.deleteVersion('s', 7, false))).errorCode).toBe(40402);
    expect((await rejection(registry.deleteVersion('s', 2, true))).errorCode).toBe(40407);
    expect(await registry.deleteVersion('s', 'latest', false)).toBe(2);
    expect((await rejection(registry.deleteVersion('s', 2, false))).errorCode).toBe(40406);
    expect(state.getVersion('s', 'latest', false).version).toBe(1);
    expect(state.getVersion('s', 2, true).deleted).toBe(true);
    expect(thrown(() => state.getVersion('s', 2, false)).errorCode).toBe(40402);
    expect(await registry.deleteVersion('s', 2, true)).toBe(2);
    expect(state.listVersions('s', true)).toEqual([1]);
    expect(thrown(() => state.getSchema(2)).errorCode).toBe(40403);
    expect((await rejection(registry.deleteVersion('nope', 1, false))).errorCode).toBe(40401);
  });
});

describe('durability through the log', () => {
  test('a registry rebuilt from the log answers the same', async () => {
    const first = createTestRegistry();
    await first.registry.register('a', { schema: V1 });
    await first.registry.register('a', { schema: V2_OPTIONAL });
    await first.registry.register('b', { schema: V2_OPTIONAL });
    await first.registry.setLevel('b', 'FULL_TRANSITIVE');
    await first.registry.setLevel(null, 'FORWARD');
    await first.registry.register('c', { schema: '"string"' });
    await first.registry.deleteSubject('c', false);
    await first.registry.deleteSubject('c', true);

    const second = first.restart();
    for (const s of ['a', 'b']) expect(second.state.getVersion(s, 'latest', false)).toEqual(first.state.getVersion(s, 'latest', false));
    expect(second.state.listSubjects(true)).toEqual(['a', 'b']);
    expect(second.state.subjectLevel('b', false)).toBe('FULL_TRANSITIVE');
    expect(second.state.effectiveLevel()).toBe('FORWARD');
    expect(second.state.getSchema(2).schema).toBe(V2_OPTIONAL);
    expect(await second.registry.register('d', { schema: record([{ name: 'x', type: 'int' }]) })).toEqual({ id: 4 });
  });

  test('a store failure is reported and leaves the state unchanged', async () => {
    const { registry, state, log } = createTestRegistry();
    log.failNextAppend(new Error('broker gone'));
    await expect(registry.register('s', { schema: V1 })).rejects.toThrow('broker gone');
    expect(state.listSubjects(true)).toEqual([]);
    // The queue keeps working after a failed write.
    expect(await registry.register('s', { schema: V1 })).toEqual({ id: 1 });
  });

  test('concurrent registrations are serialised: one id per schema, consecutive versions', async () => {
    const { registry, state } = createTestRegistry('NONE');
    const schemas = Array.from({ length: 10 }, (_, i) => record([{ name: `f${i}`, type: 'int' }]));
    const ids = await Promise.all([...schemas, ...schemas].map((schema) => registry.register('s', { schema })));
    expect(ids.slice(10)).toEqual(ids.slice(0, 10));
    expect(new Set(ids.map((r) => r.id)).size).toBe(10);
    expect(state.listVersions('s', false)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  test('apply warns about an id that arrives with another schema (several writers) and keeps the first', () => {
    const state = new RegistryState(createAvroEngine());
    const value = (subject: string, schema: string) => ({ subject, version: 1, id: 1, schema, deleted: false });
    expect(state.apply({ type: 'schema', subject: 'a', version: 1, value: value('a', V1) })).toBeUndefined();
    expect(state.apply({ type: 'schema', subject: 'b', version: 1, value: value('b', '"int"') })).toMatch(/different schema/);
    expect(state.getSchema(1).schema).toBe(V1);
    // Records it does not understand are ignored.
    expect(state.apply({ type: 'ignored', keytype: 'MODE' })).toBeUndefined();
    expect(state.apply({ type: 'noop' })).toBeUndefined();
  });
});
