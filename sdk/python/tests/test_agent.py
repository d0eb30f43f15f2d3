"""The agent pipeline and outbox without a network (a fake transport): windows, epochs,
ft.outbox_seq per shard, retries with backoff and jitter, one report per record, typed errors;
and byte-identical records with the TS agent on test/fixtures/sample-stream.jsonl."""
from __future__ import annotations

import json
import subprocess
from typing import Any, Sequence

import pytest

import flk_pcs as pcs
from clidiff import TSX, _base_env, ts_cli_available
from conftest import REPO, SDK
from flk_pcs.agent import (
    OVERSIZED_LINE,
    AgentOptions,
    Outbox,
    RetryPolicy,
    SendResult,
    Sequencer,
    StreamEvent,
    WindowOptions,
    Windower,
    backoff_delay,
    parse_event_line,
    parse_timestamp,
    run_agent,
    split_lines,
)
from flk_pcs.errors import FlkAgentError, FlkPublishError, publish_rejected, publish_unavailable

_T0 = parse_timestamp("2025-01-01T00:00:00Z")
assert _T0 is not None
T0: int = _T0


def ev(shard: str, i: int, tenant: Any = None, dims: int = 2) -> StreamEvent:
    return StreamEvent(shard, T0 + i * 1000, [float(i), float(i * 2)][:dims] + [0.0] * (dims - 2), bytes([i & 255]), tenant)


def test_windows_per_shard_epochs_and_flush() -> None:
    w = Windower(WindowOptions(max_events=3, epoch_start=10))
    closed: list[Any] = []
    for i in range(7):
        for shard in ("a", "b"):
            r = w.push(ev(shard, i), len(closed) + 1)
            assert not isinstance(r, str)
            closed += r
    assert [f"{c.shard_id}:{c.epoch}:{len(c.points)}" for c in closed] == ["a:10:3", "b:10:3", "a:11:3", "b:11:3"]
    assert [f"{c.shard_id}:{c.epoch}:{len(c.points)}" for c in w.flush()] == ["a:12:1", "b:12:1"]
    assert w.flush() == [] and w.shards() == ["a", "b"]


def test_time_windows() -> None:
    w = Windower(WindowOptions(max_events=100, max_span_ms=3000))
    out: list[list[float]] = []
    for i in (0, 1, 2, 3, 4, 10, 11):
        r = w.push(ev("a", i), i + 1)
        assert not isinstance(r, str)
        out += [[p[0] for p in c.points] for c in r]
    out += [[p[0] for p in c.points] for c in w.flush()]
    assert out == [[0, 1, 2], [3, 4], [10, 11]]


def test_dimension_and_tenant_are_per_shard() -> None:
    w = Windower(WindowOptions(max_events=2))
    assert w.push(ev("a", 1, "t1"), 1) == []
    assert w.push(ev("a", 2, "t2"), 2) == "tenant_id: differs from the first event of shard a"
    assert w.push(ev("a", 3, "t1", dims=3), 3) == "point: shard a has 2-dimensional points"
    with pytest.raises(FlkAgentError) as e:
        Windower(WindowOptions(max_events=0))
    assert e.value.code == "AGENT_INVALID_OPTIONS" and e.value.retriable is False


def test_sequencer_and_backoff() -> None:
    s = Sequencer(1)
    assert [s.next("a"), s.next("b"), s.next("a")] == [1, 1, 2]
    p = RetryPolicy(max_attempts=5, initial_delay_ms=200, max_delay_ms=1000, multiplier=2)
    assert [backoff_delay(n, p, lambda: 0.0) for n in (1, 2, 3, 4)] == [100, 200, 400, 500]
    assert [backoff_delay(n, p, lambda: 0.999999) for n in (1, 2, 3, 4)] == [200, 400, 800, 1000]


def reason(line: str) -> str:
    r = parse_event_line(line)
    assert isinstance(r, str)
    return r


