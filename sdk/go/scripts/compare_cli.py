#!/usr/bin/env python3
"""Runs the Go CLI (flk-pcs) and the TypeScript CLI (npm run -s flk -- pcs ...) on the same inputs and
compares stdout, stderr and the exit status byte for byte (decided_at, the only clock-dependent
member, is masked). Inputs come from test/vectors/ (verdicts.json, canonical.json, v02.json) plus
hand-written usage cases. Usage: python3 scripts/compare_cli.py GO_BINARY [REPO]; exit 1 on any
difference. Needs node/npm (the TypeScript CLI) and is not part of `go test`."""
import json, os, re, subprocess, sys, tempfile

GO = os.path.abspath(sys.argv[1])
REPO = os.path.abspath(sys.argv[2] if len(sys.argv) > 2 else os.path.join(os.path.dirname(__file__), "..", "..", ".."))
VEC = os.path.join(REPO, "test", "vectors")
work = tempfile.mkdtemp(prefix="flk-cmp-")
os.chdir(work)

def load(name):
    with open(os.path.join(VEC, name), encoding="utf-8") as f:
        return json.load(f)

def write(name, text):
    with open(name, "wb") as f:
        f.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    return os.path.join(work, name)

MASK = re.compile(r'"decided_at":"[^"]*"')
BASE_ENV = {k: v for k, v in os.environ.items() if not k.startswith("PCS_")}

def run(cmd, env, stdin):
    p = subprocess.run(cmd, env={**BASE_ENV, **env}, input=stdin, capture_output=True, cwd=work)
    return p.returncode, MASK.sub('"decided_at":"*"', p.stdout.decode("utf-8", "replace")), p.stderr.decode("utf-8", "replace")

failures = 0
count = 0
def compare(label, args, env=None, stdin=b""):
    global failures, count
    env = env or {}
    count += 1
    g = run([GO] + args, env, stdin)
    t = run(["npm", "run", "-s", "--prefix", REPO, "flk", "--", "pcs"] + args, env, stdin)
    if g != t:
        failures += 1
        print(f"DIFF {label}: {args[:6]} env={list(env)}")
        for what, a, b in (("exit", g[0], t[0]), ("stdout", g[1], t[1]), ("stderr", g[2], t[2])):
            if a != b:
                al, bl = str(a).splitlines(), str(b).splitlines()
                for i in range(max(len(al), len(bl))):
                    x = al[i] if i < len(al) else None
                    y = bl[i] if i < len(bl) else None
                    if x != y:
                        print(f"  {what} line {i}:\n    go: {x}\n    ts: {y}")
                        break
    else:
        print(f"same {label} (exit {g[0]}, {len(g[1].splitlines())} stdout lines, {len(g[2].splitlines())} stderr lines)")

verdicts = load("verdicts.json")
keys = verdicts["keys"]
v01_files = []
for i, c in enumerate(verdicts["cases"]):
    text = c["input_json"] if "input_json" in c else json.dumps(c["input"], ensure_ascii=False)
    v01_files.append(write(f"v01-{i}.json", text))
canon = load("canonical.json")
canon_files = []
for i, c in enumerate(canon["cases"]):
    fields = ",".join(json.dumps(k) + ":" + ("-0.0" if isinstance(v, float) and v == 0 and str(v).startswith("-") else json.dumps(v, ensure_ascii=False)) for k, v in c["fields"].items())
    canon_files.append(write(f"canon-{i}.json", "{" + fields + "}"))
v02 = load("v02.json")
v02_files = []
for i, c in enumerate(v02["verdicts"]):
    text = c["input_json"] if "input_json" in c else json.dumps(c["input"], ensure_ascii=False)
    v02_files.append(write(f"v02-{i}.json", text))
v02_canon = [write(f"v02c-{i}.json", json.dumps(c["record"], ensure_ascii=False)) for i, c in enumerate(v02["canonical"])]
write("ring-main.json", json.dumps(v02["rings"]["main"]))
write("bad.bin", b"\xff\xfe{")
write("bom.json", b"\xef\xbb\xbf{}")
os.makedirs("adir", exist_ok=True)
extra = [os.path.join(work, n) for n in ["missing.json", "adir", "bad.bin", "bom.json"]]

