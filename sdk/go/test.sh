#!/usr/bin/env bash
# The Go SDK's checks: installs what is missing (C zlib headers for cgo), then go vet, go test ./...
# (every file of test/vectors/ plus the producer against the local stack), and a 10 s `go test -fuzz`
# smoke of each fuzz target. Idempotent; exits non-zero on any failure.
# Assumes the local stack is up (cd ../.. && bash infra/local/stack.sh up): broker 127.0.0.1:9092,
# registry http://127.0.0.1:8081. FLK_SKIP_KAFKA=1 skips the producer's broker tests;
# FLK_FUZZ_TIME (default 200000x: runs per target, see below) sets the fuzz smoke budget, 0 skips it.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then export PATH=/usr/local/go/bin:$PATH; fi
command -v go >/dev/null 2>&1 || { echo "test.sh: go is not installed" >&2; exit 1; }

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
need_apt=()
[ -f /usr/include/zlib.h ] || need_apt+=(zlib1g-dev)
command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || need_apt+=(gcc libc6-dev)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
fi

export CGO_ENABLED=1
go mod download
echo "== go vet ./..."
go vet ./...
echo "== go test ./..."
go test -count=1 ./...

# A count (Nx), not a duration: with a duration Go's fuzz coordinator can report its own
# -fuzztime deadline as a failure ("context deadline exceeded", no crasher; golang/go#75804, fixed
# only in Go 1.27), which it did once in a CI rehearsal here. 200,000 runs take ~5-10 s on 2 cores.
fuzz_time=${FLK_FUZZ_TIME:-200000x}
if [ "$fuzz_time" != 0 ]; then
  for target in FuzzReadJSON FuzzRound9; do
    echo "== go test -fuzz $target -fuzztime $fuzz_time ./pcs"
    go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzz_time" ./pcs
  done
fi
echo "test.sh: all Go SDK checks passed"
