// @flk/pcs as a package a producer installs: `npm pack` makes a tarball that installs into a
// scratch project (its own dependencies from the registry, nothing from this workspace) and signs
// the contract's public v0.2 vector byte for byte.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 180_000 });

describe('@flk/pcs tarball', () => {
  test('npm pack → npm install in a scratch project → sign the public v0.2 vector', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flk-pack-'));
    npm(['pack', '--silent', '--pack-destination', dir], join(REPO, 'libs/pcs'));
    const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    expect(tarball).toMatch(/^flk-pcs-\d+\.\d+\.\d+\.tgz$/);
    const files = execFileSync('tar', ['tzf', join(dir, tarball!)], { encoding: 'utf8' }).split('\n');
    expect(files).toContain('package/dist/index.js');
    expect(files).toContain('package/dist/index.d.ts');
    expect(files).toContain('package/README.md');
    expect(files.some((f) => f.includes('.test.') || f.startsWith('package/src/'))).toBe(false);

    const scratch = join(dir, 'scratch');
    execFileSync('mkdir', [scratch]);
    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    npm(['install', '--no-audit', '--no-fund', '--silent', join(dir, tarball!)], scratch);
    writeFileSync(
      join(scratch, 'sign.js'),
      `import { readFileSync } from 'node:fs';
import { canonicalPayload, createHmacSigner, signPcs } from '@flk/pcs';
const v = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const signed = signPcs(v.record, createHmacSigner(v.hmac_key));
console.log(JSON.stringify({ payload: canonicalPayload(v.record), sig: signed.sig }));
`,
    );
    const vectorPath = join(REPO, 'test/vectors/contract-v02-public.json');
    const out = JSON.parse(execFileSync(process.execPath, ['sign.js', vectorPath], { cwd: scratch, encoding: 'utf8' })) as { payload: string; sig: string };
    const vector = JSON.parse(readFileSync(vectorPath, 'utf8')) as { payload: string; sig_hmac: string };
    expect(out).toEqual({ payload: vector.payload, sig: vector.sig_hmac });
  }, 240_000);
});
