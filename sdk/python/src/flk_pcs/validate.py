"""Contract §1 and §7.1 structure rules (port of libs/pcs/src/validate.ts). Every problem becomes
one ``malformed:<kind>[:<path>]`` reason, in a fixed order (the contract's field order, then
cross-field checks), so the same bad record gives the same reasons in every language. Nothing here
raises: the input is hostile by assumption.

Objects are walked in JavaScript's own-property order (array-index keys such as ``"8"`` first,
ascending, then the others in insertion order), so reasons come out in the TypeScript order.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from .canonical import PCS_SCHEMA, PCS_VERSION, PCS_VERSION_V02, compute_pcs_id
from .jsontext import js_keys, path_label, read_json, safe_key
from .text import is_well_formed_utf16, utf16_len
from .timeparse import parse_sent_at

#: A validated record: the contract's fields only, in the TS member order.
Pcs = dict[str, Any]

REGIMES = ("sticky", "mixed", "non_sticky")


class PCS_LIMITS:  # noqa: N801 - the TS name
    maxJsonChars = 1_048_576
    maxDepth = 32
    minScales = 2
    maxScales = 64
    maxVStar = 1024
    maxFallbacks = 64
    maxStringChars = 256
    maxExtraNodes = 10_000
    maxReasons = 32


KNOWN_FIELDS = frozenset(
    (
        "pcs_id", "schema", "version", "shard_id", "epoch", "attempt", "sent_at", "seed", "scales", "N_j", "coh_star",
        "v_star", "D_hat", "r", "regime", "budget", "merkle_root", "sig", "ft", "tenant_id", "key_id",
    )
)
FT_FIELDS = ("outbox_seq", "degraded", "fallbacks", "clock_skew_ms")
#: §7.1: tenant_id and key_id, 1–64 characters of [a-z0-9._-], the first a letter or digit.
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")
MAX_SAFE_INTEGER = 2**53 - 1


def matches_id(s: str) -> bool:
    return ID_PATTERN.fullmatch(s) is not None


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


@dataclass
class ValidationResult:
    """``ok`` with ``pcs`` (a fresh dict of the contract's fields), or ``reasons`` and ``pcs_id``."""

    ok: bool
    pcs: Optional[Pcs] = None
    reasons: list[str] = field(default_factory=list)
    pcs_id: str = ""


def _is_num(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_finite(v: Union[int, float]) -> bool:
    if isinstance(v, int):
        return True
    return math.isfinite(v)


def _is_integer(v: Union[int, float]) -> bool:
    return isinstance(v, int) or v.is_integer()


def _is_array(v: object) -> bool:
    return isinstance(v, (list, tuple))


def _own(o: dict[str, Any], key: str) -> Any:
    return o.get(key, MISSING)


class _Issues:
    __slots__ = ("list",)

    def __init__(self) -> None:
        self.list: list[str] = []

    def add(self, kind: str, path: Optional[str] = None) -> Any:
        self.list.append(f"malformed:{kind}" if path is None else f"malformed:{kind}:{path}")
        return MISSING

    def string(self, path: str, v: Any) -> Any:
        if v is MISSING:
            return self.add("missing", path)
        if not isinstance(v, str):
            return self.add("type", path)
        if utf16_len(v) > PCS_LIMITS.maxStringChars:
            return self.add("too_long", path)
        if not is_well_formed_utf16(v):
            return self.add("encoding", path)
        return v

    def number(self, path: str, v: Any) -> Any:
        if v is MISSING:
            return self.add("missing", path)
        if not _is_num(v):
            return self.add("type", path)
        if not _is_finite(v):
            return self.add("non_finite", path)
        return v

    def integer(self, path: str, v: Any, minimum: int = -MAX_SAFE_INTEGER) -> Any:
        n = self.number(path, v)
        if n is MISSING:
            return MISSING
        if not _is_integer(n):
            return self.add("not_integer", path)
        if abs(n) > MAX_SAFE_INTEGER or n < minimum:
            return self.add("out_of_range", path)
        return int(n)

    def optional_string(self, path: str, v: Any) -> Any:
        """Absent or null means not set (returns None); MISSING marks a problem."""
        if v is MISSING or v is None:
            return None
        s = self.string(path, v)
        return s

    def floating(self, path: str, v: Any) -> Any:
        n = self.number(path, v)
        if n is MISSING:
            return MISSING
        try:
            return float(n)
        except OverflowError:
            self.list.pop()
            return self.add("non_finite", path)


def parse_pcs_json(text: object) -> ValidationResult:
    """Parse JSON text (the strict dialect of jsontext.read_json) and validate it. Never raises."""
    if not isinstance(text, str):
        return ValidationResult(False, reasons=["malformed:json"])
    if len(text) > PCS_LIMITS.maxJsonChars // 2 and utf16_len(text) > PCS_LIMITS.maxJsonChars:
        return ValidationResult(False, reasons=["malformed:too_large"])
    read = read_json(text, PCS_LIMITS.maxDepth)
    if not read.ok:
        return ValidationResult(False, reasons=[f"malformed:{read.detail}"])
    return validate_pcs(read.value)


def validate_pcs(value: object) -> ValidationResult:
    """Check a decoded value against §1 (and §7.1 for version "0.2") and our limits. On success
    ``pcs`` holds the contract's fields only (v0.1 unknown fields are checked, then dropped; a null
    sig / tenant_id / key_id is dropped as absent). Never raises."""
    try:
        return _validate(value)
    except Exception:  # noqa: BLE001 - a value that cannot be read cannot be a record
        return ValidationResult(False, reasons=["malformed:unreadable"], pcs_id=_pcs_id_of(value))


def _pcs_id_of(value: object) -> str:
    try:
        if not isinstance(value, dict):
            return ""
        pid = value.get("pcs_id")
        return pid if isinstance(pid, str) and utf16_len(pid) <= PCS_LIMITS.maxStringChars else ""
    except Exception:  # noqa: BLE001
        return ""


def _validate(o: object) -> ValidationResult:
    if not isinstance(o, dict):
        return ValidationResult(False, reasons=["malformed:not_object"])
    is_ = _Issues()
    pcs_id = is_.string("pcs_id", _own(o, "pcs_id"))
    schema = is_.string("schema", _own(o, "schema"))
    if schema is not MISSING and schema != PCS_SCHEMA:
        is_.add("invalid_value", "schema")
    version = is_.string("version", _own(o, "version"))
    v02 = version == PCS_VERSION_V02
    if version is not MISSING and version != PCS_VERSION and not v02:
        is_.add("invalid_value", "version")
    shard_id = is_.string("shard_id", _own(o, "shard_id"))
    epoch = is_.integer("epoch", _own(o, "epoch"))
    attempt = is_.integer("attempt", _own(o, "attempt"))
    sent_at = is_.string("sent_at", _own(o, "sent_at"))
    if v02 and sent_at is not MISSING and parse_sent_at(sent_at) is None:
        sent_at = is_.add("invalid_value", "sent_at")
    seed = is_.integer("seed", _own(o, "seed"))
    scales = _check_scales(is_, _own(o, "scales"))
    n_j = _check_nj(is_, _own(o, "N_j"), scales)
    coh_star = is_.floating("coh_star", _own(o, "coh_star"))
    v_star = _check_v_star(is_, _own(o, "v_star"))
    d_hat = is_.floating("D_hat", _own(o, "D_hat"))
    r = is_.floating("r", _own(o, "r"))
    regime = _check_regime(is_, _own(o, "regime"))
    budget = is_.floating("budget", _own(o, "budget"))
    merkle_root = is_.string("merkle_root", _own(o, "merkle_root"))
    sig = is_.optional_string("sig", _own(o, "sig"))
    ft = _check_ft(is_, _own(o, "ft"), v02)
    if v02:
        t = _own(o, "tenant_id")
        tenant_id = is_.add("missing", "tenant_id") if t is MISSING or t is None else is_.string("tenant_id", t)
        if isinstance(tenant_id, str) and not matches_id(tenant_id):
            tenant_id = is_.add("invalid_value", "tenant_id")
        key_id = is_.optional_string("key_id", _own(o, "key_id"))
        if isinstance(key_id, str) and not matches_id(key_id):
            key_id = is_.add("invalid_value", "key_id")
        for key in js_keys(o):
            if key not in KNOWN_FIELDS:
                is_.add("unexpected_key", safe_key(key))
    else:
        tenant_id = is_.optional_string("tenant_id", _own(o, "tenant_id"))
        key_id = is_.optional_string("key_id", _own(o, "key_id"))
        left = [PCS_LIMITS.maxExtraNodes]
        for key in js_keys(o):
            if key not in KNOWN_FIELDS:
                _scan_extra(is_, [key], o[key], 1, left)

    if pcs_id is not MISSING and merkle_root is not MISSING and epoch is not MISSING and shard_id is not MISSING:
        if compute_pcs_id(merkle_root, epoch, shard_id) != pcs_id:
            is_.add("pcs_id_mismatch")

    if is_.list:
        reasons = is_.list
        if len(reasons) > PCS_LIMITS.maxReasons:
            reasons = reasons[: PCS_LIMITS.maxReasons - 1] + ["malformed:too_many_problems"]
        return ValidationResult(False, reasons=reasons, pcs_id=_pcs_id_of(o))
    pcs: Pcs = {
        "pcs_id": pcs_id, "schema": schema, "version": version, "shard_id": shard_id, "epoch": epoch,
        "attempt": attempt, "sent_at": sent_at, "seed": seed, "scales": scales, "N_j": n_j, "coh_star": coh_star,
        "v_star": v_star, "D_hat": d_hat, "r": r, "regime": regime, "budget": budget, "merkle_root": merkle_root,
        "ft": ft,
    }
    if isinstance(sig, str):
        pcs["sig"] = sig
    if isinstance(tenant_id, str):
        pcs["tenant_id"] = tenant_id
    if isinstance(key_id, str):
        pcs["key_id"] = key_id
    return ValidationResult(True, pcs=pcs)


def _check_scales(is_: _Issues, v: Any) -> Any:
    if v is MISSING:
        return is_.add("missing", "scales")
    if not _is_array(v):
        return is_.add("type", "scales")
    if len(v) < PCS_LIMITS.minScales:
        return is_.add("too_short", "scales")
    if len(v) > PCS_LIMITS.maxScales:
        return is_.add("too_long", "scales")
    out: list[int] = []
    seen: set[int] = set()
    ok = True
    for i, item in enumerate(v):
        path = f"scales[{i}]"
        s = is_.integer(path, item, 2)
        if s is MISSING:
            ok = False
        elif s in seen:
            is_.add("duplicate", path)
            ok = False
        else:
            seen.add(s)
            out.append(s)
    return out if ok else MISSING


def _check_nj(is_: _Issues, v: Any, scales: Any) -> Any:
    if v is MISSING:
        return is_.add("missing", "N_j")
    if not isinstance(v, dict):
        return is_.add("type", "N_j")
    keys = js_keys(v)
    if len(keys) > PCS_LIMITS.maxScales:
        return is_.add("too_long", "N_j")
    before = len(is_.list)
    out: dict[str, int] = {}
    if scales is not MISSING:
        for s in scales:
            key = str(s)
            path = f"N_j.{key}"
            if key not in v:
                is_.add("missing", path)
                continue
            n = is_.integer(path, v[key], 1)
            if n is not MISSING:
                out[key] = n
        wanted = {str(s) for s in scales}
        for key in keys:
            if key not in wanted:
                is_.add("unexpected_key", f"N_j.{safe_key(key)}")
    else:
        for key in keys:
            is_.integer(f"N_j.{safe_key(key)}", v[key], 1)
        return MISSING
    if len(is_.list) != before:
        return MISSING
    # JavaScript object order (integer keys ascending), as the TS core holds it.
    return {k: out[k] for k in js_keys(out)}


def _check_v_star(is_: _Issues, v: Any) -> Any:
    if v is MISSING:
        return is_.add("missing", "v_star")
    if not _is_array(v):
        return is_.add("type", "v_star")
    if len(v) > PCS_LIMITS.maxVStar:
        return is_.add("too_long", "v_star")
    out: list[float] = []
    ok = True
    for i, item in enumerate(v):
        x = is_.floating(f"v_star[{i}]", item)
        if x is MISSING:
            ok = False
        else:
            out.append(x)
    return out if ok else MISSING


def _check_regime(is_: _Issues, v: Any) -> Any:
    if v is MISSING:
        return is_.add("missing", "regime")
    if not isinstance(v, str):
        return is_.add("type", "regime")
    if v not in REGIMES:
        return is_.add("invalid_value", "regime")
    return v


def _check_ft(is_: _Issues, v: Any, v02: bool) -> Any:
    if v is MISSING:
        return is_.add("missing", "ft")
    if not isinstance(v, dict):
        return is_.add("type", "ft")
    before = len(is_.list)
    outbox_seq = is_.integer("ft.outbox_seq", _own(v, "outbox_seq"))
    degraded = _own(v, "degraded")
    if degraded is MISSING:
        is_.add("missing", "ft.degraded")
    elif not isinstance(degraded, bool):
        is_.add("type", "ft.degraded")
    fallbacks = _check_fallbacks(is_, _own(v, "fallbacks"))
    clock_skew_ms = is_.floating("ft.clock_skew_ms", _own(v, "clock_skew_ms"))
    left = [PCS_LIMITS.maxExtraNodes]
    for key in js_keys(v):
        if key in FT_FIELDS:
            continue
        if v02:
            is_.add("unexpected_key", f"ft.{safe_key(key)}")
        else:
            _scan_extra(is_, ["ft", key], v[key], 2, left)
    if len(is_.list) != before:
        return MISSING
    return {"outbox_seq": outbox_seq, "degraded": degraded, "fallbacks": fallbacks, "clock_skew_ms": clock_skew_ms}


def _check_fallbacks(is_: _Issues, v: Any) -> Any:
    if v is MISSING:
        return is_.add("missing", "ft.fallbacks")
    if not _is_array(v):
        return is_.add("type", "ft.fallbacks")
    if len(v) > PCS_LIMITS.maxFallbacks:
        return is_.add("too_long", "ft.fallbacks")
    out: list[str] = []
    ok = True
    for i, item in enumerate(v):
        s = is_.string(f"ft.fallbacks[{i}]", item)
        if s is MISSING:
            ok = False
        else:
            out.append(s)
    return out if ok else MISSING


def _scan_extra(is_: _Issues, path: list[Union[str, int]], v: Any, depth: int, left: list[int]) -> None:
    """Unknown fields: anything JSON can hold but no non-finite number and nothing JSON cannot
    (``type``). Bounded in depth (``too_deep``) and in nodes visited (``too_large``)."""
    left[0] -= 1
    if left[0] < 0:
        if left[0] == -1:
            is_.add("too_large")
        return
    if v is None or isinstance(v, (str, bool)):
        return
    if _is_num(v):
        if not _is_finite(v):
            is_.add("non_finite", path_label(path))
        return
    if not isinstance(v, (dict, list, tuple)):
        is_.add("type", path_label(path))
        return
    if depth >= PCS_LIMITS.maxDepth:
        is_.add("too_deep", path_label(path))
        return
    if isinstance(v, (list, tuple)):
        for i, item in enumerate(v):
            if left[0] < 0:
                break
            _scan_extra(is_, [*path, i], item, depth + 1, left)
        return
    for key in js_keys(v):
        if left[0] < 0:
            return
        _scan_extra(is_, [*path, key], v[key], depth + 1, left)
