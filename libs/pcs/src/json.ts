// A strict JSON reader for records arriving as text. Why not JSON.parse:
//  - Python's json.dumps writes NaN / Infinity / -Infinity tokens by default; JSON.parse throws on
//    them, but the contract wants them reported as non-finite numbers (malformed:non_finite:<field>),
//    so this reader accepts exactly those three extra tokens and yields the JS values.
//  - Duplicate keys are ambiguous (JSON.parse keeps the last, other parsers the first), so a signed
//    field could be read differently by two verifiers: they are rejected (malformed:duplicate_key).
//  - Nesting is bounded, and objects have a null prototype, so `__proto__` is just a key.
// Otherwise RFC 8259: no comments, no trailing commas, no BOM, whitespace = space, tab, LF, CR.
// Numbers are converted by Number(lexeme), the same correctly rounded conversion JSON.parse uses,
// so 1e999 becomes Infinity (reported non-finite by validation), never an exception.

export type JsonReadResult = { ok: true; value: unknown } | { ok: false; detail: string };

class JsonFailure {
  constructor(readonly detail: string) {}
}

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

export function readJson(text: string, maxDepth: number): JsonReadResult {
  let pos = 0;
  const path: Array<string | number> = [];

  const fail = (detail = 'json'): never => {
    throw new JsonFailure(detail);
  };
  const skipWs = (): void => {
    for (;;) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else return;
    }
  };
  const literal = (word: string, value: unknown): unknown => {
    if (text.startsWith(word, pos)) {
      pos += word.length;
      return value;
    }
    return fail();
  };

  const readString = (): string => {
    pos++; // opening quote
    let out = '';
    let start = pos;
    for (;;) {
      if (pos >= text.length) fail();
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        out += text.slice(start, pos);
        pos++;
        return out;
      }
      if (c < 0x20) fail(); // raw control characters must be escaped
      if (c !== 0x5c) {
        pos++;
        continue;
      }
      out += text.slice(start, pos);
      const e = text.charCodeAt(pos + 1);
      pos += 2;
      switch (e) {
        case 0x22: out += '"'; break;
        case 0x5c: out += '\\'; break;
        case 0x2f: out += '/'; break;
        case 0x62: out += '\b'; break;
        case 0x66: out += '\f'; break;
        case 0x6e: out += '\n'; break;
        case 0x72: out += '\r'; break;
        case 0x74: out += '\t'; break;
        case 0x75: {
          const hex = text.slice(pos, pos + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail();
          out += String.fromCharCode(parseInt(hex, 16));
          pos += 4;
          break;
        }
        default: fail();
      }
      start = pos;
    }
  };

  const readValue = (depth: number): unknown => {
    skipWs();
    const c = text.charCodeAt(pos);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (depth >= maxDepth) fail('too_deep');
      return c === 0x7b ? readObject(depth + 1) : readArray(depth + 1);
    }
    if (c === 0x22) return readString();
    if (c === 0x74) return literal('true', true);
    if (c === 0x66) return literal('false', false);
    if (c === 0x6e) return literal('null', null);
    if (c === 0x4e) return literal('NaN', NaN);
    if (c === 0x49) return literal('Infinity', Infinity);
    if (c === 0x2d && text.startsWith('-Infinity', pos)) return literal('-Infinity', -Infinity);
    NUMBER_RE.lastIndex = pos;
    const m = NUMBER_RE.exec(text);
    if (m === null) return fail();
    pos += m[0].length;
    return Number(m[0]);
  };

  const readObject = (depth: number): Record<string, unknown> => {
    pos++;
    const obj = Object.create(null) as Record<string, unknown>;
    skipWs();
    if (text.charCodeAt(pos) === 0x7d) {
      pos++;
      return obj;
    }
    for (;;) {
      skipWs();
      if (text.charCodeAt(pos) !== 0x22) fail();
      const key = readString();
      skipWs();
      if (text.charCodeAt(pos) !== 0x3a) fail();
      pos++;
      path.push(key);
      if (Object.hasOwn(obj, key)) fail(`duplicate_key:${pathLabel(path)}`);
      obj[key] = readValue(depth);
      path.pop();
      skipWs();
      const c = text.charCodeAt(pos);
      pos++;
      if (c === 0x7d) return obj;
      if (c !== 0x2c) fail();
    }
  };

  const readArray = (depth: number): unknown[] => {
    pos++;
    const arr: unknown[] = [];
    skipWs();
    if (text.charCodeAt(pos) === 0x5d) {
      pos++;
      return arr;
    }
    for (;;) {
      path.push(arr.length);
      arr.push(readValue(depth));
      path.pop();
      skipWs();
      const c = text.charCodeAt(pos);
      pos++;
      if (c === 0x5d) return arr;
      if (c !== 0x2c) fail();
    }
  };

  try {
    const value = readValue(0);
    skipWs();
    if (pos !== text.length) fail();
    return { ok: true, value };
  } catch (err) {
    if (err instanceof JsonFailure) return { ok: false, detail: err.detail };
    // A RangeError (stack) cannot happen with the depth bound, but a reader must never throw.
    return { ok: false, detail: 'json' };
  }
}

/**
 * A field path for reason strings: `ft.degraded`, `scales[1]`, `N_j.8`. Keys that are not plain
 * identifiers are replaced by `?` characters and cut to 64 characters, so a hostile key cannot
 * inject text into logs or make reasons unbounded.
 */
export function pathLabel(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const seg of segments) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += (out === '' ? '' : '.') + safeKey(seg);
  }
  return out;
}

export function safeKey(key: string): string {
  const cut = key.length > 64 ? key.slice(0, 64) : key;
  return cut.replace(/[^A-Za-z0-9_\-]/g, '?') || '?';
}
