"""Record files for the CLI comparison: every record input of the golden vectors plus hand-made
edge cases (encodings, key order, numbers, unknown members, v0.2 structure)."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from conftest import FIXTURES, VECTORS


def _load(name: str) -> Any:
    p = VECTORS / name
    return json.loads(p.read_text(encoding="utf-8")) if p.is_file() else None


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def texts() -> list[tuple[str, bytes]]:
    out: list[tuple[str, bytes]] = []
    verdicts = _load("verdicts.json")
    for c in verdicts["cases"]:
        t = c["input_json"] if "input_json" in c else _dumps(c["input"])
        out.append((f"verdicts:{c['name']}", t.encode("utf-8")))
    for c in _load("canonical.json")["cases"]:
        out.append((f"canonical:{c['name']}", _dumps(c["fields"]).encode("utf-8")))
    for c in _load("build.json")["cases"]:
        out.append((f"build:{c['name']}", _dumps(c["expected"]).encode("utf-8")))
    pub = _load("contract-v02-public.json")
    out.append(("v02-public:record", _dumps(pub["record"]).encode()))
    out.append(("v02-public:signed", _dumps(pub["signed"]).encode()))
    out.append(("v02-public:pretty", json.dumps(pub["signed"], indent=2).encode()))
    v02 = _load("v02.json")
    if v02 is not None:
        for c in v02.get("canonical", []):
            out.append((f"v02-canonical:{c['name']}", _dumps(c["record"]).encode("utf-8")))
        for c in v02.get("verdicts", []):
            t = c["input_json"] if "input_json" in c else _dumps(c["input"])
            out.append((f"v02-verdicts:{c['name']}", t.encode("utf-8")))
    for f in sorted(FIXTURES.iterdir()):
        if f.suffix == ".json":
            out.append((f"fixture:{f.name}", f.read_bytes()))

    base = json.loads(_dumps(verdicts["cases"][0]["input"]))  # an accepted, signed v0.1 record
    rec02 = json.loads(_dumps(pub["signed"]))

    def add(name: str, value: Any) -> None:
        out.append((f"edge:{name}", (value if isinstance(value, str) else _dumps(value)).encode("utf-8")))

    add("bom", "\ufeff" + _dumps(base))
    out.append(("edge:bad-utf8", b'{"pcs_id":"\xff"}'))
    out.append(("edge:empty", b""))
    add("ws-only", " \n\t ")
    add("nj-reordered", {**base, "N_j": {"32": 31, "16": 17, "8": 9, "4": 5, "2": 3}})
    add("int-keys-extra", {"b": 1, **base, "10": [1], "2": {"x": 1}, "a": None, "01": 2, "4294967295": 1, "4294967294": 0})
    add("proto-key", {**base, "__proto__": {"x": 1}})
    add("lone-surrogate-extra", _dumps(base)[:-1] + ',"extra":"\\ud800x","\\udc00k":1}')
    add("surrogate-pair-escaped", _dumps(base)[:-1] + ',"e":"\\ud83d\\ude00"}')
    add("emoji-key", {**base, "ключ😀" * 20: 1})
    add("huge-ints-extra", _dumps(base)[:-1] + ',"x":12345678901234567890,"y":-0,"z":1e21,"w":1.5e-7,"v":0.000001}')
    add("neg-zero-fields", {**base, "coh_star": -0.0})
    add("nan-extra", _dumps(base)[:-1] + ',"x":[NaN]}')
    add("nan-d_hat", _dumps(base).replace('"D_hat":0.857365188', '"D_hat":NaN'))
    add("inf-field", _dumps(base).replace('"r":0.87', '"r":1e999'))
    add("dup-in-ft", _dumps(base).replace('"degraded":false', '"degraded":false,"degraded":true'))
    add("sig-null", {**base, "sig": None})
    add("no-sig", {k: v for k, v in base.items() if k != "sig"})
    add("sig-first", {"sig": "x", **{k: v for k, v in base.items() if k != "sig"}})
    add("bad-sig", {**base, "sig": "AAAA"})
    add("tenant-v01", {**base, "tenant_id": "Acme Corp", "key_id": None})
    add("array", [base])
    add("string", '"hello"')
    add("deep-extra", _dumps(base)[:-1] + ',"deep":' + "[" * 40 + "]" * 40 + "}")
    add("deep-30", _dumps(base)[:-1] + ',"deep":' + "[" * 29 + "]" * 29 + "}")
    add("wrong-types", {**base, "epoch": "1", "scales": [2, 2.5, 2, 1e300, -3], "N_j": {"x": 0, "2": 1.5}, "regime": "up", "ft": {"degraded": 1, "extra": {"k": [float("nan")]} if False else 1}})
    add("partial-signed-fields", {k: base[k] for k in ("pcs_id", "merkle_root", "epoch", "shard_id", "D_hat", "coh_star", "r", "budget")})
    add("partial-missing-r", {k: base[k] for k in ("pcs_id", "merkle_root", "epoch", "shard_id", "D_hat", "coh_star", "budget")})
    add("many-problems", {k: (None if k not in ("version",) else v) for k, v in base.items()})
    add("tiny-long-values", {**base, "shard_id": "s" * 257})
    # v0.2 structure
    add("v02-extra-members", {"zzz": 1, **rec02, "5": 2, "ft": {**rec02["ft"], "x": 1, "3": 0}})
    add("v02-no-tenant", {k: v for k, v in rec02.items() if k != "tenant_id"})
    add("v02-null-key_id", {**rec02, "key_id": None})
    add("v02-bad-ids", {**rec02, "tenant_id": "Acme", "key_id": "-x"})
    add("v02-sent-at-forms", {**rec02, "sent_at": "2025-01-01T00:00:00.123456789Z"})
    add("v02-sent-at-bad", {**rec02, "sent_at": "2025-02-30T00:00:00Z"})
    add("v02-sent-at-offset", {**rec02, "sent_at": "2025-01-01T00:00:00+00:00"})
    add("v02-wrong-pcs-id", {**rec02, "pcs_id": "f" * 64})
    add("v02-nested-null", {**rec02, "ft": {**rec02["ft"], "fallbacks": ["a", "b"]}, "v_star": []})
    add("v02-degraded", {**rec02, "ft": {**rec02["ft"], "degraded": True}})
    add("v02-tenant-mismatch", {**rec02, "tenant_id": "globex"})
    add("v02-other-key", {**rec02, "key_id": "acme-2026-12"})
    add("v03", {**rec02, "version": "0.3"})
    for i, c in enumerate(copy.deepcopy(verdicts["cases"][:20])):
        if isinstance(c.get("input"), dict):
            add(f"as-v02-{i}", {**c["input"], "version": "0.2", "tenant_id": "acme", "key_id": "acme-2026-11"})
    return out


def write_corpus(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, (name, data) in enumerate(texts()):
        p = directory / f"{i:04d}.json"
        p.write_bytes(data)
        paths.append(p)
    return paths
