#!/usr/bin/env python3
"""Generates the golden vectors of test/vectors/*.json, independently of the TypeScript code.

Everything here is derived with Python's own tools -- json, hashlib, hmac, zlib, round(),
math.log2, and `cryptography` for Ed25519 -- plus a from-scratch Python port of the choices we
made (docs/contract.md): the coh* PRNG/directions, box counting, the Merkle tree, the verdict
rules. Deterministic: running it again rewrites byte-identical files.

Usage:  python3 test/vectors/gen_vectors.py        (needs `cryptography`; if it is missing:
        python3 -m venv /tmp/v && /tmp/v/bin/pip install cryptography && /tmp/v/bin/python ...)
All keys below are PUBLIC TEST KEYS (RFC 8032 section 7.1 and a fixed HMAC string): TEST ONLY.
"""
import base64
import copy
import datetime
import hashlib
import hmac
import json
import math
import os
import random
import re
import struct
import zlib
from decimal import Decimal

from cryptography.hazmat.primitives import serialization
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- TEST-ONLY keys
HMAC_KEY = "flk-test-hmac-key-DO-NOT-USE"
HMAC_KEY_2 = "flk-test-hmac-key-2-DO-NOT-USE"
ED_SEED_HEX = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"    # RFC 8032 TEST 1
ED_SEED_2_HEX = "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"  # RFC 8032 TEST 2
ED_SEED_OTHER_HEX = "c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"  # RFC 8032 TEST 3, not in the ring
L = 2**252 + 27742317777372353535851937790883648493  # Ed25519 group order


def b64(b):
    return base64.b64encode(b).decode("ascii")


def ed_key(seed_hex):
    return Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex))


def ed_pub(seed_hex):
    return ed_key(seed_hex).public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


KEYS = {
    "_warning": "TEST-ONLY keys (RFC 8032 section 7.1 test vectors and a fixed string). Never configure them anywhere real.",
    "hmac_key": HMAC_KEY,
    "hmac_key_2": HMAC_KEY_2,
    "ed25519_priv_b64": b64(bytes.fromhex(ED_SEED_HEX)),
    "ed25519_pub_b64": b64(ed_pub(ED_SEED_HEX)),
    "ed25519_priv_2_b64": b64(bytes.fromhex(ED_SEED_2_HEX)),
    "ed25519_pub_2_b64": b64(ed_pub(ED_SEED_2_HEX)),
    "ed25519_other_priv_b64": b64(bytes.fromhex(ED_SEED_OTHER_HEX)),
    "ed25519_other_pub_b64": b64(ed_pub(ED_SEED_OTHER_HEX)),
}

# ---------------------------------------------------------------- numbers


def bits(x):
    return struct.pack(">d", x).hex()


def from_bits(h):
    return struct.unpack(">d", bytes.fromhex(h))[0]


def round9(x):
    """Contract 2.2: Python's round() is correctly rounded, ties to even, on the exact value."""
    if math.isnan(x) or math.isinf(x):
        return x
    y = round(float(x), 9)
    return 0.0 if y == 0 else y  # -0 -> 0


def es_number(x):
    """ECMAScript Number::toString(x) for a finite double, from Python's shortest repr digits."""
    x = float(x)
    if x == 0:
        return "0"
    if x < 0:
        return "-" + es_number(-x)
    sign, digits, exp = Decimal(repr(x)).as_tuple()
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exp += 1
    s = "".join(str(d) for d in digits)
    k = len(s)
    n = exp + k  # x = 0.s * 10^n
    if k <= n <= 21:
        return s + "0" * (n - k)
    if 0 < n <= 21:
        return s[:n] + "." + s[n:]
    if -6 < n <= 0:
        return "0." + "0" * (-n) + s
    e = n - 1
    es = ("+" if e >= 0 else "-") + str(abs(e))
    return (s if k == 1 else s[0] + "." + s[1:]) + "e" + es


def js_string(s):
    # JSON.stringify escaping == json.dumps(ensure_ascii=False) for well-formed strings:
    # \" \\ \b \f \n \r \t, other C0 controls as lowercase \u00xx, everything else verbatim.
    return json.dumps(s, ensure_ascii=False)


SIGNED = ["pcs_id", "merkle_root", "epoch", "shard_id", "D_hat", "coh_star", "r", "budget"]
NUMERIC = {"epoch", "D_hat", "coh_star", "r", "budget"}


def canonical_payload(rec):
    parts = []
    for key in sorted(SIGNED):  # code point order == UTF-16 order for these ASCII keys
        v = rec[key]
        parts.append(js_string(key) + ":" + (es_number(round9(float(v))) if key in NUMERIC else js_string(v)))
    return "{" + ",".join(parts) + "}"


def digest_of(rec):
    return hashlib.sha256(canonical_payload(rec).encode("utf-8")).digest()


def pcs_id_of(merkle_root, epoch, shard_id):
    return hashlib.sha256(f"{merkle_root}|{int(epoch)}|{shard_id}".encode("utf-8")).hexdigest()


def hmac_sig(digest, key=HMAC_KEY):
    return b64(hmac.new(key.encode("utf-8"), digest, hashlib.sha256).digest())


def ed_sig(digest, seed_hex=ED_SEED_HEX):
    return b64(ed_key(seed_hex).sign(digest))


# ---------------------------------------------------------------- signals


def d_hat(scales, n_j):
    xs = [math.log2(s) for s in scales]
    ys = [math.log2(n_j[str(s)]) for s in scales]
    slopes = sorted((ys[j] - ys[i]) / (xs[j] - xs[i]) for i in range(len(xs)) for j in range(i + 1, len(xs)))
    m = len(slopes) // 2
    med = slopes[m] if len(slopes) % 2 == 1 else (slopes[m - 1] + slopes[m]) / 2
    return round9(med)


W = {"base": 0.10, "alpha": 0.30, "beta": 0.50, "gamma": 0.20, "D0": 2.2}
PARAMS = {"tolD": 0.15, "tolCoh": 0.05, "tolR": 0.05, "tolBudget": 0.05, "budget": W}


def budget(r, d, coh, w=W):
    raw = w["base"] + w["alpha"] * (1 - r) + w["beta"] * max(0.0, d - w["D0"]) + w["gamma"] * coh
    return round9(min(max(raw, 0.0), 1.0))


def regime(d, coh):
    if coh >= 0.70 and d <= 1.5:
        return "sticky"
    if d >= 2.6:
        return "non_sticky"
    return "mixed"


def compressibility(data):
    return 1.0 if len(data) == 0 else len(zlib.compress(data, 6)) / len(data)


def merkle(chunks):
    if not chunks:
        return hashlib.sha256(b"").hexdigest()

    def mth(c):
        if len(c) == 1:
            return hashlib.sha256(b"\x00" + c[0]).digest()
        k = 1
        while k * 2 < len(c):
            k *= 2
        return hashlib.sha256(b"\x01" + mth(c[:k]) + mth(c[k:])).digest()

    return mth(chunks).hex()


MASK = (1 << 64) - 1


def splitmix64(seed):
    state = seed & MASK
    while True:
        state = (state + 0x9E3779B97F4A7C15) & MASK
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        yield z ^ (z >> 31)


def directions(seed, dim, count):
    g = splitmix64(seed)
    out = []
    while len(out) < count:
        v = []
        for _ in range(dim):
            s = 0.0
            for _ in range(12):
                s += (next(g) >> 11) / 2**53
            v.append(s - 6)
        n2 = 0.0
        for x in v:
            n2 += x * x
        if n2 == 0:
            continue
        norm = math.sqrt(n2)
        out.append([x / norm for x in v])
    return out


def cell(c, lo, span, bins):
    if span == 0:
        return 0
    i = math.floor(((c - lo) / span) * bins)
    return bins - 1 if i >= bins else i


def coherence(points, seed, m=64, b=16):
    dim = len(points[0])
    best, best_v = -1, None
    for v in directions(seed, dim, m):
        proj = []
        for p in points:
            acc = 0.0
            for k in range(dim):
                acc += p[k] * v[k]
            proj.append(acc)
        lo, hi = min(proj), max(proj)
        span = hi - lo
        if span == 0:
            top = len(points)
        else:
            counts = [0] * b
            for x in proj:
                counts[cell(x, lo, span, b)] += 1
            top = max(counts)
        if top > best:
            best, best_v = top, v
    return best / len(points), best_v


def count_boxes(points, scales):
    dim = len(points[0]) if points else 0
    if dim == 0:
        return {str(s): 0 for s in scales}
    lo = [min(p[k] for p in points) for k in range(dim)]
    hi = [max(p[k] for p in points) for k in range(dim)]
    span = [hi[k] - lo[k] for k in range(dim)]
    return {str(s): len({tuple(cell(p[k], lo[k], span[k], s) for k in range(dim)) for p in points}) for s in scales}


# ---------------------------------------------------------------- records and verdicts


def signal_reasons(rec, p=PARAMS):
    d_rep, coh, r, b_rep = round9(rec["D_hat"]), round9(rec["coh_star"]), round9(rec["r"]), round9(rec["budget"])
    d_rec = d_hat(rec["scales"], rec["N_j"])
    b_rec = budget(r, d_rec, coh, p["budget"])
    reasons = []
    if round9(abs(d_rep - d_rec)) > p["tolD"]:
        reasons.append("d_hat_mismatch")
    if coh < 0 or coh > round9(1 + p["tolCoh"]):
        reasons.append("coh_star_out_of_range")
    if r < 0 or r > round9(1 + p["tolR"]):
        reasons.append("r_out_of_range")
    if rec["regime"] != regime(d_rec, coh):
        reasons.append("regime_mismatch")
    if round9(abs(b_rep - b_rec)) > p["tolBudget"]:
        reasons.append("budget_mismatch")
    if rec["ft"]["degraded"]:
        reasons.append("degraded")
    return reasons, d_rec, b_rec


def sign(rec, alg="hmac"):
    rec = dict(rec)
    rec.pop("sig", None)
    if alg == "hmac":
        rec["sig"] = hmac_sig(digest_of(rec))
    elif alg == "hmac2":
        rec["sig"] = hmac_sig(digest_of(rec), HMAC_KEY_2)
    elif alg == "ed25519":
        rec["sig"] = ed_sig(digest_of(rec))
    elif alg == "ed25519_2":
        rec["sig"] = ed_sig(digest_of(rec), ED_SEED_2_HEX)
    elif alg == "ed25519_other":
        rec["sig"] = ed_sig(digest_of(rec), ED_SEED_OTHER_HEX)
    return rec


BASE_ROOT = merkle([b"sample chunk"])
BASE = {
    "pcs_id": pcs_id_of(BASE_ROOT, 1, "shard-001"),
    "schema": "fractal-lba-kakeya",
    "version": "0.1",
    "shard_id": "shard-001",
    "epoch": 1,
    "attempt": 1,
    "sent_at": "2025-01-01T00:00:00Z",
    "seed": 42,
    "scales": [2, 4, 8, 16, 32],
    "N_j": {"2": 3, "4": 5, "8": 9, "16": 17, "32": 31},
    "coh_star": 0.73,
    "v_star": [0.12, 0.98, -0.05],
    "D_hat": None,
    "r": 0.87,
    "regime": None,
    "budget": None,
    "merkle_root": BASE_ROOT,
    "ft": {"outbox_seq": 123, "degraded": False, "fallbacks": [], "clock_skew_ms": 0},
}


