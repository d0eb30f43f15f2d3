// A policy set: one global default and at most one override per verified v0.2 tenant (§7.5: the
// only tenant a record may be attributed to). Built from documents' texts (the verifier reads the
// files; this stays pure), all-or-nothing: one bad document refuses the whole set, naming each.
import { sha256Hex } from '@flk/pcs';
import { canonicalPolicyJson, checkPolicyText, type Policy } from './document.js';
import { FlkPolicyError, POLICY_ERROR_CODES, type PolicyViolation } from './errors.js';

export interface PolicySet {
  readonly global: Policy;
  readonly tenants: ReadonlyMap<string, Policy>;
  /** SHA-256 of the members' digests, sorted: changes when any member changes. */
  readonly digest: string;
  /** The policy that decides a record of `tenant` (a verified v0.2 tenant, or null: the global default). */
  policyFor(tenant: string | null): Policy;
}

export interface PolicySource {
  /** Where the text came from (file name), for messages. */
  readonly name: string;
  readonly text: string;
}

export function createPolicySet(global: Policy, overrides: readonly Policy[] = []): PolicySet {
  const tenants = new Map<string, Policy>();
  for (const p of overrides) {
    const t = p.document.tenant;
    if (t === undefined) throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY_SET, `policy ${p.document.id} has no tenant scope: only one global default is allowed`);
    if (tenants.has(t)) throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY_SET, `two policies for tenant ${t}: ${tenants.get(t)!.document.id} and ${p.document.id}`);
    tenants.set(t, p);
  }
  const digest = `sha256:${sha256Hex(canonicalPolicyJson([global.digest, ...[...tenants.values()].map((p) => p.digest)].sort()))}`;
  return Object.freeze({ global, tenants, digest, policyFor: (tenant: string | null) => (tenant === null ? global : (tenants.get(tenant) ?? global)) });
}

/** Validates every source, then the set; throws FlkPolicyError naming every violation as `NAME#/path`. */
export function parsePolicySet(sources: readonly PolicySource[]): PolicySet {
  if (sources.length === 0) throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY_SET, 'no policy documents');
  const violations: PolicyViolation[] = [];
  const policies: Array<{ name: string; policy: Policy }> = [];
  for (const s of sources) {
    const r = checkPolicyText(s.text);
    if (r.ok) policies.push({ name: s.name, policy: r.policy });
    else for (const v of r.violations) violations.push({ path: `${s.name}#${v.path}`, message: v.message });
  }
  if (violations.length > 0) throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY, 'policy set refused', violations);
  const globals = policies.filter((p) => p.policy.document.tenant === undefined);
  if (globals.length !== 1) {
    throw new FlkPolicyError(POLICY_ERROR_CODES.INVALID_POLICY_SET, `a policy set needs exactly one global default (no tenant), found ${globals.length}${globals.length > 0 ? `: ${globals.map((g) => g.name).join(', ')}` : ''}`);
  }
  return createPolicySet(globals[0]!.policy, policies.filter((p) => p.policy.document.tenant !== undefined).map((p) => p.policy));
}

/** What `GET /policy` on the verifier's ops port serves (and `flk policy show` prints). */
export interface PolicySetView {
  digest: string;
  loaded_at: string;
  source: string;
  global: PolicyView;
  tenants: Record<string, PolicyView>;
}
export interface PolicyView {
  id: string;
  version: string;
  digest: string;
  document: Policy['document'];
}

export function viewOf(set: PolicySet, meta: { loadedAt: string; source: string }): PolicySetView {
  const one = (p: Policy): PolicyView => ({ id: p.document.id, version: p.document.version, digest: p.digest, document: p.document });
  return {
    digest: set.digest,
    loaded_at: meta.loadedAt,
    source: meta.source,
    global: one(set.global),
    tenants: Object.fromEntries([...set.tenants].sort(([a], [b]) => (a < b ? -1 : 1)).map(([t, p]) => [t, one(p)])),
  };
}
