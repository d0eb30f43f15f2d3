"""Publishing PCS records to Kafka (``pcs.submitted``) in Confluent wire format, with
``confluent-kafka`` (librdkafka): an idempotent producer (``enable.idempotence``, ``acks=all``),
key = pcs_id, value = magic 0 + schema id + Avro (``fastavro``, schema id from the registry).

Every record gets exactly one DeliveryReport: delivered (topic, partition, offset, schema id) or
failed (an error with ``code`` and ``retriable``). librdkafka retries inside one attempt (its
sequence numbers make those retries write once); a record that is not acknowledged within
``ack_timeout_ms`` is sent again by the outbox after an exponential backoff with jitter, through
the same producer, up to ``max_attempts`` sends. Nothing is dropped silently. Keys and secrets are
never logged; records' contents are never logged.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

from .agent import AgentOptions, AgentSummary, DeliveryReport, Outbox, RetryPolicy, SendResult, run_agent, split_lines
from .errors import FlkError, FlkPcsError, PCS_ERROR_CODES, publish_rejected, publish_unavailable
from .registry import RegistryClient, WireCodec
from .tracecontext import TRACEPARENT_HEADER, is_traceparent, new_traceparent
from .validate import Pcs, validate_pcs

log = logging.getLogger("flk_pcs.producer")

DEFAULT_TOPIC = "pcs.submitted"


@dataclass
class ProducerConfig:
    """Producer settings; ``from_env`` reads the TS agent's variables (docs/agent.md §6)."""

    brokers: str = "127.0.0.1:9092"
    registry_url: str = "http://127.0.0.1:8081"
    topic: str = DEFAULT_TOPIC
    #: Default ``<topic>-value`` (TopicNameStrategy).
    subject: Optional[str] = None
    #: 'latest': the subject's latest schema version (the bundled pcs-v1 is registered when the
    #: subject is empty); 'register': register the bundled pcs-v1 and use its id.
    schema_policy: str = "latest"
    client_id: str = "flk-pcs-python"
    batch_size: int = 100
    linger_ms: int = 50
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    connect_timeout_ms: int = 3000
    #: How long one attempt may wait for the broker's acknowledgement (librdkafka message.timeout.ms).
    ack_timeout_ms: int = 30_000
    ssl: bool = False
    ssl_ca_file: Optional[str] = None
    sasl_mechanism: Optional[str] = None
    sasl_username: Optional[str] = None
    sasl_password: Optional[str] = field(default=None, repr=False)
    #: Extra librdkafka settings (override the above).
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def value_subject(self) -> str:
        return self.subject or f"{self.topic}-value"

    @classmethod
    def from_env(cls, env: Optional[Mapping[str, str]] = None) -> "ProducerConfig":
        """KAFKA_BROKERS, KAFKA_SSL, KAFKA_SSL_CA_FILE, KAFKA_SASL_MECHANISM / _USERNAME / _PASSWORD,
        SCHEMA_REGISTRY_URL, PCS_SUBMITTED_TOPIC, AGENT_CLIENT_ID, AGENT_BATCH_SIZE, AGENT_LINGER_MS,
        AGENT_PUBLISH_MAX_ATTEMPTS, AGENT_RETRY_INITIAL_MS / _MAX_MS / _MULTIPLIER,
        AGENT_CONNECT_TIMEOUT_MS, AGENT_ACK_TIMEOUT_MS. Raises ConfigError naming every bad one."""
        import os
        import re

        from .envconfig import EnvReader

        r = EnvReader(os.environ if env is None else env)
        brokers = r.list("KAFKA_BROKERS", ["127.0.0.1:9092"])
        if not brokers:
            r.problem("KAFKA_BROKERS: at least one host:port")
        for b in brokers:
            if re.fullmatch(r"[^\s:]+:[0-9]{1,5}", b) is None:
                r.problem(f"KAFKA_BROKERS: '{b}' is not host:port")
        ssl = r.bool("KAFKA_SSL", False)
        ca = r.optional_string("KAFKA_SSL_CA_FILE")
        if ca is not None:
            if not os.path.isfile(ca):
                r.problem(f"KAFKA_SSL_CA_FILE: cannot read {ca}")
            ssl = True
        mech = None
        user = pw = None
        if r.optional_string("KAFKA_SASL_MECHANISM") is not None:
            mech = r.one_of("KAFKA_SASL_MECHANISM", ["plain", "scram-sha-256", "scram-sha-512"], "plain")
            user = r.optional_string("KAFKA_SASL_USERNAME")
            pw = r.secret("KAFKA_SASL_PASSWORD")
            if user is None or pw is None:
                r.problem("KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are required with KAFKA_SASL_MECHANISM")
        initial = r.int("AGENT_RETRY_INITIAL_MS", 200, 0, 600_000)
        maximum = r.int("AGENT_RETRY_MAX_MS", 10_000, 0, 3_600_000)
        if maximum < initial:
            r.problem("AGENT_RETRY_MAX_MS: must be ≥ AGENT_RETRY_INITIAL_MS")
        url = r.string("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081")
        if re.match(r"https?://[^/\s]+", url) is None:
            r.problem("SCHEMA_REGISTRY_URL: not a URL")
        cfg = cls(
            brokers=",".join(brokers),
            registry_url=url,
            topic=r.string("PCS_SUBMITTED_TOPIC", DEFAULT_TOPIC),
            client_id=r.string("AGENT_CLIENT_ID", "flk-pcs-python"),
            batch_size=r.int("AGENT_BATCH_SIZE", 100, 1, 100_000),
            linger_ms=r.int("AGENT_LINGER_MS", 50, 0, 60_000),
            retry=RetryPolicy(
                max_attempts=r.int("AGENT_PUBLISH_MAX_ATTEMPTS", 8, 1, 1000),
                initial_delay_ms=initial,
                max_delay_ms=max(maximum, initial),
                multiplier=r.number("AGENT_RETRY_MULTIPLIER", 2, 1, 100),
            ),
            connect_timeout_ms=r.int("AGENT_CONNECT_TIMEOUT_MS", 3000, 100, 600_000),
            ack_timeout_ms=r.int("AGENT_ACK_TIMEOUT_MS", 30_000, 1000, 3_600_000),
            ssl=ssl,
            ssl_ca_file=ca,
            sasl_mechanism=mech,
            sasl_username=user,
            sasl_password=pw,
        )
        r.done()
        return cfg

    def librdkafka(self) -> dict[str, Any]:
        """The librdkafka configuration (contains the SASL password when set: never log it)."""
        conf: dict[str, Any] = {
            "bootstrap.servers": self.brokers,
            "client.id": self.client_id,
            "enable.idempotence": True,
            "acks": "all",
            "max.in.flight.requests.per.connection": 5,
            "linger.ms": self.linger_ms,
            "batch.num.messages": max(1, self.batch_size),
            "message.timeout.ms": self.ack_timeout_ms,
            "request.timeout.ms": min(self.ack_timeout_ms, 30_000),
            "socket.connection.setup.timeout.ms": max(1000, self.connect_timeout_ms),
            "retry.backoff.ms": 100,
            "retry.backoff.max.ms": 2000,
            "reconnect.backoff.ms": 100,
            "reconnect.backoff.max.ms": 2000,
            # murmur2 of the key, as the Java client and kafkajs' DefaultPartitioner.
            "partitioner": "murmur2_random",
        }
        if self.sasl_mechanism is not None:
            conf["security.protocol"] = "SASL_SSL" if self.ssl else "SASL_PLAINTEXT"
            conf["sasl.mechanism"] = self.sasl_mechanism.upper()
            conf["sasl.username"] = self.sasl_username or ""
            conf["sasl.password"] = self.sasl_password or ""
        elif self.ssl:
            conf["security.protocol"] = "SSL"
        if self.ssl_ca_file is not None:
            conf["ssl.ca.location"] = self.ssl_ca_file
        conf.update(self.extra)
        return conf


