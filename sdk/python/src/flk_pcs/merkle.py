"""RFC 6962 §2.1 Merkle tree hash (our choice, docs/contract.md §3): leaf = SHA-256(0x00‖chunk),
node = SHA-256(0x01‖left‖right), split at the largest power of two below n."""
from __future__ import annotations

import hashlib
from typing import Sequence


def _mth(chunks: Sequence[bytes], lo: int, hi: int) -> bytes:
    n = hi - lo
    if n == 1:
        return hashlib.sha256(b"\x00" + bytes(chunks[lo])).digest()
    k = 1
    while k * 2 < n:
        k *= 2
    return hashlib.sha256(b"\x01" + _mth(chunks, lo, lo + k) + _mth(chunks, lo + k, hi)).digest()


def merkle_root(chunks: Sequence[bytes]) -> str:
    """Lowercase hex root of the chunks in order; no chunks: SHA-256 of the empty string."""
    if len(chunks) == 0:
        return hashlib.sha256(b"").hexdigest()
    return _mth(chunks, 0, len(chunks)).hex()
