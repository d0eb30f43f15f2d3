#!/usr/bin/env bash
# The audit log checked by code no one on FLK wrote (issue 13): gen.ts writes a 5000-entry audit
# log with @flk/audit's writer and prints FLK's roots and proofs from the stored subtree hashes (every size 1..300, random pairs
# on the whole log) and a signed checkpoint; `flk audit checkpoint` signs another over the same
# log; peer_test.go verifies all of it with github.com/transparency-dev/merkle and
# golang.org/x/mod/sumdb/note. Idempotent: the Go modules come from the module proxy (go.sum).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null 2>&1 || { echo "test.sh: go is not installed" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
tsx=(node "$root/node_modules/tsx/dist/cli.mjs" --conditions=@flk/source)
start=$(date +%s%N)
"${tsx[@]}" "$here/gen.ts" "$work/audit" > "$work/proofs.json"
signer="$(node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")).signer_key)' "$work/proofs.json")"
AUDIT_CHECKPOINT_KEY="$signer" "${tsx[@]}" "$root/apps/cli/src/main.ts" audit checkpoint "$work/audit" --origin flk.test/peer-audit > "$work/cli-checkpoint.txt"
echo "test/peers/merkle: FLK proofs generated in $(( ($(date +%s%N) - start) / 1000000 )) ms"

cd "$here"
go mod download
go vet ./...
FLK_PEER_PROOFS="$work/proofs.json" FLK_PEER_CLI_CHECKPOINT="$work/cli-checkpoint.txt" go test -count=1 -v ./...
echo "test/peers/merkle: all peer checks passed"