def _confluent() -> Any:
    try:
        import confluent_kafka
    except ImportError as e:  # pragma: no cover - environment
        raise publish_rejected("the producer needs 'confluent-kafka' (pip install 'flk-pcs[kafka]')") from e
    return confluent_kafka


_RETRIABLE_NAMES = {
    "_MSG_TIMED_OUT", "_TIMED_OUT", "_TRANSPORT", "_ALL_BROKERS_DOWN", "_RESOLVE", "_PURGE_QUEUE", "_PURGE_INFLIGHT",
    "_QUEUE_FULL", "REQUEST_TIMED_OUT", "NOT_ENOUGH_REPLICAS", "NOT_ENOUGH_REPLICAS_AFTER_APPEND", "LEADER_NOT_AVAILABLE",
    "NOT_LEADER_FOR_PARTITION", "NOT_LEADER_OR_FOLLOWER", "NETWORK_EXCEPTION", "BROKER_NOT_AVAILABLE", "_NODE_UPDATE",
    "_WAIT_COORD", "COORDINATOR_NOT_AVAILABLE", "KAFKA_STORAGE_ERROR", "_NO_OFFSET",
}


def classify_kafka_error(err: Any, what: str) -> FlkError:
    """A librdkafka error as FlkPublishError: retriable for connection/timeout/leader problems,
    final for what a retry cannot fix (too large, not authorised, unknown topic, fatal)."""
    name = err.name() if hasattr(err, "name") else str(err)
    text = err.str() if hasattr(err, "str") else str(err)
    message = f"{what}: {name}: {text}"
    fatal = bool(err.fatal()) if hasattr(err, "fatal") else False
    retriable = (bool(err.retriable()) if hasattr(err, "retriable") else False) or name in _RETRIABLE_NAMES
    if fatal or not retriable:
        return publish_rejected(message)
    return publish_unavailable(message)


