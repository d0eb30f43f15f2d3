"""Runs the TS CLI (``flk pcs ...`` from the repo) and this SDK's CLI (``python3 -m flk_pcs ...``)
on the same argv, stdin and environment, and returns both results for comparison."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional, Sequence

from conftest import REPO, SDK

TSX = REPO / "node_modules" / ".bin" / "tsx"
MAIN = REPO / "apps" / "cli" / "src" / "main.ts"
_DECIDED_AT = re.compile(r'"decided_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z"')
_SENT_AT_NOW = re.compile(r'"sent_at":"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"')


def ts_cli_available() -> bool:
    """True when the TS CLI can run; with FLK_REQUIRE_TS_CLI=1 always True (a missing one fails)."""
    if os.environ.get("FLK_REQUIRE_TS_CLI") == "1":
        return True
    return TSX.exists() and MAIN.exists() and shutil.which("node") is not None


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str


def _base_env(extra: Optional[Mapping[str, str]]) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")}
    keep.update(extra or {})
    return keep


def normalise(text: str) -> str:
    return _DECIDED_AT.sub('"decided_at":"<now>"', text)


def run_ts(args: Sequence[str], env: Optional[Mapping[str, str]] = None, stdin: bytes = b"", cwd: Optional[Path] = None) -> Result:
    p = subprocess.run(
        [str(TSX), "--conditions=@flk/source", str(MAIN), "pcs", *args],
        input=stdin,
        capture_output=True,
        env=_base_env(env),
        cwd=str(cwd or REPO),
        timeout=300,
    )
    return Result(p.returncode, normalise(p.stdout.decode("utf-8", "replace")), p.stderr.decode("utf-8", "replace"))


def run_py(args: Sequence[str], env: Optional[Mapping[str, str]] = None, stdin: bytes = b"", cwd: Optional[Path] = None) -> Result:
    e = _base_env(env)
    e["PYTHONPATH"] = str(SDK / "src")
    p = subprocess.run(
        [sys.executable, "-m", "flk_pcs", *args], input=stdin, capture_output=True, env=e, cwd=str(cwd or REPO), timeout=300
    )
    return Result(p.returncode, normalise(p.stdout.decode("utf-8", "replace")), p.stderr.decode("utf-8", "replace"))


def diff_lines(a: str, b: str, limit: int = 5) -> str:
    la, lb = a.split("\n"), b.split("\n")
    out = []
    for i in range(max(len(la), len(lb))):
        x = la[i] if i < len(la) else "<none>"
        y = lb[i] if i < len(lb) else "<none>"
        if x != y:
            out.append(f"line {i + 1}:\n  ts: {x[:600]}\n  py: {y[:600]}")
            if len(out) >= limit:
                break
    return "\n".join(out)
