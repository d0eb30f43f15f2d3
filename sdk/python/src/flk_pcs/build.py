"""What an agent does (§1, §3, §4): from points and data chunks to a complete, signed record
(port of libs/pcs/src/build.ts ``buildPcs``)."""
from __future__ import annotations

from typing import Optional, Sequence

from .canonical import PCS_SCHEMA, PCS_VERSION, PCS_VERSION_V02, PCS_VERSIONS, compute_pcs_id, is_safe_integer
from .errors import PCS_ERROR_CODES, FlkPcsError, invalid_argument
from .merkle import merkle_root
from .params import DEFAULT_PARAMS, DecisionParams
from .round import round9
from .sign import Signer, sign_pcs
from .signals import Points, compressibility, compute_budget, compute_coherence, compute_d_hat, count_boxes, regime_of
from .validate import Pcs, validate_pcs

DEFAULT_SCALES: tuple[int, ...] = (2, 4, 8, 16, 32)


def build_pcs(
    *,
    shard_id: str,
    epoch: int,
    seed: int,
    sent_at: str,
    points: Points,
    chunks: Sequence[bytes],
    attempt: int = 1,
    scales: Optional[Sequence[int]] = None,
    outbox_seq: int = 0,
    degraded: bool = False,
    fallbacks: Optional[Sequence[str]] = None,
    clock_skew_ms: float = 0,
    tenant_id: Optional[str] = None,
    key_id: Optional[str] = None,
    version: str = PCS_VERSION,
    signer: Optional[Signer] = None,
    params: DecisionParams = DEFAULT_PARAMS,
) -> Pcs:
    """Builds a record. Signals are stored rounded per §2.2 and regime/budget derived from the
    rounded values, exactly as the verifier recomputes them. Signed when ``signer`` is given.
    Raises FlkPcsError (PCS_INVALID_ARGUMENT) on unusable input, including anything that would make
    the record fail validation (the result is validated; the message names the field)."""
    sc = list(scales if scales is not None else DEFAULT_SCALES)
    if not isinstance(points, (list, tuple)) or len(points) == 0:
        raise invalid_argument("buildPcs: at least one point is needed")
    if not isinstance(chunks, (list, tuple)) or not all(isinstance(c, (bytes, bytearray, memoryview)) for c in chunks):
        raise invalid_argument("buildPcs: chunks must be Uint8Arrays")
    if not is_safe_integer(epoch):
        raise invalid_argument("buildPcs: epoch must be an integer within ±(2^53 − 1)")
    if version not in PCS_VERSIONS:
        raise invalid_argument(f"buildPcs: unknown version '{version}'")
    if version == PCS_VERSION_V02 and tenant_id is None:
        raise invalid_argument("buildPcs: a v0.2 record needs a tenant_id")

    n_j = count_boxes(points, sc)
    d_hat = compute_d_hat(sc, n_j)
    coh_raw, v_star = compute_coherence(points, seed)
    coh_star = round9(coh_raw)
    data = [bytes(c) for c in chunks]
    r = round9(compressibility(b"".join(data)))
    root = merkle_root(data)
    regime = regime_of(d_hat, coh_star)
    budget = compute_budget(r, d_hat, coh_star, params.budget)

    rec: Pcs = {
        "pcs_id": compute_pcs_id(root, epoch, shard_id),
        "schema": PCS_SCHEMA,
        "version": version,
        "shard_id": shard_id,
        "epoch": int(epoch),
        "attempt": attempt,
        "sent_at": sent_at,
        "seed": seed,
        "scales": sc,
        "N_j": n_j,
        "coh_star": coh_star,
        "v_star": v_star,
        "D_hat": d_hat,
        "r": r,
        "regime": regime,
        "budget": budget,
        "merkle_root": root,
        "ft": {
            "outbox_seq": outbox_seq,
            "degraded": degraded,
            "fallbacks": list(fallbacks or []),
            "clock_skew_ms": clock_skew_ms,
        },
    }
    if tenant_id is not None:
        rec["tenant_id"] = tenant_id
    if key_id is not None:
        rec["key_id"] = key_id
    out = sign_pcs(rec, signer) if signer is not None else rec
    # Never emit what a verifier would reject as malformed (e.g. an over-long shard_id).
    check = validate_pcs(out)
    if not check.ok:
        raise FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, f"buildPcs: the record would be malformed ({', '.join(check.reasons)})")
    return out
