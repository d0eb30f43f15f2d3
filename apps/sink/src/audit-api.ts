import { consistencyProof, inclusionProof, type NodeSource, type SignedCheckpoint } from '@flk/audit';
import type { AppRoute, AppRoutes } from '@flk/ops-http';

// The sink's read API over its audit log (schemas/sink-audit-openapi.yaml, docs/audit.md), on the
// ops port behind the same basic auth as /metrics:
//   GET /audit/checkpoint                                 the newest published signed checkpoint (text)
//   GET /audit/proof/inclusion?index=N[&size=M]           RFC 9162 inclusion proof (JSON)
//   GET /audit/proof/consistency?first=M[&second=N]       RFC 9162 consistency proof (JSON)
// A missing size / second means the newest published checkpoint's size (the tree a client can
// check the proof against), or the whole log when checkpoints are off. Proofs are computed from
// the writer's stored subtree hashes: O(log n) reads, no rescan.

export const AUDIT_PATHS = ['/audit/checkpoint', '/audit/proof/inclusion', '/audit/proof/consistency'] as const;

export interface AuditApiSource {
  tree: NodeSource & { readonly size: number };
  /** The newest published checkpoint, or undefined (none yet, or checkpoints off). */
  latest(): SignedCheckpoint | undefined;
  /** False when the sink signs no checkpoints (no AUDIT_CHECKPOINT_KEY). */
  checkpoints: boolean;
}

const json = (status: number, body: unknown): AppRoute => ({ status, body: JSON.stringify(body), contentType: 'application/json' });
const problem = (status: number, code: string, message: string) => json(status, { error: code, message });

/** A query integer: absent → undefined; otherwise a non-negative safe integer or an error message. */
function intParam(q: URLSearchParams, name: string): number | undefined | { bad: string } {
  const all = q.getAll(name);
  if (all.length === 0) return undefined;
  if (all.length > 1) return { bad: `${name}: given more than once` };
  const v = all[0]!;
  if (!/^(0|[1-9]\d{0,15})$/.test(v) || !Number.isSafeInteger(Number(v))) return { bad: `${name}: expected a non-negative integer, got '${v.slice(0, 30)}'` };
  return Number(v);
}

export function auditRoutes(src: AuditApiSource): AppRoutes {
  const defaultSize = () => src.latest()?.size ?? (src.checkpoints ? 0 : src.tree.size);
  return {
    paths: AUDIT_PATHS,
    async handle(path, q) {
      if (path === '/audit/checkpoint') {
        if (!src.checkpoints) return problem(404, 'checkpoints_off', 'this sink signs no checkpoints (AUDIT_CHECKPOINT_KEY is not set)');
        const cp = src.latest();
        if (!cp) return problem(404, 'no_checkpoint', 'no checkpoint published yet');
        return { status: 200, body: cp.note, contentType: 'text/plain; charset=utf-8' };
      }
      const logSize = src.tree.size;
      if (path === '/audit/proof/inclusion') {
        const index = intParam(q, 'index');
        const size = intParam(q, 'size');
        for (const v of [index, size]) if (typeof v === 'object') return problem(400, 'bad_parameter', v.bad);
        if (index === undefined) return problem(400, 'bad_parameter', 'index: required');
        const m = (size as number | undefined) ?? defaultSize();
        if (m > logSize) return problem(400, 'bad_parameter', `size ${m} is larger than the log (${logSize} entries)`);
        if ((index as number) >= m) return problem(400, 'bad_parameter', `index ${index as number} is not below the tree size ${m}`);
        return json(200, inclusionProof(src.tree, index as number, m).proof);
      }
      const first = intParam(q, 'first');
      const second = intParam(q, 'second');
      for (const v of [first, second]) if (typeof v === 'object') return problem(400, 'bad_parameter', v.bad);
      if (first === undefined) return problem(400, 'bad_parameter', 'first: required');
      const n = (second as number | undefined) ?? defaultSize();
      if (n > logSize) return problem(400, 'bad_parameter', `second ${n} is larger than the log (${logSize} entries)`);
      if ((first as number) > n) return problem(400, 'bad_parameter', `first ${first as number} is larger than second ${n}`);
      return json(200, consistencyProof(src.tree, first as number, n).proof);
    },
  };
}
