// The points file of `flk pcs make`: a JSON array of numeric arrays, or JSON Lines with one
// numeric array per line. This is file-format handling only; what the points mean is the core's.

export type PointsResult = { readonly ok: true; readonly points: number[][] } | { readonly ok: false; readonly problem: string };

/**
 * `[[x,y,...], ...]` (whitespace and newlines anywhere) or JSONL `[x,y,...]` per line (blank lines
 * skipped). A whole text that is one flat numeric array is a single JSONL line, i.e. one point.
 */
export function parsePoints(text: string): PointsResult {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, points: [] };
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    return parseJsonLines(text);
  }
  if (!Array.isArray(whole)) return { ok: false, problem: 'points: expected a JSON array of numeric arrays, or one numeric array per line' };
  if (whole.length > 0 && !whole.some(Array.isArray)) return checkPoints([whole], (i) => `line ${i + 1}`);
  return checkPoints(whole, (i) => `points[${i}]`);
}

function parseJsonLines(text: string): PointsResult {
  const rows: unknown[] = [];
  const lines = text.split(/\r?\n/);
  const where: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line === '') continue;
    try {
      rows.push(JSON.parse(line));
    } catch {
      return { ok: false, problem: `points: line ${i + 1}: not JSON` };
    }
    where.push(i + 1);
  }
  return checkPoints(rows, (i) => `line ${where[i]}`);
}

function checkPoints(rows: readonly unknown[], label: (i: number) => string): PointsResult {
  const points: number[][] = [];
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (!Array.isArray(row) || row.length === 0 || !row.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      return { ok: false, problem: `points: ${label(i)}: expected a non-empty array of finite numbers` };
    }
    points.push(row as number[]);
  }
  return { ok: true, points };
}

/** The payload cut into consecutive `size`-byte chunks (the last may be shorter; none when empty). */
export function chunkBytes(data: Uint8Array, size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < data.length; at += size) chunks.push(data.subarray(at, Math.min(at + size, data.length)));
  return chunks;
}
