"""Contract §2 and §7.2: the canonical signing payloads (v0.1: eight fields; v0.2: the whole
record), their digest, and the pcs_id (§1). The record's ``version`` member chooses the payload.
Port of libs/pcs/src/canonical.ts."""
from __future__ import annotations

import hashlib
import math
from typing import Any, Mapping

from .errors import invalid_argument
from .jsontext import es_number, js_string
from .round import round9
from .text import is_well_formed_utf16, utf16_sort_key

PCS_SCHEMA = "fractal-lba-kakeya"
PCS_VERSION = "0.1"
PCS_VERSION_V02 = "0.2"
PCS_VERSIONS = ("0.1", "0.2")

#: The signed keys of v0.1 in RFC 8785 order (UTF-16 code unit order).
SIGNED_KEYS = ("D_hat", "budget", "coh_star", "epoch", "merkle_root", "pcs_id", "r", "shard_id")
_NUMBER_KEYS = frozenset(("D_hat", "budget", "coh_star", "epoch", "r"))
_MAX_CANONICAL_DEPTH = 32
MAX_SAFE_INTEGER = 2**53 - 1


def _is_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v: object) -> bool:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, int):
        return abs(v) < 2**1024
    return math.isfinite(v)


def _number(v: Any) -> str:
    return es_number(round9(v))


def canonical_payload(rec: Mapping[str, Any]) -> str:
    """The signing payload of ``rec``: v0.2 (§7.2) when ``rec["version"] == "0.2"``, else v0.1 (§2)."""
    if isinstance(rec, Mapping) and rec.get("version") == PCS_VERSION_V02:
        return canonical_payload_v02(rec)
    return canonical_payload_v01(rec)


def canonical_payload_v01(rec: Mapping[str, Any]) -> str:
    """§2.1–2.3: RFC 8785 JSON of exactly the eight signed fields, numbers rounded per §2.2.
    Raises FlkPcsError (PCS_INVALID_ARGUMENT) when a field has no canonical form."""
    out = ["{"]
    for i, key in enumerate(SIGNED_KEYS):
        value = rec.get(key) if isinstance(rec, Mapping) else None
        if i > 0:
            out.append(",")
        out.append(f'"{key}":')
        if key in _NUMBER_KEYS:
            if not _finite(value):
                raise invalid_argument(f"canonicalPayload: {key} must be a finite number")
            out.append(_number(value))
        else:
            if not isinstance(value, str):
                raise invalid_argument(f"canonicalPayload: {key} must be a string")
            if not is_well_formed_utf16(value):
                raise invalid_argument(f"canonicalPayload: {key} contains a lone surrogate")
            out.append(js_string(value))
    out.append("}")
    return "".join(out)


def canonical_payload_v02(rec: Mapping[str, Any]) -> str:
    """§7.2: RFC 8785 JSON of every member except ``sig``, null members left out at any depth,
    every number rounded per §2.2, keys sorted by UTF-16 code units at every level, arrays in order."""
    if not isinstance(rec, Mapping):
        raise invalid_argument("canonicalPayload: record must be an object")
    out: list[str] = []
    _canonical_object(rec, "sig", 0, out)
    return "".join(out)


def _canonical_object(o: Mapping[str, Any], skip: "str | None", depth: int, out: list[str]) -> None:
    keys = sorted(o.keys(), key=utf16_sort_key)
    out.append("{")
    first = True
    for key in keys:
        if key == skip:
            continue
        value = o[key]
        if value is None:
            continue
        if not is_well_formed_utf16(key):
            raise invalid_argument("canonicalPayload: lone surrogate in a member name")
        if not first:
            out.append(",")
        first = False
        out.append(js_string(key))
        out.append(":")
        _canonical_value(value, depth + 1, out)
    out.append("}")


def _canonical_value(v: Any, depth: int, out: list[str]) -> None:
    if depth > _MAX_CANONICAL_DEPTH:
        raise invalid_argument("canonicalPayload: nested too deep")
    if v is True or v is False:
        out.append("true" if v else "false")
    elif _is_number(v):
        if not _finite(v):
            raise invalid_argument("canonicalPayload: non-finite number")
        out.append(_number(v))
    elif isinstance(v, str):
        if not is_well_formed_utf16(v):
            raise invalid_argument("canonicalPayload: lone surrogate in a string")
        out.append(js_string(v))
    elif v is None:
        raise invalid_argument("canonicalPayload: null array element")
    elif isinstance(v, Mapping):
        _canonical_object(v, None, depth, out)
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _canonical_value(item, depth + 1, out)
        out.append("]")
    else:
        raise invalid_argument(f"canonicalPayload: a {type(v).__name__} has no JSON form")


def sha256_utf8(s: str) -> bytes:
    """SHA-256 of the UTF-8 bytes of ``s``."""
    return hashlib.sha256(s.encode("utf-8")).digest()


def sha256_hex(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def signing_digest(rec: Mapping[str, Any]) -> bytes:
    """SHA-256 of the UTF-8 bytes of the canonical payload (§2.4, §7.2): what is signed."""
    return sha256_utf8(canonical_payload(rec))


def compute_pcs_id(merkle_root: str, epoch: "int | float", shard_id: str) -> str:
    """§1: lowercase hex SHA-256 of ``merkle_root|epoch|shard_id``, epoch in plain decimal."""
    if not isinstance(merkle_root, str) or not isinstance(shard_id, str):
        raise invalid_argument("computePcsId: merkle_root and shard_id must be strings")
    if not is_well_formed_utf16(merkle_root) or not is_well_formed_utf16(shard_id):
        raise invalid_argument("computePcsId: lone surrogate in merkle_root or shard_id")
    if not is_safe_integer(epoch):
        raise invalid_argument("computePcsId: epoch must be an integer within ±(2^53 − 1)")
    return sha256_hex(f"{merkle_root}|{int(epoch)}|{shard_id}")


def is_safe_integer(v: object) -> bool:
    """``Number.isSafeInteger``: an integral number within ±(2^53 − 1) (bools are not numbers)."""
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return -MAX_SAFE_INTEGER <= v <= MAX_SAFE_INTEGER
    if isinstance(v, float):
        return math.isfinite(v) and v.is_integer() and abs(v) <= MAX_SAFE_INTEGER
    return False
