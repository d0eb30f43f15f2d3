"""Reading the environment as the TS apps do (@flk/config ``EnvReader``): values trimmed, an empty
value is unset, lists are comma-separated with entries trimmed and empty entries dropped, and
every bad variable is named in one ``ConfigError`` (keys never echoed)."""
from __future__ import annotations

import re
from typing import Mapping, Optional, Sequence

from .errors import FlkError
from .jsontext import js_string, js_trim

_INT = re.compile(r"-?[0-9]+")


class ConfigError(FlkError):
    """Bad configuration (code ``CONFIG_INVALID``, final). ``problems`` lists every bad variable."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("CONFIG_INVALID", "invalid configuration:\n  " + "\n  ".join(problems), retriable=False)
        self.problems = list(problems)


class EnvReader:
    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env
        self.problems: list[str] = []

    def raw(self, name: str) -> Optional[str]:
        v = self._env.get(name)
        if v is None:
            return None
        t = js_trim(v)
        return None if t == "" else t

    def optional_string(self, name: str) -> Optional[str]:
        return self.raw(name)

    def string(self, name: str, fallback: Optional[str] = None) -> str:
        v = self.raw(name)
        if v is None:
            v = fallback
        if v is None:
            self.problems.append(f"{name}: required")
            return ""
        return v

    def secret(self, name: str) -> Optional[str]:
        v = self._env.get(name)
        return None if v is None or v == "" else v

    def list(self, name: str, fallback: Sequence[str] = ()) -> list[str]:
        v = self.raw(name)
        if v is None:
            return list(fallback)
        return [t for t in (js_trim(s) for s in v.split(",")) if t]

    def int(self, name: str, fallback: int, minimum: int = -(2**53 - 1), maximum: int = 2**53 - 1) -> int:
        v = self.raw(name)
        if v is None:
            return fallback
        n = int(v) if _INT.fullmatch(v) else None
        if n is None or abs(n) > 2**53 - 1 or n < minimum or n > maximum:
            self.problems.append(f"{name}: expected an integer in [{minimum}, {maximum}], got {js_string(v)}")
            return fallback
        return n

    def number(self, name: str, fallback: float, minimum: float = float("-inf"), maximum: float = float("inf")) -> float:
        from .cliargs import js_string_to_number

        v = self.raw(name)
        if v is None:
            return fallback
        n = js_string_to_number(v)
        import math

        if not math.isfinite(n) or n < minimum or n > maximum:
            lo = "-Infinity" if minimum == float("-inf") else _num(minimum)
            hi = "Infinity" if maximum == float("inf") else _num(maximum)
            self.problems.append(f"{name}: expected a number in [{lo}, {hi}], got {js_string(v)}")
            return fallback
        return n

    def bool(self, name: str, fallback: bool) -> bool:
        v = self.raw(name)
        if v is None:
            return fallback
        lv = v.lower()
        if lv in ("1", "true", "yes", "on"):
            return True
        if lv in ("0", "false", "no", "off"):
            return False
        self.problems.append(f"{name}: expected true or false, got {js_string(lv)}")
        return fallback

    def one_of(self, name: str, allowed: Sequence[str], fallback: str) -> str:
        v = self.raw(name)
        if v is None:
            return fallback
        if v not in allowed:
            self.problems.append(f"{name}: expected one of {', '.join(allowed)}, got {js_string(v)}")
            return fallback
        return v

    def problem(self, message: str) -> None:
        self.problems.append(message)

    def done(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


def _num(x: float) -> str:
    from .jsontext import number_json

    return number_json(x)
