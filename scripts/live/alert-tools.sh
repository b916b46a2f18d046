#!/usr/bin/env bash
# Builds the pinned tools the live alert tests drive (tests/alerts_live.rs), from the Go module
# proxy, into a cache outside the work tree:
#   promtool   (github.com/prometheus/prometheus cmd/promtool)
#   amtool     (github.com/prometheus/alertmanager cmd/amtool)
#   amconvert  (tests/live/amconvert: prometheus-operator's own AlertmanagerConfig conversion)
# installs curl (the hook scripts' tool) if missing, and prints the directory holding the tools
# (the tests look there, or in $KBUNDLE_LIVE_BIN).
#
# Versions: prometheus-operator v0.93.0 is the vendored CRDs' version (../shared/vendor/SOURCES.md,
# pinned in tests/live/amconvert/go.mod); Prometheus and Alertmanager are the versions that
# operator release builds against (its go.mod) and deploys by default (DefaultAlertmanagerVersion),
# so rules, conversion and amtool agree on one release, and the builds share one module cache.
#
# Only the commands are built, with -trimpath; promtool without its service-discovery plugins
# (build tag remove_all_sd: `test rules` and `check rules` use none, and it halves the build).
# GOMODCACHE and GOCACHE live under ${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/go; a binary already
# there is reused, so a warm run builds nothing.
set -euo pipefail

PROMETHEUS_VERSION=v0.313.1   # Prometheus 3.13.1 (module versions v0.3xx.y are releases v3.xx.y)
ALERTMANAGER_VERSION=v0.33.1

root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/go"
export GOMODCACHE="$cache/mod" GOCACHE="$cache/build" GOFLAGS="-trimpath -buildvcs=false"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOWORK=off
bin="$cache/bin"
mkdir -p "$bin"

# The hook scripts' own tool (the hook image is curlimages/curl); Debian's package.
if ! command -v curl >/dev/null 2>&1; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  { $SUDO apt-get install -y -q curl || { $SUDO apt-get update -q && $SUDO apt-get install -y -q curl; }; } >&2
fi

if ! command -v go >/dev/null 2>&1; then
  echo "error: go is not on PATH; the live alert tools are built from the Go module proxy" >&2
  exit 1
fi

# `go install pkg@version` refuses both modules (their go.mod has replace directives), so each
# command is built inside the released module itself, as its main module, with the release's own
# go.mod and go.sum: exactly the dependency set upstream ships.
install_tool() { # name module version package-dir [build flags...]
  local name=$1 module=$2 version=$3 pkgdir=$4 dest="$bin/$1-$3"
  shift 4
  if [ ! -x "$dest" ]; then
    local dir
    dir=$(go mod download -json "$module@$version" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    [ -n "$dir" ] || { echo "error: go mod download $module@$version gave no directory" >&2; exit 1; }
    (cd "$dir" && go build "$@" -o "$dest.tmp" "./$pkgdir" >&2)
    mv "$dest.tmp" "$dest"
  fi
  ln -sf "$dest" "$bin/$name"
}

install_tool promtool github.com/prometheus/prometheus "$PROMETHEUS_VERSION" cmd/promtool -tags remove_all_sd
install_tool amtool github.com/prometheus/alertmanager "$ALERTMANAGER_VERSION" cmd/amtool

# amconvert: rebuilt when its sources change (the binary is named by their digest).
src="$root/tests/live/amconvert"
digest=$(cat "$src/go.mod" "$src/go.sum" "$src"/*.go | sha256sum | cut -c1-16)
dest="$bin/amconvert-$digest"
if [ ! -x "$dest" ]; then
  (cd "$src" && go build -mod=readonly -o "$dest.tmp" . >&2)
  mv "$dest.tmp" "$dest"
fi
ln -sf "$dest" "$bin/amconvert"

echo "$bin"
