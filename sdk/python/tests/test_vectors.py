"""Every file of test/vectors/ (the language-neutral golden vectors), field by field."""
from __future__ import annotations

import base64
import json
import math
import struct
from pathlib import Path
from typing import Any, Callable

import pytest

from conftest import VECTORS
import flk_pcs as pcs
from flk_pcs.jsontext import js_parse


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def bits(x: float) -> str:
    return struct.pack(">d", x).hex()


def from_bits(h: str) -> float:
    return float(struct.unpack(">d", bytes.fromhex(h))[0])


# Every file of the directory must be known here, so a new vector file cannot go unnoticed.
KNOWN_FILES = {
    "README.md", "gen_vectors.py", "round9.json", "canonical.json", "signatures.json", "signals.json",
    "build.json", "verdicts.json", "contract-v02-public.json", "v02.json",
}


def test_every_vector_file_is_handled() -> None:
    present = {p.name for p in VECTORS.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert present - KNOWN_FILES == set(), f"vector files without a test: {sorted(present - KNOWN_FILES)}"
    for name in present:
        if name.endswith(".json"):
            load(name)  # every JSON file parses


def test_v02_vectors_exist() -> None:
    assert (VECTORS / "v02.json").is_file(), "test/vectors/v02.json is missing"


# ------------------------------------------------------------------ round9.json


def test_round9() -> None:
    d = load("round9.json")
    assert len(d["cases"]) == d["count"]
    bad = [(i, o) for i, o in d["cases"] if bits(pcs.round9(from_bits(i))) != o]
    assert bad == []


# ------------------------------------------------------------------ canonical.json

CANONICAL = load("canonical.json")
KEYS: dict[str, str] = CANONICAL["keys"]


@pytest.mark.parametrize("case", CANONICAL["cases"], ids=lambda c: c["name"])
def test_canonical(case: dict[str, Any]) -> None:
    fields = dict(case["fields"])
    for k, h in case.get("field_bits", {}).items():
        assert bits(float(fields[k])) == h
        fields[k] = from_bits(h)
    assert pcs.canonical_payload(fields) == case["payload"]
    assert pcs.signing_digest(fields).hex() == case["digest_hex"]
    assert pcs.compute_pcs_id(fields["merkle_root"], fields["epoch"], fields["shard_id"]) == case["pcs_id"]
    assert pcs.sign_pcs(fields, pcs.create_hmac_signer(KEYS["hmac_key"]))["sig"] == case["hmac_sig"]
    assert pcs.sign_pcs(fields, pcs.create_ed25519_signer(KEYS["ed25519_priv_b64"]))["sig"] == case["ed25519_sig"]
    # The same fields read from JSON text by the strict reader give the same payload.
    read = pcs.read_json(json.dumps(case["fields"], ensure_ascii=False), 32)
    assert read.ok and pcs.canonical_payload(read.value) == case["payload"]


# ------------------------------------------------------------------ signatures.json

SIGS = load("signatures.json")


def _ring(alg: str, keys: dict[str, str]) -> pcs.KeyRing:
    if alg == "hmac":
        return pcs.create_key_ring("hmac", hmac_keys=[keys["hmac_key"], keys["hmac_key_2"]])
    if alg == "ed25519":
        return pcs.create_key_ring("ed25519", ed25519_public_keys_b64=[keys["ed25519_pub_b64"], keys["ed25519_pub_2_b64"]])
    return pcs.create_key_ring("none")


@pytest.mark.parametrize("case", SIGS["cases"], ids=lambda c: c["name"])
def test_signature(case: dict[str, Any]) -> None:
    ring = _ring(case["alg"], SIGS["keys"])
    assert ring.verify(bytes.fromhex(SIGS["digest_hex"]), case["sig"]) is case["valid"]


@pytest.mark.parametrize("case", SIGS["bad_ed25519_public_keys"], ids=lambda c: c["name"])
def test_bad_ed25519_public_key(case: dict[str, Any]) -> None:
    with pytest.raises(pcs.FlkPcsError) as e:
        pcs.create_key_ring("ed25519", ed25519_public_keys_b64=[case["pub_b64"]])
    assert e.value.code == "PCS_INVALID_KEY" and e.value.retriable is False
    assert case["pub_b64"] not in str(e.value) or len(case["pub_b64"]) < 8


def test_public_keys_of_the_test_seeds() -> None:
    for a, b in (("ed25519_priv_b64", "ed25519_pub_b64"), ("ed25519_priv_2_b64", "ed25519_pub_2_b64")):
        assert pcs.ed25519_public_key_of(SIGS["keys"][a]) == SIGS["keys"][b]


# ------------------------------------------------------------------ signals.json

SIGNALS = load("signals.json")


@pytest.mark.parametrize("case", SIGNALS["d_hat"], ids=lambda c: c["name"])
def test_d_hat(case: dict[str, Any]) -> None:
    assert bits(pcs.compute_d_hat(case["scales"], case["N_j"])) == bits(case["D_hat"])


def test_budget_and_regime() -> None:
    for c in SIGNALS["budget"]:
        assert bits(pcs.compute_budget(c["r"], c["D_hat"], c["coh_star"])) == bits(c["budget"]), c
    for c in SIGNALS["regime"]:
        assert pcs.regime_of(c["D_hat"], c["coh_star"]) == c["regime"], c


@pytest.mark.parametrize("case", SIGNALS["compressibility"], ids=lambda c: c["name"])
def test_compressibility(case: dict[str, Any]) -> None:
    data = base64.b64decode(case["data_b64"])
    assert bits(pcs.compressibility(data)) == bits(case["r"])
    if case["compressed_len"] is not None:
        import zlib

        assert len(zlib.compress(data, 6)) == case["compressed_len"]


def test_merkle() -> None:
    for c in SIGNALS["merkle"]:
        assert pcs.merkle_root([base64.b64decode(x) for x in c["chunks_b64"]]) == c["root"], c


def test_splitmix64() -> None:
    for c in SIGNALS["splitmix64"]:
        g = pcs.SplitMix64(c["seed"])
        assert [str(g.next_uint64()) for _ in c["outputs"]] == c["outputs"]


def test_coherence_directions() -> None:
    for c in SIGNALS["coherence_directions"]:
        dirs = pcs.coherence_directions(c["seed"], c["dim"], c["count"])
        assert [[bits(x) for x in d] for d in dirs] == c["directions_bits"], c["seed"]


@pytest.mark.parametrize("case", SIGNALS["coherence"], ids=lambda c: c["name"])
def test_coherence(case: dict[str, Any]) -> None:
    coh, v = pcs.compute_coherence(case["points"], case["seed"], case["directions"], case["bins"])
    assert bits(coh) == bits(case["coh_star"])
    assert [bits(x) for x in v] == case["v_star_bits"]
    assert v == case["v_star"]


@pytest.mark.parametrize("case", SIGNALS["count_boxes"], ids=lambda c: c["name"])
def test_count_boxes(case: dict[str, Any]) -> None:
    assert pcs.count_boxes(case["points"], case["scales"]) == case["N_j"]


# ------------------------------------------------------------------ build.json

BUILD = load("build.json")


def _signer(name: Any, keys: dict[str, str]) -> Any:
    if name is None:
        return None
    return pcs.create_hmac_signer(keys["hmac_key"]) if name == "hmac" else pcs.create_ed25519_signer(keys["ed25519_priv_b64"])


@pytest.mark.parametrize("case", BUILD["cases"], ids=lambda c: c["name"])
def test_build(case: dict[str, Any]) -> None:
    inp = dict(case["input"])
    chunks = [base64.b64decode(c) for c in inp.pop("chunks_b64")]
    rec = pcs.build_pcs(chunks=chunks, signer=_signer(case["signer"], BUILD["keys"]), **inp)
    assert pcs.stringify(rec) == pcs.stringify(case["expected"])
    assert rec == case["expected"]
    assert [bits(x) for x in rec["v_star"]] == case["expected_v_star_bits"]
    # An honest record is accepted by the verifier.
    ring = _ring(case["signer"] or "none", BUILD["keys"])
    config = pcs.create_decide_config(v01=ring, signatures=ring.alg != "none")
    verdict = pcs.decide(rec, config, None, pcs.DecideMeta("2025-01-01T00:00:00.000Z", now=pcs.parse_rfc3339(rec["sent_at"])))
    honest = [r for r in verdict["reasons"] if r in ("d_hat_mismatch", "regime_mismatch", "budget_mismatch")]
    assert verdict["status"] != "rejected" and honest == [], verdict


# ------------------------------------------------------------------ verdicts.json

VERDICTS = load("verdicts.json")
V_KEYS = VERDICTS["keys"]


def _meta(m: dict[str, Any], now: Any = None) -> pcs.DecideMeta:
    return pcs.DecideMeta(m["decidedAt"], m["source"], now=now)


def _check_verdict(got: dict[str, Any], expected: dict[str, Any]) -> None:
    if tuple(expected.keys()) == pcs.VERDICT_MEMBERS:
        assert tuple(got.keys()) == pcs.VERDICT_MEMBERS
        assert got == expected
        assert pcs.verdict_json(got) == pcs.stringify(expected)
    else:  # an older file without the v0.2 members: every member it has
        assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize("case", VERDICTS["cases"], ids=lambda c: c["name"])
def test_verdict(case: dict[str, Any]) -> None:
    params = pcs.create_decision_params(case["params"] or {})
    ring = _ring(case["keyring"], V_KEYS)
    config = pcs.create_decide_config(params=params, v01=ring, signatures=ring.alg != "none")
    inp = case["input_json"] if "input_json" in case else case["input"]
    _check_verdict(pcs.decide(inp, config, case["prior"], _meta(case["meta"])), case["expected"])
    text = case["input_json"] if "input_json" in case else json.dumps(case["input"], ensure_ascii=False)
    _check_verdict(pcs.decide(text.encode("utf-8"), config, case["prior"], _meta(case["meta"])), case["expected"])


# ------------------------------------------------------------------ contract-v02-public.json

PUB = load("contract-v02-public.json")


def test_v02_public_vector() -> None:
    assert pcs.canonical_payload(PUB["record"]) == PUB["payload"]
    assert pcs.signing_digest(PUB["record"]).hex() == PUB["digest_hex"]
    assert pcs.sign_pcs(PUB["record"], pcs.create_hmac_signer(PUB["hmac_key"]))["sig"] == PUB["sig_hmac"]
    assert pcs.canonical_payload(PUB["signed"]) == PUB["payload"]
    ring = pcs.create_tenant_key_ring([{"key_id": "acme-2026-11", "tenant_id": "acme", "alg": "hmac", "secret": PUB["hmac_key"]}])
    config = pcs.create_decide_config(tenants=ring)

    def at(now: str) -> pcs.DecideMeta:
        return pcs.DecideMeta("2026-12-02T00:00:00.000Z", None, now=pcs.parse_rfc3339(now))

    v = pcs.decide(PUB["signed"], config, None, at("2025-01-01T00:00:05Z"))
    assert v["status"] == "accepted" and v["signature_checked"] is True and v["tenant_id"] == "acme"
    assert v["recomputed_D_hat"] == PUB["recomputed_D_hat"] and v["recomputed_budget"] == PUB["recomputed_budget"]
    checked = pcs.check_record(PUB["signed"], config, at("2025-01-01T00:00:05Z"))
    assert checked.record is not None and checked.record.dedup_key == PUB["dedup_key"]
    assert pcs.decide(PUB["signed"], config, None, at("2025-01-13T00:00:00Z"))["status"] == "accepted"
    assert pcs.decide(PUB["signed"], config, None, at("2025-01-13T00:00:00.000000001Z"))["reason"] == "stale"
    assert pcs.verified_tenant(v) == "acme"


# ------------------------------------------------------------------ v02.json (required)

V02_PATH = VECTORS / "v02.json"
V02: dict[str, Any] = load("v02.json") if V02_PATH.is_file() else {"canonical": [], "verdicts": [], "bad_rings": [], "keys": {}, "rings": {}}


@pytest.mark.parametrize("case", V02["canonical"], ids=lambda c: c["name"])
def test_v02_canonical(case: dict[str, Any]) -> None:
    keys = V02["keys"]
    assert pcs.canonical_payload(case["record"]) == case["payload"]
    assert pcs.signing_digest(case["record"]).hex() == case["digest_hex"]
    assert pcs.sign_pcs(case["record"], pcs.create_hmac_signer(keys["hmac_key"]))["sig"] == case["hmac_sig"]
    assert pcs.sign_pcs(case["record"], pcs.create_ed25519_signer(keys["ed25519_priv_b64"]))["sig"] == case["ed25519_sig"]


@pytest.mark.parametrize("case", V02["verdicts"], ids=lambda c: c["name"])
def test_v02_verdict(case: dict[str, Any]) -> None:
    keys = V02["keys"]
    config = pcs.create_decide_config(
        params=pcs.create_decision_params(case["params"] or {}),
        signatures=case["signatures"],
        v01=None if case["v01_ring"] is None else _ring(case["v01_ring"], keys),
        tenants=None if case["ring"] is None else pcs.parse_key_ring(json.dumps(V02["rings"][case["ring"]])),
        accept_versions=case["accept_versions"],
        max_age_seconds=case["max_age_seconds"],
        max_skew_seconds=case["max_skew_seconds"],
    )
    now = pcs.parse_rfc3339(case["now"])
    inp = case["input_json"] if "input_json" in case else case["input"]
    _check_verdict(pcs.decide(inp, config, case["prior"], _meta(case["meta"], now)), case["expected"])
    text = case["input_json"] if "input_json" in case else json.dumps(case["input"], ensure_ascii=False)
    _check_verdict(pcs.decide(text.encode("utf-8"), config, case["prior"], _meta(case["meta"], now)), case["expected"])


class _Sources:
    def __init__(self, env: dict[str, str]) -> None:
        self._env = env

    def env(self, name: str) -> Any:
        return self._env.get(name)

    def read_file(self, path: str) -> str:
        raise FileNotFoundError(2, "No such file or directory", path)


@pytest.mark.parametrize("case", V02["bad_rings"], ids=lambda c: c["name"])
def test_v02_bad_ring(case: dict[str, Any]) -> None:
    with pytest.raises(pcs.FlkPcsError) as e:
        pcs.parse_key_ring(case["ring_json"], _Sources(case["env"]))
    assert e.value.code == "PCS_INVALID_KEYRING"
    msg, problem = str(e.value), case["problem"]
    if problem.startswith("keys["):  # "keys[N] WORD": the locator, then WORD after it
        locator, word = problem.split(" ", 1)
        assert locator in msg and word in msg[msg.index(locator) + len(locator):], (problem, msg)
    else:
        assert problem in msg, (problem, msg)
