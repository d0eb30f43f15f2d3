"""coh★, v_star, r, N_j and D̂ computed by this SDK, the TS core and the Go SDK from the same random
raw points and bytes are identical, bit for bit, on 1,000 random inputs (one TS process and one Go
process for all: sdk/python/tools/signals.ts and sdk/go/cmd/flk-pcs-signals, same output shape)."""
from __future__ import annotations

import base64
import json
import random
import struct
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

import flk_pcs as pcs
from clidiff import TSX, _base_env, ts_cli_available
from conftest import REPO, SDK


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def inputs(n: int) -> list[dict[str, Any]]:
    rnd = random.Random(20261202)
    out = []
    for i in range(n):
        dim = rnd.choice([1, 2, 3, 3, 4, 7])
        count = rnd.randrange(1, 120)
        kind = i % 4
        pts: list[list[float]] = []
        for _ in range(count):
            if kind == 0:
                p = [rnd.random() for _ in range(dim)]
            elif kind == 1:
                p = [rnd.gauss(0, 10 ** rnd.randrange(-3, 4)) for _ in range(dim)]
            elif kind == 2:
                p = [float(rnd.randrange(-3, 4)) for _ in range(dim)]  # ties, zero spans
            else:
                t = rnd.random()
                p = [t * (k + 1) + rnd.random() * 1e-9 for k in range(dim)]
            pts.append(p)
        size = rnd.choice([0, 1, 3, 50, 1000, 5000])
        data = bytes(rnd.randrange(256) for _ in range(size)) if i % 3 == 0 else (b"log line %d ok\n" % i) * (size // 10 + 1)
        scales = rnd.choice([[2, 4, 8, 16, 32], [3, 10, 100, 25], [2, 5]])
        out.append({"points": pts, "seed": rnd.randrange(-(2**53) + 1, 2**53), "data_b64": base64.b64encode(data).decode(), "scales": scales})
    return out


CASES = inputs(1000)


def python_leg(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for case in cases:
        coh, v = pcs.compute_coherence(case["points"], case["seed"])
        n_j = pcs.count_boxes(case["points"], case["scales"])
        out.append({"coh": bits(coh), "v": [bits(x) for x in v], "r": bits(pcs.compressibility(base64.b64decode(case["data_b64"]))),
                    "N_j": n_j, "D_hat": bits(pcs.compute_d_hat(case["scales"], n_j))})
    return out


def compare(other: str, stdout: bytes) -> None:
    lines = stdout.decode().strip().split("\n")
    assert len(lines) == len(CASES)
    mismatches = [(i, mine, json.loads(line)) for i, (mine, line) in enumerate(zip(python_leg(CASES), lines)) if mine != json.loads(line)]
    assert mismatches == [], f"python vs {other}: {len(mismatches)} of {len(CASES)} differ, first {mismatches[:2]}"


def go_available() -> bool:
    """True when a Go toolchain is there; with FLK_REQUIRE_GO=1 (in the repository) always True."""
    return os.environ.get("FLK_REQUIRE_GO") == "1" or shutil.which("go") is not None


@pytest.mark.skipif(not ts_cli_available(), reason="the TS workspace (node_modules) is not installed")
def test_signals_bit_identical_with_ts_on_1000_random_inputs() -> None:
    p = subprocess.run([str(TSX), "--conditions=@flk/source", str(SDK / "tools" / "signals.ts")], input=json.dumps(CASES).encode(),
                       capture_output=True, env=_base_env(None), cwd=str(REPO), timeout=600)
    assert p.returncode == 0, p.stderr.decode()
    compare("ts", p.stdout)


@pytest.mark.skipif(not go_available(), reason="no Go toolchain")
def test_signals_bit_identical_with_go_on_1000_random_inputs(tmp_path: Path) -> None:
    exe = tmp_path / "flk-pcs-signals"
    env = {**_base_env(None), "CGO_ENABLED": "1", **{k: v for k, v in os.environ.items() if k.startswith("GO")}}
    b = subprocess.run(["go", "build", "-o", str(exe), "./cmd/flk-pcs-signals"], cwd=str(REPO / "sdk" / "go"), capture_output=True, env=env, timeout=600)
    assert b.returncode == 0, b.stderr.decode()
    p = subprocess.run([str(exe)], input=json.dumps(CASES).encode(), capture_output=True, timeout=600)
    assert p.returncode == 0, p.stderr.decode()
    compare("go", p.stdout)
