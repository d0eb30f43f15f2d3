"""Standard padded base64 (RFC 4648 §4) with a *strict* decoder: only the standard alphabet, length
a multiple of 4, padding only at the end, unused trailing bits zero — so exactly one string stands
for one byte string (libs/pcs/src/base64.ts)."""
from __future__ import annotations

import base64
import binascii
import re
from typing import Optional

_CANONICAL = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def base64_encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def base64_decode(text: object) -> Optional[bytes]:
    """The bytes of canonical standard padded base64, else None (never raises)."""
    if not isinstance(text, str) or len(text) % 4 != 0 or not text.isascii():
        return None
    if _CANONICAL.fullmatch(text) is None:
        return None
    try:
        out = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    # Canonical: re-encoding gives the same text (no non-zero unused bits).
    if base64.b64encode(out).decode("ascii") != text:
        return None
    return out
