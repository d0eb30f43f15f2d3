// flk pcs canonical FILE...: the exact signing payload of each record: v0.1 (contract §2, the eight
// signed fields; a partial record holding just them works) or, for `"version": "0.2"`, the whole
// record (§7.2) of a record that passes v0.2 structure. In both, a pcs_id that does not match is
// taken as given.
import { canonicalPayload, FlkPcsError, parsePcsJson, PCS_VERSION_V02, type Pcs, type SignedFields } from '@flk/pcs';
import { parseCommandArgs } from '../args.js';
import { fail, forEachFile, help, ok, type Context, type FileResult } from '../context.js';
import type { ExitCode } from '../errors.js';
import { CANONICAL_HELP, HELP_CMD } from '../help.js';
import { readRecordFields, recordText } from '../record.js';

export const SIGNED_FIELDS = ['pcs_id', 'merkle_root', 'epoch', 'shard_id', 'D_hat', 'coh_star', 'r', 'budget'] as const;

export async function pcsCanonical(args: readonly string[], ctx: Context): Promise<ExitCode> {
  const parsed = parseCommandArgs(args, {}, HELP_CMD.canonical);
  if (parsed.values.help) return help(ctx, CANONICAL_HELP);
  return forEachFile(ctx, parsed.positionals, HELP_CMD.canonical, (bytes) => {
    const v02 = v02Payload(bytes);
    if (v02 !== undefined) return v02;
    const rec = readRecordFields(bytes, SIGNED_FIELDS);
    if (!rec.ok) return fail(rec.problem);
    return payloadOf(rec.record);
  });
}

/** The v0.2 result for a record whose version member is "0.2"; undefined for anything else. */
function v02Payload(bytes: Uint8Array): FileResult | undefined {
  const decoded = recordText(bytes);
  if (!decoded.ok) return undefined;
  let version: unknown;
  try {
    version = (JSON.parse(decoded.text) as { version?: unknown } | null)?.version;
  } catch {
    return undefined; // not plain JSON: the v0.1 path reports the core's reason
  }
  if (version !== PCS_VERSION_V02) return undefined;
  const result = parsePcsJson(decoded.text);
  if (result.ok) return payloadOf(result.pcs);
  const problems = result.reasons.filter((r) => r !== 'malformed:pcs_id_mismatch');
  if (problems.length > 0) return fail(problems.join(', '));
  // Valid but for its pcs_id: JSON.parse reads what the core's reader accepted (no duplicate key).
  return payloadOf(JSON.parse(decoded.text) as Pcs);
}

function payloadOf(rec: SignedFields | Record<string, unknown>): FileResult {
  try {
    return ok(canonicalPayload(rec as unknown as SignedFields));
  } catch (err) {
    if (err instanceof FlkPcsError) return fail(err.message);
    throw err;
  }
}
