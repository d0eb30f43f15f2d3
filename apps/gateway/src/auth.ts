// Optional bearer-token authentication per tenant (GATEWAY_AUTH=bearer). The tokens file holds
// SHA-256 digests of the tokens, never the tokens themselves, so the file (a Kubernetes Secret or a
// mounted file) leaks nothing usable. A token presented is hashed and its digest looked up: any
// timing the lookup leaks is about the digest, which says nothing about a token that would match.
import { createHash } from 'node:crypto';
import { ID_PATTERN } from '@flk/pcs';

export interface TokenEntry {
  tenant_id: string;
  /** Lowercase hex SHA-256 of the token's UTF-8 bytes. */
  sha256: string;
}

export interface TokenStore {
  /** The tenant a bearer token authenticates, or null. */
  tenantOf(authorization: string | undefined): string | null;
  readonly size: number;
}

/** Parses the tokens file (`{"tokens":[{"tenant_id":"acme","sha256":"<hex>"}]}`); throws Error naming the bad entry. */
export function parseTokenFile(text: string): TokenEntry[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error('not JSON');
  }
  const tokens = (doc as { tokens?: unknown } | null)?.tokens;
  if (!Array.isArray(tokens)) throw new Error('expected {"tokens": [...]}');
  return tokens.map((t, i) => {
    const e = t as Partial<TokenEntry> | null;
    if (typeof e?.tenant_id !== 'string' || !ID_PATTERN.test(e.tenant_id)) throw new Error(`tokens[${i}].tenant_id: expected a tenant id`);
    if (typeof e.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(e.sha256)) throw new Error(`tokens[${i}].sha256: expected 64 lowercase hex digits`);
    return { tenant_id: e.tenant_id, sha256: e.sha256 };
  });
}

export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function createTokenStore(entries: readonly TokenEntry[]): TokenStore {
  const byDigest = new Map(entries.map((e) => [e.sha256, e.tenant_id]));
  return {
    size: byDigest.size,
    tenantOf(authorization) {
      const m = authorization === undefined ? null : /^Bearer ([\x21-\x7e]{1,512})$/.exec(authorization);
      if (m === null) return null;
      return byDigest.get(tokenDigest(m[1]!)) ?? null;
    },
  };
}