def record(alg="hmac", derive=True, **over):
    """BASE with overrides; D_hat/regime/budget derived unless overridden; pcs_id recomputed
    unless overridden; signed with `alg` (None = unsigned) unless sig is overridden."""
    rec = copy.deepcopy(BASE)
    rec.update(copy.deepcopy({k: v for k, v in over.items() if k not in ("D_hat", "regime", "budget", "pcs_id", "sig")}))
    d = over.get("D_hat", d_hat(rec["scales"], rec["N_j"]))
    rec["D_hat"] = d
    coh, r = round9(rec["coh_star"]), round9(rec["r"])
    rec["regime"] = over.get("regime", regime(round9(d), coh))
    rec["budget"] = over.get("budget", budget(r, round9(d), coh))
    rec["pcs_id"] = over.get("pcs_id", pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"]))
    if "sig" in over:
        rec["sig"] = over["sig"]
        return rec
    return sign(rec, alg) if alg else rec


META = {"decidedAt": "2025-01-01T00:00:01.000Z", "source": {"topic": "pcs.in", "partition": 0, "offset": "42"}}


def verdict(pcs_id, status, reasons, d_rec=None, b_rec=None, meta=META, duplicate=False, rec=None, checked=False):
    """The full verdict, members in the fixed order (docs/contract.md 7.5). `rec` = the (valid) record it
    decides: its tenant_id / sent_at / version / key_id are carried (null if absent); rec None = a
    malformed record: all four null. `checked` = signature_checked (signatures on and the record
    reached the signature stage, whatever the outcome)."""
    return {
        "pcs_id": pcs_id,
        "status": status,
        "accepted": status == "accepted",
        "escalated": status == "escalated",
        "recomputed_D_hat": d_rec,
        "recomputed_budget": b_rec,
        "reason": reasons[0] if reasons else "ok",
        "reasons": reasons,
        "duplicate": duplicate,
        "decided_at": meta["decidedAt"],
        "source": meta["source"],
        "tenant_id": None if rec is None else rec.get("tenant_id"),
        "sent_at": None if rec is None else rec["sent_at"],
        "version": None if rec is None else rec["version"],
        "key_id": None if rec is None else rec.get("key_id"),
        "signature_checked": False if rec is None else checked,
    }


def expected_signal_verdict(rec, params=PARAMS, meta=META, checked=True):
    reasons, d_rec, b_rec = signal_reasons(rec, params)
    return verdict(rec["pcs_id"], "escalated" if reasons else "accepted", reasons, d_rec, b_rec, meta, rec=rec, checked=checked)


# ---------------------------------------------------------------- files


def write(name, obj, compact_key=None):
    path = os.path.join(HERE, name)
    with open(path, "w", encoding="utf-8") as f:
        if compact_key is None:
            json.dump(obj, f, ensure_ascii=False, indent=1, allow_nan=False)
        else:  # one compact line per element of obj[compact_key], to keep big corpora small and diffable
            head = {k: v for k, v in obj.items() if k != compact_key}
            f.write(json.dumps(head, ensure_ascii=False, indent=1, allow_nan=False)[:-2])
            f.write(f',\n "{compact_key}": [\n')
            f.write(",\n".join(json.dumps(c, ensure_ascii=False, separators=(",", ":"), allow_nan=False) for c in obj[compact_key]))
            f.write("\n ]\n}")
        f.write("\n")
    print("wrote", path)


def gen_round9():
    rnd = random.Random(20250101)
    xs = []
    # Hand-picked: the contract's tie, exact binary midpoints (odd multiples of 2^-10 are the
    # only doubles whose 10th+ decimals are exactly 5), near-ties, tiny, huge, signed zeros.
    specials = [0.0, -0.0, 0.0009765625, -0.0009765625, 5e-7, 2.0, 1.0000000005, 0.0000000015, 0.0000000025,
                5e-10, 4.999999999e-10, 5.000000001e-10, -5e-10, 1e-9, 1.5e-9, 2.5e-9, 1e-10, 5e-324, -5e-324,
                2.2250738585072014e-308, 1e21, 1e-7, 123456789.1234567891, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 2.675,
                2**52 + 0.5, 2**53 - 1, 2**53, 2**53 + 2, 1.7976931348623157e308, -1.7976931348623157e308,
                4503599627370495.5, 0.5, 1.5, 999999999.9999999995, 0.9999999995, 0.99999999949999, 1e-9 / 3]
    xs += specials
    for j in list(range(1, 2048, 2)) + [rnd.randrange(1, 2**40) | 1 for _ in range(500)] + [rnd.randrange(1, 2**53) | 1 for _ in range(200)]:
        t = j / 1024
        for v in (t, -t):
            xs += [v, math.nextafter(v, math.inf), math.nextafter(v, -math.inf)]
    for _ in range(3500):  # decimals with a 5 in the 10th place: near-ties that are not exact ties
        s = f"{rnd.randrange(0, 10**rnd.randrange(1, 8))}.{rnd.randrange(0, 10**9):09d}5{'' if rnd.random() < 0.5 else rnd.randrange(0, 10**4)}"
        xs.append(float(s) * (1 if rnd.random() < 0.5 else -1))
    for _ in range(3500):  # random decimals of many lengths and magnitudes
        digits = rnd.randrange(1, 18)
        xs.append(float(f"{rnd.randrange(1, 10**digits)}e{rnd.randrange(-20, 12)}") * (1 if rnd.random() < 0.5 else -1))
    for _ in range(2500):  # random bit patterns with binary exponents around the interesting range
        e = rnd.randrange(1023 - 45, 1023 + 60)
        x = from_bits(f"{(rnd.randrange(2) << 63) | (e << 52) | rnd.randrange(2**52):016x}")
        xs.append(x)
    for _ in range(300):  # subnormals and fully random patterns
        xs.append(from_bits(f"{rnd.randrange(2**52):016x}"))
        h = rnd.randrange(2**64)
        if (h >> 52) & 0x7FF != 0x7FF:
            xs.append(from_bits(f"{h:016x}"))
    seen, cases = set(), []
    for x in xs:
        k = bits(x)
        if k in seen:
            continue
        seen.add(k)
        cases.append([k, bits(round9(x))])
    write("round9.json", {
        "description": "round9 (contract 2.2): [input bits, expected bits], IEEE-754 binary64 big-endian hex. Expected = Python round(x, 9), -0 mapped to 0.",
        "count": len(cases),
        "cases": cases,
    }, compact_key="cases")


def sig_fields(**f):
    rec = {"merkle_root": BASE_ROOT, "epoch": 1, "shard_id": "shard-001", "D_hat": 1.41, "coh_star": 0.73, "r": 0.87, "budget": 0.42}
    rec.update(f)
    if "pcs_id" not in f:
        rec["pcs_id"] = pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"])
    return rec


def gen_canonical():
    cases = [
        ("contract example numbers", sig_fields()),
        ("public vector: tie", sig_fields(coh_star=0.0009765625)),
        ("public vector: small", sig_fields(r=5e-7)),
        ("public vector: integral", sig_fields(D_hat=2.0)),
        ("all three public vectors together", sig_fields(coh_star=0.0009765625, r=5e-7, D_hat=2.0)),
        ("integral floats", sig_fields(D_hat=3.0, coh_star=1.0, r=0.0, budget=1.0)),
        ("negative zero prints 0", sig_fields(D_hat=-0.0, coh_star=-0.0, r=-0.0, budget=-0.0)),
        ("rounds to negative zero then 0", sig_fields(D_hat=-1e-10, coh_star=-4e-10)),
        ("exponent form large", sig_fields(D_hat=1e21, budget=1.5e300)),
        ("just below exponent form", sig_fields(D_hat=1e20, budget=123456789012345680000.0)),
        ("exponent form small", sig_fields(r=1e-7, coh_star=1.2e-8, budget=1e-9)),
        ("decimal form smallest", sig_fields(r=0.000001, coh_star=0.0000015)),
        ("rounds away beyond 9 digits", sig_fields(r=1e-10, coh_star=4.9e-10, budget=5.1e-10)),
        ("long mantissas", sig_fields(D_hat=1.2345678901234567, coh_star=0.1 + 0.2, r=1 / 3, budget=2 / 3)),
        ("decimal near-ties", sig_fields(D_hat=0.0000000015, coh_star=1.0000000005, r=0.9999999995, budget=2.675)),
        ("exact binary ties", sig_fields(D_hat=1.0009765625, coh_star=0.0029296875, r=0.5009765625, budget=0.1259765625)),
        ("negative numbers", sig_fields(D_hat=-1.5, coh_star=-0.25, r=-1e-7, budget=-0.0009765625)),
        ("max safe epoch", sig_fields(epoch=2**53 - 1)),
        ("negative max safe epoch", sig_fields(epoch=-(2**53 - 1))),
        ("epoch zero", sig_fields(epoch=0)),
        ("shard_id with quotes and backslash", sig_fields(shard_id='sh"ard\\001/x')),
        ("shard_id with control chars", sig_fields(shard_id="a\b\f\n\r\t\x00\x01\x1f\x7fz")),
        ("shard_id non-ASCII", sig_fields(shard_id="shärd-ñ-日本-Ω")),
        ("shard_id emoji (astral)", sig_fields(shard_id="shard-😀-🏳️‍🌈")),
        ("shard_id U+2028 U+2029 (not escaped)", sig_fields(shard_id="line\u2028sep\u2029para")),
        ("empty shard_id", sig_fields(shard_id="")),
        ("long shard_id", sig_fields(shard_id="s" * 256)),
    ]
    out = []
    for name, rec in cases:
        digest = digest_of(rec)
        fields = {k: rec[k] for k in SIGNED}
        out.append({
            "name": name,
            "fields": fields,
            "field_bits": {k: bits(float(rec[k])) for k in SIGNED if k in NUMERIC},
            "payload": canonical_payload(rec),
            "digest_hex": digest.hex(),
            "pcs_id": pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"]),
            "hmac_sig": hmac_sig(digest),
            "ed25519_sig": ed_sig(digest),
        })
    write("canonical.json", {
        "description": "Canonical payload (contract 2.1-2.4), digest, pcs_id (1) and signatures (2.5) of the signed fields. "
                       "fields holds the input; field_bits the exact input doubles; pcs_id = sha256(merkle_root|epoch|shard_id) "
                       "(equal to fields.pcs_id here); hmac_sig with keys.hmac_key, ed25519_sig with keys.ed25519_priv_b64.",
        "keys": KEYS,
        "cases": out,
    })


def gen_signatures():
    digest = digest_of(sig_fields())
    good_h = hmac_sig(digest)
    good_e = ed_sig(digest)
    e_raw = base64.b64decode(good_e)
    s = int.from_bytes(e_raw[32:], "little")
    noncanon_s = b64(e_raw[:32] + (s + L).to_bytes(32, "little"))  # same signature mod L: strict must reject
    flipped = bytearray(e_raw)
    flipped[5] ^= 1
    h_raw = base64.b64decode(good_h)
    # Same bytes as good_h, but the last base64 digit has non-zero unused bits: non-canonical.
    noncanon_b64 = good_h[:-2] + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".index(good_h[-2]) | 1)] + "="
    assert base64.b64decode(noncanon_b64) == h_raw or noncanon_b64 == good_h
    cases = [
        {"name": "hmac: valid (key 1)", "alg": "hmac", "sig": good_h, "valid": True},
        {"name": "hmac: valid under the second ring key (rotation)", "alg": "hmac", "sig": hmac_sig(digest, HMAC_KEY_2), "valid": True},
        {"name": "hmac: key not in the ring", "alg": "hmac", "sig": hmac_sig(digest, "some-other-key"), "valid": False},
        {"name": "hmac: one bit flipped", "alg": "hmac", "sig": b64(bytes([h_raw[0] ^ 0x80]) + h_raw[1:]), "valid": False},
        {"name": "hmac: truncated to 31 bytes", "alg": "hmac", "sig": b64(h_raw[:31]), "valid": False},
        {"name": "hmac: 33 bytes", "alg": "hmac", "sig": b64(h_raw + b"\x00"), "valid": False},
        {"name": "hmac: missing", "alg": "hmac", "sig": None, "valid": False},
        {"name": "hmac: empty string", "alg": "hmac", "sig": "", "valid": False},
        {"name": "hmac: no padding", "alg": "hmac", "sig": good_h.rstrip("="), "valid": False},
        {"name": "hmac: url-safe alphabet", "alg": "hmac", "sig": good_h.replace("+", "-").replace("/", "_") if ("+" in good_h or "/" in good_h) else "-" + good_h[1:], "valid": False},
        {"name": "hmac: whitespace", "alg": "hmac", "sig": " " + good_h, "valid": False},
        {"name": "hmac: non-canonical trailing bits", "alg": "hmac", "sig": noncanon_b64, "valid": noncanon_b64 == good_h},
        {"name": "hmac: the ed25519 signature", "alg": "hmac", "sig": good_e, "valid": False},
        {"name": "ed25519: valid (key 1)", "alg": "ed25519", "sig": good_e, "valid": True},
        {"name": "ed25519: valid under the second ring key (rotation)", "alg": "ed25519", "sig": ed_sig(digest, ED_SEED_2_HEX), "valid": True},
        {"name": "ed25519: key not in the ring", "alg": "ed25519", "sig": ed_sig(digest, ED_SEED_OTHER_HEX), "valid": False},
        {"name": "ed25519: one bit flipped", "alg": "ed25519", "sig": b64(bytes(flipped)), "valid": False},
        {"name": "ed25519: non-canonical S (S + L), strict RFC 8032 rejects", "alg": "ed25519", "sig": noncanon_s, "valid": False},
        {"name": "ed25519: truncated", "alg": "ed25519", "sig": b64(e_raw[:63]), "valid": False},
        {"name": "ed25519: all zero", "alg": "ed25519", "sig": b64(bytes(64)), "valid": False},
        {"name": "ed25519: missing", "alg": "ed25519", "sig": None, "valid": False},
        {"name": "ed25519: the hmac signature", "alg": "ed25519", "sig": good_h, "valid": False},
        {"name": "ed25519: signature of the payload instead of the digest", "alg": "ed25519", "sig": b64(ed_key(ED_SEED_HEX).sign(canonical_payload(sig_fields()).encode())), "valid": False},
    ]
    bad_pub = [
        {"name": "not base64", "pub_b64": "not base64!"},
        {"name": "31 bytes", "pub_b64": b64(ed_pub(ED_SEED_HEX)[:31])},
        {"name": "33 bytes", "pub_b64": b64(ed_pub(ED_SEED_HEX) + b"\x00")},
        {"name": "non-canonical y (p + 1 encodes y = 1)", "pub_b64": b64(((2**255 - 19) + 1).to_bytes(32, "little"))},
        {"name": "small order (identity)", "pub_b64": b64((1).to_bytes(32, "little"))},
        {"name": "not on the curve", "pub_b64": b64((2).to_bytes(32, "little"))},
    ]
    write("signatures.json", {
        "description": "Key-ring verification (contract 2.5-2.6) of the digest below. The ring holds both keys of the alg "
                       "(keys.*_key / *_2). sig null = field absent. bad_ed25519_public_keys must be refused when building a ring.",
        "keys": KEYS,
        "digest_hex": digest.hex(),
        "cases": cases,
        "bad_ed25519_public_keys": bad_pub,
    })


def gen_signals():
    rnd = random.Random(7)
    dh = []
    for scales, n_j, note in [
        ([2, 4, 8, 16, 32], {"2": 3, "4": 5, "8": 9, "16": 17, "32": 31}, "contract example, 10 pairs (even)"),
        ([2, 4], {"2": 1, "4": 4}, "2 scales, 1 pair (odd)"),
        ([2, 4, 8], {"2": 4, "4": 16, "8": 64}, "3 scales, 3 pairs (odd), exact slope 2"),
        ([2, 4, 8, 16], {"2": 3, "4": 9, "8": 20, "16": 60}, "4 scales, 6 pairs (even)"),
        ([2, 3, 5, 7, 11, 13], {"2": 2, "3": 7, "5": 13, "7": 30, "11": 70, "13": 99}, "6 scales, 15 pairs (odd), non powers of two"),
        ([32, 2, 16, 4, 8], {"2": 3, "4": 5, "8": 9, "16": 17, "32": 31}, "unsorted scales, same as the contract example"),
        ([16, 2, 8], {"2": 5, "8": 40, "16": 100}, "unsorted, 3 pairs"),
        ([2, 4, 8, 16, 32], {"2": 4, "4": 4, "8": 4, "16": 4, "32": 4}, "flat: D = 0"),
        ([2, 4, 8, 16, 32], {"2": 100, "4": 50, "8": 25, "16": 12, "32": 6}, "decreasing: negative D"),
        ([2, 4, 8, 16, 32], {"2": 4, "4": 16, "8": 64, "16": 256, "32": 1024}, "D = 2 exactly"),
        ([2, 4, 8, 16, 32, 64], {"2": 3, "4": 11, "8": 40, "16": 150, "32": 600, "64": 2000}, "6 scales, 15 pairs (odd)"),
        ([2, 4, 8, 16, 32, 64, 128], {"2": 7, "4": 20, "8": 70, "16": 260, "32": 900, "64": 3500, "128": 13000}, "7 scales, 21 pairs, D > 2.6"),
    ]:
        dh.append({"name": note, "scales": scales, "N_j": n_j, "D_hat": d_hat(scales, n_j)})
    for _ in range(40):
        k = rnd.randrange(2, 12)
        scales = rnd.sample(range(2, 200), k)
        n_j = {str(s): rnd.randrange(1, 100000) for s in scales}
        dh.append({"name": f"random {k} scales", "scales": scales, "N_j": n_j, "D_hat": d_hat(scales, n_j)})

    bud = []
    for r, d, coh in [(0.87, 0.857365188, 0.73), (0.0, 0.0, 0.0), (1.0, 3.0, 1.0), (-5.0, 9.0, 2.0), (2.0, 0.0, -3.0),
                      (0.5, 2.2, 0.5), (0.5, 2.3, 0.5), (0.123456789, 2.987654321, 0.555555555), (1.05, 2.6, 1.05)]:
        bud.append({"r": r, "D_hat": d, "coh_star": coh, "budget": budget(r, d, coh)})
    for _ in range(40):
        r, d, coh = round9(rnd.uniform(0, 1.1)), round9(rnd.uniform(0, 3.5)), round9(rnd.uniform(0, 1.05))
        bud.append({"r": r, "D_hat": d, "coh_star": coh, "budget": budget(r, d, coh)})

    reg = [{"D_hat": d, "coh_star": c, "regime": regime(d, c)} for d, c in [
        (1.5, 0.7), (1.500000001, 0.7), (1.5, 0.699999999), (2.6, 0.9), (2.599999999, 0.9), (1.0, 0.2), (3.0, 1.0), (0.0, 1.0), (2.0, 0.8)]]

    comp = []
    for name, data in [
        ("empty (defined as 1)", b""),
        ("one byte", b"a"),
        ("short text", b"hello hello hello hello"),
        ("zeros 1000", bytes(1000)),
        ("counter 0..255 x 4", bytes(range(256)) * 4),
        ("pseudo-random 4096 (sha256 chain)", b"".join(hashlib.sha256(i.to_bytes(4, "big")).digest() for i in range(128))),
        ("text 20k", ("The quick brown fox jumps over the lazy dog %d. " * 1).encode() * 0 + "".join(f"line {i}: value={i * i % 977}\n" for i in range(1000)).encode()),
    ]:
        comp.append({"name": name, "data_b64": b64(data), "compressed_len": len(zlib.compress(data, 6)) if data else None, "r": compressibility(data)})

    mk = []
    for n in range(0, 10):
        chunks = [hashlib.sha256(bytes([i])).digest()[: (i * 7) % 33] for i in range(n)]
        mk.append({"chunks_b64": [b64(c) for c in chunks], "root": merkle(chunks)})
    mk.append({"chunks_b64": [b64(b"")], "root": merkle([b""])})
    mk.append({"chunks_b64": [b64(b"sample chunk")], "root": merkle([b"sample chunk"])})

    sm = [{"seed": s, "outputs": [str(next(g)) for _ in range(5)] if (g := splitmix64(s)) else []} for s in [0, 1, 42, -1, 2**53 - 1, -(2**53 - 1)]]

    coh_cases = []
    clouds = [
        ("line 3-d", [[i * 0.1, i * 0.2, 1.0] for i in range(50)], 42),
        ("random 2-d", [[rnd.uniform(-1, 1), rnd.uniform(-1, 1)] for _ in range(200)], 7),
        ("random 5-d", [[rnd.gauss(0, 1) for _ in range(5)] for _ in range(100)], -3),
        ("one point", [[1.0, 2.0, 3.0]], 1),
        ("identical points", [[0.5, 0.5]] * 10, 2**53 - 1),
        ("1-d", [[float(i % 7)] for i in range(30)], 0),
        ("clustered 3-d", [[rnd.gauss(0, 0.01), rnd.gauss(5, 0.01), rnd.gauss(0, 3)] for _ in range(80)], 99),
    ]
    for name, pts, seed in clouds:
        c, v = coherence(pts, seed)
        coh_cases.append({"name": name, "points": pts, "seed": seed, "directions": 64, "bins": 16, "coh_star": c,
                          "v_star": v, "v_star_bits": [bits(x) for x in v]})
    c, v = coherence(clouds[1][1], 5, 8, 4)
    coh_cases.append({"name": "random 2-d, M=8, B=4", "points": clouds[1][1], "seed": 5, "directions": 8, "bins": 4, "coh_star": c,
                      "v_star": v, "v_star_bits": [bits(x) for x in v]})
    dirs = [{"seed": s, "dim": d, "count": n, "directions_bits": [[bits(x) for x in v] for v in directions(s, d, n)]}
            for s, d, n in [(42, 3, 4), (0, 1, 3), (-1, 2, 2)]]

    boxes = []
    for name, pts, scales in [
        ("line 2-d", [[i / 10, i / 10] for i in range(11)], [2, 4, 8, 16, 32]),
        ("random 3-d", [[rnd.random(), rnd.random(), rnd.random()] for _ in range(300)], [2, 4, 8, 16, 32]),
        ("zero extent axis", [[float(i), 3.0] for i in range(20)], [2, 4, 8]),
        ("single point", [[1.0, 1.0]], [2, 4]),
        ("no points", [], [2, 4]),
        ("unsorted scales", [[rnd.uniform(-5, 5), rnd.uniform(-5, 5)] for _ in range(100)], [16, 2, 8]),
    ]:
        boxes.append({"name": name, "points": pts, "scales": scales, "N_j": count_boxes(pts, scales)})

    write("signals.json", {
        "description": "Signals (contract 3-4 and our choices in docs/contract.md): D_hat (rounded), budget (default weights), "
                       "regime, r = compressibility (not rounded; compressed_len = len(zlib.compress(data, 6))), RFC 6962 Merkle "
                       "roots, SplitMix64 outputs (decimal strings), coh* directions/values (M, B given per case; coh_star "
                       "not rounded; v_star_bits exact), box counts.",
        "d_hat": dh, "budget": bud, "regime": reg, "compressibility": comp, "merkle": mk, "splitmix64": sm,
        "coherence_directions": dirs, "coherence": coh_cases, "count_boxes": boxes,
    })
    return clouds


def gen_build():
    rnd = random.Random(11)
    out = []
    for name, pts, chunks, seed, extra, alg in [
        ("contract-like 3-d, hmac", [[rnd.gauss(0, 1), rnd.gauss(0, 1), rnd.gauss(0, 0.1)] for _ in range(300)],
         [b"chunk-0 " * 20, b"chunk-1 " * 20, bytes(range(256))], 42, {}, "hmac"),
        ("line, ed25519, tenant, degraded", [[i * 0.01, i * 0.02] for i in range(200)], [b"x" * 1000], 7,
         {"tenant_id": "tenant-a", "degraded": True, "fallbacks": ["redis", "wal"], "outbox_seq": 9, "clock_skew_ms": -12.5, "attempt": 3, "epoch": 2**53 - 1}, "ed25519"),
        ("unsigned, custom scales", [[rnd.random() for _ in range(4)] for _ in range(500)], [b"a", b"", b"bc"], -5,
         {"scales": [3, 9, 27, 81]}, None),
    ]:
        scales = extra.get("scales", [2, 4, 8, 16, 32])
        n_j = count_boxes(pts, scales)
        d = d_hat(scales, n_j)
        c, v = coherence(pts, seed)
        coh = round9(c)
        r = round9(compressibility(b"".join(chunks)))
        root = merkle(chunks)
        epoch = extra.get("epoch", 5)
        shard = "shard-ü-" + name[:4]
        rec = {
            "pcs_id": pcs_id_of(root, epoch, shard), "schema": "fractal-lba-kakeya", "version": "0.1", "shard_id": shard,
            "epoch": epoch, "attempt": extra.get("attempt", 1), "sent_at": "2025-06-01T12:00:00.000Z", "seed": seed,
            "scales": scales, "N_j": n_j, "coh_star": coh, "v_star": v, "D_hat": d, "r": r, "regime": regime(d, coh),
            "budget": budget(r, d, coh), "merkle_root": root,
            "ft": {"outbox_seq": extra.get("outbox_seq", 0), "degraded": extra.get("degraded", False),
                   "fallbacks": extra.get("fallbacks", []), "clock_skew_ms": extra.get("clock_skew_ms", 0)},
        }
        if "tenant_id" in extra:
            rec["tenant_id"] = extra["tenant_id"]
        if alg:
            rec = sign(rec, alg)
        inp = {"shard_id": shard, "epoch": epoch, "seed": seed, "sent_at": rec["sent_at"], "points": pts,
               "chunks_b64": [b64(ch) for ch in chunks]}
        for k in ("attempt", "scales", "outbox_seq", "degraded", "fallbacks", "clock_skew_ms", "tenant_id"):
            if k in extra:
                inp[k] = extra[k]
        out.append({"name": name, "signer": alg, "input": inp, "expected": rec,
                    "expected_v_star_bits": [bits(x) for x in v]})
    write("build.json", {
        "description": "buildPcs end to end: the agent's input (chunks as base64) -> the full record. signer: hmac / ed25519 with "
                       "keys.* / null. Default M=64, B=16, scales [2,4,8,16,32].",
        "keys": KEYS, "cases": out,
    })


def gen_verdicts():
    cases = []

    def add(name, expected, rec=None, text=None, ring="hmac", prior=None, meta=META, params=None):
        c = {"name": name, "keyring": ring, "params": params, "prior": prior, "meta": meta}
        if text is not None:
            c["input_json"] = text
        else:
            c["input"] = rec
        c["expected"] = expected
        cases.append(c)

    def sig_case(name, rec, ring="hmac", params=None, meta=META):
        p = PARAMS if params is None else {**PARAMS, **{k: v for k, v in params.items() if k != "budget"},
                                           "budget": {**W, **params.get("budget", {})}}
        add(name, expected_signal_verdict(rec, p, meta, checked=ring != "none"), rec=rec, ring=ring, params=params, meta=meta)

    def sigfail(name, rec, ring="hmac", prior=None):
        add(name, verdict(rec["pcs_id"], "rejected", ["signature"], rec=rec, checked=True), rec=rec, ring=ring, prior=prior)

    ok = record()
    sig_case("accepted: the sample record (hmac)", ok)
    sig_case("accepted: ed25519", record("ed25519"), ring="ed25519")
    sig_case("accepted: signed with the second ring key (rotation)", record("hmac2"))
    sig_case("accepted: ed25519 second ring key", record("ed25519_2"), ring="ed25519")
    sig_case("accepted: unsigned with signing off", record(None), ring="none")
    sig_case("accepted: signing off ignores a bad sig", record(None, sig="AAAA"), ring="none")
    sig_case("accepted: tenant_id carried", record(tenant_id="tenant-x"))
    sig_case("accepted: null sig/tenant_id/key_id are absent", dict(record(None), sig=None, tenant_id=None, key_id=None), ring="none")
    sig_case("accepted: unknown extra fields are allowed", record(vrf_proof={"alg": "ecvrf", "pi": "abc", "n": [1, 2.5]}))
    # d_hat: reported vs recomputed, rounded difference compared with '>'.
    d0 = d_hat(BASE["scales"], BASE["N_j"])
    sig_case("d_hat_mismatch", record(D_hat=round9(d0 + 0.3)))
    sig_case("D_hat differs by exactly tolD: within tolerance", record(D_hat=round9(d0 + 0.15)))
    sig_case("D_hat differs by tolD + 1e-9: d_hat_mismatch", record(D_hat=round9(d0 + 0.150000001)))
    sig_case("D_hat differs below by exactly tolD", record(D_hat=round9(d0 - 0.15)))
    sig_case("D_hat beyond 9 digits is rounded before comparing", record(D_hat=d0 + 0.1500000004))
    sig_case("coh_star_out_of_range: above 1 + tolCoh", record(coh_star=1.06))
    sig_case("coh_star exactly 1 + tolCoh: in range", record(coh_star=1.05))
    sig_case("coh_star 1.0500000004 rounds to 1.05: in range", record(coh_star=1.0500000004))
    sig_case("coh_star 1.050000001: out of range", record(coh_star=1.050000001))
    sig_case("coh_star_out_of_range: negative", record(coh_star=-0.01))
    sig_case("coh_star -4e-10 rounds to 0: in range", record(coh_star=-4e-10))
    sig_case("r_out_of_range: above", record(r=1.2))
    sig_case("r exactly 1 + tolR: in range", record(r=1.05))
    sig_case("r_out_of_range: negative", record(r=-0.5))
    sig_case("regime_mismatch", record(regime="mixed"))
    sig_case("regime from recomputed D_hat, not the reported one", record(D_hat=round9(d0 + 0.1), regime="sticky"))
    sig_case("budget_mismatch", record(budget=0.9))
    sig_case("budget off by exactly tolBudget: within", record(budget=round9(budget(0.87, d0, 0.73) + 0.05)))
    sig_case("budget off by tolBudget + 1e-9", record(budget=round9(budget(0.87, d0, 0.73) + 0.050000001)))
    sig_case("budget recomputed from the recomputed D_hat", record(D_hat=2.3, regime="mixed", budget=budget(0.87, 2.3, 0.73)))
    sig_case("degraded", record(ft={"outbox_seq": 1, "degraded": True, "fallbacks": ["wal"], "clock_skew_ms": 3}))
    sig_case("every signal reason, in order",
             record(D_hat=3.5, coh_star=1.5, r=-0.2, regime="sticky", budget=0.0,
                    ft={"outbox_seq": 1, "degraded": True, "fallbacks": [], "clock_skew_ms": 0}))
    sig_case("non_sticky regime accepted when consistent",
             record(N_j={"2": 7, "4": 40, "8": 250, "16": 1500, "32": 9000}, coh_star=0.2, r=0.3))
    sig_case("custom params: tolD 0.5 accepts a 0.3 difference", record(D_hat=round9(d0 + 0.3)), params={"tolD": 0.5})
    sig_case("custom params: budget weights", record(), params={"budget": {"base": 0.2}})
    sig_case("meta with null source", ok, meta={"decidedAt": "2025-02-02T00:00:00Z", "source": None})

    # signature
    sigfail("signature: missing", record(None))
    sigfail("signature: wrong key", dict(ok, sig=hmac_sig(digest_of(ok), "wrong")))
    sigfail("signature: ed25519 key not in ring", record("ed25519_other"), ring="ed25519")
    sigfail("signature: hmac sig on an ed25519 ring", ok, ring="ed25519")
    sigfail("signature: a signed field changed after signing", dict(ok, budget=round9(ok["budget"] + 0.01)))
    add("signature: r changed below the 9th digit is the same payload (accepted)",
        expected_signal_verdict(dict(ok, r=ok["r"] + 1e-12)), rec=dict(ok, r=ok["r"] + 1e-12))
    add("signature: unsigned field changed (attempt) keeps the signature valid",
        expected_signal_verdict(dict(ok, attempt=2)), rec=dict(ok, attempt=2))
    sigfail("signature: checked before signals", record(None, D_hat=9.0))
    sigfail("signature: tenant_id kept on rejection", record(None, tenant_id="t1"))

    # dedup
    prior = verdict(ok["pcs_id"], "accepted", [], d0, ok["budget"], meta={"decidedAt": "2024-12-31T23:59:59.000Z",
                                                                            "source": {"topic": "pcs.in", "partition": 3, "offset": "7"}},
                    rec=ok, checked=True)
    add("duplicate: prior from another offset is returned flagged", dict(prior, duplicate=True, source=META["source"]), rec=ok, prior=prior)
    add("duplicate: replay of the same offset returns the prior unchanged", prior, rec=ok, prior=prior,
        meta={"decidedAt": "2025-01-01T00:00:09Z", "source": {"topic": "pcs.in", "partition": 3, "offset": "7"}})
    prior_esc = verdict(ok["pcs_id"], "escalated", ["budget_mismatch"], d0, 0.1, meta={"decidedAt": "2024-12-31T00:00:00.000Z", "source": None},
                        rec=ok, checked=True)
    add("duplicate: the stored verdict wins over the current signals", dict(prior_esc, duplicate=True, source=META["source"]), rec=record(D_hat=9.0), prior=prior_esc)
    add("duplicate: null source equals null source", prior_esc, rec=ok, prior=prior_esc, meta={"decidedAt": "2025-01-01T00:00:00Z", "source": None})
    sigfail("duplicate: signature is checked before dedup", record(None), prior=prior)

    # malformed (expected reasons written by hand from docs/contract.md's vocabulary)
    pid = ok["pcs_id"]
    text_ok = json.dumps(ok)

    def mal(name, reasons, rec=None, text=None, pcs_id=pid, ring="hmac"):
        add(name, verdict(pcs_id, "rejected", reasons), rec=rec, text=text, ring=ring)

    def without(k):
        r = dict(ok)
        del r[k]
        return r

    mal("json: not JSON", ["malformed:json"], text="not json", pcs_id="")
    mal("json: truncated", ["malformed:json"], text=text_ok[:-1], pcs_id="")
    mal("json: trailing comma", ["malformed:json"], text=text_ok[:-1] + ",}", pcs_id="")
    mal("json: empty", ["malformed:json"], text="", pcs_id="")
    mal("json: duplicate key", ["malformed:duplicate_key:D_hat"], text=text_ok[:-1] + ', "D_hat": 0.5}', pcs_id="")
    mal("json: nested too deep", ["malformed:too_deep"], text='{"x":' + "[" * 40 + "]" * 40 + "}", pcs_id="")
    mal("json: top level array", ["malformed:not_object"], text="[1,2]", pcs_id="")
    mal("json: top level null", ["malformed:not_object"], text="null", pcs_id="")
    mal("json: NaN token", ["malformed:non_finite:coh_star"], text=text_ok.replace('"coh_star": 0.73', '"coh_star": NaN'))
    mal("json: Infinity token", ["malformed:non_finite:r"], text=text_ok.replace('"r": 0.87', '"r": Infinity'))
    mal("json: -Infinity token", ["malformed:non_finite:budget"], text=text_ok.replace(f'"budget": {json.dumps(ok["budget"])}', '"budget": -Infinity'))
    mal("json: 1e999 overflows to Infinity", ["malformed:non_finite:D_hat"], text=text_ok.replace(f'"D_hat": {json.dumps(ok["D_hat"])}', '"D_hat": 1e999'))
    mal("json: NaN in v_star", ["malformed:non_finite:v_star[1]"], text=text_ok.replace('"v_star": [0.12, 0.98, -0.05]', '"v_star": [0.12, NaN, -0.05]'))
    mal("json: NaN in an unknown field", ["malformed:non_finite:extra.deep[0]"], text=text_ok[:-1] + ', "extra": {"deep": [NaN]}}')
    mal("missing D_hat", ["malformed:missing:D_hat"], rec=without("D_hat"))
    mal("missing ft", ["malformed:missing:ft"], rec=without("ft"))
    mal("missing pcs_id", ["malformed:missing:pcs_id"], rec=without("pcs_id"), pcs_id="")
    mal("missing several, in field order", ["malformed:missing:epoch", "malformed:missing:scales", "malformed:missing:N_j", "malformed:missing:regime"],
        rec={k: v for k, v in ok.items() if k not in ("epoch", "scales", "N_j", "regime")})
    mal("type: epoch as string", ["malformed:type:epoch"], rec=dict(ok, epoch="1"))
    mal("type: D_hat null", ["malformed:type:D_hat"], rec=dict(ok, D_hat=None))
    mal("type: scales not an array", ["malformed:type:scales"], rec=dict(ok, scales="2,4"))
    mal("type: ft.degraded string", ["malformed:type:ft.degraded"], rec=dict(ok, ft=dict(ok["ft"], degraded="false")))
    mal("type: sig number", ["malformed:type:sig"], rec=dict(ok, sig=5))
    mal("type: tenant_id number", ["malformed:type:tenant_id"], rec=dict(ok, tenant_id=7))
    mal("not_integer: epoch 1.5", ["malformed:not_integer:epoch"], rec=dict(ok, epoch=1.5))
    mal("not_integer: seed", ["malformed:not_integer:seed"], rec=dict(ok, seed=0.5))
    mal("out_of_range: epoch 2^53", ["malformed:out_of_range:epoch"], rec=dict(ok, epoch=2**53))
    mal("out_of_range: outbox_seq -2^53", ["malformed:out_of_range:ft.outbox_seq"], rec=dict(ok, ft=dict(ok["ft"], outbox_seq=-(2**53))))
    mal("out_of_range: attempt 1e300", ["malformed:out_of_range:attempt"], rec=dict(ok, attempt=1e300))
    mal("N_j extra key", ["malformed:unexpected_key:N_j.64"], rec=dict(ok, N_j=dict(ok["N_j"], **{"64": 40})))
    mal("N_j missing key", ["malformed:missing:N_j.32"], rec=dict(ok, N_j={k: v for k, v in ok["N_j"].items() if k != "32"}))
    mal("N_j key not decimal form", ["malformed:missing:N_j.2", "malformed:unexpected_key:N_j.02"],
        rec=dict(ok, N_j={("02" if k == "2" else k): v for k, v in ok["N_j"].items()}))
    mal("N_j zero", ["malformed:out_of_range:N_j.2"], rec=dict(ok, N_j=dict(ok["N_j"], **{"2": 0})))
    mal("N_j non-integer", ["malformed:not_integer:N_j.4"], rec=dict(ok, N_j=dict(ok["N_j"], **{"4": 5.5})))
    mal("N_j not an object", ["malformed:type:N_j"], rec=dict(ok, N_j=[3, 5, 9, 17, 31]))
    mal("scales: one scale", ["malformed:too_short:scales"], rec=dict(ok, scales=[2], N_j={"2": 3}))
    mal("scales: duplicate", ["malformed:duplicate:scales[2]"], rec=dict(ok, scales=[2, 4, 2, 8, 16, 32]))
    mal("scales: below 2", ["malformed:out_of_range:scales[0]"], rec=dict(ok, scales=[1, 2, 4, 8, 16, 32], N_j=dict(ok["N_j"], **{"1": 1})))
    mal("scales: non-integer", ["malformed:not_integer:scales[1]"], rec=dict(ok, scales=[2, 4.5, 8, 16, 32]))
    mal("scales: 65 entries", ["malformed:too_long:scales"], rec=dict(ok, scales=list(range(2, 67))))
    mal("regime not one of three", ["malformed:invalid_value:regime"], rec=dict(ok, regime="Sticky"))
    mal("schema wrong", ["malformed:invalid_value:schema"], rec=dict(ok, schema="other"))
    # (Before v0.2 this case used version "0.2"; "0.2" now selects the v0.2 rules, see the next case and v02.json.)
    mal("version wrong", ["malformed:invalid_value:version"], rec=dict(ok, version="0.3"))
    mal("version 0.2 selects the v0.2 rules: tenant_id required", ["malformed:missing:tenant_id"], rec=dict(ok, version="0.2"))
    mal("version 1.0 is not 0.1", ["malformed:invalid_value:version"], rec=dict(ok, version="1.0"))
    # §1 says nothing of the sig's encoding: a sig that is not canonical padded base64 is a wrong
    # signature (§5 "signature missing or wrong"), not a malformed record.
    sigfail("signature: sig not base64", dict(ok, sig="not base64!"))
    sigfail("signature: sig non-canonical base64 (unpadded)", dict(ok, sig=ok["sig"].rstrip("=")))
    mal("shard_id too long", ["malformed:too_long:shard_id"], rec=dict(ok, shard_id="s" * 257))
    mal("pcs_id mismatch", ["malformed:pcs_id_mismatch"], rec=dict(ok, pcs_id="0" * 64), pcs_id="0" * 64)
    mal("pcs_id mismatch: epoch changed", ["malformed:pcs_id_mismatch"], rec=dict(ok, epoch=2))
    mal("pcs_id uppercase hex mismatches", ["malformed:pcs_id_mismatch"], rec=dict(ok, pcs_id=pid.upper()), pcs_id=pid.upper())
    mal("v_star too long", ["malformed:too_long:v_star"], rec=dict(ok, v_star=[0.0] * 1025))
    mal("fallbacks element not a string", ["malformed:type:ft.fallbacks[1]"], rec=dict(ok, ft=dict(ok["ft"], fallbacks=["a", 1])))
    mal("many problems: all listed, in field order",
        ["malformed:invalid_value:version", "malformed:type:epoch", "malformed:non_finite:coh_star", "malformed:invalid_value:regime",
         "malformed:missing:ft.clock_skew_ms"],
        text=json.dumps(dict(ok, version="9", epoch="x", coh_star=float("nan"), regime="?",
                             ft={"outbox_seq": 1, "degraded": False, "fallbacks": []})))
    mal("malformed even when signing is off", ["malformed:missing:D_hat"], rec=without("D_hat"), ring="none")

    write("verdicts.json", {
        "description": "decide(): input (a JSON value) or input_json (text, for what JSON values cannot express), key ring "
                       "('none', or both test keys of 'hmac' / 'ed25519'), params (null = defaults, else a partial override), "
                       "prior verdict, meta (decidedAt, source) -> the full expected verdict. Default tolerances tolD 0.15, "
                       "tolCoh 0.05, tolR 0.05, tolBudget 0.05; budget weights base .10 alpha .30 beta .50 gamma .20 D0 2.2.",
        "keys": KEYS, "cases": cases,
    })


# ---------------------------------------------------------------- v0.2 (contract 7; docs/contract.md 7)
# Written from the contract's text, not from the TypeScript: RFC 8785 of the whole record (sig and
# null members left out, numbers round9'd), tenant key ring, exact-nanosecond freshness.

PUBLIC_V02 = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(HERE))), "shared", "v02_public.json")
PUBLIC_V02_COPY = os.path.join(HERE, "contract-v02-public.json")  # the same file, copied next to the vectors
MAX_SAFE = 2**53 - 1
ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")  # used with fullmatch; ASCII classes only
_DT = r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?"
SENT_AT_RE = re.compile(_DT + r"Z")                                # contract 7.1: Z only, 1-9 fraction digits
RFC3339_RE = re.compile(_DT + r"(Z|[+-][0-9]{2}:[0-9]{2})")      # ring bounds and `now`: Z or +-HH:MM
EPOCH_ORDINAL = datetime.date(1970, 1, 1).toordinal()
KNOWN_TOP = ["pcs_id", "schema", "version", "shard_id", "epoch", "attempt", "sent_at", "seed", "scales", "N_j", "coh_star",
             "v_star", "D_hat", "r", "regime", "budget", "merkle_root", "sig", "ft", "tenant_id", "key_id"]
