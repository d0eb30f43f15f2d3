"""Ed25519 point decoding (RFC 8032 §5.1.3, strict) and the small-order check, in pure Python:
a key ring refuses public keys that are not a canonical encoding of a curve point, or of small
order, before any signature is verified (libs/pcs/src/sign.ts checkEd25519PublicKey)."""
from __future__ import annotations

from typing import Optional, Tuple

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = (-121665 * pow(121666, P - 2, P)) % P
SQRT_M1 = pow(2, (P - 1) // 4, P)

Point = Tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T)


def decode_point(b: bytes) -> Optional[Point]:
    """The point of a 32-byte encoding, or None when it is non-canonical (y ≥ p) or not on the curve."""
    if len(b) != 32:
        return None
    n = int.from_bytes(b, "little")
    sign = n >> 255
    y = n & ((1 << 255) - 1)
    if y >= P:
        return None
    u = (y * y - 1) % P
    v = (D * y * y + 1) % P
    x2 = u * pow(v, P - 2, P) % P
    if x2 == 0:
        if sign:
            return None  # x = 0 with the sign bit set: non-canonical
        x = 0
    else:
        x = pow(x2, (P + 3) // 8, P)
        if (x * x - x2) % P != 0:
            x = x * SQRT_M1 % P
        if (x * x - x2) % P != 0:
            return None
        if (x & 1) != sign:
            x = P - x
    return (x, y, 1, x * y % P)


def _add(p: Point, q: Point) -> Point:
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = 2 * t1 * t2 * D % P
    d = 2 * z1 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _is_identity(p: Point) -> bool:
    x, y, z, _ = p
    return x % P == 0 and (y - z) % P == 0


def is_small_order(p: Point) -> bool:
    """True when [8]P is the identity (P lies in the torsion subgroup)."""
    q = p
    for _ in range(3):
        q = _add(q, q)
    return _is_identity(q)
