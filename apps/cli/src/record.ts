// Reading one record for the commands that need only some of its fields (canonical: the eight
// signed fields; id: merkle_root, epoch, shard_id). Validation is the core's (parsePcsJson); the
// CLI only chooses which of its `malformed:<kind>[:<path>]` reasons concern the fields it needs.
import { parsePcsJson } from '@flk/pcs';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * A record file's text, decoded as the verifier decodes it: strict UTF-8, a BOM kept (so the core's
 * JSON reader rejects it, as the verifier does). Invalid UTF-8 is the core's `malformed:utf8`.
 */
export function recordText(bytes: Uint8Array): { ok: true; text: string } | { ok: false; problem: string } {
  try {
    return { ok: true, text: utf8.decode(bytes) };
  } catch {
    return { ok: false, problem: 'malformed:utf8' };
  }
}

export type FieldsResult = { readonly ok: true; readonly record: Record<string, unknown> } | { readonly ok: false; readonly problem: string };

/**
 * The record's JSON object when the core finds nothing wrong with `fields` (reasons about other
 * fields, and a pcs_id that does not match, are ignored); otherwise the relevant reasons, joined.
 * Problems of the text itself (not JSON, duplicate key, not an object, too large) always count.
 */
export function readRecordFields(bytes: Uint8Array, fields: readonly string[]): FieldsResult {
  const decoded = recordText(bytes);
  if (!decoded.ok) return decoded;
  const text = decoded.text;
  const parsed = parsePcsJson(text);
  if (parsed.ok) return { ok: true, record: parsed.pcs as unknown as Record<string, unknown> };
  const relevant = parsed.reasons.filter((reason) => concerns(reason, fields));
  if (relevant.length > 0) return { ok: false, problem: relevant.join(', ') };
  try {
    // The core's reader accepted the text (no duplicate key), so JSON.parse reads the same values.
    return { ok: true, record: JSON.parse(text) as Record<string, unknown> };
  } catch {
    // Only a NaN/Infinity token elsewhere in the record gets here; report what the core found.
    return { ok: false, problem: parsed.reasons.join(', ') };
  }
}

function concerns(reason: string, fields: readonly string[]): boolean {
  const [, kind, path] = /^malformed:([^:]*)(?::(.*))?$/.exec(reason) ?? [];
  if (kind === undefined) return true;
  if (kind === 'pcs_id_mismatch') return false;
  if (path === undefined || kind === 'duplicate_key') return true;
  const root = /^[^.[]*/.exec(path)?.[0] ?? path;
  return fields.includes(root);
}
