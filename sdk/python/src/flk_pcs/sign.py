"""Contract §2.5–2.6: signers (producer side) and v0.1 key rings (verifier side) for HMAC-SHA256
and Ed25519; both sign the 32-byte digest of the canonical payload. Port of libs/pcs/src/sign.ts.

HMAC uses the standard library. Ed25519 uses ``cryptography`` (OpenSSL: strict RFC 8032, S ≥ L
rejected, R compared canonically), imported only when an Ed25519 key is used, so HMAC signing and
canonical payloads work with nothing installed. Public keys are checked here first (canonical
32-byte encoding of a curve point of not small order), as the TS core does.
"""
from __future__ import annotations

import hashlib
import hmac as _hmac
from typing import Any, Callable, Mapping, Optional, Protocol, Sequence

from .b64 import base64_decode, base64_encode
from .canonical import signing_digest
from .ed25519_point import L, decode_point, is_small_order
from .errors import PCS_ERROR_CODES, FlkPcsError, invalid_argument

SIGN_ALGS = ("none", "hmac", "ed25519")
SIGNATURE_BYTES = {"hmac": 32, "ed25519": 64}
_ED25519_KEY_BYTES = 32


def _invalid_key(message: str) -> FlkPcsError:
    return FlkPcsError(PCS_ERROR_CODES.INVALID_KEY, message)


def _cryptography() -> Any:
    try:
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise FlkPcsError(
            PCS_ERROR_CODES.INVALID_KEY,
            "Ed25519 needs the 'cryptography' package (pip install 'flk-pcs[ed25519]')",
        ) from e
    return ed25519


class Signer(Protocol):
    """``alg`` ('hmac' | 'ed25519') and ``sign(digest) -> base64``."""

    @property
    def alg(self) -> str: ...

    def sign(self, digest: bytes) -> str: ...


def hmac_key_bytes(key: object) -> bytes:
    """HMAC key bytes (§2.5: the UTF-8 bytes of the configured string, untrimmed); empty is refused."""
    if not isinstance(key, str) or key == "":
        raise _invalid_key("HMAC key must be a non-empty string")
    return _utf8(key)


def _utf8(s: str) -> bytes:
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:  # from os.environ: undecodable bytes come back as they were
        return s.encode("utf-8", "surrogateescape")


def _decode_key(b64: object, what: str) -> bytes:
    raw = base64_decode(b64) if isinstance(b64, str) else None
    if raw is None:
        raise _invalid_key(f"{what} is not valid standard padded base64")
    if len(raw) != _ED25519_KEY_BYTES:
        raise _invalid_key(f"{what} must decode to {_ED25519_KEY_BYTES} bytes, got {len(raw)}")
    return raw


def _check_digest(digest: object) -> bytes:
    if not isinstance(digest, (bytes, bytearray)) or len(digest) != 32:
        raise invalid_argument("sign: digest must be 32 bytes (SHA-256)")
    return bytes(digest)


class HmacSigner:
    """HMAC-SHA256 signer; the key is used as its UTF-8 bytes (PCS_HMAC_KEY)."""

    __slots__ = ("_key",)

    def __init__(self, key: str) -> None:
        self._key = hmac_key_bytes(key)

    @property
    def alg(self) -> str:
        return "hmac"

    def sign(self, digest: bytes) -> str:
        return base64_encode(_hmac.new(self._key, _check_digest(digest), hashlib.sha256).digest())

    def __repr__(self) -> str:  # never the key
        return "HmacSigner(<redacted>)"


class Ed25519Signer:
    """Ed25519 signer from the base64 32-byte seed (PCS_ED25519_PRIV_B64)."""

    __slots__ = ("_key",)

    def __init__(self, priv_b64: str) -> None:
        seed = _decode_key(priv_b64, "Ed25519 private key")
        self._key = _cryptography().Ed25519PrivateKey.from_private_bytes(seed)

    @property
    def alg(self) -> str:
        return "ed25519"

    def sign(self, digest: bytes) -> str:
        return base64_encode(self._key.sign(_check_digest(digest)))

    def __repr__(self) -> str:
        return "Ed25519Signer(<redacted>)"


def create_hmac_signer(key: str) -> HmacSigner:
    return HmacSigner(key)


def create_ed25519_signer(priv_b64: str) -> Ed25519Signer:
    return Ed25519Signer(priv_b64)


def generate_ed25519_key_pair() -> tuple[str, str]:
    """A fresh key pair as base64 (seed, public key), from the OS CSPRNG."""
    import os

    seed = os.urandom(32)
    return base64_encode(seed), _public_of_seed(seed)


def _public_of_seed(seed: bytes) -> str:
    from cryptography.hazmat.primitives import serialization

    key = _cryptography().Ed25519PrivateKey.from_private_bytes(seed)
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64_encode(pub)


