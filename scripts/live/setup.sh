#!/usr/bin/env bash
# Everything the live tests need, pinned and cached outside the work tree (reused when present):
# standalone kustomize (tests/kustomize_live.rs, the Argo CD sidecar image) and the Apache Kafka
# jars (tests/live.rs). Prints how long each part took. Called once from .ci/run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
for tool in go mvn java javac openssl; do
    command -v "$tool" >/dev/null || { echo "live setup: '$tool' is needed on PATH" >&2; exit 1; }
done
t=$(date +%s)
bash scripts/live/install-kustomize.sh >/dev/null
echo "live setup: kustomize ready in $(( $(date +%s) - t ))s"
t=$(date +%s)
bash scripts/live/install-kafka.sh >/dev/null
echo "live setup: Kafka jars ready in $(( $(date +%s) - t ))s"
t=$(date +%s)
bash scripts/live/avro-java.sh >/dev/null
echo "live setup: Avro Java jars ready in $(( $(date +%s) - t ))s"
