"""``python3 -m flk_pcs canonical|id|sign|verify|make|keygen ...``: the same lines on stdout and
stderr, and the same exit statuses, as ``flk pcs ...`` of the TS CLI (apps/cli, docs/cli.md).
Standard library only, except Ed25519 (``cryptography``)."""
from __future__ import annotations

import errno
import os
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from . import helptext
from .b64 import base64_encode
from .build import build_pcs
from .canonical import PCS_VERSION, PCS_VERSION_V02, PCS_VERSIONS, canonical_payload, compute_pcs_id
from .cliargs import (
    CliConfigError,
    CliInputError,
    CliUsageError,
    Parsed,
    integer_flag,
    number_flag,
    parse_command_args,
    require_flag,
    string_flag,
)
from .decide import DEFAULT_MAX_AGE_SECONDS, DEFAULT_MAX_SKEW_SECONDS, DecideMeta, create_decide_config, decide, verdict_json
from .envconfig import EnvReader
from .errors import FlkPcsError
from .jsontext import js_parse, js_trim, stringify
from .keyring import TenantKeyRing, load_key_ring_file
from .params import DecisionParams, create_decision_params
from .sign import SIGN_ALGS, KeyRing, Signer, create_ed25519_signer, create_hmac_signer, create_key_ring, sign_pcs
from .timeparse import instant_from_ms, iso_millis, now_ms, parse_rfc3339
from .validate import matches_id, parse_pcs_json

EXIT_OK, EXIT_INPUT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70
HELP_CMD: Mapping[str, str] = helptext.HELP_CMD
STDIN = "-"

ENV_SIGN_ALG = "PCS_SIGN_ALG"
ENV_HMAC_KEY = "PCS_HMAC_KEY"
ENV_ED25519_PRIV = "PCS_ED25519_PRIV_B64"
ENV_ED25519_PUB = "PCS_ED25519_PUB_B64"
ENV_KEYRING_FILE = "PCS_KEYRING_FILE"
ENV_ACCEPT_VERSIONS = "PCS_ACCEPT_VERSIONS"
ENV_MAX_AGE = "PCS_MAX_AGE_SECONDS"
ENV_MAX_SKEW = "PCS_MAX_SKEW_SECONDS"


class _ReadError(Exception):
    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class CliIo:
    """The CLI's only window on the world (tests pass their own)."""

    stdin: Callable[[], bytes] = field(default=lambda: sys.stdin.buffer.read())
    stdout: Callable[[str], None] = field(default=lambda s: _write(sys.stdout, s))
    stderr: Callable[[str], None] = field(default=lambda s: _write(sys.stderr, s))
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    read_file: Callable[[str], bytes] = field(default=lambda p: _read_path(p))
    now_ms: Callable[[], int] = field(default=now_ms)


def _write(stream: Any, s: str) -> None:
    stream.buffer.write(s.encode("utf-8", "surrogateescape"))
    stream.buffer.flush()


