// The REST API without sockets: createApi over a registry on the in-memory log.
import { describe, expect, test } from '@jest/globals';
import { errors } from './errors.js';
import { createApi, type ApiRequest } from './http.js';
import { createTestRegistry, V1, V2_OPTIONAL, V2_REQUIRED } from './test-support.js';

const JSON_TYPE = 'application/vnd.schemaregistry.v1+json';

function setup(level?: Parameters<typeof createTestRegistry>[0]) {
  const t = createTestRegistry(level);
  const api = createApi(t.registry);
  const call = async (method: string, url: string, body?: unknown, contentType: string | undefined = JSON_TYPE) => {
    const req: ApiRequest = {
      method,
      url,
      contentType: body === undefined ? undefined : contentType,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    };
    const r = await api(req);
    return { status: r.status, body: JSON.parse(r.body) as unknown, raw: r.body, errorCode: r.errorCode };
  };
  return { ...t, call };
}

describe('REST API', () => {
  test('GET / is the health check', async () => {
    const { call } = setup();
    expect(await call('GET', '/')).toMatchObject({ status: 200, body: {} });
  });

  test('register, fetch by subject/version and by id, list', async () => {
    const { call } = setup();
    expect(await call('POST', '/subjects/orders-value/versions', { schema: V1 })).toMatchObject({ status: 200, body: { id: 1 } });
    expect(await call('POST', '/subjects/orders-value/versions', { schema: V1, schemaType: 'AVRO' })).toMatchObject({ body: { id: 1 } });
    expect(await call('POST', '/subjects/orders-value/versions', { schema: V2_OPTIONAL })).toMatchObject({ body: { id: 2 } });
    expect((await call('GET', '/subjects')).body).toEqual(['orders-value']);
    expect((await call('GET', '/subjects/orders-value/versions')).body).toEqual([1, 2]);
    // Confluent omits schemaType for AVRO.
    expect((await call('GET', '/subjects/orders-value/versions/latest')).body).toEqual({ subject: 'orders-value', version: 2, id: 2, schema: V2_OPTIONAL });
    expect((await call('GET', '/subjects/orders-value/versions/-1')).body).toMatchObject({ version: 2 });
    expect((await call('GET', '/subjects/orders-value/versions/1')).body).toEqual({ subject: 'orders-value', version: 1, id: 1, schema: V1 });
    const raw = await call('GET', '/subjects/orders-value/versions/1/schema');
    expect(raw.raw).toBe(V1);
    expect((await call('GET', '/schemas/ids/2')).body).toEqual({ schema: V2_OPTIONAL });
    expect((await call('GET', '/schemas/ids/2/schema')).raw).toBe(V2_OPTIONAL);
    expect((await call('GET', '/schemas/ids/1/versions')).body).toEqual([{ subject: 'orders-value', version: 1 }]);
    expect((await call('GET', '/schemas/types')).body).toEqual(['AVRO']);
    expect((await call('GET', '/subjects/orders-value/versions/1/referencedby')).body).toEqual([]);
  });

  test('subjects with reserved characters are percent-decoded', async () => {
    const { call } = setup();
    await call('POST', '/subjects/a%2Fb%20c/versions', { schema: V1 });
    expect((await call('GET', '/subjects')).body).toEqual(['a/b c']);
    expect((await call('GET', '/subjects/a%2Fb%20c/versions/1')).body).toMatchObject({ subject: 'a/b c' });
  });

  test('lookup under a subject', async () => {
    const { call } = setup();
    await call('POST', '/subjects/s/versions', { schema: V1 });
    expect((await call('POST', '/subjects/s', { schema: V1 })).body).toEqual({ subject: 's', version: 1, id: 1, schema: V1 });
    expect(await call('POST', '/subjects/s', { schema: V2_OPTIONAL })).toMatchObject({
      status: 404,
      body: { error_code: 40403, message: 'Schema not found' },
    });
    expect(await call('POST', '/subjects/t', { schema: V1 })).toMatchObject({ status: 404, body: { error_code: 40401, message: "Subject 't' not found." } });
  });

  test('incompatible change: 409; compatibility endpoint with and without verbose', async () => {
    const { call } = setup();
    await call('POST', '/subjects/s/versions', { schema: V1 });
    const refused = await call('POST', '/subjects/s/versions', { schema: V2_REQUIRED });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error_code: 409, message: expect.stringMatching(/incompatible with an earlier schema for subject "s"/) });

    expect(await call('POST', '/compatibility/subjects/s/versions/latest', { schema: V2_REQUIRED })).toMatchObject({ status: 200, body: { is_compatible: false } });
    expect((await call('POST', '/compatibility/subjects/s/versions/latest', { schema: V2_OPTIONAL })).body).toEqual({ is_compatible: true });
    const verbose = await call('POST', '/compatibility/subjects/s/versions/1?verbose=true', { schema: V2_REQUIRED });
    expect(verbose.body).toEqual({ is_compatible: false, messages: expect.arrayContaining([expect.stringMatching(/count/)]) });
    expect((await call('POST', '/compatibility/subjects/s/versions?verbose=true', { schema: V2_OPTIONAL })).body).toEqual({ is_compatible: true, messages: [] });
    expect((await call('POST', '/compatibility/subjects/s/versions/9', { schema: V1 })).body).toMatchObject({ error_code: 40402 });
    expect((await call('POST', '/compatibility/subjects/none/versions/latest', { schema: V1 })).body).toEqual({ is_compatible: true });
  });

  test('config: global and per subject, as @kafkajs/confluent-schema-registry uses them', async () => {
    const { call } = setup();
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    // The client reads the subject's config first and expects 404 when it has none.
    expect(await call('GET', '/config/s')).toMatchObject({ status: 404, body: { error_code: 40408 } });
    expect((await call('GET', '/config/s?defaultToGlobal=true')).body).toEqual({ compatibilityLevel: 'BACKWARD' });
    expect((await call('PUT', '/config/s', { compatibility: 'full' })).body).toEqual({ compatibility: 'FULL' });
    expect((await call('GET', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL' });
    expect((await call('PUT', '/config', { compatibility: 'NONE' })).body).toEqual({ compatibility: 'NONE' });
    expect((await call('GET', '/config')).body).toEqual({ compatibilityLevel: 'NONE' });
    expect(await call('PUT', '/config', { compatibility: 'SOMETIMES' })).toMatchObject({ status: 422, body: { error_code: 42203 } });
    expect(await call('PUT', '/config/s', {})).toMatchObject({ status: 422, body: { error_code: 42203 } });
    expect((await call('DELETE', '/config/s')).body).toEqual({ compatibilityLevel: 'FULL' });
    expect((await call('GET', '/mode')).body).toEqual({ mode: 'READWRITE' });
  });

  test('delete subject and versions', async () => {
    const { call } = setup();
    await call('POST', '/subjects/s/versions', { schema: V1 });
    await call('POST', '/subjects/s/versions', { schema: V2_OPTIONAL });
    expect((await call('DELETE', '/subjects/s/versions/2')).body).toBe(2);
    expect((await call('GET', '/subjects/s/versions')).body).toEqual([1]);
    expect((await call('GET', '/subjects/s/versions?deleted=true')).body).toEqual([1, 2]);
    expect((await call('DELETE', '/subjects/s/versions/2?permanent=true')).body).toBe(2);
    expect((await call('DELETE', '/subjects/s?permanent=true')).body).toMatchObject({ error_code: 40405 });
    expect((await call('DELETE', '/subjects/s')).body).toEqual([1]);
    expect((await call('GET', '/subjects')).body).toEqual([]);
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual(['s']);
    expect((await call('DELETE', '/subjects/s?permanent=true')).body).toEqual([1]);
    expect((await call('GET', '/subjects?deleted=true')).body).toEqual([]);
  });

  test.each([
    ['unknown path', 'GET', '/nope', undefined, 404, 404],
    ['unknown nested path', 'GET', '/subjects/s/versions/1/nope', undefined, 404, 404],
    ['wrong method', 'DELETE', '/schemas/ids/1', undefined, 405, 405],
    ['non-numeric id', 'GET', '/schemas/ids/abc', undefined, 404, 404],
    ['unknown id', 'GET', '/schemas/ids/42', undefined, 404, 40403],
    ['unknown subject', 'GET', '/subjects/nope/versions', undefined, 404, 40401],
    ['bad version', 'GET', '/subjects/s/versions/abc', undefined, 422, 42202],
    ['version 0', 'GET', '/subjects/s/versions/0', undefined, 422, 42202],
    ['version above int32', 'GET', '/subjects/s/versions/2147483648', undefined, 422, 42202],
    ['malformed JSON', 'POST', '/subjects/s/versions', '{"schema": ', 400, 400],
    ['JSON that is not an object', 'POST', '/subjects/s/versions', '[1]', 422, 422],
    ['empty body', 'POST', '/subjects/s/versions', '', 422, 422],
    ['no schema field', 'POST', '/subjects/s/versions', { schemaType: 'AVRO' }, 422, 42201],
    ['invalid Avro', 'POST', '/subjects/s/versions', { schema: '{"type":"enum","name":"E"}' }, 422, 42201],
    ['references', 'POST', '/subjects/s/versions', { schema: V1, references: [{ name: 'x', subject: 'y', version: 1 }] }, 422, 42201],
    ['bad percent-encoding', 'GET', '/subjects/%E0%A4%A/versions', undefined, 404, 404],
  ])('%s → %i / %i', async (_what, method, url, body, status, errorCode) => {
    const { call } = setup();
    const r = await call(method, url, body);
    expect(r.status).toBe(status);
    expect(r.body).toEqual({ error_code: errorCode, message: expect.any(String) });
  });

  test('content types: Confluent’s, JSON and octet-stream accepted, others 415', async () => {
    const { call } = setup();
    for (const type of ['application/vnd.schemaregistry.v1+json', 'application/vnd.schemaregistry+json', 'application/json; charset=utf-8', 'application/octet-stream']) {
      expect((await call('POST', '/subjects/s/versions', { schema: V1 }, type)).status).toBe(200);
    }
    expect(await call('POST', '/subjects/s/versions', { schema: V1 }, 'text/plain')).toMatchObject({ status: 415, body: { error_code: 415 } });
  });

  test('store errors are 500 with error_code 50001/50002; anything unexpected is 500 without details', async () => {
    const { call, log } = setup();
    log.failNextAppend(errors.storeError('Error while writing to _schemas: broker gone'));
    expect(await call('POST', '/subjects/s/versions', { schema: V1 })).toMatchObject({ status: 500, body: { error_code: 50001 } });
    log.failNextAppend(errors.storeTimeout('write: not read back'));
    expect(await call('POST', '/subjects/s/versions', { schema: V1 })).toMatchObject({ status: 500, body: { error_code: 50002 } });
    log.failNextAppend(new TypeError('bug'));
    expect(await call('POST', '/subjects/s/versions', { schema: V1 })).toMatchObject({
      status: 500,
      body: { error_code: 500, message: 'Internal Server Error' },
    });
    expect(await call('POST', '/subjects/s/versions', { schema: V1 })).toMatchObject({ status: 200, body: { id: 1 } });
  });
});
