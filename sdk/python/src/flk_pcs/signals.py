"""Contract §3 and §4: the signals an agent computes and the verifier recomputes or bounds-checks
(port of libs/pcs/src/signals.ts). Only IEEE-754 + − × ÷ sqrt floor in the stated order (plus
log2 for D̂), so the results are bit-identical to the TypeScript and Go SDKs."""
from __future__ import annotations

import math
import zlib
from typing import Mapping, Sequence, Union

from .errors import invalid_argument
from .params import DEFAULT_BUDGET_WEIGHTS, BudgetWeights
from .prng import SplitMix64
from .round import round9

Number = Union[int, float]
Points = Sequence[Sequence[Number]]

#: Our v0.1 choices for coh★ (docs/contract.md §3).
COHERENCE_DEFAULTS = {"directions": 64, "bins": 16}
MAX_SAFE_INTEGER = 2**53 - 1


def _is_int(v: object) -> bool:
    if isinstance(v, bool):
        return False
    return isinstance(v, int) or (isinstance(v, float) and v.is_integer())


def _is_safe_int(v: object) -> bool:
    return _is_int(v) and abs(v) <= MAX_SAFE_INTEGER  # type: ignore[arg-type]


def _js(v: Number) -> str:
    from .jsontext import number_json

    return number_json(v)


def compute_d_hat(scales: Sequence[Number], n_j: Mapping[str, Number]) -> float:
    """D̂ (§3): median of the pairwise slopes of (log2 s, log2 N_j[s]), rounded per §2.2."""
    if not isinstance(scales, (list, tuple)) or len(scales) < 2:
        raise invalid_argument("computeDHat: at least 2 scales are needed")
    xs: list[float] = []
    ys: list[float] = []
    for s in scales:
        n = n_j.get(_js(s)) if _is_int(s) else None
        if not _is_int(s) or s < 2:
            raise invalid_argument(f"computeDHat: scale {_js(s) if isinstance(s, (int, float)) else s} is not an integer ≥ 2")
        if not _is_int(n) or n < 1:  # type: ignore[operator]
            raise invalid_argument(f"computeDHat: N_j[{_js(s)}] must be an integer ≥ 1")
        xs.append(math.log2(s))
        ys.append(math.log2(n))  # type: ignore[arg-type]
    slopes: list[float] = []
    for i in range(len(xs)):
        for j in range(i + 1, len(xs)):
            dx = xs[j] - xs[i]
            if dx == 0:
                raise invalid_argument("computeDHat: scales must be distinct")
            slopes.append((ys[j] - ys[i]) / dx)
    slopes.sort()
    mid = len(slopes) >> 1
    median = slopes[mid] if len(slopes) % 2 == 1 else (slopes[mid - 1] + slopes[mid]) / 2
    return round9(median)


def _check_points(points: Points, fn: str) -> int:
    if not isinstance(points, (list, tuple)):
        raise invalid_argument(f"{fn}: points must be an array")
    if len(points) == 0:
        return 0
    first = points[0]
    dim = len(first) if isinstance(first, (list, tuple)) else 0
    if dim == 0:
        raise invalid_argument(f"{fn}: points must be non-empty arrays of numbers")
    for p in points:
        if not isinstance(p, (list, tuple)) or len(p) != dim:
            raise invalid_argument(f"{fn}: every point must have {dim} coordinates")
        for c in p:
            if isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c):
                raise invalid_argument(f"{fn}: coordinates must be finite numbers")
    return dim


def _cell(c: float, lo: float, span: float, bins: int) -> int:
    if span == 0:
        return 0
    i = math.floor(((c - lo) / span) * bins)
    return bins - 1 if i >= bins else i


def count_boxes(points: Points, scales: Sequence[int]) -> dict[str, int]:
    """N_j per scale: distinct non-empty cells of the bounding box cut into s cells per axis."""
    dim = _check_points(points, "countBoxes")
    if not isinstance(scales, (list, tuple)):
        raise invalid_argument("countBoxes: scales must be an array")
    for s in scales:
        if not _is_safe_int(s) or s < 1:
            raise invalid_argument(f"countBoxes: scale {_js(s) if isinstance(s, (int, float)) else s} is not a positive integer")
    out: dict[str, int] = {}
    if dim == 0:
        for s in scales:
            out[_js(s)] = 0
        return _js_order(out)
    pts = [[float(c) for c in p] for p in points]
    lo = [min(p[k] for p in pts) for k in range(dim)]
    hi = [max(p[k] for p in pts) for k in range(dim)]
    span = [hi[k] - lo[k] for k in range(dim)]
    if any(not math.isfinite(s) for s in span):
        raise invalid_argument("countBoxes: the point cloud's extent overflows a double")
    for s in scales:
        si = int(s)
        seen = {tuple(_cell(p[k], lo[k], span[k], si) for k in range(dim)) for p in pts}
        out[_js(s)] = len(seen)
    return _js_order(out)