hmac_env = {"PCS_HMAC_KEY": f'{keys["hmac_key"]},{keys["hmac_key_2"]}'}
ed_pub = {"PCS_ED25519_PUB_B64": f'{keys["ed25519_pub_b64"]},{keys["ed25519_pub_2_b64"]}'}
ed_priv = {"PCS_ED25519_PRIV_B64": keys["ed25519_priv_b64"]}
ring_env = {"PCS_KEYRING_FILE": os.path.join(work, "ring-main.json")}

compare("canonical v0.1 vectors", ["canonical"] + canon_files)
compare("canonical of verdict inputs", ["canonical"] + v01_files + extra)
compare("canonical of v0.2 inputs", ["canonical"] + v02_files + v02_canon)
compare("id", ["id"] + canon_files + v01_files[:40] + v02_files[:40] + extra)
compare("sign hmac v0.1", ["sign", "--alg", "hmac"] + v01_files + extra, hmac_env)
compare("sign ed25519 v0.1", ["sign", "--alg", "ed25519"] + v01_files, ed_priv)
compare("sign hmac v0.2", ["sign"] + v02_files + v02_canon, {**hmac_env, "PCS_SIGN_ALG": "hmac"})
compare("sign ed25519 v0.2", ["sign", "--alg", "ed25519"] + v02_files, ed_priv)
compare("verify none", ["verify"] + v01_files + extra)
compare("verify hmac", ["verify", "--alg", "hmac"] + v01_files, hmac_env)
compare("verify ed25519 (env)", ["verify"] + v01_files, {**ed_pub, "PCS_SIGN_ALG": "ed25519"})
compare("verify tolerances", ["verify", "--tol-d", "0.5", "--tol-coh=0", "--tol-r", "1e-9", "--tol-budget", "0x1"] + v01_files[:30], {})
compare("verify --strict", ["verify", "--strict"] + v01_files[:3])
compare("verify v0.2 ring + hmac", ["verify", "--now", "2025-03-01T12:00:30Z"] + v02_files + v01_files[:20], {**ring_env, **hmac_env, "PCS_SIGN_ALG": "hmac"})
compare("verify v0.2 ring only", ["verify", "--now", "2025-03-01T12:00:30.5+01:00"] + v02_files, ring_env)
compare("verify v0.2 ring, PCS_SIGN_ALG=none", ["verify", "--now", "2025-03-01T12:00:30Z"] + v02_files[:30], {**ring_env, "PCS_SIGN_ALG": "none"})
compare("verify v0.2 accept 0.2, window", ["verify", "--now", "2025-03-13T12:00:30Z"] + v02_files[:60] + v01_files[:5],
        {**ring_env, "PCS_ACCEPT_VERSIONS": "0.2", "PCS_MAX_AGE_SECONDS": "1036800", "PCS_MAX_SKEW_SECONDS": "0"})
compare("verify v0.2 default now", ["verify"] + v02_files[:20], ring_env)
# Per-case configurations of v02.json that the CLI can express.
groups = {}
for i, c in enumerate(v02["verdicts"]):
    if c.get("prior") is not None or (c.get("params") and any(k not in ("tolD", "tolCoh", "tolR", "tolBudget") for k in c["params"])):
        continue
    env = {}
    args = ["verify", "--now", c["now"]]
    if not c["signatures"]:
        env["PCS_SIGN_ALG"] = "none"
    elif c["v01_ring"] == "hmac":
        env.update(hmac_env, PCS_SIGN_ALG="hmac")
    elif c["v01_ring"] == "ed25519":
        env.update(ed_pub, PCS_SIGN_ALG="ed25519")
    if c["ring"] is not None:
        write(f"ring-{c['ring']}.json", json.dumps(v02["rings"][c["ring"]]))
        env["PCS_KEYRING_FILE"] = os.path.join(work, f"ring-{c['ring']}.json")
    env["PCS_ACCEPT_VERSIONS"] = ",".join(c["accept_versions"])
    env["PCS_MAX_AGE_SECONDS"] = str(c["max_age_seconds"])
    env["PCS_MAX_SKEW_SECONDS"] = str(c["max_skew_seconds"])
    for k, v in (c.get("params") or {}).items():
        args += [{"tolD": "--tol-d", "tolCoh": "--tol-coh", "tolR": "--tol-r", "tolBudget": "--tol-budget"}[k], repr(v)]
    groups.setdefault(json.dumps([args, env], sort_keys=True), []).append(v02_files[i])