def _read_path(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


class _Ctx:
    def __init__(self, io: CliIo) -> None:
        self.io = io
        self._stdin: Optional[bytes] = None

    def line(self, text: str) -> None:
        self.io.stdout(text + "\n")

    def error(self, message: str) -> None:
        self.io.stderr(f"flk: {message}\n")

    def bytes(self, path: str) -> bytes:
        if path != STDIN:
            try:
                return self.io.read_file(path)
            except OSError as e:
                raise _ReadError(describe_read_error(e, path)) from None
        if self._stdin is None:
            self._stdin = self.io.stdin()
        return self._stdin

    def text(self, path: str) -> str:
        raw = self.bytes(path)
        try:
            t = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise _ReadError("not valid UTF-8") from None
        return t[1:] if t.startswith("\ufeff") else t


_UV_MESSAGES = {
    "ENOTDIR": "not a directory",
    "ENAMETOOLONG": "name too long",
    "ELOOP": "too many symbolic links encountered",
    "EMFILE": "too many open files",
    "EIO": "i/o error",
    "ENXIO": "no such device or address",
    "EBUSY": "resource busy or locked",
}


def describe_read_error(err: OSError, path: str) -> str:
    code = errno.errorcode.get(err.errno, "") if isinstance(err.errno, int) else ""
    if code == "ENOENT":
        return "no such file"
    if code == "EISDIR":
        return "is a directory"
    if code in ("EACCES", "EPERM"):
        return "permission denied"
    msg = _UV_MESSAGES.get(code, (err.strerror or str(err)).lower())
    return f"cannot read: {code}: {msg}, open '{path}'" if code else f"cannot read: {err}"


def input_name(path: str) -> str:
    return "<stdin>" if path == STDIN else path


def one_line(text: str) -> str:
    return re.sub(r"\s*[\r\n]+\s*", " ", text).strip()


# ------------------------------------------------------------------ keys (apps/cli/src/keys.ts)


def _read_env(env: Mapping[str, str], read: Callable[[EnvReader], Any]) -> Any:
    r = EnvReader(env)
    value = read(r)
    if r.problems:
        raise CliConfigError("; ".join(r.problems))
    return value


def resolve_alg(flag: Optional[str], env: Mapping[str, str], allowed: Sequence[str], fallback: Optional[str], help: str) -> str:  # noqa: A002
    lst = "|".join(allowed)
    if flag is not None:
        if flag not in allowed:
            raise CliUsageError(f"--alg: expected {lst}, got '{flag}'", help)
        return flag
    from_env: Optional[str] = _read_env(
        env, lambda r: None if r.optional_string(ENV_SIGN_ALG) is None else r.one_of(ENV_SIGN_ALG, SIGN_ALGS, "none")
    )
    if from_env is not None:
        if from_env in allowed:
            return from_env
        if fallback is None:
            raise CliUsageError(f"{ENV_SIGN_ALG}={from_env} cannot be used here: give --alg {lst}", help)
    if fallback is None:
        raise CliUsageError(f"missing required option --alg {lst} (or set {ENV_SIGN_ALG})", help)
    return fallback


def key_list(env: Mapping[str, str], name: str) -> list[str]:
    result: list[str] = _read_env(env, lambda r: r.list(name))
    return result


def _require_keys(env: Mapping[str, str], name: str, alg: str) -> list[str]:
    keys = key_list(env, name)
    if not keys:
        raise CliConfigError(f"{name} is not set (needed for {alg} signatures)")
    return keys


def redact(text: str, secrets: Sequence[str]) -> str:
    out = text
    for s in sorted(secrets, key=len, reverse=True):
        if s:
            out = "***".join(out.split(s))
    return out


def _with_key_errors(name: str, secrets: Sequence[str], build: Callable[[], Any]) -> Any:
    try:
        return build()
    except FlkPcsError as e:
        raise CliConfigError(f"{name}: invalid key ({redact(e.message, secrets)})") from None


def signer_from_env(alg: str, env: Mapping[str, str]) -> Optional[Signer]:
    if alg == "none":
        return None
    name = ENV_HMAC_KEY if alg == "hmac" else ENV_ED25519_PRIV
    keys = _require_keys(env, name, alg)
    first = keys[0]
    signer: Signer = _with_key_errors(name, keys, lambda: create_hmac_signer(first) if alg == "hmac" else create_ed25519_signer(first))
    return signer


def key_ring_from_env(alg: str, env: Mapping[str, str]) -> KeyRing:
    if alg == "none":
        return create_key_ring("none")
    if alg == "hmac":
        hk = _require_keys(env, ENV_HMAC_KEY, alg)
        ring: KeyRing = _with_key_errors(ENV_HMAC_KEY, hk, lambda: create_key_ring("hmac", hmac_keys=hk))
        return ring
    pk = _require_keys(env, ENV_ED25519_PUB, alg)
    ring = _with_key_errors(ENV_ED25519_PUB, pk, lambda: create_key_ring("ed25519", ed25519_public_keys_b64=pk))
    return ring


# ------------------------------------------------------------------ records (apps/cli/src/record.ts)


def record_text(data: bytes) -> Union[str, _ReadError]:
    try:
        return data.decode("utf-8")  # a BOM is kept (rejected by the reader, as the verifier does)
    except UnicodeDecodeError:
        return _ReadError("malformed:utf8")


_REASON = re.compile(r"malformed:([^:]*)(?::(.*))?", re.S)
_ROOT = re.compile(r"[^.\[]*")


def _concerns(reason: str, fields: Sequence[str]) -> bool:
    m = _REASON.fullmatch(reason)
    if m is None:
        return True
    kind, path = m.group(1), m.group(2)
    if kind == "pcs_id_mismatch":
        return False
    if path is None or kind == "duplicate_key":
        return True
    rm = _ROOT.match(path)
    root = rm.group() if rm is not None else path
    return root in fields


def read_record_fields(data: bytes, fields: Sequence[str]) -> Union[dict[str, Any], _ReadError]:
    text = record_text(data)
    if isinstance(text, _ReadError):
        return text
    parsed = parse_pcs_json(text)
    if parsed.ok and parsed.pcs is not None:
        return parsed.pcs
    relevant = [r for r in parsed.reasons if _concerns(r, fields)]
    if relevant:
        return _ReadError(", ".join(relevant))
    try:
        value = js_parse(text)
    except (ValueError, RecursionError):
        return _ReadError(", ".join(parsed.reasons))
    return value if isinstance(value, dict) else {}


# ------------------------------------------------------------------ commands

SIGNED_FIELDS = ("pcs_id", "merkle_root", "epoch", "shard_id", "D_hat", "coh_star", "r", "budget")
ID_FIELDS = ("merkle_root", "epoch", "shard_id")

FileResult = Union[str, _ReadError]


def _for_each_file(ctx: _Ctx, files: Sequence[str], help: str, handle: Callable[[bytes], FileResult]) -> int:  # noqa: A002
    if not files:
        raise CliUsageError("no FILE given (use - for standard input)", help)
    status = EXIT_OK
    for f in files:
        try:
            data = ctx.bytes(f)
        except _ReadError as e:
            ctx.error(f"{input_name(f)}: {e.problem}")
            status = EXIT_INPUT
            continue
        result = handle(data)
        if isinstance(result, _ReadError):
            ctx.error(f"{input_name(f)}: {result.problem}")
            status = EXIT_INPUT
        else:
            ctx.line(result)
    return status


def _payload_of(rec: Any) -> FileResult:
    try:
        return canonical_payload(rec)
    except FlkPcsError as e:
        return _ReadError(e.message)


def _v02_payload(data: bytes) -> Optional[FileResult]:
    text = record_text(data)
    if isinstance(text, _ReadError):
        return None
    try:
        value = js_parse(text)
    except (ValueError, RecursionError):
        return None
    version = value.get("version") if isinstance(value, dict) else None
    if version != PCS_VERSION_V02:
        return None
    result = parse_pcs_json(text)
    if result.ok:
        return _payload_of(result.pcs)
    problems = [r for r in result.reasons if r != "malformed:pcs_id_mismatch"]
    if problems:
        return _ReadError(", ".join(problems))
    return _payload_of(value)


def cmd_canonical(args: Sequence[str], ctx: _Ctx) -> int:
    h = HELP_CMD["canonical"]
    parsed = parse_command_args(args, {}, h)
    if parsed.values.get("help"):
        ctx.line(helptext.CANONICAL_HELP)
        return EXIT_OK

    def handle(data: bytes) -> FileResult:
        v02 = _v02_payload(data)
        if v02 is not None:
            return v02
        rec = read_record_fields(data, SIGNED_FIELDS)
        if isinstance(rec, _ReadError):
            return rec
        return _payload_of(rec)

    return _for_each_file(ctx, parsed.positionals, h, handle)


def cmd_id(args: Sequence[str], ctx: _Ctx) -> int:
    h = HELP_CMD["id"]
    parsed = parse_command_args(args, {}, h)
    if parsed.values.get("help"):
        ctx.line(helptext.ID_HELP)
        return EXIT_OK

    def handle(data: bytes) -> FileResult:
        rec = read_record_fields(data, ID_FIELDS)
        if isinstance(rec, _ReadError):
            return rec
        try:
            return compute_pcs_id(rec.get("merkle_root"), rec.get("epoch"), rec.get("shard_id"))  # type: ignore[arg-type]
        except FlkPcsError as e:
            return _ReadError(e.message)

    return _for_each_file(ctx, parsed.positionals, h, handle)


def cmd_sign(args: Sequence[str], ctx: _Ctx) -> int:
    h = HELP_CMD["sign"]
    parsed = parse_command_args(args, {"alg": "string"}, h)
    if parsed.values.get("help"):
        ctx.line(helptext.SIGN_HELP)
        return EXIT_OK
    alg = resolve_alg(string_flag(parsed, "alg"), ctx.io.env, ["hmac", "ed25519"], None, h)
    signer = signer_from_env(alg, ctx.io.env)  # keys checked before any file is read
    if signer is None:
        raise RuntimeError(f"no signer for {alg}")

    def handle(data: bytes) -> FileResult:
        text = record_text(data)
        if isinstance(text, _ReadError):
            return text
        result = parse_pcs_json(text)
        if not result.ok or result.pcs is None:
            return _ReadError(", ".join(result.reasons))
        try:
            sig = sign_pcs(result.pcs, signer)["sig"]
        except FlkPcsError as e:
            return _ReadError(e.message)
        raw = js_parse(text)
        out = dict(raw)
        out["sig"] = sig  # replaced in place, or appended
        return stringify(out)

    return _for_each_file(ctx, parsed.positionals, h, handle)


_TOLERANCE_FLAGS = {"tol-d": "tolD", "tol-coh": "tolCoh", "tol-r": "tolR", "tol-budget": "tolBudget"}


def _decision_params(parsed: Parsed) -> DecisionParams:
    partial: dict[str, float] = {}
    for flag, key in _TOLERANCE_FLAGS.items():
        v = number_flag(parsed, flag, HELP_CMD["verify"])
        if v is not None:
            partial[key] = v
    try:
        return create_decision_params(partial)
    except FlkPcsError as e:
        raise CliUsageError(e.message, HELP_CMD["verify"]) from None


def _read_window(env: Mapping[str, str]) -> tuple[list[str], int, int]:
    r = EnvReader(env)
    accept = r.list(ENV_ACCEPT_VERSIONS, PCS_VERSIONS)
    if not accept or any(v not in PCS_VERSIONS for v in accept):
        r.problem(f"{ENV_ACCEPT_VERSIONS}: expected a comma-separated list of {', '.join(PCS_VERSIONS)}")
    max_age = r.int(ENV_MAX_AGE, DEFAULT_MAX_AGE_SECONDS, 1, 10 * 365 * 86_400)
    max_skew = r.int(ENV_MAX_SKEW, DEFAULT_MAX_SKEW_SECONDS, 0, 86_400)
    if r.problems:
        raise CliConfigError("; ".join(r.problems))
    return accept, max_age, max_skew


def cmd_verify(args: Sequence[str], ctx: _Ctx) -> int:
    h = HELP_CMD["verify"]
    parsed = parse_command_args(
        args,
        {"alg": "string", "now": "string", "strict": "boolean", "tol-d": "string", "tol-coh": "string", "tol-r": "string", "tol-budget": "string"},
        h,
    )
    if parsed.values.get("help"):
        ctx.line(helptext.VERIFY_HELP)
        return EXIT_OK
    params = _decision_params(parsed)
    now_flag = string_flag(parsed, "now")
    now_ns = None if now_flag is None else parse_rfc3339(now_flag)
    if now_flag is not None and now_ns is None:
        raise CliUsageError(f"--now: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got '{now_flag}'", h)
    env = ctx.io.env
    alg_flag = string_flag(parsed, "alg")
    alg = resolve_alg(alg_flag, env, ["none", "hmac", "ed25519"], "none", h)
    explicit_none = alg == "none" and (alg_flag is not None or js_trim(env.get(ENV_SIGN_ALG, "")) != "")
    v01 = None if alg == "none" else key_ring_from_env(alg, env)
    ring_file = js_trim(env.get(ENV_KEYRING_FILE, "")) or None
    tenants: Optional[TenantKeyRing] = None
    if ring_file is not None and not explicit_none:
        try:
            tenants = load_key_ring_file(ring_file, env)
        except FlkPcsError as e:
            raise CliConfigError(f"{ENV_KEYRING_FILE}: {e.message}") from None
    accept, max_age, max_skew = _read_window(env)
    config = create_decide_config(
        params=params,
        signatures=alg != "none" or tenants is not None,
        v01=v01,
        tenants=tenants,
        accept_versions=accept,
        max_age_seconds=max_age,
        max_skew_seconds=max_skew,
    )
    not_accepted = 0

    def handle(data: bytes) -> FileResult:
        nonlocal not_accepted
        decided = ctx.io.now_ms()
        meta = DecideMeta(iso_millis(decided), None, now=now_ns if now_ns is not None else instant_from_ms(decided))
        verdict = decide(data, config, None, meta)
        if not verdict["accepted"]:
            not_accepted += 1
        return verdict_json(verdict)

    status = _for_each_file(ctx, parsed.positionals, h, handle)
    if status == EXIT_OK and parsed.values.get("strict") and not_accepted > 0:
        return EXIT_INPUT
    return status


# ---- make

_ISO_TIME = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:Z|[+-][0-9]{2}:[0-9]{2})")
_ISO_TIME_V02 = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z")
DEFAULT_CHUNK_SIZE = 4096


