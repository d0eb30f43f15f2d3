"""The producer on the real local stack (``bash infra/local/stack.sh up``: broker 127.0.0.1:9092,
registry http://127.0.0.1:8081; the caller starts it). Records built from raw data (v0.1/v0.2,
HMAC/Ed25519) are published, read back with their schema id and decoded, and decided as accepted
by this SDK and by the TS CLI; a down broker is retried with backoff and every record reported."""
from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

import flk_pcs as pcs
from clidiff import run_ts, ts_cli_available
from conftest import VECTORS
from flk_pcs.agent import RetryPolicy
from flk_pcs.producer import PcsProducer, ProducerConfig
from flk_pcs.registry import RegistryClient, WireCodec
from flk_pcs.tracecontext import is_traceparent, new_traceparent

BROKERS = os.environ.get("KAFKA_BROKERS", "127.0.0.1:9092")
REGISTRY = os.environ.get("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081")
KEYS: dict[str, str] = json.loads((VECTORS / "verdicts.json").read_text(encoding="utf-8"))["keys"]

ck = pytest.importorskip("confluent_kafka") if os.environ.get("FLK_SKIP_KAFKA") == "1" else __import__("confluent_kafka")
import confluent_kafka.admin as ck_admin  # noqa: E402

AdminClient: Any = getattr(ck_admin, "AdminClient")
NewTopic: Any = getattr(ck_admin, "NewTopic")


def _stack_up() -> None:
    host, port = BROKERS.split(",")[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        RegistryClient(REGISTRY, timeout_s=3).latest("pcs.submitted-value")
    except Exception as e:  # noqa: BLE001
        if os.environ.get("FLK_SKIP_KAFKA") == "1":
            pytest.skip(f"local stack not reachable ({e})")
        pytest.fail(f"the local stack is not up ({e}): run `cd /work/main && bash infra/local/stack.sh up` first")


@pytest.fixture(scope="module")
def topic() -> Iterator[str]:
    _stack_up()
    name = f"flk-py-{uuid.uuid4().hex[:10]}.pcs.submitted"
    admin = AdminClient({"bootstrap.servers": BROKERS})
    fs = admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1, config={"message.timestamp.type": "LogAppendTime"})])
    for f in fs.values():
        f.result(30)
    time.sleep(0.5)
    yield name
    for f in admin.delete_topics([name]).values():
        try:
            f.result(30)
        except Exception:  # noqa: BLE001
            pass


def consume_all(topic: str, expected: int, timeout_s: float = 30) -> list[Any]:
    c = ck.Consumer({"bootstrap.servers": BROKERS, "group.id": f"flk-py-{uuid.uuid4().hex}", "auto.offset.reset": "earliest",
                     "enable.auto.commit": False})
    c.subscribe([topic])
    out: list[Any] = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is None:
                if len(out) >= expected:
                    # one more quiet second: nothing beyond the expected (no duplicates)
                    m2 = c.poll(1.0)
                    if m2 is None:
                        break
                    m = m2
                else:
                    continue
            if m.error():
                continue
            out.append(m)
    finally:
        c.close()
    return out


def build(i: int, version: str, alg: str) -> pcs.Pcs:
    signer = pcs.create_hmac_signer(KEYS["hmac_key"]) if alg == "hmac" else pcs.create_ed25519_signer(KEYS["ed25519_priv_b64"])
    pts = [[((i * 31 + k * 17) % 97) / 97, ((i + k * k) % 89) / 89, (k % 7) / 7] for k in range(40 + i % 13)]
    chunks = [f"record {i} chunk {j} ".encode() * (30 + j) for j in range(1 + i % 4)]
    tenant = "acme" if alg == "hmac" else "globex"
    return pcs.build_pcs(
        shard_id=f"py-shard-{i % 5}", epoch=1000 + i, seed=42 + i, sent_at=pcs.now_iso(), points=pts, chunks=chunks,
        outbox_seq=i + 1, version=version, tenant_id=tenant if version == "0.2" else None,
        key_id=(f"{tenant}-k1" if version == "0.2" else None), signer=signer,
    )


