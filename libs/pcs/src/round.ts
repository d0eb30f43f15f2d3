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
  // Fast path (the verifier rounds every number of every record): y = x * 1e9 is x·10^9 within a
  // relative 2^-53, and frac = y - floor(y) is within another ulp of 1. Unless frac lies within that
  // error of 0.5, rounding y picks the same integer n as rounding the exact value would, and n / 1e9
  // (both exact doubles, IEEE division correctly rounded, ties to even) is the same double as
  // parsing "<n>e-9". Near a tie, and for |y| ≥ 2^52, fall through to the exact BigInt path.
  const y = x * 1e9;
  if (Math.abs(y) < 2 ** 52) {
    const floor = Math.floor(y);
    const frac = y - floor;
    if (Math.abs(frac - 0.5) > (Math.abs(y) + 1) * 2 ** -51) {
      const n = frac < 0.5 ? floor : floor + 1;
      return n === 0 ? 0 : n / 1e9;
    }
  }
  return round9Exact(x);
}

/** The exact path alone (exported for the test that holds the fast path to it). */
export function round9Exact(x: number): number {
  if (!Number.isFinite(x)) return x;
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
