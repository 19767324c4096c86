#!/usr/bin/env bash
# Provide the real Toxiproxy server: one on PATH, or a pinned build made with
# `go install` from the Go module proxy into tools/bin (git-ignored).
set -euo pipefail
version="${1:?toxiproxy version}"
here="$(cd "$(dirname "$0")" && pwd)"
bin="$here/bin/toxiproxy-server"
if [ -x "$bin" ] && [ "$(cat "$here/bin/.toxiproxy-version" 2>/dev/null)" = "$version" ]; then exit 0; fi
if [ ! -x "$bin" ] && command -v toxiproxy-server >/dev/null 2>&1; then exit 0; fi
if ! command -v go >/dev/null 2>&1; then
  for candidate in /usr/local/go/bin/go /usr/lib/go/bin/go; do
    if [ -x "$candidate" ]; then PATH="$(dirname "$candidate"):$PATH"; fi
  done
fi
if ! command -v go >/dev/null 2>&1; then
  cat >&2 <<MSG
setup: Toxiproxy is needed and Go is not installed to build it. Either install Go
(https://go.dev/dl/) and rerun, or download toxiproxy-server $version from
https://github.com/Shopify/toxiproxy/releases and put it on PATH as toxiproxy-server.
MSG
  exit 1
fi
echo "setup: building Toxiproxy $version with go install"
mkdir -p "$here/bin"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
GOBIN="$tmp" GOFLAGS=-mod=mod go install "github.com/Shopify/toxiproxy/v2/cmd/server@$version"
mv "$tmp/server" "$bin"
echo "$version" > "$here/bin/.toxiproxy-version"
