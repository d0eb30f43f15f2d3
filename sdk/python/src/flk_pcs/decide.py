"""Contract §5 and §7.5: the verifier's decision, a pure function of the record, the configuration
(params, keys, versions, freshness window), ``now`` and the prior verdict for the same dedup key
(port of libs/pcs/src/decide.ts). Stages, in this order:

    check_record    structure → version accepted → signature → freshness (a final ``rejected``
                    verdict, or the checked record with its dedup key)
    decide_signals  §5 signal checks: ``accepted`` / ``escalated``
    with_prior      the stored verdict when the dedup key was already taken

``decide`` composes them for callers without a dedup store in between.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from .canonical import PCS_VERSION_V02, PCS_VERSIONS, canonical_payload, sha256_utf8
from .errors import invalid_argument
from .jsontext import stringify
from .keyring import TenantKeyRing
from .params import DEFAULT_PARAMS, DecisionParams
from .round import round9
from .sign import KeyRing
from .signals import compute_budget, compute_d_hat, regime_of
from .timeparse import Instant, instant_from_ms, parse_sent_at, seconds_to_ns
from .validate import Pcs, ValidationResult, parse_pcs_json, validate_pcs

ESCALATION_REASONS = (
    "d_hat_mismatch",
    "coh_star_out_of_range",
    "r_out_of_range",
    "regime_mismatch",
    "budget_mismatch",
    "degraded",
)
REASON_OK = "ok"
REASON_SIGNATURE = "signature"


class REJECTION_REASONS:  # noqa: N801 - the TS name
    SIGNATURE = "signature"
    UNKNOWN_KEY = "signature:unknown_key"
    TENANT_MISMATCH = "signature:tenant_mismatch"
    KEY_WINDOW = "signature:key_window"
    STALE = "stale"
    CLOCK_SKEW = "clock_skew"
    VERSION_NOT_ACCEPTED = "version_not_accepted"


DEFAULT_DEDUP_TTL_SECONDS = 1_209_600
DEFAULT_MAX_AGE_SECONDS = 1_036_800
DEFAULT_MAX_SKEW_SECONDS = 300

#: A verdict: a dict with exactly VERDICT_MEMBERS, in this order (the JSON every SDK prints).
Verdict = dict[str, Any]
VERDICT_MEMBERS = (
    "pcs_id", "status", "accepted", "escalated", "recomputed_D_hat", "recomputed_budget", "reason", "reasons",
    "duplicate", "decided_at", "source", "tenant_id", "sent_at", "version", "key_id", "signature_checked",
)


@dataclass(frozen=True)
class DecideConfig:
    """Everything decide() needs besides the record (``createDecideConfig``)."""

    params: DecisionParams = DEFAULT_PARAMS
    #: False = PCS_SIGN_ALG=none: no signature is checked, for either version.
    signatures: bool = False
    #: The v0.1 ring (any key accepted); None = none configured (v0.1 signatures then fail).
    v01: Optional[KeyRing] = None
    #: The v0.2 tenant ring; None = none configured (every v0.2 record is signature:unknown_key).
    tenants: Optional[TenantKeyRing] = None
    accept_versions: frozenset[str] = field(default_factory=lambda: frozenset(PCS_VERSIONS))
    max_age_ns: int = DEFAULT_MAX_AGE_SECONDS * 1_000_000_000
    max_skew_ns: int = DEFAULT_MAX_SKEW_SECONDS * 1_000_000_000
    sha256: Callable[[str], bytes] = sha256_utf8


def create_decide_config(
    *,
    params: Optional[DecisionParams] = None,
    signatures: Optional[bool] = None,
    v01: Optional[KeyRing] = None,
    tenants: Optional[TenantKeyRing] = None,
    accept_versions: Optional[Sequence[str]] = None,
    max_age_seconds: int = DEFAULT_MAX_AGE_SECONDS,
    max_skew_seconds: int = DEFAULT_MAX_SKEW_SECONDS,
) -> DecideConfig:
    """A DecideConfig with the contract's defaults. ``signatures`` defaults to True when a ring
    with keys is given."""
    sig_on = signatures if signatures is not None else ((v01 is not None and v01.alg != "none") or tenants is not None)
    accept = list(accept_versions) if accept_versions is not None else list(PCS_VERSIONS)
    if not accept or any(v not in PCS_VERSIONS for v in accept):
        raise invalid_argument(f"acceptVersions must be a non-empty list of {', '.join(PCS_VERSIONS)}")
    for name, v in (("maxAgeSeconds", max_age_seconds), ("maxSkewSeconds", max_skew_seconds)):
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or v > 2**53 - 1:
            raise invalid_argument(f"{name} must be a non-negative integer")
    return DecideConfig(
        params=params if params is not None else DEFAULT_PARAMS,
        signatures=sig_on,
        v01=v01,
        tenants=tenants,
        accept_versions=frozenset(accept),
        max_age_ns=seconds_to_ns(max_age_seconds),
        max_skew_ns=seconds_to_ns(max_skew_seconds),
    )


@dataclass(frozen=True)
class DecideMeta:
    """``decided_at``: ISO-8601 decision time (the caller's clock); ``source``: ``{topic,
    partition, offset}`` or None; ``now``: §7.4 freshness instant (int ns, or use now_ms)."""

    decided_at: str
    source: Optional[Mapping[str, Any]] = None
    now: Optional[Instant] = None
    now_ms: Optional[Union[int, float]] = None

    def now_ns(self) -> Optional[Instant]:
        if self.now is not None:
            return self.now
        if self.now_ms is not None:
            return instant_from_ms(self.now_ms)
        return None


@dataclass(frozen=True)
class CheckedRecord:
    pcs: Pcs
    #: §7.5: ``tenant_id/pcs_id`` for v0.2, ``pcs_id`` for v0.1.
    dedup_key: str
    signature_checked: bool


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    record: Optional[CheckedRecord] = None
    verdict: Optional[Verdict] = None


def dedup_key_of(pcs: Mapping[str, Any]) -> str:
    return f"{pcs['tenant_id']}/{pcs['pcs_id']}" if pcs.get("version") == PCS_VERSION_V02 else str(pcs["pcs_id"])


def _read_input(value: object) -> ValidationResult:
    if isinstance(value, str):
        return parse_pcs_json(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        try:
            text = bytes(value).decode("utf-8")  # strict; a BOM is kept (and rejected as json)
        except UnicodeDecodeError:
            return ValidationResult(False, reasons=["malformed:utf8"])
        return parse_pcs_json(text)
    return validate_pcs(value)


def check_record(value: object, config: DecideConfig, meta: DecideMeta) -> CheckResult:
    """Structure → version → signature → freshness. ``value`` is a decoded record (dict), JSON
    text (str) or UTF-8 bytes. Never raises on bad data; raises FlkPcsError on programmer errors
    (a v0.2 record without ``meta.now``)."""
    read = _read_input(value)
    if not read.ok or read.pcs is None:
        return CheckResult(False, verdict=make_verdict(read.pcs_id, "rejected", read.reasons, None, None, meta, None, False))
    pcs = read.pcs

    def reject(reason: str, checked: bool) -> CheckResult:
        return CheckResult(False, verdict=make_verdict(pcs["pcs_id"], "rejected", [reason], None, None, meta, pcs, checked))

    if pcs["version"] not in config.accept_versions:
        return reject(REJECTION_REASONS.VERSION_NOT_ACCEPTED, False)
    v02 = pcs["version"] == PCS_VERSION_V02
    checked = False
    if config.signatures:
        if v02:
            failure = _tenant_signature_failure(pcs, config)
            if failure is not None:
                return reject(failure, True)
            checked = True
        elif config.v01 is None:
            return reject(REJECTION_REASONS.SIGNATURE, True)
        elif config.v01.alg != "none":
            if not config.v01.verify(config.sha256(canonical_payload(pcs)), pcs.get("sig")):
                return reject(REJECTION_REASONS.SIGNATURE, True)
            checked = True
    if v02:
        now = meta.now_ns()
        if now is None:
            raise invalid_argument("checkRecord: meta.now is required for a v0.2 record (§7.4)")
        sent = parse_sent_at(pcs["sent_at"])
        assert sent is not None  # validated
        if now - sent > config.max_age_ns:
            return reject(REJECTION_REASONS.STALE, checked)
        if sent - now > config.max_skew_ns:
            return reject(REJECTION_REASONS.CLOCK_SKEW, checked)
    return CheckResult(True, record=CheckedRecord(pcs, dedup_key_of(pcs), checked))


def _tenant_signature_failure(pcs: Pcs, config: DecideConfig) -> Optional[str]:
    key_id = pcs.get("key_id")
    key = None if key_id is None or config.tenants is None else config.tenants.get(key_id)
    if key is None:
        return REJECTION_REASONS.UNKNOWN_KEY
    if key.tenant_id != pcs.get("tenant_id"):
        return REJECTION_REASONS.TENANT_MISMATCH
    if key.not_before is not None or key.not_after is not None:
        sent = parse_sent_at(pcs["sent_at"])
        assert sent is not None
        if (key.not_before is not None and sent < key.not_before) or (key.not_after is not None and sent > key.not_after):
            return REJECTION_REASONS.KEY_WINDOW
    return None if key.verify(config.sha256(canonical_payload(pcs)), pcs.get("sig")) else REJECTION_REASONS.SIGNATURE


def signal_reasons(pcs: Mapping[str, Any], params: DecisionParams) -> tuple[list[str], float, float]:
    """§3/§5 on the rounded values: (reasons, recomputed D̂, recomputed budget)."""
    d_rep = round9(pcs["D_hat"])
    coh = round9(pcs["coh_star"])
    r = round9(pcs["r"])
    budget_rep = round9(pcs["budget"])
    d_rec = compute_d_hat(pcs["scales"], pcs["N_j"])
    budget_rec = compute_budget(r, d_rec, coh, params.budget)
    reasons: list[str] = []
    if round9(abs(d_rep - d_rec)) > params.tolD:
        reasons.append("d_hat_mismatch")
    if coh < 0 or coh > round9(1 + params.tolCoh):
        reasons.append("coh_star_out_of_range")
    if r < 0 or r > round9(1 + params.tolR):
        reasons.append("r_out_of_range")
    if pcs["regime"] != regime_of(d_rec, coh):
        reasons.append("regime_mismatch")
    if round9(abs(budget_rep - budget_rec)) > params.tolBudget:
        reasons.append("budget_mismatch")
    if pcs["ft"]["degraded"]:
        reasons.append("degraded")
    return reasons, d_rec, budget_rec


def decide_signals(record: CheckedRecord, config: DecideConfig, meta: DecideMeta) -> Verdict:
    reasons, d_rec, b_rec = signal_reasons(record.pcs, config.params)
    status = "escalated" if reasons else "accepted"
    return make_verdict(record.pcs["pcs_id"], status, reasons, d_rec, b_rec, meta, record.pcs, record.signature_checked)


def _same_source(a: Optional[Mapping[str, Any]], b: Optional[Mapping[str, Any]]) -> bool:
    if a is None or b is None:
        return a is b or (a is None and b is None)
    return a.get("topic") == b.get("topic") and a.get("partition") == b.get("partition") and a.get("offset") == b.get("offset")


def with_prior(prior: Verdict, meta: DecideMeta) -> Verdict:
    """The stored verdict, unchanged when it came from this very source, else flagged duplicate
    with this delivery's source (its decided_at stays the original's)."""
    source = dict(meta.source) if meta.source is not None else None
    if _same_source(prior.get("source"), source):
        return prior
    out = dict(prior)
    out["duplicate"] = True
    out["source"] = source
    return out


def decide(value: object, config: DecideConfig, prior: Optional[Verdict], meta: DecideMeta) -> Verdict:
    """All stages in order (structure → version → signature → freshness → dedup → signals)."""
    checked = check_record(value, config, meta)
    if not checked.ok or checked.record is None:
        assert checked.verdict is not None
        return checked.verdict
    if prior is not None:
        pcs = checked.record.pcs
        if prior.get("pcs_id") != pcs["pcs_id"] or (pcs["version"] == PCS_VERSION_V02 and prior.get("tenant_id") != pcs.get("tenant_id")):
            raise invalid_argument(f"decide: prior verdict is for {prior.get('pcs_id')}, not {pcs['pcs_id']}")
        return with_prior(prior, meta)
    return decide_signals(checked.record, config, meta)


def verified_tenant(v: Mapping[str, Any]) -> Optional[str]:
    """The tenant a verdict may be attributed to: a v0.2 record whose signature was verified."""
    if v.get("version") != PCS_VERSION_V02 or not v.get("signature_checked") or str(v.get("reason", "")).startswith("signature"):
        return None
    t = v.get("tenant_id")
    return t if isinstance(t, str) else None


def make_verdict(
    pcs_id: str,
    status: str,
    reasons: list[str],
    d_rec: Optional[float],
    budget_rec: Optional[float],
    meta: DecideMeta,
    pcs: Optional[Mapping[str, Any]],
    signature_checked: bool,
) -> Verdict:
    return {
        "pcs_id": pcs_id,
        "status": status,
        "accepted": status == "accepted",
        "escalated": status == "escalated",
        "recomputed_D_hat": d_rec,
        "recomputed_budget": budget_rec,
        "reason": reasons[0] if reasons else REASON_OK,
        "reasons": list(reasons),
        "duplicate": False,
        "decided_at": meta.decided_at,
        "source": dict(meta.source) if meta.source is not None else None,
        "tenant_id": pcs.get("tenant_id") if pcs is not None else None,
        "sent_at": pcs.get("sent_at") if pcs is not None else None,
        "version": pcs.get("version") if pcs is not None else None,
        "key_id": pcs.get("key_id") if pcs is not None else None,
        "signature_checked": signature_checked,
    }


def verdict_json(v: Mapping[str, Any]) -> str:
    """The verdict as compact JSON, byte-identical to JSON.stringify of the TS verdict."""
    return stringify(v)
