"""JSON text as the TypeScript core reads and writes it.

``read_json`` is the strict reader of ``libs/pcs/src/json.ts``: RFC 8259 (no comments, no trailing
commas, no BOM, whitespace = space/tab/LF/CR) plus the tokens ``NaN``, ``Infinity``, ``-Infinity``
(read as those numbers so that validation reports them as ``non_finite``), duplicate keys rejected
(``duplicate_key:<path>``) and nesting bounded (``too_deep``). Every number is a double, converted
with correct rounding (``float(lexeme)``, as JavaScript's ``Number``), so ``1e999`` is Infinity.

``stringify`` is ``JSON.stringify``: ECMAScript ``Number::toString`` numbers, JSON.stringify
string escapes, and JavaScript's own-property order (array-index keys such as ``"8"`` first, in
ascending numeric order, then the other keys in insertion order).
"""
from __future__ import annotations

import math
import re
from typing import Any, Iterable, Sequence, Union

from .text import combine_surrogates

JsonValue = Any

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_STRING_RUN = re.compile(r'[^"\\\x00-\x1f]*')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


class _JsonFailure(Exception):
    def __init__(self, detail: str = "json") -> None:
        super().__init__(detail)
        self.detail = detail


class JsonReadResult:
    """``ok`` and ``value``, or ``detail`` (``json``, ``too_deep``, ``duplicate_key:<path>``).
    ``nonstandard`` is True when a NaN/Infinity token was read (JSON.parse would refuse the text)."""

    __slots__ = ("ok", "value", "detail", "nonstandard")

    def __init__(self, ok: bool, value: JsonValue = None, detail: str = "", nonstandard: bool = False) -> None:
        self.ok = ok
        self.value = value
        self.detail = detail
        self.nonstandard = nonstandard


def read_json(text: str, max_depth: int) -> JsonReadResult:
    """Reads JSON text strictly (see the module doc). Never raises."""
    reader = _Reader(text, max_depth)
    try:
        value = reader.value(0)
        reader.skip_ws()
        if reader.pos != len(text):
            raise _JsonFailure()
        return JsonReadResult(True, value, nonstandard=reader.nonstandard)
    except _JsonFailure as e:
        return JsonReadResult(False, detail=e.detail)
    except (RecursionError, IndexError, ValueError):
        return JsonReadResult(False, detail="json")