def _v8_date_ok(s: str) -> bool:
    """Whether V8's Date.parse accepts an ISO string already matching _ISO_TIME (it is lenient on
    the day of the month: 1-31 for every month; 24:00:00 is allowed)."""
    mo, d = int(s[5:7]), int(s[8:10])
    h, mi, sec = int(s[11:13]), int(s[14:16]), int(s[17:19])
    frac = ""
    rest = s[19:]
    if rest.startswith("."):
        m = re.match(r"\.([0-9]+)", rest)
        assert m is not None
        frac = m.group(1)
        rest = rest[m.end() :]
    if not (1 <= mo <= 12 and 1 <= d <= 31 and mi <= 59 and sec <= 59):
        return False
    if h > 24 or (h == 24 and (mi or sec or int((frac + "000")[:3]))):
        return False
    if rest != "Z":
        oh, om = int(rest[1:3]), int(rest[4:6])
        if oh > 23 or om > 59:
            return False
    return True


def _non_empty(v: Optional[str]) -> Optional[str]:
    if v is None:
        return None
    t = js_trim(v)
    return t or None


def _now_to_the_second(ms: int) -> str:
    return iso_millis(ms)[:19] + "Z"


def parse_points(text: str) -> Union[list[list[float]], _ReadError]:
    """The points file of ``make``: a JSON array of numeric arrays, or JSON Lines (apps/cli/src/points.ts)."""
    trimmed = js_trim(text)
    if trimmed == "":
        return []
    try:
        whole = js_parse(trimmed)
    except (ValueError, RecursionError):
        return _parse_json_lines(text)
    if not isinstance(whole, list):
        return _ReadError("points: expected a JSON array of numeric arrays, or one numeric array per line")
    if whole and not any(isinstance(x, list) for x in whole):
        return _check_points([whole], lambda i: f"line {i + 1}")
    return _check_points(whole, lambda i: f"points[{i}]")


