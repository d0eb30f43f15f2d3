#!/usr/bin/env bash
# Builds the bench's Kafka Streams peer and prints its classpath (one line) on stdout.
# Jars: Maven Central, via `mvn dependency:copy-dependencies` of pom.xml, once per change of the pom,
# into $FLK_CACHE_DIR/peer-lib/<hash> (the pattern of infra/local/stack.sh's Kafka jars); classes:
# javac once per change of the source, next to them. Exit 3 = no JDK/Maven here (the bench skips the
# peer phase and says why); any other failure is an error.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR=${FLK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flk}
SRC=$HERE/src/main/java/flk/peer/PcsPeer.java
for tool in java javac mvn; do
  command -v "$tool" >/dev/null || { echo "$tool not found (the peer needs a JDK 17 and Maven 3.8+)" >&2; exit 3; }
done
hash=$(sha256sum "$HERE/pom.xml" | cut -c1-12)
LIB=$CACHE_DIR/peer-lib/$hash
mkdir -p "$CACHE_DIR/peer-lib"
exec 7>"$CACHE_DIR/peer-lib/.lock"
flock -w 900 7 || { echo "timed out waiting for $CACHE_DIR/peer-lib/.lock" >&2; exit 1; }
if [[ ! -f $LIB/.complete ]]; then
  tmp=$LIB.tmp.$$
  rm -rf "$tmp"
  echo "peer: resolving kafka-streams + avro with Maven into $LIB ..." >&2
  rc=0
  # shellcheck disable=SC2086 # FLK_MAVEN_OPTS is a list of options
  (cd "$HERE" && mvn -B -q -ntp ${FLK_MAVEN_OPTS:-} dependency:copy-dependencies -DoutputDirectory="$tmp") >"$CACHE_DIR/peer-lib/maven.log" 2>&1 || rc=$?
  rm -rf "$HERE/target"
  if ((rc != 0)); then
    tail -20 "$CACHE_DIR/peer-lib/maven.log" >&2
    rm -rf "$tmp"
    exit 1
  fi
  touch "$tmp/.complete"
  rm -rf "$LIB" && mv "$tmp" "$LIB"
fi
CLASSES=$LIB.classes-$(sha256sum "$SRC" | cut -c1-12)
if [[ ! -f $CLASSES/flk/peer/PcsPeer.class ]]; then
  rm -rf "$CLASSES.tmp.$$" && mkdir -p "$CLASSES.tmp.$$"
  javac -nowarn -encoding UTF-8 --release 17 -d "$CLASSES.tmp.$$" -cp "$LIB/*" "$SRC" >&2
  rm -rf "$CLASSES" && mv "$CLASSES.tmp.$$" "$CLASSES"
fi
flock -u 7
echo "$CLASSES:$LIB/*"