def _js_order(d: dict[str, int]) -> dict[str, int]:
    from .jsontext import js_keys

    return {k: d[k] for k in js_keys(d)}


def coherence_directions(seed: int, dim: int, count: int) -> list[list[float]]:
    """The M directions of compute_coherence: SplitMix64(seed), g = (u1 + … + u12) − 6 per
    coordinate, n2 = Σ g² left to right (0 → drawn again), v = g / sqrt(n2)."""
    if not _is_safe_int(seed):
        raise invalid_argument("coherenceDirections: seed must be an integer within ±(2^53 − 1)")
    rng = SplitMix64(int(seed))
    nd = rng.next_double
    dirs: list[list[float]] = []
    while len(dirs) < count:
        g: list[float] = []
        for _ in range(dim):
            s = 0.0
            for _ in range(12):
                s += nd()
            g.append(s - 6)
        n2 = 0.0
        for x in g:
            n2 += x * x
        if n2 == 0:
            continue
        norm = math.sqrt(n2)
        dirs.append([x / norm for x in g])
    return dirs


def compute_coherence(
    points: Points, seed: int, directions: int = 64, bins: int = 16
) -> tuple[float, list[float]]:
    """coh★ (§3) and v_star: best fraction of points in one of ``bins`` equal bins of a projection,
    over ``directions`` directions (not rounded; a record carries round9 of it)."""
    m, b = directions, bins
    if not _is_safe_int(m) or m < 1 or m > 65_536:
        raise invalid_argument("computeCoherence: directions must be an integer in [1, 65536]")
    if not _is_safe_int(b) or b < 1 or b > 65_536:
        raise invalid_argument("computeCoherence: bins must be an integer in [1, 65536]")
    dim = _check_points(points, "computeCoherence")
    if dim == 0:
        raise invalid_argument("computeCoherence: at least one point is needed")
    dirs = coherence_directions(seed, dim, m)
    pts = [[float(c) for c in p] for p in points]
    n = len(pts)
    best_count = -1
    best = dirs[0]
    floor = math.floor
    for v in dirs:
        if dim == 2:
            v0, v1 = v
            proj = [(0.0 + p[0] * v0) + p[1] * v1 for p in pts]
        elif dim == 3:
            v0, v1, v2 = v
            proj = [((0.0 + p[0] * v0) + p[1] * v1) + p[2] * v2 for p in pts]
        else:
            proj = []
            for p in pts:
                acc = 0.0
                for k in range(dim):
                    acc += p[k] * v[k]
                proj.append(acc)
        lo = min(proj)
        hi = max(proj)
        span = hi - lo
        if not math.isfinite(span):
            raise invalid_argument("computeCoherence: the point cloud's extent overflows a double")
        if span == 0:
            top = n
        else:
            counts = [0] * b
            last = b - 1
            for x in proj:
                i = floor(((x - lo) / span) * b)
                counts[last if i >= b else i] += 1
            top = max(counts)
        if top > best_count:
            best_count = top
            best = v
    return best_count / n, list(best)


def compressibility(data: bytes) -> float:
    """r (§3): len(zlib.compress(raw, 6)) / len(raw); empty input → 1 (not rounded)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise invalid_argument("compressibility: bytes must be a bytes-like object")
    raw = bytes(data)
    if len(raw) == 0:
        return 1.0
    return len(zlib.compress(raw, 6)) / len(raw)


def regime_of(d_hat: float, coh_star: float) -> str:
    """§4: sticky if coh★ ≥ 0.70 and D̂ ≤ 1.5; else non_sticky if D̂ ≥ 2.6; else mixed."""
    if coh_star >= 0.7 and d_hat <= 1.5:
        return "sticky"
    if d_hat >= 2.6:
        return "non_sticky"
    return "mixed"


def compute_budget(r: float, d_hat: float, coh_star: float, w: BudgetWeights = DEFAULT_BUDGET_WEIGHTS) -> float:
    """§4: clamp[0,1](((base + α(1 − r)) + β·max(0, D̂ − D0)) + γ·coh★), rounded per §2.2."""
    for x in (r, d_hat, coh_star):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not math.isfinite(x):
            raise invalid_argument("computeBudget: inputs must be finite numbers")
    diff = d_hat - w.D0
    raw = w.base + w.alpha * (1 - r) + w.beta * (diff if diff > 0 else 0.0) + w.gamma * coh_star
    clamped = 0.0 if raw < 0 else 1.0 if raw > 1 else raw
    return round9(clamped)