def test_event_lines() -> None:
    good = parse_event_line('{"shard_id":"s-1","ts":"2025-01-01T00:00:00.010+01:00","point":[1,2],"payload":"hé","tenant_id":"acme"}')
    assert isinstance(good, StreamEvent) and good.payload == "hé".encode() and good.ts == T0 - 3600_000 + 10
    assert parse_event_line("{") == "not valid JSON"
    assert parse_event_line("[1]") == "not a JSON object"
    assert reason('{"shard_id":"a|b"}').startswith("shard_id:")
    assert reason('{"shard_id":"a","ts":"2025-02-30T00:00:00Z"}').startswith("ts:")
    assert reason('{"shard_id":"a","ts":"2025-01-01T00:00:00Z","point":[]}').startswith("point:")
    assert reason('{"shard_id":"a","ts":"2025-01-01T00:00:00Z","point":[1],"payload_b64":"AA"}').startswith("payload_b64:")
    assert list(split_lines([b"a\nb", b"c\r\n\n", "x" * 20 + "\n", b"tail"], max_chars=10)) == ["a", "bc\r", "", OVERSIZED_LINE, "tail"]


class FakeTransport:
    def __init__(self, plan: Sequence[Any] = ()) -> None:
        self.plan = list(plan)  # per send: None = all ok, an error = all fail with it, or a list of SendResult/None
        self.sent: list[list[str]] = []
        self.offset = 0

    def send(self, batch: Sequence[pcs.Pcs]) -> list[SendResult]:
        self.sent.append([r["pcs_id"] for r in batch])
        step = self.plan.pop(0) if self.plan else None
        if isinstance(step, Exception):
            raise step
        out = []
        for i, _ in enumerate(batch):
            s = step[i] if isinstance(step, list) else None
            if s is None:
                self.offset += 1
                out.append(SendResult(True, "t", 0, self.offset, 1))
            else:
                out.append(s)
        return out


def events(n_per_shard: int, shards: Sequence[str], tenant: Any = None) -> list[str]:
    lines = []
    for i in range(n_per_shard):
        for s in shards:
            e: dict[str, Any] = {"shard_id": s, "ts": f"2025-01-01T00:00:{i % 60:02d}Z", "point": [i * 0.1, (i * 7 % 11) / 11], "payload": f"ev {i}"}
            if tenant:
                e["tenant_id"] = tenant
            lines.append(json.dumps(e))
    return lines


