"""The CLI against the TS CLI (``flk pcs ...``): byte-identical stdout and stderr, same exit codes,
on every record of the golden vectors, hand-made edge cases and the fixtures of test/fixtures/cli.
``decided_at`` (the current time) is the only thing normalised."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Optional

import pytest

from clidiff import Result, diff_lines, run_py, run_ts, ts_cli_available
from conftest import FIXTURES, VECTORS
from corpus import write_corpus

pytestmark = pytest.mark.skipif(not ts_cli_available(), reason="the TS CLI (node_modules) is not installed in this checkout")

KEYS: dict[str, str] = json.loads((VECTORS / "verdicts.json").read_text(encoding="utf-8"))["keys"]
PUB = json.loads((VECTORS / "contract-v02-public.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("clidiff")
    write_corpus(d / "rec")
    ring = {
        "keys": [
            {"key_id": "acme-2026-11", "tenant_id": "acme", "alg": "hmac", "secret_env": "ACME_KEY"},
            {"key_id": "acme-2026-12", "tenant_id": "acme", "alg": "hmac", "secret": "other", "not_before": "2026-12-01T00:00:00Z"},
            {"key_id": "g-1", "tenant_id": "globex", "alg": "ed25519", "public_key_b64": KEYS["ed25519_pub_b64"],
             "not_before": "2024-11-01T00:00:00+01:00", "not_after": "2025-01-01T00:00:00.000000001Z"},
        ]
    }
    (d / "ring.json").write_text(json.dumps(ring))
    bad = {
        "dup": {"keys": [ring["keys"][1], ring["keys"][1]]},
        "member": {"keys": [{**ring["keys"][1], "extra": 1}]},
        "alg": {"keys": [{**ring["keys"][1], "alg": "rsa"}]},
        "two-secrets": {"keys": [{**ring["keys"][1], "secret_env": "X"}]},
        "no-env": {"keys": [{**ring["keys"][1], "secret": None}]},
        "no-file": {"keys": [{"key_id": "a", "tenant_id": "a", "alg": "hmac", "secret_file": str(d / "nope")}]},
        "bad-pub": {"keys": [{"key_id": "g", "tenant_id": "g", "alg": "ed25519", "public_key_b64": "AAAA"}]},
        "small-order": {"keys": [{"key_id": "g", "tenant_id": "g", "alg": "ed25519", "public_key_b64": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}]},
        "window": {"keys": [{**ring["keys"][1], "not_after": "2026-01-01T00:00:00Z"}]},
        "bad-time": {"keys": [{**ring["keys"][1], "not_before": "yesterday"}]},
        "not-json": "{",
        "top": {"keys": [], "more": 1},
        "empty-secret": {"keys": [{**ring["keys"][1], "secret": ""}]},
        "bad-id": {"keys": [{**ring["keys"][1], "key_id": "Bad Id"}]},
    }
    for name, doc in bad.items():
        (d / f"bad-{name}.json").write_text(doc if isinstance(doc, str) else json.dumps(doc))
    (d / "pts-bad.json").write_text("[[1,2],[3]]\n")
    (d / "pts-flat.json").write_text("[0.1, 0.2, 0.3]")
    (d / "pts-jsonl-bad.jsonl").write_text("[1,2]\n\n[3,x]\n")
    (d / "pts-dims.jsonl").write_text("[1,2]\n[3,4,5]\n")
    (d / "pts-nan.json").write_text("[[1, NaN]]")
    (d / "pts-obj.json").write_text('{"a": 1}')
    (d / "pts-bom.jsonl").write_bytes(b"\xef\xbb\xbf[1,2]\r\n[3,4]\r\n")
    (d / "pts-bad-utf8.json").write_bytes(b"[[1,2]]\xff")
    (d / "pts-empty.json").write_text("")
    (d / "pts-big.json").write_text(json.dumps([[i * 0.37 % 1, (i * i) % 17 / 17, i % 5] for i in range(400)]))
    return d


def records(work: Path) -> list[str]:
    return sorted(str(p) for p in (work / "rec").iterdir())


def same(args: list[str], env: Optional[dict[str, str]] = None, stdin: bytes = b"") -> Result:
    ts = run_ts(args, env, stdin)
    py = run_py(args, env, stdin)
    assert py.stderr == ts.stderr, "stderr differs:\n" + diff_lines(ts.stderr, py.stderr)
    assert py.stdout == ts.stdout, "stdout differs:\n" + diff_lines(ts.stdout, py.stdout)
    assert py.code == ts.code
    return ts


def test_canonical(work: Path) -> None:
    r = same(["canonical", *records(work), str(work / "nope.json"), str(work)])
    assert r.stdout.count("\n") > 100


def test_id(work: Path) -> None:
    same(["id", *records(work)])


def test_sign_hmac(work: Path) -> None:
    same(["sign", "--alg", "hmac", *records(work)], {"PCS_HMAC_KEY": f" {KEYS['hmac_key']} , {KEYS['hmac_key_2']}"})


def test_sign_ed25519_from_env_alg(work: Path) -> None:
    same(["sign", *records(work)], {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PRIV_B64": KEYS["ed25519_priv_b64"]})


def test_sign_v02_public_vector_from_stdin() -> None:
    r = same(["sign", "--alg", "hmac", "-", "-"], {"PCS_HMAC_KEY": PUB["hmac_key"]}, json.dumps(PUB["record"]).encode())
    assert json.loads(r.stdout.split("\n")[0]) == PUB["signed"]


@pytest.mark.parametrize(
    "flags,env",
    [
        ([], {}),
        (["--alg", "hmac"], {"PCS_HMAC_KEY": f"{KEYS['hmac_key']},{KEYS['hmac_key_2']}"}),
        (["--alg", "ed25519", "--tol-d", "0.5", "--tol-budget", "1e-9"], {"PCS_ED25519_PUB_B64": f"{KEYS['ed25519_pub_b64']},{KEYS['ed25519_pub_2_b64']}"}),
        (["--strict", "--tol-coh", "0x1", "--tol-r", " .5 "], {"PCS_SIGN_ALG": "none"}),
        (["--now", "2025-01-01T00:00:05Z"], {"RING": "1", "ACME_KEY": PUB["hmac_key"]}),
        (["--now", "2025-01-01T00:00:00.000000001+00:00", "--alg", "hmac"], {"RING": "1", "ACME_KEY": PUB["hmac_key"], "PCS_HMAC_KEY": KEYS["hmac_key"]}),
        (["--now", "2025-01-13T00:00:00Z"], {"RING": "1", "ACME_KEY": PUB["hmac_key"], "PCS_ACCEPT_VERSIONS": " 0.2 ", "PCS_MAX_SKEW_SECONDS": "0"}),
        (["--now", "2024-12-31T23:55:00Z"], {"RING": "1", "ACME_KEY": PUB["hmac_key"], "PCS_MAX_AGE_SECONDS": "1"}),
        (["--alg", "none", "--now", "2025-01-01T00:00:05Z"], {"RING": "1", "ACME_KEY": PUB["hmac_key"]}),
        (["--now", "2025-01-01T00:00:05Z"], {"RING": "1", "ACME_KEY": PUB["hmac_key"], "PCS_SIGN_ALG": "none"}),
        (["--now", "2025-01-01T00:00:05Z"], {"PCS_ACCEPT_VERSIONS": "0.1"}),
    ],
)
def test_verify(work: Path, flags: list[str], env: dict[str, str]) -> None:
    if env.pop("RING", None):
        env["PCS_KEYRING_FILE"] = str(work / "ring.json")
    same(["verify", *flags, *records(work)], env)


def test_verify_stdin_twice_and_unreadable(work: Path) -> None:
    same(["verify", "-", "-", str(work / "nope")], {}, b'{"pcs_id": 5}')


BAD_RINGS = ["dup", "member", "alg", "two-secrets", "no-env", "no-file", "bad-pub", "small-order", "window", "bad-time", "not-json", "top", "empty-secret", "bad-id"]


@pytest.mark.parametrize("name", BAD_RINGS)
def test_verify_bad_ring(work: Path, name: str) -> None:
    r = same(["verify", "-"], {"PCS_KEYRING_FILE": str(work / f"bad-{name}.json")}, b"{}")
    assert r.code == 2


USAGE: list[tuple[list[str], dict[str, str]]] = [
    ([], {}),
    (["nope"], {}),
    (["--help"], {}),
    (["canonical"], {}),
    (["canonical", "--help"], {}),
    (["canonical", "-h", "x"], {}),
    (["canonical", "--foo", "x"], {}),
    (["canonical", "--foo=bar"], {}),
    (["canonical", "-x"], {}),
    (["canonical", "-hx"], {}),
    (["canonical", "--help=1"], {}),
    (["canonical", "---x"], {}),
    (["canonical", "-1"], {}),
    (["canonical", "--=x"], {}),
    (["canonical", "--", "--foo", "-"], {}),
    (["id", "--help"], {}),
    (["sign", "x"], {}),
    (["sign", "--help"], {}),
    (["sign", "--alg"], {}),
    (["sign", "--alg", "--x"], {}),
    (["sign", "--alg", "--"], {}),
    (["sign", "--alg", "none", "x"], {}),
    (["sign", "x"], {"PCS_SIGN_ALG": "none"}),
    (["sign", "x"], {"PCS_SIGN_ALG": "rsa"}),
    (["sign", "--alg", "hmac", "x"], {}),
    (["sign", "--alg", "hmac", "x"], {"PCS_HMAC_KEY": " , ,"}),
    (["sign", "--alg", "ed25519", "x"], {"PCS_ED25519_PRIV_B64": "c2VjcmV0"}),
    (["sign", "--alg", "ed25519", "x"], {"PCS_ED25519_PRIV_B64": "not base64!"}),
    (["verify", "--help"], {}),
    (["verify", "--strict=1", "x"], {}),
    (["verify", "--tol-d", "abc", "x"], {}),
    (["verify", "--tol-d=-1", "x"], {}),
    (["verify", "--tol-d", "Infinity", "x"], {}),
    (["verify", "--tol-d", "", "x"], {}),
    (["verify", "--now", "yesterday", "x"], {}),
    (["verify", "--now", "2025-02-30T00:00:00Z", "x"], {}),
    (["verify", "--alg", "hmac", "x"], {}),
    (["verify", "x"], {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PUB_B64": "AAAA,BBBB"}),
    (["verify", "x"], {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PUB_B64": "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=,AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}),
    (["verify", "x"], {"PCS_SIGN_ALG": "Hmac"}),
    (["verify", "x"], {"PCS_ACCEPT_VERSIONS": "0.1,0.3", "PCS_MAX_AGE_SECONDS": "0", "PCS_MAX_SKEW_SECONDS": "x"}),
    (["verify", "x"], {"PCS_ACCEPT_VERSIONS": ",", "PCS_MAX_AGE_SECONDS": "315360001"}),
    (["verify", "x"], {"PCS_KEYRING_FILE": "/nonexistent/ring.json"}),
    (["make", "--help"], {}),
    (["make", "x"], {}),
    (["make"], {}),
    (["make", "--shard"], {}),
    (["make", "--shard", "a"], {}),
    (["make", "--shard", "a", "--epoch", "-1"], {}),
    (["make", "--shard", "a", "--epoch=-1", "--seed", "1.5"], {}),
    (["make", "--shard", "a", "--epoch", "1e3", "--seed", "1"], {}),
    (["make", "--shard", "a", "--epoch", "9007199254740992", "--seed", "1"], {}),
    (["make", "--shard", "a", "--epoch", " 1 ", "--seed", "+1"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--chunk-size", "0"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--chunk-size=-0"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "-", "--data", "-"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--sent-at", "2025-01-01"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--sent-at", "2025-01-01T24:00:01Z"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--sent-at", "2025-13-01T00:00:00Z"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--sent-at", "2025-01-01T00:00:00+24:00"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--pcs-version", "0.3"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--pcs-version", "0.2"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--pcs-version", "0.2"], {"PCS_TENANT_ID": "  "}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--tenant", "acme", "--sent-at", "2025-01-01T00:00:00+01:00"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--alg", "rsa"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x", "--alg", "hmac"], {}),
    (["make", "--shard", "a", "--epoch", "1", "--seed", "1", "--points", "x"], {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PRIV_B64": "AAAA"}),
    (["keygen"], {}),
    (["keygen", "rsa"], {}),
    (["keygen", "hmac"], {}),
    (["keygen", "ed25519", "x"], {}),
    (["keygen", "ed25519", "--tenant", "a"], {}),
    (["keygen", "ed25519", "--tenant", "A", "--key-id", "k"], {}),
    (["keygen", "--help"], {}),
    (["pcs"], {}),
]


@pytest.mark.parametrize("args,env", USAGE, ids=lambda v: " ".join(v) if isinstance(v, list) else "")
def test_usage_and_config_errors(args: list[str], env: dict[str, str]) -> None:
    if args[:1] == ["keygen"] or args == ["pcs"]:
        # `flk keygen` is top level in the TS CLI; compare with `flk keygen ...` / `flk pcs` there.
        from clidiff import MAIN, TSX, _base_env
        import subprocess

        ts_args = args if args[:1] == ["keygen"] else ["pcs"]
        p = subprocess.run([str(TSX), "--conditions=@flk/source", str(MAIN), *ts_args], capture_output=True, env=_base_env(env), timeout=300)
        py = run_py(args, env)
        assert (py.code, py.stdout, py.stderr) == (p.returncode, p.stdout.decode(), p.stderr.decode())
        return
    same(args, env)


def make_args(work: Path, *extra: str) -> list[str]:
    return ["make", "--shard", "shard-001", "--epoch", "1", "--seed", "42", "--sent-at", "2025-01-01T00:00:00Z", *extra]


MAKES: list[tuple[list[str], dict[str, str]]] = [
    (["--points", "F/points.jsonl", "--data", "F/payload.bin"], {}),
    (["--points", "F/points.json", "--data", "F/payload.bin", "--chunk-size", "7", "--attempt", "3", "--outbox-seq", "9"], {}),
    (["--points", "F/points.jsonl", "--alg", "hmac"], {"PCS_HMAC_KEY": "k1,k2"}),
    (["--points", "F/points.jsonl", "--data", "F/payload.bin"], {"PCS_SIGN_ALG": "ed25519", "PCS_ED25519_PRIV_B64": KEYS["ed25519_priv_b64"]}),
    (["--points", "F/points.jsonl", "--tenant", "acme", "--key-id", "acme-2026-11", "--alg", "hmac"], {"PCS_HMAC_KEY": "demo-key"}),
    (["--points", "F/points.jsonl", "--alg", "ed25519"], {"PCS_TENANT_ID": "globex", "PCS_KEY_ID": "g-1", "PCS_ED25519_PRIV_B64": KEYS["ed25519_priv_b64"]}),
    (["--points", "F/points.jsonl", "--tenant", "acme", "--pcs-version", "0.1"], {}),
    (["--points", "F/points.jsonl", "--tenant", "Acme"], {}),
    (["--points", "F/points.jsonl", "--tenant", ""], {}),
    (["--points", "W/pts-bad.json"], {}),
    (["--points", "W/pts-flat.json"], {}),
    (["--points", "W/pts-jsonl-bad.jsonl"], {}),
    (["--points", "W/pts-dims.jsonl"], {}),
    (["--points", "W/pts-nan.json"], {}),
    (["--points", "W/pts-obj.json"], {}),
    (["--points", "W/pts-bom.jsonl"], {}),
    (["--points", "W/pts-bad-utf8.json"], {}),
    (["--points", "W/pts-empty.json"], {}),
    (["--points", "W/pts-big.json", "--data", "F/payload.bin", "--chunk-size", "1"], {}),
    (["--points", "W/nope.json"], {}),
    (["--points", "W"], {}),
    (["--points", "F/points.jsonl", "--data", "W/nope.bin"], {}),
    (["--points", "F/points.jsonl", "--shard", "s" * 300], {}),
    (["--points", "F/points.jsonl", "--shard", "a|b", "--epoch=-9007199254740991", "--seed=-5"], {}),
    (["--points", "F/points.jsonl", "--sent-at", "2025-01-01T00:00:00.123456789123+05:30"], {}),
    (["--points", "F/points.jsonl", "--sent-at", "2025-02-31T00:00:00Z"], {}),
    (["--points", "F/points.jsonl", "--sent-at", "2025-01-01T00:00:00.5Z", "--tenant", "t.1"], {}),
]


@pytest.mark.parametrize("extra,env", MAKES, ids=lambda v: " ".join(v)[:80] if isinstance(v, list) else "")
def test_make(work: Path, extra: list[str], env: dict[str, str]) -> None:
    args = make_args(work, *[a.replace("F/", f"{FIXTURES}/").replace("W/", f"{work}/") if a.startswith(("F/", "W/")) or a == "W" else a for a in extra])
    args = [str(work) if a == "W" else a for a in args]
    same(args, env)


def test_make_from_stdin(work: Path) -> None:
    same(make_args(work, "--points", "-", "--data", str(FIXTURES / "payload.bin")), {}, (FIXTURES / "points.json").read_bytes())
    same(make_args(work, "--points", str(FIXTURES / "points.json"), "--data", "-"), {}, bytes(range(256)) * 50)


def test_make_default_sent_at_is_now_to_the_second(work: Path) -> None:
    py = run_py(["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", str(FIXTURES / "points.jsonl")])
    assert py.code == 0
    rec: dict[str, Any] = json.loads(py.stdout)
    assert rec["sent_at"].endswith("Z") and len(rec["sent_at"]) == 20


def test_keygen_round_trip(work: Path) -> None:
    for alg in ("hmac", "ed25519"):
        keys = run_py(["keygen", alg, "--tenant", "globex", "--key-id", f"globex-{alg}"])
        assert keys.code == 0
        entry, *env_lines = keys.stdout.strip().split("\n")
        env = dict(line.split("=", 1) for line in env_lines)
        ring = work / f"kg-{alg}.json"
        ring.write_text(json.dumps({"keys": [json.loads(entry)]}))
        made = run_py(["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00.5Z",
                       "--points", str(FIXTURES / "points.jsonl"), "--alg", alg], env)
        assert made.code == 0, made.stderr
        # The TS verifier accepts what the Python CLI made with the Python keys.
        v = run_ts(["verify", "--now", "2025-01-01T00:00:05Z", "-"], {"PCS_KEYRING_FILE": str(ring)}, made.stdout.encode())
        verdict = json.loads(v.stdout)
        assert verdict["status"] == "accepted" and verdict["signature_checked"] is True, verdict


V02 = json.loads((VECTORS / "v02.json").read_text(encoding="utf-8")) if (VECTORS / "v02.json").is_file() else {"bad_rings": []}


@pytest.mark.parametrize("case", V02["bad_rings"], ids=lambda c: c["name"])
def test_verify_refuses_every_bad_ring_vector(case: dict[str, Any], tmp_path: Path) -> None:
    """test/vectors/v02.json bad_rings through this CLI (in-process): exit 2, one line naming the entry."""
    from flk_pcs.cli import CliIo, run

    ring = tmp_path / "ring.json"
    ring.write_text(case["ring_json"], encoding="utf-8")
    out: list[str] = []
    err: list[str] = []
    io = CliIo(stdin=lambda: b"{}", stdout=out.append, stderr=err.append, env={**case["env"], "PCS_KEYRING_FILE": str(ring)})
    assert run(["verify", "-"], io) == 2 and out == []
    assert len(err) == 1 and err[0].startswith("flk: PCS_KEYRING_FILE: ") and err[0].endswith("\n")
    msg, problem = err[0], case["problem"]
    if problem.startswith("keys["):
        locator, word = problem.split(" ", 1)
        assert locator in msg and word in msg[msg.index(locator) + len(locator):], (problem, msg)
    else:
        assert problem in msg
    try:
        doc = json.loads(case["ring_json"])
    except ValueError:
        return
    for entry in doc.get("keys", []) if isinstance(doc, dict) and isinstance(doc.get("keys"), list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("secret"), str) and len(entry["secret"]) >= 6:
            assert entry["secret"] not in msg  # never echoed
