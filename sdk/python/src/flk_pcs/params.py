"""Decision parameters (§4, §5): tolerances and budget weights with the contract's defaults.
Names are the TS names (``tolD``, ``budget.D0`` ...), which are also those of the vector files."""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Optional

from .errors import PCS_ERROR_CODES, FlkPcsError


@dataclass(frozen=True)
class BudgetWeights:
    base: float = 0.1
    alpha: float = 0.3
    beta: float = 0.5
    gamma: float = 0.2
    D0: float = 2.2


@dataclass(frozen=True)
class DecisionParams:
    tolD: float = 0.15
    tolCoh: float = 0.05
    tolR: float = 0.05
    tolBudget: float = 0.05
    budget: BudgetWeights = field(default_factory=BudgetWeights)


DEFAULT_BUDGET_WEIGHTS = BudgetWeights()
DEFAULT_PARAMS = DecisionParams()
_TOLERANCES = ("tolD", "tolCoh", "tolR", "tolBudget")
_WEIGHTS = ("base", "alpha", "beta", "gamma", "D0")


def _bad(message: str) -> FlkPcsError:
    return FlkPcsError(PCS_ERROR_CODES.INVALID_PARAMS, message)


def _finite_number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def create_decision_params(partial: Optional[Mapping[str, Any]] = None) -> DecisionParams:
    """Defaults overridden by ``partial`` (``{"tolD": 0.5, "budget": {"base": 0.2}}``), validated:
    tolerances finite and ≥ 0, weights finite, unknown keys refused (FlkPcsError PCS_INVALID_PARAMS)."""
    if partial is None:
        partial = {}
    if not isinstance(partial, Mapping):
        raise _bad("decision params must be an object")
    for key in partial:
        if key not in _TOLERANCES and key != "budget":
            raise _bad(f"unknown decision parameter '{key}'")
    out = DEFAULT_PARAMS
    for key in _TOLERANCES:
        if key not in partial:
            continue
        v = partial[key]
        if not _finite_number(v) or v < 0:
            raise _bad(f"{key} must be a finite number ≥ 0")
        out = replace(out, **{key: float(v)})  # type: ignore[arg-type]
    budget = partial.get("budget")
    if budget is not None:
        if not isinstance(budget, Mapping):
            raise _bad("budget must be an object")
        for key in budget:
            if key not in _WEIGHTS:
                raise _bad(f"unknown budget weight '{key}'")
        weights = BudgetWeights()
        for key in _WEIGHTS:
            if key not in budget:
                continue
            v = budget[key]
            if not _finite_number(v):
                raise _bad(f"budget.{key} must be a finite number")
            weights = replace(weights, **{key: float(v)})
        out = replace(out, budget=weights)
    return out
