#!/usr/bin/env bash
# Assembles the runtime tree of one app for its container image (used by apps/*/Dockerfile, in the
# builder stage, after `npm ci` + `tsc -b apps/<app>` + `npm prune --omit=dev`):
#
#   bash scripts/deploy/stage-app.sh <app> <out-dir>
#
# <out-dir> gets: package.json, the production node_modules (workspace links included), schemas/,
# and for every lib plus apps/<app>: package.json + dist/ (compiled tests, declarations and build
# info left out). Node resolves @flk/* through node_modules/@flk/<name> -> ../../libs/<name>, whose
# "default" export condition is dist/index.js; @flk/registry reads its own libs/registry/schemas/*.avsc.
set -euo pipefail
app=${1:?usage: stage-app.sh <app> <out-dir>}
out=${2:?usage: stage-app.sh <app> <out-dir>}
[[ -f apps/$app/dist/main.js ]] || { echo "stage-app: apps/$app/dist/main.js missing (run tsc -b apps/$app first)" >&2; exit 1; }
mkdir -p "$out"
cp -a package.json node_modules schemas "$out/"
for dir in libs/* "apps/$app"; do
  [[ -f $dir/package.json ]] || continue
  mkdir -p "$out/$dir"
  cp -a "$dir/package.json" "$out/$dir/"
  if [[ -d $dir/dist ]]; then cp -a "$dir/dist" "$out/$dir/"; fi
  if [[ -d $dir/schemas ]]; then cp -a "$dir/schemas" "$out/$dir/"; fi   # @flk/registry's Avro schemas
done
# Only runtime files: no compiled tests, test helpers' maps, declarations or tsc build info.
find "$out/libs" "$out/apps" \( -name '*.test.js' -o -name '*.test.js.map' -o -name '*.test.d.ts' -o -name '*.test.d.ts.map' \
  -o -name '*.d.ts' -o -name '*.d.ts.map' -o -name '*.tsbuildinfo' \) -type f -delete
echo "stage-app: $app staged in $out ($(du -sh "$out" | cut -f1))"
