"""Contract §7.3: the v0.2 key ring (``PCS_KEYRING_FILE``, format in docs/contract.md §7.3). Every
key has a key_id, exactly one tenant, an algorithm, its secret or public key and an optional
inclusive validity window. A v0.2 record is checked with the one key its key_id names, never by
trying the others. Port of libs/pcs/src/keyring.ts (+ loadTenantRing of @flk/config)."""
from __future__ import annotations

import os
import re
from typing import Any, Callable, Mapping, Optional, Protocol, Sequence

from .errors import PCS_ERROR_CODES, FlkPcsError
from .jsontext import js_keys, read_json
from .sign import (
    SIGNATURE_BYTES,
    check_ed25519_public_key,
    decode_signature,
    ed25519_verifier,
    hmac_key_bytes,
    hmac_verifier,
)
from .timeparse import Instant, parse_rfc3339
from .validate import matches_id

ENTRY_MEMBERS = frozenset(
    ("key_id", "tenant_id", "alg", "secret", "secret_file", "secret_env", "public_key_b64", "not_before", "not_after")
)
SECRET_SOURCES = ("secret", "secret_file", "secret_env")
MAX_RING_KEYS = 10_000
_UNSAFE = re.compile(r"[^A-Za-z0-9_.\-]")


class KeyRingSources(Protocol):
    """Where ``secret_file`` / ``secret_env`` are read from."""

    def env(self, name: str) -> Optional[str]: ...

    def read_file(self, path: str) -> str: ...


class OsSources:
    """The process environment and the file system."""

    def __init__(self, env: Optional[Mapping[str, str]] = None) -> None:
        self._env = os.environ if env is None else env

    def env(self, name: str) -> Optional[str]:
        return self._env.get(name)

    def read_file(self, path: str) -> str:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")


class _NoSources:
    def env(self, name: str) -> Optional[str]:
        return None

    def read_file(self, path: str) -> str:
        raise OSError("no file access")


class TenantKey:
    """One key of the ring. ``verify(digest, sig_b64)`` never raises."""

    __slots__ = ("key_id", "tenant_id", "alg", "not_before", "not_after", "_check", "_length")

    def __init__(
        self,
        key_id: str,
        tenant_id: str,
        alg: str,
        not_before: Optional[Instant],
        not_after: Optional[Instant],
        check: Callable[[bytes, bytes], bool],
        length: int,
    ) -> None:
        self.key_id = key_id
        self.tenant_id = tenant_id
        self.alg = alg
        self.not_before = not_before
        self.not_after = not_after
        self._check = check
        self._length = length

    def verify(self, digest: bytes, sig_b64: Optional[str]) -> bool:
        sig = decode_signature(sig_b64, self._length)
        return sig is not None and isinstance(digest, (bytes, bytearray)) and self._check(bytes(digest), sig)

    def __repr__(self) -> str:  # never the secret
        return f"TenantKey(key_id={self.key_id!r}, tenant_id={self.tenant_id!r}, alg={self.alg!r})"


class TenantKeyRing:
    __slots__ = ("_by_id", "keys", "tenants")

    def __init__(self, keys: Sequence[TenantKey]) -> None:
        self._by_id = {k.key_id: k for k in keys}
        self.keys: tuple[TenantKey, ...] = tuple(keys)
        self.tenants: tuple[str, ...] = tuple(sorted({k.tenant_id for k in keys}))

    def get(self, key_id: str) -> Optional[TenantKey]:
        return self._by_id.get(key_id)


def _ring_error(message: str) -> FlkPcsError:
    return FlkPcsError(PCS_ERROR_CODES.INVALID_KEYRING, message)


def _safe(s: str) -> str:
    return _UNSAFE.sub("?", s[:64])


def _where(i: int, entry: object) -> str:
    kid = entry.get("key_id") if isinstance(entry, dict) else None
    return f"keys[{i}] (key_id {kid})" if isinstance(kid, str) and matches_id(kid) else f"keys[{i}]"


def parse_key_ring(text: str, sources: Optional[KeyRingSources] = None) -> TenantKeyRing:
    """Parses and checks a key ring document (JSON text). Every problem names the entry
    (``keys[2] (key_id acme-2026-12): duplicate key_id``), never the secret. Raises FlkPcsError
    (PCS_INVALID_KEYRING)."""
    if not isinstance(text, str):
        raise _ring_error("not JSON (json)")
    read = read_json(text, 8)
    if not read.ok:
        raise _ring_error(f"not JSON ({read.detail})")
    doc = read.value
    if not isinstance(doc, dict):
        raise _ring_error('the document must be an object {"keys": [...]}')
    for k in js_keys(doc):
        if k != "keys":
            raise _ring_error(f"unknown member '{_safe(k)}' (expected only \"keys\")")
    keys = doc.get("keys")
    if not isinstance(keys, list):
        raise _ring_error('"keys" must be an array')
    return create_tenant_key_ring(keys, sources)


