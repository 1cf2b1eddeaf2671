#!/usr/bin/env bash
# Builds the FerretDB launcher once per change of its sources and prints the
# binary's path. The first build compiles a pure-Go SQLite: minutes on 2 cores.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
cache=${DUALSTORE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dualstore}
go=$(command -v go || echo /usr/local/go/bin/go)
[ -x "$go" ] || { echo "go is not installed" >&2; exit 1; }

key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" | sha256sum | cut -c1-16)
binary="$cache/ferretdb-1.24.2-$key"

if [ ! -x "$binary" ]; then
  mkdir -p "$cache"
  echo "building the FerretDB launcher into $binary" >&2
  start=$(date +%s)
  (cd "$here" && "$go" build -o "$binary.partial" .)
  mv "$binary.partial" "$binary"
  echo "built the FerretDB launcher in $(( $(date +%s) - start ))s" >&2
fi
echo "$binary"
