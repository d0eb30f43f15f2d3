// Every Redis key name FLK uses is built here, and only here.
import { RedisInvalidArgumentError } from './errors.js';

/** Namespace of the dedup claims: `flk:pcs:<pcs_id>`. */
export const PCS_KEY_NAMESPACE = 'flk:pcs:';

/**
 * The dedup key of a pcs_id. `prefix` isolates deployments or tests sharing one Redis
 * (e.g. `test-3f9a:`); it is prepended verbatim.
 */
export function pcsKey(pcsId: string, prefix = ''): string {
  if (typeof pcsId !== 'string' || pcsId.length === 0) throw new RedisInvalidArgumentError('dedup key: pcs_id must be a non-empty string');
  return `${prefix}${PCS_KEY_NAMESPACE}${pcsId}`;
}
