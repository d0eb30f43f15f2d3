// A string with a lone UTF-16 surrogate has no UTF-8 encoding: TextEncoder would silently
// replace it with U+FFFD, so two different strings would hash the same. I-JSON (RFC 7493), which
// RFC 8785 builds on, forbids them; we reject them wherever a string is hashed or signed.
// (String.prototype.isWellFormed does this too, but it is ES2024 and the workspace targets ES2023.)
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function isWellFormedUtf16(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}
