#!/usr/bin/env bash
# Independent check of an FLK audit directory with bash, coreutils (sha256sum) and jq only: the
# reference a third party can read and run instead of trusting @flk/audit (format: docs/sink.md).
#   bash verify-audit.sh DIR   → "OK <lines> lines, last hash <hex>" (exit 0)
#                                or "FAIL <segment> line <n>: <reason>" (exit 1), at the first break
# It spawns a few processes per line (~100s of lines/s): for audits, not for big logs in a hurry.
set -euo pipefail
export LC_ALL=C # bytes, not characters: hashes are over the exact bytes of each line
dir=${1:?usage: verify-audit.sh DIR}
[ -d "$dir" ] || { echo "no such directory: $dir" >&2; exit 2; }

prev=$(printf '0%.0s' $(seq 64)) # the first line's prev: 64 zeros
seq=0
declare -A last # "<partition> <topic>" -> last offset
name='' n=0
fail() { echo "FAIL $name line $n: $1"; exit 1; }
sha() { sha256sum | cut -d' ' -f1; }

shopt -s nullglob
for f in "$dir"/audit-*.jsonl; do # the glob sorts by name; names are zero-padded seqs
  name=${f##*/}
  [[ $name =~ ^audit-([0-9]{20})\.jsonl$ ]] || continue
  first=$((10#${BASH_REMATCH[1]}))
  n=1
  [ "$first" -eq "$seq" ] || fail "seq_mismatch (segment named for seq $first, log continues at $seq)"
  n=0
  while IFS= read -r line; do
    n=$((n + 1))
    meta=$(printf '%s' "$line" | jq -rs 'if length == 1 and (.[0] | type) == "object" then .[0] | [.seq, .prev, .hash, .partition, .offset, .topic] | map(tostring) | @tsv else error("not one JSON object") end' 2>/dev/null) ||
      fail bad_json
    IFS=$'\t' read -r lseq lprev lhash lpart loff ltopic <<<"$meta"
    # hash: SHA-256 of the line without its last member ,"hash":"<hex>" — which must be the last one.
    body="${line%,\"hash\":\"*}"
    [ "$line" = "$body,\"hash\":\"$lhash\"}" ] || fail "bad_fields (hash is not the last member)"
    [ "$(printf '%s}' "$body" | sha)" = "$lhash" ] || fail hash_mismatch
    [ "$lseq" = "$seq" ] || fail "seq_mismatch (seq $lseq, expected $seq)"
    [ "$lprev" = "$prev" ] || fail prev_mismatch
    key="$lpart $ltopic"
    if [ -n "${last[$key]:-}" ] && ! ((loff > last[$key])); then fail "offset_order ($loff after ${last[$key]})"; fi
    last[$key]=$loff
    prev=$(printf '%s' "$line" | sha) # prev of the next line: SHA-256 of this line's bytes, no "\n"
    seq=$((seq + 1))
  done <"$f"
  if [ -n "$line" ]; then n=$((n + 1)); fail "unterminated_line"; fi # read leaves a last line without "\n" in $line
done
echo "OK $seq lines, last hash $prev"
