#!/usr/bin/env python3
"""Benchmarks of the Python SDK, one JSON line on stdout (for a side-by-side SDK benchmark):
  hmac_v02_sign_ops_s     canonical v0.2 payload + SHA-256 + HMAC sign of a built record
  ed25519_sign_ops_s      v0.2 payload + Ed25519 sign (cryptography)
  verify_v02_ops_s        decide() of a signed v0.2 record (structure, signature, freshness, signals)
  producer_records_s      (with --kafka) records/s published and acknowledged on the local broker
Usage: python3 sdk/python/tools/bench.py [--seconds 2] [--kafka] [--records 5000]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Callable

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src"))
import flk_pcs as pcs  # noqa: E402

ED_SEED = "nWGxne/9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A="  # RFC 8032 TEST 1 (public test key)


def rate(fn: Callable[[], object], seconds: float) -> float:
    n, t0 = 0, time.perf_counter()
    while True:
        for _ in range(50):
            fn()
        n += 50
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--kafka", action="store_true")
    ap.add_argument("--records", type=int, default=5000)
    a = ap.parse_args()
    rec = pcs.build_pcs(shard_id="bench-1", epoch=1, seed=42, sent_at="2025-01-01T00:00:00Z",
                        points=[[i / 97, (i * 7 % 13) / 13, (i % 5) / 5] for i in range(200)], chunks=[b"x" * 4096],
                        version="0.2", tenant_id="acme", key_id="acme-1")
    hmac = pcs.create_hmac_signer("bench-key")
    ed = pcs.create_ed25519_signer(ED_SEED)
    out: dict[str, float] = {
        "hmac_v02_sign_ops_s": rate(lambda: pcs.sign_pcs(rec, hmac), a.seconds),
        "ed25519_sign_ops_s": rate(lambda: pcs.sign_pcs(rec, ed), a.seconds),
    }
    signed = pcs.sign_pcs(rec, hmac)
    ring = pcs.create_tenant_key_ring([{"key_id": "acme-1", "tenant_id": "acme", "alg": "hmac", "secret": "bench-key"}])
    config = pcs.create_decide_config(tenants=ring)
    meta = pcs.DecideMeta("2025-01-01T00:00:01.000Z", None, now=pcs.parse_rfc3339("2025-01-01T00:00:01Z"))
    out["verify_v02_ops_s"] = rate(lambda: pcs.decide(signed, config, None, meta), a.seconds)
    if a.kafka:
        from flk_pcs.producer import PcsProducer, ProducerConfig

        recs = [pcs.sign_pcs({**rec, "epoch": 10_000 + i, "pcs_id": pcs.compute_pcs_id(rec["merkle_root"], 10_000 + i, rec["shard_id"]),
                              "sent_at": pcs.now_iso()}, hmac) for i in range(a.records)]
        with PcsProducer(ProducerConfig.from_env()) as p:
            p.publish(recs[:10])  # connect, registry lookup
            t0 = time.perf_counter()
            reports = p.publish(recs[10:])
            dt = time.perf_counter() - t0
        assert all(r.delivered for r in reports)
        out["producer_records_s"] = len(reports) / dt
    print(json.dumps({k: round(v, 1) for k, v in out.items()}))


if __name__ == "__main__":
    main()
