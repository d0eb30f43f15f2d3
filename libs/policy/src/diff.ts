// `flk policy diff A B`, parameter by parameter. A tolerance that grows (or a PII mode that
// weakens) is flagged `widens`: the runbook requires a replay and a reviewed change for those,
// never a hotfix (docs/runbooks/policy-change.md).
import type { PiiMode, PolicyDocument } from './document.js';

export interface PolicyChange {
  /** Path in the document, e.g. `/params/tolD`. */
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
  /** True when the change lets more records through (a tolerance grows, the PII gate weakens). */
  readonly widens: boolean;
}

const TOLERANCES = new Set(['/params/tolD', '/params/tolCoh', '/params/tolR', '/params/tolBudget']);
// How strict each PII mode is: block > redact > detect > off.
const PII_STRICTNESS: Record<PiiMode, number> = { off: 0, detect: 1, redact: 2, block: 3 };

function leaves(value: unknown, path: string, out: Map<string, unknown>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) leaves(v, `${path}/${k}`, out);
  } else {
    out.set(path, value);
  }
}

/** Every leaf that differs between `a` and `b`, in a stable (path) order; absent = undefined. */
export function diffPolicies(a: PolicyDocument, b: PolicyDocument): PolicyChange[] {
  const la = new Map<string, unknown>();
  const lb = new Map<string, unknown>();
  leaves(a, '', la);
  leaves(b, '', lb);
  const paths = [...new Set([...la.keys(), ...lb.keys()])].sort();
  const out: PolicyChange[] = [];
  for (const path of paths) {
    const from = la.get(path);
    const to = lb.get(path);
    if (Object.is(from, to)) continue;
    let widens = false;
    if (TOLERANCES.has(path)) widens = typeof from === 'number' && typeof to === 'number' && to > from;
    if (path === '/pii/mode') widens = PII_STRICTNESS[to as PiiMode] < PII_STRICTNESS[from as PiiMode];
    out.push({ path, from, to, widens });
  }
  return out;
}
