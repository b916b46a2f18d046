#!/usr/bin/env bash
# Builds tests/live/luahealth (an Argo CD health-script runner on gopher-lua, the Lua 5.1
# interpreter Argo CD embeds; version pinned in tests/live/luahealth/go.mod and go.sum) from the
# Go module proxy into the cache outside the work tree, and prints the binary's path
# (tests/argocd_health_live.rs looks there, or in $KBUNDLE_LUAHEALTH). A warm cache builds
# nothing.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kbundle/go"
export GOMODCACHE="$cache/mod" GOCACHE="$cache/build" GOFLAGS="-trimpath -buildvcs=false -mod=readonly"
export CGO_ENABLED=0 GOTOOLCHAIN=local GOWORK=off
if ! command -v go >/dev/null 2>&1; then
  echo "error: go is not on PATH; the Lua health runner is built from the Go module proxy" >&2
  exit 1
fi
src="$root/tests/live/luahealth"
# The binary's name carries a hash of its sources, so a changed runner is rebuilt.
hash=$(cat "$src/main.go" "$src/go.mod" "$src/go.sum" | sha256sum | cut -c1-12)
dest="$cache/bin/luahealth-$hash"
mkdir -p "$cache/bin"
if [ ! -x "$dest" ]; then
  (cd "$src" && go build -o "$dest.tmp" . >&2)
  mv "$dest.tmp" "$dest"
fi
ln -sf "$dest" "$cache/bin/luahealth"
echo "$cache/bin/luahealth"
