// The verifier's policy set (docs/policies.md): read from VERIFIER_POLICY_PATH (one document, or a
// directory of *.json: one global default + per-tenant overrides) and validated at start-up, or —
// without it — a single policy holding the env-configured parameters (`env`, the behaviour
// before policies). The pure parts (schema, guard-rails, digest, PII gate) are @flk/policy; this
// file only reads files, so a reload is the same code path as the start-up load.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parsePolicySet, type PolicySet, type PolicySource } from '@flk/policy';

export const POLICY_ENV = 'VERIFIER_POLICY_PATH';

/** The env-configured policy's id and version: stamped on verdicts of a verifier without a policy set. */
export const ENV_POLICY = { id: 'env', version: '0.0.0' } as const;

export interface PolicyFs {
  readFile(path: string): string;
  isDirectory(path: string): boolean;
  list(dir: string): string[];
}

export const nodePolicyFs: PolicyFs = {
  readFile: (p) => readFileSync(p, 'utf8'),
  isDirectory: (p) => statSync(p).isDirectory(),
  list: (d) => readdirSync(d),
};

/** The documents at `path`: the file itself, or every `*.json` of the directory in name order. Throws the fs error (ENOENT, EACCES). */
export function readPolicySources(path: string, fs: PolicyFs = nodePolicyFs): PolicySource[] {
  if (!fs.isDirectory(path)) return [{ name: basename(path), text: fs.readFile(path) }];
  return fs
    .list(path)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: f, text: fs.readFile(join(path, f)) }));
}

/** Reads and validates the set at `path`; throws FlkPolicyError (every violation named) or the fs error. */
export function loadPolicySet(path: string, fs: PolicyFs = nodePolicyFs): PolicySet {
  return parsePolicySet(readPolicySources(path, fs));
}
