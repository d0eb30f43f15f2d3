// §2.2: round to 9 fractional digits, ties to even, on the *exact* binary value of the double.
//
// Why not x.toFixed(9) or Math.round(x * 1e9) / 1e9: toFixed rounds ties away from zero, and
// x * 1e9 is itself rounded, which can create or destroy a tie (0.0000000015 is not exactly a
// midpoint as a double, yet 1.5e-9 * 1e9 === 1.5). We therefore take the double apart into
// mantissa * 2^exp, scale by 10^9 in BigInt (exact), round the quotient half-to-even, and let the
// engine's correctly rounded decimal parser give the nearest double to `q / 10^9`. This is what
// Python's round(x, 9) (dtoa mode 3 + strtod) and Go's strconv do.

const TEN9 = 1_000_000_000n;
const view = new DataView(new ArrayBuffer(8));

export function round9(x: number): number {
  // NaN and ±Infinity have no decimal value; they pass through (records holding them are
  // rejected by validation before anything is rounded).
  if (!Number.isFinite(x)) return x;
  // Integers (which includes every |x| >= 2^52) are already 9-digit decimals; `+ 0` maps -0 to 0.
  if (Number.isInteger(x)) return x + 0;
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const negative = hi >>> 31 === 1;
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) {
    exp = -1074; // subnormal
  } else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  // |x| = mantissa * 2^exp with exp < 0 (x is not an integer). |x| * 10^9 = num / 2^shift.
  const shift = BigInt(-exp);
  const num = mantissa * TEN9;
  let q = num >> shift;
  const rem = num - (q << shift);
  const half = 1n << (shift - 1n);
  if (rem > half || (rem === half && (q & 1n) === 1n)) q += 1n;
  if (q === 0n) return 0; // also turns a would-be -0 into 0 (§2.2)
  // "<digits>e-9" is an exact decimal; Number() parses it to the nearest double (ECMA-262
  // StringToNumber is correctly rounded).
  return Number(`${negative ? '-' : ''}${q}e-9`);
}
