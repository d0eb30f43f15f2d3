"""W3C trace context (https://www.w3.org/TR/trace-context/) on published records: the
``traceparent`` header, which the verifier copies onto the verdict and DLQ records and the sink
onto the audit line. The same rules as the TypeScript agent's (@flk/agent, @flk/kafka)."""
from __future__ import annotations

import re
import secrets
from typing import Optional

TRACEPARENT_HEADER = "traceparent"

_PATTERN = re.compile(r"([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})")


def is_traceparent(value: Optional[str]) -> bool:
    """version-traceid-parentid-flags, lowercase hex, version not ff, ids not all zeros."""
    if not isinstance(value, str) or len(value) != 55:
        return False
    m = _PATTERN.fullmatch(value)
    return m is not None and m.group(1) != "ff" and m.group(2).strip("0") != "" and m.group(3).strip("0") != ""


def new_traceparent() -> str:
    """A fresh traceparent: random trace and parent ids, sampled."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"
