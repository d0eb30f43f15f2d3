"""The producer side of @flk/agent, I/O-free: event lines → events → per-shard windows (one window
= one epoch) → signed records (build_pcs) → an outbox that sends batches through a transport
(``KafkaTransport`` in ``flk_pcs.producer``), retries with exponential backoff and jitter, and
reports every record as delivered or failed, never dropping one silently. Same semantics as the
TS agent (docs/agent.md): windows close at ``max_events`` events, or with ``max_span_ms`` when an
event's ts is ≥ the window's first ts + max_span_ms (that event opens the next window), or at the
end of input; epochs per shard from ``epoch_start``; ``ft.outbox_seq`` 1, 2, 3 … per shard in the
order records enter the outbox (= publish order)."""
from __future__ import annotations

import math
import random as _random
import re
import time
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Callable, Iterable, Iterator, Mapping, Optional, Protocol, Sequence, Union

from .b64 import base64_decode
from .build import build_pcs
from .canonical import PCS_VERSION, PCS_VERSION_V02, PCS_VERSIONS
from .errors import FlkError, FlkPcsError, FlkPublishError, invalid_options
from .jsontext import js_parse, js_trim
from .params import DEFAULT_PARAMS, DecisionParams
from .sign import Signer
from .timeparse import days_from_civil, iso_millis, now_ms
from .validate import Pcs

MAX_LINE_CHARS = 1_048_576
MAX_POINT_DIMS = 64
_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(\.[0-9]{1,9})?([Zz]|[+-][0-9]{2}:[0-9]{2})")
_LONE = re.compile("[\ud800-\udfff]")


class _Oversized:
    def __repr__(self) -> str:
        return "OVERSIZED_LINE"


#: Stands for an input line longer than the reader accepts (reported as a bad line).
OVERSIZED_LINE: Any = _Oversized()
InputLine = Union[str, Any]


@dataclass(frozen=True)
class StreamEvent:
    shard_id: str
    #: Event time, ms since the Unix epoch.
    ts: int
    point: list[float]
    payload: bytes
    tenant_id: Optional[str] = None


