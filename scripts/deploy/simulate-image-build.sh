#!/usr/bin/env bash
# Runs the builder stage of apps/<app>/Dockerfile without Docker, then smoke-tests the staged
# runtime tree the way the runtime image starts it. Not part of check-deploy.sh (a few minutes per
# app: npm ci + tsc); run it after changing a Dockerfile, stage-app.sh or the workspace layout.
#
#   bash scripts/deploy/simulate-image-build.sh [APP...]     # default: verifier sink schema-registry agent
#
# What it does per app: copies the build context (the repository minus .dockerignore's entries) to a
# temporary /src, runs the Dockerfile's builder RUN instruction there verbatim (with /out redirected
# to a temporary directory), then runs `node apps/<app>/dist/main.js` from the staged tree with an
# invalid variable and expects the app's configuration error (exit 2, or 1 for the registry; the
# agent: --help, exit 0): every module, workspace link and schema file resolves from dist/.
#
# The node:24 images ship npm 11; the machine's npm may differ, so npm is run as `npx npm@11` here,
# like the image (npm 11's `npm ci` needs every platform's optional entries in the lock file, which
# test/unit/lockfile.test.ts checks).
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
APPS=("$@")
[[ ${#APPS[@]} -gt 0 ]] || APPS=(verifier sink schema-registry agent)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin"
cat >"$WORK/bin/npm" <<'EOF'
#!/usr/bin/env bash
exec "$NPX_REAL" -y npm@11 "$@"
EOF
chmod +x "$WORK/bin/npm"
export NPX_REAL; NPX_REAL=$(command -v npx)

# tar excludes from .dockerignore (plain patterns only, as used there).
excludes=()
while IFS= read -r line; do
  [[ -z $line || $line == \#* ]] && continue
  excludes+=("--exclude=${line#\*\*/}")
done <"$REPO/.dockerignore"

status=0
for app in "${APPS[@]}"; do
  t0=$SECONDS
  src=$WORK/$app/src out=$WORK/$app/out
  mkdir -p "$src"
  (cd "$REPO" && tar "${excludes[@]}" -cf - .) | tar -xf - -C "$src"
  # The builder's RUN instruction, continuation lines joined.
  run=$(sed -n '/^FROM .* AS build/,/^FROM /p' "$REPO/apps/$app/Dockerfile" | sed -n '/^RUN /,/[^\\]$/p' | sed 's/\\$//; s/^RUN //' | tr '\n' ' ')
  run=${run//\/out/$out}
  run=${run//mkdir -p \/audit/mkdir -p $WORK\/$app\/audit}
  echo "simulate[$app]: RUN $run"
  if ! (cd "$src" && PATH="$WORK/bin:$PATH" CI=true NX_DAEMON=false NX_NO_CLOUD=true bash -ec "$run") >"$WORK/$app.log" 2>&1; then
    echo "simulate[$app]: builder stage FAILED"; tail -n 30 "$WORK/$app.log"; status=1; continue
  fi
  case $app in
    agent) expect=0 args=(--help) env=() ;;
    schema-registry) expect=1 args=() env=(SCHEMA_REGISTRY_PORT=invalid) ;;
    *) expect=2 args=() env=(HTTP_PORT=invalid) ;;
  esac
  set +e
  (cd "$out" && env -i PATH="$PATH" HOME="$WORK" NODE_ENV=production "${env[@]}" node "apps/$app/dist/main.js" "${args[@]}") >"$WORK/$app.run" 2>&1
  rc=$?
  set -e
  if [[ $rc -eq $expect ]]; then
    echo "simulate[$app]: ok (staged $(du -sh "$out" | cut -f1), node apps/$app/dist/main.js exit $rc as expected, $((SECONDS - t0)) s)"
  else
    echo "simulate[$app]: the staged app exited $rc, expected $expect:"; head -n 20 "$WORK/$app.run"; status=1
  fi
done
exit $status