def ed25519_public_key_of(priv_b64: str) -> str:
    """The base64 public key of a base64 seed (what to put in PCS_ED25519_PUB_B64)."""
    return _public_of_seed(_decode_key(priv_b64, "Ed25519 private key"))


def constant_time_equal(a: bytes, b: bytes) -> bool:
    """Compares two byte strings in time that depends only on their lengths."""
    return _hmac.compare_digest(a, b)


def check_ed25519_public_key(b64: object, what: str) -> bytes:
    """The 32 bytes of a usable public key: canonical padded base64 of a canonical curve point not
    of small order. Raises FlkPcsError (PCS_INVALID_KEY)."""
    raw = _decode_key(b64, what)
    point = decode_point(raw)
    if point is None:
        raise _invalid_key(f"{what} is not a valid curve point")
    if is_small_order(point):
        raise _invalid_key(f"{what} has small order")
    return raw


def decode_signature(sig_b64: object, length: int) -> Optional[bytes]:
    """The bytes of a signature of exactly ``length`` bytes in canonical padded base64, else None."""
    if not isinstance(sig_b64, str) or len(sig_b64) > 4 * length:
        return None
    sig = base64_decode(sig_b64)
    return sig if sig is not None and len(sig) == length else None


def hmac_verifier(key: bytes) -> Callable[[bytes, bytes], bool]:
    def verify(digest: bytes, sig: bytes) -> bool:
        return _hmac.compare_digest(_hmac.new(key, digest, hashlib.sha256).digest(), sig)

    return verify


def ed25519_verifier(public_key: bytes) -> Callable[[bytes, bytes], bool]:
    pub = _cryptography().Ed25519PublicKey.from_public_bytes(public_key)

    def verify(digest: bytes, sig: bytes) -> bool:
        if len(sig) != 64 or int.from_bytes(sig[32:], "little") >= L:
            return False  # RFC 8032 §5.1.7: S must be < L (OpenSSL checks too; explicit here)
        try:
            pub.verify(sig, digest)
            return True
        except Exception:  # noqa: BLE001 - InvalidSignature or malformed input: not verified
            return False

    return verify


class KeyRing:
    """The v0.1 verifier key ring: every key listed is accepted (rotation, §2.6). ``verify`` never
    raises: a missing, badly encoded or wrong-length signature is simply False; for alg 'none' it
    is always True (no check)."""

    __slots__ = ("alg", "_checks", "_length")

    def __init__(self, alg: str, checks: Sequence[Callable[[bytes, bytes], bool]], length: int) -> None:
        self.alg = alg
        self._checks = list(checks)
        self._length = length

    def verify(self, digest: bytes, sig_b64: Optional[str]) -> bool:
        if self.alg == "none":
            return True
        if not isinstance(digest, (bytes, bytearray)):
            return False
        sig = decode_signature(sig_b64, self._length)
        if sig is None:
            return False
        ok = False
        for check in self._checks:  # every key is tried: timing does not tell which matched
            ok = check(bytes(digest), sig) or ok
        return ok

    def __repr__(self) -> str:
        return f"KeyRing(alg={self.alg!r}, keys={len(self._checks)})"


def create_key_ring(
    alg: str, hmac_keys: Optional[Sequence[str]] = None, ed25519_public_keys_b64: Optional[Sequence[str]] = None
) -> KeyRing:
    """A v0.1 ring (``createKeyRing``). Keys are checked once here; bad key material raises
    FlkPcsError (PCS_INVALID_KEY) whose message never contains the key."""
    if alg == "none":
        return KeyRing("none", [], 0)
    if alg == "hmac":
        keys = list(hmac_keys or [])
        if not keys:
            raise _invalid_key("an hmac key ring needs at least one key")
        return KeyRing("hmac", [hmac_verifier(hmac_key_bytes(k)) for k in keys], SIGNATURE_BYTES["hmac"])
    if alg == "ed25519":
        pubs = list(ed25519_public_keys_b64 or [])
        if not pubs:
            raise _invalid_key("an ed25519 key ring needs at least one public key")
        raws = [check_ed25519_public_key(b, f"Ed25519 public key #{i + 1}") for i, b in enumerate(pubs)]
        return KeyRing("ed25519", [ed25519_verifier(r) for r in raws], SIGNATURE_BYTES["ed25519"])
    raise invalid_argument(f"unknown signature algorithm '{alg}' (expected none|hmac|ed25519)")


def sign_pcs(rec: Mapping[str, Any], signer: Signer) -> dict[str, Any]:
    """The record with ``sig`` set to the signer's signature of its signing digest (§2, §7.2)."""
    out = dict(rec)
    out["sig"] = signer.sign(signing_digest(rec))
    return out
