"""A small Confluent schema-registry client (standard library ``urllib``) and the Confluent wire
format (magic byte 0, 4-byte big-endian schema id, Avro binary body, Avro through ``fastavro``).
Subjects follow TopicNameStrategy: ``<topic>-value`` (as the TS verifier and agent)."""
from __future__ import annotations

import io
import json
import struct
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources
from typing import Any, Mapping, Optional

from .errors import FlkPublishError, publish_rejected, publish_unavailable

MAGIC = 0
_HEADER = struct.Struct(">bI")
_CT = "application/vnd.schemaregistry.v1+json"


def bundled_schema(name: str = "pcs-v1.avsc") -> str:
    """The Avro schema shipped with the SDK (a copy of the repository's schemas/pcs-v1.avsc)."""
    return resources.files("flk_pcs").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")


class RegistryClient:
    """``latest(subject)``, ``register(subject, schema)``, ``schema_by_id(id)``. Network problems and
    5xx are FlkPublishError AGENT_PUBLISH_UNAVAILABLE (retriable); a refused schema is
    AGENT_PUBLISH_REJECTED (final). Credentials in the URL are never put in a message."""

    def __init__(self, url: str, timeout_s: float = 10.0) -> None:
        parsed = urllib.parse.urlsplit(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise publish_rejected("SCHEMA_REGISTRY_URL: not an http(s) URL")
        self._auth: Optional[str] = None
        if parsed.username is not None:
            import base64

            user = urllib.parse.unquote(parsed.username)
            pw = urllib.parse.unquote(parsed.password or "")
            self._auth = "Basic " + base64.b64encode(f"{user}:{pw}".encode()).decode()
            netloc = parsed.hostname + (f":{parsed.port}" if parsed.port else "")
            parsed = parsed._replace(netloc=netloc)
        self.url = urllib.parse.urlunsplit(parsed).rstrip("/")
        self.timeout_s = timeout_s
        self._by_id: dict[int, str] = {}

    def _request(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Optional[Any]:
        data = None if body is None else json.dumps(body).encode("utf-8")
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Accept", _CT)
        if data is not None:
            req.add_header("Content-Type", _CT)
        if self._auth is not None:
            req.add_header("Authorization", self._auth)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout_s) as resp:
                return json.loads(resp.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return None
            detail = ""
            try:
                detail = str(json.loads(e.read().decode("utf-8")).get("message", ""))[:200]
            except Exception:  # noqa: BLE001
                pass
            what = f"schema registry: {method} {path} failed (HTTP {e.code}{': ' + detail if detail else ''})"
            raise (publish_unavailable(what) if e.code >= 500 or e.code == 429 else publish_rejected(what)) from None
        except (urllib.error.URLError, OSError, ValueError) as e:
            reason = getattr(e, "reason", e)
            raise publish_unavailable(f"schema registry: {method} {path} failed ({reason})") from None

    def latest(self, subject: str) -> Optional[tuple[int, str]]:
        """(schema id, schema text) of the subject's latest version, or None when there is none."""
        r = self._request("GET", f"/subjects/{urllib.parse.quote(subject, safe='')}/versions/latest")
        if r is None:
            return None
        self._by_id[int(r["id"])] = str(r["schema"])
        return int(r["id"]), str(r["schema"])

    def register(self, subject: str, schema: str) -> int:
        """Registers ``schema`` under ``subject`` (idempotent) and returns its id."""
        r = self._request("POST", f"/subjects/{urllib.parse.quote(subject, safe='')}/versions", {"schema": schema})
        if r is None:
            raise publish_rejected(f"schema registry: subject {subject} not found")
        self._by_id[int(r["id"])] = schema
        return int(r["id"])

    def schema_by_id(self, schema_id: int) -> Optional[str]:
        if schema_id in self._by_id:
            return self._by_id[schema_id]
        r = self._request("GET", f"/schemas/ids/{int(schema_id)}")
        if r is None:
            return None
        self._by_id[schema_id] = str(r["schema"])
        return str(r["schema"])


def _fastavro() -> Any:
    try:
        import fastavro
    except ImportError as e:  # pragma: no cover - environment
        raise publish_rejected("the producer needs 'fastavro' (pip install 'flk-pcs[kafka]')") from e
    return fastavro


def avro_datum(pcs: Mapping[str, Any]) -> dict[str, Any]:
    """A validated record as the Avro datum of pcs-v1 (absent optionals → null)."""
    out = dict(pcs)
    for k in ("sig", "tenant_id", "key_id"):
        out.setdefault(k, None)
    return out


class WireCodec:
    """Encodes records with one writer schema (id from the registry) in Confluent wire format, and
    decodes any registered writer schema."""

    def __init__(self, registry: RegistryClient, subject: str, policy: str = "latest", schema: Optional[str] = None) -> None:
        if policy not in ("latest", "register"):
            raise publish_rejected(f"unknown schema policy '{policy}' (latest or register)")
        self.registry = registry
        self.subject = subject
        self.policy = policy
        self._schema_text = schema if schema is not None else bundled_schema()
        self.schema_id: Optional[int] = None
        self._writer: Any = None
        self._readers: dict[int, Any] = {}

    def init(self) -> int:
        """Finds the writer schema: the subject's latest version ('latest'; the bundled pcs-v1 is
        registered when the subject has none), or the bundled schema registered ('register')."""
        if self.schema_id is not None:
            return self.schema_id
        fa = _fastavro()
        text = self._schema_text
        if self.policy == "latest":
            latest = self.registry.latest(self.subject)
            if latest is None:
                sid = self.registry.register(self.subject, text)
            else:
                sid, text = latest
        else:
            sid = self.registry.register(self.subject, text)
        try:
            self._writer = fa.parse_schema(json.loads(text))
        except Exception as e:  # noqa: BLE001
            raise publish_rejected(f"schema registry: schema id {sid} of {self.subject} is not usable Avro ({type(e).__name__})") from None
        self.schema_id = sid
        return sid

    def encode(self, pcs: Mapping[str, Any]) -> bytes:
        sid = self.init()
        buf = io.BytesIO()
        buf.write(_HEADER.pack(MAGIC, sid))
        try:
            _fastavro().schemaless_writer(buf, self._writer, avro_datum(pcs))
        except Exception as e:  # noqa: BLE001
            raise publish_rejected(f"encoding: the record does not fit schema id {sid} ({type(e).__name__}: {str(e)[:200]})") from None
        return buf.getvalue()

    def decode(self, message: bytes) -> tuple[int, dict[str, Any]]:
        """(schema id, record) of a wire-format message; raises FlkPublishError (rejected) when it
        is not wire format or its schema id is unknown."""
        if len(message) < 5 or message[0] != MAGIC:
            raise publish_rejected("malformed:wire_magic")
        _, sid = _HEADER.unpack_from(message, 0)
        reader = self._readers.get(sid)
        if reader is None:
            text = self.registry.schema_by_id(sid)
            if text is None:
                raise publish_rejected("malformed:unknown_schema_id")
            reader = _fastavro().parse_schema(json.loads(text))
            self._readers[sid] = reader
        value = _fastavro().schemaless_reader(io.BytesIO(message[5:]), reader)
        return sid, dict(value)


__all__ = ["RegistryClient", "WireCodec", "bundled_schema", "avro_datum", "FlkPublishError"]
