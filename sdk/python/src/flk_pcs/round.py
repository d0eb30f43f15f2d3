"""Contract §2.2: round to 9 fractional digits, ties to even, on the exact binary value of the
double; −0 becomes 0; integers (every |x| ≥ 2^52 included) are unchanged. Python's ``round(x, 9)``
is exactly that (correctly rounded, dtoa mode 3), which the contract names as the reference."""
from __future__ import annotations

import math
from typing import Union


def round9(x: Union[int, float]) -> float:
    """The double nearest to x rounded to 9 decimals (ties to even); NaN/±Infinity pass through."""
    f = float(x)
    if math.isnan(f) or math.isinf(f):
        return f
    if f.is_integer():
        return f + 0.0
    y = round(f, 9)
    return 0.0 if y == 0 else y
