#!/usr/bin/env bash
# Installs the pinned standalone kustomize the live tests (tests/kustomize_live.rs) and the Argo CD
# sidecar image (scripts/container-check.sh) use: `go install` from the Go module proxy, static
# (CGO_ENABLED=0), into a cache directory outside the work tree; reused when present.
#
# Why v5.8.2: the newest kustomize v5 whose go.mod asks for no newer Go than this project's
# machines have (go 1.26; v5.8.3 needs go 1.27).
#
# Prints the binary's path on stdout (last line). Usage: scripts/live/install-kustomize.sh
set -euo pipefail
KUSTOMIZE_VERSION=v5.8.2
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/kustomize-$KUSTOMIZE_VERSION
BIN="$CACHE/kustomize"
if [[ -x $BIN ]] && "$BIN" version 2>/dev/null | grep -q "$KUSTOMIZE_VERSION"; then
    echo "kustomize $KUSTOMIZE_VERSION: cached at $BIN" >&2
    echo "$BIN"
    exit 0
fi
command -v go >/dev/null || { echo "install-kustomize: 'go' is needed" >&2; exit 2; }
mkdir -p "$CACHE"
t=$(date +%s)
# GOTOOLCHAIN=local: never download another Go; -trimpath -ldflags: a reproducible, stripped binary;
# the version string kustomize prints comes from its module version (debug.ReadBuildInfo).
CGO_ENABLED=0 GOTOOLCHAIN=local GOBIN="$CACHE" GOFLAGS=-trimpath \
    go install -ldflags='-s -w' "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION" >&2
"$BIN" version >&2
echo "kustomize $KUSTOMIZE_VERSION: built in $(( $(date +%s) - t ))s at $BIN" >&2
echo "$BIN"