def create_tenant_key_ring(entries: Sequence[Any], sources: Optional[KeyRingSources] = None) -> TenantKeyRing:
    """A ring from entries (already parsed dicts); the same checks as parse_key_ring."""
    src: KeyRingSources = sources if sources is not None else _NoSources()
    if not isinstance(entries, (list, tuple)):
        raise _ring_error('"keys" must be an array')
    if len(entries) > MAX_RING_KEYS:
        raise _ring_error(f"too many keys ({len(entries)} > {MAX_RING_KEYS})")
    by_id: dict[str, TenantKey] = {}
    for i, entry in enumerate(entries):
        key = _build_key(entry, i, src)
        if key.key_id in by_id:
            raise _ring_error(f"{_where(i, entry)}: duplicate key_id")
        by_id[key.key_id] = key
    return TenantKeyRing(list(by_id.values()))


def _build_key(entry: Any, i: int, sources: KeyRingSources) -> TenantKey:
    at = _where(i, entry)

    def bad(problem: str) -> FlkPcsError:
        return _ring_error(f"{at}: {problem}")

    if not isinstance(entry, dict):
        raise bad("an entry must be an object")
    e: dict[str, Any] = entry
    for k in js_keys(e):
        if k not in ENTRY_MEMBERS:
            raise bad(f"unknown member '{_safe(k)}'")
    for name in js_keys(e):
        if not isinstance(e[name], str):
            raise bad(f"{name} must be a string")
    key_id = e.get("key_id")
    tenant_id = e.get("tenant_id")
    alg = e.get("alg")
    if key_id is None:
        raise bad("key_id is required")
    if not matches_id(key_id):
        raise bad("key_id must be 1-64 characters of [a-z0-9._-], the first a letter or digit")
    if tenant_id is None:
        raise bad("tenant_id is required")
    if not matches_id(tenant_id):
        raise bad("tenant_id must be 1-64 characters of [a-z0-9._-], the first a letter or digit")
    not_before = _window_bound(e.get("not_before"), "not_before", bad)
    not_after = _window_bound(e.get("not_after"), "not_after", bad)
    if not_before is not None and not_after is not None and not_after < not_before:
        raise bad("not_after is before not_before")

    if alg == "hmac":
        if "public_key_b64" in e:
            raise bad("public_key_b64 is for ed25519 keys; an hmac key takes secret, secret_file or secret_env")
        given = [s for s in SECRET_SOURCES if s in e]
        if len(given) != 1:
            raise bad(
                f"an hmac key needs exactly one of secret, secret_file, secret_env (got {'none' if not given else ', '.join(given)})"
            )
        secret = _read_secret(given[0], e[given[0]], sources, bad)
        if secret == "":
            raise bad(f"the secret ({given[0]}) is empty")
        check = hmac_verifier(hmac_key_bytes(secret))
        length = SIGNATURE_BYTES["hmac"]
    elif alg == "ed25519":
        for s in SECRET_SOURCES:
            if s in e:
                raise bad(f"{s} is for hmac keys; an ed25519 key takes public_key_b64")
        if "public_key_b64" not in e:
            raise bad("public_key_b64 is required for an ed25519 key")
        try:
            pub = check_ed25519_public_key(e["public_key_b64"], "public_key_b64")
        except FlkPcsError as err:
            raise bad(err.message) from None
        check = ed25519_verifier(pub)
        length = SIGNATURE_BYTES["ed25519"]
    else:
        raise bad("alg is required (hmac or ed25519)" if alg is None else f"unknown alg '{_safe(alg)}' (expected hmac or ed25519)")
    return TenantKey(key_id, tenant_id, alg, not_before, not_after, check, length)


def _window_bound(v: Optional[str], name: str, bad: Callable[[str], FlkPcsError]) -> Optional[Instant]:
    if v is None:
        return None
    t = parse_rfc3339(v)
    if t is None:
        raise bad(f"{name} is not an RFC 3339 date-time (e.g. 2026-11-01T00:00:00Z)")
    return t


def _read_secret(source: str, ref: str, sources: KeyRingSources, bad: Callable[[str], FlkPcsError]) -> str:
    if source == "secret":
        return ref
    if source == "secret_env":
        v = sources.env(ref)
        if v is None:
            raise bad(f"secret_env: variable {_safe(ref)} is not set")
        return v
    try:
        text = sources.read_file(ref)
    except OSError as err:
        code = _errno_code(err)
        raise bad(f"secret_file: cannot read {ref}{f' ({code})' if code else ''}") from None
    if text.endswith("\r\n"):
        return text[:-2]
    if text.endswith("\n"):
        return text[:-1]
    return text


def _errno_code(err: OSError) -> Optional[str]:
    import errno

    return errno.errorcode.get(err.errno) if isinstance(err.errno, int) else None


def load_key_ring_file(path: str, env: Optional[Mapping[str, str]] = None) -> TenantKeyRing:
    """The v0.2 ring of ``PCS_KEYRING_FILE`` (``loadTenantRing``): ``secret_env`` entries read from
    ``env`` (default os.environ), ``secret_file`` entries from the file system."""
    sources = OsSources(env)
    try:
        text = sources.read_file(path)
    except OSError as err:
        code = _errno_code(err)
        raise _ring_error(f"cannot read {path}{f' ({code})' if code else ''}") from None
    return parse_key_ring(text, sources)
