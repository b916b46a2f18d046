#!/usr/bin/env bash
# Resolves the pinned Apache Kafka release of tests/live/pom.xml (broker, clients, Streams,
# Connect) from Maven Central into a cache directory outside the work tree, reused when present:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/kafka-<version>/lib/*.jar
# (the Maven local repository beside it, in .../kbundle/m2). Prints the lib directory (last line).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
POM="$ROOT/tests/live/pom.xml"
VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$POM")
[[ -n $VERSION ]] || { echo "install-kafka: no kafka.version in $POM" >&2; exit 2; }
BASE=${XDG_CACHE_HOME:-$HOME/.cache}/kbundle
LIB="$BASE/kafka-$VERSION/lib"
STAMP="$BASE/kafka-$VERSION/pom.sha256"
want=$(sha256sum "$POM" | cut -d' ' -f1)
if [[ -f $STAMP && $(cat "$STAMP") == "$want" && -n $(ls "$LIB"/kafka_2.13-"$VERSION".jar 2>/dev/null) ]]; then
    echo "kafka $VERSION: cached at $LIB ($(ls "$LIB" | wc -l) jars)" >&2
    echo "$LIB"
    exit 0
fi
command -v mvn >/dev/null || { echo "install-kafka: 'mvn' is needed" >&2; exit 2; }
t=$(date +%s)
rm -rf "$LIB"
mkdir -p "$LIB"
mvn -B -q -f "$POM" -Dmaven.repo.local="$BASE/m2" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB" >&2
echo "$want" >"$STAMP"
echo "kafka $VERSION: $(ls "$LIB" | wc -l) jars resolved in $(( $(date +%s) - t ))s into $LIB" >&2
echo "$LIB"