def test_agent_outbox_seq_per_shard_and_reports() -> None:
    reports: list[Any] = []
    tr = FakeTransport()
    outbox = Outbox(tr, batch_size=3, linger_ms=1e9, on_delivery=reports.append, sleep=lambda s: None)
    lines = events(10, ["a", "b"]) + ["", "not json", "{\"shard_id\":\"a\"}"]
    opts = AgentOptions(window=WindowOptions(max_events=4), tenant_id="acme", key_id="acme-1",
                        signer=pcs.create_hmac_signer("k"), clock_ms=lambda: 1735689600123)
    summary = run_agent(lines, outbox, opts)
    assert summary.ok and summary.records == 6 and summary.published == 6 and summary.bad_lines == 2 and summary.blank_lines == 1
    assert [(r.shard_id, r.outbox_seq) for r in reports] == [("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3)]
    assert all(r.delivered and r.attempts == 1 and r.tenant_id == "acme" for r in reports)
    assert [len(b) for b in tr.sent] == [3, 3]
    assert summary.per_shard["a"]["last_published_seq"] == 3


def test_retries_only_failed_records_then_gives_up_reporting_each() -> None:
    down = publish_unavailable("kafka: _MSG_TIMED_OUT")
    sleeps: list[float] = []
    tr = FakeTransport([down, [None, SendResult(False, error=down)], None])
    reports: list[Any] = []
    outbox = Outbox(tr, batch_size=2, linger_ms=1e9, retry=RetryPolicy(max_attempts=3, initial_delay_ms=100), on_delivery=reports.append,
                    sleep=sleeps.append, random=lambda: 0.5)
    recs = [pcs.build_pcs(shard_id="s", epoch=i, seed=1, sent_at="2025-01-01T00:00:00Z", points=[[0.0, 1.0]], chunks=[], outbox_seq=i) for i in (1, 2)]
    for r in recs:
        outbox.add(r)
    outbox.flush()
    assert [r.delivered for r in reports] == [True, True] and [r.attempts for r in reports] == [2, 3]
    assert tr.sent == [[recs[0]["pcs_id"], recs[1]["pcs_id"]], [recs[0]["pcs_id"], recs[1]["pcs_id"]], [recs[1]["pcs_id"]]]
    assert sleeps == [0.075, 0.15]  # base/2 + 0.5·base/2, base 100 then 200
    # A final error is not retried; the record is reported failed, with its code.
    tr2 = FakeTransport([publish_rejected("kafka: MSG_SIZE_TOO_LARGE")])
    out2: list[Any] = []
    ob2 = Outbox(tr2, batch_size=1, linger_ms=1e9, on_delivery=out2.append, sleep=lambda s: None)
    ob2.add(recs[0])
    ob2.add(recs[1])  # after a give-up the outbox stops sending: reported, not dropped
    ob2.flush()
    assert [(r.delivered, r.error.code if r.error else None) for r in out2] == [(False, "AGENT_PUBLISH_REJECTED"), (False, "AGENT_PUBLISH_UNAVAILABLE")]
    assert len(tr2.sent) == 1 and ob2.stats.unpublished == 2


def test_v01_sent_at_stamped_at_first_send_v02_never() -> None:
    tr = FakeTransport()
    got: list[pcs.Pcs] = []

    class Keep(FakeTransport):
        def send(self, batch: Sequence[pcs.Pcs]) -> list[SendResult]:
            got.extend(batch)
            return super().send(batch)

    ob = Outbox(Keep(), batch_size=2, linger_ms=1e9, clock_ms=lambda: 1735689600999, sleep=lambda s: None)
    v1 = pcs.build_pcs(shard_id="s", epoch=1, seed=1, sent_at="2025-01-01T00:00:00Z", points=[[1.0]], chunks=[])
    v2 = pcs.build_pcs(shard_id="s", epoch=2, seed=1, sent_at="2025-01-01T00:00:00Z", points=[[1.0]], chunks=[], version="0.2", tenant_id="t")
    ob.add(v1)
    ob.add(v2)
    assert [r["sent_at"] for r in got] == ["2025-01-01T00:00:00.999Z", "2025-01-01T00:00:00Z"]
    _ = tr


def test_retry_budget_exhausted() -> None:
    down = publish_unavailable("kafka: _TRANSPORT")
    tr = FakeTransport([down] * 10)
    out: list[Any] = []
    ob = Outbox(tr, batch_size=5, linger_ms=1e9, retry=RetryPolicy(max_attempts=4, initial_delay_ms=1), on_delivery=out.append, sleep=lambda s: None)
    ob.add(pcs.build_pcs(shard_id="s", epoch=1, seed=1, sent_at="x", points=[[1.0]], chunks=[]))
    ob.flush()
    assert len(tr.sent) == 4 and out[0].delivered is False and out[0].attempts == 4
    assert isinstance(out[0].error, FlkPublishError) and out[0].error.retriable is True


def test_producer_refuses_bad_input_naming_the_field() -> None:
    from flk_pcs.producer import PcsProducer, ProducerConfig

    good = pcs.build_pcs(shard_id="s", epoch=1, seed=1, sent_at="2025-01-01T00:00:00Z", points=[[1.0, 2.0]], chunks=[])
    p = PcsProducer(ProducerConfig(), transport=FakeTransport())
    for bad, field in (({**good, "D_hat": float("nan")}, "non_finite:D_hat"),
                       ({**good, "N_j": {k: v for k, v in good["N_j"].items() if k != "8"}}, "missing:N_j.8"),
                       ({**good, "v_star": [0.0] * 2000}, "too_long:v_star")):
        with pytest.raises(pcs.FlkPcsError) as e:
            p.publish([good, bad])
        assert e.value.code == "PCS_INVALID_ARGUMENT" and field in str(e.value) and "#1" in str(e.value)
    with pytest.raises(pcs.FlkPcsError) as e2:
        pcs.build_pcs(shard_id="s" * 300, epoch=1, seed=1, sent_at="x", points=[[1.0]], chunks=[])
    assert "malformed:too_long:shard_id" in str(e2.value)
    with pytest.raises(pcs.FlkPcsError) as e3:
        pcs.build_pcs(shard_id="s", epoch=1, seed=1, sent_at="x", points=[[1.0], [float("inf")]], chunks=[])
    assert "coordinates must be finite numbers" in str(e3.value)


def test_env_config_names_every_bad_variable() -> None:
    from flk_pcs.agent import agent_options_from_env
    from flk_pcs.envconfig import ConfigError
    from flk_pcs.producer import ProducerConfig

    with pytest.raises(ConfigError) as e:
        agent_options_from_env({"PCS_SIGN_ALG": "hmac", "AGENT_WINDOW_EVENTS": "0", "PCS_TENANT_ID": "ACME"})
    text = str(e.value)
    for name in ("PCS_HMAC_KEY", "AGENT_WINDOW_EVENTS", "PCS_TENANT_ID", "PCS_KEY_ID"):
        assert name in text
    opts = agent_options_from_env({"PCS_SIGN_ALG": "hmac", "PCS_HMAC_KEY": "top-secret,old", "PCS_TENANT_ID": "acme", "PCS_KEY_ID": "acme-1"})
    assert opts.version == "0.2" and opts.tenant_id == "acme" and "top-secret" not in repr(opts)
    with pytest.raises(ConfigError) as e2:
        ProducerConfig.from_env({"KAFKA_BROKERS": "nohost", "KAFKA_SASL_MECHANISM": "plain", "KAFKA_SASL_PASSWORD": "pw-secret"})
    assert "KAFKA_BROKERS" in str(e2.value) and "KAFKA_SASL_USERNAME" in str(e2.value) and "pw-secret" not in str(e2.value)
    cfg = ProducerConfig.from_env({"KAFKA_BROKERS": "h:1, h:2", "PCS_SUBMITTED_TOPIC": "t", "KAFKA_SASL_MECHANISM": "scram-sha-256",
                                   "KAFKA_SASL_USERNAME": "u", "KAFKA_SASL_PASSWORD": "pw-secret"})
    assert cfg.brokers == "h:1,h:2" and cfg.value_subject == "t-value" and "pw-secret" not in repr(cfg)
    conf = cfg.librdkafka()
    assert conf["enable.idempotence"] is True and conf["acks"] == "all" and conf["sasl.mechanism"] == "SCRAM-SHA-256"


def test_bundled_schema_is_the_repository_schema() -> None:
    from flk_pcs.registry import bundled_schema

    assert json.loads(bundled_schema()) == json.loads((REPO / "schemas" / "pcs-v1.avsc").read_text())


@pytest.mark.skipif(not ts_cli_available(), reason="the TS workspace (node_modules) is not installed")
@pytest.mark.parametrize("max_events,span,version", [(1000, 0, "0.1"), (300, 0, "0.2"), (1000, 250, "0.2")])
def test_same_records_as_the_ts_agent(max_events: int, span: int, version: str) -> None:
    stream = REPO / "test" / "fixtures" / "sample-stream.jsonl"
    p = subprocess.run(
        [str(TSX), "--conditions=@flk/source", str(SDK / "tools" / "agent-records.ts"), str(stream), str(max_events), str(span), version, "acme", "acme-1", "k"],
        capture_output=True, env=_base_env(None), cwd=str(REPO), timeout=300,
    )
    assert p.returncode == 0, p.stderr.decode()
    *ts_records, ts_summary = p.stdout.decode().strip().split("\n")
    got: list[pcs.Pcs] = []

    class Collect(FakeTransport):
        def send(self, batch: Sequence[pcs.Pcs]) -> list[SendResult]:
            got.extend(batch)
            return super().send(batch)

    outbox = Outbox(Collect(), batch_size=7, linger_ms=1e9, sleep=lambda s: None, clock_ms=lambda: 1735689600123)
    opts = AgentOptions(window=WindowOptions(max_events=max_events, max_span_ms=span), seed=42, signer=pcs.create_hmac_signer("k"),
                        version=version, tenant_id="acme" if version == "0.2" else None, key_id="acme-1" if version == "0.2" else None,
                        clock_ms=lambda: 1735689600123)
    with stream.open("rb") as f:
        summary = run_agent(split_lines(iter(lambda: f.read(65536), b"")), outbox, opts)
    assert json.loads(ts_summary) == {"events": summary.events, "badLines": summary.bad_lines, "records": summary.records}
    assert [pcs.stringify(r) for r in got] == ts_records
