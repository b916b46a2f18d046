#!/usr/bin/env bash
# Fetches Apache Avro's Java library (the SchemaCompatibility Confluent Schema Registry runs) and
# its runtime dependencies from Maven Central into a cache outside the work tree, with Maven.
# Prints the directory holding the jars. Reuses the cache when it is complete.
#   tests/avro_java.rs calls this; .ci/run calls it once up front so a failure shows early.
set -euo pipefail

AVRO_VERSION=1.12.0 # Confluent Platform 8.0's Schema Registry ships Avro 1.12.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/avro-java/$AVRO_VERSION"
lib="$cache/lib"
if [ -f "$lib/.complete" ]; then
  echo "$lib"
  exit 0
fi
command -v mvn >/dev/null || { echo "error: mvn is not on PATH" >&2; exit 1; }
mkdir -p "$cache"
cat >"$cache/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kbundle.live</groupId>
  <artifactId>avro-java</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.avro</groupId>
      <artifactId>avro</artifactId>
      <version>$AVRO_VERSION</version>
    </dependency>
  </dependencies>
</project>
POM
# The plugin version is pinned so the resolution does not depend on Maven's defaults.
mvn -B -q -f "$cache/pom.xml" -Dmaven.repo.local="$cache/m2" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$lib" >&2
ls "$lib"/avro-"$AVRO_VERSION".jar >/dev/null
touch "$lib/.complete"
echo "$lib"
