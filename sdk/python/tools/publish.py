"""Builds PCS records from deterministic raw data (points + bytes) with flk_pcs.build_pcs, signs
them (HMAC: PCS_HMAC_KEY; Ed25519: PCS_ED25519_PRIV_B64), optionally builds tampered records
(coh_star changed after signing), publishes everything with PcsProducer (KAFKA_BROKERS,
SCHEMA_REGISTRY_URL, ...; topic from the config or PCS_SUBMITTED_TOPIC) and prints one JSON summary
line. Used by test/integration/sdk-cross-language.test.ts; the Go twin is sdk/go/cmd/flk-pcs-publish.

    .flk/venv/python/bin/python sdk/python/tools/publish.py '{"topic": "t", "seed": 1,
      "shard_prefix": "py", "records_out": "/tmp/recs.jsonl",
      "batches": [{"count": 100, "version": "0.2", "alg": "hmac", "tenant": "py", "key_id": "py-1", "tampered": 5}]}'

The config is the first argument, or stdin when there is none (or it is "-").
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import replace
from typing import Any

import flk_pcs as pcs
from flk_pcs.producer import PcsProducer, ProducerConfig

MASK = (1 << 64) - 1


class Rng:
    """splitmix64: deterministic raw data from (seed, record index)."""

    def __init__(self, s: int) -> None:
        self.s = s & MASK

    def next(self) -> int:
        self.s = (self.s + 0x9E3779B97F4A7C15) & MASK
        z = self.s
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def float(self) -> float:
        return (self.next() >> 11) / float(1 << 53)


def raw_data(seed: int, i: int) -> tuple[list[list[float]], list[bytes]]:
    """64 2-D points (uniform, a noisy line or a cluster, by index) and three chunks of bytes."""
    r = Rng(seed * 1_000_003 + i)
    pts: list[list[float]] = []
    for _ in range(64):
        if i % 3 == 0:
            pts.append([r.float(), r.float()])
        elif i % 3 == 1:
            t = r.float()
            pts.append([t, 0.5 * t + 0.05 * r.float()])
        else:
            pts.append([0.4 + 0.1 * r.float(), 0.4 + 0.1 * r.float()])
    chunks = [
        bytes(r.next() & 0xFF for _ in range(96)),
        bytes(ord("a") + k % 4 for k in range(96)),
        bytes((r.next() & 0xFF) if k % 2 == 0 else ord("x") for k in range(96)),
    ]
    return pts, chunks


def fail(code: int, msg: str) -> None:
    print(f"publish.py: {msg}", file=sys.stderr)
    sys.exit(code)


def main() -> None:
    raw = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] != "-" else sys.stdin.read()
    try:
        cfg: dict[str, Any] = json.loads(raw)
    except ValueError as e:
        fail(2, f"bad config: {e}")
    seed = int(cfg.get("seed", 0))
    prefix = cfg.get("shard_prefix") or "py"
    signers: dict[str, Any] = {}

    def signer(alg: str) -> Any:
        if alg not in signers:
            if alg == "hmac":
                signers[alg] = pcs.create_hmac_signer(os.environ.get("PCS_HMAC_KEY", ""))
            elif alg == "ed25519":
                signers[alg] = pcs.create_ed25519_signer(os.environ.get("PCS_ED25519_PRIV_B64", ""))
            else:
                fail(2, f"unknown alg '{alg}' (hmac | ed25519)")
        return signers[alg]

    recs: list[dict[str, Any]] = []
    tampered: list[dict[str, Any]] = []
    honest = 0
    n = 0
    for bi, b in enumerate(cfg.get("batches", [])):
        s = signer(b["alg"])
        count, bad = int(b["count"]), int(b.get("tampered", 0))
        for i in range(count + bad):
            pts, chunks = raw_data(seed, n)
            n += 1
            rec = dict(pcs.build_pcs(
                shard_id=f"{prefix}-{bi}-{i}", epoch=1 + i % 5, seed=seed + i, sent_at=pcs.now_iso(),
                points=pts, chunks=chunks, outbox_seq=i, version=b["version"],
                tenant_id=b.get("tenant"), key_id=b.get("key_id"), signer=s,
            ))
            if i >= count:  # tampered: a signed field changed after signing
                c = rec["coh_star"]
                rec["coh_star"] = pcs.round9(c + 0.001 if c < 0.99 else c - 0.001)
                tampered.append({"pcs_id": rec["pcs_id"], "tenant_id": rec.get("tenant_id")})
            else:
                honest += 1
            recs.append(rec)

    pcfg = ProducerConfig.from_env()
    if cfg.get("topic"):
        pcfg = replace(pcfg, topic=cfg["topic"], subject=f"{cfg['topic']}-value")
    pcfg = replace(pcfg, client_id="flk-pcs-publish-py", batch_size=max(pcfg.batch_size, len(recs)))
    with PcsProducer(pcfg) as producer:
        reports = producer.publish(recs)
    ids = {r.schema_id for r in reports if r.delivered}
    failed = [r for r in reports if not r.delivered]
    if cfg.get("records_out"):
        with open(cfg["records_out"], "w", encoding="utf-8") as f:
            for rec in recs:
                f.write(pcs.stringify(rec) + "\n")
    print(json.dumps({
        "lang": "py", "topic": pcfg.topic, "subject": pcfg.value_subject,
        "schema_id": next(iter(ids)) if len(ids) == 1 else None, "schema_ids": sorted(i for i in ids if i is not None),
        "published": len(reports) - len(failed), "honest": honest, "tampered": len(tampered), "failed": len(failed),
        "errors": [str(r.error) for r in failed][:10], "tampered_ids": tampered,
    }))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