class _Reader:
    def __init__(self, text: str, max_depth: int) -> None:
        self.text = text
        self.pos = 0
        self.max_depth = max_depth
        self.path: list[Union[str, int]] = []
        self.nonstandard = False

    def skip_ws(self) -> None:
        m = _WS.match(self.text, self.pos)
        if m is not None:
            self.pos = m.end()

    def literal(self, word: str, value: JsonValue) -> JsonValue:
        if self.text.startswith(word, self.pos):
            self.pos += len(word)
            return value
        raise _JsonFailure()

    def string(self) -> str:
        text = self.text
        self.pos += 1  # opening quote
        parts: list[str] = []
        escaped = False
        while True:
            m = _STRING_RUN.match(text, self.pos)
            assert m is not None
            if m.end() > self.pos:
                parts.append(m.group())
                self.pos = m.end()
            if self.pos >= len(text):
                raise _JsonFailure()
            c = text[self.pos]
            if c == '"':
                self.pos += 1
                s = "".join(parts)
                return combine_surrogates(s) if escaped else s
            if c != "\\":
                raise _JsonFailure()  # raw control character
            e = text[self.pos + 1 : self.pos + 2]
            self.pos += 2
            if e == "u":
                hx = text[self.pos : self.pos + 4]
                if _HEX4.fullmatch(hx) is None:
                    raise _JsonFailure()
                parts.append(chr(int(hx, 16)))
                self.pos += 4
                escaped = True
            elif e in _ESCAPES:
                parts.append(_ESCAPES[e])
            else:
                raise _JsonFailure()

    def value(self, depth: int) -> JsonValue:
        self.skip_ws()
        text = self.text
        c = text[self.pos : self.pos + 1]
        if c == "{" or c == "[":
            if depth >= self.max_depth:
                raise _JsonFailure("too_deep")
            return self.obj(depth + 1) if c == "{" else self.arr(depth + 1)
        if c == '"':
            return self.string()
        if c == "t":
            return self.literal("true", True)
        if c == "f":
            return self.literal("false", False)
        if c == "n":
            return self.literal("null", None)
        if c == "N":
            self.nonstandard = True
            return self.literal("NaN", math.nan)
        if c == "I":
            self.nonstandard = True
            return self.literal("Infinity", math.inf)
        if c == "-" and text.startswith("-Infinity", self.pos):
            self.nonstandard = True
            return self.literal("-Infinity", -math.inf)
        m = _NUMBER.match(text, self.pos)
        if m is None:
            raise _JsonFailure()
        self.pos = m.end()
        return float(m.group())

    def obj(self, depth: int) -> dict[str, JsonValue]:
        self.pos += 1
        out: dict[str, JsonValue] = {}
        self.skip_ws()
        if self.text[self.pos : self.pos + 1] == "}":
            self.pos += 1
            return out
        while True:
            self.skip_ws()
            if self.text[self.pos : self.pos + 1] != '"':
                raise _JsonFailure()
            key = self.string()
            self.skip_ws()
            if self.text[self.pos : self.pos + 1] != ":":
                raise _JsonFailure()
            self.pos += 1
            self.path.append(key)
            if key in out:
                raise _JsonFailure(f"duplicate_key:{path_label(self.path)}")
            out[key] = self.value(depth)
            self.path.pop()
            self.skip_ws()
            c = self.text[self.pos : self.pos + 1]
            self.pos += 1
            if c == "}":
                return out
            if c != ",":
                raise _JsonFailure()

    def arr(self, depth: int) -> list[JsonValue]:
        self.pos += 1
        out: list[JsonValue] = []
        self.skip_ws()
        if self.text[self.pos : self.pos + 1] == "]":
            self.pos += 1
            return out
        while True:
            self.path.append(len(out))
            out.append(self.value(depth))
            self.path.pop()
            self.skip_ws()
            c = self.text[self.pos : self.pos + 1]
            self.pos += 1
            if c == "]":
                return out
            if c != ",":
                raise _JsonFailure()