def _parse_json_lines(text: str) -> Union[list[list[float]], _ReadError]:
    rows: list[Any] = []
    where: list[int] = []
    for i, line in enumerate(re.split(r"\r?\n", text)):
        t = js_trim(line)
        if t == "":
            continue
        try:
            rows.append(js_parse(t))
        except (ValueError, RecursionError):
            return _ReadError(f"points: line {i + 1}: not JSON")
        where.append(i + 1)
    return _check_points(rows, lambda i: f"line {where[i]}")


def _check_points(rows: Sequence[Any], label: Callable[[int], str]) -> Union[list[list[float]], _ReadError]:
    import math

    out: list[list[float]] = []
    for i, row in enumerate(rows):
        if (
            not isinstance(row, list)
            or len(row) == 0
            or not all(isinstance(x, float) and not isinstance(x, bool) and math.isfinite(x) for x in row)
        ):
            return _ReadError(f"points: {label(i)}: expected a non-empty array of finite numbers")
        out.append(row)
    return out


def chunk_bytes(data: bytes, size: int) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


def cmd_make(args: Sequence[str], ctx: _Ctx) -> int:
    h = HELP_CMD["make"]
    parsed = parse_command_args(
        args,
        {
            "shard": "string", "epoch": "string", "seed": "string", "attempt": "string", "sent-at": "string",
            "outbox-seq": "string", "points": "string", "data": "string", "chunk-size": "string", "alg": "string",
            "tenant": "string", "key-id": "string", "pcs-version": "string",
        },
        h,
    )
    if parsed.values.get("help"):
        ctx.line(helptext.MAKE_HELP)
        return EXIT_OK
    if parsed.positionals:
        raise CliUsageError(f"unexpected argument '{parsed.positionals[0]}'", h)
    shard_id = str(require_flag(string_flag(parsed, "shard"), "shard", h))
    epoch = int(require_flag(integer_flag(parsed, "epoch", h), "epoch", h))  # type: ignore[call-overload]
    seed = int(require_flag(integer_flag(parsed, "seed", h), "seed", h))  # type: ignore[call-overload]
    attempt = integer_flag(parsed, "attempt", h)
    outbox_seq = integer_flag(parsed, "outbox-seq", h)
    sent_at = string_flag(parsed, "sent-at")
    if sent_at is None:
        sent_at = _now_to_the_second(ctx.io.now_ms())
    if _ISO_TIME.fullmatch(sent_at) is None or not _v8_date_ok(sent_at):
        raise CliUsageError(f"--sent-at: expected an ISO-8601 time like 2025-01-01T00:00:00Z, got '{sent_at}'", h)
    chunk_size = integer_flag(parsed, "chunk-size", h)
    if chunk_size is None:
        chunk_size = DEFAULT_CHUNK_SIZE
    if chunk_size < 1:
        raise CliUsageError(f"--chunk-size: expected a positive integer, got {chunk_size}", h)
    points_file = str(require_flag(string_flag(parsed, "points"), "points", h))
    data_file = string_flag(parsed, "data")
    if points_file == STDIN and data_file == STDIN:
        raise CliUsageError("--points and --data cannot both be standard input", h)
    env = ctx.io.env
    tenant_id = string_flag(parsed, "tenant")
    if tenant_id is None:
        tenant_id = _non_empty(env.get("PCS_TENANT_ID"))
    key_id = string_flag(parsed, "key-id")
    if key_id is None:
        key_id = _non_empty(env.get("PCS_KEY_ID"))
    version_flag = string_flag(parsed, "pcs-version")
    if version_flag is not None and version_flag not in PCS_VERSIONS:
        raise CliUsageError(f"--pcs-version: expected {'|'.join(PCS_VERSIONS)}, got '{version_flag}'", h)
    version = version_flag if version_flag is not None else (PCS_VERSION_V02 if tenant_id is not None else PCS_VERSION)
    if version == PCS_VERSION_V02 and tenant_id is None:
        raise CliUsageError("a v0.2 record needs --tenant (or PCS_TENANT_ID)", h)
    if version == PCS_VERSION_V02 and _ISO_TIME_V02.fullmatch(sent_at) is None:
        raise CliUsageError(
            f"--sent-at: a v0.2 sent_at is UTC, like 2025-01-01T00:00:00Z or 2025-01-01T00:00:00.123Z, got '{sent_at}'", h
        )
    alg = resolve_alg(string_flag(parsed, "alg"), env, ["none", "hmac", "ed25519"], "none", h)
    signer = signer_from_env(alg, env)

    try:
        points_text = ctx.text(points_file)
    except _ReadError as e:
        raise CliInputError(points_file, e.problem) from None
    points = parse_points(points_text)
    if isinstance(points, _ReadError):
        raise CliInputError(points_file, points.problem)
    data = b""
    if data_file is not None:
        try:
            data = ctx.bytes(data_file)
        except _ReadError as e:
            raise CliInputError(data_file, e.problem) from None
    try:
        rec = build_pcs(
            shard_id=shard_id,
            epoch=epoch,
            seed=seed,
            sent_at=sent_at,
            points=points,
            chunks=chunk_bytes(data, chunk_size),
            attempt=1 if attempt is None else attempt,
            outbox_seq=0 if outbox_seq is None else outbox_seq,
            version=version,
            tenant_id=tenant_id,
            key_id=key_id,
            signer=signer,
        )
    except FlkPcsError as e:
        raise CliInputError("pcs make", e.message) from None
    ctx.line(stringify(rec))
    return EXIT_OK


