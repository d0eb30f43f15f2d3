// The real entry point, spawned as `npm run flk` runs it (tsx with the @flk/source condition):
// proves main.ts wires argv, stdin, stdout, stderr and the exit status to run().
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const TSX = fileURLToPath(new URL('node_modules/tsx/dist/cli.mjs', new URL('../../../', import.meta.url)));
const FIELDS = 'test/fixtures/cli/signed-fields.json';

function flk(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const res = spawnSync(process.execPath, [TSX, '--conditions=@flk/source', 'apps/cli/src/main.ts', ...args], {
    cwd: ROOT,
    input,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 60_000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

describe('flk entry point (spawned)', () => {
  test('pcs id: a line per file on stdout, one error line on stderr, exit 1', () => {
    const res = flk(['pcs', 'id', FIELDS, 'test/fixtures/cli/does-not-exist.json']);
    expect(res.stdout).toBe(`${createHash('sha256').update('ab|1|shard-001').digest('hex')}\n`);
    expect(res.stderr).toBe('flk: test/fixtures/cli/does-not-exist.json: no such file\n');
    expect(res.status).toBe(1);
  }, 60_000);

  test("pcs canonical - reads stdin, exit 0; a usage error is exit 2", () => {
    const ok = flk(['pcs', 'canonical', '-'], '{"pcs_id":"x","merkle_root":"ab","epoch":1,"shard_id":"s","D_hat":2.0,"coh_star":0.0009765625,"r":5e-7,"budget":0.5}');
    expect(ok).toEqual({
      status: 0,
      stdout: '{"D_hat":2,"budget":0.5,"coh_star":0.000976562,"epoch":1,"merkle_root":"ab","pcs_id":"x","r":5e-7,"shard_id":"s"}\n',
      stderr: '',
    });
    const usage = flk(['pcs', 'id', '--nope']);
    expect(usage).toEqual({ status: 2, stdout: '', stderr: "flk: unknown option '--nope'; see 'flk pcs id --help'\n" });
  }, 60_000);
});