class KafkaTransport:
    """The outbox's transport: one idempotent confluent-kafka Producer for its whole life (its
    producer id and sequence numbers make librdkafka's re-sends write once).

    Every record carries a ``traceparent`` header: ``traceparent(record)`` when given and well
    formed (e.g. from the caller's OpenTelemetry span via ``propagate.inject``), else a fresh one;
    the outbox's re-sends of a record keep the one it was first sent with."""

    def __init__(self, config: ProducerConfig, codec: Optional[WireCodec] = None,
                 traceparent: Optional[Callable[[Pcs], Optional[str]]] = None) -> None:
        self.config = config
        self._traceparent = traceparent
        self._traces: dict[str, str] = {}  # pcs_id -> traceparent, until the record is delivered
        self.codec = codec or WireCodec(RegistryClient(config.registry_url), config.value_subject, config.schema_policy)
        ck = _confluent()
        try:
            self._producer = ck.Producer(config.librdkafka(), logger=log, error_cb=self._on_error)
        except ck.KafkaException as e:
            kerr = e.args[0] if e.args else e
            raise publish_rejected(f"kafka producer configuration: {kerr.str() if hasattr(kerr, 'str') else kerr}") from None

    @staticmethod
    def _on_error(err: Any) -> None:
        log.warning("kafka: %s", err.str() if hasattr(err, "str") else err)

    def _trace_of(self, rec: Pcs) -> str:
        tp = self._traces.get(rec["pcs_id"])
        if tp is None:
            given = self._traceparent(rec) if self._traceparent is not None else None
            tp = given if given is not None and is_traceparent(given) else new_traceparent()
            self._traces[rec["pcs_id"]] = tp
        return tp

    def send(self, batch: Sequence[Pcs]) -> list[SendResult]:
        schema_id = self.codec.init()  # raises FlkPublishError (registry) for the whole batch
        results: list[Optional[SendResult]] = [None] * len(batch)
        values: list[Optional[bytes]] = []
        for i, rec in enumerate(batch):
            try:
                values.append(self.codec.encode(rec))
            except FlkError as e:
                values.append(None)
                results[i] = SendResult(False, error=e)

        def callback(i: int) -> Callable[[Any, Any], None]:
            def on_delivery(err: Any, msg: Any) -> None:
                if err is not None:
                    results[i] = SendResult(False, error=classify_kafka_error(err, f"kafka produce to {self.config.topic}"))
                else:
                    self._traces.pop(batch[i]["pcs_id"], None)
                    results[i] = SendResult(True, topic=msg.topic(), partition=msg.partition(), offset=msg.offset(), schema_id=schema_id)

            return on_delivery

        for i, (rec, value) in enumerate(zip(batch, values)):
            if value is None:
                continue
            while True:
                try:
                    self._producer.produce(self.config.topic, key=rec["pcs_id"].encode("utf-8"), value=value, on_delivery=callback(i),
                                           headers=[(TRACEPARENT_HEADER, self._trace_of(rec).encode("ascii"))])
                    break
                except BufferError:
                    self._producer.poll(0.1)  # local queue full: let deliveries drain
                except Exception as e:  # noqa: BLE001 - KafkaException (e.g. a fatal producer)
                    kerr = e.args[0] if e.args else e
                    results[i] = SendResult(False, error=classify_kafka_error(kerr, f"kafka produce to {self.config.topic}"))
                    break
        # librdkafka reports every message within message.timeout.ms; a margin on top.
        deadline = time.monotonic() + self.config.ack_timeout_ms / 1000.0 + 10.0
        while any(r is None for r in results) and time.monotonic() < deadline:
            self._producer.poll(0.05)
        out: list[SendResult] = []
        for r in results:
            out.append(r if r is not None else SendResult(False, error=publish_unavailable("kafka: no delivery report in time")))
        return out

    def close(self, timeout_s: float = 10.0) -> int:
        """Flushes what is still queued; returns the number of messages left undelivered."""
        return int(self._producer.flush(timeout_s))