def cmd_keygen(args: Sequence[str], ctx: _Ctx) -> int:
    from .sign import generate_ed25519_key_pair

    h = HELP_CMD["keygen"]
    parsed = parse_command_args(args, {"tenant": "string", "key-id": "string"}, h)
    if parsed.values.get("help"):
        ctx.line(helptext.KEYGEN_HELP)
        return EXIT_OK
    if not parsed.positionals:
        raise CliUsageError("missing key type (ed25519 or hmac)", h)
    alg, extra = parsed.positionals[0], parsed.positionals[1:]
    if alg not in ("ed25519", "hmac"):
        raise CliUsageError(f"unknown key type '{alg}' (ed25519 or hmac)", h)
    if extra:
        raise CliUsageError(f"unexpected argument '{extra[0]}'", h)
    tenant = string_flag(parsed, "tenant")
    key_id = string_flag(parsed, "key-id")
    if (tenant is None) != (key_id is None):
        raise CliUsageError("--tenant and --key-id go together", h)
    for flag, v in (("tenant", tenant), ("key-id", key_id)):
        if v is not None and not matches_id(v):
            raise CliUsageError(f"--{flag}: 1-64 characters of [a-z0-9._-], the first a letter or digit; got '{v}'", h)
    if tenant is None or key_id is None:
        if alg == "hmac":
            raise CliUsageError("keygen hmac needs --tenant and --key-id (a v0.2 ring entry)", h)
        priv, pub = generate_ed25519_key_pair()
        ctx.line(f"{ENV_ED25519_PRIV}={priv}")
        ctx.line(f"{ENV_ED25519_PUB}={pub}")
        return EXIT_OK
    if alg == "hmac":
        secret = base64_encode(os.urandom(32))
        ctx.line(stringify({"key_id": key_id, "tenant_id": tenant, "alg": "hmac", "secret": secret}))
        ctx.line(f"PCS_TENANT_ID={tenant}")
        ctx.line(f"PCS_KEY_ID={key_id}")
        ctx.line(f"{ENV_HMAC_KEY}={secret}")
    else:
        priv, pub = generate_ed25519_key_pair()
        ctx.line(stringify({"key_id": key_id, "tenant_id": tenant, "alg": "ed25519", "public_key_b64": pub}))
        ctx.line(f"PCS_TENANT_ID={tenant}")
        ctx.line(f"PCS_KEY_ID={key_id}")
        ctx.line(f"{ENV_ED25519_PRIV}={priv}")
    return EXIT_OK


