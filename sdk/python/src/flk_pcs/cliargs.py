"""Command-line parsing with the semantics of Node's ``util.parseArgs`` (strict, positionals
allowed) and the TS CLI's messages (apps/cli/src/args.ts), so usage errors read the same."""
from __future__ import annotations

import math
import re
from typing import Mapping, Optional, Sequence, Union

from .jsontext import js_trim

Values = dict[str, Union[str, bool]]


class CliUsageError(Exception):
    """Wrong command line (exit 2); ``help`` names the help page to point at."""

    def __init__(self, message: str, help: str) -> None:  # noqa: A002 - the TS name
        super().__init__(message)
        self.help = help


class CliConfigError(Exception):
    """Bad configuration (environment): exit 2."""


class CliInputError(Exception):
    """Bad input of a single-output command (``pcs make``): one line naming the input, exit 1."""

    def __init__(self, input_name: str, message: str) -> None:
        super().__init__(message)
        self.input = input_name


class Parsed:
    def __init__(self, values: Values, positionals: list[str]) -> None:
        self.values = values
        self.positionals = positionals


def parse_command_args(args: Sequence[str], options: Mapping[str, str], help: str) -> Parsed:  # noqa: A002
    """``options``: long name → 'string' | 'boolean'; ``-h``/``--help`` is added."""
    opts = dict(options)
    opts["help"] = "boolean"
    shorts = {"h": "help"}
    values: Values = {}
    positionals: list[str] = []
    rest = list(args)
    tokens: list[tuple[str, str, Optional[str], bool]] = []  # (name, rawName, value, inline)
    while rest:
        arg = rest.pop(0)
        if arg == "--":
            positionals.extend(rest)  # positionals are checked in token order below
            tokens.append(("", "--", None, False))
            for p in rest:
                tokens.append(("\0pos", p, p, False))
            rest = []
            break
        if len(arg) == 2 and arg[0] == "-" and arg[1] != "-":  # -x
            name = shorts.get(arg[1], arg[1])
            if opts.get(name) == "string" and rest:
                tokens.append((name, arg, rest.pop(0), False))
            else:
                tokens.append((name, arg, None, False))
            continue
        if len(arg) > 2 and arg[0] == "-" and arg[1] != "-":  # -abc
            first = shorts.get(arg[1], arg[1])
            if opts.get(first) != "string":
                rest[:0] = [f"-{c}" for c in arg[1:]]
                continue
            tokens.append((first, f"-{arg[1]}", arg[2:], True))
            continue
        if len(arg) > 2 and arg.startswith("--"):
            eq = arg.find("=", 3)
            if eq == -1:
                name = arg[2:]
                if opts.get(name) == "string" and rest:
                    tokens.append((name, arg, rest.pop(0), False))
                else:
                    tokens.append((name, arg, None, False))
            else:
                tokens.append((arg[2:eq], arg[:eq], arg[eq + 1 :], True))
            continue
        tokens.append(("\0pos", arg, arg, False))
    positionals = []
    for name, raw, value, inline in tokens:
        if name == "":
            continue
        if name == "\0pos":
            positionals.append(raw)
            continue
        kind = opts.get(name)
        label = f"-h, --{name}" if name == "help" else f"--{name}"
        if kind is None:
            raise CliUsageError(f"unknown option '{raw}'", help)
        if kind == "string" and value is None:
            raise CliUsageError(f"option '{label} <value>' needs a value", help)
        if kind == "boolean" and value is not None:
            raise CliUsageError(f"option '{label}' takes no value", help)
        if kind == "string" and value is not None and not inline and len(value) > 1 and value[0] == "-":
            raise CliUsageError(f"option '{raw}' needs a value (for a value starting with '-', write {raw}=VALUE)", help)
        values[name] = True if kind == "boolean" else (value or "")
    return Parsed(values, positionals)


def string_flag(parsed: Parsed, name: str) -> Optional[str]:
    v = parsed.values.get(name)
    return v if isinstance(v, str) else None


_INTEGER = re.compile(r"[+-]?[0-9]+")


def integer_flag(parsed: Parsed, name: str, help: str) -> Optional[int]:  # noqa: A002
    raw = string_flag(parsed, name)
    if raw is None:
        return None
    t = js_trim(raw)
    if _INTEGER.fullmatch(t) is None or abs(int(t)) > 2**53 - 1:
        raise CliUsageError(f"--{name}: expected an integer, got '{raw}'", help)
    return int(t)


def number_flag(parsed: Parsed, name: str, help: str) -> Optional[float]:  # noqa: A002
    raw = string_flag(parsed, name)
    if raw is None:
        return None
    n = math.nan if js_trim(raw) == "" else js_string_to_number(raw)
    if not math.isfinite(n) or n < 0:
        raise CliUsageError(f"--{name}: expected a number >= 0, got '{raw}'", help)
    return n


def require_flag(value: Optional[object], name: str, help: str) -> object:  # noqa: A002
    if value is None:
        raise CliUsageError(f"missing required option --{name}", help)
    return value


_DECIMAL = re.compile(r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|Infinity)")
_RADIX = re.compile(r"0([xXoObB])([0-9a-zA-Z]+)")


def js_string_to_number(s: str) -> float:
    """ECMAScript ``Number(string)``: trimmed; '' → 0; decimal, Infinity, 0x/0o/0b; else NaN."""
    t = js_trim(s)
    if t == "":
        return 0.0
    m = _RADIX.fullmatch(t)
    if m is not None:
        base = {"x": 16, "o": 8, "b": 2}[m.group(1).lower()]
        try:
            return float(int(m.group(2), base))
        except (ValueError, OverflowError):
            return math.nan if _bad_digits(m.group(2), base) else math.inf
    if _DECIMAL.fullmatch(t) is None:
        return math.nan
    if t.lstrip("+-") == "Infinity":
        return -math.inf if t.startswith("-") else math.inf
    return float(t)


def _bad_digits(digits: str, base: int) -> bool:
    try:
        int(digits, base)
        return False
    except ValueError:
        return True
