import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { isAuthorised, startOpsServer, type OpsServer } from './index.js';

// Loopback-only unit test of the HTTP surface (no external service involved).
describe('ops server', () => {
  let ready = false;
  let server: OpsServer;
  const base = () => `http://127.0.0.1:${server.port}`;
  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  beforeAll(async () => {
    server = await startOpsServer({
      port: 0,
      host: '127.0.0.1',
      metrics: { contentType: 'text/plain; version=0.0.4', metrics: async () => 'flk_ingest_total 3\n' },
      readiness: () => ({ ready, checks: { kafka: ready ? 'ok' : 'unreachable' } }),
      basicAuth: { user: 'ops', pass: 's3cret' },
      routes: {
        paths: ['/app/echo', '/app/broken'],
        handle: async (path, q) => {
          if (path === '/app/broken') throw new Error('boom');
          return { status: 200, body: JSON.stringify({ path, n: q.get('n') }), contentType: 'application/json' };
        },
      },
    });
  });
  afterAll(() => server.close());

  test("an app's routes sit behind the /metrics auth; errors are 500 without detail", async () => {
    expect((await fetch(`${base()}/app/echo?n=1`)).status).toBe(401);
    expect((await fetch(`${base()}/app/echo?n=1`, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);
    const ok = await fetch(`${base()}/app/echo?n=1`, { headers: { authorization: basic('ops', 's3cret') } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ path: '/app/echo', n: '1' });
    const broken = await fetch(`${base()}/app/broken`, { headers: { authorization: basic('ops', 's3cret') } });
    expect([broken.status, await broken.text()]).toEqual([500, '{"error":"internal error"}']);
    expect((await fetch(`${base()}/app/echo`, { method: 'POST', headers: { authorization: basic('ops', 's3cret') } })).status).toBe(405);
    expect((await fetch(`${base()}/app/other`, { headers: { authorization: basic('ops', 's3cret') } })).status).toBe(404);
  });

  test('health is always 200, ready follows the readiness probe', async () => {
    expect((await fetch(`${base()}/health`)).status).toBe(200);
    const notReady = await fetch(`${base()}/ready`);
    expect(notReady.status).toBe(503);
    expect(await notReady.json()).toEqual({ status: 'not_ready', checks: { kafka: 'unreachable' } });
    ready = true;
    expect((await fetch(`${base()}/ready`)).status).toBe(200);
  });

  test('metrics refuse missing or wrong credentials and serve with the right ones', async () => {
    expect((await fetch(`${base()}/metrics`)).status).toBe(401);
    expect((await fetch(`${base()}/metrics`, { headers: { authorization: basic('ops', 'wrong') } })).status).toBe(401);
    const ok = await fetch(`${base()}/metrics`, { headers: { authorization: basic('ops', 's3cret') } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('flk_ingest_total 3\n');
  });

  test('unknown paths and methods', async () => {
    expect((await fetch(`${base()}/nope`)).status).toBe(404);
    expect((await fetch(`${base()}/health`, { method: 'POST' })).status).toBe(405);
  });

  test('isAuthorised handles malformed headers', () => {
    const auth = { user: 'a', pass: 'b' };
    expect(isAuthorised(undefined, auth)).toBe(false);
    expect(isAuthorised('Bearer x', auth)).toBe(false);
    expect(isAuthorised(`Basic ${Buffer.from('nocolon').toString('base64')}`, auth)).toBe(false);
    expect(isAuthorised(basic('a', 'b:c'), { user: 'a', pass: 'b:c' })).toBe(true);
  });
});
