import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runCli } from './test-io.js';

const DEFAULT = new URL('../../../policies/default.json', import.meta.url).pathname;
const text = readFileSync(DEFAULT, 'utf8');
const patched = (patch: (d: Record<string, any>) => void) => { // eslint-disable-line @typescript-eslint/no-explicit-any
  const d = JSON.parse(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  patch(d);
  return JSON.stringify(d);
};

describe('flk policy validate', () => {
  test('ok line per valid document; one stderr line per violation, exit 1', async () => {
    const bad = patched((d) => {
      d.params.budget.alpha = 2;
      d.params.regime.stickyDMax = 3;
      d.params.regime.nonStickyDMin = 2;
    });
    const r = await runCli(['policy', 'validate', DEFAULT, 'bad.json'], { files: { 'bad.json': bad } });
    expect(r.code).toBe(1);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]).toMatch(new RegExp(`^${DEFAULT}: ok default 1\\.0\\.0 sha256:[0-9a-f]{64}$`));
    expect(r.errors).toEqual(['flk: bad.json: /params/budget/alpha must be <= 1', 'flk: bad.json: /params/regime/stickyDMax must be below /params/regime/nonStickyDMin (2): thresholds must be ordered']);
    const rails = await runCli(['policy', 'validate', 'r.json'], { files: { 'r.json': patched((d) => (d.params.regime.stickyDMax = 3)) } });
    expect(rails.errors).toEqual(['flk: r.json: /params/regime/stickyDMax must be below /params/regime/nonStickyDMin (2.6): thresholds must be ordered']);
    expect((await runCli(['policy', 'validate'])).code).toBe(2);
  });
});

describe('flk policy diff', () => {
  test('parameter by parameter, WIDENS flagged; exit 3 when different, 0 when identical', async () => {
    const b = patched((d) => {
      d.version = '1.1.0';
      d.params.tolD = 0.2;
    });
    const r = await runCli(['policy', 'diff', DEFAULT, 'b.json'], { files: { 'b.json': b } });
    expect(r.code).toBe(3);
    expect(r.lines).toEqual(['/params/tolD: 0.15 -> 0.2  WIDENS', '/version: "1.0.0" -> "1.1.0"']);
    const same = await runCli(['policy', 'diff', DEFAULT, 'c.json'], { files: { 'c.json': JSON.stringify(JSON.parse(text), null, 4) } });
    expect([same.code, same.lines]).toEqual([0, ['identical parameters']]);
    const json = await runCli(['policy', 'diff', '--json', DEFAULT, 'b.json'], { files: { 'b.json': b } });
    expect(JSON.parse(json.stdout).changes).toHaveLength(2);
  });
});

describe('flk policy show', () => {
  test('reads GET /policy with basic auth; an HTTP error is exit 1', async () => {
    let auth: string | undefined;
    const view = { digest: 'sha256:ab', loaded_at: 't', source: 'policies/', global: { id: 'default', version: '1.0.0', digest: 'sha256:cd', document: { pii: { mode: 'off' } } }, tenants: {} };
    const server = createServer((req, res) => {
      auth = req.headers.authorization;
      if (req.url !== '/policy') return void res.writeHead(404).end('{}');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(view));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const r = await runCli(['policy', 'show', '--url', url], { env: { METRICS_USER: 'u', METRICS_PASS: 'p' } });
      expect(r.code).toBe(0);
      expect(r.lines).toEqual(['policy set sha256:ab (policies/, loaded t)', '  global           default 1.0.0 sha256:cd pii=off']);
      expect(auth).toBe(`Basic ${Buffer.from('u:p').toString('base64')}`);
      const missing = await runCli(['policy', 'show', '--url', `${url}/nope/`]);
      expect(missing.code).toBe(1);
    } finally {
      server.close();
    }
  });
});

describe('flk replay: usage', () => {
  test('--policy is required, and a candidate set is validated before anything is read from Kafka (exit 2, paths named)', async () => {
    const none = await runCli(['replay']);
    expect([none.code, none.errors]).toEqual([2, ["flk: missing required option --policy; see 'flk replay --help'"]]);
    const bad = await runCli(['replay', '--policy', '/nonexistent/policy.json']);
    expect(bad.code).toBe(2);
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'flk-replay-usage-'));
    try {
      writeFileSync(join(dir, 'p.json'), patched((d) => (d.params.tolD = -1)));
      const r = await runCli(['replay', '--policy', join(dir, 'p.json')]);
      expect(r.code).toBe(2);
      expect(r.errors[0]).toContain('p.json#/params/tolD must be >= 0');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
