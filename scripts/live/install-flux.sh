#!/usr/bin/env bash
# Installs the pinned Flux CLI the Flux live test (tests/modes/flux.rs, `flux build
# kustomization`) uses: built from the Go module proxy, static (CGO_ENABLED=0), into a
# cache directory outside the work tree, with its own module and build caches there; reused when
# present. The build is large (Kubernetes client libraries): the script gives up after
# FLUX_BUILD_TIMEOUT seconds (default 900). A cold build took 9 minutes on a shared 2-core
# machine (6.5 minutes of CPU): over the project's 5-minute budget, so .ci/run does not call this
# script and the test it serves is opt-in.
#
# Why v2.9.5: the newest Flux release the module proxy lists here; its go.mod asks for go 1.26.0
# and it builds kustomize-controller/api v1.9.5, the patch release after the v1.9.4 CRD vendored
# in ../shared/vendor/flux (same Kustomization v1 API).
#
# Prints the binary's path on stdout (last line). Usage: scripts/live/install-flux.sh
set -euo pipefail
FLUX_VERSION=v2.9.5
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/flux-$FLUX_VERSION
BIN="$CACHE/flux"
if [[ -x $BIN ]] && "$BIN" version --client 2>/dev/null | grep -q "${FLUX_VERSION#v}"; then
    echo "flux $FLUX_VERSION: cached at $BIN" >&2
    echo "$BIN"
    exit 0
fi
command -v go >/dev/null || { echo "install-flux: 'go' is needed" >&2; exit 2; }
mkdir -p "$CACHE"
t=$(date +%s)
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-trimpath GOMODCACHE="$CACHE/gomod" GOCACHE="$CACHE/gobuild"
# flux2's go.mod has replace directives, which `go install pkg@version` refuses: build the
# downloaded module as the main module instead.
dir=$(go mod download -json "github.com/fluxcd/flux2/v2@$FLUX_VERSION" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
[[ -n $dir ]] || { echo "install-flux: cannot download flux2 $FLUX_VERSION" >&2; exit 2; }
src=$(mktemp -d)
trap 'chmod -R u+w "$src"; rm -rf "$src"' EXIT
cp -R "$dir/." "$src"
chmod -R u+w "$src"
# cmd/flux embeds the install manifests flux2's Makefile generates (`flux install`); `flux
# build kustomization` never reads them, so one placeholder file satisfies the go:embed.
mkdir -p "$src/cmd/flux/manifests"
[[ -n $(ls -A "$src/cmd/flux/manifests") ]] || echo "# not used by flux build" > "$src/cmd/flux/manifests/placeholder.yaml"
# The version `flux version` prints is set by -X main.VERSION (flux2's Makefile does the same).
(cd "$src" && timeout "${FLUX_BUILD_TIMEOUT:-900}" go build -mod=mod -o "$BIN" \
    -ldflags="-s -w -X main.VERSION=${FLUX_VERSION#v}" ./cmd/flux) >&2
# The build cache (about 1.5 GB) is of no use once the binary exists.
go clean -cache
"$BIN" version --client >&2
echo "flux $FLUX_VERSION: built in $(( $(date +%s) - t ))s at $BIN" >&2
echo "$BIN"
