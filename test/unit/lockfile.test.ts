import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The committed package-lock.json must serve every platform a contributor or CI may install on,
// not only the one it was last written on: `npm ci` on macOS/arm64/Windows installs exactly the
// lockfile's entries, so a missing optional native build (@swc/core-darwin-arm64, nx's bindings,
// esbuild's) means no native binary there, and `npm install` on this machine would add the missing
// entries back, leaving a fresh clone dirty. npm records every optional dependency of every package
// in the lockfile whatever the current os/cpu (it skips only the install); these checks fail when a
// lockfile was written by a client or registry that dropped them. Pure: reads the file only.

const REPO = fileURLToPath(new URL('../../', import.meta.url));

interface LockEntry {
  version?: string;
  optional?: boolean;
  os?: string[];
  cpu?: string[];
  optionalDependencies?: Record<string, string>;
}
const lock = JSON.parse(readFileSync(`${REPO}package-lock.json`, 'utf8')) as { lockfileVersion: number; packages: Record<string, LockEntry> };
const packages = lock.packages;

/** The lockfile key that `dep`, required from the package at `from`, resolves to (Node's lookup). */
function resolveKey(from: string, dep: string): string | undefined {
  let base = from;
  for (;;) {
    const key = `${base === '' ? '' : `${base}/`}node_modules/${dep}`;
    if (packages[key] !== undefined) return key;
    if (base === '') return undefined;
    const i = base.lastIndexOf('/node_modules/');
    base = i < 0 ? '' : base.slice(0, i);
  }
}

/** Optional dependencies that are platform builds (the entry declares os or cpu). */
function platformVariants(from: string): string[] {
  const out: string[] = [];
  for (const dep of Object.keys(packages[from]?.optionalDependencies ?? {})) {
    const key = resolveKey(from, dep);
    const e = key === undefined ? undefined : packages[key];
    if (e?.os !== undefined || e?.cpu !== undefined) out.push(dep);
  }
  return out;
}

describe('package-lock.json lists every platform', () => {
  test('lockfile v3 (npm 9+), the format npm 10/11 on Node 20/24 read and write unchanged', () => {
    expect(lock.lockfileVersion).toBe(3);
  });

  test('every optional dependency of every locked package has its own lockfile entry', () => {
    const missing: string[] = [];
    let checked = 0;
    for (const [from, entry] of Object.entries(packages)) {
      for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
        checked++;
        if (resolveKey(from, dep) === undefined) missing.push(`${from || '(root)'} -> ${dep}`);
      }
    }
    expect(checked).toBeGreaterThan(50);
    expect(missing).toEqual([]);
  });

  // The native builds the toolchain needs (jest's transform, nx, tsx's esbuild) on the platforms
  // contributors use: each must be locked with its os/cpu, at the version its parent asks for.
  const REQUIRED: Record<string, string[]> = {
    'node_modules/@swc/core': ['@swc/core-darwin-arm64', '@swc/core-darwin-x64', '@swc/core-linux-x64-gnu', '@swc/core-linux-arm64-gnu', '@swc/core-linux-x64-musl', '@swc/core-win32-x64-msvc'],
    'node_modules/nx': ['@nx/nx-darwin-arm64', '@nx/nx-darwin-x64', '@nx/nx-linux-x64-gnu', '@nx/nx-linux-arm64-gnu', '@nx/nx-win32-x64-msvc'],
    'node_modules/esbuild': ['@esbuild/darwin-arm64', '@esbuild/darwin-x64', '@esbuild/linux-x64', '@esbuild/linux-arm64', '@esbuild/win32-x64'],
  };
  test.each(Object.entries(REQUIRED))('%s: darwin, linux (x64 + arm64) and win32 builds are locked', (parent, deps) => {
    expect(packages[parent]).toBeDefined();
    const variants = platformVariants(parent);
    for (const dep of deps) {
      expect(variants).toContain(dep);
      const key = resolveKey(parent, dep);
      const entry = key === undefined ? undefined : packages[key];
      expect(entry?.optional).toBe(true);
      expect(entry?.os?.length ?? 0).toBeGreaterThan(0);
      expect(entry?.cpu?.length ?? 0).toBeGreaterThan(0);
      expect(entry?.version).toBe(packages[parent]?.optionalDependencies?.[dep]);
    }
  });
});