def parse_timestamp(text: str) -> Optional[int]:
    """RFC 3339 with a mandatory offset (fraction optional) → ms since the epoch, or None."""
    m = _RFC3339.fullmatch(text)
    if m is None:
        return None
    y, mo, d, h, mi, s = (int(m.group(i)) for i in range(1, 7))
    if mo < 1 or mo > 12 or d < 1 or d > 31 or h > 23 or mi > 59 or s > 59:
        return None
    dim = [31, 29 if (y % 4 == 0 and y % 100 != 0) or y % 400 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
    if d > dim:
        return None
    zone = m.group(8)
    offset = 0
    if zone not in ("Z", "z"):
        oh, om = int(zone[1:3]), int(zone[4:6])
        if oh > 23 or om > 59:
            return None
        offset = (1 if zone[0] == "+" else -1) * (oh * 60 + om)
    frac = (m.group(7) or ".")[1:]
    ms = int((frac + "000")[:3])
    return (days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset * 60) * 1000 + ms


def _utf8(text: str) -> bytes:
    return _LONE.sub("\ufffd", text).encode("utf-8")  # TextEncoder replaces lone surrogates


def parse_event_line(line: str) -> Union[StreamEvent, str]:
    """One JSON Lines event (docs/agent.md §1), or the reason it is a bad line (never echoes content)."""
    if len(line) > MAX_LINE_CHARS:
        return "line too long"
    try:
        v = js_parse(line)
    except (ValueError, RecursionError):
        return "not valid JSON"
    if not isinstance(v, dict):
        return "not a JSON object"
    shard = v.get("shard_id")
    if not isinstance(shard, str) or _ID.fullmatch(shard) is None:
        return "shard_id: expected 1-128 characters of [A-Za-z0-9._:-]"
    ts_text = v.get("ts")
    ts = parse_timestamp(ts_text) if isinstance(ts_text, str) else None
    if ts is None:
        return "ts: expected an RFC 3339 date-time with offset, e.g. 2025-01-01T00:00:00Z"
    point = v.get("point")
    if not isinstance(point, list) or len(point) < 1 or len(point) > MAX_POINT_DIMS:
        return f"point: expected an array of 1-{MAX_POINT_DIMS} numbers"
    for c in point:
        if isinstance(c, bool) or not isinstance(c, (int, float)) or not math.isfinite(c):
            return "point: coordinates must be finite numbers"
    text, b64 = v.get("payload"), v.get("payload_b64")
    if "payload" in v and "payload_b64" in v:
        return "payload: give payload or payload_b64, not both"
    if isinstance(text, str):
        payload = _utf8(text)
    elif isinstance(b64, str):
        raw = base64_decode(b64)
        if raw is None:
            return "payload_b64: not valid standard padded base64"
        payload = raw
    else:
        return "payload: expected a string (payload, UTF-8 text) or payload_b64 (base64 bytes)"
    tenant = v.get("tenant_id")
    if tenant is not None:
        if not isinstance(tenant, str) or _ID.fullmatch(tenant) is None:
            return "tenant_id: expected 1-128 characters of [A-Za-z0-9._:-]"
    return StreamEvent(shard, ts, [float(c) for c in point], payload, tenant)


def split_lines(chunks: Iterable[Union[str, bytes]], max_chars: int = MAX_LINE_CHARS) -> Iterator[InputLine]:
    """Text or byte chunks → lines, a line longer than ``max_chars`` yielded as OVERSIZED_LINE
    without being held in memory."""
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")("replace")
    partial = ""
    oversized = False
    for chunk in chunks:
        text = chunk if isinstance(chunk, str) else decoder.decode(chunk)
        start = 0
        while True:
            nl = text.find("\n", start)
            if nl < 0:
                if not oversized:
                    partial += text[start:]
                    if len(partial) > max_chars:
                        oversized, partial = True, ""
                break
            if oversized or len(partial) + (nl - start) > max_chars:
                yield OVERSIZED_LINE
            else:
                yield partial + text[start:nl]
            partial, oversized = "", False
            start = nl + 1
    tail = decoder.decode(b"", final=True)
    if tail and not oversized:
        partial += tail
    if oversized:
        yield OVERSIZED_LINE
    elif partial:
        yield partial


def read_chunks(stream: BinaryIO, size: int = 65536) -> Iterator[bytes]:
    while True:
        b = stream.read(size)
        if not b:
            return
        yield b


# ------------------------------------------------------------------ windows


@dataclass(frozen=True)
class WindowOptions:
    max_events: int = 1000
    max_span_ms: int = 0
    epoch_start: int = 1
    max_shards: int = 10_000

    def validate(self) -> "WindowOptions":
        def safe(v: object) -> bool:
            return isinstance(v, int) and not isinstance(v, bool) and abs(v) <= 2**53 - 1

        if not safe(self.max_events) or self.max_events < 1:
            raise invalid_options("window maxEvents must be an integer ≥ 1")
        if not safe(self.max_span_ms) or self.max_span_ms < 0:
            raise invalid_options("window maxSpanMs must be an integer ≥ 0")
        if not safe(self.epoch_start):
            raise invalid_options("epochStart must be an integer within ±(2^53 − 1)")
        if not safe(self.max_shards) or self.max_shards < 1:
            raise invalid_options("maxShards must be an integer ≥ 1")
        return self


@dataclass
class Window:
    shard_id: str
    epoch: int
    points: list[list[float]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    first_ts: int = 0
    last_ts: int = 0
    first_line: int = 0
    last_line: int = 0
    tenant_id: Optional[str] = None


@dataclass
class _ShardState:
    next_epoch: int
    dims: int
    tenant: Optional[str]
    open: Optional[Window] = None


class Windower:
    """Per-shard windows and epoch numbers (libs/agent/src/windower.ts). Pure."""

    def __init__(self, options: WindowOptions) -> None:
        self.opts = options.validate()
        self._shards: dict[str, _ShardState] = {}

    def push(self, event: StreamEvent, line: int) -> Union[list[Window], str]:
        """Adds an event; returns the windows it closed (0–2), or the reason it was refused."""
        state = self._shards.get(event.shard_id)
        if state is None:
            if len(self._shards) >= self.opts.max_shards:
                return f"too many shards (limit {self.opts.max_shards})"
            state = _ShardState(self.opts.epoch_start, len(event.point), event.tenant_id)
            self._shards[event.shard_id] = state
        if len(event.point) != state.dims:
            return f"point: shard {event.shard_id} has {state.dims}-dimensional points"
        if event.tenant_id != state.tenant:
            return f"tenant_id: differs from the first event of shard {event.shard_id}"
        closed: list[Window] = []
        if state.open is not None and self.opts.max_span_ms > 0 and event.ts - state.open.first_ts >= self.opts.max_span_ms:
            closed.append(state.open)
            state.open = None
        if state.open is None:
            if state.next_epoch > 2**53 - 1:
                return f"epoch of shard {event.shard_id} would exceed 2^53 − 1"
            state.open = Window(event.shard_id, state.next_epoch, first_ts=event.ts, last_ts=event.ts, first_line=line,
                                last_line=line, tenant_id=state.tenant)
            state.next_epoch += 1
        w = state.open
        w.points.append(event.point)
        w.chunks.append(event.payload)
        w.last_ts = event.ts
        w.last_line = line
        if len(w.points) >= self.opts.max_events:
            closed.append(w)
            state.open = None
        return closed

    def flush(self) -> list[Window]:
        """Closes every open window, in the order their shards first appeared."""
        out = []
        for state in self._shards.values():
            if state.open is not None:
                out.append(state.open)
                state.open = None
        return out

    def shards(self) -> list[str]:
        return list(self._shards)


class Sequencer:
    """Per-shard ``ft.outbox_seq``: start, start + 1, … in the order records enter the outbox."""

    def __init__(self, start: int = 1) -> None:
        if isinstance(start, bool) or not isinstance(start, int) or start < 0 or start > 2**53 - 1:
            raise invalid_options("outboxSeqStart must be an integer ≥ 0")
        self._start = start
        self._last: dict[str, int] = {}

    def next(self, shard: str) -> int:
        n = self._last.get(shard, self._start - 1) + 1
        self._last[shard] = n
        return n


# ------------------------------------------------------------------ retries


@dataclass(frozen=True)
class RetryPolicy:
    """Sends of one record before it is given up (≥ 1), and the backoff between them."""

    max_attempts: int = 8
    initial_delay_ms: float = 200
    max_delay_ms: float = 10_000
    multiplier: float = 2

    def validate(self) -> "RetryPolicy":
        if isinstance(self.max_attempts, bool) or not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise invalid_options("retry maxAttempts must be an integer ≥ 1")
        if not math.isfinite(self.initial_delay_ms) or self.initial_delay_ms < 0:
            raise invalid_options("retry initialDelayMs must be a number ≥ 0")
        if not math.isfinite(self.max_delay_ms) or self.max_delay_ms < self.initial_delay_ms:
            raise invalid_options("retry maxDelayMs must be ≥ initialDelayMs")
        if not math.isfinite(self.multiplier) or self.multiplier < 1:
            raise invalid_options("retry multiplier must be ≥ 1")
        return self


def backoff_delay(failed_attempts: int, policy: RetryPolicy, random: Callable[[], float] = _random.random) -> int:
    """Delay (ms) after ``failed_attempts`` consecutive failures: base = min(max, initial ·
    multiplier^(n − 1)), delay = base/2 + U·base/2 ("equal jitter"), rounded to whole ms."""
    n = max(1, int(failed_attempts))
    base = min(policy.max_delay_ms, policy.initial_delay_ms * policy.multiplier ** (n - 1))
    u = min(max(random(), 0.0), 1.0)
    return int(math.floor(base / 2 + (u * base) / 2 + 0.5))


# ------------------------------------------------------------------ outbox


@dataclass(frozen=True)
class DeliveryReport:
    """The outcome of one record, reported exactly once: delivered (topic/partition/offset) or
    failed (``error`` with ``code`` and ``retriable``)."""

    pcs_id: str
    shard_id: str
    outbox_seq: int
    tenant_id: Optional[str]
    delivered: bool
    attempts: int
    topic: Optional[str] = None
    partition: Optional[int] = None
    offset: Optional[int] = None
    schema_id: Optional[int] = None
    error: Optional[FlkError] = None


@dataclass(frozen=True)
class SendResult:
    """What a transport reports for one record of a batch."""

    ok: bool
    topic: Optional[str] = None
    partition: Optional[int] = None
    offset: Optional[int] = None
    schema_id: Optional[int] = None
    error: Optional[FlkError] = None


class PcsTransport(Protocol):
    def send(self, batch: Sequence[Pcs]) -> list[SendResult]:
        """Sends every record and waits for each acknowledgement; one result per record, in order.
        May raise FlkPublishError for the whole batch (e.g. registry unreachable)."""
        ...


@dataclass
class OutboxStats:
    published: int = 0
    unpublished: int = 0
    sends: int = 0
    retries: int = 0
    per_shard: dict[str, dict[str, int]] = field(default_factory=dict)
    failure: Optional[str] = None


class Outbox:
    """Records leave the outbox only when the transport reports them acknowledged. Batches of
    ``batch_size`` (or older than ``linger_ms`` at the next add, or at flush) are sent in order;
    the records of a batch that failed retriably are sent again, unchanged, after a backoff with
    jitter, up to ``retry.max_attempts`` sends. After a record is given up the outbox stops sending
    (every later record is reported failed too, never dropped silently), as the TS outbox does.
    With ``stamp_sent_at`` (default) a v0.1 record's unsigned ``sent_at`` is set when its batch is
    first sent, as the TS outbox does; v0.2 records are never changed."""

    def __init__(
        self,
        transport: PcsTransport,
        batch_size: int = 100,
        linger_ms: float = 50,
        retry: RetryPolicy = RetryPolicy(),
        on_delivery: Optional[Callable[[DeliveryReport], None]] = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Callable[[], float] = _random.random,
        clock_ms: Callable[[], int] = now_ms,
        stop_after_failure: bool = True,
        stamp_sent_at: bool = True,
    ) -> None:
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise invalid_options("outbox batchSize must be an integer ≥ 1")
        if not math.isfinite(linger_ms) or linger_ms < 0:
            raise invalid_options("outbox lingerMs must be a number ≥ 0")
        self.transport = transport
        self.batch_size = batch_size
        self.linger_ms = linger_ms
        self.retry = retry.validate()
        self.on_delivery = on_delivery
        self._sleep = sleep
        self._random = random
        self._clock = clock_ms
        self._stop_after_failure = stop_after_failure
        self._stamp_sent_at = stamp_sent_at
        self._queue: list[Pcs] = []
        self._first_queued_ms = 0
        self.stats = OutboxStats()
        self.reports: list[DeliveryReport] = []

    def _shard(self, shard_id: str) -> dict[str, int]:
        return self.stats.per_shard.setdefault(shard_id, {"published": 0, "unpublished": 0, "last_published_seq": 0})

    def _report(self, rec: Pcs, result: Optional[SendResult], attempts: int, error: Optional[FlkError]) -> None:
        s = self._shard(rec["shard_id"])
        ok = result is not None and result.ok
        if ok:
            self.stats.published += 1
            s["published"] += 1
            s["last_published_seq"] = rec["ft"]["outbox_seq"]
        else:
            self.stats.unpublished += 1
            s["unpublished"] += 1
        report = DeliveryReport(
            pcs_id=rec["pcs_id"], shard_id=rec["shard_id"], outbox_seq=rec["ft"]["outbox_seq"], tenant_id=rec.get("tenant_id"),
            delivered=ok, attempts=attempts,
            topic=result.topic if result else None, partition=result.partition if result else None,
            offset=result.offset if result else None, schema_id=result.schema_id if result else None,
            error=None if ok else error,
        )
        self.reports.append(report)
        if self.on_delivery is not None:
            try:
                self.on_delivery(report)
            except Exception:  # noqa: BLE001 - the listener's problem, not the records'
                pass

    def add(self, rec: Pcs) -> None:
        self._shard(rec["shard_id"])
        if self.stats.failure is not None and self._stop_after_failure:
            self._report(rec, None, 0, _stopped(self.stats.failure))
            return
        if not self._queue:
            self._first_queued_ms = self._clock()
        self._queue.append(rec)
        if len(self._queue) >= self.batch_size or self._clock() - self._first_queued_ms >= self.linger_ms:
            self._drain()

    def flush(self) -> None:
        self._drain()

    def _drain(self) -> None:
        while self._queue:
            batch, self._queue = self._queue[: self.batch_size], self._queue[self.batch_size :]
            if self.stats.failure is not None and self._stop_after_failure:
                for rec in batch:
                    self._report(rec, None, 0, _stopped(self.stats.failure))
                continue
            self._send(batch)

    def _send(self, batch: list[Pcs]) -> None:
        if self._stamp_sent_at:
            # As the TS outbox: sent_at is the time a batch is first handed to the broker; a v0.2
            # record keeps the time it was built and signed with (sent_at is signed in v0.2).
            stamp = iso_millis(self._clock())
            batch = [rec if rec.get("version") == PCS_VERSION_V02 else {**rec, "sent_at": stamp} for rec in batch]
        pending = list(range(len(batch)))
        attempt = 0
        while pending:
            attempt += 1
            self.stats.sends += 1
            try:
                results = self.transport.send([batch[i] for i in pending])
                if len(results) != len(pending):
                    raise FlkPublishError("AGENT_PUBLISH_REJECTED", "transport returned the wrong number of results")
            except FlkError as batch_error:
                results = [SendResult(False, error=batch_error) for _ in pending]
            retry: list[int] = []
            for i, res in zip(pending, results):
                if res.ok:
                    self._report(batch[i], res, attempt, None)
                    continue
                err = res.error or FlkPublishError("AGENT_PUBLISH_UNAVAILABLE", "not acknowledged", retriable=True)
                if err.retriable and attempt < self.retry.max_attempts:
                    retry.append(i)
                else:
                    self.stats.failure = err.message
                    self._report(batch[i], None, attempt, err)
            pending = retry
            if pending:
                self.stats.retries += 1
                self._sleep(backoff_delay(attempt, self.retry, self._random) / 1000.0)


def _stopped(why: str) -> FlkPublishError:
    return FlkPublishError("AGENT_PUBLISH_UNAVAILABLE", f"not sent: publishing stopped after an earlier failure ({why})", retriable=True)


# ------------------------------------------------------------------ the agent pipeline


@dataclass
class AgentSummary:
    lines: int = 0
    blank_lines: int = 0
    events: int = 0
    bad_lines: int = 0
    bad_line_samples: list[tuple[int, str]] = field(default_factory=list)
    records: int = 0
    published: int = 0
    unpublished: int = 0
    failed_windows: list[dict[str, Any]] = field(default_factory=list)
    per_shard: dict[str, dict[str, Any]] = field(default_factory=dict)
    publish_failure: Optional[str] = None
    ok: bool = False


@dataclass
class AgentOptions:
    window: WindowOptions = field(default_factory=WindowOptions)
    seed: int = 42
    signer: Optional[Signer] = None
    #: '0.2' (default when tenant_id is given) or '0.1'.
    version: Optional[str] = None
    tenant_id: Optional[str] = None
    key_id: Optional[str] = None
    scales: Optional[Sequence[int]] = None
    params: DecisionParams = DEFAULT_PARAMS
    outbox_seq_start: int = 1
    max_bad_lines_reported: int = 100
    clock_ms: Callable[[], int] = now_ms


def run_agent(lines: Iterable[InputLine], outbox: Outbox, opts: AgentOptions) -> AgentSummary:
    """lines → events → windows → signed records → outbox, then flush; the summary counts every
    line, record and delivery (``ok`` when every record built was acknowledged)."""
    windower = Windower(opts.window)
    seq = Sequencer(opts.outbox_seq_start)
    if isinstance(opts.seed, bool) or not isinstance(opts.seed, int) or abs(opts.seed) > 2**53 - 1:
        raise invalid_options("seed must be an integer within ±(2^53 − 1)")
    version = opts.version if opts.version is not None else (PCS_VERSION_V02 if opts.tenant_id is not None else PCS_VERSION)
    if version not in PCS_VERSIONS:
        raise invalid_options(f"unknown version '{version}'")
    v02 = version == PCS_VERSION_V02
    if v02 and opts.tenant_id is None:
        raise invalid_options("a v0.2 agent needs tenantId (§7.1)")
    summary = AgentSummary()

    def shard(sid: str) -> dict[str, Any]:
        return summary.per_shard.setdefault(
            sid, {"events": 0, "records": 0, "published": 0, "unpublished": 0, "last_published_seq": 0,
                  "regimes": {"sticky": 0, "mixed": 0, "non_sticky": 0}}
        )

    def bad(line: int, reason: str) -> None:
        summary.bad_lines += 1
        if len(summary.bad_line_samples) < opts.max_bad_lines_reported:
            summary.bad_line_samples.append((line, reason))

    def publish(w: Window) -> None:
        try:
            if v02 and w.tenant_id is not None and w.tenant_id != opts.tenant_id:
                raise FlkPcsError("PCS_INVALID_ARGUMENT", f"tenant_id '{w.tenant_id}' of the events is not the agent's tenant")
            rec = build_pcs(
                shard_id=w.shard_id, epoch=w.epoch, seed=opts.seed, sent_at=iso_millis(opts.clock_ms()),
                points=w.points, chunks=w.chunks, scales=opts.scales, version=version,
                tenant_id=opts.tenant_id if v02 else w.tenant_id,
                key_id=opts.key_id if v02 else None,
                outbox_seq=seq.next(w.shard_id), signer=opts.signer, params=opts.params,
            )
        except FlkPcsError as err:
            summary.failed_windows.append({"shard_id": w.shard_id, "epoch": w.epoch, "first_line": w.first_line,
                                           "last_line": w.last_line, "reason": err.message})
            return
        summary.records += 1
        s = shard(w.shard_id)
        s["records"] += 1
        s["regimes"][rec["regime"]] += 1
        outbox.add(rec)

    for raw in lines:
        summary.lines += 1
        line_no = summary.lines
        if raw is OVERSIZED_LINE:
            bad(line_no, "line too long")
            continue
        line = raw[:-1] if raw.endswith("\r") else raw
        if js_trim(line) == "":
            summary.blank_lines += 1
            continue
        ev = parse_event_line(line)
        if isinstance(ev, str):
            bad(line_no, ev)
            continue
        pushed = windower.push(ev, line_no)
        if isinstance(pushed, str):
            bad(line_no, pushed)
            continue
        summary.events += 1
        shard(ev.shard_id)["events"] += 1
        for w in pushed:
            publish(w)
    for w in windower.flush():
        publish(w)
    outbox.flush()
    summary.published = outbox.stats.published
    summary.unpublished = outbox.stats.unpublished
    summary.publish_failure = outbox.stats.failure
    for sid, st in outbox.stats.per_shard.items():
        mine = shard(sid)
        mine["published"] = st["published"]
        mine["unpublished"] = st["unpublished"]
        mine["last_published_seq"] = st["last_published_seq"]
    summary.ok = summary.unpublished == 0 and not summary.failed_windows and summary.published == summary.records
    return summary


def agent_options_from_env(env: Mapping[str, str]) -> AgentOptions:
    """AgentOptions from the TS agent's variables (docs/agent.md §6): PCS_SIGN_ALG, PCS_HMAC_KEY
    (first key), PCS_ED25519_PRIV_B64, AGENT_PCS_VERSION (default 0.2), PCS_TENANT_ID, PCS_KEY_ID,
    AGENT_WINDOW_EVENTS, AGENT_WINDOW_MS, AGENT_EPOCH_START, AGENT_OUTBOX_SEQ_START, AGENT_SEED.
    Raises ConfigError naming every bad variable (never a key)."""
    from .envconfig import EnvReader
    from .sign import SIGN_ALGS, create_ed25519_signer, create_hmac_signer
    from .validate import matches_id

    r = EnvReader(env)
    alg = r.one_of("PCS_SIGN_ALG", SIGN_ALGS, "none")
    signer: Optional[Signer] = None
    if alg == "hmac":
        secret = r.secret("PCS_HMAC_KEY")
        first = js_trim(secret.split(",")[0]) if secret else ""
        if not first:
            r.problem("PCS_HMAC_KEY: required when PCS_SIGN_ALG=hmac (the agent signs with the first key of the list)")
        else:
            signer = create_hmac_signer(first)
    elif alg == "ed25519":
        priv = r.secret("PCS_ED25519_PRIV_B64")
        if not priv or not js_trim(priv):
            r.problem("PCS_ED25519_PRIV_B64: required when PCS_SIGN_ALG=ed25519")
        else:
            try:
                signer = create_ed25519_signer(js_trim(priv))
            except FlkPcsError as err:
                r.problem(f"PCS_ED25519_PRIV_B64: {err.message}")
    version = r.one_of("AGENT_PCS_VERSION", PCS_VERSIONS, "0.2")
    tenant = r.optional_string("PCS_TENANT_ID")
    key_id = r.optional_string("PCS_KEY_ID")
    if version == "0.2":
        if tenant is None:
            r.problem("PCS_TENANT_ID: required for v0.2 records (or set AGENT_PCS_VERSION=0.1)")
        elif not matches_id(tenant):
            r.problem("PCS_TENANT_ID: 1-64 characters of [a-z0-9._-], the first a letter or digit")
        if key_id is not None and not matches_id(key_id):
            r.problem("PCS_KEY_ID: 1-64 characters of [a-z0-9._-], the first a letter or digit")
        if key_id is None and alg != "none":
            r.problem("PCS_KEY_ID: required to sign v0.2 records (the verifiers check the one key it names)")
    window = WindowOptions(
        max_events=r.int("AGENT_WINDOW_EVENTS", 1000, 1, 10_000_000),
        max_span_ms=r.int("AGENT_WINDOW_MS", 0, 0),
        epoch_start=r.int("AGENT_EPOCH_START", 1),
    )
    opts = AgentOptions(
        window=window,
        seed=r.int("AGENT_SEED", 42),
        signer=signer,
        version=version,
        tenant_id=tenant if version == "0.2" else None,
        key_id=key_id if version == "0.2" else None,
        outbox_seq_start=r.int("AGENT_OUTBOX_SEQ_START", 1, 0),
    )
    r.done()
    return opts
