"""SplitMix64 (Steele, Lea, Flood 2014): the contract PRNG of the coh★ directions (our choice,
docs/contract.md §3). Exact modulo 2^64 with Python ints."""
from __future__ import annotations

MASK64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
_TWO_POW_53 = float(2**53)


class SplitMix64:
    """Seeded with the seed's 64-bit two's complement."""

    __slots__ = ("state",)

    def __init__(self, seed: int) -> None:
        self.state = int(seed) & MASK64

    def next_uint64(self) -> int:
        self.state = (self.state + GOLDEN) & MASK64
        z = self.state
        z = ((z ^ (z >> 30)) * MIX1) & MASK64
        z = ((z ^ (z >> 27)) * MIX2) & MASK64
        return z ^ (z >> 31)

    def next_double(self) -> float:
        """The top 53 bits of the next output divided by 2^53: a double in [0, 1), exactly k / 2^53."""
        return (self.next_uint64() >> 11) / _TWO_POW_53


def split_mix64(seed: int) -> SplitMix64:
    return SplitMix64(seed)