for n, (k, files) in enumerate(groups.items()):
    args, env = json.loads(k)
    compare(f"v02 group {n}", args + files, env)
# Bad rings.
for i, c in enumerate(v02["bad_rings"]):
    write(f"badring-{i}.json", c["ring_json"])
    compare(f"bad ring {c['name']}", ["verify", v02_files[0]], {**c["env"], "PCS_KEYRING_FILE": os.path.join(work, f"badring-{i}.json")})
compare("ring file missing", ["verify", v02_files[0]], {"PCS_KEYRING_FILE": "/nonexistent/ring.json"})
# make
write("points.jsonl", "[0.1,0.2]\n[0.3,0.4]\n\n[0.9,0.05]\n[0.5,0.5]\n")
write("points.json", " [[0.12, 0.05], [0.48, 0.07], [0.91, 0.02], [0.2, 0.9]] ")
write("flat.json", "[0.1,0.2]")
write("payload.bin", bytes(range(256)) * 40)
for label, args, env in [
    ("make v0.1", ["make", "--shard", "shard-001", "--epoch", "1", "--seed", "42", "--sent-at", "2025-01-01T00:00:00Z", "--points", os.path.join(work, "points.jsonl"), "--data", os.path.join(work, "payload.bin")], {}),
    ("make hmac chunks", ["make", "--shard", "s", "--epoch=-5", "--seed=-7", "--sent-at", "2025-01-01T00:00:00.123+02:00", "--points", os.path.join(work, "points.json"), "--data", os.path.join(work, "payload.bin"), "--chunk-size", "100", "--alg", "hmac", "--attempt", "3", "--outbox-seq", "9"], hmac_env),
    ("make v0.2 tenant", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--sent-at", "2025-01-01T00:00:00.123456789Z", "--points", os.path.join(work, "points.jsonl"), "--tenant", "acme", "--key-id", "acme-h1", "--alg", "hmac"], hmac_env),
    ("make v0.2 env tenant ed25519", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", os.path.join(work, "flat.json")], {**ed_priv, "PCS_SIGN_ALG": "ed25519", "PCS_TENANT_ID": " globex ", "PCS_KEY_ID": "g-1"}),
    ("make v0.1 with tenant", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", os.path.join(work, "points.json"), "--tenant", "acme", "--pcs-version", "0.1"], {}),
    ("make v0.2 no tenant", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--points", os.path.join(work, "points.json"), "--pcs-version", "0.2"], {}),
    ("make v0.2 offset time", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--sent-at", "2025-01-01T00:00:00+01:00", "--points", os.path.join(work, "points.json"), "--tenant", "acme"], {}),
    ("make bad tenant", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", os.path.join(work, "points.json"), "--tenant", "ACME"], {}),
    ("make bad version", ["make", "--shard", "s", "--epoch", "2", "--seed", "1", "--points", os.path.join(work, "points.json"), "--pcs-version", "0.3"], {}),
    ("make missing shard", ["make", "--epoch", "1"], {}),
    ("make bad epoch", ["make", "--shard", "s", "--epoch", "1.5", "--seed", "1", "--points", os.path.join(work, "points.json")], {}),
    ("make big epoch", ["make", "--shard", "s", "--epoch", "9007199254740992", "--seed", "1", "--points", os.path.join(work, "points.json")], {}),
    ("make bad sent-at", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-13-01T00:00:00Z", "--points", os.path.join(work, "points.json")], {}),
    ("make feb 30 sent-at", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-02-30T00:00:00Z", "--points", os.path.join(work, "points.json")], {}),
    ("make no points", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", os.path.join(work, "missing.txt")], {}),
    ("make points not json", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", write("p1.txt", "nonsense")], {}),
    ("make points object", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", write("p2.txt", '{"x":1}')], {}),
    ("make points mixed dims", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", write("p3.txt", "[1,2]\n[3]\n")], {}),
    ("make points empty", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", write("p4.txt", "")], {}),
    ("make points bad row", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", write("p5.txt", '[[1,2],[3,"4"]]')], {}),
    ("make stdin points", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", "-"], {}),
    ("make both stdin", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", "-", "--data", "-"], {}),
    ("make chunk 0", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", os.path.join(work, "points.json"), "--chunk-size", "0"], {}),
    ("make positional", ["make", "x"], {}),
    ("make long shard", ["make", "--shard", "s" * 300, "--epoch", "1", "--seed", "1", "--sent-at", "2025-01-01T00:00:00Z", "--points", os.path.join(work, "points.json")], {}),
    ("make ed25519 bad key", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", os.path.join(work, "points.json"), "--alg", "ed25519"], {"PCS_ED25519_PRIV_B64": "key"}),
    ("make hmac no key", ["make", "--shard", "s", "--epoch", "1", "--seed", "1", "--points", os.path.join(work, "points.json"), "--alg", "hmac"], {}),
]:
    compare(label, args, env, stdin=b"[[1,2],[2,3],[5,1]]")
# usage and configuration errors
for label, args, env in [
    ("no command", [], {}), ("unknown command", ["nope"], {}), ("canonical no files", ["canonical"], {}),
    ("unknown option", ["canonical", "--foo", "x"], {}), ("unknown short", ["verify", "-x", "f"], {}),
    ("short group", ["verify", "-hx"], {}), ("missing value", ["sign", "--alg"], {}),
    ("ambiguous", ["verify", "--alg", "--strict", "x"], {}), ("bool with value", ["verify", "--strict=1", "x"], {}),
    ("help with value", ["verify", "--help=1"], {}), ("bad alg", ["verify", "--alg", "rsa", "x"], {}),
    ("bad env alg", ["verify", "/nonexistent/x"], {"PCS_SIGN_ALG": "rsa"}), ("sign none env", ["sign", "x"], {"PCS_SIGN_ALG": "none"}),
    ("sign no alg", ["sign", "x"], {}), ("sign no key", ["sign", "--alg", "hmac", "x"], {}),
    ("sign blank key", ["sign", "--alg", "hmac", "x"], {"PCS_HMAC_KEY": " , "}),
    ("verify bad pub", ["verify", "--alg", "ed25519", "x"], {"PCS_ED25519_PUB_B64": f'{keys["ed25519_pub_b64"]},nope'}),
    ("verify bad tol", ["verify", "--tol-d", "-1", "x"], {}), ("verify bad tol2", ["verify", "--tol-d=-1", "x"], {}),
    ("verify tol nan", ["verify", "--tol-coh", "abc", "x"], {}), ("verify tol empty", ["verify", "--tol-r=", "x"], {}),
    ("verify bad now", ["verify", "--now", "2025-01-01", "x"], {}),
    ("verify bad accept", ["verify", "/nonexistent/x"], {"PCS_ACCEPT_VERSIONS": "0.1,0.3"}),
    ("verify bad ages", ["verify", "/nonexistent/x"], {"PCS_MAX_AGE_SECONDS": "0", "PCS_MAX_SKEW_SECONDS": "abc", "PCS_ACCEPT_VERSIONS": " , "}),
    ("verify stdin twice", ["verify", "-", "-"], {}),
    ("canonical stdin", ["canonical", "-"], {}),
]:
    compare(label, args, env, stdin=open(v01_files[0], "rb").read())
print(f"{count} comparisons, {failures} with differences")
sys.exit(1 if failures else 0)