KNOWN_FT = ["outbox_seq", "degraded", "fallbacks", "clock_skew_ms"]


def time_ns(s, offsets=False):
    """Nanoseconds since 1970-01-01T00:00:00Z of a sent_at (offsets=False) or RFC 3339 time; None if invalid."""
    m = (RFC3339_RE if offsets else SENT_AT_RE).fullmatch(s)
    if not m:
        return None
    y, mo, d, h, mi, sec = (int(m.group(i)) for i in range(1, 7))
    if y < 1 or h > 23 or mi > 59 or sec > 59:
        return None
    try:
        day = datetime.date(y, mo, d).toordinal() - EPOCH_ORDINAL
    except ValueError:  # Feb 30, 2023-02-29, month 13, ...
        return None
    ns = (day * 86400 + h * 3600 + mi * 60 + sec) * 10**9 + int((m.group(7) or "").ljust(9, "0"))
    if offsets and m.group(8) != "Z":
        oh, om = int(m.group(8)[1:3]), int(m.group(8)[4:6])
        if oh > 23 or om > 59:
            return None
        ns -= (1 if m.group(8)[0] == "+" else -1) * (oh * 3600 + om * 60) * 10**9
    return ns


def jcs(v):
    """RFC 8785 as contract 7.2 uses it: object members with a null value left out (any depth), keys
    sorted by UTF-16 code units, every number round9'd then ECMAScript Number::toString."""
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        assert abs(v) <= MAX_SAFE
        return es_number(round9(float(v)))
    if isinstance(v, float):
        return es_number(round9(v))
    if isinstance(v, str):
        return js_string(v)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    if isinstance(v, dict):
        keys = sorted((k for k in v if v[k] is not None), key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(js_string(k) + ":" + jcs(v[k]) for k in keys) + "}"
    raise TypeError(v)


def payload02(rec):
    return jcs({k: v for k, v in rec.items() if k != "sig"})


def digest02(rec):
    return hashlib.sha256(payload02(rec).encode("utf-8")).digest()


UNTRIMMED_SECRET = " " + HMAC_KEY + " \n"  # inline secrets are taken verbatim (contract 7.3: untrimmed)
UTF8_SECRET = "clé-ünï-🔑-" + HMAC_KEY     # the key is the UTF-8 bytes of the string
DEMO_KEY = "demo-key"                      # contract 7.6 public vector
SIGNERS = {"h1": ("hmac", HMAC_KEY), "h2": ("hmac", HMAC_KEY_2), "e1": ("ed25519", ED_SEED_HEX), "e2": ("ed25519", ED_SEED_2_HEX),
           "eo": ("ed25519", ED_SEED_OTHER_HEX), "demo": ("hmac", DEMO_KEY), "untrimmed": ("hmac", UNTRIMMED_SECRET),
           "utf8": ("hmac", UTF8_SECRET), "wrong": ("hmac", "not-a-ring-key")}


def sig_with(signer, digest):
    alg, key = SIGNERS[signer]
    return hmac_sig(digest, key) if alg == "hmac" else ed_sig(digest, key)


RINGS = {
    "main": {"keys": [
        {"key_id": "acme-h1", "tenant_id": "acme", "alg": "hmac", "secret": HMAC_KEY},
        {"key_id": "acme-h2", "tenant_id": "acme", "alg": "hmac", "secret": HMAC_KEY_2,
         "not_before": "2025-01-01T00:00:00Z", "not_after": "2025-12-31T23:59:59.5Z"},
        {"key_id": "acme-h1b", "tenant_id": "acme", "alg": "hmac", "secret": HMAC_KEY},
        {"key_id": "acme-instant", "tenant_id": "acme", "alg": "hmac", "secret": HMAC_KEY_2,
         "not_before": "2025-03-01T12:00:00.123456789Z", "not_after": "2025-03-01T12:00:00.123456789Z"},
        {"key_id": "acme-untrimmed", "tenant_id": "acme", "alg": "hmac", "secret": UNTRIMMED_SECRET},
        {"key_id": "acme-utf8", "tenant_id": "acme", "alg": "hmac", "secret": UTF8_SECRET},
        {"key_id": "globex-e1", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_b64"]},
        {"key_id": "globex-e2", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_2_b64"],
         "not_before": "2025-06-01T01:00:00+01:00", "not_after": "2025-06-30T00:00:00.000000001Z"},
        {"key_id": "k.9_x-1", "tenant_id": "t.9_x-1", "alg": "hmac", "secret": HMAC_KEY},
    ]},
    "public": {"keys": [{"key_id": "acme-2026-11", "tenant_id": "acme", "alg": "hmac", "secret": DEMO_KEY}]},
}
V01_RINGS = {"hmac": [("hmac", HMAC_KEY), ("hmac", HMAC_KEY_2)],
             "ed25519": [("ed25519", KEYS["ed25519_pub_b64"]), ("ed25519", KEYS["ed25519_pub_2_b64"])]}


def verify_sig(alg, key, digest, sig):
    """HMAC key = the secret string; Ed25519 key = base64 public key. sig must be canonical padded base64."""
    if not isinstance(sig, str):
        return False
    try:
        raw = base64.b64decode(sig, validate=True)
    except ValueError:
        return False
    if b64(raw) != sig:
        return False
    if alg == "hmac":
        return len(raw) == 32 and hmac.compare_digest(raw, hmac.new(key.encode("utf-8"), digest, hashlib.sha256).digest())
    if len(raw) != 64:
        return False
    try:
        Ed25519PublicKey.from_public_bytes(base64.b64decode(key)).verify(raw, digest)
        return True
    except InvalidSignature:
        return False


def assert_valid(rec):
    """Sanity check that a record meant to be structurally valid is (a few v0.2 rules; the v0.1 ones by construction)."""
    assert rec["version"] in ("0.1", "0.2"), rec
    assert rec["pcs_id"] == pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"]), rec
    if rec["version"] == "0.2":
        assert set(rec) <= set(KNOWN_TOP) and set(rec["ft"]) <= set(KNOWN_FT), rec
        assert isinstance(rec.get("tenant_id"), str) and ID_RE.fullmatch(rec["tenant_id"]), rec
        assert rec.get("key_id") is None or ID_RE.fullmatch(rec["key_id"]), rec
        assert time_ns(rec["sent_at"]) is not None, rec
        assert all(isinstance(s, int) and 2 <= s <= MAX_SAFE for s in rec["scales"]) and sorted(rec["N_j"], key=int) == sorted(map(str, rec["scales"]), key=int)
        assert all(isinstance(n, int) and 1 <= n <= MAX_SAFE for n in rec["N_j"].values())
        for k in ("epoch", "attempt", "seed"):
            assert isinstance(rec[k], int) and abs(rec[k]) <= MAX_SAFE
        assert isinstance(rec["ft"]["outbox_seq"], int) and abs(rec["ft"]["outbox_seq"]) <= MAX_SAFE


def merge_params(params):
    if params is None:
        return PARAMS
    return {**PARAMS, **{k: v for k, v in params.items() if k != "budget"}, "budget": {**W, **params.get("budget", {})}}


V02_SENT = "2025-03-01T12:00:00Z"
V02_NOW = "2025-03-01T12:00:30Z"
MAX_AGE = 1036800
MAX_SKEW = 300
DROP = object()  # record02(key_id=DROP): leave the member out


def decide02(rec, signatures=True, v01_ring="hmac", ring="main", accept=("0.1", "0.2"), now=V02_NOW, max_age=MAX_AGE,
             max_skew=MAX_SKEW, params=None, prior=None, meta=META):
    """The expected verdict of a structurally valid record: version accepted -> signature -> freshness (v0.2)
    -> dedup -> signals."""
    assert_valid(rec)
    ver = rec["version"]

    def rej(reason, checked):
        return verdict(rec["pcs_id"], "rejected", [reason], meta=meta, rec=rec, checked=checked)

    if ver not in accept:
        return rej("version_not_accepted", False)
    if signatures:
        if ver == "0.1":
            if v01_ring is None or not any(verify_sig(a, k, digest_of(rec), rec.get("sig")) for a, k in V01_RINGS[v01_ring]):
                return rej("signature", True)
        else:
            entries = {e["key_id"]: e for e in RINGS[ring]["keys"]} if ring else {}
            e = entries.get(rec.get("key_id"))
            if e is None:
                return rej("signature:unknown_key", True)
            if e["tenant_id"] != rec["tenant_id"]:
                return rej("signature:tenant_mismatch", True)
            t = time_ns(rec["sent_at"])
            if ("not_before" in e and t < time_ns(e["not_before"], True)) or ("not_after" in e and t > time_ns(e["not_after"], True)):
                return rej("signature:key_window", True)
            key = e["secret"] if e["alg"] == "hmac" else e["public_key_b64"]
            if not verify_sig(e["alg"], key, digest02(rec), rec.get("sig")):
                return rej("signature", True)
    if ver == "0.2":
        age = time_ns(now, True) - time_ns(rec["sent_at"])
        if age > max_age * 10**9:
            return rej("stale", signatures)
        if -age > max_skew * 10**9:
            return rej("clock_skew", signatures)
    if prior is not None:
        assert prior["pcs_id"] == rec["pcs_id"] and prior["tenant_id"] == rec.get("tenant_id")
        return prior if prior["source"] == meta["source"] else dict(prior, duplicate=True, source=meta["source"])
    return expected_signal_verdict(rec, merge_params(params), meta, checked=signatures)


def record02(signer="h1", **over):
    """A v0.2 record: BASE with version 0.2, sent_at V02_SENT, tenant acme, key_id acme-h1 (member order:
    v0.1's, then tenant_id, key_id, sig), overrides applied (DROP removes a member), D_hat/regime/budget
    and pcs_id derived unless given, signed by SIGNERS[signer] over the v0.2 digest (None = unsigned)."""
    rec = copy.deepcopy(BASE)
    rec.update(version="0.2", sent_at=V02_SENT, tenant_id="acme", key_id="acme-h1")
    for k, v in over.items():
        if k in ("D_hat", "regime", "budget", "pcs_id", "sig"):
            continue
        if v is DROP:
            rec.pop(k, None)
        else:
            rec[k] = copy.deepcopy(v)
    d = over.get("D_hat", d_hat(rec["scales"], rec["N_j"]))
    rec["D_hat"] = d
    coh, r = round9(rec["coh_star"]), round9(rec["r"])
    rec["regime"] = over.get("regime", regime(round9(d), coh))
    rec["budget"] = over.get("budget", budget(r, round9(d), coh))
    rec["pcs_id"] = over.get("pcs_id", pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"]))
    if "sig" in over:
        if over["sig"] is not DROP:
            rec["sig"] = over["sig"]
    elif signer:
        rec["sig"] = sig_with(signer, digest02(rec))
    return rec


def resign(rec, signer="h1"):
    """Same record (member order kept), sig replaced by SIGNERS[signer]'s v0.2 signature."""
    out = {k: v for k, v in rec.items() if k != "sig"}
    out["sig"] = sig_with(signer, digest02(out))
    return out


def load_public_v02():
    docs = []
    for path in (PUBLIC_V02, PUBLIC_V02_COPY):
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                docs.append(json.load(f))
    assert docs, "contract 7.6 public vector not found (/work/shared/v02_public.json or test/vectors/contract-v02-public.json)"
    assert all(d == docs[0] for d in docs), "the two copies of the public vector differ"
    pub = docs[0]
    rec, signed = pub["record"], pub["signed"]
    # Byte for byte: our independent payload, digest and HMAC must equal the contract's.
    assert payload02(rec) == pub["payload"], (payload02(rec), pub["payload"])
    assert digest02(rec).hex() == pub["digest_hex"]
    assert hmac_sig(digest02(rec), pub["hmac_key"]) == pub["sig_hmac"] == signed["sig"]
    assert pub["hmac_key"] == DEMO_KEY
    assert payload02(signed) == pub["payload"]
    assert rec["pcs_id"] == pcs_id_of(rec["merkle_root"], rec["epoch"], rec["shard_id"])
    assert pub["dedup_key"] == rec["tenant_id"] + "/" + rec["pcs_id"]
    return pub


def gen_v02_canonical(pub):
    out = []

    def case(name, rec):
        assert_valid(rec)
        digest = digest02(rec)
        out.append({"name": name, "record": rec, "payload": payload02(rec), "digest_hex": digest.hex(),
                    "hmac_sig": hmac_sig(digest), "ed25519_sig": ed_sig(digest)})
        return out[-1]

    case("contract 7.6 public vector (sig null is left out)", pub["record"])
    case("contract 7.6 public vector, signed (sig is not part of the payload)", pub["signed"])
    base = case("sample v0.2 record", record02(None))
    case("ties and -0 inside v_star (round9 ties to even; -0 and -1e-10 become 0)",
         record02(None, v_star=[0.0009765625, -0.0, 0.0029296875, -0.0009765625, 1.0000000005, -1e-10, 2.675, 0.5009765625]))
    case("ties in coh_star, r, D_hat, budget and ft.clock_skew_ms",
         record02(None, coh_star=0.0009765625, r=0.5009765625, D_hat=1.0009765625, budget=0.1259765625,
                  ft={"outbox_seq": 123, "degraded": False, "fallbacks": [], "clock_skew_ms": 2.0009765625}))
    case("-0 in ft.clock_skew_ms prints 0", record02(None, ft={"outbox_seq": 0, "degraded": False, "fallbacks": [], "clock_skew_ms": -0.0}))
    case("ft.clock_skew_ms 1e+21", record02(None, ft={"outbox_seq": 1, "degraded": False, "fallbacks": [], "clock_skew_ms": 1e21}))
    case("ft.clock_skew_ms 5e-7", record02(None, ft={"outbox_seq": 1, "degraded": False, "fallbacks": [], "clock_skew_ms": 5e-7}))
    case("ft.clock_skew_ms other exponent forms and limits (negative 1e-7, 1.5e+300, 123456789012345680000, 5e-324 -> 0)",
         record02(None, v_star=[-1e-7, 1.5e300, 123456789012345680000.0, 5e-324, 1.7976931348623157e308, 0.000001],
                  ft={"outbox_seq": 1, "degraded": False, "fallbacks": [], "clock_skew_ms": -1e-7}))
    case("integral floats print as integers (2.0 -> 2) at every depth",
         record02(None, coh_star=1.0, r=0.0, D_hat=2.0, budget=1.0, v_star=[1.0, -3.0, 0.0],
                  ft={"outbox_seq": 7, "degraded": True, "fallbacks": ["x"], "clock_skew_ms": -12.0}))
    esc = ['q"uote', "back\\slash/", "ctl\b\f\n\r\t\x00\x01\x1f\x7f.", "ls\u2028ps\u2029", "emoji 😀 🏳️‍🌈", "ünï 日本", ""]
    case("escaped strings in ft.fallbacks (quotes, backslash, controls, DEL, U+2028/9, astral, empty)",
         record02(None, ft={"outbox_seq": 1, "degraded": True, "fallbacks": esc, "clock_skew_ms": 0}))
    case("escaped strings in shard_id", record02(None, shard_id='sh"ard\\\b\f\n\r\t\x00\x1f\x7f\u2028\u2029😀-ü'))
    case("fractional sent_at, 1 digit", record02(None, sent_at="2025-03-01T12:00:00.5Z"))
    case("fractional sent_at, 3 digits", record02(None, sent_at="2025-03-01T12:00:00.123Z"))
    case("fractional sent_at, 9 digits", record02(None, sent_at="2025-03-01T12:00:00.123456789Z"))
    case("sent_at year 0001", record02(None, sent_at="0001-01-01T00:00:00Z"))
    case("sent_at leap day 2000-02-29", record02(None, sent_at="2000-02-29T00:00:00Z"))
    case("sent_at 9999-12-31T23:59:59.999999999Z", record02(None, sent_at="9999-12-31T23:59:59.999999999Z"))
    case("2^53-1 in epoch, attempt, seed, ft.outbox_seq, scales and N_j",
         record02(None, epoch=MAX_SAFE, attempt=MAX_SAFE, seed=MAX_SAFE, scales=[2, MAX_SAFE],
                  N_j={"2": MAX_SAFE, str(MAX_SAFE): 1}, ft={"outbox_seq": MAX_SAFE, "degraded": False, "fallbacks": [], "clock_skew_ms": MAX_SAFE}))
    case("-(2^53-1) in epoch, attempt, seed, ft.outbox_seq, ft.clock_skew_ms",
         record02(None, epoch=-MAX_SAFE, attempt=-MAX_SAFE, seed=-MAX_SAFE,
                  ft={"outbox_seq": -MAX_SAFE, "degraded": False, "fallbacks": [], "clock_skew_ms": -MAX_SAFE}))
    absent = case("key_id absent", record02(None, key_id=DROP))
    null = case("key_id null signs like key_id absent", dict(record02(None, key_id=DROP), key_id=None))
    assert absent["payload"] == null["payload"] and absent["hmac_sig"] == null["hmac_sig"]
    nsig = case("sig null and key_id null (both left out)", dict(record02(None, key_id=DROP), sig=None, key_id=None))
    assert nsig["payload"] == absent["payload"]
    case("N_j keys sort as strings: 16 < 2 < 32 < 4 < 8 (the sample) and 10 < 100 < 25 < 3",
         record02(None, scales=[3, 10, 100, 25], N_j={"3": 2, "10": 6, "100": 40, "25": 15}))
    shuffled_src = record02(None)
    shuffled = dict(reversed(list(shuffled_src.items())))
    shuffled["ft"] = dict(reversed(list(shuffled["ft"].items())))
    sh = case("members in reverse order: same payload as the sample", shuffled)
    assert sh["payload"] == base["payload"]
    case("tenant_id and key_id of 64 characters, every allowed character",
         record02(None, tenant_id="0" + "a.b_c-9z" * 7 + "abcdefg", key_id="k" + "-._0123" * 9))
    case("empty v_star, other N_j (mixed regime)", record02(None, v_star=[], N_j={"2": 7, "4": 40, "8": 250, "16": 1500, "32": 9000}, coh_star=0.2, r=0.3))
    return out


def gen_v02_verdicts(pub):
    cases = []

    def add(name, rec=None, text=None, expected=None, signatures=True, v01_ring="hmac", ring="main", accept=("0.1", "0.2"),
            now=V02_NOW, max_age=MAX_AGE, max_skew=MAX_SKEW, params=None, prior=None, meta=META):
        c = {"name": name}
        if text is not None:
            c["input_json"] = text
        else:
            c["input"] = rec
        c.update({"signatures": signatures, "v01_ring": v01_ring, "ring": ring, "accept_versions": list(accept), "now": now,
                  "max_age_seconds": max_age, "max_skew_seconds": max_skew, "params": params, "prior": prior, "meta": meta})
        if expected is None:  # a valid record: derived by the rules
            expected = decide02(rec, signatures, v01_ring, ring, tuple(accept), now, max_age, max_skew, params, prior, meta)
        c["expected"] = expected
        cases.append(c)
        return expected

    def expect(name, reason, rec, **kw):
        """add(), and check that the derived verdict has the reason the case is named for."""
        got = add(name, rec, **kw)
        assert got["reason"] == reason, (name, got["reason"], reason)
        return got

    def mal(name, reasons, rec=None, text=None, pcs_id=None, **kw):
        """Malformed: the expected reasons are written by hand from docs/contract.md 1 and 7.1."""
        if pcs_id is None:
            pcs_id = rec["pcs_id"] if rec is not None and isinstance(rec.get("pcs_id"), str) and len(rec["pcs_id"]) <= 256 else ""
        add(name, rec, text, verdict(pcs_id, "rejected", reasons), **kw)

    ok = record02()
    # ---- accepted
    expect("accepted: hmac tenant key (acme-h1)", "ok", ok)
    expect("accepted: ed25519 tenant key (globex-e1)", "ok", record02("e1", tenant_id="globex", key_id="globex-e1"))
    expect("accepted: hmac key with a window (acme-h2), sent_at inside", "ok", record02("h2", key_id="acme-h2"))
    expect("accepted: inline secret used untrimmed (leading space, trailing space and newline)", "ok",
           record02("untrimmed", key_id="acme-untrimmed"))
    expect("accepted: secret with non-ASCII characters (its UTF-8 bytes)", "ok", record02("utf8", key_id="acme-utf8"))
    expect("accepted: ids using . _ - and digits", "ok", record02("h1", tenant_id="t.9_x-1", key_id="k.9_x-1"))
    expect("accepted: fractional sent_at, 9 digits", "ok", record02(sent_at="2025-03-01T12:00:00.123456789Z"))
    expect("accepted: leap day 2024-02-29", "ok", record02(sent_at="2024-02-29T23:59:59.999Z"), now="2024-03-01T00:00:00Z")
    expect("accepted: leap day of a 400-year century, 2000-02-29", "ok", record02(sent_at="2000-02-29T00:00:00Z"), now="2000-02-29T00:00:01Z")
    expect("accepted: members in another order (the payload sorts them)", "ok",
           dict(reversed(list(ok.items()))))
    expect("accepted: r changed below the 9th digit is the same payload", "ok", dict(ok, r=ok["r"] + 1e-12))
    z = record02(v_star=[0.12, 0.0, -0.05])
    expect("accepted: v_star 0 -> -0 after signing is the same payload", "ok", dict(z, v_star=[0.12, -0.0, -0.05]))
    expect("accepted: ft.clock_skew_ms 0 -> -0 after signing is the same payload", "ok", dict(ok, ft=dict(ok["ft"], clock_skew_ms=-0.0)))
    expect("accepted: extreme integers (2^53-1) signed", "ok",
           record02(epoch=MAX_SAFE, attempt=-MAX_SAFE, seed=MAX_SAFE, ft={"outbox_seq": MAX_SAFE, "degraded": False, "fallbacks": [], "clock_skew_ms": 1e21}))
    expect("escalated (degraded): escaped strings in ft.fallbacks and shard_id, signed", "degraded",
           record02(shard_id='s"\\\n\u2028😀', ft={"outbox_seq": 1, "degraded": True, "fallbacks": ['q"', "b\\", "\x00\x1f\x7f", "\u2028", "😀"], "clock_skew_ms": 0}))
    expect("accepted: now with a UTC offset (+01:00)", "ok", ok, now="2025-03-01T13:00:30+01:00")

    # ---- signature:unknown_key / tenant_mismatch / key_window / signature
    expect("signature:unknown_key: key_id absent", "signature:unknown_key", record02(key_id=DROP))
    expect("signature:unknown_key: key_id null (same as absent)", "signature:unknown_key", dict(record02(key_id=DROP), key_id=None))
    expect("signature:unknown_key: key_id not in the ring", "signature:unknown_key", record02(key_id="acme-h9"))
    expect("signature:unknown_key: no tenant ring configured", "signature:unknown_key", ok, ring=None)
    expect("signature:unknown_key: the public vector's key is not in this ring", "signature:unknown_key", pub["signed"],
           now="2025-01-01T00:00:00Z")
    expect("signature:unknown_key: checked before the tenant and the sig", "signature:unknown_key",
           record02(None, tenant_id="globex", key_id="nobody", sig="AAAA"))
    expect("signature:tenant_mismatch: acme record names globex's key", "signature:tenant_mismatch",
           record02("e1", key_id="globex-e1"))
    expect("signature:tenant_mismatch: globex record names acme's key", "signature:tenant_mismatch",
           record02("h1", tenant_id="globex", key_id="acme-h1"))
    expect("signature:tenant_mismatch: before the key window", "signature:tenant_mismatch",
           record02("h2", tenant_id="globex", key_id="acme-h2", sent_at="2024-06-01T00:00:00Z"), now="2024-06-01T00:00:00Z")
    windows = [
        ("acme-h2", "h2", "2024-12-31T23:59:59.999999999Z", "signature:key_window", "1 ns before not_before"),
        ("acme-h2", "h2", "2025-01-01T00:00:00Z", "ok", "exactly at not_before"),
        ("acme-h2", "h2", "2025-01-01T00:00:00.000000000Z", "ok", "exactly at not_before, 9 zero digits"),
        ("acme-h2", "h2", "2025-12-31T23:59:59.5Z", "ok", "exactly at not_after"),
        ("acme-h2", "h2", "2025-12-31T23:59:59.500Z", "ok", "exactly at not_after, other digits"),
        ("acme-h2", "h2", "2025-12-31T23:59:59.500000001Z", "signature:key_window", "1 ns after not_after"),
        ("acme-h2", "h2", "2026-06-01T00:00:00Z", "signature:key_window", "months after not_after"),
        ("globex-e2", "e2", "2025-05-31T23:59:59.999999999Z", "signature:key_window", "1 ns before a not_before given with +01:00"),
        ("globex-e2", "e2", "2025-06-01T00:00:00Z", "ok", "exactly at a not_before given with +01:00"),
        ("globex-e2", "e2", "2025-06-01T00:30:00Z", "ok", "inside (would be outside if the +01:00 offset were ignored)"),
        ("globex-e2", "e2", "2025-06-30T00:00:00.000000001Z", "ok", "exactly at not_after (nanosecond bound)"),
        ("globex-e2", "e2", "2025-06-30T00:00:00.000000002Z", "signature:key_window", "1 ns after not_after"),
        ("acme-instant", "h2", "2025-03-01T12:00:00.123456789Z", "ok", "not_before = not_after, exactly at it"),
        ("acme-instant", "h2", "2025-03-01T12:00:00.123456788Z", "signature:key_window", "not_before = not_after, 1 ns before"),
        ("acme-instant", "h2", "2025-03-01T12:00:00.12345679Z", "signature:key_window", "not_before = not_after, 1 ns after"),
    ]
    for key_id, signer, sent, reason, what in windows:
        tenant = key_id.split("-")[0]
        expect(f"{reason if reason != 'ok' else 'accepted'}: {key_id} {what}", reason,
               record02(signer, tenant_id=tenant, key_id=key_id, sent_at=sent), now=sent)
    expect("signature:key_window: before the signature (bad sig outside the window)", "signature:key_window",
           record02(None, key_id="acme-h2", sent_at="2024-12-31T00:00:00Z", sig="AAAA"), now="2024-12-31T00:00:00Z")

    bad = bytearray(base64.b64decode(ok["sig"]))
    bad[0] ^= 1
    expect("signature: one bit flipped", "signature", dict(ok, sig=b64(bytes(bad))))
    expect("signature: sig missing", "signature", record02(None))
    expect("signature: sig null (absent)", "signature", dict(record02(None), sig=None))
    expect("signature: sig empty", "signature", dict(ok, sig=""))
    expect("signature: sig not base64", "signature", dict(ok, sig="not base64!"))
    expect("signature: sig unpadded base64", "signature", dict(ok, sig=ok["sig"].rstrip("=")))
    expect("signature: signed with a key not in the ring", "signature", record02("wrong"))
    expect("signature: signed with another key of the same tenant (acme-h2's), names acme-h1: never tries other keys", "signature",
           record02("h2", key_id="acme-h1"))
    expect("signature: signed with the trimmed secret, the ring key is untrimmed", "signature", record02("h1", key_id="acme-untrimmed"))
    expect("signature: ed25519 by a key not in the ring, names globex-e1", "signature", record02("eo", tenant_id="globex", key_id="globex-e1"))
    expect("signature: ed25519 by globex-e2's key, names globex-e1", "signature",
           record02("e2", tenant_id="globex", key_id="globex-e1"))
    expect("signature: hmac sig for an ed25519 key (the key's alg decides)", "signature",
           record02("h1", tenant_id="globex", key_id="globex-e1"))
    expect("signature: ed25519 sig for an hmac key", "signature", record02("e1", key_id="acme-h1"))
    expect("signature: a v0.1 signature (8-field payload) on a v0.2 record", "signature", dict(ok, sig=hmac_sig(digest_of(ok))))
    expect("signature: sig over the payload instead of the digest", "signature",
           dict(ok, sig=b64(hmac.new(HMAC_KEY.encode(), payload02(ok).encode(), hashlib.sha256).digest())))
    changed = [
        ("N_j", dict(ok, N_j=dict(ok["N_j"], **{"32": 33}))),
        ("scales (same set, other order)", dict(ok, scales=[4, 2, 8, 16, 32])),
        ("regime", dict(ok, regime="mixed")),
        ("ft.degraded", dict(ok, ft=dict(ok["ft"], degraded=True))),
        ("ft.fallbacks", dict(ok, ft=dict(ok["ft"], fallbacks=["wal"]))),
        ("ft.outbox_seq", dict(ok, ft=dict(ok["ft"], outbox_seq=124))),
        ("ft.clock_skew_ms", dict(ok, ft=dict(ok["ft"], clock_skew_ms=1))),
        ("sent_at (another instant)", dict(ok, sent_at="2025-03-01T12:00:01Z")),
        ("sent_at (the same instant written 12:00:00.000Z: the string is signed)", dict(ok, sent_at="2025-03-01T12:00:00.000Z")),
        ("attempt (unsigned in v0.1)", dict(ok, attempt=2)),
        ("seed", dict(ok, seed=43)),
        ("v_star", dict(ok, v_star=[0.12, 0.98, -0.06])),
        ("v_star (an element appended)", dict(ok, v_star=[0.12, 0.98, -0.05, 0.0])),
        ("coh_star", dict(ok, coh_star=0.74)),
        ("budget (by 0.001, within tolBudget)", dict(ok, budget=round9(ok["budget"] + 0.001))),
        ("key_id (acme-h1b has the same secret)", dict(ok, key_id="acme-h1b")),
    ]
    for what, rec in changed:
        expect(f"signature: {what} changed after signing", "signature", rec)
    # tenant_id is signed too. A changed tenant_id normally fails the tenant check first; to reach the
    # signature, the original (here: signed by globex-e1 while carrying tenant acme) is altered to match the key.
    orig = record02("e1", key_id="globex-e1")
    expect("signature: tenant_id changed after signing (to the key's tenant)", "signature", dict(orig, tenant_id="globex"))
    expect("signature:tenant_mismatch: tenant_id changed after signing (to another tenant)", "signature:tenant_mismatch",
           dict(ok, tenant_id="globex"))
    expect("signature: checked before signals", "signature", record02(None, D_hat=9.0))

    # ---- freshness
    s5 = record02(sent_at="2025-03-01T12:00:00.5Z")
    expect("fresh: exactly max_age old (12 days)", "ok", s5, now="2025-03-13T12:00:00.5Z")
    expect("fresh: exactly max_age old, now with 9 digits", "ok", s5, now="2025-03-13T12:00:00.500000000Z")
    expect("stale: max_age + 1 ns", "stale", s5, now="2025-03-13T12:00:00.500000001Z")
    expect("stale: max_age + 0.05 s (whole seconds would say fresh)", "stale", record02(sent_at="2025-03-01T12:00:00.9Z"),
           now="2025-03-13T12:00:00.95Z")
    expect("fresh: max_age - 0.05 s", "ok", record02(sent_at="2025-03-01T12:00:00.95Z"), now="2025-03-13T12:00:00.9Z")
    expect("stale: a year old", "stale", ok, now="2026-03-01T12:00:00Z")
    expect("fresh: 12 days across a leap day", "ok", record02(sent_at="2024-02-17T00:00:00Z"), now="2024-02-29T00:00:00Z")
    expect("stale: 12 days + 1 ns across a leap day", "stale", record02(sent_at="2024-02-17T00:00:00Z"), now="2024-02-29T00:00:00.000000001Z")
    expect("fresh: 12 days across a year end", "ok", record02(sent_at="2024-12-25T00:00:00Z"), now="2025-01-06T00:00:00Z")
    expect("fresh: sent exactly max_skew in the future", "ok", record02(sent_at="2025-03-01T12:05:00Z"), now="2025-03-01T12:00:00Z")
    expect("clock_skew: max_skew + 1 ns in the future", "clock_skew", record02(sent_at="2025-03-01T12:05:00.000000001Z"), now="2025-03-01T12:00:00Z")
    expect("clock_skew: 300.1 s in the future (whole seconds would say fresh)", "clock_skew", record02(sent_at="2025-03-01T12:05:00.1Z"),
           now="2025-03-01T12:00:00Z")
    expect("fresh: 299.9 s in the future", "ok", record02(sent_at="2025-03-01T12:04:59.9Z"), now="2025-03-01T12:00:00Z")
    expect("clock_skew: a day in the future", "clock_skew", ok, now="2025-02-28T12:00:00Z")
    expect("fresh: max_skew 0, sent_at = now", "ok", ok, now=V02_SENT, max_skew=0)
    expect("clock_skew: max_skew 0, sent_at 1 ns after now", "clock_skew", record02(sent_at="2025-03-01T12:00:00.000000001Z"), now=V02_SENT, max_skew=0)
    expect("fresh: max_age 60, exactly 60 s old", "ok", ok, now="2025-03-01T12:01:00Z", max_age=60)
    expect("stale: max_age 60, 60.000000001 s old", "stale", ok, now="2025-03-01T12:01:00.000000001Z", max_age=60)
    expect("signature before freshness: stale and badly signed", "signature", record02("wrong"), now="2026-03-01T12:00:00Z")
    expect("signature:unknown_key before freshness", "signature:unknown_key", record02(key_id="nobody"), now="2026-03-01T12:00:00Z")
    expect("signature:key_window before freshness", "signature:key_window", record02("h2", key_id="acme-h2", sent_at="2024-01-01T00:00:00Z"))
    expect("stale before signals", "stale", record02(D_hat=9.0), now="2026-03-01T12:00:00Z")
    v01 = record()
    expect("v0.1: no freshness check (sent 2025-01-01, now 2030)", "ok", v01, now="2030-01-01T00:00:00Z")
    expect("v0.1: sent_at is not parsed", "ok", record(sent_at="yesterday, more or less"), now="2030-01-01T00:00:00Z")

    # ---- version accepted
    expect("version_not_accepted: v0.1 record, accept [0.2]", "version_not_accepted", v01, accept=["0.2"])
    expect("version_not_accepted: v0.2 record, accept [0.1]", "version_not_accepted", ok, accept=["0.1"])
    expect("version_not_accepted: before the signature", "version_not_accepted", record02("wrong"), accept=["0.1"])
    expect("version_not_accepted: before freshness", "version_not_accepted", ok, accept=["0.1"], now="2030-01-01T00:00:00Z")
    expect("accepted: v0.1 record, accept [0.1]", "ok", v01, accept=["0.1"])
    expect("accepted: v0.2 record, accept [0.2]", "ok", ok, accept=["0.2"])
    mal("malformed before version_not_accepted", ["malformed:missing:tenant_id"], record02(tenant_id=DROP), accept=["0.1"])

    # ---- signatures off
    expect("signatures off: unsigned v0.2 record without key_id, no ring", "ok", record02(None, key_id=DROP), signatures=False, v01_ring=None, ring=None)
    expect("signatures off: bad sig, unknown key_id", "ok", record02(None, key_id="nobody", sig="AAAA"), signatures=False, v01_ring=None, ring="main")
    expect("signatures off: tenant not in any ring", "ok", record02(None, tenant_id="umbrella"), signatures=False, v01_ring=None, ring="main")
    expect("signatures off: tenant_id of 64 characters", "ok", record02(None, tenant_id="a" * 64), signatures=False, v01_ring=None, ring=None)
    expect("signatures off: still stale", "stale", record02(None), signatures=False, v01_ring=None, ring=None, now="2026-03-01T12:00:00Z")
    expect("signatures off: still clock_skew", "clock_skew", record02(None), signatures=False, v01_ring=None, ring=None, now="2025-03-01T11:00:00Z")
    expect("signatures off: signals still apply", "degraded", record02(None, ft={"outbox_seq": 1, "degraded": True, "fallbacks": [], "clock_skew_ms": 0}),
           signatures=False, v01_ring=None, ring=None)
    expect("signatures off: v0.1 record", "ok", record(None), signatures=False, v01_ring=None, ring=None)
    expect("signatures off: v0.1 record with a ring configured", "ok", record(None, sig="AAAA"), signatures=False, v01_ring="hmac", ring="main")

    # ---- mixed-version rings
    expect("mixed: v0.1 record (hmac) checked by the v0.1 ring, tenant ring present", "ok", v01, v01_ring="hmac", ring="main")
    expect("mixed: v0.1 record (ed25519) checked by the v0.1 ring", "ok", record("ed25519"), v01_ring="ed25519", ring="main")
    expect("mixed: v0.1 record (rotation key) checked by the v0.1 ring", "ok", record("hmac2"), v01_ring="hmac", ring="main")
    expect("mixed: v0.1 record signed with a key only the tenant ring has", "signature", v01, v01_ring="ed25519", ring="main")
    expect("mixed: v0.1 record, signatures on but no v0.1 ring", "signature", v01, v01_ring=None, ring="main")
    expect("mixed: v0.1 record naming a tenant key is still checked by the v0.1 ring", "ok",
           record(tenant_id="acme", key_id="acme-h1"), v01_ring="hmac", ring="main")
    expect("mixed: v0.1 record naming a tenant key, no v0.1 ring: the tenant ring is never used", "signature",
           record(tenant_id="acme", key_id="acme-h1"), v01_ring=None, ring="main")
    expect("mixed: v0.1 record carrying a v0.2 signature", "signature",
           dict(v01, sig=hmac_sig(digest02(v01))), v01_ring="hmac", ring="main")
    expect("mixed: v0.2 record checked by the tenant ring, v0.1 ring present", "ok", ok, v01_ring="ed25519", ring="main")
    expect("mixed: v0.2 record, only a v0.1 ring", "signature:unknown_key", ok, v01_ring="hmac", ring=None)

    # ---- dedup
    src_prior = {"topic": "pcs.in", "partition": 3, "offset": "7"}
    d0 = d_hat(BASE["scales"], BASE["N_j"])
    prior = verdict(ok["pcs_id"], "accepted", [], d0, ok["budget"], meta={"decidedAt": "2025-03-01T12:00:01.000Z", "source": src_prior},
                    rec=ok, checked=True)
    assert add("duplicate: v0.2 prior from another offset is returned flagged", ok, prior=prior)["duplicate"] is True
    assert add("duplicate: replay of the same offset returns the v0.2 prior unchanged", ok, prior=prior,
               meta={"decidedAt": "2025-03-01T12:00:09.000Z", "source": src_prior}) == prior
    prior_esc = verdict(ok["pcs_id"], "escalated", ["degraded"], d0, ok["budget"], meta={"decidedAt": "2025-03-01T12:00:02.000Z", "source": None},
                        rec=ok, checked=True)
    assert add("duplicate: the stored verdict wins over the current signals", record02(D_hat=9.0), prior=prior_esc)["reasons"] == ["degraded"]
    expect("duplicate: signature is checked before dedup", "signature", record02("wrong"), prior=prior)
    expect("duplicate: freshness is checked before dedup", "stale", ok, prior=prior, now="2026-03-01T12:00:00Z")
    expect("duplicate: version is checked before dedup", "version_not_accepted", ok, prior=prior, accept=["0.1"])

    # ---- signals on a v0.2 record
    sig_all = record02(D_hat=3.5, coh_star=1.5, r=-0.2, regime="non_sticky", budget=0.0,
                       ft={"outbox_seq": 1, "degraded": True, "fallbacks": [], "clock_skew_ms": 0})
    got = expect("escalated: every signal reason on a v0.2 record, in order", "d_hat_mismatch", sig_all)
    assert got["reasons"] == ["d_hat_mismatch", "coh_star_out_of_range", "r_out_of_range", "regime_mismatch", "budget_mismatch", "degraded"]
    expect("escalated: degraded alone (v0.2)", "degraded", record02(ft={"outbox_seq": 1, "degraded": True, "fallbacks": ["wal"], "clock_skew_ms": 3}))
    expect("escalated: budget_mismatch (v0.2)", "budget_mismatch", record02(budget=0.9))
    expect("escalated: regime_mismatch (v0.2)", "regime_mismatch", record02(regime="mixed"))
    expect("accepted: custom params tolD 0.5 (v0.2)", "ok", record02(D_hat=round9(d0 + 0.3)), params={"tolD": 0.5})
    expect("accepted: ed25519 record with other N_j (mixed regime)", "ok",
           record02("e1", tenant_id="globex", key_id="globex-e1", N_j={"2": 7, "4": 40, "8": 250, "16": 1500, "32": 9000}, coh_star=0.2, r=0.3))

    # ---- the contract's public vector
    got = expect("public vector: accepted (ring 'public', demo-key)", "ok", pub["signed"], ring="public", now="2025-01-01T00:00:10Z")
    assert got["recomputed_D_hat"] == pub["recomputed_D_hat"] and got["recomputed_budget"] == pub["recomputed_budget"]
    expect("public vector: exactly 12 days later, fresh", "ok", pub["signed"], ring="public", now="2025-01-13T00:00:00Z")
    expect("public vector: 12 days + 1 ns later, stale", "stale", pub["signed"], ring="public", now="2025-01-13T00:00:00.000000001Z")
    expect("public vector: unsigned (sig null)", "signature", pub["record"], ring="public", now="2025-01-01T00:00:10Z")

    # ---- malformed v0.2 (expected reasons written by hand from docs/contract.md 1 and 7.1)
    u = record02(None)
    mal("tenant_id missing", ["malformed:missing:tenant_id"], record02(tenant_id=DROP))
    mal("tenant_id null", ["malformed:missing:tenant_id"], record02(tenant_id=None))
    mal("tenant_id number", ["malformed:type:tenant_id"], record02(tenant_id=7))
    for what, t in [("empty", ""), ("uppercase", "Acme"), ("all uppercase", "ACME"), ("65 characters", "a" * 65), ("leading '-'", "-acme"),
                    ("leading '.'", ".acme"), ("leading '_'", "_acme"), ("space", "acme corp"), ("slash", "acme/x"),
                    ("non-ASCII letter", "acmé"), ("trailing newline", "acme\n"), ("fullwidth digit", "acme１")]:
        mal(f"tenant_id pattern: {what}", ["malformed:invalid_value:tenant_id"], record02(tenant_id=t))
    mal("key_id number", ["malformed:type:key_id"], record02(key_id=5))
    for what, k in [("empty", ""), ("uppercase", "Acme-H1"), ("65 characters", "k" * 65), ("leading '-'", "-k"), ("colon", "acme:1"),
                    ("trailing newline", "acme-h1\n")]:
        mal(f"key_id pattern: {what}", ["malformed:invalid_value:key_id"], record02(key_id=k))
    mal("sent_at missing", ["malformed:missing:sent_at"], record02(sent_at=DROP))
    mal("sent_at number", ["malformed:type:sent_at"], record02(sent_at=1740830400))
    mal("sent_at null", ["malformed:type:sent_at"], record02(sent_at=None))
    for what, t in [("lowercase t", "2025-03-01t12:00:00Z"), ("lowercase z", "2025-03-01T12:00:00z"), ("offset +00:00 instead of Z", "2025-03-01T12:00:00+00:00"),
                    ("offset -05:00", "2025-03-01T07:00:00-05:00"), ("no zone", "2025-03-01T12:00:00"), ("10 fraction digits", "2025-03-01T12:00:00.1234567890Z"),
                    ("empty fraction", "2025-03-01T12:00:00.Z"), ("comma fraction", "2025-03-01T12:00:00,5Z"), ("Feb 30", "2025-02-30T12:00:00Z"),
                    ("2023-02-29 (not a leap year)", "2023-02-29T12:00:00Z"), ("1900-02-29 (century, not a leap year)", "1900-02-29T12:00:00Z"),
                    ("April 31", "2025-04-31T12:00:00Z"), ("month 13", "2025-13-01T12:00:00Z"), ("month 00", "2025-00-10T12:00:00Z"),
                    ("day 00", "2025-03-00T12:00:00Z"), ("year 0000", "0000-01-01T00:00:00Z"), ("hour 24", "2025-03-01T24:00:00Z"),
                    ("minute 60", "2025-03-01T12:60:00Z"), ("second 60 (no leap seconds)", "2016-12-31T23:59:60Z"), ("space instead of T", "2025-03-01 12:00:00Z"),
                    ("no seconds", "2025-03-01T12:00Z"), ("one-digit month", "2025-3-01T12:00:00Z"), ("five-digit year", "12025-03-01T12:00:00Z"),
                    ("signed year", "+2025-03-01T12:00:00Z"), ("date only", "2025-03-01"), ("leading space", " 2025-03-01T12:00:00Z"),
                    ("trailing newline", "2025-03-01T12:00:00Z\n"), ("fullwidth digit", "2025-03-01T12:00:0０Z"), ("empty", "")]:
        mal(f"sent_at: {what}", ["malformed:invalid_value:sent_at"], record02(sent_at=t))
    mal("unexpected top-level member (allowed in v0.1)", ["malformed:unexpected_key:vrf_proof"], record02(vrf_proof={"pi": "abc"}))
    mal("unexpected top-level member with null value", ["malformed:unexpected_key:extra"], record02(extra=None))
    mal("unexpected top-level member, unsafe name shown with ?", ["malformed:unexpected_key:a?b?c"], record02(**{"a b.c": 1}))
    mal("unexpected ft member", ["malformed:unexpected_key:ft.note"], record02(ft=dict(ok["ft"], note="x")))
    mal("unexpected ft members come after the ft checks, in member order",
        ["malformed:type:ft.degraded", "malformed:unexpected_key:ft.zz", "malformed:unexpected_key:ft.aa"],
        record02(ft={"zz": 1, "outbox_seq": 1, "degraded": "no", "aa": 2, "fallbacks": [], "clock_skew_ms": 0}))
    m = {}
    for k, v in record02(None).items():
        m[k] = v
        if k == "pcs_id":
            m["zeta"] = 1  # an unexpected member early in member order still comes after the tenant/key checks
    m.update(sent_at="2025-03-01T12:00:00", tenant_id="Bad", key_id="", alpha=2, epoch=2)
    m["ft"] = dict(m["ft"], extra=True)
    mal("several v0.2 problems, in the documented order",
        ["malformed:invalid_value:sent_at", "malformed:unexpected_key:ft.extra", "malformed:invalid_value:tenant_id",
         "malformed:invalid_value:key_id", "malformed:unexpected_key:zeta", "malformed:unexpected_key:alpha", "malformed:pcs_id_mismatch"], m)
    mal("null element in v_star", ["malformed:type:v_star[1]"], dict(u, v_star=[0.1, None]))
    mal("null element in ft.fallbacks", ["malformed:type:ft.fallbacks[0]"], dict(u, ft=dict(u["ft"], fallbacks=[None])))
    mal("N_j value 2^53", ["malformed:out_of_range:N_j.32"], dict(u, N_j=dict(u["N_j"], **{"32": 2**53})))
    mal("ft.outbox_seq -(2^53)", ["malformed:out_of_range:ft.outbox_seq"], dict(u, ft=dict(u["ft"], outbox_seq=-(2**53))))
    mal("pcs_id mismatch (v0.2)", ["malformed:pcs_id_mismatch"], dict(ok, shard_id="shard-002"))
    mal("malformed even with signatures off", ["malformed:missing:tenant_id"], record02(None, tenant_id=DROP), signatures=False, v01_ring=None, ring=None)
    text = json.dumps(ok, ensure_ascii=False)
    mal("duplicate key tenant_id (input_json)", ["malformed:duplicate_key:tenant_id"], text=text[:-1] + ', "tenant_id": "globex"}', pcs_id="")
    mal("duplicate key inside ft (input_json)", ["malformed:duplicate_key:ft.degraded"],
        text=text.replace('"degraded": false', '"degraded": false, "degraded": true'), pcs_id="")
    mal("lone surrogate in ft.fallbacks (input_json)", ["malformed:encoding:ft.fallbacks[0]"],
        text=text.replace('"fallbacks": []', '"fallbacks": ["\\ud800"]'), pcs_id=ok["pcs_id"])
    mal("lone low surrogate in ft.fallbacks (input_json)", ["malformed:encoding:ft.fallbacks[1]"],
        text=text.replace('"fallbacks": []', '"fallbacks": ["ok", "x\\udc00y"]'), pcs_id=ok["pcs_id"])
    mal("NaN in ft.clock_skew_ms (input_json)", ["malformed:non_finite:ft.clock_skew_ms"],
        text=text.replace('"clock_skew_ms": 0', '"clock_skew_ms": NaN'), pcs_id=ok["pcs_id"])
    for c in cases:
        if "input_json" in c and c["name"].startswith(("duplicate key", "lone", "NaN")):
            assert c["input_json"] != text, c["name"]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), [n for n in names if names.count(n) > 1]
    return cases


def gen_v02_bad_rings():
    h1 = {"key_id": "acme-h1", "tenant_id": "acme", "alg": "hmac", "secret": HMAC_KEY}
    e1 = {"key_id": "globex-e1", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_b64"]}
    pub = ed_pub(ED_SEED_HEX)
    P = 2**255 - 19

    def ring(*entries):
        return json.dumps({"keys": [h1, e1] + list(entries)}, ensure_ascii=False)

    def hm(**kw):
        return {"key_id": "acme-x", "tenant_id": "acme", "alg": "hmac", **kw}

    def ed(**kw):
        return {"key_id": "globex-x", "tenant_id": "globex", "alg": "ed25519", **kw}

    cases = [
        ("not JSON: unquoted names", "{keys: []}", {}, "not JSON"),
        ("not JSON: truncated", '{"keys": [', {}, "not JSON"),
        ("not JSON: empty text", "", {}, "not JSON"),
        ("not JSON: trailing comma", '{"keys": [],}', {}, "not JSON"),
        ("no keys array: empty object", "{}", {}, "keys"),
        ("no keys array: keys is an object", '{"keys": {}}', {}, "keys"),
        ("no keys array: top level is an array", json.dumps([h1]), {}, "keys"),
        ("unknown top-level member", json.dumps({"keys": [h1], "comment": "x"}), {}, "unknown member"),
        ("unknown member in an entry", ring(hm(comment="rotated 2025")), {}, "keys[2] unknown member"),
        ("unknown member in an entry: a misspelt not_afer", ring(hm(secret="s", not_afer="2026-01-01T00:00:00Z")), {}, "keys[2] unknown member"),
        ("duplicate key_id", json.dumps({"keys": [h1, dict(h1, secret=HMAC_KEY_2)]}), {}, "keys[1] duplicate key_id"),
        ("duplicate key_id across tenants and algs", ring(dict(e1, tenant_id="acme")), {}, "keys[2] duplicate key_id"),
        ("unknown alg", ring(hm(alg="rsa", secret="s")), {}, "keys[2] unknown alg"),
        ("unknown alg: HMAC in uppercase", ring(hm(alg="HMAC", secret="s")), {}, "keys[2] unknown alg"),
        ("hmac entry with two secret sources (secret and secret_env)", ring(hm(secret="s", secret_env="FLK_VECTORS_SECRET")),
         {"FLK_VECTORS_SECRET": "s"}, "keys[2] secret"),
        ("hmac entry with two secret sources (secret_env and secret_file)", ring(hm(secret_env="FLK_VECTORS_SECRET", secret_file="/dev/null")),
         {"FLK_VECTORS_SECRET": "s"}, "keys[2] secret"),
        ("hmac entry with no secret source", ring(hm()), {}, "keys[2] secret"),
        ("secret_env names an unset variable", ring(hm(secret_env="FLK_VECTORS_UNSET_VARIABLE")), {}, "keys[2] secret"),
        ("secret_env names an empty variable", ring(hm(secret_env="FLK_VECTORS_EMPTY")), {"FLK_VECTORS_EMPTY": ""}, "keys[2] secret"),
        ("secret_file that does not exist", ring(hm(secret_file="/nonexistent/flk-vectors/secret")), {}, "keys[2] secret"),
        ("empty inline secret", ring(hm(secret="")), {}, "keys[2] secret"),
        ("public_key_b64 not base64", ring(ed(public_key_b64="not base64!")), {}, "keys[2] public_key_b64"),
        ("public_key_b64 unpadded (non-canonical base64)", ring(ed(public_key_b64=b64(pub).rstrip("="))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 of 31 bytes", ring(ed(public_key_b64=b64(pub[:31]))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 of 33 bytes", ring(ed(public_key_b64=b64(pub + b"\x00"))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 small order (identity)", ring(ed(public_key_b64=b64((1).to_bytes(32, "little")))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 small order (order 2, y = -1)", ring(ed(public_key_b64=b64((P - 1).to_bytes(32, "little")))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 small order (order 4, y = 0)", ring(ed(public_key_b64=b64((0).to_bytes(32, "little")))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 non-canonical y (p + 1)", ring(ed(public_key_b64=b64((P + 1).to_bytes(32, "little")))), {}, "keys[2] public_key_b64"),
        ("public_key_b64 not on the curve", ring(ed(public_key_b64=b64((2).to_bytes(32, "little")))), {}, "keys[2] public_key_b64"),
        ("ed25519 entry without public_key_b64", ring(ed()), {}, "keys[2] public_key_b64"),
        ("bad not_before: month 13", ring(hm(secret="s", not_before="2025-13-01T00:00:00Z")), {}, "keys[2] not_before"),
        ("bad not_before: date only", ring(hm(secret="s", not_before="2025-01-01")), {}, "keys[2] not_before"),
        ("bad not_before: no zone", ring(hm(secret="s", not_before="2025-01-01T00:00:00")), {}, "keys[2] not_before"),
        ("bad not_before: Feb 30", ring(hm(secret="s", not_before="2025-02-30T00:00:00Z")), {}, "keys[2] not_before"),
        ("bad not_before: a number", ring(hm(secret="s", not_before=1735689600)), {}, "keys[2] not_before"),
        ("bad not_after: hour 24", ring(hm(secret="s", not_after="2025-01-01T24:00:00Z")), {}, "keys[2] not_after"),
        ("not_after before not_before", ring(hm(secret="s", not_before="2025-06-01T00:00:00Z", not_after="2025-05-31T23:59:59.999999999Z")),
         {}, "keys[2] not_after"),
        ("not_after before not_before, across an offset", ring(hm(secret="s", not_before="2025-06-01T00:30:00Z", not_after="2025-06-01T01:00:00+01:00")),
         {}, "keys[2] not_after"),
        ("bad key_id pattern: uppercase", ring(hm(secret="s", key_id="Acme-X")), {}, "keys[2] key_id"),
        ("bad key_id pattern: 65 characters", ring(hm(secret="s", key_id="k" * 65)), {}, "keys[2] key_id"),
        ("bad key_id pattern: leading '-'", ring(hm(secret="s", key_id="-x")), {}, "keys[2] key_id"),
        ("key_id missing", ring({"tenant_id": "acme", "alg": "hmac", "secret": "s"}), {}, "keys[2] key_id"),
        ("bad tenant_id pattern", ring(hm(secret="s", tenant_id="ACME")), {}, "keys[2] tenant_id"),
        ("tenant_id missing", ring({"key_id": "acme-x", "alg": "hmac", "secret": "s"}), {}, "keys[2] tenant_id"),
        ("bad entry first: keys[0]", json.dumps({"keys": [hm(secret=""), h1]}), {}, "keys[0] secret"),
    ]
    out = []
    for name, text, env, problem in cases:
        out.append({"name": name, "ring_json": text, "env": env, "problem": problem})
    names = [c["name"] for c in out]
    assert len(names) == len(set(names))
    return out


def gen_v02():
    pub = load_public_v02()
    for name, r in RINGS.items():  # the rings we ship must themselves be valid
        ids = [e["key_id"] for e in r["keys"]]
        assert len(ids) == len(set(ids)), name
        for e in r["keys"]:
            assert ID_RE.fullmatch(e["key_id"]) and ID_RE.fullmatch(e["tenant_id"])
            if "not_before" in e and "not_after" in e:
                assert time_ns(e["not_before"], True) <= time_ns(e["not_after"], True)
    canonical = gen_v02_canonical(pub)
    verdicts = gen_v02_verdicts(pub)
    bad_rings = gen_v02_bad_rings()
    write("v02.json", {
        "description": "PCS v0.2 (contract 7, docs/contract.md 7). canonical: v0.2 records -> payload (RFC 8785 of the record without sig, "
                       "null members left out, numbers round9'd), digest_hex, hmac_sig (keys.hmac_key), ed25519_sig (keys.ed25519_priv_b64). "
                       "verdicts: input | input_json, signatures (on/off), v01_ring (null | 'hmac' | 'ed25519' = both test keys, as "
                       "verdicts.json), ring (a name in rings | null), accept_versions, now (RFC 3339), max_age_seconds, max_skew_seconds, "
                       "params, prior, meta -> expected (the full verdict). bad_rings: ring file text + environment -> a start-up error "
                       "containing problem (see README.md). Rings carry TEST-ONLY inline secrets/public keys.",
        "keys": KEYS, "rings": RINGS, "canonical": canonical, "verdicts": verdicts, "bad_rings": bad_rings,
    })
    return len(canonical), len(verdicts), len(bad_rings)


if __name__ == "__main__":
    gen_round9()
    gen_canonical()
    gen_signatures()
    gen_signals()
    gen_build()
    gen_verdicts()
    gen_v02()
