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
import hashlib
import hmac
import json
import math
import os
import random
import struct
import zlib
from decimal import Decimal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

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


def verdict(pcs_id, status, reasons, d_rec=None, b_rec=None, tenant=None, meta=META, duplicate=False):
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
        "tenant_id": tenant,
    }


def expected_signal_verdict(rec, params=PARAMS, meta=META):
    reasons, d_rec, b_rec = signal_reasons(rec, params)
    return verdict(rec["pcs_id"], "escalated" if reasons else "accepted", reasons, d_rec, b_rec, rec.get("tenant_id"), meta)


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
        add(name, expected_signal_verdict(rec, p, meta), rec=rec, ring=ring, params=params, meta=meta)

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
    add("signature: missing", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=record(None))
    add("signature: wrong key", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=dict(ok, sig=hmac_sig(digest_of(ok), "wrong")))
    add("signature: ed25519 key not in ring", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=record("ed25519_other"), ring="ed25519")
    add("signature: hmac sig on an ed25519 ring", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=ok, ring="ed25519")
    add("signature: a signed field changed after signing", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=dict(ok, budget=round9(ok["budget"] + 0.01)))
    add("signature: r changed below the 9th digit is the same payload (accepted)",
        expected_signal_verdict(dict(ok, r=ok["r"] + 1e-12)), rec=dict(ok, r=ok["r"] + 1e-12))
    add("signature: unsigned field changed (attempt) keeps the signature valid",
        expected_signal_verdict(dict(ok, attempt=2)), rec=dict(ok, attempt=2))
    add("signature: checked before signals", verdict(ok["pcs_id"], "rejected", ["signature"]),
        rec=record(None, D_hat=9.0))
    add("signature: tenant_id kept on rejection", verdict(ok["pcs_id"], "rejected", ["signature"], tenant="t1"),
        rec=record(None, tenant_id="t1"))

    # dedup
    prior = verdict(ok["pcs_id"], "accepted", [], d0, ok["budget"], meta={"decidedAt": "2024-12-31T23:59:59.000Z",
                                                                            "source": {"topic": "pcs.in", "partition": 3, "offset": "7"}})
    add("duplicate: prior from another offset is returned flagged", dict(prior, duplicate=True, source=META["source"]), rec=ok, prior=prior)
    add("duplicate: replay of the same offset returns the prior unchanged", prior, rec=ok, prior=prior,
        meta={"decidedAt": "2025-01-01T00:00:09Z", "source": {"topic": "pcs.in", "partition": 3, "offset": "7"}})
    prior_esc = verdict(ok["pcs_id"], "escalated", ["budget_mismatch"], d0, 0.1, meta={"decidedAt": "2024-12-31T00:00:00.000Z", "source": None})
    add("duplicate: the stored verdict wins over the current signals", dict(prior_esc, duplicate=True, source=META["source"]), rec=record(D_hat=9.0), prior=prior_esc)
    add("duplicate: null source equals null source", prior_esc, rec=ok, prior=prior_esc, meta={"decidedAt": "2025-01-01T00:00:00Z", "source": None})
    add("duplicate: signature is checked before dedup", verdict(ok["pcs_id"], "rejected", ["signature"]), rec=record(None), prior=prior)

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
    mal("version wrong", ["malformed:invalid_value:version"], rec=dict(ok, version="0.2"))
    # §1 says nothing of the sig's encoding: a sig that is not canonical padded base64 is a wrong
    # signature (§5 "signature missing or wrong"), not a malformed record.
    add("signature: sig not base64", verdict(pid, "rejected", ["signature"]), rec=dict(ok, sig="not base64!"))
    add("signature: sig non-canonical base64 (unpadded)", verdict(pid, "rejected", ["signature"]), rec=dict(ok, sig=ok["sig"].rstrip("=")))
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


if __name__ == "__main__":
    gen_round9()
    gen_canonical()
    gen_signatures()
    gen_signals()
    gen_build()
    gen_verdicts()
