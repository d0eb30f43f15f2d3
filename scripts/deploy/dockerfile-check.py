#!/usr/bin/env python3
"""Project rules for apps/*/Dockerfile that a generic linter (hadolint) cannot know.

    python3 scripts/deploy/dockerfile-check.py            # from the repository root

For each deployable app (below): the Dockerfile exists, is multi-stage (a builder stage "build"
that runs `npm ci` and `tsc -b apps/<app>/...` and stages the app with
scripts/deploy/stage-app.sh; a runtime stage that copies from it), runs as a non-root numeric
USER, starts apps/<app>/dist/main.js (whose source apps/<app>/src/main.ts exists), and EXPOSEs the
app's default port. .dockerignore keeps node_modules and dist out of the context and lets in what
the build needs. Exit 1 with one line per problem.
"""
import os
import re
import sys

# app -> the port its config defaults to (docs/pipeline.md, docs/schema-registry.md); None: no server.
APPS = {"verifier": "9464", "sink": "9465", "schema-registry": "8081", "agent": None}
NEEDED_IN_CONTEXT = ["package.json", "package-lock.json", "tsconfig.base.json", "schemas/pcs-v1.avsc", "libs/registry/schemas/pcs-v1.avsc",
                     "libs/pcs/package.json", "apps/verifier/src/main.ts", "scripts/deploy/stage-app.sh"]


def instructions(path):
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments and blank lines dropped."""
    out, buf = [], ""
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n")
            if not buf and (not line.strip() or line.lstrip().startswith("#")):
                continue
            if buf and line.lstrip().startswith("#"):
                continue
            if line.endswith("\\"):
                buf += line[:-1] + " "
                continue
            buf += line
            word, _, rest = buf.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            buf = ""
    return out


def dockerignore_patterns():
    with open(".dockerignore", encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def ignored(path, patterns):
    """Rough .dockerignore matching: enough for the plain patterns used here (no negations)."""
    parts = path.split("/")
    for p in patterns:
        p = p.rstrip("/")
        if p.startswith("**/"):
            if p[3:] in parts or any(re.fullmatch(p[3:].replace(".", r"\.").replace("*", ".*"), x) for x in parts):
                return True
        elif path == p or path.startswith(p + "/"):
            return True
        elif "*" in p and re.fullmatch(p.replace(".", r"\.").replace("*", "[^/]*"), parts[0]):
            return True
    return False


def check_app(app, port, problems):
    path = f"apps/{app}/Dockerfile"
    say = lambda msg: problems.append(f"{path}: {msg}")
    if not os.path.isfile(path):
        say("missing")
        return
    if not os.path.isfile(f"apps/{app}/src/main.ts"):
        say(f"apps/{app}/src/main.ts does not exist")
    ins = instructions(path)
    froms = [i for i, (w, _) in enumerate(ins) if w == "FROM"]
    if len(froms) < 2:
        say("not multi-stage (expected a builder and a runtime stage)")
        return
    builder = ins[froms[0]:froms[1]]
    runtime = ins[froms[-1]:]
    if not re.search(r"\bAS\s+build\b", ins[froms[0]][1], re.I):
        say("the first stage is not named 'build'")
    runs = " ".join(a for w, a in builder if w == "RUN")
    if "npm ci" not in runs:
        say("the builder does not run `npm ci`")
    if not re.search(rf"tsc -b apps/{re.escape(app)}(/tsconfig\.json)?\b", runs):
        say(f"the builder does not run `tsc -b apps/{app}`")
    if f"stage-app.sh {app} " not in runs:
        say(f"the builder does not stage the app with scripts/deploy/stage-app.sh {app}")
    if not any(w == "COPY" and "--from=build" in a for w, a in runtime):
        say("the runtime stage copies nothing from the builder")
    users = [a for w, a in runtime if w == "USER"]
    if not users:
        say("the runtime stage sets no USER (it would run as root)")
    elif not re.fullmatch(r"[1-9][0-9]*(:[1-9][0-9]*)?", users[-1]):
        say(f"USER {users[-1]}: use a numeric non-root uid (runAsNonRoot can only verify numeric users)")
    start = " ".join(a for w, a in runtime if w in ("CMD", "ENTRYPOINT"))
    if f"apps/{app}/dist/main.js" not in start:
        say(f"CMD/ENTRYPOINT does not start apps/{app}/dist/main.js")
    exposed = " ".join(a for w, a in runtime if w == "EXPOSE").split()
    if port and port not in exposed:
        say(f"does not EXPOSE {port} (the app's default port)")


def main():
    problems = []
    for app, port in APPS.items():
        check_app(app, port, problems)
    if not os.path.isfile(".dockerignore"):
        problems.append(".dockerignore: missing (node_modules and dist would enter the build context)")
    else:
        patterns = dockerignore_patterns()
        for must in ("apps/sink/node_modules/x", "node_modules/x", "libs/pcs/dist/index.js"):
            if not ignored(must, patterns):
                problems.append(f".dockerignore: {must} is not excluded")
        for need in NEEDED_IN_CONTEXT:
            if ignored(need, patterns):
                problems.append(f".dockerignore: excludes {need}, which the build needs")
    for p in problems:
        print(f"dockerfile-check: {p}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"dockerfile-check: {', '.join(f'apps/{a}/Dockerfile' for a in APPS)} and .dockerignore follow the project rules")


if __name__ == "__main__":
    main()
