"""Instants for v0.2 (contract §7): ``sent_at``, key windows and the freshness ``now``, as integer
nanoseconds since the Unix epoch (sent_at carries up to 9 fraction digits and the contract
compares to the nanosecond). Port of libs/pcs/src/time.ts."""
from __future__ import annotations

import re
from typing import Optional, Sequence, Union

Instant = int
NS_PER_S = 1_000_000_000
NS_PER_MS = 1_000_000

# §7.1: YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z, uppercase T and Z, UTC.
_SENT_AT_V02 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?Z")
# RFC 3339 (key windows, --now): t/z allowed, offsets ±HH:MM, ≤ 9 fraction digits.
_RFC3339 = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))"
)
_DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def _is_leap(y: int) -> bool:
    return (y % 4 == 0 and y % 100 != 0) or y % 400 == 0


def days_from_civil(y: int, m: int, d: int) -> int:
    """Days from 1970-01-01 to y-m-d, proleptic Gregorian (H. Hinnant's days_from_civil)."""
    yy = y - 1 if m <= 2 else y
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146_097 + doe - 719_468


def _instant_of(parts: Sequence[Optional[str]], offset_minutes: int) -> Optional[Instant]:
    y, mo, d, h, mi, s = (int(p or "0") for p in parts[:6])
    if y < 1 or mo < 1 or mo > 12 or d < 1 or h > 23 or mi > 59 or s > 59:
        return None
    dim = 29 if mo == 2 and _is_leap(y) else _DAYS_IN_MONTH[mo - 1]
    if d > dim:
        return None
    seconds = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_minutes * 60
    frac = parts[6] or ""
    return seconds * NS_PER_S + (int(frac.ljust(9, "0")) if frac else 0)


def parse_sent_at(s: object) -> Optional[Instant]:
    """The instant of a v0.2 ``sent_at`` (§7.1), or None when not of that exact form or not a real date."""
    m = _SENT_AT_V02.fullmatch(s) if isinstance(s, str) else None
    return None if m is None else _instant_of(m.groups(), 0)


def parse_rfc3339(s: object) -> Optional[Instant]:
    """The instant of an RFC 3339 date-time (offsets allowed, fraction ≤ 9 digits), or None."""
    m = _RFC3339.fullmatch(s) if isinstance(s, str) else None
    if m is None:
        return None
    g = m.groups()
    offset = 0
    if g[7] is None:
        oh, om = int(g[9] or "0"), int(g[10] or "0")
        if oh > 23 or om > 59:
            return None
        offset = (-1 if g[8] == "-" else 1) * (oh * 60 + om)
    return _instant_of(g[:7], offset)


def instant_from_ms(ms: Union[int, float]) -> Instant:
    """Milliseconds since the epoch (a Kafka timestamp, time.time() * 1000) as an Instant."""
    return int(ms) * NS_PER_MS


def seconds_to_ns(seconds: Union[int, float]) -> int:
    return int(seconds) * NS_PER_S


def iso_millis(instant_ms: int) -> str:
    """JavaScript ``Date.prototype.toISOString`` of ms since the epoch: 2025-01-02T03:04:05.678Z."""
    days, ms_of_day = divmod(instant_ms, 86_400_000)
    y, m, d = civil_from_days(days)
    h, rest = divmod(ms_of_day, 3_600_000)
    mi, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    year = f"{y:04d}" if 0 <= y <= 9999 else (f"+{y:06d}" if y > 0 else f"-{-y:06d}")
    return f"{year}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}.{ms:03d}Z"


def civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return (y + (1 if m <= 2 else 0), m, d)


def now_ms() -> int:
    import time

    return time.time_ns() // NS_PER_MS


def now_iso() -> str:
    """The current time as JavaScript's ``new Date().toISOString()``."""
    return iso_millis(now_ms())
