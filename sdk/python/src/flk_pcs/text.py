"""UTF-16 views of Python strings: JavaScript strings (and so the contract's limits) count UTF-16
code units, and a lone surrogate (possible through a ``\\uD800`` JSON escape) has no UTF-8 form."""
from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf16_len(s: str) -> int:
    """Length in UTF-16 code units (``String.prototype.length``)."""
    n = len(s)
    if s.isascii():
        return n
    return n + sum(1 for c in s if ord(c) > 0xFFFF)


def is_well_formed_utf16(s: str) -> bool:
    """False when ``s`` holds a lone surrogate (Python keeps escaped pairs combined, see jsontext)."""
    return s.isascii() or _SURROGATE.search(s) is None


def utf16_units(s: str) -> list[int]:
    """The UTF-16 code units of ``s`` (lone surrogates kept)."""
    b = s.encode("utf-16-le", "surrogatepass")
    return [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]


def combine_surrogates(s: str) -> str:
    """Pairs of surrogates (from ``\\uXXXX`` escapes) become one code point; lone ones stay."""
    if s.isascii() or _SURROGATE.search(s) is None:
        return s
    return s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def utf16_sort_key(s: str) -> bytes:
    """Sort key ordering strings by UTF-16 code units (JavaScript's default string sort)."""
    return s.encode("utf-16-be", "surrogatepass")