_SAFE_UNIT = frozenset(ord(c) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def safe_key(key: str) -> str:
    """A key for reason paths: cut to 64 UTF-16 units, each unit not ``[A-Za-z0-9_-]`` → ``?``."""
    if key.isascii():
        cut = key[:64]
        out = "".join(c if ord(c) in _SAFE_UNIT else "?" for c in cut)
    else:
        b = key.encode("utf-16-le", "surrogatepass")[:128]
        units = [b[i] | (b[i + 1] << 8) for i in range(0, len(b), 2)]
        out = "".join(chr(u) if u in _SAFE_UNIT else "?" for u in units)
    return out or "?"


def path_label(segments: Iterable[Union[str, int]]) -> str:
    """``ft.degraded``, ``scales[1]``, ``N_j.8``: the field paths of ``malformed:`` reasons."""
    out = ""
    for seg in segments:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            out += ("" if out == "" else ".") + safe_key(seg)
    return out


# ------------------------------------------------------------------ writing


def is_array_index(key: str) -> bool:
    """An ECMAScript array index: canonical decimal of an integer in [0, 2^32 − 2]."""
    if not key or len(key) > 10 or not key.isascii() or not key.isdigit():
        return False
    if key[0] == "0" and len(key) > 1:
        return False
    return int(key) <= 4294967294


def js_keys(obj: dict[str, Any]) -> list[str]:
    """Own-property order of a JavaScript object with these keys in this insertion order."""
    keys = list(obj.keys())
    idx = [k for k in keys if is_array_index(k)]
    if not idx:
        return keys
    idx.sort(key=int)
    return idx + [k for k in keys if not is_array_index(k)]


def es_number(x: float) -> str:
    """ECMAScript ``Number::toString`` of a finite double (what JSON.stringify prints)."""
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es_number(-x)
    r = repr(x)
    mant, _, exp_s = r.partition("e")
    exp = int(exp_s) if exp_s else 0
    int_part, _, frac = mant.partition(".")
    digits = (int_part + frac).lstrip("0")
    # value = 0.<digits> * 10^n
    lead_zeros = len(int_part + frac) - len(digits)
    n = len(int_part) + exp - lead_zeros
    digits = digits.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return digits[:n] + "." + digits[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + digits
    e = n - 1
    es = ("+" if e >= 0 else "-") + str(abs(e))
    return (digits if k == 1 else digits[0] + "." + digits[1:]) + "e" + es


_NEEDS_ESCAPE = re.compile('[\\x00-\\x1f"\\\\\ud800-\udfff]')
_SHORT = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: "re.Match[str]") -> str:
    c = m.group()
    return _SHORT.get(c) or f"\\u{ord(c):04x}"


def js_string(s: str) -> str:
    """``JSON.stringify`` of a string: ``\\"`` ``\\\\`` ``\\b\\f\\n\\r\\t``, other C0 controls and lone
    surrogates as lowercase ``\\u00xx`` / ``\\udxxx``, everything else verbatim."""
    return '"' + _NEEDS_ESCAPE.sub(_escape, s) + '"'


def number_json(v: Union[int, float]) -> str:
    if isinstance(v, int):
        if -(2**53) <= v <= 2**53:
            return es_number(float(v)) if v != 0 else "0"
        try:
            f = float(v)
        except OverflowError:
            return "null"
        return es_number(f)
    if math.isnan(v) or math.isinf(v):
        return "null"
    return es_number(v)


def stringify(value: Any) -> str:
    """``JSON.stringify(value)`` for JSON-like Python values (dict, list/tuple, str, numbers, bool, None)."""
    parts: list[str] = []
    _write(value, parts)
    return "".join(parts)


def _write(v: Any, out: list[str]) -> None:
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, str):
        out.append(js_string(v))
    elif isinstance(v, (int, float)):
        out.append(number_json(v))
    elif isinstance(v, dict):
        out.append("{")
        first = True
        for k in js_keys(v):
            item = v[k]
            if item is _UNDEFINED:
                continue
            if not first:
                out.append(",")
            first = False
            out.append(js_string(k))
            out.append(":")
            _write(item, out)
        out.append("}")
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _write(item, out)
        out.append("]")
    else:
        raise TypeError(f"stringify: a {type(v).__name__} has no JSON form")


class _Undefined:
    """Stands for JavaScript ``undefined`` as a member value (left out by stringify)."""

    def __repr__(self) -> str:
        return "undefined"


_UNDEFINED: Any = _Undefined()
UNDEFINED: Any = _UNDEFINED


def js_trim(s: str) -> str:
    """``String.prototype.trim``: ECMAScript WhiteSpace and LineTerminator code points."""
    return s.strip(_JS_WS)


_JS_WS = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def js_parse(text: str) -> JsonValue:
    """``JSON.parse``: standard JSON only (no NaN tokens), duplicate keys allowed (the last wins),
    every number a double. Raises ValueError on anything JSON.parse would throw on."""
    import json

    def bad_constant(name: str) -> None:
        raise ValueError(f"not JSON: {name}")

    return json.loads(text, parse_int=float, parse_constant=bad_constant)


def is_sequence(v: object) -> bool:
    return isinstance(v, (list, tuple))


__all__: Sequence[str] = [
    "JsonReadResult",
    "read_json",
    "safe_key",
    "path_label",
    "js_keys",
    "es_number",
    "js_string",
    "stringify",
    "js_trim",
    "js_parse",
    "UNDEFINED",
]