_COMMANDS: dict[str, Callable[[Sequence[str], _Ctx], int]] = {
    "canonical": cmd_canonical,
    "id": cmd_id,
    "sign": cmd_sign,
    "verify": cmd_verify,
    "make": cmd_make,
}


def run(argv: Sequence[str], io: Optional[CliIo] = None) -> int:
    """The CLI as a function: argv (without the program name) in, exit status out."""
    ctx = _Ctx(io if io is not None else CliIo())
    try:
        return _dispatch(list(argv), ctx)
    except CliUsageError as e:
        ctx.error(f"{one_line(str(e))}; see '{e.help}'")
        return EXIT_USAGE
    except CliConfigError as e:
        ctx.error(one_line(str(e)))
        return EXIT_USAGE
    except CliInputError as e:
        ctx.error(f"{input_name(e.input)}: {one_line(str(e))}")
        return EXIT_INPUT
    except Exception as e:  # noqa: BLE001 - never a stack trace
        ctx.error(f"internal error: {one_line(f'{type(e).__name__}: {e}')}")
        return EXIT_INTERNAL


def _dispatch(argv: list[str], ctx: _Ctx) -> int:
    # `python3 -m flk_pcs X` is `flk pcs X`; `flk_pcs pcs X` and `flk_pcs keygen` work too.
    if argv and argv[0] == "pcs":
        argv = argv[1:]
    if argv and argv[0] == "keygen":
        return cmd_keygen(argv[1:], ctx)
    if not argv:
        raise CliUsageError("missing pcs command", HELP_CMD["pcs"])
    sub, rest = argv[0], argv[1:]
    if sub in ("--help", "-h"):
        ctx.line(helptext.PCS_HELP)
        return EXIT_OK
    command = _COMMANDS.get(sub)
    if command is None:
        raise CliUsageError(f"unknown pcs command '{sub}'", HELP_CMD["pcs"])
    return command(rest, ctx)


def main(argv: Optional[Sequence[str]] = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
