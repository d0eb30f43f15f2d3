#!/usr/bin/env node
// Makes `npm test` and `npm run demo` work on a fresh clone: installs the locked dependencies when
// node_modules is missing or older than package-lock.json. Node builtins only (it runs before
// anything is installed). npm writes node_modules/.package-lock.json on every install.
// `npm install`, not `npm ci`: the registry mirror this project's machines use refuses `npm ci`.
// The committed lockfile lists every platform's optional native builds (@swc/core-*, @nx/nx-*,
// @esbuild/*: test/unit/lockfile.test.ts checks it), so `npm install` installs exactly the locked
// versions for this platform and leaves the lockfile unchanged, and `npm ci` elsewhere (macOS,
// arm64, Windows, the node:24 images) finds its native build.
import { existsSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const installed = join(root, 'node_modules', '.package-lock.json');

const fresh = existsSync(installed) && statSync(installed).mtimeMs >= statSync(lock).mtimeMs;
if (!fresh) {
  console.error('[flk] installing npm dependencies (npm install, locked versions) ...');
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`[flk] npm install failed with exit code ${r.status}`);
    process.exit(r.status ?? 1);
  }
}
