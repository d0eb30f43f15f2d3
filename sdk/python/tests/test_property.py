"""coh★, v_star, r, N_j and D̂ computed by this SDK and by the TS core from the same random raw
points and bytes are identical, bit for bit, on 1,000 random inputs (one TS process for all)."""
from __future__ import annotations

import base64
import json
import random
import struct
import subprocess
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


@pytest.mark.skipif(not ts_cli_available(), reason="the TS workspace (node_modules) is not installed")
def test_signals_bit_identical_with_ts_on_1000_random_inputs() -> None:
    cases = inputs(1000)
    p = subprocess.run([str(TSX), "--conditions=@flk/source", str(SDK / "tools" / "signals.ts")], input=json.dumps(cases).encode(),
                       capture_output=True, env=_base_env(None), cwd=str(REPO), timeout=600)
    assert p.returncode == 0, p.stderr.decode()
    lines = p.stdout.decode().strip().split("\n")
    assert len(lines) == len(cases)
    mismatches = []
    for i, (case, line) in enumerate(zip(cases, lines)):
        ts = json.loads(line)
        coh, v = pcs.compute_coherence(case["points"], case["seed"])
        n_j = pcs.count_boxes(case["points"], case["scales"])
        mine = {"coh": bits(coh), "v": [bits(x) for x in v], "r": bits(pcs.compressibility(base64.b64decode(case["data_b64"]))),
                "N_j": n_j, "D_hat": bits(pcs.compute_d_hat(case["scales"], n_j))}
        if mine != ts:
            mismatches.append((i, mine, ts))
    assert mismatches == []