def test_publish_read_back_decode_and_verify(topic: str, tmp_path: Path) -> None:
    plan = [(("0.1", "0.2")[i % 2], ("hmac", "ed25519")[(i // 2) % 2]) for i in range(80)]
    recs = [build(i, v, a) for i, (v, a) in enumerate(plan)]
    alg_of = {r["pcs_id"]: a for r, (_, a) in zip(recs, plan)}
    delivered: list[Any] = []
    cfg = ProducerConfig(brokers=BROKERS, registry_url=REGISTRY, topic=topic, batch_size=16)
    with PcsProducer(cfg, on_delivery=delivered.append) as p:
        reports = p.publish(recs)
    assert len(reports) == len(recs) == len(delivered)
    assert all(r.delivered and r.error is None and r.topic == topic for r in reports), [r.error for r in reports if r.error][:3]
    assert [r.pcs_id for r in reports] == [r["pcs_id"] for r in recs]
    registry = RegistryClient(REGISTRY)
    latest = registry.latest(f"{topic}-value")
    verifier_schema = registry.latest("pcs.submitted-value")
    assert latest is not None and verifier_schema is not None
    assert {r.schema_id for r in reports} == {latest[0]}
    assert latest[0] == verifier_schema[0], "the SDK registered a schema other than the verifier's"

    msgs = consume_all(topic, len(recs))
    assert len(msgs) == len(recs), "every record exactly once"
    # Trace context: a fresh, well-formed traceparent header per record.
    traces = [dict(m.headers() or []).get("traceparent", b"").decode() for m in msgs]
    assert all(is_traceparent(t) for t in traces), traces[:3]
    assert len({t.split("-")[1] for t in traces}) == len(recs)
    codec = WireCodec(registry, f"{topic}-value")
    by_id = {r["pcs_id"]: r for r in recs}
    tenants = pcs.create_tenant_key_ring([
        {"key_id": "acme-k1", "tenant_id": "acme", "alg": "hmac", "secret": KEYS["hmac_key"]},
        {"key_id": "globex-k1", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_b64"]},
    ])
    files: list[tuple[Path, str]] = []
    for m in msgs:
        value = m.value()
        assert value[0] == 0 and int.from_bytes(value[1:5], "big") == latest[0]
        sid, decoded = codec.decode(value)
        key = m.key().decode()
        original = by_id[key]
        assert decoded["pcs_id"] == key
        check = pcs.validate_pcs(decoded)
        assert check.ok and check.pcs == pcs.validate_pcs(original).pcs
        alg = alg_of[key]
        ring = pcs.create_key_ring("hmac", hmac_keys=[KEYS["hmac_key"]]) if alg == "hmac" else pcs.create_key_ring("ed25519", ed25519_public_keys_b64=[KEYS["ed25519_pub_b64"]])
        config = pcs.create_decide_config(v01=ring, tenants=tenants)
        ts_type, ts_ms = m.timestamp()
        assert ts_type == ck.TIMESTAMP_LOG_APPEND_TIME
        v = pcs.decide(decoded, config, None, pcs.DecideMeta(pcs.now_iso(), {"topic": topic, "partition": m.partition(), "offset": str(m.offset())}, now_ms=ts_ms))
        assert v["status"] == "accepted" and v["signature_checked"], v
        f = tmp_path / f"{len(files)}.json"
        f.write_text(pcs.stringify({k: v2 for k, v2 in decoded.items()}))
        files.append((f, alg))

    if ts_cli_available():
        # The TS verifier logic (flk pcs verify) decides every decoded record the same way.
        ring_file = tmp_path / "ring.json"
        ring_file.write_text(json.dumps({"keys": [
            {"key_id": "acme-k1", "tenant_id": "acme", "alg": "hmac", "secret": KEYS["hmac_key"]},
            {"key_id": "globex-k1", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_b64"]}]}))
        for alg, env in (("hmac", {"PCS_SIGN_ALG": "hmac", "PCS_HMAC_KEY": KEYS["hmac_key"]}),
                         ("ed25519", {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PUB_B64": KEYS["ed25519_pub_b64"]})):
            group = [str(f) for f, a in files if a == alg]
            r = run_ts(["verify", "--strict", *group], {**env, "PCS_KEYRING_FILE": str(ring_file)})
            assert r.code == 0, r.stdout[:2000] + r.stderr
            assert all(json.loads(line)["status"] == "accepted" for line in r.stdout.strip().split("\n"))


def test_publish_to_pcs_submitted_and_read_back_by_offset() -> None:
    _stack_up()
    rec = build(7, "0.2", "hmac")
    with PcsProducer(ProducerConfig(brokers=BROKERS, registry_url=REGISTRY)) as p:
        r = p.publish_one(rec)
    assert r.delivered and r.topic == "pcs.submitted" and r.partition is not None and r.offset is not None
    c = ck.Consumer({"bootstrap.servers": BROKERS, "group.id": f"flk-py-{uuid.uuid4().hex}", "enable.auto.commit": False})
    c.assign([ck.TopicPartition("pcs.submitted", r.partition, r.offset)])
    try:
        m = None
        deadline = time.monotonic() + 20
        while m is None and time.monotonic() < deadline:
            m = c.poll(0.5)
            if m is not None and m.error():
                m = None
    finally:
        c.close()
    assert m is not None and m.key() == rec["pcs_id"].encode()
    latest = RegistryClient(REGISTRY).latest("pcs.submitted-value")
    assert latest is not None and int.from_bytes(m.value()[1:5], "big") == latest[0] == r.schema_id
    _, decoded = WireCodec(RegistryClient(REGISTRY), "pcs.submitted-value").decode(m.value())
    assert pcs.canonical_payload(decoded) == pcs.canonical_payload(rec)


def test_down_broker_backs_off_and_reports_every_record() -> None:
    _stack_up()  # the registry is up; the broker address is dead
    sleeps: list[float] = []
    cfg = ProducerConfig(brokers="127.0.0.1:1", registry_url=REGISTRY, topic="pcs.submitted", ack_timeout_ms=1000,
                         connect_timeout_ms=500, retry=RetryPolicy(max_attempts=3, initial_delay_ms=100, max_delay_ms=1000))
    reports: list[Any] = []
    def sleep(s: float) -> None:
        sleeps.append(s)
        time.sleep(s)

    with PcsProducer(cfg, on_delivery=reports.append, sleep=sleep) as p:
        out = p.publish([build(i, "0.1", "hmac") for i in range(3)])
    assert len(out) == 3 == len(reports)
    for r in out:
        assert r.delivered is False and r.attempts == 3
        assert r.error is not None and r.error.code == "AGENT_PUBLISH_UNAVAILABLE" and r.error.retriable is True
    assert len(sleeps) == 2 and 0.05 <= sleeps[0] <= 0.1 and 0.1 <= sleeps[1] <= 0.2


class _Proxy:
    """A TCP forwarder to the broker that starts listening only when told to (a broker that comes up)."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        self.port = s.getsockname()[1]
        s.close()
        self._srv: socket.socket | None = None

    def start(self) -> None:
        srv = socket.socket()
        srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        srv.bind(("127.0.0.1", self.port))
        srv.listen(16)
        self._srv = srv
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        assert self._srv is not None
        while True:
            try:
                a, _ = self._srv.accept()
            except OSError:
                return
            b = socket.create_connection(self.target)
            for x, y in ((a, b), (b, a)):
                threading.Thread(target=self._pipe, args=(x, y), daemon=True).start()

    @staticmethod
    def _pipe(x: socket.socket, y: socket.socket) -> None:
        try:
            while data := x.recv(65536):
                y.sendall(data)
        except OSError:
            pass
        finally:
            for s in (x, y):
                try:
                    s.close()
                except OSError:
                    pass

    def stop(self) -> None:
        if self._srv is not None:
            self._srv.close()


def test_broker_coming_up_late_gets_each_record_exactly_once(topic: str) -> None:
    host, port = BROKERS.split(",")[0].rsplit(":", 1)
    proxy = _Proxy((host, int(port)))
    recs = [build(100 + i, "0.2", "hmac") for i in range(5)]
    started = threading.Event()

    def sleep(s: float) -> None:
        if not started.is_set():
            proxy.start()  # the "broker" comes back during the first backoff
            started.set()
        time.sleep(s)

    cfg = ProducerConfig(brokers=f"127.0.0.1:{proxy.port}", registry_url=REGISTRY, topic=topic, ack_timeout_ms=2000,
                         connect_timeout_ms=500, retry=RetryPolicy(max_attempts=6, initial_delay_ms=200, max_delay_ms=1000))
    try:
        with PcsProducer(cfg, sleep=sleep) as p:
            out = p.publish(recs)
    finally:
        proxy.stop()
    assert all(r.delivered for r in out), [r.error for r in out]
    assert max(r.attempts for r in out) >= 2
    ids = {r["pcs_id"] for r in recs}
    msgs = [m for m in consume_all(topic, 0, timeout_s=15) if m.key().decode() in ids]
    assert sorted(m.key().decode() for m in msgs) == sorted(ids), "each record exactly once on the topic"


def test_traceparent_from_the_caller(topic: str) -> None:
    tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    recs = [build(500 + i, "0.2", "hmac") for i in range(2)]
    given = {recs[0]["pcs_id"]: tp, recs[1]["pcs_id"]: "00-not-a-traceparent"}
    cfg = ProducerConfig(brokers=BROKERS, registry_url=REGISTRY, topic=topic)
    with PcsProducer(cfg, traceparent=lambda r: given[r["pcs_id"]]) as p:
        assert all(r.delivered for r in p.publish(recs))
    got = {m.key().decode(): dict(m.headers() or [])["traceparent"].decode() for m in consume_all(topic, 2)}
    assert got[recs[0]["pcs_id"]] == tp
    assert is_traceparent(got[recs[1]["pcs_id"]]) and got[recs[1]["pcs_id"]] != tp  # malformed: a fresh one
    assert not is_traceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
    assert not is_traceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")
    assert is_traceparent(new_traceparent())
