// SplitMix64 (Steele, Lea, Flood 2014; the seeding generator of java.util.SplittableRandom and
// xoshiro): tiny, fully specified, and trivially portable, which is what a contract PRNG needs.
// BigInt keeps every step exact modulo 2^64 in any engine.

const MASK64 = (1n << 64n) - 1n;
const GOLDEN = 0x9e3779b97f4a7c15n;
const MIX1 = 0xbf58476d1ce4e5b9n;
const MIX2 = 0x94d049bb133111ebn;
const TWO_POW_53 = 2 ** 53;

export interface SplitMix64 {
  /** The next 64-bit output as an unsigned BigInt. */
  nextUint64(): bigint;
  /** The top 53 bits of the next output divided by 2^53: a double in [0, 1), exactly k / 2^53. */
  nextDouble(): number;
}

/** The seed is an integer within ±(2^53 − 1); the initial state is its two's-complement 64-bit value. */
export function splitMix64(seed: number): SplitMix64 {
  let state = BigInt.asUintN(64, BigInt(seed));
  const nextUint64 = (): bigint => {
    state = (state + GOLDEN) & MASK64;
    let z = state;
    z = ((z ^ (z >> 30n)) * MIX1) & MASK64;
    z = ((z ^ (z >> 27n)) * MIX2) & MASK64;
    return z ^ (z >> 31n);
  };
  return { nextUint64, nextDouble: () => Number(nextUint64() >> 11n) / TWO_POW_53 };
}