class PcsProducer:
    """Publishes records and reports each one (``on_delivery``), e.g.::

        with PcsProducer(ProducerConfig.from_env()) as p:
            reports = p.publish([record])        # blocks until acknowledged or given up
    """

    def __init__(
        self,
        config: Optional[ProducerConfig] = None,
        on_delivery: Optional[Callable[[DeliveryReport], None]] = None,
        transport: Any = None,
        sleep: Callable[[float], None] = time.sleep,
        traceparent: Optional[Callable[[Pcs], Optional[str]]] = None,
    ) -> None:
        self.config = config or ProducerConfig()
        self.transport = transport if transport is not None else KafkaTransport(self.config, traceparent=traceparent)
        self.on_delivery = on_delivery
        self._sleep = sleep

    def _outbox(self, on_delivery: Optional[Callable[[DeliveryReport], None]], size: int) -> Outbox:
        return Outbox(
            self.transport,
            # every record of one publish() call in flight at once (librdkafka batches them)
            batch_size=max(1, self.config.batch_size, size),
            linger_ms=1e12,  # publish() flushes; batching is librdkafka's (linger.ms)
            retry=self.config.retry,
            on_delivery=on_delivery or self.on_delivery,
            sleep=self._sleep,
            stop_after_failure=False,
            stamp_sent_at=False,  # the caller's records are sent as given
        )

    def publish(self, records: Iterable[Pcs]) -> list[DeliveryReport]:
        """Validates every record first (a record that a verifier would reject as malformed raises
        FlkPcsError PCS_INVALID_ARGUMENT naming the field, and nothing is sent), then sends them
        and returns one DeliveryReport per record, in order."""
        recs = list(records)
        checked: list[Pcs] = []
        for i, rec in enumerate(recs):
            v = validate_pcs(rec)
            if not v.ok or v.pcs is None:
                raise FlkPcsError(PCS_ERROR_CODES.INVALID_ARGUMENT, f"publish: record #{i} is malformed ({', '.join(v.reasons)})")
            checked.append(v.pcs)
        outbox = self._outbox(None, len(checked))
        for rec in checked:
            outbox.add(rec)
        outbox.flush()
        return list(outbox.reports)

    def publish_one(self, record: Pcs) -> DeliveryReport:
        return self.publish([record])[0]

    def run_agent(self, lines: Iterable[Any], opts: AgentOptions) -> AgentSummary:
        """The TS agent's pipeline (windows → records → outbox) publishing through this producer;
        an outbox that gives a record up stops sending, as the TS agent does."""
        outbox = Outbox(self.transport, batch_size=self.config.batch_size, linger_ms=self.config.linger_ms,
                        retry=self.config.retry, on_delivery=self.on_delivery, sleep=self._sleep)
        return run_agent(lines, outbox, opts)

    def close(self) -> None:
        close = getattr(self.transport, "close", None)
        if callable(close):
            close()

    def __enter__(self) -> "PcsProducer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["ProducerConfig", "KafkaTransport", "PcsProducer", "classify_kafka_error", "split_lines", "DeliveryReport"]
